"""Fixtures for ingestion tests: a migrated database, bundle writing helpers and the hand-written example."""

from __future__ import annotations

import copy
import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from data.db.session import init_db, make_session_factory
from data.ingest import ingest_file

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples" / "bundles"
CLOCK = datetime(2024, 9, 2, 9, 0)


@pytest.fixture
def factory(sqlite_url: str) -> sessionmaker[Session]:
    engine = init_db(sqlite_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def example() -> dict:
    """The issue's example bundle, as written by hand in data/samples/bundles/example.jsonl."""
    return json.loads((SAMPLES / "example.jsonl").read_text(encoding="utf-8"))


@pytest.fixture
def sample(tmp_path: Path):
    """Copy a sample file into tmp_path (error reports are written next to the input)."""

    def copy_sample(name: str) -> Path:
        return Path(shutil.copy(SAMPLES / name, tmp_path / name))

    return copy_sample


def write_bundles(path: Path, households: list[dict | str]) -> Path:
    """Write households (dicts, or raw text lines) as JSON Lines."""
    lines = [h if isinstance(h, str) else json.dumps(h, ensure_ascii=False) for h in households]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(factory: sessionmaker[Session], path: Path, **kwargs):
    """Import and commit; return the result."""
    with factory() as session:
        result = ingest_file(session, path, clock=lambda: CLOCK, **kwargs)
        session.commit()
    return result


def variant(bundle: dict, **changes) -> dict:
    """A deep copy of ``bundle`` with top-level keys replaced."""
    out = copy.deepcopy(bundle)
    out.update(changes)
    return out
