"""A spend above the offline floor asks HQ first; without an answer the offline rule decides."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from pos_app.errors import OfflineLimit
from pos_app.services import remote
from pos_app.services.checkout import CartLine
from sync.authorize import authorize_spend
from sync.client import HQClient
from tests.hq.conftest import TokenFactory
from tests.hq.server import free_port, running_hq
from tests.hq.stores import make_store, sync


@pytest.fixture
def hq_url(hq: Engine) -> Iterator[str]:
    with running_hq(hq) as url:
        yield url


def test_hq_approves_what_the_chain_balance_covers_and_refuses_the_rest(
    hq: Engine, hq_url: str, device_token: TokenFactory, tmp_path: Path
) -> None:
    token = device_token("S01", "T1")
    store = make_store(tmp_path, "S01", "T1", hq_url)
    member = store.register()
    store.give(member.id, 5000)
    assert sync(store, hq_url, token).ok
    with HQClient(hq_url, token) as client:
        yes = authorize_spend(store.db, client, member.id, 4000, clock=lambda: store.now)
        no = authorize_spend(store.db, client, member.id, 9000, clock=lambda: store.now)
    assert yes.approved is True and yes.hq_balance == store.balance(member.id)
    assert no.approved is False and "points across the chain" in no.reason


def test_no_answer_means_offline_and_the_floor_applies(
    hq: Engine, device_token: TokenFactory, tmp_path: Path
) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    store = make_store(tmp_path, "S01", "T1", dead)
    member = store.register()
    store.give(member.id, 10000)
    with HQClient(dead, "x" * 40, timeout=1) as client:
        answer = authorize_spend(store.db, client, member.id, 3000, clock=lambda: store.now)
    assert answer.approved is None
    assert remote.sync_state(store.db).offline
    floor = store.program.definition.offline.max_redemption_points
    with pytest.raises(OfflineLimit, match="per redemption"):
        store.sell(member.id, [CartLine("daily", 200000)], offset=floor + 1000)
    # at or under the floor the sale goes ahead offline
    store.sell(member.id, [CartLine("daily", 200000)], offset=floor)
