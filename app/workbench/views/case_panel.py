"""案件处理: the case state and why, and the steward's actions on the household page.

Log a contact, record a promise or a payment, resolve a dispute, decide an instalment, blacklist (managers), send
an approved step now — each through the same case-event service as the API and the CLI.
"""

from __future__ import annotations

from datetime import date, datetime

import streamlit as st

from app.services.users import Caller
from app.workbench.components import md_escape, yuan_cents
from app.workbench.runtime import Runtime

OUTCOMES = {
    "answered": "已接通",
    "no_answer": "未接通",
    "refused": "拒绝沟通",
    "visited": "已上门",
    "wrong_number": "号码错误",
}
CHANNELS = {"phone": "电话", "visit": "上门", "wechat": "微信", "sms": "短信"}


def _do(rt: Runtime, caller: Caller, key: str, kind: str, **kw) -> None:
    """Record one event and show the result (refusals in Chinese)."""
    from app.services.casework import CaseConflict
    from app.services.collections import case_events
    from core.domain.collections.cases import IllegalTransition

    actor = case_events.Actor(caller.username, caller.role, caller.scope)
    try:
        with rt.session() as session:
            out = case_events.record(session, actor, key, kind, at=datetime.now().replace(microsecond=0), **kw)
    except (CaseConflict, IllegalTransition, ValueError, case_events.EventRefused) as exc:
        st.session_state[f"case_msg_{key}"] = ("error", str(exc))
        st.rerun()
    rt.queue.clear()
    move = f"{out['from_state']} → {out['to_state']}" if out["from_state"] != out["to_state"] else out["to_state"]
    st.session_state[f"case_msg_{key}"] = ("success", f"已登记{out['name']}，案件状态：{move}")
    st.rerun()


def _send_now(rt: Runtime, caller: Caller, key: str, step_id: int) -> None:
    from app.services.bill_links import send_links
    from app.services.collections.dispatch import send_step_now

    try:
        with rt.session() as session:
            result = send_step_now(
                session,
                caller.scope,
                key,
                step_id,
                actor=caller.username,
                at=datetime.now().replace(microsecond=0),
                policy=None,
                link_for=send_links(rt.settings),
            )
    except LookupError as exc:
        st.session_state[f"case_msg_{key}"] = ("error", str(exc))
        return
    if result.status == "sent":
        st.session_state[f"case_msg_{key}"] = ("success", f"已通过{result.channel}发送")
    elif result.status == "duplicate":
        st.session_state[f"case_msg_{key}"] = ("info", result.reason)
    else:
        st.session_state[f"case_msg_{key}"] = ("error", f"未发送：{result.reason or '所有渠道均未送达'}")


