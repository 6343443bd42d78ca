"""Storage linked across representative days (Kotzur et al. 2018; synergy_models/model/interday.py).

The expected numbers are derived by hand (a) or by an LP written out here with scipy (b), not by
the model's own code.
"""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from scipy.optimize import linprog

from synergy_models.model.build import build_model
from synergy_models.results import build_results
from synergy_models.scenario import SolverSettings
from synergy_models.solve import solve_model
from tests.tiny import tiny_inputs, with_hydrogen


def solve(inputs: xr.Dataset) -> xr.Dataset:
    model = build_model(inputs)
    return build_results(model, solve_model(model, SolverSettings(method="hipo")), inputs)


# --- (a) two representative days: a windy one and a calm one ----------------------------------

ETA = 0.81  # round trip: 0.9 each way
TWO_DAYS = {
    "wind": {},                                  # free, existing 20 GW
    "gas": {"marginal_cost": 0.1},               # 0.1 MUSD/GWh = 100 USD/MWh, existing 10 GW
    "pumped_hydro": {"efficiency": ETA},         # existing 10 GW, 150 GWh
}


def two_days(calendar: list[int], inter_day: float) -> xr.Dataset:
    """Two representative days of one 24-hour step each, 10 GW of flat load; wind (20 GW) blows
    all day on day 0 (cf 1) and not at all on day 1. ``calendar``: the period of each calendar
    day (each period stands for 2 of the 4 days: weight 2 x 24 h)."""
    techs = {k: dict(v) for k, v in TWO_DAYS.items()}
    techs["pumped_hydro"]["inter_day"] = inter_day
    return tiny_inputs(
        ["A"], techs, np.array([[10.0, 10.0]]), weights=[48.0, 48.0], periods=[0, 1],
        step_hours=[24.0, 24.0], day_period=calendar, max_new=0.0,
        capacity={("A", "wind"): 20.0, ("A", "gas"): 10.0, ("A", "pumped_hydro"): 10.0},
        energy={("A", "pumped_hydro"): 150.0}, cf={"wind": np.array([[1.0, 0.0]])},
        value_of_lost_load=10.0)


def test_linking_moves_wind_from_a_windy_day_to_a_calm_day():
    """Calendar windy, calm, windy, calm. Linked: each windy day fills the 150 GWh store (drawing
    150 / 0.9 = 166.7 GWh of its 240 GWh of surplus; the 10 GW power limit allows 240), each calm
    day empties it, delivering 150 x 0.9 = 135 GWh; gas makes the other 240 - 135 = 105 GWh, at
    0.1 MUSD/GWh on 2 calm days: 21 MUSD. Cycling within each day, storage has nothing to move and
    gas makes all 240 GWh of both calm days: 48 MUSD."""
    linked = solve(two_days([0, 1, 0, 1], 1.0))
    assert linked.attrs["objective"] == pytest.approx(21.0, rel=1e-6)
    daily = linked.storage_level_daily.sel(region="A", storage_tech="pumped_hydro", year=2030)
    np.testing.assert_allclose(daily.values, [0.0, 150.0, 0.0, 150.0], atol=1e-5)
    assert linked.storage_inter_day.sel(storage_tech="pumped_hydro").item() == 1.0
    # The results' level is absolute: within [0, 150] GWh.
    level = linked.storage_level.sel(region="A", storage_tech="pumped_hydro", year=2030)
    assert float(level.min()) >= -1e-6 and float(level.max()) <= 150 + 1e-6

    daily_cycle = solve(two_days([0, 1, 0, 1], 0.0))
    assert daily_cycle.attrs["objective"] == pytest.approx(48.0, rel=1e-6)
    assert daily_cycle.storage_inter_day.sel(storage_tech="pumped_hydro").item() == 0.0


def test_the_order_of_the_days_matters():
    """Calendar windy, windy, calm, calm: both windy days share one intra-day change delta, so
    the level climbs by 2 delta before the calm days and must stay within 150 GWh: delta = 75 GWh,
    each calm day gets 75 x 0.9 = 67.5 GWh from storage and 240 - 67.5 = 172.5 GWh from gas:
    2 x 17.25 = 34.5 MUSD (between 21, alternating days, and 48, no linking)."""
    r = solve(two_days([0, 0, 1, 1], 1.0))
    assert r.attrs["objective"] == pytest.approx(34.5, rel=1e-6)
    daily = r.storage_level_daily.sel(region="A", storage_tech="pumped_hydro", year=2030)
    np.testing.assert_allclose(daily.values, [0.0, 75.0, 150.0, 75.0], atol=1e-5)


