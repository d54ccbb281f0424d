"""The receipt printer at the counter: a real :class:`~ui.printing.PrinterSink` on a fake
network printer (or the preview printer), driven through the counter window.

The sink's worker thread is not started in most tests: ``send_all`` runs the worker
step by step, so what reaches the printer is decided by the test, not by timing.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import TypeVar

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QInputDialog,
    QMessageBox,
    QPushButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from devices.config import PrinterConfig, preview_printer
from devices.escpos_reader import Cut, DrawerKick, Op, parse, receipt_text
from pos_app.services.checkout import CartLine, SaleResult
from pos_app.services.gifts import import_catalogue
from tests.conftest import Counter
from tests.devices.fake_printer import PAPER_OUT, READY_STATUS, FakePrinter
from tests.ui.conftest import WindowFactory
from ui import i18n
from ui.app import screenshot
from ui.counter import CounterScreen
from ui.dialogs import PaymentDialog
from ui.gifts import GiftDialog
from ui.login import ApprovalDialog
from ui.main_window import MainWindow
from ui.ops import OpRunner
from ui.printing import PrinterDialog, PrinterSink
from ui.returns import ReturnDialog

D = TypeVar("D", bound=QWidget)

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DETERGENT = "690123456789"  # 洗衣液 Detergent, daily, ¥15.90
CARD = "8800009999"
WAIT_S = 5.0


# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------
class SlowKeys:
    """The wedge filter's clock: 150 ms per key, so typing is never taken for a scan."""

    def __init__(self) -> None:
        self.now = 100_000.0

    def __call__(self) -> float:
        self.now += 150.0
        return self.now


class Modals:
    """Answers a modal dialog opened by ``exec()``: ``expect(kind, handler)`` before the
    action that opens it; the handler runs while the dialog is open and must close it.
    A failing handler closes the dialog and its error is raised by :meth:`check`."""

    def __init__(self, qtbot: QtBot) -> None:
        self.qtbot = qtbot
        self.errors: list[BaseException] = []
        self.pending = 0

    def expect(self, kind: type[D], handler: Callable[[D], None]) -> None:
        self.pending += 1
        deadline = time.monotonic() + WAIT_S

        def attempt() -> None:
            modal = QApplication.activeModalWidget()
            if isinstance(modal, kind) and modal.isVisible():
                try:
                    handler(modal)
                except BaseException as exc:  # re-raised by check()
                    self.errors.append(exc)
                    close_modals()
                finally:
                    self.pending -= 1
                return
            if time.monotonic() > deadline:
                self.errors.append(AssertionError(f"no {kind.__name__} opened (got {modal!r})"))
                self.pending -= 1
                close_modals()
                return
            QTimer.singleShot(10, attempt)

        QTimer.singleShot(0, attempt)

    def check(self) -> None:
        self.qtbot.waitUntil(lambda: self.pending == 0, timeout=int(WAIT_S * 2000))
        if self.errors:
            raise self.errors[0]


def close_modals() -> None:
    for _ in range(10):
        modal = QApplication.activeModalWidget()
        if modal is None:
            return
        if isinstance(modal, QDialog):
            modal.reject()
        else:
            modal.close()


@pytest.fixture
def modals(qtbot: QtBot) -> Iterator[Modals]:
    driver = Modals(qtbot)
    yield driver
    close_modals()


@pytest.fixture
def fake() -> Iterator[FakePrinter]:
    with FakePrinter() as printer:
        yield printer


SinkFactory = Callable[..., PrinterSink]


@pytest.fixture
def sink_factory(supermarket: Counter) -> Iterator[SinkFactory]:
    """``sink_factory(url, **printer_settings)``: a real PrinterSink on the store, with an
    inline op runner and the worker thread not started."""
    made: list[PrinterSink] = []

    def make(url: str, **settings: object) -> PrinterSink:
        cfg = PrinterConfig.model_validate({"url": url, "timeout_s": 1.0, **settings})
        sink = PrinterSink(
            supermarket.db, cfg, runner=OpRunner(inline=True), clock=lambda: supermarket.now
        )
        made.append(sink)
        return sink

    yield make
    for sink in made:
        sink.stop()


