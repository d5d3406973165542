"""Construction reports, rectifications, extensions, termination, assets, obligations, evaluations."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from govit.events.trail import Correctable


class ProgressReport(Correctable):
    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="progress_reports"
    )
    period = models.CharField("报告期", max_length=40)
    as_of = models.DateField("截至日期", null=True, blank=True)  # null: reported before 2026-12
    percent = models.PositiveSmallIntegerField("完成比例（%）")
    text = models.TextField("进展情况")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField()

    class Meta:
        verbose_name = "进度报告"
        ordering = ["project_id", "id"]

    def __str__(self) -> str:
        return f"{self.project} {self.period} {self.percent}%"


class TrialRun(Correctable):
    """The trial run's dates as the unit states them (岳阳第二十七条第（二）项、临湘第二十六条第（二）项:
    preliminary acceptance before it begins, the application for final acceptance after it ends)."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="trial_runs"
    )
    started_on = models.DateField("试运行开始日期")
    ended_on = models.DateField("试运行结束日期")
    text = models.TextField("试运行情况", blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField()

    class Meta:
        verbose_name = "试运行"
        ordering = ["project_id", "id"]

    def __str__(self) -> str:
        return f"{self.project} 试运行 {self.started_on}—{self.ended_on}"


class IncidentKind(models.TextChoices):
    SERIOUS_DELAY = "serious_delay", "工程严重逾期"
    MAJOR_LOSS = "major_loss", "投资重大损失"


class IncidentReport(Correctable):
    """A report of serious delay or loss (黑龙江第二十六条) to the competent department."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="incidents"
    )
    kind = models.CharField("类别", max_length=16, choices=IncidentKind.choices)
    text = models.TextField("情况说明")
    cite = models.CharField("依据条款", max_length=100)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField()

    class Meta:
        verbose_name = "重大问题报告"
        ordering = ["project_id", "id"]

    def __str__(self) -> str:
        return f"{self.project} {self.get_kind_display()}"


class Rectification(models.Model):
    """A failed acceptance: rectify by the deadline, then re-acceptance. While it is open the
    remaining payments may be withheld (岳阳第二十八条, 临湘第二十七条)."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="rectifications"
    )
    step = models.ForeignKey(
        "projects.ProjectStep", on_delete=models.PROTECT, related_name="rectifications"
    )
    reason = models.TextField("不合格情况")
    deadline = models.DateField("整改期限")
    cite = models.CharField("依据条款", max_length=100)
    withhold_payments = models.BooleanField("整改期间暂停支付剩余款项", default=False)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "验收整改"
        ordering = ["project_id", "id"]

    def __str__(self) -> str:
        return f"{self.project} 整改（{self.deadline}前）"


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已同意"
    REFUSED = "refused", "不予同意"


class AcceptanceExtension(models.Model):
    """延期验收申请 (黑龙江第二十九条第三款)."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="extensions"
    )
    reason = models.TextField("理由")
    until = models.DateField("申请延期至")
    cite = models.CharField("依据条款", max_length=100)
    status = models.CharField(
        "状态", max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    opinion = models.TextField("意见", blank=True)

    class Meta:
        verbose_name = "延期验收申请"
        ordering = ["project_id", "id"]

    def __str__(self) -> str:
        return f"{self.project} 延期至{self.until}"


class Termination(models.Model):
    """The construction unit ends a project, with its written statement (岳阳第二十六条)."""

    project = models.OneToOneField(
        "projects.Project", on_delete=models.PROTECT, related_name="termination"
    )
    reason = models.TextField("终止原因")
    statement = models.ForeignKey(
        "documents.DocumentVersion",
        verbose_name="书面说明",
        on_delete=models.PROTECT,
        related_name="+",
    )
    recipient = models.ForeignKey(
        "organizations.Organization",
        verbose_name="报送单位",
        on_delete=models.PROTECT,
        related_name="+",
    )
    cite = models.CharField("依据条款", max_length=100)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        verbose_name = "项目终止"

    def __str__(self) -> str:
        return f"{self.project} 终止"


class Asset(models.Model):
    """资产台账 entry after acceptance; transfer to the using unit (岳阳第三十条)."""

    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="assets")
    name = models.CharField("资产名称", max_length=200)
    value = models.DecimalField("价值（元）", max_digits=16, decimal_places=2)
    entered_on = models.DateField("入账日期")
    using_unit = models.ForeignKey(
        "organizations.Organization",
        verbose_name="使用单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    transferred_on = models.DateField("转移日期", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = "资产台账"
        ordering = ["project_id", "id"]

    def __str__(self) -> str:
        return self.name


class Obligation(models.Model):
    """A duty with a due date that no single step carries: the yearly O&M report, the yearly
    performance report during construction, the self-evaluation window, the surplus to return,
    the asset ledger after acceptance."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="obligations"
    )
    code = models.CharField("类别", max_length=40)
    name = models.CharField("名称", max_length=200)
    period = models.PositiveIntegerField("年度", null=True, blank=True)
    opens_on = models.DateField("开始日期", null=True, blank=True)
    due_on = models.DateField("到期日", null=True, blank=True)  # the text may set none ("及时")
    amount = models.DecimalField(
        "金额（元）", max_digits=16, decimal_places=2, null=True, blank=True
    )
    cite = models.CharField("依据条款", max_length=100)
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    fulfilled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    document = models.ForeignKey(
        "documents.DocumentVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "义务"
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "code", "period"], name="obligation_unique_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.name}（{self.due_on}）"


class EvaluationKind(models.TextChoices):
    SELF = "self", "自评价"
    POST = "post", "运行后评价"


class Grade(models.TextChoices):
    EXCELLENT = "excellent", "优"
    GOOD = "good", "良"
    FAIR = "fair", "中"
    POOR = "poor", "差"


# The grade that goes with a score. No rulebook sets grade bands; the platform uses the national
# scale of project-expenditure performance evaluation (财政部《项目支出绩效评价管理办法》财预〔2020〕
# 10号: 90（含）–100 优, 80（含）–90 良, 60（含）–80 中, 60以下 差). docs/glossary.md says so.
GRADE_BANDS: tuple[tuple[str, int], ...] = (
    (Grade.EXCELLENT, 90),
    (Grade.GOOD, 80),
    (Grade.FAIR, 60),
    (Grade.POOR, 0),
)
GRADE_SCALE_NOTE = "优90分（含）以上，良80（含）至90分，中60（含）至80分，差60分以下"


def grade_for(score) -> str:
    """The grade of a score on the platform's scale (``GRADE_BANDS``)."""
    return next(grade for grade, floor in GRADE_BANDS if score >= floor)


class Evaluation(models.Model):
    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="evaluations"
    )
    kind = models.CharField("类别", max_length=8, choices=EvaluationKind.choices)
    score = models.DecimalField("评分", max_digits=5, decimal_places=2)
    grade = models.CharField("等次", max_length=10, choices=Grade.choices)
    findings = models.TextField("问题与建议", blank=True)
    rectification_required = models.BooleanField("须整改", default=False)
    rectified_at = models.DateTimeField("整改完成", null=True, blank=True)
    evaluator = models.ForeignKey(
        "organizations.Organization",
        verbose_name="评价单位",
        on_delete=models.PROTECT,
        related_name="+",
    )
    cite = models.CharField("依据条款", max_length=100)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        verbose_name = "评价"
        ordering = ["project_id", "id"]

    def __str__(self) -> str:
        return f"{self.project} {self.get_kind_display()} {self.get_grade_display()}"
