r"""Collector block: the grid inside a hub that carries wind and solar to its load and line nodes.

A hub is one node in the model, but its wind and solar sit in resource zones joined to the load
centres and to the sending ends of its lines by collector substations and 330-750 kV lines. When
these are congested, output is curtailed however cheap it is (the reported curtailment of
Inner Mongolia, Gansu and Ningxia is mostly of this kind). The block caps the hub's wind and solar
output in every step by its collector capacity, which the model may expand at a cost.

**Sets**: :math:`r \in R_Q` the hubs with a finite collector share :math:`s_r` (input
*collector_share*) or wind share :math:`s^W_r` (input *collector_share_wind*) (``RQ``);
:math:`V = \{\mathrm{wind}, \mathrm{solar}\}` of the hub's technologies.

**Variables** (non-negative)

=================================  ===================  ======================================
symbol                             attribute            meaning [unit]
=================================  ===================  ======================================
:math:`Z_{r,y}`                    ``new``              collector capacity built in year y [GW]
=================================  ===================  ======================================

**Parameters**: :math:`K^0_{r,k}` existing capacity (power block), :math:`s_r` collector share
[1] (the collector capacity of the base year per GW of its wind and solar), :math:`s^W_r` [1] the
most wind output the hub's grid has carried per GW of its wind (where given), :math:`c^Q` investment
(input *collector_capex*) [MUSD/GW], :math:`\ell^Q` lifetime (input *collector_lifetime*) [yr],
:math:`\bar Z` most collector capacity a hub may add over the horizon (input
*collector_max_new*) [GW].

**Constraints**

.. math::

    \sum_{k \in V} p_{r,k,y,t} &\le s_r \sum_{k \in V} K^0_{r,k} + \sum_{y' \le y} Z_{r,y'}
        && \text{collector\_limit [GW], where } s_r < \infty \\
    p_{r,\mathrm{wind},y,t} &\le s^W_r K^0_{r,\mathrm{wind}} + \sum_{y' \le y} Z_{r,y'}
        && \text{wind\_limit [GW], where } s^W_r < \infty \\
    \sum_{y} Z_{r,y} &\le \bar Z && \text{build\_limit [GW]}

Annual cost [MUSD/yr]: ``collector`` :math:`\sum_{r} \sum_{y' \le y} c^Q\,
\mathrm{CRF}(i, \ell^Q)\, Z_{r,y'}` (expression ``cost_collector``; no fixed O&M).

A collector build is in service for the whole of the period it is built in (a substation and
its lines take less time than the plants they serve), so it pays its annuity from then on.
The wind limit is the same grid seen from the wind fleet alone: a hub's wind sits in a few
resource zones (Gansu's in the Hexi corridor) whose lines fill at night, when solar gives no
headroom to the combined limit; collector capacity built relieves both rows.
Curtailment needs no term of its own: output the limit keeps off the grid is available output
not generated, which the power block's results already count as curtailment.
"""

from __future__ import annotations

import math

import numpy as np
import pyomo.environ as pyo
import xarray as xr

from synergy_models.model.data import ModelData, capital_recovery_factor
from synergy_models.model.module import (
    Build,
    InputVar,
    Limit,
    ModelModule,
    ResultsContext,
    da,
    values,
)

#: Technologies whose output the collector carries.
VARIABLE_RENEWABLES = ("wind", "solar")

INPUTS = (
    InputVar("collector_share", ("region",), "1",
             "collector capacity in the base year per GW of the hub's wind and solar (inf: none)"),
    InputVar("collector_share_wind", ("region",), "1",
             "most wind output the hub's grid carries in the base year per GW of its wind "
             "(inf: none)", optional=True),
    InputVar("collector_capex", (), "MUSD/GW", "investment per GW of collector capacity"),
    InputVar("collector_lifetime", (), "year", "economic lifetime of collector capacity"),
    InputVar("collector_max_new", (), "GW", "most collector capacity a hub may add",
             optional=True),
)


def prepare_collector(ds: xr.Dataset, d: ModelData) -> dict:
    """Collector capacity of the base year per hub (GW), its annual cost per GW built."""
    share = ds.collector_share.sel(region=d.regions).values.astype(float)
    existing = d.parts["power"]["capacity_existing"]
    vre = [d.techs.index(k) for k in VARIABLE_RENEWABLES if k in d.techs]
    base = share * existing[:, vre].sum(axis=1)                       # GW (region,)
    wind_share = (ds.collector_share_wind.sel(region=d.regions).values.astype(float)
                  if "collector_share_wind" in ds else np.full(len(d.regions), np.inf))
    wind_base = (wind_share * existing[:, d.techs.index("wind")] if "wind" in d.techs
                 else np.full(len(d.regions), np.inf))                 # GW (region,)
    limited = np.isfinite(share) | np.isfinite(wind_base)
    crf = float(capital_recovery_factor(d.scalars["discount_rate"],
                                        float(ds.collector_lifetime)))
    return {
        "capacity_base": base,
        "wind_base": wind_base,
        "hubs": [r for i, r in enumerate(d.regions) if limited[i]],
        "vre": [d.techs[i] for i in vre],
        "annual_cost": float(ds.collector_capex) * crf,               # MUSD/GW/yr
        "max_new": float(ds.collector_max_new) if "collector_max_new" in ds else math.inf,
    }


