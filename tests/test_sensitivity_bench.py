"""bench/sensitivity.py's case generation (no solve): which cases, which overrides, and that a
corridor default's override gives the inputs a changed default in transmission.csv would."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from synergy_models.data.loader import load_inputs
from tests.scripts import load_script

ROOT = Path(__file__).resolve().parent.parent
HUBS = ROOT / "data" / "china_hubs"

sens = load_script(ROOT / "bench" / "sensitivity.py", "sensitivity_bench")


def _write(path: Path, text: str) -> None:
    path.write_text(text.strip() + "\n", encoding="utf-8")


def test_lines_without_own_skips_lines_with_their_own_value(tmp_path):
    _write(tmp_path / "lines.csv", """
line,name,from,to,kind,status,in_service,source
a,A,X,Y,dc,existing,2016,s
b,B,X,Z,dc,candidate,,s
c,C,Y,Z,ac,existing,2020,s""")
    _write(tmp_path / "line_parameters.csv", """
line,parameter,year,value,unit,source
a,max_new,,4,GW,s
b,max_new,,,GW,blank value: the default applies
c,schedule_floor,,0.5,1,s""")
    assert sens.lines_without_own(tmp_path, "max_new") == ["b", "c"]
    assert sens.lines_without_own(tmp_path, "schedule_floor") == ["a", "b"]


def test_case_overrides_carry_the_unit_or_set_each_defaulted_line(tmp_path):
    plain = sens.Range("chp_output", 0.5, 0.4, 0.6, "", "s")
    assert sens.case_overrides(plain, 0.4, tmp_path) == ("chp_output=0.4",)
    cost = sens.Range("start_up_cost.coal", 213, 124, 248, "USD/MW", "s")
    assert sens.case_overrides(cost, 124, tmp_path) == ("start_up_cost.coal=124 USD/MW",)
    _write(tmp_path / "lines.csv", "line,name,from,to,kind,status,in_service,source\n"
           "a,A,X,Y,dc,existing,2016,s\nb,B,X,Z,dc,candidate,,s")
    corridor = sens.Range("default_max_new", 8, 0, 16, "GW", "s", line_param="max_new")
    assert sens.case_overrides(corridor, 16, tmp_path) == (
        "line_max_new.a=16 GW", "line_max_new.b=16 GW")


def test_make_cases_runs_both_ends_but_not_the_shipped_value(tmp_path):
    ranges = (sens.Range("chp_output", 0.5, 0.4, 0.6, "", "s"),
              sens.Range("demand_response_share", 0.05, 0.03, 0.05, "", "s"))
    cases = sens.make_cases(ranges, tmp_path)
    assert [(c.key, c.end, c.value) for c in cases] == [
        ("chp_output", "low", 0.4), ("chp_output", "high", 0.6),
        ("demand_response_share", "low", 0.03)]
    with pytest.raises(ValueError, match=r"chp_output: shipped value 0\.7 outside"):
        sens.make_cases((sens.Range("chp_output", 0.7, 0.4, 0.6, "", "s"),), tmp_path)


def test_shipped_ranges_hold_the_data_files_values_and_make_18_cases():
    # 10 ranges x 2 ends, less demand_response_share's and default_schedule_floor's high ends
    # (the shipped values)
    assert len(sens.make_cases(sens.RANGES, HUBS)) == 18
    inputs = load_inputs("base")
    for rng in sens.RANGES:
        var, _, tech = rng.key.partition(".")
        if var == "start_up_cost":   # 213 USD/MW = 0.213 MUSD/GW
            assert float(inputs.start_up_cost.sel(tech=tech)) == pytest.approx(rng.shipped / 1000)
        elif var == "min_stable_load":
            assert float(inputs.min_stable_load.sel(tech=tech)) == pytest.approx(rng.shipped)
        elif var in ("chp_output", "demand_response_share", "line_contract_headroom"):
            assert float(inputs[var]) == pytest.approx(rng.shipped)
        elif rng.line_param is not None:   # the corridor default on every line without its own
            lines = sens.lines_without_own(HUBS, rng.line_param)
            values = inputs[f"line_{rng.line_param}"].sel(line=lines).values
            assert np.allclose(values, rng.shipped)


def test_corridor_default_override_equals_changing_the_default_in_the_data(tmp_path):
    data = tmp_path / "hubs"
    shutil.copytree(HUBS, data)
    table = data / "transmission.csv"
    text = table.read_text(encoding="utf-8")
    assert "default_max_new,2024,4,GW" in text
    table.write_text(text.replace("default_max_new,2024,4,GW", "default_max_new,2024,8,GW"),
                     encoding="utf-8")
    scenario = tmp_path / "edited.yaml"
    scenario.write_text(f"name: edited\ndataset: {data}\nyears: [2025]\n"
                        "time: {resolution: representative_days, days: 2}\n", encoding="utf-8")
    edited = load_inputs(scenario)
    corridor = next(r for r in sens.RANGES if r.key == "default_max_new")
    overrides = dict(o.split("=", 1) for o in sens.case_overrides(corridor, 8, HUBS))
    scenario.write_text(f"name: overridden\ndataset: {HUBS}\nyears: [2025]\n"
                        "time: {resolution: representative_days, days: 2}\n", encoding="utf-8")
    overridden = load_inputs(scenario, overrides)
    assert edited.line_max_new.sel(line=overridden.line).values.tolist() == \
        overridden.line_max_new.values.tolist()
    assert float(overridden.line_max_new.max()) == 8.0
    # the corridors with a planned line keep their own 0 (line_parameters.csv max_new)
    assert float(overridden.line_max_new.sel(line="im_bth_mengxi_jingjinji")) == 0.0
