"""Reading and checking a dataset's files: every problem is reported with file, row and column.

:func:`read_tables` returns the dataset as validated Python objects with every number already in the
unit its parameter declares (see :mod:`synergy_models.data.schema`); it reads no profile data.
"""

from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd
import pint
from pydantic import BaseModel, ValidationError

from synergy_models.data import schema
from synergy_models.errors import (
    ErrorDetails,
    InputError,
    Problem,
    ProblemCollector,
    read_text,
    validation_problems,
)
from synergy_models.units import convert, registry
from synergy_models.yamlfile import read_yaml


@dataclass(frozen=True)
class Number:
    """One number of a long table, converted to its parameter's unit, with where it came from."""

    file: str
    row: int
    key: str | None
    parameter: str
    year: int | None
    value: float
    unit: str
    raw_value: float
    raw_unit: str
    source: str


@dataclass
class Tables:
    """A dataset's files, validated."""

    folder: Path
    meta: schema.DatasetMeta
    regions: list[schema.RegionRow]
    external_regions: list[schema.ExternalRegionRow]
    lines: list[schema.LineRow]
    currency: list[schema.CurrencyRow]
    numbers: dict[str, list[Number]] = field(default_factory=dict)
    latency: list[schema.LatencyRow] = field(default_factory=list)
    #: day-ahead forecast errors by hub and source (``forecast_errors.csv``; optional)
    forecast_errors: list[schema.ForecastErrorRow] = field(default_factory=list)
    ureg: pint.UnitRegistry | None = None

    def value(self, file: str, key: str | None, parameter: str, year: int | None = None) -> float:
        """The converted value of one parameter; the schema default where it is optional."""
        for n in self.numbers[file]:
            if n.key == key and n.parameter == parameter and (year is None or n.year == year):
                return n.value
        table = next(t for t in schema.LONG_TABLES if t.file == file)
        default = table.params[parameter].default
        if default is None:
            raise KeyError((file, key, parameter, year))
        return default

    def has(self, file: str, key: str | None, parameter: str) -> bool:
        return any(n.key == key and n.parameter == parameter for n in self.numbers[file])

    def provenance(self) -> pd.DataFrame:
        """Every number of the dataset with its file, row, unit, year and source."""
        rows = [
            {"file": n.file, "row": n.row, "key": n.key or "", "parameter": n.parameter,
             "year": n.year, "value": n.raw_value, "unit": n.raw_unit, "source": n.source}
            for numbers in self.numbers.values() for n in numbers
        ]

        def wide(table: schema.WideTable, row: Any, key: str, parameter: str, unit: str,
                 year: int | None = None) -> None:
            rows.append({"file": _rel(self.folder / table.file), "row": row.where["row"], "key": key,
                         "parameter": parameter, "year": year, "value": getattr(row, parameter),
                         "unit": unit, "source": row.source})

        for r in self.regions:
            for col, unit in (("lat", "degree_north"), ("lon", "degree_east"), ("t_jan", "degC"),
                              ("t_jul", "degC")):
                wide(schema.REGIONS, r, r.region, col, unit)
        for c in self.currency:
            wide(schema.CURRENCY, c, c.currency, "per_usd", f"{c.currency}/USD", c.year)
        for ln in self.lines:
            if ln.in_service is not None:
                wide(schema.LINES, ln, ln.line, "in_service", "year")
        for lat in self.latency:
            wide(schema.LATENCY, lat, f"{lat.origin}-{lat.destination}", "rtt_ms", "ms")
        for fe in self.forecast_errors:
            rows.append({"file": _rel(self.folder / schema.FORECAST_ERRORS.file),
                         "row": fe.where["row"], "key": f"{fe.region}-{fe.source}",
                         "parameter": "error_sigma", "year": None, "value": fe.error_sigma,
                         "unit": "1 (share of load)" if fe.source == "load"
                         else "1 (share of installed capacity)", "source": fe.citation})
        meta_file = _rel(self.folder / "dataset.yaml")
        for parameter, meaning in (("base_year", "the year of the reported demand and capacity"),
                                   ("profile_year", "the calendar of the hourly profiles")):
            rows.append({"file": meta_file, "row": None, "key": "", "parameter": parameter, "year": None,
                         "value": getattr(self.meta, parameter), "unit": "year",
                         "source": f"dataset setting: {meaning}"})
        frame = pd.DataFrame(rows)
        frame[["row", "year"]] = frame[["row", "year"]].astype("Int64")  # blank, not 1.0, when absent
        return frame

    @property
    def has_compute(self) -> bool:
        """Whether the dataset has its optional data-centre files."""
        return schema.COMPUTE.file in self.numbers

    @property
    def has_hydrogen(self) -> bool:
        """Whether the dataset has its optional hydrogen files."""
        return schema.HYDROGEN.file in self.numbers

    @property
    def provinces(self) -> dict[str, str]:
        """Province -> hub id."""
        return {p: r.region for r in self.regions for p in r.provinces}


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _csv_rows(
    path: Path, columns: tuple[str, ...], problems: ProblemCollector, optional: tuple[str, ...] = ()
) -> Iterator[tuple[int, int, dict[str, Any]]]:
    """Yield (row, line, cells) with empty cells as None, after checking the header."""
    name = _rel(path)
    if not path.exists():
        problems.add(name, "file is missing", expected=f"a CSV file with columns {', '.join(columns)}")
        return
    try:
        text = read_text(path, expected="a UTF-8 CSV file")
    except InputError as err:
        problems.extend(replace(p, file=name) for p in err.problems)
        return
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        problems.add(name, "file is empty", expected="a header row: " + ", ".join(columns))
        return
    header = [h.strip() for h in header]
    first: dict[str, int] = {}
    twice = False
    for i, h in enumerate(header, start=1):
        if h in first:
            twice = True
            problems.add(name, f"column given twice, at positions {first[h]} and {i} (a reader "
                         "would keep one of them silently)", line=1, column=h,
                         expected="each column once")
        first.setdefault(h, i)
    missing = [c for c in columns if c not in header and c not in optional]
    unknown = [h for h in header if h not in columns]
    for c in missing:
        problems.add(name, "missing column", line=1, column=c,
                     expected="columns " + ", ".join(columns))
    for c in unknown:
        close = difflib.get_close_matches(c, columns, n=1)
        problems.add(name, "unknown column" + (f"; did you mean '{close[0]}'?" if close else ""),
                     line=1, column=c, expected="columns " + ", ".join(columns))
    if missing or unknown or twice:
        return
    row, end = 0, reader.line_num
    for cells in reader:
        start, end = end + 1, reader.line_num
        if not any(c.strip() for c in cells):
            continue  # blank lines are allowed
        row += 1
        if end > start:  # a quote left open swallows the lines after it into one cell
            problems.add(name, f"a quoted cell runs from line {start} to line {end}: a quote is "
                         "not closed", row=row, line=start, expected="each row on one line, "
                         'quotes in pairs ("" for a quote inside a quoted cell)')
            continue
        if len(cells) != len(header):
            problems.add(name, f"{len(cells)} cells in a row of a {len(header)}-column table",
                         row=row, line=end, expected=f"{len(header)} cells")
            continue
        yield row, end, {h: (c.strip() or None) for h, c in zip(header, cells, strict=True)}


