"""An invalid rulebook is refused with the file, the path inside it, its line and what is wrong."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from govit.policy.loader import RulebookError, load_rulebook

REGULATION = "测试办法\n第一条 甲。\n第二条 乙：\n（一）子；\n（二）丑。\n第三条 本办法自2024年1月1日起施行。\n"

VALID = textwrap.dedent(
    """\
    id: sample
    version: 1
    title: 测试办法
    short_name: 测试
    source: {file: sample.txt, title: 测试办法, begins_at: 测试办法}
    jurisdiction: {name: 测试县, level: county}
    issuing_office: 测试县人民政府
    effective_from: {date: 2024-01-01, cite: 第三条}
    actors:
      competent_department: {name: 县局, cite: 第一条}
    thresholds:
      big: {name: 大项目, amount: 2000000, cite: 第二条}
    steps:
      - kind: declaration
        name: 申报
        actor: construction_unit
        cite: 第二条第（一）项
    """
)


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "sample.txt").write_text(REGULATION, encoding="utf-8")
    path = tmp_path / "sample.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def mutate(change) -> str:
    data = yaml.safe_load(VALID)
    change(data)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def load(tmp_path: Path, text: str):
    return load_rulebook(write(tmp_path, text), regulation_dir=tmp_path)


def test_the_valid_sample_loads(tmp_path):
    rb = load(tmp_path, VALID)
    assert rb.id == "sample"
    assert rb.status_on(__import__("datetime").date(2024, 1, 1)) == "in_force"
    assert len(rb.digest) == 64  # SM3


def test_unknown_field_names_file_path_and_line(tmp_path):
    text = VALID.replace(
        "    cite: 第二条第（一）项\n", "    cite: 第二条第（一）项\n    colour: red\n"
    )
    with pytest.raises(RulebookError) as err:
        load(tmp_path, text)
    message = str(err.value)
    assert "sample.yaml" in message
    assert "steps[0].colour" in message
    assert "第18行" in message
    assert "未知的字段" in message


@pytest.mark.parametrize(
    ("change", "where", "what"),
    [
        (lambda d: d["steps"][0].update(cite="第2条"), "steps[0].cite", "引用格式不正确"),
        (lambda d: d["steps"][0].update(cite="第九条"), "steps[0].cite", "没有第九条"),
        (
            lambda d: d["steps"][0].update(cite="第二条第（三）项"),
            "steps[0].cite",
            "没有第（三）项",
        ),
        (lambda d: d["steps"][0].update(kind="approval_x"), "steps[0].kind", "取值不正确"),
        (lambda d: d["steps"][0].update(actor="mayor"), "steps[0].actor", "取值不正确"),
        (lambda d: d["steps"][0].update(working_days=0), "steps[0].working_days", "数值过小"),
        (lambda d: d["steps"][0].update(when={"colour": "red"}), "steps[0].when", "未知的事实"),
        (
            lambda d: d["steps"][0].update(when={"at_least": "huge"}),
            "steps[0].when",
            "未定义的限额“huge”",
        ),
        (
            lambda d: d["steps"][0].update(when={"contract_amount": {"gt": 1}}),
            "steps[0].when",
            "没有默认值",
        ),
        (
            lambda d: d["steps"][0].update(when={"classified": "yes"}),
            "steps[0].when",
            "true 或 false",
        ),
        (
            lambda d: d["steps"][0].update(when={"total_investment": {"between": 1}}),
            "steps[0].when",
            "未知的比较",
        ),
        (lambda d: d["thresholds"]["big"].update(amount=-1), "thresholds.big.amount", "数值过小"),
        (lambda d: d.update(id="other"), "id", "应与文件名一致"),
        (lambda d: d.update(not_encoded={"第一条": "无"}), "not_encoded.第一条", "已有规则引用"),
        (lambda d: d.update(not_encoded={"第八条": "无"}), "not_encoded.第八条", "没有第八条"),
        (
            lambda d: d.update(draft={"note": "稿", "cite": "第三条"}),
            "（顶层）",
            "征求意见稿没有施行日期",
        ),
        (lambda d: d.pop("steps"), "steps", "缺少必填项"),
    ],
)
def test_each_kind_of_mistake_is_named(tmp_path, change, where, what):
    with pytest.raises(RulebookError) as err:
        load(tmp_path, mutate(change))
    message = str(err.value)
    assert where in message, message
    assert what in message, message
    assert str(tmp_path / "sample.yaml") in message


def test_a_missing_source_text_is_named(tmp_path):
    text = VALID.replace("file: sample.txt", "file: nowhere.txt")
    with pytest.raises(RulebookError, match="source: 无法读取条文"):
        load(tmp_path, text)


def test_not_yaml_at_all(tmp_path):
    with pytest.raises(RulebookError, match="不是有效的 UTF-8 YAML"):
        load(tmp_path, "id: [unclosed\n")
