"""OpenFisca variables, one module per measure (like OpenFisca-France's `model/prestazioni/`)."""

import importlib
import inspect

from openfisca_core.variables import Variable

MODULES = [
    "inputs",
    "household",
    "isee",
    "auu",
    "rdc",
    "rem",
    "adi",
    "sfl",
    "bonus_nido",
    "bonus_sociali",
    "carta_dedicata",
    "maternita",
    "carta_acquisti",
    "tre_figli",
    "misura_unica",
    "dote_scuola",
    "comuni",
]


def all_variables() -> list[type[Variable]]:
    found: dict[str, type[Variable]] = {}
    for name in MODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        for value in getattr(module, "VARIABLES", []):
            found[value.__name__] = value
        for value in vars(module).values():
            if (
                inspect.isclass(value)
                and issubclass(value, Variable)
                and value is not Variable
                and value.__module__ == module.__name__
            ):
                found[value.__name__] = value
    return list(found.values())
