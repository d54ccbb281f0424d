"""The kiosk driven like a member drives it: scans, on-screen keys, waiting; offscreen,
on a real store database, with the op runner inline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from pos_app.services.gifts import import_catalogue
from pos_app.services.member_pin import MAX_PIN_FAILURES, set_member_pin
from tests.conftest import Counter, at
from tests.ui.test_counter_flows import KeyClock
from ui import i18n
from ui.kiosk import IDLE, MEMBER, PHONE, KioskWindow
from ui.ops import OpRunner

CARD, PHONE_NO, PIN = "8800001001", "13800138000", "2468"


@dataclass
class FakeSlipPrinter:
    slips: list[str] = field(default_factory=list)

    def balance_slip(self, member_id: str, staff: str) -> None:
        self.slips.append(member_id)


class Kiosk:
    def __init__(self, qtbot: QtBot, counter: Counter, window: KioskWindow, keys: KeyClock) -> None:
        self.qtbot, self.counter, self.window, self.keys = qtbot, counter, window, keys
        self.now = counter.now

    def scan(self, code: str) -> None:
        """A keyboard-wedge scanner: the code in 5 ms steps, then Enter."""
        target = QApplication.focusWidget() or self.window
        self.keys.burst()
        self.qtbot.keyClicks(target, code)
        self.qtbot.keyClick(target, Qt.Key.Key_Return)
        self.keys.typing()

    def touch(self, button: QWidget) -> None:
        assert button.isVisible() and button.isEnabled(), button
        self.qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    def keypad(self, pad: object, digits: str) -> None:
        for digit in digits:
            self.touch(pad.keys[digit])  # type: ignore[attr-defined]
        self.touch(pad.ok)  # type: ignore[attr-defined]

    def phone_login(self, phone: str, pin: str) -> None:
        w = self.window
        if w.stack.currentIndex() != PHONE:
            self.touch(w.use_phone)
        self.keypad(w.phone_pad, phone)
        self.keypad(w.phone_pad, pin)

    @property
    def message(self) -> str:
        return self.window.message.text()


KioskFactory = Callable[..., Kiosk]


@pytest.fixture
def kiosk_factory(qtbot: QtBot) -> KioskFactory:
    def make(
        counter: Counter,
        *,
        idle_seconds: int = 30,
        printer: object = None,
        language: str = "en",
    ) -> Kiosk:
        app = QApplication.instance()
        assert app is not None
        i18n.install(app, language)
        holder: dict[str, dt.datetime] = {}
        window = KioskWindow(
            db=counter.db,
            runner=OpRunner(inline=True),
            clock=lambda: holder["now"],
            kiosk_name="K1",
            store_name="测试门店",
            idle_seconds=idle_seconds,
            printer=printer,
            language=language,
        )
        qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        qtbot.waitExposed(window)
        keys = KeyClock()
        window.scanner._clock = keys
        kiosk = Kiosk(qtbot, counter, window, keys)
        holder["now"] = counter.now

        # the kiosk's clock follows the test's ``kiosk.now``
        def clock() -> dt.datetime:
            return kiosk.now

        window.clock = clock
        return kiosk

    return make


def _member(counter: Counter, points: int = 3_000) -> str:
    member = counter.register(name="张伟", phone=PHONE_NO, card=CARD)
    counter.give(member.id, points)
    set_member_pin(counter.db, actor=counter.cashier, member_id=member.id, pin=PIN, now=counter.now)
    return member.id


def test_card_scan_shows_the_balance(supermarket: Counter, kiosk_factory: KioskFactory) -> None:
    member_id = _member(supermarket)
    kiosk = kiosk_factory(supermarket)
    assert kiosk.window.stack.currentIndex() == IDLE
    kiosk.scan(CARD)
    w = kiosk.window
    assert w.stack.currentIndex() == MEMBER, kiosk.message
    assert w.balance.text() == f"{supermarket.balance(member_id):,}" == "3,050"
    assert "张*" in w.name.text() and "138****8000" in w.name.text()
    assert "张伟" not in w.name.text() and PHONE_NO not in w.name.text()
    assert w.tier.text() == "Member"
    assert w.progress_text.text() == "Spend ¥5,000.00 more to reach Silver"


def test_unknown_card_is_refused_and_shows_nothing(
    supermarket: Counter, kiosk_factory: KioskFactory
) -> None:
    _member(supermarket)
    kiosk = kiosk_factory(supermarket)
    kiosk.scan("8800009999")
    assert kiosk.window.stack.currentIndex() == IDLE
    assert kiosk.window.view is None
    assert kiosk.message == "This card is not known here. Please ask at the counter."


def test_phone_with_wrong_pin_is_refused_then_locked_out(
    supermarket: Counter, kiosk_factory: KioskFactory
) -> None:
    _member(supermarket)
    kiosk = kiosk_factory(supermarket)
    w = kiosk.window
    for attempt in range(1, MAX_PIN_FAILURES):
        kiosk.now += dt.timedelta(minutes=1, seconds=1)  # slower than the kiosk's own limit
        kiosk.phone_login(PHONE_NO, "1357")
        assert w.stack.currentIndex() == PHONE and w.view is None
        assert kiosk.message.startswith("The phone number or the PIN is not right."), attempt
        assert w.phone_pad.field.text() == "" and w.phone_prompt.text() == (
            "Enter your mobile phone number"
        )
    assert "1 more tries before a lockout." in kiosk.message
    kiosk.now += dt.timedelta(minutes=1, seconds=1)
    kiosk.phone_login(PHONE_NO, "1357")
    assert kiosk.message == "Too many wrong PINs. Please try again in 15 min or ask at the counter."
    # the right PIN does not open it while the lockout lasts
    kiosk.now += dt.timedelta(minutes=3)
    kiosk.phone_login(PHONE_NO, PIN)
    assert w.stack.currentIndex() == PHONE and w.view is None
    assert kiosk.message.startswith("Too many wrong PINs. Please try again in 12 min")
    with supermarket.sql() as conn:
        assert conn.execute("SELECT locked_until FROM kiosk_pin_state").fetchone()[0] is not None
    kiosk.now += dt.timedelta(minutes=13)
    kiosk.phone_login(PHONE_NO, PIN)
    assert w.stack.currentIndex() == MEMBER, kiosk.message
    assert w.balance.text() == "3,050"


def test_inactivity_clears_the_screen(
    supermarket: Counter, kiosk_factory: KioskFactory, qtbot: QtBot
) -> None:
    _member(supermarket)
    kiosk = kiosk_factory(supermarket, idle_seconds=1)
    w = kiosk.window
    kiosk.scan(CARD)
    assert w.stack.currentIndex() == MEMBER
    kiosk.touch(w.tab_buttons[1])  # history on screen
    assert w.table.rowCount() > 0
    qtbot.waitUntil(lambda: w.stack.currentIndex() == IDLE, timeout=3000)
    assert w.view is None and w.history is None
    assert w.balance.text() == "" and w.name.text() == "" and w.expiring.text() == ""
    assert w.table.rowCount() == 0 and w.gifts.count() == 0 and w.chart.series == ()
    # a half-typed phone number is cleared too
    kiosk.touch(w.use_phone)
    kiosk.touch(w.phone_pad.keys["1"])
    qtbot.waitUntil(lambda: w.stack.currentIndex() == IDLE, timeout=3000)
    assert w.phone_pad.field.text() == ""


def test_exit_is_refused_without_a_manager_pin(
    supermarket: Counter, kiosk_factory: KioskFactory, qtbot: QtBot
) -> None:
    kiosk = kiosk_factory(supermarket)
    w = kiosk.window
    assert w.windowFlags() & Qt.WindowType.FramelessWindowHint
    assert w.close() is False and w.isVisible()  # Alt+F4 / the window manager
    for key, mods in (
        (Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_F4, Qt.KeyboardModifier.AltModifier),
        (Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier),
    ):
        event = QKeyEvent(QEvent.Type.KeyPress, key, mods)
        assert w.eventFilter(w, event) is True  # swallowed
    qtbot.keyClick(w, Qt.Key.Key_Escape)
    assert w.isVisible() and w.menuBar().actions() == []
    kiosk.touch(w.close_kiosk)
    kiosk.keypad(w.exit_pad, "1")  # a cashier
    kiosk.keypad(w.exit_pad, "1111")
    assert w.isVisible() and "only a manager" in kiosk.message
    kiosk.keypad(w.exit_pad, "2")
    kiosk.keypad(w.exit_pad, "9999")  # wrong PIN
    assert w.isVisible() and "Wrong staff number or PIN" in kiosk.message
    closed: list[str] = []
    w.closed_by_manager.connect(closed.append)
    kiosk.keypad(w.exit_pad, "2")
    kiosk.keypad(w.exit_pad, "2222")
    assert closed == ["经理"] and not w.isVisible()


def test_member_with_points_expiring_sees_them_with_dates(
    counter_factory: Callable[..., Counter], kiosk_factory: KioskFactory
) -> None:
    hotel = counter_factory("hotel", now=at(2024, 12, 1, 10))
    member = hotel.register(name="张伟", phone=PHONE_NO, card=CARD)
    hotel.give(member.id, 700, now=at(2024, 12, 20, 15))
    hotel.give(member.id, 900, now=at(2025, 2, 15, 9))
    kiosk = kiosk_factory(hotel)
    kiosk.now = at(2026, 12, 2, 10)
    kiosk.scan(CARD)
    text = kiosk.window.expiring.text()
    assert "Expiring within 30 days: 700 points" in text
    assert "Expiring within 90 days: 1,600 points" in text
    assert "700 points usable until 20 Dec 2026" in text
    assert "900 points usable until 15 Feb 2027" in text
    kiosk.touch(kiosk.window.language)
    text = kiosk.window.expiring.text()
    assert "30天内到期：700 积分" in text and "2026年12月20日" in text, text


def test_chart_has_one_point_per_month(
    counter_factory: Callable[..., Counter], kiosk_factory: KioskFactory
) -> None:
    store = counter_factory("supermarket", now=at(2025, 1, 10, 10))
    member = store.register(name="张伟", phone=PHONE_NO, card=CARD)
    store.give(member.id, 1_000, now=at(2025, 7, 3, 9))
    store.give(member.id, 500, now=at(2026, 2, 3, 9))
    kiosk = kiosk_factory(store)
    kiosk.now = at(2026, 3, 5, 12)
    kiosk.scan(CARD)
    chart = kiosk.window.chart
    assert len(chart.series) == 12
    months = [p.month for p in chart.series]
    assert months[0] == dt.date(2025, 4, 1) and months[-1] == dt.date(2026, 3, 1)
    dots = chart.positions()
    assert len(dots) == 12
    xs = [d.x() for d in dots]
    assert xs == sorted(xs) and len(set(xs)) == 12
    ys = [round(d.y()) for d in dots]
    assert ys[2] == ys[0] > ys[3] == ys[9] > ys[10] == ys[11]  # up in July, up in February
    assert [p.balance for p in chart.series][-1] == 1_550


def test_history_pages_gifts_and_the_balance_slip(
    supermarket: Counter, kiosk_factory: KioskFactory
) -> None:
    text = (resources.files("resources") / "gifts" / "supermarket.toml").read_text("utf-8")
    import_catalogue(supermarket.db, actor=supermarket.manager, text=text, now=supermarket.now)
    member_id = _member(supermarket, points=950)
    for i in range(7):
        supermarket.give(member_id, 1 + i)
    printer = FakeSlipPrinter()
    kiosk = kiosk_factory(supermarket, printer=printer)
    w = kiosk.window
    kiosk.scan(CARD)
    kiosk.touch(w.tab_buttons[1])
    assert w.table.rowCount() == 5 and w.page_label.text() == "Page 1 of 2"
    assert w.table.item(0, 1).text() == "Correction by the store: opening balance for the test"
    assert not w.newer.isEnabled()
    kiosk.touch(w.older)
    assert w.page_label.text() == "Page 2 of 2"
    assert [w.table.item(r, 1).text() for r in range(w.table.rowCount())][-1] == "Welcome bonus"
    kiosk.touch(w.tab_buttons[2])
    gifts = [w.gifts.item(i).text() for i in range(w.gifts.count())]
    assert any(g.startswith("Cooking oil") and g.endswith("(stock low)") for g in gifts), gifts
    assert not any("kettle" in g for g in gifts)  # silver members and above
    kiosk.touch(w.print_slip)
    assert printer.slips == [member_id] and not w.print_slip.isEnabled()


def test_language_switch_on_screen_and_back_at_idle(
    supermarket: Counter, kiosk_factory: KioskFactory, qtbot: QtBot
) -> None:
    _member(supermarket)
    kiosk = kiosk_factory(supermarket, idle_seconds=1)
    w = kiosk.window
    assert w.language.text() == "中文"
    kiosk.touch(w.language)
    assert w.welcome.text() == "欢迎！在这里查询您的积分" and w.language.text() == "English"
    kiosk.scan(CARD)
    assert w.tier.text() == "普通会员"
    qtbot.waitUntil(lambda: w.stack.currentIndex() == IDLE, timeout=3000)
    assert i18n.current() == "en" and w.welcome.text() == "Welcome! Check your points here"
