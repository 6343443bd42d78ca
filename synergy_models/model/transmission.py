r"""Transmission block: flows on the hub-to-hub corridors, their losses and expansion.

Lines with an external end carry fixed schedules (see :mod:`synergy_models.model.policy`'s
``policy.scheduled_export`` withdrawal); the lines here join two hubs and are decided by the model.

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

    C_{l,y} &= C^0_{l,y} + \sum_{y' < y} B_{l,y'} + \phi_y B_{l,y}
        && \text{capacity\_definition [GW]} \\
    \sum_y B_{l,y} &\le \bar B_l && \text{build\_limit [GW], where finite} \\
    F^+_{l,y,t} &\le C_{l,y}, \quad F^-_{l,y,t} \le C_{l,y}
        && \text{forward\_limit, backward\_limit [GW]} \\
    \sum_t w_t (F^+_{l,y,t} - F^-_{l,y,t}) &\ge Q_l
        && \text{contracted\_energy [GWh], where } Q_l > 0 \\
    \sum_t w_t (F^+_{l,y,t} - F^-_{l,y,t}) &\le (1+\eta) Q_l
        + \big(\textstyle\sum_t w_t\big) (C_{l,y} - C^0_{l,y})
        && \text{contract\_ceiling [GWh], where } Q_l > 0,\ \eta < \infty \\
    F^+_{l,y,t} - F^-_{l,y,t} &\ge \sigma_l Q_l \Big/ \textstyle\sum_t w_t
        && \text{schedule\_floor [GW], where } Q_l > 0,\ \sigma_l > 0 \\
    N_{r,y} &\le (1+\eta) S_r + \big(\textstyle\sum_t w_t\big) \textstyle\sum_{l \ni r}
        (C_{l,y} - C^0_{l,y})
        && \text{send\_out\_ceiling [GWh], where } S_r < \infty,\ \eta < \infty \\
    -N_{r,y} &\le (1+\eta) R_r + \big(\textstyle\sum_t w_t\big) \textstyle\sum_{l \ni r}
        (C_{l,y} - C^0_{l,y})
        && \text{receipt\_ceiling [GWh], where } R_r < \infty,\ \eta < \infty \\
    N^{out}_{r,y} &\le (1+\eta) S^g_r + \big(\textstyle\sum_t w_t\big) \textstyle\sum_{l \ni r}
        (C_{l,y} - C^0_{l,y})
        && \text{gross\_send\_out\_ceiling [GWh], where } S^g_r < \infty,\ \eta < \infty \\
    N^{in}_{r,y} &\le (1+\eta) R^g_r + \big(\textstyle\sum_t w_t\big) \textstyle\sum_{l \ni r}
        (C_{l,y} - C^0_{l,y})
        && \text{gross\_receipt\_ceiling [GWh], where } R^g_r < \infty,\ \eta < \infty

:math:`B_{l,y} = 0` where no year of the period is at or after the base year plus the lines' lead
time :math:`\ell^L` (``line_lead_time``: a UHV line not in the data as existing or planned takes
years to approve and build); :math:`\phi_y = (e_y+1)/(2\omega_y)` is the average in-service share
of the period's builds (as in the power block). :math:`Q_l` (``line_contracted_energy``, GWh/yr)
is the annual energy a dedicated line sends under its long-term contracts (reported send-out
volumes). The existing capacity of such a line sends at most :math:`(1+\eta) Q_l` a year
(:math:`\eta`, ``line_contract_headroom``): inter-provincial trade beyond the long-term contracts
is small in China (the receiving provinces' plans protect their own plants' hours, and the sending
provinces balance their own load first), and the dataset's external schedules are derived on the
premise that each dedicated line carries its contract. Capacity built on the line by the model is
not bound by the old contract: its energy (up to its full hours) comes on top. In every step
the line sends at least :math:`\sigma_l` (``line_schedule_floor``) times the contract's mean
power: 1 is a flat schedule, as UHV lines run to day-ahead curves fixed in their contracts rather
than to the sending hub's wind and solar (0 for lines that follow hydro's seasons).

A region's whole trade can be bound the same way where a published annual send-out (or receipt)
exists but no split by line: :math:`N_{r,y} = \sum_t w_t \big(\sum_{l: from(l)=r} (F^+_{l,y,t} -
F^-_{l,y,t}) - \sum_{l: to(l)=r} (F^+_{l,y,t} - F^-_{l,y,t})\big)` is its net send-out over the
lines between regions (sending-end flows; fixed schedules to external regions not counted).
:math:`S_r` (``send_out_limit``) and :math:`R_r` (``receipt_limit``), GWh/yr, are the published
gross send-out and receipt of the region's inter-provincial trade, which bound the net figures
from above; the existing network carries at most :math:`(1+\eta)` times them (the same headroom
as a dedicated line's contract: trade under annual government-to-government contracts and
generation plans, with a small remainder), and capacity the model builds on the region's lines
(:math:`l \ni r`: either end) may add its full hours. An infinite limit is none, and
aggregated regions sum their members' (a member without one leaves the region unbound).

Where the published figures are the gross sums themselves (a trading centre's purchases and
sales), :math:`S^g_r` (``gross_send_out_limit``) and :math:`R^g_r` (``gross_receipt_limit``)
bound :math:`N^{out}_{r,y} = \sum_t w_t \big(\sum_{l: from(l)=r} F^+_{l,y,t} + \sum_{l: to(l)=r}
F^-_{l,y,t}\big)`, everything the region sends over its lines, and :math:`N^{in}_{r,y} = \sum_t
w_t \big(\sum_{l: to(l)=r} F^+_{l,y,t} + \sum_{l: from(l)=r} F^-_{l,y,t}\big)`, everything it
takes in (sending-end flows, as the net figures). Flows are split by direction, so both sums are
linear. They bound the net figures too (:math:`N \le N^{out}`, :math:`-N \le N^{in}`), and they
bound power passing through the region (counted in both) though a province's published trade
leaves transit out: only the headroom is left for it. Aggregated regions sum their members'
(trade between members is then counted in the bound but not in the sums: a looser bound).

Balance term (injection ``net_import`` of hub :math:`r`):

.. math::

    \sum_{l: to(l)=r} \big((1-\lambda_l) F^+_{l,y,t} - F^-_{l,y,t}\big)
    + \sum_{l: from(l)=r} \big((1-\lambda_l) F^-_{l,y,t} - F^+_{l,y,t}\big)

Losses make flowing both ways at once a loss, so the optimum never does it. Annual costs
[MUSD/yr]: ``transmission`` :math:`\sum_l \big(\sum_{y' < y} c^L_l B_{l,y'} + \phi_y c^L_l
B_{l,y}\big)` and ``tariff`` :math:`\sum_{l,t} w_t \theta_l (F^+_{l,y,t} + F^-_{l,y,t})`, with
:math:`\theta_l` the line's transmission tariff per unit sent (``line_tariff``, MUSD/GWh).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
from synergy_models.model.power import build_years_and_share

INPUTS = (
    InputVar("line_capacity_existing", ("line", "year"), "GW", "capacity in service by year"),
    InputVar("line_loss", ("line",), "1", "share of sent power lost"),
    InputVar("line_max_new", ("line",), "GW", "build limit", optional=True),
    InputVar("line_capex", ("line",), "MUSD/GW", "investment per GW"),
    InputVar("line_lifetime", (), "year", "economic lifetime of lines"),
    InputVar("line_fom_share", (), "1/year", "fixed O&M of lines as a share of capex"),
    InputVar("line_external", ("line",), "", "whether a line has an end outside the hubs",
             role="metadata"),
    InputVar("line_lead_time", (), "year", "years from the base year to the first year new "
             "line capacity can be in service", optional=True),
    InputVar("line_contracted_energy", ("line",), "GWh",
             "least annual energy sent from -> to (contracted schedule)", optional=True),
    InputVar("line_tariff", ("line",), "MUSD/GWh", "transmission tariff per unit sent",
             optional=True),
    InputVar("line_schedule_floor", ("line",), "1", "least power a contracted line sends in any "
             "step, as a share of its contract's mean power", optional=True),
    InputVar("line_contract_headroom", (), "1", "most energy the existing capacity of a "
             "contracted line sends above its contract, as a share of it (inf: none)",
             optional=True),
    InputVar("send_out_limit", ("region",), "GWh", "published annual send-out of the region's "
             "inter-regional trade, bounding its net send-out (inf: none)", optional=True),
    InputVar("receipt_limit", ("region",), "GWh", "published annual receipt of the region's "
             "inter-regional trade, bounding its net receipt (inf: none)", optional=True),
    InputVar("gross_send_out_limit", ("region",), "GWh", "published annual gross send-out of "
             "the region, bounding the sum of its outflows (inf: none)", optional=True),
    InputVar("gross_receipt_limit", ("region",), "GWh", "published annual gross receipt of the "
             "region, bounding the sum of its inflows (inf: none)", optional=True),
)


def prepare_transmission(ds: xr.Dataset, d: ModelData) -> dict:
    """Coefficients of the hub-to-hub lines (lines with an external end are the policy block's
    fixed schedules)."""
    internal = ds.sel(line=d.lines)
    crf = capital_recovery_factor(d.scalars["discount_rate"], float(ds.line_lifetime))
    n = len(d.lines)
    lead = float(ds.line_lead_time) if "line_lead_time" in ds else 1.0
    build_years, in_service = build_years_and_share(
        d.years, d.arrays["year_weight"], d.options.base_year, np.array([lead]))

    def per_line(name: str, default: float) -> np.ndarray:
        return (internal[name].fillna(default).values.astype(float) if name in internal
                else np.full(n, default))

    def per_region(name: str) -> np.ndarray:
        return (ds[name].sel(region=d.regions).fillna(np.inf).values.astype(float)
                if name in ds else np.full(len(d.regions), np.inf))

    return {
        "line_build_years": build_years[0],                                   # (year,)
        "line_in_service_share": in_service[0],                               # (year,)
        "line_contracted_energy": per_line("line_contracted_energy", 0.0),    # GWh/yr
        "line_tariff": per_line("line_tariff", 0.0),                          # MUSD/GWh
        "line_contract_headroom": (float(ds.line_contract_headroom)
                                   if "line_contract_headroom" in ds else np.inf),
        "line_schedule_floor": per_line("line_schedule_floor", 0.0),          # 1
        "send_out_limit": per_region("send_out_limit"),                       # GWh/yr (region,)
        "receipt_limit": per_region("receipt_limit"),                         # GWh/yr (region,)
        "gross_send_out_limit": per_region("gross_send_out_limit"),           # GWh/yr (region,)
        "gross_receipt_limit": per_region("gross_receipt_limit"),             # GWh/yr (region,)
        "line_capacity_existing": internal.line_capacity_existing.transpose("line", "year").values,
        "line_loss": internal.line_loss.values,
        "line_max_new": (internal.line_max_new.values if "line_max_new" in internal
                         else np.full(len(d.lines), np.inf)),
        "line_annual_cost": internal.line_capex.values * (crf + float(ds.line_fom_share)),
    }


def net_inflow(d: ModelData) -> Callable[..., Any]:
    """``inflow(forward, backward, r, *index)``: what hub ``r`` receives over the hub-to-hub lines
    less what it sends, for variables indexed ``[line, *index]`` sent from -> to (``forward``) and
    to -> from (``backward``); what a line sends arrives less its losses :math:`\\lambda_l`. The
    hourly balance's ``net_import`` and the network reserve margin's firm imports."""
    loss = d.part("transmission")["line_loss"]
    keep = {ln: 1.0 - float(loss[i]) for i, ln in enumerate(d.lines)}
    into = {r: [ln for ln in d.lines if d.line_to[ln] == r] for r in d.regions}
    out_of = {r: [ln for ln in d.lines if d.line_from[ln] == r] for r in d.regions}

    def inflow(forward: Any, backward: Any, r: str, *index: Any) -> Any:
        return (sum(keep[ln] * forward[ln, *index] - backward[ln, *index] for ln in into[r])
                + sum(keep[ln] * backward[ln, *index] - forward[ln, *index] for ln in out_of[r]))

    return inflow


def add_transmission(m: pyo.ConcreteModel, d: ModelData) -> None:
    b = m.transmission = pyo.Block()
    a = d.view("transmission")
    li, yi = d.index("lines"), d.index("years")
    years = d.years
    b.L = pyo.Set(initialize=d.lines, ordered=True)
    b.capacity = pyo.Var(b.L, m.Y, within=pyo.NonNegativeReals)
    limit = a["line_max_new"]
    can_build = a["line_build_years"] > 0          # no new line in service before its lead time
    share = a["line_in_service_share"]
    b.new = pyo.Var(b.L, m.Y, within=pyo.NonNegativeReals, bounds=lambda b, ln, y: (
        0, 0.0 if not can_build[yi[y]] else None if np.isinf(limit[li[ln]])
        else float(limit[li[ln]])))
    b.build_limit = pyo.Constraint(b.L, rule=lambda b, ln: pyo.Constraint.Skip if (
        np.isinf(limit[li[ln]]) or len(years) == 1) else sum(b.new[ln, y] for y in years)
        <= float(limit[li[ln]]))
    b.flow_forward = pyo.Var(b.L, m.Y, m.T, within=pyo.NonNegativeReals)
    b.flow_backward = pyo.Var(b.L, m.Y, m.T, within=pyo.NonNegativeReals)
    existing = a["line_capacity_existing"]

    def new_in_service(ln: str, y: Any) -> Any:
        """Capacity built on the line that is in service in year ``y`` [GW]: earlier periods'
        builds and the share of the period's own."""
        return sum(b.new[ln, yy] for yy in years if yy < y) + float(share[yi[y]]) * b.new[ln, y]

    b.capacity_definition = pyo.Constraint(b.L, m.Y, rule=lambda b, ln, y: (
        b.capacity[ln, y] == float(existing[li[ln], yi[y]]) + new_in_service(ln, y)))
    b.forward_limit = pyo.Constraint(b.L, m.Y, m.T, rule=lambda b, ln, y, t:
                                     b.flow_forward[ln, y, t] <= b.capacity[ln, y])
    b.backward_limit = pyo.Constraint(b.L, m.Y, m.T, rule=lambda b, ln, y, t:
                                      b.flow_backward[ln, y, t] <= b.capacity[ln, y])

    inflow = net_inflow(d)
    b.net_import = pyo.Expression(m.R, m.Y, m.T, rule=lambda b, r, y, t: inflow(
        b.flow_forward, b.flow_backward, r, y, t))
    m.terms.inject("transmission.net_import", "trade")

    weight = d.arrays["weight"]

    def sent(ln: str, y: Any) -> Any:
        """The line's annual energy sent from -> to, net of any flow back [GWh, sending end]."""
        return sum(float(weight[t]) * (b.flow_forward[ln, y, t] - b.flow_backward[ln, y, t])
                   for t in d.steps)

    contracted = a["line_contracted_energy"]
    b.contracted = pyo.Set(initialize=[ln for ln in d.lines if contracted[li[ln]] > 0],
                           ordered=True)
    # Dedicated lines send at least their contracted annual energy, net of any flow back (else
    # sending both ways at once would meet a contract without moving energy). GWh, sent end.
    b.contracted_energy = pyo.Constraint(b.contracted, m.Y, rule=lambda b, ln, y: (
        sent(ln, y) >= float(contracted[li[ln]])))
    headroom = a["line_contract_headroom"]
    hours = float(sum(weight[t] for t in d.steps))
    # The contract binds the line's existing capacity only; what the model builds on it is free.
    # New capacity in service (C - C0) is written with the builds, so the row's bound is the
    # ceiling itself (the limits table reports it).
    b.contract_ceiling = pyo.Constraint(b.contracted, m.Y, rule=lambda b, ln, y: (
        pyo.Constraint.Skip if np.isinf(headroom)
        else sent(ln, y) - hours * new_in_service(ln, y)
        <= (1.0 + headroom) * float(contracted[li[ln]])))
    floor = a["line_schedule_floor"]
    # The contract is a schedule, not an energy account the line may send whenever it pays.
    b.schedule_floor = pyo.Constraint(b.contracted, m.Y, m.T, rule=lambda b, ln, y, t: (
        pyo.Constraint.Skip if floor[li[ln]] <= 0
        else b.flow_forward[ln, y, t] - b.flow_backward[ln, y, t]
        >= float(floor[li[ln]] * contracted[li[ln]]) / hours))
    add_trade_ceilings(b, m, d, a, sent, lambda ln, y: hours * new_in_service(ln, y))

    cost = a["line_annual_cost"]
    b.cost_transmission = pyo.Expression(m.Y, rule=lambda b, y: sum(
        float(cost[li[ln]] * (share[yi[y]] if yy == y else 1.0)) * b.new[ln, yy]
        for ln in d.lines for yy in years if yy <= y))
    m.terms.cost("transmission.cost_transmission")
    tariff = a["line_tariff"]
    b.cost_tariff = pyo.Expression(m.Y, rule=lambda b, y: sum(
        float(weight[t] * tariff[li[ln]]) * (b.flow_forward[ln, y, t] + b.flow_backward[ln, y, t])
        for ln in d.lines if tariff[li[ln]] > 0 for t in d.steps))
    m.terms.cost("transmission.cost_tariff")


