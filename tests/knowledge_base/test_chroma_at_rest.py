"""The Chroma folder holds the arrears-cause knowledge base only: no mobile, ID or card number, no owner name."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from data.db.models import Owner
from data.db.session import init_db, make_session_factory
from data.generator.generate import generate
from tests.security.conftest import isolated_keys  # noqa: F401  (fixture)
from tests.security.test_evidence_at_rest import CARD, ID_NUMBER, MOBILE, _id_valid, _luhn, _personal_values


@pytest.mark.embedding
@pytest.mark.usefixtures("isolated_keys")
def test_also_the_chroma_folder_holds_no_personal_data_in_clear(real_var_dir: Path, tmp_path: Path):
    files = [p for p in real_var_dir.rglob("*") if p.is_file() and "chroma" in p.as_posix()]
    assert files, "the knowledge base was not ingested into Chroma"
    data = b"".join(p.read_bytes() for p in files)
    text = data.decode("utf-8", "ignore")
    assert "垃圾" in text or "物业" in text  # the scan reads the real documents
    engine = init_db(f"sqlite:///{tmp_path / 'names.db'}")
    generate(engine, 300, seed=5)
    with make_session_factory(engine)() as s:
        names = {o.name for o in s.execute(select(Owner)).scalars() if o.name and len(o.name) >= 2}
        values = _personal_values(s)
    engine.dispose()
    assert names and values
    # Digit runs inside random ids or binary are not personal data: a hit counts when it is a real value.
    assert [v for v in MOBILE.findall(text) if v in values] == []
    assert [v for v in ID_NUMBER.findall(text) if _id_valid(v) and v in values] == []
    assert [v for v in CARD.findall(text) if _luhn(v) and not v.startswith("20") and v in values] == []
    assert sorted(v for v in values if v.encode("utf-8") in data) == []
    assert sorted(n for n in names if n.encode("utf-8") in data) == []
