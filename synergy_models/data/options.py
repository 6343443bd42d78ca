"""The options that change the model's structure, as one typed object.

They travel as attributes of the inputs Dataset (netCDF keeps them); the model reads them only
through :meth:`ModelOptions.of`, and the inputs hash covers every field of :class:`ModelOptions`
(:meth:`ModelOptions.hash_text`), so a new option is in the hash by construction.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Literal

import xarray as xr


@dataclass(frozen=True)
class ModelOptions:
    """Structural options of one model: the base year discounting starts from, the time grid's
    kind, the reserve margin's scope and how data centres match green power."""

    base_year: int
    time_resolution: Literal["representative_days", "full_year"] = "representative_days"
    reserve_scope: Literal["system", "hub"] = "system"
    green_matching: Literal["annual", "hourly"] = "annual"

    @classmethod
    def of(cls, inputs: xr.Dataset) -> ModelOptions:
        """The options of an inputs Dataset (defaults where an attribute is absent)."""
        given = {f.name: inputs.attrs[f.name] for f in fields(cls) if f.name in inputs.attrs}
        options = cls(**given)
        return cls(**{**asdict(options), "base_year": int(options.base_year)})

    def attrs(self) -> dict[str, object]:
        """The options as Dataset attributes."""
        return asdict(self)

    def hash_text(self) -> str:
        """Every field, for the inputs hash."""
        return repr(sorted(asdict(self).items()))
