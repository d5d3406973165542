"""Read-only accounts (auditors: the audit bureau, anyone with the 审计人员 role) read everything
and do nothing: the pages whose purpose is a form that changes something answer them with the
Chinese 403 instead of a form they cannot submit, and pages that show an action beside what they
read hide it. The services refuse them in any case (``access.policy.works``)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from govit.access.policy import is_auditor

READ_ONLY = "只读账号（审计人员）可以查看，不能办理此事项"


def refuse_readers(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A form page an auditor is not shown (GET) and may not submit (POST)."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and is_auditor(request.user):
            raise PermissionDenied(_(READ_ONLY))
        return view(request, *args, **kwargs)

    return guarded
