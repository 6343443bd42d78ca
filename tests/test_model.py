"""The power-market model on tiny cases whose answers are derived by hand.

Units inside the model: GW, GWh, MUSD; 0.001 MUSD/GWh = 1 USD/MWh. With the tiny defaults (discount
rate 0, lifetime 1, no fixed O&M, one year of weight 1) a technology's annual cost per GW is its
``capex`` and the objective is one year's cost.
"""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from synergy_models.model.build import build_model
from synergy_models.results import build_results
from synergy_models.scenario import SolverSettings
from synergy_models.solve import SolveError, solve_model
from tests.tiny import tiny_inputs

USD_PER_MWH = 1000.0  # per MUSD/GWh


def solve(inputs: xr.Dataset, method: str = "hipo") -> xr.Dataset:
    model = build_model(inputs)
    solution = solve_model(model, SolverSettings(method=method))
    return build_results(model, solution, inputs)


def balance_from_parts(r: xr.Dataset, inputs: xr.Dataset) -> xr.DataArray:
    """The regional balance rebuilt from results variables, independently of the model's terms."""
    supply = r.generation.sum("gen_tech") + r.unserved
    if r.sizes["storage_tech"]:
        supply = supply + (r.storage_discharge - r.storage_charge).sum("storage_tech")
    net_import = xr.zeros_like(supply)
    loss = inputs.line_loss.sel(line=r.line.values)
    for ln in r.line.values:
        fwd, bwd = r.flow.sel(line=ln).clip(min=0), (-r.flow.sel(line=ln)).clip(min=0)
        keep = 1 - float(loss.sel(line=ln))
        a, b = str(r.line_from.sel(line=ln).item()), str(r.line_to.sel(line=ln).item())
        net_import.loc[{"region": b}] += keep * fwd - bwd
        net_import.loc[{"region": a}] += keep * bwd - fwd
    schedule = xr.zeros_like(supply)
    for ln in inputs.line.values[inputs.line_external.values]:
        schedule.loc[{"region": str(inputs.line_from.sel(line=ln).item())}] += float(
            inputs.line_schedule.sel(line=ln))
    return supply + net_import - r.demand - schedule


# --- screening curve -------------------------------------------------------------------------

SCREENING = {  # annual cost F [MUSD/GW/yr] and marginal cost c [MUSD/GWh]
    "nuclear": {"capex": 100.0, "marginal_cost": 0.01},  # base load
    "coal": {"capex": 50.0, "marginal_cost": 0.04},      # mid merit
    "gas": {"capex": 10.0, "marginal_cost": 0.10},       # peaker
}
LDC_LOAD = [100.0, 80.0, 60.0, 40.0]       # GW, a load-duration curve in four blocks
LDC_HOURS = [100.0, 900.0, 2000.0, 5760.0]  # hours per block (sum 8,760)


def test_screening_curve_capacities_and_price_duration_curve():
    """Breakpoints: nuclear/coal at (100-50)/(0.04-0.01) = 1,666.7 h; coal/gas at (50-10)/(0.10-0.04)
    = 666.7 h. The load exceeded for at least 1,666.7 h is 60 GW (nuclear), up to 666.7 h 80 GW
    (coal takes 80 - 60 = 20 GW) and gas the last 20 GW. Prices follow from each technology's rent
    paying its annual cost, F_i = sum_t w_t (p_t - c_i)+:
    gas 10 = 100 (p1 - 0.10) -> p1 = 0.2; coal 50 = 100 (0.2 - 0.04) + 900 (p2 - 0.04) -> p2 = 0.07778;
    nuclear 100 = 100 (0.19) + 900 (0.06778) + 2000 (p3 - 0.01) -> p3 = 0.02; p4 = 0.01."""
    inputs = tiny_inputs(["A"], SCREENING, np.array([LDC_LOAD]), weights=LDC_HOURS,
                         value_of_lost_load=10.0)
    r = solve(inputs)
    cap = r.capacity.sel(region="A", year=2030)
    assert cap.sel(tech="nuclear").item() == pytest.approx(60, abs=1e-6)
    assert cap.sel(tech="coal").item() == pytest.approx(20, abs=1e-6)
    assert cap.sel(tech="gas").item() == pytest.approx(20, abs=1e-6)
    prices = r.price.sel(region="A", year=2030).values
    np.testing.assert_allclose(prices, [200.0, 0.04 * 1000 + 34 / 900 * 1000, 20.0, 10.0], rtol=1e-6)
    # The objective is the sum of annual costs: F x capacity + energy x marginal cost.
    energy = {"nuclear": 60 * 3000 + 40 * 5760, "coal": 20 * 1000, "gas": 20 * 100}
    expected = sum(SCREENING[t]["capex"] * c for t, c in
                   {"nuclear": 60, "coal": 20, "gas": 20}.items())
    expected += sum(SCREENING[t]["marginal_cost"] * e for t, e in energy.items())
    assert r.attrs["objective"] == pytest.approx(expected, rel=1e-9)


