"""Fixtures: generated portfolios (SQLite template copies, or PostgreSQL), a business date and a clock."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import pytest

from data.db.session import init_db
from data.generator.generate import generate

AS_OF = date(2024, 9, 2)
NOW = datetime(2024, 9, 2, 10, 0)


def build_portfolio(url: str, households: int, seed: int = 5) -> None:
    engine = init_db(url)
    generate(engine, households, seed=seed, as_of=AS_OF)
    engine.dispose()


@pytest.fixture(scope="session")
def small_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("collections") / "small.db"
    build_portfolio(f"sqlite:///{path}", 160)
    return path


@pytest.fixture
def small_url(small_template: Path, tmp_path: Path) -> str:
    """A private copy of a 160-household SQLite portfolio."""
    target = tmp_path / "small.db"
    shutil.copy(small_template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def small_db_url(db_url: str, small_template: Path, tmp_path: Path) -> str:
    """The 160-household portfolio on SQLite and on PostgreSQL."""
    if db_url.startswith("sqlite"):
        target = tmp_path / "small.db"
        shutil.copy(small_template, target)
        return f"sqlite:///{target}"
    build_portfolio(db_url, 160)
    return db_url
