"""Forms of the project pages. They check the shape of the input (Chinese messages per field);
whether the regulation allows the action is the services' answer, shown with its article."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ObjectDoesNotExist
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from govit.contracts.models import ChangeReason, ContractKind, ProcurementMethod
from govit.core import clock
from govit.core.errors import DomainError, RuleRefused
from govit.delivery import selectors as delivery_checks
from govit.delivery.models import GRADE_SCALE_NOTE, Grade, IncidentKind
from govit.documents.materials import CHANGE, material_key
from govit.events.trail import REASON_LENGTH
from govit.policy.loader import get_rulebook
from govit.projects.models import ConstructionType, FundingSource
from govit.web.forms import DateField, WanYuanField, translated
from govit.web.labels import step_choices, step_title_lazy
from govit.web.refusals import refusal_text
from govit.web.widgets import QuickSelect


class ProjectFilterForm(forms.Form):
    q = forms.CharField(label=_("名称、编码或建设单位"), required=False, max_length=100)
    jurisdiction = forms.TypedChoiceField(
        label=_("辖区"), required=False, coerce=int, empty_value=None, widget=QuickSelect
    )
    unit = forms.TypedChoiceField(
        label=_("建设单位"), required=False, coerce=int, empty_value=None, widget=QuickSelect
    )
    stage = forms.ChoiceField(label=_("当前环节"), required=False, widget=QuickSelect)
    status = forms.ChoiceField(label=_("状态"), required=False, widget=QuickSelect)
    year = forms.IntegerField(label=_("计划年度"), required=False, min_value=2000, max_value=2100)
    min_wan = forms.DecimalField(
        label=_("总投资不低于（万元）"), required=False, min_value=0, max_digits=12
    )
    max_wan = forms.DecimalField(
        label=_("总投资不高于（万元）"), required=False, min_value=0, max_digits=12
    )
    overdue = forms.BooleanField(label=_("仅看有逾期待办的"), required=False)

    def __init__(self, *args, jurisdictions=(), units=(), statuses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].choices = [("", _("全部"))] + [
            (j.pk, j.name) for j in jurisdictions
        ]
        self.fields["unit"].choices = [("", _("全部"))] + [(u.pk, u.name) for u in units]
        # the kinds themselves as values (a project's stage holds the kind), labels localised
        self.fields["stage"].choices = [("", _("全部")), *step_choices()]
        # the models keep these labels in Chinese: the reader's language at render
        self.fields["status"].choices = [("", _("全部")), *((v, _(label)) for v, label in statuses)]


class ProjectForm(forms.Form):
    name = forms.CharField(label=_("项目名称"), max_length=200)
    plan_year = forms.IntegerField(label=_("计划年度"), min_value=2000, max_value=2100)
    total_investment = WanYuanField(label=_("总投资（万元）"))
    summary = forms.CharField(
        label=_("建设内容"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    funding_source = forms.ChoiceField(
        label=_("资金来源"), choices=translated(FundingSource.choices)
    )
    construction_type = forms.ChoiceField(
        label=_("建设性质"), choices=translated(ConstructionType.choices)
    )
    national_code = forms.CharField(
        label=_("投资项目在线审批监管平台代码"), required=False, max_length=40
    )
    classified = forms.BooleanField(label=_("涉密"), required=False)
    involves_crypto = forms.BooleanField(label=_("涉及密码应用"), required=False)
    simple_scope = forms.BooleanField(
        label=_("建设内容单一、投资规模小、技术方案简单"), required=False
    )
    merge_feasibility_and_design = forms.BooleanField(
        label=_("申请可行性研究报告与初步设计合并审批"),
        help_text=_(
            "规则手册允许合并的（如黑龙江第十七条），只审批可行性研究报告；不符合条件的申报时说明原因"
        ),
        required=False,
    )
    data_sharing_supported = forms.BooleanField(
        label=_("支持数据共享和开放"), required=False, initial=True
    )
    intranet = forms.BooleanField(
        label=_("依托电子政务内网建设"),
        help_text=_(
            "依托电子政务内网建设的项目由内网主管机构审核（如黑龙江第十八条第一款：省内网办组织评估论证）"
        ),
        required=False,
    )
    approval_required = forms.BooleanField(
        label=_("依法须立项审批"),
        help_text=_(
            "规则手册只对依法应立项审批的项目列立项环节的（如岳阳第十八条第一款），不须立项审批的取消勾选"
        ),
        required=False,
        initial=True,
    )

    # the facts only some regulations test: asked only where the project's rulebook reads them
    # (黑龙江第十七条's merge, 岳阳第十八条's 依法应立项审批, 黑龙江第十八条's 内网 …); a fact not asked
    # keeps its stored value (or the model's default)
    OPTIONAL = (
        "simple_scope",
        "merge_feasibility_and_design",
        "data_sharing_supported",
        "intranet",
        "approval_required",
    )

    joint_units = forms.TypedMultipleChoiceField(
        label=_("联合单位（需求单位）"),
        help_text=_(
            "公共类项目的联合单位：其需求由本项目汇总，采购结果确定后分别签订合同（连平第十五条）。"
        ),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, rulebook: Any = None, units: Any = None, **kwargs: Any):
        """``units``: the construction units the project may join, for an authority that is the
        unit of a 公共类 project (连平第十五条); None: the field is not asked."""
        super().__init__(*args, **kwargs)
        if units is None:
            del self.fields["joint_units"]
        else:
            self.fields["joint_units"].choices = [(u.pk, u.name) for u in units]
        if rulebook is not None:
            read = set(rulebook.facts_read)
            for companion in rulebook.model.companions:  # 临湘数据资源办法 beside 临湘's
                read |= get_rulebook(companion).facts_read
            for name in self.OPTIONAL:
                if name not in read:
                    del self.fields[name]


class UploadForm(forms.Form):
    material = forms.ChoiceField(label=_("须提交材料"), required=False, widget=QuickSelect)
    name = forms.CharField(
        label=_("材料名称"),
        required=False,
        max_length=200,
        help_text=_("上传须提交材料时不必填写；其他材料请填写名称。"),
    )
    step_kind = forms.ChoiceField(label=_("所属环节"), required=False, widget=QuickSelect)
    file = forms.FileField(label=_("文件"))

    def __init__(self, *args, steps=(), changes=(), **kwargs):
        """``changes``: the materials a change request needs (documents.materials.change_materials),
        offered as slots of their own."""
        super().__init__(*args, **kwargs)
        self.fields["step_kind"].choices = [("", _("（不限）"))] + [
            (s.kind, step_title_lazy(s.kind, s.name)) for s in steps
        ]
        self.fields["material"].choices = (
            [("", _("（其他材料）"))]
            + [
                (
                    material_key(s.kind, n),
                    format_lazy("{}：{}", step_title_lazy(s.kind, s.name), d["name"]),
                )
                for s in steps
                for n, d in enumerate(s.documents, start=1)
            ]
            + [
                (material_key(CHANGE, n), format_lazy("{}：{}", _("项目变更"), d["name"]))
                for n, d in enumerate(changes, start=1)
            ]
        )

    def clean(self):
        data = super().clean()
        if not data.get("material") and not data.get("name") and "name" not in self.errors:
            self.add_error("name", _("请选择须提交材料，或填写材料名称"))
        return data


class SubmitForm(forms.Form):
    note = forms.CharField(
        label=_("报送说明"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, supplement: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if supplement:  # 陈述和补正 while under review: what is said is the point
            self.fields["note"].label = _("陈述和补正")
            self.fields["note"].required = True
            self.fields["note"].help_text = _(
                "审核期间向审核单位陈述或补正；本轮审核开始后上传到本环节的材料随之附上。"
            )


class TaskActForm(forms.Form):
    action = forms.ChoiceField(label=_("办理结果"), widget=forms.RadioSelect)
    opinion = forms.CharField(
        label=_("办理意见"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    confirmed_checks = forms.MultipleChoiceField(
        label=_("核查事项"), required=False, widget=forms.CheckboxSelectMultiple
    )
    approved_budget = WanYuanField(label=_("批复概算（万元）"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, actions=(), checks=(), budget=False, **kwargs):
        """``budget``: False, or the label of the amount the act states when it passes (批复概算
        of an approval, 核定金额 of a funds review)."""
        super().__init__(*args, **kwargs)
        if budget:
            self.fields["approved_budget"].label = budget
            self.fields["approved_budget"].help_text = _("通过时必填。")
        self.fields["action"].choices = list(actions)
        self.fields["confirmed_checks"].choices = [
            (c["code"], f"{c['text']}（{c['cite']}）") for c in checks
        ]
        if not checks:
            del self.fields["confirmed_checks"]
        if not budget:
            del self.fields["approved_budget"]


# -- the back half: one form per action (see govit/web/actions.py) ---------------------------------


class AcknowledgedField(forms.MultipleChoiceField):
    """The codes of the warnings the user acknowledged; which warnings there are is known only
    once the record's checks have run (``CheckedForm.clean``), so any code is accepted here."""

    def valid_value(self, value: str) -> bool:
        return True


