"""The manager's reports screen (F12, behind a manager PIN): end-of-day report, day close,
period report and member statements, previewed on screen, printed, or saved as PDF/CSV."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from pathlib import Path

from platformdirs import user_documents_dir
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from pos_app.db.store import StoreDB
from pos_app.errors import PosError
from pos_app.program import Program
from pos_app.reports.csv_out import write_csv
from pos_app.reports.eod import EodReport, close_day, eod_report
from pos_app.reports.labels import label
from pos_app.reports.period import (
    PeriodReport,
    Statement,
    member_statement,
    period_report,
    period_sections,
    statement_sections,
)
from pos_app.reports.render import (
    eod_csv,
    eod_pdf,
    eod_receipt,
    eod_title,
    period_csv,
    period_header,
    period_pdf,
    statement_header,
    statement_pdf,
    statement_receipt,
)
from pos_app.reports.sections import Fen, Section, eod_sections, header_lines, text
from pos_app.services.auth import StaffSession
from pos_app.services.members import find_by_card_or_phone
from ui import i18n
from ui.errors import describe
from ui.ops import OpRunner
from ui.seams import ReceiptSink

Clock = Callable[[], dt.datetime]
#: asks where to save a file: (dialog title, suggested path) -> chosen path or None
ChoosePath = Callable[[str, Path], Path | None]


def _ask_path(parent: QWidget) -> ChoosePath:
    def choose(title: str, suggested: Path) -> Path | None:
        suggested.parent.mkdir(parents=True, exist_ok=True)
        name, _ = QFileDialog.getSaveFileName(parent, title, str(suggested))
        return Path(name) if name else None

    return choose


def reports_folder() -> Path:
    return Path(user_documents_dir()) / "points-reports"


def sections_html(title: str, header: list[tuple[str, str]], sections: list[Section]) -> str:
    """A report as simple HTML tables for the on-screen preview."""
    out = [f"<h2>{html.escape(title)}</h2><table>"]
    for left, right in header:
        out.append(f"<tr><td><b>{html.escape(left)}</b></td><td>{html.escape(right)}</td></tr>")
    out.append("</table>")
    for section in sections:
        out.append(f"<h3>{html.escape(section.title)}</h3>")
        if not section.rows:
            out.append("<p>-</p>")
            continue
        out.append('<table cellspacing="0" cellpadding="3" width="100%">')
        if any(section.columns):
            cells = "".join(f"<th>{html.escape(c)}</th>" for c in section.columns)
            out.append(f"<tr>{cells}</tr>")
        for row in section.rows:
            cells = "".join(
                f'<td align="{"right" if isinstance(c, int | Fen) else "left"}">'
                f"{html.escape(text(c))}</td>"
                for c in row
            )
            out.append(f"<tr>{cells}</tr>")
        out.append("</table>")
    return "".join(out)


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(edit: QDateEdit) -> dt.date:
    d = edit.date()
    return dt.date(d.year(), d.month(), d.day())


class ManagerDialog(QDialog):
    """Reports for the manager whose session opened it (closing needs that manager)."""

    def __init__(
        self,
        *,
        db: StoreDB,
        runner: OpRunner,
        clock: Clock,
        program: Program,
        manager: StaffSession,
        sink: ReceiptSink,
        member_key: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.db, self.runner, self.clock, self.program = db, runner, clock, program
        self.manager, self.sink = manager, sink
        self.choose_path: ChoosePath = _ask_path(self)
        self.report: EodReport | None = None
        self.period: PeriodReport | None = None
        self.statement: Statement | None = None
        self.setWindowTitle(self.tr("Reports"))
        self.resize(900, 700)
        today = program.business_day(clock())

        self.language = QComboBox()
        self.language.setObjectName("reportlanguage")
        for code, name in i18n.LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(self.language.findData(i18n.current()), 0))
        self.language.currentIndexChanged.connect(self._language_changed)
        self.message = QLabel()
        self.message.setObjectName("reportmessage")
        self.message.setWordWrap(True)
        self.preview = QTextBrowser()
        self.preview.setObjectName("reportpreview")

        self.tabs = QTabWidget()
        self.tabs.addTab(self._day_tab(today), self.tr("End of day"))
        self.tabs.addTab(self._period_tab(today), self.tr("Period"))
        self.tabs.addTab(self._statement_tab(today, member_key), self.tr("Member statement"))

        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Report language")))
        top.addWidget(self.language)
        top.addStretch(1)
        close = QPushButton(self.tr("Close"))
        close.setAutoDefault(False)
        close.clicked.connect(self.accept)
        top.addWidget(close)
        box = QVBoxLayout(self)
        box.addLayout(top)
        box.addWidget(self.tabs)
        box.addWidget(self.message)
        box.addWidget(self.preview, 1)
        self.show_day()

    # -- building blocks ------------------------------------------------------------------
    def _button(self, name: str, text: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setAutoDefault(False)
        button.setMinimumHeight(40)
        button.clicked.connect(slot)
        return button

    def _date(self, name: str, day: dt.date) -> QDateEdit:
        edit = QDateEdit(_qdate(day))
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        return edit

    def _day_tab(self, today: dt.date) -> QWidget:
        page = QWidget()
        self.day = self._date("reportday", today)
        self.day.dateChanged.connect(lambda _d: self.show_day())
        self.day_state = QLabel()
        self.day_state.setObjectName("daystate")
        row = QHBoxLayout(page)
        row.addWidget(QLabel(self.tr("Business day")))
        row.addWidget(self.day)
        row.addWidget(self.day_state, 1)
        for name, words, slot in (
            ("printday", self.tr("Print"), self.print_day),
            ("pdfday", self.tr("Save PDF"), self.save_day_pdf),
            ("csvday", self.tr("Save CSV"), self.save_day_csv),
            ("closeday", self.tr("Close the day"), self.close_day),
        ):
            row.addWidget(self._button(name, words, slot))
        return page

    def _period_tab(self, today: dt.date) -> QWidget:
        page = QWidget()
        self.period_from = self._date("periodfrom", today.replace(day=1))
        self.period_to = self._date("periodto", today)
        row = QHBoxLayout(page)
        row.addWidget(QLabel(self.tr("From")))
        row.addWidget(self.period_from)
        row.addWidget(QLabel(self.tr("To")))
        row.addWidget(self.period_to)
        row.addStretch(1)
        for name, words, slot in (
            ("showperiod", self.tr("Show"), self.show_period),
            ("pdfperiod", self.tr("Save PDF"), self.save_period_pdf),
            ("csvperiod", self.tr("Save CSV"), self.save_period_csv),
        ):
            row.addWidget(self._button(name, words, slot))
        return page

    def _statement_tab(self, today: dt.date, member_key: str) -> QWidget:
        page = QWidget()
        self.member_key = QLineEdit(member_key)
        self.member_key.setObjectName("statementmember")
        self.member_key.setPlaceholderText(self.tr("Card or mobile number"))
        self.statement_from = self._date("statementfrom", today - dt.timedelta(days=89))
        self.statement_to = self._date("statementto", today)
        row = QHBoxLayout(page)
        row.addWidget(self.member_key, 1)
        row.addWidget(self.statement_from)
        row.addWidget(self.statement_to)
        for name, words, slot in (
            ("showstatement", self.tr("Show"), self.show_statement),
            ("printstatement", self.tr("Print"), self.print_statement),
            ("pdfstatement", self.tr("Save PDF"), self.save_statement_pdf),
        ):
            row.addWidget(self._button(name, words, slot))
        return page

    @property
    def lang(self) -> str:
        return str(self.language.currentData())

    def _failed(self, error: PosError) -> None:
        self.message.setText(describe(error))

    def _language_changed(self) -> None:
        index = self.tabs.currentIndex()
        if index == 0 and self.report is not None:
            self._show_report(self.report)
        elif index == 1 and self.period is not None:
            self._show_period(self.period)
        elif index == 2 and self.statement is not None:
            self._show_statement(self.statement)

    # -- end of day -----------------------------------------------------------------------
    def show_day(self) -> None:
        day, now = _pydate(self.day), self.clock()
        self.message.clear()
        self.runner.run(lambda: eod_report(self.db, day, now=now), self._show_report, self._failed)

    def _show_report(self, report: EodReport) -> None:
        self.report = report
        zone = self.program.zone
        if report.close is not None:
            self.day_state.setText(
                self.tr("Closed {when} by {name}").format(
                    when=report.close.closed_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                    name=report.close.staff_name,
                )
            )
        else:
            self.day_state.setText(self.tr("Open (figures as of now)"))
        self.preview.setHtml(
            sections_html(
                eod_title(report, self.lang),
                header_lines(report, self.lang, zone),
                eod_sections(report, self.lang, zone),
            )
        )

    def _printer(self) -> object | None:
        printing = getattr(self.sink, "print_summary", None)
        if printing is None:
            self.message.setText(
                self.tr("No receipt printer is set up (see devices.toml in the README).")
            )
        return printing

    def print_day(self) -> None:
        printing = self._printer()
        if printing is None or self.report is None:
            return
        title, subtitle, rows = eod_receipt(self.report, self.lang, self.program.zone)
        printing(title, subtitle, rows, self._printed, self._failed)  # type: ignore[operator]

    def _printed(self, _job: object) -> None:
        self.message.setText(self.tr("Sent to the receipt printer."))

    def _save(self, title: str, suggested: str, make: Callable[[], bytes | str]) -> None:
        path = self.choose_path(title, reports_folder() / suggested)
        if path is None:
            return

        def write() -> Path:
            data = make()
            if isinstance(data, bytes):
                path.write_bytes(data)
            else:
                write_csv(str(path), data)
            return path

        self.runner.run(
            write,
            lambda p: self.message.setText(self.tr("Saved to {path}").format(path=p)),
            self._failed,
            io=True,
        )

    def save_day_pdf(self) -> None:
        report, lang, zone = self.report, self.lang, self.program.zone
        if report is not None:
            self._save(
                self.tr("Save the report as PDF"),
                f"eod-{report.store_code}-{report.day}.pdf",
                lambda: eod_pdf(report, lang, zone),
            )

    def save_day_csv(self) -> None:
        report, lang, zone = self.report, self.lang, self.program.zone
        if report is not None:
            self._save(
                self.tr("Save the report as CSV"),
                f"eod-{report.store_code}-{report.day}.csv",
                lambda: eod_csv(report, lang, zone),
            )

    def close_day(self) -> None:
        day, now = _pydate(self.day), self.clock()
        report = self.report
        net = report.figures.net if report is not None else 0
        answer = QMessageBox.question(
            self,
            self.tr("Close the day"),
            self.tr(
                "Close {day}? Its report is kept as it is now (net change {net} points); "
                "later changes to the day will show as corrections on the next report."
            ).format(day=day.isoformat(), net=f"{net:+,}"),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.runner.run(
            lambda: close_day(self.db, actor=self.manager, day=day, now=now),
            self._closed,
            self._failed,
        )

    def _closed(self, report: EodReport) -> None:
        self._show_report(report)
        closed = self.tr("{day} is closed.").format(day=report.day.isoformat())
        self.message.setText(closed)
        printing = getattr(self.sink, "print_summary", None)
        if printing is not None:
            title, subtitle, rows = eod_receipt(report, self.lang, self.program.zone)
            printing(
                title,
                subtitle,
                rows,
                lambda _job: self.message.setText(
                    closed + " " + self.tr("Sent to the receipt printer.")
                ),
                self._failed,
            )

    # -- period ---------------------------------------------------------------------------
    def show_period(self) -> None:
        first, last, now = _pydate(self.period_from), _pydate(self.period_to), self.clock()
        self.message.clear()
        self.runner.run(
            lambda: period_report(self.db, first, last, now=now), self._show_period, self._failed
        )

    def _show_period(self, report: PeriodReport) -> None:
        self.period = report
        self.preview.setHtml(
            sections_html(
                label("period_title", self.lang),
                period_header(report, self.lang, self.program.zone),
                period_sections(report, self.lang),
            )
        )

    def save_period_pdf(self) -> None:
        report, lang, zone = self.period, self.lang, self.program.zone
        if report is not None:
            self._save(
                self.tr("Save the report as PDF"),
                f"period-{report.first}-{report.last}.pdf",
                lambda: period_pdf(report, lang, zone),
            )

    def save_period_csv(self) -> None:
        report, lang, zone = self.period, self.lang, self.program.zone
        if report is not None:
            self._save(
                self.tr("Save the report as CSV"),
                f"period-{report.first}-{report.last}.csv",
                lambda: period_csv(report, lang, zone),
            )

    # -- member statement -----------------------------------------------------------------
    def show_statement(self) -> None:
        key = self.member_key.text().strip()
        first, last = _pydate(self.statement_from), _pydate(self.statement_to)
        now = self.clock()

        def build() -> Statement:
            member = find_by_card_or_phone(self.db, key, now=now)
            return member_statement(self.db, member.id, first, last, now=now)

        self.message.clear()
        self.runner.run(build, self._show_statement, self._failed)

    def _show_statement(self, statement: Statement) -> None:
        self.statement = statement
        zone = self.program.zone
        self.preview.setHtml(
            sections_html(
                label("statement_title", self.lang),
                statement_header(statement, self.lang, zone),
                statement_sections(statement, self.lang, zone),
            )
        )

    def print_statement(self) -> None:
        printing = self._printer()
        if printing is None or self.statement is None:
            return
        title, subtitle, rows = statement_receipt(self.statement, self.lang, self.program.zone)
        printing(title, subtitle, rows, self._printed, self._failed)  # type: ignore[operator]

    def save_statement_pdf(self) -> None:
        st, lang, zone = self.statement, self.lang, self.program.zone
        if st is not None:
            self._save(
                self.tr("Save the statement as PDF"),
                f"statement-{st.first}-{st.last}.pdf",
                lambda: statement_pdf(st, lang, zone),
            )

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Escape closes; Enter in a date field never closes the day by surprise
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return
        super().keyPressEvent(event)
