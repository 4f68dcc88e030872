"""What a tiny leaf function returns, read from its machine code on every architecture devices ship.

Version functions (``ZSTD_versionNumber``, ``PQlibVersion``, ``sodium_version_string``) are a
few instructions that load a constant or an address into the return register and return.
:func:`returned` follows those instructions without executing anything: it understands only
the handful of register loads such functions use on each machine (immediate moves, PC- or
GOT/TOC-relative address arithmetic, a load from the file's own data) and gives up (None) on
anything else, such as a call or a branch.

Machines: x86-64, i386, AArch64, ARM (A32 and Thumb-2), MIPS32/64 (both byte orders),
PowerPC64 (both byte orders, ELFv1 descriptors excepted), RISC-V (RV32/RV64 with compressed
instructions), s390x.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass

MAX_INSTRUCTIONS = 24
"""Instructions followed before giving up."""


@dataclass(frozen=True, slots=True)
class Image:
    """What a decoder may read: the code bytes at ``vaddr`` and a loader for other addresses."""

    code: bytes
    vaddr: int
    little: bool
    is64: bool
    load: Callable[[int, int], bytes | None]
    """``load(vaddr, size)``: bytes of the file image at a virtual address, or None."""
    thumb: bool = False

    def word(self, vaddr: int, size: int) -> int | None:
        """An unsigned integer of ``size`` bytes at ``vaddr`` in the file's byte order."""
        raw = self.load(vaddr, size)
        if raw is None or len(raw) < size:
            return None
        return int.from_bytes(raw, "little" if self.little else "big")


def _sx(value: int, bits: int) -> int:
    sign = 1 << (bits - 1)
    return (value & (sign - 1)) - (value & sign)


def _out(regs: dict[int, int], addr: set[int], reg: int) -> Result:
    return (regs[reg], reg in addr) if reg in regs else None


def _set(regs: dict[int, int], addr: set[int], reg: int, value: int, is_addr: bool) -> None:
    regs[reg] = value
    if is_addr:
        addr.add(reg)
    else:
        addr.discard(reg)


def _words(img: Image, size: int = 4) -> list[tuple[int, int]]:
    out, fmt = [], ("<" if img.little else ">") + ("I" if size == 4 else "H")
    for i in range(0, min(len(img.code), MAX_INSTRUCTIONS * size) - size + 1, size):
        out.append((img.vaddr + i, int(struct.unpack_from(fmt, img.code, i)[0])))
    return out


Result = tuple[int, bool] | None
"""The returned value, and whether it is an address (PC-, GOT- or TOC-relative)."""


def _x86_64(img: Image) -> Result:
    code, i = img.code, 4 if img.code.startswith(b"\xf3\x0f\x1e\xfa") else 0
    if code[i : i + 1] == b"\xb8" and code[i + 5 : i + 6] == b"\xc3":
        return int(struct.unpack_from("<I", code, i + 1)[0]), False
    for j in range(i, len(code) - 7):  # the first RIP-relative lea
        if code[j] in (0x48, 0x4C) and code[j + 1] == 0x8D and (code[j + 2] & 0xC7) == 0x05:
            return img.vaddr + j + 7 + int(struct.unpack_from("<i", code, j + 3)[0]), True
    return None


def _i386(img: Image) -> Result:
    code, i = img.code, 4 if img.code.startswith(b"\xf3\x0f\x1e\xfb") else 0
    if code[i : i + 1] == b"\xb8" and code[i + 5 : i + 6] == b"\xc3":
        return int(struct.unpack_from("<I", code, i + 1)[0]), False
    # PIC: call __x86.get_pc_thunk.ax; add eax, GOT-.; lea eax, [eax+off]; ret
    if code[i : i + 1] != b"\xe8" or code[i + 5 : i + 6] != b"\x05":
        return None
    thunk = img.vaddr + i + 5 + _sx(int(struct.unpack_from("<I", code, i + 1)[0]), 32)
    if img.load(thunk, 4) != b"\x8b\x04\x24\xc3":  # mov eax, [esp]; ret
        return None
    eax = img.vaddr + i + 5 + int(struct.unpack_from("<i", code, i + 6)[0])
    lea = code[i + 10 : i + 17]
    if lea[:2] == b"\x8d\x80" and lea[6:7] == b"\xc3":
        return (eax + int(struct.unpack_from("<i", lea, 2)[0])) & 0xFFFFFFFF, True
    return None


