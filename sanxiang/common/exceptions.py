"""Domain exceptions: each carries a machine code for the API and a Chinese message naming the rule.

One handler (common.api.exception_handler for the API, common.views helpers for pages) renders
them; services raise them and never return error values.
"""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the three systems refused the request."""

    code = "domain_error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None,
                 rule: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field
        self.rule = rule

    def as_dict(self) -> dict:
        data = {"code": self.code, "message": self.message}
        if self.field:
            data["field"] = self.field
        if self.rule:
            data["rule"] = self.rule
        return data


class ValidationFailed(DomainError):
    """Input does not satisfy a field rule."""

    code = "validation_failed"


class TransitionNotAllowed(DomainError):
    """The flow does not allow this action in the case's current step."""

    code = "transition_not_allowed"
    status = 409


class RoleNotAllowed(DomainError):
    """The user's role may not perform this step."""

    code = "role_not_allowed"
    status = 403


class OfficerNotQualified(DomainError):
    """Too few officers, or an officer without a valid certificate for this action."""

    code = "officer_not_qualified"


class ReviewRequired(DomainError):
    """The case is in the legal-review catalogue and has no passed review."""

    code = "review_required"
    status = 409


class EvidenceMissing(DomainError):
    """A mandatory record is missing for this step."""

    code = "evidence_missing"
    status = 409


class DeadlineError(DomainError):
    """A deadline cannot be computed or has been missed."""

    code = "deadline_error"


class NotFound(DomainError):
    """The object does not exist or is outside what the user may see."""

    code = "not_found"
    status = 404


class ImportRejected(DomainError):
    """An import file had bad rows; nothing was imported."""

    code = "import_rejected"

    def __init__(self, message: str, *, errors: list[dict]) -> None:
        super().__init__(message)
        self.errors = errors

    def as_dict(self) -> dict:
        data = super().as_dict()
        data["errors"] = self.errors
        return data
