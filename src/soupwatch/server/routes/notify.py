"""REST: notification rules, channels and the delivery log (docs/notifications.md).

Rules are administered by whoever may configure a product (administrators, product security),
on the products they see; a rule for every product needs a caller who sees every product.
Channels hold secrets and reach outside: administrators only, and a webhook's signing secret
is answered once, when it is created. Reading rules and the delivery log needs ``read``, on
the caller's products. Every change is audited with the caller's name.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from soupwatch import notify
from soupwatch.model.access import Permission, Principal
from soupwatch.model.notify import (
    Channel,
    ChannelKind,
    DeliveryState,
    EmailSecurity,
    PayloadStyle,
    RuleKind,
)
from soupwatch.server.app import store_of
from soupwatch.server.bodies import LimitedRoute
from soupwatch.server.params import RuleId
from soupwatch.server.security import needs

router = APIRouter(route_class=LimitedRoute, prefix="/notifications", tags=["notifications"])
Reader = Annotated[Principal, needs(Permission.READ)]
Configurer = Annotated[Principal, needs(Permission.CONFIGURE)]
Admin = Annotated[Principal, needs(Permission.ADMINISTER)]


def _now() -> datetime:
    return datetime.now(UTC)


class RuleIn(BaseModel):
    """A rule to add: events of ``kind`` on ``product`` (omitted: every product)."""

    model_config = ConfigDict(extra="forbid")

    kind: RuleKind
    channel: str = Field(min_length=1, max_length=64)
    product: str | None = Field(default=None, min_length=1, max_length=255)
    within_days: int | None = Field(default=None, ge=0, le=3650)


class ChannelIn(BaseModel):
    """A channel to add: a webhook (``url``, ``style``) or e-mail (``to`` and SMTP settings)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=64)
    kind: ChannelKind
    url: str | None = Field(default=None, max_length=2048)
    style: PayloadStyle = PayloadStyle.GENERIC
    to: str | None = Field(default=None, max_length=2048)
    smtp_host: str | None = Field(default=None, max_length=255)
    smtp_port: int | None = Field(default=None, ge=1, le=65535)
    smtp_security: EmailSecurity = EmailSecurity.NONE
    smtp_user: str | None = Field(default=None, max_length=255)
    smtp_password: str | None = Field(default=None, max_length=1024)
    sender: str | None = Field(default=None, max_length=255)

    def spec(self) -> Channel:
        """The channel this body describes."""
        if self.kind is ChannelKind.WEBHOOK:
            return Channel(self.name, self.kind, self.url or "", style=self.style)
        return Channel(
            self.name,
            self.kind,
            self.to or "",
            smtp_host=self.smtp_host,
            smtp_port=self.smtp_port,
            smtp_security=self.smtp_security,
            smtp_user=self.smtp_user,
            sender=self.sender,
            has_secret=bool(self.smtp_password),
        )


@router.get("/rules")
def rules(request: Request, principal: Reader) -> list[dict[str, Any]]:
    """The rules of the products the caller sees, and those for every product."""
    found = notify.admin.list_rules(store_of(request), principal.products)
    return [notify.admin.rule_json(r) for r in found]


@router.post("/rules", status_code=201)
def add_rule(request: Request, body: RuleIn, principal: Configurer) -> dict[str, Any]:
    """Add a rule (audited ``notify.rule.add``)."""
    made = notify.admin.add_rule(
        store_of(request),
        body.kind,
        body.product,
        body.channel,
        body.within_days,
        actor=principal.name,
        now=_now(),
        products=principal.products,
    )
    return notify.admin.rule_json(made)


@router.delete("/rules/{rule_id}")
def remove_rule(request: Request, rule_id: RuleId, principal: Configurer) -> dict[str, Any]:
    """Remove a rule (audited ``notify.rule.remove``); its deliveries stay in the log."""
    gone = notify.admin.remove_rule(
        store_of(request), rule_id, actor=principal.name, now=_now(), products=principal.products
    )
    return notify.admin.rule_json(gone)


@router.get("/channels")
def channels(request: Request, _: Configurer) -> list[dict[str, Any]]:
    """Every channel (never a secret; a webhook shows its host only)."""
    return [notify.admin.channel_json(c) for c in notify.admin.list_channels(store_of(request))]


@router.post("/channels", status_code=201)
def add_channel(request: Request, body: ChannelIn, admin: Admin) -> dict[str, Any]:
    """Add a channel (audited ``notify.channel.add``); a webhook's signing secret is in this
    answer only."""
    made, secret = notify.admin.add_channel(
        store_of(request), body.spec(), body.smtp_password, actor=admin.name, now=_now()
    )
    return {"channel": notify.admin.channel_json(made), "secret": secret}


@router.delete("/channels/{name}")
def remove_channel(request: Request, name: str, admin: Admin) -> dict[str, Any]:
    """Remove a channel no rule uses (audited ``notify.channel.remove``)."""
    gone = notify.admin.remove_channel(store_of(request), name, actor=admin.name, now=_now())
    return notify.admin.channel_json(gone)


@router.get("/log")
def log(
    request: Request,
    principal: Reader,
    product: str | None = None,
    state: DeliveryState | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    """The delivery log, newest first: the caller's products (or ``product``), each delivery
    with its event, attempts, next attempt, last error and when it was delivered."""
    seen = principal.products
    if product is not None:
        seen = frozenset({product})
    found = notify.admin.delivery_log(store_of(request), limit=limit, products=seen, state=state)
    return [notify.admin.delivery_json(d) for d in found]
