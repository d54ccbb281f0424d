"""The receipt printer in the counter: a sink that queues receipts off the GUI thread,
the printer's state in the status bar, and the printer dialog (F11): reprint the
last receipt or any receipt by number, a member's balance slip, open the drawer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from devices.config import PrinterConfig
from devices.print_worker import PrinterState
from devices.receipt_printer import ReceiptPrinter
from pos_app.db.store import StoreDB
from pos_app.errors import PosError
from pos_app.services import print_jobs
from pos_app.services.auth import Role, StaffSession
from pos_app.services.checkout import SaleResult
from pos_app.services.drawer import record_drawer_open
from pos_app.services.gifts import Redemption
from pos_app.services.returns import ReturnResult
from ui.errors import describe
from ui.login import ApprovalDialog
from ui.ops import OpRunner

Clock = Callable[[], dt.datetime]


def state_text(state: PrinterState) -> str:
    """'paper out, 2 waiting' in the interface's language."""
    names = {
        "ready": QCoreApplication.translate("Printing", "ready"),
        "printing": QCoreApplication.translate("Printing", "printing"),
        "paper_low": QCoreApplication.translate("Printing", "paper low"),
        "paper_out": QCoreApplication.translate("Printing", "paper out"),
        "offline": QCoreApplication.translate("Printing", "offline"),
        "no_answer": QCoreApplication.translate("Printing", "not answering"),
        "unknown": QCoreApplication.translate("Printing", "connecting"),
        "preview": QCoreApplication.translate("Printing", "preview"),
    }
    text = names.get(state.state, state.state)
    if state.pending:
        text = QCoreApplication.translate("Printing", "{state}, {n} waiting").format(
            state=text, n=state.pending
        )
    return text


