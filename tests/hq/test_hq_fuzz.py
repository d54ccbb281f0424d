"""Hypothesis against HQ's HTTP API (TestClient on PostgreSQL).

Whatever a client sends (any JSON, any bytes, any headers, any query), HQ answers
without a 5xx and a refused request changes nothing. Well-formed pushes with random
payloads get 200 and a verdict per event (accepted, duplicate, or rejected with a
reason), and HQ's books keep reconciling.

The strategies keep text free of NUL characters and lone surrogates, and values that
HQ writes into a column within that column's type and width: each kind of value
outside that is covered by its own test below.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text

from sync.hq.admin import reconcile, set_device_active
from sync.hq.app import create_app
from sync.protocol import PushResponse
from tests.hq.conftest import NOW, TokenFactory

FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
EVENT_TYPES = (
    "member.registered",
    "member.card_added",
    "member.card_replaced",
    "member.tier_changed",
    "sale.completed",
    "sale.returned",
    "points.adjusted",
    "points.activity",
    "gift.redeemed",
    "gift.cancelled",
)
TIERS = ("normal", "silver", "gold")


def canonical(payload: object) -> str:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def event(seq: int, type_: str, payload_text: str, *, created: str | None = None) -> dict:
    return {
        "event_id": str(uuid.uuid4()),
        "seq": seq,
        "type": type_,
        "schema_version": 1,
        "payload": payload_text,
        "payload_hash": hashlib.sha256(payload_text.encode("utf-8")).hexdigest(),
        "created_at": created or NOW.isoformat(),
    }


def registration(member_id: str, phone: str) -> dict[str, Any]:
    return {
        "member": {
            "id": member_id,
            "name": "张三",
            "phone": phone,
            "tier_code": "normal",
            "home_store": "S01",
            "created_at": NOW.isoformat(),
        },
        "entries": [],
    }


def entry(member_id: str, points: int, entry_id: str | None = None) -> dict[str, Any]:
    return {
        "entry_id": entry_id or str(uuid.uuid4()),
        "member_id": member_id,
        "kind": "adjust",
        "points": points,
        "created_at": NOW.isoformat(),
        "business_day": "2026-03-02",
        "reason": "fuzz",
    }


@dataclass
class World:
    hq: Engine
    client: TestClient
    token: str
    other_store_token: str
    disabled_token: str
    members: list[str]
    phones: list[str]
    entries: list[dict[str, Any]]
    #: event id -> (the event as pushed, its verdict)
    pushed: dict[str, tuple[dict, str]] = field(default_factory=dict)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "X-POS-Protocol": "1"}

    def acked(self) -> int:
        with self.hq.connect() as conn:
            return int(
                conn.execute(
                    text(
                        "SELECT acked_seq FROM hq_devices "
                        "WHERE store_code = 'S01' AND device_code = 'T1'"
                    )
                ).scalar_one()
            )

    def state(self) -> tuple[int, ...]:
        with self.hq.connect() as conn:
            return tuple(
                conn.execute(
                    text(
                        "SELECT (SELECT COUNT(*) FROM hq_events), (SELECT COUNT(*) FROM hq_ledger),"
                        " (SELECT COUNT(*) FROM hq_members), (SELECT COUNT(*) FROM hq_feed),"
                        " (SELECT COUNT(*) FROM hq_cards),"
                        " (SELECT COALESCE(SUM(balance), 0) FROM hq_members),"
                        " (SELECT SUM(acked_seq) FROM hq_devices)"
                    )
                ).one()
            )

    def push(self, events: list[dict], headers: dict[str, str] | None = None) -> Any:
        body = {"store_code": "S01", "device_code": "T1", "events": events}
        # ensure_ascii: NUL and lone surrogates travel as JSON escapes
        return self.client.post(
            "/v1/push",
            content=json.dumps(body).encode(),
            headers={**(headers or self.headers), "Content-Type": "application/json"},
        )


@pytest.fixture
def world(hq: Engine, device_token: TokenFactory) -> Iterator[World]:
    """HQ with three members, some points and a card; tokens good and bad."""
    token = device_token("S01", "T1")
    other = device_token("S02", "T1")
    disabled = device_token("S01", "T9")
    set_device_active(hq, "S01", "T9", False)
    with TestClient(create_app(hq), raise_server_exceptions=False) as client:
        w = World(hq, client, token, other, disabled, [], [], [])
        for i in range(3):
            member_id, phone = str(uuid.uuid4()), f"1380000000{i}"
            w.members.append(member_id)
            w.phones.append(phone)
            payload = registration(member_id, phone)
            payload["member"]["card"] = f"880000100{i}"
            payload["entries"] = [entry(member_id, 500)]
            w.entries += payload["entries"]
            response = w.push([event(i + 1, "member.registered", canonical(payload))])
            assert response.status_code == 200, response.text
            assert response.json()["results"][0]["status"] == "accepted"
        yield w


# -- strategies --------------------------------------------------------------------------

#: text HQ can store: no NUL, no lone surrogates
SAFE_CHARS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
HEADER_CHARS = st.characters(min_codepoint=0x21, max_codepoint=0x7E)


def safe_text(max_size: int) -> st.SearchStrategy[str]:
    return st.text(SAFE_CHARS, max_size=max_size)


JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | safe_text(20)
)
JSON = st.recursive(
    JSON_LEAVES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(safe_text(8), inner, max_size=4),
    max_leaves=12,
)
#: values for fields HQ checks itself (anything goes)
ANY_SMALL = st.none() | st.booleans() | st.integers(-1000, 1000) | safe_text(12)


def times() -> st.SearchStrategy[Any]:
    aware = st.datetimes(
        min_value=dt.datetime(1900, 1, 1),
        max_value=dt.datetime(2100, 1, 1),
        timezones=st.sampled_from(
            [dt.UTC, dt.timezone(dt.timedelta(hours=8)), dt.timezone(dt.timedelta(hours=-11))]
        ),
    ).map(dt.datetime.isoformat)
    naive = st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1)).map(
        dt.datetime.isoformat
    )
    return aware | naive | ANY_SMALL


def envelope_times() -> st.SearchStrategy[str]:
    return st.datetimes(
        min_value=dt.datetime(1900, 1, 1),
        max_value=dt.datetime(2100, 1, 1),
        timezones=st.none() | st.just(dt.UTC) | st.just(dt.timezone(dt.timedelta(hours=8))),
    ).map(dt.datetime.isoformat)


#: ids and phones never used before (hypothesis's own draws repeat simple values a lot)
FRESH_ID = st.builds(lambda: str(uuid.uuid4()))
_PHONES = itertools.count()
FRESH_PHONE = st.builds(lambda: f"1390{next(_PHONES):07d}")


def mostly(valid: st.SearchStrategy[Any], odd: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``valid`` five times in six, else ``odd``."""
    return st.sampled_from((True,) * 5 + (False,)).flatmap(lambda ok: valid if ok else odd)


