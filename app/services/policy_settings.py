"""Contact-policy settings managers can change: per project over group defaults, versioned and audited.

Keys (each validated, with a Chinese error on bad input): ``quiet_start`` / ``quiet_end`` (HH:MM, the allowed
contact window), ``holidays`` (extra no-contact dates on top of the statutory calendar), ``daily_cap`` (per
owner per day, by stage), ``weekly_cap``, ``special_weekly_cap`` and ``project_daily_cap``. Every send reads the
settings in force for its household's project (``effective_policy``), so a change applies from the next send.
Managers change their own projects; group defaults ("*") are for administrators.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from typing import Any

from sqlalchemy.orm import Session

from core.domain.collections.policy import PolicyConfig
from core.domain.compliance.types import DEFAULT_DAILY_CAPS
from core.scope import ScopeError
from data.repositories import audit
from data.repositories import policy_settings as repo
from data.repositories.policy_settings import GROUP

STAGES = tuple(DEFAULT_DAILY_CAPS)


class SettingError(ValueError):
    """A setting key or value that cannot be used (message in Chinese)."""


def _time(raw: Any) -> str:
    try:
        return time.fromisoformat(str(raw).strip()).strftime("%H:%M")
    except ValueError:
        raise SettingError(f"时间格式应为 HH:MM（如 21:00），收到 {raw!r}") from None


def _dates(raw: Any) -> list[str]:
    items = raw if isinstance(raw, list) else [p for p in str(raw).replace("，", ",").split(",") if p.strip()]
    out = []
    for item in items:
        try:
            out.append(date.fromisoformat(str(item).strip()).isoformat())
        except ValueError:
            raise SettingError(f"日期格式应为 YYYY-MM-DD，收到 {item!r}") from None
    return sorted(set(out))


def _count(low: int, high: int) -> Callable[[Any], int]:
    def parse(raw: Any) -> int:
        try:
            value = int(str(raw).strip())
        except ValueError:
            raise SettingError(f"应为整数，收到 {raw!r}") from None
        if not low <= value <= high:
            raise SettingError(f"应在 {low} 到 {high} 之间，收到 {value}")
        return value

    return parse


def _caps(raw: Any) -> dict[str, int]:
    if isinstance(raw, dict):
        pairs = raw.items()
    else:  # 预警=1,中级=2
        pairs = [p.split("=", 1) for p in str(raw).replace("，", ",").split(",") if "=" in p]
        if not pairs:
            raise SettingError("每日上限应写成 阶段=次数，如 预警=1,中级=2")
    out = {}
    for stage, value in pairs:
        stage = str(stage).strip()
        if stage not in STAGES:
            raise SettingError(f"未知阶段 {stage}（可选：{'、'.join(STAGES)}）")
        out[stage] = _count(0, 5)(value)
    return out


@dataclass(frozen=True)
class SettingSpec:
    """One setting: its Chinese label, how a raw value is parsed, and the built-in default."""

    label: str
    parse: Callable[[Any], Any]
    default: Any


SPECS: dict[str, SettingSpec] = {
    "quiet_start": SettingSpec("允许联系开始时间", _time, PolicyConfig().quiet_start.strftime("%H:%M")),
    "quiet_end": SettingSpec("允许联系结束时间", _time, PolicyConfig().quiet_end.strftime("%H:%M")),
    "holidays": SettingSpec("额外免打扰日期（法定节假日之外）", _dates, []),
    "daily_cap": SettingSpec("每户每日联系上限（按阶段）", _caps, dict(DEFAULT_DAILY_CAPS)),
    "weekly_cap": SettingSpec("每户每周联系上限", _count(0, 14), PolicyConfig().weekly_cap),
    "special_weekly_cap": SettingSpec("特殊人群每周联系上限", _count(0, 7), PolicyConfig().special_weekly_cap),
    "project_daily_cap": SettingSpec("项目每日联系上限（空为不限）", _count(1, 1_000_000), None),
}


def display(value: Any) -> str:
    """A setting's value as people read it (预警=1，中级=2; 2024-09-16、2024-09-17; 不限)."""
    if isinstance(value, dict):
        return "，".join(f"{k}={v}" for k, v in value.items())
    if isinstance(value, list):
        return "、".join(map(str, value)) or "—"
    return "不限" if value is None else str(value)


