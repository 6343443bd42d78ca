"""Scaling of the power-market LP: 8 hubs x 24 k hours (k hourly representative days of 2030),
built and solved with this package (Pyomo) and with linopy, one run of ``power_benchmark.py`` each.

For every k the two implementations run one after the other in their own subprocesses (see
``bench/power_benchmark.py``: build, hand-off, HiGHS, solution back, peak memory, objectives). The
table puts the package's figures next to linopy's, with the end-to-end ratio, the package's share
of time outside HiGHS and the memory ratio. The full year (k = 365, 8,760 hours) takes about an
hour for the two solves; pass the JSON that ``power_benchmark.py --time-limit 0 --json`` wrote for
it with ``--full-year`` to add it as the last row instead of solving it again.

Run from the repository root::

    .venv/bin/python bench/scaling.py                                  # k = 1, 2, 4, 8, 16, 32
    .venv/bin/python bench/scaling.py --days 1 4 16 --threads 2
    .venv/bin/python bench/scaling.py --full-year full_year.json --json scaling.json
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def run_case(days: int, threads: int, method: str) -> dict[str, Any]:
    """``power_benchmark.py`` for ``days`` hourly representative days of 2030; its JSON."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "case.json"
        cmd = [sys.executable, str(HERE / "power_benchmark.py"), "--scenario", "base",
               "--years", "2030", "--days", str(days), "--segments", "24", "--threads",
               str(threads), "--method", method, "--time-limit", "0", "--json", str(out)]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        return json.loads(out.read_text(encoding="utf-8"))


def row(label: str, figures: dict[str, Any]) -> str:
    p, lp = figures["results"]["package"], figures["results"]["linopy"]
    checks = figures["checks"]
    return (f"| {label} | {p['steps']:,} | {p['rows']:,} | {p['build']:.2f} / {lp['build']:.2f} | "
            f"{p['handoff']:.2f} / {lp['handoff']:.2f} | {p['highs']:.1f} / {lp['highs']:.1f} | "
            f"{p['total']:.1f} / {lp['total']:.1f} | {checks['total_ratio']:.2f} | "
            f"{checks['outside_share']:.1%} | {p['peak_mb']:,.0f} / {lp['peak_mb']:,.0f} | "
            f"{checks['memory_ratio']:.2f} | {checks['objective_rel']:.0e} |")


HEADER = ("| k days | hours | rows | build [s] pkg / linopy | hand-off [s] | HiGHS [s] | total [s] | "
          "total ratio | pkg outside HiGHS | peak memory [MB] | memory ratio | objective rel. diff |\n"
          "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, nargs="+", default=[1, 2, 4, 8, 16, 32])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--method", default="hipo")
    parser.add_argument("--full-year", default=None, metavar="JSON",
                        help="power_benchmark.py --json output of the full year, as the last row")
    parser.add_argument("--json", default=None, help="also write every case's figures here")
    args = parser.parse_args(argv)

    cases: dict[str, dict[str, Any]] = {}
    print(HEADER, flush=True)
    for k in args.days:
        print(f"k = {k} ...", file=sys.stderr, flush=True)
        cases[str(k)] = run_case(k, args.threads, args.method)
        print(row(str(k), cases[str(k)]), flush=True)
    if args.full_year:
        cases["365"] = json.loads(Path(args.full_year).read_text(encoding="utf-8"))
        print(row("365 (full year)", cases["365"]), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(cases, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
