"""The template fallback must itself be compliant: every stage and strategy, escalation order included."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from itertools import product

import pytest
from sqlalchemy import create_engine, select

from agent.nodes.plan import skeleton
from agent.nodes.validate import planned_escalation, run_validation
from core.domain.planning import COMMITTEE_ACTION
from data.db.models import Project, Unit
from data.db.session import make_session_factory
from data.repositories.plan_facts import load_plan_facts
from knowledge_base.catalog import load_causes

HOUSEHOLDS = 3
DAYS = (5, 20, 45, 70)  # one per stage: 预警, 初级, 中级, 高级
FLAGS = {"beh.malicious": {"malicious": True}, "ext.hardship": {"hardship": True}}
CAUSES = {c.id: FLAGS.get(c.id, {}) for c in load_causes()}  # every cause: its fix actions fill the templates


def _templates_only(plan: dict) -> dict:
    steps = [{**s, "message": s["template_text"], "message_source": "template_fallback"} for s in plan["steps"]]
    return {**plan, "steps": steps}


def test_when_every_message_comes_from_its_template_then_the_plan_passes_validation(portfolio_url, lexical_kb):
    engine = create_engine(portfolio_url)
    seen: Counter = Counter()
    failures = []
    with make_session_factory(engine)() as session:
        keys = [f"{p}/{u}" for p, u in session.execute(select(Project.code, Unit.code).join(Project))]
        owing = [f for f in (load_plan_facts(session, key) for key in keys) if f.arrears_cents > 0][:HOUSEHOLDS]
        for (n, facts), days, (cause, flags) in product(enumerate(owing), DAYS, CAUSES.items()):
            plan = _templates_only(
                skeleton(replace(facts, days_overdue=days), {"primary_cause_id": cause, "flags": flags}, lexical_kb)
            )
            seen[(plan["stage"], plan["strategy"])] += 1
            report = run_validation(replace(facts, days_overdue=days), plan)
            if not report["passed"]:
                failures.append((n, days, cause, [(f["rule"], f["excerpt"]) for f in report["failures"]]))
    engine.dispose()
    assert {stage for stage, _ in seen} >= {"预警", "初级", "中级", "高级"}, seen
    assert not failures, failures[:5]


@pytest.mark.parametrize("cause,flags", [("beh.forgetful", {}), ("beh.malicious", {"malicious": True})])
def test_when_a_plan_announces_litigation_then_a_committee_step_comes_first(portfolio_url, lexical_kb, cause, flags):
    engine = create_engine(portfolio_url)
    checked = 0
    with make_session_factory(engine)() as session:
        for p, u in session.execute(select(Project.code, Unit.code).join(Project)):
            facts = load_plan_facts(session, f"{p}/{u}")
            if facts.days_overdue <= 60:
                continue
            plan = skeleton(facts, {"primary_cause_id": cause, "flags": flags}, lexical_kb)
            legal = [s for s in plan["steps"] if s["outgoing"] and "诉讼" in s["template_text"]]
            committee = planned_escalation(plan)
            for step in legal:
                checked += 1
                assert committee and committee[0][0].date().isoformat() < step["date"], plan["steps"]
            assert all(s["action"] != COMMITTEE_ACTION or not s["outgoing"] for s in plan["steps"])
    engine.dispose()
    assert checked, "no 高级 household announced litigation; the fixture should contain some"
