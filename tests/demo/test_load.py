"""`govit demo load` on an empty database: the five rulebooks' jurisdictions, about sixty projects
standing at every step their rulebooks have, overdue work, a failed acceptance, a refused change,
a terminated project, each with its history — and a second load that changes nothing.

The demo is built once for the module (in a transaction rolled back at its end), on the date the
suite runs on; each test runs in a savepoint of its own."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Count
from django.test import override_settings

from govit.contracts.models import ChangeRequest, Payment
from govit.core import clock
from govit.delivery.models import Rectification
from govit.demo import catalog
from govit.demo.cast import DEMO_PASSWORD, JURISDICTIONS
from govit.demo.load import DOCS, demo_accounts, load, markdown
from govit.documents.models import Document, DocumentVersion
from govit.events.models import Event
from govit.events.services import verify_stream
from govit.jurisdictions.models import Jurisdiction
from govit.organizations.models import User
from govit.policy.loader import get_rulebook, rulebook_paths
from govit.projects.models import Project, ProjectStatus, StepStatus, Task, TaskStatus
from govit.projects.selectors import days_left
from govit.reviews.models import Expert
from govit.supervision.models import CreditRecord
from tests.conftest import ON

pytestmark = pytest.mark.django_db

BOUND = sorted({rulebook for *_, rulebook in JURISDICTIONS.values() if rulebook})


def _counts() -> dict[str, int]:
    return {
        "projects": Project.objects.count(),
        "events": Event.objects.count(),
        "users": User.objects.count(),
        "versions": DocumentVersion.objects.count(),
        "tasks": Task.objects.count(),
    }


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[dict[str, Any]]:
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=str(media)),
        clock.frozen(ON),
        transaction.atomic(),
    ):
        assert not Project.objects.exists()
        out = io.StringIO()
        code = load(out)
        try:
            yield {"code": code, "out": out.getvalue(), "counts": _counts()}
        finally:
            transaction.set_rollback(True)


def test_the_load_succeeds_on_an_empty_database_and_lists_the_accounts(demo):
    assert demo["code"] == 0
    out = demo["out"]
    assert out.startswith("已装入演示数据：5个辖区，")
    assert f"所有演示账号的密码都是：{DEMO_PASSWORD}" in out
    for username in (
        "yueyang.competent_department.leader",
        "lianping.edu.clerk",
        "xiangxi.audit.clerk",
    ):
        assert username in out
    for place in catalog.PLACES:
        assert f"【{JURISDICTIONS[place][1]}】" in out
    # the password printed is the one that signs the accounts in
    assert User.objects.get(username="heilongjiang.finance.clerk").check_password(DEMO_PASSWORD)


def test_every_rulebook_is_bound_to_a_jurisdiction_with_projects(demo):
    for rulebook_id in rulebook_paths():
        if rulebook_id not in BOUND:  # a companion (临湘的数据资源办法) rides with a bound one
            companions = set(get_rulebook(rulebook_id).model.companions or ())
            assert companions & set(BOUND), rulebook_id
    for rulebook_id in BOUND:
        jurisdiction = Jurisdiction.objects.get(rulebook__rulebook_id=rulebook_id)
        assert jurisdiction.projects.exclude(status=ProjectStatus.DRAFT).count() >= 8, rulebook_id


def test_an_organization_for_every_actor_and_an_account_for_every_role(demo):
    for place in catalog.PLACES:
        code, *_, rulebook_id = JURISDICTIONS[place]
        jurisdiction = Jurisdiction.objects.get(code=code)
        orgs = jurisdiction.organizations.prefetch_related("users__roles")
        kinds = {org.kind for org in orgs}
        for actor in get_rulebook(rulebook_id).model.actors:
            if actor == "experts":
                assert Expert.objects.filter(jurisdiction=jurisdiction).exists()
            else:
                assert actor in kinds, (place, actor)
        for org in orgs:
            roles = [{r.role for r in user.roles.all()} for user in org.users.all()]
            if org.kind == "audit":
                assert roles and all(r == {"auditor"} for r in roles), org.name
            elif org.is_authority or org.kind == "construction_unit":
                assert {"clerk"} in roles and any("leader" in r for r in roles), org.name
            else:
                assert roles, org.name  # a vendor's contact
        admins = User.objects.filter(
            organization__jurisdiction=jurisdiction, roles__role="admin"
        ).select_related("organization")
        assert [u.organization.kind for u in admins] == ["competent_department"]


def test_about_sixty_projects_with_amounts_across_the_thresholds(demo):
    amounts = [int(a) for a in Project.objects.values_list("total_investment", flat=True)]
    assert len(amounts) >= 55
    assert any(a < 500_000 for a in amounts)
    assert any(500_000 <= a < 1_000_000 for a in amounts)
    assert any(1_000_000 <= a < 2_000_000 for a in amounts)
    assert any(2_000_000 <= a < 5_000_000 for a in amounts)
    assert any(a >= 5_000_000 for a in amounts)


def test_some_project_stands_at_every_step_kind_the_rulebooks_have(demo):
    expected = {step.kind for rid in BOUND for step in get_rulebook(rid).model.steps}
    live = Project.objects.exclude(status=ProjectStatus.DRAFT)
    standing = set(live.values_list("stage", flat=True))
    assert expected - standing == set()
    statuses = set(Project.objects.values_list("status", flat=True))
    assert {"draft", "active", "suspended", "terminated", "completed"} <= statuses
    # each project's stage is really its first unfinished step
    for project in live.filter(status=ProjectStatus.ACTIVE).prefetch_related("steps"):
        open_steps = [s for s in project.steps.all() if s.status not in ("passed", "cancelled")]
        assert open_steps and open_steps[0].kind == project.stage, project.name


def test_some_open_tasks_are_overdue_today(demo):
    overdue = Task.objects.filter(status=TaskStatus.OPEN, due_on__lt=clock.today())
    assert overdue.count() >= 3
    for task in overdue:
        assert days_left(task) < 0
        assert task.step.working_days is not None  # a limit the rulebook sets
        assert task.step.started_on < task.due_on < clock.today()


def test_a_failed_acceptance_is_being_rectified_with_payments_withheld(demo):
    rectification = Rectification.objects.select_related("step", "project").get(
        closed_at__isnull=True
    )
    assert rectification.step.kind == "final_acceptance"
    assert rectification.step.status == StepStatus.RETURNED
    assert rectification.deadline > clock.today()
    withheld = Payment.objects.filter(project=rectification.project, status="withheld")
    assert withheld.exists() and all(p.withheld_cite for p in withheld)


def test_a_change_was_refused_with_the_article(demo):
    change = ChangeRequest.objects.select_related("project").get(status="refused")
    refusal = change.approvals.get(status="refused")
    assert refusal.opinion and change.cite.startswith("第")
    assert change.within_limits is False  # 湘西第八条: no change within any limit
    assert ChangeRequest.objects.filter(status="approved").exists()
    assert ChangeRequest.objects.filter(status="filed").exists()


def test_a_project_was_terminated_with_its_written_statement(demo):
    project = Project.objects.get(status=ProjectStatus.TERMINATED)
    assert project.termination.statement.document.name == "项目终止书面说明"
    assert not project.tasks.filter(status=TaskStatus.OPEN).exists()


def test_every_project_has_a_verified_history_in_the_past(demo):
    counts = dict(Project.objects.annotate(n=Count("events")).values_list("name", "n"))
    assert all(n > 0 for n in counts.values()), [k for k, n in counts.items() if n == 0]
    streams = Event.objects.order_by().values_list("stream", flat=True).distinct()
    for stream in streams:
        assert verify_stream(stream) == [], stream
    assert not Event.objects.filter(at__date__gte=clock.today()).exists()
    declared = Project.objects.exclude(declared_on=None).values_list("declared_on", flat=True)
    assert min(declared).year <= clock.today().year - 1  # history goes back more than a year


def test_late_declarations_vendors_credit_and_an_expert_pool(demo):
    late = Project.objects.filter(declared_late=True)
    assert late.count() >= 2
    assert late.filter(plan_entries__plan__kind="supplement").exists()
    assert CreditRecord.objects.filter(kind="blacklist").exists()
    assert CreditRecord.objects.filter(kind="credit_record").exists()
    for place in catalog.PLACES:
        pool = Expert.objects.filter(jurisdiction__code=JURISDICTIONS[place][0])
        assert pool.count() >= 10 and all(e.user_id for e in pool)
        assert pool.filter(available=False).exists()
        assert pool.exclude(employer=None).exists()  # someone the draw must exclude


def test_every_demo_material_is_uploaded_into_its_slot(demo):
    """A unit's material answers its step's slot (key and step), as the page's 上传 does: the
    materials tables and an expert's 所属环节 name its step, not 其他材料 and "—". Only the
    papers no step requires (a change form, a termination statement) are filed by name."""
    loose = set(Document.objects.filter(material="").values_list("name", flat=True))
    assert loose <= {"项目变更单（附表3，建设、承建、监理单位盖章）", "项目终止书面说明"}
    slotted = Document.objects.exclude(material="")
    assert slotted.count() > 100 and not slotted.filter(step_kind="").exists()
    assert all(
        d.material.startswith(f"{d.step_kind}.") for d in slotted.only("material", "step_kind")
    )


def test_a_second_load_changes_nothing_and_says_so(demo):
    out = io.StringIO()
    assert load(out) == 0
    assert out.getvalue().startswith("演示数据已装入（")
    assert "本次未做任何更改" in out.getvalue()
    assert _counts() == demo["counts"]


def test_the_command_loads_nothing_twice_and_writes_the_account_list(
    demo, tmp_path, capsys, monkeypatch
):
    from govit import cli
    from govit.demo import load as module

    target = tmp_path / "demo.md"
    monkeypatch.setattr(module, "DOCS", target)
    assert cli.main(["demo", "load"]) == 0
    assert "本次未做任何更改" in capsys.readouterr().out
    assert target.read_text(encoding="utf-8") == markdown(demo_accounts())
    assert _counts() == demo["counts"]


def test_docs_demo_md_is_the_list_the_load_writes(demo):
    """docs/demo.md (linked from the README) is generated: regenerate it with `govit demo load`."""
    assert DOCS.read_text(encoding="utf-8") == markdown(demo_accounts())


def test_a_database_with_other_projects_is_left_alone(demo):
    declared = next(s for s in catalog.STORIES if s.target != catalog.DRAFT)
    Project.objects.filter(name=declared.name).update(name="另一个项目")  # another database
    before = _counts()
    out = io.StringIO()
    assert load(out) == 0
    assert "未装入演示数据" in out.getvalue()
    assert _counts() == before


def test_in_english_every_project_event_reads_in_english(demo):
    """Every event the demo's projects recorded — declaration to post-evaluation, corrections,
    penalties, changes, expert draws — was worded as a phrase whose every part and word has its
    English (web.labels.event_summary), so the English event log shows no row "as recorded".
    A reminder's event (notification.sent) repeats the reminder's own title, which notifications
    keep in Chinese."""
    from django.utils import translation

    from govit.events.phrases import WORD
    from govit.web.labels import event_summary

    untranslated: dict[str, set[str]] = {}
    kinds = set()
    with translation.override("en"):
        events = Event.objects.filter(project__isnull=False).exclude(kind="notification.sent")
        for event in events.only("kind", "summary", "data").iterator():
            kinds.add(event.kind)
            _, as_recorded = event_summary(event)
            if as_recorded:
                untranslated.setdefault(event.kind, set()).add(event.summary)
                continue
            for _, values in event.data["phrase"]:
                for value in values.values():
                    words = value.get("list", [value]) if isinstance(value, dict) else []
                    for word in words:
                        if isinstance(word, dict) and "word" in word:
                            said = translation.pgettext(WORD, word["word"])
                            assert said != word["word"], (event.kind, word["word"])
    assert not untranslated, {k: sorted(v)[:2] for k, v in untranslated.items()}
    assert len(kinds) >= 30, sorted(kinds)  # the demo exercises every part
