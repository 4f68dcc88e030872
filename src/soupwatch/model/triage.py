"""What one kernel-config triage of a release judged, with which Kbuild map, and how well the
map fits the device's kernel (stored with the release, read by reports)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import PurePath
from typing import Any


class MapOrigin(StrEnum):
    """Where the Kbuild map that judged the findings came from."""

    SOURCE = "source"
    """Built at run time from the device's own kernel tree (``--source``)."""
    BUNDLED = "bundled"
    """A map shipped with soupwatch (the fallback when no tree is given)."""


@dataclass(frozen=True, slots=True)
class KernelTriageSummary:
    """One triage run: the map (kernel, series, origin), the device kernel, and the counts.

    ``series_mismatch``: the device kernel's series (``5.10``) is known and differs from the
    map's; files absent from the map are then unknown, and ``warning`` says so in one line.
    ``not_in_map``: findings left unknown because a program file has no rule in the map.
    """

    config: str
    config_complete: bool
    map_kernel: str
    map_series: str
    map_source: str
    map_origin: MapOrigin
    device_kernel: str | None
    device_kernel_from: str | None
    series_mismatch: bool
    counts: Mapping[str, int] = field(default_factory=dict)
    not_in_map: int = 0
    recorded: int = 0
    withdrawn: int = 0
    """Earlier kernel-triage not_affected decisions this run put back in triage."""
    made_at: datetime | None = None
    warning: str | None = None

    @property
    def judged_by(self) -> str:
        """``linux 5.10 map (5.10.262, bundled: …)`` for one-line summaries and VEX details."""
        how = "built from the device's source" if self.map_origin is MapOrigin.SOURCE else "bundled"
        return (
            f"Kbuild map of linux {self.map_series} ({self.map_kernel}, {how}: {self.map_source})"
        )

    @property
    def outcome(self) -> str:
        """``kernel findings judged against the device's kernel configuration X (complete) with
        the Kbuild map …: built 56, not built 1234, unknown 90 (78 of them because their file is
        not in the map); 1234 recorded not affected``: one sentence for run/demo and reports."""
        decided = ", ".join(f"{v.replace('_', ' ')} {n}" for v, n in self.counts.items())
        if self.not_in_map:
            decided += f" ({self.not_in_map} of them because their file is not in the map)"
        config = "complete" if self.config_complete else "incomplete: unset options are unknown"
        name = PurePath(self.config).name
        return (
            f"kernel findings judged against the device's kernel configuration {name} ({config}) "
            f"with the {self.judged_by}: {decided}; {self.recorded} recorded not affected"
        )

    def to_json(self) -> dict[str, Any]:
        """JSON-able form (the stored and the CLI's ``kbuild_map``/``device_kernel`` fields)."""
        return {
            "config": self.config,
            "config_complete": self.config_complete,
            "map_kernel": self.map_kernel,
            "map_series": self.map_series,
            "map_source": self.map_source,
            "map_origin": self.map_origin.value,
            "device_kernel": self.device_kernel,
            "device_kernel_from": self.device_kernel_from,
            "series_mismatch": self.series_mismatch,
            "counts": dict(self.counts),
            "not_in_map": self.not_in_map,
            "recorded": self.recorded,
            "withdrawn": self.withdrawn,
            "made_at": self.made_at.isoformat() if self.made_at else None,
            "warning": self.warning,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> KernelTriageSummary:
        """Inverse of :meth:`to_json`."""
        made = data.get("made_at")
        return cls(
            config=str(data["config"]),
            config_complete=bool(data["config_complete"]),
            map_kernel=str(data["map_kernel"]),
            map_series=str(data["map_series"]),
            map_source=str(data["map_source"]),
            map_origin=MapOrigin(data["map_origin"]),
            device_kernel=data.get("device_kernel"),
            device_kernel_from=data.get("device_kernel_from"),
            series_mismatch=bool(data["series_mismatch"]),
            counts={str(k): int(v) for k, v in data["counts"].items()},
            not_in_map=int(data.get("not_in_map", 0)),
            recorded=int(data.get("recorded", 0)),
            withdrawn=int(data.get("withdrawn", 0)),
            made_at=datetime.fromisoformat(made) if made else None,
            warning=data.get("warning"),
        )
