"""The edges (cli/, server/) reach stages only through their public faces.

import-linter (``lint-imports``, contracts in pyproject.toml) checks the layer rules; it cannot say
"a package's ``__init__`` or ``interface`` module but no other module of it", so this test does.
An edge may import:

- ``soupwatch`` itself, ``soupwatch.pipeline``, ``soupwatch.errors``, ``soupwatch.config``;
- anything in ``soupwatch.model`` (the shared vocabulary);
- the other edge modules (``cli`` starts ``server``);
- a stage's face: ``soupwatch.<stage>`` or ``soupwatch.<stage>.interface``; store/ counts as a
  stage here (its face is how an edge opens the database).

Today's exceptions are listed in ``ALLOWED``. The list may only shrink: a new violation fails, and
so does a listed one that has gone (delete its line), so the list always says what is left to do.
"""

from __future__ import annotations

import grimp

ROOT = "soupwatch"
EDGES = ("cli", "server")
STAGES = frozenset(
    {
        "sbom",
        "discover",
        "intel",
        "match",
        "triage",
        "risk",
        "vex",
        "report",
        "watch",
        "monitor",
        "fleet",
        "jobs",
        "notify",
        "disclosure",
        "incidents",
        "store",
    }
)
OPEN = frozenset({ROOT, f"{ROOT}.pipeline", f"{ROOT}.errors", f"{ROOT}.config"})

# Each pair is (edge module, stage module it imports past the stage's face). The flows behind
# them are what is left to move into pipeline/ (or the stage's face); delete a line when one goes.
ALLOWED = frozenset(
    {
        ("soupwatch.cli.assess_cmd", "soupwatch.risk.rubric"),
        ("soupwatch.cli.assess_cmd", "soupwatch.risk.support"),
        ("soupwatch.cli.audit_cmd", "soupwatch.vex.audit"),
        ("soupwatch.cli.common", "soupwatch.store.db"),
        ("soupwatch.cli.scan_cmd", "soupwatch.match.output"),
        ("soupwatch.cli.scan_cmd", "soupwatch.match.versions"),
        ("soupwatch.cli.scan_cmd", "soupwatch.report.sarif"),
        ("soupwatch.cli.watch_cmd", "soupwatch.watch.delta"),
        ("soupwatch.cli.watch_cmd", "soupwatch.watch.output"),
        ("soupwatch.server.app", "soupwatch.store.db"),
        ("soupwatch.server.routes.dashboard", "soupwatch.watch.impact"),
        ("soupwatch.server.views", "soupwatch.store.db"),
    }
)


def edge_may_import(module: str) -> bool:
    """Whether an edge module may import ``module`` (a soupwatch module) under the rule above."""
    if module in OPEN:
        return True
    parts = module.split(".")
    if parts[1] == "model" or parts[1] in EDGES:
        return True
    return parts[1] in STAGES and (len(parts) == 2 or parts[2:] == ["interface"])


def edge_violations() -> set[tuple[str, str]]:
    """Every (edge module, soupwatch module) direct import that breaks the rule, today."""
    graph = grimp.build_graph(ROOT, cache_dir=None)
    edges = tuple(f"{ROOT}.{edge}" for edge in EDGES)
    return {
        (module, imported)
        for module in graph.modules
        if module in edges or module.startswith(tuple(f"{e}." for e in edges))
        for imported in graph.find_modules_directly_imported_by(module)
        if not edge_may_import(imported)
    }


def test_the_rule_itself() -> None:
    assert edge_may_import("soupwatch.pipeline")
    assert edge_may_import("soupwatch.model.vex")
    assert edge_may_import("soupwatch.vex")
    assert edge_may_import("soupwatch.intel.interface")
    assert edge_may_import("soupwatch.server.app")
    assert not edge_may_import("soupwatch.vex.decisions")
    assert not edge_may_import("soupwatch.pipeline.flows")
    assert not edge_may_import("soupwatch.store.inventory")


def test_edges_reach_stages_only_through_their_faces() -> None:
    found = edge_violations()
    new = sorted(found - ALLOWED)
    gone = sorted(ALLOWED - found)
    assert not new, (
        "edges import past a stage's face (use soupwatch.pipeline or the stage's __init__/"
        f"interface): {new}"
    )
    assert not gone, f"fixed, thank you: delete these lines from ALLOWED in {__file__}: {gone}"
