"""Device profiles: the device's context that turns a CVE list into risk.

A profile is YAML, validated by ``profile.schema.json`` (shipped next to this module) and
loaded into frozen dataclasses. It says what the device is (FDA class, IEC 62304 software
safety class, intended use), how each interface is exposed and which components serve it,
what data and functions are at stake in the MITRE rubric's categories with the harm a loss of
confidentiality, integrity or availability can do (ISO 14971 severity), the compensating
controls, stored per-vulnerability rubric answers and policy overrides.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import fastjsonschema

from soupwatch.config import input_limits
from soupwatch.errors import RiskError
from soupwatch.model.component import Component
from soupwatch.untrusted import decode_text, load_yaml, read_bytes


class Exposure(StrEnum):
    """How far an attacker must be to reach an interface (most exposed first)."""

    INTERNET = "internet"
    HOSPITAL_NETWORK = "hospital-network"
    ADJACENT_RADIO = "adjacent-radio"
    PHYSICAL_ONLY = "physical-only"
    NONE = "none"

    @property
    def rank(self) -> int:
        """0 for the most exposed (internet) to 4 (not exposed)."""
        return _EXPOSURE_RANK[self]


class Category(StrEnum):
    """The MITRE rubric's categories of data and functionality at stake."""

    PHI_PII = "phi_pii"
    DIAGNOSIS_MONITORING = "diagnosis_monitoring"
    THERAPY_DELIVERY = "therapy_delivery"
    CLINICAL_WORKFLOW = "clinical_workflow"
    SYSTEM_SECRETS = "system_secrets"


class Harm(StrEnum):
    """ISO 14971 severity of harm (the standard's informative five-level scale)."""

    NEGLIGIBLE = "negligible"
    MINOR = "minor"
    SERIOUS = "serious"
    CRITICAL = "critical"
    CATASTROPHIC = "catastrophic"

    @property
    def rank(self) -> int:
        """0 (negligible) to 4 (catastrophic)."""
        return _HARM_RANK[self]


_EXPOSURE_RANK = {e: n for n, e in enumerate(Exposure)}
_HARM_RANK = {h: n for n, h in enumerate(Harm)}

METRIC_VALUES = {
    "MAV": "NALP",
    "MAC": "LH",
    "MPR": "NLH",
    "MUI": "NR",
    "MS": "UC",
    "MC": "NLH",
    "MI": "NLH",
    "MA": "NLH",
    "CR": "LMH",
    "IR": "LMH",
    "AR": "LMH",
}
"""Allowed values of each modified metric a rubric answer can set (CVSS 3.1)."""

LOSS_TYPES = ("confidentiality", "integrity", "availability")
"""The three kinds of loss, spelled as the profile spells them."""


@cache
def name_key(name: str) -> str:
    """A name for matching: lower case, without spaces, dashes, dots or underscores."""
    return re.sub(r"[\s\-_.]+", "", name.lower())


FAMILIES = {"qt": ("qt", "libqt"), "linux": ("linux",)}
"""Product families a profile may name once: ``qt`` places ``qtbase``, ``qtdeclarative``,
``libqt5core5a``…; ``linux`` places ``linux-image-…``/``linux-kernel`` (name-key prefixes)."""


@cache
def identity_keys(name: str, purl: str | None = None, cpe: str | None = None) -> frozenset[str]:
    """Every key a component (or a selector) is known by: its folded name, its purl's name,
    its CPE ``vendor:product``, and the product it is in the alias table (``libssl`` and
    ``pkg:deb/debian/openssl`` and ``cpe:…:openssl:openssl`` are all ``product:openssl``)."""
    from soupwatch.match.aliases import by_cpe, by_name, by_purl

    keys = {name_key(name)}
    found = by_name(name)
    if found:
        keys.add("product:" + found.alias.names[0])
    if purl:
        keys.add(name_key(purl.split("@")[0].split("?")[0].rsplit("/", 1)[-1]))
        via = by_purl(purl)
        if via:
            keys.add("product:" + via.alias.names[0])
    if cpe:
        parts = cpe.split(":")
        if len(parts) > 5 and parts[1] == "2.3":
            keys.add(f"cpe:{parts[3]}:{parts[4]}")
            alias = by_cpe((parts[3], parts[4]))
            if alias:
                keys.add("product:" + alias.names[0])
    return frozenset(k for k in keys if k)


