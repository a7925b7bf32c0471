"""The owner's mobile bill page behind a signed link: amount, aging, details and self-service requests."""

from __future__ import annotations

from html import escape
from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from app.api.deps import ApiState, ClockDep, QueueDep, SessionDep, StateDep
from app.security.ratelimit import Throttled
from app.services.tokens import TokenError
from data.db.models import Unit
from data.repositories.households import HouseholdNotFound, household_view

router = APIRouter(prefix="/bill", tags=["bill"])
STYLE = """body{font-family:-apple-system,"PingFang SC","Noto Sans CJK SC",sans-serif;margin:0;background:#f5f6f8;color:#222}
main{max-width:480px;margin:0 auto;padding:16px}.card{background:#fff;border-radius:12px;padding:16px;margin-bottom:12px}
.amount{font-size:32px;font-weight:700;color:#c0392b}table{width:100%;border-collapse:collapse;font-size:14px}
td,th{padding:6px 4px;border-bottom:1px solid #eee;text-align:left}button{width:100%;padding:12px;border:0;
border-radius:8px;background:#2e86de;color:#fff;font-size:16px;margin-top:8px}textarea,select{width:100%;
box-sizing:border-box;padding:8px;font-size:15px}.muted{color:#888;font-size:13px}.secondary{background:#95a5a6}"""
DONE = {"instalment": "分期申请已提交，管家会尽快与您确认分期安排。", "dispute": "异议已登记，核实期间不会再向您发送缴费提醒。",
        "invoice": "开票申请已提交，管家会尽快为您开具发票。", "opt_out": "已为您退订全部提醒消息。"}


def _page(title: str, body: str, status_code: int = 200) -> HTMLResponse:
    html = (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" '
            f'content="width=device-width,initial-scale=1"><title>{escape(title)}</title><style>{STYLE}</style>'
            f"</head><body><main>{body}</main></body></html>")
    return HTMLResponse(html, status_code=status_code)


def _invalid(message: str) -> HTMLResponse:
    return _page("链接无效", f'<div class="card"><h2>无法打开账单</h2><p>{escape(message)}</p></div>', 404)


def _form(token: str, kind: str, label: str, inner: str = "", css: str = "") -> str:
    return (f'<form method="post" action="/bill/{escape(token)}"><input type="hidden" name="kind" value="{kind}">'
            f'{inner}<button class="{css}" type="submit">{label}</button></form>')


def _throttled(exc: Throttled) -> HTMLResponse:
    page = _page("请稍后再试", '<div class="card"><h2>访问过于频繁</h2><p>请稍后再试。</p></div>', 429)
    page.headers["Retry-After"] = str(exc.retry_after)
    return page


def _open(session: Session, state: ApiState, token: str, *, post: bool) -> tuple[str, Unit] | HTMLResponse:
    """The live link's (id, unit), or the page to answer instead (invalid, revoked, too many requests)."""
    from app.services import bill_links

    try:
        link_id = bill_links.link_id_of(state.secret, token)
        state.rate_limits.bill_hit(link_id, post=post)
        return bill_links.resolve(session, state.secret, token)
    except Throttled as exc:
        return _throttled(exc)
    except TokenError as exc:
        return _invalid(str(exc))


LIMITED = {429: {"description": "该链接访问过于频繁（Retry-After 秒数）"}, 404: {"description": "链接无效、过期或已失效"}}


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
    rows = "".join(f"<tr><td>{escape(b['period'])}</td><td>{escape(b['fee_type'])}</td><td>{b['outstanding']}</td></tr>"
                   for b in view.bills if b["outstanding"] != "0.00")
    months = "".join(f'<option value="{m}">{m} 个月</option>' for m in (3, 6, 12))
    body = (f'<div class="card"><div class="muted">{escape(view.project["name"])} · {escape(view.unit["label"])}</div>'
            f'<p>{escape(view.owner.get("title") or "尊敬的业主")}，您好</p><div>待缴物业服务费</div>'
            f'<div class="amount">¥{view.arrears}</div><div class="muted">截至 {view.as_of}，最早一笔已超过缴费期 '
            f'{view.days_overdue} 天</div></div>'
            f'<div class="card"><h3>账单明细</h3><table><tr><th>账期</th><th>费用</th><th>待缴(元)</th></tr>{rows}'
            f"</table></div>"
            f'<div class="card"><h3>申请分期</h3>{_form(token, "instalment", "提交分期申请", f"<select name=months>{months}</select>")}</div>'
            f'<div class="card"><h3>对账单有疑问</h3>{_form(token, "dispute", "提交异议", "<textarea name=note rows=3 placeholder=请说明您的疑问></textarea>")}</div>'
            f'<div class="card"><h3>开具发票</h3>{_form(token, "invoice", "申请开票", "<textarea name=note rows=2 placeholder=发票抬头与税号></textarea>")}</div>'
            f'<div class="card"><h3>不再接收提醒</h3>{_form(token, "opt_out", "退订全部提醒", css="secondary")}</div>')
    return _page("物业费账单", body)


@router.post("/{token}", response_class=HTMLResponse, summary="业主提交申请（同一申请重复提交只记一次）",
             responses=LIMITED)
def bill_request(token: str, kind: Annotated[str, Form(max_length=20)], session: SessionDep, state: StateDep,
                 clock: ClockDep, queue: QueueDep, note: Annotated[str, Form(max_length=1000)] = "",
                 months: Annotated[int | None, Form(ge=1, le=24)] = None) -> HTMLResponse:
    """Turn the request into a steward task and an audit event."""
    from app.services.casework import CaseConflict
    from app.services.tasks import owner_request

    opened = _open(session, state, token, post=True)
    if isinstance(opened, HTMLResponse):
        return opened
    _, unit = opened
    try:
        owner_request(session, unit, kind=kind, note=note, at=clock(), months=months)
    except (ValueError, CaseConflict) as exc:
        return _page("提交失败", f'<div class="card"><p>{escape(str(exc))}</p></div>', 400)
    queue.clear()
    return _page("已提交", f'<div class="card"><h2>提交成功</h2><p>{DONE[kind]}</p>'
                         f'<p><a href="/bill/{escape(token)}">返回账单</a></p></div>')
