"""The power-market LP built with this package (Pyomo) and with linopy, in the same run.

Each implementation runs in its own subprocess, so that its peak memory is its own. A child

1. imports everything and loads the scenario's inputs once (``load_inputs``; not timed: it is the
   same for both implementations and not part of building the model);
2. builds the model from the loaded inputs (``build_model`` / ``build_linopy_model(model_data(...))``),
3. hands the LP to HiGHS: for this package, compile to standard form
   (``synergy_models.solve.compile_model``) and ``Highs.passModel`` (inside ``run_highs``); for
   linopy, its own path from ``Model.solve(io_api="direct")``: ``sanitize_zeros``,
   ``sanitize_infinities`` and ``Solver.from_name("highs", model=...)``, which builds the
   ``highspy.Highs`` object from the model's matrices;
4. solves (the figure reported is HiGHS's own run time from its log, ``HiGHS run time``);
5. brings the solution back: for this package, the rest of ``run_highs`` (reading the solution and
   the log) and writing primal values into the Pyomo variables, as ``solve_model`` does; for
   linopy, the rest of ``Solver.solve`` and ``Model.assign_result`` (primal and dual values onto
   the variables and constraints);

and reports wall-clock times, the LP's size, the objective and its peak resident memory
(``getrusage(RUSAGE_SELF).ru_maxrss``, read at the end of the child). "Total" is the wall clock of
steps 2-5; "outside HiGHS" is the total minus HiGHS's run time. Both implementations use the same
HiGHS options (method, crossover after interior point, threads, time limit) and log to a file.

Run from the repository root (two heavy solves run one after the other, never together)::

    .venv/bin/python bench/power_benchmark.py                       # full_year: 2030, 8,760 h
    .venv/bin/python bench/power_benchmark.py --time-limit 0        # ... solved to optimality
    .venv/bin/python bench/power_benchmark.py --scenario base       # the default scenario (fast)
    .venv/bin/python bench/power_benchmark.py --scenario base --days 4 --years 2030 --method ipx
    .venv/bin/python bench/power_benchmark.py --json out.json       # also save the figures

The ``full_year`` scenario models one year, 2030, with all 8,760 hours: about 1.05 million rows and
1.09 million columns. HiGHS's default interior point (HiPO) needs about 25 minutes for it on two
cores, so by default each solve stops at a time limit of 330 s and the run takes about 13 minutes;
the build, hand-off and memory figures are then complete but the objectives cannot be compared. Pass
``--time-limit 0`` for the solves to finish (about 55 minutes in all).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

IMPLEMENTATIONS = ("package", "linopy")
TARGETS = {"total_ratio": 1.25, "outside_share": 0.20, "memory_ratio": 1.5, "objective_rel": 1e-6}
#: Default HiGHS time limit per solve [s]: keeps the full year (two solves) under ~15 minutes.
DEFAULT_TIME_LIMIT = {"full_year": 330.0}
HERE = Path(__file__).resolve().parent


# ---- child: one implementation -------------------------------------------------------------------

def _rss_mb() -> float:
    """Current resident memory (MB) from /proc/self/status."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return math.nan


def _progress(text: str) -> None:
    """A phase done, on stderr at once (a long run stopped early keeps what it measured)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  {time.strftime('%H:%M:%S')} {text} (peak so far {peak:,.0f} MB)", file=sys.stderr,
          flush=True)


def _highs_run_time(log: str) -> float:
    """HiGHS's own run time, from the last ``HiGHS run time`` line of its log."""
    found = re.findall(r"HiGHS run time\s*:\s*([0-9.eE+-]+)", log)
    return float(found[-1]) if found else math.nan


def parse_years(text: str | None) -> list[int] | dict[int, float] | None:
    """``2030`` -> {2030: 1}; ``2025,2028,2030`` -> a list; ``2025:3,2028:2,2030:1`` -> a mapping."""
    if not text:
        return None
    items = [s.strip() for s in text.split(",") if s.strip()]
    if len(items) == 1 and ":" not in items[0]:
        return {int(items[0]): 1.0}
    if all(":" in s for s in items):
        return {int(y): float(w) for y, w in (s.split(":") for s in items)}
    return [int(s) for s in items]


def scenario_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """Overrides for ``load_inputs`` from the command line."""
    overrides: dict[str, Any] = {}
    years = parse_years(args.years)
    if years is not None:
        overrides["years"] = years
    if args.days is not None:
        overrides["time.days"] = args.days
    if args.segments is not None:
        overrides["time.segments"] = args.segments
    if getattr(args, "resolution", None):
        overrides["time.resolution"] = args.resolution
    return overrides


