"""Owner bill links: issued (audited), rotated on re-issue, revocable, checked against the database on every use.

The token carries a random link id and an expiry under an HMAC (app.services.tokens); the household is never
taken from the token. A link works while its row exists, is the unit's newest link and is not revoked.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.services.tokens import BILL_LINK_TTL, TokenError, read_bill_link, sign_bill_link
from data.db.models import Unit
from data.db.workbench import BillLink
from data.repositories import audit

REVOKED = "链接已失效，请联系管家重新获取"


@dataclass(frozen=True)
class IssuedLink:
    """A freshly issued link."""

    link_id: str
    token: str
    expires_at: datetime


def _household(unit: Unit) -> str:
    return f"{unit.project.code}/{unit.code}"


def _revoke_open(session: Session, unit_id: int, *, actor: str, at: datetime, reason: str) -> int:
    result = session.execute(
        update(BillLink)
        .where(BillLink.unit_id == unit_id, BillLink.revoked_at.is_(None))
        .values(revoked_at=at, revoked_by=actor, revoke_reason=reason)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def issue(
    session: Session, secret: str, unit: Unit, *, actor: str, at: datetime, ttl: timedelta = BILL_LINK_TTL
) -> IssuedLink:
    """A new link for the unit; earlier links of the unit stop working (rotation). Audited as bill.link_issued."""
    rotated = _revoke_open(session, unit.id, actor=actor, at=at, reason="rotated")
    link_id = secrets.token_urlsafe(16)
    now = datetime.now(UTC)
    token = sign_bill_link(secret, link_id, now=now, ttl=ttl)
    expires_at = (now + ttl).replace(tzinfo=None)
    session.add(BillLink(link_id=link_id, unit_id=unit.id, issued_by=actor, issued_at=at, expires_at=expires_at))
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="bill.link_issued",
        entity="bill_link",
        entity_id=link_id,
        detail={
            "household": _household(unit),
            "expires_at": expires_at.isoformat(timespec="seconds"),
            "rotated": rotated,
        },
        at=at,
    )
    return IssuedLink(link_id, token, expires_at)


def revoke(session: Session, unit: Unit, *, actor: str, at: datetime) -> int:
    """Revoke every live link of the unit; returns how many. Audited as bill.link_revoked."""
    count = _revoke_open(session, unit.id, actor=actor, at=at, reason="revoked")
    audit.record(
        session,
        actor=actor,
        action="bill.link_revoked",
        entity="unit",
        entity_id=str(unit.id),
        detail={"household": _household(unit), "links": count},
        at=at,
    )
    return count


def link_id_of(secret: str, token: str) -> str:
    """The link id of a correctly signed, unexpired token (TokenError otherwise); no database access."""
    return read_bill_link(secret, token)


def resolve(session: Session, secret: str, token: str) -> tuple[str, Unit]:
    """(link id, unit) of a live link; TokenError when forged, expired, rotated out or revoked."""
    link_id = read_bill_link(secret, token)
    row = session.execute(select(BillLink).where(BillLink.link_id == link_id)).scalar_one_or_none()
    if row is None or row.revoked_at is not None:
        raise TokenError(REVOKED)
    unit = session.get(Unit, row.unit_id)
    if unit is None:
        raise TokenError(REVOKED)
    return link_id, unit
