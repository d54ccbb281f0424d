"""Gift hand-over at the counter: browse or search, see the price for this member and what
blocks a gift, confirm (manager approval for expensive gifts), hand over; cancel one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
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
from pos_app.errors import PosError
from pos_app.services.auth import StaffSession
from pos_app.services.gifts import (
    Blocker,
    Cancellation,
    GiftOffer,
    Redemption,
    RedemptionQuote,
    cancel_redemption,
    list_gifts,
    quote_redemption,
    redeem_gift,
)
from pos_app.services.members import MemberView
from ui import i18n
from ui.errors import describe
from ui.fmt import money, points
from ui.login import ApprovalDialog
from ui.ops import OpRunner

Clock = Callable[[], dt.datetime]


class GiftDialog(QDialog):
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
        self.db, self.runner, self.clock, self.actor, self.member = (
            db,
            runner,
            clock,
            actor,
            member,
        )
        self.offers: list[GiftOffer] = []
        self.done_redemptions: list[Redemption] = []
        # set by the counter on a store linked to HQ (see ui.sync_status.SyncController.gate)
        self.spend_gate: Callable[..., None] | None = None
        self.setWindowTitle(self.tr("Gifts for {name}").format(name=member.masked_name))
        self.balance = QLabel()
        self.balance.setObjectName("balance")
        self.search = QLineEdit()
        self.search.setObjectName("giftsearch")
        self.search.setPlaceholderText(self.tr("Search gifts"))
        self.search.textChanged.connect(self.reload)
        self.category = QComboBox()
        self.category.setObjectName("giftcategory")
        self.category.addItem(self.tr("All categories"), "")
        self.category.currentIndexChanged.connect(self.reload)
        self.affordable = QCheckBox(self.tr("Affordable now"))
        self.affordable.setObjectName("affordable")
        self.affordable.toggled.connect(self.reload)
        self.max_points = QSpinBox()
        self.max_points.setObjectName("maxpoints")
        self.max_points.setRange(0, 10_000_000)
        self.max_points.setSingleStep(500)
        self.max_points.setSpecialValueText(self.tr("any price"))
        self.max_points.valueChanged.connect(self.reload)
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("gifts")
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Gift"),
                self.tr("Points"),
                self.tr("Cash"),
                self.tr("Stock"),
                self.tr("Can redeem?"),
            ]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selected)
        self.table.itemActivated.connect(lambda _item: self.redeem())
        self.preview = QLabel()
        self.preview.setObjectName("preview")
        self.preview.setWordWrap(True)
        self.message = QLabel()
        self.message.setObjectName("notice")
        self.message.setWordWrap(True)
        for label in (self.preview, self.message):
            label.setMinimumHeight(label.fontMetrics().lineSpacing() * 3 + 8)
        self.redeem_button = QPushButton(self.tr("Hand over"))
        self.redeem_button.setObjectName("redeem")
        self.redeem_button.setEnabled(False)
        self.redeem_button.clicked.connect(self.redeem)
        cancel = QPushButton(self.tr("Cancel a redemption..."))
        cancel.setObjectName("cancelredemption")
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.ask_cancel)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.accept)
        filters = QHBoxLayout()
        filters.addWidget(self.search, 2)
        filters.addWidget(self.category, 1)
        filters.addWidget(self.affordable)
        filters.addWidget(QLabel(self.tr("Up to")))
        filters.addWidget(self.max_points)
        actions = QHBoxLayout()
        actions.addWidget(self.redeem_button)
        actions.addWidget(cancel)
        actions.addStretch(1)
        actions.addWidget(close)
        box = QVBoxLayout(self)
        box.addWidget(self.balance)
        box.addLayout(filters)
        box.addWidget(self.table, 1)
        box.addWidget(self.preview)
        box.addWidget(self.message)
        box.addLayout(actions)
        self.resize(900, 600)
        self.reload()

    # catalogue ------------------------------------------------------------------------------
    def reload(self) -> None:
        member_id, now = self.member.id, self.clock()
        category = self.category.currentData() or None
        search, affordable = self.search.text(), self.affordable.isChecked()
        top = self.max_points.value() or None
        self.runner.run(
            lambda: list_gifts(
                self.db,
                member_id=member_id,
                now=now,
                category=category,
                search=search,
                affordable_only=affordable,
                max_points=top,
            ),
            self._listed,
            self._failed,
        )

    def reason(self, blocker: Blocker) -> str:
        """A blocker in the interface's language."""
        p = blocker.params
        if blocker.code == "inactive":
            return self.tr("not available now")
        if blocker.code == "min_tier":
            tier = p["tier"] if i18n.current() == "zh_CN" else p["tier_en"]
            return self.tr("for {tier} members and above").format(tier=tier)
        if blocker.code == "out_of_stock":
            return self.tr("out of stock")
        if blocker.code == "points":
            return self.tr("needs {p} more points").format(p=points(int(p["missing"])))
        if blocker.code == "limit":
            period = {
                "day": self.tr("day"),
                "week": self.tr("week"),
                "month": self.tr("month"),
                "year": self.tr("year"),
            }.get(str(p["period"]), str(p["period"]))
            return self.tr("limit of {n} per {period} reached").format(n=p["limit"], period=period)
        if blocker.code == "low_stock":
            return self.tr("stock is low: {n} per member").format(n=p["cap"])
        return str(blocker)

    def reasons(self, offer: GiftOffer) -> str:
        return self.tr("; ").join(self.reason(b) for b in offer.blockers)

    def _name(self, offer: GiftOffer) -> str:
        return offer.name if i18n.current() == "zh_CN" or not offer.name_en else offer.name_en

    def _listed(self, offers: list[GiftOffer]) -> None:
        self.offers = offers
        known = {self.category.itemData(i) for i in range(self.category.count())}
        for offer in offers:
            if offer.category and offer.category not in known:
                self.category.addItem(offer.category, offer.category)
                known.add(offer.category)
        self.table.setRowCount(len(offers))
        for row, offer in enumerate(offers):
            price = points(offer.points)
            if offer.campaign:
                price += self.tr(" (was {p})").format(p=points(offer.list_points))
            stock = str(offer.stock) + (self.tr(" stock low") if offer.low_stock else "")
            status = self.tr("yes") if offer.redeemable else self.reasons(offer)
            for col, text in enumerate(
                (
                    self._name(offer),
                    price,
                    money(offer.cash_fen) if offer.cash_fen else "",
                    stock,
                    status,
                )
            ):
                item = QTableWidgetItem(text)
                if col in (1, 2, 3):
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if not offer.redeemable:
                    item.setForeground(Qt.GlobalColor.gray)
                self.table.setItem(row, col, item)
        self.balance.setText(
            self.tr("{name}: balance {p} points").format(
                name=self.member.masked_name, p=points(self.member.balance)
            )
        )
        self._selected()

    def current(self) -> GiftOffer | None:
        row = self.table.currentRow()
        return self.offers[row] if 0 <= row < len(self.offers) else None

    def select(self, code: str) -> None:
        for row, offer in enumerate(self.offers):
            if offer.code == code:
                self.table.selectRow(row)
                return

    def _selected(self) -> None:
        offer = self.current()
        self.redeem_button.setEnabled(offer is not None and offer.redeemable)
        if offer is None:
            self.preview.setText(self.tr("Choose a gift"))
            return
        member_id, now = self.member.id, self.clock()
        self.runner.run(
            lambda: quote_redemption(self.db, member_id=member_id, gift_code=offer.code, now=now),
            self._quoted,
            self._failed,
        )

    def _quoted(self, quote: RedemptionQuote) -> None:
        offer = quote.offer
        lines = [
            self.tr("{gift}: {p} points").format(gift=self._name(offer), p=points(offer.points))
        ]
        if offer.cash_fen:
            lines.append(self.tr("plus {v} in cash").format(v=money(offer.cash_fen)))
        if offer.redeemable:
            lines.append(self.tr("Balance after: {p}").format(p=points(quote.balance_after)))
            if quote.needs_manager:
                lines.append(self.tr("A manager must approve this gift."))
        else:
            lines.append(self.tr("Cannot be redeemed: {why}").format(why=self.reasons(offer)))
        self.preview.setText("\n".join(lines))

    # redeem and cancel ------------------------------------------------------------------------
    def redeem(self) -> None:
        """Read the price afresh, ask the cashier to confirm it, then hand over."""
        offer = self.current()
        if offer is None or not offer.redeemable:
            return
        member_id, now = self.member.id, self.clock()
        self.runner.run(
            lambda: quote_redemption(self.db, member_id=member_id, gift_code=offer.code, now=now),
            self._confirm,
            self._failed,
        )

    def _confirm(self, quote: RedemptionQuote) -> None:
        offer = quote.offer
        if not offer.redeemable:
            self._quoted(quote)
            return
        cash = self.tr(" and {v} in cash").format(v=money(offer.cash_fen)) if offer.cash_fen else ""
        ask = QMessageBox.question(
            self,
            self.tr("Hand over the gift"),
            self.tr("Take {p} points{cash} from {name} for {gift}?").format(
                p=points(offer.points),
                cash=cash,
                name=self.member.masked_name,
                gift=self._name(offer),
            ),
        )
        if ask != QMessageBox.StandardButton.Yes:
            return
        approver = None
        if quote.needs_manager:
            approver = ApprovalDialog.ask(
                db=self.db,
                runner=self.runner,
                clock=self.clock,
                what=self.tr("a gift of {p} points").format(p=points(offer.points)),
                parent=self,
            )
            if approver is None:
                self.message.setText(self.tr("Not approved: nothing was handed over"))
                return
        if self.spend_gate is not None:
            # a store linked to HQ: a big redemption is checked with HQ first
            self.spend_gate(
                self.member.id,
                offer.points,
                lambda authorized: self._redeem(offer, approver, authorized),
                lambda reason: self.message.setText(
                    self.tr("HQ did not allow this: {reason}").format(reason=reason)
                ),
            )
            return
        self._redeem(offer, approver, False)

    def _redeem(self, offer: GiftOffer, approver: StaffSession | None, authorized: bool) -> None:
        member_id, now = self.member.id, self.clock()
        self.runner.run(
            lambda: redeem_gift(
                self.db,
                actor=self.actor,
                member_id=member_id,
                gift_code=offer.code,
                now=now,
                approver=approver,
                expected_points=offer.points,
                cash_fen=offer.cash_fen,
                authorized=authorized,
            ),
            self._redeemed,
            self._failed,
        )

    def _redeemed(self, redemption: Redemption) -> None:
        self.done_redemptions.append(redemption)
        self.member = MemberView(**{**self.member.__dict__, "balance": redemption.balance})
        text = [
            self.tr("Handed over: {gift} ({no}). Balance now {p}.").format(
                gift=next(
                    (self._name(o) for o in self.offers if o.code == redemption.gift_code),
                    redemption.gift_name,
                ),
                no=redemption.redemption_no,
                p=points(redemption.balance),
            )
        ]
        if redemption.cash_fen:
            text.append(self.tr("Collect {v} in cash.").format(v=money(redemption.cash_fen)))
        if redemption.issued_code:
            text.append(self.tr("Code: {code}").format(code=redemption.issued_code))
        self.message.setText(" ".join(text))
        self.reload()

    def ask_cancel(self) -> None:
        number, ok = QInputDialog.getText(
            self, self.tr("Cancel a redemption"), self.tr("Redemption number (G-...)")
        )
        if not ok or not number.strip():
            return
        reason, ok = QInputDialog.getText(self, self.tr("Cancel a redemption"), self.tr("Reason"))
        if ok:
            self.cancel(number, reason)

    def cancel(self, number: str, reason: str) -> None:
        now = self.clock()
        self.runner.run(
            lambda: cancel_redemption(
                self.db, actor=self.actor, redemption_no=number, reason=reason, now=now
            ),
            self._cancelled,
            self._failed,
        )

    def _cancelled(self, result: Cancellation) -> None:
        self.member = MemberView(**{**self.member.__dict__, "balance": result.balance})
        self.message.setText(
            self.tr("Redemption {no} cancelled: {p} points back.").format(
                no=result.redemption_no, p=points(result.points_restored)
            )
        )
        self.reload()

    def _failed(self, error: PosError) -> None:
        self.message.setText(describe(error))
