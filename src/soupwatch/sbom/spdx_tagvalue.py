"""SPDX 2.x tag-value mapped to the SPDX JSON shape (documents, packages, relationships).

Files, snippets and extracted licences are skipped: they are not components. Multi-line
values are ``<text>…</text>``. Unknown tags are ignored; a line that is neither a tag nor
inside a text block is reported with its line number by the reader's warnings.
"""

from __future__ import annotations

import re
from typing import Any

from soupwatch.model import SbomDocument
from soupwatch.sbom.detect import Loaded
from soupwatch.sbom.spdx import SpdxReader

_TAG = re.compile(r"^([A-Za-z][A-Za-z0-9_]*)\s*:\s?(.*)$")
_PACKAGE_FIELDS = {
    "PackageVersion": "versionInfo",
    "PackageSupplier": "supplier",
    "PackageOriginator": "originator",
    "PackageDownloadLocation": "downloadLocation",
    "PackageLicenseConcluded": "licenseConcluded",
    "PackageLicenseDeclared": "licenseDeclared",
    "PackageCopyrightText": "copyrightText",
    "PackageDescription": "description",
    "PackageSummary": "summary",
    "PrimaryPackagePurpose": "primaryPackagePurpose",
}
_ANNOTATION_FIELDS = {
    "Annotator": "annotator",
    "AnnotationDate": "annotationDate",
    "AnnotationType": "annotationType",
    "SPDXREF": "spdxElementId",
    "AnnotationComment": "comment",
}


def _tags(text: str, warnings: list[str]) -> list[tuple[int, str, str]]:
    """(line, tag, value) triples, ``<text>`` blocks joined."""
    out: list[tuple[int, str, str]] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = _TAG.match(line.strip())
        if not m:
            warnings.append(f"line {i}: not a tag-value line, ignored: {line.strip()[:60]!r}")
            continue
        tag, value, start = m.group(1), m.group(2).strip(), i
        if value.startswith("<text>"):
            parts = [value[len("<text>") :]]
            while "</text>" not in parts[-1] and i < len(lines):
                parts.append(lines[i])
                i += 1
            value = "\n".join(parts).split("</text>", 1)[0].strip()
        out.append((start, tag, value))
    return out


def to_json_shape(text: str, warnings: list[str]) -> dict[str, Any]:
    """Map tag-value text to the SPDX JSON shape."""
    doc: dict[str, Any] = {
        "packages": [],
        "relationships": [],
        "annotations": [],
        "creationInfo": {"creators": []},
    }
    current: dict[str, Any] | None = None
    annotation: dict[str, Any] | None = None
    for _line, tag, value in _tags(text, warnings):
        if tag == "PackageName":
            current = {"name": value, "checksums": [], "externalRefs": []}
            doc["packages"].append(current)
        elif tag in ("FileName", "SnippetSPDXID", "LicenseID"):
            current = None
        elif tag == "SPDXID":
            if current is not None and "SPDXID" not in current:
                current["SPDXID"] = value
            elif not doc["packages"] and "SPDXID" not in doc:
                doc["SPDXID"] = value
        elif tag == "Relationship":
            parts = value.split()
            if len(parts) >= 3:
                doc["relationships"].append(
                    {
                        "spdxElementId": parts[0],
                        "relationshipType": parts[1],
                        "relatedSpdxElement": parts[2],
                    }
                )
        elif tag in _ANNOTATION_FIELDS:
            if tag == "Annotator" or annotation is None:
                annotation = {}
                doc["annotations"].append(annotation)
            annotation[_ANNOTATION_FIELDS[tag]] = value
        elif tag == "SPDXVersion":
            doc["spdxVersion"] = value
        elif tag in ("DocumentName", "DocumentNamespace"):
            doc["name" if tag == "DocumentName" else "documentNamespace"] = value
        elif tag == "Creator":
            doc["creationInfo"]["creators"].append(value)
        elif tag == "Created":
            doc["creationInfo"]["created"] = value
        elif current is not None:
            _package_tag(current, tag, value)
    return doc


def _package_tag(pkg: dict[str, Any], tag: str, value: str) -> None:
    if tag in _PACKAGE_FIELDS:
        pkg[_PACKAGE_FIELDS[tag]] = value
    elif tag == "PackageChecksum":
        alg, _, digest = value.partition(":")
        pkg["checksums"].append({"algorithm": alg.strip(), "checksumValue": digest.strip()})
    elif tag == "ExternalRef":
        parts = value.split(None, 2)
        if len(parts) == 3:
            pkg["externalRefs"].append(
                {
                    "referenceCategory": parts[0],
                    "referenceType": parts[1],
                    "referenceLocator": parts[2],
                }
            )


class SpdxTagValueReader(SpdxReader):
    """Reads SPDX 2.x tag-value (``SPDXVersion: SPDX-2.3`` …)."""

    format_name = "SPDX tag-value"

    def read(self, loaded: Loaded) -> SbomDocument:
        """Map the text to the JSON shape, then read it."""
        return self.read_document(to_json_shape(loaded.text, self.warnings))
