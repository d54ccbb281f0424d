"""``pos-app``: the counter window by default; ``pos-app demo`` opens it on a seeded store.

Headless commands (doctor, init, bench, ``demo --console``) are handed to
:mod:`pos_app.cli` without loading Qt.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from pathlib import Path

from pos_app.cli import main as headless_main
from pos_app.paths import default_store_path

WINDOW_COMMANDS = ("counter", "demo")


def _window_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pos-app",
        description="The points counter. Without a command: the counter window.",
        epilog="Headless commands: init, doctor, bench, demo --console "
        "(pos-app COMMAND --help for each).",
    )
    sub = parser.add_subparsers(dest="command")
    counter = sub.add_parser("counter", help="the counter window (the default)")
    counter.add_argument("--db", default=str(default_store_path()))
    counter.add_argument("--full-screen", action="store_true")
    demo = sub.add_parser("demo", help="the counter on a seeded throwaway store")
    demo.add_argument("--program", choices=("supermarket", "hotel"), default="supermarket")
    demo.add_argument(
        "--console", action="store_true", help="run a scripted counter day in the terminal instead"
    )
    demo.add_argument("--keep", metavar="FILE", help="keep the demo database in FILE")
    demo.add_argument("--full-screen", action="store_true")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("-h", "--help"):
        _window_parser().print_help()
        return 0
    if argv and (argv[0] not in WINDOW_COMMANDS or "--console" in argv):
        return headless_main([a for a in argv if a != "--console"])
    args = _window_parser().parse_args(argv or ["counter"])
    if args.command == "demo":
        return _demo(args)
    return _counter(args)


def _counter(args: argparse.Namespace) -> int:
    from pos_app.db.store import open_store
    from ui.app import run_counter

    path = Path(args.db)
    if not path.exists():
        print(
            f"no store database at {path}; set one up with 'pos-app init' or try 'pos-app demo'",
            file=sys.stderr,
        )
        return 2
    return run_counter(open_store(path), full_screen=args.full_screen)


def _demo(args: argparse.Namespace) -> int:
    from pos_app.demo import DEMO_STAFF, seed_demo_members, seed_store
    from ui.app import run_counter

    tmp = None
    if args.keep:
        path = Path(args.keep)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="pos-demo-")
        path = Path(tmp.name) / "demo.sqlite3"
    store = seed_store(path, args.program, dt.datetime.now(dt.UTC))
    cards = seed_demo_members(store, dt.datetime.now(dt.UTC))
    print(f"Demo store: {path}")
    print(
        "Staff (number / PIN): "
        + ", ".join(f"{name} {code} / {pin}" for code, name, _role, pin in DEMO_STAFF)
    )
    print("Member cards: " + ", ".join(cards))
    print("Item codes: 690123456789 (洗衣液), 690555000001 (蓝牙耳机), 690000000017 (大米)")
    try:
        return run_counter(store.db, full_screen=args.full_screen)
    finally:
        if tmp is not None:
            tmp.cleanup()


if __name__ == "__main__":
    sys.exit(main())
