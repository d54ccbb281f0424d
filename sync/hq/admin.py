"""What the chain's IT staff do at HQ: stores, devices and their tokens, the program,
the gift catalogue and stock, member imports, the sync status and the books check.

Tokens are shown once, when issued, and stored only as their sha256. Every change
stores must see goes into the change feed in the same transaction that makes it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import secrets
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, Engine, case, func, select, text
from sqlalchemy.exc import IntegrityError

from pos_app.cards import normalise_card
from pos_app.errors import Conflict, InvalidInput, NotFound, PosError
from pos_app.phone import normalise_phone
from pos_app.program import Program
from pos_app.program.loader import load_program_file, load_program_json, load_program_text
from pos_app.services.gifts import parse_catalogue
from sync.hq import models
from sync.hq.app import token_hash
from sync.hq.service import feed, head, naive_utc


def _code(value: str, field: str) -> str:
    value = (value or "").strip().upper()
    if not value.isascii() or not value.isalnum() or not 1 <= len(value) <= 16:
        raise InvalidInput("use 1 to 16 letters or digits", field=field)
    return value


def add_store(
    engine: Engine, *, code: str, name: str, now: dt.datetime, exist_ok: bool = False
) -> str:
    code = _code(code, "code")
    if not name or not name.strip():
        raise InvalidInput("give the store a name", field="name")
    with engine.begin() as conn:
        inserted = conn.execute(
            text(
                "INSERT INTO hq_stores (code, name, active, created_at) "
                "VALUES (:code, :name, TRUE, :now) ON CONFLICT (code) DO NOTHING"
            ),
            {"code": code, "name": name.strip()[:120], "now": naive_utc(now)},
        ).rowcount
    if not inserted and not exist_ok:
        raise Conflict(f"store {code} already exists", field="code")
    return code


def set_store_active(engine: Engine, code: str, active: bool) -> None:
    with engine.begin() as conn:
        changed = conn.execute(
            text("UPDATE hq_stores SET active = :active WHERE code = :code"),
            {"active": active, "code": _code(code, "code")},
        ).rowcount
    if not changed:
        raise NotFound(f"no store {code}", field="code")


def add_device(engine: Engine, *, store_code: str, device_code: str, now: dt.datetime) -> str:
    """Register a till and return its token (shown this once; HQ keeps only a hash).

    Registering an existing device again issues it a new token (the old one stops working).
    """
    store_code, device_code = _code(store_code, "store"), _code(device_code, "device")
    token = secrets.token_urlsafe(32)
    with engine.begin() as conn:
        if (
            conn.execute(
                text("SELECT 1 FROM hq_stores WHERE code = :code"), {"code": store_code}
            ).scalar()
            is None
        ):
            raise NotFound(f"no store {store_code}; add the store first", field="store")
        updated = conn.execute(
            text(
                "UPDATE hq_devices SET token_hash = :hash, active = TRUE "
                "WHERE store_code = :store AND device_code = :device"
            ),
            {"hash": token_hash(token), "store": store_code, "device": device_code},
        ).rowcount
        if not updated:
            conn.execute(
                text(
                    "INSERT INTO hq_devices (store_code, device_code, token_hash, active, "
                    "created_at, acked_seq, last_cursor) VALUES (:store, :device, :hash, TRUE, "
                    ":now, 0, 0)"
                ),
                {
                    "store": store_code,
                    "device": device_code,
                    "hash": token_hash(token),
                    "now": naive_utc(now),
                },
            )
    return token


def set_device_active(engine: Engine, store_code: str, device_code: str, active: bool) -> None:
    with engine.begin() as conn:
        changed = conn.execute(
            text(
                "UPDATE hq_devices SET active = :active "
                "WHERE store_code = :store AND device_code = :device"
            ),
            {
                "active": active,
                "store": _code(store_code, "store"),
                "device": _code(device_code, "device"),
            },
        ).rowcount
    if not changed:
        raise NotFound(f"no device {store_code}/{device_code}", field="device")


@dataclass(frozen=True)
class StoreRow:
    code: str
    name: str
    active: bool
    devices: int


def list_stores(engine: Engine) -> list[StoreRow]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT s.code, s.name, s.active, COUNT(d.id) AS devices FROM hq_stores s "
                "LEFT JOIN hq_devices d ON d.store_code = s.code "
                "GROUP BY s.code, s.name, s.active ORDER BY s.code"
            )
        ).all()
    return [StoreRow(r.code, r.name, bool(r.active), int(r.devices)) for r in rows]


@dataclass(frozen=True)
class Discrepancy:
    member_id: str
    balance: int
    ledger_sum: int


def reconcile(engine: Engine) -> list[Discrepancy]:
    """Members whose balance differs from the sum of their ledger entries (none, normally)."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT m.id, m.balance, COALESCE(SUM(l.points), 0) AS total "
                "FROM hq_members m LEFT JOIN hq_ledger l ON l.member_id = m.id "
                "GROUP BY m.id, m.balance HAVING m.balance != COALESCE(SUM(l.points), 0)"
            )
        ).all()
    return [Discrepancy(r.id, int(r.balance), int(r.total)) for r in rows]


