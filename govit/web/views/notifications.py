"""消息提醒: the signed-in user's notifications (deadlines, yearly duties, rulebooks expiring,
findings of the nightly re-check), newest first; mark one or all read."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from govit.notifications import inbox, selectors
from govit.notifications.models import Kind
from govit.policy.articles import split_cite
from govit.web.labels import notification_text
from govit.web.views.rulebooks import article_of


def _cite_href(n) -> str:
    parts = [p for p in split_cite(n.cite) if p] if n.cite else []
    if not parts or not n.rulebook_id:
        return ""
    return f"{reverse('rulebook-detail', args=[n.rulebook_id])}#{article_of(parts[0])}"


# where a notice that names no project leads: the page on which its duty is done
DUTY_PAGES = {Kind.CALENDAR_MISSING: "admin-calendar"}


def _href(n) -> str:
    page = DUTY_PAGES.get(n.kind)
    return reverse(page) if page else ""


def notification_list(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("show") == "unread"
    qs = selectors.notification_list(request.user, unread_only=unread_only)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    rows = [
        {
            "n": n,
            "cite_href": _cite_href(n),
            "href": _href(n),
            "title": notification_text(n, "title"),
            "body": notification_text(n, "body"),
        }
        for n in page.object_list
    ]
    context = {
        "page": page,
        "rows": rows,
        "unread_only": unread_only,
        "unread": selectors.unread_count(request.user),
        "query": "show=unread&" if unread_only else "",
    }
    return render(request, "web/notifications/list.html", context)


@require_POST
def notification_read(request: HttpRequest) -> HttpResponse:
    ids = [int(v) for v in request.POST.getlist("id") if v.isdigit()]
    inbox.mark_read(request.user, ids if request.POST.get("all") != "1" else None)
    back = reverse("notifications")
    if request.POST.get("show") == "unread":
        back += "?show=unread"
    return redirect(back)


urlpatterns = [
    path("notifications/", notification_list, name="notifications"),
    path("notifications/read/", notification_read, name="notifications-read"),
]