def render_case_panel(rt: Runtime, caller: Caller, key: str) -> None:
    """The case box of the household page."""
    from app.services.collections.case_events import case_view

    with rt.session() as session:
        view = case_view(session, caller.scope, key)
    st.markdown(
        f"**案件状态：** {view['state']}　**待缴：** {view['arrears']} 元　**下一步：** {md_escape(view['why'])}"
    )
    message = st.session_state.pop(f"case_msg_{key}", None)
    if message:
        getattr(st, message[0])(message[1])
    if not caller.can_write:
        return
    with st.expander("案件处理", expanded=False):
        tabs = st.tabs(["登记联系", "还款承诺", "登记缴费", "异议", "分期", "立即发送", "减免", "黑名单"])
        with tabs[0], st.form(f"contact_{key}"):
            channel = st.selectbox("渠道", list(CHANNELS), format_func=CHANNELS.get, key=f"c_channel_{key}")
            outcome = st.selectbox("结果", list(OUTCOMES), format_func=OUTCOMES.get, key=f"c_outcome_{key}")
            note = st.text_area("记录", key=f"c_note_{key}", max_chars=500)
            if st.form_submit_button("保存联系记录"):
                _do(rt, caller, key, "contact", channel=channel, outcome=outcome, note=note)
        with tabs[1], st.form(f"promise_{key}"):
            when = st.date_input("承诺缴费日期", key=f"p_date_{key}", value=date.fromisoformat(view["as_of"]))
            amount = st.text_input("承诺金额（元，留空为全部欠费）", key=f"p_amount_{key}")
            if st.form_submit_button("记录承诺"):
                _do(
                    rt,
                    caller,
                    key,
                    "promise_made",
                    promised_date=when,
                    amount_cents=yuan_cents(amount) if amount.strip() else None,
                )
        with tabs[2], st.form(f"payment_{key}"):
            amount = st.text_input("金额（元）", key=f"pay_amount_{key}")
            channel = st.selectbox("方式", ["现金", "银行转账", "POS", "微信", "支付宝"], key=f"pay_channel_{key}")
            ref = st.text_input("流水号（可选，重复登记不重复入账）", key=f"pay_ref_{key}")
            if st.form_submit_button("登记缴费"):
                cents = yuan_cents(amount)
                if cents is None:
                    st.session_state[f"case_msg_{key}"] = ("error", "请填写大于 0 的金额")
                    st.rerun()
                else:
                    _do(rt, caller, key, "payment", amount_cents=cents, channel=channel, ref=ref.strip() or None)
        with tabs[3], st.form(f"dispute_{key}"):
            dispute = view["dispute"]
            st.caption(f"当前异议：{dispute['status']}（{dispute['note']}）" if dispute else "暂无异议")
            verdict = st.radio(
                "处理",
                ["dispute_resolved", "dispute_rejected"],
                key=f"d_kind_{key}",
                format_func={"dispute_resolved": "已解决", "dispute_rejected": "异议不成立"}.get,
            )
            reason = st.text_area("处理结果 / 理由（业主可见）", key=f"d_reason_{key}", max_chars=500)
            if st.form_submit_button("提交处理结果"):
                _do(rt, caller, key, verdict, reason=reason)
        with tabs[4], st.form(f"instalment_{key}"):
            inst = view["instalment"]
            st.caption(f"当前分期：{inst['status']}，{inst['months']} 期" if inst else "暂无分期申请")
            decision = st.radio(
                "决定",
                ["instalment_approved", "instalment_declined"],
                key=f"i_kind_{key}",
                format_func={"instalment_approved": "批准", "instalment_declined": "不批准"}.get,
            )
            months = st.number_input(
                "期数", min_value=1, max_value=12, value=inst["months"] if inst else 3, key=f"i_months_{key}"
            )
            start = st.date_input("首期日期", key=f"i_start_{key}", value=date.fromisoformat(view["as_of"]))
            reason = st.text_area("说明（业主可见）", key=f"i_reason_{key}", max_chars=500)
            if st.form_submit_button("提交分期决定"):
                kw = {"months": int(months), "start_date": start} if decision == "instalment_approved" else {}
                _do(rt, caller, key, decision, reason=reason, **kw)
        with tabs[5]:
            _send_tab(rt, caller, key, view)
        with tabs[6]:
            _reduction_tab(rt, caller, key)
        with tabs[7]:
            if caller.role not in ("manager", "admin"):
                st.caption("黑名单由经理调整")
            else:
                with st.form(f"blacklist_{key}"):
                    action = st.radio(
                        "操作",
                        ["blacklist_added", "blacklist_removed"],
                        key=f"b_kind_{key}",
                        format_func={"blacklist_added": "加入黑名单", "blacklist_removed": "移出黑名单"}.get,
                    )
                    reason = st.text_input("原因", key=f"b_reason_{key}")
                    if st.form_submit_button("提交"):
                        _do(rt, caller, key, action, reason=reason)


def _reduction_tab(rt: Runtime, caller: Caller, key: str) -> None:
    if caller.role not in ("manager", "admin"):
        st.caption("减免由经理审批")
        return
    with st.form(f"reduction_{key}"):
        decision = st.radio(
            "决定",
            ["reduction_approved", "reduction_declined"],
            key=f"r_kind_{key}",
            format_func={"reduction_approved": "批准减免", "reduction_declined": "不批准"}.get,
        )
        amount = st.text_input("减免金额（元，按最早账期冲减）", key=f"r_amount_{key}")
        reason = st.text_area("理由（业主可见）", key=f"r_reason_{key}", max_chars=500)
        if st.form_submit_button("提交减免决定"):
            _do(
                rt,
                caller,
                key,
                decision,
                reason=reason,
                amount_cents=yuan_cents(amount) if decision == "reduction_approved" else None,
            )


def _send_tab(rt: Runtime, caller: Caller, key: str, view: dict) -> None:
    from data.repositories import cases as case_repo
    from data.repositories.households import find_unit

    with rt.session() as session:
        plan = case_repo.newest_approved_plan(session, find_unit(session, key).id)
        steps = [(s.id, f"第 {s.seq} 步 {s.day} {s.channel} {s.action}") for s in plan.steps] if plan else []
    if not steps:
        st.caption("没有已批准的方案")
        return
    labels = dict(steps)
    step_id = st.selectbox("已批准方案的步骤", list(labels), format_func=labels.get, key=f"send_step_{key}")
    st.caption("发送前会按最新案件状态与触达规则检查（已缴清、异议、承诺未到期、分期履约、退订、时段、频次）")
    if st.button("立即发送", key=f"send_now_{key}"):
        _send_now(rt, caller, key, int(step_id))
        st.rerun()
