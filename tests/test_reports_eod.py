"""The end-of-day points report against the ledger, the day close and its corrections.

Every expected figure here comes from plain SQL over the store file (and, where the
day is small enough to add up by hand, from the numbers themselves): never from
``pos_app.reports``.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import tomllib
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from pos_app.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from pos_app.program import Program, bundled_program_text, program_from_dict
from pos_app.reports.eod import (
    EodReport,
    close_day,
    closed_days,
    eod_report,
    parse_day,
    recompute_closed,
)
from pos_app.reports.figures import Figures
from pos_app.reports.period import member_statement, period_report
from pos_app.services.adjustments import adjust_points, credit_activity
from pos_app.services.auth import StaffSession, create_staff, login
from pos_app.services.checkout import (
    CartLine,
    PaymentInput,
    SaleResult,
    commit_checkout,
    quote_checkout,
)
from pos_app.services.expiry import run_expiry
from pos_app.services.gifts import cancel_redemption, import_catalogue, redeem_gift
from pos_app.services.returns import ReturnItem, ReturnResult, commit_return
from tests.conftest import WRITTEN_TABLES, Counter, at

#: the business day the busy-day tests report on (a Saturday in 2028)
DAY = dt.date(2028, 3, 4)
NEXT = DAY + dt.timedelta(days=1)
STORE = "S01"
GIFTS = (resources.files("resources") / "gifts" / "supermarket.toml").read_text("utf-8")
#: tables a report or a refused close might touch
REPORT_TABLES = (*WRITTEN_TABLES, "day_closes", "audit_log", "gift_redemptions", "gift_stock")


def spring_program() -> Program:
    """The supermarket program with fresh food at double points around ``DAY``."""
    data = tomllib.loads(bundled_program_text("supermarket"))
    data["campaigns"].append(
        {
            "code": "spring-fresh-2028",
            "name": "春季生鲜双倍",
            "start": dt.date(2028, 3, 1),
            "end": dt.date(2028, 3, 10),
            "categories": ["fresh"],
            "multiplier": "2",
        }
    )
    return program_from_dict(data)


def sell(
    c: Counter,
    actor: StaffSession,
    member_id: str | None,
    lines: list[CartLine],
    now: dt.datetime,
    offset: int = 0,
) -> SaleResult:
    quote = quote_checkout(c.db, member_id=member_id, lines=lines, offset_points=offset, now=now)
    payments = [PaymentInput("cash", quote.total_due_fen)] if quote.total_due_fen else []
    return commit_checkout(
        c.db,
        actor=actor,
        sale_id=str(uuid.uuid4()),
        member_id=member_id,
        lines=lines,
        offset_points=offset,
        payments=payments,
        now=now,
    )


def give_back(c: Counter, receipt: str, line: int, now: dt.datetime, qty: int = 1) -> ReturnResult:
    return commit_return(
        c.db,
        actor=c.cashier,
        receipt_no=receipt,
        items=[ReturnItem(line, qty)],
        now=now,
        approver=c.manager,
        reason="customer changed her mind",
    )


def second_cashier(c: Counter) -> StaffSession:
    create_staff(
        c.db, actor=c.admin, code="3", name="收银员二", role="cashier", pin="3333", now=c.now
    )
    return login(c.db, code="3", pin="3333", now=c.now)


# Independent figures ------------------------------------------------------------------
#: ledger kind -> report line, written here from the issue, not imported
KIND_SOURCE = {
    "signup_bonus": "signup_bonus",
    "referral_bonus": "referral_bonus",
    "upgrade_bonus": "upgrade_bonus",
    "activity_bonus": "activity_bonus",
    "offset": "offset",
    "offset_refund": "offset_returned",
    "gift_redemption": "gift",
    "gift_refund": "gift_returned",
    "reversal": "reversal",
    "expiry": "expiry",
}
ISSUING = ("earn", "signup_bonus", "referral_bonus", "upgrade_bonus", "activity_bonus")
SPENDING = ("offset", "offset_refund", "gift_redemption", "gift_refund")


def utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def window(table: str, column: str, after: int | None, upto: int | None) -> str:
    """SQL restricting ``column`` to (after, upto] when the bounds are given."""
    sql = ""
    if after is not None:
        sql += f" AND {table}.{column} > {int(after)}"
    if upto is not None:
        sql += f" AND {table}.{column} <= {int(upto)}"
    return sql


@dataclass
class Marks:
    """Row-id bounds per table, as a close records them."""

    ledger: int | None = None
    sales: int | None = None
    returns: int | None = None
    members: int | None = None


def expected_figures(
    conn: sqlite3.Connection, day: dt.date, after: Marks | None = None, upto: Marks | None = None
) -> dict[str, Any]:
    """What a report must say about ``day`` (within the row windows), from SQL alone."""
    a, u = after or Marks(), upto or Marks()
    d = day.isoformat()
    led = window("e", "id", a.ledger, u.ledger)
    sal = window("s", "rowid", a.sales, u.sales)
    ret = window("r", "rowid", a.returns, u.returns)
    mem = window("m", "rowid", a.members, u.members)
    points: dict[str, int] = defaultdict(int)
    # campaign extra: per campaign line, the points beyond earned / multiplier
    extra_by_sale: dict[str, int] = defaultdict(int)
    for sale_id, earned, multiplier in conn.execute(
        "SELECT l.sale_id, l.earned_points, l.multiplier FROM sale_lines l "
        f"JOIN sales s ON s.id = l.sale_id WHERE s.business_day = ? AND s.store_code = ?{sal}",
        (d, STORE),
    ):
        m = Fraction(multiplier)
        if m > 1 and earned > 0:
            extra_by_sale[sale_id] += earned - int(earned / m)
    entries = 0
    for kind, pts, sale_id in conn.execute(
        "SELECT e.kind, e.points, e.sale_id FROM ledger_entries e "
        f"WHERE e.business_day = ? AND e.store_code = ?{led}",
        (d, STORE),
    ):
        entries += 1
        if kind == "earn":
            extra = min(extra_by_sale.pop(sale_id, 0), pts) if pts > 0 else 0
            points["campaign_extra"] += extra
            points["purchases"] += pts - extra
        elif kind in ("adjustment", "transfer"):
            points[f"{kind}_{'in' if pts > 0 else 'out'}"] += pts
        else:
            points[KIND_SOURCE[kind]] += pts
    member_sales = conn.execute(
        "SELECT COUNT(*), COALESCE(SUM(total_fen), 0), COALESCE(SUM(offset_fen), 0) FROM sales s "
        f"WHERE s.business_day = ? AND s.store_code = ? AND s.member_id IS NOT NULL{sal}",
        (d, STORE),
    ).fetchone()
    other_sales = conn.execute(
        "SELECT COUNT(*), COALESCE(SUM(total_fen), 0) FROM sales s "
        f"WHERE s.business_day = ? AND s.store_code = ? AND s.member_id IS NULL{sal}",
        (d, STORE),
    ).fetchone()
    # money that left the drawer: the refund less what the member paid for spent points
    returns = conn.execute(
        "SELECT COUNT(*), COALESCE(SUM(r.refund_fen - r.cash_for_points_fen), 0) FROM returns r "
        f"JOIN sales s ON s.id = r.sale_id WHERE r.business_day = ? AND s.store_code = ?{ret}",
        (d, STORE),
    ).fetchone()
    gifts: dict[str, list[int]] = {}
    for code, kind, pts, cash in conn.execute(
        "SELECT g.code, e.kind, e.points, r.cash_fen FROM ledger_entries e "
        "JOIN gift_redemptions r ON r.id = e.redemption_id JOIN gifts g ON g.id = r.gift_id "
        f"WHERE e.business_day = ? AND e.store_code = ?{led}",
        (d, STORE),
    ):
        sign = 1 if kind == "gift_redemption" else -1
        line = gifts.setdefault(code, [0, 0, 0])
        line[0] += sign
        line[1] += -pts
        line[2] += sign * cash
    start = dt.datetime.combine(day, dt.time(4), tzinfo=dt.UTC) - dt.timedelta(hours=8)
    new_members = conn.execute(
        "SELECT COUNT(*) FROM members m WHERE m.home_store = ? AND m.created_at >= ? "
        f"AND m.created_at < ?{mem}",
        (STORE, utc(start), utc(start + dt.timedelta(days=1))),
    ).fetchone()[0]
    return {
        "points": {k: v for k, v in points.items() if v},
        "offset_fen": member_sales[2],
        "gifts": gifts,
        "member_sales": (member_sales[0], member_sales[1]),
        "other_sales": tuple(other_sales),
        "returns": tuple(returns),
        "new_members": new_members,
        "entries": entries,
        "net": conn.execute(
            "SELECT COALESCE(SUM(e.points), 0) FROM ledger_entries e "
            f"WHERE e.business_day = ? AND e.store_code = ?{led}",
            (d, STORE),
        ).fetchone()[0],
    }


def reported(f: Figures) -> dict[str, Any]:
    """The same shape as :func:`expected_figures`, read off a report's figures."""
    return {
        "points": {k: v for k, v in f.points.items() if v},
        "offset_fen": f.offset_fen,
        "gifts": {g.code: [g.quantity, g.points, g.cash_fen] for g in f.gifts},
        "member_sales": (f.member_sales, f.member_sales_fen),
        "other_sales": (f.other_sales, f.other_sales_fen),
        "returns": (f.returns, f.refund_fen),
        "new_members": f.new_members,
        "entries": f.entries,
        "net": f.net,
    }


