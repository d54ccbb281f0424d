"""The store <-> HQ wire protocol (version 1): pydantic schemas both sides validate.

Every request carries ``Authorization: Bearer <device token>`` and
``X-POS-Protocol: 1``. A store pushes its outbox in device-sequence order and
pulls HQ's change feed from a cursor; see ``sync/hq/app.py`` for the endpoints.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

PROTOCOL_VERSION = 1
PROTOCOL_HEADER = "X-POS-Protocol"
#: the most events one push may carry, and the most changes one pull page returns
MAX_PUSH_EVENTS = 1000
MAX_PULL_PAGE = 5000
#: the most changes one page of ``GET /v1/bootstrap`` returns (a new store's download)
MAX_BOOTSTRAP_PAGE = 20_000

Code = str
EventStatus = Literal["accepted", "duplicate", "rejected"]
ChangeKind = Literal["member", "card", "ledger", "program", "gift", "stock"]


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OutboxEvent(_Wire):
    """One business event as the store wrote it in its outbox."""

    event_id: str = Field(min_length=36, max_length=36, pattern=r"^[0-9a-f-]{36}$")
    seq: int = Field(ge=1, le=2**62)
    type: str = Field(min_length=1, max_length=40, pattern=r"^[a-z_]+\.[a-z_]+$")
    schema_version: int = Field(ge=1, le=1000)
    #: the canonical JSON text the store hashed (HQ checks the hash against it)
    payload: str = Field(min_length=2, max_length=1_000_000)
    payload_hash: str = Field(min_length=64, max_length=64, pattern=r"^[0-9a-f]{64}$")
    created_at: dt.datetime


class PushRequest(_Wire):
    store_code: Code = Field(min_length=1, max_length=16)
    device_code: Code = Field(min_length=1, max_length=16)
    events: list[OutboxEvent] = Field(max_length=MAX_PUSH_EVENTS)


class EventResult(_Wire):
    event_id: str
    seq: int
    status: EventStatus
    reason: str | None = None


class PushResponse(_Wire):
    results: list[EventResult]
    #: every event of this device up to this sequence number is committed at HQ
    acked_through: int


class Change(_Wire):
    cursor: int
    kind: ChangeKind
    data: dict[str, Any]
    #: "S01/T1" for changes a device pushed, None for changes made at HQ
    origin: str | None = None


class PullResponse(_Wire):
    changes: list[Change]
    #: where the next pull starts (store it in the same transaction as the changes)
    next_cursor: int
    more: bool
    #: start again from cursor 0: the cursor is older than the feed keeps, or the
    #: feed's schema changed
    refetch: bool = False
    feed_schema: int = 1
    #: the newest cursor HQ has (for progress while bootstrapping)
    head: int = 0


class AuthorizeRequest(_Wire):
    """Ask HQ whether a member may spend ``points`` now (redemptions above the floor)."""

    member_id: str = Field(min_length=1, max_length=36, pattern=r"^[0-9A-Za-z-]+$")
    points: int = Field(gt=0, le=100_000_000)
    #: this device's spending for the member that HQ has not received yet
    unacked_points: int = Field(ge=0, le=100_000_000)


class AuthorizeResponse(_Wire):
    approved: bool
    hq_balance: int
    reason: str | None = None


class ErrorBody(_Wire):
    code: str
    message: str
