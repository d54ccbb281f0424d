"""When a lot of points expires, by the program's policy."""

from __future__ import annotations

import calendar
import datetime as dt

from pos_app.program.model import Program
from pos_app.program.schema import ExpiryPolicy


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day ``months`` later, clamped to the month's end (31 Jan + 1 -> 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def lot_expiry(program: Program, earned_at: dt.datetime) -> dt.datetime | None:
    """The moment a lot earned at ``earned_at`` expires (it is expired at and after it)."""
    rules = program.definition.expiry
    local = program.local(earned_at)
    if rules.policy is ExpiryPolicy.NEVER:
        return None
    if rules.policy is ExpiryPolicy.CALENDAR_YEAR:
        return dt.datetime(local.year + rules.grace_years + 1, 1, 1, tzinfo=program.zone)
    day = add_months(local.date(), rules.months)
    return dt.datetime.combine(day, local.time(), tzinfo=program.zone)
