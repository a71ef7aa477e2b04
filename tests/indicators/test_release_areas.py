"""A release restricted to some areas stores those areas and no others (real territory of Lombardia)."""

import pytest

from osservatorio.indicators import services
from osservatorio.indicators.models import DataPoint, Release

CODES = ["densita-abitativa", "quota-75-piu"]


@pytest.fixture
def loaded(territory_cremona, shared_data, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    from osservatorio.sources.services import load_dataset

    for key in ["istat_classificazioni_comuni", "geopop_popolazione_eta_sesso"]:
        load_dataset(key)
    return tmp_path


def _stored(release: Release) -> set[str]:
    return set(DataPoint.objects.filter(release=release).values_list("area_code", flat=True))


def _comuni(release: Release) -> set[str]:
    return set(
        DataPoint.objects.filter(release=release, area_level="comune").values_list("area_code", flat=True)
    )


def test_only_the_areas_asked_for(loaded):
    # What the reports ask for: Italia, Lombardia, two provinces and two comuni — not the 1,500 comuni
    # inside Italia and Lombardia.
    asked = ["IT", "03", "019", "015", "019036", "019001"]
    release = services.compute_release(CODES, areas=asked, only_areas=True)
    assert _stored(release) == set(asked)
    assert sorted(release.areas) == sorted(asked)
    # Aggregates are still sums over every member, not over the areas asked for: Lombardia's residents
    # (density numerator) exceed those of the two provinces listed.
    dens = DataPoint.objects.filter(release=release, indicator__code="densita-abitativa")
    lombardia = dens.get(area_code="03")
    assert lombardia.numerator > sum(dens.filter(area_level="provincia").values_list("numerator", flat=True))
    full = services.compute_release(CODES)
    by_area = {
        (d.area_code, d.period_start, d.breakdown_key): d.value
        for d in DataPoint.objects.filter(release=full, area_code__in=asked)
    }
    mine = {
        (d.area_code, d.period_start, d.breakdown_key): d.value
        for d in DataPoint.objects.filter(release=release)
    }
    # Same values as the full release (sums of non-integer areas in km² may differ in the last digit: the
    # order of a parallel sum is not fixed).
    assert mine.keys() == by_area.keys()
    assert all(mine[k] == pytest.approx(by_area[k], rel=1e-12) for k in mine if mine[k] is not None)
    assert {k for k in mine if mine[k] is None} == {k for k in by_area if by_area[k] is None}


def test_an_area_with_its_members_and_the_areas_containing_it(loaded):
    # The default (the CLI's --area): the comune of Cremona, its quartieri where data exist, and the
    # ambito, province, region and Italia containing it — no other comune of Lombardia.
    release = services.compute_release(CODES, areas=["019036"])
    assert _comuni(release) == {"019036"}
    assert {"019036", "AMB-CREMONESE", "019", "03", "IT"} <= _stored(release) <= set(release.areas)
    province = services.compute_release(CODES, areas=["019"])
    comuni = _comuni(province)
    assert len(comuni) > 100 and all(c.startswith("019") for c in comuni)


def test_a_restricted_release_is_never_mistaken_for_a_full_one(loaded):
    full = services.compute_release(CODES)
    n_full = DataPoint.objects.filter(release=full).count()
    part = services.compute_release(CODES, areas=["019036"], only_areas=True)
    assert part.pk != full.pk and not getattr(part, "unchanged", False)
    assert DataPoint.objects.filter(release=part).count() < n_full
    assert part.diff["precedente"] == full.pk
    assert part.diff["indicatori"]["densita-abitativa"]["rimossi"] > 0
    assert part.diff["indicatori"]["densita-abitativa"]["rivisti"] == 0
    # The same restricted request again: nothing changed, the release in force stays.
    again = services.compute_release(CODES, areas=["019036"], only_areas=True)
    assert again.pk == part.pk and again.unchanged
    # The same area with its members and containers is another scope: another release.
    wider = services.compute_release(CODES, areas=["019036"])
    assert wider.pk != part.pk and not getattr(wider, "unchanged", False)
    # And the full catalogue over the whole territory after a restricted one is not "unchanged" either.
    whole = services.compute_release(CODES)
    assert whole.pk != wider.pk and DataPoint.objects.filter(release=whole).count() == n_full


def test_command_line_stores_only_the_areas_listed(loaded):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command(
        "indicators", "compute", "--indicator", CODES[0], "--area", "019", "--area", "019036", "--solo-aree",
        stdout=out,
    )  # fmt: skip
    release = Release.objects.order_by("-pk").first()
    assert _stored(release) == {"019", "019036"}
    with pytest.raises(CommandError, match="--solo-aree richiede"):
        call_command("indicators", "compute", "--solo-aree", stdout=StringIO())
