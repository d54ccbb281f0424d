"""Gift hand-over at the counter, through the real dialog and services."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from importlib import resources

import pytest
from PySide6.QtWidgets import QMessageBox

from pos_app.program import program_from_dict
from pos_app.services.checkout import PaymentInput
from pos_app.services.gifts import import_catalogue
from tests.conftest import QUIET_DAY, Counter
from tests.ui.conftest import WindowFactory
from ui.gifts import GiftDialog
from ui.login import ApprovalDialog


def catalogue(counter: Counter) -> None:
    text = (resources.files("resources") / "gifts" / "supermarket.toml").read_text("utf-8")
    import_catalogue(counter.db, actor=counter.manager, text=text, now=counter.now)


def gift_dialog(counter: Counter, window_factory: WindowFactory, points: int) -> GiftDialog:
    catalogue(counter)
    member = counter.register(card="8800001001")
    counter.give(member.id, points - 50)
    window = window_factory(counter)
    assert window.counter is not None
    window.counter.find_member("8800001001")
    assert window.counter.member is not None
    dialog = GiftDialog(
        db=counter.db,
        runner=window.runner,
        clock=window.clock,
        actor=window.counter.session,
        member=window.counter.member,
        parent=window.counter,
    )
    dialog.show()
    return dialog


@pytest.fixture
def answer_yes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The cashier confirms the hand-over; the question asked is recorded."""
    asked: list[str] = []

    def question(_parent: object, _title: str, text: str, *args: object) -> object:
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


def manager_answers(monkeypatch: pytest.MonkeyPatch, code: str | None, pin: str = "") -> None:
    """The approval dialog: a staff member types their number and PIN, or Cancel."""

    def exec_(self: ApprovalDialog) -> int:
        if code is None:
            return 0
        self.code.setText(code)
        self._submit(pin)
        return 1 if self.approver is not None else 0

    monkeypatch.setattr(ApprovalDialog, "exec", exec_)


def test_cashier_hands_over_a_gift_and_sees_the_code(
    supermarket: Counter, window_factory: WindowFactory, answer_yes: list[str]
) -> None:
    dialog = gift_dialog(supermarket, window_factory, 3000)
    dialog.select("video-month")
    assert "Balance after: 1,800" in dialog.preview.text()
    dialog.redeem()
    assert answer_yes == ["Take 1,200 points from 张* for Video membership, 1 month?"]
    [done] = dialog.done_redemptions
    assert done.issued_code is not None and done.issued_code in dialog.message.text()
    assert supermarket.balance(dialog.member.id) == 1800
    assert supermarket.count("gift_redemptions") == 1


def test_blocked_gift_cannot_be_handed_over_and_says_why(
    supermarket: Counter, window_factory: WindowFactory, answer_yes: list[str]
) -> None:
    dialog = gift_dialog(supermarket, window_factory, 3000)
    dialog.select("kettle")  # silver and above
    assert not dialog.redeem_button.isEnabled()
    assert "Cannot be redeemed: for Silver members and above" in dialog.preview.text()
    dialog.redeem()
    assert answer_yes == [] and supermarket.count("gift_redemptions") == 0


def test_filters_affordable_and_search(supermarket: Counter, window_factory: WindowFactory) -> None:
    dialog = gift_dialog(supermarket, window_factory, 1000)
    dialog.affordable.setChecked(True)
    assert [o.code for o in dialog.offers] == ["bag", "tissue", "oil"]
    dialog.affordable.setChecked(False)
    dialog.search.setText("优惠券")
    assert [o.code for o in dialog.offers] == ["coupon-30-100"]


