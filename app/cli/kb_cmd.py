"""`steward kb`: ingest the arrears-cause knowledge base and search it."""

from __future__ import annotations

import json

import typer
from rich.console import Console

app = typer.Typer(no_args_is_help=True, help="欠费原因知识库：入库与检索。")


def _knowledge_base():  # noqa: ANN202 - heavy import kept out of `steward --help`
    from core.settings import get_settings
    from knowledge_base.retrieval import KnowledgeBase

    return KnowledgeBase(settings=get_settings())


@app.command(help="把知识库 YAML 同步到向量库（只重建内容有变化的原因）。")
def ingest() -> None:
    """Sync the knowledge-base YAML into Chroma and print what changed."""
    from rich.progress import Progress

    console = Console()
    kb = _knowledge_base()
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("正在入库…", total=None)

        def advance(cause_id: str, done: int, total: int) -> None:
            progress.update(task, completed=done, total=total, description=f"检查 {cause_id}")

        report = kb.ingest(progress=advance)
    console.print(
        f"新增 {len(report.added)} · 更新 {len(report.updated)} · 未变 {len(report.unchanged)} · "
        f"删除 {len(report.removed)}（共 {report.passages} 条片段）"
    )
    for label, ids in (("新增", report.added), ("更新", report.updated), ("删除", report.removed)):
        if ids:
            console.print(f"{label}：{', '.join(ids)}")


@app.command(help="检索与一句业主原话最相关的欠费原因（向量库为空时自动入库）。")
def search(
    text: str = typer.Argument(..., help="业主原话或一段证据文本"),
    k: int = typer.Option(5, "--k", min=1, max=23, help="返回的原因个数"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """Print the top-k causes for one owner sentence as a table or JSON."""
    hits = _knowledge_base().search(text, k=k)
    if as_json:
        typer.echo(json.dumps([hit.to_dict() for hit in hits], ensure_ascii=False, indent=2))
        return
    from rich.table import Table

    table = Table(title=f"检索：{text}")
    for column in ("#", "原因 ID", "名称", "维度/类别", "得分", "命中片段"):
        table.add_column(column)
    for rank, hit in enumerate(hits, start=1):
        table.add_row(
            str(rank),
            hit.cause_id,
            hit.name,
            f"{hit.dimension}/{hit.category}",
            f"{hit.score:.3f}",
            hit.passage,
        )
    Console().print(table)
