"""At the counter: set or reset a member's kiosk PIN (the member types it, twice)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from pos_app.db.store import StoreDB
from pos_app.errors import PosError
from pos_app.services.auth import StaffSession
from pos_app.services.member_pin import PIN_MAX, set_member_pin
from pos_app.services.members import MemberView
from ui.errors import describe
from ui.ops import OpRunner

Clock = Callable[[], dt.datetime]


def kiosk_pin_fields() -> tuple[QLineEdit, QLineEdit]:
    """The PIN and its repetition: digits only, hidden, never prefilled."""
    fields = []
    for name in ("kioskpin", "kioskpin2"):
        field = QLineEdit()
        field.setObjectName(name)
        field.setEchoMode(QLineEdit.EchoMode.Password)
        field.setMaxLength(PIN_MAX)
        field.setValidator(QRegularExpressionValidator(r"\d*", field))
        field.setPlaceholderText(
            QCoreApplication.translate("KioskPinDialog", "4 to 6 digits (optional)")
        )
        fields.append(field)
    return fields[0], fields[1]


class KioskPinDialog(QDialog):
    """Set or reset the kiosk PIN of the member on the counter; errors under the field."""

    def __init__(
        self,
        *,
        db: StoreDB,
        runner: OpRunner,
        clock: Clock,
        actor: StaffSession,
        member: MemberView,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.db, self.runner, self.clock, self.actor, self.member = db, runner, clock, actor, member
        self.saved = False
        self.setWindowTitle(self.tr("Kiosk PIN for {name}").format(name=member.masked_name))
        info = QLabel(
            self.tr(
                "The member types a PIN of 4 to 6 digits, twice. With it and their phone "
                "number they can check their points at the kiosk."
            )
        )
        info.setWordWrap(True)
        self.pin, self.pin_repeat = kiosk_pin_fields()
        for field in (self.pin, self.pin_repeat):
            field.setPlaceholderText(self.tr("4 to 6 digits"))
        self.errors = {"pin": QLabel(), "pin_repeat": QLabel()}
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight)
        for label, field, key in (
            (self.tr("New kiosk PIN"), self.pin, "pin"),
            (self.tr("Once more"), self.pin_repeat, "pin_repeat"),
        ):
            form.addRow(label, field)
            self.errors[key].setObjectName("error")
            self.errors[key].hide()
            form.addRow("", self.errors[key])
        self.message = QLabel()
        self.message.setObjectName("error")
        self.message.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Save PIN"))
        ok.setDefault(True)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addWidget(info)
        box.addLayout(form)
        box.addWidget(self.message)
        box.addWidget(buttons)
        self.setMinimumWidth(520)

    def submit(self) -> None:
        for label in self.errors.values():
            label.clear()
            label.hide()
        self.message.clear()
        pin, repeat, now = self.pin.text(), self.pin_repeat.text(), self.clock()
        member_id = self.member.id
        self.runner.run(
            lambda: set_member_pin(
                self.db, actor=self.actor, member_id=member_id, pin=pin, repeat=repeat, now=now
            ),
            self._done,
            self._failed,
        )

    def _done(self, _result: object) -> None:
        self.saved = True
        self.accept()

    def _failed(self, error: PosError) -> None:
        self.pin.clear()
        self.pin_repeat.clear()
        target = self.errors.get(error.field or "")
        (target or self.message).setText(describe(error))
        if target is not None:
            target.show()
