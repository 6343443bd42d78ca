"""Operating reserves (synergy_models/model/reserves.py) on tiny cases derived by hand.

Units: GW, MUSD; 0.02 MUSD/GWh = 20 USD/MWh. With the tiny defaults (discount rate 0, lifetime 1,
existing capacity only, no capacity cost) the objective is the year's variable cost.

The case: one hub, load 5 GW; 6 GW of coal (20 USD/MWh, minimum stable load 0.4) and 10 GW of gas
(50 USD/MWh, minimum stable load 0.5), both committed by the thermal block. Without reserves coal
covers the load alone (cost 0.02 x 5 = 0.1 per hour) and keeps 1 GW of headroom (6 - 5).
With an upward requirement R > 1 GW, gas must be committed: U_g >= R - 1 (coal headroom plus gas
headroom, U_c + U_g - 5 >= R with U_c <= 6), and committed gas runs at least 0.5 U_g, displacing
coal: each GW of gas committed costs 0.5 x (0.05 - 0.02) = 0.015 per hour. So the cost is
0.1 + 0.015 (R - 1) and the upward reserve price 15 USD/MW-h while R > 1, 0.1 and 0 once R <= 1.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import pytest
import xarray as xr

from synergy_models import charts
from synergy_models.data.loader import load_inputs
from synergy_models.data.tables import read_tables
from synergy_models.errors import InputError
from synergy_models.indicators import forecasting_value, operating_reserves
from synergy_models.model.build import build_model
from synergy_models.model.catalogue import active_modules
from synergy_models.run import run_scenario
from synergy_models.scenario import data_dir
from tests.test_model import solve
from tests.tiny import tiny_inputs, with_compute, with_hydrogen, with_reserves, with_thermal

COAL, GAS = 0.02, 0.05
DATA = data_dir()


def hub(load=5.0, *, coal=6.0, weights=None, step_hours=None) -> xr.Dataset:
    ds = tiny_inputs(["A"], {"coal": {"marginal_cost": COAL}, "gas": {"marginal_cost": GAS}},
                     np.array([[load]]), capacity={("A", "coal"): coal, ("A", "gas"): 10.0},
                     max_new=0.0, weights=weights, step_hours=step_hours)
    return with_thermal(ds, {"coal": 0.4, "gas": 0.5})


def wind_hub() -> xr.Dataset:
    """One hub, load 7 GW, the coal and gas of :func:`hub` and 4 GW of wind at half output."""
    ds = tiny_inputs(["A"], {"coal": {"marginal_cost": COAL}, "gas": {"marginal_cost": GAS},
                             "wind": {}}, np.array([[7.0]]),
                     capacity={("A", "coal"): 6.0, ("A", "gas"): 10.0, ("A", "wind"): 4.0},
                     max_new=0.0, cf={"wind": np.array([[0.5]])})
    return with_thermal(ds, {"coal": 0.4, "gas": 0.5})


def at(r: xr.Dataset, var: str, **sel) -> float:
    return float(r[var].sel(region="A", year=2030, **sel).squeeze())


def test_reserve_requirement_forces_gas_online_at_the_hand_cost():
    """sigma_load 0.4, k = 1: R = 0.4 x 5 = 2 GW each way. U_g = 2 - 1 = 1 GW, gas runs 0.5 GW:
    cost 0.02 x 4.5 + 0.05 x 0.5 = 0.115 (0.1 without reserves). Upward price: 0.015 MUSD per GW
    for the 1-h step = 15 USD/MW-h; downward not binding (5 - 0.4 x 6 - 0.5 x 1 = 2.1 >= 2): 0."""
    off = solve(hub())
    assert off.attrs["objective"] == pytest.approx(0.1, rel=1e-6)
    assert "reserve_price" not in off

    r = solve(with_reserves(hub(), {"load": 0.4}))
    assert r.attrs["objective"] == pytest.approx(0.115, rel=1e-6)
    assert at(r, "committed", gen_tech="gas") == pytest.approx(1.0, abs=1e-6)
    assert at(r, "generation", gen_tech="gas") == pytest.approx(0.5, abs=1e-6)
    assert at(r, "reserve_requirement", reserve_direction="up") == pytest.approx(2.0)
    assert at(r, "reserve_price", reserve_direction="up") == pytest.approx(15.0, rel=1e-6)
    assert at(r, "reserve_price", reserve_direction="down") == pytest.approx(0.0, abs=1e-6)
    held = r.reserve_provided.sel(region="A", year=2030, reserve_direction="up").sum("time")
    assert float(held.sum()) >= 2.0 - 1e-6
    assert float(r.reserve_shortfall.sum()) == pytest.approx(0.0, abs=1e-9)
    # the cost in the results is the objective's (no reserve cost term of its own here)
    assert float(r.cost.sum()) == pytest.approx(0.115, rel=1e-6)
    # the limits report the binding upward requirement: 2 GW, priced over the year's one hour at
    # 0.015 MUSD per GW = 0.015 USD/kW/yr; the downward one costs nothing (its level may equal its
    # value: reserve held is free to sit at the requirement)
    label = "reserves.requirement_up[A,2030]"
    assert r.limit_binding.sel(limit=label).item() == 1
    assert r.limit_value.sel(limit=label).item() == pytest.approx(2.0)
    assert r.limit_shadow_price.sel(limit=label).item() == pytest.approx(0.015, rel=1e-6)
    down = "reserves.requirement_down[A,2030]"
    assert r.limit_shadow_price.sel(limit=down).item() == pytest.approx(0.0, abs=1e-9)


def test_contingency_adds_to_the_upward_requirement_only():
    """Contingency 2 GW, no forecast error: R_up = 2 (gas 1 GW committed, cost 0.115), R_down 0."""
    r = solve(with_reserves(hub(), {}, contingency=2.0))
    assert r.attrs["objective"] == pytest.approx(0.115, rel=1e-6)
    assert at(r, "reserve_requirement", reserve_direction="down") == pytest.approx(0.0)


@pytest.mark.parametrize("cut", [0.0, 0.25, 0.4, 0.5, 0.6, 0.9])
def test_better_forecasts_remove_the_gas_unit_at_the_computed_threshold(cut):
    """R = 2 (1 - cut): gas is needed while R > 1, i.e. below cut = 0.5; the cost is
    0.1 + 0.015 max(0, 1 - 2 cut) and the upward price 15 USD/MW-h below the threshold, 0 above."""
    r = solve(with_reserves(hub(), {"load": 0.4}, reduction={"load": cut}))
    gas = max(0.0, 1 - 2 * cut)
    assert r.attrs["objective"] == pytest.approx(0.1 + 0.015 * gas, rel=1e-6)
    assert at(r, "committed", gen_tech="gas") == pytest.approx(gas, abs=1e-6)
    price = at(r, "reserve_price", reserve_direction="up")
    if cut < 0.5:
        assert price == pytest.approx(15.0, rel=1e-6)
    elif cut > 0.5:
        assert price == pytest.approx(0.0, abs=1e-6)


def test_wind_error_scales_with_capacity_and_output():
    """Wind 4 GW at capacity factor 0.5 (its mean: counted in full), sigma_wind 0.25: R = 0.25 x 4
    = 1 GW from wind, plus 0.4 x load. Load 7 GW, wind gives 2: coal 5 with 1 GW headroom; with
    sigma_load 0.2 (1.4 GW) R_up = 2.4, so gas commits 1.4 GW and runs 0.7: cost 0.02 x 4.3 +
    0.05 x 0.7 = 0.121. Downward: wind can curtail its 2 GW."""
    ds = wind_hub()
    r = solve(with_reserves(ds, {"load": 0.2, "wind": 0.25}))
    assert at(r, "reserve_requirement", reserve_direction="up") == pytest.approx(2.4)
    assert r.attrs["objective"] == pytest.approx(0.121, rel=1e-6)
    # halving wind's error (the AI lever) takes 0.5 GW off: gas commits 0.9, runs 0.45
    r = solve(with_reserves(ds, {"load": 0.2, "wind": 0.25}, reduction={"wind": 0.5}))
    assert at(r, "reserve_requirement", reserve_direction="up") == pytest.approx(1.9)
    assert r.attrs["objective"] == pytest.approx(0.02 * 4.55 + 0.05 * 0.45, rel=1e-6)


def test_forecasting_cost_is_charged_per_gw_of_wind_forecast():
    """The lever costs forecast_cost per GW of the forecast fleet (wind in service in the base
    year) once wind's error is cut: 4 GW x 0.005 MUSD/GW/yr = 0.02 on top of the run without the
    lever (load 3 GW: wind 2, coal 1 with ample headroom, 0.02)."""
    ds = tiny_inputs(["A"], {"coal": {"marginal_cost": COAL}, "wind": {}}, np.array([[3.0]]),
                     capacity={("A", "coal"): 6.0, ("A", "wind"): 4.0}, max_new=0.0,
                     cf={"wind": np.array([[0.5]])})
    ds = with_thermal(ds, {"coal": 0.4})
    base = solve(with_reserves(ds, {"wind": 0.1}, forecast_cost=0.005))
    paid = solve(with_reserves(ds, {"wind": 0.1}, reduction={"wind": 0.3}, forecast_cost=0.005))
    assert base.attrs["objective"] == pytest.approx(0.02, rel=1e-6)
    assert paid.attrs["objective"] == pytest.approx(0.02 + 0.02, rel=1e-6)
    assert float(paid.cost.sel(component="forecasting").sum()) == pytest.approx(0.02)


SQRT_2_PI = (2 / np.pi) ** 0.5   # E|e| / sigma of a normal error


def buildable_wind(imbalance_cost: float = 0.0) -> xr.Dataset:
    """Load 5 GW, coal 6 GW (20 USD/MWh, minimum load 0.4), 2 GW of wind in service and 2 GW
    more that may be built at 0.005 MUSD/GW for the one-hour year, capacity factor 0.5 (its mean):
    a GW built gives 0.5 GWh and saves 0.01 of coal, net 0.005 before the forecast error's costs.
    Wind's day-ahead error sigma 0.1 of capacity."""
    ds = tiny_inputs(["A"], {"coal": {"marginal_cost": COAL}, "wind": {"capex": 0.005}},
                     np.array([[5.0]]), capacity={("A", "coal"): 6.0, ("A", "wind"): 2.0},
                     max_new={("A", "coal"): 0.0, ("A", "wind"): 2.0},
                     cf={"wind": np.array([[0.5]])})
    return with_thermal(ds, {"coal": 0.4})


