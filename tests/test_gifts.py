"""Gift redemption: catalogue import, prices, limits, stock, vouchers, approval and cancel."""

from __future__ import annotations

import datetime as dt
import json
import threading
import tomllib
from collections.abc import Callable
from importlib import resources

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pos_app.db.raw import to_db
from pos_app.errors import (
    ApprovalRequired,
    Conflict,
    InsufficientPoints,
    InvalidInput,
    NotFound,
    PermissionDenied,
    StaleQuote,
)
from pos_app.program import Program
from pos_app.program.loader import bundled_program_text, program_from_dict
from pos_app.services.doctor import check_books
from pos_app.services.gifts import (
    GiftOffer,
    Redemption,
    cancel_redemption,
    import_catalogue,
    list_gifts,
    quote_redemption,
    redeem_gift,
)
from tests.conftest import WRITTEN_TABLES, Counter, at

SUPERMARKET_GIFTS = (resources.files("resources") / "gifts" / "supermarket.toml").read_text("utf-8")
HOTEL_GIFTS = (resources.files("resources") / "gifts" / "hotel.toml").read_text("utf-8")

GIFT_TABLES = (
    "gifts",
    "gift_tier_prices",
    "gift_stock",
    "gift_campaigns",
    "gift_redemptions",
    "coupons",
    "audit_log",
)
#: every table a redemption or a cancel may write
ALL_TABLES = (*WRITTEN_TABLES, *GIFT_TABLES)

SUPERMARKET_SIGNUP = 50
HOTEL_SIGNUP = 200
CODE_ALPHABET = set("23456789ABCDEFGHJKLMNPQRSTUVWXYZ")

#: inside the supermarket catalogue's 'anniversary-2026' campaign (2026-12-01..07)
ANNIVERSARY = at(2026, 12, 3, 10, 0)


# Helpers ------------------------------------------------------------------------------------
def load(c: Counter, text: str = SUPERMARKET_GIFTS, now: dt.datetime | None = None) -> int:
    return import_catalogue(c.db, actor=c.manager, text=text, now=now or c.now)


_phones = iter(range(10_000))


def member(c: Counter, points: int = 0) -> str:
    """A new member topped up with ``points`` on top of the signup bonus."""
    m = c.register(name="测试会员", phone=f"1390000{next(_phones):04d}")
    if points:
        c.give(m.id, points)
    return m.id


def redeem(
    c: Counter, member_id: str, code: str, now: dt.datetime | None = None, **kwargs: object
) -> Redemption:
    return redeem_gift(
        c.db,
        actor=c.cashier,
        member_id=member_id,
        gift_code=code,
        now=now or c.now,
        **kwargs,  # type: ignore[arg-type]
    )


def cancel(c: Counter, number: str, reason: str = "wrong gift handed over") -> None:
    cancel_redemption(c.db, actor=c.cashier, redemption_no=number, reason=reason, now=c.now)


def offer(
    c: Counter, member_id: str | None, code: str, now: dt.datetime | None = None
) -> GiftOffer:
    offers = list_gifts(c.db, member_id=member_id, now=now or c.now, include_inactive=True)
    return next(o for o in offers if o.code == code)


def stock(c: Counter, code: str) -> int:
    with c.sql() as conn:
        row = conn.execute(
            "SELECT s.quantity FROM gift_stock s JOIN gifts g ON g.id = s.gift_id "
            "WHERE g.code = ? AND s.store_code = 'S01'",
            (code,),
        ).fetchone()
    return int(row[0])


def set_tier(c: Counter, member_id: str, tier: str) -> None:
    with c.sql() as conn:
        conn.execute("UPDATE members SET tier_code = ? WHERE id = ?", (tier, member_id))
        conn.commit()


def redemption_row(c: Counter, number: str) -> dict[str, object]:
    with c.sql() as conn:
        cur = conn.execute("SELECT * FROM gift_redemptions WHERE redemption_no = ?", (number,))
        names = [d[0] for d in cur.description]
        return dict(zip(names, cur.fetchone(), strict=True))


def events(c: Counter, type_: str) -> list[dict[str, object]]:
    with c.sql() as conn:
        rows = conn.execute(
            "SELECT payload FROM outbox_events WHERE type = ? ORDER BY seq", (type_,)
        ).fetchall()
    return [json.loads(r[0]) for r in rows]


def lots(c: Counter, member_id: str) -> list[int]:
    """Remaining points of the member's lots, oldest lot first."""
    with c.sql() as conn:
        rows = conn.execute(
            "SELECT remaining FROM points_lots WHERE member_id = ? ORDER BY id", (member_id,)
        ).fetchall()
    return [int(r[0]) for r in rows]


def gift_catalogue(*gifts: str, campaigns: str = "") -> str:
    return "\n".join(gifts) + "\n" + campaigns


def gift_toml(code: str, points: int = 100, **fields: object) -> str:
    """One ``[[gifts]]`` table; ``fields`` add to or override the defaults."""
    values: dict[str, object] = {
        "code": code,
        "name": f"礼品 {code}",
        "name_en": f"Gift {code}",
        "kind": "physical",
        "points": points,
        **fields,
    }
    body = "".join(
        f"{key} = {json.dumps(value, ensure_ascii=False)}\n" for key, value in values.items()
    )
    return "[[gifts]]\n" + body


def program_with_gift_rules(name: str, **rules: object) -> Program:
    data = tomllib.loads(bundled_program_text(name))
    data["gifts"] = rules
    return program_from_dict(data)


