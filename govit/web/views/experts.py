"""Expert draws: the review meetings of the jurisdiction that need or have a draw; for each, the
eligible pool and the experts excluded with why, the draw, replacements, the verification of a
past draw from its recorded seed and pool snapshot, and the meeting's conclusion once every expert
has given an opinion. An expert's own pages: the meetings they sit on, the project's materials and
the opinion form.

The competent department organises and concludes meetings (the audit bureau may also verify a
draw). Reads are scoped by ``visible_projects`` — an expert's by the seats they hold; every write
goes through ``govit.reviews.services``, and a refusal is shown with its article and changes
nothing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from govit.access.policy import is_auditor, org_kind
from govit.core.errors import DomainError
from govit.documents.models import Document, DocumentVersion
from govit.organizations.models import User
from govit.policy.loader import LoadedRulebook
from govit.policy.vocab import STEP_LABELS
from govit.projects import workflow
from govit.projects.models import ProjectStep, StepStatus
from govit.projects.visibility import visible_projects
from govit.reviews import draw as algorithm
from govit.reviews import services
from govit.reviews.models import (
    DrawReplacement,
    Expert,
    ExpertOpinion,
    MeetingStatus,
    ReviewMeeting,
    Seat,
)
from govit.reviews.selectors import (
    current_panel,
    draw_verify,
    eligibility,
    expert_meetings,
    expert_panel,
    experts_required,
    holds_seat,
    meeting_refusals,
    offers_experts,
)
from govit.web.downloads import version_response
from govit.web.forms import DateTimeField
from govit.web.readonly import refuse_readers
from govit.web.refusals import refusal_text
from govit.web.views.rulebooks import Citer

OPEN_MEETINGS = services.OPEN_STATUSES
MAX_PANEL = services.MAX_PANEL


# --- who may open these pages ----------------------------------------------------------------


def _organizer(user: User) -> bool:
    return user.is_superuser or org_kind(user) == "competent_department"


def _require_organizer(request: HttpRequest) -> None:
    if not _organizer(request.user):
        raise PermissionDenied(_t("专家抽取由主管部门办理"))


def _require_reader(request: HttpRequest) -> None:
    """The draws and meetings are read by the competent department, which organizes them, and by
    the audit bureau, which verifies the draws (ARCHITECTURE: 审计 reads and verifies; it is
    shown no form)."""
    if not (_organizer(request.user) or is_auditor(request.user)):
        raise PermissionDenied(_t("评审会和专家抽取由主管部门办理、审计部门查看"))


def _no_cite(cite: str | None) -> str:
    return ""


def _rulebook(project: Any) -> LoadedRulebook | None:
    try:
        return workflow.rulebook_of(project)
    except DomainError:
        return None


def needs_experts(step: ProjectStep) -> bool:
    """A step the rulebook gives to experts: the 专家评审 itself, one they join (验收), or one whose
    meeting seats experts from the pool (岳阳第十七条: 验收会)."""
    return offers_experts(step)


def _meetings(user: User):
    return ReviewMeeting.objects.filter(project__in=visible_projects(user)).select_related(
        "project", "project__jurisdiction", "project__rulebook", "step", "organizer"
    )


def _meeting(request: HttpRequest, pk: int) -> ReviewMeeting:
    meeting = _meetings(request.user).filter(pk=pk).first()
    if meeting is None:
        raise Http404(_t("评审会不存在或无权查看"))
    return meeting


def _exclusions(excluded: list[dict[str, Any]], cite: Any) -> list[dict[str, Any]]:
    """The excluded experts with why, and the article where the rulebook gives one."""
    return [{**x, "cite": cite(x.get("cite"))} for x in excluded]


POOL_CHECK = "EXPERTS_FROM_POOL"  # the step's check that says experts come from the pool


def _pool_check(step: ProjectStep) -> dict[str, Any]:
    return next((c for c in step.checks if c.get("code") == POOL_CHECK), {})


def _pool_cite(step: ProjectStep) -> str:
    """The article that makes experts come from the pool, as the step's checks cite it."""
    return _pool_check(step).get("cite", "")


def pool_url() -> str:
    """Where to enlarge the expert pool: its own page (else, on a branch without it, the draws)."""
    try:
        return reverse("expert-pool")
    except NoReverseMatch:
        return reverse("expert-draws")


