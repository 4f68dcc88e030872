"""Reading the few ELF facts signatures need: the soname, symbol-version definitions, exported
version data and what version functions return, on every machine and byte order (the function
bodies are decoded by :mod:`.machine`, never executed)."""

from __future__ import annotations

import io
import re
import struct
from dataclasses import dataclass

from elftools.common.exceptions import ELFError
from elftools.elf.dynamic import DynamicSection
from elftools.elf.elffile import ELFFile
from elftools.elf.gnuversions import GNUVerDefSection

from soupwatch.discover.signatures.machine import Image, returned, stored

_VERSION_TEXT = re.compile(r"(\d+\.\d+(?:\.\d+)?)(?:$|[-/ +~])")


_DOTTED = re.compile(r"\d{1,4}\.\d{1,4}(?:\.\d{1,6})?")
"""A version as ``data-pointer-string`` accepts it: dotted numbers only."""


@dataclass(frozen=True, slots=True)
class FunctionVersion:
    """A version read from an exported function: the text, and the file offset of the code."""

    version: str
    offset: int
    text: str


class ElfView:
    """Lazily parsed view of one ELF file held in memory."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._elf = ELFFile(io.BytesIO(data))

    @staticmethod
    def open(data: bytes) -> ElfView | None:
        """The view, or None when ``data`` is not a readable ELF file."""
        if not data.startswith(b"\x7fELF"):
            return None
        try:
            return ElfView(data)
        except (ELFError, struct.error, ValueError):
            return None

    @property
    def machine(self) -> str:
        """``EM_X86_64``, ``EM_ARM``, ..."""
        return str(self._elf["e_machine"])

    def version_definitions(self) -> list[tuple[str, int]]:
        """Names of the ``.gnu.version_d`` nodes this file defines (not the file's own base
        node), each with the file offset of its name, in file order."""
        out: list[tuple[str, int]] = []
        try:
            for section in self._elf.iter_sections():
                if not isinstance(section, GNUVerDefSection):
                    continue
                strtab = self._elf.get_section(section["sh_link"])
                for verdef, aux in section.iter_versions():
                    if verdef["vd_flags"] & 1:  # VER_FLG_BASE: the soname itself
                        continue
                    for entry in aux:
                        name = str(entry.name)
                        out.append((name, int(strtab["sh_offset"] + entry["vda_name"])))
                        break
        except (ELFError, struct.error, ValueError, AttributeError, KeyError):
            return out
        return out

    def soname(self) -> str | None:
        """The ``DT_SONAME`` entry, if any."""
        try:
            for section in self._elf.iter_sections():
                if isinstance(section, DynamicSection):
                    for tag in section.iter_tags():
                        if tag.entry.d_tag == "DT_SONAME":
                            return str(getattr(tag, "soname", "")) or None
        except (ELFError, struct.error, ValueError):
            return None
        return None

    def _symbol(self, name: str, stt: int = 2) -> tuple[int, int] | None:
        """``(st_value, st_size)`` of a defined ``name`` in ``.dynsym`` of symbol type ``stt``
        (2 = function, 1 = data object), read raw."""
        try:
            dynsym = self._elf.get_section_by_name(".dynsym")
            if dynsym is None:
                return None
            strtab = self._elf.get_section(dynsym["sh_link"])
        except (ELFError, struct.error, ValueError, IndexError):
            return None
        s_off, s_size = strtab["sh_offset"], strtab["sh_size"]
        # the name may also be the tail of a longer one (``__xmlParserVersion``): linkers
        # share string-table suffixes, so every place the name ends a string counts
        names, word, pos = set(), name.encode() + b"\x00", s_off
        while (idx := self._data.find(word, pos, s_off + s_size)) >= 0:
            names.add(idx - s_off)
            pos = idx + 1
        if not names:
            return None
        is64 = self._elf.elfclass == 64
        order = "<" if self._elf.little_endian else ">"
        fmt = order + ("IBBHQQ" if is64 else "IIIBBH")
        off, size = dynsym["sh_offset"], dynsym["sh_size"]
        for entry in struct.iter_unpack(
            fmt, self._data[off : off + size - size % struct.calcsize(fmt)]
        ):
            if entry[0] not in names:
                continue
            if is64:
                info, shndx, value, sym_size = entry[1], entry[3], entry[4], entry[5]
            else:
                value, sym_size, info, shndx = entry[1], entry[2], entry[3], entry[5]
            if shndx != 0 and info & 0xF == stt:  # defined, of that type
                return int(value), int(sym_size)
        return None

    def _offset(self, vaddr: int) -> int | None:
        for seg in self._elf.iter_segments():
            if seg["p_type"] != "PT_LOAD":
                continue
            start = seg["p_vaddr"]
            if start <= vaddr < start + seg["p_filesz"]:
                return int(vaddr - start + seg["p_offset"])
        return None

    def cstring(self, vaddr: int) -> str | None:
        """The NUL-terminated string at ``vaddr`` (at most 128 bytes)."""
        off = self._offset(vaddr)
        if off is None:
            return None
        end = self._data.find(b"\x00", off, off + 128)
        if end < 0:
            return None
        return self._data[off:end].decode("latin-1")

    def load(self, vaddr: int, size: int) -> bytes | None:
        """``size`` bytes of the file image at virtual address ``vaddr``, or None."""
        off = self._offset(vaddr)
        if off is None or off + size > len(self._data):
            return None
        return self._data[off : off + size]

    def function_version(self, symbol: str, kind: str) -> FunctionVersion | None:
        """Decode what ``symbol`` returns, per ``kind`` (see ``Signature.functions``)."""
        if kind in ("glib", "triple"):
            return self._glib_version(symbol)
        if kind == "triple-calls":
            return self._triple_calls(symbol)
        if kind == "out-triple":
            return self._out_triple(symbol)
        if kind in ("data-decimal", "data-pointer-decimal", "data-pointer-string"):
            return self._data_version(symbol, kind)
        value = self._returned(symbol)
        if value is None:
            return None
        version = _decode(self, value[0], kind)
        if version is None:
            return None
        return FunctionVersion(version, value[1], f"{symbol}() returns {version} ({self.machine})")

    def _data_version(self, symbol: str, kind: str) -> FunctionVersion | None:
        """An exported object holding the version as a decimal number (``xsltLibxsltVersion``
        = 10142), pointing to one as text (``xmlParserVersion`` -> "21209"), or pointing to
        the dotted version itself (``__gmp_version`` -> "6.2.1")."""
        found = self._symbol(symbol, stt=1)
        if found is None:
            return None
        off = self._offset(found[0])
        if off is None:
            return None
        if kind == "data-pointer-string":
            target = self.pointer(found[0])
            text = self.cstring(target) if target is not None else None
            if not text or not _DOTTED.fullmatch(text):
                return None
            return FunctionVersion(text, off, f"{symbol} points to {text!r}")
        if kind == "data-decimal":
            number = self.u32(found[0])
        else:
            target = self.pointer(found[0])
            text = self.cstring(target) if target is not None else None
            number = int(text) if text and text.isdigit() and 4 <= len(text) <= 6 else None
        version = _number(number, "decimal") if number else None
        if version is None:
            return None
        return FunctionVersion(version, off, f"{symbol} holds {number} = {version}")

    def pointer(self, vaddr: int) -> int | None:
        """The pointer stored at ``vaddr``: its ``RELATIVE`` relocation's addend when the
        dynamic linker fills it in (RELA machines), else the word in the file."""
        is64 = self._elf.elfclass == 64
        order = "<" if self._elf.little_endian else ">"
        fmt = order + ("QQq" if is64 else "IIi")
        try:
            for section in self._elf.iter_sections():
                if section["sh_type"] != "SHT_RELA":
                    continue
                off, size = section["sh_offset"], section["sh_size"]
                raw = self._data[off : off + size - size % struct.calcsize(fmt)]
                for r_offset, _info, addend in struct.iter_unpack(fmt, raw):
                    if r_offset == vaddr:
                        return int(addend)
        except (ELFError, struct.error, ValueError):
            return None
        word = self.load(vaddr, 8 if is64 else 4)
        if word is None:
            return None
        value = int.from_bytes(word, "little" if self._elf.little_endian else "big")
        return value or None

    def _triple_calls(self, symbol: str) -> FunctionVersion | None:
        """Three functions returning major, minor and micro (``gtk_get_major_version``)."""
        parts: list[int] = []
        first: int | None = None
        for part in ("major", "minor", "micro"):
            value = self._returned(symbol.replace("major", part))
            if value is None or value[0][1] or value[0][0] > 999:
                return None
            parts.append(value[0][0])
            first = value[1] if first is None else first
        if first is None or parts[0] == 0:
            return None
        version = ".".join(str(p) for p in parts)
        return FunctionVersion(version, first, f"{symbol}() and friends return {version}")

    def _out_triple(self, symbol: str) -> FunctionVersion | None:
        """A function writing major, minor and patch through its three pointer arguments
        (``zmq_version(&major, &minor, &patch)``)."""
        code = self._code(symbol)
        if code is None:
            return None
        out = stored(self.machine, code[0])
        if out is None or sorted(out) != [0, 1, 2] or max(out.values()) > 999 or not out[0]:
            return None
        version = f"{out[0]}.{out[1]}.{out[2]}"
        text = f"{symbol}() stores {version} through its arguments ({self.machine})"
        return FunctionVersion(version, code[1], text)

    def _code(self, symbol: str) -> tuple[Image, int] | None:
        """The machine code of the defined function ``symbol``, and its file offset."""
        found = self._symbol(symbol)
        if found is None:
            return None
        vaddr, _size = found
        thumb = self.machine == "EM_ARM" and bool(vaddr & 1)
        vaddr &= ~1 if thumb else ~0
        off = self._offset(vaddr)
        if off is None:
            return None
        image = Image(
            self._data[off : off + 96],
            vaddr,
            bool(self._elf.little_endian),
            self._elf.elfclass == 64,
            self.load,
            thumb,
        )
        return image, off

    def _returned(self, symbol: str) -> tuple[tuple[int, bool], int] | None:
        """What the defined function ``symbol`` returns, and the file offset of its code."""
        code = self._code(symbol)
        if code is None:
            return None
        value = returned(self.machine, code[0])
        return None if value is None else (value, code[1])

    def _glib_version(self, symbol: str) -> FunctionVersion | None:
        """GLib exports its version as three ``const guint`` objects (``glib_major_version``,
        ``glib_minor_version``, ``glib_micro_version``); any machine, any byte order."""
        parts: list[int] = []
        first: int | None = None
        for part in ("major", "minor", "micro"):
            found = self._symbol(symbol.replace("major", part), stt=1)
            off = self._offset(found[0]) if found else None
            if off is None or off + 4 > len(self._data):
                return None
            first = off if first is None else first
            order = "<" if self._elf.little_endian else ">"
            parts.append(int(struct.unpack_from(order + "I", self._data, off)[0]))
        if first is None or parts[0] == 0 or max(parts) > 999:
            return None
        version = ".".join(str(p) for p in parts)
        return FunctionVersion(version, first, f"{symbol} and friends hold {version}")

    def u32(self, vaddr: int) -> int | None:
        """The 32-bit word at ``vaddr``, in the file's byte order."""
        raw = self.load(vaddr, 4)
        if raw is None:
            return None
        return int.from_bytes(raw, "little" if self._elf.little_endian else "big")


