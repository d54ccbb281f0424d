"""A validated program with the look-ups the engine needs."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from pos_app.program.schema import ProgramDefinition, Tier


@dataclass(frozen=True)
class Program:
    definition: ProgramDefinition
    _tiers: dict[str, Tier] = field(init=False, repr=False, compare=False)
    _ranks: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_tiers", {t.code: t for t in self.definition.tiers})
        object.__setattr__(self, "_ranks", {t.code: i for i, t in enumerate(self.definition.tiers)})

    # identity -----------------------------------------------------------------
    @property
    def code(self) -> str:
        return self.definition.program.code

    @property
    def version(self) -> int:
        return self.definition.program.version

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.definition.program.timezone)

    def to_json(self) -> str:
        """Canonical JSON: the form HQ distributes and the store database keeps."""
        return json.dumps(self.as_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    def as_dict(self) -> dict[str, Any]:
        return self.definition.model_dump(mode="json")

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.to_json().encode()).hexdigest()

    # tiers --------------------------------------------------------------------
    @property
    def base_tier(self) -> Tier:
        return self.definition.tiers[0]

    def tier(self, code: str | None) -> Tier:
        """The tier with this code; an unknown or missing code falls back to the base tier."""
        if code is None:
            return self.base_tier
        return self._tiers.get(code, self.base_tier)

    def has_tier(self, code: str) -> bool:
        return code in self._tiers

    def rank(self, code: str) -> int:
        return self._ranks.get(code, 0)

    def earn_rate(self, tier_code: str | None, category: str) -> Fraction:
        """Points per yuan for a line: category rate, else tier rate, else base rate."""
        earning = self.definition.earning
        if category in earning.category_rates:
            return earning.category_rates[category]
        tier = self.tier(tier_code)
        if tier.points_per_yuan is not None:
            return tier.points_per_yuan
        return earning.points_per_yuan

    def offset_points_per_yuan(self, tier_code: str | None) -> int:
        tier = self.tier(tier_code)
        if tier.offset_points_per_yuan is not None:
            return tier.offset_points_per_yuan
        return self.definition.offset.points_per_yuan

    # time ---------------------------------------------------------------------
    def local(self, now: dt.datetime) -> dt.datetime:
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        return now.astimezone(self.zone)

    def business_day(self, now: dt.datetime) -> dt.date:
        """The business day a moment belongs to, honouring the cutoff (04:00 by default)."""
        local = self.local(now)
        cutoff = self.definition.program.business_day_cutoff
        day = local.date()
        if local.time() < cutoff:
            day -= dt.timedelta(days=1)
        return day

    def business_day_bounds(self, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) of a business day as aware datetimes."""
        cutoff = self.definition.program.business_day_cutoff
        start = dt.datetime.combine(day, cutoff, tzinfo=self.zone)
        end = dt.datetime.combine(day + dt.timedelta(days=1), cutoff, tzinfo=self.zone)
        return start, end
