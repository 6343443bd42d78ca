"""Solve a built model with HiGHS: compile to standard form, pass arrays, map the answer back.

Pyomo's persistent solver interfaces take minutes to hand a large LP to HiGHS (see
``docs/performance.md``); compiling the model to arrays with Pyomo's
``LinearStandardFormCompiler`` and passing them to ``highspy`` takes seconds. Primal values are
written back into the Pyomo variables; the duals of every row and the reduced costs of every
column (the duals of the variables' bounds) are kept as arrays by row and column, so results can
read them by component and index.

Dual signs are HiGHS's: the derivative of the objective (present value, MUSD) with respect to the
row's bound or the column's bound, so a binding ``<=`` row or upper bound has a dual <= 0 and a
binding ``>=`` row or lower bound one >= 0 (:mod:`synergy_models.limits` turns them into shadow
prices that are positive when a limit costs money).

Only this module talks to HiGHS.
"""

from __future__ import annotations

import contextlib
import functools
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from synergy_models.errors import SynergyError
from synergy_models.scenario import SolverSettings


class SolveError(SynergyError):
    """The solver did not return an optimal solution; the message says why and what to check."""

    def __init__(self, status: str, message: str, diagnosis: list[str] | None = None):
        self.status = status
        self.diagnosis = diagnosis or []
        text = message
        if self.diagnosis:
            text += "\n  " + "\n  ".join(self.diagnosis)
        super().__init__(text)


@dataclass
class StandardForm:
    """The LP as arrays: min c x + offset, row_lower <= A x <= row_upper, col_lower <= x <= col_upper."""

    c: np.ndarray
    offset: float
    A: Any                      # scipy.sparse.csc_array
    row_lower: np.ndarray
    row_upper: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    columns: list[Any]          # Pyomo VarData per column
    rows: list[Any]             # Pyomo ConstraintData per row

    @property
    def shape(self) -> tuple[int, int]:
        return self.A.shape


@dataclass(frozen=True)
class Basis:
    """A simplex basis as arrays of HiGHS's ``HighsBasisStatus`` codes (0 lower, 1 basic, 2 upper,
    3 zero, 4 nonbasic), by column and by row: small, picklable, and free of HiGHS objects."""

    col_status: np.ndarray
    row_status: np.ndarray

    @classmethod
    def from_highs(cls, basis: highspy.HighsBasis) -> Basis:
        return cls(np.fromiter((int(s) for s in basis.col_status), dtype=np.int8),
                   np.fromiter((int(s) for s in basis.row_status), dtype=np.int8))

    def to_highs(self) -> highspy.HighsBasis:
        status = list(highspy.HighsBasisStatus.__members__.values())
        by_code = {int(s): s for s in status}
        basis = highspy.HighsBasis()
        basis.col_status = [by_code[c] for c in self.col_status.tolist()]
        basis.row_status = [by_code[r] for r in self.row_status.tolist()]
        basis.valid = True
        return basis

    def fits(self, form: StandardForm) -> bool:
        return (self.row_status.size, self.col_status.size) == form.shape


@dataclass(frozen=True)
class WarmStart:
    """Solve from ``basis`` with simplex instead of from nothing; fall back to a cold solve (the
    settings' own method) when the simplex needs more than ``iteration_limit`` iterations (or
    ``time_limit`` seconds, if given: not deterministic, so off by default).

    ``change`` says what differs from the LP the basis is optimal for, and picks the simplex that
    starts feasible: after a cost change the basis stays primal feasible (primal simplex), after a
    change of bounds or right-hand sides it stays dual feasible (dual simplex); both, or unknown:
    HiGHS chooses.
    """

    basis: Basis
    change: Literal["cost", "bounds", "both"] = "both"
    iteration_limit: int = 20_000
    time_limit: float | None = None


#: HiGHS's ``simplex_strategy`` for each kind of change (0 choose, 1 dual, 4 primal).
SIMPLEX_STRATEGY = {"cost": 4, "bounds": 1, "both": 0}