def _cbz_target(pc: int, ins: int) -> int | None:
    """Where ``cbz``/``cbnz`` (32- or 64-bit) at ``pc`` branches, when it branches forward."""
    if ins & 0x7E000000 != 0x34000000:
        return None
    target = pc + (_sx((ins >> 5) & 0x7FFFF, 19) << 2)
    return target if target > pc else None


def _aarch64(img: Image) -> Result:
    regs: dict[int, int] = {}
    addr: set[int] = set()
    skip_to = 0
    for pc, ins in _words(img):
        if pc < skip_to:
            continue
        rd = ins & 0x1F
        if ins == 0xD65F03C0:  # ret
            return _out(regs, addr, 0)
        if ins & 0x7F800000 == 0x52800000:  # movz
            hw = (ins >> 21) & 3
            _set(regs, addr, rd, ((ins >> 5) & 0xFFFF) << (16 * hw), False)
        elif ins & 0x7F800000 == 0x72800000 and rd in regs:  # movk
            hw = (ins >> 21) & 3
            regs[rd] = regs[rd] & ~(0xFFFF << (16 * hw)) | ((ins >> 5) & 0xFFFF) << (16 * hw)
        elif ins & 0x9F000000 == 0x90000000:  # adrp
            imm = _sx(((ins >> 5) & 0x7FFFF) << 2 | (ins >> 29) & 3, 21)
            _set(regs, addr, rd, (pc & ~0xFFF) + (imm << 12), True)
        elif ins & 0x9F000000 == 0x10000000:  # adr
            value = pc + _sx(((ins >> 5) & 0x7FFFF) << 2 | (ins >> 29) & 3, 21)
            _set(regs, addr, rd, value, True)
        elif ins & 0x7F800000 == 0x11000000 and (ins >> 5) & 0x1F in regs:  # add imm
            shift = 12 if ins & (1 << 22) else 0
            rn = (ins >> 5) & 0x1F
            _set(regs, addr, rd, regs[rn] + (((ins >> 10) & 0xFFF) << shift), rn in addr)
        elif ins & 0xFFC00000 == 0xF9400000 and (ins >> 5) & 0x1F in regs:  # ldr x, [x, #]
            got = img.word(regs[(ins >> 5) & 0x1F] + ((ins >> 10) & 0xFFF) * 8, 8)
            if got is None:
                return None
            _set(regs, addr, rd, got, True)  # a GOT entry
        elif ins & 0xFFFFF01F == 0xD503201F:  # HINT space: nop, bti c, paciasp, autiasp
            continue
        elif (target := _cbz_target(pc, ins)) is not None and not ins & 0x01000000:
            # ``if (out) *out = VERSION; return STRING`` (ares_version): a ``cbz`` on the
            # optional pointer; the null path skips the store and reaches the same return
            skip_to = target
        elif ins & 0x7F20001F == 0x6B00001F or ins & 0x7F80001F == 0x7100001F:
            continue  # cmp (register / immediate): flags only
        elif ins & 0x7FE00C00 == 0x1A800000:  # csel rd, rn, rm, cond
            rn, rm = (ins >> 5) & 0x1F, (ins >> 16) & 0x1F
            # ``return least <= VERSION ? &info : NULL`` (nghttp2_version): the non-null side
            keep = rn if rm == 31 else rm if rn == 31 else None
            if keep is None or keep not in regs:
                return None
            _set(regs, addr, rd, regs[keep], keep in addr)
        else:
            return None
    return None


