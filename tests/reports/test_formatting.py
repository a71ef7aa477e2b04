from datetime import date

from osservatorio.reports.formatting import number, period, with_unit


def test_italian_numbers():
    assert number(12345.678, 1) == "12.345,7"
    assert number(None) == "—" and number(float("nan")) == "—"
    assert with_unit(12.5, 1, "%") == "12,5%"
    assert with_unit(21345, 0, "euro") == "21.345 euro"


def test_periods():
    assert period(date(2023, 1, 1), date(2023, 12, 31), "anno") == "2023"
    assert period(date(2023, 1, 1), date(2023, 1, 1), "data") == "1° gennaio 2023"
    assert period(date(2021, 12, 1), date(2021, 12, 31), "mese") == "dicembre 2021"


def test_spans_of_months_and_years_of_a_few_months():
    from osservatorio.reports.formatting import short_period

    assert period(date(2019, 4, 1), date(2019, 8, 31), "data") == "aprile–agosto 2019"
    assert short_period(date(2019, 4, 1), date(2019, 8, 31), "data") == "apr–ago 2019"
    assert short_period(date(2021, 12, 1), date(2021, 12, 31), "mese") == "dic 2021"
    assert short_period(date(2023, 1, 1), date(2023, 12, 31), "anno") == "2023"
    assert period(date(2023, 1, 1), date(2023, 6, 30), "anno") == "gennaio–giugno 2023"
    assert short_period(date(2019, 4, 1), date(2019, 12, 31), "anno") == "apr–dic 2019"
    assert short_period(date(2023, 1, 1), date(2023, 1, 1), "data") == "01/01/2023"