# Import -------------------------------------------------------------------------------------
def test_the_demo_catalogues_import_with_stock_for_this_store(
    supermarket: Counter, hotel: Counter
) -> None:
    assert load(supermarket) == 7
    assert load(hotel, HOTEL_GIFTS) == 2
    expected = {
        "tissue": 40,
        "oil": 5,
        "bag": 100,
        "kettle": 10,
        "coupon-30-100": 1000,
        "video-month": 200,
        "tablet": 2,
    }
    assert {code: stock(supermarket, code) for code in expected} == expected
    assert stock(hotel, "breakfast") == 500
    assert stock(hotel, "late-checkout") == 500
    assert supermarket.counts(("gifts", "gift_stock", "gift_campaigns")) == {
        "gifts": 7,
        "gift_stock": 7,
        "gift_campaigns": 1,
    }
    with hotel.sql() as conn:
        prices = conn.execute(
            "SELECT t.tier_code, t.points_price FROM gift_tier_prices t "
            "JOIN gifts g ON g.id = t.gift_id WHERE g.code = 'breakfast' ORDER BY 2 DESC"
        ).fetchall()
        stores = conn.execute("SELECT DISTINCT store_code FROM gift_stock").fetchall()
    assert prices == [("silver", 600), ("gold", 400), ("diamond", 300)]
    assert stores == [("S01",)]
    bag = offer(supermarket, None, "bag")
    assert (bag.points, bag.cash_fen, bag.kind, bag.category) == (300, 200, "physical", "daily")
    with supermarket.sql() as conn:
        actions = conn.execute("SELECT action FROM audit_log WHERE action = 'gifts.import'")
        assert len(actions.fetchall()) == 1


def test_a_reimport_updates_gifts_by_code_and_sets_stock(supermarket: Counter) -> None:
    c = supermarket
    load(c)
    before = offer(c, None, "tissue")
    m = member(c, 1000)
    redeem(c, m, "tissue")
    assert stock(c, "tissue") == 39
    text = gift_catalogue(
        gift_toml("tissue", 600, name="抽纸两提", category="paper", stock=12),
        gift_toml("mug", 700, stock=3),
    )
    assert load(c, text) == 2
    after = offer(c, None, "tissue")
    assert after.gift_id == before.gift_id
    assert (after.points, after.name, after.category, after.stock) == (600, "抽纸两提", "paper", 12)
    assert stock(c, "mug") == 3
    # gifts missing from the file stay; campaigns are replaced (none in the new file)
    assert stock(c, "oil") == 5
    assert c.counts(("gifts", "gift_stock", "gift_campaigns")) == {
        "gifts": 8,
        "gift_stock": 8,
        "gift_campaigns": 0,
    }
    # the old redemption still points at the same gift row
    assert c.count("gift_redemptions") == 1


BAD_CATALOGUES = [
    pytest.param(
        gift_toml("x", stock=1).replace("points = 100", 'points = "lots"'),
        "gifts[0].points",
        id="points-wrong-type",
    ),
    pytest.param(gift_toml("x", kind="toy"), "gifts[0].kind", id="unknown-kind"),
    pytest.param(gift_toml("x", stock=-1), "gifts[0].stock", id="negative-stock"),
    pytest.param(gift_toml("x", colour="red"), "gifts[0].colour", id="unknown-field"),
    pytest.param(gift_toml("x", kind="coupon"), "gifts[0].coupon", id="coupon-without-terms"),
    pytest.param(gift_toml("x", per_member_limit=1), "gifts[0].limit_period", id="limit-no-period"),
    pytest.param(
        gift_toml("x") + gift_toml("y") + gift_toml("x"), "gifts[2].code", id="duplicate-code"
    ),
    pytest.param(
        gift_catalogue(
            gift_toml("x"),
            campaigns='[[campaigns]]\ncode = "c"\nname = "c"\nstart = 2026-12-07\n'
            'end = 2026-12-01\npoints_factor = "4/5"\n',
        ),
        "campaigns[0].end",
        id="campaign-ends-before-start",
    ),
    pytest.param(
        gift_catalogue(
            gift_toml("x"),
            campaigns='[[campaigns]]\ncode = "c"\nname = "c"\nstart = 2026-12-01\n'
            'end = 2026-12-07\npoints_factor = "4/5"\ngifts = ["x", "nope"]\n',
        ),
        "campaigns[0].gifts[1]",
        id="campaign-unknown-gift",
    ),
    pytest.param(
        gift_catalogue(
            gift_toml("x"),
            campaigns='[[campaigns]]\ncode = "c"\nname = "c"\nstart = 2026-12-01\n'
            'end = 2026-12-07\npoints_factor = "5/4"\n',
        ),
        "campaigns[0].points_factor",
        id="campaign-raises-price",
    ),
    pytest.param("[[gifts]\ncode = 'x'\n", "catalogue", id="bad-toml"),
    pytest.param("", "gifts", id="no-gifts"),
]


