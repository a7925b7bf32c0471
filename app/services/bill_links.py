"""Owner bill links: issued (audited), rotated on re-issue, revocable, expiring, checked against the database on use.

The token carries a random link id and an expiry under an HMAC (app.services.tokens); the household is never
taken from the token. A link works while its row exists, is not revoked (issuing a newer link for the unit revokes
the older ones) and its lifetime (``STEWARD_BILL_LINK_TTL_DAYS``) is not over. Every message that carries a link
mints a fresh one when it is sent (``SendLinks``), so the owner's newest message always holds the live link.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.services.tokens import LinkExpired, TokenError, read_bill_link, sign_bill_link, token_secret
from core.settings import Settings
from data.db.models import Unit
from data.db.workbench import BillLink
from data.repositories import audit

REVOKED = "链接已失效，请联系管家重新获取"
EXPIRED = "链接已过期"


@dataclass(frozen=True)
class IssuedLink:
    """A freshly issued link."""

    link_id: str
    token: str
    expires_at: datetime
    """Naive UTC, like the stored row."""


def ttl(settings: Settings) -> timedelta:
    """How long a new link works (STEWARD_BILL_LINK_TTL_DAYS)."""
    return timedelta(days=settings.bill_link_ttl_days)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _household(unit: Unit) -> str:
    return f"{unit.project.code}/{unit.code}"


def _revoke_open(
    session: Session, unit_id: int, *, actor: str, at: datetime, reason: str, keep: str | None = None
) -> int:
    query = update(BillLink).where(BillLink.unit_id == unit_id, BillLink.revoked_at.is_(None))
    if keep is not None:
        query = query.where(BillLink.link_id != keep)
    result = session.execute(
        query.values(revoked_at=at, revoked_by=actor, revoke_reason=reason).execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def issue(
    session: Session,
    secret: str,
    unit: Unit,
    *,
    actor: str,
    at: datetime,
    ttl: timedelta,
    now: datetime | None = None,
    rotate: bool = True,
    purpose: str = "steward",
) -> IssuedLink:
    """A new link for the unit, audited as bill.link_issued (with its expiry).

    With ``rotate`` (the default) the unit's earlier links stop working now; a message being sent mints with
    ``rotate=False`` and rotates only once it was delivered (``SendLinks.settle``). ``now`` is the real time the
    lifetime starts from (UTC); ``at`` is the business time recorded in the row and the audit log.
    """
    rotated = _revoke_open(session, unit.id, actor=actor, at=at, reason="rotated") if rotate else 0
    link_id = secrets.token_urlsafe(16)
    now = now or _utcnow()
    token = sign_bill_link(secret, link_id, now=now, ttl=ttl)
    expires_at = datetime.fromtimestamp(int((now + ttl).timestamp()), UTC).replace(tzinfo=None)
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
            "ttl_days": round(ttl / timedelta(days=1), 2),
            "rotated": rotated,
            "purpose": purpose,
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
    """The link id of a correctly signed token, expired or not (TokenError otherwise); no database access."""
    return read_bill_link(secret, token)[0]


def _expire(session: Session, row: BillLink, unit: Unit | None, now: datetime) -> None:
    """Record, once, that a link was used after its lifetime: revoked as expired and audited as bill.link_expired."""
    if row.revoke_reason == "expired":
        return
    at = now.replace(tzinfo=None)
    row.revoked_at, row.revoked_by, row.revoke_reason = at, "system", "expired"
    audit.record(
        session,
        actor="system",
        action="bill.link_expired",
        entity="bill_link",
        entity_id=row.link_id,
        detail={
            "household": _household(unit) if unit is not None else None,
            "expires_at": row.expires_at.isoformat(timespec="seconds"),
        },
        at=at,
    )
    session.flush()


def resolve(session: Session, secret: str, token: str, *, now: datetime | None = None) -> tuple[str, Unit]:
    """(link id, unit) of a live link.

    Raises:
        LinkExpired: the link's lifetime is over (checked on the stored row as well as the token).
        TokenError: the token is forged, or the link was rotated out or revoked.
    """
    link_id, token_expires = read_bill_link(secret, token)
    now = now or _utcnow()
    row = session.execute(select(BillLink).where(BillLink.link_id == link_id)).scalar_one_or_none()
    if row is None:
        raise TokenError(REVOKED)
    unit = session.get(Unit, row.unit_id)
    if row.revoke_reason == "expired":
        raise LinkExpired(EXPIRED)
    if row.revoked_at is not None or unit is None:
        raise TokenError(REVOKED)
    if now >= token_expires or now.replace(tzinfo=None) >= row.expires_at:
        _expire(session, row, unit, now)
        raise LinkExpired(EXPIRED)
    return link_id, unit


@dataclass(frozen=True)
class MintedLink:
    """A link minted for one message: its id and the URL that goes into the text."""

    link_id: str
    url: str


@dataclass(frozen=True)
class SendLinks:
    """Mints the owner's bill link for a message while it is being sent, in the send's own transaction.

    ``mint`` issues a new link without touching the older ones; ``settle`` then rotates the older links out when
    the message was delivered (the owner's newest message holds the only live link), or revokes the new one when
    nothing was delivered (the link in the owner's last message keeps working).
    """

    secret: str
    public_url: str
    ttl: timedelta

    def mint(self, session: Session, unit_id: int, *, actor: str, at: datetime) -> MintedLink:
        """A new, not yet rotating link for the unit and its full URL."""
        unit = session.get(Unit, unit_id)
        issued = issue(session, self.secret, unit, actor=actor, at=at, ttl=self.ttl, rotate=False, purpose="message")
        return MintedLink(issued.link_id, f"{self.public_url.rstrip('/')}/bill/{issued.token}")

    def settle(
        self, session: Session, unit_id: int, link: MintedLink, *, delivered: bool, actor: str, at: datetime
    ) -> None:
        """Rotate the unit's older links out (delivered) or revoke the minted one (not delivered)."""
        if delivered:
            _revoke_open(session, unit_id, actor=actor, at=at, reason="rotated", keep=link.link_id)
        else:
            session.execute(
                update(BillLink)
                .where(BillLink.link_id == link.link_id, BillLink.revoked_at.is_(None))
                .values(revoked_at=at, revoked_by=actor, revoke_reason="undelivered")
                .execution_options(synchronize_session=False)
            )


def send_links(settings: Settings) -> SendLinks:
    """The link minter of the configured deployment (signing key, public URL, lifetime)."""
    return SendLinks(token_secret(settings), settings.public_url, ttl(settings))
