"""The example device settings shipped with the package load as documented."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from devices.config import load_devices_config


def test_the_example_devices_file_loads(tmp_path: Path) -> None:
    text = (resources.files("resources") / "devices" / "devices.example.toml").read_text("utf-8")
    path = tmp_path / "devices.toml"
    path.write_text(text, encoding="utf-8")
    config = load_devices_config(path)
    assert config.printer is not None
    assert config.printer.url == "tcp://192.168.1.50:9100"
    assert (config.printer.columns, config.printer.width_dots) == (48, 576)
    assert config.printer.queries_status
    assert [s.terminator for s in config.scanners] == ["CR"]
    assert config.display is not None and config.display.codec == "gb18030"
