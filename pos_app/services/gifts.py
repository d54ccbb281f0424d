"""Gifts redeemed with points: catalogue import, prices, limits, redemption and cancel.

A redemption, its ledger entry, the stock change, the issued voucher or coupon
and the outbox event commit in one transaction. Stock is taken with a guarded
``UPDATE ... WHERE quantity > 0``, so the last unit cannot go twice; points are
taken with the ledger's debit, which never goes below zero here.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
import tomllib
import uuid
from dataclasses import dataclass
from fractions import Fraction
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pos_app.db.raw import Tx, read_tx, to_db
from pos_app.db.store import StoreDB
from pos_app.errors import Conflict, InsufficientPoints, InvalidInput, NotFound, StaleQuote
from pos_app.program import Program
from pos_app.program.loader import error_field, error_message
from pos_app.program.rates import Rate, YuanAsFen, format_rate
from pos_app.services.audit import audit, require_reason
from pos_app.services.auth import (
    Permission,
    StaffSession,
    authorize,
    require_approval,
)
from pos_app.services.context import Context, context, next_receipt_no
from pos_app.services.ledger import (
    Entry,
    MemberRow,
    debit,
    give_back,
    load_member,
    points_state,
)
from pos_app.services.offline import check_offline_spend
from pos_app.services.outbox import emit

Period = Literal["day", "week", "month", "year"]
Code = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-]*$")]


# Catalogue file ---------------------------------------------------------------------------
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CouponTerms(_Strict):
    value: YuanAsFen
    min_spend: YuanAsFen = 0


class GiftEntry(_Strict):
    code: Code
    name: str = Field(min_length=1, max_length=120)
    name_en: str = ""
    kind: Literal["physical", "virtual", "coupon", "service"]
    category: str = ""
    points: int = Field(ge=1, le=100_000_000, strict=True)
    cash: YuanAsFen = 0
    tier_points: dict[str, Annotated[int, Field(ge=1, le=100_000_000, strict=True)]] = {}
    min_tier: str | None = None
    per_member_limit: int | None = Field(default=None, ge=1, le=1000, strict=True)
    limit_period: Period | None = None
    stock: int = Field(default=0, ge=0, le=10_000_000, strict=True)
    low_stock: int = Field(default=5, ge=0, le=10_000_000, strict=True)
    active: bool = True
    image: str | None = None
    coupon: CouponTerms | None = None
    valid_days: int | None = Field(default=None, ge=1, le=3650, strict=True)


class CampaignEntry(_Strict):
    code: Code
    name: str = Field(min_length=1)
    start: dt.date
    end: dt.date
    #: points price multiplied by this ("4/5" or 0.8: 20 % fewer points), rounded up
    points_factor: Rate
    #: gift codes; empty means every gift
    gifts: list[Code] = []

    @field_validator("points_factor")
    @classmethod
    def _discount(cls, value: Fraction) -> Fraction:
        if not 0 < value <= 1:
            raise ValueError("a redemption campaign lowers the price: a factor above 0, up to 1")
        return value


class Catalogue(_Strict):
    gifts: list[GiftEntry] = Field(min_length=1)
    campaigns: list[CampaignEntry] = []


def parse_catalogue(text: str, program: Program) -> Catalogue:
    """Validate a catalogue TOML; the error names the bad field (``gifts[2].points``)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"the catalogue is not valid TOML: {exc}", field="catalogue") from None
    try:
        catalogue = Catalogue.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InvalidInput(error_message(first), field=error_field(tuple(first["loc"]))) from None
    codes = [g.code for g in catalogue.gifts]
    for i, gift in enumerate(catalogue.gifts):
        if codes.index(gift.code) != i:
            raise InvalidInput(f"gift code {gift.code!r} appears twice", field=f"gifts[{i}].code")
        check_gift(gift, program, field=f"gifts[{i}]")
    for i, campaign in enumerate(catalogue.campaigns):
        if campaign.end < campaign.start:
            raise InvalidInput("the campaign ends before it starts", field=f"campaigns[{i}].end")
        for j, code in enumerate(campaign.gifts):
            if code not in codes:
                raise InvalidInput(f"unknown gift {code!r}", field=f"campaigns[{i}].gifts[{j}]")
    return catalogue


