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
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
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
    env = {**os.environ, "STEWARD_DATABASE_URL": copy_template(wb_template, tmp_path / "browser.db"),
           "STEWARD_VAR_DIR": str(tmp_path / "var")}
    api_port, ui_port = _free_port(), _free_port()
    procs = start([scripted(api_command(api_port)), scripted(workbench_command(ui_port))], env=env,
                  log_dir=tmp_path)
    try:
        wait_healthy(f"http://127.0.0.1:{api_port}/health", procs)
        wait_healthy(f"http://127.0.0.1:{ui_port}/_stcore/health", procs)
        yield f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{ui_port}"
    finally:
        stop(procs)


def _idle(page) -> None:  # noqa: ANN001
    """Wait until the script run finished (no stale elements on screen)."""
    from playwright.sync_api import expect

    expect(page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]')).to_have_count(1)


def test_when_steward_uses_the_browser_then_a_plan_is_generated_and_approved(services):
    from playwright.sync_api import expect, sync_playwright

    api, ui = services
    assert "Steward" in httpx.get(f"{api}/docs").text
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1800})
        page.set_default_timeout(60_000)
        expect.set_options(timeout=60_000)
        page.goto(ui)
        page.get_by_label("用户名").fill("demo")
        page.get_by_label("密码").fill("steward-demo")
        page.get_by_role("button", name="登录").click()
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
