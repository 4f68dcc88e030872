"""SPDX 2.x XML (spdx-tools' encoding, root ``<Document>``) mapped to the SPDX JSON shape.

xmltodict reads the text after defusedxml refused entity declarations; fields that are
lists in JSON but single elements in XML are wrapped as spdx-tools does
(``spdx_tools.spdx.parser.xml.xml_parser.LIST_LIKE_FIELDS``).
"""

from __future__ import annotations

from typing import Any

import xmltodict
from spdx_tools.spdx.parser.xml.xml_parser import LIST_LIKE_FIELDS

from soupwatch.model import SbomDocument
from soupwatch.sbom.detect import Loaded
from soupwatch.sbom.spdx import SpdxReader

_LISTS = frozenset(LIST_LIKE_FIELDS)


def _fix_lists(data: Any) -> Any:
    if isinstance(data, dict):
        out = {}
        for key, value in data.items():
            if key in _LISTS and not isinstance(value, list):
                out[key] = [_fix_lists(value)] if value else []
            else:
                out[key] = _fix_lists(value)
        return out
    if isinstance(data, list):
        return [_fix_lists(v) for v in data]
    return data


class SpdxXmlReader(SpdxReader):
    """Reads SPDX 2.x XML."""

    format_name = "SPDX XML"

    def read(self, loaded: Loaded) -> SbomDocument:
        """Map the XML to the JSON shape and read it."""
        parsed = xmltodict.parse(loaded.text, disable_entities=True)
        root = next(iter(parsed.values())) if isinstance(parsed, dict) and parsed else None
        if not isinstance(root, dict):
            raise self.fail("empty SPDX XML document", "line 1")
        return self.read_document(_fix_lists(root))
