"""Recovery forecast (7/14/30 days) by project and segment, with a backtest from 30 days earlier."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from sqlalchemy import Engine

from app.services.collections import risk_store
from app.services.collections.frames import read_chunk, unit_id_bounds
from core.domain.collections import forecast, risk, segments
from core.domain.collections.features import PAID_WITHIN_DAYS, features_at

BY = ["project", "segment"]
CHUNK = 50_000


def _scored(chunk, model: risk.RiskModel, day: date) -> pd.DataFrame:  # noqa: ANN001
    units = chunk.units.reset_index(drop=True)
    targets = pd.DataFrame({"unit_id": units["unit_id"], "t": day.toordinal(), "amount": units["monthly_fee_cents"]})
    feats = features_at(targets, chunk.bills, chunk.events, units)
    return pd.DataFrame(
        {
            "unit_id": units["unit_id"],
            "project": units["project_code"],
            "segment": segments.segment(units),
            "arrears_cents": feats["arrears_cents"],
            "risk_score": model.predict(feats) if len(units) else [],
        }
    )


def recovery_forecast(
    engine: Engine,
    model: risk.RiskModel,
    day: date,
    *,
    chunk: int = CHUNK,
    backtest_model: risk.RiskModel | None = None,
) -> dict:
    """Expected recovery per project and segment for 7/14/30 days from ``day``, and the backtest error.

    The backtest forecasts from ``day`` − 30 with a model fitted only on labels known then
    (``backtest_model``; fitted here when not given) and compares with the payments that followed.
    """
    cutoff = day - timedelta(days=PAID_WITHIN_DAYS)
    if backtest_model is None:
        data = risk_store.labelled_set(engine, cutoff)
        backtest_model = risk.fit(data.X, data.y)
    now_parts, then_parts, actual_parts, bill_parts = [], [], [], []
    with engine.connect() as conn:
        lo, hi = unit_id_bounds(conn)
        for start in range(lo, hi + 1, chunk):
            c = read_chunk(conn, start, min(start + chunk, hi + 1), day)
            now_parts.append(_scored(c, model, day))
            then = _scored(c, backtest_model, cutoff)
            then_parts.append(then)
            act = forecast.actual_recovery(c.bills, cutoff.toordinal())
            actual_parts.append(act.merge(then[["unit_id", *BY]], on="unit_id"))
            bill_parts.append(c.bills[c.bills["due"] < cutoff.toordinal()])
    bills = pd.concat(bill_parts, ignore_index=True)
    shares = forecast.horizon_shares(bills)
    now = pd.concat(now_parts, ignore_index=True)
    predicted = forecast.expected_recovery(now[now["arrears_cents"] > 0], shares, BY)
    then = pd.concat(then_parts, ignore_index=True)
    back_pred = forecast.expected_recovery(then[then["arrears_cents"] > 0], shares, BY)
    actual = pd.concat(actual_parts, ignore_index=True).drop(columns="unit_id").groupby(BY, as_index=False).sum()
    error = forecast.backtest_error(back_pred.drop(columns=["arrears_cents", "households"]), actual, BY)
    rows = predicted.assign(**{f"d{h}": predicted[f"d{h}"].round().astype("int64") for h in forecast.HORIZONS})
    return {
        "as_of": day.isoformat(),
        "backtest_from": cutoff.isoformat(),
        "horizon_shares": shares,
        "groups": rows.to_dict("records"),
        "backtest": error,
    }
