r"""Storage block: batteries and pumped hydro, with power and energy capacity.

Power capacity :math:`K_{r,s,y}` comes from the power block; this block adds energy capacity, hourly
charging, discharging and state of charge.

**Variables** (all non-negative)

===========================  ===================  =====================================
symbol                       attribute            meaning [unit]
===========================  ===================  =====================================
:math:`E_{r,s,y}`            ``energy_capacity``  energy capacity in service [GWh]
:math:`M_{r,s,y}`            ``energy_new``       energy capacity built in year y [GWh]
:math:`c_{r,s,y,t}`          ``charge``           charging power [GW]
:math:`d_{r,s,y,t}`          ``discharge``        discharging power [GW]
:math:`e_{r,s,y,t}`          ``soc``              energy stored at the end of step t [GWh]
===========================  ===================  =====================================

**Parameters**: :math:`E^0_{r,s}` existing energy capacity, :math:`\eta_s` round-trip efficiency
(charging and discharging each :math:`\sqrt{\eta_s}`), :math:`h_s` duration, :math:`\Delta_t` the
step's length in hours (1, or a segment's length), :math:`t^-` the step
before :math:`t` (cyclic within each representative day, or over the whole year for the full year).

**Constraints**

.. math::

    E_{r,s,y} &= E^0_{r,s} + \sum_{y' < y} M_{r,s,y'} + \phi_{s,y} M_{r,s,y}
        && \text{energy\_definition [GWh]} \\
    M_{r,s,y} &= h_s N_{r,s,y} \quad \text{(only where energy has no own cost: fixed duration)}
        && \text{fixed\_duration [GWh]} \\
    c_{r,s,y,t} + d_{r,s,y,t} &\le K_{r,s,y}
        && \text{power\_limit [GW]} \\
    e_{r,s,y,t} &\le E_{r,s,y} && \text{soc\_limit [GWh]} \\
    e_{r,s,y,t} &= e_{r,s,y,t^-} + \Delta_t \big(\sqrt{\eta_s}\, c_{r,s,y,t}
        - d_{r,s,y,t} / \sqrt{\eta_s}\big)
        && \text{state\_of\_charge [GWh]}

Balance term: injection :math:`\sum_s (d_{r,s,y,t} - c_{r,s,y,t})` (``net_discharge``).
Annual cost [MUSD/yr]: ``storage_energy`` :math:`\sum_{r,s} \sum_{y' \le y} c^{E}_{s,y'} M_{r,s,y'}`.
"""

from __future__ import annotations

import pyomo.environ as pyo
import xarray as xr

from synergy_models.model.data import ModelData, capital_recovery_factor
from synergy_models.model.module import InputVar, ModelModule, ResultsContext, da, values

INPUTS = (
    InputVar("capex_energy", ("tech", "year"), "MUSD/GWh", "investment per GWh of storage energy"),
    InputVar("storage_energy_existing", ("region", "tech"), "GWh",
             "storage energy capacity in the base year"),
    InputVar("efficiency", ("tech",), "1", "round-trip efficiency"),
    InputVar("duration", ("tech",), "h", "energy per unit of power of new storage"),
)


def prepare_storage(ds: xr.Dataset, d: ModelData) -> dict:
    """Coefficients of the storage block (GWh, MUSD); power capacity is the power block's."""
    crf = capital_recovery_factor(d.scalars["discount_rate"], ds.lifetime.values)
    capex_e = ds.capex_energy.transpose("tech", "year").values                  # MUSD/GWh
    return {
        # annual cost per GWh built in year y: annuity + fixed O&M (tech, build year)
        "annual_cost_energy": capex_e * (crf[:, None] + ds.fom_share.values[:, None]),
        "energy_existing": ds.storage_energy_existing.transpose("region", "tech").values,
        "efficiency": ds.efficiency.values,
        "duration": ds.duration.values,
        "capex_energy_first": capex_e[:, 0],
    }


