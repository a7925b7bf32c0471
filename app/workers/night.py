"""The overnight batch fanned out over Celery workers, and the progress of any run (`steward batch status`).

The coordinator (`steward batch run --engine celery`) records each stage's tasks in ``batch_tasks``, sends them
to the broker and waits on the database: scoring by shard of unit ids → drafting per household whose evidence
changed (then the shards that hold them are scored again) → dispatch of each approved step due today and the
instalment reminders. It sends a task again when its claim lapsed (a lost worker) or when nothing has moved
for a lease; the claims make the extra delivery harmless. A crashed coordinator is rerun for the same date.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select, update

from app.services.collections import risk_store, scoring
from app.services.collections.batch import BatchSummary, Drafting, open_run, update_run
from app.services.collections.case_events import review_promises
from app.services.collections.diagnosis import candidates
from app.services.collections.dispatch import due_steps
from app.services.collections.frames import unit_id_bounds
from app.workers import claims
from app.workers.celery_app import TASKS, stage_queue
from core.settings import Settings
from data.db.collections import BatchItem, BatchRun
from data.db.models import Unit

Progress = Callable[[str, int, int | None], None]
PHASE = {"score": "score", "draft": "diagnose", "dispatch": "dispatch"}
"""The progress phase (as run_batch reports them) of each stage that has a bar."""
STAGES = ("score", "draft", "rescore", "dispatch", "reminders")


class NoWorkers(RuntimeError):
    """No worker answered on the broker."""


def _shards(engine: Engine, size: int, at: datetime, unit_ids: list[int] | None = None) -> list[tuple[str, None, dict]]:
    with engine.connect() as conn:
        lo, hi = unit_id_bounds(conn)
    if unit_ids is not None:
        starts = sorted({lo + (u - lo) // size * size for u in unit_ids})
    else:
        starts = list(range(lo, hi + 1, size))
    return [(f"{s}-{s + size}", None, {"lo": s, "hi": s + size, "at": at.isoformat()}) for s in starts]


class Night:
    """One overnight run on the workers (see the module docstring)."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        celery: Any,
        *,
        progress: Progress | None = None,
        poll_s: float = 0.5,
        timeout_s: float | None = None,
    ) -> None:
        """Bind the database, the settings (lease, shard size), the Celery app and a progress callback."""
        self.engine, self.settings, self.celery = engine, settings, celery
        self.progress, self.poll_s, self.timeout_s = progress, poll_s, timeout_s
        self.lease = settings.batch_lease_seconds
        self.sent_at: dict[int, float] = {}
        self.started = time.monotonic()

    def publish(self, run_id: int, rows: list[dict]) -> None:
        """Send the tasks of these rows to their queues."""
        for row in rows:
            stage = row["stage"]
            self.celery.send_task(
                TASKS[stage],
                kwargs={"run_id": run_id, "stage": stage, "key": row["key"]},
                queue=stage_queue(self.celery, stage),
            )
            self.sent_at[row["id"]] = time.monotonic()

    def stage(self, run_id: int, stage: str, items: list[tuple[str, int | None, dict]], *, retry_failed: bool) -> None:
        """Record the stage's tasks, send the unfinished ones, and wait until every one is finished."""
        claims.add_tasks(self.engine, run_id, stage, items)
        if retry_failed:
            claims.requeue_failed(self.engine, run_id, stage)
        self.publish(run_id, claims.pending(self.engine, run_id, (stage,)))
        self.wait(run_id, stage)

    def wait(self, run_id: int, stage: str) -> None:
        """Poll the stage's rows until all are finished; send again what a lost worker held or what stalled."""
        reported, total = 0, None
        last_move, last_done = time.monotonic(), -1
        while True:
            counts = claims.stage_counts(self.engine, run_id).get(stage, {})
            n = sum(counts.values())
            done = sum(counts.get(s, 0) for s in claims.FINISHED)
            if self.progress and stage in PHASE:
                if total != n:
                    self.progress(PHASE[stage], 0, n)
                    total = n
                if done > reported:
                    self.progress(PHASE[stage], done - reported, None)
                    reported = done
            if done >= n:
                return
            now = time.monotonic()
            if done != last_done:
                last_done, last_move = done, now
            stale = claims.utcnow() - timedelta(seconds=self.lease)
            lost = claims.pending(self.engine, run_id, (stage,), stale_before=stale)
            if counts.get("running", 0) > len(lost):  # a live worker is at it: busy, not stalled
                last_move = now
            if now - last_move > self.lease:  # nobody finished or worked for a lease: messages may be gone
                lost += [r for r in claims.pending(self.engine, run_id, (stage,)) if r["status"] == "queued"]
            again = [r for r in lost if now - self.sent_at.get(r["id"], 0.0) > self.lease]
            if again:
                self.publish(run_id, again)
            if self.timeout_s is not None and now - self.started > self.timeout_s:
                raise TimeoutError(f"batch run {run_id}: stage {stage} unfinished after {self.timeout_s:.0f} s")
            time.sleep(self.poll_s)