def send_all(sink: PrinterSink) -> int:
    """Let the worker send every queued job; how many it sent."""
    sent = 0
    while sink.printer.worker.run_once():
        sent += 1
    return sent


def jobs_of(ops: list[Op]) -> list[list[Op]]:
    """The received stream cut into receipts (each ends with a cut); drawer kicks left out."""
    jobs: list[list[Op]] = [[]]
    for op in ops:
        if isinstance(op, DrawerKick):
            continue
        jobs[-1].append(op)
        if isinstance(op, Cut):
            jobs.append([])
    return [job for job in jobs if any(isinstance(op, Cut) for op in job)]


def kicks(ops: list[Op]) -> list[DrawerKick]:
    return [op for op in ops if isinstance(op, DrawerKick)]


def job_rows(counter: Counter) -> list[tuple[str, str | None, str]]:
    with counter.sql() as conn:
        return conn.execute("SELECT kind, ref, status FROM print_jobs ORDER BY id").fetchall()


def drawer_audits(counter: Counter) -> list[dict[str, object]]:
    """The details of every 'drawer.open' row of the audit log."""
    with counter.sql() as conn:
        rows = conn.execute(
            "SELECT details FROM audit_log WHERE action = 'drawer.open' ORDER BY id"
        ).fetchall()
    return [json.loads(details) for (details,) in rows]


def screen_of(window: MainWindow) -> CounterScreen:
    assert window.counter is not None
    return window.counter


def ring_up(qtbot: QtBot, window: MainWindow, code: str) -> None:
    """The cashier types an item code into the item field and presses Enter."""
    screen = screen_of(window)
    window.scanner._clock = SlowKeys()
    screen.item_code.setFocus()
    qtbot.keyClicks(screen.item_code, code)
    qtbot.keyClick(screen.item_code, Qt.Key.Key_Return)


def pay_cash(modals: Modals, window: MainWindow, tendered: str) -> None:
    """F5: the payment dialog, cash, ``tendered`` yuan handed over."""

    def answer(dialog: PaymentDialog) -> None:
        assert dialog.method == "cash"
        dialog.tendered.setText(tendered)
        box = dialog.findChild(QDialogButtonBox)
        assert box is not None
        box.button(QDialogButtonBox.StandardButton.Ok).click()

    modals.expect(PaymentDialog, answer)
    screen_of(window).pay()
    modals.check()


def cash_sale_through_the_ui(
    qtbot: QtBot, modals: Modals, window: MainWindow, tendered: str = "20"
) -> str:
    ring_up(qtbot, window, DETERGENT)
    screen = screen_of(window)
    assert [line.item_code for line in screen.lines] == [DETERGENT], screen.notice.text()
    pay_cash(modals, window, tendered)
    assert "complete." in screen.notice.text(), screen.notice.text()
    with window.db.engine.connect() as conn:
        [(receipt,)] = conn.exec_driver_sql("SELECT receipt_no FROM sales").fetchall()
    return str(receipt)


def printed_sale(counter: Counter, sink: PrinterSink) -> SaleResult:
    """A member's cash sale made at another till, its receipt printed here."""
    member = counter.register(card=CARD)
    sale = counter.sell(member.id, [CartLine("daily", 1590, 2, DETERGENT, "洗衣液 Detergent")])
    sink.sale_completed(sale)
    send_all(sink)
    return sale


def open_dialog(
    modals: Modals, window: MainWindow, handler: Callable[[PrinterDialog], None]
) -> None:
    """F11, ``handler`` runs in the printer dialog; it is closed afterwards."""

    def run(dialog: PrinterDialog) -> None:
        try:
            handler(dialog)
        finally:
            dialog.reject()

    modals.expect(PrinterDialog, run)
    screen_of(window).open_printer()
    modals.check()


def button(dialog: QWidget, name: str) -> QPushButton:
    found = dialog.findChild(QPushButton, name)
    assert isinstance(found, QPushButton), name
    return found