def check_gift(gift: GiftEntry, program: Program, *, field: str) -> None:
    """The rules of one gift that span its fields or name the program's tiers."""
    for tier in gift.tier_points:
        if not program.has_tier(tier):
            raise InvalidInput(f"unknown tier {tier!r}", field=f"{field}.tier_points.{tier}")
    if gift.min_tier and not program.has_tier(gift.min_tier):
        raise InvalidInput(f"unknown tier {gift.min_tier!r}", field=f"{field}.min_tier")
    if (gift.kind == "coupon") != (gift.coupon is not None):
        raise InvalidInput(
            "coupons (and only coupons) need [coupon] terms", field=f"{field}.coupon"
        )
    if (gift.per_member_limit is None) != (gift.limit_period is None):
        raise InvalidInput(
            "per_member_limit and limit_period go together", field=f"{field}.limit_period"
        )


def parse_gift(data: object, program: Program, *, field: str = "gift") -> GiftEntry:
    """Validate one gift given as a structure (a ``[[gifts]]`` entry of the catalogue)."""
    try:
        gift = GiftEntry.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InvalidInput(
            error_message(first), field=error_field((field, *first["loc"]))
        ) from None
    check_gift(gift, program, field=field)
    return gift


def upsert_gift(tx: Tx, gift: GiftEntry, now: dt.datetime) -> str:
    """Add or update a gift by code, replacing its tier prices (stock is left alone).
    Returns the gift's id."""
    stamp = to_db(now)
    gift_id = tx.value("SELECT id FROM gifts WHERE code = ?", (gift.code,)) or str(uuid.uuid4())
    coupon = gift.coupon
    tx.run(
        "INSERT INTO gifts (id, code, name, name_en, kind, category, points_price, "
        "cash_price_fen, min_tier, active, image, per_member_limit, limit_period, "
        "coupon_value_fen, coupon_min_spend_fen, valid_days, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
        "name_en = excluded.name_en, kind = excluded.kind, "
        "category = excluded.category, points_price = excluded.points_price, "
        "cash_price_fen = excluded.cash_price_fen, min_tier = excluded.min_tier, "
        "active = excluded.active, image = excluded.image, "
        "per_member_limit = excluded.per_member_limit, "
        "limit_period = excluded.limit_period, "
        "coupon_value_fen = excluded.coupon_value_fen, "
        "coupon_min_spend_fen = excluded.coupon_min_spend_fen, "
        "valid_days = excluded.valid_days, updated_at = excluded.updated_at",
        (
            gift_id,
            gift.code,
            gift.name,
            gift.name_en,
            gift.kind,
            gift.category,
            gift.points,
            gift.cash,
            gift.min_tier,
            gift.active,
            gift.image,
            gift.per_member_limit,
            gift.limit_period,
            coupon.value if coupon else None,
            coupon.min_spend if coupon else None,
            gift.valid_days,
            stamp,
        ),
    )
    tx.run("DELETE FROM gift_tier_prices WHERE gift_id = ?", (gift_id,))
    tx.run_many(
        "INSERT INTO gift_tier_prices (gift_id, tier_code, points_price) VALUES (?, ?, ?)",
        [(gift_id, tier, pts) for tier, pts in gift.tier_points.items()],
    )
    return gift_id


def set_stock(
    tx: Tx, gift_id: str, store_code: str, quantity: int, low_threshold: int, now: dt.datetime
) -> None:
    """Set a store's stock of a gift and its low-stock mark."""
    tx.run(
        "INSERT INTO gift_stock (gift_id, store_code, quantity, low_threshold, updated_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (gift_id, store_code) DO UPDATE SET "
        "quantity = excluded.quantity, low_threshold = excluded.low_threshold, "
        "updated_at = excluded.updated_at",
        (gift_id, store_code, quantity, low_threshold, to_db(now)),
    )


def import_catalogue(db: StoreDB, *, actor: StaffSession, text: str, now: dt.datetime) -> int:
    """Load a standalone store's catalogue and its stock from a TOML file: all or nothing.

    Gifts are added or updated by code (gifts missing from the file are left as they
    are), tier prices and campaigns are replaced, stock is set for this store.
    """
    authorize(db, actor, Permission.MANAGE_GIFTS)
    with db.write() as s:
        tx = Tx.of(s)
        ctx = context(db, tx)
        catalogue = parse_catalogue(text, ctx.program)
        for gift in catalogue.gifts:
            gift_id = upsert_gift(tx, gift, now)
            set_stock(tx, gift_id, ctx.store_code, gift.stock, gift.low_stock, now)
        tx.run("DELETE FROM gift_campaigns")
        tx.run_many(
            'INSERT INTO gift_campaigns (code, name, start, "end", points_factor, gift_codes) '
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                (
                    c.code,
                    c.name,
                    c.start.isoformat(),
                    c.end.isoformat(),
                    format_rate(c.points_factor),
                    " ".join(c.gifts),
                )
                for c in catalogue.campaigns
            ],
        )
        audit(
            s,
            actor.staff_id,
            "gifts.import",
            "",
            {"gifts": len(catalogue.gifts), "campaigns": len(catalogue.campaigns)},
            now,
        )
    return len(catalogue.gifts)


