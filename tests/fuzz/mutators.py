"""Structure-aware mutators for the fuzzing harness, driven by a :class:`random.Random`.

JSON seeds are parsed and mutated as trees (hostile values put in place of real ones: deep
nesting, 10^100000, lone surrogates, NUL, 5 MB strings, wrong types, 50,000 copies of one
element), text seeds by lines and hostile tokens, binary seeds by flipped, cut and repeated bytes.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from typing import Any

BIG = "\x00soupwatch-fuzz-big-number\x00"
MAX_MUTANT_BYTES = 16 * 1024 * 1024
"""Repeated elements stop here: the mutator must not be what runs out of memory."""


def hostile_value(rnd: random.Random) -> Any:
    """A value of the classes the issue lists (and plain wrong types)."""
    pick = rnd.randrange(16)
    if pick == 0:
        depth = rnd.choice((50, 101, 600, 5000, 100_000))
        return (
            json.loads("[" * depth + "]" * depth)
            if depth < 900
            else _Raw("[" * depth + "]" * depth)
        )
    if pick == 1:
        return _Raw("1" + "0" * rnd.choice((99, 101, 4301, 100_000)))
    if pick == 2:
        return "a\ud800b" if rnd.random() < 0.5 else "\udfff"
    if pick == 3:
        return "x\x00y"
    if pick == 4:
        return "a" * rnd.choice((1000, 5_000_000))
    if pick == 5:
        return rnd.choice((None, True, False, 0, -1, 1.5e308, float("inf"), "", [], {}))
    if pick == 6:
        return {"": {"": []}}
    if pick == 7:
        return "\u202e\ufeff\ufffe\x1b[2J\r\nline2"
    if pick == 8:
        return rnd.choice(("NOASSERTION", "NONE", "SPDXRef-DOCUMENT", "pkg:", "cpe:2.3:", "CVE-"))
    if pick == 9:
        return [rnd.choice((1, "a", None, {})) for _ in range(rnd.choice((3, 1000)))]
    if pick == 10:
        return _Raw("-1e999999")
    return rnd.choice(("1.0", "0", "-", "*", ":", "/", "../..", "%00", "2026-13-45T99:99:99Z"))


class _Raw:
    """JSON text put in verbatim (what json.dumps cannot write: 10^100000, 100,000 brackets)."""

    def __init__(self, text: str) -> None:
        self.text = text


def _slots(data: Any, rnd: random.Random, limit: int = 400) -> list[tuple[Any, Any]]:
    """Up to ``limit`` (container, key) places of a JSON tree, sampled from a bounded walk."""
    found: list[tuple[Any, Any]] = []
    stack = [data]
    seen = 0
    while stack and seen < 20_000:
        node = stack.pop()
        seen += 1
        items: Iterator[tuple[Any, Any]]
        if isinstance(node, dict):
            items = iter(list(node.items()))
        elif isinstance(node, list):
            items = iter(list(enumerate(node)))
        else:
            continue
        for key, value in items:
            if len(found) < limit:
                found.append((node, key))
            elif rnd.random() < 0.05:
                found[rnd.randrange(limit)] = (node, key)
            stack.append(value)
    return found


def mutate_json(seed: bytes, rnd: random.Random) -> bytes:
    """Mutate a JSON seed as a tree, then write it (hostile raw text spliced in)."""
    try:
        data = json.loads(seed)
    except ValueError:
        return mutate_text(seed, rnd)
    raws: dict[str, str] = {}

    def hostile() -> Any:
        value = hostile_value(rnd)
        if isinstance(value, _Raw):
            marker = f"{BIG}{len(raws)}"
            raws[marker] = value.text
            return marker
        return value

    for _ in range(rnd.randint(1, 4)):
        slots = _slots(data, rnd)
        if not slots:
            break
        node, key = rnd.choice(slots)
        op = rnd.randrange(6)
        if op <= 2:
            node[key] = hostile()
        elif op == 3 and isinstance(node, dict):
            del node[key]
        elif op == 4 and isinstance(node, list) and node:
            try:
                piece = len(json.dumps(node[key])) + 2
            except (ValueError, TypeError, RecursionError):
                continue
            times = rnd.choice((2, 100, 50_000 if rnd.random() < 0.1 else 10))
            node.extend([node[key]] * max(1, min(times, MAX_MUTANT_BYTES // piece)))
            break  # the copies are shared: growing one of them later would grow them all
        elif op == 5:
            other, okey = rnd.choice(slots)
            node[key], other[okey] = other[okey], node[key]
        elif isinstance(node, dict):
            node[rnd.choice(("a\x00", "\ud800", "bom-ref", "SPDXID", "components", "packages"))] = (
                hostile() if rnd.random() < 0.5 else node[key]
            )
    try:
        text = json.dumps(data, ensure_ascii=rnd.random() < 0.5, allow_nan=True)
    except (ValueError, TypeError, RecursionError):
        return seed
    if len(text) > 4 * MAX_MUTANT_BYTES:
        return seed
    # the size cap above saw the markers, not the raw text: a copied element holding a
    # 5,000-deep bracket run made a 500 MB mutant, one holding 10^100000 a 1.8 GB one, and one
    # ran the mutator itself out of memory; the spliced text is held to the same cap
    spliced = len(text) + sum(
        (text.count(json.dumps(m, ensure_ascii=False)) + text.count(json.dumps(m))) * len(raw)
        for m, raw in raws.items()
    )
    if spliced > 4 * MAX_MUTANT_BYTES:
        return seed
    for marker, raw in raws.items():
        text = text.replace(json.dumps(marker, ensure_ascii=False), raw).replace(
            json.dumps(marker), raw
        )
    return text.encode("utf-8", "surrogatepass")


TEXT_TOKENS = (
    b"\x00",
    b"\xff\xfe",
    b"\xed\xa0\x80",  # a surrogate in UTF-8 (invalid)
    b"\n" * 100_000,
    b" " * 100_000,
    b"<a>" * 5000,
    b"[" * 600,
    b"{" * 5000,
    b"- " * 2000,
    b"1" + b"0" * 100_000,
    b'"\\ud800"',
    b'"\\x00"',
    b"&#0;",
    b'<!DOCTYPE x [<!ENTITY a "aaaa">]>',
    b"&a;",
    b"*anchor",
    b"&anchor ",
    b'"""',
    b"<text>",
    b"</text>",
    b"PackageName: x\nSPDXID: SPDXRef-x\n",
    b"Relationship: SPDXRef-x CONTAINS SPDXRef-x\n",
    b"CONFIG_X=",
    b"=y\n",
    b"\r",
    b"\\",
    b"@prefix x: <",
)


