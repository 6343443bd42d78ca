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
    p = only(dataset_copy)  # and its scheduled flow is not called a flow between two hubs
    assert (p.row, p.line, p.column, p.value) == (row, row + 1, "to", "XYZ")
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


@pytest.mark.parametrize("bad", ["nan", "NaN", "inf"])
def test_nan_value(dataset_copy, bad):
    row = edit_row(dataset_copy / "provinces.csv", is_row("province", "Hebei", "demand"), value=bad)
    p = only(dataset_copy)
    assert (p.row, p.line, p.column, p.value) == (row, row + 1, "value", bad)
    assert "finite" in p.message and p.expected == "a finite number"


def test_nan_in_a_technology_cost(dataset_copy):
    row = edit_row(dataset_copy / "technologies.csv", is_row("tech", "wind", "capex"), value="nan")
    p = only(dataset_copy)  # and no second message that wind's 2025 capex is missing
    assert (p.file, p.row, p.column, p.value) == (str(dataset_copy / "technologies.csv"), row, "value", "nan")


def test_empty_value_and_empty_unit(dataset_copy):
    path = dataset_copy / "provinces.csv"
    value_row = edit_row(path, is_row("province", "Hebei", "demand"), value="")
    unit_row = edit_row(path, is_row("province", "Gansu", "demand"), unit="")
    found = problems(dataset_copy)
    assert [(p.row, p.column, p.message) for p in found] == [
        (value_row, "value", "empty cell"), (unit_row, "unit", "empty cell")]
    assert found[0].expected == "a finite number" and "1 (dimensionless)" in found[1].expected


def test_negative_cost_of_one_year_is_the_only_problem(dataset_copy):
    row = edit_row(dataset_copy / "technologies.csv", is_row("tech", "solar", "capex"), value="-5")
    p = only(dataset_copy)  # the year's row exists: it is not reported missing as well
    assert (p.row, p.column, p.value) == (row, "value", -5.0) and "out of range" in p.message


def test_file_that_is_not_utf8(dataset_copy):
    path = dataset_copy / "technologies.csv"
    lines = path.read_bytes().split(b"\n")
    lines[3] = lines[3].replace(b"DEA", b"D\xffA", 1) if b"DEA" in lines[3] else lines[3] + b"\xff"
    path.write_bytes(b"\n".join(lines))
    p = only(dataset_copy)
    assert p.file.endswith("technologies.csv") and p.line == 4
    assert "not UTF-8" in p.message and "0xff" in p.message and "UTF-8" in p.expected


def test_file_that_cannot_be_read(dataset_copy):
    path = dataset_copy / "lines.csv"
    path.unlink()
    path.mkdir()
    p = only(dataset_copy)
    assert p.file.endswith("lines.csv") and p.message.startswith("cannot be read")


def test_quote_left_open_is_reported_not_swallowed(dataset_copy):
    path = dataset_copy / "currency.csv"
    text = path.read_text().splitlines()
    assert text[2].endswith('"')
    text[2] = text[2][:-1]  # the CNY row's source opens a quote it never closes...
    path.write_text("\n".join(text) + "\n")
    p = only(dataset_copy)  # ...which used to swallow the EUR row into that source
    assert (p.row, p.line) == (2, 3) and "quote is not closed" in p.message


def test_latency_rows_are_named_by_their_own_row(dataset_copy):
    path = dataset_copy / "latency.csv"
    edit_row(path, lambda r: r["origin"] == "BTH" and r["destination"] == "YRD", rtt_ms="fast")
    row = edit_row(path, lambda r: r["origin"] == "BTH" and r["destination"] == "GBA",
                   destination="GBB")
    found = problems(dataset_copy)
    assert [(p.row, p.column, p.value) for p in found] == [(1, "rtt_ms", "fast"), (row, "destination", "GBB")]
    assert "did you mean 'GBA'" in found[1].message  # and no complaint that pairs lack a latency


