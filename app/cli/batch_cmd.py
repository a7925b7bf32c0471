"""`steward batch`: the overnight run (scores, queue, diagnoses where evidence changed, due sends)."""

from __future__ import annotations

from datetime import date

import typer

from app.cli.common import console, fail, print_json
from app.workers import STAGE_NAMES

app = typer.Typer(no_args_is_help=True, help="夜间批处理 / Overnight batch.")

PHASES = {"score": "评分与分层", "diagnose": "AI 诊断（证据有变化的住户）", "dispatch": "发送已批准的今日步骤"}


@app.command("run")
def run_cmd(
    day: str | None = typer.Option(None, "--date", help="业务日期（默认取数据集日期）"),
    diagnose: str = typer.Option(
        "changed", "--diagnose", help="changed：证据有变化的住户；all：全部欠费户；none：不诊断"
    ),
    concurrency: int = typer.Option(2, "--concurrency", min=1, max=64, help="并发诊断数"),
    draft_top: int | None = typer.Option(
        None, "--draft-top", min=0, help="只为今日队列前 N 户预生成方案（证据未变的跳过）；默认全部候选户"
    ),
    draft: list[str] = typer.Option([], "--draft", help="无论队列位置都先预生成的住户（项目/房号），可重复"),
    time_budget: float | None = typer.Option(
        None, "--time-budget", min=0, help="预生成的时间预算（分钟）；到时未开始的住户留给下次运行"
    ),
    database_url: str | None = typer.Option(None, "--database-url", help="数据库 URL"),
    webhook_url: str | None = typer.Option(None, "--webhook-url", help="渠道网关 URL（默认写入发件箱并模拟回执）"),
    as_json: bool = typer.Option(False, "--json", help="结束时输出 JSON 摘要"),
    engine_name: str = typer.Option(
        "auto",
        "--engine",
        help="process：本进程运行；celery：分发给 worker（需 STEWARD_BROKER_URL）；auto：配置了 broker 时用 celery",
    ),
) -> None:
    """重算全部住户的风险分、阶段、策略与队列，再对证据有变化的住户运行 AI 诊断；中断后重跑会从断点继续。"""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from app.cli.common import database_url as resolve_url
    from app.services.bill_links import send_links
    from app.services.collections.batch import Drafting, run_batch
    from app.services.collections.diagnosis import graph_diagnoser
    from core.settings import get_settings
    from data.db.session import init_db, make_session_factory
    from data.repositories.households import business_date

    if diagnose not in ("changed", "all", "none"):
        fail("--diagnose 应为 changed、all 或 none")
        return
    if engine_name not in ("auto", "process", "celery"):
        fail("--engine 应为 auto、process 或 celery")
        return
    url = resolve_url(database_url)
    settings = get_settings().model_copy(update={"database_url": url})
    if engine_name == "celery" and not settings.broker_url:
        fail("--engine celery 需要配置 STEWARD_BROKER_URL（例如 redis://127.0.0.1:6379/0）")
        return
    on_workers = engine_name == "celery" or (engine_name == "auto" and bool(settings.broker_url))
    engine = init_db(url)
    with make_session_factory(engine)() as session:
        today = business_date(session, date.fromisoformat(day) if day else settings.as_of)
    adapters = _webhook_adapters(webhook_url) if webhook_url else None
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=as_json,
    ) as bar:
        tasks: dict[str, int] = {}

        def progress(phase: str, advance: int, total: int | None) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(PHASES[phase], total=total)
            elif total is not None:
                bar.update(tasks[phase], total=total)
            bar.advance(tasks[phase], advance)

        drafting = Drafting(
            top=draft_top,
            include=tuple(draft),
            budget_s=time_budget * 60 if time_budget is not None else None,
        )
        if on_workers:
            summary = _run_on_workers(engine, settings, today, diagnose, drafting, webhook_url, progress)
            if as_json:
                print_json(summary.to_dict())
            else:
                render(summary)
            return
        try:
            with graph_diagnoser(settings, today) as diagnoser:
                summary = run_batch(
                    engine,
                    var_dir=settings.var_dir,
                    as_of=today,
                    diagnose=diagnose,
                    concurrency=concurrency,
                    diagnoser=diagnoser if diagnose != "none" else None,
                    adapters=adapters,
                    progress=progress,
                    link_for=send_links(settings),
                    drafting=drafting,
                )
        except Exception as exc:  # endpoint, database
            fail(f"批处理中断（重跑同一日期会从断点继续）：{exc}")
            return
    if as_json:
        print_json(summary.to_dict())
        return
    render(summary)


