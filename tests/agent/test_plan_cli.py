"""`steward plan` generates and approves through the same plan service as the API (scripted model)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from app.cli.main import app
from app.runtime import clear_overrides
from core.settings import get_settings
from data.db.session import init_db, make_session_factory
from data.db.workflow import DunningPlan
from tests.api.helpers import PILOT, build_portfolio
from tests.support.scripted_host import install_scripted_runtime

runner = CliRunner()


@pytest.fixture
def portfolio(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    build_portfolio(url).dispose()
    monkeypatch.setenv("STEWARD_DATABASE_URL", url)
    monkeypatch.setenv("STEWARD_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    install_scripted_runtime()
    yield url
    clear_overrides()
    get_settings.cache_clear()


def _plans(url: str) -> list[tuple[int, str]]:
    engine = init_db(url)
    with make_session_factory(engine)() as session:
        rows = session.execute(select(DunningPlan.id, DunningPlan.status).order_by(DunningPlan.id)).all()
    engine.dispose()
    return [tuple(r) for r in rows]


def test_when_plan_is_generated_by_cli_then_it_waits_for_approval(portfolio):
    result = runner.invoke(app, ["plan", PILOT, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output[result.output.index("{") :])
    assert data["status"] == "awaiting_approval" and data["plan"]["steps"]
    assert _plans(portfolio) == [(data["plan_id"], "awaiting_approval")]


def test_when_cli_approves_then_the_pending_plan_is_approved_through_the_service(portfolio):
    first = runner.invoke(app, ["plan", PILOT, "--json"])
    plan_id = json.loads(first.output[first.output.index("{") :])["plan_id"]
    result = runner.invoke(app, ["plan", PILOT, "--approve", "--user", "李管家", "--json"])
    assert result.exit_code == 0, result.output
    assert _plans(portfolio) == [(plan_id, "approved")]
    again = runner.invoke(app, ["plan", PILOT, "--approve", "--user", "李管家", "--json"])
    assert again.exit_code == 0, again.output  # nothing pending: a new plan is drafted and approved
    plans = _plans(portfolio)
    assert len(plans) == 2 and plans[-1][1] == "approved"
    engine = init_db(portfolio)
    with make_session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(DunningPlan)) == 2
    engine.dispose()
