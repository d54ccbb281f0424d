"""Customer pole display: 2 lines of 20 columns on a serial port (ESC/POS, Epson DM-D style).

Every screen is written as two full 20-column lines at fixed cursor positions,
so nothing scrolls and no stale characters stay behind. Without a ``codec`` the
display is treated as ASCII-only; with one (``gb18030``, ``gbk``, ``big5``)
Chinese text is sent in that encoding and takes two columns per character.

The display is a courtesy to the customer: an unplugged or hung display is
logged and retried on the next call, and never raises into the checkout.
"""

from __future__ import annotations

import codecs
import logging
import threading
import unicodedata

import serial

from pos_app.money import format_fen
from pos_app.textwidth import display_width, pad

log = logging.getLogger("devices.pole_display")

WIDTH = 20
#: ESC @ initialize, US MD1 overwrite mode (no scrolling at the last column),
#: US C 0 cursor off, CLR clear screen
INIT = b"\x1b@" + b"\x1f\x01" + b"\x1f\x43\x00" + b"\x0c"
CLEAR = b"\x0c"
WRITE_TIMEOUT = 0.5
MAX_BAUDRATE = 4_000_000

LABELS: dict[str, dict[str, str]] = {
    "en": {"welcome": "Welcome", "total": "TOTAL", "points": "POINTS", "change": "CHANGE"},
    "zh_CN": {"welcome": "欢迎光临", "total": "合计", "points": "积分", "change": "找零"},
}
#: an item name with nothing the display can show
ITEM_FALLBACK = {"en": "Item", "zh_CN": "商品"}

# symbols with no ASCII decomposition that still have an obvious ASCII look-alike
_ASCII_LOOKALIKES = str.maketrans(
    {
        "×": "x",
        "·": ".",
        "•": "*",
        "–": "-",
        "—": "-",
        "‘": "'",
        "’": "'",
        "“": '"',
        "”": '"',
        "¥": "Y",
        "￥": "Y",
        "€": "E",
        "…": "...",
    }
)


def goto(column: int, row: int) -> bytes:
    """US $ x y: move the cursor to ``column`` (1..20) on ``row`` (1..2)."""
    return bytes((0x1F, 0x24, column, row))


def _check_codec(codec: str | None) -> str | None:
    if codec is None:
        return None
    try:
        name = codecs.lookup(codec).name
    except (LookupError, TypeError):
        raise ValueError(f"unknown display codec {codec!r} (e.g. gb18030, gbk, big5)") from None
    if "A1 ".encode(name, errors="replace") != b"A1 ":
        raise ValueError(f"display codec {codec!r} is not ASCII-compatible")
    return name


def _ascii_lookalike(ch: str) -> str:
    decomposed = unicodedata.normalize("NFKD", ch.translate(_ASCII_LOOKALIKES))
    return "".join(c for c in decomposed if " " <= c <= "~")


def displayable(text: str, codec: str | None = None) -> str:
    """``text`` reduced to what the display can show.

    Control characters become spaces (an ESC in an item name must not reach the
    display as a command). Without ``codec`` only printable ASCII stays; accented
    and full-width letters become their ASCII look-alikes, other characters go.
    With ``codec`` a character stays when it encodes to as many bytes as the
    columns it takes (one-byte ASCII, two-byte CJK), so counting columns and
    counting bytes on the display agree; anything else gets the ASCII treatment.
    """
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", text):
        if " " <= ch <= "~":
            out.append(ch)
            continue
        category = unicodedata.category(ch)
        if category == "Cc" or category in ("Zl", "Zp"):
            out.append(" ")
            continue
        if category[0] == "C":
            continue  # format, private-use and unassigned characters show nothing
        if codec is not None:
            try:
                encoded = ch.encode(codec)
            except UnicodeEncodeError:
                encoded = b""
            if encoded and len(encoded) == display_width(ch) == 2:
                out.append(ch)
                continue
        out.append(_ascii_lookalike(ch))
    return "".join(out)


def truncate(text: str, width: int) -> str:
    """The longest start of ``text`` within ``width`` columns (a wide char is never split)."""
    out: list[str] = []
    used = 0
    for ch in text:
        w = display_width(ch)
        if used + w > width:
            break
        out.append(ch)
        used += w
    return "".join(out)


def fit(text: str, width: int = WIDTH) -> str:
    """``text`` cut and padded to exactly ``width`` columns."""
    return pad(truncate(text, width), width)


