"""评审打分: compliance reviewers score eval-report cases and saved plan drafts; agreement with judge and rules."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from app.plugins import WorkbenchPage
from app.services.users import AUDIT_ROLES, Caller
from app.workbench.components import md_escape
from app.workbench.runtime import Runtime
from core.domain.compliance import FAMILIES, RULE_IDS, RULE_TITLES
from data.db.evals import EvalReview
from evals.report_html import model_title

SOURCES = {"case": "评测报告用例", "plan": "已保存的方案草稿"}
CASE_FILTERS = ("全部", "未评审", "用例未通过", "护栏与独立校验不一致")
PLAN_STATUSES = {
    "全部": None,
    "待审批": ("awaiting_approval",),
    "已批准": ("approved",),
    "已驳回": ("ignored", "rejected"),
    "未通过校验": ("blocked",),
    "已被新版本替代": ("superseded",),
}
VERDICTS = ("未评", "通过", "未通过")
TONE_OPTIONS = (0, 5, 4, 3, 2, 1)
TONE_CAPTIONS = {
    0: "本次不评语气",
    5: "礼貌体贴，无压迫感",
    4: "礼貌得体，略显公式化",
    3: "基本礼貌，有生硬或催促",
    2: "强硬、施压或指责",
    1: "威胁、恐吓或羞辱",
}
FAMILY_NAMES = {
    "consent": "联系许可",
    "schedule": "时段与频次",
    "coercion": "威胁与冒用名义",
    "lexicon": "用语",
    "privacy": "隐私与第三方",
    "amounts": "金额",
    "sms": "短信",
    "escalation": "逐级推进",
}
CHECK_NAMES = {
    "cause": "原因",
    "compliance": "合规",
    "policy": "策略",
    "requirements": "用例要求",
    "pii": "隐私",
    "citations": "引用",
}
CHANNELS = {
    "sms": "短信",
    "wechat": "微信",
    "phone": "电话",
    "visit": "上门",
    "letter": "书面函件",
    "email": "邮件",
    "notice": "公告",
    "internal": "内部",
}
FORM_FIELDS = ("tone", "comment", "rest_pass", *(f"rule_{r}" for r in RULE_IDS))
ALL_ROWS = 1_000_000


@dataclass(frozen=True)
class Target:
    """What a review is about: an eval case of one run, or a saved plan."""

    case_id: str | None = None
    run_id: str | None = None
    plan_id: int | None = None

    @property
    def key(self) -> str:
        """Stable identity of the draft (keys the form's widgets)."""
        return f"plan:{self.plan_id}" if self.plan_id is not None else f"case:{self.run_id}:{self.case_id}"


def form_key(target: Target, field: str) -> str:
    """Widget key of a form field; one set per draft, so verdicts never carry over to another draft."""
    return f"rv_{field}@{target.key}"


# ---------------------------------------------------------------- reports


def report_files(folder: Path) -> list[Path]:
    """Report JSON files in ``folder``, newest first."""
    if not folder.is_dir():
        return []
    return sorted(folder.glob("*.json"), key=lambda p: (p.stat().st_mtime, p.name), reverse=True)


@st.cache_data(show_spinner=False, max_entries=8)
def _read_report(path: str, mtime: float) -> dict | None:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("meta"), dict) or not isinstance(data.get("cases"), list):
        return None
    return data


def load_report(path: Path) -> dict | None:
    """An eval report (None when the file is not one)."""
    return _read_report(str(path), path.stat().st_mtime)


@lru_cache(maxsize=1)
def _causes() -> dict[str, dict[str, str]]:
    from knowledge_base.catalog import load_causes

    try:
        return {
            c.id: {"id": c.id, "name": c.name, "dimension": c.dimension, "category": c.category} for c in load_causes()
        }
    except Exception:  # a broken knowledge base only costs the names
        return {}


def _cause_name(cause_id: str) -> str:
    return _causes().get(cause_id, {}).get("name", cause_id)