# -- the program -------------------------------------------------------------------------


def _active_program(conn: Connection) -> Program | None:
    """The program loaded most recently at HQ (the one stores run), if any."""
    definition = conn.execute(
        select(models.ProgramVersion.definition_json)
        .order_by(models.ProgramVersion.loaded_at.desc(), models.ProgramVersion.version.desc())
        .limit(1)
    ).scalar()
    return None if definition is None else load_program_json(definition)


def active_program(engine: Engine) -> Program | None:
    with engine.connect() as conn:
        return _active_program(conn)


@dataclass(frozen=True)
class ProgramRow:
    code: str
    version: int
    digest: str
    loaded_at: dt.datetime


def list_programs(engine: Engine) -> list[ProgramRow]:
    """Every program loaded at HQ, the active one (the newest) first."""
    p = models.ProgramVersion
    with engine.connect() as conn:
        rows = conn.execute(
            select(p.code, p.version, p.digest, p.loaded_at).order_by(
                p.loaded_at.desc(), p.version.desc()
            )
        ).all()
    return [ProgramRow(r.code, int(r.version), r.digest, r.loaded_at) for r in rows]


def load_program(
    engine: Engine, path_or_text: str | Path, now: dt.datetime
) -> tuple[str, int, str]:
    """Validate a program (a TOML file, or its text) and send it to every store.

    Returns ``(code, version, digest)``. A program already loaded (same digest) is a
    no-op; the same code and version with other rules is refused (stores refuse it too).
    An invalid program raises :class:`ProgramError` naming the field and changes nothing.
    """
    if isinstance(path_or_text, Path) or "\n" not in path_or_text:
        program = load_program_file(path_or_text)
    else:
        program = load_program_text(path_or_text)
    code, version, digest = program.code, program.version, program.digest
    with engine.begin() as conn:
        clash = conn.execute(
            text(
                "SELECT digest FROM hq_programs "
                "WHERE code = :code AND version = :version AND digest != :digest"
            ),
            {"code": code, "version": version, "digest": digest},
        ).scalar()
        if clash is not None:
            raise Conflict(
                f"version {version} of {code!r} is already loaded with different rules; "
                "raise the version number",
                field="program.version",
            )
        definition = program.to_json()
        inserted = conn.execute(
            text(
                "INSERT INTO hq_programs (digest, code, version, definition_json, loaded_at) "
                "VALUES (:digest, :code, :version, :definition, :now) "
                "ON CONFLICT (digest) DO NOTHING"
            ),
            {
                "digest": digest,
                "code": code,
                "version": version,
                "definition": definition,
                "now": naive_utc(now),
            },
        ).rowcount
        if inserted:
            feed(
                conn,
                "program",
                {"code": code, "version": version, "digest": digest, "definition_json": definition},
                now,
            )
    return code, version, digest


# -- gifts and stock ---------------------------------------------------------------------


class _AnyTier:
    """Stands in for the program while HQ has none loaded: tier codes are not checked."""

    def has_tier(self, _code: str) -> bool:
        return True


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


#: per-store figures, set with :func:`set_stock`, not part of the gift a store receives
_STOCK_FIELDS = frozenset({"stock", "low_stock"})


