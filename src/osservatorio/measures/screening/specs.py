"""Which variables answer each measure in the screening, and what must be declared at application.

Requirement texts are the labels of the requirement variables in `rules/variables/`, so the reason shown
to the family is the rule itself.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class MeasureSpec:
    key: str
    label: str
    esito: str
    importo: str | None
    unit: str
    requirements: tuple[str, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)
    # A sentence shown when the rule itself is uncertain (see misure.md); the catalogue has the details.
    uncertainty: str = ""


SPECS: tuple[MeasureSpec, ...] = (
    MeasureSpec(
        "adi",
        "Assegno di inclusione (ADI)",
        "adi_esito",
        "adi_importo",
        "€ al mese",
        (
            "adi_req_categoria",
            "adi_req_cittadinanza",
            "adi_req_residenza",
            "adi_req_isee",
            "adi_req_reddito",
            "adi_req_patrimonio_immobiliare",
            "adi_req_patrimonio_mobiliare",
        ),
        notes=(
            "Nessun componente con auto sopra 1.600 cc o moto sopra 250 cc immatricolate negli ultimi 36 mesi.",
            "Il richiedente non deve avere condanne definitive o misure cautelari negli ultimi 10 anni.",
            "Gli adulti tenuti agli obblighi firmano il patto di attivazione (PAD) e il patto di servizio.",
        ),
        uncertainty="Scala di equivalenza ADI letta come in misure.md §3.3: da confermare con la circolare INPS 105/2023.",
    ),
    MeasureSpec(
        "sfl",
        "Supporto per la formazione e il lavoro (SFL)",
        "sfl_esito",
        "sfl_importo",
        "€ al mese durante le attività",
        (
            "sfl_req_eta",
            "sfl_req_isee",
            "sfl_req_no_disoccupazione",
            "sfl_req_fuori_scala_adi",
            "sfl_req_nucleo",
        ),
        notes=(
            "Si riceve solo partecipando a formazione, orientamento, politiche attive, servizio civile o PUC.",
        ),
    ),
    MeasureSpec(
        "auu",
        "Assegno unico e universale per i figli",
        "auu_esito",
        "auu_importo",
        "€ al mese",
        ("auu_req_figli", "auu_req_cittadinanza", "auu_req_residenza"),
        notes=(
            "Senza ISEE spetta l'importo minimo.",
            "La maggiorazione per le madri sotto i 21 anni non è calcolata.",
        ),
        uncertainty="Tabella INPS dell'anno approssimata con la decrescita lineare tra le soglie (misure.md §3.5).",
    ),
    MeasureSpec(
        "bonus_nido",
        "Bonus asilo nido (INPS)",
        "bonus_nido_esito",
        "bonus_nido_importo",
        "€ all'anno (11 mensilità)",
        ("bonus_nido_req_bambino",),
        notes=("Si chiede con le ricevute delle rette pagate.",),
    ),
    MeasureSpec(
        "nidi_gratis",
        "Nidi Gratis (Regione Lombardia)",
        "nidi_gratis_esito",
        "nidi_gratis_importo",
        "€ al mese",
        (
            "bonus_nido_req_bambino",
            "residente_lombardia",
            "comune_aderisce_nidi_gratis",
            "nidi_gratis_req_isee",
            "nidi_gratis_req_retta",
            "nidi_gratis_req_genitori_lavoratori",
        ),
        notes=("Serve anche la domanda del bonus nido INPS.",),
    ),
    MeasureSpec(
        "maternita",
        "Assegno di maternità dei comuni",
        "maternita_esito",
        "maternita_importo",
        "€ in tutto (5 mensilità)",
        ("maternita_req_nascita", "maternita_req_isee", "maternita_req_indennita", "maternita_req_residenza"),
    ),
    MeasureSpec(
        "bonus_sociali",
        "Bonus sociali luce, gas e acqua",
        "bonus_sociali_esito",
        "bonus_sociali_importo",
        "€ all'anno (bonus elettrico)",
        ("bonus_sociali_req_isee",),
        notes=(
            "Il bonus è automatico se c'è una DSU valida e la fornitura è intestata a un componente del nucleo.",
        ),
    ),
    MeasureSpec(
        "contributo_bollette",
        "Contributo straordinario bollette 2025",
        "contributo_bollette_esito",
        "contributo_bollette_importo",
        "€ una tantum",
        (),
    ),
    MeasureSpec(
        "carta_dedicata",
        "Carta Dedicata a te",
        "carta_dedicata_esito",
        "carta_dedicata_importo",
        "€ una tantum",
        (
            "carta_dedicata_req_anagrafe",
            "carta_dedicata_req_isee",
            "carta_dedicata_req_componenti",
            "carta_dedicata_req_nessun_sostegno",
        ),
        notes=(
            "Assegnata dal comune in graduatoria fino alle carte disponibili: l'esito positivo non garantisce la carta.",
        ),
        uncertainty="Classi di priorità per anno di nascita dei figli da verificare sul decreto (misure.md §4.2).",
    ),
    MeasureSpec(
        "carta_acquisti",
        "Carta acquisti",
        "carta_acquisti_esito",
        "carta_acquisti_importo",
        "€ ogni due mesi",
        ("carta_acquisti_req_categoria", "carta_acquisti_req_isee"),
    ),
    MeasureSpec(
        "misura_unica",
        "Misura Unica affitto (Regione Lombardia)",
        "misura_unica_esito",
        "misura_unica_importo",
        "€ una tantum al proprietario",
        (
            "residente_lombardia",
            "misura_unica_req_alloggio",
            "misura_unica_req_contratto",
            "misura_unica_req_isee",
            "misura_unica_req_condizioni",
        ),
        notes=("Si accede con il bando dell'ambito, fino a esaurimento dei fondi.",),
    ),
    MeasureSpec(
        "dote_scuola",
        "Dote Scuola (Regione Lombardia)",
        "dote_scuola_esito",
        "dote_scuola_importo",
        "€ per l'anno scolastico",
        ("residente_lombardia", "dote_scuola_req_studente", "dote_scuola_req_isee"),
    ),
    MeasureSpec(
        "contributo_comunale",
        "Contributo economico comunale",
        "contributo_comunale_esito",
        "contributo_comunale_importo",
        "€ al mese (massimo)",
        (
            "contributo_comunale_req_residenza",
            "contributo_comunale_req_isee",
            "contributo_comunale_req_punti",
        ),
        notes=(
            "Serve un colloquio con l'assistente sociale e la valutazione della situazione attuale (redditi dell'ultimo trimestre, estratti conto).",
        ),
        uncertainty="Se il comune non ha inserito il proprio regolamento si usa la regola di esempio (ISEE < 6.838 €, fino a 250 € al mese).",
    ),
    MeasureSpec(
        "buoni_spesa",
        "Buoni spesa del comune (emergenza COVID)",
        "buoni_spesa_esito",
        "buoni_spesa_importo",
        "€ in buoni",
        ("buoni_spesa_req_nessun_sostegno",),
    ),
    MeasureSpec(
        "rdc",
        "Reddito / Pensione di cittadinanza",
        "rdc_esito",
        "rdc_importo",
        "€ al mese",
        (
            "rdc_req_cittadinanza",
            "rdc_req_residenza",
            "rdc_req_isee",
            "rdc_req_patrimonio_immobiliare",
            "rdc_req_patrimonio_mobiliare",
            "rdc_req_reddito",
        ),
    ),
    MeasureSpec(
        "rem",
        "Reddito di emergenza",
        "rem_esito",
        "rem_importo",
        "€ per quota",
        (
            "rem_req_residenza",
            "rem_req_reddito",
            "rem_req_patrimonio_mobiliare",
            "rem_req_isee",
            "rem_req_incompatibilita",
            "rem_req_ex_naspi",
        ),
    ),
    MeasureSpec(
        "tre_figli",
        "Assegno ai nuclei con tre figli minori",
        "tre_figli_esito",
        "tre_figli_importo",
        "€ all'anno",
        ("tre_figli_req_figli", "tre_figli_req_isee"),
    ),
)

BY_KEY = {s.key: s for s in SPECS}
