"""One-click plans for the API and the workbench: generate through the agent graph, decide by resuming it."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import os
import sys
import threading
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.context import AgentContext
from agent.contracts import StoredStep
from agent.nodes.approve import ApprovalDecision
from core.domain.plan_status import PLAN_STATUS_NAMES
from core.scope import CallerScope, ScopeError
from data.db.models import Project, Unit
from data.db.workflow import Diagnosis, DunningPlan
from data.repositories import plans

STATUS_NAMES = PLAN_STATUS_NAMES
log = logging.getLogger(__name__)


class PlanCapacityError(RuntimeError):
    """Every plan-run slot is busy (message in Chinese)."""


class GenerationSlots:
    """At most ``size`` plan runs at once; a caller beyond that is refused at once instead of waiting."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._sem = threading.BoundedSemaphore(size)

    def acquire(self) -> None:
        """Take a slot or raise PlanCapacityError."""
        if not self._sem.acquire(blocking=False):
            raise PlanCapacityError(f"当前正在生成的方案较多（上限 {self.size} 个），请稍后再试")

    def release(self) -> None:
        """Give a slot back."""
        self._sem.release()

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one slot for the duration of the block."""
        self.acquire()
        try:
            yield
        finally:
            self.release()


class PlanRunner:
    """Plan runs on threads of their own (at most ``size``), never on the request threadpool.

    The API's synchronous routes (login, bill page, household views) run on the server's shared request
    threadpool; a plan run holds its thread for the whole model conversation (tens of seconds on the embedded
    model). Running plans here keeps that pool free for the short requests however many plan slots are
    configured. With ``nice`` > 0 (Linux), each plan thread also runs ``nice`` steps below the process's CPU
    priority, so when the cores are short the short requests get the CPU first and the plan runs take what is left.
    """

    def __init__(self, size: int, *, nice: int = 0) -> None:
        self.size, self.nice = size, nice
        self._pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="plan-run", initializer=self._lower)

    def _lower(self) -> None:
        if self.nice > 0 and sys.platform.startswith("linux"):
            try:  # on Linux a thread id names the thread alone (elsewhere it could name another process)
                tid = threading.get_native_id()
                current = os.getpriority(os.PRIO_PROCESS, tid)
                os.setpriority(os.PRIO_PROCESS, tid, min(19, current + self.nice))
            except OSError as exc:
                log.warning("plan threads keep the normal CPU priority: %s", exc)

    async def run(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        """Run ``fn(*args, **kwargs)`` on a plan thread and wait for it without blocking the event loop."""
        call = functools.partial(contextvars.copy_context().run, fn, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._pool, call)

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        """Start ``fn(*args, **kwargs)`` on a plan thread; returns its Future."""
        return self._pool.submit(contextvars.copy_context().run, fn, *args, **kwargs)

    def shutdown(self) -> None:
        """Stop taking runs; runs under way finish on their threads."""
        self._pool.shutdown(wait=False, cancel_futures=True)


class UnknownCause(ValueError):
    """A cause id that is not in the knowledge base (message in Chinese)."""


def latest_cause(ctx: AgentContext, household: str) -> str | None:
    """The primary cause of the household's newest diagnosis, if any."""
    from data.repositories.households import find_unit

    with ctx.session_factory() as session:
        unit = find_unit(session, household)
        return session.execute(
            select(Diagnosis.primary_cause_id)
            .where(Diagnosis.unit_id == unit.id)
            .order_by(Diagnosis.id.desc())
            .limit(1)
        ).scalar_one_or_none()


class PlanNotFound(LookupError):
    """No such plan in the caller's projects."""


def scoped_plan(session: Session, scope: CallerScope, plan_id: int) -> DunningPlan:
    """The plan when its household is in the caller's projects (LookupError otherwise, never a leak)."""
    plan = session.get(DunningPlan, plan_id)
    unit = session.get(Unit, plan.unit_id) if plan else None
    if plan is None or unit is None:
        raise PlanNotFound(f"方案 {plan_id} 不存在")
    try:
        scope.check(unit.project.code)
    except ScopeError as exc:
        raise PlanNotFound(f"方案 {plan_id} 不存在") from exc
    return plan