def expected_cashiers(conn: sqlite3.Connection, day: dt.date) -> dict[str, tuple[int, ...]]:
    """staff code -> (sales, amount, points issued, points redeemed)."""
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for code, count, total in conn.execute(
        "SELECT t.code, COUNT(*), SUM(s.total_fen) FROM sales s JOIN staff t ON t.id = s.staff_id "
        "WHERE s.business_day = ? AND s.store_code = ? GROUP BY t.code",
        (day.isoformat(), STORE),
    ):
        out[code][0:2] = [count, total]
    for code, kind, pts in conn.execute(
        "SELECT t.code, e.kind, e.points FROM ledger_entries e JOIN staff t ON t.id = e.staff_id "
        "WHERE e.business_day = ? AND e.store_code = ?",
        (day.isoformat(), STORE),
    ):
        if kind in ISSUING or (kind in ("adjustment", "transfer") and pts > 0):
            out[code][2] += pts
        elif kind in SPENDING:
            out[code][3] -= pts
    return {k: tuple(v) for k, v in out.items()}


def expected_hours(conn: sqlite3.Connection, day: dt.date) -> dict[int, tuple[int, int, int]]:
    """Shanghai clock hour -> (sales, amount, points issued)."""
    out: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for hour, count, total in conn.execute(
        "SELECT CAST(strftime('%H', created_at, '+8 hours') AS INTEGER), COUNT(*), "
        "SUM(total_fen) FROM sales WHERE business_day = ? AND store_code = ? GROUP BY 1",
        (day.isoformat(), STORE),
    ):
        out[hour][0:2] = [count, total]
    for hour, kind, pts in conn.execute(
        "SELECT CAST(strftime('%H', created_at, '+8 hours') AS INTEGER), kind, points "
        "FROM ledger_entries WHERE business_day = ? AND store_code = ?",
        (day.isoformat(), STORE),
    ):
        if kind in ISSUING or (kind in ("adjustment", "transfer") and pts > 0):
            out[hour][2] += pts
    return {k: (v[0], v[1], v[2]) for k, v in out.items()}


