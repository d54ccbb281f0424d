"""A big page of HQ's change feed applied in bulk: a new store's first download.

The same contract as :func:`pos_app.services.remote.apply_changes` (one write
transaction with the new cursor, all or nothing, a :class:`~remote.BadChange`
naming the change that cannot be applied, applying a page again changes nothing)
and the same outcome, only faster for the changes a bootstrap is made of:

* the page is validated in one pass (members and cards against their data
  schemas); a page that does not validate goes to ``apply_changes`` change by
  change, which names the bad one;
* each run of member and card changes between other changes is applied with
  ``executemany`` upserts: the members first, in feed order, then the cards (a
  card's member comes before it in the feed);
* a run with something the bulk statements do not decide (a referrer, the same
  phone twice, a constraint the store refuses) is applied change by change by
  the ordinary applier, inside a savepoint;
* every field of a member change that is also a column of ``members`` is carried
  (a field HQ adds later needs no change here), except the kiosk PIN hash, kept the
  way the ordinary applier keeps it (a new hash replaces the old one and its wrong
  tries; none leaves the store's as it is).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sqlite3
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from operator import itemgetter
from typing import Annotated, Any, Literal, NotRequired

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, with_config
from sqlalchemy import Connection
from sqlalchemy.orm import Session
from typing_extensions import TypedDict

from pos_app.cards import normalise_card
from pos_app.db import bulk_indexes
from pos_app.db.raw import Tx, storage_errors, to_db
from pos_app.db.store import StoreDB
from pos_app.errors import InvalidInput, PosError
from pos_app.phone import normalise_phone
from pos_app.services import remote
from pos_app.services.member_pin import store_pin_hash
from pos_app.services.remote import ApplyResult, CardData, MemberData

log = logging.getLogger(__name__)


_IGNORE = ConfigDict(extra="ignore")


def _typed_dict(model: type[BaseModel], name: str) -> Any:
    """A TypedDict with ``model``'s fields and constraints: pydantic validates a page
    into plain dicts several times faster than into models (absent optional fields
    stay absent: :data:`_DEFAULTS` has their defaults)."""
    fields: dict[str, Any] = {}
    for field_name, info in model.model_fields.items():
        kind = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
        fields[field_name] = kind if info.is_required() else NotRequired[kind]
    return with_config(_IGNORE)(TypedDict(name, fields))  # type: ignore[operator]


_MemberDict = _typed_dict(MemberData, "_MemberDict")
_CardDict = _typed_dict(CardData, "_CardDict")
_DEFAULTS = {
    kind: {n: f.default for n, f in model.model_fields.items() if not f.is_required()}
    for kind, model in (("member", MemberData), ("card", CardData))
}
_Cursor = Annotated[int, Field(strict=True)]


@with_config(_IGNORE)
class _MemberChange(TypedDict):
    cursor: _Cursor
    kind: Literal["member"]
    data: _MemberDict  # type: ignore[valid-type]
    origin: NotRequired[str | None]


@with_config(_IGNORE)
class _CardChange(TypedDict):
    cursor: _Cursor
    kind: Literal["card"]
    data: _CardDict  # type: ignore[valid-type]
    origin: NotRequired[str | None]


@with_config(_IGNORE)
class _OtherChange(TypedDict):
    cursor: _Cursor
    kind: Literal["ledger", "program", "gift", "stock"]
    data: dict[str, Any]
    origin: NotRequired[str | None]


_Changes = list[Annotated[_MemberChange | _CardChange | _OtherChange, Field(discriminator="kind")]]
_Page = TypeAdapter(_Changes)


@with_config(ConfigDict(extra="allow"))
class _BodyDict(TypedDict):
    changes: _Changes


_Body = TypeAdapter(_BodyDict)


@dataclass(frozen=True)
class ParsedBody:
    """A page's JSON as :func:`parse_body` read it."""

    #: the changes: members' and cards' data checked when ``checked``, else as sent
    changes: list[dict[str, Any]]
    #: False: a change did not validate; :func:`apply_page` then goes change by change
    #: and names it
    checked: bool
    #: the other fields of the body (the envelope: next cursor, more, head ...)
    rest: dict[str, Any]