@pytest.mark.parametrize(("text", "field"), BAD_CATALOGUES)
def test_a_malformed_catalogue_names_the_field_and_changes_nothing(
    supermarket: Counter, text: str, field: str
) -> None:
    c = supermarket
    load(c)
    before = c.counts(GIFT_TABLES)
    with pytest.raises(InvalidInput) as err:
        load(c, text)
    assert err.value.field == field
    assert c.counts(GIFT_TABLES) == before
    assert stock(c, "tissue") == 40


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param("[gifts.tier_points]\nplatinum = 50\n", id="tier_points"),
        pytest.param('min_tier = "platinum"\n', id="min_tier"),
    ],
)
def test_an_unknown_tier_is_refused_naming_the_gift(supermarket: Counter, extra: str) -> None:
    c = supermarket
    load(c)
    before = c.counts(GIFT_TABLES)
    with pytest.raises(InvalidInput, match="platinum") as err:
        load(c, gift_toml("ok") + gift_toml("x") + extra)
    assert err.value.field is not None
    assert err.value.field.startswith("gifts[1]")
    assert c.counts(GIFT_TABLES) == before


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        pytest.param(
            "[gifts.tier_points]\nplatinum = 50\n", "gifts[1].tier_points", id="tier_points"
        ),
        pytest.param('min_tier = "platinum"\n', "gifts[1].min_tier", id="min_tier"),
    ],
)
def test_an_unknown_tier_error_names_the_tier_field(
    supermarket: Counter, extra: str, field: str
) -> None:
    with pytest.raises(InvalidInput) as err:
        load(supermarket, gift_toml("ok") + gift_toml("x") + extra)
    assert err.value.field is not None
    assert err.value.field.startswith(field)


def test_only_a_manager_may_import(supermarket: Counter) -> None:
    c = supermarket
    with pytest.raises(PermissionDenied):
        import_catalogue(c.db, actor=c.cashier, text=SUPERMARKET_GIFTS, now=c.now)
    assert c.counts(GIFT_TABLES) == dict.fromkeys(GIFT_TABLES, 0) | {
        "audit_log": c.count("audit_log")
    }
    assert c.count("gifts") == 0
    assert load(c) == 7


# Prices -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("tier", "price"), [("normal", 800), ("silver", 600), ("gold", 400), ("diamond", 300)]
)
def test_hotel_breakfast_is_priced_by_tier(hotel: Counter, tier: str, price: int) -> None:
    c = hotel
    load(c, HOTEL_GIFTS)
    m = member(c, 1000)
    set_tier(c, m, tier)
    quote = quote_redemption(c.db, member_id=m, gift_code="breakfast", now=c.now)
    assert (quote.offer.points, quote.offer.list_points, quote.offer.campaign) == (
        price,
        price,
        None,
    )
    assert quote.balance == HOTEL_SIGNUP + 1000
    assert quote.balance_after == HOTEL_SIGNUP + 1000 - price
    assert offer(c, m, "breakfast").points == price
    r = redeem(c, m, "breakfast", expected_points=price)
    assert r.points == price
    assert c.balance(m) == HOTEL_SIGNUP + 1000 - price
    assert redemption_row(c, r.redemption_no)["tier_code"] == tier
    assert check_books(c.db) == []


def test_a_minimum_tier_blocks_with_a_reason(supermarket: Counter, hotel: Counter) -> None:
    c = supermarket
    load(c)
    m = member(c, 5000)
    kettle = offer(c, m, "kettle")
    assert kettle.blockers == ("for Silver members and above",)
    assert not kettle.redeemable
    before = c.counts(ALL_TABLES)
    with pytest.raises(InvalidInput, match="for Silver members and above"):
        redeem(c, m, "kettle")
    assert c.counts(ALL_TABLES) == before
    set_tier(c, m, "silver")
    assert offer(c, m, "kettle").blockers == ()
    assert offer(c, m, "tablet").blockers[0] == "for Gold members and above"
    assert redeem(c, m, "kettle").points == 2000
    assert c.balance(m) == SUPERMARKET_SIGNUP + 5000 - 2000

    load(hotel, HOTEL_GIFTS)
    guest = member(hotel, 2000)
    assert offer(hotel, guest, "late-checkout").blockers == ("for Silver members and above",)
    set_tier(hotel, guest, "diamond")
    assert offer(hotel, guest, "late-checkout").redeemable


@pytest.mark.parametrize(
    ("now", "points", "campaign"),
    [
        (at(2026, 11, 30, 23, 59), 1000, None),
        (at(2026, 12, 1, 0, 0), 800, "anniversary-2026"),
        (ANNIVERSARY, 800, "anniversary-2026"),
        (at(2026, 12, 7, 23, 59), 800, "anniversary-2026"),
        (at(2026, 12, 8, 0, 0), 1000, None),
    ],
)
def test_the_anniversary_campaign_takes_a_fifth_off_inside_its_window(
    supermarket: Counter, now: dt.datetime, points: int, campaign: str | None
) -> None:
    c = supermarket
    load(c)
    m = member(c, 3000)
    video = offer(c, m, "video-month", now)
    assert (video.points, video.list_points, video.campaign) == (
        960 if campaign else 1200,
        1200,
        campaign,
    )
    quote = quote_redemption(c.db, member_id=m, gift_code="oil", now=now)
    assert (quote.offer.points, quote.offer.list_points, quote.offer.campaign) == (
        points,
        1000,
        campaign,
    )
    r = redeem(c, m, "oil", now=now, expected_points=points)
    assert r.points == points
    assert c.balance(m, now) == SUPERMARKET_SIGNUP + 3000 - points
    assert events(c, "gift.redeemed")[-1]["redemption"]["campaign"] == campaign  # type: ignore[index]
    assert check_books(c.db) == []


