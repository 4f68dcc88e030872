"""CycloneDX 1.6 JSON and XML output with cyclonedx-python-lib's model and outputters.

Each component gets the NTIA minimum elements we know (supplier, name, version, purl /
CPE / SWID, dependencies, author; the BOM's author and timestamp in metadata) and the
FDA's two, as properties ``soupwatch:support:level`` and ``soupwatch:support:end-of-support``
(``unknown`` when not known). Provenance goes to ``evidence.occurrences`` and
``evidence.identity`` and, losslessly, to ``soupwatch:provenance``. Values the library or
the schema cannot hold (an unparsable purl, a digest of odd length, dependencies on refs
that name no component, further identifiers) are kept as ``soupwatch:`` properties.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from decimal import Decimal

from cyclonedx.contrib.license.factories import LicenseFactory
from cyclonedx.model import HashAlgorithm, HashType, Property
from cyclonedx.model.bom import Bom, BomMetaData
from cyclonedx.model.component import Component as CdxComponent
from cyclonedx.model.component import ComponentType as CdxType
from cyclonedx.model.component_evidence import (
    AnalysisTechnique,
    ComponentEvidence,
    Identity,
    IdentityField,
    Method,
    Occurrence,
)
from cyclonedx.model.contact import OrganizationalContact, OrganizationalEntity
from cyclonedx.model.dependency import Dependency
from cyclonedx.model.tool import ToolRepository
from cyclonedx.output import make_outputter
from cyclonedx.schema import OutputFormat, SchemaVersion
from packageurl import PackageURL

from soupwatch.model import Component, ComponentType
from soupwatch.sbom import namespace as ns
from soupwatch.sbom.export_model import TOOL_NAME, TOOL_VERSION, ExportInput

_DIGEST = re.compile(
    r"^(?:[a-fA-F0-9]{32}|[a-fA-F0-9]{40}|[a-fA-F0-9]{64}|[a-fA-F0-9]{96}|"
    r"[a-fA-F0-9]{128})$"
)
# The CPE pattern of the CycloneDX 1.6 XML schema (``bom:cpe``); the JSON schema has none.
_CPE = re.compile(
    r"""([c][pP][eE]:/[AHOaho]?(:[A-Za-z0-9\._\-~%]*){0,6})|(cpe:2\.3:[aho\*\-](:(((\?*|\*?)([a-zA-Z0-9\-\._]|(\\[\\\*\?!"#$%&'\(\)\+,/:;<=>@\[\]\^`\{\|}~]))+(\?*|\*?))|[\*\-])){5}(:(([a-zA-Z]{2,3}(-([a-zA-Z]{2}|[0-9]{3}))?)|[\*\-]))(:(((\?*|\*?)([a-zA-Z0-9\-\._]|(\\[\\\*\?!"#$%&'\(\)\+,/:;<=>@\[\]\^`\{\|}~]))+(\?*|\*?))|[\*\-])){4})"""
)
_ALGS_16 = {a.value: a for a in HashAlgorithm if not a.value.startswith("Streebog")}
_TECHNIQUES = {t.value: t for t in AnalysisTechnique}
_LICENSES = LicenseFactory()


def _cdx_type(t: ComponentType) -> CdxType:
    if t is ComponentType.SERVICE:
        return CdxType.APPLICATION
    return CdxType(t.value)


def _evidence(c: Component) -> ComponentEvidence | None:
    occurrences = [
        Occurrence(location=e.location, offset=e.offset, additional_context=e.text)
        for p in c.provenance
        for e in p.evidence
    ]
    methods = [
        Method(
            technique=_TECHNIQUES.get(p.method, AnalysisTechnique.OTHER),
            confidence=Decimal(str(round(min(max(p.confidence, 0.0), 1.0), 4))),
            value=f"{p.method}: {p.source}",
        )
        for p in c.provenance
    ]
    if not occurrences and not methods:
        return None
    top = max((p.confidence for p in c.provenance), default=1.0)
    identity = Identity(
        field=IdentityField.PURL if c.purl else IdentityField.NAME,
        confidence=Decimal(str(round(min(max(top, 0.0), 1.0), 4))),
        methods=methods,
    )
    return ComponentEvidence(identity=[identity], occurrences=occurrences)


def _properties(
    c: Component, dangling: Iterable[str], extra: list[tuple[str, str]]
) -> list[Property]:
    pairs = list(c.properties)
    pairs += ns.support_pairs(c.support_level, c.end_of_support, c.support_source)
    if c.provenance:
        pairs.append((ns.PROVENANCE, ns.provenance_to_json(c.provenance)))
    pairs += [(ns.IDENTIFIER + k, v) for k, v in c.extra_identifiers]
    pairs += [(ns.DEPENDS_ON, d) for d in dangling]
    pairs += extra
    return [Property(name=k, value=v) for k, v in pairs]


def to_cdx_component(c: Component, dangling: Iterable[str] = ()) -> CdxComponent:
    """One of our components as a cyclonedx-python-lib component (children not attached)."""
    extra: list[tuple[str, str]] = []
    purl = None
    if c.purl:
        try:
            purl = PackageURL.from_string(c.purl)
        except ValueError:
            extra.append((ns.PURL, c.purl))
        else:
            if purl.to_string() != c.purl:  # the library canonicalises; keep the original too
                extra.append((ns.PURL, c.purl))
    cpe = c.cpe
    if cpe is not None and not _CPE.fullmatch(cpe):
        extra.append((ns.CPE, cpe))
        cpe = None
    hashes = []
    for h in c.hashes:
        alg = _ALGS_16.get(h.alg)
        if alg is not None and _DIGEST.match(h.value):
            hashes.append(HashType(alg=alg, content=h.value))
        else:
            extra.append((ns.HASH, f"{h.alg}:{h.value}"))
    return CdxComponent(
        name=c.name,
        version=c.version,
        type=_cdx_type(c.type),
        bom_ref=c.ref,
        group=c.group,
        supplier=OrganizationalEntity(name=c.supplier) if c.supplier else None,
        authors=[OrganizationalContact(name=c.author)] if c.author else None,
        description=c.description,
        purl=purl,
        cpe=cpe,
        hashes=hashes,
        licenses=[_LICENSES.make_from_string(x) for x in c.licenses],
        copyright=c.copyright,
        evidence=_evidence(c),
        properties=_properties(c, dangling, extra),
    )


def build_bom(data: ExportInput) -> Bom:
    """A cyclonedx-python-lib ``Bom`` with nested components and the dependency graph."""
    known = {c.ref for c in data.components} | {data.subject.ref}
    cdx: dict[str, CdxComponent] = {}
    for c in data.components:
        cdx[c.ref] = to_cdx_component(c, [d for d in c.depends_on if d not in known])
    subject = to_cdx_component(data.subject, [d for d in data.subject.depends_on if d not in known])
    bom = Bom(serial_number=data.serial)
    author = data.manufacturer or TOOL_NAME
    bom.metadata = BomMetaData(
        tools=ToolRepository(
            components=[
                CdxComponent(type=CdxType.APPLICATION, name=TOOL_NAME, version=TOOL_VERSION)
            ]
        ),
        authors=[OrganizationalContact(name=author)],
        supplier=OrganizationalEntity(name=data.manufacturer) if data.manufacturer else None,
        component=subject,
        timestamp=data.timestamp,
    )
    for c in data.components:
        parent = cdx.get(c.parent) if c.parent else None
        if parent is not None:
            parent.components.add(cdx[c.ref])
        else:
            bom.components.add(cdx[c.ref])
    # One Dependency per component, built directly: Bom.register_dependency scans every
    # registered dependency for each call (quadratic: 6 s for 1,100 components).
    everything = {**cdx, data.subject.ref: subject}
    bom.dependencies = [
        Dependency(
            ref=everything[c.ref].bom_ref,
            dependencies=[
                Dependency(ref=everything[d].bom_ref) for d in c.depends_on if d in everything
            ],
        )
        for c in (*data.components, data.subject)
    ]
    return bom


def write_cyclonedx(data: ExportInput, fmt: OutputFormat) -> str:
    """Serialise as CycloneDX 1.6 in ``fmt`` (JSON or XML)."""
    bom = build_bom(data)
    out = make_outputter(bom, fmt, SchemaVersion.V1_6)
    with warnings.catch_warnings():
        # an SBOM of a subject without components is legitimate; the library warns about it
        warnings.filterwarnings(
            "ignore", message=r".*has no defined dependencies", category=UserWarning
        )
        return out.output_as_string(indent=2)
