"""Postmarket communication (issue 14, items 4 and 5): CSAF 2.0 advisories published as a
provider, coordinated vulnerability disclosure intake and triage, and ``security.txt``.

Built on the pipeline, like ``watch/``; the edges (``soupwatch advisory``, ``soupwatch
disclosure``, ``server/routes/provider.py`` and ``disclosure.py``) call these modules:

- :mod:`~soupwatch.disclosure.publish`: validate and publish an advisory (and VEX beside it)
- :mod:`~soupwatch.disclosure.provider`: the ``/.well-known/csaf/`` directory, static export
- :mod:`~soupwatch.disclosure.layout`: file names, index.txt, changes.csv, provider metadata
- :mod:`~soupwatch.disclosure.client`: read a provider back as an aggregator does
- :mod:`~soupwatch.disclosure.intake`: disclosure reports, tracking ids, triage
- :mod:`~soupwatch.disclosure.securitytxt`: RFC 9116
"""

from soupwatch.disclosure.client import FetchResult, ProviderReader, fetch_provider
from soupwatch.disclosure.intake import (
    FIELD_LIMITS,
    IntakeLimits,
    NewReport,
    Receipt,
    get_report,
    list_reports,
    report_status,
    submit,
    triage,
)
from soupwatch.disclosure.layout import directory_url, encode, metadata_problems
from soupwatch.disclosure.provider import (
    Served,
    current_metadata,
    directory_entry,
    export_provider,
    public_key,
)
from soupwatch.disclosure.publish import (
    Published,
    advisory_problems,
    affected_customers,
    publish_advisory,
    publish_document,
)
from soupwatch.disclosure.securitytxt import SecurityTxt, security_txt
from soupwatch.disclosure.settings import (
    SHIPPED_SCHEMAS,
    ProviderSettings,
    SecurityTxtSettings,
    provider_settings,
    security_txt_settings,
)

__all__ = [
    "FIELD_LIMITS",
    "SHIPPED_SCHEMAS",
    "FetchResult",
    "IntakeLimits",
    "NewReport",
    "ProviderReader",
    "ProviderSettings",
    "Published",
    "Receipt",
    "SecurityTxt",
    "SecurityTxtSettings",
    "Served",
    "advisory_problems",
    "affected_customers",
    "current_metadata",
    "directory_entry",
    "directory_url",
    "encode",
    "export_provider",
    "fetch_provider",
    "get_report",
    "list_reports",
    "metadata_problems",
    "provider_settings",
    "public_key",
    "publish_advisory",
    "publish_document",
    "report_status",
    "security_txt",
    "security_txt_settings",
    "submit",
    "triage",
]