def shaped(
    fields: dict[str, tuple[st.SearchStrategy[Any], st.SearchStrategy[Any]]],
    optional: dict[str, st.SearchStrategy[Any]],
) -> st.SearchStrategy[dict[str, Any]]:
    """An object with every field valid five times in six; else each field is odd one
    time in six. ``fields``: name -> (valid values, odd values)."""
    valid = st.fixed_dictionaries({k: v for k, (v, _) in fields.items()}, optional=optional)
    odd = st.fixed_dictionaries(
        {k: mostly(v, o) for k, (v, o) in fields.items()}, optional=optional
    )
    return mostly(valid, odd)


def payloads(w: World) -> st.SearchStrategy[Any]:
    """Payloads shaped like the real ones (so that many are applied), with odd values
    where HQ must judge, and now and then not an object at all."""
    existing = st.sampled_from(w.members)
    now = st.just(NOW.isoformat())
    card = st.from_regex(r"\d{6,12}", fullmatch=True)
    member = shaped(
        {
            "id": (FRESH_ID, existing | ANY_SMALL),
            "name": (st.text(SAFE_CHARS, min_size=1, max_size=90), ANY_SMALL),
            "phone": (
                FRESH_PHONE,
                st.none()
                | st.sampled_from(w.phones)
                | st.text(SAFE_CHARS, min_size=1, max_size=11),
            ),
            "tier_code": (st.sampled_from(TIERS), safe_text(40) | ANY_SMALL),
            "created_at": (now, times()),
        },
        optional={
            "status": st.none() | st.sampled_from(("active", "frozen")) | safe_text(16),
            "home_store": st.none() | st.just("S01") | safe_text(16),
            "referrer_id": st.none() | existing | safe_text(36),
            "card": st.none() | card | safe_text(32),
        },
    )
    entry = shaped(
        {
            "entry_id": (
                FRESH_ID,
                st.sampled_from([e["entry_id"] for e in w.entries]) | ANY_SMALL,
            ),
            "member_id": (existing, FRESH_ID | ANY_SMALL),
            "points": (
                st.integers(-(10**6), 10**6).filter(bool),
                ANY_SMALL | st.floats(allow_nan=False),
            ),
            "kind": (st.sampled_from(("earn", "offset", "adjust")), ANY_SMALL),
            "created_at": (now, times()),
            "business_day": (st.dates().map(dt.date.isoformat), ANY_SMALL),
        },
        optional={"reason": ANY_SMALL | safe_text(300)},
    )
    payload = st.fixed_dictionaries(
        {
            "member": mostly(member, ANY_SMALL),
            "entries": mostly(
                st.lists(mostly(entry, ANY_SMALL), min_size=1, max_size=3), ANY_SMALL
            ),
            "member_id": mostly(existing, FRESH_ID | ANY_SMALL),
        },
        optional={
            "card": mostly(card, safe_text(32)),
            "old_card": card | safe_text(32),
            "new_card": card | safe_text(32),
            "status": st.sampled_from(("lost", "replaced")) | safe_text(16),
            "new_tier": mostly(st.sampled_from(TIERS), safe_text(40) | ANY_SMALL),
            "tier_change": st.none()
            | st.lists(st.sampled_from(TIERS) | safe_text(40), min_size=2, max_size=2),
            "extra": JSON,
        },
    )
    return mostly(payload, JSON)