def center(text: str, width: int = WIDTH) -> str:
    text = truncate(text, width)
    return fit(" " * ((width - display_width(text)) // 2) + text, width)


def columns(left: str, right: str, width: int = WIDTH) -> str:
    """``left`` and ``right`` on one line, ``right`` flush right; ``left`` gives way."""
    right = truncate(right, width)
    room = width - display_width(right) - 1
    left = truncate(left, room) if room > 0 else ""
    return pad(left, width - display_width(right)) + right


def render(lines: tuple[str, str], codec: str | None = None) -> bytes:
    """Bytes that show ``lines`` on the display: each line placed at column 1, 20 columns."""
    name = _check_codec(codec) or "ascii"
    out = bytearray()
    for row, line in enumerate(lines[:2], start=1):
        out += goto(1, row)
        out += fit(displayable(line, codec), WIDTH).encode(name)
    return bytes(out)


class PoleDisplay:
    """A 2x20 customer display; every method is safe to call with the display unplugged."""

    def __init__(
        self,
        url: str,
        baudrate: int = 9600,
        codec: str | None = None,
        language: str = "en",
        *,
        write_timeout: float = WRITE_TIMEOUT,
    ) -> None:
        """``url``: a device path or any ``serial.serial_for_url`` URL. The port opens on
        the first call, not here. Raises ValueError for a bad configuration only."""
        if not isinstance(url, str) or not url.strip():
            raise ValueError("display port is empty; give a device path or a pyserial URL")
        if isinstance(baudrate, bool) or not isinstance(baudrate, int):
            raise ValueError(f"display baudrate must be a whole number, got {baudrate!r}")
        if not 0 < baudrate <= MAX_BAUDRATE:
            raise ValueError(f"display baudrate {baudrate} is out of range (1..{MAX_BAUDRATE})")
        if language not in LABELS:
            raise ValueError(
                f"unknown display language {language!r}; use one of {', '.join(LABELS)}"
            )
        if not write_timeout > 0:
            raise ValueError("write_timeout must be positive")
        self.url = url.strip()
        self.baudrate = baudrate
        self.codec = _check_codec(codec)
        # Chinese words only where the display has a Chinese font (a codec) that shows them
        # all: a Big5 display cannot show 欢 or 计, and half-translated screens look broken
        words = LABELS[language]
        if self.codec is None or any(displayable(w, self.codec) != w for w in words.values()):
            language = "en"
        self.language = language
        self.labels = dict(LABELS[language])
        self._item_fallback = ITEM_FALLBACK[self.language]
        self._write_timeout = write_timeout
        self._port: serial.SerialBase | None = None
        self._lock = threading.Lock()
        self._closed = False
        self._failing = False
        #: the two lines of the last screen shown (or meant to be shown, if unplugged)
        self.lines: tuple[str, str] = ("", "")

    # -- screens -------------------------------------------------------------------------

    def welcome(self, text: str | None = None) -> None:
        """The idle screen: ``text`` (a newline splits it over both lines) or "Welcome"."""
        first, _, second = (text or self.labels["welcome"]).partition("\n")
        self._show(center(self._clean(first)), center(self._clean(second)))

    def line_added(self, name: str, qty: int, amount_fen: int) -> None:
        """The item just scanned: its name, then "qty x" and the line amount."""
        _check_int(qty, "qty")
        _check_int(amount_fen, "amount_fen")
        shown = self._clean(name)
        if not any(ch.isalnum() for ch in shown):
            shown = self._item_fallback
        self._show(fit(shown), columns(f"{qty} x", format_fen(amount_fen)))

    def total(self, total_fen: int, points: int | None = None) -> None:
        """Amount due, and the points this sale earns when given."""
        _check_int(total_fen, "total_fen")
        second = ""
        if points is not None:
            _check_int(points, "points")
            second = columns(self.labels["points"], str(points))
        self._show(columns(self.labels["total"], format_fen(total_fen)), fit(second))

    def change(self, change_fen: int) -> None:
        _check_int(change_fen, "change_fen")
        self._show(columns(self.labels["change"], format_fen(change_fen)), fit(""))

    def clear(self) -> None:
        self.lines = ("", "")
        self._send(CLEAR)

    def close(self) -> None:
        """Release the port; later calls do nothing."""
        with self._lock:
            self._closed = True
            self._drop_port()

    # -- port ----------------------------------------------------------------------------

    def _clean(self, text: str) -> str:
        return " ".join(displayable(text, self.codec).split())

    def _show(self, first: str, second: str) -> None:
        self.lines = (first, second)
        self._send(render(self.lines, self.codec))

    def _send(self, payload: bytes) -> bool:
        """Write ``payload``; False (logged) when the display is not there.

        At most one open attempt per call: a port left over from before an
        unplug fails on write, and is reopened once right away so the first
        screen after a replug is not lost. A write timeout is not retried, to
        keep the caller's wait bounded.
        """
        with self._lock:
            if self._closed:
                return False
            if self._port is None:
                return self._open() and self._write(payload)
            try:
                self._write_or_raise(payload)
            except serial.SerialTimeoutException as exc:
                self._fail(exc)
                return False
            except (serial.SerialException, OSError) as exc:
                self._drop_port()
                log.debug("display %s: stale port (%s), reopening", self.url, exc)
                return self._open() and self._write(payload)
            self._recovered()
            return True

    def _open(self) -> bool:
        try:
            self._port = serial.serial_for_url(
                self.url, baudrate=self.baudrate, timeout=0, write_timeout=self._write_timeout
            )
        except Exception as exc:  # SerialException, OSError, or a URL pyserial rejects
            self._fail(exc)
            return False
        return self._write(INIT)

    def _write(self, data: bytes) -> bool:
        try:
            self._write_or_raise(data)
        except (serial.SerialException, OSError) as exc:
            self._fail(exc)
            return False
        self._recovered()
        return True

    def _write_or_raise(self, data: bytes) -> None:
        assert self._port is not None
        written = self._port.write(data)
        if written is not None and written != len(data):
            raise serial.SerialTimeoutException(f"wrote {written} of {len(data)} bytes")

    def _fail(self, exc: BaseException) -> None:
        self._drop_port()
        if self._failing:
            log.debug("display %s: still unavailable: %s", self.url, exc)
        else:
            self._failing = True
            log.warning("display %s: unavailable, will retry on the next update: %s", self.url, exc)

    def _recovered(self) -> None:
        if self._failing:
            self._failing = False
            log.info("display %s: back", self.url)

    def _drop_port(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            try:
                port.close()
            except Exception as exc:  # a vanished device may fail to close; it is gone anyway
                log.debug("display %s: close failed: %s", self.url, exc)


def _check_int(value: object, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {value!r}")