def _arm(img: Image) -> Result:
    regs: dict[int, int] = {}
    addr: set[int] = set()
    for pc, ins in _words(img):
        rd = (ins >> 12) & 0xF
        if ins == 0xE12FFF1E:  # bx lr
            return _out(regs, addr, 0)
        if ins & 0x0FF00000 == 0x03000000:  # movw
            _set(regs, addr, rd, (ins >> 4) & 0xF000 | ins & 0xFFF, False)
        elif ins & 0x0FF00000 == 0x03400000 and rd in regs:  # movt
            regs[rd] = regs[rd] & 0xFFFF | ((ins >> 4) & 0xF000 | ins & 0xFFF) << 16
        elif ins & 0x0FEF0000 == 0x03A00000:  # mov rd, #imm (rotated)
            rot = ((ins >> 8) & 0xF) * 2
            imm = ins & 0xFF
            _set(regs, addr, rd, ((imm >> rot) | (imm << (32 - rot))) & 0xFFFFFFFF, False)
        elif ins & 0x0FFF0000 == 0x059F0000:  # ldr rd, [pc, #imm]
            value = img.word(pc + 8 + (ins & 0xFFF), 4)
            if value is None:
                return None
            _set(regs, addr, rd, value, False)  # a literal: a number, or an offset to add
        elif ins & 0x0FFF0FF0 == 0x008F0000 and ins & 0xF in regs:  # add rd, pc, rm
            _set(regs, addr, rd, (pc + 8 + regs[ins & 0xF]) & 0xFFFFFFFF, True)
        else:
            return None
    return None


def _thumb(img: Image) -> Result:
    regs: dict[int, int] = {}
    addr: set[int] = set()
    code, i = img.code, 0
    order = "<" if img.little else ">"
    while i + 2 <= len(code) and i < MAX_INSTRUCTIONS * 2:
        pc = img.vaddr + i
        (hw,) = struct.unpack_from(order + "H", code, i)
        if hw == 0x4770:  # bx lr
            return _out(regs, addr, 0)
        if hw & 0xF800 == 0x2000:  # movs rd, #imm8
            _set(regs, addr, (hw >> 8) & 7, hw & 0xFF, False)
            i += 2
        elif hw & 0xF800 == 0x2800 or (hw & 0xF000 == 0xD000 and hw & 0x0E00 != 0x0E00):
            # cmp rn, #imm8; b<cond> (the fall-through path is the one returning the
            # version: ``return least > VERSION ? NULL : &info``)
            i += 2
        elif hw & 0xFBF0 == 0xF1B0 and i + 4 <= len(code):  # cmp.w rn, #imm
            i += 4
        elif hw & 0xFBEF == 0xF04F and i + 4 <= len(code):  # mov.w rd, #imm (modified)
            (lo,) = struct.unpack_from(order + "H", code, i + 2)
            imm12 = ((hw >> 10) & 1) << 11 | ((lo >> 12) & 7) << 8 | lo & 0xFF
            _set(regs, addr, (lo >> 8) & 0xF, _thumb_expand(imm12), False)
            i += 4
        elif hw & 0xF800 == 0x4800:  # ldr rd, [pc, #imm8*4]
            value = img.word(((pc + 4) & ~3) + (hw & 0xFF) * 4, 4)
            if value is None:
                return None
            _set(regs, addr, (hw >> 8) & 7, value, False)
            i += 2
        elif hw & 0xFF78 == 0x4478 and (hw & 7 | (hw >> 4) & 8) in regs:  # add rd, pc
            rd = hw & 7 | (hw >> 4) & 8
            _set(regs, addr, rd, (regs[rd] + pc + 4) & 0xFFFFFFFF, True)
            i += 2
        elif hw & 0xFBF0 in (0xF240, 0xF2C0) and i + 4 <= len(code):  # movw / movt
            (lo,) = struct.unpack_from(order + "H", code, i + 2)
            rd = (lo >> 8) & 0xF
            imm = (hw & 0xF) << 12 | ((hw >> 10) & 1) << 11 | ((lo >> 12) & 7) << 8 | lo & 0xFF
            if hw & 0xFBF0 == 0xF240:
                _set(regs, addr, rd, imm, False)
            elif rd in regs:
                regs[rd] = regs[rd] & 0xFFFF | imm << 16
            i += 4
        else:
            return None
    return None


