"""Flows of identity and access: users, teams, grants, API keys, logins and sessions.

The server and ``soupwatch admin`` call these and nothing else. Passwords are hashed with
argon2id (``argon2-cffi``; the cost is a :class:`PasswordCost`, cheap in tests); API keys and
session ids are 256-bit random tokens stored as their SHA-256. Every change to a user, a team,
a grant or a key is entered in the hash-chained audit trail in the same transaction, attributed
to the actor the edge authenticated. Logins are throttled per user name and per client address
(:class:`LoginLimits`), counted in the database so that several server processes agree.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from soupwatch.errors import ConfigError, NotAuthenticated, NotFoundError, Throttled
from soupwatch.model.access import (
    SEES_EVERY_PRODUCT,
    Account,
    ApiKeyInfo,
    KeyScope,
    Principal,
    Role,
    Team,
)
from soupwatch.store import identity_repo as repo
from soupwatch.store.db import Session, Store
from soupwatch.vex import audit

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
"""User and team names: a letter or digit, then letters, digits, ``_ . @ -``; 64 at most."""
MIN_PASSWORD = 12
"""The shortest password accepted."""
KEY_PREFIX = "sw_"
MAX_KEY_DAYS = 366
"""The longest an API key may live."""


@dataclass(frozen=True, slots=True)
class PasswordCost:
    """argon2id parameters (RFC 9106): production defaults; tests pass a cheap one."""

    time_cost: int = 3
    memory_kib: int = 64 * 1024
    parallelism: int = 4


CHEAP = PasswordCost(time_cost=1, memory_kib=8, parallelism=1)
"""A cost for tests only: hashes in microseconds, verifies like any argon2id hash."""


@dataclass(frozen=True, slots=True)
class LoginLimits:
    """Failed logins allowed within ``window`` per user name and per client address."""

    per_user: int = 5
    per_address: int = 20
    window: timedelta = timedelta(minutes=15)
    session_lifetime: timedelta = timedelta(hours=8)


@dataclass(frozen=True, slots=True)
class LoggedIn:
    """A new browser session: the id for the cookie, its CSRF token, who it is."""

    session_id: str
    csrf_token: str
    principal: Principal
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class NewKey:
    """A created API key: ``token`` is shown once and never stored."""

    token: str
    info: ApiKeyInfo


@dataclass(frozen=True, slots=True)
class SessionPrincipal:
    """The principal of a browser session and the session's CSRF token."""

    principal: Principal
    csrf_token: str


@dataclass(slots=True)
class _Hashers:
    cache: dict[PasswordCost, Any] = field(default_factory=dict)

    def get(self, cost: PasswordCost) -> Any:
        from argon2 import PasswordHasher

        if cost not in self.cache:
            self.cache[cost] = PasswordHasher(
                time_cost=cost.time_cost, memory_cost=cost.memory_kib, parallelism=cost.parallelism
            )
        return self.cache[cost]


_HASHERS = _Hashers()


