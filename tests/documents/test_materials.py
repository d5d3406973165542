"""Required materials matched by the material, not by a typed name: an upload into a material's
slot (its key) satisfies it whatever was typed; an older upload satisfies it under exactly its name
only; a material another body issues (岳阳第十八条: the bureau's 评审意见 for 立项) is satisfied by that
body's approving opinion on record or by the issued document in its slot, and a submission without
it is refused naming the material and its article."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from govit.core import clock
from govit.core.errors import InvalidInput, RuleRefused
from govit.demo.driver import advance_to
from govit.documents.materials import step_materials
from govit.documents.models import Document
from govit.documents.services import document_upload
from govit.projects import services as projects
from govit.projects.models import Opinion, ProjectStatus, StepStatus
from tests.api.conftest import API, Api, api, expect  # noqa: F401 - fixtures
from tests.workflow import flows
from tests.workflow.conftest import PDF, make_cast, tree  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def cast(tree):  # noqa: F811
    return make_cast(tree, "yueyang")


def put(user, project, name="", material=""):
    return document_upload(
        actor=user,
        project=project,
        name=name,
        upload=io.BytesIO(PDF),
        filename="a.pdf",
        material=material,
    )


def test_a_near_name_does_not_satisfy_a_material_and_its_slot_does(cast):
    unit = cast.user("unit")
    with clock.frozen(dt.date(2026, 10, 20)):
        project = projects.project_create(
            actor=unit, name="岳阳市档案系统", plan_year=2027, total_investment=1_000_000
        )
        for name in ("项目概要", "建设资金来源", "分年度投资计划", "相关依据资料"):
            put(unit, project, name)  # typed exactly: still matched, as before keys existed
        put(unit, project, "投资估算表")  # a near name is another document
        with pytest.raises(RuleRefused) as refused:
            projects.project_declare(actor=unit, project=project)
        assert refused.value.code == "DOCUMENT_MISSING"
        assert refused.value.cite == "第十二条"
        assert "“投资估算”（第十二条）" in refused.value.message
        assert "项目概要" not in refused.value.message
        project.refresh_from_db()
        assert project.status == ProjectStatus.DRAFT  # refused: nothing changed

        version = put(unit, project, "随手填写的名称", material="declaration.2")
        assert (version.document.name, version.document.material) == ("投资估算", "declaration.2")
        assert version.document.step_kind == "declaration"
        projects.project_declare(actor=unit, project=project)
    step = project.steps.get(kind="declaration")
    estimate = next(m for m in step_materials(step) if m.name == "投资估算")
    assert (estimate.key, estimate.version) == ("declaration.2", version)


def test_an_unknown_material_key_is_refused_and_stores_nothing(cast):
    project = flows.declared(cast, amount=1_000_000)
    before = Document.objects.count()
    for key in ("scheme_review.9", "nonsense", "scheme_review.0", ".1"):
        with pytest.raises(InvalidInput) as refused:
            put(cast.user("unit"), project, "项目建设方案", material=key)
        assert refused.value.code == "INVALID_MATERIAL"
    assert Document.objects.count() == before


def test_the_approval_submission_needs_the_bureaus_review_opinion(cast):
    """岳阳第十八条第一款: 发改委 approves on the 市行政审批服务局's 评审意见. Its approving opinion on the
    scheme review satisfies the material; without it the submission is refused and changes nothing."""
    project = flows.declared(cast, amount=1_000_000)
    with clock.frozen(dt.date(2026, 11, 2)):
        project = advance_to(cast, project, "project_approval")
    step = project.steps.get(kind="project_approval")
    (opinion_material,) = step_materials(step)
    assert opinion_material.name == "市行政审批服务局评审意见"
    assert opinion_material.by == "competent_department"
    issued = opinion_material.opinion
    assert issued is not None and issued.step.kind == "scheme_review"
    assert issued.organization.kind == "competent_department"

    # a record where the bureau's opinion is not an approval (say, carried over from paper)
    Opinion.objects.filter(pk=issued.pk).update(action="return")
    with clock.frozen(dt.date(2026, 11, 20)), pytest.raises(RuleRefused) as refused:
        projects.step_submit(actor=cast.user("unit"), step=step)
    assert refused.value.code == "DOCUMENT_MISSING"
    assert refused.value.cite == "第十八条第一款"
    assert "“市行政审批服务局评审意见”（由市行政审批服务局出具）" in refused.value.message
    step.refresh_from_db()
    assert step.status == StepStatus.READY

    # the unit attaches the opinion it received, into the material's slot
    version = put(cast.user("unit"), project, material="project_approval.1")
    (opinion_material,) = step_materials(step)
    assert opinion_material.version == version and opinion_material.satisfied
    with clock.frozen(dt.date(2026, 11, 20)):
        projects.step_submit(actor=cast.user("unit"), step=step)
    step.refresh_from_db()
    assert step.status == StepStatus.IN_REVIEW
    # the submission records the version it was made with
    submitted = step.opinions.get(action="submit")
    assert list(submitted.documents.all()) == [version]


def test_the_api_gives_each_material_its_key_and_uploads_by_it(api, cast):  # noqa: F811
    project = flows.declared(cast, amount=1_000_000)
    unit = cast.user("unit")
    detail = expect(api.as_(unit).get(f"/projects/{project.pk}"), 200)
    scheme = next(s for s in detail["steps"] if s["kind"] == "scheme_review")
    assert [(d["key"], d["name"]) for d in scheme["documents"]] == [
        ("scheme_review.1", "项目建设方案")
    ]
    token = api.as_(unit).headers
    response = api.client.post(
        f"{API}/projects/{project.pk}/documents",
        {"material": "scheme_review.1", "file": SimpleUploadedFile("方案.pdf", PDF)},
        **token,
    )
    assert response.status_code == 201, response.content
    listed = expect(api.as_(unit).get(f"/projects/{project.pk}/documents"), 200)
    scheme_doc = next(d for d in listed if d["material"] == "scheme_review.1")
    assert (scheme_doc["name"], scheme_doc["step_kind"]) == ("项目建设方案", "scheme_review")
    # an unknown key: 422 with its code, nothing stored
    response = api.client.post(
        f"{API}/projects/{project.pk}/documents",
        {"material": "scheme_review.7", "file": SimpleUploadedFile("方案.pdf", PDF)},
        **token,
    )
    assert response.status_code == 422
    assert response.json()["code"] == "INVALID_MATERIAL"
