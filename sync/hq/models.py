"""HQ database tables (PostgreSQL in production, SQLite for the demo).

``hq_ledger`` is the chain's points truth: append-only, one row per entry id,
and ``hq_members.balance`` is kept equal to its sum in the same transaction
(``pos-hq reconcile`` checks). ``hq_events`` records every pushed event once
(its id is the primary key; a device's sequence numbers are unique), and
``hq_feed`` is the change feed stores pull, numbered from ``hq_counters`` so
that cursor order is commit order.
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
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from pos_app.db.types import UTCDateTime

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
ID = 36


class HQBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dt.datetime: UTCDateTime(), dt.date: Date()}  # noqa: RUF012


class Store(HQBase):
    __tablename__ = "hq_stores"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime]


class Device(HQBase):
    """A till (or kiosk) of a store, with its own token and outbox sequence."""

    __tablename__ = "hq_devices"
    __table_args__ = (UniqueConstraint("store_code", "device_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    store_code: Mapped[str] = mapped_column(ForeignKey("hq_stores.code"))
    device_code: Mapped[str] = mapped_column(String(16))
    #: sha256 of the token; the token itself is shown once, when issued
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime]
    #: every event of this device up to this sequence number is applied
    acked_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    last_push_at: Mapped[dt.datetime | None]
    last_pull_at: Mapped[dt.datetime | None]
    last_cursor: Mapped[int] = mapped_column(BigInteger, default=0)


class Event(HQBase):
    __tablename__ = "hq_events"
    __table_args__ = (
        UniqueConstraint("store_code", "device_code", "seq"),
        CheckConstraint("status IN ('accepted', 'rejected')", name="status"),
    )

    event_id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    store_code: Mapped[str] = mapped_column(String(16))
    device_code: Mapped[str] = mapped_column(String(16))
    seq: Mapped[int] = mapped_column(BigInteger)
    type: Mapped[str] = mapped_column(String(40))
    schema_version: Mapped[int] = mapped_column(Integer)
    payload_hash: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime]
    received_at: Mapped[dt.datetime]
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)


class Member(HQBase):
    __tablename__ = "hq_members"

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    phone: Mapped[str | None] = mapped_column(String(11), unique=True)
    tier_code: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16), default="active")
    home_store: Mapped[str | None] = mapped_column(String(16))
    referrer_id: Mapped[str | None] = mapped_column(String(ID))
    #: the member's kiosk PIN as its salted slow hash (never the PIN), set at a counter
    pin_hash: Mapped[str | None] = mapped_column(String(200))
    #: the ledger sum, kept in the same transaction as every entry
    balance: Mapped[int] = mapped_column(BigInteger, default=0)
    #: set when an offline spend took the balance below zero (cleared when repaid)
    overdraft_since: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]


class Card(HQBase):
    __tablename__ = "hq_cards"

    card_no: Mapped[str] = mapped_column(String(32), primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("hq_members.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="active")


class LedgerEntry(HQBase):
    __tablename__ = "hq_ledger"
    __table_args__ = (Index("ix_hq_ledger_member_id", "member_id"),)

    entry_id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("hq_members.id"))
    kind: Mapped[str] = mapped_column(String(24))
    points: Mapped[int] = mapped_column(BigInteger)
    store_code: Mapped[str] = mapped_column(String(16))
    device_code: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str | None] = mapped_column(String(ID))
    created_at: Mapped[dt.datetime]
    business_day: Mapped[dt.date]
    reason: Mapped[str] = mapped_column(String(200), default="")
    received_at: Mapped[dt.datetime]


class FeedRow(HQBase):
    """One change stores pull; ``cursor`` comes from ``hq_counters`` inside the writing
    transaction, whose row lock makes cursor order equal commit order."""

    __tablename__ = "hq_feed"

    cursor: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(16))
    origin: Mapped[str | None] = mapped_column(String(40))
    #: a store code when only that store needs the change (its stock), else None
    scope: Mapped[str | None] = mapped_column(String(16))
    data: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime]


class Counter(HQBase):
    __tablename__ = "hq_counters"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class ProgramVersion(HQBase):
    __tablename__ = "hq_programs"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    definition_json: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[dt.datetime]


class Gift(HQBase):
    __tablename__ = "hq_gifts"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    #: the gift as one catalogue entry (the TOML table as JSON)
    definition_json: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime]


class Stock(HQBase):
    __tablename__ = "hq_stock"

    gift_code: Mapped[str] = mapped_column(ForeignKey("hq_gifts.code"), primary_key=True)
    store_code: Mapped[str] = mapped_column(ForeignKey("hq_stores.code"), primary_key=True)
    quantity: Mapped[int] = mapped_column(Integer)
    low_threshold: Mapped[int] = mapped_column(Integer, default=5)
    updated_at: Mapped[dt.datetime]
