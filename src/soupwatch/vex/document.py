"""What every VEX format module shares: the export context, the import result, helpers."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from packageurl import PackageURL
from referencing.jsonschema import DRAFT7 as _DRAFT7

from soupwatch.errors import VexError
from soupwatch.model.vex import VexScope, VexStatement
from soupwatch.vex.statements import sort_key


@dataclass(frozen=True, slots=True)
class VexContext:
    """Who issues a VEX document about which device release, and when."""

    product: str
    release: str
    author: str
    now: datetime
    manufacturer: str | None = None


@dataclass(frozen=True, slots=True)
class ImportTarget:
    """Where imported statements land: ``--product``/``--release`` override the document."""

    product: str | None = None
    release: str | None = None


@dataclass(frozen=True, slots=True)
class ImportedVex:
    """Statements read from a VEX document, with what could not be read exactly."""

    format: str
    statements: tuple[VexStatement, ...]
    warnings: tuple[str, ...] = ()


def iso(dt: datetime) -> str:
    """An ISO 8601 UTC timestamp with a ``Z``, to the second or finer."""
    spec = "microseconds" if dt.microsecond else "seconds"
    return dt.astimezone(UTC).isoformat(timespec=spec).replace("+00:00", "Z")


def parse_time(value: Any, *, path: str, where: str) -> datetime | None:
    """Parse an ISO 8601 timestamp (``Z`` allowed); None when absent."""
    if value in (None, ""):
        return None
    try:
        dt = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as err:
        raise VexError(f"not an ISO 8601 timestamp: {value!r}", path=path, where=where) from err
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def device_purl(ctx: VexContext) -> str:
    """A purl naming the device release (``pkg:generic/<manufacturer>/<product>@<release>``)."""
    return PackageURL(
        type="generic", namespace=ctx.manufacturer, name=ctx.product, version=ctx.release
    ).to_string()


def component_purl(s: VexStatement) -> str | None:
    """The statement's component purl, or a ``pkg:generic`` one made from name and version."""
    if s.component_purl:
        return s.component_purl
    if s.component_name:
        return PackageURL(
            type="generic", name=s.component_name, version=s.component_version
        ).to_string()
    return None


def purl_identity(purl: str) -> tuple[str, str | None]:
    """(name, version) of a purl; raises ValueError on a malformed one."""
    p = PackageURL.from_string(purl)
    return p.name, p.version


def document_id(ctx: VexContext, statements: tuple[VexStatement, ...]) -> str:
    """A stable id for a document: same statements, same id."""
    body = json.dumps([[*list(sort_key(s)), s.state.value] for s in statements])
    return hashlib.sha256(f"{ctx.product}|{ctx.release}|{body}".encode()).hexdigest()[:16]


def place(
    s: VexStatement, target: ImportTarget, *, from_extension: bool, path: str, where: str
) -> VexStatement:
    """Give an imported statement its product, release and scope."""
    product = target.product or s.product
    if s.scope is VexScope.COMPONENT and from_extension:
        return replace(s, product=None, release=None)
    if from_extension:
        release = (target.release or s.release) if s.scope is VexScope.RELEASE else None
        return replace(s, product=product, release=release)
    if not product:
        raise VexError(
            "the document does not name the product: give --product", path=path, where=where
        )
    if target.release:
        return replace(s, product=product, release=target.release, scope=VexScope.RELEASE)
    return replace(s, product=product, release=None, scope=VexScope.PRODUCT)


def sorted_statements(statements: list[VexStatement]) -> tuple[VexStatement, ...]:
    """Statements in the order every format emits them."""
    return tuple(sorted(statements, key=sort_key))


def validate_json(
    doc: dict[str, Any], schema_file: Path, extra: tuple[Path, ...] = ()
) -> list[str]:
    """Errors of ``doc`` against a JSON schema file; ``extra`` schemas resolve ``$ref`` offline."""
    import jsonschema
    from referencing import Registry, Resource

    def load(p: Path) -> dict[str, Any]:
        try:
            value: dict[str, Any] = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as err:
            raise VexError(f"cannot read the schema: {err}", path=str(p)) from err
        return value

    schema = load(schema_file)
    registry: Registry[Any] = Registry()
    for p in extra:
        sub = load(p)
        resource = Resource.from_contents(sub, default_specification=_DRAFT7)
        for uri in {str(sub.get("$id") or sub.get("id") or ""), p.name} - {""}:
            registry = registry.with_resource(uri, resource)
        registry = registry.with_resource(f"https://www.first.org/cvss/{p.name}", resource)
    cls = jsonschema.validators.validator_for(schema)
    validator = cls(schema, registry=registry, format_checker=cls.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in errors]
