"""Resource supply curves (power block) and the peak-shaving limit on storage's firm capacity
(storage block), each against a hand calculation."""

from __future__ import annotations

import numpy as np
import pytest

from synergy_models.data.loader import shaving_energy
from tests.test_model import solve
from tests.tiny import tiny_inputs

INF = np.inf


def _one_hub_wind(potential: list[float], adder: list[float]):
    """One hub, 10 GW flat load in one step standing for the year; wind at cf 0.5 costs 200
    MUSD/GW/yr (tiny inputs: no discounting, lifetime 1) plus its tranche's adder; existing gas
    (20 GW at 0.060 MUSD/GWh = 60 USD/MWh) is dearer than every tranche used below."""
    techs = {"wind": {"capex": 200.0}, "gas": {"marginal_cost": 0.060}}
    ds = tiny_inputs(["A"], techs, np.array([[10.0]]), weights=[8760.0],
                     capacity={("A", "gas"): 20.0}, max_new={("A", "wind"): INF},
                     cf={"wind": np.array([[0.5]])})
    n = len(potential)
    pot = np.full((1, 2, n), INF)
    add = np.zeros((1, 2, n))
    pot[0, 0], add[0, 0] = potential, adder
    ds = ds.assign_coords(tranche=np.arange(1, n + 1))
    ds["supply_potential"] = (("region", "tech", "tranche"), pot)
    ds["supply_capex_adder"] = (("region", "tech", "tranche"), add)
    return ds


def test_the_cheapest_tranche_fills_first_and_the_marginal_one_sets_the_price():
    """Tranches of 4 GW (adder 0), 100 GW (adder 40) and unlimited (adder 100 MUSD/GW/yr).
    10 GW of load at cf 0.5 needs 20 GW of wind: all 4 GW of the first tranche, then 16 GW of the
    second; none of the third. The price is the second tranche's levelised cost,
    (200 + 40) MUSD/GW/yr / (0.5 x 8760 h) = 54.79 USD/MWh, below gas (60); the first tranche's
    limit is worth the adder it saves, 40 USD/kW/yr; the second does not bind."""
    r = solve(_one_hub_wind([4.0, 100.0, INF], [0.0, 40.0, 100.0]))
    assert float(r.capacity_new.sel(region="A", tech="wind").item()) == pytest.approx(20.0, rel=1e-6)
    assert float(r.price.sel(region="A").item()) == pytest.approx(240.0 / 4380.0 * 1000, rel=1e-6)
    fam = r.limit_family == "power.tranche_limit"
    level = r.limit_level.where(fam, drop=True)
    shadow = r.limit_shadow_price.where(fam, drop=True)
    assert level.values.tolist() == pytest.approx([4.0, 16.0], rel=1e-6)   # the third: no limit
    assert shadow.values.tolist() == pytest.approx([40.0, 0.0], abs=1e-6)
    assert r.limit_binding.where(fam, drop=True).values.tolist() == [1, 0]
    # the objective pays each tranche's adder: 4 x 200 + 16 x 240
    assert float(r.cost.sel(component="investment").sum()) == pytest.approx(
        4 * 200.0 + 16 * 240.0, rel=1e-6)


def test_when_wind_tranches_run_out_the_dearer_supply_sets_the_price():
    """Tranches of 4 and 6 GW (adders 0 and 40), the third at adder 100 (levelised 68.49
    USD/MWh) dearer than gas: wind builds 10 GW (5 GW of output), gas supplies the other 5 GW
    and sets the price at 60 USD/MWh; both tranche limits bind, worth 60 x 4.38 - 200 = 62.8 and
    62.8 - 40 = 22.8 USD/kW/yr."""
    r = solve(_one_hub_wind([4.0, 6.0, INF], [0.0, 40.0, 100.0]))
    assert float(r.capacity_new.sel(region="A", tech="wind").item()) == pytest.approx(10.0, rel=1e-6)
    assert float(r.price.sel(region="A").item()) == pytest.approx(60.0, rel=1e-6)
    fam = r.limit_family == "power.tranche_limit"
    assert r.limit_shadow_price.where(fam, drop=True).values.tolist() == pytest.approx(
        [60.0 * 4.38 - 200.0, 60.0 * 4.38 - 240.0], rel=1e-6)


