"""`render`: a template and its fields to ZPL, PDF or PNG bytes."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from labels import pdf, png, zpl
from labels.errors import LabelError
from labels.layout import Label, layout
from labels.template import Template, load_template

#: Output formats and the function that turns a placed label into bytes.
RENDERERS: dict[str, Callable[[Label], bytes]] = {"zpl": zpl.render, "pdf": pdf.render, "png": png.render}


def render(template: Template | str | Path, fields: dict[str, Any], fmt: str = "zpl", dpi: int = 203) -> bytes:
    """Fill `template` with `fields` and render it; LabelError before any output if anything is wrong."""
    renderer = RENDERERS.get(fmt)
    if renderer is None:
        raise LabelError("format", f"{fmt!r} is not one of {', '.join(RENDERERS)}")
    if not isinstance(template, Template):
        template = load_template(template)
    return renderer(layout(template, fields, dpi))
