"""Returns at the counter: receipt number (typed or scanned), lines and quantities, what
will happen to money and points, manager approval where the program requires it."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pos_app.db.store import StoreDB
from pos_app.errors import PosError
from pos_app.services.auth import StaffSession
from pos_app.services.returns import (
    ReturnItem,
    ReturnQuote,
    ReturnResult,
    commit_return,
    quote_return,
    returnable_lines,
)
from ui.errors import describe
from ui.fmt import money, points
from ui.login import ApprovalDialog
from ui.ops import OpRunner

Clock = Callable[[], dt.datetime]


class ReturnDialog(QDialog):
    def __init__(
        self,
        *,
        db: StoreDB,
        runner: OpRunner,
        clock: Clock,
        actor: StaffSession,
        receipt_no: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.db, self.runner, self.clock, self.actor = db, runner, clock, actor
        self.result: ReturnResult | None = None
        self.quote: ReturnQuote | None = None
        self.return_id = str(uuid.uuid4())
        self.setWindowTitle(self.tr("Return"))
        self.receipt = QLineEdit(receipt_no)
        self.receipt.setObjectName("receipt")
        self.receipt.setPlaceholderText(self.tr("Receipt number (type or scan)"))
        self.receipt.returnPressed.connect(self.load)
        find = QPushButton(self.tr("Find sale"))
        find.clicked.connect(self.load)
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("lines")
        self.table.setHorizontalHeaderLabels(
            [self.tr("Line"), self.tr("Item"), self.tr("Return qty")]
        )
        self.spins: list[tuple[int, QSpinBox]] = []
        self.preview = QLabel()
        self.preview.setObjectName("preview")
        self.preview.setWordWrap(True)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(self.tr("Confirm return"))
        self.ok.setEnabled(False)
        self.buttons.accepted.connect(self.confirm)
        self.buttons.rejected.connect(self.reject)
        top = QHBoxLayout()
        top.addWidget(self.receipt, 1)
        top.addWidget(find)
        box = QVBoxLayout(self)
        box.addLayout(top)
        box.addWidget(self.table)
        box.addWidget(self.preview)
        box.addWidget(self.error)
        box.addWidget(self.buttons)
        self.resize(640, 480)
        if receipt_no:
            self.load()

    def load(self) -> None:
        receipt = self.receipt.text()
        self.error.clear()
        self.runner.run(
            lambda: returnable_lines(self.db, receipt_no=receipt), self._loaded, self._failed
        )

    def _loaded(self, lines: list[tuple[int, str, int]]) -> None:
        self.table.setRowCount(len(lines))
        self.spins = []
        for row, (line_no, label, left) in enumerate(lines):
            self.table.setItem(row, 0, QTableWidgetItem(str(line_no)))
            self.table.setItem(row, 1, QTableWidgetItem(label))
            spin = QSpinBox()
            spin.setRange(0, left)
            spin.valueChanged.connect(self.refresh)
            self.table.setCellWidget(row, 2, spin)
            self.spins.append((line_no, spin))
        self.table.resizeColumnsToContents()
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(48)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(2, 130)
        self.refresh()

    def set_quantity(self, line_no: int, qty: int) -> None:
        for no, spin in self.spins:
            if no == line_no:
                spin.setValue(qty)

    def items(self) -> list[ReturnItem]:
        return [ReturnItem(no, spin.value()) for no, spin in self.spins if spin.value()]

    def refresh(self) -> None:
        items = self.items()
        self.ok.setEnabled(False)
        self.quote = None
        if not items:
            self.preview.setText(self.tr("Choose the quantities to return"))
            return
        receipt, now = self.receipt.text(), self.clock()
        self.runner.run(
            lambda: quote_return(self.db, receipt_no=receipt, items=items, now=now),
            self._quoted,
            self._failed,
        )

    def _quoted(self, quote: ReturnQuote) -> None:
        self.quote = quote
        text = [self.tr("Refund: {v}").format(v=money(quote.refund_fen))]
        if quote.member_id:
            text.append(self.tr("Points taken back: {p}").format(p=points(quote.points_reversed)))
            text.append(self.tr("Points given back: {p}").format(p=points(quote.points_restored)))
            if quote.cash_for_points_fen:
                text.append(
                    self.tr("Points already spent, paid in cash: {p} = {v}").format(
                        p=points(quote.points_short), v=money(quote.cash_for_points_fen)
                    )
                )
            if quote.balance_after is not None:
                text.append(self.tr("Balance after: {p}").format(p=points(quote.balance_after)))
        text.append(
            self.tr("Give the customer: {v}").format(v=money(quote.net_refund_fen))
            if quote.net_refund_fen >= 0
            else self.tr("Collect from the customer: {v}").format(v=money(-quote.net_refund_fen))
        )
        if quote.needs_manager:
            text.append(self.tr("A manager must approve this return."))
        self.preview.setText("\n".join(text))
        self.ok.setEnabled(True)

    def confirm(self) -> None:
        quote = self.quote
        if quote is None:
            return
        approver = None
        if quote.needs_manager:
            approver = ApprovalDialog.ask(
                db=self.db,
                runner=self.runner,
                clock=self.clock,
                what=self.tr("return of {v}").format(v=money(quote.refund_fen)),
                parent=self,
            )
            if approver is None:
                self.error.setText(self.tr("Not approved: nothing was returned"))
                return
        self.commit(approver)

    def commit(self, approver: StaffSession | None) -> None:
        assert self.quote is not None
        items, receipt, now = self.items(), self.receipt.text(), self.clock()
        expected = self.quote.net_refund_fen
        self.runner.run(
            lambda: commit_return(
                self.db,
                actor=self.actor,
                receipt_no=receipt,
                items=items,
                approver=approver,
                now=now,
                return_id=self.return_id,
                expected_net_refund_fen=expected,
            ),
            self._done,
            self._failed,
        )

    def _done(self, result: ReturnResult) -> None:
        self.result = result
        self.accept()

    def _failed(self, error: PosError) -> None:
        self.error.setText(describe(error))
