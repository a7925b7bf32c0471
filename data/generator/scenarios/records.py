"""Tickets, claims and owner tags of a scenario."""

from __future__ import annotations

from .bank import CauseBank, TicketTemplate
from .common import ROUTINE_TICKETS
from .draw import Rand, pick, span
from .model import OWNER_TAGS, ClaimRecord, ClaimSpec, TicketEvent, TicketSpec

_ROUTINE_SHARE = 0.35
_GENERIC_TAGS = (("老年", 0.05), ("高价值", 0.04))


def _ticket(template: TicketTemplate, rand: Rand, slots: dict[str, str], day: int) -> TicketSpec:
    offset = 0
    events = []
    for step in pick(rand, template.flows):
        offset += span(rand, *step.after)
        events.append(TicketEvent(offset, step.status, pick(rand, step.notes).format_map(slots)))
    return TicketSpec(
        "",
        day,
        span(rand, 480, 1200),
        template.type,
        pick(rand, template.descriptions).format_map(slots),
        tuple(events),
        pick(rand, template.satisfaction),
    )


def build_tickets(
    bank: CauseBank,
    second: CauseBank | None,
    rand: Rand,
    slots: dict[str, str],
    day: int,
) -> tuple[TicketSpec, ...]:
    """Cause tickets from `day` on, maybe one of the secondary cause and one routine ticket."""
    specs = []
    if bank.tickets:
        for _ in range(span(rand, *bank.ticket_range)):
            specs.append(_ticket(pick(rand, bank.tickets), rand, slots, day))
            day += span(rand, 3, 25)
    if second is not None and second.tickets and rand() < 0.5:
        specs.append(_ticket(pick(rand, second.tickets), rand, slots, span(rand, -30, 40)))
    if rand() < _ROUTINE_SHARE:
        specs.append(_ticket(pick(rand, ROUTINE_TICKETS), rand, slots, span(rand, -60, 60)))
    specs.sort(key=lambda t: (t.day, t.minute_of_day))
    return tuple(
        TicketSpec(f"t{i}", t.day, t.minute_of_day, t.type, t.description, t.events, t.satisfaction)
        for i, t in enumerate(specs, 1)
    )


def build_claims(
    bank: CauseBank,
    second: CauseBank | None,
    rand: Rand,
    slots: dict[str, str],
    day: int,
) -> tuple[ClaimSpec, ...]:
    """At most one claim filed on `day`, with chronological negotiation records."""
    if rand() >= bank.claim_share:
        return ()
    pool = bank.claim_items
    first = int(rand() * len(pool))
    items = [pool[(first + j) % len(pool)].format_map(slots) for j in range(min(len(pool), span(rand, 1, 3)))]
    if second is not None and rand() < 0.5:
        items.append(pick(rand, second.claim_items).format_map(slots))
    records = []
    at = day
    for text in bank.claim_records[: span(rand, 1, len(bank.claim_records))]:
        at += span(rand, 2, 12)
        records.append(ClaimRecord(at, text.format_map(slots)))
    return (ClaimSpec("c1", day, bank.claim_type, tuple(items), tuple(records)),)


def draw_tags(bank: CauseBank, rand: Rand) -> tuple[str, ...]:
    """Owner tags the cause suggests, plus a few demographic ones, in OWNER_TAGS order."""
    chosen = {tag for tag, share in bank.tag_shares if rand() < share}
    chosen.update(tag for tag, share in _GENERIC_TAGS if rand() < share)
    return tuple(tag for tag in OWNER_TAGS if tag in chosen)
