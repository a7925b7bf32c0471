"""Benchmark cause retrieval on tests/data/kb_queries.yaml: dense vs lexical vs fused accuracy and latency.

Run: .venv/bin/python bench/kb_retrieval.py [--split test|dev|all] [--tune]
--tune grid-searches the fusion parameters on the dev split only and prints the best ones.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import yaml
from rich.console import Console
from rich.table import Table

from core.settings import PROJECT_ROOT, Settings, get_settings
from knowledge_base.catalog import kb_version
from knowledge_base.fusion import FusionConfig
from knowledge_base.retrieval import Hit, KnowledgeBase

QUERIES = PROJECT_ROOT / "tests" / "data" / "kb_queries.yaml"


def load_queries(split: str) -> list[dict]:
    queries = yaml.safe_load(QUERIES.read_text(encoding="utf-8"))["queries"]
    return [q for q in queries if split == "all" or q["split"] == split]


def accuracy(results: list[list[Hit]], queries: list[dict], k: int) -> float:
    good = sum(q["cause"] in [h.cause_id for h in hits[:k]] for hits, q in zip(results, queries, strict=True))
    return good / len(queries)


def evaluate(kb: KnowledgeBase, queries: list[dict], configs: list[FusionConfig]) -> list[list[list[Hit]]]:
    texts = [q["text"] for q in queries]
    flat = kb.search_many(texts, k=5, fusions=configs)
    return [flat[i * len(texts) : (i + 1) * len(texts)] for i in range(len(configs))]


def tune(kb: KnowledgeBase, console: Console) -> None:
    dev = load_queries("dev")
    grid = [
        FusionConfig(method="weighted", dense_weight=w, second_weight=s)
        for w, s in itertools.product([0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8], [0.0, 0.2, 0.4])
    ] + [
        FusionConfig(method="rrf", rrf_k=k, second_weight=s)
        for k, s in itertools.product([2, 5, 10, 30, 60], [0.0, 0.3])
    ]
    results = evaluate(kb, dev, grid)
    scored = sorted(
        ((accuracy(r, dev, 1), accuracy(r, dev, 3), c) for r, c in zip(results, grid, strict=True)),
        key=lambda item: (item[0], item[1]),
        reverse=True,
    )
    table = Table(title=f"fusion tuning on dev ({len(dev)} queries), top 10")
    for column in ("config", "top-1", "top-3"):
        table.add_column(column)
    for top1, top3, config in scored[:10]:
        table.add_row(str(config), f"{top1:.1%}", f"{top3:.1%}")
    console.print(table)


def report(kb: KnowledgeBase, split: str, console: Console) -> None:
    queries = load_queries(split)
    fused = kb.fusion
    configs = {
        "dense only": replace(fused, method="weighted", dense_weight=1.0),
        "lexical only": replace(fused, method="weighted", dense_weight=0.0),
        f"fused ({fused.method})": fused,
    }
    results = dict(zip(configs, evaluate(kb, queries, list(configs.values())), strict=True))
    latencies = []
    for query in queries:
        start = time.perf_counter()
        kb.search(query["text"], k=5)
        latencies.append((time.perf_counter() - start) * 1000)
    table = Table(title=f"cause retrieval, split={split}, {len(queries)} queries, kb {kb_version()}")
    for column in ("retriever", "top-1", "top-3"):
        table.add_column(column)
    for name, result in results.items():
        table.add_row(name, f"{accuracy(result, queries, 1):.1%}", f"{accuracy(result, queries, 3):.1%}")
    console.print(table)
    console.print(f"median query latency (fused, single query): {statistics.median(latencies):.1f} ms")
    misses = Table(title="fused misses (expected not at top-1)")
    for column in ("expected", "query", "got top-3"):
        misses.add_column(column)
    for hits, query in zip(results[f"fused ({fused.method})"], queries, strict=True):
        if hits[0].cause_id != query["cause"]:
            misses.add_row(query["cause"], query["text"], ", ".join(h.cause_id for h in hits[:3]))
    console.print(misses)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--split", choices=["test", "dev", "all"], default="test")
    parser.add_argument("--tune", action="store_true", help="grid-search fusion on the dev split")
    args = parser.parse_args()
    console = Console()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(var_dir=Path(tmp), models_dir=get_settings().models_dir)
        kb = KnowledgeBase(settings=settings)
        start = time.perf_counter()
        ingest = kb.ingest()
        console.print(f"ingested {ingest.passages} passages in {time.perf_counter() - start:.1f} s")
        if args.tune:
            tune(kb, console)
        report(kb, args.split, console)


if __name__ == "__main__":
    main()
