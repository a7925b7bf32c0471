"""The public JSON shape of a plan run (CLI --json, API, workbench, evals): the one conversion from graph state."""

from __future__ import annotations

from agent.contracts import (
    PlanResult,
    PlanStep,
    PublicDiagnosis,
    PublicPlan,
    SecondaryCause,
    ValidationOutcome,
)

UNSURE_BELOW = 0.6  # confidence under which the steward is asked to choose between the leading causes


def is_unsure(diag: dict) -> bool:
    """A diagnosis the steward should confirm: weak support, or the model's pick replaced by retrieval or a guard."""
    source = diag.get("source") or ""
    if source.startswith("steward"):
        return False
    confidence = diag.get("confidence")
    weak = confidence is not None and float(confidence) < UNSURE_BELOW
    return weak or source == "retrieval" or "+" in source


def public_diagnosis(diag: dict, kb) -> PublicDiagnosis:  # noqa: ANN001
    """The diagnosis as callers see it (also sent on its own as soon as the diagnose step ends)."""
    causes = kb.causes
    secondary = [
        SecondaryCause(id=c, name=causes[c].name, dimension=causes[c].dimension, category=causes[c].category)
        for c in diag.get("secondary_cause_ids", [])
        if c in causes
    ]
    return PublicDiagnosis(
        primary_cause=diag.get("primary_cause"),
        secondary_causes=secondary,
        confidence=diag.get("confidence"),
        explanation=diag.get("explanation"),
        citations=diag.get("citations", []),
        flags=diag.get("flags", {}),
        source=diag.get("source"),
        unsure=is_unsure(diag),
        corrected_from=diag.get("corrected_from"),
    )


def early_update(node: str, update: dict, kb) -> tuple[str, dict] | None:  # noqa: ANN001
    """What a caller can show before the plan is done: the ranked candidate causes, then the diagnosis."""
    if node == "retrieve" and update.get("candidates"):
        top = [
            {"id": c["cause_id"], "name": c["name"], "dimension": c["dimension"], "score": c["score"]}
            for c in update["candidates"][:3]
        ]
        return "candidates", {"candidates": top}
    if node == "diagnose" and update.get("diagnosis"):
        return "diagnosis", public_diagnosis(update["diagnosis"], kb).model_dump(mode="json")
    return None


def plan_result_model(state: dict, kb) -> PlanResult:  # noqa: ANN001
    """Project the graph state onto the documented output model."""
    plan = state.get("plan") or {}
    validation = state.get("validation") or {}
    return PlanResult(
        household=state.get("household"),
        diagnosis=public_diagnosis(state.get("diagnosis") or {}, kb),
        plan=PublicPlan(
            stage=plan.get("stage"),
            strategy=plan.get("strategy"),
            strategy_label=plan.get("strategy_label"),
            arrears=plan.get("arrears"),
            days_overdue=plan.get("days_overdue"),
            pause_forced_collection=plan.get("pause_forced_collection"),
            manager_review=plan.get("manager_review"),
            notes=plan.get("notes", []),
            is_fallback=bool(plan.get("is_fallback")),
            steps=[PlanStep.model_validate(s).public() for s in plan.get("steps", [])],
        ),
        validation=ValidationOutcome(passed=validation.get("passed", False), failures=validation.get("failures", [])),
        status=state.get("status"),
        plan_id=state.get("plan_id"),
        thread_id=state.get("thread_id"),
        tool_calls=state.get("tool_calls", []),
        usage=state.get("usage", []),
    )


def plan_result(state: dict, kb) -> dict:  # noqa: ANN001
    """The output model as JSON-ready data."""
    return plan_result_model(state, kb).model_dump(mode="json")