def parse_body(body: bytes) -> ParsedBody:
    """Read a page of the feed (``{"changes": [...], ...}``) straight from its JSON,
    checking each member and card change on the way. ``ValueError`` when the body is
    not JSON of that shape."""
    try:
        parsed = dict(_Body.validate_json(body))
        return ParsedBody(parsed.pop("changes"), True, parsed)
    except ValidationError:
        pass
    plain = json.loads(body)
    if not isinstance(plain, dict):
        raise ValueError("the page is not a JSON object")
    changes = plain.pop("changes", None)
    if not isinstance(changes, list) or not all(isinstance(c, dict) for c in changes):
        raise ValueError("changes must be a list of objects")
    return ParsedBody(changes, False, plain)


#: member columns set when a member is first written, never changed by a later change
_KEPT = ("id", "created_at", "home_store", "referrer_id")
#: columns the store derives or keeps itself, or sets its own way (a PIN hash: see
#: :meth:`_Bulk.pin_hashes`)
_OWN = frozenset({"phone_last4", "balance", "updated_at", "pin_hash"})
#: already normal: what normalise_phone / normalise_card would return unchanged
_PHONE = re.compile(r"1[3-9][0-9]{9}")
_CARD_NO = re.compile(r"[0-9A-Z]{4,32}")

#: page cache while a download runs (KiB): the random member ids land all over the
#: member, phone and card indexes, and a store of 1,000,000 members holds ~200 MB of
#: them; with SQLite's default 2 MB each page re-reads most of them from disk
BULK_CACHE_KIB = 256 * 1024
#: WAL pages between checkpoints while a download fills an empty store (SQLite's
#: default is 1,000: a checkpoint after nearly every commit of a download)
FILL_CHECKPOINT_PAGES = 100_000


def _member_columns(tx: Tx) -> tuple[str, ...]:
    """The fields of a member change the store has columns for (``id`` first)."""
    table = {row[1] for row in tx.rows("PRAGMA table_info(members)")}
    fields = [f for f in MemberData.model_fields if f in table and f not in _OWN]
    return ("id", *[f for f in fields if f != "id"])


def _phone(value: str) -> str:
    if _PHONE.fullmatch(value) and value.isascii():
        return value
    return normalise_phone(value, field="data.phone")


def _card(value: str, field: str) -> str:
    return value if _CARD_NO.fullmatch(value) else normalise_card(value, field=field)


