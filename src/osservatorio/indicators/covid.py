"""COVID-19 effects: a dated timeline of events and measures, and observed values against a pre-2020 baseline.

Baseline (for yearly series): from the pre-pandemic points available (years ≤ 2019) two expectations are
computed for each year 2020–2022:
- "media": the mean of the pre-pandemic years, with prediction interval mean ± t(n−1)·s·√(1 + 1/n);
- "tendenza": the ordinary least-squares line through them, extrapolated, with prediction interval
  ŷ ± t(n−2)·s·√(1 + 1/n + (x − x̄)²/Sxx).
The difference observed − expected gets the interval ± √(h_pred² + h_obs²), where h_obs is the half width of
the observed value's own interval when it has one (independent errors, normal approximation). The
difference is "significativa" when its interval excludes zero. With fewer than 2 (mean) or 3 (trend)
pre-pandemic points, or a series break between the baseline and the observed year, no baseline is
computed and the reason is returned — never a number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
from scipy import stats as _st

PANDEMIC_START = 2020
OBSERVED_YEARS = (2020, 2021, 2022)


@dataclass(frozen=True)
class Event:
    start: date
    end: date | None
    title: str
    kind: str  # norma | restrizione | zona | misura | fine
    area: str  # "IT" or a region code such as "03"
    source: str


# Dates from the acts in Gazzetta Ufficiale and the ordinances of the Ministero della Salute; the zone
# colours are those that applied to Lombardia.
TIMELINE: tuple[Event, ...] = (
    Event(
        date(2019, 4, 1),
        None,
        "Primi pagamenti del Reddito e Pensione di cittadinanza",
        "misura",
        "IT",
        "DL 4/2019 conv. L. 26/2019",
    ),
    Event(
        date(2020, 1, 31),
        date(2022, 3, 31),
        "Stato di emergenza nazionale",
        "norma",
        "IT",
        "Delibera del Consiglio dei ministri 31/01/2020",
    ),
    Event(
        date(2020, 2, 23),
        None,
        "Zona rossa nei comuni del Lodigiano; primo decreto-legge",
        "restrizione",
        "03",
        "DL 6/2020; ordinanza Min. Salute–Regione Lombardia 21/02/2020",
    ),
    Event(date(2020, 3, 8), None, "Lombardia «zona protetta»", "restrizione", "03", "DPCM 8 marzo 2020"),
    Event(
        date(2020, 3, 10),
        date(2020, 5, 3),
        "Lockdown nazionale («Io resto a casa»)",
        "restrizione",
        "IT",
        "DPCM 9 e 11 marzo 2020",
    ),
    Event(
        date(2020, 3, 29),
        None,
        "Buoni spesa: 400 milioni ai comuni per la solidarietà alimentare",
        "misura",
        "IT",
        "OCDPC 658 del 29/03/2020",
    ),
    Event(date(2020, 5, 4), None, "«Fase 2»: riaperture graduali", "norma", "IT", "DPCM 26 aprile 2020"),
    Event(
        date(2020, 5, 19),
        None,
        "Reddito di emergenza (REM)",
        "misura",
        "IT",
        "DL 34/2020 art. 82 («Rilancio»)",
    ),
    Event(
        date(2020, 11, 6),
        date(2020, 11, 28),
        "Lombardia zona rossa",
        "zona",
        "03",
        "DPCM 3 novembre 2020; ordinanza Min. Salute 4/11/2020",
    ),
    Event(
        date(2020, 11, 23),
        None,
        "Buoni spesa: secondo stanziamento di 400 milioni",
        "misura",
        "IT",
        "DL 154/2020 art. 2",
    ),
    Event(
        date(2020, 11, 29),
        date(2020, 12, 12),
        "Lombardia zona arancione",
        "zona",
        "03",
        "Ordinanza Min. Salute 27/11/2020",
    ),
    Event(
        date(2020, 12, 13),
        date(2020, 12, 23),
        "Lombardia zona gialla",
        "zona",
        "03",
        "Ordinanza Min. Salute 11/12/2020",
    ),
    Event(
        date(2020, 12, 24),
        date(2021, 1, 6),
        "Festività: zona rossa nei festivi e prefestivi in tutta Italia",
        "zona",
        "IT",
        "DL 172/2020",
    ),
    Event(
        date(2021, 1, 17),
        date(2021, 1, 23),
        "Lombardia zona rossa",
        "zona",
        "03",
        "Ordinanza Min. Salute 16/01/2021",
    ),
    Event(
        date(2021, 1, 24),
        date(2021, 1, 31),
        "Lombardia zona arancione",
        "zona",
        "03",
        "Ordinanza Min. Salute 23/01/2021",
    ),
    Event(
        date(2021, 2, 1),
        date(2021, 2, 28),
        "Lombardia zona gialla",
        "zona",
        "03",
        "Ordinanza Min. Salute 30/01/2021",
    ),
    Event(
        date(2021, 3, 1),
        date(2021, 3, 14),
        "Lombardia zona arancione (rafforzata dal 5 marzo)",
        "zona",
        "03",
        "Ordinanza Min. Salute 27/02/2021; ordinanza regionale 714/2021",
    ),
    Event(
        date(2021, 3, 15),
        date(2021, 4, 11),
        "Lombardia zona rossa",
        "zona",
        "03",
        "Ordinanza Min. Salute 12/03/2021",
    ),
    Event(
        date(2021, 3, 22),
        None,
        "Proroga del Reddito di emergenza",
        "misura",
        "IT",
        "DL 41/2021 art. 12 («Sostegni»)",
    ),
    Event(
        date(2021, 4, 12),
        date(2021, 4, 25),
        "Lombardia zona arancione",
        "zona",
        "03",
        "Ordinanza Min. Salute 09/04/2021",
    ),
    Event(date(2021, 4, 26), date(2021, 6, 13), "Lombardia zona gialla", "zona", "03", "DL 52/2021"),
    Event(
        date(2021, 5, 25),
        None,
        "Fondo di 500 milioni per solidarietà alimentare, affitti e utenze (buoni spesa 2021)",
        "misura",
        "IT",
        "DL 73/2021 art. 53 («Sostegni-bis»)",
    ),
    Event(date(2021, 6, 14), None, "Lombardia zona bianca", "zona", "03", "Ordinanza Min. Salute 11/06/2021"),
    Event(date(2022, 3, 31), None, "Fine dello stato di emergenza", "fine", "IT", "DL 24/2022"),
    Event(
        date(2023, 9, 1),
        None,
        "Supporto per la formazione e il lavoro (SFL)",
        "misura",
        "IT",
        "DL 48/2023 conv. L. 85/2023",
    ),
    Event(
        date(2023, 12, 31),
        None,
        "Fine del Reddito di cittadinanza",
        "fine",
        "IT",
        "L. 197/2022 art. 1 c. 318",
    ),
    Event(
        date(2024, 1, 1), None, "Assegno di inclusione (ADI)", "misura", "IT", "DL 48/2023 conv. L. 85/2023"
    ),
)


def events(
    area_codes: tuple[str, ...] = ("IT",), start: date | None = None, end: date | None = None
) -> list[Event]:
    out = []
    for e in TIMELINE:
        if e.area not in area_codes:
            continue
        last = e.end or e.start
        if start and last < start:
            continue
        if end and e.start > end:
            continue
        out.append(e)
    return out


@dataclass(frozen=True)
class BaselineComparison:
    year: int
    method: str  # media | tendenza
    observed: float | None
    expected: float | None
    expected_low: float | None
    expected_high: float | None
    difference: float | None
    difference_low: float | None
    difference_high: float | None
    significant: bool | None
    note: str = ""


def _none(year: int, method: str, observed, note: str) -> BaselineComparison:
    return BaselineComparison(year, method, observed, None, None, None, None, None, None, None, note)


def baseline(
    series: dict[int, float | None],
    observed_half_width: dict[int, float] | None = None,
    breaks: tuple[int, ...] = (),
    level: float = 0.95,
    years: tuple[int, ...] = OBSERVED_YEARS,
) -> list[BaselineComparison]:
    """Compare years 2020–2022 with the mean and the trend of the pre-2020 years of `series`.

    `breaks`: years from which the series is not comparable with earlier ones (a break in year Y separates
    Y−1 from Y).
    """
    observed_half_width = observed_half_width or {}
    pre = sorted(
        (y, v) for y, v in series.items() if y < PANDEMIC_START and v is not None and math.isfinite(v)
    )
    out: list[BaselineComparison] = []
    for year in years:
        obs = series.get(year)
        if obs is None or not math.isfinite(obs):
            out += [
                _none(year, m, None, "valore osservato mancante o soppresso") for m in ("media", "tendenza")
            ]
            continue
        crossing = [b for b in breaks if pre and pre[0][0] < b <= year]
        usable = [(y, v) for y, v in pre if not crossing or y >= max(crossing)]
        if crossing and not usable:
            note = f"interruzione di serie nel {max(crossing)}: nessun anno confrontabile prima del 2020"
            out += [_none(year, m, obs, note) for m in ("media", "tendenza")]
            continue
        xs = np.array([y for y, _ in usable], dtype=float)
        vs = np.array([v for _, v in usable], dtype=float)
        h_obs = observed_half_width.get(year, 0.0) or 0.0
        # Mean baseline
        if len(vs) >= 2:
            n = len(vs)
            s = vs.std(ddof=1)
            half = _st.t.ppf(0.5 + level / 2, n - 1) * s * math.sqrt(1 + 1 / n)
            out.append(_compare(year, "media", obs, float(vs.mean()), half, h_obs))
        else:
            out.append(_none(year, "media", obs, "meno di 2 anni pre-pandemici disponibili"))
        # Trend baseline
        if len(vs) >= 3:
            n = len(vs)
            slope, intercept = np.polyfit(xs, vs, 1)
            fitted = intercept + slope * xs
            s = math.sqrt(np.sum((vs - fitted) ** 2) / (n - 2))
            sxx = np.sum((xs - xs.mean()) ** 2)
            pred = intercept + slope * year
            half = (
                _st.t.ppf(0.5 + level / 2, n - 2) * s * math.sqrt(1 + 1 / n + (year - xs.mean()) ** 2 / sxx)
            )
            out.append(_compare(year, "tendenza", obs, float(pred), half, h_obs))
        else:
            out.append(_none(year, "tendenza", obs, "meno di 3 anni pre-pandemici disponibili"))
    return out


def _compare(
    year: int, method: str, obs: float, expected: float, half: float, h_obs: float
) -> BaselineComparison:
    diff = obs - expected
    dh = math.sqrt(half * half + h_obs * h_obs)
    return BaselineComparison(
        year,
        method,
        obs,
        expected,
        expected - half,
        expected + half,
        diff,
        diff - dh,
        diff + dh,
        bool(diff - dh > 0 or diff + dh < 0),
    )


def segments(
    points: list[tuple[int, float | None]], breaks: tuple[int, ...] = ()
) -> list[list[tuple[int, float]]]:
    """Split a series into runs that may be drawn joined: a break or a missing value starts a new run."""
    runs: list[list[tuple[int, float]]] = []
    current: list[tuple[int, float]] = []
    for year, value in sorted(points, key=lambda p: p[0]):
        if value is None or (isinstance(value, float) and not math.isfinite(value)) or year in breaks:
            if current:
                runs.append(current)
            current = []
            if value is None or (isinstance(value, float) and not math.isfinite(value)):
                continue
        current.append((year, value))
    if current:
        runs.append(current)
    return runs
