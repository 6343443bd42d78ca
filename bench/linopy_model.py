r"""The package's power-market LP rebuilt with linopy, vectorised over xarray: the benchmark's reference.

:func:`build_linopy_model` reads the same :class:`~synergy_models.model.data.ModelData` as
:func:`synergy_models.model.build.build_model` and writes the same LP: the same variables with the
same bounds, the same constraints (row by row, skipping the rows the Pyomo rules skip) and the same
objective. The math is in the docstrings of ``synergy_models/model/{power,storage,transmission,
policy,build}.py``; the names below follow the Pyomo components (``power.generation`` ->
``generation``...).

Sparse (region, technology) pairs are handled the linopy way: every variable is dense over its
coordinates and the pairs that do not exist are masked (they never reach the solver). Generation
variables carry only the generation technologies on their ``tech`` dimension, storage variables
only the storage technologies.

linopy does not accept a constant in the objective; the constant part of the package's objective
(fixed O&M of existing capacity) is returned beside the model and added to HiGHS's objective.

**What is mirrored**: the power block (capacity, retirement, build rate and limit, lead-time
in-service shares of a period's own builds, availability with hydro at full capacity and its
energy budget per day or week, marginal cost by hub), storage with a daily or yearly cycle and
fixed or free duration, the hub-to-hub lines (line lead time, in-service shares, build limits,
losses, tariffs), fixed schedules on external lines by year (``line_schedule_share``), the
reserve margin (``system`` or ``hub`` scope) with demand response, the carbon price net of free
allocation, the carbon cap and renewable shares. **What is not**: the families of
:data:`NOT_MIRRORED` (data centres and hydrogen, unit commitment and CHP must-run, collector
limits, supply-curve tranches, storage linked across days, the storage firm bound, line
contracts, schedule floors and trade ceilings); :func:`power_only` drops the inputs that switch
them on, so both sides build the same LP of the same inputs. It is not the LP of the shipped
scenarios (which have those families), but the same power-market core. The ``network`` reserve
scope and operating reserves are refused.

Check that both implementations give the same LP size and optimum (seconds per small case,
about a minute for the 31-province scenario)::

    .venv/bin/python bench/linopy_model.py                     # every case below
    .venv/bin/python bench/linopy_model.py --case small_policies --method simplex

The full year is compared by ``bench/power_benchmark.py``.
"""

from __future__ import annotations

import argparse
import time
import warnings
from dataclasses import dataclass
from typing import Any

import highspy
import linopy
import numpy as np
import xarray as xr
from linopy.config import LinopySemanticsWarning

from synergy_models.model.data import RENEWABLE, ModelData, model_data
from synergy_models.solve import HIPO_DEFAULTS


@dataclass
class LinopyLP:
    """A linopy model of the package's LP and the objective constant linopy cannot hold."""

    model: linopy.Model
    objective_constant: float


def _da(values: Any, coords: dict[str, list[Any]]) -> xr.DataArray:
    """A DataArray over ``coords`` (dims in that order) from a numpy array."""
    return xr.DataArray(np.asarray(values), coords=coords, dims=list(coords))


def _vintage_sum(v: linopy.Variable) -> linopy.LinearExpression:
    r""":math:`\sum_{y' \le y} v_{y'}`: the capacity built up to each year."""
    return v.cumsum("year")