def test_the_forecasting_fee_does_not_change_what_is_built():
    """The fee is charged on the base-year fleet (2 GW), so it is a fixed cost: with 0.02
    MUSD/GW/yr (which, charged per GW in service, would make each GW built cost 0.005 + 0.02 >
    0.01 saved and stop the build) the model still builds the 2 GW; the objective rises by exactly
    2 x 0.02 = 0.04. Without the fee: coal 3 GW (0.06) + 2 GW built (0.01) = 0.07."""
    free = solve(with_reserves(buildable_wind(), {"wind": 0.1}, reduction={"wind": 0.3}))
    fee = solve(with_reserves(buildable_wind(), {"wind": 0.1}, reduction={"wind": 0.3},
                              forecast_cost=0.02))
    for r in (free, fee):
        assert at(r, "capacity", tech="wind") == pytest.approx(4.0, abs=1e-6)
    assert free.attrs["objective"] == pytest.approx(0.07, rel=1e-6)
    assert fee.attrs["objective"] == pytest.approx(0.07 + 0.04, rel=1e-6)
    assert float(fee.cost.sel(component="forecasting").sum()) == pytest.approx(0.04)


def test_imbalance_cost_by_hand_and_better_forecasts_make_wind_worth_building():
    """Imbalance cost c = 0.075 MUSD/GWh of expected absolute error, E|e| = sigma sqrt(2/pi) K
    (cf at its mean: the full sigma). Per GW of wind: c x 0.798 x 0.1 = 0.00598 > the 0.005 net
    saving, so without the lever nothing is built: cost 0.02 x 4 + 0.00598 x 2 = 0.09197. Cutting
    wind's error by 30% makes it 0.00419 < 0.005: the 2 GW are built, cost 0.02 x 3 + 0.005 x 2 +
    0.075 x 0.798 x 0.07 x 4 = 0.08676 (curtailment none, coal output 4 -> 3)."""
    c = 0.075
    ref = solve(with_reserves(buildable_wind(), {"wind": 0.1}, imbalance_cost=c))
    ai = solve(with_reserves(buildable_wind(), {"wind": 0.1}, reduction={"wind": 0.3},
                             imbalance_cost=c))
    assert at(ref, "capacity", tech="wind") == pytest.approx(2.0, abs=1e-6)
    assert at(ai, "capacity", tech="wind") == pytest.approx(4.0, abs=1e-6)
    ref_imbalance = c * SQRT_2_PI * 0.1 * 2
    ai_imbalance = c * SQRT_2_PI * 0.07 * 4
    assert float(ref.cost.sel(component="imbalance").sum()) == pytest.approx(ref_imbalance)
    assert float(ai.cost.sel(component="imbalance").sum()) == pytest.approx(ai_imbalance)
    assert ref.attrs["objective"] == pytest.approx(0.08 + ref_imbalance, rel=1e-6)
    assert ai.attrs["objective"] == pytest.approx(0.07 + ai_imbalance, rel=1e-6)
    assert at(ai, "generation", gen_tech="coal") == pytest.approx(3.0, abs=1e-6)


