"""Each loader on the real files in ../shared/data, read in place (figures from the PROVENANCE files)."""

import datetime as dt

import polars as pl
import pytest

from osservatorio.sources.loaders import (
    dpc_covid,
    geopop,
    inps_rdc,
    istat_classificazioni,
    istat_popolazione,
    mef_irpef,
    pnrr_rigenerazione,
    rdc_comuni,
)

CREMONA = "019036"


@pytest.fixture(scope="module")
def data(shared_data):
    return shared_data


@pytest.fixture(scope="module")
def mef(data):
    return mef_irpef.parse_raw(sorted((data / "mef-irpef-comunale" / "raw").glob("*.csv.gz")))


def one(frame: pl.DataFrame, **where):
    rows = frame.filter(*[pl.col(k) == v for k, v in where.items()])
    assert rows.height == 1, rows
    return rows.row(0, named=True)


def test_population_by_comune(data):
    frame, report = istat_popolazione.parse_popolazione_comuni(
        data / "istat-popolazione" / "popolazione_residente_comuni_lombardia_2021_2025.csv"
    )
    assert report.ok
    totals = frame.filter(pl.col("sex") == "T")
    assert totals.height == 9021
    assert one(totals, comune_code=CREMONA, date=dt.date(2023, 1, 1))["population"] == 70845
    provisional = one(frame, comune_code=CREMONA, date=dt.date(2025, 12, 31), sex="M")
    assert provisional["population"] == 34732 and provisional["provisional"] is True
    lombardia = totals.filter(pl.col("date") == dt.date(2022, 1, 1)).get_column("population").sum()
    assert lombardia == 9_943_004
    # Bardello (012009) suppressed on 1/1/2023 still appears, mapped to its successor.
    assert one(totals, comune_code="012009", date=dt.date(2023, 1, 1))["comune_code_attuale"] == "012144"
    assert set(frame.columns) >= {"source_file", "source_row"}


def test_foreign_residents(data):
    frame, report = istat_popolazione.parse_stranieri_comuni(
        data / "istat-popolazione" / "stranieri_residenti_1gennaio_comuni_lombardia_2020_2025.csv"
    )
    assert report.ok and frame.height == 9025
    assert one(frame, comune_code=CREMONA, date=dt.date(2020, 1, 1))["foreign_residents"] == 10920
    assert one(frame, comune_code=CREMONA, date=dt.date(2025, 1, 1))["foreign_residents"] == 11019


def test_demographic_balance_adds_up(data):
    folder = data / "istat-popolazione"
    frame, report = istat_popolazione.parse_bilancio(
        [
            folder / "istat_bilancio_demografico_2025_lombardia.csv",
            folder / "istat_bilancio_stranieri_2025_lombardia.csv",
        ]
    )
    assert report.ok and report.counts.get(("avviso", "bilancio_quadra"), 0) == 0
    fine = one(frame, comune_code=CREMONA, cittadinanza="totale", sex="T", variable="popolazione_fine")
    assert fine["value"] == 71093 and fine["provisional"] is True
    assert frame.filter(pl.col("cittadinanza") == "straniera").get_column("comune_code").n_unique() == 1502
    assert (
        "acquisizioni_cittadinanza"
        in frame.filter(pl.col("cittadinanza") == "straniera")["variable"].to_list()
    )


def test_regional_population_by_age(data):
    frame, report = istat_popolazione.parse_posas_regioni(
        data / "istat-popolazione" / "posas_regioni_eta_sesso_2019_2025.csv"
    )
    assert report.ok  # includes the check that single ages add up to ISTAT's total rows
    lomb = frame.filter((pl.col("regione_code") == "03") & (pl.col("sex") == "T"))
    assert lomb.filter(pl.col("date") == dt.date(2025, 1, 1))["population"].sum() == 10_033_918
    assert frame["age"].max() == 100 and 999 not in frame["age"].to_list()


def test_third_party_compilation_is_flagged(data):
    frame, report = istat_popolazione.parse_regioni_compilata(
        data / "istat-popolazione" / "popolazione_regioni_eta_2002_2019_compilata.csv"
    )
    assert frame.height == 600 * 101 and frame["non_ufficiale"].all()
    assert any(i.rule == "fonte_non_ufficiale" for i in report.warnings)


