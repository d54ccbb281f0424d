"""A printable document: what a receipt says, line by line, before it becomes bytes.

The layout code produces these blocks for a paper width; the ESC/POS encoder
turns them into text or raster commands for one printer. Keeping the two apart
is what lets one layout print on a Chinese-font printer, on a printer with no
Chinese font (raster) and in the preview.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Align = Literal["left", "center", "right"]


@dataclass(frozen=True)
class TextLine:
    text: str
    align: Align = "left"
    bold: bool = False
    #: double width and height (headings, the total)
    big: bool = False


@dataclass(frozen=True)
class Rule:
    char: str = "-"


@dataclass(frozen=True)
class Barcode:
    """Code128 of a receipt number, scanned at the returns desk."""

    data: str


@dataclass(frozen=True)
class QRCode:
    data: str


@dataclass(frozen=True)
class Feed:
    lines: int = 1


Block = TextLine | Rule | Barcode | QRCode | Feed


@dataclass(frozen=True)
class Document:
    blocks: tuple[Block, ...]
    #: cut the paper at the end (receipts yes; a drawer kick has no document)
    cut: bool = True