# Offers -------------------------------------------------------------------------------------
class Blocker(str):
    """Why a gift cannot be redeemed: reads as English text, and carries a ``code`` and its
    values (``params``) so a screen can say it in the member's language."""

    code: str
    params: dict[str, object]

    def __new__(cls, code: str, text: str, **params: object) -> Blocker:
        blocker = super().__new__(cls, text)
        blocker.code = code
        blocker.params = params
        return blocker


@dataclass(frozen=True)
class GiftOffer:
    """A gift as this member would redeem it now, with what (if anything) blocks it."""

    gift_id: str
    code: str
    name: str
    name_en: str
    kind: str
    category: str
    points: int
    cash_fen: int
    #: the price before a campaign, for showing the saving
    list_points: int
    campaign: str | None
    stock: int
    low_stock: bool
    min_tier: str | None
    #: reasons this member cannot redeem it now (empty: redeemable)
    blockers: tuple[Blocker, ...]

    @property
    def redeemable(self) -> bool:
        return not self.blockers


_GIFT_COLUMNS = (
    "g.id, g.code, g.name, g.name_en, g.kind, g.category, g.points_price, g.cash_price_fen, "
    "g.min_tier, g.active, g.per_member_limit, g.limit_period, "
    "COALESCE(s.quantity, 0), COALESCE(s.low_threshold, 0)"
)


def period_start(program: Program, now: dt.datetime, period: str) -> dt.datetime:
    """Start of the calendar day / week (Monday) / month / year containing ``now``."""
    day = program.local(now).date()
    if period == "week":
        day -= dt.timedelta(days=day.weekday())
    elif period == "month":
        day = day.replace(day=1)
    elif period == "year":
        day = day.replace(month=1, day=1)
    return dt.datetime.combine(day, dt.time(), tzinfo=program.zone)


def _campaign_price(
    tx: Tx, ctx: Context, code: str, points: int, now: dt.datetime
) -> tuple[int, str | None]:
    """The lowest campaign price running today for this gift (rounded up to whole points)."""
    today = ctx.program.local(now).date().isoformat()
    best, used = points, None
    for camp_code, factor, gifts in tx.rows(
        "SELECT code, points_factor, gift_codes FROM gift_campaigns "
        'WHERE start <= ? AND "end" >= ?',
        (today, today),
    ):
        if gifts and code not in gifts.split():
            continue
        price = math.ceil(points * Fraction(factor))
        if price < best:
            best, used = price, camp_code
    return best, used


