"""One self-contained HTML report: summary, per-cause accuracy, failures, and an expandable row per case."""

from __future__ import annotations

import json
from html import escape
from typing import Any

STYLE = """body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;margin:24px;color:#222}
table{border-collapse:collapse;margin:8px 0 20px}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;
vertical-align:top}th{background:#f3f3f3}.ok{color:#137333}.bad{color:#b3261e;font-weight:600}
details{border:1px solid #ddd;margin:6px 0;padding:4px 8px}summary{cursor:pointer}pre{white-space:pre-wrap;
background:#fafafa;padding:6px;font-size:12px}.meta span{margin-right:16px}.bar,.bar-rest{display:inline-block;
height:10px;vertical-align:middle}.bar-rest{background:#eee}"""


def _e(value: Any) -> str:
    return escape("" if value is None else str(value))


def _mark(ok: bool) -> str:
    return '<span class="ok">✔</span>' if ok else '<span class="bad">✘</span>'


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _summary(report: dict[str, Any]) -> str:
    rows = [
        [_e(k), _e(json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else v)]
        for k, v in report["summary"].items()
    ]
    gate = report["gate"]
    verdict = (
        '<p class="ok">达标</p>'
        if gate["passed"]
        else '<p class="bad">未达标：' + "；".join(_e(f) for f in gate["failures"]) + "</p>"
    )
    return "<h2>汇总</h2>" + verdict + _table(["指标", "值"], rows)


def _bar(rate: float) -> str:
    width = round(max(0.0, min(1.0, rate)) * 120)
    colour = "#137333" if rate >= 0.8 else "#e37400" if rate >= 0.5 else "#b3261e"
    return (
        f'<span class="bar" style="width:{width}px;background:{colour}"></span>'
        f'<span class="bar-rest" style="width:{120 - width}px"></span> {_e(rate)}'
    )


def _per_cause(report: dict[str, Any]) -> str:
    ordered = sorted(report["per_cause"].items(), key=lambda kv: (kv[1]["top1_rate"], -kv[1]["n"], kv[0]))
    rows = [
        [
            _e(cause),
            _e(r["n"]),
            _bar(r["top1_rate"]),
            _e(r["top3_rate"]),
            _e(r["passed"]),
            _e("、".join(f"{k} ×{v}" for k, v in sorted((r.get("misread_as") or {}).items(), key=lambda kv: -kv[1]))),
        ]
        for cause, r in ordered
    ]
    return "<h2>按原因准确率（最弱在前）</h2>" + _table(
        ["预期原因", "用例数", "Top-1", "Top-3", "通过", "误判为"], rows
    )


def _failures(report: dict[str, Any]) -> str:
    rows = []
    for c in report["cases"]:
        if c.get("passed"):
            continue
        failed = ["error"] if c.get("error") else [k for k, ok in c.get("checks", {}).items() if not ok]
        predicted = c.get("scores", {}).get("cause", {}).get("predicted")
        rows.append(
            [
                f'<a href="#{_e(c["id"])}">{_e(c["id"])}</a>',
                _e(c["expected"]["primary"]),
                _e(predicted),
                _e("、".join(failed)),
                _e(c.get("error") or ""),
            ]
        )
    return "<h2>未通过用例</h2>" + (_table(["用例", "预期", "诊断", "未通过项", "错误"], rows) if rows else "<p>无</p>")


def _steps(plan: dict[str, Any]) -> str:
    rows = [
        [
            _e(s["seq"]),
            _e(s["date"]),
            _e("-".join(s["window"])),
            _e(s["channel"]),
            _e(s["role_name"]),
            _e(s["action"]),
            _e(s["message"]),
            _e(s["message_source"]),
        ]
        for s in plan.get("steps", [])
    ]
    return _table(["#", "日期", "时段", "渠道", "负责人", "动作", "话术", "来源"], rows)