class CheckedForm(forms.Form):
    """A record whose checks run before it is saved: ``check`` (set by web/actions.build_form)
    answers the same findings the service will. A block is an error at its field, with its
    article; warnings are listed with a box each to tick (已知悉), and the form is not valid
    until every one is ticked. They are kept as ``check_findings``: a template's ``form.x`` reads
    a field named x first, and EvaluationForm has a field ``findings`` (发现的问题)."""

    acknowledged = AcknowledgedField(
        label=_("已知悉以下审查意见"), required=False, widget=forms.MultipleHiddenInput
    )
    check = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["acknowledged"] = self.fields.pop("acknowledged")  # after what it is about

    def clean(self):
        data = super().clean()
        self.check_findings = []
        if self.check is None or self.errors:
            return data
        try:
            self.check_findings = self.check(data)
        except (DomainError, ObjectDoesNotExist):  # the service gives the answer on submit
            return data
        blocks = [f for f in self.check_findings if f["severity"] == "block"]
        for f in blocks:
            text = refusal_text(RuleRefused(f["message"], cite=f["cite"] or None))
            self.add_error(f["field"] if f["field"] in self.fields else None, text)
        warnings = {f["code"]: f for f in self.check_findings if f["severity"] != "block"}
        if warnings:
            field = self.fields["acknowledged"]
            field.widget = forms.CheckboxSelectMultiple()
            field.choices = [
                (code, f"{f['message']}（{f['cite']}）" if f["cite"] else f["message"])
                for code, f in warnings.items()
            ]
            if not blocks and set(warnings) - set(data.get("acknowledged") or ()):
                self.add_error("acknowledged", _("以上审查意见须逐条确认已知悉后方可登记。"))
        return data

    @property
    def warnings(self) -> list[dict]:
        return [f for f in getattr(self, "check_findings", []) if f["severity"] != "block"]


