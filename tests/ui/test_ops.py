"""The op runner off the GUI thread: results and errors come back on the GUI thread."""

from __future__ import annotations

import threading

from pytestqt.qtbot import QtBot

from pos_app.errors import InvalidInput, PosError
from ui.ops import OpRunner


def test_work_runs_on_the_db_worker_and_results_arrive_on_the_gui_thread(qtbot: QtBot) -> None:
    runner = OpRunner()
    gui = threading.get_ident()
    seen: dict[str, object] = {}

    def work() -> int:
        seen["worker"] = threading.get_ident()
        return 42

    def done(result: int) -> None:
        seen["result"], seen["delivered_on"] = result, threading.get_ident()

    with qtbot.waitSignal(runner.busy_changed, check_params_cb=lambda busy: not busy):
        runner.run(work, done)
    assert seen["result"] == 42
    assert seen["worker"] != gui and seen["delivered_on"] == gui
    runner.shutdown()


def test_user_errors_reach_the_error_callback_and_others_the_unexpected_signal(
    qtbot: QtBot,
) -> None:
    runner = OpRunner()
    errors: list[PosError] = []

    def refuse() -> None:
        raise InvalidInput("enter an amount", field="amount")

    def crash() -> None:
        raise RuntimeError("bug")

    with qtbot.waitSignal(runner.busy_changed, check_params_cb=lambda busy: not busy):
        runner.run(refuse, on_error=errors.append)
    assert [e.field for e in errors] == ["amount"]
    with qtbot.waitSignal(runner.unexpected) as blocker:
        runner.run(crash)
    assert blocker.args == ["RuntimeError: bug"]
    runner.shutdown()


def test_ops_run_in_order_one_at_a_time(qtbot: QtBot) -> None:
    runner = OpRunner()
    order: list[int] = []
    for i in range(20):
        runner.run(lambda i=i: i, order.append)
    qtbot.waitUntil(lambda: len(order) == 20)
    assert order == list(range(20))
    runner.shutdown()
