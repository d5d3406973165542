"""Domain errors. Every refusal a user sees carries a code, a Chinese message and, where a rule
of the regulation is the reason, the article (cite). The API turns them into JSON with a status."""

from __future__ import annotations


class DomainError(Exception):
    status = 400
    code = "BAD_REQUEST"

    def __init__(self, message: str, *, code: str | None = None, cite: str | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.cite = cite

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message": self.message, "cite": self.cite}


class NotFound(DomainError):
    """Does not exist, or is not yours to see: the same answer for both."""

    status = 404
    code = "NOT_FOUND"


class PermissionDenied(DomainError):
    status = 403
    code = "FORBIDDEN"


class Conflict(DomainError):
    """The object changed under you, or is not in a state that allows this action."""

    status = 409
    code = "CONFLICT"


class RuleRefused(DomainError):
    """The regulation does not allow this now; ``cite`` names the article."""

    status = 422
    code = "RULE_REFUSED"


class InvalidInput(DomainError):
    status = 422
    code = "INVALID_INPUT"