def test_a_campaign_price_rounds_up_to_whole_points(supermarket: Counter) -> None:
    c = supermarket
    campaigns = (
        '[[campaigns]]\ncode = "thirds"\nname = "三分之二"\nstart = 2026-03-01\n'
        'end = 2026-03-31\npoints_factor = "2/3"\ngifts = ["seven", "nine99"]\n'
        '[[campaigns]]\ncode = "decimal"\nname = "八折"\nstart = 2026-03-01\n'
        'end = 2026-03-31\npoints_factor = 0.8\ngifts = ["thousand"]\n'
    )
    load(
        c,
        gift_catalogue(
            gift_toml("seven", 7, stock=10),
            gift_toml("nine99", 999, stock=10),
            gift_toml("thousand", 1000, stock=10),
            gift_toml("plain", 1000, stock=10),
            campaigns=campaigns,
        ),
    )
    m = member(c, 2000)
    prices = {o.code: (o.points, o.campaign) for o in list_gifts(c.db, member_id=m, now=c.now)}
    assert prices == {
        "seven": (5, "thirds"),  # 14/3 = 4.67
        "nine99": (666, "thirds"),  # exactly 666
        "thousand": (800, "decimal"),  # 0.8 read exactly, not as a binary float
        "plain": (1000, None),
    }
    r = redeem(c, m, "seven", expected_points=5)
    assert c.balance(m) == SUPERMARKET_SIGNUP + 2000 - 5
    assert r.points == 5


# Points and cash ----------------------------------------------------------------------------
def test_a_points_and_cash_gift_takes_only_the_points_from_the_ledger(supermarket: Counter) -> None:
    c = supermarket
    load(c)
    m = member(c, 1000)
    quote = quote_redemption(c.db, member_id=m, gift_code="bag", now=c.now)
    assert (quote.offer.points, quote.offer.cash_fen) == (300, 200)
    assert (quote.balance, quote.balance_after, quote.needs_manager) == (1050, 750, False)
    r = redeem(c, m, "bag", expected_points=300, cash_fen=200)
    assert (r.points, r.cash_fen, r.balance, r.issued_code) == (300, 200, 750, None)
    assert c.balance(m) == 750
    with c.sql() as conn:
        entries = conn.execute(
            "SELECT kind, points FROM ledger_entries WHERE redemption_id = ?", (r.redemption_id,)
        ).fetchall()
    assert entries == [("gift_redemption", -300)]
    row = redemption_row(c, r.redemption_no)
    assert (row["points"], row["cash_fen"], row["status"]) == (300, 200, "completed")
    assert check_books(c.db) == []


@pytest.mark.parametrize(
    "stale",
    [
        pytest.param({"expected_points": 250}, id="points"),
        pytest.param({"expected_points": 300, "cash_fen": 100}, id="cash"),
    ],
)
def test_a_stale_price_is_refused_and_nothing_written(
    supermarket: Counter, stale: dict[str, int]
) -> None:
    c = supermarket
    load(c)
    m = member(c, 1000)
    before = c.counts(ALL_TABLES)
    with pytest.raises(StaleQuote):
        redeem(c, m, "bag", **stale)
    assert c.counts(ALL_TABLES) == before
    assert stock(c, "bag") == 100
    assert c.balance(m) == 1050


def test_a_quote_from_before_a_campaign_started_is_stale(supermarket: Counter) -> None:
    c = supermarket
    load(c)
    m = member(c, 2000)
    shown = quote_redemption(c.db, member_id=m, gift_code="oil", now=at(2026, 11, 30, 23, 58))
    before = c.counts(ALL_TABLES)
    with pytest.raises(StaleQuote, match="800"):
        redeem(c, m, "oil", now=at(2026, 12, 1, 0, 1), expected_points=shown.offer.points)
    assert c.counts(ALL_TABLES) == before


# Limits -------------------------------------------------------------------------------------
def test_the_bag_is_one_per_member_per_calendar_month(supermarket: Counter) -> None:
    c = supermarket
    load(c)
    m, other = member(c, 2000), member(c, 2000)
    redeem(c, m, "bag", now=at(2026, 3, 2, 10, 0))
    end_of_month = at(2026, 3, 31, 23, 59)
    assert offer(c, m, "bag", end_of_month).blockers == ("limit of 1 per month reached",)
    assert offer(c, other, "bag", end_of_month).blockers == ()
    before = c.counts(ALL_TABLES)
    with pytest.raises(InvalidInput, match="limit of 1 per month reached"):
        redeem(c, m, "bag", now=end_of_month)
    assert c.counts(ALL_TABLES) == before
    # April starts at midnight Shanghai time (16:00 UTC the day before)
    next_month = at(2026, 4, 1, 0, 1)
    assert offer(c, m, "bag", next_month).blockers == ()
    redeem(c, m, "bag", now=next_month)
    assert offer(c, m, "bag", next_month).blockers == ("limit of 1 per month reached",)
    assert c.balance(m, next_month) == SUPERMARKET_SIGNUP + 2000 - 600
    assert stock(c, "bag") == 98


def test_a_cancelled_redemption_does_not_count_towards_the_limit(supermarket: Counter) -> None:
    c = supermarket
    load(c)
    m = member(c, 2000)
    r = redeem(c, m, "bag")
    cancel(c, r.redemption_no)
    assert offer(c, m, "bag").blockers == ()
    redeem(c, m, "bag")


