"""Manual adjustments, activity credits, expiry runs, lot order, tiers and the books check."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from pos_app.errors import InsufficientPoints, InvalidInput, NotFound
from pos_app.services.adjustments import adjust_points, credit_activity
from pos_app.services.checkout import CartLine
from pos_app.services.doctor import Discrepancy, check_books
from pos_app.services.expiry import ExpiryReport, run_expiry
from pos_app.services.members import view_member
from pos_app.services.returns import ReturnItem, commit_return
from pos_app.services.tiers import TierChange, review_tiers
from tests.conftest import QUIET_DAY, Counter, at

ROOT = Path(__file__).resolve().parent.parent


def kinds(counter: Counter, member_id: str) -> list[tuple[str, int]]:
    with counter.sql() as conn:
        return conn.execute(
            "SELECT kind, points FROM ledger_entries WHERE member_id = ? ORDER BY id",
            (member_id,),
        ).fetchall()


def lots_by_expiry(counter: Counter, member_id: str) -> dict[str, int]:
    """Remaining points per expiry moment (UTC text as stored)."""
    with counter.sql() as conn:
        return dict(
            conn.execute(
                "SELECT expires_at, SUM(remaining) FROM points_lots WHERE member_id = ? "
                "GROUP BY expires_at ORDER BY expires_at",
                (member_id,),
            ).fetchall()
        )


# Manual adjustments ------------------------------------------------------------------
def test_manager_adjusts_points_with_a_reason(supermarket: Counter) -> None:
    member = supermarket.register()
    moved = adjust_points(
        supermarket.db,
        actor=supermarket.manager,
        member_id=member.id,
        points=120,
        reason="  missing points from   receipt 42 ",
        now=QUIET_DAY,
    )
    assert (moved.points, moved.balance) == (120, 170)
    down = adjust_points(
        supermarket.db,
        actor=supermarket.manager,
        member_id=member.id,
        points=-70,
        reason="double credit corrected",
        now=QUIET_DAY,
    )
    assert (down.points, down.balance) == (-70, 100)
    assert kinds(supermarket, member.id) == [
        ("signup_bonus", 50),
        ("adjustment", 120),
        ("adjustment", -70),
    ]
    with supermarket.sql() as conn:
        reasons = conn.execute(
            "SELECT reason, staff_id FROM ledger_entries WHERE kind = 'adjustment' ORDER BY id"
        ).fetchall()
    assert reasons == [
        ("missing points from receipt 42", supermarket.manager.staff_id),
        ("double credit corrected", supermarket.manager.staff_id),
    ]
    assert check_books(supermarket.db) == []


@pytest.mark.parametrize("reason", ["", "   ", "ok", "a b", "\t\n"])
def test_adjustment_without_a_real_reason_is_refused(supermarket: Counter, reason: str) -> None:
    member = supermarket.register()
    before = supermarket.count("ledger_entries")
    with pytest.raises(InvalidInput) as err:
        adjust_points(
            supermarket.db,
            actor=supermarket.manager,
            member_id=member.id,
            points=100,
            reason=reason,
            now=QUIET_DAY,
        )
    assert err.value.field == "reason"
    assert supermarket.count("ledger_entries") == before
    assert supermarket.balance(member.id) == 50


@pytest.mark.parametrize("points", [0, 1.5, True, "100", 1_000_000_001])
def test_adjustment_points_must_be_a_sane_whole_number(
    supermarket: Counter, points: object
) -> None:
    member = supermarket.register()
    with pytest.raises(InvalidInput) as err:
        adjust_points(
            supermarket.db,
            actor=supermarket.manager,
            member_id=member.id,
            points=points,  # type: ignore[arg-type]
            reason="testing bad numbers",
            now=QUIET_DAY,
        )
    assert err.value.field == "points"
    assert supermarket.count("ledger_entries") == 1


def test_negative_adjustment_beyond_balance_writes_nothing(supermarket: Counter) -> None:
    member = supermarket.register()
    before = {t: supermarket.count(t) for t in ("ledger_entries", "outbox_events", "audit_log")}
    with pytest.raises(InsufficientPoints) as err:
        adjust_points(
            supermarket.db,
            actor=supermarket.manager,
            member_id=member.id,
            points=-51,
            reason="take back too much",
            now=QUIET_DAY,
        )
    assert "50" in err.value.message
    assert {t: supermarket.count(t) for t in before} == before
    assert supermarket.balance(member.id) == 50
    with supermarket.sql() as conn:
        assert conn.execute("SELECT SUM(remaining) FROM points_lots").fetchone() == (50,)


def test_negative_adjustment_cannot_take_points_already_due(supermarket: Counter) -> None:
    member = supermarket.register()
    new_year = at(2028, 1, 1, 0, 0)
    with pytest.raises(InsufficientPoints):
        adjust_points(
            supermarket.db,
            actor=supermarket.manager,
            member_id=member.id,
            points=-50,
            reason="points that have expired",
            now=new_year,
        )
    assert kinds(supermarket, member.id) == [("signup_bonus", 50)]


def test_adjustment_for_unknown_member_is_not_found(supermarket: Counter) -> None:
    with pytest.raises(NotFound) as err:
        adjust_points(
            supermarket.db,
            actor=supermarket.manager,
            member_id="00000000-0000-0000-0000-000000000000",
            points=10,
            reason="nobody is there",
            now=QUIET_DAY,
        )
    assert err.value.field == "member"


# Activities --------------------------------------------------------------------------
@pytest.mark.parametrize(("activity", "points"), [("checkin-7-days", 50), ("review", 20)])
def test_credit_activity_credits_the_program_points(
    supermarket: Counter, activity: str, points: int
) -> None:
    member = supermarket.register()
    moved = credit_activity(
        supermarket.db,
        actor=supermarket.cashier,
        member_id=member.id,
        activity=activity,
        reason="seen in the app",
        now=QUIET_DAY,
    )
    assert (moved.points, moved.balance) == (points, 50 + points)
    assert kinds(supermarket, member.id)[-1] == ("activity_bonus", points)


def test_credit_unknown_activity_is_not_found(supermarket: Counter) -> None:
    member = supermarket.register()
    with pytest.raises(NotFound) as err:
        credit_activity(
            supermarket.db,
            actor=supermarket.cashier,
            member_id=member.id,
            activity="birthday",
            reason="it is her birthday",
            now=QUIET_DAY,
        )
    assert err.value.field == "activity"
    assert supermarket.count("ledger_entries") == 1


# Expiry --------------------------------------------------------------------------------
def test_expiry_run_is_idempotent(supermarket: Counter) -> None:
    a = supermarket.register(phone="13800000001")
    b = supermarket.register(phone="13800000002")
    supermarket.sell(a.id, [CartLine("general", 30000)])
    new_year = at(2028, 1, 1, 0, 0)
    first = run_expiry(supermarket.db, actor=supermarket.manager, now=new_year)
    assert first == ExpiryReport(members=2, points=400)
    ledger = supermarket.count("ledger_entries")
    outbox = supermarket.count("outbox_events")
    second = run_expiry(supermarket.db, actor=supermarket.manager, now=new_year)
    assert second == ExpiryReport(members=0, points=0)
    assert supermarket.count("ledger_entries") == ledger
    assert supermarket.count("outbox_events") == outbox
    assert (supermarket.balance(a.id, new_year), supermarket.balance(b.id, new_year)) == (0, 0)
    assert kinds(supermarket, a.id)[-1] == ("expiry", -350)
    assert check_books(supermarket.db) == []


def test_calendar_year_expiry_boundary(supermarket: Counter) -> None:
    member = supermarket.register()
    supermarket.sell(member.id, [CartLine("general", 30000)], now=at(2026, 12, 31, 23, 0))
    last_second = at(2027, 12, 31, 23, 59, 59)
    assert supermarket.balance(member.id, last_second) == 350
    assert view_member(supermarket.db, member.id, now=last_second).expiring_30d == 350
    assert run_expiry(supermarket.db, actor=supermarket.manager, now=last_second) == ExpiryReport(
        0, 0
    )
    assert supermarket.balance(member.id, last_second) == 350
    new_year = at(2028, 1, 1, 0, 0)
    assert supermarket.balance(member.id, new_year) == 0  # due, even before the run
    assert run_expiry(supermarket.db, actor=supermarket.manager, now=new_year) == ExpiryReport(
        1, 350
    )
    assert supermarket.balance(member.id, new_year) == 0
    with supermarket.sql() as conn:
        assert conn.execute("SELECT balance FROM members").fetchone() == (0,)


def test_points_earned_on_new_years_day_live_a_year_longer(supermarket: Counter) -> None:
    member = supermarket.register(now=at(2026, 12, 31, 23, 59, 59))
    supermarket.sell(member.id, [CartLine("general", 10000)], now=at(2027, 1, 1, 0, 0))
    assert lots_by_expiry(supermarket, member.id) == {
        "2027-12-31 16:00:00.000000": 50,  # 2028-01-01 00:00 Shanghai
        "2028-12-31 16:00:00.000000": 100,  # 2029-01-01 00:00 Shanghai
    }


def three_years_of_points(counter: Counter) -> tuple[str, str]:
    """50 sign-up + 300 earned in 2026, 200 earned in 2027, then an offset of 200 in 2027
    on a 10-yuan bill (8 yuan paid, 8 points earned). Returns (member id, receipt)."""
    member = counter.register()
    counter.sell(member.id, [CartLine("general", 30000)])
    counter.sell(member.id, [CartLine("general", 20000)], now=at(2027, 3, 1, 10))
    sale = counter.sell(member.id, [CartLine("general", 1000)], offset=200, now=at(2027, 3, 1, 11))
    assert (sale.quote.offset_fen, sale.quote.total_due_fen, sale.quote.earn_points) == (
        200,
        800,
        8,
    )
    return member.id, sale.receipt_no


def test_spending_takes_first_expiring_lots_first(supermarket: Counter) -> None:
    member_id, _receipt = three_years_of_points(supermarket)
    assert lots_by_expiry(supermarket, member_id) == {
        "2027-12-31 16:00:00.000000": 150,  # 350 from 2026, 200 spent
        "2028-12-31 16:00:00.000000": 208,
    }
    new_year = at(2028, 1, 1, 0, 0)
    assert run_expiry(supermarket.db, actor=supermarket.manager, now=new_year) == ExpiryReport(
        1, 150
    )
    assert supermarket.balance(member_id, new_year) == 208
    assert check_books(supermarket.db) == []


def test_offset_refund_restores_points_to_their_original_expiry(supermarket: Counter) -> None:
    member_id, receipt = three_years_of_points(supermarket)
    result = commit_return(
        supermarket.db,
        actor=supermarket.cashier,
        receipt_no=receipt,
        items=[ReturnItem(1, 1)],
        now=at(2027, 3, 2, 10),
    )
    assert (result.quote.points_restored, result.quote.points_reversed) == (200, 8)
    assert result.balance == 550
    assert lots_by_expiry(supermarket, member_id) == {
        "2027-12-31 16:00:00.000000": 350,  # back where they came from, not a new 2029 lot
        "2028-12-31 16:00:00.000000": 200,
    }
    new_year = at(2028, 1, 1, 0, 0)
    assert run_expiry(supermarket.db, actor=supermarket.manager, now=new_year) == ExpiryReport(
        1, 350
    )
    assert supermarket.balance(member_id, new_year) == 200
    assert check_books(supermarket.db) == []


# Tiers --------------------------------------------------------------------------------
def tier_of(counter: Counter, member_id: str, now: dt.datetime = QUIET_DAY) -> str:
    return view_member(counter.db, member_id, now=now).tier_code


def upgrade_records(counter: Counter, member_id: str) -> tuple[int, list[tuple[str]]]:
    with counter.sql() as conn:
        bonuses = conn.execute(
            "SELECT COUNT(*) FROM ledger_entries WHERE member_id = ? AND kind = 'upgrade_bonus'",
            (member_id,),
        ).fetchone()[0]
        awards = conn.execute(
            "SELECT tier_code FROM member_tier_awards WHERE member_id = ?", (member_id,)
        ).fetchall()
    return int(bonuses), awards


def test_upgrade_bonus_once_and_never_downgrade(supermarket: Counter) -> None:
    member = supermarket.register()
    sale = supermarket.sell(member.id, [CartLine("general", 100000, qty=5)])
    assert sale.tier_change is not None
    assert (sale.tier_change.old_tier, sale.tier_change.new_tier) == ("normal", "silver")
    assert sale.tier_change.bonus_points == 5000
    assert supermarket.balance(member.id) == 50 + 5000 + 5000
    assert upgrade_records(supermarket, member.id) == (1, [("silver",)])

    later = QUIET_DAY + dt.timedelta(hours=1)
    commit_return(
        supermarket.db,
        actor=supermarket.cashier,
        receipt_no=sale.receipt_no,
        items=[ReturnItem(1, 1)],
        now=later,
        approver=supermarket.manager,
    )
    review = review_tiers(supermarket.db, actor=supermarket.manager, now=later)
    assert (review.upgraded, review.downgraded, review.changes) == (0, 0, ())
    assert tier_of(supermarket, member.id, later) == "silver"

    again = supermarket.sell(member.id, [CartLine("general", 100000)], now=later)
    assert again.tier_change is None
    assert upgrade_records(supermarket, member.id) == (1, [("silver",)])


def test_hotel_requalify_downgrades_and_never_repeats_the_bonus(hotel: Counter) -> None:
    member = hotel.register()
    first = hotel.sell(member.id, [CartLine("dining", 500000)])
    assert first.tier_change is not None
    assert first.tier_change.bonus_points == 5000
    assert tier_of(hotel, member.id) == "silver"

    # the rolling 12-month window still holds the sale on its anniversary
    anniversary = at(2027, 3, 2, 10, 0)
    review = review_tiers(hotel.db, actor=hotel.manager, now=anniversary)
    assert (review.upgraded, review.downgraded) == (0, 0)
    assert tier_of(hotel, member.id, anniversary) == "silver"

    after = at(2027, 3, 3, 10, 0)
    review = review_tiers(hotel.db, actor=hotel.manager, now=after)
    assert (review.upgraded, review.downgraded) == (0, 1)
    assert review.changes == (TierChange(member.id, "silver", "normal"),)
    assert tier_of(hotel, member.id, after) == "normal"

    back = hotel.sell(member.id, [CartLine("dining", 500000)], now=after + dt.timedelta(hours=1))
    assert back.tier_change is not None
    assert (back.tier_change.old_tier, back.tier_change.new_tier) == ("normal", "silver")
    assert back.tier_change.bonus_points == 0
    assert tier_of(hotel, member.id, after) == "silver"
    assert upgrade_records(hotel, member.id) == (1, [("silver",)])
    assert check_books(hotel.db) == []


# Books check ----------------------------------------------------------------------------
def doctor(path: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pos_app.cli", "doctor", "--db", path],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def test_check_books_is_clean_and_doctor_exits_0(supermarket: Counter) -> None:
    member = supermarket.register()
    supermarket.sell(member.id, [CartLine("general", 12345)])
    assert check_books(supermarket.db) == []
    done = doctor(supermarket.db.path)
    assert done.returncode == 0, done.stderr
    assert "ledger, balances and lots agree" in done.stdout


def test_corrupted_balance_is_reported(supermarket: Counter) -> None:
    member = supermarket.register()
    with supermarket.sql() as conn:
        conn.execute("UPDATE members SET balance = balance + 7 WHERE id = ?", (member.id,))
        conn.commit()
    assert check_books(supermarket.db) == [
        Discrepancy(member.id, "balance 57 but ledger sums to 50")
    ]
    done = doctor(supermarket.db.path)
    assert done.returncode == 1
    assert f"member {member.id}: balance 57 but ledger sums to 50" in done.stdout
    assert "1 discrepancies found" in done.stderr


def test_corrupted_lot_is_reported(supermarket: Counter) -> None:
    member = supermarket.register()
    with supermarket.sql() as conn:
        (lot_id,) = conn.execute(
            "SELECT id FROM points_lots WHERE member_id = ?", (member.id,)
        ).fetchone()
        conn.execute("UPDATE points_lots SET remaining = 40 WHERE id = ?", (lot_id,))
        conn.commit()
    assert check_books(supermarket.db) == [
        Discrepancy(member.id, "lots hold 40 points but the ledger balance is 50"),
        Discrepancy(member.id, f"lot {lot_id}: 50 points, 0 used, but 40 left"),
    ]
    assert doctor(supermarket.db.path).returncode == 1


def test_doctor_on_missing_file_exits_2(tmp_path: Path) -> None:
    done = doctor(str(tmp_path / "nope.sqlite3"))
    assert done.returncode == 2
    assert "no store database" in done.stderr