def test_unknown_region_and_technology_in_build_limits(dataset_copy):
    path = dataset_copy / "build_limits.csv"
    region_row = edit_row(path, is_row("region", "GS", "max_new_coal"), region="GSU")
    tech_row = edit_row(path, is_row("region", "NX", "max_new_coal"), parameter="max_new_fusion")
    found = problems(dataset_copy)
    assert [(p.row, p.column, p.value) for p in found] == [
        (region_row, "region", "GSU"), (tech_row, "parameter", "max_new_fusion")]
    assert "did you mean 'GS'" in found[0].message and "max_new_coal" in found[1].expected


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


def test_dataset_yaml_with_a_key_twice(dataset_copy):
    path = dataset_copy / "dataset.yaml"
    path.write_text(path.read_text() + "base_year: 2023\n")
    p = only(dataset_copy)
    assert p.file.endswith("dataset.yaml") and "'base_year' appears twice" in p.message
    assert p.line == len(path.read_text().splitlines())


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


def test_nan_in_the_profiles(dataset_copy):
    def hole(ds):
        ds["solar_cf"].loc[{"region": "CY"}] = np.where(np.arange(8760) == 4000, np.nan,
                                                     ds["solar_cf"].sel(region="CY").values)
        return ds

    _rewrite_profiles(dataset_copy, hole)
    with pytest.raises(InputError) as err:
        load_inputs(_scenario(dataset_copy))
    p = err.value.problems[0]
    assert p.column == "solar_cf" and "'CY' is not a finite number in 1 hours, first hour 4000" in p.message


def test_profiles_file_missing(dataset_copy):
    (dataset_copy / "profiles.nc").unlink()
    with pytest.raises(InputError) as err:
        load_inputs(_scenario(dataset_copy))
    p = err.value.problems[0]
    assert p.file.endswith("profiles.nc") and p.message == "file is missing"
    assert "synergy profiles" in p.expected


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


def test_overrides_are_named_as_overrides_not_as_the_scenario_file(dataset_copy, tmp_path):
    scenario = tmp_path / "copy.yaml"
    scenario.write_text(f"name: copy\ndataset: {dataset_copy}\nyears: [2025, 2030]\n")
    with pytest.raises(InputError) as err:
        load_inputs(str(scenario), {"carbon_prise": 3})
    p = err.value.problems[0]
    assert p.file == f"override carbon_prise=3 (on {scenario})" and p.column == "parameters.carbon_prise"
    with pytest.raises(InputError) as err:
        load_inputs(str(scenario), {"time.dayz": 4})
    p = err.value.problems[0]
    assert p.file == f"override time.dayz=4 (on {scenario})" and p.line is None
    assert "unknown key 'dayz'" in p.message


def test_parameters_in_the_scenario_file_are_named_by_the_file(dataset_copy, tmp_path):
    scenario = tmp_path / "copy.yaml"
    scenario.write_text(f"name: copy\ndataset: {dataset_copy}\nparameters:\n  carbon_price: lots\n")
    with pytest.raises(InputError) as err:
        load_inputs(str(scenario), {"discount_rate": 0.05})  # a good override beside it
    p = only_problem(err)
    assert (p.file, p.column, p.value) == (str(scenario), "parameters.carbon_price", "lots")


def only_problem(err: pytest.ExceptionInfo[InputError]) -> Problem:
    assert len(err.value.problems) == 1, str(err.value)
    return err.value.problems[0]


def test_value_outside_a_wide_tables_limits(dataset_copy):
    row = edit_row(dataset_copy / "currency.csv", lambda r: r["currency"] == "CNY", per_usd="-7.1956")
    p = only(dataset_copy)
    assert (p.row, p.column, p.value, p.expected) == (row, "per_usd", "-7.1956", "a finite number > 0")


# --- issue 22, class 1: profiles whose scale, calendar or content the model would misread --------