class PrinterSink(QObject):
    """The counter's :class:`~ui.seams.ReceiptSink` for a real printer.

    Receipts are built and queued on the I/O pool (the sale is already
    committed; printing never holds up the next customer); the worker thread
    reports state changes, which reach the GUI thread by signal.
    """

    changed = Signal()
    failed = Signal(str)

    def __init__(
        self,
        db: StoreDB,
        cfg: PrinterConfig,
        *,
        runner: OpRunner,
        clock: Clock,
        printer: ReceiptPrinter | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self.printer = printer or ReceiptPrinter(db, cfg, clock=lambda: clock().astimezone(dt.UTC))
        self.printer.worker.on_state = lambda _state: self.changed.emit()

    def start(self) -> None:
        self.printer.start()

    def stop(self) -> None:
        self.printer.stop()

    def status(self) -> str:
        return state_text(self.printer.state)

    @property
    def state(self) -> PrinterState:
        return self.printer.state

    def _run(
        self,
        job: Callable[[], object],
        done: Callable[[object], None] | None = None,
        failed: Callable[[PosError], None] | None = None,
    ) -> None:
        def finished(result: object) -> None:
            self.changed.emit()
            if done is not None:
                done(result)

        def error(exc: PosError) -> None:
            if failed is not None:  # the dialog that asked shows it
                failed(exc)
            else:
                self.failed.emit(describe(exc))

        self.runner.run(job, finished, error, io=True)

    # ReceiptSink -------------------------------------------------------------------------
    def sale_completed(self, result: SaleResult) -> None:
        self._run(lambda: self.printer.sale_completed(result.receipt_no))

    def return_completed(self, result: ReturnResult) -> None:
        self._run(lambda: self.printer.return_completed(result.return_no))

    def gift_redeemed(self, redemption: Redemption) -> None:
        self._run(lambda: self.printer.gift_redeemed(redemption.redemption_no))

    # on request -----------------------------------------------------------------------------
    def reprint(
        self,
        number: str | None = None,
        done: Callable[[object], None] | None = None,
        failed: Callable[[PosError], None] | None = None,
    ) -> None:
        if number:
            self._run(lambda: self.printer.reprint(number), done, failed)
        else:
            self._run(self.printer.reprint_last, done, failed)

    def balance_slip(self, member_id: str, staff: str) -> None:
        self._run(lambda: self.printer.balance_slip(member_id, staff=staff))

    def print_summary(
        self,
        title: str,
        subtitle: str,
        rows: list[tuple[str, str]],
        done: Callable[[object], None] | None = None,
        failed: Callable[[PosError], None] | None = None,
    ) -> None:
        """A report (end of day, member statement) on the receipt printer, through the queue."""
        self._run(lambda: self.printer.print_summary(title, rows, subtitle=subtitle), done, failed)

    def kick_drawer(self) -> None:
        self._run(self.printer.kick_drawer)


class PrinterDialog(QDialog):
    """F11: the printer's state and recent jobs, reprints, balance slip, open drawer."""

    def __init__(
        self,
        *,
        sink: PrinterSink,
        db: StoreDB,
        runner: OpRunner,
        clock: Clock,
        actor: StaffSession,
        member_id: str | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.sink, self.db, self.runner, self.clock, self.actor = sink, db, runner, clock, actor
        self.member_id = member_id
        self.setWindowTitle(self.tr("Receipt printer"))
        self.state = QLabel()
        self.state.setObjectName("printer_state")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.number = QLineEdit()
        self.number.setPlaceholderText(self.tr("Receipt number"))
        reprint = QPushButton(self.tr("Reprint"))
        reprint.clicked.connect(self.reprint_number)
        self.number.returnPressed.connect(self.reprint_number)
        last = QPushButton(self.tr("Reprint last receipt"))
        last.setObjectName("reprint_last")
        last.clicked.connect(self.reprint_last)
        self.slip = QPushButton(self.tr("Balance slip"))
        self.slip.setEnabled(member_id is not None)
        self.slip.clicked.connect(self.balance_slip)
        drawer = QPushButton(self.tr("Open drawer"))
        drawer.setObjectName("open_drawer")
        drawer.clicked.connect(self.open_drawer)
        self.jobs = QTableWidget(0, 5)
        self.jobs.setHorizontalHeaderLabels(
            [self.tr("Time"), self.tr("What"), self.tr("Number"), self.tr("State"), self.tr("Note")]
        )
        self.jobs.horizontalHeader().setStretchLastSection(True)
        self.jobs.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.jobs.verticalHeader().setVisible(False)
        row = QHBoxLayout()
        row.addWidget(self.number, 1)
        row.addWidget(reprint)
        buttons = QHBoxLayout()
        for button in (last, self.slip, drawer):
            button.setMinimumHeight(48)
            buttons.addWidget(button)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addWidget(self.state)
        box.addLayout(row)
        box.addLayout(buttons)
        box.addWidget(self.jobs, 1)
        box.addWidget(self.message)
        box.addWidget(close)
        self.resize(720, 460)
        sink.changed.connect(self.refresh)
        sink.failed.connect(self.message.setText)
        self.refresh()

    def refresh(self) -> None:
        self.state.setText(self.tr("Printer: {state}").format(state=self.sink.status()))
        name = self.sink.printer.cfg.name
        self.runner.run(lambda: print_jobs.jobs(self.db, name, limit=30), self._show_jobs)

    def _show_jobs(self, jobs: list[print_jobs.JobRecord]) -> None:
        kinds = {
            "sale": self.tr("receipt"),
            "return": self.tr("return"),
            "gift": self.tr("gift"),
            "balance": self.tr("balance slip"),
            "report": self.tr("report"),
            "drawer": self.tr("drawer"),
        }
        states = {
            "queued": self.tr("waiting"),
            "printed": self.tr("printed"),
            "dropped": self.tr("dropped"),
            "cancelled": self.tr("cancelled"),
        }
        zone = self.clock().tzinfo
        self.jobs.setRowCount(len(jobs))
        for i, job in enumerate(jobs):
            if job.status == "dropped" and job.kind == "drawer":
                note = self.tr("too late: not opened")
            elif job.status == "queued" and job.attempts:
                note = self.tr("tried {n} times").format(n=job.attempts)
            else:
                note = ""
            values = (
                job.created_at.astimezone(zone).strftime("%H:%M:%S"),
                kinds.get(job.kind, job.kind),
                job.ref or "",
                states.get(job.status, job.status),
                note,
            )
            for j, value in enumerate(values):
                item = QTableWidgetItem(value)
                if job.last_error:  # the printer's own words, for a technician
                    item.setToolTip(job.last_error)
                self.jobs.setItem(i, j, item)
        self.jobs.resizeColumnsToContents()

    def _failed(self, error: PosError) -> None:
        self.message.setText(describe(error))

    def _queued(self, _job: object) -> None:
        self.message.setText(self.tr("Sent to the printer."))

    def reprint_number(self) -> None:
        number = self.number.text().strip()
        if not number:
            self.message.setText(self.tr("Type or scan a receipt number"))
            return
        self.sink.reprint(number, self._queued, self._failed)

    def reprint_last(self) -> None:
        self.sink.reprint(None, self._queued, self._failed)

    def balance_slip(self) -> None:
        if self.member_id is not None:
            self.sink.balance_slip(self.member_id, self.actor.name)
            self.message.setText(self.tr("Balance slip sent to the printer."))

    def open_drawer(self) -> None:
        approver: StaffSession | None = None
        if self.actor.role < Role.MANAGER:
            approver = ApprovalDialog.ask(
                db=self.db,
                runner=self.runner,
                clock=self.clock,
                what=self.tr("Open the cash drawer"),
                parent=self,
            )
            if approver is None:
                return
        reason, ok = QInputDialog.getText(
            self, self.tr("Open drawer"), self.tr("Why open the drawer? (for the record)")
        )
        if ok:
            self.drawer_with_reason(reason, approver)

    def drawer_with_reason(self, reason: str, approver: StaffSession | None) -> None:
        now = self.clock()

        def done(_manager: object) -> None:
            self.sink.kick_drawer()
            self.message.setText(self.tr("The drawer opens."))

        self.runner.run(
            lambda: record_drawer_open(
                self.db, actor=self.actor, approver=approver, reason=reason, now=now
            ),
            done,
            lambda e: self.message.setText(describe(e)),
        )

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter in the number field reprints; it must not close the dialog
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return
        super().keyPressEvent(event)
