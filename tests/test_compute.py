"""The compute module on tiny cases derived by hand (issue: compute siting and exports).

Units: GW of IT load, MUSD; 0.001 MUSD/GWh = 1 USD/MWh. Tiny defaults: one year of weight 1,
discount rate 0, annual costs equal to ``capex``.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import pytest
import xarray as xr

from synergy_models.model.build import build_model
from tests.test_model import solve
from tests.tiny import tiny_inputs, with_compute

HOURS = 8760.0


def east_west(bandwidth_cost: float, *, latency: float = 30.0, inference: float = 0.0,
              training: float = 1.0) -> xr.Dataset:
    """E (origin, near): gas at 60 USD/MWh; W (far, green): cheap supply at 20 USD/MWh; no power
    line between them. One flat hour standing for the whole year."""
    techs = {"gas": {"marginal_cost": 0.060}, "wind": {"marginal_cost": 0.020}}
    power = tiny_inputs(["E", "W"], techs, np.array([[5.0], [5.0]]), weights=[HOURS], max_new=0.0,
                        capacity={("E", "gas"): 50, ("W", "wind"): 50},
                        cf={"wind": np.array([[0.0], [1.0]])})
    return with_compute(power, {("E", "training"): training, ("E", "inference"): inference},
                        latency={("E", "W"): latency, ("W", "E"): latency}, pue=1.2,
                        bandwidth_cost=bandwidth_cost)


def test_training_moves_west_when_bandwidth_is_cheaper_than_the_price_gap_times_pue():
    """Serving 1 GW of IT in W instead of E saves (60 - 20) USD/MWh x PUE 1.2 x 8,760 h =
    420.48 MUSD per GW-year: the threshold for the bandwidth cost."""
    threshold = (0.060 - 0.020) * 1.2 * HOURS
    below = solve(east_west(threshold * 0.95))
    above = solve(east_west(threshold * 1.05))
    assert below.compute_exports.sel(origin="E", region="W").item() == pytest.approx(HOURS / 1000)
    assert above.compute_exports.sum().item() == pytest.approx(0.0, abs=1e-9)
    assert below.bandwidth.sel(origin="E", region="W").item() == pytest.approx(1.0)
    saving = above.attrs["objective"] - below.attrs["objective"]  # above: the gas in E
    assert saving == pytest.approx(threshold - threshold * 0.95, rel=1e-6)


def test_inference_never_moves_beyond_its_latency_limit():
    """30 ms is beyond the 20 ms limit: inference stays in E even with free bandwidth; at 15 ms it
    goes west like training."""
    far = solve(east_west(0.0, latency=30.0, inference=1.0, training=0.0))
    near = solve(east_west(0.0, latency=15.0, inference=1.0, training=0.0))
    assert far.compute_served.sel(origin="E", region="W").sum().item() == pytest.approx(0.0)
    assert near.compute_served.sel(origin="E", region="W", workload="inference").item() == (
        pytest.approx(HOURS / 1000))


def test_it_load_times_pue_is_the_extra_demand_each_hub_supplies():
    """0.7 GW of inference stays in E (30 ms is beyond its 20 ms limit); 0.4 GW of training goes
    west over free bandwidth. Each hub's generation is its own 5 GW plus the IT load it serves
    times PUE 1.2: E's gas 5 + 0.7 x 1.2 = 5.84 GW, W's wind 5 + 0.4 x 1.2 = 5.48 GW, for a year
    of (5.84 x 60 + 5.48 x 20) USD/MWh x 8,760 h = 4,029.6 MUSD."""
    load, pue, inference, training = 5.0, 1.2, 0.7, 0.4  # as east_west builds them
    r = solve(east_west(0.0, latency=30.0, inference=inference, training=training))
    gas_e, wind_w = load + inference * pue, load + training * pue
    gen = r.generation.sel(year=2030).sum("time")
    assert gen.sel(region="E", gen_tech="gas").item() == pytest.approx(gas_e, rel=1e-9)
    assert gen.sel(region="W", gen_tech="wind").item() == pytest.approx(wind_w, rel=1e-9)
    term = -r.balance.sel(term="compute.electricity", year=2030).sum("time")
    assert term.sel(region="E").item() == pytest.approx(inference * pue, rel=1e-9)
    assert term.sel(region="W").item() == pytest.approx(training * pue, rel=1e-9)
    assert r.attrs["objective"] == pytest.approx((gas_e * 0.060 + wind_w * 0.020) * HOURS, rel=1e-9)
    assert float(abs(r.balance.sum("term")).max()) < 1e-6


def solar_day(matching: str, shortfall_cost: float = 0.5) -> xr.Dataset:
    """A 24-hour day (weight 365) with solar at full output 12 hours and none the others, gas
    otherwise; a flat 1 GW data centre with PUE 1.2 and an 80% green target."""
    techs = {"solar": {}, "gas": {"marginal_cost": 0.060}}
    sun = np.array([[0.0] * 6 + [1.0] * 12 + [0.0] * 6])
    power = tiny_inputs(["A"], techs, np.full((1, 24), 5.0), weights=[365.0] * 24, max_new=0.0,
                        capacity={("A", "solar"): 30, ("A", "gas"): 30}, cf={"solar": sun})
    return with_compute(power, {("A", "inference"): 1.0}, pue=1.2, green_share=0.8,
                        certificate_price=0.01, green_export_max=0.2,
                        green_shortfall_cost=shortfall_cost, matching=matching)


def test_hourly_matching_costs_more_than_annual_matching():
    """Annual: contracting enough solar for 80% of the year's 10.512 TWh costs nothing (the solar
    exists; contracting only labels it), so no certificates or shortfall. Hourly: solar matches
    at most the 12 sunny hours, 50% of the energy, leaving 30% x 10,512 GWh short at 0.5
    MUSD/GWh = 1,576.8 MUSD more."""
    energy = 1.2 * HOURS
    annual = solve(solar_day("annual"))
    hourly = solve(solar_day("hourly"))
    assert annual.green_share_achieved.item() >= 0.8 - 1e-9  # (any share above is free here)
    assert hourly.green_share_achieved.item() == pytest.approx(0.5, rel=1e-6)
    extra = hourly.attrs["objective"] - annual.attrs["objective"]
    assert extra == pytest.approx(0.5 * 0.3 * energy, rel=1e-6)


def test_temporal_flexibility_lowers_cost_and_curtailment_with_a_midday_surplus():
    """Solar 20 GW for 5 midday hours over a 10 GW load and 1 GW of training: a surplus of 9 GW
    for 5 hours. Rigid, training burns gas 19 hours a day (19 GWh). Half the training (12 GWh a
    day) can move: it all moves into the surplus, so the rigid half burns gas 19 x 0.5 = 9.5 GWh
    a day. Saving 9.5 GWh x 60 USD/MWh x 365 days = 208.05 MUSD, and 9.5 x 365 GWh of
    curtailment."""
    techs = {"solar": {}, "gas": {"marginal_cost": 0.060}}
    sun = np.array([[0.0] * 10 + [1.0] * 5 + [0.0] * 9])

    def case(flex: float) -> xr.Dataset:
        power = tiny_inputs(["A"], techs, np.full((1, 24), 10.0), weights=[365.0] * 24,
                            max_new=0.0, capacity={("A", "solar"): 20, ("A", "gas"): 30},
                            cf={"solar": sun})
        return solve(with_compute(power, {("A", "training"): 1.0}, flexibility=flex))

    rigid, flexible = case(0.0), case(0.5)
    assert rigid.attrs["objective"] - flexible.attrs["objective"] == pytest.approx(
        9.5 * 365 * 0.060)
    curtailed = (rigid.curtailment_annual - flexible.curtailment_annual).sum().item()
    assert curtailed == pytest.approx(9.5 * 365 / 1000)


def test_unservable_compute_demand_is_diagnosed_with_its_limits():
    """Grid safety at 0% of the peak leaves no hub that may run data centres: the diagnosis names
    the compute demand it starves and the bound behind it."""
    from synergy_models.solve import SolveError

    power = tiny_inputs(["A"], {"gas": {"marginal_cost": 0.05}}, np.array([[5.0]]),
                        weights=[HOURS], max_new=0.0, capacity={("A", "gas"): 20})
    ds = with_compute(power, {("A", "training"): 0.8}, grid_share_max=0.0)
    with pytest.raises(SolveError, match="infeasible") as err:
        solve(ds)
    assert "compute.demand[A,training,2030]" in str(err.value)
    assert "grid_share_max" in str(err.value)


def test_backup_requirement_and_grid_safety():
    """New data centres need 1 GW of backup per GW of IT: the cheaper of diesel (40) and battery
    (90) covers it. A grid-safety share of 10% of a 5 GW peak caps the data-centre load in A at
    0.5 GW, so the rest of a 0.8 GW demand is served in B (serving at home saves the bandwidth):
    0.8 GW built, 0.8 GW of diesel."""
    techs = {"gas": {"marginal_cost": 0.05}}
    power = tiny_inputs(["A", "B"], techs, np.array([[5.0], [5.0]]), weights=[HOURS], max_new=0.0,
                        capacity={("A", "gas"): 20, ("B", "gas"): 20})
    ds = with_compute(power, {("A", "training"): 0.8}, dc_capacity=0.0, capex_dc=1.0,
                      backup_ratio=1.0, capex_backup={"diesel": 40.0, "battery": 90.0},
                      grid_share_max=0.1, pue=1.0, bandwidth_cost=1.0)
    r = solve(ds)
    assert r.dc_capacity_new.sum().item() == pytest.approx(0.8)
    assert r.backup_capacity.sel(backup_tech="diesel").sum().item() == pytest.approx(0.8)
    assert r.backup_capacity.sel(backup_tech="battery").sum().item() == pytest.approx(0.0)
    assert r.dc_load.sel(region="A").max().item() == pytest.approx(0.5)
    assert r.dc_load.sel(region="B").max().item() == pytest.approx(0.3)


@pytest.mark.parametrize("scope", ["system", "hub"])
def test_grid_safety_caps_data_centre_load_at_the_hubs_own_peak_in_either_reserve_scope(scope):
    """IT load <= grid_share_max x the hub's own peak / PUE (the larger of the existing fleet's
    and the new builds'), whatever the reserve margin's scope (which decides only whether the
    power block's peak term is the hub's own or coincident)."""
    from synergy_models.data.loader import load_inputs

    inputs = load_inputs("milestones", {"time.days": 1, "time.segments": 2,
                                        "policy.reserve_scope": scope})
    m = build_model(inputs)
    for s in m.R:
        for y in m.Y:
            own = float(inputs.peak_load.sel(region=s, year=y))
            pue = max(float(inputs.pue.sel(region=s)), float(inputs.pue_existing.sel(region=s)))
            cap = float(inputs.grid_share_max.sel(region=s)) * own / pue
            assert m.compute.it_load[s, y, 0].ub == pytest.approx(cap, rel=1e-12)
            reserve_peak = inputs.peak_load_coincident if scope == "system" else inputs.peak_load
            assert pyo.value(m.power.peak[s, y]) == pytest.approx(
                float(reserve_peak.sel(region=s, year=y)), rel=1e-12)
    # The two peaks differ somewhere, so the test tells the scopes apart.
    assert float(abs(inputs.peak_load - inputs.peak_load_coincident).max()) > 1.0


def fleet(capex_dc: float, pue_existing: float = 1.5) -> xr.Dataset:
    """One hub, gas at 60 USD/MWh, one flat hour for the year: 1.6 GW of IT demand, 1 GW of
    existing capacity at PUE 1.5, new builds at PUE 1.2, utilisation limit 1."""
    power = tiny_inputs(["A"], {"gas": {"marginal_cost": 0.060}}, np.array([[5.0]]),
                        weights=[HOURS], max_new=0.0, capacity={("A", "gas"): 50})
    ds = with_compute(power, {("A", "inference"): 1.6}, pue=1.2, dc_capacity=1.0,
                      capex_dc=capex_dc)
    ds["pue_existing"] = ("region", [pue_existing])
    return ds


def test_existing_fleet_and_new_builds_draw_power_at_their_own_pue():
    """The 0.6 GW the fleet cannot carry is built; the new halls run full (lower PUE), the fleet
    carries the rest: 0.6 x 1.2 + 1.0 x 1.5 = 2.22 GW of electricity (one PUE of 1.2 for all
    would say 1.92). Replacing a GW of the fleet's load by new builds saves (1.5 - 1.2) x 60
    USD/MWh x 8,760 h = 157.68 MUSD a year: above that capex only the 0.6 GW are built, below it
    all 1.6 GW move to new halls and the fleet stands idle (1.6 x 1.2 = 1.92 GW)."""
    saving = (1.5 - 1.2) * 0.060 * HOURS
    dear, cheap = solve(fleet(saving * 1.05)), solve(fleet(saving * 0.95))
    assert dear.dc_capacity_new.sum().item() == pytest.approx(0.6, rel=1e-6)
    assert dear.dc_load_existing.item() == pytest.approx(1.0, rel=1e-6)
    assert dear.dc_electricity.item() == pytest.approx(0.6 * 1.2 + 1.0 * 1.5, rel=1e-6)
    gen = dear.generation.sel(region="A", gen_tech="gas").sum().item()
    assert gen == pytest.approx(5.0 + 2.22, rel=1e-6)
    assert dear.attrs["objective"] == pytest.approx(
        (5.0 + 2.22) * 0.060 * HOURS + 0.6 * saving * 1.05, rel=1e-6)
    assert cheap.dc_capacity_new.sum().item() == pytest.approx(1.6, rel=1e-6)
    assert cheap.dc_load_existing.item() == pytest.approx(0.0, abs=1e-6)
    assert cheap.dc_electricity.item() == pytest.approx(1.6 * 1.2, rel=1e-6)


def test_one_pue_for_the_whole_fleet_without_pue_existing():
    """Without pue_existing the fleet runs at the new builds' PUE (the old formulation):
    1.6 GW x 1.2 whatever the vintage."""
    ds = fleet(1.0).drop_vars("pue_existing")
    r = solve(ds)
    assert r.dc_electricity.item() == pytest.approx(1.6 * 1.2, rel=1e-6)
    assert r.dc_capacity_new.sum().item() == pytest.approx(0.6, rel=1e-6)


def test_the_existing_fleet_draws_no_power_beyond_its_it_load_under_hourly_matching():
    """The solar day with hourly matching and the 1 GW served by the existing fleet at PUE 1.5:
    it draws 1.5 GW in every hour, no more. Without existing_within_load the fleet's share could
    exceed the IT load in sunny hours (free solar), raising matched energy by 1 and the target by
    only 0.8 per GWh of phantom load; here the share matched stays 12/24 = 0.5 and the shortfall
    is 30% of 1.5 x 8,760 GWh at 0.5 MUSD/GWh = 1,971 MUSD."""
    ds = solar_day("hourly")
    ds["pue_existing"] = ("region", [1.5])
    ds["capex_dc"] = ("year", [1e6])  # no new halls (free ones would take the night's load)
    r = solve(ds)
    np.testing.assert_allclose(r.dc_electricity.values, 1.5, rtol=1e-6)
    np.testing.assert_allclose(r.dc_load_existing.values, 1.0, rtol=1e-6)
    assert r.green_share_achieved.item() == pytest.approx(0.5, rel=1e-6)
    shortfall = r.cost.sel(component="green_shortfall").item()
    assert shortfall == pytest.approx(0.5 * 0.3 * 1.5 * HOURS, rel=1e-6)
