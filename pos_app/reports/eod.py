"""The end-of-day points report and the day close.

A report covers one business day of this store (the program's cutoff decides
where a day ends, 04:00 by default). Closing a day records how far each table
reached (row ids): rows of that day written later are not folded into it but
shown as corrections on the report of the next day closed (or of any open day
after the last close). Closes move forward only, so those watermarks grow with
the days and a report can find its corrections with one range per table.

A closed day's report is kept as printed; a reprint shows exactly that.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import asdict, dataclass, field

from pos_app.db.models import DayClose
from pos_app.db.raw import Tx, from_db, read_tx, to_db
from pos_app.db.store import StoreDB
from pos_app.errors import Conflict, InvalidInput, NotFound
from pos_app.program import Program
from pos_app.reports.figures import Figures, RowRange, collect
from pos_app.services.audit import audit
from pos_app.services.auth import Permission, StaffSession, authorize
from pos_app.services.context import active_program

TABLES = {
    "ledger": "SELECT COALESCE(MAX(id), 0) FROM ledger_entries",
    "sales": "SELECT COALESCE(MAX(rowid), 0) FROM sales",
    "returns": "SELECT COALESCE(MAX(rowid), 0) FROM returns",
    "redemptions": "SELECT COALESCE(MAX(rowid), 0) FROM gift_redemptions",
    "members": "SELECT COALESCE(MAX(rowid), 0) FROM members",
}
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
#: a ledger entry that issues points (the "points issued" of the report), as SQL
_ISSUING = (
    "(kind IN ('earn', 'signup_bonus', 'referral_bonus', 'upgrade_bonus', 'activity_bonus') "
    "OR (kind IN ('adjustment', 'transfer') AND points > 0))"
)


@dataclass
class CashierLine:
    staff_code: str
    name: str
    sales: int = 0
    sales_fen: int = 0
    points_issued: int = 0
    points_redeemed: int = 0


@dataclass
class HourLine:
    """One clock hour of the business day (local time)."""

    hour: int
    sales: int = 0
    sales_fen: int = 0
    points_issued: int = 0


@dataclass
class StockLine:
    code: str
    name: str
    name_en: str
    quantity: int
    low_threshold: int

    @property
    def low(self) -> bool:
        return self.quantity <= self.low_threshold


@dataclass
class Liability:
    """Unexpired points earned at this store that members still hold (what the store owes
    them) and their cash value at the base tier's offset rate."""

    points: int
    cash_fen: int
    members: int
    #: balances below zero (offline overdrafts being repaid), as a positive number
    overdraft_points: int
    as_of: dt.datetime


@dataclass
class SyncLine:
    linked: bool
    pending: int
    rejected: int
    oldest_pending: dt.datetime | None
    last_ok_at: dt.datetime | None

    @property
    def final(self) -> bool:
        """Nothing of this store is still waiting for HQ."""
        return self.pending == 0 and self.rejected == 0


@dataclass
class Correction:
    """Rows of a closed day written after it was closed."""

    day: dt.date
    figures: Figures


@dataclass
class CloseInfo:
    closed_at: dt.datetime
    staff_code: str
    staff_name: str


