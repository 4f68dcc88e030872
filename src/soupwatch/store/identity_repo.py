"""Repository of identity and access: users, teams, grants, API keys, sessions, failed logins.

Only digests and hashes are stored (see :mod:`soupwatch.store.identity_tables`); computing them
and deciding what a caller may do is :mod:`soupwatch.pipeline.accounts`' job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from soupwatch.errors import AlreadyExists, NotFoundError
from soupwatch.model.access import Account, ApiKeyInfo, KeyScope, Role, Team
from soupwatch.store.identity_tables import (
    ApiKeyRow,
    LoginAttemptRow,
    SessionRow,
    TeamMemberRow,
    TeamProductRow,
    TeamRow,
    UserRow,
)
from soupwatch.store.tables import ProductRow


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a login checks: the user's id, role, argon2 hash, and whether it is disabled."""

    user_id: int
    name: str
    role: Role
    password_hash: str
    disabled: bool


@dataclass(frozen=True, slots=True)
class StoredKey:
    """An API key's digest and owner, found by its prefix."""

    digest: str
    user_id: int
    info: ApiKeyInfo


@dataclass(frozen=True, slots=True)
class StoredSession:
    """A browser session found by the digest of its id."""

    user_id: int
    csrf_token: str
    expires_at: datetime


def _utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything here is stored in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def user_count(session: Session) -> int:
    """How many users exist (disabled ones included)."""
    return int(session.scalar(select(func.count()).select_from(UserRow)) or 0)


def add_user(session: Session, name: str, role: Role, password_hash: str, now: datetime) -> None:
    """Store a new user; AlreadyExists when the name is taken."""
    if session.scalar(select(UserRow.id).where(UserRow.name == name)) is not None:
        raise AlreadyExists(f"a user named {name!r} already exists")
    session.add(
        UserRow(
            name=name, role=role.value, password_hash=password_hash, created_at=now, disabled=False
        )
    )
    session.flush()


def _user(session: Session, name: str) -> UserRow:
    row = session.scalar(select(UserRow).where(UserRow.name == name))
    if row is None:
        raise NotFoundError(f"no user named {name!r}")
    return row


def credentials(session: Session, name: str) -> Credentials | None:
    """The login data of the user called ``name``; None when there is none."""
    row = session.scalar(select(UserRow).where(UserRow.name == name))
    if row is None:
        return None
    return Credentials(row.id, row.name, Role(row.role), row.password_hash, row.disabled)


def credentials_by_id(session: Session, user_id: int) -> Credentials | None:
    """The login data of the user with that id; None when it has gone."""
    row = session.get(UserRow, user_id)
    if row is None:
        return None
    return Credentials(row.id, row.name, Role(row.role), row.password_hash, row.disabled)


def update_user(
    session: Session,
    name: str,
    *,
    role: Role | None = None,
    disabled: bool | None = None,
    password_hash: str | None = None,
) -> Account:
    """Change a user's role, disabled flag or password hash; returns the account after."""
    row = _user(session, name)
    if role is not None:
        row.role = role.value
    if disabled is not None:
        row.disabled = disabled
    if password_hash is not None:
        row.password_hash = password_hash
    session.flush()
    return _account(session, row)


def _teams_of(session: Session, user_id: int) -> tuple[str, ...]:
    return tuple(
        session.scalars(
            select(TeamRow.name)
            .join(TeamMemberRow, TeamMemberRow.team_id == TeamRow.id)
            .where(TeamMemberRow.user_id == user_id)
            .order_by(TeamRow.name)
        )
    )


def _account(session: Session, row: UserRow) -> Account:
    return Account(
        row.name, Role(row.role), _teams_of(session, row.id), row.disabled, _utc(row.created_at)
    )


def account(session: Session, name: str) -> Account:
    """One user's account (NotFoundError when there is none)."""
    return _account(session, _user(session, name))


def accounts(session: Session) -> list[Account]:
    """Every user, by name."""
    return [_account(session, r) for r in session.scalars(select(UserRow).order_by(UserRow.name))]


def granted_products(session: Session, user_id: int) -> frozenset[str]:
    """Names of the products granted to any team of the user."""
    return frozenset(
        session.scalars(
            select(ProductRow.name)
            .join(TeamProductRow, TeamProductRow.product_id == ProductRow.id)
            .join(TeamMemberRow, TeamMemberRow.team_id == TeamProductRow.team_id)
            .where(TeamMemberRow.user_id == user_id)
        )
    )


def add_team(session: Session, name: str, now: datetime) -> None:
    """Store a new team; AlreadyExists when the name is taken."""
    if session.scalar(select(TeamRow.id).where(TeamRow.name == name)) is not None:
        raise AlreadyExists(f"a team named {name!r} already exists")
    session.add(TeamRow(name=name, created_at=now))
    session.flush()


def _team_id(session: Session, name: str) -> int:
    tid = session.scalar(select(TeamRow.id).where(TeamRow.name == name))
    if tid is None:
        raise NotFoundError(f"no team named {name!r}")
    return int(tid)


def _product_id(session: Session, name: str) -> int:
    pid = session.scalar(select(ProductRow.id).where(ProductRow.name == name))
    if pid is None:
        raise NotFoundError(f"no product named {name!r}; see `soupwatch products list`")
    return int(pid)


def set_member(session: Session, team: str, user: str, member: bool) -> bool:
    """Add (``member``) or remove the user from the team; False when nothing changed."""
    key = (_team_id(session, team), _user(session, user).id)
    row = session.get(TeamMemberRow, key)
    if member and row is None:
        session.add(TeamMemberRow(team_id=key[0], user_id=key[1]))
    elif not member and row is not None:
        session.delete(row)
    else:
        return False
    session.flush()
    return True


