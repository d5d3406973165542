"""处理和信用 page: public within the jurisdiction (every account there reads the penalties and the
blacklist); only the departments the rulebook names impose a penalty or record a vendor's credit,
only the office that imposed a penalty lifts it; a measure the article does not allow is refused
at its field with the article; another jurisdiction sees nothing of it and changes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from govit.events.models import Event
from govit.projects.models import ProjectStatus
from govit.supervision import services as supervision
from govit.supervision.models import CreditRecord, Penalty
from tests.workflow import flows
from tests.workflow.conftest import make_cast, tree  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db
URL = "supervision"


@pytest.fixture
def casts(tree):  # noqa: F811 - the fixture imported above
    return {key: make_cast(tree, key) for key in ("yueyang", "heilongjiang")}


@pytest.fixture
def cast(casts):
    return casts["yueyang"]


@pytest.fixture
def project(cast):
    return flows.declared(cast)


def penalty_form(project, measures, code="PROJECT_VIOLATION", reason="未按批准内容建设"):
    return {
        "penalty-project": project.pk,
        "penalty-code": code,
        "penalty-measures": measures,
        "penalty-reason": reason,
        "penalty-amount_wan": "",
    }


def credit_form(vendor, kind="blacklist", reason="串通投标"):
    return {
        "credit-vendor": vendor.pk,
        "credit-kind": kind,
        "credit-code": "VENDOR_VIOLATION",
        "credit-reason": reason,
        "credit-project": "",
        "credit-until": "",
    }


def test_everyone_in_the_jurisdiction_reads_penalties_and_the_blacklist(client, casts, project):
    cast, other = casts["yueyang"], casts["heilongjiang"]
    vendor = cast.user("consultant").organization
    supervision.penalty_impose(
        actor=cast.user("finance"),
        project=project,
        code="PROJECT_VIOLATION",
        measures=["stop_funds"],
        reason="资金使用不规范",
    )
    supervision.credit_record(
        actor=cast.user("competent_department"),
        vendor=vendor,
        kind="blacklist",
        reason="串通投标",
        code="VENDOR_VIOLATION",
    )
    for who in ("unit", "other_unit", "consultant", "audit", "secrecy", "competent_department"):
        client.force_login(cast.user(who))
        response = client.get(reverse(URL))
        html = response.content.decode()
        assert response.status_code == 200, who
        assert "资金使用不规范" in html and "暂停、终止拨付资金" in html and "第三十七条" in html
        assert cast.orgs["finance"].name in html  # who imposed it
        assert "串通投标" in html and vendor.name in html and "第三十八条" in html
    # another jurisdiction's page shows its own records only
    client.force_login(other.user("competent_department"))
    html = client.get(reverse(URL)).content.decode()
    assert "资金使用不规范" not in html and "串通投标" not in html


def test_only_the_named_departments_write_and_another_jurisdiction_changes_nothing(
    client, casts, project
):
    cast, other = casts["yueyang"], casts["heilongjiang"]
    vendor = cast.user("consultant").organization
    penalty = supervision.penalty_impose(
        actor=cast.user("finance"),
        project=project,
        code="PROJECT_VIOLATION",
        measures=["stop_funds"],
        reason="资金使用不规范",
    )
    entry = supervision.credit_record(
        actor=cast.user("competent_department"),
        vendor=vendor,
        kind="credit_record",
        reason="迟报",
        code="VENDOR_VIOLATION",
    )
    before = Event.objects.count()
    # 第三十七条 names the competent department and finance; 第三十八条 the competent department
    for who in ("unit", "consultant", "audit", "secrecy"):
        client.force_login(cast.user(who))
        html = client.get(reverse(URL)).content.decode()
        assert "作出处理</h2>" not in html and "记录服务机构的不良行为" not in html, who
        assert (
            client.post(
                reverse("supervision-penalty"), penalty_form(project, ["suspend"])
            ).status_code
            == 403
        )
        assert client.post(reverse("supervision-credit"), credit_form(vendor)).status_code == 403
    client.force_login(cast.user("finance"))
    html = client.get(reverse(URL)).content.decode()
    assert "作出处理</h2>" in html and "记录服务机构的不良行为" not in html
    assert client.post(reverse("supervision-credit"), credit_form(vendor)).status_code == 403
    # only the office that imposed it lifts it
    client.force_login(cast.user("competent_department"))
    lift = reverse("supervision-penalty-lift", args=[penalty.pk])
    assert f'action="{lift}"' not in client.get(reverse(URL)).content.decode()
    assert client.post(lift, {"reason": "越权解除"}).status_code == 403
    # another jurisdiction: not found
    client.force_login(other.user("competent_department"))
    assert client.post(lift, {"reason": "x"}).status_code == 404
    revoke = reverse("supervision-credit-revoke", args=[entry.pk])
    assert client.post(revoke, {"reason": "x"}).status_code == 404
    assert Event.objects.count() == before
    penalty.refresh_from_db()
    entry.refresh_from_db()
    assert penalty.lifted_at is None and entry.revoked_at is None


def test_a_suspension_imposed_on_the_page_suspends_the_project_until_lifted(client, cast, project):
    client.force_login(cast.user("competent_department"))
    response = client.post(reverse("supervision-penalty"), penalty_form(project, ["suspend"]))
    assert response.status_code == 302
    penalty = Penalty.objects.get(project=project)
    assert (penalty.measures, penalty.cite, penalty.imposed_org) == (
        ["suspend"],
        "第三十七条",
        cast.orgs["competent_department"],
    )
    project.refresh_from_db()
    assert project.status == ProjectStatus.SUSPENDED
    assert Event.objects.filter(kind="penalty.imposed", project=project).exists()
    lift = reverse("supervision-penalty-lift", args=[penalty.pk])
    assert f'action="{lift}"' in client.get(reverse(URL)).content.decode()
    client.post(lift, {"reason": "整改到位"})
    project.refresh_from_db()
    penalty.refresh_from_db()
    assert project.status == ProjectStatus.ACTIVE and penalty.lift_reason == "整改到位"
    html = client.get(reverse(URL)).content.decode()
    assert "解除：整改到位" in html


def test_recovering_funds_is_entered_in_wan_and_stored_in_yuan(client, cast, project):
    client.force_login(cast.user("finance"))
    data = penalty_form(project, ["recover_funds"]) | {"penalty-amount_wan": "12.3456"}
    assert client.post(reverse("supervision-penalty"), data).status_code == 302
    assert str(Penalty.objects.get(project=project).amount) == "123456.00"


def test_a_measure_the_article_does_not_allow_is_refused_at_its_field(client, casts):
    cast = casts["heilongjiang"]
    project = flows.declared(cast)
    client.force_login(cast.user("competent_department"))
    # 第二十六条 (a serious delay) allows 限期整改 and 暂停, not 终止
    response = client.post(
        reverse("supervision-penalty"),
        penalty_form(project, ["terminate"], code="SERIOUS_DELAY", reason="严重滞后"),
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "规定的措施不包括：终止项目" in html and "（依据：第二十六条）" in html
    assert 'class="field has-error">\n  \n    <fieldset><legend>处理措施' in html
    assert not Penalty.objects.exists()
    project.refresh_from_db()
    assert project.status == ProjectStatus.ACTIVE


def test_a_blacklisting_recorded_on_the_page_is_public_until_revoked(client, cast):
    vendor = cast.user("consultant").organization
    client.force_login(cast.user("competent_department"))
    assert client.post(reverse("supervision-credit"), credit_form(vendor)).status_code == 302
    entry = CreditRecord.objects.get(vendor=vendor)
    assert (entry.kind, entry.cite, entry.reason) == ("blacklist", "第三十八条", "串通投标")
    client.force_login(cast.user("unit"))
    html = client.get(reverse(URL)).content.decode()
    assert "黑名单（在有效期内）1 家" in html
    client.force_login(cast.user("competent_department"))
    client.post(reverse("supervision-credit-revoke", args=[entry.pk]), {"reason": "复核撤销"})
    entry.refresh_from_db()
    assert entry.revoked_at is not None
    assert Event.objects.filter(kind="credit.revoked").latest("id").summary.endswith("复核撤销")
    client.force_login(cast.user("unit"))
    html = client.get(reverse(URL)).content.decode()
    assert "黑名单（在有效期内）0 家" in html and "已于" in html


def test_the_body_the_jurisdiction_assigned_records_vendors_where_the_text_names_none(
    client, casts
):
    """岳阳第三十八条 "依法依规将其不良行为记入信用档案或列入黑名单予以公布" names no body: the 市行政
    审批服务局 records by default; once the administrator assigns the 市财政局, its page offers the
    form and the default's no longer does."""
    from govit.access.services import assignment_set

    cast = casts["yueyang"]
    client.force_login(cast.user("finance"))
    assert "记录服务机构的不良行为" not in client.get(reverse(URL)).content.decode()
    assignment_set(
        actor=cast.user("admin"),
        jurisdiction=cast.jurisdiction,
        rule="penalties.VENDOR_VIOLATION.imposed_by",
        organization=cast.orgs["finance"],
        reason="市政府明确由市财政局记录服务机构不良行为",
    )
    assert "记录服务机构的不良行为" in client.get(reverse(URL)).content.decode()
    client.force_login(cast.user("competent_department"))
    assert "记录服务机构的不良行为" not in client.get(reverse(URL)).content.decode()
    entry = supervision.credit_record(
        actor=cast.user("finance"),
        vendor=cast.user("consultant").organization,
        kind="credit_record",
        reason="迟报",
        code="VENDOR_VIOLATION",
    )
    assert entry.cite == "第三十八条"