def check_workers(celery: Any, timeout: float = 2.0) -> int:
    """How many workers consume this deployment's queues; NoWorkers when a queue has no consumer.

    Workers of another deployment on the same broker (another queue prefix) do not count.
    """
    from app.workers.celery_app import QUEUES, queue_name

    wanted = {queue_name(q, celery.conf.steward_queue_prefix) for q in QUEUES}
    replies = celery.control.inspect(timeout=timeout).active_queues() or {}
    ours = {name: {q["name"] for q in queues} & wanted for name, queues in replies.items()}
    ours = {name: queues for name, queues in ours.items() if queues}
    if not ours:
        raise NoWorkers("没有 worker 响应：请先在一台或多台机器上运行 steward worker")
    missing = wanted - set().union(*ours.values())
    if missing:
        raise NoWorkers(f"没有 worker 处理队列 {', '.join(sorted(missing))}：请用 steward worker --queues 补上")
    return len(ours)


def run_night(
    engine: Engine,
    settings: Settings,
    *,
    as_of: date,
    diagnose: str = "changed",
    drafting: Drafting | None = None,
    webhook_url: str | None = None,
    progress: Progress | None = None,
    clock: Callable[[], datetime] = datetime.now,
    celery: Any = None,
    poll_s: float = 0.5,
    timeout_s: float | None = None,
) -> BatchSummary:
    """Run (or resume) the overnight batch for ``as_of`` on the Celery workers; same stages as run_batch.

    Args:
        engine: Database engine (the workers use the same database through their STEWARD_DATABASE_URL).
        settings: Shard size, lease, var_dir (the risk model is trained here first when missing).
        as_of: Business date.
        diagnose: changed | all | none.
        drafting: Top of the queue, households named first, time budget.
        webhook_url: Channel gateway for the sends (default: the outbox with simulated receipts).
        progress: (phase, advance, total) callback, as for run_batch.
        clock: Wall clock.
        celery: The Celery app (default: built from the settings).
        poll_s: Seconds between looks at the database.
        timeout_s: Give up (TimeoutError) after this long; None waits for the workers.
    """
    if diagnose not in ("changed", "all", "none"):
        raise ValueError("--diagnose 应为 changed、all 或 none")
    if celery is None:
        from app.workers.celery_app import make_celery

        celery = make_celery(settings)
    drafting = drafting or Drafting()
    night = Night(engine, settings, celery, progress=progress, poll_s=poll_s, timeout_s=timeout_s)
    run, resumed = open_run(engine, as_of, diagnose, clock(), kind="celery")
    if resumed and run.engine != "celery":  # an in-process run of the day finishes on the workers
        with engine.begin() as conn:
            conn.execute(update(BatchRun).where(BatchRun.id == run.id).values(engine="celery"))
    summary = BatchSummary(run_id=run.id, as_of=as_of.isoformat(), resumed=resumed)
    from sqlalchemy.orm import Session

    t0 = time.perf_counter()
    with Session(engine) as session:  # broken promises and lapsed schedules re-enter today's queue
        summary.promises = review_promises(session, as_of, at=clock())
        session.commit()
    risk_store.load_or_train(engine, settings.var_dir, as_of)  # the workers load it from the shared var_dir
    at = clock()
    night.stage(run.id, "score", _shards(engine, settings.batch_shard_size, at), retry_failed=True)
    summary.households, summary.in_arrears, summary.queued = scoring.totals(engine, as_of)
    summary.seconds["score"] = round(time.perf_counter() - t0, 2)

    t1 = time.perf_counter()
    todo, summary.unchanged_skipped = candidates(
        engine,
        as_of,
        diagnose,
        run_id=run.id,
        watermark=run.diagnosis_watermark,
        top=drafting.top,
        include=drafting.include,
    )
    if todo and diagnose != "none":
        deadline = time.time() + drafting.budget_s if drafting.budget_s is not None else None
        with engine.connect() as conn:
            prints = dict(
                conn.execute(select(Unit.id, Unit.evidence_fingerprint).where(Unit.id.in_([u for u, _ in todo]))).all()
            )
        items = [
            (
                f"{unit_id}:{prints.get(unit_id) or '-'}",
                unit_id,
                {"unit_id": unit_id, "household": key, "deadline": deadline},
            )
            for unit_id, key in todo
        ]
        night.stage(run.id, "draft", items, retry_failed=True)
    drafted = claims.outcomes(engine, run.id, "draft")
    summary.diagnosed = sum(1 for _u, status, *_ in drafted if status == "done")
    summary.diagnosis_failed = sum(1 for _u, status, *_ in drafted if status == "failed")
    summary.budget_skipped = sum(1 for _u, status, *_ in drafted if status == "skipped")
    done_units = [u for u, status, outcome, *_ in drafted if status == "done" and u is not None]
    if done_units:
        shards = _shards(engine, settings.batch_shard_size, clock(), done_units)
        night.stage(run.id, "rescore", shards, retry_failed=True)
    summary.seconds["diagnose"] = round(time.perf_counter() - t1, 2)

    t2 = time.perf_counter()
    with Session(engine) as session:
        steps = [step.id for step, _plan, _owner, _key in due_steps(session, as_of)]
    params = {"webhook_url": webhook_url} if webhook_url else {}
    night.stage(
        run.id,
        "dispatch",
        [(f"plan-step:{sid}", None, {"step_id": sid, **params}) for sid in steps],
        retry_failed=True,
    )
    night.stage(run.id, "reminders", [("instalments", None, params)], retry_failed=True)
    for _u, _status, outcome, _n, _detail in claims.outcomes(engine, run.id, "dispatch"):
        if outcome in ("sent", "held", "blocked"):
            name = "dispatched" if outcome == "sent" else outcome
            setattr(summary, name, getattr(summary, name) + 1)
    for _u, status, _outcome, _n, detail in claims.outcomes(engine, run.id, "reminders"):
        if status == "done" and detail:
            import json

            stats = json.loads(detail)
            summary.dispatched += stats.get("sent", 0)
            summary.blocked += stats.get("blocked", 0)
    summary.seconds["dispatch"] = round(time.perf_counter() - t2, 2)
    update_run(engine, run.id, status="done", finished_at=clock(), stats=summary.to_dict())
    return summary


