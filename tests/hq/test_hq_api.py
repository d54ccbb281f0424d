"""HQ's push, pull and authorise on PostgreSQL, through the HTTP API.

Events are built here the way a store's outbox writes them (canonical JSON,
sha256 of the text, gap-free sequence numbers).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from sync.hq.admin import reconcile
from sync.hq.app import create_app
from sync.protocol import PROTOCOL_HEADER
from tests.hq.conftest import NOW, TokenFactory


class Outbox:
    """A device's outbox, as the store writes it."""

    def __init__(self) -> None:
        self.seq = 0

    def event(self, type_: str, payload: dict[str, Any]) -> dict[str, Any]:
        self.seq += 1
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return {
            "event_id": str(uuid.uuid4()),
            "seq": self.seq,
            "type": type_,
            "schema_version": 1,
            "payload": body,
            "payload_hash": hashlib.sha256(body.encode()).hexdigest(),
            "created_at": NOW.isoformat(),
        }


def member(member_id: str, phone: str = "13812345678", card: str | None = "8800001001") -> dict:
    return {
        "member": {
            "id": member_id,
            "name": "张三",
            "phone": phone,
            "card": card,
            "referrer_id": None,
            "tier_code": "normal",
            "home_store": "S01",
            "created_at": NOW.isoformat(),
        },
        "entries": [],
    }


def entry(member_id: str, points: int, kind: str = "earn") -> dict[str, Any]:
    return {
        "entry_id": str(uuid.uuid4()),
        "member_id": member_id,
        "kind": kind,
        "points": points,
        "balance_after": 0,
        "created_at": NOW.isoformat(),
        "business_day": "2026-03-02",
        "staff_id": None,
        "reason": "test",
    }


def headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", PROTOCOL_HEADER: "1"}


def push(
    client: TestClient, token: str, events: list[dict], store: str = "S01", device: str = "T1"
):
    return client.post(
        "/v1/push",
        json={"store_code": store, "device_code": device, "events": events},
        headers=headers(token),
    )


def balance(hq: Engine, member_id: str) -> int:
    with hq.connect() as conn:
        return int(
            conn.execute(
                text("SELECT balance FROM hq_members WHERE id = :id"), {"id": member_id}
            ).scalar_one()
        )


def ledger_count(hq: Engine) -> int:
    with hq.connect() as conn:
        return int(conn.execute(text("SELECT COUNT(*) FROM hq_ledger")).scalar_one())


@pytest.fixture
def client(hq: Engine) -> TestClient:
    return TestClient(create_app(hq, clock=lambda: NOW))


def test_push_applies_each_event_once_and_answers_per_event(
    hq: Engine, client: TestClient, device_token: TokenFactory
) -> None:
    token = device_token("S01", "T1")
    box = Outbox()
    m = str(uuid.uuid4())
    batch = [
        box.event("member.registered", member(m)),
        box.event("sale.completed", {"member_id": m, "entries": [entry(m, 120)]}),
        box.event("gift.redeemed", {"entries": [entry(m, -50, "gift_redemption")]}),
    ]
    first = push(client, token, batch)
    assert first.status_code == 200, first.text
    assert [r["status"] for r in first.json()["results"]] == ["accepted"] * 3
    assert first.json()["acked_through"] == 3
    again = push(client, token, batch)
    assert [r["status"] for r in again.json()["results"]] == ["duplicate"] * 3
    assert again.json()["acked_through"] == 3
    assert balance(hq, m) == 70
    assert ledger_count(hq) == 2
    assert reconcile(hq) == []


