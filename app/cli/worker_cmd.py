"""`steward worker`: a Celery worker of the overnight batch (scoring shards, drafting, dispatch)."""

from __future__ import annotations

import typer

from app.cli.common import fail


def worker(
    queues: str = typer.Option(
        "score,draft,dispatch", "--queues", "-Q", help="处理的队列（逗号分隔）：score、draft、dispatch"
    ),
    concurrency: int = typer.Option(2, "--concurrency", "-c", min=1, max=256, help="并发任务数（进程或线程）"),
    pool: str = typer.Option("prefork", "--pool", help="prefork（默认）、threads 或 solo"),
    name: str | None = typer.Option(None, "--name", "-n", help="worker 名称（默认 steward-<pid>@<主机名>）"),
    loglevel: str = typer.Option("INFO", "--loglevel", help="日志级别"),
) -> None:
    """启动一个批处理 worker（从 STEWARD_BROKER_URL 取任务，进度与结果写入项目数据库）。"""
    import os

    from app.workers.celery_app import QUEUES, make_celery, queue_name
    from core.settings import get_settings

    settings = get_settings()
    if not settings.broker_url:
        fail("未配置 STEWARD_BROKER_URL（例如 redis://127.0.0.1:6379/0 或 amqp://guest:guest@127.0.0.1:5672//）")
        return
    wanted = [q.strip() for q in queues.split(",") if q.strip()]
    prefix = settings.broker_queue_prefix
    unknown = [q for q in wanted if q.removeprefix(prefix + ".") not in QUEUES]
    if unknown or not wanted:
        fail(f"未知队列：{', '.join(unknown) or '（空）'}；可选 {', '.join(QUEUES)}")
        return
    if pool not in ("prefork", "threads", "solo"):
        fail("--pool 应为 prefork、threads 或 solo")
        return
    celery = make_celery(settings)
    celery.worker_main(
        [
            "worker",
            f"--queues={','.join(queue_name(q, prefix) for q in wanted)}",
            f"--concurrency={concurrency}",
            f"--pool={pool}",
            f"--hostname={name or f'steward-{os.getpid()}@%h'}",
            f"--loglevel={loglevel}",
            "--without-gossip",
            "--without-mingle",
        ]
    )


def register(root: typer.Typer) -> None:
    """Attach `steward worker` to the root app."""
    root.command("worker")(worker)
