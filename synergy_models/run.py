"""The pipeline: scenario (+ overrides) -> inputs -> model -> solve -> results, with one cache.

Everything that solves a scenario comes through here: the command line (``synergy run``,
``indicators``, ``market``), the reports (:func:`load_or_solve`), the market's reverse search
(:class:`ScenarioRuns`) and each case of a sweep (:func:`results_key` names its file,
:func:`solve_reusing` solves it, on the model of the previous case where only costs changed).

Solved results are cached by :func:`results_key`: the inputs hash (every number and every option
that shapes the model), the solver settings (a time limit or method changes the outcome) and
:func:`model_code_hash` (the source of the modules that compute results: a change of model code
re-solves; charts, reports and the command line do not count). Cache files are written atomically
(:func:`synergy_models.io.replacing`), so a file in the cache is always complete.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import warnings
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import xarray as xr

import synergy_models
from synergy_models.data.loader import load_inputs
from synergy_models.errors import InputError, OutputError, Problem
from synergy_models.io import writable_path
from synergy_models.model.build import add_fixed_builds, build_model
from synergy_models.model.module import ModelModule
from synergy_models.progress import Steps
from synergy_models.results import build_results, estimated_size, read_results, write_results
from synergy_models.reuse import ReusableModel
from synergy_models.scenario import Scenario, SolverSettings, load_scenario
from synergy_models.solve import check_solver_options, solve_model

#: Modules whose source does not change solved results (editing a chart must not re-solve).
PRESENTATION_MODULES = frozenset({"report.py", "charts.py", "summary.py", "cli.py", "progress.py",
                                  "market.py", "indicators.py", "sweep.py", "__main__.py",
                                  "export.py"})


@lru_cache(maxsize=1)
def model_code_hash() -> str:
    """A hash of this package's source that computes results (the version number alone does not
    change with every edit); computed once per process."""
    return source_hash(Path(synergy_models.__file__).parent)


def source_hash(root: Path) -> str:
    """A hash of the ``.py`` files under ``root`` (a package folder) except
    :data:`PRESENTATION_MODULES`, with their paths."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        if path.name not in PRESENTATION_MODULES:
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def results_key(inputs: xr.Dataset, solver: SolverSettings) -> str:
    """The key of a solve's results: inputs hash, solver settings and model-code hash."""
    text = "|".join([str(inputs.attrs["inputs_hash"]),
                     json.dumps(solver.model_dump(), sort_keys=True, default=str),
                     model_code_hash()])
    return hashlib.sha256(text.encode()).hexdigest()


def default_cache_dir() -> Path:
    """``reports/cache`` of the project (beside ``notebooks/``), whatever the working folder."""
    return Path(synergy_models.__file__).resolve().parent.parent / "reports" / "cache"


def cache_path(inputs: xr.Dataset, solver: SolverSettings,
               cache_dir: str | os.PathLike | None = None) -> Path:
    """Where the results of these inputs and solver settings are cached."""
    folder = default_cache_dir() if cache_dir is None else Path(cache_dir)
    return folder / f"{inputs.attrs['scenario']}-{results_key(inputs, solver)[:20]}.nc"


def with_fixed_builds(inputs: xr.Dataset, scenario: Scenario,
                      cache_dir: str | os.PathLike | bool | None = None,
                      steps: Steps | None = None) -> xr.Dataset:
    """``inputs`` with the build decisions of ``scenario.fixed_builds`` (an operation-only run):
    the reference scenario is solved first (through the cache) and each active module's
    :class:`~synergy_models.model.module.Build` is copied from its results
    (:func:`~synergy_models.model.build.add_fixed_builds`). The
    inputs hash takes in the reference's results key, so a change of the reference re-solves.
    The reference takes the run's years and time settings. Returns ``inputs`` itself when the
    scenario fixes nothing or the builds are already there."""
    if scenario.fixed_builds is None or "fixed_builds" in inputs.attrs:
        return inputs
    steps = steps or Steps(quiet=True)
    name = scenario.fixed_builds_reference()
    ref_scen = load_scenario(name)
    # the reference is solved on the run's years and time grid (an override of either, e.g. a
    # quick test's, applies to both), not with its parameters: those are what the run changes
    same_grid: dict[str, Any] = {} if ref_scen.years == scenario.years else {"years": scenario.years}
    ours, theirs = scenario.time.model_dump(), ref_scen.time.model_dump()
    same_grid.update({f"time.{k}": v for k, v in ours.items() if theirs.get(k) != v})
    if same_grid:
        ref_scen = load_scenario(name, same_grid)
    if ref_scen.fixed_builds is not None:
        raise InputError([Problem(scenario.source, "the reference of fixed_builds fixes its own "
                                  "builds", column="fixed_builds", value=scenario.fixed_builds,
                                  expected="a scenario that plans its builds")])
    ref_inputs, ref = load_or_solve(ref_scen, cache_dir=cache_dir, steps=steps)
    out = add_fixed_builds(inputs, ref)
    key = results_key(ref_inputs, ref_scen.solver)
    out.attrs.update(fixed_builds=ref_scen.name, inputs_hash=hashlib.sha256(
        f"{inputs.attrs['inputs_hash']}|fixed_builds|{key}".encode()).hexdigest())
    return out


