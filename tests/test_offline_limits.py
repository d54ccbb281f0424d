"""Floor limits while a linked store cannot reach HQ: per redemption, per device in all,
and nothing after too many hours; HQ's approval lifts them; a standalone store never
has them; a refused spend writes nothing."""

from __future__ import annotations

import copy
import datetime as dt
import tomllib
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from pos_app.errors import OfflineLimit, PosError, ProgramError
from pos_app.program import Program, bundled_program, bundled_program_text, program_from_dict
from pos_app.services.checkout import CartLine, PaymentInput, commit_checkout, quote_checkout
from pos_app.services.doctor import check_books
from pos_app.services.gifts import import_catalogue, redeem_gift
from pos_app.services.offline import offline_allowance
from pos_app.services.remote import apply_changes, record_round, set_hq_url
from tests.conftest import QUIET_DAY, WRITTEN_TABLES, Counter

WENT_OFFLINE = QUIET_DAY
THREE_HOURS = QUIET_DAY + dt.timedelta(hours=3)
TABLES = (*WRITTEN_TABLES, "gift_redemptions", "gift_stock", "coupons")

GIFTS = """
[[gifts]]
code = "pan"
name = "炒锅"
kind = "physical"
points = 1500
stock = 10

[[gifts]]
code = "bike"
name = "自行车"
kind = "physical"
points = 2500
stock = 10
"""


def go_offline(c: Counter, at: dt.datetime = WENT_OFFLINE) -> None:
    set_hq_url(c.db, "https://hq.example.com")
    record_round(c.db, ok=True, error=None, now=at - dt.timedelta(minutes=5))
    record_round(c.db, ok=False, error="connection refused", now=at)


def rich_member(c: Counter, points: int = 50_000, phone: str = "13812345678") -> str:
    m = c.register(phone=phone, now=WENT_OFFLINE - dt.timedelta(days=1))
    c.give(m.id, points, now=WENT_OFFLINE - dt.timedelta(days=1))
    return m.id


def pay_with_points(
    c: Counter, member_id: str, points: int, now: dt.datetime = THREE_HOURS, **kw: Any
) -> int:
    """Commit a 500-yuan sale using ``points``; returns the points used."""
    lines = [CartLine("food", 50_000)]
    quote = quote_checkout(c.db, member_id=member_id, lines=lines, offset_points=points, now=now)
    sale = commit_checkout(
        c.db,
        actor=c.cashier,
        sale_id=str(uuid.uuid4()),
        member_id=member_id,
        lines=lines,
        offset_points=points,
        payments=[PaymentInput("cash", quote.total_due_fen)],
        now=now,
        **kw,
    )
    return sale.quote.offset_points


def redeem(c: Counter, member_id: str, code: str, now: dt.datetime = THREE_HOURS, **kw: Any):  # type: ignore[no-untyped-def]
    return redeem_gift(c.db, actor=c.cashier, member_id=member_id, gift_code=code, now=now, **kw)


def load_gifts(c: Counter) -> None:
    import_catalogue(c.db, actor=c.manager, text=GIFTS, now=WENT_OFFLINE)


def limited_program(**offline: int) -> Program:
    data = tomllib.loads(bundled_program_text("supermarket"))
    data["program"]["version"] = 7
    data["offline"].update(offline)
    return program_from_dict(data)


def refused(c: Counter, attempt: Callable[[], object]) -> OfflineLimit:
    """The attempt raises OfflineLimit and writes nothing."""
    before = c.counts(TABLES)
    with pytest.raises(OfflineLimit) as info:
        attempt()
    assert c.counts(TABLES) == before
    return info.value


# The program's section ---------------------------------------------------------------------------
def test_bundled_programs_state_the_limits() -> None:
    for name in ("supermarket", "hotel"):
        text = bundled_program_text(name)
        assert tomllib.loads(text)["offline"] == {
            "max_redemption_points": 2000,
            "max_device_points": 20000,
            "max_hours": 72,
        }
        limits = bundled_program(name).definition.offline
        assert (limits.max_redemption_points, limits.max_device_points, limits.max_hours) == (
            2000,
            20000,
            72,
        )