def expected_liability(conn: sqlite3.Connection) -> tuple[int, int, int]:
    """(points held, members holding points, overdrawn points) from the ledger itself."""
    sums = [r[0] for r in conn.execute("SELECT SUM(points) FROM ledger_entries GROUP BY member_id")]
    return (
        sum(s for s in sums if s > 0),
        sum(1 for s in sums if s > 0),
        -sum(s for s in sums if s < 0),
    )


# The busy day -------------------------------------------------------------------------
@dataclass
class BusyDay:
    c: Counter
    cashier2: StaffSession
    members: dict[str, str]


@pytest.fixture
def busy(counter_factory: Callable[..., Counter]) -> BusyDay:
    """Every kind of entry on ``DAY``, plus rows the day before and after it."""
    c = counter_factory(spring_program())
    two = second_cashier(c)
    history = at(2026, 3, 2, 10)
    a = c.register(name="老会员", phone="13800000001", now=history).id
    b = c.register(name="推荐人", phone="13800000002", now=history).id
    c.sell(a, [CartLine("general", 30000)], now=history)  # 300 points due 2028-01-01
    sell(c, c.cashier, a, [CartLine("general", 1000)], at(2028, 3, 3, 15))  # the day before
    # -- the day
    run_expiry(c.db, actor=c.manager, now=at(2028, 3, 4, 4, 30))  # A 350, B 50
    m = c.register(
        name="王小花", phone="13900000003", referrer="13800000002", now=at(2028, 3, 4, 9)
    )
    e = c.register(name="李大壮", phone="13900000005", now=at(2028, 3, 4, 9, 5)).id
    c.give(m.id, 2000, now=at(2028, 3, 4, 9, 10))
    fresh = sell(
        c,
        c.cashier,
        m.id,
        [CartLine("fresh", 10000), CartLine("general", 5000)],
        at(2028, 3, 4, 9, 30),
    )
    assert fresh.quote.earn_points == 250  # 100 yuan fresh at double + 50
    offset = sell(c, c.cashier, m.id, [CartLine("general", 2000)], at(2028, 3, 4, 10), offset=500)
    assert (offset.quote.offset_fen, offset.quote.earn_points) == (500, 15)
    big = sell(c, two, e, [CartLine("general", 500000)], at(2028, 3, 4, 10, 30))
    assert big.tier_change is not None and big.tier_change.bonus_points == 5000
    sell(c, two, None, [CartLine("daily", 3000)], at(2028, 3, 4, 11))
    sell(c, two, None, [CartLine("general", 1234)], at(2028, 3, 4, 12))
    credit_activity(
        c.db,
        actor=c.cashier,
        member_id=m.id,
        activity="review",
        reason="wrote a review",
        now=at(2028, 3, 4, 13),
    )
    adjust_points(
        c.db,
        actor=c.manager,
        member_id=m.id,
        points=-300,
        reason="duplicate credit",
        now=at(2028, 3, 4, 14),
    )
    import_catalogue(c.db, actor=c.manager, text=GIFTS, now=at(2028, 3, 4, 14, 30))
    tissue = redeem_gift(
        c.db, actor=c.cashier, member_id=m.id, gift_code="tissue", now=at(2028, 3, 4, 15)
    )
    redeem_gift(
        c.db,
        actor=c.cashier,
        member_id=m.id,
        gift_code="bag",
        now=at(2028, 3, 4, 15, 5),
        cash_fen=200,
    )
    cancel_redemption(
        c.db,
        actor=c.cashier,
        redemption_no=tissue.redemption_no,
        reason="wrong gift handed over",
        now=at(2028, 3, 4, 15, 10),
    )
    give_back(c, fresh.receipt_no, 1, at(2028, 3, 4, 16))  # the fresh line: -200
    give_back(c, offset.receipt_no, 1, at(2028, 3, 4, 16, 5))  # +500 back, -15
    sell(c, two, m.id, [CartLine("general", 800)], at(2028, 3, 4, 20))
    sell(c, c.cashier, None, [CartLine("general", 500)], at(2028, 3, 5, 1))  # still DAY
    # -- the next business day
    sell(c, c.cashier, a, [CartLine("general", 1000)], at(2028, 3, 5, 5))
    return BusyDay(c, two, {"a": a, "b": b, "m": m.id, "e": e})