def _validate_row(
    model: type[BaseModel], cells: dict[str, Any], name: str, row: int, line: int,
    problems: ProblemCollector,
) -> Any | None:
    try:
        return model.model_validate({k: v for k, v in cells.items() if v is not None})
    except ValidationError as err:

        def column(loc: tuple[Any, ...]) -> str | None:  # as the header names it (alias)
            key = str(loc[0]) if loc else None
            field_info = model.model_fields.get(key or "")
            return field_info.alias if field_info is not None and field_info.alias else key

        def expected(e: ErrorDetails) -> str | None:
            field_info = model.model_fields.get(str(e["loc"][0]) if e["loc"] else "")
            if e["type"] == "missing":  # an empty cell, since empty cells are left out above
                return ("a unit such as GW, CNY/MWh or 1 (dimensionless)"
                        if column(tuple(e["loc"])) == "unit" else _expected(field_info))
            if e["type"] in ("finite_number", "float_parsing", "int_parsing", "int_from_float",
                             "greater_than", "greater_than_equal", "less_than", "less_than_equal"):
                return _expected(field_info)
            return None

        problems.extend(validation_problems(
            err, name, row=row, line=lambda _: line, column=column,
            message=lambda e: "empty cell" if e["type"] == "missing" else e["msg"],
            value=lambda e: cells.get(c) if (c := column(tuple(e["loc"]))) else None,
            expected=expected))
        return None