@dataclass
class EodReport:
    store_code: str
    store_name: str
    day: dt.date
    start: dt.datetime
    end: dt.datetime
    generated_at: dt.datetime
    figures: Figures
    cashiers: list[CashierLine]
    hours: list[HourLine]
    stock: list[StockLine]
    liability: Liability
    sync: SyncLine
    devices: list[str] = field(default_factory=list)
    corrections: list[Correction] = field(default_factory=list)
    close: CloseInfo | None = None
    #: read back from the close, not computed now
    reprint: bool = False

    @property
    def low_stock(self) -> list[StockLine]:
        return [s for s in self.stock if s.low]

    @property
    def corrections_net(self) -> int:
        return sum(c.figures.net for c in self.corrections)

    def to_json(self) -> str:
        data = asdict(self)
        data["figures"] = self.figures.as_dict()
        data["corrections"] = [
            {"day": c.day, "figures": c.figures.as_dict()} for c in self.corrections
        ]
        data.pop("reprint")
        return json.dumps(data, ensure_ascii=False, sort_keys=True, default=_encode)

    @classmethod
    def from_json(cls, text: str) -> EodReport:
        d = json.loads(text)
        close = d.get("close")
        return cls(
            store_code=d["store_code"],
            store_name=d["store_name"],
            day=dt.date.fromisoformat(d["day"]),
            start=dt.datetime.fromisoformat(d["start"]),
            end=dt.datetime.fromisoformat(d["end"]),
            generated_at=dt.datetime.fromisoformat(d["generated_at"]),
            figures=Figures.from_dict(d["figures"]),
            cashiers=[CashierLine(**c) for c in d["cashiers"]],
            hours=[HourLine(**h) for h in d["hours"]],
            stock=[StockLine(**s) for s in d["stock"]],
            liability=Liability(
                **{**d["liability"], "as_of": dt.datetime.fromisoformat(d["liability"]["as_of"])}
            ),
            sync=SyncLine(
                d["sync"]["linked"],
                d["sync"]["pending"],
                d["sync"]["rejected"],
                _dt(d["sync"]["oldest_pending"]),
                _dt(d["sync"]["last_ok_at"]),
            ),
            devices=list(d["devices"]),
            corrections=[
                Correction(dt.date.fromisoformat(c["day"]), Figures.from_dict(c["figures"]))
                for c in d["corrections"]
            ],
            close=None
            if close is None
            else CloseInfo(
                dt.datetime.fromisoformat(close["closed_at"]),
                close["staff_code"],
                close["staff_name"],
            ),
        )


def _encode(value: object) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} in a report")


def _dt(text: str | None) -> dt.datetime | None:
    return None if text is None else dt.datetime.fromisoformat(text)


@dataclass(frozen=True)
class _Close:
    day: dt.date
    marks: dict[str, int]
    report_json: str


def _closes(tx: Tx, store_code: str) -> list[_Close]:
    return [
        _Close(
            dt.date.fromisoformat(day),
            {"ledger": a, "sales": b, "returns": c, "redemptions": d, "members": e},
            text,
        )
        for day, a, b, c, d, e, text in tx.rows(
            "SELECT business_day, ledger_upto, sales_upto, returns_upto, redemptions_upto, "
            "members_upto, report_json FROM day_closes WHERE store_code = ? "
            "ORDER BY business_day",
            (store_code,),
        )
    ]


def store_of(tx: Tx) -> tuple[str, str]:
    row = tx.row("SELECT store_code, store_name FROM store_identity WHERE id = 1")
    if row is None:
        raise NotFound("this store is not set up yet; run the set-up first (pos-app init)")
    return row[0], row[1]


def check_day(day: object) -> dt.date:
    if isinstance(day, dt.datetime) or not isinstance(day, dt.date):
        raise InvalidInput("give the business day as a date (YYYY-MM-DD)", field="date")
    return day


def parse_day(text: str) -> dt.date:
    """``YYYY-MM-DD`` as typed on a command line or in a date field (nothing looser)."""
    value = text.strip() if isinstance(text, str) else ""
    try:
        if not _DAY.fullmatch(value):
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{text!r} is not a date (YYYY-MM-DD)", field="date") from None


def build_report(
    tx: Tx,
    program: Program,
    day: dt.date,
    now: dt.datetime,
    *,
    upto: dict[str, int] | None = None,
) -> EodReport:
    """The report of ``day`` as the rows stand (or, with ``upto``, as they stood at a close)."""
    store_code, store_name = store_of(tx)
    start, end = program.business_day_bounds(day)
    yuan_points = program.offset_points_per_yuan(program.base_tier.code)
    rows = RowRange(day, start, end, upto=upto)
    figures = collect(tx, store_code, rows, yuan_points=yuan_points)
    closes = [c for c in _closes(tx, store_code) if c.day < day]
    corrections = []
    if closes:
        last = closes[-1]
        closed_days = {c.day for c in closes}
        for late_day in sorted(_late_days(tx, store_code, program, last.marks, upto) & closed_days):
            s, e = program.business_day_bounds(late_day)
            late = RowRange(late_day, s, e, after=last.marks, upto=upto)
            found = collect(tx, store_code, late, yuan_points=yuan_points)
            if not found.empty:
                corrections.append(Correction(late_day, found))
    return EodReport(
        store_code=store_code,
        store_name=store_name,
        day=day,
        start=start,
        end=end,
        generated_at=now,
        figures=figures,
        cashiers=_cashiers(tx, store_code, rows),
        hours=_hours(tx, store_code, rows, program),
        stock=_stock(tx, store_code),
        liability=_liability(tx, store_code, yuan_points, now),
        sync=_sync(tx),
        devices=_devices(tx, store_code, rows),
        corrections=corrections,
    )


