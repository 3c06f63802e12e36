"""The TrueType font for PDF and PNG text: DejaVu Sans when present, for UTF-8 coverage."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

# SHOPFLOOR_LABEL_FONT_DIR wins; then a copy shipped beside the package; then the system's.
_DIRS = (
    os.environ.get("SHOPFLOOR_LABEL_FONT_DIR", ""),
    str(Path(__file__).with_name("fonts")),
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/dejavu",
    "/usr/local/share/fonts",
)


@lru_cache(maxsize=None)
def font_path(bold: bool = False) -> str | None:
    """Path of DejaVuSans(-Bold).ttf, or None when it is nowhere to be found."""
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for folder in _DIRS:
        if folder and (Path(folder) / name).is_file():
            return str(Path(folder) / name)
    return None
