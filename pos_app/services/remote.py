"""HQ's change feed applied to the store, and where the store stands with HQ.

HQ's ledger is the truth. The store's ledger holds its own entries and every other
device's entries, pulled from HQ's feed under the same entry uuid, so an entry is
never applied twice (this device's own entries come back in the feed and are
skipped). The local balance stays the local ledger sum: HQ's balance plus this
device's entries HQ has not acknowledged yet.

A page of changes is applied in one write transaction together with the feed
cursor, or not at all. Nothing here writes outbox events: these changes came from
HQ. No HTTP here: the sync client (``sync/``) fetches the pages and calls in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pos_app.cards import normalise_card
from pos_app.db.raw import Tx, from_db, read_tx, to_db
from pos_app.db.store import StoreDB
from pos_app.errors import InvalidInput, PosError, ProgramError
from pos_app.phone import mask_phone, normalise_phone
from pos_app.program import load_program_json
from pos_app.program.loader import error_field, error_message
from pos_app.services.context import Context, context
from pos_app.services.gifts import parse_gift, set_stock, upsert_gift
from pos_app.services.ledger import ENTRY_KINDS, MemberRow, entry_exists, post_remote
from pos_app.services.member_pin import store_pin_hash
from pos_app.services.outbox import pending_stock_change
from pos_app.services.programs import activate_program, installed_version

log = logging.getLogger(__name__)

CHANGE_KINDS = ("member", "card", "ledger", "program", "gift", "stock")


# Sync state ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SyncState:
    """The ``sync_state`` row: HQ's address, the feed cursor and the last rounds."""

    hq_url: str | None = None
    cursor: int = 0
    feed_schema: int = 1
    last_push_at: dt.datetime | None = None
    last_pull_at: dt.datetime | None = None
    last_ok_at: dt.datetime | None = None
    #: set by the first failed round, cleared by the next one that succeeds
    offline_since: dt.datetime | None = None
    last_error: str | None = None
    pushed_total: int = 0
    pulled_total: int = 0

    @property
    def linked(self) -> bool:
        """The store syncs with HQ (a standalone store has no HQ address)."""
        return self.hq_url is not None

    @property
    def offline(self) -> bool:
        return self.linked and self.offline_since is not None


_STATE_COLUMNS = (
    "hq_url, cursor, feed_schema, last_push_at, last_pull_at, last_ok_at, offline_since, "
    "last_error, pushed_total, pulled_total"
)
MAX_ERROR = 2000


def _ensure_row(tx: Tx) -> None:
    tx.run("INSERT OR IGNORE INTO sync_state (id) VALUES (1)")


def read_sync_state(tx: Tx) -> SyncState:
    row = tx.row(f"SELECT {_STATE_COLUMNS} FROM sync_state WHERE id = 1")
    if row is None:
        return SyncState()
    url, cursor, schema, push, pull, ok, since, error, pushed, pulled = row
    return SyncState(
        url,
        int(cursor),
        int(schema),
        from_db(push),
        from_db(pull),
        from_db(ok),
        from_db(since),
        error,
        int(pushed),
        int(pulled),
    )


def sync_state(db: StoreDB) -> SyncState:
    with read_tx(db.engine) as tx:
        return read_sync_state(tx)


def set_hq_url(db: StoreDB, url: str | None) -> SyncState:
    """Link the store to HQ at ``url`` (``http(s)://host[:port][/path]``), or unlink it
    (None: a standalone store). The cursor is left as it is (see :func:`reset_cursor`)."""
    if url is not None:
        if not isinstance(url, str):
            raise InvalidInput("enter HQ's address", field="hq_url")
        url = url.strip().rstrip("/")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 500:
            raise InvalidInput(
                "HQ's address is a web address such as https://hq.example.com", field="hq_url"
            )
    with db.write_raw() as tx:
        _ensure_row(tx)
        tx.run("UPDATE sync_state SET hq_url = ? WHERE id = 1", (url,))
        return read_sync_state(tx)


