"""HQ's change feed applied to a store: members, cards, other devices' ledger entries,
programs, gifts and stock; one transaction per page with the cursor; idempotent."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import re
import tomllib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import CheckConstraint

from pos_app.db.models import LedgerEntry
from pos_app.errors import InvalidInput
from pos_app.program import bundled_program, bundled_program_text, lot_expiry, program_from_dict
from pos_app.services.checkout import CartLine
from pos_app.services.doctor import check_books
from pos_app.services.gifts import import_catalogue, list_gifts, redeem_gift
from pos_app.services.ledger import ENTRY_KINDS
from pos_app.services.members import find_by_card, find_by_phone, view_member
from pos_app.services.remote import (
    ApplyResult,
    BadChange,
    apply_changes,
    record_round,
    reset_cursor,
    set_hq_url,
    sync_state,
)
from tests.conftest import QUIET_DAY, WRITTEN_TABLES, Counter, at, make_counter

LATER = QUIET_DAY + dt.timedelta(hours=1)
#: every table a page of changes may write, and the feed cursor
TABLES = (
    *WRITTEN_TABLES,
    "gifts",
    "gift_tier_prices",
    "gift_stock",
    "program_versions",
    "tiers",
    "sync_state",
)


# Changes as HQ's feed sends them ---------------------------------------------------------------
def member_change(
    cursor: int,
    member_id: str,
    *,
    name: str = "李四",
    phone: str | None = "13911112222",
    tier: str = "normal",
    status: str = "active",
    referrer_id: str | None = None,
) -> dict[str, Any]:
    return {
        "cursor": cursor,
        "kind": "member",
        "origin": "S02/T1",
        "data": {
            "id": member_id,
            "name": name,
            "phone": phone,
            "tier_code": tier,
            "status": status,
            "home_store": "S02",
            "referrer_id": referrer_id,
            "created_at": at(2026, 2, 1, 9).isoformat(),
        },
    }


def card_change(cursor: int, card_no: str, member_id: str, status: str = "active") -> dict:
    return {
        "cursor": cursor,
        "kind": "card",
        "origin": "S02/T1",
        "data": {"card_no": card_no, "member_id": member_id, "status": status},
    }


def entry_change(
    cursor: int,
    member_id: str,
    points: int,
    *,
    kind: str | None = None,
    created_at: dt.datetime = QUIET_DAY,
    entry_id: str | None = None,
    store: str = "S02",
    device: str = "T1",
) -> dict[str, Any]:
    return {
        "cursor": cursor,
        "kind": "ledger",
        "origin": f"{store}/{device}",
        "data": {
            "entry_id": entry_id or str(uuid.uuid4()),
            "member_id": member_id,
            "kind": kind or ("earn" if points > 0 else "offset"),
            "points": points,
            "balance_after": 12345,  # the origin's figure: never used here
            "created_at": created_at.isoformat(),
            "business_day": created_at.date().isoformat(),
            "staff_id": str(uuid.uuid4()),  # a staff member of the other store
            "reason": "from another store",
            "store_code": store,
            "device_code": device,
        },
    }


def apply(
    c: Counter, changes: list[dict[str, Any]], next_cursor: int | None = None, now=LATER
) -> ApplyResult:
    cursor = next_cursor if next_cursor is not None else max(ch["cursor"] for ch in changes)
    return apply_changes(c.db, changes, next_cursor=cursor, now=now)


def remote_member(c: Counter, cursor: int = 1, phone: str = "13911112222") -> str:
    member_id = str(uuid.uuid4())
    apply(c, [member_change(cursor, member_id, phone=phone)])
    return member_id


def snapshot(c: Counter, tables: tuple[str, ...] = TABLES) -> dict[str, list[tuple]]:
    with c.sql() as conn:
        return {t: sorted(map(tuple, conn.execute(f"SELECT * FROM {t}"))) for t in tables}


def ledger_row(c: Counter, entry_id: str) -> dict[str, Any]:
    with c.sql() as conn:
        conn.row_factory = lambda cur, row: {
            d[0]: v for d, v in zip(cur.description, row, strict=True)
        }
        return conn.execute("SELECT * FROM ledger_entries WHERE uuid = ?", (entry_id,)).fetchone()


def lots(c: Counter, member_id: str) -> list[tuple[int, int, str | None]]:
    """(points, remaining, expires_at) of the member's lots, oldest first."""
    with c.sql() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                "SELECT points, remaining, expires_at FROM points_lots WHERE member_id = ? "
                "ORDER BY id",
                (member_id,),
            )
        ]


