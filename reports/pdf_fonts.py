"""Noto Sans TC subset for embedding in a PDF (the impact report, the passing lists).

fpdf2 embeds Noto's CID-keyed CFF outlines with an encoding CMap that some readers and text extractors
(pypdf among them) cannot decode, so a PDF gets a TrueType font holding just the characters it uses, which
fpdf2 embeds as Identity-H: every reader can show, search and copy the text.

The source font is parsed once per process and each glyph's outline is turned into TrueType once; a PDF's
font is then built from those glyphs (fontTools' FontBuilder) in milliseconds. Subsetting the whole font
anew for each PDF took about a second, which set the pace of the final-exam-week mailing (R23).
"""

from __future__ import annotations

import io
import threading
from functools import cache
from typing import Any

from fontTools.fontBuilder import FontBuilder
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont

from reports.fonts import sans_bytes

NOTDEF = ".notdef"
# fontTools' lazy tables are not safe to read from two threads at once; PDFs are drawn in worker threads.
_lock = threading.Lock()
_outlines: dict[str, Any] = {}


@cache
def _source() -> Any:
    return TTFont(io.BytesIO(sans_bytes()), lazy=True)


def _outline(glyph_set: Any, name: str) -> Any:
    """The glyph with quadratic (TrueType) outlines, converted once per process."""
    found = _outlines.get(name)
    if found is None:
        pen = TTGlyphPen(None)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        found = _outlines[name] = pen.glyph()
    return found


def truetype_subset(text: str) -> bytes:
    """A TrueType font with Noto Sans TC's glyphs for `text`'s characters (and .notdef)."""
    with _lock:
        font = _source()
        cmap = font.getBestCmap()
        mapping = {ord(ch): cmap[ord(ch)] for ch in set(text) if ord(ch) in cmap}
        names = [NOTDEF, *sorted(set(mapping.values()) - {NOTDEF})]
        glyph_set = font.getGlyphSet()
        glyphs = {name: _outline(glyph_set, name) for name in names}
        hmtx, hhea, os2 = font["hmtx"], font["hhea"], font["OS/2"]
        metrics = {name: hmtx[name] for name in names}
        units_per_em = font["head"].unitsPerEm
        family = font["name"].getBestFamilyName()
    builder = FontBuilder(units_per_em, isTTF=True)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap(mapping)
    builder.setupGlyf(glyphs)
    builder.setupHorizontalMetrics(metrics)
    builder.setupHorizontalHeader(ascent=hhea.ascent, descent=hhea.descent)
    builder.setupNameTable({"familyName": family, "styleName": "Regular"})
    builder.setupOS2(
        sTypoAscender=os2.sTypoAscender,
        sTypoDescender=os2.sTypoDescender,
        usWinAscent=os2.usWinAscent,
        usWinDescent=os2.usWinDescent,
    )
    builder.setupPost()
    out = io.BytesIO()
    builder.save(out)
    return out.getvalue()