def build_linopy_model(d: ModelData) -> LinopyLP:
    """The package's LP for ``d`` as a :class:`linopy.Model` (see the module docstring).

    The model is the same under linopy's legacy and v1 arithmetic: absent slots only meet absent
    slots or are reduced by sums, except retirement (absent for storage), which is filled with 0.
    linopy's warning about the coming change of semantics is therefore silenced here.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LinopySemanticsWarning)
        return _build(d)


#: Inputs that switch on LP families the mirror lacks, by module (see the module docstring):
#: dropping them makes the package build only what is mirrored.
NOT_MIRRORED: dict[str, tuple[str, ...]] = {
    "compute, hydrogen": ("compute_demand", "h2_demand"),
    "thermal (unit commitment, CHP must-run)": ("min_stable_load",),
    "collector (grid inside a hub)": ("collector_share", "collector_share_wind"),
    "power supply-curve tranches": ("supply_potential", "supply_capex_adder"),
    "storage linked across days": ("inter_day",),
    "storage firm capacity by energy": ("storage_shave_hours", "storage_net_peak",
                                        "full_credit_hours"),
    "line contracts and trade ceilings": ("line_contracted_energy", "line_schedule_floor",
                                          "line_contract_headroom", "send_out_limit",
                                          "receipt_limit", "gross_send_out_limit",
                                          "gross_receipt_limit"),
}


def power_only(inputs: xr.Dataset) -> xr.Dataset:
    """The inputs without what switches on families the mirror lacks (:data:`NOT_MIRRORED`), so
    that the package builds the LP this linopy model mirrors; demand stays as loaded. Options
    the mirror lacks (network reserve scope, operating reserves) are an error, not dropped."""
    if inputs.attrs.get("reserve_scope", "system") == "network":
        raise ValueError("the linopy mirror has no network reserve scope (policy.reserve_scope: "
                         "system or hub)")
    if inputs.attrs.get("operating_reserves", "off") != "off":
        raise ValueError("the linopy mirror has no operating reserves "
                         "(policy.operating_reserves: off)")
    names = [v for group in NOT_MIRRORED.values() for v in group]
    return inputs.drop_vars([v for v in names if v in inputs])


def _build(d: ModelData) -> LinopyLP:
    a = d.view("power", "storage", "transmission", "policy")  # every coefficient it reads
    m = linopy.Model()
    R, K, Y, T, L = d.regions, d.techs, d.years, d.steps, d.lines
    G, S = d.gen_techs, d.storage_techs
    gi = [K.index(g) for g in G]
    si = [K.index(s) for s in S]
    ry = {"region": R, "year": Y}
    ryt = {"region": R, "year": Y, "time": T}

    pair = np.zeros((len(R), len(K)), bool)
    for r, k in d.region_tech:
        pair[R.index(r), K.index(k)] = True
    rk = _da(pair, {"region": R, "tech": K})
    rg, rs = rk.sel(tech=G), rk.sel(tech=S)
    existing = _da(a["capacity_existing"], {"region": R, "tech": K})
    max_new = _da(a["max_new"], {"region": R, "tech": K})
    per_year = _da(a["max_new_in_year"], {"region": R, "tech": K, "year": Y})
    pv = _da(a["year_pv"], {"year": Y})
    # PV weight of an annual cost paid in every year from y' on (investment annuities by vintage).
    pv_from = _da(np.cumsum(a["year_pv"][::-1])[::-1], {"year": Y})
    weight = _da(a["weight"], {"time": T})
    # Step length [h]: 1, or a segment's length when hours of representative days are merged.
    hours = _da(a.get("step_hours", np.ones(len(T))), {"time": T})

    # ---- power block -------------------------------------------------------------------------
    # The period's own builds are in service for a share of it (lead times, power.py).
    share_k = _da(a["in_service_share"], {"tech": K, "year": Y})
    full_rky = rk.expand_dims(year=Y, axis=-1)
    capacity = m.add_variables(lower=0, coords=full_rky.coords, mask=full_rky, name="capacity")
    new = m.add_variables(lower=0, upper=per_year, mask=full_rky, name="new")
    retired = m.add_variables(lower=0, upper=existing.sel(tech=G).expand_dims(year=Y, axis=-1),
                              mask=rg.expand_dims(year=Y, axis=-1), name="retired")
    unit = a["capacity_factor"][:, gi, :].copy()
    if "hydro" in G:
        unit[:, G.index("hydro"), :] = 1.0       # hydro runs at full capacity; its energy is budgeted
    factor = _da(unit * a["availability"][gi][None, :, None], {"region": R, "tech": G, "time": T})
    upper = xr.where(factor > 0, np.inf, 0.0)
    hydro_inflow = None
    if "hydro" in G:
        # The package's budget periods: days, or weeks of days with full_year (time.hydro_budget).
        period = np.empty(len(T), int)
        for p, steps in enumerate(d.hydro_budget_steps):
            period[steps] = p
        period_da = xr.DataArray(period, coords={"time": T}, dims="time", name="period")
        hydro_cf = _da(a["capacity_factor"][:, K.index("hydro"), :], {"region": R, "time": T})
        hydro_inflow = (hydro_cf * hours).groupby(period_da).sum()    # (region, period) GWh/GW
        dry = (hydro_inflow <= 0).sel(period=period_da).drop_vars("period")   # (region, time)
        upper = xr.where((upper.tech == "hydro") & dry, 0.0, upper)    # no inflow: no output
    gen_mask = (rg & xr.ones_like(factor, dtype=bool)).expand_dims(year=Y, axis=2)
    generation = m.add_variables(lower=0, upper=upper.expand_dims(year=Y, axis=2), mask=gen_mask,
                                 name="generation")
    unserved = m.add_variables(lower=0, coords=_da(np.zeros((len(R), len(Y), len(T))), ryt).coords,
                               name="unserved")

    retired_all = retired.reindex(tech=K).fillna(0)                   # storage: no retirement
    built = _vintage_sum(new) - (1 - share_k) * new
    m.add_constraints(capacity - built + retired_all == existing, mask=full_rky,
                      name="capacity_definition")
    first = _da(np.arange(len(Y)) > 0, {"year": Y})
    m.add_constraints(retired - retired.shift(year=1) >= 0, mask=rg & first,
                      name="retirement_permanent")
    needs_limit = rk & np.isfinite(max_new) & (per_year.sum("year") > max_new)
    m.add_constraints(new.sum("year") <= max_new.where(np.isfinite(max_new), 0.0),
                      mask=needs_limit, name="build_limit")
    cap_g = capacity.sel(tech=G)
    m.add_constraints(generation - factor * cap_g <= 0, mask=gen_mask & (factor > 0),
                      name="availability")
    if hydro_inflow is not None:
        hydro_out = (hours * generation.sel(tech="hydro")).groupby(period_da).sum()
        m.add_constraints(hydro_out - hydro_inflow * capacity.sel(tech="hydro") <= 0,
                          mask=rg.sel(tech="hydro") & (hydro_inflow > 0), name="hydro_energy")

    # ---- storage block -----------------------------------------------------------------------
    rsy = rs.expand_dims(year=Y, axis=-1)
    rsyt = (rs & xr.ones_like(weight, dtype=bool)).expand_dims(year=Y, axis=2)
    energy_capacity = m.add_variables(lower=0, coords=rsy.coords, mask=rsy, name="energy_capacity")
    energy_new = m.add_variables(lower=0, coords=rsy.coords, mask=rsy, name="energy_new")
    charge = m.add_variables(lower=0, coords=rsyt.coords, mask=rsyt, name="charge")
    discharge = m.add_variables(lower=0, coords=rsyt.coords, mask=rsyt, name="discharge")
    soc = m.add_variables(lower=0, coords=rsyt.coords, mask=rsyt, name="soc")
    energy0 = _da(a["energy_existing"][:, si], {"region": R, "tech": S})
    share_s = share_k.sel(tech=S)
    m.add_constraints(energy_capacity - _vintage_sum(energy_new) + (1 - share_s) * energy_new
                      == energy0, mask=rsy, name="energy_definition")
    own_cost = _da(a["capex_energy_first"][si] > 0, {"tech": S})
    duration = _da(a["duration"][si], {"tech": S})
    m.add_constraints(energy_new - duration * new.sel(tech=S) == 0, mask=rsy & ~own_cost,
                      name="fixed_duration")
    cap_s = capacity.sel(tech=S)
    m.add_constraints(charge + discharge - cap_s <= 0, mask=rsyt, name="power_limit")
    m.add_constraints(soc - energy_capacity <= 0, mask=rsyt, name="soc_limit")
    eta = _da(a["efficiency"][si] ** 0.5, {"tech": S})
    soc_before = soc.isel(time=d.previous_step).assign_coords(time=T)
    m.add_constraints(soc - soc_before - (eta * hours) * charge + (hours / eta) * discharge == 0,
                      mask=rsyt, name="state_of_charge")

    # ---- transmission block ------------------------------------------------------------------
    share_l = _da(a["line_in_service_share"], {"year": Y})
    can_build = _da(a["line_build_years"] > 0, {"year": Y})     # none before the lead time
    line_capacity = m.add_variables(lower=0, coords=[L, Y], dims=["line", "year"],
                                    name="line_capacity")
    line_limit = _da(a.get("line_max_new", np.full(len(L), np.inf)), {"line": L})
    line_new = m.add_variables(lower=0, upper=xr.where(can_build, line_limit, 0.0).transpose("line", "year"),
                               name="line_new")
    if len(Y) > 1:          # with one year the bound is the limit
        m.add_constraints(line_new.sum("year") <= line_limit.where(np.isfinite(line_limit), 0.0),
                          mask=np.isfinite(line_limit), name="line_build_limit")
    flow_coords = [L, Y, T]
    flow_forward = m.add_variables(lower=0, coords=flow_coords, dims=["line", "year", "time"],
                                   name="flow_forward")
    flow_backward = m.add_variables(lower=0, coords=flow_coords, dims=["line", "year", "time"],
                                    name="flow_backward")
    line0 = _da(a["line_capacity_existing"], {"line": L, "year": Y})
    m.add_constraints(line_capacity - _vintage_sum(line_new) + (1 - share_l) * line_new == line0,
                      name="line_capacity_definition")
    m.add_constraints(flow_forward - line_capacity <= 0, name="forward_limit")
    m.add_constraints(flow_backward - line_capacity <= 0, name="backward_limit")
    keep = 1.0 - a["line_loss"]
    into = np.array([[d.line_to[ln] == r for ln in L] for r in R], float)     # (region, line)
    out_of = np.array([[d.line_from[ln] == r for ln in L] for r in R], float)
    fwd = _da(keep * into - out_of, {"region": R, "line": L})    # received with losses, or sent
    bwd = _da(keep * out_of - into, {"region": R, "line": L})
    net_import = ((fwd * flow_forward).where(fwd != 0).sum("line")
                  + (bwd * flow_backward).where(bwd != 0).sum("line"))

    # ---- balance -----------------------------------------------------------------------------
    load = _da(a["load"], ryt)
    export = _da(a["scheduled_net_export"], {"region": R, "year": Y})
    m.add_constraints(generation.sum("tech") + unserved + (discharge - charge).sum("tech")
                      + net_import == load + export, name="balance")

    # ---- policy ------------------------------------------------------------------------------
    margin = a["reserve_margin"]
    credit = _da(a["capacity_credit"], {"tech": K})
    firm = (credit * capacity).where(credit > 0).sum("tech")          # (region, year)
    peak = _da(a["peak_load"], ry)
    dr_share, dr_cost = a["demand_response_share"], a["demand_response_cost"]
    if dr_share > 0:        # load shed on call at the peak, up to a share of it (policy.py)
        demand_response = m.add_variables(lower=0, coords=peak.coords, name="demand_response")
        m.add_constraints(demand_response <= dr_share * peak, name="demand_response_limit")
        firm = firm + demand_response
    if d.options.reserve_scope == "system":
        zones = ["system"]
        firm_z = firm.sum("region").expand_dims(reserve_zone=zones)
        need = ((1 + margin) * peak.sum("region") + export.sum("region")).expand_dims(
            reserve_zone=zones)
    else:
        zones = list(R)
        firm_z = firm.rename(region="reserve_zone")
        need = ((1 + margin) * peak + export).rename(region="reserve_zone")
    shortfall = m.add_variables(lower=0, coords=[zones, Y], dims=["reserve_zone", "year"],
                                name="reserve_shortfall")
    m.add_constraints(firm_z + shortfall >= need, name="reserve_margin")

    rate = _da(a["emission_intensity"][gi], {"tech": G})
    cap_co2 = _da(a["carbon_cap"], {"year": Y})
    if np.isfinite(cap_co2).any():
        emissions = ((weight * rate) * generation).where(rate > 0).sum(["region", "tech", "time"])
        m.add_constraints(emissions <= 1000 * cap_co2.where(np.isfinite(cap_co2), 0.0),
                          mask=np.isfinite(cap_co2), name="carbon_cap")
    share = _da(a["renewable_share_min"], ry)
    if (share > 0).any():
        ren = _da([g in RENEWABLE for g in G], {"tech": G})
        renewable = (weight * generation).where(ren).sum(["tech", "time"])   # (region, year)
        demand = _da(a["demand"], ry)
        m.add_constraints(renewable >= share * demand, mask=share > 0, name="renewable_share")

    # ---- objective: present value of every annual cost ---------------------------------------
    cost_p = _da(a["annual_cost_power"], {"tech": K, "year": Y})
    cost_e = _da(a["annual_cost_energy"][si], {"tech": S, "year": Y})
    fom0 = _da(a["fom_existing"], {"tech": K})
    # A vintage pays from its own year on, in its own year only its in-service share.
    paid_k = pv_from - (1 - share_k) * pv
    paid_l = pv_from - (1 - share_l) * pv
    # fuel and O&M by hub, plus the carbon price on the emissions free allocation leaves (USD/t)
    charged = a["emission_intensity"] * (1 - a["carbon_free_share"])
    variable_cost = (a["marginal_cost"][:, :, None]
                     + (charged[:, None] * a["carbon_price"][None, :] / 1000)[None, :, :])
    var_cost = _da(variable_cost[:, gi, :], {"region": R, "tech": G, "year": Y})
    voll = a["value_of_lost_load"]
    line_cost = _da(a["line_annual_cost"], {"line": L})
    tariff = _da(a["line_tariff"], {"line": L})
    has_existing = rk & (existing > 0)
    retire_coef = (-fom0.sel(tech=G) * pv).where(has_existing.sel(tech=G), 0.0)
    terms = [
        (cost_p * paid_k * new).sum(),                                  # investment
        (retire_coef * retired).sum(),                                  # fixed O&M of what is left
        ((var_cost * pv) * weight * generation).sum(),                  # fuel, VOM, carbon price
        ((voll * pv) * weight * unserved).sum(),                        # unserved energy
        (cost_e * paid_k.sel(tech=S) * energy_new).sum(),               # storage energy
        (line_cost * paid_l * line_new).sum(),                          # transmission
        (a["reserve_shortfall_cost"] * pv * shortfall).sum(),           # reserve shortfall
    ]
    if (tariff > 0).any():
        terms.append(((tariff * pv * weight) * (flow_forward + flow_backward))
                     .where(tariff > 0).sum())                          # transmission tariff
    if dr_share > 0:
        terms.append((dr_cost * pv * demand_response).sum())            # demand response
    m.add_objective(sum(terms[1:], terms[0]))
    constant = float(((fom0 * existing).where(has_existing, 0.0).sum() * pv.sum()).item())
    return LinopyLP(m, constant)


def highs_options(method: str, threads: int | None = 2, time_limit: float | None = None
                  ) -> dict[str, Any]:
    """The HiGHS options the package sets for ``method`` (interior point methods cross over)."""
    options: dict[str, Any] = {"solver": method}
    if method in ("ipm", "hipo", "ipx"):
        options["run_crossover"] = "on"
    if method == "hipo":
        options.update(HIPO_DEFAULTS)
    if threads:
        options["threads"] = int(threads)
    if time_limit:
        options["time_limit"] = float(time_limit)
    return options


def solve_with_linopy(lp: LinopyLP, method: str = "hipo", threads: int | None = 2,
                      time_limit: float | None = None) -> float:
    """Solve through linopy's own ``Model.solve`` (direct API to highspy); the full objective."""
    status, condition = lp.model.solve(solver_name="highs", io_api="direct", output_flag=False,
                                       **highs_options(method, threads, time_limit))
    if condition != "optimal":
        raise RuntimeError(f"linopy/HiGHS ended with {status}, {condition}")
    return float(lp.model.objective.value) + lp.objective_constant