def _late_days(
    tx: Tx, store_code: str, program: Program, after: dict[str, int], upto: dict[str, int] | None
) -> set[dt.date]:
    """Business days that have rows written after the last close (and before ``upto``)."""
    days: set[str] = set()
    for table, sql in (
        ("ledger", "SELECT DISTINCT business_day FROM ledger_entries WHERE id > ? AND id <= ? "),
        ("sales", "SELECT DISTINCT business_day FROM sales WHERE rowid > ? AND rowid <= ?"),
        ("returns", "SELECT DISTINCT business_day FROM returns WHERE rowid > ? AND rowid <= ?"),
    ):
        top = upto[table] if upto is not None else 2**62
        days.update(r[0] for r in tx.rows(sql, (after[table], top)))
    found = {dt.date.fromisoformat(d) for d in days}
    top = upto["members"] if upto is not None else 2**62
    for (created,) in tx.rows(
        "SELECT created_at FROM members WHERE rowid > ? AND rowid <= ? AND home_store = ?",
        (after["members"], top, store_code),
    ):
        moment = from_db(created)
        if moment is not None:
            found.add(program.business_day(moment))
    return found


def _staff_names(tx: Tx) -> dict[str, tuple[str, str]]:
    return {r[0]: (r[1], r[2]) for r in tx.rows("SELECT id, code, name FROM staff")}


def _cashiers(tx: Tx, store_code: str, rows: RowRange) -> list[CashierLine]:
    names = _staff_names(tx)
    lines: dict[str, CashierLine] = {}

    def line(staff_id: str | None) -> CashierLine:
        key = staff_id or ""
        if key not in lines:
            code, name = names.get(key, ("-", "-") if not key else (key[:8], "?"))
            lines[key] = CashierLine(code, name)
        return lines[key]

    day = rows.day.isoformat()
    where, params = rows.clause("sales", "rowid")
    for staff_id, count, total in tx.rows(
        "SELECT staff_id, COUNT(*), SUM(total_fen) FROM sales "
        f"WHERE business_day = ? AND store_code = ?{where} GROUP BY staff_id",
        (day, store_code, *params),
    ):
        cl = line(staff_id)
        cl.sales, cl.sales_fen = count, total
    where, params = rows.clause("ledger", "id")
    for staff_id, issued, redeemed in tx.rows(
        "SELECT staff_id, "
        f"  COALESCE(SUM(CASE WHEN {_ISSUING} THEN points END), 0), "
        "  COALESCE(SUM(CASE WHEN kind IN ('offset', 'gift_redemption', 'offset_refund', "
        "     'gift_refund') THEN -points END), 0) "
        f"FROM ledger_entries WHERE business_day = ? AND store_code = ?{where} GROUP BY staff_id",
        (day, store_code, *params),
    ):
        cl = line(staff_id)
        cl.points_issued, cl.points_redeemed = issued, redeemed
    return sorted(lines.values(), key=lambda c: (c.staff_code, c.name))