def test_imbalance_cost_counts_load_and_wind_errors():
    """The wind hub: E|e| = sqrt(2/pi) (0.2 x 7 + 0.25 x 4) = 1.915 GWh in the one hour; at
    0.005 MUSD/GWh (5 USD/MWh) that is 0.009575 on top of 0.121; halving wind's error takes
    sqrt(2/pi) x 0.5 GWh x 0.005 = 0.001995 more off, on top of the 0.0075 of reserve saved."""
    ref = solve(with_reserves(wind_hub(), {"load": 0.2, "wind": 0.25}, imbalance_cost=0.005))
    ai = solve(with_reserves(wind_hub(), {"load": 0.2, "wind": 0.25}, reduction={"wind": 0.5},
                             imbalance_cost=0.005))
    assert ref.attrs["objective"] == pytest.approx(0.121 + 0.005 * SQRT_2_PI * 2.4, rel=1e-6)
    assert ai.attrs["objective"] == pytest.approx(0.1135 + 0.005 * SQRT_2_PI * 1.9, rel=1e-6)


def test_flexible_training_load_displaces_thermal_headroom_exactly():
    """A day as one 24-h step: load 5 GW plus 1 GW of training (PUE 1) with flexibility 0.5, so
    0.5 GW is shifted load (v = 0.5 T) that can pause: it offers 0.5 GW of upward reserve.
    R_up = 0.4 x 5 = 2 (the exogenous load's error). Coal runs at most 6 = the whole load, so
    without the training's reserve thermal holds all 2 GW: U_g = 2, gas 1 GW, cost per hour
    0.02 x 5 + 0.05 x 1 = 0.15 (x 24 h = 3.6). With it thermal holds 1.5: U_g = 1.5, gas 0.75,
    cost 24 x (0.02 x 5.25 + 0.05 x 0.75) = 3.42. Training earns 0.5 GW x 15 USD/MW-h x 24 h =
    0.18 MUSD."""
    def case(flexibility: float) -> xr.Dataset:
        ds = with_compute(hub(weights=[24.0], step_hours=[24.0]), {("A", "training"): 1.0},
                          flexibility=flexibility)
        return with_reserves(ds, {"load": 0.4})

    rigid, flexible = solve(case(0.0)), solve(case(0.5))
    assert rigid.attrs["objective"] == pytest.approx(3.6, rel=1e-6)
    assert flexible.attrs["objective"] == pytest.approx(3.42, rel=1e-6)
    up = dict(reserve_direction="up")
    thermal = ["coal", "gas"]

    def held(r, who):
        return float(r.reserve_provided.sel(region="A", year=2030, reserve_provider=who,
                                            **up).sum())

    assert held(rigid, thermal) == pytest.approx(2.0, abs=1e-6)
    assert held(flexible, "training") == pytest.approx(0.5, abs=1e-6)
    assert held(flexible, thermal) == pytest.approx(1.5, abs=1e-6)
    assert at(flexible, "reserve_price", **up) == pytest.approx(15.0, rel=1e-6)
    earned = float(flexible.reserve_revenue.sel(region="A", year=2030, reserve_provider="training",
                                                **up))
    assert earned == pytest.approx(0.18, rel=1e-6)
    # the report's chart shows the same split (mean GW) and earnings
    data = charts.operating_reserves_chart(flexible).data.set_index("provider")
    assert data.reserve_gw.sum() == pytest.approx(2.0, abs=1e-3)
    assert data.loc["training", "reserve_gw"] == pytest.approx(0.5, abs=1e-3)
    assert data.loc["training", "earned_musd"] == pytest.approx(0.18, abs=1e-3)
    assert "operating_reserves" in charts.all_charts(flexible)
    assert "operating_reserves" not in charts.all_charts(solve(hub()))


