"""Sweep throughput on 1 and 2 local workers, per-case overhead outside the solver, and model
reuse vs rebuild for a carbon-price sweep. Figures printed (Markdown), never asserted.

1. **Throughput**: the same 16-case sweep (carbon price x 2030 data-centre electricity, one HiGHS
   thread per case) with ``run_sweep(workers=1)`` and ``workers=2`` into fresh folders, wall clock
   of each; the speed-up is the ratio (target: at least 1.8).
2. **Overhead**: per case, the worker's wall time for the case minus HiGHS's run time, as a share of
   the HiGHS run time (target: under 10%); and the sweep's wall time not spent in cases.
3. **Reuse vs rebuild**: the same sweep on 1 worker with ``reuse=False`` (every case built and
   compiled afresh) and ``reuse=True`` (cases differing only in the carbon price re-solved on the
   worker's built model with patched costs, ``synergy_models.reuse``); wall clocks and objectives.

Three sweeps: 1 worker rebuilding, 1 worker reusing, 2 workers reusing (the speed-up compares the
last two).

Run from the repository root (two cores, nothing else running)::

    .venv/bin/python bench/sweep_benchmark.py                       # base: ~15 minutes
    .venv/bin/python bench/sweep_benchmark.py --days 2 --years 2030  # quick: ~3 minutes
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import yaml

CARBON_PRICES = [0.0, 50.0, 100.0, 150.0]
DC_2030_GWH = [201_000, 239_000, 277_000, 389_000]


def _sweep_file(folder: Path, settings: dict[str, Any]) -> Path:
    spec = {"name": "bench16", "base": "base", "settings": {**settings, "solver.threads": 1},
            "parameters": {"carbon_price": {"values": CARBON_PRICES},
                           "dc_electricity.2030": {"values": DC_2030_GWH}}}
    path = folder / "bench16.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


def run(settings: dict[str, Any], workers: int, reuse: bool, folder: Path) -> dict[str, Any]:
    """One ``run_sweep`` of the 16 cases into a fresh folder: wall clock and per-case figures."""
    from synergy_models.sweep import load_sweep, run_sweep

    sweep = load_sweep(_sweep_file(folder, settings))
    out = folder / f"w{workers}-{'reuse' if reuse else 'rebuild'}"
    t0 = time.perf_counter()
    ds = run_sweep(sweep, out, workers=workers, progress=False, reuse=reuse)
    wall = time.perf_counter() - t0
    ok = ds.status.values == "solved"
    return {"workers": workers, "reuse": reuse, "wall": wall, "solved": int(ok.sum()),
            "cases": ds.sizes["case"], "seconds": ds.seconds.values[ok],
            "highs": ds.highs_seconds.values[ok], "reused": int(ds.reused_model.values[ok].sum()),
            "objective": ds.objective.values}


def table(runs: list[dict[str, Any]]) -> list[str]:
    lines = ["| workers | model | cases solved (reused) | wall [s] | case median [s] | "
             "HiGHS median [s] | outside HiGHS / HiGHS, median (max) | sweep overhead beyond cases [s] |",
             "|---:|---|---:|---:|---:|---:|---|---:|"]
    for r in runs:
        outside = (r["seconds"] - r["highs"]) / r["highs"]
        lines.append(
            f"| {r['workers']} | {'reuse' if r['reuse'] else 'rebuild'} | {r['solved']}/{r['cases']} "
            f"({r['reused']}) | {r['wall']:.0f} | {statistics.median(r['seconds']):.1f} | "
            f"{statistics.median(r['highs']):.1f} | {statistics.median(outside):.1%} "
            f"({outside.max():.1%}) | {r['wall'] - r['seconds'].sum() / r['workers']:.0f} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, help="representative days (default: the scenario's)")
    parser.add_argument("--years", type=int, nargs="+", help="modelled years (default: base's)")
    args = parser.parse_args()
    settings: dict[str, Any] = {}
    if args.days:
        settings["time.days"] = args.days
    if args.years:
        settings["years"] = args.years
    print(f"settings: {settings or 'base as shipped'}\n", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        runs = []
        for workers, reuse in ((1, False), (1, True), (2, True)):
            runs.append(run(settings, workers, reuse, Path(tmp)))
            print(f"  done: {workers} worker(s), {'reuse' if reuse else 'rebuild'}: "
                  f"{runs[-1]['wall']:.0f} s", flush=True)
    print("\n".join(table(runs)))
    rebuild, reuse1, reuse2 = runs
    worst = np.nanmax(np.abs(reuse1["objective"] - rebuild["objective"]) / np.abs(rebuild["objective"]))
    print(f"\nspeed-up on 2 workers (both reusing): **{reuse1['wall'] / reuse2['wall']:.2f}x** "
          "(target >= 1.8)")
    print(f"reuse vs rebuild on 1 worker: {reuse1['wall']:.0f} s vs {rebuild['wall']:.0f} s, "
          f"{1 - reuse1['wall'] / rebuild['wall']:.0%} saved; worst objective difference {worst:.1e}")


if __name__ == "__main__":
    main()
