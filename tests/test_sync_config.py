"""The store's HQ settings (sync.toml): owner-only, checked, and a bad file stops the counter
with a clear message instead of starting it half-linked."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from pos_app.errors import InvalidInput
from sync.config import SyncConfig, load_sync_config, save_sync_config
from tests.conftest import Counter
from ui.cli import main


def test_saved_settings_are_owner_only_and_load_back(tmp_path: Path) -> None:
    config = SyncConfig(url="https://hq.example:8600/", token="t" * 43, ca="/etc/ca.pem")
    path = save_sync_config(config, tmp_path / "sync.toml")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = load_sync_config(path)
    assert loaded == config.model_copy(update={"url": "https://hq.example:8600"})
    assert loaded is not None and loaded.verify == "/etc/ca.pem"
    assert "t" * 43 not in repr(loaded)  # the token stays out of logs and tracebacks


def test_no_file_means_a_standalone_store(tmp_path: Path) -> None:
    assert load_sync_config(tmp_path / "absent.toml") is None


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('[hq]\nurl = "ftp://hq"\ntoken = "' + "t" * 40 + '"\n', "hq.url"),
        ('[hq]\nurl = "https://hq"\ntoken = "short"\n', "hq.token"),
        ('[hq]\nurl = "https://hq"\ntoken = "' + "t" * 40 + '"\nextra = 1\n', "hq.extra"),
        ("[hq\n", "sync"),
    ],
)
def test_a_bad_file_names_the_field(tmp_path: Path, text: str, field: str) -> None:
    path = tmp_path / "sync.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput) as info:
        load_sync_config(path)
    assert info.value.field == field


def test_the_counter_will_not_start_on_a_bad_sync_file(
    supermarket: Counter,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bad = tmp_path / "sync.toml"
    bad.write_text('[hq]\nurl = "ftp://hq"\ntoken = "' + "t" * 40 + '"\n', encoding="utf-8")
    monkeypatch.setenv("POS_SYNC", str(bad))
    assert main(["counter", "--db", supermarket.db.path]) == 2
    assert "hq.url" in capsys.readouterr().err
