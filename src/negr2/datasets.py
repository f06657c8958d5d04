"""What a scenario point's trials are drawn from, and its digest: the data fingerprint.

Trial *t* of a scenario point draws its data from the generator spec and the master
seed, so two versions of a cell saw the same data in every trial exactly when their
scenario point's spec, the seed and the trial count agree: when their digests are
equal. The digest names a cell run's MLflow dataset (:mod:`negr2.cell_runs`) and is
written into the metadata of the trials table (:data:`TABLE_METADATA_KEY`), where
``negr2 compare`` reads it to decide whether two versions' trials pair up.

Standard library only: the trials table's writer and ``negr2 compare`` use it.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from negr2.study import Study

#: The key of the trials table's Parquet metadata holding :func:`table_metadata`.
TABLE_METADATA_KEY = b"negr2"


def data_spec(study: Study, scenario_id: str) -> dict[str, Any]:
    """What draws a scenario point's trials: its generator spec, the study's master
    seed and trial count."""
    config = study.config
    spec = study.scenarios[scenario_id].spec
    return {"scenario": spec, "seed": config["seed"], "trials": config["trials"]}


def spec_text(spec: dict[str, Any]) -> str:
    """:func:`data_spec` as canonical JSON text (keys sorted)."""
    return json.dumps(spec, sort_keys=True, default=str)


def data_digest(spec: dict[str, Any]) -> str:
    """The 16-hex-digit SHA-256 digest of :func:`spec_text`."""
    return hashlib.sha256(spec_text(spec).encode()).hexdigest()[:16]


def table_metadata(study: Study) -> bytes:
    """The trials table's own description: the study, its results format and each
    scenario point's data digest, as JSON."""
    from negr2 import RESULTS_FORMAT

    digests = {sid: data_digest(data_spec(study, sid)) for sid in study.scenarios}
    return json.dumps(
        {"study": study.config.get("study"), "results_format": RESULTS_FORMAT, "datasets": digests},
        sort_keys=True,
    ).encode()
