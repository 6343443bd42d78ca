"""A scenario's ``calibration_year``: the base year's system, in any dataset, without naming lines.

Lines first in service after the calibration year are kept out (no capacity, schedule or contract
in any model year) unless the dataset's ``line_parameters.csv`` counts them in that year's
calibration (``calibration_in_service``). The expected sets are read from the CSV files here, not
from the loader, so a loader error cannot make a check pass.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from synergy_models.data.loader import KEPT_OUT_LINE_VARIABLES, load_inputs
from synergy_models.data.tables import read_tables
from synergy_models.errors import InputError
from synergy_models.model.build import build_model
from synergy_models.solve import compile_model
from synergy_models.units import HOURS_PER_YEAR
from tests.calibration_checks import csv_rows
from tests.conftest import edit_row

DATA = Path(__file__).resolve().parent.parent / "data"


def expected_kept_out(dataset: str, year: int) -> tuple[set[str], set[str]]:
    """(lines first in service after ``year`` that the data do not count in its calibration,
    lines first in service after it that the data do count), from the CSV files."""
    later = {r["line"] for r in csv_rows(DATA / dataset, "lines.csv")
             if r["in_service"] and int(r["in_service"]) > year}
    counted = {r["line"] for r in csv_rows(DATA / dataset, "line_parameters.csv")
               if r["parameter"] == "calibration_in_service" and int(r["value"]) <= year}
    return later - counted, later & counted


def scheduled(inputs: xr.Dataset, line: str) -> np.ndarray:
    """GW a line with an external end sends or delivers, by model year."""
    return (inputs.line_schedule.sel(line=line) * inputs.line_schedule_share.sel(line=line)).values


def assert_kept_out(inputs: xr.Dataset, lines: set[str]) -> None:
    assert set(inputs.attrs["calibration_lines_kept_out"].split()) == lines
    for line in lines:
        assert float(np.abs(inputs.line_capacity_existing.sel(line=line)).max()) == 0.0, line
        assert float(np.abs(scheduled(inputs, line)).max()) == 0.0, line
        assert float(inputs.line_contracted_energy.sel(line=line)) == 0.0, line


def test_hub_calibration_keeps_out_the_2025_lines_but_ningxia_hunan():
    """calibration_2024 on china_hubs: Longdong-Shandong and Hami-Chongqing (June 2025) and the
    planned lines are out; Ningxia-Hunan (June 2025) stays with its 8 GW and 40.4 TWh schedule,
    as line_parameters.csv says; no other variable than the kept-out lines' own moves."""
    out, counted = expected_kept_out("china_hubs", 2024)
    assert {"gs_shandong_longdong", "cy_hami_chongqing", "yrd_shaanbei_anhui"} <= out
    assert counted == {"nx_hunan_zhongning"}
    cal = load_inputs("calibration_2024")
    assert cal.attrs["calibration_year"] == 2024
    assert_kept_out(cal, out)
    assert float(cal.line_capacity_existing.sel(line="nx_hunan_zhongning", year=2025)) == 8.0
    assert scheduled(cal, "nx_hunan_zhongning")[0] == pytest.approx(40_400 / HOURS_PER_YEAR)

    plain = load_inputs("calibration_2024", {"calibration_year": None})
    assert "calibration_year" not in plain.attrs
    assert float(plain.line_capacity_existing.sel(line="gs_shandong_longdong", year=2025)) == 8.0
    kept = [ln for ln in map(str, cal.line.values) if ln not in out]
    for name in cal.data_vars:
        a, b = cal[name], plain[name]
        if name in KEPT_OUT_LINE_VARIABLES or name in ("line_capacity_existing", "line_schedule"):
            a, b = a.sel(line=kept), b.sel(line=kept)
        xr.testing.assert_identical(a, b)


