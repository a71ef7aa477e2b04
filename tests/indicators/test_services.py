"""A release end to end: real territory and sources in the test database, synthetic service records."""

import pytest

from osservatorio.indicators import services
from osservatorio.indicators.models import DataPoint, DisclosureDecision, Indicator, Release, ReleaseStatus

DATASETS = [
    "geopop_popolazione_eta_sesso",
    "istat_popolazione_comuni",
    "istat_classificazioni_comuni",
    "istat_aree_interne",
]


@pytest.fixture
def loaded(territory_cremona, shared_data, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    from osservatorio.sources.services import load_dataset

    for key in DATASETS:
        load_dataset(key)
    from osservatorio.records.services import load_synthetic

    load_synthetic("AMB-CREMONESE", households=300, seed=7, records=600)
    return tmp_path


def test_catalogue_loads_idempotently(db):
    first = services.load_catalogue()
    second = services.load_catalogue()
    assert first["totale"] >= 40 and first["creati"] == first["totale"]
    assert second["creati"] == 0 and Indicator.objects.count() == first["totale"]


def test_release_values_flags_disclosure_and_diff(loaded):
    codes = [
        "quota-75-piu",
        "densita-abitativa",
        "residenti-aree-interne",
        "servizi-prestazioni-per-1000",
        "tasso-natalita",
    ]
    release = services.compute_release(codes, areas=["019"])
    assert release.status == ReleaseStatus.PUBLISHED
    ind = Indicator.objects.get(code="quota-75-piu")
    cremona = DataPoint.objects.get(
        release=release, indicator=ind, area_code="019036", period_start__year=2023, breakdown_key=""
    )
    assert cremona.area_level == "comune" and cremona.ci95_low < cremona.value < cremona.ci95_high
    ambito = DataPoint.objects.get(
        release=release, indicator=ind, area_code="AMB-CREMONESE", period_start__year=2023, breakdown_key=""
    )
    assert ambito.value == pytest.approx(ambito.numerator / ambito.denominator * 100)
    # A dataset that is not loaded is a message, not a crash or a silent zero.
    assert any("tasso-natalita" in m and "non è caricato" in m for m in release.messages)
    # Service records: small counts never released, every hidden cell has a logged reason.
    serv = Indicator.objects.get(code="servizi-prestazioni-per-1000")
    pts = DataPoint.objects.filter(release=release, indicator=serv)
    assert pts.exists()
    assert not pts.filter(suppressed=False, numerator__gt=0, numerator__lt=3).exists()
    hidden = pts.filter(suppressed=True)
    assert hidden.exists() and not hidden.filter(value__isnull=False).exists()
    assert DisclosureDecision.objects.filter(release=release, indicator=serv).count() >= hidden.count() // 2
    assert release.synthetic
    # Consistency across areas: an ambito equals the sum of its comuni whenever they are all published.
    year = pts.filter(granularity="anno", breakdown_key="", area_level="ambito", suppressed=False).first()
    if year is not None:
        comuni = pts.filter(
            granularity="anno", breakdown_key="", area_level="comune", period_start=year.period_start
        )
        if not comuni.filter(suppressed=True).exists():
            assert sum(c.numerator for c in comuni) == year.numerator
    # Identical values: no new release (the one in force stays).
    same = services.compute_release(codes, areas=["019"])
    assert same.pk == release.pk and same.unchanged
    # Second release after a change (one value of the first edited): diff against the first, the other
    # values the same, suppression consistent with the previous release.
    dp = DataPoint.objects.filter(release=release, indicator__code="densita-abitativa", value__isnull=False)[
        0
    ]
    DataPoint.objects.filter(pk=dp.pk).update(value=dp.value + 1)
    again = services.compute_release(codes, areas=["019"])
    assert again.previous_id == release.pk
    assert again.diff["indicatori"]["densita-abitativa"]["rivisti"] == 1
    assert again.diff["indicatori"]["quota-75-piu"]["rivisti"] == 0
    before = set(hidden.values_list("area_code", "period_start", "breakdown_key"))
    after = set(
        DataPoint.objects.filter(release=again, indicator=serv, suppressed=True).values_list(
            "area_code", "period_start", "breakdown_key"
        )
    )
    assert before <= after


def test_bad_requests_are_explained(loaded):
    with pytest.raises(services.ComputeError, match="Indicatori sconosciuti"):
        services.compute_release(["non-esiste"])
    with pytest.raises(services.ComputeError, match="Aree sconosciute"):
        services.compute_release(["quota-75-piu"], areas=["999999"])
    assert not Release.objects.filter(status=ReleaseStatus.RUNNING).exists()


def test_pages_show_released_values_comparison_trend_and_composite(loaded, client, django_user_model):
    from osservatorio.accounts.roles import Role

    codes = [
        "quota-75-piu",
        "quota-85-piu",
        "indice-vecchiaia",
        "densita-abitativa",
        "residenti-aree-interne",
        "popolazione-residente",
        "quota-65-piu",
    ]
    services.compute_release(codes, areas=["019"])
    page = client.get("/indicatori/")
    assert page.status_code == 200 and "Residenti di 75 anni e più" in page.content.decode()
    detail = client.get("/indicatori/quota-75-piu/?livello=comune").content.decode()
    assert "Scheda metodologica" in detail and "Cremona" in detail and "Wilson" in detail
    assert any(label in detail for label in ("simile", "migliore", "peggiore", "più alto", "più basso"))
    area = client.get("/indicatori/quota-75-piu/area/019036/").content.decode()
    assert "Confronti" in area and "Provincia di Cremona" in area and "Gruppo di comuni simili" in area
    assert "Tendenza" in area
    assert client.get("/indicatori/non-esiste/").status_code == 404
    assert client.get("/indicatori/indice-composito/").status_code == 302  # login required
    analyst = django_user_model.objects.create_user("analista", password="x" * 20, role=Role.ANALISTA)
    client.force_login(analyst)
    url = (
        "/indicatori/indice-composito/?name=Fragilit%C3%A0&indicators=quota-75-piu&indicators=indice-vecchiaia"
        "&indicators=quota-85-piu&negative_indicators=quota-85-piu&weights=quota-75-piu%3D2"
        "&method=ampi&level=comune&year=2023&negative_phenomenon=on"
    )
    html = client.get(url).content.decode()
    assert "Nota metodologica" in html and "Mazziotta" in html and "Analisi di sensibilità" in html
    # Charts (atlas Vega-Lite builders) with their text summary and a table of the same numbers.
    import json
    import re

    spec = json.loads(re.search(r'id="chart-composite-spec"[^>]*>(.*?)</script>', html, re.S).group(1))
    bars = [v for v in spec["data"]["values"] if v["value"] is not None]
    assert len(bars) > 100 and bars == sorted(bars, key=lambda v: -v["value"])
    assert "Indice più alto: " + bars[0]["name"] in html
    shifts = json.loads(re.search(r'id="chart-shifts-spec"[^>]*>(.*?)</script>', html, re.S).group(1))
    names = {v["name"] for v in shifts["data"]["values"]}
    assert "pesi uguali" in names and len(names) == 6  # 2 other normalisations, equal weights, 3 drops
    assert "Lo scenario che cambia di più la graduatoria" in html and "Spearman" in html
    wrong_year = client.get(url.replace("year=2023", "year=2010")).content.decode()
    assert "Nessun valore rilasciato" in wrong_year
    bad = client.get(url.replace("quota-75-piu%3D2", "quota-75-piu%3Ddue")).content.decode()
    assert "non è un numero" in bad


def test_recomputing_identical_values_keeps_the_release_in_force(loaded):
    codes = ["densita-abitativa", "quota-75-piu", "servizi-prestazioni-per-1000"]
    first = services.compute_release(codes, areas=["019"])
    n_points = DataPoint.objects.filter(release=first).count()
    n_decisions = DisclosureDecision.objects.filter(release=first).count()
    assert n_points > 0 and n_decisions > 0
    again = services.compute_release(codes, areas=["019"])
    assert again.pk == first.pk and again.unchanged
    assert Release.objects.count() == 1
    assert DataPoint.objects.count() == n_points and DisclosureDecision.objects.count() == n_decisions
    # A real change (here one value revised in the release in force) gives a new release with its diff.
    dp = DataPoint.objects.filter(
        release=first, indicator__code="densita-abitativa", value__isnull=False
    ).first()
    DataPoint.objects.filter(pk=dp.pk).update(value=dp.value + 1)
    changed = services.compute_release(codes, areas=["019"])
    assert changed.pk != first.pk and not getattr(changed, "unchanged", False)
    assert changed.diff["indicatori"]["densita-abitativa"]["rivisti"] == 1
    # Another scope is another release, never mistaken for the one in force.
    other = services.compute_release(codes, areas=["019036"])
    assert other.pk not in (first.pk, changed.pk)
