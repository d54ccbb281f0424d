"""Getting a job's bytes to a printer: network, serial, file, USB, CUPS, Windows, preview.

Each ``send`` delivers one whole job on one connection, with short timeouts,
and raises :class:`PrinterUnavailable` when the printer could not take all of
it; the worker then keeps the job and sends it again, whole. Where the link
can answer (network, serial), the printer's real-time status (``DLE EOT``) is
asked before the job, so nothing is sent into a printer that is out of paper,
and again after it: the answer can only come once the printer has read every
byte before it, which proves the job arrived. A printer that does not answer
is a problem, never "paper OK".
"""

from __future__ import annotations

import contextlib
import re
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from devices.config import PrinterConfig, parse_printer_url

DLE_EOT_PRINTER = b"\x10\x04\x01"
DLE_EOT_PAPER = b"\x10\x04\x04"
#: how long to wait for a status byte
STATUS_TIMEOUT_S = 1.5

READY = "ready"
PAPER_LOW = "paper_low"
PAPER_OUT = "paper_out"
OFFLINE = "offline"
NO_ANSWER = "no_answer"
UNKNOWN = "unknown"
PREVIEW = "preview"


class PrinterUnavailable(Exception):
    """The job did not (or may not have) fully reached the printer; send it again later."""

    def __init__(self, status: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


@dataclass(frozen=True)
class Status:
    state: str
    detail: str = ""


def read_status(printer_byte: int, paper_byte: int) -> Status:
    """Decode the answers to DLE EOT 1 (printer) and DLE EOT 4 (roll paper sensor).

    Every status byte has bit 1 and bit 4 set and bits 0 and 7 clear; anything
    else is not a status answer (line noise, another protocol).
    """
    for value in (printer_byte, paper_byte):
        if value & 0x93 != 0x12:
            return Status(NO_ANSWER, f"not a status answer: 0x{value:02x}")
    if paper_byte & 0x60:
        return Status(PAPER_OUT, "paper out")
    if printer_byte & 0x08:
        return Status(OFFLINE, "printer offline (cover open or error)")
    if paper_byte & 0x0C:
        return Status(PAPER_LOW, "paper near end")
    return Status(READY)


class Transport(Protocol):
    #: True when ``status`` really asks the printer
    queries_status: bool

    def send(self, data: bytes, *, timeout: float, name: str) -> Status: ...

    def status(self, *, timeout: float) -> Status: ...

    def close(self) -> None: ...


class _Link(Protocol):
    def write(self, data: bytes) -> None: ...
    def read1(self, timeout: float) -> bytes: ...


class _SocketLink:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    def write(self, data: bytes) -> None:
        self.sock.sendall(data)

    def read1(self, timeout: float) -> bytes:
        self.sock.settimeout(timeout)
        data = self.sock.recv(1)
        if not data:
            raise ConnectionResetError("the printer closed the connection")
        return data


def status_requests_in(data: bytes) -> int:
    """How many status answers ``data`` itself will draw: a printer answers DLE EOT n
    wherever the three bytes appear, even inside image or QR data."""
    count, start = 0, data.find(b"\x10\x04")
    while 0 <= start < len(data) - 2:
        count += data[start + 2] in (1, 2, 3, 4)
        start = data.find(b"\x10\x04", start + 1)
    return count


def _ask_status(link: _Link, timeout: float, *, skip: int = 0) -> Status:
    """Ask DLE EOT 1 and 4; ``skip`` answers drawn by the job's own bytes come first."""
    for _ in range(skip):
        try:
            link.read1(timeout)
        except TimeoutError:
            return Status(NO_ANSWER, "the printer did not answer")
    answers = []
    for query in (DLE_EOT_PRINTER, DLE_EOT_PAPER):
        link.write(query)
        try:
            data = link.read1(timeout)
        except TimeoutError:
            data = b""
        if not data:
            return Status(NO_ANSWER, "the printer did not answer a status request")
        answers.append(data[0])
    return read_status(*answers)


def _blocking(status: Status) -> bool:
    return status.state in (PAPER_OUT, OFFLINE, NO_ANSWER)


class TcpTransport:
    """A network printer (raw port 9100)."""

    def __init__(self, host: str, port: int, *, queries_status: bool) -> None:
        self.host, self.port, self.queries_status = host, port, queries_status

    def _connect(self, timeout: float) -> socket.socket:
        try:
            sock = socket.create_connection((self.host, self.port), timeout=min(timeout, 3.0))
        except OSError as exc:
            raise PrinterUnavailable(
                OFFLINE, f"cannot reach {self.host}:{self.port}: {exc}"
            ) from exc
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def send(self, data: bytes, *, timeout: float, name: str) -> Status:
        sock = self._connect(timeout)
        link = _SocketLink(sock)
        try:
            status = Status(UNKNOWN)
            if self.queries_status:
                status = _ask_status(link, min(timeout, STATUS_TIMEOUT_S))
                if _blocking(status):
                    raise PrinterUnavailable(status.state, status.detail)
            sock.settimeout(timeout)  # the whole job must go within ``timeout``
            sock.sendall(data)
            if self.queries_status:
                skip = status_requests_in(data)
                after = _ask_status(link, min(timeout, STATUS_TIMEOUT_S), skip=skip)
                if after.state == NO_ANSWER:
                    raise PrinterUnavailable(NO_ANSWER, "no answer after the job: it may be lost")
                return after
            # no status: a clean close from our side, then make sure no reset came back
            sock.shutdown(socket.SHUT_WR)
            sock.settimeout(0.3)
            with contextlib.suppress(TimeoutError):
                while sock.recv(4096):
                    pass
            return status
        except PrinterUnavailable:
            raise
        except OSError as exc:
            raise PrinterUnavailable(OFFLINE, f"connection lost during the job: {exc}") from exc
        finally:
            sock.close()

    def status(self, *, timeout: float) -> Status:
        sock = self._connect(timeout)
        try:
            return _ask_status(_SocketLink(sock), min(timeout, STATUS_TIMEOUT_S))
        except OSError as exc:
            raise PrinterUnavailable(OFFLINE, str(exc)) from exc
        finally:
            sock.close()

    def close(self) -> None:
        pass


class _SerialLink:
    def __init__(self, port: object) -> None:
        self.port = port

    def write(self, data: bytes) -> None:
        self.port.write(data)  # type: ignore[attr-defined]
        self.port.flush()  # type: ignore[attr-defined]

    def read1(self, timeout: float) -> bytes:
        self.port.timeout = timeout  # type: ignore[attr-defined]
        return bytes(self.port.read(1))  # type: ignore[attr-defined]


class SerialTransport:
    """A printer on a serial port (or anything pyserial's ``serial_for_url`` opens)."""

    def __init__(self, target: str, baudrate: int, *, queries_status: bool) -> None:
        self.target, self.baudrate, self.queries_status = target, baudrate, queries_status
        self._port: object | None = None

    def _open(self, timeout: float) -> _SerialLink:
        import serial

        if self._port is None:
            try:
                self._port = serial.serial_for_url(
                    self.target, baudrate=self.baudrate, timeout=timeout, write_timeout=timeout
                )
            except (serial.SerialException, OSError, ValueError) as exc:
                raise PrinterUnavailable(OFFLINE, f"cannot open {self.target}: {exc}") from exc
        self._port.write_timeout = timeout  # type: ignore[attr-defined]
        return _SerialLink(self._port)

    def _guarded(self, timeout: float, action: object) -> Status:
        import serial

        try:
            link = self._open(timeout)
            return action(link)  # type: ignore[operator,no-any-return]
        except (serial.SerialException, OSError) as exc:
            # a port opened before an unplug fails here: open it afresh next time
            self.close()
            raise PrinterUnavailable(OFFLINE, f"{self.target}: {exc}") from exc

    def send(self, data: bytes, *, timeout: float, name: str) -> Status:
        def job(link: _SerialLink) -> Status:
            status = Status(UNKNOWN)
            if self.queries_status:
                status = _ask_status(link, min(timeout, STATUS_TIMEOUT_S))
                if _blocking(status):
                    raise PrinterUnavailable(status.state, status.detail)
            link.write(data)
            if self.queries_status:
                skip = status_requests_in(data)
                status = _ask_status(link, min(timeout, STATUS_TIMEOUT_S), skip=skip)
                if status.state == NO_ANSWER:
                    raise PrinterUnavailable(NO_ANSWER, "no answer after the job: it may be lost")
            return status

        return self._guarded(timeout, job)

    def status(self, *, timeout: float) -> Status:
        return self._guarded(timeout, lambda link: _ask_status(link, min(timeout, 1.5)))

    def close(self) -> None:
        if self._port is not None:
            with contextlib.suppress(Exception):
                self._port.close()  # type: ignore[attr-defined]
            self._port = None


class FileTransport:
    """A device file (``/dev/usb/lp0``) or a plain file the jobs are appended to."""

    queries_status = False

    def __init__(self, path: str) -> None:
        self.path = path

    def send(self, data: bytes, *, timeout: float, name: str) -> Status:
        try:
            with open(self.path, "ab", buffering=0) as f:
                f.write(data)
        except OSError as exc:
            raise PrinterUnavailable(OFFLINE, f"cannot write {self.path}: {exc}") from exc
        return Status(UNKNOWN)

    def status(self, *, timeout: float) -> Status:
        return Status(UNKNOWN, "this connection cannot report paper status")

    def close(self) -> None:
        pass


class EscposLibTransport:
    """USB, CUPS and Windows printers through python-escpos' own connections."""

    queries_status = False

    def __init__(self, scheme: str, target: str, timeout: float) -> None:
        self.scheme, self.target, self.timeout = scheme, target, timeout

    def _printer(self) -> object:
        from escpos import printer

        kinds = {
            "usb": (printer.Usb, "pyusb (pip install pyusb)"),
            "cups": (printer.CupsPrinter, "pycups (pip install pycups) and a CUPS server"),
            "win32": (printer.Win32Raw, "pywin32 on Windows"),
        }
        cls, need = kinds[self.scheme]
        # asked of the class: an instance without its backend raises when collected
        if not cls.is_usable():
            raise PrinterUnavailable(OFFLINE, f"{self.scheme} printers need {need}")
        if self.scheme == "usb":
            vid, _, pid = self.target.partition(":")
            return cls(int(vid, 16), int(pid, 16), timeout=int(self.timeout * 1000))
        return cls(self.target)

    def send(self, data: bytes, *, timeout: float, name: str) -> Status:
        p = self._printer()
        try:
            p.open()  # type: ignore[attr-defined]
            p._raw(data)  # type: ignore[attr-defined]
            p.close()  # type: ignore[attr-defined]
        except Exception as exc:  # each backend raises its own errors
            raise PrinterUnavailable(OFFLINE, f"{self.scheme}://{self.target}: {exc}") from exc
        return Status(UNKNOWN)

    def status(self, *, timeout: float) -> Status:
        return Status(UNKNOWN, "this connection cannot report paper status")

    def close(self) -> None:
        pass


class PreviewTransport:
    """The demo's printer: each job saved as ``NAME.bin`` (the bytes) and ``NAME.png``."""

    queries_status = False

    def __init__(self, folder: str, cfg: PrinterConfig) -> None:
        self.folder = Path(folder)
        self.cfg = cfg

    def send(self, data: bytes, *, timeout: float, name: str) -> Status:
        from devices.preview import render_png

        safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name)[:100]
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            (self.folder / f"{safe}.bin").write_bytes(data)
            render_png(
                data,
                self.folder / f"{safe}.png",
                width_dots=self.cfg.width_dots,
                codec="ascii" if self.cfg.codec == "none" else self.cfg.codec,
            )
        except OSError as exc:
            raise PrinterUnavailable(OFFLINE, f"cannot write to {self.folder}: {exc}") from exc
        return Status(PREVIEW, str(self.folder))

    def status(self, *, timeout: float) -> Status:
        return Status(PREVIEW, str(self.folder))

    def close(self) -> None:
        pass


def open_transport(cfg: PrinterConfig) -> Transport:
    scheme, target, params = parse_printer_url(cfg.url)
    if scheme == "tcp":
        host, _, port = target.rpartition(":")
        return TcpTransport(host.strip("[]"), int(port), queries_status=cfg.queries_status)
    if scheme == "serial":
        baud = int(params.get("baudrate", "19200"))
        return SerialTransport(target, baud, queries_status=cfg.queries_status)
    if scheme == "file":
        return FileTransport(target)
    if scheme == "preview":
        return PreviewTransport(target, cfg)
    return EscposLibTransport(scheme, target, cfg.timeout_s)