def _expected(field_info: Any) -> str | None:
    """What a cell must hold, in words, from its schema field."""
    if field_info is None:
        return None
    kind = {float: "a finite number", int: "a whole number", str: "text"}.get(field_info.annotation)
    if kind is None:
        return "a value"
    limits = [f"{op} {getattr(m, attr)}" for m in field_info.metadata
              for attr, op in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<"))
              if getattr(m, attr, None) is not None]
    return kind + (" " + " and ".join(limits) if limits else "")


def _read_wide(folder: Path, table: schema.WideTable, problems: ProblemCollector,
               failed: list[dict[str, Any]] | None = None) -> list[Any]:
    """The valid rows of a wide table; the cells of invalid ones go to ``failed``, if given."""
    out = []
    name = _rel(folder / table.file)
    ids: dict[tuple[str, ...], int] = {}
    id_cols = table.id_columns or table.columns[:1]
    for row, line, cells in _csv_rows(folder / table.file, table.columns, problems):
        parsed = _validate_row(table.row, cells, name, row, line, problems)
        if parsed is None:
            if failed is not None:
                failed.append(cells)
            continue
        parsed._row, parsed._line = row, line
        ident = tuple(cells[c] for c in id_cols)
        if ident in ids:
            problems.add(name, f"duplicate {', '.join(id_cols)} (first on row {ids[ident]})",
                         row=row, line=line, column=id_cols[-1], value=", ".join(ident),
                         expected="each once")
        ids[ident] = row
        out.append(parsed)
    return out


def _read_meta(folder: Path, problems: ProblemCollector) -> schema.DatasetMeta | None:
    path = folder / "dataset.yaml"
    name = _rel(path)
    try:
        raw, _ = read_yaml(path, kind="dataset.yaml", expected="name, base_year, profile_year")
    except InputError as err:
        problems.extend(replace(p, file=name) for p in err.problems)
        return None
    try:
        return schema.DatasetMeta.model_validate(raw)
    except ValidationError as err:
        problems.extend(validation_problems(err, name, message=lambda e: e["msg"]))
        return None


def _read_long(
    folder: Path, table: schema.LongTable, keys: list[str] | None, ureg: pint.UnitRegistry,
    problems: ProblemCollector,
) -> list[Number]:
    path = folder / table.file
    name = _rel(path)
    out: list[Number] = []
    seen: dict[tuple[Any, ...], int] = {}
    key_col = table.key
    before = len(problems.problems)
    # (key, parameter, year) of the rows that exist, valid or not: an invalid row was reported
    # already, so its parameter is not reported missing as well
    attempted: set[tuple[str | None, str | None, int | None]] = set()
    for row, line, cells in _csv_rows(path, table.columns, problems):
        if key_col:
            cells["key"] = cells.pop(key_col)
        attempted.add((cells.get("key"), cells.get("parameter"), _year(cells.get("year"))))
        where = {"row": row, "line": line}
        parsed = _validate_row(schema.LongRow, cells, name, row, line, problems)
        if parsed is None:
            continue
        if key_col:
            if parsed.key is None:
                problems.add(name, "empty cell", column=key_col, **where)
                continue
            if keys is not None and parsed.key not in keys:
                close = difflib.get_close_matches(parsed.key, keys, n=1)
                problems.add(name, f"unknown {key_col}" + (f"; did you mean '{close[0]}'?" if close else ""),
                             column=key_col, value=parsed.key, expected="one of " + ", ".join(keys),
                             **where)
                continue
        spec = table.params.get(parsed.parameter)
        if spec is None:
            close = difflib.get_close_matches(parsed.parameter, list(table.params), n=1)
            problems.add(name, "unknown parameter" + (f"; did you mean '{close[0]}'?" if close else ""),
                         column="parameter", value=parsed.parameter,
                         expected="one of " + ", ".join(table.params), **where)
            continue
        if spec.applies_to is not None and parsed.key not in spec.applies_to:
            problems.add(name, f"parameter '{parsed.parameter}' does not apply to '{parsed.key}'",
                         column="parameter", value=parsed.parameter,
                         expected="technologies " + ", ".join(sorted(spec.applies_to)), **where)
            continue
        if spec.years and parsed.year not in spec.years:
            problems.add(name, f"'{parsed.parameter}' is given for particular years", column="year",
                         value=parsed.year, expected=" and ".join(map(str, spec.years)), **where)
            continue
        ident = (parsed.key, parsed.parameter, parsed.year if spec.years else None)
        if ident in seen:
            problems.add(name, f"duplicate row (first on row {seen[ident]})", column="parameter",
                         value=parsed.parameter, expected="one row per "
                         + ("key, parameter and year" if spec.years else "key and parameter"),
                         **where)
            continue
        seen[ident] = row
        try:
            value = convert(ureg, parsed.value, parsed.unit, spec.unit)
        except ValueError as err:
            problems.add(name, f"unit does not convert: {err}", column="unit", value=parsed.unit,
                         expected=f"a unit convertible to {spec.unit}", **where)
            continue
        if not spec.low <= value <= spec.high:
            problems.add(name, f"'{parsed.parameter}' out of range", column="value", value=parsed.value,
                         expected=f"between {spec.low:g} and {spec.high:g} {spec.unit}"
                         + (f" (this row is {value:g} {spec.unit})" if parsed.unit != spec.unit else ""),
                         **where)
            continue
        if abs(value) > (most := schema.magnitude_limit(spec.unit)):
            problems.add(name, f"'{parsed.parameter}' is implausibly large", column="value",
                         value=parsed.value, expected=f"at most {most:g} {spec.unit} in magnitude"
                         + (f" (this row is {value:g} {spec.unit})" if parsed.unit != spec.unit else ""),
                         **where)
            continue
        out.append(Number(name, row, parsed.key, parsed.parameter, parsed.year, value, spec.unit,
                          parsed.value, parsed.unit, parsed.source))
    unreadable = not attempted and len(problems.problems) > before  # missing file or bad header
    if not unreadable:
        _check_required(name, table, keys, out, attempted, problems)
    return out


