"""The synthetic generator: seeded, valid, calibrated to the real marginals it is given."""

import numpy as np
import polars as pl
import pytest

from osservatorio.records import codice_fiscale as cf
from osservatorio.records import synthetic

CREMONESE_SAMPLE = ["019036", "019035", "019001", "019113", "019094"]


@pytest.fixture(scope="module")
def population():
    return synthetic.geopop_population(CREMONESE_SAMPLE)


@pytest.fixture(scope="module")
def people(population):
    return synthetic.generate_households(population, 20_000, seed=11)


def test_same_seed_same_data_other_seed_other_data(population):
    a = synthetic.generate_households(population, 500, seed=1)
    b = synthetic.generate_households(population, 500, seed=1)
    c = synthetic.generate_households(population, 500, seed=2)
    assert a.equals(b)
    assert not a.equals(c)


def test_households_have_a_head_and_consistent_members(people):
    heads = people.filter(pl.col("role") == "capofamiglia")
    assert heads.height == people["household_id"].n_unique() == 20_000
    assert heads["age"].min() >= 18
    sizes = people.group_by("household_id").agg(pl.len(), pl.col("household_size").first())
    assert (sizes["len"] == sizes["household_size"]).all()
    assert people["synthetic"].all()


def test_codici_fiscali_are_valid_and_match_age_and_sex(people):
    sample = people.head(3000)
    for code, sex, born in sample.select("codice_fiscale", "sex", "birth_date").iter_rows():
        assert cf.is_valid(code)
        decoded = cf.decode(code, synthetic.REFERENCE_DATE)
        # Two-digit years: a centenarian decodes a century late; the rest must be exact.
        assert decoded.sex == sex
        got = decoded.birth_date
        assert (got.year % 100, got.month, got.day) == (born.year % 100, born.month, born.day)
    ages = sample.select(
        (pl.lit(synthetic.REFERENCE_DATE).dt.year() - pl.col("birth_date").dt.year()).alias("a"), "age"
    )
    assert ((ages["a"] - ages["age"]).abs() <= 1).all()


def test_population_shares_follow_each_comune(population, people):
    """Share of residents per comune, and of over-65s within each, close to ISTAT's."""
    real = population.group_by("comune_code").agg(
        pl.col("count").sum().alias("pop"), pl.col("count").filter(pl.col("age") >= 65).sum().alias("old")
    )
    real = real.with_columns(
        share=pl.col("pop") / pl.col("pop").sum(), old_share=pl.col("old") / pl.col("pop")
    )
    synth = people.group_by("comune_code").agg(
        pl.len().alias("n"), (pl.col("age") >= 65).mean().alias("old_share_s")
    )
    synth = synth.with_columns(share_s=pl.col("n") / pl.col("n").sum())
    both = real.join(synth, on="comune_code")
    assert (both["share"] - both["share_s"]).abs().max() < 0.02
    big = both.filter(pl.col("pop") > 5000)
    assert (big["old_share"] - big["old_share_s"]).abs().max() < 0.05
    # Calibration weights reproduce the real totals and the real over-65s exactly.
    weighted = people.group_by("comune_code").agg(
        pl.col("weight").sum().alias("w"), pl.col("weight").filter(pl.col("age") >= 65).sum().alias("w_old")
    )
    weighted = weighted.join(real, on="comune_code")
    assert np.allclose(weighted["w"].to_numpy(), weighted["pop"].to_numpy(), rtol=1e-6)
    assert np.allclose(weighted["w_old"].to_numpy(), weighted["old"].to_numpy(), rtol=1e-6)


def test_income_brackets_follow_the_given_shares(population):
    poor = pl.DataFrame({"comune_code": CREMONESE_SAMPLE, **{b: [0.0] * 5 for b in synthetic.BRACKETS}})
    poor = poor.with_columns(pl.lit(1.0).alias("0_10000"))
    people = synthetic.generate_households(population, 3000, seed=5, income_brackets=poor)
    taxpayers = people.filter(pl.col("income") > 0)
    assert taxpayers["income"].max() <= 10_000
    national = synthetic.generate_households(population, 3000, seed=5)
    share_26_55 = (
        national.filter(pl.col("income") > 0)
        .select(((pl.col("income") > 26_000) & (pl.col("income") <= 55_000)).mean())
        .item()
    )
    assert abs(share_26_55 - synthetic.NATIONAL_BRACKET_SHARES[4]) < 0.03


def test_service_records_kinds_periods_and_no_duplicates(people):
    records = synthetic.generate_service_records(people, 5000, seed=3)
    assert records.height == 5000
    assert records.unique().height == 5000
    vouchers = records.filter(pl.col("kind") == "buono_spesa")
    assert vouchers["record_date"].min() >= synthetic.KIND_PERIODS["buono_spesa"][0]
    assert vouchers["record_date"].max() <= synthetic.KIND_PERIODS["buono_spesa"][1]
    assert set(vouchers["amount"].unique().to_list()) <= {150.0, 250.0, 350.0, 450.0, 550.0, 600.0}
    assert records.filter(pl.col("kind") == "utente")["amount"].is_null().all()
    # Poorer households are over-represented among service users.
    assert (
        records.join(people.select("codice_fiscale", "isee"), on="codice_fiscale")["isee"].median()
        < people["isee"].median()
    )


def test_a_million_records_in_seconds(population):
    import time

    t0 = time.perf_counter()
    people = synthetic.generate_households(population, 250_000, seed=1)
    records = synthetic.generate_service_records(people, 1_000_000, seed=1)
    assert records.height == 1_000_000
    assert time.perf_counter() - t0 < 30
