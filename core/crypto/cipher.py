"""Field encryption (AES-256-GCM, key id in every ciphertext) and keyed lookup hashes (HMAC-SHA256)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from core.crypto.keys import (
    KEY_FILE_NAME,
    LEGACY_KEY_SUBDIR,
    Keyring,
    KeyringError,
    load_keyring,
    read_key_file,
)

log = logging.getLogger(__name__)

PREFIX = "enc1:"
NONCE_BYTES = 12
_AAD = b"steward-pii-v1"


class DecryptionError(RuntimeError):
    """A ciphertext could not be decrypted (wrong key or tampered)."""


def is_ciphertext(value: object) -> bool:
    """Whether a stored value is one of our ciphertexts."""
    return isinstance(value, str) and value.startswith(PREFIX)


def key_id_of(value: str) -> str:
    """The key id a ciphertext was made with."""
    return value[len(PREFIX) :].split(":", 1)[0]


class FieldCipher:
    """Encrypts and decrypts text fields with a keyring; computes lookup hashes with its separate HMAC key."""

    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring
        self._aead = {kid: AESGCM(key) for kid, key in keyring.keys.items()}

    def encrypt(self, plain: str) -> str:
        """``enc1:<kid>:<base64(nonce + ciphertext)>`` with a random nonce."""
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead[self.keyring.active].encrypt(nonce, plain.encode("utf-8"), _AAD)
        return f"{PREFIX}{self.keyring.active}:{base64.urlsafe_b64encode(nonce + sealed).decode('ascii')}"

    def decrypt(self, stored: str) -> str:
        """Clear text of a ciphertext made with any key of the keyring."""
        kid, _, body = stored[len(PREFIX) :].partition(":")
        aead = self._aead.get(kid)
        if aead is None:
            raise DecryptionError(f"no key {kid!r} in the keyring (was it retired?)")
        try:
            raw = base64.urlsafe_b64decode(body.encode("ascii"))
            return aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], _AAD).decode("utf-8")
        except (InvalidTag, ValueError) as exc:
            raise DecryptionError(f"ciphertext with key {kid!r} failed authentication") from exc

    def reveal(self, stored: str | None) -> str | None:
        """Clear text of a stored value that may be a ciphertext or legacy plain text."""
        return self.decrypt(stored) if is_ciphertext(stored) else stored

    def seal(self, value: str | None) -> str | None:
        """Stored form of a value (ciphertexts pass through unchanged)."""
        return value if value is None or is_ciphertext(value) else self.encrypt(value)

    def lookup_hash(self, value: str) -> str:
        """Keyed hash (hex) for equality lookups; never the raw value."""
        return hmac.new(self.keyring.hash_key, value.strip().encode("utf-8"), hashlib.sha256).hexdigest()


class CipherProvider:
    """The process's cipher, resolved on first use from settings and environment; replaceable in tests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cipher: FieldCipher | None = None

    def get(self) -> FieldCipher:
        """The cipher, loading keys on first call."""
        if self._cipher is None:
            with self._lock:
                if self._cipher is None:
                    self._cipher = FieldCipher(self._resolve())
        return self._cipher

    @staticmethod
    def _resolve() -> Keyring:
        from core.settings import get_settings

        settings = get_settings()
        key_dir = settings.resolved_key_dir
        legacy = Path(settings.var_dir) / LEGACY_KEY_SUBDIR / KEY_FILE_NAME
        if not os.environ.get("STEWARD_KEY_FILE") and not settings.key_dir and legacy.exists():
            # Keys made by an earlier version next to the database are the keys this database was written with:
            # keep using them (even when the shared default folder holds another checkout's keys), and say where
            # they belong.
            log.warning(
                "key file %s sits next to the database; move it to %s (or set STEWARD_KEY_FILE)",
                legacy,
                key_dir / KEY_FILE_NAME,
            )
            key_dir = legacy.parent
        ring = load_keyring(key_dir, os.environ)
        if ring.path is not None:
            # Child services started by this process (API, workbench) must open the same keys.
            os.environ.setdefault("STEWARD_KEY_FILE", str(ring.path))
        return ring

    def reset(self) -> None:
        """Forget the loaded keys (after a change of environment)."""
        with self._lock:
            self._cipher = None

    def reload(self) -> FieldCipher:
        """Re-read the key file the current keys came from (after a rotation); resolve afresh otherwise."""
        with self._lock:
            path = self._cipher.keyring.path if self._cipher else None
            self._cipher = FieldCipher(read_key_file(path)) if path else None
        return self.get()

    @contextmanager
    def using(self, keyring: Keyring) -> Iterator[FieldCipher]:
        """Use ``keyring`` inside the block (tests, rotation), then restore what was loaded."""
        with self._lock:
            saved, self._cipher = self._cipher, FieldCipher(keyring)
        try:
            yield self._cipher
        finally:
            with self._lock:
                self._cipher = saved


PROVIDER = CipherProvider()
"""The one provider column types use; column types cannot take injected dependencies."""


def cipher() -> FieldCipher:
    """The process's field cipher."""
    return PROVIDER.get()


def lookup_hash(value: str) -> str:
    """Keyed lookup hash with the process's HMAC key."""
    return PROVIDER.get().lookup_hash(value)


__all__ = [
    "DecryptionError",
    "FieldCipher",
    "KeyringError",
    "PROVIDER",
    "cipher",
    "is_ciphertext",
    "key_id_of",
    "lookup_hash",
]
