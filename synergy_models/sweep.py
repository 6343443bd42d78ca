"""Scenario sweeps: many cases of one base scenario, on local processes or a Dask cluster.

A sweep file (YAML, see ``docs/sweeps.md``) names a base scenario, settings applied to every case and
the parameters to vary. :func:`run_sweep` checks every case before solving any, solves them with
:func:`solve_case` through ``dask.distributed`` (a ``LocalCluster`` of processes, or a scheduler
address: the same code path), and combines the finished cases into one Dataset with a ``case``
dimension. Each case's full results are kept in ``<out>/cases/<key>.nc``
(:func:`synergy_models.run.results_key`: inputs hash, solver settings and model code): a case whose
file exists and reads is not solved again, so an interrupted sweep resumes where it stopped, and a
change of model code solves every case afresh.
"""

from __future__ import annotations

import ctypes
import itertools
import json
import logging
import math
import os
import sys
import time
from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import xarray as xr
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

from synergy_models.errors import (
    InputError,
    Problem,
    SynergyError,
    pydantic_message,
)
from synergy_models.io import replacing, writable_path, write_netcdf
from synergy_models.scenario import Real, Whole, output_name
from synergy_models.units import USD_PER_USD_BN
from synergy_models.yamlfile import read_yaml_model

Scalar = int | float | str | bool

#: Variables of each case's results kept in the combined sweep Dataset: annual and per-region
#: figures only. The hourly arrays (dispatch, prices, flows) would multiply the file by the number of
#: hours; they stay in the per-case files under ``cases/``.
KEPT = ("capacity", "generation_annual", "price_average", "emissions", "dc_capacity",
        "cost")  # those present
#: Columns of :func:`technology_table` besides the swept parameters.
TECHNOLOGY_COLUMNS = ("case", "status", "tech", "capacity_GW", "generation_TWh")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


#: Most cases a sweep may have (checked from the file's counts before any case is made): each case
#: is a solve, so more is a typo (``num: 100000``) rather than a plan, and would exhaust memory.
MAX_CASES = 10_000


class Grid(_Strict):
    start: Real
    stop: Real
    num: Whole = Field(ge=1, le=MAX_CASES)


class Random(_Strict):
    low: Real
    high: Real
    n: Whole = Field(ge=1, le=MAX_CASES)

    @model_validator(mode="after")
    def _ordered(self) -> Random:
        if self.high < self.low:
            raise ValueError("high must not be below low")
        return self


class ParameterSpec(_Strict):
    """Exactly one of ``values`` (a list), ``grid`` (a linspace) or ``random`` (uniform samples)."""

    values: list[Scalar] | None = Field(default=None, min_length=1)
    grid: Grid | None = None
    random: Random | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> ParameterSpec:
        given = [k for k in ("values", "grid", "random") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of 'values', 'grid' or 'random'"
                             + (f" (got {', '.join(given)})" if given else ""))
        return self

    def expand(self, rng: np.random.Generator | None) -> list[Scalar]:
        if self.values is not None:
            return list(self.values)
        if self.grid is not None:
            return [float(x) for x in np.linspace(self.grid.start, self.grid.stop, self.grid.num)]
        assert self.random is not None and rng is not None
        return [float(x) for x in rng.uniform(self.random.low, self.random.high, self.random.n)]


class Sweep(_Strict):
    """A validated sweep file."""

    name: str = Field(min_length=1)
    description: str = ""
    base: str = Field(min_length=1, description="scenario name (data/scenarios) or YAML path")
    settings: dict[str, Any] = Field(default_factory=dict)
    parameters: dict[str, ParameterSpec] = Field(min_length=1)
    combine: Literal["product", "zip"] = "product"
    seed: int | None = None
    _source: Path | None = PrivateAttr(default=None)

    @field_validator("name")
    @classmethod
    def _output_name(cls, v: str) -> str:
        return output_name(v)

    @model_validator(mode="after")
    def _consistent(self) -> Sweep:
        if self.seed is None and any(p.random for p in self.parameters.values()):
            raise ValueError("random samples need a top-level 'seed' (so that the sweep can be repeated)")
        both = set(self.settings) & set(self.parameters)
        if both:
            raise ValueError(f"{', '.join(sorted(both))} both in settings and swept in parameters")
        lengths = {k: _length(p) for k, p in self.parameters.items()}
        if self.combine == "zip" and len(set(lengths.values())) > 1:
            raise ValueError("combine: zip needs equally many values for every parameter; got "
                             + ", ".join(f"{k}: {n}" for k, n in lengths.items()))
        cases = max(lengths.values()) if self.combine == "zip" else math.prod(lengths.values())
        if cases > MAX_CASES:
            raise ValueError(f"{cases:,} cases ({' x '.join(map(str, lengths.values()))}); a sweep "
                             f"has at most {MAX_CASES:,}")
        return self

    @property
    def source(self) -> str:
        return str(self._source) if self._source else "<sweep>"


def _length(p: ParameterSpec) -> int:
    if p.values is not None:
        return len(p.values)
    return p.grid.num if p.grid is not None else p.random.n  # type: ignore[union-attr]


@dataclass(frozen=True)
class Case:
    """One case: its id and the overrides (settings and swept parameters) for ``load_scenario``."""

    id: str
    overrides: dict[str, Any]
    swept: dict[str, Scalar]


