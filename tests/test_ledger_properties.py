"""Property-based tests of the points books (hypothesis), for both bundled programs.

Random sequences of sales, partial and full returns, manual adjustments, activity
credits, expiry runs and time jumps (monotonic, up to ~400 days) are run against a
real SQLite store. After every step the books must be consistent (``check_books``),
every lot must hold between 0 and its points, and negative balances may only come
from return reversals (supermarket, ``allow_negative``) or not at all (hotel,
``require_cash``). Each operation is also checked against an oracle written here from
the program files' rules (rates, campaigns, caps, offsets, pro-rata returns, expiry
dates), so a wrong number fails, not only an inconsistent one.

A fresh store per example comes from ``tests.conftest.make_counter`` (a copy of a
template database; staff log in to each copy as usual).
"""

from __future__ import annotations

import calendar
import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Literal

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, or_, select

from pos_app.db.models import LedgerEntry, LotConsumption, Member, PointsLot, Sale
from pos_app.db.store import StoreDB
from pos_app.errors import InsufficientPoints, InvalidInput
from pos_app.program import bundled_program
from pos_app.services.adjustments import adjust_points, credit_activity
from pos_app.services.auth import StaffSession
from pos_app.services.checkout import (
    CartLine,
    PaymentInput,
    SaleResult,
    commit_checkout,
    quote_checkout,
)
from pos_app.services.doctor import check_books
from pos_app.services.expiry import ExpiryReport, run_expiry
from pos_app.services.members import register_member, view_member
from pos_app.services.returns import ReturnItem, commit_return, quote_return
from tests.conftest import SHANGHAI, Counter, at, make_counter

# The programs' rules, written out from resources/programs/*.toml (an independent oracle) --


@dataclass(frozen=True)
class Campaign:
    start: dt.date
    end: dt.date
    weekdays: tuple[int, ...]
    categories: tuple[str, ...]
    tiers: tuple[str, ...]
    multiplier: Fraction


