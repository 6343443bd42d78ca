"""Binding limits and their shadow prices (synergy_models.limits) on tiny models solved by hand.

With the tiny defaults (discount rate 0, lifetime 1, no fixed O&M, one year of weight 1) a
technology's annual cost per GW is its ``capex`` (MUSD/GW/yr = USD/kW/yr) and the objective is
one year's cost, so a shadow price is the year's cost saved by one more unit of the limit.
"""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from synergy_models.indicators import binding_limits, limit_table
from synergy_models.model.build import build_model
from synergy_models.model.module import Limit
from synergy_models.results import build_results, read_results, write_results
from synergy_models.scenario import SolverSettings
from synergy_models.solve import solve_model
from tests.tiny import tiny_inputs, with_compute

GAS = {"capex": 30.0, "marginal_cost": 0.05}  # MUSD/GW/yr, MUSD/GWh
SOLAR = {"capex": 100.0}
CF = 0.25                                     # solar's capacity factor in the one step (8760 h)
HOURS = 8760.0


def solve(inputs: xr.Dataset) -> xr.Dataset:
    model = build_model(inputs)
    return build_results(model, solve_model(model, SolverSettings()), inputs)


def solar_case(solar_limit: float, **kw) -> xr.Dataset:
    """10 GW flat load a whole year; gas (30 MUSD/GW/yr, 0.05 MUSD/GWh) or solar (100 MUSD/GW/yr,
    capacity factor 0.25, always available at that rate)."""
    return tiny_inputs(["A"], {"gas": GAS, "solar": SOLAR}, np.array([[10.0]]), weights=[HOURS],
                       cf={"solar": np.array([[CF]])},
                       max_new={("A", "solar"): solar_limit, ("A", "gas"): 100.0}, **kw)


def limit(results: xr.Dataset, label: str) -> dict:
    return {name.removeprefix("limit_"): results[name].sel(limit=label).item()
            for name in ("limit_value", "limit_level", "limit_binding", "limit_shadow_price")}


# One GW of solar makes 0.25 GW in every hour: it saves 0.25 GW of gas capacity and 0.25 x 8760 GWh
# of gas output, and costs its own 100 MUSD/yr.
SOLAR_SHADOW = CF * (GAS["capex"] + HOURS * GAS["marginal_cost"]) - SOLAR["capex"]  # 17 USD/kW/yr


def test_a_binding_build_limit_on_cheap_solar_is_priced_at_the_cost_it_saves():
    r = solve(solar_case(20.0))
    solar = limit(r, "power.build_rate[A,solar,2030]")
    assert solar["binding"] == 1
    assert solar["value"] == pytest.approx(20.0) and solar["level"] == pytest.approx(20.0)
    assert solar["shadow_price"] == pytest.approx(SOLAR_SHADOW, rel=1e-6)
    assert r.limit_price_units.sel(limit="power.build_rate[A,solar,2030]").item() == "USD/kW/year"


def test_a_limit_that_does_not_bind_has_no_shadow_price():
    r = solve(solar_case(20.0))
    gas = limit(r, "power.build_rate[A,gas,2030]")
    assert gas["binding"] == 0
    assert gas["level"] == pytest.approx(10.0 - CF * 20.0)
    assert gas["shadow_price"] == pytest.approx(0.0, abs=1e-9)


def test_the_shadow_price_is_what_one_more_unit_saves():
    """Positive for a limit that costs money: relaxing it by 1 GW lowers the cost by that much
    (the objective is one year's cost with the tiny defaults)."""
    tight, relaxed = solve(solar_case(20.0)), solve(solar_case(21.0))
    saving = tight.attrs["objective"] - relaxed.attrs["objective"]
    assert saving == pytest.approx(SOLAR_SHADOW, rel=1e-6)
    assert limit(tight, "power.build_rate[A,solar,2030]")["shadow_price"] == pytest.approx(saving)
    # Once solar covers everything it can (40 GW x 0.25 = 10 GW) more is worth nothing.
    assert limit(solve(solar_case(50.0)), "power.build_rate[A,solar,2030]")["shadow_price"] == (
        pytest.approx(0.0, abs=1e-9))


RESERVE = dict(capacity={("A", "gas"): 10}, reserve_margin=0.2)
GAS_FIRM = {"capex": 30.0, "marginal_cost": 0.05, "capacity_credit": 1.0}