@dataclass
class Solution:
    status: str                 # optimal | infeasible | unbounded | time_limit | error
    objective: float
    x: np.ndarray
    row_dual: np.ndarray
    form: StandardForm
    timings: dict[str, float] = field(default_factory=dict)
    log: str = ""
    info: dict[str, Any] = field(default_factory=dict)
    #: reduced costs by column (HiGHS's ``col_dual``): c_j - A_j' row_dual, the dual of whichever
    #: bound of the column is active (NaN when the solver gave none)
    col_dual: np.ndarray | None = None
    #: the optimal basis (HiGHS's, after simplex or crossover), for a warm start of the next solve
    #: of an LP of the same shape; ``None`` when HiGHS had no valid one
    basis: Basis | None = None
    #: the HiGHS instance that solved, kept for the next case (``run_highs(keep=True)``)
    held: HeldHighs | None = field(default=None, repr=False)

    @functools.cached_property
    def row_position(self) -> dict[int, int]:
        """Row of each constraint, by ``id`` of its ConstraintData (built once)."""
        return {id(con): i for i, con in enumerate(self.form.rows)}

    @functools.cached_property
    def column_position(self) -> dict[int, int]:
        """Column of each variable, by ``id`` of its VarData (built once)."""
        return {id(v): i for i, v in enumerate(self.form.columns)}

    @functools.cached_property
    def row_activity(self) -> np.ndarray:
        """A x: each row's value at the solution (its variable part, as compiled)."""
        return np.asarray(self.form.A @ self.x, dtype=float)

    def dual_of(self, constraint: pyo.Constraint) -> dict[Any, float]:
        """Dual of each row of an indexed constraint, by index (rows the compiler dropped: 0)."""
        position = self.row_position
        return {idx: float(self.row_dual[position[id(con)]]) if id(con) in position else 0.0
                for idx, con in constraint.items()}


def compile_model(m: pyo.ConcreteModel) -> StandardForm:
    """Pyomo model -> :class:`StandardForm` (mixed form: one row per constraint)."""
    info = LinearStandardFormCompiler().write(m, mixed_form=True)
    rows = [entry.constraint for entry in info.rows]
    kind = np.fromiter((entry.bound_type for entry in info.rows), dtype=np.int8, count=len(rows))
    rhs = np.asarray(info.rhs, dtype=float)
    row_lower = np.where(kind == 1, -np.inf, rhs)
    row_upper = np.where(kind == -1, np.inf, rhs)
    n = len(info.columns)
    col_lower = np.empty(n)
    col_upper = np.empty(n)
    for i, v in enumerate(info.columns):
        lb, ub = v.bounds
        col_lower[i] = -np.inf if lb is None else lb
        col_upper[i] = np.inf if ub is None else ub
    c = np.asarray(info.c.toarray()).ravel() if info.c.shape[0] else np.zeros(n)
    offset = float(info.c_offset[0]) if len(info.c_offset) else 0.0
    return StandardForm(c, offset, info.A.tocsc(), row_lower, row_upper, col_lower, col_upper,
                        list(info.columns), rows)


def _highs_lp(form: StandardForm) -> highspy.HighsLp:
    lp = highspy.HighsLp()
    n_rows, n_cols = form.shape
    lp.num_col_, lp.num_row_ = n_cols, n_rows
    lp.col_cost_ = form.c
    lp.offset_ = form.offset
    lp.col_lower_, lp.col_upper_ = form.col_lower, form.col_upper
    lp.row_lower_, lp.row_upper_ = form.row_lower, form.row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = form.A.indptr.astype(np.int32)
    lp.a_matrix_.index_ = form.A.indices.astype(np.int32)
    lp.a_matrix_.value_ = form.A.data.astype(np.float64)
    return lp


_STATUS = {
    highspy.HighsModelStatus.kOptimal: "optimal",
    highspy.HighsModelStatus.kInfeasible: "infeasible",
    highspy.HighsModelStatus.kUnbounded: "unbounded",
    highspy.HighsModelStatus.kUnboundedOrInfeasible: "infeasible_or_unbounded",
    highspy.HighsModelStatus.kTimeLimit: "time_limit",
    highspy.HighsModelStatus.kIterationLimit: "iteration_limit",
}


