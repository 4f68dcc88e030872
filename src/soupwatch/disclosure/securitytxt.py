"""``security.txt`` (RFC 9116): where researchers report vulnerabilities.

Fields in the RFC's order: Contact (one or more, required), Expires (exactly one, required),
Encryption, Acknowledgments, Preferred-Languages, Canonical, Policy, Hiring. Every URI field
must be a URI; a web URI must be https (RFC 9116 section 2.3). An Expires in the past is
refused; one within ``warn_within`` (or more than a year ahead, against the RFC's advice) is
warned about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from soupwatch.disclosure.settings import SecurityTxtSettings
from soupwatch.errors import ConfigError

_URI = re.compile(r"^(?:https://|mailto:|tel:|dns:|openpgp4fpr:)[^\s]+$")
_HTTPS = re.compile(r"^https://[^\s]+$")


@dataclass(frozen=True, slots=True)
class SecurityTxt:
    """The file's text, and what its publisher should be told (near expiry)."""

    text: str
    warnings: tuple[str, ...]


def _check(field: str, value: str, pattern: re.Pattern[str] = _HTTPS) -> str:
    if not pattern.match(value):
        want = "an https://, mailto: or tel: URI" if pattern is _URI else "an https:// URL"
        raise ConfigError(f"{field} must be {want}, not {value!r}", where=f"security.txt {field}")
    return value


def security_txt(settings: SecurityTxtSettings, now: datetime) -> SecurityTxt:
    """The ``security.txt`` of ``settings`` at ``now``; ConfigError naming the bad field."""
    if not settings.contacts:
        raise ConfigError("Contact is required", where="security.txt Contact")
    expires = settings.expires.astimezone(UTC)
    if expires <= now:
        raise ConfigError(
            f"Expires {expires:%Y-%m-%dT%H:%M:%SZ} has passed; set a new one",
            where="security.txt Expires",
        )
    warnings: list[str] = []
    if expires - now < settings.warn_within:
        warnings.append(
            f"security.txt expires in {(expires - now).days} day(s) "
            f"({expires:%Y-%m-%dT%H:%M:%SZ}); set a new Expires"
        )
    if expires - now > timedelta(days=366):
        warnings.append("security.txt Expires is more than a year ahead (RFC 9116 2.5.5)")
    lines = [f"Contact: {_check('Contact', c, _URI)}" for c in settings.contacts]
    lines.append(f"Expires: {expires:%Y-%m-%dT%H:%M:%SZ}")
    optional = (
        ("Encryption", settings.encryption),
        ("Acknowledgments", settings.acknowledgments),
    )
    lines += [f"{k}: {_check(k, v)}" for k, v in optional if v]
    if settings.preferred_languages:
        if not re.fullmatch(
            r"[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*(?:, ?[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*)*",
            settings.preferred_languages,
        ):
            raise ConfigError(
                "Preferred-Languages must be comma-separated language tags (RFC 5646)",
                where="security.txt Preferred-Languages",
            )
        lines.append(f"Preferred-Languages: {settings.preferred_languages}")
    lines += [f"Canonical: {_check('Canonical', c)}" for c in settings.canonical]
    lines += [
        f"{k}: {_check(k, v)}"
        for k, v in (("Policy", settings.policy), ("Hiring", settings.hiring))
        if v
    ]
    return SecurityTxt("\n".join(lines) + "\n", tuple(warnings))
