"""Store database tables (SQLAlchemy 2.x typed ORM).

Points are never stored as a plain editable number: ``ledger_entries`` is the
append-only truth, ``members.balance`` is a cache kept in the same transaction
and checked by ``pos-app doctor``, and ``points_lots`` track what expires when.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from pos_app.db.types import UTCDateTime

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

UUID_LEN = 36


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dt.datetime: UTCDateTime(), dt.date: Date()}  # noqa: RUF012


class StoreIdentity(Base):
    """This store and this device (one row). HQ issues the codes; the demo makes its own."""

    __tablename__ = "store_identity"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    store_code: Mapped[str] = mapped_column(String(32))
    store_name: Mapped[str] = mapped_column(String(120))
    device_code: Mapped[str] = mapped_column(String(32))
    device_id: Mapped[str] = mapped_column(String(UUID_LEN))
    created_at: Mapped[dt.datetime]
    #: last receipt number used on this device
    receipt_seq: Mapped[int] = mapped_column(Integer, default=0)
    #: last outbox sequence number used on this device
    outbox_seq: Mapped[int] = mapped_column(Integer, default=0)


class Staff(Base):
    __tablename__ = "staff"
    __table_args__ = (CheckConstraint("role IN ('cashier', 'manager', 'admin')", name="role"),)

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(16))
    pin_hash: Mapped[str] = mapped_column(String(200))
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None]
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime]


class ProgramVersion(Base):
    """Every program version the store has run; sales record which one applied."""

    __tablename__ = "program_versions"
    __table_args__ = (UniqueConstraint("code", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))
    definition_json: Mapped[str] = mapped_column(Text)
    installed_at: Mapped[dt.datetime]
    active: Mapped[bool] = mapped_column(Boolean, default=False, index=True)


class TierRow(Base):
    """The active program's tiers, for reports and joins (the program file is the source)."""

    __tablename__ = "tiers"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    rank: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(80), default="")
    qualify_spend_fen: Mapped[int] = mapped_column(Integer)
    upgrade_bonus: Mapped[int] = mapped_column(Integer)


class Member(Base):
    __tablename__ = "members"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'frozen', 'closed')", name="status"),
        Index("ix_members_phone_last4", "phone_last4"),
        # reports: new members of a store and day; members in debt (few, so a small index)
        Index("ix_members_home_store_created_at", "home_store", "created_at"),
        Index("ix_members_overdrawn", "home_store", sqlite_where=text("balance < 0")),
    )

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    #: normalised 11-digit mobile number
    phone: Mapped[str | None] = mapped_column(String(11), unique=True)
    phone_last4: Mapped[str | None] = mapped_column(String(4))
    tier_code: Mapped[str] = mapped_column(String(40))
    referrer_id: Mapped[str | None] = mapped_column(ForeignKey("members.id"))
    #: kiosk PIN (salted slow hash), optional
    pin_hash: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="active")
    #: cache of the ledger sum, updated in the same transaction as every entry
    balance: Mapped[int] = mapped_column(Integer, default=0)
    home_store: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]

    cards: Mapped[list[MemberCard]] = relationship(back_populates="member", lazy="selectin")


class MemberCard(Base):
    """A member may hold several cards; a lost card is kept (blocked), never deleted."""

    __tablename__ = "member_cards"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'lost', 'replaced', 'blocked')", name="status"),
    )

    card_no: Mapped[str] = mapped_column(String(32), primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="active")
    issued_at: Mapped[dt.datetime]
    closed_at: Mapped[dt.datetime | None]
    replaced_by: Mapped[str | None] = mapped_column(String(32))

    member: Mapped[Member] = relationship(back_populates="cards")


class MemberTierAward(Base):
    """An upgrade bonus is granted once per member and tier; the key enforces it."""

    __tablename__ = "member_tier_awards"

    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"), primary_key=True)
    tier_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    entry_uuid: Mapped[str] = mapped_column(String(UUID_LEN))
    awarded_at: Mapped[dt.datetime]