def highs_extra(args: argparse.Namespace) -> dict[str, str | int | float]:
    """``--highs-option key=value`` pairs, with numbers as numbers."""
    out: dict[str, str | int | float] = {}
    for item in args.highs_option or []:
        key, _, text = item.partition("=")
        value: str | int | float = text
        for kind in (int, float):
            try:
                value = kind(text)
                break
            except ValueError:
                continue
        out[key.strip()] = value
    return out


def _keep_log(args: argparse.Namespace, log: str) -> None:
    if args.keep_logs:
        folder = Path(args.keep_logs)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"highs-{args.scenario}-{args.child}.log").write_text(log, encoding="utf-8")


def _run_package(inputs: Any, args: argparse.Namespace, out: dict[str, Any]) -> None:
    import pyomo.environ as pyo

    from synergy_models.model.build import build_model
    from synergy_models.scenario import SolverSettings
    from synergy_models.solve import compile_model, load_values, run_highs

    method, options = args.method, highs_extra(args)
    if method == "ipx":         # not a SolverSettings method: set HiGHS's own option instead
        method, options = "choose", {"solver": "ipx", "run_crossover": "on", **options}
    settings = SolverSettings(method=method, threads=args.threads, time_limit=args.time_limit,
                              options=options)
    start = time.perf_counter()
    model = build_model(inputs)
    t_built = time.perf_counter()
    _progress(f"built in {t_built - start:.1f} s, RSS {_rss_mb():,.0f} MB")
    form = compile_model(model)
    t_compiled = time.perf_counter()
    _progress(f"compiled in {t_compiled - t_built:.1f} s: {form.shape[0]:,} rows, {form.shape[1]:,} "
              f"columns, {form.A.nnz:,} nonzeros; RSS {_rss_mb():,.0f} MB")
    solution = run_highs(form, settings)           # Highs(), options, passModel, run, solution
    t_solved = time.perf_counter()
    if solution.status == "optimal":               # as solve_model does
        for v in model.component_data_objects(pyo.Var, descend_into=True):
            if v.value is None:
                v.set_value(0.0, skip_validation=True)
        load_values(solution)
    end = time.perf_counter()
    highs_time = _highs_run_time(solution.log)
    _keep_log(args, solution.log)
    out.update(
        build=t_built - start,
        compile=t_compiled - t_built,
        pass_model=solution.timings["pass"],
        handoff=t_compiled - t_built + solution.timings["pass"],
        highs=highs_time,
        run_wall=solution.timings["solve"],
        back=(t_solved - t_compiled - solution.timings["pass"] - solution.timings["solve"])
        + (end - t_solved),
        total=end - start,
        status=solution.status,
        objective=solution.objective if solution.status == "optimal" else math.nan,
        rows=form.shape[0], columns=form.shape[1], nonzeros=int(form.A.nnz),
        ipm_iterations=solution.info.get("ipm_iterations"),
        crossover_iterations=solution.info.get("crossover_iterations"),
        simplex_iterations=solution.info.get("simplex_iterations"),
    )


def _run_linopy(inputs: Any, args: argparse.Namespace, out: dict[str, Any]) -> None:
    import linopy.solvers

    sys.path.insert(0, str(HERE))
    from linopy_model import build_linopy_model, highs_options

    from synergy_models.model.data import model_data

    options = {**highs_options(args.method, args.threads, args.time_limit), **highs_extra(args),
               "output_flag": True, "log_to_console": False}
    fd, log_name = tempfile.mkstemp(prefix="highs-linopy-", suffix=".log")
    os.close(fd)
    log_file = Path(log_name)
    try:
        start = time.perf_counter()
        lp = build_linopy_model(model_data(inputs))
        m = lp.model
        t_built = time.perf_counter()
        m.constraints.sanitize_zeros()              # what Model.solve does first
        m.constraints.sanitize_infinities()
        solver = linopy.solvers.Solver.from_name("highs", model=m, io_api="direct", options=options,
                                                 set_names=False, log_fn=log_file)
        t_handed = time.perf_counter()
        h = solver.solver_model
        rows, columns, nonzeros = h.getNumRow(), h.getNumCol(), h.getNumNz()
        result = solver.solve(log_fn=log_file)      # h.run(), then the solution as arrays
        t_solved = time.perf_counter()
        _, condition = m.assign_result(result)
        end = time.perf_counter()
        info = h.getInfo()
        log = log_file.read_text(encoding="utf-8", errors="replace")
    finally:
        log_file.unlink(missing_ok=True)
    highs_time = _highs_run_time(log)
    _keep_log(args, log)
    optimal = condition == "optimal"
    out.update(
        build=t_built - start,
        handoff=t_handed - t_built,
        highs=highs_time,
        back=(t_solved - t_handed - highs_time) + (end - t_solved),
        total=end - start,
        status="optimal" if optimal else str(condition),
        objective=float(m.objective.value) + lp.objective_constant if optimal else math.nan,
        rows=rows, columns=columns, nonzeros=nonzeros,
        ipm_iterations=int(info.ipm_iteration_count),
        crossover_iterations=int(info.crossover_iteration_count),
        simplex_iterations=int(info.simplex_iteration_count),
    )


