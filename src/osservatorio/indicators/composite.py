"""Composite indices: normalisation, weighting, ranks, sensitivity analysis and a methodological note.

Input: a matrix areas × indicators for one year, each indicator with a direction (+1 when it raises the
phenomenon the index measures, −1 when it lowers it) and a weight. Normalisations:
- "minmax": (x − min)/(max − min) × 100 (reversed for direction −1); index = weighted arithmetic mean;
- "zscore": (x − mean)/sd × direction; index = weighted arithmetic mean (0 = average area);
- "ampi": adjusted Mazziotta–Pareto index (Mazziotta & Pareto 2016, Istat BES). Each indicator is
  rescaled on goalposts Ref ± Δ, with Ref = mean of the areas and Δ = (max − min)/2:
  r = (x − Min)/(Max − Min) × 60 + 70 (reversed for direction −1), so the reference area scores 100;
  then AMPI± = M ± S·cv, with M and S the weighted mean and standard deviation of the area's r values
  and cv = S/M. The penalty for unbalanced profiles is "+" when the index measures a negative phenomenon
  (fragility, vulnerability: an unbalanced profile is worse) and "−" for a positive one (well-being).
Areas with a missing indicator get no index (listed apart), never an index computed on fewer indicators.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

METHODS = ("minmax", "zscore", "ampi")
METHOD_LABEL = {
    "minmax": "min–max (0–100)",
    "zscore": "punteggi z",
    "ampi": "Mazziotta–Pareto corretto (AMPI)",
}


@dataclass(frozen=True)
class Component:
    code: str
    title: str
    direction: int  # +1 raises the phenomenon, -1 lowers it
    weight: float = 1.0


@dataclass
class CompositeResult:
    method: str
    areas: list[str]
    scores: np.ndarray  # NaN for excluded areas
    ranks: np.ndarray  # 1 = highest score; 0 for excluded areas
    excluded: list[str]
    normalised: np.ndarray
    sensitivity: dict = field(default_factory=dict)


def _check(values: np.ndarray, components: Sequence[Component]) -> np.ndarray:
    if values.ndim != 2 or values.shape[1] != len(components):
        raise ValueError("la matrice dei valori deve avere una colonna per ogni indicatore scelto")
    if len(components) < 2:
        raise ValueError("un indice composito richiede almeno due indicatori")
    weights = np.array([c.weight for c in components], dtype=float)
    if np.any(weights < 0) or weights.sum() <= 0:
        raise ValueError("i pesi devono essere non negativi e non tutti zero")
    for c in components:
        if c.direction not in (1, -1):
            raise ValueError(f"direzione non valida per {c.code}: usare +1 o −1")
    return weights / weights.sum()


def normalise(values: np.ndarray, directions: np.ndarray, method: str) -> np.ndarray:
    if method not in METHODS:
        raise ValueError(f"normalizzazione sconosciuta: {method!r} (ammesse: {', '.join(METHODS)})")
    lo, hi = values.min(axis=0), values.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    if method == "minmax":
        r = (values - lo) / span * 100
        return np.where(directions > 0, r, 100 - r)
    if method == "zscore":
        sd = values.std(axis=0, ddof=0)
        z = (values - values.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
        return z * directions
    ref = values.mean(axis=0)
    delta = span / 2
    gmin, gmax = ref - delta, ref + delta
    r = (values - gmin) / (gmax - gmin) * 60 + 70
    return np.where(directions > 0, r, 200 - r)


def aggregate(norm: np.ndarray, weights: np.ndarray, method: str, negative_phenomenon: bool) -> np.ndarray:
    mean = norm @ weights
    if method != "ampi":
        return mean
    sd = np.sqrt(((norm - mean[:, None]) ** 2) @ weights)
    cv = sd / mean
    return mean + sd * cv if negative_phenomenon else mean - sd * cv


def _ranks(scores: np.ndarray) -> np.ndarray:
    order = np.argsort(-scores, kind="stable")
    ranks = np.empty(len(scores), dtype=int)
    ranks[order] = np.arange(1, len(scores) + 1)
    return ranks


def compute(
    areas: Sequence[str],
    values,
    components: Sequence[Component],
    method: str = "ampi",
    negative_phenomenon: bool = True,
    weights_override: Sequence[float] | None = None,
) -> CompositeResult:
    values = np.asarray(values, dtype=float)
    weights = _check(values, components)
    if weights_override is not None:
        w = np.asarray(weights_override, dtype=float)
        weights = w / w.sum()
    directions = np.array([c.direction for c in components])
    complete = np.all(np.isfinite(values), axis=1)
    if complete.sum() < 2:
        raise ValueError("servono almeno due aree con tutti gli indicatori disponibili")
    norm_all = np.full(values.shape, np.nan)
    norm_all[complete] = normalise(values[complete], directions, method)
    scores = np.full(len(areas), np.nan)
    scores[complete] = aggregate(norm_all[complete], weights, method, negative_phenomenon)
    ranks = np.zeros(len(areas), dtype=int)
    ranks[complete] = _ranks(scores[complete])
    excluded = [a for a, ok in zip(areas, complete, strict=True) if not ok]
    return CompositeResult(method, list(areas), scores, ranks, excluded, norm_all)


def _spearman(a: np.ndarray, b: np.ndarray) -> float:
    if len(a) < 3:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


def sensitivity(
    areas: Sequence[str],
    values,
    components: Sequence[Component],
    method: str = "ampi",
    negative_phenomenon: bool = True,
) -> dict:
    """Rank shifts of every area under the other normalisations, equal weights and dropping each indicator."""
    base = compute(areas, values, components, method, negative_phenomenon)
    ok = base.ranks > 0
    values = np.asarray(values, dtype=float)
    scenarios: list[tuple[str, np.ndarray]] = []
    for other in METHODS:
        if other != method:
            scenarios.append(
                (
                    f"normalizzazione {METHOD_LABEL[other]}",
                    compute(areas, values, components, other, negative_phenomenon).ranks,
                )
            )
    if len({c.weight for c in components}) > 1:
        eq = compute(areas, values, components, method, negative_phenomenon, [1.0] * len(components))
        scenarios.append(("pesi uguali", eq.ranks))
    if len(components) > 2:
        for j, c in enumerate(components):
            keep = [k for k in range(len(components)) if k != j]
            sub = compute(areas, values[:, keep], [components[k] for k in keep], method, negative_phenomenon)
            scenarios.append((f"senza «{c.title}»", sub.ranks))
    table = []
    all_ranks = (
        np.column_stack([base.ranks] + [r for _, r in scenarios]) if scenarios else base.ranks[:, None]
    )
    for name, ranks in scenarios:
        both = ok & (ranks > 0)
        shift = np.abs(ranks[both] - base.ranks[both])
        table.append(
            {
                "scenario": name,
                "mean_shift": float(shift.mean()) if len(shift) else 0.0,
                "max_shift": int(shift.max()) if len(shift) else 0,
                "spearman": _spearman(ranks[both].astype(float), base.ranks[both].astype(float)),
            }
        )
    per_area = {}
    for i, a in enumerate(areas):
        if not ok[i]:
            continue
        r = all_ranks[i][all_ranks[i] > 0]
        per_area[a] = {"base": int(base.ranks[i]), "min": int(r.min()), "max": int(r.max())}
    base.sensitivity = {"scenarios": table, "areas": per_area}
    return base.sensitivity


def _fmt(x: float, digits: int = 1) -> str:
    return f"{x:,.{digits}f}".replace(",", "X").replace(".", ",").replace("X", ".")


def methodological_note(
    name: str,
    year: int,
    areas: Sequence[str],
    area_names: Mapping[str, str],
    components: Sequence[Component],
    result: CompositeResult,
    sens: dict,
    negative_phenomenon: bool,
) -> str:
    """Italian Markdown note: what was combined, how, with which weights, and how robust the ranking is."""
    weights = np.array([c.weight for c in components], dtype=float)
    weights = weights / weights.sum()
    lines = [
        f"# Nota metodologica — {name}",
        "",
        f"L'indice sintetizza {len(components)} indicatori per {len(areas) - len(result.excluded)} aree, "
        f"anno di riferimento {year}. Misura un fenomeno "
        + (
            "negativo (valori alti = maggiore criticità)."
            if negative_phenomenon
            else "positivo (valori alti = situazione migliore)."
        )
        + " Il rango 1 indica il valore più alto dell'indice.",
        "",
        "## Indicatori, direzione e pesi",
        "",
        "| Indicatore | Direzione | Peso |",
        "| --- | --- | --- |",
    ]
    for c, w in zip(components, weights, strict=True):
        verso = "aumenta il fenomeno" if c.direction > 0 else "riduce il fenomeno (invertito)"
        lines.append(f"| {c.title} | {verso} | {_fmt(w * 100)}% |")
    lines += ["", "## Normalizzazione e aggregazione", ""]
    if result.method == "minmax":
        lines.append(
            "Ogni indicatore è riportato a una scala 0–100 con la trasformazione min–max "
            "(0 = valore minimo osservato, 100 = massimo; invertita per gli indicatori che riducono il fenomeno). "
            "L'indice è la media aritmetica ponderata dei valori normalizzati: è compensativo, un valore basso "
            "su un indicatore può essere bilanciato da uno alto su un altro."
        )
    elif result.method == "zscore":
        lines.append(
            "Ogni indicatore è standardizzato in punteggi z (scarto dalla media delle aree diviso per la "
            "deviazione standard, con segno invertito per gli indicatori che riducono il fenomeno). L'indice è "
            "la media ponderata dei punteggi: 0 corrisponde all'area media; è compensativo."
        )
    else:
        segno = "+" if negative_phenomenon else "−"
        lines.append(
            "Si usa l'indice di Mazziotta–Pareto corretto (AMPI), adottato da Istat per il BES. Ogni indicatore "
            "è riscalato con valori obiettivo (goalpost) Rif ± Δ, dove Rif è la media delle aree e Δ metà del "
            "campo di variazione: r = (x − Min)/(Max − Min) × 60 + 70, così l'area di riferimento vale 100. "
            f"L'indice è AMPI{segno} = M {segno} S·cv, con M e S media e deviazione standard ponderate dei valori "
            "riscalati dell'area e cv = S/M: è parzialmente non compensativo, perché un profilo squilibrato "
            + ("aumenta" if negative_phenomenon else "riduce")
            + " il valore dell'indice."
        )
    if result.excluded:
        names = ", ".join(area_names.get(a, a) for a in result.excluded[:10])
        more = "…" if len(result.excluded) > 10 else ""
        lines += [
            "",
            f"Escluse {len(result.excluded)} aree con almeno un indicatore mancante o soppresso: {names}{more}. "
            "Non si calcola l'indice su un sottoinsieme di indicatori, perché non sarebbe confrontabile.",
        ]
    lines += ["", "## Analisi di sensibilità", ""]
    if sens.get("scenarios"):
        lines += [
            "| Scenario alternativo | Spostamento medio di rango | Spostamento massimo | Correlazione di rango |",
            "| --- | --- | --- | --- |",
        ]
        for s in sens["scenarios"]:
            lines.append(
                f"| {s['scenario']} | {_fmt(s['mean_shift'])} | {s['max_shift']} | {_fmt(s['spearman'], 3)} |"
            )
        unstable = sorted(sens["areas"].items(), key=lambda kv: kv[1]["min"] - kv[1]["max"])[:5]
        lines += [
            "",
            "Aree con il rango meno stabile (rango base, minimo e massimo negli scenari): "
            + "; ".join(f"{area_names.get(a, a)} {v['base']} ({v['min']}–{v['max']})" for a, v in unstable)
            + ".",
            "",
            "Un rango che cambia molto tra gli scenari dipende dalle scelte metodologiche più che dai dati: "
            "va letto come fascia, non come posizione esatta.",
        ]
    else:
        lines.append(
            "Con due soli indicatori e pesi uguali l'unico scenario alternativo è la normalizzazione."
        )
    lines += [
        "",
        "## Avvertenze",
        "",
        "Gli indicatori provengono da fonti con universi diversi (residenti, contribuenti, famiglie): l'indice "
        "descrive una posizione relativa tra le aree considerate, non un livello assoluto, e non è confrontabile "
        "tra insiemi di aree o anni diversi se cambiano i valori di riferimento.",
    ]
    return "\n".join(lines) + "\n"