def test_a_run_of_three_days():
    """Calendar windy x 3, calm x 3 (each period stands for 3 days: weight 72 h): the level climbs
    3 delta <= 150 GWh over the windy run, delta = 50 GWh; each calm day gets 45 GWh from storage,
    195 GWh from gas: 3 x 195 x 0.1 = 58.5 MUSD. Only the first and last day of each run are
    bounded in the model (the level is linear within a run); the middle days stay in bounds."""
    r = solve(two_days([0, 0, 0, 1, 1, 1], 1.0).assign(weight=("time", [72.0, 72.0])))
    assert r.attrs["objective"] == pytest.approx(58.5, rel=1e-6)
    daily = r.storage_level_daily.sel(region="A", storage_tech="pumped_hydro", year=2030)
    np.testing.assert_allclose(daily.values, [0.0, 50.0, 100.0, 150.0, 100.0, 50.0], atol=1e-5)


def test_hydrogen_storage_is_linked_across_days():
    """Hydrogen demand 87.6 kt/yr is 0.01 kt/h, 0.24 kt in each 24-hour day; electrolysers (100 GW,
    50 kWh/kg) have wind power only on the windy day; grey hydrogen costs 2 USD/kg = 2 MUSD/kt and
    storage 0.001 MUSD/kt a year. Linked, each windy day makes 0.48 kt and stores 0.24 kt for the
    calm day after it: a 0.24 kt tank, 0.00024 MUSD. Cycling daily, each calm day (2 represented,
    48 h at 0.01 kt/h) buys 0.48 kt of grey hydrogen: 0.96 MUSD."""
    def case(flag: float) -> xr.Dataset:
        power = tiny_inputs(["A"], {"wind": {}}, np.array([[0.0, 0.0]]), weights=[48.0, 48.0],
                            periods=[0, 1], step_hours=[24.0, 24.0], day_period=[0, 1, 0, 1],
                            max_new=0.0, capacity={("A", "wind"): 100.0},
                            cf={"wind": np.array([[1.0, 0.0]])})
        ds = with_hydrogen(power, demand=87_600.0, electrolyser_existing=100.0,
                           max_new_electrolyser=0.0, consumption=50.0, grey_cost=2.0,
                           storage_capex=0.001)
        return ds.assign(h2_storage_inter_day=flag)

    linked = solve(case(1.0))
    assert linked.attrs["objective"] == pytest.approx(0.00024, rel=1e-5)
    daily = linked.h2_storage_level_daily.sel(region="A", year=2030)            # t
    np.testing.assert_allclose(daily.values, [0.0, 240.0, 0.0, 240.0], atol=1e-3)
    assert linked.h2_storage_capacity.sel(region="A", year=2030).item() == pytest.approx(240, 1e-5)
    daily_cycle = solve(case(0.0))
    assert daily_cycle.attrs["objective"] == pytest.approx(0.96, rel=1e-6)


# --- (b) every day its own period: linking is chronological storage ---------------------------

HOURS = 6   # steps per day (hourly)
DAYS = 4
RNG = np.random.default_rng(17)
LOAD = 8.0 + 4.0 * RNG.random(DAYS * HOURS)                            # GW
WIND_CF = np.repeat([0.9, 0.1, 0.6, 0.05], HOURS) * (0.8 + 0.2 * RNG.random(DAYS * HOURS))
CHRONO = {"wind": {}, "gas": {"marginal_cost": 0.08}, "pumped_hydro": {"efficiency": ETA}}
W_CAP, G_CAP, P_CAP, E_CAP, VOLL = 15.0, 6.0, 4.0, 20.0, 10.0


