"""The govit command: decide prints UTF-8 JSON; bad input exits 2 with a Chinese message naming
the field and never a traceback; rulebook commands validate, show, diff and cover."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from govit.cli import main

ROOT = Path(__file__).resolve().parents[2]


def run(capsys, *argv: str, stdin: str | None = None, monkeypatch=None) -> tuple[int, str, str]:
    if stdin is not None:
        import io

        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def facts_file(tmp_path: Path, data) -> str:
    path = tmp_path / "facts.json"
    path.write_text(
        data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8"
    )
    return str(path)


def test_decide_prints_unescaped_chinese_json(capsys, tmp_path):
    path = facts_file(
        tmp_path, {"total_investment": 2_000_000, "plan_year": 2027, "declared_on": "2026-10-20"}
    )
    code, out, err = run(capsys, "decide", "--rulebook", "yueyang", path, "--on", "2026-11-23")
    assert (code, err) == (0, "")
    assert "岳阳市市本级政务信息化项目建设管理办法" in out  # not \\u escapes
    answer = json.loads(out)
    assert answer["expert_review_required"] is True
    assert answer["declaration"] == {"deadline": "2026-10-31", "on_time": True, "cite": "第十二条"}


def test_decide_reads_stdin(capsys, monkeypatch):
    code, out, _ = run(
        capsys,
        "decide",
        "--rulebook",
        "lianping",
        "-",
        "--on",
        "2026-11-23",
        stdin='{"total_investment": 499999.99}',
        monkeypatch=monkeypatch,
    )
    assert code == 0 and json.loads(out)["track"] == "filing"


def test_decimal_amounts_stay_exact(capsys, monkeypatch):
    code, out, _ = run(
        capsys,
        "decide",
        "--rulebook",
        "lianping",
        "-",
        "--on",
        "2026-11-23",
        stdin='{"total_investment": 500000.01}',
        monkeypatch=monkeypatch,
    )
    # one 分 over 50万元 leaves 连平第十二条's "50万元以下": the amount is not rounded to 50万
    assert code == 0 and json.loads(out)["track"] == "approval"


@pytest.mark.parametrize(
    ("facts", "message"),
    [
        ({}, "缺少必填字段“total_investment”"),
        ({"total_investment": -1}, "“total_investment”（项目总投资/预算金额）不能为负数"),
        ({"total_investment": "100"}, "“total_investment”（项目总投资/预算金额）应为数字"),
        ({"total_investment": True}, "应为数字"),
        ({"total_investment": 1, "colour": "red"}, "未知的字段“colour”"),
        ({"total_investment": 1, "classified": "yes"}, "“classified”（涉密）应为 true 或 false"),
        (
            {"total_investment": 1, "declared_on": "2026-02-30"},
            "“declared_on”（申报日期）不是有效日期",
        ),
        ({"total_investment": 1, "declared_on": "2026/10/01"}, "不是有效日期"),
        ({"total_investment": 1, "plan_year": 2027.5}, "“plan_year”（申报计划年度）应为整数"),
        (
            {"total_investment": 1, "funding_source": "loan"},
            "“funding_source”（资金来源）的取值不正确",
        ),
        (
            {"total_investment": 1, "step_started_on": {"lunch": "2026-01-01"}},
            "“lunch”不是环节类型",
        ),
        (
            {"total_investment": 1, "proposed_change": {"new_total": 5}},
            "缺少必填字段“proposed_change.amount”",
        ),
        (
            {"total_investment": 1, "proposed_change": {"amount": -5}},
            "“proposed_change.amount”（变更部分金额）不能为负数",
        ),
        ({"total_investment": 1, "unfinished_prior_year_projects": -1}, "不能为负数"),
        ([1, 2], "事实应为一个 JSON 对象"),
        ("{not json", "不是有效的 JSON（第1行第2列）"),
        ('{"total_investment": NaN}', "JSON 不允许的数值"),
    ],
)
def test_bad_facts_exit_2_with_a_chinese_message(capsys, tmp_path, facts, message):
    code, out, err = run(capsys, "decide", "--rulebook", "yueyang", facts_file(tmp_path, facts))
    assert code == 2
    assert out == ""
    assert message in err
    assert "Traceback" not in err


def test_several_problems_are_all_listed(capsys, tmp_path):
    path = facts_file(tmp_path, {"total_investment": "1", "classified": 1, "colour": 2})
    code, _, err = run(capsys, "decide", "--rulebook", "yueyang", path)
    assert code == 2
    assert err.count("  - ") == 3


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["decide", "--rulebook", "nowhere", "FACTS"], "没有编号为“nowhere”的规则手册"),
        (["decide", "--rulebook", "yueyang", "/no/such/file.json"], "无法读取事实文件"),
        (["decide", "--rulebook", "yueyang", "FACTS", "--on", "2026-13-01"], "不是有效日期"),
        (["decide", "FACTS"], "参数错误"),
    ],
)
def test_bad_arguments_exit_2(capsys, tmp_path, argv, message):
    path = facts_file(tmp_path, {"total_investment": 1})
    code, _, err = run(capsys, *[path if a == "FACTS" else a for a in argv])
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_the_installed_command_runs_as_a_process(tmp_path):
    path = facts_file(tmp_path, {"total_investment": 1})
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "govit",
            "decide",
            "--rulebook",
            "heilongjiang",
            path,
            "--on",
            "2026-01-05",
        ],
        capture_output=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0
    assert "黑龙江省" in done.stdout.decode("utf-8")
    bad = subprocess.run(
        [sys.executable, "-m", "govit", "decide", "--rulebook", "heilongjiang", "-"],
        input=b'{"total_investment": -3}',
        capture_output=True,
        check=False,
        cwd=ROOT,
    )
    assert bad.returncode == 2 and "不能为负数" in bad.stderr.decode("utf-8")


def test_rulebooks_validate(capsys):
    code, out, _ = run(capsys, "rulebooks", "validate")
    assert code == 0
    assert out.count("✓") == 6


def test_rulebooks_validate_fails_on_an_invalid_rulebook(capsys, tmp_path, monkeypatch):
    broken = (
        (ROOT / "rulebooks" / "yueyang.yaml")
        .read_text(encoding="utf-8")
        .replace("cite: 第十六条\n", "cite: 第九十九条\n", 1)
    )
    (tmp_path / "broken.yaml").write_text(
        broken.replace("id: yueyang", "id: broken"), encoding="utf-8"
    )
    monkeypatch.setenv("GOVIT_RULEBOOK_DIRS", str(tmp_path))
    code, _, err = run(capsys, "rulebooks", "validate", "broken")
    assert code == 1
    assert "broken.yaml" in err and "没有第九十九条" in err


def test_coverage_lists_all_210_articles(capsys):
    code, out, _ = run(capsys, "rulebooks", "coverage")
    assert code == 0
    assert "合计：6部规则手册，210条，缺漏0条" in out
    code, out, _ = run(capsys, "rulebooks", "coverage", "--json")
    data = json.loads(out)
    assert sum(len(rows) for rows in data.values()) == 210
    row = next(r for r in data["yueyang"] if r["article"] == "第二十七条")
    assert any("final_acceptance" in rule for rule in row["rules"])
    first = data["yueyang"][0]
    assert first["rules"] == [] and first["reason"]


def test_show_is_readable_chinese(capsys):
    code, out, _ = run(capsys, "rulebooks", "show", "lianping")
    assert code == 0
    assert "县政务服务数据管理局" in out
    assert "时限：12个工作日" in out
    assert "征求意见稿" in out


def test_diff_names_the_differences_rule_by_rule(capsys):
    code, out, _ = run(capsys, "rulebooks", "diff", "yueyang", "linxiang")
    assert code == 0
    assert "10月31日前【第十二条】" in out and "10月30日前【第十条】" in out
    assert "有效期" in out and "5年" in out and "2年" in out


def test_article_prints_the_cited_text(capsys):
    code, out, _ = run(capsys, "rulebooks", "article", "yueyang", "第二十七条第（二）项")
    assert code == 0 and "100万元(含)以上" in out
    code, _, err = run(capsys, "rulebooks", "article", "yueyang", "第九十条")
    assert code == 2 and "没有第九十条" in err


def test_calendar_commands(capsys):
    assert run(capsys, "calendar", "add-days", "2026-09-30", "5")[1].strip() == "2026-10-13"
    code, _, err = run(capsys, "calendar", "add-days", "2026-12-28", "5")
    assert code == 2 and "2027年" in err
    code, out, _ = run(capsys, "calendar", "show", "2026")
    assert code == 0 and "春节" in out and "2026-02-14" in out
    assert run(capsys, "calendar", "validate")[0] == 0
