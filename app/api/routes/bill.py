"""The owner's mobile bill page behind a signed link: amount, aging, details and self-service requests."""

from __future__ import annotations

from html import escape
from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from app.api.deps import ApiState, ClockDep, QueueDep, SessionDep, StateDep
from app.security.ratelimit import Throttled
from app.services.tasks import owner_status
from app.services.tokens import LinkExpired, TokenError
from data.db.models import Unit
from data.repositories.households import HouseholdNotFound, household_view

router = APIRouter(prefix="/bill", tags=["bill"])
STYLE = """body{font-family:-apple-system,"PingFang SC","Noto Sans CJK SC",sans-serif;margin:0;background:#f5f6f8;color:#222}
main{max-width:480px;margin:0 auto;padding:16px}.card{background:#fff;border-radius:12px;padding:16px;margin-bottom:12px}
.amount{font-size:32px;font-weight:700;color:#c0392b}table{width:100%;border-collapse:collapse;font-size:14px}
td,th{padding:6px 4px;border-bottom:1px solid #eee;text-align:left}button{width:100%;padding:12px;border:0;
border-radius:8px;background:#2e86de;color:#fff;font-size:16px;margin-top:8px}textarea,select{width:100%;
box-sizing:border-box;padding:8px;font-size:15px}.muted{color:#888;font-size:13px}.secondary{background:#95a5a6}"""
REDUCTION_FIELDS = "<textarea name=note rows=2 placeholder=请说明减免原因></textarea>"
DISPUTE_FIELDS = (
    "<textarea name=note rows=3 placeholder=请说明您的疑问></textarea>"
    "<div class=muted>可上传凭证（JPG、PNG 或 PDF，不超过 5 MB）</div>"
    '<input type=file name=proof accept="image/png,image/jpeg,application/pdf">'
)
DONE = {
    "instalment": "分期申请已提交，管家会尽快与您确认分期安排。",
    "reduction": "减免申请已提交，审核结果会显示在账单页。",
    "dispute": "异议已登记，核实期间不会再向您发送缴费提醒。",
    "invoice": "开票申请已提交，管家会尽快为您开具发票。",
    "opt_out": "已为您退订全部提醒消息。",
}


def page(title: str, body: str, status_code: int = 200, head: str = "") -> HTMLResponse:
    """A mobile page in the bill style (all text escaped by the caller)."""
    html = (
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" '
        f'content="width=device-width,initial-scale=1">{head}<title>{escape(title)}</title><style>{STYLE}</style>'
        f"</head><body><main>{body}</main></body></html>"
    )
    return HTMLResponse(html, status_code=status_code)


def _expired(days: int) -> HTMLResponse:
    """410: the link's lifetime is over; nothing of the household is shown."""
    return page(
        "链接已过期",
        '<div class="card"><h2>账单链接已过期</h2>'
        f"<p>为保护您的信息，账单链接在发出 {days} 天后自动失效。</p>"
        "<p>请打开物业最近发给您的缴费提醒中的链接（每条新提醒都带有新的链接），"
        "或联系您的物业管家重新发送账单链接。</p></div>",
        410,
    )


def _invalid(message: str) -> HTMLResponse:
    return page("链接无效", f'<div class="card"><h2>无法打开账单</h2><p>{escape(message)}</p></div>', 404)


def _form(token: str, kind: str, label: str, inner: str = "", css: str = "") -> str:
    return (
        f'<form method="post" action="/bill/{escape(token)}" enctype="multipart/form-data">'
        f'<input type="hidden" name="kind" value="{kind}">'
        f'{inner}<button class="{css}" type="submit">{label}</button></form>'
    )


def _throttled(exc: Throttled) -> HTMLResponse:
    answer = page("请稍后再试", '<div class="card"><h2>访问过于频繁</h2><p>请稍后再试。</p></div>', 429)
    answer.headers["Retry-After"] = str(exc.retry_after)
    return answer


def _open(session: Session, state: ApiState, token: str, *, post: bool) -> tuple[str, Unit] | HTMLResponse:
    """The live link's (id, unit), or the page to answer instead (invalid, revoked, too many requests)."""
    from app.services import bill_links

    try:
        link_id = bill_links.link_id_of(state.secret, token)
        state.rate_limits.bill_hit(link_id, post=post)
        return bill_links.resolve(session, state.secret, token)
    except Throttled as exc:
        return _throttled(exc)
    except LinkExpired:
        return _expired(state.settings.bill_link_ttl_days)
    except TokenError as exc:
        return _invalid(str(exc))


