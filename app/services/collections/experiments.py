"""A/B experiments on cadence, channel or template: stored assignments and per-variant results."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.domain.collections.experiments import FACTORS, assign, chi_square, two_proportion_z
from data.db.collections import Experiment, ExperimentAssignment

CONVERSION_DAYS = 30
COMPLAINT_TICKET_TYPE = "投诉建议"


def create_experiment(
    session: Session, *, key: str, factor: str, variants: list[str], at: datetime, description: str = ""
) -> Experiment:
    """Register an experiment (caller commits)."""
    if factor not in FACTORS:
        raise ValueError(f"实验因素应为 {'/'.join(FACTORS)} 之一：{factor}")
    if len(variants) < 2:
        raise ValueError("实验至少需要两个分组")
    row = Experiment(key=key, factor=factor, variants=list(variants), started_at=at, description=description)
    session.add(row)
    session.flush()
    return row


def variant_for(session: Session, experiment_key: str, owner_id: int, at: datetime) -> str:
    """The owner's variant (deterministic hash), stored on first use."""
    exp = session.execute(select(Experiment).where(Experiment.key == experiment_key)).scalar_one()
    stored = session.execute(
        select(ExperimentAssignment.variant).where(
            ExperimentAssignment.experiment_id == exp.id, ExperimentAssignment.owner_id == owner_id
        )
    ).scalar()
    if stored:
        return stored
    variant = assign(exp.key, owner_id, exp.variants)
    try:
        with session.begin_nested():
            session.add(ExperimentAssignment(experiment_id=exp.id, owner_id=owner_id, variant=variant, assigned_at=at))
    except IntegrityError:
        pass  # stored concurrently; the hash gives the same answer
    return variant


_OUTCOMES_SQL = """
SELECT a.owner_id, a.variant, a.assigned_at,
  (SELECT MIN(p.paid_at) FROM payments p JOIN units u ON u.id = p.unit_id
    WHERE u.owner_id = a.owner_id AND p.paid_at >= a.assigned_at) AS first_paid,
  (SELECT COUNT(*) FROM tickets t JOIN units u ON u.id = t.unit_id
    WHERE u.owner_id = a.owner_id AND t.type = :complaint AND t.created_at >= a.assigned_at) AS complaints,
  (SELECT COUNT(*) FROM opt_outs o WHERE o.owner_id = a.owner_id AND o.at >= a.assigned_at) AS opt_outs
FROM experiment_assignments a WHERE a.experiment_id = :e
"""


def results(session: Session, experiment_key: str, *, conversion_days: int = CONVERSION_DAYS) -> dict:
    """Per-variant results with significance tests.

    Per variant: owners, conversions (paid within N days of assignment), mean days to pay, complaints and
    opt-outs; each variant's two-proportion z-test against the first (control), and a chi-square test.
    """
    exp = session.execute(select(Experiment).where(Experiment.key == experiment_key)).scalar_one()
    rows = session.execute(text(_OUTCOMES_SQL), {"e": exp.id, "complaint": COMPLAINT_TICKET_TYPE}).fetchall()
    df = pd.DataFrame.from_records(
        rows, columns=["owner_id", "variant", "assigned_at", "first_paid", "complaints", "opt_outs"]
    )
    days = (pd.to_datetime(df["first_paid"]) - pd.to_datetime(df["assigned_at"])).dt.total_seconds() / 86400
    df["converted"] = days.le(conversion_days).fillna(False)
    df["days_to_pay"] = days.where(df["converted"])
    variants = []
    for name in exp.variants:
        part = df[df["variant"] == name]
        variants.append(
            {
                "variant": name,
                "owners": len(part),
                "conversions": int(part["converted"].sum()),
                "conversion_rate": round(float(part["converted"].mean()), 4) if len(part) else 0.0,
                "mean_days_to_pay": round(float(part["days_to_pay"].mean()), 2)
                if part["days_to_pay"].notna().any()
                else None,
                "complaints": int(part["complaints"].sum()),
                "opt_outs": int(part["opt_outs"].sum()),
            }
        )
    control = variants[0]
    for v in variants[1:]:
        z, p = two_proportion_z(v["conversions"], v["owners"], control["conversions"], control["owners"])
        v["vs_control"] = {"z": round(z, 3), "p_value": round(p, 4), "significant": p < 0.05}
    stat, p = chi_square([v["conversions"] for v in variants], [v["owners"] for v in variants])
    return {
        "experiment": exp.key,
        "factor": exp.factor,
        "conversion_days": conversion_days,
        "variants": variants,
        "chi_square": {"statistic": round(stat, 3), "p_value": round(p, 4), "significant": p < 0.05},
    }
