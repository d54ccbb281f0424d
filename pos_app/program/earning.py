"""Points a sale earns: rates, campaigns, caps, one floor per sale."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from pos_app.program.allocation import allocate
from pos_app.program.model import Program
from pos_app.program.schema import Campaign


@dataclass(frozen=True)
class EarnLine:
    category: str
    amount_fen: int
    #: the part of this line paid with points (it earns nothing unless earning.earn_on_offset)
    offset_fen: int = 0


@dataclass(frozen=True)
class LineEarning:
    rate: Fraction
    multiplier: Fraction
    campaign: str | None
    raw: Fraction
    points: int


@dataclass(frozen=True)
class EarnQuote:
    lines: tuple[LineEarning, ...]
    #: exact points before rounding and caps
    raw: Fraction
    #: floor(raw): what the rates give
    uncapped: int
    #: what is actually credited
    total: int
    #: "per_sale" or "per_member_per_day" when a cap cut the total
    capped_by: str | None
    campaigns: tuple[str, ...]

    @property
    def line_points(self) -> tuple[int, ...]:
        return tuple(line.points for line in self.lines)


def active_campaigns(program: Program, now: dt.datetime) -> list[Campaign]:
    """Campaigns running at ``now`` (local calendar date and weekday)."""
    day = program.local(now).date()
    return [
        c
        for c in program.definition.campaigns
        if c.start <= day <= c.end and (not c.weekdays or day.isoweekday() in c.weekdays)
    ]


def _best_campaign(
    campaigns: Sequence[Campaign], category: str, tier_code: str
) -> tuple[Fraction, str | None]:
    """Overlapping campaigns do not stack: the highest multiplier that applies wins."""
    best, code = Fraction(1), None
    for c in campaigns:
        if c.categories and category not in c.categories:
            continue
        if c.tiers and tier_code not in c.tiers:
            continue
        if c.multiplier > best:
            best, code = c.multiplier, c.code
    return best, code


def quote_earning(
    program: Program,
    *,
    tier_code: str | None,
    lines: Sequence[EarnLine],
    now: dt.datetime,
    earned_today: int = 0,
) -> EarnQuote:
    """Points for a sale. ``earned_today`` is what the member already earned from purchases
    this business day (for the daily cap)."""
    tier = program.tier(tier_code).code
    campaigns = active_campaigns(program, now)
    earn_on_offset = program.definition.earning.earn_on_offset
    rows: list[tuple[Fraction, Fraction, str | None, Fraction]] = []
    for line in lines:
        base = line.amount_fen if earn_on_offset else line.amount_fen - line.offset_fen
        if base < 0:
            raise ValueError("a line's offset exceeds its amount")
        rate = program.earn_rate(tier, line.category)
        multiplier, campaign = _best_campaign(campaigns, line.category, tier)
        rows.append((rate, multiplier, campaign, Fraction(base) * rate * multiplier / 100))
    raw = sum((r[3] for r in rows), Fraction(0))
    uncapped = raw.numerator // raw.denominator
    total, capped_by = uncapped, None
    caps = program.definition.caps
    if caps.per_sale is not None and total > caps.per_sale:
        total, capped_by = caps.per_sale, "per_sale"
    if caps.per_member_per_day is not None:
        room = max(caps.per_member_per_day - max(earned_today, 0), 0)
        if total > room:
            total, capped_by = room, "per_member_per_day"
    split = allocate(total, [r[3] for r in rows]) if rows else []
    used = tuple(sorted({r[2] for r in rows if r[2] is not None}))
    return EarnQuote(
        lines=tuple(
            LineEarning(rate=r[0], multiplier=r[1], campaign=r[2], raw=r[3], points=p)
            for r, p in zip(rows, split, strict=True)
        ),
        raw=raw,
        uncapped=uncapped,
        total=total,
        capped_by=capped_by,
        campaigns=used,
    )
