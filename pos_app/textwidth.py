"""Column math for fixed-width output where CJK characters take two columns."""

from __future__ import annotations

import unicodedata


def display_width(text: str) -> int:
    """Columns ``text`` takes on a terminal or receipt (wide and full-width chars count 2)."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def pad(text: str, width: int, *, right: bool = False) -> str:
    """Pad ``text`` with spaces to ``width`` columns (left-aligned unless ``right``)."""
    fill = " " * max(0, width - display_width(text))
    return fill + text if right else text + fill