@dataclass(frozen=True, slots=True)
class ComponentSelector:
    """Names a component in a profile by identity: name, product family, purl or CPE."""

    name: str
    version: str | None = None
    purl: str | None = None
    cpe: str | None = None
    """``vendor:product`` (or a whole CPE 2.3 name): places every component with that CPE."""

    def matches(self, component: Component) -> bool:
        """True when the component is the one this selector names.

        By purl prefix when both have one; else by identity: names compare ignoring case,
        spaces, dashes, dots and underscores (``Mbed TLS`` is ``mbedtls``), against the
        component's name, its purl's name, its CPE product and the product the alias table
        knows it as (``libssl3`` is OpenSSL); a family name (``qt``) places every module.
        """
        if self.purl and component.purl:
            return component.purl.split("?")[0].lower().startswith(self.purl.lower())
        have = identity_keys(component.name, component.purl, component.cpe)
        if self.cpe:
            vp = (
                self.cpe.split(":")[3:5] if self.cpe.startswith("cpe:2.3:") else self.cpe.split(":")
            )
            if "cpe:" + ":".join(vp[:2]).lower() not in have:
                return False
        else:
            wanted = identity_keys(self.name)
            prefixes = FAMILIES.get(name_key(self.name), ())
            if not (wanted & have) and not any(
                k.startswith(p) for k in have for p in prefixes if not k.startswith("product:")
            ):
                return False
        return self.version is None or self.version == component.version


@dataclass(frozen=True, slots=True)
class Interface:
    """An interface of the device, how exposed it is, and the components that serve it."""

    type: str
    exposure: Exposure
    components: tuple[ComponentSelector, ...]
    name: str | None = None
    authentication: str | None = None
    peers: tuple[str, ...] = ()
    """The peers the device is expected to talk to on it (unusual-activity allow-list)."""

    @property
    def label(self) -> str:
        """``wifi (hospital-network)`` for explanations."""
        return f"{self.name or self.type} ({self.exposure.value})"


@dataclass(frozen=True, slots=True)
class LossHarm:
    """The harm one kind of loss (C, I or A) of an asset can do."""

    severity: Harm
    patients: str = "one"
    hazard: str | None = None


@dataclass(frozen=True, slots=True)
class Asset:
    """Data or functions of one rubric category, with the harm of each kind of loss."""

    category: Category
    description: str | None
    harms: tuple[tuple[str, LossHarm], ...]

    def harm(self, loss: str) -> LossHarm | None:
        """The harm of ``confidentiality`` / ``integrity`` / ``availability`` loss, if stated."""
        for name, harm in self.harms:
            if name == loss:
                return harm
        return None


@dataclass(frozen=True, slots=True)
class Control:
    """A compensating control: what it protects and its effect as a modified CVSS metric."""

    name: str
    protects: tuple[str, ...]
    metric: str
    value: str
    description: str | None = None


@dataclass(frozen=True, slots=True)
class ProfileAnswer:
    """A per-vulnerability rubric answer written in the profile."""

    vulnerability: str
    metric: str
    value: str
    reason: str
    author: str
    component: str | None = None


