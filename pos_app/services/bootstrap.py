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
import logging
import sqlite3
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter, ValidationError

from pos_app.cards import normalise_card
from pos_app.db.raw import Tx, to_db
from pos_app.db.store import StoreDB
from pos_app.errors import InvalidInput, PosError
from pos_app.phone import normalise_phone
from pos_app.services import remote
from pos_app.services.member_pin import store_pin_hash
from pos_app.services.remote import ApplyResult, CardData, MemberData

log = logging.getLogger(__name__)


class _MemberChange(remote._Data):
    cursor: int = Field(strict=True)
    kind: Literal["member"]
    data: MemberData
    origin: str | None = None


class _CardChange(remote._Data):
    cursor: int = Field(strict=True)
    kind: Literal["card"]
    data: CardData
    origin: str | None = None


class _OtherChange(remote._Data):
    cursor: int = Field(strict=True)
    kind: Literal["ledger", "program", "gift", "stock"]
    data: dict[str, Any]
    origin: str | None = None


_Page = TypeAdapter(
    list[Annotated[_MemberChange | _CardChange | _OtherChange, Field(discriminator="kind")]]
)

#: member columns set when a member is first written, never changed by a later change
_KEPT = ("id", "created_at", "home_store", "referrer_id")
#: columns the store derives or keeps itself, or sets its own way (a PIN hash: see
#: :meth:`_Bulk.pin_hashes`)
_OWN = frozenset({"phone_last4", "balance", "updated_at", "pin_hash"})


def _member_columns(tx: Tx) -> tuple[str, ...]:
    """The fields of a member change the store has columns for (``id`` first)."""
    table = {row[1] for row in tx.rows("PRAGMA table_info(members)")}
    fields = [f for f in MemberData.model_fields if f in table and f not in _OWN]
    return ("id", *[f for f in fields if f != "id"])


class _Bulk:
    def __init__(self, tx: Tx, now: dt.datetime) -> None:
        self.tx = tx
        self.now = now
        self.stamp = to_db(now)
        self.columns = _member_columns(tx)
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

    def member_row(self, d: MemberData) -> tuple[Any, ...]:
        name = " ".join(d.name.split())
        if not name:
            raise InvalidInput("the member has no name", field="data.name")
        phone = normalise_phone(d.phone, field="data.phone") if d.phone else None
        values = {**dict(d), "name": name, "phone": phone, "created_at": to_db(d.created_at)}
        return (
            *[values[c] for c in self.columns],
            phone[-4:] if phone else None,
            0,
            self.stamp,
        )

    def apply(
        self,
        raws: Sequence[Mapping[str, Any]],
        members: list[tuple[int, MemberData]],
        cards: list[tuple[int, CardData]],
    ) -> bool:
        """Apply a run in bulk; False (nothing written) when it must go change by change."""
        member_rows = []
        phones: set[str] = set()
        for index, d in members:
            if d.referrer_id is not None:
                return False
            try:
                row = self.member_row(d)
            except PosError as exc:
                raise remote._bad(index, raws[index], exc.message, exc.field) from None
            phone = row[self.columns.index("phone")]
            if phone is not None:
                if phone in phones:
                    return False
                phones.add(phone)
            member_rows.append(row)
        card_rows = []
        for index, c in cards:
            try:
                card_no = normalise_card(c.card_no, field="data.card_no")
                replaced_by = (
                    normalise_card(c.replaced_by, field="data.replaced_by")
                    if c.replaced_by
                    else None
                )
            except PosError as exc:
                raise remote._bad(index, raws[index], exc.message, exc.field) from None
            card_rows.append((card_no, c.member_id, c.status, self.stamp, replaced_by))
        tx = self.tx
        tx.run("SAVEPOINT bulk_run")
        try:
            if member_rows:
                phone_at = self.columns.index("phone")
                # HQ decides who owns a phone: a local member holding one gives it up
                moved = tx.conn.executemany(
                    "UPDATE members SET phone = NULL, phone_last4 = NULL, updated_at = ? "
                    "WHERE phone = ? AND id != ?",
                    [(self.stamp, r[phone_at], r[0]) for r in member_rows if r[phone_at]],
                ).rowcount
                if moved > 0:
                    log.warning("%d phone numbers moved to HQ's members from local ones", moved)
                tx.run_many(self.member_sql, member_rows)
            if card_rows:
                self._members_exist(cards, {r[0] for r in member_rows})
                tx.run_many(remote.CARD_UPSERT, card_rows)
        except sqlite3.IntegrityError:
            tx.run("ROLLBACK TO bulk_run")
            tx.run("RELEASE bulk_run")
            return False
        tx.run("RELEASE bulk_run")
        self.pin_hashes([d for _, d in members])
        self.members.update(r[0] for r in member_rows)
        self.members.update(r[1] for r in card_rows)
        return True

    def pin_hashes(self, members: list[MemberData]) -> None:
        """A member change's kiosk PIN hash, as the ordinary applier keeps it: a new hash
        replaces the old one (and its wrong tries), none leaves the store's as it is."""
        for d in members:
            pin_hash = getattr(d, "pin_hash", None)
            if pin_hash is not None and pin_hash != self.tx.value(
                "SELECT pin_hash FROM members WHERE id = ?", (d.id,)
            ):
                store_pin_hash(self.tx, d.id, pin_hash, self.now)

    def _members_exist(self, cards: list[tuple[int, CardData]], written: set[str]) -> None:
        wanted = {c.member_id for _, c in cards} - written
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
            if c.member_id not in found and c.member_id not in written:
                # the applier names it the same way; go change by change
                raise sqlite3.IntegrityError(f"no member {c.member_id}")