# --- merit order and carbon price ---------------------------------------------------------

MERIT = {
    "coal": {"marginal_cost": 0.025, "emission_intensity": 0.9},
    "gas": {"marginal_cost": 0.040, "emission_intensity": 0.35},
}


@pytest.mark.parametrize(("carbon", "first"), [(0.0, "coal"), (20.0, "coal"), (35.0, "gas")])
def test_merit_order_prices_and_the_carbon_switch(carbon, first):
    """Coal 25 + 0.9 tau vs gas 40 + 0.35 tau USD/MWh: the order switches at tau = 15/0.55 = 27.3
    USD/t. With 10 GW of each and loads 5 and 15 GW, the cheaper unit alone serves 5 GW (it sets
    the price), the dearer one is marginal at 15 GW."""
    inputs = tiny_inputs(["A"], MERIT, np.array([[5.0, 15.0]]), max_new=0.0,
                         capacity={("A", "coal"): 10, ("A", "gas"): 10}, carbon_price=carbon)
    r = solve(inputs)
    cost = {t: (MERIT[t]["marginal_cost"] * 1000 + MERIT[t]["emission_intensity"] * carbon)
            for t in MERIT}
    second = "gas" if first == "coal" else "coal"
    np.testing.assert_allclose(r.price.sel(region="A", year=2030).values,
                               [cost[first], cost[second]], rtol=1e-9)
    gen = r.generation.sel(region="A", year=2030)
    assert gen.sel(gen_tech=first).values.tolist() == pytest.approx([5, 10])
    assert gen.sel(gen_tech=second).values.tolist() == pytest.approx([0, 5])
    emissions = sum(gen.sel(gen_tech=t).sum().item() * MERIT[t]["emission_intensity"] for t in MERIT)
    assert r.emissions.sel(region="A", year=2030).item() == pytest.approx(emissions / 1000)


# --- two regions, one line ----------------------------------------------------------------

def two_regions(line_capacity: float, loss: float) -> xr.Dataset:
    techs = {"coal": {"marginal_cost": 0.010}, "gas": {"marginal_cost": 0.050}}
    return tiny_inputs(
        ["A", "B"], techs, np.array([[10.0], [10.0]]), max_new=0.0,
        capacity={("A", "coal"): 100, ("B", "gas"): 100},
        lines=[{"name": "AB", "from": "A", "to": "B", "capacity": line_capacity, "loss": loss}],
    )


def test_uncongested_line_prices_differ_by_the_loss_factor():
    """B imports everything: one more MWh in B needs 1/(1 - loss) MWh in A at 10 USD/MWh."""
    r = solve(two_regions(line_capacity=50, loss=0.05))
    assert r.price.sel(region="A").item() == pytest.approx(10.0, rel=1e-9)
    assert r.price.sel(region="B").item() == pytest.approx(10.0 / 0.95, rel=1e-9)
    assert r.flow.sel(line="AB").item() == pytest.approx(10 / 0.95, rel=1e-9)
    assert r.line_losses.sel(line="AB").item() == pytest.approx(10 / 0.95 * 0.05, rel=1e-9)


