"""Results as tidy tables for spreadsheets and other tools (``synergy export``).

A results Dataset (``docs/results.md``) becomes one table per variable group (capacity,
generation, prices, lines, storage, compute, hydrogen, emissions, reserve, balance, costs, limits,
time, indicators) and dimensions: one row per index (hub, technology, year, time step...), one column
per dimension and coordinate, one column per variable named with its units, ``capacity [GW]``.
Variables of one group with other dimensions go to a table of their own (``capacity_existing``),
those over time steps to ``<group>_steps``, over calendar days to ``<group>_days``. A
``contents`` table lists every table and column with its units and meaning.

CSV: one file per table in a folder; xlsx: one sheet per table in one workbook. Every table is
built before a file is written, and each file is written atomically
(:func:`synergy_models.io.replacing`): a failed export leaves no half-written file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import xarray as xr

from synergy_models.errors import InputError, OutputError, Problem
from synergy_models.io import replacing, writable_path

#: Variable groups, each with the names and name prefixes of its variables; the first group
#: that matches a variable takes it, a variable no group matches goes to ``other``.
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("limits", ("limit_",)),
    ("operating_reserves", ("reserve_",)),
    ("hydrogen", ("h2_", "electrolyser_", "fuel_cell_", "lcoh")),
    ("compute", ("dc_", "compute_", "exported_electricity", "uhv_equivalent_", "bandwidth",
                 "green_matched", "certificates", "green_share_achieved", "backup_capacity")),
    ("emissions", ("emissions", "grid_emission_intensity")),
    ("prices", ("price",)),
    ("lines", ("flow", "line_")),
    ("storage", ("storage_",)),
    ("capacity", ("capacity",)),
    ("generation", ("generation", "curtailment", "committed", "start_up", "must_run_floor",
                    "unserved", "demand")),
    ("reserve", ("firm_capacity", "peak_load_terms")),
    ("balance", ("balance", "scheduled_net_export")),
    ("costs", ("cost", "year_present_value")),
    ("time", ("weight", "step_hours", "day_period")),
)
FORMATS = ("csv", "xlsx")
#: Rows an Excel sheet holds (with its header row).
EXCEL_MAX_ROWS = 1_048_575
#: Excel's limit on a sheet name.
SHEET_NAME_CHARS = 31
_UNITS = re.compile(r"^(?P<name>.+?) \[(?P<units>.*)\]$")


def group_of(name: str) -> str:
    """The group of a results variable (:data:`GROUPS`), ``other`` if none matches."""
    for group, patterns in GROUPS:
        if any(name == p or name.startswith(p) for p in patterns):
            return group
    return "other"


def column_name(name: str, units: object) -> str:
    """``capacity [GW]``; a variable without units (or whose units are in a coordinate column,
    ``see limit_units``) keeps its bare name."""
    units = str(units or "")
    return name if not units or units.startswith("see ") else f"{name} [{units}]"


def variable_of(column: str) -> str:
    """The variable a value column holds: ``capacity [GW]`` -> ``capacity``."""
    match = _UNITS.match(column)
    return match.group("name") if match else column


@dataclass
class Table:
    """One exported table: its rows, and the variables its value columns hold."""

    name: str
    group: str
    dims: tuple[str, ...]
    variables: list[str]
    frame: pd.DataFrame


def _frame(ds: xr.Dataset, names: Sequence[str], dims: tuple[str, ...]) -> pd.DataFrame:
    sub = ds[list(names)]
    # coordinates along the table's dimensions only (term_role, period, hour...), no others
    sub = sub.drop_vars([c for c in sub.coords if not set(sub[c].dims) <= set(dims)])
    if not dims:  # scalars: one row
        frame = pd.DataFrame({n: [sub[n].item()] for n in names})
    else:
        frame = sub.to_dataframe(dim_order=list(dims)).reset_index()
    index = [c for c in frame.columns if c not in names]
    frame = frame[index + list(names)]
    for n in names:  # -0.0 from the solver is 0 (equal, and no "-0" in a spreadsheet)
        if frame[n].dtype.kind == "f":
            frame[n] = frame[n] + 0.0
    return frame.rename(columns={n: column_name(n, ds[n].attrs.get("units")) for n in names})


def _name_tables(group: str, found: list[tuple[tuple[str, ...], list[str]]]
                 ) -> list[tuple[str, tuple[str, ...], list[str]]]:
    """Table names of one group's (dims, variables): ``group``, ``group_steps`` (over time steps),
    ``group_days`` (calendar days); a second table under one name, or a table of one variable
    whose name is not the group's, is named by its (first) variable."""
    taken: set[str] = set()
    out = []
    # the table with the most variables keeps the group's name
    for dims, names in sorted(found, key=lambda f: -len(f[1])):
        suffix = "_steps" if "time" in dims else "_days" if "day" in dims else ""
        name = group + suffix
        if len(found) > 1 and len(names) == 1 and not names[0].startswith(group.rstrip("s")):
            name = names[0]  # one variable of another name (scheduled_net_export in balance)
        if name in taken and group == "indicators" and "region" not in dims:
            name = f"{group}_system{suffix}"  # system-wide values of a group by hub
        if name in taken:
            name = names[0] if names[0].endswith(suffix) else names[0] + suffix
        n = 2
        while name in taken:
            name, n = f"{name}_{n}", n + 1
        taken.add(name)
        out.append((name, dims, names))
    return out