def test_cancel_gives_points_and_stock_back(
    supermarket: Counter, window_factory: WindowFactory, answer_yes: list[str]
) -> None:
    dialog = gift_dialog(supermarket, window_factory, 3000)
    dialog.select("tissue")
    dialog.redeem()
    [done] = dialog.done_redemptions
    dialog.cancel(done.redemption_no, "wrong gift picked")
    assert "cancelled: 500 points back" in dialog.message.text()
    assert supermarket.balance(dialog.member.id) == 3000
    with supermarket.sql() as conn:
        stock = conn.execute(
            "SELECT quantity FROM gift_stock s JOIN gifts g "
            "ON g.id = s.gift_id WHERE g.code = 'tissue'"
        ).fetchone()[0]
    assert stock == 40


@pytest.fixture
def strict_store(counter_factory: Callable[..., Counter]) -> Counter:
    """The supermarket program with gifts above 1,000 points needing a manager."""
    text = (resources.files("resources") / "programs" / "supermarket.toml").read_text("utf-8")
    data = tomllib.loads(text)
    data["gifts"] = {"manager_approval_over_points": 1000}
    data["program"]["version"] = 2
    return counter_factory(program_from_dict(data), now=QUIET_DAY)


def test_expensive_gift_refused_by_the_manager_is_not_handed_over(
    strict_store: Counter,
    window_factory: WindowFactory,
    answer_yes: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dialog = gift_dialog(strict_store, window_factory, 3000)
    dialog.select("coupon-30-100")
    assert "A manager must approve this gift." in dialog.preview.text()
    manager_answers(monkeypatch, None)
    dialog.redeem()
    assert "Not approved" in dialog.message.text()
    assert strict_store.count("gift_redemptions") == 0
    assert strict_store.balance(dialog.member.id) == 3000


def test_expensive_gift_approved_by_the_manager(
    strict_store: Counter,
    window_factory: WindowFactory,
    answer_yes: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dialog = gift_dialog(strict_store, window_factory, 3000)
    dialog.select("coupon-30-100")
    manager_answers(monkeypatch, "1", "1111")  # a cashier cannot approve
    dialog.redeem()
    assert strict_store.count("gift_redemptions") == 0
    manager_answers(monkeypatch, "2", "2222")
    dialog.redeem()
    [done] = dialog.done_redemptions
    with strict_store.sql() as conn:
        approved_by, coupon = conn.execute(
            "SELECT r.approved_by, c.value_fen FROM gift_redemptions r "
            "JOIN coupons c ON c.redemption_id = r.id"
        ).fetchone()
    assert approved_by == strict_store.manager.staff_id
    assert coupon == 3000
    assert done.points == 1500


def test_f10_without_a_member_asks_for_one(
    supermarket: Counter, window_factory: WindowFactory
) -> None:
    window = window_factory(supermarket)
    assert window.counter is not None
    window.counter.open_gifts()
    assert window.counter.notice.text() == "Find the member first"


def test_coupon_from_a_redemption_is_used_on_the_next_sale(
    supermarket: Counter, window_factory: WindowFactory, answer_yes: list[str]
) -> None:
    dialog = gift_dialog(supermarket, window_factory, 3000)
    dialog.select("coupon-30-100")
    dialog.redeem()
    [done] = dialog.done_redemptions
    assert done.issued_code is not None
    screen = dialog.parent()
    assert screen is not None
    screen.category.setCurrentIndex(screen.category.findData("daily"))
    screen.amount.setText("120")
    screen.add_amount()
    screen.apply_coupon(done.issued_code.lower())
    assert screen.coupon_label.text() == f"Coupon {done.issued_code}: −¥30.00"
    assert screen.due.text() == "Due: ¥90.00"
    screen.complete(
        None if screen.quote is None else PaymentInput("cash", screen.quote.total_due_fen)
    )
    with supermarket.sql() as conn:
        status = conn.execute("SELECT status FROM coupons").fetchone()[0]
    assert status == "used"
    screen.amount.setText("120")
    screen.add_amount()
    screen.find_member("8800001001")
    screen.apply_coupon(done.issued_code)
    assert "already used" in screen.notice.text()
    assert screen.coupon is None and screen.due.text() == "Due: ¥120.00"
