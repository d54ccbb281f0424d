"""Errors in the cashier's language: a translated headline per kind, then the detail."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from pos_app.errors import PosError

_HEADLINES = {
    "invalid_input": QT_TRANSLATE_NOOP("Errors", "Please check the input"),
    "not_found": QT_TRANSLATE_NOOP("Errors", "Not found"),
    "permission_denied": QT_TRANSLATE_NOOP("Errors", "Not allowed"),
    "approval_required": QT_TRANSLATE_NOOP("Errors", "A manager must approve this"),
    "authentication_failed": QT_TRANSLATE_NOOP("Errors", "Wrong staff number or PIN"),
    "locked_out": QT_TRANSLATE_NOOP("Errors", "Locked for a while"),
    "insufficient_points": QT_TRANSLATE_NOOP("Errors", "Not enough points"),
    "conflict": QT_TRANSLATE_NOOP("Errors", "Already exists or changed"),
    "stale_quote": QT_TRANSLATE_NOOP("Errors", "The amounts changed; please check again"),
    "invalid_program": QT_TRANSLATE_NOOP("Errors", "The points program is invalid"),
    "offline_limit": QT_TRANSLATE_NOOP("Errors", "Not allowed while offline"),
    "storage": QT_TRANSLATE_NOOP("Errors", "The store database cannot be used; nothing was saved"),
    "storage_full": QT_TRANSLATE_NOOP("Errors", "The disk is full; nothing was saved"),
    "storage_read_only": QT_TRANSLATE_NOOP(
        "Errors", "The store database is read-only; nothing was saved"
    ),
}
_OTHER = QT_TRANSLATE_NOOP("Errors", "Something went wrong")


def headline(error: PosError) -> str:
    return QCoreApplication.translate("Errors", _HEADLINES.get(error.code, _OTHER))


def describe(error: PosError) -> str:
    """Headline and detail, e.g. 'Not enough points: the member has 100 points...'."""
    return QCoreApplication.translate("Errors", "{headline}: {detail}").format(
        headline=headline(error), detail=error.message
    )
