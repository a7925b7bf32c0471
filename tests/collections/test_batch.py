"""Overnight batch: scores and queue, diagnosis only where evidence changed, resumable without duplicates."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from app.channels import OutboxAdapter, ReceiptSimulator
from app.services.collections.batch import run_batch
from app.services.collections.diagnosis import graph_diagnoser
from data.db.collections import BatchRun, HouseholdScore, OutboxMessage
from data.db.models import Unit
from data.db.session import init_db, make_session_factory
from data.db.workflow import ContactAttempt, Diagnosis
from data.repositories.households import find_unit
from tests.collections.conftest import AS_OF, NOW, add_approved_visit_plans, build_portfolio
from tests.fakes import LexicalKB, ScriptedChatModel, reading_chat, sensible_structured

ALWAYS = {c: (1.0, 0.0, 0.0, 0.0) for c in ("sms", "wechat", "email", "phone", "visit")}


class Crash(BaseException):
    """Stands in for kill -9: not an Exception, so nothing in the batch swallows it."""


def crashing(fn, after: int):
    calls = {"n": 0}

    def wrapped(*args):
        calls["n"] += 1
        if calls["n"] > after:
            raise Crash
        return fn(*args)

    return wrapped


def diagnoses_per_unit(engine) -> dict[int, int]:
    with make_session_factory(engine)() as s:
        return dict(s.execute(select(Diagnosis.unit_id, func.count()).group_by(Diagnosis.unit_id)).all())


def owing_units(engine) -> set[int]:
    with make_session_factory(engine)() as s:
        return set(s.execute(select(HouseholdScore.unit_id).where(HouseholdScore.arrears_cents > 0)).scalars())


def test_when_graph_batch_crashes_then_rerun_finishes_without_duplicate_diagnoses(tmp_path, settings):
    url = f"sqlite:///{tmp_path / 'tiny.db'}"
    build_portfolio(url, 16, seed=9)
    engine = init_db(url)
    settings = settings.model_copy(update={"database_url": url})
    model = ScriptedChatModel(chat_handler=reading_chat, structured_handler=sensible_structured)
    kb = LexicalKB()
    with graph_diagnoser(settings, AS_OF, model_factory=lambda **_: model, kb=kb) as diagnose:
        with pytest.raises(Crash):
            run_batch(engine, var_dir=settings.var_dir, as_of=AS_OF, diagnoser=crashing(diagnose, 3), concurrency=2)
        with make_session_factory(engine)() as s:
            assert s.execute(select(BatchRun.status)).scalar_one() == "running"
        partial = diagnoses_per_unit(engine)
        assert 3 <= sum(partial.values()) < len(owing_units(engine))
        summary = run_batch(engine, var_dir=settings.var_dir, as_of=AS_OF, diagnoser=diagnose, concurrency=2)
    assert summary.resumed and summary.diagnosis_failed == 0
    counts = diagnoses_per_unit(engine)
    assert set(counts) == owing_units(engine) and set(counts.values()) == {1}
    assert summary.diagnosed == len(counts) - sum(partial.values())
    again = run_batch(engine, var_dir=settings.var_dir, as_of=AS_OF, diagnoser=lambda key: pytest.fail(key))
    assert not again.resumed and again.diagnosed == 0 and again.unchanged_skipped == len(counts)


def stub_diagnoser(engine):
    """Writes a diagnosis the way the graph does (fingerprint of the unit), without a model."""

    def diagnose(key: str) -> str:
        with make_session_factory(engine)() as s:
            unit = find_unit(s, key)
            s.add(
                Diagnosis(
                    unit_id=unit.id,
                    created_at=NOW,
                    primary_cause_id="beh.forgetful",
                    evidence_fingerprint=unit.evidence_fingerprint,
                )
            )
            s.commit()
        return "awaiting_approval"

    return diagnose


def approve_steps_today(engine, n: int) -> list[int]:
    """Approved one-step plans due on AS_OF for ``n`` households in arrears; returns the step ids."""
    with make_session_factory(engine)() as s:
        units = (
            s.execute(
                select(Unit)
                .join(HouseholdScore, HouseholdScore.unit_id == Unit.id)
                .where(HouseholdScore.excluded.is_(None))
                .order_by(Unit.id)
                .limit(n)
            )
            .scalars()
            .all()
        )
        steps = add_approved_visit_plans(s, units)
        s.commit()
    return steps


def test_when_batch_crashes_mid_run_then_rerun_has_no_duplicate_diagnosis_or_send(small_db_url, tmp_path):
    engine = init_db(small_db_url)
    var_dir = tmp_path / "var"
    run_batch(engine, var_dir=var_dir, as_of=AS_OF, diagnose="none")
    steps = approve_steps_today(engine, 3)
    diagnose = stub_diagnoser(engine)
    sends = {"n": 0}

    def adapters(session):
        sends["n"] += 1
        if sends["n"] == 3:
            raise Crash
        return [OutboxAdapter(session, ReceiptSimulator(rates=ALWAYS))]

    with pytest.raises(Crash):
        run_batch(
            engine,
            var_dir=var_dir,
            as_of=date(2024, 9, 2),
            diagnoser=crashing(diagnose, 5),
            concurrency=2,
            adapters=adapters,
        )
    with pytest.raises(Crash):  # diagnoses finish this time, dispatch dies at its third step
        run_batch(engine, var_dir=var_dir, as_of=AS_OF, diagnoser=diagnose, concurrency=2, adapters=adapters)
    summary = run_batch(engine, var_dir=var_dir, as_of=AS_OF, diagnoser=diagnose, adapters=adapters)
    assert summary.resumed
    counts = diagnoses_per_unit(engine)
    assert set(counts.values()) == {1} and set(counts) == owing_units(engine)
    with make_session_factory(engine)() as s:
        attempts = s.execute(
            select(ContactAttempt.plan_step_id, func.count())
            .where(ContactAttempt.plan_step_id.in_(steps))
            .group_by(ContactAttempt.plan_step_id)
        ).all()
        assert dict(attempts) == dict.fromkeys(steps, 1)
        assert s.execute(select(func.count()).select_from(OutboxMessage)).scalar_one() == 3
        scored = s.execute(select(func.count()).select_from(HouseholdScore)).scalar_one()
        assert scored == s.execute(select(func.count()).select_from(Unit)).scalar_one()
        assert s.execute(select(BatchRun.status).order_by(BatchRun.id.desc()).limit(1)).scalar_one() == "done"


def queue_order(engine) -> list[str]:
    """Household keys of the day's queue, highest priority first (exclusions left out)."""
    from sqlalchemy import text

    with engine.connect() as conn:
        return list(
            conn.execute(
                text(
                    "SELECT p.code || '/' || u.code FROM household_scores s JOIN units u ON u.id = s.unit_id "
                    "JOIN projects p ON p.id = u.project_id WHERE s.arrears_cents > 0 AND s.excluded IS NULL "
                    "ORDER BY s.priority DESC, u.id"
                )
            ).scalars()
        )


