"""`steward audit` (verify, export, prune) and `steward security` (key rotation, status, PIPL deletion)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import typer

from app.cli.common import console, fail, open_session

audit_app = typer.Typer(no_args_is_help=True, help="审计日志：校验、导出、归档 / Audit log.")
security_app = typer.Typer(no_args_is_help=True, help="数据安全：密钥轮换、个人信息删除 / Security.")
DB_OPTION = typer.Option(None, "--database-url", help="数据库 URL")


def _when(text: str, *, end_of_day: bool = False) -> datetime:
    """YYYY-MM-DD (start of day, or the next day's start for an inclusive end) or an ISO date-time."""
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime.combine(day + timedelta(days=1 if end_of_day else 0), datetime.min.time())
        return datetime.fromisoformat(text)
    except ValueError:
        fail(f"日期格式不正确：{text}（应为 YYYY-MM-DD）")
        raise


def _actor() -> str:
    import getpass

    return f"cli:{getpass.getuser()}"


@audit_app.command("verify")
def verify_cmd(database_url: str | None = DB_OPTION) -> None:
    """校验审计哈希链：任何修改或删除（包括删除最后一条）都会报出第一条异常事件并以非零退出。"""
    from data.repositories import audit

    with open_session(database_url) as session:
        report = audit.verify(session)
    if report.ok:
        console.print(f"[green]审计链完整[/green]：共校验 {report.checked} 条事件。")
        return
    fail(f"审计链被破坏：第一条异常事件 #{report.first_broken}（{report.reason}）；异常事件共 {len(report.bad)} 条。")


@audit_app.command("export")
def export_cmd(
    out: Path = typer.Option(..., "--out", help="输出 CSV 文件"),
    since: str | None = typer.Option(None, "--since", help="起始日期（含），YYYY-MM-DD"),
    until: str | None = typer.Option(None, "--until", help="截止日期（含），YYYY-MM-DD"),
    database_url: str | None = DB_OPTION,
) -> None:
    """按时间段导出审计日志（CSV，UTF-8 带 BOM），供审计人员使用；导出本身也记入审计日志。"""
    from app.security.audit_archive import export_csv
    from data.repositories import audit

    start = _when(since) if since else None
    end = _when(until, end_of_day=True) if until else None
    with open_session(database_url) as session:
        rows = export_csv(session, out, since=start, until=end)
        audit.record(
            session,
            actor=_actor(),
            action="audit.export",
            detail={"rows": rows, "since": since or "", "until": until or "", "via": "cli"},
        )
        session.commit()
    console.print(f"已导出 {rows} 条审计事件到 {out}")


@audit_app.command("prune")
def prune_cmd(
    before: str = typer.Option(..., "--before", help="归档并删除此日期之前的事件，YYYY-MM-DD"),
    archive_dir: Path | None = typer.Option(None, "--archive-dir", help="归档目录（默认 var/audit-archive）"),
    database_url: str | None = DB_OPTION,
) -> None:
    """按保留期限归档旧审计事件（JSONL 文件）后删除，并记录锚点，剩余审计链仍可校验。"""
    from app.security.audit_archive import AuditChainBroken, prune
    from core.settings import get_settings

    folder = archive_dir or get_settings().var_dir / "audit-archive"
    with open_session(database_url) as session:
        try:
            result = prune(session, _when(before), folder, actor=_actor())
        except AuditChainBroken as exc:
            fail(str(exc))
            return
        session.commit()
    if not result.archived:
        console.print("没有需要归档的审计事件。")
        return
    console.print(
        f"已归档 {result.archived} 条事件（至 #{result.through_id}）到 {result.archive}\nSHA-256 {result.sha256}"
    )


@security_app.command("rotate-key")
def rotate_key_cmd(
    new_hash_key: bool = typer.Option(False, "--new-hash-key", help="同时更换查找哈希密钥并重算哈希"),
    retire_old: bool = typer.Option(False, "--retire-old", help="全部重加密后从密钥文件删除旧密钥"),
    database_url: str | None = DB_OPTION,
) -> None:
    """生成新数据密钥并用它重新加密全部个人信息；旧密钥在轮换完成前一直可读。"""
    from core.crypto import keys
    from core.crypto.cipher import PROVIDER, cipher
    from data.db import keycheck
    from data.db.rotation import reencrypt_all
    from data.repositories import audit

    ring = cipher().keyring
    with open_session(database_url) as session:  # opened (and key-checked) with the keys before the rotation
        kid = keys.add_key(ring.path, new_hash_key=new_hash_key) if ring.path else ring.active
        fc = PROVIDER.reload()
        report = reencrypt_all(session.connection(), fc)
        keycheck.record(session.connection(), fc)  # in the same transaction as the re-encryption
        audit.record(
            session,
            actor=_actor(),
            action="security.rotate_key",
            detail={"key_id": kid, "rewritten": dict(report.rewritten), "new_hash_key": new_hash_key},
        )
        session.commit()
    dropped = keys.retire_keys(ring.path) if retire_old and ring.path else []
    PROVIDER.reload()
    console.print(
        f"当前密钥 {kid}；重新加密 {sum(report.rewritten.values())} 行"
        f"（共检查 {sum(report.scanned.values())} 行）" + (f"；已删除旧密钥 {', '.join(dropped)}" if dropped else "")
    )


@security_app.command("status")
def status_cmd(database_url: str | None = DB_OPTION) -> None:
    """各密钥加密的字段数（plain 表示尚未加密的旧数据）。"""
    from rich.table import Table

    from core.crypto.cipher import cipher
    from data.db.rotation import key_usage

    ring = cipher().keyring
    with open_session(database_url) as session:
        usage = key_usage(session.connection())
    console.print(f"当前密钥 {ring.active}；密钥来源 {ring.path or '环境变量'}")
    table = Table(title="字段加密状态")
    table.add_column("密钥")
    table.add_column("字段数", justify="right")
    for kid, n in sorted(usage.items()):
        table.add_row(kid + (" ✓" if kid == ring.active else ""), f"{n:,}")
    console.print(table)


@security_app.command("delete-closed")
def delete_closed_cmd(
    closed_before: str = typer.Option(..., "--closed-before", help="销户日期早于此日期的住户，YYYY-MM-DD"),
    yes: bool = typer.Option(False, "--yes", help="不再确认"),
    database_url: str | None = DB_OPTION,
) -> None:
    """删除已销户住户的个人信息和证据文本（PIPL 第 47 条）；审计日志保留且仍可校验。"""
    from app.security.erasure import checkpoint, closed_units, erase_closed

    cutoff = _when(closed_before)
    with open_session(database_url) as session:
        n = len(closed_units(session, cutoff))
        if not n:
            console.print("没有符合条件的已销户住户。")
            return
        if not yes and not typer.confirm(f"将删除 {n} 户的个人信息和证据文本，且不可恢复。继续？"):
            raise typer.Exit(1)
        report = erase_closed(session, cutoff, actor=_actor())
        session.commit()
        checkpoint(session)
    threads = _erase_agent_threads(report.households, database_url)
    console.print(
        f"已删除 {len(report.units)} 户、{len(report.owners)} 位业主的个人信息；"
        f"清除记录：{dict(report.rows)}；清除智能体会话 {threads} 个"
    )


def _erase_agent_threads(households: list[str], database_url: str | None) -> int:
    """Delete the erased households' agent checkpoints from the configured checkpointer."""
    from agent.runner import open_checkpointer
    from app.security.erasure import erase_checkpoints
    from core.settings import get_settings

    settings = get_settings()
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})
    with open_checkpointer(settings) as saver:
        return erase_checkpoints(saver, households)


def register(app: typer.Typer) -> None:
    """Add the `audit` and `security` groups."""
    app.add_typer(audit_app, name="audit")
    app.add_typer(security_app, name="security")