def _tables_of(ds: xr.Dataset, group_for: dict[str, str]) -> list[Table]:
    by_group: dict[str, dict[tuple[str, ...], list[str]]] = {}
    for name, da in ds.data_vars.items():
        by_group.setdefault(group_for[str(name)], {}).setdefault(tuple(map(str, da.dims)), []).append(
            str(name))
    tables = []
    for group, found in by_group.items():
        for name, dims, names in _name_tables(group, list(found.items())):
            tables.append(Table(name, group, dims, names, _frame(ds, names, dims)))
    return tables


def export_tables(results: xr.Dataset, indicators: xr.Dataset | None = None) -> list[Table]:
    """The tidy tables of a results Dataset (and of its indicators, when given: group
    ``indicators``), in the order of :data:`GROUPS`, then ``other``, then ``indicators``."""
    order = [g for g, _ in GROUPS] + ["other", "indicators"]
    # text variables (a line's ends) label their dimension's rows: columns of its tables
    results = results.set_coords([n for n, v in results.data_vars.items() if v.dtype.kind in "OSU"])
    tables = _tables_of(results, {str(n): group_of(str(n)) for n in results.data_vars})
    if indicators is not None and indicators.data_vars:
        tables += _tables_of(indicators, {str(n): "indicators" for n in indicators.data_vars})
    return sorted(tables, key=lambda t: (order.index(t.group), t.name))


def contents(tables: Sequence[Table], results: xr.Dataset,
             indicators: xr.Dataset | None = None) -> pd.DataFrame:
    """One row per column of every table: table, column, ``kind`` (``index``: a dimension or
    coordinate; ``value``: a variable), variable, units and meaning (its ``long_name``)."""
    rows = []
    for table in tables:
        source = indicators if table.group == "indicators" and indicators is not None else results
        for column in table.frame.columns:
            variable = variable_of(str(column))
            is_value = variable in table.variables
            attrs = source[variable].attrs if variable in source.variables else {}
            rows.append({"table": table.name, "column": column,
                         "kind": "value" if is_value else "index", "variable": variable,
                         "units": str(attrs.get("units", "")),
                         "meaning": str(attrs.get("long_name", "")),
                         "rows": len(table.frame)})
    return pd.DataFrame(rows, columns=["table", "column", "kind", "variable", "units", "meaning",
                                       "rows"])


def default_output(results_path: str | Path, fmt: str) -> Path:
    """``reports/base/results.nc`` -> ``reports/base/results_tables/`` (csv) or
    ``reports/base/results.xlsx``."""
    path = Path(results_path)
    return path.with_suffix(".xlsx") if fmt == "xlsx" else path.with_name(f"{path.stem}_tables")


