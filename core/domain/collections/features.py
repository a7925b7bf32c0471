"""Risk features of a household at a cut-off day, from its bills and evidence strictly before that day.

One implementation serves training (one target per past bill, cut-off = its due date) and scoring (one
target per household, cut-off = the business date). Days are integer day numbers (date.toordinal()).
Frames:
  bills:   unit_id, due, amount, paid_cents, settled (bool), pay_day (float, NaN when never paid)
  events:  unit_id, kind (see EVENT_KINDS), day, until (ticket close day, NaN when open or not a ticket)
  units:   unit_id, special, high_value, problem (bools from owner tags)
  targets: unit_id, t (cut-off day)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PAID_WITHIN_DAYS = 30
EVENT_KINDS = {"ticket": 0, "low_sat_ticket": 1, "claim": 2, "attempt": 3, "no_answer": 4, "service_ticket": 5}
FEATURES: tuple[str, ...] = (
    "n_prior",
    "ontime_rate",
    "paid30_rate",
    "mean_delay",
    "max_delay",
    "months_in_arrears",
    "log_arrears",
    "days_overdue",
    "has_partial",
    "log_amount",
    "tickets",
    "low_sat",
    "open_tickets",
    "claims",
    "attempts",
    "no_answer",
    "special",
    "high_value",
    "problem",
)


def _sum(index: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(index, weights=values.astype(float), minlength=n)


def bill_history(targets: pd.DataFrame, bills: pd.DataFrame) -> pd.DataFrame:
    """Payment-habit and arrears features per target from bills due strictly before its cut-off."""
    n = len(targets)
    tid = pd.DataFrame({"tid": np.arange(n), "unit_id": targets["unit_id"].to_numpy(), "t": targets["t"].to_numpy()})
    pairs = tid.merge(bills, on="unit_id", how="inner")
    pairs = pairs[pairs["due"].to_numpy() < pairs["t"].to_numpy()]
    idx = pairs["tid"].to_numpy()
    t, due, pay = pairs["t"].to_numpy(), pairs["due"].to_numpy(), pairs["pay_day"].to_numpy()
    paid_before = np.nan_to_num(pay, nan=np.inf) < t
    known_paid = pairs["settled"].to_numpy() & paid_before
    delay = np.where(known_paid, pay - due, 0.0)
    unpaid = ~known_paid
    partial = unpaid & paid_before & (pairs["paid_cents"].to_numpy() > 0)
    outstanding = np.where(unpaid, pairs["amount"].to_numpy() - np.where(partial, pairs["paid_cents"].to_numpy(), 0), 0)
    eligible30 = due + PAID_WITHIN_DAYS < t
    n_prior = np.bincount(idx, minlength=n).astype(float)
    n_paid = _sum(idx, known_paid, n)
    n_elig = _sum(idx, eligible30, n)
    out = pd.DataFrame(index=targets.index)
    out["n_prior"] = n_prior
    out["ontime_rate"] = np.divide(_sum(idx, known_paid & (delay <= 0), n), n_prior, out=np.ones(n), where=n_prior > 0)
    out["paid30_rate"] = np.divide(
        _sum(idx, known_paid & eligible30 & (delay <= PAID_WITHIN_DAYS), n), n_elig, out=np.ones(n), where=n_elig > 0
    )
    out["mean_delay"] = np.divide(_sum(idx, delay, n), n_paid, out=np.zeros(n), where=n_paid > 0)
    max_delay = np.zeros(n)
    np.maximum.at(max_delay, idx, np.where(known_paid, delay, 0.0))
    out["max_delay"] = max_delay
    out["months_in_arrears"] = _sum(idx, unpaid, n)
    arrears = _sum(idx, outstanding, n)
    out["arrears_cents"] = arrears
    out["log_arrears"] = np.log1p(arrears / 100.0)
    oldest = np.full(n, np.inf)
    np.minimum.at(oldest, idx[unpaid], due[unpaid].astype(float))
    out["oldest_due"] = np.where(np.isfinite(oldest), oldest, np.nan)
    out["days_overdue"] = np.where(np.isfinite(oldest), targets["t"].to_numpy() - oldest, 0.0)
    out["has_partial"] = (_sum(idx, partial, n) > 0).astype(float)
    return out


def evidence_counts(targets: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Counts of tickets, complaints and contact outcomes per target, strictly before its cut-off."""
    n = len(targets)
    tid = pd.DataFrame({"tid": np.arange(n), "unit_id": targets["unit_id"].to_numpy(), "t": targets["t"].to_numpy()})
    pairs = tid.merge(events, on="unit_id", how="inner")
    t = pairs["t"].to_numpy()
    pairs = pairs[pairs["day"].to_numpy() < t]
    idx, kind, t = pairs["tid"].to_numpy(), pairs["kind"].to_numpy(), pairs["t"].to_numpy()
    is_ticket = kind == EVENT_KINDS["ticket"]
    still_open = is_ticket & ~(np.nan_to_num(pairs["until"].to_numpy(), nan=np.inf) < t)
    out = pd.DataFrame(index=targets.index)
    for name, kind_name in (
        ("tickets", "ticket"),
        ("low_sat", "low_sat_ticket"),
        ("claims", "claim"),
        ("attempts", "attempt"),
        ("no_answer", "no_answer"),
    ):
        out[name] = _sum(idx, kind == EVENT_KINDS[kind_name], n)
    out["open_tickets"] = _sum(idx, still_open, n)
    service_open = (kind == EVENT_KINDS["service_ticket"]) & ~(np.nan_to_num(pairs["until"].to_numpy(), nan=np.inf) < t)
    out["open_service_tickets"] = _sum(idx, service_open, n)
    return out


def features_at(targets: pd.DataFrame, bills: pd.DataFrame, events: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """All model features (FEATURES) plus ledger facts, one row per target, aligned with ``targets``."""
    targets = targets.reset_index(drop=True)
    hist = bill_history(targets, bills)
    ev = evidence_counts(targets, events)
    flags = (
        targets[["unit_id"]]
        .merge(units[["unit_id", "special", "high_value", "problem"]], on="unit_id", how="left")
        .fillna(False)
    )
    out = pd.concat([hist, ev], axis=1)
    for name in ("special", "high_value", "problem"):
        out[name] = flags[name].to_numpy().astype(float)
    amount = targets["amount"].to_numpy() if "amount" in targets else np.zeros(len(targets))
    out["log_amount"] = np.log1p(amount / 100.0)
    return out


def training_targets(bills: pd.DataFrame, horizon_end: int) -> pd.DataFrame:
    """One labelled target per bill whose 30-day outcome is known by ``horizon_end``.

    Label: the bill was fully paid within 30 days of its due date.
    """
    known = bills[bills["due"] + PAID_WITHIN_DAYS < horizon_end]
    paid_in_time = known["settled"].to_numpy() & (
        np.nan_to_num(known["pay_day"].to_numpy(), nan=np.inf) <= known["due"].to_numpy() + PAID_WITHIN_DAYS
    )
    return pd.DataFrame(
        {
            "unit_id": known["unit_id"].to_numpy(),
            "t": known["due"].to_numpy(),
            "amount": known["amount"].to_numpy(),
            "label": paid_in_time.astype(int),
        }
    )
