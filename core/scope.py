"""Who may read which household: the caller's project scope, checked before any evidence is read."""

from __future__ import annotations

from dataclasses import dataclass


class ScopeError(PermissionError):
    """The caller may not read this household."""


@dataclass(frozen=True)
class CallerScope:
    """A caller's identity and the projects it may see (None = every project, e.g. the batch)."""

    user: str
    projects: frozenset[str] | None = None

    def check(self, project_code: str) -> None:
        """Raise ScopeError when ``project_code`` is outside the caller's projects."""
        if self.projects is not None and project_code not in self.projects:
            raise ScopeError(f"无权访问项目 {project_code} 的住户")


SYSTEM_SCOPE = CallerScope(user="system")
