"""The period report (points liability and redemption trends over a date range) and the
member statement (one member's points history over a period, printed on request)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from pos_app.db.raw import from_db, read_tx
from pos_app.db.store import StoreDB
from pos_app.errors import InvalidInput, NotFound
from pos_app.phone import mask_name, mask_phone
from pos_app.reports.eod import check_day, store_of
from pos_app.reports.figures import ISSUED, REDEEMED, source_of
from pos_app.reports.labels import label, moment
from pos_app.reports.sections import Fen, Section
from pos_app.services.context import active_program

MAX_DAYS = 400
MAX_STATEMENT_ROWS = 5000


@dataclass
class DayLine:
    day: dt.date
    sales: int = 0
    sales_fen: int = 0
    issued: int = 0
    redeemed: int = 0
    offset_fen: int = 0
    taken: int = 0
    net: int = 0
    #: points held by all members at the end of the day (ledger sum)
    outstanding: int = 0


@dataclass
class GiftTrend:
    code: str
    name: str
    name_en: str
    quantity: int = 0
    points: int = 0


@dataclass
class PeriodReport:
    store_code: str
    store_name: str
    first: dt.date
    last: dt.date
    generated_at: dt.datetime
    opening_outstanding: int
    days: list[DayLine]
    gifts: list[GiftTrend] = field(default_factory=list)
    yuan_points: int = 100

    @property
    def closing_outstanding(self) -> int:
        return self.days[-1].outstanding if self.days else self.opening_outstanding


def _check_range(first: object, last: object) -> tuple[dt.date, dt.date]:
    first, last = check_day(first), check_day(last)
    if last < first:
        raise InvalidInput("the period ends before it starts", field="to")
    if (last - first).days + 1 > MAX_DAYS:
        raise InvalidInput(f"a period is at most {MAX_DAYS} days", field="to")
    return first, last


def period_report(db: StoreDB, first: dt.date, last: dt.date, *, now: dt.datetime) -> PeriodReport:
    first, last = _check_range(first, last)
    with read_tx(db.engine) as tx:
        program = active_program(db, tx)
        store_code, store_name = store_of(tx)
        yuan_points = program.offset_points_per_yuan(program.base_tier.code)
        days = {
            first + dt.timedelta(days=i): DayLine(first + dt.timedelta(days=i))
            for i in range((last - first).days + 1)
        }
        span = (first.isoformat(), last.isoformat())
        for day, count, total in tx.rows(
            "SELECT business_day, COUNT(*), SUM(total_fen) FROM sales WHERE business_day "
            "BETWEEN ? AND ? AND store_code = ? GROUP BY business_day",
            (*span, store_code),
        ):
            line = days[dt.date.fromisoformat(day)]
            line.sales, line.sales_fen = count, total
        for day, kind, sign, points in tx.rows(
            "SELECT business_day, kind, points > 0, SUM(points) FROM ledger_entries "
            "WHERE business_day BETWEEN ? AND ? AND store_code = ? "
            "GROUP BY business_day, kind, points > 0",
            (*span, store_code),
        ):
            line = days[dt.date.fromisoformat(day)]
            source = source_of(kind, 1 if sign else -1)
            line.net += points
            if source in ISSUED:
                line.issued += points
            elif source in REDEEMED:
                line.redeemed -= points
            else:
                line.taken -= points
        for day, offset_fen in tx.rows(
            "SELECT business_day, SUM(offset_fen) FROM sales WHERE business_day BETWEEN ? AND ? "
            "AND store_code = ? AND offset_fen > 0 GROUP BY business_day",
            (*span, store_code),
        ):
            days[dt.date.fromisoformat(day)].offset_fen = offset_fen
        opening = tx.value(
            "SELECT COALESCE(SUM(points), 0) FROM ledger_entries WHERE business_day < ?",
            (first.isoformat(),),
        )
        running = opening
        moves = dict(
            tx.rows(
                "SELECT business_day, SUM(points) FROM ledger_entries "
                "WHERE business_day BETWEEN ? AND ? GROUP BY business_day",
                span,
            )
        )
        for day, line in sorted(days.items()):
            running += moves.get(day.isoformat(), 0)
            line.outstanding = running
        gifts: dict[str, GiftTrend] = {}
        # from the ledger, like the end-of-day report: a cancellation counts in its own period
        for code, name, name_en, kind, points in tx.rows(
            "SELECT g.code, g.name, g.name_en, e.kind, e.points FROM ledger_entries e "
            "JOIN gift_redemptions r ON r.id = e.redemption_id JOIN gifts g ON g.id = r.gift_id "
            "WHERE e.business_day BETWEEN ? AND ? AND e.store_code = ? "
            "AND e.kind IN ('gift_redemption', 'gift_refund')",
            (*span, store_code),
        ):
            trend = gifts.setdefault(code, GiftTrend(code, name, name_en or name))
            trend.quantity += 1 if kind == "gift_redemption" else -1
            trend.points -= points
    return PeriodReport(
        store_code,
        store_name,
        first,
        last,
        now,
        opening,
        [days[d] for d in sorted(days)],
        sorted(gifts.values(), key=lambda g: (-g.quantity, g.code)),
        yuan_points,
    )


def period_sections(report: PeriodReport, language: str) -> list[Section]:
    lab = lambda key: label(key, language)  # noqa: E731
    d = report.days
    totals = (
        lab("total"),
        sum(x.sales for x in d),
        Fen(sum(x.sales_fen for x in d)),
        sum(x.issued for x in d),
        sum(x.redeemed for x in d),
        Fen(sum(x.offset_fen for x in d)),
        sum(x.taken for x in d),
        sum(x.net for x in d),
        report.closing_outstanding,
    )
    return [
        Section(
            "summary",
            lab("summary"),
            ("", lab("points")),
            (
                (lab("opening"), report.opening_outstanding),
                (lab("points_issued"), totals[3]),
                (lab("points_redeemed"), totals[4]),
                (lab("points_taken"), totals[6]),
                (lab("closing"), report.closing_outstanding),
                (
                    lab("liability_value"),
                    Fen(max(report.closing_outstanding, 0) * 100 // report.yuan_points),
                ),
            ),
        ),
        Section(
            "days",
            lab("period_title"),
            (
                lab("day"),
                lab("sales"),
                lab("amount"),
                lab("points_issued"),
                lab("points_redeemed"),
                lab("offset_value"),
                lab("points_taken"),
                lab("net_change"),
                lab("outstanding"),
            ),
            (
                *(
                    (
                        x.day,
                        x.sales,
                        Fen(x.sales_fen),
                        x.issued,
                        x.redeemed,
                        Fen(x.offset_fen),
                        x.taken,
                        x.net,
                        x.outstanding,
                    )
                    for x in d
                ),
                totals,
            ),
            chart_column=4,
        ),
        Section(
            "gifts",
            lab("sec_gifts"),
            (lab("gift_name"), lab("quantity"), lab("points")),
            tuple(
                (g.name if language == "zh_CN" else g.name_en, g.quantity, g.points)
                for g in report.gifts
            ),
        ),
    ]


# -- member statement ------------------------------------------------------------------
@dataclass(frozen=True)
class StatementLine:
    created_at: dt.datetime
    kind: str
    points: int
    balance_after: int
    reason: str
    receipt_no: str | None


@dataclass
class Statement:
    member_id: str
    name: str
    phone: str
    tier_code: str
    first: dt.date
    last: dt.date
    opening: int
    lines: list[StatementLine]
    generated_at: dt.datetime

    @property
    def closing(self) -> int:
        return self.opening + sum(line.points for line in self.lines)


def member_statement(
    db: StoreDB, member_id: str, first: dt.date, last: dt.date, *, now: dt.datetime
) -> Statement:
    """The member's entries from ``first`` to ``last`` (business days), with the balance
    before and after. Name and phone come masked: the slip is handed over the counter."""
    first, last = _check_range(first, last)
    with read_tx(db.engine) as tx:
        row = tx.row("SELECT name, phone, tier_code FROM members WHERE id = ?", (member_id,))
        if row is None:
            raise NotFound("no such member", field="member")
        opening = tx.value(
            "SELECT COALESCE(SUM(points), 0) FROM ledger_entries "
            "WHERE member_id = ? AND business_day < ?",
            (member_id, first.isoformat()),
        )
        rows = tx.rows(
            "SELECT e.created_at, e.kind, e.points, e.balance_after, e.reason, "
            "       COALESCE(r.return_no, s.receipt_no, g.redemption_no) "
            "FROM ledger_entries e LEFT JOIN sales s ON s.id = e.sale_id "
            "LEFT JOIN returns r ON r.id = e.return_id "
            "LEFT JOIN gift_redemptions g ON g.id = e.redemption_id "
            "WHERE e.member_id = ? AND e.business_day BETWEEN ? AND ? ORDER BY e.id LIMIT ?",
            (member_id, first.isoformat(), last.isoformat(), MAX_STATEMENT_ROWS),
        )
    lines = []
    for at, kind, points, after, reason, number in rows:
        moment_ = from_db(at)
        assert moment_ is not None
        lines.append(StatementLine(moment_, kind, points, after, reason, number))
    name, phone, tier = row
    return Statement(
        member_id,
        mask_name(name),
        mask_phone(phone) if phone else "",
        tier,
        first,
        last,
        opening,
        lines,
        now,
    )


def statement_sections(st: Statement, language: str, zone: dt.tzinfo) -> list[Section]:
    lab = lambda key: label(key, language)  # noqa: E731
    return [
        Section(
            "summary",
            lab("summary"),
            ("", lab("points")),
            (
                (lab("member"), f"{st.name} {st.phone}".strip()),
                (lab("opening"), st.opening),
                (lab("closing"), st.closing),
            ),
        ),
        Section(
            "lines",
            lab("statement_title"),
            (lab("time"), lab("kind"), lab("reason"), lab("points"), lab("balance")),
            tuple(
                (
                    moment(line.created_at, zone, language),
                    kind_label(line.kind, language),
                    line.receipt_no or line.reason,
                    line.points,
                    line.balance_after,
                )
                for line in st.lines
            ),
        ),
    ]


_KINDS = {
    "earn": ("消费积分", "Purchase"),
    "signup_bonus": ("注册奖励", "Sign-up bonus"),
    "referral_bonus": ("推荐奖励", "Referral bonus"),
    "upgrade_bonus": ("升级奖励", "Upgrade bonus"),
    "activity_bonus": ("活动奖励", "Activity bonus"),
    "offset": ("积分抵现", "Points used on a bill"),
    "offset_refund": ("退货退回积分", "Points given back (return)"),
    "reversal": ("退货扣回", "Points taken back (return)"),
    "gift_redemption": ("兑换礼品", "Gift"),
    "gift_refund": ("取消兑换", "Gift cancelled"),
    "expiry": ("积分过期", "Points expired"),
    "adjustment": ("人工调整", "Adjustment"),
    "transfer": ("积分转移", "Transfer"),
}


def kind_label(kind: str, language: str) -> str:
    zh, en = _KINDS.get(kind, (kind, kind))
    return zh if language == "zh_CN" else en
