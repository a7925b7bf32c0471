"""Evidence ingestion throughput: 10,000 generated household bundles — first import, unchanged re-import, append.

Run: .venv/bin/python bench/ingest_speed.py [--households 10000] [--runs 3] [--pg-url postgresql+psycopg://...]
Each run uses a fresh database; the table shows medians over runs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

PHASES = {"first": "首次导入（新建住户）", "again": "重复导入（无变化）", "append": "追加（10% 户各加 1 条）"}


def write_files(folder: Path, households: int) -> tuple[Path, Path, int]:
    """The bundle file, the same file with one appended chat in every tenth household, and the record count."""
    from data.ingest.synth import bundles

    first, append, records = folder / "bundles.jsonl", folder / "append.jsonl", 0
    with first.open("w", encoding="utf-8") as out, append.open("w", encoding="utf-8") as more:
        for n, bundle in enumerate(bundles(households)):
            records += sum(len(bundle[k]) for k in ("bills", "payments", "chats", "tickets", "claims"))
            out.write(json.dumps(bundle, ensure_ascii=False) + "\n")
            if n % 10 == 0:
                bundle["chats"].append(
                    {
                        "id": "bench-new",
                        "time": "2024-09-01T10:00:00",
                        "speaker": "业主",
                        "text": "我看到整改了，这周把物业费交上。",
                    }
                )
            more.write(json.dumps(bundle, ensure_ascii=False) + "\n")
    return first, append, records


def fresh_url(folder: Path, pg_url: str | None) -> tuple[str, object]:
    """A new empty database URL and a cleanup callable."""
    if not pg_url:
        path = folder / f"ingest-{uuid.uuid4().hex[:6]}.db"
        return f"sqlite:///{path}", lambda: path.unlink(missing_ok=True)
    from sqlalchemy import create_engine, text

    name = f"steward_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return f"{pg_url.rsplit('/', 1)[0]}/{name}", drop


def one_run(url: str, files: dict[str, Path]) -> dict[str, tuple[float, dict]]:
    """Time the three phases against one fresh database."""
    from data.db.session import init_db, make_session_factory
    from data.ingest import ingest_file

    engine = init_db(url)
    factory = make_session_factory(engine)
    out = {}
    for phase, path in files.items():
        started = time.perf_counter()
        with factory() as session:
            result = ingest_file(session, path, kind="bundle")
            session.commit()
        out[phase] = (time.perf_counter() - started, result.to_dict())
    engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--households", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pg-url", default=None, help="admin URL of a PostgreSQL server (default: SQLite)")
    args = parser.parse_args()
    console = Console()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        first, append, records = write_files(folder, args.households)
        console.print(
            f"生成 {args.households:,} 户数据包（{records:,} 条记录，"
            f"{first.stat().st_size / 1e6:.1f} MB），用时 {time.perf_counter() - started:.1f} 秒"
        )
        timings: dict[str, list[float]] = {p: [] for p in PHASES}
        last: dict[str, dict] = {}
        for _ in range(args.runs):
            url, cleanup = fresh_url(folder, args.pg_url)
            try:
                for phase, (seconds, result) in one_run(
                    url, {"first": first, "again": first, "append": append}
                ).items():
                    timings[phase].append(seconds)
                    last[phase] = result
            finally:
                cleanup()
    table = Table(title=f"证据导入速度（{'PostgreSQL' if args.pg_url else 'SQLite'}，{args.runs} 次中位数）")
    for col in ("阶段", "户数", "耗时（秒）", "户/秒", "记录/秒", "证据有变化的户"):
        table.add_column(col, justify="right" if col != "阶段" else "left")
    for phase, label in PHASES.items():
        seconds = statistics.median(timings[phase])
        table.add_row(
            label,
            f"{args.households:,}",
            f"{seconds:.1f}",
            f"{args.households / seconds:,.0f}",
            f"{records / seconds:,.0f}",
            f"{last[phase]['changed_households']:,}",
        )
    console.print(table)


if __name__ == "__main__":
    main()
