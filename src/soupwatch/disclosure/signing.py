"""OpenPGP signatures of published files (CSAF 2.0 requirement 7.1.19, ``.asc``) and the public
key beside them (7.1.20), with pysequoia (Sequoia-PGP; ADR 0018), offline.

The key is an ASCII-armoured transferable secret key file (``SOUPWATCH_PROVIDER_SIGNING_KEY``,
its password in ``SOUPWATCH_PROVIDER_SIGNING_PASSWORD`` when it has one). pysequoia is the
``[signing]`` extra: without it a configured key is a :class:`~soupwatch.errors.MissingExtra`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from soupwatch.disclosure.settings import ProviderSettings
from soupwatch.errors import ConfigError, MissingExtra

KEY_DIRECTORY = "openpgp"
"""``/.well-known/csaf/openpgp/<FINGERPRINT>.asc``: the public key (CSAF 2.0 7.1.20)."""


def _sequoia() -> Any:
    try:
        import pysequoia
    except ImportError as err:
        raise MissingExtra("OpenPGP signing of advisories", "signing") from err
    return pysequoia


@dataclass(frozen=True, slots=True)
class Signer:
    """A loaded signing key: its fingerprint (upper-case hex) and armoured public key."""

    fingerprint: str
    public_key: str
    _signer: Any

    def sign(self, body: bytes) -> str:
        """The ASCII-armoured detached signature of ``body``."""
        ps = _sequoia()
        signature: bytes = ps.sign(self._signer, body, mode=ps.SignatureMode.DETACHED)
        return signature.decode("ascii")


def load_signer(path: Path, password: str | None = None) -> Signer:
    """The signer of the secret key file at ``path``; ConfigError naming it when it cannot be
    read, holds no secret key, or the password is wrong."""
    ps = _sequoia()
    try:
        tsk = ps.Tsk.from_file(str(path))
        signer = tsk.signer(password)
    except (OSError, RuntimeError, ValueError) as err:
        raise ConfigError(f"cannot use the OpenPGP signing key: {err}", path=str(path)) from err
    cert = tsk.extract_certificate()
    return Signer(str(cert.fingerprint).upper(), str(cert), signer)


def signature_problem(public_key: bytes, body: bytes, signature: bytes) -> str | None:
    """None when ``signature`` is a valid detached signature of ``body`` by ``public_key``;
    else what is wrong."""
    ps = _sequoia()
    try:
        cert = ps.Cert.from_bytes(public_key)
        sig = ps.Sig.from_bytes(signature)
        ps.verify(bytes=body, store=lambda _ids: [cert], signature=sig)
    except (RuntimeError, ValueError) as err:
        return f"OpenPGP signature does not verify: {str(err).splitlines()[0]}"
    return None


def provider_signer(settings: ProviderSettings) -> Signer | None:
    """The provider's signer (None: no key configured)."""
    if settings.signing_key is None:
        return None
    return load_signer(settings.signing_key, settings.signing_password)
