"""Order in which households are served when a measure has a fixed number of places."""

import numpy as np


def carta_dedicata_order(classe: np.ndarray, isee: np.ndarray) -> np.ndarray:
    """Indices sorted by priority class (1 first), then by lower ISEE (misure.md §4.2)."""
    return np.lexsort((np.asarray(isee, dtype=float), np.asarray(classe)))
