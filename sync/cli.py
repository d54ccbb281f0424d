"""``pos-app link`` and ``pos-app sync``: join a store to HQ and run one sync round."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pos_app.db.store import open_store
from pos_app.errors import PosError
from pos_app.paths import default_store_path
from pos_app.services import outbox, remote
from sync.client import HQClient
from sync.config import SyncConfig, load_sync_config, save_sync_config
from sync.runner import sync_round


def _link(args: argparse.Namespace) -> int:
    config = SyncConfig(url=args.hq, token=args.token, ca=args.ca)
    db = open_store(Path(args.db))
    try:
        remote.set_hq_url(db, config.url)
    finally:
        db.close()
    path = save_sync_config(config, Path(args.config) if args.config else None)
    print(f"linked to {config.url}; settings in {path} (owner-only)")
    print("run 'pos-app sync' once now: a new store downloads members and catalogue")
    return 0


def _sync(args: argparse.Namespace) -> int:
    config = load_sync_config(Path(args.config) if args.config else None)
    if config is None:
        print("this store is not linked to HQ: run 'pos-app link --hq URL --token TOKEN'")
        return 2
    db = open_store(Path(args.db))
    last = [-1]

    def progress(cursor: int, head: int) -> None:
        if head and (cursor - last[0] >= 5000 or cursor >= head):
            last[0] = cursor
            print(f"\r  pulled {cursor:,} of {head:,} changes", end="", flush=True)

    try:
        with HQClient(
            config.url, config.token, timeout=config.timeout_s, verify=config.verify
        ) as c:
            result = sync_round(db, c, progress=progress)
        print()
        if not result.ok:
            print(f"sync failed: {result.error}; {result.pending} event(s) still to send")
            return 1
        pending, rejected, _oldest = outbox.outbox_summary(db)
        print(
            f"sent {result.pushed} event(s), received {result.pulled} change(s); "
            f"{pending} pending, {rejected} rejected"
        )
        if rejected:
            for row in outbox.rejected_events(db)[:20]:
                print(f"  rejected #{row.seq} {row.type}: {row.reject_reason}")
        return 0
    finally:
        db.close()


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    link = sub.add_parser("link", help="link this store to HQ (saves the device token)")
    link.add_argument("--db", default=str(default_store_path()))
    link.add_argument("--hq", required=True, help="HQ's address, e.g. https://hq.example:8600")
    link.add_argument("--token", required=True, help="this device's token (pos-hq device add)")
    link.add_argument("--ca", help="CA bundle for HQ's TLS certificate")
    link.add_argument("--config", help="where to keep the settings (default: sync.toml)")
    link.set_defaults(func=_link)
    sync = sub.add_parser("sync", help="send pending events to HQ and fetch its changes, once")
    sync.add_argument("--db", default=str(default_store_path()))
    sync.add_argument("--config", help="sync settings file (default: sync.toml)")
    sync.set_defaults(func=_sync)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="pos-app")
    add_parsers(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except PosError as exc:
        print(exc.message, file=sys.stderr)
        return 2