def test_the_reserve_margin_is_priced_at_the_firm_capacity_that_meets_it():
    """Peak 10 GW, margin 20%: 2 GW of gas more than the 10 GW existing (which run the load), so
    one GW less margin saves one GW of gas: 30 USD/kW/yr."""
    r = solve(tiny_inputs(["A"], {"gas": GAS_FIRM}, np.array([[10.0, 5.0]]),
                          reserve_shortfall_cost=100.0, **RESERVE))
    margin = limit(r, "policy.reserve_margin[A,2030]")
    assert margin["binding"] == 1
    assert margin["value"] == pytest.approx(12.0)  # (1 + 0.2) x 10 GW, all from decisions
    assert margin["shadow_price"] == pytest.approx(GAS_FIRM["capex"], rel=1e-6)
    assert r.limit_family.sel(limit="policy.reserve_margin[A,2030]").item() == "policy.reserve_margin"


def test_a_capped_build_makes_the_reserve_margin_cost_the_shortfall_price():
    """Gas limited to 1 GW new: the last GW of margin is a shortfall at 100 USD/kW/yr, so the
    margin's shadow price is 100 and one more GW of gas allowed saves 100 - 30 = 70."""
    r = solve(tiny_inputs(["A"], {"gas": GAS_FIRM}, np.array([[10.0, 5.0]]),
                          max_new={("A", "gas"): 1.0}, reserve_shortfall_cost=100.0, **RESERVE))
    assert limit(r, "policy.reserve_margin[A,2030]")["shadow_price"] == pytest.approx(100.0)
    gas = limit(r, "power.build_rate[A,gas,2030]")
    assert gas["binding"] == 1
    assert gas["shadow_price"] == pytest.approx(100.0 - GAS_FIRM["capex"], rel=1e-6)


def demand_response_case(share: float, cost: float):
    inputs = tiny_inputs(["A"], {"gas": GAS_FIRM}, np.array([[10.0, 5.0]]),
                         reserve_shortfall_cost=100.0, **RESERVE)
    inputs["demand_response_share"] = share
    inputs["demand_response_cost"] = cost   # MUSD/GW/yr = USD/kW/yr
    return solve(inputs)


def test_demand_response_meets_the_margin_before_dearer_firm_capacity():
    """Peak 10 GW, margin 20%, 10 GW of gas: 2 GW of firm capacity missing. Demand response of up
    to 10% of the peak (1 GW) at 5 USD/kW/yr comes first, then 1 GW of new gas at 30: the margin is
    priced at gas (30) and one more GW of demand response allowed saves 30 - 5 = 25. At 40 USD/kW/yr
    demand response is dearer than gas and none is enrolled."""
    r = demand_response_case(0.1, 5.0)
    assert float(r.firm_capacity.sel(firm_term="policy.demand_response", region="A").sum()) == (
        pytest.approx(1.0, rel=1e-9))
    assert float(r.capacity_new.sel(region="A", tech="gas").sum()) == pytest.approx(1.0, rel=1e-9)
    assert limit(r, "policy.reserve_margin[A,2030]")["shadow_price"] == pytest.approx(30.0, rel=1e-6)
    dr = limit(r, "policy.demand_response_limit[A,2030]")
    assert dr["binding"] == 1 and dr["value"] == pytest.approx(1.0)
    assert dr["shadow_price"] == pytest.approx(25.0, rel=1e-6)
    base = demand_response_case(0.0, 5.0)
    assert base.attrs["objective"] - r.attrs["objective"] == pytest.approx(25.0, rel=1e-6)
    dear = demand_response_case(0.1, 40.0)
    assert float(dear.firm_capacity.sel(firm_term="policy.demand_response").sum()) == (
        pytest.approx(0.0, abs=1e-9))
    assert dear.attrs["objective"] == pytest.approx(base.attrs["objective"], rel=1e-9)


def test_a_binding_carbon_cap_is_priced_per_tonne():
    """Coal (0.02 MUSD/GWh, 0.9 t/MWh) gives way to gas (0.05, 0.35) under a 40 Mt cap: one GWh
    moved costs 0.03 MUSD and avoids 0.55 kt, so a tonne of cap is worth 0.03/0.55 MUSD/kt =
    54.5 USD/t."""
    techs = {"coal": {"marginal_cost": 0.02, "emission_intensity": 0.9},
             "gas": {"marginal_cost": 0.05, "emission_intensity": 0.35}}
    r = solve(tiny_inputs(["A"], techs, np.array([[10.0]]), max_new=0.0, weights=[HOURS],
                          capacity={("A", "coal"): 20, ("A", "gas"): 20}, carbon_cap=40.0))
    cap = limit(r, "policy.carbon_cap[2030]")
    assert cap["binding"] == 1 and cap["value"] == pytest.approx(40_000.0)  # kt
    assert cap["shadow_price"] == pytest.approx(0.03 / 0.55 * 1000, rel=1e-6)
    assert r.limit_price_units.sel(limit="policy.carbon_cap[2030]").item() == "USD/t"


