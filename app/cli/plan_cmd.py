"""`steward plan`: one-click dunning plan for a household, up to the steward's approval."""

from __future__ import annotations

import typer

from app.cli.common import console, err_console, fail, print_json


def plan(
    key: str = typer.Argument(..., help="项目编码/房号，例如 BJ-PILOT/4-1203"),
    as_json: bool = typer.Option(False, "--json", help="输出一个 JSON 对象"),
    approve: bool = typer.Option(False, "--approve", help="批准该住户待审批的方案（没有则先生成）"),
    user: str = typer.Option("steward", "--user", help="操作人"),
) -> None:
    """诊断欠费原因并生成催费方案（需管家审批后才能执行）。"""
    from contextlib import ExitStack

    from agent.nodes.approve import ApprovalDecision
    from agent.runner import NODE_LABELS
    from app.runtime import build_agent_runtime
    from app.services.plan_runs import PlanNotFound
    from core.scope import CallerScope, ScopeError
    from core.settings import get_settings
    from data.repositories.households import HouseholdNotFound, find_unit
    from data.repositories.plans import PlanConflict, PlanNotApprovable, latest_pending

    runtime = build_agent_runtime(get_settings())
    scope = CallerScope(user, None)
    try:
        runtime.prepare()
    except Exception as exc:  # endpoint or database not available
        fail(f"无法启动：{exc}")
        return
    with runtime.session_factory() as session:
        try:
            unit = find_unit(session, key)
        except (HouseholdNotFound, ValueError) as exc:
            fail(str(exc))
            return
        pending = latest_pending(session, unit.id) if approve else None
        plan_id = pending.id if pending else None
    status = err_console.status("准备中…")
    with ExitStack() as stack, status:
        service = runtime.plan_service(stack)

        def on_node(node: str) -> None:
            status.update(f"{NODE_LABELS.get(node, node)}…")

        def on_early(kind: str, data: dict) -> None:
            # On stderr, so piped --json output stays one document.
            if kind == "diagnosis":
                cause = data.get("primary_cause") or {}
                err_console.print(f"诊断：{cause.get('name')}（{cause.get('id')}），正在撰写话术…", markup=False)

        result: dict = {}
        try:
            if plan_id is None:
                result = service.generate(scope, key, on_node=on_node, on_early=on_early)
                plan_id = result.get("plan_id")
            if approve:
                if plan_id is None:
                    fail("没有可批准的方案")
                    return
                with runtime.session_factory() as session:  # the API's approval path, same checks
                    decided = service.decide(
                        session, scope, plan_id, ApprovalDecision(action="accept", user=user), on_node=on_node
                    )
                result = decided if "diagnosis" in decided else {**result, **decided}
        except (PlanConflict, PlanNotApprovable, PlanNotFound, ScopeError) as exc:
            fail(str(exc))
            return
    if as_json:
        print_json(result)
        return
    if "diagnosis" not in result:
        console.print(f"方案 {result.get('plan_id')}：{result.get('status')}")
        return
    render(result)


def render(result: dict) -> None:
    """Human-readable plan."""
    from rich.table import Table

    diag = result["diagnosis"]
    cause = diag["primary_cause"] or {}
    console.print(
        f"[bold]{result['household']}[/bold] 主要原因：[bold]{cause.get('name')}[/bold]"
        f"（{cause.get('dimension')}/{cause.get('category')}，把握 {diag.get('confidence')}）"
    )
    console.print(f"说明：{diag.get('explanation')}")
    console.print("引用：" + "；".join(f"{c['cause_id']}←{','.join(c['evidence_ids'])}" for c in diag["citations"]))
    plan = result["plan"]
    console.print(f"阶段：{plan['stage']}  策略：{plan['strategy_label']}  欠费：{plan['arrears']}元")
    for note in plan["notes"]:
        console.print(f"· {note}")
    table = Table(show_lines=True)
    for col in ("#", "日期", "时段", "渠道", "负责人", "动作", "话术"):
        table.add_column(col)
    for s in plan["steps"]:
        table.add_row(
            str(s["seq"]), s["date"], "-".join(s["window"]), s["channel"], s["role_name"], s["action"], s["message"]
        )
    console.print(table)
    val = result["validation"]
    console.print(
        "合规校验：" + ("[green]通过[/green]" if val["passed"] else f"[red]未通过 {len(val['failures'])} 项[/red]")
    )
    for f in val["failures"]:
        console.print(f"  - 步骤{f['step_id']} {f['rule']}：{f['message']}（建议：{f['hint']}）")
    from core.domain.plan_status import PLAN_STATUS_NAMES

    label = PLAN_STATUS_NAMES.get(result["status"], result["status"])
    label += "，不能批准" if result["status"] == "blocked" else ""
    console.print(f"状态：[bold]{label}[/bold]")


def register(app: typer.Typer) -> None:
    """Attach `steward plan` to the root app."""
    app.command("plan")(plan)
