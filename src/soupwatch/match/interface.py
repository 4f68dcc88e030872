"""The matcher interface: one component's identity in, one source's verdicts out.

:func:`soupwatch.match.matcher.match_components` asks every matcher of its registry
(``MATCHERS``, in order) about each group of components, pools the verdicts, and merges them
per vulnerability (:mod:`soupwatch.match.merge`). A matcher is created for one scan and
dropped at its end: whatever it caches lives exactly as long as the scan's :class:`ScanData`.
Only compiled records (:class:`CompiledRecords`) may outlive a scan, and only when the caller
of a multi-scan job passes the same object to each scan.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, TypeVar, cast

from soupwatch.intel.interface import CnaCandidate, CpeCandidate, IntelQuery, OsvCandidate
from soupwatch.match.cpe import Platform, escape_value
from soupwatch.match.merge import Verdict
from soupwatch.match.versions import Unparsable
from soupwatch.model import Component

if TYPE_CHECKING:
    from soupwatch.match.identity import Identity

__all__ = [
    "Basis",
    "CompiledRecords",
    "Judgement",
    "Matcher",
    "Rebuttals",
    "ScanData",
    "Subject",
    "lookup_keys",
]

LookupKey = tuple[str, str]
"""(index, key): ``("cpe", "vendor\tproduct")`` (escaped, lower-cased as the index holds
them), ``("osv", "ecosystem\tname")`` (as OSV spells it), ``("cna", "product")``."""


def _index_keys(
    idents: Iterable[Identity],
) -> tuple[set[tuple[str, str]], set[tuple[str, str]], set[str]]:
    """The CPE (vendor, product), OSV (ecosystem, name) and CNA product keys of identities."""
    cpe_keys: set[tuple[str, str]] = set()
    osv_keys: set[tuple[str, str]] = set()
    cna_keys: set[str] = set()
    for ident in idents:
        cpe_keys.update(c.name.key for c in ident.cpes)
        cna_keys.update(product for _, product, *_ in ident.cna)
        if ident.osv:
            osv_keys.update((ident.osv.ecosystem, n) for n in ident.osv.names)
    return cpe_keys, osv_keys, cna_keys


def lookup_keys(component: Component) -> frozenset[LookupKey]:
    """Every index key a scan of ``component`` reads candidates by (the same as
    :meth:`ScanData.fetch`): a record under none of them cannot change its findings."""
    from soupwatch.match.identity import identify

    cpe, osv, cna = _index_keys([identify(component)])
    keys = {("cpe", f"{escape_value(v).lower()}\t{escape_value(p).lower()}") for v, p in cpe}
    keys |= {("osv", f"{e}\t{n}") for e, n in osv}
    keys |= {("cna", p.lower()) for p in cna}
    return frozenset(keys)


_S = TypeVar("_S")
_C = TypeVar("_C")


class CompiledRecords:
    """Records compiled into comparison objects, kept for the scans of one job.

    A portfolio re-scan matches release after release against the same records; compiling
    the kernel CNA's ~15,000 records for each release would double its time. The caller of
    the job creates one, passes it to every ``match_components`` call, and drops it at the
    end; ``match_components`` makes a fresh one when given none. Entries are checked by
    content (``==``) before use, so a record that changed between scans is compiled again;
    the store hands out the same decoded objects for the same text, which makes the check
    an identity test.
    """

    __slots__ = ("_kept",)

    def __init__(self) -> None:
        self._kept: dict[Hashable, tuple[object, object]] = {}

    def get(self, key: Hashable, source: _S, compile_: Callable[[_S], _C]) -> _C:
        """``compile_(source)``, reused while the ``source`` kept under ``key`` is equal."""
        hit = self._kept.get(key)
        if hit is not None and (hit[0] is source or hit[0] == source):
            return cast(_C, hit[1])
        compiled = compile_(source)
        self._kept[key] = (source, compiled)
        return compiled


@dataclass(frozen=True, slots=True)
class ScanData:
    """The candidates of one scan, fetched in one batched call per index (:meth:`fetch`)."""

    cpe: dict[tuple[str, str], list[CpeCandidate]]
    """NVD records by CPE (vendor, product)."""
    osv: dict[tuple[str, str], list[OsvCandidate]]
    """OSV ``affected`` items by (ecosystem, package name)."""
    cna: dict[str, list[CnaCandidate]]
    """CVE JSON 5 ``affected`` items by product."""
    compiled: CompiledRecords = field(default_factory=CompiledRecords)
    """Where matchers keep compiled records (shared by the scans of one job)."""

    @classmethod
    def fetch(
        cls,
        idents: Iterable[Identity],
        query: IntelQuery,
        compiled: CompiledRecords | None = None,
    ) -> ScanData:
        """Every candidate of every identity: one batched call per index."""
        cpe_keys, osv_keys, cna_keys = _index_keys(idents)
        escaped = {(escape_value(v), escape_value(p)): (v, p) for v, p in cpe_keys}
        by_cpe = query.cpe_candidates(sorted(escaped)) if escaped else {}
        return cls(
            {escaped.get(k, k): cands for k, cands in by_cpe.items()},
            query.osv_candidates(sorted(osv_keys)) if osv_keys else {},
            query.cna_candidates(sorted(cna_keys)) if cna_keys else {},
            compiled if compiled is not None else CompiledRecords(),
        )


@dataclass(frozen=True, slots=True)
class Basis:
    """How sure a matcher may be: a confidence factor and the note that explains it."""

    factor: float = 1.0
    note: str = ""


@dataclass(frozen=True, slots=True)
class Subject:
    """What a matcher judges: a component, its lookup keys, and what it runs on."""

    component: Component
    identity: Identity
    platform: Platform
    """The release's platform (:meth:`~soupwatch.match.matcher.MatchContext.for_components`)."""
    basis: Basis = Basis()
    """Set by an earlier matcher that could only half answer (:attr:`Judgement.basis`)."""


class Rebuttals(Protocol):
    """ "Not affected" verdicts kept back until another source says affected."""

    def unaffected_for(self, ids: set[str]) -> list[Verdict]:
        """The "not affected" verdicts on ``ids`` (the ids some source says affected)."""
        ...


@dataclass(frozen=True, slots=True)
class Judgement:
    """One matcher's answer for one subject."""

    verdicts: tuple[Verdict, ...] = ()
    """Verdicts to pool: every "affected" one, and "not affected" ones worth keeping."""
    final: bool = False
    """The source answered for this component: later matchers are not asked."""
    basis: Basis | None = None
    """Later matchers judge on this basis (e.g. a distro package by its upstream version)."""
    rebuttals: tuple[Rebuttals, ...] = ()
    """"Not affected" verdicts, asked for once every matcher has answered."""
    problems: tuple[Unparsable, ...] = field(default=())
    """Parts that could not be judged (e.g. one of two CPEs with an unreadable version)."""


class Matcher(Protocol):
    """One source of verdicts (OSV advisories, NVD configurations, CNA ranges).

    Implementations take no constructor arguments: ``match_components`` creates one per scan
    and drops it at the end, so any cache it keeps is per scan. Implementations never raise
    for bad data in a record or a component: an unreadable version comes back as an
    :class:`Unparsable` (nothing could be judged) or in :attr:`Judgement.problems`.
    """

    def judge(self, subject: Subject, data: ScanData) -> Judgement | Unparsable:
        """This source's verdicts on ``subject``, from the candidates in ``data``.

        Returns a :class:`Judgement` (possibly empty: the source knows nothing of the
        component) or an :class:`Unparsable` when the component's version cannot be read
        in the scheme this source compares in.
        """
        ...
