"""The report as its readers get it: ``base``'s report.html opened in headless Chromium with every
host name unresolvable draws each chart live (vega-embed, bundled inline once), with the executive
summary first, a tooltip on hover, zoom on the time series, no empty chart, no tick label over 12
characters and no labels drawn over each other; printed (the print stylesheet, landscape A4) every
table and chart fits the page width, and ``synergy report --pdf`` writes that PDF. The comparison,
market outlook and getting-started reports get the same chart and print checks.

The browser checks inject ``report_check.js`` into a copy of the page: it waits for the vega views,
hovers a point of each chart, turns the wheel over the zoomable ones and writes what it found as
JSON into the page, which ``chromium --dump-dom`` hands back. They are skipped, saying why, where
Chromium is not installed (``make test`` installs it as root: the Makefile's ``browser`` target).
The base report is rendered once for this module; its solved results come from (or go to) the
project's ``reports/cache/`` as in ``make report``.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from synergy_models import charts, cli, report

CHROMIUM = shutil.which("chromium")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (make test installs it when it "
                             "runs as root; or apt-get install chromium)")
CHECK_JS = Path(__file__).with_name("report_check.js")
#: The width of a landscape A4 page inside the print stylesheet's 10 mm margins, in CSS pixels
#: (96 per inch): (297 - 2 x 10) mm / 25.4 x 96.
PRINT_WIDTH_PX = round((297 - 20) / 25.4 * 96)
#: Charts of the base report whose x axis zooms (wheel) and pans (drag) live.
ZOOMABLE = ("Dispatch in", "Hourly prices by hub", "Price-duration curves")


@pytest.fixture(scope="module")
def base_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``make report``'s report (scenario base, default parameters) in a folder of this module."""
    return report.render_report("base", out=tmp_path_factory.mktemp("browser") / "base")


def _browse(page: Path, width: int = 1200, print_media: bool = False) -> dict[str, Any]:
    """What ``report_check.js`` finds in a copy of ``page`` opened with the network blocked; with
    ``print_media`` the page's print rules apply on screen, in a window as wide as the printed
    page, so layout can be measured as it prints."""
    text = page.read_text(encoding="utf-8")
    if print_media:
        text = text.replace("@media print", "@media all")
    head, _, tail = text.rpartition("</body>")  # the last one: the vega bundle holds the string too
    copy = page.with_name(f"check-{width}-{int(print_media)}.html")
    copy.write_text(f'{head}<script type="module">{CHECK_JS.read_text(encoding="utf-8")}'
                    f"</script></body>{tail}", encoding="utf-8")
    profile = page.parent / f".chromium-{width}-{int(print_media)}"
    cmd = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
           "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={profile}",
           "--virtual-time-budget=60000", f"--window-size={width},1400", "--dump-dom",
           copy.as_uri()]
    dom = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=True).stdout
    assert "Error loading script" not in dom
    found = re.findall(r'<pre id="synergy-check">(.*?)</pre>', dom, re.DOTALL)
    assert found, "the check script wrote nothing: the page's scripts did not run through"
    return json.loads(html.unescape(found[-1]))


@pytest.fixture(scope="module")
def on_screen(base_report: Path) -> dict[str, Any]:
    return _browse(base_report / "report.html")


@pytest.fixture(scope="module")
def printed(base_report: Path) -> dict[str, Any]:
    return _browse(base_report / "report.html", PRINT_WIDTH_PX, print_media=True)


# ------------------------------------------------------------------------- the page as a file

@pytest.mark.slow
def test_report_html_carries_each_chart_live_and_static_with_one_bundle(base_report: Path):
    """17 charts, each a spec and a static SVG; the vega scripts inline once, nothing from the
    network; the page stays under 5 MB (measured: 2.3 MB, of which the scripts 0.9 MB)."""
    page = (base_report / "report.html").read_text(encoding="utf-8")
    charts_saved = len(list((base_report / "charts").glob("*.svg")))
    assert charts_saved == 17  # the line build-out map only where lines are built (base)
    # (nbconvert writes attributes in its own order)
    assert len(re.findall(r'<figure [^>]*class="synergy-chart"', page)) == charts_saved
    assert len(re.findall(r'<script [^>]*class="chart-spec"', page)) == charts_saved
    images = re.findall(r'<img [^>]*class="chart-static"[^>]*>', page)
    assert len(images) == charts_saved
    for image in images:
        assert re.search(r'alt="[^"]{10,}"', image) and 'src="data:image/svg+xml' in image
    assert page.count("window.vegaEmbed=") == 1  # the bundle, once for every chart
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"<link[^>]+href=\"https?:", page)
    assert (base_report / "report.html").stat().st_size < 5e6
    assert "@media print" in page and "size: A4 landscape" in page


