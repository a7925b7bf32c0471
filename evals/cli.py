"""`steward eval`: run golden suites, compare reports, and store compliance reviewers' scores."""

from __future__ import annotations

from pathlib import Path

import typer

from app.cli.common import console, err_console, fail, print_json

app = typer.Typer(help="评测：黄金用例集、评分、报告对比与人工评审。", no_args_is_help=True)
review_app = typer.Typer(help="合规评审员的人工评分（新增、列表、导出、一致性）。", no_args_is_help=True)
app.add_typer(review_app, name="review")


@app.command("run")
def run(
    suite: str = typer.Option("golden", "--suite", help="评测集：golden（全部）、generated 或 hard"),
    limit: int = typer.Option(0, "--limit", help="只跑前 N 个用例（两类用例交替选取）；0 表示全部"),
    as_json: bool = typer.Option(False, "--json", help="输出汇总 JSON"),
    model: str = typer.Option(
        "endpoint",
        "--model",
        help="endpoint（配置的模型服务，默认：评的是产品本身）或 scripted（确定性脚本模型，仅供测试）",
    ),
    judge: str = typer.Option("", "--judge", help="语气评审：scripted、endpoint 或 none；默认与 --model 相同"),
    judge_base_url: str = typer.Option("", "--judge-base-url", help="评审模型服务地址（OpenAI 兼容）"),
    judge_model: str = typer.Option("", "--judge-model", help="评审模型名称"),
    kb: str = typer.Option("", "--kb", help="知识库检索：lexical 或 hybrid；默认脚本模型用 lexical"),
    out: Path = typer.Option(None, "--out", help="报告目录，默认 evals/reports/（STEWARD_EVAL_REPORTS_DIR）"),
    thresholds: Path = typer.Option(None, "--thresholds", help="阈值文件，默认 evals/thresholds.yaml"),
    reviews_url: str = typer.Option("", "--reviews-url", help="人工评分所在数据库，默认当前数据库"),
    work_dir: Path = typer.Option(
        None, "--work-dir", help="评测工作目录（保留评测库和已完成用例，可续跑）；默认临时目录"
    ),
    resume: bool = typer.Option(False, "--resume", help="在 --work-dir 中续跑：已完成的用例不再重跑"),
) -> None:
    """运行评测集，写出 JSON 与 HTML 报告；低于阈值时退出码为 1。"""
    from core.settings import get_settings
    from evals.report_html import write_reports
    from evals.runner import RunOptions, cli_summary, run_suite

    if model not in ("scripted", "endpoint"):
        fail("--model 只能是 scripted 或 endpoint")
    settings = get_settings()
    options = RunOptions(
        suite=suite,
        limit=limit or None,
        model=model,
        judge=judge or model,
        judge_base_url=judge_base_url or None,
        judge_model=judge_model or None,
        kb=kb or None,
        thresholds=thresholds,
        reviews_url=reviews_url or settings.resolved_database_url,
        work_dir=work_dir,
        resume=resume,
    )
    if resume and work_dir is None:
        fail("--resume 需要同时指定 --work-dir")
    with err_console.status("评测中…") as status:
        options.on_case = lambda i, n, rec: status.update(f"评测中… {i}/{n} {rec['id']}")
        try:
            report = run_suite(options, settings)
        except ValueError as exc:
            fail(str(exc))
            return
    json_path, html_path = write_reports(report, out or settings.eval_reports_dir)
    if as_json:
        print_json(cli_summary(report) | {"report_json": str(json_path), "report_html": str(html_path)})
    else:
        render_summary(report)
        console.print(f"报告：{json_path}\n      {html_path}")
    if not report["gate"]["passed"]:
        raise typer.Exit(1)


@app.command("progress")
def progress_cmd(
    work_dir: Path = typer.Argument(..., help="评测工作目录（steward eval run --work-dir 所用）"),
    as_json: bool = typer.Option(False, "--json", help="输出汇总 JSON"),
    out: Path = typer.Option(None, "--out", help="同时写出中间报告（JSON 与 HTML）到此目录"),
) -> None:
    """查看进行中或已中断评测的中间结果（只统计已完成的用例，不调用模型）。"""
    from evals.report_html import write_reports
    from evals.runner import ResumeError, cli_summary, progress_report

    try:
        report = progress_report(work_dir)
    except ResumeError as exc:
        fail(str(exc))
        return
    meta = report["meta"]
    paths = write_reports(report, out) if out else None
    if as_json:
        extra = {"report_json": str(paths[0]), "report_html": str(paths[1])} if paths else {}
        print_json(
            cli_summary(report)
            | {"finished_cases": meta["finished_cases"], "planned_cases": meta["planned_cases"]}
            | extra
        )
        return
    console.print(f"已完成 {meta['finished_cases']}/{meta['planned_cases']} 个用例")
    render_summary(report)


