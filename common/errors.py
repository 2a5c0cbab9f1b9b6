"""Domain errors raised by services. They import nothing from DRF or HTTP.

The API's exception handler (common.api_errors) turns each into an answer
with its `status_code`; pages and consumers show `message`.
"""
from __future__ import annotations


class DomainError(Exception):
    """A request that is understood but cannot be done in the current state."""

    status_code = 409
    code = "conflict"

    def __init__(self, message: str, *, code: str | None = None, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        # Field name -> messages, when the refusal is about particular fields of the input.
        self.fields = fields
        if code:
            self.code = code


class InvalidInput(DomainError):
    """Input that no state of the system would accept."""

    status_code = 400
    code = "invalid"


class NotFound(DomainError):
    """The thing does not exist, or is not the caller's to see."""

    status_code = 404
    code = "not_found"
