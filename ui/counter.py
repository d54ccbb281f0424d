"""The counter: find the member, ring up the sale, use points, take payment, returns.

Keyboard first: F2 find member, F3 register, F4 pay with points, F5 pay,
F6 return, F7 history, F8 new sale, F9 lock, Delete removes the chosen line,
Escape goes back to the member field. Every database call goes through the op
runner; the screen redraws from the results.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pos_app.db.store import StoreDB
from pos_app.errors import InvalidInput, NotFound, PosError
from pos_app.money import parse_yuan
from pos_app.phone import normalise_phone
from pos_app.program import Program
from pos_app.services.auth import StaffSession
from pos_app.services.checkout import (
    CartLine,
    CheckoutQuote,
    PaymentInput,
    SaleResult,
    commit_checkout,
    quote_checkout,
)
from pos_app.services.history import member_history
from pos_app.services.items import Item, find_item
from pos_app.services.members import (
    MemberView,
    add_card,
    find_by_card,
    find_by_phone,
    search_last4,
    view_member,
)
from ui import i18n
from ui.dialogs import HistoryDialog, OffsetDialog, PaymentDialog, PickMemberDialog, RegisterDialog
from ui.errors import describe
from ui.fmt import money, points
from ui.gifts import GiftDialog
from ui.ops import OpRunner
from ui.returns import ReturnDialog
from ui.seams import CustomerFacing, NoDisplay, ReceiptSink

Clock = Callable[[], dt.datetime]
# (member id, points, proceed(authorized), refuse(reason))
SpendGate = Callable[[str, int, Callable[[bool], None], Callable[[str], None]], None]
RECEIPT = re.compile(r"^R?-?[A-Z0-9]{1,16}-[A-Z0-9]{1,16}-\d{6}$")
GENERAL = "general"


CATEGORY_NAMES = {
    "general": QT_TRANSLATE_NOOP("Category", "General"),
    "daily": QT_TRANSLATE_NOOP("Category", "Daily goods"),
    "electronics": QT_TRANSLATE_NOOP("Category", "Electronics"),
    "fresh": QT_TRANSLATE_NOOP("Category", "Fresh food"),
    "tobacco": QT_TRANSLATE_NOOP("Category", "Tobacco"),
    "room": QT_TRANSLATE_NOOP("Category", "Room"),
    "minibar": QT_TRANSLATE_NOOP("Category", "Minibar"),
    "restaurant": QT_TRANSLATE_NOOP("Category", "Restaurant"),
}


def category_name(code: str) -> str:
    """Display name of a category code (the code itself when we have no name for it)."""
    name = CATEGORY_NAMES.get(code)
    return QCoreApplication.translate("Category", name) if name else code


def categories(program: Program) -> list[str]:
    """Categories to ring up by: the program's rated and campaign categories, then general."""
    d = program.definition
    found = list(d.earning.category_rates)
    for campaign in d.campaigns:
        found += [c for c in campaign.categories if c not in found]
    return [GENERAL, *found]


