import os
from pathlib import Path

from negr2.config import check_config, model_chunks

try:
    check_config(config)
except ValueError as error:
    raise WorkflowError(f"invalid config: {error}") from None

STUDY = config["study"]
RESULTS = f"results/{STUDY}"
TRACKING_URI = os.environ.get("MLFLOW_TRACKING_URI") or config["mlflow"]["tracking_uri"]
ARTIFACT_ROOT = "results/mlartifacts"  # where a new experiment keeps its artifacts
# MLflow's usage telemetry would try the network from every job that logs.
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")


wildcard_constraints:
    scenario="|".join(config["scenarios"]),
    model="|".join(config["models"]),
    chunk=r"\d+of\d+",


def trial_priority(wildcards):
    """The model's configured priority: slow cells start first, so that no long job
    is left running alone at the end."""
    return config["models"][wildcards.model]["priority"]


def trial_chunk_files(wildcards=None):
    """Every trials chunk of every (scenario, model) cell."""
    return [
        f"{RESULTS}/trials/{scenario}/{model}/{chunk.label}.parquet"
        for scenario in config["scenarios"]
        for model in config["models"]
        for chunk in model_chunks(config, model)
    ]


def print_next_steps():
    """What to open once the study has run."""
    store = TRACKING_URI
    print(
        f"\nnegr2: study '{STUDY}' is done.\n"
        f"  report:    {Path(RESULTS, 'report.html').resolve()}\n"
        f"  summary:   {Path(RESULTS, 'summary.csv').resolve()}\n"
        f"  MLflow UI: mlflow ui --backend-store-uri {store} --host 127.0.0.1 --port 5000\n"
        f"             then open http://127.0.0.1:5000 (experiment '{STUDY}')\n"
    )