def stored_plan(session: Session, plan: DunningPlan) -> dict:
    """A saved plan with its steps and diagnosis."""
    unit = session.get(Unit, plan.unit_id)
    diag = session.get(Diagnosis, plan.diagnosis_id) if plan.diagnosis_id else None
    return {
        "id": plan.id,
        "household": f"{unit.project.code}/{unit.code}",
        "version": plan.version,
        "status": plan.status,
        "status_name": STATUS_NAMES.get(plan.status, plan.status),
        "stage": plan.stage,
        "strategy": plan.strategy,
        "summary": plan.summary,
        "is_fallback": plan.is_fallback,
        "validation": plan.validation,
        "created_at": plan.created_at.isoformat(sep=" ", timespec="seconds"),
        "steps": [
            StoredStep(
                seq=s.seq,
                date=s.day.isoformat(),
                window=[s.window_start, s.window_end],
                channel=s.channel,
                fallback_channel=s.fallback_channel,
                template_id=s.template_id,
                action=s.action,
                message=s.message,
                role=s.role,
            ).model_dump()
            for s in plan.steps
        ],
        "diagnosis": diagnosis_public(diag) if diag else None,
    }


def diagnosis_public(diag: Diagnosis) -> dict:
    """A stored diagnosis as JSON."""
    return {
        "id": diag.id,
        "created_at": diag.created_at.isoformat(sep=" ", timespec="seconds"),
        "primary_cause_id": diag.primary_cause_id,
        "secondary_cause_ids": diag.secondary_cause_ids,
        "confidence": diag.confidence,
        "explanation": diag.explanation,
        "citations": (diag.citations or {}).get("items", []),
        "flags": diag.flags,
        "model": diag.model,
        "prompt_version": diag.prompt_version,
    }


def list_plans(session: Session, unit: Unit) -> list[dict]:
    """Every plan version of a household, newest first."""
    rows = session.execute(
        select(DunningPlan).where(DunningPlan.unit_id == unit.id).order_by(DunningPlan.id.desc())
    ).scalars()
    return [stored_plan(session, p) for p in rows]


def recent_plans(
    session: Session, scope: CallerScope, *, statuses: Collection[str] | None = None, limit: int = 300
) -> list[dict]:
    """Summary rows of the newest plan versions in the caller's projects (optionally of some statuses), newest first."""
    query = (
        select(DunningPlan, Unit.code, Project.code)
        .join(Unit, Unit.id == DunningPlan.unit_id)
        .join(Project, Project.id == Unit.project_id)
        .order_by(DunningPlan.id.desc())
        .limit(limit)
    )
    if scope.projects is not None:
        query = query.where(Project.code.in_(sorted(scope.projects)))
    if statuses is not None:
        query = query.where(DunningPlan.status.in_(sorted(statuses)))
    return [
        {
            "id": plan.id,
            "household": f"{project}/{unit}",
            "version": plan.version,
            "status": plan.status,
            "status_name": STATUS_NAMES.get(plan.status, plan.status),
            "stage": plan.stage,
            "summary": plan.summary,
            "validation_passed": bool((plan.validation or {}).get("passed")),
            "created_at": plan.created_at.isoformat(sep=" ", timespec="minutes"),
        }
        for plan, unit, project in session.execute(query)
    ]


def list_diagnoses(session: Session, unit: Unit) -> list[dict]:
    """Every diagnosis of a household, newest first."""
    rows = session.execute(
        select(Diagnosis).where(Diagnosis.unit_id == unit.id).order_by(Diagnosis.id.desc())
    ).scalars()
    return [diagnosis_public(d) for d in rows]


