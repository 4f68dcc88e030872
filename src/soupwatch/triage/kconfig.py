"""A kernel ``.config`` read as Kconfig writes it, and three-valued symbol lookups.

Lines are ``CONFIG_X=y|m|n|"string"|number`` or ``# CONFIG_X is not set``; other comments
and blank lines are skipped. ``=m`` counts as built (a module). A symbol that the file does
not mention is *unknown*, unless the file is complete (the ``.config`` the kernel build writes,
recognised by Kconfig's "Automatically generated file" header, or asserted by the caller):
Kconfig writes every symbol whose dependencies are met, so an absent one is off.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from soupwatch.config import input_limits
from soupwatch.errors import ConfigError
from soupwatch.untrusted import clean_text, decode_text, read_bytes

_SET = re.compile(r"^(CONFIG_[A-Za-z0-9_]+)=(.*)$")
_UNSET = re.compile(r"^#\s*(CONFIG_[A-Za-z0-9_]+) is not set\s*$")
_VALUE = re.compile(r'^(y|m|n|"(?:[^"\\]|\\.)*"|-?[0-9]+|0[xX][0-9a-fA-F]+)$')
_GENERATED = "Automatically generated file; DO NOT EDIT."

ARCH_SYMBOLS: Mapping[str, str] = {
    "alpha": "CONFIG_ALPHA",
    "arc": "CONFIG_ARC",
    "arm": "CONFIG_ARM",
    "arm64": "CONFIG_ARM64",
    "csky": "CONFIG_CSKY",
    "hexagon": "CONFIG_HEXAGON",
    "ia64": "CONFIG_IA64",
    "loongarch": "CONFIG_LOONGARCH",
    "m68k": "CONFIG_M68K",
    "microblaze": "CONFIG_MICROBLAZE",
    "mips": "CONFIG_MIPS",
    "nios2": "CONFIG_NIOS2",
    "openrisc": "CONFIG_OPENRISC",
    "parisc": "CONFIG_PARISC",
    "powerpc": "CONFIG_PPC",
    "riscv": "CONFIG_RISCV",
    "s390": "CONFIG_S390",
    "sh": "CONFIG_SUPERH",
    "sparc": "CONFIG_SPARC",
    "um": "CONFIG_UML",
    "x86": "CONFIG_X86",
    "xtensa": "CONFIG_XTENSA",
}
"""Source architecture directory (``arch/<dir>``) → the Kconfig symbol that selects it."""


@dataclass(frozen=True, slots=True)
class KernelConfig:
    """Symbol values of one ``.config`` (``n`` for ``is not set``), and where it came from."""

    path: str
    values: Mapping[str, str] = field(default_factory=dict)
    complete: bool = False

    def state(self, symbol: str) -> bool | None:
        """True when set (``y``, ``m`` or a value), False when off, None when unknown."""
        value = self.values.get(symbol)
        if value is None:
            return False if self.complete else None
        return value != "n"

    def describe(self, symbol: str) -> str:
        """``CONFIG_X=m``, ``CONFIG_X is not set`` or ``CONFIG_X is absent`` for evidence."""
        value = self.values.get(symbol)
        if value is None:
            return f"{symbol} is absent"
        return f"{symbol} is not set" if value == "n" else f"{symbol}={value}"

    @property
    def arch(self) -> str | None:
        """The ``arch/`` directory this config builds, when exactly one arch symbol is set."""
        found = [a for a, sym in ARCH_SYMBOLS.items() if self.values.get(sym, "n") != "n"]
        return found[0] if len(found) == 1 else None


def parse_config(text: str, path: str, *, complete: bool | None = None) -> KernelConfig:
    """Parse ``.config`` text; a malformed line raises :class:`ConfigError` naming it."""
    values: dict[str, str] = {}
    generated = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            unset = _UNSET.match(line)
            if unset:
                values[unset.group(1)] = "n"
            elif _GENERATED in line:
                generated = True
            continue
        match = _SET.match(line)
        if not match:
            raise ConfigError(
                f"not a Kconfig line (expected CONFIG_NAME=value): {line[:60]!r}",
                path=path,
                where=f"line {number}",
            )
        symbol, value = match.group(1), match.group(2).strip()
        if not _VALUE.match(value):
            raise ConfigError(
                f"{symbol} has an invalid value {value[:40]!r} (y, m, n, number or quoted string)",
                path=path,
                where=f"line {number}",
            )
        values[symbol] = value
    if not values:
        raise ConfigError("no CONFIG_ symbols: not a kernel .config", path=path)
    return KernelConfig(
        path=path, values=values, complete=generated if complete is None else complete
    )


def load_config(path: Path, *, complete: bool | None = None) -> KernelConfig:
    """Read (a regular file, within ``max_input_bytes``) and parse a ``.config`` file."""
    limits = input_limits()

    def fail(message: str, where: str | None) -> ConfigError:
        if message.startswith("cannot read file"):
            message = message.replace("cannot read file", "cannot read the kernel config", 1)
        return ConfigError(message, path=str(path), where=where)

    text, _cleaned = clean_text(decode_text(read_bytes(path, limits, fail), fail))
    return parse_config(text, str(path), complete=complete)
