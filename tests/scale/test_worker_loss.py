"""kill -9 one of two workers in the middle of the night: the night finishes, nothing is drafted or sent twice."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from app.services.collections.batch import Drafting
from app.workers.celery_app import make_celery
from app.workers.night import run_night
from data.db.collections import BatchTask, OutboxMessage
from data.db.session import init_db
from data.db.workflow import ContactAttempt, Diagnosis, DunningPlan
from tests.collections.conftest import AS_OF
from tests.scale.conftest import REDIS_URL, STEPS, delete_queues, night_settings, wait_for
from tests.scale.snapshot import draft_rows, per_unit

pytestmark = pytest.mark.broker
DRAFT_TOP = 24


def _running_in(engine, pgid: int) -> list[int]:  # noqa: ANN001
    """Ids of drafting tasks claimed right now by a process of the group ``pgid``."""
    with engine.connect() as conn:
        rows = conn.execute(select(BatchTask.id, BatchTask.worker).where(BatchTask.status == "running")).all()
    out = []
    for task_id, worker in rows:
        try:
            if os.getpgid(int(worker.rsplit(":", 1)[1])) == pgid:
                out.append(task_id)
        except (ProcessLookupError, ValueError):
            continue
    return out


def test_when_a_worker_is_killed_mid_night_then_the_night_finishes_without_drafting_or_sending_twice(
    night_url: str, tmp_path: Path, workers
):
    url = night_url
    settings = night_settings(tmp_path, url, REDIS_URL, batch_shard_size=100, batch_lease_seconds=3)
    engine = init_db(url)
    celery = make_celery(settings)
    pool = workers(settings)
    outcome: dict = {}
    try:
        victim = pool.start("victim", delay=0.25)  # each model call waits like a busy endpoint
        pool.start("survivor", delay=0.25)
        wait_for(lambda: len(celery.control.ping(timeout=0.5) or []) >= 2, 40, "two workers to answer a ping")

        def night() -> None:
            try:
                outcome["summary"] = run_night(
                    engine,
                    settings,
                    as_of=AS_OF,
                    drafting=Drafting(top=DRAFT_TOP),
                    celery=celery,
                    poll_s=0.2,
                    timeout_s=55,
                )
            except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
                outcome["error"] = exc

        coordinator = threading.Thread(target=night, daemon=True)
        coordinator.start()
        held: list[int] = []

        def victim_is_drafting() -> bool:
            done = sum(1 for _u, status, *_ in draft_rows(engine) if status == "done")
            held[:] = _running_in(engine, victim.pid)
            return done >= 2 and bool(held)

        wait_for(victim_is_drafting, 40, "the victim to hold a drafting task after the first drafts", interval=0.05)
        pool.kill(victim)
        coordinator.join(timeout=58)
        assert not coordinator.is_alive(), "the night did not finish after the worker was killed"
        assert "error" not in outcome, f"{outcome.get('error')!r}\n{pool.log('survivor')}"
        summary = outcome["summary"]

        assert summary.diagnosed == DRAFT_TOP and summary.diagnosis_failed == 0
        diagnoses = per_unit(engine, Diagnosis.unit_id, Diagnosis)
        plans = per_unit(engine, DunningPlan.unit_id, DunningPlan)
        assert len(diagnoses) == DRAFT_TOP and set(diagnoses.values()) == {1}  # none drafted twice
        drafted = {u for u, *_ in draft_rows(engine)}
        assert set(diagnoses) == drafted
        assert all(plans[u] == 1 for u in drafted if u not in _approved_units(engine))
        with engine.connect() as conn:
            sends = per_unit(engine, ContactAttempt.plan_step_id, ContactAttempt)
            sends.pop(None, None)
            outbox = conn.execute(select(OutboxMessage.idempotency_key)).scalars().all()
            taken_over = conn.execute(select(BatchTask.attempts).where(BatchTask.id.in_(held))).scalars().all()
        assert sends and set(sends.values()) == {1} and len(sends) <= STEPS  # no step sent twice
        assert len(outbox) == len(set(outbox))
        assert taken_over and all(n >= 2 for n in taken_over)  # what the victim held was run again, elsewhere
    finally:
        pool.stop_all()
        delete_queues(celery, settings.broker_queue_prefix)
        engine.dispose()


def _approved_units(engine) -> set[int]:  # noqa: ANN001
    with engine.connect() as conn:
        return set(conn.execute(select(DunningPlan.unit_id).where(DunningPlan.status == "approved")).scalars())
