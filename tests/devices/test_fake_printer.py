"""The fake network printer behaves like the real failures it stands in for."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from tests.devices.fake_printer import PAPER_NEAR_END, PAPER_OK, PAPER_OUT, FakePrinter

TIMEOUT = 5.0


@pytest.fixture
def printer() -> Iterator[FakePrinter]:
    with FakePrinter() as fake:
        yield fake


def connect(fake: FakePrinter, timeout: float = TIMEOUT) -> socket.socket:
    return socket.create_connection(("127.0.0.1", fake.port), timeout=timeout)


def test_bytes_sent_are_received(printer: FakePrinter) -> None:
    assert printer.url == f"tcp://127.0.0.1:{printer.port}"
    with connect(printer) as a:
        a.sendall(b"\x1b@hello\n")
    assert printer.wait_for(8)
    with connect(printer) as b:
        b.sendall(b"world\n")
    assert printer.wait_for(lambda data: data.endswith(b"world\n"))
    assert printer.received == b"\x1b@hello\nworld\n"
    assert printer.connections == [b"\x1b@hello\n", b"world\n"]
    assert not printer.wait_for(100, timeout=0.05)


def test_refuse_then_accept_again_on_the_same_port(printer: FakePrinter) -> None:
    port = printer.port
    printer.refuse()
    with pytest.raises(ConnectionRefusedError):
        connect(printer)
    printer.accept_again()
    assert printer.port == port
    with connect(printer) as sock:
        sock.sendall(b"back")
    assert printer.wait_for(4)
    assert printer.connections == [b"back"]


def test_stalled_printer_makes_a_big_send_time_out(printer: FakePrinter) -> None:
    printer.stall()
    with connect(printer, timeout=0.5) as sock, pytest.raises(socket.timeout):
        sock.sendall(b"\x00" * 8_000_000)
    assert printer.received == b""
    printer.resume()
    assert printer.wait_for(1)  # reading again: what was buffered arrives


def test_drop_after_resets_the_connection_and_keeps_exactly_n_bytes(
    printer: FakePrinter,
) -> None:
    printer.drop_after(1000)
    chunk = bytes(range(256)) * 256
    deadline = time.monotonic() + TIMEOUT
    with connect(printer) as sock, pytest.raises((ConnectionResetError, BrokenPipeError)):
        while time.monotonic() < deadline:
            sock.sendall(chunk)
    assert printer.wait_for(1000)
    assert printer.connections == [chunk[:1000]]
    assert printer.received == chunk[:1000]
    with connect(printer) as again:  # only the next connection was dropped
        again.sendall(b"ok")
    assert printer.wait_for(1002)
    assert printer.connections[1] == b"ok"


@pytest.mark.parametrize("status", [PAPER_OK, PAPER_NEAR_END, PAPER_OUT])
def test_paper_status_is_answered(printer: FakePrinter, status: int) -> None:
    printer.status_reply = {4: status, 1: 0x16}
    with connect(printer) as sock:
        sock.sendall(b"\x10\x04\x04")
        assert sock.recv(1) == bytes([status])
        sock.sendall(b"\x10\x04")  # split over two sends
        sock.sendall(b"\x01")
        assert sock.recv(1) == b"\x16"


def test_no_status_answer_when_configured_so(printer: FakePrinter) -> None:
    printer.status_reply = None
    with connect(printer, timeout=0.3) as sock:
        sock.sendall(b"\x10\x04\x04")
        with pytest.raises(socket.timeout):
            sock.recv(1)
    assert printer.wait_for(3)
    assert printer.received == b"\x10\x04\x04"
    printer.status_reply = {1: 0x16}  # a status it has no answer for: silence too
    with connect(printer, timeout=0.3) as sock:
        sock.sendall(b"\x10\x04\x02")
        with pytest.raises(socket.timeout):
            sock.recv(1)


def test_close_is_quick_and_idempotent() -> None:
    fake = FakePrinter()
    sock = connect(fake)
    fake.stall()
    started = time.monotonic()
    fake.close()
    fake.close()
    assert time.monotonic() - started < 2
    sock.close()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", fake.port), timeout=TIMEOUT)
