"""What negr2's HTML pages share (the study's report, a comparison's page): their
templates' environment, and figures embedded as PNG data URIs."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Mapping
from typing import Any

import jinja2
from matplotlib.figure import Figure


def template_environment(filters: Mapping[str, Callable[..., Any]]) -> jinja2.Environment:
    """The package's templates (``negr2/templates``), HTML escaped, an undefined name an
    error, with these filters."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("negr2", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(filters)
    return env


def png_bytes(fig: Figure, dpi: int = 110) -> bytes:
    """The figure as PNG (no software tag or timestamp: the same bytes every time)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def data_uri(png: bytes) -> str:
    """PNG bytes as a data URI, for a self-contained page."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