def test_binding_limits_table_lists_what_binds_most_valuable_first(tmp_path):
    inputs = solar_case(20.0, carbon_cap=1000.0)  # Mt: far above gas's 0.35 t/MWh x 43.8 TWh
    inputs["emission_intensity"].loc[{"tech": "gas"}] = 0.35
    r = read_results(write_results(solve(inputs), tmp_path / "r.nc"))  # as read from a file
    table = binding_limits(r)
    assert list(table.family) == ["power.build_rate", "policy.reserve_margin"]
    top = table.iloc[0]
    assert (top.region, top.tech, top.year) == ("A", "solar", 2030)
    assert top.shadow_price == pytest.approx(SOLAR_SHADOW, rel=1e-6)
    assert top.units == "GW" and top.price_units == "USD/kW/year"
    assert table.shadow_price.is_monotonic_decreasing
    everything = limit_table(r)
    assert set(everything.family) == {"power.build_rate", "policy.reserve_margin",
                                      "policy.carbon_cap"}
    assert not everything.set_index("family").loc["policy.carbon_cap", "binding"]
    assert len(binding_limits(r, min_shadow_price=1.0)) == 1


def test_limits_over_the_horizon_and_in_service_are_made_annual():
    """Two modelled years standing for 1 and 2 years (present-value weights 1 and 2 at a 0%
    rate): gas built in the first year serves 3 years, so its build limit's dual (a present value)
    over 3 is the annual value."""
    inputs = solar_case(20.0)
    two = inputs.reindex(year=[2030, 2031], method="ffill")  # every year's data as 2030's
    two["year_weight"] = ("year", [1.0, 2.0])
    r = solve(two)
    # The horizon limit (20 GW of solar over both years) binds; solar built in 2030 saves
    # 17 USD/kW in each of the 3 years.
    horizon = limit(r, "power.build_limit[A,solar]")
    assert horizon["binding"] == 1
    assert horizon["shadow_price"] == pytest.approx(SOLAR_SHADOW, rel=1e-6)
    assert r.limit_year.sel(limit="power.build_limit[A,solar]").item() == 0


def test_grid_safety_is_priced_for_a_year_of_every_step():
    """Training demand of 5 GW in A (gas at 0.10 MUSD/GWh) may move to B (coal at 0.02) over
    bandwidth at 1 MUSD/GW/yr; B's grid-safety cap is 0.2 x its 10 GW peak = 2 GW of IT load. One
    GW more there moves a GW of load for the whole year: (0.10 - 0.02) x 8760 - 1 = 699.8
    USD/kW/yr, not divided by the step's 8760 hours (a year's value, not a price per hour)."""
    power = tiny_inputs(["A", "B"], {"gas": {"marginal_cost": 0.10}, "coal": {"marginal_cost": 0.02}},
                        np.array([[20.0], [10.0]]), weights=[HOURS], max_new=0.0,
                        capacity={("A", "gas"): 100, ("B", "coal"): 100})
    r = solve(with_compute(power, {("A", "training"): 5.0}, grid_share_max=0.2,
                           bandwidth_cost=1.0))
    b, a = limit(r, "compute.grid_safety[B,2030]"), limit(r, "compute.grid_safety[A,2030]")
    assert b["binding"] == 1 and b["value"] == pytest.approx(2.0) and b["level"] == pytest.approx(2.0)
    assert b["shadow_price"] == pytest.approx((0.10 - 0.02) * HOURS - 1.0, rel=1e-6)
    assert a["binding"] == 0 and a["level"] == pytest.approx(3.0)
    assert a["shadow_price"] == pytest.approx(0.0, abs=1e-9)


def test_a_limit_declaration_is_checked():
    with pytest.raises(ValueError, match="kind"):
        Limit("power.new", "cap", ("region",), "GW", "USD/kW/year", "x")
    with pytest.raises(ValueError, match="year"):
        Limit("power.new", "upper_bound", ("region",), "GW", "USD/kW/year", "x",
              discount="in_service")
