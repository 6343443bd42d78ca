"""HiGHS's LP algorithms on this package's LP: dual simplex, IPX and HiPO, each with a time limit.

The model is built and compiled once per case with the package's own path (``build_model``,
``compile_model``) and solved with ``run_highs`` for each method in turn (one solve at a time), with
crossover after the interior-point methods as the package does. Reported: HiGHS's own run time
(median and range over ``--repeat`` runs), iterations and the objective. A solve that reaches the
time limit is reported as "> limit".

HiGHS 1.15 names: ``simplex`` (dual simplex by default), ``ipx`` (the iterative-refinement interior
point solver IPX), ``hipo`` (interior point with a direct factorisation, from ``highspy-extras``).
``ipm`` means "an interior point solver": HiPO when ``highspy-extras`` is installed, IPX otherwise.

Run from the repository root::

    .venv/bin/python bench/highs_methods.py                      # default scenario and 2030 x 8 days
    .venv/bin/python bench/highs_methods.py --repeat 3 --time-limit 600
    .venv/bin/python bench/highs_methods.py --case base --methods hipo ipx
    .venv/bin/python bench/highs_methods.py --case provinces --methods hipo hipo_nox ipx ipx_nox
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from typing import Any

from synergy_models.data.loader import load_inputs
from synergy_models.model.build import build_model
from synergy_models.scenario import SolverSettings
from synergy_models.solve import compile_model, run_highs

CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "base": ("base", {}),
    "2030_8days": ("base", {"years": {2030: 1}, "time.days": 8}),
    "provinces": ("provinces", {}),
}
METHODS = ("simplex", "ipx", "hipo")
#: Interior-point runs that stop at the interior solution (``run_crossover: off``): no basis, and
#: duals (prices) to the IPM's tolerance instead of a vertex's.
NO_CROSSOVER = ("ipx_nox", "hipo_nox")


def settings_for(method: str, threads: int, time_limit: float) -> SolverSettings:
    """The package's settings for ``method``; IPX is chosen through HiGHS's own option. Extra HiGHS
    options follow a colon: ``hipo:hipo_ordering=amd,ipm_optimality_tolerance=1e-6``."""
    method, _, extra = method.partition(":")
    options = dict(kv.split("=", 1) for kv in extra.split(",") if kv)
    settings = _settings_for(method, threads, time_limit)
    settings.options.update(options)
    return settings


def _settings_for(method: str, threads: int, time_limit: float) -> SolverSettings:
    crossover = "off" if method in NO_CROSSOVER else "on"
    if method.startswith("ipx"):
        return SolverSettings(method="choose", threads=threads, time_limit=time_limit,
                              options={"solver": "ipx", "run_crossover": crossover})
    if method == "hipo_nox":
        return SolverSettings(method="hipo", threads=threads, time_limit=time_limit,
                              options={"run_crossover": crossover})
    return SolverSettings(method=method, threads=threads, time_limit=time_limit)


def _run_time(log: str) -> float:
    found = re.findall(r"HiGHS run time\s*:\s*([0-9.eE+-]+)", log)
    return float(found[-1]) if found else float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", choices=[*CASES, "all"], default="all")
    parser.add_argument("--methods", nargs="+", default=list(METHODS))
    parser.add_argument("--time-limit", type=float, default=600.0, help="seconds per solve")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1, help="solves per method (median reported)")
    args = parser.parse_args(argv)

    print("| case | rows / columns / nonzeros | method | HiGHS run time [s] | CPU [s] | IPM / "
          "crossover / simplex iterations | objective [MUSD] |")
    print("|---|---|---|---:|---:|---|---:|")
    for name in CASES if args.case == "all" else [args.case]:
        scenario, overrides = CASES[name]
        form = compile_model(build_model(load_inputs(scenario, overrides or None)))
        size = f"{form.shape[0]:,} / {form.shape[1]:,} / {form.A.nnz:,}"
        for method in args.methods:
            times, cpu, last = [], [], None
            for _ in range(args.repeat):
                start = time.process_time()  # all of HiGHS's threads: comparable on a busy machine
                last = run_highs(form, settings_for(method, args.threads, args.time_limit))
                cpu.append(time.process_time() - start)
                times.append(_run_time(last.log))
                if last.status != "optimal":
                    break
            assert last is not None
            if last.status == "time_limit":
                shown = f"> {args.time_limit:g}"
            elif last.status != "optimal":
                shown = last.status
            else:
                shown = f"{statistics.median(times):.1f}"
                if len(times) > 1:
                    shown += f" ({min(times):.1f}-{max(times):.1f})"
            info = last.info
            iterations = (f"{info['ipm_iterations']} / {info['crossover_iterations']} / "
                          f"{info['simplex_iterations']}")
            objective = f"{last.objective:,.3f}" if last.status == "optimal" else "-"
            print(f"| {name} | {size} | {method} | {shown} | {statistics.median(cpu):.1f} | "
                  f"{iterations} | {objective} |",
                  flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
