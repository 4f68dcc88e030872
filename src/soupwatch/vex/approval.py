"""The four-eyes review of VEX decisions: comments, and approval or rejection of a version.

A recorded decision is ``proposed``. A reviewer (a user whose role holds
:attr:`~soupwatch.model.access.Permission.SIGN_OFF`) approves or rejects it, naming the
decision version they read: a verdict is bound to that version, so a later change to the
decision (a new version) is ``proposed`` again and needs a new verdict. Nobody reviews a
decision they authored or recorded (four eyes: an imported decision's author is the
document's, its recorder the importer). Every comment and verdict is one entry of the hash-chained
audit trail (``vex.comment``, ``vex.approve``, ``vex.reject``) under the decision's subject,
written in the same transaction.

Which decisions count in reports and VEX exports does not depend on the verdict; reports and
the API show it (:meth:`~soupwatch.model.vex.Approval.text`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from soupwatch.errors import AlreadyReviewed, DecisionConflict, Forbidden, NotFoundError
from soupwatch.model.access import ROLE_PERMISSIONS, Permission
from soupwatch.model.vex import ApprovalState, DecisionComment, VexStatement
from soupwatch.store import audit_repo, decision_repo, identity_repo
from soupwatch.store.db import Session
from soupwatch.vex import audit
from soupwatch.vex.rules import refuse
from soupwatch.vex.statements import subject

MAX_COMMENT = 10_000
"""The longest comment accepted, in characters."""
MAX_REASON = 2_000
"""The longest approval or rejection reason accepted, in characters."""


def get(session: Session, decision_id: int) -> VexStatement:
    """The decision with this id (its current version and verdict); NotFoundError if none."""
    found = decision_repo.decision_by_id(session, decision_id)
    if found is None:
        raise NotFoundError(f"no VEX decision with id {decision_id}")
    return found


def _text(field: str, value: str, limit: int) -> str:
    text = value.strip()
    if not text:
        raise refuse(field, f"the {field} is empty")
    if len(text) > limit:
        raise refuse(field, f"the {field} is {len(text):,} characters, above the {limit:,} limit")
    return text


def comment(
    session: Session, decision_id: int, text: str, *, actor: str, now: datetime
) -> DecisionComment:
    """Add a comment to the decision's current version, audited ``vex.comment``."""
    body = _text("comment", text, MAX_COMMENT)
    decision_repo.lock(session)
    s = get(session, decision_id)
    assert s.id is not None and s.version is not None  # read from the store
    made = decision_repo.add_comment(session, s.id, s.version, actor, now, body)
    new = {"comment": made.id, "decision": s.id, "decision_version": s.version, "text": body}
    audit.append(session, actor, "vex.comment", subject(s), None, new, f"comment #{made.id}", now)
    return made


RECORDED = ("vex.create", "vex.update")
"""The audit actions that record a version of a decision."""


def check_reviewer(session: Session, s: VexStatement, actor: str) -> None:
    """Forbidden unless ``actor`` is an enabled user whose role may sign off, and neither the
    decision's author nor the user who recorded its current version (four eyes)."""
    creds = identity_repo.credentials(session, actor)
    if creds is None or creds.disabled:
        raise Forbidden(f"{actor} is not an enabled soupwatch user; a reviewer must be one")
    if Permission.SIGN_OFF not in ROLE_PERMISSIONS[creds.role]:
        raise Forbidden(f"{actor} ({creds.role.value}) may not sign off decisions")
    recorder = audit_repo.last_actor(session, subject(s), RECORDED)
    makers = {(name or "").strip().lower() for name in (s.author, recorder)} - {""}
    if actor.strip().lower() in makers:
        raise Forbidden(
            f"four eyes: {actor} recorded version {s.version} of the decision on "
            f"{subject(s)}; another reviewer must approve or reject it"
        )


def review(
    session: Session,
    decision_id: int,
    verdict: ApprovalState,
    *,
    version: int,
    actor: str,
    reason: str,
    now: datetime,
) -> VexStatement:
    """Approve or reject version ``version`` of the decision, audited ``vex.approve`` /
    ``vex.reject``; returns the decision with its verdict.

    Raises :class:`~soupwatch.errors.DecisionConflict` when the decision is at another version
    (it changed since the reviewer read it), :class:`~soupwatch.errors.AlreadyReviewed` when
    that version has its verdict, :class:`~soupwatch.errors.Forbidden` for a reviewer who may
    not (:func:`check_reviewer`). Nothing is stored then.
    """
    if verdict is ApprovalState.PROPOSED:
        raise refuse("verdict", "a verdict is approved or rejected")
    why = _text("reason", reason, MAX_REASON)
    decision_repo.lock(session)
    s = get(session, decision_id)
    assert s.id is not None and s.version is not None and s.approval is not None
    if s.version != version:
        raise DecisionConflict(subject(s), version, s.version)
    if s.approval.state is not ApprovalState.PROPOSED:
        raise AlreadyReviewed(subject(s), version, s.approval.text())
    check_reviewer(session, s, actor)
    saved = decision_repo.save_approval(
        session, s.id, version, verdict, actor=actor, now=now, reason=why
    )
    old = {"decision": s.id, "decision_version": version, "approval": "proposed"}
    new = {**old, "approval": verdict.value}
    action = "vex.approve" if verdict is ApprovalState.APPROVED else "vex.reject"
    audit.append(session, actor, action, subject(s), old, new, why, now)
    return replace(s, approval=saved)