def apply_page(
    db: StoreDB,
    changes: Sequence[Mapping[str, Any]],
    *,
    next_cursor: int,
    now: dt.datetime,
) -> ApplyResult:
    """Apply a page of HQ's change feed and store ``next_cursor``, in one transaction:
    :func:`remote.apply_changes`, in bulk where it can be."""
    if isinstance(next_cursor, bool) or not isinstance(next_cursor, int) or next_cursor < 0:
        raise InvalidInput("the next cursor must be a whole number, 0 or more", field="next_cursor")
    try:
        page = _Page.validate_python(changes)
    except ValidationError:
        # the ordinary path names the change and the field
        return remote.apply_changes(db, changes, next_cursor=next_cursor, now=now)
    applied = skipped = 0
    with db.write() as s:
        tx = Tx.of(s)
        applier = remote._Applier(db, s, tx, now)
        bulk = _Bulk(tx, now)
        members: list[tuple[int, MemberData]] = []
        cards: list[tuple[int, CardData]] = []

        def one(index: int) -> bool:
            raw = changes[index]
            try:
                return applier.apply(remote._Change.model_validate(dict(raw)))
            except ValidationError as exc:
                raise remote._bad(index, raw, exc, ("data",)) from None
            except PosError as exc:
                raise remote._bad(index, raw, exc.message, exc.field) from None
            except sqlite3.IntegrityError as exc:
                raise remote._bad(index, raw, f"the store refused it ({exc})", None) from None

        def flush() -> int:
            if not members and not cards:
                return 0
            done = len(members) + len(cards)
            if not bulk.apply(changes, members, cards):
                for index in sorted([i for i, _ in members] + [i for i, _ in cards]):
                    one(index)
            members.clear()
            cards.clear()
            return done

        for index, change in enumerate(page):
            if isinstance(change, _MemberChange):
                members.append((index, change.data))
            elif isinstance(change, _CardChange):
                cards.append((index, change.data))
            else:
                applied += flush()
                if one(index):
                    applied += 1
                else:
                    skipped += 1
        applied += flush()
        remote._ensure_row(tx)
        tx.run("UPDATE sync_state SET cursor = ? WHERE id = 1", (next_cursor,))
    return ApplyResult(applied, skipped, next_cursor, frozenset(applier.members | bulk.members))