def test_low_stock_allows_one_per_member_until_cancelled(supermarket: Counter) -> None:
    c = supermarket
    load(c)
    m, other = member(c, 5000), member(c, 5000)
    oil = offer(c, m, "oil")
    assert (oil.stock, oil.low_stock, oil.blockers) == (5, True, ())
    assert offer(c, None, "tissue").low_stock is False
    r = redeem(c, m, "oil")
    assert offer(c, m, "oil").blockers == ("stock is low: 1 per member",)
    before = c.counts(ALL_TABLES)
    with pytest.raises(InvalidInput, match="stock is low: 1 per member"):
        redeem(c, m, "oil")
    assert c.counts(ALL_TABLES) == before
    assert offer(c, other, "oil").blockers == ()
    redeem(c, other, "oil")
    cancel(c, r.redemption_no)
    assert offer(c, m, "oil").blockers == ()
    redeem(c, m, "oil")
    assert stock(c, "oil") == 3


def test_the_low_stock_cap_comes_from_the_program(counter_factory: Callable[..., Counter]) -> None:
    c = counter_factory(program_with_gift_rules("supermarket", low_stock_member_limit=2))
    load(c)
    m = member(c, 5000)
    redeem(c, m, "oil")
    redeem(c, m, "oil")
    assert offer(c, m, "oil").blockers == ("stock is low: 2 per member",)


# Stock --------------------------------------------------------------------------------------
def test_the_last_unit_goes_once(supermarket: Counter) -> None:
    c = supermarket
    load(c, gift_toml("last", 100, stock=1, low_stock=0))
    first, second = member(c, 500), member(c, 500)
    redeem(c, first, "last")
    assert stock(c, "last") == 0
    assert offer(c, second, "last").blockers == ("out of stock",)
    assert list_gifts(c.db, member_id=second, now=c.now, affordable_only=True) == []
    before = c.counts(ALL_TABLES)
    with pytest.raises(InvalidInput, match="out of stock"):
        redeem(c, second, "last")
    assert c.counts(ALL_TABLES) == before
    assert stock(c, "last") == 0


@pytest.mark.parametrize("round_", range(3))
def test_two_counters_racing_for_the_last_unit(supermarket: Counter, round_: int) -> None:
    c = supermarket
    load(c, gift_toml("last", 100, stock=1, low_stock=0))
    members = [member(c, 500), member(c, 500)]
    barrier = threading.Barrier(2)
    won: list[Redemption] = []
    lost: list[Exception] = []

    def attempt(member_id: str) -> None:
        barrier.wait()
        try:
            won.append(redeem(c, member_id, "last"))
        except (Conflict, InvalidInput) as exc:
            lost.append(exc)

    threads = [threading.Thread(target=attempt, args=(m,)) for m in members]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(won) == 1
    assert len(lost) == 1
    assert "out of stock" in str(lost[0])
    assert stock(c, "last") == 0
    assert c.count("gift_redemptions") == 1
    assert sorted(c.balance(m) for m in members) == [450, 550]
    assert check_books(c.db) == []


def race(c: Counter, attempts: list[tuple[str, str]]) -> tuple[list[Redemption], list[str]]:
    """Run the redemptions at the same moment, one thread each; (successes, refusals)."""
    barrier = threading.Barrier(len(attempts))
    won: list[Redemption] = []
    lost: list[str] = []

    def attempt(member_id: str, code: str) -> None:
        barrier.wait()
        try:
            won.append(redeem(c, member_id, code))
        except (Conflict, InvalidInput, InsufficientPoints) as exc:
            lost.append(str(exc))

    threads = [threading.Thread(target=attempt, args=a) for a in attempts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return won, lost


def test_one_member_racing_twice_for_a_limited_gift_gets_one(supermarket: Counter) -> None:
    c = supermarket
    load(c)
    m = member(c, 2000)
    won, lost = race(c, [(m, "bag"), (m, "bag")])
    assert (len(won), len(lost)) == (1, 1)
    assert "limit of 1 per month reached" in lost[0]
    assert stock(c, "bag") == 99
    assert c.balance(m) == SUPERMARKET_SIGNUP + 2000 - 300


def test_one_member_racing_for_more_than_the_balance_never_goes_negative(
    supermarket: Counter,
) -> None:
    c = supermarket
    load(c)
    m = member(c, 750)  # 800 points: one tissue (500), not two
    won, lost = race(c, [(m, "tissue"), (m, "tissue"), (m, "tissue")])
    assert (len(won), len(lost)) == (1, 2)
    assert all("needs 200 more points" in text for text in lost)
    assert c.balance(m) == 300
    assert stock(c, "tissue") == 39
    assert check_books(c.db) == []


# Balance ------------------------------------------------------------------------------------
def test_a_redemption_never_takes_the_balance_below_zero(supermarket: Counter) -> None:
    c = supermarket
    load(c)
    m = member(c, 400)
    assert offer(c, m, "tissue").blockers == ("needs 50 more points",)
    before = c.counts(ALL_TABLES)
    with pytest.raises(InsufficientPoints, match="needs 50 more points"):
        redeem(c, m, "tissue")
    assert c.counts(ALL_TABLES) == before
    assert c.balance(m) == 450
    assert stock(c, "tissue") == 40
    c.give(m, 50)
    r = redeem(c, m, "tissue")
    assert r.balance == 0
    assert c.balance(m) == 0
    assert lots(c, m) == [0, 0, 0]
    assert offer(c, m, "bag").blockers == ("needs 300 more points",)
    assert check_books(c.db) == []


def test_the_balance_drops_by_exactly_the_price(supermarket: Counter) -> None:
    c = supermarket
    load(c)
    m = member(c, 10_000)
    expected = SUPERMARKET_SIGNUP + 10_000
    for code, price in [("tissue", 500), ("video-month", 1200), ("coupon-30-100", 1500)]:
        quote = quote_redemption(c.db, member_id=m, gift_code=code, now=c.now)
        assert (quote.balance, quote.balance_after) == (expected, expected - price)
        r = redeem(c, m, code)
        expected -= price
        assert r.balance == expected
        assert c.balance(m) == expected
    assert sum(lots(c, m)) == expected == 6850
    assert check_books(c.db) == []


# Vouchers and coupons -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("program", "catalogue", "code", "days"),
    [
        ("supermarket", SUPERMARKET_GIFTS, "video-month", 90),
        ("supermarket", SUPERMARKET_GIFTS, "coupon-30-100", 30),
        ("hotel", HOTEL_GIFTS, "breakfast", 90),
    ],
)
def test_non_physical_gifts_issue_a_code(
    counter_factory: Callable[..., Counter], program: str, catalogue: str, code: str, days: int
) -> None:
    c = counter_factory(program)
    load(c, catalogue)
    m = member(c, 3000)
    r = redeem(c, m, code)
    assert r.issued_code is not None
    assert len(r.issued_code) == 12
    assert set(r.issued_code) <= CODE_ALPHABET
    assert r.valid_until == c.now + dt.timedelta(days=days)
    assert redemption_row(c, r.redemption_no)["issued_code"] == r.issued_code
    assert redeem(c, m, code).issued_code != r.issued_code


