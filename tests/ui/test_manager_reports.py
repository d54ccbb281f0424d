"""The manager's reports screen (F12): behind a manager PIN, preview, print on the real
print queue (fake network printer), save PDF/CSV, close the day, member statements."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from devices.escpos_reader import parse, receipt_text
from pos_app.reports.eod import closed_days
from pos_app.services.checkout import CartLine
from pos_app.services.members import register_member
from tests.conftest import Counter
from tests.devices.fake_printer import FakePrinter
from tests.ui.conftest import WindowFactory
from tests.ui.test_printing import (  # noqa: F401  (fake, modals, sink_factory: fixtures)
    Modals,
    SinkFactory,
    fake,
    modals,
    screen_of,
    send_all,
    sink_factory,
)
from ui import i18n
from ui.app import screenshot
from ui.dialogs import HistoryDialog
from ui.login import ApprovalDialog
from ui.manager import ManagerDialog
from ui.ops import OpRunner
from ui.seams import NoPrinter

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _day_with_sales(counter: Counter) -> str:
    member = register_member(
        counter.db,
        actor=counter.cashier,
        name="王小明",
        phone="13900001111",
        card="8800001234",
        now=counter.now,
    ).member
    counter.give(member.id, 500)
    counter.sell(member.id, [CartLine("daily", 12000, 1)])
    counter.sell(None, [CartLine("daily", 3000, 1)])
    counter.sell(member.id, [CartLine("daily", 10000, 1)], offset=100)
    return member.id


def _dialog(qtbot: QtBot, counter: Counter, sink: object, tmp_path: Path) -> ManagerDialog:
    dialog = ManagerDialog(
        db=counter.db,
        runner=OpRunner(inline=True),
        clock=lambda: counter.now + dt.timedelta(hours=8),
        program=counter.program,
        manager=counter.manager,
        sink=sink,  # type: ignore[arg-type]
        member_key="8800001234",
    )
    dialog.choose_path = lambda _title, suggested: tmp_path / suggested.name
    dialog.language.setCurrentIndex(dialog.language.findData("en"))
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_reports_need_a_manager_pin(
    supermarket: Counter,
    window_factory: WindowFactory,
    modals: Modals,  # noqa: F811
    qtbot: QtBot,
) -> None:
    window = window_factory(supermarket)
    screen = screen_of(window)
    opened: list[ManagerDialog] = []

    def cashier_pin(dialog: ApprovalDialog) -> None:
        dialog.code.setText("1")
        dialog.pad.field.setText("1111")
        dialog.pad.submitted.emit("1111")
        assert "not a manager" in dialog.message.text()
        dialog.reject()

    modals.expect(ApprovalDialog, cashier_pin)
    screen.open_reports()
    modals.check()
    opened += [w for w in QApplication.topLevelWidgets() if isinstance(w, ManagerDialog)]
    assert not [d for d in opened if d.isVisible()]

    def manager_pin(dialog: ApprovalDialog) -> None:
        dialog.code.setText("2")
        dialog.pad.submitted.emit("2222")

    def reports(dialog: ManagerDialog) -> None:
        assert dialog.manager.code == "2"
        assert "End-of-day points report" in dialog.preview.toPlainText()
        dialog.accept()

    modals.expect(ApprovalDialog, manager_pin)
    modals.expect(ManagerDialog, reports)
    screen.open_reports()
    modals.check()


def test_preview_print_save_and_close_the_day(
    supermarket: Counter,
    sink_factory: SinkFactory,  # noqa: F811
    fake: FakePrinter,  # noqa: F811
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _day_with_sales(supermarket)
    sink = sink_factory(fake.url)
    dialog = _dialog(qtbot, supermarket, sink, tmp_path)
    shown = dialog.preview.toPlainText()
    assert "Member sales" in shown and "¥219.00" in shown
    assert "Open (figures as of now)" in dialog.day_state.text()
    assert "Points redeemed" in shown and "¥1.00" in shown

    dialog.findChild(object, "printday").click()  # type: ignore[union-attr]
    assert send_all(sink) == 1
    printed = receipt_text(parse(fake.received))
    assert "End-of-day points report" in printed and "Member sales" in printed
    assert "Sent to the receipt printer." in dialog.message.text()

    dialog.save_day_pdf()
    dialog.save_day_csv()
    pdf = next(tmp_path.glob("eod-*.pdf"))
    assert pdf.read_bytes().startswith(b"%PDF")
    csv_text = next(tmp_path.glob("eod-*.csv")).read_text("utf-8-sig")
    assert "Member sales,2,219.00" in csv_text

    asked: list[str] = []

    def yes(_parent: object, _title: str, text: str, *a: object) -> QMessageBox.StandardButton:
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", yes)
    dialog.close_day()
    day = supermarket.program.business_day(supermarket.now)
    assert asked and day.isoformat() in asked[0]
    assert [c[0] for c in closed_days(supermarket.db)] == [day]
    assert "Closed" in dialog.day_state.text()
    assert send_all(sink) == 1  # the close prints its report
    assert "is closed" in dialog.message.text()

    # a second close is refused on screen and writes nothing
    dialog.close_day()
    assert "already closed" in dialog.message.text()
    with sqlite3.connect(supermarket.db.path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM day_closes").fetchone()[0] == 1


def test_no_printer_says_so(supermarket: Counter, qtbot: QtBot, tmp_path: Path) -> None:
    dialog = _dialog(qtbot, supermarket, NoPrinter(), tmp_path)
    dialog.print_day()
    assert "No receipt printer" in dialog.message.text()


def test_member_statement_and_period(
    supermarket: Counter,
    sink_factory: SinkFactory,  # noqa: F811
    fake: FakePrinter,  # noqa: F811
    qtbot: QtBot,
    tmp_path: Path,
) -> None:
    _day_with_sales(supermarket)
    sink = sink_factory(fake.url)
    dialog = _dialog(qtbot, supermarket, sink, tmp_path)
    dialog.tabs.setCurrentIndex(2)
    dialog.show_statement()
    text = dialog.preview.toPlainText()
    assert "王** 139****1111" in text
    assert "13900001111" not in text  # masked
    assert "Purchase" in text and "Closing balance" in text
    dialog.print_statement()
    assert send_all(sink) == 1
    assert "Member points statement" in receipt_text(parse(fake.received))
    dialog.member_key.setText("8800009999")
    dialog.show_statement()
    assert dialog.message.text()  # unknown card: a clear message, nothing shown crashes

    dialog.tabs.setCurrentIndex(1)
    dialog.show_period()
    assert "Points period report" in dialog.preview.toPlainText()
    dialog.save_period_csv()
    assert next(tmp_path.glob("period-*.csv")).read_text("utf-8-sig").count("\n") > 3


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_reports_screen_renders(
    supermarket: Counter, qtbot: QtBot, tmp_path: Path, language: str
) -> None:
    app = QApplication.instance()
    assert app is not None
    i18n.install(app, language)  # type: ignore[arg-type]
    _day_with_sales(supermarket)
    dialog = _dialog(qtbot, supermarket, NoPrinter(), tmp_path)
    dialog.language.setCurrentIndex(dialog.language.findData(language))
    dialog.resize(1000, 760)
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"manager_reports_{language}.png"
    screenshot(dialog, path)
    assert path.stat().st_size > 10_000
    title = "日结积分报表" if language == "zh_CN" else "End-of-day points report"
    assert title in dialog.preview.toPlainText()


def test_cashier_prints_a_members_statement_from_the_history(
    supermarket: Counter,
    window_factory: WindowFactory,
    sink_factory: SinkFactory,  # noqa: F811
    fake: FakePrinter,  # noqa: F811
    modals: Modals,  # noqa: F811
) -> None:
    _day_with_sales(supermarket)
    sink = sink_factory(fake.url)
    window = window_factory(supermarket, sink=sink)  # a cashier is logged in
    screen = screen_of(window)
    screen.find_member("8800001234")
    assert screen.member is not None

    def press_print(dialog: HistoryDialog) -> None:
        dialog.findChild(QPushButton, "printstatement").click()  # type: ignore[union-attr]
        dialog.accept()

    modals.expect(HistoryDialog, press_print)
    screen.show_history()
    modals.check()
    assert send_all(sink) == 1
    slip = receipt_text(parse(fake.received))
    assert "会员积分对账单" in slip and "王**" in slip and "13900001111" not in slip
    assert f"{supermarket.balance(screen.member.id):,}" in slip  # the closing balance