def headers(w: World, *, bad_only: bool) -> st.SearchStrategy[dict[str, str]]:
    tokens = st.sampled_from([w.other_store_token, w.disabled_token, "x" * 43]) | st.text(
        HEADER_CHARS, max_size=50
    )
    bad_auth = (
        tokens.map(lambda t: f"Bearer {t}")
        | st.text(HEADER_CHARS, max_size=60)
        | st.just(f"Basic {w.token}")
        | st.just("Bearer")
    )
    auth = bad_auth if bad_only else bad_auth | st.just(f"Bearer {w.token}")
    protocol = st.just("1") | st.text(HEADER_CHARS, max_size=6)
    good = {"Authorization": f"Bearer {w.token}", "X-POS-Protocol": "1"}
    odd = st.fixed_dictionaries({}, optional={"Authorization": auth, "X-POS-Protocol": protocol})
    if bad_only:
        return st.one_of(
            st.fixed_dictionaries({"Authorization": bad_auth, "X-POS-Protocol": protocol}),
            st.fixed_dictionaries({"X-POS-Protocol": protocol}),
            st.fixed_dictionaries(
                {"Authorization": st.just(good["Authorization"])},
                optional={
                    "X-POS-Protocol": st.text(HEADER_CHARS, min_size=1).filter(
                        lambda p: p.strip() != "1"
                    )
                },
            ),
        )
    return st.just(good) | odd