@dataclass
class CaseOutcome:
    """What became of one case. ``status`` is ``solved``, ``resumed`` (its file existed) or ``failed``;
    ``compact``: the case's part of the combined Dataset (:func:`compact_results`), unless failed."""

    status: Literal["solved", "resumed", "failed"]
    message: str = ""
    inputs_hash: str = ""
    path: str = ""
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)
    compact: xr.Dataset | None = None

    @property
    def ok(self) -> bool:
        return self.status != "failed"


# --- reading and expanding -------------------------------------------------------------------------


def load_sweep(path: str | Path) -> Sweep:
    """Read and validate a sweep file; :class:`InputError` names the file, key and line."""
    path = Path(path)
    sweep, _ = read_yaml_model(
        path, Sweep, kind="a sweep file", message=lambda e: pydantic_message(e, Sweep),
        value=lambda e: e.get("input") if isinstance(e.get("input"), Scalar) else None)
    # A base given as a path is relative to the sweep file, wherever the sweep is started from.
    if sweep.base.endswith((".yaml", ".yml")) and not Path(sweep.base).is_absolute():
        sweep.base = str((path.parent / sweep.base).resolve())
    sweep._source = path.resolve()
    return sweep


def expand_cases(sweep: Sweep) -> list[Case]:
    """Every case of a sweep, in a stable order (the last parameter varies fastest under product)."""
    rng = np.random.default_rng(sweep.seed) if sweep.seed is not None else None
    keys = list(sweep.parameters)
    axes = [sweep.parameters[k].expand(rng) for k in keys]
    combos = zip(*axes, strict=True) if sweep.combine == "zip" else itertools.product(*axes)
    cases = []
    rows = list(combos)
    width = max(3, len(str(len(rows) - 1)))
    for i, combo in enumerate(rows):
        swept = dict(zip(keys, combo, strict=True))
        cases.append(Case(f"{i:0{width}d}", {**sweep.settings, **swept}, swept))
    return cases


def check_cases(sweep: Sweep, cases: list[Case]) -> None:
    """Validate every case's scenario and parameter overrides, without loading profiles or solving.

    Problems are reported against the sweep file and the key that caused them (``parameters.X`` or
    ``settings.X``), once each, all together.
    """
    from synergy_models.data.loader import build_primary, dataset_folder
    from synergy_models.data.overrides import apply_overrides
    from synergy_models.data.tables import read_tables
    from synergy_models.scenario import load_scenario
    from synergy_models.solve import check_solver_options

    origin = {k: f"settings.{k}" for k in sweep.settings} | {k: f"parameters.{k}" for k in sweep.parameters}
    problems: dict[str, Problem] = {}

    def note(err: InputError, case: Case) -> None:
        for p in err.problems:
            q = _to_sweep_problem(p, sweep, case, origin)
            problems.setdefault(str(q), q)  # once, however many cases share it

    # Overrides are checked one by one, so each distinct (key, value) needs checking only once: a
    # 20 x 20 grid is 40 checks, not 400.
    distinct: dict[tuple[str, str, str], tuple[str, Any, Case, str]] = {}
    for case in cases:
        try:
            scenario = load_scenario(sweep.base, case.overrides)
            check_solver_options(scenario.solver.options, scenario.origin)
        except InputError as err:
            note(err, case)
            continue
        for k, v in scenario.parameters.items():  # the base scenario's own included
            where = sweep.source if k in case.overrides else scenario.source
            distinct.setdefault((scenario.dataset, k, repr(v)), (k, v, case, where))
    primaries: dict[str, Any] = {}
    for (dataset, _, _), (k, v, case, where) in distinct.items():
        if dataset not in primaries:
            tables = read_tables(dataset_folder(dataset))
            primaries[dataset] = (build_primary(tables), tables.ureg)
        primary, ureg = primaries[dataset]
        try:
            apply_overrides(primary, {k: v}, ureg, where)
        except InputError as err:
            note(err, case)
    if problems:
        raise InputError(problems.values())


def _to_sweep_problem(p: Problem, sweep: Sweep, case: Case, origin: dict[str, str]) -> Problem:
    column = p.column or ""
    key = column.removeprefix("parameters.")
    hit = next((k for k in case.overrides if key == k or key.startswith(k + ".")), None)
    if hit is None:
        return p  # a problem of the base scenario itself: keep its own file and key
    # p.value is set only when the value itself is wrong; an unknown name is then reported once.
    return Problem(sweep.source, p.message, column=origin[hit], value=p.value, expected=p.expected)


# --- one case --------------------------------------------------------------------------------------


def case_path(out_dir: str | Path, key: str) -> Path:
    return Path(out_dir) / "cases" / f"{key[:16]}.nc"


#: The model this worker process built last, by reuse group (see :func:`solve_case`); one at a time.
_REUSABLE: dict[str, Any] = {}

#: glibc's largest dynamic thresholds (64-bit): blocks below 32 MiB come from the heap, and up to
#: 64 MiB of free memory at its top is kept for the next allocation rather than given back.
MMAP_THRESHOLD = 32 * 2**20
TRIM_THRESHOLD = 64 * 2**20


