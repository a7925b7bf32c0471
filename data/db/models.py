"""Household data model: master data, ledger, evidence, dunning workflow, users and audit.

Amounts are stored as integer cents (``*_cents``) so that sums are exact on every backend.
A household is a unit (房号) of a project; one owner with several units is one owner row.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from data.db.base import Base
from data.db.columns import EncryptedJSON, EncryptedString, EncryptedText, keep_hash

FK = ForeignKey


class Meta(Base):
    """Key/value facts about the dataset (e.g. the sample portfolio's as-of date)."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Project(Base):
    """A residential community (小区) with its city and region."""

    __tablename__ = "projects"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    city: Mapped[str] = mapped_column(String(32))
    region: Mapped[str] = mapped_column(String(32), default="")
    units: Mapped[list[Unit]] = relationship(back_populates="project")


class Building(Base):
    """A building (楼栋) inside a project."""

    __tablename__ = "buildings"
    __table_args__ = (UniqueConstraint("project_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(FK("projects.id"), index=True)
    name: Mapped[str] = mapped_column(String(32))


class Owner(Base):
    """A property owner; personal fields are encrypted at rest and never reach a prompt unredacted."""

    __tablename__ = "owners"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(EncryptedString())
    title: Mapped[str] = mapped_column(String(32), default="")  # e.g. 王女士
    id_number: Mapped[str | None] = mapped_column(EncryptedString())
    merge_key: Mapped[str | None] = mapped_column(EncryptedString())  # name|mobile, encrypted
    merge_hash: Mapped[str | None] = mapped_column(String(64), unique=True)  # keyed hash of merge_key, for lookups
    created_at: Mapped[datetime | None] = mapped_column(DateTime)
    units: Mapped[list[Unit]] = relationship(back_populates="owner")
    contacts: Mapped[list[Contact]] = relationship(back_populates="owner")
    tags: Mapped[list[OwnerTag]] = relationship(back_populates="owner")


class Unit(Base):
    """A household: one unit (房号) with its owner, fee and case state."""

    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("project_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(FK("projects.id"), index=True)
    building_id: Mapped[int | None] = mapped_column(FK("buildings.id"))
    owner_id: Mapped[int | None] = mapped_column(FK("owners.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))  # 4-1203
    label: Mapped[str] = mapped_column(String(64), default="")  # 4号楼1203
    area_m2: Mapped[float] = mapped_column(default=0.0)
    monthly_fee_cents: Mapped[int] = mapped_column(Integer, default=0)
    case_state: Mapped[str] = mapped_column(String(16), default="未触达")
    evidence_fingerprint: Mapped[str | None] = mapped_column(String(64))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    project: Mapped[Project] = relationship(back_populates="units")
    owner: Mapped[Owner | None] = relationship(back_populates="units")


class Tenant(Base):
    """A tenant living in a unit (租客)."""

    __tablename__ = "tenants"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(FK("units.id"), index=True)
    name: Mapped[str] = mapped_column(EncryptedString())
    mobile: Mapped[str | None] = mapped_column(EncryptedString())


class Contact(Base):
    """A contact channel of an owner (value encrypted, matched by its keyed hash), with validity and preferences."""

    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("owner_id", "kind", "value_hash", name="uq_contacts_owner_kind_hash"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(FK("owners.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # mobile | wechat | email | landline
    value: Mapped[str] = mapped_column(EncryptedString())
    value_hash: Mapped[str | None] = mapped_column(String(64), index=True)  # keyed hash of value, for matching
    valid: Mapped[bool] = mapped_column(Boolean, default=True)
    invalid_reason: Mapped[str | None] = mapped_column(String(128))
    preferred: Mapped[bool] = mapped_column(Boolean, default=False)
    window_start: Mapped[str | None] = mapped_column(String(5))  # "09:00"
    window_end: Mapped[str | None] = mapped_column(String(5))
    is_emergency: Mapped[bool] = mapped_column(Boolean, default=False)
    consent: Mapped[bool] = mapped_column(Boolean, default=False)
    owner: Mapped[Owner] = relationship(back_populates="contacts")


class OwnerTag(Base):
    """A tag on an owner: 老年、残障、敏感、高价值、问题业主."""

    __tablename__ = "owner_tags"
    __table_args__ = (UniqueConstraint("owner_id", "tag"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(FK("owners.id"), index=True)
    tag: Mapped[str] = mapped_column(String(16))
    owner: Mapped[Owner] = relationship(back_populates="tags")


class OwnerPreference(Base):
    """Channel preference and habits of an owner (from the billing/CRM export or staff notes)."""

    __tablename__ = "owner_preferences"
    owner_id: Mapped[int] = mapped_column(FK("owners.id"), primary_key=True)
    preferred_channel: Mapped[str | None] = mapped_column(String(16))  # sms|wechat|phone|visit|email
    window_start: Mapped[str | None] = mapped_column(String(5))
    window_end: Mapped[str | None] = mapped_column(String(5))
    notes: Mapped[str | None] = mapped_column(Text)


class Receivable(Base):
    """A bill line (应收): one fee type for one period of one unit."""

    __tablename__ = "receivables"
    __table_args__ = (UniqueConstraint("unit_id", "period", "fee_type"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(FK("units.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))  # 2024-06
    fee_type: Mapped[str] = mapped_column(String(16))  # 物业费/停车费/水电公摊
    amount_cents: Mapped[int] = mapped_column(Integer)
    due_date: Mapped[date] = mapped_column(Date)
    paid_cents: Mapped[int] = mapped_column(Integer, default=0)
    written_off_cents: Mapped[int] = mapped_column(Integer, default=0)
    source_ref: Mapped[str | None] = mapped_column(String(64))


class WriteOff(Base):
    """A (partial) write-off (冲销/减免) of a receivable."""

    __tablename__ = "write_offs"
    id: Mapped[int] = mapped_column(primary_key=True)
    receivable_id: Mapped[int] = mapped_column(FK("receivables.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(DateTime)


class Payment(Base):
    """A payment received for a unit."""

    __tablename__ = "payments"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(FK("units.id"), index=True)
    period: Mapped[str | None] = mapped_column(String(7))
    amount_cents: Mapped[int] = mapped_column(Integer)
    paid_at: Mapped[datetime] = mapped_column(DateTime)
    channel: Mapped[str] = mapped_column(String(16))  # 微信/支付宝/银行转账/现金/银联
    source_ref: Mapped[str | None] = mapped_column(String(64), unique=True)
    settled_at: Mapped[datetime | None] = mapped_column(DateTime)  # when it was allocated to receivables
    unallocated_cents: Mapped[int] = mapped_column(Integer, default=0)  # credit left after settling


class ChatMessage(Base):
    """One chat line between the owner and staff (WeChat, app, phone notes)."""

    __tablename__ = "chat_messages"
    __table_args__ = (
        UniqueConstraint("unit_id", "ext_id"),
        Index("ix_chat_unit_time", "unit_id", "sent_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(FK("units.id"))
    ext_id: Mapped[str] = mapped_column(String(64))
    speaker_role: Mapped[str] = mapped_column(String(16))  # owner | steward | service | other
    speaker_name: Mapped[str] = mapped_column(EncryptedString(), default="")
    sent_at: Mapped[datetime] = mapped_column(DateTime)
    text: Mapped[str] = mapped_column(EncryptedText())


class Ticket(Base):
    """A service ticket (工单) with its status and satisfaction."""

    __tablename__ = "tickets"
    __table_args__ = (UniqueConstraint("unit_id", "ext_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(FK("units.id"), index=True)
    ext_id: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(EncryptedText())
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    satisfaction: Mapped[int | None] = mapped_column(Integer)


class TicketEvent(Base):
    """A status change or follow-up note of a ticket."""

    __tablename__ = "ticket_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(FK("tickets.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(EncryptedText(), default="")


class Claim(Base):
    """An owner's claim (欠费诉求) with its items."""

    __tablename__ = "claims"
    __table_args__ = (UniqueConstraint("unit_id", "ext_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(FK("units.id"), index=True)
    ext_id: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(32))
    items: Mapped[list[str]] = mapped_column(EncryptedJSON(), default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class ClaimRecord(Base):
    """A negotiation record (协商记录) of a claim."""

    __tablename__ = "claim_records"
    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(FK("claims.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    text: Mapped[str] = mapped_column(EncryptedText())


class GroundTruth(Base):
    """The generator's true cause of a sample household: for evaluation only, never for the agent."""

    __tablename__ = "eval_ground_truth"
    unit_id: Mapped[int] = mapped_column(FK("units.id"), primary_key=True)
    primary_cause_id: Mapped[str] = mapped_column(String(48))
    secondary_cause_id: Mapped[str | None] = mapped_column(String(48))
    payment_pattern: Mapped[str] = mapped_column(String(32), default="")


keep_hash(Owner, "merge_key", "merge_hash")
keep_hash(Contact, "value", "value_hash")