#: the day added up by hand (see the fixture)
BY_HAND = {
    "purchases": 150 + 15 + 5000 + 8,
    "campaign_extra": 100,
    "signup_bonus": 100,
    "referral_bonus": 100,
    "upgrade_bonus": 5000,
    "activity_bonus": 20,
    "adjustment_in": 2000,
    "offset": -500,
    "offset_returned": 500,
    "gift": -800,
    "gift_returned": 500,
    "reversal": -215,
    "expiry": -400,
    "adjustment_out": -300,
}


def test_every_figure_of_a_busy_day_matches_the_ledger(busy: BusyDay) -> None:
    c = busy.c
    report = eod_report(c.db, DAY, now=at(2028, 3, 5, 12))
    f = report.figures
    with c.sql() as conn:
        expected = expected_figures(conn, DAY)
        cashiers = expected_cashiers(conn, DAY)
        hours = expected_hours(conn, DAY)
        liability = expected_liability(conn)
        balances = conn.execute(
            "SELECT COALESCE(SUM(CASE WHEN balance > 0 THEN balance END), 0) FROM members"
        ).fetchone()[0]
        stock = conn.execute(
            "SELECT g.code, s.quantity, s.low_threshold FROM gift_stock s "
            "JOIN gifts g ON g.id = s.gift_id WHERE s.store_code = ? ORDER BY g.code",
            (STORE,),
        ).fetchall()
    # the SQL agrees with the day as added up by hand, so it is a fair yardstick
    assert expected["points"] == BY_HAND
    assert expected["net"] == sum(BY_HAND.values()) == 11278
    assert expected["gifts"] == {"bag": [1, 300, 200], "tissue": [0, 0, 0]}
    assert expected["member_sales"] == (4, 15000 + 1500 + 500000 + 800)
    assert expected["other_sales"] == (3, 3000 + 1234 + 500)
    assert expected["returns"] == (2, 10000 + 1500)
    assert expected["new_members"] == 2
    # the report, field by field
    assert reported(f) == expected
    assert f.points["purchases"] + f.points["campaign_extra"] == 5273
    assert (f.issued, f.redeemed, f.taken) == (12493, 300, 915)
    assert f.issued - f.redeemed - f.taken == f.net == expected["net"]
    assert f.offset_fen == 500
    assert {
        c.staff_code: (c.sales, c.sales_fen, c.points_issued, c.points_redeemed)
        for c in report.cashiers
    } == cashiers
    assert cashiers["3"][:2] == (4, 500000 + 3000 + 1234 + 800)
    busy_hours = {
        h.hour: (h.sales, h.sales_fen, h.points_issued)
        for h in report.hours
        if h.sales or h.points_issued
    }
    assert busy_hours == hours
    # every clock hour from the first to the last with business, in business-day order
    assert [h.hour for h in report.hours] == [(9 + i) % 24 for i in range(17)]  # 09 .. 01
    assert (
        report.liability.points,
        report.liability.members,
        report.liability.overdraft_points,
    ) == liability
    assert report.liability.points == balances
    assert report.liability.cash_fen == liability[0]  # 100 points to the yuan
    assert [(s.code, s.quantity, s.low_threshold) for s in report.stock] == stock
    assert [s.code for s in report.low_stock] == [code for code, qty, low in stock if qty <= low]
    assert "oil" in [s.code for s in report.low_stock]
    assert report.corrections == [] and report.close is None and not report.reprint
    assert report.devices == ["D1"]
    assert (report.start, report.end) == (at(2028, 3, 4, 4), at(2028, 3, 5, 4))


