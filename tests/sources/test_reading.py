"""Bad input, one case at a time: each gets an Italian message naming file, row, column and rule."""

import os
import tracemalloc
import zipfile

import openpyxl
import polars as pl
import pytest

from osservatorio.sources import reading
from osservatorio.sources.loaders import istat_popolazione
from osservatorio.sources.reading import Column
from osservatorio.sources.validation import LoadError, ValidationReport

from .conftest import POP_HEADER, write

COLUMNS = [
    Column("codice_istat", ("codice comune",)),
    Column("comune", ()),
    Column("totale", ("popolazione",)),
]
ROWS = "019036;Cremonà;70.841\n019008;Ca' d'Andrea;450\n"


def read(path, columns=COLUMNS):
    report = ValidationReport()
    return reading.read_table(path, columns, report=report), report


@pytest.mark.parametrize(
    ("encoding", "name"),
    [("utf-8", "Città"), ("utf-8-sig", "Città"), ("cp1252", "Citt€ – à"), ("latin-1", "Città ò")],
)
def test_encodings_are_detected(tmp_path, encoding, name):
    path = write(tmp_path / "f.csv", f"codice_istat;comune;totale\n019036;{name};5\n", encoding)
    frame, report = read(path)
    assert frame.get_column("comune").to_list() == [name]
    assert report.stats["files"]["f.csv"]["encoding"].startswith(encoding.replace("latin-1", "latin-1"))


def test_bom_does_not_pollute_the_first_header(tmp_path):
    path = write(tmp_path / "bom.csv", "codice_istat,comune,totale\n019036,Cremona,1\n", "utf-8-sig")
    frame, _ = read(path)
    assert frame.get_column("codice_istat").to_list() == ["019036"]


@pytest.mark.parametrize("sep", [";", ",", "\t"])
def test_separators_are_sniffed(tmp_path, sep):
    path = write(
        tmp_path / "s.csv",
        sep.join(["codice_istat", "comune", "totale"])
        + "\n"
        + sep.join(["019036", "Cremona", "70841"])
        + "\n",
    )
    frame, report = read(path)
    assert frame.get_column("totale").to_list() == ["70841"]
    assert report.stats["files"]["s.csv"]["separator"] == sep


def test_decimal_comma_and_thousands_dot(tmp_path):
    path = write(
        tmp_path / "n.csv", "codice_istat;comune;totale\n019036;A;1.234,5\n019037;B;70.841\n019038;C;12,5\n"
    )
    frame, report = read(path)
    values = reading.to_float(frame, "totale", report=report, file="n.csv")
    assert values.to_list() == [1234.5, 70841.0, 12.5]
    # Without any comma: in an integer column "70.841" is thousands; in a decimal column a dot is a point.
    ints = reading.to_int(frame.slice(1, 1), "totale", report=report, file="n.csv")
    assert ints.to_list() == [70841]
    dotted = pl.DataFrame({"x": ["441.542", "1.234.567", "900.0"], "source_row": [2, 3, 4]})
    assert reading.to_float(dotted, "x", report=report, file="n.csv").to_list() == [441.542, 1234567.0, 900.0]
    assert report.ok


def test_non_number_is_an_error_with_row_and_column(tmp_path):
    path = write(tmp_path / "bad.csv", "codice_istat;comune;totale\n019036;A;12\n019037;B;dodici\n")
    frame, report = read(path)
    reading.to_int(frame, "totale", report=report, file="bad.csv")
    [issue] = report.errors
    assert (issue.file, issue.row, issue.column, issue.rule) == ("bad.csv", 3, "totale", "numero_intero")
    assert "«dodici» non valido" in str(issue) and "riga 3" in str(issue)


def test_header_after_a_title_and_on_two_lines(tmp_path):
    text = (
        "Popolazione residente al 1 gennaio;;\n"
        "Fonte: Istat;;\n"
        "Codice;Comune;Popolazione\n"
        "istat;;\n"
        "019036;Cremona;70841\n"
    )
    path = write(tmp_path / "t.csv", text)
    frame, report = read(path, [Column("codice istat", ()), Column("comune", ()), Column("popolazione", ())])
    assert frame.get_column("codice istat").to_list() == ["019036"]
    assert frame.get_column("source_row").to_list() == [5]
    assert report.stats["files"]["t.csv"] == {
        "encoding": "utf-8",
        "separator": ";",
        "header_row": 4,
        "header_lines": 2,
    }


