"""The plan graph pauses and resumes with the production checkpointers (SQLite file, PostgreSQL)."""

from __future__ import annotations

import pytest

from agent.graph import build_graph
from agent.runner import open_checkpointer, resume, run_plan
from core.settings import Settings


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_when_paused_then_a_new_graph_on_the_same_checkpointer_resumes_the_run(
    backend, agent_context, tmp_path, request
):
    url = request.getfixturevalue("pg_url") if backend == "postgresql" else ""
    settings = Settings(var_dir=tmp_path / "var", database_url=url)
    with open_checkpointer(settings) as saver:
        state = run_plan(build_graph(checkpointer=saver), agent_context, "BJ-PILOT/4-1203")
        assert state["status"] == "awaiting_approval"
    with open_checkpointer(settings) as saver:
        final = resume(
            build_graph(checkpointer=saver), agent_context, state["thread_id"], {"action": "accept", "user": "li"}
        )
    assert final["status"] == "approved"
