"""The core stays headless: importing it pulls in no Qt, device, sync or HTTP module."""

from __future__ import annotations

import subprocess
import sys

FORBIDDEN = (
    "PySide6",
    "shiboken6",
    "ui",
    "devices",
    "sync",
    "escpos",
    "serial",
    "usb",
    "httpx",
    "fastapi",
    "uvicorn",
    "requests",
    "reportlab",
)

PROBE = """
import sys, pkgutil, importlib
import pos_app
for mod in pkgutil.walk_packages(pos_app.__path__, "pos_app."):
    # Alembic scripts run only inside Alembic; the PDF writer is the one module that may
    # load reportlab (the others import it inside the functions that make a PDF)
    if ".migrations" not in mod.name and mod.name != "pos_app.reports.pdf":
        importlib.import_module(mod.name)
bad = sorted({name.split(".")[0] for name in sys.modules} & set(sys.argv[1:]))
print(",".join(bad))
"""


def test_importing_every_pos_app_module_loads_no_outer_layer() -> None:
    # a fresh interpreter: this test process has other modules loaded already
    out = subprocess.run(
        [sys.executable, "-c", PROBE, *FORBIDDEN], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "", f"pos_app imported: {out.stdout.strip()}"


def test_the_probe_would_notice_a_forbidden_import() -> None:
    probe = PROBE.replace("import pos_app\n", "import pos_app\nimport sqlite3\n")
    out = subprocess.run(
        [sys.executable, "-c", probe, "sqlite3"], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "sqlite3"


OUTER_PROBE = """
import sys, pkgutil, importlib
package = importlib.import_module(sys.argv[1])
for mod in pkgutil.walk_packages(package.__path__, sys.argv[1] + "."):
    if ".migrations" not in mod.name:
        importlib.import_module(mod.name)
bad = sorted({name.split(".")[0] for name in sys.modules} & set(sys.argv[2:]))
print(",".join(bad))
"""


def test_devices_and_sync_never_load_qt_or_the_ui() -> None:
    for package in ("devices", "sync"):
        out = subprocess.run(
            [sys.executable, "-c", OUTER_PROBE, package, "PySide6", "shiboken6", "ui"],
            capture_output=True,
            text=True,
            check=True,
        )
        assert out.stdout.strip() == "", f"{package} imported: {out.stdout.strip()}"