def _case_matches(case: dict, choice: str, reviewed: set[str]) -> bool:
    if choice == "未评审":
        return case["id"] not in reviewed
    if choice == "用例未通过":
        return not case.get("passed")
    if choice == "护栏与独立校验不一致":
        comp = (case.get("scores") or {}).get("compliance") or {}
        return bool(comp) and comp.get("guardrail_passed") != comp.get("independent_passed")
    return True


def case_draft(case: dict) -> dict:
    """The drill-down of one report case in the form the page shows."""
    scores = case.get("scores") or {}
    comp, tone = scores.get("compliance") or {}, scores.get("tone") or {}
    diag = case.get("diagnosis") or {}
    validation = case.get("validation") or {}
    return {
        "household": case.get("household", ""),
        "owner_lines": case.get("owner_lines") or [],
        "diagnosis": diag,
        "cause": diag.get("primary_cause") or {},
        "plan": case.get("plan") or {},
        "guardrail": {
            "passed": comp.get("guardrail_passed", validation.get("passed")),
            "failures": validation.get("failures", []),
        },
        "independent": {"passed": comp.get("independent_passed"), "violations": comp.get("independent_violations", [])},
        "tone": tone if tone.get("score") is not None else None,
        "error": case.get("error"),
    }


# ---------------------------------------------------------------- saved plans


def _outgoing_steps(steps: list[dict]) -> list[dict]:
    return [s | {"outgoing": bool((s.get("message") or "").strip()) and s.get("channel") != "internal"} for s in steps]


def plan_draft(session: Session, caller: Caller, plan_id: int) -> dict:
    """A saved plan with its guardrail report and a fresh independent check against today's ledger."""
    from app.services.plan_runs import scoped_plan, stored_plan
    from evals.facts import load_truth
    from evals.rules_independent import RuleContext, check_plan

    stored = stored_plan(session, scoped_plan(session, caller.scope, plan_id))
    steps = _outgoing_steps(stored["steps"])
    plan = {
        "stage": stored["stage"],
        "strategy_label": stored["summary"],
        "steps": steps,
        "is_fallback": stored["is_fallback"],
    }
    try:
        truth = load_truth(session, stored["household"])
        ctx = RuleContext(
            arrears=truth.arrears,
            monthly_fee=truth.monthly_fee,
            opted_out_all=truth.opted_out_all,
            opted_out_channels=truth.opted_out_channels,
            blacklisted=truth.blacklisted,
        )
        plan["arrears"] = str(truth.arrears)
        violations = check_plan(plan, ctx)
        independent = {
            "passed": not violations,
            "violations": [{"rule": v.rule, "step": v.step, "excerpt": v.excerpt} for v in violations],
        }
    except (LookupError, ValueError):
        independent = {"passed": None, "violations": []}
    diag = stored["diagnosis"] or {}
    cause_id = diag.get("primary_cause_id", "")
    validation = stored["validation"] or {}
    return {
        "household": stored["household"],
        "owner_lines": None,
        "diagnosis": diag,
        "cause": _causes().get(cause_id) or {"id": cause_id, "name": cause_id},
        "plan": plan,
        "guardrail": {"passed": validation.get("passed"), "failures": validation.get("failures", [])},
        "independent": independent,
        "tone": None,
        "error": None,
        "meta": f"方案 #{stored['id']} 第 {stored['version']} 版 · {stored['status_name']} · 生成于 {stored['created_at']}",
    }


def _owner_lines(rt: Runtime, caller: Caller, household: str, limit: int = 12) -> list[str]:
    from tools.contracts import ChatLine, Evidence
    from tools.evidence import EvidenceReader

    with rt.session() as session:
        messages = EvidenceReader(session, household, caller.scope).chats(0, 500)["messages"]
    lines = Evidence(chat=[ChatLine.model_validate(m) for m in messages]).owner_lines()
    return [f"[{m.id}] {m.text}" for m in lines][-limit:]


# ---------------------------------------------------------------- storing


def rule_results(marks: dict[str, str], rest_pass: bool = False) -> dict[str, bool]:
    """Rule id → passed from the form's verdicts; unjudged rules count as passed only when asked."""
    out = {rule: mark == "通过" for rule, mark in marks.items() if mark in ("通过", "未通过")}
    if rest_pass:
        out |= {rule: True for rule in RULE_IDS if rule not in out}
    return out