# -- anything at all ---------------------------------------------------------------------


@FUZZ
@given(data=st.data())
def test_any_request_is_answered_below_500_and_a_refused_one_changes_nothing(
    world: World, data: st.DataObject
) -> None:
    w = world
    endpoint = data.draw(st.sampled_from(("push", "pull", "authorize")), label="endpoint")
    hdrs = data.draw(headers(w, bad_only=False), label="headers")
    before = w.state()
    if endpoint == "pull":
        params = data.draw(
            st.dictionaries(
                st.sampled_from(("cursor", "limit", "feed_schema", "other")),
                st.integers(-(2**64), 2**64).map(str) | st.text(HEADER_CHARS, max_size=10),
                max_size=4,
            ),
            label="params",
        )
        response = w.client.get("/v1/pull", params=params, headers=hdrs)
    else:
        path = f"/v1/{endpoint}"
        if endpoint == "push":
            valid: dict[str, Any] = {
                "store_code": "S01",
                "device_code": "T1",
                "events": [event(w.acked() + 1, "member.registered", canonical({}))],
            }
        else:
            valid = {"member_id": w.members[0], "points": 10, "unacked_points": 0}
        shape = data.draw(st.sampled_from(("json", "mutated", "bytes")), label="shape")
        if shape == "json":
            body = json.dumps(data.draw(JSON, label="body")).encode()
        elif shape == "bytes":
            body = data.draw(st.binary(max_size=200), label="body")
        else:
            target = valid["events"][0] if endpoint == "push" else valid
            key = data.draw(st.sampled_from(sorted(target)), label="key")
            if data.draw(st.booleans(), label="delete"):
                del target[key]
            else:
                target[key] = data.draw(JSON, label="value")
            body = json.dumps(valid).encode()
        content_type = data.draw(
            st.sampled_from(("application/json", "text/plain", "")), label="content-type"
        )
        if content_type != "application/json":
            # not UTF-8 under another content type: see test_a_body_that_is_not_utf8_is_a_4xx
            body = body.decode("utf-8", "replace").encode()
        response = w.client.post(path, content=body, headers={**hdrs, "Content-Type": content_type})
    assert response.status_code < 500, response.text
    if response.status_code >= 400 or endpoint != "push":
        assert w.state() == before, f"{response.status_code} {response.text}"


@FUZZ
@given(data=st.data())
def test_a_push_with_a_bad_token_or_protocol_is_refused_and_changes_nothing(
    world: World, data: st.DataObject
) -> None:
    w = world
    hdrs = data.draw(headers(w, bad_only=True), label="headers")
    before = w.state()
    payload = canonical(registration(str(uuid.uuid4()), "13900000000"))
    response = w.push([event(w.acked() + 1, "member.registered", payload)], hdrs)
    assert response.status_code in (400, 401, 403), response.text
    assert w.state() == before


# -- well-formed pushes, random payloads -------------------------------------------------


