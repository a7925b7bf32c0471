"""Signed tokens: API access tokens (JWT) and owner bill links (an HMAC-signed link id and expiry)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt

from core.settings import Settings

ALGORITHM = "HS256"
ACCESS_TTL = timedelta(hours=8)


MIN_SECRET_LENGTH = 32


class TokenError(ValueError):
    """A token is malformed, forged or expired (message in Chinese)."""


class LinkExpired(TokenError):
    """A correctly signed bill link whose lifetime is over (the page answers 410 and says how to get a new one)."""


class SecretKeyError(RuntimeError):
    """The configured signing key is unusable (message in Chinese and English)."""


def token_secret(settings: Settings) -> str:
    """STEWARD_SECRET_KEY when set, else a random development key kept in var_dir/secret.key.

    Raises:
        SecretKeyError: the configured key is shorter than 32 characters.
    """
    configured = getattr(settings, "secret_key", "") or os.environ.get("STEWARD_SECRET_KEY", "")
    if configured:
        if len(configured) < MIN_SECRET_LENGTH:
            raise SecretKeyError(
                f"STEWARD_SECRET_KEY 太短（至少 {MIN_SECRET_LENGTH} 个字符）/ "
                f"STEWARD_SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters"
            )
        return configured
    path = Path(settings.var_dir) / "secret.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Created private (0600) before the first byte is written; O_EXCL: two starters never mix keys.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_text().strip()
        try:
            os.write(fd, secrets.token_urlsafe(48).encode())
        finally:
            os.close(fd)
    return path.read_text().strip()


def issue_access_token(
    secret: str, username: str, *, credential: str = "", now: datetime | None = None, ttl: timedelta = ACCESS_TTL
) -> str:
    """A signed JWT naming the user and the stamp of the password it was issued for."""
    now = now or datetime.now(UTC)
    return jwt.encode({"sub": username, "crd": credential, "iat": now, "exp": now + ttl}, secret, algorithm=ALGORITHM)


def read_access_token_claims(secret: str, token: str) -> tuple[str, str]:
    """(username, credential stamp) of a valid token; TokenError otherwise."""
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM])
        return claims["sub"], str(claims.get("crd", ""))
    except jwt.ExpiredSignatureError as exc:
        raise TokenError("登录已过期，请重新登录") from exc
    except (jwt.InvalidTokenError, KeyError) as exc:
        raise TokenError("登录凭证无效") from exc


def read_access_token(secret: str, token: str) -> str:
    """The username in a valid token; TokenError otherwise."""
    return read_access_token_claims(secret, token)[0]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: str, payload: str) -> str:
    return _b64(hmac.new(secret.encode(), b"bill|" + payload.encode(), hashlib.sha256).digest()[:18])


def sign_bill_link(secret: str, link_id: str, *, now: datetime | None = None, ttl: timedelta) -> str:
    """A URL-safe token naming ``link_id`` that expires after ``ttl``."""
    expires = int(((now or datetime.now(UTC)) + ttl).timestamp())
    payload = f"{link_id}|{expires}"
    return f"{_b64(payload.encode())}.{_sign(secret, payload)}"


def read_bill_link(secret: str, token: str) -> tuple[str, datetime]:
    """(link id, expiry in UTC) of a correctly signed bill token; TokenError when malformed or forged.

    The expiry is returned, not checked: the caller decides at which time (and records the expiry).
    """
    try:
        body, sig = token.split(".", 1)
        payload = _unb64(body).decode()
        link_id, expires = payload.rsplit("|", 1)
        expires_at = datetime.fromtimestamp(int(expires), UTC)
    except (ValueError, UnicodeDecodeError, OverflowError, OSError) as exc:
        raise TokenError("链接无效") from exc
    if not hmac.compare_digest(sig, _sign(secret, payload)):
        raise TokenError("链接无效")
    return link_id, expires_at