def save_review(
    session: Session,
    caller: Caller,
    target: Target,
    rules: dict[str, bool],
    tone: int | None,
    comment: str,
    at: datetime | None = None,
) -> EvalReview:
    """Store the logged-in reviewer's score and audit it (ReviewError with a Chinese message when incomplete)."""
    from app.services.reviews import ReviewError, add_review
    from data.repositories import audit

    if not rules and tone is None:
        raise ReviewError("请至少评定一条规则或给出语气评分")
    at = at or datetime.now()
    row = add_review(
        session,
        reviewer=caller.username,
        at=at,
        case_id=target.case_id,
        plan_id=target.plan_id,
        run_id=target.run_id,
        rule_results=rules,
        tone=tone,
        comment=comment.strip(),
    )
    failed = sorted(r for r, ok in rules.items() if not ok)
    audit.record(
        session,
        actor=caller.username,
        action="review.add",
        entity="eval_review",
        entity_id=str(row.id),
        detail={
            "case_id": target.case_id,
            "run_id": target.run_id,
            "plan_id": target.plan_id,
            "passed": row.passed,
            "tone": tone,
            "failed_rules": failed,
        },
        at=at,
    )
    return row


def _all_reviews(rt: Runtime) -> list[EvalReview]:
    from app.services.reviews import list_reviews

    with rt.session() as session:
        return list_reviews(session, limit=ALL_ROWS)


# ---------------------------------------------------------------- rendering helpers


def _yes_no(value: bool | None) -> str:
    return "—" if value is None else ("✅ 通过" if value else "❌ 未通过")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _rule_name(rule: str) -> str:
    from evals.rules_independent import RULE_NAMES

    return RULE_TITLES.get(rule) or RULE_NAMES.get(rule) or rule


def _diagnosis(draft: dict) -> None:
    diag, cause = draft["diagnosis"], draft["cause"]
    if not diag:
        st.caption("无诊断")
        return
    where = "/".join(x for x in (cause.get("dimension"), cause.get("category")) if x)
    st.markdown(
        f"**诊断：** {md_escape(cause.get('name') or cause.get('id', '-'))}（{md_escape(cause.get('id', ''))}"
        f"{'，' + md_escape(where) if where else ''}，把握 {md_escape(diag.get('confidence'))}）"
    )
    if diag.get("explanation"):
        st.markdown(md_escape(diag["explanation"]))
    lines = {
        line[1:].split("]", 1)[0]: line.split("] ", 1)[-1]
        for line in draft["owner_lines"] or []
        if line.startswith("[")
    }
    for cit in diag.get("citations", []):
        ids = cit.get("evidence_ids", [])
        st.markdown(f"引用 {md_escape(cit.get('cause_id'))} ← " + "、".join(md_escape(e) for e in ids))
        for eid in ids:
            if eid in lines:
                st.caption(md_escape(f"{eid}：{lines[eid]}"))


def _steps(draft: dict) -> None:
    plan = draft["plan"]
    if not plan:
        st.warning("该草稿没有方案")
        return
    head = [
        f"**阶段：** {plan.get('stage', '-')}",
        f"**策略：** {plan.get('strategy_label') or plan.get('strategy', '-')}",
    ]
    if plan.get("arrears"):
        head.append(f"**欠费：** {plan['arrears']} 元")
    if plan.get("is_fallback"):
        head.append("**模板回退**")
    st.markdown("　".join(head))
    for note in plan.get("notes", []):
        st.caption(f"· {md_escape(note)}")
    steps = plan.get("steps", [])
    st.dataframe(
        [
            {
                "#": s["seq"],
                "日期": s["date"],
                "时段": "-".join(s.get("window") or []),
                "渠道": CHANNELS.get(s["channel"], s["channel"]),
                "负责人": s.get("role_name") or s.get("role", ""),
                "动作": s.get("action", ""),
                "外发": "是" if s.get("outgoing") else "",
            }
            for s in steps
        ],
        hide_index=True,
    )
    guard = {}
    for f in draft["guardrail"]["failures"]:
        guard.setdefault(str(f.get("step_id")), []).append(f)
    indep = {}
    for v in draft["independent"]["violations"]:
        indep.setdefault(str(v.get("step")), []).append(v)
    st.markdown("**外发话术**")
    for s in steps:
        if not s.get("outgoing"):
            continue
        with st.container(border=True):
            st.caption(
                f"第 {s['seq']} 步 · {CHANNELS.get(s['channel'], s['channel'])} · {s['date']} "
                f"{'-'.join(s.get('window') or [])}"
            )
            st.markdown(md_escape(s.get("message") or ""))
            for f in guard.get(str(s["seq"]), []):
                st.warning(md_escape(f"护栏：{_rule_name(f['rule'])}「{f.get('excerpt', '')}」{f.get('message', '')}"))
            for v in indep.get(str(s["seq"]), []):
                st.warning(md_escape(f"独立校验：{_rule_name(v['rule'])}「{v.get('excerpt', '')}」"))


