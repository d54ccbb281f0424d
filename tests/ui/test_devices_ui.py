"""Scanners and the customer display, attached to a real counter window.

A serial scanner and a pole display each get a pseudo-terminal: the test writes what a
scanner would send to the master side, and reads back what the display was sent.
"""

from __future__ import annotations

import os
import select
import time
import tty
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from PySide6.QtCore import QObject, Qt, QTimer, Slot
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox
from pytestqt.qtbot import QtBot

from devices.config import DevicesConfig, DisplayConfig, ScannerConfig
from devices.pole_display import PoleDisplay
from tests.conftest import Counter
from tests.ui.conftest import WindowFactory
from ui.counter import CounterScreen
from ui.devices import DisplaySink, SerialScanners, Stoppable, attach_devices
from ui.dialogs import PaymentDialog
from ui.main_window import MainWindow

CARD = "8800009999"
PHONE = "13812345678"
DETERGENT = "690123456789"  # 洗衣液 Detergent, ¥15.90
RICE = "690000000017"  # 大米 5kg Rice, ¥49.80
WAIT_MS = 5000


# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------
@dataclass
class Pty:
    master: int
    slave: int
    path: str

    @classmethod
    def open(cls) -> Pty:
        master, slave = os.openpty()
        tty.setraw(slave)  # no line discipline: CR arrives as CR, bytes as written
        return cls(master, slave, os.ttyname(slave))

    def read_until(self, done: Callable[[bytes], bool], timeout: float = WAIT_MS / 1000) -> bytes:
        """Everything the device side wrote, until ``done(data)`` holds."""
        data = b""
        deadline = time.monotonic() + timeout
        while not done(data):
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self.master], [], [], max(left, 0))
            if not ready:
                pytest.fail(f"got {data!r} before the timeout")
            data += os.read(self.master, 4096)
        return data

    def close(self) -> None:
        os.close(self.master)
        os.close(self.slave)


@pytest.fixture
def pty_pair() -> Iterator[Pty]:
    pair = Pty.open()
    yield pair
    pair.close()


@pytest.fixture
def attached() -> Iterator[list[Stoppable]]:
    """Devices attached by a test, stopped at its end whatever happens."""
    devices: list[Stoppable] = []
    yield devices
    for device in devices:
        device.stop()


def screen_of(window: MainWindow) -> CounterScreen:
    assert window.counter is not None
    return window.counter


def log_in(window: MainWindow, code: str = "1", pin: str = "1111") -> CounterScreen:
    window.login.code.setText(code)
    window.login.pad.field.setText(pin)
    window.login.pad.field.returnPressed.emit()
    return screen_of(window)


class Delivered(QObject):
    """Serial scans as the GUI thread gets them: connected after the window, so a scan
    is here only once ``MainWindow.scanned`` has handled it."""

    def __init__(self) -> None:
        super().__init__()
        self.codes: list[str] = []

    @Slot(str)
    def add(self, code: str) -> None:
        self.codes.append(code)


def serial_scanner(
    window: MainWindow, pty: Pty, attached: list[Stoppable], qtbot: QtBot
) -> Delivered:
    """A serial scanner on ``pty`` attached to ``window``, open and ready to scan."""
    attached += attach_devices(window, DevicesConfig(scanners=(ScannerConfig(url=pty.path),)))
    [scanners] = attached
    assert isinstance(scanners, SerialScanners)
    [scanner] = scanners.scanners
    # the port flushes its input when it opens: write only once it is open
    qtbot.waitUntil(lambda: scanner.connected, timeout=WAIT_MS)
    delivered = Delivered()
    scanners.bridge.scanned.connect(delivered.add)
    return delivered


class KeyClock:
    """The wedge filter's millisecond clock, moved on by ``step`` at every key."""

    def __init__(self) -> None:
        self.now = 100_000.0
        self.step = 150.0

    def __call__(self) -> float:
        self.now += self.step
        return self.now

    def burst(self) -> None:
        self.now += 1_000.0
        self.step = 5.0

    def typing(self) -> None:
        self.step = 150.0