def scenario_inputs(scenario: Scenario, cache_dir: str | os.PathLike | bool | None = None,
                    steps: Steps | None = None) -> xr.Dataset:
    """The inputs Dataset of a scenario: the loader's, with the fixed builds of an operation-only
    run (:func:`with_fixed_builds`)."""
    steps = steps or Steps(quiet=True)
    inputs = steps(f"loading inputs of {scenario.name}", lambda: load_inputs(scenario))
    return with_fixed_builds(inputs, scenario, cache_dir, steps)


def solve_inputs(inputs: xr.Dataset, scenario: Scenario, steps: Steps | None = None,
                 modules: Sequence[ModelModule] | None = None) -> xr.Dataset:
    """Build, solve and collect the results of an inputs Dataset (no cache).

    ``modules``: the catalogue to build from (default: every module of
    :mod:`synergy_models.model.catalogue`; the inputs decide which are active).
    """
    steps = steps or Steps(quiet=True)
    model = steps("building the model", lambda: build_model(inputs, modules))
    solution = steps("compiling and solving with HiGHS", lambda: solve_model(model, scenario.solver))
    results = steps("collecting results", lambda: build_results(model, solution, inputs))
    results.attrs["time_build"] = steps.times.get("building the model", float("nan"))
    results.attrs["solver_method"] = scenario.solver.method
    return results


def solve_reusing(inputs: xr.Dataset, scenario: Scenario, held: ReusableModel | None = None,
                  warm: bool = True) -> tuple[xr.Dataset, ReusableModel, dict[str, Any]]:
    """Results of ``inputs`` solved on ``held`` with patched costs when their inputs differ only in
    the carbon price (:mod:`synergy_models.reuse`), else on a model built afresh (no cache).

    With ``warm``, HiGHS starts from ``held``'s last optimal basis when the LP has the same shape
    (reused, or rebuilt with the same sparsity pattern: costs, bounds and right-hand sides
    changed), and falls back to a cold solve past an iteration limit.

    Returns the results, the model they were solved on (keep it for the next case) and ``extra``:
    ``reused``; ``path``, how the case was solved: ``warm`` (simplex from the previous basis),
    ``cold-fallback`` (the warm start hit its limit: solved cold), ``reused-cold`` (patched costs,
    no basis) or ``rebuilt`` (built and solved cold); HiGHS's ``iterations`` (simplex, interior
    point and crossover, both runs of a fallback); and the seconds spent building and compiling
    (``model``), in HiGHS (``highs``), handing over to it (``handoff``) and collecting results
    (``results``).
    """
    t0 = time.perf_counter()
    reused = held is not None and held.accepts(inputs)
    if reused and held is not None:
        model = held
    else:
        model = ReusableModel.build(inputs)
        if warm and held is not None:
            model.adopt_basis(held)  # same shape and pattern: start from the neighbour's basis
    t1 = time.perf_counter()
    solution = model.solve(inputs, scenario.solver, checked=True, warm=warm)
    t2 = time.perf_counter()
    results = build_results(model.model, solution, inputs)
    path = solution.info.get("path", "cold")
    if path == "cold":
        path = "reused-cold" if reused else "rebuilt"
    iterations = sum(int(solution.info.get(k, 0)) for k in
                     ("simplex_iterations", "ipm_iterations", "crossover_iterations"))
    results.attrs.update(solver_method=scenario.solver.method, time_build=t1 - t0,
                         reused_model=int(reused), solve_path=path, highs_iterations=iterations)
    highs = float(solution.timings.get("solve", 0.0))
    extra = {"reused": reused, "path": path, "iterations": iterations, "model": t1 - t0,
             "highs": highs, "handoff": t2 - t1 - highs, "results": time.perf_counter() - t2}
    return results, model, extra


def solve_cached(inputs: xr.Dataset, scenario: Scenario,
                 cache_dir: str | os.PathLike | bool | None = None, steps: Steps | None = None
                 ) -> xr.Dataset:
    """Results of ``inputs`` read from the cache when solved before by this code with these solver
    settings; solved and cached otherwise.

    ``cache_dir``: a folder; ``None`` (or ``True``) the project's ``reports/cache``; ``False``
    solves without the cache.
    """
    steps = steps or Steps(quiet=True)
    inputs = with_fixed_builds(inputs, scenario, cache_dir, steps)
    if cache_dir is False:
        return solve_inputs(inputs, scenario, steps)
    path = cache_path(inputs, scenario.solver, None if cache_dir is True else cache_dir)
    if path.exists():
        try:
            return steps(f"reading solved results {path.name}",
                         lambda: read_results(path, checked=True))
        except (OSError, ValueError):  # unreadable (a disk fault): solve again and replace it
            pass
    try:  # a cache that cannot take the file (read-only, full) must not cost the solve
        writable_path(path, estimated_size(inputs))
    except OutputError as err:
        warnings.warn(f"results are not cached: {err}", stacklevel=2)
        return solve_inputs(inputs, scenario, steps)
    results = solve_inputs(inputs, scenario, steps)
    try:
        write_results(results, path, checksum=True)
        steps.note(f"results cached in {path}")
    except OutputError as err:
        warnings.warn(f"results are not cached: {err}", stacklevel=2)
    return results


