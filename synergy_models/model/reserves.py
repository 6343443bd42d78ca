r"""Reserves block: operating reserves sized from day-ahead forecast errors, and who holds them.

Each hub holds, in every step, upward reserve (output it can add, or load it can drop, at short
notice) and downward reserve (output it can shed, or load it can add) against the errors of the
day-ahead forecasts of its load, wind and solar output, plus an upward contingency (the loss of
its largest unit or line). Hubs do not share reserves over lines (each hub's dispatch centre
carries its own, as China's provincial "two rules" assess them). Active when the scenario turns
*policy.operating_reserves* on and the dataset has forecast errors (``forecast_errors.csv``).

**Sets**: :math:`(r, i) \in RU` and :math:`(r, i) \in RD` the hubs' upward and downward
providers (``RU``, ``RD``): committed coal and gas (the thermal block's :math:`RC`), hydro,
storage (:math:`s`), data-centre training load and electrolysers (where those modules are
active), and, downward only, wind and solar (curtailing); :math:`v \in \{wind, solar\}`.

**Variables** (all non-negative)

=================================  ===================  ======================================
symbol                             attribute            meaning [unit]
=================================  ===================  ======================================
:math:`q^{+}_{r,i,y,t}`            ``up``               upward reserve held by provider i [GW]
:math:`q^{-}_{r,i,y,t}`            ``down``             downward reserve held by provider i [GW]
:math:`z^{\pm}_{r,y,t}`            ``shortfall_up``,    requirement not met, priced at the
                                   ``shortfall_down``   value of lost load [GW]
=================================  ===================  ======================================

**Parameters**: :math:`\sigma^L_r` standard deviation of the day-ahead load forecast error as a
share of load, :math:`\sigma^v_r` that of wind or solar output as a share of installed capacity
(input *forecast_error*, [1]; China's grid codes score day-ahead wind and solar forecasts by the
root-mean-square error over installed capacity), :math:`\delta_v` the share by which better
(machine-learning) forecasting lowers them (*forecast_error_reduction*, [1]), :math:`k` the
multiple of :math:`\sigma` held (*reserve_sigma_multiplier*, [1]), :math:`C` the contingency
(*reserve_contingency*, [GW]), :math:`H` the hours a storage must sustain its reserve
(*reserve_energy_hours*, [h]), :math:`L_{r,y,t}` the exogenous load and :math:`f_{r,v,t}` the
capacity factor (power block), :math:`\bar f_{r,v}` its weighted mean over the year,
:math:`\beta_g` minimum stable load (thermal block), :math:`\eta_s` round-trip efficiency,
:math:`\mathrm{PUE}_s`, :math:`\varphi` training flexibility, :math:`u_s` utilisation limit
(compute block), :math:`c^{F}` the cost of the better forecasts (*forecast_cost*,
[MUSD/GW/yr]), :math:`V` the value of lost load.

**Requirements** [GW]. The error of wind or solar output is counted at its full
:math:`\sigma^v K` when the resource stands at or above its mean output and in proportion below it
(no solar error at night): :math:`e_{r,v,t} = \min(1, f_{r,v,t} / \bar f_{r,v})`. The errors of
load, wind and solar are added linearly, which bounds the standard deviation of their sum from
above whatever their correlation (:math:`\sqrt{\sum_j \sigma_j^2 + 2\sum_{j<l} \rho_{jl}
\sigma_j \sigma_l} \le \sum_j \sigma_j`, equal for fully correlated errors) and keeps the
requirement linear in the capacities the model builds; the root-sum-square (independent errors)
would be lower but is not linear in :math:`K`:

.. math::

    R^{+}_{r,y,t} &= k \Big( (1-\delta_L) \sigma^L_r L_{r,y,t} + \sum_v (1-\delta_v)
        \sigma^v_r e_{r,v,t} K_{r,v,y} \Big) + C \\
    R^{-}_{r,y,t} &= k \Big( (1-\delta_L) \sigma^L_r L_{r,y,t} + \sum_v (1-\delta_v)
        \sigma^v_r e_{r,v,t} K_{r,v,y} \Big)

**Constraints**

.. math::

    \sum_{i} q^{+}_{r,i,y,t} + z^{+}_{r,y,t} &\ge R^{+}_{r,y,t}
        && \text{requirement\_up [GW]} \\
    \sum_{i} q^{-}_{r,i,y,t} + z^{-}_{r,y,t} &\ge R^{-}_{r,y,t}
        && \text{requirement\_down [GW]} \\
    q^{+}_{r,g,y,t} \le U_{r,g,y,t} - p_{r,g,y,t}, \quad
    q^{-}_{r,g,y,t} &\le p_{r,g,y,t} - \beta_g U_{r,g,y,t}
        && \text{thermal\_up, thermal\_down [GW]} \\
    q^{+}_{r,h,y,t} \le a_h K_{r,h,y} - p_{r,h,y,t}, \quad
    q^{-}_{r,h,y,t} &\le p_{r,h,y,t}
        && \text{hydro\_up, hydro\_down [GW]} \\
    q^{-}_{r,v,y,t} &\le p_{r,v,y,t}
        && \text{curtail\_down [GW]} \\
    q^{+}_{r,s,y,t} \le K_{r,s,y} - d_{r,s,y,t} + c_{r,s,y,t}, \quad
    q^{-}_{r,s,y,t} &\le K_{r,s,y} - c_{r,s,y,t} + d_{r,s,y,t}
        && \text{storage\_up, storage\_down [GW]} \\
    H q^{+}_{r,s,y,t} / \sqrt{\eta_s} \le e_{r,s,y,t}, \quad
    H \sqrt{\eta_s}\, q^{-}_{r,s,y,t} &\le E_{r,s,y} - e_{r,s,y,t}
        && \text{storage\_energy\_up, storage\_energy\_down [GWh]} \\
    q^{+}_{r,tr,y,t} &\le \mathrm{PUE}_r v_{r,y,t}
        && \text{training\_up [GW]} \\
    q^{-}_{r,tr,y,t} \le \mathrm{PUE}_r (u_r Q_{r,y} - X_{r,y,t}), \quad
    q^{-}_{r,tr,y,t} &\le \mathrm{PUE}_r \varphi T_{r,y}
        && \text{training\_down, training\_flex\_down [GW]} \\
    q^{+}_{r,el,y,t} \le P^{el}_{r,y,t}, \quad
    q^{-}_{r,el,y,t} &\le K^{el}_{r,y} - P^{el}_{r,y,t}
        && \text{electrolyser\_up, electrolyser\_down [GW]}

The energy rows hold only for storage cycling within its period (for storage linked across days
the intra-day level :math:`e` is relative, and its power rows alone apply). Training load offers
upward reserve by pausing the part it shifts in the step (:math:`v`) and downward reserve by
running more, within its data centres' free capacity and its daily flexible energy (with
``policy.training_relocation: hourly``, what it runs in other hubs, :math:`\omega^-`, is taken
off :math:`v` in the upward row); the latency
and backup rules are untouched (the block only reads the compute block's variables).
Electrolysers offer their consumption up and their free capacity down. Reserves are held, not
deployed: their energy is not in the balance (deployments net to little over a day).

Annual costs [MUSD/yr]: ``operating_reserve_shortfall`` :math:`\sum_{r,t} w_t V (z^{+}_{r,y,t} +
z^{-}_{r,y,t})`; ``imbalance``, balancing the day-ahead errors in real time (redispatch,
imbalance energy) at :math:`c^{I}` (*imbalance_cost*, [MUSD/GWh]) per unit of expected absolute
error, :math:`\sigma \sqrt{2/\pi}` for a normal error:
:math:`c^{I} \sqrt{2/\pi} \sum_{r,t} w_t ((1-\delta_L) \sigma^L_r L_{r,y,t} + \sum_v (1-\delta_v)
\sigma^v_r e_{r,v,t} K_{r,v,y})`, linear in the capacities (sigma is a share of capacity, and
curtailing does not shrink a forecast error); and ``forecasting`` :math:`c^{F} \sum_{r} \sum_{v :
\delta_v > 0} K^0_{r,v}` (software and data for the better forecasts), charged on the forecast
fleet, the wind and solar in service in the base year (:math:`K^0`), a fixed number, so that the
fee does not tax what the model builds.

**Prices**: the reserve price [USD/MW-h] is the dual of ``requirement_up`` (``requirement_down``)
divided by the discounted step weight, :math:`\pi^{\pm}_{r,y,t} / (\Omega_y w_t)` x 1,000; each
provider earns that price on the reserve it holds (results variable *reserve_revenue*).
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import xarray as xr

from synergy_models.data.options import ModelOptions
from synergy_models.model.data import ModelData
from synergy_models.model.interday import links_days
from synergy_models.model.module import InputVar, Limit, ModelModule, ResultsContext, da, values

#: Forecast sources of the errors table, in order: load (share of load), wind and solar (share of
#: installed capacity).
SOURCES = ("load", "wind", "solar")
VRE = ("wind", "solar")
DIRECTIONS = ("up", "down")

INPUTS = (
    InputVar("forecast_error", ("region", "forecast_source"), "1",
             "standard deviation of the day-ahead forecast error: load as a share of load, wind "
             "and solar as a share of installed capacity"),
    InputVar("forecast_error_reduction", ("forecast_source",), "1",
             "share by which better (machine-learning) forecasting lowers the error", optional=True),
    InputVar("reserve_sigma_multiplier", (), "1", "multiple of the forecast error held as reserve"),
    InputVar("reserve_contingency", (), "GW",
             "upward reserve for the loss of the hub's largest unit or line"),
    InputVar("reserve_energy_hours", (), "h", "hours a storage must sustain the reserve it holds"),
    InputVar("forecast_cost", (), "MUSD/GW/year",
             "yearly cost of the better forecasts per GW of the forecast fleet (the wind and "
             "solar in service in the base year)", optional=True),
    InputVar("imbalance_cost", (), "MUSD/GWh",
             "cost of balancing each unit of day-ahead forecast error in real time (redispatch "
             "and imbalance energy)", optional=True),
)

#: E|e| / sigma for a normal error of mean zero: the expected absolute error is sigma sqrt(2/pi).
MEAN_ABS_PER_SIGMA = float(np.sqrt(2 / np.pi))


def reserves_active(inputs: xr.Dataset) -> bool:
    """On when the scenario asks for operating reserves and the dataset has forecast errors."""
    return ModelOptions.of(inputs).operating_reserves == "on" and "forecast_error" in inputs


def prepare_reserves(ds: xr.Dataset, d: ModelData) -> dict:
    """Requirement coefficients (GW per GW of load or capacity) and the providers of each hub."""
    a = d.view("power")
    sources = [str(s) for s in ds.forecast_source.values]
    sigma = ds.forecast_error.sel(region=d.regions).transpose("region", "forecast_source")
    cut = (ds.forecast_error_reduction if "forecast_error_reduction" in ds
           else xr.zeros_like(sigma.isel(region=0)))
    k = float(ds.reserve_sigma_multiplier)
    error = (sigma * (1 - cut)).values                                          # (region, source)
    effective = error * k
    ki = d.index("techs")
    load_coef = effective[:, sources.index("load")]                             # (region,)
    # Wind and solar: sigma x capacity at or above mean output, in proportion below it; the
    # requirement holds k of it, the imbalance cost its expected absolute value.
    weight = a["weight"]
    vre: dict[tuple[str, str], np.ndarray] = {}
    vre_error: dict[tuple[str, str], np.ndarray] = {}
    for v in VRE:
        if v not in d.techs or v not in sources:
            continue
        cf = a["capacity_factor"][:, ki[v], :]                                  # (region, time)
        mean = (cf * weight).sum(axis=1) / weight.sum()
        for i, r in enumerate(d.regions):
            if (r, v) not in d.region_tech or mean[i] <= 0 or error[i, sources.index(v)] <= 0:
                continue
            shape = np.minimum(1.0, cf[i] / mean[i])
            vre_error[(r, v)] = error[i, sources.index(v)] * shape
            if k > 0:
                vre[(r, v)] = effective[i, sources.index(v)] * shape
    thermal = d.part("thermal")
    committable = list(thermal["committable"]) if thermal else []
    pairs = d.region_tech
    up: list[tuple[str, str]] = []
    down: list[tuple[str, str]] = []
    for r in d.regions:
        own = [k_ for rr, k_ in pairs if rr == r]
        for g in own:
            if (r, g) in committable or g == "hydro" or g in d.storage_techs:
                up.append((r, g))
                down.append((r, g))
            elif g in VRE:
                down.append((r, g))
        for flex, part in (("training", "compute"), ("electrolyser", "hydrogen")):
            # training only where data centres can be (the compute block's sites)
            if d.part(part) is not None and (flex != "training" or r in d.part(part)["sites"]):
                up.append((r, flex))
                down.append((r, flex))
    reduced = {str(s): float(cut.sel(forecast_source=s)) for s in cut.forecast_source.values}
    paid = [v for v in VRE if reduced.get(v, 0.0) > 0]
    # The forecast fleet: wind and solar in service in the base year, a number, not a decision,
    # so that the fee cannot tax what the model builds (docs/formulation.md, Reserves block).
    existing = ds.capacity_existing.sel(region=d.regions)
    fleet = float(sum(existing.sel(tech=v).sum() for v in paid if v in existing.tech))
    return {
        "load_coef": load_coef,
        "vre_coef": vre,
        "load_error": error[:, sources.index("load")],
        "vre_error": vre_error,
        "contingency": float(ds.reserve_contingency),
        "energy_hours": float(ds.reserve_energy_hours),
        "forecast_cost": float(ds.forecast_cost) if "forecast_cost" in ds else 0.0,
        "forecast_fleet": fleet,
        "imbalance_cost": float(ds.imbalance_cost) if "imbalance_cost" in ds else 0.0,
        "providers_up": up,
        "providers_down": down,
        "committable": committable,
    }


def add_reserves(m: pyo.ConcreteModel, d: ModelData) -> None:
    b = m.reserves = pyo.Block()
    a = d.view("reserves", "storage", "power") if d.part("storage") else d.view("reserves", "power")
    ri, ki, yi = d.index("regions"), d.index("techs"), d.index("years")
    b.RU = pyo.Set(initialize=a["providers_up"], dimen=2, ordered=True)
    b.RD = pyo.Set(initialize=a["providers_down"], dimen=2, ordered=True)
    b.up = pyo.Var(b.RU, m.Y, m.T, within=pyo.NonNegativeReals)
    b.down = pyo.Var(b.RD, m.Y, m.T, within=pyo.NonNegativeReals)
    b.shortfall_up = pyo.Var(m.R, m.Y, m.T, within=pyo.NonNegativeReals)
    b.shortfall_down = pyo.Var(m.R, m.Y, m.T, within=pyo.NonNegativeReals)
    cap, gen = m.power.capacity, m.power.generation
    load = a["load"]
    load_coef, vre, contingency = a["load_coef"], a["vre_coef"], a["contingency"]
    up_of = {r: [i for rr, i in a["providers_up"] if rr == r] for r in d.regions}
    down_of = {r: [i for rr, i in a["providers_down"] if rr == r] for r in d.regions}
    vre_of = {r: [(v, coef) for (rr, v), coef in vre.items() if rr == r] for r in d.regions}

    def forecast_part(r, y, t):
        """The requirement's part that depends on capacity (GW of reserve per GW built)."""
        return sum(float(coef[t]) * cap[r, v, y] for v, coef in vre_of[r] if coef[t] > 0)

    def requirement_up(b, r, y, t):
        fixed = float(load_coef[ri[r]] * load[ri[r], yi[y], t]) + contingency
        return (sum(b.up[r, i, y, t] for i in up_of[r]) + b.shortfall_up[r, y, t]
                - forecast_part(r, y, t) >= fixed)

    def requirement_down(b, r, y, t):
        fixed = float(load_coef[ri[r]] * load[ri[r], yi[y], t])
        return (sum(b.down[r, i, y, t] for i in down_of[r]) + b.shortfall_down[r, y, t]
                - forecast_part(r, y, t) >= fixed)

    b.requirement_up = pyo.Constraint(m.R, m.Y, m.T, rule=requirement_up)
    b.requirement_down = pyo.Constraint(m.R, m.Y, m.T, rule=requirement_down)

    committable = set(a["committable"])
    avail = a["availability"]
    up_kind = _kinds(a["providers_up"], committable, d)
    down_kind = _kinds(a["providers_down"], committable, d)

    def pairs_of(kinds: dict, kind: str) -> list[tuple[str, str]]:
        return [p for p, k in kinds.items() if k == kind]

    # Committed coal and gas: headroom above output, output above minimum stable load.
    if committable:
        U = m.thermal.committed
        msl = d.part("thermal")["min_stable_load"]
        b.thermal_up = pyo.Constraint(pairs_of(up_kind, "thermal"), m.Y, m.T,
                                      rule=lambda b, r, g, y, t:
                                      b.up[r, g, y, t] <= U[r, g, y, t] - gen[r, g, y, t])
        b.thermal_down = pyo.Constraint(pairs_of(down_kind, "thermal"), m.Y, m.T,
                                        rule=lambda b, r, g, y, t: b.down[r, g, y, t]
                                        <= gen[r, g, y, t] - float(msl[ki[g]]) * U[r, g, y, t])
    b.hydro_up = pyo.Constraint(pairs_of(up_kind, "hydro"), m.Y, m.T, rule=lambda b, r, g, y, t:
                                b.up[r, g, y, t] <= float(avail[ki[g]]) * cap[r, g, y]
                                - gen[r, g, y, t])
    b.hydro_down = pyo.Constraint(pairs_of(down_kind, "hydro"), m.Y, m.T,
                                  rule=lambda b, r, g, y, t: b.down[r, g, y, t] <= gen[r, g, y, t])
    b.curtail_down = pyo.Constraint(pairs_of(down_kind, "vre"), m.Y, m.T,
                                    rule=lambda b, r, g, y, t:
                                    b.down[r, g, y, t] <= gen[r, g, y, t])
    if d.part("storage") is not None and hasattr(m, "storage"):
        _add_storage_reserves(m, d, b, pairs_of(up_kind, "storage"), a)
    if hasattr(m, "compute") and pairs_of(up_kind, "training"):
        _add_training_reserves(m, d, b, pairs_of(up_kind, "training"))
    if hasattr(m, "hydrogen") and pairs_of(up_kind, "electrolyser"):
        h = m.hydrogen
        el = pairs_of(up_kind, "electrolyser")
        b.electrolyser_up = pyo.Constraint(el, m.Y, m.T, rule=lambda b, r, i, y, t:
                                           b.up[r, i, y, t] <= h.electrolyser_power[r, y, t])
        b.electrolyser_down = pyo.Constraint(el, m.Y, m.T, rule=lambda b, r, i, y, t:
                                             b.down[r, i, y, t] <= h.electrolyser_capacity[r, y]
                                             - h.electrolyser_power[r, y, t])

    weight, voll = a["weight"], a["value_of_lost_load"]
    b.cost_operating_reserve_shortfall = pyo.Expression(m.Y, rule=lambda b, y: sum(
        float(weight[t] * voll) * (b.shortfall_up[r, y, t] + b.shortfall_down[r, y, t])
        for r in d.regions for t in d.steps))
    m.terms.cost("reserves.cost_operating_reserve_shortfall")
    # the fee: a fixed cost on the base-year fleet (no decision depends on it)
    fee = a["forecast_cost"] * a["forecast_fleet"]
    b.cost_forecasting = pyo.Expression(m.Y, rule=lambda b, y: fee)
    m.terms.cost("reserves.cost_forecasting")
    # Balancing the day-ahead errors in real time: expected absolute error energy x its cost,
    # linear in the wind and solar capacity (sigma is a share of capacity, as the grid codes
    # score it), so better forecasts lower the integration cost of each GW built.
    price = a["imbalance_cost"] * MEAN_ABS_PER_SIGMA
    load_error, vre_error = a["load_error"], a["vre_error"]

    def imbalance(b, y):
        if price <= 0:
            return 0.0
        fixed = float(sum(load_error[ri[r]] * (weight * load[ri[r], yi[y]]).sum()
                          for r in d.regions))
        built = sum(float((weight * err).sum()) * cap[r, v, y] for (r, v), err in vre_error.items())
        return price * (fixed + built)

    b.cost_imbalance = pyo.Expression(m.Y, rule=imbalance)
    m.terms.cost("reserves.cost_imbalance")


