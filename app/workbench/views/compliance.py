"""合规审查: template review with sensitive-word hints, a free-text checker, audit search and CSV export."""

from __future__ import annotations

from datetime import datetime, time

import streamlit as st

from app.services.users import Caller
from app.workbench.components import inert
from app.workbench.runtime import Runtime


def _templates() -> None:
    from app.services.template_review import review_templates

    reviews = review_templates()
    flagged = [r for r in reviews if not r["passed"]]
    st.subheader(f"话术模板审查（{len(reviews)} 个，{len(flagged)} 个有提示）")
    for r in reviews:
        icon = "✅" if r["passed"] else "⚠️"
        with st.expander(f"{icon} {r['name']}（{r['id']}，{'/'.join(r['stages'])}，{r['channel']}）"):
            st.write(r["sample"])
            for h in r["hints"]:
                st.warning(inert(f"[{h['stage']}] {h['message']}：「{h['excerpt']}」 建议：{h['hint']}"))


def _checker() -> None:
    from app.services.template_review import check_text

    st.subheader("文案敏感词检查")
    text = st.text_area("待检查文案", key="chk_text")
    stage = st.selectbox("阶段", ["预警", "初级", "中级", "高级"], key="chk_stage")
    if st.button("检查", key="chk_go") and text.strip():
        hints = check_text(text, stage=stage)
        if not hints:
            st.success("未发现问题")
        for h in hints:
            st.warning(inert(f"{h['message']}：「{h['excerpt']}」 建议：{h['hint']}"))


def _audit(rt: Runtime, caller: Caller) -> None:
    from app.services import audit_log
    from data.repositories import audit

    st.subheader("审计日志")
    c1, c2, c3, c4 = st.columns(4)
    actor = c1.text_input("操作人", key="a_actor")
    action = c2.text_input("动作前缀（如 plan. 或 pii.reveal）", key="a_action")
    since = c3.date_input("起始日期", value=None, key="a_since")
    until = c4.date_input("截止日期", value=None, key="a_until")
    with rt.session() as session:
        events = audit_log.search(
            session,
            actor=actor or None,
            action=action or None,
            since=datetime.combine(since, time()) if since else None,
            until=datetime.combine(until, time.max) if until else None,
            limit=1000,
        )
    st.dataframe(
        [
            {
                "时间": e["at"],
                "操作人": e["actor"],
                "动作": e["action"],
                "对象": f"{e['entity']}:{e['entity_id']}",
                "详情": str(e["detail"]),
            }
            for e in events
        ],
        hide_index=True,
        use_container_width=True,
    )

    def exported() -> None:
        with rt.session() as session:
            audit.record(session, actor=caller.username, action="audit.export", detail={"rows": len(events)})

    st.download_button(
        "导出 CSV", audit_log.to_csv(events), file_name="audit.csv", mime="text/csv", on_click=exported, key="a_export"
    )


def render(rt: Runtime, caller: Caller) -> None:
    """The compliance page."""
    st.header("合规审查")
    _templates()
    _checker()
    if caller.can_audit:
        _audit(rt, caller)
