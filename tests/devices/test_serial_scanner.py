"""Serial scanners over real ports: pseudo-terminals and a TCP serial server, no mocks."""

from __future__ import annotations

import logging
import os
import queue
import socket
import string
import tty
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.scans import MAX_SCAN_LENGTH, ScanEvent, clean_scan
from devices.serial_scanner import OVERFLOW, Framer, SerialScanner, parse_scanner_url

WAIT = 5.0  # upper bound for anything the reader thread does; normally milliseconds


@dataclass
class Pty:
    """A pseudo-terminal pair: the scanner opens ``path``, the test plays the device on
    ``master``."""

    master: int
    slave: int
    path: str
    closed: bool = False

    @classmethod
    def open(cls) -> Pty:
        master, slave = os.openpty()
        tty.setraw(slave)  # no line discipline: CR must arrive as CR
        return cls(master, slave, os.ttyname(slave))

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def unplug(self) -> None:
        if not self.closed:
            self.closed = True
            os.close(self.master)
            os.close(self.slave)


@dataclass
class Recorder:
    scans: queue.Queue[ScanEvent] = field(default_factory=queue.Queue)
    statuses: queue.Queue[str] = field(default_factory=queue.Queue)
    seen: list[str] = field(default_factory=list)

    def on_scan(self, event: ScanEvent) -> None:
        self.scans.put(event)

    def on_status(self, status: str) -> None:
        self.statuses.put(status)

    def code(self) -> str:
        return self.scans.get(timeout=WAIT).code

    def codes(self, n: int) -> list[str]:
        return [self.code() for _ in range(n)]

    def status(self, prefix: str) -> str:
        """Wait for the next status starting with ``prefix`` (others are recorded)."""
        while True:
            try:
                status = self.statuses.get(timeout=WAIT)
            except queue.Empty:
                pytest.fail(f"no status {prefix!r}; saw {self.seen}")
            self.seen.append(status)
            if status.startswith(prefix):
                return status

    def no_more_scans(self) -> None:
        assert self.scans.empty(), [e.code for e in self.scans.queue]


@pytest.fixture
def pty_pair() -> Iterator[Pty]:
    pair = Pty.open()
    yield pair
    pair.unplug()


@pytest.fixture
def rec() -> Recorder:
    return Recorder()


@pytest.fixture
def make_scanner(rec: Recorder) -> Iterator[Callable[..., SerialScanner]]:
    started: list[SerialScanner] = []

    def make(url: str, **kwargs: object) -> SerialScanner:
        kwargs.setdefault("reconnect_interval", 0.05)
        scanner = SerialScanner(
            url,
            on_scan=kwargs.pop("on_scan", rec.on_scan),  # type: ignore[arg-type]
            on_status=rec.on_status,
            **kwargs,  # type: ignore[arg-type]
        )
        scanner.start()
        started.append(scanner)
        return scanner

    yield make
    for scanner in started:
        scanner.stop()


def _connected(make: Callable[..., SerialScanner], rec: Recorder, url: str, **kw: object) -> None:
    make(url, **kw)
    rec.status("connected")  # the port flushes its input when it opens: send only after


# -- framing -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("terminator", "wire", "expected"),
    [
        ("CR", b"ABC123\rXYZ-9\r", ["ABC123", "XYZ-9"]),
        ("CR", b"ABC123\r\nXYZ-9\r\n", ["ABC123", "XYZ-9"]),  # CR LF tolerated
        ("LF", b"ABC123\nXYZ-9\r\n", ["ABC123", "XYZ-9"]),
        ("CRLF", b"ABC123\r\nXYZ-9\rQ77\n", ["ABC123", "XYZ-9", "Q77"]),
        ("TAB", b"ABC123\tXYZ-9\t", ["ABC123", "XYZ-9"]),
    ],
)
def test_frames_end_at_the_terminator(
    pty_pair: Pty,
    rec: Recorder,
    make_scanner: Callable[..., SerialScanner],
    terminator: str,
    wire: bytes,
    expected: list[str],
) -> None:
    _connected(make_scanner, rec, pty_pair.path, terminator=terminator)
    pty_pair.send(wire)
    events = [rec.scans.get(timeout=WAIT) for _ in expected]
    assert [e.code for e in events] == expected
    assert {e.source for e in events} == {f"serial:{pty_pair.path}"}