def test_classifications_inner_areas_and_suppressed(data):
    folder = data / "istat-popolazione"
    cls, report = istat_classificazioni.parse_classificazioni(
        folder / "istat_classificazioni_comuni_2026_lombardia.csv"
    )
    assert report.ok and cls.height == 1502
    assert one(cls, comune_code=CREMONA)["popolazione_legale_2021"] == 70841
    ai, report = istat_classificazioni.parse_aree_interne(
        folder / "aree_interne_classificazione_2020_lombardia.csv"
    )
    assert report.ok and ai.height == 1506
    assert one(ai, comune_code=CREMONA)["classe_2021_2027"] == "A"
    sop, report = istat_classificazioni.parse_soppressi(folder / "istat_comuni_soppressi_lombardia.csv")
    assert report.ok and sop.height == 1000
    assert one(sop, comune_code="019008")["successor_code"] == "019107"


def test_geopop_embedded_population():
    frame, report = geopop.parse_geopop()
    assert report.ok
    cremona_prov = frame.filter(pl.col("comune_code").str.starts_with("019"))
    assert cremona_prov.filter(pl.col("year") == 2023)["population"].sum() == 351_169
    assert cremona_prov.filter(pl.col("year") == 2022)["population"].sum() == 351_654
    assert cremona_prov.filter(pl.col("year") == 2023)["comune_code"].n_unique() == 113


def test_mef_all_years_harmonised(mef):
    frame, report = mef
    assert report.ok, report.errors[:3]
    assert sorted(frame["tax_year"].unique().to_list()) == list(range(2000, 2024))
    per_year = frame.group_by("tax_year").len()
    # 7,897–8,101 data rows per file, less the "COMUNE ASSENTE" row that files have from 2008.
    assert per_year["len"].min() >= 7896 and per_year["len"].max() <= 8101
    assert frame.filter(pl.col("comune_code").str.len_chars() != 6).height == 0  # 2000–2007 zero-padded
    cremona_2023 = one(frame, comune_code=CREMONA, tax_year=2023)
    assert cremona_2023["n_contribuenti"] == 55295
    assert cremona_2023["reddito_imponibile_ammontare"] == 1_462_060_729
    assert cremona_2023["n_redditi_fascia_0_10000"] == 9820
    assert one(frame, comune_code=CREMONA, tax_year=2015)["n_contribuenti"] == 53315


def test_mef_2023_blanked_cells_are_null_and_flagged_not_zero(mef):
    frame, _ = mef
    cremona = one(frame, comune_code=CREMONA, tax_year=2023)
    assert cremona["n_redditi_fascia_oltre_120000"] is None
    assert cremona["redditi_fascia_le0_ammontare"] is None
    assert cremona["published"] is False
    assert {"n_redditi_fascia_oltre_120000", "n_redditi_fascia_le0"} <= set(cremona["non_pubblicati"])
    lomb = frame.filter(pl.col("regione_name").str.to_lowercase() == "lombardia")
    blank_2023 = lomb.filter(
        (pl.col("tax_year") == 2023) & pl.col("n_redditi_fascia_oltre_120000").is_null()
    ).height
    blank_2022 = lomb.filter(
        (pl.col("tax_year") == 2022) & pl.col("n_redditi_fascia_oltre_120000").is_null()
    ).height
    assert (blank_2023, blank_2022) == (472, 190)
    # Variables a year does not have are null but not "non pubblicati" (they were never in the file).
    old = one(frame, comune_code=CREMONA, tax_year=2010)
    assert old["n_reddito_complessivo"] is None and "n_reddito_complessivo" not in old["non_pubblicati"]


def test_mef_orphan_row_is_left_out_with_a_warning(mef):
    frame, report = mef
    assert frame.filter(pl.col("comune_name").str.contains("ASSENTE")).height == 0
    orphans = {(i.file[-11:-7], i.row) for i in report.warnings if i.rule == "riga_senza_comune"}
    assert ("2009", 8096) in orphans
    assert sorted(int(year) for year, _ in orphans) == list(range(2008, 2024))


def test_mef_2024_summary(data):
    frame, report = mef_irpef.parse_sintesi(
        data / "mef-irpef-comunale" / "irpef_comunale_2024_sintesi_lombardia.csv"
    )
    assert report.ok and frame.height == 1502
    cremona = one(frame, comune_code=CREMONA)
    assert cremona["n_contribuenti"] == 55484
    assert cremona["reddito_complessivo_ammontare"] == pytest.approx(1_601_043_692)


