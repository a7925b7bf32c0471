"""Run the plan graph for one household: build context, checkpointer, stream progress, resume."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from langgraph.types import Command

from agent.context import AgentContext
from core.settings import Settings

NODE_LABELS = {
    "gather": "读取证据",
    "retrieve": "检索原因知识库",
    "diagnose": "诊断欠费原因",
    "plan": "制定方案并撰写话术",
    "validate": "合规校验",
    "revise": "按校验意见修改",
    "fallback": "改用合规模板",
    "persist": "保存方案",
    "approve": "等待管家审批",
}


@contextmanager
def open_checkpointer(settings: Settings) -> Iterator[Any]:
    """SQLite checkpointer in var/ by default; PostgreSQL when the database is PostgreSQL."""
    url = settings.resolved_database_url
    if url.startswith("postgresql"):
        from langgraph.checkpoint.postgres import PostgresSaver

        conn = url.replace("postgresql+psycopg://", "postgresql://")
        with PostgresSaver.from_conn_string(conn) as saver:
            saver.setup()
            yield saver
        return
    from langgraph.checkpoint.sqlite import SqliteSaver

    path = Path(settings.var_dir) / "checkpoints.sqlite"
    path.parent.mkdir(parents=True, exist_ok=True)
    with SqliteSaver.from_conn_string(str(path)) as saver:
        yield saver


OnEarly = Callable[[str, dict], None]
"""Called with ("candidates", {...}) after retrieval and ("diagnosis", {...}) after diagnosis, before the plan."""


def run_plan(
    graph: Any,
    ctx: AgentContext,
    household: str,
    *,
    thread_id: str | None = None,
    on_node: Callable[[str], None] | None = None,
    on_early: OnEarly | None = None,
    cause_pick: str | None = None,
    corrected_from: str | None = None,
) -> dict:
    """Run to the approval interrupt (or the end) and return the final state values.

    ``on_node`` hears each finished step; ``on_early`` gets what can be shown before the plan is complete.
    ``cause_pick`` is the steward's choice of cause (the diagnosis follows it; ``corrected_from`` is the cause
    it replaces).
    """
    from agent.output import early_update

    thread_id = thread_id or f"plan:{household}:{uuid.uuid4().hex[:8]}"
    config = {"configurable": {"thread_id": thread_id}}
    start: dict = {"household": household, "thread_id": thread_id}
    if cause_pick:
        start |= {"cause_pick": cause_pick, "corrected_from": corrected_from or ""}
    for chunk in graph.stream(start, config, context=ctx, stream_mode="updates"):
        for node, update in chunk.items():
            if on_node and node in NODE_LABELS:
                on_node(node)
            if on_early and isinstance(update, dict) and (early := early_update(node, update, ctx.kb)):
                on_early(*early)
    return graph.get_state(config).values | {"thread_id": thread_id}


def resume(
    graph: Any, ctx: AgentContext, thread_id: str, decision: dict, on_node: Callable[[str], None] | None = None
) -> dict:
    """Resume a paused run with the steward's decision."""
    config = {"configurable": {"thread_id": thread_id}}
    for chunk in graph.stream(Command(resume=decision), config, context=ctx, stream_mode="updates"):
        for node in chunk:
            if on_node and node in NODE_LABELS:
                on_node(node)
    return graph.get_state(config).values | {"thread_id": thread_id}
