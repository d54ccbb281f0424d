"""Finding a font that can draw Chinese, for receipt previews and rasterised receipt text.

Prefers the monospaced Simplified-Chinese face (Noto Sans Mono CJK SC: Latin glyphs are
exactly half as wide as Han ones, like a printer's 12/24-dot grid), then any SC face.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

#: where Debian/Ubuntu (fonts-noto-cjk, fonts-wqy-microhei), Fedora/Arch, macOS and
#: Windows keep CJK fonts, best first
CANDIDATES: tuple[str, ...] = (
    "/usr/share/fonts/opentype/noto/NotoSansMonoCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansMonoCJKsc-Regular.otf",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simhei.ttf",
)
BOLD_CANDIDATES: tuple[str, ...] = (
    "/usr/share/fonts/opentype/noto/NotoSansMonoCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Bold.ttc",
)
FC_PATTERN = "Noto Sans Mono CJK SC"
MISSING_MESSAGE = (
    "no CJK font found for receipt text: install one, e.g. on Debian/Ubuntu "
    "`apt-get install fonts-noto-cjk` (or fonts-wqy-microhei)"
)


@dataclass(frozen=True)
class FontFile:
    path: Path
    index: int  # face index inside a .ttc collection (0 for .ttf/.otf)
    name: str  # family name of that face, e.g. "Noto Sans Mono CJK SC"


def _faces(path: Path) -> list[tuple[int, str]]:
    """(index, family) of every face in the file; empty when Pillow cannot open it."""
    faces: list[tuple[int, str]] = []
    for index in range(64):  # collections hold a handful of faces
        try:
            family = ImageFont.truetype(str(path), 24, index=index).getname()[0] or ""
        except (OSError, ValueError):
            break
        faces.append((index, family))
        if path.suffix.lower() not in (".ttc", ".otc"):
            break
    return faces


def _rank(family: str) -> int:
    """Lower is better: Mono SC, then SC, then Mono, then anything."""
    mono = "mono" in family.lower()
    sc = family.endswith(" SC") or "microhei" in family.replace(" ", "").lower()
    return {(True, True): 0, (False, True): 1, (True, False): 2}.get((mono, sc), 3)


def _draws_han(path: Path, index: int) -> bool:
    """True when the face has a real glyph for 中 (not the empty/tofu .notdef box)."""
    font = ImageFont.truetype(str(path), 24, index=index)

    def ink(ch: str) -> bytes:
        img = Image.new("L", (32, 32), 0)
        ImageDraw.Draw(img).text((4, 28), ch, font=font, fill=255, anchor="ls")
        return img.tobytes()

    han = ink("中")
    return any(han) and han != ink("\U0010fffd")  # a private-use char: surely .notdef


def _best_face(path: Path) -> FontFile | None:
    faces = sorted(_faces(path), key=lambda face: (_rank(face[1]), face[0]))
    for index, family in faces:
        if _draws_han(path, index):
            return FontFile(path, index, family)
    return None


def _fc_match() -> Path | None:
    if shutil.which("fc-match") is None:
        return None
    try:
        out = subprocess.run(
            ["fc-match", "-f", "%{file}", FC_PATTERN],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return Path(out) if out else None


def _search(candidates: tuple[str, ...], *, fc_fallback: bool) -> FontFile | None:
    paths = [Path(p) for p in candidates]
    if fc_fallback and (matched := _fc_match()) is not None:
        paths.append(matched)  # fontconfig may answer with a non-CJK font: checked below
    for path in paths:
        if path.is_file() and (found := _best_face(path)) is not None:
            return found
    return None


@lru_cache(maxsize=1)
def find_cjk_font() -> FontFile | None:
    """The best CJK-capable font on this machine, or None."""
    return _search(CANDIDATES, fc_fallback=True)


def cjk_font_path() -> Path | None:
    found = find_cjk_font()
    return found.path if found else None


@lru_cache(maxsize=1)
def _find_bold() -> FontFile | None:
    return _search(BOLD_CANDIDATES, fc_fallback=False)


@lru_cache(maxsize=64)
def cjk_font(size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont:
    """A CJK-capable font at ``size`` pixels (``bold`` falls back to the regular weight);
    RuntimeError naming the packages to install when the machine has none."""
    found = (_find_bold() if bold else None) or find_cjk_font()
    if found is None:
        raise RuntimeError(MISSING_MESSAGE)
    return ImageFont.truetype(str(found.path), size, index=found.index)