def test_calibration_year_gives_the_lp_of_the_named_overrides_it_replaced():
    """The setting replaced two named overrides in calibration_2024: the compiled LP (matrix,
    bounds, costs, row and column names) is bit-identical to the one they give."""
    def form(overrides: dict):       # the model is kept: its variables name the columns
        m = build_model(load_inputs("calibration_2024", overrides))
        return m, compile_model(m)

    _new_model, new = form({})
    _old_model, old = form({
        "calibration_year": None,
        "line_capacity": {"gs_shandong_longdong": 0, "cy_hami_chongqing": 0},
        "line_scheduled_energy": {"gs_shandong_longdong": 0, "cy_hami_chongqing": 0}})
    for field in ("c", "row_lower", "row_upper", "col_lower", "col_upper"):
        assert np.array_equal(getattr(new, field), getattr(old, field)), field
    assert new.offset == old.offset
    assert (new.A != old.A).nnz == 0 and new.A.shape == old.A.shape
    assert [v.name for v in new.columns] == [v.name for v in old.columns]
    assert [r.name for r in new.rows] == [r.name for r in old.rows]


def test_province_calibration_keeps_out_the_planned_lines_and_counts_ningxia_hunan():
    """provinces_2024 names no line: the same setting keeps out china_provinces' planned lines
    (2026, 2027) and counts Ningxia-Hunan (2025) with its contract as line_parameters.csv has it."""
    out, counted = expected_kept_out("china_provinces", 2024)
    assert out == {"gs_yrd_wuwei_zhejiang", "im_bth_mengxi_jingjinji"}
    assert counted == {"nx_hunan_zhongning"}
    prov = load_inputs("provinces_2024")
    assert_kept_out(prov, out)
    assert float(prov.line_capacity_existing.sel(line="nx_hunan_zhongning", year=2025)) == 8.0
    twh = next(float(r["value"]) for r in csv_rows(DATA / "china_provinces", "line_parameters.csv")
               if (r["line"], r["parameter"]) == ("nx_hunan_zhongning", "contracted_energy"))
    assert twh > 0
    assert float(prov.line_contracted_energy.sel(line="nx_hunan_zhongning")) == pytest.approx(
        twh * 1000)


def test_a_scenario_can_count_a_line_in_by_overriding_the_data():
    cal = load_inputs("calibration_2024",
                      {"line_calibration_in_service": {"gs_shandong_longdong": 2024}})
    assert "gs_shandong_longdong" not in cal.attrs["calibration_lines_kept_out"].split()
    assert scheduled(cal, "gs_shandong_longdong")[0] == pytest.approx(36_000 / HOURS_PER_YEAR)


@pytest.mark.parametrize("value", [2023, 2025])
def test_a_calibration_year_other_than_the_base_year_is_refused(value):
    with pytest.raises(InputError) as err:
        load_inputs("calibration_2024", {"calibration_year": value})
    (p,) = err.value.problems
    assert (p.column, p.value) == ("calibration_year", value)
    assert "base year" in p.message and "2024" in p.expected


@pytest.mark.parametrize("value", ["2024", True, 2024.5])
def test_a_calibration_year_that_is_not_a_whole_number_is_refused(value):
    with pytest.raises(InputError) as err:
        load_inputs("calibration_2024", {"calibration_year": value})
    assert [p.column for p in err.value.problems] == ["calibration_year"]


@pytest.mark.parametrize(("line", "value", "why"), [
    ("nx_hunan_zhongning", "2025", "its in_service year is 2025"),
    ("nx_yrd_ningdong_shaoxing", "2024", "its in_service year is 2016"),
])
def test_a_calibration_in_service_row_not_before_the_line_is_refused(dataset_copy, line, value,
                                                                     why):
    path = dataset_copy / "line_parameters.csv"
    row = edit_row(path, lambda r: r["line"] == "nx_hunan_zhongning"
                   and r["parameter"] == "calibration_in_service", line=line, value=value)
    with pytest.raises(InputError) as err:
        read_tables(dataset_copy)
    (p,) = err.value.problems
    assert p.file.endswith("line_parameters.csv")
    assert (p.row, p.column, p.value) == (row, "value", int(value))
    assert line in p.message and why in p.message
    assert "before the line's in_service year" in p.expected