def test_a_coupon_gift_creates_a_coupon(supermarket: Counter) -> None:
    c = supermarket
    load(c)
    m = member(c, 2000)
    r = redeem(c, m, "coupon-30-100")
    assert (r.coupon_value_fen, r.coupon_min_spend_fen) == (3000, 10000)
    with c.sql() as conn:
        rows = conn.execute(
            "SELECT code, redemption_id, member_id, value_fen, min_spend_fen, valid_until, status "
            "FROM coupons"
        ).fetchall()
    assert rows == [
        (
            r.issued_code,
            r.redemption_id,
            m,
            3000,
            10000,
            to_db(c.now + dt.timedelta(days=30)),
            "issued",
        )
    ]


def test_physical_gifts_issue_no_code(supermarket: Counter) -> None:
    c = supermarket
    load(c)
    m = member(c, 2000)
    r = redeem(c, m, "tissue")
    assert (r.issued_code, r.valid_until, r.coupon_value_fen) == (None, None, None)
    assert redemption_row(c, r.redemption_no)["issued_code"] is None
    assert c.count("coupons") == 0


# Manager approval ---------------------------------------------------------------------------
@pytest.fixture
def strict_store(counter_factory: Callable[..., Counter]) -> Counter:
    c = counter_factory(program_with_gift_rules("supermarket", manager_approval_over_points=1000))
    load(c)
    return c


def test_a_big_redemption_needs_a_manager(strict_store: Counter) -> None:
    c = strict_store
    m = member(c, 5000)
    assert quote_redemption(c.db, member_id=m, gift_code="video-month", now=c.now).needs_manager
    # 1000 is not over 1000
    assert not quote_redemption(c.db, member_id=m, gift_code="oil", now=c.now).needs_manager
    before = c.counts(ALL_TABLES)
    with pytest.raises(ApprovalRequired):
        redeem(c, m, "video-month")
    assert c.counts(ALL_TABLES) == before
    with pytest.raises(PermissionDenied) as err:
        redeem(c, m, "video-month", approver=c.cashier)
    assert not isinstance(err.value, ApprovalRequired)
    assert c.counts(ALL_TABLES) == before
    r = redeem(c, m, "video-month", approver=c.manager)
    assert r.points == 1200
    assert redemption_row(c, r.redemption_no)["approved_by"] == c.manager.staff_id
    with c.sql() as conn:
        audits = conn.execute(
            "SELECT staff_id, target, details FROM audit_log WHERE action = 'gift.approved'"
        ).fetchall()
    assert len(audits) == 1
    assert audits[0][:2] == (c.manager.staff_id, r.redemption_no)
    assert json.loads(audits[0][2]) == {"points": 1200, "cashier": c.cashier.staff_id}
    assert c.balance(m) == SUPERMARKET_SIGNUP + 5000 - 1200


def test_no_approval_at_or_under_the_limit(strict_store: Counter) -> None:
    c = strict_store
    m = member(c, 5000)
    r = redeem(c, m, "oil")
    assert redemption_row(c, r.redemption_no)["approved_by"] is None
    # the campaign price (960) is what counts
    q = quote_redemption(c.db, member_id=m, gift_code="video-month", now=ANNIVERSARY)
    assert (q.offer.points, q.needs_manager) == (960, False)
    redeem(c, m, "video-month", now=ANNIVERSARY)
    with c.sql() as conn:
        assert conn.execute(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'gift.approved'"
        ).fetchone() == (0,)