def button_labelled(parent: QWidget, text: str) -> QPushButton:
    found = [b for b in parent.findChildren(QPushButton) if b.text() == text]
    assert len(found) == 1, [b.text() for b in parent.findChildren(QPushButton)]
    return found[0]


def answer_approval(modals: Modals, code: str, pin: str) -> None:
    def approve(dialog: ApprovalDialog) -> None:
        dialog.code.setText(code)
        dialog.pad.field.setText(pin)
        dialog.pad.field.returnPressed.emit()
        assert dialog.result() == QDialog.DialogCode.Accepted, dialog.message.text()

    modals.expect(ApprovalDialog, approve)


def answer_reason(modals: Modals, reason: str, asked: list[str] | None = None) -> None:
    def give(dialog: QInputDialog) -> None:
        if asked is not None:
            asked.append(dialog.labelText())
        dialog.setTextValue(reason)
        dialog.accept()

    modals.expect(QInputDialog, give)


# --------------------------------------------------------------------------------------
# sales reach the printer
# --------------------------------------------------------------------------------------
def test_a_cash_sale_prints_one_receipt_and_kicks_the_drawer_once(
    supermarket: Counter,
    window_factory: WindowFactory,
    sink_factory: SinkFactory,
    fake: FakePrinter,
    modals: Modals,
    qtbot: QtBot,
) -> None:
    sink = sink_factory(fake.url)
    window = window_factory(supermarket, sink=sink)

    receipt = cash_sale_through_the_ui(qtbot, modals, window, tendered="20")
    assert "Change: ¥4.10" in screen_of(window).notice.text()

    assert send_all(sink) == 2  # the drawer kick, then the receipt
    ops = parse(fake.received)
    assert len(kicks(ops)) == 1
    [job] = jobs_of(ops)
    text = receipt_text(job)
    assert text.count(receipt) == 1
    assert "洗衣液 Detergent" in text
    assert job_rows(supermarket) == [("drawer", None, "printed"), ("sale", receipt, "printed")]
    assert window.printer_label.text() == "Printer: ready"


def test_the_sale_is_committed_while_the_printer_refuses_and_prints_once_when_back(
    supermarket: Counter,
    window_factory: WindowFactory,
    sink_factory: SinkFactory,
    fake: FakePrinter,
    modals: Modals,
    qtbot: QtBot,
) -> None:
    sink = sink_factory(fake.url)
    window = window_factory(supermarket, sink=sink)
    fake.refuse()

    receipt = cash_sale_through_the_ui(qtbot, modals, window)
    assert supermarket.count("sales") == 1  # committed: the printer never holds it up
    assert screen_of(window).lines == []  # ready for the next customer

    for _ in range(3):
        assert sink.printer.worker.run_once() is None
    assert fake.received == b""
    assert window.printer_label.text() == "Printer: offline, 2 waiting"

    fake.accept_again()
    assert send_all(sink) == 2
    assert send_all(sink) == 0  # nothing printed twice
    ops = parse(fake.received)
    assert len(kicks(ops)) == 1
    assert len(jobs_of(ops)) == 1
    assert receipt_text(ops).count(receipt) == 1
    assert window.printer_label.text() == "Printer: ready"


def test_the_status_bar_follows_the_printer(
    supermarket: Counter,
    window_factory: WindowFactory,
    sink_factory: SinkFactory,
    fake: FakePrinter,
    modals: Modals,
    qtbot: QtBot,
) -> None:
    sink = sink_factory(fake.url)
    window = window_factory(supermarket, sink=sink)
    assert window.printer_label.text() == "Printer: connecting"  # nothing sent yet

    fake.refuse()
    cash_sale_through_the_ui(qtbot, modals, window)
    assert sink.printer.worker.run_once() is None
    assert window.printer_label.text() == "Printer: offline, 2 waiting"

    fake.accept_again()
    assert sink.printer.worker.run_once() is True  # the drawer kick
    assert window.printer_label.text() == "Printer: ready, 1 waiting"
    assert sink.printer.worker.run_once() is True  # the receipt
    assert window.printer_label.text() == "Printer: ready"


