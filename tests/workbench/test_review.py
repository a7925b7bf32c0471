"""The 评审打分 page: role gate, scoring eval cases and saved plans, agreement with judge and rules, CSV export."""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from app.workbench.shell import page_table
from core.domain.compliance import RULE_IDS
from data.db.evals import EvalReview
from data.db.session import make_engine, make_session_factory
from data.db.workflow import AuditEvent
from evals.review_page import Target, form_key

RUN = "20240902-100000"
OLD_RUN = "20240801-090000"
AT = datetime(2024, 9, 2, 10, 0)
BAD, OK, SPLIT = (Target(case_id=c, run_id=RUN) for c in ("c-bad", "c-ok", "c-split"))


def _case(
    cid: str,
    *,
    guard: bool,
    indep: bool,
    tone: int,
    failures: list[dict] | None = None,
    violations: list[dict] | None = None,
    message: str = "王女士您好，6 月至 8 月物业费 1680.00 元待缴。",
) -> dict:
    return {
        "id": cid,
        "source": "hard",
        "household": "BJ-PILOT/4-1203",
        "description": f"样例 {cid}",
        "expected": {"primary": "svc.cleaning_greening"},
        "error": None,
        "passed": guard and indep,
        "scores": {
            "cause": {"top1": cid != "c-bad", "top3": True, "predicted": "svc.cleaning_greening"},
            "compliance": {
                "guardrail_passed": guard,
                "guardrail_rules": sorted({f["rule"] for f in failures or []}),
                "independent_passed": indep,
                "independent_rules": sorted({v["rule"] for v in violations or []}),
                "independent_violations": violations or [],
                "agree": guard == indep,
                "passed": guard and indep,
            },
            "tone": {"score": tone, "reason": "规则打分", "judge": "scripted"},
        },
        "checks": {"cause": True, "compliance": guard and indep},
        "diagnosis": {
            "primary_cause": {
                "id": "svc.cleaning_greening",
                "name": "保洁绿化维护不足",
                "dimension": "物业服务",
                "category": "基础服务缺陷",
            },
            "confidence": 0.7,
            "explanation": "业主多次反映楼道垃圾无人清理。",
            "citations": [{"cause_id": "svc.cleaning_greening", "evidence_ids": ["msg:m1"]}],
        },
        "plan": {
            "stage": "初级",
            "strategy_label": "服务优先",
            "arrears": "1680.00",
            "notes": [],
            "is_fallback": False,
            "steps": [
                {
                    "seq": 1,
                    "date": "2024-09-02",
                    "window": ["09:00", "18:00"],
                    "channel": "internal",
                    "action": "安排保洁",
                    "role_name": "保洁主管",
                    "outgoing": False,
                    "message": "",
                },
                {
                    "seq": 2,
                    "date": "2024-09-03",
                    "window": ["10:00", "12:00"],
                    "channel": "wechat",
                    "action": "致歉并提醒",
                    "role_name": "管家",
                    "outgoing": True,
                    "message": message,
                },
            ],
        },
        "validation": {"passed": guard, "failures": failures or []},
        "owner_lines": ["[msg:m1] 楼道的垃圾堆了一周没人管"],
    }


CASES = [
    _case("c-ok", guard=True, indep=True, tone=5),
    _case(
        "c-bad",
        guard=False,
        indep=False,
        tone=2,
        message="再不交就停水。",
        failures=[{"rule": "no_utility_threat", "step_id": "2", "excerpt": "停水", "message": "不得以停水相威胁"}],
        violations=[{"rule": "ind.utility_threat", "step": 2, "excerpt": "停水"}],
    ),
    _case(
        "c-split",
        guard=True,
        indep=False,
        tone=4,
        violations=[{"rule": "ind.sms_opt_out", "step": 2, "excerpt": "待缴。"}],
    ),
]


def _report(run_id: str, cases: list[dict]) -> dict:
    return {
        "meta": {
            "run_id": run_id,
            "suite": "golden",
            "model": "scripted",
            "judge": "scripted",
            "prompt_version": "p1",
            "kb_version": "k1",
        },
        "summary": {},
        "cases": cases,
    }


