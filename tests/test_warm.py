"""Warm re-solves from the previous optimal basis (synergy_models.reuse, solve.WarmStart)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import xarray as xr

from synergy_models.data.loader import load_inputs
from synergy_models.model.build import build_model
from synergy_models.reuse import ReusableModel
from synergy_models.run import ScenarioRuns, solve_reusing
from synergy_models.scenario import SolverSettings, load_scenario
from synergy_models.solve import Solution, compile_model, run_highs
from tests.test_reuse import MERIT
from tests.tiny import tiny_inputs

SMALL_BASE = {"time.days": 1, "time.segments": 2, "years": {2025: 1, 2030: 1},
              "solver.threads": 1}


def merit(carbon: float = 20.0, load: tuple[float, float] = (5.0, 15.0),
          max_new: float = 0.0) -> xr.Dataset:
    return tiny_inputs(["A"], MERIT, np.array([load]), max_new=max_new,
                       capacity={("A", "coal"): 10, ("A", "gas"): 10}, carbon_price=carbon)


def cold(inputs: xr.Dataset) -> Solution:
    return run_highs(compile_model(build_model(inputs)), SolverSettings())


def assert_same_answer(warm: Solution, reference: Solution) -> None:
    """Objective and every row's dual (the prices among them) to 1e-7 relative."""
    assert warm.objective == pytest.approx(reference.objective, rel=1e-7)
    scale = max(1.0, float(np.abs(reference.row_dual).max()))
    np.testing.assert_allclose(warm.row_dual, reference.row_dual, rtol=1e-7, atol=1e-7 * scale)


def test_a_cost_change_is_solved_warm_by_primal_simplex_with_the_cold_answer():
    # Built at 20 USD/t (coal first), re-solved at 35 (gas first): the basis must change.
    model = ReusableModel.build(merit(20.0))
    first = model.solve(merit(20.0), SolverSettings())
    assert first.info["path"] == "cold" and first.basis is not None
    case = merit(35.0)
    warm = model.solve(case, SolverSettings())
    assert warm.info["path"] == "warm" and warm.info["simplex_iterations"] > 0
    assert warm.info["ipm_iterations"] == 0  # no interior-point solve at all
    assert_same_answer(warm, cold(case))


def test_a_demand_change_is_patched_into_the_held_lp_and_solved_warm_by_dual_simplex():
    """A right-hand-side change (the load) keeps the LP's matrix: the case's model is built, its
    LP is the held one with the balance rows' bounds replaced, and HiGHS goes on from its own
    basis (dual simplex); the answer is the cold one, prices included."""
    held = ReusableModel.build(merit(20.0))
    held.solve(merit(20.0), SolverSettings())
    case = merit(20.0, load=(12.0, 7.0))  # gas marginal at 12 GW, coal at 7 GW: another basis
    results, model, extra = solve_reusing(case, SimpleNamespace(solver=SolverSettings()), held)
    assert model is held and extra["reused"]
    assert model.change == "cost"  # after its solve; it was "bounds" for this one
    assert extra["path"] == "warm" and extra["iterations"] > 0
    assert results.attrs["patch"] == "derived" and results.attrs["patched"] == 1
    reference = cold(case)
    assert results.attrs["objective"] == pytest.approx(reference.objective, rel=1e-7)
    np.testing.assert_allclose(results.price.sel(region="A", year=2030).values,
                               [47.0, 43.0], rtol=1e-7)  # gas 40 + 7, coal 25 + 18
    warm = model.solve(case, SolverSettings(), checked=True)  # again, from its own basis
    assert warm.info["path"] == "warm" and warm.info["simplex_iterations"] == 0
    assert_same_answer(warm, reference)


def assert_form_is_the_compiled_one(model: ReusableModel) -> None:
    """The LP the held model was last solved with equals a fresh compile of the case's model."""
    fresh = compile_model(model.model)
    form = model.form
    assert [v.name for v in form.columns] == [v.name for v in fresh.columns]
    assert [c.name for c in form.rows] == [c.name for c in fresh.rows]
    assert (form.A != fresh.A).nnz == 0
    for name in ("c", "col_lower", "col_upper", "row_lower", "row_upper"):
        np.testing.assert_allclose(getattr(form, name), getattr(fresh, name), rtol=1e-12,
                                   atol=1e-12, err_msg=name)
    assert form.offset == pytest.approx(fresh.offset, rel=1e-12, abs=1e-12)


