"""Finding 9: a lost or swapped key file is not silent; the default key folder is not the database's folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, text

from app.api.main import create_app
from core.crypto.cipher import PROVIDER
from core.crypto.keys import Keyring, check_values, default_key_dir, key_file_path, load_keyring
from core.settings import PROJECT_ROOT, Settings
from data.db.keycheck import KeyMismatchError
from data.db.models import Meta
from data.db.session import init_db, make_engine, make_session_factory
from tests.security.conftest import generated

MESSAGE_ZH, MESSAGE_EN = "加密密钥与数据库不匹配", "do not match the database"


@pytest.fixture
def encrypted_db(tmp_path: Path) -> tuple[str, Keyring]:
    """A small portfolio written with its own key file; returns (url, that keyring)."""
    ring = load_keyring(tmp_path / "good-keys", {})
    url = f"sqlite:///{tmp_path / 'steward.db'}"
    with PROVIDER.using(ring):
        generated(url, households=8).dispose()
    return url, ring


def _assert_message(exc: BaseException) -> None:
    assert MESSAGE_ZH in str(exc) and MESSAGE_EN in str(exc)


def test_finding9_a_new_key_refuses_the_database_in_every_entry_point(encrypted_db, tmp_path):
    url, good = encrypted_db
    lost = load_keyring(tmp_path / "new-keys", {})  # what a missing key file used to turn into silently
    with PROVIDER.using(lost):
        with pytest.raises(KeyMismatchError) as exc:
            init_db(url)
        _assert_message(exc.value)
        app = create_app(Settings(var_dir=tmp_path / "var", database_url=url))
        with pytest.raises(KeyMismatchError), TestClient(app):
            pass
    with PROVIDER.using(good):
        init_db(url).dispose()  # the right key opens it


def test_finding9_the_cli_refuses_with_a_chinese_and_english_message(encrypted_db, tmp_path):
    url, _ = encrypted_db
    env = {
        **os.environ,
        "STEWARD_KEY_FILE": str(tmp_path / "elsewhere" / "steward-keys.json"),
        "PYTHONPATH": str(PROJECT_ROOT),
        "STEWARD_VAR_DIR": str(tmp_path / "var"),
    }
    env.pop("STEWARD_ENCRYPTION_KEY", None)
    r = subprocess.run(
        [sys.executable, "-m", "app.cli.main", "households", "show", "BJ-PILOT/4-1203", "--database-url", url],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 2, r.stderr[-2000:]
    assert MESSAGE_ZH in r.stderr and MESSAGE_EN in r.stderr and "Traceback" not in r.stderr


def test_finding9_the_workbench_shows_the_message_and_nothing_else(encrypted_db, tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    url, _ = encrypted_db
    monkeypatch.setenv("STEWARD_DATABASE_URL", url)
    monkeypatch.setenv("STEWARD_VAR_DIR", str(tmp_path / "wbvar"))

    def script() -> None:
        from app.workbench.shell import render_single

        render_single("login")

    with PROVIDER.using(load_keyring(tmp_path / "new-keys", {})):
        at = AppTest.from_function(script, default_timeout=60).run()
    assert at.error and MESSAGE_ZH in at.error[0].value and not at.text_input


def test_finding9_a_swapped_lookup_hash_key_is_refused_too(encrypted_db):
    url, good = encrypted_db
    other_hash = Keyring(keys=good.keys, active=good.active, hash_key=b"\x01" * 32)
    with PROVIDER.using(other_hash), pytest.raises(KeyMismatchError) as exc:
        init_db(url)
    assert "lookup-hash" in str(exc.value)


def test_finding9_a_database_without_check_values_is_checked_by_reading_a_ciphertext(encrypted_db, tmp_path):
    url, good = encrypted_db
    engine = make_engine(url)
    with make_session_factory(engine)() as s:
        s.execute(delete(Meta).where(Meta.key == "key_check"))
        s.commit()
    with PROVIDER.using(load_keyring(tmp_path / "new-keys", {})), pytest.raises(KeyMismatchError):
        init_db(url)
    with PROVIDER.using(good):
        init_db(url).dispose()
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT value FROM meta WHERE key = 'key_check'")).scalar()
    engine.dispose()
    assert stored and check_values(good)["hash"] in stored


def test_finding9_an_empty_database_accepts_any_key(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    with PROVIDER.using(load_keyring(tmp_path / "a", {})):
        init_db(url).dispose()
    with PROVIDER.using(load_keyring(tmp_path / "b", {})):
        init_db(url).dispose()  # no ciphertexts yet: nothing to protect, the new checks are recorded


def test_finding9_the_default_key_folder_is_outside_the_database_folder(tmp_path):
    env = {"HOME": str(tmp_path / "home")}
    default = key_file_path(default_key_dir(env), env)
    assert default == tmp_path / "home" / ".config" / "steward" / "keys" / "steward-keys.json"
    settings = Settings(var_dir=tmp_path / "var")
    assert not settings.resolved_key_dir.is_relative_to(settings.var_dir)
    assert default_key_dir({"STEWARD_KEY_DIR": str(tmp_path / "kd")}) == tmp_path / "kd"
    assert key_file_path(tmp_path / "kd", {"STEWARD_KEY_FILE": str(tmp_path / "f.json")}) == tmp_path / "f.json"


def test_finding9_a_rotation_with_a_new_hash_key_records_the_new_checks(tmp_path, isolated_keys):
    from typer.testing import CliRunner

    from app.cli.main import app as cli

    url = f"sqlite:///{tmp_path / 'rot.db'}"
    generated(url, households=6).dispose()
    out = CliRunner().invoke(cli, ["security", "rotate-key", "--new-hash-key", "--retire-old", "--database-url", url])
    assert out.exit_code == 0, out.output
    init_db(url).dispose()  # the rotated keys open the database they re-encrypted
    with PROVIDER.using(isolated_keys.keyring), pytest.raises(KeyMismatchError):
        init_db(url)  # and the keys from before the rotation no longer do


def test_finding9_a_key_file_left_next_to_an_existing_database_is_still_used_over_the_shared_default(
    tmp_path, monkeypatch
):
    from core.crypto.cipher import CipherProvider
    from core.settings import get_settings

    legacy_ring = load_keyring(tmp_path / "var" / "keys", {})  # what an earlier version made beside var/steward.db
    home = tmp_path / "home"
    load_keyring(home / ".config" / "steward" / "keys", {})  # another checkout's keys in the shared default
    for name in ("STEWARD_KEY_DIR", "STEWARD_ENCRYPTION_KEY", "XDG_CONFIG_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("STEWARD_KEY_FILE", "")  # empty = unset; restored afterwards (resolving sets it for children)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("STEWARD_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    try:
        resolved = CipherProvider._resolve()
    finally:
        get_settings.cache_clear()
    assert resolved.path == legacy_ring.path and resolved.keys == legacy_ring.keys


def test_finding9_wrong_keys_are_refused_before_a_migration_writes_anything(tmp_path):
    """An old database opened with the wrong keys: refused, still at its old revision, its evidence untouched."""
    from core.crypto.cipher import FieldCipher
    from data.db.session import upgrade

    url = f"sqlite:///{tmp_path / 'old.db'}"
    right = load_keyring(tmp_path / "right-keys", {})
    with PROVIDER.using(right):
        upgrade(url, "0006")  # before evidence text was encrypted at rest
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(
                text("INSERT INTO owners (id, name, title) VALUES (1, :n, '王女士')"),
                {"n": FieldCipher(right).encrypt("王丽")},
            )
            conn.execute(
                text("INSERT INTO projects (id, code, name, city, region) VALUES (1, 'P', '项目', '北京', '华北')")
            )
            conn.execute(text("INSERT INTO buildings (id, project_id, name) VALUES (1, 1, '1号楼')"))
            conn.execute(
                text(
                    "INSERT INTO units (id, project_id, building_id, code, label, area_m2, monthly_fee_cents, "
                    "case_state) VALUES (1, 1, 1, '1-101', '1号楼101', 90, 100, '未触达')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO chat_messages (id, unit_id, ext_id, speaker_role, speaker_name, sent_at, "
                    "text) VALUES (1, 1, 'm1', 'owner', '王丽', '2024-09-01 10:00:00', '电话13912345678')"
                )
            )
        engine.dispose()
    with PROVIDER.using(load_keyring(tmp_path / "other-keys", {})), pytest.raises(KeyMismatchError):
        init_db(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0006"
        assert conn.execute(text("SELECT text FROM chat_messages")).scalar() == "电话13912345678"
    engine.dispose()
    with PROVIDER.using(right):
        init_db(url).dispose()  # the right keys migrate it
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT text FROM chat_messages")).scalar().startswith("enc1:")
    engine.dispose()
