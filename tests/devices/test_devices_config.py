"""Device settings: printer URLs, profiles, paper, the TOML file and its errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from devices.config import (
    PRINTER_SCHEMES,
    DevicesConfig,
    PrinterConfig,
    default_config_path,
    devices_from_dict,
    load_devices_config,
    parse_printer_url,
    preview_printer,
)
from pos_app.errors import InvalidInput

GOOD_URLS = {
    "tcp://192.168.1.50:9100": ("tcp", "192.168.1.50:9100", {}),
    "tcp://printer.local:9100": ("tcp", "printer.local:9100", {}),
    "tcp://[fe80::1]:9100": ("tcp", "[fe80::1]:9100", {}),
    "usb://04b8:0202": ("usb", "04b8:0202", {}),
    "usb://0416:5011?interface=0": ("usb", "0416:5011", {"interface": "0"}),
    "serial:///dev/ttyUSB0?baudrate=19200": ("serial", "/dev/ttyUSB0", {"baudrate": "19200"}),
    "serial://COM3": ("serial", "COM3", {}),
    "file:///dev/usb/lp0": ("file", "/dev/usb/lp0", {}),
    "cups://Receipt_Printer": ("cups", "Receipt_Printer", {}),
    "win32://POS-80%20Printer": ("win32", "POS-80 Printer", {}),
    "preview:///tmp/receipts": ("preview", "/tmp/receipts", {}),
    "TCP://10.0.0.7:9100": ("tcp", "10.0.0.7:9100", {}),
}


@pytest.mark.parametrize("url", GOOD_URLS)
def test_every_printer_scheme_parses(url: str) -> None:
    assert parse_printer_url(url) == GOOD_URLS[url]
    cfg = PrinterConfig(url=url)
    assert cfg.scheme == GOOD_URLS[url][0]


def test_the_good_urls_cover_every_scheme() -> None:
    assert {parsed[0] for parsed in GOOD_URLS.values()} == set(PRINTER_SCHEMES)


BAD_URLS = {
    "no-scheme": ("192.168.1.50:9100", "tcp://192.168.1.50:9100"),
    "empty": ("", "a printer URL looks like"),
    "unknown-scheme": ("lpt://LPT1", "unknown printer type 'lpt'"),
    "http": ("http://printer/print", "unknown printer type 'http'"),
    "tcp-no-port": ("tcp://192.168.1.50", "tcp://HOST:PORT"),
    "tcp-empty-port": ("tcp://192.168.1.50:", "tcp://HOST:PORT"),
    "tcp-port-0": ("tcp://192.168.1.50:0", "tcp://HOST:PORT"),
    "tcp-port-too-big": ("tcp://192.168.1.50:65536", "tcp://HOST:PORT"),
    "tcp-port-text": ("tcp://192.168.1.50:print", "tcp://HOST:PORT"),
    "tcp-no-host": ("tcp://:9100", "tcp://HOST:PORT"),
    "usb-not-hex": ("usb://zz:0202", "usb://VID:PID in hex"),
    "usb-no-pid": ("usb://04b8", "usb://VID:PID in hex"),
    "usb-empty-pid": ("usb://04b8:", "usb://VID:PID in hex"),
    "usb-name": ("usb://epson", "usb://VID:PID in hex"),
    "baud-text": ("serial:///dev/ttyUSB0?baudrate=fast", "baudrate must be a number"),
    "baud-negative": ("serial:///dev/ttyUSB0?baudrate=-9600", "baudrate must be a number"),
    "no-target": ("file://", "names no printer"),
    "cups-no-name": ("cups://", "names no printer"),
}


@pytest.mark.parametrize(("url", "hint"), BAD_URLS.values(), ids=BAD_URLS.keys())
def test_bad_printer_urls_name_the_field(url: str, hint: str) -> None:
    with pytest.raises(ValueError, match=hint.replace("?", r"\?")):
        parse_printer_url(url)
    with pytest.raises(InvalidInput) as info:
        devices_from_dict({"printer": {"url": url}})
    assert info.value.field == "printer.url"
    assert info.value.message.startswith("printer.url ")
    assert hint in info.value.message


@pytest.mark.parametrize("url", [None, 9100, ["tcp://a:9100"]])
def test_a_url_that_is_not_text_is_refused(url: object) -> None:
    with pytest.raises(InvalidInput) as info:
        devices_from_dict({"printer": {"url": url}})
    assert info.value.field == "printer.url"


@pytest.mark.parametrize("baud", ["²", "0", "00"])
def test_baudrate_must_be_a_usable_number(baud: str) -> None:
    with pytest.raises(InvalidInput) as info:
        devices_from_dict({"printer": {"url": f"serial:///dev/ttyUSB0?baudrate={baud}"}})
    assert info.value.field == "printer.url"


# Other printer settings ----------------------------------------------------------------------
def test_defaults_suit_the_common_chinese_80_mm_printer() -> None:
    cfg = PrinterConfig(url="tcp://192.168.1.50:9100")
    assert (cfg.paper_mm, cfg.columns, cfg.width_dots) == (80, 48, 576)
    assert (cfg.codec, cfg.chinese_mode, cfg.raster, cfg.language) == (
        "gb18030",
        True,
        False,
        "zh_CN",
    )
    assert cfg.wide and cfg.queries_status  # tcp can answer status queries
    assert PrinterConfig(url="usb://04b8:0202").queries_status is False
    assert PrinterConfig(url="usb://04b8:0202", status_query=True).queries_status is True
    narrow = PrinterConfig(url="tcp://a:9100", paper_mm=58)
    assert (narrow.columns, narrow.width_dots) == (32, 384)
    assert PrinterConfig(url="tcp://a:9100", codec="none").wide is False
    assert PrinterConfig(url="tcp://a:9100", codec="none", raster=True).wide is True


def test_profile_figures_for_its_own_paper() -> None:
    cfg = PrinterConfig(url="tcp://a:9100", profile="TM-T88V")
    assert (cfg.columns, cfg.width_dots) == (42, 512)


@pytest.mark.parametrize(
    ("printer", "field", "hint"),
    [
        ({"profile": "NoSuchPrinter"}, "printer.profile", "unknown printer profile"),
        ({"colour": "red"}, "printer.colour", "is not a known field"),
        ({"paper_mm": 76}, "printer.paper_mm", "58 or 80"),
        ({"paper_mm": "80mm"}, "printer.paper_mm", "58 or 80"),
        ({"codec": "utf-8"}, "printer.codec", "gb18030"),
        ({"language": "fr"}, "printer.language", "zh_CN"),
        ({"drawer_pin": 3}, "printer.drawer_pin", "2 or 5"),
        ({"timeout_s": 0}, "printer.timeout_s", "greater than 0"),
        ({"drawer_deadline_s": 120}, "printer.drawer_deadline_s", "less than or equal to 60"),
        ({"name": ""}, "printer.name", "at least 1"),
        ({"chinese_mode": "maybe"}, "printer.chinese_mode", "boolean"),
    ],
    ids=lambda v: v if isinstance(v, str) and "." in v else None,
)
def test_bad_printer_settings_name_the_field(
    printer: dict[str, object], field: str, hint: str
) -> None:
    with pytest.raises(InvalidInput) as info:
        devices_from_dict({"printer": {"url": "tcp://192.168.1.50:9100", **printer}})
    assert info.value.field == field
    assert hint in info.value.message and info.value.message.startswith(field)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"printer": {}}, "printer.url"),
        ({"printers": {"url": "tcp://a:9100"}}, "printers"),
        ({"scanners": [{"url": "serial:///dev/ttyACM0"}, {"url": ""}]}, "scanners[1].url"),
        ({"scanners": [{"url": "x", "baudrate": 0}]}, "scanners[0].baudrate"),
        ({"scanners": [{"url": "x", "terminator": "ETX"}]}, "scanners[0].terminator"),
        ({"display": {"url": "serial:///dev/ttyUSB1", "codec": "utf-8"}}, "display.codec"),
        ({"display": {"url": "x", "rows": 2}}, "display.rows"),
    ],
)
def test_other_sections_name_the_field(data: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as info:
        devices_from_dict(data)
    assert info.value.field == field


def test_a_full_configuration() -> None:
    cfg = devices_from_dict(
        {
            "printer": {
                "url": "usb://0416:5011",
                "paper_mm": 58,
                "codec": "big5",
                "chinese_mode": False,
                "language": "en",
                "drawer_pin": 5,
                "header": ["Store 1"],
                "footer": [],
            },
            "scanners": [{"url": "serial:///dev/ttyACM0", "terminator": "CRLF"}],
            "display": {"url": "serial:///dev/ttyUSB1", "codec": "gb18030"},
        }
    )
    assert cfg.printer is not None
    assert (cfg.printer.codec, cfg.printer.drawer_pin, cfg.printer.columns) == ("big5", 5, 32)
    assert (cfg.printer.header, cfg.printer.footer) == (("Store 1",), ())
    assert [s.terminator for s in cfg.scanners] == ["CRLF"]
    assert cfg.display is not None and cfg.display.codec == "gb18030"


# The TOML file -------------------------------------------------------------------------------
def test_toml_file_is_loaded(tmp_path: Path) -> None:
    path = tmp_path / "devices.toml"
    path.write_text(
        '[printer]\nurl = "tcp://192.168.1.50:9100"\npaper_mm = 58\nlanguage = "en"\n'
        'footer = ["谢谢惠顾"]\n\n[[scanners]]\nurl = "serial:///dev/ttyACM0"\n',
        encoding="utf-8",
    )
    cfg = load_devices_config(path)
    assert cfg.printer is not None
    assert (cfg.printer.scheme, cfg.printer.columns, cfg.printer.language) == ("tcp", 32, "en")
    assert cfg.printer.footer == ("谢谢惠顾",)
    assert len(cfg.scanners) == 1 and cfg.display is None


def test_missing_file_means_no_devices(tmp_path: Path) -> None:
    cfg = load_devices_config(tmp_path / "nothing-here.toml")
    assert cfg == DevicesConfig()
    assert (cfg.printer, cfg.scanners, cfg.display) == (None, (), None)


def test_empty_file_means_no_devices(tmp_path: Path) -> None:
    path = tmp_path / "devices.toml"
    path.write_text("# nothing set up yet\n", encoding="utf-8")
    assert load_devices_config(path) == DevicesConfig()


@pytest.mark.parametrize(
    "content",
    [
        b'[printer\nurl = "tcp://a:9100"\n',
        b"[printer]\nurl = tcp://a:9100\n",
        b'[printer]\nurl = "tcp://a:9100"\nurl = "tcp://b:9100"\n',
        b'[printer]\nurl = "\xff\xfe"\n',
    ],
    ids=["unclosed-table", "bare-url", "duplicate-key", "not-utf8"],
)
def test_invalid_toml_is_invalid_input(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "devices.toml"
    path.write_bytes(content)
    with pytest.raises(InvalidInput) as info:
        load_devices_config(path)
    assert info.value.field == "devices"
    assert str(path) in info.value.message


def test_unreadable_file_is_invalid_input(tmp_path: Path) -> None:
    folder = tmp_path / "devices.toml"
    folder.mkdir()  # exists, but cannot be read as a file
    with pytest.raises(InvalidInput) as info:
        load_devices_config(folder)
    assert info.value.field == "devices"


def test_bad_value_in_the_file_names_the_field(tmp_path: Path) -> None:
    path = tmp_path / "devices.toml"
    path.write_text('[printer]\nurl = "tcp://192.168.1.50"\n', encoding="utf-8")
    with pytest.raises(InvalidInput) as info:
        load_devices_config(path)
    assert info.value.field == "printer.url"


def test_pos_devices_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "elsewhere.toml"
    path.write_text('[printer]\nurl = "cups://Receipt"\n', encoding="utf-8")
    monkeypatch.setenv("POS_DEVICES", str(path))
    assert default_config_path() == path
    cfg = load_devices_config()
    assert cfg.printer is not None and cfg.printer.scheme == "cups"
    monkeypatch.delenv("POS_DEVICES")
    assert default_config_path().name == "devices.toml"


def test_preview_printer(tmp_path: Path) -> None:
    cfg = preview_printer(tmp_path, language="en", paper_mm=58)
    assert cfg.scheme == "preview"
    assert parse_printer_url(cfg.url)[1] == str(tmp_path)
    assert (cfg.language, cfg.columns) == ("en", 32)


def test_the_kiosk_idle_timeout_is_read_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "devices.toml"
    path.write_text("[kiosk]\nidle_seconds = 45\n", "utf-8")
    assert load_devices_config(path).kiosk.idle_seconds == 45
    path.write_text("[printer]\nurl = 'tcp://127.0.0.1:9100'\n", "utf-8")
    assert load_devices_config(path).kiosk.idle_seconds == 30  # the default
    path.write_text("[kiosk]\nidle_seconds = 2\n", "utf-8")
    with pytest.raises(InvalidInput) as info:
        load_devices_config(path)
    assert "idle_seconds" in str(info.value)
