"""Nearest-neighbour peer group: the comuni most similar on population, density, inner-areas status and age.

Each feature is standardised (z-score over the candidate comuni; population and density on a log scale,
because a city of 70,000 and a village of 700 differ by orders of magnitude) and the k comuni at the smallest
Euclidean distance form the peer group. Comuni missing a feature are not candidates.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

FEATURES = ("popolazione", "densita", "aree_interne", "quota_65")
LOG_FEATURES = {"popolazione", "densita"}


def nearest(
    target: str, features: Mapping[str, Mapping[str, float | None]], k: int = 10
) -> list[tuple[str, float]]:
    """`features[code][name]`; returns [(code, distance)] of the k nearest comuni, closest first."""
    codes = [
        c
        for c, f in features.items()
        if all(
            f.get(n) is not None and math.isfinite(f[n]) and (n not in LOG_FEATURES or f[n] > 0)
            for n in FEATURES
        )
    ]
    if target not in codes:
        return []
    x = np.array(
        [[math.log(features[c][n]) if n in LOG_FEATURES else features[c][n] for n in FEATURES] for c in codes]
    )
    sd = x.std(axis=0)
    z = (x - x.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    t = z[codes.index(target)]
    d = np.sqrt(((z - t) ** 2).sum(axis=1))
    order = [i for i in np.argsort(d, kind="stable") if codes[i] != target][:k]
    return [(codes[i], float(d[i])) for i in order]