def _hours(tx: Tx, store_code: str, rows: RowRange, program: Program) -> list[HourLine]:
    """Sales and points issued per local clock hour, in the order the business day runs.

    Rows are grouped by their UTC hour in SQL; a UTC hour maps onto one local hour
    whenever the zone's offset is whole hours at that moment (China, and every zone
    whose clocks change on the hour). Other zones are grouped row by row.
    """
    hours: dict[int, HourLine] = {}
    day = rows.day.isoformat()
    zone = program.zone

    def local_hours(text: str, count: int) -> list[tuple[int, int]]:
        moment = from_db(text[:13] + ":00:00")
        assert moment is not None
        offset = moment.astimezone(zone).utcoffset() or dt.timedelta()
        if offset % dt.timedelta(hours=1) == dt.timedelta():
            return [(program.local(moment).hour, count)]
        return []

    def line(hour: int) -> HourLine:
        return hours.setdefault(hour, HourLine(hour))

    def bucketed(sql: str, params: tuple[object, ...]) -> list[tuple[int, int, int]]:
        """(local hour, rows, sum) per hour; exact for any zone."""
        found: list[tuple[int, int, int]] = []
        for bucket, count, total in tx.rows(
            f"SELECT substr(created_at, 1, 13), COUNT(*), SUM(v) FROM ({sql}) GROUP BY 1", params
        ):
            whole = local_hours(bucket, count)
            if whole:
                found.append((whole[0][0], count, total))
                continue
            for created, value in tx.rows(
                f"SELECT created_at, v FROM ({sql}) WHERE substr(created_at, 1, 13) = ?",
                (*params, bucket),
            ):
                moment = from_db(created)
                assert moment is not None
                found.append((program.local(moment).hour, 1, value))
        return found

    where, params = rows.clause("sales", "rowid")
    for hour, count, total in bucketed(
        "SELECT created_at, total_fen AS v FROM sales WHERE business_day = ? "
        f"AND store_code = ?{where}",
        (day, store_code, *params),
    ):
        h = line(hour)
        h.sales += count
        h.sales_fen += total
    where, params = rows.clause("ledger", "id")
    for hour, _count, points in bucketed(
        "SELECT created_at, points AS v FROM ledger_entries WHERE business_day = ? "
        f"AND store_code = ? AND {_ISSUING}{where}",
        (day, store_code, *params),
    ):
        line(hour).points_issued += points
    first = program.definition.program.business_day_cutoff.hour
    order = sorted(hours, key=lambda h: (h - first) % 24)
    if not order:
        return []
    # every hour from the first to the last with business, quiet ones as zeros
    span = (order[-1] - order[0]) % 24 + 1
    return [hours.get((order[0] + i) % 24, HourLine((order[0] + i) % 24)) for i in range(span)]


def _stock(tx: Tx, store_code: str) -> list[StockLine]:
    return [
        StockLine(code, name, name_en or name, quantity, low)
        for code, name, name_en, quantity, low in tx.rows(
            "SELECT g.code, g.name, g.name_en, s.quantity, s.low_threshold FROM gift_stock s "
            "JOIN gifts g ON g.id = s.gift_id WHERE s.store_code = ? AND g.active = 1 "
            "ORDER BY g.code",
            (store_code,),
        )
    ]


