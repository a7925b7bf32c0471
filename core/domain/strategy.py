"""Differentiated strategy by cause and owner type (PRD 差异化催收策略); pure and deterministic."""

from __future__ import annotations

from dataclasses import dataclass

from core.domain.stages import Stage, stage_for

HIGH_VALUE_TOLERANCE_DAYS = 30  # 15-day 预警 window stretched to 45 days
MALICIOUS_LEGAL_DAY = 30
VULNERABLE_TAGS = frozenset({"老年", "残障", "敏感"})


@dataclass(frozen=True)
class OwnerFlags:
    """Owner facts that change the strategy."""

    vulnerable: bool = False
    high_value: bool = False
    hardship: bool = False
    malicious: bool = False
    dispute_risk: bool = False

    @classmethod
    def from_tags(cls, tags: list[str] | tuple[str, ...], **extra: bool) -> OwnerFlags:
        """Flags implied by owner tags, merged with explicit ones (e.g. from a diagnosis)."""
        base = {
            "vulnerable": bool(VULNERABLE_TAGS & set(tags)),
            "high_value": "高价值" in tags,
            "malicious": "问题业主" in tags,
        }
        for key, value in extra.items():
            base[key] = base.get(key, False) or value
        return cls(**base)


@dataclass(frozen=True)
class StrategyDecision:
    """The strategy applied to a household."""

    name: str  # service_first | hardship | malicious | dispute_resolution | standard
    label: str
    stage: Stage | None
    pause_forced_collection: bool
    legal_track: bool
    manager_review: bool
    gentle: bool
    max_instalment_months: int
    weekly_contact_cap: int
    notes: tuple[str, ...]


LABELS = {
    "service_first": "服务优先：先整改、暂缓强制催收",
    "hardship": "经济困难：人性化处理，分期/减免",
    "malicious": "恶意欠费：30天进入法律程序",
    "dispute_resolution": "异议化解：先解释公示、再按节点沟通",
    "standard": "标准流程：按阶段节点执行",
}


def decide(strategy_group: str, flags: OwnerFlags, days_overdue: int) -> StrategyDecision:
    """Choose the strategy from the cause's strategy group, the owner's flags and days overdue."""
    name = {
        "service_quality": "service_first",
        "hardship": "hardship",
        "malicious": "malicious",
        "dispute": "dispute_resolution",
    }.get(strategy_group, "standard")
    if flags.hardship and name in ("standard", "dispute_resolution"):
        name = "hardship"
    if flags.malicious and name == "standard":
        name = "malicious"
    tolerance = HIGH_VALUE_TOLERANCE_DAYS if flags.high_value and name != "malicious" else 0
    stage = stage_for(days_overdue, tolerance_days=tolerance)
    notes = []
    if tolerance:
        notes.append("高价值业主：容忍期延长至45天，一对一专属服务")
    if flags.vulnerable:
        notes.append("关怀人群：降低频次、使用更温和话术，方案须经理复核")
    legal = name == "malicious" and days_overdue >= MALICIOUS_LEGAL_DAY
    if legal:
        notes.append("恶意欠费满30天：按 催告→业委会督促→诉讼/仲裁 顺序启动法律程序准备")
    months = 12 if name == "hardship" else 6
    return StrategyDecision(
        name=name,
        label=LABELS[name],
        stage=stage,
        pause_forced_collection=name == "service_first",
        legal_track=legal,
        manager_review=flags.vulnerable or legal,
        gentle=flags.vulnerable or name in ("service_first", "hardship"),
        max_instalment_months=months,
        weekly_contact_cap=1 if flags.vulnerable else 3,
        notes=tuple(notes),
    )
