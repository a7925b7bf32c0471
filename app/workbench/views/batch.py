"""夜间批处理: progress of the overnight runs (managers and administrators), the same figures as `steward batch status`."""

from __future__ import annotations

import streamlit as st

from app.services.users import Caller
from app.workbench.runtime import Runtime
from app.workers import STAGE_NAMES

ENGINE_NAMES = {"celery": "Celery worker", "process": "单进程"}
STATE_NAMES = {"running": "运行中", "done": "已完成"}


def _runs(rt: Runtime) -> list[tuple[int, str]]:
    from sqlalchemy import select

    from data.db.collections import BatchRun

    with rt.session() as s:
        rows = s.execute(
            select(BatchRun.id, BatchRun.as_of, BatchRun.engine, BatchRun.status).order_by(BatchRun.id.desc()).limit(20)
        ).all()
    return [
        (r.id, f"#{r.id} {r.as_of}（{ENGINE_NAMES.get(r.engine, r.engine)}，{STATE_NAMES.get(r.status, r.status)}）")
        for r in rows
    ]


def render(rt: Runtime, caller: Caller) -> None:
    """The chosen run's stages: a bar each with done / running / queued / failed counts."""
    from app.workers.night import batch_status

    st.header("夜间批处理")
    runs = _runs(rt)
    if not runs:
        st.info("还没有批处理记录（steward batch run）")
        return
    labels = dict(runs)
    run_id = st.selectbox("批处理", [r for r, _ in runs], format_func=labels.get)
    with rt.session() as s:
        status = batch_status(s.get_bind(), run_id)
    if status is None:
        st.warning("该批处理已不存在")
        return
    cols = st.columns(3)
    cols[0].metric("状态", STATE_NAMES.get(status["status"], status["status"]))
    cols[1].metric("运行方式", ENGINE_NAMES.get(status["engine"], status["engine"]))
    cols[2].metric("失败任务", sum(row["failed"] for row in status["stages"].values()))
    st.caption(f"开始 {status['started_at']}" + (f"，结束 {status['finished_at']}" if status["finished_at"] else ""))
    for stage, row in status["stages"].items():
        finished = row["done"] + row["skipped"] + row["failed"]
        total = row["total"] or 1
        st.progress(
            min(1.0, finished / total),
            text=f"{STAGE_NAMES.get(stage, stage)}：完成 {row['done']}/{row['total']}，运行中 {row['running']}，"
            f"排队 {row['queued']}，失败 {row['failed']}，跳过 {row['skipped']}",
        )
    if status["status"] == "running":
        st.button("刷新")