def _thumb_expand(imm12: int) -> int:
    """ThumbExpandImm: a Thumb-2 modified immediate (``mov.w r0, #516``)."""
    imm8 = imm12 & 0xFF
    if imm12 >> 10 == 0:
        return [imm8, imm8 * 0x00010001, imm8 * 0x01000100, imm8 * 0x01010101][imm12 >> 8 & 3]
    value, rot = 0x80 | imm12 & 0x7F, imm12 >> 7
    return ((value >> rot) | (value << (32 - rot))) & 0xFFFFFFFF


def _mips(img: Image) -> Result:
    regs: dict[int, int] = {0: 0, 25: img.vaddr}  # $zero, $t9 = the function's address
    addr: set[int] = {25}
    mask = (1 << 64) - 1 if img.is64 else 0xFFFFFFFF
    returning = False
    for _pc, ins in _words(img):
        op, rs, rt = ins >> 26, (ins >> 21) & 0x1F, (ins >> 16) & 0x1F
        imm = ins & 0xFFFF
        if ins == 0x03E00008:  # jr ra (its delay slot runs next)
            returning = True
            continue
        if op == 0x0F:  # lui
            _set(regs, addr, rt, (_sx(imm, 16) << 16) & mask, False)
        elif op == 0x0D and rs in regs:  # ori
            _set(regs, addr, rt, regs[rs] | imm, rs in addr)
        elif op in (0x09, 0x19) and rs in regs:  # addiu, daddiu
            _set(regs, addr, rt, (regs[rs] + _sx(imm, 16)) & mask, rs in addr)
        elif op == 0 and ins & 0x7FF in (0x21, 0x2D) and rs in regs and rt in regs:  # (d)addu
            both = rs in addr or rt in addr
            _set(regs, addr, (ins >> 11) & 0x1F, (regs[rs] + regs[rt]) & mask, both)
        elif op in (0x23, 0x37) and rs in regs:  # lw, ld
            value = img.word(regs[rs] + _sx(imm, 16), 4 if op == 0x23 else 8)
            if value is None:
                return None
            _set(regs, addr, rt, value, rs in addr)  # a GOT entry
        elif ins != 0:  # not a nop
            return None
        if returning:
            return _out(regs, addr, 2)
    return None


def _ppc64(img: Image) -> Result:
    regs: dict[int, int] = {0: 0, 12: img.vaddr}  # r12 = global entry point (ELFv2)
    addr: set[int] = {12}
    mask = (1 << 64) - 1
    for _pc, ins in _words(img):
        op, rt, ra, imm = ins >> 26, (ins >> 21) & 0x1F, (ins >> 16) & 0x1F, ins & 0xFFFF
        if ins == 0x4E800020:  # blr
            return _out(regs, addr, 3)
        if op in (14, 15):  # addi / addis (ra = 0 means the constant 0)
            base = 0 if ra == 0 else regs.get(ra)
            if base is None:
                return None
            value = _sx(imm, 16) << (16 if op == 15 else 0)
            _set(regs, addr, rt, (base + value) & mask, ra != 0 and ra in addr)
        elif op == 24 and rt in regs:  # ori ra, rs, imm
            _set(regs, addr, ra, regs[rt] | imm, rt in addr)
        elif op == 58 and ins & 3 == 0 and ra in regs:  # ld
            toc = img.word(regs[ra] + _sx(imm & ~3, 16), 8)
            if toc is None:
                return None
            _set(regs, addr, rt, toc, ra in addr)  # a TOC entry
        elif ins == 0x60000000:  # nop
            continue
        else:
            return None
    return None