def _offer(
    tx: Tx, ctx: Context, row: tuple, member: MemberRow | None, spendable: int, now: dt.datetime
) -> GiftOffer:
    (
        gift_id,
        code,
        name,
        name_en,
        kind,
        category,
        base,
        cash,
        min_tier,
        active,
        limit,
        period,
        stock,
        low_mark,
    ) = row
    program = ctx.program
    tier = program.tier(member.tier_code).code if member else program.base_tier.code
    tier_price = tx.value(
        "SELECT points_price FROM gift_tier_prices WHERE gift_id = ? AND tier_code = ?",
        (gift_id, tier),
    )
    list_points = int(tier_price or base)
    points, campaign = _campaign_price(tx, ctx, code, list_points, now)
    low = stock <= low_mark
    blockers: list[Blocker] = []
    if not active:
        blockers.append(Blocker("inactive", "this gift is not available now"))
    if min_tier and program.rank(tier) < program.rank(min_tier):
        needed = program.tier(min_tier)
        blockers.append(
            Blocker(
                "min_tier",
                f"for {needed.name_en or min_tier} members and above",
                tier=needed.name,
                tier_en=needed.name_en or min_tier,
            )
        )
    if stock <= 0:
        blockers.append(Blocker("out_of_stock", "out of stock"))
    if member is not None:
        if member.status != "active":
            blockers.append(
                Blocker("membership", f"this membership is {member.status}", status=member.status)
            )
        if points > spendable:
            blockers.append(
                Blocker(
                    "points", f"needs {points - spendable} more points", missing=points - spendable
                )
            )
        if limit is not None and period is not None:
            taken = tx.value(
                "SELECT COUNT(*) FROM gift_redemptions WHERE member_id = ? AND gift_id = ? "
                "AND status = 'completed' AND created_at >= ?",
                (member.id, gift_id, to_db(period_start(program, now, period))),
            )
            if taken >= limit:
                blockers.append(
                    Blocker(
                        "limit",
                        f"limit of {limit} per {period} reached",
                        limit=limit,
                        period=period,
                    )
                )
        if low and stock > 0:
            cap = program.definition.gifts.low_stock_member_limit
            taken = tx.value(
                "SELECT COUNT(*) FROM gift_redemptions WHERE member_id = ? AND gift_id = ? "
                "AND status = 'completed'",
                (member.id, gift_id),
            )
            if taken >= cap:
                blockers.append(Blocker("low_stock", f"stock is low: {cap} per member", cap=cap))
    return GiftOffer(
        gift_id,
        code,
        name,
        name_en,
        kind,
        category,
        points,
        cash,
        list_points,
        campaign,
        stock,
        low,
        min_tier,
        tuple(blockers),
    )


def list_gifts(
    db: StoreDB,
    *,
    member_id: str | None,
    now: dt.datetime,
    category: str | None = None,
    search: str = "",
    affordable_only: bool = False,
    max_points: int | None = None,
    include_inactive: bool = False,
) -> list[GiftOffer]:
    """The catalogue for the counter or the kiosk, priced for this member, cheapest first."""
    with read_tx(db.engine) as tx:
        ctx = context(db, tx)
        member = load_member(tx, member_id) if member_id else None
        spendable = points_state(tx, member_id, now)[1] if member_id else 0
        rows = tx.rows(
            f"SELECT {_GIFT_COLUMNS} FROM gifts g LEFT JOIN gift_stock s "
            "ON s.gift_id = g.id AND s.store_code = ? ORDER BY g.points_price, g.code",
            (ctx.store_code,),
        )
        offers = [_offer(tx, ctx, row, member, spendable, now) for row in rows]
    needle = search.strip().lower()
    result = []
    for offer in offers:
        if not include_inactive and any(b.code == "inactive" for b in offer.blockers):
            continue
        if category and offer.category != category:
            continue
        if needle and needle not in f"{offer.code} {offer.name} {offer.name_en}".lower():
            continue
        if max_points is not None and offer.points > max_points:
            continue
        if affordable_only and not offer.redeemable:
            continue
        result.append(offer)
    return sorted(result, key=lambda o: (o.points, o.code))


def _gift_row(tx: Tx, ctx: Context, gift_code: str) -> tuple:
    row = tx.row(
        f"SELECT {_GIFT_COLUMNS} FROM gifts g LEFT JOIN gift_stock s "
        "ON s.gift_id = g.id AND s.store_code = ? WHERE g.code = ?",
        (ctx.store_code, gift_code.strip() if isinstance(gift_code, str) else ""),
    )
    if row is None:
        raise NotFound(f"no gift with code {gift_code!r}", field="gift")
    return row


@dataclass(frozen=True)
class RedemptionQuote:
    offer: GiftOffer
    balance: int
    balance_after: int
    needs_manager: bool


def _needs_manager(ctx: Context, points: int) -> bool:
    limit = ctx.program.definition.gifts.manager_approval_over_points
    return limit is not None and points > limit


def quote_redemption(
    db: StoreDB, *, member_id: str, gift_code: str, now: dt.datetime
) -> RedemptionQuote:
    """What redeeming this gift would cost the member now, and what blocks it."""
    with read_tx(db.engine) as tx:
        ctx = context(db, tx)
        member = load_member(tx, member_id)
        due, spendable = points_state(tx, member_id, now)[:2]
        offer = _offer(tx, ctx, _gift_row(tx, ctx, gift_code), member, spendable, now)
        balance = member.balance - due
        return RedemptionQuote(
            offer, balance, balance - offer.points, _needs_manager(ctx, offer.points)
        )


