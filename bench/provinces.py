"""The 31-province scenario end to end (issue 18): ``synergy run provinces`` timed, with faster
settings measured against it.

Each case runs the command line (``python -m synergy_models run <scenario> --no-cache``) in its
own process, so its figures are the whole command's: imports, loading, build, compile, HiGHS,
results and the netCDF file. For every case the script reports

* wall clock, CPU time (user + system, all threads) and peak resident memory of that process alone
  (``os.wait4``'s resource usage of the child);
* the command's own step times (its progress lines) and, from the results file, compile and
  HiGHS time, the LP's size before and after HiGHS's presolve, IPM and crossover iterations;
* the objective and, for every case after the first, its difference from the first case's: the
  objective, the 2030 capacity by technology (summed over provinces; largest relative
  difference) and the 2030 demand-weighted mean price.

On a shared machine the wall clock depends on what else runs; CPU time and the ratios between cases
of one run are the figures to compare (docs/performance.md, "31 provinces").

Run from the repository root::

    .venv/bin/python bench/provinces.py                                   # provinces, as shipped
    .venv/bin/python bench/provinces.py --case seg6=time.segments=6 --case days6=time.days=6
    .venv/bin/python bench/provinces.py --scenario base --json base.json  # any scenario
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

ROOT = Path(__file__).resolve().parent.parent
STEP = re.compile(r"^\s*(.+?): ([0-9.]+) s$")


def parse_case(text: str) -> tuple[str, list[str]]:
    """``seg6=time.segments=6,time.days=6`` -> ("seg6", ["time.segments=6", "time.days=6"])."""
    name, _, params = text.partition("=")
    return name, [p for p in params.split(",") if p]


def run_case(scenario: str, params: list[str], out: Path) -> dict[str, Any]:
    """One ``synergy run`` in a child process: its times, memory and the results file's figures."""
    cmd = [sys.executable, "-m", "synergy_models", "run", scenario, "--no-cache", "--out", str(out)]
    for p in params:
        cmd += ["-p", p]
    log_path = out.with_suffix(".log")
    start = time.perf_counter()
    with open(log_path, "w", encoding="utf-8") as log:
        child = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        # reaped here, not by subprocess: wait4 gives this child's own CPU time and peak memory
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    output = log_path.read_text(encoding="utf-8")
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{output}")
    steps = {m.group(1).strip(): float(m.group(2)) for m in map(STEP.match, output.splitlines())
             if m}
    figures: dict[str, Any] = {"params": params, "wall_s": wall, "steps": steps,
                               "cpu_s": usage.ru_utime + usage.ru_stime, "user_s": usage.ru_utime,
                               "peak_mb": usage.ru_maxrss / 1024}          # KiB on Linux
    figures.update(results_figures(out))
    return figures


def results_figures(path: Path) -> dict[str, Any]:
    """Figures of one results file: LP size, step times, iterations, objective, 2030 answers."""
    with xr.open_dataset(path) as ds:
        a = ds.attrs
        log = str(a.get("solver_log", ""))
        size = re.search(r"LP has (\d+) rows; (\d+) cols; (\d+) nonzeros", log)
        reduced = re.search(r"Presolve reductions: rows (\d+)\(-?\d+\); columns (\d+)", log)
        highs = re.findall(r"HiGHS run time\s*:\s*([0-9.]+)", log)
        year = int(ds.year.values[-1])
        # national mean: the provinces' demand-weighted prices weighted by their energy demand
        energy = (ds["demand"].sel(year=year) * ds["weight"]).sum("time")
        price = ds["price_average"].sel(year=year)
        return dict(
            objective=float(a["objective"]),
            rows=int(size.group(1)) if size else None, columns=int(size.group(2)) if size else None,
            nonzeros=int(size.group(3)) if size else None,
            presolved_rows=int(reduced.group(1)) if reduced else None,
            presolved_columns=int(reduced.group(2)) if reduced else None,
            build_s=float(a.get("time_build", math.nan)),
            compile_s=float(a.get("time_compile", math.nan)),
            solve_s=float(a.get("time_solve", math.nan)),
            highs_s=float(highs[-1]) if highs else math.nan,
            ipm_iterations=int(a.get("ipm_iterations", -1)),
            crossover_iterations=int(a.get("crossover_iterations", -1)),
            capacity_2030={str(k): float(v) for k, v in zip(
                ds.tech.values, ds["capacity"].sel(year=year).sum("region").values, strict=True)},
            mean_price_2030=float((price * energy).sum() / energy.sum()),
        )


