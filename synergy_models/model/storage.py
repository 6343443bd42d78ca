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
before :math:`t` (cyclic within each representative day, or over all the profiles' days for
`full_year`), :math:`\lambda_s` `inter_day` (1: linked across days).

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

**Storage linked across days** (:math:`\lambda_s = 1`, representative days only; Kotzur et al.
2018, :mod:`synergy_models.model.interday`): :math:`e_{r,s,y,t}` is then the *intra-day* level,
free in sign, starting from 0 in each period (:math:`e_{t^-}` is dropped in the first step of a
period) and without ``soc_limit``. Calendar days in a row represented by the same period form a
run :math:`j` (:math:`n_j` days of period :math:`p_j`); the level :math:`E_{r,s,y,j}`
(``level_start``, GWh) at the start of each run follows the calendar, cyclic over the year, and
bounds the level of the run's first and last day (:math:`i \in \{0, n_j - 1\}`; the level is
linear in between) through each period's highest and lowest intra-day level :math:`e^{max},
e^{min}` (``intra_max``, ``intra_min``, GWh):

.. math::

    E_{r,s,y,j+1} &= E_{r,s,y,j} + n_j\, e_{r,s,y,\mathrm{last}(p_j)}
        && \text{day\_link [GWh]} \\
    e^{min}_{r,s,y,p(t)} \le e_{r,s,y,t} &\le e^{max}_{r,s,y,p(t)}
        \quad (t \ne \mathrm{last}(p(t))) && \text{intra\_min\_bound, intra\_max\_bound [GWh]} \\
    0 \le E_{r,s,y,j} + i\, e_{r,s,y,\mathrm{last}(p_j)} + e^{min}_{r,s,y,p_j}, \quad
    E_{r,s,y,j} + i\, e_{r,s,y,\mathrm{last}(p_j)} + e^{max}_{r,s,y,p_j} &\le E_{r,s,y}
        && \text{day\_lower, day\_upper [GWh]}

Storage has no self-discharge, so the inter-day level carries no loss. Results: `storage_level`
is the absolute level (for linked storage, the intra-day level plus the mean start level of the
days the period represents); `storage_level_daily` the level at the start of each calendar day.

**Firm capacity** (reserve margin): the power block credits :math:`\kappa_s K_{r,s,y}`; storage
only takes the top off the peak while its energy lasts. :math:`E_{r,y}(P)`, the energy [GWh] that
takes :math:`P` GW off the hub's net peak recharging daily (convex; tabulated by the loader at
points :math:`(P_i, E_i) = (s_i, h_i) \hat L_{r,y}`: `storage_shave_hours` :math:`h_i` at shares
:math:`s_i` of the net peak :math:`\hat L_{r,y}`, `storage_net_peak`), bounds the hub's
storage firm capacity ``firm`` :math:`F_{r,y}` [GW] through its chords; the firm term
``firm_capacity`` :math:`F_{r,y} - \sum_s \kappa_s K_{r,s,y}` replaces the power block's credit:

.. math::

    F_{r,y} &\le \sum_{s \notin \mathcal{D}} \kappa_s K_{r,s,y} + \sum_{s \in \mathcal{D}}
        G_{r,s,y} && \text{firm\_credit\_limit [GW]} \\
    G_{r,s,y} &\le K_{r,s,y} && \text{credit\_power [GW]} \\
    h^c_s\, G_{r,s,y} &\le E_{r,s,y} && \text{credit\_energy [GWh]} \\
    E_{i-1} + \tfrac{E_i - E_{i-1}}{P_i - P_{i-1}} (F_{r,y} - P_{i-1}) &\le \sum_s E_{r,s,y}
        && \text{firm\_energy [GWh]}

Storage :math:`s \in \mathcal{D}` has a duration :math:`h^c_s` that earns the full credit
(`full_credit_hours`): its credit ``credit`` :math:`G_{r,s,y}` [GW] is
:math:`\min(K, E / h^c_s)`, the rule "min(1, duration / 4 h)" behind the dataset's fixed credits,
applied to the energy the model builds rather than to the duration of today's fleet. Other storage
keeps its fixed :math:`\kappa_s`. Without a peak-shaving curve there are no ``firm_energy`` rows.

Balance term: injection :math:`\sum_s (d_{r,s,y,t} - c_{r,s,y,t})` (``net_discharge``).
Annual cost [MUSD/yr]: ``storage_energy`` :math:`\sum_{r,s} \sum_{y' \le y} c^{E}_{s,y'} M_{r,s,y'}`.
"""

from __future__ import annotations

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

INPUTS = (
    InputVar("capex_energy", ("tech", "year"), "MUSD/GWh", "investment per GWh of storage energy"),
    InputVar("storage_energy_existing", ("region", "tech"), "GWh",
             "storage energy capacity in the base year"),
    InputVar("efficiency", ("tech",), "1", "round-trip efficiency"),
    InputVar("duration", ("tech",), "h", "energy per unit of power of new storage"),
    InputVar("inter_day", ("tech",), "1", "1: storage level linked across days (absent: 0)",
             optional=True),
    InputVar("storage_shave_hours", ("region", "shave_point"), "h",
             "storage energy per GW of net peak that takes the shave_point share of the net "
             "peak off it (the peak-shaving curve; absent: storage counts its capacity credit)",
             optional=True),
    InputVar("full_credit_hours", ("tech",), "h",
             "storage duration that earns the full capacity credit (0 or absent: the fixed "
             "capacity_credit)", optional=True),
    InputVar("storage_net_peak", ("region", "year"), "GW",
             "peak of the hub's net load (load less its base-year wind and solar output)",
             optional=True),
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
        # 1: level linked across days (representative days); absent: every storage cycles daily
        "inter_day": (ds.inter_day.values.astype(float) if "inter_day" in ds
                      else np.zeros(ds.sizes["tech"])),
        "shave_hours": (ds.storage_shave_hours.transpose("region", "shave_point").values
                        if "storage_shave_hours" in ds else None),
        "shave_shares": (ds.shave_point.values.astype(float) if "storage_shave_hours" in ds
                         else None),
        "net_peak": (ds.storage_net_peak.transpose("region", "year").values
                     if "storage_shave_hours" in ds else None),
        "full_credit_hours": (ds.full_credit_hours.values.astype(float)
                              if "full_credit_hours" in ds else np.zeros(ds.sizes["tech"])),
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
    # Linked across days: the intra-day level (free in sign, from 0 in each period).
    linked = ({(r, s) for r, s in pairs if a["inter_day"][ki[s]] > 0} if links_days(d)
              else set())
    b.soc = pyo.Var(b.RS, m.Y, m.T, within=lambda b, r, s, y, t: (
        pyo.Reals if (r, s) in linked else pyo.NonNegativeReals))

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
                                 pyo.Constraint.Skip if (r, s) in linked else
                                 b.soc[r, s, y, t] <= b.energy_capacity[r, s, y])
    one_way = {s: float(a["efficiency"][ki[s]]) ** 0.5 for s in d.storage_techs}
    prev = d.previous_step
    hours = a["step_hours"]

    starts = period_start_steps(d)

    def state_of_charge(b, r, s, y, t):
        eta, h = one_way[s], float(hours[t])
        before = 0 if (r, s) in linked and t in starts else b.soc[r, s, y, prev[t]]
        return (b.soc[r, s, y, t] == before + eta * h * b.charge[r, s, y, t]
                - h / eta * b.discharge[r, s, y, t])

    b.state_of_charge = pyo.Constraint(b.RS, m.Y, m.T, rule=state_of_charge)
    if linked:
        add_day_linking(b, m, d, [k for k in pairs if k in linked],
                        level=lambda k, y, t: b.soc[(*k, y, t)],
                        room=lambda k, y: b.energy_capacity[(*k, y)])

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

    # Firm capacity: the power block credits kappa_s K. Storage only adds firm capacity while its
    # energy can take that much off the peak (the peak left grows longer than it lasts), so its
    # firm capacity F is bounded by the chords of the convex energy-to-shave curve E(P), and its
    # term replaces the power block's credit by F (F <= kappa K keeps each GW within its credit).
    # Storage with a full-credit duration counts min(K, E / h): the credit rule applied to the
    # energy the model builds, not to the duration of today's fleet.
    hours, shares, net_peak = a["shave_hours"], a["shave_shares"], a["net_peak"]
    credit, full_h = a["capacity_credit"], a["full_credit_hours"]
    by_energy = {s for s in d.storage_techs if full_h[ki[s]] > 0}
    firm_techs = {r: [s for rr, s in pairs if rr == r and (credit[ki[s]] > 0 or s in by_energy)]
                  for r in d.regions}
    hubs = ([r for r in d.regions if firm_techs[r]] if hours is not None or by_energy else [])
    b.RF = pyo.Set(initialize=hubs, ordered=True)
    n_seg = 0 if hours is None else len(shares) - 1
    b.SEG = pyo.Set(initialize=range(1, n_seg + 1), ordered=True)   # chords 1..n
    b.firm = pyo.Var(b.RF, m.Y, within=pyo.NonNegativeReals, bounds=lambda b, r, y: (
        0, None if hours is None else float(shares[-1] * net_peak[ri[r], yi[y]])))
    b.RSC = pyo.Set(initialize=[(r, s) for r in hubs for s in firm_techs[r] if s in by_energy],
                    dimen=2, ordered=True)
    b.credit = pyo.Var(b.RSC, m.Y, within=pyo.NonNegativeReals)
    b.credit_power = pyo.Constraint(b.RSC, m.Y, rule=lambda b, r, s, y: (
        b.credit[r, s, y] <= cap[r, s, y]))
    b.credit_energy = pyo.Constraint(b.RSC, m.Y, rule=lambda b, r, s, y: (
        float(full_h[ki[s]]) * b.credit[r, s, y] <= b.energy_capacity[r, s, y]))
    b.firm_credit_limit = pyo.Constraint(b.RF, m.Y, rule=lambda b, r, y: (
        b.firm[r, y] <= sum(b.credit[r, s, y] if s in by_energy
                            else float(credit[ki[s]]) * cap[r, s, y] for s in firm_techs[r])))

    def firm_energy(b, r, y, i):
        # chord i of E(P) = peak x h(P / peak): slope in hours, the same for every year and
        # demand (only the right-hand side scales with the year's net peak)
        s0, s1 = float(shares[i - 1]), float(shares[i])
        h0, h1 = float(hours[ri[r], i - 1]), float(hours[ri[r], i])
        slope = (h1 - h0) / (s1 - s0)                                                  # h
        return (slope * b.firm[r, y] - sum(b.energy_capacity[r, s, y] for s in firm_techs[r])
                <= float((slope * s0 - h0) * net_peak[ri[r], yi[y]]))

    b.firm_energy = pyo.Constraint(b.RF, m.Y, b.SEG, rule=firm_energy)
    b.firm_capacity = pyo.Expression(m.R, m.Y, rule=lambda b, r, y: (
        b.firm[r, y] - sum(float(credit[ki[s]]) * cap[r, s, y] for s in firm_techs[r])
        if r in hubs else 0))
    m.terms.firm_capacity.append("storage.firm_capacity")


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
    level = values(s.soc, (R, S, Y, T))
    linked = np.zeros((len(R), len(S), len(Y)), dtype=bool)
    start = np.zeros((len(R), len(S), len(Y), len(d.day_period)))
    if hasattr(s, "level_start"):
        runs = values(s.level_start, (R, S, Y, list(s.RUN)))
        start = start_levels_by_day(d, runs, level)
        for r, st in s.LINKED:
            linked[R.index(r), S.index(st), :] = True
    ds["storage_level"] = da(absolute_levels(d, level, linked, start), rsyt, coords, "GWh",
                             "energy stored at the end of the step (storage linked across days: "
                             "intra-day level plus the mean start level of the days the period "
                             "represents)")
    ds["storage_level_daily"] = da(
        daily_start_levels(d, level, linked, start), ("region", "storage_tech", "year", "day"),
        {**coords, "day": range(len(d.day_period))}, "GWh",
        "energy stored at the start of each calendar day of the profiles (linked across days: "
        "the inter-day level; otherwise the level its period starts from)")
    ds["storage_inter_day"] = da(
        np.array([float(links_days(d) and d.part("storage")["inter_day"][d.techs.index(st)] > 0)
                  for st in S]),
        ("storage_tech",), coords, "1", "1: the storage's level is linked across days (inter_day, with "
        "representative days); 0: it cycles within each period")


MODULE = ModelModule(
    name="storage", add=add_storage, prepare=prepare_storage, results=storage_results,
    inputs=INPUTS, requires=("power",),
    limits=(Limit("storage.firm_energy", "at_most", ("region", "year", "segment"), "GWh",
                  "USD/kWh/year", "the hub's storage energy bounds the firm capacity its storage "
                  "adds (the energy to take F GW off the net peak, by the chords of the "
                  "peak-shaving curve; rows as written: slope x F - storage energy <= slope x "
                  "P_i - E_i); the shadow price is what one more GWh of storage energy is "
                  "worth to the reserve margin", over=("segment",)),
            Limit("storage.credit_energy", "at_most", ("region", "tech", "year"), "GWh",
                  "USD/kWh/year", "a GW of storage counts for the reserve margin only as far as "
                  "its energy lasts full_credit_hours (rows as written: full_credit_hours x "
                  "credit - storage energy <= 0); the shadow price is what one more GWh of "
                  "storage energy is worth to the margin through the credit",
                  parameters=("full_credit_hours",)),),
    builds=(Build("storage_energy_capacity", "energy_capacity"),),
)
