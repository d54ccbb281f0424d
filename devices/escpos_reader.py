"""A small ESC/POS interpreter: the bytes sent to a receipt printer, back as a list of ops.

Tests use it to check what a printer would do with our bytes, and ``devices.preview``
draws the ops as a picture of the receipt. It is strict on purpose: a command it does
not know (or a truncated one) raises :class:`EscposParseError` naming the byte offset,
so wrong bytes are noticed instead of silently skipped.

Simplifications (documented, so tests do not rely on more):

* Text attributes are per line: a :class:`Text` carries the attributes in force when
  the line is printed (LF, ESC d, a cut, an image ...), not per character. A bare LF
  prints an empty line, which is a ``Text("")`` (no separate "feed one line" op).
* GS ! sizes all characters, ESC ! only half-width ones and FS ! / FS W only wide
  (Chinese) ones, as on a Chinese printer: ``width_mult``/``height_mult`` are the size of
  half-width characters, ``wide_width_mult``/``wide_height_mult`` that of the line's
  wide characters when it differs (else None). Chinese underline (FS -) underlines the
  whole line when it holds wide characters.
* Bytes >= 0x80 are decoded with ``codec`` (the printer's Chinese code, GB18030 by
  default), as a Chinese printer does out of the box. Only after an explicit FS . does
  the ESC t code page decide (cp437 for page 0 and a few other common pages).
* Images, QR codes and barcodes first print pending text as its own line.
* ESC @ discards text not yet printed, like the printer clears its buffer.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pos_app.textwidth import display_width

if TYPE_CHECKING:
    from PIL import Image as PILImage

NUL, HT, LF, FF, CR = 0x00, 0x09, 0x0A, 0x0C, 0x0D
DLE, EOT, ENQ, DC4 = 0x10, 0x04, 0x05, 0x14
ESC, FS, GS = 0x1B, 0x1C, 0x1D

ALIGNS = {0: "left", 1: "center", 2: "right", 48: "left", 49: "center", 50: "right"}
QR_EC = {48: "L", 49: "M", 50: "Q", 51: "H"}
#: barcode systems of GS k, both function A (m 0-6) and B (m 65-79); python-escpos names
BARCODE_KINDS = {
    0: "UPC-A",
    1: "UPC-E",
    2: "EAN13",
    3: "EAN8",
    4: "CODE39",
    5: "ITF",
    6: "NW7",
    65: "UPC-A",
    66: "UPC-E",
    67: "EAN13",
    68: "EAN8",
    69: "CODE39",
    70: "ITF",
    71: "NW7",
    72: "CODE93",
    73: "CODE128",
    74: "GS1-128",
    75: "GS1 DATABAR OMNIDIRECTIONAL",
    76: "GS1 DATABAR TRUNCATED",
    77: "GS1 DATABAR LIMITED",
    78: "GS1 DATABAR EXPANDED",
    79: "CODE128",  # automatic code-set selection: plain data, no {A/{B/{C
}
HRI_POSITIONS = {0: "none", 1: "above", 2: "below", 3: "both"}
#: ESC t pages used when Chinese mode is off (FS .); others fall back to ``codec``
CODE_PAGES = {
    0: "cp437",
    2: "cp850",
    3: "cp860",
    4: "cp863",
    5: "cp865",
    16: "cp1252",
    17: "cp866",
    18: "cp852",
    19: "cp858",
}
#: ESC commands whose parameters are fixed-length and change nothing we model:
#: command byte -> number of parameter bytes
_ESC_IGNORED = {
    ord("R"): 1,  # international character set
    ord("{"): 1,  # upside-down printing
    ord("V"): 1,  # 90 degree rotation
    ord("r"): 1,  # colour
    ord("="): 1,  # select peripheral (printer / line display)
    ord(" "): 1,  # right-side character spacing
    ord("?"): 1,  # cancel user-defined character
    ord("%"): 1,  # user-defined character set on/off
    ord("U"): 1,  # unidirectional printing
    ord("c"): 2,  # ESC c 0/1/3/4/5 n: paper sensors, panel buttons, slip/roll
    ord("B"): 2,  # buzzer (Chinese printers): times, duration
}
_GS_IGNORED = {
    ord("B"): 1,  # white/black reverse
    ord("b"): 1,  # smoothing
    ord("|"): 1,  # print density
    ord("a"): 1,  # automatic status back
    ord("P"): 2,  # motion units
    ord("L"): 2,  # left margin
    ord("W"): 2,  # print area width
}
_FS_IGNORED = {
    ord("C"): 1,  # Chinese code system
    ord("S"): 2,  # Chinese character spacing
}


class EscposParseError(ValueError):
    """Bytes the interpreter does not understand (unknown, invalid or truncated command)."""

    def __init__(self, reason: str, offset: int, chunk: bytes) -> None:
        super().__init__(f"{reason} at byte offset {offset}: {chunk.hex(' ')}")
        self.reason = reason
        self.offset = offset
        self.chunk = chunk


@dataclass(frozen=True)
class Text:
    """One printed line (without its LF) and the attributes it was printed with."""

    text: str
    align: str = "left"
    bold: bool = False
    width_mult: int = 1
    height_mult: int = 1
    underline: bool = False
    font: int = 0  # 0 = font A (12x24), 1 = font B (9x17)
    line_spacing: int | None = None  # ESC 3 n dots; None = printer default (ESC 2)
    wide_width_mult: int | None = None  # wide characters' size when not width_mult
    wide_height_mult: int | None = None

    def size_of(self, ch: str) -> tuple[int, int]:
        """(width, height) multipliers ``ch`` is printed with."""
        if display_width(ch) == 2:
            return (
                self.wide_width_mult or self.width_mult,
                self.wide_height_mult or self.height_mult,
            )
        return self.width_mult, self.height_mult


@dataclass(frozen=True)
class Feed:
    """ESC d n: print and feed ``lines`` lines."""

    lines: int


@dataclass(frozen=True)
class Cut:
    partial: bool
    feed: int = 0  # GS V 65/66 n: feed n dots before cutting


@dataclass(frozen=True)
class DrawerKick:
    pin: int  # 2 or 5
    on_ms: int
    off_ms: int


@dataclass(frozen=True)
class QR:
    data: str
    size: int = 3  # module size in dots (GS ( k function 167)
    ec: str = "L"
    model: int = 2
    align: str = "left"


@dataclass(frozen=True)
class Barcode:
    kind: str  # python-escpos names: "CODE128", "EAN13", ...
    data: str  # what the bars encode (Code128 code-set prefixes decoded)
    height: int = 162  # GS h, dots
    module: int = 3  # GS w, dots per narrow bar
    hri: str = "none"  # GS H: human-readable text "none", "above", "below", "both"
    hri_font: int = 0  # GS f
    align: str = "left"


@dataclass(frozen=True)
class Image:
    """A bit image; ``pixels`` is raster format: rows of ceil(width/8) bytes, MSB first,
    a set bit is a black dot. ``scale_x``/``scale_y`` are the printer's dot doubling."""

    width: int
    height: int
    pixels: bytes = field(repr=False)
    align: str = "left"
    scale_x: int = 1
    scale_y: int = 1

    def black(self, x: int, y: int) -> bool:
        row = (self.width + 7) // 8
        return bool(self.pixels[y * row + x // 8] & (0x80 >> (x % 8)))

    def to_pil(self) -> PILImage.Image:
        """The image unscaled, mode "1" (black = 0, like any Pillow bilevel image)."""
        from PIL import Image as PILImage  # lazily: parsing itself needs no Pillow

        return PILImage.frombytes("1", (self.width, self.height), self.pixels, "raw", "1;I")


@dataclass(frozen=True)
class StatusQuery:
    """DLE EOT n: real-time status request (1 printer, 2 offline cause, 3 error, 4 paper)."""

    n: int


Op = Text | Feed | Cut | DrawerKick | QR | Barcode | Image | StatusQuery


@dataclass
class _State:
    """Print modes that shape the next Text (everything ESC @ resets)."""

    align: str = "left"
    bold: bool = False
    double_strike: bool = False
    underline: bool = False
    font: int = 0
    width: int = 1
    height: int = 1
    kanji_width: int = 1
    kanji_height: int = 1
    kanji_underline: bool = False
    chinese: bool | None = None  # None: the printer's default (Chinese mode on)
    code_page: int = 0
    line_spacing: int | None = None
    tabs: tuple[int, ...] | None = None  # ESC D columns; None = every 8 columns
    bc_height: int = 162
    bc_module: int = 3
    bc_hri: str = "none"
    bc_font: int = 0


def parse(data: bytes, *, codec: str = "gb18030") -> list[Op]:
    """The ops a printer would perform for ``data``; raises EscposParseError on bytes
    it does not understand."""
    codecs.lookup(codec)  # a wrong codec name is a programming error: LookupError now
    return _Reader(bytes(data), codec).run()


def receipt_text(ops: list[Op]) -> str:
    """The printed lines joined with "\\n" (for assertions)."""
    return "\n".join(op.text for op in ops if isinstance(op, Text))


class _Reader:
    def __init__(self, data: bytes, codec: str) -> None:
        self.data = data
        self.codec = codec
        self.pos = 0
        self.ops: list[Op] = []
        self.st = _State()
        self.segments: list[tuple[str, bytearray]] = []  # (encoding, bytes) of the line
        self.image_in_line = False  # ESC * bands end with an LF that prints no text line
        self.qr = _QRStore()
        self.graphics: tuple[int, int, bytes, int, int] | None = None  # GS ( L store

    # -- helpers ---------------------------------------------------------------------

    def fail(self, reason: str, start: int, length: int = 8) -> EscposParseError:
        return EscposParseError(reason, start, self.data[start : start + length])

    def take(self, start: int, n: int) -> bytes:
        """``n`` bytes from ``self.pos`` (advancing), or a truncated-command error."""
        if self.pos + n > len(self.data):
            raise self.fail("truncated command", start)
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def byte(self, start: int) -> int:
        return self.take(start, 1)[0]

    def encoding(self) -> str:
        if self.st.chinese is False:
            return CODE_PAGES.get(self.st.code_page, self.codec)
        return self.codec

    def add_text(self, raw: bytes) -> None:
        enc = self.encoding()
        if self.segments and self.segments[-1][0] == enc:
            self.segments[-1][1].extend(raw)
        else:
            self.segments.append((enc, bytearray(raw)))

    def pending(self) -> str:
        return "".join(bytes(raw).decode(enc, errors="replace") for enc, raw in self.segments)

    def flush(self, *, force: bool) -> None:
        """Print the pending line; ``force`` (LF) prints even an empty one."""
        if not self.segments and not force:
            return
        if not self.segments and self.image_in_line:
            self.image_in_line = False
            return
        text = self.pending()
        self.segments = []
        self.image_in_line = False
        st = self.st
        wide = any(display_width(ch) == 2 for ch in text)
        self.ops.append(
            Text(
                text=text,
                align=st.align,
                bold=st.bold or st.double_strike,
                width_mult=st.width,
                height_mult=st.height,
                underline=st.underline or (wide and st.kanji_underline),
                font=st.font,
                line_spacing=st.line_spacing,
                wide_width_mult=st.kanji_width if wide and st.kanji_width != st.width else None,
                wide_height_mult=(
                    st.kanji_height if wide and st.kanji_height != st.height else None
                ),
            )
        )

    def emit(self, op: Op) -> None:
        self.flush(force=False)
        self.ops.append(op)

    # -- main loop -------------------------------------------------------------------

    def run(self) -> list[Op]:
        data, n = self.data, len(self.data)
        while self.pos < n:
            start = self.pos
            b = data[start]
            if b >= 0x20:
                end = start + 1
                while end < n and data[end] >= 0x20:
                    end += 1
                self.add_text(data[start:end])
                self.pos = end
                continue
            self.pos += 1
            if b in (LF, FF):
                self.flush(force=True)
            elif b in (NUL, CR):
                pass
            elif b == HT:
                self.tab()
            elif b == ESC:
                self.esc(start)
            elif b == GS:
                self.gs(start)
            elif b == FS:
                self.fs(start)
            elif b == DLE:
                self.dle(start)
            else:
                raise self.fail("unexpected control byte", start, 1)
        self.flush(force=False)
        return self.ops

    def tab(self) -> None:
        col = display_width(self.pending())
        stops = self.st.tabs if self.st.tabs is not None else range(8, 256, 8)
        nxt = next((s for s in stops if s > col), None)
        if nxt is not None:  # no further tab stop: the printer ignores HT
            self.add_text(b" " * (nxt - col))

    # -- ESC -------------------------------------------------------------------------

    def esc(self, start: int) -> None:
        st = self.st
        cmd = self.byte(start)
        if cmd == ord("@"):
            self.segments = []
            self.image_in_line = False
            self.st = _State()
            self.qr = _QRStore()
            self.graphics = None
        elif cmd == ord("a"):
            n = self.byte(start)
            if n not in ALIGNS:
                raise self.fail("invalid ESC a alignment", start, 3)
            st.align = ALIGNS[n]
        elif cmd == ord("E"):
            st.bold = bool(self.byte(start) & 1)
        elif cmd == ord("G"):
            st.double_strike = bool(self.byte(start) & 1)
        elif cmd == ord("-"):
            st.underline = bool(self.byte(start) & 3)
        elif cmd == ord("!"):
            n = self.byte(start)
            st.font = n & 1
            st.bold = bool(n & 0x08)
            st.height = 2 if n & 0x10 else 1
            st.width = 2 if n & 0x20 else 1
            st.underline = bool(n & 0x80)
        elif cmd == ord("M"):
            n = self.byte(start)
            st.font = n - 48 if n >= 48 else n
        elif cmd == ord("t"):
            st.code_page = self.byte(start)
        elif cmd == ord("2"):
            st.line_spacing = None
        elif cmd == ord("3"):
            st.line_spacing = self.byte(start)
        elif cmd == ord("d"):
            lines = self.byte(start)
            self.flush(force=False)
            self.ops.append(Feed(lines))
        elif cmd == ord("p"):
            m, t1, t2 = self.take(start, 3)
            if m not in (0, 1, 48, 49):
                raise self.fail("invalid ESC p drawer pin", start, 5)
            self.emit(DrawerKick(pin=2 if m in (0, 48) else 5, on_ms=t1 * 2, off_ms=t2 * 2))
        elif cmd == ord("D"):
            stops: list[int] = []
            while (n := self.byte(start)) != NUL:
                stops.append(n)
                if len(stops) > 32:
                    raise self.fail("ESC D with more than 32 tab stops", start)
            st.tabs = tuple(stops)
        elif cmd == ord("*"):
            self.column_image(start)
        elif cmd in (ord("i"), ord("m")):  # obsolete one-byte cuts
            self.emit(Cut(partial=cmd == ord("m")))
        elif cmd in _ESC_IGNORED:
            self.take(start, _ESC_IGNORED[cmd])
        else:
            raise self.fail("unknown ESC command", start, 4)

    def column_image(self, start: int) -> None:
        """ESC * m nL nH d...: one band of a column-format bit image."""
        m, nl, nh = self.take(start, 3)
        modes = {0: (1, 2, 3), 1: (1, 1, 3), 32: (3, 2, 1), 33: (3, 1, 1)}
        if m not in modes:
            raise self.fail("invalid ESC * mode", start, 5)
        per_col, sx, sy = modes[m]
        cols = nl + nh * 256
        raw = self.take(start, cols * per_col)
        rows = per_col * 8
        pixels = bytearray(((cols + 7) // 8) * rows)
        row_bytes = (cols + 7) // 8
        for x in range(cols):
            for j in range(per_col):
                byte = raw[x * per_col + j]
                for bit in range(8):
                    if byte & (0x80 >> bit):
                        pixels[(j * 8 + bit) * row_bytes + x // 8] |= 0x80 >> (x % 8)
        self.emit(Image(cols, rows, bytes(pixels), self.st.align, sx, sy))
        self.image_in_line = True

    # -- GS --------------------------------------------------------------------------

    def gs(self, start: int) -> None:
        st = self.st
        cmd = self.byte(start)
        if cmd == ord("!"):
            n = self.byte(start)
            if n & 0x88:
                raise self.fail("invalid GS ! size", start, 3)
            st.width = st.kanji_width = (n >> 4) + 1
            st.height = st.kanji_height = (n & 0x0F) + 1
        elif cmd == ord("V"):
            m = self.byte(start)
            if m in (0, 48, 1, 49):
                self.emit(Cut(partial=m in (1, 49)))
            elif m in (65, 66):
                self.emit(Cut(partial=m == 66, feed=self.byte(start)))
            else:
                raise self.fail("unknown GS V cut mode", start, 4)
        elif cmd == ord("h"):
            st.bc_height = self.byte(start)
        elif cmd == ord("w"):
            st.bc_module = self.byte(start)
        elif cmd == ord("H"):
            n = self.byte(start)
            st.bc_hri = HRI_POSITIONS.get(n - 48 if n >= 48 else n, "none")
        elif cmd == ord("f"):
            n = self.byte(start)
            st.bc_font = n - 48 if n >= 48 else n
        elif cmd == ord("k"):
            self.barcode(start)
        elif cmd == ord("v"):
            self.raster_image(start)
        elif cmd == ord("("):
            sub = self.byte(start)
            lo, hi = self.take(start, 2)
            payload = self.take(start, lo + hi * 256)
            if sub == ord("k"):
                self.code_2d(start, payload)
            elif sub == ord("L"):
                self.graphics_cmd(start, payload)
            else:
                raise self.fail("unknown GS ( command", start)
        elif cmd == ord("8"):
            if self.byte(start) != ord("L"):
                raise self.fail("unknown GS 8 command", start)
            p = self.take(start, 4)
            self.graphics_cmd(start, self.take(start, int.from_bytes(p, "little")))
        elif cmd in _GS_IGNORED:
            self.take(start, _GS_IGNORED[cmd])
        else:
            raise self.fail("unknown GS command", start, 4)

    def barcode(self, start: int) -> None:
        m = self.byte(start)
        if m not in BARCODE_KINDS:
            raise self.fail("unknown GS k barcode system", start, 4)
        if m < 65:
            end = self.data.find(b"\x00", self.pos)
            if end < 0:
                raise self.fail("GS k data without NUL terminator", start)
            raw = self.take(start, end - self.pos)
            self.pos += 1  # the NUL
        else:
            raw = self.take(start, self.byte(start))
        if not raw:
            raise self.fail("GS k without data", start)
        if m == 73 or (m == 74 and raw[:1] == b"{"):
            text = _decode_code128(raw, lambda why: self.fail(why, start, 4 + len(raw)))
        else:
            text = raw.decode("ascii", errors="replace")
        st = self.st
        self.emit(
            Barcode(
                kind=BARCODE_KINDS[m],
                data=text,
                height=st.bc_height,
                module=st.bc_module,
                hri=st.bc_hri,
                hri_font=st.bc_font,
                align=st.align,
            )
        )

    def raster_image(self, start: int) -> None:
        """GS v 0 m xL xH yL yH d...: raster bit image, x in bytes, y in dots."""
        if self.byte(start) != ord("0"):
            raise self.fail("unknown GS v command", start)
        m, xl, xh, yl, yh = self.take(start, 5)
        scales = {0: (1, 1), 1: (2, 1), 2: (1, 2), 3: (2, 2)}
        mode = m - 48 if m >= 48 else m
        if mode not in scales:
            raise self.fail("invalid GS v 0 mode", start)
        width_bytes, height = xl + xh * 256, yl + yh * 256
        pixels = self.take(start, width_bytes * height)
        sx, sy = scales[mode]
        self.emit(Image(width_bytes * 8, height, pixels, self.st.align, sx, sy))

    def code_2d(self, start: int, payload: bytes) -> None:
        """GS ( k: only QR (cn 49); functions 165/167/169/180/181/182 of the manual."""
        if len(payload) < 2:
            raise self.fail("GS ( k too short", start)
        cn, fn, params = payload[0], payload[1], payload[2:]
        if cn != 49:
            raise self.fail("unsupported 2D code (only QR)", start)
        qr = self.qr
        if fn == 65:  # model
            if len(params) != 2 or params[0] not in (49, 50, 51):
                raise self.fail("invalid QR model", start)
            qr.model = params[0] - 48
        elif fn == 67:  # module size
            if len(params) != 1 or not 1 <= params[0] <= 16:
                raise self.fail("invalid QR module size", start)
            qr.size = params[0]
        elif fn == 69:  # error correction
            if len(params) != 1 or params[0] not in QR_EC:
                raise self.fail("invalid QR error correction", start)
            qr.ec = QR_EC[params[0]]
        elif fn == 80:  # store
            if params[:1] != b"0":
                raise self.fail("invalid QR store", start)
            qr.data = params[1:]
        elif fn == 81:  # print
            if qr.data is None:
                raise self.fail("QR print with no stored data", start)
            try:
                text = qr.data.decode("utf-8")
            except UnicodeDecodeError:
                text = qr.data.decode(self.codec, errors="replace")
            self.emit(QR(text, qr.size, qr.ec, qr.model, self.st.align))
        elif fn != 82:  # 82: transmit size information; nothing printed
            raise self.fail("unknown QR function", start)

    def graphics_cmd(self, start: int, payload: bytes) -> None:
        """GS ( L / GS 8 L: store raster graphics (fn 112) and print them (fn 50)."""
        if len(payload) < 2 or payload[0] != 48:
            raise self.fail("invalid GS ( L graphics command", start)
        fn = payload[1]
        if fn == 112:
            if len(payload) < 10:
                raise self.fail("GS ( L store too short", start)
            tone, bx, by, color = payload[2:6]
            width = payload[6] + payload[7] * 256
            height = payload[8] + payload[9] * 256
            pixels = payload[10:]
            if tone != 48 or bx not in (1, 2) or by not in (1, 2) or color != 49:
                raise self.fail("unsupported GS ( L graphics format", start, 16)
            if len(pixels) != ((width + 7) // 8) * height:
                raise self.fail("GS ( L graphics size does not match its data", start, 16)
            self.graphics = (width, height, pixels, bx, by)
        elif fn == 50:
            if self.graphics is None:
                raise self.fail("GS ( L print with no stored graphics", start)
            width, height, pixels, bx, by = self.graphics
            self.emit(Image(width, height, pixels, self.st.align, bx, by))
        else:
            raise self.fail("unsupported GS ( L function", start)

    # -- FS and DLE ------------------------------------------------------------------

    def fs(self, start: int) -> None:
        st = self.st
        cmd = self.byte(start)
        if cmd == ord("&"):
            st.chinese = True
        elif cmd == ord("."):
            st.chinese = False
        elif cmd == ord("!"):
            n = self.byte(start)
            st.kanji_width = 2 if n & 0x04 else 1
            st.kanji_height = 2 if n & 0x08 else 1
            st.kanji_underline = bool(n & 0x80)
        elif cmd == ord("-"):
            st.kanji_underline = bool(self.byte(start) & 3)
        elif cmd == ord("W"):
            quad = bool(self.byte(start) & 1)
            st.kanji_width = st.kanji_height = 2 if quad else 1
        elif cmd in _FS_IGNORED:
            self.take(start, _FS_IGNORED[cmd])
        else:
            raise self.fail("unknown FS command", start, 4)

    def dle(self, start: int) -> None:
        cmd = self.byte(start)
        if cmd == EOT:
            n = self.byte(start)
            if not 1 <= n <= 4:
                raise self.fail("unsupported DLE EOT status", start, 3)
            self.ops.append(StatusQuery(n))  # real-time: does not print the pending line
        elif cmd == ENQ:
            self.byte(start)  # real-time request to recover; nothing printed
        elif cmd == DC4:
            fn = self.byte(start)
            if fn != 1:
                raise self.fail("unsupported DLE DC4 function", start, 5)
            m, t = self.take(start, 2)
            if m not in (0, 1) or not 1 <= t <= 8:
                raise self.fail("invalid DLE DC4 pulse", start, 5)
            self.ops.append(DrawerKick(pin=2 if m == 0 else 5, on_ms=t * 100, off_ms=t * 100))
        else:
            raise self.fail("unknown DLE command", start, 3)


@dataclass
class _QRStore:
    model: int = 2
    size: int = 3
    ec: str = "L"
    data: bytes | None = None


def _decode_code128(raw: bytes, fail: Callable[[str], EscposParseError]) -> str:
    """The characters a GS k 73 Code128 encodes: ``{A``/``{B``/``{C`` pick the code set,
    in set C each byte 0-99 is a pair of digits, ``{S`` shifts one character, ``{1``-``{4``
    are function codes (not printed), ``{{`` is a literal brace."""
    out: list[str] = []
    code_set = ""
    i = 0
    while i < len(raw):
        b = raw[i]
        if b == 0x7B:  # "{"
            if i + 1 >= len(raw):
                raise fail("Code128 data ends inside a { sequence")
            c = chr(raw[i + 1])
            i += 2
            if c in "ABC":
                code_set = c
            elif c == "{":
                out.append("{")
            elif c == "S":
                if i >= len(raw):
                    raise fail("Code128 shift without a character")
                out.append(chr(raw[i]))
                i += 1
            elif c not in "1234":
                raise fail("invalid Code128 { sequence")
            continue
        if not code_set:
            raise fail("Code128 data must start with a code set ({A, {B or {C)")
        if code_set == "C":
            if b > 99:
                raise fail("Code128 set C value above 99")
            out.append(f"{b:02d}")
        elif b > 0x7F:
            raise fail("Code128 byte above 0x7F")
        else:
            out.append(chr(b))
        i += 1
    return "".join(out)
