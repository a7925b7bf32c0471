"""Claims on batch tasks in the database: one worker at a time, once per run, taken over when a worker is lost.

A task row (``batch_tasks``, unique per run, stage and key) goes queued → running (claimed, with a heartbeat)
→ done | failed | skipped. A claim is a compare-and-set UPDATE, so two deliveries of the same task cannot both
run it; a claim whose heartbeat stopped for longer than the lease (a killed worker) can be taken over.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.engine import Connection

from data.db.collections import BatchTask

FINISHED = ("done", "failed", "skipped")


def utcnow() -> datetime:
    """Naive UTC now (the column type holds no zone); every worker machine compares the same clock."""
    return datetime.now(UTC).replace(tzinfo=None)


def worker_name() -> str:
    """host:pid of this process."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class Claim:
    """The outcome of trying to claim a task: ``claimed`` (with the token), ``finished``, ``busy`` or ``missing``."""

    state: str
    task_id: int = 0
    token: str = ""
    params: dict | None = None
    attempts: int = 0


def add_tasks(engine: Engine, run_id: int, stage: str, items: Iterable[tuple[str, int | None, dict]]) -> int:
    """Record the tasks of a stage, once: keys already recorded for the run are left as they are.

    Returns how many were new.
    """
    items = list(items)
    with engine.begin() as conn:
        known = set(
            conn.execute(select(BatchTask.key).where(BatchTask.run_id == run_id, BatchTask.stage == stage)).scalars()
        )
        rows = [
            {
                "run_id": run_id,
                "stage": stage,
                "key": key,
                "unit_id": unit_id,
                "params": params,
                "status": "queued",
                "outcome": "",
                "households": 0,
                "attempts": 0,
                "claim": "",
                "worker": "",
                "queued_at": utcnow(),
                "detail": "",
            }
            for key, unit_id, params in items
            if key not in known
        ]
        for start in range(0, len(rows), 1000):
            conn.execute(insert(BatchTask), rows[start : start + 1000])
    return len(rows)


def claim(engine: Engine, run_id: int, stage: str, key: str, *, lease_s: float) -> Claim:
    """Claim one task for this worker (compare-and-set on its row).

    ``claimed``: this worker runs it now; ``finished``: it was done (or failed, or skipped) already;
    ``busy``: another worker holds a live claim; ``missing``: no such task (another database?).
    """
    token, now = uuid.uuid4().hex, utcnow()
    stale = now - timedelta(seconds=lease_s)
    where = (BatchTask.run_id == run_id, BatchTask.stage == stage, BatchTask.key == key)
    with engine.begin() as conn:
        taken = conn.execute(
            update(BatchTask)
            .where(
                *where,
                (BatchTask.status == "queued") | ((BatchTask.status == "running") & (BatchTask.heartbeat_at < stale)),
            )
            .values(
                status="running", claim=token, worker=worker_name(), heartbeat_at=now, attempts=BatchTask.attempts + 1
            )
        ).rowcount
        row = conn.execute(
            select(BatchTask.id, BatchTask.status, BatchTask.params, BatchTask.attempts).where(*where)
        ).first()
    if row is None:
        return Claim("missing")
    if taken == 1:
        return Claim("claimed", row.id, token, row.params, row.attempts)
    return Claim("finished" if row.status in FINISHED else "busy", row.id)


def finish(
    conn: Connection | Engine,
    found: Claim,
    status: str,
    *,
    outcome: str = "",
    households: int = 0,
    detail: str = "",
) -> bool:
    """Close a claimed task (done, failed or skipped); False when the claim was lost to another worker meanwhile.

    Pass the connection of the task's own transaction to commit its work and its end together.
    """
    values = {"status": status, "outcome": outcome[:32], "households": households, "detail": detail[:2000]}
    values["finished_at"] = utcnow()
    stmt = update(BatchTask).where(BatchTask.id == found.task_id, BatchTask.claim == found.token).values(**values)
    if isinstance(conn, Engine):
        with conn.begin() as c:
            return c.execute(stmt).rowcount == 1
    return conn.execute(stmt).rowcount == 1


def release(engine: Engine, found: Claim, detail: str) -> None:
    """Give a claimed task back (queued) so that a retry, here or on another worker, runs it."""
    with engine.begin() as conn:
        conn.execute(
            update(BatchTask)
            .where(BatchTask.id == found.task_id, BatchTask.claim == found.token, BatchTask.status == "running")
            .values(status="queued", claim="", detail=detail[:2000])
        )


@contextmanager
def heartbeat(engine: Engine, found: Claim, lease_s: float) -> Iterator[None]:
    """Keep the claim alive while the block runs (a thread refreshes heartbeat_at every quarter lease)."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(lease_s / 4):
            try:
                with engine.begin() as conn:
                    conn.execute(
                        update(BatchTask)
                        .where(BatchTask.id == found.task_id, BatchTask.claim == found.token)
                        .values(heartbeat_at=utcnow())
                    )
            except Exception:  # noqa: BLE001 - a missed beat is retried; the lease allows for it
                continue

    thread = threading.Thread(target=beat, name=f"heartbeat-{found.task_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def stage_counts(engine: Engine, run_id: int) -> dict[str, dict[str, int]]:
    """{stage: {status: count}} of a run's tasks."""
    out: dict[str, dict[str, int]] = {}
    with engine.connect() as conn:
        rows = conn.execute(
            select(BatchTask.stage, BatchTask.status, func.count())
            .where(BatchTask.run_id == run_id)
            .group_by(BatchTask.stage, BatchTask.status)
        ).all()
    for stage, status, n in rows:
        out.setdefault(stage, {})[status] = int(n)
    return out


def outcomes(engine: Engine, run_id: int, stage: str) -> list[tuple[int | None, str, str, int, str]]:
    """(unit id, status, outcome, households, detail) of each task of a stage."""
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                select(BatchTask.unit_id, BatchTask.status, BatchTask.outcome, BatchTask.households, BatchTask.detail)
                .where(BatchTask.run_id == run_id, BatchTask.stage == stage)
                .order_by(BatchTask.id)
            )
        ]


def pending(
    engine: Engine, run_id: int, stages: tuple[str, ...], *, stale_before: datetime | None = None
) -> list[dict[str, Any]]:
    """The unfinished tasks of the stages (id, stage, key, status, heartbeat_at).

    With ``stale_before``, only the running ones whose heartbeat is older (their worker is lost).
    """
    query = select(BatchTask.id, BatchTask.stage, BatchTask.key, BatchTask.status, BatchTask.heartbeat_at).where(
        BatchTask.run_id == run_id, BatchTask.stage.in_(stages)
    )
    if stale_before is None:
        query = query.where(BatchTask.status.not_in(FINISHED))
    else:
        query = query.where(BatchTask.status == "running", BatchTask.heartbeat_at < stale_before)
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def requeue_failed(engine: Engine, run_id: int, stage: str) -> int:
    """Put a resumed run's failed tasks of a stage back in the queue (a rerun retries them, as in-process)."""
    with engine.begin() as conn:
        return conn.execute(
            update(BatchTask)
            .where(BatchTask.run_id == run_id, BatchTask.stage == stage, BatchTask.status == "failed")
            .values(status="queued", claim="")
        ).rowcount


def dumps(data: dict) -> str:
    """Compact JSON for a task's detail."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