@dataclass(frozen=True, slots=True)
class DeviceProfile:
    """A device profile, as loaded from YAML."""

    name: str
    fda_class: str
    iec62304_class: str
    intended_use: str
    interfaces: tuple[Interface, ...]
    assets: tuple[Asset, ...]
    controls: tuple[Control, ...] = ()
    answers: tuple[ProfileAnswer, ...] = ()
    policy: tuple[tuple[str, Any], ...] = ()
    product: str | None = None
    patients_per_device: str = "one"
    source: str | None = None

    owner: str | None = None
    """Who judges findings awaiting assessment; None: unassigned (said so in every view)."""
    unplaced_exposure: Exposure | None = None
    """How exposed a component on no interface is taken to be; None (the default): unknown,
    so the vulnerability's own attack vector is kept (conservative)."""

    def unplaced(self, components: Iterable[Component]) -> tuple[Component, ...]:
        """The components no interface names (listed in ``assess`` and the report)."""
        if not self.interfaces:
            return ()
        return tuple(c for c in components if not self.interfaces_of(c))

    def interfaces_of(self, component: Component) -> tuple[Interface, ...]:
        """The interfaces that the component serves, most exposed first."""
        found = [i for i in self.interfaces if any(s.matches(component) for s in i.components)]
        return tuple(sorted(found, key=lambda i: (i.exposure.rank, i.type)))

    def asset(self, category: Category) -> Asset | None:
        """The asset of a category, if the profile states it."""
        return next((a for a in self.assets if a.category == category), None)

    def worst_harm(self, loss: str) -> tuple[Harm, Category] | None:
        """The worst harm a loss of this kind can do, and the category it comes from."""
        worst: tuple[Harm, Category] | None = None
        for asset in self.assets:
            h = asset.harm(loss)
            if h and (worst is None or h.severity.rank > worst[0].rank):
                worst = (h.severity, asset.category)
        return worst


