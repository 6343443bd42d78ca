r"""Policy block: fixed schedules to external regions, reserve margin, carbon price and cap,
renewable share.

**Parameters**: :math:`X_{r,y}` net scheduled export of hub :math:`r` over lines with an external end
in year :math:`y` [GW, imports negative]: :math:`\sum_l \pm s_{l,y} X_l` with :math:`X_l` the line's
flat schedule (``line_schedule``) and :math:`s_{l,y}` the share of the year it carries it
(``line_schedule_share``: 0 before its first year in service, 1 from it), :math:`\mu` reserve
margin, :math:`\kappa_k` capacity credit,
:math:`\hat L_{r,y}` peak load [GW], :math:`\bar Q_y` national carbon cap [Mt],
:math:`\tau_y` carbon price [USD/t = MUSD/Mt], :math:`\rho_{r,y}` renewable share target,
:math:`A_{r,y}` annual demand [GWh].

**Constraints**

.. math::

    \sum_{r \in Z} \sum_{i \in \mathcal{F}} F^i_{r,y} + S_{Z,y} &\ge \sum_{r \in Z} \Big((1 + \mu)
        \sum_{j \in \mathcal{P}} \hat L^j_{r,y} + X_{r,y}\Big)
        && \text{reserve\_margin [GW], per zone } Z \\
    0 \le R_{r,y} &\le \delta \sum_{j \in \mathcal{P}^x} \hat L^j_{r,y}
        && \text{demand\_response\_limit [GW]} \\
    \sum_{j \in \mathcal{E}} \sum_r E^j_{r,y} &\le 1000\, \bar Q_y
        && \text{carbon\_cap [kt], where } \bar Q_y < \infty \\
    \sum_{t} w_t \sum_{g \in \{wind, solar, hydro\}} p_{r,g,y,t} &\ge \rho_{r,y}
        \Big(A_{r,y} + \sum_{j \in \mathcal{C}} \sum_t w_t W^j_{r,y,t}\Big)
        && \text{renewable\_share [GWh], where } \rho_{r,y} > 0

Zones :math:`Z`: all hubs together (``policy.reserve_scope: system``, the default: firm capacity
anywhere counts, the peak is each hub's load in the hour of the joint peak, and whether power can
reach the hubs is left to the hourly balance), each hub at the joint peak with firm capacity
shared over the lines (``network``) or each hub alone (``hub``: own capacity, own peak). With
``network`` hub :math:`r`'s row adds its net firm import :math:`\sum_{l: to(l)=r} ((1-\lambda_l)
V^+_{l,y} - V^-_{l,y}) + \sum_{l: from(l)=r} ((1-\lambda_l) V^-_{l,y} - V^+_{l,y})`, firm capacity
sent at the peak over hub-to-hub line :math:`l` (``reserve_forward`` :math:`V^+`,
``reserve_backward`` :math:`V^-`, GW), each way at most the line's capacity in service
:math:`C_{l,y}` (``reserve_forward_limit``, ``reserve_backward_limit``).
:math:`\mathcal{F}`: registered firm capacity (power block: :math:`\sum_k \kappa_k K_{r,k,y}`);
:math:`\mathcal{P}`: registered peak loads (power block: :math:`\hat L_{r,y}`; the compute module adds
data-centre load); :math:`\mathcal{E}`: registered emissions [kt CO2/yr] (power block:
generation's :math:`\sum_{g,t} w_t e_g p_{r,g,y,t}`; hydrogen: grey hydrogen);
:math:`\mathcal{C}`: registered consumption withdrawals other than the exogenous
demand. Scheduled flows count as firm: an export must be covered, an import covers.

Demand response :math:`R_{r,y}` (``demand_response``, GW): load enrolled to be shed on call at the
peak, a firm-capacity term of at most the share :math:`\delta` (``demand_response_share``) of the
hub's exogenous peak loads :math:`\mathcal{P}^x`, at :math:`c^R` per GW and year
(``demand_response_cost``; annual cost ``demand_response`` :math:`\sum_r c^R R_{r,y}`). It counts
for the margin only; the hourly balance does not dispatch it.

:math:`S_{Z,y} \ge 0` (``reserve_shortfall``, GW) is firm capacity missing from the margin, priced at
:math:`c^S` per GW and year (``reserve_shortfall_cost``, annual cost ``reserve_shortfall``
:math:`\sum_Z c^S S_{Z,y}`): a margin the build limits cannot reach is reported, not infeasible.

Annual cost ``carbon`` [MUSD/yr]: :math:`\tau_y / 1000 \big(\sum_{j \in \mathcal{E}} \sum_r
E^j_{r,y} - \sum_{j \in \mathcal{A}} \sum_r A^j_{r,y}\big)` (``emissions_charged`` [kt/yr]), the
carbon price on every registered emission less the registered free allocation :math:`\mathcal{A}`
(power block: :math:`\sum_{g,t} w_t e_g \sigma_g p_{r,g,y,t}` with :math:`\sigma_g` the
``carbon_free_share``). China's ETS allocates allowances free by output benchmarks, so a plant pays
only for emissions above its allocation: :math:`\sigma_g = 1` (the dataset's default for coal and
gas) leaves the price no effect on dispatch, :math:`\sigma_g = 0` is full pass-through (the
``high_carbon_price`` lever). The carbon cap counts all emissions. :math:`\tau_y` is a mutable parameter
(``policy.carbon_price``): the objective is affine in it, which lets a carbon-price sweep re-solve
one compiled model with patched costs (:mod:`synergy_models.reuse`).

Balance term: withdrawal ``scheduled_export`` :math:`X_{r,y}` (constant within the year).
"""