def test_missing_column_names_it_and_shows_what_was_found(tmp_path):
    path = write(tmp_path / "m.csv", "codice_istat;comune;abitanti\n019036;Cremona;1\n")
    with pytest.raises(LoadError) as err:
        read(path)
    message = str(err.value)
    assert "file «m.csv»" in message and "manca la colonna «totale»" in message
    assert "«abitanti»" in message and "colonna_obbligatoria" in message


def test_renamed_column_is_accepted_through_its_alias(tmp_path):
    path = write(tmp_path / "r.csv", "Codice comune;Comune;Popolazione\n019036;Cremona;1\n")
    frame, _ = read(path)
    assert frame.columns[:3] == ["codice_istat", "comune", "totale"]


def test_duplicated_rows_are_reported(tmp_path):
    path = write(tmp_path / "d.csv", "codice_istat;comune;totale\n019036;Cremona;1\n019036;Cremona;1\n")
    _, report = read(path)
    [issue] = report.warnings
    assert (issue.rule, issue.row) == ("righe_duplicate", 3)


def test_empty_file_is_refused(tmp_path):
    path = tmp_path / "vuoto.csv"
    path.write_bytes(b"")
    with pytest.raises(LoadError, match=r"file «vuoto.csv».*vuoto"):
        read(path)


def test_file_with_only_blank_lines_is_refused(tmp_path):
    path = write(tmp_path / "blank.csv", "\n\n  \n")
    with pytest.raises(LoadError, match="non contiene dati"):
        read(path)


def test_header_without_rows_is_refused(tmp_path):
    path = write(tmp_path / "h.csv", "codice_istat;comune;totale\n")
    with pytest.raises(LoadError, match="nessuna riga di dati"):
        read(path)


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory):
    """A real 200 MB CSV, written in streamed blocks (a second or so)."""
    path = tmp_path_factory.mktemp("big") / "grande.csv"
    block = ("019036;Cremona;70841\n" * 50_000).encode()
    with open(path, "wb") as fh:
        fh.write(b"codice_istat;comune;totale\n")
        while fh.tell() < 200 * 1024 * 1024:
            fh.write(block)
    return path


def test_200mb_file_over_the_limit_is_refused_before_reading(big_csv, settings):
    settings.OSSERVATORIO_UPLOAD_MAX_BYTES = 100 * 1024 * 1024
    tracemalloc.start()
    with pytest.raises(LoadError) as err:
        read(big_csv)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert "troppo grande (200,3 MB; il limite è 100,0 MB)" in str(err.value)
    assert err.value.issues[0].rule == "dimensione_massima"
    assert peak < 5 * 1024 * 1024


def test_200mb_file_checksum_is_streamed_in_bounded_memory(big_csv):
    tracemalloc.start()
    digest = reading.sha256_file(big_csv)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(digest) == 64
    assert peak < 8 * 1024 * 1024