def restore_malloc_thresholds() -> bool:
    """Undo the Dask nanny's ``MALLOC_TRIM_THRESHOLD_`` in this worker process (glibc only).

    The nanny sets it (``distributed.nanny.pre-spawn-environ``) so that workers give freed memory
    back to the system. Setting it also freezes glibc's mmap threshold at 128 KiB: every block HiGHS
    allocates above that is mapped, faulted in page by page and unmapped on free, again each
    iteration. Measured on ``base`` (one HiGHS thread): ~0.9 million page faults and +3 s of system
    time per solve instead of ~25 thousand and 0.1 s, 20-35% slower cases. ``mallopt`` sets both
    thresholds to the values glibc's own dynamic rule reaches. Returns whether it did.
    """
    if not sys.platform.startswith("linux") or "MALLOC_TRIM_THRESHOLD_" not in os.environ:
        return False
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):  # not glibc
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3  # from <malloc.h>
    return bool(mallopt(m_mmap_threshold, MMAP_THRESHOLD)) and bool(
        mallopt(m_trim_threshold, TRIM_THRESHOLD))


def solve_case(base: str, overrides: dict[str, Any], out_dir: str | Path,
               reuse_group: str | None = None, warm: bool = True, basis: Any = None,
               return_basis: bool = False) -> CaseOutcome:
    """Solve one case and write its results to ``out_dir/cases/<key16>.nc``, keyed like every
    cached solve (:func:`synergy_models.run.results_key`: inputs, solver settings, model code);
    never raises on a bad case (bad input, infeasible, time limit): it comes back ``failed``.

    With ``reuse_group``, the built and compiled model is kept in this process for the next case
    of the same group, which is then solved with patched costs when its inputs differ only in the
    carbon price (:mod:`synergy_models.reuse`; anything else is built afresh). With ``warm`` as
    well, HiGHS starts from the previous case's optimal basis when the LP has the same shape (see
    :func:`synergy_models.run.solve_reusing`). ``extra`` records ``reused``, ``path`` (``warm``,
    ``cold-fallback``, ``reused-cold`` or ``rebuilt``), HiGHS's ``iterations``, and the seconds
    spent in HiGHS (``highs``) and outside it in the case (``inputs``, ``model``: build and
    compile, ``results``: results and the file), and ``patch``: how the LP was made
    (:meth:`synergy_models.reuse.ReusableModel.solve`).

    ``basis`` (a :class:`synergy_models.solve.Basis`, e.g. the optimal basis of another
    worker's case, or a pair of it and the kind of change, ``cost`` or ``both``, that picks the
    simplex): with ``warm``, when this process holds no model of ``reuse_group``, the case is
    built and solved from it (path ``warm-shared``) instead of cold, if the LP has its shape.
    ``return_basis``: the case's optimal basis is returned in ``extra["basis"]``.

    Module-level so that Dask workers started from the command line can import it.
    """
    from synergy_models.results import read_results, write_results
    from synergy_models.reuse import ReusableModel
    from synergy_models.run import results_key, scenario_inputs, solve_reusing
    from synergy_models.scenario import load_scenario

    t0 = time.perf_counter()
    restore_malloc_thresholds()  # cheap and idempotent: two calls into libc
    digest = ""
    extra: dict[str, Any] = {"reused": False}
    try:
        scenario = load_scenario(base, overrides)
        inputs = scenario_inputs(scenario)
        digest = str(inputs.attrs["inputs_hash"])
        path = case_path(out_dir, results_key(inputs, scenario.solver))
        if path.exists():  # same inputs, solver settings and model code: solved before (resume)
            try:
                compact = compact_results(read_results(path, checked=True))
                return CaseOutcome("resumed", "", digest, str(path), time.perf_counter() - t0,
                                   compact=compact)
            except (OSError, ValueError, KeyError):  # unreadable or incomplete: solve it again
                pass
        t1 = time.perf_counter()
        held, held_overrides = _REUSABLE.get(reuse_group or "", (None, {}))
        built = shared_start = False
        if held is not None and not _same_group(held_overrides, overrides):
            # Outside the held case's group (it differs in more than REUSABLE_PARAMETERS): built
            # afresh, from the held basis when the LP keeps its shape.
            fresh = ReusableModel.build(inputs)
            if warm:
                fresh.adopt_basis(held)
            held, built = fresh, True
        elif held is None and warm and basis is not None:
            held, built = ReusableModel.build(inputs), True
            shared, change = basis if isinstance(basis, tuple) else (basis, "both")
            if shared.fits(held.form):  # same shape: start from the shared basis
                held.basis, held.change, shared_start = shared, change, True
        t_seed = time.perf_counter() - t1
        results, model, extra = solve_reusing(inputs, scenario, held, warm=warm)
        if built:  # the model is the case's own, built above
            extra.update(reused=False, model=extra["model"] + t_seed)
            extra["path"] = {"warm": "warm-shared" if shared_start else "warm",
                             "reused-cold": "rebuilt"}.get(extra["path"], extra["path"])
            results.attrs.update(reused_model=0, solve_path=extra["path"])
        extra["patch"] = str(results.attrs.get("patch", "")) if extra["reused"] else ""
        if return_basis:
            extra["basis"] = model.basis
        _REUSABLE.clear()  # one model per process: a sweep's groups come one after the other
        if reuse_group:
            _REUSABLE[reuse_group] = (model, dict(overrides))
        t2 = time.perf_counter()
        write_results(results, path, checksum=True)  # atomic: a case file is always complete
        compact = compact_results(results)  # here, in parallel, not in the client at the end
        extra.update(inputs=t1 - t0, results=extra["results"] + time.perf_counter() - t2)
    except SynergyError as err:  # SolveError included: infeasible, time limit, numerical trouble
        return CaseOutcome("failed", str(err), digest, "", time.perf_counter() - t0, extra)
    return CaseOutcome("solved", "", digest, str(path), time.perf_counter() - t0, extra, compact)


