"""Security fixtures: isolated encryption keys, small generated portfolios, the shared portfolio template."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from core.crypto.cipher import PROVIDER, FieldCipher
from core.crypto.keys import load_keyring
from data.db.session import init_db
from data.generator.generate import generate
from tests.portfolio_fixtures import *  # noqa: F403

PILOT = "BJ-PILOT/4-1203"
PILOT_RAW = ("13912345678", "110105198503124523", "王丽")


@pytest.fixture
def isolated_keys(tmp_path: Path) -> Iterator[FieldCipher]:
    """A fresh key file in the test's folder, used by the column types for the duration of the test."""
    ring = load_keyring(tmp_path / "keyvar", {})
    with PROVIDER.using(ring) as fc:
        yield fc


def generated(url: str, households: int = 40) -> Engine:
    """Migrate and generate a small portfolio (pilot first)."""
    engine = init_db(url)
    generate(engine, households, seed=5)
    return engine