#: The trade ceilings: (kind, (what the row bounds, the published figure), input). Each bounds
#: a region's energy of that kind over its existing lines (``<kind>_ceiling``, module docstring).
TRADE_CEILINGS = (
    ("send_out", ("a region's net send-out over its existing lines", "send-out"),
     "send_out_limit"),
    ("receipt", ("a region's net receipt over its existing lines", "receipt"), "receipt_limit"),
    ("gross_send_out", ("everything a region sends over its existing lines", "gross send-out"),
     "gross_send_out_limit"),
    ("gross_receipt", ("everything a region takes in over its existing lines", "gross receipt"),
     "gross_receipt_limit"),
)


def add_trade_ceilings(b: pyo.Block, m: pyo.ConcreteModel, d: ModelData, a: dict,
                       sent: Callable[[str, Any], Any],
                       new_energy: Callable[[str, Any], Any]) -> None:
    """``send_out_ceiling`` and ``receipt_ceiling`` (module docstring): a region's net send-out
    (receipt) over its lines is at most its published send-out (receipt) plus the headroom, plus
    the full hours of capacity the model adds to its lines; ``gross_send_out_ceiling`` and
    ``gross_receipt_ceiling`` bound the sums of its outflows (inflows) the same way.
    ``sent(line, year)``: the line's net annual energy sent from -> to [GWh];
    ``new_energy(line, year)``: what the capacity built on it may send in the year [GWh] (both as
    in the contract ceiling)."""
    headroom = a["line_contract_headroom"]
    if np.isinf(headroom):
        return
    ri = d.index("regions")
    touching = {r: [ln for ln in d.lines if r in (d.line_from[ln], d.line_to[ln])]
                for r in d.regions}

    def net_send_out(r: str, y: Any) -> Any:
        return sum((1.0 if d.line_from[ln] == r else -1.0) * sent(ln, y) for ln in touching[r])

    def added(r: str, y: Any) -> Any:
        """Energy the capacity built on the region's lines may send in the year [GWh]."""
        return sum(new_energy(ln, y) for ln in touching[r])

    def limited(name: str) -> list[str]:
        return [r for r in d.regions if np.isfinite(a[name][ri[r]]) and touching[r]]

    weight = d.arrays["weight"]

    def gross(r: str, y: Any, outward: bool) -> Any:
        """Everything region ``r`` sends (``outward``) or takes in over its lines in the year,
        each direction of each line on its own [GWh, sending end]."""
        return sum(float(weight[t]) * (b.flow_forward[ln, y, t]
                                       if (d.line_from[ln] == r) == outward
                                       else b.flow_backward[ln, y, t])
                   for ln in touching[r] for t in d.steps)

    energy = {"send_out": net_send_out,
              "receipt": lambda r, y: -net_send_out(r, y),
              "gross_send_out": lambda r, y: gross(r, y, True),
              "gross_receipt": lambda r, y: gross(r, y, False)}
    for kind, _, parameter in TRADE_CEILINGS:
        published, traded = a[parameter], energy[kind]
        regions = pyo.Set(initialize=limited(parameter), ordered=True)
        b.add_component(f"{kind}_regions", regions)
        b.add_component(f"{kind}_ceiling", pyo.Constraint(
            regions, m.Y, rule=lambda b, r, y, traded=traded, published=published: (
                traded(r, y) - added(r, y) <= (1.0 + headroom) * float(published[ri[r]]))))


