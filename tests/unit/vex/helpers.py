"""Real findings for the VEX tests (until the findings store lands): Heartbleed and BlueBorne."""

from __future__ import annotations

from datetime import UTC, datetime

from soupwatch.model import ComponentRef, Finding, MatchEvidence, Vulnerability, VulnId

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

HEARTBLEED = "CVE-2014-0160"
BLUEBORNE = "CVE-2017-1000250"


def finding(
    name: str, version: str, vuln: str, *, ref: str | None = None, aliases: tuple[str, ...] = ()
) -> Finding:
    """A finding as the matcher would make it."""
    purl_type = "deb/debian" if name == "bluez" else "generic"
    purl = f"pkg:{purl_type}/{name}@{version}"
    return Finding(
        component_ref=ComponentRef(ref or purl),
        component_name=name,
        component_version=version,
        vulnerability=Vulnerability(id=VulnId(vuln), aliases=aliases),
        match=MatchEvidence(
            by="cpe", source="nvd", query=name, criteria=f"{name} {version}", confidence=1.0
        ),
        purl=purl,
    )


def openssl_101f() -> Finding:
    """Heartbleed in OpenSSL 1.0.1f."""
    return finding("openssl", "1.0.1f", HEARTBLEED)


def bluez(version: str) -> Finding:
    """BlueBorne's information leak in BlueZ."""
    return finding("bluez", version, BLUEBORNE)
