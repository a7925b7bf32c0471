"""Personal data at rest: encrypted in SQLite and PostgreSQL, readable through the application, rotatable."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from typer.testing import CliRunner

from app.cli.main import app as cli
from core.crypto import keys
from core.crypto.cipher import PROVIDER, DecryptionError, FieldCipher, is_ciphertext
from core.scope import CallerScope
from data.db.models import Contact, Owner, Unit
from data.db.rotation import key_usage, reencrypt_all
from data.db.session import make_session_factory
from data.importers import import_file, pii
from tests.security.conftest import PILOT, PILOT_RAW, generated
from tools.evidence import EvidenceReader

OWNERS_HEADER = (
    "项目编码,项目名称,城市,区域,楼栋,房号,建筑面积,业主姓名,手机号,证件号码,邮箱,微信号,业主标签,偏好渠道,月物业费\n"
)


def _pg_dump() -> str:
    found = shutil.which("pg_dump") or next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_dump"))), None)
    assert found, "pg_dump not installed"
    return str(found)


def test_when_portfolio_is_generated_then_sqlite_file_bytes_hold_no_pilot_pii(tmp_path, isolated_keys):
    generated(f"sqlite:///{tmp_path / 's.db'}").dispose()
    data = b"".join(p.read_bytes() for p in tmp_path.glob("s.db*"))
    for raw in PILOT_RAW:
        assert raw.encode("utf-8") not in data
    assert b"enc1:" in data


def test_when_portfolio_is_on_postgresql_then_pg_dump_holds_no_pilot_pii(pg_url, isolated_keys):
    engine = generated(pg_url)
    with make_session_factory(engine)() as s:
        owner = s.execute(select(Owner).join(Unit, Unit.owner_id == Owner.id).where(Unit.code == "4-1203")).scalar()
        assert (owner.name, owner.id_number) == ("王丽", PILOT_RAW[1])
    engine.dispose()
    dump = subprocess.run(
        [_pg_dump(), "--data-only", pg_url.replace("postgresql+psycopg://", "postgresql://")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for raw in PILOT_RAW:
        assert raw not in dump
    assert "enc1:" in dump


def test_when_household_is_shown_then_phone_is_masked_and_title_is_kept(tmp_path, isolated_keys):
    url = f"sqlite:///{tmp_path / 's.db'}"
    generated(url).dispose()
    out = CliRunner().invoke(cli, ["households", "show", PILOT, "--database-url", url])
    assert out.exit_code == 0, out.output
    assert "139****5678" in out.output and "王女士" in out.output
    assert "13912345678" not in out.output and "王丽" not in out.output


def test_when_evidence_is_read_then_the_decrypted_owner_name_is_redacted(tmp_path, isolated_keys):
    engine = generated(f"sqlite:///{tmp_path / 's.db'}")
    with make_session_factory(engine)() as s:
        reader = EvidenceReader(s, PILOT, CallerScope("t"))
        assert reader.owner.name == "王丽"
        redacted = reader.redactor.redact("我是王丽，电话13912345678，下周缴费")
    assert "王丽" not in redacted and "13912345678" not in redacted


def test_when_the_pilot_owner_is_imported_again_then_it_merges_by_keyed_hash(tmp_path, isolated_keys):
    engine = generated(f"sqlite:///{tmp_path / 's.db'}")
    csv = tmp_path / "owners.csv"
    csv.write_text(
        OWNERS_HEADER + "BJ-PILOT,保利·北京试点社区,北京,华北,4号楼,1204,90,王丽,13912345678,"
        "110105198503124523,,,,微信,560\n",
        encoding="utf-8",
    )
    factory = make_session_factory(engine)
    with factory() as s:
        before = s.execute(select(func.count(Owner.id))).scalar()
        result = import_file(s, csv)
        s.commit()
        pilot_owner = s.execute(select(Unit.owner_id).where(Unit.code == "4-1203")).scalar()
        new_owner = s.execute(select(Unit.owner_id).where(Unit.code == "4-1204")).scalar()
        assert result.inserted == 1 and result.errors == 0
        assert s.execute(select(func.count(Owner.id))).scalar() == before
        assert new_owner == pilot_owner
        stored = s.execute(text("SELECT merge_key, merge_hash FROM owners WHERE id = :i"), {"i": pilot_owner}).one()
    assert is_ciphertext(stored.merge_key) and stored.merge_hash == pii.lookup_hash("王丽|13912345678")
    assert "13912345678" not in stored.merge_hash


def test_when_a_contact_is_stored_then_its_value_hash_is_keyed(tmp_path, isolated_keys):
    engine = generated(f"sqlite:///{tmp_path / 's.db'}")
    with make_session_factory(engine)() as s:
        row = s.execute(select(Contact).where(Contact.value_hash == isolated_keys.lookup_hash("13912345678"))).scalar()
        assert row is not None and row.value == "13912345678"
    other = FieldCipher(keys.load_keyring(tmp_path / "other", {}))
    assert other.lookup_hash("13912345678") != isolated_keys.lookup_hash("13912345678")


def test_when_key_is_rotated_then_all_fields_move_to_the_new_key_and_old_key_can_retire(tmp_path, isolated_keys):
    url = f"sqlite:///{tmp_path / 's.db'}"
    engine = generated(url)
    path = isolated_keys.keyring.path
    old = isolated_keys.keyring.active
    out = CliRunner().invoke(cli, ["security", "rotate-key", "--retire-old", "--database-url", url])
    assert out.exit_code == 0, out.output
    ring = keys.read_key_file(path)
    assert ring.active != old and list(ring.keys) == [ring.active]
    with engine.connect() as conn:
        assert set(key_usage(conn)) == {ring.active}
    with make_session_factory(engine)() as s:
        assert (
            s.execute(select(Owner.name).join(Unit, Unit.owner_id == Owner.id).where(Unit.code == "4-1203")).scalar()
            == "王丽"
        )
        assert (
            s.execute(
                select(func.count()).select_from(Contact).where(Contact.value_hash == pii.lookup_hash("13912345678"))
            ).scalar()
            == 1
        )


def test_when_old_key_is_still_in_the_keyring_then_old_ciphertexts_stay_readable(tmp_path, isolated_keys):
    old_text = isolated_keys.encrypt("王丽")
    kid = keys.add_key(isolated_keys.keyring.path)
    fresh = FieldCipher(keys.read_key_file(isolated_keys.keyring.path))
    assert fresh.decrypt(old_text) == "王丽" and fresh.encrypt("x").startswith(f"enc1:{kid}:")
    keys.retire_keys(isolated_keys.keyring.path)
    with pytest.raises(DecryptionError):
        FieldCipher(keys.read_key_file(isolated_keys.keyring.path)).decrypt(old_text)


def test_when_rows_are_legacy_plain_text_then_reencryption_encrypts_and_hashes_them(tmp_path, isolated_keys):
    engine = generated(f"sqlite:///{tmp_path / 's.db'}", households=5)
    with engine.begin() as conn:
        conn.execute(text("UPDATE contacts SET value = '13800000000', value_hash = NULL WHERE id = 1"))
        assert key_usage(conn)["plain"] == 1
        report = reencrypt_all(conn, isolated_keys)
        assert report.rewritten["contacts"] == 1 and "plain" not in key_usage(conn)
        assert conn.execute(text("SELECT value_hash FROM contacts WHERE id = 1")).scalar() == isolated_keys.lookup_hash(
            "13800000000"
        )


def test_when_ciphertext_is_tampered_then_decryption_fails_loudly(isolated_keys):
    sealed = isolated_keys.encrypt("13912345678")
    forged = sealed[:-4] + ("AAAA" if not sealed.endswith("AAAA") else "BBBB")
    with pytest.raises(DecryptionError):
        isolated_keys.decrypt(forged)


def test_when_keys_come_from_the_environment_then_no_key_file_is_needed(tmp_path):
    import base64

    k = base64.b64encode(b"k" * 32).decode()
    h = base64.b64encode(b"h" * 32).decode()
    ring = keys.load_keyring(tmp_path, {"STEWARD_ENCRYPTION_KEY": f"new:{k},old:{k}", "STEWARD_HASH_KEY": h})
    assert (ring.active, sorted(ring.keys), ring.path) == ("new", ["new", "old"], None)
    assert not (tmp_path / "keys").exists()
    with pytest.raises(keys.KeyringError):
        keys.load_keyring(tmp_path, {"STEWARD_ENCRYPTION_KEY": k})


def test_when_key_file_is_created_then_only_the_owner_can_read_it(tmp_path):
    ring = keys.load_keyring(tmp_path, {})
    assert ring.path.stat().st_mode & 0o077 == 0
    assert keys.load_keyring(tmp_path, {}) == ring


def test_when_provider_is_overridden_then_the_process_keys_come_back_afterwards(tmp_path):
    before = PROVIDER.get().keyring
    with PROVIDER.using(keys.load_keyring(tmp_path, {})) as fc:
        assert PROVIDER.get() is fc
    assert PROVIDER.get().keyring == before