@dataclass(frozen=True)
class Rules:
    name: str
    categories: tuple[str, ...]
    category_rates: dict[str, Fraction]
    tier_rates: dict[str, Fraction]
    tier_ppy: dict[str, int]
    campaigns: tuple[Campaign, ...]
    max_share: Fraction
    step: int
    min_points: int
    per_sale_cap: int
    per_day_cap: int
    cutoff_hours: int
    activities: dict[str, int]
    allow_negative: bool
    max_days: int

    @property
    def max_multiplier(self) -> Fraction:
        return max(c.multiplier for c in self.campaigns)

    def rate(self, tier: str, category: str) -> Fraction:
        return self.category_rates.get(category, self.tier_rates[tier])

    def multiplier(self, tier: str, category: str, now: dt.datetime) -> Fraction:
        day = now.astimezone(SHANGHAI).date()
        best = Fraction(1)
        for c in self.campaigns:
            if not c.start <= day <= c.end:
                continue
            if c.weekdays and day.isoweekday() not in c.weekdays:
                continue
            if c.categories and category not in c.categories:
                continue
            if c.tiers and tier not in c.tiers:
                continue
            best = max(best, c.multiplier)
        return best

    def business_day(self, now: dt.datetime) -> dt.date:
        return (now.astimezone(SHANGHAI) - dt.timedelta(hours=self.cutoff_hours)).date()

    def lot_expiry(self, earned_at: dt.datetime) -> dt.datetime:
        local = earned_at.astimezone(SHANGHAI)
        if self.name == "supermarket":  # calendar year, grace 1: end of the next year
            return at(local.year + 2, 1, 1)
        year = local.year + 2  # rolling 24 months, clamped to the month's end
        day = min(local.day, calendar.monthrange(year, local.month)[1])
        return local.replace(year=year, day=day)

    def max_offset(self, tier: str, subtotal_fen: int, spendable: int) -> int:
        cap_fen = subtotal_fen * self.max_share
        by_share = (cap_fen.numerator // cap_fen.denominator) * self.tier_ppy[tier] // 100
        points = min(by_share, max(spendable, 0))
        points -= points % self.step
        return points if points >= max(self.min_points, 1) else 0


SUPERMARKET = Rules(
    name="supermarket",
    categories=("electronics", "daily", "fresh", "tobacco", "grocery"),
    category_rates={"electronics": Fraction(5), "daily": Fraction(3), "tobacco": Fraction(0)},
    tier_rates={"normal": Fraction(1), "silver": Fraction(1), "gold": Fraction(1)},
    tier_ppy={"normal": 100, "silver": 100, "gold": 100},
    campaigns=(
        Campaign(dt.date(2026, 10, 1), dt.date(2026, 10, 7), (), (), (), Fraction(2)),
        Campaign(dt.date(2026, 11, 11), dt.date(2026, 11, 11), (), (), (), Fraction(3)),
        Campaign(dt.date(2026, 1, 1), dt.date(2026, 12, 31), (6, 7), ("fresh",), (), Fraction(2)),
    ),
    max_share=Fraction(1, 2),
    step=100,
    min_points=100,
    per_sale_cap=50_000,
    per_day_cap=100_000,
    cutoff_hours=4,
    activities={"checkin-7-days": 50, "review": 20, "store-event": 100},
    allow_negative=True,
    max_days=30,
)

HOTEL = Rules(
    name="hotel",
    categories=("room", "minibar", "dining", "spa"),
    category_rates={"minibar": Fraction(0)},
    tier_rates={
        "normal": Fraction(1, 10),
        "silver": Fraction(1, 8),
        "gold": Fraction(1, 6),
        "diamond": Fraction(1, 5),
    },
    tier_ppy={"normal": 100, "silver": 100, "gold": 80, "diamond": 50},
    campaigns=(
        Campaign(
            dt.date(2026, 12, 1), dt.date(2026, 12, 7), (), (), ("gold", "diamond"), Fraction(3)
        ),
        Campaign(
            dt.date(2026, 1, 1), dt.date(2027, 12, 31), (1, 2, 3, 4), ("room",), (), Fraction(2)
        ),
    ),
    max_share=Fraction(3, 10),
    step=100,
    min_points=1000,
    per_sale_cap=20_000,
    per_day_cap=30_000,
    cutoff_hours=5,
    activities={"survey": 100},
    allow_negative=False,
    max_days=7,
)

RULES = {"supermarket": SUPERMARKET, "hotel": HOTEL}


def floor(x: Fraction) -> int:
    return x.numerator // x.denominator


def pro_rata(amount: int, done: int, part: int, whole: int) -> int:
    return amount * (done + part) // whole - amount * done // whole


def reverse_share(earned: int, done: int, part: int, whole: int) -> int:
    """What the kept goods keep is floored, so the kept part never earns above the rate."""
    return earned * (whole - done) // whole - earned * (whole - done - part) // whole


# A store per example ---------------------------------------------------------------------


@dataclass
class LineModel:
    qty: int
    amount_fen: int
    offset_fen: int
    offset_points: int
    earned_points: int
    returned: int = 0

    @property
    def left(self) -> int:
        return self.qty - self.returned


@dataclass
class SaleModel:
    sale_id: str
    receipt_no: str
    member_id: str
    created_at: dt.datetime
    tier_code: str
    earned: int
    offset_points: int
    total_fen: int
    lines: list[LineModel]
    reversed_sum: int = 0
    short_sum: int = 0
    restored_sum: int = 0
    refund_sum: int = 0

    @property
    def fully_returned(self) -> bool:
        return all(line.left == 0 for line in self.lines)


@dataclass
class Shop:
    rules: Rules
    db: StoreDB
    manager: StaffSession
    cashier: StaffSession
    now: dt.datetime
    members: list[str] = field(default_factory=list)
    sales: list[SaleModel] = field(default_factory=list)
    #: purchase points credited per (member, business day), for the daily cap
    earned_on_day: dict[tuple[str, dt.date], int] = field(default_factory=dict)


#: the stores are set up before any start date drawn below
SET_UP_AT = at(2025, 11, 1, 9, 0)
PROGRAMS = {name: bundled_program(name) for name in RULES}


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ledger-properties")


@contextmanager
def fresh_shop(folder: Path, program: str, start: dt.datetime, members: int) -> Iterator[Shop]:
    path = folder / f"{uuid.uuid4().hex}.sqlite3"
    counter = make_counter(path, PROGRAMS[program], SET_UP_AT)
    try:
        shop = Shop(
            rules=RULES[program],
            db=counter.db,
            manager=counter.manager,
            cashier=counter.cashier,
            now=start,
        )
        for i in range(members):
            reg = register_member(
                counter.db, actor=shop.cashier, name=f"会员{i}", phone=f"1381234567{i}", now=start
            )
            shop.members.append(reg.member.id)
        yield shop
    finally:
        counter.db.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


# Queries -------------------------------------------------------------------------------


def effective(shop: Shop, member_id: str) -> int:
    return view_member(shop.db, member_id, now=shop.now).balance


def cached_balance(shop: Shop, member_id: str) -> int:
    with shop.db.read() as s:
        member = s.get(Member, member_id)
        assert member is not None
        return member.balance


def entry_sum(shop: Shop, **where: str) -> int:
    with shop.db.read() as s:
        q = select(func.coalesce(func.sum(LedgerEntry.points), 0))
        for col, value in where.items():
            q = q.where(getattr(LedgerEntry, col) == value)
        return int(s.scalar(q) or 0)


def ledger_count(shop: Shop) -> int:
    with shop.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(LedgerEntry)) or 0)


