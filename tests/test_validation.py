"""Bad input gets a clear error naming file, row, column, the value and what was expected.

Each test breaks one thing in a private copy of the default dataset (or a scenario) and checks the
message, and that ``synergy inputs`` leaves no file behind.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from synergy_models.cli import main
from synergy_models.data.loader import load_inputs
from synergy_models.data.tables import read_tables
from synergy_models.errors import InputError, Problem
from synergy_models.scenario import Scenario
from tests.conftest import edit_row, read_rows, write_rows


def problems(folder: Path) -> list[Problem]:
    with pytest.raises(InputError) as err:
        read_tables(folder)
    return err.value.problems


def only(folder: Path) -> Problem:
    found = problems(folder)
    assert len(found) == 1, "\n".join(map(str, found))
    return found[0]


def is_row(key: str, value: str, parameter: str | None = None):
    return lambda r: r.get(key) == value and (parameter is None or r.get("parameter") == parameter)


def test_the_default_dataset_is_valid():
    tables = read_tables(Path(__file__).resolve().parent.parent / "data" / "china_hubs")
    assert [r.region for r in tables.regions] == ["BTH", "YRD", "GBA", "CY", "IM", "GZ", "GS", "NX"]


def test_missing_file(dataset_copy):
    (dataset_copy / "technologies.csv").unlink()
    p = only(dataset_copy)
    assert p.file.endswith("technologies.csv") and p.message == "file is missing"
    assert "tech, parameter, year, value, unit, source" in p.expected


def test_missing_column(dataset_copy):
    path = dataset_copy / "provinces.csv"
    header, rows = read_rows(path)
    header.remove("unit")
    write_rows(path, header, [{k: v for k, v in r.items() if k != "unit"} for r in rows])
    p = only(dataset_copy)
    assert (p.message, p.column, p.line) == ("missing column", "unit", 1)


def test_misspelt_column_is_named_with_a_suggestion(dataset_copy):
    path = dataset_copy / "regions.csv"
    text = path.read_text().replace(",lat,", ",latitude,", 1)
    path.write_text(text)
    messages = {(p.column, p.message) for p in problems(dataset_copy)}
    assert ("lat", "missing column") in messages
    assert ("latitude", "unknown column") in messages


def test_unknown_region_in_lines(dataset_copy):
    row = edit_row(dataset_copy / "lines.csv", lambda r: True, to="XYZ")
    p = only(dataset_copy)
    assert (p.row, p.column, p.value) == (row, "to", "XYZ")
    assert "unknown region" in p.message and "regions.csv" in p.expected


def test_unknown_technology(dataset_copy):
    row = edit_row(dataset_copy / "technologies.csv", is_row("tech", "solar", "lifetime"), tech="solr")
    found = problems(dataset_copy)
    first = found[0]
    assert (first.row, first.column, first.value) == (row, "tech", "solr")
    assert "did you mean 'solar'" in first.message
    # ...and solar now lacks its lifetime, which is reported too
    assert any("'solar'" in p.message and "lifetime" in p.message for p in found[1:])


def test_unknown_province(dataset_copy):
    row = edit_row(dataset_copy / "provinces.csv", is_row("province", "Gansu", "demand"),
                   province="Gansuu")
    p = problems(dataset_copy)[0]
    assert (p.row, p.column, p.value) == (row, "province", "Gansuu")
    assert "did you mean 'Gansu'" in p.message


def test_negative_value(dataset_copy):
    row = edit_row(dataset_copy / "provinces.csv", is_row("province", "Ningxia", "capacity_wind"),
                   value="-15.03")
    p = only(dataset_copy)
    assert (p.row, p.column, p.value) == (row, "value", -15.03)
    assert "out of range" in p.message and "between 0" in p.expected


@pytest.mark.parametrize("bad", ["nan", "NaN", "inf", ""])
def test_nan_or_empty_value(dataset_copy, bad):
    row = edit_row(dataset_copy / "provinces.csv", is_row("province", "Hebei", "demand"), value=bad)
    p = only(dataset_copy)
    assert (p.row, p.column) == (row, "value")
    assert "finite" in p.message or "required" in p.message.lower()


def test_text_where_a_number_belongs(dataset_copy):
    row = edit_row(dataset_copy / "technologies.csv", is_row("tech", "coal", "lifetime"), value="forty")
    p = only(dataset_copy)
    assert (p.row, p.column, p.value) == (row, "value", "forty")
    assert "number" in p.message


def test_unit_of_the_wrong_dimension(dataset_copy):
    row = edit_row(dataset_copy / "provinces.csv", is_row("province", "Beijing", "capacity_solar"),
                   unit="GWh")
    p = only(dataset_copy)
    assert (p.row, p.column, p.value) == (row, "unit", "GWh")
    assert "does not convert" in p.message and "GW" in p.expected


def test_unit_that_is_not_a_unit(dataset_copy):
    row = edit_row(dataset_copy / "technologies.csv", is_row("tech", "wind", "vom"), unit="euros/MWh!")
    p = only(dataset_copy)
    assert (p.row, p.column, p.value) == (row, "unit", "euros/MWh!")
    assert "not a unit" in p.message


def test_unit_in_another_currency_converts(dataset_copy):
    """Not an error: a capex in CNY is converted with the dataset's rate."""
    tables = read_tables(dataset_copy)
    before = tables.value("technologies.csv", "solar", "capex", 2030)
    rate = next(c.per_usd for c in tables.currency if c.currency == "CNY")
    edit_row(dataset_copy / "technologies.csv",
             lambda r: r["tech"] == "solar" and r["parameter"] == "capex" and r["year"] == "2030",
             value=str(before * rate), unit="CNY/kW")
    assert read_tables(dataset_copy).value("technologies.csv", "solar", "capex", 2030) == (
        pytest.approx(before))


