"""REST: user, team and product-grant administration (administrators only), all audited."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from soupwatch import pipeline
from soupwatch.model.access import Account, Permission, Principal, Role, Team
from soupwatch.server.app import options_of, store_of
from soupwatch.server.bodies import LimitedRoute
from soupwatch.server.security import needs

router = APIRouter(route_class=LimitedRoute, tags=["administration"])
Admin = Annotated[Principal, needs(Permission.ADMINISTER)]


def _now() -> datetime:
    return datetime.now(UTC)


def account_json(a: Account) -> dict[str, Any]:
    """A user as the API shows it (never its password hash)."""
    return {
        "name": a.name,
        "role": a.role.value,
        "teams": list(a.teams),
        "disabled": a.disabled,
        "created_at": a.created_at.isoformat(),
    }


def team_json(t: Team) -> dict[str, Any]:
    """A team with its members and products."""
    return {"name": t.name, "members": list(t.members), "products": list(t.products)}


class UserIn(BaseModel):
    """A user to create."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=64)
    role: Role
    password: str = Field(min_length=pipeline.accounts.MIN_PASSWORD, max_length=1024)
    teams: list[str] = Field(default_factory=list)


class UserPatch(BaseModel):
    """Changes to a user: role, disabled, password."""

    model_config = ConfigDict(extra="forbid")

    role: Role | None = None
    disabled: bool | None = None
    password: str | None = Field(
        default=None, min_length=pipeline.accounts.MIN_PASSWORD, max_length=1024
    )


class TeamIn(BaseModel):
    """A team to create."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=64)


@router.get("/admin/users")
def users(request: Request, _: Admin) -> list[dict[str, Any]]:
    """Every user with role, teams and whether it is disabled."""
    return [account_json(a) for a in pipeline.accounts.list_users(store_of(request))]


@router.post("/admin/users", status_code=201)
def create_user(request: Request, body: UserIn, admin: Admin) -> dict[str, Any]:
    """Create a user (audited ``user.create``)."""
    made = pipeline.accounts.create_user(
        store_of(request),
        body.name,
        body.role,
        body.password,
        actor=admin.name,
        now=_now(),
        cost=options_of(request).password_cost,
        teams=tuple(body.teams),
    )
    return account_json(made)


@router.patch("/admin/users/{user}")
def update_user(request: Request, user: str, body: UserPatch, admin: Admin) -> dict[str, Any]:
    """Change a user's role, disable or enable it, set its password (audited ``user.update``;
    disabling or a new password ends its sessions)."""
    changed = pipeline.accounts.update_user(
        store_of(request),
        user,
        actor=admin.name,
        now=_now(),
        role=body.role,
        disabled=body.disabled,
        password=body.password,
        cost=options_of(request).password_cost,
    )
    return account_json(changed)


@router.get("/admin/teams")
def teams(request: Request, _: Admin) -> list[dict[str, Any]]:
    """Every team with its members and the products granted to it."""
    return [team_json(t) for t in pipeline.accounts.list_teams(store_of(request))]


@router.post("/admin/teams", status_code=201)
def create_team(request: Request, body: TeamIn, admin: Admin) -> dict[str, Any]:
    """Create a team (audited ``team.create``)."""
    made = pipeline.accounts.create_team(store_of(request), body.name, actor=admin.name, now=_now())
    return team_json(made)


@router.put("/admin/teams/{team}/members/{user}")
def add_member(request: Request, team: str, user: str, admin: Admin) -> dict[str, Any]:
    """Add the user to the team (audited)."""
    changed = pipeline.accounts.set_member(
        store_of(request), team, user, True, actor=admin.name, now=_now()
    )
    return {"team": team, "user": user, "member": True, "changed": changed}


@router.delete("/admin/teams/{team}/members/{user}")
def remove_member(request: Request, team: str, user: str, admin: Admin) -> dict[str, Any]:
    """Remove the user from the team (audited)."""
    changed = pipeline.accounts.set_member(
        store_of(request), team, user, False, actor=admin.name, now=_now()
    )
    return {"team": team, "user": user, "member": False, "changed": changed}


@router.put("/admin/teams/{team}/products/{product}")
def grant(request: Request, team: str, product: str, admin: Admin) -> dict[str, Any]:
    """Grant the product to the team: its members see it (audited ``team.grant``)."""
    changed = pipeline.accounts.set_grant(
        store_of(request), team, product, True, actor=admin.name, now=_now()
    )
    return {"team": team, "product": product, "granted": True, "changed": changed}


@router.delete("/admin/teams/{team}/products/{product}")
def revoke(request: Request, team: str, product: str, admin: Admin) -> dict[str, Any]:
    """Take the product back from the team (audited ``team.revoke``)."""
    changed = pipeline.accounts.set_grant(
        store_of(request), team, product, False, actor=admin.name, now=_now()
    )
    return {"team": team, "product": product, "granted": False, "changed": changed}
