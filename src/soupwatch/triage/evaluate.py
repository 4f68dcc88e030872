"""Decide, under a kernel ``.config``, whether the source files a CVE fix touches are built.

Conservative: a file is *not built* only when every chain of conditions that builds it has a
condition that is decidably false; any true chain means *built*; otherwise *unknown*. Headers
are unknown (who includes a header is not known), and so is a file with no Makefile rule in the
map: "<path> not in the Kbuild map of linux <series>" — it may exist in the device's kernel
when the map is of another series, so its absence never means not built.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from soupwatch.triage.kbuild import Chain, KbuildMap
from soupwatch.triage.kconfig import KernelConfig

_SOURCES = (".c", ".S", ".s", ".rs")


class BuildVerdict(StrEnum):
    """Whether code is compiled into the device's kernel (or its modules)."""

    BUILT = "built"
    NOT_BUILT = "not_built"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class FileVerdict:
    """One source file's verdict and the evidence, in words."""

    path: str
    verdict: BuildVerdict
    evidence: str
    not_in_map: bool = False
    """Unknown because the map has no rule for the file (it may be of another series)."""


def condition_state(cond: str, config: KernelConfig) -> bool | None:
    """True / False / None (unknown) for one chain condition."""
    if cond == "y":
        return True
    if cond.startswith("?"):
        return None
    if cond.startswith("ARCH:"):
        arch = config.arch
        return None if arch is None else cond[5:] == arch
    return config.state(cond)


def _chain_state(chain: Chain, config: KernelConfig) -> tuple[bool | None, int]:
    """(state, index of the deciding condition: first false, else first unknown)."""
    unknown = -1
    for i, (cond, _) in enumerate(chain):
        state = condition_state(cond, config)
        if state is False:
            return False, i
        if state is None and unknown < 0:
            unknown = i
    return (None, unknown) if unknown >= 0 else (True, -1)


def _says(cond: str, config: KernelConfig) -> str:
    if cond.startswith("ARCH:"):
        return f"arch/{cond[5:]}, and the config's architecture is unknown"
    return config.describe(cond) + " (not decidable from this config)"


def evaluate_file(path: str, kmap: KbuildMap, config: KernelConfig) -> FileVerdict:
    """Built / not built / unknown for one program file, with the evidence."""
    stem, ext = posixpath.splitext(path)
    if ext == ".h":
        return FileVerdict(path, BuildVerdict.UNKNOWN, f"{path} is a header: its users are unknown")
    if ext not in _SOURCES:
        return FileVerdict(
            path, BuildVerdict.UNKNOWN, f"{path} is not a source file Kbuild compiles"
        )
    chains = kmap.chains(stem)
    if chains is None:
        return FileVerdict(
            path,
            BuildVerdict.UNKNOWN,
            f"{path} not in the Kbuild map of linux {kmap.series} ({kmap.kernel})",
            not_in_map=True,
        )
    states = [(chain, *_chain_state(chain, config)) for chain in chains]
    for chain, state, _ in states:
        if state is True:
            on = [f"{config.describe(c)} ({w})" for c, w in chain if c.startswith("CONFIG_")]
            why = ", ".join(on) if on else "always (obj-y)"
            return FileVerdict(path, BuildVerdict.BUILT, f"{path} is built: {why}")
    unknown = [(chain, i) for chain, state, i in states if state is None]
    if unknown:
        chain, i = unknown[0]
        cond, where = chain[i]
        what = cond[1:] if cond.startswith("?") else _says(cond, config)
        return FileVerdict(path, BuildVerdict.UNKNOWN, f"{path}: {what} ({where})")
    offs = sorted({(chain[i][0], chain[i][1]) for chain, _, i in states})
    via = " or ".join(f"{_name(c)} (via {w})" for c, w in offs)
    if len(offs) == 1:
        off = f"which {_state_words(offs[0][0], config)} in {config.path}"
    else:
        off = f"and in {config.path}: " + "; ".join(
            f"{_name(c)} {_state_words(c, config)}" for c, _ in offs
        )
    return FileVerdict(path, BuildVerdict.NOT_BUILT, f"{path} is built only with {via}, {off}")


def _name(cond: str) -> str:
    return f"arch/{cond[5:]}" if cond.startswith("ARCH:") else cond


def _state_words(cond: str, config: KernelConfig) -> str:
    if cond.startswith("ARCH:"):
        return f"is not built (the architecture is {config.arch})"
    if cond in config.values:
        return "is not set"
    return "is absent (a complete .config omits symbols whose dependencies are unmet)"


def program_files(affected: Iterable[object]) -> list[str]:
    """The union of ``programFiles`` over CVE JSON 5 ``affected`` items, sorted."""
    files: set[str] = set()
    for item in affected:
        if isinstance(item, dict):
            listed = item.get("programFiles") or []
            files.update(str(f).strip().lstrip("./") for f in listed if str(f).strip())
    return sorted(files)


def evaluate_files(
    files: list[str], kmap: KbuildMap, config: KernelConfig
) -> tuple[BuildVerdict, tuple[FileVerdict, ...]]:
    """A record's verdict: built if any file is; not built only if every file is not built."""
    if not files:
        return BuildVerdict.UNKNOWN, ()
    verdicts = tuple(evaluate_file(f, kmap, config) for f in files)
    kinds = {v.verdict for v in verdicts}
    if BuildVerdict.BUILT in kinds:
        return BuildVerdict.BUILT, verdicts
    if BuildVerdict.UNKNOWN in kinds:
        return BuildVerdict.UNKNOWN, verdicts
    return BuildVerdict.NOT_BUILT, verdicts
