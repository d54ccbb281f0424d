"""``pos-hq``: the HQ service's command line.

The service and its admin subcommands arrive with the sync issue; until then
this entry point only reports its version, so the installed command exists.
"""

from __future__ import annotations

import argparse
import sys

from pos_app import __version__


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pos-hq", description="Points counter HQ service")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.parse_args(argv)
    parser.print_help()
    print("\nThe HQ service is not built yet (see the sync issue).", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
