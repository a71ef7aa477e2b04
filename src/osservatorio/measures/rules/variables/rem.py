"""Reddito di emergenza (DL 34/2020 art. 82 and extensions; misure.md §3.2)."""

import numpy as np
from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable

from .. import tristate as ts
from ..entities import Nucleo
from .common import members_fact_none


class rem_scala(Variable):
    value_type = float
    entity = Nucleo
    definition_period = MONTH
    label = "Scala REM (scala RdC con massimo 2, o 2,1 con disabilità grave)"

    def formula(nucleo, period, parameters):
        p = parameters(period).rem
        massimo = np.where(
            nucleo("ha_disabile_grave", period), p.scala_massimo_disabile_grave, p.scala_massimo
        )
        # Same increments as the RdC scale (DL 34/2020 art. 82 c. 5 refers to it), with its own cap.
        adulti = nucleo("numero_adulti", period)
        minori = nucleo("numero_minori", period)
        r = parameters(period).rdc.scala
        scala = (
            1
            + r.adulto_aggiuntivo * np.maximum(adulti - 1, 0)
            + r.minore_aggiuntivo * (minori - (adulti == 0))
        )
        return np.minimum(scala, massimo)


class rem_importo(Variable):
    value_type = float
    entity = Nucleo
    definition_period = MONTH
    label = "Reddito di emergenza: importo di una quota (€)"

    def formula(nucleo, period, parameters):
        p = parameters(period).rem
        regolare = p.quota_base * nucleo("rem_scala", period)
        ex_naspi = (p.ex_naspi_attiva > 0) * (nucleo("rem_req_ex_naspi", period) == ts.OK)
        return np.where(ex_naspi & (nucleo("rem_req_ordinario", period) != ts.OK), p.quota_base, regolare)


class rem_numero_quote(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Reddito di emergenza: quote della tranche"

    def formula(nucleo, period, parameters):
        return np.full(nucleo.count, int(parameters(period).rem.numero_quote))


class rem_importo_totale(Variable):
    value_type = float
    entity = Nucleo
    definition_period = MONTH
    label = "Reddito di emergenza: totale della tranche (€)"

    def formula(nucleo, period):
        return nucleo("rem_importo", period) * nucleo("rem_numero_quote", period)


class rem_req_residenza(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "REM: richiedente residente in Italia"

    def formula(nucleo, period):
        anni = nucleo("anni_residenza_italia", period)
        return ts.test(anni > 0, ts.known(anni))


class rem_req_reddito(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "REM: reddito familiare del mese di riferimento inferiore a una quota"

    def formula(nucleo, period, parameters):
        p = parameters(period).rem
        soglia = p.quota_base * nucleo("rem_scala", period)
        affitto = nucleo("in_affitto", period)
        extra = np.where(affitto == 1, nucleo("canone_annuo", period) / 12, 0.0) * p.affitto_alza_soglia
        extra = np.where((affitto == -1) & (p.affitto_alza_soglia > 0), np.nan, extra)
        return ts.lt(nucleo("reddito_familiare_mese_rem", period), soglia + extra)


class rem_req_patrimonio_mobiliare(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "REM: patrimonio mobiliare sotto 10.000 € + 5.000 per componente (max 20.000)"

    def formula(nucleo, period, parameters):
        p = parameters(period).rem
        n = nucleo("componenti", period)
        limite = np.minimum(p.mobiliare_base + p.mobiliare_per_componente * (n - 1), p.mobiliare_max)
        limite = limite + np.where(nucleo("ha_disabile_grave", period), p.mobiliare_disabile_grave, 0.0)
        return ts.lt(nucleo("patrimonio_mobiliare", period), limite)


class rem_req_isee(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "REM: ISEE inferiore a 15.000 €"

    def formula(nucleo, period, parameters):
        return ts.lt(nucleo("isee", period), parameters(period).rem.soglia_isee)


class rem_req_incompatibilita(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "REM: nessun componente con pensione, indennità COVID o RdC"

    def formula(nucleo, period):
        return ts.all_of(
            members_fact_none(nucleo, period, "percepisce_pensione"),
            ts.negate(ts.fact(nucleo("indennita_covid", period))),
            ts.negate(ts.fact(nucleo("percepisce_rdc", period))),
        )


class rem_req_ordinario(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "REM: requisiti ordinari"

    def formula(nucleo, period):
        return ts.all_of(
            nucleo("rem_req_residenza", period),
            nucleo("rem_req_reddito", period),
            nucleo("rem_req_patrimonio_mobiliare", period),
            nucleo("rem_req_isee", period),
            nucleo("rem_req_incompatibilita", period),
        )


class rem_req_ex_naspi(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "REM 2021: NASpI/DIS-COLL cessata tra luglio 2020 e febbraio 2021 con ISEE fino a 30.000 €"

    def formula(nucleo, period, parameters):
        p = parameters(period).rem
        req = ts.all_of(
            ts.fact(nucleo("naspi_cessata_2020_2021", period)),
            ts.le(nucleo("isee", period), p.ex_naspi_soglia_isee),
            ts.negate(ts.fact(nucleo("percepisce_rdc", period))),
        )
        return np.where(p.ex_naspi_attiva > 0, req, ts.FAIL).astype(np.int8)


class rem_esito(Variable):
    value_type = int
    entity = Nucleo
    definition_period = MONTH
    label = "Reddito di emergenza: esito"

    def formula(nucleo, period, parameters):
        return ts.outcome(
            parameters(period).rem.attiva,
            ts.any_of(nucleo("rem_req_ordinario", period), nucleo("rem_req_ex_naspi", period)),
        )
