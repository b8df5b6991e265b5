"""Domain errors. Services raise these; views and the API translate them into HTTP responses."""

from __future__ import annotations


class DomainError(Exception):
    """A rule said no. ``code`` is stable for API clients; ``message`` is for people."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class ValidationFailed(DomainError):
    """Input that cannot be accepted; ``problems`` lists every reason (file/row/line first)."""

    status = 422
    code = "validation_failed"

    def __init__(self, message: str, problems: list[str] | None = None, *, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.problems = problems or []

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        return self.message + "\n" + "\n".join(f"  - {p}" for p in self.problems)


class BadRequest(DomainError):
    """A request that cannot be read (a malformed or out-of-range number, a body that is not an object)."""

    status = 400
    code = "bad_request"
