"""`govit backup` / `govit restore`: the database, the uploaded files and a manifest of SM3 digests.

A backup is a directory::

    manifest.json     what is in it: time, versions, applied migrations, rows per table,
                      the SM3 digest and size of the dump and of every file
    database.jsonl    every row, one JSON object a line, tables in dependency order
    media/<name>      every file of the upload storage (local MEDIA_ROOT or S3), by its storage name

**Why Django's serializer (JSON Lines) and not pg_dump.** The same dump works on SQLite and on
PostgreSQL, so a pilot run on SQLite moves to PostgreSQL by `backup` + `restore`; it needs no
client binary matching the server's major version; it streams (one line a row, memory stays flat
with millions of events); and it is a standard Django fixture that `manage.py loaddata` could
also read. Two things Django's default JSON would get wrong are handled here: its encoder cuts
times to milliseconds (the event log's SM3 chain digests microseconds: ``ExactEncoder`` keeps
them), and ``loaddata`` refills ``auto_now`` fields (rows are inserted raw: byte for byte what
was dumped). The dump runs in one REPEATABLE READ transaction on PostgreSQL (one transaction on
SQLite): a consistent snapshot while the system is in use. For point-in-time recovery of a
large province database, PostgreSQL's own base backups and WAL archiving complement this; they
do not replace the file digests and the row counts that `restore` verifies.

`restore` checks everything before it changes anything: the manifest, the digest of the dump and
of every file, the target's migrations, that the target database holds no data and that no file
of the same name with other content is in the storage (both unless ``--force``). Then it writes
the files, loads every row in one transaction, and verifies the result: the rows per table, every
event stream's hash chain, every file's digest (and each document version's recorded SM3).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO, TextIO

from cryptography.hazmat.primitives import hashes
from django.apps import apps
from django.core import serializers
from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, models, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.fields.files import FileField

from govit.core import clock
from govit.documents.models import DocumentVersion
from govit.events.models import Event
from govit.events.services import chain_problems

FORMAT = "govit-backup/1"
MANIFEST = "manifest.json"
DUMP = "database.jsonl"
MEDIA = "media"
CHUNK = 1 << 20
BATCH = 500

# Not backed up: sessions (a restored database must not let old cookies in; users sign in again).
SKIPPED = {"sessions.session"}
# Made by `migrate` in every database (post_migrate); replaced by the backup's rows on restore.
INFRASTRUCTURE = {"contenttypes.contenttype", "auth.permission"}


class RestoreRefused(Exception):
    """Nothing was changed; the message (Chinese) says why."""


class BackupError(Exception):
    """The backup could not be made; the message (Chinese) says why."""


class ExactEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder, except that times keep their microseconds (the event chain digests
    them: a millisecond timestamp would no longer match its digest)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime | dt.time):
            return o.isoformat()
        return super().default(o)


def _sm3() -> hashes.Hash:
    return hashes.Hash(hashes.SM3())


class _HashingWriter(io.TextIOBase):
    """A text stream that writes UTF-8 to a binary file and digests it on the way."""

    def __init__(self, raw: BinaryIO):
        self.raw, self.digest, self.size = raw, _sm3(), 0

    def write(self, text: str) -> int:  # type: ignore[override]
        data = text.encode("utf-8")
        self.digest.update(data)
        self.raw.write(data)
        self.size += len(data)
        return len(text)


def file_digest(fh: BinaryIO) -> tuple[str, int]:
    digest, size = _sm3(), 0
    while chunk := fh.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.finalize().hex(), size


# ---------------------------------------------------------------------------------------------
# what is dumped, in which order


def dumped_models() -> list[type[models.Model]]:
    """Every concrete table Django manages, dependencies first (a table after the tables its
    foreign keys point to; cycles allowed): the order a reader, or ``loaddata``, expects."""
    candidates = [
        m
        for m in apps.get_models()
        if m._meta.managed and not m._meta.proxy and m._meta.label_lower not in SKIPPED
    ]
    known = set(candidates)
    ordered: list[type[models.Model]] = []
    seen: set[type[models.Model]] = set()

    def visit(model: type[models.Model]) -> None:
        if model in seen:
            return
        seen.add(model)
        for f in model._meta.concrete_fields:
            target = f.related_model if f.is_relation else None
            if target in known and target is not model:
                visit(target)  # type: ignore[arg-type]
        for f in model._meta.local_many_to_many:
            if f.related_model in known and f.related_model is not model:
                visit(f.related_model)  # type: ignore[arg-type]
        ordered.append(model)

    for model in sorted(candidates, key=lambda m: m._meta.label_lower):
        visit(model)
    return ordered


def _auto_m2m(model: type[models.Model]) -> list[models.ManyToManyField]:
    return [
        f
        for f in model._meta.local_many_to_many
        if f.remote_field.through._meta.auto_created  # type: ignore[union-attr]
    ]


def _tables(model_list: Iterable[type[models.Model]]) -> list[type[models.Model]]:
    """The models and their automatic many-to-many tables."""
    result = []
    for model in model_list:
        result.append(model)
        result.extend(f.remote_field.through for f in _auto_m2m(model))  # type: ignore[misc]
    return result


def row_counts(using: str = "default") -> dict[str, int]:
    """Rows per table of everything a backup holds."""
    return {
        m._meta.db_table: m._base_manager.using(using).count() for m in _tables(dumped_models())
    }


def applied_migrations(using: str = "default") -> list[list[str]]:
    recorder = MigrationRecorder(connections[using])
    if not recorder.has_table():
        return []
    return sorted([app, name] for app, name in recorder.applied_migrations())


def _version() -> str:
    try:
        return metadata.version("govit")
    except metadata.PackageNotFoundError:
        return "unknown"


def _safe_name(name: str) -> str:
    """A storage name as given in a manifest: relative, no '..' (it becomes a path on restore)."""
    path = PurePosixPath(name)
    if not name or path.is_absolute() or ".." in path.parts or "\\" in name:
        raise RestoreRefused(f"清单中的文件名不安全：{name!r}")
    return str(path)


def storage_files(storage: Storage) -> Iterator[str]:
    """Every file name in the storage (FileSystemStorage and S3Storage both list directories)."""

    def walk(prefix: str) -> Iterator[str]:
        try:
            dirs, files = storage.listdir(prefix)
        except FileNotFoundError:
            return  # the upload directory before the first upload
        for name in sorted(files):
            yield f"{prefix}/{name}" if prefix else name
        for name in sorted(dirs):
            yield from walk(f"{prefix}/{name}" if prefix else name)

    yield from walk("")


def referenced_files(using: str = "default") -> set[str]:
    """The names the database's file fields point to."""
    names: set[str] = set()
    for model in dumped_models():
        for f in model._meta.concrete_fields:
            if isinstance(f, FileField):
                names.update(
                    n
                    for n in model._base_manager.using(using)
                    .exclude(**{f.attname: ""})
                    .values_list(f.attname, flat=True)
                    .iterator()
                    if n
                )
    return names


