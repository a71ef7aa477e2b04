"""LEPS social-worker ratio of an ambito and the State contribution (L. 178/2020 c. 797; misure.md §1.4).

An ambito-level rule, not a household one: a plain function over the same dated parameters.
"""

from dataclasses import dataclass
from datetime import date

from .system import tax_benefit_system


@dataclass(frozen=True)
class LepsAssistentiSociali:
    soglia_minima_fte: float
    leps_fte: float
    obiettivo_fte: float
    leps_raggiunto: bool
    contributo_annuo: float


def leps_assistenti_sociali(popolazione: int, assistenti_fte: float, on: date) -> LepsAssistentiSociali:
    p = tax_benefit_system().parameters(on.isoformat()).leps
    minimo = popolazione / p.abitanti_per_assistente_minimo
    leps = popolazione / p.abitanti_per_assistente_leps
    obiettivo = popolazione / p.abitanti_per_assistente_obiettivo
    primo = min(max(assistenti_fte - minimo, 0.0), leps - minimo)
    secondo = min(max(assistenti_fte - leps, 0.0), obiettivo - leps)
    contributo = p.contributo_fino_leps * primo + p.contributo_fino_obiettivo * secondo
    return LepsAssistentiSociali(
        soglia_minima_fte=minimo,
        leps_fte=leps,
        obiettivo_fte=obiettivo,
        leps_raggiunto=assistenti_fte >= leps,
        contributo_annuo=round(contributo, 2),
    )
