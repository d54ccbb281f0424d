"""The kiosk's services: getting in by card or phone + PIN, lockouts, what a member sees."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from importlib import resources

import pytest

from pos_app.db.raw import Tx
from pos_app.db.store import open_store
from pos_app.errors import AuthenticationFailed, InvalidInput, LockedOut, PermissionDenied
from pos_app.services.checkout import CartLine
from pos_app.services.gifts import import_catalogue, set_stock
from pos_app.services.kiosk import (
    LOOKUP_COOLDOWN,
    MAX_LOOKUP_FAILURES,
    KioskRefused,
    authorize_exit,
    enter_by_card,
    enter_by_phone,
    kiosk_view,
    member_history_page,
)
from pos_app.services.member_pin import MAX_PIN_FAILURES, PIN_LOCKOUT, set_member_pin
from tests.conftest import Counter, at

CARD, PHONE, PIN = "8800001001", "13800138000", "2468"


def _member_with_pin(counter: Counter, phone: str = PHONE, card: str | None = CARD) -> str:
    member = counter.register(name="张伟", phone=phone, card=card)
    set_member_pin(counter.db, actor=counter.cashier, member_id=member.id, pin=PIN, now=counter.now)
    return member.id


def test_card_scan_gets_in_and_shows_balance_and_tier_progress(supermarket: Counter) -> None:
    member = supermarket.register(name="张伟", phone=PHONE, card=CARD)
    supermarket.give(member.id, 1_000)
    supermarket.sell(member.id, [CartLine("daily", 100_000)])  # 1,000 yuan spent
    assert enter_by_card(supermarket.db, kiosk="K1", card=f";{CARD}?", now=supermarket.now) == (
        member.id
    )
    view = kiosk_view(supermarket.db, member.id, now=supermarket.now)
    assert view.masked_name == "张*" and view.masked_phone == "138****8000"
    assert view.balance == supermarket.balance(member.id) > 1_000
    assert (view.tier.code, view.tier.next_code) == ("normal", "silver")
    assert view.tier.spend_fen == 100_000
    assert view.tier.needed_fen == 500_000 - 100_000  # silver at 5,000 yuan


def test_unknown_cards_cool_the_kiosk_down_even_across_a_restart(supermarket: Counter) -> None:
    member_id = _member_with_pin(supermarket)
    now = supermarket.now
    for i in range(MAX_LOOKUP_FAILURES):
        with pytest.raises(KioskRefused) as refused:
            enter_by_card(supermarket.db, kiosk="K1", card=f"99000000{i:02d}", now=now)
        assert refused.value.reason == "unknown"
    # the kiosk now refuses even a real card, and a restart changes nothing
    reopened = open_store(supermarket.db.path)
    try:
        with pytest.raises(KioskRefused) as refused:
            enter_by_card(reopened, kiosk="K1", card=CARD, now=now + dt.timedelta(seconds=30))
        assert refused.value.reason == "cooldown"
        assert 0 < refused.value.wait_s <= LOOKUP_COOLDOWN.total_seconds()
        # another kiosk is not affected
        assert enter_by_card(reopened, kiosk="K2", card=CARD, now=now) == member_id
    finally:
        reopened.close()
    later = now + LOOKUP_COOLDOWN + dt.timedelta(seconds=1)
    assert enter_by_card(supermarket.db, kiosk="K1", card=CARD, now=later) == member_id


def test_garbage_scans_are_refused_without_touching_anything(supermarket: Counter) -> None:
    before = supermarket.count("kiosk_lookup_guard")
    for junk in ("", "12", "<script>", "；；"):
        with pytest.raises(InvalidInput):
            enter_by_card(supermarket.db, kiosk="K1", card=junk, now=supermarket.now)
    assert supermarket.count("kiosk_lookup_guard") == before == 0


def test_wrong_pins_lock_the_member_out_for_a_while(supermarket: Counter) -> None:
    member_id = _member_with_pin(supermarket)
    other = _member_with_pin(supermarket, phone="13900139000", card=None)
    now = supermarket.now
    for attempt in range(1, MAX_PIN_FAILURES):
        step = now + dt.timedelta(minutes=2 * attempt)  # slow enough not to cool the kiosk
        with pytest.raises(KioskRefused) as refused:
            enter_by_phone(supermarket.db, kiosk="K1", phone=PHONE, pin="1357", now=step)
        assert refused.value.reason == "unknown"
        assert refused.value.attempts_left == MAX_PIN_FAILURES - attempt
    last = now + dt.timedelta(minutes=2 * MAX_PIN_FAILURES)
    with pytest.raises(KioskRefused) as refused:
        enter_by_phone(supermarket.db, kiosk="K1", phone=PHONE, pin="1357", now=last)
    assert refused.value.reason == "pin_locked"
    assert isinstance(refused.value, LockedOut | AuthenticationFailed)
    # the right PIN does not help while locked; other members are not locked
    with pytest.raises(KioskRefused) as refused:
        enter_by_phone(supermarket.db, kiosk="K2", phone=PHONE, pin=PIN, now=last)
    assert refused.value.reason == "pin_locked"
    assert refused.value.wait_minutes == PIN_LOCKOUT.seconds // 60
    assert enter_by_phone(supermarket.db, kiosk="K2", phone="13900139000", pin=PIN, now=last) == (
        other
    )
    after = last + PIN_LOCKOUT + dt.timedelta(seconds=1)
    assert enter_by_phone(supermarket.db, kiosk="K3", phone=PHONE, pin=PIN, now=after) == member_id
    with supermarket.sql() as conn:
        actions = [r[0] for r in conn.execute("SELECT action FROM audit_log")]
    assert "kiosk.pin_locked" in actions


def test_unknown_phone_no_pin_and_wrong_pin_look_the_same(supermarket: Counter) -> None:
    _member_with_pin(supermarket)
    supermarket.register(name="李娜", phone="13900139000")  # no kiosk PIN
    now = supermarket.now
    messages = set()
    for phone in ("13700137000", "13900139000", PHONE):
        with pytest.raises(KioskRefused) as refused:
            enter_by_phone(supermarket.db, kiosk=f"K-{phone}", phone=phone, pin="1357", now=now)
        assert refused.value.reason == "unknown"
        messages.add(refused.value.message)
    assert len(messages) == 1
    with pytest.raises(InvalidInput):
        enter_by_phone(supermarket.db, kiosk="K1", phone="12345", pin=PIN, now=now)


def test_set_pin_is_a_staff_action_audited_without_the_pin(supermarket: Counter) -> None:
    member = supermarket.register(name="张伟", phone=PHONE, card=CARD)
    before = supermarket.counts(("members", "outbox_events", "audit_log"))
    for bad in ("12", "1234567", "12a4", "1111", "１２３４"):
        with pytest.raises(InvalidInput):
            set_member_pin(
                supermarket.db,
                actor=supermarket.cashier,
                member_id=member.id,
                pin=bad,
                now=supermarket.now,
            )
    with pytest.raises(InvalidInput) as differ:
        set_member_pin(
            supermarket.db,
            actor=supermarket.cashier,
            member_id=member.id,
            pin=PIN,
            repeat="2469",
            now=supermarket.now,
        )
    assert differ.value.field == "pin_repeat"
    with pytest.raises(PermissionDenied):
        set_member_pin(
            supermarket.db, actor=None, member_id=member.id, pin=PIN, now=supermarket.now
        )  # type: ignore[arg-type]
    assert supermarket.counts(("members", "outbox_events", "audit_log")) == before
    with supermarket.sql() as conn:
        assert conn.execute("SELECT pin_hash FROM members").fetchone()[0] is None
    set_member_pin(
        supermarket.db,
        actor=supermarket.cashier,
        member_id=member.id,
        pin=PIN,
        repeat=PIN,
        now=supermarket.now,
    )
    with supermarket.sql() as conn:
        (stored,) = conn.execute("SELECT pin_hash FROM members").fetchone()
        event = conn.execute(
            "SELECT payload FROM outbox_events WHERE type = 'member.pin_set'"
        ).fetchone()[0]
        audit_rows = conn.execute(
            "SELECT details FROM audit_log WHERE action = 'member.pin_set'"
        ).fetchall()
    assert stored.startswith("scrypt$") and PIN not in stored
    assert json.loads(event) == {
        "member_id": member.id,
        "pin_hash": stored,
        "set_at": supermarket.now.isoformat(),
    }
    assert len(audit_rows) == 1 and PIN not in audit_rows[0][0]


def test_expiring_points_are_shown_with_their_last_day(
    counter_factory: Callable[..., Counter],
) -> None:
    hotel = counter_factory("hotel", now=at(2024, 12, 1, 10))  # 24-month rolling expiry
    member = hotel.register(name="张伟", phone=PHONE, card=CARD)
    signup = hotel.program.definition.bonuses.signup
    hotel.give(member.id, 700, now=at(2024, 12, 20, 15))  # expires 2026-12-20 15:00
    hotel.give(member.id, 900, now=at(2025, 2, 15, 9))  # expires 2027-02-15 09:00
    hotel.give(member.id, 400, now=at(2025, 6, 1, 9))  # beyond 90 days
    view = kiosk_view(hotel.db, member.id, now=at(2026, 12, 2, 10))
    # the sign-up bonus of 2024-12-01 10:00 expired on 2026-12-01: no longer counted
    assert view.balance == 700 + 900 + 400
    assert [(e.last_day, e.points) for e in view.expiring] == [
        (dt.date(2026, 12, 20), 700),
        (dt.date(2027, 2, 15), 900),
    ]
    assert (view.expiring_30d, view.expiring_90d) == (700, 1_600)
    assert signup > 0


def test_chart_has_one_balance_per_month_from_the_ledger(
    counter_factory: Callable[..., Counter],
) -> None:
    store = counter_factory("supermarket", now=at(2025, 1, 10, 10))
    member = store.register(name="张伟", phone=PHONE, card=CARD)  # +50 sign-up in Jan 2025
    store.give(member.id, 1_000, now=at(2025, 5, 31, 23, 30))  # end of May, local time
    store.give(member.id, 200, now=at(2025, 6, 1, 0, 30))
    store.give(member.id, 300, now=at(2026, 3, 2, 9))
    view = kiosk_view(store.db, member.id, now=at(2026, 3, 5, 12))
    months = [p.month for p in view.chart]
    assert len(view.chart) == 12
    assert months[0] == dt.date(2025, 4, 1) and months[-1] == dt.date(2026, 3, 1)
    assert len(set(months)) == 12 and months == sorted(months)
    by_month = {p.month: p.balance for p in view.chart}
    assert by_month[dt.date(2025, 4, 1)] == 50
    assert by_month[dt.date(2025, 5, 1)] == 1_050  # the 23:30 local entry is in May
    assert by_month[dt.date(2025, 6, 1)] == 1_250
    assert by_month[dt.date(2026, 2, 1)] == 1_250
    assert by_month[dt.date(2026, 3, 1)] == 1_550 == view.balance


def test_history_pages_name_the_gift_and_the_receipt(supermarket: Counter) -> None:
    text = (resources.files("resources") / "gifts" / "supermarket.toml").read_text("utf-8")
    import_catalogue(supermarket.db, actor=supermarket.manager, text=text, now=supermarket.now)
    member = supermarket.register(name="张伟", phone=PHONE, card=CARD)
    supermarket.give(member.id, 5_000)
    sale = supermarket.sell(member.id, [CartLine("daily", 20_000)])
    from pos_app.services.gifts import redeem_gift

    redeem_gift(
        supermarket.db,
        actor=supermarket.cashier,
        member_id=member.id,
        gift_code="tissue",
        now=supermarket.now,
    )
    for i in range(5):
        supermarket.give(member.id, 10 + i)
    first = member_history_page(supermarket.db, member.id, page=0, now=supermarket.now, size=4)
    assert (first.total, first.pages, len(first.items)) == (9, 3, 4)
    last = member_history_page(supermarket.db, member.id, page=2, now=supermarket.now, size=4)
    assert [i.kind for i in last.items] == ["signup_bonus"]
    middle = member_history_page(supermarket.db, member.id, page=1, now=supermarket.now, size=4)
    kinds = {i.kind: i for i in middle.items}
    gift = kinds["gift_redemption"]
    assert (gift.detail, gift.detail_en) == ("抽纸一提", "Tissue pack")
    assert gift.number is not None and gift.number.startswith("G-")
    assert kinds["gift_redemption"].points < 0
    assert kinds["earn"].number == sale.receipt_no
    assert kinds["adjustment"].detail == "opening balance for the test"
    assert first.items[0].at.tzinfo is not None
    with pytest.raises(InvalidInput):
        member_history_page(supermarket.db, member.id, page=3, now=supermarket.now, size=4)


def test_affordable_gifts_at_the_member_price_with_low_stock(supermarket: Counter) -> None:
    text = (resources.files("resources") / "gifts" / "supermarket.toml").read_text("utf-8")
    import_catalogue(supermarket.db, actor=supermarket.manager, text=text, now=supermarket.now)
    member = supermarket.register(name="张伟", phone=PHONE, card=CARD)
    supermarket.give(member.id, 1_000 - 50)  # 1,000 with the sign-up bonus
    view = kiosk_view(supermarket.db, member.id, now=supermarket.now)
    codes = {g.code: g for g in view.gifts}
    assert set(codes) == {"tissue", "oil", "bag"}  # kettle needs silver, the rest more points
    assert codes["oil"].low_stock and not codes["tissue"].low_stock
    with supermarket.db.write() as s:
        tx = Tx.of(s)
        gift_id = tx.value("SELECT id FROM gifts WHERE code = 'oil'")
        set_stock(tx, gift_id, "S01", 0, 5, supermarket.now)
    view = kiosk_view(supermarket.db, member.id, now=supermarket.now)
    assert "oil" not in {g.code for g in view.gifts}


def test_only_a_manager_closes_the_kiosk(supermarket: Counter) -> None:
    with pytest.raises(PermissionDenied):
        authorize_exit(supermarket.db, code="1", pin="1111", now=supermarket.now)
    with pytest.raises(AuthenticationFailed):
        authorize_exit(supermarket.db, code="2", pin="0000", now=supermarket.now)
    assert authorize_exit(supermarket.db, code="2", pin="2222", now=supermarket.now) == "经理"
    with supermarket.sql() as conn:
        assert (
            conn.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'kiosk.exit'").fetchone()[0]
            == 1
        )
