"""Write a comparison's files: the table (CSV, Markdown), its description (JSON), the
forest plot (PNG), the HTML page and the section a study's report includes, each
atomically."""

from __future__ import annotations

from pathlib import Path

from negr2 import files
from negr2.compare.engine import Comparison
from negr2.compare.forest import forest_figure
from negr2.compare.page import render_page, render_section
from negr2.compare.tables import description, description_json, to_csv, to_markdown
from negr2.html import png_bytes

#: The files of a comparison folder, by what they hold.
FILES = {
    "table": "compare.csv",
    "markdown": "compare.md",
    "description": "compare.json",
    "figure": "forest.png",
    "html": "compare.html",
    "section": "section.html",
}


def write_comparison(comparison: Comparison, folder: str | Path) -> dict[str, Path]:
    """Write :data:`FILES` into ``folder`` (created if needed); returns their paths."""
    folder = Path(folder)
    paths = {name: folder / file for name, file in FILES.items()}
    fig, caption = forest_figure(comparison.table, comparison.options.metric)
    png = png_bytes(fig)
    files.write_text(paths["table"], to_csv(comparison))
    files.write_text(paths["markdown"], to_markdown(comparison))
    files.write_text(paths["description"], description_json(comparison))
    with files.atomic_path(paths["figure"]) as tmp:
        tmp.write_bytes(png)
    described = description(comparison)
    files.write_text(paths["html"], render_page(comparison.table, described, png, caption))
    files.write_text(paths["section"], render_section(comparison.table, described, png, caption))
    return paths
