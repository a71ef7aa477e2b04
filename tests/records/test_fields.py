from osservatorio.records.fields import field_for_header, score_header, suggest


def test_suggestions_from_italian_headers():
    headers = ["N.", "Cognome", "Nome", "Cod. Fiscale", "Nato il", "Comune di nascita", "Comune di residenza",
               "Via/Piazza", "Importo (€)", "Data domanda", "N. componenti nucleo", "Cittadinanza", "Sesso"]  # fmt: skip
    assert suggest(headers) == {
        "codice_fiscale": "Cod. Fiscale",
        "data_nascita": "Nato il",
        "comune": "Comune di residenza",
        "indirizzo": "Via/Piazza",
        "importo": "Importo (€)",
        "data": "Data domanda",
        "componenti": "N. componenti nucleo",
        "cittadinanza": "Cittadinanza",
        "sesso": "Sesso",
    }


def test_variants():
    assert field_for_header("CF") == "codice_fiscale"
    assert field_for_header("C.F.") == "codice_fiscale"
    assert field_for_header("CODICE FISCALE RICHIEDENTE") == "codice_fiscale"
    assert field_for_header("Data di nascita") == "data_nascita"
    assert field_for_header("Euro") == "importo"
    assert field_for_header("Indirizzo") == "indirizzo"
    assert field_for_header("Comune di nascita") is None
    assert field_for_header("Cognome") is None


def test_header_score_prefers_the_real_header_row():
    assert score_header(["Elenco beneficiari 2020", "", ""]) == 0
    assert score_header(["Codice fiscale", "Comune", "Importo"]) == 3
