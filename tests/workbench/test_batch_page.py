"""夜间批处理 page (AppTest): managers see each stage of the latest run; stewards do not get the page."""

from __future__ import annotations

from datetime import date

import pytest

from app.services.collections.batch import run_batch
from data.db.session import init_db


def test_when_a_manager_opens_the_batch_page_then_each_stage_of_the_latest_run_shows_its_progress(
    page, wb_url, tmp_path
):
    assert page("batch", user="manager").info[0].value.startswith("还没有批处理记录")
    engine = init_db(wb_url)
    summary = run_batch(engine, var_dir=tmp_path / "var", as_of=date(2024, 9, 2), diagnose="none")
    engine.dispose()
    at = page("batch", user="manager")
    assert not at.exception
    assert at.selectbox[0].value == summary.run_id
    assert [m.value for m in at.metric][:2] == ["已完成", "单进程"]
    texts = [p.proto.text for p in at.get("progress")]
    assert any(t.startswith(f"评分（分片）：完成 {summary.households}/{summary.households}") for t in texts), texts


@pytest.mark.parametrize("user", ["demo", "compliance"])
def test_when_a_steward_or_compliance_opens_the_batch_page_then_it_is_refused(page, user):
    assert page("batch", user=user).error[0].value == "当前角色无权查看此页面"
