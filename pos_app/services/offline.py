"""Floor limits on spending points while a store linked to HQ cannot reach it.

HQ's ledger is the truth: while the store is offline another store may spend the
same member's points, so what this device lets members spend is held to the
program's ``[offline]`` limits (per offset or gift redemption, in all on this
device, and not at all after so many hours). A spend HQ approved online
(``authorized``) is not limited, and a standalone store (no HQ) never is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pos_app.db.raw import Tx, from_db, read_tx, to_db
from pos_app.db.store import StoreDB
from pos_app.errors import OfflineLimit
from pos_app.services.context import Context, context

#: the entries that count as spending on this device (offsets and gift redemptions)
SPEND_KINDS = ("offset", "gift_redemption")


@dataclass(frozen=True)
class OfflineState:
    """Where a linked store stands while offline, under the program's limits."""

    since: dt.datetime
    #: how long the store has been offline at the moment asked about
    elapsed: dt.timedelta
    #: points this device let members spend (offsets, gifts) since the store went offline
    spent: int
    max_redemption_points: int
    max_device_points: int
    max_hours: int

    @property
    def expired(self) -> bool:
        """Offline too long: no points may be spent at all."""
        return self.elapsed >= dt.timedelta(hours=self.max_hours)

    @property
    def allowance(self) -> int:
        """The most points one offset or gift may take now."""
        if self.expired:
            return 0
        left = max(0, self.max_device_points - self.spent)
        return min(self.max_redemption_points, left)


def _duration(elapsed: dt.timedelta) -> str:
    minutes = max(0, int(elapsed.total_seconds() // 60))
    if minutes < 60:
        return "less than a minute" if minutes < 1 else _plural(minutes, "minute")
    return _plural(minutes // 60, "hour")


def _plural(n: int, unit: str) -> str:
    return f"{n:,} {unit}" if n == 1 else f"{n:,} {unit}s"


def offline_state(tx: Tx, ctx: Context, now: dt.datetime) -> OfflineState | None:
    """The store's offline state, or None when it is not limited (standalone, or online)."""
    row = tx.row("SELECT hq_url, offline_since FROM sync_state WHERE id = 1")
    if row is None or row[0] is None or row[1] is None:
        return None
    since = from_db(row[1])
    assert since is not None
    spent = tx.value(
        "SELECT COALESCE(-SUM(points), 0) FROM ledger_entries "
        f"WHERE kind IN ({', '.join('?' * len(SPEND_KINDS))}) AND points < 0 "
        "AND store_code = ? AND device_code = ? AND created_at >= ?",
        (*SPEND_KINDS, ctx.store_code, ctx.device_code, to_db(since)),
    )
    limits = ctx.program.definition.offline
    return OfflineState(
        since=since,
        elapsed=now - since,
        spent=int(spent),
        max_redemption_points=limits.max_redemption_points,
        max_device_points=limits.max_device_points,
        max_hours=limits.max_hours,
    )


def check_offline_spend(
    tx: Tx, ctx: Context, *, points: int, now: dt.datetime, authorized: bool
) -> None:
    """Refuse (:class:`OfflineLimit`) spending ``points`` on this device if the store is
    linked to HQ, offline, the spend was not approved by HQ, and it is above a limit."""
    if authorized or points <= 0:
        return
    state = offline_state(tx, ctx, now)
    if state is None:
        return
    offline = f"offline for {_duration(state.elapsed)}"
    if state.expired:
        raise OfflineLimit(
            f"{offline}: no points can be spent after {_plural(state.max_hours, 'hour')} "
            "offline until the store reconnects",
            field="points",
        )
    if points > state.max_redemption_points:
        raise OfflineLimit(
            f"{offline}: at most {state.max_redemption_points:,} points per redemption "
            "until the store reconnects",
            field="points",
        )
    left = max(0, state.max_device_points - state.spent)
    if points > left:
        raise OfflineLimit(
            f"{offline}: this till may let members spend {state.max_device_points:,} points "
            f"in all until the store reconnects; {state.spent:,} are spent, {left:,} are left",
            field="points",
        )


def offline_allowance(db: StoreDB, *, now: dt.datetime) -> int | None:
    """The most points one offset or gift may take on this device now without HQ's
    approval; None when the store is not limited (standalone, or online)."""
    with read_tx(db.engine) as tx:
        state = offline_state(tx, context(db, tx), now)
    return None if state is None else state.allowance
