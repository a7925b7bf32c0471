"""`steward data`: sample portfolio generation and billing-system import."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
import typer

from app.cli.common import console
from app.cli.common import database_url as resolve_url

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

    from data.db.session import init_db
    from data.generator.generate import generate
    from data.generator.reset import reset_database

    url = resolve_url(database_url)
    if reset:
        reset_database(url)
    engine = init_db(url)
    started = time.perf_counter()
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        task = bar.add_task("生成住户", total=households)
        report = generate(
            engine, households, seed=seed, as_of=date.fromisoformat(as_of), progress=lambda n: bar.advance(task, n)
        )
    engine.dispose()
    if report.skipped:
        console.print("样例数据已存在，跳过（使用 --reset 重新生成）。")
        return
    elapsed = time.perf_counter() - started
    console.print(f"已生成 {report.households:,} 户，{report.rows:,} 行，用时 {elapsed:.1f} 秒。")


@app.command("import")
def import_(
    file: Path = typer.Argument(..., help="导入文件：.csv（UTF-8/GBK）、.xlsx、.jsonl 住户数据包或 .txt 微信聊天导出"),
    kind: str | None = typer.Option(
        None,
        "--kind",
        click_type=click.Choice(
            ["owners", "receivables", "payments", "bundle", "chats", "tickets", "claims", "wechat"]
        ),
        help="文件类型：owners 业主档案 / receivables 应收账单 / payments 缴费流水 / bundle 住户数据包(.jsonl) / "
        "chats 聊天记录 / tickets 工单 / claims 诉求 / wechat 微信聊天导出(.txt)；省略时按扩展名或表头判断",
    ),
    household: str | None = typer.Option(None, "--household", help="wechat：聊天所属住户，项目编码/房号"),
    source: str | None = typer.Option(None, "--source", help="来源系统名称（保存未识别字段时使用），默认为文件类型"),
    user: str | None = typer.Option(None, "--user", help="以该账号的权限导入：只能写入其负责的项目（省略时不限项目）"),
    database_url: str | None = typer.Option(None, "--database-url", help="数据库 URL"),
    as_json: bool = typer.Option(False, "--json", help="输出一个 JSON 对象"),
    settle: bool = typer.Option(False, "--settle", help="payments：按最早账期核销应收（应收文件未含已缴金额时使用）"),
) -> None:
    """导入账单系统导出或其他系统的住户与证据；坏行写入 <文件名>.errors.csv，好行照常入库。"""
    from app.cli.ingest_cmd import ingest_kind, run_import

    ingest = ingest_kind(file, kind)
    if ingest is not None:
        run_import(
            file, ingest, household=household, source=source, database_url=database_url, as_json=as_json, user=user
        )
        return
    from rich.table import Table

    from app.cli.common import fail, open_session, print_json
    from app.cli.ingest_cmd import import_scope
    from core.scope import ScopeError
    from data.importers import KIND_NAMES, ImportFileError, import_file

    session = open_session(database_url)
    try:
        result = import_file(session, file, kind=kind, scope=import_scope(session, user), settle=settle)
        session.commit()
    except ImportFileError as exc:
        session.rollback()
        fail(str(exc), code=2)
        return
    except ScopeError as exc:
        session.rollback()
        fail(str(exc), code=3)
        return
    finally:
        session.close()
    if as_json:
        print_json(result.to_dict())
        return
    console.print(f"[bold]导入{KIND_NAMES[result.kind]}[/bold]：{file}（{result.source}）")
    table = Table()
    table.add_column("结果")
    table.add_column("行数", justify="right")
    for label, count, style in (
        ("新增", result.inserted, "green"),
        ("更新", result.updated, "cyan"),
        ("未变化", result.unchanged, "dim"),
        ("错误", result.errors, "red"),
    ):
        table.add_row(f"[{style}]{label}[/{style}]", f"{count:,}")
    table.add_row("[bold]合计[/bold]", f"[bold]{result.rows:,}[/bold]")
    console.print(table)
    if result.error_report:
        console.print(f"[red]有 {result.errors:,} 行未导入[/red]，原因见错误报告：{result.error_report}")
    else:
        console.print("[green]全部行均已处理，没有错误。[/green]")
