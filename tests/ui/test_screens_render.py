"""Every main screen renders offscreen in Chinese and English; the PNGs land in
docs/screenshots (the README shows them, so the docs stay current with the UI)."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from pos_app.services.checkout import CartLine
from pos_app.services.gifts import import_catalogue
from pos_app.services.history import member_history
from pos_app.services.members import MemberView, search_last4
from tests.conftest import Counter
from tests.ui.conftest import WindowFactory
from ui import i18n
from ui.app import screenshot
from ui.counter import CounterScreen
from ui.dialogs import HistoryDialog, OffsetDialog, PaymentDialog, PickMemberDialog, RegisterDialog
from ui.fmt import money
from ui.gifts import GiftDialog
from ui.login import ApprovalDialog
from ui.main_window import MainWindow
from ui.returns import ReturnDialog

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
LANGUAGES = ("zh_CN", "en")
CARD = "8800001001"
DETERGENT, EARBUDS = "690123456789", "690555000001"


class Scene:
    """A logged-in counter with a member found, points on the account and a few lines."""

    def __init__(self, counter: Counter, window: MainWindow) -> None:
        self.counter, self.window = counter, window
        self.member = counter.register(name="张伟", phone="13800138000", card=CARD)
        counter.give(self.member.id, 12_000)
        screen = window.counter
        assert screen is not None
        self.screen: CounterScreen = screen
        self.screen.find_member(CARD)
        assert self.screen.member is not None, self.screen.notice.text()
        self.screen.qty.setValue(2)
        self.screen.add_item(DETERGENT)
        self.screen.add_item(EARBUDS)
        self.screen.category.setCurrentIndex(1)
        self.screen.amount.setText("88.50")
        self.screen.add_amount()
        assert len(self.screen.lines) == 3, self.screen.notice.text()
        assert self.screen.quote is not None, self.screen.notice.text()


def _login(counter: Counter, window: MainWindow) -> QWidget:
    return window


def _counter(counter: Counter, window: MainWindow) -> QWidget:
    Scene(counter, window)
    return window


def _offset(counter: Counter, window: MainWindow) -> QWidget:
    scene = Scene(counter, window)
    quote = scene.screen.quote
    assert quote is not None and quote.offset is not None and quote.offset.max_points > 0
    return OffsetDialog(quote, 0, window)


def _payment(counter: Counter, window: MainWindow) -> QWidget:
    scene = Scene(counter, window)
    quote = scene.screen.quote
    assert quote is not None and quote.offset is not None
    step = quote.offset.step
    scene.screen.set_offset(min(quote.offset.max_points, 2000) // step * step)
    assert scene.screen.quote is not None and scene.screen.quote.offset_points > 0
    return PaymentDialog(scene.screen.quote, window)


def _register(counter: Counter, window: MainWindow) -> QWidget:
    assert window.session is not None
    dialog = RegisterDialog(
        db=window.db,
        runner=window.runner,
        clock=window.clock,
        actor=window.session,
        card="8800001099",
        parent=window,
    )
    dialog.name.setText("王芳")
    dialog.phone.setText("13700137000")
    dialog.referrer.setText("123")  # not a card or phone: the error shows under the field
    dialog._submit()
    assert dialog.registration is None
    return dialog


def _return(counter: Counter, window: MainWindow) -> QWidget:
    scene = Scene(counter, window)
    sale = counter.sell(
        scene.member.id,
        [
            CartLine("daily", 1590, 2, DETERGENT, "洗衣液 Detergent"),
            CartLine("electronics", 129900, 1, EARBUDS, "蓝牙耳机 Earbuds"),
        ],
        offset=2000,
    )
    assert window.session is not None
    dialog = ReturnDialog(
        db=window.db,
        runner=window.runner,
        clock=window.clock,
        actor=window.session,
        receipt_no=sale.receipt_no,
        parent=window,
    )
    dialog.set_quantity(2, 1)
    assert dialog.quote is not None, dialog.error.text()
    return dialog


def _history(counter: Counter, window: MainWindow) -> QWidget:
    scene = Scene(counter, window)
    counter.sell(scene.member.id, [CartLine("daily", 1590, 3, DETERGENT, "洗衣液 Detergent")])
    rows = member_history(counter.db, scene.member.id)
    assert len(rows) >= 3
    member = scene.screen.member
    assert member is not None
    return HistoryDialog(member, rows, counter.program.zone, window)


def _approval(counter: Counter, window: MainWindow) -> QWidget:
    what = QCoreApplication.translate("ReturnDialog", "return of {v}").format(v=money(129900))
    return ApprovalDialog(db=window.db, runner=window.runner, clock=window.clock, what=what)


def _pick_member(counter: Counter, window: MainWindow) -> QWidget:
    for name, phone in (
        ("张伟", "13800135678"),
        ("李娜", "13900135678"),
        ("Lucy Chen", "13600135678"),
    ):
        counter.register(name=name, phone=phone)
    members: list[MemberView] = search_last4(counter.db, "5678", now=counter.now)
    assert len(members) == 3
    return PickMemberDialog(members, window)


def _gifts(counter: Counter, window: MainWindow) -> QWidget:
    text = (resources.files("resources") / "gifts" / "supermarket.toml").read_text("utf-8")
    import_catalogue(counter.db, actor=counter.manager, text=text, now=counter.now)
    scene = Scene(counter, window)
    assert scene.screen.member is not None
    dialog = GiftDialog(
        db=counter.db,
        runner=window.runner,
        clock=window.clock,
        actor=scene.screen.session,
        member=scene.screen.member,
        parent=window,
    )
    dialog.select("oil")
    return dialog


Build = Callable[[Counter, MainWindow], QWidget]
SCREENS: dict[str, Build] = {
    "login": _login,
    "counter": _counter,
    "offset": _offset,
    "payment": _payment,
    "register": _register,
    "return": _return,
    "history": _history,
    "approval": _approval,
    "pick_member": _pick_member,
    "gifts": _gifts,
}


def _render(
    name: str,
    language: str,
    counter: Counter,
    window_factory: WindowFactory,
    qtbot: QtBot,
) -> Path:
    app = QApplication.instance()
    assert app is not None
    i18n.install(app, language)  # before any widget is built, so every tr() is in it
    window = window_factory(counter, login_as=None if name == "login" else "1")
    widget = SCREENS[name](counter, window)
    if widget is not window:
        qtbot.addWidget(widget)
        widget.show()
    qtbot.waitExposed(widget)
    QApplication.processEvents()
    path = SHOTS / f"{name}_{language}.png"
    screenshot(widget, path)
    return path


@pytest.mark.parametrize("name", list(SCREENS))
def test_screen_renders_in_both_languages(
    name: str,
    counter_factory: Callable[..., Counter],
    window_factory: WindowFactory,
    qtbot: QtBot,
) -> None:
    paths = {
        language: _render(name, language, counter_factory("supermarket"), window_factory, qtbot)
        for language in LANGUAGES
    }
    images: dict[str, QImage] = {}
    for language, path in paths.items():
        assert path.exists(), path
        assert path.stat().st_size > 5_000, f"{path} is suspiciously small"
        image = QImage(str(path))
        assert not image.isNull() and image.width() >= 200 and image.height() >= 100, path
        images[language] = image
    assert images["zh_CN"] != images["en"], f"{name}: the Chinese rendering equals the English one"
