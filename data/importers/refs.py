"""Set-based project/unit lookups: each project's unit map is loaded once, on first use."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.db.models import Project, Unit
from data.importers.report import ErrorReport


class UnitIndex:
    """Cache of project codes → ids and (project, unit code) → unit ids for one import."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._projects: dict[str, int | None] = {}
        self._units: dict[int, dict[str, int]] = {}

    def project_id(self, code: str) -> int | None:
        """Id of the project with ``code``, or None when it does not exist."""
        if code not in self._projects:
            self._projects[code] = self._session.execute(
                select(Project.id).where(Project.code == code)
            ).scalar_one_or_none()
        return self._projects[code]

    def units(self, project_id: int) -> dict[str, int]:
        """All unit codes of a project mapped to unit ids (loaded with one query)."""
        if project_id not in self._units:
            rows = self._session.execute(select(Unit.code, Unit.id).where(Unit.project_id == project_id))
            self._units[project_id] = {code: uid for code, uid in rows}
        return self._units[project_id]

    def unit_id(self, project_code: str, unit_code: str) -> int | None:
        """Id of a unit, or None when its project or the unit is unknown."""
        pid = self.project_id(project_code)
        return None if pid is None else self.units(pid).get(unit_code)

    def remember_project(self, code: str, project_id: int) -> None:
        """Record a project created during this import."""
        self._projects[code] = project_id

    def remember_unit(self, project_id: int, code: str, unit_id: int) -> None:
        """Record a unit created during this import."""
        self.units(project_id)[code] = unit_id

    def resolve(self, record: dict, report: ErrorReport) -> int | None:
        """Unit id of a receivable/payment record, reporting an unknown project or unit as a row error."""
        if self.project_id(record["project"]) is None:
            report.add(record["_row"], "项目编码", record["project"], "未知项目编码：系统中没有该项目")
            return None
        uid = self.unit_id(record["project"], record["unit"])
        if uid is None:
            report.add(
                record["_row"],
                "房号",
                record["unit"],
                f"未知房号：项目 {record['project']} 下没有该房屋（请先导入业主档案）",
            )
        return uid