def _year(cell: str | None) -> int | None:
    try:
        return int(float(cell)) if cell is not None else None
    except ValueError:
        return None


def _check_required(
    name: str, table: schema.LongTable, keys: list[str] | None, numbers: list[Number],
    attempted: set[tuple[str | None, str | None, int | None]], problems: ProblemCollector,
) -> None:
    """Report required parameters with no row (rows that exist but are invalid were reported)."""
    have = {(n.key, n.parameter, n.year) for n in numbers}
    have_any = {(n.key, n.parameter) for n in numbers}
    tried_any = {(key, pname) for key, pname, _ in attempted}
    for key in (keys or []) if table.key else [None]:
        for pname, spec in table.params.items():
            if not spec.required or (spec.applies_to is not None and key not in spec.applies_to):
                continue
            if (key, pname) in tried_any and (key, pname) not in have_any and not spec.years:
                continue
            label = f"{table.key} '{key}': " if key else ""
            if spec.years:
                for y in spec.years:
                    if (key, pname, y) not in have and (key, pname, y) not in attempted:
                        row = ",".join(str(c) for c in (key, pname, y) if c is not None)
                        problems.add(name, f"{label}no row for parameter '{pname}' in {y}",
                                     column="parameter", expected=f"a row {row},...")
            elif (key, pname) not in have_any:
                problems.add(name, f"{label}no row for parameter '{pname}'", column="parameter",
                             expected=f"a row giving {pname} in {spec.unit} or a convertible unit")