def test_reserves_off_leave_the_model_unchanged():
    """The option off (or no forecast errors): no reserves block, the same rows and columns."""
    ds = with_reserves(hub(), {"load": 0.4})
    on = build_model(ds)
    assert hasattr(on, "reserves")
    off = build_model(ds.assign_attrs(operating_reserves="off"))
    plain = build_model(hub())
    assert not hasattr(off, "reserves")
    count = [sum(1 for _ in m.component_data_objects(kind))
             for m in (off, plain) for kind in (pyo.Var, pyo.Constraint)]
    assert count[:2] == count[2:]


# --- data: the dataset's table, a scenario's own file -------------------------------------------

HUBS = ["BTH", "YRD", "GBA", "CY", "IM", "GZ", "GS", "NX"]


def errors_csv(path, rows=None, header="region,source,error_sigma"):
    rows = rows if rows is not None else [f"{r},{s},{v}" for r in HUBS
                                          for s, v in (("load", 0.02), ("wind", 0.1),
                                                       ("solar", 0.08))]
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def scenario_with(tmp_path, errors: str) -> str:
    path = tmp_path / "mine.yaml"
    path.write_text(f"extends: {DATA / 'scenarios' / 'reserves.yaml'}\nname: mine\n"
                    f"forecast_errors: {errors}\n")
    return str(path)


