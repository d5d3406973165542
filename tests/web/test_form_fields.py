"""The fields every form uses: amounts typed in 万元 and kept in 元 exact to the 分, dates with the
browser's picker read leniently; and a check that every form of the pages uses them."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
from decimal import Decimal

import pytest
from django import forms
from django.urls import reverse
from django.utils import translation

from govit.core import clock
from govit.projects import services as projects
from govit.web import forms as web_forms
from govit.web.forms import DateField, DateTimeField, WanYuanField, yuan_as_wan


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


@pytest.mark.parametrize(
    ("typed", "yuan"),
    [
        ("80", Decimal("800000.00")),
        ("80万", Decimal("800000.00")),
        ("80 万元", Decimal("800000.00")),
        ("1,234.5", Decimal("12345000.00")),
        ("0.000001", Decimal("0.01")),  # the smallest amount: one 分
        ("0.0000010", Decimal("0.01")),  # a trailing zero adds no precision
        ("123.456789", Decimal("1234567.89")),
        ("999999999.999999", Decimal("9999999999999.99")),  # the largest
    ],
)
def test_an_amount_in_wan_becomes_yuan_exactly(typed, yuan):
    cleaned = WanYuanField(label="金额").clean(typed)
    assert cleaned == yuan and cleaned.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("0.0000001", "最多精确到分"),  # finer than a 分: refused, never rounded
        ("12.3456785", "最多精确到分"),
        ("0", "不低于"),
        ("-1", "不低于"),
        ("1000000000", "金额过大"),  # one 分 past the largest
        ("1e30", "金额过大"),
        ("八十", "单位：万元"),
        ("", "请填写金额"),
    ],
)
def test_an_amount_beyond_the_fen_or_the_bounds_is_refused(typed, message):
    with pytest.raises(forms.ValidationError) as refused:
        WanYuanField(label="金额").clean(typed)
    assert message in " ".join(refused.value.messages)


def test_an_amount_in_yuan_is_shown_in_wan():
    field = WanYuanField(label="金额")
    assert field.prepare_value(Decimal("800000.00")) == "80"
    assert field.prepare_value(Decimal("1234567.89")) == "123.456789"
    assert field.prepare_value(Decimal("0.01")) == "0.000001"
    assert field.prepare_value("80.5") == "80.5"  # what the reader typed stays as typed
    assert yuan_as_wan(Decimal("2500000")) == "250"


@pytest.mark.parametrize(
    "typed", ["2026年12月1日", "2026-12-1", "2026/12/01", "2026-12-01", " 2026 年 12 月 1 日 "]
)
def test_a_date_is_read_however_it_is_typed(typed):
    assert DateField(label="日期").clean(typed) == dt.date(2026, 12, 1)


@pytest.mark.parametrize("typed", ["2026-02-30", "12/01/2026", "明天", "2026-13-01"])
def test_a_date_that_is_not_one_is_refused_with_the_format(typed):
    with pytest.raises(forms.ValidationError) as refused:
        DateField(label="日期").clean(typed)
    assert "2026-12-01" in " ".join(refused.value.messages)


def test_a_date_field_offers_the_pickers_and_a_hint():
    field = DateField(label="日期")
    html = field.widget.render("on", dt.date(2026, 12, 1))
    assert 'type="date"' in html and 'value="2026-12-01"' in html
    assert "2026-12-01" in str(field.help_text)
    moment = DateTimeField(label="时间")
    assert 'type="datetime-local"' in moment.widget.render("at", None)
    assert moment.clean("2026年12月1日 9:30").strftime("%Y-%m-%d %H:%M") == "2026-12-01 09:30"


def _page_forms():
    import govit.web
    import govit.web.views

    modules = [importlib.import_module(n) for n in ("govit.web.project_forms", "govit.web.actions")]
    modules += [
        importlib.import_module(f"govit.web.views.{m.name}")
        for m in pkgutil.iter_modules(govit.web.views.__path__)
    ]
    seen = set()
    for module in modules:
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(cls, forms.BaseForm)
                and cls.__module__.startswith("govit.web")
                and cls not in seen
            ):
                seen.add(cls)
                yield cls


def test_every_form_of_the_pages_takes_amounts_in_wan_and_dates_with_a_picker():
    checked = 0
    for cls in _page_forms():
        for name, field in cls.base_fields.items():
            where = f"{cls.__module__}.{cls.__name__}.{name}"
            label = str(field.label or "")
            assert not label.endswith("（元）"), f"{where}: an amount in 元 on a form"
            if label.endswith("（万元）") and cls.__name__ != "ProjectFilterForm":
                assert isinstance(field, WanYuanField), f"{where}: 万元 not converted exactly"
            if isinstance(field, forms.DateTimeField):
                assert isinstance(field, DateTimeField), f"{where}: no picker"
            elif (
                isinstance(field, forms.DateField) and cls.__module__ != "govit.web.views.selfcheck"
            ):
                assert isinstance(field, DateField), f"{where}: no picker, no lenient reading"
            checked += 1
    assert checked > 50
    assert web_forms.DateInput.input_type == "date"


@pytest.mark.django_db
def test_an_imported_80_wan_project_edits_as_80_wan(client, cast):
    unit = cast.user("unit")
    with clock.frozen(dt.date(2026, 10, 20)):
        project = projects.project_create(
            actor=unit, name="岳阳市导入项目", plan_year=2027, total_investment=800_000
        )
    client.force_login(unit)
    url = reverse("project-edit", args=[project.pk])
    html = client.get(url).content.decode()
    assert 'name="total_investment" value="80"' in html and "总投资（万元）" in html
    data = {
        "name": project.name,
        "plan_year": 2027,
        "total_investment": "80.123456",
        "funding_source": project.funding_source,
        "construction_type": project.construction_type,
    }
    response = client.post(url, data)
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.total_investment == Decimal("801234.56")
    # more precise than a 分: refused at the field, nothing changed
    html = client.post(url, data | {"total_investment": "80.1234567"}).content.decode()
    project.refresh_from_db()
    assert project.total_investment == Decimal("801234.56")
    field_block = html.split('name="total_investment"', 1)[1].split('class="field', 1)[0]
    assert "最多精确到分" in field_block


@pytest.mark.django_db
def test_a_refusal_about_one_input_is_shown_at_that_input(client, cast):
    """退回修改 without an opinion: the service's refusal (OPINION_REQUIRED) under the opinion box,
    not above the form; a refusal about the whole action stays above it."""
    from govit.projects.models import Task, TaskStatus
    from tests.workflow.flows import declared, planned, submitted

    project = declared(cast)
    planned(cast, [project])
    with clock.frozen(dt.date(2026, 11, 2)):
        submitted(cast, project, "scheme_review")
    competent = cast.user("competent_department")
    task = Task.objects.get(
        project=project, status=TaskStatus.OPEN, organization=competent.organization
    )
    client.force_login(competent)
    html = client.post(
        reverse("task-act", args=[project.pk, task.pk]),
        {"action": "return", "opinion": "", "version": task.version},
    ).content.decode()
    opinion_block = html.split('name="opinion"', 1)[1].split('class="field', 1)[0]
    assert "退回修改或不予通过须填写意见" in opinion_block
    above = html.split('name="opinion"', 1)[0]
    assert "退回修改或不予通过须填写意见" not in above


def test_a_refusal_goes_to_the_pages_own_field_then_the_common_one_else_above_the_form():
    """One way for every page: its own names for its inputs first (a delegation's period is its
    end date), then the common ones; a field the form lacks puts the refusal above the form."""
    from govit.core.errors import InvalidInput
    from govit.web.refusals import refuse

    class Delegation(forms.Form):
        ends_on = forms.CharField(required=False)
        reason = forms.CharField(required=False)

    form = Delegation({})
    form.is_valid()
    refuse(
        form,
        InvalidInput("结束日期不能早于开始日期", code="INVALID_PERIOD"),
        {"INVALID_PERIOD": "ends_on"},
    )
    refuse(form, InvalidInput("请填写委托理由", code="REASON_REQUIRED"))
    refuse(form, InvalidInput("请填写意见", code="OPINION_REQUIRED"))  # no opinion box here
    assert form.errors == {
        "ends_on": ["结束日期不能早于开始日期"],
        "reason": ["请填写委托理由"],
        "__all__": ["请填写意见"],
    }
