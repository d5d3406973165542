"""``govit gen --projects N``: fill an empty database with a province's worth of projects.

The people come first, through the services (``govit.gen.setup``). The volume is written in bulk,
in chunks of a few thousand projects, each chunk one transaction (COPY on PostgreSQL). Two passes
over the same seeded projects: the first counts each project's own events, so that the second can
add exactly as many more (revised documents, progress reports) as make the event log the size
asked for, every stream still a valid SM3 chain."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import TextIO

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction

from govit.core import clock
from govit.core.digest import sm3
from govit.demo.cast import DEMO_PASSWORD
from govit.demo.load import one_hash
from govit.gen import bulk, setup
from govit.gen.emit import (
    PLACEHOLDER,
    PLACEHOLDER_BYTES,
    WRITE_ORDER,
    Pending,
    ProjectBuilder,
    World,
    chain,
)
from govit.gen.timeline import plan_project
from govit.projects.models import Project

CHUNK = 2_000
EVENTS_PER_PROJECT = 20


class GenRefused(Exception):
    """Why nothing was generated (Chinese)."""


@dataclass
class Summary:
    projects: int
    events: int  # on the projects' streams, as asked
    seconds: float
    setup_seconds: float
    count_seconds: float
    rows: dict[str, int] = field(default_factory=dict)


def placeholder() -> tuple[str, int, str]:
    """Every generated document version points at one small shared file (real digest and size,
    so that downloads and backups verify)."""
    if not default_storage.exists(PLACEHOLDER):
        default_storage.save(PLACEHOLDER, ContentFile(PLACEHOLDER_BYTES))
    return PLACEHOLDER, len(PLACEHOLDER_BYTES), sm3(PLACEHOLDER_BYTES)


def generate(
    *, projects: int, seed: int = 1, events: int | None = None, out: TextIO | None = None
) -> Summary:
    if projects < 1:
        raise GenRefused("项目数须为正整数")
    existing = Project.objects.count()
    if existing:
        raise GenRefused(
            f"数据库中已有{existing}个项目：govit gen 只向空数据库生成数据，以免与真实或演示数据混在一起。"
            "请换一个新建并已迁移的数据库（--database-url），或删除现有数据库后重来。"
        )
    wanted = EVENTS_PER_PROJECT * projects if events is None else events
    say = (lambda text: out.write(text + "\n") and out.flush()) if out else (lambda text: None)
    started = time.perf_counter()
    today, now = clock.today(), clock.now()

    with one_hash(DEMO_PASSWORD), transaction.atomic():
        places = setup.build(projects, today=today)
    setup_seconds = time.perf_counter() - started
    units = sum(len(p.units) for p in places.values())
    say(
        f"已通过服务建立{len(places)}个辖区、{units}个建设单位及各机关、服务机构的账号（{setup_seconds:.0f}秒）"
    )
    file = placeholder()

    # pass 1: each project's own events, and its share of the rest
    counting = World(places, today=today, now=now, ids=bulk.Ids(), placeholder=file)
    sizes = setup.scale(projects)
    for place in places.values():
        counting.add_experts(Pending(), place, sizes["experts"], now)
    natural, weights = 0, []
    for number in range(projects):
        plan = plan_project(number, seed, places, today)
        natural += len(ProjectBuilder(counting, plan).build(0).events)
        weights.append(1 + sum(1 for s in plan.steps if s.started_on or s.opened))
    count_seconds = time.perf_counter() - started - setup_seconds
    if wanted < natural:
        raise GenRefused(
            f"这{projects}个项目本身的事件就有{natural}条，多于要求的{wanted}条；"
            f"请把事件数（--events）设为至少{natural}"
        )
    padding = _shares(wanted - natural, weights)
    say(
        f"第一遍：项目自身事件{natural}条，另补{wanted - natural}条（材料修订、进度报告）（{count_seconds:.0f}秒）"
    )

    # pass 2: write
    ids = bulk.Ids()
    world = World(places, today=today, now=now, ids=ids, placeholder=file)
    writer, chains = bulk.Writer(), bulk.Chains()
    written_events = 0

    def to_jurisdiction(pending: Pending, jid: int) -> int:
        """A jurisdiction's own rows (experts, plans) and their events on its stream."""
        return chain(
            pending,
            writer,
            chains,
            ids,
            stream=f"jurisdiction:{jid}",
            jurisdiction_id=jid,
            project_id=None,
            now=now,
        )

    with transaction.atomic():
        for place in places.values():
            pending = Pending()
            moment = dt.datetime(today.year - 8, 1, 5, 10, 0, tzinfo=clock.CHINA)
            world.add_experts(pending, place, sizes["experts"], moment)
            jid = place.jurisdiction.pk
            to_jurisdiction(pending, jid)
        writer.flush(WRITE_ORDER)
    for begin in range(0, projects, CHUNK):
        with transaction.atomic():
            for number in range(begin, min(projects, begin + CHUNK)):
                plan = plan_project(number, seed, places, today)
                builder = ProjectBuilder(world, plan)
                pending = builder.build(padding[number])
                written_events += chain(
                    pending,
                    writer,
                    chains,
                    ids,
                    stream=f"project:{builder.pid}",
                    jurisdiction_id=plan.place.jurisdiction.pk,
                    project_id=builder.pid,
                    now=now,
                )
            for jid, pending in world.plan_rows():
                to_jurisdiction(pending, jid)
            writer.flush(WRITE_ORDER)
        done = min(projects, begin + CHUNK)
        say(
            f"已写入{done}/{projects}个项目，项目事件{written_events}条（{time.perf_counter() - started:.0f}秒）"
        )
    assert written_events == wanted, (written_events, wanted)
    bulk.reset_sequences(WRITE_ORDER)
    if connection.vendor == "postgresql":
        # what autovacuum does soon after a bulk load: statistics for the planner, and the
        # visibility map that lets counts be answered from an index alone
        with connection.cursor() as cursor:
            # (VACUUM cannot run in a transaction: a test's wrapping one gets ANALYZE alone)
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
    # the rows were written beside the services: nothing kept from before them is true now
    # (the plan boards' lanes, the project pages, the dashboards)
    cache.clear()
    seconds = time.perf_counter() - started
    say(f"完成：{projects}个项目，项目事件{written_events}条，用时{seconds:.0f}秒")
    return Summary(
        projects, written_events, seconds, setup_seconds, count_seconds, dict(writer.written)
    )


def _shares(total: int, weights: list[int]) -> list[int]:
    """Split ``total`` over the projects in proportion to ``weights``, exactly."""
    whole = sum(weights) or 1
    out, cumulative, given = [], 0, 0
    for w in weights:
        cumulative += w
        upto = total * cumulative // whole
        out.append(upto - given)
        given = upto
    return out
