"""Background sync in the counter: a round every half minute while HQ answers, retries
with growing pauses while it does not (on a timer, not only when a sale happens),
and the state in the status bar: online or offline, events waiting, last sync.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

from pos_app.db.store import StoreDB
from pos_app.services import outbox
from sync.authorize import Authorization, authorize_spend
from sync.client import HQClient
from sync.config import SyncConfig
from sync.runner import RoundResult, sync_round
from ui.ops import OpRunner

log = logging.getLogger(__name__)

# changes per pulled page while the counter is open
UI_PAGE = 300

# pauses after failed rounds (seconds); the last one repeats
RETRY_S = (5, 10, 30, 60, 120)

Clock = Callable[[], dt.datetime]


class SyncController(QObject):
    changed = Signal()
    # (cursor, head) while changes are fetched, from the sync thread
    progressed = Signal(int, int)

    def __init__(
        self,
        db: StoreDB,
        config: SyncConfig,
        *,
        runner: OpRunner,
        clock: Clock,
        client: HQClient | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.db, self.config, self.runner, self.clock = db, config, runner, clock
        self.client = client or HQClient(
            config.url, config.token, timeout=config.timeout_s, verify=config.verify
        )
        self.last: RoundResult | None = None
        self.last_ok_at: dt.datetime | None = None
        self.failures = 0
        self.busy = False
        summary = outbox.outbox_summary(db)
        self.pending, self.rejected = summary.pending, summary.rejected
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.run_now)
        # how far a long fetch (a new store's first download) has come
        self.fetching: tuple[int, int] | None = None
        self.progressed.connect(self._progress)

    def start(self) -> None:
        self.timer.start(0)

    def stop(self) -> None:
        self.timer.stop()
        self.client.close()

    def run_now(self) -> None:
        if self.busy:
            return
        self.busy = True
        self.changed.emit()
        self.runner.run(self._round, self._done, self._failed, io=True)

    def _round(self) -> RoundResult:
        try:
            # small pages: each is one store transaction, and sales wait behind it
            result = sync_round(
                self.db,
                self.client,
                clock=self._utc,
                page=UI_PAGE,
                progress=lambda cursor, head: self.progressed.emit(cursor, head),
            )
            self.rejected = outbox.outbox_summary(self.db).rejected
            return result
        except Exception as exc:  # a bad page or a bug: keep selling, keep retrying, say why
            log.exception("sync round failed")
            return RoundResult(ok=False, error=f"{type(exc).__name__}: {exc}", pending=self.pending)

    def _utc(self) -> dt.datetime:
        return self.clock().astimezone(dt.UTC)

    def _progress(self, cursor: int, head: int) -> None:
        self.fetching = (cursor, head) if head > cursor else None
        self.changed.emit()

    def _failed(self, error: object) -> None:
        self._done(RoundResult(ok=False, error=str(error), pending=self.pending))

    def _done(self, result: RoundResult) -> None:
        self.busy = False
        self.fetching = None
        self.last = result
        self.pending = result.pending
        if result.ok:
            self.failures = 0
            self.last_ok_at = self.clock()
            delay = self.config.interval_s
        else:
            self.failures += 1
            delay = RETRY_S[min(self.failures - 1, len(RETRY_S) - 1)]
        self.timer.start(int(delay * 1000))
        self.changed.emit()

    def status_text(self) -> str:
        if self.last is None:
            state = QCoreApplication.translate("Sync", "connecting")
        elif self.last.ok:
            state = QCoreApplication.translate("Sync", "online")
        elif self.last.refused:
            state = QCoreApplication.translate("Sync", "refused by HQ")
        else:
            state = QCoreApplication.translate("Sync", "offline")
        parts = [state]
        if self.busy and self.fetching is not None:
            cursor, head = self.fetching
            parts.append(
                QCoreApplication.translate("Sync", "fetching {percent}%").format(
                    percent=cursor * 100 // head
                )
            )
        if self.pending:
            parts.append(QCoreApplication.translate("Sync", "{n} waiting").format(n=self.pending))
        if self.rejected:
            # events HQ refused stay here for the manager (pos-app sync lists them)
            parts.append(
                QCoreApplication.translate("Sync", "{n} refused by HQ").format(n=self.rejected)
            )
        if self.last_ok_at is not None:
            parts.append(
                QCoreApplication.translate("Sync", "last {time}").format(
                    time=self.last_ok_at.strftime("%H:%M")
                )
            )
        return QCoreApplication.translate("Sync", "Sync: {state}").format(state=", ".join(parts))

    def detail(self) -> str:
        """The last error, for a tooltip."""
        if self.last is None or self.last.error is None:
            return ""
        return self.last.error

    def gate(
        self,
        member_id: str,
        points: int,
        floor: int,
        proceed: Callable[[bool], None],
        refuse: Callable[[str], None],
    ) -> None:
        """Before a spend of ``points``: above ``floor`` ask HQ (2 s), then ``proceed(authorized)``
        or ``refuse(reason)``. No answer means the offline rule decides (``proceed(False)``)."""
        if points <= floor:
            proceed(False)
            return

        def done(answer: Authorization) -> None:
            if answer.approved is None:
                self._done(RoundResult(ok=False, error=answer.reason, pending=self.pending))
                proceed(False)
            elif answer.approved:
                proceed(True)
            else:
                refuse(answer.reason)

        self.runner.run(
            lambda: authorize_spend(self.db, self.client, member_id, points, clock=self._utc),
            done,
            lambda e: proceed(False),
            io=True,
        )

    def soon(self) -> None:
        """A sale was made: send it within a few seconds if HQ is answering."""
        if not self.busy and (self.last is None or self.last.ok):
            self.timer.start(2000)
