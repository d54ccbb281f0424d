"""Documents to ESC/POS bytes for one printer's settings.

python-escpos builds the graphics commands (barcode, QR, raster images, cash
drawer, cut) from the printer's capability profile. Text is encoded here:
python-escpos 3.1 sends Chinese as GB18030 only when a string holds CJK
ideographs and never sends the Chinese-mode commands (its issues #678, #190,
#281, #491), which garbles ￥, full-width punctuation and Big5 printers. So the
codec and the ``FS &`` / ``FS .`` pair are per-printer settings, text size is
set with ``GS !`` (which enlarges Chinese glyphs too, unlike ``ESC !``), and a
printer with no Chinese font gets its text as raster images.
"""

from __future__ import annotations

import codecs
import contextlib
import io

from escpos.printer import Dummy

from devices.config import PrinterConfig
from devices.document import Barcode, Document, Feed, QRCode, Rule, TextLine

ESC_INIT = b"\x1b@"
FS_CHINESE_ON = b"\x1c&"
FS_CHINESE_OFF = b"\x1c."
ALIGN = {"left": b"\x1ba\x00", "center": b"\x1ba\x01", "right": b"\x1ba\x02"}
BOLD = {False: b"\x1bE\x00", True: b"\x1bE\x01"}
SIZE = {False: b"\x1d!\x00", True: b"\x1d!\x11"}
#: characters a printer's codec lacks, mapped to the ones it has: GB codes have the
#: full-width ￥ (A3A4), Big5 only ¥ (A244, also printed full width)
_SPACES = {"\u00a0": " ", "\u3000": "  "}
_SUBSTITUTES = {
    "gb18030": str.maketrans({"¥": "￥", **_SPACES}),
    "gbk": str.maketrans({"¥": "￥", **_SPACES}),
    "big5": str.maketrans({"￥": "¥", **_SPACES}),
}
#: control characters in a name must never reach the printer as commands
_CONTROLS = {c: " " for c in (*range(0x20), 0x7F)}


def _wide_replace(error: UnicodeError) -> tuple[str, int]:
    """A character the codec lacks becomes ``??``: the layout counted it two columns wide."""
    assert isinstance(error, UnicodeEncodeError)
    return "??" * (error.end - error.start), error.end


_WIDE_REPLACE = "pos-wide-replace"
codecs.register_error(_WIDE_REPLACE, _wide_replace)


def encode_text(text: str, cfg: PrinterConfig) -> bytes:
    """One line of text as the printer's codec wants it (unprintable characters become ?)."""
    text = text.translate(_CONTROLS)
    if cfg.codec == "none":
        return text.encode("ascii", errors="replace")
    data = text.translate(_SUBSTITUTES[cfg.codec]).encode(cfg.codec, errors=_WIDE_REPLACE)
    if cfg.chinese_mode and not text.isascii():
        return FS_CHINESE_ON + data + FS_CHINESE_OFF
    return data


def _quiet() -> contextlib.AbstractContextManager[object]:
    """python-escpos prints remarks (which barcode renderer, unknown media width) to stdout."""
    return contextlib.redirect_stdout(io.StringIO())


def _printer(cfg: PrinterConfig) -> Dummy:
    return Dummy(profile=cfg.profile)


def encode_document(doc: Document, cfg: PrinterConfig) -> bytes:
    p = _printer(cfg)
    p._raw(ESC_INIT)
    pending: list[TextLine] = []

    def flush_raster() -> None:
        if pending:
            from devices.raster import render_lines

            p._raw(ALIGN["left"])
            with _quiet():
                p.image(render_lines(pending, cfg), impl="bitImageRaster", center=False)
            pending.clear()

    for block in doc.blocks:
        if isinstance(block, Rule):
            block = TextLine(block.char * cfg.columns)
        if isinstance(block, TextLine):
            if cfg.raster:
                pending.append(block)
                continue
            p._raw(ALIGN[block.align] + BOLD[block.bold] + SIZE[block.big])
            p._raw(encode_text(block.text, cfg) + b"\n")
            continue
        flush_raster()
        p._raw(SIZE[False] + BOLD[False])
        if isinstance(block, Barcode):
            p._raw(ALIGN["center"])
            with _quiet():
                p.barcode(
                    "{B" + block.data,
                    "CODE128",
                    height=64,
                    width=2,
                    pos="BELOW",
                    font="A",
                    function_type="B",
                    check=False,
                )
            p._raw(b"\n" + ALIGN["left"])
        elif isinstance(block, QRCode):
            native = p.profile.supports("qrCode")
            p._raw(ALIGN["center"])
            with _quiet():
                p.qr(block.data, size=6, native=native, center=not native)
            p._raw(ALIGN["left"])
        elif isinstance(block, Feed):
            p._raw(b"\n" * block.lines)
    flush_raster()
    p._raw(ALIGN["left"] + BOLD[False] + SIZE[False])
    if doc.cut:
        p.cut()
    return bytes(p.output)


def drawer_kick(cfg: PrinterConfig) -> bytes:
    """ESC p for the drawer on pin 2 or 5 (a job on its own, so it can expire)."""
    p = _printer(cfg)
    p.cashdraw(cfg.drawer_pin)
    return bytes(p.output)