from __future__ import annotations

import math

import numpy as np
import pyomo.environ as pyo
import xarray as xr

from synergy_models.errors import InputError, Problem
from synergy_models.model.balance import component
from synergy_models.model.data import RENEWABLE, ModelData
from synergy_models.model.module import InputVar, Limit, ModelModule, ResultsContext, da
from synergy_models.model.transmission import net_inflow

INPUTS = (
    InputVar("carbon_price", ("year",), "USD/t", "carbon price"),
    InputVar("carbon_cap", ("year",), "Mt", "national cap on CO2 (inf: none)"),
    InputVar("renewable_share_min", ("region", "year"), "1",
             "least wind, solar and hydro share of consumption"),
    InputVar("reserve_margin", (), "1", "firm capacity above peak load"),
    InputVar("reserve_shortfall_cost", (), "MUSD/GW/year", "price of missing firm capacity"),
    InputVar("demand_response_share", (), "1",
             "most load that can be shed on call at the peak, as a share of peak load",
             optional=True),
    InputVar("demand_response_cost", (), "MUSD/GW/year",
             "yearly cost of each GW of demand response enrolled", optional=True),
    InputVar("line_schedule", ("line",), "GW", "fixed flow on lines with an external end"),
    InputVar("line_schedule_share", ("line", "year"), "1", "share of the year a line with an "
             "external end carries its schedule (0 before it is in service)", optional=True),
)


def prepare_policy(ds: xr.Dataset, d: ModelData) -> dict:
    """Policy coefficients, and the fixed schedules on lines with an external end as each hub's
    net export by year (GW, exports > 0): a line sends or delivers nothing before its first year
    in service."""
    regions = d.regions
    net_export = np.zeros((len(regions), len(d.years)))
    for ln, ext in zip(ds.line.values, ds.line_external.values.astype(bool), strict=True):
        if not ext:
            continue
        share = (ds.line_schedule_share.sel(line=ln, year=d.years).values.astype(float)
                 if "line_schedule_share" in ds else np.ones(len(d.years)))
        flow = float(ds.line_schedule.sel(line=ln)) * share                 # (year,)
        frm, to = str(ds.line_from.sel(line=ln).item()), str(ds.line_to.sel(line=ln).item())
        if frm in regions:
            net_export[regions.index(frm)] += flow
        if to in regions:
            net_export[regions.index(to)] -= flow
    return {
        "scheduled_net_export": net_export,
        "carbon_price": ds.carbon_price.values.astype(float),               # USD/t = MUSD/Mt
        "carbon_cap": ds.carbon_cap.values,                                 # Mt
        "renewable_share_min": ds.renewable_share_min.transpose("region", "year").values,
        "reserve_margin": float(ds.reserve_margin),
        "reserve_shortfall_cost": float(ds.reserve_shortfall_cost),
        "demand_response_share": float(ds.get("demand_response_share", 0.0)),
        "demand_response_cost": float(ds.get("demand_response_cost", 0.0)),
    }


