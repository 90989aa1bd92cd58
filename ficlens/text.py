"""Cleaning on a copy: mojibake, CRLF and BOM repaired in a normalised text with an offset map.

The story text itself is never changed (gold offsets index the original file). Stages that
want clean text read ``story.normalized`` and map their offsets back with ``to_original``.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

# Sequences that only appear when UTF-8 was decoded as cp1252/latin-1 (â€™, Ã©, Â ...).
_MOJIBAKE = re.compile(
    "[\u00c2\u00c3\u00c5\u00e2]"
    "[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u2122]+"
)
_EDITS = re.compile("\r\n|\r|\ufeff|" + _MOJIBAKE.pattern)


@dataclass(frozen=True)
class NormalizedText:
    """``text`` is the clean copy; ``to_original`` maps any of its offsets into the story text."""

    text: str
    #: Sorted clean offsets where an edit starts, and the original offset each corresponds to.
    _clean_starts: tuple[int, ...] = ()
    _orig_starts: tuple[int, ...] = ()
    _clean_ends: tuple[int, ...] = ()
    _orig_ends: tuple[int, ...] = ()

    def to_original(self, i: int, *, end: bool = False) -> int:
        """Original offset of clean offset ``i``; ``end=True`` treats ``i`` as an exclusive end."""
        k = (bisect_left if end else bisect_right)(self._clean_starts, i) - 1
        if k < 0:
            return i
        if i < self._clean_ends[k]:
            return self._orig_ends[k] if end else self._orig_starts[k]
        return self._orig_ends[k] + (i - self._clean_ends[k])

    def span_to_original(self, start: int, end: int) -> tuple[int, int]:
        return self.to_original(start), self.to_original(end, end=True)


def _fix(piece: str) -> str:
    if piece in ("\r\n", "\r"):
        return "\n"
    if piece == "\ufeff":
        return ""
    import ftfy  # only loaded when a file really has mojibake

    return ftfy.fix_encoding(piece)


def normalize(text: str) -> NormalizedText:
    """Repair ``text`` on a copy; a clean file costs one regex scan and no copy of the map."""
    out: list[str] = []
    cs: list[int] = []
    os_: list[int] = []
    ce: list[int] = []
    oe: list[int] = []
    pos = 0
    clean = 0
    for m in _EDITS.finditer(text):
        piece = m.group()
        fixed = _fix(piece)
        if fixed == piece:
            continue
        out.append(text[pos : m.start()])
        clean += m.start() - pos
        cs.append(clean)
        os_.append(m.start())
        out.append(fixed)
        clean += len(fixed)
        ce.append(clean)
        oe.append(m.end())
        pos = m.end()
    if not cs:
        return NormalizedText(text)
    out.append(text[pos:])
    return NormalizedText("".join(out), tuple(cs), tuple(os_), tuple(ce), tuple(oe))