def read_tables(folder: str | Path) -> Tables:
    """Read and check every file of the dataset in ``folder``; raise :class:`InputError` if bad."""
    folder = Path(folder)
    problems = ProblemCollector()
    if not folder.is_dir():
        problems.add(_rel(folder), "dataset folder is missing")
        problems.raise_if_any()
    meta = _read_meta(folder, problems)
    currency = _read_wide(folder, schema.CURRENCY, problems)
    regions = _read_wide(folder, schema.REGIONS, problems)
    externals = _read_wide(folder, schema.EXTERNAL_REGIONS, problems)
    failed_lines: list[dict[str, Any]] = []
    lines = _read_wide(folder, schema.LINES, problems, failed_lines)
    # Numbers cannot be converted without the currency rates: stop here if they are broken.
    problems.raise_if_any()
    if not any(c.currency == "USD" for c in currency):
        problems.add(_rel(folder / "currency.csv"), "no USD row", expected="a row USD,1,<year>,...")
    ureg = registry(tuple((c.currency, c.per_usd) for c in currency))

    region_ids = [r.region for r in regions]
    provinces = [p for r in regions for p in r.provinces]
    for dup in {p for p in provinces if provinces.count(p) > 1}:
        problems.add(_rel(folder / "regions.csv"), f"province '{dup}' is listed in two hubs",
                     column="provinces", value=dup, expected="each province in one hub")
    ext_ids = [e.region for e in externals]
    lines_path = _rel(folder / "lines.csv")
    for ln in lines:
        for end, col in ((ln.from_, "from"), (ln.to, "to")):
            if end not in region_ids and end not in ext_ids:
                problems.add(lines_path, f"unknown region in line '{ln.line}'", column=col,
                             value=end, expected="a hub id from regions.csv or an id from "
                             "external_regions.csv", **ln.where)
        if ln.from_ in ext_ids and ln.to in ext_ids:
            problems.add(lines_path, "a line between two external regions is outside the model",
                         column="to", value=ln.to, expected="a hub at one end at least", **ln.where)

    present = [f for f in schema.COMPUTE_FILES if (folder / f).exists()]
    if present and len(present) < len(schema.COMPUTE_FILES):
        for f in schema.COMPUTE_FILES:
            if f not in present:
                problems.add(_rel(folder / f), "file is missing: the data-centre files come "
                             "together", expected=", ".join(schema.COMPUTE_FILES))
    compute_tables = (schema.COMPUTE, schema.COMPUTE_PARAMETERS)
    h2_present = [f for f in schema.HYDROGEN_FILES if (folder / f).exists()]
    if h2_present and len(h2_present) < len(schema.HYDROGEN_FILES):
        for f in schema.HYDROGEN_FILES:
            if f not in h2_present:
                problems.add(_rel(folder / f), "file is missing: the hydrogen files come together",
                             expected=", ".join(schema.HYDROGEN_FILES))
    h2_tables = (schema.HYDROGEN, schema.HYDROGEN_PARAMETERS)
    failed_latency: list[dict[str, Any]] = []
    latency = _read_wide(folder, schema.LATENCY, problems, failed_latency) if present else []
    _check_latency(folder, latency, region_ids, problems, complete=not failed_latency)

    keys = {
        "provinces.csv": provinces,
        "region_parameters.csv": region_ids,
        "technologies.csv": list(schema.TECHS),
        # rows of an invalid line were reported there, not again as rows of an unknown line
        "line_parameters.csv": [ln.line for ln in lines] + [c["line"] for c in failed_lines if c.get("line")],
        "build_limits.csv": region_ids,
        "compute.csv": region_ids,
        "hydrogen.csv": region_ids,
    }
    numbers = {t.file: _read_long(folder, t, keys.get(t.file), ureg, problems)
               for t in schema.LONG_TABLES
               if (t not in compute_tables or present) and (t not in h2_tables or h2_present)}
    if present:
        shares = [n for n in numbers[schema.COMPUTE.file] if n.parameter == "demand_share"]
        total = sum(n.value for n in shares)
        if shares and abs(total - 1) > 1e-3:
            problems.add(shares[0].file, f"demand_share adds up to {total:.4f} over the hubs",
                         column="value", expected="shares that add up to 1")
    if h2_present:
        shares = [n for n in numbers[schema.HYDROGEN.file] if n.parameter == "h2_demand_share"]
        total = sum(n.value for n in shares)
        if total > 1 + 1e-6:
            problems.add(shares[0].file, f"h2_demand_share adds up to {total:.4f} over the hubs",
                         column="value", expected="shares of national demand that add up to at "
                         "most 1")
    _check_lines(folder, lines, region_ids, ext_ids, numbers["line_parameters.csv"], problems)
    errors_path = folder / schema.FORECAST_ERRORS.file
    forecast_errors = (forecast_error_rows(errors_path, region_ids, problems, cited=True)
                       if errors_path.exists() else [])
    problems.raise_if_any()
    assert meta is not None
    return Tables(folder, meta, regions, externals, lines, currency, numbers=numbers,
                  latency=latency, forecast_errors=forecast_errors, ureg=ureg)


