"""One module per source; `resolve("module.function")` finds a dataset's parser."""

from __future__ import annotations

import importlib
from collections.abc import Callable


def resolve(spec: str) -> tuple[Callable, str]:
    """`"mef_irpef.parse_raw"` → (parse function, loader version "mef_irpef@3")."""
    module_name, func_name = spec.rsplit(".", 1)
    module = importlib.import_module(f"{__name__}.{module_name}")
    return getattr(module, func_name), f"{module_name}@{getattr(module, 'VERSION', '1')}"
