"""The op runner: blocking work off the GUI thread, results back by signal.

One worker thread does all database work (SQLite likes one writer and the
services are short); a second pool takes slow I/O such as HQ calls. Tests
build the runner ``inline`` so ops run synchronously and flows stay simple.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from pos_app.errors import PosError

log = logging.getLogger(__name__)

Done = Callable[[Any], None]
Failed = Callable[[Exception], None]


class OpRunner(QObject):
    """``run(fn, on_done, on_error)``: never touch widgets inside ``fn``."""

    busy_changed = Signal(bool)
    unexpected = Signal(str)
    _finished = Signal(object, object, object, object)  # on_done, on_error, result, error

    def __init__(self, *, inline: bool = False, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.inline = inline
        self._db = None if inline else ThreadPoolExecutor(1, thread_name_prefix="pos-db")
        self._io = None if inline else ThreadPoolExecutor(2, thread_name_prefix="pos-io")
        self._pending = 0
        self._finished.connect(self._deliver)

    def run(
        self,
        fn: Callable[[], Any],
        on_done: Done | None = None,
        on_error: Failed | None = None,
        *,
        io: bool = False,
    ) -> None:
        self._pending += 1
        if self._pending == 1:
            self.busy_changed.emit(True)
        if self.inline:
            try:
                result = fn()
            except PosError as exc:
                self._deliver(on_done, on_error, None, exc)
            else:
                self._deliver(on_done, on_error, result, None)
            return
        pool = self._io if io else self._db
        assert pool is not None
        future = pool.submit(fn)

        def finished(f: Future[Any]) -> None:
            exc = f.exception()
            self._finished.emit(on_done, on_error, None if exc else f.result(), exc)

        future.add_done_callback(finished)

    @Slot(object, object, object, object)
    def _deliver(
        self,
        on_done: Done | None,
        on_error: Failed | None,
        result: Any,
        error: BaseException | None,
    ) -> None:
        self._pending -= 1
        if self._pending == 0:
            self.busy_changed.emit(False)
        if error is None:
            if on_done is not None:
                on_done(result)
        elif isinstance(error, PosError):
            if on_error is not None:
                on_error(error)
            else:
                self.unexpected.emit(str(error))
        else:
            # a programming error: loud in the log, a calm message on screen
            log.error("op failed: %s", "".join(traceback.format_exception(error)))
            self.unexpected.emit(f"{type(error).__name__}: {error}")

    def shutdown(self) -> None:
        for pool in (self._db, self._io):
            if pool is not None:
                pool.shutdown(wait=True)