def forecast_error_rows(path: Path, regions: list[str], problems: ProblemCollector,
                        cited: bool = False) -> list[schema.ForecastErrorRow]:
    """The rows of a forecast-errors CSV (``region,source,error_sigma[,citation]``), checked:
    every hub of ``regions`` and every source once, nothing else; with ``cited`` (a dataset's own
    table) each row names its citation. Problems go to ``problems`` with file, row and column."""
    name = _rel(path)
    table = schema.FORECAST_ERRORS
    rows: list[schema.ForecastErrorRow] = []
    seen: dict[tuple[str, str], int] = {}
    attempted: set[tuple[str | None, str | None]] = set()
    before = len(problems.problems)
    for row, line, cells in _csv_rows(path, table.columns, problems, optional=("citation",)):
        attempted.add((cells.get("region"), cells.get("source")))
        parsed = _validate_row(table.row, cells, name, row, line, problems)
        if parsed is None:
            continue
        parsed._row, parsed._line = row, line
        where = {"row": row, "line": line}
        if parsed.region not in regions:
            close = difflib.get_close_matches(parsed.region, regions, n=1)
            problems.add(name, "unknown region" + (f"; did you mean '{close[0]}'?" if close else ""),
                         column="region", value=parsed.region,
                         expected="one of " + ", ".join(regions), **where)
            continue
        ident = (parsed.region, parsed.source)
        if ident in seen:
            problems.add(name, f"duplicate region, source (first on row {seen[ident]})",
                         column="source", value=parsed.source, expected="each once", **where)
            continue
        if cited and len(parsed.citation) < 3:
            problems.add(name, "no citation", column="citation", value=parsed.citation or None,
                         expected="where the number comes from (a dataset's numbers are sourced)",
                         **where)
            continue
        seen[ident] = row
        rows.append(parsed)
    unreadable = not attempted and len(problems.problems) > before  # missing file, bad header
    if not unreadable:
        for r in regions:
            for src in schema.FORECAST_SOURCES:
                if (r, src) not in seen and (r, src) not in attempted:
                    problems.add(name, f"no row for hub '{r}', source '{src}'", column="source",
                                 expected=f"a row {r},{src},<error_sigma>")
    return rows


def read_forecast_errors(path: str | Path, regions: list[str]) -> list[schema.ForecastErrorRow]:
    """A scenario's own forecast-errors CSV (same columns as the dataset's), or
    :class:`InputError` naming file, row and column."""
    problems = ProblemCollector()
    rows = forecast_error_rows(Path(path), regions, problems)
    problems.raise_if_any()
    return rows


def _check_latency(folder: Path, rows: list[schema.LatencyRow], regions: list[str],
                   problems: ProblemCollector, complete: bool = True) -> None:
    """Every ordered pair of distinct hubs once, and nothing else (pairs are counted only when
    every row is ``complete``ly valid: an invalid row was reported already)."""
    if not rows:
        return
    name = _rel(folder / schema.LATENCY.file)
    seen: set[tuple[str, str]] = set()
    for row in rows:
        for col, hub in (("origin", row.origin), ("destination", row.destination)):
            if hub not in regions:
                close = difflib.get_close_matches(hub, regions, n=1)
                problems.add(name, "unknown hub" + (f"; did you mean '{close[0]}'?" if close else ""),
                             column=col, value=hub, expected="one of " + ", ".join(regions),
                             **row.where)
                complete = False
        if row.origin == row.destination:
            problems.add(name, "a hub to itself is 0 ms; leave the row out", column="destination",
                         value=row.destination, **row.where)
        seen.add((row.origin, row.destination))
    missing = [f"{a}->{b}" for a in regions for b in regions if a != b and (a, b) not in seen]
    if missing and complete:
        problems.add(name, f"{len(missing)} pairs of hubs have no latency, e.g. "
                     + ", ".join(missing[:4]), expected="every ordered pair of distinct hubs")


