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
