"""How a page tells a user the platform refused: the Chinese message and, where a rule of the
regulation is the reason, its article — the same words everywhere."""

from __future__ import annotations

from django.utils.translation import gettext as _

from govit.core.errors import DomainError


def refusal_text(error: DomainError) -> str:
    if error.cite:
        return _("%(message)s（依据：%(cite)s）") % {"message": error.message, "cite": error.cite}
    return error.message
