"""Routers of the server: ``api`` (inventory, findings, uploads, assessments), ``intel``
(impact, feed status, VEX decisions), ``dashboard`` (server-rendered HTML)."""