@pytest.fixture
def reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two reports (the newer one has three cases) and a stray JSON file, in a folder set through the settings."""
    folder = tmp_path / "reports"
    folder.mkdir()
    old = folder / f"{OLD_RUN}-golden-scripted.json"
    old.write_text(json.dumps(_report(OLD_RUN, CASES[:1]), ensure_ascii=False), encoding="utf-8")
    os.utime(old, (1_700_000_000, 1_700_000_000))
    new = folder / f"{RUN}-golden-scripted.json"
    new.write_text(json.dumps(_report(RUN, CASES), ensure_ascii=False), encoding="utf-8")
    os.utime(new, (1_700_000_100, 1_700_000_100))
    monkeypatch.setenv("STEWARD_EVAL_REPORTS_DIR", str(folder))
    return folder


def _session(url: str):  # noqa: ANN202
    return make_session_factory(make_engine(url))()


def _reviews(url: str) -> list[EvalReview]:
    with _session(url) as s:
        return list(s.execute(select(EvalReview).order_by(EvalReview.id)).scalars())


def _audit_actions(url: str) -> list[str]:
    with _session(url) as s:
        return s.execute(select(AuditEvent.action)).scalars().all()


def _seed(url: str, *rows: dict) -> None:
    from app.services.reviews import add_review

    with _session(url) as s:
        for i, row in enumerate(rows):
            add_review(s, reviewer=row.pop("reviewer", "compliance"), at=AT.replace(minute=i), **row)
        s.commit()


def _metrics(at) -> dict[str, str]:  # noqa: ANN001
    return {m.label: m.value for m in at.metric}


def test_when_a_steward_or_manager_opens_the_review_page_then_it_is_refused(page, reports):
    roles = page_table()["review"][3]
    assert {"compliance", "admin"} <= roles and not roles & {"steward", "manager", "readonly"}
    for user in ("demo", "manager"):
        assert page("review", user=user).error[0].value == "当前角色无权查看此页面"


def test_when_compliance_opens_the_page_then_the_newest_report_and_its_case_drill_down_show(page, reports):
    at = page("review", user="compliance")
    assert not at.exception, at.exception
    assert at.selectbox(key="rv_report").options == [f"{RUN}-golden-scripted.json", f"{OLD_RUN}-golden-scripted.json"]
    at.selectbox(key="rv_case").select("c-bad").run()
    metrics = _metrics(at)
    assert (
        metrics["护栏校验"] == "❌ 未通过" and metrics["独立校验"] == "❌ 未通过" and metrics["评审模型语气"] == "2 分"
    )
    markdown = "\n".join(m.value for m in at.markdown)
    assert "再不交就停水。" in markdown and "楼道的垃圾堆了一周没人管" in markdown and "保洁绿化维护不足" in markdown
    warnings = [w.value for w in at.warning]
    assert any(w.startswith("护栏：不得以停水停电停暖停气") for w in warnings)
    assert any(w.startswith("独立校验：威胁停水停电") for w in warnings)


def test_when_a_report_is_open_then_its_reliability_and_the_errors_unsure_caught_show(page, reports):
    at = page("review", user="compliance")
    assert not at.exception, at.exception
    assert "置信度校准（可靠性图）" in [h.value for h in at.subheader]
    metrics = _metrics(at)
    # three cases at confidence 0.7, one wrong: accuracy 2/3, none flagged unsure, so 0 of 1 error caught
    assert metrics["原因准确率"] == "67%" and metrics["平均置信度"] == "70%"
    assert metrics["不确定提示拦下的错误"] == "0/1"


def test_when_the_admin_opens_the_page_then_it_renders(page, reports):
    at = page("review", user="admin")
    assert not at.exception and at.header[0].value == "评审打分"


def test_when_a_reviewer_submits_the_form_then_the_review_is_stored_and_audited(page, reports, wb_url):
    at = page("review", user="compliance")
    at.selectbox(key="rv_case").select("c-bad").run()
    at.radio(key=form_key(BAD, "rule_no_utility_threat")).set_value("未通过")
    at.radio(key=form_key(BAD, "rule_amount_mismatch")).set_value("通过")
    at.radio(key=form_key(BAD, "tone")).set_value(2)
    at.text_area(key=form_key(BAD, "comment")).input("第 2 步以停水相威胁")
    at.button(key=form_key(BAD, "submit")).click().run()
    assert not at.exception, at.exception
    [row] = _reviews(wb_url)
    assert (row.reviewer, row.case_id, row.run_id, row.plan_id) == ("compliance", "c-bad", RUN, None)
    assert row.rule_results == {"no_utility_threat": False, "amount_mismatch": True}
    assert row.passed is False and row.tone == 2 and row.comment == "第 2 步以停水相威胁"
    assert "review.add" in _audit_actions(wb_url)
    assert any(s.value.startswith(f"已保存评分 #{row.id}") for s in at.success)
    assert at.radio(key=form_key(BAD, "rule_no_utility_threat")).value == "未评"
    assert at.radio(key=form_key(BAD, "tone")).value == 0
    reviews = next(d.value for d in at.dataframe if "评审人" in d.value.columns)
    assert reviews["评审人"].tolist() == ["compliance"] and reviews["运行"].tolist() == [RUN]


def test_when_rest_pass_is_ticked_then_every_rule_is_recorded(page, reports, wb_url):
    at = page("review", user="compliance")
    at.radio(key=form_key(OK, "rule_quiet_hours")).set_value("未通过")
    at.checkbox(key=form_key(OK, "rest_pass")).check()
    at.button(key=form_key(OK, "submit")).click().run()
    [row] = _reviews(wb_url)
    assert set(row.rule_results) == set(RULE_IDS) and row.case_id == "c-ok" and row.tone is None
    assert [r for r, ok in row.rule_results.items() if not ok] == ["quiet_hours"] and row.passed is False


def test_when_nothing_is_judged_then_a_chinese_error_shows_and_nothing_is_stored(page, reports, wb_url):
    at = page("review", user="compliance")
    at.text_area(key=form_key(OK, "comment")).input("只写了评语")
    at.button(key=form_key(OK, "submit")).click().run()
    assert [e.value for e in at.error] == ["评分未保存：请至少评定一条规则或给出语气评分"]
    assert _reviews(wb_url) == [] and "review.add" not in _audit_actions(wb_url)
    assert at.text_area(key=form_key(OK, "comment")).value == "只写了评语"


def test_when_the_reviewer_moves_to_another_case_then_the_entries_do_not_carry_over(page, reports):
    at = page("review", user="compliance")
    at.text_area(key=form_key(OK, "comment")).input("还没评完")
    at.button(key=form_key(OK, "submit")).click().run()  # refused, the entry stays in the form of c-ok
    assert at.text_area(key=form_key(OK, "comment")).value == "还没评完"
    at.selectbox(key="rv_case").select("c-split").run()
    [comment] = at.text_area
    assert comment.key == form_key(SPLIT, "comment") and comment.value == ""


def test_when_reviews_are_stored_then_agreement_is_computed_for_this_run_only(page, reports, wb_url):
    _seed(
        wb_url,
        {"case_id": "c-ok", "run_id": RUN, "passed": True, "tone": 5},
        {"case_id": "c-bad", "run_id": RUN, "passed": False, "tone": 3},
        {"case_id": "c-split", "run_id": RUN, "passed": True, "tone": 4},
        {"case_id": "c-ok", "run_id": OLD_RUN, "passed": False, "tone": 1},
    )  # newest, but another run
    at = page("review", user="compliance")
    assert not at.exception, at.exception
    metrics = _metrics(at)
    assert metrics["已评审用例"] == "3/3"
    assert metrics["语气完全一致"] == "67%" and metrics["语气相差 ≤1"] == "100%"
    table = next(d.value for d in at.dataframe if "对比" in d.value.columns).set_index("对比")
    assert table.loc["结论：评审员 vs 护栏", "一致率"] == "100%"
    assert table.loc["结论：评审员 vs 独立校验", "一致率"] == "67%"
    assert table.loc["结论：护栏 vs 独立校验", "样本"] == 3
    # the tone distribution of the reviewed cases and the run's reliability diagram
    assert len(at.get("arrow_vega_lite_chart")) + len(at.get("vega_lite_chart")) == 2
    at.radio(key="rv_case_filter").set_value("未评审").run()
    assert "没有符合条件的用例" in [i.value for i in at.info]


@pytest.fixture
def media(monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """Files handed to the browser by download buttons, by URL file name."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    served: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def recording(self, path_or_data, mimetype, kind, filename=None):  # noqa: ANN001, ANN202
        file_id = original(self, path_or_data, mimetype, kind, filename)
        served[file_id] = path_or_data if isinstance(path_or_data, bytes) else Path(path_or_data).read_bytes()
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", recording)
    return served