def test_the_waiting_count_goes_up_as_soon_as_a_receipt_is_queued(
    supermarket: Counter,
    window_factory: WindowFactory,
    sink_factory: SinkFactory,
    fake: FakePrinter,
    modals: Modals,
    qtbot: QtBot,
) -> None:
    sink = sink_factory(fake.url)
    window = window_factory(supermarket, sink=sink)
    fake.refuse()
    cash_sale_through_the_ui(qtbot, modals, window)
    assert sink.printer.worker.run_once() is None
    assert window.printer_label.text() == "Printer: offline, 2 waiting"
    # a second cash sale while the worker backs off: its kick and receipt are queued
    sale = supermarket.sell(None, [CartLine("daily", 990)])
    sink.sale_completed(sale)
    assert job_rows(supermarket).count(("sale", sale.receipt_no, "queued")) == 1
    assert window.printer_label.text() == "Printer: offline, 4 waiting"


def test_with_the_worker_running_a_sale_prints_by_itself(
    supermarket: Counter,
    window_factory: WindowFactory,
    sink_factory: SinkFactory,
    fake: FakePrinter,
    modals: Modals,
    qtbot: QtBot,
) -> None:
    sink = sink_factory(fake.url)
    window = window_factory(supermarket, sink=sink)
    sink.start()
    try:
        receipt = cash_sale_through_the_ui(qtbot, modals, window)
        assert fake.wait_for(lambda data: receipt.encode() in data and b"\x1dV" in data)
        # the worker's state change reaches the status bar on the GUI thread
        qtbot.waitUntil(
            lambda: window.printer_label.text() == "Printer: ready", timeout=int(WAIT_S * 1000)
        )
    finally:
        sink.stop()
    ops = parse(fake.received)
    assert len(kicks(ops)) == 1
    assert len(jobs_of(ops)) == 1


# --------------------------------------------------------------------------------------
# F11: the printer dialog
# --------------------------------------------------------------------------------------
def test_f11_without_a_printer_says_none_is_set_up(
    supermarket: Counter, window_factory: WindowFactory
) -> None:
    window = window_factory(supermarket)
    screen_of(window).open_printer()
    assert QApplication.activeModalWidget() is None
    assert "No receipt printer is set up" in screen_of(window).notice.text()
    assert window.printer_label.text() == "Printer: no printer"


@pytest.mark.parametrize(
    ("language", "mark"), [("zh_CN", "*** 重印 ***"), ("en", "*** REPRINT ***")]
)
def test_reprint_the_last_receipt_carries_the_reprint_mark(
    supermarket: Counter,
    window_factory: WindowFactory,
    sink_factory: SinkFactory,
    fake: FakePrinter,
    modals: Modals,
    language: str,
    mark: str,
) -> None:
    sink = sink_factory(fake.url, language=language)
    window = window_factory(supermarket, sink=sink)
    sale = printed_sale(supermarket, sink)
    before = len(fake.received)
    seen: dict[str, object] = {}

    def reprint_last(dialog: PrinterDialog) -> None:
        seen["jobs"] = dialog.jobs.rowCount()
        seen["state"] = dialog.state.text()
        button(dialog, "reprint_last").click()
        seen["message"] = dialog.message.text()

    open_dialog(modals, window, reprint_last)
    assert seen == {"jobs": 2, "state": "Printer: ready", "message": "Sent to the printer."}
    assert send_all(sink) == 1  # a reprint opens no drawer
    ops = parse(fake.received[before:])
    assert kicks(ops) == []
    [job] = jobs_of(ops)
    text = receipt_text(job)
    assert mark in text and sale.receipt_no in text
    assert mark not in receipt_text(parse(fake.received[:before]))  # the original had none


