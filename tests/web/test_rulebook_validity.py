"""A validity the text does not state (issue 15, point 8). 湘西's 2013 measures say only
"本办法自发布之日起施行" (第十九条; in force from 2013-10-15); Hunan's system of validity for normative documents gives
them a term from outside the text. The jurisdiction's administrator records it with its basis; the
rulebook then expires like one whose text states its term, and declarations under it wait for the
administrator's confirmation. A text that states its term (岳阳第四十一条: 有效期5年) keeps it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from govit.access.services import rulebook_validity_set
from govit.core import clock
from govit.core.errors import Conflict, InvalidInput, PermissionDenied, RuleRefused
from govit.events.models import Event
from govit.jurisdictions.models import RulebookVersion
from govit.policy.decide import decide
from govit.projects.workflow import project_facts
from tests.workflow import flows
from tests.workflow.conftest import make_cast, tree  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

SOURCE = "《湖南省规范性文件管理办法》：规范性文件有效期一般不超过5年"
URL = "admin-rulebook"


@pytest.fixture
def xiangxi(tree):  # noqa: F811 - the fixture imported above
    return make_cast(tree, "xiangxi")


def record(cast, **changes):
    values = {"years": 5, "source": SOURCE, "reason": "按省规范性文件有效期制度"} | changes
    return rulebook_validity_set(actor=cast.user("admin"), jurisdiction=cast.jurisdiction, **values)


def test_the_recorded_term_runs_from_the_effective_article_and_the_text_expires(xiangxi):
    version = xiangxi.jurisdiction.rulebook
    rb = version.load()
    assert rb.model.validity is None and rb.status_on(dt.date(2026, 12, 1)) == "in_force"
    assert rb.regulation.article(19).text == "本办法自发布之日起施行。"
    with clock.frozen(dt.date(2026, 12, 1)):
        record(xiangxi)
    version = RulebookVersion.objects.get(pk=version.pk)
    rb = version.load()
    assert rb.effective_until == dt.date(2018, 10, 14)
    assert (rb.model.validity.years, rb.model.validity.cite) == (5, "第十九条")
    assert rb.status_on(dt.date(2026, 12, 1)) == "expired"
    event = Event.objects.get(kind="rulebook.validity_set")
    assert event.before == {"years": None, "source": ""}
    assert event.after["years"] == 5 and SOURCE in event.summary
    assert event.cite == "第十九条" and event.actor == xiangxi.user("admin")
    # decide says it expired, and on what basis outside the text
    answer = decide(rb, {"total_investment": 800_000}, dt.date(2026, 12, 1))
    (expired,) = [f for f in answer["findings"] if f["code"] == "RULEBOOK_EXPIRED"]
    assert "辖区管理员依" in expired["message"] and SOURCE in expired["message"]
    assert "2018年10月14日届满失效" in expired["message"]


def test_declarations_wait_for_the_confirmation_once_the_recorded_term_has_ended(xiangxi):
    with clock.frozen(dt.date(2026, 10, 1)):
        record(xiangxi)
    with pytest.raises(RuleRefused):
        flows.declared(xiangxi, amount=800_000, on=dt.date(2026, 10, 20))
    with clock.frozen(dt.date(2026, 10, 20)):
        flows.rulebook_confirm(
            actor=xiangxi.user("admin"), jurisdiction=xiangxi.jurisdiction, reason="继续执行"
        )
    project = flows.declared(xiangxi, amount=800_000, on=dt.date(2026, 10, 20))
    assert project.confirmation is not None
    assert project_facts(project).total_investment == 800_000


def test_a_stated_term_stays_the_texts_and_bad_input_changes_nothing(tree):  # noqa: F811
    yueyang = make_cast(tree, "yueyang")
    with pytest.raises(Conflict) as stated:
        record(yueyang)
    assert stated.value.code == "VALIDITY_STATED" and "第四十一条" in stated.value.message
    xiangxi = make_cast(tree, "xiangxi")
    for bad in ({"years": 0}, {"years": 60}, {"source": "  "}, {"reason": ""}):
        with pytest.raises(InvalidInput):
            record(xiangxi, **bad)
    with pytest.raises(PermissionDenied):
        rulebook_validity_set(
            actor=xiangxi.user("competent_department"),
            jurisdiction=xiangxi.jurisdiction,
            years=5,
            source=SOURCE,
            reason="x",
        )
    assert RulebookVersion.objects.get(pk=xiangxi.jurisdiction.rulebook_id).validity_years is None
    assert not Event.objects.filter(kind="rulebook.validity_set").exists()


def test_the_administration_page_offers_it_only_where_the_text_is_silent(client, tree):  # noqa: F811
    yueyang, xiangxi = make_cast(tree, "yueyang"), make_cast(tree, "xiangxi")
    client.force_login(yueyang.user("admin"))
    html = client.get(reverse(URL)).content.decode()
    assert 'id="validity-form"' not in html and "5年（办法第四十一条规定）" in html
    client.force_login(xiangxi.user("admin"))
    html = client.get(reverse(URL)).content.decode()
    assert 'id="validity-form"' in html and "办法未规定有效期" in html
    form = {
        "form": "validity",
        "validity-years": "5",
        "validity-source": "",
        "validity-reason": "x",
    }
    html = client.post(reverse(URL), form).content.decode()
    assert "这个字段是必填项" in html or "必填" in html
    assert not Event.objects.filter(kind="rulebook.validity_set").exists()
    response = client.post(reverse(URL), form | {"validity-source": SOURCE}, follow=True)
    html = response.content.decode()
    assert "已录入有效期" in html and "（办法未规定，由管理员录入）" in html and SOURCE in html
    assert "已过有效期" in html or "失效" in html
