"""Errors a user can cause. Each names the field and the problem and carries an HTTP status."""
from __future__ import annotations


class ShopfloorError(Exception):
    """Base of every error with a message fit for a user."""

    status = 400

    def __init__(self, field: str, message: str, *, status: int | None = None):
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message
        if status is not None:
            self.status = status

    def to_json(self) -> dict:
        """The body of an API error response."""
        return {"error": str(self), "field": self.field or None, "message": self.message}


class ValidationError(ShopfloorError):
    """Input that is wrong in itself: missing, malformed, out of range."""

    status = 400


class NotFound(ShopfloorError):
    """A code or id that names nothing."""

    status = 404


class Conflict(ShopfloorError):
    """A request that is well-formed but breaks a rule (negative stock, a status change)."""

    status = 409


class Forbidden(ShopfloorError):
    """The caller is logged in but may not do this."""

    status = 403
