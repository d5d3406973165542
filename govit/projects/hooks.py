"""Where the back half plugs into the workflow. The workflow (``workflow.py``, ``services.py``)
knows step kinds, gate requirements and the values it reads, never the apps that provide them:
construction, acceptance, payments, obligations, materials and the unit's record register here in
their ``AppConfig.ready()``, and the workflow calls what is registered. A new gate is a name in the
rulebook schema (``policy.schema.Gate.requires``) and one ``requirement`` registration, with no
edit of the workflow.

Four kinds of registration:
- step hooks, per moment and step kind (``on_step``): what is checked or done when a step opens,
  before the unit submits it, before a task completes it, after it passes, when it is returned;
- gate requirements (``requirement``): what falls short of a requirement a gate names, as the
  names a message lists (empty: met);
- values (``value``): one provider per name, e.g. the effective contract amount;
- listeners (``listen``): told when something happened, e.g. the plan board when a stage moves.

A value, requirement or listener the workflow needs that nothing registered raises
``NotRegistered``; the system check ``govit.E001`` (``projects/apps.py``) reports it at startup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, get_args

from govit.policy.schema import Gate

STEP_MOMENTS = ("opened", "before_submit", "before_complete", "after_pass", "returned")
ANY_KIND = "*"

# what the workflow reads by name (projects/workflow.py, projects/services.py)
REQUIRED_VALUES = (
    "contract_amount",  # the construction contracts' amount as the latest agreed change left it
    "agreed_changes",  # how many changes were filed or approved
    "active_penalties",  # the penalties in force against a project
    "step_materials",  # a step's required materials, each with what satisfies it
    "missing_materials",  # those nothing satisfies yet
    "document_versions",  # the project's document versions by id (what a submission carries)
    "carried_due",  # the day a step carrying a yearly duty is due (the O&M report)
)
REQUIRED_LISTENERS = ("board_changed",)


def required_requirements() -> tuple[str, ...]:
    """Every requirement a rulebook's gate may name: each needs its provider."""
    annotation = Gate.model_fields["requires"].annotation
    return tuple(a for arg in get_args(annotation) for a in get_args(arg))


class NotRegistered(LookupError):
    """The workflow needs a name nothing registered: a configuration error, not a refusal."""

    code = "HOOK_NOT_REGISTERED"

    def __init__(self, kind: str, name: str):
        super().__init__(f"{kind} “{name}” is not registered ({self.code})")
        self.kind, self.name = kind, name


@dataclass
class Registry:
    steps: list[tuple[str, tuple[str, ...], Callable[..., None]]] = field(default_factory=list)
    requirements: dict[str, Callable[[Any], list[str]]] = field(default_factory=dict)
    values: dict[str, Callable[..., Any]] = field(default_factory=dict)
    listeners: dict[str, list[Callable[..., None]]] = field(default_factory=dict)


_registry = Registry()


# --- registering (AppConfig.ready) ---------------------------------------------------------


def on_step(moment: str, kinds: tuple[str, ...] | str, hook: Callable[..., None]) -> None:
    """Call ``hook(step, actor, ...)`` at ``moment`` for steps of ``kinds`` (``ANY_KIND``: every
    step). Hooks of a moment run in the order they were registered."""
    if moment not in STEP_MOMENTS:
        raise ValueError(f"unknown step moment {moment!r}; one of {STEP_MOMENTS}")
    kinds = (kinds,) if isinstance(kinds, str) else tuple(kinds)
    _registry.steps.append((moment, kinds, hook))


def requirement(name: str, shortfalls: Callable[[Any], list[str]]) -> None:
    """``shortfalls(project)``: what fails the gate requirement ``name`` (names for the message;
    empty when met). One provider per name."""
    _one(_registry.requirements, "requirement", name, shortfalls)


def value(name: str, provider: Callable[..., Any]) -> None:
    _one(_registry.values, "value", name, provider)


def listen(name: str, listener: Callable[..., None]) -> None:
    _registry.listeners.setdefault(name, []).append(listener)


def _one(table: dict[str, Any], kind: str, name: str, fn: Callable[..., Any]) -> None:
    if name in table and table[name] is not fn:
        raise ValueError(f"{kind} “{name}” is registered twice")
    table[name] = fn


# --- calling (the workflow) ----------------------------------------------------------------


def run_step(moment: str, step: Any, *args: Any) -> None:
    for at, kinds, hook in list(_registry.steps):
        if at == moment and (ANY_KIND in kinds or step.kind in kinds):
            hook(step, *args)


def shortfalls(name: str, project: Any) -> list[str]:
    provider = _registry.requirements.get(name)
    if provider is None:
        raise NotRegistered("requirement", name)
    return provider(project)


def get(name: str, *args: Any, **kwargs: Any) -> Any:
    provider = _registry.values.get(name)
    if provider is None:
        raise NotRegistered("value", name)
    return provider(*args, **kwargs)


def notify(name: str, *args: Any, **kwargs: Any) -> None:
    listeners = _registry.listeners.get(name)
    if not listeners:
        raise NotRegistered("listener", name)
    for listener in listeners:
        listener(*args, **kwargs)


def missing() -> list[tuple[str, str]]:
    """What the workflow needs that nothing registered, as (kind, name): the system check's."""
    out = [("requirement", n) for n in required_requirements() if n not in _registry.requirements]
    out += [("value", n) for n in REQUIRED_VALUES if n not in _registry.values]
    out += [("listener", n) for n in REQUIRED_LISTENERS if not _registry.listeners.get(n)]
    return out


@contextmanager
def isolated(*, keep_apps: bool = True) -> Iterator[Registry]:
    """For tests: registrations inside the block are forgotten after it. The apps' registrations
    stay visible inside unless ``keep_apps`` is false (an empty registry)."""
    global _registry
    saved = _registry
    _registry = Registry()
    if keep_apps:
        _registry.steps = list(saved.steps)
        _registry.requirements = dict(saved.requirements)
        _registry.values = dict(saved.values)
        _registry.listeners = {k: list(v) for k, v in saved.listeners.items()}
    try:
        yield _registry
    finally:
        _registry = saved
