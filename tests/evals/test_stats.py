"""Macro-F1, kappa and agreement arithmetic on hand-computed tables."""

from __future__ import annotations

import pytest

from evals.stats import agreement, cohens_kappa, macro_f1, per_label_f1


def test_when_predictions_are_known_then_per_label_and_macro_f1_match_hand_arithmetic():
    truth = ["a", "a", "b", "b", "c"]
    pred = ["a", "b", "b", "b", "a"]
    f1 = per_label_f1(truth, pred)
    # a: tp1 fp1 fn1 → 0.5; b: tp2 fp1 fn0 → 0.8; c: tp0 → 0
    assert f1["a"] == pytest.approx(0.5) and f1["b"] == pytest.approx(0.8) and f1["c"] == 0.0
    assert macro_f1(truth, pred) == pytest.approx((0.5 + 0.8 + 0.0) / 3)


def test_when_a_label_is_only_predicted_then_it_does_not_enter_the_macro_average():
    assert macro_f1(["a", "a"], ["a", "x"]) == pytest.approx(2 / 3)


def test_when_raters_agree_partly_then_kappa_matches_the_textbook_value():
    a = [1, 1, 1, 1, 0, 0, 0, 0, 1, 0]
    b = [1, 1, 1, 0, 0, 0, 0, 1, 1, 0]
    # observed 0.8, expected 0.5 → kappa 0.6
    assert cohens_kappa(a, b) == pytest.approx(0.6)


def test_when_tone_scores_differ_by_one_then_within_one_counts_them():
    result = agreement([5, 4, 3, 1], [5, 3, 1, 2])
    assert result["exact"] == 0.25 and result["within_one"] == 0.75 and result["n"] == 4


def test_when_no_items_then_agreement_is_undefined_not_zero():
    assert agreement([], []) == {"n": 0, "exact": None, "within_one": None, "kappa": None}
