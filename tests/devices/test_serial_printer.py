"""A receipt printer on a serial port, through a real pty pair.

The test plays the printer on the master side: it keeps what it reads and
answers DLE EOT status requests like a printer with paper.
"""

from __future__ import annotations

import contextlib
import os
import select
import threading
import tty
from collections.abc import Iterator

import pytest

from devices.config import PrinterConfig
from devices.document import Document, TextLine
from devices.escpos_reader import Cut, parse, receipt_text
from devices.receipt_printer import ReceiptPrinter
from tests.conftest import Counter


class PtyPrinter:
    def __init__(self, answer: int | None = 0x12) -> None:
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        self.path = os.ttyname(self.slave)
        self.answer = answer
        self.received = bytearray()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        tail = b""
        while not self._stop.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(self.master, 4096)
            except OSError:
                return
            self.received.extend(chunk)
            data = tail + chunk
            start = data.find(b"\x10\x04")
            while 0 <= start < len(data) - 2:
                if self.answer is not None:
                    os.write(self.master, bytes([self.answer]))
                start = data.find(b"\x10\x04", start + 1)
            tail = data[-2:]

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        for fd in (self.master, self.slave):
            with contextlib.suppress(OSError):
                os.close(fd)


@pytest.fixture
def pty_printer() -> Iterator[PtyPrinter]:
    printer = PtyPrinter()
    yield printer
    printer.close()


def printer_on(counter: Counter, path: str) -> ReceiptPrinter:
    cfg = PrinterConfig(url=f"serial://{path}?baudrate=19200", timeout_s=1.0, language="en")
    return ReceiptPrinter(counter.db, cfg, clock=lambda: counter.now, backoff=(0.01,))


def test_a_job_goes_over_the_serial_port_with_status_checks(
    supermarket: Counter, pty_printer: PtyPrinter
) -> None:
    printer = printer_on(supermarket, pty_printer.path)
    printer.print_document(Document((TextLine("串口打印 serial test"),)))
    assert printer.worker.run_once() is True
    assert printer.state.state == "ready"
    ops = parse(bytes(pty_printer.received))
    assert "串口打印 serial test" in receipt_text(ops)
    assert [op for op in ops if isinstance(op, Cut)]
    printer.stop()


def test_a_silent_serial_printer_keeps_the_job(supermarket: Counter) -> None:
    silent = PtyPrinter(answer=None)
    try:
        printer = printer_on(supermarket, silent.path)
        printer.print_document(Document((TextLine("x"),)))
        assert printer.worker.run_once() is None
        assert printer.state.state == "no_answer"
        assert printer.state.pending == 1
        printer.stop()
    finally:
        silent.close()


def test_an_unplugged_serial_printer_is_offline_then_prints_when_back(
    supermarket: Counter, tmp_path: object
) -> None:
    first = PtyPrinter()
    link = f"{tmp_path}/printer"
    os.symlink(first.path, link)
    printer = printer_on(supermarket, link)
    printer.print_document(Document((TextLine("one"),)))
    assert printer.worker.run_once() is True
    first.close()  # unplugged
    printer.print_document(Document((TextLine("two"),)))
    assert printer.worker.run_once() is None
    assert printer.state.state == "offline"
    second = PtyPrinter()  # plugged in again (udev points the link at the new port)
    try:
        os.remove(link)
        os.symlink(second.path, link)
        assert printer.worker.run_once() is True
        assert receipt_text(parse(bytes(second.received))).count("two") == 1
        printer.stop()
    finally:
        second.close()
