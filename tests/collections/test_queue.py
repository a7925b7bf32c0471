"""Daily queue: exclusions with their rule, one entry per owner, ordering and reasons (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import select, text

from app.services.collections.queue_service import daily_queue
from core.domain.collections.queue import exclusion, owner_entries, priority
from data.db.collections import HouseholdScore
from data.db.models import Project, Ticket, Unit
from data.db.session import init_db, make_session_factory
from data.db.workflow import BlacklistEntry, Dispute, OptOut, Promise
from tests.collections.conftest import AS_OF, NOW


def frame(**cols) -> pd.DataFrame:
    base = {
        "unit_id": [1],
        "owner_id": [1],
        "household": ["P/1"],
        "arrears_cents": [10000],
        "blacklisted": [False],
        "opted_out_all": [False],
        "open_dispute": [False],
        "open_promise": [False],
        "service_first": [False],
    }
    return pd.DataFrame({**base, **cols})


def test_when_household_has_a_blocking_fact_then_exclusion_names_the_first_rule():
    assert list(exclusion(frame())) == [None]
    assert list(exclusion(frame(open_dispute=[True], service_first=[True]))) == ["dispute"]
    assert list(exclusion(frame(blacklisted=[True], opted_out_all=[True]))) == ["blacklist"]
    assert list(exclusion(frame(open_promise=[True]))) == ["promise"]
    assert list(exclusion(frame(arrears_cents=[0]))) == ["not_in_arrears"]


def test_when_amount_probability_or_urgency_grows_then_priority_grows():
    rows = pd.DataFrame(
        {
            "arrears_cents": [10_000, 100_000, 10_000, 10_000],
            "risk_score": [0.5, 0.5, 0.9, 0.5],
            "stage": ["预警", "预警", "预警", "中级"],
            "days_overdue": [5, 5, 5, 40],
            "high_value": [False] * 4,
        }
    )
    p, *_ = priority(rows)
    assert p[1] > p[0] and p[2] > p[0] and p[3] > p[0]


def test_when_owner_has_two_units_then_one_entry_carries_both():
    scored = pd.DataFrame(
        {
            "unit_id": [1, 2, 3],
            "owner_id": [7, 7, 8],
            "household": ["P/1", "P/2", "P/3"],
            "priority": [0.2, 0.5, 0.3],
            "excluded": [None, None, None],
            "arrears_cents": [100, 200, 300],
        }
    )
    out = owner_entries(scored)
    assert list(out["household"]) == ["P/2", "P/3"]
    assert out.loc[0, "owner_arrears_cents"] == 300 and out.loc[0, "other_units"] == ["P/1"]


def _owing_units(session, n: int) -> list[Unit]:
    owing = text("SELECT DISTINCT unit_id FROM receivables WHERE paid_cents < amount_cents AND due_date < :d")
    ids = [r[0] for r in session.execute(owing, {"d": AS_OF})]
    taken = session.execute(select(Unit).where(Unit.id.in_(ids)).order_by(Unit.id)).scalars().all()
    return [u for u in taken if u.owner_id is not None][:n]


def _key(session, unit: Unit) -> str:
    return f"{session.get(Project, unit.project_id).code}/{unit.code}"


def test_when_queue_is_built_then_blocked_households_are_out_and_each_owner_appears_once(small_db_url, tmp_path):
    engine = init_db(small_db_url)
    with make_session_factory(engine)() as s:
        owing = _owing_units(s, 40)
        a, b, c, d, e, f = owing[:6]
        # Entries are per owner and project: the owner's second unit is in the same project.
        g = next(u for u in owing[6:] if u.project_id == f.project_id)
        s.add(Dispute(unit_id=a.id, opened_at=NOW, status="open", note="账单有误"))
        s.add(
            Promise(
                unit_id=b.id, promised_date=AS_OF + timedelta(days=3), amount_cents=100, status="open", created_at=NOW
            )
        )
        s.add(BlacklistEntry(owner_id=c.owner_id, at=NOW, reason="投诉骚扰"))
        s.add(OptOut(owner_id=d.owner_id, channel=None, at=NOW, reason="全部退订"))
        s.add(
            Ticket(
                unit_id=e.id,
                ext_id="T-open",
                type="电梯故障",
                description="电梯坏了",
                status="处理中",
                created_at=datetime(2024, 8, 20, 9),
            )
        )
        g.owner_id = f.owner_id  # the same owner holds two units in arrears
        s.commit()
        keys = {name: _key(s, u) for name, u in zip("abcdefg", (a, b, c, d, e, f, g), strict=True)}
        ids = {name: u.id for name, u in zip("abcdefg", (a, b, c, d, e, f, g), strict=True)}
    queue = daily_queue(engine, AS_OF, var_dir=tmp_path / "var")
    households = [q.household for q in queue]
    for name in "abcde":
        assert keys[name] not in households
    with make_session_factory(engine)() as s:
        rules = {name: s.get(HouseholdScore, ids[name]).excluded for name in "abcde"}
    assert rules == {"a": "dispute", "b": "promise", "c": "blacklist", "d": "opt_out", "e": "service_first"}
    assert len(households) == len(set(households))
    fg = [q for q in queue if q.household in (keys["f"], keys["g"])]
    assert len(fg) == 1 and set(fg[0].other_units) == {keys["f"], keys["g"]} - {fg[0].household}
    priorities = [q.priority for q in queue]
    assert priorities == sorted(priorities, reverse=True)
    assert all(q.reasons[0].startswith("欠费") and q.warning in ("red", "yellow", "green") for q in queue)
    project = daily_queue(engine, AS_OF, project="BJ-PILOT")
    assert project and all(q.household.startswith("BJ-PILOT/") for q in project)


def test_when_promise_date_has_passed_then_household_is_back_in_the_queue(small_url, tmp_path):
    engine = init_db(small_url)
    with make_session_factory(engine)() as s:
        (u,) = _owing_units(s, 1)
        s.add(Promise(unit_id=u.id, promised_date=date(2024, 9, 1), amount_cents=100, status="open", created_at=NOW))
        s.commit()
        key = _key(s, u)
    assert key in [q.household for q in daily_queue(engine, AS_OF, var_dir=tmp_path / "var")]


def test_finding3_an_owner_with_units_in_two_projects_gets_one_entry_per_project():
    scored = pd.DataFrame(
        {
            "unit_id": [1, 2, 3, 4],
            "owner_id": [7, 7, 7, 8],
            "household": ["P/1", "P/2", "Q/9", "Q/3"],
            "priority": [0.2, 0.5, 0.9, 0.3],
            "excluded": [None] * 4,
            "arrears_cents": [100, 200, 5000, 300],
        }
    )
    out = owner_entries(scored).set_index("household")
    assert list(out.index) == ["Q/9", "P/2", "Q/3"]
    assert out.loc["Q/9", "other_units"] == [] and out.loc["Q/9", "owner_arrears_cents"] == 5000
    assert out.loc["P/2", "other_units"] == ["P/1"] and out.loc["P/2", "owner_arrears_cents"] == 300


def test_when_a_broken_promise_is_reviewed_then_the_household_is_back_in_the_queue_with_the_reason(small_url, tmp_path):
    from app.services.collections.case_events import review_promises

    engine = init_db(small_url)
    with make_session_factory(engine)() as s:
        (u,) = _owing_units(s, 1)
        s.add(
            Promise(
                unit_id=u.id,
                promised_date=date(2024, 9, 1),
                amount_cents=100,
                status="open",
                created_at=NOW - timedelta(days=5),
            )
        )
        s.commit()
        key = _key(s, u)
        assert review_promises(s, AS_OF)["broken"] == 1
        s.commit()
    entry = next(q for q in daily_queue(engine, AS_OF, var_dir=tmp_path / "var") if q.household == key)
    assert entry.reasons[0] == "承诺还款到期未缴（已违约），重新跟进"