def test_the_section_may_be_left_out() -> None:
    data = tomllib.loads(bundled_program_text("hotel"))
    del data["offline"]
    limits = program_from_dict(data).definition.offline
    assert (limits.max_redemption_points, limits.max_device_points, limits.max_hours) == (
        2000,
        20000,
        72,
    )


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"max_hours": -1}, "offline.max_hours", "greater than or equal to 0"),
        ({"max_hours": "72"}, "offline.max_hours", "valid integer"),
        ({"max_device_points": -5}, "offline.max_device_points", "greater than or equal to 0"),
        ({"max_redemption_points": 1.5}, "offline.max_redemption_points", "valid integer"),
        ({"max_points": 10}, "offline.max_points", "not a known field"),
        (
            {"max_redemption_points": 30_000},
            "offline.max_redemption_points",
            "than the device in all",
        ),
    ],
)
def test_bad_limits_name_the_field(change: dict[str, Any], field: str, words: str) -> None:
    data = copy.deepcopy(tomllib.loads(bundled_program_text("supermarket")))
    data["offline"].update(change)
    with pytest.raises(ProgramError) as info:
        program_from_dict(data)
    assert info.value.field == field
    assert words in info.value.message


# Checkout offsets --------------------------------------------------------------------------------
def test_online_a_linked_store_is_not_limited(supermarket: Counter) -> None:
    c = supermarket
    member_id = rich_member(c)
    set_hq_url(c.db, "https://hq.example.com")
    record_round(c.db, ok=True, error=None, now=WENT_OFFLINE)
    assert pay_with_points(c, member_id, 25_000) == 25_000
    assert offline_allowance(c.db, now=THREE_HOURS) is None


def test_a_standalone_store_is_never_limited(supermarket: Counter) -> None:
    c = supermarket
    load_gifts(c)
    member_id = rich_member(c)
    # rounds fail (no HQ to reach), but a store without HQ has nothing to wait for
    record_round(c.db, ok=False, error="no HQ", now=WENT_OFFLINE)
    late = WENT_OFFLINE + dt.timedelta(days=10)
    assert pay_with_points(c, member_id, 25_000, now=late) == 25_000
    assert redeem(c, member_id, "bike", now=late).points == 2500
    assert offline_allowance(c.db, now=late) is None


def test_offline_one_offset_is_held_to_the_per_redemption_limit(supermarket: Counter) -> None:
    c = supermarket
    member_id = rich_member(c)
    go_offline(c)
    error = refused(c, lambda: pay_with_points(c, member_id, 2100))
    assert error.code == "offline_limit" and isinstance(error, PosError)
    assert error.message == (
        "offline for 3 hours: at most 2,000 points per redemption until the store reconnects"
    )
    assert pay_with_points(c, member_id, 2000) == 2000
    assert check_books(c.db) == []


def test_offline_the_device_total_is_held_to_its_limit(counter_factory) -> None:  # type: ignore[no-untyped-def]
    c = counter_factory(limited_program(max_redemption_points=2000, max_device_points=5000))
    member_id = rich_member(c)
    other = rich_member(c, phone="13911112222")
    # spending before the store went offline does not count
    pay_with_points(c, member_id, 2000, now=WENT_OFFLINE - dt.timedelta(minutes=1))
    go_offline(c)
    assert offline_allowance(c.db, now=THREE_HOURS) == 2000
    pay_with_points(c, member_id, 2000)
    pay_with_points(c, other, 2000)  # the limit is the device's, across members
    assert offline_allowance(c.db, now=THREE_HOURS) == 1000
    error = refused(c, lambda: pay_with_points(c, member_id, 1100))
    assert error.message == (
        "offline for 3 hours: this till may let members spend 5,000 points in all until the "
        "store reconnects; 4,000 are spent, 1,000 are left"
    )
    assert pay_with_points(c, member_id, 1000) == 1000
    refused(c, lambda: pay_with_points(c, member_id, 100))
    # earning, adjustments and other devices' spending (pulled from HQ) do not count
    c.give(member_id, 100, now=THREE_HOURS)
    apply_changes(
        c.db,
        [
            {
                "cursor": 1,
                "kind": "ledger",
                "origin": "S01/D2",
                "data": {
                    "entry_id": str(uuid.uuid4()),
                    "member_id": member_id,
                    "kind": "offset",
                    "points": -700,
                    "created_at": THREE_HOURS.isoformat(),
                    "business_day": THREE_HOURS.date().isoformat(),
                    "reason": "",
                    "store_code": "S01",
                    "device_code": "D2",
                },
            }
        ],
        next_cursor=1,
        now=THREE_HOURS,
    )
    assert offline_allowance(c.db, now=THREE_HOURS) == 0


