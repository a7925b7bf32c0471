"""The overnight batch's Celery tasks: score a shard, draft one household, send one step, send the reminders.

Every task carries only (run id, stage, key); what it works on is in its ``batch_tasks`` row. A task first
claims its row (see app.workers.claims): a second delivery of a finished task does nothing, a task another live
worker holds is left to it. Database hiccups (OperationalError, a dropped connection) release the claim and
retry with exponential backoff; after the last retry the task is marked failed.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from celery import shared_task
from sqlalchemy import Engine, exists, select
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError

from app.services.collections import dispatch, risk_store, scoring
from app.services.collections.frames import read_chunk
from app.workers import claims
from core.settings import Settings, get_settings
from data.db.collections import BatchRun
from data.db.workflow import Diagnosis

logger = logging.getLogger(__name__)

RETRYABLE = (OperationalError, InterfaceError, DisconnectionError, ConnectionError, TimeoutError)
"""Transient failures (a locked or restarting database, a dropped connection): retried with backoff."""
RETRY = {
    "autoretry_for": RETRYABLE,
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 5,
    "acks_late": True,
    "ignore_result": True,
}


class _Process:
    """What one worker process keeps between tasks: engine, risk model, the plan graph per business date."""

    def __init__(self) -> None:
        self.pid = 0
        self.lock = threading.Lock()
        self.settings: Settings | None = None
        self.engine: Engine | None = None
        self.model: tuple[float, Any] | None = None
        self.runs: dict[int, BatchRun] = {}
        self.diagnosers: dict[date, Any] = {}
        self.stack = ExitStack()

    def ready(self) -> _Process:
        with self.lock:
            if self.pid != os.getpid():  # a forked pool child builds its own connections
                from data.db.session import init_db

                self.__init__()
                self.pid = os.getpid()
                self.settings = get_settings()
                self.engine = init_db(self.settings.resolved_database_url)
        return self

    def run(self, run_id: int) -> BatchRun | None:
        if run_id not in self.runs:
            from sqlalchemy.orm import Session

            with Session(self.engine, expire_on_commit=False) as s:
                run = s.get(BatchRun, run_id)
            if run is None:
                return None
            self.runs[run_id] = run
        return self.runs[run_id]

    def risk_model(self) -> Any:
        path = risk_store.model_path(self.settings.var_dir)
        stamp = path.stat().st_mtime if path.exists() else -1.0
        if self.model is None or self.model[0] != stamp:
            self.model = (stamp, risk_store.load(self.settings.var_dir))
        return self.model[1]

    def diagnoser(self, day: date) -> Any:
        with self.lock:
            if day not in self.diagnosers:
                from app.services.collections.diagnosis import graph_diagnoser

                self.diagnosers[day] = self.stack.enter_context(graph_diagnoser(self.settings, day))
            return self.diagnosers[day]


_PROCESS = _Process()


def _claimed(task: Any, run_id: int, stage: str, key: str) -> tuple[_Process, BatchRun, claims.Claim] | None:
    proc = _PROCESS.ready()
    run = proc.run(run_id)
    if run is None:
        logger.error("batch run %s is not in this worker's database; task %s/%s dropped", run_id, stage, key)
        return None
    found = claims.claim(proc.engine, run_id, stage, key, lease_s=proc.settings.batch_lease_seconds)
    if found.state != "claimed":
        logger.info("task %s/%s of run %s is %s; nothing to do", stage, key, run_id, found.state)
        return None
    return proc, run, found


def _guard(task: Any, proc: _Process, found: claims.Claim, exc: BaseException) -> None:
    """A retryable error: give the claim back and let Celery retry; after the last retry, mark it failed."""
    detail = f"{type(exc).__name__}: {exc}"
    if task.request.retries >= task.max_retries:
        claims.finish(proc.engine, found, "failed", detail=detail)
        return
    claims.release(proc.engine, found, detail)
    raise exc


@shared_task(bind=True, name="steward.batch.score_shard", **RETRY)
def score_shard(self: Any, run_id: int, stage: str, key: str) -> None:
    """Score the households of one unit-id range and upsert their household_scores (score or rescore stage)."""
    got = _claimed(self, run_id, stage, key)
    if got is None:
        return
    proc, run, found = got
    params = found.params or {}
    day, at = run.as_of, datetime.fromisoformat(params["at"])
    try:
        model = proc.risk_model()
        with claims.heartbeat(proc.engine, found, proc.settings.batch_lease_seconds), proc.engine.begin() as conn:
            frame = scoring.score_chunk(read_chunk(conn, params["lo"], params["hi"], day), model, day)
            scoring.upsert_scores(conn, frame, day, at)
            owing, queued = int((frame["arrears_cents"] > 0).sum()), int(frame["excluded"].isna().sum())
            claims.finish(conn, found, "done", outcome=f"{owing}/{queued}", households=len(frame))
    except RETRYABLE as exc:
        _guard(self, proc, found, exc)
    except risk_store.ModelMissing as exc:  # this machine does not see the run's risk model
        claims.finish(proc.engine, found, "failed", detail=str(exc))


@shared_task(bind=True, name="steward.batch.draft_household", **RETRY)
def draft_household(self: Any, run_id: int, stage: str, key: str) -> None:
    """Diagnose one household and draft its plan (the plan graph, up to the steward's approval), once per run."""
    from app.services.collections.batch import mark_item as _mark

    got = _claimed(self, run_id, stage, key)
    if got is None:
        return
    proc, run, found = got
    params = found.params or {}
    unit_id = int(params["unit_id"])
    try:
        with proc.engine.connect() as conn:
            drafted = conn.execute(
                select(exists().where(Diagnosis.unit_id == unit_id, Diagnosis.id > run.diagnosis_watermark))
            ).scalar()
        if drafted:  # a lost worker drafted it before it could close its claim
            claims.finish(proc.engine, found, "done", outcome="already drafted")
            return
        deadline = params.get("deadline")
        if deadline is not None and time.time() >= deadline:
            _mark(proc.engine, run_id, unit_id, "skipped", datetime.now(), "time budget spent")
            claims.finish(proc.engine, found, "skipped", detail="time budget spent")
            return
        with claims.heartbeat(proc.engine, found, proc.settings.batch_lease_seconds):
            status = proc.diagnoser(run.as_of)(params["household"])
        _mark(proc.engine, run_id, unit_id, "done", datetime.now(), status)
        claims.finish(proc.engine, found, "done", outcome=status)
    except RETRYABLE as exc:
        _guard(self, proc, found, exc)
    except Exception as exc:  # one household's failure must not stop the night (as in-process)
        detail = f"{type(exc).__name__}: {exc}"
        logger.warning("drafting %s failed: %s", params.get("household"), detail)
        _mark(proc.engine, run_id, unit_id, "failed", datetime.now(), detail)
        claims.finish(proc.engine, found, "failed", detail=detail)


def _adapters(webhook_url: str | None) -> Any:
    if not webhook_url:
        return None
    from app.channels import OutboxAdapter, WebhookAdapter

    gateway = WebhookAdapter(webhook_url)
    return lambda session: [gateway, OutboxAdapter(session)]


def _dispatching(task: Any, run_id: int, stage: str, key: str, send: Callable[..., Any]) -> None:
    """Claim a sending task, call ``send(engine, as_of, adapters=, link_for=, params=)`` under a heartbeat, close it."""
    from app.services.bill_links import send_links

    got = _claimed(task, run_id, stage, key)
    if got is None:
        return
    proc, run, found = got
    params = found.params or {}
    try:
        with claims.heartbeat(proc.engine, found, proc.settings.batch_lease_seconds):
            stats = send(
                proc.engine,
                run.as_of,
                adapters=_adapters(params.get("webhook_url")),
                link_for=send_links(proc.settings),
                params=params,
            )
        claims.finish(proc.engine, found, "done", **stats)
    except RETRYABLE as exc:
        _guard(task, proc, found, exc)


@shared_task(bind=True, name="steward.batch.dispatch_step", **RETRY)
def dispatch_step(self: Any, run_id: int, stage: str, key: str) -> None:
    """Send one approved plan step due today (under the case lock, key plan-step:<id>), once."""

    def send(engine: Any, as_of: Any, *, params: dict, **kw: Any) -> dict:
        # policy None: the settings in force for the household's project
        stats = dispatch.dispatch_due_steps(engine, as_of, policy=None, step_ids=[int(params["step_id"])], **kw)
        return {"outcome": next((k for k, v in asdict(stats).items() if v), "not due"), "households": stats.sent}

    _dispatching(self, run_id, stage, key, send)


@shared_task(bind=True, name="steward.batch.send_reminders", **RETRY)
def send_reminders(self: Any, run_id: int, stage: str, key: str) -> None:
    """Send the day's instalment reminders (each once, key instalment:<id>:<n>)."""

    def send(engine: Any, as_of: Any, *, params: dict, **kw: Any) -> dict:
        stats = dispatch.dispatch_instalment_reminders(engine, as_of, policy=None, **kw)
        return {"households": stats.sent, "detail": claims.dumps(asdict(stats))}

    _dispatching(self, run_id, stage, key, send)
