"""The shared vocabulary of soupwatch. Imports no stage."""

from soupwatch.model.component import (
    Component,
    ComponentRef,
    ComponentType,
    Evidence,
    Hash,
    Provenance,
    SupportLevel,
)
from soupwatch.model.product import Product, Release
from soupwatch.model.sbom import SbomDocument
from soupwatch.model.vulnerability import (
    CvssScore,
    Epss,
    Finding,
    KevEntry,
    MatchEvidence,
    Severity,
    SsvcAssertion,
    Vulnerability,
    VulnId,
    best_cvss,
)

__all__ = [
    "Component",
    "ComponentRef",
    "ComponentType",
    "CvssScore",
    "Epss",
    "Evidence",
    "Finding",
    "Hash",
    "KevEntry",
    "MatchEvidence",
    "Product",
    "Provenance",
    "Release",
    "SbomDocument",
    "Severity",
    "SsvcAssertion",
    "SupportLevel",
    "VulnId",
    "Vulnerability",
    "best_cvss",
]
