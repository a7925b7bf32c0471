"""Evidence text is personal data at rest: a freshly generated portfolio's SQLite file and WAL hold no mobile
number, ID number, bank card number or owner name in clear, while the application still reads the text."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from core.scope import CallerScope
from data.db.models import ChatMessage, Claim, Contact, Owner
from data.db.session import init_db, make_session_factory
from data.generator.generate import generate
from tools.evidence import EvidenceReader

MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
ID_NUMBER = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9])")
CARD = re.compile(r"(?<![0-9])[0-9]{16,19}(?![0-9])")
HASH = re.compile(r"[0-9a-f]{64}")  # keyed lookup hashes (HMAC-SHA256 hex), not personal data
CIPHER = re.compile(r"enc1:[A-Za-z0-9]+:[A-Za-z0-9_=-]+")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _id_valid(value: str) -> bool:
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == value[17].upper()


def _luhn(value: str) -> bool:
    digits = [int(d) for d in reversed(value)]
    return sum(d if i % 2 == 0 else (d * 2 - 9 if d > 4 else d * 2) for i, d in enumerate(digits)) % 10 == 0


def _clear_pii(folder: Path, names: set[str], values: set[str]) -> dict[str, list[str]]:
    """Personal values of the portfolio found in clear in the database file and WAL.

    A digit run that looks like a number but is none of the portfolio's values is a piece of a ciphertext split
    across pages (or other binary), not personal data, so regex hits count only when they are real values; and
    every real value is also looked for byte for byte.
    """
    data = b"".join(p.read_bytes() for p in sorted(folder.glob("s.db*")))
    text = CIPHER.sub(" ", HASH.sub(" ", data.decode("utf-8", "ignore")))
    return {
        "mobile": [v for v in MOBILE.findall(text) if v in values],
        "id": [v for v in ID_NUMBER.findall(text) if _id_valid(v) and v in values],
        "card": [v for v in CARD.findall(text) if _luhn(v) and not v.startswith("20") and v in values],
        "name": sorted(n for n in names if n.encode("utf-8") in data),
        "value": sorted(v for v in values if v.encode("utf-8") in data),
    }


def _personal_values(session) -> set[str]:  # noqa: ANN001
    """Every mobile, ID and card number the portfolio holds, read through the application (decrypted)."""
    values = {c.value for c in session.execute(select(Contact)).scalars() if c.kind in ("mobile", "landline")}
    values |= {o.id_number for o in session.execute(select(Owner)).scalars() if o.id_number}
    for text in session.execute(select(ChatMessage.text)).scalars():
        values |= set(MOBILE.findall(text)) | set(ID_NUMBER.findall(text)) | set(CARD.findall(text))
    return {v for v in values if v and len(v) >= 11}


def test_also_generated_portfolio_file_and_wal_hold_no_pii_in_clear(tmp_path, isolated_keys):
    engine = init_db(f"sqlite:///{tmp_path / 's.db'}")
    generate(engine, 300, seed=5)
    factory = make_session_factory(engine)
    with factory() as s:
        names = {o.name for o in s.execute(select(Owner)).scalars()}
        values = _personal_values(s)
        chats = s.execute(select(ChatMessage.text)).scalars().all()
        items = s.execute(select(Claim.items)).scalars().all()
    # The generator does write numbers into chat text, so the scan below has something to find if it leaked.
    assert any(MOBILE.search(t) for t in chats) and names and all(isinstance(i, list) for i in items)
    assert sum(bool(MOBILE.fullmatch(v)) for v in values) > 100 and any(ID_NUMBER.fullmatch(v) for v in values)
    assert (tmp_path / "s.db-wal").exists()
    assert _clear_pii(tmp_path, names, values) == {"mobile": [], "id": [], "card": [], "name": [], "value": []}
    with factory() as s:  # the agent's evidence tools still read (and redact) the text
        reader = EvidenceReader(s, "BJ-PILOT/4-1203", CallerScope("t"))
        chat = reader.chats()
        assert chat["messages"] if "messages" in chat else chat
    engine.dispose()
    assert _clear_pii(tmp_path, names, values) == {"mobile": [], "id": [], "card": [], "name": [], "value": []}
