"""The model's modules, in the order they are added (Switch's module list).

The core builds the modules of :func:`active_modules`: those of :data:`MODULES` (plus any added
with :func:`register`) that the inputs activate, each after the ones it requires. Compute and
hydrogen are active only when the dataset has their data; hydrogen comes after compute because its
fuel cells back up the data centres when there are any. Thermal (unit commitment of coal and gas)
is active when the dataset gives minimum stable loads; collector (the grid inside a hub that
carries its wind and solar) when any hub has a finite collector share. Reserves (operating
reserves from forecast errors) come after every module whose variables provide them, and are
active when the scenario turns them on (``policy.operating_reserves``).
"""

from __future__ import annotations

import xarray as xr

from synergy_models.model import (
    collector,
    compute,
    hydrogen,
    policy,
    power,
    reserves,
    storage,
    thermal,
    transmission,
)
from synergy_models.model.module import ModelModule, order_modules

MODULES: list[ModelModule] = [power.MODULE, thermal.MODULE, collector.MODULE, storage.MODULE,
                              transmission.MODULE, compute.MODULE, hydrogen.MODULE, reserves.MODULE,
                              policy.MODULE]


def register(module: ModelModule, before: str | None = "policy") -> None:
    """Add a module to the catalogue (by default before ``policy``, whose constraints close over
    every registered term). A module of the same name is replaced."""
    unregister(module.name)
    names = [m.name for m in MODULES]
    MODULES.insert(names.index(before) if before in names else len(MODULES), module)


def unregister(name: str) -> None:
    """Remove a module from the catalogue (no error when it is not there)."""
    MODULES[:] = [m for m in MODULES if m.name != name]


def active_modules(inputs: xr.Dataset, modules: list[ModelModule] | None = None
                   ) -> list[ModelModule]:
    """The modules ``inputs`` activates, in build order."""
    return order_modules(list(MODULES if modules is None else modules), inputs)
