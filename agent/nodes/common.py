"""Helpers shared by nodes: evidence reader per run, model calls with usage records."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

from langgraph.runtime import Runtime

from agent.context import AgentContext
from data.repositories.plan_facts import PlanFacts
from tools.evidence import EvidenceReader


@contextmanager
def reader_for(runtime: Runtime[AgentContext], household: str):  # noqa: ANN201
    """Open a session and an evidence reader scoped to the caller."""
    ctx = runtime.context
    session = ctx.session_factory()
    try:
        yield EvidenceReader(session, household, ctx.scope, ctx.as_of)
    finally:
        session.close()


def timed_call(name: str, fn: Callable[[], Any]) -> tuple[Any, dict]:
    """Run a model call and return (result, usage record)."""
    started = time.perf_counter()
    result = fn()
    record: dict[str, Any] = {"call": name, "seconds": round(time.perf_counter() - started, 2)}
    raw = result.get("raw") if isinstance(result, dict) else result
    meta = getattr(raw, "usage_metadata", None) or {}
    record["input_tokens"] = meta.get("input_tokens", 0)
    record["output_tokens"] = meta.get("output_tokens", 0)
    record["cached_tokens"] = (meta.get("input_token_details") or {}).get("cache_read", 0)
    timings = ((getattr(raw, "response_metadata", None) or {}).get("token_usage") or {}).get("timings")
    if timings:  # the embedded server's prefill and decode times
        record["prefill_s"] = round(timings.get("prompt_ms", 0) / 1000, 2)
        record["decode_s"] = round(timings.get("predicted_ms", 0) / 1000, 2)
    return result, record


def facts_for(runtime: Runtime[AgentContext], household: str, *, fresh: bool = False) -> PlanFacts:
    """The household's plan facts, read once per run and kept in the run's context, never in the checkpoint.

    The first node of a run asks for ``fresh`` facts; later nodes reuse them.
    """
    from data.repositories.plan_facts import load_plan_facts

    ctx = runtime.context
    if fresh or household not in ctx.facts_cache:
        with ctx.session_factory() as session:
            ctx.facts_cache[household] = load_plan_facts(session, household, ctx.as_of)
    return ctx.facts_cache[household]


def model_for(runtime: Runtime[AgentContext], household: str, **kwargs: Any) -> Any:
    """A chat model whose boundary also refuses this household's raw values (phone, ID, name, title, unit)."""
    ctx = runtime.context
    facts = facts_for(runtime, household)
    values = tuple(
        v for v in (*facts.sensitive_values, facts.owner_title, facts.unit_label) if v and len(v) >= 2 and v != "业主"
    )
    return ctx.model_factory(known_values=values, **kwargs)
