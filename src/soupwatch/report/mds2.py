"""MDS2 (ANSI/NEMA HN 1-2019) answers derivable from the data: the SBOM and RDMP sections.

Each answer is ``Yes``, ``No``, ``See note`` or ``N/A — not derivable`` and carries its
evidence: the counts it was computed from. Question texts are paraphrased from the form; the
manufacturer copies the answers into their own MDS2 form, which remains the document of record.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from soupwatch import __version__
from soupwatch.model.assessment import Assessment
from soupwatch.model.component import SupportLevel
from soupwatch.model.product import Release
from soupwatch.report.render import render_html
from soupwatch.report.table import iso

NOT_DERIVABLE = "N/A — not derivable"
ANSWERS = ("Yes", "No", "See note", NOT_DERIVABLE)


@dataclass(frozen=True, slots=True)
class Mds2Answer:
    """One MDS2 question with its answer and the evidence behind it."""

    id: str
    question: str
    answer: str
    evidence: str


def _share(n: int, total: int, what: str) -> tuple[str, str]:
    if total == 0:
        return "No", "no components are recorded for this release"
    text = f"{n} of {total} components {what}"
    return ("Yes" if n == total else "See note" if n else "No"), text


def sbom_answers(a: Assessment, release: Release | None) -> list[Mds2Answer]:
    """SBOM-1 … SBOM-4."""
    comps = [ac.component for ac in a.components]
    total = len(comps)
    fmt = (release.sbom_format if release else None) or "an unrecorded format"
    imported = f" at {iso(release.imported_at)}" if release and release.imported_at else ""
    ans = [
        Mds2Answer(
            "SBOM-1",
            "Is the SBOM for this product available?",
            "Yes" if total else "No",
            f"{total} components inventoried for release {a.release}; soupwatch exports "
            "them as CycloneDX 1.6 and SPDX 2.3 (report fda).",
        ),
        Mds2Answer(
            "SBOM-2",
            "Does the SBOM follow a standard or common method in describing software components?",
            "Yes" if total else "No",
            f"CycloneDX 1.6 / SPDX 2.3 on export; imported from {fmt}.",
        ),
    ]
    for qid, question, n, what in (
        (
            "SBOM-2.1",
            "Are the software components identified?",
            sum(1 for c in comps if c.purl or c.cpe or c.extra_identifiers),
            "have a unique identifier (purl, CPE or SWID)",
        ),
        (
            "SBOM-2.2",
            "Are the developers/manufacturers of the software components identified?",
            sum(1 for c in comps if c.supplier or c.author),
            "name their supplier or author",
        ),
        (
            "SBOM-2.3",
            "Are the major version numbers of the software components identified?",
            sum(1 for c in comps if c.version),
            "state a version",
        ),
        (
            "SBOM-2.4",
            "Are any additional descriptive elements identified?",
            sum(1 for c in comps if c.hashes or c.licenses),
            "carry a hash or a license",
        ),
    ):
        answer, evidence = _share(n, total, what)
        ans.append(Mds2Answer(qid, question, answer, evidence))
    ans.append(
        Mds2Answer(
            "SBOM-3",
            "Does the device include a command or process method to "
            "generate a list of the software components installed on it?",
            NOT_DERIVABLE,
            "a property of the device, not recorded in soupwatch",
        )
    )
    ans.append(
        Mds2Answer(
            "SBOM-4",
            "Is there an update process for the SBOM?",
            NOT_DERIVABLE,
            f"the manufacturer's process; soupwatch only shows the release was imported{imported}",
        )
    )
    return ans


def roadmap_answers(a: Assessment) -> list[Mds2Answer]:
    """RDMP-1 … RDMP-4."""
    total = len(a.components)
    dated = sum(1 for ac in a.components if ac.support.end_of_support is not None)
    known = sum(1 for ac in a.components if ac.support.level is not SupportLevel.UNKNOWN)
    assessed = len(a.findings)
    decided = sum(1 for f in a.findings if f.vex is not None)
    return [
        Mds2Answer(
            "RDMP-1",
            "Was a secure software development process, such as ISO/IEC 27034 "
            "or IEC 62304, followed during product development?",
            NOT_DERIVABLE,
            "a quality-system fact, not in the data",
        ),
        Mds2Answer(
            "RDMP-2",
            "Does the manufacturer evaluate third-party applications and "
            "software components included in the device for secure development "
            "practices?",
            "See note",
            f"third-party components are evaluated for known vulnerabilities: {assessed} "
            f"findings assessed, {decided} with a recorded VEX decision; the suppliers' "
            "development practices are not derivable",
        ),
        Mds2Answer(
            "RDMP-3",
            "Does the manufacturer maintain a web page or other source of "
            "information on software support dates and updates?",
            NOT_DERIVABLE,
            f"no publication is recorded; support dates are known for {dated} of "
            f"{total} components (see the SBOM addendum)",
        ),
        Mds2Answer(
            "RDMP-4",
            "Does the manufacturer have a plan for third-party component end of support?",
            "See note" if total else NOT_DERIVABLE,
            f"level of support known for {known} of {total} components, end-of-support "
            f"date for {dated}; the plan itself is not derivable",
        ),
    ]


def document(a: Assessment, release: Release | None, generated_at: datetime) -> dict[str, Any]:
    """The MDS2 answers as JSON."""

    def items(xs: list[Mds2Answer]) -> list[dict[str, str]]:
        return [
            {"id": x.id, "question": x.question, "answer": x.answer, "evidence": x.evidence}
            for x in xs
        ]

    return {
        "document": "soupwatch-mds2",
        "version": 1,
        "form": "ANSI/NEMA HN 1-2019",
        "product": a.product,
        "release": a.release,
        "assessed_at": iso(a.assessed_at),
        "generated_at": iso(generated_at),
        "generator": f"soupwatch {__version__}",
        "sections": {"SBOM": items(sbom_answers(a, release)), "RDMP": items(roadmap_answers(a))},
    }


def json_schema() -> dict[str, Any]:
    """Schema of the MDS2 JSON."""
    answer = {
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "question", "answer", "evidence"],
        "properties": {
            "id": {"type": "string", "pattern": r"^(SBOM|RDMP)-\d(\.\d)?$"},
            "question": {"type": "string", "minLength": 1},
            "answer": {"enum": list(ANSWERS)},
            "evidence": {"type": "string", "minLength": 1},
        },
    }
    stamp = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://soupwatch.dev/schemas/mds2.schema.json",
        "title": "soupwatch MDS2 answers (SBOM and roadmap sections)",
        "type": "object",
        "additionalProperties": False,
        "required": [
            "document",
            "version",
            "form",
            "product",
            "release",
            "assessed_at",
            "generated_at",
            "generator",
            "sections",
        ],
        "properties": {
            "document": {"const": "soupwatch-mds2"},
            "version": {"const": 1},
            "form": {"const": "ANSI/NEMA HN 1-2019"},
            "product": {"type": "string"},
            "release": {"type": "string"},
            "assessed_at": stamp,
            "generated_at": stamp,
            "generator": {"type": "string"},
            "sections": {
                "type": "object",
                "additionalProperties": False,
                "required": ["SBOM", "RDMP"],
                "properties": {
                    "SBOM": {"type": "array", "items": answer},
                    "RDMP": {"type": "array", "items": answer},
                },
            },
        },
    }


def render(a: Assessment, release: Release | None, generated_at: datetime, fmt: str) -> str:
    """The answers as ``json`` or ``html`` text, validated against the shipped schema."""
    from soupwatch.report.validate import validate_json

    doc = document(a, release, generated_at)
    validate_json("mds2", doc, where="MDS2 JSON")
    if fmt == "json":
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    return render_html("mds2.html.j2", {"doc": doc})
