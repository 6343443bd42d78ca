"""One scenario end to end: inputs -> model -> solve -> results (-> netCDF)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import xarray as xr

from synergy_models.data.loader import load_inputs
from synergy_models.model.build import build_model
from synergy_models.progress import Steps
from synergy_models.results import build_results, write_results
from synergy_models.scenario import Scenario, load_scenario
from synergy_models.solve import solve_model


def solve_inputs(inputs: xr.Dataset, scenario: Scenario, steps: Steps | None = None) -> xr.Dataset:
    """Build, solve and collect the results of an inputs Dataset."""
    steps = steps or Steps(quiet=True)
    model = steps("building the model", lambda: build_model(inputs))
    solution = steps("compiling and solving with HiGHS", lambda: solve_model(model, scenario.solver))
    results = steps("collecting results", lambda: build_results(model, solution, inputs))
    results.attrs["time_build"] = steps.times.get("building the model", float("nan"))
    results.attrs["solver_method"] = scenario.solver.method
    return results


def run_scenario(scenario: str | Path | Scenario, overrides: dict[str, Any] | None = None, *,
                 out: str | Path | None = None, quiet: bool = True) -> xr.Dataset:
    """Solve a scenario; write its results to ``out`` if given. Raises on bad input or no optimum."""
    steps = Steps(quiet=quiet)
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario, overrides)
    inputs = steps("loading inputs", lambda: load_inputs(scenario))
    results = solve_inputs(inputs, scenario, steps)
    results.attrs["time_inputs"] = steps.times.get("loading inputs", float("nan"))
    if out is not None:
        steps("writing results", lambda: write_results(results, out))
    return results