def test_neighbouring_days_only_see_their_own_rows(busy: BusyDay) -> None:
    c = busy.c
    for day in (DAY - dt.timedelta(days=1), NEXT):
        report = eod_report(c.db, day, now=at(2028, 3, 5, 12))
        with c.sql() as conn:
            assert reported(report.figures) == expected_figures(conn, day)
        assert (report.figures.member_sales, report.figures.net) == (1, 10)


def test_a_report_reads_and_writes_nothing_else(busy: BusyDay) -> None:
    before = busy.c.counts(REPORT_TABLES)
    first = eod_report(busy.c.db, DAY, now=at(2028, 3, 5, 12))
    again = eod_report(busy.c.db, DAY, now=at(2028, 3, 5, 12))
    assert busy.c.counts(REPORT_TABLES) == before
    assert first.to_json() == again.to_json()


def test_report_json_round_trips(busy: BusyDay) -> None:
    report = eod_report(busy.c.db, DAY, now=at(2028, 3, 5, 12))
    assert EodReport.from_json(report.to_json()).to_json() == report.to_json()


# Returns across midnight ------------------------------------------------------------
def test_a_return_after_midnight_belongs_to_the_day_before_the_cutoff(
    supermarket: Counter,
) -> None:
    c = supermarket
    member = c.register(now=at(2026, 3, 2, 9))
    sale = c.sell(member.id, [CartLine("general", 4000, qty=2)], now=at(2026, 3, 2, 23, 30))
    assert sale.quote.earn_points == 80
    give_back(c, sale.receipt_no, 1, at(2026, 3, 3, 0, 30))  # before 04:00: still 03-02
    give_back(c, sale.receipt_no, 1, at(2026, 3, 3, 5))  # 03-03
    day, next_day = dt.date(2026, 3, 2), dt.date(2026, 3, 3)
    first = eod_report(c.db, day, now=at(2026, 3, 3, 12))
    second = eod_report(c.db, next_day, now=at(2026, 3, 3, 12))
    with c.sql() as conn:
        assert reported(first.figures) == expected_figures(conn, day)
        assert reported(second.figures) == expected_figures(conn, next_day)
        days = conn.execute("SELECT business_day FROM returns ORDER BY created_at").fetchall()
    assert days == [("2026-03-02",), ("2026-03-03",)]
    assert (first.figures.returns, first.figures.refund_fen) == (1, 4000)
    assert (second.figures.returns, second.figures.refund_fen) == (1, 4000)
    assert (first.figures.points["reversal"], second.figures.points["reversal"]) == (-40, -40)
    assert first.figures.net == 50 + 80 - 40
    assert second.figures.net == -40
    assert (first.figures.member_sales, second.figures.member_sales) == (1, 0)
    assert [h.hour for h in first.hours if h.sales or h.points_issued] == [9, 23]
    assert (first.hours[0].hour, first.hours[-1].hour) == (9, 23)