class LedgerEntry(Base):
    """One change of a member's points. Append-only: corrections are new entries."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('earn', 'signup_bonus', 'referral_bonus', 'upgrade_bonus', "
            "'activity_bonus', 'offset', 'offset_refund', 'reversal', 'gift_redemption', "
            "'gift_refund', 'expiry', 'adjustment', 'transfer')",
            name="kind",
        ),
        CheckConstraint("points <> 0", name="nonzero"),
        Index("ix_ledger_entries_member_id_id", "member_id", "id"),
        Index("ix_ledger_entries_business_day", "business_day"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(UUID_LEN), unique=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"))
    kind: Mapped[str] = mapped_column(String(24))
    points: Mapped[int] = mapped_column(Integer)
    balance_after: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime]
    business_day: Mapped[dt.date]
    store_code: Mapped[str] = mapped_column(String(32))
    device_code: Mapped[str] = mapped_column(String(32))
    staff_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    sale_id: Mapped[str | None] = mapped_column(ForeignKey("sales.id"), index=True)
    return_id: Mapped[str | None] = mapped_column(ForeignKey("returns.id"))
    redemption_id: Mapped[str | None] = mapped_column(String(UUID_LEN))
    #: the reason a person gave, or the rule that applied (tier, activity, campaign)
    reason: Mapped[str] = mapped_column(String(200), default="")


class PointsLot(Base):
    """Points credited together that expire together; ``remaining`` is what is left."""

    __tablename__ = "points_lots"
    __table_args__ = (
        CheckConstraint("remaining >= 0 AND remaining <= points", name="remaining"),
        Index("ix_points_lots_member_id_expires_at", "member_id", "expires_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("ledger_entries.id"))
    points: Mapped[int] = mapped_column(Integer)
    remaining: Mapped[int] = mapped_column(Integer)
    earned_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime | None]


class LotConsumption(Base):
    """Which entry took how many points from which lot (so give-backs keep their expiry)."""

    __tablename__ = "lot_consumptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("ledger_entries.id"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("points_lots.id"), index=True)
    points: Mapped[int] = mapped_column(Integer)


class Sale(Base):
    __tablename__ = "sales"
    __table_args__ = (
        Index("ix_sales_member_id_created_at", "member_id", "created_at"),
        Index("ix_sales_business_day", "business_day"),
    )

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    receipt_no: Mapped[str] = mapped_column(String(40), unique=True)
    member_id: Mapped[str | None] = mapped_column(ForeignKey("members.id"))
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    store_code: Mapped[str] = mapped_column(String(32))
    device_code: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[dt.datetime]
    business_day: Mapped[dt.date]
    subtotal_fen: Mapped[int] = mapped_column(Integer)
    offset_points: Mapped[int] = mapped_column(Integer, default=0)
    offset_fen: Mapped[int] = mapped_column(Integer, default=0)
    #: what the customer paid with money: subtotal minus offset
    total_fen: Mapped[int] = mapped_column(Integer)
    earned_points: Mapped[int] = mapped_column(Integer, default=0)
    #: a coupon from a gift redemption used on this sale, and what it took off
    coupon_code: Mapped[str | None] = mapped_column(String(40))
    coupon_fen: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: tier of the member at the time of sale (what the rates were based on)
    tier_code: Mapped[str | None] = mapped_column(String(40))
    program_code: Mapped[str] = mapped_column(String(40))
    program_version: Mapped[int] = mapped_column(Integer)

    lines: Mapped[list[SaleLine]] = relationship(
        back_populates="sale", order_by="SaleLine.line_no", lazy="selectin"
    )
    payments: Mapped[list[Payment]] = relationship(back_populates="sale", lazy="selectin")


class SaleLine(Base):
    __tablename__ = "sale_lines"
    __table_args__ = (
        UniqueConstraint("sale_id", "line_no"),
        CheckConstraint("qty > 0", name="qty"),
        CheckConstraint("returned_qty >= 0 AND returned_qty <= qty", name="returned_qty"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sale_id: Mapped[str] = mapped_column(ForeignKey("sales.id"))
    line_no: Mapped[int] = mapped_column(Integer)
    item_code: Mapped[str | None] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(String(120), default="")
    category: Mapped[str] = mapped_column(String(40))
    qty: Mapped[int] = mapped_column(Integer)
    unit_price_fen: Mapped[int] = mapped_column(Integer)
    amount_fen: Mapped[int] = mapped_column(Integer)
    #: share of the sale's offset (cash value and points) carried by this line
    offset_fen: Mapped[int] = mapped_column(Integer, default=0)
    offset_points: Mapped[int] = mapped_column(Integer, default=0)
    #: share of the sale's earned points carried by this line
    earned_points: Mapped[int] = mapped_column(Integer, default=0)
    #: share of the sale's coupon discount carried by this line
    coupon_fen: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    multiplier: Mapped[str] = mapped_column(String(16), default="1")
    campaign_code: Mapped[str | None] = mapped_column(String(40))
    returned_qty: Mapped[int] = mapped_column(Integer, default=0)

    sale: Mapped[Sale] = relationship(back_populates="lines")


class Payment(Base):
    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("method IN ('cash', 'card', 'wechat', 'alipay', 'other')", name="method"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sale_id: Mapped[str] = mapped_column(ForeignKey("sales.id"), index=True)
    method: Mapped[str] = mapped_column(String(16))
    amount_fen: Mapped[int] = mapped_column(Integer)
    tendered_fen: Mapped[int] = mapped_column(Integer)
    change_fen: Mapped[int] = mapped_column(Integer, default=0)

    sale: Mapped[Sale] = relationship(back_populates="payments")


class Return(Base):
    __tablename__ = "returns"

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    return_no: Mapped[str] = mapped_column(String(40), unique=True)
    sale_id: Mapped[str] = mapped_column(ForeignKey("sales.id"), index=True)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    approved_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[dt.datetime]
    business_day: Mapped[dt.date] = mapped_column(index=True)
    #: money given back for the goods
    refund_fen: Mapped[int] = mapped_column(Integer)
    points_reversed: Mapped[int] = mapped_column(Integer, default=0)
    points_restored: Mapped[int] = mapped_column(Integer, default=0)
    #: points the member had already spent, charged in cash (require_cash policy)
    cash_for_points_fen: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str] = mapped_column(String(200), default="")

    lines: Mapped[list[ReturnLine]] = relationship(lazy="selectin")


class ReturnLine(Base):
    __tablename__ = "return_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    return_id: Mapped[str] = mapped_column(ForeignKey("returns.id"), index=True)
    sale_line_id: Mapped[int] = mapped_column(ForeignKey("sale_lines.id"))
    qty: Mapped[int] = mapped_column(Integer)
    refund_fen: Mapped[int] = mapped_column(Integer)
    points_reversed: Mapped[int] = mapped_column(Integer)
    points_restored: Mapped[int] = mapped_column(Integer)


class Gift(Base):
    """A gift members redeem with points: goods, a voucher code, a coupon or a service."""

    __tablename__ = "gifts"
    __table_args__ = (
        CheckConstraint("kind IN ('physical', 'virtual', 'coupon', 'service')", name="kind"),
    )

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120), default="")
    kind: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(40), default="")
    points_price: Mapped[int] = mapped_column(Integer)
    cash_price_fen: Mapped[int] = mapped_column(Integer, default=0)
    min_tier: Mapped[str | None] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    image: Mapped[str | None] = mapped_column(String(200))
    #: at most this many per member per period (day, week, month, year)
    per_member_limit: Mapped[int | None] = mapped_column(Integer)
    limit_period: Mapped[str | None] = mapped_column(String(8))
    #: coupons: value off a later bill of at least min_spend; vouchers and coupons: days valid
    coupon_value_fen: Mapped[int | None] = mapped_column(Integer)
    coupon_min_spend_fen: Mapped[int | None] = mapped_column(Integer)
    valid_days: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime]


class GiftTierPrice(Base):
    """A tier's own price for a gift (hotel breakfast: 800 / 600 / 400 / 300 points)."""

    __tablename__ = "gift_tier_prices"

    gift_id: Mapped[str] = mapped_column(ForeignKey("gifts.id"), primary_key=True)
    tier_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    points_price: Mapped[int] = mapped_column(Integer)