# ---------------------------------------------------------------------------------------------
# backup


@dataclass
class BackupResult:
    directory: Path
    manifest: dict[str, Any]
    missing: list[str] = field(default_factory=list)


def default_directory() -> Path:
    from django.conf import settings
    from django.utils import timezone

    stamp = timezone.localtime(clock.now()).strftime("%Y%m%d-%H%M%S")
    return Path(settings.VAR_DIR) / "backups" / f"govit-{stamp}"


def backup(
    directory: Path, *, using: str = "default", storage: Storage | None = None
) -> BackupResult:
    """Write a backup into ``directory`` (which must not exist or be empty). It is written under
    ``<directory>.partial`` and renamed at the end: a directory with a manifest is complete."""
    storage = storage or storages["default"]
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"备份目录 {directory} 已存在且不为空：不覆盖已有的备份")
    partial = directory.with_name(directory.name + ".partial")
    if partial.exists():
        shutil.rmtree(partial)
    partial.mkdir(parents=True)

    connection = connections[using]
    outermost = not connection.in_atomic_block  # else (a test) the outer transaction decides
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:  # a snapshot of one moment, not of each table
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        database = _dump(partial / DUMP, using)
        migrations = applied_migrations(using)
        referenced = referenced_files(using)

    # after the snapshot: a file uploaded meanwhile is one more, never one missing (an upload is
    # a new version, never a replaced or deleted file)
    files = []
    for name in storage_files(storage):
        target = partial / MEDIA / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with storage.open(name, "rb") as src, open(target, "wb") as out:
            digest, size = _sm3(), 0
            while chunk := src.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
        files.append({"name": name, "sm3": digest.finalize().hex(), "size": size})
    present = {f["name"] for f in files}
    missing = sorted(referenced - present)

    manifest = {
        "format": FORMAT,
        "created_at": clock.now().isoformat(),
        "govit_version": _version(),
        "django_version": _django_version(),
        "digest": "SM3",
        "database": database | {"vendor": connection.vendor},
        "migrations": migrations,
        "files": files,
        "missing_files": missing,
    }
    (partial / MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    if directory.exists():
        directory.rmdir()  # empty, checked above
    partial.rename(directory)
    return BackupResult(directory, manifest, missing)


def _django_version() -> str:
    import django

    return django.get_version()


def _dump(path: Path, using: str) -> dict[str, Any]:
    counts: dict[str, int] = {}
    with open(path, "wb") as raw:
        out = _HashingWriter(raw)
        for model in dumped_models():
            m2m = [f.name for f in _auto_m2m(model)]
            queryset = model._base_manager.using(using).order_by(model._meta.pk.name)
            if m2m:
                queryset = queryset.prefetch_related(*m2m)
            counts[model._meta.db_table] = queryset.count()
            serializers.serialize(
                "jsonl", queryset.iterator(chunk_size=2000), stream=out, cls=ExactEncoder
            )
            for f in _auto_m2m(model):
                through = f.remote_field.through  # type: ignore[union-attr]
                counts[through._meta.db_table] = through._base_manager.using(using).count()
        return {
            "file": DUMP,
            "sm3": out.digest.finalize().hex(),
            "size": out.size,
            "tables": counts,
        }


# ---------------------------------------------------------------------------------------------
# restore


@dataclass
class RestoreResult:
    loaded: dict[str, int]
    files_written: int
    files_kept: int
    problems: list[str]


def read_manifest(directory: Path) -> dict[str, Any]:
    path = Path(directory) / MANIFEST
    if not path.is_file():
        raise RestoreRefused(f"{directory} 不是备份目录（没有 {MANIFEST}）")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RestoreRefused(f"{MANIFEST} 无法解析：{exc}") from None
    if manifest.get("format") != FORMAT:
        raise RestoreRefused(f"不认识的备份格式：{manifest.get('format')!r}（应为 {FORMAT}）")
    return manifest


def verify_backup(directory: Path, manifest: dict[str, Any]) -> list[str]:
    """Recompute the digest of the dump and of every file; the mismatches, in Chinese."""
    directory = Path(directory)
    problems = []
    expected = [(DUMP, manifest["database"]["sm3"], manifest["database"]["size"])] + [
        (f"{MEDIA}/{_safe_name(f['name'])}", f["sm3"], f["size"]) for f in manifest["files"]
    ]
    listed = {name for name, _, _ in expected}
    for name, sm3, size in expected:
        path = directory / name
        if not path.is_file():
            problems.append(f"缺少文件 {name}")
            continue
        with open(path, "rb") as fh:
            digest, actual = file_digest(fh)
        if digest != sm3 or actual != size:
            problems.append(f"{name} 的 SM3 摘要与清单不符（文件被改动或损坏）")
    media = directory / MEDIA
    if media.is_dir():
        for path in sorted(media.rglob("*")):
            name = path.relative_to(directory).as_posix()
            if path.is_file() and name not in listed:
                problems.append(f"{name} 不在清单中")
    return problems


def restore(
    directory: Path,
    *,
    using: str = "default",
    storage: Storage | None = None,
    force: bool = False,
    log: TextIO | None = None,
) -> RestoreResult:
    """Restore a backup into the database ``using`` and the upload storage; raises
    ``RestoreRefused`` (having changed nothing) when the backup or the target is not right."""
    storage = storage or storages["default"]
    say = (lambda text: print(text, file=log)) if log else (lambda text: None)
    directory = Path(directory)
    manifest = read_manifest(directory)

    say("校验备份中的摘要……")
    problems = verify_backup(directory, manifest)
    if problems:
        raise RestoreRefused(
            "备份与清单不符，未做任何更改：\n" + "\n".join(f"  - {p}" for p in problems)
        )

    connection = connections[using]
    wanted = {tuple(m) for m in manifest["migrations"]}
    applied = {tuple(m) for m in applied_migrations(using)}
    fresh = not applied
    if fresh:
        known = set(MigrationLoader(connection, ignore_no_migrations=True).graph.nodes)
        if known != wanted:
            raise RestoreRefused(_migration_mismatch(wanted, known, "本版本程序"))
    elif applied != wanted:
        raise RestoreRefused(_migration_mismatch(wanted, applied, "目标数据库"))

    if not fresh and not force:
        holding = {
            m._meta.db_table: n
            for m in [*dumped_models(), apps.get_model("sessions", "Session")]
            if m._meta.label_lower not in INFRASTRUCTURE
            and (n := m._base_manager.using(using).count())
        }
        if holding:
            listed = "、".join(f"{t}（{n}行）" for t, n in sorted(holding.items())[:5])
            raise RestoreRefused(
                f"目标数据库不是空的：{listed}{'等' if len(holding) > 5 else ''}。"
                "恢复会替换其中全部数据；确认无误后加 --force"
            )

    files = [f | {"name": _safe_name(f["name"])} for f in manifest["files"]]
    to_write, kept = [], 0
    for f in files:
        if storage.exists(f["name"]):
            with storage.open(f["name"], "rb") as fh:
                same = file_digest(fh) == (f["sm3"], f["size"])
            if same:
                kept += 1
                continue
            if not force:
                raise RestoreRefused(
                    f"上传存储中已有同名而内容不同的文件 {f['name']}，未做任何更改；确认无误后加 --force"
                )
        to_write.append(f)

    if fresh:
        say("目标数据库为空库，先建立表结构（migrate）……")
        call_command("migrate", database=using, interactive=False, verbosity=0)

    say(f"写入上传文件 {len(to_write)} 个（已有相同的 {kept} 个）……")
    for f in to_write:
        if storage.exists(f["name"]):
            storage.delete(f["name"])
        with open(directory / MEDIA / f["name"], "rb") as fh:
            saved = storage.save(f["name"], File(fh, name=f["name"]))
        if saved != f["name"]:
            raise RuntimeError(f"storage renamed {f['name']} to {saved}")

    say("载入数据库……")
    loaded = _load(directory / DUMP, using)
    if using == "default":
        # what the cache holds (kept pages, users, the plan board) was read from the data the
        # restore replaced: none of it may be served (govit/kept/reads.py)
        say("清空缓存……")
        cache.clear()

    say("核对恢复结果……")
    problems = verify_restored(manifest, using=using, storage=storage)
    return RestoreResult(loaded, len(to_write), kept, problems)


def _migration_mismatch(wanted: set, have: set, where: str) -> str:
    def show(items: set) -> str:
        names = sorted(f"{a}.{n}" for a, n in items)
        return "、".join(names[:5]) + ("等" if len(names) > 5 else "")

    parts = []
    if wanted - have:
        parts.append(f"备份有而{where}没有：{show(wanted - have)}")
    if have - wanted:
        parts.append(f"{where}有而备份没有：{show(have - wanted)}")
    return (
        f"备份的数据库结构与{where}不一致（{'；'.join(parts)}）。"
        "请用备份时的 GovIT 版本恢复，再升级并运行 govit manage migrate"
    )


def _load(path: Path, using: str) -> dict[str, int]:
    connection = connections[using]
    every = [*_tables(dumped_models()), apps.get_model("sessions", "Session")]
    loaded: dict[str, int] = defaultdict(int)
    with transaction.atomic(using=using):
        flush = connection.ops.sql_flush(
            no_style(), [m._meta.db_table for m in every], reset_sequences=True
        )
        if connection.vendor == "postgresql":
            # TRUNCATE refuses a table with deferred foreign-key checks still pending in this
            # transaction (rows written earlier in it): run those checks now
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            connection.ops.execute_sql_flush(flush)
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            connection.ops.execute_sql_flush(flush)
        with open(path, encoding="utf-8") as fh:
            batch: list[Any] = []
            for item in serializers.deserialize("jsonl", fh, using=using):
                if batch and type(item.object) is not type(batch[0].object):
                    _insert(batch, using, loaded)
                    batch = []
                batch.append(item)
                if len(batch) >= BATCH:
                    _insert(batch, using, loaded)
                    batch = []
            if batch:
                _insert(batch, using, loaded)
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), every):
                cursor.execute(sql)
        connection.check_constraints(table_names=[m._meta.db_table for m in every])
    return dict(loaded)


