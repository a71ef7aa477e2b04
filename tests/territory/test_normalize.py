from hypothesis import given
from hypothesis import strategies as st

from osservatorio.territory.codes import is_well_formed, normalize_code
from osservatorio.territory.normalize import search_key


def test_accents_apostrophes_and_case_do_not_matter():
    assert search_key("Ca' d'Andrea") == search_key("ca d andrea") == "ca d andrea"
    assert search_key("Ca’ d’Andrea") == "ca d andrea"  # typographic apostrophe
    assert search_key("SESTO ED UNITI") == "sesto ed uniti"
    assert search_key("Canicattì") == "canicatti"
    assert search_key("Bolzano/Bozen") == "bolzano bozen"


def test_code_shapes():
    for ok in ["IT", "03", "019", "019036", "019036-Q01", "AMB-CREMONESE"]:
        assert is_well_formed(ok), ok
    for bad in ["", "3", "0190", "19036", "abc", "019036-Q", "AMB-", "019036/1", "1e5"]:
        assert not is_well_formed(normalize_code(bad)), bad
    assert normalize_code(" amb-cremonese ") == "AMB-CREMONESE"


@given(st.text(max_size=60))
def test_search_key_is_plain_and_stable(text):
    key = search_key(text)
    assert set(key) <= set("abcdefghijklmnopqrstuvwxyz0123456789 ")
    assert "  " not in key and key == key.strip()
    assert search_key(key) == key