# Cancel -------------------------------------------------------------------------------------
def test_cancel_puts_points_back_into_their_lots_and_the_unit_back(supermarket: Counter) -> None:
    c = supermarket
    load(c)
    m = member(c, 1000)
    c.give(m, 1000)
    assert lots(c, m) == [50, 1000, 1000]
    r = redeem(c, m, "video-month")
    assert lots(c, m) == [0, 0, 850]
    assert stock(c, "video-month") == 199
    later = c.now + dt.timedelta(hours=2)
    result = cancel_redemption(
        c.db,
        actor=c.cashier,
        redemption_no=r.redemption_no,
        reason="  member changed mind ",
        now=later,
    )
    assert (result.points_restored, result.balance) == (1200, 2050)
    assert lots(c, m) == [50, 1000, 1000]
    assert c.balance(m) == 2050
    assert stock(c, "video-month") == 200
    row = redemption_row(c, r.redemption_no)
    assert (row["status"], row["cancel_reason"], row["cancelled_by"]) == (
        "cancelled",
        "member changed mind",
        c.cashier.staff_id,
    )
    assert row["cancelled_at"] == to_db(later)
    assert c.count("gift_redemptions") == 1
    with c.sql() as conn:
        entries = conn.execute(
            "SELECT kind, points FROM ledger_entries WHERE redemption_id = ? ORDER BY id",
            (r.redemption_id,),
        ).fetchall()
    assert entries == [("gift_redemption", -1200), ("gift_refund", 1200)]
    assert check_books(c.db) == []


def test_cancel_voids_an_unused_coupon(supermarket: Counter) -> None:
    c = supermarket
    load(c)
    m = member(c, 2000)
    r = redeem(c, m, "coupon-30-100")
    cancel(c, r.redemption_no.lower())
    with c.sql() as conn:
        assert conn.execute("SELECT status FROM coupons").fetchall() == [("void",)]
    assert c.balance(m) == 2050
    assert stock(c, "coupon-30-100") == 1000


def test_cancelling_twice_is_a_conflict(supermarket: Counter) -> None:
    c = supermarket
    load(c)
    m = member(c, 2000)
    r = redeem(c, m, "tissue")
    cancel(c, r.redemption_no)
    before = c.counts(ALL_TABLES)
    with pytest.raises(Conflict, match="already cancelled"):
        cancel(c, r.redemption_no)
    assert c.counts(ALL_TABLES) == before
    assert c.balance(m) == 2050
    assert stock(c, "tissue") == 40


def test_a_redemption_whose_coupon_was_used_cannot_be_cancelled(supermarket: Counter) -> None:
    c = supermarket
    load(c)
    m = member(c, 2000)
    r = redeem(c, m, "coupon-30-100")
    with c.sql() as conn:
        conn.execute("UPDATE coupons SET status = 'used' WHERE code = ?", (r.issued_code,))
        conn.commit()
    before = c.counts(ALL_TABLES)
    with pytest.raises(Conflict, match="already used"):
        cancel(c, r.redemption_no)
    assert c.counts(ALL_TABLES) == before
    assert redemption_row(c, r.redemption_no)["status"] == "completed"
    assert c.balance(m) == 550
    assert stock(c, "coupon-30-100") == 999


@pytest.mark.parametrize("reason", ["", "no", "  a b  ", None])
def test_a_cancel_needs_a_reason(supermarket: Counter, reason: str | None) -> None:
    c = supermarket
    load(c)
    m = member(c, 2000)
    r = redeem(c, m, "tissue")
    before = c.counts(ALL_TABLES)
    with pytest.raises(InvalidInput) as err:
        cancel(c, r.redemption_no, reason)  # type: ignore[arg-type]
    assert err.value.field == "reason"
    assert c.counts(ALL_TABLES) == before


def test_cancelling_an_unknown_redemption_is_not_found(supermarket: Counter) -> None:
    with pytest.raises(NotFound):
        cancel(supermarket, "G-S01-D1-999999")


# Listing ------------------------------------------------------------------------------------
def codes(offers: list[GiftOffer]) -> list[str]:
    return [o.code for o in offers]


def test_list_gifts_filters(supermarket: Counter) -> None:
    c = supermarket
    load(c)
    m = member(c, 1000)

    def listed(**kwargs: object) -> list[str]:
        return codes(list_gifts(c.db, member_id=m, now=c.now, **kwargs))  # type: ignore[arg-type]

    everything = ["bag", "tissue", "oil", "video-month", "coupon-30-100", "kettle", "tablet"]
    assert listed() == everything
    assert listed(category="daily") == ["bag", "tissue"]
    assert listed(category="none") == []
    assert listed(search="抽纸") == ["tissue"]
    assert listed(search="  KETTLE ") == ["kettle"]
    assert listed(search="electric") == ["kettle"]
    assert listed(search="优惠券") == ["coupon-30-100"]
    assert listed(search="5L") == ["oil"]
    assert listed(affordable_only=True) == ["bag", "tissue", "oil"]
    assert listed(max_points=1000) == ["bag", "tissue", "oil"]
    assert listed(max_points=299) == []
    assert listed(category="daily", max_points=400) == ["bag"]
    assert codes(list_gifts(c.db, member_id=None, now=c.now)) == everything
    # during the campaign prices drop, so the cheaper list widens
    assert codes(list_gifts(c.db, member_id=m, now=ANNIVERSARY, max_points=1000)) == [
        "bag",
        "tissue",
        "oil",
        "video-month",
    ]


