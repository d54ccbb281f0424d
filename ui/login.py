"""Logging in, the lock screen and the manager's approval dialog (all by staff number + PIN)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from pos_app.db.store import StoreDB
from pos_app.errors import PosError
from pos_app.services.auth import Role, StaffSession, login
from ui.errors import describe
from ui.ops import OpRunner
from ui.widgets import PinPad

Clock = Callable[[], dt.datetime]


class LoginScreen(QWidget):
    """Staff number and PIN. ``locked_for`` set: the lock screen of that cashier, whose
    sale stays on the counter; another staff member may log in instead."""

    logged_in = Signal(object)  # StaffSession

    def __init__(
        self, *, db: StoreDB, runner: OpRunner, clock: Clock, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.db, self.runner, self.clock = db, runner, clock
        self.title = QLabel(self.tr("Log in"))
        self.title.setObjectName("title")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code = QLineEdit()
        self.code.setObjectName("staffcode")
        self.code.setPlaceholderText(self.tr("Staff number"))
        self.code.setMaxLength(16)
        self.code.returnPressed.connect(lambda: self.pad.field.setFocus())
        self.pad = PinPad()
        self.pad.submitted.connect(self._submit)
        self.message = QLabel()
        self.message.setObjectName("error")
        self.message.setWordWrap(True)
        column = QVBoxLayout()
        column.addStretch(1)
        column.addWidget(self.title)
        column.addWidget(self.code)
        column.addWidget(self.pad)
        column.addWidget(self.message)
        column.addStretch(1)
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(column, 0)
        outer.addStretch(1)

    def show_lock(self, session: StaffSession | None) -> None:
        if session is None:
            self.title.setText(self.tr("Log in"))
            self.code.clear()
            self.code.setFocus()
        else:
            self.title.setText(self.tr("Locked: {name}, enter your PIN").format(name=session.name))
            self.code.setText(session.code)
            self.pad.field.setFocus()
        self.message.clear()

    def _submit(self, pin: str) -> None:
        code = self.code.text().strip()
        if not code:
            self.message.setText(self.tr("Enter your staff number first"))
            self.code.setFocus()
            return
        self.message.setText(self.tr("Checking..."))
        now = self.clock()
        self.runner.run(
            lambda: login(self.db, code=code, pin=pin, now=now), self._done, self._failed
        )

    def _done(self, session: StaffSession) -> None:
        self.message.clear()
        self.logged_in.emit(session)

    def _failed(self, error: PosError) -> None:
        self.message.setText(describe(error))
        self.pad.field.setFocus()


class ApprovalDialog(QDialog):
    """A manager approves on the spot with staff number and PIN; gives a manager session."""

    def __init__(
        self,
        *,
        db: StoreDB,
        runner: OpRunner,
        clock: Clock,
        what: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.db, self.runner, self.clock = db, runner, clock
        self.approver: StaffSession | None = None
        self.setWindowTitle(self.tr("Manager approval"))
        self.setModal(True)
        label = QLabel(self.tr("A manager must approve: {what}").format(what=what))
        label.setObjectName("title")
        label.setWordWrap(True)
        self.setMinimumWidth(380)
        self.code = QLineEdit()
        self.code.setObjectName("managercode")
        self.code.setPlaceholderText(self.tr("Manager's staff number"))
        self.code.returnPressed.connect(lambda: self.pad.field.setFocus())
        self.pad = PinPad()
        self.pad.field.setObjectName("managerpin")
        self.pad.submitted.connect(self._submit)
        self.message = QLabel()
        self.message.setObjectName("error")
        self.message.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.rejected.connect(self.reject)
        # Enter belongs to the staff number and the PIN pad, never to Cancel
        cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAutoDefault(False)
        cancel.setDefault(False)
        box = QVBoxLayout(self)
        for widget in (label, self.code, self.pad, self.message, buttons):
            box.addWidget(widget)
        self.code.setFocus(Qt.FocusReason.OtherFocusReason)

    @classmethod
    def ask(
        cls,
        *,
        db: StoreDB,
        runner: OpRunner,
        clock: Clock,
        what: str,
        parent: QWidget | None = None,
    ) -> StaffSession | None:
        """The approving manager's session, or None when no manager approved."""
        dialog = cls(db=db, runner=runner, clock=clock, what=what, parent=parent)
        return dialog.approver if dialog.exec() else None

    def _submit(self, pin: str) -> None:
        code = self.code.text().strip()
        now = self.clock()
        self.runner.run(
            lambda: login(self.db, code=code, pin=pin, now=now),
            self._done,
            lambda e: self.message.setText(describe(e)),
        )

    def _done(self, session: StaffSession) -> None:
        if session.role < Role.MANAGER:
            self.message.setText(self.tr("{name} is not a manager").format(name=session.name))
            return
        self.approver = session
        self.accept()