def _case(c: dict[str, Any]) -> str:
    checks = " ".join(f"{_e(k)}{_mark(ok)}" for k, ok in c.get("checks", {}).items())
    head = f"{_mark(bool(c.get('passed')))} <b>{_e(c['id'])}</b> {_e(c['household'])} — {_e(c.get('description'))} {checks}"
    parts = [f"<p>预期：{_e(c['expected'])}</p>"]
    if c.get("error"):
        parts.append(f'<p class="bad">错误：{_e(c["error"])}</p>')
    if c.get("diagnosis"):
        d = c["diagnosis"]
        cause = d.get("primary_cause") or {}
        parts.append(
            f"<p>诊断：<b>{_e(cause.get('id'))} {_e(cause.get('name'))}</b>，把握 {_e(d.get('confidence'))}，"
            f"来源 {_e(d.get('source'))}；说明：{_e(d.get('explanation'))}</p>"
        )
        parts.append(f"<p>引用：{_e(d.get('citations'))}；标记：{_e(d.get('flags'))}</p>")
        parts.append(f"<p>候选：{_e(c.get('candidates'))}</p>")
        parts.append("<p>业主原话（已脱敏）：</p><pre>" + _e("\n".join(c.get("owner_lines", []))) + "</pre>")
        plan = c.get("plan") or {}
        parts.append(
            f"<p>方案：阶段 {_e(plan.get('stage'))}，策略 {_e(plan.get('strategy_label'))}，"
            f"欠费 {_e(plan.get('arrears'))} 元，账龄 {_e(plan.get('days_overdue'))} 天，"
            f"经理复核 {_e(plan.get('manager_review'))}，模板回退 {_e(plan.get('is_fallback'))}</p>"
        )
        parts.append(_steps(plan))
        parts.append(f"<p>合规校验：{_e(c.get('validation'))}</p>")
    parts.append("<p>评分：</p><pre>" + _e(json.dumps(c.get("scores", {}), ensure_ascii=False, indent=1)) + "</pre>")
    return f'<details id="{_e(c["id"])}"><summary>{head}</summary>{"".join(parts)}</details>'


def model_title(model: str | None) -> str:
    """Which model produced a report, as its title says it."""
    if model == "scripted":
        return "脚本模型（确定性测试替身，不代表产品效果）"
    return f"模型 {model or '未知'}"


def render_html(report: dict[str, Any]) -> str:
    """The whole report as one HTML string (no external assets)."""
    m = report["meta"]
    meta = "".join(
        f"<span>{_e(k)}：<b>{_e(m.get(k))}</b></span>"
        for k in (
            "run_id",
            "suite",
            "model",
            "judge",
            "kb",
            "prompt_version",
            "kb_version",
            "seed",
            "size",
            "duration_s",
        )
    )
    agreement = ""
    if report.get("review_agreement"):
        agreement = (
            "<h2>与人工评审的一致性</h2><pre>"
            + _e(json.dumps(report["review_agreement"], ensure_ascii=False, indent=1))
            + "</pre>"
        )
    cases = "".join(_case(c) for c in report["cases"])
    title = _e(model_title(m.get("model")))
    return (
        f'<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>评测报告 {_e(m["run_id"])} · {title}</title>'
        f'<style>{STYLE}</style></head><body><h1>催费方案评测报告 · {title}</h1><p class="meta">{meta}</p>'
        f"{_summary(report)}{_per_cause(report)}{_failures(report)}{agreement}<h2>用例明细</h2>{cases}</body></html>"
    )


def write_reports(report: dict[str, Any], out_dir: Any) -> tuple[Any, Any]:
    """Write ``<run_id>-<suite>.json`` and ``.html`` into ``out_dir``; return both paths."""
    from pathlib import Path

    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{report['meta']['run_id']}-{report['meta']['suite']}-{report['meta']['model']}".replace("/", "_")
    json_path, html_path = folder / f"{stem}.json", folder / f"{stem}.html"
    json_path.write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    html_path.write_text(render_html(report), encoding="utf-8")
    return json_path, html_path