def _automatic(draft: dict, checks: dict | None = None) -> None:
    st.markdown("#### 自动评估")
    guard, indep, tone = draft["guardrail"], draft["independent"], draft["tone"]
    c1, c2, c3 = st.columns(3)
    c1.metric(
        "护栏校验",
        _yes_no(guard["passed"]),
        f"{len(guard['failures'])} 处问题" if guard["failures"] else None,
        delta_color="off",
    )
    c2.metric(
        "独立校验",
        _yes_no(indep["passed"]),
        f"{len(indep['violations'])} 处问题" if indep["violations"] else None,
        delta_color="off",
    )
    c3.metric("评审模型语气", f"{tone['score']} 分" if tone else "—", delta_color="off")
    if tone and tone.get("reason"):
        st.caption(md_escape(f"语气评语：{tone['reason']}（{tone.get('judge', '')}）"))
    if draft["guardrail"]["failures"]:
        st.dataframe(
            [
                {
                    "步骤": f.get("step_id"),
                    "规则": _rule_name(f["rule"]),
                    "原文": f.get("excerpt", ""),
                    "说明": f.get("message", ""),
                }
                for f in guard["failures"]
            ],
            hide_index=True,
        )
    if indep["violations"]:
        st.dataframe(
            [
                {"步骤": v.get("step"), "独立规则": _rule_name(v["rule"]), "原文": v.get("excerpt", "")}
                for v in indep["violations"]
            ],
            hide_index=True,
        )
    if checks:
        st.caption(
            "用例检查：" + "　".join(f"{CHECK_NAMES.get(k, k)}{'✅' if ok else '❌'}" for k, ok in checks.items())
        )


def _show_draft(draft: dict, checks: dict | None = None) -> None:
    if draft.get("error"):
        st.error(f"该用例运行出错：{draft['error']}")
    if draft["owner_lines"]:
        st.markdown("**业主原话（已脱敏）**")
        for line in draft["owner_lines"]:
            st.markdown(f"- {md_escape(line)}")
    _diagnosis(draft)
    _steps(draft)
    _automatic(draft, checks)