def test_reprint_by_typed_number_and_enter_keeps_the_dialog_open(
    supermarket: Counter,
    window_factory: WindowFactory,
    sink_factory: SinkFactory,
    fake: FakePrinter,
    modals: Modals,
    qtbot: QtBot,
) -> None:
    sink = sink_factory(fake.url)
    window = window_factory(supermarket, sink=sink)
    first = printed_sale(supermarket, sink)
    supermarket.sell(None, [CartLine("daily", 990)])  # a later sale: "last" is not the one
    before = len(fake.received)
    seen: dict[str, object] = {}

    def by_number(dialog: PrinterDialog) -> None:
        dialog.number.setFocus()
        qtbot.keyClicks(dialog.number, first.receipt_no)
        qtbot.keyClick(dialog.number, Qt.Key.Key_Return)
        seen["open"] = dialog.isVisible()
        seen["message"] = dialog.message.text()
        seen["jobs"] = [dialog.jobs.item(0, c).text() for c in (1, 2, 3)]

    open_dialog(modals, window, by_number)
    assert seen == {
        "open": True,  # Enter reprints; it does not close the dialog
        "message": "Sent to the printer.",
        "jobs": ["receipt", first.receipt_no, "waiting"],
    }
    assert send_all(sink) == 1
    text = receipt_text(parse(fake.received[before:]))
    assert "*** 重印 ***" in text and first.receipt_no in text


def test_reprint_of_an_unknown_number_shows_an_error_and_queues_nothing(
    supermarket: Counter,
    window_factory: WindowFactory,
    sink_factory: SinkFactory,
    fake: FakePrinter,
    modals: Modals,
) -> None:
    sink = sink_factory(fake.url)
    window = window_factory(supermarket, sink=sink)
    printed_sale(supermarket, sink)
    jobs = job_rows(supermarket)
    seen: dict[str, str] = {}

    def unknown(dialog: PrinterDialog) -> None:
        dialog.number.setText("S01-D1-999999")
        button_labelled(dialog, "Reprint").click()
        seen["message"] = dialog.message.text()
        dialog.number.clear()
        button_labelled(dialog, "Reprint").click()
        seen["empty"] = dialog.message.text()

    open_dialog(modals, window, unknown)
    assert seen["message"] == "Not found: no sale has receipt number S01-D1-999999"
    assert seen["empty"] == "Type or scan a receipt number"
    assert job_rows(supermarket) == jobs
    assert send_all(sink) == 0


def test_reprint_last_with_nothing_printed_says_so(
    supermarket: Counter,
    window_factory: WindowFactory,
    sink_factory: SinkFactory,
    fake: FakePrinter,
    modals: Modals,
) -> None:
    sink = sink_factory(fake.url)
    window = window_factory(supermarket, sink=sink)
    seen: dict[str, str] = {}

    def reprint_last(dialog: PrinterDialog) -> None:
        button(dialog, "reprint_last").click()
        seen["message"] = dialog.message.text()

    open_dialog(modals, window, reprint_last)
    assert "nothing has been printed" in seen["message"]
    assert job_rows(supermarket) == []


def test_balance_slip_only_with_a_member_and_it_prints_the_balance(
    supermarket: Counter,
    window_factory: WindowFactory,
    sink_factory: SinkFactory,
    fake: FakePrinter,
    modals: Modals,
) -> None:
    sink = sink_factory(fake.url)
    window = window_factory(supermarket, sink=sink)
    member = supermarket.register(card=CARD)
    supermarket.give(member.id, 1234)  # + 50 sign-up bonus
    seen: dict[str, object] = {}

    open_dialog(
        modals,
        window,
        lambda d: seen.update(without=button_labelled(d, "Balance slip").isEnabled()),
    )
    screen_of(window).find_member(CARD)
    assert screen_of(window).member is not None

    def slip(dialog: PrinterDialog) -> None:
        slip_button = button_labelled(dialog, "Balance slip")
        seen["with"] = slip_button.isEnabled()
        slip_button.click()
        seen["message"] = dialog.message.text()

    open_dialog(modals, window, slip)
    assert seen == {
        "without": False,
        "with": True,
        "message": "Balance slip sent to the printer.",
    }
    assert send_all(sink) == 1
    [job] = jobs_of(parse(fake.received))
    text = receipt_text(job)
    assert "会员积分单" in text
    assert "1,284" in text or "1284" in text
    assert "收银员" in text  # who printed it
    assert job_rows(supermarket) == [("balance", None, "printed")]


