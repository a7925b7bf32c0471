"""Users, roles, hashed passwords and the caller scope derived from a user's projects."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

import bcrypt
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core.scope import CallerScope
from data.db.models import Project
from data.db.workflow import User, UserProject

ROLES = ("steward", "manager", "compliance", "admin", "readonly")
ROLE_NAMES = {"steward": "管家/客服", "manager": "经理", "compliance": "合规", "admin": "管理员", "readonly": "只读"}
GLOBAL_ROLES = frozenset({"compliance", "admin"})
WRITE_ROLES = frozenset({"steward", "manager", "admin"})
AUDIT_ROLES = frozenset({"compliance", "admin"})
DEMO_PASSWORD = "steward-demo"
DEMO_USERS = (
    ("demo", "演示管家", "steward", ("BJ-PILOT", "SH-PD")),
    ("manager", "演示经理", "manager", None),
    ("compliance", "演示合规", "compliance", None),
)


class UserError(ValueError):
    """Bad user input (unknown role or project, duplicate name)."""


@dataclass(frozen=True)
class Caller:
    """An authenticated user: name, role and the projects it may see."""

    username: str
    role: str
    display_name: str
    scope: CallerScope
    credential: str = ""
    """Stamp of the current password hash: tokens issued before a password change no longer match it."""

    @property
    def can_write(self) -> bool:
        """Whether the caller may change cases (plans, promises, tasks...)."""
        return self.role in WRITE_ROLES

    @property
    def can_audit(self) -> bool:
        """Whether the caller may search and export the audit log."""
        return self.role in AUDIT_ROLES


BCRYPT_MAX_BYTES = 72


def _bcrypt_input(password: str) -> bytes:
    """The bytes bcrypt sees: the UTF-8 password, or its SHA-256 (base64) when longer than bcrypt's 72 bytes.

    25 Chinese characters already exceed 72 bytes; bcrypt would raise (or, elsewhere, silently truncate).
    """
    raw = password.encode("utf-8")
    if len(raw) <= BCRYPT_MAX_BYTES:
        return raw
    return base64.b64encode(hashlib.sha256(raw).digest())


def credential_stamp(password_hash: str | None) -> str:
    """A short, non-reversible stamp of the stored hash (changes with every password set)."""
    return hashlib.sha256((password_hash or "").encode("ascii")).hexdigest()[:16]


def hash_password(password: str) -> str:
    """Bcrypt hash of ``password`` (any length)."""
    return bcrypt.hashpw(_bcrypt_input(password), bcrypt.gensalt(rounds=10)).decode("ascii")


_DUMMY_HASH: list[str] = []


def dummy_hash() -> str:
    """A bcrypt hash of a random password at the same cost as real ones (made once per process)."""
    if not _DUMMY_HASH:
        import secrets

        _DUMMY_HASH.append(hash_password(secrets.token_urlsafe(16)))
    return _DUMMY_HASH[0]


def verify_password(password: str, hashed: str) -> bool:
    """Whether ``password`` matches the bcrypt hash (False for an empty or malformed hash)."""
    try:
        return bool(hashed) and bcrypt.checkpw(_bcrypt_input(password), hashed.encode("ascii"))
    except ValueError:
        return False


def set_projects(session: Session, user: User, codes: list[str] | None) -> None:
    """Replace the user's project assignments (None = every project)."""
    projects = session.execute(select(Project)).scalars().all()
    by_code = {p.code: p for p in projects}
    wanted = list(by_code) if codes is None else codes
    unknown = [c for c in wanted if c not in by_code]
    if unknown:
        raise UserError(f"未知项目：{', '.join(unknown)}")
    session.execute(delete(UserProject).where(UserProject.user_id == user.id))
    session.add_all(UserProject(user_id=user.id, project_id=by_code[c].id) for c in wanted)
    session.flush()


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: str,
    display_name: str = "",
    projects: list[str] | None = None,
) -> User:
    """Create or update a user with a hashed password and project assignments (caller commits)."""
    if role not in ROLES:
        raise UserError(f"未知角色 {role}，可选：{', '.join(ROLES)}")
    if projects is None and role in ("steward", "readonly"):
        raise UserError("管家和只读用户必须指定负责的项目")
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        user = User(username=username)
        session.add(user)
    user.display_name = display_name or username
    user.role = role
    user.active = True
    user.password_hash = hash_password(password)
    session.flush()
    set_projects(session, user, projects if projects is not None or role not in GLOBAL_ROLES else [])
    return user


def seed_demo(session: Session) -> list[str]:
    """Create the demo users idempotently (existing ones keep their password); return the created names."""
    created = []
    for username, display, role, projects in DEMO_USERS:
        if session.execute(select(User.id).where(User.username == username)).first():
            continue
        create_user(
            session,
            username=username,
            password=DEMO_PASSWORD,
            role=role,
            display_name=display,
            projects=list(projects) if projects else None,
        )
        created.append(username)
    return created


def project_codes(session: Session, user_id: int) -> frozenset[str]:
    """Codes of the projects assigned to a user."""
    rows = session.execute(
        select(Project.code)
        .join(UserProject, UserProject.project_id == Project.id)
        .where(UserProject.user_id == user_id)
    ).scalars()
    return frozenset(rows)


def caller_for(session: Session, username: str) -> Caller | None:
    """The active user's caller identity, or None."""
    user = session.execute(select(User).where(User.username == username, User.active.is_(True))).scalar_one_or_none()
    if user is None:
        return None
    projects = None if user.role in GLOBAL_ROLES else project_codes(session, user.id)
    return Caller(
        user.username,
        user.role,
        user.display_name,
        CallerScope(user.username, projects, can_write=user.role in WRITE_ROLES),
        credential=credential_stamp(user.password_hash),
    )


def authenticate(session: Session, username: str, password: str) -> Caller | None:
    """The caller when the username and password match an active user."""
    user = session.execute(select(User).where(User.username == username, User.active.is_(True))).scalar_one_or_none()
    if user is None:
        # Same bcrypt work as for a known user, so the answer time does not tell which usernames exist.
        verify_password(password, dummy_hash())
        return None
    if not verify_password(password, user.password_hash):
        return None
    return caller_for(session, username)


def list_users(session: Session) -> list[dict]:
    """Every user with role and projects."""
    out = []
    for user in session.execute(select(User).order_by(User.username)).scalars():
        out.append(
            {
                "username": user.username,
                "display_name": user.display_name,
                "role": user.role,
                "active": user.active,
                "projects": sorted(project_codes(session, user.id)),
            }
        )
    return out