class _Bulk:
    def __init__(self, tx: Tx, now: dt.datetime) -> None:
        self.tx = tx
        self.now = now
        self.stamp = to_db(now)
        self.columns = _member_columns(tx)
        self.phone_at = self.columns.index("phone")
        self.pick = itemgetter(*self.columns)
        self.defaults = _DEFAULTS["member"]
        changing = [c for c in self.columns if c not in _KEPT]
        cols = [*self.columns, "phone_last4", "balance", "updated_at"]
        self.member_sql = (
            f"INSERT INTO members ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))}) "
            "ON CONFLICT (id) DO UPDATE SET "
            + ", ".join(f"{c} = excluded.{c}" for c in [*changing, "phone_last4", "updated_at"])
            + " WHERE "
            + " OR ".join(f"members.{c} IS NOT excluded.{c}" for c in changing)
        )
        self.members: set[str] = set()
        self._created: dt.datetime | None = None
        self._created_db = ""

    def member_row(self, d: dict[str, Any]) -> tuple[Any, ...]:
        name = " ".join(d["name"].split())
        if not name:
            raise InvalidInput("the member has no name", field="data.name")
        phone = d.get("phone")
        phone = _phone(phone) if phone else None
        created = d["created_at"]
        if created != self._created:  # members imported together share it
            self._created, self._created_db = created, to_db(created)
        values = {
            **self.defaults,
            **d,
            "name": name,
            "phone": phone,
            "created_at": self._created_db,
        }
        return (*self.pick(values), phone[-4:] if phone else None, 0, self.stamp)

    def apply(
        self,
        raws: Sequence[Mapping[str, Any]],
        members: list[tuple[int, dict[str, Any]]],
        cards: list[tuple[int, dict[str, Any]]],
    ) -> bool:
        """Apply a run in bulk; False (nothing written) when it must go change by change."""
        member_rows = []
        phones: set[str] = set()
        phone_at = self.phone_at
        for index, d in members:
            if d.get("referrer_id") is not None:
                return False
            try:
                row = self.member_row(d)
            except PosError as exc:
                raise remote._bad(index, raws[index], exc.message, exc.field) from None
            phone = row[phone_at]
            if phone is not None:
                if phone in phones:
                    return False
                phones.add(phone)
            member_rows.append(row)
        card_rows = []
        stamp = self.stamp
        for index, c in cards:
            try:
                card_no = _card(c["card_no"], "data.card_no")
                replaced_by = c.get("replaced_by")
                replaced_by = _card(replaced_by, "data.replaced_by") if replaced_by else None
            except PosError as exc:
                raise remote._bad(index, raws[index], exc.message, exc.field) from None
            card_rows.append(
                (card_no, c["member_id"], c.get("status", "active"), stamp, replaced_by)
            )
        tx = self.tx
        tx.run("SAVEPOINT bulk_run")
        try:
            self._write(member_rows, card_rows, cards, move_phones=False)
        except sqlite3.IntegrityError:
            # a phone another member holds here, most likely: move such phones, then
            # try once more before going change by change
            tx.run("ROLLBACK TO bulk_run")
            try:
                self._write(member_rows, card_rows, cards, move_phones=True)
            except sqlite3.IntegrityError:
                tx.run("ROLLBACK TO bulk_run")
                tx.run("RELEASE bulk_run")
                return False
        tx.run("RELEASE bulk_run")
        self.pin_hashes([d for _, d in members])
        self.members.update(r[0] for r in member_rows)
        self.members.update(r[1] for r in card_rows)
        return True

    def _write(
        self,
        member_rows: list[tuple[Any, ...]],
        card_rows: list[tuple[Any, ...]],
        cards: list[tuple[int, dict[str, Any]]],
        *,
        move_phones: bool,
    ) -> None:
        tx = self.tx
        phone_at = self.phone_at
        if member_rows and move_phones:
            # HQ decides who owns a phone: a local member holding one gives it up
            moved = tx.conn.executemany(
                "UPDATE members SET phone = NULL, phone_last4 = NULL, updated_at = ? "
                "WHERE phone = ? AND id != ?",
                [(self.stamp, r[phone_at], r[0]) for r in member_rows if r[phone_at]],
            ).rowcount
            if moved > 0:
                log.warning("%d phone numbers moved to HQ's members from local ones", moved)
        if member_rows:
            tx.run_many(self.member_sql, member_rows)
        if card_rows:
            self._members_exist(cards, {r[0] for r in member_rows})
            tx.run_many(remote.CARD_UPSERT, card_rows)

    def pin_hashes(self, members: list[dict[str, Any]]) -> None:
        """A member change's kiosk PIN hash, as the ordinary applier keeps it: a new hash
        replaces the old one (and its wrong tries), none leaves the store's as it is."""
        for d in members:
            pin_hash = d.get("pin_hash")
            if pin_hash is not None and pin_hash != self.tx.value(
                "SELECT pin_hash FROM members WHERE id = ?", (d["id"],)
            ):
                store_pin_hash(self.tx, d["id"], pin_hash, self.now)

    def _members_exist(self, cards: list[tuple[int, dict[str, Any]]], written: set[str]) -> None:
        wanted = {c["member_id"] for _, c in cards} - written
        found: set[str] = set()
        ids = sorted(wanted)
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            found.update(
                r[0]
                for r in self.tx.rows(
                    f"SELECT id FROM members WHERE id IN ({', '.join('?' * len(part))})", part
                )
            )
        for _index, c in cards:
            if c["member_id"] not in found and c["member_id"] not in written:
                # the applier names it the same way; go change by change
                raise sqlite3.IntegrityError(f"no member {c['member_id']}")