def test_after_max_hours_offline_no_points_can_be_spent(supermarket: Counter) -> None:
    c = supermarket
    member_id = rich_member(c)
    go_offline(c)
    almost = WENT_OFFLINE + dt.timedelta(hours=71, minutes=59)
    assert pay_with_points(c, member_id, 100, now=almost) == 100
    late = WENT_OFFLINE + dt.timedelta(hours=72)
    error = refused(c, lambda: pay_with_points(c, member_id, 100, now=late))
    assert error.message == (
        "offline for 72 hours: no points can be spent after 72 hours offline until the store "
        "reconnects"
    )
    assert offline_allowance(c.db, now=late) == 0
    # a sale without points still goes through
    assert pay_with_points(c, member_id, 0, now=late) == 0


def test_hq_approval_lifts_every_limit(supermarket: Counter) -> None:
    c = supermarket
    member_id = rich_member(c)
    go_offline(c)
    late = WENT_OFFLINE + dt.timedelta(days=5)
    assert pay_with_points(c, member_id, 25_000, now=late, authorized=True) == 25_000
    assert check_books(c.db) == []


def test_reconnecting_ends_the_limits(supermarket: Counter) -> None:
    c = supermarket
    member_id = rich_member(c)
    go_offline(c)
    refused(c, lambda: pay_with_points(c, member_id, 2100))
    record_round(c.db, ok=True, error=None, now=THREE_HOURS)
    assert pay_with_points(c, member_id, 2100) == 2100


def test_short_spells_say_minutes(supermarket: Counter) -> None:
    c = supermarket
    member_id = rich_member(c)
    go_offline(c)
    error = refused(
        c, lambda: pay_with_points(c, member_id, 2100, now=WENT_OFFLINE + dt.timedelta(minutes=1))
    )
    assert error.message.startswith("offline for 1 minute: at most 2,000 points")
    error = refused(
        c, lambda: pay_with_points(c, member_id, 2100, now=WENT_OFFLINE + dt.timedelta(seconds=5))
    )
    assert error.message.startswith("offline for less than a minute:")


# Gifts ---------------------------------------------------------------------------------------
def test_offline_a_gift_is_held_to_the_limits(supermarket: Counter) -> None:
    c = supermarket
    load_gifts(c)
    member_id = rich_member(c)
    go_offline(c)
    error = refused(c, lambda: redeem(c, member_id, "bike"))
    assert error.message == (
        "offline for 3 hours: at most 2,000 points per redemption until the store reconnects"
    )
    assert redeem(c, member_id, "pan").points == 1500
    assert redeem(c, member_id, "bike", authorized=True).points == 2500
    late = WENT_OFFLINE + dt.timedelta(hours=80)
    refused(c, lambda: redeem(c, member_id, "pan", now=late))
    assert check_books(c.db) == []


def test_gifts_count_toward_the_device_total(counter_factory) -> None:  # type: ignore[no-untyped-def]
    c = counter_factory(limited_program(max_redemption_points=2000, max_device_points=3000))
    load_gifts(c)
    member_id = rich_member(c)
    go_offline(c)
    redeem(c, member_id, "pan")
    pay_with_points(c, member_id, 1000)
    assert offline_allowance(c.db, now=THREE_HOURS) == 500
    error = refused(c, lambda: redeem(c, member_id, "pan"))
    assert "2,500 are spent, 500 are left" in error.message
