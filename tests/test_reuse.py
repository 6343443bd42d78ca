"""Re-solving one compiled model at another carbon price (synergy_models.reuse)."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from synergy_models.model.build import build_model
from synergy_models.results import build_results
from synergy_models.reuse import ReusableModel
from synergy_models.scenario import SolverSettings
from synergy_models.solve import compile_model, solve_model
from tests.tiny import tiny_inputs, with_hydrogen

# Coal 25 + 0.9 tau, gas 40 + 0.35 tau USD/MWh: the merit order switches at 15/0.55 = 27.3 USD/t.
MERIT = {
    "coal": {"marginal_cost": 0.025, "emission_intensity": 0.9},
    "gas": {"marginal_cost": 0.040, "emission_intensity": 0.35},
}


def merit(carbon: float) -> xr.Dataset:
    return tiny_inputs(["A"], MERIT, np.array([[5.0, 15.0]]), max_new=0.0,
                       capacity={("A", "coal"): 10, ("A", "gas"): 10}, carbon_price=carbon)


def test_patched_costs_are_those_of_a_fresh_compile():
    """Costs and offset patched from 10 to 60 USD/t equal a model compiled at 60 (grey hydrogen,
    whose carbon is charged too, included)."""
    def inputs(carbon: float) -> xr.Dataset:
        return with_hydrogen(merit(carbon), demand={"A": 1e5}, grey_cost=1.0)

    reusable = ReusableModel.build(inputs(10.0))
    fresh = compile_model(build_model(inputs(60.0)))
    patched = reusable.patched_form(np.array([60.0]))
    assert patched.A is reusable.form.A                 # the matrix is shared, not rebuilt
    assert [v.name for v in fresh.columns] == [v.name for v in patched.columns]
    np.testing.assert_allclose(patched.c, fresh.c, rtol=1e-12, atol=1e-12)
    assert patched.offset == pytest.approx(fresh.offset, rel=1e-12, abs=1e-12)
    assert np.abs(reusable.gradient()[0]).sum() > 0     # the price does move the costs


def test_reuse_finds_the_merit_order_switch_and_the_case_costs():
    """Built at 20 USD/t (coal first: price 25 + 18 = 43 USD/MWh at 5 GW), re-solved at 35 USD/t:
    gas is first (40 + 12.25 = 52.25), coal marginal at 15 GW (25 + 31.5 = 56.5). The carbon cost
    is 35 USD/t x the emissions, and the results equal a fresh build at 35."""
    reusable = ReusableModel.build(merit(20.0))
    case = merit(35.0)
    solution = reusable.solve(case, SolverSettings())
    r = build_results(reusable.model, solution, case)
    np.testing.assert_allclose(r.price.sel(region="A", year=2030).values, [52.25, 56.5], rtol=1e-9)
    gen = r.generation.sel(region="A", year=2030)
    assert gen.sel(gen_tech="gas").values.tolist() == pytest.approx([5, 10])
    assert r.cost.sel(component="carbon", year=2030).item() == pytest.approx(
        35.0 * r.emissions.sel(region="A", year=2030).item())      # USD/t x Mt = MUSD

    model = build_model(case)
    fresh = build_results(model, solve_model(model, SolverSettings()), case)
    assert r.attrs["objective"] == pytest.approx(fresh.attrs["objective"], rel=1e-9)
    xr.testing.assert_allclose(r.cost, fresh.cost, rtol=1e-9)
    xr.testing.assert_allclose(r.generation, fresh.generation, atol=1e-6)


def test_inputs_of_the_same_structure_are_accepted_and_others_not():
    """Another carbon price or load keeps the model's structure (patched); another technology or
    region does not (built anew)."""
    reusable = ReusableModel.build(merit(20.0))
    assert reusable.accepts(merit(35.0))
    other_load = tiny_inputs(["A"], MERIT, np.array([[6.0, 15.0]]), max_new=0.0,
                             capacity={("A", "coal"): 10, ("A", "gas"): 10}, carbon_price=35.0)
    assert reusable.accepts(other_load)
    assert reusable.changed(other_load) >= {"demand", "carbon_price"}
    nuclear = tiny_inputs(["A"], {**MERIT, "nuclear": {"marginal_cost": 0.01}},
                          np.array([[5.0, 15.0]]), max_new=0.0, carbon_price=20.0,
                          capacity={("A", "coal"): 10, ("A", "gas"): 10, ("A", "nuclear"): 2})
    assert not reusable.accepts(nuclear) and reusable.changed(nuclear) is None
    two = tiny_inputs(["A", "B"], MERIT, np.array([[5.0, 15.0], [5.0, 15.0]]), max_new=0.0,
                      capacity={("A", "coal"): 10, ("B", "gas"): 10}, carbon_price=20.0)
    assert not reusable.accepts(two)
    with pytest.raises(ValueError, match="structure"):
        reusable.solve(nuclear, SolverSettings())
