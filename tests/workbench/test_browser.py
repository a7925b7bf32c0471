"""Real browser (Debian chromium, headless): log in, open the pilot, generate a plan, approve it, screenshot."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import httpx
import pytest

from app.run_all import api_command, start, stop, wait_healthy, workbench_command
from core.settings import PROJECT_ROOT
from tests.api.helpers import copy_template
from tests.support.scripted_host import scripted

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOT = PROJECT_ROOT / "artifacts" / "workbench-plan-approved.png"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def services(wb_template: Path, tmp_path: Path):
    """API and workbench on free ports against a private portfolio, with the test-only scripted model."""
    if not CHROMIUM.exists():
        pytest.fail("未安装 chromium（/usr/bin/chromium）：请先运行 make browser")
    env = {
        **os.environ,
        "STEWARD_DATABASE_URL": copy_template(wb_template, tmp_path / "browser.db"),
        "STEWARD_VAR_DIR": str(tmp_path / "var"),
    }
    api_port, ui_port = _free_port(), _free_port()
    procs = start([scripted(api_command(api_port)), scripted(workbench_command(ui_port))], env=env, log_dir=tmp_path)
    try:
        wait_healthy(f"http://127.0.0.1:{api_port}/health", procs)
        wait_healthy(f"http://127.0.0.1:{ui_port}/_stcore/health", procs)
        yield f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{ui_port}"
    finally:
        stop(procs)


def _logged_in(pw, ui: str, user: str, height: int = 1400):  # noqa: ANN001, ANN202
    """A headless chromium page of the workbench, logged in as ``user`` (the demo password)."""
    from playwright.sync_api import expect

    browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
    page = browser.new_page(viewport={"width": 1400, "height": height})
    page.set_default_timeout(60_000)
    expect.set_options(timeout=60_000)
    page.goto(ui)
    page.get_by_label("用户名").fill(user)
    page.get_by_label("密码").fill("steward-demo")
    page.get_by_role("button", name="登录").click()
    return browser, page


def _idle(page) -> None:  # noqa: ANN001
    """Wait until the script run finished (no stale elements on screen)."""
    from playwright.sync_api import expect

    expect(page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]')).to_have_count(1)


def test_when_steward_uses_the_browser_then_a_plan_is_generated_and_approved(services):
    from playwright.sync_api import expect, sync_playwright

    api, ui = services
    assert "Steward" in httpx.get(f"{api}/docs").text
    with sync_playwright() as pw:
        browser, page = _logged_in(pw, ui, "demo", height=1800)
        expect(page.get_by_text("今日待办").first).to_be_visible()
        page.get_by_role("link", name="住户详情").click()
        page.get_by_label("户号（项目编码/房号）").fill("BJ-PILOT/4-1203")
        page.get_by_role("button", name="打开").click()
        expect(page.get_by_text("¥1680.00")).to_be_visible()
        page.get_by_role("button", name="一键生成方案").click()
        expect(page.get_by_text("合规校验通过")).to_be_visible()
        page.get_by_role("button", name="批准方案").click()
        expect(page.get_by_text("✅ 已批准")).to_be_visible()
        _idle(page)
        expect(page.get_by_role("button", name="批准方案")).to_have_count(0)
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)
        browser.close()
    assert SCREENSHOT.stat().st_size > 10_000


PAYLOADS = {
    "chat-img": '<img src=x onerror="window.__pwned=1;alert(1)">图片',
    "chat-iframe": '<iframe srcdoc="<script>parent.__pwned=2;parent.alert(2)</script>"></iframe>框架',
    "chat-link": "[点我查看账单](javascript:window.__pwned=4) ![x](http://127.0.0.1:9/beacon.png) :red[红字]",
    "ticket-script": "<script>window.__pwned=3;alert(3)</script>电梯坏了",
    "claim-svg": "<svg onload=alert(5)>公摊不清",
}


def _ingest_hostile_evidence(api: str) -> None:
    token = httpx.post(f"{api}/auth/login", data={"username": "admin", "password": "steward-demo"}).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    where = {"项目编码": "BJ-PILOT", "房号": "4-1203"}
    chats = [
        where | {"消息编号": f"x-{name}", "时间": f"2024-08-2{i} 10:00", "发言人": "业主", "内容": text}
        for i, (name, text) in enumerate(PAYLOADS.items())
        if name.startswith("chat")
    ]
    tickets = [where | {"工单编号": "X-1", "工单描述": PAYLOADS["ticket-script"], "创建时间": "2024-08-25 09:00"}]
    claims = [
        where
        | {
            "诉求编号": "X-C1",
            "诉求类型": "物业费构成不清晰",
            "诉求事项": PAYLOADS["claim-svg"],
            "提出时间": "2024-08-26",
        }
    ]
    for kind, rows in (("chats", chats), ("tickets", tickets), ("claims", claims)):
        r = httpx.post(f"{api}/ingest/{kind}", json=rows, headers=headers, timeout=60)
        assert r.status_code == 200 and not r.json()["problems"], r.text


def test_finding2_owner_html_and_markdown_in_evidence_run_nothing_and_show_as_text(services):
    from playwright.sync_api import expect, sync_playwright

    api, ui = services
    _ingest_hostile_evidence(api)
    dialogs: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1800})
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.set_default_timeout(60_000)
        expect.set_options(timeout=60_000)
        page.goto(ui)
        page.get_by_label("用户名").fill("demo")
        page.get_by_label("密码").fill("steward-demo")
        page.get_by_role("button", name="登录").click()
        page.get_by_role("link", name="住户详情").click()
        page.get_by_label("户号（项目编码/房号）").fill("BJ-PILOT/4-1203")
        page.get_by_role("button", name="打开").click()
        page.get_by_role("tab", name="证据时间线").click()
        expect(page.get_by_text("电梯坏了", exact=False).first).to_be_visible()
        _idle(page)
        page.wait_for_timeout(1500)  # time for any injected handler to fire
        shown = page.locator('[data-testid="stMain"]').inner_text()
        flag = page.evaluate("window.__pwned")
        hostile = page.locator('[data-testid="stMain"]').evaluate(
            'm => m.querySelectorAll(\'img[src="x"], iframe, script, svg[onload], a[href^="javascript"], '
            'img[src*="beacon"]\').length'
        )
        page.screenshot(path=str(PROJECT_ROOT / "artifacts" / "workbench-hostile-evidence.png"), full_page=True)
        browser.close()
    assert flag is None and dialogs == []
    assert hostile == 0
    for needle in (
        '<img src=x onerror="window.__pwned=1;alert(1)">',
        "<iframe srcdoc=",
        "<script>window.__pwned=3",
        "[点我查看账单](javascript:window.__pwned=4)",
        "![x](http://127.0.0.1:9/beacon.png)",
        ":red[红字]",
        "<svg onload=alert(5)>",
    ):
        assert needle in shown, needle


def test_when_a_manager_changes_quiet_hours_in_the_browser_then_the_setting_is_in_force(services):
    """The settings centre in a real browser: the manager saves a later start of contact hours for a project."""
    from playwright.sync_api import expect, sync_playwright

    api, ui = services
    with sync_playwright() as pw:
        browser, page = _logged_in(pw, ui, "manager")
        page.get_by_role("link", name="策略设置").click()
        expect(page.get_by_text("免打扰时段、节假日和联系上限").first).to_be_visible()
        page.get_by_label("新值（留空则清除本级设置，恢复上一级）").fill("09:30")
        page.get_by_label("修改原因").fill("业主反映早上太早")
        page.get_by_role("button", name="保存").click()
        expect(page.get_by_text("已保存：允许联系开始时间 = 09:30（版本 1）")).to_be_visible()
        _idle(page)
        browser.close()
    token = httpx.post(f"{api}/auth/login", data={"username": "admin", "password": "steward-demo"}).json()
    audit = httpx.get(
        f"{api}/audit",
        params={"action": "settings.changed"},
        headers={"Authorization": f"Bearer {token['access_token']}"},
    )
    assert audit.status_code == 200, audit.text
    assert "settings.changed" in audit.text and "manager" in audit.text
