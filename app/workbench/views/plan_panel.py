"""One-click plan on the household page: streamed progress, diagnosis with citations, validation, decisions."""

from __future__ import annotations

import streamlit as st

from app.services.users import Caller
from app.workbench.components import anchor_id, inert
from app.workbench.runtime import Runtime
from core.domain.collections.pay_link import PAY_LINK_SHOWN, PAY_LINK_TOKEN, has_pay_link, show_pay_link
from core.domain.plan_status import PLAN_STATUS_NAMES

STATUS_ICONS = {
    "awaiting_approval": "⏳",
    "approved": "✅",
    "ignored": "⛔",
    "rejected": "⛔",
    "blocked": "🚫",
    "superseded": "🗂️",
}
STATUS = {status: f"{icon} {PLAN_STATUS_NAMES[status]}" for status, icon in STATUS_ICONS.items()}


def _state_key(household: str) -> str:
    return f"plan:{household}"


def _generate(rt: Runtime, caller: Caller, household: str, cause_pick: str | None = None) -> None:
    from agent.runner import NODE_LABELS

    with st.status("正在生成方案…", expanded=True) as status:

        def on_node(node: str) -> None:
            status.update(label=f"{NODE_LABELS[node]}…")
            status.write(f"✔ {NODE_LABELS[node]}")

        def on_early(kind: str, data: dict) -> None:
            # Shown while the messages are still being written.
            if kind == "candidates":
                names = "、".join(inert(c["name"]) for c in data["candidates"])
                status.write(f"检索到的可能原因：{names}")
            elif kind == "diagnosis":
                cause = data.get("primary_cause") or {}
                status.update(label="已诊断，正在撰写话术…")
                status.markdown(
                    f"**诊断：{inert(cause.get('name', '-'))}**（把握 {inert(data.get('confidence'))}）"
                    f"　{inert(data.get('explanation', ''))}"
                )

        try:
            result = rt.plans().generate(
                caller.scope,
                household,
                on_node=on_node,
                on_early=on_early,
                **({"cause_pick": cause_pick} if cause_pick else {}),
            )
        except Exception as exc:  # shown to the steward; the log has the trace
            status.update(label="生成失败", state="error")
            st.error(f"方案生成失败：{inert(exc)}")
            return
        status.update(label="方案已生成，等待审批", state="complete", expanded=False)
    st.session_state[_state_key(household)] = result


def _decide(rt: Runtime, caller: Caller, household: str, plan_id: int, **decision: object) -> None:
    from agent.nodes.approve import ApprovalDecision
    from data.repositories.plans import PlanConflict, PlanNotApprovable

    try:
        with rt.session() as session:
            result = rt.plans().decide(
                session, caller.scope, plan_id, ApprovalDecision(user=caller.username, **decision)
            )
    except (PlanConflict, PlanNotApprovable) as exc:
        st.error(inert(exc))
        return
    previous = st.session_state.get(_state_key(household)) or {}
    st.session_state[_state_key(household)] = previous | {k: v for k, v in result.items() if v is not None}
    st.rerun()


def _citations(diag: dict, evidence: dict) -> None:
    texts = {m["id"]: f"{m['speaker']}：{m['text']}" for m in evidence["chats"]}
    texts |= {t["id"]: t["description"] for t in evidence["tickets"]}
    texts |= {c["id"]: "；".join(c["items"]) for c in evidence["claims"]}
    texts |= {p["id"]: f"缴费 {p['amount']}元" for p in evidence["payments"]}
    for cit in diag.get("citations", []):
        links = "、".join(f"[{inert(e)}](#{anchor_id(e)})" for e in cit["evidence_ids"])
        st.markdown(f"引用 {inert(cit['cause_id'])} ← {links}")
        for eid in cit["evidence_ids"]:
            with st.expander(f"证据 {inert(eid)}"):
                st.markdown(inert(texts.get(eid, "（见证据时间线）"), lines=True))


def _cause_name(cause_id: str) -> str:
    from knowledge_base.catalog import load_causes

    return next((c.name for c in load_causes() if c.id == cause_id), cause_id)


def _choose_cause(rt: Runtime, caller: Caller, household: str, diag: dict) -> None:
    """An unsure diagnosis: the steward picks the cause and the plan is drafted again for it (no model call)."""
    from knowledge_base.catalog import load_causes

    st.warning("诊断把握不高：请对照证据确认主要原因。选定后方案按所选原因重新生成，并记为对本次诊断的更正。")
    primary = (diag.get("primary_cause") or {}).get("id")
    leading = [c for c in diag.get("secondary_causes", []) if c.get("id") and c["id"] != primary]
    columns = st.columns(len(leading) + 1)
    for column, cause in zip(columns, leading, strict=False):
        if column.button(f"改按“{cause['name']}”生成", key=f"pick_{household}_{cause['id']}"):
            _generate(rt, caller, household, cause_pick=cause["id"])
            st.rerun()
    names = {c.id: f"{c.name}（{c.dimension}）" for c in load_causes()}
    with columns[-1].form(f"pick_other_{household}"):
        other = st.selectbox("其他原因", list(names), format_func=names.get, key=f"pick_any_{household}")
        if st.form_submit_button("按所选原因生成"):
            _generate(rt, caller, household, cause_pick=other)
            st.rerun()


