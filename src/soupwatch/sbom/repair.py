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


class RefAllocator:
    """Hands out unique component refs, renaming duplicates with a logged warning."""

    __slots__ = ("_seen", "warnings")

    def __init__(self, warnings: list[str]):
        self._seen: set[str] = set()
        self.warnings = warnings

    def take(self, ref: str, where: str) -> ComponentRef:
        """``ref`` itself if unused, else ``ref#dupN`` with a warning naming ``where``."""
        if ref not in self._seen:
            self._seen.add(ref)
            return ComponentRef(ref)
        n = 2
        while f"{ref}#dup{n}" in self._seen:
            n += 1
        new = f"{ref}#dup{n}"
        self._seen.add(new)
        self.warnings.append(f"{where}: duplicate ref {ref!r} renamed to {new!r}")
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
    for cycle in find_cycles(edges)[:MAX_CYCLE_WARNINGS]:
        warnings.append("dependency cycle kept: " + " → ".join(cycle))
    return out, metadata


def find_cycles(edges: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """Cycles found by an iterative depth-first search, each as ``[a, b, …, a]``, sorted."""
    white, grey, black = 0, 1, 2
    color: dict[str, int] = {}
    cycles: list[list[str]] = []
    for start in sorted(edges):
        if color.get(start, white) != white:
            continue
        stack: list[tuple[str, int]] = [(start, 0)]
        path: list[str] = [start]
        color[start] = grey
        while stack:
            node, i = stack[-1]
            nexts = edges.get(node, ())
            if i < len(nexts):
                stack[-1] = (node, i + 1)
                nxt = nexts[i]
                state = color.get(nxt, white)
                if state == grey:
                    cycles.append([*path[path.index(nxt) :], nxt])
                elif state == white:
                    color[nxt] = grey
                    stack.append((nxt, 0))
                    path.append(nxt)
            else:
                color[node] = black
                stack.pop()
                path.pop()
    return sorted(cycles)
