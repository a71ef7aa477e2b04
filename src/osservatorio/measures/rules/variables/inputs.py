"""Facts about the household that the front desk (or the synthetic population) provides.

Numbers default to NaN and yes/no facts to -1: "non noto". The rules turn an unknown into
"da verificare", never into a yes or a no (see `tristate`).
"""

from datetime import date

import numpy as np
from openfisca_core.indexed_enums import Enum
from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable

from ..entities import Nucleo, Persona


class Disabilita(Enum):
    nessuna = "Nessuna"
    media = "Disabilità media"
    grave = "Disabilità grave"
    non_autosufficiente = "Non autosufficienza"


class Cittadinanza(Enum):
    non_nota = "Non nota"
    italiana_ue = "Italiana o UE (o familiare con diritto di soggiorno)"
    lungo_soggiornante = "Extra UE con permesso UE per soggiornanti di lungo periodo"
    protezione_internazionale = "Protezione internazionale o apolide"
    permesso_lavoro = "Extra UE con permesso unico di lavoro o ricerca (oltre 6 mesi)"
    altro_permesso = "Extra UE con altro permesso di soggiorno"


class Scuola(Enum):
    nessuna = "Nessuna"
    nido = "Asilo nido"
    infanzia = "Scuola dell'infanzia"
    primaria = "Primaria"
    secondaria_primo_grado = "Secondaria di primo grado"
    secondaria_secondo_grado = "Secondaria di secondo grado"
    iefp = "Istruzione e formazione professionale (IeFP)"
    universita = "Università"


class Alloggio(Enum):
    non_noto = "Non noto"
    proprieta = "Casa di proprietà"
    affitto_libero = "Affitto sul mercato libero o concordato"
    affitto_sas = "Affitto in servizi abitativi sociali (SAS)"
    affitto_sap = "Alloggio pubblico (SAP/ERP)"
    altro = "Altro (comodato, ospite, senza dimora)"


class AltroGenitore(Enum):
    non_pertinente = "Non pertinente (genitori conviventi o coniugati)"
    senza_vincoli = "Non coniugato, non convivente, nessun altro vincolo"
    coniugato_con_altri = "Coniugato con altra persona"
    figli_con_altri = "Ha figli con altra persona"
    mantenimento_giudice = "Versa assegni di mantenimento stabiliti dal giudice"
    escluso_potesta = "Escluso dalla potestà o allontanato (art. 333 c.c.)"
    estraneita = "Estraneità accertata dal giudice o dai servizi sociali"


def _input(name, entity, value_type, label, default=None, enum=None, reference=None):
    attrs = {
        "value_type": value_type,
        "entity": entity,
        "definition_period": MONTH,
        "label": label,
        "__module__": __name__,
    }
    if enum is not None:
        attrs["possible_values"] = enum
        attrs["default_value"] = default
    elif default is not None:
        attrs["default_value"] = default
    if reference:
        attrs["reference"] = reference
    return type(name, (Variable,), attrs)


NAN = float("nan")

PERSON_INPUTS = [
    _input("data_nascita", Persona, date, "Data di nascita", default=date(1970, 1, 1)),
    _input(
        "disabilita", Persona, Enum, "Condizione di disabilità ai fini ISEE", Disabilita.nessuna, Disabilita
    ),
    _input("lavora", Persona, bool, "Reddito da lavoro per almeno 6 mesi nell'anno di riferimento"),
    _input("in_formazione", Persona, bool, "Studia o è in formazione (figli 18-21)"),
    _input(
        "percepisce_naspi",
        Persona,
        int,
        "Percepisce NASpI, DIS-COLL, CIG o altri sostegni alla disoccupazione",
        -1,
    ),
    _input("percepisce_pensione", Persona, int, "Titolare di pensione (esclusa invalidità ordinaria)", -1),
    _input(
        "in_programma_cura",
        Persona,
        int,
        "In condizione di svantaggio, inserito in un programma di cura certificato",
        -1,
    ),
    _input("reddito_personale", Persona, float, "Reddito complessivo personale annuo (€)", NAN),
    _input("scuola", Persona, Enum, "Scuola frequentata", Scuola.nessuna, Scuola),
    _input("scuola_paritaria", Persona, bool, "Frequenta una scuola paritaria o statale a pagamento"),
    _input("retta_nido_mensile", Persona, float, "Retta mensile del nido (senza pasti) (€)", NAN),
]

