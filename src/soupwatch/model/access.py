"""Who may do what: roles, permissions, and the authenticated principal (one definition).

Each role is a set of permissions (``ROLE_PERMISSIONS``). Products are seen per team: a user
sees the products granted to one of their teams, except the roles in ``SEES_EVERY_PRODUCT``
(administrator, auditor), which see all. A product the principal cannot see is answered as if
it did not exist (404); a product it sees but may not change is refused (403).

An API key carries a scope: ``read`` keeps only the permissions in ``READ_PERMISSIONS``,
``write`` keeps all of its user's. See docs/server.md and docs/adr/0008-local-identity.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    """What a user does in the organisation (one role per user)."""

    ADMINISTRATOR = "administrator"
    PRODUCT_SECURITY = "product_security"
    """Triage: VEX decisions, SBOM uploads, device profiles and policies, products."""
    REGULATORY_REVIEWER = "regulatory_reviewer"
    """Approves and signs off decisions and reports."""
    AUDITOR = "auditor"
    """Reads everything (audit trail included), changes nothing."""
    HOSPITAL_CUSTOMER = "hospital_customer"
    """Reads the products granted to its team, changes nothing; of the fleet it sees only the
    units of the customers mapped to its teams (docs/fleet.md)."""
    DEVICE = "device"
    """A deployed unit, a gateway or the manufacturer's update server: reports check-ins and
    telemetry (with a write key), reads nothing."""


class Permission(StrEnum):
    """One thing a route lets its caller do."""

    READ = "read"
    """Read inventory, findings, assessments, decisions, feed status, the API docs."""
    UPLOAD = "upload"
    """Store an SBOM as a release (and scan it)."""
    TRIAGE = "triage"
    """Record a VEX decision."""
    SIGN_OFF = "sign_off"
    """Approve decisions and sign off reports."""
    COMMENT = "comment"
    """Comment on a VEX decision (triage and review discuss it there)."""
    CONFIGURE = "configure"
    """Record a product's device profile and policy."""
    MANAGE_PRODUCTS = "manage_products"
    """Create a product, rename it, set its manufacturer."""
    READ_AUDIT = "read_audit"
    """Read the whole hash-chained audit trail."""
    OWN_KEYS = "own_keys"
    """Create, list and revoke one's own API keys."""
    REPORT_TELEMETRY = "report_telemetry"
    """Send device events (``POST /api/v1/telemetry/events``)."""
    ADMINISTER = "administer"
    """Users, teams, product grants, anyone's keys; delete a product."""
    MANAGE_FLEET = "manage_fleet"
    """Import deployed units, record update campaigns."""
    CHECK_IN = "check_in"
    """Report a unit's installed release and component versions (API keys only)."""
    RESPOND = "respond"
    """Open incidents, run their playbook, record the Part 806 decision and ISAO sharing."""
    HANDLE_ALERTS = "handle_alerts"
    """Acknowledge and close unusual-activity alerts (reading them needs ``read``)."""


class KeyScope(StrEnum):
    """What an API key may do: read only, or everything its user may do."""

    READ = "read"
    WRITE = "write"


_TRIAGE = {
    Permission.UPLOAD,
    Permission.TRIAGE,
    Permission.COMMENT,
    Permission.CONFIGURE,
    Permission.MANAGE_PRODUCTS,
    Permission.MANAGE_FLEET,
    Permission.HANDLE_ALERTS,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMINISTRATOR: frozenset(Permission),
    Role.PRODUCT_SECURITY: frozenset(
        {Permission.READ, Permission.OWN_KEYS, Permission.RESPOND, *_TRIAGE}
    ),
    Role.REGULATORY_REVIEWER: frozenset(
        {
            Permission.READ,
            Permission.OWN_KEYS,
            Permission.SIGN_OFF,
            Permission.COMMENT,
            Permission.RESPOND,
        }
    ),
    Role.AUDITOR: frozenset({Permission.READ, Permission.OWN_KEYS, Permission.READ_AUDIT}),
    Role.HOSPITAL_CUSTOMER: frozenset({Permission.READ, Permission.OWN_KEYS}),
    Role.DEVICE: frozenset({Permission.REPORT_TELEMETRY, Permission.CHECK_IN, Permission.OWN_KEYS}),
}
"""The one table of what each role may do."""

SEES_EVERY_PRODUCT = frozenset({Role.ADMINISTRATOR, Role.AUDITOR})
"""Roles that see every product; the others see the products granted to their teams."""

SEES_OWN_CUSTOMERS_ONLY = frozenset({Role.HOSPITAL_CUSTOMER})
"""Roles that see, of the fleet, only the units of the customers mapped to their teams."""

READ_PERMISSIONS = frozenset({Permission.READ, Permission.READ_AUDIT})
"""What a ``read``-scoped API key keeps of its user's permissions."""


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller of one request."""

    name: str
    role: Role
    products: frozenset[str] | None
    """The product names it sees; None: every product."""
    key_scope: KeyScope | None = None
    """The scope of the API key it came with; None for a browser session."""

    @property
    def permissions(self) -> frozenset[Permission]:
        """The role's permissions, narrowed by a read-only key."""
        granted = ROLE_PERMISSIONS[self.role]
        if self.key_scope is KeyScope.READ:
            return granted & READ_PERMISSIONS
        return granted

    def may(self, permission: Permission) -> bool:
        """Whether the principal holds ``permission`` (on the products it sees)."""
        return permission in self.permissions

    def sees(self, product: str) -> bool:
        """Whether the principal may know that ``product`` exists."""
        return self.products is None or product in self.products

    @property
    def sees_everything(self) -> bool:
        """True when no team grant narrows what it sees."""
        return self.products is None


@dataclass(frozen=True, slots=True)
class Account:
    """A stored user as administrators see it (never its password hash)."""

    name: str
    role: Role
    teams: tuple[str, ...]
    disabled: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ApiKeyInfo:
    """An API key as listed: its public prefix, never its secret."""

    prefix: str
    user: str
    label: str
    scope: KeyScope
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None

    def usable(self, now: datetime) -> bool:
        """Not revoked and not expired at ``now``."""
        return self.revoked_at is None and now < self.expires_at


@dataclass(frozen=True, slots=True)
class Team:
    """A team, its members and the products granted to it."""

    name: str
    members: tuple[str, ...]
    products: tuple[str, ...]
