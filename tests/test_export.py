"""``synergy export``: results as tidy tables with units, CSV or xlsx, that read back equal to the
netCDF values; bad paths and kinds are named errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from synergy_models.cli import EXIT_INPUT, main
from synergy_models.export import (
    EXCEL_MAX_ROWS,
    column_name,
    export_results,
    export_tables,
    group_of,
    sheet_names,
    variable_of,
)
from synergy_models.indicators import indicators
from synergy_models.results import read_results, write_results
from tests.tiny_results import tiny_results


def _index(frame: pd.DataFrame, dims: tuple[str, ...]) -> pd.DataFrame:
    if "day" in dims:
        frame = frame.assign(day=pd.to_datetime(frame["day"]))
    return frame.set_index(list(dims)) if dims else frame


def assert_tables_equal_results(read: dict[str, pd.DataFrame], contents: pd.DataFrame,
                                ds: xr.Dataset, group: str | None = None, rtol: float = 0.0) -> int:
    """Every value column of every table (of ``group``, or all but indicators) read back equals
    the Dataset's variable at each index, exactly (NaN where NaN) or to ``rtol``; each variable
    in one table. Returns how many variables were compared."""
    contents = contents[contents.table.str.startswith("indicators") == (group == "indicators")]
    values = contents[contents.kind == "value"]
    text = [str(n) for n, v in ds.data_vars.items() if v.dtype.kind in "OSU"]
    assert sorted(values.variable) == sorted(str(n) for n in ds.data_vars if n not in text), \
        "each variable once"
    for row in contents[contents.variable.isin(text)].itertuples():  # labels: index columns
        (dim,) = ds[row.variable].dims
        labels = read[row.table].drop_duplicates(dim).set_index(dim)[row.column]
        assert list(labels.reindex(ds[dim].values)) == list(ds[row.variable].values.astype(str))
    assert set(text) <= set(contents.variable)
    for row in values.itertuples():
        expected = ds[row.variable]
        frame = _index(read[row.table], tuple(map(str, expected.dims)))
        got = frame[row.column]
        if expected.dims:
            got = got.reindex(expected.to_series().index)
        assert len(frame) == expected.size, row.variable
        want = expected.values.ravel().astype(float)
        if rtol:
            np.testing.assert_allclose(got.to_numpy(dtype=float), want, rtol=rtol, atol=0,
                                       err_msg=row.variable)
        else:
            np.testing.assert_array_equal(got.to_numpy(dtype=float), want, err_msg=row.variable)
    return len(values) + len(text)


def _tiny_file(path: Path) -> Path:
    """tiny_results as a results file of `synergy run` (its attributes)."""
    return write_results(tiny_results().assign_attrs(objective=0.0, inputs_hash="tiny"), path)


def test_groups_and_units_in_column_names():
    assert group_of("capacity_new") == "capacity" and group_of("dc_capacity") == "compute"
    assert group_of("electrolyser_capacity") == "hydrogen" and group_of("h2_price") == "hydrogen"
    assert group_of("price") == "prices" and group_of("flow") == "lines"
    assert group_of("uhv_equivalent_electricity") == "compute"
    assert group_of("limit_shadow_price") == "limits" and group_of("something_new") == "other"
    assert column_name("capacity", "GW") == "capacity [GW]"
    assert column_name("limit_value", "see limit_units") == "limit_value"
    assert variable_of("compute_emissions_per_eflops_year [kt/(EFLOPS-year)]") == \
        "compute_emissions_per_eflops_year"


def test_tiny_results_round_trip_through_csv(tmp_path: Path):
    """Written to netCDF, read back and exported: each CSV table re-read equals the netCDF values;
    one number by hand: hub B's price in step 1 is 40 USD/MWh (tests/tiny_results.py)."""
    write_results(tiny_results(), tmp_path / "results.nc")
    results = read_results(tmp_path / "results.nc")
    ind = indicators(results)
    tables, left_out = export_results(results, tmp_path / "tables", "csv", ind)
    assert left_out == []
    contents = pd.read_csv(tmp_path / "tables" / "contents.csv")
    read = {t.name: pd.read_csv(tmp_path / "tables" / f"{t.name}.csv", float_precision="round_trip")
            for t in tables}
    assert assert_tables_equal_results(read, contents, results) == len(results.data_vars)
    assert assert_tables_equal_results(read, contents, ind, "indicators") == len(ind.data_vars)
    prices = read["prices_steps"].set_index(["region", "time"])
    assert prices.loc[("B", 1), "price [USD/MWh]"] == 40.0
    assert set(contents.units[contents.column == "price [USD/MWh]"]) == {"USD/MWh"}


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``milestones`` in 2030 on two representative days (a few seconds), as netCDF."""
    from synergy_models.run import run_scenario

    out = tmp_path_factory.mktemp("export") / "results.nc"
    run_scenario("milestones", {"years": [2030], "time.days": 2}, out=out)
    return out


@pytest.mark.slow
def test_solved_results_round_trip_through_csv_and_xlsx(solved: Path, tmp_path: Path):
    """Every variable of a solved scenario (power, compute, hydrogen, limits) and its indicators:
    the CSV tables and the xlsx sheets re-read equal the netCDF values."""
    results = read_results(solved)
    ind = indicators(results)
    assert main(["export", str(solved), "-o", str(tmp_path / "csv")]) == 0
    contents = pd.read_csv(tmp_path / "csv" / "contents.csv")
    read = {t: pd.read_csv(tmp_path / "csv" / f"{t}.csv", float_precision="round_trip")
            for t in set(contents.table)}
    assert assert_tables_equal_results(read, contents, results) == len(results.data_vars)
    assert assert_tables_equal_results(read, contents, ind, "indicators") == len(ind.data_vars)
    assert {"capacity", "generation", "prices", "lines", "compute", "hydrogen", "emissions",
            "indicators"} <= set(contents.table)
    assert "uhv_equivalent_electricity [TWh]" in set(read["compute_exports"].columns)

    xlsx = tmp_path / "results.xlsx"
    assert main(["export", str(solved), "--format", "xlsx", "-o", str(xlsx)]) == 0
    book = pd.read_excel(xlsx, sheet_name=None, engine="openpyxl")
    toc = book["contents"]
    assert set(toc.sheet) == set(book) - {"contents"}
    sheets = {t: book[s] for t, s in zip(toc.table, toc.sheet, strict=True)}
    # openpyxl writes 16 significant digits (Excel itself keeps 15): equal to 1e-15
    assert assert_tables_equal_results(sheets, toc, results, rtol=1e-15) == len(results.data_vars)
    assert assert_tables_equal_results(sheets, toc, ind, "indicators", 1e-15) == len(ind.data_vars)


def test_default_outputs_beside_the_results(tmp_path: Path, capsys):
    _tiny_file(tmp_path / "results.nc")
    assert main(["export", str(tmp_path / "results.nc")]) == 0
    assert (tmp_path / "results_tables" / "capacity.csv").is_file()
    assert "results_tables" in capsys.readouterr().out
    assert main(["export", str(tmp_path / "results.nc"), "-o", str(tmp_path / "r.xlsx")]) == 0
    assert (tmp_path / "r.xlsx").is_file()  # the format from the suffix


@pytest.mark.parametrize(("args", "expected"), [
    (["missing.nc"], "RESULTS missing.nc: file is missing"),
    (["inputs.nc"], "not model results (this file holds a scenario's inputs)"),
    (["not_netcdf.nc"], "not a readable netCDF file"),
    (["results.nc", "--format", "xlsx", "-o", "out"], "an xlsx export is one file"),
    (["results.nc", "-o", "a_file.txt"], "is a file; a CSV export writes a folder"),
    (["results.nc", "--format", "csv", "-o", "x.csv"], "a CSV export writes a folder"),
])
def test_bad_results_or_output_are_named(args: list[str], expected: str, tmp_path: Path,
                                         capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _tiny_file(tmp_path / "results.nc")
    xr.Dataset({"demand": ("region", [1.0])}).to_netcdf(tmp_path / "inputs.nc")
    (tmp_path / "not_netcdf.nc").write_text("capacity,GW\n")
    (tmp_path / "a_file.txt").write_text("keep me")
    assert main(["export", *args]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err
    assert (tmp_path / "a_file.txt").read_text() == "keep me"
    assert not (tmp_path / "out").exists() and not (tmp_path / "x.csv").exists()


def test_sheet_names_fit_excel_and_are_unique():
    results = tiny_results()
    tables = export_tables(results)
    long = tables[0]
    tables += [type(long)("x" * 40, "other", (), [], long.frame),
               type(long)("x" * 40 + "y", "other", (), [], long.frame)]
    names = sheet_names(tables)
    assert all(len(n) <= 31 for n in names.values())
    assert len(set(names.values())) == len(tables) and "contents" not in names.values()


def test_a_table_longer_than_a_sheet_is_left_out_of_xlsx_and_named(tmp_path: Path, monkeypatch):
    import synergy_models.export as export

    monkeypatch.setattr(export, "EXCEL_MAX_ROWS", 3)
    results = tiny_results()
    _, left_out = export.export_results(results, tmp_path / "r.xlsx", "xlsx")
    toc = pd.read_excel(tmp_path / "r.xlsx", sheet_name="contents")
    assert "balance_steps" in left_out  # 7 terms x 2 hubs x 2 steps
    assert set(toc.sheet[toc.table == "balance_steps"]) == {
        "(too many rows for a sheet: use --format csv)"}
    assert EXCEL_MAX_ROWS == 1_048_575