def _decode(view: ElfView, value: tuple[int, bool], kind: str) -> str | None:
    number, is_address = value
    if kind in ("decimal", "hex", "postgres", "lcms", "brotli", "rdkafka", "mbedtls"):
        return None if is_address else _number(number, kind)
    if kind == "string":
        text = view.cstring(number)
        if text is None:
            return None
        m = _VERSION_TEXT.match(text)
        return m.group(1) if m and len(text) <= 64 else None
    if kind == "struct-hex-4":
        word = view.u32(number + 4)
        return _number(word, "hex") if word else None
    return None


def _number(value: int, kind: str) -> str | None:
    if kind == "decimal":
        major, minor, patch = value // 10000, (value // 100) % 100, value % 100
    elif kind == "lcms":  # LCMS_VERSION: 2140 -> 2.14
        return f"{value // 1000}.{(value % 1000) // 10}" if 1000 <= value < 10000 else None
    elif kind == "brotli":  # BROTLI_VERSION: (major << 24) | (minor << 12) | patch
        major, minor, patch = value >> 24, (value >> 12) & 0xFFF, value & 0xFFF
    elif kind in ("rdkafka", "mbedtls"):  # 0xMMmmrrxx: xx = 0xff (librdkafka) or 0 (Mbed TLS)
        if value & 0xFF != (0xFF if kind == "rdkafka" else 0):
            return None
        major, minor, patch = value >> 24, (value >> 16) & 0xFF, (value >> 8) & 0xFF
    elif kind == "hex":
        major, minor, patch = (value >> 16) & 0xFF, (value >> 8) & 0xFF, value & 0xFF
    else:  # postgres: 150005 -> 15.5, 90624 -> 9.6.24
        if value >= 100000:
            return f"{value // 10000}.{value % 10000}"
        major, minor, patch = value // 10000, (value // 100) % 100, value % 100
    if major == 0 and minor == 0:
        return None
    return f"{major}.{minor}.{patch}"