def transmission_results(ctx: ResultsContext) -> None:
    """Flows (signed: from -> to positive), losses, line capacity."""
    m, ds = ctx.model, ctx.ds
    d, tr = m.data, m.transmission
    L, Y, T = d.lines, d.years, d.steps
    coords = {"line": L, "year": Y, "time": T}
    forward = values(tr.flow_forward, (L, Y, T))
    backward = values(tr.flow_backward, (L, Y, T))
    lyt = ("line", "year", "time")
    ds["flow"] = da(forward - backward, lyt, coords, "GW",
                    "power sent, positive from the line's 'from' hub to its 'to' hub")
    ds["line_losses"] = da(d.part("transmission")["line_loss"][:, None, None]
                           * (forward + backward), lyt, coords, "GW", "power lost on the line")
    ds["line_capacity"] = da(values(tr.capacity, (L, Y)), ("line", "year"), coords, "GW",
                             "line capacity in service")
    ds["line_capacity_new"] = da(values(tr.new, (L, Y)), ("line", "year"), coords, "GW",
                                 "line capacity built in the year")
    ds["line_from"] = xr.DataArray(np.array([d.line_from[ln] for ln in L], dtype=object),
                                   dims="line", coords={"line": L})
    ds["line_to"] = xr.DataArray(np.array([d.line_to[ln] for ln in L], dtype=object),
                                 dims="line", coords={"line": L})


