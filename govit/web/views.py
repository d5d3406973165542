"""Pages. Views stay thin: they read through the policy engine's loaders and render."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from govit.policy import render as rulebook_render
from govit.policy.decide import today
from govit.policy.loader import UnknownRulebook, all_rulebooks, get_rulebook
from govit.policy.vocab import LEVEL_LABELS, STATUS_LABELS


def home(request: HttpRequest) -> HttpResponse:
    on = today()
    rulebooks = [
        {
            "id": rb.id,
            "title": rb.title,
            "jurisdiction": rb.model.jurisdiction.name,
            "level": LEVEL_LABELS[rb.model.jurisdiction.level],
            "status": rb.status_on(on),
            "status_label": STATUS_LABELS[rb.status_on(on)],
            "articles": len(rb.regulation.articles),
        }
        for rb in sorted(all_rulebooks(), key=lambda rb: rb.id)
    ]
    return render(request, "web/home.html", {"rulebooks": rulebooks, "on": on})


def rulebook_detail(request: HttpRequest, rulebook_id: str) -> HttpResponse:
    try:
        rb = get_rulebook(rulebook_id)
    except UnknownRulebook:
        raise Http404("没有这部规则手册") from None
    rows = rulebook_render.coverage(rb)
    articles = {a.label: a for a in rb.regulation.articles}
    context = {
        "rb": rb,
        "status_label": STATUS_LABELS[rb.status_on(today())],
        "rows": [{"row": row, "text": articles[row.article].text} for row in rows],
        "summary": rulebook_render.show(rb),
    }
    return render(request, "web/rulebook.html", context)


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})
