"""Tiny hand-built inputs Datasets for model tests (Calliope's tiny-model idea).

``tiny_inputs`` builds an inputs Dataset with the same variables the loader produces, for a few
regions, technologies and time steps chosen by the test, so that each constraint family can be
checked against a hand calculation. Defaults make costs easy to reason about: discount rate 0,
lifetime 1 year and no fixed O&M, so a technology's annual cost per GW equals its ``capex``
(MUSD/GW/yr), and one modelled year of weight 1 (present-value weight 1).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

TECH_DEFAULTS: dict[str, float] = {
    "capex": 0.0,            # MUSD/GW (= annual cost per GW with the defaults above)
    "capex_energy": 0.0,     # MUSD/GWh
    "fom_share": 0.0,
    "marginal_cost": 0.0,    # MUSD/GWh
    "emission_intensity": 0.0,
    "lifetime": 1.0,
    "availability": 1.0,
    "efficiency": 1.0,
    "duration": 0.0,
    "capacity_credit": 0.0,
    "inter_day": 0.0,        # storage: 1 links the level across days (representative days)
}


def tiny_inputs(
    regions: Sequence[str],
    techs: dict[str, dict[str, float]],
    load: np.ndarray,
    *,
    weights: Sequence[float] | None = None,
    capacity: dict[tuple[str, str], float] | None = None,
    energy: dict[tuple[str, str], float] | None = None,
    max_new: dict[tuple[str, str], float] | float = np.inf,
    cf: dict[str, np.ndarray] | None = None,
    lines: Sequence[dict[str, Any]] = (),
    carbon_price: float = 0.0,
    carbon_cap: float = np.inf,
    value_of_lost_load: float = 10.0,
    reserve_margin: float = 0.0,
    reserve_shortfall_cost: float = 0.0,  # free shortfall: no reserve margin unless a test sets it
    renewable_share: dict[str, float] | None = None,
    periods: Sequence[int] | None = None,
    step_hours: Sequence[float] | None = None,
    full_year: bool = False,
    day_period: Sequence[int] | None = None,
) -> xr.Dataset:
    """An inputs Dataset.

    ``load``: GW, shape (region, time). ``techs``: per technology, overrides of
    :data:`TECH_DEFAULTS`. ``capacity`` / ``energy``: existing GW / GWh by (region, tech).
    ``cf``: capacity-factor profiles (region, time) for ``wind``, ``solar``, ``hydro``.
    ``lines``: dicts with ``name, from, to, capacity, loss, capex`` (and ``schedule`` GW for a line
    to an external region, whose ``to`` is not in ``regions``). ``weights``: hours each step stands
    for (default: 1 each). ``periods``: the period (day) of each step (default: all in one period).
    ``day_period``: the period of each calendar day (default: one day per period, in order).
    """
    load = np.atleast_2d(np.asarray(load, dtype=float))
    n_r, n_t = load.shape
    weights = np.ones(n_t) if weights is None else np.asarray(weights, dtype=float)
    tech_names = list(techs)
    coords = {"region": list(regions), "tech": tech_names, "year": [2030], "time": np.arange(n_t)}
    ds = xr.Dataset(coords=coords)

    def tech_param(name: str) -> xr.DataArray:
        return xr.DataArray([techs[t].get(name, TECH_DEFAULTS[name]) for t in tech_names],
                            dims="tech", coords={"tech": tech_names})

    for name in ("fom_share", "marginal_cost", "emission_intensity", "lifetime", "availability",
                 "efficiency", "duration", "capacity_credit", "inter_day"):
        ds[name] = tech_param(name)
    # Fuel prices differ by hub in the model; tiny cases use the same cost everywhere.
    ds["marginal_cost"] = ds.marginal_cost.expand_dims(region=list(regions)).copy()
    for name in ("capex", "capex_energy"):
        ds[name] = tech_param(name).expand_dims(year=[2030]).transpose("tech", "year").copy()
    cap = np.zeros((n_r, len(tech_names)))
    en = np.zeros_like(cap)
    limit = np.full_like(cap, np.inf)
    for i, r in enumerate(regions):
        for j, t in enumerate(tech_names):
            cap[i, j] = (capacity or {}).get((r, t), 0.0)
            en[i, j] = (energy or {}).get((r, t), cap[i, j] * techs[t].get("duration", 0.0))
            limit[i, j] = max_new.get((r, t), np.inf) if isinstance(max_new, dict) else max_new
    ds["capacity_existing"] = (("region", "tech"), cap)
    ds["storage_energy_existing"] = (("region", "tech"), en)
    ds["max_new_capacity"] = (("region", "tech"), limit)
    ds["max_build_rate"] = (("region", "tech"), np.full_like(cap, np.inf))

    mean = (load * weights).sum(axis=1) / weights.sum()
    ds["demand"] = (("region", "year"), (mean * 8760)[:, None])
    ds["load_profile"] = (("region", "time"), load / np.where(mean > 0, mean, 1)[:, None])
    peak = load.max(axis=1)
    ds["peak_load"] = (("region", "year"), peak[:, None])
    joint = int(np.argmax(load.sum(axis=0)))
    ds["peak_load_coincident"] = (("region", "year"), load[:, joint][:, None])
    for tech in ("wind", "solar", "hydro"):
        profile = (cf or {}).get(tech)
        values = np.zeros((n_r, n_t)) if profile is None else np.atleast_2d(profile)
        ds[f"{tech}_cf"] = (("region", "time"), values.astype(float))

    ds["weight"] = ("time", weights)
    ds["step_hours"] = ("time", np.ones(n_t) if step_hours is None else np.asarray(step_hours, float))
    ds = ds.assign_coords(
        period=("time", np.zeros(n_t, int) if periods is None else np.asarray(periods)),
        hour=("time", np.arange(n_t) % 24),
    )
    n_periods = int(ds.period.max()) + 1
    calendar = np.arange(n_periods) if day_period is None else np.asarray(day_period, int)
    ds = ds.assign_coords(day=pd.date_range("2025-01-01", periods=len(calendar), freq="D"))
    ds["day_period"] = ("day", calendar)

    names = [ln["name"] for ln in lines]
    ds = ds.assign_coords(line=names)
    ds["line_from"] = ("line", np.array([ln["from"] for ln in lines], dtype=object))
    ds["line_to"] = ("line", np.array([ln["to"] for ln in lines], dtype=object))
    ds["line_external"] = ("line", np.array([ln["to"] not in regions for ln in lines], dtype=bool))
    ds["line_capacity_existing"] = (("line", "year"),
                                    np.array([[ln.get("capacity", 0.0)] for ln in lines]).reshape(-1, 1))
    ds["line_loss"] = ("line", np.array([ln.get("loss", 0.0) for ln in lines], dtype=float))
    ds["line_capex"] = ("line", np.array([ln.get("capex", 1e6) for ln in lines], dtype=float))
    ds["line_schedule"] = ("line", np.array([ln.get("schedule", 0.0) for ln in lines], dtype=float))
    ds["line_lifetime"] = 1.0
    ds["line_fom_share"] = 0.0

    ds["carbon_price"] = ("year", [carbon_price])
    ds["carbon_cap"] = ("year", [carbon_cap])
    share = renewable_share or {}
    ds["renewable_share_min"] = (("region", "year"), np.array([[share.get(r, 0.0)] for r in regions]))
    ds["year_weight"] = ("year", [1.0])
    ds["discount_rate"] = 0.0
    ds["value_of_lost_load"] = value_of_lost_load
    ds["reserve_margin"] = reserve_margin
    ds["reserve_shortfall_cost"] = reserve_shortfall_cost
    ds.attrs.update(base_year=2029, time_resolution="full_year" if full_year else "representative_days",
                    reserve_scope="hub", scenario="tiny", inputs_hash="tiny")
    return ds


def with_compute(
    ds: xr.Dataset,
    demand: dict[tuple[str, str], float],
    *,
    latency: dict[tuple[str, str], float] | None = None,
    pue: dict[str, float] | float = 1.0,
    dc_capacity: dict[str, float] | float = 100.0,
    utilisation: float = 1.0,
    capex_dc: float = 0.0,
    max_new_dc: float = np.inf,
    flexibility: float = 0.0,
    bandwidth_cost: float = 0.0,
    export_max: dict[str, float] | float = 1.0,
    green_share: float = 0.0,
    certificate_price: float = 0.0,
    green_export_max: float = 1.0,
    green_shortfall_cost: float = 0.0,
    matching: str = "annual",
    backup_ratio: float = 0.0,
    capex_backup: dict[str, float] | None = None,
    grid_share_max: float = 1.0,
    tariff_adder: dict[str, float] | float = 0.0,
    site_capacity: dict[str, Sequence[float]] | None = None,
    site_cost: dict[str, Sequence[float]] | None = None,
    grid_region: dict[str, str] | None = None,
) -> xr.Dataset:
    """Add data-centre inputs to a :func:`tiny_inputs` Dataset.

    ``demand``: average IT load [GW] by (origin, workload); ``latency``: round trip [ms] by
    (origin, serving hub), default 10 ms; costs per GW of IT per year (lifetime 1, no O&M).
    Siting: ``tariff_adder`` [MUSD/GWh of data-centre electricity]; ``site_capacity`` [GW] and
    ``site_cost`` [MUSD/GW/yr] per hub by tranche (hubs not given: one unlimited free tranche);
    ``grid_region`` per hub (default: each hub its own).
    """
    ds = ds.copy()
    regions = [str(r) for r in ds.region.values]
    workloads = ["inference", "training"]
    ds = ds.assign_coords(workload=workloads, origin=regions, backup_tech=["diesel", "battery"])
    ds["compute_demand"] = (("origin", "workload", "year"), np.array(
        [[[demand.get((o, k), 0.0)] for k in workloads] for o in regions]))
    lat = np.array([[0.0 if o == s else (latency or {}).get((o, s), 10.0) for s in regions]
                    for o in regions])
    ds["latency"] = (("origin", "region"), lat)
    ds["latency_max_inference"] = 20.0
    ds["training_flexibility"] = flexibility

    def per_region(value: dict[str, float] | float) -> np.ndarray:
        return np.array([value.get(r, 0.0) if isinstance(value, dict) else value for r in regions],
                        dtype=float)

    ds["compute_export_max"] = ("region", per_region(export_max))
    ds["dc_capacity_existing"] = ("region", per_region(dc_capacity))
    ds["utilisation_max"] = ("region", np.full(len(regions), utilisation))
    ds["grid_share_max"] = ("region", np.full(len(regions), grid_share_max))
    ds["pue"] = ("region", per_region(pue))
    ds["max_new_dc"] = ("region", np.full(len(regions), max_new_dc))
    ds["capex_dc"] = ("year", [capex_dc])
    ds["lifetime_dc"] = 1.0
    ds["fom_share_dc"] = 0.0
    ds["bandwidth_annual_cost"] = bandwidth_cost
    ds["bandwidth_per_it"] = 1000.0
    ds["flops_per_watt"] = 10.0
    ds["green_share_target"] = green_share
    ds["certificate_price"] = certificate_price
    ds["green_export_max"] = green_export_max
    ds["green_shortfall_cost"] = green_shortfall_cost
    ds["backup_ratio"] = backup_ratio
    backup = capex_backup or {"diesel": 0.0, "battery": 0.0}
    ds["capex_backup"] = ("backup_tech", [backup["diesel"], backup["battery"]])
    ds["lifetime_backup"] = 1.0
    km = np.where(lat > 0, 1000.0, 0.0)
    ds["route_length"] = (("origin", "region"), km)
    ds["route_loss"] = (("origin", "region"), np.where(km > 0, 0.05, 0.0))
    ds.attrs["green_matching"] = matching
    ds["tariff_adder"] = ("region", per_region(tariff_adder))
    if site_capacity is not None:
        n_k = max(len(v) for v in site_capacity.values())
        cap = [list(site_capacity.get(r, [np.inf])) + [0.0] * (n_k - len(site_capacity.get(
            r, [np.inf]))) for r in regions]
        cost = [list((site_cost or {}).get(r, [0.0] * n_k)) for r in regions]
        ds = ds.assign_coords(site_tranche=list(range(1, n_k + 1)))
        ds["site_capacity"] = (("region", "site_tranche"), np.array(cap, dtype=float))
        ds["site_cost"] = (("region", "site_tranche"), np.array(
            [c + [0.0] * (n_k - len(c)) for c in cost], dtype=float))
    if grid_region is not None:
        ds["grid_region"] = ("region", np.array([grid_region.get(r, r) for r in regions],
                                                dtype=object))
    return ds


def with_hydrogen(
    ds: xr.Dataset,
    demand: dict[str, float] | float = 0.0,
    *,
    electrolyser_capex: float = 0.0,
    consumption: float = 50.0,
    electrolyser_existing: dict[str, float] | float = 0.0,
    electrolyser_vom: float = 0.0,
    max_new_electrolyser: float = np.inf,
    fuel_cell_capex: float = 0.0,
    fuel_cell_yield: float = 20.0,
    storage_capex: float = 0.0,
    grey_cost: float = 2.0,
    grey_emission_factor: float = 10.0,
    subsidy: float = 0.0,
    green_min: float = 0.0,
    backup_share: float = 0.0,
    backup_hours: float = 0.0,
    transport_cost: float = np.inf,
    route_km: float = 1000.0,
) -> xr.Dataset:
    """Add hydrogen inputs to a :func:`tiny_inputs` Dataset.

    ``demand``: t/yr by region; ``consumption`` and ``fuel_cell_yield``: kWh/kg (= GWh/kt); costs
    per year (lifetime 1, no O&M): ``electrolyser_capex`` and ``fuel_cell_capex`` MUSD/GW,
    ``storage_capex``, ``grey_cost``, ``subsidy`` USD/kg (= MUSD/kt); ``green_min`` t/yr;
    ``grey_emission_factor`` kg CO2/kg; ``transport_cost`` USD/kg/km (inf: no transport) over
    ``route_km`` between every two hubs.
    """
    ds = ds.copy()
    regions = [str(r) for r in ds.region.values]

    def per_region(value: dict[str, float] | float) -> np.ndarray:
        return np.array([value.get(r, 0.0) if isinstance(value, dict) else value for r in regions],
                        dtype=float)

    ds["h2_demand"] = (("region", "year"), per_region(demand)[:, None])
    ds["electrolyser_capex"] = ("year", [electrolyser_capex])
    ds["electrolyser_consumption"] = consumption
    ds["electrolyser_fom_share"] = 0.0
    ds["electrolyser_lifetime"] = 1.0
    ds["electrolyser_vom"] = electrolyser_vom
    ds["electrolyser_existing"] = ("region", per_region(electrolyser_existing))
    ds["max_new_electrolyser"] = ("region", np.full(len(regions), max_new_electrolyser))
    ds["fuel_cell_capex"] = ("year", [fuel_cell_capex])
    ds["fuel_cell_yield"] = fuel_cell_yield
    ds["fuel_cell_fom_share"] = 0.0
    ds["fuel_cell_lifetime"] = 1.0
    ds["fuel_cell_existing"] = ("region", np.zeros(len(regions)))
    ds["max_new_fuel_cell"] = ("region", np.full(len(regions), np.inf))
    ds["h2_storage_capex"] = storage_capex
    ds["h2_storage_fom_share"] = 0.0
    ds["h2_storage_lifetime"] = 1.0
    ds["grey_h2_cost"] = grey_cost
    ds["grey_h2_emission_factor"] = grey_emission_factor
    ds["green_h2_subsidy"] = ("year", [subsidy])
    ds["green_h2_min"] = ("year", [green_min])
    ds["h2_backup_share"] = backup_share
    ds["fuel_cell_backup_hours"] = backup_hours
    ds["h2_transport_cost"] = transport_cost
    km = np.where(np.eye(len(regions)) > 0, 0.0, route_km)
    ds["h2_route_length"] = (("h2_from", "h2_to"), km)
    return ds


def with_thermal(
    ds: xr.Dataset,
    min_stable_load: dict[str, float],
    *,
    start_up_cost: dict[str, float] | None = None,
    ramp_limit: dict[str, float] | None = None,
    chp_share: dict[str, float] | float = 0.0,
    chp_share_gas: dict[str, float] | float = 0.0,
    chp_output: float = 0.0,
    heating: tuple[float, float] = (1.0, 366.0),
) -> xr.Dataset:
    """Add unit-commitment and CHP inputs to a :func:`tiny_inputs` Dataset.

    ``min_stable_load`` (share), ``start_up_cost`` (MUSD/GW) and ``ramp_limit`` (share of committed
    capacity per hour) by technology (defaults 0, 0, 1); ``chp_share`` / ``chp_share_gas`` by region;
    ``heating``: (first, last) day of year of every region's heating season. The must-run share
    ``chp_must_run_share`` is computed from ``day`` and ``day_period`` as the loader does.
    """
    from synergy_models.data.loader import heating_season_share

    ds = ds.copy()
    regions = [str(r) for r in ds.region.values]
    techs = [str(t) for t in ds.tech.values]

    def per_tech(values: dict[str, float] | None, default: float) -> xr.DataArray:
        return xr.DataArray([(values or {}).get(t, default) for t in techs], dims="tech",
                            coords={"tech": techs})

    def per_region(value: dict[str, float] | float) -> np.ndarray:
        return np.array([value.get(r, 0.0) if isinstance(value, dict) else value for r in regions],
                        dtype=float)

    ds["min_stable_load"] = per_tech(min_stable_load, 0.0)
    ds["start_up_cost"] = per_tech(start_up_cost, 0.0)
    ds["ramp_limit"] = per_tech(ramp_limit, 1.0)
    ds["chp_share"] = ("region", per_region(chp_share))
    ds["chp_share_gas"] = ("region", per_region(chp_share_gas))
    ds["chp_output"] = chp_output
    ds["heating_start"] = ("region", np.full(len(regions), heating[0]))
    ds["heating_end"] = ("region", np.full(len(regions), heating[1]))
    ds["chp_must_run_share"] = heating_season_share(ds)
    return ds


def with_reserves(
    ds: xr.Dataset,
    sigma: dict[str, float] | None = None,
    *,
    by_region: dict[tuple[str, str], float] | None = None,
    multiplier: float = 1.0,
    contingency: float = 0.0,
    energy_hours: float = 1.0,
    reduction: dict[str, float] | None = None,
    forecast_cost: float = 0.0,
    imbalance_cost: float = 0.0,
) -> xr.Dataset:
    """Turn operating reserves on in a :func:`tiny_inputs` Dataset.

    ``sigma``: forecast error by source (``load`` share of load, ``wind``/``solar`` share of
    capacity), the same in every hub unless ``by_region`` gives (region, source); ``multiplier``
    k, ``contingency`` GW, ``energy_hours`` h; ``reduction``: share of each source's error removed
    by better forecasting, at ``forecast_cost`` MUSD/GW/yr of the base-year wind and solar;
    ``imbalance_cost`` MUSD/GWh of expected absolute forecast error.
    """
    ds = ds.copy()
    regions = [str(r) for r in ds.region.values]
    sources = ["load", "wind", "solar"]
    values = np.array([[(by_region or {}).get((r, s), (sigma or {}).get(s, 0.0)) for s in sources]
                       for r in regions])
    ds = ds.assign_coords(forecast_source=sources)
    ds["forecast_error"] = (("region", "forecast_source"), values)
    ds["forecast_error_reduction"] = ("forecast_source",
                                      [(reduction or {}).get(s, 0.0) for s in sources])
    ds["reserve_sigma_multiplier"] = multiplier
    ds["reserve_contingency"] = contingency
    ds["reserve_energy_hours"] = energy_hours
    ds["forecast_cost"] = forecast_cost
    ds["imbalance_cost"] = imbalance_cost
    ds.attrs["operating_reserves"] = "on"
    return ds
