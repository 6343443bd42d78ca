"""The one pipeline (synergy_models.run): its cache key, and a dataset with only the power files
going through every command (run, indicators, market, sweep, report)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
import yaml

from synergy_models import run
from synergy_models.cli import main
from synergy_models.market import NO_DATA_CENTRES, market_value
from synergy_models.sweep import run_sweep
from tests.conftest import power_only_scenario

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "synergy_models"


def test_the_code_hash_follows_the_model_code_and_not_the_presentation(tmp_path):
    copy = Path(shutil.copytree(PACKAGE, tmp_path / "synergy_models",
                                ignore=shutil.ignore_patterns("__pycache__")))
    before = run.source_hash(copy)
    assert before == run.source_hash(PACKAGE)
    with (copy / "charts.py").open("a") as f:
        f.write("\n# a chart's colour changed\n")
    assert run.source_hash(copy) == before
    with (copy / "model" / "power.py").open("a") as f:
        f.write("\n# an equation changed\n")
    assert run.source_hash(copy) != before


def test_a_report_after_a_change_of_model_code_solves_again(tmp_path, monkeypatch):
    solves = []
    solve = run.solve_inputs
    monkeypatch.setattr(run, "solve_inputs", lambda *a, **k: solves.append(1) or solve(*a, **k))
    overrides = {"time.days": 1, "time.segments": 4, "years": [2030]}
    _, first = run.load_or_solve("milestones", overrides, tmp_path, quiet=True)
    _, again = run.load_or_solve("milestones", overrides, tmp_path, quiet=True)
    assert len(solves) == 1 and again.attrs["objective"] == first.attrs["objective"]
    monkeypatch.setattr(run, "model_code_hash", lambda: "another version of the model")
    run.load_or_solve("milestones", overrides, tmp_path, quiet=True)
    assert len(solves) == 2 and len(list(tmp_path.glob("milestones-*.nc"))) == 2


# --- a dataset with only the power files ------------------------------------------------------------

FAST = {"years": [2030], "time": {"days": 2, "segments": 4}, "solver": {"threads": 1}}


@pytest.fixture(scope="module")
def power_only(tmp_path_factory) -> Path:
    return power_only_scenario(tmp_path_factory.mktemp("power_only"), **FAST)


@pytest.fixture(scope="module")
def power_only_results(power_only, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("power_only_run") / "results.nc"
    assert main(["run", str(power_only), "-o", str(out), "-q"]) == 0
    return out


def test_power_only_runs_without_the_other_modules(power_only_results):
    results = xr.open_dataset(power_only_results)
    assert results.attrs["modules"] == "power thermal collector storage transmission policy"
    assert "dc_capacity" not in results and "electrolyser_capacity" not in results
    # Every balance term has its role, and the balance closes.
    assert dict(zip(results.term.values, results.term_role.values, strict=True)) == {
        "power.generation_total": "supply", "power.unserved": "unserved",
        "storage.net_discharge": "storage", "transmission.net_import": "trade",
        "power.demand": "demand", "policy.scheduled_export": "trade"}
    assert float(abs(results.balance.sum("term")).max()) < 1e-6


def test_power_only_indicators_and_market(power_only, power_only_results, capsys, tmp_path):
    out = tmp_path / "indicators.csv"
    assert main(["indicators", str(power_only), "--results", str(power_only_results),
                 "-o", str(out), "-q"]) == 0
    assert out.stat().st_size > 0
    capsys.readouterr()
    assert main(["market", str(power_only), "--results", str(power_only_results), "-q"]) == 0
    assert NO_DATA_CENTRES in capsys.readouterr().out
    market = market_value(xr.open_dataset(power_only_results))
    assert market.attrs["data_centres"] == 0 and float(market.total.sum()) == 0.0


@pytest.mark.slow
def test_power_only_sweep_on_local_processes(power_only, tmp_path):
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(yaml.safe_dump({"name": "po", "base": str(power_only),
                                     "parameters": {"carbon_price": {"values": [0, 100]}}}))
    ds = run_sweep(sweep, tmp_path / "out", workers=1, progress=False)
    assert list(ds.status.values) == ["solved", "solved"], list(ds.message.values)
    assert "dc_capacity" not in ds and np.all(ds.market_value_total.values == 0)
    # A higher carbon price costs more and emits no more.
    assert ds.objective.values[0] < ds.objective.values[1]
    emissions = ds.emissions.sum(("region", "year")).values
    assert emissions[1] <= emissions[0] + 1e-6


@pytest.mark.slow
def test_power_only_report(power_only, tmp_path):
    out = tmp_path / "report"
    assert main(["report", str(power_only), "-o", str(out)]) == 0
    html = (out / "report.html").read_text()
    assert "Traceback" not in html and "Error" not in html.split("<body", 1)[-1][:200000]
    # The scenario's description is shown as text: its markup is escaped, never run.
    assert "<script>alert('injected')" not in html
    assert "&lt;script&gt;alert(&#x27;injected&#x27;)" in html or "&lt;script&gt;alert" in html
