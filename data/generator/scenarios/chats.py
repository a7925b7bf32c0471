"""Chat sessions of a scenario: grievance, reminders, secondary cause, small talk, PII."""

from __future__ import annotations

import random

from .bank import CauseBank
from .common import (
    GRIEVANCE_LINKS,
    OWNER_THANKS,
    PII_LINES,
    REMINDERS_EARLY,
    REMINDERS_LATE,
    REMINDERS_MID,
    SMALL_TALK,
    STEWARD_ACKS,
)
from .draw import Rand, pick, span
from .model import ChatLine
from .pii import pii_slots

_PII_ACKS = ("好的，已记下。", "收到，我备注一下。", "好的{o}，我登记一下。")
_SERVICE_OPENERS = ("你好，我是{u}的业主，想反映个问题。", "客服你好，{u}这边有个事麻烦处理一下。")

Line = tuple[str, str, int]  # speaker, text, minutes after the previous line
Session = tuple[int, int, list[Line]]  # day, start minute, lines


def first_session(bank: CauseBank, rand: Rand, slots: dict[str, str]) -> Session:
    """The owner raises the grievance unprompted."""
    lines: list[Line] = [("owner", pick(rand, bank.openers).format_map(slots), 0)]
    lines.append(("steward", pick(rand, bank.replies).format_map(slots), span(rand, 1, 15)))
    r = rand()
    if r < 0.6:
        lines.append(("owner", pick(rand, bank.details).format_map(slots), span(rand, 1, 10)))
        lines.append(("steward", pick(rand, STEWARD_ACKS).format_map(slots), span(rand, 1, 10)))
    if r > 0.4:
        lines.append(("owner", pick(rand, OWNER_THANKS), span(rand, 1, 8)))
    return (span(rand, *bank.onset), span(rand, 420, 1260), lines)


def _reminder_text(rand: Rand, day: int, slots: dict[str, str]) -> str:
    slots["n"] = str(max(1, day // 30 + 1))
    bank = REMINDERS_EARLY if day <= 15 else REMINDERS_MID if day <= 45 else REMINDERS_LATE
    return pick(rand, bank).format_map(slots)


def reminders(bank: CauseBank, rand: Rand, slots: dict[str, str], day: int, at_least: int = 2) -> list[Session]:
    """Two to four steward reminders from `day` on (never fewer than `at_least`), with answers."""
    sessions: list[Session] = []
    for index in range(span(rand, at_least, 4)):
        lines: list[Line] = [("steward", _reminder_text(rand, day, slots), 0)]
        opening = index == 0 and not bank.owner_initiates
        if opening or rand() >= bank.ignore_share:
            pool = bank.openers if opening else bank.refusals
            lines.append(("owner", pick(rand, pool).format_map(slots), span(rand, 2, 150)))
            if bank.grievance and rand() < 0.35:
                lines.append(("owner", pick(rand, GRIEVANCE_LINKS), span(rand, 0, 3)))
            reply = bank.replies if rand() < 0.7 else STEWARD_ACKS
            lines.append(("steward", pick(rand, reply).format_map(slots), span(rand, 1, 20)))
            if rand() < 0.3:
                lines.append(("owner", pick(rand, bank.details).format_map(slots), span(rand, 1, 15)))
        sessions.append((day, span(rand, 540, 1110), lines))
        day += span(rand, 5, 20)
    return sessions


def secondary_session(bank: CauseBank, rand: Rand, slots: dict[str, str]) -> Session:
    """A short exchange hinting at the weaker second cause."""
    pool = bank.openers if bank.owner_initiates else bank.details
    lines: list[Line] = [("owner", pick(rand, pool).format_map(slots), 0)]
    lines.append(("steward", pick(rand, STEWARD_ACKS).format_map(slots), span(rand, 1, 20)))
    if rand() < 0.3:
        lines.append(("owner", pick(rand, bank.details).format_map(slots), span(rand, 1, 10)))
    return (span(rand, -30, 40), span(rand, 480, 1230), lines)


def noise_sessions(rand: Rand, slots: dict[str, str]) -> list[Session]:
    """Zero to two unrelated small-talk exchanges."""
    r = rand()
    count = 0 if r < 0.35 else 1 if r < 0.8 else 2
    sessions: list[Session] = []
    for _ in range(count):
        owner, steward = pick(rand, SMALL_TALK)
        lines: list[Line] = [
            ("owner", owner.format_map(slots), 0),
            ("steward", steward.format_map(slots), span(rand, 1, 30)),
        ]
        sessions.append((span(rand, -60, 60), span(rand, 480, 1230), lines))
    return sessions


def pii_session(rng: random.Random, slots: dict[str, str], owner_title: str) -> Session:
    """The owner pastes personal data (phone, ID, bank card, a relative) into the chat."""
    values = {**slots, **pii_slots(rng, owner_title)}
    rand = rng.random
    lines: list[Line] = [
        ("owner", pick(rand, PII_LINES).format_map(values), 0),
        ("steward", pick(rand, _PII_ACKS).format_map(values), span(rand, 1, 20)),
    ]
    return (span(rand, -20, 40), span(rand, 480, 1230), lines)


def flatten(sessions: list[Session]) -> tuple[ChatLine, ...]:
    """Order sessions in time, never letting two overlap, and emit chat lines."""
    sessions.sort(key=lambda s: (s[0], s[1]))
    out: list[ChatLine] = []
    last_day, last_minute = -10_000, 0
    for day, start, lines in sessions:
        span = sum(delay for _, _, delay in lines)
        if day < last_day or (day == last_day and start <= last_minute):
            day, start = last_day, last_minute + 5
        if start + span > 1439:
            day, start = day + 1, 540
        minute = start
        for speaker, text, delay in lines:
            minute += delay
            out.append(ChatLine(day, minute, speaker, text))  # type: ignore[arg-type]
        last_day, last_minute = day, minute
    return tuple(out)


def service_session(bank: CauseBank, rand: Rand, slots: dict[str, str], day: int) -> Session:
    """The owner first asks customer service, which answers from the cause's service lines."""
    lines: list[Line] = [
        ("owner", pick(rand, _SERVICE_OPENERS).format_map(slots), 0),
        ("service", pick(rand, bank.service_lines).format_map(slots), span(rand, 1, 5)),
    ]
    return (day, span(rand, 540, 1080), lines)