class Recorder:
    """A :class:`~ui.seams.CustomerFacing` that keeps every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[object, ...]] = []

    def welcome(self) -> None:
        self.calls.append(("welcome",))

    def line_added(self, name: str, qty: int, amount_fen: int) -> None:
        self.calls.append(("line_added", name, qty, amount_fen))

    def total(self, total_fen: int, points: int | None) -> None:
        self.calls.append(("total", total_fen, points))

    def change(self, change_fen: int) -> None:
        self.calls.append(("change", change_fen))


def pay_cash(screen: CounterScreen, tendered: str) -> None:
    """F5 and the payment dialog: cash, ``tendered`` yuan. Any other dialog, or none
    within the time limit, is closed and fails the test (never a hung test)."""
    errors: list[str] = []
    deadline = time.monotonic() + WAIT_MS / 1000

    def answer() -> None:
        modal = QApplication.activeModalWidget()
        if isinstance(modal, PaymentDialog):
            modal.tendered.setText(tendered)
            box = modal.findChild(QDialogButtonBox)
            assert box is not None
            box.button(QDialogButtonBox.StandardButton.Ok).click()
            if modal.isVisible():
                errors.append(f"payment refused: {modal.error.text()}")
                modal.reject()
        elif time.monotonic() > deadline:
            errors.append(f"no payment dialog (got {modal!r})")
            if isinstance(modal, QDialog):
                modal.reject()
        else:
            QTimer.singleShot(10, answer)

    QTimer.singleShot(0, answer)
    screen.pay()
    assert not errors, errors


# --------------------------------------------------------------------------------------
# serial scanner
# --------------------------------------------------------------------------------------
def test_a_card_on_a_serial_scanner_finds_the_member(
    supermarket: Counter,
    window_factory: WindowFactory,
    qtbot: QtBot,
    pty_pair: Pty,
    attached: list[Stoppable],
) -> None:
    member = supermarket.register(phone=PHONE, card=CARD)
    window = window_factory(supermarket)
    serial_scanner(window, pty_pair, attached, qtbot)
    qtbot.waitUntil(
        lambda: window.statusBar().currentMessage() == f"Scanner {pty_pair.path}: connected",
        timeout=WAIT_MS,
    )

    os.write(pty_pair.master, b";" + CARD.encode() + b"?\r")  # a magstripe swipe, track 2

    screen = screen_of(window)
    qtbot.waitUntil(lambda: screen.member is not None, timeout=WAIT_MS)
    assert screen.member is not None and screen.member.id == member.id
    assert screen.panel.name.text() == "张*  138****5678"

    os.write(pty_pair.master, DETERGENT.encode() + b"\r")  # an item barcode rings it up
    qtbot.waitUntil(lambda: len(screen.lines) == 1, timeout=WAIT_MS)
    assert screen.lines[0].item_code == DETERGENT
    assert screen.member is not None and screen.member.id == member.id


def test_a_serial_scan_on_the_lock_screen_does_not_reach_the_counter(
    supermarket: Counter,
    window_factory: WindowFactory,
    qtbot: QtBot,
    pty_pair: Pty,
    attached: list[Stoppable],
) -> None:
    supermarket.register(card=CARD)
    window = window_factory(supermarket)
    delivered = serial_scanner(window, pty_pair, attached, qtbot)
    window.lock()

    os.write(pty_pair.master, CARD.encode() + b"\r")
    qtbot.waitUntil(lambda: delivered.codes == [CARD], timeout=WAIT_MS)
    assert screen_of(window).member is None
    assert window.stack.currentWidget() is window.login


def test_a_serial_scan_while_paying_does_not_change_the_sale_behind_the_dialog(
    supermarket: Counter,
    window_factory: WindowFactory,
    qtbot: QtBot,
    pty_pair: Pty,
    attached: list[Stoppable],
) -> None:
    window = window_factory(supermarket)
    delivered = serial_scanner(window, pty_pair, attached, qtbot)
    screen = screen_of(window)
    screen.add_item(DETERGENT)
    seen: dict[str, object] = {}
    deadline = time.monotonic() + WAIT_MS / 1000

    def scan_while_open() -> None:
        modal = QApplication.activeModalWidget()
        if not isinstance(modal, PaymentDialog):
            if time.monotonic() < deadline:
                QTimer.singleShot(10, scan_while_open)
            return
        try:
            os.write(pty_pair.master, RICE.encode() + b"\r")
            qtbot.waitUntil(lambda: delivered.codes == [RICE], timeout=WAIT_MS)
            seen["lines"] = [line.item_code for line in screen.lines]
            seen["modal"] = QApplication.activeModalWidget() is modal
        finally:
            modal.reject()

    QTimer.singleShot(0, scan_while_open)
    screen.pay()
    assert seen == {"lines": [DETERGENT], "modal": True}


# --------------------------------------------------------------------------------------
# keyboard wedge
# --------------------------------------------------------------------------------------
@pytest.fixture
def wedge(
    supermarket: Counter, window_factory: WindowFactory, qtbot: QtBot
) -> tuple[MainWindow, KeyClock]:
    window = window_factory(supermarket)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=WAIT_MS)
    keys = KeyClock()
    window.scanner._clock = keys
    return window, keys


def burst(qtbot: QtBot, keys: KeyClock, widget: object, text: str) -> None:
    """A keyboard-wedge scanner: ``text`` in 5 ms steps, then Enter."""
    widget.setFocus()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget, timeout=WAIT_MS)
    keys.burst()
    qtbot.keyClicks(widget, text)
    qtbot.keyClick(widget, Qt.Key.Key_Return)
    keys.typing()


def test_a_wedge_swipe_with_track_2_sentinels_finds_the_member(
    supermarket: Counter, wedge: tuple[MainWindow, KeyClock], qtbot: QtBot
) -> None:
    window, keys = wedge
    member = supermarket.register(phone=PHONE, card=CARD)
    screen = screen_of(window)
    scans: list[str] = []
    window.scanner.scanned.connect(scans.append)

    burst(qtbot, keys, screen.item_code, f";{CARD}?")

    assert scans == [CARD]
    assert screen.member is not None and screen.member.id == member.id
    assert screen.item_code.text() == ""  # the burst is taken back out of the field
    assert screen.lines == []


@pytest.mark.parametrize(
    "garbage",
    [
        pytest.param(";E?", id="bad-swipe"),
        pytest.param("ÿÿÿÿÿÿ", id="line-noise"),
        pytest.param("°±²³´µ", id="latin-1-noise"),
        pytest.param("8" * 200, id="over-long"),
    ],
)
def test_wedge_garbage_is_no_scan(
    supermarket: Counter, wedge: tuple[MainWindow, KeyClock], qtbot: QtBot, garbage: str
) -> None:
    window, keys = wedge
    supermarket.register(card=CARD)
    screen = screen_of(window)
    scans: list[str] = []
    window.scanner.scanned.connect(scans.append)

    burst(qtbot, keys, screen.item_code, garbage)

    assert scans == []
    assert screen.member is None and screen.lines == []
    # the field looked it up as an item code and said what was wrong; no dialog opened
    assert screen.notice.text().startswith(("Not found", "Please check the input"))
    assert QApplication.activeModalWidget() is None


# --------------------------------------------------------------------------------------
# customer display
# --------------------------------------------------------------------------------------
def test_the_customer_display_follows_the_sale(
    supermarket: Counter, window_factory: WindowFactory, qtbot: QtBot
) -> None:
    shown = Recorder()
    window = window_factory(supermarket, display=shown)
    screen = screen_of(window)
    assert window.display is shown

    screen.add_item(DETERGENT)
    screen.qty.setValue(2)
    screen.add_item(RICE)
    screen.amount.setText("5")
    screen.add_amount()
    assert shown.calls == [
        ("line_added", "洗衣液 Detergent", 1, 1590),
        ("line_added", "大米 5kg Rice", 2, 9960),
        ("line_added", "General", 1, 500),
    ]

    shown.calls.clear()
    pay_cash(screen, "200")
    assert "Change: ¥79.50" in screen.notice.text()
    # the change stays up for the customer; the welcome came with the new sale before it
    assert shown.calls == [("total", 12050, None), ("welcome",), ("change", 7950)]

    shown.calls.clear()
    screen.new_sale()  # F8
    assert shown.calls == [("welcome",)]


def test_the_display_shows_the_points_a_member_earns(
    supermarket: Counter, window_factory: WindowFactory, qtbot: QtBot
) -> None:
    shown = Recorder()
    supermarket.register(card=CARD)
    window = window_factory(supermarket, display=shown)
    screen = screen_of(window)
    screen.find_member(CARD)
    screen.add_item(DETERGENT)
    assert screen.quote is not None
    earned = screen.quote.earn_points
    assert earned > 0

    shown.calls.clear()
    pay_cash(screen, "15.90")  # exact: no change
    assert shown.calls == [("total", 1590, earned), ("welcome",)]


def test_a_real_pole_display_on_a_serial_port_shows_the_item(
    supermarket: Counter,
    window_factory: WindowFactory,
    pty_pair: Pty,
    attached: list[Stoppable],
) -> None:
    window = window_factory(supermarket, login_as=None)
    config = DevicesConfig(display=DisplayConfig(url=pty_pair.path, language="en"))
    attached += attach_devices(window, config)  # before log-in, as the app does
    [sink] = attached
    assert isinstance(sink, DisplaySink) and window.display is sink
    assert isinstance(sink.display, PoleDisplay)
    welcome = pty_pair.read_until(lambda data: b"Welcome" in data)
    assert welcome.startswith(b"\x1b@")  # the display is initialised first

    screen = log_in(window)
    screen.add_item(DETERGENT)

    # an ASCII-only display: the Chinese part of "洗衣液 Detergent" cannot be shown
    item = (
        b"\x1f$\x01\x01" + b"Detergent".ljust(20) + b"\x1f$\x01\x02" + b"1 x" + b"15.90".rjust(17)
    )
    shown = pty_pair.read_until(lambda data: item in data)
    assert shown.endswith(item)
    assert sink.display.lines == ("Detergent".ljust(20), "1 x" + "15.90".rjust(17))
