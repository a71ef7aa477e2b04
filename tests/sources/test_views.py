import pytest
from django.urls import reverse

from osservatorio.sources import services
from osservatorio.sources.models import Release

from .conftest import POP_HEADER, write

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(tmp_path):
    path = write(
        tmp_path / "pop.csv",
        POP_HEADER + "019036,Cremona,2023-01-01,,,70845,ISTAT\n019999,X,2023-01-01,,,1,\n",
    )
    return services.load_dataset("istat_popolazione_comuni", [path]).release


def test_fonti_page_lists_every_source_with_its_release(client, loaded):
    body = client.get(reverse("sources:index")).content.decode()
    assert "<h1>Fonti dei dati</h1>" in body
    assert "Ministero dell&#x27;Economia e delle Finanze" in body or "Ministero dell'Economia" in body
    assert "istat_popolazione_comuni" in body and loaded.checksum_short in body
    assert "codice_istat_sconosciuto: 1" in body  # warnings summarised by rule
    assert "non caricato" in body  # the other datasets
    assert "non ufficiale" in body  # rdc_comuni_2020 and the third-party compilation
    assert "Avvertenze di qualità" in body and "<caption" in body


def test_source_page_shows_metadata_and_releases(client, loaded):
    body = client.get(reverse("sources:detail", args=["istat_popolazione"])).content.decode()
    for text in ("Regola di residenza", "Calendario di rilascio", "Residenza anagrafica", f">{loaded.pk}<"):
        assert text in body


def test_release_page_shows_the_validation_report(client, loaded):
    body = client.get(reverse("sources:release", args=[loaded.pk])).content.decode()
    assert "codice_istat_sconosciuto" in body and "019999" in body and "pop.csv" in body
    assert loaded.checksum in body


def test_non_official_source_says_so(client):
    body = client.get(reverse("sources:detail", args=["rdc_comuni_2020"])).content.decode()
    assert (
        "non presentare questi numeri come statistica ufficiale" in body.lower() or "Non presentare" in body
    )


def test_unknown_source_and_release_are_designed_404s(client):
    assert client.get(reverse("sources:detail", args=["nessuna"])).status_code == 404
    response = client.get(reverse("sources:release", args=[999999]))
    assert response.status_code == 404 and "999999" in response.content.decode()


def test_failed_release_page_explains_that_the_previous_one_stays(client, loaded, tmp_path):
    bad = write(tmp_path / "bad.csv", "a,b\n1,2\n")
    with pytest.raises(Exception):  # noqa: B017 - the LoadError itself is tested in test_services
        services.load_dataset("istat_popolazione_comuni", [bad])
    failed = Release.objects.get(status=Release.Status.FAILED)
    body = client.get(reverse("sources:release", args=[failed.pk])).content.decode()
    assert "la release precedente resta in vigore" in body and "manca la colonna" in body
