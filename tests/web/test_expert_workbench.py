"""An expert's own account sees, on its 工作台 and in its header, the meetings it sits on and the
opinions it owes — not an office's empty approval tasks nor a project list it can see nothing in
(access.policy: an expert sees no project as such)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils.html import escape

from govit.core import clock
from govit.demo.driver import advance_to
from govit.reviews import services as reviews
from govit.reviews.selectors import current_panel
from tests.api.helpers import experts
from tests.workflow import flows
from tests.workflow.conftest import make_cast, tree  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_an_experts_workbench_shows_its_meetings_and_no_office_sections(client, tree):  # noqa: F811
    cast = make_cast(tree, "yueyang")
    pool = experts(cast, "政务信息化", 4, prefix="yueyang")
    project = flows.declared(cast, amount=2_500_000)
    with clock.frozen(dt.date(2026, 10, 21)):
        project = advance_to(cast, project, "expert_review", pool=pool)
        competent = cast.user("competent_department")
        meeting = reviews.meeting_create(
            actor=competent, project=project, specialty="政务信息化", size=3
        )
        reviews.draw_make(actor=competent, meeting=meeting)
    expert = current_panel(meeting)[0]
    client.force_login(expert.user)
    html = client.get(reverse("home")).content.decode()
    assert escape(reverse("expert-opinion", args=[meeting.pk])) in html
    assert "我的待办" in html and "我参加的评审会" in html
    assert "本单位暂无审批待办" not in html and "待报送、会签、审定及其他事项" not in html
    assert f'href="{reverse("project-list")}"' not in html  # neither the link nor the header's
    assert f'href="{reverse("expert-my-meetings")}"' in html
    # an office account keeps both
    client.force_login(cast.user("unit"))
    html = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("project-list")}"' in html
