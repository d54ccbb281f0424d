"""The counter linked to a real HQ (PostgreSQL, HTTP): the status bar, and a big offset
checked with HQ before the sale commits."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine, text

import ui.sync_status
from pos_app.services.checkout import CartLine, PaymentInput
from pos_app.services.members import view_member
from sync.config import SyncConfig
from tests.hq.conftest import TokenFactory
from tests.hq.server import free_port, running_hq
from tests.hq.stores import make_store, sync
from tests.ui.conftest import WindowFactory
from ui.main_window import MainWindow
from ui.sync_status import SyncController


@pytest.fixture(autouse=True)
def _english(qapp: object) -> Iterator[None]:
    from ui import i18n

    i18n.install(qapp, "en")  # type: ignore[arg-type]
    yield


@pytest.fixture
def hq_url(hq: Engine) -> Iterator[str]:
    with running_hq(hq) as url:
        yield url


def linked_window(
    window_factory: WindowFactory, store: object, url: str, token: str
) -> tuple[MainWindow, SyncController]:
    window = window_factory(store)
    controller = SyncController(
        store.db,  # type: ignore[attr-defined]
        SyncConfig(url=url, token=token, timeout_s=2),
        runner=window.runner,
        clock=lambda: store.now,  # type: ignore[attr-defined]
        parent=window,
    )
    window.attach_sync(controller)
    return window, controller


def test_the_status_bar_follows_sync(
    hq: Engine,
    hq_url: str,
    device_token: TokenFactory,
    tmp_path: Path,
    window_factory: WindowFactory,
    qtbot: QtBot,
) -> None:
    token = device_token("S01", "D1")
    store = make_store(tmp_path, "S01", "D1", hq_url)
    store.register()
    window, controller = linked_window(window_factory, store, hq_url, token)
    assert "connecting" in window.sync_label.text()
    controller.run_now()
    assert "online" in window.sync_label.text()
    assert "waiting" not in window.sync_label.text()
    with hq.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM hq_members")).scalar_one() == 1
    controller.stop()


def test_hq_gone_shows_offline_with_what_waits(
    device_token: TokenFactory, tmp_path: Path, window_factory: WindowFactory
) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    store = make_store(tmp_path, "S01", "D1", dead)
    store.register()
    window, controller = linked_window(window_factory, store, dead, "t" * 40)
    controller.run_now()
    label = window.sync_label.text()
    assert "offline" in label and "waiting" in label
    assert "cannot reach HQ" in window.sync_label.toolTip()
    assert controller.timer.isActive()  # it tries again on its own
    controller.stop()


def test_a_big_offset_asks_hq_and_hq_can_refuse(
    hq: Engine,
    hq_url: str,
    device_token: TokenFactory,
    tmp_path: Path,
    window_factory: WindowFactory,
) -> None:
    token = device_token("S01", "D1")
    store = make_store(tmp_path, "S01", "D1", hq_url)
    member = store.register()
    store.give(member.id, 10000)
    assert sync(store, hq_url, token).ok
    window, controller = linked_window(window_factory, store, hq_url, token)
    counter = window.counter
    assert counter is not None and counter.spend_gate is not None
    # HQ hears that the member spent most of it elsewhere
    with hq.connect() as conn, conn.begin():
        conn.execute(text("UPDATE hq_members SET balance = 100 WHERE id = :id"), {"id": member.id})
    counter.set_member(view_member(store.db, member.id, now=store.now))
    counter.add_line(CartLine("daily", 500000))
    counter.set_offset(5000)
    assert counter.quote is not None and counter.quote.offset_points == 5000
    sales_before = store.count("sales")
    counter.complete(PaymentInput("card", counter.quote.total_due_fen))
    assert "HQ did not allow this" in counter.notice.text()
    assert store.count("sales") == sales_before
    # HQ's figure back: the same offset is approved and the sale commits
    with hq.connect() as conn, conn.begin():
        conn.execute(
            text("UPDATE hq_members SET balance = 10050 WHERE id = :id"), {"id": member.id}
        )
    counter.complete(PaymentInput("card", counter.quote.total_due_fen))
    assert store.count("sales") == sales_before + 1
    controller.stop()


def test_a_new_store_shows_how_far_its_first_download_has_come(
    hq: Engine,
    hq_url: str,
    device_token: TokenFactory,
    tmp_path: Path,
    window_factory: WindowFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    token_a, token_b = device_token("S01", "D1"), device_token("S02", "D1")
    first = make_store(tmp_path, "S01", "D1", hq_url)
    for i in range(40):
        member = first.register(phone=f"1390000{i:04d}")
        first.sell(member.id, [CartLine("daily", 1000)])
    assert sync(first, hq_url, token_a).ok
    new = make_store(tmp_path, "S02", "D1", hq_url)
    window, controller = linked_window(window_factory, new, hq_url, token_b)
    seen: list[str] = []
    controller.changed.connect(lambda: seen.append(window.sync_label.text()))
    with hq.connect() as conn:
        head = conn.execute(text("SELECT value FROM hq_counters WHERE name = 'feed'")).scalar()
    assert head > 100
    monkeypatch.setattr(ui.sync_status, "UI_PAGE", 25)  # many pages: the progress shows
    controller.run_now()
    progress = [text_ for text_ in seen if "fetching" in text_]
    assert len(progress) >= 3
    assert "online" in window.sync_label.text() and "fetching" not in window.sync_label.text()
    assert new.count("members") == 40
    controller.stop()


def test_events_hq_refused_are_shown_on_the_counter(
    hq: Engine,
    hq_url: str,
    device_token: TokenFactory,
    tmp_path: Path,
    window_factory: WindowFactory,
) -> None:
    token_a, token_b = device_token("S01", "D1"), device_token("S02", "D1")
    a = make_store(tmp_path, "S01", "D1", hq_url)
    a.register(phone="13700001111")
    assert sync(a, hq_url, token_a).ok
    b = make_store(tmp_path, "S02", "D1", hq_url)
    b.register(phone="13700001111")  # registered again offline: HQ keeps the first
    window, controller = linked_window(window_factory, b, hq_url, token_b)
    controller.run_now()
    assert "1 refused by HQ" in window.sync_label.text()
    controller.stop()
