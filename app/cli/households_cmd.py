"""`steward households`: look at one household."""

from __future__ import annotations

import typer

from app.cli.common import console, fail, open_session, print_json

app = typer.Typer(no_args_is_help=True, help="住户查询 / Households.")


@app.command("show")
def show(
    key: str = typer.Argument(..., help="项目编码/房号，例如 BJ-PILOT/4-1203"),
    as_json: bool = typer.Option(False, "--json", help="输出一个 JSON 对象"),
    database_url: str | None = typer.Option(None, "--database-url", help="数据库 URL"),
) -> None:
    """显示住户：房产、账单、账龄、联系方式（已脱敏）和证据数量。"""
    from rich.table import Table

    from core.scope import SYSTEM_SCOPE
    from data.repositories.households import HouseholdNotFound, household_view

    session = open_session(database_url)
    try:
        view = household_view(session, key, scope=SYSTEM_SCOPE)
    except (HouseholdNotFound, ValueError) as exc:
        fail(str(exc))
        return
    finally:
        session.close()
    if as_json:
        print_json(view.to_dict())
        return
    console.print(
        f"[bold]{view.household}[/bold]  {view.project['name']}（{view.project['city']}） {view.unit['label']}"
    )
    console.print(
        f"业主：{view.owner['title']}  标签：{'、'.join(view.owner['tags']) or '无'}  状态：{view.case_state}"
    )
    console.print(
        f"[bold red]欠费 {view.arrears} 元[/bold red]  账龄 {view.days_overdue} 天  "
        f"阶段 {view.stage or '无欠费'}  （截至 {view.as_of}）"
    )
    table = Table(title="账单")
    for col in ("账期", "费项", "应收", "已缴", "未缴", "到期日"):
        table.add_column(col)
    for bill in view.bills:
        table.add_row(
            bill["period"], bill["fee_type"], bill["amount"], bill["paid"], bill["outstanding"], bill["due_date"]
        )
    console.print(table)
    console.print(
        "联系方式：" + "；".join(f"{c['kind']} {c['value']}{'' if c['valid'] else '（失效）'}" for c in view.contacts)
    )
    if len(view.units) > 1:
        console.print("名下房产：" + "；".join(f"{u['household']} 欠 {u['arrears']}" for u in view.units))
    ev = view.evidence
    console.print(
        f"证据：聊天 {ev['chats']} 条，工单 {ev['tickets']} 个，诉求 {ev['claims']} 个，缴费 {ev['payments']} 笔"
    )
