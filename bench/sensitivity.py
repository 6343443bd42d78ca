"""One-at-a-time sensitivity of ``base`` to the numbers that are unsourced or sourced only as a
range (issue 17; the project rule: "whether one unsourced number decides an outcome").

Each parameter below is set, alone, to the low and then the high end of its range (``RANGES``: each
end with where it comes from) through the package's ordinary override mechanism: one
``synergy run base -p KEY=VALUE`` per case, in its own process (as ``bench/provinces.py``), so a
case is exactly what a user would get on the command line. An end equal to the shipped value is
not run again. For every case the script prints, as differences against ``base`` run the same
way: the objective, 2030 emissions, 2030 coal, gas, wind, solar and battery capacity, 2030 wind
and solar curtailment, the 2030 demand-weighted mean price and the 2030 reserve-margin shortfall.

Corridor defaults (``default_max_new``, ``default_schedule_floor`` of transmission.csv) are not
parameters of the inputs Dataset: the loader fills each line's own value with them. Their cases
set ``line_max_new`` / ``line_schedule_floor`` for every line that has no value of its own in
line_parameters.csv, which is what changing the default does.

Run from the repository root (``--fast``: 4 representative days instead of base's 8, about half
the time; the figures of docs/calibration.md are from the full grid)::

    .venv/bin/python bench/sensitivity.py                     # every parameter, base's grid
    .venv/bin/python bench/sensitivity.py --fast              # quicker, coarser
    .venv/bin/python bench/sensitivity.py --only min_stable_load.coal --only demand_response_cost
    .venv/bin/python bench/sensitivity.py --list              # the cases and their overrides
    .venv/bin/python bench/sensitivity.py --json sens.json --markdown sens.md
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import xarray as xr

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2030
TECHS = ("coal", "gas", "wind", "solar", "battery")
FAST = ("time.days=4",)


@dataclass(frozen=True)
class Range:
    """A parameter's shipped value and the ends of its range, in ``unit`` (a unit the override
    mechanism converts, so the numbers read as in the data files)."""

    key: str            # override key (dotted: ``min_stable_load.coal``), or a corridor default
    shipped: float
    low: float
    high: float
    unit: str           # "" for dimensionless
    source: str         # where the ends come from
    #: a corridor default: the line_parameters.csv parameter each line may hold itself; the cases
    #: then set the Dataset's ``line_<line_param>`` for the lines without their own value
    line_param: str | None = None


RANGES: tuple[Range, ...] = (
    Range("min_stable_load.coal", 0.4, 0.3, 0.5, "",
          "NEA flexibility-retrofit pilots (Economic Daily, 21 Jun 2016, "
          "paper.ce.cn/jjrb/html/2016-06/21/content_304065.htm): retrofitted condensing units "
          "30-35% of rating, CHP units 40-50%; un-retrofitted units about 50% (the retrofit "
          "lowers 'the traditional 50%' to 40-20%, scholarmate.com/S/0K3x0C)"),
    Range("min_stable_load.gas", 0.45, 0.3, 0.5, "",
          "no source found: the shipped 45% +-0.1-0.15 (combined cycle turndown; judgement)"),
    Range("start_up_cost.coal", 213.0, 124.0, 248.0, "USD/MW",
          "low: WWSIS-2 (Lew et al. 2013, NREL/TP-5500-55588, Table 7, USD2011) typical coal start, "
          "from Kumar et al. 2012 (NREL/SR-5500-55433), whose costs are stated as lower bounds; "
          "high: twice that lower bound (judgement)"),
    Range("start_up_cost.gas", 132.5, 81.0, 162.0, "USD/MW",
          "low: WWSIS-2 Table 7 gas combined-cycle start (USD2011), a lower bound as for coal; "
          "high: twice it (judgement)"),
    Range("demand_response_cost", 100.0, 30.0, 400.0, "CNY/kW/year",
          "low: Shandong 2018 pilot, at most 30 CNY per kW per response (one call a year); "
          "high: MOF/NDRC 2012 DSM fund, 400 CNY/kW for permanent reduction (parameters.csv)"),
    Range("demand_response_share", 0.05, 0.03, 0.05, "",
          "NDRC Measures for Power Demand-Side Management (2023): 3-5% of peak load by 2025"),
    Range("chp_output", 0.5, 0.4, 0.6, "",
          "no source found: heat-led extraction units hold about half load; +-0.1 (judgement)"),
    Range("default_max_new", 4.0, 0.0, 8.0, "GW",
          "economic builds on the 8 corridors without a planned line: the national pace of about "
          "4 +-800 kV DC lines approved a year (2026-28 approvals can serve by 2030), a third of "
          "them between hubs, split evenly = 4 GW each (transmission.csv); 0 (no line beyond the "
          "planned ones) to 8 (one 8 GW line per corridor, the earlier default)",
          line_param="max_new"),
    Range("line_contract_headroom", 0.1, 0.0, 0.25, "",
          "no source found; 0.25 is the 25% check of the line volumes (docs/calibration.md)"),
    Range("default_schedule_floor", 1.0, 0.7, 1.0, "",
          "modelling choice: flat contracted schedules; 0.7 as in docs/calibration.md",
          line_param="schedule_floor"),
)


@dataclass(frozen=True)
class Case:
    name: str
    key: str
    end: str            # "low" or "high"
    value: float
    overrides: tuple[str, ...]   # KEY=VALUE, as ``synergy run -p`` takes them


def lines_without_own(dataset_dir: Path, line_param: str) -> list[str]:
    """Lines of ``lines.csv`` that hold no ``line_param`` of their own in line_parameters.csv:
    the ones a corridor default applies to."""
    with open(dataset_dir / "lines.csv", newline="", encoding="utf-8") as f:
        lines = [row["line"] for row in csv.DictReader(f)]
    own = set()
    params = dataset_dir / "line_parameters.csv"
    if params.exists():
        with open(params, newline="", encoding="utf-8") as f:
            own = {row["line"] for row in csv.DictReader(f)
                   if row["parameter"] == line_param and (row.get("value") or "").strip()}
    return [line for line in lines if line not in own]


def _value(value: float, unit: str) -> str:
    text = f"{value:g}"
    return f"{text} {unit}" if unit else text


def case_overrides(rng: Range, value: float, dataset_dir: Path) -> tuple[str, ...]:
    """The ``-p`` overrides that set ``rng`` to ``value``."""
    if rng.line_param is None:
        return (f"{rng.key}={_value(value, rng.unit)}",)
    lines = lines_without_own(dataset_dir, rng.line_param)
    var = f"line_{rng.line_param}"
    return tuple(f"{var}.{line}={_value(value, rng.unit)}" for line in lines)


def make_cases(ranges: tuple[Range, ...], dataset_dir: Path) -> list[Case]:
    """A low and a high case per range, leaving out an end equal to the shipped value."""
    cases = []
    for rng in ranges:
        if not rng.low <= rng.shipped <= rng.high:
            raise ValueError(f"{rng.key}: shipped value {rng.shipped} outside its range "
                             f"{rng.low}-{rng.high}")
        for end, value in (("low", rng.low), ("high", rng.high)):
            if math.isclose(value, rng.shipped):
                continue
            cases.append(Case(f"{rng.key}={value:g}", rng.key, end, value,
                              case_overrides(rng, value, dataset_dir)))
    return cases


def run_case(scenario: str, overrides: tuple[str, ...], out: Path) -> dict[str, float]:
    """One ``synergy run`` in a child process; the figures of its results file."""
    cmd = [sys.executable, "-m", "synergy_models", "run", scenario, "--no-cache", "-q",
           "--out", str(out)]
    for p in overrides:
        cmd += ["-p", p]
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}")
    figures = results_figures(out)
    figures["wall_s"] = time.perf_counter() - start
    return figures


def results_figures(path: Path) -> dict[str, float]:
    """The compared outcomes of one results file (2030 unless said otherwise)."""
    with xr.open_dataset(path) as ds:
        energy = (ds["demand"].sel(year=YEAR) * ds["weight"]).sum("time")
        price = ds["price_average"].sel(year=YEAR)
        cap = ds["capacity"].sel(year=YEAR).sum("region")
        vre = [t for t in ("wind", "solar") if t in ds.gen_tech.values]
        cost = ds["cost"].sel(year=YEAR)
        figures = {
            "objective": float(ds.attrs["objective"]),
            "emissions": float(ds["emissions"].sel(year=YEAR).sum()),
            **{f"cap_{t}": float(cap.sel(tech=t)) for t in TECHS},
            "curtailment": float(ds["curtailment_annual"].sel(year=YEAR, gen_tech=vre).sum()),
            "price": float((price * energy).sum() / energy.sum()),
            "shortfall_cost": (float(cost.sel(component="reserve_shortfall"))
                               if "reserve_shortfall" in ds.component.values else 0.0),
        }
    return figures


#: (key, heading, format of the difference)
COLUMNS = (("objective", "objective [MUSD]", "{:+,.0f} ({:+.2%})"),
           ("emissions", "CO2 [Mt]", "{:+.1f} ({:+.1%})"),
           ("cap_coal", "coal [GW]", "{:+.1f}"), ("cap_gas", "gas [GW]", "{:+.1f}"),
           ("cap_wind", "wind [GW]", "{:+.1f}"), ("cap_solar", "solar [GW]", "{:+.1f}"),
           ("cap_battery", "battery [GW]", "{:+.1f}"),
           ("curtailment", "curtailment [TWh]", "{:+.1f}"),
           ("price", "mean price [USD/MWh]", "{:+.2f}"),
           ("shortfall_gw", "reserve shortfall [GW]", "{:+.1f}"))


def with_shortfall_gw(figures: dict[str, float], shortfall_cost: float) -> dict[str, float]:
    """The reserve shortfall in GW: its annual cost over the price per GW of missing capacity."""
    return {**figures, "shortfall_gw": figures["shortfall_cost"] / shortfall_cost}


def table(base: dict[str, float], cases: dict[str, dict[str, float]]) -> str:
    head = "| case | " + " | ".join(h for _, h, _ in COLUMNS) + " |"
    lines = [head, "|---|" + "---:|" * len(COLUMNS),
             "| base (value) | " + " | ".join(
                 f"{base[k]:,.0f}" if k == "objective" else f"{base[k]:,.1f}"
                 for k, _, _ in COLUMNS) + " |"]
    for name, c in cases.items():
        cells = []
        for key, _, fmt in COLUMNS:
            d = c[key] - base[key]
            cells.append(fmt.format(d, d / base[key]) if "%" in fmt else fmt.format(d))
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", default="base")
    parser.add_argument("--fast", action="store_true",
                        help=f"reduced time grid ({', '.join(FAST)}) for base and every case")
    parser.add_argument("--only", action="append", default=[], metavar="KEY",
                        help="only this parameter (repeatable), e.g. min_stable_load.coal")
    parser.add_argument("--list", action="store_true", help="print the cases and stop")
    parser.add_argument("--json", default=None, help="also write every case's figures here")
    parser.add_argument("--markdown", default=None, help="also write the table here")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    from synergy_models.data.loader import dataset_folder, load_inputs
    from synergy_models.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    dataset_dir = dataset_folder(scenario.dataset)
    ranges = tuple(r for r in RANGES if not args.only or r.key in args.only)
    unknown = set(args.only) - {r.key for r in RANGES}
    if unknown:
        parser.error(f"no range for {', '.join(sorted(unknown))}; known: "
                     f"{', '.join(r.key for r in RANGES)}")
    cases = make_cases(ranges, dataset_dir)
    extra = FAST if args.fast else ()
    if args.list:
        for r in ranges:
            print(f"{r.key}: shipped {_value(r.shipped, r.unit)}, range "
                  f"{r.low:g}-{_value(r.high, r.unit)}\n    {r.source}")
        for c in cases:
            print(f"{c.name}: {' '.join('-p ' + o for o in (*extra, *c.overrides))}")
        return 0
    shortfall_cost = float(load_inputs(scenario)["reserve_shortfall_cost"])
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for i, (name, overrides) in enumerate([("base", ())] + [(c.name, c.overrides)
                                                               for c in cases]):
            print(f"[{i + 1}/{len(cases) + 1}] {name} ...", file=sys.stderr, flush=True)
            figures = run_case(args.scenario, (*extra, *overrides), Path(tmp) / f"case{i}.nc")
            results[name] = with_shortfall_gw(figures, shortfall_cost)
            print(f"    {figures['wall_s']:.0f} s, objective {figures['objective']:,.1f}",
                  file=sys.stderr, flush=True)
    base = results.pop("base")
    grid = f"{args.scenario}" + (f" with {', '.join(FAST)}" if args.fast else "")
    text = (f"One-at-a-time sensitivity of {grid}: differences against it in {YEAR} "
            f"(objective: whole horizon)\n\n{table(base, results)}")
    print("\n" + text)
    if args.markdown:
        Path(args.markdown).write_text(text + "\n", encoding="utf-8")
    if args.json:
        Path(args.json).write_text(json.dumps({"grid": grid, "base": base, "cases": results},
                                              indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
