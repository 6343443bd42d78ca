"""Sweep throughput on 1 and 2 local workers, per-case overhead outside the solver, and model
reuse vs rebuild for a carbon-price sweep. Figures printed (Markdown), never asserted.

1. **Throughput**: the same 16-case sweep (carbon price x 2030 data-centre electricity, one HiGHS
   thread per case) with ``run_sweep(workers=1)`` and ``workers=2`` into fresh folders, wall clock
   of each; the speed-up is the ratio (target: at least 1.8).
2. **Overhead**: per case, the worker's wall time for the case minus HiGHS's run time, as a share of
   the HiGHS run time (target: under 10%); and the sweep's wall time not spent in cases.
3. **Reuse vs rebuild** (one process, one thread): for ``--reuse-cases`` carbon prices, either load
   inputs, build, compile and solve each case, or compile the model twice (two carbon prices) to
   get the cost vector, which is affine in the carbon price, and re-solve one HiGHS model after
   ``changeColsCost``; objectives are compared.

Run from the repository root (two cores, nothing else running)::

    .venv/bin/python bench/sweep_benchmark.py                       # base: ~20 minutes
    .venv/bin/python bench/sweep_benchmark.py --days 2 --years 2030  # quick: ~3 minutes
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import yaml

CARBON_PRICES = [0.0, 50.0, 100.0, 150.0]
DC_2030_GWH = [201_000, 239_000, 277_000, 389_000]


def _highs_seconds(log: str) -> float:
    found = re.findall(r"HiGHS run time\s*:\s*([0-9.eE+-]+)", log)
    return float(found[-1]) if found else float("nan")


def _sweep_file(folder: Path, settings: dict[str, Any]) -> Path:
    spec = {"name": "bench16", "base": "base", "settings": {**settings, "solver.threads": 1},
            "parameters": {"carbon_price": {"values": CARBON_PRICES},
                           "dc_electricity.2030": {"values": DC_2030_GWH}}}
    path = folder / "bench16.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


def throughput(settings: dict[str, Any]) -> list[str]:
    from synergy_models.results import read_results
    from synergy_models.sweep import load_sweep, run_sweep

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        sweep = load_sweep(_sweep_file(Path(tmp), settings))
        walls = {}
        for workers in (1, 2):
            out = Path(tmp) / f"w{workers}"
            t0 = time.perf_counter()
            ds = run_sweep(sweep, out, workers=workers, progress=False)
            walls[workers] = time.perf_counter() - t0
            ok = [i for i, s in enumerate(ds.status.values) if s == "solved"]
            case_s = ds.seconds.values[ok]
            highs = np.array([_highs_seconds(read_results(out / "cases" / str(f)).attrs["solver_log"])
                              for f in ds.case_file.values[ok]])
            outside = (case_s - highs) / highs
            rows.append(f"| {workers} | {len(ok)}/{ds.sizes['case']} | {walls[workers]:.0f} | "
                        f"{statistics.median(case_s):.1f} | {statistics.median(highs):.1f} | "
                        f"{statistics.median(outside):.1%} (max {outside.max():.1%}) | "
                        f"{walls[workers] - case_s.sum() / workers:.0f} |")
        rows.append(f"\nspeed-up on 2 workers: **{walls[1] / walls[2]:.2f}x** (target >= 1.8)")
    head = ["| workers | cases solved | wall [s] | case median [s] | HiGHS median [s] | "
            "outside HiGHS / HiGHS, median | sweep overhead beyond cases [s] |",
            "|---:|---:|---:|---:|---:|---|---:|"]
    return head + rows


def reuse(settings: dict[str, Any], cases: int) -> list[str]:
    import highspy

    from synergy_models.data.loader import load_inputs
    from synergy_models.model.build import build_model
    from synergy_models.scenario import SolverSettings, load_scenario
    from synergy_models.solve import _highs_lp, compile_model, run_highs

    prices = np.linspace(0.0, 150.0, cases)
    one = SolverSettings(method="hipo", threads=1)

    def form_at(price: float):
        scen = load_scenario("base", {**settings, "carbon_price": float(price)})
        return compile_model(build_model(load_inputs(scen)))

    # Rebuild: every case from its scenario.
    t0 = time.perf_counter()
    rebuilt = []
    for p in prices:
        sol = run_highs(form_at(p), one)
        rebuilt.append(sol.objective)
    t_rebuild = time.perf_counter() - t0

    # Reuse: two compilations give the affine cost vector; one HiGHS model re-solved.
    t0 = time.perf_counter()
    f0, f1 = form_at(prices[0]), form_at(prices[-1])
    if f0.A.nnz != f1.A.nnz or (f0.A != f1.A).nnz or not np.array_equal(f0.row_lower, f1.row_lower):
        raise SystemExit("the carbon price changed more than the costs: reuse does not apply")
    slope = (np.asarray(f1.c) - np.asarray(f0.c)) / (prices[-1] - prices[0])
    offset_slope = (f1.offset - f0.offset) / (prices[-1] - prices[0])
    reused = []
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("solver", "hipo")
    h.setOptionValue("threads", 1)
    h.setOptionValue("run_crossover", "on")
    h.passModel(_highs_lp(f0))  # the package's own hand-off, done once
    idx = np.arange(f0.shape[1], dtype=np.int32)
    for p in prices:
        h.changeColsCost(len(idx), idx, np.asarray(f0.c) + slope * (p - prices[0]))
        h.changeObjectiveOffset(f0.offset + offset_slope * (p - prices[0]))
        h.run()
        reused.append(h.getInfo().objective_function_value)
    t_reuse = time.perf_counter() - t0
    worst = max(abs(a - b) / abs(b) for a, b in zip(reused, rebuilt, strict=True))
    return ["| carbon-price cases | rebuild [s] | reuse [s] | saved | worst objective difference |",
            "|---:|---:|---:|---:|---:|",
            f"| {cases} | {t_rebuild:.0f} | {t_reuse:.0f} | {1 - t_reuse / t_rebuild:.0%} | "
            f"{worst:.1e} |"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, help="representative days (default: the scenario's)")
    parser.add_argument("--years", type=int, nargs="+", help="modelled years (default: base's)")
    parser.add_argument("--reuse-cases", type=int, default=4)
    parser.add_argument("--skip-throughput", action="store_true")
    args = parser.parse_args()
    settings: dict[str, Any] = {}
    if args.days:
        settings["time.days"] = args.days
    if args.years:
        settings["years"] = args.years
    print(f"settings: {settings or 'base as shipped'}\n")
    if not args.skip_throughput:
        print("\n".join(throughput(settings)), "\n", flush=True)
    print("\n".join(reuse(settings, args.reuse_cases)))


if __name__ == "__main__":
    main()
