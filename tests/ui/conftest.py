"""Counter windows on real stores, driven offscreen with the op runner inline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from importlib import resources

import pytest
from pytestqt.qtbot import QtBot

from pos_app.demo import DEMO_ITEMS_CSV
from pos_app.services.items import import_items_csv
from tests.conftest import Counter
from ui import i18n
from ui.app import build_window
from ui.main_window import MainWindow
from ui.ops import OpRunner
from ui.seams import CustomerFacing, ReceiptSink


@pytest.fixture(autouse=True)
def _style_and_english(qapp: object) -> Iterator[None]:
    """Every UI test starts in English with the real style sheet."""
    qapp.setStyleSheet(  # type: ignore[attr-defined]
        (resources.files("resources") / "style" / "counter.qss").read_text("utf-8")
    )
    i18n.install(qapp, "en")  # type: ignore[arg-type]
    yield
    i18n.install(qapp, "en")  # type: ignore[arg-type]


WindowFactory = Callable[..., MainWindow]


@pytest.fixture
def window_factory(qtbot: QtBot) -> WindowFactory:
    """``window_factory(counter, login_as="1", pin="1111")``: a shown window on the
    counter's store, already logged in unless ``login_as`` is None; ``sink`` is the
    receipt sink (NoPrinter when None), ``display`` the customer display, set before
    anyone logs in (as ``ui.devices`` does)."""

    def make(
        counter: Counter,
        login_as: str | None = "1",
        pin: str = "1111",
        now: dt.datetime | None = None,
        sink: ReceiptSink | None = None,
        display: CustomerFacing | None = None,
    ) -> MainWindow:
        import_items_csv(counter.db, actor=counter.manager, text=DEMO_ITEMS_CSV, now=counter.now)
        runner = OpRunner(inline=True)
        clock = (lambda: now) if now else (lambda: counter.now)
        window = build_window(counter.db, runner=runner, clock=clock, sink=sink)
        if display is not None:
            window.display = display
        qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        if login_as is not None:
            window.login.code.setText(login_as)
            window.login.pad.field.setText(pin)
            window.login.pad.field.returnPressed.emit()
            assert window.counter is not None, window.login.message.text()
        return window

    return make
