"""Fixtures for the batch on workers: a generated portfolio, settings for a run, worker processes, brokers."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from core.settings import PROJECT_ROOT, Settings
from data.db.models import Unit
from data.db.session import init_db, make_session_factory
from tests.collections.conftest import add_approved_visit_plans, build_portfolio

REDIS_URL = os.environ.get("STEWARD_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
AMQP_URL = os.environ.get("STEWARD_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")
HOUSEHOLDS = 300
STEPS = 12


def approve_steps_today(url: str, n: int) -> list[int]:
    """Approved one-step plans due on AS_OF for the first ``n`` owned households; returns the step ids."""
    engine = init_db(url)
    with make_session_factory(engine)() as s:
        units = s.execute(select(Unit).where(Unit.owner_id.is_not(None)).order_by(Unit.id).limit(n)).scalars().all()
        steps = add_approved_visit_plans(s, units)
        s.commit()
    engine.dispose()
    return steps


@pytest.fixture(scope="session")
def night_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 300-household SQLite portfolio with a dozen approved steps due on the business date."""
    path = tmp_path_factory.mktemp("night") / "night.db"
    build_portfolio(f"sqlite:///{path}", HOUSEHOLDS, seed=21)
    approve_steps_today(f"sqlite:///{path}", STEPS)
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def night_url(request: pytest.FixtureRequest, night_template: Path, tmp_path: Path) -> Iterator[str]:
    """The night's portfolio on a private SQLite copy and on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield copy_of(night_template, tmp_path / "night.db")
        return
    from tests.conftest import fresh_pg_database

    for url in fresh_pg_database():
        build_portfolio(url, HOUSEHOLDS, seed=21)
        approve_steps_today(url, STEPS)
        yield url


def copy_of(template: Path, target: Path) -> str:
    """URL of a private copy of the template database."""
    shutil.copy(template, target)
    return f"sqlite:///{target}"


@dataclass
class Workers:
    """Worker processes of one test (each in its own process group, so a kill takes its pool with it)."""

    env: dict[str, str]
    log_dir: Path
    procs: list[subprocess.Popen]

    def start(self, name: str, *, delay: float = 0.0, concurrency: int = 1) -> subprocess.Popen:
        """Start `steward worker` hosted with the scripted model (``delay`` s per model call)."""
        extra = ["--delay", str(delay)] if delay > 0 else []
        cmd = [
            sys.executable,
            "-m",
            "tests.support.scripted_host",
            *extra,
            "app.cli.main",
            "worker",
            "--concurrency",
            str(concurrency),
            "--name",
            f"{name}-{uuid.uuid4().hex[:6]}@%h",
            "--loglevel",
            "INFO",
        ]
        log = (self.log_dir / f"{name}.log").open("wb")
        proc = subprocess.Popen(cmd, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append(proc)
        return proc

    def kill(self, proc: subprocess.Popen) -> None:
        """kill -9 the worker and its pool children (a lost machine)."""
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)

    def stop_all(self) -> None:
        """Kill every worker still running."""
        for proc in self.procs:
            if proc.poll() is None:
                self.kill(proc)

    def log(self, name: str) -> str:
        """The tail of a worker's log."""
        path = self.log_dir / f"{name}.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""


def wait_for(check: Callable[[], bool], timeout: float, what: str, interval: float = 0.2) -> None:
    """Poll ``check`` until it holds; fail the test with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def night_settings(tmp_path: Path, url: str, broker: str, **extra: object) -> Settings:
    """Settings of one run: its database, var dir, broker and a queue prefix of its own."""
    from tests.conftest import models_dir

    return Settings(
        var_dir=tmp_path / "var",
        models_dir=models_dir(),
        database_url=url,
        broker_url=broker,
        broker_queue_prefix=f"steward-test-{uuid.uuid4().hex[:8]}",
        **extra,
    )


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Callable[[Settings], Workers]]:
    """Build worker processes for a run's settings; every one is killed when the test ends."""
    made: list[Workers] = []

    def build(settings: Settings) -> Workers:
        env = {
            **os.environ,
            "PYTHONPATH": str(PROJECT_ROOT),
            "STEWARD_DATABASE_URL": settings.database_url,
            "STEWARD_VAR_DIR": str(settings.var_dir),
            "STEWARD_MODELS_DIR": str(settings.models_dir),
            "STEWARD_BROKER_URL": settings.broker_url,
            "STEWARD_BROKER_QUEUE_PREFIX": settings.broker_queue_prefix,
            "STEWARD_BATCH_LEASE_SECONDS": str(settings.batch_lease_seconds),
            "STEWARD_BATCH_SHARD_SIZE": str(settings.batch_shard_size),
        }
        w = Workers(env=env, log_dir=tmp_path, procs=[])
        made.append(w)
        return w

    try:
        yield build
    finally:
        for w in made:
            w.stop_all()


def delete_queues(celery, prefix: str) -> None:  # noqa: ANN001
    """Remove the test's queues from the broker (on Redis also their bindings and unacked messages)."""
    from app.workers.celery_app import QUEUES

    try:
        with celery.connection_for_write() as conn:
            channel = conn.default_channel
            for q in QUEUES:
                for delete in (channel.queue_delete, channel.exchange_delete):
                    try:
                        delete(f"{prefix}.{q}")
                    except Exception:  # noqa: BLE001 - one never declared
                        pass
        if celery.conf.broker_url.startswith("redis://"):
            _forget_on_redis(celery.conf.broker_url, prefix)
    finally:
        celery.close()


def _forget_on_redis(url: str, prefix: str) -> None:
    """Drop what kombu keeps of the prefix's queues on Redis (binding sets, messages a killed worker held)."""
    import json

    import redis

    client = redis.Redis.from_url(url)
    try:
        keys = [*client.scan_iter(f"_kombu.binding*.{prefix}.*"), *client.scan_iter(f"{prefix}.*")]
        if keys:
            client.delete(*keys)
        for tag, raw in client.hscan_iter("unacked"):
            try:
                routed = json.loads(raw)[2]
            except (ValueError, IndexError, TypeError):
                continue
            if str(routed).startswith(f"{prefix}."):
                client.hdel("unacked", tag)
                client.zrem("unacked_index", tag)
    finally:
        client.close()