def test_unknown_parameter(dataset_copy):
    row = edit_row(dataset_copy / "technologies.csv", is_row("tech", "gas", "vom"), parameter="vmo")
    found = problems(dataset_copy)
    assert (found[0].row, found[0].column, found[0].value) == (row, "parameter", "vmo")
    assert "did you mean 'vom'" in found[0].message


def test_duplicate_row(dataset_copy):
    path = dataset_copy / "region_parameters.csv"
    header, rows = read_rows(path)
    write_rows(path, header, [*rows, rows[0]])
    p = only(dataset_copy)
    assert p.row == len(rows) + 1 and "duplicate row (first on row 1)" in p.message


def test_required_parameter_missing(dataset_copy):
    path = dataset_copy / "technologies.csv"
    header, rows = read_rows(path)
    write_rows(path, header, [r for r in rows
                              if not (r["tech"] == "nuclear" and r["parameter"] == "fuel_cost")])
    p = only(dataset_copy)
    assert "tech 'nuclear'" in p.message and "fuel_cost" in p.message


def test_dataset_yaml_that_does_not_parse(dataset_copy):
    (dataset_copy / "dataset.yaml").write_text("name: x\nbase_year: [2024\n")
    p = only(dataset_copy)
    assert p.file.endswith("dataset.yaml") and "does not parse" in p.message and p.line


def test_leap_profile_year_is_refused(dataset_copy):
    path = dataset_copy / "dataset.yaml"
    path.write_text(path.read_text().replace("profile_year: 2025", "profile_year: 2024"))
    p = only(dataset_copy)
    assert p.column == "profile_year" and "leap year" in p.message


def _scenario(folder: Path, **kw) -> Scenario:
    return Scenario(name="t", dataset=str(folder), years=[2025, 2030], **kw)


def _rewrite_profiles(folder: Path, change) -> None:
    path = folder / "profiles.nc"
    with xr.open_dataset(path) as f:
        ds = f.load()
    change(ds).to_netcdf(path)


def test_profiles_of_the_wrong_length(dataset_copy):
    _rewrite_profiles(dataset_copy, lambda ds: ds.isel(time=slice(0, 8000)))
    with pytest.raises(InputError) as err:
        load_inputs(_scenario(dataset_copy))
    p = err.value.problems[0]
    assert p.file.endswith("profiles.nc") and "8000 hours" in p.message and "8760" in p.expected


def test_capacity_factor_above_one(dataset_copy):
    def spike(ds):
        ds["wind_cf"].loc[{"region": "GS"}] = np.where(np.arange(8760) == 100, 1.3,
                                                    ds["wind_cf"].sel(region="GS").values)
        return ds

    _rewrite_profiles(dataset_copy, spike)
    with pytest.raises(InputError) as err:
        load_inputs(_scenario(dataset_copy))
    p = err.value.problems[0]
    assert (p.column, p.value) == ("wind_cf", pytest.approx(1.3))
    assert "'GS'" in p.message and "hour 100" in p.message and "[0, 1]" in p.expected


def test_profile_missing_for_a_hub(dataset_copy):
    _rewrite_profiles(dataset_copy, lambda ds: ds.drop_sel(region="NX"))
    with pytest.raises(InputError, match="no 'load_profile' profile for region 'NX'"):
        load_inputs(_scenario(dataset_copy))


def test_override_of_a_parameter_that_does_not_exist(dataset_copy):
    with pytest.raises(InputError) as err:
        load_inputs(_scenario(dataset_copy, parameters={"carbon_prise": 5}))
    p = err.value.problems[0]
    assert p.column == "parameters.carbon_prise" and "did you mean 'carbon_price'" in p.message


def test_override_with_a_label_that_does_not_exist(dataset_copy):
    with pytest.raises(InputError) as err:
        load_inputs(_scenario(dataset_copy, parameters={"capex": {"solar": {2027: 1}}}))
    p = err.value.problems[0]
    assert p.column == "parameters.capex.solar.2027" and "cost_year: 2025, 2030" in p.message


def test_override_of_reference_data_is_refused(dataset_copy):
    with pytest.raises(InputError, match="reference data, not a model parameter"):
        load_inputs(_scenario(dataset_copy, parameters={"wind_hours": 3000}))


def test_override_with_a_unit_that_does_not_convert(dataset_copy):
    with pytest.raises(InputError) as err:
        load_inputs(_scenario(dataset_copy, parameters={"carbon_price": "150 CNY/MWh"}))
    p = err.value.problems[0]
    assert "does not convert" in p.message and p.expected.startswith("a number in USD/t")


def test_override_out_of_range(dataset_copy):
    with pytest.raises(InputError, match="out of range"):
        load_inputs(_scenario(dataset_copy, parameters={"discount_rate": -0.1}))


def test_cli_reports_without_traceback_and_writes_nothing(dataset_copy, tmp_path, capsys):
    edit_row(dataset_copy / "provinces.csv", is_row("province", "Hebei", "demand"), value="-1")
    scenario = tmp_path / "broken.yaml"
    scenario.write_text(f"name: broken\ndataset: {dataset_copy}\n")
    out = tmp_path / "out" / "inputs.nc"
    assert main(["inputs", str(scenario), "-o", str(out), "-q"]) == 2
    err = capsys.readouterr().err
    assert "provinces.csv, row" in err and "Traceback" not in err
    assert not out.exists() and not list((tmp_path).glob("out/*"))
