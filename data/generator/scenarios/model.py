"""Evidence records of a generated household scenario and the arrears-cause catalogue."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import accumulate
from typing import Literal

Speaker = Literal["owner", "steward", "service"]

TICKET_TYPES: tuple[str, ...] = (
    "保洁清洁",
    "电梯故障",
    "水电维修",
    "门禁安防",
    "绿化养护",
    "噪音扰民",
    "房屋质量",
    "公共设施",
    "投诉建议",
    "其他",
)
TICKET_STATUSES: tuple[str, ...] = ("已受理", "处理中", "已完成", "已关闭", "超时")
PAYMENT_PATTERNS: tuple[str, ...] = (
    "on_time_then_stop",
    "habitual_late",
    "partial",
    "never_paid",
    "sporadic",
)
OWNER_TAGS: tuple[str, ...] = ("老年", "残障", "敏感", "高价值", "问题业主")


@dataclass(frozen=True, slots=True)
class ChatLine:
    """One chat message; `day` is relative to the household's first unpaid due date."""

    day: int
    minute_of_day: int
    speaker: Speaker
    text: str


@dataclass(frozen=True, slots=True)
class TicketEvent:
    """A status change of a ticket, `minute_offset` minutes after it was reported."""

    minute_offset: int
    status: str
    note: str


@dataclass(frozen=True, slots=True)
class TicketSpec:
    """A service ticket (工单) reported on `day` at `minute_of_day`."""

    ref: str
    day: int
    minute_of_day: int
    type: str
    description: str
    events: tuple[TicketEvent, ...]
    satisfaction: int | None


@dataclass(frozen=True, slots=True)
class ClaimRecord:
    """One negotiation record (协商记录) of a claim."""

    day: int
    text: str


@dataclass(frozen=True, slots=True)
class ClaimSpec:
    """An owner claim (诉求) with its items and negotiation records."""

    ref: str
    day: int
    type: str
    items: tuple[str, ...]
    records: tuple[ClaimRecord, ...]


@dataclass(frozen=True, slots=True)
class Scenario:
    """All generated evidence of one household plus its ground truth."""

    cause_id: str
    secondary_cause_id: str | None
    chats: tuple[ChatLine, ...]
    tickets: tuple[TicketSpec, ...]
    claims: tuple[ClaimSpec, ...]
    payment_pattern: str
    tags: tuple[str, ...]


# cause id -> (name, prior weight in percent); the prior mirrors what stewards report.
CAUSE_CATALOGUE: dict[str, tuple[str, float]] = {
    "svc.cleaning_greening": ("保洁绿化维护不足", 7.0),
    "svc.facility_failure": ("设施设备故障频发（电梯、水泵、管道等）", 7.0),
    "svc.security_lapse": ("安防形同虚设（门禁、监控、巡逻）", 4.0),
    "svc.slow_repair": ("报修工单超时处理", 7.0),
    "svc.complaint_stalled": ("投诉反馈流程冗长", 5.0),
    "mgmt.public_income_undisclosed": ("公共收益未公示", 2.5),
    "mgmt.fee_structure_unclear": ("物业费构成不清晰", 2.5),
    "mgmt.no_owner_assembly": ("重大事项未经业主大会", 2.0),
    "mgmt.committee_election_irregular": ("业委会选举程序违规", 1.5),
    "comm.staff_perfunctory": ("客服人员推诿敷衍", 2.5),
    "comm.manager_hostile": ("管理人员沟通姿态强硬", 2.0),
    "comm.single_reminder_channel": ("缴费提醒方式单一（业主不知道欠费）", 3.0),
    "comm.policy_not_communicated": ("政策变更未有效触达", 2.0),
    "ext.cheaper_neighbours": ("周边同类项目降价", 2.5),
    "ext.hardship": ("经济困难（失业、收入下降、疾病）", 8.0),
    "ext.price_cap_not_synced": ("政府指导价调整未同步", 1.5),
    "ext.relief_policy_dispute": ("减免政策执行争议", 1.5),
    "spec.developer_defects": ("房屋质量问题未解决（开发商遗留）", 3.0),
    "spec.previous_manager_dispute": ("前任物业纠纷未清算", 1.5),
    "spec.blame_developer": ("将开发商问题归咎物业", 2.0),
    "spec.vacancy_misunderstanding": ("错误理解物权法（空置房应减免）", 3.0),
    "beh.forgetful": ("疏忽遗忘（无异议，忘记或拖延）", 25.0),
    "beh.malicious": ("恶意欠费（有能力不缴、无理由拒缴）", 5.0),
}
CAUSE_IDS: tuple[str, ...] = tuple(CAUSE_CATALOGUE)
CAUSE_NAMES: dict[str, str] = {cid: name for cid, (name, _) in CAUSE_CATALOGUE.items()}
_CUM_WEIGHTS: tuple[float, ...] = tuple(accumulate(w for _, w in CAUSE_CATALOGUE.values()))
_SECONDARY_IDS: tuple[str, ...] = tuple(c for c in CAUSE_IDS if not c.startswith("beh."))
SECONDARY_SHARE = 0.2


def pick_cause(rng: random.Random) -> str:
    """Draw a primary cause from the realistic prior (forgetful ~25 %, service ~30 %).

    Args:
        rng: The injected random generator.

    Returns:
        One of `CAUSE_IDS`.
    """
    return rng.choices(CAUSE_IDS, cum_weights=_CUM_WEIGHTS)[0]


def pick_secondary(rng: random.Random, cause_id: str, share: float = SECONDARY_SHARE) -> str | None:
    """Draw a secondary cause for about `share` of households, never equal to the primary.

    Args:
        rng: The injected random generator.
        cause_id: The primary cause.
        share: Probability that the household has a secondary cause.

    Returns:
        A non-behavioural cause id different from `cause_id`, or None.
    """
    if rng.random() >= share:
        return None
    secondary = rng.choice(_SECONDARY_IDS)
    while secondary == cause_id:
        secondary = rng.choice(_SECONDARY_IDS)
    return secondary


def to_datetime(first_unpaid_due: date, day: int, minute_of_day: int) -> datetime:
    """Turn a relative (day, minute) pair into an absolute datetime.

    Args:
        first_unpaid_due: The household's first unpaid due date (day 0).
        day: Days relative to that date.
        minute_of_day: Minutes after midnight.

    Returns:
        The absolute naive datetime.
    """
    start = datetime(first_unpaid_due.year, first_unpaid_due.month, first_unpaid_due.day)
    return start + timedelta(days=day, minutes=minute_of_day)