@FUZZ
@given(data=st.data())
def test_well_formed_pushes_get_a_verdict_per_event_and_keep_the_books(
    world: World, data: st.DataObject
) -> None:
    w = world
    acked = w.acked()
    before = w.state()
    batch: list[dict] = []
    fresh: list[dict] = []
    expected: dict[str, tuple[str, str | None]] = {}  # id -> (status, reason part)
    seq = acked
    # every example draws the same things whatever HQ already holds (hypothesis replays
    # examples): which earlier event a replay takes is an index into what exists then
    gap_at = data.draw(st.none() | st.integers(0, 4), label="gap")
    for i in range(data.draw(st.integers(1, 5), label="events")):
        kind = data.draw(
            st.sampled_from(("fresh",) * 6 + ("bad_hash", "replay", "conflict")),
            label="kind",
        )
        pick = data.draw(st.integers(0, 2**16), label="pick")
        type_ = data.draw(
            mostly(
                st.sampled_from(EVENT_TYPES),
                st.from_regex(r"[a-z_]{1,8}\.[a-z_]{1,8}", fullmatch=True),
            ),
            label="type",
        )
        raw = data.draw(
            mostly(payloads(w).map(canonical), safe_text(30).filter(lambda t: len(t) >= 2)),
            label="payload",
        )
        created = data.draw(envelope_times(), label="created")
        if kind in ("replay", "conflict") and w.pushed:
            old, status = w.pushed[sorted(w.pushed)[pick % len(w.pushed)]]
            if old["event_id"] in expected:
                continue
            if kind == "replay":
                batch.append(old)
                expected[old["event_id"]] = (status if status == "rejected" else "duplicate", "")
            else:
                changed = {**old, "payload": old["payload"] + " "}
                changed["payload_hash"] = hashlib.sha256(changed["payload"].encode()).hexdigest()
                batch.append(changed)
                expected[old["event_id"]] = ("rejected", "different content")
            continue
        seq += 2 if gap_at == i else 1
        ev = event(seq, type_, raw, created=created)
        if kind == "bad_hash":
            ev["payload_hash"] = hashlib.sha256(raw.encode() + b"!").hexdigest()
            expected[ev["event_id"]] = ("rejected", "hash")
        batch.append(ev)
        fresh.append(ev)
    random.Random(data.draw(st.integers(0, 2**32), label="order")).shuffle(batch)
    response = w.push(batch)
    assert response.status_code == 200, response.text
    answer = PushResponse.model_validate_json(response.content)

    taken = []
    for e in sorted(fresh, key=lambda e: e["seq"]):
        if e["seq"] != acked + len(taken) + 1:
            break  # a gap: the rest wait for the missing event
        taken.append(e)
    assert answer.acked_through == acked + len(taken)
    assert [r.seq for r in answer.results] == sorted(r.seq for r in answer.results)
    by_id = {r.event_id: r for r in answer.results}
    for e in fresh:
        if e not in taken:
            assert e["event_id"] not in by_id, "an event after a gap was applied"
            continue
        result = by_id[e["event_id"]]
        assert result.status in ("accepted", "rejected"), result
        if result.status == "rejected":
            assert result.reason, result
        w.pushed[e["event_id"]] = (e, result.status)
    for event_id, (status, reason) in expected.items():
        if reason == "hash" and event_id not in by_id:
            continue  # after a gap
        result = by_id[event_id]
        assert result.status == status, result
        assert reason in (result.reason or ""), result
    after = w.state()
    assert after[0] == before[0] + len(taken), "each new event is recorded once"
    assert reconcile(w.hq) == []


# -- what the strategies leave out: values PostgreSQL or Python would choke on -------------
# (each was a 500 that blocked the till for good until push() turned anything unforeseen
# into a recorded rejection)

#: the event is refused with a reason, and the next one is applied
UNSTORABLE = ("rejected",)
UNHANDLED = ("rejected",)


def _member(**changes: Any) -> str:
    payload = registration(str(uuid.uuid4()), f"1391{next(_PHONES):07d}")
    payload["member"].update(changes)
    return canonical(payload)


def _second_empty_phone(w: World) -> tuple[str, str, str | None, str | None]:
    first = w.push([event(w.acked() + 1, "member.registered", _member(phone=""))])
    assert first.json()["results"][0]["status"] == "accepted"
    return "member.registered", _member(phone=""), None, None


