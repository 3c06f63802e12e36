"""Labels: templates as data, GS1 element strings, ZPL, PDF and PNG rendering.

Imports nothing of `edge` or `central`; both call `load_template` and `render`.
"""

from labels.errors import LabelError
from labels.render import RENDERERS, render
from labels.template import Template, load_template

__all__ = ["LabelError", "RENDERERS", "Template", "load_template", "render"]
