"""A store far behind HQ (a new store's first download) pulls in big pages.

HQ writes each page around the JSON its feed rows already hold
(``GET /v1/bootstrap``); a fetch thread gets the next page while this thread
applies the current one in bulk (:func:`pos_app.services.bootstrap.apply_page`),
each page with its cursor in one store transaction: a download killed at any
point resumes from the last page applied, and nothing is applied twice or half.
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Literal

from pos_app.db.store import StoreDB
from pos_app.services import bootstrap
from sync.client import BulkPage, HQClient, HQRefused

log = logging.getLogger(__name__)

#: changes per bootstrap page (HQ allows up to ``MAX_BOOTSTRAP_PAGE``)
BOOTSTRAP_PAGE = 20_000
#: a store at least this far behind HQ's head downloads through the bootstrap path
BOOTSTRAP_BEHIND = 10_000
#: pages fetched ahead of the one being applied
AHEAD = 2
#: changes applied in one store transaction (several pages: each commit rewrites the
#: index pages it touched, and random member ids touch most of them)
BOOTSTRAP_COMMIT = 100_000
#: ... and at most this long, so that a sale at the counter (which waits up to 5 s for
#: the database) gets its turn
COMMIT_SECONDS = 2.0

Outcome = Literal["done", "refetch", "unsupported"]


def download(
    db: StoreDB,
    client: HQClient,
    cursor: int,
    *,
    clock: Callable[[], dt.datetime],
    page: int = BOOTSTRAP_PAGE,
    commit_every: int = BOOTSTRAP_COMMIT,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[int, int, Outcome]:
    """Apply the feed from ``cursor`` to its head in big pages.

    Returns ``(changes applied, cursor now, outcome)``: ``"done"`` (caught up),
    ``"refetch"`` (HQ asks to start again from 0) or ``"unsupported"`` (an HQ without
    the bootstrap endpoint: nothing was applied, use ordinary pulls).
    """
    pages: queue.Queue[BulkPage | BaseException] = queue.Queue(maxsize=AHEAD)
    stop = threading.Event()

    def put(item: BulkPage | BaseException) -> None:
        while not stop.is_set():
            try:
                pages.put(item, timeout=0.2)
                return
            except queue.Full:
                continue

    def fetch(at: int) -> None:
        try:
            while not stop.is_set():
                got = client.pull_bulk(at, page)
                put(got)
                if got.refetch or not got.more:
                    return
                at = got.next_cursor
        except BaseException as exc:  # handed to the applying thread, which raises it
            put(exc)

    fetcher = threading.Thread(target=fetch, args=(cursor,), name="pos-bootstrap", daemon=True)
    fetcher.start()
    applied = 0
    try:
        item = pages.get()
        if isinstance(item, HQRefused) and item.status in (404, 405):
            log.info("HQ has no bootstrap endpoint; pulling page by page")
            return 0, cursor, "unsupported"
        fill = (
            isinstance(item, BulkPage)
            and not item.refetch
            and bootstrap.loads_into_empty(db, item.head - cursor)
        )
        with bootstrap.bulk_connection(db, fill=fill) as conn:
            while True:
                if isinstance(item, BaseException):
                    raise item
                if item.refetch:
                    return applied, cursor, "refetch"
                # pages applied together, in one transaction with the last one's cursor
                started = time.monotonic()
                took = 0
                following: BulkPage | BaseException | None = None
                with bootstrap.writing(db, conn, clock()) as writer:
                    while True:
                        writer.apply(
                            item.changes, checked=item.checked, next_cursor=item.next_cursor
                        )
                        took += len(item.changes)
                        cursor, head, more = item.next_cursor, item.head, item.more
                        if (
                            not more
                            or took >= commit_every
                            or time.monotonic() - started >= COMMIT_SECONDS
                        ):
                            break
                        following = pages.get()
                        if isinstance(following, BaseException) or following.refetch:
                            break  # commit what is applied, then stop
                        item, following = following, None
                applied += took
                if progress is not None:
                    progress(cursor, head)
                if not more:
                    return applied, cursor, "done"
                item = pages.get() if following is None else following
    finally:
        stop.set()
        while True:  # let a fetcher blocked on a full queue see the stop
            try:
                pages.get_nowait()
            except queue.Empty:
                break
        fetcher.join(5)