@pytest.mark.parametrize(("change", "hint"), [
    (lambda v: v / v.max(), "peak of 1"),          # normalised to peak = 1: 30% less energy
    (lambda v: v * 2, ""),
    (lambda v: v * 1e30, "MW or GW"),
    (lambda v: v * 45_000, "MW or GW"),            # MW
])
def test_load_profile_that_does_not_average_one_is_refused(dataset_copy, change, hint):
    def rescale(ds):
        ds["load_profile"].loc[{"region": "YRD"}] = change(ds["load_profile"].sel(region="YRD"))
        return ds

    _rewrite_profiles(dataset_copy, rescale)
    with pytest.raises(InputError) as err:
        load_inputs(_scenario(dataset_copy))
    p, = err.value.problems
    assert p.file.endswith("profiles.nc") and p.column == "load_profile" and "'YRD'" in p.message
    assert "averages" in p.message and hint in p.message and "a mean of 1" in p.expected
    assert p.value != pytest.approx(1, abs=1e-3)


def test_a_week_of_load_profile_in_mw_is_refused(dataset_copy):
    def week_in_mw(ds):
        week = ds.isel(time=slice(24 * 14, 24 * 21)).load()
        week["load_profile"] = week.load_profile * 1000
        return week

    _rewrite_profiles(dataset_copy, week_in_mw)
    with pytest.raises(InputError) as err:
        load_inputs(_scenario(dataset_copy))
    p = err.value.problems[0]
    assert p.column == "load_profile" and "between 0.5 and 2" in p.expected


def test_all_zero_solar_beside_existing_solar_is_refused(dataset_copy):
    def dark(ds):
        ds["solar_cf"].loc[{"region": "YRD"}] = 0.0
        return ds

    _rewrite_profiles(dataset_copy, dark)
    with pytest.raises(InputError) as err:
        load_inputs(_scenario(dataset_copy))
    p, = err.value.problems
    assert p.file.endswith("profiles.nc") and p.column == "solar_cf"
    assert "'YRD' is zero in every hour" in p.message and "GW of solar" in p.message


def test_profiles_of_another_year_are_refused(dataset_copy):
    _rewrite_profiles(dataset_copy, lambda ds: ds.assign_coords(
        time=ds.time.values - np.timedelta64(365 * 24, "h")))
    with pytest.raises(InputError) as err:
        load_inputs(_scenario(dataset_copy))
    p, = err.value.problems
    assert p.column == "time" and "profile_year 2025" in p.message and p.value == 2024


# --- issue 22, class 6: profiles that ended in a traceback ---------------------------------------

def test_profiles_with_a_reversed_time_axis(dataset_copy):
    _rewrite_profiles(dataset_copy, lambda ds: ds.isel(time=slice(None, None, -1)))
    with pytest.raises(InputError) as err:
        load_inputs(_scenario(dataset_copy))
    p, = err.value.problems
    assert p.column == "time" and "goes backwards between steps 0 and 1" in p.message


def test_profiles_stored_as_text(dataset_copy):
    def as_text(ds):
        ds["wind_cf"] = ds.wind_cf.astype(str)
        return ds

    _rewrite_profiles(dataset_copy, as_text)
    with pytest.raises(InputError) as err:
        load_inputs(_scenario(dataset_copy))
    p, = err.value.problems
    assert p.column == "wind_cf" and "not numbers" in p.message


def test_profiles_with_a_corrupted_chunk(dataset_copy):
    path = dataset_copy / "profiles.nc"
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 4096] = bytes(4096)  # zeros over compressed data
    path.write_bytes(bytes(data))
    with pytest.raises(InputError) as err:
        load_inputs(_scenario(dataset_copy))
    assert err.value.problems[0].file.endswith("profiles.nc")


def test_a_column_given_twice_in_a_header_is_refused(dataset_copy):
    path = dataset_copy / "provinces.csv"
    lines = path.read_text().splitlines()
    lines[0] += ",value"
    path.write_text("\n".join(line + (",0" if i else "") for i, line in enumerate(lines)) + "\n")
    p = only(dataset_copy)
    assert p.file.endswith("provinces.csv") and (p.line, p.column) == (1, "value")
    assert "given twice, at positions 4 and 7" in p.message


def test_a_number_with_an_underscore_in_a_csv_cell_is_refused(dataset_copy):
    row = edit_row(dataset_copy / "provinces.csv", is_row("province", "Beijing", "demand"),
                   value="0_23")
    p = only(dataset_copy)
    assert (p.row, p.column, p.value) == (row, "value", "0_23") and "'_'" in p.message


