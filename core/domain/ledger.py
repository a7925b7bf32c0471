"""Ledger arithmetic: outstanding amounts, days overdue, aging buckets (pure, no I/O)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

AGING_BUCKETS: tuple[tuple[str, int, int], ...] = (
    ("1-30天", 1, 30),
    ("31-60天", 31, 60),
    ("61-90天", 61, 90),
    ("91-180天", 91, 180),
    ("180天以上", 181, 10**6),
)


@dataclass(frozen=True)
class BillLine:
    """One receivable as the ledger sees it."""

    period: str
    fee_type: str
    amount_cents: int
    paid_cents: int
    written_off_cents: int
    due_date: date

    @property
    def outstanding_cents(self) -> int:
        """Amount still owed on this line (never negative)."""
        return max(0, self.amount_cents - self.paid_cents - self.written_off_cents)


@dataclass(frozen=True)
class LedgerSummary:
    """Arrears of a household as of a date."""

    as_of: date
    arrears_cents: int
    overdue_lines: tuple[BillLine, ...]
    days_overdue: int
    oldest_due: date | None

    @property
    def periods(self) -> list[str]:
        """Unpaid periods, oldest first, without duplicates."""
        return sorted({line.period for line in self.overdue_lines})


def summarize(lines: Iterable[BillLine], as_of: date) -> LedgerSummary:
    """Sum what is overdue on ``as_of`` (due strictly before it) and how long the oldest has waited."""
    overdue = tuple(
        sorted(
            (ln for ln in lines if ln.outstanding_cents > 0 and ln.due_date < as_of),
            key=lambda ln: (ln.due_date, ln.fee_type),
        )
    )
    arrears = sum(ln.outstanding_cents for ln in overdue)
    oldest = overdue[0].due_date if overdue else None
    days = (as_of - oldest).days if oldest else 0
    return LedgerSummary(as_of, arrears, overdue, days, oldest)


def aging_bucket(days_overdue: int) -> str | None:
    """Return the aging bucket label for a number of days overdue (None when not overdue)."""
    for label, low, high in AGING_BUCKETS:
        if low <= days_overdue <= high:
            return label
    return None
