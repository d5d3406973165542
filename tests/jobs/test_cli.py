"""`govit jobs list | run NAME | run-due`: the in-process scheduler for servers without Redis."""

from __future__ import annotations

import pytest

from govit.cli import main
from govit.jobs import registry

pytestmark = pytest.mark.django_db


def test_run_due_then_nothing_is_due_and_list_shows_the_windows(tree, capsys):
    assert main(["jobs", "run-due"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split("（")[0] for line in out] == [f"✓ {job.name}" for job in registry.JOBS]
    # 临湘 has expired, but this tree has no administrator yet to tell
    assert "✓ rulebook_expiry（2026-11-23T06:30）完成：涉及辖区 1，提醒 0，邮件 0" in out
    assert main(["jobs", "run-due"]) == 0
    assert capsys.readouterr().out == "没有到时的任务\n"
    assert main(["jobs", "list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[3].split("\t")[:3] == [
        "deadline_scan",
        "每天 07:00",
        "最近成功：2026-11-23T07:00",
    ]


def test_run_one_job_by_name_even_when_done(tree, capsys):
    assert main(["jobs", "run", "recheck"]) == 0
    assert main(["jobs", "run", "recheck"]) == 0
    assert capsys.readouterr().out.count("✓ recheck（2026-11-23T01:00）完成") == 2


def test_an_unknown_job_is_bad_input(capsys):
    assert main(["jobs", "run", "backup_everything"]) == 2
    err = capsys.readouterr().err
    assert "没有名为“backup_everything”的后台任务" in err and "deadline_scan" in err