def _riscv(img: Image) -> Result:
    regs: dict[int, int] = {0: 0}
    addr: set[int] = set()
    mask = (1 << 64) - 1 if img.is64 else 0xFFFFFFFF
    code, i = img.code, 0
    while i + 2 <= len(code) and i < MAX_INSTRUCTIONS * 4:
        pc = img.vaddr + i
        (half,) = struct.unpack_from("<H", code, i)
        if half & 3 != 3:  # compressed
            i += 2
            if half == 0x8082:  # c.ret
                return _out(regs, addr, 10)
            f3, op, rd = half >> 13, half & 3, (half >> 7) & 0x1F
            imm6 = _sx(((half >> 12) & 1) << 5 | (half >> 2) & 0x1F, 6)
            if op == 1 and f3 == 2:  # c.li
                _set(regs, addr, rd, imm6 & mask, False)
            elif op == 1 and f3 == 3 and rd not in (0, 2):  # c.lui
                _set(regs, addr, rd, (imm6 << 12) & mask, False)
            elif op == 1 and f3 in (0, 1) and rd in regs:  # c.addi, c.addiw
                value = regs[rd] + imm6
                value = _sx(value & 0xFFFFFFFF, 32) if f3 == 1 else value
                _set(regs, addr, rd, value & mask, rd in addr)
            elif half == 0x0001:  # c.nop
                continue
            else:
                return None
            continue
        if i + 4 > len(code):
            return None
        (ins,) = struct.unpack_from("<I", code, i)
        i += 4
        op, rd, rs1 = ins & 0x7F, (ins >> 7) & 0x1F, (ins >> 15) & 0x1F
        if ins == 0x00008067:  # ret
            return _out(regs, addr, 10)
        if op == 0x37:  # lui
            _set(regs, addr, rd, _sx(ins & 0xFFFFF000, 32) & mask, False)
        elif op == 0x17:  # auipc
            _set(regs, addr, rd, (pc + _sx(ins & 0xFFFFF000, 32)) & mask, True)
        elif op in (0x13, 0x1B) and (ins >> 12) & 7 == 0 and rs1 in regs:  # addi, addiw
            value = regs[rs1] + _sx(ins >> 20, 12)
            value = _sx(value & 0xFFFFFFFF, 32) if op == 0x1B else value
            _set(regs, addr, rd, value & mask, rs1 in addr)
        else:
            return None
    return None


def _s390x(img: Image) -> Result:
    regs: dict[int, int] = {}
    addr: set[int] = set()
    code, i = img.code, 0
    while i + 2 <= len(code) and i < MAX_INSTRUCTIONS * 6:
        pc = img.vaddr + i
        if code[i : i + 2] == b"\x07\xfe":  # br %r14
            return _out(regs, addr, 2)
        first = code[i]
        if first == 0xA7 and code[i + 1] & 0x0F in (8, 9):  # lhi / lghi
            value = _sx(int.from_bytes(code[i + 2 : i + 4], "big"), 16)
            _set(regs, addr, code[i + 1] >> 4, value, False)
            i += 4
        elif first == 0xC0 and i + 6 <= len(code):
            reg, sub = code[i + 1] >> 4, code[i + 1] & 0x0F
            imm = int.from_bytes(code[i + 2 : i + 6], "big")
            if sub == 0:  # larl
                _set(regs, addr, reg, pc + 2 * _sx(imm, 32), True)
            elif sub in (1, 9, 15):  # lgfi, iilf, llilf
                _set(regs, addr, reg, _sx(imm, 32) if sub == 1 else imm, False)
            else:
                return None
            i += 6
        else:
            return None
    return None


DECODERS: dict[str, Callable[[Image], Result]] = {
    "EM_X86_64": _x86_64,
    "EM_386": _i386,
    "EM_AARCH64": _aarch64,
    "EM_ARM": _arm,
    "EM_MIPS": _mips,
    "EM_PPC64": _ppc64,
    "EM_RISCV": _riscv,
    "EM_S390": _s390x,
}
"""ELF ``e_machine`` -> decoder of the value a leaf function returns."""


