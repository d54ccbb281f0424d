"""A member's recent points history, as the counter and the kiosk show it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pos_app.db.raw import from_db, read_tx
from pos_app.db.store import StoreDB
from pos_app.errors import InvalidInput

MAX_ROWS = 200


@dataclass(frozen=True)
class HistoryRow:
    created_at: dt.datetime
    kind: str
    points: int
    balance_after: int
    reason: str
    receipt_no: str | None


def member_history(db: StoreDB, member_id: str, *, limit: int = 50) -> list[HistoryRow]:
    """The member's latest ledger entries, newest first, with the receipt they belong to."""
    if not 1 <= limit <= MAX_ROWS:
        raise InvalidInput(f"show 1 to {MAX_ROWS} rows", field="limit")
    with read_tx(db.engine) as tx:
        rows = tx.rows(
            "SELECT e.created_at, e.kind, e.points, e.balance_after, e.reason, "
            "       COALESCE(r.return_no, s.receipt_no) "
            "FROM ledger_entries e LEFT JOIN sales s ON s.id = e.sale_id "
            "LEFT JOIN returns r ON r.id = e.return_id "
            "WHERE e.member_id = ? ORDER BY e.id DESC LIMIT ?",
            (member_id, limit),
        )
    return [
        HistoryRow(
            from_db(at) or dt.datetime.min.replace(tzinfo=dt.UTC),
            kind,
            points,
            after,
            reason,
            receipt,
        )
        for at, kind, points, after, reason, receipt in rows
    ]
