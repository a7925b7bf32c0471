"""The overnight batch: scores → queue → diagnoses where evidence changed → dispatch of approved steps.

Resumable: a crashed run for the same date is picked up where it stopped (scoring resumes after the last
committed chunk, diagnoses and sends have per-household markers and idempotency keys).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from app.services.collections import dispatch, risk_store, scoring
from app.services.collections.case_events import review_promises
from app.services.collections.diagnosis import Diagnoser, candidates
from app.services.collections.dispatch import AdapterFactory
from core.domain.collections.policy import PolicyConfig
from data.db.collections import BatchItem, BatchRun
from data.db.models import Unit
from data.db.workflow import Diagnosis

Progress = Callable[[str, int, int | None], None]
"""(phase, advance, total): total is set once per phase with advance 0."""


@dataclass
class BatchSummary:
    """What the run did (printed at the end, stored in batch_runs.stats)."""

    run_id: int
    as_of: str
    resumed: bool
    households: int = 0
    in_arrears: int = 0
    queued: int = 0
    diagnosed: int = 0
    diagnosis_failed: int = 0
    unchanged_skipped: int = 0
    budget_skipped: int = 0
    dispatched: int = 0
    held: int = 0
    blocked: int = 0
    promises: dict = field(default_factory=dict)
    seconds: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """JSON-ready dict."""
        return asdict(self)


class BudgetSpent(RuntimeError):
    """The night's drafting time budget was spent before this household started."""


@dataclass(frozen=True)
class Drafting:
    """Which households the night drafts plans for, and for how long.

    Attributes:
        top: Only the first ``top`` households of the day's queue (None: every candidate).
        include: Households drafted first whatever their queue position (the demo's pilot, say).
        budget_s: Seconds after which no new household starts (None: no limit); those left are
            marked skipped and the next run drafts them.
    """

    top: int | None = None
    include: tuple[str, ...] = ()
    budget_s: float | None = None

    def within_budget(self, diagnoser: Diagnoser) -> Diagnoser:
        """The diagnoser, refusing to start a household once the budget is spent."""
        if self.budget_s is None:
            return diagnoser
        import time

        deadline = time.monotonic() + self.budget_s

        def run(key: str) -> str:
            if time.monotonic() >= deadline:
                raise BudgetSpent(key)
            return diagnoser(key)

        return run