# --- the whole sweep -------------------------------------------------------------------------------


#: Scenario parameters whose cases go to one worker in turn, in neighbour order: the carbon price
#: (patched costs on the held model) and parameters that change only costs, bounds or right-hand
#: sides: prices and costs, demand, caps and limits. Such a case is built (its results need its
#: model) but not compiled: its LP is the held one with costs and bounds patched, solved from the
#: previous case's basis in the same HiGHS instance (:mod:`synergy_models.reuse`, which checks
#: this on the LP itself: a parameter that turns out to change the matrix is compiled, one that
#: changes the structure rebuilt, both still from the last basis when the LP keeps its shape).
REUSABLE_PARAMETERS = (
    "carbon_price", "carbon_cap",
    # prices and costs (the cost vector)
    "fuel_cost", "coal_price", "coal_price_difference", "vom", "capex", "capex_energy",
    "capex_dc", "bandwidth_cost", "certificate_price", "green_power_premium", "value_of_lost_load",
    "reserve_shortfall_cost", "demand_response_cost", "electrolyser_capex", "fuel_cell_capex",
    "h2_storage_capex", "grey_h2_cost", "green_h2_subsidy", "tariff",
    # demand levels (right-hand sides)
    "demand_base", "demand_growth", "dc_electricity", "h2_demand",
    # caps and limits (bounds and right-hand sides)
    "max_new", "default_max_new", "max_new_capacity", "reserve_margin", "utilisation_max",
    "grid_share_max", "green_share_target",
)


#: Without warm starts only the carbon price is worth a group: the others rebuild anyway.
COLD_REUSABLE_PARAMETERS = ("carbon_price",)


def _reusable(key: str, names: Sequence[str] = REUSABLE_PARAMETERS) -> bool:
    """Whether an override key is one of ``names``, or one entry of it (``carbon_price.2030``)."""
    return key.split(".")[0] in names


