"""Who may read which household: the caller's project scope, checked before any evidence is read."""

from __future__ import annotations

from dataclasses import dataclass


class ScopeError(PermissionError):
    """The caller may not read this household."""


class ReadOnlyError(ScopeError):
    """The caller may read but not change cases (read-only and compliance roles)."""


@dataclass(frozen=True)
class CallerScope:
    """A caller's identity, the projects it may see and whether it may change cases.

    ``projects`` None means every project (e.g. the batch); ``can_write`` False for read-only and compliance users.
    """

    user: str
    projects: frozenset[str] | None = None
    can_write: bool = True

    def allows(self, project_code: str) -> bool:
        """Whether ``project_code`` is inside the caller's projects."""
        return self.projects is None or project_code in self.projects

    def check(self, project_code: str) -> None:
        """Raise ScopeError when ``project_code`` is outside the caller's projects."""
        if not self.allows(project_code):
            raise ScopeError(f"无权访问项目 {project_code} 的住户")

    def check_write(self, project_code: str | None = None) -> None:
        """Raise ReadOnlyError for a read-only caller, ScopeError when ``project_code`` is outside its projects."""
        if not self.can_write:
            raise ReadOnlyError("当前账号只能查看，不能新增或修改数据")
        if project_code is not None and not self.allows(project_code):
            raise ScopeError(f"无权向项目 {project_code} 写入数据")


SYSTEM_SCOPE = CallerScope(user="system")
