"""Real browser: the owner pays on the bill page through the sandbox cashier, the steward sees the case settle,
and a manager sees the payment reconciled on 对账与退款, refunds part of it and the household owes again."""

from __future__ import annotations

import httpx

from tests.workbench.test_browser import ARGS, CHROMIUM, _idle, services  # noqa: F401 - the fixture


def test_when_the_owner_pays_on_the_bill_page_then_the_case_settles_and_a_manager_reconciles_and_refunds(services):  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    api, ui = services
    token = httpx.post(f"{api}/auth/login", data={"username": "demo", "password": "steward-demo"}).json()
    auth = {"Authorization": f"Bearer {token['access_token']}"}
    link = httpx.post(f"{api}/households/BJ-PILOT/4-1203/bill-link", headers=auth).json()["url"]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        owner = browser.new_page(viewport={"width": 420, "height": 900})
        owner.set_default_timeout(60_000)
        expect.set_options(timeout=60_000)
        owner.goto(f"{api}{link}")
        owner.get_by_role("button", name="立即缴费 ¥1680.00").click()
        expect(owner.get_by_text("沙箱支付（测试环境，不产生真实扣款）")).to_be_visible()
        owner.get_by_role("button", name="确认支付 ¥1680.00").click()
        expect(owner.locator("#pay-result")).to_have_text("缴费成功，感谢您的支持！")
        owner.get_by_role("link", name="返回账单").click()
        expect(owner.get_by_text("您已缴清全部到期费用，感谢支持！")).to_be_visible()
        expect(owner.get_by_role("button", name="立即缴费")).to_have_count(0)

        steward = browser.new_page(viewport={"width": 1400, "height": 1600})
        steward.set_default_timeout(60_000)
        steward.goto(ui)
        steward.get_by_label("用户名").fill("demo")
        steward.get_by_label("密码").fill("steward-demo")
        steward.get_by_role("button", name="登录").click()
        expect(steward.get_by_text("今日待办").first).to_be_visible()
        steward.get_by_role("link", name="住户详情").click()
        steward.get_by_label("户号（项目编码/房号）").fill("BJ-PILOT/4-1203")
        steward.get_by_role("button", name="打开").click()
        _idle(steward)
        expect(steward.get_by_text("该户已结清欠费，不再发送催缴提醒")).to_be_visible()
        expect(steward.get_by_text("已结清").first).to_be_visible()
        expect(steward.get_by_role("link", name="对账与退款")).to_have_count(0)  # a steward cannot refund
        case = httpx.get(f"{api}/households/BJ-PILOT/4-1203/case", headers=auth).json()
        assert case["state"] == "已结清" and case["arrears"] == "0.00"
        assert case["events"][-1]["kind"] == "payment" and case["events"][-1]["actor"] == "payment-provider"

        # the manager sees today's payment reconciled, then gives part of it back
        manager = browser.new_page(viewport={"width": 1400, "height": 1600})
        manager.set_default_timeout(60_000)
        manager.goto(ui)
        manager.get_by_label("用户名").fill("manager")
        manager.get_by_label("密码").fill("steward-demo")
        manager.get_by_role("button", name="登录").click()
        manager.get_by_role("link", name="对账与退款").click()
        _idle(manager)
        metrics = manager.get_by_test_id("stMetric")
        expect(metrics.filter(has_text="已支付")).to_contain_text("1")
        expect(metrics.filter(has_text="已对平")).to_contain_text("1")
        expect(metrics.filter(has_text="不一致")).to_contain_text("0")
        expect(manager.get_by_text("当日订单、支付通知与入账核销全部一致")).to_be_visible()
        manager.get_by_label("退款金额（元）").fill("560")
        manager.get_by_label("退款原因（必填，留存审计）").fill("八月物业费重复缴纳，退回")
        manager.get_by_role("button", name="确认退款").click()
        _idle(manager)
        expect(manager.get_by_text("该户待缴 560.00 元，案件状态：支付", exact=False)).to_be_visible()
        expect(metrics.filter(has_text="已对平")).to_contain_text("1")  # a refund keeps the order reconciled
        manager.get_by_role("link", name="住户详情").click()
        manager.get_by_label("户号（项目编码/房号）").fill("BJ-PILOT/4-1203")
        manager.get_by_role("button", name="打开").click()
        _idle(manager)
        expect(manager.get_by_text("该户已结清欠费，不再发送催缴提醒")).to_have_count(0)
        browser.close()
    case = httpx.get(f"{api}/households/BJ-PILOT/4-1203/case", headers=auth).json()
    assert case["state"] == "支付" and case["arrears"] == "560.00"
    assert [e["kind"] for e in case["events"][-2:]] == ["payment", "refund"]
    assert case["events"][-1]["actor"] == "manager" and "八月物业费重复缴纳" in case["events"][-1]["reason"]
