import random

import pytest

from data.generator.scenarios import (
    BANKS,
    CAUSE_IDS,
    OWNER_TAGS,
    PAYMENT_PATTERNS,
    TICKET_STATUSES,
    TICKET_TYPES,
    pick_cause,
    pick_secondary,
)


def test_when_catalogue_listed_then_23_ids_each_with_a_bank():
    assert len(CAUSE_IDS) == 23
    assert tuple(BANKS) == CAUSE_IDS


@pytest.mark.parametrize("cause_id", CAUSE_IDS)
def test_when_any_cause_built_then_fields_are_valid(build, cause_id):
    for seed in range(60):
        secondary = pick_secondary(random.Random(seed), cause_id, share=0.5)
        s = build(cause_id, seed, secondary_cause_id=secondary)
        assert s.cause_id == cause_id and s.secondary_cause_id == secondary
        assert any(c.speaker == "owner" for c in s.chats)
        assert s.payment_pattern in PAYMENT_PATTERNS
        assert set(s.tags) <= set(OWNER_TAGS) and len(set(s.tags)) == len(s.tags)
        assert [t.ref for t in s.tickets] == [f"t{i}" for i in range(1, len(s.tickets) + 1)]
        for t in s.tickets:
            assert t.type in TICKET_TYPES
            assert t.satisfaction is None or 1 <= t.satisfaction <= 5
            assert t.events and all(e.status in TICKET_STATUSES for e in t.events)
            assert t.events[0].status == "已受理"
        for c in s.claims:
            assert c.items and c.records and c.type


@pytest.mark.parametrize("cause_id", CAUSE_IDS)
def test_when_same_seed_then_same_scenario_and_other_seed_differs(build, cause_id):
    assert build(cause_id, 7) == build(cause_id, 7)
    assert build(cause_id, 7, secondary_cause_id="svc.slow_repair" if cause_id != "svc.slow_repair" else None) == build(
        cause_id, 7, secondary_cause_id="svc.slow_repair" if cause_id != "svc.slow_repair" else None
    )
    assert len({build(cause_id, seed).chats for seed in range(10)}) > 5


@pytest.mark.parametrize("cause_id", CAUSE_IDS)
def test_when_built_then_days_and_minutes_are_ordered(build, cause_id):
    for seed in range(80):
        s = build(cause_id, seed, secondary_cause_id=pick_secondary(random.Random(seed), cause_id))
        stamps = [(c.day, c.minute_of_day) for c in s.chats]
        assert stamps == sorted(stamps)
        assert all(0 <= m < 1440 for _, m in stamps)
        assert [(t.day, t.minute_of_day) for t in s.tickets] == sorted((t.day, t.minute_of_day) for t in s.tickets)
        for t in s.tickets:
            offsets = [e.minute_offset for e in t.events]
            assert offsets == sorted(offsets) and offsets[0] > 0
        for c in s.claims:
            days = [r.day for r in c.records]
            assert days == sorted(days) and days[0] >= c.day


def test_when_unknown_or_duplicate_cause_then_value_error(build):
    with pytest.raises(ValueError):
        build("svc.nonexistent")
    with pytest.raises(ValueError):
        build("svc.slow_repair", secondary_cause_id="svc.slow_repair")
    with pytest.raises(ValueError):
        build("svc.slow_repair", secondary_cause_id="nope")


def test_when_causes_drawn_then_prior_matches_brief():
    rng = random.Random(11)
    draws = [pick_cause(rng) for _ in range(40_000)]
    share = {
        prefix: sum(d.startswith(prefix) for d in draws) / len(draws)
        for prefix in ("svc.", "beh.forgetful", "ext.hardship", "beh.malicious")
    }
    assert 0.23 <= share["beh.forgetful"] <= 0.27
    assert 0.27 <= share["svc."] <= 0.33
    assert 0.065 <= share["ext.hardship"] <= 0.095
    assert 0.04 <= share["beh.malicious"] <= 0.06
    assert set(draws) == set(CAUSE_IDS)


def test_when_secondary_drawn_then_about_a_fifth_and_never_the_primary():
    rng = random.Random(3)
    drawn = [pick_secondary(rng, "svc.cleaning_greening") for _ in range(20_000)]
    present = [d for d in drawn if d is not None]
    assert 0.18 <= len(present) / len(drawn) <= 0.22
    assert "svc.cleaning_greening" not in present
    assert not any(d.startswith("beh.") for d in present)


def test_when_malicious_then_mostly_problem_owner_tag(build):
    tagged = sum("问题业主" in build("beh.malicious", seed).tags for seed in range(300))
    assert tagged > 220
    assert sum("问题业主" in build("beh.forgetful", seed).tags for seed in range(300)) == 0
