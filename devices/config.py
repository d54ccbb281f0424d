"""Device settings: the receipt printer, scanners and the customer display.

Read from a TOML file (``devices.toml`` in the user's config folder, or
``POS_DEVICES``); every field has a default that suits the common Chinese
80 mm thermal printer, and a bad value is reported with the field's name.
"""

from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qs, unquote, urlsplit

from platformdirs import user_config_dir
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pos_app.errors import InvalidInput
from pos_app.paths import APP_NAME
from pos_app.program.loader import error_field, error_message

PRINTER_SCHEMES = ("tcp", "usb", "serial", "file", "cups", "win32", "preview")
#: dots across the printable width and font-A columns (12-dot characters)
PAPER = {58: (384, 32), 80: (576, 48)}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PrinterConfig(_Strict):
    name: str = Field("receipt", min_length=1, max_length=40)
    url: str
    #: python-escpos capability profile (what the printer supports: QR, fonts...)
    profile: str = "default"
    paper_mm: Literal[58, 80] = 80
    #: double-byte codec for Chinese text; "none" for printers with no Chinese font
    codec: Literal["gb18030", "gbk", "big5", "none"] = "gb18030"
    #: send FS & / FS . around Chinese text (most Chinese printers want them)
    chinese_mode: bool = True
    #: print text as images (printers with no Chinese font, or for exact looks)
    raster: bool = False
    language: Literal["zh_CN", "en"] = "zh_CN"
    drawer_pin: Literal[2, 5] = 2
    #: ask the printer for paper/offline status (DLE EOT); None = where the transport can
    status_query: bool | None = None
    timeout_s: float = Field(3.0, gt=0, le=30)
    #: a drawer kick not delivered within this many seconds is dropped, never fired late
    drawer_deadline_s: float = Field(10.0, gt=0, le=60)
    header: tuple[str, ...] = ()
    footer: tuple[str, ...] = ("谢谢惠顾，欢迎再次光临", "Thank you for shopping with us")

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        parse_printer_url(value)
        return value

    @field_validator("profile")
    @classmethod
    def _profile(cls, value: str) -> str:
        from escpos.capabilities import get_profile

        try:
            get_profile(value)
        except Exception as exc:  # python-escpos raises its own NotSupported
            raise ValueError(f"unknown printer profile {value!r}") from exc
        return value

    @property
    def scheme(self) -> str:
        return parse_printer_url(self.url)[0]

    @property
    def width_dots(self) -> int:
        return _paper(self.profile, self.paper_mm)[0]

    @property
    def columns(self) -> int:
        return _paper(self.profile, self.paper_mm)[1]

    @property
    def wide(self) -> bool:
        """True when non-ASCII text prints as two-column glyphs (a codec, or raster)."""
        return self.raster or self.codec != "none"

    @property
    def queries_status(self) -> bool:
        if self.status_query is not None:
            return self.status_query
        return self.scheme in ("tcp", "serial")


@lru_cache(maxsize=32)
def _paper(profile: str, paper_mm: int) -> tuple[int, int]:
    """(dots, font-A columns): the profile's own figures when it describes this paper
    (an Epson TM-T88 prints 42 columns on 512 dots of 80 mm paper), else the common
    Chinese printer's 576 dots / 48 columns (80 mm) or 384 / 32 (58 mm)."""
    from escpos.capabilities import get_profile

    data = get_profile(profile).profile_data
    media = data.get("media", {}).get("width", {})
    try:
        columns = int(data["fonts"]["0"]["columns"])
        if int(media["mm"]) == paper_mm:
            return int(media["pixels"]), columns
    except (KeyError, TypeError, ValueError):
        pass
    return PAPER[paper_mm]


class ScannerConfig(_Strict):
    url: str = Field(min_length=1)
    baudrate: int = Field(9600, gt=0)
    terminator: Literal["CR", "LF", "CRLF", "TAB", "none"] = "CR"
    frame_timeout_s: float = Field(0.05, gt=0, le=2)


class DisplayConfig(_Strict):
    url: str = Field(min_length=1)
    baudrate: int = Field(9600, gt=0)
    #: the display's double-byte codec; None shows ASCII only
    codec: Literal["gb18030", "gbk", "big5"] | None = None
    language: Literal["zh_CN", "en"] = "zh_CN"


class KioskConfig(_Strict):
    """The member kiosk on this machine (``pos-app kiosk``)."""

    #: back to the idle screen after this many seconds without a touch
    idle_seconds: int = Field(30, ge=5, le=3600)


class DevicesConfig(_Strict):
    printer: PrinterConfig | None = None
    scanners: tuple[ScannerConfig, ...] = ()
    display: DisplayConfig | None = None
    kiosk: KioskConfig = KioskConfig()


def parse_printer_url(url: str) -> tuple[str, str, dict[str, str]]:
    """``tcp://host:9100`` -> ("tcp", "host:9100", {}); query parameters as a dict."""
    if not isinstance(url, str) or "://" not in url:
        raise ValueError(
            "a printer URL looks like tcp://192.168.1.50:9100, usb://04b8:0202, "
            "serial:///dev/ttyUSB0?baudrate=19200, file:///dev/usb/lp0, cups://NAME, "
            "win32://NAME or preview://FOLDER"
        )
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in PRINTER_SCHEMES:
        raise ValueError(
            f"unknown printer type {scheme!r}; use one of {', '.join(PRINTER_SCHEMES)}"
        )
    target = unquote(parts.netloc + parts.path)
    params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    if not target:
        raise ValueError(f"{url!r} names no printer")
    if scheme == "tcp":
        host, _, port = parts.netloc.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError("a network printer URL is tcp://HOST:PORT (usually port 9100)")
    if scheme == "usb":
        vid, _, pid = target.partition(":")
        try:
            int(vid, 16), int(pid, 16)
        except ValueError:
            raise ValueError(
                "a USB printer URL is usb://VID:PID in hex, e.g. usb://04b8:0202"
            ) from None
    baud = params.get("baudrate", "19200")
    if scheme == "serial" and not (baud.isascii() and baud.isdigit() and int(baud) > 0):
        raise ValueError("baudrate must be a number, e.g. ?baudrate=19200")
    return scheme, target, params


def default_config_path() -> Path:
    env = os.environ.get("POS_DEVICES")
    if env:
        return Path(env)
    return Path(user_config_dir(APP_NAME, appauthor=False)) / "devices.toml"


def devices_from_dict(data: dict[str, object]) -> DevicesConfig:
    try:
        return DevicesConfig.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = error_field(tuple(first["loc"]))
        raise InvalidInput(f"{field} {error_message(first)}", field=field) from None


def load_devices_config(path: Path | None = None) -> DevicesConfig:
    """The device settings; no file means no devices (the counter says "no printer")."""
    path = path or default_config_path()
    if not path.exists():
        return DevicesConfig()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InvalidInput(f"cannot read {path}: {exc}", field="devices") from None
    return devices_from_dict(data)


def preview_printer(folder: Path, *, language: str = "zh_CN", paper_mm: int = 80) -> PrinterConfig:
    """The demo's printer: each job written to ``folder`` as bytes and a PNG."""
    return PrinterConfig.model_validate(
        {"url": f"preview://{folder}", "language": language, "paper_mm": paper_mm}
    )
