"""Reading a project's event log: filtered by kind, person and words, newest first, and who did
each event in words ("系统（因张三（某局）的“通过”而自动开始）" for what the system did on its own)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet

from govit.events.models import Event
from govit.events.registry import EVENT_KINDS

SYSTEM = "system"  # the person filter's value for what nobody did in person

# what the system did on its own, by event kind ("而自动开始")
AUTOMATIC_VERBS = {
    "step.opened": "自动开始",
    "step.passed": "自动办结",
    "task.cancelled": "自动撤销",
    "obligation.created": "自动形成",
    "rectification.opened": "自动启动",
    "rectification.closed": "自动关闭",
    "payment.withheld": "自动暂停",
    "payment.released": "自动恢复",
}


def kind_label(kind: str) -> str:
    """The Chinese name of an event kind (an unknown one — none is recorded — shows as is)."""
    return EVENT_KINDS.get(kind, kind)


def person_text(name: str, org: str) -> str:
    return f"{name}（{org}）" if org else name


def _as_is(context: str, text: str) -> str:
    return text


def actor_text(event: Event, say: Callable[[str, str], str] = _as_is) -> str:
    """Who did it, in words: the person and their organization, or the system and the act that
    set it going. In Chinese, as recorded; a page passes ``say`` (``pgettext``) to word the
    system's part in the reader's language ("event actor", "automatic" and "event kind" are the
    contexts of its phrases, the verbs and the labels) — the names stay as they were recorded."""
    if event.actor_id is not None:
        if event.actor_name == "系统" and not event.actor_org_name:
            # the platform's own account (organizations.services.system_user: the jobs, setup)
            return say("event actor", "系统")
        return person_text(event.actor_name, event.actor_org_name)
    cause = event.cause if event.cause_id is not None else None
    if cause is None:
        return say("event actor", "系统")
    return say("event actor", "系统（因{who}的“{act}”而{verb}）").format(
        who=person_text(cause.actor_name, cause.actor_org_name),
        act=say("event kind", kind_label(cause.kind)),
        verb=say("automatic", AUTOMATIC_VERBS.get(event.kind, "自动记录")),
    )


def project_events(
    project: Any, *, kind: str = "", person: str = "", q: str = ""
) -> QuerySet[Event]:
    """The project's events, newest first, narrowed by kind, by person (a user id, or ``SYSTEM``)
    and by words in the content, the person's name or organization. Read a page at a time: the
    (project, id) index serves both the order and the slice."""
    events = Event.objects.filter(project=project)
    if kind:
        events = events.filter(kind=kind)
    if person == SYSTEM:
        events = events.filter(actor__isnull=True)
    elif person:
        events = events.filter(actor_id=int(person)) if person.isdigit() else events.none()
    for word in q.split()[:5]:
        events = events.filter(
            Q(summary__icontains=word)
            | Q(actor_name__icontains=word)
            | Q(actor_org_name__icontains=word)
        )
    return events.select_related("cause").order_by("-id")


def project_event_kinds(project: Any) -> list[tuple[str, str]]:
    """The kinds of event the project has, as (kind, Chinese label), in the registry's order."""
    present = set(
        Event.objects.filter(project=project).order_by().values_list("kind", flat=True).distinct()
    )
    return [(kind, label) for kind, label in EVENT_KINDS.items() if kind in present]


def project_event_people(project: Any) -> list[tuple[str, str]]:
    """Who acted on the project, as (user id, "name（organization）") by name, then the system."""
    rows = (
        Event.objects.filter(project=project, actor__isnull=False)
        .order_by()
        .values_list("actor_id", "actor_name", "actor_org_name")
        .distinct()
    )
    people: dict[int, str] = {}
    for actor_id, name, org in rows:
        people.setdefault(actor_id, person_text(name, org))  # the snapshot may differ by time
    choices = sorted(((str(i), text) for i, text in people.items()), key=lambda c: c[1])
    if Event.objects.filter(project=project, actor__isnull=True).exists():
        choices.append((SYSTEM, "系统"))
    return choices