HOUSEHOLD_INPUTS = [
    _input("isr", Nucleo, float, "ISR - indicatore della situazione reddituale (€)", NAN),
    _input("isp", Nucleo, float, "ISP - indicatore della situazione patrimoniale (€)", NAN),
    _input("reddito_familiare", Nucleo, float, "Reddito familiare annuo ai fini RdC/ADI (€)", NAN),
    _input(
        "reddito_familiare_mese_rem",
        Nucleo,
        float,
        "Reddito familiare del mese di riferimento del REM (€)",
        NAN,
    ),
    _input("patrimonio_mobiliare", Nucleo, float, "Patrimonio mobiliare (depositi, titoli) (€)", NAN),
    _input(
        "patrimonio_immobiliare",
        Nucleo,
        float,
        "Patrimonio immobiliare esclusa la casa di abitazione (€)",
        NAN,
    ),
    _input("valore_casa", Nucleo, float, "Valore IMU della casa di abitazione (€)", NAN),
    _input("mutuo_residuo", Nucleo, float, "Mutuo residuo sulla casa di abitazione (€)", 0.0),
    _input("alloggio", Nucleo, Enum, "Titolo di godimento dell'abitazione", Alloggio.non_noto, Alloggio),
    _input("canone_annuo", Nucleo, float, "Canone annuo di locazione registrato (€)", NAN),
    _input("rata_mutuo_annua", Nucleo, float, "Rata annua del mutuo per la casa (€)", 0.0),
    _input("anni_residenza_italia", Nucleo, float, "Anni di residenza in Italia del richiedente", NAN),
    _input("residenza_continuativa", Nucleo, int, "Residente in modo continuativo negli ultimi 2 anni", -1),
    _input(
        "cittadinanza",
        Nucleo,
        Enum,
        "Cittadinanza o titolo di soggiorno del richiedente",
        Cittadinanza.non_nota,
        Cittadinanza,
    ),
    _input("comune_residenza", Nucleo, str, "Codice ISTAT del comune di residenza", ""),
    _input("percepisce_rdc", Nucleo, int, "Il nucleo percepisce RdC o PdC", -1),
    _input("percepisce_adi", Nucleo, int, "Il nucleo percepisce l'Assegno di inclusione", -1),
    _input("altri_sostegni_pubblici", Nucleo, int, "Il nucleo riceve altri sostegni pubblici al reddito", -1),
    _input(
        "indennita_covid", Nucleo, int, "Un componente riceve indennità COVID (DL 18/2020, DL 34/2020)", -1
    ),
    _input("naspi_cessata_2020_2021", Nucleo, int, "NASpI o DIS-COLL cessata tra 1/7/2020 e 28/2/2021", -1),
    _input("sfratto_in_corso", Nucleo, int, "Procedura di sfratto in corso", -1),
    _input("casa_adeguata_lombardia", Nucleo, int, "Proprietario di un alloggio adeguato in Lombardia", -1),
    _input(
        "mesi_contratto_affitto",
        Nucleo,
        float,
        "Mesi di residenza nell'alloggio in affitto con contratto registrato",
        NAN,
    ),
    _input(
        "perdita_reddito_25", Nucleo, int, "Perdita di reddito superiore al 25% rispetto all'anno prima", -1
    ),
    _input("comune_aderisce_nidi_gratis", Nucleo, int, "Il nido frequentato aderisce a Nidi Gratis", -1),
    _input(
        "indennita_maternita", Nucleo, float, "Indennità di maternità già percepita per la nascita (€)", NAN
    ),
    _input("isr_ultimi_12_mesi", Nucleo, float, "ISR calcolato sugli ultimi 12 mesi (€)", NAN),
    _input(
        "variazione_lavoro", Nucleo, int, "Perdita, sospensione o riduzione del lavoro di un componente", -1
    ),
    _input(
        "interruzione_trattamenti",
        Nucleo,
        int,
        "Interruzione di trattamenti assistenziali o di sostegno al reddito",
        -1,
    ),
    _input(
        "altro_genitore",
        Nucleo,
        Enum,
        "Situazione del genitore non convivente",
        AltroGenitore.non_pertinente,
        AltroGenitore,
    ),
    _input(
        "adi_importo_in_godimento",
        Nucleo,
        float,
        "Importo mensile ADI in godimento prima del rinnovo (€)",
        NAN,
    ),
]

VARIABLES = PERSON_INPUTS + HOUSEHOLD_INPUTS

# Fact-type inputs whose default -1 means "non noto"; used by the screening to list missing information.
UNKNOWN_VALUE = -1
__all__ = ["VARIABLES", "np"]
