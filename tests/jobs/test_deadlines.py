"""The daily deadline scan: 3 working days ahead (holidays and weekends not counted), due today,
overdue with escalation to the competent department — each told once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from govit.events.models import Event
from govit.notifications.models import Kind, Notification
from govit.projects import services as projects
from govit.projects.models import Task
from tests.jobs.conftest import JOINT_REVIEW_DUE, D, run, told
from tests.workflow import flows

pytestmark = pytest.mark.django_db

ORGS = ("competent_department", "cyberspace", "crypto_administration")


def people(cast, kinds=ORGS, roles=("clerk", "leader")) -> set[str]:
    return {f"heilongjiang.{k}.{r}" for k in kinds for r in roles}


def test_three_working_days_ahead_counts_neither_the_holiday_nor_the_weekend(joint_review):
    # due Tue 06-23; from Tue 06-16 that is 4 working days (17, 18, 22, 23): too early
    assert run("deadline_scan", D(2026, 6, 16)).result["notices"] == 0
    assert Notification.objects.count() == 0
    # from Wed 06-17 it is 3 (18; 19 端午, 20–21 weekend; 22, 23) although 6 calendar days away
    outcome = run("deadline_scan", D(2026, 6, 17))
    rows = Notification.objects.filter(kind=Kind.TASK_DUE_SOON).select_related("user", "task")
    assert {n.user.username for n in rows} == people(None)
    assert outcome.result["notices"] == 6
    lead = rows.get(user__username="heilongjiang.competent_department.clerk")
    assert lead.cite == "第十条"
    assert lead.task.step.kind == "joint_review"
    assert "应于2026年6月23日前办结，尚余3个工作日（5个工作日内办结，依据第十条）" in lead.body
    assert lead.rulebook_id == "heilongjiang"


def test_due_today_and_the_day_after_overdue_with_escalation(joint_review, heilongjiang):
    run("deadline_scan", D(2026, 6, 22))  # 1 working day left: due soon
    run("deadline_scan", JOINT_REVIEW_DUE)
    today = Notification.objects.filter(kind=Kind.TASK_DUE_TODAY)
    assert {n.user.username for n in today.select_related("user")} == people(None)
    assert not Notification.objects.filter(kind=Kind.TASK_OVERDUE).exists()

    run("deadline_scan", D(2026, 6, 24))
    overdue = Notification.objects.filter(kind=Kind.TASK_OVERDUE).select_related("user", "task")
    assert {n.user.username for n in overdue} == people(None)
    cyber = overdue.get(user__username="heilongjiang.cyberspace.clerk")
    assert "已逾期1个工作日" in cyber.body and cyber.cite == "第十条"
    # escalated to the competent department: its clerk and leader for the others' tasks, only its
    # leaders for its own overdue task
    escalated = Notification.objects.filter(kind=Kind.TASK_ESCALATED).select_related("user", "task")
    by_org = {}
    for n in escalated:
        by_org.setdefault(n.task.organization.kind, set()).add(n.user.username)
    assert by_org == {
        "cyberspace": people(None, ["competent_department"]),
        "crypto_administration": people(None, ["competent_department"]),
        "competent_department": {"heilongjiang.competent_department.leader"},
    }
    note = escalated.get(
        user__username="heilongjiang.competent_department.clerk",
        task__organization__kind="cyberspace",
    )
    assert (
        note.title == f"逾期督办：{heilongjiang.orgs['cyberspace'].name} · {cyber.task.step.name}"
    )
    assert "已逾期1个工作日，请督促办理" in note.body and note.cite == "第十条"
    # and the event log says who was reminded and escalated to, with the article
    sent = Event.objects.filter(project=joint_review, kind="notification.sent")
    assert sent.count() == 3 + 3 + 3 + 3  # due soon, due today, overdue, escalation × 3 tasks
    assert set(sent.values_list("cite", flat=True)) == {"第十条"}


def test_running_twice_notifies_nobody_twice(joint_review):
    run("deadline_scan", D(2026, 6, 24))
    first = told()
    events = Event.objects.filter(kind="notification.sent").count()
    again = run("deadline_scan", D(2026, 6, 24))
    assert again.result["notices"] == again.result["escalations"] == 0
    run("deadline_scan", D(2026, 6, 25))  # the next day: still overdue, already told
    assert told() == first
    assert Event.objects.filter(kind="notification.sent").count() == events
    assert len(first) == len(set((u, k) for u, _, k in first)) == 6 + 5


def test_a_closed_task_is_not_reminded(joint_review, heilongjiang):
    task = flows.open_task(joint_review, "joint_review", "cyberspace")
    projects.task_act(
        actor=heilongjiang.user("cyberspace"), task_id=task.pk, action="approve", opinion="同意"
    )
    run("deadline_scan", D(2026, 6, 24))
    assert not Notification.objects.filter(task=task).exists()
    assert Notification.objects.filter(task__organization__kind="crypto_administration").exists()


def test_the_assignee_is_told_first(joint_review, heilongjiang):
    task = flows.open_task(joint_review, "joint_review", "cyberspace")
    leader, clerk = heilongjiang.user("cyberspace.leader"), heilongjiang.user("cyberspace")
    projects.task_reassign(actor=leader, task_id=task.pk, to_user=clerk)
    assert Task.objects.get(pk=task.pk).assignee == clerk
    run("deadline_scan", D(2026, 6, 17))
    key = f"task_due_soon:task:{task.pk}:2026-06-23"
    (event,) = [e for e in Event.objects.filter(kind="notification.sent") if e.data["key"] == key]
    assert event.data["users"][0] == clerk.pk
    assert set(event.data["users"]) == {clerk.pk, leader.pk}
    assert event.summary.startswith("待办即将到期")


def test_e_mail_copies_are_sent_once(joint_review, heilongjiang, mailoutbox):
    clerk = heilongjiang.user("cyberspace")
    clerk.email = "cyber@example.gov.cn"
    clerk.save(update_fields=["email"])
    run("deadline_scan", D(2026, 6, 17))
    run("deadline_scan", D(2026, 6, 17))
    assert [m.to for m in mailoutbox] == [["cyber@example.gov.cn"]]
    assert mailoutbox[0].subject.startswith("【GovIT】待办即将到期")
    assert "依据：第十条" in mailoutbox[0].body
    assert Notification.objects.get(user=clerk).email_state == "sent"


def test_the_reminders_and_their_events_read_in_the_readers_language(
    client, joint_review, heilongjiang
):
    """A reminder is sent in Chinese and kept as words (Notification.words): the 提醒 page and
    the event log give it in English to a reader in English, the step by its English name."""
    run("deadline_scan", D(2026, 6, 24))
    clerk = Notification.objects.filter(
        kind=Kind.TASK_OVERDUE, user__username="heilongjiang.cyberspace.clerk"
    ).get()
    client.force_login(clerk.user)
    html = client.get(reverse("notifications"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert clerk.title in html and clerk.body in html
    assert clerk.title.startswith("待办已逾期：")
    html = client.get(reverse("notifications"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Task overdue: Joint review" in html
    assert "of project" in html and "1 working days overdue" in html
    assert clerk.title not in html and "已逾期" not in html
    # the event that records the reminder reads in English on the project's event log too
    client.force_login(heilongjiang.user("competent_department"))
    page = reverse("project-section", args=[joint_review.pk, "history"])
    html = client.get(page, {"kind": "notification.sent"}, HTTP_ACCEPT_LANGUAGE="en")
    text = html.content.decode()
    assert "Task overdue: Joint review" in text and "(told: " in text
    assert "as recorded" not in text
    assert 'data-label="Operator">System<' in text  # the jobs' own account, not a person "系统"