LIMITED = {
    429: {"description": "该链接访问过于频繁（Retry-After 秒数）"},
    404: {"description": "链接无效或已失效（已有更新的链接或已作废）"},
    410: {"description": "链接已过期（有效期 STEWARD_BILL_LINK_TTL_DAYS 天），页面说明如何获取新链接"},
}


def _pay_card(token: str, arrears: str, instalment: int | None) -> str:
    if arrears in ("0.00", "0"):
        return '<div class="card"><p>您已缴清全部到期费用，感谢支持！</p></div>'
    inst = (
        (
            f'<form method="post" action="/bill/{escape(token)}/pay"><input type="hidden" name="part" '
            f'value="instalment"><button class="secondary" type="submit" id="pay-instalment">缴纳本期分期 '
            f"¥{instalment / 100:.2f}</button></form>"
        )
        if instalment
        else ""
    )
    return (
        f'<div class="card"><form method="post" action="/bill/{escape(token)}/pay">'
        f'<input type="hidden" name="part" value="all"><button type="submit" id="pay-now">立即缴费 ¥{arrears}'
        f"</button></form>{inst}</div>"
    )


def instalment_due(session, unit) -> int | None:  # noqa: ANN001
    """The amount of the current instalment of an agreed schedule, if any."""
    from data.repositories.cases import active_instalment, paid_since, schedule_of
    from data.repositories.households import business_date

    inst = active_instalment(session, unit.id)
    if inst is None:
        return None
    schedule = schedule_of(inst)
    paid = paid_since(session, unit.id, inst.start_date)
    day = business_date(session)
    due_so_far = sum(a for d, a in schedule if d <= day) or schedule[0][1]
    left = due_so_far - paid
    return left if left > 0 else next((a for d, a in schedule if d > day), None)


@router.get("/{token}", response_class=HTMLResponse, summary="业主账单页", responses=LIMITED)
def bill_page(token: str, session: SessionDep, state: StateDep) -> HTMLResponse:
    """Amount, aging and bill lines, with instalment, dispute, invoice and opt-out requests."""
    opened = _open(session, state, token, post=False)
    if isinstance(opened, HTMLResponse):
        return opened
    _, unit = opened
    try:
        view = household_view(session, f"{unit.project.code}/{unit.code}")
    except HouseholdNotFound as exc:
        return _invalid(str(exc))
    rows = "".join(
        f"<tr><td>{escape(b['period'])}</td><td>{escape(b['fee_type'])}</td><td>{b['outstanding']}</td></tr>"
        for b in view.bills
        if b["outstanding"] != "0.00"
    )
    months = "".join(f'<option value="{m}">{m} 个月</option>' for m in (3, 6, 12))
    status = "".join(
        f"<p><b>{escape(s['title'])}</b>：{escape(s['text'])}"
        + (f'<br><span class="muted">说明：{escape(s["reason"])}</span>' if s["reason"] else "")
        + "</p>"
        for s in owner_status(session, unit)
    )
    pay = _pay_card(token, view.arrears, instalment_due(session, unit))
    body = (
        f'<div class="card"><div class="muted">{escape(view.project["name"])} · {escape(view.unit["label"])}</div>'
        f"<p>{escape(view.owner.get('title') or '尊敬的业主')}，您好</p><div>待缴物业服务费</div>"
        f'<div class="amount">¥{view.arrears}</div><div class="muted">截至 {view.as_of}，最早一笔已超过缴费期 '
        f"{view.days_overdue} 天</div></div>{pay}"
        + (f'<div class="card"><h3>我的申请</h3>{status}</div>' if status else "")
        + f'<div class="card"><h3>账单明细</h3><table><tr><th>账期</th><th>费用</th><th>待缴(元)</th></tr>{rows}'
        f"</table></div>"
        f'<div class="card"><h3>申请分期</h3>{_form(token, "instalment", "提交分期申请", f"<select name=months>{months}</select>")}</div>'
        f'<div class="card"><h3>申请减免</h3>{_form(token, "reduction", "提交减免申请", REDUCTION_FIELDS)}</div>'
        f'<div class="card"><h3>对账单有疑问</h3>{_form(token, "dispute", "提交异议", DISPUTE_FIELDS)}</div>'
        f'<div class="card"><h3>开具发票</h3>{_form(token, "invoice", "申请开票", "<textarea name=note rows=2 placeholder=发票抬头与税号></textarea>")}</div>'
        f'<div class="card"><h3>不再接收提醒</h3>{_form(token, "opt_out", "退订全部提醒", css="secondary")}</div>'
    )
    return page("物业费账单", body)


