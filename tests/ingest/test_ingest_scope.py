"""Finding 1: the caller's scope is checked on the parsed record inside the import runners, on every path
(bundle, per-kind table, WeChat export, billing files), and two headers naming one field refuse the file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.scope import CallerScope, ScopeError
from data.db.models import ChatMessage, Receivable, Unit
from data.importers import ImportFileError, import_file
from data.ingest import ingest_file
from tests.ingest.conftest import CLOCK, run, variant, write_bundles

HOME, OTHER = "HO-TEST", "SH-OTHER"
MANAGER = CallerScope("m", frozenset({HOME}))
CHAT = {"房号": "1-101", "消息编号": "inj-1", "时间": "2024-08-20 10:00", "发言人": "业主", "内容": "注入的消息"}


@pytest.fixture
def two_projects(factory, example, tmp_path):
    run(factory, write_bundles(tmp_path / "seed.jsonl", [example, variant(example, project=OTHER)]), kind="bundle")
    return factory


def _chats(factory, project: str) -> int:
    from data.db.models import Project

    with factory() as s:
        return s.execute(
            select(func.count(ChatMessage.id))
            .join(Unit, Unit.id == ChatMessage.unit_id)
            .join(Project, Project.id == Unit.project_id)
            .where(Project.code == project)
        ).scalar()


def _csv(path: Path, rows: list[dict]) -> Path:
    import csv

    columns = list(dict.fromkeys(k for r in rows for k in r))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _ingest(factory, path: Path, scope: CallerScope = MANAGER, **kwargs):
    with factory() as session:
        try:
            return ingest_file(session, path, clock=lambda: CLOCK, scope=scope, **kwargs)
        finally:
            session.commit()


def test_finding1_two_headers_for_the_project_refuse_the_whole_file(two_projects, tmp_path):
    before = _chats(two_projects, OTHER), _chats(two_projects, HOME)
    path = _csv(tmp_path / "c.csv", [{"小区编码": OTHER, "项目编码": HOME, **CHAT}])
    with pytest.raises(ImportFileError, match="表头有歧义") as err:
        _ingest(two_projects, path, kind="chats")
    assert "小区编码" in str(err.value) and "项目编码" in str(err.value) and "未导入任何数据" in str(err.value)
    assert (_chats(two_projects, OTHER), _chats(two_projects, HOME)) == before


@pytest.mark.parametrize("header", ["小区编码", "项目代码", "项目编号", " 项目编码 ", "*项目编码"])
def test_finding1_scope_is_checked_on_the_parsed_project_whatever_the_header(two_projects, tmp_path, header):
    before = _chats(two_projects, OTHER)
    path = _csv(tmp_path / "c.csv", [{header: OTHER, **CHAT}])
    with pytest.raises(ScopeError, match=f"无权向项目 {OTHER} 写入数据"):
        _ingest(two_projects, path, kind="chats")
    assert _chats(two_projects, OTHER) == before


def test_finding1_one_out_of_scope_row_refuses_the_rows_before_it(two_projects, tmp_path):
    before = _chats(two_projects, HOME)
    rows = [{"项目编码": HOME, **CHAT}, {"项目编码": OTHER, **CHAT, "消息编号": "inj-2"}]
    with two_projects() as session:
        with pytest.raises(ScopeError, match="第 3 行"):
            ingest_file(session, _csv(tmp_path / "c.csv", rows), kind="chats", scope=MANAGER, batch_size=1)
        session.rollback()
    assert _chats(two_projects, HOME) == before


def test_finding1_bundles_and_wechat_exports_follow_the_scope(two_projects, example, tmp_path):
    with pytest.raises(ScopeError):
        _ingest(two_projects, write_bundles(tmp_path / "b.jsonl", [variant(example, project=OTHER)]), kind="bundle")
    export = tmp_path / "w.txt"
    export.write_text("2024年8月1日 09:30\n业主：注入\n", encoding="utf-8")
    with pytest.raises(ScopeError):
        _ingest(two_projects, export, kind="wechat", household=f"{OTHER}/1-101")
    assert _ingest(two_projects, export, kind="wechat", household=f"{HOME}/1-101").households == 1


def test_finding1_a_bundle_naming_a_key_twice_is_rejected_not_guessed(two_projects, example, tmp_path):
    raw = json.dumps(variant(example, chats=[]), ensure_ascii=False)
    twice = raw[:-1] + f', "project": "{OTHER}"}}'
    result = _ingest(
        two_projects, write_bundles(tmp_path / "b.jsonl", [twice]), kind="bundle", scope=CallerScope("system")
    )
    assert result.rejected == 1 and result.households == 0
    report = Path(result.error_report).read_text(encoding="utf-8-sig")
    assert "出现了两次" in report


def test_finding1_read_only_scope_writes_nothing_even_in_its_project(two_projects, tmp_path):
    path = _csv(tmp_path / "c.csv", [{"项目编码": HOME, **CHAT}])
    with pytest.raises(ScopeError, match="只能查看"):
        _ingest(two_projects, path, kind="chats", scope=CallerScope("ro", frozenset({HOME}), can_write=False))


def test_finding1_billing_imports_check_scope_and_ambiguous_headers(two_projects, tmp_path):
    header = "项目编码,房号,账期,费项,应收金额,到期日\n"
    path = tmp_path / "r.csv"
    path.write_text(header + f"{OTHER},1-101,2024-09,物业费,100,2024-09-30\n", encoding="utf-8")
    with two_projects() as s:
        with pytest.raises(ScopeError, match=OTHER):
            import_file(s, path, kind="receivables", scope=MANAGER)
        s.rollback()
        path.write_text(
            f"项目编码,项目代码,房号,账期,费项,应收金额,到期日\n{HOME},{OTHER},1-101,2024-09,物业费,100,2024-09-30\n",
            encoding="utf-8",
        )
        with pytest.raises(ImportFileError, match="表头有歧义"):
            import_file(s, path, kind="receivables", scope=MANAGER)
        path.write_text(header + f"{HOME},1-101,2024-09,物业费,100,2024-09-30\n", encoding="utf-8")
        assert import_file(s, path, kind="receivables", scope=MANAGER).errors == 0
        s.commit()
        assert s.execute(select(func.count(Receivable.id))).scalar() >= 1