def test_shaving_energy_by_hand():
    """A day of 22 hours at 6 GW and 2 at 10 GW (peak 10). Taking P <= 4 GW off the peak takes
    2P GWh; P = 4.4 also reaches the 22 other hours: 2 x 4.4 + 22 x 0.4 = 17.6 GWh. A second,
    flat day at 5 GW needs nothing: the first day sets it."""
    day = np.array([6.0] * 22 + [10.0] * 2)
    assert shaving_energy(day, np.array([0.0, 1.0, 4.0, 4.4])) == pytest.approx(
        [0.0, 2.0, 8.0, 17.6], abs=1e-9)
    two = np.concatenate([day, np.full(24, 5.0)])
    assert shaving_energy(two, np.array([4.4])) == pytest.approx([17.6], abs=1e-9)


@pytest.mark.parametrize(("energy", "new_gas", "shadow"), [(None, 0.0, None), (10.0, 0.0, 0.0),
                                                           (5.0, 1.0, 50.0 / 3)])
def test_storage_adds_firm_capacity_as_far_as_its_energy_shaves_the_peak(energy, new_gas, shadow):
    """Load 10 and 2 GW (peak 10), margin 0: 10 GW firm needed. Existing gas 6 GW (credit 1) and a
    5 GW battery of credit 1, which shifts 4 GW into the peak. Its peak-shaving curve: 2 GW off
    the peak take 2 GWh, 4 GW take 8 (chords of slope 1 and 3 h). Without a curve the battery
    counts 5 GW. With 10 GWh it counts min(5, 10, (10 + 4) / 3, 4) = 4: enough. With 5 GWh,
    min(5, 5, (5 + 4) / 3) = 3, so 1 GW of new gas (50 MUSD/GW/yr, cheaper than the 1000
    shortfall); one more GWh would add 1/3 GW: worth 50/3 USD/kWh/yr."""
    techs = {"gas": {"capex": 50.0, "marginal_cost": 0.060, "capacity_credit": 1.0},
             "battery": {"capex": 1e4, "capacity_credit": 1.0, "duration": 2.0}}
    ds = tiny_inputs(["A"], techs, np.array([[10.0, 2.0]]),
                     capacity={("A", "gas"): 6.0, ("A", "battery"): 5.0},
                     energy={("A", "battery"): energy or 10.0}, max_new={("A", "gas"): INF},
                     reserve_shortfall_cost=1000.0, value_of_lost_load=10.0)
    if energy is not None:
        # net peak 10 GW: 0.2 and 0.4 of it take 0.2 and 0.8 h of energy per GW of net peak
        ds = ds.assign_coords(shave_point=[0.0, 0.2, 0.4])
        ds["storage_shave_hours"] = (("region", "shave_point"), [[0.0, 0.2, 0.8]])
        ds["storage_net_peak"] = (("region", "year"), [[10.0]])
    r = solve(ds)
    assert float(r.capacity_new.sel(region="A", tech="gas").item()) == pytest.approx(
        new_gas, abs=1e-6)
    assert float(r.cost.sel(component="reserve_shortfall").sum()) == pytest.approx(0, abs=1e-6)
    fam = r.limit_family == "storage.firm_energy"
    if shadow is None:
        assert not bool(fam.any())
    else:
        assert float(r.limit_shadow_price.where(fam, drop=True).item()) == pytest.approx(
            shadow, abs=1e-6)