def _compare(inputs: xr.Dataset, method: str, threads: int) -> dict[str, float]:
    from synergy_models.model.build import build_model
    from synergy_models.scenario import SolverSettings
    from synergy_models.solve import compile_model, run_highs

    t0 = time.perf_counter()
    lp = build_linopy_model(model_data(inputs))
    t_linopy = time.perf_counter() - t0
    h: highspy.Highs = lp.model.to_highspy()
    n_linopy = (h.getNumRow(), h.getNumCol(), h.getNumNz())
    obj_linopy = solve_with_linopy(lp, method, threads)
    t0 = time.perf_counter()
    form = compile_model(build_model(inputs))
    t_pyomo = time.perf_counter() - t0
    settings = (SolverSettings(method="choose", threads=threads,   # IPX: HiGHS's own option
                               options={"solver": "ipx", "run_crossover": "on"})
                if method == "ipx" else SolverSettings(method=method, threads=threads))
    sol = run_highs(form, settings)
    if sol.status != "optimal":
        raise RuntimeError(f"package/HiGHS ended with {sol.status}")
    n_pyomo = (form.shape[0], form.shape[1], form.A.nnz)
    rel = abs(sol.objective - obj_linopy) / max(abs(sol.objective), 1.0)
    print(f"  rows, columns, nonzeros: package {n_pyomo}, linopy {n_linopy}")
    print(f"  build (+compile for the package): package {t_pyomo:.2f} s, linopy {t_linopy:.2f} s")
    print(f"  objective: package {sol.objective:,.6f}, linopy {obj_linopy:,.6f} MUSD; "
          f"relative difference {rel:.2e} {'OK' if rel <= 1e-6 else 'MISMATCH'}")
    return {"package": sol.objective, "linopy": obj_linopy, "relative_difference": rel}


CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "small": ("base", {"years": {2030: 1}, "time.days": 2}),
    "small_hourly": ("base", {"years": {2028: 2, 2030: 1}, "time.days": 2, "time.segments": 24}),
    "small_policies": ("base", {"years": {2028: 2, 2030: 1}, "time.days": 2,
                                "policy.reserve_scope": "hub", "carbon_cap": 3000.0,
                                "renewable_share_min": {"NX": 0.6, "GS": 0.7},
                                "line_max_new": {"cy_gz_candidate": 2.0, "im_nx_candidate": 3.0}}),
    "base": ("base", {}),
    "provinces_small": ("provinces", {"years": {2030: 1}, "time.days": 2}),
    "provinces": ("provinces", {}),
}


def main(argv: list[str] | None = None) -> int:
    from synergy_models.data.loader import load_inputs

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", choices=[*CASES, "all"], default="all",
                        help="small: 2030, 2 days of 12 segments; small_hourly: 2028 and 2030, "
                        "2 hourly days; small_policies: hub reserve, carbon cap, renewable shares "
                        "and line build limits; base: the default scenario; provinces_small, provinces: the "
                        "31-province dataset, 2030 with 2 days, and its scenario (default: all)")
    parser.add_argument("--method", default="hipo", help="HiGHS solver: hipo, ipx, simplex...")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    worst = 0.0
    for name in CASES if args.case == "all" else [args.case]:
        scenario, overrides = CASES[name]
        print(f"{name}: {scenario} {overrides or ''} ({args.method})")
        worst = max(worst, _compare(power_only(load_inputs(scenario, overrides)), args.method,
                                    args.threads)["relative_difference"])
    return 0 if worst <= 1e-6 else 1


if __name__ == "__main__":
    raise SystemExit(main())
