"""REST: one VEX decision by id, its comments, its four-eyes review, and the approval queue.

A decision is visible when its product is (a decision without a product reaches every product:
everyone may read it, only a caller who sees every product may comment on or review it). A
decision the caller may not see is answered as one that does not exist (404). The rules
(four eyes, version-bound verdicts) are the pipeline's (``pipeline/approvals.py``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Request

from soupwatch import pipeline
from soupwatch.errors import Forbidden, NotFoundError
from soupwatch.model.access import Permission, Principal
from soupwatch.model.shapes import comment_json, decision_json
from soupwatch.model.vex import VexStatement
from soupwatch.server.app import store_of
from soupwatch.server.bodies import LimitedRoute
from soupwatch.server.params import DecisionId
from soupwatch.server.schemas import CommentIn, ErrorOut, RejectIn, ReviewIn
from soupwatch.server.security import needs

router = APIRouter(
    route_class=LimitedRoute,
    tags=["decisions"],
    responses={
        401: {"model": ErrorOut},
        403: {"model": ErrorOut},
        404: {"model": ErrorOut},
        422: {"model": ErrorOut},
    },
)
Reader = Annotated[Principal, needs(Permission.READ)]
Reviewer = Annotated[Principal, needs(Permission.SIGN_OFF)]
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorOut, "description": "The decision changed, or has its verdict."}
}


def _now() -> datetime:
    return datetime.now(UTC)


def visible(
    request: Request, principal: Principal, decision_id: int, *, write: bool
) -> VexStatement:
    """The decision, when the caller may see it (else 404, as for none); for a ``write``, a
    decision without a product needs a caller who sees every product (else 403)."""
    found = pipeline.get_decision(store_of(request), decision_id)
    if found.product is not None and not principal.sees(found.product):
        raise NotFoundError(f"no VEX decision with id {decision_id}")
    if write and found.product is None and not principal.sees_everything:
        raise Forbidden(
            f"{principal.name} sees only its teams' products: decision {decision_id} reaches "
            "every product"
        )
    return found


@router.get("/decisions/{decision_id}")
def decision(request: Request, decision_id: DecisionId, principal: Reader) -> dict[str, Any]:
    """The decision (current version, its approval state) with its comments, oldest first."""
    store = store_of(request)
    found = visible(request, principal, decision_id, write=False)
    comments = pipeline.decision_comments(store, decision_id)
    return {**decision_json(found), "comments": [comment_json(c) for c in comments]}


@router.get("/decisions/{decision_id}/history")
def history(request: Request, decision_id: DecisionId, principal: Reader) -> list[dict[str, Any]]:
    """The decision's audit entries, oldest first: each version recorded (``vex.create``,
    ``vex.update``, old and new values), comment and verdict, with actor, time and reason."""
    visible(request, principal, decision_id, write=False)
    return pipeline.decision_history(store_of(request), decision_id)


@router.get("/decisions/{decision_id}/comments")
def comments(request: Request, decision_id: DecisionId, principal: Reader) -> list[dict[str, Any]]:
    """The comments on the decision, oldest first, each with the version it was written on."""
    store = store_of(request)
    visible(request, principal, decision_id, write=False)
    return [comment_json(c) for c in pipeline.decision_comments(store, decision_id)]


@router.post("/decisions/{decision_id}/comments", status_code=201)
def add_comment(
    request: Request,
    decision_id: DecisionId,
    body: CommentIn,
    principal: Annotated[Principal, needs(Permission.COMMENT)],
) -> dict[str, Any]:
    """Comment on the decision's current version (audited ``vex.comment``, by the caller)."""
    store = store_of(request)
    visible(request, principal, decision_id, write=True)
    made = pipeline.comment_decision(
        store, decision_id, body.text, actor=principal.name, now=_now()
    )
    return comment_json(made)


@router.post("/decisions/{decision_id}/approve", responses=CONFLICT)
def approve(
    request: Request, decision_id: DecisionId, body: ReviewIn, principal: Reviewer
) -> dict[str, Any]:
    """Approve version ``version`` of the decision (audited ``vex.approve``). 403 for its own
    author (four eyes); 409 when the decision is at another version (read it again) or that
    version already has its verdict."""
    store = store_of(request)
    visible(request, principal, decision_id, write=True)
    done = pipeline.approve_decision(
        store,
        decision_id,
        version=body.version,
        actor=principal.name,
        now=_now(),
        reason=body.reason or "approved",
    )
    return decision_json(done)


@router.post("/decisions/{decision_id}/reject", responses=CONFLICT)
def reject(
    request: Request, decision_id: DecisionId, body: RejectIn, principal: Reviewer
) -> dict[str, Any]:
    """Reject version ``version`` of the decision, saying why (audited ``vex.reject``); the
    same refusals as approving. The decision stays recorded until its author changes it."""
    store = store_of(request)
    visible(request, principal, decision_id, write=True)
    done = pipeline.reject_decision(
        store,
        decision_id,
        version=body.version,
        actor=principal.name,
        reason=body.reason,
        now=_now(),
    )
    return decision_json(done)


@router.get("/approvals")
def approvals(
    request: Request, principal: Reader, product: str | None = None
) -> list[dict[str, Any]]:
    """The approval queue: decisions of the products the caller sees (or of ``product``)
    whose current version has no verdict yet (decisions without a product only for a caller
    who sees every product, and no ``product`` given)."""
    scope = frozenset({product}) if product is not None else principal.products
    waiting = pipeline.pending_approvals(store_of(request), products=scope)
    return [decision_json(s) for s in waiting]
