"""Text rendered to an image, for printers with no Chinese font.

Lines are drawn on the same column grid the printer's own font uses (12 dots
per column, 24 per line plus spacing; double size for big lines), glyph by
glyph with the preview's glyphs, so a raster receipt lines up exactly like a
text one and looks like its preview.
"""

from __future__ import annotations

from PIL import Image

from devices.columns import cell_width, fit
from devices.config import PrinterConfig
from devices.document import TextLine
from devices.preview import glyph_mask

CELL_W = 12
CELL_H = 24
#: dots between lines (the printer's default line spacing is 30 dots for 24-dot text)
GAP = 6


def render_lines(lines: list[TextLine], cfg: PrinterConfig) -> Image.Image:
    """One 1-bit image of ``lines`` across the paper's printable width."""
    height = sum((CELL_H + GAP) * (2 if line.big else 1) for line in lines)
    img = Image.new("1", (cfg.width_dots, max(height, 1)), 1)
    y = 0
    for line in lines:
        scale = 2 if line.big else 1
        columns = cfg.columns // scale
        text = fit(line.text, columns)
        used = sum(cell_width(ch) for ch in text)
        start = {"left": 0, "center": (columns - used) // 2, "right": columns - used}[line.align]
        x = start * CELL_W * scale
        for ch in text:
            cells = cell_width(ch)
            if cells and not ch.isspace():
                mask = glyph_mask(ch, CELL_W * cells, CELL_H, line.bold)
                if scale != 1:
                    mask = mask.resize((mask.width * scale, mask.height * scale), Image.NEAREST)
                img.paste(0, (x, y + GAP * scale // 2), mask)
            x += cells * CELL_W * scale
        y += (CELL_H + GAP) * scale
    return img