def outbox_entries(c: Counter) -> list[dict[str, Any]]:
    with c.sql() as conn:
        payloads = [json.loads(r[0]) for r in conn.execute("SELECT payload FROM outbox_events")]
    return [e for p in payloads for e in p.get("entries", [])]


# Members and cards -----------------------------------------------------------------------------
def test_a_member_and_card_from_another_store_are_found_at_this_counter(
    supermarket: Counter,
) -> None:
    c = supermarket
    member_id = str(uuid.uuid4())
    result = apply(c, [member_change(7, member_id), card_change(8, "8800009001", member_id)])
    assert (result.applied, result.skipped, result.cursor) == (2, 0, 8)
    assert result.members == {member_id}
    view = find_by_card(c.db, "8800009001", now=LATER)
    assert (view.id, view.name, view.balance, view.tier_code) == (member_id, "李四", 0, "normal")
    assert find_by_phone(c.db, "13911112222", now=LATER).id == member_id
    # no event goes back to HQ for what came from HQ
    assert c.count("outbox_events") == 0


def test_an_update_changes_the_details_but_never_the_balance(supermarket: Counter) -> None:
    c = supermarket
    member_id = remote_member(c)
    apply(c, [entry_change(2, member_id, 300)])
    apply(
        c,
        [member_change(3, member_id, name="李四四", phone="13922223333", tier="gold")],
    )
    view = view_member(c.db, member_id, now=LATER)
    assert (view.name, view.tier_code, view.balance) == ("李四四", "gold", 300)
    assert find_by_phone(c.db, "13922223333", now=LATER).id == member_id
    apply(c, [member_change(4, member_id, status="frozen")])
    assert view_member(c.db, member_id, now=LATER).status == "frozen"
    assert check_books(c.db) == []


def test_a_card_reported_lost_elsewhere_is_blocked_here(supermarket: Counter) -> None:
    c = supermarket
    member_id = remote_member(c)
    apply(c, [card_change(2, "8800009001", member_id), card_change(3, "8800009002", member_id)])
    apply(c, [card_change(4, "8800009001", member_id, status="lost")])
    with pytest.raises(InvalidInput, match="lost"):
        find_by_card(c.db, "8800009001", now=LATER)
    assert find_by_card(c.db, "8800009002", now=LATER).id == member_id


def test_hq_decides_who_owns_a_phone_registered_twice_offline(supermarket: Counter) -> None:
    """The same phone registered here while offline and elsewhere first: HQ kept the other
    registration (this one's event is rejected and shown), so the phone moves to HQ's member
    and the local member keeps its points but no phone."""
    c = supermarket
    local = c.register(phone="13811110000")
    hq_member = str(uuid.uuid4())
    apply(c, [member_change(5, hq_member, phone="13811110000")])
    assert find_by_phone(c.db, "13811110000", now=LATER).id == hq_member
    with c.sql() as conn:
        phone, balance = conn.execute(
            "SELECT phone, balance FROM members WHERE id = ?", (local.id,)
        ).fetchone()
    assert phone is None
    assert balance == c.balance(local.id) > 0  # the sign-up bonus stays with the ledger


