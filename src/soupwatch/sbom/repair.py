"""Lenient repairs shared by every reader, each one recorded as a warning.

* Duplicate refs (CycloneDX ``bom-ref``, SPDX ``SPDXID``): the second and later holders are
  renamed ``<ref>#dup<N>``; dependencies naming the ref keep pointing at the first holder.
* Dependencies on refs that name no component are kept and reported.
* Dependency cycles are kept (they exist in real package graphs) and reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from soupwatch.model import Component, ComponentRef

MAX_CYCLE_WARNINGS = 5
MAX_DUPLICATE_WARNINGS = 20
"""Duplicate refs named one by one; the rest are counted in one closing warning."""


class RefAllocator:
    """Hands out unique component refs, renaming duplicates with a logged warning."""

    __slots__ = ("_dups", "_next", "_seen", "_summary", "warnings")

    def __init__(self, warnings: list[str]):
        self._seen: set[str] = set()
        self._next: dict[str, int] = {}
        """The next ``#dupN`` to try per ref: 50,000 holders of one ref stay linear."""
        self.warnings = warnings
        self._dups = 0
        self._summary = -1

    def take(self, ref: str, where: str) -> ComponentRef:
        """``ref`` itself if unused, else ``ref#dupN`` with a warning naming ``where``."""
        if ref not in self._seen:
            self._seen.add(ref)
            return ComponentRef(ref)
        n = self._next.get(ref, 2)
        while f"{ref}#dup{n}" in self._seen:
            n += 1
        new = f"{ref}#dup{n}"
        self._next[ref] = n + 1
        self._seen.add(new)
        self._dups += 1
        if self._dups <= MAX_DUPLICATE_WARNINGS:
            self.warnings.append(f"{where}: duplicate ref {ref[:200]!r} renamed to {new[:200]!r}")
        else:
            more = f"… and {self._dups - MAX_DUPLICATE_WARNINGS} more duplicate refs renamed"
            if self._summary < 0:
                self._summary = len(self.warnings)
                self.warnings.append(more)
            else:
                self.warnings[self._summary] = more
        return ComponentRef(new)

    def __contains__(self, ref: object) -> bool:
        return ref in self._seen


def attach_dependencies(
    components: Sequence[Component],
    graph: Mapping[str, Iterable[str]],
    warnings: list[str],
    metadata: Component | None = None,
) -> tuple[list[Component], Component | None]:
    """Give each component (and the subject) its ``depends_on``; report dangling refs and cycles."""
    known = {c.ref for c in components}
    if metadata is not None:
        known.add(metadata.ref)
    dangling: set[str] = set()
    edges: dict[str, tuple[ComponentRef, ...]] = {}
    for ref, deps in graph.items():
        unique = tuple(dict.fromkeys(ComponentRef(d) for d in deps if d != ref))
        dangling.update(d for d in unique if d not in known)
        edges[ref] = unique
    if dangling:
        shown = ", ".join(sorted(dangling)[:5])
        warnings.append(
            f"{len(dangling)} dependency target(s) name no component, kept: {shown}"
            + (" …" if len(dangling) > 5 else "")
        )
    out = [c.with_changes(depends_on=edges[c.ref]) if edges.get(c.ref) else c for c in components]
    if metadata is not None and edges.get(metadata.ref):
        metadata = metadata.with_changes(depends_on=edges[metadata.ref])
    cycles, back_edges = find_cycles(edges)
    for cycle in cycles:
        warnings.append("dependency cycle kept: " + " → ".join(cycle))
    if back_edges > len(cycles):
        warnings.append(f"{back_edges} dependency edges close a cycle in all; all kept")
    return out, metadata


def find_cycles(
    edges: Mapping[str, Sequence[str]], limit: int = MAX_CYCLE_WARNINGS
) -> tuple[list[list[str]], int]:
    """Up to ``limit`` cycles (each ``[a, b, …, a]``) and the number of back edges found.

    One iterative depth-first search, linear in nodes + edges; a back edge closes a cycle.
    """
    done: set[str] = set()
    cycles: list[list[str]] = []
    back_edges = 0
    for start in sorted(edges):
        if start in done:
            continue
        stack: list[tuple[str, int]] = [(start, 0)]
        path: list[str] = [start]
        on_path: dict[str, int] = {start: 0}
        while stack:
            node, i = stack[-1]
            nexts = edges.get(node, ())
            if i < len(nexts):
                stack[-1] = (node, i + 1)
                nxt = nexts[i]
                if nxt in on_path:
                    back_edges += 1
                    if len(cycles) < limit:
                        cycles.append([*path[on_path[nxt] :], nxt])
                elif nxt not in done:
                    on_path[nxt] = len(path)
                    stack.append((nxt, 0))
                    path.append(nxt)
            else:
                done.add(node)
                stack.pop()
                del on_path[path.pop()]
    return cycles, back_edges