def render_summary(report: dict) -> None:
    """Headline table and gate verdict."""
    from rich.table import Table

    from evals.runner import cli_summary

    table = Table(title=f"评测 {report['meta']['suite']}（模型 {report['meta']['model']}）")
    table.add_column("指标")
    table.add_column("值")
    for key, value in cli_summary(report).items():
        if key != "gate_failures":
            table.add_row(key, str(value))
    console.print(table)
    for failure in report["gate"]["failures"]:
        console.print(f"[red]未达标：[/red]{failure}")


@app.command("calibration")
def calibration_cmd(
    run: Path = typer.Argument(..., help="报告 JSON 或 evals/runs/ 下的运行目录"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON"),
) -> None:
    """置信度校准：按置信度分箱的准确率（可靠性表）、ECE、Brier 分数，以及“不确定”提示拦下了多少错误。"""
    from evals.calibration import reliability
    from evals.compare import load_report

    if not run.exists():
        fail(f"找不到报告或运行目录 {run}")
    result = reliability(load_report(run)["cases"])
    if as_json:
        print_json(result)
        return
    from rich.table import Table

    table = Table(
        title=f"可靠性表（{result['cases']} 个用例，准确率 {result['accuracy']}，平均置信度 {result['mean_confidence']}）"
    )
    for column in ("置信度区间", "用例", "平均置信度", "准确率", "差（准确率−置信度）"):
        table.add_column(column)
    for b in result["bins"]:
        table.add_row(
            f"[{b['lo']:.1f}, {b['hi']:.1f})",
            str(b["n"]),
            _or_dash(b["mean_confidence"]),
            _or_dash(b["accuracy"]),
            _or_dash(b["gap"]),
        )
    console.print(table)
    unsure, sure = result["unsure"], result["sure"]
    console.print(
        f"ECE {result['ece']} · Brier {result['brier']} · 提示不确定（置信度<{result['unsure_below']}）{unsure['n']} 例，"
        f"其中错 {unsure['wrong']}；其余 {sure['n']} 例，其中错 {sure['wrong']}"
    )


def _or_dash(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


@app.command("compare")
def compare_cmd(
    a: Path = typer.Argument(..., help="基线：报告 JSON 或 evals/runs/ 下的运行目录"),
    b: Path = typer.Argument(..., help="新的一次：报告 JSON 或运行目录"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON"),
    fail_on_regression: bool = typer.Option(False, "--fail-on-regression", help="有回退用例时退出码为 1"),
    fail_on_significant: bool = typer.Option(
        False, "--fail-on-significant", help="任一配对指标显著变差（McNemar 精确检验 p<0.05）时退出码为 1"
    ),
) -> None:
    """对比两次评测：逐用例胜负、McNemar 精确检验、回退用例（A 通过、B 未通过）和指标变化。"""
    from evals.compare import compare, load_report, significant_regressions

    for path in (a, b):
        if not path.exists():
            fail(f"找不到报告文件 {path}")
    result = compare(load_report(a), load_report(b))
    if as_json:
        print_json(result)
    else:
        console.print(
            f"共同用例 {result['common_cases']}，回退 {len(result['regressions'])}，修复 {len(result['fixes'])}"
        )
        for r in result["regressions"]:
            console.print(f"[red]回退[/red] {r['id']} {r['household']} 未通过：{'、'.join(r['failed'])}")
        _print_paired(result["paired"])
        for key, d in result["deltas"].items():
            if d["delta"]:
                console.print(f"{key}: {d['a']} → {d['b']} ({d['delta']:+})")
    if fail_on_regression and result["regressions"]:
        raise typer.Exit(1)
    worse = significant_regressions(result)
    if fail_on_significant and worse:
        typer.echo(f"显著变差：{'、'.join(worse)}", err=True)
        raise typer.Exit(1)


_VERDICTS = {
    "better": "[green]显著变好[/green]",
    "worse": "[red]显著变差[/red]",
    "no significant difference": "无显著差异",
}


def _print_paired(paired: dict) -> None:
    from rich.table import Table

    table = Table(title="逐用例配对比较（McNemar 精确检验）")
    for column in ("指标", "B 胜", "B 负", "都对", "都错", "p 值", "结论"):
        table.add_column(column)
    for name, p in paired.items():
        table.add_row(
            name,
            str(len(p["wins"])),
            str(len(p["losses"])),
            str(p["both_right"]),
            str(p["both_wrong"]),
            f"{p['p_value']:.4f}",
            _VERDICTS[p["verdict"]],
        )
    console.print(table)
    for name, p in paired.items():
        if p["wins"] or p["losses"]:
            console.print(f"{name}: 胜 {', '.join(p['wins']) or '—'}；负 {', '.join(p['losses']) or '—'}")


def _rules(passed: list[str], failed: list[str]) -> dict[str, bool]:
    return {**{r: True for r in passed}, **{r: False for r in failed}}


@review_app.command("add")
def review_add(
    reviewer: str = typer.Option(..., "--reviewer", help="评审人"),
    case_id: str = typer.Option("", "--case", help="评测用例编号"),
    plan_id: int = typer.Option(0, "--plan", help="方案编号"),
    run_id: str = typer.Option("", "--run", help="评测运行编号"),
    passed_rules: list[str] = typer.Option([], "--pass", help="通过的规则（可重复）"),
    failed_rules: list[str] = typer.Option([], "--fail", help="未通过的规则（可重复）"),
    tone: int = typer.Option(0, "--tone", help="语气评分 1-5"),
    comment: str = typer.Option("", "--comment", help="评语"),
    database_url: str = typer.Option("", "--database-url", help="数据库地址"),
) -> None:
    """新增一条人工评分。"""
    from datetime import datetime

    from app.cli.common import open_session
    from app.services.reviews import ReviewError, add_review, to_dict

    with open_session(database_url or None) as session:
        try:
            row = add_review(
                session,
                reviewer=reviewer,
                at=datetime.now(),
                case_id=case_id or None,
                plan_id=plan_id or None,
                run_id=run_id or None,
                rule_results=_rules(passed_rules, failed_rules),
                tone=tone or None,
                comment=comment,
            )
        except ReviewError as exc:
            fail(str(exc))
            return
        session.commit()
        print_json(to_dict(row))


@review_app.command("list")
def review_list(
    case_id: str = typer.Option("", "--case", help="按用例筛选"),
    reviewer: str = typer.Option("", "--reviewer", help="按评审人筛选"),
    database_url: str = typer.Option("", "--database-url", help="数据库地址"),
) -> None:
    """列出人工评分（最新在前）。"""
    from app.cli.common import open_session
    from app.services.reviews import list_reviews, to_dict

    with open_session(database_url or None) as session:
        rows = list_reviews(session, case_id=case_id or None, reviewer=reviewer or None)
        print_json([to_dict(r) for r in rows])


@review_app.command("export")
def review_export(
    out: Path = typer.Argument(..., help="导出的 CSV 文件"),
    database_url: str = typer.Option("", "--database-url", help="数据库地址"),
) -> None:
    """导出全部人工评分为 CSV。"""
    from app.cli.common import open_session
    from app.services.reviews import export_csv, list_reviews

    with open_session(database_url or None) as session:
        rows = list_reviews(session, limit=1_000_000)
        out.write_text(export_csv(rows), encoding="utf-8")
    console.print(f"已导出 {len(rows)} 条到 {out}")


@review_app.command("agreement")
def review_agreement(
    report: Path = typer.Argument(..., help="评测报告 JSON"),
    database_url: str = typer.Option("", "--database-url", help="数据库地址"),
) -> None:
    """人工评分与评审模型、规则校验的一致性（kappa、完全一致率、±1 一致率）。"""
    from app.cli.common import open_session
    from app.services.reviews import list_reviews
    from evals.compare import load_report
    from evals.reviews import agreement_stats

    if not report.exists():
        fail(f"找不到报告文件 {report}")
    with open_session(database_url or None) as session:
        rows = list_reviews(session, limit=1_000_000)
        print_json(agreement_stats(rows, load_report(report)["cases"]))


def register(root: typer.Typer) -> None:
    """Attach the `steward eval` group to the root app."""
    root.add_typer(app, name="eval")