def test_congestion_splits_prices_by_the_marginal_costs():
    """A 4 GW line is full: B's price is its own gas (50), A's its coal (10); the line earns 40."""
    r = solve(two_regions(line_capacity=4, loss=0.0))
    assert r.price.sel(region="A").item() == pytest.approx(10.0, rel=1e-9)
    assert r.price.sel(region="B").item() == pytest.approx(50.0, rel=1e-9)
    assert r.flow.sel(line="AB").item() == pytest.approx(4.0)
    assert r.generation.sel(region="B", gen_tech="gas").item() == pytest.approx(6.0)


def test_line_expansion_when_the_price_gap_pays_for_it():
    """Building line capacity costs 0.2 MUSD/GW/yr; the price gap 0.04 MUSD/GWh over 8,760 h of a
    flat 10 GW load pays 350 MUSD/GW/yr, so the line is built to carry all of B's load."""
    inputs = two_regions(line_capacity=0, loss=0.0)
    inputs["line_capex"][:] = 0.2
    r = solve(inputs.assign(weight=inputs.weight * 8760))
    assert r.line_capacity_new.sel(line="AB").item() == pytest.approx(10.0, rel=1e-6)


# --- storage -----------------------------------------------------------------------------

def test_storage_arbitrage_over_a_two_price_day():
    """Solar (cost 10) runs the first 12 hours, gas (50) the rest. A 1 GW / 4 GWh battery with
    0.81 round trip stores 4 GWh, charging 4/0.9 = 4.44 GWh and delivering 3.6 GWh: it saves
    3.6 x 50 - 4.44 x 10 = 135.6 USD/MWh x GWh = 0.1356 MUSD, and prices stay 10 and 50."""
    techs = {"solar": {"marginal_cost": 0.010}, "gas": {"marginal_cost": 0.050},
             "battery": {"efficiency": 0.81, "duration": 4.0}}
    cf = {"solar": np.array([[1.0] * 12 + [0.0] * 12])}
    kw = {"max_new": 0.0, "cf": cf}
    without = solve(tiny_inputs(["A"], techs, np.full((1, 24), 5.0),
                                capacity={("A", "solar"): 20, ("A", "gas"): 20}, **kw))
    with_battery = solve(tiny_inputs(["A"], techs, np.full((1, 24), 5.0),
                                     capacity={("A", "solar"): 20, ("A", "gas"): 20,
                                               ("A", "battery"): 1}, **kw))
    saving = 3.6 * 0.050 - 4 / 0.9 * 0.010
    assert without.attrs["objective"] - with_battery.attrs["objective"] == pytest.approx(saving)
    np.testing.assert_allclose(with_battery.price.sel(region="A").values.ravel(),
                               [10.0] * 12 + [50.0] * 12, rtol=1e-9)
    level = with_battery.storage_level.sel(region="A", storage_tech="battery").values.ravel()
    assert level.max() == pytest.approx(4.0)
    assert level[11] == pytest.approx(4.0) and level[23] == pytest.approx(0.0, abs=1e-9)


def test_storage_in_two_hour_segments_matches_the_hourly_day():
    """The arbitrage day in 12 two-hour segments: charging 1 GW for 2 h stores 1.8 GWh, so the
    4 GWh battery is the same and saves the same 0.1356 MUSD."""
    techs = {"solar": {"marginal_cost": 0.010}, "gas": {"marginal_cost": 0.050},
             "battery": {"efficiency": 0.81, "duration": 4.0}}
    kw = {"max_new": 0.0, "cf": {"solar": np.array([[1.0] * 6 + [0.0] * 6])},
          "weights": [2.0] * 12, "step_hours": [2.0] * 12}
    caps = {("A", "solar"): 20, ("A", "gas"): 20}
    without = solve(tiny_inputs(["A"], techs, np.full((1, 12), 5.0), capacity=caps, **kw))
    with_battery = solve(tiny_inputs(["A"], techs, np.full((1, 12), 5.0),
                                     capacity={**caps, ("A", "battery"): 1}, **kw))
    saving = 3.6 * 0.050 - 4 / 0.9 * 0.010
    assert without.attrs["objective"] - with_battery.attrs["objective"] == pytest.approx(saving)


