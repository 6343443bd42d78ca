"""Reports: notebooks declare the parameters the package expects, bad parameters stop in the first
cell with a clear message, papermill renders a report with HTML that draws with no network, charts
come out as SVG and PNG, and a second render reads the solved results instead of solving again.

The rendered scenario is ``milestones`` cut to one year and two representative days (a few seconds
to solve); the notebooks' own defaults (``base``) run under nbval in the same suite.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import nbformat
import pandas as pd
import papermill
import pytest

from synergy_models import report
from synergy_models.errors import InputError

NOTEBOOKS = sorted(report.NOTEBOOK_DIR.glob("*.ipynb"))
SMALL = {"years": [2030], "time_days": 2}
#: Hosts that would mean the page needs the network (CDNs used by Jupyter, Vega and MathJax).
CDN = re.compile(r"cdn\.jsdelivr|unpkg\.com|cdnjs|requirejs|mathjax|vega@", re.IGNORECASE)


def test_every_notebook_is_known():
    assert {p.stem for p in NOTEBOOKS} == set(report.NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_parameters_cell_declares_what_the_package_checks(path: Path):
    """The package reads each notebook's parameters from its ``parameters`` cell, defaults
    included; every one has a kind the first cell checks, and the defaults pass that check."""
    declared = papermill.inspect_notebook(str(path))
    expected = report.NOTEBOOKS[path.stem]
    assert list(declared) == list(expected)
    for name, default in expected.items():
        assert eval(declared[name]["default"]) == default, name
    assert set(expected) <= set(report.PARAMETER_KINDS)
    run = report.notebook_parameters(dict(expected), expected)
    assert {k: v for k, v in run.items() if k != "overrides"} == {
        k: v for k, v in expected.items() if k != "overrides"}


def test_notebooks_name_their_parameters_as_before():
    """The notebooks' first cells pass ``report.SCENARIO_REPORT`` and the like to ``setup``; each
    look-up is a fresh copy, so changing one does not change the defaults."""
    assert report.NOTEBOOKS["scenario_report"] == report.SCENARIO_REPORT
    assert report.MARKET_OUTLOOK["end_value"] == 310e9
    assert report.SCENARIO_COMPARISON["scenarios"] == ["base", "high_carbon_price"]
    assert report.GETTING_STARTED["scenario"] == "milestones"
    assert report.SWEEP_REPORT["workers"] == 1
    report.SCENARIO_REPORT["overrides"]["x"] = 1
    assert report.SCENARIO_REPORT["overrides"] == {}
    with pytest.raises(AttributeError):
        report.NO_SUCH_NOTEBOOK  # noqa: B018


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_are_kept_without_outputs(path: Path):
    """Outputs stay out of git except in cells nbval checks; papermill needs the kernelspec."""
    book = nbformat.read(path, as_version=4)
    assert book.metadata.kernelspec.name == "python3"
    assert book.metadata.language_info.name == "python"
    tagged = [c for c in book.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    for cell in book.cells:
        if cell.cell_type == "code" and "NBVAL_CHECK_OUTPUT" not in cell.source:
            assert not cell.outputs, cell.source[:60]
            assert cell.execution_count is None
        elif cell.cell_type == "code":  # nbval compares these: they must hold a run's outputs
            assert cell.outputs and cell.execution_count is not None, cell.source[:60]


def test_unknown_parameter_is_named_with_a_suggestion():
    namespace = {"scenario": "base", "carbon_prize": 150}
    with pytest.raises(InputError) as err:
        report.notebook_parameters(namespace, report.SCENARIO_REPORT)
    assert "unknown parameter 'carbon_prize'" in str(err.value)
    assert "did you mean 'carbon_price'" in str(err.value)


def test_wrong_kind_of_value_is_named():
    with pytest.raises(InputError) as err:
        report.notebook_parameters({"time_days": "four"}, report.SCENARIO_REPORT)
    assert "time_days" in str(err.value) and "whole number" in str(err.value)


def test_parameters_become_scenario_overrides():
    run = report.notebook_parameters(
        {"scenario": "base", "carbon_price": 150, "time_days": 4, "years": [2030],
         "overrides": {"green_share_target": 0.9}, "hub": "GS"}, report.SCENARIO_REPORT)
    assert run["overrides"] == {"green_share_target": 0.9, "time.days": 4, "years": [2030],
                                "carbon_price": 150.0}
    assert run["hub"] == "GS" and run["scenario"] == "base"


def test_notebook_arguments_route_unknown_names_to_overrides():
    args = report.notebook_arguments("scenario_report", ["base"],
                                     {"carbon_price": 150, "time.days": 4, "green_share_target": 0.9},
                                     None)
    assert args == {"scenario": "base", "carbon_price": 150,
                    "overrides": {"time.days": 4, "green_share_target": 0.9}}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    params = {**SMALL, "cache_dir": str(out / "cache"), "hub": "GS"}
    return report.render_report("milestones", params, out / "milestones")


@pytest.mark.slow
def test_report_files(rendered: Path):
    assert (rendered / "report.ipynb").is_file()
    html = (rendered / "report.html").read_text(encoding="utf-8")
    assert html.count("data:image/svg+xml") >= 12  # every chart embedded as an image
    svgs = sorted(p.stem for p in (rendered / "charts").glob("*.svg"))
    pngs = sorted(p.stem for p in (rendered / "charts").glob("*.png"))
    assert svgs == pngs and {"capacity_by_hub", "dispatch_GS", "hub_map", "compute_exports", "indicators",
                           "market_outlook", "hydrogen_supply"} <= set(svgs)
    assert (rendered / "report.html").stat().st_size < 5e6  # the report's size budget
    # compute exports vs UHV for each western hub (issue 19), one row per hub and a total
    assert "Each western hub: compute exported over fibre" in html
    assert all(f">{hub}<" in html for hub in ("IM", "GZ", "GS", "NX"))
    assert 'alt="Capacity by hub and technology' in html  # the chart's title, not a generic text
    assert "No description has been provided" not in html
    # written via private temporary files, renamed into place with the mode open() would give
    mask = os.umask(0)
    os.umask(mask)
    for name in ("report.ipynb", "report.html"):
        assert stat.S_IMODE((rendered / name).stat().st_mode) == 0o666 & ~mask, name


@pytest.mark.slow
def test_report_html_needs_no_network(rendered: Path):
    html = (rendered / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=", html)
    assert not re.search(r"<link[^>]+href=\"https?:", html)
    assert not CDN.search(html)


@pytest.mark.slow
def test_report_header_shows_parameters_hash_and_versions(rendered: Path):
    html = (rendered / "report.html").read_text(encoding="utf-8")
    assert "inputs hash" in html and "highspy" in html and "Pyomo" in html
    assert "time.days=2" in html and "years=[2030]" in html
    shown = re.sub(r"<script\b.*?</script>", "", html, flags=re.DOTALL)  # charts' specs hold text
    assert "def " not in shown and "import " not in shown  # code hidden


@pytest.mark.slow
def test_checks_in_the_report_hold(rendered: Path):
    html = (rendered / "report.html").read_text(encoding="utf-8")
    assert "power balance closes in every hub and step: yes" in html
    assert "objective equals the discounted cost components: yes" in html


@pytest.mark.slow
def test_second_render_reads_the_cache(rendered: Path):
    """Same inputs, same code: the notebook reads results.nc instead of solving."""
    cache = rendered.parent / "cache"
    before = {p.name: p.stat().st_mtime_ns for p in cache.glob("*.nc")}
    assert len(before) == 1
    report.render_report("milestones", {**SMALL, "cache_dir": str(cache)}, rendered.parent / "again")
    after = {p.name: p.stat().st_mtime_ns for p in cache.glob("*.nc")}
    assert after == before
    book = nbformat.read(rendered.parent / "again" / "report.ipynb", as_version=4)
    # progress: one output updated in place (tests/test_notebooks_lab.py), or any stream
    shown = "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "")
                    for c in book.cells if c.cell_type == "code" for o in c.outputs
                    if o.output_type == "stream" or report.is_progress_output(o))
    assert "reading solved results" in shown and "solving with HiGHS" not in shown


@pytest.mark.slow
def test_bad_parameter_fails_before_a_kernel_and_keeps_the_last_report(rendered: Path):
    """The notebook's first-cell checks run before a kernel starts: nothing is written."""
    good = (rendered / "report.html").read_bytes()
    with pytest.raises(InputError) as err:
        report.render_report("milestones", {**SMALL, "cache_dir": str(rendered.parent / "cache"),
                                            "carbon_price": "lots"}, rendered)
    message = str(err.value)
    assert "carbon_price" in message and "a number in USD/t" in message
    assert not (rendered / "report.failed.ipynb").exists()
    assert (rendered / "report.html").read_bytes() == good


