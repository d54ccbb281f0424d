"""``pos-app``: the counter's command line (demo, set-up, books check, benchmarks)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from pathlib import Path

from pos_app import __version__
from pos_app.errors import InvalidInput, NotFound, PosError
from pos_app.paths import default_store_path


def _cmd_demo(args: argparse.Namespace) -> int:
    from pos_app.demo import run_demo

    if args.keep:
        path = Path(args.keep)
        if path.exists():
            print(f"{path} exists; give a new file for the demo database", file=sys.stderr)
            return 2
        return 1 if run_demo(path, program_name=args.program) else 0
    with tempfile.TemporaryDirectory(prefix="pos-demo-") as tmp:
        return 1 if run_demo(Path(tmp) / "demo.sqlite3", program_name=args.program) else 0


def _cmd_init(args: argparse.Namespace) -> int:
    from pos_app.db.store import open_store
    from pos_app.program import bundled_program, load_program_file
    from pos_app.services.auth import create_staff
    from pos_app.services.context import init_store
    from pos_app.services.programs import install_program

    program = (
        bundled_program(args.program)
        if args.program in ("supermarket", "hotel")
        else load_program_file(args.program)
    )
    now = dt.datetime.now(program.zone)
    db = open_store(args.db)
    try:
        init_store(
            db,
            store_code=args.store_code,
            store_name=args.store_name,
            device_code=args.device_code,
            now=now,
        )
        install_program(db, actor=None, program=program, now=now)
        create_staff(
            db,
            actor=None,
            code=args.admin_code,
            name=args.admin_name,
            role="admin",
            pin=args.admin_pin,
            now=now,
        )
    finally:
        db.close()
    print(
        f"store {args.store_code.upper()} set up in {args.db} with program "
        f"{program.code} v{program.version}"
    )
    return 0


def _cmd_doctor(args: argparse.Namespace) -> int:
    from pos_app.db.store import open_store
    from pos_app.services.doctor import check_books

    path = Path(args.db)
    if not path.exists():
        print(f"no store database at {path}", file=sys.stderr)
        return 2
    db = open_store(path)
    try:
        problems = check_books(db)
    finally:
        db.close()
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} discrepancies found", file=sys.stderr)
        return 1
    print("ledger, balances and lots agree")
    return 0


def _login_from_args(args: argparse.Namespace) -> tuple[object, object, object]:
    """Open the store and log in the staff member named on the command line."""
    import getpass

    from pos_app.db.raw import read_tx
    from pos_app.db.store import open_store
    from pos_app.services.auth import login
    from pos_app.services.context import active_program

    path = Path(args.db)
    if not path.exists():
        raise NotFound(f"no store database at {path}")
    db = open_store(path)
    with read_tx(db.engine) as tx:
        zone = active_program(db, tx).zone
    now = dt.datetime.now(zone)
    pin = args.pin or getpass.getpass(f"PIN for staff {args.staff}: ")
    return db, login(db, code=args.staff, pin=pin, now=now), now


def _cmd_staff_add(args: argparse.Namespace) -> int:
    import getpass

    from pos_app.services.auth import create_staff

    db, actor, now = _login_from_args(args)
    new_pin = args.new_pin or getpass.getpass(f"PIN for the new staff member {args.code}: ")
    try:
        create_staff(
            db,
            actor=actor,
            code=args.code,
            name=args.name,  # type: ignore[arg-type]
            role=args.role,
            pin=new_pin,
            now=now,
        )  # type: ignore[arg-type]
    finally:
        db.close()  # type: ignore[attr-defined]
    print(f"staff {args.code} ({args.role}) added")
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from pos_app.services.gifts import import_catalogue
    from pos_app.services.items import import_items_csv

    try:
        text = Path(args.file).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read {args.file}: {exc}", field="file") from None
    db, actor, now = _login_from_args(args)
    try:
        if args.what == "gifts":
            count = import_catalogue(db, actor=actor, text=text, now=now)  # type: ignore[arg-type]
        else:
            count = import_items_csv(db, actor=actor, text=text, now=now)  # type: ignore[arg-type]
    finally:
        db.close()  # type: ignore[attr-defined]
    print(f"{count} {args.what} imported")
    return 0


def _cmd_bench(args: argparse.Namespace) -> int:
    from pos_app.bench import run_bench_args

    # the store sections only; ``pos-app bench`` (ui.cli) runs every section
    return run_bench_args(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pos-app", description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="command")

    demo = sub.add_parser("demo", help="run a seeded demo store on a throwaway database")
    demo.add_argument("--program", choices=("supermarket", "hotel"), default="supermarket")
    demo.add_argument("--keep", metavar="FILE", help="keep the demo database in FILE")
    demo.set_defaults(func=_cmd_demo)

    init = sub.add_parser("init", help="set up a store database")
    init.add_argument("--db", default=str(default_store_path()))
    init.add_argument("--store-code", required=True)
    init.add_argument("--store-name", required=True)
    init.add_argument("--device-code", default="T1")
    init.add_argument(
        "--program", default="supermarket", help="a program TOML file, or 'supermarket' / 'hotel'"
    )
    init.add_argument("--admin-code", default="9")
    init.add_argument("--admin-name", default="Admin")
    init.add_argument("--admin-pin", required=True)
    init.set_defaults(func=_cmd_init)

    doctor = sub.add_parser("doctor", help="check that balances, ledger and lots agree")
    doctor.add_argument("--db", default=str(default_store_path()))
    doctor.set_defaults(func=_cmd_doctor)

    def staff_login(p: argparse.ArgumentParser) -> None:
        p.add_argument("--db", default=str(default_store_path()))
        p.add_argument("--staff", required=True, help="your staff number (manager or admin)")
        p.add_argument("--pin", help="your PIN (asked for when left out)")

    staff = sub.add_parser("staff-add", help="add a cashier, manager or admin (needs an admin)")
    staff_login(staff)
    staff.add_argument("--code", required=True)
    staff.add_argument("--name", required=True)
    staff.add_argument("--role", choices=("cashier", "manager", "admin"), default="cashier")
    staff.add_argument("--new-pin", help="the new staff member's PIN (asked for when left out)")
    staff.set_defaults(func=_cmd_staff_add)

    for what, helptext in (
        ("gifts", "load the gift catalogue and stock from a TOML file"),
        ("items", "load items from a CSV file (code,name,category,price)"),
    ):
        imp = sub.add_parser(f"import-{what}", help=helptext)
        staff_login(imp)
        imp.add_argument("file")
        imp.set_defaults(func=_cmd_import, what=what)

    bench = sub.add_parser("bench", help="measure the performance targets against baselines")
    from pos_app.bench import add_bench_arguments

    add_bench_arguments(bench)
    bench.set_defaults(func=_cmd_bench)
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


if __name__ == "__main__":
    sys.exit(main())
