"""Comparison of an area with a benchmark (parent area, region, Italy, peer group) by interval overlap.

Two values are "simile" when their intervals overlap; otherwise the area is above or below the benchmark,
and the indicator's polarity turns that into "migliore"/"peggiore". Indicators without a polarity
(e.g. the share of foreign residents) are labelled "più alto"/"più basso": the catalogue does not say
which direction is good. Anything missing, suppressed or across a series break is "non confrontabile"
rather than a guess.

When the benchmark has no interval (a published total, or a peer-group median) its point value is used:
the area is "simile" when its own interval contains it — the Fingertips rule.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

HIGHER_IS_BETTER = "higher_is_better"
LOWER_IS_BETTER = "lower_is_better"
NO_POLARITY = "neutral"
POLARITIES = (HIGHER_IS_BETTER, LOWER_IS_BETTER, NO_POLARITY)

BETTER = "migliore"
SIMILAR = "simile"
WORSE = "peggiore"
HIGHER = "più alto"
LOWER = "più basso"
NOT_COMPARABLE = "non confrontabile"


@dataclass(frozen=True)
class Estimate:
    value: float | None
    low: float | None = None
    high: float | None = None
    comparable: bool = True  # False for suppressed values or values across a break

    @property
    def usable(self) -> bool:
        return self.comparable and _finite(self.value)

    @property
    def has_interval(self) -> bool:
        return _finite(self.low) and _finite(self.high)


def _finite(x) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x))


def compare(area: Estimate, benchmark: Estimate, polarity: str) -> str:
    if polarity not in POLARITIES:
        raise ValueError(f"polarità sconosciuta: {polarity!r}")
    if not (area.usable and benchmark.usable):
        return NOT_COMPARABLE
    if area.has_interval and benchmark.has_interval:
        if area.high < benchmark.low:
            direction = -1
        elif area.low > benchmark.high:
            direction = 1
        else:
            return SIMILAR
    elif area.has_interval:
        if area.low <= benchmark.value <= area.high:
            return SIMILAR
        direction = 1 if area.value > benchmark.value else -1
    else:
        # No interval at all (e.g. an indicator whose method is "none"): equality is the only "simile".
        if area.value == benchmark.value:
            return SIMILAR
        if benchmark.has_interval and benchmark.low <= area.value <= benchmark.high:
            return SIMILAR
        direction = 1 if area.value > benchmark.value else -1
    if polarity == NO_POLARITY:
        return HIGHER if direction > 0 else LOWER
    good = (direction > 0) == (polarity == HIGHER_IS_BETTER)
    return BETTER if good else WORSE


def ranks(values: dict[str, float | None], polarity: str) -> dict[str, dict]:
    """Rank (1 = best, or highest when there is no polarity) and quintile (1 = best fifth) among siblings.

    Areas without a usable value get no rank; ties share the lowest rank ("competition" ranking).
    """
    usable = {k: v for k, v in values.items() if _finite(v)}
    reverse = polarity != LOWER_IS_BETTER
    ordered = sorted(usable.items(), key=lambda kv: kv[1], reverse=reverse)
    out: dict[str, dict] = {}
    n = len(ordered)
    previous = None
    rank = 0
    for position, (code, value) in enumerate(ordered, start=1):
        if value != previous:
            rank = position
            previous = value
        quintile = min(5, 1 + (rank - 1) * 5 // n) if n else None
        out[code] = {"rank": rank, "of": n, "quintile": quintile}
    return out