def returned(machine: str, img: Image) -> Result:
    """The constant or address the function at ``img`` returns, or None when unsure."""
    if machine == "EM_ARM" and img.thumb:
        return _thumb(img)
    decoder = DECODERS.get(machine)
    if decoder is None or len(img.code) < 4:
        return None
    try:
        return decoder(img)
    except (struct.error, IndexError):
        return None


# --- constants stored through pointer arguments (``zmq_version(&major, &minor, &patch)``) ---

Stored = dict[int, int] | None
"""Argument number -> the constant the function stores at the address that argument holds."""


def _store(out: dict[int, int], args: tuple[int, ...], base: int, value: int | None) -> bool:
    """Record ``*arg = value``; False (give up) when the base is not an argument register or
    the value is unknown."""
    if base not in args or value is None:
        return False
    out[args.index(base)] = value
    return True


def _x86_64_stores(img: Image) -> Stored:
    code, i = img.code, 4 if img.code.startswith(b"\xf3\x0f\x1e\xfa") else 0
    out: dict[int, int] = {}
    args = (7, 6, 2, 1)  # rdi, rsi, rdx, rcx
    while i < len(code):
        if code[i] == 0xC3:  # ret
            return out
        # movl $imm32, (reg): c7 /0 with mod 00
        if code[i] == 0xC7 and i + 6 <= len(code) and code[i + 1] & 0xF8 == 0:
            if not _store(out, args, code[i + 1], int.from_bytes(code[i + 2 : i + 6], "little")):
                return None
            i += 6
        else:
            return None
    return None


def _i386_stores(img: Image) -> Stored:
    code, i = img.code, 4 if img.code.startswith(b"\xf3\x0f\x1e\xfb") else 0
    out: dict[int, int] = {}
    holds: dict[int, int] = {}  # register -> argument number loaded into it
    while i < len(code):
        if code[i] == 0xC3:
            return out
        # mov reg, [esp + 4 + 4n]: 8b /r, mod 01, rm 100 (SIB 0x24), disp8
        if code[i] == 0x8B and i + 4 <= len(code) and code[i + 1] & 0xC7 == 0x44:
            if code[i + 2] != 0x24 or code[i + 3] < 4 or code[i + 3] % 4:
                return None
            holds[(code[i + 1] >> 3) & 7] = code[i + 3] // 4 - 1
            i += 4
        elif code[i] == 0xC7 and i + 6 <= len(code) and code[i + 1] & 0xF8 == 0:
            arg = holds.get(code[i + 1])
            if arg is None:
                return None
            out[arg] = int.from_bytes(code[i + 2 : i + 6], "little")
            i += 6
        else:
            return None
    return None


def _aarch64_stores(img: Image) -> Stored:
    regs: dict[int, int] = {31: 0}  # wzr
    out: dict[int, int] = {}
    for _pc, ins in _words(img):
        if ins == 0xD65F03C0:  # ret
            return out
        if ins & 0x7F800000 == 0x52800000:  # movz
            regs[ins & 0x1F] = ((ins >> 5) & 0xFFFF) << (16 * ((ins >> 21) & 3))
        elif ins & 0xFFFFFC00 == 0xB9000000:  # str wt, [xn] (offset 0)
            if not _store(out, (0, 1, 2, 3), (ins >> 5) & 0x1F, regs.get(ins & 0x1F)):
                return None
        elif _cbz_target(_pc, ins) is not None and ins & 0x1F in (0, 1, 2, 3):
            continue  # ``if (major) *major = 4``: the stores are on the fall-through path
        elif ins & 0xFFFFF01F != 0xD503201F:  # not a hint (nop, bti, paciasp)
            return None
    return None


