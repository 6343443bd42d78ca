"""Power-system credibility features (issue 17), each against a hand-derived number: the in-service
share of a period's builds and lead times, hydro within an energy budget, free ETS allocation,
contracted line energy and the transmission tariff."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from synergy_models.model.power import build_years_and_share
from tests.test_model import solve
from tests.tiny import tiny_inputs

GAS = {"marginal_cost": 0.060}


@pytest.mark.parametrize(("weight", "lead", "years", "share"), [
    (3, 1, 3, 2 / 3),    # 2025-27, all three years: 1/3, 2/3, 3/3 in service -> mean 2/3
    (3, 3, 1, 1 / 3),    # only 2027 is at or after 2024 + 3: in service one year of three
    (3, 4, 0, 0.0),      # nothing can enter service before 2028
    (1, 1, 1, 1.0),      # a one-year period has its builds all year
    (2, 1, 2, 3 / 4),    # 1/2 then 2/2 -> 3/4
])
def test_in_service_share_and_build_years_by_hand(weight, lead, years, share):
    e, phi = build_years_and_share([2025], np.array([float(weight)]), 2024, np.array([lead]))
    assert e[0, 0] == pytest.approx(years)
    assert phi[0, 0] == pytest.approx(share)


def test_a_period_pays_and_uses_its_builds_by_in_service_share():
    """One hub, a year standing for three (2030-32, base year 2029). Load 6 GW flat; solar at
    cf 1 costs 1 MUSD/GW/yr annualised and produces for free, gas 0.06 MUSD/GWh. Builds N enter
    service evenly: capacity in service is 2/3 N, so solar meets all load with N = 9 GW and
    costs 2/3 x 9 x 1 = 6 MUSD/yr (it pays only while in service), no gas."""
    techs = {"solar": {"capex": 1.0, "lifetime": 1.0}, "gas": GAS}
    ds = tiny_inputs(["A"], techs, np.array([[6.0]]), weights=[8760.0],
                     capacity={("A", "gas"): 10.0}, max_new={("A", "solar"): 100.0},
                     cf={"solar": np.array([[1.0]])})
    ds["year_weight"] = ("year", [3.0])
    ds["max_build_rate"] = ds.max_new_capacity.copy()
    r = solve(ds)  # tiny datasets have no discounting
    new = float(r.capacity_new.sel(region="A", tech="solar", year=2030))
    assert new == pytest.approx(9.0, rel=1e-6)
    assert float(r.capacity.sel(region="A", tech="solar", year=2030)) == pytest.approx(6.0, rel=1e-6)
    assert float(r.generation.sel(region="A", gen_tech="gas").sum()) == pytest.approx(0, abs=1e-6)


def test_no_line_before_its_lead_time():
    """Two hubs, cheap supply only in A, demand only in B: a candidate line would carry it, but the
    lines' lead time puts the first year of service after the modelled year, so B burns gas."""
    techs = {"gas": GAS, "solar": {"capex": 1e-6}}
    load = np.array([[0.0], [5.0]])
    line = {"name": "A_B", "from": "A", "to": "B", "capacity": 0.0, "capex": 1e-6}
    base = tiny_inputs(["A", "B"], techs, load, capacity={("B", "gas"): 10.0},
                       max_new={("A", "solar"): 100.0, ("B", "solar"): 0.0},
                       cf={"solar": np.ones((2, 1))}, lines=[line])
    open_now = solve(base.assign(line_lead_time=1.0))
    assert float(open_now.line_capacity_new.sum()) > 4.9
    later = solve(base.assign(line_lead_time=3.0))       # first service 2029 + 3 = 2032 > 2030
    assert float(later.line_capacity_new.sum()) == 0.0
    assert float(later.generation.sel(region="B", gen_tech="gas").sum()) == pytest.approx(5.0)


def test_hydro_runs_at_full_capacity_within_its_daily_budget():
    """Hydro 10 GW with an inflow of cf 0.5 over a two-hour day (budget 10 GWh), load 2 then
    8 GW, gas at 0.06 MUSD/GWh. The old hourly cap a f K = 5 GW would need 3 GWh of gas; the
    budget lets hydro give 2 + 8 = 10 GWh: no gas, cost 0."""
    techs = {"hydro": {}, "gas": GAS}
    ds = tiny_inputs(["A"], techs, np.array([[2.0, 8.0]]), capacity={("A", "hydro"): 10.0,
                     ("A", "gas"): 10.0}, cf={"hydro": np.array([[0.5, 0.5]])}, periods=[0, 0],
                     max_new=0.0)
    r = solve(ds)
    hydro = r.generation.sel(region="A", gen_tech="hydro", year=2030).values
    np.testing.assert_allclose(hydro, [2.0, 8.0], atol=1e-6)
    assert float(r.generation.sel(gen_tech="gas").sum()) == pytest.approx(0, abs=1e-6)
    # with load 9 + 8 the budget binds: gas makes up 17 - 10 = 7 GWh, price = gas cost
    r = solve(tiny_inputs(["A"], techs, np.array([[9.0, 8.0]]), capacity={
        ("A", "hydro"): 10.0, ("A", "gas"): 10.0}, cf={"hydro": np.array([[0.5, 0.5]])},
        periods=[0, 0], max_new=0.0))
    assert float(r.generation.sel(gen_tech="gas").sum()) == pytest.approx(7.0, rel=1e-6)
    np.testing.assert_allclose(r.price.sel(region="A").values.ravel(), 60.0, rtol=1e-6)


