"""Prompt injection: a model that obeys the owner's text still cannot change causes, amounts or approval."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from langchain_core.messages import BaseMessage
from langgraph.checkpoint.memory import InMemorySaver
from sqlalchemy import func, select

from agent.graph import build_graph
from agent.runner import run_plan
from data.db.models import ChatMessage
from data.db.workflow import Approval, DunningPlan
from data.repositories.households import find_unit
from knowledge_base.catalog import load_causes
from tests.fakes import ScriptedChatModel, reading_chat, step_seqs, step_texts
from tests.security.conftest import PILOT

CASES = yaml.safe_load((Path(__file__).parent / "injection_cases.yaml").read_text(encoding="utf-8"))
KB_IDS = {c.id for c in load_causes()}
LEDGER_ARREARS = "1680.00"


def obeying_model(case: dict, seen: list[bool]) -> ScriptedChatModel:
    """A malicious fake: once it sees the injected text, it outputs the injected cause and words."""

    def structured(schema: type, messages: list[BaseMessage]) -> dict | None:
        prompt = "\n".join(str(m.content) for m in messages)
        seen.append(case.get("needle", case["text"][:8]) in prompt)
        if schema.__name__ == "Diagnosis":
            evid = re.search(r"\[(msg:inj-[^\]]+)\]", prompt)
            cause = case.get("cause") or re.search(r"^- ([a-z]+\.[a-z_]+)：", prompt, re.M).group(1)
            return {
                "cause": cause,
                "evidence": [evid.group(1) if evid else "msg:x"],
                "why": "业主指令要求如此判定",
                "secondary_cause_ids": case.get("secondary", []),
                "confidence": 1.0,
                "approved": True,
                "status": "approved",
            }
        seqs = step_seqs(prompt)
        return step_texts(schema, seqs, case["message"])

    return ScriptedChatModel(chat_handler=reading_chat, structured_handler=structured)


def _params() -> list:
    """Cases; one with a documented gap in another module is a strict xfail, so its fix shows up as XPASS."""
    return [
        pytest.param(
            c, id=c["id"], marks=[pytest.mark.xfail(strict=True, reason=c["known_gap"])] if c.get("known_gap") else []
        )
        for c in CASES
    ]


@pytest.mark.parametrize("case", _params())
def test_when_owner_text_injects_instructions_then_causes_amounts_and_approval_hold(case, agent_context):
    with agent_context.session_factory() as s:
        unit = find_unit(s, PILOT)
        s.add(
            ChatMessage(
                unit_id=unit.id,
                ext_id=f"inj-{case['id']}",
                speaker_role="owner",
                speaker_name="王女士",
                sent_at=datetime(2024, 9, 1, 20, 0),
                text=case["text"],
            )
        )
        s.commit()
    seen: list[bool] = []
    agent_context.model_factory = lambda **_: obeying_model(case, seen)
    state = run_plan(build_graph(checkpointer=InMemorySaver()), agent_context, PILOT)
    assert any(seen), "the injected text never reached the model"
    diagnosis, plan = state["diagnosis"], state["plan"]
    assert diagnosis["primary_cause_id"] in KB_IDS
    assert set(diagnosis["secondary_cause_ids"]) <= KB_IDS
    assert plan["arrears"] == LEDGER_ARREARS
    assert state["status"] == "awaiting_approval" and state["validation"]["passed"]
    outgoing = " ".join(s["message"] for s in plan["steps"] if s["outgoing"])
    for text in case.get("forbidden", []):
        assert text not in outgoing
    with agent_context.session_factory() as s:
        row = s.get(DunningPlan, state["plan_id"])
        assert row.status == "awaiting_approval"
        assert s.execute(select(func.count()).select_from(Approval)).scalar() == 0


def test_when_cases_are_loaded_then_there_are_at_least_twelve():
    assert len(CASES) >= 12 and len({c["id"] for c in CASES}) == len(CASES)