def add_storage(m: pyo.ConcreteModel, d: ModelData) -> None:
    b = m.storage = pyo.Block()
    a = d.view("storage", "power")
    ri, ki, yi = d.index("regions"), d.index("techs"), d.index("years")
    pairs = [(r, s) for r, s in d.region_tech if s in d.storage_techs]
    b.RS = pyo.Set(initialize=pairs, dimen=2, ordered=True)
    cap = m.power.capacity
    years = d.years
    share = a["in_service_share"]      # the period's own builds in service on average (power)
    # Storage whose energy has no cost of its own is built at its fixed duration.
    own_energy_cost = {s: a["capex_energy_first"][ki[s]] > 0 for s in d.storage_techs}

    b.energy_capacity = pyo.Var(b.RS, m.Y, within=pyo.NonNegativeReals)
    b.energy_new = pyo.Var(b.RS, m.Y, within=pyo.NonNegativeReals)
    b.charge = pyo.Var(b.RS, m.Y, m.T, within=pyo.NonNegativeReals)
    b.discharge = pyo.Var(b.RS, m.Y, m.T, within=pyo.NonNegativeReals)
    b.soc = pyo.Var(b.RS, m.Y, m.T, within=pyo.NonNegativeReals)

    b.energy_definition = pyo.Constraint(b.RS, m.Y, rule=lambda b, r, s, y: (
        b.energy_capacity[r, s, y] == float(a["energy_existing"][ri[r], ki[s]])
        + sum(b.energy_new[r, s, yy] * (float(share[ki[s], yi[y]]) if yy == y else 1.0)
              for yy in years if yy <= y)))

    def fixed_duration(b, r, s, y):
        if own_energy_cost[s]:
            return pyo.Constraint.Skip
        return b.energy_new[r, s, y] == float(a["duration"][ki[s]]) * m.power.new[r, s, y]

    b.fixed_duration = pyo.Constraint(b.RS, m.Y, rule=fixed_duration)
    b.power_limit = pyo.Constraint(b.RS, m.Y, m.T, rule=lambda b, r, s, y, t:
                                   b.charge[r, s, y, t] + b.discharge[r, s, y, t] <= cap[r, s, y])
    b.soc_limit = pyo.Constraint(b.RS, m.Y, m.T, rule=lambda b, r, s, y, t:
                                 b.soc[r, s, y, t] <= b.energy_capacity[r, s, y])
    one_way = {s: float(a["efficiency"][ki[s]]) ** 0.5 for s in d.storage_techs}
    prev = d.previous_step
    hours = a["step_hours"]

    def state_of_charge(b, r, s, y, t):
        eta, h = one_way[s], float(hours[t])
        return (b.soc[r, s, y, t] == b.soc[r, s, y, prev[t]] + eta * h * b.charge[r, s, y, t]
                - h / eta * b.discharge[r, s, y, t])

    b.state_of_charge = pyo.Constraint(b.RS, m.Y, m.T, rule=state_of_charge)

    by_region: dict[str, list[str]] = {r: [] for r in d.regions}
    for r, s in pairs:
        by_region[r].append(s)
    b.net_discharge = pyo.Expression(m.R, m.Y, m.T, rule=lambda b, r, y, t: sum(
        b.discharge[r, s, y, t] - b.charge[r, s, y, t] for s in by_region[r]))
    m.terms.inject("storage.net_discharge", "storage")

    cost_e = a["annual_cost_energy"]
    b.cost_storage_energy = pyo.Expression(m.Y, rule=lambda b, y: sum(
        float(cost_e[ki[s], yi[yy]] * (share[ki[s], yi[y]] if yy == y else 1.0))
        * b.energy_new[r, s, yy] for r, s in pairs for yy in years if yy <= y))
    m.terms.cost("storage.cost_storage_energy")


def storage_results(ctx: ResultsContext) -> None:
    """Energy capacity, charging, discharging and state of charge."""
    m, ds = ctx.model, ctx.ds
    d, s = m.data, m.storage
    R, S, Y, T = d.regions, d.storage_techs, d.years, d.steps
    coords = {"region": R, "storage_tech": S, "year": Y, "time": T}
    rsyt = ("region", "storage_tech", "year", "time")
    ds["storage_energy_capacity"] = da(values(s.energy_capacity, (R, S, Y)),
                                       ("region", "storage_tech", "year"), coords, "GWh",
                                       "storage energy capacity")
    ds["storage_charge"] = da(values(s.charge, (R, S, Y, T)), rsyt, coords, "GW", "charging power")
    ds["storage_discharge"] = da(values(s.discharge, (R, S, Y, T)), rsyt, coords, "GW",
                                 "discharging power")
    ds["storage_level"] = da(values(s.soc, (R, S, Y, T)), rsyt, coords, "GWh",
                             "energy stored at the end of the step")


MODULE = ModelModule(
    name="storage", add=add_storage, prepare=prepare_storage, results=storage_results,
    inputs=INPUTS, requires=("power",),
)
