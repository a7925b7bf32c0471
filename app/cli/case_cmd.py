"""`steward case` and `steward payments`: a household's case, its events, payments and reconciliation."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import typer

from app.cli.common import console, fail, open_session, print_json

case_app = typer.Typer(no_args_is_help=True, help="案件：状态、事件、承诺复核 / Cases.")
payments_app = typer.Typer(no_args_is_help=True, help="缴费：登记、对账 / Payments.")

USER = typer.Option("steward", "--user", help="操作人（系统用户按其角色和项目权限执行）")
ROLE = typer.Option("steward", "--role", help="操作人不是系统用户时的角色：steward 或 manager")
DB = typer.Option(None, "--database-url", help="数据库 URL")
JSON = typer.Option(False, "--json", help="输出一个 JSON 对象")


def _actor(session, user: str, role: str):  # noqa: ANN001, ANN202
    from app.services.collections.case_events import Actor
    from app.services.users import caller_for
    from core.scope import CallerScope

    caller = caller_for(session, user)
    if caller is not None:
        return Actor(caller.username, caller.role, caller.scope)
    if role not in ("steward", "manager"):
        fail("--role 应为 steward 或 manager")
    return Actor(user, role, CallerScope(user))


def _cents(amount: str) -> int:
    try:
        value = Decimal(amount)
    except InvalidOperation:
        fail(f"金额格式不正确：{amount}")
        raise
    if value <= 0:
        fail("金额须大于 0")
    return int((value * 100).to_integral_value())


def _now(session) -> datetime:  # noqa: ANN001
    from data.repositories.households import business_date

    today = business_date(session)
    now = datetime.now()
    return now if now.date() == today else datetime.combine(today, now.time().replace(microsecond=0))


def _record(key: str, kind: str, user: str, role: str, database_url: str | None, as_json: bool, **kw) -> None:
    from app.services.casework import CaseConflict
    from app.services.collections import case_events
    from core.domain.collections.cases import IllegalTransition
    from core.scope import ScopeError
    from data.repositories.households import HouseholdNotFound

    session = open_session(database_url)
    try:
        out = case_events.record(session, _actor(session, user, role), key, kind, at=_now(session), **kw)
        session.commit()
    except (
        ScopeError,
        HouseholdNotFound,
        CaseConflict,
        IllegalTransition,
        ValueError,
        case_events.EventRefused,
    ) as exc:
        session.rollback()
        fail(str(exc))
        return
    finally:
        session.close()
    if as_json:
        print_json(out)
        return
    move = f"{out['from_state']} → {out['to_state']}" if out["from_state"] != out["to_state"] else out["to_state"]
    console.print(
        f"[green]已登记[/green] {out['name']}（{key}）：案件状态 {move}"
        + (f"；{out['reason']}" if out["reason"] else "")
    )


@case_app.command("show")
def show(
    key: str = typer.Argument(..., help="项目编码/房号，例如 BJ-PILOT/4-1203"),
    as_json: bool = JSON,
    database_url: str | None = DB,
) -> None:
    """案件概况：状态、欠费、未了承诺、异议、分期、联系记录（时间、渠道、结果）、下一步及原因。"""
    from rich.table import Table

    from app.services.collections.case_events import case_view
    from core.scope import SYSTEM_SCOPE
    from data.repositories.households import HouseholdNotFound

    session = open_session(database_url)
    try:
        view = case_view(session, SYSTEM_SCOPE, key)
    except (HouseholdNotFound, ValueError) as exc:
        fail(str(exc))
        return
    finally:
        session.close()
    if as_json:
        print_json(view)
        return
    console.print(
        f"[bold]{key}[/bold]  案件状态：[bold]{view['state']}[/bold]  欠费 {view['arrears']} 元（截至 {view['as_of']}）"
    )
    if view["promise"]:
        console.print(f"还款承诺：{view['promise']['date']} 前缴 {view['promise']['amount']} 元")
    if view["dispute"]:
        d = view["dispute"]
        console.print(f"异议：{d['status']}，{d['note']}" + (f"（处理：{d['resolution']}）" if d["resolution"] else ""))
    if view["instalment"]:
        i = view["instalment"]
        console.print(
            f"分期：{i['status']}，{i['months']} 期，每期 {i['amount_per_month']} 元，自 {i['start_date']}"
            + ("" if i["on_track"] is None else ("，按期履约" if i["on_track"] else "，已逾期"))
        )
    step = view["next_step"]
    console.print(
        "下一步："
        + (f"{step['date']} 第 {step['seq']} 步 {step['channel']} {step['action']}" if step else "无")
        + f"　原因：{view['why']}"
    )
    table = Table(title="联系记录")
    for col in ("时间", "渠道", "结果"):
        table.add_column(col)
    for c in view["contacts"]:
        table.add_row(c["at"], c["channel"], c["outcome"])
    console.print(table)
    events = Table(title="案件事件")
    for col in ("时间", "事件", "状态", "操作人", "说明"):
        events.add_column(col)
    for e in view["events"]:
        events.add_row(e["at"], e["name"], f"{e['from_state']}→{e['to_state']}", e["actor"], e["reason"])
    console.print(events)


@case_app.command("event")
def event(
    key: str = typer.Argument(..., help="项目编码/房号"),
    kind: str = typer.Argument(
        ...,
        help="payment、promise_made、promise_kept、promise_broken、dispute_opened、"
        "dispute_resolved、dispute_rejected、instalment_requested、"
        "instalment_approved、instalment_declined、opt_out、blacklist_added、"
        "blacklist_removed、contact",
    ),
    amount: str | None = typer.Option(None, "--amount", help="金额（元）：缴费或承诺金额"),
    promised: str | None = typer.Option(None, "--date", help="承诺缴费日期 YYYY-MM-DD"),
    months: int | None = typer.Option(None, "--months", help="分期期数 1–12"),
    start: str | None = typer.Option(None, "--start", help="分期开始日期 YYYY-MM-DD"),
    channel: str | None = typer.Option(None, "--channel", help="联系或退订渠道：sms/phone/wechat/email/visit"),
    outcome: str | None = typer.Option(None, "--outcome", help="联系结果：answered/no_answer/refused/visited…"),
    note: str = typer.Option("", "--note", help="说明（异议内容、联系记录）"),
    reason: str = typer.Option("", "--reason", help="理由（异议处理结果、分期决定、黑名单原因）"),
    ref: str | None = typer.Option(None, "--ref", help="外部流水号（缴费，重复登记不重复入账）"),
    user: str = USER,
    role: str = ROLE,
    database_url: str | None = DB,
    as_json: bool = JSON,
) -> None:
    """登记一个案件事件；案件状态随之变化，发送前立即生效。"""
    try:
        promised_date = date.fromisoformat(promised) if promised else None
        start_date = date.fromisoformat(start) if start else None
    except ValueError:
        fail("日期格式应为 YYYY-MM-DD")
        return
    _record(
        key,
        kind,
        user,
        role,
        database_url,
        as_json,
        amount_cents=_cents(amount) if amount else None,
        promised_date=promised_date,
        months=months,
        start_date=start_date,
        channel=channel,
        outcome=outcome,
        note=note,
        reason=reason,
        ref=ref,
    )


@case_app.command("review")
def review(
    day: str | None = typer.Option(None, "--date", help="业务日期，默认数据集日期"),
    database_url: str | None = DB,
    as_json: bool = JSON,
) -> None:
    """复核到期承诺（已兑现/违约）、分期履约和结清后新欠费；违约的住户带原因回到待办。"""
    from app.services.collections.case_events import review_promises
    from data.repositories.households import business_date

    session = open_session(database_url)
    try:
        today = date.fromisoformat(day) if day else business_date(session)
        out = review_promises(session, today)
        session.commit()
    finally:
        session.close()
    if as_json:
        print_json(out)
        return
    console.print(
        f"承诺兑现 {out['kept']}，违约 {out['broken']}，分期逾期 {out['instalments_lapsed']}，"
        f"结清后新欠费重开 {out['reopened']}"
    )


@payments_app.command("record")
def record_payment(
    key: str = typer.Argument(..., help="项目编码/房号"),
    amount: str = typer.Argument(..., help="金额（元）"),
    channel: str = typer.Option("管家登记", "--channel", help="缴费方式：现金、银行转账、POS…"),
    ref: str | None = typer.Option(None, "--ref", help="流水号（重复登记不重复入账）"),
    user: str = USER,
    role: str = ROLE,
    database_url: str | None = DB,
    as_json: bool = JSON,
) -> None:
    """登记线下缴费：按最早账期核销，可部分缴费，减免另计。"""
    _record(key, "payment", user, role, database_url, as_json, amount_cents=_cents(amount), channel=channel, ref=ref)


@payments_app.command("reconcile")
def reconcile(
    day: str | None = typer.Option(None, "--date", help="对账日期，默认数据集日期"),
    database_url: str | None = DB,
    as_json: bool = JSON,
) -> None:
    """每日对账：订单、支付通知与入账核销不一致的记录。"""
    from app.services.payments import reconcile as run
    from data.repositories.households import business_date

    session = open_session(database_url)
    try:
        today = date.fromisoformat(day) if day else business_date(session)
        rows = run(session, today)
    finally:
        session.close()
    if as_json:
        print_json({"date": today.isoformat(), "mismatches": rows})
        return
    if not rows:
        console.print(f"{today} 对账无差异")
        return
    for r in rows:
        console.print(f"[yellow]{r['kind']}[/yellow] {r['ref']}：{r['reason']}")


def register(root: typer.Typer) -> None:
    """Attach `steward case` and `steward payments` to the root app."""
    root.add_typer(case_app, name="case")
    root.add_typer(payments_app, name="payments")
