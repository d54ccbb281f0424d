"""A full disk at the counter: the cashier reads why, the sale stays on screen, a retry works.

The disk fills for real as far as SQLite can tell (``PRAGMA max_page_count`` caps the
store file at its size, see ``tests/test_reliability_storage.py``); the window runs the
real services through the op runner, as at the till.
"""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from pos_app.services.checkout import PaymentInput
from pos_app.services.doctor import check_books
from tests.conftest import Counter
from tests.test_reliability_storage import db_digest, disk_of
from tests.ui.conftest import WindowFactory
from tests.ui.test_gift_flow import gift_dialog
from ui.counter import CounterScreen

CARD = "8800001001"
FULL = "The disk is full; nothing was saved: "


def ring_up(screen: CounterScreen, amounts: list[str]) -> None:
    for amount in amounts:
        screen.amount.setText(amount)
        screen.add_amount()


def pay(screen: CounterScreen) -> None:
    """What F5 does once the cashier confirms the payment dialog."""
    assert screen.quote is not None
    screen.complete(PaymentInput("cash", screen.quote.total_due_fen))


def test_a_full_disk_at_payment_is_shown_and_the_sale_kept_for_a_retry(
    supermarket: Counter, window_factory: WindowFactory
) -> None:
    c = supermarket
    member = c.register(card=CARD)
    c.give(member.id, 100_000)
    window = window_factory(c)
    screen = window.counter
    assert screen is not None
    unexpected: list[str] = []
    window.runner.unexpected.connect(unexpected.append)
    disk = disk_of(c.db)
    disk.fill()

    sold = 0
    for _ in range(300):
        screen.find_member(CARD)
        ring_up(screen, ["19.90", "5.50", "128.00"])
        before = db_digest(c.db.path)
        pay(screen)
        if not screen.notice.text().startswith("Sale "):
            break
        sold += 1
    else:
        pytest.fail("the disk never filled up")
    assert unexpected == []
    assert screen.notice.text().startswith(FULL), screen.notice.text()
    assert "free disk space" in screen.notice.text()
    # nothing written, the books agree, and the sale is still on the screen
    assert db_digest(c.db.path) == before
    assert check_books(c.db) == []
    assert c.count("sales") == sold
    assert [line.amount_fen for line in screen.lines] == [1990, 550, 12800]
    assert screen.table.rowCount() == 3
    assert screen.member is not None and screen.member.id == member.id
    assert screen.quote is not None and screen.quote.total_due_fen == 15340
    sale_id = screen.sale_id

    disk.free()  # space freed: the same sale, paid again, goes through once
    pay(screen)
    assert screen.notice.text().startswith("Sale "), screen.notice.text()
    assert screen.lines == []
    with c.sql() as conn:
        assert conn.execute("SELECT total_fen FROM sales WHERE id = ?", (sale_id,)).fetchall() == [
            (15340,)
        ]
    assert c.count("sales") == sold + 1
    assert check_books(c.db) == []


def test_a_full_disk_at_a_gift_hand_over_is_shown_in_the_gift_dialog(
    supermarket: Counter, window_factory: WindowFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(QMessageBox, "question", lambda *_a: QMessageBox.StandardButton.Yes)
    c = supermarket
    dialog = gift_dialog(c, window_factory, 500_000)
    disk = disk_of(c.db)
    disk.fill()
    for _ in range(300):
        dialog.select("coupon-30-100")
        before = db_digest(c.db.path)
        dialog.redeem()
        if not dialog.message.text().startswith("Handed over"):
            break
    else:
        pytest.fail("the disk never filled up")
    assert dialog.message.text().startswith(FULL), dialog.message.text()
    assert db_digest(c.db.path) == before
    assert check_books(c.db) == []
    assert c.count("gift_redemptions") == len(dialog.done_redemptions)

    disk.free()
    dialog.select("coupon-30-100")
    dialog.redeem()
    assert dialog.message.text().startswith("Handed over"), dialog.message.text()
    assert c.count("gift_redemptions") == len(dialog.done_redemptions)
