"""Retrieve: rank candidate causes from the knowledge base for this household's evidence."""

from __future__ import annotations

from collections import defaultdict

from langgraph.runtime import Runtime

from agent.context import AgentContext
from agent.state import AgentState
from tools.contracts import Evidence

TOP_CANDIDATES = 6
TEXT_WEIGHTS = {"msg": 1.0, "claim": 1.0, "ticket": 0.7}


def evidence_texts(evidence: Evidence | dict) -> list[tuple[str, str]]:
    """(evidence id, text) pairs that express the owner's view: owner chat lines, claim items, tickets."""
    ev = Evidence.of(evidence)
    out = [(m.id, m.text) for m in ev.owner_lines()]
    for claim in ev.claims:
        out += [(claim.id, item) for item in claim.items]
    for ticket in ev.tickets:
        out.append((ticket.id, f"{ticket.type}：{ticket.description}"))
    return [(i, t) for i, t in out if t and len(t.strip()) > 1]


def _type_bonus(evidence: Evidence, causes: dict) -> dict[str, tuple[float, list[str]]]:
    bonus: dict[str, tuple[float, list[str]]] = {}
    for cid, cause in causes.items():
        ev = cause.evidence
        ids = [
            t.id
            for t in evidence.tickets
            if t.type in ev.ticket_types and ((t.satisfaction or 5) <= 3 or t.status in ("超时", "处理中", "已受理"))
        ]
        ids += [c.id for c in evidence.claims if c.type in ev.claim_types]
        if ids:
            bonus[cid] = (min(0.6, 0.3 * len(ids)), ids)
    return bonus


def rank_causes(evidence: Evidence | dict, kb) -> list[dict]:  # noqa: ANN001
    """Fuse whole-evidence retrieval, per-text votes and ticket/claim type matches into a ranking."""
    evidence = Evidence.of(evidence)
    texts = evidence_texts(evidence)
    causes = kb.causes
    score: dict[str, float] = defaultdict(float)
    support: dict[str, list[str]] = defaultdict(list)
    if texts:
        overall = kb.search_evidence([t for _, t in texts], k=10)
        top = max((h.score for h in overall), default=1.0) or 1.0
        for hit in overall:
            score[hit.cause_id] += hit.score / top
        per_text = kb.search_many([t for _, t in texts], k=3)
        for (eid, _), hits in zip(texts, per_text, strict=True):
            weight = TEXT_WEIGHTS.get(eid.split(":", 1)[0], 0.5)
            for rank, hit in enumerate(hits):
                if rank == 0:
                    score[hit.cause_id] += 0.3 * weight
                if eid not in support[hit.cause_id]:
                    support[hit.cause_id].append(eid)
    for cid, (value, ids) in _type_bonus(evidence, causes).items():
        score[cid] += value
        support[cid] = list(dict.fromkeys([*ids, *support[cid]]))
    if not texts:
        score["beh.forgetful"] += 1.0
    ranked = sorted(score.items(), key=lambda kv: -kv[1])[:TOP_CANDIDATES]
    return [
        {
            "cause_id": cid,
            "name": causes[cid].name,
            "dimension": causes[cid].dimension,
            "category": causes[cid].category,
            "score": round(value, 4),
            "support": support[cid][:6],
        }
        for cid, value in ranked
        if cid in causes
    ]


def retrieve(state: AgentState, runtime: Runtime[AgentContext]) -> dict:
    """Rank candidate causes for the gathered evidence."""
    return {"candidates": rank_causes(state["evidence"], runtime.context.kb)}
