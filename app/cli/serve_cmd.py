"""`steward serve` (the REST API) and `steward users` (accounts, roles, demo logins)."""

from __future__ import annotations

import typer

from app.cli.common import console, fail, open_session

users_app = typer.Typer(help="用户与角色管理 / Users and roles.", no_args_is_help=True)


def serve(
    port: int = typer.Option(8000, "--port", help="监听端口"),
    host: str = typer.Option("127.0.0.1", "--host", help="监听地址"),
    workers: int = typer.Option(1, "--workers", help="进程数"),
) -> None:
    """启动 REST API（OpenAPI 文档在 /docs）。."""
    import uvicorn

    console.print(f"API 文档：http://{host}:{port}/docs")
    uvicorn.run("app.api.main:create_app", factory=True, host=host, port=port, workers=workers, log_level="info")


@users_app.command("create")
def create(
    username: str = typer.Argument(..., help="用户名"),
    role: str = typer.Option(..., "--role", help="steward|manager|compliance|admin|readonly"),
    project: list[str] = typer.Option(None, "--project", help="可见项目编码，可重复；经理不填则为全部项目"),  # noqa: B008
    password: str = typer.Option(
        ..., "--password", prompt=True, hide_input=True, confirmation_prompt=True, help="密码"
    ),
    display_name: str = typer.Option("", "--name", help="显示名"),
    database_url: str = typer.Option(None, "--database-url", help="数据库 URL"),
) -> None:
    """创建或更新用户（密码以 bcrypt 哈希保存）。."""
    from app.services.users import UserError, create_user

    session = open_session(database_url)
    try:
        create_user(
            session,
            username=username,
            password=password,
            role=role,
            display_name=display_name,
            projects=list(project) if project else None,
        )
        session.commit()
    except UserError as exc:
        fail(str(exc))
    finally:
        session.close()
    console.print(f"[green]已保存用户 {username}（{role}）[/green]")


@users_app.command("seed-demo")
def seed_demo(database_url: str = typer.Option(None, "--database-url", help="数据库 URL")) -> None:
    """创建演示账号 demo / manager / compliance（密码 steward-demo），已存在则跳过。."""
    from app.services.users import DEMO_PASSWORD, UserError
    from app.services.users import seed_demo as seed

    session = open_session(database_url)
    try:
        created = seed(session)
        session.commit()
    except UserError as exc:
        fail(f"{exc}（请先生成或导入数据：steward data generate）")
        return
    finally:
        session.close()
    console.print(f"演示账号：{', '.join(created) if created else '已存在，未改动'}；密码 {DEMO_PASSWORD}")


@users_app.command("list")
def list_users(database_url: str = typer.Option(None, "--database-url", help="数据库 URL")) -> None:
    """列出用户、角色和可见项目。."""
    from rich.table import Table

    from app.services.users import ROLE_NAMES
    from app.services.users import list_users as all_users

    session = open_session(database_url)
    table = Table("用户名", "姓名", "角色", "项目", "启用")
    for u in all_users(session):
        table.add_row(
            u["username"],
            u["display_name"],
            ROLE_NAMES.get(u["role"], u["role"]),
            ",".join(u["projects"]) or "全部",
            "是" if u["active"] else "否",
        )
    session.close()
    console.print(table)


def register(app: typer.Typer) -> None:
    """Attach `steward serve` and the `steward users` group to the root app."""
    app.command("serve")(serve)
    app.add_typer(users_app, name="users")