# --- representative days -------------------------------------------------------------------

def test_prices_do_not_depend_on_how_many_identical_days_represent_the_year():
    """One day of weight 365 and two identical days of weight 182.5 are the same year: the
    objective and the hourly prices (dual / weight) must match. (Dispatch of fixed capacity, so that
    prices are unique: with investment, a capacity rent may be shared between identical days in
    any proportion.) Prices are gas's 60 USD/MWh when gas runs, 0 when solar is curtailed, and the
    value of lost load (10,000 USD/MWh) when both are at their limit."""
    techs = {"solar": {}, "gas": {"marginal_cost": 0.06}}
    day = 10 + 5 * np.sin(np.linspace(0, 2 * np.pi, 24, endpoint=False))
    sun = np.clip(np.sin(np.linspace(-np.pi / 2, 3 * np.pi / 2, 24, endpoint=False)), 0, None)
    kw = dict(max_new=0.0, capacity={("A", "solar"): 25, ("A", "gas"): 12})
    one = tiny_inputs(["A"], techs, np.array([day]), weights=[365.0] * 24,
                      cf={"solar": np.array([sun])}, **kw)
    two = tiny_inputs(["A"], techs, np.array([np.tile(day, 2)]), weights=[182.5] * 48,
                      cf={"solar": np.array([np.tile(sun, 2)])}, periods=[0] * 24 + [1] * 24, **kw)
    r1, r2 = solve(one), solve(two)
    assert r2.attrs["objective"] == pytest.approx(r1.attrs["objective"], rel=1e-9)
    p1 = r1.price.sel(region="A", year=2030).values
    p2 = r2.price.sel(region="A", year=2030).values
    assert set(np.round(p1, 6)) == {0.0, 60.0, 10000.0}  # every kind of hour occurs
    np.testing.assert_allclose(p2[:24], p1, rtol=1e-9)
    np.testing.assert_allclose(p2[24:], p1, rtol=1e-9)


# --- balance, policy, diagnosis -------------------------------------------------------------

def test_energy_balance_closes_everywhere():
    inputs = tiny_inputs(
        ["A", "B"],
        {"coal": {"capex": 60.0, "marginal_cost": 0.03}, "wind": {"capex": 80.0},
         "battery": {"capex": 20.0, "capex_energy": 10.0, "efficiency": 0.9, "duration": 2}},
        np.array([[8.0, 12.0, 10.0, 6.0], [5.0, 7.0, 9.0, 4.0]]), weights=[2190.0] * 4,
        cf={"wind": np.array([[0.9, 0.1, 0.5, 0.8], [0.2, 0.6, 0.3, 0.9]])},
        lines=[{"name": "AB", "from": "A", "to": "B", "capacity": 3, "loss": 0.04, "capex": 5.0},
               {"name": "AX", "from": "A", "to": "EXT", "schedule": 1.5}],
    )
    r = solve(inputs)
    assert float(abs(r.balance.sum("term")).max()) < 1e-6
    assert float(abs(balance_from_parts(r, inputs)).max()) < 1e-6


def test_carbon_cap_binds_and_its_price_appears():
    """Without a cap coal (cheap, 0.9 t/MWh) runs 10 GW x 8760 h = 78.84 Mt; a 40 Mt cap forces
    gas to take over the rest."""
    techs = {"coal": {"marginal_cost": 0.02, "emission_intensity": 0.9},
             "gas": {"marginal_cost": 0.05, "emission_intensity": 0.35}}
    base = dict(max_new=0.0, capacity={("A", "coal"): 20, ("A", "gas"): 20}, weights=[8760.0])
    free = solve(tiny_inputs(["A"], techs, np.array([[10.0]]), **base))
    capped = solve(tiny_inputs(["A"], techs, np.array([[10.0]]), carbon_cap=40.0, **base))
    assert free.emissions.sum().item() == pytest.approx(78.84)
    assert capped.emissions.sum().item() == pytest.approx(40.0, rel=1e-6)
    # 40 Mt = 0.9 coal + 0.35 gas (TWh) with coal + gas = 87.6 TWh -> coal = (40 - 30.66)/0.55
    coal = (40 - 0.35 * 87.6) / 0.55
    assert capped.generation_annual.sel(gen_tech="coal").sum().item() == pytest.approx(coal, rel=1e-6)