def _xlsx(path, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_excel_dates_and_numbers_stored_as_text(tmp_path):
    import datetime as dt

    path = _xlsx(
        tmp_path / "pop.xlsx",
        [
            ["Popolazione residente"],
            ["codice_istat", "comune", "data_riferimento", "totale"],
            ["019036", "Cremona", dt.datetime(2023, 1, 1), "70.845"],
            [19001, "Acquanegra Cremonese", "44927", 1100],
            ["019036", "Cremona", "01/01/2024", "70841"],
        ],
    )
    frame, report = istat_popolazione.parse_popolazione_comuni(path)
    assert report.ok, report.errors
    totals = frame.filter(pl.col("sex") == "T").sort("source_row")
    assert totals.get_column("population").to_list() == [70845, 1100, 70841]
    assert [d.isoformat() for d in totals.get_column("date")] == ["2023-01-01", "2023-01-01", "2024-01-01"]
    assert totals.get_column("comune_code").to_list() == ["019036", "019001", "019036"]
    assert totals.get_column("source_row").to_list() == [3, 4, 5]


def test_xlsm_with_macros_is_refused(tmp_path):
    path = _xlsx(tmp_path / "macro.xlsx", [["codice_istat", "comune", "totale"], ["019036", "Cremona", 1]])
    with zipfile.ZipFile(path, "a") as z:
        z.writestr("xl/vbaProject.bin", b"\x00" * 64)
    with pytest.raises(LoadError) as err:
        read(path)
    assert (
        err.value.issues[0].rule == "no_macro"
        and "macro" in str(err.value)
        and "macro.xlsx" in str(err.value)
    )
    xlsm = tmp_path / "pop.xlsm"
    xlsm.write_bytes(path.read_bytes())
    with pytest.raises(LoadError, match=r"\(.xlsm\) non sono accettate"):
        read(xlsm)


def test_xlsx_with_external_links_is_refused(tmp_path):
    path = _xlsx(tmp_path / "link.xlsx", [["codice_istat", "comune", "totale"], ["019036", "Cremona", 1]])
    with zipfile.ZipFile(path, "a") as z:
        z.writestr("xl/externalLinks/externalLink1.xml", "<externalLink/>")
    with pytest.raises(LoadError) as err:
        read(path)
    assert err.value.issues[0].rule == "no_collegamenti_esterni"
    assert "Interrompi collegamento" in str(err.value)


def test_zip_bomb_is_refused_without_inflating_it(tmp_path):
    path = tmp_path / "bomba.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"\x00" * (4 * 1024 * 1024)
            for _ in range(64):  # 256 MB of zeros, ~250 KB compressed
                member.write(chunk)
    assert os.path.getsize(path) < 2 * 1024 * 1024
    tracemalloc.start()
    with pytest.raises(LoadError) as err:
        read(path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert err.value.issues[0].rule == "zip_bomb"
    assert "zip bomb" in str(err.value) and "bomba.xlsx" in str(err.value)
    assert peak < 10 * 1024 * 1024


def test_gzip_bomb_is_refused(tmp_path, settings):
    import gzip

    settings.OSSERVATORIO_UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    path = tmp_path / "dati.csv.gz"
    with gzip.open(path, "wb") as fh:
        fh.write(b"codice_istat;comune;totale\n")
        fh.write(b"0" * (20 * 1024 * 1024))
    with pytest.raises(LoadError, match="zip bomb"):
        read(path)


def test_binary_file_with_csv_name_is_refused(tmp_path):
    path = tmp_path / "finto.csv"
    path.write_bytes(b"PK\x03\x04\x00\x00" + b"\x00" * 100)
    with pytest.raises(LoadError, match="caratteri binari"):
        read(path)


def test_istat_codes_are_normalised_and_bad_ones_reported(tmp_path):
    path = write(
        tmp_path / "c.csv", 'codice_istat;comune;totale\n19036;A;1\n"019036";B;1\n19036.0;C;1\nCR01;D;1\n'
    )
    frame, report = read(path)
    codes = reading.to_istat_code(frame, "codice_istat", width=6, report=report, file="c.csv")
    assert codes.to_list() == ["019036", "019036", "019036", None]
    [issue] = report.errors
    assert (issue.row, issue.rule, issue.value) == (5, "codice_istat", "CR01")


def test_unknown_and_suppressed_codes_are_warnings_per_row(tmp_path):
    text = POP_HEADER + (
        "019036,Cremona,2023-01-01,,,70845,\n"
        "019008,Ca' d'Andrea,2018-01-01,,,450,\n"
        "019999,Inesistente,2023-01-01,,,10,\n"
    )
    path = write(tmp_path / "pop.csv", text)
    frame, report = istat_popolazione.parse_popolazione_comuni(path)
    assert report.ok
    by_rule = {i.rule: i for i in report.warnings}
    assert by_rule["comune_soppresso"].row == 3 and "019107" in by_rule["comune_soppresso"].message
    assert (
        by_rule["codice_istat_sconosciuto"].row == 4 and by_rule["codice_istat_sconosciuto"].value == "019999"
    )
    current = dict(frame.select("comune_code", "comune_code_attuale").unique().iter_rows())
    assert current["019008"] == "019107"  # Ca' d'Andrea → Torre de' Picenardi
    assert current["019036"] == "019036"


def test_duplicated_comune_and_date_is_an_error_in_the_population_loader(tmp_path):
    text = POP_HEADER + "019036,Cremona,2023-01-01,,,70845,\n019036,Cremona,2023-01-01,,,70845,\n"
    path = write(tmp_path / "dup.csv", text)
    _, report = istat_popolazione.parse_popolazione_comuni(path)
    rules = {(i.rule, i.row) for i in report.errors}
    assert ("chiave_duplicata", 3) in rules


@pytest.mark.django_db
def test_territory_crosswalk_in_the_database_is_used(tmp_path, territory_cremona):
    from osservatorio.territory.models import CodeChange

    if not CodeChange.objects.filter(old_code="019008").exists():
        pytest.skip("il territorio caricato non ha la variazione di Ca' d'Andrea")
    from osservatorio.sources import codes

    ref = codes.reference()
    assert "variazioni del territorio" in ref.origin and ref.current("019008") == ["019107"]
    assert "019036" in ref.known