def load_gifts(engine: Engine, toml_text: str, now: dt.datetime) -> int:
    """Add or update gifts from a catalogue TOML (the store's format); returns how many
    were new or changed. All or nothing: an invalid catalogue names the field and
    changes nothing.

    Gifts missing from the file are left as they are. Each new or changed gift goes to
    every store as one ``gift`` change (the catalogue entry without ``stock`` and
    ``low_stock``: the catalogue has one figure, not one per store, so stock is set per
    store with :func:`set_stock`). Tier codes are checked against the loaded program.
    """
    with engine.begin() as conn:
        program = _active_program(conn) or cast(Program, _AnyTier())
        catalogue = parse_catalogue(toml_text, program)
        changed = 0
        for gift in catalogue.gifts:
            data = gift.model_dump(mode="json", exclude_none=True, exclude=set(_STOCK_FIELDS))
            definition = _json(data)
            current = conn.execute(
                text("SELECT definition_json FROM hq_gifts WHERE code = :code"),
                {"code": gift.code},
            ).scalar()
            if current == definition:
                continue
            params = {"code": gift.code, "definition": definition, "now": naive_utc(now)}
            if current is None:
                conn.execute(
                    text(
                        "INSERT INTO hq_gifts (code, definition_json, updated_at) "
                        "VALUES (:code, :definition, :now)"
                    ),
                    params,
                )
            else:
                conn.execute(
                    text(
                        "UPDATE hq_gifts SET definition_json = :definition, updated_at = :now "
                        "WHERE code = :code"
                    ),
                    params,
                )
            feed(conn, "gift", data, now)
            changed += 1
    return changed


def set_stock(
    engine: Engine,
    store_code: str,
    gift_code: str,
    quantity: int,
    now: dt.datetime,
    low_threshold: int = 5,
) -> None:
    """Set a gift's stock at one store; the change goes to that store only."""
    store_code = _code(store_code, "store")
    gift_code = (gift_code or "").strip()
    for value, name in ((quantity, "quantity"), (low_threshold, "low_threshold")):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10_000_000:
            raise InvalidInput("use a whole number from 0 to 10,000,000", field=name)
    with engine.begin() as conn:
        if (
            conn.execute(
                text("SELECT 1 FROM hq_stores WHERE code = :code"), {"code": store_code}
            ).scalar()
            is None
        ):
            raise NotFound(f"no store {store_code}", field="store")
        if (
            conn.execute(
                text("SELECT 1 FROM hq_gifts WHERE code = :code"), {"code": gift_code}
            ).scalar()
            is None
        ):
            raise NotFound(f"no gift {gift_code!r}; load the catalogue first", field="gift")
        conn.execute(
            text(
                "INSERT INTO hq_stock (gift_code, store_code, quantity, low_threshold, "
                "updated_at) VALUES (:gift, :store, :quantity, :low, :now) "
                "ON CONFLICT (gift_code, store_code) DO UPDATE SET quantity = :quantity, "
                "low_threshold = :low, updated_at = :now"
            ),
            {
                "gift": gift_code,
                "store": store_code,
                "quantity": quantity,
                "low": low_threshold,
                "now": naive_utc(now),
            },
        )
        feed(
            conn,
            "stock",
            {
                "gift_code": gift_code,
                "store_code": store_code,
                "quantity": quantity,
                "low_threshold": low_threshold,
            },
            now,
            scope=store_code,
        )


# -- member import -----------------------------------------------------------------------

MEMBER_COLUMNS = ("name", "phone", "card", "tier", "home_store")


@dataclass(frozen=True)
class ImportReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    #: (line number in the file, why the row was not imported)
    rejected: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class _Row:
    name: str
    phone: str
    card: str | None
    tier: str | None
    home_store: str | None


def _parse_member_row(values: dict[str, str], program: Program | None, stores: set[str]) -> _Row:
    name = " ".join(values["name"].split())
    if not name:
        raise InvalidInput("the name is missing", field="name")
    if len(name) > 80:
        raise InvalidInput("the name is too long (80 characters at most)", field="name")
    phone = normalise_phone(values["phone"])
    card = normalise_card(values["card"]) if values["card"].strip() else None
    tier = values["tier"].strip() or None
    if tier is not None and program is not None and not program.has_tier(tier):
        codes = ", ".join(t.code for t in program.definition.tiers)
        raise InvalidInput(
            f"unknown tier {tier!r}; program {program.code} has {codes}", field="tier"
        )
    if tier is not None and len(tier) > 40:
        raise InvalidInput("the tier code is too long (40 characters at most)", field="tier")
    home = values["home_store"].strip() or None
    if home is not None:
        home = _code(home, "home_store")
        if home not in stores:
            raise NotFound(f"no store {home}", field="home_store")
    return _Row(name, phone, card, tier, home)


