"""The inputs Dataset as plain index lists and coefficient arrays for the model builder.

The core's part is computed here (sets, time weights, discounting); each module's ``prepare`` turns
the inputs it reads into its own coefficients (annualised costs, availability factors...), once,
with numpy. The Pyomo blocks read these arrays (as Python floats) and the modules' results reuse
them, so a coefficient is never written twice.

Units: GW, GWh, MUSD; per-hour quantities are GW (a 1-hour step turns GW into GWh).
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr

from synergy_models.data.options import ModelOptions
from synergy_models.data.schema import STORAGE

if TYPE_CHECKING:
    from synergy_models.model.module import ModelModule

#: Generation technologies whose hourly output is capped by a capacity-factor profile.
PROFILE_OF = {"wind": "wind_cf", "solar": "solar_cf", "hydro": "hydro_cf"}
RENEWABLE = frozenset({"wind", "solar", "hydro"})
MIN_CAPACITY_FACTOR = 1e-3


def capital_recovery_factor(rate: float | np.ndarray, lifetime: float | np.ndarray) -> np.ndarray:
    r"""Annuity per unit of investment: :math:`i(1+i)^n / ((1+i)^n - 1)`, or :math:`1/n` at i = 0."""
    rate, lifetime = np.asarray(rate, float), np.asarray(lifetime, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = (1 + rate) ** lifetime
        crf = rate * growth / (growth - 1)
    return np.where(rate == 0, 1 / lifetime, crf)


def year_discount_weights(years: list[int], year_weights: list[float], base_year: int,
                          rate: float) -> np.ndarray:
    r"""Present-value weight of one unit of annual cost in each modelled year.

    A modelled year ``y`` stands for years ``y .. y + w_y - 1``; each is discounted to the base year:
    :math:`W_y = \sum_{k=0}^{w_y - 1} (1 + i)^{-(y + k - y_0)}`. (Fractional weights take the
    remaining fraction of the last year.)
    """
    out = []
    for y, w in zip(years, year_weights, strict=True):
        whole = int(np.floor(w))
        total = sum((1 + rate) ** -(y + k - base_year) for k in range(whole))
        total += (w - whole) * (1 + rate) ** -(y + whole - base_year)
        out.append(total)
    return np.asarray(out)


@dataclass
class ModelData:
    """Index lists and coefficient arrays (numpy, model units) for one scenario.

    ``arrays`` and ``scalars`` hold the core's coefficients (time weights, discounting); each
    active module's coefficients are ``parts[name]`` (what its ``prepare`` returned), read through
    :meth:`view`.
    """

    regions: list[str]
    techs: list[str]                      # every technology, in the dataset's order
    gen_techs: list[str]                  # generation (not storage)
    storage_techs: list[str]
    years: list[int]
    steps: list[int]                      # time steps 0..T-1
    lines: list[str]                      # hub-to-hub lines (flows decided by the model)
    line_from: dict[str, str]
    line_to: dict[str, str]
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    scalars: dict[str, float] = field(default_factory=dict)
    #: previous step of each step for storage continuity (cyclic per period or per year)
    previous_step: list[int] = field(default_factory=list)
    #: steps of each period (a representative day or a calendar day)
    period_steps: list[list[int]] = field(default_factory=list)
    #: steps of each hydro budget period: the periods (days) themselves, or consecutive weeks of
    #: days with ``full_year`` (:func:`budget_steps`)
    hydro_budget_steps: list[list[int]] = field(default_factory=list)
    #: the period that represents each calendar day of the profiles (``day_period``)
    day_period: list[int] = field(default_factory=list)
    #: the options that shape the model (reserve scope, green matching, time grid...)
    options: ModelOptions = field(default_factory=lambda: ModelOptions(base_year=0))
    #: coefficients of each active module, by module name
    parts: dict[str, Any] = field(default_factory=dict)

    def index(self, name: str) -> dict[Any, int]:
        """Position of each label along one of the index lists."""
        return {label: i for i, label in enumerate(getattr(self, name))}

    def part(self, name: str) -> Any:
        """A module's coefficients, or None when the dataset does not activate it."""
        return self.parts.get(name)

    def view(self, *names: str) -> ChainMap[str, Any]:
        """The coefficients of the named modules (first wins), then the core's ``arrays``."""
        return ChainMap(*(self.parts[n] for n in names), self.arrays)

    @property
    def output_capped(self) -> frozenset[tuple[str, str]]:
        """(region, tech) pairs whose output a module's own rows already keep at or below
        availability x capacity (a part's ``caps_output``: the thermal block's p <= U <= a K), so
        the power block's availability row would only repeat them."""
        return frozenset(pair for part in self.parts.values() if isinstance(part, dict)
                         for pair in part.get("caps_output", ()))

    @property
    def region_tech(self) -> list[tuple[str, str]]:
        """(region, tech) pairs that exist or may be built (the power module's)."""
        return self.parts["power"]["region_tech"]