def add_policy(m: pyo.ConcreteModel, d: ModelData) -> None:
    b = m.policy = pyo.Block()
    ri, yi = d.index("regions"), d.index("years")
    export = d.part("policy")["scheduled_net_export"]
    b.scheduled_export = pyo.Expression(m.R, m.Y, m.T,
                                        rule=lambda b, r, y, t: float(export[ri[r], yi[y]]))
    m.terms.withdraw("policy.scheduled_export", "trade")
    m.terms.finalizers.append(add_policy_constraints)


def _reserve_sharing(m: pyo.ConcreteModel, d: ModelData) -> dict:
    """Network scope: firm capacity sent to a neighbour at the peak, each way at most the line's
    capacity in service, losses as in the hourly balance. Returns each hub's net firm import
    [GW] by (hub, year); none without the transmission block (each hub alone)."""
    if not hasattr(m, "transmission"):
        return {}
    b, tr = m.policy, m.transmission
    b.reserve_forward = pyo.Var(tr.L, m.Y, within=pyo.NonNegativeReals)
    b.reserve_backward = pyo.Var(tr.L, m.Y, within=pyo.NonNegativeReals)
    b.reserve_forward_limit = pyo.Constraint(tr.L, m.Y, rule=lambda b, ln, y: (
        b.reserve_forward[ln, y] <= tr.capacity[ln, y]))
    b.reserve_backward_limit = pyo.Constraint(tr.L, m.Y, rule=lambda b, ln, y: (
        b.reserve_backward[ln, y] <= tr.capacity[ln, y]))
    inflow = net_inflow(d)
    return {(r, y): inflow(b.reserve_forward, b.reserve_backward, r, y)
            for r in d.regions for y in d.years}


