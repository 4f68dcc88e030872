"""E-mail over STARTTLS with login, to aiosmtpd with a self-signed certificate: delivered when
the certificate is trusted, a one-line DeliveryError (no password in it) when it is not."""

from __future__ import annotations

import email
import email.policy
import ssl
from datetime import date
from pathlib import Path

import pytest

from soupwatch.errors import DeliveryError
from soupwatch.model.notify import Channel, ChannelKind, Delivery, EmailSecurity, Event, RuleKind
from soupwatch.notify.delivery import send_email

from .conftest import SMTP_PASSWORD, SMTP_USER, T0, self_signed, smtp_server

EVENT = Event(
    key="end_of_support|infusion-pump|0.9|openssl@1.0.1f|2016-12-31",
    kind=RuleKind.END_OF_SUPPORT,
    product="infusion-pump",
    release="0.9",
    title="End of support on 2016-12-31: openssl 1.0.1f in infusion-pump 0.9",
    summary="Support for openssl 1.0.1f ends on 2016-12-31.",
    facts=(("component", "openssl 1.0.1f"),),
    due=date(2016, 12, 31),
)


def test_starttls_login_then_untrusted_certificate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cert, key = self_signed(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    delivery = Delivery(1, "mail", 1, EVENT, T0, 0, T0, None, None)
    with smtp_server(server_tls) as box:
        channel = Channel(
            "mail",
            ChannelKind.EMAIL,
            "psirt@example.org",
            smtp_host="127.0.0.1",
            smtp_port=box.port,
            smtp_security=EmailSecurity.STARTTLS,
            smtp_user=SMTP_USER,
        )
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the client trusts the test CA
        send_email(channel, SMTP_PASSWORD, delivery)
        assert box.logins == [SMTP_USER] and box.messages[0]["tls"]
        parsed = email.message_from_string(box.messages[0]["data"], policy=email.policy.default)
        assert parsed["Subject"].strip() == f"[soupwatch] {EVENT.title}"
        assert parsed["To"] == "psirt@example.org"
        monkeypatch.delenv("SSL_CERT_FILE")
        with pytest.raises(DeliveryError) as err:
            send_email(channel, SMTP_PASSWORD, delivery)
        assert "CERTIFICATE_VERIFY_FAILED" in str(err.value) and "\n" not in str(err.value)
        assert SMTP_PASSWORD not in str(err.value) and len(box.messages) == 1