def _same_group(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two cases' overrides differ only in :data:`REUSABLE_PARAMETERS` (one group)."""
    return all(a.get(k) == b.get(k) for k in set(a) | set(b) if not _reusable(k))


def reuse_groups(cases: list[Case], names: Sequence[str] = REUSABLE_PARAMETERS
                 ) -> dict[str, list[Case]]:
    """Cases that can share one built model or basis: those whose overrides differ only in
    ``names`` (:data:`REUSABLE_PARAMETERS`), keyed by their other overrides (JSON). Within a group
    the cases are in :func:`neighbour_order`, so each starts from the basis of a near one."""
    groups: dict[str, list[Case]] = {}
    for case in cases:
        rest = {k: v for k, v in case.overrides.items() if not _reusable(k, names)}
        groups.setdefault(json.dumps(rest, sort_keys=True, default=str), []).append(case)
    return {key: neighbour_order(members) for key, members in groups.items()}


def neighbour_order(cases: list[Case]) -> list[Case]:
    """``cases`` sorted by their swept values so that each is next to a near one: by the first
    swept parameter, then the next, in a snake (the second runs up, then down, ...), so a step
    changes one value by one place. Values that cannot be ordered keep the cases' order."""
    keys = list(cases[0].swept) if cases else []

    def snake(part: list[Case], level: int) -> list[Case]:
        if level == len(keys) or len(part) < 2:
            return part
        key = keys[level]
        try:
            values = sorted({c.swept[key] for c in part})
        except TypeError:  # mixed types: no order
            return part
        out: list[Case] = []
        for i, value in enumerate(values):
            inner = snake([c for c in part if c.swept[key] == value], level + 1)
            out += inner if i % 2 == 0 else inner[::-1]
        return out

    return snake(list(cases), 0)


class Dispatch:
    """Which case a free worker solves next, so that each worker stays on the reuse group whose
    model it holds.

    The sweep hands a worker one case per thread at a time and the next only when one finishes:
    no case waits in a worker's queue, where Dask's work stealing could move it to a worker that
    holds another group's model (and would build one for it, then again for its own group).
    A free worker takes, in this order:

    1. the next case of the group it is on;
    2. the first case of the group with the most cases left that no other worker is on;
    3. the next case of the group with the most cases left: at the end of a sweep a worker helps
       another rather than idle, for the price of one build.

    Groups are keyed by :func:`reuse_groups`'s keys, or ``None`` when cases are not reused.
    """

    def __init__(self, groups: dict[str | None, list[Case]]) -> None:
        self.pending = {g: deque(members) for g, members in groups.items() if members}
        self.on: dict[str, str | None] = {}  # worker address -> the group it was last given

    @property
    def left(self) -> int:
        return sum(map(len, self.pending.values()))

    def forget(self, gone: set[str]) -> None:
        """Workers that left the cluster: their groups are free for others."""
        for address in gone:
            self.on.pop(address, None)

    def next_for(self, address: str) -> tuple[Case, str | None] | None:
        """The case ``address`` should solve next and its group, or ``None`` when none is left."""
        if not self.pending:
            return None
        group = self.on.get(address, _NONE)
        if group not in self.pending:
            elsewhere = {g for a, g in self.on.items() if a != address}
            free = [g for g in self.pending if g not in elsewhere]
            # max() keeps the first of equals: groups in case order
            group = max(free or self.pending, key=lambda g: len(self.pending[g]))
        queue = self.pending[group]
        case = queue.popleft()
        if not queue:
            del self.pending[group]
        self.on[address] = group
        return case, group


_NONE = object()  # a worker that has no group yet


def _solve_all(client: Any, sweep: Sweep, groups: dict[str | None, list[Case]], out: Path,
               bar: _Progress, warm: bool = True) -> dict[str, CaseOutcome]:
    """Solve every case on ``client``'s workers as :class:`Dispatch` says; outcomes by case id.

    Workers that join during the sweep get cases at the next finished case; a case whose worker
    leaves is run elsewhere by the scheduler (loose restriction); with no worker at all, waits.
    """
    from dask.distributed import as_completed

    outcomes: dict[str, CaseOutcome] = {}
    shared = None
    if warm and SHARE_BASIS and sum(client.nthreads().values()) > 1:
        groups, shared, seeder = _seed(client, sweep, groups, out, bar, outcomes)
    dispatch = Dispatch(groups)
    if shared is not None:
        dispatch.on[seeder] = next(iter(groups))  # the seed's worker goes on from its model
    running: dict[Any, tuple[Case, str]] = {}  # future -> its case and the worker it was given to
    finished = as_completed()
    while True:
        threads = client.nthreads()
        dispatch.forget(set(dispatch.on) - set(threads))
        busy = Counter(address for _, address in running.values())  # cases in flight per worker
        for address, n in sorted(threads.items()):
            while busy[address] < n and (nxt := dispatch.next_for(address)) is not None:
                case, group = nxt
                # pure=False: a re-run must solve again (resume is decided by the case files)
                future = client.submit(solve_case, sweep.base, case.overrides, str(out),
                                       _group_name(group), warm, shared, pure=False,
                                       workers=[address], allow_other_workers=True)
                running[future] = (case, address)
                busy[address] += 1
                finished.add(future)
        if not running:
            if not dispatch.left:
                return outcomes
            client.wait_for_workers(1)  # every worker has left: wait for one to come back
            continue
        future = next(finished)
        case, _ = running.pop(future)
        if future.status == "error":  # not a SynergyError: a bug or a lost worker
            exc = future.exception()
            outcome = CaseOutcome("failed", f"{type(exc).__name__}: {exc}")
        else:
            outcome = future.result()
        outcomes[case.id] = outcome
        bar.advance(outcome.ok, case.id, outcome.status)


#: Whether a warm sweep on several workers solves one case first and shares its basis (:func:`_seed`).
SHARE_BASIS = True


def _group_name(group: Any) -> str | None:
    """The reuse group of a :class:`Dispatch` key. Each half of a seeded group is one of its own:
    a worker that helps with the other half at the end starts from the shared basis (the middle
    case's), not from its own last case at the far end of the group."""
    return f"{group[0]}/{group[1]}" if isinstance(group, tuple) else group


def _seed(client: Any, sweep: Sweep, groups: dict[Any, list[Case]], out: Path, bar: _Progress,
          outcomes: dict[str, CaseOutcome]) -> tuple[dict[Any, list[Case]], Any, str]:
    """Solve the middle case of the largest group first, alone, and share its optimal basis.

    On several workers each would otherwise start with a cold solve of its own, which is most of a
    warm sweep's time (docs/performance.md). The group's other cases are split at the seed into
    two runs that walk away from it (down, reversed, first; then up), each case one step from the
    last; every worker that holds no model of a group starts from the shared basis (``Basis``,
    broadcast once). Returns the groups (the split one first), the basis's future (``None`` if the
    seed failed or nothing is worth seeding) and the seed's worker."""
    key = max(groups, key=lambda g: len(groups[g]))
    members = groups[key]
    address = sorted(client.nthreads())[0]
    if len(members) < 3:
        return groups, None, address
    mid = len(members) // 2
    seed = members[mid]
    outcome = client.submit(solve_case, sweep.base, seed.overrides, str(out),
                            _group_name((key, "down")), True, None, True, pure=False,
                            workers=[address], allow_other_workers=True).result()
    basis = outcome.extra.pop("basis", None)
    outcomes[seed.id] = outcome
    bar.advance(outcome.ok, seed.id, outcome.status)
    halves = {(key, "down"): members[:mid][::-1], (key, "up"): members[mid + 1:]}
    rest = {g: m for g, m in groups.items() if g != key}
    split = {**{g: m for g, m in halves.items() if m}, **rest}
    if basis is None:
        return split, None, address
    # Which simplex fits a start from the seed's basis: primal after a change of costs only
    change = "cost" if all(_reusable(k, COLD_REUSABLE_PARAMETERS) for k in sweep.parameters) \
        else "both"
    return split, client.scatter((basis, change), broadcast=True), address


def warm_up() -> None:
    """Import what :func:`solve_case` needs (~3 s in a new process), run on every worker while the
    client checks the cases."""
    import importlib

    for module in ("synergy_models.data.loader", "synergy_models.results", "synergy_models.reuse",
                   "synergy_models.market"):
        importlib.import_module(module)


#: Dask settings of the local cluster. While every core solves, whatever else runs takes its time
#: from the solvers. Measured with two workers: the worker's statistical profiler (a stack sample
#: every 10 ms) and every server's 20 ms event-loop tick ~5% of a core per worker and ~4% in the
#: scheduler's process; then the memory monitors (every 100 ms, in each worker and its nanny) and
#: the system monitors (every 500 ms, for the dashboard) 6.5% of a core in all, 2.2% at 1 s and
#: 10 s. Nothing here shows profiles or the dashboard; a worker beyond its memory limit is still
#: stopped, within a second. Work stealing is off: :class:`Dispatch` balances the workers itself,
#: and a stolen case costs its thief a model build.
LOCAL_CLUSTER_CONFIG: dict[str, Any] = {"distributed.worker.profile.enabled": False,
                                        "distributed.admin.tick.interval": "1s",
                                        "distributed.worker.memory.monitor-interval": "1s",
                                        "distributed.admin.system-monitor.interval": "10s",
                                        "distributed.scheduler.work-stealing": False}


SCHEDULER_EXPECTED = "the address a running `dask scheduler` prints, e.g. tcp://10.0.0.5:8786"


def check_scheduler(address: str, timeout: float = 5.0, grace: float = 10.0) -> None:
    """:class:`InputError` when nothing listens at a ``tcp://host:port`` address within ``grace``
    seconds (a scheduler started just before the sweep is given that long to open its port; Dask's
    client would retry for 30 s and end in a traceback); other protocols are left to Dask."""
    import socket
    from urllib.parse import urlsplit

    if "://" not in address:
        address = "tcp://" + address
    parts = urlsplit(address)
    if parts.scheme != "tcp":
        return
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host, port = None, None
    if not host or port is None:
        raise InputError(Problem("--scheduler", "not a HOST:PORT address", value=address,
                                 expected=SCHEDULER_EXPECTED))
    end = time.monotonic() + grace
    while True:
        try:
            socket.create_connection((host, port), timeout=timeout).close()
            return
        except ConnectionRefusedError:
            if time.monotonic() < end:
                time.sleep(0.25)
                continue
            reason = f"nothing listens there (tried for {grace:g} s)"
        except TimeoutError:
            reason = f"no answer in {timeout:g} s"
        except OSError as err:
            reason = err.strerror or str(err)
        raise InputError(Problem("--scheduler", f"cannot reach {host}:{port}: {reason}",
                                 value=address, expected=SCHEDULER_EXPECTED))


def _connect(workers: int, scheduler: str | None) -> tuple[Any, Any]:
    """A client of the cluster at ``scheduler``, or of a new local cluster of ``workers``
    processes; and that local cluster (``None`` for a scheduler's)."""
    import dask
    from dask.distributed import Client, LocalCluster

    if scheduler:
        check_scheduler(scheduler)
        try:
            return Client(scheduler, set_as_default=False), None
        except OSError as err:  # it listens but does not answer as a scheduler (after 30 s)
            raise InputError(Problem("--scheduler", f"no Dask scheduler answered at {scheduler} "
                                     f"({err})", expected=SCHEDULER_EXPECTED)) from None
    # One thread per process: Pyomo and the model build hold the GIL; HiGHS threads come from the
    # scenario's solver settings.
    with dask.config.set(LOCAL_CLUSTER_CONFIG):
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=logging.ERROR)
    try:
        return Client(cluster, set_as_default=False), cluster
    except BaseException:
        cluster.close()
        raise


