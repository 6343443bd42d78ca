r"""Transmission block: flows on the hub-to-hub corridors, their losses and expansion.

Lines with an external end carry fixed schedules (see :mod:`synergy_models.model.power`'s
``scheduled_net_export`` withdrawal); the lines here join two hubs and are decided by the model.

**Variables** (all non-negative)

==========================  ==================  ======================================
symbol                      attribute           meaning [unit]
==========================  ==================  ======================================
:math:`C_{l,y}`             ``capacity``        capacity in service [GW]
:math:`B_{l,y}`             ``new``             capacity built in year y [GW]
:math:`F^+_{l,y,t}`         ``flow_forward``    power sent from ``from`` to ``to`` [GW]
:math:`F^-_{l,y,t}`         ``flow_backward``   power sent from ``to`` to ``from`` [GW]
==========================  ==================  ======================================

**Parameters**: :math:`C^0_{l,y}` capacity in service (existing and planned lines by their year),
:math:`\lambda_l = \lambda^{fix} + \lambda^{km} \ell_l / 1000` the share of sent power lost over
length :math:`\ell_l`, :math:`c^{L}_l` annual cost per GW of new capacity (annuity and fixed O&M).

**Constraints**

.. math::

    C_{l,y} &= C^0_{l,y} + \sum_{y' \le y} B_{l,y'} && \text{capacity\_definition [GW]} \\
    \sum_y B_{l,y} &\le \bar B_l && \text{build\_limit [GW], where finite} \\
    F^+_{l,y,t} &\le C_{l,y}, \quad F^-_{l,y,t} \le C_{l,y} && \text{flow\_limit [GW]}

Balance term (injection ``net_import`` of hub :math:`r`):

.. math::

    \sum_{l: to(l)=r} \big((1-\lambda_l) F^+_{l,y,t} - F^-_{l,y,t}\big)
    + \sum_{l: from(l)=r} \big((1-\lambda_l) F^-_{l,y,t} - F^+_{l,y,t}\big)

Losses make flowing both ways at once a loss, so the optimum never does it. Annual cost
[MUSD/yr]: ``transmission`` :math:`\sum_l \sum_{y' \le y} c^L_l B_{l,y'}`.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from synergy_models.model.data import ModelData


def add_transmission(m: pyo.ConcreteModel, d: ModelData) -> None:
    b = m.transmission = pyo.Block()
    a = d.arrays
    li, yi = d.index("lines"), d.index("years")
    years = d.years
    b.L = pyo.Set(initialize=d.lines, ordered=True)
    b.capacity = pyo.Var(b.L, m.Y, within=pyo.NonNegativeReals)
    limit = a["line_max_new"]
    b.new = pyo.Var(b.L, m.Y, within=pyo.NonNegativeReals, bounds=lambda b, ln, y: (
        0, None if np.isinf(limit[li[ln]]) else float(limit[li[ln]])))
    b.build_limit = pyo.Constraint(b.L, rule=lambda b, ln: pyo.Constraint.Skip if (
        np.isinf(limit[li[ln]]) or len(years) == 1) else sum(b.new[ln, y] for y in years)
        <= float(limit[li[ln]]))
    b.flow_forward = pyo.Var(b.L, m.Y, m.T, within=pyo.NonNegativeReals)
    b.flow_backward = pyo.Var(b.L, m.Y, m.T, within=pyo.NonNegativeReals)
    existing = a["line_capacity_existing"]

    b.capacity_definition = pyo.Constraint(b.L, m.Y, rule=lambda b, ln, y: (
        b.capacity[ln, y] == float(existing[li[ln], yi[y]])
        + sum(b.new[ln, yy] for yy in years if yy <= y)))
    b.forward_limit = pyo.Constraint(b.L, m.Y, m.T, rule=lambda b, ln, y, t:
                                     b.flow_forward[ln, y, t] <= b.capacity[ln, y])
    b.backward_limit = pyo.Constraint(b.L, m.Y, m.T, rule=lambda b, ln, y, t:
                                      b.flow_backward[ln, y, t] <= b.capacity[ln, y])

    keep = {ln: 1.0 - float(a["line_loss"][li[ln]]) for ln in d.lines}
    into = {r: [ln for ln in d.lines if d.line_to[ln] == r] for r in d.regions}
    out_of = {r: [ln for ln in d.lines if d.line_from[ln] == r] for r in d.regions}

    def net_import(b, r, y, t):
        return (sum(keep[ln] * b.flow_forward[ln, y, t] - b.flow_backward[ln, y, t]
                    for ln in into[r])
                + sum(keep[ln] * b.flow_backward[ln, y, t] - b.flow_forward[ln, y, t]
                      for ln in out_of[r]))

    b.net_import = pyo.Expression(m.R, m.Y, m.T, rule=net_import)
    m.terms.inject("transmission.net_import")

    cost = a["line_annual_cost"]
    b.cost_transmission = pyo.Expression(m.Y, rule=lambda b, y: sum(
        float(cost[li[ln]]) * b.new[ln, yy] for ln in d.lines for yy in years if yy <= y))
    m.terms.cost("transmission.cost_transmission")