@pytest.mark.parametrize("free", [0.0, 0.75, 1.0])
def test_carbon_is_charged_on_emissions_above_free_allocation(free):
    """Coal 0.02 MUSD/GWh at 1 t/MWh, carbon 40 USD/t, a free share sigma: the price is the
    marginal cost 20 + 40 (1 - sigma) USD/MWh and the carbon cost 40 (1 - sigma) x energy."""
    techs = {"coal": {"marginal_cost": 0.02, "emission_intensity": 1.0}}
    ds = tiny_inputs(["A"], techs, np.array([[5.0]]), weights=[8760.0],
                     capacity={("A", "coal"): 10.0}, carbon_price=40.0)
    ds["carbon_free_share"] = xr.DataArray([free], dims="tech", coords={"tech": ["coal"]})
    r = solve(ds)
    expected = 20 + 40 * (1 - free)
    np.testing.assert_allclose(r.price.values.ravel(), expected, rtol=1e-6)
    energy = 5.0 * 8760                                                   # GWh
    assert float(r.cost.sel(component="carbon").sum()) == pytest.approx(
        40e-3 * (1 - free) * energy, rel=1e-6, abs=1e-6)
    assert float(r.emissions.sum()) == pytest.approx(energy / 1000, rel=1e-6)  # Mt: all counted


def test_contracted_energy_and_tariff():
    """A sends to B over a line with no losses. B's own gas (0.05 MUSD/GWh) is cheaper than A's
    (0.06) plus the tariff (0.005), so without a contract nothing flows; a contract of 2 GWh over
    the two one-hour steps makes the line send exactly 2 GWh, at a cost of 2 x (0.06 + 0.005 -
    0.05) = 0.03 MUSD over no contract."""
    techs = {"gas": GAS}
    load = np.array([[0.0, 0.0], [3.0, 3.0]])
    line = {"name": "A_B", "from": "A", "to": "B", "capacity": 5.0}
    ds = tiny_inputs(["A", "B"], techs, load, capacity={("A", "gas"): 10.0, ("B", "gas"): 10.0},
                     lines=[line], periods=[0, 0])
    ds["marginal_cost"] = xr.DataArray([[0.06], [0.05]], dims=("region", "tech"),
                                       coords={"region": ["A", "B"], "tech": ["gas"]})
    ds["line_tariff"] = ("line", [0.005])
    free = solve(ds)
    assert float(np.abs(free.flow).sum()) == pytest.approx(0, abs=1e-6)
    bound = solve(ds.assign(line_contracted_energy=("line", [2.0])))
    assert float(bound.flow.sum()) == pytest.approx(2.0, rel=1e-6)
    extra = float(bound.cost.sum()) - float(free.cost.sum())
    assert extra == pytest.approx(2 * (0.06 + 0.005 - 0.05), rel=1e-6)


def _two_hubs_with_a_line(cost_a: float, cost_b: float, load_b: list[float],
                          **kw) -> xr.Dataset:
    """A sends to B over a lossless 5 GW line that cannot be expanded; gas in both hubs at the
    given marginal costs (MUSD/GWh), one-hour steps in one day, nothing can be built."""
    line = {"name": "A_B", "from": "A", "to": "B", "capacity": 5.0}
    ds = tiny_inputs(["A", "B"], {"gas": GAS, **kw.pop("techs", {})},
                     np.array([[0.0] * len(load_b), load_b]), lines=[line],
                     periods=[0] * len(load_b), max_new=0.0, **kw)
    mc = ds.marginal_cost.copy()
    mc.loc[{"tech": "gas"}] = [cost_a, cost_b]
    ds["marginal_cost"] = mc
    ds["line_max_new"] = ("line", [0.0])
    return ds


def test_a_contract_caps_what_the_existing_line_sends_above_it():
    """A's gas (0.04 MUSD/GWh) undercuts B's (0.06): without a ceiling the line carries all of B's
    3 GW in both steps (6 GWh). A contract of 2 GWh with 50% headroom caps it at 3 GWh, so B burns
    3 GWh of its own gas: +3 x 0.02 = 0.06 MUSD, and the ceiling's shadow price is the spread,
    0.02 MUSD/GWh = 20 USD/MWh."""
    ds = _two_hubs_with_a_line(0.04, 0.06, [3.0, 3.0], capacity={("A", "gas"): 10.0,
                                                                  ("B", "gas"): 10.0})
    ds["line_contracted_energy"] = ("line", [2.0])
    free = solve(ds)
    assert float(free.flow.sum()) == pytest.approx(6.0, rel=1e-6)
    capped = solve(ds.assign(line_contract_headroom=0.5))
    assert float(capped.flow.sum()) == pytest.approx(3.0, rel=1e-6)
    assert float(capped.cost.sum()) - float(free.cost.sum()) == pytest.approx(0.06, rel=1e-6)
    price = capped.limit_shadow_price.where(
        capped.limit_family == "transmission.contract_ceiling", drop=True)
    assert float(price.max()) == pytest.approx(20.0, rel=1e-6)