def test_without_terminator_a_frame_ends_after_silence(
    pty_pair: Pty, rec: Recorder, make_scanner: Callable[..., SerialScanner]
) -> None:
    _connected(make_scanner, rec, pty_pair.path, terminator="none", frame_timeout=0.05)
    pty_pair.send(b"6901234567892")
    assert rec.code() == "6901234567892"
    pty_pair.send(b"8800012345")
    assert rec.code() == "8800012345"


def test_magstripe_sentinels_are_stripped(
    pty_pair: Pty, rec: Recorder, make_scanner: Callable[..., SerialScanner]
) -> None:
    _connected(make_scanner, rec, pty_pair.path)
    pty_pair.send(b";8800012345?\r")
    pty_pair.send(b"%B8800012345^LI/LEI^2912101?\x5c\r")  # track 1 with an LRC character
    pty_pair.send(b"\x02;8800099999=2912?\x03\r")  # STX/ETX framing around track 2
    assert rec.codes(3) == ["8800012345", "B8800012345^LI/LEI^2912101", "8800099999=2912"]


def test_garbage_is_rejected_and_the_next_scan_still_arrives(
    pty_pair: Pty,
    rec: Recorder,
    make_scanner: Callable[..., SerialScanner],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="devices.serial_scanner")
    _connected(make_scanner, rec, pty_pair.path)
    pty_pair.send(b"\xff\xfe\x80\x13\r")  # wrong baud rate looks like this
    pty_pair.send(b"7731\x00\x1b4\r")  # control characters inside a code
    pty_pair.send(b"GOOD-1\r")
    assert rec.code() == "GOOD-1"
    rec.no_more_scans()
    rejected = [r for r in caplog.records if "garbage" in r.getMessage()]
    assert len(rejected) == 2
    assert all(r.levelno == logging.WARNING for r in rejected)
    assert "7731" not in caplog.text  # scan contents are never logged


def test_over_long_input_is_dropped_up_to_the_next_terminator(
    pty_pair: Pty,
    rec: Recorder,
    make_scanner: Callable[..., SerialScanner],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="devices.serial_scanner")
    _connected(make_scanner, rec, pty_pair.path, max_length=16)
    pty_pair.send(b"X" * 5000)  # a stuck reader streaming without a terminator
    pty_pair.send(b"TAIL\rGOOD-2\r")
    pty_pair.send(b"A" * 17 + b"\r")  # one over the limit: rejected as garbage
    pty_pair.send(b"B" * 16 + b"\r")  # exactly the limit: fine
    assert rec.codes(2) == ["GOOD-2", "B" * 16]
    rec.no_more_scans()
    assert sum("over-long" in r.getMessage() for r in caplog.records) == 1
    assert sum("garbage" in r.getMessage() for r in caplog.records) == 1


