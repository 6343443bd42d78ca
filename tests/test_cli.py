"""The command line as analysts use it: help, scenarios, validate, provenance, report."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from synergy_models.cli import EXIT_INPUT, build_parser, main
from synergy_models.io import read_netcdf
from synergy_models.run import run_scenario

COMMANDS = {"validate", "inputs", "scenarios", "profiles", "provenance", "run", "report", "market",
            "indicators", "sweep", "export", "forecast"}
ROOT = Path(__file__).resolve().parent.parent


def test_help_lists_every_command_with_a_purpose(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    for command in COMMANDS:
        assert command in text
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    assert set(sub.choices) == COMMANDS
    assert all(h.help for h in sub._choices_actions)


def test_python_dash_m_is_the_same_command_line():
    run = subprocess.run([sys.executable, "-m", "synergy_models", "scenarios"], capture_output=True,
                         text=True, check=True)
    assert "base" in run.stdout and "high_carbon_price" in run.stdout


def test_validate_base_passes(capsys):
    assert main(["validate", "base", "-q"]) == 0
    assert "scenario 'base' is valid" in capsys.readouterr().out


def test_validate_lists_overridable_parameters(capsys):
    assert main(["validate", "base", "--list-parameters", "-q"]) == 0
    out = capsys.readouterr().out
    assert "carbon_price(year) [USD/t]" in out and "capex(tech, cost_year) [MUSD/GW]" in out
    assert "wind_hours" not in out  # reference data is not a parameter


def test_validate_with_a_bad_param_exits_2_without_traceback(capsys):
    assert main(["validate", "base", "-q", "-p", "carbon_prise=150"]) == 2
    err = capsys.readouterr().err
    assert "did you mean 'carbon_price'" in err and "Traceback" not in err
    assert "override carbon_prise=150 (on " in err  # the command line, not the scenario file


def test_listing_parameters_still_checks_the_overrides(capsys):
    assert main(["validate", "base", "--list-parameters", "-p", "carbon_prise=150"]) == 2
    assert "override carbon_prise=150" in capsys.readouterr().err
    assert main(["validate", "base", "--list-parameters", "-p", "carbon_price=150"]) == 0
    assert "carbon_price(year) [USD/t]" in capsys.readouterr().out


def test_param_without_equals_is_an_input_error(capsys):
    assert main(["validate", "base", "-q", "-p", "carbon_price"]) == 2
    assert "expected KEY=VALUE" in capsys.readouterr().err


def test_every_scenario_validates(capsys):
    assert main(["scenarios"]) == 0
    names = [line.split()[0] for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert {"base", "full_year", "high_carbon_price", "milestones"} <= set(names)
    for name in names:
        assert main(["validate", name, "-q", "-p", "time.resolution=representative_days"]) == 0


def test_provenance_has_a_source_for_every_number(tmp_path):
    out = tmp_path / "provenance.csv"
    assert main(["provenance", "-o", str(out)]) == 0
    table = pd.read_csv(out)
    assert len(table) > 300
    assert table["source"].notna().all() and (table["source"].str.len() > 3).all()
    assert table["unit"].notna().all()


def test_provenance_lists_every_number_in_the_dataset_files(tmp_path):
    """Every numeric cell of every CSV of the default dataset (read here with the csv module, apart
    from the loader) appears in the provenance table at its file, row and value."""
    out = tmp_path / "provenance.csv"
    assert main(["provenance", "-o", str(out)]) == 0
    table = pd.read_csv(out)
    assert out.read_text().splitlines()[1].split(",")[1] == "1"  # rows are whole numbers
    listed = {(Path(f).name, int(r), round(float(v), 9))
              for f, r, v in table[["file", "row", "value"]].dropna().itertuples(index=False)}
    missing = []
    for path in sorted((ROOT / "data" / "china_hubs").glob("*.csv")):
        with path.open(newline="", encoding="utf-8-sig") as f:
            rows = [r for r in csv.DictReader(f) if any((c or "").strip() for c in r.values())]
        for i, cells in enumerate(rows, start=1):
            for column, cell in cells.items():
                if column in ("year", "unit", "source"):
                    continue
                try:
                    number = float(cell)
                except (TypeError, ValueError):
                    continue
                if (path.name, i, round(number, 9)) not in listed:
                    missing.append(f"{path.name} row {i} {column}={cell}")
    assert missing == [], f"{len(missing)} numbers without provenance, e.g. {missing[:5]}"
    assert {"base_year", "profile_year"} <= set(table.loc[table["file"].str.endswith("dataset.yaml"),
                                                          "parameter"])


def test_run_solves_and_writes_results(tmp_path, capsys):
    """The file the command line writes holds the same solve as the Python API's (the parameter
    parsed from text as YAML, to a number), and the output says where it is."""
    out = tmp_path / "milestones.nc"
    assert main(["run", "milestones", "-q", "-o", str(out), "-p", "time.days=2"]) == 0
    assert f"wrote {out} " in capsys.readouterr().out
    results = read_netcdf(out)
    assert results.attrs["scenario"] == "milestones"
    api = run_scenario("milestones", {"time.days": 2})
    assert results.attrs["objective"] == pytest.approx(api.attrs["objective"], rel=1e-9)


def test_report_with_a_bad_parameter_fails_clearly_before_writing(tmp_path, capsys):
    """A parameter value that does not parse stops the report before a kernel starts, with the
    input-error exit code and a message naming it (tests/test_report.py renders real reports)."""
    folder = tmp_path / "out"
    assert main(["report", "milestones", "-o", str(folder), "-p", "carbon_price=lots"]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert "carbon_price" in err and "lots" in err
    assert not (folder / "report.html").exists()


def test_report_of_a_bad_dataset_fails_before_making_a_folder(dataset_copy, tmp_path, capsys):
    """A bad number in the scenario's dataset stops the report while its inputs are checked, before
    a kernel starts: the usual message naming file, row and column, and no output folder."""
    from tests.conftest import edit_row

    edit_row(dataset_copy / "provinces.csv",
             lambda r: r["province"] == "Hebei" and r["parameter"] == "capacity_solar", value="-5")
    scenario = tmp_path / "broken.yaml"
    scenario.write_text(f"name: broken\ndataset: {dataset_copy}\n")
    folder = tmp_path / "out" / "report"
    assert main(["report", str(scenario), "-o", str(folder)]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert "provinces.csv, row" in err and "column 'value'" in err and "capacity_solar" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_report_with_a_bad_parameter_makes_no_folder(tmp_path, capsys):
    folder = tmp_path / "out"
    assert main(["report", "milestones", "-o", str(folder), "-p", "carbon_price=lots"]) == EXIT_INPUT
    assert "a number in USD/t" in capsys.readouterr().err
    assert not folder.exists()


def test_provenance_failing_midway_keeps_the_earlier_file(tmp_path, monkeypatch):
    """``-o`` writes through a temporary file: a write that fails leaves the earlier CSV whole."""
    out = tmp_path / "provenance.csv"
    out.write_text("earlier\n")

    def half(self, path, **kwargs):
        Path(path).write_text("province,param")
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_csv", half)
    with pytest.raises(OSError, match="disk full"):
        main(["provenance", "-o", str(out)])
    assert out.read_text() == "earlier\n"
    assert [p.name for p in tmp_path.iterdir()] == ["provenance.csv"]


# --- issue 22, class 6: tracebacks that are now clear errors (exit 2) ----------------------------

def _fails_clearly(argv: list[str], capsys, *expected: str) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.startswith("error: ")
    for text in expected:
        assert text in err, err


def test_a_setting_override_below_a_value(capsys):
    _fails_clearly(["validate", "base", "-q", "-p", "time.days.x=1"], capsys,
                   "override time.days.x=1", "'time.days' is a value, not a group of settings")


@pytest.mark.parametrize("parent", ["[base]", "5", "{a: 1}"])
def test_extends_that_is_not_a_name(tmp_path, capsys, parent):
    path = tmp_path / "child.yaml"
    path.write_text(f"name: child\nextends: {parent}\n")
    _fails_clearly(["validate", str(path), "-q"], capsys, "line 2, column 'extends'",
                   "extends names one scenario")


def test_yaml_nested_2000_levels(tmp_path, capsys):
    path = tmp_path / "deep.yaml"
    path.write_text("name: deep\nparameters: " + "[" * 2000 + "]" * 2000 + "\n")
    _fails_clearly(["validate", str(path), "-q"], capsys, "nested too deeply")


@pytest.mark.parametrize(("content", "expected"), [
    (None, "file is missing"), (b"garbage\n", "not a readable netCDF file"),
    ("profiles", "not model results")])
@pytest.mark.parametrize("command", ["market", "indicators"])
def test_results_that_are_not_results(tmp_path, capsys, command, content, expected):
    path = tmp_path / "results.nc"
    if content == "profiles":
        path.write_bytes((ROOT / "data" / "china_hubs" / "profiles.nc").read_bytes())
    elif content is not None:
        path.write_bytes(content)
    _fails_clearly([command, "milestones", "--results", str(path)], capsys,
                   f"--results {path}: {expected}")


@pytest.mark.parametrize(("option", "expected"), [
    (["--end-year", "2020"], "--end-year"), (["--cagr", "-2"], "--cagr"),
    (["--bracket", "0.4", "0.1"], "LOW must be below HIGH"), (["--end-value", "nan"], "--end-value")])
def test_market_options_out_of_range(capsys, option, expected):
    _fails_clearly(["market", "milestones", *option], capsys, expected)


def test_a_search_key_or_a_year_that_does_not_exist_fails_before_the_solve(capsys):
    """``market --search nonsense`` exited 0 after solving; ``indicators --year 2027`` printed an
    empty table. Both are refused before any solve (milestones models 2025, 2030)."""
    _fails_clearly(["market", "milestones", "-q", "--search", "nonsense"], capsys,
                   "no parameter named 'nonsense'")
    _fails_clearly(["indicators", "milestones", "-q", "--year", "2027"], capsys,
                   "--year", "2027", "2030")


def test_output_below_a_file_or_onto_a_folder(tmp_path, capsys):
    (tmp_path / "afile").write_text("")
    _fails_clearly(["inputs", "milestones", "-q", "-o", str(tmp_path / "afile" / "x.nc")], capsys,
                   "is a file, not a folder")
    _fails_clearly(["inputs", "milestones", "-q", "-o", str(tmp_path)], capsys, "is a folder")
    _fails_clearly(["run", "milestones", "-q", "-o", str(tmp_path / "afile" / "r.nc")], capsys,
                   "is a file, not a folder")  # before the solve
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


def test_run_then_indicators_and_market_read_the_cache_instead_of_solving(tmp_path, capsys,
                                                                           monkeypatch):
    """``run`` solves once and caches; ``indicators``, ``market`` and ``run`` again read that
    (a counter on the one solve function: no timing); ``run --no-cache`` solves."""
    import synergy_models.run as pipeline

    monkeypatch.setattr(pipeline, "default_cache_dir", lambda: tmp_path / "cache")
    solves = []
    solve = pipeline.solve_inputs
    monkeypatch.setattr(pipeline, "solve_inputs", lambda *a, **k: solves.append(1) or solve(*a, **k))
    small = ["milestones", "-q", "-p", "time.days=2", "-p", "years=[2030]"]
    assert main(["run", *small, "-o", str(tmp_path / "r.nc")]) == 0
    out = capsys.readouterr().out
    assert len(solves) == 1 and "solved; cached in " + str(tmp_path / "cache") in out
    assert f"synergy export {tmp_path / 'r.nc'}" in out
    assert main(["indicators", *small]) == 0
    assert main(["market", *small]) == 0
    market_out = capsys.readouterr().out
    assert "Compute exports vs UHV by western hub, 2030" in market_out
    assert all(hub in market_out for hub in ("IM", "GZ", "GS", "NX", "saving of fibre over UHV"))
    assert main(["run", *small, "-o", str(tmp_path / "again.nc")]) == 0
    assert "read from the cache " in capsys.readouterr().out
    assert len(solves) == 1
    assert read_netcdf(tmp_path / "again.nc").attrs["objective"] == \
        read_netcdf(tmp_path / "r.nc").attrs["objective"]
    assert main(["run", *small, "--no-cache", "-o", str(tmp_path / "fresh.nc")]) == 0
    assert len(solves) == 2 and "solved without the cache" in capsys.readouterr().out