@pytest.mark.slow
def test_failing_cell_keeps_the_last_report_and_the_failed_notebook(rendered: Path):
    """A hub not in the dataset fails in its chart's cell, with the regions it could be, when the
    notebook is rendered without render_report's checks (which refuse it before a kernel starts:
    tests/test_faults.py)."""
    good = (rendered / "report.html").read_bytes()
    parameters = report.notebook_arguments("scenario_report", ["milestones"], {
        **SMALL, "cache_dir": str(rendered.parent / "cache"), "hub": "XX"}, None)
    parameters["output_dir"] = str(rendered / "charts")
    with pytest.raises(report.ReportError) as err:
        report._render("scenario_report.ipynb", parameters, rendered)
    assert "no hub 'XX' in dataset china_hubs" in str(err.value)
    failed = nbformat.read(rendered / "report.failed.ipynb", as_version=4)
    errors = [c.source for c in failed.cells if c.cell_type == "code"
              and any(o.output_type == "error" for o in c.outputs)]
    assert len(errors) == 1 and "dispatch_days" in errors[0]
    assert (rendered / "report.html").read_bytes() == good


def test_a_run_failing_before_writing_removes_only_the_folders_it_made(tmp_path: Path, monkeypatch):
    def no_kernel(*args: object, **kwargs: object) -> None:
        raise report.ReportError("the kernel did not start")

    monkeypatch.setattr(report, "_execute", no_kernel)
    with pytest.raises(report.ReportError):
        report.render_report("milestones", SMALL, tmp_path / "new" / "milestones")
    assert not (tmp_path / "new").exists()
    kept = tmp_path / "kept"
    kept.mkdir()
    with pytest.raises(report.ReportError):
        report.render_report("milestones", SMALL, kept / "milestones")
    assert kept.is_dir() and not list(kept.iterdir())


