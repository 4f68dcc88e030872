"""What the provider and the disclosure desk are configured with (server options, CLI flags).

Read from the environment by :func:`provider_settings` and :func:`security_txt_settings`
(``SOUPWATCH_PROVIDER_*``, ``SOUPWATCH_SECURITY_TXT_*``; docs/advisories.md,
docs/disclosure.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from soupwatch.errors import ConfigError

SHIPPED_SCHEMAS = Path(__file__).with_name("schemas")
"""The CSAF 2.0 and CVSS schemas shipped with soupwatch (``schemas/csaf-2.0/``)."""

PUBLISHER_CATEGORIES = frozenset(
    {"coordinator", "discoverer", "other", "translator", "user", "vendor"}
)
"""CSAF 2.0 ``/document/publisher/category``."""


@dataclass(frozen=True, slots=True)
class ProviderSettings:
    """The CSAF provider: its publisher, where it is reached, the schemas it validates with."""

    publisher: str
    namespace: str
    """The publisher's namespace URL (``https://psirt.example.com``)."""
    category: str = "vendor"
    contact_details: str = ""
    base_url: str | None = None
    """The server's public base URL (``https://psirt.example.com``); None: the request's."""
    schemas: Path = SHIPPED_SCHEMAS
    """The folder holding ``csaf-2.0/csaf_json_schema.json`` and the CVSS schemas."""
    list_on_aggregators: bool = True
    mirror_on_aggregators: bool = True
    signing_key: Path | None = None
    """An ASCII-armoured OpenPGP secret key file: every published file gets a ``.asc``."""
    signing_password: str | None = None

    def __post_init__(self) -> None:
        if self.category not in PUBLISHER_CATEGORIES:
            raise ConfigError(
                f"publisher category {self.category!r} is not one of "
                f"{', '.join(sorted(PUBLISHER_CATEGORIES))}",
                where="provider",
            )


@dataclass(frozen=True, slots=True)
class SecurityTxtSettings:
    """The fields of ``/.well-known/security.txt`` (RFC 9116): Contact and Expires required."""

    contacts: tuple[str, ...]
    expires: datetime
    policy: str | None = None
    acknowledgments: str | None = None
    encryption: str | None = None
    canonical: tuple[str, ...] = ()
    preferred_languages: str = "en"
    hiring: str | None = None
    warn_within: timedelta = timedelta(days=30)
    """Expiry closer than this is warned about (RFC 9116 2.5.5 recommends less than a year)."""


def _flag(value: str | None, default: bool) -> bool:
    return default if value is None else value.strip().lower() in {"1", "true", "yes"}


def provider_settings(env: dict[str, str]) -> ProviderSettings | None:
    """Provider settings from ``SOUPWATCH_PROVIDER_PUBLISHER`` (required: else None),
    ``…_NAMESPACE``, ``…_CATEGORY``, ``…_CONTACT``, ``…_BASE_URL``, ``…_LIST``, ``…_MIRROR``,
    ``…_SIGNING_KEY``, ``…_SIGNING_PASSWORD``."""
    publisher = env.get("SOUPWATCH_PROVIDER_PUBLISHER", "").strip()
    if not publisher:
        return None
    namespace = env.get("SOUPWATCH_PROVIDER_NAMESPACE", "").strip()
    if not namespace.startswith(("https://", "http://")):
        raise ConfigError(
            "SOUPWATCH_PROVIDER_NAMESPACE must be the publisher's URL (https://…)",
            where="SOUPWATCH_PROVIDER_NAMESPACE",
        )
    return ProviderSettings(
        publisher=publisher,
        namespace=namespace,
        category=env.get("SOUPWATCH_PROVIDER_CATEGORY", "vendor"),
        contact_details=env.get("SOUPWATCH_PROVIDER_CONTACT", ""),
        base_url=env.get("SOUPWATCH_PROVIDER_BASE_URL") or None,
        list_on_aggregators=_flag(env.get("SOUPWATCH_PROVIDER_LIST"), True),
        mirror_on_aggregators=_flag(env.get("SOUPWATCH_PROVIDER_MIRROR"), True),
        signing_key=Path(key) if (key := env.get("SOUPWATCH_PROVIDER_SIGNING_KEY")) else None,
        signing_password=env.get("SOUPWATCH_PROVIDER_SIGNING_PASSWORD") or None,
    )


def security_txt_settings(env: dict[str, str]) -> SecurityTxtSettings | None:
    """security.txt settings from ``SOUPWATCH_SECURITY_TXT_CONTACT`` (space-separated URIs;
    required: else None), ``…_EXPIRES`` (ISO 8601, required with a contact), ``…_POLICY``,
    ``…_ACKNOWLEDGMENTS``, ``…_ENCRYPTION``, ``…_CANONICAL``, ``…_LANGUAGES``, ``…_HIRING``."""
    contacts = tuple(env.get("SOUPWATCH_SECURITY_TXT_CONTACT", "").split())
    if not contacts:
        return None
    text = env.get("SOUPWATCH_SECURITY_TXT_EXPIRES", "")
    try:
        expires = datetime.fromisoformat(text)
    except ValueError as err:
        raise ConfigError(
            f"Expires is required and must be an ISO 8601 date-time, not {text!r}",
            where="SOUPWATCH_SECURITY_TXT_EXPIRES",
        ) from err
    if expires.tzinfo is None:
        raise ConfigError(
            "Expires needs a time zone (…Z or +01:00)", where="SOUPWATCH_SECURITY_TXT_EXPIRES"
        )
    return SecurityTxtSettings(
        contacts=contacts,
        expires=expires,
        policy=env.get("SOUPWATCH_SECURITY_TXT_POLICY") or None,
        acknowledgments=env.get("SOUPWATCH_SECURITY_TXT_ACKNOWLEDGMENTS") or None,
        encryption=env.get("SOUPWATCH_SECURITY_TXT_ENCRYPTION") or None,
        canonical=tuple(env.get("SOUPWATCH_SECURITY_TXT_CANONICAL", "").split()),
        preferred_languages=env.get("SOUPWATCH_SECURITY_TXT_LANGUAGES") or "en",
        hiring=env.get("SOUPWATCH_SECURITY_TXT_HIRING") or None,
    )