def step_panel(user: User, step: ProjectStep) -> dict[str, Any] | None:
    """What a task page shows about the step's experts: where the rulebook seats experts drawn
    from the pool (专家评审, 验收会), the rule that says so (the step's pool check is then not
    listed again among its 提示), the step's meetings and, for the competent department, the
    way to convene one. None for a step without experts."""
    if not offers_experts(step):
        return None
    panel = expert_panel(step)
    meetings = list(
        ReviewMeeting.objects.filter(step=step).select_related("organizer").order_by("-id")
    )
    organizer = _organizer(user)
    open_meeting = next((m for m in meetings if m.status in OPEN_MEETINGS), None)
    return {
        "required": step.kind == "expert_review" or experts_required(step),
        "text": panel.text if panel is not None else _pool_check(step).get("text", ""),
        "cite": panel.cite if panel is not None else _pool_cite(step),
        "meetings": meetings,
        "organizer": organizer,
        "reader": organizer or is_auditor(user),  # opens the meetings (the audit bureau reads)
        "can_convene": organizer and step.status == StepStatus.IN_REVIEW and open_meeting is None,
    }


# --- the list --------------------------------------------------------------------------------


PENDING_SHOWN = 50  # steps waiting for a meeting, a page
MEETINGS_SHOWN = 50  # meetings, a page (newest first)


def experts_needed() -> Q:
    """``needs_experts`` as a filter: the 专家评审 steps and the steps experts join (the JSON
    list of co-actors holds the quoted name "experts" — a text match that SQLite and PostgreSQL
    both do). The partial index ``step_needs_experts`` has this very condition, so a province's
    600,000 steps are not read to find the few dozen."""
    return Q(kind="expert_review") | Q(co_actors__icontains='"experts"')


