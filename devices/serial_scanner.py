"""Serial barcode scanners and magstripe readers (RS-232, USB-serial, serial-over-TCP).

A reader thread owns the port: it opens it, cuts the byte stream into frames,
cleans each frame with :func:`devices.scans.clean_scan` and hands good scans to
``on_scan``. Unplugging the device (or a serial server dropping the TCP
connection) closes the port and the thread keeps trying to reopen it, so a
scanner that is plugged back in works again without restarting the app.

Callbacks run on the reader thread; a Qt caller must hop to its own thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from urllib.parse import parse_qs

import serial

from devices.scans import MAX_SCAN_LENGTH, ScanEvent, clean_scan

log = logging.getLogger("devices.serial_scanner")

#: bytes that end a frame, per terminator setting ("none": silence ends a frame)
TERMINATORS: dict[str, bytes] = {
    "CR": b"\r",
    "LF": b"\n",
    "CRLF": b"\r\n",  # CR, LF or CR LF each end one frame; the empty one between is skipped
    "TAB": b"\t",
    "none": b"",
}
MAX_BAUDRATE = 4_000_000
#: how long one read waits, which bounds how late stop() is noticed
READ_TIMEOUT = 0.05
#: room over ``max_length`` for sentinels, LRC and line endings before a frame is "over-long"
_FRAME_SLACK = 8
_URL_PREFIX = "serial://"
_URL_KEYS = ("baudrate", "terminator")

StatusCallback = Callable[[str], None]


def _normalise_terminator(value: str) -> str:
    for name in TERMINATORS:
        if isinstance(value, str) and value.strip().lower() == name.lower():
            return name
    raise ValueError(f"unknown scanner terminator {value!r}; use one of {', '.join(TERMINATORS)}")


def _check_baudrate(value: object) -> int:
    if isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            raise ValueError(f"scanner baudrate {value!r} is not a number") from None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"scanner baudrate must be a whole number, got {value!r}")
    if not 0 < value <= MAX_BAUDRATE:
        raise ValueError(f"scanner baudrate {value} is out of range (1..{MAX_BAUDRATE})")
    return value


def parse_scanner_url(url: str) -> tuple[str, dict[str, str]]:
    """Split ``serial:///dev/ttyUSB0?baudrate=9600&terminator=LF`` into the port and options.

    Other URLs (a device path, ``socket://``, ``loop://``) are returned unchanged
    with no options: pyserial reads their query strings itself.
    """
    if not isinstance(url, str) or not url.strip():
        raise ValueError("scanner port is empty; give a device path or a pyserial URL")
    url = url.strip()
    if not url.lower().startswith(_URL_PREFIX):
        return url, {}
    port, _, query = url[len(_URL_PREFIX) :].partition("?")
    if not port:
        raise ValueError(f"scanner URL {url!r} names no port")
    options: dict[str, str] = {}
    for key, values in parse_qs(query, keep_blank_values=True).items():
        if key not in _URL_KEYS:
            raise ValueError(
                f"unknown option {key!r} in scanner URL {url!r}; known: {', '.join(_URL_KEYS)}"
            )
        options[key] = values[-1]
    return port, options


class _Overflow:
    """Marker for a frame dropped because it grew past the length limit."""


OVERFLOW = _Overflow()


class Framer:
    """Cuts a byte stream into frames at terminator bytes (or at silence, for "none")."""

    def __init__(self, ends: bytes, limit: int) -> None:
        self._ends = frozenset(ends)
        self._limit = limit
        self._buf = bytearray()
        self._dropping = False

    def feed(self, data: bytes) -> Iterator[bytes | _Overflow]:
        """Frames completed by ``data``; OVERFLOW once when a frame starts being dropped.

        An over-long frame is discarded up to the next terminator, so the scan
        after it starts clean.
        """
        for byte in data:
            if byte in self._ends:
                frame = bytes(self._buf)
                self._buf.clear()
                if self._dropping:
                    self._dropping = False
                elif frame:
                    yield frame
                continue
            if self._dropping:
                continue
            self._buf.append(byte)
            if len(self._buf) > self._limit:
                self._buf.clear()
                self._dropping = True
                yield OVERFLOW

    def flush(self) -> bytes | None:
        """End the current frame (silence framing); None when there is none."""
        frame = bytes(self._buf)
        self._buf.clear()
        dropping, self._dropping = self._dropping, False
        return frame if frame and not dropping else None

    @property
    def pending(self) -> bool:
        return bool(self._buf) or self._dropping

    def reset(self) -> None:
        self._buf.clear()
        self._dropping = False


class SerialScanner:
    """A scanner or card reader on a serial port, read on its own daemon thread."""

    def __init__(
        self,
        url: str,
        *,
        on_scan: Callable[[ScanEvent], None],
        baudrate: int = 9600,
        terminator: str = "CR",
        on_status: StatusCallback | None = None,
        reconnect_interval: float = 1.0,
        frame_timeout: float = 0.05,
        max_length: int = MAX_SCAN_LENGTH,
    ) -> None:
        """``url`` is anything ``serial.serial_for_url`` opens, or ``serial://PORT?baudrate=..&
        terminator=..`` whose options override ``baudrate`` and ``terminator``.

        Raises ValueError for a bad configuration, never for a missing device:
        that one is reported through ``on_status`` and retried.
        """
        port, options = parse_scanner_url(url)
        self.port = port
        self.baudrate = _check_baudrate(options.get("baudrate", baudrate))
        self.terminator = _normalise_terminator(options.get("terminator", terminator))
        if not callable(on_scan):
            raise ValueError("on_scan must be callable")
        if on_status is not None and not callable(on_status):
            raise ValueError("on_status must be callable or None")
        for name, value in (
            ("reconnect_interval", reconnect_interval),
            ("frame_timeout", frame_timeout),
        ):
            if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
                raise ValueError(f"{name} must be a positive number of seconds, got {value!r}")
        if isinstance(max_length, bool) or not isinstance(max_length, int) or max_length < 1:
            raise ValueError(f"max_length must be a positive whole number, got {max_length!r}")
        try:  # an unknown URL scheme is a configuration error, not an unplugged device
            serial.serial_for_url(port, do_not_open=True)
        except ValueError as exc:
            raise ValueError(f"scanner port {port!r}: {exc}") from None
        self.source = f"serial:{port}"
        self._on_scan = on_scan
        self._on_status = on_status
        self._reconnect_interval = float(reconnect_interval)
        self._frame_timeout = float(frame_timeout)
        self._max_length = max_length
        self._read_timeout = min(READ_TIMEOUT, self._frame_timeout)
        self._stop = threading.Event()  # replaced on each start(): one per reader thread
        self._thread: threading.Thread | None = None
        self._connected = False
        self._status_kind: str | None = None

    # -- control -------------------------------------------------------------------------

    def start(self) -> None:
        """Start the reader thread (it keeps trying to open the port until stop())."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop = threading.Event()
        self._status_kind = None
        self._thread = threading.Thread(
            target=self._run, args=(self._stop,), name=f"scanner {self.port}", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 1.0) -> None:
        """Stop the reader and close the port, waiting up to ``timeout`` seconds."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            if thread.is_alive():  # stuck in a slow open (e.g. a TCP connect); daemon anyway
                log.warning(
                    "scanner %s: reader thread did not stop within %.1f s", self.port, timeout
                )

    @property
    def connected(self) -> bool:
        return self._connected

    # -- reader thread -------------------------------------------------------------------

    def _run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            port = self._open()
            if port is not None and stop.is_set():  # stopped while a slow open was under way
                self._close(port)
                break
            if port is not None:
                try:
                    self._pump(port, stop)
                except (serial.SerialException, OSError) as exc:
                    log.warning("scanner %s: connection lost: %s", self.port, exc)
                except Exception:  # a bug must not end scanning for the rest of the day
                    log.exception("scanner %s: reader failed", self.port)
                finally:
                    self._close(port)
                if stop.is_set():
                    break
                self._set_status("disconnected")
            stop.wait(self._reconnect_interval)

    def _open(self) -> serial.SerialBase | None:
        try:
            port = serial.serial_for_url(
                self.port, baudrate=self.baudrate, timeout=self._read_timeout
            )
        except Exception as exc:  # SerialException, OSError, or a URL pyserial rejects
            if self._status_kind != "disconnected":  # unplugged: stays "disconnected"
                self._set_status(f"error: {exc}")
            log.debug("scanner %s: cannot open: %s", self.port, exc)
            return None
        self._connected = True
        self._set_status("connected")
        return port

    def _close(self, port: serial.SerialBase) -> None:
        self._connected = False
        try:
            port.close()
        except Exception as exc:  # closing a vanished device may fail; it is gone either way
            log.debug("scanner %s: close failed: %s", self.port, exc)

    def _pump(self, port: serial.SerialBase, stop: threading.Event) -> None:
        framer = Framer(TERMINATORS[self.terminator], self._max_length + _FRAME_SLACK)
        silence_ends = not TERMINATORS[self.terminator]
        last_byte = time.monotonic()
        while not stop.is_set():
            data = port.read(1)
            if data:
                waiting = port.in_waiting
                if waiting:
                    data += port.read(waiting)
                last_byte = time.monotonic()
                for frame in framer.feed(data):
                    self._frame(frame)
            elif (
                silence_ends
                and framer.pending
                and time.monotonic() - last_byte >= self._frame_timeout
            ):
                frame = framer.flush()
                if frame is not None:
                    self._frame(frame)

    def _frame(self, frame: bytes | _Overflow) -> None:
        # the content is never logged: a swiped bank card would put its number in the log
        if isinstance(frame, _Overflow):
            log.warning(
                "scanner %s: rejected over-long input (more than %d characters without a "
                "terminator; terminator setting %s)",
                self.port,
                self._max_length,
                self.terminator,
            )
            return
        if not frame.strip(b" \t\r\n"):
            return  # the LF of a CR LF pair, or an empty line: nothing was scanned
        try:
            text = frame.decode("ascii")
        except UnicodeDecodeError:
            code = None
        else:
            code = clean_scan(text, max_length=self._max_length)
        if code is None:
            log.warning(
                "scanner %s: rejected garbage scan (%d bytes; check baud rate %d, terminator %s)",
                self.port,
                len(frame),
                self.baudrate,
                self.terminator,
            )
            return
        try:
            self._on_scan(ScanEvent(code=code, source=self.source))
        except Exception:
            log.exception("scanner %s: on_scan handler failed", self.port)

    def _set_status(self, status: str) -> None:
        """Report ``status`` when its kind (connected/disconnected/error) changes."""
        kind = status.split(":", 1)[0]
        if kind == self._status_kind:
            return
        self._status_kind = kind
        if kind == "error":
            log.warning("scanner %s: %s", self.port, status)
        else:
            log.info("scanner %s: %s", self.port, status)
        if self._on_status is not None:
            try:
                self._on_status(status)
            except Exception:
                log.exception("scanner %s: on_status handler failed", self.port)
