"""Pydantic models of the API edge (request bodies and the main responses)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from soupwatch.model.product import product_name_problem
from soupwatch.model.vex import VexJustification, VexResponse, VexScope, VexState


class ErrorOut(BaseModel):
    """Every error response: RFC 9457 problem details (``application/problem+json``)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str = Field(description="One line naming the problem and its place.")
    instance: str


def _product_name(value: str | None) -> str | None:
    problem = None if value is None else product_name_problem(value)
    if problem:
        raise ValueError(problem)
    return value


class ProductIn(BaseModel):
    """A product to create."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=255)
    manufacturer: str | None = Field(default=None, max_length=255)
    device_class: str | None = Field(default=None, max_length=64)

    _name = field_validator("name")(_product_name)


class ProductPatch(BaseModel):
    """What to change in a product: its name, its manufacturer (omitted: unchanged)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=255)
    manufacturer: str | None = Field(default=None, max_length=255)

    _name = field_validator("name")(_product_name)


class ProductOut(BaseModel):
    """A product and the versions of its releases."""

    name: str
    manufacturer: str | None
    device_class: str | None
    releases: list[str]


class UploadOut(BaseModel):
    """What an SBOM upload stored and found."""

    product: str
    release: str
    components: int
    findings: int
    skipped: int
    warnings: list[str]


class VexIn(BaseModel):
    """A VEX decision to record (CycloneDX analysis vocabulary) and why; the author is the
    authenticated caller, never a name from the body."""

    model_config = ConfigDict(extra="forbid")

    vulnerability: str = Field(min_length=1, max_length=128)
    state: VexState
    scope: VexScope = VexScope.PRODUCT
    product: str | None = None
    release: str | None = None
    component_name: str | None = None
    component_version: str | None = None
    component_purl: str | None = None
    justification: VexJustification | None = None
    responses: list[VexResponse] = Field(default_factory=list)
    detail: str | None = None
    expires: str | None = Field(
        default=None, description="YYYY-MM-DD, after today (UTC)", examples=["2027-06-30"]
    )
    aliases: list[str] = Field(default_factory=list)
    reason: str = Field(min_length=1, description="Why: kept in the audit trail.")
    expected_version: int | None = Field(
        default=None,
        ge=0,
        description="The version of the decision you read (0: none). If another writer has "
        "recorded one since, the answer is 409 and nothing is stored; leave it out to record "
        "this decision as the next version.",
    )


class VexRecordedOut(BaseModel):
    """A recorded decision (the statement's JSON form) and what it was recorded despite."""

    model_config = ConfigDict(extra="allow")

    id: int
    vulnerability: str
    state: VexState
    scope: VexScope
    version: int = Field(description="The decision's version now (send it as expected_version).")
    warnings: list[str] = Field(
        description="Recorded anyway: a vulnerability unknown to the synced feeds, a component "
        "the product or release does not ship."
    )


class CommentIn(BaseModel):
    """A comment on a VEX decision; the author is the authenticated caller."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=10_000)


class ReviewIn(BaseModel):
    """An approval: the decision version the reviewer read and approves, and optionally why."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(
        ge=1,
        description="The version of the decision you read and approve; if it has changed "
        "since, the answer is 409 and nothing is stored.",
    )
    reason: str | None = Field(default=None, max_length=2_000)


class RejectIn(BaseModel):
    """A rejection: the decision version the reviewer read and rejects, and why."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, description="The version of the decision you read and reject.")
    reason: str = Field(min_length=1, max_length=2_000, description="Why: kept in the audit trail.")
