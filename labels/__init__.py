"""Labels: templates as data, GS1 element strings, ZPL, PDF and PNG rendering.

Imports nothing of `edge` or `central`; both call `load_template` and `render`. Importing the
package is cheap: the layout (with Pillow for text widths and zxing-cpp for symbol sizes) loads on
the first `render` call, reportlab on the first PDF; a station that prints ZPL never needs it.
"""

from __future__ import annotations

import importlib
from typing import Any

from labels.errors import LabelError
from labels.template import Template, load_template

__all__ = ["LabelError", "RENDERERS", "Template", "load_template", "render"]


def render(template, fields: dict[str, Any], fmt: str = "zpl", dpi: int = 203) -> bytes:
    """Fill `template` with `fields` and render it; LabelError before any output if anything is wrong."""
    return _renderer_module().render(template, fields, fmt, dpi)


_render = render


def __getattr__(name: str):
    if name == "RENDERERS":
        return _renderer_module().RENDERERS
    raise AttributeError(f"module 'labels' has no attribute {name!r}")


def _renderer_module():
    module = importlib.import_module("labels.render")
    globals()["render"] = _render  # importing the submodule rebinds the package's `render` to it
    return module
