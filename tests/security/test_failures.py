"""Failures: model timeouts and invalid JSON, a crash while saving, concurrent approvals, hostile imports."""

from __future__ import annotations

import threading
import zipfile
from datetime import date, datetime

import httpx
import openai
import pytest
from langchain_core.messages import AIMessage
from langgraph.checkpoint.memory import InMemorySaver
from sqlalchemy import func, select

from agent.graph import build_graph
from agent.runner import run_plan
from data.db.models import Project, Receivable, Unit
from data.db.session import init_db, make_session_factory
from data.db.workflow import Approval, Diagnosis, DunningPlan, PlanStep
from data.importers import ImportFileError, import_file
from data.repositories import audit, plans
from data.repositories.households import find_unit
from tests.fakes import ScriptedChatModel
from tests.security.conftest import PILOT, generated

TIMEOUTS = [
    httpx.ReadTimeout("read timed out"),
    openai.APITimeoutError(request=httpx.Request("POST", "http://x")),
    openai.APIConnectionError(request=httpx.Request("POST", "http://x")),
    ConnectionRefusedError("down"),
]


def _raising_model(exc: Exception, calls: list[str]) -> ScriptedChatModel:
    def chat(_messages, _kwargs):  # noqa: ANN001, ANN202
        calls.append("chat")
        raise exc

    def structured(schema, _messages):  # noqa: ANN001, ANN202
        calls.append(schema.__name__)
        raise exc

    return ScriptedChatModel(chat_handler=chat, structured_handler=structured)


def _counts(factory) -> tuple[int, int, int]:  # noqa: ANN001
    with factory() as s:
        return tuple(
            s.execute(select(func.count()).select_from(m)).scalar() for m in (Diagnosis, DunningPlan, PlanStep)
        )


@pytest.mark.parametrize("exc", TIMEOUTS, ids=lambda e: type(e).__name__)
def test_when_the_endpoint_fails_then_the_deterministic_fallback_gives_a_plan_awaiting_approval(agent_context, exc):
    calls: list[str] = []
    model = _raising_model(exc, calls)
    agent_context.model_factory = lambda **_: model
    state = run_plan(build_graph(checkpointer=InMemorySaver()), agent_context, PILOT)
    assert state["diagnosis"]["source"] == "retrieval"
    assert {s["message_source"] for s in state["plan"]["steps"] if s["outgoing"]} <= {"template", "template_fallback"}
    assert state["status"] == "awaiting_approval"
    assert len(calls) <= 4  # one failed call per model step, no unbounded retry loop


def test_when_the_model_returns_invalid_json_then_diagnosis_retries_three_times_then_falls_back(agent_context):
    calls: list[str] = []

    def structured(schema, _messages):  # noqa: ANN001, ANN202
        calls.append(schema.__name__)
        return None  # the fake answers "not json"

    model = ScriptedChatModel(chat_handler=lambda *_: AIMessage(content="{not json"), structured_handler=structured)
    agent_context.model_factory = lambda **_: model
    state = run_plan(build_graph(checkpointer=InMemorySaver()), agent_context, PILOT)
    assert calls.count("Diagnosis") == 3
    assert state["diagnosis"]["source"] == "retrieval" and state["status"] == "awaiting_approval"
    assert all(s["message"] for s in state["plan"]["steps"] if s["outgoing"])


def test_when_saving_crashes_after_the_rows_are_written_then_neither_diagnosis_nor_plan_remains(
    agent_context, monkeypatch
):
    before = _counts(agent_context.session_factory)

    def crash(*_args, **_kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("disk full")

    monkeypatch.setattr(plans.audit, "record", crash)
    with pytest.raises(RuntimeError, match="disk full"):
        run_plan(build_graph(checkpointer=InMemorySaver()), agent_context, PILOT)
    assert _counts(agent_context.session_factory) == before


def _draft(factory) -> int:  # noqa: ANN001
    with factory() as s:
        unit = find_unit(s, PILOT)
        row = plans.save_draft(
            s,
            unit_id=unit.id,
            diagnosis={"primary_cause_id": "svc.slow_repair"},
            validation={"passed": True},
            plan={
                "stage": "高级",
                "strategy": "service_first",
                "steps": [
                    {
                        "seq": 1,
                        "date": "2024-09-03",
                        "window": ["09:00", "18:00"],
                        "channel": "visit",
                        "action": "上门",
                        "role": "steward",
                        "message": "",
                    }
                ],
            },
            thread_id=None,
            actor="tester",
            at=datetime(2024, 9, 2, 9),
        )
        s.commit()
        return row.id


def test_when_two_stewards_approve_at_once_then_one_wins_and_the_other_gets_a_conflict(db_url):
    factory = make_session_factory(generated(db_url, households=5))
    plan_id = _draft(factory)
    start, outcomes = threading.Barrier(2), []

    def approve(user: str) -> None:
        with factory() as s:
            start.wait()
            try:
                plans.decide(s, plan_id=plan_id, decision="accept", username=user, at=datetime(2024, 9, 2, 10))
                s.commit()
                outcomes.append("ok")
            except plans.PlanConflict:
                s.rollback()
                outcomes.append("conflict")

    threads = [threading.Thread(target=approve, args=(u,)) for u in ("li", "zhang")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "ok"]
    with factory() as s:
        assert s.get(DunningPlan, plan_id).status == "approved"
        assert s.execute(select(func.count()).select_from(Approval)).scalar() == 1
        assert audit.verify(s).ok


def test_when_a_zip_archive_is_renamed_csv_then_the_import_fails_clearly_and_nothing_changes(tmp_path):
    factory = make_session_factory(init_db(f"sqlite:///{tmp_path / 't.db'}"))
    path = tmp_path / "bills.csv"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(
            "bills.csv", "项目编码,房号,账期,费项,应收金额,到期日\nBJ-PILOT,4-1203,2024-06,物业费,560,2024-06-30\n"
        )
    with factory() as s, pytest.raises(ImportFileError) as err:
        import_file(s, path)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(err.value))
    with factory() as s:
        assert s.execute(select(func.count()).select_from(Receivable)).scalar() == 0


def test_when_100k_rows_have_1_percent_bad_then_every_good_row_lands_and_each_bad_one_is_reported(tmp_path):
    factory = make_session_factory(generated(f"sqlite:///{tmp_path / 't.db'}", households=1000))
    with factory() as s:
        units = s.execute(
            select(Project.code, Unit.code).join(Project, Project.id == Unit.project_id).order_by(Unit.id).limit(500)
        ).all()
        before = s.execute(select(func.count()).select_from(Receivable)).scalar()
    periods = [f"{y}-{m:02d}" for y in range(2001, 2018) for m in range(1, 13)][:200]
    lines = ["项目编码,房号,账期,费项,应收金额,到期日"]
    for i in range(100_000):
        (project, unit), period = units[i % 500], periods[i // 500]
        amount = "abc" if i % 100 == 7 else "560.00"
        lines.append(f"{project},{unit},{period},车位费,{amount},{period}-28")
    path = tmp_path / "big.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with factory() as s:
        result = import_file(s, path)
        s.commit()
    assert (result.rows, result.inserted, result.errors) == (100_000, 99_000, 1_000)
    assert result.error_report and sum(1 for _ in open(result.error_report, encoding="utf-8-sig")) == 1_001
    with factory() as s:
        assert s.execute(select(func.count()).select_from(Receivable)).scalar() == before + 99_000
        assert s.execute(select(func.min(Receivable.due_date)).where(Receivable.fee_type == "车位费")).scalar() == date(
            2001, 1, 28
        )
