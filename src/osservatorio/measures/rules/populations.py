"""OpenFisca populations for large, household-sorted arrays (the microsimulation).

OpenFisca keeps each person's role as an array of Python `Role` objects and aggregates persons into
households with `bincount` (and min/max with `reduce`, a loop over positions). For a million households, comparing
role objects person by person dominated the run time. When persons are stored household by household
(every household non-empty, as `microsim.population` builds them), roles are small integer codes (one
cached boolean mask per role) and min/max are one `ufunc.reduceat` over contiguous slices. Sums stay
OpenFisca's `bincount`, so the numbers are the ones OpenFisca computes; the rules do not change. The front-desk screening keeps OpenFisca's own populations (one household: nothing to gain).

No Django here: this is part of the rules engine.
"""

from __future__ import annotations

import numpy as np
from openfisca_core import projectors
from openfisca_core.populations import GroupPopulation, Population


class CodedPersonPopulation(Population):
    """Persons whose group roles are integer codes (`has_role` without comparing Python objects)."""

    @projectors.projectable
    def has_role(self, role):
        group = self.simulation.get_population(role.entity.plural)
        codes = getattr(group, "role_codes", None)
        if codes is None:
            return super().has_role(role)
        self.entity.check_role_validity(role)
        cache = group._role_masks
        mask = cache.get(role.key)
        if mask is None:
            if role.subroles:
                mask = np.isin(codes, [group.role_index[sub.key] for sub in role.subroles])
            else:
                mask = codes == group.role_index[role.key]
            cache[role.key] = mask
        return mask


class ContiguousGroupPopulation(GroupPopulation):
    """A group population whose members are sorted by group, with no empty group."""

    def __init__(self, entity, members, members_entity_id: np.ndarray, role_codes: np.ndarray):
        super().__init__(entity, members)
        ids = np.asarray(members_entity_id)
        steps = np.diff(ids)
        if len(ids) == 0 or ids[0] != 0 or np.any((steps != 0) & (steps != 1)):
            raise ValueError("members must be sorted by group, groups numbered 0..n-1 without gaps")
        self.members_entity_id = ids
        self.count = int(ids[-1]) + 1
        self.ids = np.arange(self.count)
        self.starts = np.flatnonzero(np.r_[True, steps != 0])
        self.role_codes = np.asarray(role_codes, dtype=np.int8)
        self.role_index = {role.key: i for i, role in enumerate(entity.flattened_roles)}
        self._role_masks: dict[str, np.ndarray] = {}
        self._sizes = None

    @property
    def members_role(self):
        if self._members_role is None:
            roles = np.empty(len(self.entity.flattened_roles), dtype=object)
            roles[:] = self.entity.flattened_roles
            self._members_role = roles[self.role_codes]
        return self._members_role

    @members_role.setter
    def members_role(self, members_role) -> None:
        if members_role is not None:
            self._members_role = np.array(list(members_role))

    def _masked(self, array, role, neutral=0):
        array = np.asarray(array)
        if role is None:
            return array
        self.entity.check_role_validity(role)
        return np.where(self.members.has_role(role), array, neutral)

    @projectors.projectable
    def sum(self, array, role=None):
        array = self._masked(array, role)
        self.members.check_array_compatible_with_entity(array)
        # bincount is OpenFisca's own aggregation and the fastest here; the role mask is the gain.
        return np.bincount(self.members_entity_id, weights=array, minlength=self.count)

    @projectors.projectable
    def any(self, array, role=None):
        return self.sum(array, role=role) > 0

    @projectors.projectable
    def all(self, array, role=None):
        if role is not None:
            return super().all(array, role=role)
        return np.logical_and.reduceat(np.asarray(array, dtype=bool), self.starts)

    @projectors.projectable
    def max(self, array, role=None):
        if role is not None:
            return super().max(array, role=role)
        return np.maximum.reduceat(np.asarray(array), self.starts)

    @projectors.projectable
    def min(self, array, role=None):
        if role is not None:
            return super().min(array, role=role)
        return np.minimum.reduceat(np.asarray(array), self.starts)

    @projectors.projectable
    def nb_persons(self, role=None):
        if role is not None:
            return self.sum(self.members.has_role(role))
        if self._sizes is None:
            self._sizes = np.diff(np.r_[self.starts, len(self.members_entity_id)])
        return self._sizes


def contiguous_populations(tbs, person_group: np.ndarray, role_codes: np.ndarray) -> dict:
    """Person and group populations for a system with one group entity, persons sorted by group."""
    (group_entity,) = tbs.group_entities
    persons = CodedPersonPopulation(tbs.person_entity)
    persons.count = len(person_group)
    persons.ids = np.arange(persons.count)
    group = ContiguousGroupPopulation(group_entity, persons, person_group, role_codes)
    return {tbs.person_entity.key: persons, group_entity.key: group}