def _form(rt: Runtime, caller: Caller, target: Target) -> None:
    from app.services.reviews import ReviewError

    st.markdown("#### 我的评分")
    if flash := st.session_state.pop("rv_flash", None):
        st.success(flash)
    with st.form(form_key(target, "form")):
        st.caption(f"评审人：{caller.display_name}（{caller.username}）。请独立判断每条规则，未评的规则不计入结论。")
        marks: dict[str, str] = {}
        cols = st.columns(2)
        for i, (family, rules, _) in enumerate(FAMILIES):
            with cols[i % 2]:
                st.markdown(f"**{FAMILY_NAMES.get(family, family)}**")
                for rule in rules:
                    marks[rule] = st.radio(
                        f"{RULE_TITLES[rule]}（{rule}）",
                        VERDICTS,
                        horizontal=True,
                        key=form_key(target, f"rule_{rule}"),
                    )
        rest_pass = st.checkbox("其余未评的规则记为通过", key=form_key(target, "rest_pass"))
        tone = st.radio(
            "语气评分（1–5）",
            TONE_OPTIONS,
            format_func=lambda v: "不评" if v == 0 else f"{v} 分",
            captions=[TONE_CAPTIONS[v] for v in TONE_OPTIONS],
            horizontal=True,
            key=form_key(target, "tone"),
        )
        comment = st.text_area(
            "评语", key=form_key(target, "comment"), placeholder="例如：第 2 步语气偏硬；金额与账单不一致"
        )
        submitted = st.form_submit_button("提交评分", type="primary", key=form_key(target, "submit"))
    if not submitted:
        return
    rules = rule_results(marks, rest_pass)
    try:
        with rt.session() as session:
            row = save_review(session, caller, target, rules, tone or None, comment)
            review_id, passed = row.id, row.passed
    except ReviewError as exc:
        st.error(f"评分未保存：{exc}")
        return
    for field in FORM_FIELDS:
        st.session_state.pop(form_key(target, field), None)
    verdict = "仅语气评分" if passed is None else f"结论：{_yes_no(passed)}"
    st.session_state["rv_flash"] = f"已保存评分 #{review_id}（{verdict}）"
    st.rerun()


def _review_table(rows: list[EvalReview], title: str) -> None:
    st.markdown(f"#### {title}（{len(rows)} 条）")
    if not rows:
        st.caption("暂无评分")
        return
    st.dataframe(
        [
            {
                "时间": r.created_at.isoformat(sep=" ", timespec="minutes"),
                "评审人": r.reviewer,
                "运行": r.run_id or "",
                "结论": _yes_no(r.passed),
                "语气": str(r.tone) if r.tone else "—",
                "已评规则": len(r.rule_results or {}),
                "未通过的规则": "、".join(_rule_name(k) for k, ok in (r.rule_results or {}).items() if not ok),
                "评语": r.comment,
            }
            for r in rows
        ],
        hide_index=True,
    )


# ---------------------------------------------------------------- agreement and export


def _calibration(report: dict) -> None:
    """Reliability diagram of the run: stated confidence against the share of right causes, per bin."""
    from evals.calibration import reliability

    result = reliability(report["cases"])
    st.subheader("置信度校准（可靠性图）")
    if not result["cases"]:
        st.info("本次运行的用例没有记录诊断置信度")
        return
    unsure, sure = result["unsure"], result["sure"]
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("原因准确率", _pct(result["accuracy"]))
    c2.metric("平均置信度", _pct(result["mean_confidence"]))
    c3.metric("ECE", _num(result["ece"]), help="各置信度区间“准确率−置信度”之差的加权平均，越小越好")
    c4.metric("不确定提示拦下的错误", f"{unsure['wrong']}/{unsure['wrong'] + sure['wrong']}")
    rows = [b for b in result["bins"] if b["n"]]
    chart = pd.DataFrame(
        {
            "平均置信度": [b["mean_confidence"] for b in rows],
            "实际准确率": [b["accuracy"] for b in rows],
            "完全校准": [b["mean_confidence"] for b in rows],
        }
    )
    st.line_chart(chart, x="平均置信度", y=["实际准确率", "完全校准"])
    st.dataframe(
        [
            {
                "置信度区间": f"{b['lo']:.1f}–{b['hi']:.1f}",
                "用例": b["n"],
                "平均置信度": _num(b["mean_confidence"]),
                "准确率": _num(b["accuracy"]),
            }
            for b in result["bins"]
        ],
        hide_index=True,
    )
    st.caption(
        f"置信度低于 {result['unsure_below']} 时工作台请管家在前两个原因中选择：本次 {unsure['n']} 例提示不确定"
        f"（错 {unsure['wrong']}），{sure['n']} 例未提示（错 {sure['wrong']}）。"
    )


