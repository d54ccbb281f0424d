"""Asking HQ before a big spend: a member's points may have been spent at another store.

A spend at or below the program's floor (``[offline] max_redemption_points``)
goes ahead on the store's own figures. Above it, HQ is asked with a short
timeout; if HQ cannot answer in time the store counts as offline and the
offline rule decides (the service refuses what the floor does not allow).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from pos_app.db.store import StoreDB
from pos_app.services import outbox, remote
from sync.client import HQClient, HQRefused, HQUnavailable
from sync.protocol import AuthorizeRequest

TIMEOUT_S = 2.0


@dataclass(frozen=True)
class Authorization:
    #: True: HQ approves; False: HQ refuses (reason says why); None: HQ did not answer
    approved: bool | None
    reason: str = ""
    hq_balance: int | None = None


def authorize_spend(
    db: StoreDB,
    client: HQClient,
    member_id: str,
    points: int,
    *,
    clock: Callable[[], dt.datetime],
    timeout: float = TIMEOUT_S,
) -> Authorization:
    unacked = outbox.unacked_spend(db, member_id)
    request = AuthorizeRequest(member_id=member_id, points=points, unacked_points=unacked)
    try:
        answer = client.authorize(request, timeout=timeout)
    except HQUnavailable as exc:
        # no answer in time: from now on the offline rule applies until a round succeeds
        remote.record_round(db, ok=False, error=str(exc), now=clock())
        return Authorization(None, str(exc))
    except HQRefused as exc:
        return Authorization(None, exc.message)
    return Authorization(answer.approved, answer.reason or "", answer.hq_balance)
