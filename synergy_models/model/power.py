r"""Power block: capacity of every technology, generation, unserved energy and demand.

**Sets**

=====================  ==========================================================
:math:`r \in R`        hubs (regions)
:math:`k \in K_r`      technologies present or buildable in hub :math:`r` (generation and storage)
:math:`g \in G_r`      generation technologies of :math:`K_r`
:math:`y \in Y`        modelled years
:math:`t \in T`        time steps (hours of representative days, or of the year)
:math:`p \in P`        periods (days): :math:`T_p` are the steps of period :math:`p`
:math:`b \in B`        hydro budget periods (``B``): the days, or weeks of 7 consecutive days
                       with full_year resolution (:math:`T_b`: their steps)
=====================  ==========================================================

**Variables** (all non-negative)

=================================  =====================  ==================================
symbol                             attribute              meaning [unit]
=================================  =====================  ==================================
:math:`K_{r,k,y}`                  ``capacity``           capacity in service [GW]
:math:`N_{r,k,y}`                  ``new``                capacity built in year y [GW]
:math:`D_{r,g,y}`                  ``retired``            existing capacity retired by y [GW]
:math:`p_{r,g,y,t}`                ``generation``         output [GW]
:math:`u_{r,y,t}`                  ``unserved``           demand not met [GW]
=================================  =====================  ==================================

**Parameters**: :math:`K^0_{r,k}` existing capacity, :math:`\bar N_{r,k}` build limit over the
horizon, :math:`\bar n_{r,k}` build rate [GW/yr], :math:`\omega_y` years modelled year y stands
for, :math:`a_k` availability, :math:`f_{r,k,t}` capacity factor (wind, solar, hydro inflow; 1 for
the others), :math:`L_{r,y,t}` exogenous load, :math:`w_t` hours of the year per step,
:math:`\Delta_t` the step's length [h].

**Constraints**

.. math::

    K_{r,k,y} &= K^0_{r,k} - D_{r,k,y} + \sum_{y' < y} N_{r,k,y'} + \phi_{k,y} N_{r,k,y}
        && \text{capacity\_definition [GW]} \\
    D_{r,g,y} &\ge D_{r,g,y-1}, \quad D_{r,g,y} \le K^0_{r,g}
        && \text{retirement\_permanent [GW]} \\
    \sum_{y} N_{r,k,y} &\le \bar N_{r,k}
        && \text{build\_limit [GW]} \\
    N_{r,k,y} &\le \min(\bar n_{r,k}\, e_{k,y},\ \bar N_{r,k})
        && \text{build rate (variable bound) [GW]} \\
    N_{r,k,y} &= \sum_j X_{r,k,j,y}, \quad \sum_y X_{r,k,j,y} \le \bar X_{r,k,j}
        && \text{tranche\_split, tranche\_limit [GW]} \\
    p_{r,g,y,t} &\le a_g f_{r,g,t} K_{r,g,y} \quad (g \ne \mathrm{hydro}), \qquad
    p_{r,\mathrm{hydro},y,t} \le a_{\mathrm{hydro}} K_{r,\mathrm{hydro},y}
        && \text{availability [GW]} \\
    \sum_{t \in T_b} \Delta_t p_{r,\mathrm{hydro},y,t} &\le \sum_{t \in T_b} \Delta_t
        f_{r,\mathrm{hydro},t} K_{r,\mathrm{hydro},y} && \text{hydro\_energy, per day or week [GWh]}

``availability`` is left out for the pairs whose output another module already keeps within
:math:`a_g K` (listed as caps_generation in a module's coefficients: the thermal block's
:math:`p \le U \le a K`).

**Supply curves.** Where a hub and technology have a finite potential :math:`\bar X_{r,k,j}`
in any resource tranche :math:`j` (`supply_potential`), its builds come from the tranches:
``tranche_new`` :math:`X_{r,k,j,y}` [GW] is the year's build in tranche :math:`j`, each costing
the technology's capex plus the tranche's adder :math:`\Delta c_{r,k,j}` [MUSD/GW]
(`supply_capex_adder`), paid as capex is (annuity and fixed O&M, from when in service). Adders
rise with :math:`j`, so the cheapest tranche fills first and the marginal tranche's levelised
cost sets the price of the energy it adds.

**Periods and lead times.** Modelled year :math:`y` stands for :math:`\omega_y` calendar years;
:math:`e_{k,y}` of them are at or after :math:`y_0 + \ell_k` (base year plus the technology's
``lead_time``), the years in which new capacity can enter service. The period's builds are spread
evenly over those years, so on average a share :math:`\phi_{k,y} = (e_{k,y} + 1)/(2\omega_y)` of
them is in service over the period (2/3 for three years; 1 for one) and pays its annuity; later
periods have all of it. So a three-year first period neither holds three years of builds for all
three years nor lets a technology enter service before it could be built.

**Hydro** may produce at its full available capacity in any step; its inflow (capacity factor
:math:`f`, calibrated to reported full-load hours) is an energy budget [GWh] per budget period
:math:`b` (``time.hydro_budget``): a day, so reservoirs follow prices within the day, or, over a
chronological year (full_year resolution, the default there), a week of 7 consecutive days, so
they also move water from days of high inflow to days of low inflow. Representative days are not
consecutive: their budget is always a day. Spill (the results' curtailment of hydro) is the
budget not used, :math:`\sum_{t \in T_b} \Delta_t (f_{r,\mathrm{hydro},t} K_{r,\mathrm{hydro},y}
- p_{r,\mathrm{hydro},y,t})`, spread over the period's steps in proportion to :math:`f`.

Balance terms: injections :math:`\sum_g p_{r,g,y,t}` (``generation_total``) and :math:`u_{r,y,t}`
(``unserved``); withdrawal :math:`L_{r,y,t}` (``demand``, consumption).

Annual costs [MUSD/yr]: ``investment`` :math:`\sum_{r,k} \sum_{y' \le y} c^{ann}_{k,y'} N_{r,k,y'}`
(annuity plus fixed O&M of each vintage; its own period's vintage times :math:`\phi_{k,y}`;
plus :math:`(\mathrm{CRF}_k + o_k) \Delta c_{r,k,j} X_{r,k,j,y'}` in supply-curve tranches),
``fixed_om_existing`` :math:`\sum_{r,k} o_k (K^0_{r,k} - D_{r,k,y})`, ``variable``
:math:`\sum_{r,g,t} w_t\, m_{r,g}\, p_{r,g,y,t}` (fuel and variable O&M; coal's fuel price differs
by hub), ``unserved_energy`` :math:`\sum_{r,t} w_t V u_{r,y,t}` with
:math:`V` the value of lost load. Emissions ``emissions`` :math:`\sum_{g,t} w_t e_g p_{r,g,y,t}`
[kt CO2/yr], with :math:`e_g` the emission intensity [kt/GWh]: the policy block charges the carbon
price on them less ``free_allocation`` :math:`\sum_{g,t} w_t e_g \sigma_g p_{r,g,y,t}` [kt/yr]
(:math:`\sigma_g`: share covered by free ETS allowances), and caps them.
"""

