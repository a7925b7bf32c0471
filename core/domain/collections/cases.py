"""Case state machine: 未触达 → 已触达 → 承诺 → 支付 → 开票 → 归档, with 异议 and 分期 branches."""

from __future__ import annotations

STATES: tuple[str, ...] = ("未触达", "已触达", "承诺", "支付", "开票", "归档", "异议", "分期")
INITIAL = "未触达"

# from state -> the states it may move to. A paid or archived case reopens as 未触达 when a new bill
# falls overdue; a broken promise or a lapsed instalment plan falls back to 已触达.
TRANSITIONS: dict[str, frozenset[str]] = {
    "未触达": frozenset({"已触达", "支付", "异议"}),
    "已触达": frozenset({"承诺", "支付", "异议", "分期"}),
    "承诺": frozenset({"支付", "已触达", "异议", "分期"}),
    "分期": frozenset({"支付", "已触达", "异议"}),
    "异议": frozenset({"已触达", "支付", "分期", "归档"}),
    "支付": frozenset({"开票", "归档", "未触达"}),
    "开票": frozenset({"归档"}),
    "归档": frozenset({"未触达"}),
}


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
