"""Text rendered to an image, for printers with no Chinese font.

Lines are drawn on the same column grid the printer's own font uses (12 dots
per column, 24 per line; double size for big lines), glyph by glyph, so a
raster receipt lines up exactly like a text one.
"""

from __future__ import annotations

from PIL import Image, ImageDraw

from devices.columns import cell_width, fit
from devices.config import PrinterConfig
from devices.document import TextLine
from devices.fonts import cjk_font

CELL_W = 12
LINE_H = 24


def render_lines(lines: list[TextLine], cfg: PrinterConfig) -> Image.Image:
    height = sum(LINE_H * (2 if line.big else 1) for line in lines)
    img = Image.new("1", (cfg.width_dots, max(height, 1)), 1)
    draw = ImageDraw.Draw(img)
    y = 0
    for line in lines:
        scale = 2 if line.big else 1
        font = cjk_font(LINE_H * scale - 2 * scale)
        columns = cfg.columns // scale
        text = fit(line.text, columns)
        used = sum(cell_width(ch) for ch in text)
        start = {"left": 0, "center": (columns - used) // 2, "right": columns - used}[line.align]
        x = start * CELL_W * scale
        for ch in text:
            w = cell_width(ch)
            if w and not ch.isspace():
                # centre the glyph in its cells (full-width glyphs in two)
                advance = font.getlength(ch)
                gx = x + (w * CELL_W * scale - advance) / 2
                draw.text((gx, y + scale), ch, font=font, fill=0)
                if line.bold:
                    draw.text((gx + 1, y + scale), ch, font=font, fill=0)
            x += w * CELL_W * scale
        y += LINE_H * scale
    return img