def fuel(gas: float, carbon: float = 20.0, load: tuple[float, float] = (5.0, 15.0),
         coal_capacity: float = 10.0) -> xr.Dataset:
    techs = {k: dict(v) for k, v in MERIT.items()}
    techs["gas"]["marginal_cost"] = gas
    return tiny_inputs(["A"], techs, np.array([load]), max_new=0.0, carbon_price=carbon,
                       capacity={("A", "coal"): coal_capacity, ("A", "gas"): 10})


@pytest.mark.parametrize(("kind", "cases"), [
    # gas 40 -> 20 -> 10 USD/MWh: gas comes first in the merit order (a cost change: c only)
    ("cost", [fuel(0.020), fuel(0.010)]),
    # the load: balance rows' bounds (a right-hand-side change)
    ("rhs", [fuel(0.040, load=(12.0, 7.0)), fuel(0.040, load=(3.0, 18.0))]),
    # existing coal 10 -> 6 -> 4 GW: the capacity rows' or columns' bounds
    ("bound", [fuel(0.040, coal_capacity=6.0), fuel(0.040, coal_capacity=4.0)]),
])
def test_each_kind_of_patch_gives_the_cold_objective_and_duals(kind, cases):
    """For a change of costs, of right-hand sides and of bounds: the first case derives which
    families move (a full compile), the second patches only those; both are solved warm in the
    held HiGHS instance and equal a cold solve of a fresh build (objective, row duals and reduced
    costs to 1e-7), and the patched LP equals a fresh compile."""
    held = ReusableModel.build(fuel(0.040))
    held.solve(held.inputs, SolverSettings())
    for case, how in zip(cases, ("derived", "patched"), strict=True):
        assert held.accepts(case)
        warm = held.solve(case, SolverSettings(), checked=True)
        assert warm.info["path"] == "warm" and warm.info["patch"] == how
        assert warm.info["patched"] == 1 and warm.info["ipm_iterations"] == 0
        assert_form_is_the_compiled_one(held)
        reference = cold(case)
        assert_same_answer(warm, reference)
        np.testing.assert_allclose(warm.col_dual, reference.col_dual, rtol=1e-7, atol=1e-9)
    moved = next(iter(held.touches.values()))
    if kind == "cost":
        assert not moved.rows and not moved.columns  # costs are all recomputed, nothing else moves
    elif kind == "rhs":
        assert "balance" in moved.rows and not moved.columns
    else:
        assert moved.rows or moved.columns
    assert warm.objective != pytest.approx(cold(fuel(0.040)).objective)  # the change mattered


def test_a_case_whose_matrix_differs_is_compiled_not_patched():
    """Another availability changes the matrix (it multiplies the capacity in the availability
    rows): the case is not patchable, its own compile is used (nothing recorded), and its answer
    is the cold one."""
    techs = {k: dict(v) for k, v in MERIT.items()}
    techs["coal"]["availability"] = 0.8
    case = tiny_inputs(["A"], techs, np.array([[5.0, 15.0]]), max_new=5.0, carbon_price=20.0,
                       capacity={("A", "coal"): 10, ("A", "gas"): 10})
    held = ReusableModel.build(merit(20.0, max_new=5.0))
    held.solve(held.inputs, SolverSettings())
    assert held.accepts(case)
    solution = held.solve(case, SolverSettings(), checked=True)
    assert solution.info["patch"] == "compiled" and not held.touches
    assert_form_is_the_compiled_one(held)
    assert_same_answer(solution, cold(case))


def test_adopt_basis_names_the_kind_of_change():
    held = ReusableModel.build(merit(20.0))
    held.solve(merit(20.0), SolverSettings())
    assert ReusableModel.build(merit(20.0, load=(6.0, 14.0))).adopt_basis(held) == "bounds"
    costly = {k: dict(v) for k, v in MERIT.items()}
    costly["gas"]["marginal_cost"] = 0.030
    fuel = tiny_inputs(["A"], costly, np.array([[5.0, 15.0]]), max_new=0.0,
                       capacity={("A", "coal"): 10, ("A", "gas"): 10}, carbon_price=20.0)
    assert ReusableModel.build(fuel).adopt_basis(held) == "cost"