def test_the_dataset_gives_wind_a_curve_in_every_hub_and_inf_switches_it_off():
    """build_limits.csv: four wind tranches per hub (BTH's first: 26.01 GW at 64.5 USD/kW, i.e.
    64.5 MUSD/GW); no other technology has a curve. ``supply_potential=inf`` lifts every tranche:
    no curve, wind back to its build rates alone."""
    from synergy_models.data.loader import load_inputs
    from synergy_models.model.build import build_model
    from synergy_models.scenario import load_scenario

    small = {"time.days": 1, "time.segments": 2, "years": {2025: 1, 2030: 1}}
    ds = load_inputs(load_scenario("base", small))
    first = ds.sel(region="BTH", tech="wind", tranche=1)
    assert float(first.supply_potential) == pytest.approx(26.01)
    assert float(first.supply_capex_adder) == pytest.approx(64.5)
    finite = np.isfinite(ds.supply_potential).any("tranche")
    assert finite.sel(tech="wind").all() and not finite.drop_sel(tech="wind").any()
    assert len(build_model(ds).power.RC) == 8
    off = load_inputs(load_scenario("base", {**small, "supply_potential": "inf"}))
    assert len(build_model(off).power.RC) == 0


@pytest.mark.parametrize(("capex_energy", "full_hours", "new_energy", "new_gas", "margin_price",
                          "credit_price"),
                         [(10.0, 4.0, 6.0, 0.0, 40.0, 10.0), (20.0, 4.0, 0.0, 1.5, 50.0, 12.5),
                          (10.0, None, 0.0, 1.5, 50.0, None)])
def test_storage_counts_its_power_as_far_as_its_energy_lasts_the_full_credit_hours(
        capex_energy, full_hours, new_energy, new_gas, margin_price, credit_price):
    """Load 10 and 2 GW (peak 10), margin 0: 10 GW firm needed. Existing gas 6 GW (credit 1; new
    gas 50 MUSD/GW/yr) and a 5 GW, 10 GWh battery (2 h) of fixed credit 0.5 (2 h / 4 h); new
    battery energy costs ``capex_energy`` per GWh and year. With ``full_credit_hours`` 4 the
    battery counts min(5, E / 4): 2.5 GW as it is, and each GW more takes 4 GWh. At 10 per GWh
    that is 40 per GW, cheaper than gas: 6 GWh more (E = 16, credit 4), no gas, the margin's price
    40 USD/kW/yr and one GWh worth 10. At 20 per GWh (80 per GW) gas is cheaper: 1.5 GW of gas,
    the margin's price 50, one GWh worth 50 / 4 = 12.5. With the fixed credit alone the energy
    adds nothing: 1.5 GW of gas."""
    techs = {"gas": {"capex": 50.0, "marginal_cost": 0.060, "capacity_credit": 1.0},
             "battery": {"capex": 1e4, "capex_energy": capex_energy, "capacity_credit": 0.5,
                         "duration": 2.0}}
    ds = tiny_inputs(["A"], techs, np.array([[10.0, 2.0]]),
                     capacity={("A", "gas"): 6.0, ("A", "battery"): 5.0},
                     energy={("A", "battery"): 10.0}, max_new={("A", "gas"): INF},
                     reserve_shortfall_cost=1000.0, value_of_lost_load=10.0)
    if full_hours is not None:
        ds["full_credit_hours"] = (("tech",), [0.0, full_hours])
    r = solve(ds)
    assert float(r.capacity_new.sel(region="A", tech="gas").item()) == pytest.approx(
        new_gas, abs=1e-6)
    energy = float(r.storage_energy_capacity.sel(region="A", storage_tech="battery").item())
    assert energy == pytest.approx(10.0 + new_energy, abs=1e-6)
    assert float(r.cost.sel(component="reserve_shortfall").sum()) == pytest.approx(0, abs=1e-6)
    margin = r.limit_shadow_price.where(r.limit_family == "policy.reserve_margin", drop=True)
    assert float(margin.item()) == pytest.approx(margin_price, abs=1e-6)
    fam = r.limit_family == "storage.credit_energy"
    if credit_price is None:
        assert not bool(fam.any())
    else:
        assert float(r.limit_shadow_price.where(fam, drop=True).item()) == pytest.approx(
            credit_price, abs=1e-6)