def test_a_cashier_opens_the_drawer_with_a_managers_approval_and_a_reason(
    supermarket: Counter,
    window_factory: WindowFactory,
    sink_factory: SinkFactory,
    fake: FakePrinter,
    modals: Modals,
) -> None:
    sink = sink_factory(fake.url)
    window = window_factory(supermarket, sink=sink)
    asked: list[str] = []
    seen: dict[str, str] = {}

    def open_drawer(dialog: PrinterDialog) -> None:
        answer_approval(modals, "2", "2222")
        answer_reason(modals, "change for the float", asked)
        button(dialog, "open_drawer").click()
        seen["message"] = dialog.message.text()

    open_dialog(modals, window, open_drawer)
    assert asked == ["Why open the drawer? (for the record)"]
    assert seen["message"] == "The drawer opens."
    assert drawer_audits(supermarket) == [
        {"requested_by": "1", "approved_by": "2", "reason": "change for the float"}
    ]
    assert job_rows(supermarket) == [("drawer", None, "queued")]
    assert send_all(sink) == 1
    assert len(kicks(parse(fake.received))) == 1
    assert jobs_of(parse(fake.received)) == []  # a kick, no paper


def test_a_cashier_without_approval_does_not_open_the_drawer(
    supermarket: Counter,
    window_factory: WindowFactory,
    sink_factory: SinkFactory,
    fake: FakePrinter,
    modals: Modals,
) -> None:
    sink = sink_factory(fake.url)
    window = window_factory(supermarket, sink=sink)

    def cancel(approval: ApprovalDialog) -> None:
        approval.reject()

    def open_drawer(dialog: PrinterDialog) -> None:
        modals.expect(ApprovalDialog, cancel)
        button(dialog, "open_drawer").click()

    open_dialog(modals, window, open_drawer)
    assert drawer_audits(supermarket) == []
    assert job_rows(supermarket) == []


