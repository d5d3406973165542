"""Organizations, users and roles. An organization's kind is a rulebook actor (or a vendor kind)."""

from __future__ import annotations

import copy
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models

from govit.organizations.signals import account_changed
from govit.policy.vocab import ACTOR_LABELS, AUTHORITY_KINDS


class OrgKind(models.TextChoices):
    COMPETENT_DEPARTMENT = "competent_department", ACTOR_LABELS["competent_department"][0]
    DEVELOPMENT_REFORM = "development_reform", ACTOR_LABELS["development_reform"][0]
    FINANCE = "finance", ACTOR_LABELS["finance"][0]
    AUDIT = "audit", ACTOR_LABELS["audit"][0]
    CYBERSPACE = "cyberspace", ACTOR_LABELS["cyberspace"][0]
    CRYPTO_ADMINISTRATION = "crypto_administration", ACTOR_LABELS["crypto_administration"][0]
    SECRECY = "secrecy", ACTOR_LABELS["secrecy"][0]
    PUBLIC_SECURITY = "public_security", ACTOR_LABELS["public_security"][0]
    BIG_DATA_CENTER = "big_data_center", ACTOR_LABELS["big_data_center"][0]
    OFFICES_ADMINISTRATION = "offices_administration", ACTOR_LABELS["offices_administration"][0]
    GOVERNMENT = "government", ACTOR_LABELS["government"][0]
    LEADING_GROUP_OFFICE = "leading_group_office", ACTOR_LABELS["leading_group_office"][0]
    CONSTRUCTION_UNIT = "construction_unit", ACTOR_LABELS["construction_unit"][0]
    CONTRACTOR = "contractor", "承建单位"
    SUPERVISOR = "supervisor", "监理单位"
    CONSULTANT = "consultant", "咨询机构"
    AGENT = "agent", "采购代理机构"
    EVALUATOR = "evaluator", "测评机构"


VENDOR_KINDS = ("contractor", "supervisor", "consultant", "agent", "evaluator")


class Organization(models.Model):
    jurisdiction = models.ForeignKey(
        "jurisdictions.Jurisdiction",
        verbose_name="辖区",
        on_delete=models.PROTECT,
        related_name="organizations",
    )
    kind = models.CharField("类别", max_length=32, choices=OrgKind.choices)
    name = models.CharField("名称", max_length=200)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "单位"
        ordering = ["jurisdiction_id", "kind", "name"]
        constraints = [
            # one authority of each kind per jurisdiction: tasks for "finance" go to exactly one place
            models.UniqueConstraint(
                fields=["jurisdiction", "kind"],
                condition=models.Q(kind__in=AUTHORITY_KINDS),
                name="one_authority_per_kind",
            ),
            models.UniqueConstraint(
                fields=["jurisdiction", "name"], name="org_name_unique_in_jurisdiction"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_authority(self) -> bool:
        return self.kind in AUTHORITY_KINDS

    @property
    def is_vendor(self) -> bool:
        return self.kind in VENDOR_KINDS


class Role(models.TextChoices):
    CLERK = "clerk", "经办人"
    LEADER = "leader", "负责人"
    ADMIN = "admin", "辖区管理员"
    AUDITOR = "auditor", "审计人员"


class User(AbstractUser):
    organization = models.ForeignKey(
        Organization,
        verbose_name="所属单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    real_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("电话", max_length=20, blank=True)

    class Meta:
        verbose_name = "用户"

    def __str__(self) -> str:
        return self.real_name or self.username

    @property
    def display_name(self) -> str:
        return self.real_name or self.username

    def role_codes(self) -> set[str]:
        cached = getattr(self, "_role_codes", None)
        if cached is None:
            if "roles" in getattr(self, "_prefetched_objects_cache", {}):
                # read with its roles (organizations.backends: the signed-in user): no query
                cached = {r.role for r in self.roles.all()}
            else:
                cached = set(self.roles.values_list("role", flat=True))
            self._role_codes = cached
        return cached

    def has_role(self, role: str) -> bool:
        return role in self.role_codes()

    # A copy kept in the cache for sign-in (govit.kept.reads.kept_user) holds the HMACs that
    # sessions are checked against, not the password's hash, and is never written back.
    def keepable(self) -> User:
        """A copy of this user (as read, with its organization, expert entry and roles) fit to
        keep in the cache."""
        kept = copy.copy(self)  # Model.__getstate__: its own state and related objects
        kept._kept_auth = (
            self.get_session_auth_hash(),
            tuple(self.get_session_auth_fallback_hash()),
        )
        kept.password = ""
        return kept

    def get_session_auth_hash(self) -> str:
        kept = self.__dict__.get("_kept_auth")
        return kept[0] if kept else super().get_session_auth_hash()

    def get_session_auth_fallback_hash(self):
        kept = self.__dict__.get("_kept_auth")
        if kept:
            yield from kept[1]
        else:
            yield from super().get_session_auth_fallback_hash()

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Saved: what was kept of the account is stale — also for the writes no service of
        ours makes (Django's sign-in re-hashing a password with a newer hasher, `govit manage
        changepassword`)."""
        if self.__dict__.get("_kept_auth"):
            raise RuntimeError("缓存中的用户副本是只读的：修改用户须从数据库读取")
        super().save(*args, **kwargs)
        account_changed.send(sender=User, user_ids=(self.pk,))


class UserRole(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField("角色", max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = "用户角色"
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="user_role_unique")]

    def __str__(self) -> str:
        return f"{self.user}：{self.get_role_display()}"


class ApiToken(models.Model):
    """A bearer token for the API. Only its SM3 digest is stored; the key is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("用途", max_length=100, blank=True)
    prefix = models.CharField("前缀", max_length=8)
    key_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API 令牌"

    def __str__(self) -> str:
        return f"{self.prefix}…（{self.user}）"


class Assignment(models.Model):
    """The body a jurisdiction's administrator assigns where its regulation names none (the
    rulebook's ``unstated``: who organises the 档案验收, who approves a change …). Never changed:
    a new assignment supersedes the last (the latest row of a rule is the one in effect)."""

    jurisdiction = models.ForeignKey(
        "jurisdictions.Jurisdiction", on_delete=models.PROTECT, related_name="assignments"
    )
    rulebook_id = models.CharField("规则手册", max_length=40)
    rule = models.CharField("事项", max_length=120)  # govit.policy.render.UnstatedRule.key
    organization = models.ForeignKey(
        Organization, verbose_name="指定的单位", on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField("指定理由")
    created_by = models.ForeignKey(
        "organizations.User", verbose_name="指定人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("指定时间")

    class Meta:
        verbose_name = "辖区指定的办理机关"
        ordering = ["jurisdiction_id", "rule", "-id"]
        indexes = [models.Index(fields=["jurisdiction", "rulebook_id", "rule", "-id"])]

    def __str__(self) -> str:
        return f"{self.rule} → {self.organization}"