DAYS_PER_WEEK = 7


def budget_steps(period_steps: list[list[int]], budget: str) -> list[list[int]]:
    """The steps of each budget period: each period (``day``), or ``week``: consecutive groups of
    7 periods (calendar days, in order), a remainder of fewer than 7 days joining the last week
    (365 days = 51 weeks of 7 and one of 8), so no budget period is a stub of a day or two."""
    if budget == "day":
        return [list(steps) for steps in period_steps]
    n_weeks = max(len(period_steps) // DAYS_PER_WEEK, 1)
    weeks: list[list[int]] = [[] for _ in range(n_weeks)]
    for day, steps in enumerate(period_steps):
        weeks[min(day // DAYS_PER_WEEK, n_weeks - 1)].extend(steps)
    return weeks


def model_data(inputs: xr.Dataset, modules: Sequence[ModelModule] | None = None) -> ModelData:
    """Prepare :class:`ModelData` from an inputs Dataset: the core's sets, time weights and
    discounting, then each module's coefficients (its ``prepare``), in order.

    ``modules``: the active modules, in order (default: those of the catalogue the inputs
    activate).
    """
    if modules is None:
        from synergy_models.model.catalogue import active_modules
        modules = active_modules(inputs)
    ds = inputs
    regions = [str(r) for r in ds.region.values]
    techs = [str(t) for t in ds.tech.values]
    years = [int(y) for y in ds.year.values]
    steps = [int(t) for t in ds.time.values]
    external = ds.line_external.values.astype(bool)
    lines = [str(ln) for ln, ext in zip(ds.line.values, external, strict=True) if not ext]

    rate = float(ds.discount_rate)
    options = ModelOptions.of(ds)
    a: dict[str, np.ndarray] = {}
    a["weight"] = ds.weight.values.astype(float)                      # h of the year per step
    a["step_hours"] = (ds.step_hours.values.astype(float) if "step_hours" in ds
                       else np.ones(len(steps)))                          # h per step (segment)
    a["year_weight"] = ds.year_weight.values.astype(float)
    a["year_pv"] = year_discount_weights(years, a["year_weight"].tolist(), options.base_year, rate)
    a["load_profile"] = ds.load_profile.transpose("region", "time").values     # p.u. of mean

    periods = ds.period.values
    period_steps: list[list[int]] = []
    for p in np.unique(periods):
        period_steps.append([int(s) for s in np.flatnonzero(periods == p)])
    if options.time_resolution == "full_year":
        previous = [len(steps) - 1, *range(len(steps) - 1)]  # one cycle over the whole year
    else:
        previous = list(range(-1, len(steps) - 1))
        for group in period_steps:                            # each representative day cycles
            previous[group[0]] = group[-1]

    d = ModelData(
        regions=regions, techs=techs, gen_techs=[t for t in techs if t not in STORAGE],
        storage_techs=[t for t in techs if t in STORAGE], years=years, steps=steps, lines=lines,
        line_from={ln: str(ds.line_from.sel(line=ln).item()) for ln in lines},
        line_to={ln: str(ds.line_to.sel(line=ln).item()) for ln in lines},
        arrays=a, scalars={"discount_rate": rate}, previous_step=previous,
        period_steps=period_steps,
        hydro_budget_steps=budget_steps(period_steps, str(options.hydro_budget)),
        day_period=[int(p) for p in ds.day_period.values],
        options=options,
    )
    for module in modules:
        d.parts[module.name] = module.prepare(ds, d)
    return d