def _member_data(conn: Connection, member_id: str) -> dict[str, Any]:
    """The member as a ``member`` feed change (typed columns: aware times on SQLite too)."""
    m = models.Member
    row = conn.execute(
        select(
            m.id, m.name, m.phone, m.tier_code, m.status, m.home_store, m.referrer_id, m.created_at
        ).where(m.id == member_id)
    ).one()
    return {
        "id": row.id,
        "name": row.name,
        "phone": row.phone,
        "tier_code": row.tier_code,
        "status": row.status,
        "home_store": row.home_store,
        "referrer_id": row.referrer_id,
        "created_at": row.created_at.isoformat(),
    }


@dataclass(frozen=True)
class _MemberPlan:
    """What importing one row does (:func:`_plan_member`)."""

    member_id: str
    #: "added", "updated" or "unchanged"
    outcome: str
    #: parameters of _INSERT_MEMBER / _UPDATE_MEMBER, when the row adds / changes one
    insert: dict[str, Any] | None
    update: dict[str, Any] | None
    #: the card the row gives its member (also its feed data)
    card: dict[str, Any] | None


_INSERT_MEMBER = (
    "INSERT INTO hq_members (id, name, phone, tier_code, status, home_store, "
    "referrer_id, balance, created_at, updated_at) VALUES (:id, :name, :phone, "
    ":tier, 'active', :home, NULL, 0, :now, :now)"
)
_UPDATE_MEMBER = (
    "UPDATE hq_members SET name = :name, tier_code = :tier, home_store = :home, "
    "updated_at = :now WHERE id = :id"
)
_INSERT_CARD = (
    "INSERT INTO hq_cards (card_no, member_id, status) VALUES (:card_no, :member_id, :status)"
)


def _plan_member(
    row: _Row, member: Any, owner: str | None, program: Program | None, stamp: dt.datetime
) -> _MemberPlan:
    """Decide one row against the member holding its phone (``member``: id, name,
    tier_code, home_store; or None) and the member holding its card (``owner``), for
    the row-by-row and the bulk import alike. ``PosError`` when it cannot be taken."""
    if owner is not None and (member is None or owner != member.id):
        raise Conflict(f"card {row.card} belongs to another member", field="card")
    insert = update = None
    if member is None:
        if row.tier is None and program is None:
            raise InvalidInput("give a tier (no program is loaded at HQ yet)", field="tier")
        member_id = str(uuid.uuid4())
        insert = {
            "id": member_id,
            "name": row.name,
            "phone": row.phone,
            "tier": row.tier or cast(Program, program).base_tier.code,
            "home": row.home_store,
            "now": stamp,
        }
        outcome = "added"
    else:
        member_id = member.id
        wanted = (row.name, row.tier or member.tier_code, row.home_store or member.home_store)
        outcome = "unchanged"
        if wanted != (member.name, member.tier_code, member.home_store):
            update = {
                "name": wanted[0],
                "tier": wanted[1],
                "home": wanted[2],
                "now": stamp,
                "id": member_id,
            }
            outcome = "updated"
    card = None
    if row.card is not None and owner is None:
        card = {"card_no": row.card, "member_id": member_id, "status": "active"}
        if outcome == "unchanged":
            outcome = "updated"
    return _MemberPlan(member_id, outcome, insert, update, card)


