"""Green accounting of data centres: additionality, claims no larger than generation, and CO2
three ways (location-based, market-based, marginal), on tiny cases derived by hand (issue 19).

Units: GW, GWh, MUSD; 0.001 MUSD/GWh = 1 USD/MWh; 1 t/MWh = 1 kt/GWh.
"""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from tests.test_model import solve
from tests.tiny import tiny_inputs, with_compute

DAYS = 365.0
SUN = np.array([0.0] * 8 + [1.0] * 8 + [0.0] * 8)  # 8 sunny hours a day
NIGHT = 1.0 - SUN
GAS = 0.4  # t/MWh


def exporter_case(matching: str = "annual", premium: float = 0.0,
                  certificate_price: float = 0.001) -> xr.Dataset:
    """A: 10 GW of existing solar (8 sunny hours), 10 GW of gas at 60 USD/MWh, no load of its own
    but a flat 1 GW data centre (PUE 1, 80% green target). B: no generation of its own that it
    wants (gas at 80 USD/MWh), a load of 2 GW in the 16 dark hours only, fed from A's gas over a
    lossless 5 GW line. Nothing may be built.

    By hand, per year: A's solar generates what is used in the sun, the data centre's 1 GW
    x 8 h x 365 = 2,920 GWh (the rest is curtailed); A's gas 3 GW x 16 h x 365 = 17,520 GWh
    (7,008 kt). The data centres may claim at most the 2,920 GWh generated, although their
    contracted capacity could deliver 29,200 GWh, so the 80% target (7,008 GWh) takes 4,088 GWh of
    certificates.
    """
    techs = {"solar": {}, "gas": {"marginal_cost": 0.060, "emission_intensity": GAS}}
    load = np.vstack([np.zeros(24), 2.0 * NIGHT])
    power = tiny_inputs(["A", "B"], techs, load, weights=[DAYS] * 24, max_new=0.0,
                        capacity={("A", "solar"): 10, ("A", "gas"): 10, ("B", "gas"): 10},
                        cf={"solar": np.vstack([SUN, np.zeros(24)])},
                        lines=[{"name": "AB", "from": "A", "to": "B", "capacity": 5.0,
                                "loss": 0.0, "capex": 0.0}])
    power["marginal_cost"].loc[{"region": "B", "tech": "gas"}] = 0.080
    power["peak_load"].loc[{"region": "A"}] = 10.0  # (grid safety caps data centres at A's peak)
    ds = with_compute(power, {("A", "training"): 1.0}, export_max=0.0, pue=1.0, green_share=0.8,
                      certificate_price=certificate_price, green_shortfall_cost=1.0,
                      matching=matching)
    ds["green_power_premium"] = premium
    return ds


def test_claims_never_exceed_generation_and_the_rest_is_left_to_others():
    """The data centre claims A's whole solar generation (2,920 GWh), none is left for anyone else,
    and the market-based CO2 uses A's residual mix: 7,008 kt over the 17,520 GWh nobody claimed
    = 0.4 t/MWh, times the 1,752 GWh neither claimed nor certified = 700.8 kt."""
    r = solve(exporter_case())
    a = {"region": "A", "year": 2030}
    solar = r.generation_annual.sel(gen_tech="solar", **a).item() * 1000
    assert solar == pytest.approx(8 * DAYS, rel=1e-6)
    assert r.green_matched.sel(**a).item() * 1000 == pytest.approx(8 * DAYS, rel=1e-6)
    assert r.certificates.sel(**a).item() * 1000 == pytest.approx(0.8 * 8760 - 8 * DAYS, rel=1e-6)
    assert r.green_generation_unclaimed.sel(**a).item() == pytest.approx(0.0, abs=1e-6)
    claimed_plus_left = r.green_matched + r.green_generation_unclaimed
    green = r.generation_annual.sel(gen_tech="solar")
    np.testing.assert_allclose(claimed_plus_left.values, green.values, atol=1e-9)
    assert r.residual_emission_intensity.sel(**a).item() == pytest.approx(400.0, rel=1e-6)
    market = r.compute_emissions.sel(basis="market", **a).item()
    assert market == pytest.approx((8760 - 0.8 * 8760) * GAS / 1000, rel=1e-6)  # Mt


