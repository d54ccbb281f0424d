"""Staff PINs, lock-out, roles enforced inside the services, sessions and approvals."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

from pos_app.errors import (
    ApprovalRequired,
    AuthenticationFailed,
    LockedOut,
    PermissionDenied,
)
from pos_app.program import bundled_program
from pos_app.services.adjustments import adjust_points
from pos_app.services.auth import (
    Role,
    StaffSession,
    create_staff,
    hash_pin,
    login,
    logout,
    verify_pin,
)
from pos_app.services.checkout import CartLine
from pos_app.services.expiry import run_expiry
from pos_app.services.members import view_member
from pos_app.services.programs import install_program
from pos_app.services.returns import ReturnItem, commit_return
from pos_app.services.tiers import review_tiers
from tests.conftest import QUIET_DAY, Counter


def audit_rows(counter: Counter, action: str) -> list[tuple[str | None, str, dict[str, object]]]:
    with counter.sql() as conn:
        rows = conn.execute(
            "SELECT staff_id, target, details FROM audit_log WHERE action = ? ORDER BY id",
            (action,),
        ).fetchall()
    return [(staff_id, target, json.loads(details)) for staff_id, target, details in rows]


# PIN storage -----------------------------------------------------------------------
def test_pins_are_stored_as_salted_scrypt_hashes(supermarket: Counter) -> None:
    create_staff(
        supermarket.db,
        actor=supermarket.admin,
        code="3",
        name="收银员二",
        role="cashier",
        pin="1111",
        now=QUIET_DAY,
    )
    with supermarket.sql() as conn:
        hashes = dict(conn.execute("SELECT code, pin_hash FROM staff").fetchall())
    assert set(hashes) == {"9", "2", "1", "3"}
    for stored in hashes.values():
        assert stored.startswith("scrypt$")
        assert "1111" not in stored and "2222" not in stored and "9999" not in stored
    # the same PIN, two different salts and digests
    salt_1, salt_3 = hashes["1"].split("$")[4], hashes["3"].split("$")[4]
    assert salt_1 != salt_3
    assert hashes["1"] != hashes["3"]
    assert verify_pin("1111", hashes["1"]) and verify_pin("1111", hashes["3"])
    assert not verify_pin("1112", hashes["1"])


def test_hash_pin_format() -> None:
    stored = hash_pin("123456")
    scheme, n, r, p, _salt, _digest = stored.split("$")
    assert (scheme, n, r, p) == ("scrypt", str(2**14), "8", "1")


# Login -----------------------------------------------------------------------------------
def test_wrong_pin_fails(supermarket: Counter) -> None:
    with pytest.raises(AuthenticationFailed) as err:
        login(supermarket.db, code="1", pin="1112", now=QUIET_DAY)
    assert type(err.value) is AuthenticationFailed
    assert err.value.message == "wrong staff number or PIN"


def test_unknown_staff_code_gives_the_same_error_as_a_wrong_pin(supermarket: Counter) -> None:
    with pytest.raises(AuthenticationFailed) as wrong_pin:
        login(supermarket.db, code="1", pin="0000", now=QUIET_DAY)
    with pytest.raises(AuthenticationFailed) as unknown:
        login(supermarket.db, code="77", pin="0000", now=QUIET_DAY)
    assert type(unknown.value) is type(wrong_pin.value)
    assert str(unknown.value) == str(wrong_pin.value)
    assert unknown.value.field == wrong_pin.value.field


def test_five_wrong_pins_lock_out_for_five_minutes(supermarket: Counter) -> None:
    t0 = QUIET_DAY + dt.timedelta(hours=1)
    for i in range(4):
        with pytest.raises(AuthenticationFailed) as err:
            login(supermarket.db, code="1", pin="0000", now=t0 + dt.timedelta(seconds=i))
        assert type(err.value) is AuthenticationFailed
    locked_at = t0 + dt.timedelta(seconds=4)
    with pytest.raises(LockedOut):
        login(supermarket.db, code="1", pin="0000", now=locked_at)
    # even the right PIN is refused while locked
    with pytest.raises(LockedOut) as err:
        login(supermarket.db, code="1", pin="1111", now=locked_at + dt.timedelta(seconds=1))
    assert "5 min" in err.value.message
    with pytest.raises(LockedOut):
        login(
            supermarket.db,
            code="1",
            pin="1111",
            now=locked_at + dt.timedelta(minutes=5) - dt.timedelta(seconds=1),
        )
    session = login(supermarket.db, code="1", pin="1111", now=locked_at + dt.timedelta(minutes=5))
    assert session.role is Role.CASHIER
    assert session.code == "1"


def test_locked_out_message_gives_the_minutes_actually_left(supermarket: Counter) -> None:
    for _ in range(5):
        with pytest.raises(AuthenticationFailed):
            login(supermarket.db, code="1", pin="0000", now=QUIET_DAY)
    messages = []
    for elapsed in (0, 60, 61):
        with pytest.raises(LockedOut) as err:
            login(
                supermarket.db,
                code="1",
                pin="1111",
                now=QUIET_DAY + dt.timedelta(seconds=elapsed),
            )
        messages.append(err.value.message)
    assert messages == [
        "too many wrong PINs; try again in 5 min or ask a manager",
        "too many wrong PINs; try again in 4 min or ask a manager",
        "too many wrong PINs; try again in 4 min or ask a manager",
    ]


def test_a_successful_login_resets_the_failure_count(supermarket: Counter) -> None:
    t0 = QUIET_DAY + dt.timedelta(hours=1)
    for i in range(4):
        with pytest.raises(AuthenticationFailed):
            login(supermarket.db, code="1", pin="0000", now=t0 + dt.timedelta(seconds=i))
    login(supermarket.db, code="1", pin="1111", now=t0 + dt.timedelta(seconds=5))
    for i in range(4):
        with pytest.raises(AuthenticationFailed) as err:
            login(supermarket.db, code="1", pin="0000", now=t0 + dt.timedelta(seconds=10 + i))
        assert type(err.value) is AuthenticationFailed


def test_audit_log_records_logins_failures_and_lockouts(supermarket: Counter) -> None:
    t0 = QUIET_DAY + dt.timedelta(hours=1)
    logins_before = len(audit_rows(supermarket, "login"))
    assert logins_before >= 3  # admin, manager and cashier in the fixture
    login(supermarket.db, code="2", pin="2222", now=t0)
    for i in range(5):
        with pytest.raises(AuthenticationFailed):
            login(supermarket.db, code="1", pin="0000", now=t0 + dt.timedelta(seconds=i))
    with pytest.raises(AuthenticationFailed):
        login(supermarket.db, code="404", pin="0000", now=t0)

    logins = audit_rows(supermarket, "login")
    assert len(logins) == logins_before + 1
    assert logins[-1] == (supermarket.manager.staff_id, "2", {})
    failed = audit_rows(supermarket, "login.failed")
    assert [(target, details) for _staff, target, details in failed] == [
        ("1", {"attempts": 1}),
        ("1", {"attempts": 2}),
        ("1", {"attempts": 3}),
        ("1", {"attempts": 4}),
        ("404", {"why": "unknown"}),
    ]
    assert failed[0][0] == supermarket.cashier.staff_id
    assert failed[-1][0] is None
    assert audit_rows(supermarket, "login.locked") == [
        (supermarket.cashier.staff_id, "1", {"attempts": 5})
    ]


def test_audit_log_records_points_adjustment(supermarket: Counter) -> None:
    member = supermarket.register()
    adjust_points(
        supermarket.db,
        actor=supermarket.manager,
        member_id=member.id,
        points=30,
        reason="goodwill for a late delivery",
        now=QUIET_DAY,
    )
    assert audit_rows(supermarket, "points.adjust") == [
        (
            supermarket.manager.staff_id,
            member.id,
            {"points": 30, "reason": "goodwill for a late delivery"},
        )
    ]


# Roles are checked inside the services -------------------------------------------
def test_cashier_cannot_adjust_points(supermarket: Counter) -> None:
    member = supermarket.register()
    with pytest.raises(PermissionDenied) as err:
        adjust_points(
            supermarket.db,
            actor=supermarket.cashier,
            member_id=member.id,
            points=1000,
            reason="my friend asked nicely",
            now=QUIET_DAY,
        )
    assert "needs a manager" in err.value.message
    assert view_member(supermarket.db, member.id, now=QUIET_DAY).balance == 50
    assert supermarket.count("ledger_entries") == 1


def test_cashier_cannot_run_expiry(supermarket: Counter) -> None:
    with pytest.raises(PermissionDenied):
        run_expiry(supermarket.db, actor=supermarket.cashier, now=QUIET_DAY)


def test_cashier_cannot_review_tiers(supermarket: Counter) -> None:
    with pytest.raises(PermissionDenied):
        review_tiers(supermarket.db, actor=supermarket.cashier, now=QUIET_DAY)


@pytest.mark.parametrize("who", ["cashier", "manager"])
def test_only_an_admin_can_create_staff(supermarket: Counter, who: str) -> None:
    actor: StaffSession = getattr(supermarket, who)
    with pytest.raises(PermissionDenied) as err:
        create_staff(
            supermarket.db,
            actor=actor,
            code="66",
            name="新人",
            role="admin",
            pin="6666",
            now=QUIET_DAY,
        )
    assert err.value.message.startswith("manage staff needs a")
    assert err.value.message.endswith("admin")
    assert supermarket.count("staff") == 3


def test_permission_message_uses_the_right_article(supermarket: Counter) -> None:
    with pytest.raises(PermissionDenied) as err:
        install_program(
            supermarket.db,
            actor=supermarket.manager,
            program=bundled_program("hotel"),
            now=QUIET_DAY,
        )
    assert err.value.message == "install program needs an admin"


def test_cashier_cannot_install_program(supermarket: Counter) -> None:
    with pytest.raises(PermissionDenied):
        install_program(
            supermarket.db,
            actor=supermarket.cashier,
            program=bundled_program("hotel"),
            now=QUIET_DAY,
        )
    with supermarket.sql() as conn:
        assert conn.execute("SELECT code FROM program_versions WHERE active = 1").fetchall() == [
            ("supermarket",)
        ]


def test_no_actor_is_refused_once_the_store_is_set_up(supermarket: Counter) -> None:
    with pytest.raises(PermissionDenied):
        create_staff(
            supermarket.db, actor=None, code="66", name="x", role="admin", pin="6666", now=QUIET_DAY
        )
    with pytest.raises(PermissionDenied):
        install_program(supermarket.db, actor=None, program=bundled_program("hotel"), now=QUIET_DAY)


def test_fabricated_admin_session_is_refused(supermarket: Counter) -> None:
    forged = StaffSession(
        staff_id=supermarket.admin.staff_id,
        code="9",
        name="Admin",
        role=Role.ADMIN,
        token="made-up-token",
    )
    with pytest.raises(PermissionDenied):
        create_staff(
            supermarket.db,
            actor=forged,
            code="66",
            name="冒充",
            role="admin",
            pin="6666",
            now=QUIET_DAY,
        )
    # a real cashier token with the role field edited to admin gains nothing either
    promoted = dataclasses.replace(supermarket.cashier, role=Role.ADMIN)
    with pytest.raises(PermissionDenied):
        create_staff(
            supermarket.db,
            actor=promoted,
            code="66",
            name="冒充",
            role="admin",
            pin="6666",
            now=QUIET_DAY,
        )
    member = supermarket.register()
    with pytest.raises(PermissionDenied):
        adjust_points(
            supermarket.db,
            actor=promoted,
            member_id=member.id,
            points=100,
            reason="promoted myself",
            now=QUIET_DAY,
        )
    assert supermarket.count("staff") == 3


def test_logout_ends_the_session(supermarket: Counter) -> None:
    member = supermarket.register()
    adjust_points(
        supermarket.db,
        actor=supermarket.manager,
        member_id=member.id,
        points=10,
        reason="before logging out",
        now=QUIET_DAY,
    )
    logout(supermarket.db, supermarket.manager)
    with pytest.raises(PermissionDenied) as err:
        adjust_points(
            supermarket.db,
            actor=supermarket.manager,
            member_id=member.id,
            points=10,
            reason="after logging out",
            now=QUIET_DAY,
        )
    assert "log in again" in err.value.message
    with pytest.raises(PermissionDenied):
        run_expiry(supermarket.db, actor=supermarket.manager, now=QUIET_DAY)
    assert view_member(supermarket.db, member.id, now=QUIET_DAY).balance == 60


# Manager approval for large returns ----------------------------------------------------
def big_sale(counter: Counter, yuan: int) -> str:
    member = counter.register()
    sale = counter.sell(member.id, [CartLine("general", yuan * 100)])
    return sale.receipt_no


def test_return_above_threshold_without_approver_needs_approval(supermarket: Counter) -> None:
    receipt = big_sale(supermarket, 250)
    with pytest.raises(ApprovalRequired):
        commit_return(
            supermarket.db,
            actor=supermarket.cashier,
            receipt_no=receipt,
            items=[ReturnItem(1, 1)],
            now=QUIET_DAY + dt.timedelta(hours=1),
        )
    assert supermarket.count("returns") == 0
    assert supermarket.count("ledger_entries") == 2  # sign-up and earn only


def test_return_above_threshold_with_cashier_approver_is_denied(supermarket: Counter) -> None:
    receipt = big_sale(supermarket, 250)
    other = create_staff(
        supermarket.db,
        actor=supermarket.admin,
        code="5",
        name="收银员二",
        role="cashier",
        pin="5555",
        now=QUIET_DAY,
    )
    second_cashier = login(supermarket.db, code="5", pin="5555", now=QUIET_DAY)
    assert second_cashier.staff_id == other
    for approver in (supermarket.cashier, second_cashier):
        with pytest.raises(PermissionDenied) as err:
            commit_return(
                supermarket.db,
                actor=supermarket.cashier,
                receipt_no=receipt,
                items=[ReturnItem(1, 1)],
                now=QUIET_DAY + dt.timedelta(hours=1),
                approver=approver,
            )
        assert type(err.value) is PermissionDenied
    assert supermarket.count("returns") == 0


def test_return_above_threshold_with_manager_is_approved_and_audited(
    supermarket: Counter,
) -> None:
    receipt = big_sale(supermarket, 250)
    result = commit_return(
        supermarket.db,
        actor=supermarket.cashier,
        receipt_no=receipt,
        items=[ReturnItem(1, 1)],
        now=QUIET_DAY + dt.timedelta(hours=1),
        approver=supermarket.manager,
    )
    assert result.quote.refund_fen == 25000
    assert result.quote.needs_manager is True
    assert result.balance == 50
    with supermarket.sql() as conn:
        assert conn.execute("SELECT approved_by FROM returns").fetchall() == [
            (supermarket.manager.staff_id,)
        ]
    assert audit_rows(supermarket, "return.approved") == [
        (
            supermarket.manager.staff_id,
            result.return_no,
            {"refund_fen": 25000, "cashier": supermarket.cashier.staff_id},
        )
    ]


def test_return_at_exactly_the_threshold_needs_no_manager(supermarket: Counter) -> None:
    receipt = big_sale(supermarket, 200)
    result = commit_return(
        supermarket.db,
        actor=supermarket.cashier,
        receipt_no=receipt,
        items=[ReturnItem(1, 1)],
        now=QUIET_DAY + dt.timedelta(hours=1),
    )
    assert result.quote.refund_fen == 20000
    assert result.quote.needs_manager is False
    assert audit_rows(supermarket, "return.approved") == []
