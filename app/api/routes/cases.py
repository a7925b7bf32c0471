"""The case of one household: its state and history, and the events that move it (with the caller's rights)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, Field

from app.api.deps import ClockDep, CurrentUser, QueueDep, SessionDep, WriterUser
from app.api.routes.households import household_key
from app.services.collections import case_events

router = APIRouter(prefix="/households/{project}/{unit}", tags=["cases"])
EventKind = Literal[case_events.MANUAL_EVENTS]  # type: ignore[valid-type]


class CaseEventCreate(BaseModel):
    """One case event; which fields matter depends on the kind."""

    kind: EventKind
    amount: Decimal | None = Field(None, gt=0, decimal_places=2, description="缴费或承诺金额（元）")
    promised_date: date | None = None
    months: int | None = Field(None, ge=1, le=12)
    start_date: date | None = None
    channel: str | None = None
    outcome: str | None = None
    note: str = Field("", max_length=1000)
    reason: str = Field("", max_length=1000)
    ref: str | None = Field(None, max_length=64, description="外部流水号（重复提交不重复入账）")
    at: datetime | None = None


class PaymentCreate(BaseModel):
    """A payment a steward received (cash, transfer, POS)."""

    amount: Decimal = Field(gt=0, decimal_places=2)
    channel: str = "管家登记"
    ref: str | None = Field(None, max_length=64)


def _actor(user) -> case_events.Actor:  # noqa: ANN001
    return case_events.Actor(user.username, user.role, user.scope)


def _cents(amount: Decimal | None) -> int | None:
    return None if amount is None else int((amount * 100).to_integral_value())


@router.get("/case", summary="案件概况：状态、欠费、承诺、异议、分期、联系记录、下一步与原因")
def show_case(project: str, unit: str, session: SessionDep, user: CurrentUser) -> dict:
    """Everything that decides what happens next to this household."""
    return case_events.case_view(session, user.scope, household_key(project, unit))


@router.post(
    "/events",
    status_code=status.HTTP_201_CREATED,
    summary="登记案件事件",
    responses={403: {"description": "角色无权登记该事件"}, 409: {"description": "与案件状态矛盾"}},
)
def add_event(
    project: str,
    unit: str,
    body: CaseEventCreate,
    session: SessionDep,
    user: WriterUser,
    clock: ClockDep,
    queue: QueueDep,
) -> dict:
    """Record an event; the case state moves and dispatch sees it before the next send."""
    try:
        out = case_events.record(
            session,
            _actor(user),
            household_key(project, unit),
            body.kind,
            at=body.at or clock(),
            amount_cents=_cents(body.amount),
            promised_date=body.promised_date,
            months=body.months,
            start_date=body.start_date,
            channel=body.channel,
            outcome=body.outcome,
            note=body.note,
            reason=body.reason,
            ref=body.ref,
        )
    except case_events.EventRefused as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from exc
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc
    session.commit()
    queue.clear()
    return out


@router.post("/payments", status_code=status.HTTP_201_CREATED, summary="登记线下缴费（按最早账期核销）")
def add_payment(
    project: str,
    unit: str,
    body: PaymentCreate,
    session: SessionDep,
    user: WriterUser,
    clock: ClockDep,
    queue: QueueDep,
) -> dict:
    """A manual payment settles receivables the same way as the provider and the import."""
    out = case_events.record(
        session,
        _actor(user),
        household_key(project, unit),
        "payment",
        at=clock(),
        amount_cents=_cents(body.amount),
        channel=body.channel,
        ref=body.ref,
    )
    session.commit()
    queue.clear()
    return out