def test_a_chart_failing_while_saved_leaves_no_file(tmp_path: Path):
    from synergy_models.charts import save_chart

    class Breaks:
        def save(self, path: str, **kwargs: object) -> None:
            Path(path).write_text("<svg")
            raise RuntimeError("vl-convert failed")

    with pytest.raises(RuntimeError):
        save_chart(Breaks(), tmp_path / "charts" / "x.svg")
    assert not list((tmp_path / "charts").iterdir())


def test_unknown_scenario_fails_before_starting_a_kernel(tmp_path: Path):
    with pytest.raises(InputError) as err:
        report.render_report("no_such_scenario", out=tmp_path / "r")
    assert "no_such_scenario" in str(err.value)
    assert not (tmp_path / "r").exists()


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("chromium") is None,
                    reason="Debian's chromium is not installed (make test installs it when it can)")
def test_report_draws_in_a_browser_with_the_network_blocked(rendered: Path, tmp_path: Path):
    """Headless Chromium with every host name unresolvable: the page renders every chart image
    and no script fails to load."""
    cmd = ["chromium", "--headless", "--no-sandbox", "--disable-gpu",
           "--host-resolver-rules=MAP * ~NOTFOUND", "--virtual-time-budget=5000",
           "--window-size=1200,1600", "--dump-dom", (rendered / "report.html").as_uri()]
    dom = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=True).stdout
    assert "Error loading script" not in dom
    images = re.findall(r"<img[^>]+src=\"data:image/svg\+xml", dom)
    charts = len(list((rendered / "charts").glob("*.svg")))
    assert len(images) >= charts
    shot = tmp_path / "report.png"
    subprocess.run([*cmd[:-2], f"--screenshot={shot}", (rendered / "report.html").as_uri()],
                   capture_output=True, timeout=120, check=True)
    assert shot.stat().st_size > 20_000  # a page with charts, not a blank one


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("chromium") is None,
                    reason="Debian's chromium is not installed (make test installs it when it can)")
