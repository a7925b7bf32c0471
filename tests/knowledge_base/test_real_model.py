from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from app.cli.main import app
from core.settings import PROJECT_ROOT, get_settings
from knowledge_base.retrieval import KnowledgeBase

QUERIES = PROJECT_ROOT / "tests" / "data" / "kb_queries.yaml"


@pytest.mark.embedding
def test_when_cli_searches_litter_complaint_then_cleaning_ranks_first(real_var_dir: Path, monkeypatch):
    monkeypatch.setenv("STEWARD_VAR_DIR", str(real_var_dir))
    monkeypatch.setenv("STEWARD_MODELS_DIR", str(get_settings().models_dir))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["kb", "search", "楼道垃圾好几天没人清理，蟑螂都出来了", "--json"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout[result.stdout.index("[") :])
    assert hits[0]["cause_id"] == "svc.cleaning_greening"
    assert hits[0]["name"] == "保洁绿化维护不足"
    assert len(hits) == 5


@pytest.mark.embedding
def test_when_running_the_held_out_query_set_then_fused_accuracy_meets_targets(
    real_kb: KnowledgeBase,
):
    queries = [q for q in yaml.safe_load(QUERIES.read_text(encoding="utf-8"))["queries"] if q["split"] == "test"]
    assert len(queries) >= 70
    results = real_kb.search_many([q["text"] for q in queries], k=3)
    top1 = sum(hits[0].cause_id == q["cause"] for hits, q in zip(results, queries, strict=True)) / len(queries)
    top3 = sum(q["cause"] in [h.cause_id for h in hits] for hits, q in zip(results, queries, strict=True)) / len(
        queries
    )
    assert top3 >= 0.95, f"top-3 {top3:.1%}"
    assert top1 >= 0.85, f"top-1 {top1:.1%}"


@pytest.mark.embedding
def test_when_evidence_mixes_service_complaints_and_filler_then_service_cause_leads(
    real_kb: KnowledgeBase,
):
    messages = [
        "你好",
        "收到",
        "草坪都黄了也没人管，垃圾桶天天满出来",
        "卫生不搞好我是不会交钱的",
    ]
    hits = real_kb.search_evidence(messages, k=3)
    assert hits[0].cause_id == "svc.cleaning_greening"
