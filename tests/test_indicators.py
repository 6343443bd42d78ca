"""Safety and efficiency indicators on the hand-built results of ``tests/tiny_results.py``.

Steps stand for 6,000 and 2,760 hours; GW x h / 1000 = TWh.
"""

from __future__ import annotations

import numpy as np
import pytest

from synergy_models.indicators import compare, consumption, indicator_table, indicators
from tests.test_compute import east_west
from tests.test_model import solve
from tests.tiny_results import tiny_reserve_inputs, tiny_results


def at(ds, name, region=None):
    da = ds[name].sel(year=2030)
    return float(da.sel(region=region) if region else da)


@pytest.fixture(scope="module")
def ind():
    return indicators(tiny_results(), tiny_reserve_inputs())


def test_consumption_is_every_withdrawal_but_scheduled_exports(ind):
    """A: demand + DC = (12, 22) GW -> 12 x 6 + 22 x 2.76 = 132.72 TWh;
    B: (8, 11) -> 48 + 30.36 = 78.36 TWh."""
    assert at(ind, "consumption", "A") == pytest.approx(132.72)
    assert at(ind, "consumption", "B") == pytest.approx(78.36)


def test_reserve_margin_achieved_vs_required(ind):
    """Firm: A 0.9 x 30 + 0.1 x 20 = 29 GW, B 0.9 x 10 + 0.1 x 5 = 9.5 GW; A exports 1 GW on a fixed
    schedule. Peaks: own load + DC capacity x PUE x utilisation: A 20 + 2 x 1.25 x 0.8 = 22,
    B 5 + 5 x 1.5 x 0.8 = 11. Achieved: A (29 - 1) / 22 - 1 = 0.2727, B 9.5 / 11 - 1 = -0.1364;
    all hubs at the coincident peak (20 + 2) + (4 + 6) = 32: 37.5 / 32 - 1 = 0.171875."""
    assert at(ind, "reserve_margin_required", "A") == pytest.approx(0.15)
    assert at(ind, "reserve_margin_achieved", "A") == pytest.approx(28 / 22 - 1)
    assert at(ind, "reserve_margin_achieved", "B") == pytest.approx(9.5 / 11 - 1)
    assert at(ind, "reserve_margin_gap", "B") == pytest.approx(9.5 / 11 - 1 - 0.15)
    assert at(ind, "reserve_margin_achieved_system") == pytest.approx(0.171875)


def test_unserved_and_import_dependence(ind):
    """Unserved A: 1 GW x 2,760 h = 2.76 TWh, share 2.76 / 132.72.
    Net imports A: lines (1.9 x 6,000 - 3 x 2,760) / 1000 = 3.12 TWh less the 1 GW external export
    (8.76 TWh) = -5.64 TWh, dependence -5.64 / 132.72; B: (-2 x 6,000 + 2.85 x 2,760) / 1000 =
    -4.134 TWh, -4.134 / 78.36."""
    assert at(ind, "unserved_energy", "A") == pytest.approx(2.76)
    assert at(ind, "unserved_share", "A") == pytest.approx(2.76 / 132.72)
    assert at(ind, "net_imports", "A") == pytest.approx(-5.64)
    assert at(ind, "import_dependence", "A") == pytest.approx(-5.64 / 132.72)
    assert at(ind, "import_dependence", "B") == pytest.approx(-4.134 / 78.36)


def test_curtailment_and_transmission_losses(ind):
    """Wind in A: 10 curtailed of 40 available = 0.25; B has none (NaN).
    Losses on power received: A gets 2 GW at t0 (0.1 GW lost x 6,000 h = 0.6 TWh), B 3 GW at t1
    (0.15 x 2,760 = 0.414 TWh); loss rate 1.014 / (2 x 6 + 3 x 2.76 = 20.28) = 5%."""
    assert at(ind, "curtailment_rate", "A") == pytest.approx(0.25)
    assert np.isnan(at(ind, "curtailment_rate", "B"))
    assert at(ind, "transmission_losses", "A") == pytest.approx(0.6)
    assert at(ind, "transmission_losses", "B") == pytest.approx(0.414)
    assert at(ind, "transmission_loss_rate") == pytest.approx(0.05)


