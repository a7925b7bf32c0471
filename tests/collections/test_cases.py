"""Case state machine: every legal step, illegal steps rejected, transitions stored and audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.services.collections.cases import history, transition_case
from core.domain.collections.cases import STATES, TRANSITIONS, IllegalTransition, check_transition
from data.db.models import Unit
from data.db.session import init_db, make_session_factory
from data.db.workflow import AuditEvent
from data.repositories.audit import verify_chain
from tests.collections.conftest import NOW

LEGAL = [(a, b) for a, targets in TRANSITIONS.items() for b in sorted(targets)]
ILLEGAL = [
    ("未触达", "归档"),
    ("未触达", "开票"),
    ("已触达", "归档"),
    ("承诺", "开票"),
    ("开票", "支付"),
    ("归档", "支付"),
    ("分期中", "承诺"),
    ("开票", "异议中"),
    ("已触达", "已触达"),
    ("未触达", "不存在"),
    ("已结清", "承诺"),
    ("异议中", "承诺"),
]


@pytest.mark.parametrize(("current", "target"), LEGAL)
def test_when_step_is_in_the_workflow_then_it_is_allowed(current, target):
    check_transition(current, target)


@pytest.mark.parametrize(("current", "target"), ILLEGAL)
def test_when_step_is_not_in_the_workflow_then_it_is_rejected_in_chinese(current, target):
    with pytest.raises(IllegalTransition, match="案件状态"):
        check_transition(current, target)


def test_when_every_state_is_listed_then_each_has_an_exit():
    assert set(TRANSITIONS) == set(STATES)
    assert all(TRANSITIONS[s] for s in STATES)


def test_when_case_moves_then_unit_state_transition_row_and_audit_are_written(small_url):
    factory = make_session_factory(init_db(small_url))
    with factory() as s:
        unit = s.execute(select(Unit).where(Unit.case_state == "未触达").limit(1)).scalar_one()
        for target in ("已触达", "承诺", "支付", "开票", "归档"):
            transition_case(s, unit.id, target, actor="steward", at=NOW, reason="测试")
        s.commit()
        with pytest.raises(IllegalTransition):
            transition_case(s, unit.id, "承诺", actor="steward", at=NOW)
        s.rollback()
        assert s.get(Unit, unit.id).case_state == "归档"
        steps = [(t.from_state, t.to_state) for t in history(s, unit.id)]
        assert steps == [("未触达", "已触达"), ("已触达", "承诺"), ("承诺", "支付"), ("支付", "开票"), ("开票", "归档")]
        audited = (
            s.execute(
                select(AuditEvent).where(AuditEvent.action == "case.transition", AuditEvent.entity_id == str(unit.id))
            )
            .scalars()
            .all()
        )
        assert len(audited) == 5 and audited[0].detail == {"from": "未触达", "to": "已触达", "reason": "测试"}
        assert verify_chain(s) == []