def set_grant(session: Session, team: str, product: str, granted: bool) -> bool:
    """Grant (``granted``) the product to the team or take it back; False when nothing changed."""
    key = (_team_id(session, team), _product_id(session, product))
    row = session.get(TeamProductRow, key)
    if granted and row is None:
        session.add(TeamProductRow(team_id=key[0], product_id=key[1]))
    elif not granted and row is not None:
        session.delete(row)
    else:
        return False
    session.flush()
    return True


def teams(session: Session) -> list[Team]:
    """Every team with its members and products, by name."""
    out = []
    for row in session.scalars(select(TeamRow).order_by(TeamRow.name)):
        members = session.scalars(
            select(UserRow.name)
            .join(TeamMemberRow, TeamMemberRow.user_id == UserRow.id)
            .where(TeamMemberRow.team_id == row.id)
            .order_by(UserRow.name)
        )
        products = session.scalars(
            select(ProductRow.name)
            .join(TeamProductRow, TeamProductRow.product_id == ProductRow.id)
            .where(TeamProductRow.team_id == row.id)
            .order_by(ProductRow.name)
        )
        out.append(Team(row.name, tuple(members), tuple(products)))
    return out


def _key_info(row: ApiKeyRow, user: str) -> ApiKeyInfo:
    return ApiKeyInfo(
        row.prefix,
        user,
        row.label,
        KeyScope(row.scope),
        _utc(row.created_at),
        _utc(row.expires_at),
        _utc(row.revoked_at) if row.revoked_at else None,
    )


def add_key(
    session: Session,
    user: str,
    *,
    prefix: str,
    digest: str,
    label: str,
    scope: KeyScope,
    now: datetime,
    expires_at: datetime,
) -> ApiKeyInfo:
    """Store a new API key of ``user``."""
    row = ApiKeyRow(
        prefix=prefix,
        digest=digest,
        user_id=_user(session, user).id,
        label=label,
        scope=scope.value,
        created_at=now,
        expires_at=expires_at,
        revoked_at=None,
    )
    session.add(row)
    session.flush()
    return _key_info(row, user)


def find_key(session: Session, prefix: str) -> StoredKey | None:
    """The key with that prefix, or None."""
    found = session.execute(
        select(ApiKeyRow, UserRow.name)
        .join(UserRow, UserRow.id == ApiKeyRow.user_id)
        .where(ApiKeyRow.prefix == prefix)
    ).first()
    if found is None:
        return None
    row, user = found
    return StoredKey(row.digest, row.user_id, _key_info(row, user))


def revoke_key(session: Session, prefix: str, now: datetime) -> ApiKeyInfo:
    """Mark the key revoked (NotFoundError when there is no such key)."""
    found = find_key(session, prefix)
    row = session.scalar(select(ApiKeyRow).where(ApiKeyRow.prefix == prefix))
    if found is None or row is None:
        raise NotFoundError(f"no API key {prefix!r}")
    if row.revoked_at is None:
        row.revoked_at = now
        session.flush()
    return _key_info(row, found.info.user)


def keys(session: Session, user: str | None = None) -> list[ApiKeyInfo]:
    """API keys (of one user, when named), newest first."""
    query = select(ApiKeyRow, UserRow.name).join(UserRow, UserRow.id == ApiKeyRow.user_id)
    if user is not None:
        query = query.where(UserRow.name == user)
    rows = session.execute(query.order_by(ApiKeyRow.id.desc())).all()
    return [_key_info(r, u) for r, u in rows]


def add_session(
    session: Session, digest: str, user_id: int, csrf_token: str, now: datetime, expires: datetime
) -> None:
    """Store a new browser session."""
    session.add(
        SessionRow(
            digest=digest,
            user_id=user_id,
            csrf_token=csrf_token,
            created_at=now,
            expires_at=expires,
        )
    )
    session.flush()


def find_session(session: Session, digest: str) -> StoredSession | None:
    """The session with that digest, or None."""
    row = session.get(SessionRow, digest)
    return StoredSession(row.user_id, row.csrf_token, _utc(row.expires_at)) if row else None


def drop_session(session: Session, digest: str) -> None:
    """Forget one session (logout, or a session replaced at login)."""
    session.execute(delete(SessionRow).where(SessionRow.digest == digest))


def drop_user_sessions(session: Session, user_id: int) -> None:
    """Forget every session of a user (disabled, password changed)."""
    session.execute(delete(SessionRow).where(SessionRow.user_id == user_id))


def drop_expired_sessions(session: Session, now: datetime) -> None:
    """Forget sessions past their expiry."""
    session.execute(delete(SessionRow).where(SessionRow.expires_at < now))


def add_failure(session: Session, user_name: str, address: str, now: datetime) -> None:
    """Record one failed login."""
    session.add(LoginAttemptRow(user_name=user_name[:64], address=address[:64], at=now))
    session.flush()


def failures_since(
    session: Session, since: datetime, *, user_name: str | None = None, address: str | None = None
) -> tuple[int, datetime | None]:
    """Failed logins since ``since`` for a user name or an address: (count, oldest)."""
    query = select(func.count(), func.min(LoginAttemptRow.at)).where(LoginAttemptRow.at >= since)
    if user_name is not None:
        query = query.where(LoginAttemptRow.user_name == user_name[:64])
    if address is not None:
        query = query.where(LoginAttemptRow.address == address[:64])
    row = session.execute(query).one()
    return int(row[0] or 0), _utc(row[1]) if row[1] else None


def clear_failures(session: Session, user_name: str) -> None:
    """Forget a user's failed logins (after a successful one)."""
    session.execute(delete(LoginAttemptRow).where(LoginAttemptRow.user_name == user_name[:64]))
