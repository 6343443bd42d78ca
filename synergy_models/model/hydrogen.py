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
:math:`t^-` the step before t (cyclic per representative day, as battery storage).

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

Balance terms: withdrawal (consumption) ``electrolysis`` :math:`e_{r,y,t}`; injection
``fuel_cell_output`` :math:`f_{r,y,t}`. Backup provider ``fuel_cell_backup``. Emissions
``grey_emissions`` :math:`\epsilon^g \sum_t w_t g_{r,y,t}` [kt CO2/yr] (carbon cap).

Annual costs [MUSD/yr]: ``hydrogen_investment`` (annuity and fixed O&M of electrolyser, fuel-cell
and storage vintages; fixed O&M of existing units), ``hydrogen_operation``
(:math:`c^{vom} \sum w_t e/\eta^Z` plus transport :math:`c^{tr} \sum w_t\, km_{o,s}\, x_{o,s,y,t}`),
``grey_hydrogen`` (:math:`c^g \sum w_t g`; its carbon is in the policy block's ``carbon``),
``hydrogen_subsidy`` (:math:`-\sigma_y \sum w_t e/\eta^Z`, negative).

The dual of ``h2_balance`` divided by :math:`\Omega_y w_t` is the hydrogen price [MUSD/kt = USD/kg].
"""

from __future__ import annotations

import math

import numpy as np
import pyomo.environ as pyo

from synergy_models.model.data import ModelData


def add_hydrogen(m: pyo.ConcreteModel, d: ModelData) -> None:
    h = d.hydrogen
    if h is None:
        return
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
    b.working_stock = pyo.Var(m.R, m.Y, m.T, within=nonneg)
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
    b.storage_balance = pyo.Constraint(m.R, m.Y, m.T, rule=lambda b, r, y, t: (
        b.working_stock[r, y, t] == b.working_stock[r, y, prev[t]]
        + float(hours[t]) * (b.storage_in[r, y, t] - b.storage_out[r, y, t])))
    b.storage_limit = pyo.Constraint(m.R, m.Y, m.T, rule=lambda b, r, y, t: (
        b.storage_level[r, y, t] <= b.storage_capacity[r, y]))

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
        == float(demand[ri[r], yi[y]]) / 8760.0))

    def annual(expr_of_t) -> pyo.Expression:
        return sum(float(weight[t]) * expr_of_t(t) for t in steps)

    b.produced_year = pyo.Expression(m.R, m.Y, rule=lambda b, r, y: annual(
        lambda t: b.production[r, y, t]))                                  # kt/yr
    green_min = h["green_min"]
    b.green_minimum = pyo.Constraint(m.Y, rule=lambda b, y: pyo.Constraint.Skip
                                     if green_min[yi[y]] <= 0 else
                                     sum(b.produced_year[r, y] for r in regions)
                                     >= float(green_min[yi[y]]))
    if d.compute is not None and h["backup_share"] > 0:
        ratio = d.compute["backup_ratio"] * h["backup_share"]
        b.backup_share = pyo.Constraint(m.R, m.Y, rule=lambda b, r, y: (
            b.fuel_cell_backup[r, y] >= ratio * built_by(m.compute.dc_new, r, y)))

    # Terms of the power balance, the backup requirement and the carbon cap.
    b.electrolysis = pyo.Expression(m.R, m.Y, m.T,
                                    rule=lambda b, r, y, t: b.electrolyser_power[r, y, t])
    b.fuel_cell_output = pyo.Expression(m.R, m.Y, m.T,
                                        rule=lambda b, r, y, t: b.fuel_cell_power[r, y, t])
    m.terms.withdraw("hydrogen.electrolysis", consumption=True)
    m.terms.inject("hydrogen.fuel_cell_output")
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