class PageWriter:
    """Applies pages of the feed inside one open store transaction (see :func:`writing`)."""

    def __init__(self, db: StoreDB, s: Session, now: dt.datetime) -> None:
        self.tx = Tx.of(s)
        self.applier = remote._Applier(db, s, self.tx, now)
        self.bulk = _Bulk(self.tx, now)
        #: the connection leaves foreign keys to :meth:`check_references` (a fill)
        self.references_off = not self.tx.value("PRAGMA foreign_keys")
        #: changes the ordinary applier wrote since the last check, by cursor
        self.unchecked: list[object] = []

    @property
    def members(self) -> frozenset[str]:
        return frozenset(self.applier.members | self.bulk.members)

    def check_references(self) -> None:
        """While a download fills an empty store, SQLite does not check foreign keys row
        by row (a seventh of the fill's time, spent on the cards' members). The bulk
        statements check what they refer to themselves (a card's member; a member
        with a referrer goes change by change); what the ordinary applier wrote is
        checked here, over the whole database, before the transaction commits."""
        if not self.unchecked:
            return
        broken = self.tx.rows("PRAGMA foreign_key_check")
        if broken:
            table, rowid, parent, _ = broken[0]
            cursors = ", ".join(str(c) for c in self.unchecked[:5])
            raise remote.BadChange(
                cursors,
                "applied one by one",
                f"a change refers to something this store does not have ({table} row "
                f"{rowid} names a missing {parent} row)",
                field=None,
            )
        self.unchecked.clear()

    def _one(self, index: int, raw: Mapping[str, Any]) -> bool:
        if self.references_off:
            self.unchecked.append(raw.get("cursor", f"#{index}"))
        try:
            change = remote._Change.model_validate(dict(raw))
        except ValidationError as exc:
            raise remote._bad(index, raw, exc, ()) from None
        try:
            return self.applier.apply(change)
        except ValidationError as exc:
            raise remote._bad(index, raw, exc, ("data",)) from None
        except PosError as exc:
            raise remote._bad(index, raw, exc.message, exc.field) from None
        except sqlite3.IntegrityError as exc:
            raise remote._bad(index, raw, f"the store refused it ({exc})", None) from None

    def apply(
        self, changes: Sequence[Mapping[str, Any]], *, checked: bool, next_cursor: int
    ) -> tuple[int, int]:
        """Apply a page and store ``next_cursor`` (committed with the transaction);
        ``(applied, skipped)``. ``checked``: the changes come from :func:`parse_body`
        (or ``_Page``) and validated; otherwise they go change by change, as
        :func:`remote.apply_changes` takes them, which names a bad one."""
        if isinstance(next_cursor, bool) or not isinstance(next_cursor, int) or next_cursor < 0:
            raise InvalidInput(
                "the next cursor must be a whole number, 0 or more", field="next_cursor"
            )
        applied = skipped = 0
        members: list[tuple[int, dict[str, Any]]] = []
        cards: list[tuple[int, dict[str, Any]]] = []

        def flush() -> int:
            if not members and not cards:
                return 0
            done = len(members) + len(cards)
            if not self.bulk.apply(changes, members, cards):
                for index in sorted([i for i, _ in members] + [i for i, _ in cards]):
                    self._one(index, changes[index])
            members.clear()
            cards.clear()
            return done

        for index, change in enumerate(changes):
            kind = change["kind"] if checked else None
            if kind == "member":
                members.append((index, change["data"]))
            elif kind == "card":
                cards.append((index, change["data"]))
            else:
                applied += flush()
                if self._one(index, change):
                    applied += 1
                else:
                    skipped += 1
        applied += flush()
        remote._ensure_row(self.tx)
        self.tx.run("UPDATE sync_state SET cursor = ? WHERE id = 1", (next_cursor,))
        return applied, skipped


