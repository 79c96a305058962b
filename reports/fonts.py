"""Noto Sans TC (SIL OFL, shipped by the `pylopdf-fonts-zh-tw` package) for every rendering with Chinese text.

Charts read the font file as it is, from its directory; PDFs embed a converted subset (`reports.pdf_fonts`).
This module stays free of fontTools, which takes a second to import, so the chart process starts quickly.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pylopdf_fonts_zh_tw

FAMILY = "Noto Sans TC"  # the family name inside the font file, which chart specs ask for


def sans_path() -> Path:
    return Path(pylopdf_fonts_zh_tw.sans_path())


@cache
def sans_bytes() -> bytes:
    return sans_path().read_bytes()