class GiftCampaign(Base):
    """Time-limited redemption prices: fewer points during a week, clearance of a gift."""

    __tablename__ = "gift_campaigns"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    start: Mapped[dt.date]
    end: Mapped[dt.date]
    #: points price is multiplied by this (e.g. "4/5" = 20 % fewer points), rounded up
    points_factor: Mapped[str] = mapped_column(String(16))
    #: space-separated gift codes; empty means every gift
    gift_codes: Mapped[str] = mapped_column(Text, default="")


class GiftStock(Base):
    __tablename__ = "gift_stock"
    __table_args__ = (CheckConstraint("quantity >= 0", name="quantity"),)

    gift_id: Mapped[str] = mapped_column(ForeignKey("gifts.id"), primary_key=True)
    store_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    quantity: Mapped[int] = mapped_column(Integer)
    low_threshold: Mapped[int] = mapped_column(Integer, default=5)
    updated_at: Mapped[dt.datetime]


class GiftRedemption(Base):
    __tablename__ = "gift_redemptions"
    __table_args__ = (
        CheckConstraint("status IN ('completed', 'cancelled')", name="status"),
        Index("ix_gift_redemptions_member_id_gift_id", "member_id", "gift_id"),
        Index("ix_gift_redemptions_business_day", "business_day"),
    )

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    redemption_no: Mapped[str] = mapped_column(String(40), unique=True)
    gift_id: Mapped[str] = mapped_column(ForeignKey("gifts.id"), index=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"), index=True)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    store_code: Mapped[str] = mapped_column(String(32))
    tier_code: Mapped[str] = mapped_column(String(40))
    points: Mapped[int] = mapped_column(Integer)
    cash_fen: Mapped[int] = mapped_column(Integer, default=0)
    #: the voucher or coupon code handed to the member (virtual, coupon, service gifts)
    issued_code: Mapped[str | None] = mapped_column(String(40), unique=True)
    approved_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    status: Mapped[str] = mapped_column(String(16), default="completed")
    created_at: Mapped[dt.datetime]
    business_day: Mapped[dt.date]
    cancelled_at: Mapped[dt.datetime | None]
    cancelled_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    cancel_reason: Mapped[str | None] = mapped_column(String(200))
    #: until when the issued code can be used (virtual, service and coupon gifts)
    valid_until: Mapped[dt.datetime | None]


class Coupon(Base):
    """A coupon issued by a redemption, usable once on a later sale."""

    __tablename__ = "coupons"
    __table_args__ = (CheckConstraint("status IN ('issued', 'used', 'void')", name="status"),)

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    redemption_id: Mapped[str] = mapped_column(ForeignKey("gift_redemptions.id"), index=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"), index=True)
    value_fen: Mapped[int] = mapped_column(Integer)
    min_spend_fen: Mapped[int] = mapped_column(Integer, default=0)
    valid_until: Mapped[dt.datetime]
    status: Mapped[str] = mapped_column(String(16), default="issued")
    used_sale_id: Mapped[str | None] = mapped_column(ForeignKey("sales.id"))
    used_at: Mapped[dt.datetime | None]


class OutboxEvent(Base):
    """What this device must tell HQ, written in the same transaction as the change."""

    __tablename__ = "outbox_events"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'acked', 'rejected')", name="status"),
        Index("ix_outbox_events_status_seq", "status", "seq"),
    )

    #: the device's sequence number (1, 2, 3 ... without gaps)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    event_id: Mapped[str] = mapped_column(String(UUID_LEN), unique=True)
    type: Mapped[str] = mapped_column(String(40))
    schema_version: Mapped[int] = mapped_column(Integer, default=1)
    payload: Mapped[str] = mapped_column(Text)
    payload_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]
    status: Mapped[str] = mapped_column(String(16), default="pending")
    acked_at: Mapped[dt.datetime | None]
    reject_reason: Mapped[str | None] = mapped_column(Text)


