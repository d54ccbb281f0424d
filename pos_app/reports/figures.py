"""What happened to points and sales in a set of rows: the arithmetic every report shares.

A report asks :func:`collect` for the rows of one business day (or of the late
rows that correct a closed day) and gets a :class:`Figures`. Points keep the
ledger's signs: what members received is positive, what they gave up negative,
so ``net`` is simply the sum of every entry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from typing import Any

from pos_app.db.raw import Tx

#: where issued points came from, in report order
ISSUED = (
    "purchases",
    "campaign_extra",
    "signup_bonus",
    "referral_bonus",
    "upgrade_bonus",
    "activity_bonus",
    "adjustment_in",
    "transfer_in",
)
#: points members used, and what returns and cancellations gave back
REDEEMED = ("offset", "offset_returned", "gift", "gift_returned")
#: points taken back: returns, expiry, manual deductions, transfers out
TAKEN = ("reversal", "expiry", "adjustment_out", "transfer_out")
SOURCES = ISSUED + REDEEMED + TAKEN

_BY_KIND = {
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


def source_of(kind: str, points: int) -> str:
    """The report line a ledger entry belongs to (``earn`` is split by the caller)."""
    if kind == "earn":
        return "purchases"
    if kind == "adjustment":
        return "adjustment_in" if points > 0 else "adjustment_out"
    if kind == "transfer":
        return "transfer_in" if points > 0 else "transfer_out"
    return _BY_KIND[kind]


@lru_cache(maxsize=256)
def _ratio(multiplier: str) -> tuple[int, int]:
    m = Fraction(multiplier)
    return m.numerator, m.denominator


def campaign_extra(earned_points: int, multiplier: str) -> int:
    """The part of a line's points that a campaign multiplier added (the rest is the base):
    ``points - floor(points / multiplier)``."""
    num, den = _ratio(multiplier)
    if num <= den or earned_points <= 0:
        return 0
    return earned_points - earned_points * den // num


@dataclass
class GiftCount:
    code: str
    name: str
    name_en: str
    quantity: int = 0
    points: int = 0
    cash_fen: int = 0


@dataclass
class Figures:
    """Points by source, sales and returns, over one set of rows."""

    points: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SOURCES, 0))
    #: cash value of the points used as offsets (what the bills were reduced by)
    offset_fen: int = 0
    gifts: list[GiftCount] = field(default_factory=list)
    member_sales: int = 0
    member_sales_fen: int = 0
    other_sales: int = 0
    other_sales_fen: int = 0
    returns: int = 0
    #: money that left the drawer for returns (refunds less cash charged for spent points)
    refund_fen: int = 0
    new_members: int = 0
    entries: int = 0

    @property
    def issued(self) -> int:
        return sum(self.points[k] for k in ISSUED)

    @property
    def redeemed(self) -> int:
        """Points used net of what returns and cancellations gave back (a positive number)."""
        return -sum(self.points[k] for k in REDEEMED)

    @property
    def taken(self) -> int:
        return -sum(self.points[k] for k in TAKEN)

    @property
    def net(self) -> int:
        return sum(self.points.values())

    @property
    def empty(self) -> bool:
        return not (self.entries or self.member_sales or self.other_sales or self.returns) and (
            not self.new_members
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "points": dict(self.points),
            "offset_fen": self.offset_fen,
            "gifts": [vars(g).copy() for g in self.gifts],
            "member_sales": self.member_sales,
            "member_sales_fen": self.member_sales_fen,
            "other_sales": self.other_sales,
            "other_sales_fen": self.other_sales_fen,
            "returns": self.returns,
            "refund_fen": self.refund_fen,
            "new_members": self.new_members,
            "entries": self.entries,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Figures:
        values = dict(data)
        values["points"] = {**dict.fromkeys(SOURCES, 0), **values["points"]}
        values["gifts"] = [GiftCount(**g) for g in values["gifts"]]
        return cls(**values)


@dataclass(frozen=True)
class RowRange:
    """Which rows a set of figures covers: a business day, and a window of row ids per table.

    ``after`` excludes rows already reported (a closed day's own report); ``upto``
    excludes rows written after a later close. ``None`` means no bound.
    """

    day: dt.date
    start: dt.datetime
    end: dt.datetime
    after: dict[str, int] | None = None
    upto: dict[str, int] | None = None

    def clause(self, table: str, column: str) -> tuple[str, list[int]]:
        sql, params = "", []
        if self.after is not None:
            sql += f" AND {column} > ?"
            params.append(self.after[table])
        if self.upto is not None:
            sql += f" AND {column} <= ?"
            params.append(self.upto[table])
        return sql, params


def _utc_text(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def collect(tx: Tx, store_code: str, rows: RowRange, *, yuan_points: int) -> Figures:
    """Figures for the rows in ``rows``. ``yuan_points`` values an offset that has no sale
    row here (made on another till of the store and received from HQ)."""
    f = Figures()
    day = rows.day.isoformat()
    extra_by_sale: dict[str, int] = {}
    where, params = rows.clause("sales", "s.rowid")
    for sale_id, earned, multiplier in tx.rows(
        "SELECT l.sale_id, l.earned_points, l.multiplier FROM sale_lines l "
        "JOIN sales s ON s.id = l.sale_id "
        f"WHERE s.business_day = ? AND s.store_code = ? AND l.multiplier <> '1'{where}",
        (day, store_code, *params),
    ):
        extra = campaign_extra(earned, multiplier)
        if extra:
            extra_by_sale[sale_id] = extra_by_sale.get(sale_id, 0) + extra
    offset_fen_by_sale = {}
    for sale_id, member_id, total, offset_fen in tx.rows(
        "SELECT s.id, s.member_id, s.total_fen, s.offset_fen FROM sales s "
        f"WHERE s.business_day = ? AND s.store_code = ?{where}",
        (day, store_code, *params),
    ):
        offset_fen_by_sale[sale_id] = offset_fen
        if member_id is None:
            f.other_sales += 1
            f.other_sales_fen += total
        else:
            f.member_sales += 1
            f.member_sales_fen += total
    where, params = rows.clause("returns", "r.rowid")
    count, refund = tx.row(
        "SELECT COUNT(*), COALESCE(SUM(r.refund_fen - r.cash_for_points_fen), 0) FROM returns r "
        "JOIN sales s ON s.id = r.sale_id "
        f"WHERE r.business_day = ? AND s.store_code = ?{where}",
        (day, store_code, *params),
    )
    f.returns, f.refund_fen = count, refund
    gifts: dict[str, GiftCount] = {}
    where, params = rows.clause("ledger", "e.id")
    for kind, points, sale_id, gift_code, name, name_en, cash in tx.rows(
        "SELECT e.kind, e.points, e.sale_id, g.code, g.name, g.name_en, "
        "       r.cash_fen "
        "FROM ledger_entries e "
        "LEFT JOIN gift_redemptions r ON r.id = e.redemption_id "
        "     AND e.kind IN ('gift_redemption', 'gift_refund') "
        "LEFT JOIN gifts g ON g.id = r.gift_id "
        f"WHERE e.business_day = ? AND e.store_code = ?{where}",
        (day, store_code, *params),
    ):
        f.entries += 1
        if kind == "earn":
            extra = min(extra_by_sale.pop(sale_id, 0), points) if points > 0 else 0
            f.points["campaign_extra"] += extra
            f.points["purchases"] += points - extra
            continue
        f.points[source_of(kind, points)] += points
        if kind == "offset":
            known = offset_fen_by_sale.get(sale_id) if sale_id else None
            f.offset_fen += known if known is not None else -points * 100 // yuan_points
        elif kind in ("gift_redemption", "gift_refund"):
            # a cancelled redemption gives its unit, points and cash back
            sign = 1 if kind == "gift_redemption" else -1
            key = gift_code or "?"
            line = gifts.setdefault(key, GiftCount(key, name or "?", name_en or name or "?"))
            line.quantity += sign
            line.points -= points
            line.cash_fen += sign * (cash or 0)
    f.gifts = sorted(gifts.values(), key=lambda g: (-g.quantity, g.code))
    where, params = rows.clause("members", "rowid")
    f.new_members = tx.value(
        "SELECT COUNT(*) FROM members WHERE home_store = ? AND created_at >= ? "
        f"AND created_at < ?{where}",
        (store_code, _utc_text(rows.start), _utc_text(rows.end), *params),
    )
    return f