@router.post(
    "/{token}", response_class=HTMLResponse, summary="业主提交申请（同一申请重复提交只记一次）", responses=LIMITED
)
def bill_request(
    token: str,
    kind: Annotated[str, Form(max_length=20)],
    session: SessionDep,
    state: StateDep,
    clock: ClockDep,
    queue: QueueDep,
    note: Annotated[str, Form(max_length=1000)] = "",
    months: Annotated[int | None, Form(ge=1, le=24)] = None,
    proof: Annotated[UploadFile | None, File()] = None,
) -> HTMLResponse:
    """Turn the request into a steward task and an audit event; a dispute may carry a proof file."""
    from app.services.casework import CaseConflict
    from app.services.proofs import MAX_BYTES, ProofRejected, store_proof
    from app.services.tasks import owner_request

    opened = _open(session, state, token, post=True)
    if isinstance(opened, HTMLResponse):
        return opened
    _, unit = opened
    try:
        stored = None
        if kind == "dispute" and proof is not None and proof.filename:
            stored = store_proof(state.settings.var_dir, proof.file.read(MAX_BYTES + 1))
        owner_request(session, unit, kind=kind, note=note, at=clock(), months=months, proof=stored)
    except (ValueError, CaseConflict, ProofRejected) as exc:
        return page("提交失败", f'<div class="card"><p>{escape(str(exc))}</p></div>', 400)
    queue.clear()
    return page(
        "已提交",
        f'<div class="card"><h2>提交成功</h2><p>{DONE[kind]}</p>'
        f'<p><a href="/bill/{escape(token)}">返回账单</a></p></div>',
    )


@router.post("/{token}/pay", summary="立即缴费：创建支付订单并跳转收银台", responses=LIMITED)
def bill_pay(token: str, session: SessionDep, state: StateDep, clock: ClockDep, part: Annotated[str, Form()] = "all"):
    """Create an order for the overdue amount (or the current instalment) and redirect to the provider."""
    from app.payments.base import ProviderError
    from app.services.payments import OrderRefused, create_order

    opened = _open(session, state, token, post=False)
    if isinstance(opened, HTMLResponse):
        return opened
    _, unit = opened
    amount = instalment_due(session, unit) if part == "instalment" else None
    base = state.settings.public_url.rstrip("/")
    try:
        _order, url = create_order(
            session,
            state.provider(),
            unit,
            at=clock(),
            amount_cents=amount,
            notify_url=f"{base}/payments/notify/{state.provider().name}",
            return_url=f"/bill/{token}/paid?order={{order_no}}",
        )
    except (OrderRefused, ProviderError) as exc:
        return page("无法缴费", f'<div class="card"><p>{escape(str(exc))}</p></div>', 400)
    session.commit()
    return RedirectResponse(url if not url.startswith(base) else url[len(base) :] or "/", status_code=303)


@router.get("/{token}/paid", response_class=HTMLResponse, summary="支付结果", responses=LIMITED)
def bill_paid(token: str, order: str, session: SessionDep, state: StateDep) -> HTMLResponse:
    """The result page the provider returns the owner to."""
    from app.services.payments import order_status

    opened = _open(session, state, token, post=False)
    if isinstance(opened, HTMLResponse):
        return opened
    _, unit = opened
    try:
        status = order_status(session, state.provider(), order)
    except LookupError as exc:
        return _invalid(str(exc))
    if status["unit_id"] != unit.id:
        return _invalid("订单与账单不符")
    text = {
        "paid": "缴费成功，感谢您的支持！",
        "created": "正在确认支付结果，请稍候…",
        "refunded": "该笔缴费已退款",
    }.get(status["status"], status["status"])
    # Until the provider's notification arrives the page looks again every 2 seconds.
    refresh = '<meta http-equiv="refresh" content="2">' if status["status"] == "created" else ""
    return page(
        "支付结果",
        f'<div class="card"><h2 id="pay-result">{escape(text)}</h2>'
        f'<p>金额 ¥{escape(status["amount"])}</p><p><a href="/bill/{escape(token)}">返回账单</a></p></div>',
        head=refresh,
    )
