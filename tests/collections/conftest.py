"""Fixtures: generated portfolios (SQLite template copies, or PostgreSQL), a business date and a clock."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import pytest

from data.db.session import init_db
from data.db.workflow import DunningPlan, PlanStep
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


def add_approved_visit_plans(session, units) -> list[int]:  # noqa: ANN001
    """An approved one-step plan (a visit due on AS_OF) for each unit; returns the step ids (caller commits)."""
    steps = []
    for u in units:
        plan = DunningPlan(
            unit_id=u.id, version=1, status="approved", stage="预警", strategy="standard", created_at=NOW
        )
        plan.steps.append(
            PlanStep(
                seq=1,
                day=AS_OF,
                window_start="10:00",
                window_end="12:00",
                channel="visit",
                action="上门拜访",
                message="您好，本月物业费账单已出，欢迎咨询。",
                role="steward",
            )
        )
        session.add(plan)
        session.flush()
        steps.append(plan.steps[0].id)
    return steps