def hipo_available() -> bool:
    """Whether this HiGHS build has HiPO (it needs the ``highspy-extras`` package)."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    return h.setOptionValue("solver", "hipo") == highspy.HighsStatus.kOk


#: HiPO options the package sets unless the scenario's ``solver.options`` do. HiPO analyses both
#: Newton systems (augmented and normal equations) before its first iteration and picks the
#: augmented one on every LP of this model measured (docs/performance.md); analysing only that one
#: saves ~2 s on ``base`` and ~45 s on the full year.
HIPO_DEFAULTS: dict[str, str] = {"hipo_system": "augmented"}


def check_solver_options(options: dict[str, Any],
                         where: str | Callable[[str, Any], str] = "solver.options") -> None:
    """:class:`InputError` naming each HiGHS option of ``options`` that HiGHS does not know, or
    whose value it refuses (type or range), before anything is built or solved. ``where``: the
    file the options came from, or a function of (key, value) saying so (``Scenario.origin``)."""
    import difflib

    from synergy_models.errors import InputError, Problem

    if not options:
        return
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    known = sorted(n for n in dir(h.getOptions()) if not n.startswith("_"))
    problems = []
    for key, value in options.items():
        origin = where(f"solver.options.{key}", value) if callable(where) else where
        status, _ = h.getOptionType(str(key))
        if status != highspy.HighsStatus.kOk:
            close = difflib.get_close_matches(str(key), known, n=1)
            problems.append(Problem(origin, "HiGHS has no such option" + (
                f"; did you mean '{close[0]}'?" if close else ""), column=f"solver.options.{key}",
                expected="an option of HiGHS (https://ergo-code.github.io/HiGHS/stable/options/"
                "definitions/)"))
        elif h.setOptionValue(str(key), option_value(h, str(key), value)) != highspy.HighsStatus.kOk:
            problems.append(Problem(origin, "HiGHS refuses this value", value=value,
                                    column=f"solver.options.{key}",
                                    expected=f"a {_option_kind(h, str(key))} HiGHS accepts"))
    if problems:
        raise InputError(problems)


def option_value(h: highspy.Highs, key: str, value: Any) -> Any:
    """``value`` as HiGHS takes it: YAML reads ``presolve: off`` as false, which HiGHS's string
    options (``on``/``off``/``choose``) want as text."""
    if isinstance(value, bool) and h.getOptionType(key)[1] == highspy.HighsOptionType.kString:
        return "on" if value else "off"
    return value


def _option_kind(h: highspy.Highs, key: str) -> str:
    kind = h.getOptionType(key)[1]
    return {highspy.HighsOptionType.kBool: "true or false", highspy.HighsOptionType.kInt:
            "whole number", highspy.HighsOptionType.kDouble: "number",
            highspy.HighsOptionType.kString: "string"}.get(kind, "value")


def _configure(h: highspy.Highs, settings: SolverSettings, log_file: str) -> None:
    h.setOptionValue("output_flag", True)
    h.setOptionValue("log_to_console", False)
    h.setOptionValue("log_file", log_file)
    method = settings.method
    if method == "hipo" and not hipo_available():
        method = "ipm"
    h.setOptionValue("solver", method)
    if method in ("ipm", "hipo"):
        # Prices are duals: crossover turns the interior point into a basic solution with exact ones.
        h.setOptionValue("run_crossover", "on")
    if method == "hipo":
        for key, value in HIPO_DEFAULTS.items():
            h.setOptionValue(key, value)  # the scenario's own options, set below, win
    if settings.threads:
        # HiGHS keeps one thread pool per process, sized by the first solve: a later solve with
        # another thread count is refused unless the pool is reset (it is idle between solves).
        highspy.Highs.resetGlobalScheduler(True)
        h.setOptionValue("threads", int(settings.threads))
    if settings.time_limit:
        h.setOptionValue("time_limit", float(settings.time_limit))
    for key, value in settings.options.items():
        status = h.setOptionValue(key, option_value(h, key, value))
        if status != highspy.HighsStatus.kOk:
            raise SolveError("error", f"HiGHS does not accept option {key}={value!r}")


class HeldHighs:
    """A HiGHS instance that keeps its LP between solves, with the arrays it holds.

    A re-solve of an LP that differs only in costs, column bounds or row bounds is patched into it
    (``changeColsCost``, ``changeColsBounds``, ``changeRowsBounds``: only the entries that differ)
    and starts from the instance's own optimal basis and factorisation: no hand-over of the matrix,
    no ``setBasis`` and no new factorisation before the first iteration (measured on ``base``: a
    warm re-solve after a data-centre demand change 0.41 s instead of 0.11 s hand-over + 0.66 s).
    """

    def __init__(self, highs: highspy.Highs, form: StandardForm, settings: SolverSettings) -> None:
        self.highs, self.form, self.settings = highs, form, settings

    def fits(self, form: StandardForm, settings: SolverSettings) -> bool:
        """Whether ``form`` has the held LP's matrix (same shape, pattern and values) and is solved
        with the same settings: then it differs in costs and bounds only."""
        a, b = self.form.A, form.A
        if settings != self.settings or self.form.shape != form.shape:
            return False
        return a is b or (np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)
                          and np.array_equal(a.data, b.data))

    def patch(self, form: StandardForm) -> None:
        """Change the held LP into ``form`` (which :meth:`fits`): the entries that differ only."""
        h, old = self.highs, self.form
        cost = np.flatnonzero(old.c != form.c).astype(np.int32)
        if cost.size:
            h.changeColsCost(cost.size, cost, form.c[cost])
        if old.offset != form.offset:
            h.changeObjectiveOffset(form.offset)
        cols = np.flatnonzero((old.col_lower != form.col_lower)
                              | (old.col_upper != form.col_upper)).astype(np.int32)
        if cols.size:
            h.changeColsBounds(cols.size, cols, form.col_lower[cols], form.col_upper[cols])
        rows = np.flatnonzero((old.row_lower != form.row_lower)
                              | (old.row_upper != form.row_upper)).astype(np.int32)
        if rows.size:
            h.changeRowsBounds(rows.size, rows, form.row_lower[rows], form.row_upper[rows])
        self.form = form

    def close(self) -> None:
        self.highs.clear()


def run_highs(form: StandardForm, settings: SolverSettings, warm: WarmStart | None = None,
              held: HeldHighs | None = None, keep: bool = False) -> Solution:
    """Pass ``form`` to HiGHS, solve, and return the raw solution (no Pyomo involved).

    With ``warm``, solve from its basis by simplex first; if that stops short of optimal (its
    iteration or time limit, or numerical trouble), solve cold as without it. ``info["path"]`` says
    which: ``cold``, ``warm`` or ``cold-fallback``; ``timings["solve"]`` is HiGHS's time for all
    of it, and the iteration counts add up both runs.

    With ``held`` (a :class:`HeldHighs` that :meth:`~HeldHighs.fits` ``form``) as well, the warm
    run patches that instance and starts from its own basis (``warm.basis`` is taken to be it);
    ``info["patched"]`` is then true. With ``keep``, the instance that solved is kept in
    ``solution.held`` for the next case (a ``held`` that did not reach optimal is closed).
    """
    if warm is not None and not warm.basis.fits(form):
        warm = None  # another shape: the basis means nothing here
    if held is not None and (warm is None or not held.fits(form, settings)):
        held.close()
        held = None
    if warm is not None:
        solution = _run_once(form, settings, warm, held, keep)
        if solution.status == "optimal":
            solution.info["path"] = "warm"
            return solution
        if solution.held is not None:
            solution.held.close()
            solution.held = None
        cold = _run_once(form, settings, None, None, keep)
        cold.info["path"] = "cold-fallback"
        cold.info["warm_status"] = solution.status
        cold.timings["warm"] = solution.timings["solve"]
        cold.timings["solve"] += solution.timings["solve"]
        cold.timings["pass"] += solution.timings["pass"]
        for key in ("simplex_iterations", "ipm_iterations", "crossover_iterations"):
            cold.info[key] += solution.info[key]
        cold.log = solution.log + "\n--- warm start stopped short: cold solve ---\n" + cold.log
        return cold
    solution = _run_once(form, settings, None, None, keep)
    solution.info["path"] = "cold"
    return solution


def _run_once(form: StandardForm, settings: SolverSettings, warm: WarmStart | None,
              held: HeldHighs | None = None, keep: bool = False) -> Solution:
    timings: dict[str, float] = {}
    fd, log_file = tempfile.mkstemp(prefix="highs-", suffix=".log")
    os.close(fd)
    basis: Basis | None = None
    try:
        if held is not None:
            h = held.highs
            h.setOptionValue("log_file", log_file)
        else:
            h = highspy.Highs()
            _configure(h, settings, log_file)
        if warm is not None:
            # One simplex from the given basis; no presolve (HiGHS skips it with a valid basis).
            h.setOptionValue("solver", "simplex")
            h.setOptionValue("simplex_strategy", SIMPLEX_STRATEGY[warm.change])
            h.setOptionValue("simplex_iteration_limit", int(warm.iteration_limit))
            if warm.time_limit is not None:
                h.setOptionValue("time_limit", float(warm.time_limit))
        t0 = time.perf_counter()
        if held is not None:
            held.patch(form)  # the instance's own basis and factorisation stay
        else:
            h.passModel(_highs_lp(form))
            if warm is not None:
                h.setBasis(warm.basis.to_highs())
        timings["pass"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        h.run()
        timings["solve"] = time.perf_counter() - t0
        model_status = h.getModelStatus()
        info = h.getInfo()
        sol = h.getSolution()
        x = np.asarray(sol.col_value, dtype=float)
        duals = np.asarray(sol.row_dual, dtype=float)
        reduced = np.asarray(sol.col_dual, dtype=float)
        details = {
            "simplex_iterations": int(info.simplex_iteration_count),
            "ipm_iterations": int(info.ipm_iteration_count),
            "crossover_iterations": int(info.crossover_iteration_count),
            "primal_solution_status": int(info.primal_solution_status),
            "dual_solution_status": int(info.dual_solution_status),
            "highs_status": h.modelStatusToString(model_status),
            "patched": int(held is not None),
        }
        objective = float(info.objective_function_value)
        if model_status == highspy.HighsModelStatus.kOptimal and int(info.basis_validity) == 1:
            basis = Basis.from_highs(h.getBasis())  # kept for a warm start of the next case
        h.setOptionValue("log_file", "")  # close the log, so that it can be read whole
        if keep:
            held = held or HeldHighs(h, form, settings)
        else:
            h.clear()
            held = None
        with open(log_file, encoding="utf-8", errors="replace") as f:
            log = f.read()
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(log_file)
    status = _STATUS.get(model_status, "error")
    if x.size != form.shape[1]:
        x = np.full(form.shape[1], np.nan)
    if duals.size != form.shape[0]:
        duals = np.full(form.shape[0], np.nan)
    if reduced.size != form.shape[1]:
        reduced = np.full(form.shape[1], np.nan)
    return Solution(status, objective, x, duals, form, timings, log, details, col_dual=reduced,
                    basis=basis, held=held)


def load_values(solution: Solution) -> None:
    """Write primal values into the Pyomo variables (unused variables the compiler dropped: 0)."""
    for v, value in zip(solution.form.columns, solution.x.tolist(), strict=True):
        v.set_value(value, skip_validation=True)


def solve_model(m: pyo.ConcreteModel, settings: SolverSettings | None = None) -> Solution:
    """Compile, solve and load the values of ``m``; raise :class:`SolveError` unless optimal.

    The error explains the outcome: for an infeasible model, the constraints an elastic re-solve
    finds violated; for a time limit, the best objective found; for an unbounded model, where to
    look.
    """
    settings = settings or SolverSettings()
    t0 = time.perf_counter()
    form = compile_model(m)
    compile_time = time.perf_counter() - t0
    solution = solve_form(m, form, settings)
    solution.timings["compile"] = compile_time
    return solution


def solve_form(m: pyo.ConcreteModel, form: StandardForm, settings: SolverSettings,
               warm: WarmStart | None = None, held: HeldHighs | None = None, keep: bool = False
               ) -> Solution:
    """Solve the compiled ``form`` of ``m`` (from ``warm``'s basis if given, see
    :func:`run_highs`) and load the values into ``m``; raise :class:`SolveError` unless optimal
    (the second half of :func:`solve_model`)."""
    solution = run_highs(form, settings, warm, held, keep)
    if solution.status != "optimal":
        if solution.held is not None:
            solution.held.close()
            solution.held = None
        raise _explain(solution, settings, limit_parameters(m))
    for v in m.component_data_objects(pyo.Var, descend_into=True):
        if v.value is None:
            v.set_value(0.0, skip_validation=True)
    load_values(solution)
    return solution


#: ``{family: (kind, parameters, units)}``: a limit's constraint or variable family, its kind
#: (``at_most``/``at_least`` rows, ``upper_bound`` columns), the scenario parameters that set it
LimitParameters = dict[str, tuple[str, tuple[str, ...], str]]


def limit_parameters(m: pyo.ConcreteModel) -> LimitParameters:
    """The limits the model's modules declare with the scenario parameters behind them (read from
    ``m.modules``: this module imports no model code)."""
    return {lim.component: (lim.kind, tuple(lim.parameters), lim.units)
            for module in getattr(m, "modules", ()) for lim in getattr(module, "limits", ())
            if getattr(lim, "parameters", ())}


class DiagnosisStopped(Exception):
    """An elastic re-solve of the diagnosis ended short of optimal (its ``status``: a time limit)."""

    def __init__(self, status: str):
        self.status = status
        super().__init__(status)


def _explain(solution: Solution, settings: SolverSettings,
             limits: LimitParameters | None = None) -> SolveError:
    status = solution.status
    if status in ("infeasible", "infeasible_or_unbounded"):
        try:
            diagnosis = diagnose_infeasibility(solution.form, settings)
            if diagnosis:
                try:
                    parameters = conflicting_parameters(solution.form, settings, limits or {})
                except DiagnosisStopped as stop:
                    parameters = [f"(the scenario parameters behind it were not found: a re-solve "
                                  f"stopped at the {stop.status.replace('_', ' ')}; raise "
                                  "solver.time_limit)"]
                diagnosis = [*parameters,
                             "Constraints that cannot all hold (violation needed, by constraint):",
                             *(f"  {line}" for line in diagnosis)]
        except DiagnosisStopped as stop:
            proven = ("HiGHS proved the scenario infeasible" if status == "infeasible" else
                      "HiGHS could not tell an infeasible scenario from an unbounded one")
            return SolveError(
                "time_limit", f"{proven}, and finding which constraints conflict stopped at the "
                f"{stop.status.replace('_', ' ')} ({settings.time_limit} s, solver.time_limit). "
                "Raise solver.time_limit to get the diagnosis, or use fewer representative days "
                "or years.")
        if diagnosis:
            return SolveError("infeasible", "the scenario is infeasible: no dispatch and build "
                              "satisfies every constraint.", diagnosis)
        status = "unbounded"
    if status == "unbounded":
        return SolveError("unbounded", "the scenario is unbounded: some cost can fall without "
                          "limit. Look for negative costs or prices in the scenario's overrides "
                          "(e.g. a negative carbon price or capex).")
    if status in ("time_limit", "iteration_limit"):
        best = solution.objective
        feasible = solution.info.get("primal_solution_status") == 2  # HiGHS: kSolutionStatusFeasible
        found = (f"objective of the last iterate {best:,.1f} MUSD, "
                 f"{'primal feasible' if feasible else 'not yet feasible'}"
                 if np.isfinite(best) else "no solution")
        return SolveError(status, f"HiGHS stopped at its {status.replace('_', ' ')} "
                          f"({settings.time_limit} s) before proving optimality ({found}). Raise "
                          "solver.time_limit, use fewer representative days or years, or try "
                          "solver.method: ipm.")
    return SolveError("error", f"HiGHS ended with status '{solution.info.get('highs_status')}'."
                      " The solver log follows:\n" + solution.log[-2000:])


def _elastic_settings(settings: SolverSettings) -> SolverSettings:
    return SolverSettings(method="choose", threads=settings.threads, time_limit=settings.time_limit)


def diagnose_infeasibility(form: StandardForm, settings: SolverSettings, limit: int = 12
                           ) -> list[str]:
    """Elastic re-solve: let every row be violated at a cost of 1 per unit and report the rows that
    are, grouped by constraint family (e.g. ``policy.carbon_cap[2030]: 120.5``). Empty when no
    violation is needed (the LP is feasible: unbounded); :class:`DiagnosisStopped` when the
    re-solve ends short of optimal (a time limit)."""
    import scipy.sparse as sp

    n_rows, n_cols = form.shape
    eye = sp.identity(n_rows, format="csc")
    elastic = StandardForm(
        c=np.concatenate([np.zeros(n_cols), np.ones(2 * n_rows)]),
        offset=0.0,
        A=sp.hstack([form.A, eye, -eye], format="csc"),
        row_lower=form.row_lower, row_upper=form.row_upper,
        col_lower=np.concatenate([form.col_lower, np.zeros(2 * n_rows)]),
        col_upper=np.concatenate([form.col_upper, np.full(2 * n_rows, np.inf)]),
        columns=form.columns, rows=form.rows,
    )
    relaxed = run_highs(elastic, _elastic_settings(settings))
    if relaxed.status != "optimal":
        raise DiagnosisStopped(relaxed.status)
    slack = relaxed.x[n_cols:n_cols + n_rows] - relaxed.x[n_cols + n_rows:]
    violated = np.flatnonzero(np.abs(slack) > 1e-6)
    order = violated[np.argsort(-np.abs(slack[violated]))]
    lines = [f"{form.rows[i].name}: {slack[i]:+.4g}" for i in order[:limit]]
    families = {form.rows[i].parent_component().name for i in order}
    if len(order) > limit:
        lines.append(f"... and {len(order) - limit} more rows in {', '.join(sorted(families))}")
    # Limits that are variable bounds, not rows, show up as the rows they starve: say which.
    lines += [f"({family}: {HINTS[family]})" for family in sorted(families) if family in HINTS]
    return lines


def conflicting_parameters(form: StandardForm, settings: SolverSettings,
                           limits: LimitParameters, most: int = 3
                           ) -> list[str]:
    """The scenario parameters behind an infeasible LP's conflict, as lines of the diagnosis.

    ``limits``: :func:`limit_parameters`. First every such row and upper bound may be violated, each at a
    cost of 1 per unit of its relative violation: the families violated are limits that cannot
    hold. Then each of them (up to ``most``) is kept hard while the others stay elastic: the
    families violated now are what it conflicts with. Empty when relaxing every parameter's limit
    still leaves the LP infeasible (the conflict lies in fixed data: demand, existing capacity).
    """
    if not limits:
        return []
    def family(components: list[Any], kinds: tuple[str, ...]) -> np.ndarray:
        """Each component's family name where it is a limit of one of ``kinds``, else ''."""
        names = (c.parent_component().name for c in components)
        return np.array([n if limits.get(n, ("",))[0] in kinds else "" for n in names], dtype=object)

    row_names = family(form.rows, ("at_most", "at_least"))
    col_names = family(form.columns, ("upper_bound",))
    col_names[~np.isfinite(form.col_upper)] = ""  # no bound to relax
    row_family, col_family = row_names != "", col_names != ""

    def violated(hard: str | None) -> dict[str, tuple[float, int]] | None:
        rows = row_family & (row_names != hard)
        cols = col_family & (col_names != hard)
        solved = _solve_elastic(form, settings, rows, cols)
        if solved is None:
            return None
        row_slack, col_slack = solved
        out: dict[str, tuple[float, int]] = {}
        for names, slack in ((row_names, row_slack), (col_names, col_slack)):
            hit = np.abs(slack) > 1e-6
            for name in np.unique(names[hit]):
                part = hit & (names == name)
                total, count = out.get(name, (0.0, 0))
                out[name] = (total + float(np.abs(slack[part]).sum()), count + int(part.sum()))
        return out

    first = violated(None)
    if not first:
        return []

    def named(family: str, found: tuple[float, int]) -> str:
        kind, parameters, units = limits[family]
        what = "bounds" if kind == "upper_bound" else "rows"
        return (f"{', '.join(parameters)} ({family}: {found[1]} {what}, "
                f"violated by {found[0]:.4g} {units} in all)")

    lines = ["Scenario parameters behind the conflict (their limits cannot all hold):"]
    for family, found in sorted(first.items(), key=lambda kv: -kv[1][1])[:most]:
        partners = violated(family)
        if partners is None:
            lines.append(f"  {named(family, found)}: cannot hold even with every other "
                         "parameter's limit relaxed (it conflicts with fixed data)")
        elif partners:
            lines.append(f"  {named(family, found)} against")
            lines += [f"    {named(f, v)}" for f, v in sorted(partners.items())]
        else:
            lines.append(f"  {named(family, found)}")
    return lines


