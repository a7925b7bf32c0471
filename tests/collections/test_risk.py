"""Risk model on a generated portfolio: time-based holdout AUC/KS, calibration, reasons, storage; forecast."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from app.services.collections import risk_store
from core.domain.collections import forecast
from core.domain.collections.features import features_at, training_targets
from data.db.session import init_db
from tests.collections.conftest import AS_OF, build_portfolio


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("risk") / "p3000.db"
    url = f"sqlite:///{path}"
    build_portfolio(url, 3000, seed=21)
    return url


@pytest.fixture(scope="module")
def trained(portfolio: str, tmp_path_factory: pytest.TempPathFactory):
    var_dir = tmp_path_factory.mktemp("var")
    return risk_store.train(init_db(portfolio), var_dir, AS_OF), var_dir


def test_when_trained_on_3000_households_then_holdout_auc_is_at_least_075(trained):
    model, _ = trained
    meta = model.metadata
    print(f"\nrisk model holdout: AUC={meta['auc']} KS={meta['ks']} Brier={meta['brier']} n={meta['n']}")
    assert meta["auc"] >= 0.75
    assert 0.3 <= meta["ks"] <= 1.0
    assert meta["holdout_rows"] > 0 and meta["train_rows"] > meta["holdout_rows"]
    assert sum(row["n"] for row in meta["calibration"]) == meta["n"]


def test_when_model_is_stored_then_it_loads_and_evaluates_the_same(trained, portfolio):
    model, var_dir = trained
    loaded = risk_store.load(var_dir)
    assert risk_store.model_path(var_dir).with_suffix(".json").exists()
    metrics = risk_store.evaluate(init_db(portfolio), loaded, AS_OF)
    assert metrics["auc"] == model.metadata["auc"] and metrics["ks"] == model.metadata["ks"]


def test_when_model_is_missing_then_load_says_so_in_chinese(tmp_path):
    with pytest.raises(risk_store.ModelMissing, match="steward risk train"):
        risk_store.load(tmp_path)


def _bills(rows: list[tuple]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["unit_id", "due", "amount", "paid_cents", "pay_day"])
    df["settled"] = df["paid_cents"] >= df["amount"]
    return df


EMPTY_EVENTS = pd.DataFrame(
    {
        "unit_id": pd.Series([], dtype=np.int64),
        "kind": pd.Series([], dtype=np.int64),
        "day": pd.Series([], dtype=float),
        "until": pd.Series([], dtype=float),
    }
)
UNITS = pd.DataFrame(
    {"unit_id": [1, 2], "special": [False, False], "high_value": [False, False], "problem": [False, True]}
)


def test_when_features_are_cut_at_a_day_then_later_payments_are_not_seen():
    bills = _bills([(1, 100, 500, 500, 95.0), (1, 130, 500, 500, 170.0), (1, 160, 500, 0, np.nan)])
    targets = pd.DataFrame({"unit_id": [1, 1], "t": [150, 180], "amount": [500, 500]})
    f = features_at(targets, bills, EMPTY_EVENTS, UNITS)
    assert list(f["months_in_arrears"]) == [1, 1]  # at 150 the 130 bill is unpaid; at 180 the 160 bill
    assert list(f["days_overdue"]) == [20, 20]
    assert f.loc[1, "mean_delay"] == pytest.approx((0 - 5 + 40) / 2)
    labels = training_targets(bills, 185)
    assert list(labels["label"]) == [1, 0]  # paid early; paid 40 days late; the 160 bill is not yet known


def test_when_recovery_is_forecast_then_horizons_grow_and_backtest_compares_with_actuals():
    bills = _bills([(1, 100, 500, 500, 110.0), (2, 100, 800, 800, 125.0), (2, 130, 800, 0, np.nan)])
    shares = forecast.horizon_shares(bills)
    assert shares[7] <= shares[14] <= shares[30] == 1.0
    frame = pd.DataFrame(
        {
            "project": ["A", "A"],
            "segment": ["standard", "problem"],
            "arrears_cents": [500, 1600],
            "risk_score": [0.5, 0.25],
        }
    )
    pred = forecast.expected_recovery(frame, shares, ["project"])
    assert pred.loc[0, "d30"] == pytest.approx(500 * 0.5 + 1600 * 0.25)
    actual = forecast.actual_recovery(bills, 105).assign(project="A").groupby("project", as_index=False).sum()
    assert actual.loc[0, "d7"] == 500 and actual.loc[0, "d30"] == 1300
    error = forecast.backtest_error(pred, actual.drop(columns="unit_id"), ["project"])
    assert error["d30"]["actual_cents"] == 1300 and error["d30"]["wape"] >= 0


def test_when_portfolio_forecast_is_backtested_then_30_day_error_is_small(trained, portfolio):
    from app.services.collections.forecasting import recovery_forecast

    model, _ = trained
    result = recovery_forecast(init_db(portfolio), model, AS_OF)
    print("\nforecast backtest WAPE: " + ", ".join(f"{k}={v['wape']}" for k, v in result["backtest"].items()))
    assert {g["segment"] for g in result["groups"]} <= {"standard", "special", "problem", "high_value"}
    assert all(g["d7"] <= g["d14"] <= g["d30"] for g in result["groups"])
    assert result["backtest"]["d30"]["wape"] < 0.3
