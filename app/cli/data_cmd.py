"""`steward data`: sample portfolio generation and billing-system import."""

from __future__ import annotations

from datetime import date

import typer

from app.cli.common import console, database_url as resolve_url

app = typer.Typer(no_args_is_help=True, help="数据：生成样例、导入账单 / Data generation and import.")


@app.command("generate")
def generate_cmd(
    households: int = typer.Option(2000, "--households", "-n", min=1, help="住户数量"),
    seed: int = typer.Option(7, "--seed", help="随机种子（相同种子生成相同数据）"),
    as_of: str = typer.Option("2024-09-02", "--as-of", help="样例数据的业务日期"),
    database_url: str | None = typer.Option(None, "--database-url", help="数据库 URL"),
    reset: bool = typer.Option(False, "--reset", help="先清空数据库再生成"),
) -> None:
    """生成真实感的样例住户组合（含试点户 BJ-PILOT/4-1203）。"""
    import time

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from app.db.session import init_db
    from data.generator.generate import generate
    from data.generator.reset import reset_database

    url = resolve_url(database_url)
    if reset:
        reset_database(url)
    engine = init_db(url)
    started = time.perf_counter()
    with Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console) as bar:
        task = bar.add_task("生成住户", total=households)
        report = generate(engine, households, seed=seed, as_of=date.fromisoformat(as_of),
                          progress=lambda n: bar.advance(task, n))
    engine.dispose()
    if report.skipped:
        console.print("样例数据已存在，跳过（使用 --reset 重新生成）。")
        return
    elapsed = time.perf_counter() - started
    console.print(f"已生成 {report.households:,} 户，{report.rows:,} 行，用时 {elapsed:.1f} 秒。")