def test_dataset_errors_are_sourced_and_off_in_base():
    """The dataset's table: every hub and source, each number with its citation in provenance;
    base leaves reserves off, the reserves scenario turns them on."""
    tables = read_tables(DATA / "china_hubs")
    prov = tables.provenance()
    rows = prov[prov.file.str.endswith("forecast_errors.csv")]
    assert len(rows) == 3 * len(HUBS)
    assert (rows.source.str.len() > 20).all()
    base = load_inputs("base")
    assert base.attrs["operating_reserves"] == "off"
    assert "reserves" not in [m.name for m in active_modules(base)]
    on = load_inputs("reserves")
    assert "reserves" in [m.name for m in active_modules(on)]
    assert float(on.forecast_error.sel(region="IM", forecast_source="wind")) == 0.15


def test_scenario_file_replaces_the_dataset_errors(tmp_path):
    """forecast_errors: PATH (relative to the scenario's folder) replaces every number."""
    errors_csv(tmp_path / "errors.csv")
    inputs = load_inputs(scenario_with(tmp_path, "errors.csv"))
    np.testing.assert_allclose(inputs.forecast_error.sel(forecast_source="wind").values, 0.1)
    np.testing.assert_allclose(inputs.forecast_error.sel(forecast_source="load").values, 0.02)


