"""`steward risk`: train and evaluate the payment-risk model."""

from __future__ import annotations

from datetime import date

import typer

from app.cli.common import console, fail, print_json

app = typer.Typer(no_args_is_help=True, help="风险模型：训练与评估 / Payment-risk model.")


def _context(database_url: str | None, as_of: str | None):  # noqa: ANN202
    from app.cli.common import database_url as resolve_url
    from core.settings import get_settings
    from data.db.session import init_db, make_session_factory
    from data.repositories.households import business_date

    engine = init_db(resolve_url(database_url))
    with make_session_factory(engine)() as session:
        day = business_date(session, date.fromisoformat(as_of) if as_of else get_settings().as_of)
    return engine, day, get_settings().var_dir


def _print_metrics(meta: dict) -> None:
    from rich.table import Table

    console.print(
        f"AUC [bold]{meta['auc']:.3f}[/bold]  KS [bold]{meta['ks']:.3f}[/bold]  Brier {meta['brier']:.3f}  "
        f"留出样本 {meta['n']:,}（最近 {meta['holdout_days']} 天到期的账单），缴费率 {meta['positive_rate']:.1%}"
    )
    table = Table(title="校准（预测 vs 实际 30 天内缴费率）")
    for col in ("概率区间", "样本", "预测", "实际"):
        table.add_column(col, justify="right")
    for row in meta["calibration"]:
        table.add_row(row["bin"], f"{row['n']:,}", f"{row['predicted']:.1%}", f"{row['observed']:.1%}")
    console.print(table)


@app.command("train")
def train_cmd(
    database_url: str | None = typer.Option(None, "--database-url", help="数据库 URL"),
    as_of: str | None = typer.Option(None, "--as-of", help="业务日期（默认取数据集日期）"),
    as_json: bool = typer.Option(False, "--json", help="输出一个 JSON 对象"),
) -> None:
    """用历史缴费记录训练“30天内缴费概率”模型（按时间留出最近几个月评估）。"""
    from app.services.collections import risk_store

    engine, day, var_dir = _context(database_url, as_of)
    try:
        with console.status("训练风险模型…"):
            model = risk_store.train(engine, var_dir, day)
    except ValueError as exc:
        fail(str(exc))
        return
    if as_json:
        print_json(model.metadata)
        return
    console.print(f"模型已保存：{risk_store.model_path(var_dir)}（训练样本 {model.metadata['train_rows']:,}）")
    _print_metrics(model.metadata | {"holdout_days": model.metadata["holdout_days"]})


@app.command("evaluate")
def evaluate_cmd(
    database_url: str | None = typer.Option(None, "--database-url", help="数据库 URL"),
    as_of: str | None = typer.Option(None, "--as-of", help="业务日期（默认取数据集日期）"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON（含 auc、ks）"),
) -> None:
    """在最近几个月的账单上评估已训练的模型：AUC、KS、校准。"""
    from app.services.collections import risk_store

    engine, day, var_dir = _context(database_url, as_of)
    try:
        model = risk_store.load(var_dir)
        metrics = risk_store.evaluate(engine, model, day)
    except (risk_store.ModelMissing, ValueError) as exc:
        fail(str(exc))
        return
    if as_json:
        print_json(metrics)
        return
    _print_metrics(metrics)


@app.command("forecast")
def forecast_cmd(
    database_url: str | None = typer.Option(None, "--database-url", help="数据库 URL"),
    as_of: str | None = typer.Option(None, "--as-of", help="业务日期（默认取数据集日期）"),
    as_json: bool = typer.Option(False, "--json", help="输出一个 JSON 对象"),
) -> None:
    """按项目与人群预测 7/14/30 日回款，并给出 30 天前起点的回测误差（WAPE）。"""
    from rich.table import Table

    from app.services.collections import risk_store
    from app.services.collections.forecasting import recovery_forecast
    from app.services.collections.queue_service import segment_label

    engine, day, var_dir = _context(database_url, as_of)
    with console.status("预测回款…"):
        result = recovery_forecast(engine, risk_store.load_or_train(engine, var_dir, day), day)
    if as_json:
        print_json(result)
        return
    table = Table(title=f"{result['as_of']} 回款预测（元）")
    for col in ("项目", "人群", "欠费户", "欠费", "7日", "14日", "30日"):
        table.add_column(col, justify="right")
    for g in result["groups"]:
        table.add_row(
            g["project"],
            segment_label(g["segment"]),
            f"{g['households']:,}",
            f"{g['arrears_cents'] / 100:,.0f}",
            *(f"{g[f'd{h}'] / 100:,.0f}" for h in (7, 14, 30)),
        )
    console.print(table)
    console.print(
        f"回测（自 {result['backtest_from']} 起）："
        + "，".join(f"{k[1:]}日 WAPE {v['wape']:.1%}" for k, v in result["backtest"].items())
    )


def register(root: typer.Typer) -> None:
    """Attach `steward risk` to the root app."""
    root.add_typer(app, name="risk")
