"""Money helpers: amounts are integer cents in storage, Decimal yuan at the edges."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

MAX_YUAN = Decimal(10) ** 12


def to_cents(value: Decimal | float | int | str) -> int:
    """Convert yuan to integer cents, rounding half up; raises ValueError on bad input."""
    try:
        dec = Decimal(str(value).replace(",", "").replace("¥", "").replace("￥", "").strip())
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    if not dec.is_finite() or abs(dec) >= MAX_YUAN:
        raise ValueError(f"not an amount: {value!r}")
    return int((dec * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def to_yuan(cents: int) -> Decimal:
    """Convert integer cents to Decimal yuan with two places."""
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


def fmt_yuan(cents: int) -> str:
    """Format cents as a Chinese amount string, e.g. 1,680.00元."""
    return f"{to_yuan(cents):,.2f}元"
