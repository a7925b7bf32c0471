"""Case work on one household: contact attempts, promises, instalments, disputes, opt-outs."""

from __future__ import annotations

from fastapi import APIRouter, status

from app.api.deps import ClockDep, CurrentUser, QueueDep, SessionDep, WriterUser
from app.api.routes.households import household_key
from app.api.schemas import (
    ContactAttemptCreate,
    ContactAttemptPublic,
    DisputeCreate,
    DisputePublic,
    InstalmentCreate,
    InstalmentPublic,
    OptOutCreate,
    OptOutPublic,
    PromiseCreate,
    PromisePublic,
)
from app.services import casework
from app.services.collections import case_events


def _record(session, user, project: str, unit: str, kind: str, **kw) -> None:  # noqa: ANN001
    """Every case write goes through the case-event service with the caller's rights."""
    actor = case_events.Actor(user.username, user.role, user.scope)
    case_events.record(session, actor, household_key(project, unit), kind, **kw)


router = APIRouter(prefix="/households/{project}/{unit}", tags=["casework"])
CREATED = status.HTTP_201_CREATED
CONFLICT = {409: {"description": "业主已退订、在黑名单中或状态不允许"}}


def _unit(session, user, project: str, unit: str):  # noqa: ANN001, ANN202
    return casework.scoped_unit(session, user.scope, household_key(project, unit))


@router.get("/contact-attempts", response_model=list[ContactAttemptPublic], summary="触达记录")
def list_attempts(project: str, unit: str, session: SessionDep, user: CurrentUser) -> list[dict]:
    """Contacts made, newest first."""
    return casework.list_attempts(session, _unit(session, user, project, unit))


@router.post(
    "/contact-attempts",
    response_model=ContactAttemptPublic,
    status_code=CREATED,
    summary="记录一次联系",
    responses=CONFLICT,
)
def add_attempt(
    project: str, unit: str, body: ContactAttemptCreate, session: SessionDep, user: WriterUser, clock: ClockDep
) -> dict:
    """Log a contact; refused (409) for opted-out channels and blacklisted owners."""
    _record(
        session,
        user,
        project,
        unit,
        "contact",
        at=body.at or clock(),
        channel=body.channel,
        outcome=body.outcome,
        note=body.text,
    )
    return casework.list_attempts(session, _unit(session, user, project, unit))[0]


@router.get("/promises", response_model=list[PromisePublic], summary="还款承诺")
def list_promises(project: str, unit: str, session: SessionDep, user: CurrentUser) -> list[dict]:
    """Promises to pay, newest first."""
    return casework.list_promises(session, _unit(session, user, project, unit))


@router.post("/promises", response_model=PromisePublic, status_code=CREATED, summary="记录还款承诺")
def add_promise(
    project: str, unit: str, body: PromiseCreate, session: SessionDep, user: WriterUser, clock: ClockDep
) -> dict:
    """Record a promise to pay (reminders pause until its date)."""
    _record(
        session,
        user,
        project,
        unit,
        "promise_made",
        at=clock(),
        promised_date=body.promised_date,
        amount_cents=int(body.amount * 100),
    )
    return casework.list_promises(session, _unit(session, user, project, unit))[0]


@router.get("/instalments", response_model=list[InstalmentPublic], summary="分期安排")
def list_instalments(project: str, unit: str, session: SessionDep, user: CurrentUser) -> list[dict]:
    """Instalment plans, newest first."""
    return casework.list_instalments(session, _unit(session, user, project, unit))


@router.post(
    "/instalments", response_model=InstalmentPublic, status_code=CREATED, summary="安排分期", responses=CONFLICT
)
def add_instalment(
    project: str, unit: str, body: InstalmentCreate, session: SessionDep, user: WriterUser, clock: ClockDep
) -> dict:
    """Split the current arrears into 1–12 monthly instalments (active: agreed now; requested: to decide)."""
    kind = "instalment_approved" if body.status == "active" else "instalment_requested"
    _record(session, user, project, unit, kind, at=clock(), months=body.months, start_date=body.start_date)
    return casework.list_instalments(session, _unit(session, user, project, unit))[0]


@router.get("/disputes", response_model=list[DisputePublic], summary="账单异议")
def list_disputes(project: str, unit: str, session: SessionDep, user: CurrentUser) -> list[dict]:
    """Disputes, newest first."""
    return casework.list_disputes(session, _unit(session, user, project, unit))


@router.post("/disputes", response_model=DisputePublic, status_code=CREATED, summary="登记异议")
def add_dispute(
    project: str,
    unit: str,
    body: DisputeCreate,
    session: SessionDep,
    user: WriterUser,
    clock: ClockDep,
    queue: QueueDep,
) -> dict:
    """Open a dispute; forced collection pauses while it is open."""
    _record(session, user, project, unit, "dispute_opened", at=clock(), note=body.note)
    queue.clear()
    return casework.list_disputes(session, _unit(session, user, project, unit))[0]


@router.get("/opt-outs", response_model=list[OptOutPublic], summary="退订记录")
def list_opt_outs(project: str, unit: str, session: SessionDep, user: CurrentUser) -> list[dict]:
    """The owner's opt-outs."""
    return casework.list_opt_outs(session, _unit(session, user, project, unit))


@router.post("/opt-outs", response_model=OptOutPublic, status_code=CREATED, summary="登记退订")
def add_opt_out(
    project: str, unit: str, body: OptOutCreate, session: SessionDep, user: WriterUser, clock: ClockDep, queue: QueueDep
) -> dict:
    """Record an opt-out (one channel, or every channel when channel is null)."""
    _record(session, user, project, unit, "opt_out", at=clock(), channel=body.channel, reason=body.reason)
    queue.clear()
    return casework.list_opt_outs(session, _unit(session, user, project, unit))[0]