def _liability(tx: Tx, store_code: str, yuan_points: int, now: dt.datetime) -> Liability:
    """Unexpired points earned at this store that members still hold (their lots), and the
    debt of this store's members whose balance went below zero."""
    points, members = tx.row(
        "SELECT COALESCE(SUM(l.remaining), 0), COUNT(DISTINCT l.member_id) FROM points_lots l "
        "JOIN ledger_entries e ON e.id = l.entry_id WHERE e.store_code = ? AND l.remaining > 0 "
        "AND (l.expires_at IS NULL OR l.expires_at > ?)",
        (store_code, to_db(now)),
    )
    overdraft = tx.value(
        "SELECT COALESCE(-SUM(balance), 0) FROM members WHERE balance < 0 AND home_store = ?",
        (store_code,),
    )
    return Liability(points, points * 100 // yuan_points, members, overdraft, now)


def _sync(tx: Tx) -> SyncLine:
    pending, rejected, oldest = tx.row(
        "SELECT COALESCE(SUM(status = 'pending'), 0), COALESCE(SUM(status = 'rejected'), 0), "
        "MIN(CASE WHEN status = 'pending' THEN created_at END) FROM outbox_events"
    )
    state = tx.row("SELECT hq_url, last_ok_at FROM sync_state WHERE id = 1")
    linked = state is not None and state[0] is not None
    return SyncLine(
        linked, int(pending), int(rejected), from_db(oldest), from_db(state[1]) if state else None
    )


def _devices(tx: Tx, store_code: str, rows: RowRange) -> list[str]:
    day = rows.day.isoformat()
    ledger, ledger_params = rows.clause("ledger", "id")
    sales, sales_params = rows.clause("sales", "rowid")
    found = {
        r[0]
        for r in tx.rows(
            "SELECT DISTINCT device_code FROM ledger_entries WHERE business_day = ? "
            f"AND store_code = ?{ledger} UNION SELECT DISTINCT device_code FROM sales "
            f"WHERE business_day = ? AND store_code = ?{sales}",
            (day, store_code, *ledger_params, day, store_code, *sales_params),
        )
    }
    return sorted(found)


# -- what callers use ---------------------------------------------------------------
def eod_report(db: StoreDB, day: dt.date, *, now: dt.datetime) -> EodReport:
    """The day's report: as printed at its close when the day is closed, else as of now."""
    check_day(day)
    with read_tx(db.engine) as tx:
        program = active_program(db, tx)
        store_code, _ = store_of(tx)
        for c in _closes(tx, store_code):
            if c.day == day:
                report = EodReport.from_json(c.report_json)
                report.reprint = True
                return report
        return build_report(tx, program, day, now)


def closed_days(db: StoreDB) -> list[tuple[dt.date, dt.datetime, str]]:
    """(day, when closed, by whom) for every closed day, newest first."""
    with read_tx(db.engine) as tx:
        rows = tx.rows(
            "SELECT c.business_day, c.closed_at, s.name FROM day_closes c "
            "JOIN staff s ON s.id = c.closed_by ORDER BY c.business_day DESC"
        )
    result = []
    for day, at, name in rows:
        moment = from_db(at)
        assert moment is not None
        result.append((dt.date.fromisoformat(day), moment, name))
    return result


def close_day(db: StoreDB, *, actor: StaffSession, day: dt.date, now: dt.datetime) -> EodReport:
    """Close ``day`` (manager only) and return its report as it is kept for reprints.

    A day can be closed once, not before it has begun, and only after the last
    closed day (closes move forward; late rows of a closed day become corrections).
    """
    check_day(day)
    authorize(db, actor, Permission.CLOSE_DAY)
    with db.write() as s:
        tx = Tx.of(s)
        program = active_program(db, tx)
        store_code, _ = store_of(tx)
        if day > program.business_day(now):
            raise InvalidInput(f"{day} has not begun yet; it cannot be closed", field="date")
        closes = _closes(tx, store_code)
        if any(c.day == day for c in closes):
            raise Conflict(f"{day} is already closed; reprint its report instead")
        if closes and closes[-1].day > day:
            raise Conflict(
                f"{closes[-1].day} is already closed; days close in order, so {day} can no "
                "longer be closed (its late changes appear as corrections)"
            )
        marks = {table: int(tx.value(sql)) for table, sql in TABLES.items()}
        report = build_report(tx, program, day, now, upto=marks)
        staff = tx.row("SELECT code, name FROM staff WHERE id = ?", (actor.staff_id,))
        report.close = CloseInfo(now, staff[0], staff[1])
        s.add(
            DayClose(
                store_code=store_code,
                business_day=day,
                closed_at=now,
                closed_by=actor.staff_id,
                ledger_upto=marks["ledger"],
                sales_upto=marks["sales"],
                returns_upto=marks["returns"],
                redemptions_upto=marks["redemptions"],
                members_upto=marks["members"],
                report_json=report.to_json(),
            )
        )
        audit(
            s,
            actor.staff_id,
            "day.close",
            day.isoformat(),
            {"net": report.figures.net, "sales": report.figures.member_sales},
            now,
        )
    return report


def recompute_closed(db: StoreDB, day: dt.date) -> EodReport:
    """A closed day's figures recomputed from the rows within its watermarks (for checks)."""
    with read_tx(db.engine) as tx:
        program = active_program(db, tx)
        store_code, _ = store_of(tx)
        for c in _closes(tx, store_code):
            if c.day == day:
                kept = EodReport.from_json(c.report_json)
                return build_report(tx, program, day, kept.generated_at, upto=c.marks)
    raise NotFound(f"{day} is not closed")
