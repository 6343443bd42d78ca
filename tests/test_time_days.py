"""Profiles of any whole number of days (a week, a month...), weighted to a year.

Each hour of profiles of N days stands for 8760 / (24 N) hours of the year; ``full_year`` solves
every hour of the N days in order, storage cyclic over them. The expected cost of the week below is
an LP written out with scipy, not the model's code.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from scipy.optimize import linprog

from synergy_models.data.loader import load_inputs
from synergy_models.data.timeseries import expand_to_year, reduce_time
from synergy_models.errors import InputError
from synergy_models.model.build import build_model
from synergy_models.results import build_results
from synergy_models.scenario import Scenario, SolverSettings, TimeSettings
from synergy_models.solve import solve_model
from tests.tiny import tiny_inputs

WEEK = 7 * 24
RNG = np.random.default_rng(2018)
LOAD = 10.0 + 3.0 * np.sin(np.arange(WEEK) / 24 * 2 * np.pi) + RNG.random(WEEK)      # GW
# Windy for three days, then calm: storage has a reason to carry energy across days.
WIND_CF = np.where(np.arange(WEEK) < 72, 0.85, 0.15) * (0.9 + 0.1 * RNG.random(WEEK))
WIND, GAS, POWER, ENERGY, ETA, GAS_COST, VOLL = 20.0, 8.0, 5.0, 60.0, 0.81, 0.08, 10.0


def week_hourly() -> xr.Dataset:
    """A one-hub dataset whose profiles are 168 hourly steps (a week from Monday 6 January 2025),
    as the loader hands it to :func:`reduce_time`."""
    techs = {"wind": {}, "gas": {"marginal_cost": GAS_COST}, "pumped_hydro": {"efficiency": ETA}}
    ds = tiny_inputs(["A"], techs, LOAD[None, :], max_new=0.0,
                     capacity={("A", "wind"): WIND, ("A", "gas"): GAS, ("A", "pumped_hydro"): POWER},
                     energy={("A", "pumped_hydro"): ENERGY}, cf={"wind": WIND_CF[None, :]},
                     value_of_lost_load=VOLL)
    return (ds.drop_vars(["weight", "step_hours", "day_period", "period", "hour", "day"])
            .assign_coords(time=pd.date_range("2025-01-06", periods=WEEK, freq="h")))


def week_inputs() -> xr.Dataset:
    """:func:`week_hourly` with ``full_year`` resolution: every hour of the week."""
    return reduce_time(week_hourly(), TimeSettings(resolution="full_year"))


def week_lp(weight: float) -> float:
    """The week as an LP: columns per hour t are wind w, gas g, unserved u, charge c, discharge d
    and level e; the level is cyclic over the 168 hours (the week repeats through the year).

    min  sum_t weight (GAS_COST g_t + VOLL u_t)
    s.t. w_t + g_t + u_t + d_t - c_t = L_t                       balance
         e_t = e_{t-1 mod 168} + 0.9 c_t - d_t / 0.9              storage level
         c_t + d_t <= POWER, 0 <= e_t <= ENERGY, w_t <= cf_t WIND, g_t <= GAS
    """
    n = WEEK
    w, g, u, c, d, e = (np.arange(n) + k * n for k in range(6))
    cost = np.zeros(6 * n)
    cost[g], cost[u] = weight * GAS_COST, weight * VOLL
    a_eq, b_eq = np.zeros((2 * n, 6 * n)), np.zeros(2 * n)
    one_way = ETA ** 0.5
    for t in range(n):
        a_eq[t, [w[t], g[t], u[t], d[t]]], a_eq[t, c[t]], b_eq[t] = 1.0, -1.0, LOAD[t]
        a_eq[n + t, e[t]] += 1.0
        a_eq[n + t, e[(t - 1) % n]] -= 1.0
        a_eq[n + t, c[t]], a_eq[n + t, d[t]] = -one_way, 1 / one_way
    a_ub = np.zeros((n, 6 * n))
    for t in range(n):
        a_ub[t, [c[t], d[t]]] = 1.0
    bounds = ([(0, cf * WIND) for cf in WIND_CF] + [(0, GAS)] * n + [(0, None)] * 3 * n
              + [(0, ENERGY)] * n)
    res = linprog(cost, A_ub=a_ub, b_ub=np.full(n, POWER), A_eq=a_eq, b_eq=b_eq, bounds=bounds,
                  method="highs")
    assert res.status == 0, res.message
    return float(res.fun)


def test_a_week_of_profiles_solves_hourly_weighted_to_a_year():
    inputs = week_inputs()
    assert inputs.sizes["time"] == WEEK and inputs.sizes["day"] == 7
    np.testing.assert_allclose(inputs.weight.values, 8760 / 168)
    assert float(inputs.weight.sum()) == pytest.approx(8760)
    assert list(inputs.day_period.values) == list(range(7))
    assert (inputs.reduction_rmse == 0).all()
    assert expand_to_year(inputs.wind_cf, inputs).sizes["time"] == WEEK

    model = build_model(inputs)
    results = build_results(model, solve_model(model, SolverSettings()), inputs)
    assert results.attrs["objective"] == pytest.approx(week_lp(8760 / 168), rel=1e-6)
    # Storage cycles over the week: full after the windy days, not at the same level every day.
    daily = results.storage_level_daily.sel(region="A", storage_tech="pumped_hydro", year=2030)
    assert float(daily.max() - daily.min()) > 1.0
    # Each week's energy is a year's: the annual demand is the week's mean load x 8,760 h.
    annual = float((results.demand.sel(region="A", year=2030) * results.weight).sum())
    assert annual == pytest.approx(LOAD.mean() * 8760, rel=1e-9)


def test_representative_days_of_a_week():
    """Three representative days of a week: each hour stands for its period's days x 8760/168 h."""
    reduced = reduce_time(week_hourly(), TimeSettings(resolution="representative_days", days=3))
    assert reduced.sizes["time"] == 3 * 24 and reduced.sizes["day"] == 7
    assert float(reduced.weight.sum()) == pytest.approx(8760)
    counts = np.bincount(reduced.day_period.values, minlength=3)
    np.testing.assert_allclose(reduced.weight.values.reshape(3, 24),
                               np.repeat(counts[:, None] * 8760 / 168, 24, axis=1))
    with pytest.raises(ValueError, match=r"time\.days <= 7"):
        reduce_time(week_hourly(), TimeSettings(days=8))
    with pytest.raises(ValueError, match=r"100 hours.*multiple of 24"):
        reduce_time(week_hourly().isel(time=slice(0, 100)), TimeSettings(resolution="full_year"))


