"""住户详情: the three first-screen facts, tags, reachability, history, evidence timeline and the plan."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from app.services.users import Caller
from app.workbench.components import STAGE_ADVICE, anchor_id, inert, lights, safe_html
from app.workbench.runtime import Runtime

DEFAULT = "BJ-PILOT/4-1203"


def _load(rt: Runtime, caller: Caller, key: str) -> dict | None:
    from app.services import casework
    from app.services.plan_runs import list_plans
    from core.scope import ScopeError
    from data.repositories.households import HouseholdNotFound, household_view
    from tools.evidence import EvidenceReader

    try:
        with rt.session() as session:
            unit = casework.scoped_unit(session, caller.scope, key)
            reader = EvidenceReader(session, key, caller.scope)
            return {
                "view": household_view(session, key, scope=caller.scope).to_dict(),
                "lights": casework.reachability(session, unit),
                "attempts": casework.list_attempts(session, unit),
                "promises": casework.list_promises(session, unit),
                "instalments": casework.list_instalments(session, unit),
                "disputes": casework.list_disputes(session, unit),
                "plans": list_plans(session, unit),
                "evidence": {
                    "chats": reader.chats(0, 500)["messages"],
                    "tickets": reader.tickets(),
                    "claims": reader.claims(),
                    "payments": reader.payments()["records"],
                    "contacts": reader.contact_history(),
                },
            }
    except (HouseholdNotFound, ScopeError, ValueError):
        return None


def _facts(data: dict) -> None:
    view = data["view"]
    latest = data["plans"][0] if data["plans"] else None
    # Once a plan exists its strategy is the recommendation (e.g. 服务优先 pauses forced collection).
    if latest and latest["summary"]:
        headline, _, detail = latest["summary"].partition("：")
        recommendation, advice = headline, f"{view['stage'] or ''}阶段 · {detail}".strip(" ·")
    else:
        recommendation, advice = view["stage"] or "无需催缴", STAGE_ADVICE.get(view["stage"], "")
    st.subheader(
        f"{inert(view['project']['name'])} · {inert(view['unit']['label'])}"
        f"（{inert(view['owner']['title']) or '业主'}）"
    )
    c1, c2, c3 = st.columns(3)
    c1.metric("欠费金额", f"¥{view['arrears']}", help=inert("、".join(view["unpaid_periods"])))
    c2.metric("账龄", f"{view['days_overdue']} 天", view["aging_bucket"] or "无欠费", delta_color="off")
    c3.metric("建议", recommendation, advice, delta_color="off")
    tags = view["owner"]["tags"]
    st.markdown(
        "**标签：** "
        + ("、".join(inert(t) for t in tags) if tags else "无")
        + f"　**案件状态：** {inert(view['case_state'])}"
    )


def _contacts(rt: Runtime, caller: Caller, key: str, data: dict) -> None:
    from app.services import casework
    from app.services.audit_log import reveal_contacts

    masked = "；".join(
        f"{c['kind']} {c['value']}" + ("" if c["valid"] else "（无效）") for c in data["view"]["contacts"]
    )
    st.markdown(f"**联系方式（已脱敏）：** {inert(masked) or '无'}")
    lights(data["lights"])
    if not caller.can_write:
        return
    with st.popover("查看完整联系方式"):
        reason = st.text_input("查看原因（将记录审计）", key=f"reveal_reason_{key}")
        if st.button("确认查看", key=f"reveal_{key}", disabled=len(reason.strip()) < 2):
            with rt.session() as session:
                unit = casework.scoped_unit(session, caller.scope, key)
                shown = reveal_contacts(session, unit, actor=caller.username, reason=reason, at=datetime.now())
            st.warning(
                "仅本次显示，刷新后自动隐藏："
                + inert(shown["name"])
                + "；"
                + "；".join(inert(f"{c['kind']} {c['value']}") for c in shown["contacts"])
            )


def _history(data: dict) -> None:
    t1, t2, t3, t4 = st.tabs(["触达记录", "承诺与分期", "异议", "证据时间线"])
    with t1:
        st.dataframe(data["attempts"] or [{"提示": "暂无触达记录"}], hide_index=True, use_container_width=True)
    with t2:
        st.dataframe(data["promises"] or [{"提示": "暂无还款承诺"}], hide_index=True, use_container_width=True)
        st.dataframe(data["instalments"] or [{"提示": "暂无分期"}], hide_index=True, use_container_width=True)
    with t3:
        st.dataframe(data["disputes"] or [{"提示": "暂无异议"}], hide_index=True, use_container_width=True)
    with t4:
        evidence_timeline(data["evidence"])


def evidence_timeline(evidence: dict) -> None:
    """Every evidence item with an HTML anchor so citations can link to it; the owner's text is shown literally."""
    items = [(m["time"], m["id"], f"{m['speaker']}：{m['text']}") for m in evidence["chats"]]
    items += [
        (t["created"], t["id"], f"工单［{t['type']}/{t['status']}］{t['description']}") for t in evidence["tickets"]
    ]
    items += [
        ((c["records"] or [{"time": ""}])[0]["time"], c["id"], f"诉求［{c['type']}］{'；'.join(c['items'])}")
        for c in evidence["claims"]
    ]
    items += [
        (p["paid_at"], p["id"], f"缴费 {p['period']} {p['amount']}元（{p['channel']}）") for p in evidence["payments"]
    ]
    for time, eid, text in sorted(items, key=lambda x: x[0] or ""):
        st.markdown(
            safe_html(f'<a id="{anchor_id(eid)}"></a><code>{inert(eid)}</code> {inert(time or "")}　{inert(text)}'),
            unsafe_allow_html=True,
        )


def render(rt: Runtime, caller: Caller) -> None:
    """The household page."""
    from app.workbench.views.case_panel import render_case_panel
    from app.workbench.views.chat import render_chat_area
    from app.workbench.views.plan_panel import render_plan_panel

    st.header("住户详情")
    with st.form("open_household"):
        key = st.text_input("户号（项目编码/房号）", value=st.session_state.get("household", DEFAULT), key="hh_key")
        st.form_submit_button("打开")
    key = key.strip()
    st.session_state["household"] = key
    data = _load(rt, caller, key)
    if data is None:
        st.error(f"未找到住户 {key} 或无权访问")
        return
    _facts(data)
    render_case_panel(rt, caller, key)
    _contacts(rt, caller, key, data)
    render_plan_panel(rt, caller, key, data["evidence"])
    render_chat_area(rt, caller, key)
    _history(data)