def _arm_stores(img: Image) -> Stored:
    regs: dict[int, int] = {}
    out: dict[int, int] = {}
    for _pc, ins in _words(img):
        rd = (ins >> 12) & 0xF
        if ins == 0xE12FFF1E:  # bx lr
            return out
        if ins & 0x0FF00000 == 0x03000000:  # movw
            regs[rd] = (ins >> 4) & 0xF000 | ins & 0xFFF
        elif ins & 0x0FEF0000 == 0x03A00000:  # mov rd, #imm (rotated)
            rot, imm = ((ins >> 8) & 0xF) * 2, ins & 0xFF
            regs[rd] = ((imm >> rot) | (imm << (32 - rot))) & 0xFFFFFFFF
        elif ins & 0x0FF00FFF == 0x05800000:  # str rd, [rn]
            if not _store(out, (0, 1, 2, 3), (ins >> 16) & 0xF, regs.get(rd)):
                return None
        else:
            return None
    return None


def _thumb_stores(img: Image) -> Stored:
    regs: dict[int, int] = {}
    out: dict[int, int] = {}
    code, i = img.code, 0
    order = "<" if img.little else ">"
    while i + 2 <= len(code) and i < MAX_INSTRUCTIONS * 2:
        (hw,) = struct.unpack_from(order + "H", code, i)
        lo = struct.unpack_from(order + "H", code, i + 2)[0] if i + 4 <= len(code) else 0
        i += 2
        if hw == 0x4770:  # bx lr
            return out
        if hw & 0xF800 == 0x2000:  # movs rd, #imm8
            regs[(hw >> 8) & 7] = hw & 0xFF
        elif hw & 0xFFC0 == 0x6000:  # str rt, [rn] (offset 0)
            if not _store(out, (0, 1, 2, 3), (hw >> 3) & 7, regs.get(hw & 7)):
                return None
        elif hw & 0xFE00 == 0xB400 or hw & 0xFF00 == 0xBC00 or hw == 0xBF00:
            continue  # push, pop without pc, nop: saving a scratch register
        elif hw == 0xF85D and lo & 0x0FFF == 0x0B04:  # ldr.w rt, [sp], #4 (a pop)
            i += 2
        else:
            return None
    return None


def _mips_stores(img: Image) -> Stored:
    regs: dict[int, int] = {0: 0}
    out: dict[int, int] = {}
    returning = False
    for _pc, ins in _words(img):
        op, rs, rt = ins >> 26, (ins >> 21) & 0x1F, (ins >> 16) & 0x1F
        if ins == 0x03E00008:  # jr ra (its delay slot runs next)
            returning = True
            continue
        if op in (0x09, 0x19) and rs == 0:  # li rt, imm = (d)addiu rt, $zero, imm
            regs[rt] = _sx(ins & 0xFFFF, 16) & 0xFFFFFFFF
        elif op == 0x2B and ins & 0xFFFF == 0:  # sw rt, 0(rs)
            if not _store(out, (4, 5, 6, 7), rs, regs.get(rt)):
                return None
        elif ins != 0:
            return None
        if returning:
            return out
    return None


def _ppc64_stores(img: Image) -> Stored:
    regs: dict[int, int] = {}
    out: dict[int, int] = {}
    for _pc, ins in _words(img):
        op, rt, ra, imm = ins >> 26, (ins >> 21) & 0x1F, (ins >> 16) & 0x1F, ins & 0xFFFF
        if ins == 0x4E800020:  # blr
            return out
        if op == 14 and ra == 0:  # li rt, imm
            regs[rt] = _sx(imm, 16) & 0xFFFFFFFF
        elif op == 36 and imm == 0:  # stw rs, 0(ra)
            if not _store(out, (3, 4, 5, 6), ra, regs.get(rt)):
                return None
        elif (op in (14, 15) and rt == 2) or ins == 0x60000000:
            continue  # the TOC set-up of the global entry point (addis/addi r2), nop
        else:
            return None
    return None