#: case -> (the statuses the event may get, w -> (type, payload text, hash if not its
#: sha256, envelope created_at))
POISON: dict[str, tuple[tuple[str, ...], Any]] = {
    # the control: an event HQ can judge is rejected and the next one goes in
    "no-name": (("rejected",), lambda w: ("member.registered", _member(name=""), None, None)),
    "nul-in-a-name": (
        UNSTORABLE,
        lambda w: ("member.registered", _member(name="A\x00B"), None, None),
    ),
    "nul-in-a-payload-that-is-not-json": (
        UNSTORABLE,
        lambda w: ("member.registered", "{}\x00", None, None),
    ),
    "phone-longer-than-its-column": (
        UNSTORABLE,
        lambda w: ("member.registered", _member(phone="1" * 12), None, None),
    ),
    "phone-a-number": (
        UNSTORABLE,
        lambda w: ("member.registered", _member(phone=13800000099), None, None),
    ),
    "tier-longer-than-its-column": (
        UNSTORABLE,
        lambda w: ("member.registered", _member(tier_code="t" * 41), None, None),
    ),
    "card-longer-than-its-column": (
        UNSTORABLE,
        lambda w: ("member.registered", _member(card="1" * 33), None, None),
    ),
    "home-store-an-object": (
        UNSTORABLE,
        lambda w: ("member.registered", _member(home_store={"code": "S01"}), None, None),
    ),
    # an empty phone is no phone: a second member without one is fine
    "a-second-empty-phone": (("accepted",), _second_empty_phone),
    "member-created-before-year-1-in-utc": (
        UNHANDLED,
        lambda w: (
            "member.registered",
            _member(created_at="0001-01-01T00:00:00+01:00"),
            None,
            None,
        ),
    ),
    # the event's own time is only recorded (HQ's time stands in); its content applies
    "event-created-before-year-1-in-utc": (
        ("accepted", "rejected"),
        lambda w: ("member.registered", _member(), None, "0001-01-01T00:00:00+01:00"),
    ),
    "points-beyond-bigint": (
        UNHANDLED,
        lambda w: (
            "points.adjusted",
            canonical({"entries": [entry(w.members[0], 2**63)]}),
            None,
            None,
        ),
    ),
    "tier-change-not-a-pair": (
        UNHANDLED,
        lambda w: (
            "sale.completed",
            canonical({"member_id": w.members[0], "tier_change": ["gold"], "entries": []}),
            None,
            None,
        ),
    ),
}


@pytest.mark.parametrize(
    "case",
    [pytest.param(k) for k in POISON],
)
def test_an_event_hq_cannot_store_is_rejected_and_the_till_carries_on(
    world: World, case: str
) -> None:
    w = world
    type_, raw, digest, created = POISON[case][1](w)
    before = w.state()
    seq = w.acked() + 1
    bad = event(seq, type_, raw if digest is None else "{}", created=created)
    if digest is not None:
        bad["payload"], bad["payload_hash"] = raw, digest
    good = event(seq + 1, "member.registered", _member())
    response = w.push([bad, good])
    assert response.status_code == 200, f"{response.status_code} {response.text[:200]}"
    results = response.json()["results"]
    expected = POISON[case][0]
    assert results[0]["status"] in expected and results[1]["status"] == "accepted"
    assert results[0]["status"] == "accepted" or results[0]["reason"]
    assert w.state()[0] == before[0] + 2
    assert reconcile(w.hq) == []


def test_a_lone_surrogate_is_refused_whole_and_changes_nothing(world: World) -> None:
    """Only a forged client can send one (a store cannot hash such a payload): 422."""
    before = world.state()
    bad = event(world.acked() + 1, "member.registered", "{}")
    bad["payload"], bad["payload_hash"] = '{"member":"\ud800"}', "0" * 64
    response = world.push([bad])
    assert response.status_code == 422
    assert world.state() == before


def test_authorize_with_a_nul_in_the_member_id_is_not_a_500(world: World) -> None:
    body = b'{"member_id": "a\\u0000", "points": 1, "unacked_points": 0}'
    response = world.client.post(
        "/v1/authorize", content=body, headers={**world.headers, "Content-Type": "application/json"}
    )
    assert response.status_code < 500


def test_a_body_that_is_not_utf8_is_a_4xx(world: World) -> None:
    response = world.client.post(
        "/v1/push", content=b"\x80", headers={**world.headers, "Content-Type": "text/plain"}
    )
    assert 400 <= response.status_code < 500