@cache
def profile_schema() -> dict[str, Any]:
    """The JSON Schema of device profiles (``risk/profile.schema.json``)."""
    text = resources.files("soupwatch.risk").joinpath("profile.schema.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def yaml_path(path: Any) -> str:
    """A jsonschema error path as ``interfaces[0].exposure`` (``$`` for the root)."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "$"


def read_yaml(path: Path, what: str) -> Any:
    """Read a YAML file within the run's input limits, turning I/O, encoding, syntax and limit
    errors into a one-line :class:`RiskError`."""
    limits = input_limits()

    def fail(message: str, where: str | None) -> RiskError:
        if message.startswith("cannot read"):
            message = message.replace("cannot read file", f"cannot read the {what}", 1)
        elif message.startswith("invalid YAML: "):
            message = "not valid YAML: " + message[len("invalid YAML: ") :]
        return RiskError(message, path=str(path), where=where)

    data, _cleaned = load_yaml(decode_text(read_bytes(path, limits, fail), fail), limits, fail)
    return data


@cache
def _compiled(schema_text: str) -> Any:
    """A schema compiled by fastjsonschema, once per process (draft-7 keywords only)."""
    return fastjsonschema.compile(json.loads(schema_text), use_formats=False)


def validate(data: Any, schema: dict[str, Any], path: Path, what: str) -> None:
    """Validate against a schema; the first error (deepest path first) names its YAML path.

    The compiled validator decides; only an invalid document pays for importing jsonschema
    (~3 s of format-checker grammars), which words the error and finds its path.
    """
    try:
        _compiled(json.dumps(schema, sort_keys=True))(data)
        return
    except fastjsonschema.JsonSchemaValueException as fast:
        import jsonschema

        validator = jsonschema.Draft202012Validator(schema)
        errors = sorted(
            validator.iter_errors(data), key=lambda e: (-len(e.path), list(map(str, e.path)))
        )
        if not errors:  # the validators disagree: trust the stricter one
            raise RiskError(f"invalid {what}: {fast.message}", path=str(path)) from fast
        err = errors[0]
        raise RiskError(
            f"invalid {what}: {err.message}", path=str(path), where=yaml_path(err.path)
        ) from None


def load_profile(path: Path) -> DeviceProfile:
    """Load and validate a device profile; bad input raises :class:`RiskError` naming the place."""
    data = read_yaml(path, "device profile")
    validate(data, profile_schema(), path, "device profile")
    return profile_from_dict(data, source=str(path))


def _selector(raw: str | dict[str, Any]) -> ComponentSelector:
    if isinstance(raw, str):
        return ComponentSelector(name=raw)
    return ComponentSelector(
        name=raw["name"], version=raw.get("version"), purl=raw.get("purl"), cpe=raw.get("cpe")
    )


def _check_protects(
    data: dict[str, Any], interfaces: tuple[Interface, ...], source: str | None
) -> None:
    known = {"all"} | {c.value for c in Category}
    known |= {i.type for i in interfaces} | {i.name for i in interfaces if i.name}
    for n, control in enumerate(data.get("controls") or ()):
        for m, target in enumerate(control["protects"]):
            if target not in known:
                raise RiskError(
                    f"invalid device profile: control protects {target!r}, which is neither an "
                    "interface type or name, an asset category, nor 'all'",
                    path=source,
                    where=f"controls[{n}].protects[{m}]",
                )


def _interfaces(data: dict[str, Any]) -> tuple[Interface, ...]:
    return tuple(
        Interface(
            type=i["type"],
            exposure=Exposure(i["exposure"]),
            components=tuple(_selector(c) for c in i["components"]),
            name=i.get("name"),
            authentication=i.get("authentication"),
            peers=tuple(i.get("peers", ())),
        )
        for i in data["interfaces"]
    )


def _assets(data: dict[str, Any]) -> tuple[Asset, ...]:
    def harm(raw: dict[str, Any]) -> LossHarm:
        return LossHarm(Harm(raw["severity"]), raw.get("patients", "one"), raw.get("hazard"))

    return tuple(
        Asset(
            category=Category(cat),
            description=raw.get("description"),
            harms=tuple((loss, harm(raw[loss])) for loss in LOSS_TYPES if loss in raw),
        )
        for cat, raw in sorted(data["assets"].items())
    )


def _answers(data: dict[str, Any], source: str | None) -> tuple[ProfileAnswer, ...]:
    out = []
    for n, a in enumerate(data.get("answers") or ()):
        allowed = METRIC_VALUES[a["metric"]]
        if a["value"] not in allowed:
            raise RiskError(
                f"invalid device profile: {a['metric']} takes one of {', '.join(allowed)}, "
                f"not {a['value']!r}",
                path=source,
                where=f"answers[{n}].value",
            )
        out.append(
            ProfileAnswer(
                a["vulnerability"],
                a["metric"],
                a["value"],
                a["reason"],
                a["author"],
                a.get("component"),
            )
        )
    return tuple(out)


def profile_from_dict(data: dict[str, Any], *, source: str | None = None) -> DeviceProfile:
    """Build a profile from schema-valid data; semantic errors raise ``RiskError``."""
    device = data["device"]
    interfaces = _interfaces(data)
    _check_protects(data, interfaces, source)
    controls = tuple(
        Control(
            name=c["name"],
            protects=tuple(c["protects"]),
            metric=c["effect"].split(":")[0],
            value=c["effect"].split(":")[1],
            description=c.get("description"),
        )
        for c in data.get("controls") or ()
    )
    return DeviceProfile(
        name=device["name"],
        fda_class=device["fda_class"],
        iec62304_class=device["iec62304_class"],
        intended_use=device["intended_use"],
        interfaces=interfaces,
        assets=_assets(data),
        controls=controls,
        answers=_answers(data, source),
        policy=tuple(sorted((data.get("policy") or {}).items())),
        product=device.get("product"),
        patients_per_device=device.get("patients_per_device", "one"),
        source=source,
        owner=device.get("owner"),
        unplaced_exposure=Exposure(device["unplaced_exposure"])
        if device.get("unplaced_exposure")
        else None,
    )


def default_profile() -> DeviceProfile:
    """A profile that states nothing: every rubric answer falls back to its default."""
    return DeviceProfile(
        name="none (default rubric answers)",
        fda_class="not stated",
        iec62304_class="",
        intended_use="not stated",
        interfaces=(),
        assets=(),
    )
