"""今日待办: the priority queue with project, stage and warning filters."""

from __future__ import annotations

import streamlit as st

from app.services.users import Caller
from app.workbench.components import warning_badge
from app.workbench.runtime import Runtime

STAGES = ["全部", "预警", "初级", "中级", "高级"]
WARNINGS = {"全部": None, "红色预警": "red", "黄色预警": "yellow", "正常": "green"}


def _projects(rt: Runtime, caller: Caller) -> list[str]:
    from app.services.portfolio import search_households

    if caller.scope.projects is not None:
        return sorted(caller.scope.projects)
    with rt.session() as session:
        rows = {r["project"] for r in search_households(session, caller.scope, limit=100_000)}
    return sorted(rows)


def render(rt: Runtime, caller: Caller) -> None:
    """Filters, counts of red and yellow warnings, the table and a shortcut to one household."""
    st.header("今日待办")
    c1, c2, c3 = st.columns(3)
    project = c1.selectbox("项目", ["全部", *_projects(rt, caller)], key="q_project")
    stage = c2.selectbox("阶段", STAGES, key="q_stage")
    warning = c3.selectbox("预警", list(WARNINGS), key="q_warning")
    with rt.session() as session:
        total, rows, interim = rt.queue.page(
            session,
            caller.scope,
            project=None if project == "全部" else project,
            stage=None if stage == "全部" else stage,
            warning=WARNINGS[warning],
            limit=200,
        )
        reds = rt.queue.page(session, caller.scope, warning="red", limit=0)[0]
        yellows = rt.queue.page(session, caller.scope, warning="yellow", limit=0)[0]
    m1, m2, m3 = st.columns(3)
    m1.metric("待办住户", total)
    m2.metric("🔴 红色预警", reds)
    m3.metric("🟡 黄色预警", yellows)
    st.caption("按欠费金额排序（今日尚未跑批，临时队列）" if interim else "按催缴优先级排序（夜间跑批结果）")
    table = [
        {
            "户号": r["household"],
            "房号": r["label"],
            "欠费(元)": r["arrears"],
            "逾期天数": r["days_overdue"],
            "阶段": r["stage"] or "-",
            "账龄": r["aging_bucket"] or "-",
            "预警": warning_badge(r["warning"], r["reasons"]),
            "状态": r["case_state"],
        }
        for r in rows
    ]
    st.dataframe(table, hide_index=True, use_container_width=True)
    if rows:
        choice = st.selectbox("打开住户", [r["household"] for r in rows], key="q_open")
        if st.button("查看住户详情", key="q_go"):
            st.session_state["household"] = choice
            from app.workbench.navigation import go

            go("household")
