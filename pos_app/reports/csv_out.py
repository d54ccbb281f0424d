"""Reports as CSV for spreadsheets: one row per figure, the section first, plain numbers.

Written as UTF-8 with a byte-order mark so Excel opens Chinese text correctly.
"""

from __future__ import annotations

import csv
import io

from pos_app.reports.sections import Section, raw


def sections_csv(header: list[tuple[str, str]], sections: list[Section]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    for left, right in header:
        w.writerow(["", left, right])
    for section in sections:
        w.writerow([section.title, *section.columns])
        for row in section.rows:
            w.writerow([section.title, *(raw(c) for c in row)])
    return out.getvalue()


def write_csv(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        fh.write(text)
