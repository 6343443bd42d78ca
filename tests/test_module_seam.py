"""The module seam: a module written outside the package plugs in without editing any other file.

The toy module below ("flat", a flat extra demand in each hub, e.g. an industrial load) is all a
new module needs: its inputs, its coefficients, its equations (a balance term with a role) and its
results. The core builds it, the results carry its term and role, and the indicators count it as
consumption, with no change to any other file. Answers are derived by hand on a one-hub model.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import pytest
import xarray as xr

from synergy_models.errors import InputError
from synergy_models.indicators import consumption
from synergy_models.model import catalogue
from synergy_models.model.build import build_model
from synergy_models.model.module import InputVar, ModelModule, ResultsContext, da
from synergy_models.results import build_results
from synergy_models.scenario import SolverSettings
from synergy_models.solve import solve_model
from tests.tiny import tiny_inputs

# --- the toy module: one file's worth ---------------------------------------------------------------


def prepare_flat(inputs: xr.Dataset, d) -> dict:
    return {"load": inputs.flat_extra_demand.sel(region=d.regions).values}   # GW


def add_flat(m: pyo.ConcreteModel, d) -> None:
    b = m.flat = pyo.Block()
    load, ri = d.part("flat")["load"], d.index("regions")
    b.load = pyo.Expression(m.R, m.Y, m.T, rule=lambda b, r, y, t: float(load[ri[r]]))
    m.terms.withdraw("flat.load", "demand")


def flat_results(ctx: ResultsContext) -> None:
    d = ctx.model.data
    ctx.ds["flat_extra_demand"] = da(d.part("flat")["load"], ("region",), {"region": d.regions},
                                     "GW", "flat extra demand")


FLAT = ModelModule(
    name="flat", add=add_flat, prepare=prepare_flat, results=flat_results,
    inputs=(InputVar("flat_extra_demand", ("region",), "GW", "flat extra demand"),),
    active=lambda inputs: "flat_extra_demand" in inputs, requires=("power",),
)

# --- a one-hub system: gas at 50 USD/MWh, existing, no builds ---------------------------------------

LOAD = np.array([[8.0, 12.0]])     # GW in two steps of 4,380 h
GAS = 0.05                          # MUSD/GWh = 50 USD/MWh


def one_hub(extra: float | None) -> xr.Dataset:
    inputs = tiny_inputs(["A"], {"gas": {"marginal_cost": GAS}}, LOAD, weights=[4380.0, 4380.0],
                         capacity={("A", "gas"): 20.0}, max_new=0.0)
    if extra is not None:
        inputs["flat_extra_demand"] = ("region", [extra])
    return inputs


def solve(inputs: xr.Dataset, modules=None) -> xr.Dataset:
    model = build_model(inputs, modules)
    return build_results(model, solve_model(model, SolverSettings()), inputs)


def test_a_new_module_adds_its_term_with_its_role_and_costs_what_the_hand_says():
    modules = [*catalogue.MODULES, FLAT]
    without = solve(one_hub(None), modules)           # not activated: no flat_extra_demand
    assert "flat.load" not in without.term.values and without.attrs["modules"].split()[-1] != "flat"
    with_flat = solve(one_hub(3.0), modules)
    assert "flat" in with_flat.attrs["modules"].split()
    role = dict(zip(with_flat.term.values, with_flat.term_role.values, strict=True))
    assert role["flat.load"] == "demand"
    # Gas serves 3 GW more in every hour: 3 x 8,760 h x 0.05 MUSD/GWh = 1,314 MUSD more.
    assert with_flat.attrs["objective"] - without.attrs["objective"] == pytest.approx(1314.0,
                                                                                     rel=1e-9)
    assert float(with_flat.flat_extra_demand.sel(region="A")) == 3.0
    # Indicators read roles: the flat load is consumption, (8 + 3) and (12 + 3) GW.
    np.testing.assert_allclose(consumption(with_flat).sel(region="A").values.ravel(), [11, 15])
    assert float(abs(with_flat.balance.sum("term")).max()) < 1e-9


def test_a_registered_module_is_built_by_default_and_gone_when_unregistered():
    catalogue.register(FLAT)
    try:
        assert [m.name for m in catalogue.active_modules(one_hub(1.0))][-2:] == ["flat", "policy"]
        assert "flat.load" in solve(one_hub(1.0)).term.values
    finally:
        catalogue.unregister("flat")
    assert "flat" not in [m.name for m in catalogue.MODULES]


def test_a_module_s_inputs_are_checked_when_the_model_is_built():
    inputs = one_hub(None)
    inputs["flat_extra_demand"] = ("year", [1.0])      # wrong dims
    with pytest.raises(InputError) as err:
        build_model(inputs, [*catalogue.MODULES, FLAT])
    assert "flat_extra_demand" in str(err.value) and "('region',)" in str(err.value)


def test_a_module_needing_an_inactive_one_is_refused_with_its_name():
    needs_compute = ModelModule(name="needs", add=lambda m, d: None, requires=("compute",))
    with pytest.raises(ValueError, match=r"require \['compute'\]"):
        build_model(one_hub(None), [*catalogue.MODULES, needs_compute])


def test_a_balance_term_without_a_known_role_is_refused():
    bad = ModelModule(name="bad", add=lambda m, d: (
        setattr(m, "bad", pyo.Block()),
        m.terms.inject("bad.x", "generation")))
    with pytest.raises(ValueError, match="role 'generation' is not one of"):
        build_model(one_hub(None), [*catalogue.MODULES, bad])


def test_every_module_declares_the_dims_units_and_roles_the_loader_gives_its_inputs():
    """The modules' inputs schemas and the loader agree, variable by variable (both ways: the
    loader makes every declared variable, in the declared dims and units)."""
    from synergy_models.data.loader import load_inputs

    inputs = load_inputs("milestones", {"time.days": 1, "time.segments": 2,
                                        "h2_transport_cost": "0.001 USD/kg/km"})
    wrong = []
    for module in catalogue.MODULES:
        for var in module.inputs:
            if var.name not in inputs:
                wrong.append(f"{module.name}: {var.name} missing")
            else:
                got = inputs[var.name]
                if (set(got.dims) != set(var.dims) or got.attrs.get("units", "") != var.units
                        or got.attrs.get("role") != var.role):
                    wrong.append(f"{module.name}: {var.name} {got.dims} "
                                 f"{got.attrs.get('units')!r} {got.attrs.get('role')}, declared "
                                 f"{var.dims} {var.units!r} {var.role}")
    assert not wrong, "\n".join(wrong)


def test_the_inputs_table_of_docs_data_md_is_generated_from_the_modules():
    from pathlib import Path

    from tests.scripts import load_script

    tool = load_script(Path(__file__).resolve().parent.parent / "tools" / "inputs_table.py",
                       "inputs_table")
    assert tool.current(tool.DOC.read_text(encoding="utf-8")) == tool.inputs_table(), (
        "docs/data.md's inputs table is stale: run .venv/bin/python tools/inputs_table.py")