def test_default_report_screenshot(tmp_path: Path):
    """``make report``'s report (scenario base, default parameters; results from the cache the
    regression test filled) renders in Chromium with the network blocked: a full-page screenshot
    with every chart image decoded."""
    folder = report.render_report("base", out=tmp_path / "base")
    html = folder / "report.html"
    names = {p.stem for p in (folder / "charts").glob("*.svg")}
    assert names == {"capacity_by_hub", "capacity_build_out", "generation_mix", "dispatch_IM",
                     "price_profiles", "price_duration", "corridor_flows", "hub_map",
                     "line_buildout_map", "curtailment",
                     "emissions", "dc_capacity", "compute_exports", "green_share", "hydrogen_supply",
                     "indicators", "market_outlook"}
    charts = len(names)
    cmd = ["chromium", "--headless", "--no-sandbox", "--disable-gpu",
           "--host-resolver-rules=MAP * ~NOTFOUND", "--virtual-time-budget=5000"]
    dom = subprocess.run([*cmd, "--dump-dom", html.as_uri()], capture_output=True, text=True,
                         timeout=180, check=True).stdout
    assert len(re.findall(r"<img[^>]+src=\"data:image/svg\+xml", dom)) >= charts
    shot = tmp_path / "base.png"
    subprocess.run([*cmd, "--window-size=1200,8000", f"--screenshot={shot}", html.as_uri()],
                   capture_output=True, timeout=180, check=True)
    assert shot.stat().st_size > 200_000  # a long page of charts, not a blank one


SCENARIOS = sorted(p.stem for p in (report.NOTEBOOK_DIR.parent / "data" / "scenarios").glob("*.yaml"))


@pytest.mark.slow
@pytest.mark.parametrize("name", SCENARIOS)
def test_every_scenario_gives_every_report_figure(name: str, tmp_path: Path):
    """What the report notebook draws, writes and tabulates works for every shipped scenario, on one
    year and two representative days (``full_year`` on representative days: the 8,760-hour solve
    takes half an hour; its charts' handling of many days is tested in test_charts)."""
    from synergy_models import charts, indicators, market, summary

    overrides = {"years": [2030], "time.days": 2, "time.segments": 6,
                 "time.resolution": "representative_days"}
    inputs, results = report.load_or_solve(name, overrides, tmp_path, quiet=True)
    figures = charts.all_charts(results, inputs)
    if "h2_produced" in results:
        figures["hydrogen_supply"] = charts.hydrogen_supply(results)
    ind = indicators.indicators(results, inputs)
    figures["indicators"] = charts.indicators_by_hub(ind)
    value = market.market_value(results, inputs=inputs)
    figures["market_outlook"] = charts.market_outlook(value, market.projection())
    assert all(charts.chart_size_bytes(f) < 400_000 for f in figures.values())
    assert "power balance closes in every hub and step: yes" in report.checks_markdown(results)
    sentences = summary.executive_summary(results, ind, inputs,
                                          market.gap(value, market.projection()))
    assert 6 <= len(sentences) <= 10
    assert len(summary.limits_table(results, inputs=inputs)) <= 15