def _insert(batch: list[Any], using: str, loaded: dict[str, int]) -> None:
    """Insert the rows exactly as dumped: raw, so that no field computes its own value."""
    model = type(batch[0].object)
    fields = list(model._meta.concrete_fields)
    model._base_manager.using(using)._insert(
        [item.object for item in batch], fields=fields, raw=True, using=using
    )
    loaded[model._meta.db_table] += len(batch)
    for f in _auto_m2m(model):
        through = f.remote_field.through  # type: ignore[union-attr]
        source = through._meta.get_field(f.m2m_field_name()).attname
        target = through._meta.get_field(f.m2m_reverse_field_name()).attname
        rows = [
            through(**{source: item.object.pk, target: pk})
            for item in batch
            for pk in item.m2m_data.get(f.name, [])
        ]
        if rows:
            through._base_manager.using(using).bulk_create(rows, batch_size=BATCH)
        loaded[through._meta.db_table] += len(rows)


def verify_restored(
    manifest: dict[str, Any], *, using: str = "default", storage: Storage | None = None
) -> list[str]:
    """The restored state against the manifest: rows per table, the event log's chains, every
    file's digest and every document version's recorded SM3. The problems, in Chinese."""
    storage = storage or storages["default"]
    problems = []
    counts = row_counts(using)
    for table, expected in manifest["database"]["tables"].items():
        if counts.get(table) != expected:
            problems.append(f"表 {table}：应有 {expected} 行，恢复后 {counts.get(table)} 行")
    problems.extend(verify_event_chains(using))
    for f in manifest["files"]:
        try:
            with storage.open(f["name"], "rb") as fh:
                digest, size = file_digest(fh)
        except FileNotFoundError:
            problems.append(f"文件 {f['name']} 恢复后不存在")
            continue
        if (digest, size) != (f["sm3"], f["size"]):
            problems.append(f"文件 {f['name']} 恢复后摘要不符")
    problems.extend(verify_document_digests(using, storage))
    return problems


def verify_event_chains(using: str = "default") -> list[str]:
    """Every event stream's SM3 chain, recomputed on the database ``using``."""
    events = Event.objects.using(using).order_by("stream", "seq")
    return chain_problems(events.iterator(chunk_size=2000))


def verify_document_digests(using: str = "default", storage: Storage | None = None) -> list[str]:
    """Each uploaded version's file against the SM3 recorded when it was uploaded."""
    storage = storage or storages["default"]
    problems = []
    for name, sm3 in (
        DocumentVersion.objects.using(using).values_list("file", "sm3").iterator(chunk_size=2000)
    ):
        try:
            with storage.open(name, "rb") as fh:
                digest, _ = file_digest(fh)
        except FileNotFoundError:
            problems.append(f"材料文件 {name} 不存在")
            continue
        if digest != sm3:
            problems.append(f"材料文件 {name} 与上传时记录的 SM3 摘要不符")
    return problems
