"""Paying: provider notifications, the sandbox cashier page, order status, refunds and reconciliation."""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from app.api.deps import ClockDep, CurrentUser, SessionDep, StateDep, WriterUser
from app.api.routes.bill import page
from app.payments.base import ProviderError
from app.services import payments as pay_service

router = APIRouter(tags=["payments"])


def _apply_notification(state, headers: dict[str, str], body: bytes, clock) -> tuple[str, str]:  # noqa: ANN001
    with state.session_factory() as session:
        outcome = pay_service.handle_notification(session, state.provider(), headers, body, at=clock())
        session.commit()
    state.queue.clear()
    return outcome


@router.post("/payments/notify/{provider}", summary="支付渠道异步通知（验签、幂等、金额核对）")
async def notify(provider: str, request: Request, state: StateDep, clock: ClockDep) -> JSONResponse:
    """The provider's signed notification; a replay answers SUCCESS and settles nothing."""
    if provider != state.provider().name:
        return JSONResponse({"code": "FAIL", "message": "未知支付渠道"}, status_code=404)
    body = await request.body()
    outcome, reason = _apply_notification(state, dict(request.headers), body, clock)
    if outcome == "rejected":
        return JSONResponse({"code": "FAIL", "message": reason}, status_code=400)
    return JSONResponse({"code": "SUCCESS", "message": outcome})


@router.get("/sandbox/pay/{order_no}", response_class=HTMLResponse, summary="沙箱收银台")
def sandbox_cashier(order_no: str, state: StateDep) -> HTMLResponse:
    """The sandbox's cashier page (what WeChat Pay / Alipay would show)."""
    try:
        order = state.provider().order(order_no)
    except (ProviderError, AttributeError):
        return page("订单不存在", '<div class="card"><p>订单不存在或已关闭</p></div>', 404)
    amount = f"{order['amount_cents'] / 100:.2f}"
    done = order["status"] == "SUCCESS"
    body = (
        f'<div class="card"><div class="muted">沙箱支付（测试环境，不产生真实扣款）</div>'
        f'<h3>{escape(order["subject"])}</h3><div class="amount">¥{amount}</div>'
        f'<div class="muted">订单号 {escape(order_no)}</div></div>'
        + (
            '<div class="card"><p>该订单已支付</p></div>'
            if done
            else f'<div class="card"><form method="post" action="/sandbox/pay/{escape(order_no)}">'
            f'<button type="submit" id="confirm-pay">确认支付 ¥{amount}</button></form></div>'
        )
    )
    return page("沙箱收银台", body)


@router.post("/sandbox/pay/{order_no}", summary="沙箱收银台确认支付")
def sandbox_confirm(order_no: str, state: StateDep, clock: ClockDep, background: BackgroundTasks):
    """The owner pays: the sandbox marks the order paid and notifies Steward asynchronously (signed)."""
    provider = state.provider()
    try:
        order = provider.order(order_no)
        provider.pay(
            order_no,
            deliver=lambda _url, headers, body: background.add_task(_apply_notification, state, headers, body, clock),
        )
    except (ProviderError, AttributeError):
        return page("订单不存在", '<div class="card"><p>订单不存在或已关闭</p></div>', 404)
    return RedirectResponse(order["return_url"], status_code=303)


@router.get("/payments/orders/{order_no}", summary="查询支付订单")
def order(order_no: str, session: SessionDep, state: StateDep, user: CurrentUser) -> dict:
    """Our record of the order and the provider's."""
    from app.services.casework import scoped_unit

    try:
        out = pay_service.order_status(session, state.provider(), order_no)
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from exc
    scoped_unit(session, user.scope, pay_service.household_of(session, out.pop("unit_id")))
    return out


@router.post("/payments/orders/{order_no}/refund", summary="退款（全部或部分；经理、管理员，须填写原因）")
def refund(
    order_no: str,
    amount: Annotated[float, Query(gt=0, le=1e9, description="退款金额（元），不超过可退金额")],
    reason: Annotated[str, Query(min_length=1, max_length=200, description="退款原因（审计留存）")],
    session: SessionDep,
    state: StateDep,
    user: WriterUser,
    clock: ClockDep,
) -> dict:
    """Refund with the provider and take the amount back off the receivables it settled (the workbench's path)."""
    try:
        out = pay_service.refund_order(
            session, state.provider(), order_no, round(amount * 100), caller=user, reason=reason, at=clock()
        )
    except pay_service.RefundRefused as exc:
        raise HTTPException(403, str(exc)) from exc
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from exc
    except (ProviderError, pay_service.OrderRefused) as exc:
        raise HTTPException(409, str(exc)) from exc
    session.commit()
    state.queue.clear()
    return out


@router.get("/reports/reconciliation", summary="每日对账：订单、通知与入账不一致的记录")
def reconciliation(session: SessionDep, user: CurrentUser, day: date | None = None) -> dict:
    """Orders, notifications and settlements of a day that do not match, the day's orders and totals."""
    if user.role not in pay_service.REPORT_ROLES:
        raise HTTPException(403, "仅经理、合规和管理员可查看对账报告")
    from data.repositories.households import business_date

    return pay_service.reconciliation_report(session, day or business_date(session), user.scope.projects)
