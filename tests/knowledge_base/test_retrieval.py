from __future__ import annotations

from pathlib import Path

import yaml

from knowledge_base.fusion import FusionConfig, aggregate, fuse, min_max
from knowledge_base.passages import Passage
from knowledge_base.retrieval import KnowledgeBase
from knowledge_base.taxonomy import CAUSE_IDS


def test_when_ingesting_twice_then_second_ingest_changes_nothing(fake_kb: KnowledgeBase):
    first = fake_kb.ingest()
    assert sorted(first.added) == sorted(CAUSE_IDS)
    count = fake_kb.collection().count()
    assert count == first.passages
    second = fake_kb.ingest()
    assert not second.changed
    assert sorted(second.unchanged) == sorted(CAUSE_IDS)
    assert fake_kb.collection().count() == count


def test_when_a_cause_file_is_edited_then_only_it_is_reingested(fake_kb: KnowledgeBase, kb_root: Path):
    fake_kb.ingest()
    path = kb_root / "causes" / "svc.security_lapse.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["utterances"].append("夜里保安亭连灯都不开，人影都没有")
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    report = fake_kb.ingest()
    assert report.updated == ["svc.security_lapse"]
    assert not report.added and not report.removed
    stored = fake_kb.collection().get(where={"cause_id": "svc.security_lapse"}, include=["documents"])
    assert "夜里保安亭连灯都不开，人影都没有" in stored["documents"]
    assert len(stored["ids"]) == len(set(stored["ids"]))


def test_when_a_cause_file_is_deleted_then_its_passages_are_removed(fake_kb: KnowledgeBase, kb_root: Path):
    fake_kb.ingest()
    (kb_root / "causes" / "ext.cheaper_neighbours.yaml").unlink()
    report = fake_kb.ingest()
    assert report.removed == ["ext.cheaper_neighbours"]
    assert fake_kb.collection().get(where={"cause_id": "ext.cheaper_neighbours"})["ids"] == []


def test_when_searching_an_empty_store_then_it_ingests_and_returns_k_sorted_hits(
    fake_kb: KnowledgeBase,
):
    assert fake_kb.collection().count() == 0
    hits = fake_kb.search("电梯又坏了，困了人也没人管", k=4)
    assert fake_kb.collection().count() > 0
    assert len(hits) == 4
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert {h.cause_id for h in hits} <= set(CAUSE_IDS)
    top = hits[0].to_dict()
    assert set(top) == {"cause_id", "name", "dimension", "category", "score", "passage"}
    assert top["passage"] and top["name"]


def test_when_searching_many_then_one_result_list_per_text(fake_kb: KnowledgeBase):
    results = fake_kb.search_many(["停车场收入从来不公示", "我就不交你告我去"], k=3)
    assert len(results) == 2
    assert all(len(hits) == 3 for hits in results)
    assert fake_kb.search_many([], k=3) == []


def test_when_evidence_has_filler_messages_then_content_messages_decide(fake_kb: KnowledgeBase):
    hits = fake_kb.search_evidence(["好的", "收到", "停车位出租的钱去哪了，公共收益从来不公示"], k=3)
    assert hits[0].cause_id == "mgmt.public_income_undisclosed"
    assert fake_kb.search_evidence(["", "  "]) == []


def test_when_scores_are_aggregated_then_best_passage_plus_share_of_second():
    passages = [
        Passage("a#0", "a", "utterance", "x", "h"),
        Passage("a#1", "a", "utterance", "y", "h"),
        Passage("b#0", "b", "utterance", "z", "h"),
    ]
    result = aggregate({0: 0.5, 1: 0.9, 2: 0.7}, passages, second_weight=0.5)
    assert result["a"].best == 1
    assert abs(result["a"].score - 1.15) < 1e-9
    assert result["b"].score == 0.7


def test_when_fusing_then_weights_and_missing_keys_behave():
    keys = ["a", "b", "c"]
    assert min_max({"a": 2.0, "b": 1.0}, keys) == {"a": 1.0, "b": 0.5, "c": 0.0}
    dense_only = fuse({"a": 0.9, "b": 0.1}, {"b": 9.0}, keys, FusionConfig(dense_weight=1.0))
    lexical_only = fuse({"a": 0.9, "b": 0.1}, {"b": 9.0}, keys, FusionConfig(dense_weight=0.0))
    assert max(dense_only, key=dense_only.get) == "a"
    assert max(lexical_only, key=lexical_only.get) == "b"
    rrf = fuse({"a": 0.9, "b": 0.1}, {"a": 5.0}, keys, FusionConfig(method="rrf"))
    assert rrf["a"] == 1.0 and rrf["a"] > rrf["b"] > 0
