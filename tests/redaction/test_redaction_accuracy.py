"""Recognizer accuracy on the labelled chat/ticket set meets the stated targets."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.redaction import entities as ent
from core.redaction import find_raw_pii
from core.redaction.evaluation import evaluate, load_cases

DATA = Path(__file__).resolve().parents[1] / "data" / "redaction_labelled.yaml"
RECALL_TARGETS = {
    ent.MOBILE: 0.98,
    ent.RESIDENT_ID: 0.98,
    ent.BANK_CARD: 0.98,
    ent.EMAIL: 0.98,
    ent.PERSON: 0.90,
    ent.ADDRESS: 0.90,
    ent.LANDLINE: 0.90,
    ent.WECHAT_ID: 0.90,
    ent.LICENSE_PLATE: 0.90,
}
PRECISION_TARGET = 0.95


@pytest.fixture(scope="module")
def report():
    return evaluate(load_cases(DATA), find_raw_pii)


def test_when_labelled_set_is_loaded_then_it_has_enough_cases_and_negatives():
    cases = load_cases(DATA)
    assert len(cases) >= 220
    assert sum(1 for c in cases if not c.spans) >= 60


@pytest.mark.parametrize("entity_type", sorted(RECALL_TARGETS))
def test_when_labelled_set_is_scored_then_recall_and_precision_meet_targets(report, entity_type):
    score = report.scores[entity_type]
    assert score.recall >= RECALL_TARGETS[entity_type]
    assert score.precision >= PRECISION_TARGET