@pytest.mark.parametrize("rows, header, row, column, words", [
    (["BTH,load,1.5"], None, 1, "error_sigma", "less than or equal to 1"),
    (["XYZ,load,0.1"], None, 1, "region", "unknown region"),
    (["BTH,hydro,0.1"], None, 1, "source", "'load', 'wind' or 'solar'"),
    (["BTH,load,0.1", "BTH,load,0.2"], None, 2, "source", "duplicate"),
    ([], "region,source,sigma", None, "error_sigma", "missing column"),
])
def test_bad_forecast_errors_file_names_file_row_and_column(tmp_path, rows, header, row, column,
                                                           words):
    full = [f"{r},{s},0.1" for r in HUBS for s in ("load", "wind", "solar")
            if not (r == "BTH" and s == "load")]
    path = errors_csv(tmp_path / "bad.csv", rows + full if header is None else [],
                      header=header or "region,source,error_sigma")
    with pytest.raises(InputError) as err:
        load_inputs(scenario_with(tmp_path, str(path)))
    hits = [p for p in err.value.problems if p.column == column and p.row == row]
    assert hits, err.value.problems
    assert all(p.file.endswith("bad.csv") for p in err.value.problems)
    assert any(words in (p.message + " " + (p.expected or "")) for p in hits), hits


def test_missing_hub_row_is_named(tmp_path):
    path = errors_csv(tmp_path / "short.csv",
                      [f"{r},{s},0.1" for r in HUBS for s in ("load", "wind", "solar")][:-1])
    with pytest.raises(InputError, match="no row for hub 'NX', source 'solar'"):
        load_inputs(scenario_with(tmp_path, str(path)))


# --- what the report reads: reserves by provider, the value of better forecasting ---------------

def test_forecasting_value_and_reserve_table_from_tiny_results():
    """The wind case above, reference vs halved wind error: cost 0.121 -> 0.1135 (-0.0075: 0.5 GW
    less gas committed x 0.015), the
    upward requirement 2.4 -> 1.9 GW, committed gas 1.4 -> 0.9 GW (coal stays at 6), emissions 0
    (none set). Reserve table: upward price 15 USD/MW-h in the one hour, so it is positive in all
    hours; thermal holds 2.4 GW in the reference, earning 2.4 x 15 / 1000 = 0.036 MUSD."""
    ds = wind_hub()
    ref = solve(with_reserves(ds, {"load": 0.2, "wind": 0.25}))
    ai = solve(with_reserves(ds, {"load": 0.2, "wind": 0.25}, reduction={"wind": 0.5}))
    value = forecasting_value(ref, ai)
    row = value.loc["2030"]
    assert row["cost MUSD/year"] == pytest.approx(-0.0075, abs=1e-9)
    assert row["upward requirement GW"] == pytest.approx(-0.5, abs=1e-9)
    assert row["committed thermal GW"] == pytest.approx(-0.5, abs=1e-6)
    assert value.loc["horizon (present value, MUSD)", "cost MUSD/year"] == pytest.approx(-0.0075,
                                                                                       abs=1e-9)
    table = operating_reserves(ref).set_index(["reserve_direction", "reserve_provider"])
    thermal = table.loc[[("up", "coal"), ("up", "gas")]]
    assert thermal["mean GW"].sum() == pytest.approx(2.4, abs=1e-6)
    assert thermal["earned MUSD/year"].sum() == pytest.approx(0.036, rel=1e-6)
    assert table.loc[("up", "coal"), "hours with a positive price (share)"] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="no operating reserves"):
        operating_reserves(solve(hub()))


