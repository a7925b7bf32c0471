"""Plans: one-click generation (JSON or server-sent progress), edit, revise, approve and reject."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import AsyncIterator, Callable
from functools import cache
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from fastapi.responses import StreamingResponse

from agent.nodes.approve import ApprovalDecision
from app.api.deps import CurrentUser, PlanServiceDep, PlanSlot, SessionDep, StateDep, WriterUser
from app.api.routes.households import household_key
from app.api.schemas import PlanDecisionCreate, PlanPublic, PlanResult, PlanReviseCreate, PlanUpdate
from app.services import casework
from app.services.plan_runs import PlanRunner, PlanService, list_plans, scoped_plan, stored_plan
from core.scope import CallerScope

log = logging.getLogger(__name__)
IdPath = Annotated[int, Path(ge=1, le=2**31 - 1, description="编号")]
router = APIRouter(tags=["plans"])


@cache
def cause_ids() -> frozenset[str]:
    """Every cause id of the knowledge base."""
    from knowledge_base.catalog import load_causes

    return frozenset(c.id for c in load_causes())


BUSY_DOC = {503: {"description": "正在生成的方案已达上限，稍后重试（Retry-After）"}}
SSE_DOC = {
    200: {
        "description": "text/event-stream：event node（每个步骤）、candidates（检索到的候选原因，先于诊断）、"
        "diagnosis（诊断，先于方案）、result（方案）或 error",
        "content": {"text/event-stream": {}},
    }
}


def _sse(event: str, data: dict) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False, default=str)}\n\n"


class ClientGone(Exception):
    """The SSE client disconnected: the run stops at the next graph step."""


def plan_events(
    runner: PlanRunner,
    service: PlanService,
    scope: CallerScope,
    household: str,
    release: Callable[[], None] = lambda: None,
) -> AsyncIterator[str]:
    """Start the run on a plan thread now and return the SSE stream of its events: one per node, then the result.

    The run holds the caller's plan-run slot and gives it back (``release``) when it ends, also when the stream is
    never read; the stream waits on an asyncio queue, so no request thread is held while the model works. When the
    client leaves, the run stops at the next graph step instead of running on for nobody.
    """
    from agent.runner import NODE_LABELS

    loop = asyncio.get_running_loop()
    events: asyncio.Queue[tuple[str, dict] | None] = asyncio.Queue()
    gone = threading.Event()

    def put(item: tuple[str, dict] | None) -> None:
        try:
            loop.call_soon_threadsafe(events.put_nowait, item)
        except RuntimeError:  # the loop is closed: nobody is listening any more
            pass

    def on_node(node: str) -> None:
        if gone.is_set():
            raise ClientGone(household)
        put(("node", {"node": node, "label": NODE_LABELS[node]}))

    def work() -> None:
        try:
            result = service.generate(scope, household, on_node=on_node, on_early=lambda kind, data: put((kind, data)))
            put(("result", result))
        except ClientGone:
            log.info("plan stream for %s stopped: the client left", household)
        except Exception as exc:  # reported to the client as an SSE error event
            log.exception("plan stream failed for %s", household)
            put(("error", {"detail": f"方案生成失败：{exc}"}))
        finally:
            release()
            put(None)

    try:
        runner.submit(work)
    except BaseException:
        release()
        raise

    async def stream() -> AsyncIterator[str]:
        try:
            while (item := await events.get()) is not None:
                yield _sse(*item)
        finally:
            gone.set()

    return stream()


def checked_household(project: str, unit: str, session: SessionDep, user: WriterUser) -> str:
    """The household key when it is in the caller's projects (404 otherwise); the connection goes back at once."""
    key = household_key(project, unit)
    casework.scoped_unit(session, user.scope, key)
    session.rollback()
    return key


CheckedHousehold = Annotated[str, Depends(checked_household)]


@router.get("/households/{project}/{unit}/plans", response_model=list[PlanPublic], summary="住户的历次方案")
def household_plans(project: str, unit: str, session: SessionDep, user: CurrentUser) -> list[dict]:
    """Every plan version of the household, newest first."""
    return list_plans(session, casework.scoped_unit(session, user.scope, household_key(project, unit)))


