"""Shared fixtures: model-request kill switch, fresh SQLite/PostgreSQL databases, settings."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.settings import PROJECT_ROOT, Settings

PG_ADMIN_URL = os.environ.get("STEWARD_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
ALLOW_MODEL_REQUESTS = False


@pytest.fixture(autouse=True)
def _block_model_requests(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any real chat-model request unless the test is marked ``llm``."""
    if ALLOW_MODEL_REQUESTS or request.node.get_closest_marker("llm"):
        return
    from langchain_openai import ChatOpenAI

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("real model requests are disabled in tests; mark the test with @pytest.mark.llm")

    for name in ("_generate", "_agenerate", "_stream", "_astream"):
        monkeypatch.setattr(ChatOpenAI, name, refuse)


def models_dir() -> Path:
    """The shared model folder (STEWARD_MODELS_DIR or ./models)."""
    return Path(os.environ.get("STEWARD_MODELS_DIR") or PROJECT_ROOT / "models")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings isolated in a temporary folder, with the real model files."""
    return Settings(var_dir=tmp_path / "var", models_dir=models_dir())


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """URL of a fresh SQLite file."""
    return f"sqlite:///{tmp_path / 'steward.db'}"


def _ensure_postgres_running() -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(PG_ADMIN_URL)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return
    except Exception:
        versions = os.listdir("/etc/postgresql") if os.path.isdir("/etc/postgresql") else []
        if not versions or not shutil.which("pg_ctlcluster"):
            raise
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", versions[0], "main", "start"], check=False)
    finally:
        engine.dispose()


def fresh_pg_database() -> Iterator[str]:
    """Create a fresh PostgreSQL database, yield its URL, drop it afterwards."""
    from sqlalchemy import create_engine, text

    _ensure_postgres_running()
    name = f"steward_t_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n AND pid <> pg_backend_pid()"
                ),
                {"n": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """URL of a fresh, empty PostgreSQL database on 127.0.0.1:5432, dropped afterwards."""
    yield from fresh_pg_database()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Run a test once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'steward.db'}"
    else:
        yield from fresh_pg_database()