def test_electrolysers_hold_upward_reserve_at_the_reserve_price():
    """1 GW of electrolysers (50 kWh/kg) serve 175,200 t/yr (0.02 kt/h: they run at 1 GW; grey
    hydrogen costs 2 USD/kg = 0.04 MUSD per GW-hour of electrolysis, above coal's 0.02), on top of
    5 GW of load; R_up = 0.4 x 5 = 2 GW. Coal covers the 6 GW, so thermal headroom needs gas; the
    electrolysers can drop their 1 GW at short notice, so gas commits 1 GW, not 2: cost
    0.02 x 5.5 + 0.05 x 0.5 = 0.135 (not 0.15, the same load as exogenous demand with the same
    2 GW requirement). The electrolysers earn 1 GW x 15 USD/MW-h = 0.015 MUSD. Pausing them instead
    (grey hydrogen) would cost 0.04 - 0.02 per GW-hour, more than the reserve saves (0.015)."""
    rigid = solve(with_reserves(hub(load=6.0), {"load": 2 / 6}))
    assert rigid.attrs["objective"] == pytest.approx(0.15, rel=1e-6)
    ds = with_hydrogen(hub(), 175_200.0, electrolyser_existing=1.0, max_new_electrolyser=0.0)
    r = solve(with_reserves(ds, {"load": 0.4}))
    assert r.attrs["objective"] == pytest.approx(0.135, rel=1e-6)
    up = dict(reserve_direction="up")
    held = r.reserve_provided.sel(region="A", year=2030, **up)
    assert float(held.sel(reserve_provider="electrolyser").sum()) == pytest.approx(1.0, abs=1e-6)
    assert float(held.sel(reserve_provider=["coal", "gas"]).sum()) == pytest.approx(1.0, abs=1e-6)
    earned = r.reserve_revenue.sel(region="A", year=2030, reserve_provider="electrolyser", **up)
    assert float(earned) == pytest.approx(0.015, rel=1e-6)


def test_on_the_dataset_prices_are_positive_only_where_the_requirement_binds():
    """The hubs with reserves on (2030, two representative days): every requirement is met
    without shortfall; the reserve price is never negative; where the hub holds more than it must
    (slack) the price is 0, and where the price is positive the reserve held equals the requirement
    (complementary slackness); committed coal holds no more than its headroom above output. Both
    kinds of step occur (headroom scarce in some steps, ample in others)."""
    r = run_scenario("reserves", {"years": [2030], "time.days": 2, "time.segments": 6})
    held = r.reserve_provided.sum("reserve_provider") + r.reserve_shortfall
    need = r.reserve_requirement
    assert float(r.reserve_shortfall.max()) == pytest.approx(0.0, abs=1e-6)
    assert bool((held >= need - 1e-4).all())
    price = r.reserve_price
    assert float(price.min()) >= -1e-6
    slack = held > need + 1e-3
    assert float(abs(price.where(slack, 0.0)).max()) < 1e-6
    positive = price > 1e-3
    assert bool(positive.sel(reserve_direction="up").any())
    assert bool((~positive).sel(reserve_direction="up").any())
    assert float(abs((held - need).where(positive, 0.0)).max()) < 1e-3
    coal_up = r.reserve_provided.sel(reserve_direction="up", reserve_provider="coal")
    room = (r.committed - r.generation).sel(gen_tech="coal")
    assert bool((coal_up <= room + 1e-5).all())