def test_prices_carbon_and_system_cost(ind):
    """Average price A: (50 x 12 x 6,000 + 300 x 22 x 2,760) / 132,720 = 164.38 USD/MWh;
    B: (30 x 8 x 6,000 + 40 x 11 x 2,760) / 78,360 = 33.87; peaks 300 and 40.
    Carbon: A 20 Mt / 130 TWh = 153.85 g/kWh; all hubs 20 / 170 = 117.65. System cost: 3,395 MUSD /
    211.08 TWh = 16.084 USD/MWh."""
    assert at(ind, "price_average", "A") == pytest.approx(21_816_000 / 132_720)
    assert at(ind, "price_average", "B") == pytest.approx(2_654_400 / 78_360)
    assert at(ind, "price_peak", "A") == 300
    assert at(ind, "carbon_intensity_electricity", "A") == pytest.approx(20 / 130 * 1000)
    assert at(ind, "carbon_intensity_electricity_system") == pytest.approx(20 / 170 * 1000)
    assert at(ind, "system_cost_per_mwh") == pytest.approx(3395 / 211.08)


def test_data_centre_indicators(ind):
    """DC share at the hub's peak step (t1): A 2 / 22, B 6 / 11. PUE: A 1.25, B 1.5; all hubs
    (17.52 + 34.56) / (14.016 + 23.04) = 1.40544. Green share and carbon of compute are the
    results' own."""
    assert at(ind, "dc_share_of_peak", "A") == pytest.approx(2 / 22)
    assert at(ind, "dc_share_of_peak", "B") == pytest.approx(6 / 11)
    assert at(ind, "dc_share_of_consumption", "B") == pytest.approx(34.56 / 78.36)
    assert at(ind, "pue_average", "A") == pytest.approx(1.25)
    assert at(ind, "pue_average_system") == pytest.approx(52.08 / 37.056)
    assert at(ind, "green_share_dc", "B") == pytest.approx(0.9)
    assert at(ind, "carbon_intensity_compute", "A") == 300
    assert at(ind, "carbon_per_compute", "B") == 60


def test_every_indicator_has_units_and_long_name(ind):
    for name, da in ind.data_vars.items():
        assert da.attrs.get("units"), name
        assert da.attrs.get("long_name"), name


def test_without_inputs_or_data_centres_those_indicators_are_left_out_and_said_so():
    ds = indicators(tiny_results(compute=False))
    assert "reserve_margin_achieved" not in ds and "pue_average" not in ds
    assert "reserve margin" in ds.attrs["omitted"] and "data-centre" in ds.attrs["omitted"]
    assert at(ds, "consumption", "A") == pytest.approx((10 * 6000 + 20 * 2760) / 1000)


def test_compare_stacks_scenarios_with_nan_where_an_indicator_is_missing(ind):
    both = compare({"with_dc": ind, "no_dc": tiny_results(compute=False)})
    assert list(both.scenario.values) == ["with_dc", "no_dc"]
    assert both.pue_average.sel(scenario="with_dc", region="B").item() == pytest.approx(1.5)
    assert np.isnan(both.pue_average.sel(scenario="no_dc", region="B").item())
    assert both.pue_average.attrs["units"] == "1"
    table = indicator_table(both)
    row = table[(table.indicator == "price_peak") & (table.scenario == "no_dc") & (table.region == "A")]
    assert row.value.item() == 300 and row.units.item() == "USD/MWh"


def test_on_a_solved_model_consumption_is_demand_plus_data_centres():
    """East-west tiny model: E's consumption is its 5 GW demand; W's 5 GW plus 1.1 GW of IT x PUE 1.2
    (all compute served in W), over 8,760 h."""
    inputs = east_west(0.0, latency=15.0, inference=0.7, training=0.4)
    r = solve(inputs)
    ds = indicators(r, inputs)
    assert at(ds, "consumption", "W") == pytest.approx((5 + 1.1 * 1.2) * 8.76)
    np.testing.assert_allclose(consumption(r), r.demand + r.dc_electricity)
    assert at(ds, "price_average", "W") == pytest.approx(20.0)
