"""Overnight diagnosis: which households need the agent, and a thread-safe callable that runs it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from sqlalchemy import Engine, text

from core.settings import Settings

Diagnoser = Callable[[str], str]
"""household key -> resulting plan status; raises on failure."""

_LATEST = (
    "SELECT d.unit_id, d.evidence_fingerprint FROM diagnoses d WHERE d.id IN "
    "(SELECT MAX(id) FROM diagnoses GROUP BY unit_id)"
)


def candidates(
    engine: Engine,
    day: date,
    mode: str,
    *,
    run_id: int,
    watermark: int,
    top: int | None = None,
    include: tuple[str, ...] = (),
) -> tuple[list[tuple[int, str]], int]:
    """Households to diagnose now, and how many were skipped because their evidence is unchanged.

    ``changed``: households in arrears whose evidence fingerprint differs from their latest diagnosis
    (never diagnosed counts as changed); ``all``: every household in arrears; ``none``: nobody.
    With ``top``, only the first ``top`` households of the day's queue (highest priority, exclusions left out)
    are considered, in queue order, after the households named in ``include``; a rerun considers the same ones.
    Households already done in this run, or diagnosed after the run started, are left out.
    """
    if mode == "none":
        return [], 0
    sql = (
        f"SELECT u.id, p.code || '/' || u.code, u.evidence_fingerprint, l.evidence_fingerprint, "
        f"EXISTS (SELECT 1 FROM batch_items b WHERE b.run_id = :r AND b.unit_id = u.id "
        f"AND b.step = 'diagnose' AND b.status = 'done') "
        f"OR EXISTS (SELECT 1 FROM diagnoses d2 WHERE d2.unit_id = u.id AND d2.id > :w) AS settled, s.excluded "
        f"FROM household_scores s JOIN units u ON u.id = s.unit_id JOIN projects p ON p.id = u.project_id "
        f"LEFT JOIN ({_LATEST}) l ON l.unit_id = u.id "
        f"WHERE s.as_of = :d AND s.arrears_cents > 0 "
        f"ORDER BY {'s.priority DESC, ' if top is not None else ''}u.id"
    )
    with engine.connect() as conn:
        rows = conn.execute(text(sql), {"d": day, "r": run_id, "w": watermark}).fetchall()
    if top is not None:
        named = [r for r in rows if r[1] in include]
        queue = [r for r in rows if r[1] not in include and r[5] is None]
        rows = named + queue[: max(0, top - len(named))]
    rows = [r for r in rows if not r[4]]
    if mode == "all":
        return [(r[0], r[1]) for r in rows], 0
    todo = [(r[0], r[1]) for r in rows if r[3] is None or r[2] != r[3]]
    return todo, len(rows) - len(todo)


@contextmanager
def graph_diagnoser(
    settings: Settings,
    day: date,
    *,
    model_factory: Callable[..., Any] | None = None,
    kb: Any = None,
    user: str = "batch",
) -> Iterator[Diagnoser]:
    """A diagnoser that runs the plan graph (agent.runner.run_plan) up to the steward's approval.

    Uses the configured endpoint unless ``model_factory`` is given (tests inject a scripted model).
    """
    import threading
    from contextlib import ExitStack

    from agent.runner import run_plan
    from app.runtime import build_agent_runtime

    lock = threading.Lock()
    ready: dict[str, Any] = {}
    with ExitStack() as stack:

        def setup() -> tuple[Any, Any]:
            # Built on first use: a night with nothing to diagnose never touches the endpoint or the KB.
            with lock:
                if not ready:
                    runtime = build_agent_runtime(settings, model_factory=model_factory, kb=kb)
                    ctx = runtime.context(user=user, as_of=day)
                    ready.update(ctx=ctx, graph=stack.enter_context(runtime.graph()))
            return ready["graph"], ready["ctx"]

        def diagnose(household: str) -> str:
            graph, ctx = setup()
            state = run_plan(graph, ctx, household, thread_id=f"batch:{day.isoformat()}:{household}")
            return str(state.get("status") or "")

        yield diagnose