def test_a_failing_on_scan_handler_does_not_stop_the_reader(
    pty_pair: Pty,
    rec: Recorder,
    make_scanner: Callable[..., SerialScanner],
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls: list[str] = []

    def handler(event: ScanEvent) -> None:
        calls.append(event.code)
        if len(calls) == 1:
            raise RuntimeError("member lookup blew up")
        rec.on_scan(event)

    _connected(make_scanner, rec, pty_pair.path, on_scan=handler)
    pty_pair.send(b"FIRST\rSECOND\r")
    assert rec.code() == "SECOND"
    assert calls == ["FIRST", "SECOND"]
    assert "on_scan handler failed" in caplog.text


# -- unplug / replug -----------------------------------------------------------------------


def _point(link: Path, target: str) -> None:
    """Atomically re-point the symlink ``link`` (what udev does for /dev/serial/by-id)."""
    fresh = link.with_name(link.name + ".new")
    os.symlink(target, fresh)
    os.replace(fresh, link)


def test_the_reader_survives_unplug_and_replug(
    tmp_path: Path, rec: Recorder, make_scanner: Callable[..., SerialScanner]
) -> None:
    first = Pty.open()
    link = tmp_path / "scanner"
    _point(link, first.path)
    scanner = make_scanner(str(link))
    rec.status("connected")
    assert scanner.connected
    first.send(b"BEFORE\r")
    assert rec.code() == "BEFORE"

    # closing the master hangs the line up: the reader's next read gets EOF
    first.unplug()
    rec.status("disconnected")
    assert not scanner.connected

    second = Pty.open()
    try:
        _point(link, second.path)
        rec.status("connected")
        second.send(b"AFTER\r")
        assert rec.code() == "AFTER"
        assert not any(s.startswith("error") for s in rec.seen)  # still just "disconnected"
    finally:
        second.unplug()


def test_a_missing_port_at_start_is_retried_until_it_appears(
    tmp_path: Path, rec: Recorder, make_scanner: Callable[..., SerialScanner]
) -> None:
    link = tmp_path / "scanner"
    scanner = make_scanner(str(link))
    assert "No such file" in rec.status("error: ")
    assert not scanner.connected
    late = Pty.open()
    try:
        _point(link, late.path)
        rec.status("connected")
        late.send(b"LATE-1\r")
        assert rec.code() == "LATE-1"
        assert rec.statuses.empty()  # repeated failed opens were not reported again
    finally:
        late.unplug()


def test_socket_url_survives_the_server_dropping_the_connection(
    rec: Recorder, make_scanner: Callable[..., SerialScanner]
) -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(WAIT)
        port = server.getsockname()[1]
        make_scanner(f"socket://127.0.0.1:{port}", terminator="CRLF")
        conn, _ = server.accept()
        with conn:
            rec.status("connected")
            conn.sendall(b"NET-1\r\n")
            assert rec.code() == "NET-1"
        rec.status("disconnected")  # EOF on the socket
        conn, _ = server.accept()  # the reader dialled again
        with conn:
            rec.status("connected")
            conn.sendall(b"NET-2\r\n")
            assert rec.code() == "NET-2"


def test_stop_ends_the_thread_and_closes_the_port(
    pty_pair: Pty, rec: Recorder, make_scanner: Callable[..., SerialScanner]
) -> None:
    scanner = make_scanner(pty_pair.path)
    rec.status("connected")
    thread = scanner._thread
    scanner.stop()
    assert thread is not None and not thread.is_alive()
    assert not scanner.connected
    pty_pair.send(b"IGNORED\r")
    scanner.start()  # a stopped scanner can be started again
    rec.status("connected")
    pty_pair.send(b"AGAIN\r")
    assert rec.code() == "AGAIN"


# -- configuration -------------------------------------------------------------------------


def _scanner(url: str = "loop://", **kwargs: object) -> SerialScanner:
    return SerialScanner(url, on_scan=lambda event: None, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"terminator": "ETX"}, "terminator"),
        ({"terminator": ""}, "terminator"),
        ({"baudrate": 0}, "baudrate"),
        ({"baudrate": -9600}, "baudrate"),
        ({"baudrate": True}, "baudrate"),
        ({"baudrate": 9600.0}, "baudrate"),
        ({"baudrate": 10**9}, "baudrate"),
        ({"reconnect_interval": 0}, "reconnect_interval"),
        ({"frame_timeout": -1}, "frame_timeout"),
        ({"max_length": 0}, "max_length"),
    ],
)
def test_bad_configuration_is_refused_up_front(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _scanner(**kwargs)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "empty"),
        ("nosuch://x", "nosuch"),
        ("serial://?baudrate=9600", "no port"),
        ("serial:///dev/ttyUSB0?baudrate=fast", "not a number"),
        ("serial:///dev/ttyUSB0?terminator=ETX", "terminator"),
        ("serial:///dev/ttyUSB0?parity=E", "unknown option"),
    ],
)
def test_bad_urls_are_refused_up_front(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _scanner(url)


def test_serial_url_options_override_the_arguments() -> None:
    scanner = _scanner("serial:///dev/ttyUSB0?baudrate=115200&terminator=lf", baudrate=9600)
    assert (scanner.port, scanner.baudrate, scanner.terminator) == ("/dev/ttyUSB0", 115200, "LF")
    assert scanner.source == "serial:/dev/ttyUSB0"
    assert parse_scanner_url("socket://10.0.0.5:4001?logging=debug") == (
        "socket://10.0.0.5:4001?logging=debug",
        {},
    )
    assert _scanner("/dev/ttyS0", terminator="crlf").terminator == "CRLF"


# -- clean_scan ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("6901234567892", "6901234567892"),
        ("  8800012345\r\n", "8800012345"),
        ("\x028800012345\x03", "8800012345"),
        (";8800012345?", "8800012345"),
        (";8800012345?7", "8800012345"),  # LRC after the end sentinel
        ("%B4000123412341234^ZHANG/SAN^2912?;4000123412341234=2912?", "4000123412341234=2912"),
        ("%B8800012345^LI/LEI ^2912?", "B8800012345^LI/LEI ^2912"),
        ("%E?", None),  # reader's "could not read the track"
        (";E?", None),
        ("%E?;8800012345?", "8800012345"),
        ("%B8800^X^29?;E?", "B8800^X^29"),
        (";?", None),
        ("", None),
        (" \r\n\t", None),
        ("88\x0000", None),
        ("8800\t12", None),
        ("会员卡12345", None),
        ("８８００１２３４", None),  # full-width digits never come from a scanner
        ("caf\xe9", None),
        ("A" * MAX_SCAN_LENGTH, "A" * MAX_SCAN_LENGTH),
        ("A" * (MAX_SCAN_LENGTH + 1), None),
        ("%" + "A" * MAX_SCAN_LENGTH + "?", "A" * MAX_SCAN_LENGTH),
        ("R-2026-000123 ", "R-2026-000123"),
        ("%ABC", "%ABC"),  # a Code 39 "%" without an end sentinel is just a code
    ],
)
def test_clean_scan(raw: str, expected: str | None) -> None:
    assert clean_scan(raw) == expected