# The day close ----------------------------------------------------------------------
def watermarks(conn: sqlite3.Connection, day: dt.date) -> Marks:
    row = conn.execute(
        "SELECT ledger_upto, sales_upto, returns_upto, members_upto FROM day_closes "
        "WHERE business_day = ?",
        (day.isoformat(),),
    ).fetchone()
    return Marks(*row)


def test_a_sale_after_the_close_is_a_correction_on_the_next_report(supermarket: Counter) -> None:
    c = supermarket
    d, d1, d2 = dt.date(2026, 3, 2), dt.date(2026, 3, 3), dt.date(2026, 3, 4)
    m = c.register(now=at(2026, 3, 2, 9))
    c.sell(m.id, [CartLine("general", 10000)], now=at(2026, 3, 2, 10))
    c.sell(None, [CartLine("general", 2000)], now=at(2026, 3, 2, 11))
    closed = close_day(c.db, actor=c.manager, day=d, now=at(2026, 3, 2, 22))
    assert closed.close is not None and closed.close.staff_code == "2"
    assert (closed.figures.member_sales, closed.figures.net) == (1, 150)
    with c.sql() as conn:
        assert reported(closed.figures) == expected_figures(conn, d)
    # rung up after the close, still business day d (before the 04:00 cutoff)
    late = c.sell(m.id, [CartLine("daily", 3000)], now=at(2026, 3, 2, 23, 30))
    assert late.quote.earn_points == 90
    c.register(name="夜猫子", phone="13900000009", now=at(2026, 3, 3, 1))
    c.sell(m.id, [CartLine("general", 500)], now=at(2026, 3, 3, 9))  # d1 itself
    # d as printed at its close, not as the rows stand now
    reprint = eod_report(c.db, d, now=at(2026, 3, 3, 10))
    assert reprint.reprint
    assert reprint.to_json() == closed.to_json()
    assert reported(reprint.figures) == reported(closed.figures)
    # d1 shows the late rows of d as a correction, with figures of exactly those rows
    report = eod_report(c.db, d1, now=at(2026, 3, 3, 12))
    with c.sql() as conn:
        marks = watermarks(conn, d)
        late_rows = expected_figures(conn, d, after=marks)
        own = expected_figures(conn, d1)
        whole_d = expected_figures(conn, d)
    assert [x.day for x in report.corrections] == [d]
    correction = report.corrections[0].figures
    assert reported(correction) == late_rows
    assert late_rows["member_sales"] == (1, 3000) and late_rows["new_members"] == 1
    assert late_rows["net"] == 90 + 50
    assert report.corrections_net == 140
    assert reported(report.figures) == own  # d1's own rows only
    assert reported(report.figures)["member_sales"] == (1, 500)
    # closed figures + correction == the day's rows as they stand
    assert closed.figures.net + correction.net == whole_d["net"]
    assert closed.figures.member_sales + correction.member_sales == whole_d["member_sales"][0]
    # closing d1 keeps the correction in its snapshot; d2 then has none
    closed1 = close_day(c.db, actor=c.manager, day=d1, now=at(2026, 3, 3, 22))
    assert [x.day for x in closed1.corrections] == [d]
    assert reported(closed1.corrections[0].figures) == late_rows
    assert eod_report(c.db, d2, now=at(2026, 3, 4, 12)).corrections == []
    # recomputing the closed days from their watermarks gives what was kept
    for day, kept in ((d, closed), (d1, closed1)):
        again = recompute_closed(c.db, day)
        assert reported(again.figures) == reported(kept.figures)
        assert again.cashiers == kept.cashiers and again.hours == kept.hours
        assert [(x.day, reported(x.figures)) for x in again.corrections] == [
            (x.day, reported(x.figures)) for x in kept.corrections
        ]
    assert [(day, name) for day, _at, name in closed_days(c.db)] == [(d1, "经理"), (d, "经理")]


