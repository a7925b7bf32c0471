"""`steward chat`: a multi-turn conversation with the assistant about one household."""

from __future__ import annotations

import typer

from app.cli.common import console, fail


def chat(
    key: str = typer.Argument(..., help="项目编码/房号，例如 BJ-PILOT/4-1203"),
    user: str = typer.Option("steward", "--user", help="操作人"),
    message: list[str] = typer.Option(None, "--message", "-m", help="直接发送的消息（可多次；不给则进入交互模式）"),
) -> None:
    """与助手讨论某一户：欠费原因、证据、历史，或说“生成方案”“改成分期方案”。"""
    from agent.chat import build_chat_agent, chat_turn
    from agent.runner import open_checkpointer
    from app.runtime import build_agent_runtime
    from core.settings import get_settings
    from data.repositories.households import HouseholdNotFound
    from tools.evidence import EvidenceReader

    settings = get_settings()
    try:
        ctx = build_agent_runtime(settings).context(user=user)
    except Exception as exc:
        fail(f"无法启动：{exc}")
        return
    with open_checkpointer(settings) as saver, ctx.session_factory() as session:
        try:
            reader = EvidenceReader(session, key, ctx.scope, ctx.as_of)
        except (HouseholdNotFound, ValueError, PermissionError) as exc:
            fail(str(exc))
            return
        agent = build_chat_agent(ctx, reader, saver)
        thread = f"chat:{user}:{key}"
        inputs = list(message or [])
        console.print(f"[bold]与助手讨论 {key}[/bold]（输入 exit 退出）")
        while True:
            text = inputs.pop(0) if inputs else (None if message else console.input("[bold cyan]管家>[/bold cyan] "))
            if text is None or text.strip().lower() in ("exit", "quit", "退出"):
                break
            for kind, chunk in chat_turn(agent, text, thread):
                if kind == "token":
                    console.print(chunk, end="")
                elif kind == "tool_call":
                    console.print(f"\n[dim]调用工具 {chunk}[/dim]")
                elif kind == "tool_result":
                    console.print(f"[dim]  → {chunk}[/dim]")
                else:
                    console.print(f"[bold]助手：[/bold]{chunk}")
            console.print()


def register(app: typer.Typer) -> None:
    """Attach `steward chat` to the root app."""
    app.command("chat")(chat)
