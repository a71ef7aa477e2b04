import pytest

from osservatorio.core.http import UserFacing404
from osservatorio.territory import selectors

pytestmark = pytest.mark.django_db


def names(q):
    return [a.name for a in selectors.search(q)]


def test_search_ignores_accents_apostrophes_and_case(territory_cremona):
    assert names("sesto ed uniti")[0] == "Sesto ed Uniti"
    assert names("ca d andrea")[0] == "Ca' d'Andrea"
    assert names("CA' D'ANDREA")[0] == "Ca' d'Andrea"
    assert "Cappella de' Picenardi" in names("cappella de picenardi")


def test_search_puts_the_comune_first_and_finds_codes(territory_cremona):
    found = selectors.search("Cremona")
    assert (found[0].code, found[1].code) == ("019036", "019")
    assert [a.code for a in selectors.search("019036")][:1] == ["019036"]
    assert selectors.search("amb-crem")[0].code.startswith("AMB-CREM")
    assert selectors.search("") == []
    assert selectors.search("zzzz-non-esiste") == []


@pytest.mark.parametrize(
    "code, fragment",
    [("abc", "non è un codice territoriale valido"), ("0190", "non è un codice"), ("019999", "Nessuna area")],
)
def test_get_area_raises_an_italian_404(territory_cremona, code, fragment):
    with pytest.raises(UserFacing404, match=fragment):
        selectors.get_area(code)


def test_get_area_accepts_lower_case(territory_cremona):
    assert selectors.get_area("amb-cremonese").code == "AMB-CREMONESE"


def test_members_of_a_region_do_not_leak_through_ambiti(territory_cremona):
    lombardia = selectors.get_area("03")
    assert selectors.members(lombardia, "provincia").count() == 12
    assert selectors.members(lombardia).count() == 1502
    assert selectors.members(selectors.get_area("IT"), "regione").count() == 1