def _run_on_workers(engine, settings, today, diagnose, drafting, webhook_url, progress):  # noqa: ANN001, ANN202
    from app.workers.celery_app import make_celery
    from app.workers.night import NoWorkers, check_workers, run_night

    celery = make_celery(settings)
    try:
        check_workers(celery)
        return run_night(
            engine,
            settings,
            as_of=today,
            diagnose=diagnose,
            drafting=drafting,
            webhook_url=webhook_url,
            progress=progress,
            celery=celery,
        )
    except NoWorkers as exc:
        fail(str(exc))
    except Exception as exc:  # broker, database
        fail(f"批处理中断（重跑同一日期会从断点继续）：{exc}")


@app.command("status")
def status_cmd(
    run_id: int | None = typer.Option(None, "--run", help="批处理编号（默认最近一次）"),
    database_url: str | None = typer.Option(None, "--database-url", help="数据库 URL"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON"),
) -> None:
    """各阶段进度：已完成 / 运行中 / 排队 / 失败（进度条；--json 输出 JSON）。"""
    from app.cli.common import database_url as resolve_url
    from app.workers.night import batch_status
    from data.db.session import init_db

    engine = init_db(resolve_url(database_url))
    try:
        status = batch_status(engine, run_id)
    finally:
        engine.dispose()
    if status is None:
        fail("还没有批处理记录" if run_id is None else f"没有编号为 {run_id} 的批处理")
        return
    if as_json:
        print_json(status)
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    state = {"running": "运行中", "done": "已完成"}.get(status["status"], status["status"])
    engine_name = {"celery": "Celery worker", "process": "单进程"}.get(status["engine"], status["engine"])
    console.print(f"批处理 #{status['run_id']} {status['as_of']}（{engine_name}）：{state}")
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[extra]}"),
        console=console,
        auto_refresh=False,
    ) as bars:
        for stage, row in status["stages"].items():
            finished = row["done"] + row["skipped"] + row["failed"]
            extra = f"运行中 {row['running']}  排队 {row['queued']}  失败 {row['failed']}"
            bars.add_task(STAGE_NAMES.get(stage, stage), total=row["total"] or 1, completed=finished, extra=extra)
        bars.refresh()


def _webhook_adapters(url: str):  # noqa: ANN202
    from app.channels import OutboxAdapter, WebhookAdapter

    gateway = WebhookAdapter(url)
    return lambda session: [gateway, OutboxAdapter(session)]


def render(summary) -> None:  # noqa: ANN001
    """End-of-run summary table."""
    from rich.table import Table

    table = Table(title=f"批处理 #{summary.run_id} {summary.as_of}" + ("（断点续跑）" if summary.resumed else ""))
    table.add_column("项目")
    table.add_column("数量", justify="right")
    for label, value in (
        ("住户", summary.households),
        ("欠费户", summary.in_arrears),
        ("进入队列", summary.queued),
        ("AI 诊断完成", summary.diagnosed),
        ("诊断失败（下次重试）", summary.diagnosis_failed),
        ("证据未变化跳过", summary.unchanged_skipped),
        ("时间预算用尽，留待下次", summary.budget_skipped),
        ("已发送", summary.dispatched),
        ("案件暂停发送（已缴清/异议/承诺/分期）", summary.held),
        ("被触达规则拦截", summary.blocked),
        ("承诺违约，重新跟进", summary.promises.get("broken", 0)),
    ):
        table.add_row(label, f"{value:,}")
    console.print(table)
    console.print("用时：" + "，".join(f"{PHASES[k]} {v:.1f} 秒" for k, v in summary.seconds.items()))


def register(root: typer.Typer) -> None:
    """Attach `steward batch` to the root app."""
    root.add_typer(app, name="batch")
