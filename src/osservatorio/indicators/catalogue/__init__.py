"""The indicator catalogue as data: one YAML file per domain, `defaults` merged into each indicator.

`read()` returns plain dicts checked against the rules a user relies on to trust a number: every field
present, a known kind/polarity/interval method, a proportion whose numerator and denominator count the
same unit, and no ratio that mixes units without saying so (`mixed_units: true`).
"""

from __future__ import annotations

from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent

REQUIRED = (
    "code",
    "domain",
    "title_it",
    "title_en",
    "short_it",
    "short_en",
    "definition_it",
    "definition_en",
    "numerator_it",
    "numerator_source",
    "numerator_unit",
    "universe_it",
    "kind",
    "unit_it",
    "multiplier",
    "polarity",
    "method_it",
    "interval_method",
    "frequency_it",
    "levels",
    "sources",
)
OPTIONAL = {
    "order": 0,
    "denominator_it": "",
    "denominator_source": "",
    "denominator_unit": "",
    "mixed_units": False,
    "decimals": 1,
    "disclosure_threshold": None,
    "breakdowns": [],
    "caveats_it": "",
    "proxy_of_it": "",
    "known_breaks": [],
    "covid_relevant": False,
    "non_ufficiale": False,
}
KINDS = {"proportion", "rate", "ratio", "mean", "count", "index"}
POLARITIES = {"higher_is_better", "lower_is_better", "neutral"}
INTERVALS = {"wilson", "byar", "poisson_exact", "none"}
LEVELS = {"quartiere", "comune", "ambito", "provincia", "regione", "italia"}


class CatalogueError(ValueError):
    pass


def check(entry: dict, where: str) -> list[str]:
    errors = []
    code = entry.get("code", "?")
    for key in REQUIRED:
        if entry.get(key) in (None, "", []):
            errors.append(f"{where}, indicatore «{code}»: manca il campo «{key}»")
    if entry.get("kind") not in KINDS:
        errors.append(
            f"{where}, «{code}»: tipo «{entry.get('kind')}» non ammesso ({', '.join(sorted(KINDS))})"
        )
    if entry.get("polarity") not in POLARITIES:
        errors.append(f"{where}, «{code}»: polarità «{entry.get('polarity')}» non ammessa")
    if entry.get("interval_method") not in INTERVALS:
        errors.append(f"{where}, «{code}»: metodo di intervallo «{entry.get('interval_method')}» non ammesso")
    bad_levels = set(entry.get("levels") or []) - LEVELS
    if bad_levels:
        errors.append(f"{where}, «{code}»: livelli sconosciuti {sorted(bad_levels)}")
    num, den = entry.get("numerator_unit"), entry.get("denominator_unit")
    if den and num != den:
        if entry.get("kind") == "proportion":
            errors.append(
                f"{where}, «{code}»: una proporzione deve contare la stessa unità a numeratore e denominatore "
                f"(qui «{num}» su «{den}»): usare il tipo «ratio» o «rate»"
            )
        elif not entry.get("mixed_units"):
            errors.append(
                f"{where}, «{code}»: il rapporto mescola unità diverse («{num}» su «{den}») senza dichiararlo: "
                "aggiungere «mixed_units: true» e spiegarlo nelle avvertenze"
            )
    if entry.get("interval_method") == "wilson" and entry.get("kind") != "proportion":
        errors.append(f"{where}, «{code}»: l'intervallo di Wilson vale solo per le proporzioni")
    return errors


def read(directory: Path = HERE) -> list[dict]:
    entries: list[dict] = []
    errors: list[str] = []
    seen: set[str] = set()
    for path in sorted(directory.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        defaults = data.get("defaults", {})
        for i, raw in enumerate(data.get("indicators", []), start=1):
            entry = {**OPTIONAL, **defaults, **raw}
            entry.setdefault("order", i)
            if entry["order"] == 0:
                entry["order"] = i
            where = f"{path.name}, voce {i}"
            errors += check(entry, where)
            if entry.get("code") in seen:
                errors.append(f"{where}: codice «{entry['code']}» ripetuto")
            seen.add(entry.get("code"))
            entries.append(entry)
    if errors:
        raise CatalogueError("\n".join(errors))
    return entries