def test_the_same_batch_pushed_concurrently_lands_once(
    hq: Engine, client: TestClient, device_token: TokenFactory
) -> None:
    token = device_token("S01", "T1")
    box = Outbox()
    m = str(uuid.uuid4())
    batch = [box.event("member.registered", member(m))]
    batch += [box.event("sale.completed", {"entries": [entry(m, 10)]}) for _ in range(50)]
    answers: list[dict] = []
    barrier = threading.Barrier(4)

    def go() -> None:
        barrier.wait()
        answers.append(push(client, token, batch).json())

    threads = [threading.Thread(target=go) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(answers) == 4
    statuses = [[r["status"] for r in a["results"]] for a in answers]
    assert sum(s.count("accepted") for s in statuses) == 51
    assert all(a["acked_through"] == 51 for a in answers)
    assert balance(hq, m) == 500
    assert ledger_count(hq) == 50
    assert reconcile(hq) == []


def test_same_event_id_with_other_content_is_refused_loudly(
    hq: Engine, client: TestClient, device_token: TokenFactory, caplog: pytest.LogCaptureFixture
) -> None:
    token = device_token("S01", "T1")
    box = Outbox()
    m = str(uuid.uuid4())
    register = box.event("member.registered", member(m))
    sale = box.event("sale.completed", {"entries": [entry(m, 10)]})
    push(client, token, [register, sale])
    forged = dict(sale)
    body = json.dumps({"entries": [entry(m, 9999)]}, sort_keys=True, separators=(",", ":"))
    forged.update(payload=body, payload_hash=hashlib.sha256(body.encode()).hexdigest())
    answer = push(client, token, [forged]).json()
    assert answer["results"][0]["status"] == "rejected"
    assert "different content" in answer["results"][0]["reason"]
    assert "different content" in caplog.text
    assert balance(hq, m) == 10


def test_a_gap_leaves_later_events_pending(
    hq: Engine, client: TestClient, device_token: TokenFactory
) -> None:
    token = device_token("S01", "T1")
    box = Outbox()
    m = str(uuid.uuid4())
    first = box.event("member.registered", member(m))
    second = box.event("sale.completed", {"entries": [entry(m, 10)]})
    third = box.event("sale.completed", {"entries": [entry(m, 20)]})
    answer = push(client, token, [first, third]).json()
    assert [r["seq"] for r in answer["results"]] == [1]
    assert answer["acked_through"] == 1
    answer = push(client, token, [second, third]).json()
    assert [r["status"] for r in answer["results"]] == ["accepted", "accepted"]
    assert balance(hq, m) == 30


def test_a_bad_event_is_rejected_with_a_reason_and_does_not_block_the_next(
    hq: Engine, client: TestClient, device_token: TokenFactory
) -> None:
    token = device_token("S01", "T1")
    box = Outbox()
    m = str(uuid.uuid4())
    unknown = box.event("sale.completed", {"entries": [entry(str(uuid.uuid4()), 10)]})
    tampered = box.event("sale.completed", {"entries": []})
    tampered["payload_hash"] = "0" * 64
    register = box.event("member.registered", member(m))
    answer = push(client, token, [unknown, tampered, register]).json()
    assert [r["status"] for r in answer["results"]] == ["rejected", "rejected", "accepted"]
    assert "unknown member" in answer["results"][0]["reason"]
    assert "hash" in answer["results"][1]["reason"]
    assert answer["acked_through"] == 3
    again = push(client, token, [unknown]).json()
    assert again["results"][0]["status"] == "rejected"  # stays rejected, never "duplicate"
    assert ledger_count(hq) == 0


def test_tokens_stores_and_versions(
    hq: Engine, client: TestClient, device_token: TokenFactory
) -> None:
    token = device_token("S01", "T1")
    other = device_token("S02", "T1")
    assert push(client, "nope-not-a-token", []).status_code == 401
    assert client.post("/v1/push", json={}, headers={PROTOCOL_HEADER: "1"}).status_code == 401
    assert push(client, other, [], store="S01").status_code == 403
    wrong = client.get(
        "/v1/pull", headers={"Authorization": f"Bearer {token}", PROTOCOL_HEADER: "9"}
    )
    assert wrong.status_code == 400
    assert "not supported" in wrong.json()["detail"]
    missing = client.get("/v1/pull", headers={"Authorization": f"Bearer {token}"})
    assert missing.status_code == 400
    assert client.get("/v1/health").json()["protocol"] == 1
    assert client.get("/openapi.json").status_code == 200


def test_pull_pages_in_commit_order_and_scopes_stock(
    hq: Engine, client: TestClient, device_token: TokenFactory
) -> None:
    token_a = device_token("S01", "T1")
    token_b = device_token("S02", "T1")
    box = Outbox()
    m = str(uuid.uuid4())
    push(client, token_a, [box.event("member.registered", member(m))])
    push(
        client, token_a, [box.event("sale.completed", {"entries": [entry(m, 5)]}) for _ in range(7)]
    )
    seen: list[dict] = []
    cursor = 0
    while True:
        page = client.get(
            "/v1/pull", params={"cursor": cursor, "limit": 3}, headers=headers(token_b)
        ).json()
        seen += page["changes"]
        cursor = page["next_cursor"]
        if not page["more"]:
            break
    cursors = [c["cursor"] for c in seen]
    assert cursors == sorted(cursors) and len(set(cursors)) == len(cursors)
    assert [c["kind"] for c in seen] == ["member", "card"] + ["ledger"] * 7
    assert all(c["origin"] == "S01/T1" for c in seen)
    assert seen[2]["data"]["store_code"] == "S01"
    assert page["head"] == cursor
    stale = client.get("/v1/pull", params={"cursor": cursor + 100}, headers=headers(token_b)).json()
    assert stale["refetch"] is True


def test_authorize_uses_hq_balance_less_unacknowledged_spend(
    hq: Engine, client: TestClient, device_token: TokenFactory
) -> None:
    token = device_token("S01", "T1")
    box = Outbox()
    m = str(uuid.uuid4())
    push(client, token, [box.event("member.registered", member(m))])
    push(client, token, [box.event("sale.completed", {"entries": [entry(m, 1000)]})])

    def ask(points: int, unacked: int) -> dict:
        body = {"member_id": m, "points": points, "unacked_points": unacked}
        return client.post("/v1/authorize", json=body, headers=headers(token)).json()

    assert ask(800, 0)["approved"] is True
    refused = ask(800, 300)
    assert refused["approved"] is False and refused["hq_balance"] == 1000


def test_an_overdraft_is_accepted_and_flagged(
    hq: Engine, client: TestClient, device_token: TokenFactory
) -> None:
    token = device_token("S01", "T1")
    box = Outbox()
    m = str(uuid.uuid4())
    push(client, token, [box.event("member.registered", member(m))])
    push(client, token, [box.event("gift.redeemed", {"entries": [entry(m, -300, "gift")]})])
    assert balance(hq, m) == -300
    with hq.connect() as conn:
        flagged = conn.execute(
            text("SELECT overdraft_since FROM hq_members WHERE id = :id"), {"id": m}
        ).scalar_one()
    assert flagged is not None
    push(client, token, [box.event("sale.completed", {"entries": [entry(m, 500)]})])
    with hq.connect() as conn:
        cleared = conn.execute(
            text("SELECT overdraft_since FROM hq_members WHERE id = :id"), {"id": m}
        ).scalar_one()
    assert cleared is None and balance(hq, m) == 200


def test_bad_bodies_are_422_and_change_nothing(
    hq: Engine, client: TestClient, device_token: TokenFactory
) -> None:
    token = device_token("S01", "T1")
    for body in (
        {},
        {"store_code": "S01", "device_code": "T1", "events": [{"seq": 1}]},
        {"store_code": "S01", "device_code": "T1", "events": "x"},
        {"store_code": "S01", "device_code": "T1", "events": [], "extra": 1},
    ):
        answer = client.post("/v1/push", json=body, headers=headers(token))
        assert answer.status_code == 422
    assert client.get("/v1/pull", params={"cursor": -1}, headers=headers(token)).status_code == 422
    assert ledger_count(hq) == 0
    with hq.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM hq_events")).scalar_one() == 0


def test_naive_time_in_an_entry_is_rejected(
    hq: Engine, client: TestClient, device_token: TokenFactory
) -> None:
    token = device_token("S01", "T1")
    box = Outbox()
    m = str(uuid.uuid4())
    bad = entry(m, 10)
    bad["created_at"] = dt.datetime(2026, 3, 2, 10).isoformat()
    answer = push(
        client,
        token,
        [
            box.event("member.registered", member(m)),
            box.event("sale.completed", {"entries": [bad]}),
        ],
    ).json()
    assert [r["status"] for r in answer["results"]] == ["accepted", "rejected"]
    assert balance(hq, m) == 0