def test_renewable_share_target():
    techs = {"coal": {"marginal_cost": 0.02}, "wind": {"capex": 100.0}}
    inputs = tiny_inputs(["A"], techs, np.array([[10.0, 10.0]]), weights=[4380.0, 4380.0],
                         capacity={("A", "coal"): 20}, max_new={("A", "coal"): 0},
                         cf={"wind": np.array([[0.5, 0.3]])}, renewable_share={"A": 0.3})
    r = solve(inputs)
    wind = r.generation_annual.sel(gen_tech="wind").sum().item()
    assert wind == pytest.approx(0.3 * 87.6, rel=1e-6)


def test_reserve_margin_builds_firm_capacity_and_prices_the_shortfall():
    """Peak 10 GW, margin 20%: 12 GW of firm capacity. Gas (credit 1, 30 MUSD/GW/yr) is built up
    to its 1 GW limit beyond the 10 GW existing, and the last 1 GW is a priced shortfall."""
    techs = {"gas": {"capex": 30.0, "marginal_cost": 0.05, "capacity_credit": 1.0}}
    inputs = tiny_inputs(["A"], techs, np.array([[10.0, 5.0]]), capacity={("A", "gas"): 10},
                         max_new={("A", "gas"): 1.0}, reserve_margin=0.2, reserve_shortfall_cost=100.0)
    r = solve(inputs)
    assert r.capacity_new.sel(region="A", tech="gas").item() == pytest.approx(1.0)
    assert r.cost.sel(component="reserve_shortfall").item() == pytest.approx(100.0)


def test_time_limit_is_reported_with_advice():
    techs = {"coal": {"capex": 60.0, "marginal_cost": 0.03}, "wind": {"capex": 80.0},
             "battery": {"capex": 20.0, "capex_energy": 10.0, "efficiency": 0.9, "duration": 2}}
    rng = np.random.default_rng(1)
    inputs = tiny_inputs(["A", "B"], techs, 10 + rng.random((2, 2000)), weights=[4.38] * 2000,
                         cf={"wind": rng.random((2, 2000))},
                         lines=[{"name": "AB", "from": "A", "to": "B", "loss": 0.02, "capex": 5.0}])
    model = build_model(inputs)
    with pytest.raises(SolveError) as err:
        solve_model(model, SolverSettings(method="simplex", time_limit=0.05))
    assert err.value.status == "time_limit"
    assert "time limit" in str(err.value) and "solver.time_limit" in str(err.value)


def test_infeasible_scenario_is_diagnosed_not_a_traceback():
    """A carbon cap below what the only generator must emit cannot hold: the error names it."""
    techs = {"coal": {"marginal_cost": 0.02, "emission_intensity": 0.9}}
    inputs = tiny_inputs(["A"], techs, np.array([[10.0]]), capacity={("A", "coal"): 20},
                         max_new=0.0, carbon_cap=1e-3, value_of_lost_load=1e9, weights=[8760.0])
    # Unserved energy keeps it feasible at any price; make the cap truly impossible instead:
    inputs["carbon_cap"][:] = -1.0
    with pytest.raises(SolveError) as err:
        solve(inputs)
    assert err.value.status == "infeasible"
    assert "policy.carbon_cap[2030]" in str(err.value)