def test_closing_a_day_that_had_nothing(supermarket: Counter) -> None:
    report = close_day(
        supermarket.db, actor=supermarket.manager, day=dt.date(2026, 3, 1), now=at(2026, 3, 2, 10)
    )
    assert reported(report.figures)["entries"] == 0 and report.figures.net == 0
    with pytest.raises(NotFound):
        recompute_closed(supermarket.db, dt.date(2026, 2, 28))


def close_refused(c: Counter, actor: StaffSession, day: dt.date, error: type[Exception]) -> str:
    before = c.counts(REPORT_TABLES)
    with pytest.raises(error) as err:
        close_day(c.db, actor=actor, day=day, now=at(2026, 3, 3, 10))
    assert c.counts(REPORT_TABLES) == before
    return str(err.value)


def test_close_rules(supermarket: Counter) -> None:
    c = supermarket
    c.sell(None, [CartLine("general", 1000)], now=at(2026, 3, 2, 10))
    close_refused(c, c.cashier, dt.date(2026, 3, 2), PermissionDenied)
    close_refused(c, c.manager, dt.date(2026, 3, 4), InvalidInput)  # not begun
    close_day(c.db, actor=c.manager, day=dt.date(2026, 3, 2), now=at(2026, 3, 3, 9))
    message = close_refused(c, c.manager, dt.date(2026, 3, 2), Conflict)
    assert "already closed" in message
    close_day(c.db, actor=c.admin, day=dt.date(2026, 3, 3), now=at(2026, 3, 3, 9))
    close_refused(c, c.manager, dt.date(2026, 3, 1), Conflict)  # before the last close
    assert [day for day, _at, _name in closed_days(c.db)] == [
        dt.date(2026, 3, 3),
        dt.date(2026, 3, 2),
    ]
    with c.sql() as conn:
        audits = conn.execute(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'day.close'"
        ).fetchone()[0]
    assert audits == 2


# Bad input --------------------------------------------------------------------------
@pytest.mark.parametrize("day", ["2026-03-02", 20260302, None, at(2026, 3, 2, 10)])
def test_eod_report_wants_a_date(supermarket: Counter, day: object) -> None:
    before = supermarket.counts(REPORT_TABLES)
    with pytest.raises(InvalidInput) as err:
        eod_report(supermarket.db, day, now=at(2026, 3, 2, 12))  # type: ignore[arg-type]
    assert err.value.field == "date"
    with pytest.raises(InvalidInput):
        close_day(supermarket.db, actor=supermarket.manager, day=day, now=at(2026, 3, 2, 12))  # type: ignore[arg-type]
    assert supermarket.counts(REPORT_TABLES) == before


@pytest.mark.parametrize("text", ["", "garbage", "2026-02-30", "2026-13-01", "03/02/2026"])
def test_parse_day_refuses_garbage(text: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_day(text)
    assert err.value.field == "date"
    assert "YYYY-MM-DD" in str(err.value)


def test_parse_day_reads_a_date() -> None:
    assert parse_day(" 2026-03-02 ") == dt.date(2026, 3, 2)


def test_period_and_statement_refuse_bad_ranges(supermarket: Counter) -> None:
    c = supermarket
    m = c.register()
    before = c.counts(REPORT_TABLES)
    now = at(2026, 3, 2, 12)
    with pytest.raises(InvalidInput, match="ends before it starts"):
        period_report(c.db, dt.date(2026, 3, 2), dt.date(2026, 3, 1), now=now)
    with pytest.raises(InvalidInput, match="at most 400 days"):
        period_report(c.db, dt.date(2025, 1, 1), dt.date(2026, 2, 5), now=now)
    assert len(period_report(c.db, dt.date(2025, 1, 27), dt.date(2026, 3, 2), now=now).days) == 400
    with pytest.raises(InvalidInput):
        period_report(c.db, "2026-03-01", dt.date(2026, 3, 2), now=now)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="ends before it starts"):
        member_statement(c.db, m.id, dt.date(2026, 3, 2), dt.date(2026, 3, 1), now=now)
    with pytest.raises(NotFound) as err:
        member_statement(c.db, str(uuid.uuid4()), dt.date(2026, 3, 1), dt.date(2026, 3, 2), now=now)
    assert err.value.field == "member"
    assert c.counts(REPORT_TABLES) == before


