"""How a page tells a user the platform refused: the Chinese message and, where a rule of the
regulation is the reason, its article — the same words everywhere."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from govit.core.errors import DomainError


def refusal_text(error: DomainError) -> str:
    if error.cite:
        return _("%(message)s（依据：%(cite)s）") % {"message": error.message, "cite": error.cite}
    return error.message


# refusals about one input, by code: shown at that field of the form (when the form has it)
FIELD_OF_CODE = {
    "OPINION_REQUIRED": "opinion",
    "AMOUNT_REQUIRED": "approved_budget",
    "INVALID_SIGNATORY": "signatory",
    "REASON_REQUIRED": "reason",
    "TEXT_REQUIRED": "text",
    "STATEMENT_REQUIRED": "statement",
    "INVALID_NAME": "name",
    "INVALID_PLAN_YEAR": "plan_year",
    "INVALID_NATIONAL_CODE": "national_code",
    "INVALID_WINNER": "winner",
    "INVALID_VENDOR": "vendor",
    "DUPLICATE_CONTRACT": "number",
    "INVALID_OM_PERIOD": "om_period_years",
    "PAYMENT_EXCEEDS_CONTRACT": "amount",
    "INVALID_PERIOD": "period",
    "INVALID_PERCENT": "percent",
    "INVALID_SCORE": "score",
    "INVALID_GRADE": "grade",
    "CHECK_NOT_CONFIRMED": "confirmed_checks",
    "DOCUMENT_MISSING": "file",
    # the record chosen to void or correct (govit.events.trail; web.project_forms.void_form)
    "ALREADY_VOIDED": "record",
    "USE_CORRECTION": "record",
    "CONTRACT_HAS_PAYMENTS": "record",
    "CONTRACT_WITH_WINNER": "record",
}


def refusal_field(
    error: DomainError, fields: Any, own: Mapping[str, str] | None = None
) -> str | None:
    """The form field a refusal is about: by its code, the page's ``own`` names first (a form
    whose input has another name), then the common ones, if the form has that field; None: the
    refusal is about the whole form."""
    field = (own or {}).get(error.code) or FIELD_OF_CODE.get(error.code)
    return field if field and field in fields else None


def refuse(form: Any, error: DomainError, own: Mapping[str, str] | None = None) -> None:
    """Show a refusal on a form: at its field when it is about one input, else above the form."""
    form.add_error(refusal_field(error, form.fields, own), refusal_text(error))