def _import_member(conn: Connection, row: _Row, program: Program | None, now: dt.datetime) -> str:
    """Add or update one member; ``"added"``, ``"updated"`` or ``"unchanged"``."""
    member = conn.execute(
        text("SELECT id, name, tier_code, home_store FROM hq_members WHERE phone = :phone"),
        {"phone": row.phone},
    ).one_or_none()
    owner = None
    if row.card is not None:
        owner = conn.execute(
            text("SELECT member_id FROM hq_cards WHERE card_no = :card"), {"card": row.card}
        ).scalar()
    plan = _plan_member(row, member, owner, program, naive_utc(now))
    if plan.insert is not None:
        conn.execute(text(_INSERT_MEMBER), plan.insert)
    if plan.update is not None:
        conn.execute(text(_UPDATE_MEMBER), plan.update)
    if plan.insert is not None or plan.update is not None:
        feed(conn, "member", _member_data(conn, plan.member_id), now)
    if plan.card is not None:
        conn.execute(text(_INSERT_CARD), plan.card)
        feed(conn, "card", plan.card, now)
    return plan.outcome


def import_members_csv(engine: Engine, text: str, now: dt.datetime) -> ImportReport:
    """Add or update members from CSV text with the header ``name,phone,card,tier,home_store``.

    Members are matched by phone (normalised), so importing the same file again changes
    nothing. ``card``, ``tier`` and ``home_store`` may be empty: an existing member keeps
    theirs, a new one gets the loaded program's entry tier. A row that cannot be imported
    (bad phone, a phone or card of another member, an unknown tier or store) is reported
    with its line number and why; the other rows are imported all the same.
    """
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    header = next(reader, None)
    wanted = ",".join(MEMBER_COLUMNS)
    if header is None:
        raise InvalidInput(f"the file is empty; its first line must be {wanted}", field="header")
    columns = [cell.strip().lower() for cell in header]
    if sorted(columns) != sorted(MEMBER_COLUMNS):
        raise InvalidInput(
            f"the first line must name the columns {wanted}; it is {','.join(header)!r}",
            field="header",
        )
    counts = {"added": 0, "updated": 0, "unchanged": 0}
    rejected: list[tuple[int, str]] = []
    with engine.begin() as conn:
        program = _active_program(conn)
        stores = set(conn.execute(select(models.Store.code)).scalars())
        chunk: list[tuple[int, _Row]] = []
        #: phones and cards of the rows read so far: a row repeating one is imported alone,
        #: after the rows before it (it may update the member an earlier row added)
        seen: set[str] = set()
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(columns):
                rejected.append((line, f"expected {len(columns)} columns, found {len(cells)}"))
                continue
            try:
                row = _parse_member_row(dict(zip(columns, cells, strict=True)), program, stores)
            except PosError as exc:
                rejected.append((line, str(exc)))
                continue
            keys = (row.phone, f"card:{row.card}") if row.card else (row.phone,)
            if any(key in seen for key in keys):
                _import_rows(conn, chunk, program, now, counts, rejected)
                chunk = []
                _import_one(conn, line, row, program, now, counts, rejected)
            else:
                chunk.append((line, row))
                if len(chunk) >= IMPORT_CHUNK:
                    _import_rows(conn, chunk, program, now, counts, rejected)
                    chunk = []
            seen.update(keys)
        _import_rows(conn, chunk, program, now, counts, rejected)
    if engine.dialect.name == "postgresql" and counts.get("added", 0) >= ANALYZE_AFTER:
        # a big import changes the tables' shape: fresh statistics keep the feed's page
        # queries on their index, and a vacuum sets the new rows' hint bits and the
        # visibility map now, instead of the first pushes and downloads paying for it
        # row by row (autovacuum may be off, or late). VACUUM runs outside a transaction.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in ("hq_members", "hq_cards", "hq_feed"):
                conn.exec_driver_sql(f"VACUUM (ANALYZE) {table}")
    rejected.sort(key=lambda item: item[0])
    return ImportReport(rejected=rejected, **counts)


#: an import adding at least this many members vacuums and analyses the tables it grew
ANALYZE_AFTER = 10_000
#: rows imported together (one look-up of their phones and cards, bulk inserts)
IMPORT_CHUNK = 5000


def _import_one(
    conn: Connection,
    line: int,
    row: _Row,
    program: Program | None,
    now: dt.datetime,
    counts: dict[str, int],
    rejected: list[tuple[int, str]],
) -> None:
    try:
        with conn.begin_nested():
            counts[_import_member(conn, row, program, now)] += 1
    except PosError as exc:
        rejected.append((line, str(exc)))
    except IntegrityError:
        # a store registered the same phone or card while this file was imported
        rejected.append((line, "the phone or card was just taken by another member"))


