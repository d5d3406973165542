"""Load rulebooks: validate the YAML against the schema, check every citation against the
regulation's text, compile every condition. An invalid rulebook raises :class:`RulebookError`
naming the file, the path inside it (with its line) and what is wrong."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from cryptography.hazmat.primitives import hashes
from pydantic import BaseModel, ValidationError

from govit.policy.articles import (
    ArticleParseError,
    CitationError,
    Regulation,
    cn_to_int,
    load_regulation_file,
)
from govit.policy.calendar import add_months
from govit.policy.conditions import Compiled, ConditionError, ThresholdRef, compile_condition
from govit.policy.schema import Rulebook, Validity
from govit.policy.vocab import actor_label

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_RULEBOOK_DIR = ROOT / "rulebooks"
DEFAULT_REGULATION_DIR = ROOT / "regulations"


class RulebookError(ValueError):
    def __init__(self, file: Path | str, problems: list[str]):
        self.file = str(file)
        self.problems = problems
        super().__init__("\n".join(f"{self.file}: {p}" for p in problems))


class UnknownRulebook(LookupError):
    def __init__(self, rulebook_id: str, known: list[str]):
        self.rulebook_id = rulebook_id
        super().__init__(f"没有编号为“{rulebook_id}”的规则手册；可用：{', '.join(known)}")


@dataclass(frozen=True)
class RuleRef:
    """One rule of a rulebook, as coverage and diff see it."""

    path: str
    cite: str
    summary: str


@dataclass
class LoadedRulebook:
    model: Rulebook
    regulation: Regulation
    path: Path
    digest: str
    # id(rule) → its compiled ``when``; rules without a condition are absent (they always apply)
    conditions: dict[int, Compiled] = field(default_factory=dict)
    plans: dict[str, Any] = field(default_factory=dict)  # per-consumer precomputed views
    thresholds: dict[str, ThresholdRef] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.model.id

    @property
    def title(self) -> str:
        return self.model.title

    @cached_property
    def effective_until(self) -> dt.date | None:
        """The last day in force: 有效期N年 from the effective date (2023-07-20 + 5年 → 2028-07-19)."""
        m = self.model
        if m.validity is None or m.effective_from is None:
            return None
        return add_months(m.effective_from.date, 12 * m.validity.years) - dt.timedelta(days=1)

    def with_validity(self, years: int, source: str) -> LoadedRulebook:
        """This rulebook with a validity its text does not state (the administrator's record,
        RulebookVersion.validity_years): 有效期N年 from its effective date, the basis named."""
        m = self.model
        if m.validity is not None or m.effective_from is None:
            return self
        key = (self.digest, years, source)
        if key not in _with_validity:
            validity = Validity(years=years, cite=m.effective_from.cite, source=source)
            _with_validity[key] = dataclasses.replace(
                self, model=m.model_copy(update={"validity": validity})
            )
        return _with_validity[key]

    @cached_property
    def facts_read(self) -> frozenset[str]:
        """The project facts some rule of this rulebook tests: the keys of its ``when``
        conditions and the states its gates ``require`` (a form asks only for these)."""
        found: set[str] = set()

        def condition(raw: Any) -> None:
            if isinstance(raw, dict):
                for key, value in raw.items():
                    if key in ("any", "all"):
                        for part in value:
                            condition(part)
                    elif key == "not":
                        condition(value)
                    else:
                        found.add(key)

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                for key, value in node.items():
                    if key == "when":
                        condition(value)
                    elif key == "requires" and isinstance(value, str):
                        found.add(value)
                    else:
                        walk(value)
            elif isinstance(node, list):
                for item in node:
                    walk(item)

        walk(self.model.model_dump())
        return frozenset(found)

    def status_on(self, on: dt.date) -> str:
        m = self.model
        if m.draft is not None:
            return "draft"
        assert m.effective_from is not None
        if on < m.effective_from.date:
            return "not_yet_effective"
        if self.effective_until is not None and on > self.effective_until:
            return "expired"
        return "in_force"

    def actor_name(self, actor: str) -> str:
        """The local name (市行政审批服务局) where the rulebook gives one, else the generic one."""
        role = self.model.actors.get(actor)  # type: ignore[call-overload]
        return role.name if role is not None else actor_label(actor)

    def condition(self, rule: Any) -> Compiled | None:
        return self.conditions.get(id(rule))

    def cite_text(self, cite: str) -> str:
        return self.regulation.cite_text(cite)

    def rules(self) -> Iterator[RuleRef]:
        yield from _walk_rules(self.model, "")


def rulebook_dirs() -> list[Path]:
    extra = os.environ.get("GOVIT_RULEBOOK_DIRS", "")
    return [DEFAULT_RULEBOOK_DIR, *(Path(p) for p in extra.split(os.pathsep) if p)]


def rulebook_paths() -> dict[str, Path]:
    paths: dict[str, Path] = {}
    for directory in rulebook_dirs():
        for path in sorted(directory.glob("*.yaml")):
            paths[path.stem] = path
    return paths


_cache: dict[str, LoadedRulebook] = {}


def get_rulebook(rulebook_id: str) -> LoadedRulebook:
    """The loaded rulebook with this id (cached for the life of the process)."""
    if rulebook_id not in _cache:
        paths = rulebook_paths()
        if rulebook_id not in paths:
            raise UnknownRulebook(rulebook_id, sorted(paths))
        _cache[rulebook_id] = load_rulebook(paths[rulebook_id])
    return _cache[rulebook_id]


def all_rulebooks() -> list[LoadedRulebook]:
    return [get_rulebook(rid) for rid in rulebook_paths()]


def clear_cache() -> None:
    _cache.clear()


def load_rulebook(path: Path, regulation_dir: Path | None = None) -> LoadedRulebook:
    return load_rulebook_bytes(path.read_bytes(), path, regulation_dir=regulation_dir)


_by_digest: dict[str, LoadedRulebook] = {}
_with_validity: dict[tuple[str, int, str], LoadedRulebook] = {}


def rulebook_from_text(text: str, label: str) -> LoadedRulebook:
    """A rulebook from stored YAML (a pinned version), cached by its SM3 digest."""
    raw = text.encode("utf-8")
    digest = _sm3(raw)
    if digest not in _by_digest:
        _by_digest[digest] = load_rulebook_bytes(raw, Path(label), expect_id=False)
    return _by_digest[digest]


def known_by_digest(digest: str, rulebook_id: str) -> LoadedRulebook | None:
    """The rulebook with this digest if this process has it already (a stored version loaded
    before, or the file of ``rulebook_id`` when it is that version): no need to read the text."""
    found = _by_digest.get(digest)
    if found is None:
        try:
            file = get_rulebook(rulebook_id)
        except UnknownRulebook:
            return None
        found = file if file.digest == digest else None
    return found


def load_rulebook_bytes(
    raw_bytes: bytes,
    path: Path,
    *,
    regulation_dir: Path | None = None,
    expect_id: bool = True,
) -> LoadedRulebook:
    try:
        text = raw_bytes.decode("utf-8")
        data = yaml.safe_load(text)
        lines = _line_index(text)
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise RulebookError(path, [f"不是有效的 UTF-8 YAML：{exc}"]) from None
    if not isinstance(data, dict):
        raise RulebookError(path, ["顶层应为映射（mapping）"])
    try:
        model = Rulebook.model_validate(data)
    except ValidationError as exc:
        raise RulebookError(path, [_describe_error(e, lines) for e in exc.errors()]) from None
    problems: list[str] = []
    if expect_id and model.id != path.stem:
        problems.append(f"id: 应与文件名一致（{path.stem}），实为“{model.id}”")
    source_path = (regulation_dir or DEFAULT_REGULATION_DIR) / model.source.file
    try:
        regulation = load_regulation_file(
            source_path, model.source.title, model.source.begins_at, model.source.ends_before
        )
    except (OSError, ArticleParseError) as exc:
        raise RulebookError(path, [f"source: 无法读取条文：{exc}"]) from None

    loaded = LoadedRulebook(model=model, regulation=regulation, path=path, digest=_sm3(raw_bytes))
    loaded.thresholds = {
        key: ThresholdRef(t.fact, t.amount, t.cite, t.name) for key, t in model.thresholds.items()
    }
    for loc, node in _walk(model, ()):
        cites = {"cite": getattr(node, "cite", None)}
        if getattr(node, "type", None) == "reason_in":
            cites = {f"reasons.{reason}": cite for reason, cite in node.reasons.items()}
        for name, cite in cites.items():
            if isinstance(cite, str):
                try:
                    regulation.resolve(cite)
                except CitationError as exc:
                    at = (*loc, *name.split("."))
                    problems.append(f"{_loc_text(at, lines)}: {exc}")
        if "when" in type(node).model_fields and node.when is not None:
            try:
                loaded.conditions[id(node)] = compile_condition(node.when, loaded.thresholds)
            except ConditionError as exc:
                problems.append(f"{_loc_text((*loc, 'when'), lines)}: {exc}")
    for label in model.not_encoded:
        try:
            number = _article_number(label)
            regulation.article(number)
        except (CitationError, ValueError) as exc:
            problems.append(f"not_encoded.{label}: {exc}")
    encoded = {ref.cite for ref in _walk_rules(model, "")}
    for label in model.not_encoded:
        if any(_article_of(c) == label for cite in encoded for c in cite.split("、")):
            problems.append(f"not_encoded.{label}: 该条已有规则引用，不应再列为未编码")
    if problems:
        raise RulebookError(path, problems)
    return loaded


def _article_number(label: str) -> int:
    if not (label.startswith("第") and label.endswith("条")):
        raise ValueError(f"应写作“第X条”：{label}")
    return cn_to_int(label[1:-1])


def _article_of(cite: str) -> str:
    return cite.split("条", 1)[0] + "条"


def _sm3(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def _walk(node: Any, loc: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], BaseModel]]:
    if isinstance(node, BaseModel):
        yield loc, node
        for name in type(node).model_fields:
            yield from _walk(getattr(node, name), (*loc, name))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _walk(item, (*loc, i))
    elif isinstance(node, dict):
        for key, item in node.items():
            if isinstance(item, BaseModel | list | dict):
                yield from _walk(item, (*loc, key))


def _walk_rules(model: Rulebook, _: str) -> Iterator[RuleRef]:
    for loc, node in _walk(model, ()):
        cite = getattr(node, "cite", None)
        if isinstance(cite, str) and loc:
            yield RuleRef(_path_text(loc, node), cite, _summary(node))
        if getattr(node, "type", None) == "reason_in":
            for reason, reason_cite in node.reasons.items():
                yield RuleRef(f"{_path_text(loc, node)}.{reason}", reason_cite, reason)


def _path_text(loc: tuple[Any, ...], node: Any) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    key = getattr(node, "kind", None) or getattr(node, "code", None)
    return f"{out}（{key}）" if isinstance(key, str) and isinstance(loc[-1], int) else out


def _summary(node: Any) -> str:
    for attr in ("name", "text", "message", "note"):
        value = getattr(node, attr, None)
        if isinstance(value, str):
            return value
    return type(node).__name__


# --- error locations -------------------------------------------------------------------------


def _line_index(text: str) -> dict[tuple[Any, ...], int]:
    """Map each path in the YAML document to its 1-based line number."""
    index: dict[tuple[Any, ...], int] = {}

    def visit(node: yaml.Node, loc: tuple[Any, ...]) -> None:
        index[loc] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                visit(value, (*loc, key.value))
                index[(*loc, key.value)] = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for i, value in enumerate(node.value):
                visit(value, (*loc, i))

    root = yaml.compose(text)
    if root is not None:
        visit(root, ())
    return index


def _loc_text(loc: tuple[Any, ...], lines: dict[tuple[Any, ...], int]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    key = tuple(str(p) if not isinstance(p, int) else p for p in loc)
    line = None
    while key and line is None:
        line = lines.get(key)
        key = key[:-1]
    return f"{path or '（顶层）'}（第{line}行）" if line else (path or "（顶层）")


def _describe_error(error: dict[str, Any], lines: dict[tuple[Any, ...], int]) -> str:
    loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and "[" in p))
    # drop pydantic's discriminator tags, keep the path a reader can find in the file
    loc = tuple(p for p in loc if p not in _UNION_TAGS)
    message = _ERROR_TEXT.get(error["type"], error["msg"])
    if error["type"] in ("value_error", "assertion_error"):
        message = error["msg"].removeprefix("Value error, ")
    elif error["type"] == "literal_error":
        message = f"取值不正确：{error.get('input')!r}；可用：{error['ctx']['expected']}"
    elif error["type"] == "union_tag_invalid":
        message = f"未知的类型：{error.get('input')!r}；可用：{error['ctx']['expected_tags']}"
    return f"{_loc_text(loc, lines)}: {message}"


_UNION_TAGS = {
    "total_within",
    "share_of",
    "max_count",
    "goal_unchanged",
    "reason_in",
    "none_allowed",
}
_ERROR_TEXT = {
    "missing": "缺少必填项",
    "extra_forbidden": "未知的字段（拼写错误？）",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "decimal_parsing": "应为数字",
    "decimal_type": "应为数字",
    "string_type": "应为文字",
    "bool_type": "应为 true 或 false",
    "list_type": "应为列表",
    "dict_type": "应为映射",
    "model_type": "应为映射",
    "date_type": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "greater_than": "数值过小",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "string_pattern_mismatch": "格式不正确",
}