def test_when_reviews_are_exported_then_the_csv_has_every_row_and_the_export_is_audited(page, reports, wb_url, media):
    _seed(
        wb_url,
        {"case_id": "c-ok", "run_id": RUN, "tone": 5, "comment": "语气得体"},
        {
            "reviewer": "admin",
            "plan_id": None,
            "case_id": "c-bad",
            "run_id": OLD_RUN,
            "rule_results": {"no_utility_threat": False},
        },
    )
    at = page("review", user="compliance")
    button = at.get("download_button")[0]
    assert button.label == "导出全部评分 CSV（2 条）"
    file_id = button.proto.url.rsplit("/", 1)[-1].split(".")[0]
    rows = list(csv.DictReader(io.StringIO(media[file_id].decode("utf-8").lstrip("\ufeff"))))
    assert [(r["reviewer"], r["case_id"], r["run_id"]) for r in rows] == [
        ("admin", "c-bad", OLD_RUN),
        ("compliance", "c-ok", RUN),
    ]
    assert rows[0]["rule_results"] == '{"no_utility_threat": false}' and rows[1]["comment"] == "语气得体"
    button.click().run()
    assert "review.export" in _audit_actions(wb_url)


def _save_plan(url: str, message: str) -> int:
    from data.repositories.households import find_unit
    from data.repositories.plans import save_draft

    step = {
        "seq": 1,
        "date": "2024-09-03",
        "window": ["10:00", "12:00"],
        "channel": "wechat",
        "fallback_channel": None,
        "template_id": None,
        "action": "提醒缴费",
        "message": message,
        "role": "steward",
    }
    with _session(url) as s:
        unit = find_unit(s, "BJ-PILOT/4-1203")
        plan = save_draft(
            s,
            unit_id=unit.id,
            actor="demo",
            at=AT,
            thread_id=None,
            diagnosis={
                "primary_cause_id": "svc.cleaning_greening",
                "confidence": 0.6,
                "explanation": "楼道卫生问题",
                "citations": [],
            },
            plan={"stage": "初级", "strategy": "service_first", "strategy_label": "服务优先", "steps": [step]},
            validation={"passed": True, "failures": []},
        )
        s.commit()
        return plan.id