def test_when_the_night_drafts_the_top_of_the_queue_then_only_those_and_the_named_ones_get_plans(tmp_path):
    from app.services.collections.batch import Drafting

    url = f"sqlite:///{tmp_path / 'top.db'}"
    build_portfolio(url, 24, seed=11)
    engine = init_db(url)
    run_batch(engine, var_dir=tmp_path, as_of=AS_OF, diagnose="none")
    queue = queue_order(engine)
    assert len(queue) > 5
    named = queue[-1]  # last in the queue, drafted anyway
    drafted: list[str] = []
    diagnose = stub_diagnoser(engine)

    def recording(key: str) -> str:
        drafted.append(key)
        return diagnose(key)

    summary = run_batch(
        engine,
        var_dir=tmp_path,
        as_of=AS_OF,
        diagnoser=recording,
        concurrency=1,
        drafting=Drafting(top=3, include=(named,)),
    )
    assert drafted == [named, *queue[:2]]  # named first, then the queue in order, three in all
    assert summary.diagnosed == 3
    again: list[str] = []
    rerun = run_batch(
        engine,
        var_dir=tmp_path,
        as_of=AS_OF,
        diagnoser=lambda key: again.append(key) or "x",
        drafting=Drafting(top=3, include=(named,)),
    )
    assert again == [] and rerun.unchanged_skipped == 3  # drafted already, evidence unchanged


def test_when_the_time_budget_is_spent_then_no_new_household_starts_and_the_next_run_drafts_them(tmp_path):
    from app.services.collections.batch import Drafting

    url = f"sqlite:///{tmp_path / 'budget.db'}"
    build_portfolio(url, 24, seed=11)
    engine = init_db(url)
    diagnose = stub_diagnoser(engine)
    summary = run_batch(
        engine, var_dir=tmp_path, as_of=AS_OF, diagnoser=diagnose, drafting=Drafting(top=4, budget_s=0.0)
    )
    assert summary.diagnosed == 0 and summary.budget_skipped == 4
    assert sum(diagnoses_per_unit(engine).values()) == 0
    later = run_batch(engine, var_dir=tmp_path, as_of=AS_OF, diagnoser=diagnose, drafting=Drafting(top=4))
    assert later.diagnosed == 4 and later.budget_skipped == 0