def test_a_structural_change_rebuilds_cold():
    """Another technology adds columns and rows: no basis fits, the case is built and solved cold.
    (A build limit on technologies already in service is only a bound: warm.)"""
    held = ReusableModel.build(merit(20.0))
    held.solve(merit(20.0), SolverSettings())
    assert ReusableModel.build(merit(20.0, max_new=5.0)).adopt_basis(held) == "bounds"
    case = tiny_inputs(["A"], {**MERIT, "nuclear": {"marginal_cost": 0.01}},
                       np.array([[5.0, 15.0]]), max_new=0.0, carbon_price=20.0,
                       capacity={("A", "coal"): 10, ("A", "gas"): 10, ("A", "nuclear"): 2})
    assert ReusableModel.build(case).adopt_basis(held) is None
    results, _, extra = solve_reusing(case, SimpleNamespace(solver=SolverSettings()), held)
    assert extra["path"] == "rebuilt" and not extra["reused"]
    assert results.attrs["solve_path"] == "rebuilt"
    assert results.attrs["objective"] == pytest.approx(cold(case).objective, rel=1e-7)


def test_the_cold_fallback_is_taken_when_the_warm_start_hits_its_limit():
    model = ReusableModel.build(merit(20.0))
    model.solve(merit(20.0), SolverSettings())
    case = merit(35.0)
    solution = model.solve(case, SolverSettings(), iteration_limit=1)
    assert solution.info["path"] == "cold-fallback"
    assert solution.info["warm_status"] == "iteration_limit"
    assert solution.info["simplex_iterations"] == 1  # the warm run's, added to the cold one's
    assert_same_answer(solution, cold(case))
    # a right-hand-side change patched into the held LP falls back the same way
    case = merit(35.0, load=(12.0, 7.0))
    solution = model.solve(case, SolverSettings(), iteration_limit=1)
    assert solution.info["path"] == "cold-fallback" and solution.info["patch"] == "derived"
    assert solution.info["patched"] == 0  # the cold run is a fresh HiGHS instance
    assert_same_answer(solution, cold(case))
    again = model.solve(merit(35.0, load=(11.0, 8.0)), SolverSettings())  # kept going after it
    assert again.info["path"] == "warm" and again.info["patched"] == 1
    # warm=False: no basis used even though one is held
    assert model.solve(merit(50.0), SolverSettings(), warm=False).info["path"] == "cold"


@pytest.fixture(scope="module")
def small_base() -> dict[str, xr.Dataset]:
    """``base`` on one day of two segments and two years, at three settings."""
    def inputs(**params: object) -> xr.Dataset:
        return load_inputs(load_scenario("base", {**SMALL_BASE, **params}))
    return {"built": inputs(carbon_price=20), "carbon": inputs(carbon_price=60),
            "demand": inputs(carbon_price=20, demand_growth=0.07)}


def test_base_warm_after_a_carbon_price_and_a_demand_change_gives_the_cold_answer(small_base):
    """On ``base`` (one day, two years) the objective and the electricity prices (the balance
    duals) of warm re-solves equal those of cold ones to 1e-7. Not every dual: this LP is dual
    degenerate (hydrogen, storage and build-limit rows), and two cold solves by HiPO and by simplex
    disagree on ~260 of its 1,944 row duals too; the prices agree in all."""
    settings = SolverSettings(threads=1)
    scenario = SimpleNamespace(solver=settings)
    _, held, extra = solve_reusing(small_base["built"], scenario)
    assert extra["path"] == "rebuilt" and held.basis is not None

    for name, patch in (("carbon", "costs"), ("demand", "derived")):
        inputs = small_base[name]
        warm, model, extra = solve_reusing(inputs, scenario, held)
        assert extra["reused"] and model is held
        assert extra["path"] == "warm", extra
        assert warm.attrs["patch"] == patch
        assert extra["iterations"] > 0
        reference, _, cold_extra = solve_reusing(inputs, scenario)
        assert cold_extra["path"] == "rebuilt"
        assert warm.attrs["objective"] == pytest.approx(reference.attrs["objective"], rel=1e-7)
        scale = float(np.abs(reference.price).max())
        np.testing.assert_allclose(warm.price.values, reference.price.values, rtol=1e-7,
                                   atol=1e-7 * scale)
        held = model