def _kinds(providers: list[tuple[str, str]], committable: set, d: ModelData
           ) -> dict[tuple[str, str], str]:
    """What kind of provider each (hub, provider) is."""
    out = {}
    for r, i in providers:
        if (r, i) in committable:
            out[(r, i)] = "thermal"
        elif i == "hydro":
            out[(r, i)] = "hydro"
        elif i in d.storage_techs:
            out[(r, i)] = "storage"
        elif i in VRE:
            out[(r, i)] = "vre"
        else:
            out[(r, i)] = i          # training, electrolyser
    return out


def _add_storage_reserves(m: pyo.ConcreteModel, d: ModelData, b: pyo.Block,
                          pairs: list[tuple[str, str]], a) -> None:
    s = m.storage
    cap = m.power.capacity
    ki = d.index("techs")
    b.storage_up = pyo.Constraint(pairs, m.Y, m.T, rule=lambda b, r, g, y, t: (
        b.up[r, g, y, t] <= cap[r, g, y] - s.discharge[r, g, y, t] + s.charge[r, g, y, t]))
    b.storage_down = pyo.Constraint(pairs, m.Y, m.T, rule=lambda b, r, g, y, t: (
        b.down[r, g, y, t] <= cap[r, g, y] - s.charge[r, g, y, t] + s.discharge[r, g, y, t]))
    hours = a["energy_hours"]
    inter = d.part("storage")["inter_day"]
    cycling = [(r, g) for r, g in pairs if not (links_days(d) and inter[ki[g]] > 0)]
    if hours <= 0:
        cycling = []
    one_way = {g: float(d.part("storage")["efficiency"][ki[g]]) ** 0.5 for _, g in pairs}
    b.storage_energy_up = pyo.Constraint(cycling, m.Y, m.T, rule=lambda b, r, g, y, t: (
        hours / one_way[g] * b.up[r, g, y, t] <= s.soc[r, g, y, t]))
    b.storage_energy_down = pyo.Constraint(cycling, m.Y, m.T, rule=lambda b, r, g, y, t: (
        hours * one_way[g] * b.down[r, g, y, t] <= s.energy_capacity[r, g, y] - s.soc[r, g, y, t]))


