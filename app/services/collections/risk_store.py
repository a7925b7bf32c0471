"""Train, store and load the risk model (joblib under settings.var_dir, with a JSON metadata file)."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from app.services.collections.frames import read_chunk, unit_id_bounds
from core.domain.collections import risk
from core.domain.collections.features import features_at, training_targets

logger = logging.getLogger(__name__)

HOLDOUT_DAYS = 92  # the latest three labelled months
MAX_TRAIN_UNITS = 200_000
CHUNK = 20_000


class ModelMissing(FileNotFoundError):
    """No risk model has been trained yet."""


@dataclass
class LabelledSet:
    """Features, labels and cut-off days of every labelled bill."""

    X: pd.DataFrame
    y: np.ndarray
    t: np.ndarray


def model_path(var_dir: Path) -> Path:
    """Where the fitted model lives."""
    return Path(var_dir) / "models" / "risk.joblib"


def labelled_set(engine: Engine, as_of: date, *, max_units: int = MAX_TRAIN_UNITS, chunk: int = CHUNK) -> LabelledSet:
    """One labelled target per past bill whose 30-day outcome is known on ``as_of`` (features before its due date)."""
    frames, labels, days = [], [], []
    horizon = as_of.toordinal()
    with engine.connect() as conn:
        lo, hi = unit_id_bounds(conn)
        hi = min(hi, lo + max_units - 1)
        for start in range(lo, hi + 1, chunk):
            c = read_chunk(conn, start, min(start + chunk, hi + 1), as_of)
            targets = training_targets(c.bills, horizon)
            if targets.empty:
                continue
            frames.append(features_at(targets, c.bills, c.events, c.units))
            labels.append(targets["label"].to_numpy())
            days.append(targets["t"].to_numpy())
    if not frames:
        raise ValueError("没有可用于训练的历史账单")
    return LabelledSet(pd.concat(frames, ignore_index=True), np.concatenate(labels), np.concatenate(days))


def train(engine: Engine, var_dir: Path, as_of: date, *, holdout_days: int = HOLDOUT_DAYS) -> risk.RiskModel:
    """Fit on older months, evaluate on the latest ones, store model and metadata; return the model."""
    import joblib

    data = labelled_set(engine, as_of)
    train_mask, hold_mask = risk.time_split(data.t, holdout_days)
    model = risk.fit(data.X[train_mask], data.y[train_mask])
    metrics = risk.evaluate(model, data.X[hold_mask], data.y[hold_mask])
    model.metadata = {
        "as_of": as_of.isoformat(),
        "trained_at": datetime.now().isoformat(timespec="seconds"),
        "holdout_days": holdout_days,
        "train_rows": int(train_mask.sum()),
        "holdout_rows": int(hold_mask.sum()),
        "features": list(model.features),
        "algorithm": "standardised logistic regression",
        **metrics,
    }
    path = model_path(var_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, path)
    path.with_suffix(".json").write_text(json.dumps(model.metadata, ensure_ascii=False, indent=2))
    logger.info("risk model trained: auc=%s ks=%s rows=%s", metrics["auc"], metrics["ks"], len(data.y))
    return model


def load(var_dir: Path) -> risk.RiskModel:
    """Load the stored model or raise ModelMissing."""
    import joblib

    path = model_path(var_dir)
    if not path.exists():
        raise ModelMissing("尚未训练风险模型，请先运行 steward risk train")
    return joblib.load(path)


def load_or_train(engine: Engine, var_dir: Path, as_of: date) -> risk.RiskModel:
    """The stored model, trained first when there is none."""
    try:
        return load(var_dir)
    except ModelMissing:
        return train(engine, var_dir, as_of)


def evaluate(engine: Engine, model: risk.RiskModel, as_of: date, *, holdout_days: int = HOLDOUT_DAYS) -> dict:
    """Re-evaluate a model on the latest months of the current data."""
    data = labelled_set(engine, as_of)
    _, hold_mask = risk.time_split(data.t, holdout_days)
    return risk.evaluate(model, data.X[hold_mask], data.y[hold_mask]) | {
        "as_of": as_of.isoformat(),
        "holdout_days": holdout_days,
    }
