"""Rows, nonzeros and columns of a scenario's compiled LP by constraint and variable family.

Each row of the standard form is counted under the Pyomo component it comes from
(``thermal.commit_limit``, ``storage.day_upper``...), each column under its variable; rows the
compiler drops (empty or constant) are not counted, as HiGHS never sees them. This is what
docs/performance.md's "Where base's rows come from" table was made with.

Run from the repository root::

    .venv/bin/python bench/lp_families.py                         # base
    .venv/bin/python bench/lp_families.py base -p time.segments=6
    .venv/bin/python bench/lp_families.py milestones --columns
"""

from __future__ import annotations

import argparse
import collections

import numpy as np

from synergy_models.cli import _parse_params
from synergy_models.data.loader import load_inputs
from synergy_models.model.build import build_model
from synergy_models.scenario import load_scenario
from synergy_models.solve import compile_model


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", nargs="?", default="base")
    parser.add_argument("-p", "--param", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--columns", action="store_true", help="also list columns by variable")
    args = parser.parse_args(argv)

    scenario = load_scenario(args.scenario, _parse_params(args.param) or None)
    form = compile_model(build_model(load_inputs(scenario)))
    per_row = np.diff(form.A.tocsr().indptr)
    rows: collections.Counter[str] = collections.Counter()
    nonzeros: collections.Counter[str] = collections.Counter()
    for i, con in enumerate(form.rows):
        name = con.parent_component().name
        rows[name] += 1
        nonzeros[name] += int(per_row[i])
    n_rows, n_cols = form.shape
    print(f"{args.scenario}: {n_rows:,} rows, {n_cols:,} columns, {form.A.nnz:,} nonzeros")
    print("| rows | nonzeros | constraint family |\n|---:|---:|---|")
    for name, n in rows.most_common():
        print(f"| {n:,} | {nonzeros[name]:,} | `{name}` |")
    if args.columns:
        columns = collections.Counter(v.parent_component().name for v in form.columns)
        print("\n| columns | variable |\n|---:|---|")
        for name, n in columns.most_common():
            print(f"| {n:,} | `{name}` |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
