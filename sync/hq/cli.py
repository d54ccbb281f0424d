"""``pos-hq``: run the HQ service and administer it.

``pos-hq serve`` runs the HTTP API (uvicorn); the other commands change or report
on the HQ database directly. Every command takes ``--db URL``
(``postgresql+psycopg://user:password@host/db`` in production); the default is
``POS_HQ_DB`` or, failing that, an embedded SQLite file in the user's data folder.
Errors print their message and exit 2.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from platformdirs import user_data_dir
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from pos_app import __version__
from pos_app.errors import InvalidInput, PosError
from pos_app.phone import mask_phone
from pos_app.textwidth import display_width, pad
from sync.hq import admin
from sync.hq.db import open_hq

if TYPE_CHECKING:
    from fastapi import FastAPI

APP_NAME = "points-counter-hq"
DB_ENV = "POS_HQ_DB"
#: how ``serve --workers N`` hands the database URL to its worker processes
_SERVE_DB_ENV = "POS_HQ_SERVE_DB"


def default_db_url() -> str:
    """``POS_HQ_DB``, else an embedded SQLite file in the user's data folder."""
    env = os.environ.get(DB_ENV)
    if env:
        return env
    folder = Path(user_data_dir(APP_NAME, appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{(folder / 'hq.sqlite3').as_posix()}"


def shown_url(url: str) -> str:
    """The database URL with any password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unreadable database URL>"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _open(args: argparse.Namespace) -> Engine:
    url = args.db or default_db_url()
    try:
        return open_hq(url)
    except ArgumentError:
        raise InvalidInput(f"{url!r} is not a database URL", field="--db") from None
    except OperationalError as exc:
        raise InvalidInput(
            f"cannot open the HQ database {shown_url(url)}: {str(exc.orig).strip()}",
            field="--db",
        ) from None


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InvalidInput(f"{path!r} does not exist", field="file") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"{path!r} is not UTF-8 text", field="file") from None
    except OSError as exc:
        raise InvalidInput(f"{path!r} cannot be read: {exc.strerror}", field="file") from None


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [
        max(display_width(str(cell)) for cell in column)
        for column in zip(header, *rows, strict=True)
    ]
    lines = [
        "  ".join(pad(str(cell), width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in (header, *rows)
    ]
    return "\n".join(lines)


def _when(value: dt.datetime | None) -> str:
    return "never" if value is None else value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def _ago(value: dt.timedelta | None) -> str:
    if value is None:
        return "-"
    seconds = max(0, int(value.total_seconds()))
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m"
    if seconds < 2 * 86400:
        return f"{seconds // 3600}h"
    return f"{seconds // 86400}d"


# -- serve -------------------------------------------------------------------------------


def serve_app() -> FastAPI:
    """The app for each ``serve --workers N`` worker process (a uvicorn factory)."""
    from sync.hq.app import create_app

    return create_app(open_hq(os.environ[_SERVE_DB_ENV]))


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from sync.hq.app import create_app

    if bool(args.ssl_certfile) != bool(args.ssl_keyfile):
        raise InvalidInput("give both --ssl-certfile and --ssl-keyfile, or neither", field="ssl")
    for option in (args.ssl_certfile, args.ssl_keyfile):
        if option and not Path(option).is_file():
            raise InvalidInput(f"{option!r} does not exist", field="ssl")
    if args.workers < 1:
        raise InvalidInput("at least 1 worker", field="--workers")
    url = args.db or default_db_url()
    engine = _open(args)  # migrates once, before any worker starts
    scheme = "https" if args.ssl_certfile else "http"
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"HQ {__version__} listening on {scheme}://{host}:{args.port}", flush=True)
    print(f"database: {shown_url(url)}", flush=True)
    print(f"workers: {args.workers}", flush=True)
    options = {
        "host": args.host,
        "port": args.port,
        "ssl_certfile": args.ssl_certfile,
        "ssl_keyfile": args.ssl_keyfile,
        "log_level": args.log_level,
    }
    if args.workers == 1:
        uvicorn.run(create_app(engine), **options)
    else:
        engine.dispose()
        os.environ[_SERVE_DB_ENV] = url
        uvicorn.run("sync.hq.cli:serve_app", factory=True, workers=args.workers, **options)
    return 0


# -- stores and devices ------------------------------------------------------------------


def _store_add(args: argparse.Namespace) -> int:
    code = admin.add_store(_open(args), code=args.code, name=args.name, now=_now())
    print(f"store {code} added")
    return 0


def _store_list(args: argparse.Namespace) -> int:
    stores = admin.list_stores(_open(args))
    if not stores:
        print("no stores yet: add one with 'pos-hq store add CODE NAME'")
        return 0
    rows = [(s.code, s.name, "yes" if s.active else "DISABLED", str(s.devices)) for s in stores]
    print(_table(("STORE", "NAME", "ACTIVE", "DEVICES"), rows))
    return 0


def _store_active(active: bool) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        admin.set_store_active(_open(args), args.code, active)
        state = "enabled" if active else "disabled (its devices' tokens stop working)"
        print(f"store {args.code.strip().upper()} {state}")
        return 0

    return run


def _device_add(args: argparse.Namespace) -> int:
    token = admin.add_device(
        _open(args), store_code=args.store, device_code=args.device, now=_now()
    )
    origin = f"{args.store.strip().upper()}/{args.device.strip().upper()}"
    print(f"device {origin} registered; its token:")
    print()
    print(f"    {token}")
    print()
    print(
        "The token is shown only now: HQ keeps only its hash. Enter it on the till with\n"
        "'pos-app link --hq URL --token TOKEN'. Running 'device add' again issues a new\n"
        "token and the old one stops working."
    )
    return 0


def _device_active(active: bool) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        admin.set_device_active(_open(args), args.store, args.device, active)
        origin = f"{args.store.strip().upper()}/{args.device.strip().upper()}"
        print(f"device {origin} {'enabled' if active else 'disabled (its token stops working)'}")
        return 0

    return run


# -- program, gifts, stock, members ------------------------------------------------------


def _program_load(args: argparse.Namespace) -> int:
    engine = _open(args)
    before = {p.digest for p in admin.list_programs(engine)}
    code, version, digest = admin.load_program(engine, Path(args.file), _now())
    if digest in before:
        print(f"program {code} version {version} was already loaded (nothing changed)")
    else:
        print(
            f"program {code} version {version} loaded (digest {digest[:12]}); "
            "stores get it on their next sync"
        )
    return 0


def _gifts_load(args: argparse.Namespace) -> int:
    changed = admin.load_gifts(_open(args), _read(args.file), _now())
    if changed:
        print(f"{changed} gift(s) new or changed; stores get them on their next sync")
    else:
        print("every gift in the file is already loaded (nothing changed)")
    print("set stock per store with 'pos-hq stock set STORE GIFT QTY'")
    return 0


def _stock_set(args: argparse.Namespace) -> int:
    admin.set_stock(
        _open(args), args.store, args.gift, args.quantity, _now(), low_threshold=args.low
    )
    print(
        f"stock of {args.gift} at {args.store.strip().upper()}: {args.quantity} (low at {args.low})"
    )
    return 0


def _members_import(args: argparse.Namespace) -> int:
    report = admin.import_members_csv(_open(args), _read(args.file), _now())
    print(
        f"added {report.added}, updated {report.updated}, unchanged {report.unchanged}, "
        f"rejected {len(report.rejected)}"
    )
    for line, reason in report.rejected:
        print(f"  line {line}: {reason}")
    return 1 if report.rejected else 0


# -- status and the books ----------------------------------------------------------------


def _status(args: argparse.Namespace) -> int:
    engine = _open(args)
    devices = admin.sync_status(engine, _now())
    if not devices:
        print("no devices yet: add one with 'pos-hq device add STORE DEVICE'")
    else:
        rows = [
            (
                d.store,
                d.device,
                "yes" if d.active else "DISABLED",
                _when(d.last_push_at),
                _when(d.last_pull_at),
                _ago(d.silent_for),
                str(d.acked_seq),
                str(d.events_received),
                str(d.events_rejected),
                str(d.feed_lag),
                str(d.overdraft_members),
            )
            for d in devices
        ]
        header = (
            "STORE",
            "DEVICE",
            "ACTIVE",
            "LAST PUSH",
            "LAST PULL",
            "SILENT",
            "ACKED",
            "EVENTS",
            "REJECTED",
            "LAG",
            "OVERDRAWN",
        )
        print(_table(header, rows))
    owing = admin.overdrafts(engine)
    if owing:
        print()
        print(f"{len(owing)} member(s) overdrawn (offline spending at more than one store):")
        rows = [
            (
                o.member_id,
                o.name,
                mask_phone(o.phone) if o.phone else "",
                o.home_store or "",
                str(o.balance),
                _when(o.overdraft_since),
            )
            for o in owing
        ]
        print(_table(("MEMBER", "NAME", "PHONE", "HOME", "BALANCE", "SINCE"), rows))
    return 0


def _reconcile(args: argparse.Namespace) -> int:
    problems = admin.reconcile(_open(args))
    if not problems:
        print("the books agree: every member's balance equals the sum of their ledger")
        return 0
    print(f"{len(problems)} member(s) whose balance differs from their ledger:")
    for p in problems:
        print(
            f"  {p.member_id}: balance {p.balance}, ledger sum {p.ledger_sum} "
            f"(off by {p.balance - p.ledger_sum:+d})"
        )
    return 1


# -- the parser --------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    db = argparse.ArgumentParser(add_help=False)
    db.add_argument(
        "--db",
        metavar="URL",
        default=None,
        help=f"the HQ database (default: ${DB_ENV}, else an SQLite file in the user's data folder)",
    )
    parser = argparse.ArgumentParser(
        prog="pos-hq", description="Points counter HQ: the sync service and its administration"
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = sub.add_parser("serve", parents=[db], help="run the HQ HTTP service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8600)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--ssl-certfile", metavar="FILE")
    serve.add_argument("--ssl-keyfile", metavar="FILE")
    serve.add_argument(
        "--log-level", default="info", choices=("critical", "error", "warning", "info", "debug")
    )
    serve.set_defaults(func=_serve)

    store = sub.add_parser("store", help="add, list, disable or enable stores")
    store_sub = store.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = store_sub.add_parser("add", parents=[db], help="add a store")
    p.add_argument("code")
    p.add_argument("name")
    p.set_defaults(func=_store_add)
    p = store_sub.add_parser("list", parents=[db], help="list the stores")
    p.set_defaults(func=_store_list)
    for action, active in (("disable", False), ("enable", True)):
        p = store_sub.add_parser(action, parents=[db], help=f"{action} a store and its devices")
        p.add_argument("code")
        p.set_defaults(func=_store_active(active))

    device = sub.add_parser("device", help="register or disable a till")
    device_sub = device.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = device_sub.add_parser("add", parents=[db], help="register a till; prints its token")
    p.add_argument("store")
    p.add_argument("device")
    p.set_defaults(func=_device_add)
    for action, active in (("disable", False), ("enable", True)):
        p = device_sub.add_parser(action, parents=[db], help=f"{action} a till's token")
        p.add_argument("store")
        p.add_argument("device")
        p.set_defaults(func=_device_active(active))

    program = sub.add_parser("program", help="load the points program")
    program_sub = program.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = program_sub.add_parser("load", parents=[db], help="validate a program TOML, send it")
    p.add_argument("file")
    p.set_defaults(func=_program_load)

    gifts = sub.add_parser("gifts", help="load the gift catalogue")
    gifts_sub = gifts.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = gifts_sub.add_parser("load", parents=[db], help="validate a catalogue TOML, send it")
    p.add_argument("file")
    p.set_defaults(func=_gifts_load)

    stock = sub.add_parser("stock", help="set a gift's stock at a store")
    stock_sub = stock.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = stock_sub.add_parser("set", parents=[db], help="set the stock of a gift at a store")
    p.add_argument("store")
    p.add_argument("gift")
    p.add_argument("quantity", type=int)
    p.add_argument("--low", type=int, default=5, help="low-stock warning level (default 5)")
    p.set_defaults(func=_stock_set)

    members = sub.add_parser("members", help="import members")
    members_sub = members.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = members_sub.add_parser(
        "import", parents=[db], help="import name,phone,card,tier,home_store from a CSV"
    )
    p.add_argument("file")
    p.set_defaults(func=_members_import)

    p = sub.add_parser("status", parents=[db], help="each device's sync state")
    p.set_defaults(func=_status)
    p = sub.add_parser(
        "reconcile", parents=[db], help="check every balance against the ledger (exit 1 if not)"
    )
    p.set_defaults(func=_reconcile)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return int(args.func(args))
    except PosError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OperationalError as exc:
        print(f"error: the HQ database failed: {str(exc.orig).strip()}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
