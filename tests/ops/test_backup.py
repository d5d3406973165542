"""`govit backup` / `govit restore`: a restore into a fresh database gives back every row, every
file (by its SM3 digest) and an intact event log; a tampered backup or a database that already
holds data is refused, and then nothing has changed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage
from django.db import connection

from govit import cli
from govit.core.digest import sm3
from govit.documents.models import DocumentVersion
from govit.events.models import Event
from govit.events.services import _content, verify_stream
from govit.ops import backup as ops
from govit.organizations.models import User
from govit.projects.models import Opinion, Project
from tests.workflow import flows

pytestmark = pytest.mark.django_db


def stored(media: Path) -> dict[str, bytes]:
    return {
        p.relative_to(media).as_posix(): p.read_bytes()
        for p in sorted(media.rglob("*"))
        if p.is_file()
    }


def snapshot(media: Path, using: str = "default") -> tuple:
    return ops.row_counts(using), stored(media)


def events(using: str = "default") -> list[dict]:
    return [
        _content(e) | {"digest": e.digest}
        for e in Event.objects.using(using).order_by("stream", "seq")
    ]


def test_the_manifest_holds_the_sm3_of_the_dump_and_of_every_file_the_rows_time_and_version(
    world, media, tmp_path
):
    result = ops.backup(tmp_path / "b")
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest == result.manifest
    assert manifest["format"] == "govit-backup/1"
    assert manifest["created_at"] == "2026-11-23T09:00:00+08:00"  # the platform clock
    assert manifest["govit_version"] and manifest["django_version"]
    assert manifest["digest"] == "SM3"
    dump = (tmp_path / "b" / "database.jsonl").read_bytes()
    assert manifest["database"]["sm3"] == sm3(dump)
    assert manifest["database"]["size"] == len(dump)
    assert manifest["database"]["vendor"] == connection.vendor

    files = stored(media)
    assert len(files) == DocumentVersion.objects.count() >= 2
    assert {f["name"]: (f["sm3"], f["size"]) for f in manifest["files"]} == {
        name: (sm3(data), len(data)) for name, data in files.items()
    }
    for name, data in files.items():
        assert (tmp_path / "b" / "media" / name).read_bytes() == data
    assert manifest["missing_files"] == []

    tables = manifest["database"]["tables"]
    assert tables["events_event"] == Event.objects.count() > 5
    assert tables["projects_project"] == Project.objects.count() == 1
    assert tables["projects_opinion_documents"] == Opinion.documents.through.objects.count() >= 2
    assert "django_session" not in tables
    # one line a row of each model's table (many-to-many rows ride along with their model's)
    models = {m._meta.db_table for m in ops.dumped_models()}
    assert sum(1 for line in dump.splitlines() if line.strip()) == sum(
        n for table, n in tables.items() if table in models
    )
    assert {"projects_opinion_documents", "organizations_user_groups"} <= set(tables) - models
    # times keep their microseconds: the event chain digests them
    assert ".123456" in dump.decode("utf-8")


def test_restore_into_a_fresh_database_gives_back_every_row_file_and_the_event_chain(
    world, media, tmp_path, fresh_database
):
    before_counts, before_files = snapshot(media)
    before_events = events()
    assert any(e["at"].endswith(".123456+00:00") for e in before_events)
    updated_at = Project.objects.values_list("updated_at", flat=True).get()
    ops.backup(tmp_path / "b")

    target = FileSystemStorage(location=tmp_path / "restored-media")
    result = ops.restore(tmp_path / "b", using=fresh_database, storage=target)

    assert result.problems == []
    assert result.files_written == len(before_files)
    # every row of every table, and only those
    assert ops.row_counts(fresh_database) == before_counts
    assert sum(result.loaded.values()) == sum(before_counts.values())
    # every file, byte for byte, and so with the digest recorded at upload
    assert stored(tmp_path / "restored-media") == before_files
    for name, recorded in DocumentVersion.objects.using(fresh_database).values_list("file", "sm3"):
        assert sm3((tmp_path / "restored-media" / name).read_bytes()) == recorded
    # the event log: the same content, the same digests, every chain intact
    assert events(fresh_database) == before_events
    assert ops.verify_event_chains(fresh_database) == []
    assert Project.objects.using(fresh_database).values_list("updated_at", flat=True).get() == (
        updated_at
    )  # an auto_now field keeps its value, not the time of the restore
    opinion = Opinion.objects.using(fresh_database).exclude(documents=None).get()
    assert opinion.documents.count() >= 2
    assert User.objects.using(fresh_database).filter(username=world["cast"].user("unit").username)

    # and it keeps working: a new row gets a new id (the sequences moved past the restored rows)
    last = Event.objects.using(fresh_database).order_by("-id").first()
    new = Event(**{f.attname: getattr(last, f.attname) for f in Event._meta.concrete_fields})
    new.pk, new.seq = None, last.seq + 1
    new.save(using=fresh_database)
    assert new.pk > last.pk


@pytest.mark.parametrize("tamper", ["file", "dump", "extra", "missing"])
def test_a_backup_that_does_not_match_its_manifest_is_refused_and_nothing_changes(
    world, media, tmp_path, tamper
):
    ops.backup(tmp_path / "b")
    name = json.loads((tmp_path / "b" / "manifest.json").read_text())["files"][0]["name"]
    if tamper == "file":
        path = tmp_path / "b" / "media" / name
        data = bytearray(path.read_bytes())
        data[-1] ^= 1
        path.write_bytes(bytes(data))
    elif tamper == "dump":
        dump = tmp_path / "b" / "database.jsonl"
        dump.write_text(dump.read_text(encoding="utf-8").replace("报送建设方案", "报送设计方案"))
    elif tamper == "extra":
        (tmp_path / "b" / "media" / "projects" / "planted.pdf").write_bytes(b"%PDF")
    else:
        (tmp_path / "b" / "media" / name).unlink()
    # a different project was added after the backup: a refused restore must not remove it
    flows.declared(world["cast"], unit="other_unit", name="岳阳市卫健委项目", amount=500_000)
    before = snapshot(media)

    with pytest.raises(ops.RestoreRefused, match="备份与清单不符，未做任何更改") as refused:
        ops.restore(tmp_path / "b", force=True)

    expected = {
        "file": "SM3 摘要与清单不符",
        "dump": "database.jsonl 的 SM3 摘要与清单不符",
        "extra": "media/projects/planted.pdf 不在清单中",
        "missing": f"缺少文件 media/{name}",
    }[tamper]
    assert expected in str(refused.value)
    assert snapshot(media) == before


def test_a_database_holding_data_is_refused_without_force(world, media, tmp_path):
    ops.backup(tmp_path / "b")
    before = snapshot(media)
    with pytest.raises(ops.RestoreRefused, match=r"目标数据库不是空的：.*确认无误后加 --force"):
        ops.restore(tmp_path / "b")
    assert snapshot(media) == before


def test_with_force_the_database_returns_to_the_backup(world, media, tmp_path):
    ops.backup(tmp_path / "b")
    manifest = ops.read_manifest(tmp_path / "b")
    later = flows.declared(world["cast"], unit="other_unit", name="备份之后的项目", amount=500_000)
    session = SessionStore()
    session.create()  # a signed-in browser: its cookie must not outlive a restore
    cache.set("kept:response:later", "a page showing 备份之后的项目")  # read from the later data
    assert ops.row_counts() != manifest["database"]["tables"]

    result = ops.restore(tmp_path / "b", force=True)

    assert result.problems == []
    assert cache.get("kept:response:later") is None  # nothing read before the restore is served
    assert ops.row_counts() == manifest["database"]["tables"]
    assert not Session.objects.exists()
    assert not Project.objects.filter(pk=later.pk).exists()
    assert verify_stream(f"project:{world['project'].pk}") == []
    # the files already there with the same content are kept, not rewritten
    assert result.files_kept == len(manifest["files"]) and result.files_written == 0


def test_a_file_of_the_same_name_with_other_content_is_refused_without_force(
    world, media, tmp_path, fresh_database
):
    ops.backup(tmp_path / "b")
    name = ops.read_manifest(tmp_path / "b")["files"][0]["name"]
    target = tmp_path / "target-media"
    (target / name).parent.mkdir(parents=True)
    (target / name).write_bytes(b"other content")
    with pytest.raises(ops.RestoreRefused, match=f"同名而内容不同的文件 {name}"):
        ops.restore(tmp_path / "b", using=fresh_database, storage=FileSystemStorage(target))
    assert (target / name).read_bytes() == b"other content"
    assert ops.applied_migrations(fresh_database) == []  # not even the tables were made


def test_a_backup_of_another_schema_is_refused(world, media, tmp_path):
    ops.backup(tmp_path / "b")
    path = tmp_path / "b" / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["migrations"].append(["projects", "9999_from_the_future"])
    path.write_text(json.dumps(manifest))
    with pytest.raises(
        ops.RestoreRefused, match=r"备份的数据库结构与目标数据库不一致.*9999_from_the_future"
    ):
        ops.restore(tmp_path / "b", force=True)


def test_an_unsafe_file_name_in_the_manifest_is_refused(world, media, tmp_path):
    ops.backup(tmp_path / "b")
    path = tmp_path / "b" / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["files"][0]["name"] = "../../etc/cron.d/evil"
    path.write_text(json.dumps(manifest))
    with pytest.raises(ops.RestoreRefused, match="清单中的文件名不安全"):
        ops.restore(tmp_path / "b", force=True)


def test_a_file_the_database_names_but_the_storage_lacks_is_reported(world, media, tmp_path):
    version = world["revised"]
    (Path(media) / version.file.name).unlink()
    result = ops.backup(tmp_path / "b")
    assert result.missing == [version.file.name]
    assert result.manifest["missing_files"] == [version.file.name]


def test_the_commands(world, media, tmp_path, capsys):
    assert cli.main(["backup", str(tmp_path / "b")]) == 0
    out = capsys.readouterr().out
    assert f"✓ 已备份到 {tmp_path / 'b'}" in out
    assert f"上传文件 {DocumentVersion.objects.count()} 个" in out

    assert cli.main(["backup", str(tmp_path / "b")]) == 2
    assert "已存在且不为空：不覆盖已有的备份" in capsys.readouterr().err

    assert cli.main(["restore", str(tmp_path / "b")]) == 1
    assert "govit: 拒绝恢复：目标数据库不是空的" in capsys.readouterr().err

    assert cli.main(["restore", str(tmp_path / "nowhere")]) == 2
    assert "备份目录不存在" in capsys.readouterr().err

    shutil.rmtree(tmp_path / "b" / "media")
    assert cli.main(["restore", "--force", str(tmp_path / "b")]) == 1
    assert "缺少文件 media/" in capsys.readouterr().err

    ops.backup(tmp_path / "c")
    assert cli.main(["restore", "--force", str(tmp_path / "c")]) == 0
    assert "行数、事件链和文件摘要均已核对" in capsys.readouterr().out
