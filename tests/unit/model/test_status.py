"""The one definition of a finding's status and of the headline counts; the model codec."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from soupwatch.model import Finding, MatchEvidence, Vulnerability
from soupwatch.model.codec import decode, encode
from soupwatch.model.component import ComponentRef
from soupwatch.model.status import FindingStatus, finding_status
from soupwatch.model.vex import VexState
from soupwatch.model.vulnerability import CvssScore, KevEntry, Severity, VulnId


@pytest.mark.parametrize(
    ("resolved_by", "state", "review", "expires", "expected"),
    [
        (None, None, False, None, FindingStatus.OPEN),
        ("rescan", None, False, None, FindingStatus.RESOLVED),
        ("rescan", VexState.NOT_AFFECTED, False, None, FindingStatus.RESOLVED),
        (None, VexState.NOT_AFFECTED, False, None, FindingStatus.CLOSED),
        (None, VexState.FALSE_POSITIVE, False, date(2027, 1, 1), FindingStatus.SUPPRESSED),
        (None, VexState.NOT_AFFECTED, True, None, FindingStatus.NEEDS_REVIEW),
        (None, VexState.EXPLOITABLE, False, None, FindingStatus.OPEN),
        (None, VexState.IN_TRIAGE, False, None, FindingStatus.OPEN),
        # A VEX decision resolved it earlier (resolved_by "vex"): the decision still decides.
        ("vex", VexState.RESOLVED, False, None, FindingStatus.CLOSED),
        ("vex", None, False, None, FindingStatus.OPEN),
    ],
)
def test_finding_status(
    resolved_by: str | None,
    state: VexState | None,
    review: bool,
    expires: date | None,
    expected: FindingStatus,
) -> None:
    got = finding_status(
        resolved_by=resolved_by, vex_state=state, needs_review=review, expires=expires
    )
    assert got is expected
    assert got.is_open == (expected in (FindingStatus.OPEN, FindingStatus.NEEDS_REVIEW))


def test_codec_round_trips_nested_model_values() -> None:
    vuln = Vulnerability(
        id=VulnId("CVE-2014-0160"),
        aliases=("GHSA-x",),
        summary="Heartbleed",
        published=datetime(2014, 4, 7, 22, 55, tzinfo=UTC),
        cvss=(CvssScore("3.1", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5, "nvd"),),
        kev=KevEntry("CVE-2014-0160", date(2022, 5, 4), due_date=date(2022, 5, 25)),
    )
    finding = Finding(
        component_ref=ComponentRef("openssl"),
        component_name="openssl",
        component_version="1.0.1f",
        vulnerability=vuln,
        match=MatchEvidence("cpe", "nvd", "openssl 1.0.1f", "cpe range", 1.0),
        fixed_versions=("1.0.1g",),
    )
    data = encode(finding)
    assert data["vulnerability"]["kev"]["date_added"] == "2022-05-04"
    back = decode(Finding, data)
    assert back == finding and back.vulnerability.severity is Severity.HIGH
    assert isinstance(back.fixed_versions, tuple)