from __future__ import annotations

import math

import numpy as np
import pyomo.environ as pyo
import xarray as xr

from synergy_models.model.data import (
    MIN_CAPACITY_FACTOR,
    PROFILE_OF,
    ModelData,
    capital_recovery_factor,
)
from synergy_models.model.module import (
    InputVar,
    Limit,
    ModelModule,
    ResultsContext,
    da,
    values,
)
from synergy_models.units import HOURS_PER_YEAR

RTY = ("region", "tech", "year")
INPUTS = (
    InputVar("capex", ("tech", "year"), "MUSD/GW", "investment per GW by cost year"),
    InputVar("fom_share", ("tech",), "1/year", "fixed O&M as a share of capex"),
    InputVar("lifetime", ("tech",), "year", "economic lifetime"),
    InputVar("capacity_existing", ("region", "tech"), "GW", "capacity in the base year"),
    InputVar("max_new_capacity", ("region", "tech"), "GW", "build limit over the horizon"),
    InputVar("max_build_rate", ("region", "tech"), "GW/year", "build limit per year"),
    InputVar("marginal_cost", ("region", "tech"), "MUSD/GWh",
             "fuel and variable O&M per GWh (fuel prices differ by hub)"),
    InputVar("supply_potential", ("region", "tech", "tranche"), "GW",
             "new capacity each resource tranche can hold (inf in every tranche: no curve)",
             optional=True),
    InputVar("supply_capex_adder", ("region", "tech", "tranche"), "MUSD/GW",
             "investment added to capex in each resource tranche", optional=True),
    InputVar("lead_time", ("tech",), "year",
             "years from the base year to the first year new capacity can be in service",
             optional=True),
    InputVar("carbon_free_share", ("tech",), "1",
             "share of the CO2 covered by free ETS allowances", optional=True),
    InputVar("emission_intensity", ("tech",), "t/MWh", "CO2 per MWh of output"),
    InputVar("availability", ("tech",), "1", "share of capacity available"),
    InputVar("capacity_credit", ("tech",), "1", "firm share of capacity for the reserve margin"),
    InputVar("demand", ("region", "year"), "GWh", "annual electricity demand"),
    InputVar("load_profile", ("region", "time"), "1", "hourly load over its mean",
             role="profile"),
    InputVar("peak_load", ("region", "year"), "GW", "the hub's own peak load"),
    InputVar("peak_load_coincident", ("region", "year"), "GW",
             "the hub's load in the hour of the joint peak of all hubs"),
    InputVar("wind_cf", ("region", "time"), "1", "wind capacity factor", role="profile"),
    InputVar("solar_cf", ("region", "time"), "1", "solar capacity factor", role="profile"),
    InputVar("hydro_cf", ("region", "time"), "1", "hydro inflow as a capacity factor",
             role="profile"),
    InputVar("value_of_lost_load", (), "MUSD/GWh", "cost of unserved energy"),
)


