"""`steward queue`: today's priority queue, one entry per owner."""

from __future__ import annotations

from datetime import date

import typer

from app.cli.common import console, fail, print_json

WARNING_STYLE = {"red": "[red]● 红[/red]", "yellow": "[yellow]● 黄[/yellow]", "green": "[green]● 绿[/green]"}


def queue(
    day: str | None = typer.Option(None, "--date", help="队列日期（默认取业务日期）"),
    project: str | None = typer.Option(None, "--project", help="只看该项目，例如 BJ-PILOT"),
    limit: int | None = typer.Option(None, "--limit", min=1, help="最多显示多少户"),
    database_url: str | None = typer.Option(None, "--database-url", help="数据库 URL"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON 列表（按 priority 排序）"),
) -> None:
    """今日待办队列：金额影响 × 成功概率 × 紧急度；已排除退订、黑名单、异议、承诺未到期与服务优先户。"""
    from app.cli.common import database_url as resolve_url
    from app.services.collections.queue_service import daily_queue
    from core.settings import get_settings
    from data.db.session import init_db, make_session_factory
    from data.repositories.households import business_date

    settings = get_settings()
    engine = init_db(resolve_url(database_url))
    try:
        override = date.fromisoformat(day) if day else settings.as_of
    except ValueError:
        fail(f"日期格式应为 YYYY-MM-DD：{day}")
        return
    with make_session_factory(engine)() as session:
        today = business_date(session, override)
    with console.status("计算队列…"):
        entries = daily_queue(engine, today, project=project, limit=limit, var_dir=settings.var_dir)
    if as_json:
        print_json([e.to_dict() for e in entries])
        return
    render(entries, today, limit or 50)


def render(entries: list, today: date, shown: int) -> None:
    """Rich table of the first ``shown`` entries."""
    from rich.table import Table

    from app.services.collections.queue_service import segment_label

    table = Table(title=f"{today.isoformat()} 待办队列（共 {len(entries):,} 户）", show_lines=True)
    for col in ("#", "住户", "预警", "优先级", "欠费(元)", "阶段", "30天缴费概率", "人群", "原因"):
        table.add_column(col)
    for n, e in enumerate(entries[:shown], 1):
        table.add_row(
            str(n),
            e.household,
            WARNING_STYLE[e.warning],
            f"{e.priority:.3f}",
            e.owner_arrears,
            e.stage or "-",
            f"{e.risk_score:.0%}",
            segment_label(e.segment),
            "\n".join(e.reasons),
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    """Attach `steward queue` to the root app."""
    app.command("queue")(queue)