PRINTABLE = set(string.printable) - set(string.whitespace) | {" "}


def _check_clean(result: str | None) -> None:
    if result is not None:
        assert 0 < len(result) <= MAX_SCAN_LENGTH
        assert set(result) <= PRINTABLE


@given(st.text(max_size=300))
def test_clean_scan_never_raises_on_text(raw: str) -> None:
    _check_clean(clean_scan(raw))


@given(st.binary(max_size=300))
def test_clean_scan_never_raises_on_line_noise(raw: bytes) -> None:
    _check_clean(clean_scan(raw.decode("latin-1")))


@given(st.text(alphabet=string.ascii_uppercase + string.digits + "-", min_size=1, max_size=64))
def test_clean_codes_come_through_unchanged(code: str) -> None:
    assert clean_scan(f"\x02{code}\r\n") == code
    assert clean_scan(f";{code}?") == (None if code == "E" else code)  # ";E?": bad swipe


@given(st.lists(st.binary(max_size=40), max_size=20))
def test_framing_does_not_depend_on_how_bytes_are_chunked(chunks: list[bytes]) -> None:
    stream = b"".join(chunks)
    whole = list(Framer(b"\r\n", 24).feed(stream))
    pieces = Framer(b"\r\n", 24)
    chunked = [frame for chunk in chunks for frame in pieces.feed(chunk)]
    assert chunked == whole
    for frame in whole:
        assert frame is OVERFLOW or (0 < len(frame) <= 24 and not set(frame) & {13, 10})
