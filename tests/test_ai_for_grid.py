"""What the AI-for-the-grid notebook reads (issue 20): reserve prices by hub, curtailment
avoided, the value of better forecasting in words and as a chart, the forecaster against the
sourced errors; on the tiny wind case of tests/test_reserves.py, derived by hand.

The case: one hub, load 7 GW, 6 GW of coal (20 USD/MWh, minimum load 0.4), 10 GW of gas
(50 USD/MWh, minimum load 0.5), 4 GW of wind at half output (2 GW). Upward requirement
0.2 x 7 + 0.25 x 4 = 2.4 GW (wind error at its full 0.25 since it runs at its mean): coal covers
5 GW, so gas commits 1.4 GW; the lever halves the wind error (requirement 1.9 GW, gas 0.9 GW):
cost 0.121 -> 0.1135 MUSD for the one-hour year, upward price 15 USD/MW-h in both.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from synergy_models import charts, forecast, indicators, summary
from synergy_models.errors import InputError
from synergy_models.indicators import HORIZON_ROW, HORIZON_TOTAL_ROW
from synergy_models.report import NOTEBOOKS, load_or_solve, require_operating_reserves
from tests.test_model import solve
from tests.test_reserves import wind_hub
from tests.tiny import with_reserves


@pytest.fixture(scope="module")
def pair() -> tuple[xr.Dataset, xr.Dataset]:
    ds = wind_hub()
    reference = solve(with_reserves(ds, {"load": 0.2, "wind": 0.25}))
    lever = solve(with_reserves(ds, {"load": 0.2, "wind": 0.25}, reduction={"wind": 0.5}))
    return reference, lever


def test_reserve_prices_by_hub(pair):
    """The one hour has an upward price of 15 USD/MW-h (gas committed for reserve) and a
    downward price of 0 (coal and gas above their minimum loads by more than the requirement)."""
    table = indicators.reserve_prices_by_hub(pair[0])
    up, down = table.loc["A", "up"], table.loc["A", "down"]
    assert up["hours with a positive price (share)"] == pytest.approx(1.0)
    assert up["mean positive price USD/MWh"] == pytest.approx(15.0, rel=1e-6)
    assert up["highest price USD/MWh"] == pytest.approx(15.0, rel=1e-6)
    assert down["hours with a positive price (share)"] == pytest.approx(0.0)
    assert np.isnan(down["mean positive price USD/MWh"])


def test_curtailment_change_is_zero_where_no_wind_is_curtailed(pair):
    """All 2 GW of wind is used in both cases (load 7 GW): no curtailment to avoid."""
    change = indicators.curtailment_change(*pair)
    assert list(change.index) == ["A", "all hubs"]
    assert change.loc["all hubs", 2030] == pytest.approx(0.0, abs=1e-9)


def test_value_of_forecasting_in_words_and_as_a_chart(pair):
    """Gross saving 0.0075 MUSD/yr (the reduction carries no forecasting cost in with_reserves
    unless set), net the same: the text says 'less', and the chart's three bars carry the hand
    numbers."""
    value = indicators.forecasting_value(*pair)
    text = summary.forecasting_value_markdown(value, "ref", "ai")
    assert "**ai** against **ref**" in text and "less over the horizon" in text
    spec = charts.forecasting_value_chart(value, "ref", "ai").to_dict()
    data = pd.DataFrame(next(iter(spec["datasets"].values())))
    by_part = data.set_index("part")["musd"]
    assert by_part["saving before the forecasts' cost"] == pytest.approx(0.0075, abs=1e-9)
    assert by_part["net change in system cost"] == pytest.approx(-0.0075, abs=1e-9)
    assert by_part["cost of the forecasts"] == pytest.approx(0.0, abs=1e-12)


def test_break_even_forecasting_cost_by_hand():
    """A made-up table: gross saving 30 and 10 MUSD/yr against a forecasting cost of 100 and 100:
    the forecasts break even at (30 + 10) / 200 = 0.2 of their cost, 0.1 USD/kW/yr of an assumed
    0.5."""
    value = pd.DataFrame({"cost MUSD/year": [70.0, 90.0, 500.0],
                          "forecasting cost MUSD/year": [100.0, 100.0, np.nan]},
                         index=["2025", "2030", "horizon (present value, MUSD)"])
    text = summary.forecasting_value_markdown(value, "ref", "ai", forecast_cost=0.5)
    assert "save 10 to 30 MUSD a year" in text
    assert "0.100 USD/kW/yr instead of the assumed 0.5" in text
    assert "500 MUSD more" in text


def test_all_lower_over_the_horizon_names_the_years_against_it():
    """Totals over the horizon (2025 stands for 3 years, 2030 for 1): curtailment +0.2 x 3 - 1.0 =
    -0.4 TWh, lower over the horizon though higher in 2025, which the text names."""
    value = pd.DataFrame({"cost MUSD/year": [-10.0, -20.0, -100.0],
                          "forecasting cost MUSD/year": [5.0, 5.0, np.nan],
                          "curtailment TWh": [0.2, -1.0, np.nan],
                          "emissions Mt": [-1.0, -2.0, np.nan]},
                         index=["2025", "2030", HORIZON_ROW])
    total = pd.DataFrame({"curtailment TWh": [0.2 * 3 - 1.0], "emissions Mt": [-5.0]},
                         index=[HORIZON_TOTAL_ROW])
    text = summary.forecasting_value_markdown(pd.concat([value, total]), "ref", "ai")
    assert "curtailment changes by -0.4 TWh and emissions by -5.0 Mt" in text
    assert ("Cost, curtailment, emissions are all lower over the horizon (higher in single "
            "years: curtailment in 2025).") in text


def test_horizon_totals_weigh_each_year_by_the_years_it_stands_for(pair):
    """The tiny pair has one year, 2030; weighted by 4 years the totals are 4x the year's."""
    weight = xr.DataArray([4.0], dims="year", coords={"year": [2030]})
    value = indicators.forecasting_value(*pair, weight)
    yearly = value.loc["2030"]
    assert value.loc[HORIZON_TOTAL_ROW, "emissions Mt"] == pytest.approx(4 * yearly["emissions Mt"])
    assert value.loc[HORIZON_TOTAL_ROW, "curtailment TWh"] == pytest.approx(
        4 * yearly["curtailment TWh"])


