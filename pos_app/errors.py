"""Errors a user can hit, each with a message a cashier or manager can act on.

Every error carries a stable ``code`` (for translation in the UI and for the
wire protocol) and the ``field`` it is about, when there is one. Programming
errors are not caught into these; they stay loud.
"""

from __future__ import annotations


class PosError(Exception):
    """Base of every error the services raise on purpose."""

    code = "error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class InvalidInput(PosError):
    """An amount, phone number, card number or other input is malformed."""

    code = "invalid_input"


class ProgramError(PosError):
    """A points program definition is invalid; ``field`` names the bad field."""

    code = "invalid_program"


class NotFound(PosError):
    code = "not_found"


class PermissionDenied(PosError):
    """The acting staff member's role does not allow this action."""

    code = "permission_denied"


class ApprovalRequired(PermissionDenied):
    """The action needs a manager's approval that was not given."""

    code = "approval_required"


class AuthenticationFailed(PosError):
    code = "authentication_failed"


class LockedOut(AuthenticationFailed):
    code = "locked_out"


class InsufficientPoints(PosError):
    code = "insufficient_points"


class Conflict(PosError):
    """The request clashes with the current state (duplicate card, stale quote...)."""

    code = "conflict"


class StaleQuote(Conflict):
    """What the cashier was shown no longer matches what would be committed."""

    code = "stale_quote"


class OfflineLimit(PosError):
    """The store cannot reach HQ and this spend is above what it may allow offline."""

    code = "offline_limit"


class StorageError(PosError):
    """The store database file cannot be used (damaged, unreadable): nothing was saved."""

    code = "storage"


class StorageFull(StorageError):
    """The disk holding the store database is full: the action was rolled back whole."""

    code = "storage_full"


class StorageReadOnly(StorageError):
    """The store database cannot be written (read-only file, folder or disk)."""

    code = "storage_read_only"