def test_when_a_saved_plan_is_reviewed_then_the_review_points_at_the_plan(page, reports, wb_url):
    plan_id = _save_plan(wb_url, "王女士您好，再不交就停水。")
    at = page("review", user="compliance")
    at.radio(key="rv_source").set_value("plan").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="rv_plan").value == plan_id
    metrics = _metrics(at)
    assert metrics["护栏校验"] == "✅ 通过" and metrics["独立校验"] == "❌ 未通过" and metrics["评审模型语气"] == "—"
    assert any(w.value.startswith("独立校验：威胁停水停电") for w in at.warning)
    target = Target(plan_id=plan_id)
    at.radio(key=form_key(target, "rule_no_utility_threat")).set_value("未通过")
    at.radio(key=form_key(target, "tone")).set_value(1)
    at.button(key=form_key(target, "submit")).click().run()
    [row] = _reviews(wb_url)
    assert (row.plan_id, row.case_id, row.run_id, row.tone) == (plan_id, None, None, 1)
    assert row.rule_results == {"no_utility_threat": False}
    at.checkbox(key="rv_plan_unreviewed").check().run()
    assert "没有符合条件的方案草稿" in at.info[0].value


def test_when_saved_plans_are_listed_then_only_the_callers_projects_and_statuses_show(wb_url):
    from app.services.plan_runs import recent_plans
    from core.scope import CallerScope

    plan_id = _save_plan(wb_url, "王女士您好，物业费 1680.00 元待缴。")
    with _session(wb_url) as s:
        assert [p["id"] for p in recent_plans(s, CallerScope("bj", frozenset({"BJ-PILOT"})))] == [plan_id]
        assert recent_plans(s, CallerScope("sh", frozenset({"SH-PD"}))) == []
        assert recent_plans(s, CallerScope("c"), statuses=("approved",)) == []
        [row] = recent_plans(s, CallerScope("c"), statuses=("awaiting_approval",))
    assert (row["household"], row["status_name"]) == ("BJ-PILOT/4-1203", "待审批")