@pytest.mark.parametrize("method", ["simplex", "hipo"])
def test_thread_count_may_change_between_solves(method):
    """HiGHS sizes one thread pool per process on the first solve; a sweep or a notebook that solves
    with 1 thread and then 2 must not be refused."""
    techs = {"coal": {"marginal_cost": 0.02}}
    inputs = tiny_inputs(["A"], techs, np.array([[10.0]]), capacity={("A", "coal"): 20},
                         max_new=0.0, weights=[8760.0])
    objectives = [solve_model(build_model(inputs), SolverSettings(method=method, threads=n))
                  .objective for n in (1, 2, 1)]
    # The existing coal serves the 10 GW for the year at its marginal cost (present-value weight 1)
    expected = 10 * 8760 * 0.02  # GW x h x MUSD/GWh = 1,752 MUSD
    assert objectives == pytest.approx([expected] * 3, rel=1e-9)


def _renewable_conflict() -> xr.Dataset:
    """One hub with 20 GW of coal, 1 GW of solar and no room to build (max_new 0), asked for a 50%
    renewable share of its 10 GW load all year: 43,800 GWh, of which 1 GW of solar at a capacity
    factor of 0.25 gives 2,190: the other 41,610 GWh would need 19 GW of solar more."""
    techs = {"coal": {"marginal_cost": 0.02}, "solar": {"marginal_cost": 0.0}}
    return tiny_inputs(["A"], techs, np.array([[10.0]]),
                       capacity={("A", "coal"): 20, ("A", "solar"): 1},
                       max_new=0.0, cf={"solar": np.array([[0.25]])}, weights=[8760.0],
                       renewable_share={"A": 0.5}, value_of_lost_load=1e9)


def test_an_infeasible_scenario_names_the_parameters_behind_the_conflicting_limits():
    """The diagnosis maps the conflicting rows and bounds back to the scenario parameters that set
    them: the renewable share (short by 43,800 - 2,190 = 41,610 GWh) against the build limit
    (solar's new capacity 19 GW over its bound of 0)."""
    with pytest.raises(SolveError) as err:
        solve(_renewable_conflict())
    text = str(err.value)
    assert err.value.status == "infeasible"
    lines = text.splitlines()
    i = next(i for i, x in enumerate(lines) if x.strip().startswith("renewable_share_min"))
    assert "policy.renewable_share: 1 rows, violated by 4.161e+04 GWh/year in all) against" in lines[i]
    assert lines[i + 1].strip() == ("max_new_capacity, max_build_rate (power.new: 1 bounds, "
                                    "violated by 19 GW in all)")


def test_a_renewable_share_in_a_hub_without_renewables_is_named_not_a_traceback():
    """No wind, solar or hydro and none to build: the row would be a constant 0 >= 43,800 (a Pyomo
    error used to escape); the parameter and hub are named instead."""
    from synergy_models.errors import InputError

    techs = {"coal": {"marginal_cost": 0.02}}
    inputs = tiny_inputs(["A"], techs, np.array([[10.0]]), capacity={("A", "coal"): 20},
                         max_new=0.0, weights=[8760.0], renewable_share={"A": 0.5})
    with pytest.raises(InputError, match=r"renewable_share_min.*hub A has no wind, solar or hydro"):
        build_model(inputs)


def test_a_time_limit_hit_while_diagnosing_is_reported_as_a_time_limit(monkeypatch):
    """The elastic re-solves of the diagnosis run under the scenario's time limit: when they stop
    there, the error says so (it used to say 'unbounded, look for negative costs')."""
    from synergy_models import solve as solve_module

    model = build_model(_renewable_conflict())
    form = solve_module.compile_model(model)
    solution = solve_module.run_highs(form, SolverSettings(method="simplex"))
    assert solution.status == "infeasible"
    # HiGHS checks its time limit before it starts: 1e-9 s stops every elastic re-solve
    err = solve_module._explain(solution, SolverSettings(time_limit=1e-9),
                                solve_module.limit_parameters(model))
    assert err.status == "time_limit"
    assert "proved the scenario infeasible" in str(err) and "solver.time_limit" in str(err)
    assert "unbounded" not in str(err)
