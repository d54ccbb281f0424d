"""Members: registration, referral, look-up by card and phone, cards, masking, outbox."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re

import pytest

from pos_app.errors import Conflict, InvalidInput, NotFound
from pos_app.services.members import (
    add_card,
    find_by_card,
    find_by_card_or_phone,
    find_by_phone,
    register_member,
    replace_card,
    search_last4,
    view_member,
)
from tests.conftest import QUIET_DAY, Counter, at


def ledger_kinds(counter: Counter, member_id: str) -> list[tuple[str, int]]:
    with counter.sql() as conn:
        return conn.execute(
            "SELECT kind, points FROM ledger_entries WHERE member_id = ? ORDER BY id",
            (member_id,),
        ).fetchall()


# Registration and referral ------------------------------------------------------
def test_registration_credits_signup_bonus(supermarket: Counter) -> None:
    reg = register_member(
        supermarket.db,
        actor=supermarket.cashier,
        name="张三",
        phone="13812345678",
        card="8800001",
        now=QUIET_DAY,
    )
    assert reg.signup_bonus == 50
    assert reg.referral_bonus == 0
    assert reg.referrer_id is None
    assert reg.member.balance == 50
    assert reg.member.tier_code == "normal"
    assert reg.member.status == "active"
    assert reg.member.cards == ("8800001",)
    assert ledger_kinds(supermarket, reg.member.id) == [("signup_bonus", 50)]


def test_referral_by_card_credits_referrer_once(supermarket: Counter) -> None:
    referrer = supermarket.register(name="李四", phone="13900000001", card="8800001")
    reg = register_member(
        supermarket.db,
        actor=supermarket.cashier,
        name="王五",
        phone="13900000002",
        referrer=";8800001?",
        now=QUIET_DAY,
    )
    assert reg.referrer_id == referrer.id
    assert reg.referral_bonus == 100
    assert reg.member.balance == 50
    assert ledger_kinds(supermarket, referrer.id) == [("signup_bonus", 50), ("referral_bonus", 100)]
    assert view_member(supermarket.db, referrer.id, now=QUIET_DAY).balance == 150
    assert ledger_kinds(supermarket, reg.member.id) == [("signup_bonus", 50)]


def test_referral_by_phone_credits_referrer(supermarket: Counter) -> None:
    referrer = supermarket.register(name="李四", phone="13900000001")
    reg = register_member(
        supermarket.db,
        actor=supermarket.cashier,
        name="王五",
        phone="13900000002",
        referrer="+86 139-0000-0001",
        now=QUIET_DAY,
    )
    assert reg.referrer_id == referrer.id
    kinds = ledger_kinds(supermarket, referrer.id)
    assert kinds.count(("referral_bonus", 100)) == 1
    assert view_member(supermarket.db, referrer.id, now=QUIET_DAY).balance == 150


def test_unknown_referrer_is_not_found_and_nothing_is_written(supermarket: Counter) -> None:
    with pytest.raises(NotFound) as err:
        supermarket.register(phone="13900000002", referrer="13900000009")
    assert err.value.field == "referrer"
    with supermarket.sql() as conn:
        assert conn.execute("SELECT COUNT(*) FROM members").fetchone()[0] == 0


# Phone normalisation ---------------------------------------------------------------
PHONE_SPELLINGS = [
    "13812345678",
    "+8613812345678",
    "+86 138 1234 5678",
    "138-1234-5678",
    "0086 138 1234 5678",
    "8613812345678",
    "１３８１２３４５６７８",
    " (138) 1234\u30005678 ",
]


@pytest.mark.parametrize("spelling", PHONE_SPELLINGS)
def test_phone_spelling_at_registration_is_normalised(supermarket: Counter, spelling: str) -> None:
    member = supermarket.register(phone=spelling)
    with supermarket.sql() as conn:
        stored = conn.execute("SELECT phone, phone_last4 FROM members").fetchall()
    assert stored == [("13812345678", "5678")]
    assert find_by_phone(supermarket.db, "13812345678", now=QUIET_DAY).id == member.id


def test_every_phone_spelling_finds_the_same_member(supermarket: Counter) -> None:
    member = supermarket.register(phone="138 1234 5678")
    for spelling in PHONE_SPELLINGS:
        assert find_by_phone(supermarket.db, spelling, now=QUIET_DAY).id == member.id


@pytest.mark.parametrize(
    "spelling",
    ["１３８－１２３４－５６７８", "（１３８）１２３４５６７８", "＋８６ １３８ １２３４ ５６７８"],
    ids=["fw-dash", "fw-brackets", "fw-plus"],
)
def test_full_width_punctuation_in_phone_is_accepted(supermarket: Counter, spelling: str) -> None:
    member = supermarket.register(phone="13812345678")
    assert find_by_phone(supermarket.db, spelling, now=QUIET_DAY).id == member.id


def test_duplicate_phone_in_another_spelling_is_a_conflict(supermarket: Counter) -> None:
    supermarket.register(phone="13812345678")
    with pytest.raises(Conflict) as err:
        supermarket.register(name="李四", phone="+86 138-1234-5678")
    assert err.value.field == "phone"
    assert "138****5678" in err.value.message
    with supermarket.sql() as conn:
        assert conn.execute("SELECT COUNT(*) FROM members").fetchone()[0] == 1
        assert conn.execute("SELECT COUNT(*) FROM ledger_entries").fetchone()[0] == 1


def test_duplicate_card_is_a_conflict_and_nothing_is_written(supermarket: Counter) -> None:
    supermarket.register(phone="13812345678", card="8800001")
    with pytest.raises(Conflict) as err:
        supermarket.register(name="李四", phone="13912345678", card=";8800001?")
    assert err.value.field == "card"
    with supermarket.sql() as conn:
        assert conn.execute("SELECT COUNT(*) FROM members").fetchone()[0] == 1
        assert conn.execute("SELECT COUNT(*) FROM member_cards").fetchone()[0] == 1
        assert conn.execute("SELECT COUNT(*) FROM outbox_events").fetchone()[0] == 1


def test_unknown_phone_is_not_found(supermarket: Counter) -> None:
    with pytest.raises(NotFound) as err:
        find_by_phone(supermarket.db, "13812345678", now=QUIET_DAY)
    assert err.value.field == "phone"


# Cards -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "scanned",
    ["8800001", ";8800001?", "%8800001?", " ;8800001?\r\n", "8800-001", "\x028800001\x03"],
)
def test_find_by_card_strips_magstripe_sentinels(supermarket: Counter, scanned: str) -> None:
    member = supermarket.register(card="8800001")
    found = find_by_card(supermarket.db, scanned, now=QUIET_DAY)
    assert found.id == member.id
    assert found.cards == ("8800001",)


def test_unknown_card_is_not_found(supermarket: Counter) -> None:
    supermarket.register(card="8800001")
    with pytest.raises(NotFound) as err:
        find_by_card(supermarket.db, "8800002", now=QUIET_DAY)
    assert err.value.field == "card"


def test_add_card_attaches_a_second_card(supermarket: Counter) -> None:
    member = supermarket.register(card="8800001")
    view = add_card(
        supermarket.db,
        actor=supermarket.cashier,
        member_id=member.id,
        card=";8800002?",
        now=QUIET_DAY + dt.timedelta(minutes=1),
    )
    assert view.cards == ("8800001", "8800002")
    assert find_by_card(supermarket.db, "8800002", now=QUIET_DAY).id == member.id
    assert find_by_card(supermarket.db, "8800001", now=QUIET_DAY).id == member.id


def test_add_card_already_owned_is_a_conflict(supermarket: Counter) -> None:
    supermarket.register(phone="13812345678", card="8800001")
    other = supermarket.register(name="李四", phone="13912345678")
    with pytest.raises(Conflict):
        add_card(
            supermarket.db,
            actor=supermarket.cashier,
            member_id=other.id,
            card="8800001",
            now=QUIET_DAY,
        )


def test_replace_lost_card_keeps_points_and_blocks_old_card(supermarket: Counter) -> None:
    member = supermarket.register(card="8800001")
    later = QUIET_DAY + dt.timedelta(hours=1)
    view = replace_card(
        supermarket.db,
        actor=supermarket.cashier,
        old_card="8800001",
        new_card="8800009",
        now=later,
    )
    assert view.id == member.id
    assert view.balance == 50
    assert view.cards == ("8800009",)
    with pytest.raises(InvalidInput) as err:
        find_by_card(supermarket.db, ";8800001?", now=later)
    assert err.value.field == "card"
    assert "reported lost" in err.value.message
    found = find_by_card(supermarket.db, "8800009", now=later)
    assert found.id == member.id
    assert found.balance == 50
    with supermarket.sql() as conn:
        assert conn.execute(
            "SELECT status, replaced_by FROM member_cards WHERE card_no = '8800001'"
        ).fetchone() == ("lost", "8800009")


def test_lost_card_cannot_be_used_as_referrer(supermarket: Counter) -> None:
    supermarket.register(card="8800001")
    replace_card(
        supermarket.db,
        actor=supermarket.cashier,
        old_card="8800001",
        new_card="8800009",
        now=QUIET_DAY,
    )
    with pytest.raises(InvalidInput) as err:
        supermarket.register(name="李四", phone="13912345678", referrer="8800001")
    assert err.value.field == "card"


# Partial phone search ------------------------------------------------------------------
def test_search_last4_returns_at_most_8_matching_candidates(supermarket: Counter) -> None:
    prefixes = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152"]
    for i, prefix in enumerate(prefixes):
        supermarket.register(name=f"客人{i:02d}", phone=f"{prefix}{i:04d}4321")
    supermarket.register(name="别人", phone="18800004322")
    found = search_last4(supermarket.db, "4321", now=QUIET_DAY)
    assert len(found) == 8
    assert all(view.masked_phone.endswith("4321") for view in found)
    assert len({view.id for view in found}) == 8
    assert [view.name for view in found] == sorted(view.name for view in found)
    assert search_last4(supermarket.db, "9999", now=QUIET_DAY) == []


@pytest.mark.parametrize("digits", ["432", "43210", "abcd", "", "43 2"])
def test_search_last4_needs_exactly_four_digits(supermarket: Counter, digits: str) -> None:
    with pytest.raises(InvalidInput) as err:
        search_last4(supermarket.db, digits, now=QUIET_DAY)
    assert err.value.field == "phone"


# What the counter shows ------------------------------------------------------------
def test_member_view_masks_name_and_phone(supermarket: Counter) -> None:
    member = supermarket.register(name="张三", phone="13812345678")
    assert member.masked_name == "张*"
    assert member.masked_phone == "138****5678"
    long_name = supermarket.register(name="欧阳娜娜", phone="13912345678")
    assert long_name.masked_name == "欧**"
    english = supermarket.register(name="Anna Smith", phone="13712345678")
    assert english.masked_name == "Anna S."
    found = find_by_phone(supermarket.db, "13812345678", now=QUIET_DAY)
    assert (found.masked_name, found.masked_phone) == ("张*", "138****5678")


def test_expiring_30d_is_exact_at_the_lot_level(hotel: Counter) -> None:
    earned_at = at(2026, 3, 2, 10, 0, 0)
    member = hotel.register(card="8800001", now=earned_at)
    assert member.balance == 200  # hotel sign-up bonus
    expires = at(2028, 3, 2, 10, 0, 0)  # rolling 24 months
    with hotel.sql() as conn:
        (stored,) = conn.execute("SELECT expires_at FROM points_lots").fetchone()
    assert stored == "2028-03-02 02:00:00.000000"  # UTC

    exactly = expires - dt.timedelta(days=30)
    just_before = exactly - dt.timedelta(seconds=1)
    assert view_member(hotel.db, member.id, now=exactly).expiring_30d == 200
    assert view_member(hotel.db, member.id, now=just_before).expiring_30d == 0
    assert find_by_card(hotel.db, "8800001", now=exactly).expiring_30d == 200
    assert find_by_card(hotel.db, "8800001", now=just_before).expiring_30d == 0
    assert find_by_phone(hotel.db, "13812345678", now=exactly).expiring_30d == 200
    assert search_last4(hotel.db, "5678", now=just_before)[0].expiring_30d == 0
    # at the expiry moment the lot is due: not in the balance, not "expiring"
    at_expiry = find_by_card(hotel.db, "8800001", now=expires)
    assert (at_expiry.balance, at_expiry.expiring_30d) == (0, 0)


# Indexes -----------------------------------------------------------------------------
INDEXED_LOOKUPS = [
    "SELECT member_id, status FROM member_cards WHERE card_no = ?",
    "SELECT id, name FROM members WHERE phone = ?",
    "SELECT id, name FROM members WHERE phone_last4 = ?",
]


@pytest.mark.parametrize("sql", INDEXED_LOOKUPS)
def test_member_lookup_uses_an_index(supermarket: Counter, sql: str) -> None:
    supermarket.register(card="8800001")
    with supermarket.sql() as conn:
        plan = " | ".join(row[-1] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, ("x",)))
    assert re.search(r"SEARCH \w+ USING (INDEX|PRIMARY KEY|COVERING INDEX)", plan), plan
    assert "SCAN" not in plan


# Outbox ------------------------------------------------------------------------------
def test_each_registration_writes_one_outbox_event(supermarket: Counter) -> None:
    a = supermarket.register(name="甲", phone="13800000001", card="8800001")
    b = supermarket.register(name="乙", phone="13800000002", referrer="8800001")
    c = supermarket.register(name="丙", phone="13800000003")
    with supermarket.sql() as conn:
        rows = conn.execute(
            "SELECT seq, type, payload, payload_hash, status FROM outbox_events ORDER BY seq"
        ).fetchall()
    assert [r[0] for r in rows] == [1, 2, 3]
    assert [r[1] for r in rows] == ["member.registered"] * 3
    assert {r[4] for r in rows} == {"pending"}
    for _seq, _type, payload, digest, _status in rows:
        assert digest == hashlib.sha256(payload.encode("utf-8")).hexdigest()
    payloads = [json.loads(r[2]) for r in rows]
    assert [p["member"]["id"] for p in payloads] == [a.id, b.id, c.id]
    assert payloads[0]["member"]["card"] == "8800001"
    assert payloads[1]["member"]["referrer_id"] == a.id
    assert [(e["kind"], e["points"], e["member_id"]) for e in payloads[1]["entries"]] == [
        ("signup_bonus", 50, b.id),
        ("referral_bonus", 100, a.id),
    ]


def test_a_field_taking_card_or_phone_finds_both_ways(supermarket: Counter) -> None:
    m = supermarket.register(phone="13912345678", card="8800007777")
    now = supermarket.now
    for typed in ("13912345678", "+86 139-1234-5678", "8800007777"):
        assert find_by_card_or_phone(supermarket.db, typed, now=now).id == m.id
    with pytest.raises(NotFound):
        find_by_card_or_phone(supermarket.db, "8800000000", now=now)
