"""Households: search, first screen, evidence, diagnoses, audited reveal and bill links."""

from __future__ import annotations

from fastapi import APIRouter, Query

from app.api.deps import ClockDep, CurrentUser, SessionDep, StateDep, WriterUser
from app.api.schemas import (
    BillLinkPublic,
    BillLinkRevoked,
    DiagnosisPublic,
    EvidencePublic,
    HouseholdPublic,
    HouseholdSummary,
    RevealCreate,
    RevealPublic,
)
from app.services import casework, portfolio
from data.repositories.households import household_view

router = APIRouter(prefix="/households", tags=["households"])


def household_key(project: str, unit: str) -> str:
    """Path parameters → household key."""
    return f"{project}/{unit}"


@router.get("", response_model=list[HouseholdSummary], summary="按项目列出或搜索住户")
def search(
    session: SessionDep,
    user: CurrentUser,
    project: str | None = None,
    q: str = Query("", description="房号或楼栋，如 1203"),
    limit: int = Query(50, le=500),
    offset: int = 0,
) -> list[dict]:
    """Households in the caller's projects, optionally filtered by project and unit text."""
    return portfolio.search_households(session, user.scope, project=project, q=q, limit=limit, offset=offset)


@router.get("/{project}/{unit}", response_model=HouseholdPublic, summary="住户概况（金额、账龄、可触达性）")
def view(project: str, unit: str, session: SessionDep, user: CurrentUser) -> dict:
    """The first screen: arrears, aging, stage, bills, masked contacts, consent and reachability lights."""
    key = household_key(project, unit)
    row = casework.scoped_unit(session, user.scope, key)
    view = household_view(session, key, scope=user.scope)
    # The view holds plain JSON values only: a shallow dict avoids asdict's deep copy on this hot path.
    return {**vars(view), "reachability": casework.reachability(session, row, view.consent)}


@router.get("/{project}/{unit}/evidence", response_model=EvidencePublic, summary="住户证据（已脱敏）")
def evidence(
    project: str,
    unit: str,
    session: SessionDep,
    user: CurrentUser,
    chat_offset: int = 0,
    chat_limit: int = Query(100, le=500),
) -> dict:
    """Chats, tickets, claims, payments, contacts and commitments, every text redacted, with citable ids."""
    from tools.evidence import EvidenceReader

    reader = EvidenceReader(session, household_key(project, unit), user.scope)
    return {
        "profile": reader.profile(),
        "chats": reader.chats(chat_offset, chat_limit),
        "tickets": reader.tickets(),
        "claims": reader.claims(),
        "payments": reader.payments(),
        "contact_history": reader.contact_history(),
        "commitments": reader.commitments(),
        "consent": reader.consent(),
    }


@router.get("/{project}/{unit}/diagnoses", response_model=list[DiagnosisPublic], summary="历次欠费原因诊断")
def diagnoses(project: str, unit: str, session: SessionDep, user: CurrentUser) -> list[dict]:
    """Stored diagnoses, newest first."""
    from app.services.plan_runs import list_diagnoses

    return list_diagnoses(session, casework.scoped_unit(session, user.scope, household_key(project, unit)))


@router.post("/{project}/{unit}/reveal", response_model=RevealPublic, summary="查看完整联系方式（留痕）")
def reveal(project: str, unit: str, body: RevealCreate, session: SessionDep, user: WriterUser) -> dict:
    """Unmasked name and contacts; recorded as audit event pii.reveal with the reason."""
    from app.services.audit_log import reveal_contacts

    row = casework.scoped_unit(session, user.scope, household_key(project, unit))
    return reveal_contacts(session, row, actor=user.username, reason=body.reason)


@router.post(
    "/{project}/{unit}/bill-link", response_model=BillLinkPublic, summary="生成业主账单页链接（旧链接随即失效）"
)
def bill_link(project: str, unit: str, session: SessionDep, user: WriterUser, state: StateDep, clock: ClockDep) -> dict:
    """A signed link to the owner's mobile bill page; earlier links of the household stop working.

    It works for STEWARD_BILL_LINK_TTL_DAYS days (default 7); then the page answers 410.

    Issuing is recorded in the audit log (bill.link_issued).
    """
    from app.services import bill_links

    row = casework.scoped_unit(session, user.scope, household_key(project, unit))
    issued = bill_links.issue(
        session, state.secret, row, actor=user.username, at=clock(), ttl=bill_links.ttl(state.settings)
    )
    return {
        "url": f"/bill/{issued.token}",
        "token": issued.token,
        "expires_at": issued.expires_at.isoformat(timespec="seconds"),
    }


@router.delete("/{project}/{unit}/bill-link", response_model=BillLinkRevoked, summary="作废业主账单页链接")
def revoke_bill_link(project: str, unit: str, session: SessionDep, user: WriterUser, clock: ClockDep) -> dict:
    """Every live link of the household stops working at once (audited as bill.link_revoked)."""
    from app.services import bill_links

    row = casework.scoped_unit(session, user.scope, household_key(project, unit))
    return {"revoked": bill_links.revoke(session, row, actor=user.username, at=clock())}