def test_a_manager_opens_the_drawer_without_an_approval_dialog(
    supermarket: Counter,
    window_factory: WindowFactory,
    sink_factory: SinkFactory,
    fake: FakePrinter,
    modals: Modals,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sink = sink_factory(fake.url)
    window = window_factory(supermarket, login_as="2", pin="2222", sink=sink)
    approvals: list[str] = []
    monkeypatch.setattr(
        ApprovalDialog, "ask", classmethod(lambda cls, **kw: approvals.append(kw["what"]))
    )

    def open_drawer(dialog: PrinterDialog) -> None:
        answer_reason(modals, "customer dropped a coin")
        button(dialog, "open_drawer").click()

    open_dialog(modals, window, open_drawer)
    assert approvals == []
    assert drawer_audits(supermarket) == [
        {"requested_by": "2", "approved_by": "2", "reason": "customer dropped a coin"}
    ]
    assert send_all(sink) == 1
    assert len(kicks(parse(fake.received))) == 1


def test_a_too_short_reason_is_refused_no_kick_no_record(
    supermarket: Counter,
    window_factory: WindowFactory,
    sink_factory: SinkFactory,
    fake: FakePrinter,
    modals: Modals,
) -> None:
    sink = sink_factory(fake.url)
    window = window_factory(supermarket, login_as="2", pin="2222", sink=sink)
    seen: dict[str, str] = {}

    def open_drawer(dialog: PrinterDialog) -> None:
        answer_reason(modals, "x")
        button(dialog, "open_drawer").click()
        seen["message"] = dialog.message.text()

    open_dialog(modals, window, open_drawer)
    assert seen["message"] == "Please check the input: give a reason (a few words) for the record"
    assert drawer_audits(supermarket) == []
    assert job_rows(supermarket) == []
    assert send_all(sink) == 0 and fake.received == b""


# --------------------------------------------------------------------------------------
# returns and gifts print too
# --------------------------------------------------------------------------------------
def test_a_return_through_the_counter_prints_its_receipt_and_opens_the_drawer(
    supermarket: Counter,
    window_factory: WindowFactory,
    sink_factory: SinkFactory,
    fake: FakePrinter,
    modals: Modals,
) -> None:
    sink = sink_factory(fake.url)
    window = window_factory(supermarket, sink=sink)
    sale = printed_sale(supermarket, sink)
    before = len(fake.received)

    def return_one(dialog: ReturnDialog) -> None:
        dialog.receipt.setText(sale.receipt_no)
        dialog.load()
        assert dialog.table.rowCount() == 1, dialog.error.text()
        dialog.set_quantity(1, 1)
        assert dialog.ok.isEnabled(), dialog.error.text()
        dialog.ok.click()

    modals.expect(ReturnDialog, return_one)
    screen_of(window).open_return()
    modals.check()
    notice = screen_of(window).notice.text()
    assert notice.startswith("Return R-S01-D1-000002 done."), notice

    assert send_all(sink) == 2  # the refund's drawer kick and the return receipt
    ops = parse(fake.received[before:])
    assert len(kicks(ops)) == 1
    [job] = jobs_of(ops)
    text = receipt_text(job)
    assert "退货单" in text and "R-S01-D1-000002" in text and sale.receipt_no in text


def test_a_gift_handed_over_at_the_counter_prints_on_the_preview_printer(
    supermarket: Counter,
    window_factory: WindowFactory,
    modals: Modals,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "preview"
    sink = PrinterSink(
        supermarket.db,
        preview_printer(folder),
        runner=OpRunner(inline=True),
        clock=lambda: supermarket.now,
    )
    window = window_factory(supermarket, sink=sink)
    text = (resources.files("resources") / "gifts" / "supermarket.toml").read_text("utf-8")
    import_catalogue(supermarket.db, actor=supermarket.manager, text=text, now=supermarket.now)
    member = supermarket.register(card=CARD)
    supermarket.give(member.id, 1000)
    screen_of(window).find_member(CARD)
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.Yes)
    done: list[str] = []

    def hand_over(dialog: GiftDialog) -> None:
        dialog.select("tissue")
        dialog.redeem()
        done.extend(r.redemption_no for r in dialog.done_redemptions)
        dialog.accept()

    modals.expect(GiftDialog, hand_over)
    screen_of(window).open_gifts()
    modals.check()
    [number] = done
    assert screen_of(window).notice.text() == "1 gift(s) handed over."

    assert send_all(sink) == 1
    assert window.printer_label.text() == "Printer: preview"
    [binary] = folder.glob("*.bin")
    assert number in binary.name and binary.with_suffix(".png").exists()
    text = receipt_text(parse(binary.read_bytes()))
    assert "积分兑换单" in text and number in text


# --------------------------------------------------------------------------------------
# the dialog on screen
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_printer_dialog_renders(
    supermarket: Counter,
    window_factory: WindowFactory,
    sink_factory: SinkFactory,
    fake: FakePrinter,
    qtbot: QtBot,
    language: str,
) -> None:
    app = QApplication.instance()
    assert app is not None
    i18n.install(app, language)  # before any widget is built
    sink = sink_factory(fake.url)
    window = window_factory(supermarket, sink=sink)
    printed_sale(supermarket, sink)
    fake.status_reply = {**READY_STATUS, 4: PAPER_OUT}
    sink.reprint(None)
    assert sink.printer.worker.run_once() is None  # the reprint waits for paper
    screen = screen_of(window)
    screen.find_member(CARD)
    assert screen.member is not None and window.session is not None
    dialog = PrinterDialog(
        sink=sink,
        db=supermarket.db,
        runner=window.runner,
        clock=window.clock,
        actor=window.session,
        member_id=screen.member.id,
        parent=window,
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    QApplication.processEvents()
    assert dialog.jobs.rowCount() == 3
    assert (
        dialog.state.text()
        == {
            "en": "Printer: paper out, 1 waiting",
            "zh_CN": "打印机：缺纸，1 张待打印",
        }[language]
    )
    path = SHOTS / f"printer_dialog_{language}.png"
    screenshot(dialog, path)
    image = QImage(str(path))
    assert not image.isNull() and image.width() >= 600 and image.height() >= 400
    dialog.close()