def loads_into_empty(db: StoreDB, behind: int) -> bool:
    """Whether a download of ``behind`` changes is mostly a first fill: the store holds
    fewer members than half that many (a member mostly comes with a card change): none
    for a new store, a few when a first download stopped early. It then leaves out the
    indexes it does not read (:mod:`pos_app.db.bulk_indexes`)."""
    with db.engine.connect() as conn:
        held = conn.exec_driver_sql("SELECT COUNT(*) FROM members").scalar_one()
    return int(held) < behind // 2


@contextmanager
def bulk_connection(db: StoreDB, *, fill: bool = False) -> Iterator[Connection]:
    """One store connection for a whole download, with a big page cache
    (:data:`BULK_CACHE_KIB`) and ``synchronous = NORMAL``: in WAL mode a commit stays
    atomic and the database consistent after a crash or a power cut (which may lose the
    last commits: the download fetches them again, the cursor going with them); a
    commit is only not flushed to disk at once. Both are restored afterwards.

    ``fill`` (:func:`loads_into_empty`): the indexes nothing in a download reads are
    dropped first and built again at the end, whatever ends it; a killed download
    leaves them to the next :func:`~pos_app.db.store.open_store`. WAL checkpoints wait
    for the end too (each one copies the pages of the indexes random member ids
    touched all over)."""
    with storage_errors(), db.engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert isinstance(raw, sqlite3.Connection)
        pragmas = ("cache_size", "synchronous", "wal_autocheckpoint", "foreign_keys")
        saved = {name: int(raw.execute(f"PRAGMA {name}").fetchone()[0]) for name in pragmas}
        raw.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
        raw.execute("PRAGMA synchronous = NORMAL")
        conn = conn.execution_options(sqlite_begin="IMMEDIATE")
        try:
            if fill:
                raw.execute(f"PRAGMA wal_autocheckpoint = {FILL_CHECKPOINT_PAGES}")
                raw.execute("PRAGMA foreign_keys = OFF")  # see PageWriter.check_references
                with conn.begin():
                    bulk_indexes.drop(conn)
            yield conn
        finally:
            if conn.in_transaction():
                conn.rollback()
            if fill:
                started = time.monotonic()
                try:
                    with conn.begin():
                        bulk_indexes.restore(conn)
                    raw.execute("PRAGMA wal_checkpoint(PASSIVE)")
                except Exception:  # the error that stopped the download matters more
                    log.exception("indexes not built again; the store's next opening will")
                else:
                    log.info("indexes built again in %.1f s", time.monotonic() - started)
            for name, value in saved.items():
                raw.execute(f"PRAGMA {name} = {value}")
            raw.execute("PRAGMA shrink_memory")


@contextmanager
def writing(db: StoreDB, conn: Connection, now: dt.datetime) -> Iterator[PageWriter]:
    """One write transaction on ``conn`` (:func:`bulk_connection`) for
    :meth:`PageWriter.apply`: committed on success, rolled back on any error. The cursor
    goes with the pages, so a download killed at any point resumes from the last commit."""
    with storage_errors(), Session(bind=conn, expire_on_commit=False) as s, s.begin():
        writer = PageWriter(db, s, now)
        yield writer
        writer.check_references()


def apply_page(
    db: StoreDB,
    changes: Sequence[Mapping[str, Any]],
    *,
    next_cursor: int,
    now: dt.datetime,
) -> ApplyResult:
    """Apply a page of HQ's change feed and store ``next_cursor``, in one transaction:
    :func:`remote.apply_changes`, in bulk where it can be."""
    try:
        checked: list[dict[str, Any]] = _Page.validate_python(changes)
        ok = True
    except ValidationError:
        # the ordinary path names the change and the field
        ok = False
    with db.write() as s:
        writer = PageWriter(db, s, now)
        applied, skipped = writer.apply(
            checked if ok else changes, checked=ok, next_cursor=next_cursor
        )
    return ApplyResult(applied, skipped, next_cursor, writer.members)