def digest(token: str) -> str:
    """SHA-256 (hex) of a session id or API key: what the store keeps."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_name(kind: str, name: str) -> str:
    """``name`` when it is a valid user or team name, else a ConfigError naming the rule."""
    if not NAME.match(name):
        raise ConfigError(
            f"{kind} name {name!r}: use letters, digits and _ . @ - (at most 64, no spaces)",
            where=kind,
        )
    return name


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ConfigError(
            f"the password needs at least {MIN_PASSWORD} characters", where="password"
        )


def _account_json(a: Account | None) -> dict[str, Any] | None:
    if a is None:
        return None
    return {"name": a.name, "role": a.role.value, "teams": list(a.teams), "disabled": a.disabled}


def has_users(store: Store) -> bool:
    """Whether any user exists (``soupwatch serve`` refuses to start without one)."""
    with store.session() as session:
        return repo.user_count(session) > 0


def create_user(
    store: Store,
    name: str,
    role: Role,
    password: str,
    *,
    actor: str,
    now: datetime,
    cost: PasswordCost | None = None,
    teams: tuple[str, ...] = (),
) -> Account:
    """Create a user (and add it to ``teams``), audited as ``user.create``."""
    check_name("user", name)
    _check_password(password)
    hashed = _HASHERS.get(cost or PasswordCost()).hash(password)
    with store.session() as session:
        repo.add_user(session, name, role, hashed, now)
        for team in teams:
            repo.set_member(session, team, name, True)
        created = repo.account(session, name)
        audit.append(
            session,
            actor,
            "user.create",
            f"user:{name}",
            None,
            _account_json(created),
            "user administration",
            now,
        )
    return created


def update_user(
    store: Store,
    name: str,
    *,
    actor: str,
    now: datetime,
    role: Role | None = None,
    disabled: bool | None = None,
    password: str | None = None,
    cost: PasswordCost | None = None,
) -> Account:
    """Change a user's role, disable or enable it, or set its password (audited
    ``user.update``); disabling it or changing its password ends its sessions."""
    hashed = None
    if password is not None:
        _check_password(password)
        hashed = _HASHERS.get(cost or PasswordCost()).hash(password)
    with store.session() as session:
        before = repo.account(session, name)
        after = repo.update_user(session, name, role=role, disabled=disabled, password_hash=hashed)
        creds = repo.credentials(session, name)
        assert creds is not None
        if disabled or hashed:
            repo.drop_user_sessions(session, creds.user_id)
        new = dict(_account_json(after) or {}, password_changed=hashed is not None)
        audit.append(
            session,
            actor,
            "user.update",
            f"user:{name}",
            _account_json(before),
            new,
            "user administration",
            now,
        )
    return after


def list_users(store: Store) -> list[Account]:
    """Every user, by name."""
    with store.session() as session:
        return repo.accounts(session)


def create_team(store: Store, name: str, *, actor: str, now: datetime) -> Team:
    """Create a team, audited as ``team.create``."""
    check_name("team", name)
    with store.session() as session:
        repo.add_team(session, name, now)
        audit.append(
            session,
            actor,
            "team.create",
            f"team:{name}",
            None,
            {"name": name},
            "team administration",
            now,
        )
    return Team(name, (), ())


def set_member(
    store: Store, team: str, user: str, member: bool, *, actor: str, now: datetime
) -> bool:
    """Add the user to the team or remove it; audited when something changed."""
    with store.session() as session:
        changed = repo.set_member(session, team, user, member)
        if changed:
            action = "team.add_member" if member else "team.remove_member"
            audit.append(
                session,
                actor,
                action,
                f"team:{team}",
                None,
                {"user": user},
                "team administration",
                now,
            )
    return changed


def set_grant(
    store: Store, team: str, product: str, granted: bool, *, actor: str, now: datetime
) -> bool:
    """Grant a product to a team or take it back; audited when something changed."""
    with store.session() as session:
        changed = repo.set_grant(session, team, product, granted)
        if changed:
            action = "team.grant" if granted else "team.revoke"
            audit.append(
                session,
                actor,
                action,
                f"team:{team}",
                None,
                {"product": product},
                "product access",
                now,
            )
    return changed


def list_teams(store: Store) -> list[Team]:
    """Every team with members and products."""
    with store.session() as session:
        return repo.teams(session)


def create_key(
    store: Store,
    user: str,
    scope: KeyScope,
    *,
    days: int,
    label: str,
    actor: str,
    now: datetime,
) -> NewKey:
    """A new API key for ``user``, valid ``days`` days; audited ``key.create`` (no secret)."""
    if not 1 <= days <= MAX_KEY_DAYS:
        raise ConfigError(f"an API key lives 1 to {MAX_KEY_DAYS} days, not {days}", where="days")
    label = label.strip()[:255] or "api key"
    prefix = secrets.token_hex(6)
    token = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    with store.session() as session:
        info = repo.add_key(
            session,
            user,
            prefix=prefix,
            digest=digest(token),
            label=label,
            scope=scope,
            now=now,
            expires_at=now + timedelta(days=days),
        )
        audit.append(
            session,
            actor,
            "key.create",
            f"key:{prefix}",
            None,
            _key_json(info),
            "API key administration",
            now,
        )
    return NewKey(token, info)


def _key_json(info: ApiKeyInfo) -> dict[str, Any]:
    return {
        "prefix": info.prefix,
        "user": info.user,
        "label": info.label,
        "scope": info.scope.value,
        "expires_at": info.expires_at.isoformat(),
        "revoked": info.revoked_at is not None,
    }


def revoke_key(
    store: Store, prefix: str, *, actor: str, now: datetime, owner: str | None = None
) -> ApiKeyInfo:
    """Revoke a key (only ``owner``'s, when given: another user's key is NotFoundError)."""
    with store.session() as session:
        found = repo.find_key(session, prefix)
        if found is None or (owner is not None and found.info.user != owner):
            raise NotFoundError(f"no API key {prefix!r}")
        info = repo.revoke_key(session, prefix, now)
        audit.append(
            session,
            actor,
            "key.revoke",
            f"key:{prefix}",
            _key_json(found.info),
            _key_json(info),
            "API key administration",
            now,
        )
    return info


def list_keys(store: Store, user: str | None = None) -> list[ApiKeyInfo]:
    """API keys, newest first (one user's, when named)."""
    with store.session() as session:
        return repo.keys(session, user)


def _principal(session: Session, creds: repo.Credentials, scope: KeyScope | None) -> Principal:
    products = (
        None if creds.role in SEES_EVERY_PRODUCT else repo.granted_products(session, creds.user_id)
    )
    return Principal(creds.name, creds.role, products, scope)


def principal_for_key(store: Store, token: str, now: datetime) -> Principal:
    """Who an ``Authorization: Bearer`` key belongs to; NotAuthenticated when it is not valid."""
    parts = token.split("_")
    if not token.startswith(KEY_PREFIX) or len(parts) < 3:
        raise NotAuthenticated("not a soupwatch API key")
    with store.session() as session:
        found = repo.find_key(session, parts[1])
        if found is None or not hmac.compare_digest(found.digest, digest(token)):
            raise NotAuthenticated("unknown API key")
        if not found.info.usable(now):
            raise NotAuthenticated("the API key is revoked or expired")
        creds = repo.credentials_by_id(session, found.user_id)
        if creds is None or creds.disabled:
            raise NotAuthenticated("the API key's user is disabled")
        return _principal(session, creds, found.info.scope)


def principal_for_session(store: Store, session_id: str, now: datetime) -> SessionPrincipal:
    """Who a session cookie belongs to; NotAuthenticated when it is unknown or expired."""
    with store.session() as session:
        found = repo.find_session(session, digest(session_id))
        if found is None or found.expires_at <= now:
            raise NotAuthenticated("no valid session; log in")
        creds = repo.credentials_by_id(session, found.user_id)
        if creds is None or creds.disabled:
            raise NotAuthenticated("the session's user is disabled")
        return SessionPrincipal(_principal(session, creds, None), found.csrf_token)


def _throttle(
    session: Session, name: str, address: str, now: datetime, limits: LoginLimits
) -> None:
    since = now - limits.window
    for what, count_oldest, limit in (
        ("user", repo.failures_since(session, since, user_name=name), limits.per_user),
        ("address", repo.failures_since(session, since, address=address), limits.per_address),
    ):
        count, oldest = count_oldest
        if count >= limit:
            wait = (oldest + limits.window - now) if oldest else limits.window
            raise Throttled(
                f"too many failed logins for this {what}; try again later",
                retry_after=max(1, int(wait.total_seconds()) + 1),
            )


_DUMMY_HASH: dict[PasswordCost, str] = {}


def _verify(creds: repo.Credentials | None, password: str, cost: PasswordCost) -> bool:
    """argon2 verification; an unknown user costs the same time as a known one."""
    from argon2.exceptions import InvalidHashError, VerificationError

    hasher = _HASHERS.get(cost)
    if creds is None:
        if cost not in _DUMMY_HASH:
            _DUMMY_HASH[cost] = hasher.hash(secrets.token_hex(16))
        stored = _DUMMY_HASH[cost]
    else:
        stored = creds.password_hash
    try:
        ok = bool(hasher.verify(stored, password))
    except (VerificationError, InvalidHashError):
        ok = False
    return ok and creds is not None and not creds.disabled


def login(
    store: Store,
    name: str,
    password: str,
    *,
    address: str,
    now: datetime,
    limits: LoginLimits | None = None,
    cost: PasswordCost | None = None,
    replaces: str | None = None,
) -> LoggedIn:
    """Check a password and open a new session (a new id every time: the session id the
    browser had before, ``replaces``, is forgotten). Throttled per user name and address;
    a failure is recorded and is NotAuthenticated without saying which part was wrong."""
    limits = limits or LoginLimits()
    with store.session() as session:
        _throttle(session, name, address, now, limits)
        creds = repo.credentials(session, name)
    if not _verify(creds, password, cost or PasswordCost()):
        with store.session() as session:
            repo.add_failure(session, name, address, now)
        raise NotAuthenticated("wrong user name or password")
    assert creds is not None
    return _open_session(store, creds, now=now, limits=limits, replaces=replaces)


def _open_session(
    store: Store,
    creds: repo.Credentials,
    *,
    now: datetime,
    limits: LoginLimits,
    replaces: str | None,
) -> LoggedIn:
    session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires = now + limits.session_lifetime
    with store.session() as session:
        if replaces:
            repo.drop_session(session, digest(replaces))
        repo.drop_expired_sessions(session, now)
        repo.clear_failures(session, creds.name)
        repo.add_session(session, digest(session_id), creds.user_id, csrf, now, expires)
        principal = _principal(session, creds, None)
    return LoggedIn(session_id, csrf, principal, expires)


def login_external(
    store: Store,
    name: str,
    *,
    now: datetime,
    limits: LoginLimits | None = None,
    replaces: str | None = None,
) -> LoggedIn:
    """Open a session for a user an identity provider vouched for (OpenID Connect): the user
    must exist here and be enabled; its role and teams are the local ones."""
    with store.session() as session:
        creds = repo.credentials(session, name)
    if creds is None or creds.disabled:
        raise NotAuthenticated(
            f"the identity provider vouched for {name!r}, but no enabled soupwatch user has "
            "that name; an administrator must create it"
        )
    return _open_session(store, creds, now=now, limits=limits or LoginLimits(), replaces=replaces)


def logout(store: Store, session_id: str) -> None:
    """Forget the session."""
    with store.session() as session:
        repo.drop_session(session, digest(session_id))


def account(store: Store, name: str) -> Account:
    """One user's account."""
    with store.session() as session:
        return repo.account(session, name)
