"""Warm re-solves vs cold ones on a carbon-price sweep: one worker, figures printed, never asserted.

A sweep of ``--cases`` carbon prices from 0 to 150 USD/t on ``base`` (one HiGHS thread), run twice
with ``run_sweep`` on one local worker into fresh folders, both reusing the built model (patched
costs, ``synergy_models.reuse``):

- ``cold``: ``warm=False``, today's reuse path: every case an interior-point solve with crossover;
- ``warm``: ``warm=True``: the first case cold, every later one by primal simplex from the previous
  case's optimal basis (a cold solve if it needs more than ``reuse.WARM_ITERATION_LIMIT``
  iterations).

Printed: per run the wall clock, HiGHS's time (total and median per case, the first case left out
of the median: it is cold in both), iterations and the path each case took; the ratios warm/cold
measured in this run; and the largest relative difference of the objectives (target 1e-7).

``--design grid``: carbon price (0, 50, 100, 150 USD/t) x 2030 data-centre electricity (201, 239,
277, 389 TWh), bench/sweep_benchmark.py's grid: one reuse group in snake order, so a warm case
either patches the carbon price (primal simplex) or is rebuilt with another demand and starts from
the previous basis (dual simplex or HiGHS's choice). ``--order cold-first`` runs cold first (the
machine's load drifts: run both orders). ``--market``: instead, ``required_parameter`` on
``base`` (one HiGHS thread) with warm starts and without, against one cold solve.

``--patch``: instead, one data-centre demand case after another on ``base`` (2030 electricity
201 -> 239 -> 277 -> 315 -> 353 TWh, one HiGHS thread), each solved two ways from the previous
case's optimal basis: rebuilt (build, compile, a new HiGHS instance given the basis: the path
before LP patching) and patched (build, no compile: costs and the moved families' bounds patched
into the held LP and HiGHS instance). Printed: seconds per step of each, and the objectives.

``--workers 2``: instead of warm vs cold, the warm sweep on 1 worker and on 2 (a Dask
``LocalCluster``, 1 thread each), in the order 1, 2, 2, 1 (the machine's load drifts); on 2
workers the middle case is solved first, alone, and its optimal basis is sent to both workers
(``sweep.SHARE_BASIS``; ``--no-share`` for each worker's own cold start instead). Printed: walls,
throughput ratio, and Amdahl's bound from the 1-worker run (the seed's time is serial).

Run from the repository root::

    .venv/bin/python bench/warm_benchmark.py                 # 16 cases of base: ~7 min on 2 cores
    .venv/bin/python bench/warm_benchmark.py --cases 6
    .venv/bin/python bench/warm_benchmark.py --design grid --order cold-first
    .venv/bin/python bench/warm_benchmark.py --market
    .venv/bin/python bench/warm_benchmark.py --days 2 --years 2030   # quick
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import yaml


def design(name: str, cases: int) -> dict[str, Any]:
    if name == "grid":
        return {"carbon_price": {"values": [0.0, 50.0, 100.0, 150.0]},
                "dc_electricity.2030": {"values": [201_000, 239_000, 277_000, 389_000]}}
    return {"carbon_price": {"grid": {"start": 0.0, "stop": 150.0, "num": cases}}}


def run(folder: Path, settings: dict[str, Any], parameters: dict[str, Any], warm: bool,
        workers: int = 1) -> dict[str, Any]:
    """One ``run_sweep`` on ``workers`` local workers into a fresh folder."""
    from synergy_models.sweep import load_sweep, run_sweep

    spec = {"name": "bench-warm", "base": "base", "settings": {**settings, "solver.threads": 1},
            "parameters": parameters}
    path = folder / "bench-warm.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    out = Path(tempfile.mkdtemp(prefix=f"{'warm' if warm else 'cold'}-", dir=folder))
    t0 = time.perf_counter()
    ds = run_sweep(load_sweep(path), out, workers=workers, progress=False, reuse=True, warm=warm)
    wall = time.perf_counter() - t0
    ok = ds.status.values == "solved"
    return {"warm": warm, "wall": wall, "solved": int(ok.sum()), "cases": ds.sizes["case"],
            "seconds": ds.seconds.values, "highs": ds.highs_seconds.values,
            "iterations": ds.highs_iterations.values, "path": [str(p) for p in ds.solve_path.values],
            "patch": [str(p) for p in ds.lp_patch.values],
            "label": [", ".join(f"{ds[k].values[i]:g}" for k in parameters)
                      for i in range(ds.sizes["case"])],
            "objective": ds.objective.values}


def market(settings: dict[str, Any]) -> None:
    """``required_parameter`` with and without warm starts, against one cold solve. If the
    projection is out of the bracket's reach (two solves, nothing to search), the search is run
    again for a target between the markets at the bracket's ends, so that Brent's method iterates."""
    from synergy_models.market import projection, required_parameter
    from synergy_models.run import ScenarioRuns

    overrides = {**settings, "solver.threads": 1}
    t0 = time.perf_counter()
    ScenarioRuns("base", overrides, warm=False).solve()
    single = time.perf_counter() - t0
    print(f"# required_parameter on base {settings or ''}, 1 HiGHS thread; "
          f"{time.strftime('%Y-%m-%d')}\n")
    print(f"- one cold solve (inputs, build, HiGHS, results): {single:.1f} s")
    path = None
    for attempt in range(2):
        for warm in (True, False):
            runs = ScenarioRuns("base", overrides, warm=warm)
            t0 = time.perf_counter()
            found = required_parameter(runs, path=path)
            total = time.perf_counter() - t0
            print(f"- target {found.target / 1e9:.1f} bn USD, {'warm' if warm else 'cold'}: "
                  f"{total:.1f} s = **{total / single:.2f}x** one cold solve (target <= 2x), "
                  f"{len(found.evaluations)} solves ({', '.join(runs.paths)}), "
                  f"value {found.value:.6g}; {found.message.splitlines()[0]}", flush=True)
        if found.found or attempt:
            return
        low, high = found.market_at_bracket
        path = projection(end_value=(low + high) / 2)


def throughput(folder: Path, settings: dict[str, Any], parameters: dict[str, Any],
               workers: int, label: str) -> None:
    """The warm sweep on 1 and on ``workers`` workers, in the order 1, n, n, 1."""
    runs = [(n, run(folder, settings, parameters, True, n)) for n in (1, workers, workers, 1)]
    print(f"# warm sweep on 1 vs {workers} workers ({label}): {runs[0][1]['cases']} cases of "
          f"base {settings or ''}, 1 HiGHS thread per worker; {time.strftime('%Y-%m-%d')}, "
          f"{platform.node()}\n")
    print("| workers | wall [s] | HiGHS total [s] | first solved case [s] | paths |")
    print("|---:|---:|---:|---:|---|")
    for n, r in runs:
        paths = ", ".join(f"{k} {c}" for k, c in Counter(r["path"]).items())
        print(f"| {n} | {r['wall']:.1f} | {np.nansum(r['highs']):.1f} | "
              f"{max(r['seconds'][i] for i, p in enumerate(r['path']) if p == 'rebuilt'):.1f} | "
              f"{paths} |")
    one = sum(r["wall"] for n, r in runs if n == 1)
    many = sum(r["wall"] for n, r in runs if n == workers)
    print(f"\n- throughput, summed walls: {workers} workers / 1 = **{one / many:.2f}x**")
    first = [r for n, r in runs if n == 1]
    serial = statistics.mean(max(r["seconds"][i] for i, p in enumerate(r["path"]) if p == "rebuilt")
                             for r in first)
    wall1 = statistics.mean(r["wall"] for r in first)
    print(f"- Amdahl: the cold first case is {serial:.1f} s of a {wall1:.1f} s 1-worker wall "
          f"(serial fraction {serial / wall1:.2f}): at most "
          f"{wall1 / (serial + (wall1 - serial) / workers):.2f}x on {workers} workers")


def patch_steps(settings: dict[str, Any]) -> None:
    """Rebuilt vs patched warm cases, step by step (``--patch``)."""
    from synergy_models.data.loader import load_inputs
    from synergy_models.reuse import ReusableModel
    from synergy_models.scenario import load_scenario

    def inputs(twh: float) -> Any:
        return load_inputs(load_scenario("base", {**settings, "solver.threads": 1,
                                                  "dc_electricity.2030": twh * 1000}))

    first = inputs(201)
    solver = load_scenario("base", {**settings, "solver.threads": 1}).solver
    held = ReusableModel.build(first)
    held.solve(first, solver)
    previous = held.basis
    print(f"# rebuilt vs patched warm cases on base {settings or ''}, 1 HiGHS thread; "
          f"{time.strftime('%Y-%m-%d %H:%M')}\n")
    print("| 2030 DC TWh | rebuilt: build+compile [s] | HiGHS [s] | total [s] | patched: "
          "accepts (build) [s] | patch [s] | HiGHS [s] | total [s] | LP | objective rel. diff |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|")
    for twh in (239, 277, 315, 353):
        case = inputs(twh)
        t0 = time.perf_counter()
        fresh = ReusableModel.build(case)
        t1 = time.perf_counter()
        fresh.basis, fresh.change = previous, "bounds"
        a = fresh.solve(case, solver, checked=True)
        t2 = time.perf_counter()
        assert held.accepts(case)
        t3 = time.perf_counter()
        b = held.solve(case, solver, checked=True)
        t4 = time.perf_counter()
        previous = held.basis
        rel = abs(a.objective - b.objective) / abs(a.objective)
        patch = t4 - t3 - b.timings["solve"]
        print(f"| {twh} | {t1 - t0:.2f} | {a.timings['solve']:.2f} | {t2 - t0:.2f} | "
              f"{t3 - t2:.2f} | {patch:.2f} | {b.timings['solve']:.2f} | {t4 - t2:.2f} | "
              f"{b.info['patch']} | {rel:.1e} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=16)
    parser.add_argument("--design", choices=["carbon", "grid"], default="carbon")
    parser.add_argument("--order", choices=["warm-first", "cold-first"], default="warm-first")
    parser.add_argument("--market", action="store_true")
    parser.add_argument("--patch", action="store_true", help="rebuilt vs patched demand steps")
    parser.add_argument("--workers", type=int, default=1,
                        help="> 1: the warm sweep on 1 vs this many workers (throughput)")
    parser.add_argument("--no-share", action="store_true",
                        help="with --workers: no shared first basis (each worker starts cold)")
    parser.add_argument("--days", type=int, help="representative days (default: base's)")
    parser.add_argument("--years", type=int, nargs="*", help="modelled years (default: base's)")
    args = parser.parse_args()
    settings: dict[str, Any] = {}
    if args.days:
        settings["time.days"] = args.days
    if args.years:
        settings["years"] = {int(y): 1 for y in args.years}

    if args.market:
        market(settings)
        return
    if args.patch:
        patch_steps(settings)
        return
    parameters = design(args.design, args.cases)
    if args.workers > 1:
        from synergy_models import sweep

        sweep.SHARE_BASIS = not args.no_share
        with tempfile.TemporaryDirectory(prefix="warm-bench-") as tmp:
            throughput(Path(tmp), settings, parameters, args.workers,
                       f"{args.design}, {'own cold starts' if args.no_share else 'shared basis'}")
        return
    order = (True, False) if args.order == "warm-first" else (False, True)
    with tempfile.TemporaryDirectory(prefix="warm-bench-") as tmp:
        folder = Path(tmp)
        runs = sorted((run(folder, settings, parameters, warm) for warm in order),
                      key=lambda r: not r["warm"])
    warm, cold = runs
    print(f"# warm vs cold ({args.order}): {warm['cases']}-case {args.design} sweep of base "
          f"{settings or ''}, "
          f"1 worker, 1 HiGHS thread; {time.strftime('%Y-%m-%d')}, {platform.node()}, "
          f"{platform.processor() or platform.machine()}")
    print()
    print("| run | solved | wall [s] | HiGHS total [s] | HiGHS median, cases 2.. [s] | "
          "case median, cases 2.. [s] | iterations median, cases 2.. | paths |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for r in runs:
        paths = ", ".join(f"{k} {n}" for k, n in Counter(r["path"]).items())
        print(f"| {'warm' if r['warm'] else 'cold (reuse today)'} | {r['solved']}/{r['cases']} | "
              f"{r['wall']:.1f} | {np.nansum(r['highs']):.1f} | "
              f"{statistics.median(r['highs'][1:]):.2f} | {statistics.median(r['seconds'][1:]):.2f} | "
              f"{statistics.median(r['iterations'][1:]):.0f} | {paths} |")
    print()
    print(f"| {', '.join(parameters)} | cold HiGHS [s] | warm HiGHS [s] | ratio | cold case [s] | "
          "warm case [s] | warm path | LP | warm iterations | objective rel. diff |")
    print("|---:|---:|---:|---:|---:|---:|---|---|---:|---:|")
    rel = np.abs(warm["objective"] - cold["objective"]) / np.abs(cold["objective"])
    for i, label in enumerate(cold["label"]):
        print(f"| {label} | {cold['highs'][i]:.2f} | {warm['highs'][i]:.2f} | "
              f"{cold['highs'][i] / warm['highs'][i]:.1f}x | {cold['seconds'][i]:.2f} | "
              f"{warm['seconds'][i]:.2f} | {warm['path'][i]} | {warm['patch'][i] or '-'} | "
              f"{warm['iterations'][i]} | {rel[i]:.1e} |")
    print()
    med = statistics.median(cold["highs"][1:]) / statistics.median(warm["highs"][1:])
    print(f"- HiGHS per case, median of cases 2..{warm['cases']}: cold / warm = **{med:.1f}x** "
          "(target >= 8x)")
    print(f"- whole sweep, wall: cold / warm = **{cold['wall'] / warm['wall']:.2f}x** "
          "(target >= 4x); HiGHS total: "
          f"{np.nansum(cold['highs']) / np.nansum(warm['highs']):.2f}x")
    print(f"- objectives: largest relative difference {np.nanmax(rel):.1e} (target <= 1e-7)")


if __name__ == "__main__":
    main()
