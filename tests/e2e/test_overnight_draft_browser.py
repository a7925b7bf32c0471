"""End to end on the embedded model and a real browser: the night drafts the pilot's plan with the real model,
and the steward who opens the household next morning sees it at once, without generating anything."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import func, select

from app.run_all import start, stop, wait_healthy, workbench_command
from app.services.collections.batch import Drafting, run_batch
from app.services.collections.diagnosis import graph_diagnoser
from data.db.session import make_session_factory
from data.db.workflow import Diagnosis, DunningPlan
from data.repositories.households import business_date
from knowledge_base.catalog import load_causes
from tests.api.helpers import build_portfolio
from tests.workbench.test_browser import ARGS, CHROMIUM, _free_port, _idle

pytestmark = [pytest.mark.llm, pytest.mark.embedding]
PILOT = "BJ-PILOT/4-1203"


def _counts(engine) -> tuple[int, int]:  # noqa: ANN001
    with make_session_factory(engine)() as s:
        return (
            s.execute(select(func.count()).select_from(DunningPlan)).scalar_one(),
            s.execute(select(func.count()).select_from(Diagnosis)).scalar_one(),
        )


def test_when_the_night_drafted_the_pilot_on_the_real_model_then_the_browser_shows_it_without_generating(
    real_settings, tmp_path
):
    from playwright.sync_api import expect, sync_playwright

    if not CHROMIUM.exists():
        pytest.fail("未安装 chromium（/usr/bin/chromium）：请先运行 make browser")
    url = f"sqlite:///{tmp_path / 'night.db'}"
    engine = build_portfolio(url)
    settings = real_settings.model_copy(update={"database_url": url, "var_dir": tmp_path / "var"})
    with make_session_factory(engine)() as s:
        day = business_date(s, settings.as_of)
    with graph_diagnoser(settings, day) as diagnoser:  # the configured endpoint: the embedded model
        night = run_batch(
            engine, var_dir=settings.var_dir, as_of=day, diagnoser=diagnoser, drafting=Drafting(top=0, include=(PILOT,))
        )
    assert night.diagnosed == 1 and night.diagnosis_failed == 0
    drafted = _counts(engine)
    with make_session_factory(engine)() as s:
        plan = s.execute(select(DunningPlan).where(DunningPlan.status == "awaiting_approval")).scalar_one()
        cause = s.get(Diagnosis, plan.diagnosis_id).primary_cause_id
        first_message = next(step.message for step in plan.steps if step.channel != "internal")
    names = {c.id: c.name for c in load_causes()}
    env = {**os.environ, "STEWARD_DATABASE_URL": url, "STEWARD_VAR_DIR": str(tmp_path / "var")}
    port = _free_port()
    procs = start([workbench_command(port)], env=env, log_dir=tmp_path)
    try:
        wait_healthy(f"http://127.0.0.1:{port}/_stcore/health", procs)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1800})
            page.set_default_timeout(60_000)
            expect.set_options(timeout=60_000)
            page.goto(f"http://127.0.0.1:{port}")
            page.get_by_label("用户名").fill("demo")
            page.get_by_label("密码").fill("steward-demo")
            page.get_by_role("button", name="登录").click()
            expect(page.get_by_text("今日待办").first).to_be_visible()
            page.get_by_role("link", name="住户详情").click()
            page.get_by_label("户号（项目编码/房号）").fill(PILOT)
            page.get_by_role("button", name="打开").click()
            _idle(page)
            expect(page.get_by_text("夜间批处理预生成").first).to_be_visible()
            expect(page.get_by_role("button", name="✅ 批准方案")).to_be_visible()
            expect(page.get_by_text(f"诊断：{names[cause]}").first).to_be_visible()
            browser.close()
    finally:
        stop(procs)
    assert _counts(engine) == drafted  # opening the page generated nothing
    print(f"\nE2E overnight draft: {PILOT} cause {cause}; first message: {first_message[:60]}")
