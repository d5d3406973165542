"""The materials a step requires (ProjectStep.documents, from the rulebook), each matched to what
satisfies it. A material is known by its key, "<step kind>.<n>" (the step's n-th material; a step
is stored once per project with the rulebook version the project was declared under, so the key
does not move). An upload into a material's slot records the key on the Document; an upload made
before keys existed satisfies a material only under exactly its name. A material another body
issues (`by:` 评审意见、审核意见) is satisfied by that body's approving opinion recorded on an earlier
step of the project, or by the issued document uploaded into its slot."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from govit.core.errors import InvalidInput
from govit.documents.models import Document, DocumentVersion
from govit.projects.models import Action, Opinion, ProjectStep
from govit.projects.workflow import decision, rulebook_of

UNIT = "construction_unit"


@dataclass(frozen=True)
class Material:
    key: str
    step_kind: str
    name: str
    by: str
    cite: str
    document: Document | None = None
    version: DocumentVersion | None = None  # the latest version of the matched document
    opinion: Any = None  # the issuing body's approving Opinion, for a material another body issues

    @property
    def satisfied(self) -> bool:
        return self.version is not None or self.opinion is not None

    @property
    def issued_elsewhere(self) -> bool:
        return self.by != UNIT


def project_versions(project: Any, ids: Any) -> list[DocumentVersion]:
    """The versions of the project's documents with these ids (what a submission or an opinion
    carries); the caller refuses when one is missing."""
    return list(DocumentVersion.objects.filter(pk__in=ids, document__project=project))


def material_key(step_kind: str, index: int) -> str:
    return f"{step_kind}.{index}"


# the materials a change request needs (the rulebook's change.documents, 连平第二十一条: 项目变更单)
# are keyed "change.<n>" as a step's are: uploaded into their slot, they count whatever their name
CHANGE = "change"


def change_materials(project: Any) -> list[dict[str, Any]]:
    """The documents a change of this project requires, in the rulebook's order."""
    spec = rulebook_of(project).model.change
    return [{"name": d.name, "cite": d.cite} for d in spec.documents] if spec else []


def change_material_present(project: Any, index: int, name: str) -> bool:
    """Whether the project holds an uploaded document for the change's ``index``-th material:
    uploaded into its slot (its key), or — an upload made before the slots — under its name."""
    return Document.objects.filter(
        Q(material=material_key(CHANGE, index)) | Q(material="", name=name),
        project=project,
        versions__isnull=False,
    ).exists()


def first_step(project: Any) -> Any:
    """A draft's first step as its declaration will store it (the steps are stored at declaration;
    the unit uploads the declaration's materials before): the same rulebook answer, unsaved."""
    first = decision(project)["steps"][0]
    return ProjectStep(
        project=project,
        seq=1,
        kind=first["kind"],
        name=first["name"],
        cite=first["cite"],
        documents=[dict(d) for d in first["documents"]],
    )


def step_material(project: Any, key: str) -> tuple[Any, dict[str, Any]]:
    """The step and the material a key names on this project; an unknown key is refused."""
    kind, _, number = (key or "").strip().rpartition(".")
    step = None
    if kind == CHANGE and number.isdigit():
        required = change_materials(project)
        if 1 <= int(number) <= len(required):
            return None, required[int(number) - 1]
    elif kind and number.isdigit():
        step = project.steps.filter(kind=kind).first()
        if step is None and project.status == "draft":
            step = first_step(project)
            step = step if step.kind == kind else None
    index = int(number) if step is not None else 0
    if step is None or not 1 <= index <= len(step.documents):
        raise InvalidInput(f"本项目没有这项须提交材料：{(key or '')[:60]}", code="INVALID_MATERIAL")
    return step, step.documents[index - 1]


def step_materials(step: Any) -> list[Material]:
    """Every material the step requires, with the document version or opinion satisfying it."""
    if not step.documents:
        return []
    documents = [
        d
        for d in Document.objects.filter(project_id=step.project_id).prefetch_related("versions")
        if d.versions.all()
    ]
    by_key = {d.material: d for d in documents if d.material}
    by_name: dict[str, Document] = {}
    for d in documents:
        by_name.setdefault(d.name, d)
    opinions = _issued_opinions(step) if any(_by(d) != UNIT for d in step.documents) else {}
    materials = []
    for index, doc in enumerate(step.documents, start=1):
        key = material_key(step.kind, index)
        document = by_key.get(key) or by_name.get(doc["name"])
        version = max(document.versions.all(), key=lambda v: v.number) if document else None
        by = _by(doc)
        materials.append(
            Material(
                key=key,
                step_kind=step.kind,
                name=doc["name"],
                by=by,
                cite=doc.get("cite") or step.cite,
                document=document,
                version=version,
                opinion=opinions.get(by) if by != UNIT and version is None else None,
            )
        )
    return materials


def missing_materials(step: Any) -> list[Material]:
    return [m for m in step_materials(step) if not m.satisfied]


def _by(doc: dict[str, Any]) -> str:
    return doc.get("by") or UNIT


def _issued_opinions(step: Any) -> dict[str, Any]:
    """The latest approving opinion of each body on the steps before this one."""
    found: dict[str, Any] = {}
    for opinion in (
        Opinion.objects.filter(
            project_id=step.project_id,
            action=Action.APPROVE,
            step__seq__lt=step.seq,
            task__isnull=False,
        )
        .select_related("task", "step", "organization")
        .order_by("at", "id")
    ):
        found[opinion.task.actor] = opinion
    return found


def uploaded_in_round(step: ProjectStep) -> list[int]:
    """The versions uploaded into the step's material slots since its current round opened:
    what a 陈述和补正 carries."""
    versions = DocumentVersion.objects.filter(
        document__project_id=step.project_id, document__material__startswith=f"{step.kind}."
    )
    if step.started_on is not None:
        versions = versions.filter(uploaded_at__date__gte=step.started_on)
    return list(versions.values_list("pk", flat=True))