def test_a_quantity_with_an_underscore_number_is_refused(dataset_copy):
    with pytest.raises(InputError) as err:
        load_inputs(_scenario(dataset_copy, parameters={"carbon_price": "1_50 USD/t"}))
    p, = err.value.problems
    assert p.column == "parameters.carbon_price" and "'1_50' is not a number" in p.message


def test_a_bare_number_override_says_which_unit_it_was_taken_in(dataset_copy):
    inputs = load_inputs(_scenario(dataset_copy, parameters={
        "fuel_cost": {"coal": 157.5}, "carbon_price": "1e2", "carbon_free_share": 0.5,
        "max_new_dc": 0}))
    notes = inputs.attrs["assumed_units"]
    assert "fuel_cost.coal: 157.5 taken in MUSD/GWh, the parameter's unit (= 157,500 USD/MWh)" in notes
    assert "e.g. '157.5 USD/MWh'" in notes
    assert "carbon_price: 1e2 taken in USD/t" in notes      # text that is a number: a bare number
    assert "carbon_free_share" not in notes and "max_new_dc" not in notes  # unit 1, and 0
    assert float(inputs.carbon_price.max()) == 100.0
    assert "assumed_units" not in load_inputs(_scenario(dataset_copy, parameters={
        "carbon_price": "150 CNY/t"})).attrs


def test_validate_prints_the_unit_a_bare_number_was_taken_in(capsys):
    assert main(["validate", "milestones", "-q", "-p", "fuel_cost.coal=157.5"]) == 0
    assert "note: fuel_cost.coal: 157.5 taken in MUSD/GWh" in capsys.readouterr().err


# --- issue 22, class 3: inputs that would hang -------------------------------------------------

def test_a_unit_with_a_power_of_a_power_is_refused_without_evaluating_it(dataset_copy):
    with pytest.raises(InputError, match="exponent '99'"):
        load_inputs(_scenario(dataset_copy, parameters={"carbon_price": "150 USD/t**99"}))
    row = edit_row(dataset_copy / "provinces.csv", is_row("province", "Beijing", "demand"),
                   unit="9**9**9 TWh")
    p = only(dataset_copy)
    assert (p.row, p.column) == (row, "unit") and "power of a power" in p.message


def test_a_yaml_alias_bomb_is_refused(tmp_path):
    from synergy_models.scenario import load_scenario

    rows = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"] + [
        f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 14)]
    path = tmp_path / "bomb.yaml"
    path.write_text("name: bomb\nparameters:\n  x:\n" + "".join(f"    {r}\n" for r in rows))
    with pytest.raises(InputError, match=r"more than 100 aliases"):
        load_scenario(path)


def test_a_contract_the_line_cannot_carry(dataset_copy):
    """40.4 TWh on 8 GW is 5,050 h; 80 TWh would need 10,000 h of a year's 8,760."""
    row = edit_row(dataset_copy / "line_parameters.csv",
                   is_row("line", "nx_yrd_ningdong_shaoxing", "contracted_energy"), value="80")
    p = only(dataset_copy)
    assert p.file.endswith("line_parameters.csv")
    assert (p.row, p.column, p.value) == (row, "value", 80)
    assert "nx_yrd_ningdong_shaoxing" in p.message and "70.1 TWh" in p.expected


def test_inf_overrides_where_the_parameter_means_no_limit(capsys):
    """"inf" is taken where the parameter's description gives it a meaning (inf: unlimited / no
    limit / none) and refused, as not finite, elsewhere."""
    ds = load_inputs("calibration_2024", {"max_new_capacity": "inf", "line_contract_headroom": "inf",
                                          "carbon_cap": "inf"})
    assert np.isinf(ds.max_new_capacity.values).all()
    assert np.isinf(float(ds.line_contract_headroom))
    with pytest.raises(InputError) as err:
        load_inputs("calibration_2024", {"carbon_price": "inf"})
    assert "not a finite number" in str(err.value) and "a finite number of at least 0" in str(
        err.value)
