"""Hydro's energy budget per day or per week (``time.hydro_budget``), checked against LPs written out
with scipy, not the model's code.

A week of one hub: hydro inflow is high for three days and low for four, wind blows on the same
three days, gas and pumped hydro storage fill the rest. With a weekly budget the reservoir keeps
the windy days' inflow for the calm ones; with a daily one it spills it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from scipy.optimize import linprog

from synergy_models.data.options import ModelOptions
from synergy_models.data.timeseries import reduce_time
from synergy_models.errors import InputError
from synergy_models.model.build import build_model
from synergy_models.model.data import budget_steps, model_data
from synergy_models.results import build_results
from synergy_models.scenario import SolverSettings, TimeSettings, load_scenario
from synergy_models.solve import solve_model
from tests.tiny import tiny_inputs

DAY, WEEK = 24, 7 * 24
RNG = np.random.default_rng(7)
LOAD = 10.0 + 3.0 * np.sin(np.arange(WEEK) / DAY * 2 * np.pi) + RNG.random(WEEK)      # GW
WINDY = np.arange(WEEK) < 3 * DAY
WIND_CF = np.where(WINDY, 0.85, 0.15) * (0.9 + 0.1 * RNG.random(WEEK))
# Inflow by day (high on the windy days, low on the calm ones), a little noise by hour.
HYDRO_CF = (np.repeat([0.9, 0.8, 0.9, 0.1, 0.15, 0.1, 0.2], DAY)
            * (0.95 + 0.05 * RNG.random(WEEK)))
HYDRO, WIND, GAS, POWER, ENERGY, ETA, GAS_COST, VOLL = 6.0, 20.0, 8.0, 5.0, 60.0, 0.81, 0.08, 10.0
HYDRO_COST = 0.001  # MUSD/GWh: a little above wind's 0, so hydro rather than wind spills
WEIGHT = 8760 / WEEK


def week_inputs(hydro_budget: str | None = None) -> xr.Dataset:
    """The week with ``full_year`` resolution (every hour, in order), through :func:`reduce_time`
    as the loader does it."""
    techs = {"hydro": {"marginal_cost": HYDRO_COST}, "wind": {}, "gas": {"marginal_cost": GAS_COST},
             "pumped_hydro": {"efficiency": ETA}}
    ds = tiny_inputs(["A"], techs, LOAD[None, :], max_new=0.0,
                     capacity={("A", "hydro"): HYDRO, ("A", "wind"): WIND, ("A", "gas"): GAS,
                               ("A", "pumped_hydro"): POWER},
                     energy={("A", "pumped_hydro"): ENERGY},
                     cf={"wind": WIND_CF[None, :], "hydro": HYDRO_CF[None, :]},
                     value_of_lost_load=VOLL)
    hourly = (ds.drop_vars(["weight", "step_hours", "day_period", "period", "hour", "day"])
              .assign_coords(time=pd.date_range("2025-01-06", periods=WEEK, freq="h")))
    return reduce_time(hourly, TimeSettings(resolution="full_year", hydro_budget=hydro_budget))


def hydro_lp(budgets: list[range]) -> float:
    """The week as an LP: columns per hour t are wind w, gas g, hydro h, unserved u, charge c,
    discharge d and storage level e (cyclic over the 168 hours).

    min  sum_t WEIGHT (GAS_COST g_t + HYDRO_COST h_t + VOLL u_t)
    s.t. w_t + g_t + h_t + u_t + d_t - c_t = L_t                  balance
         e_t = e_{t-1 mod 168} + 0.9 c_t - d_t / 0.9               storage level
         c_t + d_t <= POWER                                        storage power
         sum_{t in b} h_t <= sum_{t in b} cf_t HYDRO               one row per budget period b
         w_t <= cf_t WIND, g_t <= GAS, h_t <= HYDRO, 0 <= e_t <= ENERGY
    """
    n = WEEK
    w, g, h, u, c, d, e = (np.arange(n) + k * n for k in range(7))
    cost = np.zeros(7 * n)
    cost[g], cost[h], cost[u] = WEIGHT * GAS_COST, WEIGHT * HYDRO_COST, WEIGHT * VOLL
    a_eq, b_eq = np.zeros((2 * n, 7 * n)), np.zeros(2 * n)
    one_way = ETA ** 0.5
    for t in range(n):
        a_eq[t, [w[t], g[t], h[t], u[t], d[t]]], a_eq[t, c[t]], b_eq[t] = 1.0, -1.0, LOAD[t]
        a_eq[n + t, e[t]] += 1.0
        a_eq[n + t, e[(t - 1) % n]] -= 1.0
        a_eq[n + t, c[t]], a_eq[n + t, d[t]] = -one_way, 1 / one_way
    a_ub = np.zeros((n + len(budgets), 7 * n))
    b_ub = np.zeros(n + len(budgets))
    for t in range(n):
        a_ub[t, [c[t], d[t]]], b_ub[t] = 1.0, POWER
    for i, steps in enumerate(budgets):
        a_ub[n + i, h[list(steps)]] = 1.0
        b_ub[n + i] = HYDRO_CF[list(steps)].sum() * HYDRO
    bounds = ([(0, cf * WIND) for cf in WIND_CF] + [(0, GAS)] * n + [(0, HYDRO)] * n
              + [(0, None)] * 3 * n + [(0, ENERGY)] * n)
    res = linprog(cost, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
    assert res.status == 0, res.message
    return float(res.fun)


WEEKLY = [range(WEEK)]
DAILY = [range(k * DAY, (k + 1) * DAY) for k in range(7)]


@pytest.fixture(scope="module")
def solved() -> dict[str, tuple[xr.Dataset, xr.Dataset]]:
    """(inputs, results) of the week with the default (weekly) and a daily hydro budget."""
    out = {}
    for budget in (None, "day"):
        inputs = week_inputs(budget)
        model = build_model(inputs)
        out[budget or "default"] = inputs, build_results(
            model, solve_model(model, SolverSettings()), inputs)
    return out


def _hydro(results: xr.Dataset) -> np.ndarray:
    return results.generation.sel(region="A", gen_tech="hydro", year=2030).values


def test_full_year_budgets_hydro_per_week_by_default(solved):
    inputs, results = solved["default"]
    assert inputs.attrs["hydro_budget"] == "week"
    assert results.attrs["objective"] == pytest.approx(hydro_lp(WEEKLY), rel=1e-6)
    output = _hydro(results).reshape(7, DAY).sum(axis=1)                     # GWh by day
    inflow = (HYDRO_CF * HYDRO).reshape(7, DAY).sum(axis=1)
    assert (output > inflow + 1.0).any(), "no energy moved from one day to another"
    assert output.sum() <= inflow.sum() * (1 + 1e-7)
    assert _hydro(results).max() <= HYDRO * (1 + 1e-7)


def test_a_daily_budget_is_the_lp_with_seven_rows_and_costs_more(solved):
    inputs, results = solved["day"]
    assert inputs.attrs["hydro_budget"] == "day"
    daily, weekly = hydro_lp(DAILY), hydro_lp(WEEKLY)
    assert results.attrs["objective"] == pytest.approx(daily, rel=1e-6)
    assert daily > weekly * (1 + 1e-3)  # the inflow of the windy days is worth keeping
    output = _hydro(results).reshape(7, DAY).sum(axis=1)
    inflow = (HYDRO_CF * HYDRO).reshape(7, DAY).sum(axis=1)
    assert (output <= inflow * (1 + 1e-7) + 1e-6).all()


@pytest.mark.parametrize("budget", ["default", "day"])
def test_hydro_spill_is_the_unused_budget_of_each_period(solved, budget):
    _, results = solved[budget]
    groups = WEEKLY if budget == "default" else DAILY
    unused = sum(max(HYDRO_CF[list(s)].sum() * HYDRO - _hydro(results)[list(s)].sum(), 0.0)
                 for s in groups)                                             # GWh a week
    spill = results.curtailment.sel(region="A", gen_tech="hydro", year=2030)
    assert float(results.curtailment_annual.sel(region="A", gen_tech="hydro", year=2030)) \
        == pytest.approx(WEIGHT * unused / 1000, rel=1e-6, abs=1e-9)
    assert float(spill.min()) >= 0.0
    if budget == "day":  # the windy days spill what they cannot use
        assert unused > 100.0


def test_spill_counts_only_the_budget_left_at_the_end_of_the_period():
    """Hydro of 10 GW with inflow 0.5 over two hours of weight 3 h: a budget of 10 GWh. Run at
    full power in the first hour it spills nothing (hourly ``cf K - p`` would say 15 GWh a year);
    making 4 GWh it leaves 6 GWh, spread in proportion to the inflow: 3 GW in each hour."""
    from tests.test_model import solve

    for load, spilled in (([10.0, 0.0], 0.0), ([4.0, 0.0], 3.0)):
        ds = tiny_inputs(["A"], {"hydro": {}}, np.array([load]), weights=[3.0, 3.0],
                         capacity={("A", "hydro"): 10.0}, max_new=0.0,
                         cf={"hydro": np.array([[0.5, 0.5]])})
        r = solve(ds)
        spill = r.curtailment.sel(region="A", gen_tech="hydro", year=2030).values
        np.testing.assert_allclose(spill, spilled, atol=1e-6)
        assert float(r.curtailment_annual.sum()) == pytest.approx(2 * 3.0 * spilled / 1000,
                                                                  abs=1e-9)


# --- the setting ---------------------------------------------------------------------------------

def test_weeks_are_seven_consecutive_days_the_remainder_joining_the_last():
    days = [list(range(24 * k, 24 * (k + 1))) for k in range(365)]
    weeks = budget_steps(days, "week")
    assert len(weeks) == 52 and [len(w) for w in weeks] == [168] * 51 + [192]
    assert [t for w in weeks for t in w] == list(range(365 * 24))
    assert budget_steps(days[:3], "week") == [list(range(72))]  # fewer than 7 days: one budget
    assert budget_steps(days[:7], "day") == days[:7]


def test_the_default_follows_the_resolution():
    assert TimeSettings().hydro_budget_period == "day"
    assert TimeSettings(resolution="full_year").hydro_budget_period == "week"
    assert TimeSettings(resolution="full_year", hydro_budget="day").hydro_budget_period == "day"
    assert ModelOptions(base_year=2024).hydro_budget == "day"
    assert ModelOptions(base_year=2024, time_resolution="full_year").hydro_budget == "week"
    # Inputs without the attribute (written before the setting) get the default of their grid.
    plain = tiny_inputs(["A"], {"hydro": {}}, np.ones((1, 48)), periods=[0] * 24 + [1] * 24,
                        full_year=True)
    assert "hydro_budget" not in plain.attrs
    assert [len(s) for s in model_data(plain).hydro_budget_steps] == [48]
    plain.attrs["time_resolution"] = "representative_days"
    assert [len(s) for s in model_data(plain).hydro_budget_steps] == [24, 24]


def test_a_weekly_budget_needs_the_full_year(tmp_path):
    path = tmp_path / "weekly.yaml"
    path.write_text("name: weekly\ntime:\n  days: 4\n  hydro_budget: week\n")
    with pytest.raises(InputError) as err:
        load_scenario(path)
    p = err.value.problems[0]
    assert p.column == "time.hydro_budget" and p.value == "week" and p.line == 4
    assert "needs time.resolution: full_year" in p.message and "not consecutive" in p.message
    # The same scenario turned to the full year, on the command line, is fine.
    assert load_scenario(path, {"time.resolution": "full_year"}).time.hydro_budget == "week"
    with pytest.raises(ValueError, match="not consecutive"):
        ModelOptions(base_year=2024, hydro_budget="week")
