"""A/B experiments: deterministic assignment, tests of significance, per-variant results."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import pytest
from sqlalchemy import select

from app.services.collections.experiments import create_experiment, results, variant_for
from core.domain.collections.experiments import assign, chi_square, two_proportion_z
from data.db.models import Unit
from data.db.session import init_db, make_session_factory
from data.db.workflow import OptOut


def test_when_owner_is_assigned_twice_then_the_variant_is_the_same_and_splits_are_balanced():
    picks = [assign("cadence-2024q3", owner, ["A", "B"]) for owner in range(4000)]
    assert picks == [assign("cadence-2024q3", owner, ["A", "B"]) for owner in range(4000)]
    share = Counter(picks)["A"] / len(picks)
    assert 0.46 < share < 0.54
    assert assign("other", 1, ["A", "B", "C"], weights=[0, 0, 1]) == "C"


def test_when_proportions_differ_strongly_then_tests_are_significant():
    z, p = two_proportion_z(300, 1000, 200, 1000)
    assert z == pytest.approx(5.16, abs=0.01) and p < 0.001
    assert two_proportion_z(50, 100, 50, 100)[1] == pytest.approx(1.0)
    assert chi_square([300, 200, 250], [1000, 1000, 1000])[1] < 0.001


def test_when_results_are_computed_then_each_variant_reports_conversion_complaints_and_opt_outs(small_url):
    factory = make_session_factory(init_db(small_url))
    start = datetime(2024, 6, 1)
    with factory() as s:
        create_experiment(s, key="channel-test", factor="channel", variants=["sms", "wechat"], at=start)
        owners = s.execute(select(Unit.owner_id).where(Unit.owner_id.is_not(None)).distinct()).scalars().all()
        assigned = {o: variant_for(s, "channel-test", o, start) for o in owners}
        assert variant_for(s, "channel-test", owners[0], datetime(2024, 7, 1)) == assigned[owners[0]]
        s.add(OptOut(owner_id=owners[0], channel="sms", at=datetime(2024, 6, 5), reason="t"))
        s.commit()
        report = results(s, "channel-test")
    by = {v["variant"]: v for v in report["variants"]}
    assert sum(v["owners"] for v in by.values()) == len(owners)
    assert by[assigned[owners[0]]]["opt_outs"] >= 1
    assert all(0 <= v["conversion_rate"] <= 1 and v["conversions"] <= v["owners"] for v in by.values())
    assert by["sms"]["mean_days_to_pay"] is not None
    assert "p_value" in by["wechat"]["vs_control"] and "p_value" in report["chi_square"]