def chronological_case(full_year: bool, inter_day: float) -> xr.Dataset:
    techs = {k: dict(v) for k, v in CHRONO.items()}
    techs["pumped_hydro"]["inter_day"] = inter_day
    return tiny_inputs(
        ["A"], techs, LOAD[None, :], periods=np.repeat(np.arange(DAYS), HOURS), full_year=full_year,
        max_new=0.0, capacity={("A", "wind"): W_CAP, ("A", "gas"): G_CAP,
                               ("A", "pumped_hydro"): P_CAP},
        energy={("A", "pumped_hydro"): E_CAP}, cf={"wind": WIND_CF[None, :]},
        value_of_lost_load=VOLL)


def chronological_lp(weights: np.ndarray, load: np.ndarray, wind_cf: np.ndarray,
                     step_hours: float = 1.0) -> float:
    """The least cost of one hub with wind, gas, unserved energy and one storage whose level is
    cyclic over all steps in order (the plain chronological storage), written out for linprog.

    Columns per step t: wind w, gas g, unserved u, charge c, discharge d, level e (6 T columns).
    min sum_t weight_t (0.08 g_t + VOLL u_t)
    s.t. w_t + g_t + u_t + d_t - c_t = L_t                          (balance)
         e_t - e_{t-1 mod T} - h (0.9 c_t - d_t / 0.9) = 0          (level)
         c_t + d_t <= P;  0 <= w_t <= cf_t W;  g_t <= G;  0 <= e_t <= E
    """
    n = len(load)
    w, g, u, c, d, e = (np.arange(n) + k * n for k in range(6))
    cost = np.zeros(6 * n)
    cost[g] = weights * 0.08
    cost[u] = weights * VOLL
    one_way = ETA ** 0.5
    a_eq = np.zeros((2 * n, 6 * n))
    b_eq = np.zeros(2 * n)
    for t in range(n):
        a_eq[t, [w[t], g[t], u[t], d[t]]] = 1.0
        a_eq[t, c[t]] = -1.0
        b_eq[t] = load[t]
        row = n + t
        a_eq[row, e[t]] += 1.0
        a_eq[row, e[(t - 1) % n]] -= 1.0
        a_eq[row, c[t]] -= step_hours * one_way
        a_eq[row, d[t]] += step_hours / one_way
    a_ub = np.zeros((n, 6 * n))
    for t in range(n):
        a_ub[t, [c[t], d[t]]] = 1.0
    b_ub = np.full(n, P_CAP)
    bounds = ([(0, cf * W_CAP) for cf in wind_cf] + [(0, G_CAP)] * n + [(0, None)] * n
              + [(0, None)] * 2 * n + [(0, E_CAP)] * n)
    res = linprog(cost, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
    assert res.status == 0, res.message
    return float(res.fun)


def test_linked_days_equal_chronological_storage():
    """Four calendar days, each its own period (what full_year resolution is): the linked storage
    (intra-day level from 0 each day, an inter-day level per day, cyclic) costs the same as the
    plain chronological level over the four days, both in the model with full_year resolution and
    in the LP written out above. Cycling within each day costs more (energy cannot leave day 0)."""
    expected = chronological_lp(np.ones(DAYS * HOURS), LOAD, WIND_CF)
    linked = solve(chronological_case(full_year=False, inter_day=1.0))
    chronological = solve(chronological_case(full_year=True, inter_day=1.0))
    assert linked.attrs["objective"] == pytest.approx(expected, rel=1e-6)
    assert chronological.attrs["objective"] == pytest.approx(expected, rel=1e-6)
    # The start-of-day levels are the same path (the LP optimum may not be unique elsewhere, but
    # both levels are absolute and bounded).
    for r in (linked, chronological):
        level = r.storage_level.sel(region="A", storage_tech="pumped_hydro", year=2030)
        assert float(level.min()) >= -1e-6 and float(level.max()) <= E_CAP + 1e-6
    daily = solve(chronological_case(full_year=False, inter_day=0.0))
    assert daily.attrs["objective"] > expected * (1 + 1e-3)
    # Each day's last step has no intra-day bound rows (its level is the next day's start, bounded
    # by that day's rows), and the optimum above is still the chronological LP's.
    m = build_model(chronological_case(full_year=False, inter_day=1.0))
    bounded = {idx[-1] for idx in m.storage.intra_max_bound} | {
        idx[-1] for idx in m.storage.intra_min_bound}
    assert bounded == {t for t in range(DAYS * HOURS) if t % HOURS != HOURS - 1}
