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

    E_{r,s,y} &= E^0_{r,s} + \sum_{y' \le y} M_{r,s,y'}
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

from synergy_models.model.data import ModelData


def add_storage(m: pyo.ConcreteModel, d: ModelData) -> None:
    b = m.storage = pyo.Block()
    a = d.arrays
    ri, ki, yi = d.index("regions"), d.index("techs"), d.index("years")
    pairs = [(r, s) for r, s in d.region_tech if s in d.storage_techs]
    b.RS = pyo.Set(initialize=pairs, dimen=2, ordered=True)
    cap = m.power.capacity
    years = d.years
    # Storage whose energy has no cost of its own is built at its fixed duration.
    own_energy_cost = {s: a["capex_energy_first"][ki[s]] > 0 for s in d.storage_techs}

    b.energy_capacity = pyo.Var(b.RS, m.Y, within=pyo.NonNegativeReals)
    b.energy_new = pyo.Var(b.RS, m.Y, within=pyo.NonNegativeReals)
    b.charge = pyo.Var(b.RS, m.Y, m.T, within=pyo.NonNegativeReals)
    b.discharge = pyo.Var(b.RS, m.Y, m.T, within=pyo.NonNegativeReals)
    b.soc = pyo.Var(b.RS, m.Y, m.T, within=pyo.NonNegativeReals)

    b.energy_definition = pyo.Constraint(b.RS, m.Y, rule=lambda b, r, s, y: (
        b.energy_capacity[r, s, y] == float(a["energy_existing"][ri[r], ki[s]])
        + sum(b.energy_new[r, s, yy] for yy in years if yy <= y)))

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
    m.terms.inject("storage.net_discharge")

    cost_e = a["annual_cost_energy"]
    b.cost_storage_energy = pyo.Expression(m.Y, rule=lambda b, y: sum(
        float(cost_e[ki[s], yi[yy]]) * b.energy_new[r, s, yy]
        for r, s in pairs for yy in years if yy <= y))
    m.terms.cost("storage.cost_storage_energy")
