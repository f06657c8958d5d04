"""End the run with a non-zero exit if a cell failed more trials than allowed.

The lines naming the failed cells close the run's output (the Snakefile's onsuccess
and onerror); here they go to the job's log.
"""

import json
import logging
import sys
from dataclasses import asdict

from negr2 import files, logs
from negr2.failures import closing_lines, failed_cells, over_limit

snakemake = snakemake  # noqa: F821 (injected by Snakemake)
logs.to_file(snakemake.log[0])

limit = snakemake.params.max_failed_share
cells = failed_cells(snakemake.input.summary, snakemake.input.trials)
for line in closing_lines(cells, limit):
    logging.info(line)
if over_limit(cells, limit):
    logging.shutdown()
    sys.exit(1)  # no output: the next run checks again
record = {"max_failed_share": limit, "failed_cells": [asdict(cell) for cell in cells]}
files.write_text(snakemake.output.record, json.dumps(record, indent=2) + "\n")
logs.exit_job()
