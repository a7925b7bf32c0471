"""The Celery application of the overnight batch (broker from STEWARD_BROKER_URL; no result backend)."""

from __future__ import annotations

from functools import lru_cache

from celery import Celery

from core.settings import Settings, get_settings

QUEUES = ("score", "draft", "dispatch")
"""Short queue names; the broker queues are ``<STEWARD_BROKER_QUEUE_PREFIX>.<name>``."""

TASKS = {
    "score": "steward.batch.score_shard",
    "rescore": "steward.batch.score_shard",
    "draft": "steward.batch.draft_household",
    "dispatch": "steward.batch.dispatch_step",
    "reminders": "steward.batch.send_reminders",
}
"""Task name of each batch stage."""

STAGE_QUEUE = {"score": "score", "rescore": "score", "draft": "draft", "dispatch": "dispatch", "reminders": "dispatch"}


def queue_name(short: str, prefix: str = "steward") -> str:
    """Broker queue of a short name (``draft`` -> ``steward.draft``)."""
    return f"{prefix}.{short.removeprefix(prefix + '.')}"


def stage_queue(celery: Celery, stage: str) -> str:
    """The broker queue the tasks of a batch stage go to on this app."""
    return queue_name(STAGE_QUEUE[stage], celery.conf.steward_queue_prefix)


def make_celery(settings: Settings | None = None) -> Celery:
    """A Celery app on the configured broker: late acks, one message at a time, no results kept in the broker.

    Progress and outcomes live in the project database (``batch_tasks``); a task is acknowledged after it ran,
    and a worker lost mid-task gives its message back (RabbitMQ at once, Redis after the visibility timeout,
    and the coordinator sends tasks whose claim lapsed again).
    """
    settings = settings or get_settings()
    if not settings.broker_url:
        raise RuntimeError("未配置 STEWARD_BROKER_URL（例如 redis://127.0.0.1:6379/0）")
    app = Celery("steward", broker=settings.broker_url, include=["app.workers.tasks"])
    prefix = settings.broker_queue_prefix
    app.conf.update(
        steward_queue_prefix=prefix,
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_serializer="json",
        accept_content=["json"],
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": 3600},
        task_default_queue=queue_name("score", prefix),
        task_routes={name: {"queue": queue_name(STAGE_QUEUE[stage], prefix)} for stage, name in TASKS.items()},
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        task_send_sent_event=False,
        enable_utc=True,
    )
    return app


@lru_cache
def get_celery() -> Celery:
    """The process's Celery app (built on first use from the settings)."""
    return make_celery(get_settings())
