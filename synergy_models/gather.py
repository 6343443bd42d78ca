"""Build an ``xarray.Dataset`` variable by variable without paying for each assignment.

``Dataset[name] = value`` realigns and copies every variable already in the Dataset, so building a
Dataset of ~100 variables one assignment at a time is quadratic (~1 s for the results of ``base``,
~0.5 s for the derived inputs). :class:`Gathered` collects the variables in a dict and merges them
once (:meth:`Gathered.dataset`), while reads see them as a Dataset would.
"""

from __future__ import annotations

from typing import Any

import xarray as xr


class Gathered:
    """Variables added to (or replacing some of) ``base``, read through as one Dataset.

    ``g.name``, ``g[name]`` and ``name in g`` see the added variables first, then ``base`` (its
    variables, coordinates and methods), then the coordinates of the added variables (as
    ``Dataset.<dim>`` gives them).
    """

    def __init__(self, base: xr.Dataset | None = None) -> None:
        self.base = xr.Dataset() if base is None else base
        self.added: dict[str, xr.DataArray] = {}

    def __getattr__(self, name: str) -> Any:
        added = self.__dict__.get("added", {})
        if name in added:
            return added[name]
        try:
            return getattr(self.__dict__["base"], name)
        except (AttributeError, KeyError):
            pass
        for da in added.values():
            if name in da.coords:
                return da[name]
        raise AttributeError(name)

    def __getitem__(self, name: str) -> xr.DataArray:
        return self.added[name] if name in self.added else self.base[name]

    def __setitem__(self, name: str, value: xr.DataArray) -> None:
        self.added[name] = value

    def __contains__(self, name: object) -> bool:
        return name in self.added or name in self.base

    def dataset(self) -> xr.Dataset:
        """``base`` with the added variables, merged in one step."""
        return self.base.assign(self.added)
