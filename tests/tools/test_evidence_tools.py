"""Household evidence tools: redacted, citable, scoped."""

from __future__ import annotations

import json
import re

import pytest

from core.scope import CallerScope, ScopeError
from data.db.session import init_db, make_session_factory
from data.generator.pilot import PILOT_OWNER
from tools.evidence import REQUIRED_SOURCES, EvidenceReader
from tools.household_tools import make_evidence_tools

PILOT = "BJ-PILOT/4-1203"


@pytest.fixture
def session(portfolio_url):
    factory = make_session_factory(init_db(portfolio_url))
    with factory() as s:
        yield s


def all_tool_output(session, household: str) -> str:
    reader = EvidenceReader(session, household, CallerScope("t"))
    tools = make_evidence_tools(reader, search=lambda q, k: [{"cause_id": "x", "query": q}])
    return "\n".join(t.invoke({"query": "垃圾"} if t.name == "search_knowledge_base" else {}) for t in tools)


def test_when_pilot_evidence_is_read_then_no_raw_phone_id_name_or_unit_is_in_it(session):
    out = all_tool_output(session, PILOT)
    for raw in (
        PILOT_OWNER["mobile"],
        PILOT_OWNER["id_number"],
        PILOT_OWNER["name"],
        "王女士",
        "李管家",
        "张师傅",
        "4号楼1203",
        PILOT_OWNER["wechat"],
    ):
        assert raw not in out
    assert "【业主】" in out and "楼梯口垃圾袋堆积" in out


def test_when_tools_are_built_then_required_sources_exist_with_chinese_descriptions(session):
    tools = make_evidence_tools(EvidenceReader(session, PILOT, CallerScope("t")))
    names = {t.name for t in tools}
    assert set(REQUIRED_SOURCES) <= names
    assert all(re.search(r"[\u4e00-\u9fff]", t.description) for t in tools)


def test_when_chats_are_windowed_then_ids_are_stable_and_citable(session):
    reader = EvidenceReader(session, PILOT, CallerScope("t"))
    first = reader.chats(0, 3)["messages"]
    again = reader.chats(0, 3)["messages"]
    assert [m["id"] for m in first] == ["msg:m1", "msg:m2", "msg:m3"] == [m["id"] for m in again]
    assert reader.chats(3, 3)["messages"][0]["id"] == "msg:m4"
    ids = reader.citable_ids()
    assert {"msg:m1", "ticket:WD-20240801-001", "claim:C1", "pay:2024-05"} <= ids


def test_when_payments_are_read_then_habits_are_computed(session):
    habits = EvidenceReader(session, PILOT, CallerScope("t")).payments()["habits"]
    assert habits["usual_channel"] == "微信" and habits["payments"] == 9 and habits["max_delay_days"] == 3


def test_when_household_is_outside_the_callers_projects_then_reading_fails(session):
    with pytest.raises(ScopeError):
        EvidenceReader(session, PILOT, CallerScope("sh-steward", frozenset({"SH-PD"})))


def test_when_profile_is_read_then_ledger_facts_are_deterministic(session):
    profile = json.loads(make_evidence_tools(EvidenceReader(session, PILOT, CallerScope("t")))[0].invoke({}))
    assert profile["arrears"] == "1680.00" and profile["days_overdue"] == 64
    assert profile["unpaid_periods"] == ["2024-06", "2024-07", "2024-08"]