@pytest.mark.slow
def test_static_charts_have_no_tick_label_over_12_characters(base_report: Path):
    """The SVG and the report's static pictures (print, slides): every axis label at most 12
    characters (corridors were 'im_bth_mengxi_jingjinji (IM→BTH)')."""
    for svg in sorted((base_report / "charts").glob("*.svg")):
        text = svg.read_text(encoding="utf-8")
        labels = [html.unescape(t) for group in re.findall(
            r'<g class="mark-text role-axis-label"[^>]*>(.*?)</g>', text, re.DOTALL)
            for t in re.findall(r"<text[^>]*>([^<]*)</text>", group)]
        assert labels, svg.name
        assert max(map(len, labels)) <= 12, (svg.name, [x for x in labels if len(x) > 12])
        assert 'opacity="0"/>' not in text, svg.name  # hover points are for live charts only


# ------------------------------------------------------------------------------ in a browser

@pytest.mark.slow
@needs_chromium
def test_summary_comes_first(on_screen: dict[str, Any]):
    assert on_screen["headings"][:2] == ["Scenario report", "Summary"]
    assert on_screen["summaryBeforeFigures"]  # before any chart or table


@pytest.mark.slow
@needs_chromium
def test_every_chart_draws_live_with_the_network_blocked(on_screen: dict[str, Any]):
    assert on_screen["figures"] == on_screen["drawn"] == 17
    for chart in on_screen["charts"]:
        assert chart["live"] and chart["error"] is None, chart["alt"]
        assert chart["marks"] > 0, f"empty chart: {chart['alt']}"
        assert not chart["staticShown"], chart["alt"]  # the live chart replaces the picture


@pytest.mark.slow
@needs_chromium
def test_every_chart_shows_a_tooltip_on_hover(on_screen: dict[str, Any]):
    """A point (or bar) of each chart hovered: vega-tooltip's box is visible with text."""
    for chart in on_screen["charts"]:
        assert chart["tooltip"], f"no tooltip in {chart['alt']}"


@pytest.mark.slow
@needs_chromium
def test_time_series_zoom_with_the_wheel(on_screen: dict[str, Any]):
    zoomed = {c["alt"].split(",")[0]: c["zoom"] for c in on_screen["charts"] if c["zoom"]}
    for name in ZOOMABLE:
        (before, after), = [(z["before"], z["after"]) for title, z in zoomed.items()
                            if title.startswith(name)]
        assert after[1] - after[0] < 0.9 * (before[1] - before[0]), name  # zoomed in


@pytest.mark.slow
@needs_chromium
def test_tick_labels_short_and_labels_apart(on_screen: dict[str, Any]):
    for chart in on_screen["charts"]:
        assert chart["ticks"], chart["alt"]
        assert max(map(len, chart["ticks"])) <= 12, chart["alt"]
        assert not chart["overlaps"], (chart["alt"], chart["overlaps"])


@pytest.mark.slow
@needs_chromium
def test_printed_page_keeps_tables_and_charts_within_its_width(printed: dict[str, Any]):
    """Print rules on a landscape A4 page's width: every table shown (wide ones in parts) and
    every static chart picture, legends included, end inside the page; nothing scrolls sideways."""
    width = printed["width"]
    assert width <= PRINT_WIDTH_PX and printed["scrollWidth"] <= width
    assert len(printed["tables"]) >= 10
    for table in printed["tables"]:
        assert table["right"] <= width, table
    for chart in printed["charts"]:
        assert chart["staticShown"], chart["alt"]  # print shows the static picture
        assert 0 < chart["staticRight"] <= width, chart["alt"]