def due_by_member(shop: Shop) -> dict[str, int]:
    with shop.db.read() as s:
        rows = s.execute(
            select(PointsLot.member_id, func.sum(PointsLot.remaining))
            .where(PointsLot.remaining > 0, PointsLot.expires_at <= shop.now)
            .group_by(PointsLot.member_id)
        ).all()
        return {member_id: int(total) for member_id, total in rows}


def offset_lot_expired(shop: Shop, sale: SaleModel) -> bool:
    """Whether a lot the sale's offset points came from has expired by now."""
    with shop.db.read() as s:
        expiries = s.scalars(
            select(PointsLot.expires_at)
            .join(LotConsumption, LotConsumption.lot_id == PointsLot.id)
            .join(LedgerEntry, LedgerEntry.id == LotConsumption.entry_id)
            .where(LedgerEntry.sale_id == sale.sale_id, LedgerEntry.kind == "offset")
        ).all()
    return any(e is not None and e <= shop.now for e in expiries)


def check_invariants(shop: Shop) -> None:
    """Properties 1, 2 and 6, after every step."""
    assert check_books(shop.db) == []
    with shop.db.read() as s:
        bad_lots = s.execute(
            select(PointsLot.id, PointsLot.points, PointsLot.remaining).where(
                or_(
                    PointsLot.points <= 0,
                    PointsLot.remaining < 0,
                    PointsLot.remaining > PointsLot.points,
                )
            )
        ).all()
        assert bad_lots == []
        running: dict[str, int] = {}
        for entry in s.scalars(select(LedgerEntry).order_by(LedgerEntry.id)):
            before = running.get(entry.member_id, 0)
            running[entry.member_id] = before + entry.points
            assert entry.balance_after == before + entry.points, entry.kind
            if entry.balance_after < 0:
                # only a return may push a balance below zero, and only where allowed
                assert shop.rules.allow_negative, (entry.kind, entry.balance_after)
                if entry.points < 0:
                    assert entry.kind == "reversal", (entry.kind, before, entry.points)
        # give-backs put offset points only into the lots the sale took them from
        overfilled = s.execute(
            select(LedgerEntry.sale_id, LotConsumption.lot_id, func.sum(LotConsumption.points))
            .join(LedgerEntry, LedgerEntry.id == LotConsumption.entry_id)
            .where(LedgerEntry.kind.in_(("offset", "offset_refund")))
            .group_by(LedgerEntry.sale_id, LotConsumption.lot_id)
            .having(func.sum(LotConsumption.points) < 0)
        ).all()
        assert overfilled == []
        for member in s.scalars(select(Member)):
            assert member.balance == running.get(member.id, 0)
            if not shop.rules.allow_negative:
                assert member.balance >= 0


# Operations ----------------------------------------------------------------------------

#: 1 fen to 5,000 yuan, with small and big tickets both common
PRICES = st.one_of(st.integers(1, 999), st.integers(1, 500_000), st.integers(100_000, 500_000))


def cart_line(rules: Rules, min_qty: int = 1) -> st.SearchStrategy[CartLine]:
    qty = st.one_of(st.integers(min_qty, 4), st.integers(min_qty, 40))
    return st.builds(CartLine, st.sampled_from(rules.categories), PRICES, qty)


def cart_lines(rules: Rules) -> st.SearchStrategy[list[CartLine]]:
    return st.lists(cart_line(rules), min_size=1, max_size=4)