def _check_lines(
    folder: Path, lines: list[schema.LineRow], region_ids: list[str], ext_ids: list[str],
    numbers: list[Number], problems: ProblemCollector,
) -> None:
    """Cross-row rules of line parameters: schedules only to external regions, candidates empty.
    Lines that are invalid or have an unknown end were reported already and are not checked."""
    known = set(region_ids) | set(ext_ids)
    by_line = {ln.line: ln for ln in lines if ln.from_ in known and ln.to in known}
    lines = list(by_line.values())
    for n in numbers:
        ln = by_line.get(n.key)
        if ln is None:
            continue
        where = {"row": n.row, "column": "value", "value": n.raw_value}
        external = ln.to in ext_ids or ln.from_ in ext_ids
        if n.parameter == "scheduled_energy" and not external and n.value > 0:
            problems.add(n.file, f"line '{ln.line}' joins two hubs: its flow is decided by the "
                         "model, not scheduled", expected="scheduled_energy only on lines to or "
                         "from external regions", **where)
        if n.parameter == "capacity" and ln.status == "candidate" and n.value > 0:
            problems.add(n.file, f"candidate line '{ln.line}' has capacity", expected="0 for a "
                         "candidate (set status existing or planned)", **where)
        if n.parameter == "calibration_in_service" and not (
                ln.in_service is not None and n.value < ln.in_service):
            problems.add(n.file, f"line '{ln.line}': calibration_in_service says from which "
                         "earlier year a calibration counts the line, but "
                         + ("it is a candidate (no in_service year)" if ln.in_service is None
                            else f"its in_service year is {ln.in_service}"),
                         expected="a year before the line's in_service year (lines.csv), or no "
                         "row", **where)
    capacity = {n.key: n.value for n in numbers if n.parameter == "capacity"}
    for n in numbers:
        # A contract is a schedule: its mean power must fit on the line (GWh vs GW x hours).
        if (n.parameter in ("contracted_energy", "scheduled_energy") and n.key in capacity
                and n.value > capacity[n.key] * schema.HOURS_PER_YEAR * (1 + 1e-9)):
            problems.add(n.file, f"line '{n.key}' cannot send {n.raw_value:g} {n.raw_unit} a year on "
                         f"{capacity[n.key]:g} GW", row=n.row, column="value", value=n.raw_value,
                         expected=f"at most capacity x 8,760 h = "
                         f"{capacity[n.key] * schema.HOURS_PER_YEAR / 1000:,.1f} TWh")
    for ln in lines:
        if (ln.to in ext_ids or ln.from_ in ext_ids) and not any(
            n.key == ln.line and n.parameter == "scheduled_energy" for n in numbers
        ):
            problems.add(_rel(folder / "line_parameters.csv"),
                         f"line '{ln.line}' to or from an external region has no scheduled_energy",
                         column="parameter", expected="a scheduled_energy row (TWh per year)")


#: How far a year of ``load_profile`` may average from 1 (the model multiplies annual demand by it).
LOAD_MEAN_TOLERANCE = 1e-3
#: The range of a shorter profile's mean load (per unit of the annual mean): a week or a month of a
#: year lies well inside it; a profile in MW, or normalised to another base, does not.
LOAD_MEAN_SHORT = (0.5, 2.0)


def check_profiles(path: Path, regions: list[str], profile_year: int | None = None) -> None:
    """Check ``profiles.nc``: variables, dims, numbers (not text), a whole number of days of hours
    (8,760 for a year, 168 for a week...), an hourly increasing time axis in ``profile_year``,
    every hub, no NaN, factors in [0, 1], and a load profile per unit of its annual mean (a year's
    mean within :data:`LOAD_MEAN_TOLERANCE` of 1; a shorter profile's within
    :data:`LOAD_MEAN_SHORT`)."""
    import numpy as np
    import xarray as xr

    name = _rel(path)
    problems = ProblemCollector()
    if not path.exists():
        problems.add(name, "file is missing", expected="hourly profiles; run `synergy profiles`")
        problems.raise_if_any()
    try:
        ds = xr.open_dataset(path)
    except Exception as err:  # netCDF4 and xarray raise many kinds
        raise InputError(Problem(name, f"not a readable netCDF file ({err})")) from None
    with ds:
        try:
            ds.load()
        except Exception as err:  # a corrupted chunk surfaces only when the data is read
            raise InputError(Problem(name, f"data cannot be read ({type(err).__name__}: {err})",
                                     expected="a netCDF file written by `synergy profiles`")) from None
        _check_time_axis(ds, name, profile_year, problems)
        for var in schema.PROFILE_VARIABLES:
            if var not in ds:
                problems.add(name, f"variable '{var}' is missing",
                             expected="variables " + ", ".join(schema.PROFILE_VARIABLES))
                continue
            da = ds[var]
            if set(da.dims) != {"region", "time"}:
                problems.add(name, f"variable '{var}' has dims {da.dims}", expected="(region, time)")
                continue
            if da.dtype.kind not in "fiu":
                problems.add(name, f"variable '{var}' holds {da.dtype} values, not numbers",
                             column=var, expected="floating-point numbers")
                continue
            n_hours = da.sizes["time"]
            if n_hours < 24 or n_hours % 24:
                problems.add(name, f"variable '{var}' has {n_hours} hours, not a whole number of "
                             "days", column=var, expected=f"a positive multiple of 24 hours: "
                             f"{schema.HOURS_PER_YEAR} for a non-leap year, 168 for a week, "
                             "N x 24 for N days")
                continue
            present = [str(r) for r in da["region"].values]
            for r in regions:
                if r not in present:
                    problems.add(name, f"no '{var}' profile for region '{r}'", column=var,
                                 expected="every hub in regions.csv; run `synergy profiles`")
            for r in [r for r in regions if r in present]:
                v = da.sel(region=r).values
                bad = np.flatnonzero(~np.isfinite(v))
                what = "not a finite number"
                is_cf = var != "load_profile"
                lo, hi = (0.0, 1.0) if is_cf else (1e-9, np.inf)
                if not bad.size:
                    bad, what = np.flatnonzero((v < lo) | (v > hi)), "out of range"
                if bad.size:
                    h = int(bad[0])
                    problems.add(name, f"'{var}' of '{r}' is {what} in {bad.size} hours, "
                                 f"first hour {h}", column=var, value=float(f"{v[h]:.7g}"),
                                 expected="a number in [0, 1]" if is_cf else "a positive number")
                elif not is_cf:
                    _check_load_mean(name, r, v, problems)
    problems.raise_if_any()


