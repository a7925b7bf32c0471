"""Paying on the bill page through the sandbox provider: signed async notifications settle receivables once."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from app.payments.sandbox import SIGNATURE, TIMESTAMP, sign
from data.db.collections import CaseEvent
from data.db.models import Payment, Receivable, Unit
from data.db.payments import PaymentNotification, PaymentOrder
from data.db.session import make_engine, make_session_factory
from data.db.workflow import AuditEvent
from data.repositories.audit import verify_chain
from data.repositories.households import find_unit

H = "/households/BJ-PILOT/4-1203"
PILOT = "BJ-PILOT/4-1203"


def _session(api_url):
    return make_session_factory(make_engine(api_url))()


def _link(api) -> str:
    return api.post(f"{H}/bill-link").json()["url"]


def _provider(api):
    return api.client.app.state.steward.provider()


def _pay_to_cashier(api) -> tuple[str, str]:
    """Open the bill, press 立即缴费; returns (bill url, cashier url)."""
    link = _link(api)
    page = api.client.get(link)
    assert "立即缴费 ¥1680.00" in page.text
    r = api.client.post(f"{link}/pay", data={"part": "all"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/sandbox/pay/ST")
    return link, r.headers["location"]


def _order(s) -> PaymentOrder:
    return s.execute(select(PaymentOrder).order_by(PaymentOrder.id.desc()).limit(1)).scalar_one()


def _settled(s, unit_id: int) -> int:
    return s.execute(
        select(func.coalesce(func.sum(Receivable.paid_cents), 0)).where(Receivable.unit_id == unit_id)
    ).scalar_one()


def test_when_the_owner_pays_on_the_bill_page_then_the_notification_settles_the_bill_and_the_case(api, api_url):
    link, cashier = _pay_to_cashier(api)
    assert "确认支付 ¥1680.00" in api.client.get(cashier).text
    with _session(api_url) as s:
        unit = find_unit(s, PILOT)
        before = _settled(s, unit.id)
        assert _order(s).status == "created"
    pending = api.client.get(f"{link}/paid?order={cashier.rsplit('/', 1)[-1]}").text
    assert "正在确认支付结果" in pending and 'http-equiv="refresh"' in pending
    r = api.client.post(cashier, follow_redirects=False)
    assert r.status_code == 303 and "/paid?order=ST" in r.headers["location"]
    assert "缴费成功" in api.client.get(r.headers["location"]).text
    with _session(api_url) as s:
        order = _order(s)
        assert order.status == "paid" and order.provider_txn_id.startswith("SBX")
        assert _settled(s, unit.id) == before + 168000
        assert s.get(Unit, unit.id).case_state == "已结清"
        assert s.execute(select(Payment).where(Payment.source_ref == f"sandbox:{order.provider_txn_id}")).scalar_one()
        assert s.execute(select(AuditEvent.action).where(AuditEvent.action == "payment.notify_accepted")).first()
        assert verify_chain(s) == []
    page = api.client.get(link).text
    assert "您已缴清全部到期费用" in page and "立即缴费" not in page
    assert api.get("/households/BJ-PILOT/4-1203/case").json()["state"] == "已结清"


def _notify(api, headers: dict, body: bytes):
    return api.client.post("/payments/notify/sandbox", content=body, headers=headers)


def test_when_a_notification_is_forged_replayed_or_for_the_wrong_amount_then_it_is_rejected_and_nothing_pays_twice(
    api, api_url
):
    _pay_to_cashier(api)
    provider = _provider(api)
    with _session(api_url) as s:
        order = _order(s)
        unit_id = order.unit_id
        before = _settled(s, unit_id)
    # a forged signature
    headers, body = provider.notification(order.order_no, "SBXFORGED", order.amount_cents)
    bad = _notify(api, {**headers, SIGNATURE: "0" * 64}, body)
    assert bad.status_code == 400 and "签名" in bad.json()["message"]
    # a body changed after signing
    tampered = body.replace(b'"SBXFORGED"', b'"SBXOTHER"')
    assert _notify(api, headers, tampered).status_code == 400
    # a valid signature for the wrong amount
    headers, body = provider.notification(order.order_no, "SBXWRONG", order.amount_cents - 100)
    wrong = _notify(api, headers, body)
    assert wrong.status_code == 400 and "不符" in wrong.json()["message"]
    # an unknown order
    headers, body = provider.notification("ST-NOPE", "SBXNOPE", 100)
    assert _notify(api, headers, body).status_code == 400
    with _session(api_url) as s:
        assert _settled(s, unit_id) == before and _order(s).status == "created"
    # the real payment, then its replay, then another transaction for the same order
    headers, body = provider.notification(order.order_no, "SBXREAL", order.amount_cents)
    assert _notify(api, headers, body).json() == {"code": "SUCCESS", "message": "accepted"}
    assert _notify(api, headers, body).json() == {"code": "SUCCESS", "message": "duplicate"}
    headers, body = provider.notification(order.order_no, "SBXSECOND", order.amount_cents)
    assert _notify(api, headers, body).status_code == 400
    with _session(api_url) as s:
        assert _settled(s, unit_id) == before + order.amount_cents
        assert (
            s.execute(
                select(func.count())
                .select_from(CaseEvent)
                .where(CaseEvent.unit_id == unit_id, CaseEvent.kind == "payment")
            ).scalar_one()
            == 1
        )
        outcomes = s.execute(select(PaymentNotification.outcome).order_by(PaymentNotification.id)).scalars().all()
        assert outcomes == ["rejected"] * 4 + ["accepted", "duplicate", "rejected"]
        audited = s.execute(select(AuditEvent.action).where(AuditEvent.action.like("payment.notify_%"))).scalars()
        assert sorted(set(audited)) == [
            "payment.notify_accepted",
            "payment.notify_duplicate",
            "payment.notify_rejected",
        ]
        assert verify_chain(s) == []
    report = api.get("/reports/reconciliation", user="admin", params={"day": "2024-09-02"}).json()
    kinds = [m["kind"] for m in report["mismatches"]]
    assert kinds.count("rejected_notification") == 5 and "amount_mismatch" not in kinds
    assert all(m["name"] == "拒绝的通知" for m in report["mismatches"])
    assert [(o["order_no"], o["status"], o["result"], o["matched"]) for o in report["orders"]] == [
        (order.order_no, "已支付", "已对平", True)
    ]
    assert report["summary"] == {
        "orders": 1,
        "paid": 1,
        "matched": 1,
        "mismatches": 5,
        "paid_amount": "1680.00",
        "refunded_amount": "0.00",
    }
    # a project manager sees only the rejections that name an order of their projects
    scoped = api.get("/reports/reconciliation", user="manager", params={"day": "2024-09-02"}).json()["mismatches"]
    assert [m["ref"] for m in scoped] == [order.order_no, order.order_no]
    assert api.get("/reports/reconciliation", user="demo").status_code == 403


def test_when_an_old_timestamp_is_signed_then_the_notification_is_rejected(api, api_url):
    _pay_to_cashier(api)
    provider = _provider(api)
    with _session(api_url) as s:
        order = _order(s)
    body = json.dumps(
        {
            "order_no": order.order_no,
            "txn_id": "SBXOLD",
            "amount_cents": order.amount_cents,
            "status": "SUCCESS",
            "paid_at": "2024-09-02T09:00:00",
        }
    ).encode()
    headers = {TIMESTAMP: "1000000000", SIGNATURE: sign(provider.key, "1000000000", body)}
    assert "过期" in _notify(api, headers, body).json()["message"]


def test_when_a_paid_order_is_refunded_in_part_then_the_newest_period_owes_again(api, api_url):
    _, cashier = _pay_to_cashier(api)
    api.client.post(cashier, follow_redirects=False)
    with _session(api_url) as s:
        order = _order(s)
    url = f"/payments/orders/{order.order_no}/refund"
    for user in ("demo", "ro"):  # a steward and a read-only user may not give money back
        assert api.post(url, user=user, params={"amount": 560, "reason": "重复缴费"}).status_code == 403
    assert api.post(url, user="manager", params={"amount": 560}).status_code == 422  # a reason is required
    r = api.post(url, user="manager", params={"amount": 560, "reason": "八月物业费重复缴纳"})
    assert r.status_code == 200, r.text
    assert (r.json()["arrears"], r.json()["case_state"]) == ("560.00", "支付")
    assert api.get(f"/payments/orders/{order.order_no}").json()["provider"]["refunded_cents"] == 56000
    with _session(api_url) as s:
        unit = find_unit(s, PILOT)
        lines = (
            s.execute(select(Receivable).where(Receivable.unit_id == unit.id).order_by(Receivable.due_date))
            .scalars()
            .all()
        )
        owed = [(r.period, r.amount_cents - r.paid_cents) for r in lines if r.amount_cents > r.paid_cents]
        assert owed == [("2024-08", 56000)]
        assert s.get(Unit, unit.id).case_state == "支付"
        refunds = s.execute(select(AuditEvent).where(AuditEvent.action == "payment.refunded")).scalars().all()
        assert [(a.actor, a.detail["reason"], a.detail["amount_cents"]) for a in refunds] == [
            ("manager", "八月物业费重复缴纳", 56000)
        ]
    with _session(api_url) as s:  # a manager of another project: the order does not exist for them
        from app.services.users import create_user

        create_user(s, username="shm", password="steward-demo", role="manager", projects=["SH-PD"])
        s.commit()
    foreign = api.post(url, user="shm", params={"amount": 1, "reason": "核对"})
    assert foreign.status_code == 404 and "BJ-PILOT" not in foreign.text
    over = api.post(url, user="manager", params={"amount": 1120.01, "reason": "超额"})
    assert over.status_code == 409 and "可退金额 1120.00 元" in over.json()["detail"]
