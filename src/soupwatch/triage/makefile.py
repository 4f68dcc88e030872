"""Kbuild Makefile parsing: which objects and subdirectories one Makefile builds, and when.

Understood: line continuations, comments, ``obj-$(CONFIG_X)`` / ``obj-y`` / ``obj-m``,
``lib-``, ``extra-``, ``always-``, ``subdir-y``, composite objects (``foo-y``, ``foo-objs``,
``foo-$(CONFIG_Y)``), ``$(subst m,y,$(CONFIG_X))``, plain variables defined in the same file,
and in the top-level and arch Makefiles ``core-`` / ``drivers-`` / ``libs-`` directory lists.
Conservative by design: anything inside an ``ifeq``/``ifneq``/``ifdef``/``ifndef`` block gets an
unknown condition; an expression we cannot expand is recorded as *unresolved*, which makes the
files of that directory unknown rather than wrongly "not built". ``include`` lines are ignored
with a note; flags (``ccflags-y`` …) are ignored.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

Cond = tuple[str, str]
"""(condition, where): ``"y"`` always, ``"CONFIG_X"``, ``"ARCH:arm"``, or ``"?why"`` unknown."""

_ASSIGN = re.compile(
    r"^(?:export\s+|override\s+)?([A-Za-z0-9_.\-$()/,]+)\s*(::=|:=|\+=|\?=|=)\s*(.*)$"
)
_CONFIG_REF = re.compile(r"^\$\((CONFIG_[A-Za-z0-9_]+)\)$")
_SUBST_REF = re.compile(r"^\$\(subst m,y,\$\((CONFIG_[A-Za-z0-9_]+)\)\)$")
_VAR_REF = re.compile(r"^\$\(([A-Za-z0-9_\-]+)\)$")
_KINDS = ("obj", "lib", "extra", "always", "subdir")
_TOP_KINDS = ("core", "drivers", "libs", "net", "virt")
_NOT_COMPOSITE = {
    "ccflags", "asflags", "ldflags", "cflags", "subdir-ccflags", "subdir-asflags", "hostprogs",
    "hostprogs-always", "userprogs", "userprogs-always", "targets", "clean-files", "generic",
    "mandatory", "generated", "header-test", "dtb", "machine", "plat", "head", "init",
}  # fmt: skip
_DIRECTIVES = {
    "ifeq", "ifneq", "ifdef", "ifndef", "else", "endif", "define", "endef", "include",
    "-include", "sinclude", "export", "unexport", "override", "vpath",
}  # fmt: skip
_ARCH_LISTS = {"ARCH_CORE", "ARCH_LIB", "ARCH_DRIVERS"}
_ALWAYS_TRUE_BLOCKS = {"ifeq ($(KBUILD_EXTMOD),)", "ifeq ($(need-sub-make),)"}
"""Conditionals that hold in every in-tree kernel build."""
_ALWAYS_FALSE_BLOCKS = {"ifdef config-build", "ifdef mixed-build"}
"""Conditionals whose ``else`` branch is the kernel build (``make *config``, mixed goals)."""


@dataclass(frozen=True, slots=True)
class Edge:
    """An object (``dir/stem``) or subdirectory (``dir/sub/``) built when all ``chain`` holds."""

    target: str
    chain: tuple[Cond, ...]


@dataclass(frozen=True, slots=True)
class ParsedMakefile:
    """What one Makefile builds: edges, unresolved expressions, and notes."""

    path: str
    edges: tuple[Edge, ...] = ()
    unresolved: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())


@dataclass(slots=True)
class _Assign:
    lhs: str
    op: str
    tokens: list[str]
    where: str
    block: str | None


def _is_rule(line: str) -> bool:
    """True for ``target: prerequisites`` lines (what follows with a tab is a recipe)."""
    if _ASSIGN.match(line) or line.split(None, 1)[0] in _DIRECTIVES:
        return False
    return re.search(r"(?<![:=]):(?![:=])", line) is not None


def logical_lines(text: str) -> list[tuple[int, str]]:
    """Join backslash continuations and strip comments: (first line number, text)."""
    out: list[tuple[int, str]] = []
    buf: list[str] = []
    start, in_rule, recipe = 0, False, False
    for number, raw in enumerate(text.splitlines(), start=1):
        if not buf:
            start = number
            recipe = in_rule and raw.startswith("\t")
        line = "" if recipe else re.sub(r"(?<!\\)#.*$", "", raw)
        if raw.endswith("\\"):
            buf.append(line[:-1] if line.endswith("\\") else line)
            continue
        buf.append(line)
        joined = " ".join(buf).strip()
        buf = []
        if recipe:
            continue
        if joined:
            in_rule = _is_rule(joined)
        out.append((start, joined))
    if buf:
        out.append((start, " ".join(buf).strip()))
    return [(n, s) for n, s in out if s]


def _assignments(text: str, path: str, notes: list[str]) -> list[_Assign]:
    result: list[_Assign] = []
    blocks: list[str | None] = []
    headers: list[str] = []
    in_define = False
    for number, line in logical_lines(text):
        word = line.split(None, 1)[0]
        if in_define:
            in_define = word != "endef"
            continue
        if word == "define":
            in_define = True
        elif word in ("ifeq", "ifneq", "ifdef", "ifndef"):
            blocks.append(None if line in _ALWAYS_TRUE_BLOCKS else f"{path}:{number}")
            headers.append(line)
        elif word == "else":
            if blocks and headers[-1] in _ALWAYS_TRUE_BLOCKS:
                blocks[-1] = f"{path}:{number}"  # the else of an always-true block never holds
            elif blocks and headers[-1] in _ALWAYS_FALSE_BLOCKS:
                blocks[-1] = None
        elif word == "endif":
            if blocks:
                blocks.pop()
                headers.pop()
        elif word in ("include", "-include", "sinclude"):
            notes.append(f"{path}:{number}: include ignored ({line[:80]})")
        else:
            m = _ASSIGN.match(line)
            if m:
                block = next((b for b in reversed(blocks) if b), None)
                where = f"{path}:{number}"
                result.append(_Assign(m.group(1), m.group(2), m.group(3).split(), where, block))
    return result


def condition(suffix: str) -> str | None:
    """The condition a ``obj-<suffix>`` spells; None for ``obj-`` / ``obj-n`` (never built)."""
    if suffix in ("y", "m", "objs"):
        return "y"
    if suffix in ("", "n"):
        return None
    m = _CONFIG_REF.match(suffix) or _SUBST_REF.match(suffix)
    if m:
        return m.group(1)
    return f"?unexpanded condition {suffix}"


def _split_lhs(lhs: str) -> tuple[str, str] | None:
    for kind in (*_KINDS, *_TOP_KINDS):
        if lhs.startswith(kind + "-"):
            return kind, lhs[len(kind) + 1 :]
    m = re.match(r"^(.+)-(objs|y|m|\$\(.+\))$", lhs)
    if m and m.group(1) not in _NOT_COMPOSITE and "$" not in m.group(1):
        return "composite:" + m.group(1), m.group(2)
    return None


class _Builder:
    def __init__(self, path: str, directory: str, arches: Sequence[str], top: bool) -> None:
        self.path, self.dir, self.arches, self.top = path, directory, arches, top
        self.vars: dict[str, list[tuple[str, str | None]]] = {}
        self.composites: dict[str, list[tuple[str, tuple[Cond, ...]]]] = {}
        self.entries: list[tuple[str, str, tuple[Cond, ...]]] = []
        self.unresolved: list[str] = []
        self.edges: list[Edge] = []

    def expand(
        self, tokens: list[str], where: str, composite: str | None = None, depth: int = 0
    ) -> list[tuple[str, str | None, tuple[Cond, ...]]]:
        """Tokens with plain variables expanded: (token, unknown-condition or None, chain).

        ``$(tmp-y)`` after ``tmp-$(CONFIG_X) := a.o`` expands to ``a.o`` with the chain
        ``CONFIG_X``. An expression we cannot expand becomes the token ``$?`` (unresolved) in a
        composite's parts, and is recorded as unresolved elsewhere.
        """
        out: list[tuple[str, str | None, tuple[Cond, ...]]] = []
        for tok in tokens:
            m = _VAR_REF.match(tok)
            name = m.group(1) if m else ""
            split = _split_lhs(name) if m else None
            if m and name in self.vars and depth < 5:
                for sub, why in self.vars[name]:
                    for t, w, c in self.expand([sub], where, composite, depth + 1):
                        out.append((t, why or w, c))
            elif composite and split and split[0] == "composite:" + composite:
                continue  # foo-objs := $(foo-y): the foo-y parts are recorded already
            elif (
                not composite
                and split
                and split[1] == "y"
                and split[0][10:] in self.composites
                and all(part != "$?" for part, _ in self.composites[split[0][10:]])
            ):
                out.extend((part, None, c) for part, c in self.composites[split[0][10:]])
            elif name in _ARCH_LISTS:
                continue  # the arch Makefile's core-/libs-/drivers- lists, parsed as such
            elif "$(SRCARCH)" in tok and self.arches:
                out.append((tok, None, ()))
            elif "$" in tok or tok.startswith(("%", ",")):
                if composite:
                    out.append(("$?", where, ()))
                else:
                    self.unresolved.append(f"{where} ({tok[:60]})")
            else:
                out.append((tok, None, ()))
        return out

    def feed(self, a: _Assign) -> None:
        split = _split_lhs(a.lhs)
        if split is None:
            if "$" not in a.lhs:
                values = [(t, a.block) for t in a.tokens]
                self.vars[a.lhs] = (self.vars.get(a.lhs, []) if a.op == "+=" else []) + values
            return
        kind, suffix = split
        cond = condition(suffix)
        if cond is None or (kind in _TOP_KINDS and not self.top):
            return
        chain: list[Cond] = [(cond, a.where)]
        if a.block:
            chain.append(("?inside a conditional block", a.block))
        name = kind[10:] if kind.startswith("composite:") else None
        for tok, why, extra in self.expand(a.tokens, a.where, name):
            full = chain + list(extra)
            full += [("?variable set inside a conditional block", why)] if why else []
            if kind.startswith("composite:"):
                self.composites.setdefault(kind[10:], []).append((tok, tuple(full)))
            elif kind in _TOP_KINDS:
                if tok.endswith("/"):
                    self.entries.append(("top", tok, tuple(full)))
            elif kind == "subdir" and not tok.endswith("/"):
                self.entries.append((kind, tok + "/", tuple(full)))
            else:
                self.entries.append((kind, tok, tuple(full)))

    def _object(self, tok: str, chain: tuple[Cond, ...], depth: int) -> None:
        if tok.endswith("/"):
            for target, extra in self._arch_variants(tok):
                self.edges.append(Edge(posixpath.normpath(self.dir + target) + "/", chain + extra))
            return
        if not tok.endswith(".o"):
            return
        stem = tok[:-2]
        name = posixpath.basename(stem)
        if name in self.composites and depth < 3 and "/" not in stem:
            for part, pchain in self.composites[name]:
                if part == "$?":
                    self.unresolved.append(f"{pchain[0][1]} (part of {name}.o not expanded)")
                    continue
                self._object(
                    posixpath.join(posixpath.dirname(stem), part), chain + pchain, depth + 1
                )
            return
        self.edges.append(Edge(posixpath.normpath(self.dir + stem), chain))

    def _arch_variants(self, tok: str) -> list[tuple[str, tuple[Cond, ...]]]:
        if "$(SRCARCH)" not in tok:
            return [(tok, ())]
        return [
            (tok.replace("$(SRCARCH)", a), ((f"ARCH:{a}", f"{self.path}: $(SRCARCH)"),))
            for a in self.arches
        ]

    def finish(self) -> None:
        for kind, tok, chain in self.entries:
            if kind == "top":
                self.edges.append(Edge(posixpath.normpath(tok) + "/", chain))
            else:
                self._object(tok, chain, 0)


def parse_makefile(
    text: str, path: str, *, arches: Sequence[str] = (), top: bool = False
) -> ParsedMakefile:
    """Parse one Kbuild Makefile at ``path`` (relative to the kernel tree root).

    ``arches`` expands ``$(SRCARCH)`` (top-level Kbuild); ``top`` accepts ``core-``/``drivers-``
    /``libs-`` lists, whose paths are relative to the tree root (top-level and arch Makefiles).
    """
    notes: list[str] = []
    directory = posixpath.dirname(path)
    builder = _Builder(path, directory + "/" if directory else "", arches, top)
    for a in _assignments(text, path, notes):
        builder.feed(a)
    builder.finish()
    edges = sorted(set(builder.edges), key=lambda e: (e.target, e.chain))
    return ParsedMakefile(path, tuple(edges), tuple(sorted(set(builder.unresolved))), tuple(notes))