def build_years_and_share(years: list[int], year_weight: np.ndarray, base_year: int,
                          lead_time: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""Years of each modelled year's period in which new capacity can enter service, and the
    average share of the period's new capacity in service over the period. (tech, year) each.

    Modelled year :math:`y` stands for :math:`\omega_y` calendar years :math:`y .. y+\omega_y-1`;
    new capacity of technology :math:`k` can be in service from :math:`y_0 + \ell_k` (base year
    plus lead time). With :math:`e_{k,y}` such years in the period and the period's builds spread
    evenly over them (a :math:`1/e` share entering service at the start of each), the share in
    service averaged over the :math:`\omega_y` years is
    :math:`\phi_{k,y} = (e_{k,y} + 1) / (2\,\omega_y)`: 2/3 for a three-year period, 1 for a
    one-year one, 0 when nothing can enter service.
    """
    e = np.zeros((len(lead_time), len(years)))
    for j, (y, w) in enumerate(zip(years, year_weight, strict=True)):
        n = max(round(float(w)), 1)
        first = base_year + lead_time                                      # (tech,)
        e[:, j] = np.clip(y + n - np.maximum(first, y), 0, n) * (float(w) / n)
    share = np.where(e > 0, (e + 1.0) / (2.0 * np.maximum(year_weight[None, :], 1e-9)), 0.0)
    return e, np.minimum(share, 1.0)


def prepare_power(ds: xr.Dataset, d: ModelData) -> dict:
    """Coefficients of the power block (model units: GW, GWh, MUSD)."""
    a: dict = {}
    rate = d.scalars["discount_rate"]
    crf = capital_recovery_factor(rate, ds.lifetime.values)           # (tech,)
    capex = ds.capex.transpose("tech", "year").values                 # MUSD/GW
    fom = ds.fom_share.values[:, None]
    # Annual cost per GW of capacity built in year y: annuity + fixed O&M.
    a["annual_cost_power"] = capex * (crf[:, None] + fom)             # (tech, build year)
    # Existing capacity pays fixed O&M only (its investment is sunk), priced at first-year capex.
    a["fom_existing"] = capex[:, 0] * ds.fom_share.values             # (tech,) MUSD/GW/yr
    a["capacity_existing"] = ds.capacity_existing.transpose("region", "tech").values
    a["max_new"] = ds.max_new_capacity.transpose("region", "tech").values
    lead = (ds.lead_time.values if "lead_time" in ds else np.ones(len(d.techs)))
    build_years, in_service = build_years_and_share(
        d.years, d.arrays["year_weight"], d.options.base_year, lead)
    a["build_years"], a["in_service_share"] = build_years, in_service          # (tech, year)
    # Most new capacity in each modelled year: the annual rate times the years of its period in
    # which new capacity can enter service, never above the limit over the horizon. (r, k, y)
    build_rate = ds.max_build_rate.transpose("region", "tech").values
    a["max_new_in_year"] = np.minimum(build_rate[:, :, None] * build_years[None, :, :],
                                      a["max_new"][:, :, None])
    # Variable cost per GWh of output without carbon (tech,); the carbon price is charged on the
    # registered emissions (policy block's ``carbon`` cost).
    a["emission_intensity"] = ds.emission_intensity.values           # t/MWh = kt/GWh
    a["marginal_cost"] = ds.marginal_cost.transpose("region", "tech").values.astype(float)
    a["carbon_free_share"] = (ds.carbon_free_share.values if "carbon_free_share" in ds
                              else np.zeros(len(d.techs)))
    a["availability"] = ds.availability.values
    a["capacity_credit"] = ds.capacity_credit.values
    a["demand"] = ds.demand.transpose("region", "year").values                # GWh/yr
    a["load"] = ((a["demand"][:, :, None] / HOURS_PER_YEAR)
                 * d.arrays["load_profile"][:, None, :])                      # GW (r,y,t)
    # Reserve margin: each hub's own peak (hub), or its load in the hour of the joint peak.
    peak = ds.peak_load if d.options.reserve_scope == "hub" else ds.peak_load_coincident
    a["peak_load"] = peak.transpose("region", "year").values
    techs, regions, steps = d.techs, d.regions, d.steps
    cf = np.ones((len(regions), len(techs), len(steps)))
    for tech, var in PROFILE_OF.items():
        if tech in techs:
            cf[:, techs.index(tech), :] = ds[var].transpose("region", "time").values
    # Capacity factors below 0.1% (dawn, dusk) are zero: tiny coefficients only hurt the solver.
    cf[cf < MIN_CAPACITY_FACTOR] = 0.0
    a["capacity_factor"] = cf
    a["value_of_lost_load"] = float(ds.value_of_lost_load)
    a["region_tech"] = [(r, t) for i, r in enumerate(regions) for j, t in enumerate(techs)
                        if a["capacity_existing"][i, j] > 0 or a["max_new"][i, j] > 0]
    # Supply curves: a hub and technology with a finite potential in any tranche builds only in
    # its tranches; each tranche's capex adder pays the technology's annuity and fixed O&M.
    if "supply_potential" in ds:
        potential = ds.supply_potential.transpose("region", "tech", "tranche").values
        adder = ds.supply_capex_adder.transpose("region", "tech", "tranche").values
    else:
        potential = np.full((len(regions), len(techs), 0), np.inf)
        adder = np.zeros_like(potential)
    a["tranche_potential"] = potential
    a["tranche_annual_adder"] = adder * (crf + ds.fom_share.values)[None, :, None]
    a["curve_pairs"] = [(r, t) for r, t in a["region_tech"]
                        if np.isfinite(potential[regions.index(r), techs.index(t)]).any()]
    return a


def add_power(m: pyo.ConcreteModel, d: ModelData) -> None:
    b = m.power = pyo.Block()
    a = d.view("power")
    ri, ki, yi = d.index("regions"), d.index("techs"), d.index("years")
    gen_pairs = [(r, k) for r, k in d.region_tech if k in d.gen_techs]
    b.RK = pyo.Set(initialize=d.region_tech, dimen=2, ordered=True)
    b.RG = pyo.Set(initialize=gen_pairs, dimen=2, ordered=True)

    def existing(r: str, k: str) -> float:
        return float(a["capacity_existing"][ri[r], ki[k]])

    def limit(r: str, k: str) -> float:
        return float(a["max_new"][ri[r], ki[k]])

    b.capacity = pyo.Var(b.RK, m.Y, within=pyo.NonNegativeReals)
    per_year = a["max_new_in_year"]

    def new_bounds(b, r, k, y):
        ub = float(per_year[ri[r], ki[k], yi[y]])
        return (0, None if math.isinf(ub) else ub)

    b.new = pyo.Var(b.RK, m.Y, within=pyo.NonNegativeReals, bounds=new_bounds)
    b.retired = pyo.Var(b.RG, m.Y, within=pyo.NonNegativeReals,
                        bounds=lambda b, r, g, y: (0, existing(r, g)))
    b.generation = pyo.Var(b.RG, m.Y, m.T, within=pyo.NonNegativeReals)
    b.unserved = pyo.Var(m.R, m.Y, m.T, within=pyo.NonNegativeReals)
    years = d.years
    gen_set = set(gen_pairs)

    share = a["in_service_share"]

    def capacity_definition(b, r, k, y):
        # Builds of earlier periods are in service all year; the period's own only in part.
        built = (sum(b.new[r, k, yy] for yy in years if yy < y)
                 + float(share[ki[k], yi[y]]) * b.new[r, k, y])
        retired = b.retired[r, k, y] if (r, k) in gen_set else 0
        return b.capacity[r, k, y] == existing(r, k) - retired + built

    b.capacity_definition = pyo.Constraint(b.RK, m.Y, rule=capacity_definition)

    def retirement_permanent(b, r, g, y):
        i = yi[y]
        return pyo.Constraint.Skip if i == 0 else b.retired[r, g, y] >= b.retired[r, g, years[i - 1]]

    b.retirement_permanent = pyo.Constraint(b.RG, m.Y, rule=retirement_permanent)

    def build_limit(b, r, k):
        lim = limit(r, k)
        if math.isinf(lim) or per_year[ri[r], ki[k], :].sum() <= lim:
            return pyo.Constraint.Skip  # the yearly bounds already keep the total below the limit
        return sum(b.new[r, k, y] for y in years) <= lim

    b.build_limit = pyo.Constraint(b.RK, rule=build_limit)

    # Supply curves: the year's builds come from the hub's resource tranches, each holding at
    # most its potential over the horizon; tranches cost more (capex adder) as sites get poorer.
    potential, adder_ann = a["tranche_potential"], a["tranche_annual_adder"]
    tranches = range(1, potential.shape[2] + 1)                 # labelled from 1, as in the data
    b.RC = pyo.Set(initialize=a["curve_pairs"], dimen=2, ordered=True)
    b.RKJ = pyo.Set(initialize=[(r, k, j) for r, k in a["curve_pairs"] for j in tranches],
                    dimen=3, ordered=True)
    b.tranche_new = pyo.Var(b.RKJ, m.Y, within=pyo.NonNegativeReals)
    b.tranche_split = pyo.Constraint(b.RC, m.Y, rule=lambda b, r, k, y: (
        b.new[r, k, y] == sum(b.tranche_new[r, k, j, y] for j in tranches)))

    def tranche_limit(b, r, k, j):
        cap = float(potential[ri[r], ki[k], j - 1])
        if math.isinf(cap):
            return pyo.Constraint.Skip
        return sum(b.tranche_new[r, k, j, y] for y in years) <= cap

    b.tranche_limit = pyo.Constraint(b.RKJ, rule=tranche_limit)

    cf = a["capacity_factor"]
    avail = a["availability"]

    # Pairs whose output another module already keeps within a_g K (a module's coefficients
    # list them as ``caps_generation``: unit commitment's p <= U <= a K): their row here would
    # repeat it.
    capped = {pair for part in d.parts.values() if isinstance(part, dict)
              for pair in part.get("caps_generation", ())}

    def availability(b, r, g, y, t):
        # Hydro may run at full available capacity in any step; its energy is budgeted per day
        # or week (hydro_energy).
        factor = float(avail[ki[g]] * (1.0 if g == "hydro" else cf[ri[r], ki[g], t]))
        if factor <= 0:
            b.generation[r, g, y, t].setub(0)
            return pyo.Constraint.Skip
        if (r, g) in capped and factor == float(avail[ki[g]]):
            return pyo.Constraint.Skip
        return b.generation[r, g, y, t] <= factor * b.capacity[r, g, y]

    b.availability = pyo.Constraint(b.RG, m.Y, m.T, rule=availability)

    hydro = [(r, g) for r, g in gen_pairs if g == "hydro"]
    b.RH = pyo.Set(initialize=hydro, dimen=2, ordered=True)
    # Budget periods: days, or weeks of consecutive days over a chronological year (ModelData).
    b.B = pyo.Set(initialize=range(len(d.hydro_budget_steps)), ordered=True)

    hours = a["step_hours"]

    def hydro_energy(b, r, g, y, p):
        steps = d.hydro_budget_steps[p]
        inflow = float((cf[ri[r], ki[g], steps] * hours[steps]).sum())
        if inflow <= 0:
            for t in steps:
                b.generation[r, g, y, t].setub(0)
            return pyo.Constraint.Skip
        return (sum(float(hours[t]) * b.generation[r, g, y, t] for t in steps)
                <= inflow * b.capacity[r, g, y])

    b.hydro_energy = pyo.Constraint(b.RH, m.Y, b.B, rule=hydro_energy)

    by_region: dict[str, list[str]] = {r: [] for r in d.regions}
    for r, g in gen_pairs:
        by_region[r].append(g)
    b.generation_total = pyo.Expression(
        m.R, m.Y, m.T,
        rule=lambda b, r, y, t: sum(b.generation[r, g, y, t] for g in by_region[r]))
    load = a["load"]
    b.demand = pyo.Expression(m.R, m.Y, m.T,
                              rule=lambda b, r, y, t: float(load[ri[r], yi[y], t]))
    m.terms.inject("power.generation_total", "supply")
    m.terms.inject("power.unserved", "unserved")
    m.terms.withdraw("power.demand", "demand")

    # Annual costs [MUSD/yr]
    cost_p = a["annual_cost_power"]
    fom0 = a["fom_existing"]
    var_cost, rate = a["marginal_cost"], a["emission_intensity"]
    weight = a["weight"]
    voll = a["value_of_lost_load"]

    def investment(b, y):
        # A vintage pays from when it is in service: in its own period, its in-service share.
        def paid(k, yy):
            return float(share[ki[k], yi[y]]) if yy == y else 1.0

        return (sum(float(cost_p[ki[k], yi[yy]] * paid(k, yy)) * b.new[r, k, yy]
                    for r, k in d.region_tech for yy in years if yy <= y)
                + sum(float(adder_ann[ri[r], ki[k], j - 1] * paid(k, yy))
                      * b.tranche_new[r, k, j, yy] for r, k, j in b.RKJ for yy in years
                      if yy <= y and adder_ann[ri[r], ki[k], j - 1] > 0))

    def fixed_om_existing(b, y):
        return sum(float(fom0[ki[k]]) * (existing(r, k) - (b.retired[r, k, y] if (r, k) in gen_set
                                                             else 0))
                   for r, k in d.region_tech if existing(r, k) > 0)

    def variable(b, y):
        return sum(float(weight[t] * var_cost[ri[r], ki[g]]) * b.generation[r, g, y, t]
                   for r, g in gen_pairs for t in d.steps)

    def unserved_energy(b, y):
        return sum(float(weight[t] * voll) * b.unserved[r, y, t] for r in d.regions for t in d.steps)

    b.cost_investment = pyo.Expression(m.Y, rule=investment)
    b.cost_fixed_om_existing = pyo.Expression(m.Y, rule=fixed_om_existing)
    b.cost_variable = pyo.Expression(m.Y, rule=variable)
    b.cost_unserved_energy = pyo.Expression(m.Y, rule=unserved_energy)
    for name in ("investment", "fixed_om_existing", "variable", "unserved_energy"):
        m.terms.cost(f"power.cost_{name}")
    b.emissions = pyo.Expression(m.R, m.Y, rule=lambda b, r, y: sum(
        float(weight[t] * rate[ki[g]]) * b.generation[r, g, y, t]
        for g in by_region[r] if rate[ki[g]] > 0 for t in d.steps))              # kt CO2/yr
    m.terms.emissions.append("power.emissions")
    free = a["carbon_free_share"]
    b.free_allocation = pyo.Expression(m.R, m.Y, rule=lambda b, r, y: sum(
        float(weight[t] * rate[ki[g]] * free[ki[g]]) * b.generation[r, g, y, t]
        for g in by_region[r] if rate[ki[g]] * free[ki[g]] > 0 for t in d.steps))  # kt CO2/yr
    m.terms.free_allocation.append("power.free_allocation")

    credit = a["capacity_credit"]
    b.firm_capacity = pyo.Expression(
        m.R, m.Y,
        rule=lambda b, r, y: sum(float(credit[ki[k]]) * b.capacity[rr, k, y]
                                 for rr, k in d.region_tech if rr == r and credit[ki[k]] > 0))
    m.terms.firm_capacity.append("power.firm_capacity")
    peak = a["peak_load"]
    b.peak = pyo.Expression(m.R, m.Y, rule=lambda b, r, y: float(peak[ri[r], yi[y]]))
    m.terms.peak("power.peak", exogenous=True)



def hydro_spill(cf: np.ndarray, capacity: np.ndarray, generation: np.ndarray,
                step_hours: np.ndarray, budget_steps: list[list[int]]) -> np.ndarray:
    r"""Hydro spill [GW] (region, year, time): the energy budget of each budget period not used,
    :math:`U_b = \sum_{t \in T_b} \Delta_t (f_t K - p_t)` [GWh], spread over the period's steps in
    proportion to the inflow, :math:`U_b f_t / \sum_{t' \in T_b} \Delta_{t'} f_{t'}`.

    Hourly ``cf K - p`` would be wrong under a budget: hydro may run above its inflow in one hour
    and below it in another, and only the budget left at the end of the period is lost. Weighted
    by the steps' weights (proportional to :math:`\Delta_t` within a period) the annual sum is
    the unused budget of every period. ``cf``: (region, time); ``capacity``: (region, year);
    ``generation``: (region, year, time).
    """
    spill = np.zeros_like(generation, dtype=float)
    for steps in budget_steps:
        inflow = cf[:, steps] * step_hours[steps]                           # (region, step) h
        total = inflow.sum(axis=1)                                          # (region,)
        used = (generation[:, :, steps] * step_hours[steps]).sum(axis=2)    # (region, year) GWh
        unused = np.clip(total[:, None] * capacity - used, 0.0, None)      # (region, year) GWh
        share = np.divide(cf[:, steps], total[:, None], out=np.zeros_like(inflow),
                          where=total[:, None] > 0)                         # (region, step) 1/h
        spill[:, :, steps] = unused[:, :, None] * share[:, None, :]
    return spill


def power_results(ctx: ResultsContext) -> None:
    """Capacity, generation, curtailment, unserved energy, demand, emissions, average prices."""
    m, ds, w = ctx.model, ctx.ds, ctx.w
    d = m.data
    a = d.view("power")
    p = m.power
    R, K, Y, T, G = d.regions, d.techs, d.years, d.steps, d.gen_techs
    coords = {"region": R, "tech": K, "year": Y, "time": T, "gen_tech": G}
    ds["capacity"] = da(values(p.capacity, (R, K, Y)), RTY, coords, "GW", "capacity in service")
    ds["capacity_new"] = da(values(p.new, (R, K, Y)), RTY, coords, "GW",
                            "capacity built in the year")
    ds["capacity_retired"] = da(values(p.retired, (R, K, Y)), RTY, coords, "GW",
                                "existing capacity retired by the year (cumulative)")
    ds["capacity_existing"] = da(a["capacity_existing"], ("region", "tech"), coords, "GW",
                                 "capacity in the base year")
    generation = values(p.generation, (R, G, Y, T))
    rgyt = ("region", "gen_tech", "year", "time")
    ds["generation"] = da(generation, rgyt, coords, "GW", "output")
    gi = [d.techs.index(g) for g in G]
    available = (a["availability"][gi][None, :, None, None]
                 * a["capacity_factor"][:, gi, None, :]
                 * ds.capacity.sel(tech=G).values[..., None])
    spilled = np.clip(available - generation, 0, None)
    if "hydro" in G:
        h = G.index("hydro")
        spilled[:, h] = hydro_spill(a["capacity_factor"][:, K.index("hydro")],
                                    ds.capacity.sel(tech="hydro").values, generation[:, h],
                                    a["step_hours"], d.hydro_budget_steps)
    curtailment = da(spilled, rgyt, coords, "GW",
                     "available output not used (wind, solar; hydro: inflow budget not used, "
                     "spread over its period's steps in proportion to the inflow)")
    ds["curtailment"] = curtailment.where(curtailment.gen_tech.isin(["wind", "solar", "hydro"]),
                                          0.0)
    ds["unserved"] = da(values(p.unserved, (R, Y, T)), ("region", "year", "time"), coords, "GW",
                        "demand not met")
    ds["demand"] = da(a["load"], ("region", "year", "time"), coords, "GW",
                      "exogenous electricity demand")
    ds["generation_annual"] = ((ds.generation * w).sum("time") / 1000).assign_attrs(
        units="TWh", long_name="annual output")
    rate = xr.DataArray(a["emission_intensity"][gi], dims="gen_tech", coords={"gen_tech": G})
    ds["emissions"] = ((ds.generation_annual * rate).sum("gen_tech")).assign_attrs(
        units="Mt", long_name="CO2 emissions (TWh x t/MWh = Mt)")
    ds["curtailment_annual"] = ((ds.curtailment * w).sum("time") / 1000).assign_attrs(
        units="TWh", long_name="annual curtailed energy")
    ds["unserved_annual"] = ((ds.unserved * w).sum("time") / 1000).assign_attrs(
        units="TWh", long_name="annual unserved energy")
    ds["price_average"] = ((ds.price * ds.demand * w).sum("time")
                           / (ds.demand * w).sum("time")).assign_attrs(
        units="USD/MWh", long_name="demand-weighted average price")


def _power_limits() -> tuple:
    """The caps whose binding and shadow prices the results report (synergy_models.limits)."""
    return (
        Limit("power.new", "upper_bound", RTY, "GW", "USD/kW/year",
              "most capacity built in the year: build rate x years it stands for, at most the "
              "build limit (max_build_rate, max_new_capacity)", discount="in_service",
              name="power.build_rate", parameters=("max_new_capacity", "max_build_rate")),
        Limit("power.build_limit", "at_most", ("region", "tech"), "GW", "USD/kW/year",
              "capacity built over the horizon (max_new_capacity)", discount="horizon",
              parameters=("max_new_capacity",)),
        Limit("power.tranche_limit", "at_most", ("region", "tech", "tranche"), "GW",
              "USD/kW/year", "capacity built over the horizon in a resource tranche of the "
              "supply curve (supply_potential)", discount="horizon",
              parameters=("supply_potential",)),
    )


MODULE = ModelModule(
    name="power", add=add_power, prepare=prepare_power, results=power_results, inputs=INPUTS,
    options=("reserve_scope",),
    limits=_power_limits(),
)
