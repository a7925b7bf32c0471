"""An imported household runs through the plan graph with the scripted model, like the sample data."""

from __future__ import annotations

import re
from datetime import date, datetime

from langgraph.checkpoint.memory import InMemorySaver

from agent.context import AgentContext
from agent.graph import build_graph
from agent.runner import run_plan
from core.scope import CallerScope
from data.db.session import make_engine, make_session_factory
from tests.fakes import LexicalKB, ScriptedChatModel, reading_chat, sensible_structured
from tests.ingest.conftest import run


def test_when_bundle_household_is_planned_then_graph_pauses_with_a_valid_redacted_plan(
    factory, sample, sqlite_url, settings
):
    run(factory, sample("example.jsonl"), kind="bundle")
    model = ScriptedChatModel(chat_handler=reading_chat, structured_handler=sensible_structured)
    ctx = AgentContext(
        session_factory=make_session_factory(make_engine(sqlite_url)),
        model_factory=lambda **_: model,
        kb=LexicalKB(),
        scope=CallerScope("tester"),
        settings=settings,
        as_of=date(2024, 9, 2),
        clock=lambda: datetime(2024, 9, 2, 9, 0),
    )
    state = run_plan(build_graph(checkpointer=InMemorySaver()), ctx, "HO-TEST/1-101")
    assert state["status"] == "awaiting_approval"
    assert state["validation"]["passed"], state["validation"]["failures"]
    assert state["plan"]["arrears"] == "1120.00"
    cited = {e for c in state["diagnosis"]["citations"] for e in c["evidence_ids"]}
    assert cited & {"msg:m1", "msg:m2", "msg:m3", "msg:m4"}
    sent = model.all_text()
    assert "13900000001" not in sent and "张先生" not in sent and "1号楼101" not in sent
    assert not re.search(r"1[3-9]\d{9}", sent)
