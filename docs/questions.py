#!/usr/bin/env python3
"""Copy the README's "Questions you can answer" figures out of the studies' results.

    make questions        # runs the studies, then this script

Each figure is the study's own 300-dpi PNG (results/<study>/paper/figures/),
scaled to 1200 pixels wide for the README.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image

REPO = Path(__file__).resolve().parents[1]
FIGURES = {
    "sample-size": ["sweep-n_train-noise", "sweep-n_train-signal"],
    "hyperparameters": ["hyperparameters-noise"],
    "ablation": ["ablation-heatmap-correlated"],
    "baselines": ["baselines-sweep-n_train"],
    "diabetes": ["ablation-heatmap-diabetes-n_train-40"],
    "negative-targets": ["r2-distribution-skewed"],
}
WIDTH = 1200


def main() -> None:
    out = REPO / "docs" / "img" / "questions"
    out.mkdir(parents=True, exist_ok=True)
    for study, stems in FIGURES.items():
        for stem in stems:
            source = REPO / "results" / study / "paper" / "figures" / f"{stem}.png"
            if not source.is_file():
                sys.exit(f"questions: {source} is missing: run the {study} study first")
            with Image.open(source) as image:
                height = round(image.height * WIDTH / image.width)
                image.resize((WIDTH, height), Image.LANCZOS).save(
                    out / f"{study}--{stem}.png", optimize=True
                )


if __name__ == "__main__":
    main()
