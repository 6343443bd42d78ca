"""Solved model -> results ``xarray.Dataset`` (schema: ``docs/results.md``), and netCDF files.

Sign conventions: flows are positive from a line's ``from`` hub to its ``to`` hub; in
``balance`` injections are positive and withdrawals negative, so it sums to zero over ``term``;
prices are the balance duals divided by the discounted time weight, in USD/MWh of the year.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import pyomo.environ as pyo
import xarray as xr

import synergy_models
from synergy_models.data.timeseries import expand_to_year
from synergy_models.gather import Gathered
from synergy_models.io import read_netcdf, write_netcdf
from synergy_models.model.balance import component
from synergy_models.solve import Solution

TIME_COORDS = ("period", "hour")


def _array(var: pyo.Component, axes: Sequence[Sequence[Any]]) -> np.ndarray:
    """Values of an indexed component as a dense array over ``axes`` (absent entries: 0)."""
    maps = [{label: i for i, label in enumerate(axis)} for axis in axes]
    out = np.zeros([len(axis) for axis in axes])
    for idx, data in var.items():
        idx = idx if isinstance(idx, tuple) else (idx,)
        out[tuple(mp[i] for mp, i in zip(maps, idx, strict=True))] = pyo.value(data)
    return out


def _da(values: np.ndarray, dims: tuple[str, ...], coords: dict[str, Any], units: str,
        long_name: str) -> xr.DataArray:
    return xr.DataArray(values, dims=dims, coords={k: coords[k] for k in dims},
                        attrs={"units": units, "long_name": long_name})


def build_results(m: pyo.ConcreteModel, solution: Solution, inputs: xr.Dataset) -> xr.Dataset:
    """The results Dataset of a solved model."""
    d = m.data
    a = d.arrays
    gen, sto = d.gen_techs, d.storage_techs
    coords: dict[str, Any] = {"region": d.regions, "tech": d.techs, "year": d.years,
                              "time": d.steps, "line": d.lines, "gen_tech": gen,
                              "storage_tech": sto}
    R, K, Y, T, L = d.regions, d.techs, d.years, d.steps, d.lines
    p, s, tr = m.power, m.storage, m.transmission
    # gathered and merged once (each Dataset assignment would realign all the others)
    ds = Gathered()

    ds["capacity"] = _da(_array(p.capacity, (R, K, Y)), ("region", "tech", "year"), coords, "GW",
                         "capacity in service")
    ds["capacity_new"] = _da(_array(p.new, (R, K, Y)), ("region", "tech", "year"), coords, "GW",
                             "capacity built in the year")
    ds["capacity_retired"] = _da(_array(p.retired, (R, K, Y)), ("region", "tech", "year"), coords,
                                 "GW", "existing capacity retired by the year (cumulative)")
    ds["capacity_existing"] = _da(a["capacity_existing"], ("region", "tech"), coords, "GW",
                                  "capacity in the base year")
    ds["storage_energy_capacity"] = _da(_array(s.energy_capacity, (R, sto, Y)),
                                        ("region", "storage_tech", "year"), coords, "GWh",
                                        "storage energy capacity")

    generation = _array(p.generation, (R, gen, Y, T))
    ds["generation"] = _da(generation, ("region", "gen_tech", "year", "time"), coords, "GW",
                           "output")
    gi = [d.techs.index(g) for g in gen]
    available = (a["availability"][gi][None, :, None, None]
                 * a["capacity_factor"][:, gi, None, :]
                 * ds.capacity.sel(tech=gen).values[..., None])
    ds["curtailment"] = _da(np.clip(available - generation, 0, None),
                            ("region", "gen_tech", "year", "time"), coords, "GW",
                            "available output not used (wind, solar, hydro: spilled)")
    ds["curtailment"] = ds.curtailment.where(ds.gen_tech.isin(["wind", "solar", "hydro"]), 0.0)
    ds["storage_charge"] = _da(_array(s.charge, (R, sto, Y, T)),
                               ("region", "storage_tech", "year", "time"), coords, "GW",
                               "charging power")
    ds["storage_discharge"] = _da(_array(s.discharge, (R, sto, Y, T)),
                                  ("region", "storage_tech", "year", "time"), coords, "GW",
                                  "discharging power")
    ds["storage_level"] = _da(_array(s.soc, (R, sto, Y, T)),
                              ("region", "storage_tech", "year", "time"), coords, "GWh",
                              "energy stored at the end of the step")
    forward = _array(tr.flow_forward, (L, Y, T))
    backward = _array(tr.flow_backward, (L, Y, T))
    ds["flow"] = _da(forward - backward, ("line", "year", "time"), coords, "GW",
                     "power sent, positive from the line's 'from' hub to its 'to' hub")
    ds["line_losses"] = _da(a["line_loss"][:, None, None] * (forward + backward),
                            ("line", "year", "time"), coords, "GW", "power lost on the line")
    ds["line_capacity"] = _da(_array(tr.capacity, (L, Y)), ("line", "year"), coords, "GW",
                              "line capacity in service")
    ds["line_capacity_new"] = _da(_array(tr.new, (L, Y)), ("line", "year"), coords, "GW",
                                  "line capacity built in the year")
    ds["unserved"] = _da(_array(p.unserved, (R, Y, T)), ("region", "year", "time"), coords, "GW",
                         "demand not met")
    ds["demand"] = _da(a["load"], ("region", "year", "time"), coords, "GW",
                       "exogenous electricity demand")

    # The balance by registered term: injections positive, withdrawals negative.
    terms = [(n, 1.0) for n in m.terms.injections] + [(n, -1.0) for n in m.terms.withdrawals]
    ds["balance"] = xr.DataArray(
        np.stack([sign * _array(component(m, n), (R, Y, T)) for n, sign in terms]),
        dims=("term", "region", "year", "time"),
        coords={"term": [n for n, _ in terms], "region": R, "year": Y, "time": T},
        attrs={"units": "GW", "long_name": "regional balance by term (injections +, "
               "withdrawals -); sums to zero over term"})

    weight = a["weight"]
    pv = a["year_pv"]
    duals = solution.dual_of(m.balance)
    dual = np.array([[[duals[(r, y, t)] for t in T] for y in Y] for r in R])
    ds["price"] = _da(dual / (pv[None, :, None] * weight[None, None, :]) * 1000,
                      ("region", "year", "time"), coords, "USD/MWh",
                      "marginal cost of one more MWh in the hub (balance dual / discounted weight)")
    w = xr.DataArray(weight, dims="time", coords={"time": T})
    ds["generation_annual"] = ((ds.generation * w).sum("time") / 1000).assign_attrs(
        units="TWh", long_name="annual output")
    rate = xr.DataArray(a["emission_intensity"][gi], dims="gen_tech", coords={"gen_tech": gen})
    ds["emissions"] = ((ds.generation_annual * rate).sum("gen_tech")).assign_attrs(
        units="Mt", long_name="CO2 emissions (TWh x t/MWh = Mt)")
    ds["curtailment_annual"] = ((ds.curtailment * w).sum("time") / 1000).assign_attrs(
        units="TWh", long_name="annual curtailed energy")
    ds["unserved_annual"] = ((ds.unserved * w).sum("time") / 1000).assign_attrs(
        units="TWh", long_name="annual unserved energy")
    ds["price_average"] = ((ds.price * ds.demand * w).sum("time")
                           / (ds.demand * w).sum("time")).assign_attrs(
        units="USD/MWh", long_name="demand-weighted average price")

    costs = [n.split(".")[-1].removeprefix("cost_") for n in m.terms.costs]
    ds["cost"] = xr.DataArray(
        np.array([[pyo.value(component(m, n)[y]) for y in Y] for n in m.terms.costs]),
        dims=("component", "year"), coords={"component": costs, "year": Y},
        attrs={"units": "MUSD/year", "long_name": "annual cost by component (not discounted)"})
    ds["year_present_value"] = _da(pv, ("year",), coords, "year",
                                   "present value at the base year of 1 per year in the year")
    ds["weight"] = _da(weight, ("time",), coords, "h", "hours of the year each step stands for")
    ds["step_hours"] = _da(a["step_hours"], ("time",), coords, "h", "length of each time step")

    if d.compute is not None:
        _compute_results(ds, m, inputs, a, w)
    if d.hydrogen is not None:
        _hydrogen_results(ds, m, solution, w)

    ds = ds.dataset().assign_coords({c: ("time", inputs[c].values) for c in TIME_COORDS})
    ds = ds.assign_coords(day=inputs["day"].values)
    ds["day_period"] = inputs["day_period"]
    ds["line_from"] = xr.DataArray(np.array([d.line_from[ln] for ln in L], dtype=object),
                                   dims="line", coords={"line": L})
    ds["line_to"] = xr.DataArray(np.array([d.line_to[ln] for ln in L], dtype=object),
                                 dims="line", coords={"line": L})
    ds.attrs.update(
        scenario=inputs.attrs.get("scenario", ""),
        inputs_hash=inputs.attrs.get("inputs_hash", ""),
        dataset=inputs.attrs.get("dataset", ""),
        time_resolution=inputs.attrs.get("time_resolution", ""),
        objective=float(solution.objective),
        objective_units="MUSD (present value at the base year)",
        status=solution.status,
        package_version=synergy_models.__version__,
        pyomo_version=version("pyomo"),
        highspy_version=version("highspy"),
        **{f"time_{k}": float(v) for k, v in solution.timings.items()},
        **{k: v for k, v in solution.info.items() if isinstance(v, int | float | str)},
        solver_log=solution.log[-20000:],
    )
    return ds


def _compute_results(ds: Gathered, m: pyo.ConcreteModel, inputs: xr.Dataset,
                     a: dict[str, np.ndarray], w: xr.DataArray) -> None:
    """Data centres: capacity, load, where compute is served, exports vs UHV, green share, carbon."""
    d = m.data
    c = d.compute
    b = m.compute
    R, Y, T, W = d.regions, d.years, d.steps, c["workloads"]
    coords = {"region": R, "origin": R, "year": Y, "time": T, "workload": W,
              "backup_tech": c["backup_techs"]}
    ds["dc_capacity"] = _da(_array(b.dc_capacity, (R, Y)), ("region", "year"), coords, "GW",
                            "data-centre IT capacity")
    ds["dc_capacity_new"] = _da(_array(b.dc_new, (R, Y)), ("region", "year"), coords, "GW",
                                "data-centre IT capacity built in the year")
    ds["dc_load"] = _da(_array(b.it_load, (R, Y, T)), ("region", "year", "time"), coords, "GW",
                        "IT load served in the hub")
    ds["compute_demand"] = xr.DataArray(
        c["demand"], dims=("origin", "workload", "year"),
        coords={"origin": R, "workload": W, "year": Y},
        attrs={"units": "GW", "long_name": "average IT load of compute demand by origin hub"})
    ds["compute_demand_eflops"] = (ds.compute_demand * c["flops_per_watt"]).assign_attrs(
        units="EFLOPS", long_name="compute demand by origin hub (IT load x EFLOPS per GW)")
    pue = xr.DataArray(c["pue"], dims="region", coords={"region": R})
    ds["dc_electricity"] = (ds.dc_load * pue).assign_attrs(
        units="GW", long_name="data-centre electricity (IT load x PUE)")
    served = _array(b.served, (R, R, W, Y))  # average GW: origin, region, workload, year
    hours = np.array([[b.energy_of[(o, k)] for k in W] for o in R])  # IT hours per GW served
    served = xr.DataArray(served * hours[:, None, :, None] / 1000,
                          dims=("origin", "region", "workload", "year"),
                          coords={k: coords[k] for k in ("origin", "region", "workload", "year")})
    ds["compute_served"] = served.assign_attrs(
        units="TWh", long_name="IT energy of origin's demand served in the hub (by workload)")
    away = ds.origin != ds.region
    it = ds.compute_served.sum("workload").where(away, 0.0)
    ds["compute_exports"] = it.assign_attrs(
        units="TWh", long_name="IT energy served away from its origin (origin -> serving hub)")
    ds["compute_exports_eflops_years"] = (it / 8.76 * c["flops_per_watt"]).assign_attrs(
        units="EFLOPS-year", long_name="compute exported (average EFLOPS over a year)")
    ds["exported_electricity"] = (it * pue).assign_attrs(
        units="TWh", long_name="electricity the exported compute used in the serving hub")
    pue_origin = pue.rename(region="origin")
    loss = inputs["route_loss"]
    uhv = it * pue_origin / (1 - loss)
    ds["uhv_equivalent_electricity"] = uhv.assign_attrs(
        units="TWh", long_name="electricity the serving hub would have sent over UHV lines for the "
        "same service at the origin (origin PUE, route losses)")
    ds["uhv_equivalent_losses"] = (uhv * loss).assign_attrs(
        units="TWh", long_name="losses of that UHV route")
    bw = np.zeros((len(R), len(R), len(Y)))
    for (o, s, y), v in b.bandwidth.items():
        bw[R.index(o), R.index(s), Y.index(y)] = pyo.value(v)
    ds["bandwidth"] = xr.DataArray(bw, dims=("origin", "region", "year"),
                                   coords={"origin": R, "region": R, "year": Y},
                                   attrs={"units": "GW", "long_name": "long-haul link capacity, "
                                          "as IT load it can carry"})
    ds["bandwidth_gbps"] = (ds.bandwidth * float(inputs.bandwidth_per_it)).assign_attrs(
        units="Gbit/s", long_name="long-haul link capacity")
    energy = (ds.dc_electricity * w).sum("time") / 1000                    # TWh
    if hasattr(b, "green_matched"):
        matched = (xr.DataArray(_array(b.green_matched, (R, Y, T)), dims=("region", "year", "time"),
                                coords={"region": R, "year": Y, "time": T}) * w).sum("time") / 1000
        certificates = xr.zeros_like(matched)
    else:
        matched = xr.DataArray(_array(b.green_matched_year, (R, Y)), dims=("region", "year"),
                               coords={"region": R, "year": Y}) / 1000
        certificates = xr.DataArray(_array(b.certificates, (R, Y)), dims=("region", "year"),
                                    coords={"region": R, "year": Y}) / 1000
    ds["green_matched"] = matched.assign_attrs(units="TWh", long_name="contracted green output "
                                               "used by the data centres")
    ds["certificates"] = certificates.assign_attrs(units="TWh", long_name="green certificates")
    share = ((matched + certificates) / energy).where(energy > 0)
    ds["green_share_achieved"] = share.assign_attrs(
        units="1", long_name="green share of data-centre electricity (matched + certificates)")
    ds["backup_capacity"] = _da(_array(b.backup, (R, c["backup_techs"], Y)),
                                ("region", "backup_tech", "year"), coords, "GW",
                                "backup power (diesel, battery)")
    ds["dc_price"] = ((ds.price * ds.dc_electricity * w).sum("time")
                      / (ds.dc_electricity * w).sum("time")).where(energy > 0).assign_attrs(
        units="USD/MWh", long_name="average price data centres pay (load-weighted)")
    generation = ds.generation_annual.sum("gen_tech")
    grid = (ds.emissions / generation).where(generation > 0)              # Mt/TWh = t/MWh
    ds["grid_emission_intensity"] = (grid * 1000).assign_attrs(
        units="g/kWh", long_name="average CO2 intensity of generation in the hub")
    unmatched = (1 - (matched / energy).where(energy > 0)).clip(min=0)
    ds["compute_carbon_intensity"] = (grid * 1000 * unmatched).assign_attrs(
        units="g/kWh", long_name="CO2 per kWh of data-centre electricity: the hub's grid average "
        "for what contracted green output does not match (certificates not counted)")
    eflops_years = (ds.dc_load * w).sum("time") / 1000 / 8.76 * c["flops_per_watt"]
    ds["compute_emissions_per_eflops_year"] = (
        ds.compute_carbon_intensity * energy / eflops_years.where(eflops_years > 0)
    ).assign_attrs(units="kt/(EFLOPS-year)", long_name="CO2 per EFLOPS-year of compute "
                   "(g/kWh x TWh = kt)")


def _hydrogen_results(ds: Gathered, m: pyo.ConcreteModel, solution: Solution,
                      w: xr.DataArray) -> None:
    """Electrolysers, storage, fuel cells; hydrogen made, bought and used; LCOH; hydrogen price."""
    d = m.data
    h = d.hydrogen
    b = m.hydrogen
    R, Y, T = d.regions, d.years, d.steps
    coords = {"region": R, "origin": R, "year": Y, "time": T}
    ry, ryt = ("region", "year"), ("region", "year", "time")

    def annual(hourly: xr.DataArray) -> xr.DataArray:
        return (hourly * w).sum("time")

    ds["electrolyser_capacity"] = _da(_array(b.electrolyser_capacity, (R, Y)), ry, coords, "GW",
                                      "electrolyser capacity in service (electric input)")
    ds["electrolyser_capacity_new"] = _da(_array(b.electrolyser_new, (R, Y)), ry, coords, "GW",
                                          "electrolyser capacity built in the year")
    ds["fuel_cell_capacity"] = _da(_array(b.fuel_cell_capacity, (R, Y)), ry, coords, "GW",
                                   "stationary fuel-cell capacity in service")
    ds["fuel_cell_backup"] = _da(_array(b.fuel_cell_backup, (R, Y)), ry, coords, "GW",
                                 "fuel-cell capacity counted as data-centre backup")
    ds["h2_storage_capacity"] = _da(_array(b.storage_capacity, (R, Y)) * 1000, ry, coords, "t",
                                    "hydrogen storage capacity")
    ds["electrolyser_power"] = _da(_array(b.electrolyser_power, (R, Y, T)), ryt, coords, "GW",
                                   "electricity drawn by electrolysers")
    ds["fuel_cell_power"] = _da(_array(b.fuel_cell_power, (R, Y, T)), ryt, coords, "GW",
                                "fuel-cell output")
    ds["h2_storage_level"] = _da(_array(b.storage_level, (R, Y, T)) * 1000, ryt, coords, "t",
                                 "hydrogen stored at the end of the step")
    production = ds.electrolyser_power / h["consumption"]                      # kt/h
    grey = _da(_array(b.grey, (R, Y, T)), ryt, coords, "kt/h", "grey hydrogen")
    fc_use = ds.fuel_cell_power / h["fc_yield"]
    demand = xr.DataArray(h["demand"], dims=ry, coords={"region": R, "year": Y})
    ds["h2_demand"] = demand.assign_attrs(units="kt", long_name="exogenous hydrogen demand")
    ds["h2_produced"] = annual(production).assign_attrs(
        units="kt", long_name="electrolytic (green) hydrogen produced")
    ds["h2_grey"] = annual(grey).assign_attrs(units="kt", long_name="grey hydrogen bought")
    ds["h2_fuel_cell_use"] = annual(fc_use).assign_attrs(units="kt",
                                                         long_name="hydrogen used by fuel cells")
    ds["h2_used"] = (demand + ds.h2_fuel_cell_use).assign_attrs(
        units="kt", long_name="hydrogen used: exogenous demand plus fuel cells")
    moved = np.zeros((len(R), len(R), len(Y)))
    for (o, s, y, t), v in b.transport.items():
        moved[R.index(o), R.index(s), Y.index(y)] += float(w.values[t]) * pyo.value(v)
    ds["h2_transport"] = _da(moved, ("origin", "region", "year"), coords, "kt",
                             "hydrogen moved from the origin hub to the hub")

    # Absorbed surplus: remove the electrolysers and keep every other dispatch; thermal output
    # (fuel cost) is cut first, then wind, solar and hydro, which would be curtailed.
    renewable = ds.gen_tech.isin(["wind", "solar", "hydro"])
    firm = ds.generation.where(~renewable, 0.0).sum("gen_tech")
    surplus = (ds.electrolyser_power - firm).clip(min=0)
    ds["h2_absorbed_surplus"] = (annual(surplus) / 1000).assign_attrs(
        units="TWh", long_name="electricity electrolysers drew that the hub's wind, solar and hydro "
        "would otherwise have spilled: sum over steps of max(0, electrolyser power - non-renewable "
        "generation in the hub)")

    # LCOH: electrolyser annuities and fixed O&M of the capacity in service, electricity at the
    # hub's hourly price and variable cost, per kg made (subsidy not deducted).
    years = d.years
    new = _array(b.electrolyser_new, (R, Y))
    capital = np.array([[sum(h["el_annual_cost"][j] * new[i, j] for j, yy in enumerate(years)
                             if yy <= y) for y in years] for i in range(len(R))])
    capital += (h["el_fom_existing"] * h["el_existing"])[:, None]
    electricity = annual(ds.price / 1000 * ds.electrolyser_power)                  # MUSD
    cost = capital + electricity + h["el_vom"] * ds.h2_produced
    ds["lcoh"] = (cost / ds.h2_produced.where(ds.h2_produced > 1e-9)).assign_attrs(
        units="USD/kg", long_name="levelised cost of electrolytic hydrogen: electrolyser annuity "
        "and fixed O&M plus electricity at the hub's hourly price, per kg (no subsidy)")

    pv = d.arrays["year_pv"]
    duals = solution.dual_of(b.h2_balance)
    dual = np.array([[[duals[(r, y, t)] for t in T] for y in Y] for r in R])
    ds["h2_price"] = _da(dual / (pv[None, :, None] * w.values[None, None, :]), ryt, coords,
                         "USD/kg", "marginal cost of one more kg of hydrogen in the hub "
                         "(hydrogen balance dual / discounted weight)")
    ds["h2_price_average"] = (annual(ds.h2_price) / w.sum()).assign_attrs(
        units="USD/kg", long_name="average hydrogen price (weighted like the flat demand)")
    ef = h["grey_emission_factor"]
    ds["h2_grey_emissions"] = (ds.h2_grey * ef / 1000).assign_attrs(
        units="Mt", long_name="CO2 of grey hydrogen (not in 'emissions', which is generation)")
    ds["h2_emissions_avoided"] = ((demand - ds.h2_grey) * ef / 1000).assign_attrs(
        units="Mt", long_name="CO2 avoided against meeting the exogenous demand with grey "
        "hydrogen (electricity's own emissions are in 'emissions')")


def full_year(results: xr.Dataset, name: str) -> xr.DataArray:
    """A variable over time steps expanded to the 8,760 hours of the year (see ``day_period``)."""
    return expand_to_year(results[name], results)


def write_results(results: xr.Dataset, path: str | Path) -> Path:
    """Write results atomically (a half-written file never replaces a good one)."""
    return write_netcdf(results, path)


def read_results(path: str | Path) -> xr.Dataset:
    return read_netcdf(path)