def _count(value: int, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput("must be a whole number, 0 or more", field=field)
    return value


def record_round(
    db: StoreDB,
    *,
    ok: bool,
    error: str | None,
    now: dt.datetime,
    pushed: int = 0,
    pulled: int = 0,
) -> SyncState:
    """Note a sync round: ``pushed`` events and ``pulled`` changes (also for a round that
    failed half-way) move ``last_push_at`` / ``last_pull_at`` and the totals; a round
    that succeeded sets ``last_ok_at`` and ends any offline spell, a failed one starts
    it (``offline_since`` keeps the first failure) and keeps ``error``."""
    _count(pushed, "pushed")
    _count(pulled, "pulled")
    stamp = to_db(now)
    with db.write_raw() as tx:
        _ensure_row(tx)
        tx.run(
            "UPDATE sync_state SET pushed_total = pushed_total + ?1, "
            "pulled_total = pulled_total + ?2, "
            "last_push_at = CASE WHEN ?1 > 0 THEN ?3 ELSE last_push_at END, "
            "last_pull_at = CASE WHEN ?2 > 0 THEN ?3 ELSE last_pull_at END WHERE id = 1",
            (pushed, pulled, stamp),
        )
        if ok:
            tx.run(
                "UPDATE sync_state SET last_ok_at = ?, offline_since = NULL, last_error = NULL "
                "WHERE id = 1",
                (stamp,),
            )
        else:
            text = (error or "sync failed").strip()[:MAX_ERROR] or "sync failed"
            tx.run(
                "UPDATE sync_state SET offline_since = COALESCE(offline_since, ?), "
                "last_error = ? WHERE id = 1",
                (stamp, text),
            )
        return read_sync_state(tx)


def reset_cursor(db: StoreDB, *, feed_schema: int | None = None) -> SyncState:
    """Start the feed again from the beginning (HQ asked for a refetch); applying it
    again is harmless. ``feed_schema``: the feed's schema HQ now sends, if it changed."""
    with db.write_raw() as tx:
        _ensure_row(tx)
        tx.run("UPDATE sync_state SET cursor = 0 WHERE id = 1")
        if feed_schema is not None:
            tx.run(
                "UPDATE sync_state SET feed_schema = ? WHERE id = 1",
                (_count(feed_schema, "feed_schema"),),
            )
        return read_sync_state(tx)


# The changes' data ---------------------------------------------------------------------------
class _Data(BaseModel):
    # fields HQ adds later are ignored rather than stopping the store's sync
    model_config = ConfigDict(extra="ignore", frozen=True)


Id = Annotated[str, Field(min_length=1, max_length=36)]


class _Change(_Data):
    cursor: int = Field(strict=True)
    kind: Literal["member", "card", "ledger", "program", "gift", "stock"]
    data: dict[str, Any]
    origin: str | None = None


class MemberData(_Data):
    id: Id
    name: str = Field(min_length=1, max_length=80)
    phone: str | None = None
    tier_code: str = Field(min_length=1, max_length=40)
    status: Literal["active", "frozen", "closed"] = "active"
    home_store: str | None = Field(default=None, max_length=32)
    referrer_id: str | None = Field(default=None, max_length=36)
    created_at: AwareDatetime
    #: the kiosk PIN's hash set at some counter (None: not known, leave it as it is)
    pin_hash: str | None = Field(default=None, max_length=200)


class CardData(_Data):
    card_no: str = Field(min_length=1, max_length=32)
    member_id: Id
    status: Literal["active", "lost", "replaced", "blocked"] = "active"
    replaced_by: str | None = Field(default=None, max_length=32)


class LedgerData(_Data):
    entry_id: str = Field(min_length=36, max_length=36)
    member_id: Id
    kind: str
    points: int = Field(strict=True, ge=-100_000_000, le=100_000_000)
    created_at: AwareDatetime
    business_day: dt.date
    reason: str = ""
    store_code: str = Field(min_length=1, max_length=32)
    device_code: str = Field(min_length=1, max_length=32)
    # the origin's figures, not used here: this store keeps its own balance_after
    balance_after: int | None = None
    staff_id: str | None = None

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        if value not in ENTRY_KINDS:
            raise ValueError(f"unknown kind of ledger entry {value!r}")
        return value

    @field_validator("points")
    @classmethod
    def _moves_points(cls, value: int) -> int:
        if value == 0:
            raise ValueError("a ledger entry moves at least one point")
        return value


class ProgramData(_Data):
    code: str = Field(min_length=1, max_length=40)
    version: int = Field(strict=True, ge=1)
    digest: str = Field(min_length=64, max_length=64)
    definition_json: str = Field(min_length=2)


class StockData(_Data):
    gift_code: str = Field(min_length=1, max_length=40)
    store_code: str = Field(min_length=1, max_length=32)
    quantity: int = Field(strict=True, ge=0, le=10_000_000)
    low_threshold: int = Field(default=5, strict=True, ge=0, le=10_000_000)


# Applying a page ---------------------------------------------------------------------------------
class BadChange(InvalidInput):
    """A change of the feed that cannot be applied; nothing of its page was written."""

    def __init__(self, cursor: object, kind: object, reason: str, *, field: str | None) -> None:
        super().__init__(
            f"the change at cursor {cursor} ({kind}) cannot be applied: {reason}", field=field
        )
        self.cursor = cursor
        self.kind = kind
        self.reason = reason


@dataclass(frozen=True)
class ApplyResult:
    #: changes that were applied
    applied: int
    #: changes already here (this device's own entries coming back, programs installed
    #: before) or not for this store (another store's stock)
    skipped: int
    #: the cursor stored with the page
    cursor: int
    #: members whose details or points changed (a screen showing one may refresh it)
    members: frozenset[str] = frozenset()


#: a card change: (card_no, member_id, status, now, replaced_by); the bulk path uses it too
CARD_UPSERT = (
    "INSERT INTO member_cards (card_no, member_id, status, issued_at, closed_at, "
    "replaced_by) VALUES (?1, ?2, ?3, ?4, CASE WHEN ?3 = 'active' THEN NULL ELSE ?4 END, "
    "?5) ON CONFLICT (card_no) DO UPDATE SET member_id = excluded.member_id, "
    "status = excluded.status, "
    "closed_at = CASE WHEN excluded.status = 'active' THEN NULL "
    "  ELSE COALESCE(member_cards.closed_at, excluded.closed_at) END, "
    "replaced_by = COALESCE(excluded.replaced_by, member_cards.replaced_by)"
)


class _Applier:
    def __init__(self, db: StoreDB, s: Session, tx: Tx, now: dt.datetime) -> None:
        self.db, self.s, self.tx, self.now = db, s, tx, now
        self.ctx: Context = context(db, tx)
        self.members: set[str] = set()
        self.handlers: dict[str, Callable[[dict[str, Any]], bool]] = {
            "member": self.member,
            "card": self.card,
            "ledger": self.ledger,
            "program": self.program,
            "gift": self.gift,
            "stock": self.stock,
        }

    def apply(self, change: _Change) -> bool:
        """Apply one change; False when it was skipped."""
        return self.handlers[change.kind](change.data)

    def _member_exists(self, member_id: str, field: str) -> None:
        if self.tx.value("SELECT 1 FROM members WHERE id = ?", (member_id,)) is None:
            raise InvalidInput(
                f"no member {member_id} here; the feed sends a member before what refers to it",
                field=field,
            )

    def member(self, data: dict[str, Any]) -> bool:
        d = MemberData.model_validate(data)
        tx = self.tx
        name = " ".join(d.name.split())
        if not name:
            raise InvalidInput("the member has no name", field="data.name")
        phone = normalise_phone(d.phone, field="data.phone") if d.phone else None
        if phone is not None:
            owner = tx.value("SELECT id FROM members WHERE phone = ?", (phone,))
            if owner is not None and owner != d.id:
                # the same phone was registered here while offline and HQ kept the other
                # registration (this store's was rejected and is shown to the manager): HQ
                # decides who owns a phone, so the local member gives it up
                log.warning(
                    "phone %s moves to HQ's member %s from local member %s",
                    mask_phone(phone),
                    d.id,
                    owner,
                )
                tx.run(
                    "UPDATE members SET phone = NULL, phone_last4 = NULL, updated_at = ? "
                    "WHERE id = ?",
                    (to_db(self.now), owner),
                )
        stamp = to_db(self.now)
        row = tx.row("SELECT name, phone, tier_code, status FROM members WHERE id = ?", (d.id,))
        if row is None:
            if d.referrer_id is not None and d.referrer_id != d.id:
                self._member_exists(d.referrer_id, "data.referrer_id")
            tx.run(
                "INSERT INTO members (id, name, phone, phone_last4, tier_code, referrer_id, "
                "status, balance, home_store, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)",
                (
                    d.id,
                    name,
                    phone,
                    phone[-4:] if phone else None,
                    d.tier_code,
                    d.referrer_id,
                    d.status,
                    d.home_store,
                    to_db(d.created_at),
                    stamp,
                ),
            )
        elif tuple(row) != (name, phone, d.tier_code, d.status):
            # the balance is never taken from HQ: it follows the ledger entries
            tx.run(
                "UPDATE members SET name = ?, phone = ?, phone_last4 = ?, tier_code = ?, "
                "status = ?, updated_at = ? WHERE id = ?",
                (name, phone, phone[-4:] if phone else None, d.tier_code, d.status, stamp, d.id),
            )
        if d.pin_hash is not None and d.pin_hash != tx.value(
            "SELECT pin_hash FROM members WHERE id = ?", (d.id,)
        ):
            store_pin_hash(tx, d.id, d.pin_hash, self.now)
        self.members.add(d.id)
        return True

    def card(self, data: dict[str, Any]) -> bool:
        d = CardData.model_validate(data)
        card_no = normalise_card(d.card_no, field="data.card_no")
        replaced_by = (
            normalise_card(d.replaced_by, field="data.replaced_by") if d.replaced_by else None
        )
        self._member_exists(d.member_id, "data.member_id")
        stamp = to_db(self.now)
        self.tx.run(CARD_UPSERT, (card_no, d.member_id, d.status, stamp, replaced_by))
        self.members.add(d.member_id)
        return True

    def ledger(self, data: dict[str, Any]) -> bool:
        d = LedgerData.model_validate(data)
        if entry_exists(self.tx, d.entry_id):
            return False  # this device's own entry coming back, or applied before
        row = self.tx.row(
            "SELECT id, name, phone, tier_code, status, balance, referrer_id FROM members "
            "WHERE id = ?",
            (d.member_id,),
        )
        if row is None:
            self._member_exists(d.member_id, "data.member_id")
        post_remote(
            self.tx,
            self.ctx,
            MemberRow(*row),
            entry_uuid=d.entry_id,
            kind=d.kind,
            points=d.points,
            created_at=d.created_at,
            business_day=d.business_day,
            origin=(d.store_code, d.device_code),
            reason=d.reason,
        )
        self.members.add(d.member_id)
        return True

    def program(self, data: dict[str, Any]) -> bool:
        d = ProgramData.model_validate(data)
        try:
            program = load_program_json(d.definition_json)
        except ProgramError as exc:
            raise InvalidInput(
                f"the program is not valid: {exc}", field="data.definition_json"
            ) from None
        if (program.code, program.version) != (d.code, d.version):
            raise InvalidInput(
                f"the definition is {program.code!r} version {program.version}, "
                f"not {d.code!r} version {d.version}",
                field="data.definition_json",
            )
        sent = hashlib.sha256(d.definition_json.encode("utf-8")).hexdigest()
        if d.digest not in (program.digest, sent):
            raise InvalidInput("the digest does not match the definition", field="data.digest")
        have = installed_version(self.s, program.code, program.version)
        if have is not None:
            if have.digest != program.digest:
                raise InvalidInput(
                    f"version {program.version} of {program.code!r} is installed here with "
                    "different rules",
                    field="data.version",
                )
            return False
        activate_program(self.s, program, now=self.now, staff_id=None, source="hq")
        self.ctx = context(self.db, self.tx)
        return True

    def gift(self, data: dict[str, Any]) -> bool:
        # the catalogue's stock and low_stock fields are not used: stock comes as "stock"
        upsert_gift(self.tx, parse_gift(data, self.ctx.program, field="data"), self.now)
        return True

    def stock(self, data: dict[str, Any]) -> bool:
        d = StockData.model_validate(data)
        if d.store_code != self.ctx.store_code:
            return False
        gift_id = self.tx.value("SELECT id FROM gifts WHERE code = ?", (d.gift_code,))
        if gift_id is None:
            raise InvalidInput(
                f"no gift {d.gift_code!r} here; the feed sends a gift before its stock",
                field="data.gift_code",
            )
        # HQ's figure plus this device's redemptions and cancels HQ has not heard of yet
        quantity = max(0, d.quantity + pending_stock_change(self.tx, gift_id))
        row = self.tx.row(
            "SELECT quantity, low_threshold FROM gift_stock WHERE gift_id = ? AND store_code = ?",
            (gift_id, d.store_code),
        )
        if row is None or tuple(row) != (quantity, d.low_threshold):
            set_stock(self.tx, gift_id, d.store_code, quantity, d.low_threshold, self.now)
        return True


def _bad(
    index: int,
    raw: object,
    problem: str | ValidationError,
    where: tuple[str, ...] | str | None,
) -> BadChange:
    """The error for the change at ``index`` of the page (named by its cursor)."""
    cursor = raw.get("cursor", f"#{index}") if isinstance(raw, Mapping) else f"#{index}"
    kind = raw.get("kind", "?") if isinstance(raw, Mapping) else "?"
    if isinstance(problem, ValidationError):
        first = problem.errors()[0]
        assert isinstance(where, tuple)
        field = error_field((*where, *first["loc"]))
        return BadChange(cursor, kind, f"{field}: {error_message(first)}", field=field)
    assert not isinstance(where, tuple)
    return BadChange(cursor, kind, f"{where}: {problem}" if where else problem, field=where)


def apply_changes(
    db: StoreDB,
    changes: Sequence[Mapping[str, Any]],
    *,
    next_cursor: int,
    now: dt.datetime,
) -> ApplyResult:
    """Apply a page of HQ's change feed and store ``next_cursor``, in one transaction.

    Each change is ``{"cursor": int, "kind": str, "data": {...}, "origin": str | None}``
    (:class:`sync.protocol.Change` as a dict). A change that cannot be applied raises
    :class:`BadChange` (an :class:`InvalidInput` naming its cursor) and nothing of the
    page is written, the cursor included. Applying a page again changes nothing.
    """
    if isinstance(next_cursor, bool) or not isinstance(next_cursor, int) or next_cursor < 0:
        raise InvalidInput("the next cursor must be a whole number, 0 or more", field="next_cursor")
    applied = skipped = 0
    with db.write() as s:
        tx = Tx.of(s)
        applier = _Applier(db, s, tx, now)
        for index, raw in enumerate(changes):
            try:
                change = _Change.model_validate(dict(raw) if isinstance(raw, Mapping) else raw)
            except ValidationError as exc:
                raise _bad(index, raw, exc, ()) from None
            try:
                if applier.apply(change):
                    applied += 1
                else:
                    skipped += 1
            except ValidationError as exc:
                raise _bad(index, raw, exc, ("data",)) from None
            except PosError as exc:
                raise _bad(index, raw, exc.message, exc.field) from None
            except (sqlite3.IntegrityError, IntegrityError) as exc:
                raise _bad(index, raw, f"the store refused it ({exc})", None) from None
        _ensure_row(tx)
        tx.run("UPDATE sync_state SET cursor = ? WHERE id = 1", (next_cursor,))
    return ApplyResult(applied, skipped, next_cursor, frozenset(applier.members))