def draw_list(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    user = request.user
    convened = ReviewMeeting.objects.filter(step=OuterRef("pk"), status__in=OPEN_MEETINGS)
    steps = (
        ProjectStep.objects.filter(
            experts_needed(), project__in=visible_projects(user), status=StepStatus.IN_REVIEW
        )
        .exclude(Exists(convened))
        .select_related("project__unit")
        .only(
            "name",
            "cite",
            "started_on",
            "due_on",
            "project__name",
            "project__code",
            "project__unit__name",
        )
        .order_by("due_on", "started_on", "pk")
    )
    # the steps that need experts are few: read them once (light rows) rather than counting
    # them and then reading a page — each read goes through every step of the jurisdiction
    pending = Paginator(list(steps), PENDING_SHOWN).get_page(request.GET.get("page"))
    meetings = Paginator(
        ReviewMeeting.objects.filter(project__in=visible_projects(user))
        .select_related("project", "step", "draw")
        .only(
            "title",
            "specialty",
            "size",
            "status",
            "project__name",
            "step__name",
            "draw__drawn_at",
        )
        .order_by("-id"),
        MEETINGS_SHOWN,
    ).get_page(request.GET.get("meetings"))
    context = {
        "pending": pending,
        "meetings": meetings,
        "can_manage": not is_auditor(request.user),  # an auditor reads, and does nothing
    }
    return render(request, "web/experts/list.html", context)


# --- convening a meeting ---------------------------------------------------------------------


class MeetingForm(forms.Form):
    specialty = forms.ChoiceField(label=_("专业领域"))
    size = forms.IntegerField(label=_("抽取人数"), min_value=1, max_value=MAX_PANEL)
    title = forms.CharField(
        label=_("会议名称"),
        required=False,
        max_length=ReviewMeeting._meta.get_field("title").max_length,
        help_text=_("不填写时按“项目名称+环节名称+会”命名"),
    )
    scheduled_for = DateTimeField(label=_("会议时间"), required=False)

    def __init__(self, *args: Any, specialties: list[tuple[str, int, int]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["specialty"].choices = [("", _("请选择"))] + [
            (
                name,
                _("%(name)s（在库%(total)d人，其中未暂停抽取%(available)d人）")
                % {"name": name, "available": available, "total": total},
            )
            for name, available, total in specialties
        ]


def pool_specialties(jurisdiction_id: int) -> list[tuple[str, int, int]]:
    """(specialty, available experts, all experts) of the jurisdiction's pool, by name."""
    counts: dict[str, list[int]] = {}
    for specialties, available in Expert.objects.filter(
        jurisdiction_id=jurisdiction_id
    ).values_list("specialties", "available"):
        for name in specialties:
            entry = counts.setdefault(name, [0, 0])
            entry[0] += 1 if available else 0
            entry[1] += 1
    return [(name, a, t) for name, (a, t) in sorted(counts.items())]


# the field a refusal of ``reviews.services.meeting_create`` is about (shown at that field)
MEETING_FIELDS = {
    "EXPERT_POOL_TOO_SMALL": "size",
    "INVALID_SIZE": "size",
    "MEETING_IN_PAST": "scheduled_for",
    "INVALID_SPECIALTY": "specialty",
}


@refuse_readers
def meeting_create(request: HttpRequest, step_pk: int) -> HttpResponse:
    _require_organizer(request)
    step = (
        ProjectStep.objects.filter(pk=step_pk, project__in=visible_projects(request.user))
        .select_related("project", "project__jurisdiction", "project__rulebook", "project__unit")
        .first()
    )
    if step is None or not needs_experts(step):
        raise Http404(_t("没有需要专家的此环节"))
    project = step.project
    specialties = pool_specialties(project.jurisdiction_id)
    form = MeetingForm(request.POST or None, specialties=specialties)
    preview = None
    pool_short = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if "preview" in request.POST:
            # what a draw would see, before anything is created (an unsaved meeting is only read)
            eligible, excluded = eligibility(
                ReviewMeeting(project=project, step=step, specialty=data["specialty"])
            )
            preview = {"eligible": eligible, "excluded": excluded, "size": data["size"]}
        else:
            try:
                meeting = services.meeting_create(
                    actor=request.user,
                    project=project,
                    step_kind=step.kind,
                    specialty=data["specialty"],
                    size=data["size"],
                    title=data["title"],
                    scheduled_for=data["scheduled_for"],
                )
            except DomainError as error:
                # the service stops at its first refusal: show every one this input earns at once
                others = meeting_refusals(
                    project=project,
                    step=step,
                    specialty=data["specialty"],
                    size=data["size"],
                    scheduled_for=data["scheduled_for"],
                )
                refusals = [error] + [r for r in others if r.code != error.code]
                for refusal in refusals:
                    form.add_error(MEETING_FIELDS.get(refusal.code), refusal_text(refusal))
                pool_short = any(r.code == "EXPERT_POOL_TOO_SMALL" for r in refusals)
            else:
                messages.success(request, _t("已发起评审会，可查看可抽取专家并抽取。"))
                return redirect("expert-meeting", meeting.pk)
    rb = _rulebook(project)
    cite = Citer(rb) if rb else _no_cite
    if preview is not None:
        preview["excluded"] = _exclusions(preview["excluded"], cite)
    context = {
        "step": step,
        "project": project,
        "form": form,
        "preview": preview,
        "step_cite": cite(step.cite),
        "pool_cite": cite(_pool_cite(step)),
        "has_pool": bool(specialties),
        "pool_short": pool_short,
        "pool_url": pool_url(),
        "open_meeting": ReviewMeeting.objects.filter(step=step, status__in=OPEN_MEETINGS).first(),
    }
    return render(request, "web/experts/create.html", context)


# --- one meeting: the pool, the draw, replacements ---------------------------------------------


class ReplaceForm(forms.Form):
    expert = forms.TypedChoiceField(label=_("被替换的专家"), coerce=int)
    reason = forms.CharField(
        label=_("补抽原因"),
        max_length=DrawReplacement._meta.get_field("reason").max_length,
        help_text=_("例如：因病不能参加；与项目存在利害关系须回避"),
    )

    def __init__(self, *args: Any, panel: list[Expert], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["expert"].choices = [("", _("请选择"))] + [(e.pk, e.name) for e in panel]


def _meeting_page(
    request: HttpRequest,
    meeting: ReviewMeeting,
    *,
    replace_form: ReplaceForm | None = None,
    cancel_form: CancelForm | None = None,
    status: int = 200,
) -> HttpResponse:
    step = meeting.step
    rb = _rulebook(meeting.project)
    cite = Citer(rb) if rb else _no_cite
    record = getattr(meeting, "draw", None)
    context: dict[str, Any] = {
        "meeting": meeting,
        "project": meeting.project,
        "step": step,
        "step_cite": cite(step.cite),
        "pool_cite": cite(_pool_cite(step)),
        "record": record,
        "can_manage": _organizer(request.user) and not is_auditor(request.user),
        "can_cancel": meeting.status in OPEN_MEETINGS,
        "cancel_form": cancel_form or CancelForm(prefix="cancel"),
        "convene_again": meeting.status == MeetingStatus.CANCELLED
        and step.status == StepStatus.IN_REVIEW
        and not ReviewMeeting.objects.filter(step=step, status__in=OPEN_MEETINGS).exists(),
    }
    if meeting.status == MeetingStatus.PLANNED:
        eligible, excluded = eligibility(meeting)
        context.update(
            eligible=eligible,
            excluded=_exclusions(excluded, cite),
            short=len(eligible) < meeting.size,
        )
    else:
        # what was recorded at the draw: the pool as it then was, not as it is now
        seats = list(
            Seat.objects.filter(meeting=meeting).select_related("expert").order_by("position", "id")
        )
        sitting = [s.expert for s in seats if s.vacated_at is None]
        opinions = list(
            ExpertOpinion.objects.filter(meeting=meeting).select_related("expert").order_by("id")
        )
        for opinion in opinions:
            opinion.conclusion_label = services.CONCLUSIONS.get(
                opinion.conclusion, opinion.conclusion
            )
        given = {o.expert_id for o in opinions}
        replaceable = [e for e in sitting if e.pk not in given]
        context.update(
            seats=seats,
            opinions=opinions,
            excluded=_exclusions(record.exclusions if record else [], cite),
            pool_size=len(record.pool) if record else 0,
            replacements=list(record.replacements.select_related("replaced", "replacement", "by"))
            if record
            else [],
            replace_form=replace_form
            if replace_form is not None
            else ReplaceForm(panel=replaceable, prefix="replace"),
            can_replace=meeting.status == MeetingStatus.DRAWN and bool(replaceable),
            # the conclusion is formed once every expert sitting now has given an opinion
            awaiting=len(replaceable),
            can_conclude=meeting.status == MeetingStatus.DRAWN
            and bool(sitting)
            and not replaceable,
        )
    return render(request, "web/experts/meeting.html", context, status=status)


def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_reader(request)
    return _meeting_page(request, _meeting(request, pk))


@require_POST
def draw_make(request: HttpRequest, pk: int) -> HttpResponse:
    _require_organizer(request)
    meeting = _meeting(request, pk)
    try:
        services.draw_make(actor=request.user, meeting=meeting)
    except DomainError as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, _t("已随机抽取专家；种子和专家库快照已记录，可随时复核。"))
    return redirect("expert-meeting", meeting.pk)


@require_POST
def draw_replace(request: HttpRequest, pk: int) -> HttpResponse:
    _require_organizer(request)
    meeting = _meeting(request, pk)
    panel = current_panel(meeting)
    form = ReplaceForm(request.POST, panel=panel, prefix="replace")
    if form.is_valid():
        expert = next(e for e in panel if e.pk == form.cleaned_data["expert"])
        try:
            replacement = services.draw_replace(
                actor=request.user,
                meeting=meeting,
                expert=expert,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            form.add_error(None, refusal_text(error))
        else:
            messages.success(
                request,
                _t("已按抽取顺序补抽：%(new)s 替换 %(old)s。")
                % {"new": replacement.replacement.name, "old": expert.name},
            )
            return redirect("expert-meeting", meeting.pk)
    meeting = _meeting(request, pk)  # as it is now: a refused replacement changed nothing
    return _meeting_page(request, meeting, replace_form=form, status=422)


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("取消原因"),
        max_length=ReviewMeeting._meta.get_field("cancelled_reason").max_length,
        help_text=_("例如：可抽取专家不足；会议时间有误；项目暂停。取消后可重新发起评审会。"),
    )


@require_POST
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """A meeting that cannot take place is cancelled with its reason (kept on record); the step
    may then convene a new one."""
    _require_organizer(request)
    meeting = _meeting(request, pk)
    form = CancelForm(request.POST, prefix="cancel")
    if form.is_valid():
        try:
            services.meeting_cancel(
                actor=request.user, meeting=meeting, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            form.add_error("reason", refusal_text(error))
        else:
            messages.success(request, _t("评审会已取消；可重新发起评审会。"))
            return redirect("expert-meeting", meeting.pk)
    meeting = _meeting(request, pk)  # as it is now: a refused cancellation changed nothing
    return _meeting_page(request, meeting, cancel_form=form, status=422)


# --- verifying a past draw ---------------------------------------------------------------------


def draw_verification(request: HttpRequest, pk: int) -> HttpResponse:
    """Recompute the draw from its recorded seed and pool snapshot and compare with the record
    and with who sits on the panel now. The audit bureau may check this too."""
    user = request.user
    _require_reader(request)
    meeting = _meeting(request, pk)
    record = getattr(meeting, "draw", None)
    if record is None:
        raise Http404(_t("本次评审会尚未抽取专家"))
    result = draw_verify(meeting)
    replacements = list(
        record.replacements.select_related("replaced", "replacement", "by").order_by("id")
    )
    sitting = [e.pk for e in current_panel(meeting)]
    problems = list(result.problems)
    if sitting != result.expected_panel:
        problems.append(_t("评审会现有专家名单与按记录重新计算的名单不符"))
    names = {entry["id"]: entry["name"] for entry in record.pool}
    names.update({r.replacement_id: r.replacement.name for r in replacements})
    names.update({r.replaced_id: r.replaced.name for r in replacements})
    rank_of = {expert_id: i + 1 for i, expert_id in enumerate(result.ranking)}
    drawn = set(record.drawn)
    pool = sorted(
        (
            {**entry, "rank": rank_of.get(entry["id"]), "drawn": entry["id"] in drawn}
            for entry in record.pool
        ),
        key=lambda e: (e["rank"] or 10**9, e["id"]),
    )
    recomputed_digest = algorithm.pool_digest(record.pool)
    rb = _rulebook(meeting.project)
    context = {
        "meeting": meeting,
        "project": meeting.project,
        "record": record,
        "ok": not problems,
        "problems": problems,
        "recomputed_digest": recomputed_digest,
        "digest_ok": recomputed_digest == record.pool_digest,
        "ranking_ok": list(record.ranking) == result.ranking,
        "pool": pool,
        "replacements": replacements,
        "excluded": _exclusions(record.exclusions, Citer(rb) if rb else _no_cite),
        "expected_panel": [(i, names.get(i, "")) for i in result.expected_panel],
        "current_panel": [(i, names.get(i, "")) for i in sitting],
        "drawn": [(i, names.get(i, "")) for i in record.drawn],
        "can_manage": _organizer(user) and not is_auditor(user),
    }
    return render(request, "web/experts/verify.html", context)


# --- the expert's own pages: the meetings they sit on, the materials, their opinion ----------

CONCLUSION_CHOICES = [
    ("approve", _("建议通过")),
    ("return", _("建议修改后再审")),
    ("reject", _("建议不予通过")),
]
DECISION_CHOICES = [
    ("approve", _("通过")),
    ("return", _("退回修改")),
    ("reject", _("不予通过")),
]


class OpinionForm(forms.Form):
    conclusion = forms.ChoiceField(
        label=_("评审建议"), choices=CONCLUSION_CHOICES, widget=forms.RadioSelect
    )
    score = forms.DecimalField(
        label=_("评分（0至100分）"), min_value=0, max_value=100, decimal_places=2, max_digits=5
    )
    text = forms.CharField(
        label=_("评审意见"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("对建设必要性、建设内容、技术方案和投资估算等提出意见"),
    )


def _expert(request: HttpRequest) -> Expert:
    expert = getattr(request.user, "expert", None)
    if expert is None:
        raise PermissionDenied(_t("只有评审专家可以查看此页面"))
    return expert


def _seat(expert: Expert, pk: int) -> Seat:
    """The expert's seat on this meeting (a vacated one too: a replaced expert is told so). A
    meeting the expert was never drawn for is, for them, one that does not exist."""
    seat = (
        Seat.objects.filter(meeting_id=pk, expert=expert)
        .select_related(
            "meeting",
            "meeting__project",
            "meeting__project__unit",
            "meeting__project__jurisdiction",
            "meeting__project__rulebook",
            "meeting__step",
            "meeting__organizer",
        )
        .order_by("-id")
        .first()
    )
    if seat is None:
        raise Http404(_t("评审会不存在或无权查看"))
    return seat


def my_meetings(request: HttpRequest) -> HttpResponse:
    """The meetings the signed-in expert sits on, newest first, with whether they have given
    their opinion."""
    expert = _expert(request)
    meetings = list(
        expert_meetings(expert).select_related("project", "project__unit", "step").order_by("-id")
    )
    given = set(
        ExpertOpinion.objects.filter(expert=expert, meeting__in=meetings).values_list(
            "meeting_id", flat=True
        )
    )
    rows = [{"meeting": m, "given": m.pk in given} for m in meetings]
    return render(request, "web/experts/mine.html", {"expert": expert, "rows": rows})


def _refusal_cite(error: DomainError, meeting: ReviewMeeting) -> str | None:
    """The article of a refusal: the service's own, or else the rule the meeting is held under
    (who may sit: the pool article; anything else: the step's)."""
    if error.cite:
        return error.cite
    if error.code == "FORBIDDEN":
        return _pool_cite(meeting.step) or meeting.step.cite
    return meeting.step.cite


def opinion_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One meeting as its expert sees it: the project, the materials to read and the opinion
    form; their opinion once given; the meeting's conclusion once reached."""
    expert = _expert(request)
    seat = _seat(expert, pk)
    meeting = seat.meeting
    form = OpinionForm(request.POST or None)
    refusal = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.opinion_submit(
                    actor=request.user,
                    meeting=meeting,
                    text=data["text"],
                    score=data["score"],
                    conclusion=data["conclusion"],
                )
            except DomainError as error:
                refusal = {"message": error.message, "cite": _refusal_cite(error, meeting)}
            else:
                messages.success(request, _t("评审意见已提交。"))
                return redirect("expert-opinion", meeting.pk)
        status = 422
        meeting.refresh_from_db(fields=["status", "conclusion", "conclusion_text"])
    project = meeting.project
    step = meeting.step
    rb = _rulebook(project)
    cite = Citer(rb) if rb else _no_cite
    sitting = holds_seat(seat)
    mine = ExpertOpinion.objects.filter(meeting=meeting, expert=expert).first()
    documents = []
    if sitting:
        documents = list(
            Document.objects.filter(project=project, versions__isnull=False)
            .distinct()
            .prefetch_related(Prefetch("versions", DocumentVersion.objects.order_by("-number")))
            .order_by("step_kind", "name", "pk")
        )
        for document in documents:
            document.step_label = (
                STEP_LABELS[document.step_kind][0] if document.step_kind in STEP_LABELS else ""
            )
    if refusal is not None:
        refusal["cite"] = cite(refusal["cite"])
    context = {
        "expert": expert,
        "seat": seat,
        "sitting": sitting,
        "meeting": meeting,
        "project": project,
        "step": step,
        "step_cite": cite(step.cite),
        "pool_cite": cite(_pool_cite(step)),
        "documents": documents,
        "mine": mine,
        "mine_label": dict(CONCLUSION_CHOICES).get(mine.conclusion, "") if mine else "",
        "decision_label": dict(DECISION_CHOICES).get(meeting.conclusion, meeting.conclusion),
        "form": form,
        "can_submit": sitting and mine is None and meeting.status == MeetingStatus.DRAWN,
        "refusal": refusal,
    }
    return render(request, "web/experts/opinion.html", context, status=status)


def material_download(request: HttpRequest, pk: int, version_id: int) -> FileResponse:
    """A material of the meeting's project, for an expert who sits on it now."""
    seat = _seat(_expert(request), pk)
    if seat.vacated_at is not None:
        raise Http404(_t("材料不存在或无权查看"))
    if not holds_seat(seat):
        raise PermissionDenied(_t("评审会已取消，您的席位已解除，不能再查阅评审材料。"))
    version = DocumentVersion.objects.filter(
        pk=version_id, document__project_id=seat.meeting.project_id
    ).first()
    if version is None:
        raise Http404(_t("材料不存在或无权查看"))
    return version_response(request, version)


# --- the competent department concludes the meeting --------------------------------------------


class ConclusionForm(forms.Form):
    conclusion = forms.ChoiceField(
        label=_("评审会结论"), choices=DECISION_CHOICES, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("结论意见"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("综合专家组意见形成的结论；退回修改或不予通过须写明理由"),
    )

    def __init__(self, *args: Any, checks: list[dict[str, Any]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.checks = checks
        # rendered by the template, each check with its article that opens to the text
        self.fields["confirmed_checks"] = forms.MultipleChoiceField(
            label=_("核查事项"),
            required=False,
            choices=[(c["code"], c["text"]) for c in checks],
            widget=forms.CheckboxSelectMultiple,
        )


def _block_checks(step: ProjectStep) -> list[dict[str, Any]]:
    """What the conclusion must confirm, when the conclusion is what decides the step."""
    if step.actor != "experts":
        return []
    return [c for c in step.checks if c.get("severity", "block") == "block"]


@refuse_readers
def meeting_conclusion(request: HttpRequest, pk: int) -> HttpResponse:
    """Every expert's opinion, then the form for the meeting's conclusion (通过 / 退回修改 /
    不予通过), with the step's block checks to confirm, each with its article."""
    _require_organizer(request)
    meeting = _meeting(request, pk)
    step = meeting.step
    checks = _block_checks(step)
    form = ConclusionForm(request.POST or None, checks=checks)
    refusal = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.meeting_conclude(
                    actor=request.user,
                    meeting=meeting,
                    conclusion=data["conclusion"],
                    text=data["text"],
                    confirmed_checks=data.get("confirmed_checks") or [],
                )
            except DomainError as error:
                refusal = {"message": error.message, "cite": error.cite}
            else:
                messages.success(
                    request,
                    _t("评审会已形成结论：%(decision)s。")
                    % {"decision": dict(DECISION_CHOICES)[data["conclusion"]]},
                )
                return redirect("expert-meeting", meeting.pk)
        status = 422
        meeting = _meeting(request, pk)  # as it is now: a refused conclusion changed nothing
    rb = _rulebook(meeting.project)
    cite = Citer(rb) if rb else _no_cite
    seats = list(
        Seat.objects.filter(meeting=meeting, vacated_at__isnull=True)
        .select_related("expert")
        .order_by("position", "id")
    )
    opinions = {
        o.expert_id: o
        for o in ExpertOpinion.objects.filter(meeting=meeting).select_related("expert")
    }
    labels = dict(CONCLUSION_CHOICES)
    rows = [
        {
            "seat": s,
            "opinion": opinions.get(s.expert_id),
            "label": labels.get(opinions[s.expert_id].conclusion, "")
            if s.expert_id in opinions
            else "",
        }
        for s in seats
    ]
    missing = [r["seat"].expert for r in rows if r["opinion"] is None]
    given = [o for o in opinions.values() if o.expert_id in {s.expert_id for s in seats}]
    tally = {
        label: sum(1 for o in given if o.conclusion == key) for key, label in CONCLUSION_CHOICES
    }
    average = sum(o.score for o in given) / len(given) if given else None
    if refusal is not None:
        refusal["cite"] = cite(refusal["cite"])
    context = {
        "meeting": meeting,
        "project": meeting.project,
        "step": step,
        "step_cite": cite(step.cite),
        "rows": rows,
        "missing": missing,
        "tally": tally,
        "average": average,
        "decides_step": step.actor == "experts",
        "checks": [{**c, "cite_html": cite(c.get("cite"))} for c in checks],
        "checked": set(form["confirmed_checks"].value() or []) if form.is_bound else set(),
        "form": form,
        "refusal": refusal,
        "decision_label": dict(DECISION_CHOICES).get(meeting.conclusion, meeting.conclusion),
        "open": meeting.status == MeetingStatus.DRAWN,
    }
    return render(request, "web/experts/conclude.html", context, status=status)


urlpatterns = [
    path("experts/", draw_list, name="expert-draws"),
    path("experts/steps/<int:step_pk>/meeting/", meeting_create, name="expert-meeting-create"),
    path("experts/meetings/<int:pk>/", meeting_detail, name="expert-meeting"),
    path("experts/meetings/<int:pk>/draw/", draw_make, name="expert-draw"),
    path("experts/meetings/<int:pk>/replace/", draw_replace, name="expert-replace"),
    path("experts/meetings/<int:pk>/cancel/", meeting_cancel, name="expert-meeting-cancel"),
    path("experts/meetings/<int:pk>/verification/", draw_verification, name="expert-verification"),
    path("experts/meetings/<int:pk>/conclusion/", meeting_conclusion, name="expert-conclude"),
    path("experts/mine/", my_meetings, name="expert-my-meetings"),
    path("experts/mine/<int:pk>/", opinion_page, name="expert-opinion"),
    path(
        "experts/mine/<int:pk>/materials/<int:version_id>/",
        material_download,
        name="expert-material",
    ),
]