def test_inactive_gifts_are_hidden_unless_asked_for(supermarket: Counter) -> None:
    c = supermarket
    load(c)
    load(c, gift_toml("tissue", 500, active=False, stock=40))
    m = member(c, 1000)
    assert "tissue" not in codes(list_gifts(c.db, member_id=m, now=c.now))
    everything = list_gifts(c.db, member_id=m, now=c.now, include_inactive=True)
    tissue = next(o for o in everything if o.code == "tissue")
    assert tissue.blockers == ("this gift is not available now",)
    assert "tissue" not in codes(
        list_gifts(c.db, member_id=m, now=c.now, include_inactive=True, affordable_only=True)
    )
    before = c.counts(ALL_TABLES)
    with pytest.raises(InvalidInput, match="not available"):
        redeem(c, m, "tissue")
    assert c.counts(ALL_TABLES) == before


def test_an_unknown_gift_is_not_found(supermarket: Counter) -> None:
    c = supermarket
    load(c)
    m = member(c, 1000)
    with pytest.raises(NotFound):
        redeem(c, m, "unicorn")
    with pytest.raises(NotFound):
        quote_redemption(c.db, member_id=m, gift_code="unicorn", now=c.now)


# Outbox -------------------------------------------------------------------------------------
def test_each_redemption_and_cancel_emits_one_event(supermarket: Counter) -> None:
    c = supermarket
    load(c)
    m = member(c, 5000)
    first = redeem(c, m, "bag")
    second = redeem(c, m, "tissue")
    cancel(c, first.redemption_no)
    redeemed, cancelled = events(c, "gift.redeemed"), events(c, "gift.cancelled")
    assert len(redeemed) == 2
    assert len(cancelled) == 1
    assert [e["stock_change"] for e in redeemed] == [-1, -1]
    assert [e["redemption"]["redemption_no"] for e in redeemed] == [  # type: ignore[index]
        first.redemption_no,
        second.redemption_no,
    ]
    assert redeemed[0]["redemption"]["cash_fen"] == 200  # type: ignore[index]
    assert [[x["points"] for x in e["entries"]] for e in redeemed] == [[-300], [-500]]  # type: ignore[union-attr]
    assert cancelled[0]["stock_change"] == 1
    assert cancelled[0]["redemption_id"] == first.redemption_id
    assert [x["points"] for x in cancelled[0]["entries"]] == [300]  # type: ignore[union-attr]
    # refused requests emit nothing
    with pytest.raises(InvalidInput):
        redeem(c, m, "kettle")
    with pytest.raises(Conflict):
        cancel(c, first.redemption_no)
    assert (len(events(c, "gift.redeemed")), len(events(c, "gift.cancelled"))) == (2, 1)


# Property -----------------------------------------------------------------------------------
PROPERTY_STOCK = {"one": 1, "two": 2, "bag": 3, "coupon": 2, "dear": 4}
PROPERTY_CATALOGUE = gift_catalogue(
    gift_toml("one", 300, stock=1, low_stock=0),
    gift_toml("two", 700, stock=2, low_stock=2),
    gift_toml("bag", 100, stock=3, low_stock=0, per_member_limit=1, limit_period="day"),
    gift_toml("coupon", 400, kind="coupon", stock=2, low_stock=0, valid_days=10)
    + '[gifts.coupon]\nvalue = "5"\n',
    gift_toml("dear", 1500, stock=4, low_stock=0, min_tier="silver"),
)
STEP = st.one_of(
    st.tuples(
        st.just("redeem"),
        st.integers(0, 2),
        st.sampled_from(sorted(PROPERTY_STOCK)),
    ),
    st.tuples(st.just("cancel"), st.integers(0, 20), st.just("")),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=st.lists(STEP, min_size=1, max_size=14))
def test_random_redemptions_and_cancels_keep_stock_and_books_straight(
    counter_factory: Callable[..., Counter], steps: list[tuple[str, int, str]]
) -> None:
    c = counter_factory("supermarket")
    load(c, PROPERTY_CATALOGUE)
    members = [member(c, 0), member(c, 900), member(c, 3000)]
    set_tier(c, members[2], "silver")
    done: list[Redemption] = []
    cancelled: set[str] = set()
    for i, (action, n, code) in enumerate(steps):
        now = c.now + dt.timedelta(minutes=i)
        before = c.counts(ALL_TABLES)
        if action == "redeem":
            m = members[n]
            blockers = offer(c, m, code, now).blockers
            try:
                done.append(redeem(c, m, code, now=now))
            except (InvalidInput, InsufficientPoints, Conflict) as exc:
                assert blockers, f"refused without a blocker: {exc}"
                assert c.counts(ALL_TABLES) == before
            else:
                assert blockers == ()
        elif done:
            r = done[n % len(done)]
            try:
                cancel_redemption(
                    c.db,
                    actor=c.cashier,
                    redemption_no=r.redemption_no,
                    reason="test cancel",
                    now=now,
                )
            except Conflict:
                assert r.redemption_no in cancelled
                assert c.counts(ALL_TABLES) == before
            else:
                assert r.redemption_no not in cancelled
                cancelled.add(r.redemption_no)
        live = [r for r in done if r.redemption_no not in cancelled]
        for gift, imported in PROPERTY_STOCK.items():
            left = stock(c, gift)
            assert left >= 0
            assert left == imported - sum(r.gift_code == gift for r in live)
        start = {members[0]: 50, members[1]: 950, members[2]: 3050}
        for m, opening in start.items():
            spent = sum(r.points for r in live if redemption_member(c, r) == m)
            assert c.balance(m, now) == opening - spent >= 0
        assert check_books(c.db) == []


def redemption_member(c: Counter, r: Redemption) -> str:
    return str(redemption_row(c, r.redemption_no)["member_id"])