# Money and gifts that must reconcile too ----------------------------------------------
def cash_returns_program() -> Program:
    """The supermarket program where spent points are paid back in cash on a return."""
    data = tomllib.loads(bundled_program_text("supermarket"))
    data["returns"]["spent_points"] = "require_cash"
    return program_from_dict(data)


def test_returns_show_the_cash_that_left_the_drawer(
    counter_factory: Callable[..., Counter],
) -> None:
    c = counter_factory(cash_returns_program())
    m = c.register(now=at(2026, 3, 2, 9))
    sale = c.sell(m.id, [CartLine("general", 10000)], now=at(2026, 3, 2, 10))
    assert sale.quote.earn_points == 100
    adjust_points(
        c.db,
        actor=c.manager,
        member_id=m.id,
        points=-150,
        reason="spent at another till",
        now=at(2026, 3, 2, 11),
    )
    done = give_back(c, sale.receipt_no, 1, at(2026, 3, 2, 12))
    # the 100 points already spent are paid for in cash out of the refund
    assert (done.quote.refund_fen, done.quote.cash_for_points_fen) == (10000, 100)
    assert done.quote.net_refund_fen == 9900
    report = eod_report(c.db, dt.date(2026, 3, 2), now=at(2026, 3, 2, 20))
    with c.sql() as conn:
        assert expected_figures(conn, dt.date(2026, 3, 2))["returns"] == (1, 9900)
    assert (report.figures.returns, report.figures.refund_fen) == (1, 9900)


def test_period_gifts_match_the_gift_points_of_the_period(supermarket: Counter) -> None:
    c = supermarket
    m = c.register(now=at(2026, 3, 2, 9))
    c.give(m.id, 2000, now=at(2026, 3, 2, 9))
    import_catalogue(c.db, actor=c.manager, text=GIFTS, now=at(2026, 3, 2, 9))
    bag = redeem_gift(
        c.db, actor=c.cashier, member_id=m.id, gift_code="bag", now=at(2026, 3, 2, 10)
    )
    cancel_redemption(
        c.db,
        actor=c.cashier,
        redemption_no=bag.redemption_no,
        reason="brought it back",
        now=at(2026, 3, 5, 10),
    )
    period = period_report(c.db, dt.date(2026, 3, 1), dt.date(2026, 3, 3), now=at(2026, 3, 6, 9))
    # the period's ledger: one bag for 300 points, given back only after the period
    assert sum(d.redeemed for d in period.days) == 300
    assert [(g.code, g.quantity, g.points) for g in period.gifts] == [("bag", 1, 300)]


def test_hours_follow_local_clock_hours_in_a_half_hour_zone(
    counter_factory: Callable[..., Counter],
) -> None:
    """Asia/Kolkata is UTC+05:30: a local hour spans two UTC hours, so grouping by the UTC
    hour alone would split 10:10 and 10:50 apart (and call them 09 and 10)."""
    data = tomllib.loads(bundled_program_text("supermarket"))
    data["program"]["timezone"] = "Asia/Kolkata"
    kolkata = ZoneInfo("Asia/Kolkata")
    c = counter_factory(program_from_dict(data), dt.datetime(2026, 3, 2, 9, tzinfo=kolkata))
    for minute in (10, 50):
        c.sell(
            None, [CartLine("daily", 1000)], now=dt.datetime(2026, 3, 2, 10, minute, tzinfo=kolkata)
        )
    c.sell(None, [CartLine("daily", 500)], now=dt.datetime(2026, 3, 2, 12, 5, tzinfo=kolkata))
    report = eod_report(c.db, dt.date(2026, 3, 2), now=dt.datetime(2026, 3, 2, 23, tzinfo=kolkata))
    assert [(h.hour, h.sales, h.sales_fen) for h in report.hours] == [
        (10, 2, 2000),
        (11, 0, 0),
        (12, 1, 500),
    ]
