"""Sample portfolio: the pilot case exactly, ground truth hidden from evidence, determinism, PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from data.db.models import (
    ChatMessage,
    Claim,
    ClaimRecord,
    GroundTruth,
    Owner,
    Payment,
    Project,
    Receivable,
    Ticket,
    TicketEvent,
    Unit,
)
from data.db.session import init_db, make_session_factory
from data.generator.generate import generate
from data.generator.scenarios import CAUSE_NAMES
from data.repositories.households import household_view

PRD_CHAT_FIRST = "王女士：李管家，这已经是第三次了！"


@pytest.fixture
def sample(db_url):
    engine = init_db(db_url)
    generate(engine, 300, seed=5)
    factory = make_session_factory(engine)
    with factory() as session:
        yield session
    engine.dispose()


def pilot_unit(session) -> Unit:
    return session.execute(
        select(Unit).join(Project).where(Project.code == "BJ-PILOT", Unit.code == "4-1203")
    ).scalar_one()


def test_when_generated_then_pilot_household_matches_the_prd(sample):
    unit = pilot_unit(sample)
    owner = sample.get(Owner, unit.owner_id)
    assert owner.title == "王女士" and unit.label == "4号楼1203"
    unpaid = (
        sample.execute(select(Receivable).where(Receivable.unit_id == unit.id, Receivable.paid_cents == 0))
        .scalars()
        .all()
    )
    assert sorted(r.period for r in unpaid) == ["2024-06", "2024-07", "2024-08"]
    assert sum(r.amount_cents for r in unpaid) == 168_000 and {r.amount_cents for r in unpaid} == {56_000}
    view = household_view(sample, "BJ-PILOT/4-1203")
    assert view.arrears == "1680.00" and view.unpaid_periods == ["2024-06", "2024-07", "2024-08"]
    chats = (
        sample.execute(select(ChatMessage).where(ChatMessage.unit_id == unit.id).order_by(ChatMessage.sent_at))
        .scalars()
        .all()
    )
    assert len(chats) == 6 and chats[0].speaker_role == "owner" and chats[1].speaker_role == "steward"
    assert f"{chats[0].speaker_name}：{chats[0].text}".startswith(PRD_CHAT_FIRST)
    ticket = sample.execute(select(Ticket).where(Ticket.unit_id == unit.id)).scalar_one()
    assert ticket.ext_id == "WD-20240801-001" and ticket.type == "保洁清洁" and ticket.satisfaction == 3
    assert ticket.created_at == datetime(2024, 8, 1, 9, 30) and ticket.closed_at == datetime(2024, 8, 1, 15, 20)
    events = (
        sample.execute(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.at))
        .scalars()
        .all()
    )
    assert [e.note for e in events][0] == "已联系保洁主管张师傅"
    claim = sample.execute(select(Claim).where(Claim.unit_id == unit.id)).scalar_one()
    assert claim.type == "服务质量不满意" and len(claim.items) == 3
    records = (
        sample.execute(select(ClaimRecord).where(ClaimRecord.claim_id == claim.id).order_by(ClaimRecord.at))
        .scalars()
        .all()
    )
    assert [r.at.date() for r in records] == [date(2024, 8, 5), date(2024, 8, 15), date(2024, 8, 25)]
    assert records[-1].text == "业主同意分期缴费，要求监督整改效果"
    paid = sample.execute(select(Payment).where(Payment.unit_id == unit.id)).scalars().all()
    assert {p.channel for p in paid} == {"微信"} and max((p.paid_at.date() - date(2024, 1, 1)).days for p in paid) > 0


def test_when_generated_then_ground_truth_never_appears_in_evidence_text(sample):
    truths = sample.execute(select(GroundTruth)).scalars().all()
    assert len(truths) > 100
    names = set(CAUSE_NAMES.values())
    for truth in truths:
        texts = sample.execute(select(ChatMessage.text).where(ChatMessage.unit_id == truth.unit_id)).scalars().all()
        blob = "\n".join(texts)
        assert truth.primary_cause_id not in blob
        assert not any(name in blob for name in names)


def test_when_generated_then_every_cause_and_a_spread_of_aging_exists(sample):
    from core.domain.ledger import summarize
    from data.repositories.households import bill_lines

    causes = set(sample.execute(select(GroundTruth.primary_cause_id)).scalars())
    assert len(causes) >= 15
    ages = []
    for unit in sample.execute(select(Unit).limit(300)).scalars():
        ages.append(summarize(bill_lines(sample, unit.id), date(2024, 9, 2)).days_overdue)
    assert min(a for a in ages if a > 0) < 15 and max(ages) > 180


def test_when_generated_twice_with_the_same_seed_then_data_is_identical(tmp_path):
    digests = []
    for n in range(2):
        engine = init_db(f"sqlite:///{tmp_path / f's{n}.db'}")
        generate(engine, 80, seed=42)
        with engine.connect() as conn:
            # Read through the column types: chat text is encrypted at rest with a fresh nonce per value.
            rows = conn.execute(
                select(ChatMessage.unit_id, ChatMessage.ext_id, ChatMessage.text).order_by(ChatMessage.id)
            ).all()
        digests.append(hash(tuple(rows)))
        engine.dispose()
    assert digests[0] == digests[1]


def test_when_generate_runs_on_an_existing_sample_then_it_skips(sqlite_url):
    engine = init_db(sqlite_url)
    assert not generate(engine, 20, seed=1).skipped
    with engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(Unit)).scalar()
    assert generate(engine, 20, seed=1).skipped
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Unit)).scalar() == before


def test_when_an_owner_has_several_units_then_it_is_one_owner(sample):
    multi = sample.execute(select(Unit.owner_id, func.count()).group_by(Unit.owner_id).having(func.count() > 1)).all()
    assert multi, "the sample should contain owners with several units"
    owner_id = multi[0][0]
    unit = sample.execute(select(Unit).where(Unit.owner_id == owner_id)).scalars().first()
    view = household_view(sample, f"{unit.project.code}/{unit.code}")
    assert len(view.units) == multi[0][1]