def _check_load_mean(name: str, region: str, v: Any, problems: ProblemCollector) -> None:
    """``load_profile`` is per unit of the annual mean load: the model multiplies annual demand
    by it, so a year of it averages 1 (and a shorter profile, a part of a year, nearly so)."""
    mean, peak = float(v.mean(dtype="float64")), float(v.max())
    whole_year = v.size == schema.HOURS_PER_YEAR
    if whole_year and abs(mean - 1) <= LOAD_MEAN_TOLERANCE:
        return
    low, high = LOAD_MEAN_SHORT
    if not whole_year and low <= mean <= high:
        return
    hint = " (normalised to a peak of 1?)" if abs(peak - 1) <= 1e-6 else (
        " (in MW or GW rather than per unit of the mean?)" if mean > high else "")
    problems.add(name, f"'load_profile' of '{region}' averages {mean:.6g} over its {v.size} hours"
                 + hint, column="load_profile", value=float(f"{mean:.7g}"),
                 expected=(f"a mean of 1 (within {LOAD_MEAN_TOLERANCE:g}): load per unit of the "
                           "annual mean load; divide the profile by its mean" if whole_year else
                           f"a mean between {low:g} and {high:g} for profiles shorter than a year "
                           "(load per unit of the annual mean load)"))


def _check_time_axis(ds: Any, name: str, profile_year: int | None,
                     problems: ProblemCollector) -> None:
    """``time``: hour-start timestamps, one hour apart, increasing, in ``profile_year``."""
    import numpy as np
    import pandas as pd

    if "time" not in ds.coords:
        return  # the variables' dims are reported instead
    values = ds["time"].values
    if not np.issubdtype(values.dtype, np.datetime64):
        problems.add(name, f"the time axis holds {values.dtype} values, not timestamps",
                     column="time", expected="hour-start timestamps (datetime64)")
        return
    stamps = pd.DatetimeIndex(values)
    steps = np.diff(stamps.asi8) if len(stamps) > 1 else np.array([], dtype="int64")
    hour = pd.Timedelta(hours=1).value
    off = np.flatnonzero(steps != hour)
    if off.size:
        i = int(off[0])
        what = "goes backwards" if steps[i] < 0 else "is not one hour"
        problems.add(name, f"the time axis {what} between steps {i} and {i + 1} "
                     f"({stamps[i]} -> {stamps[i + 1]})", column="time",
                     expected="consecutive hours in increasing order")
    if profile_year is not None and len(stamps):
        outside = np.flatnonzero(stamps.year != profile_year)
        if outside.size:
            i = int(outside[0])
            problems.add(name, f"the time axis has {outside.size} hours outside the dataset's "
                         f"profile_year {profile_year}, first {stamps[i]}", column="time",
                         value=int(stamps.year[i]),
                         expected=f"hours of {profile_year} (profile_year in dataset.yaml)")

