"""Where a store's HQ is and the device token it signs in with (``sync.toml``).

The file lives in the user's config folder (or ``POS_SYNC``), is written with
owner-only permissions because it holds the token, and is absent on a
standalone store.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from platformdirs import user_config_dir
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pos_app.errors import InvalidInput
from pos_app.paths import APP_NAME
from pos_app.program.loader import error_field, error_message


class SyncConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str = Field(min_length=1)
    token: str = Field(min_length=16, repr=False)
    #: a CA bundle to check HQ's TLS certificate with (None: the system's)
    ca: str | None = None
    #: seconds between background rounds while all is well
    interval_s: float = Field(30.0, ge=1, le=3600)
    timeout_s: float = Field(10.0, gt=0, le=120)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("HQ's address starts with https:// (or http:// on a test network)")
        return value.rstrip("/")

    @property
    def verify(self) -> bool | str:
        return self.ca or True


def default_path() -> Path:
    env = os.environ.get("POS_SYNC")
    if env:
        return Path(env)
    return Path(user_config_dir(APP_NAME, appauthor=False)) / "sync.toml"


def load_sync_config(path: Path | None = None) -> SyncConfig | None:
    """The store's HQ settings, or None for a standalone store."""
    path = path or default_path()
    if not path.exists():
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return SyncConfig.model_validate(data.get("hq", {}))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InvalidInput(f"cannot read {path}: {exc}", field="sync") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        field = "hq." + error_field(tuple(first["loc"]))
        raise InvalidInput(f"{path}: {field} {error_message(first)}", field=field) from None


def save_sync_config(config: SyncConfig, path: Path | None = None) -> Path:
    """Write ``sync.toml`` readable by its owner only (it holds the device token)."""
    path = path or default_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # a new folder: owner-only
    lines = ["[hq]", f"url = {_toml(config.url)}", f"token = {_toml(config.token)}"]
    if config.ca:
        lines.append(f"ca = {_toml(config.ca)}")
    lines += [f"interval_s = {config.interval_s}", f"timeout_s = {config.timeout_s}"]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    os.chmod(path, 0o600)
    return path


def _toml(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
