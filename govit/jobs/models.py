"""What the jobs remember: each run of a job for its window, and the findings the nightly
re-check has already recorded (so that only new ones are recorded again)."""

from __future__ import annotations

from django.db import models


class RunStatus(models.TextChoices):
    RUNNING = "running", "运行中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class JobRun(models.Model):
    """One job in one schedule window ("2026-11-23T07:00"). Marked done only when the whole job
    has finished: a run that died leaves it running or failed, and the window is still due."""

    job = models.CharField("任务", max_length=40)
    window = models.CharField("计划时间", max_length=16)
    status = models.CharField("状态", max_length=8, choices=RunStatus.choices)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    result = models.JSONField("结果", default=dict, blank=True)
    error = models.TextField("错误", blank=True)

    class Meta:
        verbose_name = "任务运行"
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["job", "window"], name="jobrun_once_per_window")
        ]

    def __str__(self) -> str:
        return f"{self.job} @ {self.window}：{self.get_status_display()}"


class ProjectFinding(models.Model):
    """A block or warn finding of decide() that the nightly re-check has recorded for a project.
    Open while decide() still finds it; a finding that goes away and comes back is new again."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="recheck_findings"
    )
    fingerprint = models.CharField(max_length=32)  # code, cite and message without its numbers
    code = models.CharField("代码", max_length=60)
    severity = models.CharField("严重程度", max_length=8)
    cite = models.CharField("依据条款", max_length=200, blank=True)
    message = models.TextField("内容")
    first_seen_on = models.DateField("发现日期")
    cleared_on = models.DateField("消除日期", null=True, blank=True)

    class Meta:
        verbose_name = "复核发现"
        ordering = ["project_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "fingerprint"],
                condition=models.Q(cleared_on__isnull=True),
                name="finding_open_once",
            )
        ]
        indexes = [models.Index(fields=["project", "cleared_on"])]

    def __str__(self) -> str:
        return f"{self.project_id} {self.code}"
