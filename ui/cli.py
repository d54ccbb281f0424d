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

WINDOW_COMMANDS = ("counter", "demo", "kiosk")


def _window_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pos-app",
        description="The points counter. Without a command: the counter window.",
        epilog="Headless commands: init, doctor, bench, printer, report, link, sync, "
        "demo --console (pos-app COMMAND --help for each).",
    )
    sub = parser.add_subparsers(dest="command")
    counter = sub.add_parser("counter", help="the counter window (the default)")
    counter.add_argument("--db", default=str(default_store_path()))
    counter.add_argument("--full-screen", action="store_true")
    counter.add_argument(
        "--devices",
        metavar="FILE",
        help="printer, scanner and display settings (default: devices.toml in the user's "
        "config folder, or POS_DEVICES)",
    )
    demo = sub.add_parser("demo", help="the counter on a seeded throwaway store")
    demo.add_argument("--program", choices=("supermarket", "hotel"), default="supermarket")
    demo.add_argument(
        "--console", action="store_true", help="run a scripted counter day in the terminal instead"
    )
    demo.add_argument("--keep", metavar="FILE", help="keep the demo database in FILE")
    demo.add_argument("--full-screen", action="store_true")
    demo.add_argument(
        "--receipts",
        metavar="FOLDER",
        help="where the demo's preview printer writes receipts (bytes and PNG)",
    )
    demo.add_argument("--receipt-language", choices=("zh_CN", "en"), default="zh_CN")
    demo.add_argument(
        "--kiosk", action="store_true", help="the member kiosk instead of the counter (windowed)"
    )
    kiosk = sub.add_parser("kiosk", help="the member self-service kiosk (full screen)")
    kiosk.add_argument("--db", default=str(default_store_path()))
    kiosk.add_argument("--devices", metavar="FILE", help="scanners and printer (devices.toml)")
    kiosk.add_argument(
        "--idle-seconds",
        type=int,
        metavar="N",
        help="back to the idle screen after N seconds without a touch "
        "(default: [kiosk] idle_seconds in devices.toml, else 30)",
    )
    kiosk.add_argument("--windowed", action="store_true", help="a 1280x800 window, for trying")
    kiosk.add_argument(
        "--no-sync",
        action="store_true",
        help="do not pull from HQ (the counter on this machine already syncs this database)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("-h", "--help"):
        _window_parser().print_help()
        return 0
    if argv and argv[0] in ("sync", "link"):
        from sync.cli import main as sync_main

        return sync_main(argv)
    if argv and argv[0] == "bench":
        from ui.bench import main as bench_main

        return bench_main(argv[1:])
    if argv and argv[0] == "printer":
        from devices.cli import main as printer_main

        return printer_main(argv)
    if argv and argv[0] == "report":
        from devices.report_cli import main as report_main

        return report_main(argv)
    if argv and argv[0] == "demo" and "--console" in argv:
        args = _window_parser().parse_args(argv)
        from devices.cli import console_demo

        receipts = Path(args.receipts) if args.receipts else demo_receipts_folder()
        return console_demo(args.program, args.keep, receipts, args.receipt_language)
    if argv and argv[0] not in WINDOW_COMMANDS:
        return headless_main(argv)
    args = _window_parser().parse_args(argv or ["counter"])
    if args.command == "demo":
        return _demo(args)
    if args.command == "kiosk":
        return _kiosk(args)
    return _counter(args)


def _kiosk(args: argparse.Namespace) -> int:
    from devices.config import load_devices_config
    from pos_app.db.store import open_store
    from pos_app.errors import PosError
    from sync.config import load_sync_config
    from ui.kiosk_app import run_kiosk

    path = Path(args.db)
    if not path.exists():
        print(f"no store database at {path}; set one up with 'pos-app init'", file=sys.stderr)
        return 2
    if args.idle_seconds is not None and not 5 <= args.idle_seconds <= 3600:
        print("--idle-seconds: between 5 and 3600 seconds", file=sys.stderr)
        return 2
    try:
        devices = load_devices_config(Path(args.devices) if args.devices else None)
        sync_config = None if args.no_sync else load_sync_config()
        db = open_store(path)
    except PosError as exc:
        print(f"settings: {exc.message}", file=sys.stderr)
        return 2
    return run_kiosk(
        db,
        devices=devices,
        sync_config=sync_config,
        idle_seconds=args.idle_seconds or devices.kiosk.idle_seconds,
        windowed=args.windowed,
    )


def _counter(args: argparse.Namespace) -> int:
    from devices.config import load_devices_config
    from pos_app.db.store import open_store
    from pos_app.errors import PosError
    from sync.config import load_sync_config
    from ui.app import run_counter

    path = Path(args.db)
    if not path.exists():
        print(
            f"no store database at {path}; set one up with 'pos-app init' or try 'pos-app demo'",
            file=sys.stderr,
        )
        return 2
    try:
        devices = load_devices_config(Path(args.devices) if args.devices else None)
        sync_config = load_sync_config()
    except PosError as exc:
        print(f"settings: {exc.message}", file=sys.stderr)
        return 2
    try:
        db = open_store(path)
    except PosError as exc:  # read-only or unreadable database: say so, no traceback
        print(f"{path}: {exc.message}", file=sys.stderr)
        return 2
    return run_counter(db, full_screen=args.full_screen, devices=devices, sync_config=sync_config)


def _demo(args: argparse.Namespace) -> int:
    from devices.config import DevicesConfig, preview_printer
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
    receipts = Path(args.receipts) if args.receipts else demo_receipts_folder()
    print(f"Receipts (preview printer, .bin and .png): {receipts}")
    devices = DevicesConfig(printer=preview_printer(receipts, language=args.receipt_language))
    try:
        if args.kiosk:
            from ui.kiosk_app import run_kiosk, seed_kiosk_pin

            card, phone, pin = seed_kiosk_pin(store, dt.datetime.now(dt.UTC))
            print(f"Kiosk: phone {phone} with kiosk PIN {pin} on the keypad, or scan card {card}")
            print("Kiosk: close it with manager 2 / 2222")
            return run_kiosk(store.db, devices=devices, windowed=not args.full_screen)
        return run_counter(store.db, full_screen=args.full_screen, devices=devices)
    finally:
        if tmp is not None:
            tmp.cleanup()


def demo_receipts_folder() -> Path:
    """Where the demo's preview printer puts receipts: kept after the demo closes."""
    from platformdirs import user_cache_dir

    from pos_app.paths import APP_NAME

    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path(user_cache_dir(APP_NAME, appauthor=False)) / "demo-receipts" / stamp


if __name__ == "__main__":
    sys.exit(main())