#: member columns an import's ``member`` change does not carry (as :func:`_member_data`;
#: a kiosk PIN hash is never imported, it travels in its own changes)
MEMBER_FEED_EXCLUDED = frozenset({"balance", "overdraft_since", "updated_at", "pin_hash"})


def _feed_value(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.datetime | dt.date) else value


def _member_datas(conn: Connection, member_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Members as ``member`` feed changes, many at once: every column of ``hq_members``
    but the balance and bookkeeping (the same change :func:`_member_data` makes)."""
    m = models.Member
    cols = [c for c in m.__table__.columns if c.name not in MEMBER_FEED_EXCLUDED]
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(member_ids), IMPORT_CHUNK):
        part = member_ids[start : start + IMPORT_CHUNK]
        for r in conn.execute(select(*cols).where(m.id.in_(part))).mappings():
            found[r["id"]] = {c.name: _feed_value(r[c.name]) for c in cols}
    return found


def _feed_many(
    conn: Connection, changes: list[tuple[str, dict[str, Any]]], now: dt.datetime
) -> None:
    """Append ``(kind, data)`` changes to the feed in this order (like :func:`feed` each)."""
    if not changes:
        return
    last = int(
        conn.execute(
            text("UPDATE hq_counters SET value = value + :n WHERE name = 'feed' RETURNING value"),
            {"n": len(changes)},
        ).scalar_one()
    )
    first = last - len(changes) + 1
    stamp = naive_utc(now)
    conn.execute(
        text(
            "INSERT INTO hq_feed (cursor, kind, origin, scope, data, created_at) "
            "VALUES (:cursor, :kind, NULL, NULL, :data, :now)"
        ),
        [
            {"cursor": first + i, "kind": kind, "data": _json(data), "now": stamp}
            for i, (kind, data) in enumerate(changes)
        ],
    )


def _import_rows(
    conn: Connection,
    rows: list[tuple[int, _Row]],
    program: Program | None,
    now: dt.datetime,
    counts: dict[str, int],
    rejected: list[tuple[int, str]],
) -> None:
    """Import rows whose phones and cards are all different, in bulk; the same outcome,
    report and feed as :func:`_import_member` row by row (which takes over if a store
    registers one of the phones or cards meanwhile)."""
    if not rows:
        return
    try:
        with conn.begin_nested():
            outcome = _import_bulk(conn, rows, program, now)
    except IntegrityError:
        for line, row in rows:
            _import_one(conn, line, row, program, now, counts, rejected)
        return
    for key, value in outcome[0].items():
        counts[key] += value
    rejected.extend(outcome[1])


def _import_bulk(
    conn: Connection, rows: list[tuple[int, _Row]], program: Program | None, now: dt.datetime
) -> tuple[dict[str, int], list[tuple[int, str]]]:
    phones = [row.phone for _, row in rows]
    cards = [row.card for _, row in rows if row.card is not None]
    existing = {
        r.phone: r
        for r in conn.execute(
            text(
                "SELECT id, phone, name, tier_code, home_store FROM hq_members "
                "WHERE phone = ANY(:phones)"
                if conn.dialect.name == "postgresql"
                else "SELECT id, phone, name, tier_code, home_store FROM hq_members "
                "WHERE phone IN (SELECT value FROM json_each(:phones))"
            ),
            {"phones": phones if conn.dialect.name == "postgresql" else json.dumps(phones)},
        )
    }
    owners: dict[str, str] = {}
    if cards:
        owners = {
            r.card_no: r.member_id
            for r in conn.execute(
                text(
                    "SELECT card_no, member_id FROM hq_cards WHERE card_no = ANY(:cards)"
                    if conn.dialect.name == "postgresql"
                    else "SELECT card_no, member_id FROM hq_cards "
                    "WHERE card_no IN (SELECT value FROM json_each(:cards))"
                ),
                {"cards": cards if conn.dialect.name == "postgresql" else json.dumps(cards)},
            )
        }
    stamp = naive_utc(now)
    counts = {"added": 0, "updated": 0, "unchanged": 0}
    rejected: list[tuple[int, str]] = []
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    new_cards: list[dict[str, Any]] = []
    #: in line order: (kind, member id or card data) for the feed
    changes: list[tuple[str, Any]] = []
    for line, row in rows:
        try:
            plan = _plan_member(
                row,
                existing.get(row.phone),
                owners.get(row.card) if row.card is not None else None,
                program,
                stamp,
            )
        except PosError as exc:
            rejected.append((line, str(exc)))
            continue
        if plan.insert is not None:
            inserts.append(plan.insert)
        if plan.update is not None:
            updates.append(plan.update)
        if plan.insert is not None or plan.update is not None:
            changes.append(("member", plan.member_id))
        if plan.card is not None:
            new_cards.append(plan.card)
            changes.append(("card", plan.card))
        counts[plan.outcome] += 1
    if inserts:
        conn.execute(text(_INSERT_MEMBER), inserts)
    if updates:
        conn.execute(text(_UPDATE_MEMBER), updates)
    if new_cards:
        conn.execute(text(_INSERT_CARD), new_cards)
    datas = _member_datas(conn, [ref for kind, ref in changes if kind == "member"])
    _feed_many(
        conn,
        [(kind, datas[ref] if kind == "member" else ref) for kind, ref in changes],
        now,
    )
    return counts, rejected


# -- status --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeviceStatus:
    store: str
    device: str
    #: the device and its store are enabled (its token works)
    active: bool
    last_push_at: dt.datetime | None
    last_pull_at: dt.datetime | None
    acked_seq: int
    events_received: int
    events_rejected: int
    #: changes in the feed the device has not pulled yet (head - its last cursor)
    feed_lag: int
    #: members of the device's store (home store) with a negative balance
    overdraft_members: int
    #: time since the device's last push or pull (None: never seen)
    silent_for: dt.timedelta | None


def sync_status(engine: Engine, now: dt.datetime) -> list[DeviceStatus]:
    """One line per device, by store and device code."""
    d, s, e, m = models.Device, models.Store, models.Event, models.Member
    with engine.connect() as conn:
        newest = head(conn)
        devices = conn.execute(
            select(
                d.store_code,
                d.device_code,
                d.active,
                s.active.label("store_active"),
                d.last_push_at,
                d.last_pull_at,
                d.acked_seq,
                d.last_cursor,
            )
            .join(s, s.code == d.store_code)
            .order_by(d.store_code, d.device_code)
        ).all()
        events = {
            (r.store_code, r.device_code): (int(r.received), int(r.rejected or 0))
            for r in conn.execute(
                select(
                    e.store_code,
                    e.device_code,
                    func.count().label("received"),
                    func.sum(case((e.status == "rejected", 1), else_=0)).label("rejected"),
                ).group_by(e.store_code, e.device_code)
            )
        }
        overdrawn = dict(
            conn.execute(
                select(m.home_store, func.count())
                .where(m.balance < 0, m.home_store.is_not(None))
                .group_by(m.home_store)
            ).all()
        )
    result = []
    for r in devices:
        received, rejected = events.get((r.store_code, r.device_code), (0, 0))
        seen = [t for t in (r.last_push_at, r.last_pull_at) if t is not None]
        result.append(
            DeviceStatus(
                store=r.store_code,
                device=r.device_code,
                active=bool(r.active and r.store_active),
                last_push_at=r.last_push_at,
                last_pull_at=r.last_pull_at,
                acked_seq=int(r.acked_seq),
                events_received=received,
                events_rejected=rejected,
                feed_lag=max(0, newest - int(r.last_cursor)),
                overdraft_members=int(overdrawn.get(r.store_code, 0)),
                silent_for=now - max(seen) if seen else None,
            )
        )
    return result


@dataclass(frozen=True)
class Overdraft:
    member_id: str
    name: str
    phone: str | None
    home_store: str | None
    balance: int
    overdraft_since: dt.datetime | None


def overdrafts(engine: Engine) -> list[Overdraft]:
    """Members whose balance went below zero (offline spending at two stores), oldest first."""
    m = models.Member
    with engine.connect() as conn:
        rows = conn.execute(
            select(m.id, m.name, m.phone, m.home_store, m.balance, m.overdraft_since)
            .where(m.balance < 0)
            .order_by(m.overdraft_since.asc().nulls_last(), m.id)
        ).all()
    return [
        Overdraft(r.id, r.name, r.phone, r.home_store, int(r.balance), r.overdraft_since)
        for r in rows
    ]