def add_collector(m: pyo.ConcreteModel, d: ModelData) -> None:
    b = m.collector = pyo.Block()
    a = d.view("collector")
    ri = d.index("regions")
    b.RQ = pyo.Set(initialize=a["hubs"], ordered=True)
    b.new = pyo.Var(b.RQ, m.Y, within=pyo.NonNegativeReals)
    gen, pairs = m.power.generation, set(m.power.RG)
    years, base = d.years, a["capacity_base"]

    def built(r: str, y: int):
        """Collector capacity built in the hub up to year ``y`` [GW]."""
        return sum(b.new[r, yy] for yy in years if yy <= y)

    def capacity(r: str, y: int):
        return float(base[ri[r]]) + built(r, y)

    def collector_limit(b, r, y, t):
        output = [gen[r, k, y, t] for k in a["vre"] if (r, k) in pairs]
        if not output or not math.isfinite(base[ri[r]]):
            return pyo.Constraint.Skip
        return sum(output) <= capacity(r, y)

    b.collector_limit = pyo.Constraint(b.RQ, m.Y, m.T, rule=collector_limit)
    wind_base = a["wind_base"]

    # The same grid from the wind fleet alone (night-time wind of a few resource zones).
    def wind_limit(b, r, y, t):
        if (r, "wind") not in pairs or not math.isfinite(wind_base[ri[r]]):
            return pyo.Constraint.Skip
        return gen[r, "wind", y, t] <= float(wind_base[ri[r]]) + built(r, y)

    b.wind_limit = pyo.Constraint(b.RQ, m.Y, m.T, rule=wind_limit)
    limit = a["max_new"]
    b.build_limit = pyo.Constraint(b.RQ, rule=lambda b, r: (
        pyo.Constraint.Skip if math.isinf(limit) else sum(b.new[r, y] for y in years) <= limit))
    cost = a["annual_cost"]
    b.cost_collector = pyo.Expression(m.Y, rule=lambda b, y: sum(
        cost * b.new[r, yy] for r in b.RQ for yy in years if yy <= y))
    m.terms.cost("collector.cost_collector")


def collector_results(ctx: ResultsContext) -> None:
    """Collector capacity by hub and year (inf where a hub has none), builds, and their use."""
    m, ds = ctx.model, ctx.ds
    d, b = m.data, m.collector
    a = d.view("collector")
    R, Y = d.regions, d.years
    coords = {"region": R, "year": Y}
    new = values(b.new, (R, Y))
    ds["collector_new"] = da(new, ("region", "year"), coords, "GW",
                             "collector capacity built in the year")
    capacity = a["capacity_base"][:, None] + np.cumsum(new, axis=1)
    unlimited = ~np.isin(R, a["hubs"])
    capacity[unlimited | ~np.isfinite(a["capacity_base"])] = np.inf
    ds["collector_capacity"] = da(capacity, ("region", "year"), coords, "GW",
                                  "collector capacity for the hub's wind and solar (inf: no limit)")
    wind = a["wind_base"][:, None] + np.cumsum(new, axis=1)
    wind[unlimited | ~np.isfinite(a["wind_base"])] = np.inf
    ds["collector_wind_capacity"] = da(wind, ("region", "year"), coords, "GW",
                                       "most wind output the hub's grid carries (inf: no limit)")


MODULE = ModelModule(
    name="collector", add=add_collector, prepare=prepare_collector, results=collector_results,
    inputs=INPUTS, requires=("power",),
    active=lambda inputs: any(name in inputs and bool(np.isfinite(inputs[name].values).any())
                              for name in ("collector_share", "collector_share_wind")),
    builds=(Build("collector_new", "new"),),
    limits=(
        Limit("collector.collector_limit", "at_most", ("region", "year", "time"), "GW",
              "USD/kW/year", "wind and solar output at most the hub's collector capacity "
              "(collector_share x base-year wind and solar, plus builds; shadow price: one GW "
              "more in every step)", over=("time",), parameters=("collector_share",)),
        Limit("collector.wind_limit", "at_most", ("region", "year", "time"), "GW",
              "USD/kW/year", "wind output at most the wind the hub's grid carries "
              "(collector_share_wind x base-year wind, plus builds; shadow price: one GW more in "
              "every step)", over=("time",), parameters=("collector_share_wind",)),
        Limit("collector.build_limit", "at_most", ("region",), "GW", "USD/kW/year",
              "collector capacity built over the horizon (collector_max_new)",
              discount="horizon", parameters=("collector_max_new",)),
    ),
)
