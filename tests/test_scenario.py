"""Scenario files: parsing, inheritance, settings overrides and the errors analysts see."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from synergy_models.errors import InputError
from synergy_models.scenario import Scenario, load_scenario
from synergy_models.yamlfile import yaml_line


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    return path


def test_base_scenario_covers_2025_to_2030():
    s = load_scenario("base")
    assert s.name == "base" and s.dataset == "china_hubs"
    assert min(s.year_weights) == 2025 and sum(s.year_weights.values()) == 6
    full = load_scenario("full_horizon")
    assert full.year_weights == {2025: 1, 2026: 1, 2027: 1, 2028: 1, 2029: 1, 2030: 1}


def test_year_weights_are_the_gap_to_the_next_year():
    s = Scenario(name="x", years=[2025, 2027, 2030])
    assert s.year_weights == {2025: 2, 2027: 3, 2030: 1}
    assert Scenario(name="x", years={2025: 3, 2030: 3}).year_weights == {2025: 3, 2030: 3}


def test_extends_inherits_and_overrides(tmp_path):
    write(tmp_path, "parent", "name: parent\ndescription: p\ntime: {days: 6, method: kmeans}\n"
          "parameters: {carbon_price: 10, demand_growth: {YRD: 0.05}}\n")
    child = write(tmp_path, "child", "extends: parent.yaml\ntime: {days: 3}\n"
                  "parameters: {demand_growth: {BTH: 0.04}}\n")
    s = load_scenario(child)
    assert s.name == "child" and s.description == ""
    assert (s.time.days, s.time.method) == (3, "kmeans")  # merged key by key
    assert s.parameters == {"carbon_price": 10, "demand_growth": {"YRD": 0.05, "BTH": 0.04}}


def test_extends_null_drops_an_inherited_key(tmp_path):
    write(tmp_path, "parent", "name: parent\ntime: {days: 6}\n"
          "parameters: {carbon_price: 10, line_capacity: {a_line: 0}}\n")
    child = write(tmp_path, "child", "extends: parent.yaml\ntime: {days: null}\n"
                  "parameters: {line_capacity: null}\n")
    s = load_scenario(child)
    assert s.parameters == {"carbon_price": 10}
    assert s.time.days == load_scenario(write(tmp_path, "plain", "name: plain\n")).time.days


def test_extends_replaces_years_whole(tmp_path):
    write(tmp_path, "parent", "name: parent\nyears: {2025: 3, 2028: 2, 2030: 1}\n")
    child = write(tmp_path, "child", "extends: parent.yaml\nyears: {2030: 1}\n")
    assert load_scenario(child).year_weights == {2030: 1}


def test_extends_cycle_is_reported(tmp_path):
    write(tmp_path, "a", "extends: b.yaml\n")
    write(tmp_path, "b", "extends: a.yaml\n")
    with pytest.raises(InputError, match="cycle"):
        load_scenario(tmp_path / "a.yaml")


def test_overrides_route_settings_and_parameters():
    s = load_scenario("base", {"time.days": 3, "years": [2025, 2030], "carbon_price": 150,
                               "capex.solar.2030": 250})
    assert s.time.days == 3 and list(s.years) == [2025, 2030]
    assert s.parameters == {"carbon_price": 150, "capex.solar.2030": 250}


def test_yaml_that_does_not_parse_names_file_and_line(tmp_path):
    path = write(tmp_path, "broken", "name: broken\ntime:\n  days: [4\nsolver: {}\n")
    with pytest.raises(InputError) as err:
        load_scenario(path)
    problem = err.value.problems[0]
    assert problem.file == str(path) and "does not parse" in problem.message
    assert problem.line is not None and problem.line >= 3


def test_tab_indentation_names_file_and_line(tmp_path):
    path = write(tmp_path, "tabs", "name: tabs\ntime:\n\tdays: 4\n")
    with pytest.raises(InputError) as err:
        load_scenario(path)
    problem = err.value.problems[0]
    assert (problem.file, problem.line) == (str(path), 3) and "'\\t'" in problem.message


def test_a_key_given_twice_is_refused(tmp_path):
    path = write(tmp_path, "twice", "name: twice\nparameters:\n  carbon_price: 10\n"
                 "  carbon_price: 20\n")
    with pytest.raises(InputError) as err:
        load_scenario(path)
    problem = err.value.problems[0]
    assert problem.line == 4 and "key 'carbon_price' appears twice (first on line 3)" in problem.message


def test_scenario_that_is_not_utf8(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: latin1\ndescription: Gansu, 2030 \u2013 caf\xe9\n".encode("latin-1",
                                                                                      "replace"))
    with pytest.raises(InputError) as err:
        load_scenario(path)
    problem = err.value.problems[0]
    assert (problem.file, problem.line) == (str(path), 2) and "not UTF-8" in problem.message


def test_unknown_key_is_named_with_its_line_and_a_suggestion(tmp_path):
    path = write(tmp_path, "typo", "name: typo\ntime:\n  resolution: full_year\n  dayz: 4\n")
    with pytest.raises(InputError) as err:
        load_scenario(path)
    problem = err.value.problems[0]
    assert problem.column == "time.dayz" and problem.line == 4
    assert "did you mean 'days'" in problem.message


def test_wrong_type_and_bad_value_are_both_reported(tmp_path):
    path = write(tmp_path, "bad", "name: bad\nyears: [2030, 2025]\ntime: {days: many}\n")
    with pytest.raises(InputError) as err:
        load_scenario(path)
    assert {(p.column, p.line) for p in err.value.problems} == {("years", 2), ("time.days", 3)}
    text = str(err.value)
    assert "strictly increasing" in text and "time.days" in text and "'many'" in text


def test_unknown_scenario_name_suggests_a_close_one():
    with pytest.raises(InputError, match="did you mean 'base'"):
        load_scenario("bse")


def test_yaml_line_follows_nested_keys():
    import yaml

    node = yaml.compose("a: 1\nb:\n  c: 2\n  d:\n    e: 3\n")
    assert yaml_line(node, ("b", "d", "e")) == 5
    assert yaml_line(node, ("b", "zzz")) == 2


@pytest.mark.parametrize("name", ["../../escaped_run", "/tmp/abs", ".hidden", "a/b", "a\\b", ""])
def test_a_name_that_would_write_outside_the_output_folder_is_refused(name, tmp_path):
    """Scenario and sweep names become output folders (reports/<name>/): no path in them."""
    from synergy_models.sweep import load_sweep

    with pytest.raises(InputError) as err:
        load_scenario("base", {"name": name})
    assert "column 'name'" in str(err.value)
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump({"name": name, "base": "base",
                                    "parameters": {"carbon_price": {"values": [1]}}}, sort_keys=False))
    with pytest.raises(InputError) as err:
        load_sweep(path)
    assert "'name'" in str(err.value) and "line 1" in str(err.value)


# --- issue 22, class 1: values YAML or Python would coerce silently -------------------------------

@pytest.mark.parametrize(("text", "column", "message"), [
    ("time: {days: true}", "time.days", "not true/false"),        # YAML's true was taken as 1
    ("time: {days: 0_23}", "time.days", "not text"),              # PyYAML read 0_23 as octal 19
    ("time: {days: '0_23'}", "time.days", "not text"),            # int() reads '0_23' as 23
    ("solver: {threads: yes}", "solver.threads", "not true/false"),
    ("years: {2025: 1000000}", "years", "at most 10"),            # a year standing for 1e6 years
    ("years: [2025, true]", "years", "not true/false"),
])
def test_values_yaml_would_coerce_are_refused(tmp_path, text, column, message):
    path = write(tmp_path, "coerced", f"name: coerced\n{text}\n")
    with pytest.raises(InputError) as err:
        load_scenario(path)
    p, = err.value.problems
    assert p.column == column and message in p.message and p.line == 2


def test_yaml_numbers_are_read_as_yaml_1_2(tmp_path):
    """``1e2`` is a number (PyYAML's YAML 1.1 read it as text) and ``010`` is ten, not octal 8."""
    path = write(tmp_path, "numbers", "name: numbers\ntime: {days: 010}\n"
                 "solver: {time_limit: 1e2}\nparameters: {carbon_price: 1e2}\n")
    scenario = load_scenario(path)
    assert scenario.time.days == 10 and scenario.solver.time_limit == 100.0
    assert scenario.parameters["carbon_price"] == 100.0


def test_an_override_with_an_underscore_number_is_refused():
    with pytest.raises(InputError) as err:
        load_scenario("base", {"time.days": "0_23"})
    assert "override time.days=0_23" in err.value.problems[0].file
