"""A picture of the paper a receipt printer would produce for some ESC/POS bytes.

Meant for a person checking a receipt's layout, above all that columns of mixed Chinese
and English line up. So text is not laid out proportionally: like the printer, every
character is drawn into a grid cell, 12x24 dots for a half-width character in font A
(9x17 in font B) and twice as wide for a double-byte one (the printer's rule in
:mod:`devices.columns`: any non-ASCII character decoded from the codec), scaled by the
GS ! multipliers. An 80 mm roll is 576 dots (48 font-A columns), 58 mm is 384 (32).

Text that does not fit the paper wraps to the next row, as on the printer. Alignment
is applied in whole columns. Images are drawn 1:1, QR codes with ``qrcode``, barcodes
from python-barcode's module pattern; cuts and drawer kicks get a grey note.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import barcode as pybarcode
import qrcode
from PIL import Image, ImageChops, ImageDraw
from qrcode.constants import ERROR_CORRECT_H, ERROR_CORRECT_L, ERROR_CORRECT_M, ERROR_CORRECT_Q

from devices import escpos_reader as er
from devices.columns import text_width as display_width  # the printer's column rule
from devices.fonts import cjk_font

#: white paper around the printable width, in dots, on every side
MARGIN = 8
#: ESC 2 default line spacing (1/6 inch), in dots
DEFAULT_LINE_SPACING = 30
#: font number -> (cell width, cell height) of a half-width character
CELLS = {0: (12, 24), 1: (9, 17)}
INK = 0
PAPER = 255
NOTE = 140  # grey for things that are not printed (cut line, drawer kick)
_QR_EC = {"L": ERROR_CORRECT_L, "M": ERROR_CORRECT_M, "Q": ERROR_CORRECT_Q, "H": ERROR_CORRECT_H}
_BARCODES = {
    "CODE128": "code128",
    "GS1-128": "gs1_128",
    "EAN13": "ean13",
    "EAN8": "ean8",
    "UPC-A": "upca",
    "CODE39": "code39",
    "ITF": "itf",
    "NW7": "codabar",
}


def render(data: bytes, *, width_dots: int = 576, codec: str = "gb18030") -> Image.Image:
    """The receipt as a greyscale image ``width_dots + 2 * MARGIN`` wide."""
    return render_ops(er.parse(data, codec=codec), width_dots=width_dots)


def render_png(data: bytes, path: Path, *, width_dots: int = 576, codec: str = "gb18030") -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    render(data, width_dots=width_dots, codec=codec).save(path, format="PNG")
    return path


def render_ops(ops: list[er.Op], *, width_dots: int = 576) -> Image.Image:
    strips: list[Image.Image] = []
    for op in ops:
        strips.extend(_strips(op, width_dots))
    height = sum(s.height for s in strips) + 2 * MARGIN
    page = Image.new("L", (width_dots + 2 * MARGIN, height), PAPER)
    y = MARGIN
    for strip in strips:
        page.paste(strip, (MARGIN, y))
        y += strip.height
    return page


def _strips(op: er.Op, width: int) -> list[Image.Image]:
    if isinstance(op, er.Text):
        return _text(op, width)
    if isinstance(op, er.Feed):
        return [Image.new("L", (width, op.lines * DEFAULT_LINE_SPACING), PAPER)] if op.lines else []
    if isinstance(op, er.Image):
        img = op.to_pil().convert("L")
        if (op.scale_x, op.scale_y) != (1, 1):
            img = img.resize((img.width * op.scale_x, img.height * op.scale_y), Image.NEAREST)
        return [_placed(img, op.align, width)]
    if isinstance(op, er.QR):
        return [_qr(op, width)]
    if isinstance(op, er.Barcode):
        return _barcode(op, width)
    if isinstance(op, er.Cut):
        return [_cut(op, width)]
    if isinstance(op, er.DrawerKick):
        return [_note(f"[drawer pin {op.pin}, {op.on_ms}/{op.off_ms} ms]", width)]
    return []  # StatusQuery: nothing on paper


# -- text ----------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def glyph_mask(ch: str, cell_w: int, cell_h: int, bold: bool) -> Image.Image:
    """Ink mask (255 = black dot) of one character filling a ``cell_w`` x ``cell_h`` cell:
    centred on its advance, baseline placed so that 中 sits in the middle of the cell,
    squeezed when the font draws it wider than the cell."""
    font = cjk_font(cell_h)
    _, top, _, bottom = font.getbbox("中", anchor="ls")
    baseline = (cell_h - (bottom - top)) // 2 - top
    if ch.isascii():  # Latin sits a little higher, so g and y keep their tails
        baseline = min(baseline, cell_h - font.getbbox("gjpqy", anchor="ls")[3])
    advance = max(1, round(font.getlength(ch)))
    tmp_w = max(advance, cell_w)
    tmp = Image.new("L", (tmp_w, cell_h), 0)
    ImageDraw.Draw(tmp).text(
        ((tmp_w - advance) / 2, baseline), ch, font=font, fill=255, anchor="ls"
    )
    if tmp_w > cell_w:
        tmp = tmp.resize((cell_w, cell_h), Image.LANCZOS)
    mask = tmp.point(lambda v: 255 if v >= 110 else 0)  # thermal dots are on or off
    if bold:  # emphasised mode: the printer strikes each dot again one dot to the right
        shifted = Image.new("L", mask.size, 0)
        shifted.paste(mask.crop((0, 0, mask.width - 1, cell_h)), (1, 0))
        mask = ImageChops.lighter(mask, shifted)
    return mask


def _draw_chars(
    strip: Image.Image,
    x: int,
    text: str,
    *,
    font: int,
    bold: bool,
    size: Callable[[str], tuple[int, int]] = lambda ch: (1, 1),
) -> int:
    """Draw ``text`` on the grid from ``x``, characters standing on the bottom of
    ``strip`` (taller ones grow upwards, as on the printer); returns the end x."""
    cell_w, cell_h = CELLS.get(font, CELLS[0])
    for ch in text:
        cols = display_width(ch)
        if cols == 0:
            continue  # combining marks: the printer has no glyph for them either
        mask = glyph_mask(ch, cell_w * cols, cell_h, bold)
        wm, hm = size(ch)
        if (wm, hm) != (1, 1):
            mask = mask.resize((mask.width * wm, mask.height * hm), Image.NEAREST)
        strip.paste(INK, (x, strip.height - mask.height), mask)
        x += mask.width
    return x


def _rows(op: er.Text, cell_w: int, width: int) -> list[str]:
    """Split the line where the printer would wrap it: at the first cell past the paper."""
    rows = [""]
    used = 0
    for ch in op.text:
        w = display_width(ch) * cell_w * op.size_of(ch)[0]
        if used + w > width and rows[-1]:
            rows.append("")
            used = 0
        rows[-1] += ch
        used += w
    return rows


def _text(op: er.Text, width: int) -> list[Image.Image]:
    cell_w, cell_h = CELLS.get(op.font, CELLS[0])
    spacing = DEFAULT_LINE_SPACING if op.line_spacing is None else op.line_spacing
    paper_cols = width // cell_w
    strips = []
    for row in _rows(op, cell_w, width):
        row_h = cell_h * max([op.size_of(ch)[1] for ch in row] or [op.height_mult])
        cols = sum(display_width(ch) * op.size_of(ch)[0] for ch in row)
        if op.align == "right":
            x = width - cols * cell_w
        elif op.align == "center":
            x = max(0, (paper_cols - cols) // 2) * cell_w
        else:
            x = 0
        glyphs = Image.new("L", (width, row_h), PAPER)
        end = _draw_chars(glyphs, x, row, font=op.font, bold=op.bold, size=op.size_of)
        if op.underline and end > x:
            ImageDraw.Draw(glyphs).rectangle((x, row_h - 2, end - 1, row_h - 1), fill=INK)
        strip = Image.new("L", (width, max(spacing, row_h)), PAPER)
        strip.paste(glyphs, (0, 0))
        strips.append(strip)
    return strips


# -- graphics ------------------------------------------------------------------------


def _placed(img: Image.Image, align: str, width: int) -> Image.Image:
    """``img`` on a paper-wide strip at ``align`` (1:1, cropped at the paper edge)."""
    strip = Image.new("L", (width, img.height), PAPER)
    if align == "center":
        x = (width - img.width) // 2
    elif align == "right":
        x = width - img.width
    else:
        x = 0
    strip.paste(img, (max(0, x), 0))
    return strip


def _qr(op: er.QR, width: int) -> Image.Image:
    code = qrcode.QRCode(version=None, error_correction=_QR_EC[op.ec], box_size=1, border=0)
    try:
        code.add_data(op.data)
        code.make(fit=True)
    except (ValueError, qrcode.exceptions.DataOverflowError):
        return _note(f"[QR too long: {len(op.data)} chars]", width)
    matrix = code.get_matrix()
    n = len(matrix)
    img = Image.new("L", (n, n), PAPER)
    img.putdata([INK if dark else PAPER for row in matrix for dark in row])
    img = img.resize((n * op.size, n * op.size), Image.NEAREST)
    return _placed(img, op.align, width)


def _barcode(op: er.Barcode, width: int) -> list[Image.Image]:
    name = _BARCODES.get(op.kind)
    try:
        if name is None:
            raise ValueError(f"no renderer for {op.kind}")
        options = {"add_checksum": False} if name == "code39" else {}
        code = pybarcode.get(name, op.data, options=options)
        modules = code.build()[0]
        hri = code.get_fullcode() if name in ("ean13", "ean8", "upca") else op.data
    except Exception as exc:  # python-barcode raises many kinds for bad data
        return [_note(f"[barcode {op.kind} {op.data!r}: {exc}]", width)]
    bars = Image.new("L", (len(modules) * op.module, max(1, op.height)), PAPER)
    draw = ImageDraw.Draw(bars)
    for i, module in enumerate(modules):
        if module != "0":
            draw.rectangle((i * op.module, 0, (i + 1) * op.module - 1, bars.height), fill=INK)
    strips = []
    if op.hri in ("above", "both"):
        strips.append(_hri(hri, op, bars.width, width))
    strips.append(_placed(bars, op.align, width))
    if op.hri in ("below", "both"):
        strips.append(_hri(hri, op, bars.width, width))
    if bars.width > width:
        strips.append(_note("[barcode wider than the paper: the printer skips it]", width))
    return strips


def _hri(text: str, op: er.Barcode, bars_w: int, width: int) -> Image.Image:
    """The human-readable line, centred under (or over) the bars."""
    cell_w, cell_h = CELLS.get(op.hri_font, CELLS[0])
    line = Image.new("L", (display_width(text) * cell_w, cell_h), PAPER)
    _draw_chars(line, 0, text, font=op.hri_font, bold=False)
    block = Image.new("L", (max(bars_w, line.width), line.height + 4), PAPER)
    block.paste(line, ((block.width - line.width) // 2, 2))
    return _placed(block, op.align, width)


# -- notes ---------------------------------------------------------------------------


def _note(text: str, width: int) -> Image.Image:
    strip = Image.new("L", (width, 20), PAPER)
    ImageDraw.Draw(strip).text((2, 2), text, font=cjk_font(14), fill=NOTE)
    return strip


def _cut(op: er.Cut, width: int) -> Image.Image:
    strip = Image.new("L", (width, 24 + op.feed), PAPER)
    draw = ImageDraw.Draw(strip)
    y = op.feed + 12
    for x in range(0, width, 12):
        draw.line((x, y, x + 6, y), fill=NOTE, width=1)
    label = "partial cut" if op.partial else "cut"
    font = cjk_font(12)
    w = round(font.getlength(label)) + 6
    draw.rectangle((width - w - 4, y - 8, width - 1, y + 8), fill=PAPER)
    draw.text((width - w, y), label, font=font, fill=NOTE, anchor="lm")
    return strip
