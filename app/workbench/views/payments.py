"""对账与退款: the daily reconciliation report and refunds of paid orders (managers and administrators).

The report is the API's (payments.reconciliation_report); a refund goes through payments.refund_order with the
caller's rights, like POST /payments/orders/<no>/refund. Compliance reviewers may read the report, not refund.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import streamlit as st

from app.services.users import Caller
from app.workbench.components import inert, yuan_cents
from app.workbench.runtime import Runtime

MESSAGE_KEY = "refund_msg"


def _summary(report: dict) -> None:
    s = report["summary"]
    cols = st.columns(4)
    cols[0].metric("支付订单", s["orders"])
    cols[1].metric("已支付", s["paid"])
    cols[2].metric("已对平", s["matched"])
    cols[3].metric("不一致", s["mismatches"])
    st.caption(f"当日实收 {s['paid_amount']} 元，已退款 {s['refunded_amount']} 元（金额以支付订单为准）")


def _orders(report: dict) -> None:
    st.subheader("当日订单")
    if not report["orders"]:
        st.info("当日没有支付订单")
        return
    st.dataframe(
        [
            {
                "订单号": o["order_no"],
                "户号": o["household"],
                "金额(元)": o["amount"],
                "状态": o["status"],
                "支付时间": o["paid_at"],
                "已退款(元)": o["refunded"],
                "对账结果": o["result"],
            }
            for o in report["orders"]
        ],
        hide_index=True,
        width="stretch",
    )


def _mismatches(report: dict) -> None:
    st.subheader("不一致记录")
    rows = report["mismatches"]
    if not rows:
        st.success("当日订单、支付通知与入账核销全部一致")
        return
    counts = pd.Series([m["name"] for m in rows]).value_counts()
    st.bar_chart(pd.DataFrame({"类型": counts.index, "条数": counts.values}).set_index("类型"))
    st.dataframe(
        [{"类型": m["name"], "单号": m["ref"], "原因": m["reason"]} for m in rows],
        hide_index=True,
        width="stretch",
    )


def _refund(rt: Runtime, caller: Caller, order_no: str, amount: str, reason: str) -> None:
    """Refund through the payments service (the API's path) and show the outcome after a rerun."""
    from app.payments.base import ProviderError
    from app.services import payments as pay_service
    from core.scope import ScopeError
    from data.repositories.households import HouseholdNotFound

    cents = yuan_cents(amount)
    if cents is None:
        st.session_state[MESSAGE_KEY] = ("error", "请填写大于 0 的退款金额（元）")
        st.rerun()
    try:
        with rt.session() as session:
            out = pay_service.refund_order(
                session,
                rt.provider(),
                order_no,
                cents,
                caller=caller,
                reason=reason,
                at=datetime.now().replace(microsecond=0),
            )
    except (
        pay_service.RefundRefused,
        pay_service.OrderRefused,
        ProviderError,
        LookupError,
        ScopeError,
        HouseholdNotFound,
    ) as exc:
        st.session_state[MESSAGE_KEY] = ("error", f"未退款：{exc}")
        st.rerun()
    rt.queue.clear()
    st.session_state[MESSAGE_KEY] = (
        "success",
        f"已退款 {cents / 100:.2f} 元（订单 {out['order_no']}，累计退款 {out['refunded']} 元）；"
        f"该户待缴 {out['arrears']} 元，案件状态：{out['case_state']}。原因：{reason.strip()}",
    )
    st.rerun()


def _refund_form(rt: Runtime, caller: Caller, report: dict) -> None:
    from app.services.payments import REFUND_ROLES

    st.subheader("退款")
    if caller.role not in REFUND_ROLES:
        st.caption("退款须由经理或管理员办理")
        return
    refundable = {o["order_no"]: o for o in report["orders"] if o["refundable_cents"] > 0}
    if not refundable:
        st.caption("当日没有可退款的已支付订单")
        return

    def label(order_no: str) -> str:
        o = refundable[order_no]
        return f"{order_no}（{o['household']}，实付 {o['amount']} 元，可退 {o['refundable_cents'] / 100:.2f} 元）"

    with st.form("refund_form"):
        order_no = st.selectbox("订单", list(refundable), format_func=label, key="refund_order")
        amount = st.text_input("退款金额（元）", key="refund_amount")
        reason = st.text_area("退款原因（必填，留存审计）", key="refund_reason", max_chars=200)
        submitted = st.form_submit_button("确认退款")
    if submitted:
        _refund(rt, caller, order_no, amount, reason)


def render(rt: Runtime, caller: Caller) -> None:
    """The report for a chosen day, then the refund form (managers and administrators)."""
    from app.services import payments as pay_service

    st.header("对账与退款")
    message = st.session_state.pop(MESSAGE_KEY, None)
    if message:
        getattr(st, message[0])(inert(message[1]))
    day = st.date_input("对账日期", value=date.today(), key="recon_day")
    with rt.session() as session:
        report = pay_service.reconciliation_report(session, day, caller.scope.projects)
    _summary(report)
    _orders(report)
    _mismatches(report)
    _refund_form(rt, caller, report)