def _agreement(report: dict, reviews: list[EvalReview]) -> None:
    from app.services.reviews import latest_by_case
    from evals.reviews import agreement_stats

    cases = report["cases"]
    stats = agreement_stats(reviews, cases)
    st.subheader("一致性：评审员 vs 评审模型 vs 规则校验")
    st.caption("只统计本次运行的评分；同一用例有多条评分时取最新一条。")
    tone = stats["tone_reviewer_vs_judge"]
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("已评审用例", f"{stats['reviewed_cases']}/{len(cases)}")
    m2.metric("语气完全一致", _pct(tone["exact"]), help=f"样本 {tone['n']}")
    m3.metric("语气相差 ≤1", _pct(tone["within_one"]), help=f"样本 {tone['n']}")
    m4.metric("语气 kappa", _num(tone["kappa"]))
    rows = [
        {
            "对比": "语气：评审员 vs 评审模型",
            "样本": tone["n"],
            "一致率": _pct(tone["exact"]),
            "±1 一致率": _pct(tone["within_one"]),
            "kappa": _num(tone["kappa"]),
        }
    ]
    for key, label in (
        ("pass_reviewer_vs_guardrail", "结论：评审员 vs 护栏"),
        ("pass_reviewer_vs_independent", "结论：评审员 vs 独立校验"),
        ("pass_guardrail_vs_independent", "结论：护栏 vs 独立校验"),
    ):
        s = stats[key]
        rows.append(
            {"对比": label, "样本": s["n"], "一致率": _pct(s["agreement"]), "±1 一致率": "", "kappa": _num(s["kappa"])}
        )
    st.dataframe(rows, hide_index=True)
    pairs = []
    latest = latest_by_case(reviews)
    for case in cases:
        review, judge = latest.get(case["id"]), ((case.get("scores") or {}).get("tone") or {}).get("score")
        if review is not None and review.tone is not None and judge is not None:
            pairs.append((review.tone, judge))
    if pairs:
        human, model = Counter(h for h, _ in pairs), Counter(j for _, j in pairs)
        st.markdown("**语气分布（同一批用例）**")
        st.bar_chart(
            pd.DataFrame(
                {"评审员": [human[s] for s in range(1, 6)], "评审模型": [model[s] for s in range(1, 6)]},
                index=[f"{s} 分" for s in range(1, 6)],
            ),
            stack=False,
        )
        grid = pd.crosstab(
            pd.Series([h for h, _ in pairs], name="评审员"), pd.Series([j for _, j in pairs], name="评审模型")
        )
        st.caption("行：评审员打分；列：评审模型打分")
        st.dataframe(grid)


def _export(rt: Runtime, caller: Caller, rows: list[EvalReview]) -> None:
    from app.services.reviews import export_csv

    def exported() -> None:
        from data.repositories import audit

        with rt.session() as session:
            audit.record(session, actor=caller.username, action="review.export", detail={"rows": len(rows)})

    st.download_button(
        f"导出全部评分 CSV（{len(rows)} 条）",
        export_csv(rows),
        file_name=f"reviews-{datetime.now():%Y%m%d-%H%M}.csv",
        mime="text/csv",
        on_click=exported,
        key="rv_export",
    )


# ---------------------------------------------------------------- the two sources