@dataclass
class PlanService:
    """Runs the plan graph (with its checkpointer) for a caller and applies decisions through the graph."""

    graph: Any
    context_for: Callable[[CallerScope], AgentContext]

    def generate(
        self,
        scope: CallerScope,
        household: str,
        on_node: Callable[[str], None] | None = None,
        on_early: Callable[[str, dict], None] | None = None,
        cause_pick: str | None = None,
    ) -> dict:
        """Run to the approval interrupt and return the public plan result.

        Candidates and the diagnosis go to ``on_early`` as soon as they exist. ``cause_pick`` is the steward's
        choice of cause (when the diagnosis was unsure); the cause of the household's latest diagnosis is kept
        with it as the one it corrects.

        Raises:
            UnknownCause: ``cause_pick`` is not a cause of the knowledge base.
        """
        from agent.output import plan_result
        from agent.runner import run_plan

        scope.check_write()
        ctx = self.context_for(scope)
        replaced = None
        if cause_pick:
            if cause_pick not in ctx.kb.causes:
                raise UnknownCause(f"未知原因编号 {cause_pick}")
            replaced = latest_cause(ctx, household)
        state = run_plan(
            self.graph,
            ctx,
            household,
            on_node=on_node,
            on_early=on_early,
            cause_pick=cause_pick,
            corrected_from=replaced,
        )
        return plan_result(state, ctx.kb)

    def decide(
        self,
        session: Session,
        scope: CallerScope,
        plan_id: int,
        decision: ApprovalDecision,
        on_node: Callable[[str], None] | None = None,
    ) -> dict:
        """Resume the paused run with the decision; edits are validated again by the graph.

        Raises:
            PlanNotFound: no such plan in the caller's projects.
            plans.PlanConflict: the plan was already decided, is not the household's latest version (PlanNotLatest)
                or its run can no longer be resumed.
            plans.PlanNotApprovable: the plan failed validation.
        """
        from agent.output import plan_result
        from agent.runner import resume

        plan = scoped_plan(session, scope, plan_id)
        scope.check_write()
        status, thread_id = plan.status, plan.thread_id
        if status == "blocked":
            raise plans.PlanNotApprovable("方案未通过合规校验，不能批准，请重新生成或修改")
        if status != "awaiting_approval":
            raise plans.PlanConflict(
                f"方案已处理（当前状态：{STATUS_NAMES.get(status, status)}），请刷新后查看最新版本"
            )
        newest = plans.latest_version(session, plan.unit_id)
        if plan.version != newest:
            raise plans.PlanNotLatest(
                f"方案第 {plan.version} 版不是该户的最新版本（最新为第 {newest} 版），请刷新后处理最新版本"
            )
        session.rollback()
        config = {"configurable": {"thread_id": thread_id}}
        paused = bool(thread_id) and bool(self.graph.get_state(config).next)
        ctx = self.context_for(scope)
        if not paused:
            return self._decide_without_run(session, plan_id, decision, ctx)
        state = resume(self.graph, ctx, thread_id, decision.model_dump(), on_node=on_node)
        return plan_result(state, ctx.kb)

    @staticmethod
    def _decide_without_run(session: Session, plan_id: int, decision: ApprovalDecision, ctx: AgentContext) -> dict:
        if decision.action not in ("accept", "ignore"):
            raise plans.PlanConflict("方案的生成会话已失效，请重新生成方案后再修改")
        plans.decide(
            session,
            plan_id=plan_id,
            decision=decision.action,
            username=decision.user,
            at=ctx.clock(),
            comment=decision.comment,
        )
        session.commit()
        return {"plan_id": plan_id, "status": "approved" if decision.action == "accept" else "ignored"}


def pending_draft(session: Session, unit: Unit, causes: dict[str, Any]) -> dict | None:
    """The household's plan awaiting approval, in the shape of a fresh run's result, with where it came from.

    ``drafted`` says who drafted it (``batch`` overnight or a ``steward``), when, and the evidence fingerprint it
    was drafted from; ``evidence_changed`` is true when the household's evidence has changed since, so the
    workbench offers to draft again.
    """
    from agent.output import is_unsure
    from core.domain.planning import ROLES_ZH
    from core.domain.strategy import LABELS

    plan = session.execute(
        select(DunningPlan)
        .where(DunningPlan.unit_id == unit.id, DunningPlan.status == "awaiting_approval")
        .order_by(DunningPlan.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if plan is None:
        return None
    diag = session.get(Diagnosis, plan.diagnosis_id) if plan.diagnosis_id else None
    cause = causes.get(diag.primary_cause_id) if diag else None
    drafted_from = diag.evidence_fingerprint if diag else None
    return {
        "plan_id": plan.id,
        "status": plan.status,
        "validation": plan.validation or {},
        "diagnosis": {
            "primary_cause": {
                "id": cause.id,
                "name": cause.name,
                "dimension": cause.dimension,
                "category": cause.category,
            }
            if cause
            else None,
            "confidence": diag.confidence if diag else None,
            "unsure": bool(diag) and is_unsure({"confidence": diag.confidence}),
            "secondary_causes": [
                {"id": c, "name": causes[c].name} for c in (diag.secondary_cause_ids if diag else []) if c in causes
            ],
            "explanation": diag.explanation if diag else "",
            "citations": (diag.citations or {}).get("items", []) if diag else [],
        },
        "plan": {
            "stage": plan.stage,
            "strategy": plan.strategy,
            "strategy_label": LABELS.get(plan.strategy, plan.strategy),
            "arrears": f"{plan.arrears_cents / 100:.2f}" if plan.arrears_cents is not None else None,
            "notes": [],
            "steps": [
                {
                    "seq": s.seq,
                    "date": s.day.isoformat(),
                    "window": [s.window_start, s.window_end],
                    "channel": s.channel,
                    "role_name": ROLES_ZH.get(s.role, s.role),
                    "action": s.action,
                    "message": s.message,
                    "outgoing": s.channel != "internal",
                }
                for s in plan.steps
            ],
        },
        "drafted": {
            "by": "batch" if (plan.thread_id or "").startswith("batch:") else "steward",
            "at": plan.created_at.isoformat(sep=" ", timespec="minutes"),
            "fingerprint": (drafted_from or "")[:12],
        },
        "evidence_changed": bool(drafted_from) and drafted_from != unit.evidence_fingerprint,
    }
