"""Building discovered components: one helper every detector uses, so evidence looks alike."""

from __future__ import annotations

from dataclasses import dataclass

from packageurl import PackageURL

from soupwatch.model import Component, ComponentRef, ComponentType, Evidence, Provenance

SOURCE = "discovery"
"""``Provenance.source`` of every discovered component."""

NAME_ONLY_CONFIDENCE = 0.3
"""Confidence of a claim that rests on a file name alone."""


@dataclass(frozen=True, slots=True)
class Seen:
    """Where and how a detector saw a component: what goes into its one piece of evidence."""

    detector: str
    location: str
    text: str
    confidence: float = 1.0
    offset: int | None = None


def component(
    name: str,
    version: str | None,
    seen: Seen,
    *,
    purl: str | None = None,
    cpe: str | None = None,
    type: ComponentType = ComponentType.LIBRARY,
    group: str | None = None,
    supplier: str | None = None,
    licenses: tuple[str, ...] = (),
    properties: tuple[tuple[str, str], ...] = (),
    description: str | None = None,
) -> Component:
    """A component with one piece of evidence; its ref is set later by the merger."""
    evidence = Evidence(
        detector=seen.detector,
        location=seen.location,
        offset=seen.offset,
        text=seen.text[:300],
        confidence=seen.confidence,
    )
    provenance = Provenance(
        source=SOURCE, method=seen.detector, confidence=seen.confidence, evidence=(evidence,)
    )
    return Component(
        ref=ComponentRef(""),
        name=name,
        version=version or None,
        type=type,
        group=group,
        supplier=supplier,
        description=description,
        purl=purl,
        cpe=cpe,
        licenses=tuple(sorted({lic for lic in licenses if lic})),
        properties=properties,
        provenance=(provenance,),
    )


def purl(
    type: str,
    name: str,
    version: str | None,
    *,
    namespace: str | None = None,
    qualifiers: dict[str, str] | None = None,
) -> str:
    """A package URL string, qualifiers without empty values."""
    quals = {k: v for k, v in (qualifiers or {}).items() if v}
    return PackageURL(
        type=type, namespace=namespace, name=name, version=version or None, qualifiers=quals
    ).to_string()