# Redeem and cancel ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Redemption:
    redemption_id: str
    redemption_no: str
    gift_code: str
    gift_name: str
    kind: str
    points: int
    cash_fen: int
    issued_code: str | None
    valid_until: dt.datetime | None
    coupon_value_fen: int | None
    coupon_min_spend_fen: int | None
    balance: int


def _issue_code() -> str:
    """A voucher or coupon code: 12 characters, no look-alikes (0/O, 1/I)."""
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    return "".join(secrets.choice(alphabet) for _ in range(12))


def redeem_gift(
    db: StoreDB,
    *,
    actor: StaffSession,
    member_id: str,
    gift_code: str,
    now: dt.datetime,
    approver: StaffSession | None = None,
    expected_points: int | None = None,
    cash_fen: int | None = None,
    authorized: bool = False,
) -> Redemption:
    """Hand over a gift: points (and any cash part) taken, stock down by one, voucher or
    coupon issued, all in one transaction. ``expected_points`` is the price the cashier
    showed; a different price now is a :class:`StaleQuote`. ``authorized``: HQ approved
    the spend online, so the offline limits do not apply (:mod:`pos_app.services.offline`)."""
    authorize(db, actor, Permission.REDEEM_GIFT)
    redemption_id = str(uuid.uuid4())
    with db.write() as s:
        tx = Tx.of(s)
        ctx = context(db, tx)
        member = load_member(tx, member_id)
        spendable = points_state(tx, member_id, now)[1]
        row = _gift_row(tx, ctx, gift_code)
        offer = _offer(tx, ctx, row, member, spendable, now)
        if expected_points is not None and expected_points != offer.points:
            raise StaleQuote(
                f"this gift now costs {offer.points} points; check again", field="gift"
            )
        if cash_fen is not None and cash_fen != offer.cash_fen:
            raise StaleQuote("the cash part of this gift changed; check again", field="gift")
        if offer.blockers:
            error = InsufficientPoints if offer.blockers[0].code == "points" else InvalidInput
            raise error("; ".join(offer.blockers), field="gift")
        if _needs_manager(ctx, offer.points):
            require_approval(db, approver, f"a gift of {offer.points} points")
        check_offline_spend(tx, ctx, points=offer.points, now=now, authorized=authorized)
        taken = tx.run(
            "UPDATE gift_stock SET quantity = quantity - 1, updated_at = ? "
            "WHERE gift_id = ? AND store_code = ? AND quantity > 0",
            (to_db(now), offer.gift_id, ctx.store_code),
        ).rowcount
        if taken != 1:
            raise Conflict("the last one has just gone: out of stock", field="gift")
        number = next_receipt_no(tx, "G-")
        row_extra = tx.row(
            "SELECT coupon_value_fen, coupon_min_spend_fen, valid_days FROM gifts WHERE id = ?",
            (offer.gift_id,),
        )
        coupon_value, coupon_min, valid_days = row_extra
        issued = _issue_code() if offer.kind in ("virtual", "coupon", "service") else None
        valid_until = now + dt.timedelta(days=valid_days) if issued and valid_days else None
        if offer.kind == "coupon" and issued is not None and valid_until is None:
            valid_until = now + dt.timedelta(days=365)
        tx.run(
            "INSERT INTO gift_redemptions (id, redemption_no, gift_id, member_id, staff_id, "
            "store_code, tier_code, points, cash_fen, issued_code, approved_by, status, "
            "created_at, business_day, valid_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "'completed', ?, ?, ?)",
            (
                redemption_id,
                number,
                offer.gift_id,
                member.id,
                actor.staff_id,
                ctx.store_code,
                ctx.program.tier(member.tier_code).code,
                offer.points,
                offer.cash_fen,
                issued,
                approver.staff_id if approver and _needs_manager(ctx, offer.points) else None,
                to_db(now),
                ctx.program.business_day(now).isoformat(),
                None if valid_until is None else to_db(valid_until),
            ),
        )
        entry = debit(
            tx,
            ctx,
            member,
            kind="gift_redemption",
            points=offer.points,
            now=now,
            staff_id=actor.staff_id,
            redemption_id=redemption_id,
            reason=f"{offer.code} {number}",
        )
        if offer.kind == "coupon":
            assert issued is not None and valid_until is not None
            until = valid_until
            tx.run(
                "INSERT INTO coupons (code, redemption_id, member_id, value_fen, min_spend_fen, "
                "valid_until, status) VALUES (?, ?, ?, ?, ?, ?, 'issued')",
                (issued, redemption_id, member.id, coupon_value, coupon_min or 0, to_db(until)),
            )
        emit(
            tx,
            "gift.redeemed",
            _payload(redemption_id, number, offer, member, issued, entry, now),
            now,
        )
        if approver is not None and _needs_manager(ctx, offer.points):
            audit(
                s,
                approver.staff_id,
                "gift.approved",
                number,
                {"points": offer.points, "cashier": actor.staff_id},
                now,
            )
        return Redemption(
            redemption_id,
            number,
            offer.code,
            offer.name,
            offer.kind,
            offer.points,
            offer.cash_fen,
            issued,
            valid_until,
            coupon_value if offer.kind == "coupon" else None,
            coupon_min if offer.kind == "coupon" else None,
            member.balance - points_state(tx, member.id, now)[0],
        )