def test_location_market_and_marginal_co2_of_compute_by_hand():
    """Location-based: 8,760 GWh at A's average 7,008 kt / 20,440 GWh = 0.34286 t/MWh = 3,003.4
    kt. Marginal: in the sun A's solar is curtailed (price 0, factor 0); in the dark A's gas runs
    part-loaded and sets the price (60 USD/MWh, factor 0.4), in B too (B imports it): 1 GW x 16 h
    x 365 x 0.4 = 2,336 kt. Market-based: 700.8 kt (previous test)."""
    r = solve(exporter_case())
    a = {"region": "A", "year": 2030}
    location = 8760 * 7008 / 20440 / 1000
    assert r.compute_emissions.sel(basis="location", **a).item() == pytest.approx(location, 1e-6)
    assert r.compute_emissions.sel(basis="marginal", **a).item() == pytest.approx(2.336, 1e-6)
    mef = r.marginal_emission_factor.sel(year=2030)
    np.testing.assert_allclose(mef.sel(region="A").values, 1000 * GAS * NIGHT, atol=1e-9)
    dark = NIGHT > 0  # (in the sun B takes nothing and its price is any value up to its gas')
    np.testing.assert_allclose(mef.sel(region="B").values[dark], 1000 * GAS, atol=1e-9)
    assert r.marginal_identified_share.sel(**a).item() == pytest.approx(1.0)
    by_basis = r.compute_carbon_intensity_by_basis.sel(**a)
    assert by_basis.sel(basis="location").item() == pytest.approx(1000 * 7008 / 20440, 1e-6)
    assert r.compute_carbon_intensity.sel(**a).item() == pytest.approx(80.0, rel=1e-6)


def test_existing_capacity_is_contracted_at_the_green_power_premium():
    """The solar is existing, so contracting it is not additional: the 2,920 GWh the data centre
    claims need at least 1 GW of contracted solar (8 h x 365 = 2,920 GWh of output per GW), paid
    at the premium on its whole output. At 2 USD/MWh that is 5.84 MUSD; certificates at 1 USD/MWh
    are cheaper than claiming, so the data centre buys certificates only (7,008 GWh, 7.008 MUSD)
    when the premium is above the certificate price."""
    cheap = solve(exporter_case(premium=0.0005, certificate_price=0.001))
    dear = solve(exporter_case(premium=0.002, certificate_price=0.001))
    a = {"region": "A", "year": 2030}
    assert cheap.cost.sel(component="green_premium", year=2030).item() == pytest.approx(
        0.0005 * 8 * DAYS, rel=1e-6)
    assert cheap.green_capacity_traded.sel(green_source="solar", **a).item() == pytest.approx(
        1.0, rel=1e-6)
    assert cheap.green_capacity_additional.sum().item() == pytest.approx(0.0, abs=1e-9)
    assert dear.green_matched.sel(**a).item() == pytest.approx(0.0, abs=1e-9)
    assert dear.certificates.sel(**a).item() * 1000 == pytest.approx(0.8 * 8760, rel=1e-6)


def test_new_capacity_is_additional_and_contracted_without_premium():
    """Solar may now be built in A (capex 100 MUSD/GW/yr) and the existing solar is gone: the
    claim needs built capacity, which pays no premium. Certificates cost 1 MUSD/GWh (prohibitive),
    so the data centre contracts new solar for its 80%: 7,008 GWh needs 7,008 / (8 x 365) = 2.4 GW
    if its output is used, which it is (A's data centre takes 1 GW in the sun, B none then: 1 GW
    x 8 h x 365 = 2,920 GWh at most can be generated). The claim is capped by generation: 2,920
    GWh matched, 1 GW built (more would be curtailed), the rest certificates."""
    ds = exporter_case(certificate_price=0.5, premium=0.002)
    ds["capacity_existing"].loc[{"region": "A", "tech": "solar"}] = 0.0
    ds["max_new_capacity"].loc[{"region": "A", "tech": "solar"}] = np.inf
    ds["capex"].loc[{"tech": "solar"}] = 100.0
    r = solve(ds)
    a = {"region": "A", "year": 2030}
    assert r.green_capacity_traded.sum().item() == pytest.approx(0.0, abs=1e-9)
    assert r.green_matched.sel(**a).item() * 1000 == pytest.approx(8 * DAYS, rel=1e-6)
    assert r.capacity.sel(tech="solar", **a).item() == pytest.approx(1.0, rel=1e-6)
    assert r.green_capacity_additional.sel(green_source="solar", **a).item() >= 1.0 - 1e-6


def solar_day(matching: str) -> xr.Dataset:
    """One hub, 24 steps of weight 365: 30 GW of solar for 12 hours, gas (0.4 t/MWh) otherwise,
    a 5 GW load and a flat 1 GW data centre with an 80% green target; certificates at 10 USD/MWh."""
    techs = {"solar": {}, "gas": {"marginal_cost": 0.060, "emission_intensity": GAS}}
    sun = np.array([[0.0] * 6 + [1.0] * 12 + [0.0] * 6])
    power = tiny_inputs(["A"], techs, np.full((1, 24), 5.0), weights=[DAYS] * 24, max_new=0.0,
                        capacity={("A", "solar"): 30, ("A", "gas"): 30}, cf={"solar": sun})
    ds = with_compute(power, {("A", "inference"): 1.0}, pue=1.0, green_share=0.8,
                      certificate_price=0.01, green_shortfall_cost=0.5, matching=matching)
    ds["green_power_premium"] = 0.0001  # (a small premium: no more is contracted than needed)
    return ds


