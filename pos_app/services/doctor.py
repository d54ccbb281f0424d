"""Consistency checks of the points books: ledger, cached balances and lots."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from pos_app.db.models import LedgerEntry, LotConsumption, Member, PointsLot
from pos_app.db.store import StoreDB


@dataclass(frozen=True)
class Discrepancy:
    member_id: str
    problem: str

    def __str__(self) -> str:
        return f"member {self.member_id}: {self.problem}"


def check_books(db: StoreDB) -> list[Discrepancy]:
    """Every member's balance must equal the ledger sum and the last ``balance_after``;
    lots must cover the balance exactly; each lot must agree with its consumptions."""
    problems: list[Discrepancy] = []
    with db.read() as s:
        ledger = (
            select(
                LedgerEntry.member_id,
                func.sum(LedgerEntry.points).label("total"),
                func.max(LedgerEntry.id).label("last_id"),
            )
            .group_by(LedgerEntry.member_id)
            .subquery()
        )
        lots = (
            select(
                PointsLot.member_id,
                func.sum(PointsLot.remaining).label("remaining"),
                func.min(PointsLot.remaining).label("min_remaining"),
            )
            .group_by(PointsLot.member_id)
            .subquery()
        )
        rows = s.execute(
            select(
                Member.id,
                Member.balance,
                ledger.c.total,
                ledger.c.last_id,
                lots.c.remaining,
                lots.c.min_remaining,
            )
            .outerjoin(ledger, ledger.c.member_id == Member.id)
            .outerjoin(lots, lots.c.member_id == Member.id)
        )
        last_ids = []
        expected: dict[int, tuple[str, int]] = {}
        for member_id, balance, total, last_id, remaining, min_remaining in rows:
            total, remaining = int(total or 0), int(remaining or 0)
            if balance != total:
                problems.append(
                    Discrepancy(member_id, f"balance {balance} but ledger sums to {total}")
                )
            if remaining != max(total, 0):
                problems.append(
                    Discrepancy(
                        member_id, f"lots hold {remaining} points but the ledger balance is {total}"
                    )
                )
            if min_remaining is not None and min_remaining < 0:
                problems.append(Discrepancy(member_id, "a lot has negative points left"))
            if last_id is not None:
                last_ids.append(last_id)
                expected[last_id] = (member_id, total)
        for start in range(0, len(last_ids), 900):
            chunk = last_ids[start : start + 900]
            for entry_id, after in s.execute(
                select(LedgerEntry.id, LedgerEntry.balance_after).where(LedgerEntry.id.in_(chunk))
            ):
                member_id, total = expected[entry_id]
                if after != total:
                    problems.append(
                        Discrepancy(
                            member_id, f"last entry says balance {after}, ledger sums to {total}"
                        )
                    )
        used = (
            select(LotConsumption.lot_id, func.sum(LotConsumption.points).label("used"))
            .group_by(LotConsumption.lot_id)
            .subquery()
        )
        for lot_id, member_id, pts, remaining, used_pts in s.execute(
            select(
                PointsLot.id,
                PointsLot.member_id,
                PointsLot.points,
                PointsLot.remaining,
                used.c.used,
            )
            .outerjoin(used, used.c.lot_id == PointsLot.id)
            .where(PointsLot.points - func.coalesce(used.c.used, 0) != PointsLot.remaining)
        ):
            problems.append(
                Discrepancy(
                    member_id,
                    f"lot {lot_id}: {pts} points, {used_pts or 0} used, but {remaining} left",
                )
            )
    return problems
