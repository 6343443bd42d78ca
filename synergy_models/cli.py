"""The ``synergy`` command line (also ``python -m synergy_models``)."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

import synergy_models
from synergy_models.errors import InputError, Problem, SynergyError
from synergy_models.progress import Steps
from synergy_models.yamlfile import load_value

EXIT_INPUT = 2


def _parse_params(pairs: Sequence[str]) -> dict[str, Any]:
    """``["carbon_price=150", "time.days=4"]`` -> ``{"carbon_price": 150, "time.days": 4}``.

    Values are read as YAML, so ``years=[2025,2030]`` and ``capex={solar: 250}`` work.
    """
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or not key.strip():
            raise InputError(Problem(f"--param {pair!r}", "expected KEY=VALUE, e.g. carbon_price=150"))
        try:
            out[key.strip()] = load_value(text) if text.strip() else ""
        except yaml.YAMLError:
            out[key.strip()] = text
    return out


def _notes(notes: Sequence[str] | str | None) -> None:
    """Print notes (e.g. the unit a bare number was taken in) to stderr."""
    if isinstance(notes, str):
        notes = notes.split("; ") if notes else []
    for note in notes or []:
        print(f"note: {note}", file=sys.stderr)


def cmd_validate(args: argparse.Namespace) -> int:
    from synergy_models.data.loader import build_primary, dataset_folder, load_inputs
    from synergy_models.data.overrides import apply_overrides, overridable
    from synergy_models.data.tables import read_tables
    from synergy_models.scenario import load_scenario
    from synergy_models.summary import summary_tables

    steps = Steps(args.quiet)
    scenario = steps("reading scenario", lambda: load_scenario(args.scenario, _parse_params(args.param)))
    if args.list_parameters:
        tables = read_tables(dataset_folder(scenario.dataset))
        primary = build_primary(tables)
        apply_overrides(primary, scenario.parameters, tables.ureg, scenario.origin)  # checked, too
        for name in overridable(primary):
            da = primary[name]
            dims = f"({', '.join(map(str, da.dims))})" if da.dims else ""
            print(f"{name}{dims} [{da.attrs.get('units') or '1'}]: {da.attrs.get('long_name', '')}")
        return 0
    from synergy_models.solve import check_solver_options

    check_solver_options(scenario.solver.options, scenario.origin)
    inputs = steps("loading and checking inputs", lambda: load_inputs(scenario))
    _notes(inputs.attrs.get("assumed_units"))
    if not args.quiet:
        for title, frame in summary_tables(inputs):
            print(f"\n{title}\n{frame.to_string()}")
    print(f"\nscenario '{scenario.name}' is valid (inputs hash {inputs.attrs['inputs_hash'][:12]})")
    return 0


def cmd_inputs(args: argparse.Namespace) -> int:
    from synergy_models.data.loader import load_inputs
    from synergy_models.io import write_netcdf

    inputs = Steps(args.quiet)("loading inputs",
                                lambda: load_inputs(args.scenario, _parse_params(args.param)))
    _notes(inputs.attrs.get("assumed_units"))
    out = Path(args.out or f"reports/{inputs.attrs['scenario']}/inputs.nc")
    write_netcdf(inputs, out)
    print(f"wrote {out}")
    return 0


def cmd_scenarios(args: argparse.Namespace) -> int:
    from synergy_models.scenario import available_scenarios

    for name, description in available_scenarios().items():
        print(f"{name:<24} {description}")
    return 0


def cmd_profiles(args: argparse.Namespace) -> int:
    from synergy_models.data.loader import dataset_folder, regenerate_profiles

    folder = dataset_folder(args.dataset)
    steps = Steps(args.quiet)
    if args.check:
        same, message = steps("regenerating and comparing", lambda: regenerate_profiles(
            folder, check_only=True))
        print(message)
        return 0 if same else 1
    _, message = steps("generating profiles", lambda: regenerate_profiles(folder))
    print(message)
    return 0


def cmd_provenance(args: argparse.Namespace) -> int:
    from synergy_models.data.loader import dataset_folder
    from synergy_models.data.tables import read_tables
    from synergy_models.io import replacing

    frame = read_tables(dataset_folder(args.dataset)).provenance()
    if args.out:
        with replacing(args.out) as tmp:  # no half-written CSV if the run fails
            frame.to_csv(tmp, index=False)
        print(f"wrote {len(frame)} rows to {args.out}")
    else:
        import pandas as pd

        with pd.option_context("display.max_rows", None, "display.max_colwidth", 80,
                               "display.width", 200):
            print(frame.to_string(index=False))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from synergy_models.io import writable_path
    from synergy_models.results import write_results
    from synergy_models.run import cache_path, load_or_solve
    from synergy_models.scenario import load_scenario
    from synergy_models.summary import results_tables

    t0 = time.perf_counter()
    scenario = load_scenario(args.scenario, _parse_params(args.param))
    if scenario.parameters:
        from synergy_models.data.loader import unit_notes

        _notes(unit_notes(scenario))
    out = Path(args.out or f"reports/{scenario.name}/results.nc")
    writable_path(out)  # before the solve, not after it
    steps = Steps(args.quiet)
    # through the results cache: a scenario `synergy report` (or an earlier run) solved with the
    # same inputs, solver settings and model code is read, not solved again
    inputs, results = load_or_solve(scenario, cache_dir=False if args.no_cache else None,
                                    steps=steps, out=out)
    steps("writing results", lambda: write_results(results, out))
    if not args.quiet:
        for title, frame in results_tables(results):
            print(f"\n{title}\n{frame.to_string()}")
    cached = None if args.no_cache else cache_path(inputs, scenario.solver)
    how = ("read from the cache " if any(k.startswith("reading solved results") for k in steps.times)
           else "solved; cached in ") + str(cached) if cached else "solved without the cache"
    print(f"\nwrote {out} (objective {results.attrs['objective']:,.0f} MUSD; {how}; "
          f"{time.perf_counter() - t0:.1f} s)\n"
          f"tables: synergy export {out} [--format xlsx]")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from synergy_models.report import find_browser, print_pdf, render_report

    t0 = time.perf_counter()
    if args.pdf:
        find_browser()  # before the notebook runs: no browser, nothing rendered (exit 2)
    steps = Steps(args.quiet)
    folder = render_report(args.scenario, _parse_params(args.param),
                           Path(args.out) if args.out else None, notebook=args.notebook,
                           steps=steps)
    size = (folder / "report.html").stat().st_size / 1e6
    results = sorted(p.name for p in folder.glob("results*.nc"))
    print(f"wrote {folder}/report.html ({size:.1f} MB), report.ipynb, charts/"
          + (f" and {', '.join(results)}" if results else "")
          + f" in {time.perf_counter() - t0:.0f} s"
          + (f"\ntables: synergy export {folder / results[0]} [--format xlsx]" if results else ""))
    if args.pdf:
        pdf = print_pdf(folder / "report.html")
        print(f"wrote {pdf} ({pdf.stat().st_size / 1e6:.1f} MB)")
    return 0


def _solved(args: argparse.Namespace) -> tuple[Any, Any]:
    """(results, inputs) of ``args.scenario``: read from ``--results``, or through the results
    cache (solved when this code has not solved these inputs before)."""
    from synergy_models.results import read_results_given
    from synergy_models.run import ScenarioRuns, load_or_solve

    if args.results:
        results = read_results_given(args.results)
        inputs = ScenarioRuns(args.scenario, _parse_params(args.param)).inputs()
        if results.attrs.get("inputs_hash") != inputs.attrs.get("inputs_hash"):
            print(f"warning: {args.results} was not solved from these inputs (inputs hash differs)",
                  file=sys.stderr)
        return results, inputs
    inputs, results = load_or_solve(args.scenario, _parse_params(args.param), quiet=args.quiet)
    return results, inputs


def _check_market_args(args: argparse.Namespace) -> None:
    """The projection's and the reverse search's options, checked before anything is solved."""
    import math

    from synergy_models.scenario import MODEL_YEARS

    problems = []
    if not MODEL_YEARS[0] <= args.end_year <= 2100:
        problems.append(Problem("--end-year", "the projection must end in or after the first "
                                "model year", value=args.end_year,
                                expected=f"a year from {MODEL_YEARS[0]} to 2100"))
    if not (math.isfinite(args.end_value) and args.end_value > 0):
        problems.append(Problem("--end-value", "not a positive number", value=args.end_value,
                                expected="USD bn, more than 0"))
    if not (math.isfinite(args.cagr) and -1 < args.cagr <= 10):
        problems.append(Problem("--cagr", "growth per year out of range", value=args.cagr,
                                expected="a share above -1 (-100%) and at most 10, e.g. 0.42"))
    low, high = args.bracket or (0.0, 1.0)
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        problems.append(Problem("--bracket", "LOW must be below HIGH (both finite)",
                                value=f"{low:g} {high:g}", expected="LOW HIGH, e.g. 0.05 0.50"))
    if problems:
        raise InputError(problems)


def cmd_market(args: argparse.Namespace) -> int:
    import pandas as pd

    from synergy_models.market import (
        LEVERS,
        gap,
        gap_table,
        load_layers,
        load_segments,
        market_value,
        outlook,
        outlook_table,
        projection,
        required_parameter,
    )
    from synergy_models.run import ScenarioRuns
    from synergy_models.summary import compute_exports_by_hub_table
    from synergy_models.units import USD_PER_USD_BN

    _check_market_args(args)
    load_segments(args.segments)  # a broken segments file is found before the solve
    layers = load_layers(args.layers)  # a broken layers file fails before any solve
    runs = ScenarioRuns(args.scenario, _parse_params(args.param)) if args.search else None
    bracket = tuple(args.bracket) if args.bracket else None
    if runs is not None and args.search not in LEVERS:
        # A parameter key for the search: loaded once with it, so a misspelt key fails before any
        # solve, named as the override machinery names it.
        if bracket is None:
            if args.search.split(".")[0] not in runs.inputs():
                runs.inputs({args.search: 1.0})  # raises, naming the unknown key
            raise InputError(Problem("--bracket", f"no default search range for "
                                     f"'{args.search}'", expected="--bracket LOW HIGH in the "
                                     f"parameter's units (defaults exist for {', '.join(LEVERS)})"))
        runs.inputs({args.search: bracket[0]})
    results, inputs = _solved(args)
    path = projection(args.end_value * USD_PER_USD_BN, args.end_year, args.cagr)
    market = market_value(results, args.segments, inputs)
    if not market.attrs["data_centres"]:
        print(market.attrs["note"])
        return 0
    frame = (market.value / USD_PER_USD_BN).to_pandas()
    frame.loc["total"] = market.total.values / USD_PER_USD_BN
    print(f"Model-implied market (layer a), USD bn/year ({market.attrs['basis']} investment)\n"
          f"{frame.round(2).to_string()}")
    view = outlook(results, inputs, layers, args.segments)
    table = outlook_table(view, path)
    with pd.option_context("display.width", 160, "display.max_colwidth", 90):
        print(f"\nMarket outlook by layer, USD bn/year (sources: {view.attrs['layers_file']})\n"
              f"{table.round(2).to_string()}\n{table.attrs['note']}")
        table = gap_table(gap(market, path))
        print(f"\nProjection vs model (layer a)\n{table.round(2).to_string()}\n"
              f"{table.attrs['note']}")
        by_hub = compute_exports_by_hub_table(results, inputs=inputs)
        if not by_hub.empty:
            print(f"\nCompute exports vs UHV by western hub, {int(results.year[-1])} (origins in "
                  "other grid regions; costs a year, the UHV line sized at the average power "
                  f"sent)\n{by_hub.round(2).to_string()}")
    if runs is not None:
        result = required_parameter(runs, args.search, bracket, path=path, segments=args.segments,
                                    measure=args.measure, layers=layers,
                                    log=None if args.quiet else print)
        what = "sum of the layers" if args.measure == "outlook" else "model layer (a)"
        print(f"\nreverse search ({what} vs the projection): {result.message}")
    return 0


def cmd_indicators(args: argparse.Namespace) -> int:
    from synergy_models.indicators import indicator_table, indicators
    from synergy_models.io import replacing

    if args.year is not None and not args.results:  # a year not modelled: say so before solving
        from synergy_models.scenario import load_scenario

        years = list(load_scenario(args.scenario, _parse_params(args.param)).year_weights)
        if args.year not in years:
            raise InputError(Problem("--year", f"{args.scenario} does not model this year",
                                     value=args.year, expected=f"one of {years}"))
    results, inputs = _solved(args)
    table = indicator_table(indicators(results, inputs))
    if args.out:
        with replacing(args.out) as tmp:  # no half-written CSV if the run fails
            table.to_csv(tmp, index=False)
        print(f"wrote {len(table)} rows to {args.out}")
        return 0
    import pandas as pd

    year = args.year if args.year is not None else int(table.year.max())
    if year not in set(table.year.astype(int)):
        raise InputError(Problem("--year", "no such modelled year in the results", value=year,
                                 expected=f"one of {sorted(set(table.year.astype(int)))}"))
    rows = table[table.year == year].drop(columns="year")
    wide = rows.set_index(["indicator", "units", "region"]).value.unstack("region")
    wide = wide.reindex(index=rows.set_index(["indicator", "units"]).index.unique(),
                        columns=rows.region.unique())
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(f"Indicators {year} (docs/indicators.md)\n{wide.round(3).to_string()}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from synergy_models.export import FORMATS, check_output, default_output, export_results
    from synergy_models.indicators import indicators
    from synergy_models.results import read_results_given

    fmt = args.format or ("xlsx" if args.out and str(args.out).lower().endswith(".xlsx") else "csv")
    out = Path(args.out) if args.out else default_output(args.results, fmt)
    if fmt in FORMATS:
        check_output(out, fmt)  # before reading: a wrong -o fails at once
    results = read_results_given(args.results, "RESULTS")
    tables, left_out = export_results(results, out, fmt, indicators(results))
    where = f"{out}/ (one CSV per table, contents.csv)" if fmt == "csv" else (
        f"{out} (one sheet per table, sheet 'contents')")
    print(f"wrote {len(tables) - len(left_out)} tables to {where}")
    for name in left_out:
        print(f"note: {name} has too many rows for a sheet and was left out: use --format csv",
              file=sys.stderr)
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    from synergy_models.sweep import load_sweep, run_sweep

    sweep = load_sweep(args.sweep)
    out = Path(args.out or f"reports/sweeps/{sweep.name}")
    t0 = time.perf_counter()
    ds = run_sweep(sweep, out, workers=args.workers, scheduler=args.scheduler,
                   progress=not args.quiet, reuse=args.reuse)
    failed = [f"  case {c}: {m.splitlines()[0]}" for c, s, m in
              zip(ds.case.values, ds.status.values, ds.message.values, strict=True) if s == "failed"]
    print(f"wrote {out}/sweep.nc and summary.csv: {ds.sizes['case']} cases, {len(failed)} failed, "
          f"{time.perf_counter() - t0:.0f} s" + "".join("\n" + f for f in failed))
    if args.report:
        from synergy_models.report import render_sweep_report

        # the notebook re-reads the finished cases (resume), so nothing is solved twice
        folder = render_sweep_report(args.sweep, out, workers=args.workers, scheduler=args.scheduler,
                                     steps=Steps(args.quiet))
        print(f"wrote {folder}/report.html")
    return 1 if failed else 0


def cmd_forecast(args: argparse.Namespace) -> int:
    import pandas as pd

    from synergy_models.data.loader import dataset_folder
    from synergy_models.forecast import (
        Holdout,
        forecast_profiles,
        hub_table,
        read_dataset_profiles,
        read_profiles_file,
        summary_table,
        write_forecast,
    )

    holdout = Holdout.parse(args.holdout)  # a bad --holdout fails before anything is read
    steps = Steps(args.quiet)
    if args.profiles:
        where = args.profiles
        profiles = steps("reading profiles", lambda: read_profiles_file(Path(args.profiles)))
    else:
        folder = dataset_folder(args.dataset)
        where = str(folder / "profiles.nc")
        profiles = steps("reading and checking the dataset", lambda: read_dataset_profiles(folder))
    with steps.part(f"fitting and evaluating ({args.model}, holdout {holdout})") as update:
        errors = forecast_profiles(profiles, holdout=holdout, model=args.model, seed=args.seed,
                                   where=where, progress=update)
    out = Path(args.out or "reports/forecast")
    nc, csv = write_forecast(errors, out)
    units = "load: share of mean load; wind, solar: share of capacity"
    with pd.option_context("display.width", 200, "display.max_rows", None,
                           "display.float_format", "{:.4f}".format):
        if args.by_hub:
            print(f"\nday-ahead RMSE on {errors.attrs['test_days']} held-out days by hub ({units})"
                  f"\n{hub_table(errors).to_string()}")
        print(f"\nday-ahead RMSE on {errors.attrs['test_days']} held-out days, mean over "
              f"{errors.sizes['region']} hubs ({units})\n{summary_table(errors).to_string()}")
    print(f"\n{errors.attrs['holdout_description']}; wrote {nc} and {csv}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="synergy",
        description="Computing-power-electricity synergy models for China's national computing hubs.",
    )
    parser.add_argument("--version", action="version", version=synergy_models.__version__)
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(name: str, help_: str, fn: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        p.set_defaults(fn=fn)
        p.add_argument("-q", "--quiet", action="store_true", help="print only the result")
        return p

    def scenario_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("scenario", help="scenario name in data/scenarios (e.g. base) or a YAML path")
        p.add_argument("-p", "--param", action="append", default=[], metavar="KEY=VALUE",
                       help="override a parameter or setting, e.g. carbon_price=150 or time.days=4")

    p = add("validate", "Check a scenario and its dataset without solving, and summarise them.",
            cmd_validate)
    scenario_args(p)
    p.add_argument("--list-parameters", action="store_true",
                   help="list the parameters a scenario can override, with units")
    p = add("inputs", "Write a scenario's checked inputs Dataset to netCDF.", cmd_inputs)
    scenario_args(p)
    p.add_argument("-o", "--out", help="output path (default reports/<scenario>/inputs.nc)")
    add("scenarios", "List the scenarios in data/scenarios with their descriptions.", cmd_scenarios)
    p = add("profiles", "Regenerate a dataset's hourly profiles (profiles.nc) from its tables.",
            cmd_profiles)
    p.add_argument("--dataset", default="china_hubs", help="dataset name or folder")
    p.add_argument("--check", action="store_true",
                   help="only check that the shipped file matches the generator")
    p = add("provenance", "Print (or save) every number of a dataset with its unit, year and source.",
            cmd_provenance)
    p.add_argument("--dataset", default="china_hubs", help="dataset name or folder")
    p.add_argument("-o", "--out", help="write CSV here instead of printing")
    p = add("run", "Solve a scenario and write its results (netCDF) with a summary.", cmd_run)
    scenario_args(p)
    p.add_argument("-o", "--out", help="results file (default reports/<scenario>/results.nc)")
    p.add_argument("--no-cache", action="store_true",
                   help="solve even if reports/cache holds these results (and do not cache them)")
    p = add("report", "Render a scenario's report (or compare several) into reports/ with "
            "papermill: report.ipynb, an offline report.html and the charts as SVG and PNG.",
            cmd_report)
    p.add_argument("scenario", nargs="+",
                   help="scenario name(s) in data/scenarios or YAML paths; several: a comparison")
    p.add_argument("-p", "--param", action="append", default=[], metavar="KEY=VALUE",
                   help="a notebook parameter (carbon_price=150, hub=GS, years=[2030]) or any "
                        "scenario parameter or setting (green_share_target=0.9, time.days=4)")
    p.add_argument("--notebook", choices=["scenario_report", "scenario_comparison", "market_outlook",
                                            "getting_started", "ai_for_grid"],
                   help="notebook to render (default: scenario_report for one scenario, "
                        "scenario_comparison for several)")
    p.add_argument("-o", "--out", help="output folder (default reports/<scenario>)")
    p.add_argument("--pdf", action="store_true",
                   help="also print report.html to report.pdf (landscape A4) with headless "
                        "Chromium, which must be installed")
    p = add("market", "Model-implied market by segment vs the $310B projection (a projection, not "
            "calibration data); optionally the parameter value that reaches it.", cmd_market)
    scenario_args(p)
    p.add_argument("--results", help="read solved results (netCDF) instead of solving")
    p.add_argument("--segments", help="segments file (default data/market_segments.yaml)")
    p.add_argument("--end-value", type=float, default=310.0, help="projection, USD bn (310)")
    p.add_argument("--end-year", type=int, default=2030, help="projection end year (2030)")
    p.add_argument("--cagr", type=float, default=0.42, help="projection growth per year (0.42)")
    p.add_argument("--search", metavar="PARAMETER", help="reverse search over solves: compute_growth, "
                   "compute_scale or a parameter key (docs/market.md)")
    p.add_argument("--bracket", type=float, nargs=2, metavar=("LOW", "HIGH"),
                   help="search range of the parameter (default: compute_growth 0.05 0.50, "
                   "compute_scale 0.5 4; needed for other parameters)")
    p.add_argument("--measure", choices=["outlook", "model"], default="outlook",
                   help="what the search brings to the projection: the sum of the outlook's "
                   "layers (default) or the model's layer alone")
    p.add_argument("--layers", help="outlook layers file (default data/market_layers.yaml)")
    p = add("indicators", "Safety and efficiency indicators of a scenario by hub and year.",
            cmd_indicators)
    scenario_args(p)
    p.add_argument("--results", help="read solved results (netCDF) instead of solving")
    p.add_argument("--year", type=int, help="year to show (default the last); all years with -o")
    p.add_argument("-o", "--out", help="write the tidy table (all years) as CSV")
    p = add("export", "Write solved results as tidy tables with units: a folder of CSV files or "
            "one xlsx workbook, one table per variable group (docs/results.md#export).", cmd_export)
    p.add_argument("results", help="results file (netCDF) of `synergy run` or `synergy report`, "
                   "e.g. reports/base/results.nc")
    p.add_argument("--format", choices=["csv", "xlsx"],
                   help="csv (a folder, default) or xlsx (one file); default from -o's suffix")
    p.add_argument("-o", "--out", help="folder (csv) or .xlsx file; default beside RESULTS: "
                   "results_tables/ or results.xlsx")
    p = add("sweep", "Solve every case of a sweep file (local processes or a Dask cluster) into one "
            "Dataset with a case dimension and a summary table (docs/sweeps.md).", cmd_sweep)
    p.add_argument("sweep", help="sweep file (YAML), e.g. data/sweeps/carbon_x_growth.yaml")
    p.add_argument("--workers", type=int, default=1, help="local worker processes (default 1)")
    p.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help="run on this Dask scheduler's workers instead of local processes")
    p.add_argument("-o", "--out", help="output folder (default reports/sweeps/<name>)")
    p.add_argument("--no-reuse", dest="reuse", action="store_false",
                   help="build every case's model afresh (by default cases that differ only in "
                   "the carbon price are re-solved on one built model)")
    p.add_argument("--report", action="store_true",
                   help="also render notebooks/sweep_report.ipynb into the output folder")
    p = add("forecast", "Fit a day-ahead forecaster of the hourly load, wind and solar profiles, "
            "compare it with persistence and seasonal naive on held-out days, and write the "
            "errors (netCDF) and their sigma (CSV, for the reserve module; docs/forecast.md).",
            cmd_forecast)
    p.add_argument("--dataset", default="china_hubs", help="dataset name or folder (china_hubs)")
    p.add_argument("--profiles", metavar="FILE",
                   help="forecast this netCDF file's load_profile, wind_cf and solar_cf (region, "
                   "time) instead of a dataset's profiles (measured series, say)")
    p.add_argument("-o", "--out", help="output folder (default reports/forecast)")
    p.add_argument("--holdout", default="every:4",
                   help="held-out days: every:K (every K-th week, default every:4) or last:N")
    p.add_argument("--model", choices=["hgb", "ridge"], default="hgb",
                   help="gradient-boosted trees (hgb, default) or ridge regression")
    p.add_argument("--seed", type=int, default=0, help="random_state of the forecaster (0)")
    p.add_argument("--by-hub", action="store_true", help="also print each hub's errors")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.fn(args))
    except SynergyError as err:
        if args.debug:
            raise
        print(f"error: {err}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