def test_matching_rule_changes_green_share_and_market_based_intensity():
    """Annual: 80% green (claims, no certificates: claiming costs only the small premium),
    market-based intensity 20% x the residual mix.
    Hourly: only the 12 sunny hours match, 50%, and no certificates. None: 0% and the residual mix
    is the grid average (nothing claimed): A generates 6 GW x 24 h a day, gas 6 GW x 12 h, so
    0.2 t/MWh. Location-based is 200 g/kWh whatever the rule; marginal: gas sets the price in the
    12 dark hours, 0.4 x 12/24 = 200 g/kWh too, solar is curtailed in the sun."""
    runs = {rule: solve(solar_day(rule)) for rule in ("annual", "hourly", "none")}
    a = {"region": "A", "year": 2030}
    share = {rule: r.green_share_achieved.sel(**a).item() for rule, r in runs.items()}
    assert share["annual"] == pytest.approx(0.8, rel=1e-6)
    assert share["hourly"] == pytest.approx(0.5, rel=1e-6)
    assert share["none"] == pytest.approx(0.0, abs=1e-12)
    market = {rule: r.compute_carbon_intensity.sel(**a).item() for rule, r in runs.items()}
    assert market["none"] == pytest.approx(200.0, rel=1e-6)
    # hourly: A's emissions 6 GW x 12 h x 0.4 = 28.8 kt a day over the 144 - 12 = 132 GWh a day
    # nobody claimed, for the 50% not covered; annual: 19.2 GWh a day claimed, 20% not covered
    assert market["hourly"] == pytest.approx(0.5 * 1000 * 28.8 / 132, rel=1e-6)
    assert market["annual"] == pytest.approx(0.2 * 1000 * 28.8 / (144 - 19.2), rel=1e-6)
    assert market["annual"] < market["hourly"] < market["none"]
    for r in runs.values():
        by_basis = r.compute_carbon_intensity_by_basis.sel(**a)
        assert by_basis.sel(basis="location").item() == pytest.approx(200.0, rel=1e-6)
        assert by_basis.sel(basis="marginal").item() == pytest.approx(200.0, rel=1e-6)


def two_seasons(relocation: str, bandwidth_cost: float) -> xr.Dataset:
    """Two hubs, two one-step 'days' of 24 h standing for half a year each (4,380 h). A has free
    solar in day 1 only, B free wind in day 2 only; both have gas at 60 USD/MWh and a 1 GW load of
    their own. Each serves 1 GW of its own training, all of it shiftable, in 2 GW of capacity."""
    techs = {"solar": {}, "wind": {}, "gas": {"marginal_cost": 0.060}}
    power = tiny_inputs(["A", "B"], techs, np.ones((2, 2)), weights=[4380.0, 4380.0], max_new=0.0,
                        capacity={("A", "solar"): 5, ("B", "wind"): 5, ("A", "gas"): 10,
                                  ("B", "gas"): 10},
                        cf={"solar": np.array([[1.0, 0.0], [0.0, 0.0]]),
                            "wind": np.array([[0.0, 0.0], [0.0, 1.0]])},
                        periods=[0, 1], step_hours=[24.0, 24.0])
    ds = with_compute(power, {("A", "training"): 1.0, ("B", "training"): 1.0}, export_max=0.0,
                      dc_capacity=2.0, flexibility=1.0, bandwidth_cost=bandwidth_cost,
                      grid_share_max=3.0)
    ds.attrs["training_relocation"] = relocation
    return ds


def test_training_moves_between_hubs_hour_by_hour_when_links_cost_less_than_the_gas_saved():
    """Without relocation each hub burns gas for its 1 GW of training in its dark half year:
    2 x 1 GW x 4,380 h x 60 USD/MWh = 525.6 MUSD. With it, B's training runs in A in day 1 and
    A's in B in day 2 (each hub still runs 4,380 GWh of training over the year): no gas, for a
    link end of 1 GW at each hub, half a bandwidth price each: 525.6 MUSD saved less one
    bandwidth price. At 90% of 525.6 MUSD/GW/yr the saving is 52.56 MUSD; at 110% nothing moves."""
    threshold = 2 * 4380 * 0.060
    fixed = solve(two_seasons("none", 0.9 * threshold))
    cheap = solve(two_seasons("hourly", 0.9 * threshold))
    dear = solve(two_seasons("hourly", 1.1 * threshold))
    assert fixed.attrs["objective"] - cheap.attrs["objective"] == pytest.approx(
        0.1 * threshold, rel=1e-6)
    assert dear.attrs["objective"] == pytest.approx(fixed.attrs["objective"], rel=1e-9)
    moved_in = cheap.training_moved_in.sel(year=2030)
    np.testing.assert_allclose(moved_in.sel(region="A").values, [1.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(moved_in.sel(region="B").values, [0.0, 1.0], atol=1e-9)
    it = (cheap.dc_load * cheap.weight).sum("time").sel(year=2030)
    np.testing.assert_allclose(it.values, [8760.0, 8760.0], rtol=1e-9)  # each hub's own energy
    assert cheap.relocation_link.sel(year=2030).values.tolist() == pytest.approx([1.0, 1.0])