# Ledger entries --------------------------------------------------------------------------------
def test_another_devices_entry_keeps_its_uuid_origin_and_day(supermarket: Counter) -> None:
    c = supermarket
    member_id = remote_member(c)
    earned = at(2026, 2, 28, 21, 30)
    change = entry_change(2, member_id, 480, created_at=earned, store="S07", device="T3")
    apply(c, [change])
    row = ledger_row(c, change["data"]["entry_id"])
    assert row["kind"] == "earn" and row["points"] == 480
    assert (row["store_code"], row["device_code"]) == ("S07", "T3")
    assert row["business_day"] == "2026-02-28"
    assert row["balance_after"] == 480  # this store's figure, not the origin's
    assert row["staff_id"] is None and row["sale_id"] is None and row["redemption_id"] is None
    assert row["reason"] == "from another store"
    # the lot expires by the program's rule for when it was earned (end of next year)
    expiry = lot_expiry(c.program, earned)
    assert expiry is not None
    assert lots(c, member_id) == [
        (480, 480, expiry.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f"))
    ]
    assert c.balance(member_id, LATER) == 480
    assert check_books(c.db) == []


def test_this_devices_own_entries_coming_back_are_skipped(supermarket: Counter) -> None:
    c = supermarket
    m = c.register()
    c.give(m.id, 1000)
    c.sell(m.id, [CartLine("food", 20000)], offset=500)
    entries = outbox_entries(c)
    assert len(entries) == 4  # signup, adjustment, offset, earn
    before = snapshot(c)
    echoes = [
        {
            "cursor": i,
            "kind": "ledger",
            "origin": "S01/D1",
            "data": {**e, "store_code": "S01", "device_code": "D1"},
        }
        for i, e in enumerate(entries, start=1)
    ]
    result = apply(c, echoes)
    assert (result.applied, result.skipped) == (0, 4)
    after = snapshot(c)
    assert after.pop("sync_state") != before.pop("sync_state")  # only the cursor moved
    assert after == before


def test_the_same_page_twice_changes_nothing(supermarket: Counter) -> None:
    c = supermarket
    m1, m2 = str(uuid.uuid4()), str(uuid.uuid4())
    page = [
        member_change(1, m1),
        card_change(2, "8800009001", m1),
        member_change(3, m2, phone="13933334444", referrer_id=m1),
        entry_change(4, m1, 900),
        entry_change(5, m2, 200, kind="signup_bonus"),
        entry_change(6, m1, -300),
        entry_change(7, m1, 100, kind="referral_bonus"),
    ]
    apply(c, page)
    first = snapshot(c)
    again = apply(c, copy.deepcopy(page), now=LATER + dt.timedelta(minutes=5))
    assert (again.applied, again.skipped) == (3, 4)  # members and card applied, entries skipped
    assert snapshot(c) == first
    assert c.balance(m1, LATER) == 700
    assert check_books(c.db) == []


def test_the_cursor_is_stored_with_the_page(supermarket: Counter) -> None:
    c = supermarket
    assert sync_state(c.db).cursor == 0
    member_id = remote_member(c, cursor=41)
    assert sync_state(c.db).cursor == 41
    # an empty page moves the cursor too (changes HQ filtered out for this store)
    apply_changes(c.db, [], next_cursor=60, now=LATER)
    assert sync_state(c.db).cursor == 60
    with pytest.raises(BadChange):
        apply(c, [entry_change(61, member_id, 10), entry_change(62, member_id, 0)], 62)
    assert sync_state(c.db).cursor == 60
    assert c.balance(member_id, LATER) == 0


def _bad_pages(member_id: str) -> list[tuple[dict[str, Any], str]]:
    good = entry_change(12, member_id, 50)
    naive = entry_change(12, member_id, 50)
    naive["data"]["created_at"] = "2026-03-02T10:00:00"
    kind = entry_change(12, member_id, 50)
    kind["data"]["kind"] = "gift"
    text_points = entry_change(12, member_id, 50)
    text_points["data"]["points"] = "50"
    missing = entry_change(12, member_id, 50)
    del missing["data"]["entry_id"]
    return [
        (entry_change(12, str(uuid.uuid4()), 50), "no member"),
        (entry_change(12, member_id, 0), "at least one point"),
        (naive, "timezone"),
        (kind, "unknown kind"),
        (text_points, "valid integer"),
        (missing, "data.entry_id"),
        ({**good, "kind": "coupon"}, "kind"),
        ({"cursor": 12, "kind": "ledger"}, "data"),
        (card_change(12, "8800009001", str(uuid.uuid4())), "no member"),
        (card_change(12, "8800/01", member_id), "not a card number"),
        (member_change(12, str(uuid.uuid4()), phone="12345"), "phone"),
        (member_change(12, str(uuid.uuid4()), status="gone"), "status"),
        (member_change(12, str(uuid.uuid4()), referrer_id=str(uuid.uuid4())), "no member"),
        (
            {
                "cursor": 12,
                "kind": "stock",
                "data": {
                    "gift_code": "nope",
                    "store_code": "S01",
                    "quantity": 3,
                    "low_threshold": 1,
                },
            },
            "no gift",
        ),
        ({"cursor": 12, "kind": "gift", "data": {"code": "x", "name": "X"}}, "data.kind"),
        (
            {
                "cursor": 12,
                "kind": "program",
                "data": {
                    "code": "supermarket",
                    "version": 2,
                    "digest": "0" * 64,
                    "definition_json": "{}",
                },
            },
            "not valid",
        ),
    ]


@pytest.mark.parametrize("case", range(16))
def test_a_bad_change_in_the_middle_writes_nothing(supermarket: Counter, case: int) -> None:
    c = supermarket
    member_id = remote_member(c, cursor=10, phone="13955556666")
    bad, words = _bad_pages(member_id)[case]
    before = snapshot(c)
    page = [
        member_change(11, str(uuid.uuid4()), phone="13966667777"),
        entry_change(11, member_id, 70),
        bad,
        entry_change(13, member_id, 30),
    ]
    with pytest.raises(BadChange) as info:
        apply(c, page, 13)
    assert info.value.cursor == 12
    assert "cursor 12" in info.value.message and words in info.value.message
    assert snapshot(c) == before


def test_the_bad_change_list_is_all_tested() -> None:
    assert len(_bad_pages(str(uuid.uuid4()))) == 16


def test_a_remote_debit_takes_the_first_expiring_lot_first_and_may_go_negative(
    supermarket: Counter,
) -> None:
    c = supermarket
    member_id = remote_member(c)
    # earned 2025 (expires 2027-01-01) and 2026 (expires 2028-01-01), arriving newest first
    apply(
        c,
        [
            entry_change(2, member_id, 400, created_at=at(2026, 2, 1, 10)),
            entry_change(3, member_id, 300, created_at=at(2025, 6, 1, 10)),
        ],
    )
    apply(c, [entry_change(4, member_id, -350, kind="gift_redemption")])
    assert [(p, r) for p, r, _e in lots(c, member_id)] == [(400, 350), (300, 0)]
    assert c.balance(member_id, LATER) == 350
    # more than the lots hold: HQ accepted it, so the balance goes below zero
    apply(c, [entry_change(5, member_id, -500)])
    assert [(p, r) for p, r, _e in lots(c, member_id)] == [(400, 0), (300, 0)]
    assert c.balance(member_id, LATER) == -150
    assert check_books(c.db) == []
    # no expiry entry, no outbox event: nothing written but the entries themselves
    with c.sql() as conn:
        kinds = [r[0] for r in conn.execute("SELECT kind FROM ledger_entries ORDER BY id")]
    assert kinds == ["earn", "earn", "gift_redemption", "offset"]
    assert c.count("outbox_events") == 0


def test_a_remote_debit_takes_lots_already_past_expiry_first(supermarket: Counter) -> None:
    c = supermarket
    member_id = remote_member(c)
    apply(c, [entry_change(2, member_id, 300, created_at=at(2024, 5, 1, 10))])  # due 2026-01-01
    apply(c, [entry_change(3, member_id, 200)])
    apply(c, [entry_change(4, member_id, -100, kind="expiry")])
    assert [(p, r) for p, r, _e in lots(c, member_id)] == [(300, 200), (200, 200)]
    assert check_books(c.db) == []


def test_a_remote_credit_repays_a_negative_balance_first(supermarket: Counter) -> None:
    c = supermarket
    member_id = remote_member(c)
    apply(c, [entry_change(2, member_id, -200, kind="reversal")])
    assert c.balance(member_id, LATER) == -200 and lots(c, member_id) == []
    apply(c, [entry_change(3, member_id, 150)])
    assert c.balance(member_id, LATER) == -50 and lots(c, member_id) == []
    apply(c, [entry_change(4, member_id, 80, kind="gift_refund")])
    assert c.balance(member_id, LATER) == 30
    assert [(p, r) for p, r, _e in lots(c, member_id)] == [(30, 30)]
    assert check_books(c.db) == []


def test_local_spending_after_remote_entries_uses_them(supermarket: Counter) -> None:
    c = supermarket
    m = c.register(card="8800001001")
    apply(c, [entry_change(1, m.id, 950)])
    sale = c.sell(m.id, [CartLine("food", 10000)], offset=1000, now=LATER)
    assert sale.quote.offset_points == 1000
    assert c.balance(m.id, LATER) == 50 - 1000 + 950 + sale.quote.earn_points
    assert check_books(c.db) == []


# Programs, gifts and stock ---------------------------------------------------------------------
def program_change(cursor: int, data: dict[str, Any]) -> dict[str, Any]:
    program = program_from_dict(data)
    return {
        "cursor": cursor,
        "kind": "program",
        "origin": None,
        "data": {
            "code": program.code,
            "version": program.version,
            "digest": program.digest,
            "definition_json": program.to_json(),
        },
    }


def supermarket_v2(max_redemption: int = 1000) -> dict[str, Any]:
    data = tomllib.loads(bundled_program_text("supermarket"))
    data["program"]["version"] = 2
    data["offline"]["max_redemption_points"] = max_redemption
    return data


def active_program(c: Counter) -> tuple[str, int]:
    with c.sql() as conn:
        return tuple(
            conn.execute("SELECT code, version FROM program_versions WHERE active = 1").fetchone()
        )


def test_a_program_from_hq_is_installed_and_activated_once(supermarket: Counter) -> None:
    c = supermarket
    change = program_change(3, supermarket_v2())
    assert apply(c, [change]).applied == 1
    assert active_program(c) == ("supermarket", 2)
    with c.sql() as conn:
        row = conn.execute(
            "SELECT staff_id, details FROM audit_log WHERE action = 'program.install' "
            "ORDER BY id DESC"
        ).fetchone()
    assert row[0] is None and json.loads(row[1])["source"] == "hq"
    before = snapshot(c)
    again = apply(c, [change])
    assert (again.applied, again.skipped) == (0, 1)
    assert snapshot(c) == before


def test_entries_after_a_program_in_the_same_page_follow_its_rules(supermarket: Counter) -> None:
    c = supermarket
    member_id = remote_member(c)
    data = supermarket_v2()
    data["expiry"] = {"policy": "rolling_months", "months": 6}
    earned = at(2026, 3, 1, 12)
    apply(c, [program_change(2, data), entry_change(3, member_id, 100, created_at=earned)])
    assert lots(c, member_id) == [(100, 100, "2026-09-01 04:00:00.000000")]


def test_every_kind_of_entry_the_table_allows_is_accepted() -> None:
    constraint = next(
        ck
        for ck in LedgerEntry.__table__.constraints
        if isinstance(ck, CheckConstraint) and str(ck.sqltext).startswith("kind IN")
    )
    assert set(re.findall(r"'(\w+)'", str(constraint.sqltext))) == set(ENTRY_KINDS)


def test_a_version_stored_before_the_offline_section_is_the_same_version(
    supermarket: Counter,
) -> None:
    c = supermarket
    data = json.loads(c.program.to_json())
    del data["offline"]  # as a store installed it before the section existed
    old_text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    with c.sql() as conn:
        conn.execute(
            "UPDATE program_versions SET definition_json = ?, digest = ?",
            (old_text, hashlib.sha256(old_text.encode()).hexdigest()),
        )
        conn.commit()
    change = program_change(3, tomllib.loads(bundled_program_text("supermarket")))
    assert (apply(c, [change]).skipped, active_program(c)) == (1, ("supermarket", 1))


def test_a_program_version_with_other_rules_is_refused(supermarket: Counter) -> None:
    c = supermarket
    apply(c, [program_change(3, supermarket_v2(1000))])
    before = snapshot(c)
    with pytest.raises(BadChange, match="different rules"):
        apply(c, [program_change(4, supermarket_v2(1500))])
    assert snapshot(c) == before


def test_a_program_whose_digest_does_not_match_is_refused(supermarket: Counter) -> None:
    c = supermarket
    change = program_change(3, supermarket_v2())
    change["data"]["digest"] = "f" * 64
    with pytest.raises(BadChange, match="digest"):
        apply(c, [change])
    assert active_program(c) == ("supermarket", 1)


def test_a_bad_program_definition_names_its_field(supermarket: Counter) -> None:
    c = supermarket
    data = supermarket_v2()
    data["offline"]["max_hours"] = -1
    definition = json.dumps(data, default=str)
    change = {
        "cursor": 9,
        "kind": "program",
        "data": {
            "code": "supermarket",
            "version": 2,
            "digest": "0" * 64,
            "definition_json": definition,
        },
    }
    with pytest.raises(BadChange, match=r"offline\.max_hours"):
        apply(c, [change])
    assert active_program(c) == ("supermarket", 1)


def gift_change(cursor: int, **fields: Any) -> dict[str, Any]:
    gift = {
        "code": "umbrella",
        "name": "雨伞",
        "name_en": "Umbrella",
        "kind": "physical",
        "category": "home",
        "points": 800,
        "tier_points": {"gold": 600},
    }
    gift.update(fields)
    return {"cursor": cursor, "kind": "gift", "origin": None, "data": gift}


def stock_change(cursor: int, quantity: int, store: str = "S01", code: str = "umbrella") -> dict:
    return {
        "cursor": cursor,
        "kind": "stock",
        "origin": None,
        "data": {"gift_code": code, "store_code": store, "quantity": quantity, "low_threshold": 2},
    }


def umbrella(c: Counter, member_id: str | None = None):  # type: ignore[no-untyped-def]
    offers = list_gifts(c.db, member_id=member_id, now=LATER, include_inactive=True)
    return next(o for o in offers if o.code == "umbrella")


def test_gifts_and_this_stores_stock_come_from_hq(supermarket: Counter) -> None:
    c = supermarket
    result = apply(c, [gift_change(1), stock_change(2, 9, store="S02"), stock_change(3, 4)])
    assert (result.applied, result.skipped) == (2, 1)  # another store's stock is not ours
    offer = umbrella(c)
    assert (offer.points, offer.stock, offer.name_en) == (800, 4, "Umbrella")
    with c.sql() as conn:
        assert conn.execute("SELECT COUNT(*) FROM gift_stock").fetchone()[0] == 1
    apply(c, [gift_change(4, points=900, active=False), stock_change(5, 0)])
    offer = umbrella(c)
    assert (offer.points, offer.stock) == (900, 0)
    assert "inactive" in [b.code for b in offer.blockers]


def test_a_gift_with_an_unknown_tier_price_is_refused(supermarket: Counter) -> None:
    c = supermarket
    with pytest.raises(BadChange, match=r"data\.tier_points\.platinum"):
        apply(c, [gift_change(1, tier_points={"platinum": 100})])
    assert c.count("gifts") == 0


def test_stock_from_hq_keeps_this_devices_redemptions_hq_has_not_heard_of(
    supermarket: Counter,
) -> None:
    c = supermarket
    apply(c, [gift_change(1), stock_change(2, 5)])
    m = c.register()
    c.give(m.id, 2000)
    redeem_gift(c.db, actor=c.cashier, member_id=m.id, gift_code="umbrella", now=LATER)
    assert umbrella(c).stock == 4
    # HQ has not got the redemption yet: its figure is still 5
    apply(c, [stock_change(3, 5)])
    assert umbrella(c).stock == 4
    with c.sql() as conn:
        conn.execute("UPDATE outbox_events SET status = 'acked'")
        conn.commit()
    apply(c, [stock_change(4, 4)])
    assert umbrella(c).stock == 4


def test_catalogue_import_still_sets_stock(supermarket: Counter) -> None:
    c = supermarket
    text = (
        '[[gifts]]\ncode = "umbrella"\nname = "雨伞"\nkind = "physical"\npoints = 800\nstock = 7\n'
    )
    import_catalogue(c.db, actor=c.manager, text=text, now=LATER)
    assert umbrella(c).stock == 7


# Sync state ------------------------------------------------------------------------------------
def test_a_new_store_is_standalone_at_cursor_zero(supermarket: Counter) -> None:
    state = sync_state(supermarket.db)
    assert (state.hq_url, state.cursor, state.feed_schema, state.linked) == (None, 0, 1, False)
    assert state.offline_since is None and not state.offline


def test_hq_url_is_checked_and_can_be_removed(supermarket: Counter) -> None:
    c = supermarket
    assert set_hq_url(c.db, " https://hq.example.com:8443/ ").hq_url == (
        "https://hq.example.com:8443"
    )
    for bad in ("hq.example.com", "ftp://hq", "https://", ""):
        with pytest.raises(InvalidInput) as info:
            set_hq_url(c.db, bad)
        assert info.value.field == "hq_url"
    assert sync_state(c.db).hq_url == "https://hq.example.com:8443"
    assert set_hq_url(c.db, None).linked is False


def test_rounds_track_the_offline_spell(supermarket: Counter) -> None:
    c = supermarket
    set_hq_url(c.db, "https://hq.example.com")
    t0 = QUIET_DAY
    state = record_round(c.db, ok=True, error=None, now=t0, pushed=3, pulled=10)
    assert (state.last_ok_at, state.last_push_at, state.last_pull_at) == (t0, t0, t0)
    assert (state.pushed_total, state.pulled_total, state.offline) == (3, 10, False)
    t1 = t0 + dt.timedelta(minutes=1)
    state = record_round(c.db, ok=False, error="connection refused", now=t1)
    assert (state.offline_since, state.last_error, state.offline) == (
        t1,
        "connection refused",
        True,
    )
    t2 = t1 + dt.timedelta(minutes=1)
    state = record_round(c.db, ok=False, error="timed out", now=t2, pushed=2)
    assert (state.offline_since, state.last_error) == (t1, "timed out")  # the spell's start
    assert (state.last_push_at, state.last_pull_at, state.pushed_total) == (t2, t0, 5)
    t3 = t2 + dt.timedelta(minutes=1)
    state = record_round(c.db, ok=True, error=None, now=t3)
    assert (state.offline_since, state.last_error, state.last_ok_at) == (None, None, t3)
    assert (state.last_push_at, state.last_pull_at) == (t2, t0)  # nothing moved this time


def test_reset_cursor_starts_the_feed_again_harmlessly(supermarket: Counter) -> None:
    c = supermarket
    member_id = str(uuid.uuid4())
    page = [member_change(1, member_id), entry_change(2, member_id, 500)]
    apply(c, page, 2)
    state = reset_cursor(c.db, feed_schema=2)
    assert (state.cursor, state.feed_schema) == (0, 2)
    before = snapshot(c)
    apply(c, page, 2)  # the refetch brings the same changes again
    after = snapshot(c)
    assert after.pop("sync_state") != before.pop("sync_state")
    assert after == before


# The books stay right whatever arrives ----------------------------------------------------------
@contextmanager
def fresh_counter(folder: Path) -> Iterator[Counter]:
    c = make_counter(folder / f"{uuid.uuid4().hex}.sqlite3", bundled_program("supermarket"))
    try:
        yield c
    finally:
        c.db.close()


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("remote-apply")


OPS = st.lists(
    st.one_of(
        st.tuples(st.just("sale"), st.integers(0, 2), st.integers(1, 500), st.booleans()),
        st.tuples(st.just("credit"), st.integers(0, 2), st.integers(1, 3000), st.integers(-800, 5)),
        st.tuples(st.just("debit"), st.integers(0, 2), st.integers(1, 3000), st.integers(-800, 5)),
        st.tuples(st.just("echo"), st.integers(0, 2), st.just(0), st.just(0)),
        st.tuples(st.just("replay"), st.integers(0, 2), st.just(0), st.just(0)),
        st.tuples(st.just("later"), st.integers(0, 2), st.integers(1, 400), st.just(0)),
    ),
    min_size=1,
    max_size=14,
)


def expiry_points(c: Counter, member_id: str) -> int:
    with c.sql() as conn:
        return int(
            conn.execute(
                "SELECT COALESCE(SUM(points), 0) FROM ledger_entries "
                "WHERE member_id = ? AND kind = 'expiry'",
                (member_id,),
            ).fetchone()[0]
        )


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=OPS)
def test_books_hold_after_any_mix_of_local_sales_and_remote_entries(
    store_dir: Path, ops: list[tuple[str, int, int, Any]]
) -> None:
    with fresh_counter(store_dir) as c:
        members = [c.register(name=f"会员{i}", phone=f"1371234000{i}").id for i in range(2)] + [
            remote_member(c, cursor=1, phone="13911112222")
        ]
        expected = {m: c.balance(m) for m in members}
        now = c.now
        cursor = 1
        pages: list[list[dict[str, Any]]] = []
        for op, who, amount, extra in ops:
            member_id = members[who]
            if op == "later":
                now += dt.timedelta(days=amount)
                continue
            if op == "sale":
                expired = expiry_points(c, member_id)
                sale = c.sell(
                    member_id,
                    [CartLine("food", amount * 100)],
                    offset="max" if extra else 0,
                    now=now,
                )
                bonus = (
                    sum(e.points for e in sale.tier_change.bonus_entries) if sale.tier_change else 0
                )
                # an offset expires due lots first (an expiry entry of its own)
                expected[member_id] += (
                    sale.quote.earn_points
                    - sale.quote.offset_points
                    + bonus
                    + expiry_points(c, member_id)
                    - expired
                )
            elif op in ("credit", "debit"):
                cursor += 1
                points = amount if op == "credit" else -amount
                page = [
                    entry_change(
                        cursor, member_id, points, created_at=now + dt.timedelta(days=extra)
                    )
                ]
                apply(c, page, cursor, now=now)
                pages.append(page)
                expected[member_id] += points
            elif op == "echo":
                own = outbox_entries(c)
                cursor += 1
                page = [
                    {
                        "cursor": cursor,
                        "kind": "ledger",
                        "origin": "S01/D1",
                        "data": {**e, "store_code": "S01", "device_code": "D1"},
                    }
                    for e in own
                ]
                assert apply(c, page, cursor, now=now).applied == 0
            elif op == "replay" and pages:
                assert apply(c, pages[who % len(pages)], cursor, now=now).applied == 0
            assert check_books(c.db) == []
            with c.sql() as conn:
                for m in members:
                    balance = conn.execute(
                        "SELECT balance FROM members WHERE id = ?", (m,)
                    ).fetchone()[0]
                    assert balance == expected[m]