def test_the_market_search_solves_each_setting_from_the_last():
    """``ScenarioRuns`` (the reverse market search's solver) keeps its last model: a carbon price
    is re-solved on it, a data-centre demand from its basis; the answers are the cold ones."""
    changes = [{"carbon_price": 20}, {"carbon_price": 40}, {"carbon_price": 40,
                                                           "dc_electricity.2030": 250_000}]
    warm, cold = ScenarioRuns("base", SMALL_BASE), ScenarioRuns("base", SMALL_BASE, warm=False)
    for change in changes:
        _, a = warm.solve(change)
        _, b = cold.solve(change)
        assert a.attrs["objective"] == pytest.approx(b.attrs["objective"], rel=1e-7)
    assert warm.paths == ["rebuilt", "warm", "warm"]
    assert cold.paths == ["rebuilt"] * 3


def test_sweep_groups_cost_and_demand_parameters_and_orders_them_as_neighbours():
    """Carbon price x demand growth is one group (warm starts), in a snake of the swept values,
    each case one step from the last; without warm starts only the carbon price groups."""
    from synergy_models.sweep import COLD_REUSABLE_PARAMETERS, Case, reuse_groups

    cases = [Case(f"{i}", {"carbon_price": c, "demand_growth": g}, {"carbon_price": c,
                                                                     "demand_growth": g})
             for i, (c, g) in enumerate([(50, 0.02), (0, 0.04), (50, 0.04), (0, 0.02)])]
    (group,) = reuse_groups(cases).values()
    assert [(c.swept["carbon_price"], c.swept["demand_growth"]) for c in group] == [
        (0, 0.02), (0, 0.04), (50, 0.04), (50, 0.02)]
    assert len(reuse_groups(cases, COLD_REUSABLE_PARAMETERS)) == 2


def test_sweep_nc_records_each_cases_path_highs_time_and_iterations(tmp_path):
    """Two cases of one group on one process, as a worker solves them: the second is warm, and the
    combined Dataset (``sweep.nc``) records path, HiGHS time and iterations per case."""
    from synergy_models.sweep import combine, expand_cases, solve_case
    from tests.test_sweep import TINY, sweep_of

    sweep = sweep_of(settings=TINY, parameters={"carbon_price": {"values": [0, 90]}})
    cases = expand_cases(sweep)
    group = f"group-{tmp_path.name}"  # the worker's held models are per process: a fresh key
    outcomes = {c.id: solve_case("base", c.overrides, tmp_path, group) for c in cases}
    ds = combine(sweep, cases, outcomes)
    assert list(ds.solve_path.values) == ["rebuilt", "warm"]
    assert list(ds.reused_model.values) == [False, True]
    assert (ds.highs_iterations.values > 0).all() and (ds.highs_seconds.values > 0).all()
    cold = solve_case("base", cases[1].overrides, tmp_path / "cold", f"other-{tmp_path.name}",
                      warm=False)
    assert cold.extra["path"] == "rebuilt"
    assert float(ds.objective.values[1]) == pytest.approx(float(cold.compact.objective), rel=1e-7)


def test_a_worker_without_a_model_starts_from_the_shared_basis(tmp_path):
    """What a second worker does in a sweep on several workers: it holds no model, so it builds
    the case and solves it from the basis of the case another worker solved first
    (``warm-shared``), not cold; the objective is the cold one, and a basis of another shape is
    not used."""
    from synergy_models.sweep import combine, expand_cases, solve_case
    from tests.test_sweep import TINY, sweep_of

    sweep = sweep_of(settings=TINY, parameters={"carbon_price": {"values": [40, 60]}})
    first, second = expand_cases(sweep)
    seed = solve_case("base", first.overrides, tmp_path, f"seed-{tmp_path.name}", True, None, True)
    basis = seed.extra["basis"]
    assert seed.extra["path"] == "rebuilt" and basis is not None
    other = solve_case("base", second.overrides, tmp_path, f"other-{tmp_path.name}", True, basis)
    assert other.extra["path"] == "warm-shared" and not other.extra["reused"]
    assert other.extra["iterations"] > 0
    cold = solve_case("base", second.overrides, tmp_path / "cold", f"cold-{tmp_path.name}", False)
    assert cold.extra["path"] == "rebuilt"
    assert float(other.compact.objective) == pytest.approx(float(cold.compact.objective), rel=1e-7)
    ds = combine(sweep, [first, second], {first.id: seed, second.id: other})
    assert list(ds.solve_path.values) == ["rebuilt", "warm-shared"]
    # a basis of another LP (one more year: another shape) is not used: a cold solve
    wider = {**second.overrides, "years": [2025, 2030]}
    alone = solve_case("base", wider, tmp_path / "wider", f"wider-{tmp_path.name}", True, basis)
    assert alone.extra["path"] == "rebuilt"