def test_a_schedule_floor_makes_the_contract_flat():
    """A has 5 GW of free solar in the second step only and gas at 0.06; B's gas costs 0.05 and
    B needs 3 GW in each step. With a 2 GWh contract and no floor the line sends 3 GW of solar in
    step 2 and nothing in step 1 (3 GWh). A floor of 1.0 makes it send the contract's mean power,
    1 GW, in step 1 too, from A's dearer gas: +1 x (0.06 - 0.05) = 0.01 MUSD."""
    ds = _two_hubs_with_a_line(
        0.06, 0.05, [3.0, 3.0], techs={"solar": {"capex": 1.0}},
        capacity={("A", "gas"): 10.0, ("B", "gas"): 10.0, ("A", "solar"): 5.0},
        cf={"solar": np.array([[0.0, 1.0], [0.0, 0.0]])})
    ds["line_contracted_energy"] = ("line", [2.0])
    free = solve(ds)
    np.testing.assert_allclose(free.flow.sel(line="A_B").values.ravel(), [0.0, 3.0], atol=1e-6)
    flat = solve(ds.assign(line_schedule_floor=("line", [1.0])))
    np.testing.assert_allclose(flat.flow.sel(line="A_B").values.ravel(), [1.0, 3.0], atol=1e-6)
    assert float(flat.cost.sum()) - float(free.cost.sum()) == pytest.approx(0.01, rel=1e-6)


def test_a_modelled_year_takes_its_periods_mean_demand_growth():
    """10%/yr from 2024: 2025 standing for 2025-27 takes (1.1 + 1.1^2 + 1.1^3) / 3, 2028 for
    2028-29 (1.1^4 + 1.1^5) / 2, 2030 alone 1.1^6; a part year counts in proportion."""
    import xarray as xr

    from synergy_models.data.loader import period_mean_growth

    got = period_mean_growth(xr.DataArray(1.1), {2025: 3.0, 2028: 2.0, 2030: 1.0}, 2024)
    assert got.sel(year=2025).item() == pytest.approx((1.1 + 1.21 + 1.331) / 3, rel=1e-12)
    assert got.sel(year=2028).item() == pytest.approx((1.1**4 + 1.1**5) / 2, rel=1e-12)
    assert got.sel(year=2030).item() == pytest.approx(1.1**6, rel=1e-12)
    half = period_mean_growth(xr.DataArray(1.1), {2025: 2.5}, 2024)
    assert half.sel(year=2025).item() == pytest.approx((1.1 + 1.21 + 0.5 * 1.331) / 2.5, rel=1e-12)


@pytest.mark.parametrize(("scope", "short"), [("system", 0.0), ("network", 6.0), ("hub", 10.0)])
def test_firm_capacity_reaches_a_neighbour_only_over_its_lines(scope, short):
    """B's peak is 10 GW and it has no firm capacity; A has 20 GW of gas (credit 1) and a 10 GW
    peak at the same hour, joined to B by a lossless 4 GW line; margin 0, shortfall 100 MUSD/GW.
    System scope pools 20 GW against 20 GW: no shortfall. Network scope lets A's spare firm
    capacity reach B up to the line's 4 GW: 6 GW short. Hub scope: B alone, 10 GW short."""
    techs = {"gas": {"capex": 1e6, "marginal_cost": 0.05, "capacity_credit": 1.0}}
    line = {"name": "A_B", "from": "A", "to": "B", "capacity": 4.0}
    ds = tiny_inputs(["A", "B"], techs, np.array([[10.0], [10.0]]), capacity={("A", "gas"): 20.0},
                     max_new=0.0, lines=[line], reserve_shortfall_cost=100.0,
                     value_of_lost_load=1e3)
    ds["line_max_new"] = ("line", [0.0])
    ds.attrs["reserve_scope"] = scope
    r = solve(ds)
    assert float(r.cost.sel(component="reserve_shortfall").sum()) == pytest.approx(
        100.0 * short, abs=1e-6)


def test_the_contract_ceiling_is_reported_as_the_ceiling():
    """The limits table shows the ceiling in GWh a year: 2 GWh x 1.5 = 3, at level 3."""
    ds = _two_hubs_with_a_line(0.04, 0.06, [3.0, 3.0], capacity={("A", "gas"): 10.0,
                                                                  ("B", "gas"): 10.0})
    ds["line_contracted_energy"] = ("line", [2.0])
    r = solve(ds.assign(line_contract_headroom=0.5))
    row = r.limit_family == "transmission.contract_ceiling"
    assert float(r.limit_value.where(row, drop=True).item()) == pytest.approx(3.0, rel=1e-9)
    assert float(r.limit_level.where(row, drop=True).item()) == pytest.approx(3.0, rel=1e-6)
