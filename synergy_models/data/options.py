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
    kind, the reserve margin's scope, how data centres match green power, whether training load
    moves between hubs hour by hour, the period of the hydro energy budget (None: a week over a
    chronological year, a day on representative days) and whether the hubs hold operating
    reserves against forecast errors."""

    base_year: int
    time_resolution: Literal["representative_days", "full_year"] = "representative_days"
    reserve_scope: Literal["system", "network", "hub"] = "system"
    green_matching: Literal["annual", "hourly", "none"] = "annual"
    training_relocation: Literal["none", "hourly"] = "none"
    hydro_budget: Literal["day", "week"] | None = None
    #: operating reserves from forecast errors (the reserves module): "on" or "off" (a string:
    #: netCDF attributes have no booleans)
    operating_reserves: Literal["off", "on"] = "off"

    def __post_init__(self) -> None:
        chronological = self.time_resolution == "full_year"
        if self.hydro_budget is None:  # resolved here, so equal models have equal options
            object.__setattr__(self, "hydro_budget", "week" if chronological else "day")
        elif self.hydro_budget == "week" and not chronological:
            raise ValueError("hydro_budget 'week' needs time_resolution 'full_year' "
                             "(representative days are not consecutive)")

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
