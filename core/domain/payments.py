"""Settling a payment against receivables: oldest period first, part payments allowed (pure, no I/O)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class OpenLine:
    """A receivable that may take money: what is still owed after payments and write-offs."""

    ref: int
    period: str
    fee_type: str
    due_date: date
    amount_cents: int
    paid_cents: int
    written_off_cents: int

    @property
    def owed_cents(self) -> int:
        """Still owed; write-offs are kept apart and never paid over."""
        return max(0, self.amount_cents - self.paid_cents - self.written_off_cents)


@dataclass(frozen=True)
class Allocation:
    """How much of a payment went to one receivable."""

    ref: int
    period: str
    amount_cents: int


def allocate(lines: Sequence[OpenLine], amount_cents: int) -> tuple[list[Allocation], int]:
    """Split ``amount_cents`` over ``lines`` oldest due date (then period, fee type) first.

    Returns:
        The allocations and the unallocated rest (a credit on the account, e.g. an overpayment).
    """
    if amount_cents <= 0:
        raise ValueError("缴费金额须大于 0")
    rest = amount_cents
    out: list[Allocation] = []
    for line in sorted(lines, key=lambda ln: (ln.due_date, ln.period, ln.fee_type, ln.ref)):
        if rest <= 0:
            break
        take = min(rest, line.owed_cents)
        if take > 0:
            out.append(Allocation(line.ref, line.period, take))
            rest -= take
    return out, rest


def instalment_schedule(total_cents: int, months: int, start: date) -> list[tuple[date, int]]:
    """Monthly (due date, amount) pairs; the last instalment takes the rounding rest."""
    if not 1 <= months <= 12:
        raise ValueError("分期期数须在 1–12 个月之间")
    each = math.ceil(total_cents / months)
    out = []
    left = total_cents
    for i in range(months):
        y, m = divmod(start.month - 1 + i, 12)
        day = min(start.day, 28)
        amount = min(each, left)
        out.append((date(start.year + y, m + 1, day), amount))
        left -= amount
    return out


def instalment_on_track(schedule: Sequence[tuple[date, int]], paid_since_start_cents: int, day: date) -> bool:
    """Whether what was paid since the schedule began covers every instalment due before ``day``."""
    due = sum(amount for when, amount in schedule if when < day)
    return paid_since_start_cents >= due