def mutate_text(seed: bytes, rnd: random.Random) -> bytes:
    """Mutate text by lines (delete, repeat, swap) and tokens (hostile bytes put in, bytes cut)."""
    data = bytearray(seed)
    for _ in range(rnd.randint(1, 4)):
        op = rnd.randrange(7)
        pos = rnd.randrange(len(data) + 1)
        if op <= 1:
            token = rnd.choice(TEXT_TOKENS)
            data[pos:pos] = token
        elif op == 2 and data:
            end = min(len(data), pos + rnd.choice((1, 10, 200, 5000)))
            del data[pos:end]
        elif op == 3:
            lines = bytes(data).split(b"\n")
            i = rnd.randrange(len(lines))
            times = rnd.choice((1, 50, 2000))
            lines[i:i] = [lines[i]] * max(1, min(times, MAX_MUTANT_BYTES // (len(lines[i]) + 1)))
            data = bytearray(b"\n".join(lines))
        elif op == 4:
            lines = bytes(data).split(b"\n")
            rnd.shuffle(lines) if rnd.random() < 0.1 else lines.pop(rnd.randrange(len(lines)))
            data = bytearray(b"\n".join(lines))
        elif op == 5 and data:
            data[min(pos, len(data) - 1)] = rnd.randrange(256)
        else:
            del data[pos:]
        del data[4 * MAX_MUTANT_BYTES :]
    return bytes(data)


def mutate_binary(seed: bytes, rnd: random.Random) -> bytes:
    """Flip, cut and repeat bytes; flips mostly in the first KiB, where headers are."""
    data = bytearray(seed)
    for _ in range(rnd.randint(1, 6)):
        op = rnd.randrange(5)
        if not data:
            break
        if op <= 2:
            span = min(len(data), 1024) if rnd.random() < 0.6 else len(data)
            pos = rnd.randrange(span)
            data[pos] ^= 1 << rnd.randrange(8) if rnd.random() < 0.7 else rnd.randrange(1, 256)
        elif op == 3:
            del data[rnd.randrange(len(data)) :]
        else:
            pos = rnd.randrange(len(data))
            data[pos:pos] = data[pos : pos + rnd.choice((16, 512, 4096))] * rnd.choice((2, 30))
    return bytes(data)


MUTATORS = {"json": mutate_json, "text": mutate_text, "binary": mutate_binary}
