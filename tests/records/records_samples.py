"""Valid codici fiscali for the records tests (made with the official algorithm, no real person)."""

from datetime import date

from osservatorio.records import codice_fiscale as cf_math


def cf(surname="RSS", name="MRA", born=date(1980, 1, 1), sex="M", place="D150"):
    return cf_math.encode(surname, name, born, sex, place)


ROSSI = cf()
BIANCHI = cf("BNC", "LGU", date(1950, 3, 15), "F")
VERDI = cf("VRD", "GPP", date(2001, 12, 31), "M", "Z330")
