"""Translations: Qt Linguist ``.ts`` sources in ``resources/translations``, compiled to ``.qm``
at start-up into the user cache, keyed by the source's hash so they are never stale."""

from __future__ import annotations

import hashlib
import subprocess
from importlib import resources
from pathlib import Path

import PySide6
from platformdirs import user_cache_dir
from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QSettings, QTranslator

from pos_app.paths import APP_NAME

LANGUAGES = {"zh_CN": "中文", "en": "English"}
CATALOGUE = "counter"


def ts_path(language: str) -> Path:
    return Path(str(resources.files("resources") / "translations" / f"{CATALOGUE}_{language}.ts"))


def lrelease() -> Path:
    return Path(PySide6.__file__).parent / "lrelease"


def compiled(language: str, cache: Path | None = None) -> Path | None:
    """The ``.qm`` for ``language``, compiling it if this source has not been compiled yet."""
    source = ts_path(language)
    if not source.exists():
        return None
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    folder = cache or Path(user_cache_dir(APP_NAME, appauthor=False)) / "translations"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{CATALOGUE}_{language}-{digest}.qm"
    if not target.exists():
        tmp = target.with_suffix(".tmp")
        subprocess.run([str(lrelease()), "-silent", str(source), "-qm", str(tmp)], check=True)
        tmp.replace(target)
    return target


def chosen_language() -> str:
    """The language from settings, else the system locale (Chinese or English)."""
    saved = QSettings().value("language", "", str)
    if saved in LANGUAGES:
        return str(saved)
    return "zh_CN" if QLocale.system().name().startswith("zh") else "en"


def save_language(language: str) -> None:
    QSettings().setValue("language", language)


_installed: list[QTranslator] = []
_current = ["en"]


def current() -> str:
    """The language the interface is in now."""
    return _current[0]


def install(app: QCoreApplication, language: str) -> None:
    """Install our catalogue and Qt's own (standard buttons) for ``language``."""
    for old in _installed:
        app.removeTranslator(old)
    _installed.clear()
    _current[0] = language
    if language == "en":
        return
    ours = QTranslator(app)
    qm = compiled(language)
    if qm is not None and ours.load(str(qm)):
        app.installTranslator(ours)
        _installed.append(ours)
    qt = QTranslator(app)
    if qt.load(f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
        _installed.append(qt)
