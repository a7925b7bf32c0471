"""The night on Celery workers finishes with what the in-process batch leaves, on Redis and on RabbitMQ."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.services.collections.batch import Drafting, run_batch
from app.services.collections.diagnosis import graph_diagnoser
from app.workers.celery_app import make_celery
from app.workers.night import batch_status, run_night
from data.db.session import init_db
from tests.collections.conftest import AS_OF
from tests.fakes import LexicalKB, ScriptedChatModel, reading_chat, sensible_structured
from tests.scale.conftest import AMQP_URL, REDIS_URL, STEPS, copy_of, delete_queues, night_settings, wait_for
from tests.scale.snapshot import SUMMARY_FIELDS, snapshot

DRAFT_TOP = 12


def in_process_night(template: Path, tmp_path: Path):  # noqa: ANN201
    """The reference: today's in-process batch with the scripted model; (summary, snapshot)."""
    url = copy_of(template, tmp_path / "process.db")
    engine = init_db(url)
    settings = night_settings(tmp_path, url, "")
    model = ScriptedChatModel(chat_handler=reading_chat, structured_handler=sensible_structured)
    with graph_diagnoser(settings, AS_OF, model_factory=lambda **_: model, kb=LexicalKB()) as diagnose:
        summary = run_batch(
            engine, var_dir=settings.var_dir, as_of=AS_OF, diagnoser=diagnose, drafting=Drafting(top=DRAFT_TOP)
        )
    shot = snapshot(engine)
    engine.dispose()
    return summary, shot


def celery_night(template: Path, tmp_path: Path, broker: str, workers) -> tuple:  # noqa: ANN001
    """The same night on two worker processes; (summary, snapshot, status)."""
    url = copy_of(template, tmp_path / "celery.db")
    settings = night_settings(tmp_path, url, broker, batch_shard_size=100)
    engine = init_db(url)
    celery = make_celery(settings)
    pool = workers(settings)
    try:
        pool.start("w1")
        pool.start("w2")
        wait_for(lambda: len(celery.control.ping(timeout=0.5) or []) >= 2, 40, "two workers to answer a ping")
        summary = run_night(
            engine, settings, as_of=AS_OF, drafting=Drafting(top=DRAFT_TOP), celery=celery, poll_s=0.2, timeout_s=50
        )
        shot, status = snapshot(engine), batch_status(engine)
    finally:
        pool.stop_all()
        delete_queues(celery, settings.broker_queue_prefix)
        engine.dispose()
    return summary, shot, status


@pytest.mark.broker
@pytest.mark.parametrize("broker", [REDIS_URL, pytest.param(AMQP_URL, id="rabbitmq")], ids=["redis", "rabbitmq"])
def test_when_the_night_runs_on_two_workers_then_it_leaves_what_the_in_process_batch_leaves(
    night_template: Path, tmp_path: Path, broker: str, workers
):
    reference, expected = in_process_night(night_template, tmp_path)  # trains the risk model both runs use
    summary, got, status = celery_night(night_template, tmp_path, broker, workers)

    assert reference.diagnosed == DRAFT_TOP and reference.dispatched > 0  # the reference did real work
    assert {f: getattr(summary, f) for f in SUMMARY_FIELDS} == {f: getattr(reference, f) for f in SUMMARY_FIELDS}
    assert len(got["scores"]) == len(expected["scores"]) == reference.households
    assert got["scores"] == expected["scores"]
    assert got["diagnoses"] == expected["diagnoses"] and len(got["diagnoses"]) == DRAFT_TOP
    assert got["plans"] == expected["plans"]
    assert got["sends"] == expected["sends"] and len(got["sends"]) >= reference.dispatched
    assert got["outbox"] == expected["outbox"]
    assert status["engine"] == "celery" and status["status"] == "done"
    assert status["stages"]["score"]["done"] == status["stages"]["score"]["total"] == 3
    assert status["stages"]["draft"]["done"] == DRAFT_TOP and status["stages"]["dispatch"]["done"] == STEPS


def test_when_no_broker_is_configured_then_batch_run_stays_in_process_and_status_reports_it(
    night_template: Path, tmp_path: Path
):
    url = copy_of(night_template, tmp_path / "plain.db")
    env = {"STEWARD_DATABASE_URL": url, "STEWARD_VAR_DIR": str(tmp_path / "var"), "STEWARD_BROKER_URL": ""}
    run = _steward(["batch", "run", "--diagnose", "none", "--json"], env)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["households"] == 300
    status = _steward(["batch", "status", "--json"], env)
    assert status.returncode == 0, status.stderr
    data = json.loads(status.stdout)
    assert data["engine"] == "process" and data["status"] == "done"
    assert data["stages"]["score"] == {"done": 300, "running": 0, "queued": 0, "failed": 0, "skipped": 0, "total": 300}
    bars = _steward(["batch", "status"], env)
    assert bars.returncode == 0 and "评分" in bars.stdout and "300/300" in bars.stdout and "单进程" in bars.stdout
    refused = _steward(["batch", "run", "--engine", "celery"], env)
    assert refused.returncode != 0 and "STEWARD_BROKER_URL" in refused.stderr


def _steward(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    import os

    return subprocess.run(
        [sys.executable, "-m", "app.cli.main", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.broker
def test_when_a_broker_is_configured_then_batch_run_fans_out_to_the_worker_and_status_counts_its_tasks(
    night_template: Path, tmp_path: Path, workers
):
    url = copy_of(night_template, tmp_path / "cli.db")
    settings = night_settings(tmp_path, url, REDIS_URL, batch_shard_size=100)
    pool = workers(settings)
    celery = make_celery(settings)
    env = {k: v for k, v in pool.env.items() if k.startswith("STEWARD_")}
    try:
        none = _steward(["batch", "run", "--diagnose", "none"], env)  # the broker is set, nobody listens yet
        assert none.returncode != 0 and "steward worker" in none.stderr
        pool.start("cli")
        wait_for(lambda: len(celery.control.ping(timeout=0.5) or []) >= 1, 40, "the worker to answer a ping")
        run = _steward(["batch", "run", "--diagnose", "none", "--json"], env)  # --engine auto: the workers
        assert run.returncode == 0, run.stderr
        assert json.loads(run.stdout)["households"] == 300
        status = json.loads(_steward(["batch", "status", "--json"], env).stdout)
        assert status["engine"] == "celery" and status["status"] == "done"
        assert status["stages"]["score"] == {
            "done": 3,
            "running": 0,
            "queued": 0,
            "failed": 0,
            "skipped": 0,
            "total": 3,
        }
        assert status["stages"]["dispatch"]["done"] == STEPS
    finally:
        pool.stop_all()
        delete_queues(celery, settings.broker_queue_prefix)
