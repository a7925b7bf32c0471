import random
import re
from collections import Counter

import pytest

from data.generator.scenarios import BANKS, CAUSE_IDS, pick_secondary

MIN_DISTINCT_OWNER_LINES = 40


@pytest.mark.parametrize("cause_id", CAUSE_IDS)
def test_when_200_households_share_a_cause_then_owner_lines_vary(build, cause_id):
    owner_lines = Counter(c.text for seed in range(200) for c in build(cause_id, seed).chats if c.speaker == "owner")
    assert len(owner_lines) >= MIN_DISTINCT_OWNER_LINES
    # no single line dominates the corpus
    assert owner_lines.most_common(1)[0][1] < 0.15 * sum(owner_lines.values())


def test_when_titles_change_then_text_uses_them(build):
    s = build("svc.slow_repair", 1, owner_title="李先生")
    joined = "".join(c.text for c in s.chats)
    assert "李先生" in joined and "王女士" not in joined


def _matcher(templates):
    parts = [re.escape(t) for t in templates]
    return re.compile("|".join("^" + re.sub(r"\\\{\w+\\\}", ".+?", p) + "$" for p in parts))


@pytest.mark.parametrize("cause_id", [c for c in CAUSE_IDS if not c.startswith("beh.")])
def test_when_secondary_present_then_primary_evidence_outweighs_it(build, cause_id):
    wins = losses = 0
    for seed in range(60):
        secondary = pick_secondary(random.Random(seed), cause_id, share=1.0)
        s = build(cause_id, seed, secondary_cause_id=secondary)
        lines = [c.text for c in s.chats if c.speaker == "owner"]
        own = _matcher(BANKS[cause_id].openers + BANKS[cause_id].details + BANKS[cause_id].refusals)
        other = _matcher(BANKS[secondary].openers + BANKS[secondary].details + BANKS[secondary].refusals)
        mine, theirs = (
            sum(map(bool, map(own.match, lines))),
            sum(map(bool, map(other.match, lines))),
        )
        wins += mine > theirs
        losses += mine < theirs
    assert losses <= 1
    assert wins >= 51
