"""Choropleth classes: quantiles, equal intervals, or the comparison of each area with its parent.

Pure functions (no Django), shared by the web map and the static maps of the reports. Every method
returns a `Classification`: the ordered classes with their label, colour and bounds, and the class of every
area code (None when the area has no usable value — drawn hatched/grey and listed as "non disponibile").
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from osservatorio.indicators import comparison as cmp

METHODS = ("quantili", "intervalli", "confronto")
METHOD_LABELS = {
    "quantili": "Quantili (stesso numero di aree per classe)",
    "intervalli": "Intervalli uguali",
    "confronto": "Confronto con l'area superiore",
}
# ColorBrewer "Blues" (colour-blind safe, ordered light → dark; dark = higher value, not "worse").
SEQUENTIAL = {
    3: ["#deebf7", "#9ecae1", "#3182bd"],
    4: ["#eff3ff", "#bdd7e7", "#6baed6", "#2171b5"],
    5: ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"],
    6: ["#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"],
    7: ["#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#084594"],
}
COMPARISON = {
    cmp.BETTER: "#1a9850",
    cmp.SIMILAR: "#fee08b",
    cmp.WORSE: "#d73027",
    cmp.HIGHER: "#4575b4",
    cmp.LOWER: "#91bfdb",
    cmp.NOT_COMPARABLE: "#d9d9d9",
}
MISSING_COLOUR = "#f2f2f2"


@dataclass(frozen=True)
class Class:
    key: str
    label: str
    colour: str
    lower: float | None = None
    upper: float | None = None
    count: int = 0


@dataclass
class Classification:
    method: str
    classes: list[Class]
    assignment: dict[str, int | None] = field(default_factory=dict)

    def class_of(self, code: str) -> Class | None:
        i = self.assignment.get(code)
        return None if i is None else self.classes[i]

    def as_dict(self) -> dict:
        return {
            "method": self.method,
            "classes": [c.__dict__ for c in self.classes],
            "assignment": self.assignment,
            "missing_colour": MISSING_COLOUR,
        }


def _finite(x) -> bool:
    return x is not None and isinstance(x, (int, float)) and math.isfinite(x)


def _fmt(x: float, decimals: int) -> str:
    s = f"{x:,.{decimals}f}"
    return s.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def _assign(values: Mapping[str, float | None], bounds: list[float]) -> dict[str, int | None]:
    """Class i holds bounds[i] <= v < bounds[i+1]; the last class also holds its upper bound."""
    k = len(bounds) - 1
    out: dict[str, int | None] = {}
    for code, v in values.items():
        if not _finite(v):
            out[code] = None
            continue
        i = 0
        while i < k - 1 and v >= bounds[i + 1]:
            i += 1
        out[code] = i
    return out


def _classes_from_bounds(
    method: str, values: Mapping[str, float | None], bounds: list[float], decimals: int
) -> Classification:
    k = len(bounds) - 1
    palette = SEQUENTIAL[max(3, min(7, k))][:k] if k >= 3 else SEQUENTIAL[3][:k]
    assignment = _assign(values, bounds)
    counts = [0] * k
    for i in assignment.values():
        if i is not None:
            counts[i] += 1
    classes = []
    for i in range(k):
        lo, hi = bounds[i], bounds[i + 1]
        label = f"{_fmt(lo, decimals)} – {_fmt(hi, decimals)}"
        classes.append(Class(f"c{i + 1}", label, palette[i], lo, hi, counts[i]))
    return Classification(method, classes, assignment)


def quantiles(values: Mapping[str, float | None], k: int = 5, decimals: int = 1) -> Classification:
    """k classes with (about) the same number of areas; fewer when values repeat."""
    vals = sorted(v for v in values.values() if _finite(v))
    if not vals:
        return Classification("quantili", [], {c: None for c in values})
    n = len(vals)
    bounds = [vals[0]]
    for j in range(1, k):
        pos = j * (n - 1) / k
        lo = math.floor(pos)
        b = vals[lo] + (vals[min(lo + 1, n - 1)] - vals[lo]) * (pos - lo)
        if b > bounds[-1]:
            bounds.append(b)
    if vals[-1] > bounds[-1] or len(bounds) == 1:
        bounds.append(vals[-1])
    return _classes_from_bounds("quantili", values, bounds, decimals)


def equal_intervals(values: Mapping[str, float | None], k: int = 5, decimals: int = 1) -> Classification:
    """k classes of the same width between the minimum and the maximum."""
    vals = [v for v in values.values() if _finite(v)]
    if not vals:
        return Classification("intervalli", [], {c: None for c in values})
    lo, hi = min(vals), max(vals)
    if hi == lo:
        return _classes_from_bounds("intervalli", values, [lo, hi], decimals)
    step = (hi - lo) / k
    bounds = [lo + i * step for i in range(k)] + [hi]
    return _classes_from_bounds("intervalli", values, bounds, decimals)


def comparison(
    estimates: Mapping[str, cmp.Estimate],
    benchmark: cmp.Estimate,
    polarity: str,
    benchmark_name: str = "",
) -> Classification:
    """Each area against the benchmark (its parent) by interval overlap, labelled by polarity."""
    if polarity == cmp.NO_POLARITY:
        keys = [cmp.HIGHER, cmp.SIMILAR, cmp.LOWER, cmp.NOT_COMPARABLE]
    else:
        keys = [cmp.BETTER, cmp.SIMILAR, cmp.WORSE, cmp.NOT_COMPARABLE]
    labels = {
        cmp.BETTER: "Migliore di",
        cmp.WORSE: "Peggiore di",
        cmp.SIMILAR: "Simile a",
        cmp.HIGHER: "Più alto di",
        cmp.LOWER: "Più basso di",
        cmp.NOT_COMPARABLE: "Non confrontabile con",
    }
    result = {code: cmp.compare(e, benchmark, polarity) for code, e in estimates.items()}
    counts = {k: sum(1 for r in result.values() if r == k) for k in keys}
    suffix = f" {benchmark_name}" if benchmark_name else " l'area superiore"
    classes = [Class(k, labels[k] + suffix, COMPARISON[k], None, None, counts[k]) for k in keys]
    index = {k: i for i, k in enumerate(keys)}
    return Classification("confronto", classes, {code: index[r] for code, r in result.items()})


def classify(
    method: str,
    values: Mapping[str, float | None],
    *,
    k: int = 5,
    decimals: int = 1,
    estimates: Mapping[str, cmp.Estimate] | None = None,
    benchmark: cmp.Estimate | None = None,
    polarity: str = cmp.NO_POLARITY,
    benchmark_name: str = "",
) -> Classification:
    if method == "quantili":
        return quantiles(values, k, decimals)
    if method == "intervalli":
        return equal_intervals(values, k, decimals)
    if method == "confronto":
        if estimates is None or benchmark is None:
            raise ValueError("il confronto richiede le stime delle aree e quella dell'area superiore")
        return comparison(estimates, benchmark, polarity, benchmark_name)
    raise ValueError(f"metodo di classificazione sconosciuto: {method!r} (usa {', '.join(METHODS)})")


def legend_rows(classification: Classification, missing: int = 0) -> Sequence[dict]:
    rows = [{"label": c.label, "colour": c.colour, "count": c.count} for c in classification.classes]
    if missing:
        rows.append({"label": "Non disponibile", "colour": MISSING_COLOUR, "count": missing})
    return rows