def test_inps_province_tables(data):
    frame, report = inps_rdc.parse_province_long(
        data / "inps-rdc-osservatorio" / "inps_rdc_pdc_rem_province_long.csv"
    )
    assert report.ok and frame.height == 8646
    assert report.counts.get(("avviso", "provincia_sconosciuta"), 0) == 0
    dec21 = frame.filter(
        (pl.col("provincia_code") == "019")
        & (pl.col("pubblicazione") == "RdCPdC_osservatorio_dicembre_2021.xlsx")
        & (pl.col("tavola") == "Tavola 1.5.1 RdC")
        & (pl.col("gruppo_colonna") == "Totale")
    )
    values = dict(dec21.select("misura", "value").iter_rows())
    assert values["Numero nuclei"] == 3413 and values["Numero persone coinvolte"] == 7008
    assert set(frame.filter(pl.col("misura").str.contains("%"))["unit"].unique()) == {"quota"}


def test_inps_original_workbooks_match_the_province_table(data):
    frame, report = inps_rdc.parse_appendici(sorted((data / "inps-rdc-osservatorio" / "xlsx").glob("*.xlsx")))
    assert report.ok
    assert {i.rule for i in report.warnings} == {"collegamenti_esterni"}  # official files with stale links
    cremona = frame.filter(
        (pl.col("pubblicazione") == "RdCPdC_osservatorio_dicembre_2021.xlsx")
        & (pl.col("tavola") == "Tavola 1.5.1 RdC")
        & (pl.col("riga") == "Cremona")
    )
    assert {3413.0, 7008.0, 2961.0, 452.0} <= set(cremona["value"].to_list())
    assert cremona["source_row"].min() > 1 and cremona["source_col"].min() > 1


def test_dpc_cases_and_regional_bulletin(data):
    folder = data / "pcm-dpc-covid19"
    prov, report = dpc_covid.parse_province(folder / "dpc-covid19-province-lombardia.csv")
    assert report.ok and prov.height == 24812
    cremona = one(prov, provincia_code="019", date=dt.date(2025, 1, 8))
    assert cremona["totale_casi"] == 151723
    assert one(prov, provincia_code="019", date=dt.date(2020, 3, 11))["nuovi_casi"] == 1061 - 957
    assert prov.filter(pl.col("technical_row"))["provincia_code"].unique().sort().to_list() == ["888", "988"]
    reg, report = dpc_covid.parse_regione(folder / "dpc-covid19-regione-lombardia.csv")
    assert report.ok and reg.height == 1781
    first = one(reg, date=dt.date(2020, 2, 24))
    assert (first["deceduti"], first["totale_casi"], first["nuovi_decessi"]) == (6, 172, None)


def test_pnrr_applications_with_ivsm(data):
    folder = data / "pnrr-rigenerazione-urbana"
    frame, report = pnrr_rigenerazione.parse_allegati(sorted(folder.glob("*.csv")))
    assert report.ok
    counts = dict(frame.group_by("allegato").len().iter_rows())
    assert counts == {"istanze": 302, "graduatoria": 289, "beneficiari": 100}
    casalmaggiore = one(frame, allegato="beneficiari", comune_code="019021")
    assert casalmaggiore["costo_complessivo"] == 4_110_000 and casalmaggiore["ivsm_2018"] == pytest.approx(
        100.60
    )
    cremona = frame.filter((pl.col("allegato") == "istanze") & (pl.col("comune_code") == CREMONA))
    assert cremona.height == 5 and cremona["ammesso"].all()
    assert cremona["ivsm_2018"].unique().to_list() == [pytest.approx(97.757, abs=1e-3)]


def test_rdc_comuni_is_loaded_as_non_official(data):
    frame, report = rdc_comuni.parse_rdc_comuni(
        data / "rdc-comuni-luglio2020" / "rdc_pdc_comuni_luglio2020_lombardia.csv"
    )
    assert report.ok and frame.height == 1506 and frame["non_ufficiale"].all()
    cremona = one(frame, comune_code=CREMONA)
    assert (cremona["nuclei_rdc"], cremona["nuclei_pdc"], cremona["persone_coinvolte"]) == (900, 145, 2222)
    assert cremona["importo_medio_mensile"] == pytest.approx(441.54, abs=0.01)
    abbadia = one(frame, comune_code="098001")  # 0 households: its "average amount" is filler, not data
    assert abbadia["importo_medio_mensile"] is None
    assert {"fonte_non_ufficiale", "importi_senza_nuclei"} <= {i.rule for i in report.warnings}