@router.post(
    "/households/{project}/{unit}/plans", response_model=PlanResult, summary="一键生成催费方案", responses=BUSY_DOC
)
async def generate(
    key: CheckedHousehold,
    user: WriterUser,
    service: PlanServiceDep,
    state: StateDep,
    _slot: PlanSlot,
    cause: Annotated[
        str | None,
        Query(
            max_length=48,
            description="管家指定的主要原因编号（诊断把握不高时在候选原因中选择；方案按此原因生成，并记为对原诊断的更正）",
        ),
    ] = None,
) -> dict:
    """Diagnose and draft a plan; it stops at the steward's approval."""
    if cause is not None and cause not in cause_ids():
        raise HTTPException(422, f"未知原因编号 {cause}")
    return await state.plan_runner.run(service.generate, user.scope, key, **({"cause_pick": cause} if cause else {}))


@router.post(
    "/households/{project}/{unit}/plans/stream",
    summary="一键生成催费方案（流式进度）",
    response_class=StreamingResponse,
    responses=SSE_DOC | BUSY_DOC,
)
async def generate_stream(
    key: CheckedHousehold, user: WriterUser, service: PlanServiceDep, state: StateDep
) -> StreamingResponse:
    """Server-sent events: `node` per graph step (读取证据, 诊断欠费原因, ...), then `result` or `error`."""
    state.slots.acquire()  # 503 when busy; the run gives the slot back when it ends
    return StreamingResponse(
        plan_events(state.plan_runner, service, user.scope, key, release=state.slots.release),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get("/plans/{plan_id}", response_model=PlanPublic, summary="查看方案")
def get_plan(plan_id: IdPath, session: SessionDep, user: CurrentUser) -> dict:
    """A stored plan version with its steps and diagnosis."""
    return stored_plan(session, scoped_plan(session, user.scope, plan_id))


def _decide(service: PlanService, session: SessionDep, user: WriterUser, plan_id: IdPath, **decision: object) -> dict:
    return service.decide(session, user.scope, plan_id, ApprovalDecision(user=user.username, **decision))


async def _decide_on_plan_thread(
    state: StateDep, service: PlanService, session: SessionDep, user: WriterUser, plan_id: IdPath, **decision: object
) -> dict:
    """A decision that runs the model again (edit, revise): on a plan thread, like a generation."""
    return await state.plan_runner.run(_decide, service, session, user, plan_id, **decision)


@router.post(
    "/plans/{plan_id}/approve",
    response_model=PlanResult,
    summary="批准方案",
    responses={409: {"description": "方案已被处理或未通过校验"}},
)
def approve(
    plan_id: IdPath, body: PlanDecisionCreate, session: SessionDep, user: WriterUser, service: PlanServiceDep
) -> dict:
    """Approve the plan version (once; a second decision answers 409)."""
    return _decide(service, session, user, plan_id, action="accept", comment=body.comment)


@router.post(
    "/plans/{plan_id}/reject",
    response_model=PlanResult,
    summary="驳回方案",
    responses={409: {"description": "方案已被处理"}},
)
def reject(
    plan_id: IdPath, body: PlanDecisionCreate, session: SessionDep, user: WriterUser, service: PlanServiceDep
) -> dict:
    """Reject the plan version; nothing is sent."""
    return _decide(service, session, user, plan_id, action="ignore", comment=body.comment)


@router.patch(
    "/plans/{plan_id}",
    response_model=PlanResult,
    summary="修改方案话术（重新校验）",
    responses={409: {"description": "方案已被处理"}} | BUSY_DOC,
)
async def edit(
    plan_id: IdPath,
    body: PlanUpdate,
    session: SessionDep,
    user: WriterUser,
    service: PlanServiceDep,
    state: StateDep,
    _slot: PlanSlot,
) -> dict:
    """Replace step texts; the graph validates the edit again and saves a new version awaiting approval."""
    return await _decide_on_plan_thread(
        state, service, session, user, plan_id, action="edit", edits=body.edits, comment=body.comment
    )


@router.post(
    "/plans/{plan_id}/revise",
    response_model=PlanResult,
    summary="请助手按意见改写",
    responses={409: {"description": "方案已被处理"}} | BUSY_DOC,
)
async def revise(
    plan_id: IdPath,
    body: PlanReviseCreate,
    session: SessionDep,
    user: WriterUser,
    service: PlanServiceDep,
    state: StateDep,
    _slot: PlanSlot,
) -> dict:
    """Ask the assistant to rewrite the messages with an instruction; validated again."""
    return await _decide_on_plan_thread(
        state, service, session, user, plan_id, action="respond", instruction=body.instruction
    )
