"""Cards at the counter: an unknown card given to an existing member."""

from __future__ import annotations

from tests.conftest import Counter
from tests.ui.conftest import WindowFactory


def test_unknown_card_goes_to_a_member_found_by_phone(
    supermarket: Counter, window_factory: WindowFactory
) -> None:
    member = supermarket.register(phone="13812345678")
    window = window_factory(supermarket)
    assert window.counter is not None
    window.counter.attach_card_by_phone("8800009999", "+86 138 1234 5678")
    assert window.counter.member is not None and window.counter.member.id == member.id
    assert "8800009999" in window.counter.member.cards
    window.counter.attach_card_by_phone("8800009998", "13900000000")
    assert "Not found" in window.counter.notice.text()
