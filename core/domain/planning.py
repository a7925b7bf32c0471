"""Deterministic plan skeleton: which steps, on which day, in which window, over which channel.

The model only writes the words of outgoing steps; dates, channels, caps and amounts are computed here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from core.domain.calendar import next_allowed_slot
from core.domain.strategy import StrategyDecision

REMOTE_ORDER = ("wechat", "sms", "phone")
ROLES_ZH = {
    "steward": "管家",
    "manager": "项目经理",
    "supervisor": "部门主管",
    "maintenance": "维修/保洁主管",
    "legal": "法务",
}
WINDOWS = {
    "sms": ("10:00", "11:30"),
    "wechat": ("10:00", "12:00"),
    "phone": ("14:00", "17:00"),
    "visit": ("15:00", "18:00"),
    "letter": ("09:00", "17:00"),
    "internal": ("09:00", "18:00"),
    "email": ("10:00", "12:00"),
}
COMMITTEE_ACTION = "提请业委会督促缴费"
"""The internal step that takes the escalation step 业委会督促; later messages may then announce litigation."""

# Stage ladder actions: (day overdue, channel, template id, action, role)
LADDER = {
    "预警": (
        (3, "sms", "tpl.warn.sms.first", "友好缴费提醒", "steward"),
        (7, "phone", "tpl.warn.phone.script", "管家电话了解延迟原因", "steward"),
        (10, "wechat", "tpl.warn.wechat.personal", "微信个性化缴费提醒", "steward"),
        (15, "visit", "tpl.warn.visit.script", "管家上门面对面沟通", "steward"),
    ),
    "初级": (
        (16, "letter", "tpl.primary.letter.notice", "发送正式缴费通知书（书面+电子版）", "steward"),
        (20, "visit", "tpl.instalment.wechat.offer", "管家约谈，商定分期缴费计划", "steward"),
        (25, "internal", None, "如业主事先同意，联系其登记的紧急联系人（未同意则跳过）", "steward"),
        (30, "letter", "tpl.primary.letter.final", "发送最后缴费告知函", "steward"),
    ),
    "中级": (
        (31, "visit", "tpl.mid.visit.supervisor", "部门主管介入，正式约谈", "supervisor"),
        (40, "internal", None, "公告栏张贴欠费提示（隐去姓名和房号）", "steward"),
        (45, "letter", "tpl.primary.letter.final", "发送最后催告函", "legal"),
        (60, "internal", None, "启动法律程序准备（催告→业委会督促→诉讼/仲裁）", "legal"),
    ),
    # 物业管理条例第64条: 催告 → 业委会督促 → 诉讼/仲裁; the legal notice only after the committee step.
    "高级": (
        (61, "letter", "tpl.primary.letter.final", "书面催告：告知欠费金额和缴费期限", "legal"),
        (68, "internal", None, COMMITTEE_ACTION, "manager"),
        (75, "letter", "tpl.legal.letter.pre_notice", "业委会督促后发送法务前置提示函（告知诉讼/仲裁）", "legal"),
        (82, "internal", None, "整理证据包（留痕+清单），准备诉讼/仲裁材料", "legal"),
    ),
}


CHANNEL_TEMPLATES = {
    "sms": "tpl.warn.sms.first",
    "wechat": "tpl.warn.wechat.personal",
    "phone": "tpl.warn.phone.script",
    "visit": "tpl.warn.visit.script",
}


@dataclass(frozen=True)
class PlanInputs:
    """Facts the skeleton needs about the household (no personal data)."""

    as_of: date
    days_overdue: int
    arrears_cents: int
    decision: StrategyDecision
    preferred_channel: str | None = None
    available_channels: frozenset[str] = frozenset({"sms", "phone", "visit", "letter"})
    opted_out_channels: frozenset[str] = frozenset()
    opted_out_all: bool = False
    blacklisted: bool = False
    owner_window: tuple[str, str] | None = None
    fix_actions: tuple[str, ...] = ()
    instalment_eligible: bool = True
    cause_id: str = ""
    holidays: frozenset[date] = frozenset()


@dataclass(frozen=True)
class StepDraft:
    """One planned step; ``outgoing`` steps carry a message to the owner."""

    seq: int
    day: date
    window_start: str
    window_end: str
    channel: str
    fallback_channel: str | None
    template_id: str | None
    action: str
    role: str
    outgoing: bool
    instalment_months: int | None = None


def allowed_channels(inputs: PlanInputs) -> list[str]:
    """Owner-facing channels we may use, in preference order."""
    if inputs.blacklisted or inputs.opted_out_all:
        return []
    order = [inputs.preferred_channel] if inputs.preferred_channel else []
    order += [c for c in (*REMOTE_ORDER, "visit", "letter") if c not in order]
    return [c for c in order if c in inputs.available_channels and c not in inputs.opted_out_channels]


def pick(wanted: str, inputs: PlanInputs) -> tuple[str, str | None] | None:
    """The channel to use for a wanted one, and its fallback; None when no contact is allowed."""
    allowed = allowed_channels(inputs)
    if not allowed:
        return None
    if inputs.decision.gentle and wanted == "sms" and "sms" in allowed and inputs.preferred_channel != "sms":
        wanted = next((c for c in allowed if c in ("wechat", "phone", "visit")), wanted)
    channel = wanted if wanted in allowed else allowed[0]
    rest = [c for c in allowed if c != channel and c in (*REMOTE_ORDER, "visit")]
    return channel, (rest[0] if rest else None)


def _window(channel: str, inputs: PlanInputs) -> tuple[str, str]:
    start, end = WINDOWS.get(channel, WINDOWS["internal"])
    if inputs.owner_window and channel not in ("internal", "letter"):
        start = max(start, inputs.owner_window[0])
        end = min(end, inputs.owner_window[1])
        if start >= end:
            start, end = inputs.owner_window
    return max(start, "08:00"), min(end, "20:00")


def _service_first(inputs: PlanInputs) -> list[tuple[int, str, str | None, str, str]]:
    fixes = inputs.fix_actions or ("核实并整改业主反映的服务问题",)
    steps = [
        (0, "internal", None, "整改：" + "；".join(fixes[:2]), "maintenance"),
        (1, "wechat", "tpl.service.wechat.apology", "致歉并告知整改措施和回访日期", "steward"),
        (7, "phone", "tpl.service.phone.followup", "整改回访，确认业主满意", "steward"),
    ]
    if inputs.instalment_eligible:
        steps.append((10, "visit", "tpl.warn.visit.script", "整改确认后上门沟通缴费，可提供分期", "steward"))
    return steps


def _hardship(_inputs: PlanInputs) -> list[tuple[int, str, str | None, str, str]]:
    return [
        (1, "phone", "tpl.hardship.phone.care", "关怀来电，了解困难情况", "steward"),
        (3, "wechat", "tpl.instalment.wechat.offer", "提供分期方案（最长12个月）", "steward"),
        (5, "internal", None, "协助业主准备分期/减免申请材料，提交审批", "steward"),
        (14, "wechat", "tpl.warn.wechat.personal", "温和跟进分期执行情况", "steward"),
    ]


def _ladder(inputs: PlanInputs, start_offset: int = 1) -> list[tuple[int, str, str | None, str, str]]:
    stage = inputs.decision.stage
    if stage is None:
        return []
    out = []
    for t_day, channel, template, action, role in LADDER[stage.name]:
        if inputs.cause_id == "beh.forgetful" and template == "tpl.warn.sms.first":
            template = "tpl.forgetful.sms.autopay"
        out.append((max(t_day - inputs.days_overdue, 0), channel, template, action, role))
    # Steps whose day has passed are done today or soon after, spaced by three days.
    shifted, last = [], start_offset - 3
    for offset, *rest in out:
        offset = max(offset, last + 3, start_offset)
        shifted.append((offset, *rest))
        last = offset
    return shifted


def _malicious(inputs: PlanInputs) -> list[tuple[int, str, str | None, str, str]]:
    if not inputs.decision.legal_track:
        return _ladder(inputs)
    senior = inputs.decision.stage is not None and inputs.decision.stage.name == "高级"
    # Only a 高级 message may name the court (impersonation rule); before that the notice is prepared, not sent.
    notice = (
        (14, "letter", "tpl.legal.letter.pre_notice", "法务前置提示函（业委会督促之后）", "legal")
        if senior
        else (14, "internal", None, "准备法务前置提示函（账龄满60天进入高级阶段、业委会督促之后发送）", "legal")
    )
    return [
        (1, "letter", "tpl.primary.letter.final", "书面催告：告知欠费金额和缴费期限", "steward"),
        (7, "internal", None, COMMITTEE_ACTION, "manager"),
        notice,
        (21, "internal", None, "整理证据包（留痕+清单），准备诉讼/仲裁材料", "legal"),
    ]


def _dispute(inputs: PlanInputs) -> list[tuple[int, str, str | None, str, str]]:
    head = [
        (0, "internal", None, "核实业主异议，准备费用明细/公示材料", "manager"),
        (2, "wechat", "tpl.dispute.wechat.explain", "向业主解释并提供明细，邀请对账", "steward"),
    ]
    return head + _ladder(inputs, start_offset=7)


def build_steps(inputs: PlanInputs) -> list[StepDraft]:
    """Lay out the plan's steps for the decided strategy, scheduled inside allowed windows."""
    name = inputs.decision.name
    raw = {
        "service_first": _service_first,
        "hardship": _hardship,
        "malicious": _malicious,
        "dispute_resolution": _dispute,
    }.get(name, _ladder)(inputs)
    if inputs.decision.manager_review:
        raw = [(0, "internal", None, "经理复核方案（关怀人群/法律程序）", "manager"), *raw]
    steps: list[StepDraft] = []
    used_days: set[date] = set()
    gap = 7 if inputs.decision.weekly_contact_cap <= 1 else 1
    last_contact: date | None = None
    for offset, wanted, template, action, role in sorted(raw, key=lambda s: s[0]):
        outgoing = wanted not in ("internal",)
        channel, fallback = wanted, None
        if outgoing:
            chosen = pick(wanted, inputs)
            if chosen is None:
                action, channel, template, outgoing = (
                    action + "（业主已退订/黑名单：不联系，转人工处理）",
                    "internal",
                    None,
                    False,
                )
            else:
                channel, fallback = chosen
                if channel != wanted and template and f".{wanted}." in template:
                    template = CHANNEL_TEMPLATES.get(channel, template)
        start, end = _window(channel, inputs)
        desired = datetime.combine(inputs.as_of + timedelta(days=offset), time.fromisoformat(start))
        if outgoing and last_contact is not None:
            desired = max(desired, datetime.combine(last_contact + timedelta(days=gap), time.fromisoformat(start)))
        slot = next_allowed_slot(desired, time(8), time(20), inputs.holidays)
        while outgoing and slot.date() in used_days:
            slot = next_allowed_slot(slot + timedelta(days=1), time(8), time(20), inputs.holidays)
        if outgoing:
            used_days.add(slot.date())
            last_contact = slot.date()
        months = inputs.decision.max_instalment_months if template == "tpl.instalment.wechat.offer" else None
        steps.append(
            StepDraft(
                len(steps) + 1, slot.date(), start, end, channel, fallback, template, action, role, outgoing, months
            )
        )
    return [replace(s, seq=i) for i, s in enumerate(sorted(steps, key=lambda s: (s.day, s.seq)), 1)]