@pytest.mark.parametrize("curtailment, words", [
    ([-0.5, -1.0], "Cost, curtailment, emissions are all lower in every year."),
    ([-0.5, 0.2], "Not all lower: curtailment is not lower in every year (cost, emissions are)."),
])
def test_the_text_says_whether_cost_curtailment_and_emissions_are_all_lower(curtailment, words):
    """Issue 20's test, read off a made-up table: cost and emissions fall in both years;
    curtailment falls in both, or rises in 2030."""
    value = pd.DataFrame({"cost MUSD/year": [-10.0, -20.0, -100.0],
                          "forecasting cost MUSD/year": [5.0, 5.0, np.nan],
                          "curtailment TWh": [*curtailment, np.nan],
                          "emissions Mt": [-1.0, -2.0, np.nan]},
                         index=["2025", "2030", "horizon (present value, MUSD)"])
    assert words in summary.forecasting_value_markdown(value, "ref", "ai")


def test_forecaster_beside_the_sourced_errors():
    """Averages over hubs of the model's sigma and of the sourced default, per source."""
    errors = xr.Dataset({"error": (("region", "source", "method", "metric"), np.zeros((2, 2, 1, 1)))},
                        coords={"region": ["A", "B"], "source": ["load", "wind"],
                                "method": ["model"], "metric": ["sigma"]})
    errors["error"].loc[{"source": "wind"}] = [[[0.2]], [[0.4]]]
    sourced = xr.DataArray([[0.03, 0.15], [0.03, 0.15]], dims=("region", "forecast_source"),
                           coords={"region": ["A", "B"], "forecast_source": ["load", "wind"]})
    table = forecast.sourced_comparison(errors, sourced)
    assert table.loc["wind", "forecaster sigma"] == pytest.approx(0.3)
    assert table.loc["wind", "sourced sigma (default)"] == pytest.approx(0.15)
    assert table.loc["load", "forecaster sigma"] == pytest.approx(0.0)


def test_the_notebook_needs_two_scenarios_with_reserves(pair):
    """One scenario, or one without reserves, stops with a clear message."""
    assert NOTEBOOKS["ai_for_grid"]["scenarios"] == ["reserves", "ai_forecasting"]
    require_operating_reserves({"ref": pair[0], "ai": pair[1]})
    with pytest.raises(InputError, match="needs two scenarios"):
        require_operating_reserves({"ref": pair[0]})
    plain = pair[0].drop_vars([v for v in pair[0].data_vars if v.startswith("reserve_")])
    with pytest.raises(InputError, match="holds no operating reserves"):
        require_operating_reserves({"ref": pair[0], "plain": plain})


@pytest.mark.slow
def test_ai_forecasting_against_reserves_on_the_shipped_data():
    """Through the report cache (shared with the notebook): ai_forecasting (solar error -30%, wind
    -10%, builds held at reserves') against reserves. The fee is the same each year,
    forecast_cost x the base-year wind and solar (a fixed cost, docs/formulation.md); the imbalance
    cost falls every year (the errors are smaller and it is linear in them); net, the annual cost
    and the objective are lower, and so are curtailment and emissions over the horizon (issue 20's
    test; single years may go the other way as trade between hubs shifts: docs/calibration.md)."""
    inputs, ref = load_or_solve("reserves", quiet=True)
    _, ai = load_or_solve("ai_forecasting", quiet=True)
    fleet = float(inputs.capacity_existing.sel(tech=["wind", "solar"]).sum())
    fee = ai.cost.sel(component="forecasting")
    np.testing.assert_allclose(fee.values, float(inputs.forecast_cost) * fleet, rtol=1e-9)
    assert float(abs(ref.cost.sel(component="forecasting")).max()) == 0.0
    value = indicators.forecasting_value(ref, ai)
    yearly = value.drop(index=HORIZON_ROW)
    assert (yearly["imbalance cost MUSD/year"] < 0).all()
    assert (yearly["cost MUSD/year"] < 0).all()
    assert value.loc[HORIZON_ROW, "cost MUSD/year"] < 0
    # operation only: the same fleet, so the difference is the forecasts' own
    np.testing.assert_allclose(ai.capacity.values, ref.capacity.values, atol=1e-6)
    totals = indicators.forecasting_value(ref, ai, inputs["year_weight"]).loc[HORIZON_TOTAL_ROW]
    assert totals["curtailment TWh"] < 0
    assert totals["emissions Mt"] < 0
