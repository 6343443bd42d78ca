"""Sweep throughput on 1 and 2 local workers, per-case overhead outside the solver, and model
reuse vs rebuild. Figures printed (Markdown), never asserted.

Two 16-case sweeps of the default scenario, one HiGHS thread per case:

- ``grid``: carbon price (0, 50, 100, 150 USD/t) x 2030 data-centre electricity (201, 239, 277,
  389 TWh): four groups of four cases that differ only in the carbon price;
- ``carbon``: 16 carbon prices from 0 to 150 USD/t: one group.

For each, ``run_sweep`` into fresh folders:

1. **Reuse vs rebuild** on 1 worker: ``reuse=False`` builds and compiles every case afresh;
   ``reuse=True`` solves the cases of a group on the model the worker built for the first one,
   with patched costs (``synergy_models.reuse``), and from the previous case's basis (warm start;
   ``--no-warm``: cold, as recorded in docs/performance.md before warm starts); wall clocks, and
   objectives compared. With warm starts, ``dc_electricity`` is a reusable parameter too, so
   ``grid`` is one group.
2. **Throughput**: ``reuse=True`` on 1 and 2 workers, in the order 1, 2, 2, 1 (the machine's speed
   drifts); the speed-up is the ratio of the summed wall clocks (target: at least 1.8).
   Next to it, the machine's own ceiling measured in the same run: the default LP solved by plain
   ``highspy`` (no Pyomo, no Dask), one process alone vs two processes at once (same options);
   and HiGHS's own time summed over the cases, 2 workers over 1, against the ceiling's ratio.
3. **Overhead**: per case, the worker's wall time for the case minus HiGHS's run time, as a share of
   HiGHS's time (target: under 10%): median and maximum over cases, and in aggregate (all cases'
   time outside HiGHS over all HiGHS time, group builds included); and the sweep's wall time not
   spent in cases (starting the workers, checking the cases, combining).

Run from the repository root (two cores, nothing else running)::

    .venv/bin/python bench/sweep_benchmark.py                       # base, both designs: ~50 min
    .venv/bin/python bench/sweep_benchmark.py --design carbon        # one design
    .venv/bin/python bench/sweep_benchmark.py --days 2 --years 2030  # quick: a few minutes
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

DESIGNS: dict[str, dict[str, Any]] = {
    "grid": {"carbon_price": {"values": [0.0, 50.0, 100.0, 150.0]},
             "dc_electricity.2030": {"values": [201_000, 239_000, 277_000, 389_000]}},
    "carbon": {"carbon_price": {"grid": {"start": 0.0, "stop": 150.0, "num": 16}}},
}


def _sweep_file(folder: Path, settings: dict[str, Any], design: str) -> Path:
    spec = {"name": f"bench-{design}", "base": "base",
            "settings": {**settings, "solver.threads": 1}, "parameters": DESIGNS[design]}
    path = folder / f"bench-{design}.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


def _solve_file(path: str, options: dict[str, Any]) -> float:
    """Seconds HiGHS takes on the LP in ``path`` with ``options``."""
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.readModel(path)
    for key, value in options.items():
        h.setOptionValue(key, value)
    t0 = time.perf_counter()
    h.run()
    return time.perf_counter() - t0


def ceiling(settings: dict[str, Any], folder: Path, repeat: int = 2) -> dict[str, float]:
    """Two plain HiGHS processes at once vs one alone on the sweep's LP: the best speed-up two
    workers can reach on this machine (memory bandwidth and caches shared, nothing else)."""
    import multiprocessing

    import highspy
    from linopy_model import highs_options

    from synergy_models.data.loader import load_inputs
    from synergy_models.model.build import build_model
    from synergy_models.scenario import load_scenario
    from synergy_models.solve import _highs_lp, compile_model

    form = compile_model(build_model(load_inputs(load_scenario("base", settings))))
    path = str(folder / "base.mps")
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.passModel(_highs_lp(form))
    h.writeModel(path)
    task = (path, highs_options("hipo", threads=1))  # the sweep's: HiPO, one thread, crossover
    ctx = multiprocessing.get_context("spawn")
    alone, pair = [], []
    with ctx.Pool(2) as pool:
        pool.starmap(_solve_file, [task, task])  # both processes started and warm
        for _ in range(repeat):  # alternate, so that a slow spell of the machine hits both
            alone.append(pool.apply(_solve_file, task))
            t0 = time.perf_counter()
            pool.starmap(_solve_file, [task, task])
            pair.append(time.perf_counter() - t0)
    a, p = statistics.median(alone), statistics.median(pair)
    return {"alone": a, "pair": p, "speedup": 2 * a / p}


def run(settings: dict[str, Any], design: str, workers: int, reuse: bool, folder: Path,
        warm: bool = True) -> dict[str, Any]:
    """One ``run_sweep`` into a fresh folder: wall clock and per-case figures."""
    from synergy_models.sweep import load_sweep, run_sweep

    sweep = load_sweep(_sweep_file(folder, settings, design))
    # a fresh folder every run: a folder with case files would resume them
    out = Path(tempfile.mkdtemp(prefix=f"{design}-w{workers}-{'reuse' if reuse else 'rebuild'}-",
                                dir=folder))
    t0 = time.perf_counter()
    ds = run_sweep(sweep, out, workers=workers, progress=False, reuse=reuse, warm=warm)
    wall = time.perf_counter() - t0
    ok = ds.status.values == "solved"
    return {"design": design, "workers": workers, "reuse": reuse, "wall": wall,
            "solved": int(ok.sum()), "cases": ds.sizes["case"], "seconds": ds.seconds.values[ok],
            "highs": ds.highs_seconds.values[ok], "reused": int(ds.reused_model.values[ok].sum()),
            "objective": ds.objective.values}


def outside(r: dict[str, Any]) -> float:
    """Seconds the cases of a run spent outside HiGHS, summed."""
    return float((r["seconds"] - r["highs"]).sum())


def highs(runs: list[dict[str, Any]]) -> float:
    """HiGHS seconds of the cases of ``runs``, summed."""
    return float(sum(r["highs"].sum() for r in runs))


def table(runs: list[dict[str, Any]]) -> list[str]:
    lines = ["| sweep | workers | model | cases solved (reused) | wall [s] | case median [s] | "
             "HiGHS median [s] | HiGHS total [s] | outside HiGHS / HiGHS: median (max) | "
             "aggregate | sweep overhead beyond cases [s] |",
             "|---|---:|---|---:|---:|---:|---:|---:|---|---:|---:|"]
    for r in runs:
        share = (r["seconds"] - r["highs"]) / r["highs"]  # per case
        aggregate = outside(r) / r["highs"].sum()
        lines.append(
            f"| {r['design']} | {r['workers']} | {'reuse' if r['reuse'] else 'rebuild'} | "
            f"{r['solved']}/{r['cases']} ({r['reused']}) | {r['wall']:.0f} | "
            f"{statistics.median(r['seconds']):.1f} | {statistics.median(r['highs']):.1f} | "
            f"{r['highs'].sum():.0f} | "
            f"{statistics.median(share):.1%} ({share.max():.1%}) | {aggregate:.1%} | "
            f"{r['wall'] - r['seconds'].sum() / r['workers']:.0f} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--design", choices=[*DESIGNS, "all"], default="all")
    parser.add_argument("--days", type=int, help="representative days (default: the scenario's)")
    parser.add_argument("--years", type=int, nargs="+", help="modelled years (default: base's)")
    parser.add_argument("--no-warm", action="store_true",
                        help="reused cases solved cold, as before warm starts (bench/warm_benchmark.py "
                        "compares the two)")
    args = parser.parse_args()
    settings: dict[str, Any] = {}
    if args.days:
        settings["time.days"] = args.days
    if args.years:
        settings["years"] = args.years
    print(f"settings: {settings or 'base as shipped'}\n", flush=True)
    runs, summary = [], []
    with tempfile.TemporaryDirectory() as tmp:
        refs = [ceiling(settings, Path(tmp))]
        print(f"  machine ceiling: {refs[0]['speedup']:.2f}x", flush=True)
        for design in DESIGNS if args.design == "all" else [args.design]:
            mine = []
            # 1 and 2 workers in the order 1, 2, 2, 1 (twice each): the machine's speed drifts by
            # 10% over minutes, and a drift then slows both sides alike.
            for workers, reuse in ((1, False), (1, True), (2, True), (2, True), (1, True)):
                mine.append(run(settings, design, workers, reuse, Path(tmp), not args.no_warm))
                print(f"  done: {design}, {workers} worker(s), {'reuse' if reuse else 'rebuild'}: "
                      f"{mine[-1]['wall']:.0f} s", flush=True)
            rebuild, one, two = mine[0], mine[1::3], mine[2:4]
            walls1, walls2 = [r["wall"] for r in one], [r["wall"] for r in two]
            worst = max(np.nanmax(np.abs(r["objective"] - rebuild["objective"])
                                  / np.abs(rebuild["objective"])) for r in mine[1:])
            summary.append(
                f"- {design}: speed-up on 2 workers (both reusing) **{sum(walls1) / sum(walls2):.2f}x**"
                f" (target >= 1.8; 1 worker {' and '.join(f'{w:.0f}' for w in walls1)} s, 2 workers "
                f"{' and '.join(f'{w:.0f}' for w in walls2)} s); reuse vs rebuild on 1 worker "
                f"{one[0]['wall']:.0f} s vs {rebuild['wall']:.0f} s (one after the other), "
                f"{1 - one[0]['wall'] / rebuild['wall']:.0%} saved; time outside HiGHS, all cases "
                f"(unaffected by the machine's drift): {outside(rebuild):.0f} s rebuilding vs "
                f"{outside(one[0]):.0f} and {outside(one[1]):.0f} s reusing; HiGHS's own time, "
                f"2 workers over 1: {highs(two) / highs(one):.3f} (the ceiling's "
                f"{2 / refs[0]['speedup']:.3f}); worst objective difference {worst:.1e}")
            runs += mine
        refs.append(ceiling(settings, Path(tmp)))
    summary.insert(0, "- machine ceiling (plain highspy on the same LP, same options; at the start "
                   "and at the end): one solve alone " + " and ".join(
                       f"{r['alone']:.1f}" for r in refs) + " s, two at once " + " and ".join(
                       f"{r['pair']:.1f}" for r in refs) + " s: **" + " and ".join(
                       f"{r['speedup']:.2f}x" for r in refs) + "**")
    print("\n".join(table(runs)))
    print("\n" + "\n".join(summary))


if __name__ == "__main__":
    main()
