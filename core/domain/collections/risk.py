"""Risk model: probability that a household pays within 30 days, its evaluation and per-household reasons."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score, roc_curve
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from core.domain.collections.features import FEATURES

# How a feature that lowers the payment probability is explained to a steward.
REASON_TEXT: dict[str, str] = {
    "n_prior": "缴费历史较短（{v:.0f} 期）",
    "ontime_rate": "历史按时缴费率 {v:.0%}",
    "paid30_rate": "30天内缴清比例 {v:.0%}",
    "mean_delay": "平均晚缴 {v:.0f} 天",
    "max_delay": "最长晚缴 {v:.0f} 天",
    "months_in_arrears": "已欠费 {v:.0f} 期",
    "log_arrears": "欠费金额较大",
    "days_overdue": "最早欠费已 {v:.0f} 天",
    "has_partial": "只缴了部分费用",
    "log_amount": "月度费用较高",
    "tickets": "有 {v:.0f} 张工单",
    "low_sat": "{v:.0f} 张工单满意度低",
    "open_tickets": "{v:.0f} 张工单未办结",
    "claims": "提出过 {v:.0f} 次诉求",
    "attempts": "已触达 {v:.0f} 次仍未缴",
    "no_answer": "{v:.0f} 次电话未接通",
    "special": "关怀人群",
    "high_value": "高价值业主",
    "problem": "标记为问题业主",
}
BAD_WHEN_LOW = frozenset({"n_prior", "ontime_rate", "paid30_rate"})
# Segments are shown as segments, not as risk factors.
NOT_REASONS = frozenset({"special", "high_value", "log_amount"})
MIN_CONTRIBUTION = 0.05


@dataclass
class RiskModel:
    """A fitted pipeline with the feature order it expects and its evaluation metadata."""

    pipeline: Pipeline
    features: tuple[str, ...] = FEATURES
    metadata: dict = field(default_factory=dict)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Probability of paying within 30 days, one per row."""
        return self.pipeline.predict_proba(X[list(self.features)].to_numpy(dtype=float))[:, 1]

    def contributions(self, X: pd.DataFrame) -> np.ndarray:
        """Per-feature log-odds contributions relative to the training mean (rows × features)."""
        scaler: StandardScaler = self.pipeline.named_steps["scale"]
        coef = self.pipeline.named_steps["model"].coef_[0]
        z = scaler.transform(X[list(self.features)].to_numpy(dtype=float))
        return z * coef

    def reasons(self, X: pd.DataFrame, k: int = 3) -> list[list[str]]:
        """The ``k`` features that lower each row's payment probability most, as Chinese phrases."""
        values = X[list(self.features)].to_numpy(dtype=float)
        mean = self.pipeline.named_steps["scale"].mean_
        direction = np.array([-1.0 if f in BAD_WHEN_LOW else 1.0 for f in self.features])
        # Only a feature on its "bad" side explains a risk (collinear features can flip coefficient signs).
        usable = np.array([f not in NOT_REASONS for f in self.features])
        contrib = np.where(((values - mean) * direction > 0) & usable, self.contributions(X), 0.0)
        order = np.argsort(contrib, axis=1)[:, :k]
        out = []
        for row, cols in enumerate(order):
            out.append(
                [
                    REASON_TEXT[self.features[c]].format(v=values[row, c])
                    for c in cols
                    if contrib[row, c] < -MIN_CONTRIBUTION
                ]
            )
        return out


def fit(X: pd.DataFrame, y: np.ndarray, *, features: tuple[str, ...] = FEATURES, seed: int = 0) -> RiskModel:
    """Fit a standardised logistic regression (calibrated by construction, explainable by coefficients)."""
    pipeline = Pipeline(
        [("scale", StandardScaler()), ("model", LogisticRegression(C=1.0, max_iter=500, random_state=seed))]
    )
    pipeline.fit(X[list(features)].to_numpy(dtype=float), y)
    return RiskModel(pipeline=pipeline, features=features)


def ks_statistic(y: np.ndarray, p: np.ndarray) -> float:
    """Kolmogorov–Smirnov separation: max |TPR − FPR| over thresholds."""
    fpr, tpr, _ = roc_curve(y, p)
    return float(np.max(np.abs(tpr - fpr)))


def calibration_table(y: np.ndarray, p: np.ndarray, bins: int = 10) -> list[dict]:
    """Mean predicted vs observed rate per probability decile (reliability table)."""
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    rows = []
    for b in range(bins):
        mask = which == b
        if mask.any():
            rows.append(
                {
                    "bin": f"{edges[b]:.1f}-{edges[b + 1]:.1f}",
                    "n": int(mask.sum()),
                    "predicted": round(float(p[mask].mean()), 4),
                    "observed": round(float(y[mask].mean()), 4),
                }
            )
    return rows


def evaluate(model: RiskModel, X: pd.DataFrame, y: np.ndarray) -> dict:
    """AUC, KS, Brier score, base rate and calibration on a holdout."""
    p = model.predict(X)
    if len(np.unique(y)) < 2:
        raise ValueError("holdout has a single class; AUC is undefined")
    return {
        "auc": round(float(roc_auc_score(y, p)), 4),
        "ks": round(ks_statistic(y, p), 4),
        "brier": round(float(brier_score_loss(y, p)), 4),
        "n": int(len(y)),
        "positive_rate": round(float(np.mean(y)), 4),
        "calibration": calibration_table(y, p),
    }


def time_split(t: np.ndarray, holdout_days: int) -> tuple[np.ndarray, np.ndarray]:
    """Boolean masks (train, holdout): the holdout is the latest ``holdout_days`` of cut-off days."""
    cut = t.max() - holdout_days
    return t <= cut, t > cut
