"""The inputs Dataset as plain index lists and coefficient arrays for the model builder.

Everything the model needs is computed here once, with numpy, from the inputs Dataset: discount
weights, annualised costs, availability factors. The Pyomo blocks read these arrays (as Python floats)
and the results module reuses the same arrays to split the objective into cost components, so a
coefficient is never written twice.

Units: GW, GWh, MUSD; per-hour quantities are GW (a 1-hour step turns GW into GWh).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import xarray as xr

from synergy_models.data.schema import STORAGE

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
    """Index lists and coefficient arrays (numpy, model units) for one scenario."""

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
    #: (region, tech) pairs that exist or may be built
    region_tech: list[tuple[str, str]] = field(default_factory=list)
    #: previous step of each step for storage continuity (cyclic per period or per year)
    previous_step: list[int] = field(default_factory=list)
    #: steps of each period (a representative day or a calendar day)
    period_steps: list[list[int]] = field(default_factory=list)
    attrs: dict[str, Any] = field(default_factory=dict)
    #: data-centre arrays (see :func:`_compute_arrays`), or None when the dataset has no compute
    compute: dict[str, Any] | None = None
    #: hydrogen arrays (see :func:`_hydrogen_arrays`), or None when the dataset has no hydrogen
    hydrogen: dict[str, Any] | None = None

    def index(self, name: str) -> dict[Any, int]:
        """Position of each label along one of the index lists."""
        return {label: i for i, label in enumerate(getattr(self, name))}


def model_data(inputs: xr.Dataset) -> ModelData:
    """Prepare :class:`ModelData` from an inputs Dataset (see ``docs/formulation.md``)."""
    ds = inputs
    regions = [str(r) for r in ds.region.values]
    techs = [str(t) for t in ds.tech.values]
    years = [int(y) for y in ds.year.values]
    steps = [int(t) for t in ds.time.values]
    external = ds.line_external.values.astype(bool)
    lines = [str(ln) for ln, ext in zip(ds.line.values, external, strict=True) if not ext]

    rate = float(ds.discount_rate)
    base_year = int(ds.attrs["base_year"])
    w_year = year_discount_weights(years, ds.year_weight.values.tolist(), base_year, rate)

    a: dict[str, np.ndarray] = {}
    a["weight"] = ds.weight.values.astype(float)                      # h of the year per step
    a["step_hours"] = (ds.step_hours.values.astype(float) if "step_hours" in ds
                       else np.ones(len(steps)))                          # h per step (segment)
    a["year_pv"] = w_year                                             # PV of 1 MUSD/yr
    crf = capital_recovery_factor(rate, ds.lifetime.values)           # (tech,)
    capex = ds.capex.transpose("tech", "year").values                 # MUSD/GW
    capex_e = ds.capex_energy.transpose("tech", "year").values        # MUSD/GWh
    fom = ds.fom_share.values[:, None]
    # Annual cost per GW (or GWh) of capacity built in year y: annuity + fixed O&M.
    a["annual_cost_power"] = capex * (crf[:, None] + fom)             # (tech, build year)
    a["annual_cost_energy"] = capex_e * (crf[:, None] + fom)
    # Existing capacity pays fixed O&M only (its investment is sunk), priced at first-year capex.
    a["fom_existing"] = capex[:, 0] * ds.fom_share.values             # (tech,) MUSD/GW/yr
    a["capacity_existing"] = ds.capacity_existing.transpose("region", "tech").values
    a["energy_existing"] = ds.storage_energy_existing.transpose("region", "tech").values
    a["max_new"] = ds.max_new_capacity.transpose("region", "tech").values
    a["year_weight"] = ds.year_weight.values.astype(float)
    # Most new capacity in each modelled year: the annual rate times the years it stands for,
    # and never above the limit over the horizon. (region, tech, year)
    build_rate = ds.max_build_rate.transpose("region", "tech").values
    a["max_new_in_year"] = np.minimum(build_rate[:, :, None] * a["year_weight"][None, None, :],
                                      a["max_new"][:, :, None])
    # Variable cost per GWh of output without carbon (tech,); the carbon price (year,) is charged
    # on the registered emissions (policy block's ``carbon`` cost).
    a["emission_intensity"] = ds.emission_intensity.values           # t/MWh = kt/GWh
    a["marginal_cost"] = ds.marginal_cost.values.astype(float)        # MUSD/GWh
    a["carbon_price"] = ds.carbon_price.values.astype(float)          # USD/t = MUSD/Mt
    a["availability"] = ds.availability.values
    a["efficiency"] = ds.efficiency.values
    a["duration"] = ds.duration.values
    a["capacity_credit"] = ds.capacity_credit.values
    a["capex_energy_first"] = capex_e[:, 0]
    a["demand"] = ds.demand.transpose("region", "year").values                # GWh/yr
    a["load_profile"] = ds.load_profile.transpose("region", "time").values     # p.u. of mean
    a["load"] = (a["demand"][:, :, None] / 8760.0) * a["load_profile"][:, None, :]  # GW (r,y,t)
    # Reserve margin: each hub's own peak, or its load in the hour of the joint peak (system).
    scope = ds.attrs.get("reserve_scope", "system")
    peak = ds.peak_load_coincident if scope == "system" else ds.peak_load
    a["peak_load"] = peak.transpose("region", "year").values
    cf = np.ones((len(regions), len(techs), len(steps)))
    for tech, var in PROFILE_OF.items():
        if tech in techs:
            cf[:, techs.index(tech), :] = ds[var].transpose("region", "time").values
    # Capacity factors below 0.1% (dawn, dusk) are zero: tiny coefficients only hurt the solver.
    cf[cf < MIN_CAPACITY_FACTOR] = 0.0
    a["capacity_factor"] = cf
    a["renewable_share_min"] = ds.renewable_share_min.transpose("region", "year").values
    a["carbon_cap"] = ds.carbon_cap.values                                    # Mt
    # Fixed schedules on lines with an external end: net export of each hub (GW, exports > 0).
    net_export = np.zeros(len(regions))
    for ln, ext in zip(ds.line.values, external, strict=True):
        if not ext:
            continue
        flow = float(ds.line_schedule.sel(line=ln))
        frm, to = str(ds.line_from.sel(line=ln).item()), str(ds.line_to.sel(line=ln).item())
        if frm in regions:
            net_export[regions.index(frm)] += flow
        if to in regions:
            net_export[regions.index(to)] -= flow
    a["scheduled_net_export"] = net_export
    internal = ds.sel(line=lines)
    a["line_capacity_existing"] = internal.line_capacity_existing.transpose("line", "year").values
    a["line_loss"] = internal.line_loss.values
    a["line_max_new"] = (internal.line_max_new.values if "line_max_new" in internal
                         else np.full(len(lines), np.inf))
    line_crf = capital_recovery_factor(rate, float(ds.line_lifetime))
    a["line_annual_cost"] = internal.line_capex.values * (line_crf + float(ds.line_fom_share))

    compute = _compute_arrays(ds, regions, rate) if "compute_demand" in ds else None
    hydrogen = _hydrogen_arrays(ds, rate) if "h2_demand" in ds else None

    storage = [t for t in techs if t in STORAGE]
    gen = [t for t in techs if t not in STORAGE]
    pairs = [(r, t) for i, r in enumerate(regions) for j, t in enumerate(techs)
             if a["capacity_existing"][i, j] > 0 or a["max_new"][i, j] > 0]

    periods = ds.period.values
    period_steps: list[list[int]] = []
    for p in np.unique(periods):
        period_steps.append([int(s) for s in np.flatnonzero(periods == p)])
    if ds.attrs.get("time_resolution") == "full_year":
        previous = [len(steps) - 1, *range(len(steps) - 1)]  # one cycle over the whole year
    else:
        previous = list(range(-1, len(steps) - 1))
        for group in period_steps:                            # each representative day cycles
            previous[group[0]] = group[-1]

    return ModelData(
        regions=regions, techs=techs, gen_techs=gen, storage_techs=storage, years=years,
        steps=steps, lines=lines,
        line_from={ln: str(ds.line_from.sel(line=ln).item()) for ln in lines},
        line_to={ln: str(ds.line_to.sel(line=ln).item()) for ln in lines},
        arrays=a,
        scalars={"value_of_lost_load": float(ds.value_of_lost_load),
                 "reserve_margin": float(ds.reserve_margin), "discount_rate": rate,
                 "reserve_shortfall_cost": float(ds.reserve_shortfall_cost)},
        region_tech=pairs, previous_step=previous, period_steps=period_steps, compute=compute,
        hydrogen=hydrogen,
        attrs={"reserve_scope": scope},
    )


def _compute_arrays(ds: xr.Dataset, regions: list[str], rate: float) -> dict[str, Any]:
    """Arrays of the compute module, in model units (GW of IT, MUSD)."""
    crf_dc = float(capital_recovery_factor(rate, float(ds.lifetime_dc)))
    crf_backup = float(capital_recovery_factor(rate, float(ds.lifetime_backup)))
    capex = ds.capex_dc.values
    return {
        "workloads": [str(w) for w in ds.workload.values],
        "backup_techs": [str(b) for b in ds.backup_tech.values],
        "demand": ds.compute_demand.transpose("origin", "workload", "year").values,
        "flexibility": float(ds.training_flexibility),
        "latency": ds.latency.transpose("origin", "region").values,
        "latency_max": float(ds.latency_max_inference),
        "export_max": ds.compute_export_max.values,
        "capacity_existing": ds.dc_capacity_existing.values,
        "utilisation_max": ds.utilisation_max.values,
        "grid_share_max": ds.grid_share_max.values,
        "pue": ds.pue.values,
        "max_new": ds.max_new_dc.values,
        "annual_cost": capex * (crf_dc + float(ds.fom_share_dc)),        # (year,) MUSD/GW/yr
        "fom_existing": float(capex[0] * ds.fom_share_dc),
        "bandwidth_cost": float(ds.bandwidth_annual_cost),               # MUSD/GW/yr
        "green_share": float(ds.green_share_target),
        "certificate_price": float(ds.certificate_price),
        "green_export_max": float(ds.green_export_max),
        "green_shortfall_cost": float(ds.green_shortfall_cost),
        "matching": ds.attrs.get("green_matching", "annual"),
        "backup_ratio": float(ds.backup_ratio),
        "backup_annual_cost": ds.capex_backup.values * crf_backup,      # (backup_tech,)
        "flops_per_watt": float(ds.flops_per_watt),
    }


def _hydrogen_arrays(ds: xr.Dataset, rate: float) -> dict[str, Any]:
    """Arrays of the hydrogen module in model units: GW, kt (of H2), MUSD.

    kWh/kg = GWh/kt and USD/kg = MUSD/kt, so consumption and costs per kg keep their numbers.
    """
    def annual(capex: np.ndarray | float, fom: str, life: str) -> np.ndarray:
        crf = float(capital_recovery_factor(rate, float(ds[life])))
        return np.asarray(capex, float) * (crf + float(ds[fom]))

    el_capex, fc_capex = ds.electrolyser_capex.values, ds.fuel_cell_capex.values
    transport = float(ds.h2_transport_cost)
    return {
        "demand": ds.h2_demand.transpose("region", "year").values / 1000,           # kt/yr
        "consumption": float(ds.electrolyser_consumption),                          # GWh/kt
        "el_annual_cost": annual(el_capex, "electrolyser_fom_share", "electrolyser_lifetime"),
        "el_fom_existing": float(el_capex[0] * ds.electrolyser_fom_share),         # MUSD/GW/yr
        "el_existing": ds.electrolyser_existing.values,                             # GW
        "el_max_new": ds.max_new_electrolyser.values,
        "el_vom": float(ds.electrolyser_vom),                                       # MUSD/kt
        "fc_yield": float(ds.fuel_cell_yield),                                      # GWh/kt
        "fc_annual_cost": annual(fc_capex, "fuel_cell_fom_share", "fuel_cell_lifetime"),
        "fc_fom_existing": float(fc_capex[0] * ds.fuel_cell_fom_share),
        "fc_existing": ds.fuel_cell_existing.values,
        "fc_max_new": ds.max_new_fuel_cell.values,
        "st_annual_cost": float(annual(float(ds.h2_storage_capex), "h2_storage_fom_share",
                                       "h2_storage_lifetime")),                     # MUSD/kt/yr
        "grey_cost": float(ds.grey_h2_cost),                       # MUSD/kt, carbon not included
        "grey_emission_factor": float(ds.grey_h2_emission_factor),                  # kt CO2/kt
        "subsidy": ds.green_h2_subsidy.values.astype(float),                        # (year,) MUSD/kt
        "green_min": ds.green_h2_min.values.astype(float) / 1000,                   # (year,) kt/yr
        "backup_share": float(ds.h2_backup_share),
        "backup_hours": float(ds.fuel_cell_backup_hours),
        # Transport only where the dataset (or a scenario) prices it: MUSD/kt per km.
        "transport_cost": transport if np.isfinite(transport) else None,
        "route_km": (ds.h2_route_length.values if "h2_route_length" in ds else None),
    }
