"""Column math as a receipt printer counts it.

A printer in Chinese mode prints every double-byte character (Chinese, the
full-width ￥, but also ×, · and other symbols that terminals draw narrow) as
one full-width glyph: two columns. ASCII is one column. A printer with no
double-byte codec prints anything that is not ASCII as one replacement
character. Measuring with the printer's rule, not the terminal's, is what keeps
mixed Chinese and English columns lined up on paper.
"""

from __future__ import annotations

import unicodedata


def cell_width(ch: str, *, wide: bool = True) -> int:
    """Columns ``ch`` takes; ``wide`` is False for a printer without a double-byte codec."""
    if ord(ch) < 0x80 or not wide:
        # without a double-byte codec even a combining mark prints as one "?"
        return 1
    if unicodedata.combining(ch) or ch in "\u200b\u200c\u200d\ufeff":
        return 0
    return 2


def text_width(text: str, *, wide: bool = True) -> int:
    return sum(cell_width(ch, wide=wide) for ch in text)


def fit(text: str, width: int, *, wide: bool = True) -> str:
    """``text`` cut to at most ``width`` columns, never splitting a wide character."""
    out: list[str] = []
    used = 0
    for ch in text:
        w = cell_width(ch, wide=wide)
        if used + w > width:
            break
        out.append(ch)
        used += w
    return "".join(out)


def wrap(text: str, width: int, *, wide: bool = True) -> list[str]:
    """``text`` broken into lines of at most ``width`` columns (at spaces when it can)."""
    lines: list[str] = []
    rest = " ".join(text.split())
    while rest:
        head = fit(rest, width, wide=wide)
        if len(head) < len(rest):
            space = head.rfind(" ")
            if space > 0 and rest[len(head)] != " ":
                head = head[:space]
        lines.append(head.rstrip())
        rest = rest[len(head) :].lstrip()
    return lines or [""]


def pad(text: str, width: int, *, right: bool = False, wide: bool = True) -> str:
    text = fit(text, width, wide=wide)
    fill = " " * (width - text_width(text, wide=wide))
    return fill + text if right else text + fill


def two_columns(left: str, right: str, width: int, *, wide: bool = True) -> list[str]:
    """``left`` and ``right`` on one line, ``right`` flush right; more lines if they do not
    fit (a ``right`` wider than the paper is wrapped, never cut)."""
    lw, rw = text_width(left, wide=wide), text_width(right, wide=wide)
    if lw + 1 + rw <= width:
        return [left + " " * (width - lw - rw) + right]
    rights = [right] if rw <= width else wrap(right, width, wide=wide)
    return [
        *wrap(left, width, wide=wide),
        *(pad(part, width, right=True, wide=wide) for part in rights),
    ]
