"""Segments and strategy for many households at once: risk bands, special populations, owner types."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.domain.strategy import OwnerFlags, decide

HIGH_RISK_BELOW = 0.35
LOW_RISK_FROM = 0.65
SPECIAL_TAGS = frozenset({"老年", "残障", "敏感"})
BAND_NAMES = {"high": "高风险", "medium": "中风险", "low": "低风险"}
SEGMENT_NAMES = {"special": "关怀人群", "problem": "问题业主", "high_value": "高价值业主", "standard": "普通业主"}


def risk_band(p: np.ndarray) -> np.ndarray:
    """High / medium / low risk from the probability of paying within 30 days."""
    return np.where(p < HIGH_RISK_BELOW, "high", np.where(p < LOW_RISK_FROM, "medium", "low"))


def segment(frame: pd.DataFrame) -> np.ndarray:
    """One segment per row; special populations win over problem owners, then high-value."""
    return np.select(
        [frame["special"].astype(bool), frame["problem"].astype(bool), frame["high_value"].astype(bool)],
        ["special", "problem", "high_value"],
        default="standard",
    )


def _decision_row(group: str, special: bool, high_value: bool, problem: bool, days: int) -> dict:
    flags = OwnerFlags(vulnerable=special, high_value=high_value, malicious=problem, hardship=group == "hardship")
    d = decide(group, flags, days)
    return {
        "strategy": d.name,
        "stage": d.stage.name if d.stage else None,
        "manager_review": d.manager_review,
        "gentle": d.gentle,
        "pause_forced_collection": d.pause_forced_collection,
        "weekly_cap": d.weekly_contact_cap,
        "legal_track": d.legal_track,
    }


def apply_strategy(frame: pd.DataFrame) -> pd.DataFrame:
    """Strategy decision per row via core.domain.strategy.decide, evaluated once per distinct input.

    Expects columns strategy_group, special, high_value, problem, days_overdue; returns strategy, stage,
    manager_review, gentle, pause_forced_collection, weekly_cap, legal_track aligned with ``frame``.
    """
    keys = ["strategy_group", "special", "high_value", "problem", "days_overdue"]
    inputs = frame[keys].copy()
    inputs["days_overdue"] = inputs["days_overdue"].astype(int)
    for col in ("special", "high_value", "problem"):
        inputs[col] = inputs[col].astype(bool)
    distinct = inputs.drop_duplicates().reset_index(drop=True)
    decided = pd.DataFrame([_decision_row(*row) for row in distinct.itertuples(index=False, name=None)])
    table = pd.concat([distinct, decided], axis=1)
    return inputs.merge(table, on=keys, how="left").drop(columns=keys).set_index(frame.index)
