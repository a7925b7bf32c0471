"""Batch tasks are claimed once in the database: a second delivery does nothing, a lost claim is taken over,
a dropped database connection is retried with backoff (tasks run eagerly here, no broker)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from app.services.collections.batch import open_run
from app.workers import claims, tasks
from core.settings import Settings
from data.db.collections import BatchTask
from data.db.models import Project, Unit
from data.db.session import init_db, make_session_factory
from data.db.workflow import Diagnosis
from tests.collections.conftest import AS_OF, NOW
from tests.scale.conftest import copy_of


@pytest.fixture
def run_db(db_url: str):  # noqa: ANN201
    """A migrated database (SQLite and PostgreSQL) with one open run; (engine, run id)."""
    engine = init_db(db_url)
    run, _ = open_run(engine, AS_OF, "changed", NOW, kind="celery")
    yield engine, run.id
    engine.dispose()


def test_when_two_workers_claim_one_task_then_one_runs_it_until_its_heartbeat_stops(run_db):
    engine, run_id = run_db
    claims.add_tasks(engine, run_id, "draft", [("7:abc", 7, {"unit_id": 7})])
    assert claims.add_tasks(engine, run_id, "draft", [("7:abc", 7, {"unit_id": 7})]) == 0  # recorded once

    first = claims.claim(engine, run_id, "draft", "7:abc", lease_s=30)
    second = claims.claim(engine, run_id, "draft", "7:abc", lease_s=30)
    assert first.state == "claimed" and second.state == "busy"

    with engine.begin() as conn:  # the first worker dies: its heartbeat is 31 s old
        conn.execute(update(BatchTask).values(heartbeat_at=claims.utcnow() - timedelta(seconds=31)))
    third = claims.claim(engine, run_id, "draft", "7:abc", lease_s=30)
    assert third.state == "claimed" and third.attempts == 2
    assert not claims.finish(engine, first, "done")  # the lost claim cannot close the task any more
    assert claims.finish(engine, third, "done", outcome="awaiting_approval")
    assert claims.claim(engine, run_id, "draft", "7:abc", lease_s=30).state == "finished"
    assert claims.claim(engine, run_id, "draft", "8:abc", lease_s=30).state == "missing"


def test_when_a_claim_is_alive_then_its_heartbeat_keeps_others_out(run_db):
    engine, run_id = run_db
    claims.add_tasks(engine, run_id, "dispatch", [("plan-step:1", None, {"step_id": 1})])
    held = claims.claim(engine, run_id, "dispatch", "plan-step:1", lease_s=0.4)
    with claims.heartbeat(engine, held, 0.4):
        import time

        deadline = time.monotonic() + 1.2  # three leases
        while time.monotonic() < deadline:
            assert claims.claim(engine, run_id, "dispatch", "plan-step:1", lease_s=0.4).state == "busy"
            time.sleep(0.05)


@pytest.fixture
def worker_process(night_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    """This process as a worker on a copy of the portfolio, with one drafting task recorded.

    Yields (engine, run id, unit id, task key); the test installs its own diagnoser.
    """
    url = copy_of(night_template, tmp_path / "eager.db")
    engine = init_db(url)
    proc = tasks._PROCESS
    monkeypatch.setattr(proc, "pid", os.getpid())
    monkeypatch.setattr(proc, "settings", Settings(var_dir=tmp_path / "var", database_url=url))
    monkeypatch.setattr(proc, "engine", engine)
    monkeypatch.setattr(proc, "runs", {})
    monkeypatch.setattr(proc, "diagnosers", {})
    run, _ = open_run(engine, AS_OF, "changed", NOW, kind="celery")
    with make_session_factory(engine)() as s:
        unit, project = s.execute(
            select(Unit, Project.code).join(Project, Project.id == Unit.project_id).order_by(Unit.id).limit(1)
        ).one()
        key, household = f"{unit.id}:{unit.evidence_fingerprint}", f"{project}/{unit.code}"
    claims.add_tasks(engine, run.id, "draft", [(key, unit.id, {"unit_id": unit.id, "household": household})])
    yield engine, run.id, unit.id, key
    engine.dispose()


def _stub(engine, unit_id: int, failures: list[Exception]):  # noqa: ANN001, ANN202
    calls: list[str] = []

    def diagnose(household: str) -> str:
        calls.append(household)
        if failures:
            raise failures.pop(0)
        with make_session_factory(engine)() as s:
            s.add(Diagnosis(unit_id=unit_id, created_at=NOW, primary_cause_id="beh.forgetful"))
            s.commit()
        return "awaiting_approval"

    return diagnose, calls


def _row(engine) -> BatchTask:  # noqa: ANN001
    with make_session_factory(engine)() as s:
        return s.execute(select(BatchTask)).scalar_one()


def _diagnoses(engine, unit_id: int) -> int:  # noqa: ANN001
    with make_session_factory(engine)() as s:
        return len(s.execute(select(Diagnosis.id).where(Diagnosis.unit_id == unit_id)).all())


def test_when_a_drafting_task_is_delivered_twice_then_the_household_is_drafted_once(worker_process):
    engine, run_id, unit_id, key = worker_process
    before = _diagnoses(engine, unit_id)
    diagnose, calls = _stub(engine, unit_id, [])
    tasks._PROCESS.diagnosers[AS_OF] = diagnose
    tasks.draft_household.apply(kwargs={"run_id": run_id, "stage": "draft", "key": key})
    tasks.draft_household.apply(kwargs={"run_id": run_id, "stage": "draft", "key": key})
    assert len(calls) == 1 and _diagnoses(engine, unit_id) == before + 1
    row = _row(engine)
    assert (row.status, row.outcome, row.attempts) == ("done", "awaiting_approval", 1)


def test_when_the_database_drops_during_a_task_then_it_is_retried_and_finishes_once(worker_process):
    engine, run_id, unit_id, key = worker_process
    dropped = OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))
    diagnose, calls = _stub(engine, unit_id, [dropped, dropped])
    tasks._PROCESS.diagnosers[AS_OF] = diagnose
    result = tasks.draft_household.apply(kwargs={"run_id": run_id, "stage": "draft", "key": key})
    assert result.successful(), result.traceback
    row = _row(engine)
    assert len(calls) == 3 and (row.status, row.attempts) == ("done", 3)


def test_when_the_database_stays_down_then_the_task_ends_failed_after_its_retries(worker_process):
    engine, run_id, unit_id, key = worker_process
    dropped = OperationalError("SELECT 1", {}, Exception("could not connect to server"))
    diagnose, calls = _stub(engine, unit_id, [dropped] * 10)
    tasks._PROCESS.diagnosers[AS_OF] = diagnose
    tasks.draft_household.apply(kwargs={"run_id": run_id, "stage": "draft", "key": key})
    row = _row(engine)
    assert len(calls) == tasks.draft_household.max_retries + 1
    assert row.status == "failed" and "could not connect" in row.detail
