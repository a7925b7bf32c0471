"""策略设置: the contact-policy settings in force per project, a change form and the history (managers, admins).

The same service as `steward settings` (app.services.policy_settings): a manager changes the projects they
manage, an administrator also the group defaults; every change is a new version with its reason, audited, and
applies from the next send.
"""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from app.services.policy_settings import display
from app.services.users import Caller
from app.workbench.runtime import Runtime

GROUP_LABEL = "集团默认（所有项目）"
SOURCES = {"default": "内置默认", "group": "集团默认", "project": "本项目"}
EXAMPLES = {
    "quiet_start": "08:00",
    "quiet_end": "20:00",
    "holidays": "2024-09-16,2024-09-17",
    "daily_cap": "预警=1,中级=2",
    "weekly_cap": "3",
    "special_weekly_cap": "1",
    "project_daily_cap": "500",
}


def _projects(rt: Runtime, caller: Caller) -> list[str]:
    from sqlalchemy import select

    from data.db.models import Project

    with rt.session() as s:
        codes = s.execute(select(Project.code).order_by(Project.code)).scalars().all()
    return [c for c in codes if caller.scope.allows(c)]


def render(rt: Runtime, caller: Caller) -> None:
    """Settings in force for the chosen project (or the group), the change form and the history."""
    from app.services.policy_settings import SPECS, SettingError, change, history, settings_in_force
    from core.scope import ScopeError

    st.header("策略设置")
    st.caption(
        "免打扰时段、节假日和联系上限。项目设置优先于集团默认；每次修改保存为新版本并记入审计，下一次发送起生效。"
    )
    choices = ([GROUP_LABEL] if caller.role == "admin" else []) + _projects(rt, caller)
    if not choices:
        st.info("没有可管理的项目")
        return
    picked = st.selectbox("项目", choices, key="set_project")
    project = None if picked == GROUP_LABEL else picked
    with rt.session() as s:
        values = settings_in_force(s, project)
    st.dataframe(
        [
            {
                "设置项": v["label"],
                "当前值": display(v["value"]),
                "来源": SOURCES[v["source"]],
                "版本": v["version"] or "—",
            }
            for v in values.values()
        ],
        hide_index=True,
    )
    with st.form("set_form"):
        key = st.selectbox("修改设置项", list(SPECS), format_func=lambda k: SPECS[k].label, key="set_key")
        raw = st.text_input(
            "新值（留空则清除本级设置，恢复上一级）", key="set_value", placeholder=f"例如 {EXAMPLES[key]}"
        )
        reason = st.text_input("修改原因", key="set_reason")
        submitted = st.form_submit_button("保存")
    if submitted:
        try:
            with rt.session() as s:
                out = change(
                    s,
                    actor=caller.username,
                    role=caller.role,
                    projects=caller.scope.projects,
                    project=project,
                    key=key,
                    raw=raw.strip() or None,
                    at=datetime.now(),
                    reason=reason.strip(),
                )
                s.commit()
        except (SettingError, ScopeError) as exc:
            st.error(str(exc))
        else:
            st.success(f"已保存：{SPECS[key].label} = {display(out['value'])}（版本 {out['version']}）")
    with rt.session() as s:
        rows = history(s, project)
    if rows:
        st.subheader("修改历史")
        st.dataframe(
            [
                {
                    "时间": r["changed_at"].replace("T", " ")[:16],
                    "设置项": SPECS[r["key"]].label if r["key"] in SPECS else r["key"],
                    "版本": r["version"],
                    "值": display(r["value"]),
                    "修改人": r["changed_by"],
                    "原因": r["reason"],
                }
                for r in rows
            ],
            hide_index=True,
        )
