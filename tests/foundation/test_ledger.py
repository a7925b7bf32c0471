"""Ledger arithmetic, stages and money parsing (pure)."""

from __future__ import annotations

from datetime import date

import pytest

from core.domain.ledger import BillLine, aging_bucket, summarize
from core.domain.money import to_cents, to_yuan
from core.domain.stages import stage_for


def line(period: str, due: date, amount=56_000, paid=0, off=0) -> BillLine:
    return BillLine(period, "物业费", amount, paid, off, due)


@pytest.mark.parametrize(
    ("days", "stage"),
    [
        (0, None),
        (1, "预警"),
        (15, "预警"),
        (16, "初级"),
        (30, "初级"),
        (31, "中级"),
        (60, "中级"),
        (61, "高级"),
        (400, "高级"),
    ],
)
def test_when_days_overdue_then_stage_follows_the_ladder(days, stage):
    result = stage_for(days)
    assert (result.name if result else None) == stage


def test_when_high_value_tolerance_then_45_days_is_still_warning():
    assert stage_for(45, tolerance_days=30).name == "预警"
    assert stage_for(46, tolerance_days=30).name == "初级"


def test_when_partial_payment_and_write_off_then_outstanding_is_exact():
    lines = [line("2024-06", date(2024, 6, 30), paid=20_000, off=6_000), line("2024-07", date(2024, 7, 31))]
    summary = summarize(lines, date(2024, 8, 10))
    assert summary.arrears_cents == 30_000 + 56_000
    assert summary.days_overdue == 41 and summary.periods == ["2024-06", "2024-07"]


def test_when_bill_is_not_yet_due_then_it_is_not_overdue():
    summary = summarize([line("2024-08", date(2024, 8, 31))], date(2024, 8, 31))
    assert summary.arrears_cents == 0 and summary.days_overdue == 0


@pytest.mark.parametrize(("raw", "cents"), [("1,680.00", 168_000), ("￥560", 56_000), (" 0.005 ", 1), ("12", 1200)])
def test_when_amount_text_then_cents_are_exact(raw, cents):
    assert to_cents(raw) == cents


@pytest.mark.parametrize("raw", ["abc", "", "NaN", "1e999999"])
def test_when_amount_is_not_a_number_then_value_error(raw):
    with pytest.raises(ValueError):
        to_cents(raw)


def test_when_cents_then_yuan_has_two_places():
    assert str(to_yuan(168_000)) == "1680.00"
    assert aging_bucket(64) == "61-90天" and aging_bucket(0) is None
