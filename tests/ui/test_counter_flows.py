"""End-to-end counter flows: real widgets, real services, a temporary store database.

Every flow is driven the way a cashier drives it (keys, clicks, scanner bursts) and is
then checked on screen *and* in the database. Modal dialogs block in ``exec()``; the
:class:`Modals` helper answers them from a timer while they are open.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from pos_app.services.checkout import CartLine
from tests.conftest import Counter
from tests.ui.conftest import WindowFactory
from ui.counter import CounterScreen
from ui.dialogs import HistoryDialog, OffsetDialog, PaymentDialog, PickMemberDialog, RegisterDialog
from ui.login import ApprovalDialog
from ui.main_window import MainWindow
from ui.returns import ReturnDialog

D = TypeVar("D", bound=QDialog)
W = TypeVar("W", bound=QWidget)

DETERGENT = "690123456789"  # daily, ¥15.90, 3 points per yuan
EARBUDS = "690555000001"  # electronics, ¥1,299.00, 5 points per yuan
RICE = "690000000017"  # fresh, ¥49.80, 1 point per yuan
CARD = "8800012345"
PHONE = "13812345678"
SIGNUP_BONUS = 50  # supermarket program
REFERRAL_BONUS = 100


# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------
class KeyClock:
    """A fake millisecond clock for the wedge filter: it moves on by ``step`` every time
    the filter reads it, i.e. once per key press, so a test decides how fast it "types"."""

    BURST_MS = 5.0
    TYPING_MS = 150.0

    def __init__(self) -> None:
        self.now = 100_000.0
        self.step = self.TYPING_MS

    def __call__(self) -> float:
        self.now += self.step
        return self.now

    def burst(self) -> None:
        self.now += 1_000.0  # a pause before the scan, so nothing typed earlier joins it
        self.step = self.BURST_MS

    def typing(self) -> None:
        self.step = self.TYPING_MS


class Modals:
    """Answers modal dialogs opened with ``exec()``: ``expect(kind, handler)`` before the
    action that opens one; ``handler(dialog)`` runs while it is open and must close it.
    A failing handler closes the dialog (no hung test) and the error is raised by
    :meth:`check`; a dialog that never opens is an error too."""

    TIMEOUT_S = 5.0

    def __init__(self, qtbot: QtBot) -> None:
        self.qtbot = qtbot
        self.errors: list[BaseException] = []
        self.pending = 0
        self.dismissed: list[str] = []
        self._rules: list[Callable[[QWidget], bool]] = []
        self._sweeper = QTimer()
        self._sweeper.setInterval(20)
        self._sweeper.timeout.connect(self._sweep)
        self._sweeper.start()

    def expect(self, kind: type[D], handler: Callable[[D], None]) -> None:
        self.pending += 1
        deadline = time.monotonic() + self.TIMEOUT_S

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
                self.errors.append(
                    AssertionError(f"no {kind.__name__} opened (active modal: {modal!r})")
                )
                self.pending -= 1
                close_modals()
                return
            QTimer.singleShot(10, attempt)

        QTimer.singleShot(0, attempt)

    def dismiss_when(self, rule: Callable[[QWidget], bool]) -> None:
        """Reject, and remember, any modal matching ``rule`` (a dialog that should not open)."""
        self._rules.append(rule)

    def _sweep(self) -> None:
        modal = QApplication.activeModalWidget()
        if modal is not None and any(rule(modal) for rule in self._rules):
            text = modal.text() if isinstance(modal, QMessageBox) else ""
            self.dismissed.append(f"{type(modal).__name__} {modal.windowTitle()!r} {text}")
            if isinstance(modal, QDialog):
                modal.reject()
            else:
                modal.close()

    def check(self) -> None:
        self.qtbot.waitUntil(lambda: self.pending == 0, timeout=int(self.TIMEOUT_S * 2000))
        if self.errors:
            raise self.errors[0]

    def stop(self) -> None:
        self._sweeper.stop()
        close_modals()


def close_modals() -> None:
    for _ in range(10):
        modal = QApplication.activeModalWidget()
        if modal is None:
            return
        if isinstance(modal, QDialog):
            modal.reject()
        else:
            modal.close()


def ok_button(dialog: QDialog) -> QPushButton:
    box = dialog.findChild(QDialogButtonBox)
    assert box is not None
    button = box.button(QDialogButtonBox.StandardButton.Ok)
    assert button is not None
    return button


def cancel_button(dialog: QDialog) -> QPushButton:
    box = dialog.findChild(QDialogButtonBox)
    assert box is not None
    button = box.button(QDialogButtonBox.StandardButton.Cancel)
    assert button is not None
    return button


def button_labelled(parent: QWidget, text: str) -> QPushButton:
    found = [b for b in parent.findChildren(QPushButton) if b.text() == text]
    assert len(found) == 1, [b.text() for b in parent.findChildren(QPushButton)]
    return found[0]


def child(parent: QWidget, kind: type[W], name: str) -> W:
    found = parent.findChild(kind, name)
    assert isinstance(found, kind), f"no {kind.__name__} named {name!r}"
    return found


def table_text(table: QTableWidget, column: int) -> list[str]:
    return [
        table.item(row, column).text() if table.item(row, column) else ""
        for row in range(table.rowCount())
    ]


@dataclass
class Till:
    """A logged-in counter window on a test store, with a controllable wedge clock."""

    qtbot: QtBot
    counter: Counter
    window: MainWindow
    keys: KeyClock
    modals: Modals

    @property
    def screen(self) -> CounterScreen:
        assert self.window.counter is not None
        return self.window.counter

    def focus(self, widget: QWidget) -> None:
        if widget.window() is self.window:
            self.activate()
        widget.setFocus()
        self.qtbot.waitUntil(lambda: QApplication.focusWidget() is widget, timeout=2000)

    def type_into(self, widget: QWidget, text: str, *, enter: bool = True) -> None:
        """A person typing: 150 ms between keys, never taken for a scan. Chinese text
        arrives the way an input method delivers it: one committed string."""
        self.focus(widget)
        self.keys.typing()
        if text.isascii():
            self.qtbot.keyClicks(widget, text)
        else:
            commit = QInputMethodEvent()
            commit.setCommitString(text)
            QApplication.sendEvent(widget, commit)
        if enter:
            self.qtbot.keyClick(widget, Qt.Key.Key_Return)

    def scan_into(self, widget: QWidget, code: str) -> None:
        """A keyboard-wedge scanner: the code in 5 ms steps, then Enter."""
        self.focus(widget)
        self.keys.burst()
        self.qtbot.keyClicks(widget, code)
        self.qtbot.keyClick(widget, Qt.Key.Key_Return)
        self.keys.typing()

    def activate(self) -> None:
        """The offscreen platform does not give the window back its activation when a
        dialog closes (a desktop's window manager does): do it here."""
        if QApplication.activeModalWidget() is None and (
            QApplication.activeWindow() is not self.window
        ):
            self.window.activateWindow()
            self.qtbot.waitUntil(lambda: QApplication.activeWindow() is self.window)

    def press(self, key: Qt.Key) -> None:
        """A function key, sent where the keyboard focus is (as a real keyboard does)."""
        self.activate()
        target = QApplication.focusWidget() or self.window
        self.qtbot.keyClick(target, key)

    def click(self, button: QPushButton) -> None:
        self.qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    def ring_up_item(self, code: str, qty: int = 1) -> None:
        self.screen.qty.setValue(qty)
        self.type_into(self.screen.item_code, code)

    def ring_up_amount(self, category: str, amount: str, qty: int = 1) -> None:
        index = self.screen.category.findData(category)
        assert index >= 0, category
        self.screen.category.setCurrentIndex(index)
        self.screen.qty.setValue(qty)
        self.type_into(self.screen.amount, amount)

    def choose_row(self, row: int) -> None:
        table = self.screen.table
        item = table.item(row, 0)
        assert item is not None
        self.qtbot.mouseClick(
            table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualItemRect(item).center()
        )
        assert table.currentRow() == row

    def find_member(self, text: str) -> None:
        self.type_into(self.screen.search, text)

    def notice(self) -> str:
        return self.screen.notice.text()


@pytest.fixture
def modals(qtbot: QtBot) -> Iterator[Modals]:
    driver = Modals(qtbot)
    yield driver
    driver.stop()


TillFactory = Callable[..., Till]


@pytest.fixture
def till_factory(window_factory: WindowFactory, qtbot: QtBot, modals: Modals) -> TillFactory:
    def make(counter: Counter, login_as: str | None = "1") -> Till:
        window = window_factory(counter, login_as=login_as)
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
        keys = KeyClock()
        window.scanner._clock = keys
        return Till(qtbot, counter, window, keys, modals)

    return make


@pytest.fixture
def till(supermarket: Counter, till_factory: TillFactory) -> Till:
    return till_factory(supermarket)


def member_rows(counter: Counter, member_id: str) -> list[tuple[str, int]]:
    with counter.sql() as conn:
        return [
            (str(kind), int(points))
            for kind, points in conn.execute(
                "SELECT kind, points FROM ledger_entries WHERE member_id = ? ORDER BY id",
                (member_id,),
            )
        ]


def pad_key(till: Till, text: str) -> QPushButton:
    return button_labelled(till.window.login.pad, text)


def enter_pin_on_pad(till: Till, pin: str) -> None:
    for digit in pin:
        till.click(pad_key(till, digit))
    till.click(pad_key(till, "OK"))


# --------------------------------------------------------------------------------------
# 1. log-in, lock and unlock
# --------------------------------------------------------------------------------------
def test_cashier_logs_in_with_staff_number_and_pin_pad(
    supermarket: Counter, till_factory: TillFactory
) -> None:
    till = till_factory(supermarket, login_as=None)
    login = till.window.login
    assert till.window.stack.currentWidget() is login
    assert till.window.counter is None

    till.type_into(login.code, "1")  # Enter moves on to the PIN
    assert QApplication.focusWidget() is login.pad.field
    enter_pin_on_pad(till, "1111")

    assert till.window.stack.currentWidget() is till.window.counter
    assert "收银员" in till.window.staff_label.text()


def test_wrong_pin_shows_an_error_and_stays_on_the_login_screen(
    supermarket: Counter, till_factory: TillFactory
) -> None:
    till = till_factory(supermarket, login_as=None)
    login = till.window.login
    till.type_into(login.code, "1")
    enter_pin_on_pad(till, "1234")

    assert till.window.stack.currentWidget() is login
    assert till.window.counter is None
    assert "Wrong staff number or PIN" in login.message.text()
    assert login.pad.field.text() == ""  # the wrong PIN is not left on screen
    assert "nobody logged in" in till.window.staff_label.text()


def test_f9_locks_and_only_the_pin_unlocks_with_the_open_sale_kept(till: Till) -> None:
    till.ring_up_item(DETERGENT, qty=2)
    till.ring_up_item(RICE)
    assert len(till.screen.lines) == 2

    till.press(Qt.Key.Key_F9)
    login = till.window.login
    assert till.window.stack.currentWidget() is login
    assert "Locked: 收银员" in login.title.text()
    assert login.code.text() == "1"

    enter_pin_on_pad(till, "9876")
    assert till.window.stack.currentWidget() is login
    assert "Wrong staff number or PIN" in login.message.text()

    enter_pin_on_pad(till, "1111")
    assert till.window.stack.currentWidget() is till.screen
    assert [line.item_code for line in till.screen.lines] == [DETERGENT, RICE]
    assert till.screen.table.rowCount() == 2
    assert till.screen.due.text() == "Due: ¥81.60"  # 2 × 15.90 + 49.80


def test_a_scan_on_the_lock_screen_does_not_reach_the_counter(till: Till) -> None:
    till.ring_up_item(RICE)
    till.press(Qt.Key.Key_F9)
    till.scan_into(till.window.login.pad.field, EARBUDS)

    assert till.window.stack.currentWidget() is till.window.login
    assert [line.item_code for line in till.screen.lines] == [RICE]


def test_a_scan_on_the_lock_screen_leaves_no_digits_in_the_pin_field(till: Till) -> None:
    till.ring_up_item(RICE)
    till.press(Qt.Key.Key_F9)
    till.scan_into(till.window.login.pad.field, EARBUDS)

    assert till.window.login.pad.field.text() == ""
    enter_pin_on_pad(till, "1111")
    assert till.window.stack.currentWidget() is till.screen
    assert [line.item_code for line in till.screen.lines] == [RICE]


# --------------------------------------------------------------------------------------
# 2. keyboard-wedge scans
# --------------------------------------------------------------------------------------
def test_cashier_scans_card_burst_and_sees_member(till: Till) -> None:
    member = till.counter.register(name="张三丰", phone=PHONE, card=CARD)
    till.counter.give(member.id, 1000)

    till.scan_into(till.screen.search, CARD)

    assert till.screen.member is not None and till.screen.member.id == member.id
    assert till.screen.panel.name.text() == "张**  138****5678"
    assert till.screen.panel.balance.text() == "Balance: 1,050"
    assert till.screen.search.text() == ""


def test_burst_into_item_code_field_finds_member_but_slow_typing_looks_up_an_item(
    till: Till,
) -> None:
    member = till.counter.register(card=CARD)

    till.type_into(till.screen.item_code, CARD)
    assert till.screen.item_code.text() == CARD  # kept, so the cashier can correct it
    assert "Not found" in till.notice() and f"no item with code {CARD}" in till.notice()
    assert till.screen.member is None

    till.screen.item_code.clear()
    till.scan_into(till.screen.item_code, CARD)
    assert till.screen.member is not None and till.screen.member.id == member.id
    assert till.screen.item_code.text() == ""
    assert till.screen.lines == []


def test_item_barcode_burst_in_search_field_rings_up_the_item(till: Till) -> None:
    till.scan_into(till.screen.search, EARBUDS)

    assert [line.item_code for line in till.screen.lines] == [EARBUDS]
    assert till.screen.search.text() == ""
    assert till.screen.table.item(0, 0).text() == "蓝牙耳机 Earbuds"
    assert till.screen.due.text() == "Due: ¥1,299.00"


# --------------------------------------------------------------------------------------
# 3. finding members by phone
# --------------------------------------------------------------------------------------
def test_cashier_finds_member_by_full_phone_with_country_code(till: Till) -> None:
    member = till.counter.register(name="张三", phone=PHONE)
    till.counter.register(name="李四", phone="13900000000")

    till.find_member("+86 138 1234 5678")

    assert till.screen.member is not None and till.screen.member.id == member.id
    assert till.screen.panel.name.text() == "张*  138****5678"
    assert till.screen.search.text() == ""


def test_last_four_digits_shared_by_three_members_offer_a_pick_list(till: Till) -> None:
    till.counter.register(name="王五", phone="13800001234")
    chosen = till.counter.register(name="李四", phone="13900001234")
    till.counter.register(name="赵六", phone="15000001234")
    till.counter.register(name="孙七", phone="15000009999")
    seen: list[str] = []

    def pick(dialog: PickMemberDialog) -> None:
        seen.extend(dialog.list.item(i).text() for i in range(dialog.list.count()))
        row = next(i for i, text in enumerate(seen) if "139****1234" in text)
        dialog.list.setCurrentRow(row)
        till.click(ok_button(dialog))

    till.modals.expect(PickMemberDialog, pick)
    till.find_member("1234")
    till.modals.check()

    assert len(seen) == 3
    assert all("1234" in text for text in seen)
    assert till.screen.member is not None and till.screen.member.id == chosen.id
    assert till.screen.panel.name.text() == "李*  139****1234"


def test_pick_list_shows_the_tier_in_the_screen_language(till: Till) -> None:
    till.counter.register(name="王五", phone="13800001234")
    till.counter.register(name="李四", phone="13900001234")
    seen: list[str] = []

    def look(dialog: PickMemberDialog) -> None:
        seen.extend(dialog.list.item(i).text() for i in range(dialog.list.count()))
        dialog.reject()

    till.modals.expect(PickMemberDialog, look)
    till.find_member("1234")
    till.modals.check()
    assert len(seen) == 2
    assert all("Member" in text and "普通会员" not in text for text in seen)


def test_last_four_digits_of_nobody_says_so(till: Till) -> None:
    till.counter.register(phone=PHONE)
    till.find_member("4321")
    assert till.screen.member is None
    assert till.notice() == "No member's phone ends in these digits"


# --------------------------------------------------------------------------------------
# 4.-5. checkout
# --------------------------------------------------------------------------------------
def test_checkout_with_max_points_offset_and_cash_change(till: Till) -> None:
    counter = till.counter
    member = counter.register(phone=PHONE, card=CARD)
    counter.give(member.id, 10_000)
    before = counter.balance(member.id)
    assert before == 10_050

    till.scan_into(till.screen.search, CARD)
    till.ring_up_item(DETERGENT, qty=2)  # 31.80
    till.ring_up_item(EARBUDS)  # taken off again below
    till.ring_up_amount("general", "20.00", qty=3)  # 60.00
    assert till.screen.due.text() == "Due: ¥1,390.80"

    till.choose_row(1)
    till.press(Qt.Key.Key_Delete)
    assert [line.item_code for line in till.screen.lines] == [DETERGENT, None]
    assert till.screen.subtotal.text() == "Subtotal: ¥91.80"
    assert till.screen.qty.value() == 1

    offered: dict[str, int] = {}

    def use_max(dialog: OffsetDialog) -> None:
        offered["max"] = dialog.spin.maximum()
        till.click(button_labelled(dialog, "Max"))
        offered["chosen"] = dialog.spin.value()
        till.click(ok_button(dialog))

    till.modals.expect(OffsetDialog, use_max)
    till.press(Qt.Key.Key_F4)
    till.modals.check()
    # at most half of ¥91.80, in whole 100-point steps: ¥45.00 = 4,500 points
    assert offered == {"max": 4500, "chosen": 4500}
    assert till.screen.offset_label.text() == "Points used: 4,500 (−¥45.00)"
    assert till.screen.due.text() == "Due: ¥46.80"
    quote = till.screen.quote
    assert quote is not None and quote.offset_points == 4500
    earned = quote.earn_points
    assert till.screen.earn.text() == f"Earns {earned} points"
    assert 0 < earned < 31.80 * 3 + 60  # earned on what is paid in cash, not on the offset

    shown: dict[str, str] = {}

    def pay_cash(dialog: PaymentDialog) -> None:
        shown["due"] = child(dialog, QLabel, "due").text()
        tendered = child(dialog, QLineEdit, "tendered")
        tendered.selectAll()
        till.qtbot.keyClicks(tendered, "100")
        shown["change"] = child(dialog, QLabel, "change").text()
        till.click(ok_button(dialog))

    till.modals.expect(PaymentDialog, pay_cash)
    till.press(Qt.Key.Key_F5)
    till.modals.check()

    assert shown == {"due": "Amount due: ¥46.80", "change": "¥53.20"}
    assert "Sale S01-D1-000001 complete." in till.notice()
    assert "Change: ¥53.20" in till.notice()
    assert f"Points earned: {earned}, balance now {before - 4500 + earned:,}" in till.notice()
    assert till.screen.lines == [] and till.screen.member is None  # ready for the next sale

    with counter.sql() as conn:
        sales = conn.execute(
            "SELECT receipt_no, member_id, subtotal_fen, offset_points, total_fen, earned_points "
            "FROM sales"
        ).fetchall()
        payments = conn.execute(
            "SELECT method, amount_fen, tendered_fen, change_fen FROM payments"
        ).fetchall()
        lines = conn.execute("SELECT COUNT(*) FROM sale_lines").fetchone()[0]
    assert sales == [("S01-D1-000001", member.id, 9180, 4500, 4680, earned)]
    assert payments == [("cash", 4680, 10000, 5320)]
    assert lines == 2
    assert counter.balance(member.id) == before - 4500 + earned
    assert member_rows(counter, member.id)[-2:] == [("offset", -4500), ("earn", earned)]


def test_sale_without_a_member(till: Till) -> None:
    counter = till.counter
    ledger_before = counter.count("ledger_entries")

    till.press(Qt.Key.Key_F4)  # nothing to use points on: says so, opens nothing
    assert till.notice() == "Find the member and ring up the sale first"

    till.ring_up_item(RICE, qty=2)
    assert till.screen.earn.text() == ""
    assert till.screen.panel.name.text() == "No member (F2 to find one)"

    def pay_exact(dialog: PaymentDialog) -> None:
        assert child(dialog, QLineEdit, "tendered").text() == "99.60"
        till.click(ok_button(dialog))

    till.modals.expect(PaymentDialog, pay_exact)
    till.press(Qt.Key.Key_F5)
    till.modals.check()

    assert till.notice() == "Sale S01-D1-000001 complete."
    with counter.sql() as conn:
        sales = conn.execute("SELECT member_id, total_fen, earned_points FROM sales").fetchall()
    assert sales == [(None, 9960, 0)]
    assert counter.count("payments") == 1
    assert counter.count("ledger_entries") == ledger_before

    till.press(Qt.Key.Key_F5)  # paid already: nothing left to pay, no second sale
    assert till.notice() == "Nothing to pay yet"
    assert counter.count("sales") == 1


def test_removing_the_last_line_clears_what_the_sale_earns(till: Till) -> None:
    till.counter.register(phone=PHONE, card=CARD)
    till.scan_into(till.screen.search, CARD)
    till.ring_up_item(DETERGENT)
    assert till.screen.panel.earns.text() == "This sale earns: 47"

    till.choose_row(0)
    till.press(Qt.Key.Key_Delete)
    assert till.screen.lines == []
    assert till.screen.earn.text() == ""
    assert till.screen.panel.earns.text() == ""


# --------------------------------------------------------------------------------------
# 6. registration with a referral
# --------------------------------------------------------------------------------------
def test_register_with_referral_shows_inline_phone_error_then_bonuses(till: Till) -> None:
    counter = till.counter
    referrer = counter.register(name="老王", phone="13900000001", card="8800099999")
    assert counter.balance(referrer.id) == SIGNUP_BONUS
    members_before = counter.count("members")
    seen: dict[str, str] = {}

    def register(dialog: RegisterDialog) -> None:
        till.type_into(child(dialog, QLineEdit, "name"), "李四", enter=False)
        till.type_into(child(dialog, QLineEdit, "phone"), "138 0013", enter=False)
        till.type_into(child(dialog, QLineEdit, "referrer"), "+86 139 0000 0001", enter=False)
        till.click(ok_button(dialog))
        seen["phone error"] = dialog.errors["phone"].text()
        seen["open"] = str(dialog.isVisible())
        seen["rows"] = str(counter.count("members"))

        phone = child(dialog, QLineEdit, "phone")
        phone.clear()
        till.type_into(phone, "138 0013 8000", enter=False)
        till.click(ok_button(dialog))

    till.modals.expect(RegisterDialog, register)
    till.press(Qt.Key.Key_F3)
    till.modals.check()

    assert seen["phone error"].startswith("Please check the input:")
    assert "11 digits" in seen["phone error"]
    assert seen["open"] == "True" and seen["rows"] == str(members_before)

    assert till.notice() == "Registered. Sign-up bonus: 50; the referrer earned 100"
    new = till.screen.member
    assert new is not None and new.masked_phone == "138****8000"
    assert till.screen.panel.name.text() == "李*  138****8000"
    assert counter.count("members") == members_before + 1
    assert counter.balance(new.id) == SIGNUP_BONUS
    assert counter.balance(referrer.id) == SIGNUP_BONUS + REFERRAL_BONUS
    assert member_rows(counter, referrer.id)[-1] == ("referral_bonus", REFERRAL_BONUS)
    with counter.sql() as conn:
        assert conn.execute(
            "SELECT referrer_id FROM members WHERE id = ?", (new.id,)
        ).fetchone() == (referrer.id,)


def test_card_scanned_into_the_register_dialog_fills_the_card_field(till: Till) -> None:
    seen: dict[str, str] = {}
    till.modals.dismiss_when(lambda w: not isinstance(w, RegisterDialog))

    def scan_card(dialog: RegisterDialog) -> None:
        till.type_into(child(dialog, QLineEdit, "name"), "李四", enter=False)
        till.type_into(child(dialog, QLineEdit, "phone"), "13800138000", enter=False)
        till.scan_into(child(dialog, QLineEdit, "card"), "7700012345")
        seen["card"] = dialog.card.text()
        seen["open"] = str(dialog.isVisible())
        dialog.reject()

    till.modals.expect(RegisterDialog, scan_card)
    till.press(Qt.Key.Key_F3)
    till.modals.check()

    assert till.modals.dismissed == []  # no 'Unknown card' box popped up over the dialog
    # the scanner's Enter submits the dialog like a typed Enter, or leaves it open;
    # either way the card is in the card field, not lost
    assert seen["card"] == "7700012345"


# --------------------------------------------------------------------------------------
# 7. unknown cards
# --------------------------------------------------------------------------------------
def test_unknown_card_offers_registration_with_the_card_prefilled(till: Till) -> None:
    counter = till.counter
    seen: dict[str, str] = {}

    def fill_in(dialog: RegisterDialog) -> None:
        seen["card"] = dialog.card.text()
        till.type_into(child(dialog, QLineEdit, "name"), "赵六", enter=False)
        till.type_into(child(dialog, QLineEdit, "phone"), "15000001111", enter=False)
        till.click(ok_button(dialog))

    def register(box: QMessageBox) -> None:
        seen["title"] = box.windowTitle()
        seen["text"] = box.text()
        seen["buttons"] = " | ".join(sorted(b.text() for b in box.buttons()))
        till.modals.expect(RegisterDialog, fill_in)
        till.click(button_labelled(box, "Register a new member"))

    till.modals.expect(QMessageBox, register)
    till.scan_into(till.screen.search, "7700012345")
    till.modals.check()

    assert seen == {
        "title": "Unknown card",
        "text": "No member has card 7700012345.",
        # no member on the counter to give it to: register, or find one by phone
        "buttons": "Cancel | Give it to a member (by phone) | Register a new member",
        "card": "7700012345",
    }
    member = till.screen.member
    assert member is not None and member.cards == ("7700012345",)
    assert till.notice().startswith("Registered. Sign-up bonus: 50")
    with counter.sql() as conn:
        owner = conn.execute(
            "SELECT member_id FROM member_cards WHERE card_no = '7700012345'"
        ).fetchone()
    assert owner == (member.id,)


def test_unknown_card_can_be_given_to_the_member_on_the_counter(till: Till) -> None:
    counter = till.counter
    member = counter.register(name="张三", phone=PHONE, card=CARD)
    till.find_member(PHONE)
    assert till.screen.member is not None

    def give_card(box: QMessageBox) -> None:
        till.click(button_labelled(box, "Give this card to 张*"))

    till.modals.expect(QMessageBox, give_card)
    till.scan_into(till.screen.search, "7700012345")
    till.modals.check()

    assert till.notice() == "Card 7700012345 added"
    assert till.screen.member is not None
    assert set(till.screen.member.cards) == {CARD, "7700012345"}
    with counter.sql() as conn:
        cards = conn.execute(
            "SELECT card_no FROM member_cards WHERE member_id = ? ORDER BY card_no", (member.id,)
        ).fetchall()
    assert cards == [("7700012345",), (CARD,)]


def test_unknown_card_cancelled_changes_nothing(till: Till) -> None:
    counter = till.counter
    counter.register(phone=PHONE)
    before = counter.counts()

    till.modals.expect(QMessageBox, lambda box: box.reject())
    till.scan_into(till.screen.item_code, "7700012345")
    till.modals.check()

    assert counter.counts() == before
    assert till.screen.member is None
    assert till.screen.item_code.text() == ""


# --------------------------------------------------------------------------------------
# 8. returns
# --------------------------------------------------------------------------------------
def detergent_sale(counter: Counter) -> tuple[str, str]:
    member = counter.register(phone=PHONE, card=CARD)
    sale = counter.sell(member.id, [CartLine("daily", 1590, 2, DETERGENT, "洗衣液 Detergent")])
    assert sale.quote.earn_points == 95  # 31.80 × 3, floored
    return member.id, sale.receipt_no


def earbuds_sale(counter: Counter) -> tuple[str, str]:
    member = counter.register(phone=PHONE, card=CARD)
    sale = counter.sell(member.id, [CartLine("electronics", 129900, 2, EARBUDS, "蓝牙耳机")])
    return member.id, sale.receipt_no


def load_receipt_and_choose_one(till: Till, dialog: ReturnDialog, receipt: str) -> QSpinBox:
    till.type_into(child(dialog, QLineEdit, "receipt"), receipt)
    assert dialog.table.rowCount() == 1
    spin = dialog.table.cellWidget(0, 2)
    assert isinstance(spin, QSpinBox) and spin.maximum() == 2
    assert not dialog.ok.isEnabled()
    spin.setFocus()
    till.qtbot.keyClick(spin, Qt.Key.Key_Up)
    assert spin.value() == 1
    return spin


def test_partial_return_of_one_of_two_takes_back_its_share_of_points(till: Till) -> None:
    counter = till.counter
    member_id, receipt = detergent_sale(counter)
    before = counter.balance(member_id)  # 50 + 95
    shown: dict[str, str] = {}

    def return_one(dialog: ReturnDialog) -> None:
        load_receipt_and_choose_one(till, dialog, receipt)
        shown["preview"] = dialog.preview.text()
        till.click(dialog.ok)

    till.modals.expect(ReturnDialog, return_one)
    till.press(Qt.Key.Key_F6)
    till.modals.check()

    preview = shown["preview"].splitlines()
    assert "Refund: ¥15.90" in preview
    assert "Points taken back: 48" in preview  # the kept one keeps floor(95 / 2) = 47
    assert "Give the customer: ¥15.90" in preview
    assert "A manager must approve this return." not in preview
    assert till.notice() == "Return R-S01-D1-000002 done. Give the customer ¥15.90."
    with counter.sql() as conn:
        returns = conn.execute(
            "SELECT return_no, refund_fen, points_reversed, approved_by FROM returns"
        ).fetchall()
        returned = conn.execute("SELECT returned_qty FROM sale_lines").fetchall()
    assert returns == [("R-S01-D1-000002", 1590, 48, None)]
    assert returned == [(1,)]
    assert counter.balance(member_id) == before - 48


def test_return_over_200_yuan_refused_by_the_manager_returns_nothing(till: Till) -> None:
    counter = till.counter
    _member_id, receipt = earbuds_sale(counter)
    before = counter.counts()
    shown: dict[str, str] = {}

    def refuse(approval: ApprovalDialog) -> None:
        shown["approval"] = approval.windowTitle()
        till.click(cancel_button(approval))

    def try_return(dialog: ReturnDialog) -> None:
        load_receipt_and_choose_one(till, dialog, receipt)
        shown["preview"] = dialog.preview.text()
        till.modals.expect(ApprovalDialog, refuse)
        till.click(dialog.ok)  # blocks until the approval dialog is answered
        shown["error"] = dialog.error.text()
        shown["still open"] = str(dialog.isVisible())
        dialog.reject()

    till.modals.expect(ReturnDialog, try_return)
    till.press(Qt.Key.Key_F6)
    till.modals.check()

    assert "Refund: ¥1,299.00" in shown["preview"]
    assert "A manager must approve this return." in shown["preview"]
    assert shown["approval"] == "Manager approval"
    assert shown["error"] == "Not approved: nothing was returned"
    assert shown["still open"] == "True"
    assert counter.counts() == before
    assert not till.notice().startswith("Return")


def test_return_over_200_yuan_approved_by_manager_records_the_approver(till: Till) -> None:
    counter = till.counter
    member_id, receipt = earbuds_sale(counter)
    before = counter.balance(member_id)
    shown: dict[str, str] = {}

    def approve(approval: ApprovalDialog) -> None:
        code = child(approval, QLineEdit, "managercode")
        till.type_into(code, "1", enter=False)  # a cashier cannot approve
        for key in [*"1111", "OK"]:
            till.click(button_labelled(approval.pad, key))
        shown["cashier"] = approval.message.text()
        shown["cashier open"] = str(approval.isVisible())
        code.clear()
        till.type_into(code, "2", enter=False)
        for key in [*"2222", "OK"]:
            till.click(button_labelled(approval.pad, key))

    def return_one(dialog: ReturnDialog) -> None:
        load_receipt_and_choose_one(till, dialog, receipt)
        till.modals.expect(ApprovalDialog, approve)
        till.click(dialog.ok)

    till.modals.expect(ReturnDialog, return_one)
    till.press(Qt.Key.Key_F6)
    till.modals.check()

    assert shown == {"cashier": "收银员 is not a manager", "cashier open": "True"}
    assert till.notice() == "Return R-S01-D1-000002 done. Give the customer ¥1,299.00."
    with counter.sql() as conn:
        returns = conn.execute("SELECT refund_fen, staff_id, approved_by FROM returns").fetchall()
    assert returns == [(129900, counter.cashier.staff_id, counter.manager.staff_id)]
    assert counter.balance(member_id) == before - 6495  # half of the 12,990 earned


def test_manager_approves_with_the_keyboard_number_enter_pin_enter(till: Till) -> None:
    counter = till.counter
    _member_id, receipt = earbuds_sale(counter)

    def approve(approval: ApprovalDialog) -> None:
        till.type_into(child(approval, QLineEdit, "managercode"), "2")  # Enter: on to the PIN
        assert approval.isVisible(), "Enter after the manager's number closed the dialog"
        till.type_into(child(approval, QLineEdit, "managerpin"), "2222")

    def return_one(dialog: ReturnDialog) -> None:
        load_receipt_and_choose_one(till, dialog, receipt)
        till.modals.expect(ApprovalDialog, approve)
        till.click(dialog.ok)
        if dialog.isVisible():  # not approved: close the return dialog too
            dialog.reject()

    till.modals.expect(ReturnDialog, return_one)
    till.press(Qt.Key.Key_F6)
    till.modals.check()

    with counter.sql() as conn:
        returns = conn.execute("SELECT approved_by FROM returns").fetchall()
    assert returns == [(counter.manager.staff_id,)]


def test_scanning_a_receipt_barcode_opens_the_return_dialog_with_it(till: Till) -> None:
    _member_id, receipt = detergent_sale(till.counter)
    assert receipt == "S01-D1-000001"
    shown: dict[str, str] = {}

    def look(dialog: ReturnDialog) -> None:
        shown["receipt"] = dialog.receipt.text()
        shown["lines"] = " | ".join(table_text(dialog.table, 1))
        dialog.reject()

    till.modals.expect(ReturnDialog, look)
    till.scan_into(till.screen.search, receipt)
    till.modals.check()

    assert shown == {"receipt": receipt, "lines": "洗衣液 Detergent"}
    assert till.screen.search.text() == ""
    assert till.screen.member is None  # not taken for a card
    assert till.counter.count("returns") == 0


def test_receipt_scanned_into_the_open_return_dialog_loads_there(till: Till) -> None:
    _member_id, receipt = detergent_sale(till.counter)
    shown: dict[str, str] = {}
    first: list[ReturnDialog] = []
    till.modals.dismiss_when(lambda w: bool(first) and w is not first[0])

    def scan(dialog: ReturnDialog) -> None:
        first.append(dialog)
        till.scan_into(child(dialog, QLineEdit, "receipt"), receipt)
        shown["receipt"] = dialog.receipt.text()
        shown["rows"] = str(dialog.table.rowCount())
        dialog.reject()

    till.modals.expect(ReturnDialog, scan)
    till.press(Qt.Key.Key_F6)
    till.modals.check()

    assert till.modals.dismissed == []  # no second return dialog
    assert shown == {"receipt": receipt, "rows": "1"}


# --------------------------------------------------------------------------------------
# 9. history
# --------------------------------------------------------------------------------------
def test_history_lists_ledger_entries_with_reasons(till: Till) -> None:
    counter = till.counter
    member_id, receipt = detergent_sale(counter)
    counter.give(member_id, 300)
    rows: dict[str, list[str]] = {}

    def read(dialog: HistoryDialog) -> None:
        rows["title"] = [dialog.windowTitle()]
        for column, name in enumerate(("time", "what", "points", "balance", "reason")):
            rows[name] = table_text(dialog.table, column)
        dialog.reject()

    till.press(Qt.Key.Key_F7)
    assert till.notice() == "Find the member first"

    till.find_member(PHONE)
    till.modals.expect(HistoryDialog, read)
    till.press(Qt.Key.Key_F7)
    till.modals.check()

    assert member_id == (till.screen.member.id if till.screen.member else None)
    assert rows["title"] == ["Points history: 张*"]
    assert rows["what"] == ["Adjustment", "Purchase", "Sign-up bonus"]  # newest first
    assert rows["points"] == ["+300", "+95", "+50"]
    assert rows["balance"] == ["445", "145", "50"]
    assert rows["reason"][:2] == ["opening balance for the test", receipt]
    assert rows["time"] == ["2026-03-02 10:00"] * 3


# --------------------------------------------------------------------------------------
# 10. stale quotes
# --------------------------------------------------------------------------------------
def use_max_points(till: Till) -> None:
    def use_max(dialog: OffsetDialog) -> None:
        till.click(button_labelled(dialog, "Max"))
        till.click(ok_button(dialog))

    till.modals.expect(OffsetDialog, use_max)
    till.press(Qt.Key.Key_F4)
    till.modals.check()


def pay_shown_amount(till: Till) -> None:
    till.modals.expect(PaymentDialog, lambda dialog: till.click(ok_button(dialog)))
    till.press(Qt.Key.Key_F5)
    till.modals.check()


def test_points_spent_elsewhere_between_quote_and_pay_stop_the_sale(till: Till) -> None:
    counter = till.counter
    member = counter.register(phone=PHONE, card=CARD)
    counter.give(member.id, 10_000)
    till.scan_into(till.screen.search, CARD)
    till.ring_up_item(DETERGENT, qty=2)
    till.ring_up_amount("general", "60.00")
    use_max_points(till)
    assert till.screen.due.text() == "Due: ¥46.80"
    counter.give(member.id, -9_500)  # behind the window's back: 550 left
    sale_tables = ("sales", "sale_lines", "payments", "ledger_entries", "lot_consumptions")
    before = counter.counts(sale_tables)

    pay_shown_amount(till)
    assert "Not enough points" in till.notice()
    assert counter.counts(sale_tables) == before
    # the window drops the offset it can no longer give and shows the full amount
    assert till.screen.offset_label.text() == ""
    assert till.screen.due.text() == "Due: ¥91.80"
    assert till.screen.quote is not None and till.screen.quote.balance == 550

    pay_shown_amount(till)
    assert till.notice().startswith("Sale S01-D1-000001 complete.")
    with counter.sql() as conn:
        sales = conn.execute("SELECT offset_points, total_fen FROM sales").fetchall()
    assert sales == [(0, 9180)]
    assert [kind for kind, _ in member_rows(counter, member.id)].count("earn") == 1


def test_after_points_spent_elsewhere_the_panel_shows_the_new_balance(till: Till) -> None:
    counter = till.counter
    member = counter.register(phone=PHONE, card=CARD)
    counter.give(member.id, 10_000)
    till.scan_into(till.screen.search, CARD)
    till.ring_up_item(DETERGENT, qty=2)
    till.ring_up_amount("general", "60.00")
    use_max_points(till)
    counter.give(member.id, -9_500)

    pay_shown_amount(till)
    assert "Not enough points" in till.notice()
    assert till.screen.panel.balance.text() == "Balance: 550"


def test_daily_cap_reached_at_another_till_makes_the_quote_stale(till: Till) -> None:
    counter = till.counter
    member = counter.register(phone=PHONE, card=CARD)
    till.scan_into(till.screen.search, CARD)
    till.ring_up_item(RICE)
    assert till.screen.earn.text() == "Earns 49 points"

    # meanwhile the member buys at another till up to the daily points cap (2 × 50,000)
    for _ in range(2):
        counter.sell(member.id, [CartLine("electronics", 1_000_000, 1)])
    before = counter.counts()

    pay_shown_amount(till)
    assert "The amounts changed; please check again" in till.notice()
    assert counter.counts() == before
    assert till.screen.earn.text() == "Earns 0 points"  # requoted

    pay_shown_amount(till)
    assert till.notice().startswith("Sale S01-D1-000003 complete.")
    with counter.sql() as conn:
        sales = conn.execute(
            "SELECT receipt_no, earned_points FROM sales ORDER BY receipt_no"
        ).fetchall()
    assert sales[-1] == ("S01-D1-000003", 0)
    assert len(sales) == 3
