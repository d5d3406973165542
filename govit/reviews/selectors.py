"""Reads about experts, meetings and draws."""

from __future__ import annotations

from django.db.models import QuerySet

from govit.reviews.models import Expert, ReviewMeeting, Seat


def current_panel(meeting: ReviewMeeting) -> list[Expert]:
    """The experts sitting on a meeting now: the drawn ones, with replacements swapped in."""
    seats = Seat.objects.filter(meeting=meeting, vacated_at__isnull=True).select_related("expert")
    return [seat.expert for seat in seats.order_by("position")]


def expert_meeting_project_ids(expert: Expert) -> QuerySet:
    return Seat.objects.filter(expert=expert, vacated_at__isnull=True).values("meeting__project_id")


def expert_meetings(expert: Expert) -> QuerySet[ReviewMeeting]:
    seated = Seat.objects.filter(expert=expert, vacated_at__isnull=True).values("meeting_id")
    return ReviewMeeting.objects.filter(pk__in=seated).select_related("project", "step")