class MemberPanel(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("memberpanel")
        self.name = QLabel()
        self.name.setObjectName("membername")
        self.tier = QLabel()
        self.balance = QLabel()
        self.balance.setObjectName("balance")
        self.expiring = QLabel()
        self.earns = QLabel()
        self.earns.setObjectName("earns")
        grid = QGridLayout(self)
        grid.addWidget(self.name, 0, 0)
        grid.addWidget(self.tier, 0, 1)
        grid.addWidget(self.balance, 0, 2)
        grid.addWidget(self.expiring, 1, 0, 1, 2)
        grid.addWidget(self.earns, 1, 2)
        self.kiosk_pin = QPushButton(self.tr("Kiosk PIN..."))
        self.kiosk_pin.setObjectName("kioskpin")
        self.kiosk_pin.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        grid.addWidget(self.kiosk_pin, 0, 3, 2, 1)
        self.show_member(None)

    def show_member(
        self, member: MemberView | None, earns: int | None = None, multipliers: str = ""
    ) -> None:
        self.kiosk_pin.setVisible(member is not None)
        if member is None:
            self.name.setText(self.tr("No member (F2 to find one)"))
            for label in (self.tier, self.balance, self.expiring, self.earns):
                label.clear()
            return
        self.name.setText(f"{member.masked_name}  {member.masked_phone}")
        tier = member.tier_name if i18n.current() == "zh_CN" else member.tier_name_en
        self.tier.setText(self.tr("Tier: {tier}").format(tier=tier))
        self.balance.setText(self.tr("Balance: {p}").format(p=points(member.balance)))
        self.expiring.setText(
            self.tr("Expiring within 30 days: {p}").format(p=points(member.expiring_30d))
        )
        if earns is not None:
            self.earns.setText(
                self.tr("This sale earns: {p}{m}").format(p=points(earns), m=multipliers)
            )
        else:
            self.earns.clear()


class CounterScreen(QWidget):
    lock_requested = Signal()
    sale_completed = Signal(object)  # SaleResult

    def __init__(
        self,
        *,
        db: StoreDB,
        runner: OpRunner,
        clock: Clock,
        program: Program,
        session: StaffSession,
        sink: ReceiptSink,
        display: CustomerFacing | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.db, self.runner, self.clock = db, runner, clock
        self.program, self.session, self.sink = program, session, sink
        self.display: CustomerFacing = display or NoDisplay()
        # set on a store linked to HQ: (member, points, proceed(authorized), refuse(reason))
        self.spend_gate: SpendGate | None = None
        self.member: MemberView | None = None
        self.lines: list[CartLine] = []
        self.offset = 0
        self.coupon: str | None = None
        self.quote: CheckoutQuote | None = None
        self.sale_id = str(uuid.uuid4())

        # member search ------------------------------------------------------------------
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText(
            self.tr("Scan a card, or type a phone number or its last 4 digits")
        )
        self.search.returnPressed.connect(lambda: self.find_member(self.search.text()))
        self.panel = MemberPanel()
        self.panel.kiosk_pin.clicked.connect(self.set_kiosk_pin)
        # line entry ---------------------------------------------------------------------
        self.item_code = QLineEdit()
        self.item_code.setObjectName("itemcode")
        self.item_code.setPlaceholderText(self.tr("Item code"))
        self.item_code.returnPressed.connect(lambda: self.add_item(self.item_code.text()))
        self.category = QComboBox()
        self.category.setObjectName("category")
        for code in categories(program):
            self.category.addItem(category_name(code), code)
        self.amount = QLineEdit()
        self.amount.setObjectName("amount")
        self.amount.setPlaceholderText(self.tr("Amount (¥)"))
        self.amount.returnPressed.connect(self.add_amount)
        self.qty = QSpinBox()
        self.qty.setObjectName("qty")
        self.qty.setRange(1, 9999)
        add = QPushButton(self.tr("Add"))
        add.clicked.connect(self.add_amount)
        # cart ---------------------------------------------------------------------------
        self.table = QTableWidget(0, 6)
        self.table.setObjectName("cart")
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Item"),
                self.tr("Category"),
                self.tr("Qty"),
                self.tr("Price"),
                self.tr("Amount"),
                self.tr("Points"),
            ]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setDefaultSectionSize(40)
        # totals -------------------------------------------------------------------------
        self.subtotal = QLabel()
        self.offset_label = QLabel()
        self.coupon_label = QLabel()
        self.coupon_field = QLineEdit()
        self.coupon_field.setObjectName("coupon")
        self.coupon_field.setPlaceholderText(self.tr("Coupon code"))
        self.coupon_field.returnPressed.connect(lambda: self.apply_coupon(self.coupon_field.text()))
        self.due = QLabel()
        self.due.setObjectName("due")
        self.earn = QLabel()
        self.earn.setObjectName("earn")
        self.notice = QLabel()
        self.notice.setObjectName("notice")
        self.notice.setWordWrap(True)
        totals = QVBoxLayout()
        for widget in (
            self.subtotal,
            self.coupon_label,
            self.offset_label,
            self.due,
            self.earn,
            self.coupon_field,
        ):
            totals.addWidget(widget)
        totals.addStretch(1)
        totals.addWidget(self.notice)
        # actions ------------------------------------------------------------------------
        actions = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for key, label, slot in (
            ("F2", self.tr("Find member"), self.focus_search),
            ("F3", self.tr("Register"), self.register),
            ("F4", self.tr("Pay with points"), self.choose_offset),
            ("F5", self.tr("Pay"), self.pay),
            ("F6", self.tr("Return"), self.open_return),
            ("F7", self.tr("History"), self.show_history),
            ("F8", self.tr("New sale"), self.new_sale),
            ("F9", self.tr("Lock"), self.lock_requested.emit),
            ("F10", self.tr("Gifts"), self.open_gifts),
            ("F11", self.tr("Printer"), self.open_printer),
            ("F12", self.tr("Reports"), self.open_reports),
        ):
            button = QPushButton(f"{key}\n{label}")
            button.setObjectName(f"key_{key}")
            button.setMinimumHeight(64)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(slot)
            actions.addWidget(button)
            self.buttons[key] = button
            QShortcut(QKeySequence(key), self, activated=slot)
        QShortcut(QKeySequence(Qt.Key.Key_Delete), self, activated=self.remove_selected)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, activated=self.focus_search)

        entry = QHBoxLayout()
        entry.addWidget(self.item_code, 2)
        entry.addWidget(self.category, 1)
        entry.addWidget(self.amount, 1)
        entry.addWidget(self.qty)
        entry.addWidget(add)
        left = QVBoxLayout()
        left.addLayout(entry)
        left.addWidget(self.table, 1)
        middle = QHBoxLayout()
        middle.addLayout(left, 3)
        middle.addLayout(totals, 1)
        box = QVBoxLayout(self)
        box.addWidget(self.search)
        box.addWidget(self.panel)
        box.addLayout(middle, 1)
        box.addLayout(actions)
        self.redraw()

    # small helpers ------------------------------------------------------------------------
    def say(self, text: str) -> None:
        self.notice.setText(text)

    def fail(self, error: PosError) -> None:
        self.say(describe(error))

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # member -------------------------------------------------------------------------------
    def find_member(self, text: str) -> None:
        text = text.strip()
        if not text:
            return
        now = self.clock()
        digits = re.sub(r"\D", "", text)
        if len(digits) == 4 and len(text) <= 6:
            self.runner.run(
                lambda: search_last4(self.db, digits, now=now), self._candidates, self.fail
            )
            return
        try:
            phone = normalise_phone(text)
        except InvalidInput:
            self.scan_card(text)
        else:
            self.runner.run(
                lambda: find_by_phone(self.db, phone, now=now), self.set_member, self.fail
            )

    def scan_card(self, card: str) -> None:
        now = self.clock()
        self.runner.run(
            lambda: find_by_card(self.db, card, now=now),
            self.set_member,
            lambda e: self._unknown_card(card, e),
        )

    def scanned(self, code: str) -> None:
        """A scan from the wedge or a serial scanner: a receipt, an item or a member card."""
        code = code.strip().upper()
        if RECEIPT.match(code):
            self.open_return(code)
            return
        self.runner.run(
            lambda: find_item(self.db, code), self._add_found_item, lambda _e: self.scan_card(code)
        )

    def _candidates(self, members: list[MemberView]) -> None:
        if not members:
            self.say(self.tr("No member's phone ends in these digits"))
        elif len(members) == 1:
            self.set_member(members[0])
        else:
            dialog = PickMemberDialog(members, self)
            if dialog.exec() and dialog.chosen is not None:
                self.set_member(dialog.chosen)

    def _unknown_card(self, card: str, error: PosError) -> None:
        if not isinstance(error, NotFound):
            self.fail(error)
            return
        box = QMessageBox(self)
        box.setWindowTitle(self.tr("Unknown card"))
        box.setText(self.tr("No member has card {card}.").format(card=card))
        register = box.addButton(self.tr("Register a new member"), QMessageBox.ButtonRole.YesRole)
        attach = None
        if self.member is not None:
            attach = box.addButton(
                self.tr("Give this card to {name}").format(name=self.member.masked_name),
                QMessageBox.ButtonRole.NoRole,
            )
        by_phone = box.addButton(
            self.tr("Give it to a member (by phone)"), QMessageBox.ButtonRole.ActionRole
        )
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        if box.clickedButton() is register:
            self.register(card)
        elif attach is not None and box.clickedButton() is attach and self.member:
            self.attach_card(card)
        elif box.clickedButton() is by_phone:
            phone, ok = QInputDialog.getText(
                self,
                self.tr("Give the card to a member"),
                self.tr("The member's mobile phone number"),
            )
            if ok and phone.strip():
                self.attach_card_by_phone(card, phone)

    def attach_card_by_phone(self, card: str, phone: str) -> None:
        """The card goes to the member with this phone (a new card for an existing member)."""
        now = self.clock()

        def attach() -> MemberView:
            member = find_by_phone(self.db, phone, now=now)
            return add_card(self.db, actor=self.session, member_id=member.id, card=card, now=now)

        self.runner.run(
            attach,
            lambda m: (
                self.set_member(m),
                self.say(self.tr("Card {card} added").format(card=card)),
            ),
            self.fail,
        )

    def attach_card(self, card: str) -> None:
        assert self.member is not None
        member_id, now = self.member.id, self.clock()
        self.runner.run(
            lambda: add_card(self.db, actor=self.session, member_id=member_id, card=card, now=now),
            lambda m: (
                self.set_member(m),
                self.say(self.tr("Card {card} added").format(card=card)),
            ),
            self.fail,
        )

    def set_member(self, member: MemberView | None) -> None:
        self.member = member
        self.offset = 0
        self.coupon = None  # a coupon belongs to one member
        self.search.clear()
        self.say("")
        self.requote()

    def register(self, card: str = "") -> None:
        dialog = RegisterDialog(
            db=self.db,
            runner=self.runner,
            clock=self.clock,
            actor=self.session,
            card=card if isinstance(card, str) else "",
            parent=self,
        )
        if dialog.exec() and dialog.registration is not None:
            reg = dialog.registration
            self.set_member(reg.member)
            text = self.tr("Registered. Sign-up bonus: {p}").format(p=points(reg.signup_bonus))
            if reg.referral_bonus:
                text += "; " + self.tr("the referrer earned {p}").format(
                    p=points(reg.referral_bonus)
                )
            self.say(text)

    def set_kiosk_pin(self) -> None:
        """Set or reset the member's kiosk PIN (the member types it)."""
        if self.member is None:
            self.say(self.tr("Find the member first"))
            return
        from ui.kiosk_pin_dialog import KioskPinDialog

        dialog = KioskPinDialog(
            db=self.db,
            runner=self.runner,
            clock=self.clock,
            actor=self.session,
            member=self.member,
            parent=self,
        )
        if dialog.exec() and dialog.saved:
            self.say(self.tr("Kiosk PIN saved"))

    def show_history(self) -> None:
        if self.member is None:
            self.say(self.tr("Find the member first"))
            return
        member = self.member
        printing = getattr(self.sink, "print_summary", None)
        self.runner.run(
            lambda: member_history(self.db, member.id),
            lambda rows: HistoryDialog(
                member,
                rows,
                self.program.zone,
                self,
                print_statement=(lambda: self.print_statement(member.id)) if printing else None,
            ).exec(),
            self.fail,
        )

    def print_statement(self, member_id: str) -> None:
        """The member's statement of the last 90 days on the receipt printer."""
        from pos_app.reports.period import member_statement
        from pos_app.reports.render import statement_receipt

        printing = getattr(self.sink, "print_summary", None)
        if printing is None:
            self.say(self.tr("No receipt printer is set up (see devices.toml in the README)."))
            return
        now = self.clock()
        today = self.program.business_day(now)
        cfg = getattr(getattr(self.sink, "printer", None), "cfg", None)
        language = getattr(cfg, "language", "zh_CN")
        zone = self.program.zone

        def build() -> tuple[str, str, list[tuple[str, str]]]:
            first = today - dt.timedelta(days=89)
            statement = member_statement(self.db, member_id, first, today, now=now)
            return statement_receipt(statement, language, zone)

        def send(slip: tuple[str, str, list[tuple[str, str]]]) -> None:
            title, subtitle, rows = slip
            printing(
                title,
                subtitle,
                rows,
                lambda _job: self.say(self.tr("Statement sent to the receipt printer.")),
                self.fail,
            )

        self.runner.run(build, send, self.fail)

    # cart ---------------------------------------------------------------------------------
    def add_item(self, code: str) -> None:
        if not code.strip():
            self.amount.setFocus()
            return
        self.runner.run(lambda: find_item(self.db, code), self._add_found_item, self.fail)

    def _add_found_item(self, item: Item) -> None:
        self.item_code.clear()
        self.add_line(
            CartLine(item.category, item.price_fen, self.qty.value(), item.code, item.name)
        )

    def add_amount(self) -> None:
        try:
            fen = parse_yuan(self.amount.text())
        except InvalidInput as exc:
            self.fail(exc)
            return
        if fen <= 0:
            self.say(self.tr("Enter an amount above zero"))
            return
        self.amount.clear()
        self.add_line(CartLine(self.category.currentData(), fen, self.qty.value()))

    def add_line(self, line: CartLine) -> None:
        self.lines.append(line)
        self.display.line_added(
            line.description or category_name(line.category), line.qty, line.amount_fen
        )
        self.qty.setValue(1)
        self.say("")
        self.requote()

    def remove_selected(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.lines):
            del self.lines[row]
            self.requote()

    def set_quantity(self, row: int, qty: int) -> None:
        self.lines[row] = replace(self.lines[row], qty=qty)
        self.requote()

    def apply_coupon(self, code: str) -> None:
        """A coupon from a gift redemption: checked with the next quote, used at payment."""
        if self.member is None:
            self.say(self.tr("Find the member the coupon was issued to first"))
            return
        self.coupon = code.strip().upper() or None
        self.coupon_field.clear()
        self.requote()

    def new_sale(self) -> None:
        self.lines = []
        self.offset = 0
        self.coupon = None
        self.member = None
        self.sale_id = str(uuid.uuid4())
        self.display.welcome()
        self.say("")
        self.requote()
        self.focus_search()

    # quote --------------------------------------------------------------------------------
    def requote(self) -> None:
        if not self.lines:
            self.quote = None
            self.redraw()
            if self.member is not None:
                self._refresh_member()
            return
        member_id = self.member.id if self.member else None
        lines, offset, now, coupon = list(self.lines), self.offset, self.clock(), self.coupon
        self.runner.run(
            lambda: quote_checkout(
                self.db,
                member_id=member_id,
                lines=lines,
                offset_points=offset,
                now=now,
                coupon_code=coupon,
            ),
            self._quoted,
            self._quote_failed,
        )

    def _refresh_member(self) -> None:
        assert self.member is not None
        member_id, now = self.member.id, self.clock()
        self.runner.run(
            lambda: view_member(self.db, member_id, now=now), self._member_fresh, self.fail
        )

    def _member_fresh(self, member: MemberView) -> None:
        self.member = member
        self.redraw()

    def _quoted(self, quote: CheckoutQuote) -> None:
        self.quote = quote
        self.redraw()

    def _quote_failed(self, error: PosError) -> None:
        if self.member is not None:
            self._refresh_member()  # whatever changed, show the balance as it is now
        if self.coupon and error.field == "coupon":  # a bad coupon: drop it, say why
            self.coupon = None
            self.fail(error)
            self.requote()
            return
        if self.offset:  # e.g. points spent elsewhere meanwhile: drop the offset, say why
            self.offset = 0
            self.fail(error)
            self.requote()
            return
        self.fail(error)

    def _multiplier_text(self) -> str:
        q = self.quote
        if q is None or not q.campaigns:
            return ""
        best = max(ql.multiplier for ql in q.lines)
        return self.tr(" (campaign ×{m})").format(m=best)

    def redraw(self) -> None:
        q = self.quote
        self.table.setRowCount(len(self.lines))
        for row, line in enumerate(self.lines):
            ql = q.lines[row] if q is not None and row < len(q.lines) else None
            label = line.description or line.item_code or category_name(line.category)
            points_text = ""
            if ql is not None and self.member is not None:
                points_text = points(ql.points)
                if ql.multiplier != 1:
                    points_text += f" ×{ql.multiplier}"
            cells = [
                label,
                category_name(line.category),
                str(line.qty),
                money(line.unit_price_fen),
                money(line.amount_fen),
                points_text,
            ]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col >= 2:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, col, item)
        subtotal = sum(line.amount_fen for line in self.lines)
        self.subtotal.setText(self.tr("Subtotal: {v}").format(v=money(subtotal)))
        if q is not None and q.offset_points:
            self.offset_label.setText(
                self.tr("Points used: {p} (−{v})").format(
                    p=points(q.offset_points), v=money(q.offset_fen)
                )
            )
        else:
            self.offset_label.setText("")
        if q is not None and q.coupon_fen:
            self.coupon_label.setText(
                self.tr("Coupon {code}: −{v}").format(code=q.coupon_code, v=money(q.coupon_fen))
            )
        else:
            self.coupon_label.setText("")
        self.due.setText(self.tr("Due: {v}").format(v=money(q.total_due_fen if q else subtotal)))
        if self.member is not None and q is not None:
            self.earn.setText(
                self.tr("Earns {p} points{m}").format(
                    p=points(q.earn_points), m=self._multiplier_text()
                )
            )
        else:
            self.earn.setText("")
        self.panel.show_member(
            self.member, q.earn_points if q and self.member else None, self._multiplier_text()
        )

    # offset and payment ------------------------------------------------------------------
    def choose_offset(self) -> None:
        if self.member is None or self.quote is None:
            self.say(self.tr("Find the member and ring up the sale first"))
            return
        dialog = OffsetDialog(self.quote, self.offset, self)
        if dialog.exec():
            self.set_offset(dialog.points)

    def set_offset(self, value: int) -> None:
        self.offset = value
        self.requote()

    def pay(self) -> None:
        if self.quote is None:
            self.say(self.tr("Nothing to pay yet"))
            return
        self.display.total(
            self.quote.total_due_fen, self.quote.earn_points if self.member else None
        )
        dialog = PaymentDialog(self.quote, self)
        if dialog.exec():
            self.complete(dialog.payment)

    def complete(self, payment: PaymentInput | None) -> None:
        quote = self.quote
        assert quote is not None
        spend = quote.offset_points
        if self.spend_gate is not None and self.member is not None and spend:
            # a store linked to HQ: a big offset is checked with HQ first
            self.spend_gate(
                self.member.id,
                spend,
                lambda authorized: self._commit(payment, authorized),
                lambda reason: self.say(
                    self.tr("HQ did not allow this: {reason}").format(reason=reason)
                ),
            )
            return
        self._commit(payment, False)

    def _commit(self, payment: PaymentInput | None, authorized: bool) -> None:
        quote = self.quote
        assert quote is not None
        payments = [payment] if payment is not None else []
        member_id = self.member.id if self.member else None
        lines, offset, now, sale_id = list(self.lines), self.offset, self.clock(), self.sale_id
        coupon = self.coupon
        self.runner.run(
            lambda: commit_checkout(
                self.db,
                actor=self.session,
                sale_id=sale_id,
                member_id=member_id,
                lines=lines,
                offset_points=offset,
                coupon_code=coupon,
                payments=payments,
                now=now,
                expected_total_fen=quote.total_due_fen,
                expected_points=quote.earn_points,
                authorized=authorized,
            ),
            self._completed,
            self._pay_failed,
        )

    def _pay_failed(self, error: PosError) -> None:
        self.fail(error)
        if self.member is not None:
            self._refresh_member()
        self.requote()

    def _completed(self, result: SaleResult) -> None:
        self.sink.sale_completed(result)
        self.sale_completed.emit(result)
        q = result.quote
        text = [self.tr("Sale {receipt} complete.").format(receipt=result.receipt_no)]
        if result.change_fen:
            text.append(self.tr("Change: {v}").format(v=money(result.change_fen)))
        if result.balance is not None:
            text.append(
                self.tr("Points earned: {p}, balance now {b}").format(
                    p=points(q.earn_points), b=points(result.balance)
                )
            )
        if result.tier_change is not None:
            text.append(
                self.tr("Tier up to {tier}! Bonus {p} points").format(
                    tier=self.program.tier(result.tier_change.new_tier).name,
                    p=points(result.tier_change.bonus_points),
                )
            )
        self.new_sale()
        if result.change_fen:
            self.display.change(result.change_fen)
        self.say(" ".join(text))

    # gifts --------------------------------------------------------------------------------
    def open_gifts(self) -> None:
        if self.member is None:
            self.say(self.tr("Find the member first"))
            return
        dialog = GiftDialog(
            db=self.db,
            runner=self.runner,
            clock=self.clock,
            actor=self.session,
            member=self.member,
            parent=self,
        )
        dialog.spend_gate = self.spend_gate
        dialog.exec()
        for redemption in dialog.done_redemptions:
            self.sink.gift_redeemed(redemption)
        if dialog.done_redemptions:
            self.say(self.tr("{n} gift(s) handed over.").format(n=len(dialog.done_redemptions)))
        self._refresh_member()

    # manager reports ----------------------------------------------------------------------
    def open_reports(self) -> None:
        """End-of-day report, day close, period and statements: a manager's PIN first."""
        from ui.login import ApprovalDialog
        from ui.manager import ManagerDialog

        manager = ApprovalDialog.ask(
            db=self.db,
            runner=self.runner,
            clock=self.clock,
            what=self.tr("manager reports"),
            parent=self,
        )
        if manager is None:
            return
        ManagerDialog(
            db=self.db,
            runner=self.runner,
            clock=self.clock,
            program=self.program,
            manager=manager,
            sink=self.sink,
            member_key=self.member.cards[0] if self.member and self.member.cards else "",
            parent=self,
        ).exec()

    # printer ------------------------------------------------------------------------------
    def open_printer(self) -> None:
        from ui.printing import PrinterDialog, PrinterSink

        if not isinstance(self.sink, PrinterSink):
            self.say(self.tr("No receipt printer is set up (see devices.toml in the README)."))
            return
        PrinterDialog(
            sink=self.sink,
            db=self.db,
            runner=self.runner,
            clock=self.clock,
            actor=self.session,
            member_id=self.member.id if self.member else None,
            parent=self,
        ).exec()

    # returns ------------------------------------------------------------------------------
    def open_return(self, receipt_no: str = "") -> None:
        dialog = ReturnDialog(
            db=self.db,
            runner=self.runner,
            clock=self.clock,
            actor=self.session,
            receipt_no=receipt_no if isinstance(receipt_no, str) else "",
            parent=self,
        )
        if dialog.exec() and dialog.result is not None:
            result = dialog.result
            self.sink.return_completed(result)
            self.say(
                self.tr("Return {no} done. Give the customer {v}.").format(
                    no=result.return_no, v=money(result.quote.net_refund_fen)
                )
            )
            if self.member is not None:
                self._refresh_member()