class SyncState(Base):
    """Where this store stands with HQ (one row): the feed cursor and the last rounds.

    A standalone store has no ``hq_url``. ``offline_since`` is set by the first failed
    sync round and cleared by the next one that succeeds.
    """

    __tablename__ = "sync_state"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hq_url: Mapped[str | None] = mapped_column(String(500))
    #: where the next pull of HQ's change feed starts
    cursor: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    feed_schema: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    last_push_at: Mapped[dt.datetime | None]
    last_pull_at: Mapped[dt.datetime | None]
    last_ok_at: Mapped[dt.datetime | None]
    offline_since: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    pushed_total: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    pulled_total: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class AuditEntry(Base):
    """Sensitive actions: logins, lockouts, adjustments, approvals, program changes."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(index=True)
    staff_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(80), default="")
    details: Mapped[str] = mapped_column(Text, default="{}")


class Item(Base):
    """The shop's items, for lines rung up by code (shops without them ring up by category)."""

    __tablename__ = "items"
    __table_args__ = (CheckConstraint("price_fen > 0", name="price"),)

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(40))
    price_fen: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[dt.datetime]


class PrintJob(Base):
    """A job for a receipt printer, stored before it is sent so none is lost or doubled.

    ``data`` holds the exact ESC/POS bytes; ``not_after`` makes a job worthless
    after a moment (a drawer kick must never open the drawer minutes later).
    """

    __tablename__ = "print_jobs"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'printed', 'dropped', 'cancelled')", name="status"),
        Index("ix_print_jobs_printer_status", "printer", "status", "id"),
        Index("ix_print_jobs_ref", "ref"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    printer: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(16))
    ref: Mapped[str | None] = mapped_column(String(40))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime]
    not_after: Mapped[dt.datetime | None]
    status: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    done_at: Mapped[dt.datetime | None]


