"""Persisting diagnoses and plan versions, and recording a steward's decision exactly once."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from data.db.models import Unit
from data.db.workflow import Approval, Diagnosis, DunningPlan, PlanStep
from data.repositories import audit
from data.repositories.cases import lock_case, retire_older_plans


class PlanConflict(RuntimeError):
    """The plan was already decided (e.g. another steward approved it first)."""


class PlanNotApprovable(RuntimeError):
    """The plan failed validation and can never be approved."""


class PlanNotLatest(PlanConflict):
    """A newer version of the household's plan exists: only the latest version may be decided."""


def _supersede_pending(session: Session, unit_id: int) -> None:
    session.execute(
        update(DunningPlan)
        .where(DunningPlan.unit_id == unit_id, DunningPlan.status == "awaiting_approval")
        .values(status="superseded")
    )


def latest_version(session: Session, unit_id: int) -> int:
    """The newest plan version number of a unit (0 when it has none)."""
    return session.execute(select(func.max(DunningPlan.version)).where(DunningPlan.unit_id == unit_id)).scalar() or 0


def _cents(yuan: object) -> int | None:
    """Ledger amount of a plan ("1680.00") in cents; None when the plan does not say."""
    if yuan in (None, ""):
        return None
    return int((Decimal(str(yuan)) * 100).to_integral_value())


def save_draft(
    session: Session,
    *,
    unit_id: int,
    diagnosis: dict,
    plan: dict,
    validation: dict,
    thread_id: str | None,
    actor: str,
    at: datetime,
    model: str = "",
    prompt_version: str = "",
    supersedes: int | None = None,
) -> DunningPlan:
    """Store the diagnosis and a new plan version; a plan that failed validation is stored as blocked.

    Every version still awaiting approval for the unit is superseded first (one live plan per household, also
    enforced by the partial unique index ``uq_dunning_plans_live``). ``supersedes`` is kept for callers that name
    the version they revise; it changes nothing beyond that rule.
    """
    unit = session.get(Unit, unit_id)
    diag = Diagnosis(
        unit_id=unit_id,
        created_at=at,
        primary_cause_id=diagnosis["primary_cause_id"],
        secondary_cause_ids=diagnosis.get("secondary_cause_ids", []),
        confidence=float(diagnosis.get("confidence", 0)),
        explanation=diagnosis.get("explanation", ""),
        citations={"items": diagnosis.get("citations", [])},
        flags=diagnosis.get("flags", {}),
        evidence_fingerprint=unit.evidence_fingerprint if unit else None,
        model=model,
        prompt_version=prompt_version,
    )
    session.add(diag)
    session.flush()
    del supersedes  # every pending version of the unit is superseded below
    for attempt in range(3):
        try:
            with session.begin_nested():
                row = _insert_version(session, unit_id, diag.id, plan, validation, thread_id, at)
            break
        except IntegrityError:
            # A concurrent draft for the same household committed first: supersede it too and retry.
            if attempt == 2:
                raise PlanConflict("该户的方案正在被同时生成，请稍后刷新查看最新版本") from None
    audit.record(
        session,
        actor=actor,
        action="plan.drafted",
        entity="dunning_plan",
        entity_id=str(row.id),
        detail={
            "version": row.version,
            "status": row.status,
            "cause": diag.primary_cause_id,
            "source": diagnosis.get("source"),
            **({"corrected_from": diagnosis["corrected_from"]} if diagnosis.get("corrected_from") else {}),
        },
        at=at,
    )
    return row


def _insert_version(
    session: Session, unit_id: int, diagnosis_id: int, plan: dict, validation: dict, thread_id: str | None, at: datetime
) -> DunningPlan:
    _supersede_pending(session, unit_id)
    version = latest_version(session, unit_id) + 1
    row = DunningPlan(
        unit_id=unit_id,
        diagnosis_id=diagnosis_id,
        version=version,
        status="awaiting_approval" if validation.get("passed") else "blocked",
        stage=plan["stage"],
        strategy=plan["strategy"],
        summary=plan.get("strategy_label", ""),
        validation=validation,
        is_fallback=bool(plan.get("is_fallback")),
        thread_id=thread_id,
        created_at=at,
        arrears_cents=_cents(plan.get("arrears")),
    )
    for s in plan["steps"]:
        row.steps.append(
            PlanStep(
                seq=s["seq"],
                day=date.fromisoformat(s["date"]),
                window_start=s["window"][0],
                window_end=s["window"][1],
                channel=s["channel"],
                fallback_channel=s.get("fallback_channel"),
                template_id=s.get("template_id"),
                action=s["action"],
                message=s.get("message", ""),
                role=s["role"],
            )
        )
    session.add(row)
    session.flush()
    return row


def decide(
    session: Session, *, plan_id: int, decision: str, username: str, at: datetime, comment: str = ""
) -> Approval:
    """Record accept/reject/ignore once per plan version; a second decision raises PlanConflict."""
    plan = session.get(DunningPlan, plan_id, with_for_update=True)
    if plan is None:
        raise LookupError(f"方案 {plan_id} 不存在")
    lock_case(session, plan.unit_id)  # approving retires plans: not while one of them is being sent
    if decision == "accept" and plan.status == "blocked":
        raise PlanNotApprovable("方案未通过合规校验，不能批准")
    if plan.status != "awaiting_approval":
        raise PlanConflict(f"方案已处理（当前状态：{plan.status}）")
    newest = latest_version(session, plan.unit_id)
    if plan.version != newest:
        raise PlanNotLatest(f"方案第 {plan.version} 版不是该户的最新版本（最新为第 {newest} 版），请刷新后审批最新版本")
    approval = Approval(
        plan_id=plan_id, plan_version=plan.version, username=username, decision=decision, comment=comment, at=at
    )
    session.add(approval)
    try:
        session.flush()
    except IntegrityError as exc:
        raise PlanConflict("方案已被其他人处理") from exc
    new_status = {"accept": "approved", "reject": "rejected", "ignore": "ignored"}[decision]
    if decision == "accept":
        # This decision won (its approval row is in): the household's earlier approved plan is retired first, as
        # case events, so the live-plan index never sees two approved versions (one live plan per household).
        retire_older_plans(session, plan, actor=username, at=at)
    result = session.execute(
        update(DunningPlan)
        .where(DunningPlan.id == plan_id, DunningPlan.status == "awaiting_approval")
        .values(status=new_status)
    )
    if result.rowcount != 1:
        raise PlanConflict("方案已被其他人处理")
    audit.record(
        session,
        actor=username,
        action=f"plan.{new_status}",
        entity="dunning_plan",
        entity_id=str(plan_id),
        detail={"version": plan.version, "comment": comment},
        at=at,
    )
    return approval


def latest_pending(session: Session, unit_id: int) -> DunningPlan | None:
    """The newest plan of a unit that awaits approval."""
    return session.execute(
        select(DunningPlan)
        .where(DunningPlan.unit_id == unit_id, DunningPlan.status == "awaiting_approval")
        .order_by(DunningPlan.id.desc())
        .limit(1)
    ).scalar_one_or_none()
