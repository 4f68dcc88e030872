"""CSAF 2.0 mandatory tests (section 6.1) that apply to our advisories, beyond the schema.

Implemented: 6.1.1 missing product id definition, 6.1.2 multiple product id definitions,
6.1.3 circular product id definition, 6.1.4/6.1.5 product group ids, 6.1.6 contradicting
product status, 6.1.7 multiple scores per product and version, 6.1.8 invalid CVSS (required
fields), 6.1.9 invalid CVSS computation, 6.1.10 inconsistent CVSS, 6.1.13 PURL, 6.1.14 sorted
revision history, 6.1.16 latest document version, 6.1.17 draft status, 6.1.18 released
revision history, 6.1.21 missing revision, 6.1.22 duplicate revision, and the security
advisory profile tests 6.1.27.4/.5/.6/.11. Each failure is ``(test id, JSON path, message)``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cvss import CVSS3
from cvss.exceptions import CVSSError
from packageurl import PackageURL

from soupwatch.report.csaf_parts import V3_FIELDS

GROUPS = {
    "affected": ("first_affected", "known_affected", "last_affected"),
    "not_affected": ("known_not_affected",),
    "fixed": ("first_fixed", "fixed"),
    "under_investigation": ("under_investigation",),
}


@dataclass(frozen=True, slots=True)
class Failure:
    """One failed mandatory test."""

    test: str
    path: str
    message: str


def _defined_products(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    tree = doc.get("product_tree") or {}

    def walk(
        branches: list[dict[str, Any]], path: str
    ) -> Iterator[tuple[str, str, dict[str, Any]]]:
        for i, b in enumerate(branches):
            p = f"{path}[{i}]"
            if "product" in b:
                yield b["product"]["product_id"], p + ".product", b["product"]
            yield from walk(b.get("branches") or [], p + ".branches")

    yield from walk(tree.get("branches") or [], "$.product_tree.branches")
    for i, fp in enumerate(tree.get("full_product_names") or []):
        yield fp["product_id"], f"$.product_tree.full_product_names[{i}]", fp
    for i, r in enumerate(tree.get("relationships") or []):
        fp = r["full_product_name"]
        yield fp["product_id"], f"$.product_tree.relationships[{i}].full_product_name", fp


def _referenced(doc: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for i, v in enumerate(doc.get("vulnerabilities") or []):
        base = f"$.vulnerabilities[{i}]"
        for status, ids in (v.get("product_status") or {}).items():
            for j, pid in enumerate(ids):
                yield pid, f"{base}.product_status.{status}[{j}]"
        for key, inner in (
            ("remediations", "product_ids"),
            ("threats", "product_ids"),
            ("flags", "product_ids"),
            ("scores", "products"),
        ):
            for k, item in enumerate(v.get(key) or []):
                for j, pid in enumerate(item.get(inner) or []):
                    yield pid, f"{base}.{key}[{k}].{inner}[{j}]"
    for i, r in enumerate((doc.get("product_tree") or {}).get("relationships") or []):
        yield r["product_reference"], f"$.product_tree.relationships[{i}].product_reference"
        yield (
            r["relates_to_product_reference"],
            (f"$.product_tree.relationships[{i}].relates_to_product_reference"),
        )


def product_ids(doc: dict[str, Any]) -> list[Failure]:
    """6.1.1, 6.1.2, 6.1.3: every product id defined exactly once, never by itself."""
    out: list[Failure] = []
    defined: dict[str, str] = {}
    for pid, path, _ in _defined_products(doc):
        if pid in defined:
            out.append(Failure("6.1.2", path, f"product id {pid!r} also defined at {defined[pid]}"))
        defined.setdefault(pid, path)
    for pid, path in _referenced(doc):
        if pid not in defined:
            out.append(Failure("6.1.1", path, f"product id {pid!r} is not defined"))
    for i, r in enumerate((doc.get("product_tree") or {}).get("relationships") or []):
        own = r["full_product_name"]["product_id"]
        if own in (r["product_reference"], r["relates_to_product_reference"]):
            out.append(
                Failure(
                    "6.1.3",
                    f"$.product_tree.relationships[{i}]",
                    f"product id {own!r} is defined through itself",
                )
            )
    groups = [g["group_id"] for g in (doc.get("product_tree") or {}).get("product_groups") or []]
    for g in {g for g in groups if groups.count(g) > 1}:
        out.append(Failure("6.1.5", "$.product_tree.product_groups", f"group {g!r} twice"))
    for i, v in enumerate(doc.get("vulnerabilities") or []):
        for k, item in enumerate(v.get("remediations") or []):
            for gid in item.get("group_ids") or []:
                if gid not in groups:
                    out.append(
                        Failure(
                            "6.1.4",
                            f"$.vulnerabilities[{i}].remediations[{k}]",
                            f"product group {gid!r} is not defined",
                        )
                    )
    return out


def product_status(doc: dict[str, Any]) -> list[Failure]:
    """6.1.6: a product in two contradicting status groups."""
    out = []
    for i, v in enumerate(doc.get("vulnerabilities") or []):
        where: dict[str, str] = {}
        for group, keys in GROUPS.items():
            for key in keys:
                for pid in (v.get("product_status") or {}).get(key) or []:
                    if pid in where and where[pid] != group:
                        out.append(
                            Failure(
                                "6.1.6",
                                f"$.vulnerabilities[{i}].product_status",
                                f"{pid!r} is both {where[pid]} and {group}",
                            )
                        )
                    where.setdefault(pid, group)
    return out


def _cvss_failures(c: dict[str, Any], path: str) -> list[Failure]:
    out = []
    missing = [k for k in ("version", "vectorString", "baseScore", "baseSeverity") if k not in c]
    if missing:
        return [Failure("6.1.8", path, f"missing {', '.join(missing)}")]
    try:
        calc = CVSS3(c["vectorString"])
    except CVSSError as err:
        return [Failure("6.1.8", path, f"invalid vector: {err}")]
    if (
        float(calc.scores()[0]) != float(c["baseScore"])
        or calc.severities()[0].upper() != c["baseSeverity"]
    ):
        out.append(
            Failure(
                "6.1.9",
                path,
                f"baseScore/baseSeverity {c['baseScore']}/"
                f"{c['baseSeverity']} do not follow from the vector "
                f"({calc.scores()[0]}/{calc.severities()[0].upper()})",
            )
        )
    if not c["vectorString"].startswith(f"CVSS:{c['version']}/"):
        out.append(Failure("6.1.10", path, "version differs from the vector's"))
    for key, (name, values) in V3_FIELDS.items():
        if name in c and values[calc.metrics[key]] != c[name]:
            out.append(
                Failure(
                    "6.1.10",
                    f"{path}.{name}",
                    f"{c[name]} contradicts {key}:{calc.metrics[key]} in the vector",
                )
            )
    return out


def scores(doc: dict[str, Any]) -> list[Failure]:
    """6.1.7, 6.1.8, 6.1.9, 6.1.10 for CVSS v3 scores."""
    out = []
    for i, v in enumerate(doc.get("vulnerabilities") or []):
        seen: set[tuple[str, str]] = set()
        for k, s in enumerate(v.get("scores") or []):
            path = f"$.vulnerabilities[{i}].scores[{k}].cvss_v3"
            c = s.get("cvss_v3")
            if c is None:
                continue
            for pid in s.get("products") or []:
                if (pid, str(c.get("version"))) in seen:
                    out.append(
                        Failure("6.1.7", path, f"second v{c.get('version')} score for {pid!r}")
                    )
                seen.add((pid, str(c.get("version"))))
            out += _cvss_failures(c, path)
    return out


def purls(doc: dict[str, Any]) -> list[Failure]:
    """6.1.13: every purl parses."""
    out = []
    for _, path, fp in _defined_products(doc):
        purl = (fp.get("product_identification_helper") or {}).get("purl")
        if purl:
            try:
                PackageURL.from_string(purl)
            except ValueError as err:
                out.append(Failure("6.1.13", path, f"invalid purl {purl!r}: {err}"))
    return out


def _num(n: str) -> tuple[int, ...]:
    return tuple(int(p) for p in n.split("+")[0].split("-")[0].split("."))


def tracking(doc: dict[str, Any]) -> list[Failure]:
    """6.1.14, 6.1.16, 6.1.17, 6.1.18, 6.1.21, 6.1.22 on the revision history."""
    t = doc["document"]["tracking"]
    path = "$.document.tracking.revision_history"
    hist = t.get("revision_history") or []
    out = []
    nums = [h["number"] for h in hist]
    for n in {n for n in nums if nums.count(n) > 1}:
        out.append(Failure("6.1.22", path, f"revision {n} appears twice"))
    by_date = [h["number"] for h in sorted(hist, key=lambda h: (h["date"], _num(h["number"])))]
    if by_date != sorted(nums, key=_num):
        out.append(Failure("6.1.14", path, "revision numbers and dates are not in the same order"))
    if nums and t["version"] != max(nums, key=_num):
        out.append(
            Failure(
                "6.1.16",
                "$.document.tracking.version",
                f"version {t['version']} is not the latest revision {max(nums, key=_num)}",
            )
        )
    if _num(t["version"])[0] == 0 and t["status"] != "draft":
        out.append(Failure("6.1.17", "$.document.tracking.status", "version 0 must be draft"))
    if t["status"] in ("final", "interim") and any(_num(n)[0] == 0 for n in nums):
        out.append(Failure("6.1.18", path, "a released document lists a revision 0"))
    majors = sorted({_num(n)[0] for n in nums})
    if majors and majors != list(range(majors[0], majors[-1] + 1)):
        out.append(Failure("6.1.21", path, f"revision numbers skip: {majors}"))
    return out


def profile(doc: dict[str, Any]) -> list[Failure]:
    """6.1.27.4, .5, .6, .11 for ``csaf_security_advisory``."""
    if doc["document"]["category"] != "csaf_security_advisory":
        return []
    out = []
    if not doc.get("product_tree"):
        out.append(Failure("6.1.27.4", "$.product_tree", "a security advisory needs one"))
    vulns = doc.get("vulnerabilities") or []
    if not vulns:
        out.append(Failure("6.1.27.11", "$.vulnerabilities", "a security advisory needs one"))
    for i, v in enumerate(vulns):
        if not v.get("notes"):
            out.append(Failure("6.1.27.5", f"$.vulnerabilities[{i}].notes", "missing"))
        if not v.get("product_status"):
            out.append(Failure("6.1.27.6", f"$.vulnerabilities[{i}].product_status", "missing"))
    return out


def check(doc: dict[str, Any]) -> list[Failure]:
    """Every implemented mandatory test, failures sorted by test id and path."""
    failures = (
        product_ids(doc)
        + product_status(doc)
        + scores(doc)
        + purls(doc)
        + tracking(doc)
        + profile(doc)
    )
    return sorted(failures, key=lambda f: (f.test, f.path))
