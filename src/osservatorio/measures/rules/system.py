"""The tax-benefit system: entities, dated parameters from `parameters/`, variables from `variables/`."""

from functools import lru_cache
from pathlib import Path

from openfisca_core.parameters import Parameter, ParameterAtInstant
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from .entities import entities

HERE = Path(__file__).resolve().parent
PARAMETERS_DIR = HERE / "parameters"
# Every rule is evaluated for every date a user may ask about; a measure's `attiva` parameter says
# whether it exists then. Values before a parameter's first date are its first value, so formulas can
# run (their result is discarded as "non attiva").
EARLIEST = "2000-01-01"


def backfill(node) -> None:
    for child in node.children.values():
        if isinstance(child, Parameter):
            first = child.values_list[-1]
            if first.instant_str > EARLIEST:
                child.values_list.append(ParameterAtInstant(child.name, EARLIEST, data=first.value))
        else:
            backfill(child)


class OsservatorioTaxBenefitSystem(TaxBenefitSystem):
    def __init__(self, parameters_dir: Path = PARAMETERS_DIR):
        super().__init__(entities)
        from .variables import all_variables

        self.add_variables(*all_variables())
        self.load_parameters(str(parameters_dir))
        backfill(self.parameters)


@lru_cache(maxsize=1)
def tax_benefit_system() -> OsservatorioTaxBenefitSystem:
    """The baseline system, built once per process."""
    return OsservatorioTaxBenefitSystem()
