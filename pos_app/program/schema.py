"""The points program definition: one validated structure for every rule.

A standalone store loads it from TOML; HQ distributes the same structure as
JSON. Field names in error messages are the dotted paths of this schema, so
``tiers[2].upgrade_bonus`` tells the author exactly what to fix.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from fractions import Fraction
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from pos_app.program.rates import Rate, YuanAsFen

Code = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z0-9][a-z0-9_\-]*$")]
Points = Annotated[int, Field(ge=0, le=100_000_000, strict=True)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProgramInfo(_Strict):
    code: Code
    name: str = Field(min_length=1)
    name_en: str = ""
    version: int = Field(ge=1, strict=True)
    timezone: str = "Asia/Shanghai"
    #: business days start at this local time (sales after midnight belong to the previous day)
    business_day_cutoff: dt.time = dt.time(4, 0)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value


class Earning(_Strict):
    #: base earn rate in points per yuan: "1/10" = 1 point per 10 yuan, "10" = 10 points per yuan
    points_per_yuan: Rate
    #: per-category rates (points per yuan); they override the base and tier rates
    category_rates: dict[Code, Rate] = {}
    #: whether the part of a bill paid with points earns points too
    earn_on_offset: bool = False
    #: the one rounding rule, applied once per sale
    rounding: Literal["floor"] = "floor"

    @field_validator("points_per_yuan")
    @classmethod
    def _non_negative(cls, value: Fraction) -> Fraction:
        if value < 0 or value > 1000:
            raise ValueError("an earn rate must be between 0 and 1000 points per yuan")
        return value

    @field_validator("category_rates")
    @classmethod
    def _rates_non_negative(cls, value: dict[str, Fraction]) -> dict[str, Fraction]:
        for code, rate in value.items():
            if rate < 0 or rate > 1000:
                raise ValueError(f"rate for {code!r} must be between 0 and 1000 points per yuan")
        return value


class Tier(_Strict):
    code: Code
    name: str = Field(min_length=1)
    name_en: str = ""
    #: qualifying spend (in yuan) within the tier window that reaches this tier
    qualify_spend: YuanAsFen = 0
    #: one-time points granted when a member first reaches this tier
    upgrade_bonus: Points = 0
    #: earn rate for this tier (points per yuan); falls back to earning.points_per_yuan
    points_per_yuan: Rate | None = None
    #: offset rate for this tier; falls back to offset.points_per_yuan
    offset_points_per_yuan: int | None = Field(default=None, ge=1, le=100_000, strict=True)

    @field_validator("points_per_yuan")
    @classmethod
    def _rate_range(cls, value: Fraction | None) -> Fraction | None:
        if value is not None and not 0 <= value <= 1000:
            raise ValueError("an earn rate must be between 0 and 1000 points per yuan")
        return value


class TierWindow(StrEnum):
    LIFETIME = "lifetime"
    CALENDAR_YEAR = "calendar_year"
    ROLLING_MONTHS = "rolling_months"


class Downgrade(StrEnum):
    #: a tier once reached is kept
    NEVER = "never"
    #: at a tier review, members drop to the tier their spend in the window qualifies for
    REQUALIFY = "requalify"


class TierPolicy(_Strict):
    window: TierWindow = TierWindow.LIFETIME
    window_months: int = Field(default=12, ge=1, le=120, strict=True)
    downgrade: Downgrade = Downgrade.NEVER


class Campaign(_Strict):
    code: Code
    name: str = Field(min_length=1)
    start: dt.date
    end: dt.date
    #: ISO weekdays (1 = Monday ... 7 = Sunday); empty means every day
    weekdays: list[Annotated[int, Field(ge=1, le=7, strict=True)]] = []
    multiplier: Rate
    #: empty means every category / every tier
    categories: list[Code] = []
    tiers: list[Code] = []

    @field_validator("multiplier")
    @classmethod
    def _sane_multiplier(cls, value: Fraction) -> Fraction:
        if value < 1 or value > 100:
            raise ValueError("a campaign multiplier must be between 1 and 100")
        return value

    @field_validator("end")
    @classmethod
    def _ordered(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        start = info.data.get("start")
        if start is not None and value < start:
            raise ValueError(f"the campaign ends ({value}) before it starts ({start})")
        return value


class Caps(_Strict):
    #: most points one sale can earn (None: no cap)
    per_sale: Points | None = None
    #: most points one member can earn from purchases per business day
    per_member_per_day: Points | None = None


class Activity(_Strict):
    name: str = Field(min_length=1)
    name_en: str = ""
    points: Points


class Bonuses(_Strict):
    signup: Points = 0
    #: credited to the referrer when a new member registers naming them
    referral: Points = 0
    #: activity bonuses staff may credit with a reason (check-in streaks, reviews, events)
    activities: dict[Code, Activity] = {}


class Offset(_Strict):
    enabled: bool = True
    #: points that pay one yuan (100 -> 100 points = 1 yuan); tiers may override
    points_per_yuan: int = Field(default=100, ge=1, le=100_000, strict=True)
    #: largest share of the bill that points may pay
    max_share: Rate = Fraction(1, 2)
    #: points are used in multiples of this
    step: int = Field(default=100, ge=1, le=1_000_000, strict=True)
    #: smallest usable amount of points
    min_points: int = Field(default=0, ge=0, le=100_000_000, strict=True)

    @field_validator("max_share")
    @classmethod
    def _share(cls, value: Fraction) -> Fraction:
        if not 0 <= value <= 1:
            raise ValueError("max_share is a share of the bill between 0 and 1")
        return value


class ExpiryPolicy(StrEnum):
    NEVER = "never"
    #: points earned in year Y expire at the end of year Y + grace_years
    CALENDAR_YEAR = "calendar_year"
    #: points expire N months after they were earned
    ROLLING_MONTHS = "rolling_months"


class Expiry(_Strict):
    policy: ExpiryPolicy = ExpiryPolicy.NEVER
    grace_years: int = Field(default=0, ge=0, le=10, strict=True)
    months: int = Field(default=12, ge=1, le=240, strict=True)


class SpentPointsPolicy(StrEnum):
    #: the member's balance may go negative; later earnings pay it back first
    ALLOW_NEGATIVE = "allow_negative"
    #: the points already spent are charged in cash (at the offset rate) against the refund
    REQUIRE_CASH = "require_cash"


class Returns(_Strict):
    spent_points: SpentPointsPolicy = SpentPointsPolicy.ALLOW_NEGATIVE
    #: refunds above this (yuan) need a manager; 0 means every return, absent means none
    manager_approval_over: YuanAsFen | None = None
    #: sales older than this many days cannot be returned (absent: no limit)
    max_days: int | None = Field(default=None, ge=0, le=3650, strict=True)


class GiftRules(_Strict):
    #: redemptions priced above this many points need a manager at the counter
    manager_approval_over_points: Points | None = None
    #: while a gift's stock is at or below its low-stock mark, each member may redeem this many
    low_stock_member_limit: int = Field(default=1, ge=1, le=100, strict=True)


class OfflineLimits(_Strict):
    """What a store linked to HQ may let members spend while it cannot reach HQ (the
    floor limits); HQ can approve a larger spend online. A standalone store is never
    limited."""

    #: most points one offset or one gift redemption may take while offline
    max_redemption_points: Points = 2000
    #: most points this device may let members spend in all while offline
    max_device_points: Points = 20000
    #: after this many hours offline no points may be spent at all
    max_hours: int = Field(default=72, ge=0, le=8760, strict=True)


class ProgramDefinition(_Strict):
    program: ProgramInfo
    earning: Earning
    tiers: list[Tier] = Field(min_length=1)
    tier_policy: TierPolicy = TierPolicy()
    campaigns: list[Campaign] = []
    caps: Caps = Caps()
    bonuses: Bonuses = Bonuses()
    offset: Offset = Offset()
    expiry: Expiry = Expiry()
    returns: Returns = Returns()
    gifts: GiftRules = GiftRules()
    offline: OfflineLimits = OfflineLimits()
