r"""Thermal block: linearised unit commitment of coal and gas, and heat-led CHP must-run.

Committable technologies :math:`g \in C` are those with a minimum stable load :math:`\beta_g > 0`
(coal, gas). Their capacity is treated as a fleet of many small units whose on/off state is relaxed
to a continuous committed capacity (PyPSA's linearised unit commitment, GenX's relaxed clustered
commitment): the block reads the power block's capacity :math:`K_{r,g,y}` and output
:math:`p_{r,g,y,t}` and adds limits to them; it never edits the power block's constraints.

**Sets**: :math:`(r, g) \in RC` the pairs of the power block's :math:`G_r` with :math:`\beta_g > 0`
(``RC``); :math:`(r, g) \in RM` those with a heat-led must-run floor (``RM``); :math:`t^-` the step
before :math:`t` (cyclic within each representative day, or over the whole year for the full year).

**Variables** (all non-negative)

=================================  ===================  ======================================
symbol                             attribute            meaning [unit]
=================================  ===================  ======================================
:math:`U_{r,g,y,t}`                ``committed``        committed (online) capacity [GW]
:math:`S_{r,g,y,t}`                ``start_up``         capacity started up in step t [GW]
=================================  ===================  ======================================

Shut-downs are not a variable of their own: :math:`SD_{r,g,y,t} = U_{r,g,y,t^-} - U_{r,g,y,t} +
S_{r,g,y,t} \ge 0` (``start_up_definition`` makes it non-negative).

**Parameters**: :math:`a_g` availability and :math:`K^0_{r,g}` existing capacity (power block),
:math:`\beta_g` minimum stable load (input *min_stable_load*) [1], :math:`\rho_g` ramp limit (input
*ramp_limit*) [1/h], :math:`c^{SU}_g` start-up cost (input *start_up_cost*) [MUSD/GW],
:math:`\Delta_t` the step's length [h], :math:`w_t` hours of the year the step stands for (so
:math:`w_t/\Delta_t` is the number of days its period stands for), :math:`\bar\rho_{g,t} = \rho_g
\Delta_t`, :math:`\hat\rho_{g,t} = \min(1, \max(\beta_g, \bar\rho_{g,t}))` the most a unit starting
(or stopping) in the step can reach (or leave from), :math:`\phi_{r,g,t} = s_{r,t}\, \chi\,
\kappa_{r,g}` the must-run share, with :math:`s_{r,t}` the share of the days step t's period stands
for that lie in the hub's heating season (input *chp_must_run_share*), :math:`\chi` the share of CHP
capacity that must run for heat (input *chp_output*) and :math:`\kappa_{r,g}` the share of the hub's
coal (input *chp_share*) or gas (input *chp_share_gas*) capacity that is CHP.

**Constraints**

.. math::

    U_{r,g,y,t} &\le a_g K_{r,g,y} && \text{commit\_limit [GW]} \\
    p_{r,g,y,t} &\le U_{r,g,y,t} && \text{output\_max [GW]} \\
    p_{r,g,y,t} &\ge \beta_g U_{r,g,y,t} && \text{output\_min [GW]} \\
    S_{r,g,y,t} &\ge U_{r,g,y,t} - U_{r,g,y,t^-} && \text{start\_up\_definition [GW]} \\
    p_{r,g,y,t} - p_{r,g,y,t^-} &\le \bar\rho_{g,t} (U_{r,g,y,t} - S_{r,g,y,t})
        + \hat\rho_{g,t} S_{r,g,y,t} - \beta_g SD_{r,g,y,t}
        && \text{ramp\_up [GW], where } \bar\rho_{g,t} < 1 \\
    p_{r,g,y,t^-} - p_{r,g,y,t} &\le \bar\rho_{g,t} (U_{r,g,y,t} - S_{r,g,y,t})
        - \beta_g S_{r,g,y,t} + \hat\rho_{g,t} SD_{r,g,y,t}
        && \text{ramp\_down [GW], where } \bar\rho_{g,t} < 1 \\
    p_{r,g,y,t} &\ge \phi_{r,g,t}\, a_g K^0_{r,g}
        && \text{must\_run [GW], where } \phi_{r,g,t} > 0

The ramp limits are GenX's for clustered units: the capacity online in both steps
(:math:`U_t - S_t = U_{t^-} - SD_t`) changes its output by at most :math:`\bar\rho` per GW; capacity
starting up produces at most :math:`\hat\rho` per GW in its first step, capacity shutting down
produced at least :math:`\beta_g` (and at most :math:`\hat\rho`) per GW in its last. Since
:math:`p \le U \le a K`, the must-run floor also keeps that much capacity committed, and the power
block's availability row :math:`p \le a K` is implied: it is left out for these pairs
(caps_output).

The must-run floor is a share of the *existing* capacity :math:`K^0_{r,g}` (the power block's
parameter), not of the capacity in service :math:`K_{r,g,y}`: the heat load does not go away when a
plant retires, and a floor on :math:`K_{r,g,y}` would let the model escape it by retiring CHP
plants (the dataset has no heat boilers to take over). It therefore also keeps at least
:math:`\max_t \phi_{r,g,t}\, K^0_{r,g}` of the existing capacity in service; new coal and gas
are taken to be condensing plants, with no floor.

Annual cost [MUSD/yr]: ``start_up`` :math:`\sum_{r,g,t} (w_t/\Delta_t)\, c^{SU}_g S_{r,g,y,t}`
(expression ``cost_start_up``; each step's start-ups happen once on each day its period stands for).
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import xarray as xr

from synergy_models.model.data import ModelData
from synergy_models.model.module import InputVar, Limit, ModelModule, ResultsContext, da, values

#: The region parameter giving each technology's CHP share of capacity (heat-led must-run).
CHP_SHARE_OF = {"coal": "chp_share", "gas": "chp_share_gas"}

INPUTS = (
    InputVar("min_stable_load", ("tech",), "1",
             "least output of committed capacity as a share of it (0: not committed)"),
    InputVar("start_up_cost", ("tech",), "MUSD/GW", "cost of starting up a unit of capacity"),
    InputVar("ramp_limit", ("tech",), "1/h",
             "most change of output per hour as a share of committed capacity"),
    InputVar("chp_share", ("region",), "1", "share of coal capacity that is CHP", optional=True),
    InputVar("chp_share_gas", ("region",), "1", "share of gas capacity that is CHP",
             optional=True),
    InputVar("chp_output", (), "1", "share of CHP capacity that must run for heat",
             optional=True),
    InputVar("chp_must_run_share", ("region", "time"), "1",
             "share of the days each step stands for in the hub's heating season", optional=True),
)


def prepare_thermal(ds: xr.Dataset, d: ModelData) -> dict:
    """Coefficients of the thermal block: committable pairs, ramp rates per step, must-run shares."""
    msl = ds.min_stable_load.sel(tech=d.techs).values.astype(float)
    ramp = ds.ramp_limit.sel(tech=d.techs).values.astype(float)
    ki = d.index("techs")
    pairs = d.region_tech
    committable = [(r, g) for r, g in pairs if g in d.gen_techs and msl[ki[g]] > 0]
    hours = d.arrays["step_hours"]
    # Ramp per step as a share of capacity (tech, time), and the most a starting unit reaches.
    ramp_step = ramp[:, None] * hours[None, :]
    ramp_start = np.minimum(1.0, np.maximum(msl[:, None], ramp_step))
    # Must-run share of capacity (region, tech, time): heating season x CHP output x CHP share.
    floor = np.zeros((len(d.regions), len(d.techs), len(d.steps)))
    if "chp_must_run_share" in ds and "chp_output" in ds:
        season = ds.chp_must_run_share.sel(region=d.regions).transpose("region", "time").values
        for tech, var in CHP_SHARE_OF.items():
            if tech in d.techs and var in ds:
                share = ds[var].sel(region=d.regions).values.astype(float)
                floor[:, ki[tech], :] = season * float(ds.chp_output) * share[:, None]
    existing = d.parts["power"]["capacity_existing"]
    must_run = [(r, g) for r, g in pairs if g in d.gen_techs
                and floor[d.regions.index(r), ki[g]].max() * existing[d.regions.index(r), ki[g]] > 0]
    return {
        "min_stable_load": msl,
        "ramp_step": ramp_step,
        "ramp_start": ramp_start,
        "start_up_cost": ds.start_up_cost.sel(tech=d.techs).values.astype(float),   # MUSD/GW
        # start-ups per year per GW started in a step: days the step's period stands for
        "days": d.arrays["weight"] / hours,
        "must_run_share": floor,
        "committable": committable,
        "must_run": must_run,
        # p <= U <= a K: the power block's availability row of these pairs is implied
        "caps_output": committable,
    }


def add_thermal(m: pyo.ConcreteModel, d: ModelData) -> None:
    b = m.thermal = pyo.Block()
    a = d.view("thermal", "power")
    ri, ki = d.index("regions"), d.index("techs")
    b.RC = pyo.Set(initialize=a["committable"], dimen=2, ordered=True)
    b.RM = pyo.Set(initialize=a["must_run"], dimen=2, ordered=True)
    cap, gen = m.power.capacity, m.power.generation
    avail, msl = a["availability"], a["min_stable_load"]
    ramp, start = a["ramp_step"], a["ramp_start"]
    prev = d.previous_step

    b.committed = pyo.Var(b.RC, m.Y, m.T, within=pyo.NonNegativeReals)
    b.start_up = pyo.Var(b.RC, m.Y, m.T, within=pyo.NonNegativeReals)
    U, S = b.committed, b.start_up

    b.commit_limit = pyo.Constraint(b.RC, m.Y, m.T, rule=lambda b, r, g, y, t:
                                    U[r, g, y, t] <= float(avail[ki[g]]) * cap[r, g, y])
    b.output_max = pyo.Constraint(b.RC, m.Y, m.T, rule=lambda b, r, g, y, t:
                                  gen[r, g, y, t] <= U[r, g, y, t])
    b.output_min = pyo.Constraint(b.RC, m.Y, m.T, rule=lambda b, r, g, y, t:
                                  gen[r, g, y, t] >= float(msl[ki[g]]) * U[r, g, y, t])
    b.start_up_definition = pyo.Constraint(b.RC, m.Y, m.T, rule=lambda b, r, g, y, t:
                                           S[r, g, y, t] >= U[r, g, y, t] - U[r, g, y, prev[t]])

    def shut_down(r, g, y, t):
        return U[r, g, y, prev[t]] - U[r, g, y, t] + S[r, g, y, t]

    def ramp_up(b, r, g, y, t):
        rate = float(ramp[ki[g], t])
        if rate >= 1 or prev[t] == t:
            return pyo.Constraint.Skip
        return (gen[r, g, y, t] - gen[r, g, y, prev[t]]
                <= rate * (U[r, g, y, t] - S[r, g, y, t]) + float(start[ki[g], t]) * S[r, g, y, t]
                - float(msl[ki[g]]) * shut_down(r, g, y, t))

    def ramp_down(b, r, g, y, t):
        rate = float(ramp[ki[g], t])
        if rate >= 1 or prev[t] == t:
            return pyo.Constraint.Skip
        return (gen[r, g, y, prev[t]] - gen[r, g, y, t]
                <= rate * (U[r, g, y, t] - S[r, g, y, t]) - float(msl[ki[g]]) * S[r, g, y, t]
                + float(start[ki[g], t]) * shut_down(r, g, y, t))

    b.ramp_up = pyo.Constraint(b.RC, m.Y, m.T, rule=ramp_up)
    b.ramp_down = pyo.Constraint(b.RC, m.Y, m.T, rule=ramp_down)

    floor, existing = a["must_run_share"], a["capacity_existing"]

    def must_run(b, r, g, y, t):
        share = float(floor[ri[r], ki[g], t])
        if share <= 0:
            return pyo.Constraint.Skip
        return gen[r, g, y, t] >= share * float(avail[ki[g]] * existing[ri[r], ki[g]])

    b.must_run = pyo.Constraint(b.RM, m.Y, m.T, rule=must_run)

    cost, days = a["start_up_cost"], a["days"]
    b.cost_start_up = pyo.Expression(m.Y, rule=lambda b, y: sum(
        float(days[t] * cost[ki[g]]) * S[r, g, y, t]
        for r, g in a["committable"] if cost[ki[g]] > 0 for t in d.steps))
    m.terms.cost("thermal.cost_start_up")


def thermal_results(ctx: ResultsContext) -> None:
    """Committed capacity, start-ups (hourly and per year), their cost, the must-run floor."""
    m, ds = ctx.model, ctx.ds
    d, b = m.data, m.thermal
    a = d.view("thermal", "power")
    R, G, Y, T = d.regions, d.gen_techs, d.years, d.steps
    coords = {"region": R, "gen_tech": G, "year": Y, "time": T}
    rgyt = ("region", "gen_tech", "year", "time")
    ds["committed"] = da(values(b.committed, (R, G, Y, T)), rgyt, coords, "GW",
                         "committed (online) capacity of coal and gas (0: not committed)")
    starts = values(b.start_up, (R, G, Y, T))
    ds["start_ups"] = da(starts, rgyt, coords, "GW", "capacity started up in the step")
    days = xr.DataArray(a["days"], dims="time", coords={"time": T})
    ds["start_ups_annual"] = (ds.start_ups * days).sum("time").assign_attrs(
        units="GW/year", long_name="capacity started up per year (each start counted once)")
    gi = [d.techs.index(g) for g in G]
    cost = xr.DataArray(a["start_up_cost"][gi], dims="gen_tech", coords={"gen_tech": G})
    ds["start_up_cost_annual"] = (ds.start_ups_annual * cost).assign_attrs(
        units="MUSD/year", long_name="start-up cost")
    floor = (a["must_run_share"][:, gi, None, :] * a["availability"][gi][None, :, None, None]
             * a["capacity_existing"][:, gi, None, None] * np.ones((1, 1, len(Y), 1)))
    ds["must_run_floor"] = da(floor, rgyt, coords, "GW",
                              "least output of heat-led CHP (heating season, must-run)")


MODULE = ModelModule(
    name="thermal", add=add_thermal, prepare=prepare_thermal, results=thermal_results,
    inputs=INPUTS, active=lambda inputs: "min_stable_load" in inputs, requires=("power",),
    limits=(
        Limit("thermal.must_run", "at_least", ("region", "tech", "year", "time"), "GW",
              "USD/kW/year", "heat-led CHP must run: output at least chp_output x the CHP share "
              "of existing capacity in heating-season steps (shadow price: lowering it in every "
              "step)", over=("time",), parameters=("chp_output", "chp_share", "chp_share_gas")),
    ),
)