def child(args: argparse.Namespace) -> dict[str, Any]:
    """Run one implementation and return its figures."""
    import highspy  # noqa: F401  (imported before timing, like everything else)
    import pyomo.environ  # noqa: F401

    from synergy_models.data.loader import load_inputs

    if args.child == "linopy":
        import linopy  # noqa: F401

    sys.path.insert(0, str(HERE))
    from linopy_model import power_only

    t0 = time.perf_counter()
    # the power-market core only: power_only drops the inputs of the families the linopy model
    # does not mirror (linopy_model.NOT_MIRRORED: data centres, hydrogen, unit commitment...)
    inputs = power_only(load_inputs(args.scenario, scenario_overrides(args) or None))
    out: dict[str, Any] = {
        "implementation": args.child,
        "load_inputs": time.perf_counter() - t0,
        "rss_after_inputs_mb": _rss_mb(),
        "years": [int(y) for y in inputs.year.values],
        "steps": int(inputs.sizes["time"]),
    }
    if args.child == "package":
        _run_package(inputs, args, out)
    else:
        _run_linopy(inputs, args, out)
    out["outside"] = out["total"] - out["highs"]
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024   # KiB on Linux
    return out


# ---- parent: both implementations, one after the other, then the table ----------------------------

def run_child(name: str, args: argparse.Namespace) -> dict[str, Any]:
    fd, path = tempfile.mkstemp(prefix=f"bench-{name}-", suffix=".json")
    os.close(fd)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", name, "--out", path,
           "--scenario", args.scenario, "--method", args.method, "--threads", str(args.threads)]
    for flag, value in (("--days", args.days), ("--segments", args.segments), ("--years", args.years),
                        ("--resolution", args.resolution),
                        ("--time-limit", args.time_limit or 0), ("--keep-logs", args.keep_logs)):
        if value is not None:
            cmd += [flag, str(value)]
    for item in args.highs_option or []:
        cmd += ["--highs-option", item]
    print(f"running {name} ...", file=sys.stderr, flush=True)
    try:
        subprocess.run(cmd, check=True)
        return json.loads(Path(path).read_text(encoding="utf-8"))
    finally:
        Path(path).unlink(missing_ok=True)


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table(results: dict[str, dict[str, Any]]) -> tuple[str, dict[str, Any]]:
    """A Markdown table of the figures with ratios and targets; and the checks as a dict."""
    p, lp = results["package"], results["linopy"]

    def ratio(key: str) -> float:
        return p[key] / lp[key] if lp.get(key) else math.nan

    rel = abs(p["objective"] - lp["objective"]) / max(abs(lp["objective"]), 1.0)
    share_p, share_l = p["outside"] / p["total"], lp["outside"] / lp["total"]
    checks = {
        "total_ratio": ratio("total"), "outside_share": share_p, "memory_ratio": ratio("peak_mb"),
        "objective_rel": rel,
    }
    met = {k: (v <= TARGETS[k]) if not math.isnan(v) else False for k, v in checks.items()}

    def verdict(key: str) -> str:
        return ("met" if met[key] else "**missed**") + f" (target <= {TARGETS[key]:g})"

    rows = [
        ("build [s]", p["build"], lp["build"], ratio("build"), ""),
        ("hand-off to HiGHS [s]", p["handoff"], lp["handoff"], ratio("handoff"), ""),
        ("HiGHS run time [s]", p["highs"], lp["highs"], ratio("highs"), ""),
        ("solution back [s]", p["back"], lp["back"], ratio("back"), ""),
        ("**total** [s]", p["total"], lp["total"], checks["total_ratio"], verdict("total_ratio")),
        ("outside HiGHS [s]", p["outside"], lp["outside"], ratio("outside"), ""),
        ("outside HiGHS, share of total", f"{share_p:.1%}", f"{share_l:.1%}", None,
         "package " + verdict("outside_share").replace("<= 0.2", "<= 20%")),
        ("**peak memory** [MB]", p["peak_mb"], lp["peak_mb"], checks["memory_ratio"],
         verdict("memory_ratio")),
        ("memory after loading inputs [MB]", p["rss_after_inputs_mb"], lp["rss_after_inputs_mb"],
         None, ""),
        ("objective [MUSD]", _fmt(p["objective"], 4), _fmt(lp["objective"], 4), None,
         f"relative difference {rel:.1e}: " + verdict("objective_rel")),
        ("HiGHS status", p["status"], lp["status"], None, ""),
        ("rows / columns / nonzeros",
         f"{p['rows']:,} / {p['columns']:,} / {p['nonzeros']:,}",
         f"{lp['rows']:,} / {lp['columns']:,} / {lp['nonzeros']:,}", None, ""),
        ("IPM / crossover / simplex iterations",
         f"{p['ipm_iterations']} / {p['crossover_iterations']} / {p['simplex_iterations']}",
         f"{lp['ipm_iterations']} / {lp['crossover_iterations']} / {lp['simplex_iterations']}",
         None, ""),
        ("load inputs (not counted) [s]", p["load_inputs"], lp["load_inputs"], None, ""),
    ]
    lines = ["| | package (Pyomo) | linopy | package / linopy | target |", "|---|---:|---:|---:|---|"]
    for label, a, b, r, target in rows:
        lines.append(f"| {label} | {_fmt(a)} | {_fmt(b)} | {_fmt(r)} | {target} |")
    if "compile" in p:
        lines.append("")
        lines.append(f"Package hand-off: compile to standard form {p['compile']:.2f} s, "
                     f"passModel {p['pass_model']:.2f} s.")
    return "\n".join(lines), {"checks": checks, "met": met}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", default="full_year", help="scenario name or YAML path")
    parser.add_argument("--days", type=int, default=None, help="representative days (time.days)")
    parser.add_argument("--segments", type=int, default=None,
                        help="steps per representative day (time.segments; 24: hourly)")
    parser.add_argument("--resolution", choices=["representative_days", "full_year"], default=None,
                        help="time.resolution (full_year: all 8,760 hours; default: the scenario's)")
    parser.add_argument("--only", choices=IMPLEMENTATIONS, default=None,
                        help="run one implementation only (no ratios)")
    parser.add_argument("--years", default=None,
                        help="modelled years: 2030 | 2025,2028,2030 | 2025:3,2028:2,2030:1 "
                        "(default: the scenario's)")
    parser.add_argument("--method", default="hipo",
                        help="HiGHS solver: hipo, ipx, simplex, ... (ipm: HiPO if available)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--time-limit", type=float, default=None,
                        help="HiGHS time limit per solve [s]; 0: none (default: "
                        f"{DEFAULT_TIME_LIMIT['full_year']:g} for full_year, none otherwise)")
    parser.add_argument("--highs-option", action="append", metavar="KEY=VALUE",
                        help="extra HiGHS option for both implementations (repeatable), "
                        "e.g. hipo_ordering=amd")
    parser.add_argument("--keep-logs", default=None, metavar="DIR",
                        help="write each implementation's HiGHS log to DIR")
    parser.add_argument("--json", default=None, help="also write all figures to this JSON file")
    parser.add_argument("--child", choices=IMPLEMENTATIONS, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.time_limit is None:
        args.time_limit = DEFAULT_TIME_LIMIT.get(args.scenario)
    elif args.time_limit <= 0:
        args.time_limit = None

    if args.child:
        Path(args.out).write_text(json.dumps(child(args)), encoding="utf-8")
        return 0

    results = {name: run_child(name, args) for name in ([args.only] if args.only else IMPLEMENTATIONS)}
    if args.only:           # one side alone: its figures, no ratios
        print(json.dumps(results[args.only], indent=2))
        if args.json:
            Path(args.json).write_text(json.dumps({"args": vars(args), "results": results}, indent=2),
                                       encoding="utf-8")
        return 0
    p = results["package"]
    extra = f", options {highs_extra(args)}" if args.highs_option else ""
    print(f"\nScenario {args.scenario} {scenario_overrides(args) or ''}".rstrip()
          + f": years {p['years']}, {p['steps']:,} time steps; HiGHS {args.method}, "
          f"{args.threads} threads, time limit {args.time_limit or 'none'}{extra}\n")
    text, checks = table(results)
    print(text)
    if args.json:
        Path(args.json).write_text(json.dumps({"args": vars(args), "results": results, **checks},
                                              indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