@pytest.mark.slow
@needs_chromium
def test_pdf_of_base_is_landscape_a4(base_report: Path, tmp_path: Path):
    pdf = report.print_pdf(base_report / "report.html", tmp_path / "base.pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", data)
    assert len(boxes) >= 10  # pages
    for w, h in boxes:  # A4 landscape: 297 x 210 mm = 841.9 x 595.3 pt
        assert float(w) == pytest.approx(841.9, abs=1.5) and float(h) == pytest.approx(595.3, abs=1.5)


# ------------------------------------------------------------------------ no browser needed

def test_pdf_without_chromium_exits_2_naming_what_to_install(tmp_path: Path, monkeypatch, capsys):
    """No browser on PATH: ``synergy report --pdf`` stops before rendering anything."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    out = tmp_path / "r"
    assert cli.main(["report", "milestones", "--pdf", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "Chromium" in err and "apt-get install chromium" in err
    assert not out.exists()


def _wide_table() -> str:
    """The indicator table's shape: 2 row labels x (9 hubs x 3 years) columns, as a Styler writes
    it (``report.table``)."""
    hubs = ["BTH", "CY", "GBA", "GS", "GZ", "IM", "NX", "YRD", "all"]
    columns = pd.MultiIndex.from_product([hubs, [2025, 2028, 2030]], names=["region", "year"])
    rows = pd.MultiIndex.from_tuples([("price average", "USD/MWh"), ("curtailment rate", "share")],
                                     names=["indicator", "units"])
    frame = pd.DataFrame([[float(i + 100 * r) for i in range(27)] for r in range(2)], rows, columns)
    return report.table(frame, 1).to_html()


def test_wide_tables_print_in_parts_of_whole_column_groups():
    """27 columns in groups of 3: three print-only parts of 9 (3 hubs each), every row label in
    each part, every value in exactly one part; the screen copy keeps the whole table."""
    page = report._printable_tables(_wide_table())
    screen, printed = page.split('<div class="table-print">')
    assert '<div class="table-screen"><table' in screen and screen.count("<td") == 2 * 27
    parts = re.findall(r"<table\b.*?</table>", printed, re.DOTALL)
    assert len(parts) == 3
    values = []
    for i, part in enumerate(parts):
        assert "price average" in part and "curtailment rate" in part
        hubs = re.findall(r'class="col_heading level0 col\d+"[^>]*>([^<]+)<', part)
        assert hubs == [["BTH", "CY", "GBA"], ["GS", "GZ", "IM"], ["NX", "YRD", "all"]][i]
        values += [float(v.replace(",", "")) for v in re.findall(r'class="data [^"]*"[^>]*>([^<]+)<', part)]
        assert ' id="T_' not in part  # ids stay unique in the page
    assert sorted(values) == sorted([float(i + 100 * r) for i in range(27) for r in range(2)])


def test_narrow_tables_are_left_alone():
    html_table = report.table(pd.DataFrame({"a": [1.0], "b": [2.0]}), 1).to_html()
    assert report._printable_tables(html_table) == html_table


def test_a_spec_cannot_end_its_script_element():
    chart_html = report._chart_html({charts.SPEC_MIME: {"title": "</script><b>x</b>"},
                                     "image/svg+xml": "<svg></svg>"}, 'a "title"', 0)
    assert chart_html.count("</script>") == 1 and "\\u003c/script>" in chart_html
    assert 'alt="a &quot;title&quot;"' in chart_html


def test_corridor_labels_are_short_and_unique():
    """Hub ends, numbered when a pair has several lines: at most 12 characters."""
    labels = charts._corridor_labels(pd.Series(["IM", "IM", "CY", "GBA", "CY"]),
                                     pd.Series(["BTH", "BTH", "YRD", "BTH", "YRD"]))
    assert labels == ["IM→BTH 1", "IM→BTH 2", "CY→YRD 1", "GBA→BTH", "CY→YRD 2"]


def test_green_share_in_words():
    import xarray as xr

    same = xr.DataArray([[1.0, 1.0], [1.0, 1.0 - 1e-12]], dims=("region", "year"))
    assert charts._share_sentence(same, 0.8) == (
        "green share achieved: 100% in every hub and year (target 80%)")
    varied = xr.DataArray([[0.64, 1.0], [0.8, 0.9]], dims=("region", "year"))
    assert charts._share_sentence(varied, None) == (
        "green share achieved: 64% to 100% across hubs and years")


def test_long_legend_labels_wrap_inside_the_chart():
    name = ("generation, storage and UHV investment attributed to data-centre load, and green "
            "certificates bought by data centres")
    lines = charts._wrapped(name).split("|")
    assert len(lines) == 2 and all(len(x) <= 72 for x in lines)
    assert " ".join(lines) == name  # nothing lost, "data-centre" not broken at its hyphen


@pytest.fixture(scope="module")
def comparison(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The comparison report with its notebook's default scenarios (base, high_carbon_price)."""
    names = report.SCENARIO_COMPARISON["scenarios"]
    return report.render_report(names, out=tmp_path_factory.mktemp("browser") / "compare")