def _sweep_techs(levels: dict[float, dict[str, tuple[float, float]]]) -> pd.DataFrame:
    """A sweep's technology table by hand: carbon price x compute (1, 2, 3; the middle one holds
    ``levels``: price -> tech -> (GW, TWh); the others hold 1 GW, 1 TWh everywhere)."""
    rows = []
    for i, (price, dc) in enumerate((p, d) for p in levels for d in (1, 2, 3)):
        for tech, (gw, twh) in levels[price].items():
            rows.append({"case": f"{i:03d}", "carbon_price": price, "dc.2030": dc, "status": "solved",
                         "tech": tech, "capacity_GW": gw if dc == 2 else 1.0,
                         "generation_TWh": (twh if dc == 2 else 1.0) if tech != "battery" else None})
    return pd.DataFrame(rows)


def test_sweep_capacity_markdown_reports_changes_from_the_lowest_to_the_highest_value():
    table = _sweep_techs({
        0.0: {"coal": (100, 500), "gas": (20, 50), "wind": (40, 80), "solar": (60, 120),
              "battery": (0, 0), "hydro": (9, 9)},
        150.0: {"coal": (75, 300), "gas": (30, 100), "wind": (50, 100), "solar": (70, 160),
                "battery": (5, 0), "hydro": (9, 9)}})
    text = report.sweep_capacity_markdown(table, "carbon_price")
    # by hand: coal 75/100 - 1 = -25%; gas 30/20 - 1 = +50%; wind+solar 120/100 - 1 = +20%;
    # generation coal 300/500 - 1 = -40%, gas 100/50 - 1 = +100%, wind+solar 260/200 - 1 = +30%
    assert text.splitlines() == [
        "From `carbon_price` = 0 to 150 USD/t (dc.2030 = 2), all hubs, last modelled year:",
        "- capacity: coal -25.0% (100.0 → 75.0 GW), gas +50.0% (20.0 → 30.0 GW), "
        "wind+solar +20.0% (100.0 → 120.0 GW), battery from 0 (0.0 → 5.0 GW)",
        "- generation: coal -40.0% (500.0 → 300.0 TWh), gas +100.0% (50.0 → 100.0 TWh), "
        "wind+solar +30.0% (200.0 → 260.0 TWh)"]


def test_sweep_capacity_markdown_says_when_capacity_does_not_move():
    same = {"coal": (800, 5000), "wind": (300, 700), "solar": (600, 800)}
    table = _sweep_techs({0.0: same, 50.0: same, 150.0: {**same, "coal": (800, 3900)}})
    table.loc[(table.carbon_price == 150) & (table["dc.2030"] == 2), "status"] = "failed"
    text = report.sweep_capacity_markdown(table, "carbon_price")
    lines = text.splitlines()
    assert lines[0].startswith("From `carbon_price` = 0 to 50 USD/t")  # the failed case left out
    assert lines[1] == "- capacity: coal +0.0% (800.0 → 800.0 GW), wind+solar +0.0% (900.0 → 900.0 GW)"
    assert lines[-1] == ("- **capacities do not move with `carbon_price` in this sweep**: each of "
                         "these within 0.1% from 0 to 50 USD/t")
    assert "Too few" in report.sweep_capacity_markdown(table[table.carbon_price == 0], "carbon_price")


def test_tables_show_no_noise_negative_zero_nan_rows_or_unit_one():
    """``report.table``: -0.00 and 1e-13 read 0.00, a row with no number is left out, units "1"
    read "share" (an index level, a column or a label), missing values show as "–"."""
    frame = pd.DataFrame({"value (1)": [-1e-13, 0.5, float("nan"), -0.001],
                          "other": [2.0, float("nan"), float("nan"), 1.0]},
                         index=pd.MultiIndex.from_tuples(
                             [("a", "1"), ("b", "GW"), ("c", "1"), ("d", "1")],
                             names=["indicator", "units"]))
    tidy = report.tidy_table(frame, 2)
    assert list(tidy.columns) == ["value (share)", "other"]
    assert list(tidy.index) == [("a", "share"), ("b", "GW"), ("d", "share")]
    html = report.table(frame, 2).to_html()
    assert "-0.00" not in html and "e-13" not in html and "nan" not in html
    assert "–" in html


