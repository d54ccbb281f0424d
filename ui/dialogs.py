"""Dialogs of the counter: register, pick a member, offset, payment, history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pos_app.db.store import StoreDB
from pos_app.errors import InvalidInput, PosError
from pos_app.money import parse_yuan
from pos_app.services.auth import StaffSession
from pos_app.services.checkout import PAYMENT_METHODS, CheckoutQuote, PaymentInput
from pos_app.services.history import HistoryRow
from pos_app.services.member_pin import check_kiosk_pin, set_member_pin
from pos_app.services.members import MemberView, Registration, register_member
from ui import i18n
from ui.errors import describe
from ui.fmt import money, points
from ui.kiosk_pin_dialog import kiosk_pin_fields
from ui.ops import OpRunner

Clock = Callable[[], dt.datetime]


def _buttons(dialog: QDialog, ok_text: str) -> QDialogButtonBox:
    box = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    ok = box.button(QDialogButtonBox.StandardButton.Ok)
    ok.setText(ok_text)
    ok.setDefault(True)
    box.rejected.connect(dialog.reject)
    return box


class RegisterDialog(QDialog):
    """Name, phone, card, optional referrer; errors shown next to the field they are about."""

    def __init__(
        self,
        *,
        db: StoreDB,
        runner: OpRunner,
        clock: Clock,
        actor: StaffSession,
        card: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.db, self.runner, self.clock, self.actor = db, runner, clock, actor
        self.registration: Registration | None = None
        self.setWindowTitle(self.tr("Register a member"))
        self.name = QLineEdit()
        self.name.setObjectName("name")
        self.phone = QLineEdit()
        self.phone.setObjectName("phone")
        self.card = QLineEdit(card)
        self.card.setObjectName("card")
        self.referrer = QLineEdit()
        self.referrer.setObjectName("referrer")
        self.referrer.setPlaceholderText(self.tr("Referrer's card or phone (optional)"))
        # the kiosk PIN step: optional, 4-6 digits, typed twice (the member types it)
        self.pin, self.pin_repeat = kiosk_pin_fields()
        self.errors = {
            f: QLabel() for f in ("name", "phone", "card", "referrer", "pin", "pin_repeat")
        }
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight)
        for label, widget, field in (
            (self.tr("Name"), self.name, "name"),
            (self.tr("Mobile phone"), self.phone, "phone"),
            (self.tr("Card number"), self.card, "card"),
            (self.tr("Referred by"), self.referrer, "referrer"),
            (self.tr("Kiosk PIN"), self.pin, "pin"),
            (self.tr("Kiosk PIN again"), self.pin_repeat, "pin_repeat"),
        ):
            form.addRow(label, widget)
            self.errors[field].setObjectName("error")
            self.errors[field].hide()  # shown only when there is something to say
            form.addRow("", self.errors[field])
        self.message = QLabel()
        self.message.setObjectName("error")
        self.message.setWordWrap(True)
        buttons = _buttons(self, self.tr("Register"))
        buttons.accepted.connect(self._submit)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(self.message)
        box.addWidget(buttons)

    def _submit(self) -> None:
        for label in self.errors.values():
            label.clear()
            label.hide()
        self.message.clear()
        name, phone = self.name.text(), self.phone.text()
        card, referrer = self.card.text().strip() or None, self.referrer.text().strip() or None
        pin, repeat = self.pin.text(), self.pin_repeat.text()
        now = self.clock()

        def register() -> Registration:
            if pin or repeat:
                check_kiosk_pin(pin, repeat)  # before anything is written
            registration = register_member(
                self.db,
                actor=self.actor,
                name=name,
                phone=phone,
                card=card,
                referrer=referrer,
                now=now,
            )
            if pin:
                set_member_pin(
                    self.db, actor=self.actor, member_id=registration.member.id, pin=pin, now=now
                )
            return registration

        self.runner.run(register, self._done, self._failed)

    def _done(self, registration: Registration) -> None:
        self.registration = registration
        self.accept()

    def _failed(self, error: PosError) -> None:
        target = self.errors.get(error.field or "")
        (target or self.message).setText(describe(error))
        if target is not None:
            target.show()


class PickMemberDialog(QDialog):
    """The short list for the last 4 digits of a phone number."""

    def __init__(self, candidates: list[MemberView], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Choose the member"))
        self.chosen: MemberView | None = None
        self.list = QListWidget()
        for member in candidates:
            tier = member.tier_name if i18n.current() == "zh_CN" else member.tier_name_en
            item = QListWidgetItem(
                self.tr("{name}   {phone}   {tier}   {p} points").format(
                    name=member.masked_name,
                    phone=member.masked_phone,
                    tier=tier,
                    p=points(member.balance),
                )
            )
            item.setData(Qt.ItemDataRole.UserRole, member)
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        self.list.itemActivated.connect(lambda _item: self._choose())
        buttons = _buttons(self, self.tr("Choose"))
        buttons.accepted.connect(self._choose)
        box = QVBoxLayout(self)
        box.addWidget(self.list)
        box.addWidget(buttons)
        self.resize(620, 340)

    def _choose(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.chosen = item.data(Qt.ItemDataRole.UserRole)
            self.accept()


class OffsetDialog(QDialog):
    """How many points to use on this bill: the maximum is shown; an amount, max or none."""

    def __init__(self, quote: CheckoutQuote, current: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Pay with points"))
        limit = quote.offset
        self.points = current
        maximum = limit.max_points if limit else 0
        info = QLabel(
            self.tr(
                "Balance {balance} points. At most {max} points ({value}) on this "
                "bill, in steps of {step}."
            ).format(
                balance=points(quote.balance),
                max=points(maximum),
                value=money(limit.value_fen(maximum) if limit else 0),
                step=limit.step if limit else 1,
            )
        )
        info.setWordWrap(True)
        if limit is not None and not maximum and limit.reason:
            info.setText(self.tr("No points can be used: {reason}").format(reason=limit.reason))
        self.spin = QSpinBox()
        self.spin.setObjectName("offsetpoints")
        self.spin.setRange(0, maximum)
        self.spin.setSingleStep(limit.step if limit else 1)
        self.spin.setValue(min(current, maximum))
        self.value = QLabel()
        self.spin.valueChanged.connect(
            lambda v: self.value.setText(
                self.tr("Worth: {v}").format(v=money(limit.value_fen(v) if limit else 0))
            )
        )
        self.spin.valueChanged.emit(self.spin.value())
        use_max = QPushButton(self.tr("Max"))
        use_max.setObjectName("max")
        use_max.clicked.connect(lambda: self.spin.setValue(maximum))
        none = QPushButton(self.tr("None"))
        none.clicked.connect(lambda: self.spin.setValue(0))
        for button in (use_max, none):
            button.setAutoDefault(False)  # Enter applies the typed amount
        buttons = _buttons(self, self.tr("Apply"))
        buttons.accepted.connect(self._apply)
        self.setMinimumWidth(460)
        grid = QGridLayout(self)
        grid.addWidget(info, 0, 0, 1, 3)
        grid.addWidget(self.spin, 1, 0)
        grid.addWidget(use_max, 1, 1)
        grid.addWidget(none, 1, 2)
        grid.addWidget(self.value, 2, 0, 1, 3)
        grid.addWidget(buttons, 3, 0, 1, 3)

    def _apply(self) -> None:
        self.points = self.spin.value()
        self.accept()


class PaymentDialog(QDialog):
    """Shows what will happen (amount due, points used and earned, balance after), takes the
    method and the cash tendered, and shows the change."""

    def __init__(self, quote: CheckoutQuote, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.quote = quote
        self.payment: PaymentInput | None = None
        self.setWindowTitle(self.tr("Payment"))
        due = QLabel(self.tr("Amount due: {due}").format(due=money(quote.total_due_fen)))
        due.setObjectName("due")
        lines = []
        if quote.offset_points:
            lines.append(
                self.tr("Points used: {p} (−{v})").format(
                    p=points(quote.offset_points), v=money(quote.offset_fen)
                )
            )
        if quote.member_id:
            lines.append(self.tr("Points earned: {p}").format(p=points(quote.earn_points)))
            lines.append(self.tr("Balance after: {p}").format(p=points(quote.balance_after)))
        summary = QLabel("\n".join(lines))
        self.methods = QButtonGroup(self)
        method_row = QGridLayout()
        names = {
            "cash": self.tr("Cash"),
            "card": self.tr("Bank card"),
            "wechat": self.tr("WeChat Pay"),
            "alipay": self.tr("Alipay"),
            "other": self.tr("Other"),
        }
        for i, method in enumerate(PAYMENT_METHODS):
            button = QPushButton(names[method])
            button.setObjectName(f"method_{method}")
            button.setCheckable(True)
            button.setMinimumHeight(48)
            self.methods.addButton(button, i)
            method_row.addWidget(button, 0, i)
        self.methods.button(0).setChecked(True)
        self.tendered = QLineEdit(f"{quote.total_due_fen / 100:.2f}")
        self.tendered.setObjectName("tendered")
        self.change = QLabel()
        self.change.setObjectName("change")
        self.error = QLabel()
        self.error.setObjectName("error")
        self.tendered.textChanged.connect(self._update)
        self.methods.idToggled.connect(lambda _i, _on: self._update())
        buttons = _buttons(self, self.tr("Complete sale"))
        buttons.accepted.connect(self._confirm)
        form = QFormLayout()
        form.addRow(self.tr("Cash tendered"), self.tendered)
        form.addRow(self.tr("Change"), self.change)
        box = QVBoxLayout(self)
        for widget in (due, summary):
            box.addWidget(widget)
        box.addLayout(method_row)
        box.addLayout(form)
        box.addWidget(self.error)
        box.addWidget(buttons)
        self._update()
        self.tendered.selectAll()
        self.tendered.setFocus()

    @property
    def method(self) -> str:
        return PAYMENT_METHODS[self.methods.checkedId()]

    def _tendered_fen(self) -> int:
        return parse_yuan(self.tendered.text(), field="tendered")

    def _update(self) -> None:
        cash = self.method == "cash"
        self.tendered.setEnabled(cash)
        self.error.clear()
        if not cash:
            self.change.setText(money(0))
            return
        try:
            change = self._tendered_fen() - self.quote.total_due_fen
        except InvalidInput as exc:
            self.change.setText("")
            self.error.setText(describe(exc))
            return
        self.change.setText(money(change) if change >= 0 else self.tr("not enough"))

    def _confirm(self) -> None:
        due = self.quote.total_due_fen
        if due == 0:
            self.payment = None
            self.accept()
            return
        tendered = None
        if self.method == "cash":
            try:
                tendered = self._tendered_fen()
            except InvalidInput as exc:
                self.error.setText(describe(exc))
                return
            if tendered < due:
                self.error.setText(self.tr("The cash tendered is less than the amount due"))
                return
        self.payment = PaymentInput(self.method, due, tendered)
        self.accept()


class HistoryDialog(QDialog):
    """The member's recent ledger entries, with reasons."""

    def __init__(
        self,
        member: MemberView,
        rows: list[HistoryRow],
        zone: dt.tzinfo,
        parent: QWidget | None = None,
        print_statement: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Points history: {name}").format(name=member.masked_name))
        kinds = {
            "earn": self.tr("Purchase"),
            "signup_bonus": self.tr("Sign-up bonus"),
            "referral_bonus": self.tr("Referral bonus"),
            "upgrade_bonus": self.tr("Tier upgrade bonus"),
            "activity_bonus": self.tr("Activity bonus"),
            "offset": self.tr("Paid with points"),
            "offset_refund": self.tr("Points returned"),
            "reversal": self.tr("Return"),
            "gift_redemption": self.tr("Gift"),
            "gift_refund": self.tr("Gift cancelled"),
            "expiry": self.tr("Expired"),
            "adjustment": self.tr("Adjustment"),
            "transfer": self.tr("Transfer"),
        }
        self.table = QTableWidget(len(rows), 5)
        self.table.setObjectName("history")
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Time"),
                self.tr("What"),
                self.tr("Points"),
                self.tr("Balance"),
                self.tr("Receipt / reason"),
            ]
        )
        for r, row in enumerate(rows):
            # people's reasons (adjustments, activities) are shown; system texts are not
            note = row.reason if row.kind in ("adjustment", "activity_bonus") else ""
            cells = [
                row.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                kinds.get(row.kind, row.kind),
                f"{row.points:+,}",
                points(row.balance_after),
                row.receipt_no or note,
            ]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c in (2, 3):
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        if print_statement is not None:
            # the member asks for it at the counter: the last 90 days on the receipt printer
            statement = close.addButton(
                self.tr("Print statement (90 days)"), QDialogButtonBox.ButtonRole.ActionRole
            )
            statement.setObjectName("printstatement")
            statement.setAutoDefault(False)
            statement.clicked.connect(print_statement)
        box = QVBoxLayout(self)
        box.addWidget(self.table)
        box.addWidget(close)
        self.resize(760, 480)
