"""Terminal side of `steward data import --kind bundle|chats|tickets|claims|wechat` (called by app/cli/data_cmd)."""

from __future__ import annotations

from pathlib import Path

from data.ingest.runner import INGEST_KINDS, KIND_LABELS

SUFFIX_KINDS = {".jsonl": "bundle", ".ndjson": "bundle", ".txt": "wechat"}
RECORD_LABELS = {
    "households": "住户",
    "bills": "账单",
    "payments": "缴费",
    "chats": "聊天记录",
    "tickets": "工单",
    "ticket_events": "工单处理记录",
    "claims": "诉求",
    "claim_records": "协商记录",
}
OUTCOME_LABELS = {"inserted": "新增", "created": "新建", "updated": "更新", "unchanged": "未变化", "existing": "已存在"}


def ingest_kind(path: Path, kind: str | None) -> str | None:
    """The ingestion kind for ``path``: the given one if it is an ingestion kind, else guessed from the suffix."""
    if kind is not None:
        return kind if kind in INGEST_KINDS else None
    return SUFFIX_KINDS.get(path.suffix.lower())


def import_scope(session, user: str | None):  # noqa: ANN001, ANN201
    """The scope an import runs with: the named user's projects and rights, or every project without --user.

    Raises:
        ScopeError: the user is unknown or inactive.
    """
    from app.services.users import caller_for
    from core.scope import SYSTEM_SCOPE, ScopeError

    if user is None:
        return SYSTEM_SCOPE
    caller = caller_for(session, user)
    if caller is None:
        raise ScopeError(f"未知或已停用的账号：{user}")
    return caller.scope


def run_import(
    file: Path,
    kind: str,
    *,
    household: str | None,
    source: str | None,
    database_url: str | None,
    as_json: bool,
    user: str | None = None,
) -> None:
    """Import, commit, print a summary (or JSON); file-level problems exit with code 2, scope refusals with 3."""
    from app.cli.common import console, fail, open_session, print_json
    from core.scope import ScopeError
    from data.importers.errors import ImportFileError
    from data.ingest.runner import ingest_file

    session = open_session(database_url)
    try:
        result = ingest_file(
            session, file, kind=kind, household=household, source=source, scope=import_scope(session, user)
        )
        session.commit()
    except ImportFileError as exc:
        session.rollback()
        fail(str(exc), code=2)
        return
    except ScopeError as exc:
        session.rollback()
        fail(str(exc), code=3)
        return
    finally:
        session.close()
    if as_json:
        print_json(result.to_dict())
        return
    _print(console, file, result)


def _print(console, file: Path, result) -> None:  # noqa: ANN001
    from rich.table import Table

    console.print(f"[bold]导入{KIND_LABELS[result.kind]}[/bold]：{file}")
    groups: dict[str, dict[str, int]] = {}
    for key, count in result.counts.items():
        group, _, outcome = key.partition(".")
        groups.setdefault(group, {})[outcome] = count
    outcomes = [o for o in OUTCOME_LABELS if any(o in g for g in groups.values())]
    table = Table()
    table.add_column("记录")
    for outcome in outcomes:
        table.add_column(OUTCOME_LABELS[outcome], justify="right")
    for group in sorted(groups, key=lambda g: list(RECORD_LABELS).index(g) if g in RECORD_LABELS else 99):
        table.add_row(
            RECORD_LABELS.get(group, group), *(f"{groups[group][o]:,}" if o in groups[group] else "" for o in outcomes)
        )
    console.print(table)
    console.print(
        f"读取 {result.lines:,} 行，涉及 {result.households:,} 户，其中证据有变化 {result.changed_households:,} 户。"
    )
    if result.error_report:
        console.print(
            f"[red]有 {result.problems:,} 处问题（整行未导入 {result.rejected:,} 行）[/red]，"
            f"原因见错误报告：{result.error_report}"
        )
    else:
        console.print("[green]全部行均已处理，没有错误。[/green]")