def add_policy_constraints(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Constraints over registered terms: called after every module has registered its terms."""
    b = m.policy
    a = d.view("policy", "power")
    ri, yi = d.index("regions"), d.index("years")
    export = a["scheduled_net_export"]
    margin = a["reserve_margin"]
    firm = [component(m, n) for n in m.terms.firm_capacity]
    peak = [component(m, n) for n in m.terms.peak_load]
    # System scope: one constraint over all hubs (index "system"); network and hub: one per hub.
    zones = {"system": d.regions} if d.options.reserve_scope == "system" else {
        r: [r] for r in d.regions}
    b.reserve_zones = pyo.Set(initialize=list(zones), ordered=True)
    b.reserve_shortfall = pyo.Var(b.reserve_zones, m.Y, within=pyo.NonNegativeReals)

    # Demand response enrolled for the peak: firm capacity up to a share of the exogenous peak.
    dr_share, dr_cost = a["demand_response_share"], a["demand_response_cost"]
    exogenous = [component(m, n) for n in m.terms.exogenous_peak]
    b.demand_response = pyo.Var(m.R, m.Y, within=pyo.NonNegativeReals)
    b.demand_response_limit = pyo.Constraint(m.R, m.Y, rule=lambda b, r, y: (
        b.demand_response[r, y] <= dr_share * sum(float(pyo.value(p[r, y])) for p in exogenous)
        if dr_share > 0 else pyo.Constraint.Skip))
    if dr_share <= 0:
        for r in d.regions:
            for y in d.years:
                b.demand_response[r, y].fix(0)
    b.cost_demand_response = pyo.Expression(m.Y, rule=lambda b, y: sum(
        dr_cost * b.demand_response[r, y] for r in d.regions))
    m.terms.cost("policy.cost_demand_response")
    m.terms.firm_capacity.append("policy.demand_response")
    firm.append(b.demand_response)

    shared = _reserve_sharing(m, d) if d.options.reserve_scope == "network" else {}
    b.reserve_margin = pyo.Constraint(b.reserve_zones, m.Y, rule=lambda b, z, y: (
        sum(f[r, y] for f in firm for r in zones[z]) + b.reserve_shortfall[z, y]
        + shared.get((z, y), 0)
        >= (1 + margin) * sum(p[r, y] for p in peak for r in zones[z])
        + sum(float(export[ri[r], yi[y]]) for r in zones[z])))
    price = a["reserve_shortfall_cost"]
    b.cost_reserve_shortfall = pyo.Expression(m.Y, rule=lambda b, y: sum(
        price * b.reserve_shortfall[z, y] for z in zones))
    m.terms.cost("policy.cost_reserve_shortfall")

    gen = m.power.generation
    gen_pairs = list(m.power.RG)
    weight = a["weight"]
    cap = a["carbon_cap"]

    emissions = [component(m, n) for n in m.terms.emissions]  # generation, grey hydrogen [kt/yr]
    b.emissions_total = pyo.Expression(m.Y, rule=lambda b, y: sum(
        e[r, y] for e in emissions for r in d.regions))                      # kt CO2/yr
    b.carbon_cap = pyo.Constraint(m.Y, rule=lambda b, y: pyo.Constraint.Skip if math.isinf(
        cap[yi[y]]) else b.emissions_total[y] <= 1000 * cap[yi[y]])
    b.carbon_price = pyo.Param(m.Y, mutable=True, within=pyo.Reals, initialize={
        y: float(a["carbon_price"][yi[y]]) for y in d.years})               # USD/t
    free = [component(m, n) for n in m.terms.free_allocation]
    b.emissions_charged = pyo.Expression(m.Y, rule=lambda b, y: b.emissions_total[y] - sum(
        f[r, y] for f in free for r in d.regions))                           # kt CO2/yr
    b.cost_carbon = pyo.Expression(m.Y, rule=lambda b, y: (
        b.carbon_price[y] / 1000 * b.emissions_charged[y]))                  # MUSD/yr
    m.terms.cost("policy.cost_carbon")

    share = a["renewable_share_min"]
    consumption = [component(m, n) for n in m.terms.consumption if n != "power.demand"]

    def renewable_share(b, r, y):
        rho = float(share[ri[r], yi[y]])
        if rho <= 0:
            return pyo.Constraint.Skip
        renewable = sum(float(weight[t]) * gen[rr, g, y, t] for rr, g in gen_pairs
                        if rr == r and g in RENEWABLE for t in d.steps)
        demand = float(a["demand"][ri[r], yi[y]]) + sum(
            float(weight[t]) * c[r, y, t] for c in consumption for t in d.steps)
        row = renewable >= rho * demand
        if row is False:  # no wind, solar or hydro in the hub: a fixed demand no row can meet
            raise InputError(Problem(
                "renewable_share_min", f"hub {r} has no wind, solar or hydro capacity and none "
                f"may be built, so its renewable share in {y} cannot reach {rho:g}", value=rho,
                expected="0 for this hub, or room to build renewables (max_new_capacity, "
                "max_build_rate, lead_time)"))
        return pyo.Constraint.Skip if row is True else row

    b.renewable_share = pyo.Constraint(m.R, m.Y, rule=renewable_share)


def policy_results(ctx: ResultsContext) -> None:
    """The fixed net export of each hub to external regions, and the carbon price."""
    d = ctx.model.data
    p = d.part("policy")
    ctx.ds["scheduled_net_export"] = da(
        p["scheduled_net_export"], ("region", "year"), {"region": d.regions, "year": d.years}, "GW",
        "fixed net export to regions outside the model over lines with an external end "
        "(imports negative)")


MODULE = ModelModule(
    name="policy", add=add_policy, prepare=prepare_policy, results=policy_results, inputs=INPUTS,
    requires=("power",),
    limits=(
        Limit("policy.reserve_margin", "at_least", ("zone", "year"), "GW", "USD/kW/year",
              "firm capacity >= (1 + reserve_margin) x peak load, per zone (all hubs: 'system', "
              "or each hub); missing capacity priced at reserve_shortfall_cost",
              parameters=("reserve_margin",)),
        Limit("policy.demand_response_limit", "at_most", ("region", "year"), "GW",
              "USD/kW/year", "demand response enrolled <= demand_response_share x peak load",
              parameters=("demand_response_share",)),
        Limit("policy.carbon_cap", "at_most", ("year",), "kt/year", "USD/t",
              "national CO2 cap (carbon_cap)", price_scale=1000.0, parameters=("carbon_cap",)),
        Limit("policy.renewable_share", "at_least", ("region", "year"), "GWh/year", "USD/MWh",
              "wind, solar and hydro output >= renewable_share_min x consumption (the row: "
              "output - share x modelled consumption >= share x exogenous demand)",
              price_scale=1000.0, parameters=("renewable_share_min",)),
    ),
)
