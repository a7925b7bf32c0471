"""Fixtures for importer tests: a copy of the sample files and a migrated SQLite session factory."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from core.settings import PROJECT_ROOT
from data.db.session import init_db, make_session_factory
from data.importers import ImportResult, import_file

SAMPLES = PROJECT_ROOT / "data" / "samples"


@pytest.fixture
def samples(tmp_path: Path) -> Path:
    """A private copy of data/samples (error reports are written next to the input)."""
    target = tmp_path / "samples"
    shutil.copytree(SAMPLES, target, ignore=shutil.ignore_patterns("*.py", "*.md", "*.errors.csv", "__pycache__"))
    return target


def factory_for(url: str) -> sessionmaker[Session]:
    """Migrate the database at ``url`` and return a session factory for it."""
    return make_session_factory(init_db(url))


@pytest.fixture
def factory(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """Session factory of a fresh, migrated SQLite database."""
    made = factory_for(f"sqlite:///{tmp_path}/t.db")
    yield made
    made.kw["bind"].dispose()


def run_import(factory: sessionmaker[Session], path: Path, kind: str | None = None) -> ImportResult:
    """Import one file in its own committed transaction."""
    with factory() as session:
        result = import_file(session, path, kind=kind)
        session.commit()
    return result


@pytest.fixture
def load(factory: sessionmaker[Session]) -> Callable[..., ImportResult]:
    """``load(path, kind=None)`` imports a file into the fresh SQLite database."""
    return lambda path, kind=None: run_import(factory, path, kind)
