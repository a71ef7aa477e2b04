"""Requirement helpers shared by several measures (citizenship, residence, assets, members' facts)."""

import numpy as np

from .. import tristate as ts
from .inputs import Cittadinanza


def citizenship(nucleo, period, ok, unknown=()):
    """OK for the listed statuses, UNKNOWN for statuses the reference does not settle, FAIL otherwise."""
    c = nucleo("cittadinanza", period)
    is_ok = np.zeros(nucleo.count, dtype=bool)
    for status in ok:
        is_ok |= c == getattr(Cittadinanza, status)
    is_unknown = c == Cittadinanza.non_nota
    for status in unknown:
        is_unknown |= c == getattr(Cittadinanza, status)
    return np.where(is_ok, ts.OK, np.where(is_unknown, ts.UNKNOWN, ts.FAIL)).astype(np.int8)


def residence(nucleo, period, years, continuous=True):
    anni = nucleo("anni_residenza_italia", period)
    req = ts.test(anni >= years, ts.known(anni))
    if continuous:
        req = ts.all_of(req, ts.fact(nucleo("residenza_continuativa", period)))
    return req


def members_fact_none(nucleo, period, variable):
    """OK when no member has the fact, FAIL when one has it, UNKNOWN when a member's answer is missing."""
    values = nucleo.members(variable, period)
    any_yes = nucleo.any(values == 1)
    any_unknown = nucleo.any(values == -1)
    return np.where(any_yes, ts.FAIL, np.where(any_unknown, ts.UNKNOWN, ts.OK)).astype(np.int8)


def aggregate_best(nucleo, person_states):
    """A household requirement met if some member meets it: OK if a member is OK, otherwise UNKNOWN if
    a member is UNKNOWN, otherwise FAIL (the numeric maximum would rank FAIL 0 above UNKNOWN -1)."""
    states = np.asarray(person_states)
    return np.where(
        nucleo.any(states == ts.OK), ts.OK, np.where(nucleo.any(states == ts.UNKNOWN), ts.UNKNOWN, ts.FAIL)
    ).astype(np.int8)


def rent_mask(nucleo, period):
    return nucleo("in_affitto", period)


def income_below(reddito, threshold_owner, threshold_renter, renting):
    """Income test whose threshold depends on renting, which may itself be unknown."""
    owner = ts.lt(reddito, threshold_owner)
    renter = ts.lt(reddito, threshold_renter)
    return np.where(
        renting == 1,
        renter,
        np.where(renting == 0, owner, np.where(owner == renter, owner, ts.UNKNOWN)),
    ).astype(np.int8)


def movable_assets_limit(nucleo, period, p, per_child_after_second_of="numero_figli"):
    n = nucleo("componenti", period)
    base = np.minimum(p.mobiliare_base + p.mobiliare_per_componente * (n - 1), p.mobiliare_max_componenti)
    kids = nucleo(per_child_after_second_of, period)
    extra_kids = getattr(p, "mobiliare_per_figlio_oltre_secondo", None)
    if extra_kids is None:
        extra_kids = p.mobiliare_per_minore_oltre_secondo
    grave = nucleo.sum(nucleo.members("disabile_grave", period))
    disabili = nucleo("numero_disabili", period)
    return (
        base
        + extra_kids * np.maximum(kids - 2, 0)
        + p.mobiliare_per_disabile * (disabili - grave)
        + p.mobiliare_per_disabile_grave * grave
    )


def esito_from_members(nucleo, person_esito):
    """Household outcome of a personal measure: the best outcome among its members."""
    return group_max(nucleo, person_esito).astype(np.int8)


def group_max(nucleo, values, empty=-128):
    """Largest member value per household (OpenFisca's reduce loops over positions; one ufunc.at here)."""
    values = np.asarray(values)
    if getattr(nucleo, "starts", None) is not None:  # contiguous households (rules.populations)
        return np.maximum.reduceat(values, nucleo.starts)
    out = np.full(nucleo.count, empty, dtype=values.dtype)
    np.maximum.at(out, nucleo.members_entity_id, values)
    return out


def group_min(nucleo, values, empty=10_000):
    values = np.asarray(values)
    if getattr(nucleo, "starts", None) is not None:  # contiguous households, none empty
        return np.minimum.reduceat(values, nucleo.starts)
    out = np.full(nucleo.count, empty, dtype=values.dtype)
    np.minimum.at(out, nucleo.members_entity_id, values)
    return out


def group_all(nucleo, mask):
    """Every member satisfies the mask."""
    return nucleo.sum(~np.asarray(mask, dtype=bool)) == 0


def members_where(persona, mask):
    """Persons where a person-level amount can be non-zero, with their households' positions and the
    household population: the formula computes on those only (a million households have few children
    at the nido or at a paritaria school), then scatters into a zero array."""
    idx = np.flatnonzero(np.asarray(mask, dtype=bool))
    nucleo = persona.simulation.populations["nucleo"]
    return idx, nucleo.members_entity_id[idx], nucleo
