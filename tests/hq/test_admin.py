"""HQ administration (sync/hq/admin.py) on PostgreSQL: stores, devices and tokens, the
program, gifts and stock, the member import, the sync status and overdrafts."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text

from pos_app.errors import Conflict, InvalidInput, NotFound, ProgramError
from pos_app.program.loader import bundled_program, bundled_program_text, load_program_json
from pos_app.services.gifts import GiftEntry
from sync.hq import admin
from sync.hq.app import create_app, token_hash
from sync.hq.models import HQBase
from sync.hq.service import DeviceIdentity, push
from sync.protocol import PROTOCOL_HEADER, OutboxEvent, PushRequest
from tests.hq.conftest import NOW, TokenFactory

LATER = NOW + dt.timedelta(hours=1)


# -- helpers -----------------------------------------------------------------------------


def feed_rows(hq: Engine, after: int = 0) -> list[tuple[str, str | None, dict[str, Any]]]:
    """(kind, scope, data) of the feed rows after cursor ``after``, in cursor order."""
    with hq.connect() as conn:
        rows = conn.execute(
            text("SELECT kind, scope, data FROM hq_feed WHERE cursor > :c ORDER BY cursor"),
            {"c": after},
        ).all()
    return [(r.kind, r.scope, json.loads(r.data)) for r in rows]


def feed_head(hq: Engine) -> int:
    with hq.connect() as conn:
        return int(conn.execute(text("SELECT value FROM hq_counters WHERE name = 'feed'")).one()[0])


def count(hq: Engine, table: str) -> int:
    with hq.connect() as conn:
        return int(conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())


def api(hq: Engine) -> TestClient:
    return TestClient(create_app(hq, clock=lambda: LATER))


def pull(client: TestClient, token: str, cursor: int = 0) -> Any:
    return client.get(
        "/v1/pull",
        params={"cursor": cursor},
        headers={"Authorization": f"Bearer {token}", PROTOCOL_HEADER: "1"},
    )


def identity(hq: Engine, store: str, device: str) -> DeviceIdentity:
    with hq.connect() as conn:
        device_id = conn.execute(
            text("SELECT id FROM hq_devices WHERE store_code = :s AND device_code = :d"),
            {"s": store, "d": device},
        ).scalar_one()
    return DeviceIdentity(device_id, store, device)


def outbox_event(
    seq: int, kind: str, payload: dict[str, Any], *, good_hash: bool = True
) -> OutboxEvent:
    body = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(body.encode()).hexdigest() if good_hash else "0" * 64
    return OutboxEvent(
        event_id=str(uuid.uuid4()),
        seq=seq,
        type=kind,
        schema_version=1,
        payload=body,
        payload_hash=digest,
        created_at=NOW,
    )


# -- stores, devices, tokens -------------------------------------------------------------


def test_store_and_device_lifecycle(hq: Engine) -> None:
    assert admin.add_store(hq, code=" s01 ", name="一号店", now=NOW) == "S01"
    admin.add_store(hq, code="S02", name="二号店", now=NOW)
    with pytest.raises(Conflict) as dup:
        admin.add_store(hq, code="S01", name="again", now=NOW)
    assert dup.value.field == "code"
    with pytest.raises(InvalidInput) as bad:
        admin.add_store(hq, code="S-01", name="x", now=NOW)
    assert bad.value.field == "code"
    with pytest.raises(NotFound) as nostore:
        admin.add_device(hq, store_code="S09", device_code="T1", now=NOW)
    assert nostore.value.field == "store"

    admin.add_device(hq, store_code="S01", device_code="T1", now=NOW)
    admin.add_device(hq, store_code="S01", device_code="T2", now=NOW)
    stores = admin.list_stores(hq)
    assert [(s.code, s.name, s.active, s.devices) for s in stores] == [
        ("S01", "一号店", True, 2),
        ("S02", "二号店", True, 0),
    ]
    admin.set_store_active(hq, "S02", False)
    assert [s.active for s in admin.list_stores(hq)] == [True, False]
    with pytest.raises(NotFound):
        admin.set_store_active(hq, "S09", False)
    with pytest.raises(NotFound):
        admin.set_device_active(hq, "S01", "T9", False)


def test_token_is_stored_only_as_its_hash(hq: Engine, device_token: TokenFactory) -> None:
    token = device_token("S01", "T1")
    assert len(token) >= 40
    with hq.connect() as conn:
        stored = conn.execute(text("SELECT token_hash FROM hq_devices")).scalar_one()
        assert stored == token_hash(token)
        dump = [
            repr(row)
            for table in HQBase.metadata.sorted_tables
            for row in conn.execute(select(table))
        ]
    assert dump, "the tables hold the store and device"
    assert not any(token in row for row in dump)


def test_disabled_device_or_store_is_refused(hq: Engine, device_token: TokenFactory) -> None:
    token = device_token("S01", "T1")
    client = api(hq)
    assert pull(client, token).status_code == 200

    admin.set_device_active(hq, "S01", "T1", False)
    assert pull(client, token).status_code == 401
    admin.set_device_active(hq, "S01", "T1", True)
    assert pull(client, token).status_code == 200

    admin.set_store_active(hq, "S01", False)
    assert pull(client, token).status_code == 401
    admin.set_store_active(hq, "S01", True)
    assert pull(client, token).status_code == 200

    # registering the device again issues a new token; the old one stops working
    new = admin.add_device(hq, store_code="S01", device_code="T1", now=NOW)
    assert pull(client, token).status_code == 401
    assert pull(client, new).status_code == 200


# -- the program -------------------------------------------------------------------------


def test_program_load_feeds_it_once(hq: Engine, device_token: TokenFactory) -> None:
    program = bundled_program("supermarket")
    code, version, digest = admin.load_program(hq, bundled_program_text("supermarket"), NOW)
    assert (code, version, digest) == (program.code, program.version, program.digest)
    [(kind, scope, data)] = feed_rows(hq)
    assert (kind, scope) == ("program", None)
    assert {k: data[k] for k in ("code", "version", "digest")} == {
        "code": "supermarket",
        "version": 1,
        "digest": digest,
    }
    assert load_program_json(data["definition_json"]).digest == digest
    assert admin.active_program(hq) == program

    # the same program again (as text or from its file) is a no-op
    head = feed_head(hq)
    assert admin.load_program(hq, bundled_program_text("supermarket"), LATER)[2] == digest
    assert feed_head(hq) == head
    assert count(hq, "hq_programs") == 1

    # a device pulls it
    change = pull(api(hq), device_token("S01", "T1")).json()["changes"][0]
    assert change["kind"] == "program" and change["data"]["digest"] == digest


def test_program_from_a_file_and_a_new_version(hq: Engine, tmp_path) -> None:
    path = tmp_path / "program.toml"
    path.write_text(bundled_program_text("hotel"), encoding="utf-8")
    assert admin.load_program(hq, path, NOW)[:2] == ("hotel", 1)
    assert admin.load_program(hq, str(path), NOW)[:2] == ("hotel", 1)
    assert count(hq, "hq_programs") == 1

    v2 = bundled_program_text("hotel").replace("version = 1", "version = 2", 1)
    assert admin.load_program(hq, v2, LATER)[:2] == ("hotel", 2)
    assert admin.active_program(hq).version == 2  # type: ignore[union-attr]
    assert [p.version for p in admin.list_programs(hq)] == [2, 1]
    assert [kind for kind, _, _ in feed_rows(hq)] == ["program", "program"]

    with pytest.raises(ProgramError) as missing:
        admin.load_program(hq, tmp_path / "nope.toml", NOW)
    assert "does not exist" in str(missing.value)


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (('points_per_yuan = "1"', 'points_per_yuan = "lots"'), "earning.points_per_yuan"),
        (('code = "silver"', 'code = "normal"'), "tiers[1].code"),
        (("[tier_policy]", "[tier_policy]\nwindoww = 1"), "tier_policy.windoww"),
    ],
)
def test_bad_program_names_the_field_and_changes_nothing(
    hq: Engine, edit: tuple[str, str], field: str
) -> None:
    admin.load_program(hq, bundled_program_text("supermarket"), NOW)
    head, programs = feed_head(hq), count(hq, "hq_programs")
    bad = bundled_program_text("supermarket").replace(*edit, 1)
    assert bad != bundled_program_text("supermarket")
    bad = bad.replace("version = 1", "version = 2", 1)
    with pytest.raises(ProgramError) as error:
        admin.load_program(hq, bad, LATER)
    assert error.value.field == field
    assert (feed_head(hq), count(hq, "hq_programs")) == (head, programs)
    assert admin.active_program(hq).version == 1  # type: ignore[union-attr]


def test_same_version_with_other_rules_is_refused(hq: Engine) -> None:
    admin.load_program(hq, bundled_program_text("supermarket"), NOW)
    changed = bundled_program_text("supermarket").replace('daily = "3"', 'daily = "4"', 1)
    head = feed_head(hq)
    with pytest.raises(Conflict) as error:
        admin.load_program(hq, changed, LATER)
    assert error.value.field == "program.version"
    assert feed_head(hq) == head


# -- gifts and stock ---------------------------------------------------------------------


def catalogue_text() -> str:
    from importlib import resources

    return (resources.files("resources") / "gifts" / "supermarket.toml").read_text("utf-8")


def test_gifts_load_feeds_changed_gifts_only(hq: Engine) -> None:
    admin.load_program(hq, bundled_program_text("supermarket"), NOW)
    start = feed_head(hq)
    assert admin.load_gifts(hq, catalogue_text(), NOW) == 7
    rows = feed_rows(hq, start)
    assert [kind for kind, _, _ in rows] == ["gift"] * 7
    assert all(scope is None for _, scope, _ in rows)
    gifts = {data["code"]: data for _, _, data in rows}
    # each is a catalogue entry the store's schema reads; stock is set per store instead
    for data in gifts.values():
        GiftEntry.model_validate(data)
        assert "stock" not in data and "low_stock" not in data
    assert gifts["bag"]["cash"] == "2.00" and gifts["bag"]["limit_period"] == "month"
    assert gifts["coupon-30-100"]["coupon"] == {"value": "30.00", "min_spend": "100.00"}
    assert count(hq, "hq_gifts") == 7
    assert count(hq, "hq_stock") == 0

    # the same file again changes nothing; one price changed feeds that gift only
    head = feed_head(hq)
    assert admin.load_gifts(hq, catalogue_text(), LATER) == 0
    assert feed_head(hq) == head
    cheaper = catalogue_text().replace("points = 1000", "points = 900", 1)
    assert admin.load_gifts(hq, cheaper, LATER) == 1
    [(kind, _, data)] = feed_rows(hq, head)
    assert (kind, data["code"], data["points"]) == ("gift", "oil", 900)
    # a stock figure alone in the file is not a gift change
    assert admin.load_gifts(hq, cheaper.replace("stock = 40", "stock = 41"), LATER) == 0


def test_bad_catalogue_names_the_field_and_changes_nothing(hq: Engine) -> None:
    admin.load_program(hq, bundled_program_text("supermarket"), NOW)
    head = feed_head(hq)
    cases = [
        (
            catalogue_text().replace('min_tier = "silver"', 'min_tier = "platinum"'),
            "gifts[3].min_tier",
        ),
        (catalogue_text().replace("points = 500", "points = -5"), "gifts[0].points"),
        (catalogue_text().replace('kind = "virtual"', 'kind = "magic"'), "gifts[5].kind"),
        ("gifts = [", "catalogue"),
    ]
    for bad, field in cases:
        with pytest.raises(InvalidInput) as error:
            admin.load_gifts(hq, bad, NOW)
        assert error.value.field == field
    assert (feed_head(hq), count(hq, "hq_gifts")) == (head, 0)


def test_gift_tiers_are_not_checked_without_a_program(hq: Engine) -> None:
    text_ = catalogue_text().replace('min_tier = "silver"', 'min_tier = "platinum"')
    assert admin.load_gifts(hq, text_, NOW) == 7


def test_stock_goes_to_its_store_only(hq: Engine, device_token: TokenFactory) -> None:
    s01, s02 = device_token("S01", "T1"), device_token("S02", "T1")
    admin.load_gifts(hq, catalogue_text(), NOW)
    head = feed_head(hq)
    admin.set_stock(hq, "s01", "tissue", 40, NOW)
    admin.set_stock(hq, "S01", "tissue", 35, LATER, low_threshold=8)
    assert feed_rows(hq, head) == [
        (
            "stock",
            "S01",
            {"gift_code": "tissue", "store_code": "S01", "quantity": q, "low_threshold": low},
        )
        for q, low in ((40, 5), (35, 8))
    ]
    with hq.connect() as conn:
        assert conn.execute(
            text("SELECT store_code, quantity, low_threshold FROM hq_stock")
        ).all() == [("S01", 35, 8)]
    client = api(hq)
    kinds_s01 = [c["kind"] for c in pull(client, s01, head).json()["changes"]]
    s02_page = pull(client, s02, head).json()
    assert kinds_s01 == ["stock", "stock"]
    assert s02_page["changes"] == [] and s02_page["next_cursor"] == feed_head(hq)

    with pytest.raises(NotFound) as gift:
        admin.set_stock(hq, "S01", "unicorn", 1, NOW)
    assert gift.value.field == "gift"
    with pytest.raises(NotFound) as store:
        admin.set_stock(hq, "S09", "tissue", 1, NOW)
    assert store.value.field == "store"
    with pytest.raises(InvalidInput) as quantity:
        admin.set_stock(hq, "S01", "tissue", -1, NOW)
    assert quantity.value.field == "quantity"
    assert feed_head(hq) == head + 2


# -- member import -----------------------------------------------------------------------

CSV = (
    "name,phone,card,tier,home_store\n"
    "张三,138 0013 8000,8800000001,normal,S01\n"
    "李四,+86 139-0013-9000,,silver,\n"
    "\n"
    "王五,12345,,normal,S01\n"
    "赵六,13700137000,8800000001,normal,S01\n"
    "钱七,13600136000,,platinum,S01\n"
    "孙八,13500135000,,normal,S77\n"
    ",13400134000,,normal,S01\n"
    "周九,13300133000\n"
)


def members(hq: Engine) -> dict[str, Any]:
    with hq.connect() as conn:
        rows = conn.execute(
            text("SELECT id, name, phone, tier_code, home_store, balance, status FROM hq_members")
        ).all()
    return {r.phone: r for r in rows}


def test_import_members_reports_each_rejected_row(hq: Engine) -> None:
    admin.add_store(hq, code="S01", name="一号店", now=NOW)
    admin.load_program(hq, bundled_program_text("supermarket"), NOW)
    start = feed_head(hq)
    report = admin.import_members_csv(hq, "\ufeff" + CSV, NOW)
    assert (report.added, report.updated, report.unchanged) == (2, 0, 0)
    assert [line for line, _ in report.rejected] == [5, 6, 7, 8, 9, 10]
    reasons = dict(report.rejected)
    assert reasons[5].startswith("phone: ") and "11 digits" in reasons[5]
    assert reasons[6] == "card: card 8800000001 belongs to another member"
    assert reasons[7].startswith("tier: unknown tier 'platinum'")
    assert reasons[8] == "home_store: no store S77"
    assert reasons[9] == "name: the name is missing"
    assert reasons[10] == "expected 5 columns, found 2"

    found = members(hq)
    assert set(found) == {"13800138000", "13900139000"}
    zhang, li = found["13800138000"], found["13900139000"]
    assert uuid.UUID(zhang.id).version == 4
    assert (zhang.name, zhang.tier_code, zhang.home_store, zhang.balance) == (
        "张三",
        "normal",
        "S01",
        0,
    )
    assert (li.tier_code, li.home_store, li.status) == ("silver", None, "active")

    rows = feed_rows(hq, start)
    assert [kind for kind, _, _ in rows] == ["member", "card", "member"]
    member = rows[0][2]
    assert set(member) == {
        "id",
        "name",
        "phone",
        "tier_code",
        "status",
        "home_store",
        "referrer_id",
        "created_at",
    }
    assert member["id"] == zhang.id
    assert dt.datetime.fromisoformat(member["created_at"]) == NOW
    assert rows[1][2] == {"card_no": "8800000001", "member_id": zhang.id, "status": "active"}


def test_import_is_idempotent_and_updates_by_phone(hq: Engine) -> None:
    admin.add_store(hq, code="S01", name="一号店", now=NOW)
    admin.add_store(hq, code="S02", name="二号店", now=NOW)
    admin.load_program(hq, bundled_program_text("supermarket"), NOW)
    first = admin.import_members_csv(hq, CSV, NOW)
    head, before = feed_head(hq), members(hq)

    again = admin.import_members_csv(hq, CSV, LATER)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)
    assert again.rejected == first.rejected
    assert feed_head(hq) == head
    assert members(hq) == before

    changes = (
        "name,phone,card,tier,home_store\n"
        "张三,13800138000,,gold,S02\n"  # new tier and store, card left as it is
        "李四,13900139000,8800000002,,\n"  # a new card; tier and store left as they are
        "李四,13900139000,8800000002,,\n"  # the same row twice: nothing more to do
        "吴十,13200132000,8800000001,,S01\n"  # zhang's card on a new member
    )
    report = admin.import_members_csv(hq, changes, LATER)
    assert (report.added, report.updated, report.unchanged) == (0, 2, 1)
    assert report.rejected == [(5, "card: card 8800000001 belongs to another member")]
    after = members(hq)
    assert (after["13800138000"].tier_code, after["13800138000"].home_store) == ("gold", "S02")
    assert (after["13900139000"].tier_code, after["13900139000"].home_store) == ("silver", None)
    assert [
        (kind, data.get("tier_code") or data.get("card_no"))
        for kind, _, data in feed_rows(hq, head)
    ] == [
        ("member", "gold"),
        ("card", "8800000002"),
    ]


def test_import_without_a_program_takes_any_tier_but_needs_one(hq: Engine) -> None:
    report = admin.import_members_csv(
        hq,
        "phone,name,tier,card,home_store\n13800138000,张三,vip,,\n13900139000,李四,,,\n",
        NOW,
    )
    assert (report.added, report.rejected) == (
        1,
        [(3, "tier: give a tier (no program is loaded at HQ yet)")],
    )
    assert members(hq)["13800138000"].tier_code == "vip"


def test_import_needs_the_header(hq: Engine) -> None:
    for bad in ("", "张三,13800138000,,normal,S01\n", "name,phone,card,tier\n"):
        with pytest.raises(InvalidInput) as error:
            admin.import_members_csv(hq, bad, NOW)
        assert error.value.field == "header"
    assert count(hq, "hq_members") == 0


# -- status and overdrafts ---------------------------------------------------------------


def test_sync_status_and_overdrafts(hq: Engine, device_token: TokenFactory) -> None:
    token = device_token("S01", "T1")
    device_token("S01", "T2")
    device_token("S02", "T1")
    admin.load_program(hq, bundled_program_text("supermarket"), NOW)
    admin.import_members_csv(
        hq, "name,phone,card,tier,home_store\n张三,13800138000,,normal,S01\n", NOW
    )
    member_id = members(hq)["13800138000"].id
    entry = {
        "entry_id": str(uuid.uuid4()),
        "member_id": member_id,
        "kind": "redeem",
        "points": -300,
        "created_at": NOW.isoformat(),
        "business_day": "2026-03-02",
        "reason": "offline spend",
    }
    t1 = identity(hq, "S01", "T1")
    result = push(
        hq,
        t1,
        PushRequest(
            store_code="S01",
            device_code="T1",
            events=[
                outbox_event(1, "points.adjusted", {"entries": [entry]}),
                outbox_event(2, "points.adjusted", {"entries": []}, good_hash=False),
            ],
        ),
        NOW,
    )
    assert [r.status for r in result.results] == ["accepted", "rejected"]
    assert pull(api(hq), token).status_code == 200  # T1 is now at the head
    admin.set_device_active(hq, "S01", "T2", False)
    admin.import_members_csv(hq, "name,phone,card,tier,home_store\n李四,13900139000,,,S02\n", NOW)
    head = feed_head(hq)

    status = {
        (d.store, d.device): d for d in admin.sync_status(hq, LATER + dt.timedelta(minutes=5))
    }
    assert list(status) == [("S01", "T1"), ("S01", "T2"), ("S02", "T1")]
    t1s = status["S01", "T1"]
    assert t1s.active and not status["S01", "T2"].active
    assert (t1s.last_push_at, t1s.last_pull_at) == (NOW, LATER)
    assert t1s.silent_for == dt.timedelta(minutes=5)
    assert (t1s.acked_seq, t1s.events_received, t1s.events_rejected) == (2, 2, 1)
    assert t1s.feed_lag == 1
    assert t1s.overdraft_members == 1
    s02 = status["S02", "T1"]
    assert (s02.last_push_at, s02.silent_for, s02.acked_seq, s02.events_received) == (
        None,
        None,
        0,
        0,
    )
    assert s02.feed_lag == head
    assert s02.overdraft_members == 0

    [owing] = admin.overdrafts(hq)
    assert (owing.member_id, owing.balance, owing.home_store, owing.overdraft_since) == (
        member_id,
        -300,
        "S01",
        NOW,
    )
    assert admin.reconcile(hq) == []
    with hq.begin() as conn:
        conn.execute(text("UPDATE hq_members SET balance = 0 WHERE id = :id"), {"id": member_id})
    assert admin.overdrafts(hq) == []
    assert [(d.member_id, d.balance, d.ledger_sum) for d in admin.reconcile(hq)] == [
        (member_id, 0, -300)
    ]


def test_a_big_import_vacuums_and_analyses_what_it_grew(
    hq: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a bulk import the feed's page queries need statistics to keep to their index,
    and the new rows their hint bits and visibility (autovacuum may be off or behind): a
    big import runs VACUUM (ANALYZE) on members, cards and feed; a small one does not."""
    admin.add_store(hq, code="S01", name="一号店", now=NOW)
    admin.load_program(hq, bundled_program_text("supermarket"), NOW)
    tables = ("hq_members", "hq_cards", "hq_feed")

    def counts() -> dict[str, tuple[int, int]]:
        with hq.connect() as conn:
            return {
                r.relname: (int(r.analyze_count), int(r.vacuum_count))
                for r in conn.execute(
                    text(
                        "SELECT relname, analyze_count, vacuum_count FROM pg_stat_user_tables "
                        "WHERE relname = ANY(:tables) AND schemaname = current_schema()"
                    ),
                    {"tables": list(tables)},
                )
            }

    before = counts()
    rows = "name,phone,card,tier,home_store\n张三,13800138000,,,\n"
    admin.import_members_csv(hq, rows, NOW)
    assert counts() == before  # one member: not worth it
    monkeypatch.setattr(admin, "ANALYZE_AFTER", 1)
    admin.import_members_csv(hq, "name,phone,card,tier,home_store\n李四,13900139000,,,\n", NOW)
    after = counts()
    assert {t: (a - before[t][0], v - before[t][1]) for t, (a, v) in after.items()} == {
        t: (1, 1) for t in tables
    }
