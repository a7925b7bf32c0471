"""Real browser: the owner pays on the bill page through the sandbox cashier and the steward sees the case settle."""

from __future__ import annotations

import httpx

from tests.workbench.test_browser import ARGS, CHROMIUM, _idle, services  # noqa: F401 - the fixture


def test_when_the_owner_pays_on_the_bill_page_then_the_case_is_settled_in_the_workbench(services):  # noqa: F811
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
        browser.close()
    case = httpx.get(f"{api}/households/BJ-PILOT/4-1203/case", headers=auth).json()
    assert case["state"] == "已结清" and case["arrears"] == "0.00"
    assert case["events"][-1]["kind"] == "payment" and case["events"][-1]["actor"] == "payment-provider"