def _report_source(rt: Runtime, caller: Caller, folder: Path, reviews: list[EvalReview]) -> None:
    files = report_files(folder)
    if not files:
        st.info(f"{folder} 下还没有评测报告。运行 `steward eval run` 后报告会写入该目录。")
        return
    by_name = {p.name: p for p in files}
    path = by_name[st.selectbox("评测报告（最新在前）", list(by_name), key="rv_report")]
    report = load_report(path)
    if report is None:
        st.error(f"{path.name} 不是有效的评测报告")
        return
    meta, run_id = report["meta"], str(report["meta"].get("run_id", path.stem))
    st.subheader(f"评测报告 {run_id} · {model_title(meta.get('model'))}")
    st.caption(
        f"运行 {run_id} · 评测集 {meta.get('suite', '-')} · 模型 {meta.get('model', '-')} · "
        f"评审模型 {meta.get('judge', '-')} · 提示词 {meta.get('prompt_version', '-')} · "
        f"知识库 {meta.get('kb_version', '-')} · {len(report['cases'])} 个用例"
    )
    run_reviews = [r for r in reviews if r.run_id == run_id]
    reviewed = {r.case_id for r in run_reviews if r.case_id}
    choice = st.radio("显示", CASE_FILTERS, horizontal=True, key="rv_case_filter")
    cases = [c for c in report["cases"] if _case_matches(c, choice, reviewed)]
    if not cases:
        st.info("没有符合条件的用例")
    else:
        by_id = {c["id"]: c for c in cases}
        case_id = st.selectbox(
            "用例",
            list(by_id),
            key="rv_case",
            format_func=lambda cid: (
                f"{'✅' if by_id[cid].get('passed') else '❌'} {cid} · {by_id[cid].get('household', '')}"
                + ("　（已评）" if cid in reviewed else "")
            ),
        )
        case = by_id[case_id]
        target = Target(case_id=case_id, run_id=run_id)
        st.subheader(f"住户 {case.get('household', '-')}")
        expected = (case.get("expected") or {}).get("primary")
        st.caption(
            f"{case.get('description', '')}"
            + (f"　期望原因：{_cause_name(expected)}（{expected}）" if expected else "")
        )
        _show_draft(case_draft(case), case.get("checks"))
        _form(rt, caller, target)
        _review_table([r for r in reviews if r.case_id == case_id], "该用例的评分（各次运行）")
    st.divider()
    _agreement(report, run_reviews)
    st.divider()
    _calibration(report)


def _plan_source(rt: Runtime, caller: Caller, reviews: list[EvalReview]) -> None:
    from app.services.plan_runs import PlanNotFound, recent_plans

    c1, c2 = st.columns([2, 1])
    status = c1.selectbox("方案状态", list(PLAN_STATUSES), key="rv_plan_status")
    only_new = c2.checkbox("只看未评审", key="rv_plan_unreviewed")
    with rt.session() as session:
        plans = recent_plans(session, caller.scope, statuses=PLAN_STATUSES[status])
    reviewed = {r.plan_id for r in reviews if r.plan_id is not None}
    plans = [p for p in plans if not (only_new and p["id"] in reviewed)]
    if not plans:
        st.info("没有符合条件的方案草稿（方案在住户详情页一键生成后保存）")
        return
    by_id = {p["id"]: p for p in plans}
    plan_id = st.selectbox(
        "方案",
        list(by_id),
        key="rv_plan",
        format_func=lambda pid: (
            f"#{pid} {by_id[pid]['household']} 第{by_id[pid]['version']}版 · "
            f"{by_id[pid]['status_name']} · {by_id[pid]['stage']} · {by_id[pid]['created_at']}"
            + ("　（已评）" if pid in reviewed else "")
        ),
    )
    try:
        with rt.session() as session:
            draft = plan_draft(session, caller, plan_id)
    except PlanNotFound as exc:
        st.error(str(exc))
        return
    st.subheader(f"住户 {draft['household']}")
    st.caption(draft["meta"] + "。独立校验按当前账单与退订状态重新计算；已保存的方案没有评审模型语气分。")
    if st.toggle("显示业主聊天原话（已脱敏）", key="rv_plan_chats"):
        draft["owner_lines"] = _owner_lines(rt, caller, draft["household"])
    _show_draft(draft)
    _form(rt, caller, Target(plan_id=plan_id))
    _review_table([r for r in reviews if r.plan_id == plan_id], "该方案的评分")


def render(rt: Runtime, caller: Caller, reports_dir: Path | None = None) -> None:
    """The reviewer page: pick a draft, see it with the automatic verdicts, score it; agreement and export."""
    st.header("评审打分")
    folder = Path(reports_dir or rt.settings.eval_reports_dir)
    reviews = _all_reviews(rt)
    source = st.radio("评审对象", list(SOURCES), format_func=SOURCES.get, horizontal=True, key="rv_source")
    if source == "case":
        _report_source(rt, caller, folder, reviews)
    else:
        _plan_source(rt, caller, reviews)
    st.divider()
    _export(rt, caller, reviews)


PAGE = WorkbenchPage(name="review", title="评审打分", icon="📝", render=render, roles=AUDIT_ROLES)
