"""Versioned contact-policy settings: the newest version per (scope, key), history, and a new version."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.db.collections import PolicySetting

GROUP = "*"
"""The scope of group-wide defaults."""


def current(session: Session, scopes: tuple[str, ...]) -> dict[tuple[str, str], PolicySetting]:
    """The newest version of every key set for each of ``scopes``, keyed (scope, key)."""
    newest = (
        select(PolicySetting.scope, PolicySetting.key, func.max(PolicySetting.version).label("version"))
        .where(PolicySetting.scope.in_(scopes))
        .group_by(PolicySetting.scope, PolicySetting.key)
        .subquery()
    )
    rows = session.execute(
        select(PolicySetting).join(
            newest,
            (PolicySetting.scope == newest.c.scope)
            & (PolicySetting.key == newest.c.key)
            & (PolicySetting.version == newest.c.version),
        )
    ).scalars()
    return {(r.scope, r.key): r for r in rows}


def history(session: Session, scope: str | None = None, key: str | None = None) -> list[PolicySetting]:
    """Every version, newest first (optionally of one scope and/or key)."""
    query = select(PolicySetting)
    if scope is not None:
        query = query.where(PolicySetting.scope == scope)
    if key is not None:
        query = query.where(PolicySetting.key == key)
    return list(session.execute(query.order_by(PolicySetting.changed_at.desc(), PolicySetting.id.desc())).scalars())


def add_version(
    session: Session, scope: str, key: str, value: object, *, changed_by: str, at: datetime, reason: str = ""
) -> PolicySetting:
    """Add the next version of (scope, key) (caller commits); ``value`` None clears it back to the default above."""
    last = session.execute(
        select(func.max(PolicySetting.version)).where(PolicySetting.scope == scope, PolicySetting.key == key)
    ).scalar_one()
    row = PolicySetting(
        scope=scope, key=key, version=(last or 0) + 1, value=value, changed_by=changed_by, changed_at=at, reason=reason
    )
    session.add(row)
    session.flush()
    return row
