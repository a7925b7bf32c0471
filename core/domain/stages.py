"""The stage ladder by days overdue (PRD 分层分级催收策略)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Stage:
    """A collection stage with its day range and goal."""

    name: str
    code: str
    first_day: int
    last_day: int
    goal: str


STAGES: tuple[Stage, ...] = (
    Stage("预警", "warning", 1, 15, "温和提醒，维护客户关系"),
    Stage("初级", "early", 16, 30, "加强沟通，寻求解决方案"),
    Stage("中级", "middle", 31, 60, "施加适度压力，促成缴费"),
    Stage("高级", "late", 61, 10**6, "通过法律手段强制执行"),
)


def stage_for(days_overdue: int, *, tolerance_days: int = 0) -> Stage | None:
    """Return the stage for ``days_overdue``; ``tolerance_days`` shifts the ladder (high-value owners)."""
    effective = days_overdue - tolerance_days
    if days_overdue <= 0:
        return None
    effective = max(1, effective)
    for stage in STAGES:
        if stage.first_day <= effective <= stage.last_day:
            return stage
    return STAGES[-1]