def _transmission_limits() -> tuple:
    """The caps whose binding and shadow prices the results report (synergy_models.limits)."""
    return (
        Limit("transmission.new", "upper_bound", ("line", "year"), "GW", "USD/kW/year",
              "line capacity built in the year (line_max_new)", discount="in_service",
              name="transmission.build_rate", parameters=("line_max_new",)),
        Limit("transmission.build_limit", "at_most", ("line",), "GW", "USD/kW/year",
              "line capacity built over the horizon (line_max_new)", discount="horizon",
              parameters=("line_max_new",)),
        Limit("transmission.contract_ceiling", "at_most", ("line", "year"), "GWh/year",
              "USD/MWh", "energy the existing capacity of a dedicated line sends a year, at most "
              "its contract plus line_contract_headroom", price_scale=1000.0,
              parameters=("line_contracted_energy", "line_contract_headroom")),
        *(Limit(f"transmission.{kind}_ceiling", "at_most", ("region", "year"), "GWh/year",
                "USD/MWh", f"{what}, at most its published {published} plus "
                "line_contract_headroom", price_scale=1000.0,
                parameters=(parameter, "line_contract_headroom"))
          for kind, (what, published), parameter in TRADE_CEILINGS),
    )


MODULE = ModelModule(
    name="transmission", add=add_transmission, prepare=prepare_transmission,
    results=transmission_results, inputs=INPUTS,
    limits=_transmission_limits(),
    builds=(Build("line_capacity_new", "new"),),
)
