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

Run from the repository root::

    .venv/bin/python bench/warm_benchmark.py                 # 16 cases of base: ~7 min on 2 cores
    .venv/bin/python bench/warm_benchmark.py --cases 6
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


def run(folder: Path, settings: dict[str, Any], cases: int, warm: bool) -> dict[str, Any]:
    """One ``run_sweep`` on one worker into a fresh folder."""
    from synergy_models.sweep import load_sweep, run_sweep

    spec = {"name": "bench-warm", "base": "base", "settings": {**settings, "solver.threads": 1},
            "parameters": {"carbon_price": {"grid": {"start": 0.0, "stop": 150.0, "num": cases}}}}
    path = folder / "bench-warm.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    out = Path(tempfile.mkdtemp(prefix=f"{'warm' if warm else 'cold'}-", dir=folder))
    t0 = time.perf_counter()
    ds = run_sweep(load_sweep(path), out, workers=1, progress=False, reuse=True, warm=warm)
    wall = time.perf_counter() - t0
    ok = ds.status.values == "solved"
    return {"warm": warm, "wall": wall, "solved": int(ok.sum()), "cases": ds.sizes["case"],
            "seconds": ds.seconds.values, "highs": ds.highs_seconds.values,
            "iterations": ds.highs_iterations.values, "path": [str(p) for p in ds.solve_path.values],
            "price": ds.carbon_price.values, "objective": ds.objective.values}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=16)
    parser.add_argument("--days", type=int, help="representative days (default: base's)")
    parser.add_argument("--years", type=int, nargs="*", help="modelled years (default: base's)")
    args = parser.parse_args()
    settings: dict[str, Any] = {}
    if args.days:
        settings["time.days"] = args.days
    if args.years:
        settings["years"] = {int(y): 1 for y in args.years}

    with tempfile.TemporaryDirectory(prefix="warm-bench-") as tmp:
        folder = Path(tmp)
        runs = [run(folder, settings, args.cases, warm) for warm in (True, False)]
    warm, cold = runs
    print(f"# warm vs cold: {args.cases}-case carbon-price sweep of base {settings or ''}, "
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
    print("| carbon price [USD/t] | cold HiGHS [s] | warm HiGHS [s] | ratio | warm path | "
          "warm iterations | objective rel. diff |")
    print("|---:|---:|---:|---:|---|---:|---:|")
    rel = np.abs(warm["objective"] - cold["objective"]) / np.abs(cold["objective"])
    for i, price in enumerate(cold["price"]):
        print(f"| {price:.0f} | {cold['highs'][i]:.2f} | {warm['highs'][i]:.2f} | "
              f"{cold['highs'][i] / warm['highs'][i]:.1f}x | {warm['path'][i]} | "
              f"{warm['iterations'][i]} | {rel[i]:.1e} |")
    print()
    med = statistics.median(cold["highs"][1:]) / statistics.median(warm["highs"][1:])
    print(f"- HiGHS per case, median of cases 2..{args.cases}: cold / warm = **{med:.1f}x** "
          "(target >= 8x)")
    print(f"- whole sweep, wall: cold / warm = **{cold['wall'] / warm['wall']:.2f}x** "
          "(target >= 4x); HiGHS total: "
          f"{np.nansum(cold['highs']) / np.nansum(warm['highs']):.2f}x")
    print(f"- objectives: largest relative difference {np.nanmax(rel):.1e} (target <= 1e-7)")


if __name__ == "__main__":
    main()
