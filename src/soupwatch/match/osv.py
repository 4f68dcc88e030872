"""purl → OSV: ecosystem keys and the judgement of one OSV ``affected`` item.

Ranges follow the OSV schema: events sorted by version; ``introduced`` opens, ``fixed``
closes (exclusive), ``last_affected`` closes (inclusive), ``limit`` caps the whole range.
``ECOSYSTEM`` ranges compare in the ecosystem's own scheme, ``SEMVER`` as SemVer. ``GIT``
ranges name commits: they are noted, not compared. An explicit ``versions`` list counts too.
:class:`OsvMatcher` is the matcher of this source.

Distribution packages (rpm, deb, apk with a ``distro`` qualifier) are judged by the distro's
own advisories against the full EVR: a distro that backported the fix into ``3.0.7-25.el9_3``
has a ``fixed`` event at that EVR, so backported fixes are not reported.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from packageurl import PackageURL

from soupwatch.match.interface import Basis, Judgement, ScanData, Subject
from soupwatch.match.merge import Verdict
from soupwatch.match.versions import (
    PURL_TYPE_SCHEMES,
    ParsedVersion,
    Scheme,
    Unparsable,
    parse_version,
)
from soupwatch.model import MatchEvidence

DISTRO_FALLBACK_FACTOR = 0.6
"""Confidence is multiplied by this when a distro package is judged by its upstream version."""

_ECOSYSTEMS = {
    "pypi": "PyPI",
    "npm": "npm",
    "maven": "Maven",
    "nuget": "NuGet",
    "golang": "Go",
    "cargo": "crates.io",
    "gem": "RubyGems",
    "composer": "Packagist",
    "hex": "Hex",
    "pub": "Pub",
}
_DISTROS = {
    "almalinux": "AlmaLinux",
    "rocky": "Rocky Linux",
    "rocky-linux": "Rocky Linux",
    "debian": "Debian",
    "ubuntu": "Ubuntu",
    "alpine": "Alpine",
    "redhat": "Red Hat",
    "rhel": "Red Hat",
}
_SCHEME_BY_ECOSYSTEM = {
    "PyPI": Scheme.PYPI,
    "npm": Scheme.SEMVER,
    "Maven": Scheme.MAVEN,
    "NuGet": Scheme.NUGET,
    "Go": Scheme.GOLANG,
    "crates.io": Scheme.SEMVER,
    "RubyGems": Scheme.RUBYGEMS,
    "Debian": Scheme.DEBIAN,
    "Ubuntu": Scheme.DEBIAN,
    "Alpine": Scheme.ALPINE,
    "AlmaLinux": Scheme.RPM,
    "Rocky Linux": Scheme.RPM,
    "Red Hat": Scheme.RPM,
}


@dataclass(frozen=True, slots=True)
class OsvKey:
    """What to ask the OSV index for a purl: (ecosystem, names) and the version to judge."""

    ecosystem: str
    names: tuple[str, ...]
    version: str
    scheme: Scheme
    distro: bool


def _distro_ecosystem(purl: PackageURL) -> str | None:
    distro = (purl.qualifiers or {}).get("distro") or ""
    ns = (purl.namespace or "").lower()
    m = re.match(r"([a-z\-]*?)-?(\d[\w.]*)?$", str(distro).lower()) if distro else None
    family = (m.group(1) if m else "") or ns
    release = m.group(2) if m else None
    name = _DISTROS.get(family)
    if name is None:
        return None
    if not release:
        return name
    if name in ("AlmaLinux", "Rocky Linux", "Red Hat"):
        release = release.split(".")[0]
    if name == "Alpine":
        release = "v" + ".".join(release.split(".")[:2])
    return f"{name}:{release}"


def osv_key(purl_text: str) -> OsvKey | None:
    """The OSV index key of a purl with a version; None when OSV has no such ecosystem."""
    try:
        purl = PackageURL.from_string(purl_text)
    except ValueError:
        return None
    if not purl.version:
        return None
    ptype = purl.type.lower()
    scheme = PURL_TYPE_SCHEMES.get(ptype, Scheme.GENERIC)
    version = purl.version
    if ptype in ("rpm", "deb", "apk"):
        eco = _distro_ecosystem(purl)
        if eco is None:
            return None
        epoch = (purl.qualifiers or {}).get("epoch")
        if epoch and ":" not in version:
            version = f"{epoch}:{version}"
        return OsvKey(eco, (purl.name,), version, scheme, True)
    eco = _ECOSYSTEMS.get(ptype)
    if eco is None:
        return None
    if ptype == "maven":
        names: tuple[str, ...] = (f"{purl.namespace}:{purl.name}",)
    elif ptype in ("npm", "golang", "composer") and purl.namespace:
        names = (f"{purl.namespace}/{purl.name}",)
    elif ptype == "pypi":
        canon = re.sub(r"[-_.]+", "-", purl.name).lower()
        names = tuple(dict.fromkeys((purl.name, canon, canon.replace("-", "_"))))
    else:
        names = (purl.name,)
    return OsvKey(eco, names, version, scheme, False)


def scheme_for_ecosystem(ecosystem: str) -> Scheme:
    """The version scheme of an OSV ecosystem (``AlmaLinux:9`` → RPM)."""
    return _SCHEME_BY_ECOSYSTEM.get(ecosystem.split(":")[0], Scheme.GENERIC)


@dataclass(frozen=True, slots=True)
class OsvVerdict:
    """Whether the item names the version, which range did, and the fixed versions."""

    affected: bool
    criteria: str
    fixed_versions: tuple[str, ...]
    notes: tuple[str, ...] = ()


def _event_version(event: Mapping[str, Any]) -> tuple[str, str]:
    for kind in ("introduced", "fixed", "last_affected", "limit"):
        if kind in event:
            return kind, str(event[kind])
    return "", ""


def _in_range(events: list[tuple[str, str]], v: ParsedVersion, scheme: Scheme) -> bool | str:
    parsed: list[tuple[Any, str]] = []
    for kind, text in events:
        if kind == "introduced" and text == "0":
            parsed.append((None, kind))
            continue
        p = parse_version(text, scheme)
        if isinstance(p, Unparsable):
            return p.describe()
        parsed.append((p, kind))
    zeros = [e for e in parsed if e[0] is None]
    parsed = zeros + sorted((e for e in parsed if e[0] is not None), key=lambda e: e[0])
    affected = False
    for bound, kind in parsed:
        if kind == "limit" and bound is not None and v >= bound:
            return False
    for bound, kind in parsed:
        if kind == "introduced" and (bound is None or v >= bound):
            affected = True
        elif (kind == "fixed" and v >= bound) or (kind == "last_affected" and v > bound):
            affected = False
    return affected


def judge_osv(affected: Mapping[str, Any], version: str, scheme: Scheme) -> OsvVerdict | Unparsable:
    """Judge one OSV ``affected`` item for ``version`` (read in ``scheme``)."""
    v = parse_version(version, scheme)
    if isinstance(v, Unparsable):
        return v
    notes: list[str] = []
    fixed: set[str] = set()
    hit: str | None = None
    listed = [str(x) for x in affected.get("versions") or ()]
    if version in listed:
        hit = f"listed in versions ({len(listed)} versions)"
    for rng in affected.get("ranges") or ():
        rtype = str(rng.get("type", "")).upper()
        events = [_event_version(e) for e in rng.get("events") or ()]
        if rtype == "GIT":
            notes.append("GIT range noted, not compared")
            continue
        fixed.update(t for k, t in events if k == "fixed")
        rscheme = Scheme.SEMVER if rtype == "SEMVER" else scheme
        rv = v if rscheme is scheme else parse_version(version, rscheme)
        if isinstance(rv, Unparsable):
            notes.append(rv.describe())
            continue
        inside = _in_range(events, rv, rscheme)
        if isinstance(inside, str):
            notes.append(inside)
        elif inside and hit is None:
            hit = f"{rtype} " + ", ".join(f"{k} {t}" for k, t in events)
    crit = hit or "no range or version list names this version"
    return OsvVerdict(hit is not None, crit, tuple(sorted(fixed)), tuple(notes))


@dataclass(frozen=True, slots=True)
class OsvRebuttals:
    """OSV's "not affected" verdicts: advisories of the package that do not name its version.

    Offered only for the ids another source says affected (an NVD CPE range, a CNA range), so
    that a disagreement is kept on the finding and explained instead of going unseen.
    """

    verdicts: tuple[Verdict, ...]

    def unaffected_for(self, ids: set[str]) -> list[Verdict]:
        """The "not affected" verdicts on ``ids`` (by the advisory's id or one of its aliases)."""
        return [v for v in self.verdicts if v.vuln_id in ids or any(a in ids for a in v.aliases)]


def _evidence(key: OsvKey, purl: str, criteria: str, explanation: str) -> MatchEvidence:
    return MatchEvidence(
        by="purl",
        source=f"osv:{key.ecosystem}",
        query=purl,
        criteria=criteria,
        confidence=1.0,
        explanation=explanation,
    )


def _verdicts(
    key: OsvKey, purl: str, data: ScanData
) -> tuple[list[Verdict], list[Verdict], bool] | Unparsable:
    """OSV's affected and "not affected" verdicts, and whether the store knows the package."""
    scheme = scheme_for_ecosystem(key.ecosystem)
    out: list[Verdict] = []
    unaffected: dict[str, Verdict] = {}
    known = False
    for name in key.names:
        for cand in data.osv.get((key.ecosystem, name), ()):
            known = True
            if cand.withdrawn:
                continue
            v = judge_osv(cand.affected, key.version, scheme)
            if isinstance(v, Unparsable):
                return v
            notes = " ".join(n + "." for n in v.notes)
            if v.affected:
                ev = _evidence(key, purl, v.criteria, notes)
                out.append(Verdict("osv", cand.vuln_id, True, ev, v.fixed_versions, cand.aliases))
                continue
            fixed = f" (fixed in {', '.join(v.fixed_versions)})" if v.fixed_versions else ""
            said = f"OSV's {key.ecosystem} advisory does not name version {key.version}{fixed}."
            ev = _evidence(key, purl, v.criteria + fixed, f"{said} {notes}".strip())
            unaffected.setdefault(
                cand.vuln_id,
                Verdict("osv", cand.vuln_id, False, ev, v.fixed_versions, cand.aliases),
            )
    hit = {v.vuln_id for v in out}
    return out, [v for i, v in sorted(unaffected.items()) if i not in hit], known


class OsvMatcher:
    """purl → OSV advisories of the package's ecosystem or distribution.

    A distro package whose distro advisories the store holds is answered here alone (the
    distro knows its backports); one it holds none for is left to the other matchers, which
    judge the upstream version at :data:`DISTRO_FALLBACK_FACTOR` and say why.
    """

    def judge(self, subject: Subject, data: ScanData) -> Judgement | Unparsable:
        """Affected verdicts of every advisory naming the purl's version; the rest as rebuttals."""
        key, purl = subject.identity.osv, subject.component.purl
        if key is None or not purl:
            return Judgement()
        got = _verdicts(key, purl, data)
        fallback = None
        if key.distro:
            fallback = Basis(
                DISTRO_FALLBACK_FACTOR,
                f"no {key.ecosystem} advisory data for this package: judged by its upstream "
                "version, distro backports not considered",
            )
        if isinstance(got, Unparsable):
            return Judgement(basis=fallback, problems=(got,))
        verdicts, unaffected, known = got
        rebuttals = (OsvRebuttals(tuple(unaffected)),) if unaffected else ()
        if key.distro and known:
            return Judgement(tuple(verdicts), final=True)  # no later source to disagree
        return Judgement(tuple(verdicts), basis=fallback, rebuttals=rebuttals)