def _fake_execute(charts: dict[str, str], fail: bool):
    """Stands in for papermill: writes the notebook and ``charts`` into the output_dir it is
    given (as the notebook's cells do), then fails if asked, as a late cell would."""
    def execute(notebook: Path, output: Path, parameters: dict, cwd: Path, steps=None) -> None:
        out = Path(parameters["output_dir"])
        out.mkdir(parents=True, exist_ok=True)
        for name, text in charts.items():
            (out / name).write_text(text)
        book = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
            f"output_dir = {str(out)!r}")])
        nbformat.write(book, output)
        if fail:
            raise report.ReportError("scenario_report.ipynb failed in cell 30 (KeyError)")
    return execute


def test_a_failed_report_leaves_every_chart_of_the_last_good_one(tmp_path: Path, monkeypatch):
    folder = tmp_path / "milestones"
    monkeypatch.setattr(report, "_execute", _fake_execute({"a.svg": "good a", "b.svg": "good b"},
                                                          fail=False))
    report.render_report("milestones", SMALL, folder)
    charts = folder / "charts"
    assert sorted(p.name for p in charts.iterdir()) == ["a.svg", "b.svg"]
    html = (folder / "report.html").read_bytes()
    # the notebook names the charts' final folder, not the temporary one it ran with
    assert f"output_dir = {str(charts)!r}" in (folder / "report.ipynb").read_text()

    monkeypatch.setattr(report, "_execute", _fake_execute({"a.svg": "BAD", "c.svg": "BAD"},
                                                          fail=True))
    with pytest.raises(report.ReportError):
        report.render_report("milestones", SMALL, folder)
    assert {p.name: p.read_text() for p in charts.iterdir()} == {"a.svg": "good a",
                                                                 "b.svg": "good b"}
    assert (folder / "report.html").read_bytes() == html
    assert (folder / "report.failed.ipynb").exists()
    assert sorted(p.name for p in folder.iterdir()) == [  # no temporary folder; the results of
        "charts", "report.failed.ipynb", "report.html", "report.ipynb", "results.nc"]  # the good run

    # the next good run replaces the charts whole: none of the old run's is left over
    monkeypatch.setattr(report, "_execute", _fake_execute({"c.svg": "new c"}, fail=False))
    report.render_report("milestones", SMALL, folder)
    assert {p.name: p.read_text() for p in charts.iterdir()} == {"c.svg": "new c"}
    assert not (folder / "report.failed.ipynb").exists()


def test_a_hub_parameter_shows_its_cluster_province_in_a_province_dataset():
    """Regions BJ, HE (hub BTH) and NM (hub IM): 'BTH' is HE, the member with the most existing
    data-centre capacity (3 GW against 1); 'IM' is NM; a region is itself; no hub 'XX'."""
    import xarray as xr

    from synergy_models.errors import InputError

    inputs = xr.Dataset({"hub": ("region", ["BTH", "BTH", "IM"]),
                         "dc_capacity_existing": ("region", [1.0, 3.0, 2.0]),
                         "demand": (("region", "year"), [[100.0], [50.0], [80.0]])},
                        coords={"region": ["BJ", "HE", "NM"], "year": [2024]})
    assert report.hub_region("BTH", inputs) == "HE"
    assert report.hub_region("IM", inputs) == "NM"
    assert report.hub_region("BJ", inputs) == "BJ"
    report.check_hub("IM", inputs)
    with pytest.raises(InputError, match="no hub 'XX'"):
        report.hub_region("XX", inputs)
