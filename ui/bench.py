"""``pos-app bench``: every section, in order (only ``ui`` may import every layer).

Store sections come from :mod:`pos_app.bench`, sync sections from
:mod:`sync.bench`; the counter window's are here, each measured in a fresh child
process on the offscreen platform:

* ``scan``: a card scanned (QTest key events, a keyboard-wedge burst and Enter)
  into the real counter window, to the member shown in its panel; target p95 <= 50 ms.
* ``coldstart``: a new process to the counter window shown and idle (logged out,
  the lock screen ready for a PIN) on the bench store; target <= 1.5 s, beside a
  process showing one window of a bare QApplication.
* ``rss``: the peak resident memory (``VmHWM``) of a counter process on the bench
  store after logging in and looking up members; target <= 250 MB.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pos_app.bench import (
    BenchRun,
    add_bench_arguments,
    finish,
    judged,
    parse_only,
    run_store_sections,
    scale_of,
    skipped,
    store_data,
)

UI_SECTIONS = ("scan", "coldstart", "rss")

#: prints "ready <ms since the process started>" once the window is shown and idle
COLD_COUNTER = r"""
import os, sys, time
from PySide6.QtCore import QTimer
from pos_app.db.store import open_store
from ui.app import application, build_window
from ui.ops import OpRunner

app = application([sys.argv[0]], "zh_CN")
window = build_window(open_store(sys.argv[1]), runner=OpRunner(parent=app))
window.resize(1280, 800)
window.show()
def ready():
    print("ready", flush=True)
    app.quit()
QTimer.singleShot(0, ready)
app.exec()
"""

COLD_BARE = r"""
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

app = QApplication([sys.argv[0]])
window = QWidget()
window.resize(1280, 800)
window.show()
def ready():
    print("ready", flush=True)
    app.quit()
QTimer.singleShot(0, ready)
app.exec()
"""

#: logs in, scans member cards into the counter screen; prints each scan's ms, then
#: "ready" and waits on stdin (the parent reads its peak memory meanwhile)
SCANNER = r"""
import os, random, sys, time
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pos_app.db.store import open_store
from ui.app import application, build_window
from ui.ops import OpRunner

path, members, scans = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
app = application([sys.argv[0]], "zh_CN")
window = build_window(open_store(path), runner=OpRunner(parent=app))
window.resize(1280, 800)
window.show()
window.login.code.setText("1")
window.login.pad.field.setText("1111")
window.login.pad.field.returnPressed.emit()
deadline = time.perf_counter() + 30
while window.counter is None and time.perf_counter() < deadline:
    app.processEvents()
    time.sleep(0.001)
screen = window.counter
assert screen is not None, window.login.message.text()
rng = random.Random(9)
for n in range(scans + 10):
    i = rng.randrange(members)
    card = f"88{i:010d}"
    screen.search.setFocus()
    app.processEvents()
    start = time.perf_counter()
    QTest.keyClicks(screen.search, card)
    QTest.keyClick(screen.search, Qt.Key.Key_Return)
    deadline = start + 5
    while not (screen.member is not None and screen.member.name == f"会员{i}"):
        app.processEvents()
        if time.perf_counter() > deadline:
            sys.exit(f"member {i} not shown: {screen.member}")
        time.sleep(0.0002)
    took = (time.perf_counter() - start) * 1000
    if n >= 10:
        print("scan", took, flush=True)
    screen.set_member(None)
print("ready", flush=True)
sys.stdin.readline()
os._exit(0)  # skip Qt's teardown: only the figures matter here
"""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    return env


def _cold(script: str, *args: str) -> float:
    """Seconds from starting a process to its "ready" line."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", script, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("ready"):
            took = time.perf_counter() - start
            break
    else:
        proc.wait(30)
        raise RuntimeError(f"the window did not start: {proc.stderr.read() if proc.stderr else ''}")
    proc.communicate(timeout=30)
    return took


def bench_coldstart(run: BenchRun, store: Path) -> None:
    runs = max(3, run.scale.runs * 2)
    _cold(COLD_COUNTER, str(store))  # the OS file cache warm, as on a till started daily
    counter = [_cold(COLD_COUNTER, str(store)) for _ in range(runs)]
    bare = [_cold(COLD_BARE) for _ in range(runs)]
    median = statistics.median(counter)
    run.add(
        judged(
            "coldstart",
            "cold start to usable counter window",
            "s",
            median,
            limit=1.5,
            median=median,
            p99=max(counter),
            baseline=statistics.median(bare),
            target="<= 1.5 s",
            runs=runs,
            note=f"slowest {max(counter):.2f} s",
        )
    )


def _peak_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc")


def bench_scan_and_rss(run: BenchRun, store: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", SCANNER, str(store), str(run.scale.members), str(run.scale.scans)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    assert proc.stdout is not None and proc.stdin is not None
    samples: list[float] = []
    peak = None
    for line in proc.stdout:
        if line.startswith("scan "):
            samples.append(float(line.split()[1]))
        elif line.startswith("ready"):
            peak = _peak_mb(proc.pid) if os.path.exists(f"/proc/{proc.pid}/status") else None
            proc.stdin.write("\n")
            proc.stdin.flush()
            break
    _out, err = proc.communicate(timeout=60)
    if proc.returncode != 0 or not samples:
        raise RuntimeError(f"the scan bench failed: {err[-2000:]}")
    if run.wants("scan"):
        ordered = sorted(samples)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        run.add(
            judged(
                "scan",
                "scan to member shown (counter screen), p95",
                "ms",
                p95,
                limit=50.0,
                median=statistics.median(samples),
                p99=ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))],
                target="p95 <= 50 ms",
                runs=len(samples),
            )
        )
    if run.wants("rss"):
        if peak is None:
            run.add(skipped("rss", "counter peak RSS", "no /proc on this system"))
        else:
            run.add(
                judged(
                    "rss",
                    f"counter peak RSS, {run.scale.members:,} members",
                    "MB",
                    peak,
                    limit=250.0,
                    target="<= 250 MB",
                    runs=1,
                    note=f"after login and {len(samples) + 10} scans",
                )
            )


def run_ui_sections(run: BenchRun) -> None:
    wanted = [s for s in UI_SECTIONS if run.wants(s)]
    if not wanted:
        return
    store = store_data(run)
    if "scan" in wanted or "rss" in wanted:
        print("[scan, rss]", flush=True)
        bench_scan_and_rss(run, store)
    if "coldstart" in wanted:
        print("[coldstart]", flush=True)
        bench_coldstart(run, store)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="pos-app bench",
        description="Measure the performance targets, each beside a raw baseline.",
    )
    add_bench_arguments(parser)
    args = parser.parse_args(argv)
    only = parse_only(args.only)
    with tempfile.TemporaryDirectory(prefix="pos-bench-", dir=args.workdir) as tmp:
        data = Path(args.data) if args.data else Path(tmp)
        run = BenchRun(data=data, scale=scale_of(args), only=only, hq_db=args.hq_db)
        from sync.bench import run_sync_sections

        run_store_sections(run)
        run_sync_sections(run)
        run_ui_sections(run)
        return finish(run, args.json)


if __name__ == "__main__":
    sys.exit(main())