class ProcurementForm(CheckedForm):
    method = forms.ChoiceField(label=_("采购方式"), choices=translated(ProcurementMethod.choices))
    winner = forms.TypedChoiceField(label=_("中标（成交）供应商"), coerce=int)
    announced_on = DateField(label=_("采购公告日期"), required=False)
    awarded_on = DateField(label=_("中标（成交）日期"))
    note = forms.CharField(label=_("说明"), required=False, max_length=2000)


class ContractForm(CheckedForm):
    kind = forms.ChoiceField(label=_("合同类别"), choices=translated(ContractKind.choices))
    vendor = forms.TypedChoiceField(label=_("供应商"), coerce=int)
    # asked only where the project has 联合单位 (连平第十五条: 分别签订合同); empty: the unit
    signatory = forms.TypedChoiceField(
        label=_("签订单位（联合单位分别签订合同的）"),
        coerce=int,
        required=False,
        empty_value=None,
    )
    number = forms.CharField(label=_("合同编号"), max_length=60)
    amount = WanYuanField(label=_("合同金额（万元）"))
    signed_on = DateField(label=_("签订日期"))
    om_period_years = forms.IntegerField(
        label=_("免费运维期（年）"), required=False, min_value=0, max_value=20
    )
    ip_ownership = forms.BooleanField(label=_("约定知识产权归属"), required=False)
    termination_mechanism = forms.BooleanField(label=_("约定终止机制"), required=False)
    equipment_matches_scheme = forms.BooleanField(label=_("设备与批复方案一致"), required=False)


class PaymentPlanForm(CheckedForm):
    contract = forms.TypedChoiceField(label=_("合同"), coerce=int)
    amount = WanYuanField(label=_("本期金额（万元）"))
    due_on = DateField(label=_("计划支付日期"))


class PaymentPayForm(CheckedForm):
    payment = forms.TypedChoiceField(label=_("支付计划"), coerce=int)
    paid_on = DateField(label=_("支付日期"))


