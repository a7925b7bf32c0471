"""`steward settings`: the contact-policy settings in force per project, their history, and changes."""

from __future__ import annotations

from datetime import datetime

import typer

from app.cli.common import console, fail, open_session, print_json
from app.services.policy_settings import display

app = typer.Typer(help="催收策略设置：免打扰时段、节假日、联系上限（按项目，集团默认兜底；每次修改留版本和审计）。")
DB = typer.Option(None, "--database-url", help="数据库 URL")
PROJECT = typer.Option(None, "--project", help="项目编号；不填为集团默认")
SOURCES = {"default": "内置默认", "group": "集团默认", "project": "本项目"}


@app.command("show")
def show(
    project: str = PROJECT,
    as_json: bool = typer.Option(False, "--json", help="输出 JSON"),
    database_url: str = DB,
) -> None:
    """显示某项目（或集团）当前生效的设置及来源。"""
    from app.services.policy_settings import settings_in_force

    with open_session(database_url) as session:
        values = settings_in_force(session, project)
    if as_json:
        print_json({"project": project, "settings": values})
        return
    from rich.table import Table

    table = Table(title=f"{project or '集团默认'} 的催收策略设置")
    for column in ("设置项", "说明", "当前值", "来源", "版本"):
        table.add_column(column)
    for key, v in values.items():
        table.add_row(key, v["label"], display(v["value"]), SOURCES[v["source"]], str(v["version"] or "—"))
    console.print(table)


@app.command("set")
def set_(
    key: str = typer.Argument(..., help="设置项，如 quiet_end"),
    value: str = typer.Argument(..., help="新值，如 20:00；写 default 清除本级设置，恢复上一级"),
    project: str = PROJECT,
    user: str = typer.Option("admin", "--user", help="操作人（系统用户按其角色和项目权限执行）"),
    reason: str = typer.Option("", "--reason", help="修改原因（写入审计）"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON"),
    database_url: str = DB,
) -> None:
    """修改一项设置（新增一个版本并写审计），从下一次发送起生效。"""
    from app.services.policy_settings import SettingError, change
    from app.services.users import caller_for
    from core.scope import ScopeError

    with open_session(database_url) as session:
        caller = caller_for(session, user)
        role, projects = (caller.role, caller.scope.projects) if caller else ("operator", None)
        try:
            out = change(
                session,
                actor=user,
                role=role,
                projects=projects,
                project=project,
                key=key,
                raw=None if value == "default" else value,
                at=datetime.now(),
                reason=reason,
            )
        except (SettingError, ScopeError) as exc:
            fail(str(exc))
        session.commit()
    if as_json:
        print_json(out)
    else:
        console.print(f"已保存：{out['scope']} 的 {key} = {display(out['value'])}（版本 {out['version']}）")


@app.command("history")
def history(
    project: str = PROJECT,
    key: str = typer.Option(None, "--key", help="只看某一项"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON"),
    database_url: str = DB,
) -> None:
    """列出设置的修改历史（最新在前）。"""
    from app.services.policy_settings import history as rows_of

    with open_session(database_url) as session:
        rows = rows_of(session, project, key)
    if as_json:
        print_json(rows)
        return
    for r in rows:
        console.print(
            f"{r['changed_at']} {r['scope']} {r['key']} v{r['version']} = {display(r['value'])} · {r['changed_by']} {r['reason']}"
        )
