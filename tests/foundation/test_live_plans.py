"""One live plan per household: a newer draft supersedes pending ones, only the latest version is decided,
and the database itself refuses a second live plan (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from core.crypto.cipher import PROVIDER
from core.crypto.keys import load_keyring
from data.db.models import Unit
from data.db.session import init_db, make_session_factory
from data.db.workflow import DunningPlan
from data.generator.generate import generate
from data.repositories import plans

AT = datetime(2024, 9, 2, 9, 0)
PLAN = {"stage": "S1", "strategy": "gentle", "strategy_label": "温和提醒", "steps": []}
DIAG = {"primary_cause_id": "forgot", "confidence": 0.8}


@pytest.fixture
def factory(db_url, tmp_path):
    with PROVIDER.using(load_keyring(tmp_path / "keys", {})):
        engine = init_db(db_url)
        generate(engine, 3, seed=3)
        yield make_session_factory(engine)
        engine.dispose()


def _draft(session, unit_id: int, passed: bool = True) -> DunningPlan:
    return plans.save_draft(
        session,
        unit_id=unit_id,
        diagnosis=DIAG,
        plan=PLAN,
        validation={"passed": passed},
        thread_id=None,
        actor="t",
        at=AT,
    )


def test_finding5_a_new_draft_supersedes_every_pending_version(factory):
    with factory() as s:
        uid = s.execute(select(Unit.id).limit(1)).scalar()
        first, second = _draft(s, uid), _draft(s, uid)
        s.commit()
        assert (s.get(DunningPlan, first.id).status, second.status) == ("superseded", "awaiting_approval")
        with pytest.raises(plans.PlanConflict):
            plans.decide(s, plan_id=first.id, decision="accept", username="t", at=AT)


def test_finding5_approval_refuses_a_version_that_is_not_the_latest(factory):
    with factory() as s:
        uid = s.execute(select(Unit.id).limit(1)).scalar()
        old = _draft(s, uid)
        new = _draft(s, uid)
        plans.decide(s, plan_id=new.id, decision="accept", username="t", at=AT)
        s.commit()
        # An old version made pending again by hand (the index allows one pending next to one approved).
        s.execute(update(DunningPlan).where(DunningPlan.id == old.id).values(status="awaiting_approval"))
        s.commit()
        with pytest.raises(plans.PlanNotLatest, match="不是该户的最新版本"):
            plans.decide(s, plan_id=old.id, decision="accept", username="t", at=AT)


def test_finding5_approving_a_newer_version_retires_the_approved_one(factory):
    with factory() as s:
        uid = s.execute(select(Unit.id).limit(1)).scalar()
        a = _draft(s, uid)
        plans.decide(s, plan_id=a.id, decision="accept", username="t", at=AT)
        b = _draft(s, uid)
        plans.decide(s, plan_id=b.id, decision="accept", username="t", at=AT)
        s.commit()
        live = (
            s.execute(select(DunningPlan.id).where(DunningPlan.unit_id == uid, DunningPlan.status == "approved"))
            .scalars()
            .all()
        )
        assert live == [b.id] and s.get(DunningPlan, a.id).status == "superseded"


@pytest.mark.parametrize("status", ["awaiting_approval", "approved"])
def test_finding5_the_database_refuses_a_second_live_plan(factory, status):
    with factory() as s:
        uid = s.execute(select(Unit.id).limit(1)).scalar()
        row = {
            "unit_id": uid,
            "status": status,
            "stage": "S1",
            "strategy": "gentle",
            "summary": "",
            "validation": {},
            "is_fallback": False,
            "created_at": AT,
        }
        s.execute(insert(DunningPlan), [row | {"version": 1}])
        s.commit()
        with pytest.raises(IntegrityError):
            s.execute(insert(DunningPlan), [row | {"version": 2}])
            s.commit()
        s.rollback()
        s.execute(insert(DunningPlan), [row | {"version": 3, "status": "superseded"}])  # history stays free
        s.commit()


def test_finding5_migration_retires_duplicate_live_plans_and_encrypts_old_evidence(db_url, tmp_path):
    from sqlalchemy import text

    from data.db.models import ChatMessage
    from data.db.session import make_engine, upgrade

    with PROVIDER.using(load_keyring(tmp_path / "keys", {})):
        upgrade(db_url, "0006")
        engine = make_engine(db_url)
        with engine.begin() as conn:
            conn.execute(
                text("INSERT INTO projects (id, code, name, city, region) VALUES (1, 'P', '项目', '北京', '华北')")
            )
            conn.execute(text("INSERT INTO buildings (id, project_id, name) VALUES (1, 1, '1号楼')"))
            conn.execute(
                text(
                    "INSERT INTO units (id, project_id, building_id, code, label, area_m2, "
                    "monthly_fee_cents, case_state) VALUES (1, 1, 1, '1-101', '1号楼101', 90, 100, '未触达')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO chat_messages (id, unit_id, ext_id, speaker_role, speaker_name, sent_at, "
                    "text) VALUES (1, 1, 'm1', 'owner', '王丽', :at, '我的电话13912345678')"
                ),
                {"at": AT},
            )
            for pid in (1, 2, 3):
                conn.execute(
                    text(
                        "INSERT INTO dunning_plans (id, unit_id, version, status, stage, strategy, summary, "
                        "validation, is_fallback, created_at) VALUES (:i, 1, :i, 'awaiting_approval', 'S1', "
                        "'gentle', '', '{}', false, :at)"
                    ),
                    {"i": pid, "at": AT},
                )
        upgrade(db_url)
        with engine.connect() as conn:
            raw = conn.execute(text("SELECT speaker_name, text FROM chat_messages")).one()
            statuses = conn.execute(text("SELECT id, status FROM dunning_plans ORDER BY id")).all()
        assert all(v.startswith("enc1:") for v in raw)
        assert [tuple(r) for r in statuses] == [(1, "superseded"), (2, "superseded"), (3, "awaiting_approval")]
        with make_session_factory(engine)() as s:
            chat = s.get(ChatMessage, 1)
            assert (chat.speaker_name, chat.text) == ("王丽", "我的电话13912345678")
        engine.dispose()
