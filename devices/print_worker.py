"""One thread per printer that sends the stored jobs, in order, each once.

The worker takes the oldest queued job (drawer kicks first), sends it whole
and marks it printed; when the printer is off, slow, out of paper or drops the
connection the job stays queued and is tried again with growing pauses. A
drawer kick past its deadline is dropped instead of opening the drawer late;
its send timeout never reaches past the deadline either.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from devices.config import PrinterConfig
from devices.transports import (
    OFFLINE,
    PAPER_LOW,
    PREVIEW,
    READY,
    UNKNOWN,
    PrinterUnavailable,
    Status,
    Transport,
)
from pos_app.db.store import StoreDB
from pos_app.services import print_jobs

log = logging.getLogger(__name__)

BACKOFF_S = (0.5, 1.0, 2.0, 4.0)
#: how often an idle worker asks the printer for its paper status
IDLE_POLL_S = 20.0


@dataclass(frozen=True)
class PrinterState:
    """What the counter's status bar shows about a printer."""

    state: str  # ready | printing | paper_low | paper_out | offline | no_answer | unknown | preview
    pending: int
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.state in (READY, PAPER_LOW, UNKNOWN, PREVIEW, "printing")


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class PrintWorker:
    def __init__(
        self,
        db: StoreDB,
        cfg: PrinterConfig,
        transport: Transport,
        *,
        clock: Callable[[], dt.datetime] = _utc_now,
        on_state: Callable[[PrinterState], None] | None = None,
        backoff: tuple[float, ...] = BACKOFF_S,
        idle_poll_s: float = IDLE_POLL_S,
    ) -> None:
        self.db, self.cfg, self.transport, self.clock = db, cfg, transport, clock
        self.on_state = on_state
        self.backoff, self.idle_poll_s = backoff, idle_poll_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._failures = 0
        self.state = PrinterState(UNKNOWN, print_jobs.pending_count(db, cfg.name))

    # -- control ------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name=f"printer-{self.cfg.name}", daemon=True
            )
            self._thread.start()

    def refresh(self) -> None:
        """Recount the waiting jobs now (a job was queued), keeping the printer's state."""
        self._set_state(self.state.state, self.state.detail)

    def wake(self) -> None:
        """A job was queued: send it now rather than at the next poll."""
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self.transport.close()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # -- the loop -----------------------------------------------------------------
    def _set_state(self, state: str, detail: str = "") -> None:
        new = PrinterState(state, print_jobs.pending_count(self.db, self.cfg.name), detail)
        if new != self.state:
            self.state = new
            if self.on_state is not None:
                try:
                    self.on_state(new)
                except Exception:
                    log.exception("printer state callback failed")

    def _pause(self, seconds: float) -> None:
        self._wake.wait(seconds)
        self._wake.clear()

    def _run(self) -> None:
        self.poll_status()
        while not self._stop.is_set():
            try:
                busy = self.run_once()
            except Exception:  # a bug or a locked database must not end printing for the day
                log.exception("printer %s: unexpected error", self.cfg.name)
                busy = False
                self._stop.wait(1.0)
            if self._stop.is_set():
                break
            if busy is None:  # failed: back off (a new job does not hurry a dead printer)
                delay = self.backoff[min(self._failures - 1, len(self.backoff) - 1)]
                self._stop.wait(delay)
            elif not busy:
                self._wake.wait(self.idle_poll_s)
                if not self._wake.is_set() and not self._stop.is_set():
                    self.poll_status()
                self._wake.clear()

    def poll_status(self) -> None:
        if not self.transport.queries_status:
            state = PREVIEW if self.cfg.scheme == "preview" else self.state.state
            self._set_state(state if self._failures == 0 else OFFLINE)
            return
        try:
            status = self.transport.status(timeout=self.cfg.timeout_s)
        except PrinterUnavailable as exc:
            status = Status(exc.status, exc.detail)
        self._set_state(status.state, status.detail)

    def run_once(self) -> bool | None:
        """Send the next job: True if one was printed, False if none waits, None on failure."""
        now = self.clock()
        job = print_jobs.next_job(self.db, self.cfg.name, now)
        if job is None:
            if self._failures == 0 and self.state.pending:
                self._set_state(self.state.state, self.state.detail)
            return False
        timeout = self.cfg.timeout_s
        if job.not_after is not None:
            left = (job.not_after - now).total_seconds()
            if left <= 0:  # next_job drops these; a clock step may still land here
                print_jobs.drop(self.db, job.id, now, "too late: dropped")
                return True
            timeout = min(timeout, left)
        name = f"{job.id:06d}-{job.kind}-{job.ref or ''}"
        try:
            status = self.transport.send(job.data, timeout=timeout, name=name)
        except PrinterUnavailable as exc:
            self._failures += 1
            print_jobs.mark_failed(self.db, job.id, exc.detail)
            log.warning("printer %s: job %s not printed: %s", self.cfg.name, name, exc.detail)
            self._set_state(exc.status if exc.status != READY else OFFLINE, exc.detail)
            return None
        print_jobs.mark_printed(self.db, job.id, self.clock())
        self._failures = 0
        self._set_state(status.state if status.state != UNKNOWN else READY, status.detail)
        return True