def _payload(
    redemption_id: str,
    number: str,
    offer: GiftOffer,
    member: MemberRow,
    issued: str | None,
    entry: Entry,
    now: dt.datetime,
) -> dict[str, object]:
    return {
        "redemption": {
            "id": redemption_id,
            "redemption_no": number,
            "gift": offer.code,
            "member_id": member.id,
            "points": offer.points,
            "cash_fen": offer.cash_fen,
            "campaign": offer.campaign,
            "issued_code": issued,
            "created_at": now.isoformat(),
        },
        "stock_change": -1,
        "entries": [entry.payload()],
    }


@dataclass(frozen=True)
class Cancellation:
    redemption_no: str
    points_restored: int
    balance: int


def cancel_redemption(
    db: StoreDB, *, actor: StaffSession, redemption_no: str, reason: str, now: dt.datetime
) -> Cancellation:
    """Undo a redemption (wrong gift, gift brought back): points back into their lots,
    the unit back in stock, any unused coupon void; the record stays, marked cancelled."""
    authorize(db, actor, Permission.REDEEM_GIFT)
    text = require_reason(reason)
    with db.write() as s:
        tx = Tx.of(s)
        ctx = context(db, tx)
        row = tx.row(
            "SELECT id, gift_id, member_id, points, status, store_code FROM gift_redemptions "
            "WHERE redemption_no = ?",
            ((redemption_no or "").strip().upper(),),
        )
        if row is None:
            raise NotFound(f"no redemption {redemption_no!r}", field="redemption_no")
        redemption_id, gift_id, member_id, points, status, store_code = row
        if status != "completed":
            raise Conflict("this redemption was already cancelled", field="redemption_no")
        coupon = tx.row("SELECT status FROM coupons WHERE redemption_id = ?", (redemption_id,))
        if coupon is not None and coupon[0] == "used":
            raise Conflict(
                "the coupon from this redemption was already used on a sale", field="redemption_no"
            )
        member = load_member(tx, member_id)
        taken = [
            r[0]
            for r in tx.rows(
                "SELECT id FROM ledger_entries "
                "WHERE redemption_id = ? AND kind = 'gift_redemption'",
                (redemption_id,),
            )
        ]
        entry = give_back(
            tx,
            ctx,
            member,
            kind="gift_refund",
            points=points,
            now=now,
            staff_id=actor.staff_id,
            taken_by=taken,
            given_back_by=[],
            redemption_id=redemption_id,
            reason=f"cancelled {redemption_no}",
        )
        tx.run(
            "UPDATE gift_stock SET quantity = quantity + 1, updated_at = ? "
            "WHERE gift_id = ? AND store_code = ?",
            (to_db(now), gift_id, store_code),
        )
        tx.run(
            "UPDATE gift_redemptions SET status = 'cancelled', cancelled_at = ?, "
            "cancelled_by = ?, cancel_reason = ? WHERE id = ?",
            (to_db(now), actor.staff_id, text[:200], redemption_id),
        )
        tx.run(
            "UPDATE coupons SET status = 'void' WHERE redemption_id = ? AND status = 'issued'",
            (redemption_id,),
        )
        emit(
            tx,
            "gift.cancelled",
            {
                "redemption_id": redemption_id,
                "stock_change": 1,
                "reason": text,
                "entries": [entry.payload()],
            },
            now,
        )
        audit(s, actor.staff_id, "gift.cancel", redemption_no, {"reason": text}, now)
        return Cancellation(
            redemption_no, points, member.balance - points_state(tx, member.id, now)[0]
        )
