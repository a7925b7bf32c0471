"""Case state machine and the events that drive it (pure rules, no I/O).

States: 未触达 → 已触达 → 承诺 → 支付 (part paid) → 已结清 → 开票 → 归档, with the branches 异议中 (an open
dispute) and 分期中 (an agreed instalment schedule). Every change of a case is a recorded event; ``next_state``
says where an event takes a case, and ``send_hold`` says whether an approved step may go out now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

STATES: tuple[str, ...] = ("未触达", "已触达", "承诺", "支付", "已结清", "开票", "归档", "异议中", "分期中")
INITIAL = "未触达"
OPEN_STATES = frozenset({"未触达", "已触达", "承诺", "支付"})

# from state -> the states it may move to. A settled or archived case reopens as 未触达 when a new bill falls
# overdue; a broken promise, a rejected dispute or a lapsed instalment schedule falls back to 已触达.
TRANSITIONS: dict[str, frozenset[str]] = {
    "未触达": frozenset({"已触达", "承诺", "支付", "已结清", "异议中", "分期中"}),
    "已触达": frozenset({"承诺", "支付", "已结清", "异议中", "分期中"}),
    "承诺": frozenset({"支付", "已结清", "已触达", "异议中", "分期中"}),
    "支付": frozenset({"承诺", "已结清", "已触达", "异议中", "分期中", "开票", "归档", "未触达"}),
    "分期中": frozenset({"支付", "已结清", "已触达", "异议中"}),
    "异议中": frozenset({"已触达", "支付", "已结清", "分期中", "归档"}),
    "已结清": frozenset({"支付", "开票", "归档", "未触达", "异议中"}),
    "开票": frozenset({"归档"}),
    "归档": frozenset({"未触达"}),
}

# Events of a case, with their Chinese names.
EVENT_NAMES: dict[str, str] = {
    "payment": "缴费",
    "promise_made": "承诺还款",
    "promise_kept": "承诺已兑现",
    "promise_broken": "承诺违约",
    "dispute_opened": "提出异议",
    "dispute_resolved": "异议已解决",
    "dispute_rejected": "异议不成立",
    "instalment_requested": "申请分期",
    "instalment_approved": "分期已批准",
    "instalment_declined": "分期未批准",
    "instalment_lapsed": "分期逾期未付",
    "opt_out": "退订",
    "blacklist_added": "加入黑名单",
    "blacklist_removed": "移出黑名单",
    "contact": "联系记录",
    "plan_approved": "方案已批准",
    "plan_superseded": "方案已被新方案取代",
    "reduction_requested": "申请减免",
    "reduction_approved": "减免已批准",
    "reduction_declined": "减免未批准",
    "reopened": "新账单逾期",
    "refund": "退款",
}
EVENTS: frozenset[str] = frozenset(EVENT_NAMES)
# Contact outcomes that mean the owner was reached.
REACHED = frozenset({"delivered", "answered", "reached", "visited"})


class IllegalTransition(ValueError):
    """A state change that the case workflow does not allow (message in Chinese)."""


def allowed_targets(state: str) -> frozenset[str]:
    """States reachable from ``state`` in one step."""
    if state not in TRANSITIONS:
        raise IllegalTransition(f"未知的案件状态：{state}")
    return TRANSITIONS[state]


def check_transition(current: str, target: str) -> None:
    """Raise IllegalTransition unless ``current`` → ``target`` is a legal step."""
    if target not in STATES:
        raise IllegalTransition(f"未知的案件状态：{target}")
    if target not in allowed_targets(current):
        allowed = "、".join(sorted(TRANSITIONS[current], key=STATES.index))
        raise IllegalTransition(f"案件状态不能从「{current}」变为「{target}」（允许：{allowed}）")


def is_legal(current: str, target: str) -> bool:
    """Whether ``current`` → ``target`` is a legal step."""
    try:
        check_transition(current, target)
    except IllegalTransition:
        return False
    return True


@dataclass(frozen=True, kw_only=True)
class CaseFacts:
    """What the case rules need to know about one household right now."""

    state: str
    arrears_cents: int
    """Overdue and unpaid, from the ledger (write-offs already taken off)."""
    open_dispute: bool = False
    open_promise_date: date | None = None
    """Date of the newest open promise to pay, if any."""
    instalment_active: bool = False
    instalment_on_track: bool = False
    """An agreed schedule whose instalments due so far are paid."""


def _settled_or(facts: CaseFacts, otherwise: str) -> str:
    return "已结清" if facts.arrears_cents <= 0 else otherwise


def _payment(current: str, facts: CaseFacts, _outcome: str) -> str:
    if facts.arrears_cents <= 0:
        return "已结清"
    # A part payment does not end a dispute; an instalment paid keeps the schedule.
    return current if current in ("异议中", "分期中") else "支付"


def _refund(current: str, facts: CaseFacts, _outcome: str) -> str:
    if facts.arrears_cents <= 0:
        return current
    return "支付" if current == "已结清" else current


def _dispute_closed(current: str, facts: CaseFacts, _outcome: str) -> str:
    if current != "异议中" or facts.open_dispute:
        return current
    return _settled_or(facts, "分期中" if facts.instalment_active else "已触达")


def _reopened(current: str, facts: CaseFacts, _outcome: str) -> str:
    return "未触达" if current in ("已结清", "开票", "归档", "支付") and facts.arrears_cents > 0 else current


_RULES = {
    "payment": _payment,
    "promise_kept": _payment,
    "refund": _refund,
    "promise_made": lambda cur, _f, _o: "承诺" if cur in OPEN_STATES else cur,
    "promise_broken": lambda cur, _f, _o: "已触达" if cur == "承诺" else cur,
    "dispute_opened": lambda _cur, _f, _o: "异议中",
    "dispute_resolved": _dispute_closed,
    "dispute_rejected": _dispute_closed,
    "instalment_approved": lambda cur, f, _o: cur if cur == "异议中" else _settled_or(f, "分期中"),
    "instalment_lapsed": lambda cur, _f, _o: "已触达" if cur == "分期中" else cur,
    "contact": lambda cur, _f, o: "已触达" if cur == "未触达" and o in REACHED else cur,
    "reopened": _reopened,
    "reduction_approved": lambda cur, f, _o: "已结清" if f.arrears_cents <= 0 else cur,
}


def next_state(current: str, kind: str, facts: CaseFacts, *, outcome: str = "") -> str:
    """The state a case moves to on event ``kind`` (``facts`` as they are after the event).

    Returns ``current`` when the event does not change the state (requests, opt-out, blacklist, plan events).
    """
    if kind not in EVENTS:
        raise IllegalTransition(f"未知的案件事件：{kind}")
    rule = _RULES.get(kind)
    return rule(current, facts, outcome) if rule else current


@dataclass(frozen=True)
class Hold:
    """Why an approved step must not go out now (rule id and Chinese reason)."""

    rule: str
    reason: str


def send_hold(facts: CaseFacts, day: date) -> Hold | None:
    """Whether a collection message to this household must wait, checked immediately before every send.

    Nothing goes to a household that has paid up, disputes a bill, has an open promise not yet due, or is
    in an agreed instalment schedule that is on track.
    """
    if facts.arrears_cents <= 0:
        return Hold("settled", "该户已结清欠费，不再发送催缴提醒")
    if facts.open_dispute or facts.state == "异议中":
        return Hold("dispute", "业主异议处理中，解决前不发送催缴提醒")
    if facts.open_promise_date is not None and facts.open_promise_date >= day:
        return Hold("promise", f"业主已承诺于 {facts.open_promise_date.isoformat()} 前缴费，承诺未到期")
    if facts.instalment_active and facts.instalment_on_track:
        return Hold("instalment", "业主按分期约定按时缴费中，不发送催缴提醒")
    return None