def _charts_live_and_printed(page: Path, seen: dict[str, Any]) -> None:
    """The checks every report shares: each chart (``seen``: the page on screen) drawn with marks,
    a tooltip, tick labels of at most 12 characters and no labels over each other; printed at a
    landscape A4 page's width, nothing scrolls sideways and every table and picture ends inside."""
    for chart in seen["charts"]:
        assert chart["marks"] > 0 and chart["tooltip"], chart["alt"]
        assert chart["ticks"] and max(map(len, chart["ticks"])) <= 12, chart["alt"]
        assert not chart["overlaps"], (chart["alt"], chart["overlaps"])
    printed = _browse(page, PRINT_WIDTH_PX, print_media=True)
    assert printed["scrollWidth"] <= printed["width"] <= PRINT_WIDTH_PX
    assert all(t["right"] <= printed["width"] for t in printed["tables"]), printed["tables"]
    assert all(0 < c["staticRight"] <= printed["width"] for c in printed["charts"])


@pytest.mark.slow
@needs_chromium
def test_comparison_report_in_a_browser_and_in_print(comparison: Path):
    """'What changed and why' first; every chart live with a tooltip, short tick labels and no
    labels over each other; printed, every table and chart within the page."""
    seen = _browse(comparison / "report.html")
    assert seen["headings"][:2] == ["Scenario comparison", "What changed and why"]
    assert seen["summaryBeforeFigures"] and seen["figures"] == seen["drawn"] >= 3
    _charts_live_and_printed(comparison / "report.html", seen)


@pytest.mark.slow
@needs_chromium
@pytest.mark.parametrize(("notebook", "scenario"), [("market_outlook", "base"),
                                                    ("getting_started", "milestones")])
def test_other_reports_in_a_browser_and_in_print(notebook: str, scenario: str, tmp_path: Path):
    """The market outlook (no reverse search: its default) and the getting-started tour: every chart
    live with a tooltip, short tick labels, no labels over each other; printed within the page."""
    folder = report.render_report(scenario, out=tmp_path / notebook, notebook=notebook)
    seen = _browse(folder / "report.html")
    assert seen["figures"] == seen["drawn"] >= 1
    _charts_live_and_printed(folder / "report.html", seen)


SMALL_SWEEP = """name: browser_sweep
description: carbon price x data-centre electricity, one year on one representative day
base: base
settings:
  years: [2030]
  time.days: 1
  solver.threads: 1
parameters:
  carbon_price:
    values: [0, 100]
  dc_electricity.2030:
    values: [201000, 389000]
combine: product
"""


@pytest.mark.slow
@needs_chromium
def test_sweep_report_in_a_browser_and_in_print(tmp_path: Path):
    """The sweep report of a 4-case sweep: every chart live with a tooltip, short tick labels, no
    labels over each other; printed, every table and chart within the page."""
    sweep_file = tmp_path / "browser_sweep.yaml"
    sweep_file.write_text(SMALL_SWEEP, encoding="utf-8")
    folder = report.render_sweep_report(sweep_file, tmp_path / "sweep")
    seen = _browse(folder / "report.html")
    assert seen["figures"] == seen["drawn"] >= 1
    _charts_live_and_printed(folder / "report.html", seen)