class DayClose(Base):
    """A closed business day: who closed it, the report as printed, and how far it went.

    The ``*_upto`` columns are the highest row ids the report covered; rows of the
    day written later are corrections, shown on a later day's report (never a
    silent rewrite of a closed day).
    """

    __tablename__ = "day_closes"

    store_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    business_day: Mapped[dt.date] = mapped_column(primary_key=True)
    closed_at: Mapped[dt.datetime]
    closed_by: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    ledger_upto: Mapped[int] = mapped_column(Integer)
    sales_upto: Mapped[int] = mapped_column(Integer)
    returns_upto: Mapped[int] = mapped_column(Integer)
    redemptions_upto: Mapped[int] = mapped_column(Integer)
    members_upto: Mapped[int] = mapped_column(Integer)
    #: the report as it was printed at the close (JSON), for reprints
    report_json: Mapped[str] = mapped_column(Text)


class KioskPinState(Base):
    """Wrong kiosk PINs of a member: after a few the member is locked out of the kiosk
    for a while (kept in the database so a restart does not reset the count)."""

    __tablename__ = "kiosk_pin_state"

    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"), primary_key=True)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None]
    updated_at: Mapped[dt.datetime]


class KioskLookupGuard(Base):
    """Failed look-ups (unknown card or phone, wrong PIN) of one kiosk in the current
    window; too many and the kiosk refuses look-ups for a cool-down."""

    __tablename__ = "kiosk_lookup_guard"

    kiosk: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[dt.datetime]
    blocked_until: Mapped[dt.datetime | None]