def check_output(out: Path, fmt: str) -> None:
    """:class:`InputError` / :class:`OutputError` before anything is built or written: xlsx needs
    a file name ending ``.xlsx``; csv a folder (not an existing file)."""
    if fmt not in FORMATS:
        raise InputError(Problem("--format", "unknown format", value=fmt,
                                 expected=" or ".join(FORMATS)))
    if fmt == "xlsx":
        if out.suffix.lower() != ".xlsx":
            raise InputError(Problem("-o", "an xlsx export is one file", value=str(out),
                                     expected="a file name ending .xlsx"))
        writable_path(out)
    else:
        if out.exists() and not out.is_dir():
            raise OutputError(f"{out}: is a file; a CSV export writes a folder of tables")
        if out.suffix.lower() in (".csv", ".xlsx", ".nc"):
            raise InputError(Problem("-o", "a CSV export writes a folder, one file per table",
                                     value=str(out), expected="a folder name, e.g. results_tables"))


def write_csv(tables: Sequence[Table], table_of_contents: pd.DataFrame, out: Path) -> list[Path]:
    """One ``<table>.csv`` per table and ``contents.csv`` in the folder ``out``."""
    written = []
    for name, frame in [("contents", table_of_contents), *((t.name, t.frame) for t in tables)]:
        with replacing(out / f"{name}.csv") as tmp:
            frame.to_csv(tmp, index=False)
        written.append(out / f"{name}.csv")
    return written


def sheet_names(tables: Sequence[Table]) -> dict[str, str]:
    """Each table's sheet name: its name cut to Excel's 31 characters, made unique."""
    names: dict[str, str] = {}
    for table in tables:
        name = table.name[:SHEET_NAME_CHARS]
        n = 2
        while name in names.values() or name == "contents":
            tail = f"_{n}"
            name, n = table.name[:SHEET_NAME_CHARS - len(tail)] + tail, n + 1
        names[table.name] = name
    return names


def write_xlsx(tables: Sequence[Table], table_of_contents: pd.DataFrame, out: Path) -> list[str]:
    """One workbook: a ``contents`` sheet (with each table's sheet), then one sheet per table.
    A table longer than a sheet (:data:`EXCEL_MAX_ROWS`, e.g. hourly series of a full year) is
    left out, and ``contents`` says so. Returns the names of the tables left out."""
    sheets = sheet_names(tables)
    too_long = [t.name for t in tables if len(t.frame) > EXCEL_MAX_ROWS]
    toc = table_of_contents.copy()
    toc.insert(1, "sheet", [("(too many rows for a sheet: use --format csv)" if t in too_long
                             else sheets[t]) for t in toc.table])
    with replacing(out) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as writer:
        toc.to_excel(writer, sheet_name="contents", index=False)
        for table in tables:
            if table.name not in too_long:
                table.frame.to_excel(writer, sheet_name=sheets[table.name], index=False)
    return too_long


def export_results(results: xr.Dataset, out: str | Path, fmt: str = "csv",
                   indicators: xr.Dataset | None = None) -> tuple[list[Table], list[str]]:
    """Write ``results`` (and ``indicators``) as tidy tables to ``out``: a folder of CSV files or
    one xlsx workbook. Returns the tables and the names of those left out (xlsx: too long)."""
    out = Path(out)
    check_output(out, fmt)
    tables = export_tables(results, indicators)
    toc = contents(tables, results, indicators)
    if fmt == "xlsx":
        return tables, write_xlsx(tables, toc, out)
    write_csv(tables, toc, out)
    return tables, []


def read_table(path: str | Path, sheet: str | None = None) -> pd.DataFrame:
    """An exported table read back (CSV, or a sheet of an xlsx workbook)."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        return pd.read_excel(path, sheet_name=sheet or "contents", engine="openpyxl")
    return pd.read_csv(path, float_precision="round_trip")  # exactly the values written