def open_run(engine: Engine, day: date, mode: str, now: datetime, kind: str = "process") -> tuple[BatchRun, bool]:
    """The day's unfinished run (resumed: True) or a new one; ``kind`` is the engine (process or celery)."""
    from sqlalchemy.orm import Session

    with Session(engine, expire_on_commit=False) as s:
        run = s.execute(
            select(BatchRun)
            .where(BatchRun.as_of == day, BatchRun.status == "running")
            .order_by(BatchRun.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        if run is not None:
            return run, True
        watermark = s.execute(select(func.max(Diagnosis.id))).scalar() or 0
        run = BatchRun(
            as_of=day,
            status="running",
            diagnose=mode,
            started_at=now,
            diagnosis_watermark=watermark,
            scored_through=0,
            stats={},
            engine=kind,
        )
        s.add(run)
        s.commit()
        return run, False


def update_run(engine: Engine, run_id: int, **values: object) -> None:
    """Update columns of a batch run."""
    from sqlalchemy import update

    with engine.begin() as conn:
        conn.execute(update(BatchRun).where(BatchRun.id == run_id).values(**values))


def mark_item(engine: Engine, run_id: int, unit_id: int, status: str, at: datetime, detail: str = "") -> None:
    """Record the household's drafting outcome in this run (done, failed or skipped)."""
    from sqlalchemy.orm import Session

    with Session(engine) as s:
        s.merge(BatchItem(run_id=run_id, unit_id=unit_id, step="diagnose", status=status, at=at, detail=detail[:500]))
        s.commit()


def _score(
    engine: Engine,
    run: BatchRun,
    day: date,
    var_dir: Path,
    chunk: int,
    clock: Callable[[], datetime],
    progress: Progress | None,
    summary: BatchSummary,
) -> None:
    model = risk_store.load_or_train(engine, var_dir, day)
    if progress:
        with engine.connect() as conn:
            total = conn.execute(
                select(func.count()).select_from(Unit).where(Unit.id > run.scored_through)
            ).scalar_one()
        progress("score", 0, total)

    def on_chunk(last_id: int, n: int) -> None:
        update_run(engine, run.id, scored_through=last_id)
        if progress:
            progress("score", n, None)

    scoring.score_all(engine, model, day, at=clock(), chunk=chunk, start_after=run.scored_through, on_chunk=on_chunk)
    summary.households, summary.in_arrears, summary.queued = scoring.totals(engine, day)


def _diagnose(
    engine: Engine,
    run: BatchRun,
    day: date,
    mode: str,
    diagnoser: Diagnoser | None,
    concurrency: int,
    clock: Callable[[], datetime],
    progress: Progress | None,
    summary: BatchSummary,
    drafting: Drafting,
) -> list[int]:
    todo, skipped = candidates(
        engine,
        day,
        mode,
        run_id=run.id,
        watermark=run.diagnosis_watermark,
        top=drafting.top,
        include=drafting.include,
    )
    summary.unchanged_skipped = skipped
    if not todo or diagnoser is None:
        return []
    diagnoser = drafting.within_budget(diagnoser)
    if progress:
        progress("diagnose", 0, len(todo))
    done: list[int] = []
    pool = ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="diagnose")
    try:
        futures = {pool.submit(diagnoser, key): unit_id for unit_id, key in todo}
        for fut in as_completed(futures):
            unit_id = futures[fut]
            try:
                status = fut.result()
            except BudgetSpent:  # not started: the next run picks it up
                mark_item(engine, run.id, unit_id, "skipped", clock(), "time budget spent")
                summary.budget_skipped += 1
            except Exception as exc:  # one household's failure must not stop the night
                mark_item(engine, run.id, unit_id, "failed", clock(), f"{type(exc).__name__}: {exc}")
                summary.diagnosis_failed += 1
            else:
                mark_item(engine, run.id, unit_id, "done", clock(), status)
                summary.diagnosed += 1
                done.append(unit_id)
            if progress:
                progress("diagnose", 1, None)
    finally:
        # On a crash, queued households are dropped (the rerun picks them up); running ones finish.
        pool.shutdown(wait=True, cancel_futures=True)
    return done


def run_batch(
    engine: Engine,
    *,
    var_dir: Path,
    as_of: date,
    diagnose: str = "changed",
    concurrency: int = 2,
    diagnoser: Diagnoser | None = None,
    adapters: AdapterFactory | None = None,
    policy: PolicyConfig | None = None,
    progress: Progress | None = None,
    clock: Callable[[], datetime] = datetime.now,
    chunk: int = scoring.CHUNK,
    link_for: Any = None,
    drafting: Drafting | None = None,
) -> BatchSummary:
    """Run (or resume) the overnight batch for ``as_of``.

    Args:
        engine: Database engine (SQLite or PostgreSQL).
        var_dir: Where the risk model is stored (trained first when missing).
        as_of: Business date.
        diagnose: changed | all | none.
        concurrency: Parallel agent runs.
        diagnoser: Runs the agent for one household key (see diagnosis.graph_diagnoser); None skips diagnosis.
        adapters: Builds the channel adapters for a session (default: the outbox with simulated receipts).
        policy: Contact limits for the dispatch of approved plan steps (None: the settings in force for each
            household's project, see app.services.policy_settings).
        progress: Progress callback.
        clock: Wall clock.
        chunk: Households per scoring chunk.
        link_for: Mints the owner's bill link for each message sent (app.services.bill_links.SendLinks).
        drafting: Limits the night's plan drafting to the top of the queue and to a time budget.
    """
    import time

    if diagnose not in ("changed", "all", "none"):
        raise ValueError("--diagnose 应为 changed、all 或 none")
    run, resumed = open_run(engine, as_of, diagnose, clock())
    summary = BatchSummary(run_id=run.id, as_of=as_of.isoformat(), resumed=resumed)
    t0 = time.perf_counter()
    with Session(engine) as session:  # broken promises and lapsed schedules re-enter today's queue
        summary.promises = review_promises(session, as_of, at=clock())
        session.commit()
    _score(engine, run, as_of, var_dir, chunk, clock, progress, summary)
    summary.seconds["score"] = round(time.perf_counter() - t0, 2)
    t1 = time.perf_counter()
    diagnosed = _diagnose(
        engine, run, as_of, diagnose, diagnoser, concurrency, clock, progress, summary, drafting or Drafting()
    )
    if diagnosed:
        scoring.rescore_units(engine, risk_store.load(var_dir), as_of, diagnosed, at=clock(), chunk=chunk)
    summary.seconds["diagnose"] = round(time.perf_counter() - t1, 2)
    t2 = time.perf_counter()
    sent = dispatch.dispatch_due_steps(
        engine, as_of, adapters=adapters, policy=policy, progress=progress, link_for=link_for
    )
    summary.held = sent.held
    reminders = dispatch.dispatch_instalment_reminders(
        engine, as_of, adapters=adapters, policy=policy, link_for=link_for
    )
    summary.dispatched, summary.blocked = sent.sent + reminders.sent, sent.blocked + reminders.blocked
    summary.seconds["dispatch"] = round(time.perf_counter() - t2, 2)
    update_run(engine, run.id, status="done", finished_at=clock(), stats=summary.to_dict())
    return summary
