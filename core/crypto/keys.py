"""Encryption and lookup-hash keys: STEWARD_ENCRYPTION_KEY / STEWARD_HASH_KEY, else a key file made on first use.

Key file (JSON, mode 0600): ``{"active": kid, "keys": {kid: base64}, "hash_key": base64}``. Its default place is
``~/.config/steward/keys/steward-keys.json`` (STEWARD_KEY_DIR names another folder, STEWARD_KEY_FILE another file):
never the database's folder, so a copy of that folder does not carry the keys with the data. Environment keys are
``kid:base64[,kid:base64...]`` (the first is active) or one bare base64 key (kid ``env``).

Each key has a check value (an HMAC of a constant under the key) that the database keeps, so a lost or swapped
key file is noticed at start-up instead of silently making new keys.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

KEY_BYTES = 32
KEY_FILE_NAME = "steward-keys.json"
LEGACY_KEY_SUBDIR = "keys"
"""Where earlier versions put the key file: var_dir/keys/, next to the database."""
_CHECK_CONSTANT = b"steward-key-check-v1"


class KeyringError(RuntimeError):
    """Keys are missing, malformed or cannot be changed from here."""


@dataclass(frozen=True)
class Keyring:
    """Data keys by id (one active for new ciphertexts) and the separate HMAC key for lookup hashes."""

    keys: Mapping[str, bytes]
    active: str
    hash_key: bytes
    path: Path | None = field(default=None, compare=False)
    """The key file the keys came from (None: environment)."""

    def key(self, kid: str) -> bytes:
        """The data key with id ``kid``."""
        try:
            return self.keys[kid]
        except KeyError as exc:
            raise KeyringError(f"unknown encryption key id {kid!r}") from exc


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except ValueError as exc:
        raise KeyringError(f"{what} is not valid base64") from exc
    if len(raw) != KEY_BYTES:
        raise KeyringError(f"{what} must be {KEY_BYTES} bytes, got {len(raw)}")
    return raw


def parse_env_keys(text: str) -> tuple[dict[str, bytes], str]:
    """Parse ``kid:base64,...`` (first active) or a bare base64 key into (keys, active id)."""
    keys: dict[str, bytes] = {}
    for part in (p.strip() for p in text.split(",") if p.strip()):
        kid, sep, value = part.partition(":")
        if not sep:
            kid, value = "env", part
        keys[kid] = _unb64(value, f"STEWARD_ENCRYPTION_KEY entry {kid!r}")
    if not keys:
        raise KeyringError("STEWARD_ENCRYPTION_KEY is empty")
    return keys, next(iter(keys))


def new_key_id(now: datetime | None = None) -> str:
    """A fresh key id such as k20240902a1b2."""
    return f"k{(now or datetime.now()):%Y%m%d}{secrets.token_hex(2)}"


def _write_file(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=1)
    os.replace(tmp, path)


def _create_file(path: Path) -> None:
    """Create a key file unless one exists (two processes starting together end up with the same file)."""
    kid = new_key_id()
    data = {
        "active": kid,
        "keys": {kid: _b64(secrets.token_bytes(KEY_BYTES))},
        "hash_key": _b64(secrets.token_bytes(KEY_BYTES)),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=1)


def read_key_file(path: Path) -> Keyring:
    """Load a key file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        keys = {kid: _unb64(v, f"key {kid!r} in {path}") for kid, v in data["keys"].items()}
        return Keyring(keys=keys, active=data["active"], hash_key=_unb64(data["hash_key"], "hash_key"), path=path)
    except (OSError, ValueError, KeyError) as exc:
        raise KeyringError(f"cannot read key file {path}: {exc}") from exc


def default_key_dir(environ: Mapping[str, str]) -> Path:
    """STEWARD_KEY_DIR, else ``$XDG_CONFIG_HOME/steward/keys``, else ``~/.config/steward/keys``."""
    if environ.get("STEWARD_KEY_DIR"):
        return Path(environ["STEWARD_KEY_DIR"]).expanduser()
    home = Path(environ["HOME"]) if environ.get("HOME") else Path.home()
    config = Path(environ.get("XDG_CONFIG_HOME") or home / ".config")
    return config / "steward" / "keys"


def key_file_path(key_dir: Path, environ: Mapping[str, str]) -> Path:
    """Where the key file lives (STEWARD_KEY_FILE or key_dir/steward-keys.json)."""
    return Path(environ.get("STEWARD_KEY_FILE") or Path(key_dir) / KEY_FILE_NAME)


def check_value(key: bytes) -> str:
    """A key's check value: proves which key it is without revealing it."""
    return hmac.new(key, _CHECK_CONSTANT, hashlib.sha256).hexdigest()[:32]


def check_values(ring: Keyring) -> dict:
    """Check values of every data key and of the lookup-hash key."""
    return {"keys": {kid: check_value(key) for kid, key in ring.keys.items()}, "hash": check_value(ring.hash_key)}


def load_keyring(key_dir: Path, environ: Mapping[str, str]) -> Keyring:
    """Resolve the keyring: environment keys first, else the key file in ``key_dir`` (created on first use)."""
    env_key = environ.get("STEWARD_ENCRYPTION_KEY", "").strip()
    path = key_file_path(key_dir, environ)
    if env_key:
        keys, active = parse_env_keys(env_key)
        env_hash = environ.get("STEWARD_HASH_KEY", "").strip()
        if env_hash:
            return Keyring(keys=keys, active=active, hash_key=_unb64(env_hash, "STEWARD_HASH_KEY"))
        if not path.exists():
            raise KeyringError("STEWARD_ENCRYPTION_KEY is set but STEWARD_HASH_KEY is not (a separate key is required)")
        return Keyring(keys=keys, active=active, hash_key=read_key_file(path).hash_key)
    if not path.exists():
        _create_file(path)
    return read_key_file(path)


def add_key(path: Path, *, new_hash_key: bool = False, now: datetime | None = None) -> str:
    """Add a new data key to the key file and make it active; old keys stay readable. Returns its id."""
    ring = read_key_file(path)
    kid = new_key_id(now)
    keys = {k: _b64(v) for k, v in ring.keys.items()} | {kid: _b64(secrets.token_bytes(KEY_BYTES))}
    hash_key = secrets.token_bytes(KEY_BYTES) if new_hash_key else ring.hash_key
    _write_file(path, {"active": kid, "keys": keys, "hash_key": _b64(hash_key)})
    return kid


def retire_keys(path: Path) -> list[str]:
    """Drop every key but the active one from the key file (after a complete re-encryption)."""
    ring = read_key_file(path)
    dropped = [k for k in ring.keys if k != ring.active]
    _write_file(
        path,
        {"active": ring.active, "keys": {ring.active: _b64(ring.keys[ring.active])}, "hash_key": _b64(ring.hash_key)},
    )
    return dropped
