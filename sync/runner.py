"""One sync round of a store: push the outbox, then pull HQ's changes.

Push: pending events go in device-sequence order, in batches; an event is
marked acknowledged only from HQ's answer, after HQ committed it, so a crash at
any point means the batch is simply pushed again (HQ answers "duplicate").
Rejected events stay in the outbox, marked, for the manager to see.

Pull: each page is applied together with its new cursor in one store
transaction, so a crash mid-pull resumes from the last applied page. A
"refetch" answer starts again from cursor 0 (applying a change twice is
harmless: members and cards are upserts, ledger entries are keyed by their id).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from pos_app.db.raw import read_tx
from pos_app.db.store import StoreDB
from pos_app.errors import PosError
from pos_app.services import outbox, remote
from sync import bootstrap
from sync.client import HQClient, HQRefused, HQUnavailable
from sync.protocol import OutboxEvent, PushRequest

log = logging.getLogger(__name__)

PUSH_BATCH = 500
PULL_PAGE = 2000
#: a refetch more often than this in one round means something is wrong at HQ
MAX_REFETCHES = 2

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RoundResult:
    ok: bool
    pushed: int = 0
    rejected: int = 0
    pulled: int = 0
    pending: int = 0
    error: str | None = None
    #: HQ refused us (token, version, store): retrying on a timer will not help
    refused: bool = False


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def identity(db: StoreDB) -> tuple[str, str]:
    with read_tx(db.engine) as tx:
        row = tx.row("SELECT store_code, device_code FROM store_identity WHERE id = 1")
    if row is None:
        raise PosError("this store is not set up yet (pos-app init)")
    return row[0], row[1]


def push_all(
    db: StoreDB, client: HQClient, *, clock: Callable[[], dt.datetime] = _utc_now
) -> tuple[int, int]:
    """Push every pending event; (acknowledged, rejected)."""
    store_code, device_code = identity(db)
    acked = rejected = 0
    while True:
        rows = outbox.pending_events(db, limit=PUSH_BATCH)
        if not rows:
            break
        request = PushRequest(
            store_code=store_code,
            device_code=device_code,
            events=[
                OutboxEvent(
                    event_id=r.event_id,
                    seq=r.seq,
                    type=r.type,
                    schema_version=r.schema_version,
                    payload=r.payload,
                    payload_hash=r.payload_hash,
                    created_at=r.created_at,
                )
                for r in rows
            ],
        )
        answer = client.push(request)
        results = [(r.event_id, r.status, r.reason) for r in answer.results]
        outbox.record_push_results(db, results, answer.acked_through, clock())
        done = [r for r in answer.results if r.seq <= answer.acked_through]
        acked += sum(r.status != "rejected" for r in done)
        rejected += sum(r.status == "rejected" for r in done)
        if not done:
            # HQ took none of them (it is missing earlier events): stop, say so
            raise HQUnavailable(
                f"HQ expects event {answer.acked_through + 1} but this counter's oldest "
                f"pending event is {rows[0].seq}"
            )
    return acked, rejected


def pull_all(
    db: StoreDB,
    client: HQClient,
    *,
    clock: Callable[[], dt.datetime] = _utc_now,
    page: int = PULL_PAGE,
    progress: Progress | None = None,
    bulk_page: int = bootstrap.BOOTSTRAP_PAGE,
    bulk_behind: int = bootstrap.BOOTSTRAP_BEHIND,
    bulk_commit: int = bootstrap.BOOTSTRAP_COMMIT,
) -> int:
    """Apply HQ's changes page by page; returns how many changes were applied.

    A store ``bulk_behind`` changes or more behind HQ's head (a new store) goes on in
    pages of ``bulk_page`` through :mod:`sync.bootstrap` (0: never), committing about
    every ``bulk_commit`` changes."""
    cursor = remote.sync_state(db).cursor
    applied = refetches = 0
    bulk = False
    while True:
        if bulk:
            bulk = False
            got, cursor, outcome = bootstrap.download(
                db,
                client,
                cursor,
                clock=clock,
                page=bulk_page,
                commit_every=bulk_commit,
                progress=progress,
            )
            applied += got
            if outcome == "done":
                return applied
            if outcome == "refetch":
                refetches += 1
                if refetches > MAX_REFETCHES:
                    raise HQUnavailable("HQ keeps asking for a refetch; try again later")
                log.warning("HQ asks for a refetch from the start (cursor %s)", cursor)
                remote.reset_cursor(db)
                cursor = 0
            bulk_page = 0 if outcome == "unsupported" else bulk_page
            continue
        answer = client.pull(cursor, page)
        if answer.refetch:
            refetches += 1
            if refetches > MAX_REFETCHES:
                raise HQUnavailable("HQ keeps asking for a refetch; try again later")
            log.warning("HQ asks for a refetch from the start (cursor %s)", cursor)
            remote.reset_cursor(db)
            cursor = 0
            continue
        if answer.changes or answer.next_cursor != cursor:
            remote.apply_changes(
                db,
                [c.model_dump() for c in answer.changes],
                next_cursor=answer.next_cursor,
                now=clock(),
            )
        applied += len(answer.changes)
        cursor = answer.next_cursor
        if progress is not None:
            progress(cursor, answer.head)
        if not answer.more:
            return applied
        bulk = bulk_page > 0 and answer.head - cursor >= bulk_behind


def sync_round(
    db: StoreDB,
    client: HQClient,
    *,
    clock: Callable[[], dt.datetime] = _utc_now,
    progress: Progress | None = None,
    page: int = PULL_PAGE,
) -> RoundResult:
    """Push then pull; never raises for network trouble (the result says what happened)."""
    try:
        pushed, rejected = push_all(db, client, clock=clock)
        pulled = pull_all(db, client, clock=clock, progress=progress, page=page)
    except (HQUnavailable, HQRefused, PosError) as exc:
        # PosError: a change from HQ this store cannot apply; nothing of that page was
        # written, the round says why and the next one tries again
        log.warning("sync round failed: %s", exc)
        remote.record_round(db, ok=False, error=str(exc), now=clock())
        pending = outbox.outbox_summary(db)[0]
        return RoundResult(
            ok=False, pending=pending, error=str(exc), refused=isinstance(exc, HQRefused)
        )
    remote.record_round(db, ok=True, error=None, now=clock(), pushed=pushed, pulled=pulled)
    pending = outbox.outbox_summary(db)[0]
    return RoundResult(ok=True, pushed=pushed, rejected=rejected, pulled=pulled, pending=pending)