def case_size(sweep: Sweep, cases: list[Case]) -> int:
    """Bytes one case's results file is expected to take (the first case's inputs)."""
    from synergy_models.data.loader import load_inputs
    from synergy_models.results import estimated_size
    from synergy_models.scenario import load_scenario

    return estimated_size(load_inputs(load_scenario(sweep.base, cases[0].overrides))) if cases else 0


def run_sweep(sweep: Sweep | str | Path, out_dir: str | Path, workers: int = 1,
              scheduler: str | None = None, progress: bool = True, reuse: bool = True,
              warm: bool = True) -> xr.Dataset:
    """Check, solve and combine every case of ``sweep``; write ``sweep.nc`` and ``summary.csv``.

    Cases run on ``workers`` local processes, or on the Dask cluster at ``scheduler``
    (``tcp://host:port``) when given. With ``reuse``, cases that differ only in the carbon price
    go to the same worker one after the other, which solves them on one built model
    (:class:`Dispatch`, :mod:`synergy_models.reuse`); with ``warm`` as well, each of those cases
    starts HiGHS from the optimal basis of the worker's previous one (simplex, with a cold
    fallback), and cases that differ in cost, demand or build-limit parameters go to one worker in
    neighbour order too. Returns the combined Dataset (see :func:`combine`).
    """
    from dask.distributed import fire_and_forget

    if workers < 1 and not scheduler:
        raise InputError(Problem("--workers", "at least one local worker is needed", value=workers))
    if not isinstance(sweep, Sweep):
        sweep = load_sweep(sweep)
    from synergy_models.market import load_segments

    load_segments()  # every case is valued by it (compact_results): a broken file fails here, whole
    cases = expand_cases(sweep)
    out = Path(out_dir).resolve()  # workers may run elsewhere: give them an absolute path

    client, cluster = _connect(workers, scheduler)
    try:
        # Every case's keys and values are checked before any solve, while the workers import.
        fire_and_forget([client.submit(warm_up, pure=False, workers=[address])
                         for address in client.nthreads()])
        check_cases(sweep, cases)
        # the folder takes every case's file, checked before any solve
        writable_path(case_path(out, "0" * 16), len(cases) * case_size(sweep, cases))
        groups: dict[str | None, list[Case]] = {None: cases}
        names = REUSABLE_PARAMETERS if warm else COLD_REUSABLE_PARAMETERS
        if reuse and any(_reusable(k, names) for k in sweep.parameters):
            groups = dict(reuse_groups(cases, names))
        # set_as_default=False above and as_current() here: the client serves this sweep only and
        # does not become dask's global scheduler (xarray computations elsewhere stay local).
        with client.as_current(), _Progress(len(cases), progress) as bar:
            outcomes = _solve_all(client, sweep, groups, out, bar, warm and reuse)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()

    ds = combine(sweep, cases, outcomes)
    write_netcdf(ds, out / "sweep.nc")
    with replacing(out / "summary.csv") as tmp:  # atomic, as the netCDF files
        summary_table(ds).to_csv(tmp, index=False, float_format="%.6g")
    with replacing(out / "technologies.csv") as tmp:
        technology_table(ds).to_csv(tmp, index=False, float_format="%.6g")
    return ds