# --- the dataset's own profiles cut to a week, or to a length that is no whole day -------------

def _cut_profiles(folder: Path, hours: int) -> None:
    path = folder / "profiles.nc"
    with xr.open_dataset(path) as f:
        ds = f.load()
    ds.isel(time=slice(0, hours)).to_netcdf(path)


def _scenario(folder: Path, **time: object) -> Scenario:
    return Scenario(name="t", dataset=str(folder), years=[2025, 2030], time=time)


def test_the_dataset_with_a_week_of_profiles(dataset_copy):
    _cut_profiles(dataset_copy, WEEK)
    full = load_inputs(_scenario(dataset_copy, resolution="full_year"))
    assert full.sizes["time"] == WEEK and full.sizes["day"] == 7
    np.testing.assert_allclose(full.weight.values, 8760 / WEEK)
    # A year's energy is the week's, 52.14 times: demand (GWh/yr) x the week's mean load profile
    # (not rescaled: a January week has more load than the year's average; docs/data.md).
    load = full.demand / 8760 * full.load_profile
    np.testing.assert_allclose((load * full.weight).sum("time").values,
                               (full.demand * full.load_profile.mean("time")).values, rtol=1e-9)
    reduced = load_inputs(_scenario(dataset_copy, days=3, segments=4))
    assert reduced.sizes["time"] == 12 and float(reduced.weight.sum()) == pytest.approx(8760)
    assert reduced.sizes["day"] == 7
    with pytest.raises(InputError) as err:
        load_inputs(_scenario(dataset_copy, days=8))
    p = err.value.problems[0]
    assert p.column == "time.days" and p.value == 8 and "at most 7" in p.expected


def test_profiles_that_are_not_whole_days(dataset_copy):
    _cut_profiles(dataset_copy, 100)
    with pytest.raises(InputError) as err:
        load_inputs(_scenario(dataset_copy))
    p = err.value.problems[0]
    assert p.file.endswith("profiles.nc") and "100 hours" in p.message
    assert "multiple of 24" in p.expected and "168" in p.expected
