"""Reviewer scores: storage on SQLite and PostgreSQL, CSV export, agreement with judge and rules."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest

from app.services.reviews import ReviewError, add_review, export_csv, list_reviews
from data.db.session import init_db, make_session_factory
from evals.reviews import agreement_stats, load_reviews_if_present

AT = datetime(2024, 9, 2, 10, 0)


def _case(cid: str, guard: bool, rules: bool, tone: int | None) -> dict:
    return {
        "id": cid,
        "scores": {"compliance": {"guardrail_passed": guard, "independent_passed": rules}, "tone": {"score": tone}},
    }


def test_when_reviews_are_added_then_they_are_listed_newest_first_and_exported(db_url):
    factory = make_session_factory(init_db(db_url))
    with factory() as s:
        add_review(
            s,
            reviewer="合规-张",
            at=AT,
            case_id="hard-01",
            rule_results={"threat": True, "amount": False},
            tone=4,
            comment="金额写错",
        )
        add_review(s, reviewer="合规-李", at=AT.replace(hour=11), case_id="hard-02", tone=5)
        s.commit()
    with factory() as s:
        rows = list_reviews(s)
        assert [r.case_id for r in rows] == ["hard-02", "hard-01"]
        assert rows[1].passed is False and rows[1].rule_results == {"threat": True, "amount": False}
        text = export_csv(rows)
    parsed = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert parsed[1]["comment"] == "金额写错" and parsed[1]["tone"] == "4"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"reviewer": "", "case_id": "x"}, "评审人"),
        ({"reviewer": "a"}, "编号"),
        ({"reviewer": "a", "case_id": "x", "tone": 6}, "1-5"),
    ],
)
def test_when_a_review_is_incomplete_then_a_chinese_error_is_raised(sqlite_url, kwargs, message):
    factory = make_session_factory(init_db(sqlite_url))
    with factory() as s, pytest.raises(ReviewError, match=message):
        add_review(s, at=AT, **kwargs)


def test_when_reviewers_and_judge_are_compared_then_agreement_uses_the_latest_review(sqlite_url):
    factory = make_session_factory(init_db(sqlite_url))
    with factory() as s:
        add_review(s, reviewer="a", at=AT, case_id="c1", passed=True, tone=2)
        add_review(s, reviewer="a", at=AT.replace(hour=12), case_id="c1", passed=True, tone=5)
        add_review(s, reviewer="a", at=AT, case_id="c2", passed=False, tone=3)
        add_review(s, reviewer="a", at=AT, case_id="c3", passed=True, tone=1)
        s.commit()
        rows = list_reviews(s)
    cases = [
        _case("c1", True, True, 5),
        _case("c2", True, False, 4),
        _case("c3", True, True, 3),
        _case("c4", False, False, 2),
    ]
    stats = agreement_stats(rows, cases)
    assert stats["reviewed_cases"] == 3
    assert stats["tone_reviewer_vs_judge"] == {
        "n": 3,
        "exact": pytest.approx(1 / 3, abs=1e-4),
        "within_one": pytest.approx(2 / 3, abs=1e-4),
        "kappa": stats["tone_reviewer_vs_judge"]["kappa"],
    }
    assert stats["pass_reviewer_vs_guardrail"]["agreement"] == pytest.approx(2 / 3, abs=1e-4)
    assert stats["pass_reviewer_vs_independent"]["agreement"] == 1.0
    assert stats["pass_guardrail_vs_independent"]["n"] == 4


def test_when_review_database_is_missing_then_it_is_not_created(tmp_path):
    path = tmp_path / "absent.db"
    assert load_reviews_if_present(f"sqlite:///{path}") is None
    assert not path.exists()
