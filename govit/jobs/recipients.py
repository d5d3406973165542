"""Who is told: the people of an organization who work its tasks, its leaders, a jurisdiction's
administrators — fetched for many organizations at once (one query per batch, not per task)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from govit.organizations.models import Organization, Role, User, UserRole

WORKING = (Role.CLERK, Role.LEADER)


class People:
    """The active users of some organizations with their roles; auditors are never "working"."""

    def __init__(self, org_ids: Iterable[int]):
        org_ids = set(org_ids)
        self.by_org: dict[int, list[User]] = defaultdict(list)
        self.roles: dict[int, set[str]] = defaultdict(set)
        if not org_ids:
            return
        audit = set(
            Organization.objects.filter(pk__in=org_ids, kind="audit").values_list("pk", flat=True)
        )
        users = {
            u.pk: u
            for u in User.objects.filter(organization_id__in=org_ids - audit, is_active=True)
            .only("pk", "username", "real_name", "email", "organization_id")
            .order_by("pk")
        }
        for user_id, role in UserRole.objects.filter(user_id__in=users).values_list(
            "user_id", "role"
        ):
            self.roles[user_id].add(role)
        for user in users.values():
            if self.roles[user.pk] & set(WORKING) and Role.AUDITOR not in self.roles[user.pk]:
                self.by_org[user.organization_id].append(user)

    def working(self, org_id: int, *, first: User | None = None) -> list[User]:
        """Everyone who works the organization's tasks; ``first`` (the assignee) leads the list."""
        people = self.by_org.get(org_id, [])
        if first is None:
            return list(people)
        return [first, *[u for u in people if u.pk != first.pk]]

    def leaders(self, org_id: int) -> list[User]:
        return [u for u in self.by_org.get(org_id, []) if Role.LEADER in self.roles[u.pk]]


def administrators(jurisdiction_ids: Iterable[int]) -> dict[int, list[User]]:
    """The active administrators (Role.ADMIN) of each jurisdiction."""
    found: dict[int, list[User]] = defaultdict(list)
    for user in (
        User.objects.filter(
            organization__jurisdiction_id__in=set(jurisdiction_ids),
            is_active=True,
            roles__role=Role.ADMIN,
        )
        .select_related("organization")
        .order_by("pk")
        .distinct()
    ):
        found[user.organization.jurisdiction_id].append(user)
    return found