def batch_status(engine: Engine, run_id: int | None = None) -> dict | None:
    """Progress of a run (default: the latest): per stage, how many tasks are done, running, queued, failed.

    A run on workers counts its ``batch_tasks``; an in-process run counts the households scored so far and
    its drafting markers.
    """
    from sqlalchemy.orm import Session

    with Session(engine) as s:
        query = select(BatchRun).order_by(BatchRun.id.desc()).limit(1)
        run = s.get(BatchRun, run_id) if run_id is not None else s.execute(query).scalar_one_or_none()
        if run is None:
            return None
        stages: dict[str, dict[str, int]] = {}
        if run.engine == "celery":
            counts = claims.stage_counts(engine, run.id)
            for stage in STAGES:
                if stage in counts:
                    stages[stage] = counts[stage]
        else:
            units = s.execute(select(func.count()).select_from(Unit)).scalar_one()
            scored = s.execute(select(func.count()).select_from(Unit).where(Unit.id <= run.scored_through)).scalar_one()
            if run.status == "done":
                scored = units
            stages["score"] = {"done": scored, "queued": units - scored}
            drafted = s.execute(
                select(BatchItem.status, func.count())
                .where(BatchItem.run_id == run.id, BatchItem.step == "diagnose")
                .group_by(BatchItem.status)
            ).all()
            if drafted:
                stages["draft"] = {k: int(v) for k, v in drafted}
    out = {
        "run_id": run.id,
        "as_of": run.as_of.isoformat(),
        "engine": run.engine,
        "status": run.status,
        "started_at": run.started_at.isoformat(timespec="seconds"),
        "finished_at": run.finished_at.isoformat(timespec="seconds") if run.finished_at else None,
        "stages": {},
    }
    for stage, counts in stages.items():
        row = {k: int(counts.get(k, 0)) for k in ("done", "running", "queued", "failed", "skipped")}
        row["total"] = sum(int(v) for v in counts.values())
        out["stages"][stage] = row
    return out
