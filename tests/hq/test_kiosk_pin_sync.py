"""A kiosk on its own machine is a pull-only node: a PIN set at a counter reaches it
through HQ (as a hash, never the PIN), and the kiosk sends HQ nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from pos_app.db.raw import Tx
from pos_app.services import outbox
from pos_app.services.kiosk import KioskRefused, enter_by_phone
from pos_app.services.member_pin import set_member_pin
from pos_app.services.outbox import emit
from sync.client import HQClient
from sync.runner import pull_all
from tests.conftest import Counter
from tests.hq.conftest import TokenFactory
from tests.hq.server import running_hq
from tests.hq.stores import make_store, sync

PHONE = "13800138000"


@pytest.fixture
def hq_url(hq: Engine) -> Iterator[str]:
    with running_hq(hq) as url:
        yield url


def pull_only(kiosk: Counter, url: str, token: str) -> int:
    with HQClient(url, token, timeout=10) as client:
        return pull_all(kiosk.db, client, clock=lambda: kiosk.now)


def hq_pin_hash(hq: Engine, member_id: str) -> str | None:
    with hq.connect() as conn:
        return conn.execute(
            text("SELECT pin_hash FROM hq_members WHERE id = :id"), {"id": member_id}
        ).scalar_one()


def test_a_pin_set_at_a_counter_reaches_a_kiosk_on_another_machine(
    hq: Engine, hq_url: str, device_token: TokenFactory, tmp_path: Path
) -> None:
    counter_token, kiosk_token = device_token("S01", "T1"), device_token("S01", "K1")
    counter = make_store(tmp_path, "S01", "T1", hq_url)
    kiosk = make_store(tmp_path, "S01", "K1", hq_url)
    member = counter.register(name="张伟", phone=PHONE, card="8800001001")
    counter.give(member.id, 1_500)
    set_member_pin(
        counter.db, actor=counter.cashier, member_id=member.id, pin="2468", now=counter.now
    )
    assert sync(counter, hq_url, counter_token).ok
    with counter.sql() as conn:
        stored = conn.execute("SELECT pin_hash FROM members").fetchone()[0]
    assert hq_pin_hash(hq, member.id) == stored
    with hq.connect() as conn:
        events = [r[0] for r in conn.execute(text("SELECT payload FROM hq_events"))]
    assert events and not any('"2468"' in e for e in events)  # the hash travels, not the PIN

    assert pull_only(kiosk, hq_url, kiosk_token) > 0
    now = kiosk.now
    assert enter_by_phone(kiosk.db, kiosk="K1", phone=PHONE, pin="2468", now=now) == member.id
    assert kiosk.balance(member.id) == counter.balance(member.id)

    # a reset at the counter replaces the PIN at the kiosk
    set_member_pin(counter.db, actor=counter.cashier, member_id=member.id, pin="9753", now=now)
    assert sync(counter, hq_url, counter_token).ok
    pull_only(kiosk, hq_url, kiosk_token)
    later = now + dt.timedelta(minutes=5)
    with pytest.raises(KioskRefused):
        enter_by_phone(kiosk.db, kiosk="K1", phone=PHONE, pin="2468", now=later)
    assert enter_by_phone(kiosk.db, kiosk="K1", phone=PHONE, pin="9753", now=later) == member.id

    # the kiosk wrote nothing for HQ, and HQ has nothing from it
    assert outbox.outbox_summary(kiosk.db).pending == 0
    with hq.connect() as conn:
        from_kiosk = conn.execute(
            text("SELECT COUNT(*) FROM hq_events WHERE device_code = 'K1'")
        ).scalar_one()
    assert from_kiosk == 0


def test_hq_refuses_a_pin_event_without_a_hash(
    hq: Engine, hq_url: str, device_token: TokenFactory, tmp_path: Path
) -> None:
    token = device_token("S01", "T1")
    counter = make_store(tmp_path, "S01", "T1", hq_url)
    member = counter.register(name="张伟", phone=PHONE)
    assert sync(counter, hq_url, token).ok
    with counter.db.write() as s:
        emit(Tx.of(s), "member.pin_set", {"member_id": member.id, "pin_hash": "2468"}, counter.now)
    result = sync(counter, hq_url, token)
    assert result.rejected == 1
    assert hq_pin_hash(hq, member.id) is None