def _validation(result: dict) -> None:
    val = result.get("validation") or {}
    if val.get("passed"):
        st.success("合规校验通过")
        return
    st.error(f"合规校验未通过：{len(val.get('failures', []))} 项")
    st.dataframe(
        [
            {"步骤": f["step_id"], "规则": f["rule"], "原文": f["excerpt"], "说明": f["message"], "建议": f["hint"]}
            for f in val.get("failures", [])
        ],
        hide_index=True,
    )


def _steps(result: dict) -> list[dict]:
    return (result.get("plan") or {}).get("steps", [])


def _show(rt: Runtime, caller: Caller, household: str, result: dict, evidence: dict) -> None:
    diag, plan = result.get("diagnosis") or {}, result.get("plan") or {}
    cause = diag.get("primary_cause") or {}
    st.markdown(
        f"#### 诊断：{inert(cause.get('name', '-'))}（{inert(cause.get('dimension', ''))}/"
        f"{inert(cause.get('category', ''))}，把握 {inert(diag.get('confidence'))}）"
    )
    st.markdown(inert(diag.get("explanation", ""), lines=True))
    _citations(diag, evidence)
    if diag.get("corrected_from"):
        st.caption(f"管家更正：原诊断为 {inert(_cause_name(diag['corrected_from']))}")
    if diag.get("unsure") and caller.can_write and result.get("status") == "awaiting_approval":
        _choose_cause(rt, caller, household, diag)
    st.markdown(
        f"**阶段：** {inert(plan.get('stage'))}　**策略：** {inert(plan.get('strategy_label'))}"
        f"　**欠费：** {inert(plan.get('arrears'))} 元"
    )
    for note in plan.get("notes", []):
        st.caption(f"· {inert(note)}")
    st.dataframe(
        [
            {
                "#": s["seq"],
                "日期": s["date"],
                "时段": "-".join(s["window"]),
                "渠道": s["channel"],
                "负责人": s["role_name"],
                "动作": s["action"],
                "话术": show_pay_link(s["message"]),
                "缴费链接": "发送时附专属缴费链接" if has_pay_link(s["message"]) else "",
            }
            for s in _steps(result)
        ],
        hide_index=True,
        use_container_width=True,
    )
    if any(has_pay_link(s["message"]) for s in _steps(result)):
        st.caption(
            f"话术中的 {inert(PAY_LINK_SHOWN)} 在发送时替换为该户专属的签名缴费链接（可随时作废）；"
            f"修改话术时请保留 {inert(PAY_LINK_TOKEN)}，不要填写网址。"
        )
    _validation(result)
    status = result.get("status")
    st.markdown(f"**状态：** {STATUS.get(status, status)}")
    if status != "awaiting_approval" or not caller.can_write:
        return
    plan_id = result["plan_id"]
    with st.form(f"edit_{plan_id}"):
        edits = {
            s["seq"]: st.text_area(
                f"第 {s['seq']} 步话术（{s['channel']}）", s["message"], key=f"e_{plan_id}_{s['seq']}"
            )
            for s in _steps(result)
            if s.get("outgoing")
        }
        if st.form_submit_button("保存修改并重新校验"):
            changed = {
                seq: text
                for seq, text in edits.items()
                if text != next(s["message"] for s in _steps(result) if s["seq"] == seq)
            }
            if changed:
                _decide(rt, caller, household, plan_id, action="edit", edits=changed)
    c1, c2 = st.columns(2)
    if c1.button("✅ 批准方案", key=f"approve_{plan_id}", type="primary"):
        _decide(rt, caller, household, plan_id, action="accept")
    if c2.button("⛔ 驳回", key=f"reject_{plan_id}"):
        _decide(rt, caller, household, plan_id, action="ignore")


def _stored_draft(rt: Runtime, caller: Caller, household: str) -> dict | None:
    """The plan awaiting approval that is already saved (drafted overnight or earlier), if any."""
    from app.services import casework
    from app.services.plan_runs import pending_draft
    from knowledge_base.catalog import load_causes

    with rt.session() as session:
        unit = casework.scoped_unit(session, caller.scope, household)
        return pending_draft(session, unit, {c.id: c for c in load_causes()})


def _provenance(result: dict) -> None:
    drafted = result.get("drafted") or {}
    who = "🌙 夜间批处理预生成" if drafted.get("by") == "batch" else "此前生成"
    st.info(f"{who}于 {inert(drafted.get('at'))}，依据的证据指纹 {inert(drafted.get('fingerprint') or '-')}。")
    if result.get("evidence_changed"):
        st.warning("该户证据在方案生成后有变化（新的聊天、工单或缴费），建议点击“一键生成方案”重新生成。")


def render_plan_panel(rt: Runtime, caller: Caller, household: str, evidence: dict) -> None:
    """Generate button, then the current plan with its decisions (a saved draft shows at once)."""
    st.markdown("### 催费方案")
    if caller.can_write and st.button("⚡ 一键生成方案", key=f"gen_{household}"):
        _generate(rt, caller, household)
    result = st.session_state.get(_state_key(household))
    if not result and (result := _stored_draft(rt, caller, household)):
        _provenance(result)
    if result:
        _show(rt, caller, household, result, evidence)
    else:
        st.caption("尚未生成方案。方案须经管家审批后才会执行。")
