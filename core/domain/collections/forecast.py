"""Recovery forecast for 7/14/30 days by project and segment, and its backtest error."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.domain.collections.features import PAID_WITHIN_DAYS

HORIZONS: tuple[int, ...] = (7, 14, 30)


def horizon_shares(bills: pd.DataFrame, horizons: tuple[int, ...] = HORIZONS) -> dict[int, float]:
    """Share of late payers (paid 1–30 days after the due date) who paid within h days.

    Households in the forecast are already overdue, so on-time payers would overstate the early horizons.
    """
    delay = (bills["pay_day"] - bills["due"]).to_numpy(dtype=float)
    late = bills["settled"].to_numpy() & (np.nan_to_num(delay, nan=np.inf) <= PAID_WITHIN_DAYS) & (delay > 0)
    if not late.any():
        return {h: min(1.0, h / PAID_WITHIN_DAYS) for h in horizons}
    return {h: float(np.mean(delay[late] <= h)) for h in horizons}


def expected_recovery(frame: pd.DataFrame, shares: dict[int, float], by: list[str]) -> pd.DataFrame:
    """Expected cents recovered per group and horizon: arrears × P(pay in 30 d) × share of it by day h."""
    base = frame["arrears_cents"].to_numpy(dtype=float) * frame["risk_score"].to_numpy(dtype=float)
    cols = {f"d{h}": base * s for h, s in shares.items()}
    data = frame[by].assign(arrears_cents=frame["arrears_cents"], households=1, **cols)
    return data.groupby(by, as_index=False).sum(numeric_only=True)


def actual_recovery(bills: pd.DataFrame, cutoff: int, horizons: tuple[int, ...] = HORIZONS) -> pd.DataFrame:
    """Cents actually paid in [cutoff, cutoff + h) on bills overdue and unpaid at ``cutoff``, per unit."""
    pay = np.nan_to_num(bills["pay_day"].to_numpy(dtype=float), nan=np.inf)
    open_at_cut = (bills["due"].to_numpy() < cutoff) & ~(bills["settled"].to_numpy() & (pay < cutoff))
    sub = bills[open_at_cut]
    pay = pay[open_at_cut]
    out = pd.DataFrame({"unit_id": sub["unit_id"].to_numpy()})
    for h in horizons:
        out[f"d{h}"] = np.where((pay >= cutoff) & (pay < cutoff + h), sub["paid_cents"].to_numpy(), 0)
    return out.groupby("unit_id", as_index=False).sum()


def backtest_error(
    predicted: pd.DataFrame, actual: pd.DataFrame, by: list[str], horizons: tuple[int, ...] = HORIZONS
) -> dict:
    """Weighted absolute percentage error (WAPE) per horizon over groups, and predicted/actual totals."""
    merged = predicted.merge(actual, on=by, how="outer", suffixes=("_pred", "_act")).fillna(0.0)
    out = {}
    for h in horizons:
        pred, act = merged[f"d{h}_pred"].to_numpy(), merged[f"d{h}_act"].to_numpy()
        denom = max(float(np.abs(act).sum()), 1.0)
        out[f"d{h}"] = {
            "wape": round(float(np.abs(pred - act).sum()) / denom, 4),
            "predicted_cents": int(pred.sum()),
            "actual_cents": int(act.sum()),
        }
    return out