class _Progress:
    """Progress on stderr: cases done, failed, and time left (from the mean time per finished case).

    On a terminal, a live bar; otherwise (a log file of an overnight run) one line per finished case;
    in a notebook, one output showing the last finished case.
    """

    def __init__(self, total: int, enabled: bool) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        from synergy_models.progress import NotebookLines, in_kernel

        self.total, self.done, self.failed, self.t0 = total, 0, 0, time.perf_counter()
        self.console = Console(stderr=True, force_jupyter=False, highlight=False)
        # in a notebook: one output updated in place, not stderr (a pink block that looks like an error)
        self.notebook = NotebookLines() if enabled and in_kernel() else None
        self.lines = enabled and not self.console.is_terminal and self.notebook is None
        self.progress = Progress(
            TextColumn("sweep"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[failed]} failed, time left"), TimeRemainingColumn(),
            console=self.console, disable=not enabled or self.lines or self.notebook is not None,
            transient=False)
        self.task = self.progress.add_task("sweep", total=total, failed=0)

    def __enter__(self) -> _Progress:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def advance(self, ok: bool, case_id: str = "", status: str = "") -> None:
        self.done += 1
        self.failed += not ok
        self.progress.update(self.task, advance=1, failed=self.failed)
        if self.lines or self.notebook is not None:
            left = (time.perf_counter() - self.t0) / self.done * (self.total - self.done)
            text = (f"case {case_id} {status}: {self.done}/{self.total} done, "
                    f"{self.failed} failed, about {left / 60:.1f} min left")
            if self.notebook is not None:
                self.notebook.show(text, replace_last=True)
            else:
                self.console.print(text)


# --- combining ---------------------------------------------------------------------------------


def compact_results(results: xr.Dataset) -> xr.Dataset:
    """A case's results as kept in the combined sweep Dataset: :data:`KEPT`, the objective, compute
    exports and the model-implied market value; annual and per-region figures only."""
    from synergy_models.market import market_value

    ds = results[[k for k in KEPT if k in results]].drop_vars(
        [c for c in results.coords if c not in {"region", "tech", "gen_tech", "year", "component"}],
        errors="ignore")
    ds.attrs = {}  # per-case provenance (solver log...) stays in the case file
    ds["objective"] = xr.DataArray(float(results.attrs["objective"]),
                                   attrs={"units": results.attrs.get("objective_units", "MUSD")})
    if "compute_exports" in results:  # a dataset without data centres has none
        ds["compute_exports"] = results.compute_exports.sum(("origin", "region")).assign_attrs(
            units="TWh", long_name="compute exported from origin hubs to other hubs, all pairs")
    total = market_value(results)["total"]
    ds["market_value_total"] = total.assign_attrs(units="USD/year", long_name=(
        "model-implied market value, all segments (capacity items need inputs: counted as zero)"))
    return ds


def combine(sweep: Sweep, cases: list[Case], outcomes: dict[str, CaseOutcome]) -> xr.Dataset:
    """One Dataset with a ``case`` dimension: the compact results of the finished cases (NaN for
    failed ones), ``status`` and ``message`` of every case, and the swept parameters as coordinates."""
    ids = [c.id for c in cases]
    parts = []
    for c in cases:
        o = outcomes.get(c.id)
        if o is not None and o.compact is not None:
            parts.append(o.compact.expand_dims(case=[c.id]))
    ds = (xr.concat(parts, dim="case", join="outer") if parts else xr.Dataset()).reindex(case=ids)
    get = outcomes.get
    ds["status"] = ("case", [get(i).status if get(i) else "not run" for i in ids])
    ds["message"] = ("case", [get(i).message if get(i) else "" for i in ids])
    ds["inputs_hash"] = ("case", [get(i).inputs_hash if get(i) else "" for i in ids])
    ds["case_file"] = ("case", [Path(get(i).path).name if get(i) and get(i).path else "" for i in ids])
    ds["seconds"] = ("case", [get(i).seconds if get(i) else math.nan for i in ids], {"units": "s"})
    ds["highs_seconds"] = ("case", [get(i).extra.get("highs", math.nan) if get(i) else math.nan
                                    for i in ids], {"units": "s", "long_name": "HiGHS run time"})
    ds["reused_model"] = ("case", [bool(get(i).extra.get("reused")) if get(i) else False
                                   for i in ids], {"long_name": "solved on the model held from an "
                                                   "earlier case (patched costs and bounds)"})
    ds["solve_path"] = ("case", [str(get(i).extra.get("path", "")) if get(i) else "" for i in ids],
                        {"long_name": "warm: simplex from the previous case's basis; warm-shared: "
                         "from the basis of the sweep's first case (another worker's); "
                         "cold-fallback: the warm start hit its iteration limit, solved cold; "
                         "reused-cold: patched LP, solved cold; rebuilt: built and solved cold"})
    ds["lp_patch"] = ("case", [str(get(i).extra.get("patch", "")) if get(i) else "" for i in ids],
                      {"long_name": "how a reused case's LP was made: costs (carbon price: patched"
                       " costs), derived (the case's compile, moved families recorded), patched"
                       " (costs and the recorded families' bounds patched), compiled (another "
                       "matrix); empty: built afresh"})
    ds["highs_iterations"] = ("case", [int(get(i).extra.get("iterations", -1)) if get(i) else -1
                                       for i in ids], {"long_name": "HiGHS iterations (simplex, "
                                                       "interior point and crossover; -1: none)"})
    for key in sweep.parameters:
        ds = ds.assign_coords({key: ("case", [c.swept[key] for c in cases])})
    ds.attrs.update(content="sweep", sweep=sweep.name, sweep_file=sweep.source, base=sweep.base,
                    settings=repr(sweep.settings), combine=sweep.combine, parameters=list(sweep.parameters),
                    note="compact results per case (no hourly arrays); full results in cases/<case_file>")
    return ds


