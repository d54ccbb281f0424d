"""Where the store database lives by default (per user, per OS), overridable by POS_DB."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

APP_NAME = "points-counter"


def default_store_path() -> Path:
    env = os.environ.get("POS_DB")
    if env:
        return Path(env)
    return Path(user_data_dir(APP_NAME, appauthor=False)) / "store.sqlite3"