def compare(ref: dict[str, Any], case: dict[str, Any]) -> dict[str, float]:
    """Relative differences of ``case`` from ``ref``: objective, 2030 capacities, mean price."""
    rel = {"objective": case["objective"] / ref["objective"] - 1,
           "mean_price_2030": case["mean_price_2030"] / ref["mean_price_2030"] - 1}
    caps = {k: case["capacity_2030"][k] / v - 1 for k, v in ref["capacity_2030"].items() if v > 1}
    worst = max(caps, key=lambda k: abs(caps[k]))
    rel["capacity_2030_worst"] = caps[worst]
    rel["capacity_2030_worst_tech"] = worst  # type: ignore[assignment]
    return rel


def table(cases: dict[str, dict[str, Any]]) -> str:
    names = list(cases)
    ref = cases[names[0]]
    lines = ["| case | settings | rows / columns (after presolve) | wall [s] | CPU [s] | build [s] | "
             "compile [s] | HiGHS [s] | IPM / crossover it. | peak [MB] | objective [MUSD] | "
             "vs first | 2030 capacities vs first (largest) | 2030 mean price vs first |",
             "|---|---|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---|---:|"]
    for name in names:
        c = cases[name]
        diff = compare(ref, c) if name != names[0] else None
        lines.append(
            f"| {name} | {', '.join(c['params']) or 'as shipped'} | {c['rows']:,} / {c['columns']:,}"
            f" ({c['presolved_rows']:,} / {c['presolved_columns']:,}) | {c['wall_s']:.1f} | "
            f"{c.get('cpu_s', math.nan):.1f} | {c['build_s']:.1f} | {c['compile_s']:.1f} | "
            f"{c['highs_s']:.1f} | {c['ipm_iterations']} / {c['crossover_iterations']} | "
            f"{c.get('peak_mb', math.nan):,.0f} | {c['objective']:,.1f} | "
            + (f"{diff['objective']:+.2%} | {diff['capacity_2030_worst']:+.1%} "
               f"({diff['capacity_2030_worst_tech']}) | {diff['mean_price_2030']:+.1%} |"
               if diff else "| | |"))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", default="provinces")
    parser.add_argument("--case", action="append", default=[], metavar="NAME=KEY=VALUE[,KEY=VALUE]",
                        help="a faster setting to compare with the scenario as shipped (repeatable)")
    parser.add_argument("--no-default", action="store_true",
                        help="skip the scenario as shipped (the first --case is the reference)")
    parser.add_argument("--results", action="append", default=[], metavar="NAME=FILE.nc",
                        help="add a results file written earlier (no times of the command)")
    parser.add_argument("--json", default=None, help="also write every case's figures here")
    args = parser.parse_args(argv)
    todo = ([] if args.no_default else [("default", [])]) + [parse_case(c) for c in args.case]
    cases: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, params in todo:
            print(f"{name} {params} ...", file=sys.stderr, flush=True)
            cases[name] = run_case(args.scenario, params, Path(tmp) / f"{name}.nc")
            c = cases[name]
            print(f"  wall {c['wall_s']:.1f} s, CPU {c.get('cpu_s', np.nan):.1f} s, HiGHS "
                  f"{c['highs_s']:.1f} s, objective {c['objective']:,.3f}", file=sys.stderr, flush=True)
    for item in args.results:
        name, _, path = item.partition("=")
        cases[name] = {"params": [path], "wall_s": math.nan, **results_figures(Path(path))}
    print(f"\nScenario {args.scenario}\n")
    print(table(cases))
    if args.json:
        Path(args.json).write_text(json.dumps(cases, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