def _riscv_stores(img: Image) -> Stored:
    regs: dict[int, int] = {0: 0}
    out: dict[int, int] = {}
    args = (10, 11, 12, 13)
    code, i = img.code, 0
    while i + 2 <= len(code) and i < MAX_INSTRUCTIONS * 4:
        (half,) = struct.unpack_from("<H", code, i)
        if half & 3 != 3:  # compressed
            i += 2
            f3, op, rd = half >> 13, half & 3, (half >> 7) & 0x1F
            if half == 0x8082:  # c.ret
                return out
            if op == 1 and f3 == 2:  # c.li
                regs[rd] = _sx(((half >> 12) & 1) << 5 | (half >> 2) & 0x1F, 6) & 0xFFFFFFFF
            elif op == 0 and f3 == 6 and half & 0x1C60 == 0:  # c.sw rs2', 0(rs1')
                rs1, rs2 = ((half >> 7) & 7) + 8, ((half >> 2) & 7) + 8
                if not _store(out, args, rs1, regs.get(rs2)):
                    return None
            elif half != 0x0001:  # not c.nop
                return None
            continue
        if i + 4 > len(code):
            return None
        (ins,) = struct.unpack_from("<I", code, i)
        i += 4
        op, rd, f3, rs1 = ins & 0x7F, (ins >> 7) & 0x1F, (ins >> 12) & 7, (ins >> 15) & 0x1F
        if ins == 0x00008067:  # ret
            return out
        if op in (0x13, 0x1B) and f3 == 0 and rs1 == 0:  # li rd, imm
            regs[rd] = _sx(ins >> 20, 12) & 0xFFFFFFFF
        elif op == 0x23 and f3 == 2 and ins & 0xFE000F80 == 0:  # sw rs2, 0(rs1)
            if not _store(out, args, rs1, regs.get((ins >> 20) & 0x1F)):
                return None
        else:
            return None
    return None


def _s390x_stores(img: Image) -> Stored:
    regs: dict[int, int] = {}
    out: dict[int, int] = {}
    code, i = img.code, 0
    args = (2, 3, 4, 5)
    while i + 2 <= len(code) and i < MAX_INSTRUCTIONS * 6:
        if code[i : i + 2] == b"\x07\xfe":  # br %r14
            return out
        if code[i : i + 2] == b"\xe5\x4c" and i + 6 <= len(code):  # mvhi d(b), imm16
            base, disp = code[i + 2] >> 4, (code[i + 2] & 0xF) << 8 | code[i + 3]
            value = _sx(int.from_bytes(code[i + 4 : i + 6], "big"), 16) & 0xFFFFFFFF
            if disp or not _store(out, args, base, value):
                return None
            i += 6
        elif code[i] == 0xA7 and code[i + 1] & 0x0F in (8, 9):  # lhi / lghi
            regs[code[i + 1] >> 4] = _sx(int.from_bytes(code[i + 2 : i + 4], "big"), 16)
            i += 4
        elif code[i] == 0x50 and i + 4 <= len(code):  # st r1, d(x, b)
            index, base = code[i + 1] & 0xF, code[i + 2] >> 4
            disp = (code[i + 2] & 0xF) << 8 | code[i + 3]
            if index or disp or not _store(out, args, base, regs.get(code[i + 1] >> 4)):
                return None
            i += 4
        else:
            return None
    return None


STORE_DECODERS: dict[str, Callable[[Image], Stored]] = {
    "EM_X86_64": _x86_64_stores,
    "EM_386": _i386_stores,
    "EM_AARCH64": _aarch64_stores,
    "EM_ARM": _arm_stores,
    "EM_MIPS": _mips_stores,
    "EM_PPC64": _ppc64_stores,
    "EM_RISCV": _riscv_stores,
    "EM_S390": _s390x_stores,
}
"""ELF ``e_machine`` -> decoder of the constants a leaf function stores through its
pointer arguments."""


def stored(machine: str, img: Image) -> Stored:
    """What the leaf function at ``img`` stores at the addresses its first arguments hold
    (``zmq_version`` writes 4, 3, 4 through its three pointers), or None when unsure: only
    immediate loads, stores at offset 0 from an argument register and the return are
    understood."""
    decoder = _thumb_stores if machine == "EM_ARM" and img.thumb else STORE_DECODERS.get(machine)
    if decoder is None or len(img.code) < 4:
        return None
    try:
        return decoder(img)
    except (struct.error, IndexError):
        return None
