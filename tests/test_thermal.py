"""The thermal block (linearised unit commitment, CHP must-run) on tiny cases derived by hand.

Units: GW, GWh, MUSD; 0.01 MUSD/GWh = 10 USD/MWh, 0.05 MUSD/GW = 50 USD/MW. With the tiny defaults
(discount rate 0, lifetime 1, no fixed O&M, existing capacity only) the objective is the year's
variable cost plus its start-up cost.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from synergy_models.data.loader import heating_season_share, load_inputs
from synergy_models.model.build import build_model
from tests.test_model import solve
from tests.tiny import tiny_inputs, with_thermal

COAL, PEAKER = 0.02, 0.10  # MUSD/GWh: 20 and 100 USD/MWh


def coal_and_peaker(load, *, weights=None, step_hours=None, **thermal) -> xr.Dataset:
    """One hub: 10 GW of existing coal (committable) and 10 GW of an uncommitted gas peaker."""
    ds = tiny_inputs(["A"], {"coal": {"marginal_cost": COAL}, "gas": {"marginal_cost": PEAKER}},
                     np.array([load], dtype=float), weights=weights, step_hours=step_hours,
                     capacity={("A", "coal"): 10.0, ("A", "gas"): 10.0}, max_new=0.0)
    return with_thermal(ds, {"coal": 0.4}, **thermal)


# --- 1. minimum stable load ------------------------------------------------------------------

@pytest.mark.parametrize("start_cost", [0.05, 0.2])
def test_minimum_stable_load_trades_start_ups_against_the_peaker(start_cost):
    """Load 10 GW then 2 GW (one representative day of two 1-h steps, cyclic).

    In the 2-GW step committed coal U1 must keep p1 >= 0.4 U1 with p1 <= 2, so U1 <= 5; starting
    up again for the 10-GW step costs c per GW above U1 (start-ups S0 >= U0 - U1). Keeping U1 = 5
    is free (coal covers the 2 GW), so each GW of coal above 5 GW in the first step saves the
    peaker's 0.08 MUSD/GWh and costs c of start-up:
    - c = 0.05 < 0.08: U0 = 10, start-ups 5 GW, cost 0.02 x 12 + 0.05 x 5 = 0.49;
    - c = 0.20 > 0.08: U0 = 5 (no start-ups), the peaker covers 5 GW: 0.02 x 7 + 0.1 x 5 = 0.64.
    """
    r = solve(coal_and_peaker([10.0, 2.0], start_up_cost={"coal": start_cost}))
    coal = r.generation.sel(region="A", gen_tech="coal", year=2030).values
    committed = r.committed.sel(region="A", gen_tech="coal", year=2030).values
    if start_cost < PEAKER - COAL:
        assert r.attrs["objective"] == pytest.approx(0.49, rel=1e-6)
        np.testing.assert_allclose(coal, [10.0, 2.0], atol=1e-6)
        np.testing.assert_allclose(committed, [10.0, 5.0], atol=1e-6)
        assert float(r.start_ups_annual.sel(region="A", gen_tech="coal", year=2030)) == pytest.approx(5.0)
    else:
        assert r.attrs["objective"] == pytest.approx(0.64, rel=1e-6)
        np.testing.assert_allclose(coal, [5.0, 2.0], atol=1e-6)
        assert float(r.start_ups_annual.sel(region="A", gen_tech="coal", year=2030)) == pytest.approx(
            0.0, abs=1e-6)
    # generation of committed capacity stays within [m U, U]
    assert (coal >= 0.4 * committed - 1e-6).all() and (coal <= committed + 1e-6).all()


def test_without_min_stable_load_the_module_changes_nothing():
    """Coal with no minimum load is not committed: it covers 10 and 2 GW for 0.02 x 12."""
    ds = coal_and_peaker([10.0, 2.0], start_up_cost={"coal": 0.2})
    ds["min_stable_load"] = xr.zeros_like(ds.min_stable_load)
    r = solve(ds)
    assert r.attrs["objective"] == pytest.approx(0.24, rel=1e-6)
    assert float(abs(r.committed).sum()) == 0.0


def test_committed_output_is_capped_by_availability_without_its_own_row():
    """Coal available at 90% (9 of 10 GW), load 10 then 2 GW, start-ups 0.05 MUSD/GW.

    The power block writes no availability row for committed coal (p <= U <= 0.9 K is the thermal
    block's), yet coal still stops at 9 GW: U0 = 9, U1 = 5 (free, as above), start-ups 4 GW, the
    peaker covers 1 GW: 0.02 x (9 + 2) + 0.1 x 1 + 0.05 x 4 = 0.52 (one GW less coal in the first
    step would save 0.05 of start-up and cost 0.08 of peaker, so 9 it is)."""
    ds = coal_and_peaker([10.0, 2.0], start_up_cost={"coal": 0.05})
    ds["availability"] = ds.availability.where(ds.tech != "coal", 0.9)
    m = build_model(ds)
    rows = {idx[:2] for idx in m.power.availability}
    assert ("A", "gas") in rows and ("A", "coal") not in rows
    r = solve(ds)
    assert r.attrs["objective"] == pytest.approx(0.52, rel=1e-6)
    np.testing.assert_allclose(r.generation.sel(region="A", gen_tech="coal", year=2030).values,
                               [9.0, 2.0], atol=1e-6)


# --- 2. ramp limit ---------------------------------------------------------------------------

def test_ramp_limit_makes_the_peaker_cover_the_ramp():
    """Load 2 GW then 10 GW; coal ramps 0.5 of committed capacity per hour, minimum load 0.1.

    Ramping up, p1 - p0 <= 0.5 (U1 - S1) + max(0.1, 0.5) S1 - 0.1 SD1 <= 0.5 x 10 = 5 GW, and
    p0 <= 2, so coal reaches at most 7 GW: the peaker covers 3 GWh (cost 0.02 x 9 + 0.1 x 3 = 0.48).
    Ramping back down (10 -> 2, the cyclic step) 7 - 2 = 5 <= 0.5 x 10 fits. Without the ramp limit
    coal covers everything (0.02 x 12 = 0.24).
    """
    ds = coal_and_peaker([2.0, 10.0], ramp_limit={"coal": 0.5})
    ds["min_stable_load"] = ds.min_stable_load.where(ds.tech != "coal", 0.1)
    r = solve(ds)
    peaker = r.generation.sel(region="A", gen_tech="gas", year=2030)
    assert float(peaker.sum()) == pytest.approx(3.0, abs=1e-6)
    assert float(peaker.isel(time=1)) == pytest.approx(3.0, abs=1e-6)
    assert r.attrs["objective"] == pytest.approx(0.48, rel=1e-6)
    ds["ramp_limit"] = xr.ones_like(ds.ramp_limit)
    assert solve(ds).attrs["objective"] == pytest.approx(0.24, rel=1e-6)


# --- 3. start-up cost weighting --------------------------------------------------------------

def test_start_up_cost_counts_each_day_the_period_stands_for():
    """Test 1's day (c = 0.05) as two 2-h segments standing for 10 days (weights 20 h each).

    Start-ups happen once per day: 10 days x 5 GW = 50 GW/yr, costing 0.05 x 50 = 2.5 MUSD/yr
    (w/Δ = 10 days, not w = 20 h). Energy: 10 x (0.02 x 10 x 2 + 0.02 x 2 x 2) = 4.8 MUSD; each
    GW kept for the 10-GW segment still saves 0.08 x 2 = 0.16 > 0.05 a day.
    """
    r = solve(coal_and_peaker([10.0, 2.0], weights=[20.0, 20.0], step_hours=[2.0, 2.0],
                              start_up_cost={"coal": 0.05}))
    assert float(r.start_ups_annual.sel(region="A", gen_tech="coal", year=2030)) == pytest.approx(50.0)
    assert float(r.start_up_cost_annual.sel(region="A", gen_tech="coal", year=2030)) == pytest.approx(2.5)
    assert float(r.cost.sel(component="start_up", year=2030)) == pytest.approx(2.5)
    assert r.attrs["objective"] == pytest.approx(7.3, rel=1e-6)


# --- 4. CHP must-run -------------------------------------------------------------------------

def two_season_inputs(heating: tuple[float, float]) -> xr.Dataset:
    """One hub with 4 GW flat load, 10 GW of free wind (cf 1) and 10 GW of coal (60% CHP).

    Two periods of one 1-h step: period 0 stands for 1 Jan - 10 Apr (100 days), period 1 for
    11 Apr - 31 Dec (265 days) of 2025.
    """
    ds = tiny_inputs(["A"], {"coal": {"marginal_cost": COAL}, "wind": {}}, np.array([[4.0, 4.0]]),
                     weights=[100.0, 265.0], periods=[0, 1], cf={"wind": np.ones((1, 2))},
                     capacity={("A", "coal"): 10.0, ("A", "wind"): 10.0}, max_new=0.0)
    days = pd.date_range("2025-01-01", periods=365, freq="D")
    ds = ds.drop_vars(["day_period", "day"]).assign_coords(day=days)
    ds["day_period"] = ("day", np.where(np.arange(365) < 100, 0, 1))
    return with_thermal(ds, {}, chp_share=0.6, chp_output=0.5, heating=heating)


def test_heating_season_share_from_day_period():
    """Heating 15 Nov - 15 Mar (days 319 to 74, wrapping): period 0 holds 74 of its 100 days,
    period 1 the 47 days from 15 Nov (day 319) to 31 Dec of its 265. All year (1 to 366): 1."""
    share = heating_season_share(two_season_inputs((319, 74)))
    np.testing.assert_allclose(share.sel(region="A").values, [0.74, 47 / 265])
    share = heating_season_share(two_season_inputs((1, 366)))
    np.testing.assert_allclose(share.values, 1.0)
    share = heating_season_share(two_season_inputs((60, 120)))  # no wrap: days 60..100, 101..120
    np.testing.assert_allclose(share.sel(region="A").values, [41 / 100, 20 / 265])


def test_chp_must_run_floor_in_heating_days_only():
    """Free wind could cover the 4 GW, but CHP coal must run at s x 0.5 x 0.6 x 10 = 3 s GW.

    Coal output = the floor: 3 x 0.74 = 2.22 GW for 100 days and 3 x 47/265 GW for 265 days, i.e.
    3 GW on each of the 121 heating days: 363 GWh, costing 0.02 x 363 = 7.26 MUSD. With the season
    all year the floor is 3 GW every day: 0.02 x 3 x 365 = 21.9 MUSD.
    """
    r = solve(two_season_inputs((319, 74)))
    coal = r.generation.sel(region="A", gen_tech="coal", year=2030)
    np.testing.assert_allclose(coal.values, [2.22, 3 * 47 / 265], atol=1e-6)
    np.testing.assert_allclose(r.must_run_floor.sel(region="A", gen_tech="coal", year=2030).values,
                               coal.values, atol=1e-6)
    assert float(r.generation_annual.sel(region="A", gen_tech="coal", year=2030)) * 1000 == pytest.approx(363)
    assert r.attrs["objective"] == pytest.approx(7.26, rel=1e-6)
    assert solve(two_season_inputs((1, 366))).attrs["objective"] == pytest.approx(21.9, rel=1e-6)


# --- the default dataset ---------------------------------------------------------------------

def test_base_scenario_builds_with_the_thermal_block():
    """Hourly steps (no segments), so that coal's ramp limit (0.5/h) gives constraints: segments
    of 2 h or more let coal ramp fully within the step."""
    inputs = load_inputs("base", {"time.days": 2, "time.segments": 24, "years": {2025: 1, 2030: 1}})
    assert {"min_stable_load", "chp_must_run_share", "chp_output"} <= set(inputs.data_vars)
    share = inputs.chp_must_run_share
    assert float(share.min()) >= 0 and float(share.max()) <= 1
    assert float(share.sel(region="YRD").min()) == 1.0  # no heating season given: all year
    m = build_model(inputs)
    assert {(r, g) for r, g in m.thermal.RC} >= {("IM", "coal"), ("BTH", "gas")}
    assert len(m.thermal.must_run) > 0 and len(m.thermal.ramp_up) > 0
    assert "thermal.cost_start_up" in m.terms.costs
