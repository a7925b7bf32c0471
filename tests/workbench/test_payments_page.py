"""对账与退款 page (AppTest): the day's report, a refund with the caller's rights, and who may see or refund."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from app.services import payments as pay_service
from data.db.collections import CaseEvent
from data.db.models import Unit
from data.db.payments import PaymentOrder
from data.db.session import make_engine, make_session_factory
from data.db.workflow import AuditEvent
from data.repositories.households import find_unit

PILOT = "BJ-PILOT/4-1203"


def _factory(url: str):  # noqa: ANN202
    return make_session_factory(make_engine(url))


def paid_order(url: str, at: datetime) -> str:
    """The owner pays the pilot household's arrears through the sandbox (the page's books); returns the order."""
    from app.payments import build_provider
    from app.services.tokens import token_secret
    from core.settings import Settings

    settings = Settings()  # STEWARD_DATABASE_URL / STEWARD_VAR_DIR of the wb_url fixture, like the page
    provider = build_provider(settings, token_secret(settings))
    factory = _factory(url)
    with factory() as s:
        order, _ = pay_service.create_order(
            s, provider, find_unit(s, PILOT), at=at, notify_url="http://api.test/n", return_url="http://api.test/r"
        )
        s.commit()

    def deliver(_url: str, headers: dict[str, str], body: bytes) -> None:
        with factory() as s:
            assert pay_service.handle_notification(s, provider, headers, body, at=at)[0] == "accepted"
            s.commit()

    provider.pay(order.order_no, deliver=deliver)
    return order.order_no


def _submit(at, amount: str, reason: str):  # noqa: ANN001, ANN202
    at.text_input(key="refund_amount").input(amount)
    at.text_area(key="refund_reason").input(reason)
    next(b for b in at.button if b.label == "确认退款").click()
    return at.run()


def _shown(elements) -> list[str]:  # noqa: ANN001
    """Messages as the reader sees them (inert() escapes Markdown punctuation with backslashes)."""
    return [str(e.value).replace("\\", "") for e in elements]


def _order(url: str, order_no: str) -> PaymentOrder:
    with _factory(url)() as s:
        return s.execute(select(PaymentOrder).where(PaymentOrder.order_no == order_no)).scalar_one()


def test_when_a_manager_refunds_part_of_a_reconciled_payment_then_the_household_owes_again(page, wb_url):
    order_no = paid_order(wb_url, datetime.now().replace(microsecond=0))
    at = page("payments", user="manager")
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["支付订单"], metrics["已对平"], metrics["不一致"]) == ("1", "1", "0")
    [row] = at.dataframe[0].value.to_dict("records")
    assert (row["订单号"], row["户号"], row["状态"], row["对账结果"]) == (order_no, PILOT, "已支付", "已对平")
    assert "当日订单、支付通知与入账核销全部一致" in [s.value for s in at.success]

    at = _submit(at, "560", "")
    assert any("请填写退款原因" in m for m in _shown(at.error))
    at = _submit(at, "1680.01", "多收")
    assert any("可退金额 1680.00 元" in m for m in _shown(at.error))
    assert _order(wb_url, order_no).refunded_cents == 0

    reason = "八月重复缴费 <img src=x onerror=alert(1)> **退回**"
    at = _submit(at, "560", reason)
    assert not at.exception, at.exception
    [done] = [m for m in _shown(at.success) if "已退款" in m]
    assert "该户待缴 560.00 元" in done and "案件状态：支付" in done
    raw = next(str(e.value) for e in at.success if "已退款" in str(e.value))
    assert "&lt;img src\\=x onerror\\=alert\\(1\\)&gt;" in raw and "<img" not in raw and "\\*\\*退回\\*\\*" in raw
    order = _order(wb_url, order_no)
    assert (order.status, order.refunded_cents) == ("refunded", 56000)
    with _factory(wb_url)() as s:
        unit = find_unit(s, PILOT)
        assert s.get(Unit, unit.id).case_state == "支付"
        event = s.execute(select(CaseEvent).where(CaseEvent.unit_id == unit.id).order_by(CaseEvent.id.desc())).scalar()
        assert (event.kind, event.from_state, event.to_state, event.actor) == ("refund", "已结清", "支付", "manager")
        [audited] = s.execute(select(AuditEvent).where(AuditEvent.action == "payment.refunded")).scalars()
        assert (audited.actor, audited.detail["reason"], audited.detail["amount_cents"]) == ("manager", reason, 56000)
    [row] = at.dataframe[0].value.to_dict("records")
    assert (row["状态"], row["已退款(元)"], row["对账结果"]) == ("已退款", "560.00", "已对平")


def test_when_the_chosen_day_has_no_orders_then_the_page_says_so(page, wb_url):
    paid_order(wb_url, datetime.now().replace(microsecond=0))
    at = page("payments", user="manager")
    at.date_input(key="recon_day").set_value(date(2024, 9, 2)).run()
    assert not at.exception
    assert "当日没有支付订单" in [i.value for i in at.info]
    assert "当日没有可退款的已支付订单" in [c.value for c in at.caption]


@pytest.mark.parametrize("user", ["demo", "ro"])
def test_when_a_steward_or_read_only_user_opens_the_payments_page_then_it_is_refused(page, user):
    assert page("payments", user=user).error[0].value == "当前角色无权查看此页面"


def test_when_compliance_opens_the_payments_page_then_it_reads_the_report_but_cannot_refund(page, wb_url):
    paid_order(wb_url, datetime.now().replace(microsecond=0))
    at = page("payments", user="compliance")
    assert not at.exception
    assert at.dataframe[0].value.to_dict("records")[0]["对账结果"] == "已对平"
    assert "退款须由经理或管理员办理" in [c.value for c in at.caption]
    assert not [b for b in at.button if b.label == "确认退款"]


@pytest.mark.parametrize("user", ["demo", "compliance"])
def test_when_a_non_manager_calls_the_refund_service_then_it_is_refused_and_nothing_moves(wb_url, user):
    from app.services.users import caller_for

    order_no = paid_order(wb_url, datetime.now().replace(microsecond=0))
    with _factory(wb_url)() as s:
        caller = caller_for(s, user)
        with pytest.raises(pay_service.RefundRefused, match="经理或管理员"):
            pay_service.refund_order(s, None, order_no, 100, caller=caller, reason="试试", at=datetime.now())
    assert _order(wb_url, order_no).refunded_cents == 0