def _add_training_reserves(m: pyo.ConcreteModel, d: ModelData, b: pyo.Block,
                           pairs: list[tuple[str, str]]) -> None:
    c = m.compute
    part = d.part("compute")
    ri = d.index("regions")
    pue, util, flex = part["pue"], part["utilisation_max"], float(part["flexibility"])
    # training run in other hubs (policy.training_relocation) is not also paused here
    moved = c.moved_out if hasattr(c, "moved_out") else None
    b.training_up = pyo.Constraint(pairs, m.Y, m.T, rule=lambda b, r, i, y, t: (
        b.up[r, i, y, t] <= float(pue[ri[r]]) * (
            c.shifted[r, y, t] - (moved[r, y, t] if moved is not None else 0))))
    b.training_down = pyo.Constraint(pairs, m.Y, m.T, rule=lambda b, r, i, y, t: (
        b.down[r, i, y, t] <= float(pue[ri[r]]) * (float(util[ri[r]]) * c.dc_capacity[r, y]
                                                   - c.it_load[r, y, t])))
    b.training_flex_down = pyo.Constraint(pairs, m.Y, m.T, rule=lambda b, r, i, y, t: (
        b.down[r, i, y, t] <= float(pue[ri[r]]) * flex * c.training[r, y]))


def reserves_results(ctx: ResultsContext) -> None:
    """Requirements, reserve held by provider, shortfalls, prices and what each provider earns."""
    m, ds, solution = ctx.model, ctx.ds, ctx.solution
    d, b = m.data, m.reserves
    a = d.view("reserves", "power")
    R, Y, T = d.regions, d.years, d.steps
    providers = sorted({i for _, i in a["providers_up"]} | {i for _, i in a["providers_down"]},
                       key=lambda i: (d.techs.index(i) if i in d.techs else len(d.techs), i))
    coords = {"reserve_direction": list(DIRECTIONS), "region": R, "reserve_provider": providers,
              "year": Y, "time": T}
    held = np.stack([values(b.up, (R, providers, Y, T)), values(b.down, (R, providers, Y, T))])
    drpyt = ("reserve_direction", "region", "reserve_provider", "year", "time")
    ds["reserve_provided"] = da(held, drpyt, coords, "GW", "reserve held by each provider")
    short = np.stack([values(b.shortfall_up, (R, Y, T)), values(b.shortfall_down, (R, Y, T))])
    dryt = ("reserve_direction", "region", "year", "time")
    ds["reserve_shortfall"] = da(short, dryt, coords, "GW", "reserve requirement not met")
    capacity = values(m.power.capacity, (R, d.techs, Y))                     # (r, k, y)
    vre_part = np.zeros((len(R), len(Y), len(T)))
    for (r, v), coef in a["vre_coef"].items():
        vre_part[R.index(r)] += capacity[R.index(r), d.techs.index(v)][:, None] * coef[None, :]
    load_part = a["load_coef"][:, None, None] * a["load"]
    need = np.stack([load_part + vre_part + a["contingency"], load_part + vre_part])
    ds["reserve_requirement"] = da(need, dryt, coords, "GW",
                                   "reserve required: k x forecast errors of load, wind and "
                                   "solar (+ contingency upward)")
    pv, weight = a["year_pv"], a["weight"]
    price = []
    for con in (b.requirement_up, b.requirement_down):
        dual = solution.dual_of(con)
        price.append(np.array([[[dual[(r, y, t)] for t in T] for y in Y] for r in R]))
    scale = pv[None, None, :, None] * weight[None, None, None, :]
    ds["reserve_price"] = da(np.stack(price) / scale[0] * 1000, dryt, coords, "USD/MWh",
                             "reserve price: requirement dual / discounted weight (USD per MW "
                             "held for an hour)")
    w = xr.DataArray(weight, dims="time", coords={"time": T})
    ds["reserve_revenue"] = ((ds.reserve_provided * ds.reserve_price * w).sum("time") / 1000
                             ).assign_attrs(units="MUSD/year", long_name="what each provider "
                                            "earns for the reserve it holds, at the reserve price")
    ds["reserve_provided_annual"] = ((ds.reserve_provided * w).sum("time") / 1000).assign_attrs(
        units="TWh", long_name="reserve held over the year (GW x h)")


MODULE = ModelModule(
    name="reserves", add=add_reserves, prepare=prepare_reserves, results=reserves_results,
    inputs=INPUTS, active=reserves_active, requires=("power",),
    options=("operating_reserves",),
    limits=(
        Limit("reserves.requirement_up", "at_least", ("region", "year", "time"), "GW",
              "USD/kW/year", "upward operating reserve held in every step (value: k x the load "
              "error + contingency; the wind and solar part grows with the capacity built; "
              "shadow price: holding one GW less in every step)", over=("time",),
              parameters=("forecast_error", "forecast_error_reduction",
                          "reserve_sigma_multiplier", "reserve_contingency")),
        Limit("reserves.requirement_down", "at_least", ("region", "year", "time"), "GW",
              "USD/kW/year", "downward operating reserve held in every step (value: k x the "
              "load error; the wind and solar part grows with the capacity built)",
              over=("time",), parameters=("forecast_error", "forecast_error_reduction",
                                          "reserve_sigma_multiplier")),
    ),
)