def parse_value(key: str, raw: Any) -> Any:
    """The stored form of ``raw`` for ``key``; raises SettingError (Chinese) on an unknown key or a bad value."""
    spec = SPECS.get(key)
    if spec is None:
        raise SettingError(f"未知设置项 {key}（可选：{'、'.join(SPECS)}）")
    if key == "daily_cap" and isinstance(raw, dict | str):
        return {**DEFAULT_DAILY_CAPS, **_caps(raw)}
    return spec.parse(raw)


def settings_in_force(session: Session, project: str | None) -> dict[str, dict[str, Any]]:
    """Per key: the value in force for ``project`` (None: the group) and where it comes from."""
    scopes = (GROUP,) if project is None else (GROUP, project)
    rows = repo.current(session, scopes)
    out = {}
    for key, spec in SPECS.items():
        value, source, version = spec.default, "default", None
        for scope in scopes:
            row = rows.get((scope, key))
            if row is not None and row.value is not None:
                value, source, version = row.value, "group" if scope == GROUP else "project", row.version
        out[key] = {"label": spec.label, "value": value, "source": source, "version": version}
    return out


def history(session: Session, project: str | None, key: str | None = None) -> list[dict[str, Any]]:
    """Every version of the project's (None: the group's) settings, newest first, as plain rows."""
    return [
        {
            "scope": r.scope,
            "key": r.key,
            "version": r.version,
            "value": r.value,
            "changed_by": r.changed_by,
            "changed_at": r.changed_at.isoformat(timespec="seconds"),
            "reason": r.reason,
        }
        for r in repo.history(session, project or GROUP, key)
    ]


def effective_policy(session: Session, project: str | None) -> PolicyConfig:
    """The PolicyConfig every send of ``project``'s households uses now."""
    values = {k: v["value"] for k, v in settings_in_force(session, project).items()}
    return replace(
        PolicyConfig(),
        quiet_start=time.fromisoformat(values["quiet_start"]),
        quiet_end=time.fromisoformat(values["quiet_end"]),
        holidays=frozenset(date.fromisoformat(d) for d in values["holidays"]),
        daily_cap_by_stage={**DEFAULT_DAILY_CAPS, **values["daily_cap"]},
        weekly_cap=int(values["weekly_cap"]),
        special_weekly_cap=int(values["special_weekly_cap"]),
        project_daily_cap=values["project_daily_cap"],
    )


def change(
    session: Session,
    *,
    actor: str,
    role: str,
    projects: frozenset[str] | None,
    project: str | None,
    key: str,
    raw: Any,
    at: datetime,
    reason: str = "",
) -> dict[str, Any]:
    """Set ``key`` for ``project`` (None: the group default) as a new version, audited (caller commits).

    ``raw`` None clears the project's (or group's) value, so the one above applies again.

    Raises:
        SettingError: unknown key, bad value, or a quiet window that does not leave at least one hour.
        ScopeError: a manager outside the project, or anyone but an administrator changing group defaults.
    """
    if role not in ("manager", "admin", "operator"):
        raise ScopeError("只有项目经理和管理员可以修改设置")
    if project is None and role not in ("admin", "operator"):
        raise ScopeError("集团默认设置只有管理员可以修改")
    if project is not None and projects is not None and project not in projects:
        raise ScopeError(f"无权修改项目 {project} 的设置")
    value = None if raw is None else parse_value(key, raw)
    before = settings_in_force(session, project)
    if key in ("quiet_start", "quiet_end") and value is not None:
        start = time.fromisoformat(value if key == "quiet_start" else before["quiet_start"]["value"])
        end = time.fromisoformat(value if key == "quiet_end" else before["quiet_end"]["value"])
        if (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute) < 60:
            raise SettingError(f"允许联系时段 {start:%H:%M}–{end:%H:%M} 不足一小时，请检查开始和结束时间")
    scope = GROUP if project is None else project
    row = repo.add_version(session, scope, key, value, changed_by=actor, at=at, reason=reason)
    audit.record(
        session,
        actor=actor,
        action="settings.changed",
        entity="policy_setting",
        entity_id=f"{scope}:{key}",
        detail={
            "scope": scope,
            "key": key,
            "version": row.version,
            "old": before[key]["value"],
            "new": value,
            "reason": reason,
        },
    )
    return {"scope": scope, "key": key, "version": row.version, "value": value}