def _solve_elastic(form: StandardForm, settings: SolverSettings, rows: np.ndarray,
                   cols: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Feasibility LP of ``form`` with the ``rows`` and the upper bounds of the ``cols`` (masks)
    elastic, each violation costing 1 per unit of its bound's size (at least 1). Returns the
    violations by row and by column (zero where not elastic), ``None`` when infeasible even so;
    :class:`DiagnosisStopped` when it ends otherwise short of optimal."""
    import scipy.sparse as sp

    n_rows, n_cols = form.shape
    r_idx, c_idx = np.flatnonzero(rows), np.flatnonzero(cols)
    nr, nc = len(r_idx), len(c_idx)
    rhs = np.where(np.isfinite(form.row_lower), form.row_lower, form.row_upper)[r_idx]
    row_weight = 1.0 / np.maximum(1.0, np.abs(np.nan_to_num(rhs, posinf=1.0, neginf=1.0)))
    ub = form.col_upper[c_idx]
    col_weight = 1.0 / np.maximum(1.0, np.abs(ub))
    pick = sp.csc_array((np.ones(nr), (r_idx, np.arange(nr))), shape=(n_rows, nr))
    # rows: A x + s+ - s- in [lower, upper]; bounds: x_j - v_j <= ub_j (x_j's own bound lifted)
    top = sp.hstack([form.A, pick, -pick, sp.csc_array((n_rows, nc))], format="csc")
    bound_rows = sp.hstack([sp.csc_array((np.ones(nc), (np.arange(nc), c_idx)), shape=(nc, n_cols)),
                            sp.csc_array((nc, 2 * nr)), -sp.identity(nc, format="csc")],
                           format="csc")
    col_upper = form.col_upper.copy()
    col_upper[c_idx] = np.inf
    elastic = StandardForm(
        c=np.concatenate([np.zeros(n_cols), row_weight, row_weight, col_weight]), offset=0.0,
        A=sp.vstack([top, bound_rows], format="csc"),
        row_lower=np.concatenate([form.row_lower, np.full(nc, -np.inf)]),
        row_upper=np.concatenate([form.row_upper, ub]),
        col_lower=np.concatenate([form.col_lower, np.zeros(2 * nr + nc)]),
        col_upper=np.concatenate([col_upper, np.full(2 * nr + nc, np.inf)]),
        columns=form.columns, rows=form.rows)
    relaxed = run_highs(elastic, _elastic_settings(settings))
    if relaxed.status in ("infeasible", "infeasible_or_unbounded"):
        return None
    if relaxed.status != "optimal":
        raise DiagnosisStopped(relaxed.status)
    x = relaxed.x
    row_slack, col_slack = np.zeros(n_rows), np.zeros(n_cols)
    row_slack[r_idx] = x[n_cols:n_cols + nr] - x[n_cols + nr:n_cols + 2 * nr]
    col_slack[c_idx] = x[n_cols + 2 * nr:]
    return row_slack, col_slack


#: What to look at when a constraint family cannot hold, for limits that are variable bounds.
HINTS = {
    "compute.demand": "the compute demand cannot all be served; where it may go is limited by "
    "grid_share_max (the data-centre load cap, a bound on the IT load), utilisation_max, "
    "max_new_dc, latency_max_inference and compute_export_max",
}
