"""Data structures that hold the text banks of one cause (templates with named slots)."""

from __future__ import annotations

from dataclasses import dataclass

# Slots every template may use: {o} owner title, {s} steward title, {u} unit label, {b} building,
# {w} a worker such as 张师傅. Cause banks add their own slots (see CauseBank.slots).


@dataclass(frozen=True, slots=True)
class Step:
    """One ticket status change: status, note templates, and minutes after the previous step."""

    status: str
    notes: tuple[str, ...]
    after: tuple[int, int]


@dataclass(frozen=True, slots=True)
class TicketTemplate:
    """How a ticket of some kind reads and evolves.

    Attributes:
        type: Ticket type (one of TICKET_TYPES).
        descriptions: Description templates.
        flows: Alternative status sequences; one is drawn per ticket.
        satisfaction: Scores to draw from; None means the owner did not rate.
    """

    type: str
    descriptions: tuple[str, ...]
    flows: tuple[tuple[Step, ...], ...]
    satisfaction: tuple[int | None, ...]


@dataclass(frozen=True, slots=True)
class CauseBank:
    """Everything needed to write the evidence of one arrears cause.

    Attributes:
        openers: Owner lines that first raise the grievance (or answer the first reminder).
        details: Owner lines that add concrete detail later on.
        refusals: Owner answers to a payment reminder.
        replies: Steward answers to the owner.
        claim_type: Type of the claim (诉求类型) if one is filed.
        claim_items: Claim item templates; one to three are drawn.
        claim_records: Negotiation record templates in chronological order.
        slots: Cause-specific slot names and their fillers.
        tickets: Ticket templates related to the cause.
        ticket_range: Min and max number of cause tickets.
        service_lines: Customer-service lines shown in the first session.
        patterns: Payment patterns; repetition acts as weight.
        owner_initiates: Whether the owner raises the matter before being reminded.
        onset: Day range of the first owner-initiated session.
        reminder_start: Day range of the steward's first payment reminder.
        ignore_share: Probability that the owner leaves a reminder unanswered.
        claim_share: Probability that a claim is filed.
        grievance: Whether the owner ties the fee to the grievance.
        tag_shares: Owner tags and the probability of each.
    """

    openers: tuple[str, ...]
    details: tuple[str, ...]
    refusals: tuple[str, ...]
    replies: tuple[str, ...]
    claim_type: str
    claim_items: tuple[str, ...]
    claim_records: tuple[str, ...]
    slots: tuple[tuple[str, tuple[str, ...]], ...] = ()
    tickets: tuple[TicketTemplate, ...] = ()
    ticket_range: tuple[int, int] = (0, 0)
    service_lines: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ("on_time_then_stop",)
    owner_initiates: bool = True
    onset: tuple[int, int] = (-40, -3)
    reminder_start: tuple[int, int] = (1, 10)
    ignore_share: float = 0.1
    claim_share: float = 0.7
    grievance: bool = True
    tag_shares: tuple[tuple[str, float], ...] = ()


def done(*notes: str, after: tuple[int, int] = (60, 600)) -> Step:
    """Build a 已完成 step."""
    return Step("已完成", notes, after)


def accepted(*notes: str, after: tuple[int, int] = (2, 30)) -> Step:
    """Build a 已受理 step."""
    return Step("已受理", notes, after)


def working(*notes: str, after: tuple[int, int] = (20, 240)) -> Step:
    """Build a 处理中 step."""
    return Step("处理中", notes, after)


def overdue(*notes: str, after: tuple[int, int] = (2880, 4320)) -> Step:
    """Build a 超时 step."""
    return Step("超时", notes, after)


def closed(*notes: str, after: tuple[int, int] = (1440, 20160)) -> Step:
    """Build a 已关闭 step."""
    return Step("已关闭", notes, after)