def do_sell(
    shop: Shop, data: st.DataObject, member_id: str, lines: list[CartLine] | None = None
) -> tuple[SaleModel, int]:
    """A sale with a random offset, checked against the oracle; returns it and any
    upgrade bonus it triggered."""
    r = shop.rules
    if lines is None:
        lines = data.draw(cart_lines(r), label="lines")
    view = view_member(shop.db, member_id, now=shop.now)
    tier, before = view.tier_code, view.balance
    subtotal = sum(line.amount_fen for line in lines)
    most = r.max_offset(tier, subtotal, before)
    mode = data.draw(st.sampled_from(["none", "max", "step"]), label="offset mode")
    offset: int | Literal["max"] = 0
    if mode == "max":
        offset = "max"
    elif mode == "step" and most:
        offset = data.draw(st.integers(r.min_points // r.step, most // r.step)) * r.step
    quote = quote_checkout(
        shop.db, member_id=member_id, lines=lines, offset_points=offset, now=shop.now
    )
    assert quote.offset is not None and quote.offset.max_points == most
    sale_id = str(uuid.uuid4())
    payments = [PaymentInput("cash", quote.total_due_fen)] if quote.total_due_fen else []
    result = commit_checkout(
        shop.db,
        actor=shop.cashier,
        sale_id=sale_id,
        member_id=member_id,
        lines=lines,
        offset_points=offset,
        payments=payments,
        now=shop.now,
    )
    used = most if offset == "max" else offset
    ppy = r.tier_ppy[tier]
    with shop.db.read() as s:
        sale = s.get(Sale, sale_id)
        assert sale is not None
        assert (sale.tier_code, sale.offset_points) == (tier, used)
        assert sale.offset_fen == used * 100 // ppy
        assert sale.offset_fen <= floor(subtotal * r.max_share)
        assert sale.total_fen == subtotal - sale.offset_fen
        assert sum(line.offset_fen for line in sale.lines) == sale.offset_fen
        assert sum(line.offset_points for line in sale.lines) == used
        assert sum(line.earned_points for line in sale.lines) == sale.earned_points
        for line in sale.lines:  # offsets spread in proportion to the line amounts
            assert abs(line.offset_fen * subtotal - sale.offset_fen * line.amount_fen) < subtotal
            assert abs(line.offset_points * subtotal - used * line.amount_fen) < subtotal
        # property 4: never above the rate times the best multiplier, exact otherwise
        day_key = (member_id, r.business_day(shop.now))
        earned_today = shop.earned_on_day.get(day_key, 0)
        raw = bound = Fraction(0)
        for line in sale.lines:
            base = Fraction(line.amount_fen - line.offset_fen) * r.rate(tier, line.category) / 100
            raw += base * r.multiplier(tier, line.category, shop.now)
            bound += base * r.max_multiplier
        expected = min(floor(raw), r.per_sale_cap, max(r.per_day_cap - earned_today, 0))
        assert sale.earned_points <= floor(bound)
        assert sale.earned_points == expected
        event(f"sale: campaign={raw > bound / r.max_multiplier}, capped={expected < floor(raw)}")
        model = SaleModel(
            sale_id=sale_id,
            receipt_no=sale.receipt_no,
            member_id=member_id,
            created_at=shop.now,
            tier_code=tier,
            earned=sale.earned_points,
            offset_points=used,
            total_fen=sale.total_fen,
            lines=[
                LineModel(ln.qty, ln.amount_fen, ln.offset_fen, ln.offset_points, ln.earned_points)
                for ln in sale.lines
            ],
        )
        earn_lots = s.scalars(
            select(PointsLot)
            .join(LedgerEntry, LedgerEntry.id == PointsLot.entry_id)
            .where(LedgerEntry.sale_id == sale_id, LedgerEntry.kind == "earn")
        ).all()
        debt = max(0, -before)  # a negative balance is repaid before a lot is formed
        lot_points = model.earned - min(model.earned, debt)
        assert [lot.points for lot in earn_lots] == ([lot_points] if lot_points else [])
        for lot in earn_lots:
            assert lot.expires_at == r.lot_expiry(shop.now)
    bonus = result.tier_change.bonus_points if result.tier_change else 0
    assert entry_sum(shop, sale_id=sale_id) == model.earned - used
    assert result.balance == before - used + model.earned + bonus
    shop.earned_on_day[day_key] = earned_today + model.earned
    shop.sales.append(model)
    return model, bonus


def do_return(shop: Shop, sale: SaleModel, items: list[ReturnItem]) -> None:
    """A return, checked against the pro-rata oracle; updates the sale's model."""
    r = shop.rules
    before = effective(shop, sale.member_id)
    refund = reversed_ = restored = 0
    for item in items:
        line = sale.lines[item.line_no - 1]
        refund += pro_rata(line.amount_fen - line.offset_fen, line.returned, item.qty, line.qty)
        reversed_ += reverse_share(line.earned_points, line.returned, item.qty, line.qty)
        restored += pro_rata(line.offset_points, line.returned, item.qty, line.qty)
    short = 0
    if not r.allow_negative:  # require_cash: points already spent are paid in cash
        short = max(0, reversed_ - (max(before, 0) + restored))
    cash = -(-short * 100 // r.tier_ppy[sale.tier_code])
    # restored points that land in an already expired lot expire with it: they cannot cover
    # the reversal, so the quote's shortfall may be larger than this oracle's
    into_expired = restored > 0 and offset_lot_expired(shop, sale)
    quote = quote_return(shop.db, receipt_no=sale.receipt_no, items=items, now=shop.now)
    result = commit_return(
        shop.db,
        actor=shop.cashier,
        receipt_no=sale.receipt_no,
        items=items,
        now=shop.now,
        approver=shop.manager,
    )
    q = result.quote
    assert q == quote
    assert q.balance_after == result.balance  # what the cashier was shown is what happened
    if into_expired:
        assert (q.refund_fen, q.points_restored) == (refund, restored)
        assert q.points_short >= short
        short = q.points_short
        cash = -(-short * 100 // r.tier_ppy[sale.tier_code])
    assert (q.refund_fen, q.points_restored, q.points_short) == (refund, restored, short)
    assert (q.points_reversed, q.cash_for_points_fen) == (reversed_ - short, cash)
    assert q.net_refund_fen == refund - cash
    assert entry_sum(shop, return_id=result.return_id) == restored - (reversed_ - short)
    if not into_expired:
        assert q.balance_after == before + restored - reversed_ + short
    for item in items:
        sale.lines[item.line_no - 1].returned += item.qty
    sale.refund_sum += refund
    sale.reversed_sum += reversed_ - short
    sale.short_sum += short
    sale.restored_sum += restored
    event(
        f"return: short={short > 0}, negative={result.balance is not None and result.balance < 0}"
    )
    if sale.fully_returned:  # property 5: the parts add up to the whole
        event("return: sale fully returned")
        assert sale.reversed_sum + sale.short_sum == sale.earned
        assert sale.restored_sum == sale.offset_points
        assert sale.refund_sum == sale.total_fen
        if r.allow_negative:
            assert sale.short_sum == 0
            assert entry_sum(shop, sale_id=sale.sale_id, kind="reversal") == -sale.earned


def spend_first(shop: Shop, data: st.DataObject, member_id: str) -> None:
    """Sometimes the member spends points before a return (all of them, or some): the
    return must then go negative (allow_negative) or charge cash (require_cash)."""
    balance = effective(shop, member_id)
    if balance <= 0 or not data.draw(st.booleans(), label="spend first"):
        return
    points = data.draw(st.one_of(st.just(balance), st.integers(1, balance)), label="spent")
    adjust_points(
        shop.db,
        actor=shop.manager,
        member_id=member_id,
        points=-points,
        reason="spent elsewhere",
        now=shop.now,
    )
    check_invariants(shop)


def draw_items(data: st.DataObject, sale: SaleModel, full: bool) -> list[ReturnItem]:
    open_lines = [no for no, line in enumerate(sale.lines, start=1) if line.left]
    if full:
        return [ReturnItem(no, sale.lines[no - 1].left) for no in open_lines]
    chosen = data.draw(
        st.lists(st.sampled_from(open_lines), min_size=1, unique=True), label="return lines"
    )
    return [
        ReturnItem(no, data.draw(st.integers(1, sale.lines[no - 1].left), label="qty"))
        for no in sorted(chosen)
    ]


def op_return(shop: Shop, data: st.DataObject) -> None:
    open_sales = [sale for sale in shop.sales if not sale.fully_returned]
    limit = dt.timedelta(days=shop.rules.max_days)
    recent = [sale for sale in open_sales if shop.now - sale.created_at <= limit]
    if not recent:
        if open_sales:  # too old: refused, nothing written
            sale = data.draw(st.sampled_from(open_sales), label="old sale")
            count = ledger_count(shop)
            with pytest.raises(InvalidInput, match="older than"):
                commit_return(
                    shop.db,
                    actor=shop.cashier,
                    receipt_no=sale.receipt_no,
                    items=[ReturnItem(1, 1)],
                    now=shop.now,
                    approver=shop.manager,
                )
            assert ledger_count(shop) == count
        return
    sale = data.draw(st.sampled_from(recent), label="sale to return")
    items = draw_items(data, sale, data.draw(st.booleans(), label="full return"))
    spend_first(shop, data, sale.member_id)
    do_return(shop, sale, items)


def op_sell_and_return_all(shop: Shop, data: st.DataObject) -> None:
    """Property 3: a full return right after a sale undoes its points exactly."""
    member_id = data.draw(st.sampled_from(shop.members), label="member")
    run_expiry(shop.db, actor=shop.manager, now=shop.now)  # nothing can expire meanwhile
    check_invariants(shop)
    before = cached_balance(shop, member_id)
    sale, bonus = do_sell(shop, data, member_id)
    do_return(shop, sale, draw_items(data, sale, full=True))
    assert sale.fully_returned
    assert entry_sum(shop, sale_id=sale.sale_id) == 0
    assert cached_balance(shop, member_id) == before + bonus


def op_adjust(shop: Shop, data: st.DataObject) -> None:
    member_id = data.draw(st.sampled_from(shop.members), label="member")
    before = effective(shop, member_id)
    kind = data.draw(st.sampled_from(["up", "down", "too-much"]), label="adjustment")
    if kind == "too-much":  # refused and nothing written
        points = -(max(before, 0) + data.draw(st.integers(1, 1000)))
        count = ledger_count(shop)
        with pytest.raises(InsufficientPoints):
            adjust_points(
                shop.db,
                actor=shop.manager,
                member_id=member_id,
                points=points,
                reason="correction test",
                now=shop.now,
            )
        assert ledger_count(shop) == count
        return
    if kind == "down" and before > 0:
        points = -data.draw(st.integers(1, before), label="points down")
    else:
        points = data.draw(st.integers(1, 20_000), label="points up")
    moved = adjust_points(
        shop.db,
        actor=shop.manager,
        member_id=member_id,
        points=points,
        reason="manual correction",
        now=shop.now,
    )
    assert (moved.points, moved.balance) == (points, before + points)


def op_activity(shop: Shop, data: st.DataObject) -> None:
    member_id = data.draw(st.sampled_from(shop.members), label="member")
    activity = data.draw(st.sampled_from(sorted(shop.rules.activities)), label="activity")
    before = effective(shop, member_id)
    moved = credit_activity(
        shop.db,
        actor=shop.cashier,
        member_id=member_id,
        activity=activity,
        reason="joined the activity",
        now=shop.now,
    )
    points = shop.rules.activities[activity]
    assert (moved.points, moved.balance) == (points, before + points)


def op_expiry(shop: Shop, data: st.DataObject) -> None:
    due = due_by_member(shop)
    balances = {m: effective(shop, m) for m in shop.members}
    report = run_expiry(shop.db, actor=shop.manager, now=shop.now)
    assert report == ExpiryReport(len(due), sum(due.values()))
    event(f"expiry: expired points={report.points > 0}")
    assert due_by_member(shop) == {}
    assert {m: effective(shop, m) for m in shop.members} == balances
    # idempotent: a second run at the same moment finds nothing
    assert run_expiry(shop.db, actor=shop.manager, now=shop.now) == ExpiryReport(0, 0)


ADVANCE = st.one_of(
    st.integers(0, 6 * 60),
    st.integers(0, 3 * 24 * 60),
    st.integers(0, 12 * 24 * 60),
    st.integers(200 * 24 * 60, 400 * 24 * 60),
).map(lambda minutes: dt.timedelta(minutes=minutes))


def op_advance(shop: Shop, data: st.DataObject) -> None:
    shop.now += data.draw(ADVANCE, label="advance")


def op_jump_to_expiry(shop: Shop, data: st.DataObject) -> None:
    """Move to the next moment a lot expires: a second before, at it, or a while after."""
    with shop.db.read() as s:
        due = s.scalar(
            select(func.min(PointsLot.expires_at)).where(
                PointsLot.remaining > 0, PointsLot.expires_at > shop.now
            )
        )
    if due is not None:
        offset = data.draw(st.sampled_from([-1, 0, 1, 3600, 86_400 * 5]), label="around expiry")
        shop.now = max(shop.now, (due + dt.timedelta(seconds=offset)).astimezone(SHANGHAI))


def op_sell(shop: Shop, data: st.DataObject) -> None:
    do_sell(shop, data, data.draw(st.sampled_from(shop.members), label="member"))


OPS: dict[str, Callable[[Shop, st.DataObject], None]] = {
    "sell": op_sell,
    "return": op_return,
    "sell+return all": op_sell_and_return_all,
    "adjust": op_adjust,
    "activity": op_activity,
    "expiry": op_expiry,
    "advance": op_advance,
    "jump to expiry": op_jump_to_expiry,
}
WEIGHTED_OPS = [
    *["sell"] * 4,
    *["return"] * 3,
    "sell+return all",
    "adjust",
    "activity",
    "expiry",
    *["advance"] * 3,
    "jump to expiry",
]

STARTS = st.one_of(
    st.sampled_from(
        [
            at(2026, 3, 2, 10),  # a quiet Monday
            at(2026, 9, 30, 23, 30),  # just before National Day
            at(2026, 11, 11, 3, 30),  # 11.11 before the business-day cutoff
            at(2026, 11, 30, 12),  # before the hotel anniversary
            at(2026, 12, 30, 20),  # around the new year
        ]
    ),
    st.datetimes(min_value=dt.datetime(2025, 12, 1), max_value=dt.datetime(2027, 6, 30)).map(
        lambda d: d.replace(second=0, microsecond=0, tzinfo=SHANGHAI)
    ),
)

PROPERTY_SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.parametrize("program", ["supermarket", "hotel"])
@PROPERTY_SETTINGS
@given(data=st.data())
def test_random_operations_keep_the_books(
    store_dir: Path, program: str, data: st.DataObject
) -> None:
    start = data.draw(STARTS, label="start")
    members = data.draw(st.integers(1, 3), label="members")
    with fresh_shop(store_dir, program, start, members) as shop:
        check_invariants(shop)
        for _ in range(data.draw(st.integers(3, 18), label="steps")):
            op = data.draw(st.sampled_from(WEIGHTED_OPS), label="op")
            OPS[op](shop, data)
            check_invariants(shop)


@pytest.mark.parametrize("program", ["supermarket", "hotel"])
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_partial_returns_add_up_to_the_sale(
    store_dir: Path, program: str, data: st.DataObject
) -> None:
    """Property 5: a sale returned in random pieces (with the member spending points in
    between) reverses exactly its earned points and restores exactly its offset."""
    start = data.draw(STARTS, label="start")
    with fresh_shop(store_dir, program, start, 1) as shop:
        member_id = shop.members[0]
        top_up = data.draw(st.integers(0, 60_000), label="top-up")
        if top_up:
            adjust_points(
                shop.db,
                actor=shop.manager,
                member_id=member_id,
                points=top_up,
                reason="opening balance",
                now=shop.now,
            )
        # at least two units, so the sale can be returned in several pieces
        first = data.draw(cart_line(shop.rules, min_qty=2), label="first line")
        lines = [first, *data.draw(st.lists(cart_line(shop.rules), max_size=3), label="lines")]
        sale, _ = do_sell(shop, data, member_id, lines)
        last_day = sale.created_at + dt.timedelta(days=shop.rules.max_days)
        rounds = 0
        while not sale.fully_returned:
            later = shop.now + dt.timedelta(minutes=data.draw(st.integers(0, 24 * 60)))
            shop.now = min(later, last_day)  # stay inside the return window
            spend_first(shop, data, member_id)
            rounds += 1
            do_return(shop, sale, draw_items(data, sale, full=rounds >= 6))
            check_invariants(shop)
        assert sale.reversed_sum + sale.short_sum == sale.earned
        assert sale.restored_sum == sale.offset_points


# Deterministic regressions ---------------------------------------------------------------

Factory = Callable[..., Counter]


def _sell(
    counter: Counter,
    member_id: str,
    lines: list[CartLine],
    *,
    offset: int = 0,
    now: dt.datetime,
    sale_id: str | None = None,
) -> SaleResult:
    quote = quote_checkout(
        counter.db, member_id=member_id, lines=lines, offset_points=offset, now=now
    )
    payments = [PaymentInput("cash", quote.total_due_fen)] if quote.total_due_fen else []
    return commit_checkout(
        counter.db,
        actor=counter.cashier,
        sale_id=sale_id or str(uuid.uuid4()),
        member_id=member_id,
        lines=lines,
        offset_points=offset,
        payments=payments,
        now=now,
    )


@pytest.mark.parametrize(
    ("program", "earned_at", "later", "category"),
    [
        ("supermarket", at(2026, 3, 2, 10), at(2028, 1, 1, 0, 0), "grocery"),
        ("hotel", at(2026, 3, 2, 10), at(2028, 3, 2, 10), "dining"),
    ],
)
def test_expiry_run_twice_at_the_same_moment_expires_nothing_the_second_time(
    counter_factory: Factory,
    program: str,
    earned_at: dt.datetime,
    later: dt.datetime,
    category: str,
) -> None:
    c = counter_factory(program, now=earned_at)
    member = c.register(now=earned_at)
    sale = _sell(c, member.id, [CartLine(category, 12_345, 2)], now=earned_at)
    signup = 50 if program == "supermarket" else 200
    earned = 246 if program == "supermarket" else 24
    assert sale.quote.earn_points == earned
    just_before = later - dt.timedelta(seconds=1)
    assert run_expiry(c.db, actor=c.manager, now=just_before) == ExpiryReport(0, 0)
    assert run_expiry(c.db, actor=c.manager, now=later) == ExpiryReport(1, signup + earned)
    count = c.count("ledger_entries")
    assert run_expiry(c.db, actor=c.manager, now=later) == ExpiryReport(0, 0)
    assert c.count("ledger_entries") == count
    assert view_member(c.db, member.id, now=later).balance == 0
    assert check_books(c.db) == []


@pytest.mark.parametrize("program", ["supermarket", "hotel"])
def test_a_retried_checkout_does_not_double_the_points(
    counter_factory: Factory, program: str
) -> None:
    now = at(2026, 3, 2, 10)
    c = counter_factory(program, now=now)
    member = c.register(now=now)
    adjust_points(
        c.db, actor=c.manager, member_id=member.id, points=5_000, reason="opening", now=now
    )
    lines = [CartLine("dining" if program == "hotel" else "daily", 50_000, 1)]
    sale_id = str(uuid.uuid4())
    first = _sell(c, member.id, lines, offset=1_000, now=now, sale_id=sale_id)
    count = c.count("ledger_entries")
    again = _sell(
        c, member.id, lines, offset=1_000, now=now + dt.timedelta(minutes=1), sale_id=sale_id
    )
    signup = 50 if program == "supermarket" else 200
    earned = 1_470 if program == "supermarket" else 49  # (500 - 10) yuan x 3 / x 1/10
    assert first.quote.earn_points == earned
    assert (again.replayed, again.receipt_no) == (True, first.receipt_no)
    assert again.quote.earn_points == earned
    assert c.count("ledger_entries") == count
    assert first.balance == again.balance == signup + 5_000 - 1_000 + earned
    with c.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Sale)) == 1
    assert check_books(c.db) == []


def test_hotel_return_charges_spent_points_in_cash_at_the_sale_tier_rate(
    counter_factory: Factory,
) -> None:
    """require_cash: earned points already spent are charged at the sale tier's offset
    rate (gold: 80 points a yuan), rounded up, and the balance never goes negative."""
    now = at(2026, 3, 2, 10)  # a Monday: room nights earn double
    c = counter_factory("hotel", now=now)
    member = c.register(now=now)
    first = _sell(c, member.id, [CartLine("room", 1_000_000, 1)], now=now)
    assert first.tier_change is not None
    assert (first.tier_change.new_tier, first.tier_change.bonus_points) == ("gold", 15_000)
    assert first.balance == 200 + 2_000 + 15_000
    second = _sell(c, member.id, [CartLine("dining", 100_300, 1)], now=now)
    assert second.quote.earn_points == 167  # 1,003 yuan at 1/6 a yuan, floored
    adjust_points(
        c.db,
        actor=c.manager,
        member_id=member.id,
        points=-17_367,
        reason="spent elsewhere",
        now=now,
    )
    result = commit_return(
        c.db,
        actor=c.cashier,
        receipt_no=second.receipt_no,
        items=[ReturnItem(1, 1)],
        now=now,
        approver=c.manager,
    )
    q = result.quote
    assert (q.points_reversed, q.points_short, q.cash_for_points_fen) == (0, 167, 209)
    assert q.net_refund_fen == 100_300 - 209
    assert result.balance == 0
    assert check_books(c.db) == []


def _sale_paid_with_points_that_expire_before_the_return(
    counter_factory: Factory, program: str
) -> tuple[Counter, str, str, dt.datetime]:
    """A member pays with points that expire a few days later, spends what the sale
    earned, and brings the goods back after the expiry, within the return window."""
    t0 = at(2026, 3, 2, 10)
    sale_at, return_at = (
        (at(2027, 12, 29, 10), at(2028, 1, 3, 10))  # lots of 2026 expire on 1 Jan 2028
        if program == "supermarket"
        else (at(2028, 2, 28, 10), at(2028, 3, 4, 10))  # lots of 2 Mar 2026 expire 2 Mar 2028
    )
    c = counter_factory(program, now=t0)
    member = c.register(now=t0)
    adjust_points(
        c.db, actor=c.manager, member_id=member.id, points=2_000, reason="opening balance", now=t0
    )
    category = "dining" if program == "hotel" else "grocery"
    sale = _sell(c, member.id, [CartLine(category, 100_000, 1)], offset=2_000, now=sale_at)
    left = view_member(c.db, member.id, now=sale_at).balance
    adjust_points(
        c.db,
        actor=c.manager,
        member_id=member.id,
        points=-left,
        reason="spent elsewhere",
        now=sale_at,
    )
    return c, member.id, sale.receipt_no, return_at


def test_hotel_return_after_the_offset_points_expired(counter_factory: Factory) -> None:
    c, member_id, receipt_no, when = _sale_paid_with_points_that_expire_before_the_return(
        counter_factory, "hotel"
    )
    items = [ReturnItem(1, 1)]
    quote = quote_return(c.db, receipt_no=receipt_no, items=items, now=when)
    # the 2,000 offset points go back into their lot, which has expired: the 98 earned
    # points cannot be taken from them, so they are charged in cash
    assert (quote.points_restored, quote.points_reversed, quote.points_short) == (2_000, 0, 98)
    result = commit_return(
        c.db, actor=c.cashier, receipt_no=receipt_no, items=items, now=when, approver=c.manager
    )
    # the restored points expired with their lot: the 98 earned points are paid in cash
    assert result.quote.points_short == 98
    assert result.quote.cash_for_points_fen == 98
    assert view_member(c.db, member_id, now=when).balance == 0
    assert check_books(c.db) == []


def test_supermarket_return_quote_matches_the_balance_after_expired_offset(
    counter_factory: Factory,
) -> None:
    c, member_id, receipt_no, when = _sale_paid_with_points_that_expire_before_the_return(
        counter_factory, "supermarket"
    )
    items = [ReturnItem(1, 1)]
    quote = quote_return(c.db, receipt_no=receipt_no, items=items, now=when)
    result = commit_return(
        c.db, actor=c.cashier, receipt_no=receipt_no, items=items, now=when, approver=c.manager
    )
    assert check_books(c.db) == []  # the books stay consistent either way
    assert result.balance == view_member(c.db, member_id, now=when).balance
    assert quote.balance_after == result.balance