def _parameters(ds: xr.Dataset) -> list[str]:
    params = ds.attrs.get("parameters", [])
    return [params] if isinstance(params, str) else [str(p) for p in params]


def summary_table(ds: xr.Dataset) -> pd.DataFrame:
    """One row per case: swept parameters, status, and headline figures of the last modelled year."""
    params = _parameters(ds)
    frame = pd.DataFrame({"case": ds.case.values})
    for key in params:
        frame[key] = ds[key].values
    frame["status"] = ds.status.values
    if "objective" in ds:
        last = ds.sel(year=ds.year.max())
        frame["objective_MUSD"] = ds.objective.values
        for tech in ("wind", "solar", "battery", "coal", "gas", "nuclear"):
            if tech in ds.tech.values:
                frame[f"{tech}_GW"] = last.capacity.sel(tech=tech).sum("region", min_count=1).values
        if "dc_capacity" in ds:  # a dataset without data centres has none
            frame["dc_capacity_GW"] = last.dc_capacity.sum("region", min_count=1).values
        frame["price_average_USD_MWh"] = last.price_average.mean("region").values
        frame["emissions_Mt"] = last.emissions.sum("region", min_count=1).values
        frame["market_value_USD_bn"] = last.market_value_total.values / USD_PER_USD_BN
    frame["message"] = [m.splitlines()[0] if m else "" for m in ds.message.values]
    return frame



def technology_table(ds: xr.Dataset) -> pd.DataFrame:
    """One row per case and technology: the swept parameters, status, ``capacity_GW`` (in service,
    all hubs) and ``generation_TWh`` (all hubs; NaN for storage, which generates nothing of its
    own) in the last modelled year. Failed cases keep their rows, with NaN figures."""
    params = _parameters(ds)
    columns = ["case", *params, *TECHNOLOGY_COLUMNS[1:]]
    if "capacity" not in ds:  # no case finished
        return pd.DataFrame(columns=columns)
    last = ds.sel(year=ds.year.max())
    frame = last.capacity.sum("region", min_count=1).rename("capacity_GW").to_dataframe()[
        ["capacity_GW"]].reset_index()
    if "generation_annual" in last:
        gen = last.generation_annual.sum("region", min_count=1).rename(gen_tech="tech")
        frame = frame.merge(gen.rename("generation_TWh").to_dataframe()[["generation_TWh"]]
                            .reset_index(), on=["case", "tech"], how="left")
    else:  # combined before generation was kept
        frame["generation_TWh"] = math.nan
    cases = pd.DataFrame({"case": ds.case.values, "status": ds.status.values,
                          **{key: ds[key].values for key in params}})
    frame = cases.merge(frame, on="case", how="left")
    frame["case"] = frame.case.astype(str)
    frame["tech"] = frame.tech.astype(str)
    return frame[columns].reset_index(drop=True)


def at_middle(table: pd.DataFrame, keep: Sequence[str | None]) -> tuple[pd.DataFrame, dict[str, Scalar]]:
    """The rows of a sweep table (:func:`technology_table`, :func:`summary_table`) where every
    swept parameter not in ``keep`` is at its middle value (of its distinct values in order; the
    upper of the two middle ones for an even count), and those values by parameter (parameters
    with one value included)."""
    fixed: dict[str, Scalar] = {}
    for column in swept_columns(table):
        values = sorted(table[column].dropna().unique())
        if column in keep or not values:
            continue
        middle = values[len(values) // 2]
        table = table[table[column] == middle]
        fixed[column] = middle.item() if hasattr(middle, "item") else middle
    return table.reset_index(drop=True), fixed


def swept_columns(table: pd.DataFrame) -> list[str]:
    """The swept parameters of a sweep table: its columns between ``case`` and ``status``."""
    names = [str(c) for c in table.columns]
    return names[names.index("case") + 1:names.index("status")]


def plot_axes(sweep: Sweep, x: str | None = None, color: str | None = None) -> tuple[str, str | None]:
    """The swept parameters a sweep's charts put on the x axis and on colours (or panels): those
    given, else the first parameter with more than one value, and the next one (``None`` if no
    other parameter varies)."""
    varied = [k for k, p in sweep.parameters.items() if _length(p) > 1] or list(sweep.parameters)
    for name in (x, color):
        if name is not None and name not in sweep.parameters:
            raise InputError(Problem(sweep.source, f"'{name}' is not a swept parameter",
                                     expected="one of " + ", ".join(sweep.parameters)))
    x = x or varied[0]
    return x, color or next((k for k in varied if k != x), None)