def load_or_solve(scenario: str | Path | Scenario, overrides: dict[str, Any] | None = None,
                  cache_dir: str | os.PathLike | bool | None = None, quiet: bool = False,
                  steps: Steps | None = None, out: str | Path | None = None
                  ) -> tuple[xr.Dataset, xr.Dataset]:
    """(inputs, results) of a scenario, the results through the cache (:func:`solve_cached`;
    ``cache_dir=False``: solved without it). ``out``: a file the caller will write the results
    to, checked before the solve (its folder takes a file, its disk has room:
    :func:`synergy_models.io.writable_path`)."""
    steps = steps or Steps(quiet=quiet)
    scen = scenario if isinstance(scenario, Scenario) else load_scenario(scenario, overrides or None)
    check_solver_options(scen.solver.options, scen.origin)
    inputs = scenario_inputs(scen, cache_dir, steps)
    if out is not None:  # a folder that cannot take the file is found before the solve
        writable_path(Path(out), estimated_size(inputs))
    return inputs, solve_cached(inputs, scen, cache_dir, steps)


def run_scenario(scenario: str | Path | Scenario, overrides: dict[str, Any] | None = None, *,
                 out: str | Path | None = None, quiet: bool = True,
                 cache_dir: str | os.PathLike | bool | None = False) -> xr.Dataset:
    """Solve a scenario; write its results to ``out`` if given. Raises on bad input or no optimum.

    ``cache_dir``: ``False`` (the default) always solves; ``None`` uses the project's
    ``reports/cache``; a folder uses that folder (see :func:`solve_cached`).
    """
    steps = Steps(quiet=quiet)
    scen = scenario if isinstance(scenario, Scenario) else load_scenario(scenario, overrides)
    _, results = load_or_solve(scen, cache_dir=cache_dir, steps=steps, out=out)
    results.attrs["time_inputs"] = steps.times.get(f"loading inputs of {scen.name}", float("nan"))
    if out is not None:
        steps("writing results", lambda: write_results(results, out))
    return results


class ScenarioRuns:
    """One scenario solved at several parameter settings (the market's reverse search).

    ``inputs(changes)`` and ``solve(changes)`` apply ``changes`` on top of the scenario's own
    ``overrides``; solves go through the cache when ``cache_dir`` is given (``None``: the project's).
    The model of the last solve is kept (:func:`solve_reusing`): a search's next setting is solved
    on it (carbon price) or from its optimal basis (a change of costs, bounds or right-hand sides
    that keeps the LP's shape), unless ``warm`` is false. ``paths`` lists how each solve went.
    """

    def __init__(self, scenario: str | Path, overrides: dict[str, Any] | None = None,
                 cache_dir: str | os.PathLike | bool | None = False, warm: bool = True) -> None:
        self.scenario = scenario
        self.overrides = dict(overrides or {})
        self.cache_dir = cache_dir
        self.warm = warm
        self.paths: list[str] = []
        self._held: ReusableModel | None = None

    def _scenario(self, changes: dict[str, Any] | None) -> Scenario:
        return load_scenario(self.scenario, {**self.overrides, **(changes or {})} or None)

    def inputs(self, changes: dict[str, Any] | None = None) -> xr.Dataset:
        return scenario_inputs(self._scenario(changes), self.cache_dir)

    def solve(self, changes: dict[str, Any] | None = None) -> tuple[xr.Dataset, xr.Dataset]:
        """(inputs, results) with ``changes``: from the cache if there, else solved on (or from)
        the last solve's model."""
        scen = self._scenario(changes)
        inputs = scenario_inputs(scen, self.cache_dir)
        path = None
        if self.cache_dir is not False:
            path = cache_path(inputs, scen.solver, None if self.cache_dir is True else self.cache_dir)
            if path.exists():
                try:
                    results = read_results(path, checked=True)
                    self.paths.append("cached")
                    return inputs, results
                except (OSError, ValueError):  # unreadable: solve again and replace it
                    pass
        results, self._held, extra = solve_reusing(inputs, scen, self._held if self.warm else None,
                                                   warm=self.warm)
        self.paths.append(extra["path"])
        if path is not None:
            write_results(results, path, checksum=True)
        return inputs, results
