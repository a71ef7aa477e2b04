"""The two entities of our tax-benefit system: the persona and the nucleo familiare (ISEE household).

Roles follow the relationship to the applicant as written in the DSU, because several rules depend on
it: the ISEE working-parents maggiorazione looks at the parents, the ADI scale at the "other" members,
the buoni spesa at the dependent children.
"""

from openfisca_core.entities import build_entity

Persona = build_entity(
    key="persona",
    plural="persone",
    label="Persona",
    doc="Una persona del nucleo familiare.",
    is_person=True,
)

Nucleo = build_entity(
    key="nucleo",
    plural="nuclei",
    label="Nucleo familiare",
    doc="Il nucleo familiare ai fini ISEE (DPCM 159/2013 art. 3).",
    roles=[
        {"key": "richiedente", "plural": "richiedenti", "label": "Richiedente", "max": 1},
        {"key": "coniuge", "plural": "coniugi", "label": "Coniuge o convivente", "max": 1},
        {"key": "figlio", "plural": "figli", "label": "Figlio o figlia"},
        {"key": "altro", "plural": "altri", "label": "Altro componente"},
    ],
)

entities = [Persona, Nucleo]
