r"""Hydrogen block: electrolysers, hydrogen storage, fuel cells, grey hydrogen and transport.

Each hub has an exogenous hydrogen demand (industry), met hour by hour by electrolytic ("green")
hydrogen made in the hub, hydrogen from storage, hydrogen moved from another hub (only where the
dataset prices transport) or grey hydrogen (coal or gas) bought at a cost and emission factor.
Electrolysers withdraw from the regional power balance; fuel cells inject into it and count toward
the data centres' backup requirement. Nothing is added when the dataset has no hydrogen data.

Units: power GW, hydrogen kt (flows kt/h), money MUSD. kWh/kg = GWh/kt and USD/kg = MUSD/kt, so
consumption and costs per kg keep their numbers.

**Variables** (all non-negative)

===================  =========================  ===============================================
symbol               attribute                  meaning [unit]
===================  =========================  ===============================================
:math:`Z_{r,y}`      ``electrolyser_capacity``  electrolyser capacity in service [GW]
:math:`Z^+_{r,y}`    ``electrolyser_new``       electrolyser capacity built in year y [GW]
:math:`e_{r,y,t}`    ``electrolyser_power``     electricity drawn by electrolysers [GW]
:math:`F_{r,y}`      ``fuel_cell_capacity``     fuel-cell capacity in service [GW]
:math:`F^+_{r,y}`    ``fuel_cell_new``          fuel-cell capacity built in year y [GW]
:math:`f_{r,y,t}`    ``fuel_cell_power``        fuel-cell output [GW]
:math:`B_{r,y}`      ``fuel_cell_backup``       fuel-cell capacity counted as DC backup [GW]
:math:`S_{r,y}`      ``storage_capacity``       hydrogen storage in service [kt]
:math:`S^+_{r,y}`    ``storage_new``            hydrogen storage built in year y [kt]
:math:`s^{in}`       ``storage_in``             hydrogen into storage [kt/h]
:math:`s^{out}`      ``storage_out``            hydrogen out of storage [kt/h]
:math:`w_{r,y,t}`    ``working_stock``          hydrogen stored above the backup reserve [kt]
:math:`g_{r,y,t}`    ``grey``                   grey hydrogen bought [kt/h]
:math:`x_{o,s,y,t}`  ``transport``              hydrogen moved from hub o to hub s [kt/h]
===================  =========================  ===============================================

**Parameters**: :math:`D_{r,y}` demand [kt/yr], :math:`\eta^Z` electrolyser consumption [GWh/kt =
kWh/kg], :math:`\eta^F` fuel-cell yield [GWh/kt], :math:`h^B` hours of hydrogen kept per GW of
backup, :math:`\theta^H` least fuel-cell share of the new data centres' backup, :math:`\rho`
backup per GW of new IT capacity (compute block), :math:`\underline G_y` least electrolytic output
of all hubs [kt/yr], :math:`w_t` hours of the year per step, :math:`\Delta_t` step length [h],
:math:`t^-` the step before t (cyclic per representative day, as battery storage, or over all
the profiles' days for `full_year`), :math:`\lambda^H` `h2_storage_inter_day` (1: linked across
days).

**Constraints**

.. math::

    Z_{r,y} &= Z^0_r + \sum_{y' \le y} Z^+_{r,y'}, \quad
    F_{r,y} = F^0_r + \sum_{y' \le y} F^+_{r,y'}, \quad
    S_{r,y} = \sum_{y' \le y} S^+_{r,y'}
        && \text{*\_definition [GW], [kt]} \\
    \sum_y Z^+_{r,y} &\le \bar Z_r, \quad \sum_y F^+_{r,y} \le \bar F_r
        && \text{*\_build\_limit [GW], where finite} \\
    e_{r,y,t} &\le Z_{r,y}, \quad f_{r,y,t} \le F_{r,y}, \quad B_{r,y} \le F_{r,y}
        && \text{electrolyser\_limit, fuel\_cell\_limit, backup\_limit [GW]} \\
    w_{r,y,t} &= w_{r,y,t^-} + \Delta_t (s^{in}_{r,y,t} - s^{out}_{r,y,t})
        && \text{storage\_balance [kt]} \\
    \ell_{r,y,t} = h^B B_{r,y} / \eta^F + w_{r,y,t} &\le S_{r,y}
        && \text{storage\_level (expression), storage\_limit [kt]} \\
    \frac{e_{r,y,t}}{\eta^Z} + g_{r,y,t} + s^{out} - s^{in} + \sum_o x_{o,r,y,t}
        - \sum_s x_{r,s,y,t} &= \frac{D_{r,y}}{8760} + \frac{f_{r,y,t}}{\eta^F}
        && \text{h2\_balance [kt/h]} \\
    \sum_{r,t} w_t\, e_{r,y,t} / \eta^Z &\ge \underline G_y
        && \text{green\_minimum [kt], where } \underline G_y > 0 \\
    B_{r,y} &\ge \theta^H \rho \sum_{y' \le y} H_{r,y'}
        && \text{backup\_share [GW], with data centres and } \theta^H > 0

**Hydrogen storage linked across days** (:math:`\lambda^H = 1`, representative days only; Kotzur
et al. 2018, :mod:`synergy_models.model.interday`): :math:`w_{r,y,t}` is then the *intra-day*
working stock, free in sign, starting from 0 in each period (:math:`w_{t^-}` dropped in a period's
first step) and without ``storage_limit``. Calendar days in a row represented by the same period
form a run :math:`j` (:math:`n_j` days of period :math:`p_j`); the stock :math:`W_{r,y,j}`
(``level_start``, kt) at the start of each run follows the calendar, cyclic over the year, and the
period's highest and lowest intra-day stock :math:`w^{max}, w^{min}` (``intra_max``,
``intra_min``, kt) bound the run's first and last day (:math:`i \in \{0, n_j - 1\}`):

.. math::

    W_{r,y,j+1} &= W_{r,y,j} + n_j\, w_{r,y,\mathrm{last}(p_j)}
        && \text{day\_link [kt]} \\
    w^{min}_{r,y,p(t)} \le w_{r,y,t} &\le w^{max}_{r,y,p(t)}
        \quad (t \ne \mathrm{last}(p(t))) && \text{intra\_min\_bound, intra\_max\_bound [kt]} \\
    0 \le W_{r,y,j} + i\, w_{r,y,\mathrm{last}(p_j)} + w^{min}_{r,y,p_j}, \quad
    W_{r,y,j} + i\, w_{r,y,\mathrm{last}(p_j)} + w^{max}_{r,y,p_j} &\le S_{r,y} - h^B B_{r,y} / \eta^F
        && \text{day\_lower, day\_upper [kt]}

Hydrogen tanks have no losses modelled (no self-discharge). Results: `h2_storage_level` is the
absolute level (linked: intra-day stock plus the mean start stock of the days the period
represents, plus the reserve); `h2_storage_level_daily` the level at the start of each calendar
day.

Balance terms: withdrawal (consumption) ``electrolysis`` :math:`e_{r,y,t}`; injection
``fuel_cell_output`` :math:`f_{r,y,t}`. Backup provider ``fuel_cell_backup_total``
(:math:`B_{r,y}`). Emissions ``grey_emissions`` :math:`\epsilon^g \sum_t w_t g_{r,y,t}`
[kt CO2/yr] (carbon cap).

Annual costs [MUSD/yr]: ``hydrogen_investment`` (annuity and fixed O&M of electrolyser, fuel-cell
and storage vintages; fixed O&M of existing units), ``hydrogen_operation``
(:math:`c^{vom} \sum w_t e/\eta^Z` plus transport :math:`c^{tr} \sum w_t\, km_{o,s}\, x_{o,s,y,t}`),
``grey_hydrogen`` (:math:`c^g \sum w_t g`; its carbon is in the policy block's ``carbon``),
``hydrogen_subsidy`` (:math:`-\sigma_y \sum w_t e/\eta^Z`, negative).

The dual of ``h2_balance`` divided by :math:`\Omega_y w_t` is the hydrogen price [MUSD/kt = USD/kg].
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyomo.environ as pyo
import xarray as xr

from synergy_models.model.data import ModelData, capital_recovery_factor
from synergy_models.model.interday import (
    absolute_levels,
    add_day_linking,
    daily_start_levels,
    links_days,
    period_start_steps,
    start_levels_by_day,
)
from synergy_models.model.module import (
    Build,
    InputVar,
    Limit,
    ModelModule,
    ResultsContext,
    da,
    values,
)
from synergy_models.units import HOURS_PER_YEAR

R, Y = ("region",), ("year",)
INPUTS = (
    InputVar("h2_demand", ("region", "year"), "t/year", "exogenous hydrogen demand a year"),
    InputVar("electrolyser_consumption", (), "kWh/kg", "electricity per kg of hydrogen"),
    InputVar("electrolyser_capex", Y, "MUSD/GW", "electrolyser investment"),
    InputVar("electrolyser_fom_share", (), "1/year", "electrolyser fixed O&M share"),
    InputVar("electrolyser_lifetime", (), "year", "electrolyser lifetime"),
    InputVar("electrolyser_existing", R, "GW", "electrolysers in the base year"),
    InputVar("max_new_electrolyser", R, "GW", "electrolyser build limit"),
    InputVar("electrolyser_vom", (), "USD/kg", "variable cost per kg made"),
    InputVar("fuel_cell_yield", (), "kWh/kg", "electricity per kg of hydrogen in fuel cells"),
    InputVar("fuel_cell_capex", Y, "MUSD/GW", "fuel-cell investment"),
    InputVar("fuel_cell_fom_share", (), "1/year", "fuel-cell fixed O&M share"),
    InputVar("fuel_cell_lifetime", (), "year", "fuel-cell lifetime"),
    InputVar("fuel_cell_existing", R, "GW", "fuel cells in the base year"),
    InputVar("max_new_fuel_cell", R, "GW", "fuel-cell build limit"),
    InputVar("h2_storage_capex", (), "USD/kg", "hydrogen storage investment"),
    InputVar("h2_storage_fom_share", (), "1/year", "hydrogen storage fixed O&M share"),
    InputVar("h2_storage_lifetime", (), "year", "hydrogen storage lifetime"),
    InputVar("h2_storage_inter_day", (), "1", "1: hydrogen storage linked across days (absent: 0)",
             optional=True),
    InputVar("grey_h2_cost", (), "USD/kg", "grey hydrogen price (no carbon)"),
    InputVar("grey_h2_emission_factor", (), "kg/kg", "CO2 per unit of grey hydrogen"),
    InputVar("green_h2_subsidy", Y, "USD/kg", "subsidy per kg of electrolytic hydrogen"),
    InputVar("green_h2_min", Y, "t/year", "least electrolytic hydrogen a year, all hubs"),
    InputVar("h2_backup_share", (), "1", "least fuel-cell share of new data-centre backup"),
    InputVar("fuel_cell_backup_hours", (), "h", "hours of hydrogen kept per GW of backup"),
    InputVar("h2_transport_cost", (), "USD/kg/km", "transport cost (inf: no transport)"),
    InputVar("h2_route_length", ("h2_from", "h2_to"), "km", "route length", optional=True,
             role="reference"),
)


def prepare_hydrogen(ds: xr.Dataset, d: ModelData) -> dict[str, Any]:
    """Coefficients of the hydrogen module in model units: GW, kt (of H2), MUSD.

    kWh/kg = GWh/kt and USD/kg = MUSD/kt, so consumption and costs per kg keep their numbers.
    """
    rate = d.scalars["discount_rate"]

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
        # 1: storage level linked across days (representative days); absent: cycles daily
        "st_inter_day": float(ds.h2_storage_inter_day) if "h2_storage_inter_day" in ds else 0.0,
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


def add_hydrogen(m: pyo.ConcreteModel, d: ModelData) -> None:
    h = d.part("hydrogen")
    b = m.hydrogen = pyo.Block()
    a = d.arrays
    ri, yi = d.index("regions"), d.index("years")
    years, steps, regions = d.years, d.steps, d.regions
    weight, hours, prev = a["weight"], a["step_hours"], d.previous_step
    nonneg = pyo.NonNegativeReals

    def built_by(var: pyo.Var, r: str, y: int) -> pyo.Expression:
        return sum(var[r, yy] for yy in years if yy <= y)

    # Capacities [GW, kt].
    for unit in ("electrolyser", "fuel_cell", "storage"):
        setattr(b, f"{unit}_capacity", pyo.Var(m.R, m.Y, within=nonneg))
        setattr(b, f"{unit}_new", pyo.Var(m.R, m.Y, within=nonneg))
    b.electrolyser_definition = pyo.Constraint(m.R, m.Y, rule=lambda b, r, y: (
        b.electrolyser_capacity[r, y] == float(h["el_existing"][ri[r]])
        + built_by(b.electrolyser_new, r, y)))
    b.fuel_cell_definition = pyo.Constraint(m.R, m.Y, rule=lambda b, r, y: (
        b.fuel_cell_capacity[r, y] == float(h["fc_existing"][ri[r]])
        + built_by(b.fuel_cell_new, r, y)))
    b.storage_definition = pyo.Constraint(m.R, m.Y, rule=lambda b, r, y: (
        b.storage_capacity[r, y] == built_by(b.storage_new, r, y)))

    def build_limit(var: pyo.Var, limits: np.ndarray) -> pyo.Constraint:
        return pyo.Constraint(m.R, rule=lambda b, r: pyo.Constraint.Skip if math.isinf(
            limits[ri[r]]) else sum(var[r, y] for y in years) <= float(limits[ri[r]]))

    b.electrolyser_build_limit = build_limit(b.electrolyser_new, h["el_max_new"])
    b.fuel_cell_build_limit = build_limit(b.fuel_cell_new, h["fc_max_new"])

    # Operation.
    b.electrolyser_power = pyo.Var(m.R, m.Y, m.T, within=nonneg)
    b.fuel_cell_power = pyo.Var(m.R, m.Y, m.T, within=nonneg)
    b.storage_in = pyo.Var(m.R, m.Y, m.T, within=nonneg)
    b.storage_out = pyo.Var(m.R, m.Y, m.T, within=nonneg)
    # Linked across days: the intra-day working stock (free in sign, from 0 in each period).
    linked = links_days(d) and h["st_inter_day"] > 0
    b.working_stock = pyo.Var(m.R, m.Y, m.T, within=pyo.Reals if linked else nonneg)
    b.grey = pyo.Var(m.R, m.Y, m.T, within=nonneg)
    b.fuel_cell_backup = pyo.Var(m.R, m.Y, within=nonneg)
    b.electrolyser_limit = pyo.Constraint(m.R, m.Y, m.T, rule=lambda b, r, y, t: (
        b.electrolyser_power[r, y, t] <= b.electrolyser_capacity[r, y]))
    b.fuel_cell_limit = pyo.Constraint(m.R, m.Y, m.T, rule=lambda b, r, y, t: (
        b.fuel_cell_power[r, y, t] <= b.fuel_cell_capacity[r, y]))
    b.backup_limit = pyo.Constraint(m.R, m.Y, rule=lambda b, r, y: (
        b.fuel_cell_backup[r, y] <= b.fuel_cell_capacity[r, y]))
    consumption, fc_yield = h["consumption"], h["fc_yield"]
    reserve = h["backup_hours"] / fc_yield  # kt kept per GW of fuel-cell backup
    # Hydrogen for the backup fuel cells stays in the tank (cyclic storage: filled once, no cost):
    # the level is that reserve plus a working stock >= 0, which makes "level >= reserve" a bound
    # instead of a row per step, and the reserve cancels out of the storage balance.
    b.storage_level = pyo.Expression(m.R, m.Y, m.T, rule=lambda b, r, y, t: (
        b.working_stock[r, y, t] + reserve * b.fuel_cell_backup[r, y] if reserve > 0
        else b.working_stock[r, y, t]))                                    # kt
    starts = period_start_steps(d)
    b.storage_balance = pyo.Constraint(m.R, m.Y, m.T, rule=lambda b, r, y, t: (
        b.working_stock[r, y, t] == (0 if linked and t in starts else b.working_stock[r, y, prev[t]])
        + float(hours[t]) * (b.storage_in[r, y, t] - b.storage_out[r, y, t])))
    b.storage_limit = pyo.Constraint(m.R, m.Y, m.T, rule=lambda b, r, y, t: (
        pyo.Constraint.Skip if linked else b.storage_level[r, y, t] <= b.storage_capacity[r, y]))
    if linked:
        add_day_linking(b, m, d, [(r,) for r in regions],
                        level=lambda k, y, t: b.working_stock[(*k, y, t)],
                        room=lambda k, y: b.storage_capacity[(*k, y)]
                        - reserve * b.fuel_cell_backup[(*k, y)])

    b.production = pyo.Expression(m.R, m.Y, m.T, rule=lambda b, r, y, t: (
        b.electrolyser_power[r, y, t] / consumption))                      # kt/h

    # Transport between hubs, only where it has a price.
    routes = ([(o, s) for o in regions for s in regions if o != s]
              if h["transport_cost"] is not None else [])
    b.ROUTES = pyo.Set(initialize=routes, dimen=2, ordered=True)
    b.transport = pyo.Var(b.ROUTES, m.Y, m.T, within=nonneg)
    into = {r: [o for o, s in routes if s == r] for r in regions}
    out_of = {r: [s for o, s in routes if o == r] for r in regions}
    demand = h["demand"]

    b.h2_balance = pyo.Constraint(m.R, m.Y, m.T, rule=lambda b, r, y, t: (
        b.production[r, y, t] + b.grey[r, y, t] + b.storage_out[r, y, t] - b.storage_in[r, y, t]
        + sum(b.transport[o, r, y, t] for o in into[r])
        - sum(b.transport[r, s, y, t] for s in out_of[r])
        - b.fuel_cell_power[r, y, t] / fc_yield
        == float(demand[ri[r], yi[y]]) / HOURS_PER_YEAR))

    def annual(expr_of_t) -> pyo.Expression:
        return sum(float(weight[t]) * expr_of_t(t) for t in steps)

    b.produced_year = pyo.Expression(m.R, m.Y, rule=lambda b, r, y: annual(
        lambda t: b.production[r, y, t]))                                  # kt/yr
    green_min = h["green_min"]
    b.green_minimum = pyo.Constraint(m.Y, rule=lambda b, y: pyo.Constraint.Skip
                                     if green_min[yi[y]] <= 0 else
                                     sum(b.produced_year[r, y] for r in regions)
                                     >= float(green_min[yi[y]]))
    compute = d.part("compute")  # fuel cells as data-centre backup, where there are data centres
    if compute is not None and h["backup_share"] > 0:
        ratio = compute["backup_ratio"] * h["backup_share"]
        b.backup_share = pyo.Constraint(m.R, m.Y, rule=lambda b, r, y: (
            b.fuel_cell_backup[r, y] >= ratio * built_by(m.compute.dc_new, r, y)))

    # Terms of the power balance, the backup requirement and the carbon cap.
    b.electrolysis = pyo.Expression(m.R, m.Y, m.T,
                                    rule=lambda b, r, y, t: b.electrolyser_power[r, y, t])
    b.fuel_cell_output = pyo.Expression(m.R, m.Y, m.T,
                                        rule=lambda b, r, y, t: b.fuel_cell_power[r, y, t])
    m.terms.withdraw("hydrogen.electrolysis", "demand")
    m.terms.inject("hydrogen.fuel_cell_output", "supply")
    b.fuel_cell_backup_total = pyo.Expression(m.R, m.Y,
                                              rule=lambda b, r, y: b.fuel_cell_backup[r, y])
    m.terms.backup.append("hydrogen.fuel_cell_backup_total")
    ef = h["grey_emission_factor"]
    b.grey_emissions = pyo.Expression(m.R, m.Y, rule=lambda b, r, y: ef * annual(
        lambda t: b.grey[r, y, t]))                                        # kt CO2/yr
    m.terms.emissions.append("hydrogen.grey_emissions")

    # Annual costs [MUSD/yr].
    el_cost, fc_cost, st_cost = h["el_annual_cost"], h["fc_annual_cost"], h["st_annual_cost"]
    fixed_existing = (h["el_fom_existing"] * float(h["el_existing"].sum())
                      + h["fc_fom_existing"] * float(h["fc_existing"].sum()))
    b.cost_hydrogen_investment = pyo.Expression(m.Y, rule=lambda b, y: sum(
        float(el_cost[yi[yy]]) * b.electrolyser_new[r, yy]
        + float(fc_cost[yi[yy]]) * b.fuel_cell_new[r, yy] + st_cost * b.storage_new[r, yy]
        for r in regions for yy in years if yy <= y) + fixed_existing)
    tr_cost = h["transport_cost"] or 0.0
    km = h["route_km"]

    def operation(b, y):
        vom = h["el_vom"] * sum(b.produced_year[r, y] for r in regions)
        moved = sum(float(weight[t] * tr_cost * km[ri[o], ri[s]]) * b.transport[o, s, y, t]
                    for o, s in routes for t in steps)
        return vom + moved

    b.cost_hydrogen_operation = pyo.Expression(m.Y, rule=operation)
    grey_cost = h["grey_cost"]  # its carbon is charged with all emissions (policy block)
    b.cost_grey_hydrogen = pyo.Expression(m.Y, rule=lambda b, y: grey_cost * sum(
        annual(lambda t, r=r: b.grey[r, y, t]) for r in regions))
    subsidy = h["subsidy"]
    b.cost_hydrogen_subsidy = pyo.Expression(m.Y, rule=lambda b, y: -float(subsidy[yi[y]]) * sum(
        b.produced_year[r, y] for r in regions))
    for name in ("hydrogen_investment", "hydrogen_operation", "grey_hydrogen", "hydrogen_subsidy"):
        m.terms.cost(f"hydrogen.cost_{name}")


def hydrogen_results(ctx: ResultsContext) -> None:
    """Electrolysers, storage, fuel cells; hydrogen made, bought and used; LCOH; hydrogen price."""
    m, ds, solution, w = ctx.model, ctx.ds, ctx.solution, ctx.w
    d = m.data
    h = d.part("hydrogen")
    b = m.hydrogen
    R, Y, T = d.regions, d.years, d.steps
    coords = {"region": R, "origin": R, "year": Y, "time": T}
    ry, ryt = ("region", "year"), ("region", "year", "time")

    def annual(hourly: xr.DataArray) -> xr.DataArray:
        return (hourly * w).sum("time")

    ds["electrolyser_capacity"] = da(values(b.electrolyser_capacity, (R, Y)), ry, coords, "GW",
                                      "electrolyser capacity in service (electric input)")
    ds["electrolyser_capacity_new"] = da(values(b.electrolyser_new, (R, Y)), ry, coords, "GW",
                                          "electrolyser capacity built in the year")
    ds["fuel_cell_capacity"] = da(values(b.fuel_cell_capacity, (R, Y)), ry, coords, "GW",
                                   "stationary fuel-cell capacity in service")
    ds["fuel_cell_backup"] = da(values(b.fuel_cell_backup, (R, Y)), ry, coords, "GW",
                                 "fuel-cell capacity counted as data-centre backup")
    ds["h2_storage_capacity"] = da(values(b.storage_capacity, (R, Y)) * 1000, ry, coords, "t",
                                    "hydrogen storage capacity")
    ds["electrolyser_power"] = da(values(b.electrolyser_power, (R, Y, T)), ryt, coords, "GW",
                                   "electricity drawn by electrolysers")
    ds["fuel_cell_power"] = da(values(b.fuel_cell_power, (R, Y, T)), ryt, coords, "GW",
                                "fuel-cell output")
    stock = values(b.working_stock, (R, Y, T))                                   # kt
    reserve = (h["backup_hours"] / h["fc_yield"]) * values(b.fuel_cell_backup, (R, Y))  # kt
    linked = np.full((len(R), len(Y)), hasattr(b, "level_start"))
    start = (start_levels_by_day(d, values(b.level_start, (R, Y, list(b.RUN))), stock)
             if hasattr(b, "level_start") else np.zeros((len(R), len(Y), len(d.day_period))))
    ds["h2_storage_level"] = da(
        (absolute_levels(d, stock, linked, start) + reserve[..., None]) * 1000, ryt, coords, "t",
        "hydrogen stored at the end of the step, backup reserve included (linked across days: "
        "intra-day stock plus the mean start stock of the days the period represents)")
    ds["h2_storage_level_daily"] = da(
        (daily_start_levels(d, stock, linked, start) + reserve[..., None]) * 1000,
        ("region", "year", "day"), {**coords, "day": range(len(d.day_period))}, "t",
        "hydrogen stored at the start of each calendar day of the profiles, backup reserve "
        "included (linked across days: the inter-day stock; otherwise the level its period "
        "starts from)")
    production = ds.electrolyser_power / h["consumption"]                      # kt/h
    grey = da(values(b.grey, (R, Y, T)), ryt, coords, "kt/h", "grey hydrogen")
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
    ds["h2_transport"] = da(moved, ("origin", "region", "year"), coords, "kt",
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
    new = values(b.electrolyser_new, (R, Y))
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
    ds["h2_price"] = da(dual / (pv[None, :, None] * w.values[None, None, :]), ryt, coords,
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


def _hydrogen_limits() -> tuple:
    """The caps whose binding and shadow prices the results report (synergy_models.limits)."""
    return (
        Limit("hydrogen.electrolyser_build_limit", "at_most", R, "GW", "USD/kW/year",
              "electrolysers built over the horizon (max_new_electrolyser)", discount="horizon",
              parameters=("max_new_electrolyser",)),
        Limit("hydrogen.fuel_cell_build_limit", "at_most", R, "GW", "USD/kW/year",
              "fuel cells built over the horizon (max_new_fuel_cell)", discount="horizon",
              parameters=("max_new_fuel_cell",)),
        Limit("hydrogen.green_minimum", "at_least", Y, "kt/year", "USD/kg",
              "least electrolytic hydrogen a year, all hubs (green_h2_min)", parameters=("green_h2_min",)),
        Limit("hydrogen.backup_share", "at_least", ("region", "year"), "GW", "USD/kW/year",
              "least fuel-cell share of new data-centre backup (h2_backup_share)",
              parameters=("h2_backup_share",)),
    )


MODULE = ModelModule(
    name="hydrogen", add=add_hydrogen, prepare=prepare_hydrogen, results=hydrogen_results,
    inputs=INPUTS, active=lambda inputs: "h2_demand" in inputs, requires=("power",),
    limits=_hydrogen_limits(),
    builds=(Build("electrolyser_capacity_new", "electrolyser_new"),
            Build("fuel_cell_capacity", "fuel_cell_capacity"),
            Build("h2_storage_capacity", "storage_capacity", scale=1000.0)),
)
