"""Daily priority queue: amount impact × probability of success × urgency, with exclusions and reasons.

Exclusions (first match wins; the rule id is stored with the household):
  blacklist      the owner is on the do-not-contact list
  opt_out        the owner opted out of every channel (a single-channel opt-out only narrows channels)
  dispute        an open dispute (异议) on the unit: resolve it before any reminder
  promise        an open promise to pay whose date has not passed yet
  instalment     an agreed instalment schedule (the nightly review ends it when an instalment is missed)
  service_first  the latest diagnosis names a service-quality cause (strategy group service_quality), or
                 the unit has an open service ticket: fix the service first, pause collection (PRD 服务质量问题)
  not_in_arrears nothing is overdue
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.domain.collections.segments import BAND_NAMES, SEGMENT_NAMES

EXCLUSIONS: tuple[str, ...] = (
    "blacklist",
    "opt_out",
    "dispute",
    "promise",
    "instalment",
    "service_first",
    "not_in_arrears",
)
EXCLUSION_NAMES = {
    "blacklist": "黑名单",
    "opt_out": "已退订全部渠道",
    "dispute": "异议处理中",
    "promise": "已承诺还款且未到期",
    "instalment": "分期履约中",
    "service_first": "服务问题优先整改",
    "not_in_arrears": "无欠费",
}
STAGE_WEIGHT = {"预警": 1.0, "初级": 1.2, "中级": 1.4, "高级": 1.6}
STAGE_BOUNDARIES = (15, 30, 60)
NEXT_STAGE = {15: "初级", 30: "中级", 60: "高级"}
BOUNDARY_WINDOW = 3
AMOUNT_SCALE = np.log1p(10_000.0)


def _flag(frame: pd.DataFrame, column: str) -> np.ndarray:
    return frame[column].astype(bool).to_numpy() if column in frame else np.zeros(len(frame), dtype=bool)


def exclusion(frame: pd.DataFrame) -> np.ndarray:
    """The exclusion rule id per row, or None when the household belongs in the queue."""
    conds = [
        frame["blacklisted"].astype(bool),
        frame["opted_out_all"].astype(bool),
        frame["open_dispute"].astype(bool),
        frame["open_promise"].astype(bool),
        _flag(frame, "instalment_active"),
        frame["service_first"].astype(bool),
        frame["arrears_cents"].to_numpy() <= 0,
    ]
    return np.select(conds, list(EXCLUSIONS), default=None)


def days_to_next_stage(days_overdue: np.ndarray) -> np.ndarray:
    """Days until the next stage boundary (large when none is ahead)."""
    ahead = np.full(days_overdue.shape, 10**6)
    for b in reversed(STAGE_BOUNDARIES):
        ahead = np.where(days_overdue <= b, b + 1 - days_overdue, ahead)
    return ahead


def priority(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(priority, amount impact, success probability, urgency) per row."""
    amount = np.log1p(frame["arrears_cents"].to_numpy() / 100.0) / AMOUNT_SCALE
    success = np.clip(frame["risk_score"].to_numpy(dtype=float), 0.02, 1.0)
    stage_w = frame["stage"].map(STAGE_WEIGHT).fillna(1.0).to_numpy()
    near = days_to_next_stage(frame["days_overdue"].to_numpy()) <= BOUNDARY_WINDOW
    urgency = stage_w * np.where(near, 1.3, 1.0) * np.where(frame["high_value"].astype(bool), 1.2, 1.0)
    return amount * success * urgency, amount, success, urgency


def warning(frame: pd.DataFrame) -> np.ndarray:
    """Red / yellow / green for the workbench."""
    days = frame["days_overdue"].to_numpy()
    high = frame["risk_band"].to_numpy() == "high"
    months = frame["months_in_arrears"].to_numpy()
    red = (days > 60) | (high & (months >= 3))
    yellow = (days > 30) | high | (days_to_next_stage(days) <= BOUNDARY_WINDOW)
    return np.where(red, "red", np.where(yellow, "yellow", "green"))


def _yuan(cents: int) -> str:
    return f"{cents / 100:,.2f}元"


def _reasons_row(row: dict) -> list[str]:
    out = [
        f"欠费 {_yuan(int(row['arrears_cents']))}（{int(row['months_in_arrears'])} 期，最早已 {int(row['days_overdue'])} 天）",
        f"30天内缴费概率 {row['risk_score']:.0%}（{BAND_NAMES[row['risk_band']]}）",
    ]
    if row["stage"]:
        out.append(f"当前阶段：{row['stage']}")
    ahead = int(row["ahead"])
    if ahead <= BOUNDARY_WINDOW:
        out.append(f"{ahead} 天后进入{NEXT_STAGE[int(row['days_overdue']) + ahead - 1]}阶段")
    if row["segment"] != "standard":
        out.append(SEGMENT_NAMES[row["segment"]] + ("：降低频次、温和话术、经理复核" if row["special"] else ""))
    out += [f"风险因素：{r}" for r in row.get("model_reasons") or []]
    if row.get("broken_promise"):
        out.insert(0, "承诺还款到期未缴（已违约），重新跟进")
    return out


def reasons(frame: pd.DataFrame) -> list[list[str]]:
    """Chinese reasons per row (amount, probability, stage, segment, model factors)."""
    cols = [
        "arrears_cents",
        "months_in_arrears",
        "days_overdue",
        "risk_score",
        "risk_band",
        "stage",
        "segment",
        "special",
        "model_reasons",
    ]
    data = frame[cols].assign(
        ahead=days_to_next_stage(frame["days_overdue"].to_numpy()), broken_promise=_flag(frame, "broken_promise")
    )
    return [_reasons_row(r) for r in data.to_dict("records")]


def owner_entries(scored: pd.DataFrame) -> pd.DataFrame:
    """One queue entry per owner and project: the owner's top eligible unit there, with the owner's arrears there.

    Owners are one person across projects, but each project is served (and seen) by its own staff: an entry, its
    ``other_units`` and its ``owner_arrears_cents`` never mix units of different projects, so whoever may see an
    entry's project sees nothing of another project through it.

    Expects the scored frame with columns household (``PROJECT/UNIT``), owner_id, unit_id, priority, excluded,
    arrears_cents. Returns eligible entries ordered by priority (highest first) with an ``other_units`` list.
    """
    eligible = scored[scored["excluded"].isna()].copy()
    if eligible.empty:
        return eligible.assign(owner_arrears_cents=[], other_units=[])
    owner = eligible["owner_id"].fillna(-eligible["unit_id"]).astype(np.int64)
    project = eligible["household"].astype(str).str.split("/", n=1).str[0]
    eligible["_owner"] = list(zip(owner.to_numpy(), project.to_numpy(), strict=True))
    eligible = eligible.sort_values(["priority", "unit_id"], ascending=[False, True])
    totals = eligible.groupby("_owner")["arrears_cents"].sum()
    units = eligible.groupby("_owner")["household"].agg(list)
    top = eligible.drop_duplicates("_owner").copy()
    top["owner_arrears_cents"] = [int(totals[o]) for o in top["_owner"]]
    top["other_units"] = [
        [h for h in units[o] if h != h0] for o, h0 in zip(top["_owner"], top["household"], strict=True)
    ]
    return top.drop(columns="_owner").reset_index(drop=True)