class ChangeForm(CheckedForm):
    reason = forms.ChoiceField(label=_("变更原因"), choices=translated(ChangeReason.choices))
    basis = forms.CharField(
        label=_("变更依据"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    description = forms.CharField(
        label=_("变更内容"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    goal_changed = forms.BooleanField(label=_("建设目标改变"), required=False)
    category = forms.ChoiceField(
        label=_("变更清单：类别"),
        choices=[("software", _("应用软件")), ("hardware", _("硬件设备（含系统软件）"))],
    )
    sub_project = forms.CharField(label=_("子项目"), required=False, max_length=100)
    original_model = forms.CharField(label=_("原品牌型号"), required=False, max_length=200)
    original_quantity = forms.DecimalField(
        label=_("原数量"), min_value=0, max_digits=11, decimal_places=2
    )
    original_unit_price = WanYuanField(label=_("原单价（万元）"), min_value=Decimal(0))
    new_model = forms.CharField(label=_("现品牌型号"), required=False, max_length=200)
    new_quantity = forms.DecimalField(
        label=_("现数量"), min_value=0, max_digits=11, decimal_places=2
    )
    new_unit_price = WanYuanField(label=_("现单价（万元）"), min_value=Decimal(0))


REASON_FIELD = {"max_length": REASON_LENGTH, "widget": forms.Textarea(attrs={"rows": 2})}


def void_form(record: Any, help_text: Any = "") -> type[forms.Form]:
    """The form that voids a record on the correction trail (``govit.events.trail``): which
    ``record`` (its label) and why."""
    fields = {
        "record": forms.TypedChoiceField(label=record, coerce=int, help_text=help_text),
        "reason": forms.CharField(label=_("作废原因"), **REASON_FIELD),
    }
    return type("VoidForm", (forms.Form,), fields)


class ProcurementCorrectForm(ProcurementForm):
    record = forms.TypedChoiceField(label=_("更正哪条采购记录"), coerce=int)
    reason = forms.CharField(label=_("更正原因"), **REASON_FIELD)
    field_order = ("record", "reason")


class ContractCorrectForm(ContractForm):
    record = forms.TypedChoiceField(label=_("更正哪份合同"), coerce=int)
    reason = forms.CharField(label=_("更正原因"), **REASON_FIELD)
    field_order = ("record", "reason")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["kind"]  # a correction keeps the contract's kind


class PaymentCorrectForm(CheckedForm):
    record = forms.TypedChoiceField(label=_("更正哪期支付"), coerce=int)
    reason = forms.CharField(label=_("更正原因"), **REASON_FIELD)
    amount = WanYuanField(label=_("本期金额（万元）"))
    due_on = DateField(label=_("计划支付日期"))
    paid_on = DateField(
        label=_("支付日期"), required=False, help_text=_("已支付的填写实际支付日期；未支付的留空。")
    )


class ChangeDecideForm(forms.Form):
    change = forms.TypedChoiceField(label=_("变更申请"), coerce=int)
    decision = forms.ChoiceField(
        label=_("审批结果"),
        choices=[("approve", _("同意")), ("refuse", _("不予同意"))],
        widget=forms.RadioSelect,
    )
    opinion = forms.CharField(
        label=_("意见"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ExtensionDecideForm(ChangeDecideForm):
    """The department's decision on a request to apply for final acceptance later."""

    change = None  # type: ignore[assignment]
    extension = forms.TypedChoiceField(label=_("延期验收申请"), coerce=int)
    field_order = ("extension", "decision", "opinion")


def _at_field(form: forms.Form, field: str, check: Callable[[], None]) -> None:
    """Run one of the services' own checks and show its refusal at ``field``: the same words the
    service (and the API) would answer, before anything is sent."""
    try:
        check()
    except DomainError as error:
        form.add_error(field, refusal_text(error))


class ProgressForm(forms.Form):
    period = forms.CharField(label=_("报告期（如 2026年10月）"), max_length=40)
    as_of = DateField(
        label=_("截至日期"), required=False, help_text=_("进度统计截至的日期；不填为今天")
    )
    percent = forms.IntegerField(label=_("累计完成（%）"), min_value=0, max_value=100)
    text = forms.CharField(
        label=_("进展情况"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def replacing(self) -> Any:
        return None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        project = getattr(self, "project", None)
        if project is None:
            return data
        replacing = self.replacing()
        if data.get("percent") is not None:
            _at_field(
                self,
                "percent",
                lambda: delivery_checks.check_progress_percent(
                    project, data["percent"], replacing=replacing
                ),
            )
        as_of = data.get("as_of") or (replacing.as_of if replacing else None) or clock.today()
        if "as_of" not in self.errors:
            _at_field(
                self,
                "as_of",
                lambda: delivery_checks.check_progress_date(project, as_of, replacing=replacing),
            )
        return data


class ProgressCorrectForm(ProgressForm):
    record = forms.TypedChoiceField(label=_("更正哪一份进度报告"), coerce=int)
    reason = forms.CharField(label=_("更正原因"), **REASON_FIELD)
    field_order = ("record", "period", "as_of", "percent", "text", "reason")

    def replacing(self) -> Any:
        project = getattr(self, "project", None)
        pk = self.cleaned_data.get("record")
        if project is None or pk is None:
            return None
        return project.progress_reports.filter(pk=pk).first()


class IncidentForm(forms.Form):
    kind = forms.ChoiceField(label=_("问题类别"), choices=translated(IncidentKind.choices))
    text = forms.CharField(
        label=_("情况说明"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class IncidentCorrectForm(IncidentForm):
    record = forms.TypedChoiceField(label=_("更正哪一份报告"), coerce=int)
    reason = forms.CharField(label=_("更正原因"), **REASON_FIELD)
    field_order = ("record", "kind", "text", "reason")


class TrialRunForm(forms.Form):
    started_on = DateField(label=_("试运行开始日期"))
    ended_on = DateField(label=_("试运行结束日期"))
    text = forms.CharField(
        label=_("试运行情况"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        project = getattr(self, "project", None)
        if project is not None and data.get("started_on") and data.get("ended_on"):
            _at_field(
                self,
                "ended_on",
                lambda: delivery_checks.check_trial_run_dates(
                    project, data["started_on"], data["ended_on"]
                ),
            )
        return data


class ExtensionForm(forms.Form):
    until = DateField(label=_("申请延期至"))
    reason = forms.CharField(
        label=_("延期理由"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class TerminateForm(forms.Form):
    reason = forms.CharField(
        label=_("终止理由"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    statement = forms.TypedChoiceField(label=_("书面说明（已上传的材料）"), coerce=int)


class GradeFitsScore(forms.Form):
    """The grade must be the one the score earns (``delivery.models.GRADE_BANDS``), at the field."""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("score") is not None and data.get("grade"):
            _at_field(
                self, "grade", lambda: delivery_checks.check_grade(data["score"], data["grade"])
            )
        return data


class EvaluationForm(GradeFitsScore):
    """A self-evaluation by the unit or a post-evaluation by the competent department: the action
    says which (web/actions.py)."""

    score = forms.DecimalField(
        label=_("得分"), min_value=0, max_value=100, max_digits=5, decimal_places=2
    )
    grade = forms.ChoiceField(
        label=_("等级"), choices=translated(Grade.choices), help_text=_(GRADE_SCALE_NOTE)
    )
    findings = forms.CharField(
        label=_("发现的问题"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    rectification_required = forms.BooleanField(label=_("须整改"), required=False)


class AssetForm(forms.Form):
    name = forms.CharField(label=_("资产名称"), max_length=200)
    value = WanYuanField(label=_("价值（万元）"))
    entered_on = DateField(label=_("入账日期"))

    def clean_entered_on(self) -> Any:
        entered_on = self.cleaned_data["entered_on"]
        try:
            delivery_checks.check_asset_dates(entered_on)
        except DomainError as error:
            raise forms.ValidationError(refusal_text(error)) from None
        return entered_on


class ObligationForm(forms.Form):
    obligation = forms.TypedChoiceField(label=_("义务"), coerce=int)
    note = forms.CharField(label=_("说明"), required=False, max_length=2000)
    document = forms.TypedChoiceField(
        label=_("所附材料（已上传）"), coerce=int, required=False, empty_value=None
    )


class RectifiedForm(forms.Form):
    evaluation = forms.TypedChoiceField(label=_("评价"), coerce=int)
    note = forms.CharField(
        label=_("整改情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReassignForm(forms.Form):
    to_user = forms.ModelChoiceField(label=_("转办给"), queryset=None)
    note = forms.CharField(label=_("说明"), required=False, max_length=500)

    def __init__(self, *args, colleagues=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = colleagues
