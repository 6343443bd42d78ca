"""Charts: every chart serialises to an offline Vega-Lite spec with titles, units and tooltips; the
data it embeds matches the results; colours are the same across charts; compute charts need data
centres; SVG export works; the JSON stays under a budget.

A tiny three-hub system (BTH, IM, NX; two representative days of four 6-hour steps) solves in well
under a second; one slow test checks the budget on a real scenario.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from synergy_models import charts
from synergy_models.model.build import build_model
from synergy_models.results import build_results
from synergy_models.scenario import SolverSettings
from synergy_models.solve import solve_model
from tests.tiny import tiny_inputs, with_compute

#: Budget for one chart's JSON (``chart_size_bytes``, indented as ``to_json`` writes it).
BUDGET_BYTES = 200_000
HUBS = ["BTH", "IM", "NX"]
COMPUTE_CHARTS = (charts.dc_capacity_chart, charts.compute_exports_chart, charts.green_share_chart)


def _inputs(compute: bool) -> xr.Dataset:
    hours = [0, 6, 12, 18]
    load = np.array([[30, 35, 40, 38] * 2, [8, 9, 10, 9] * 2, [5, 6, 6, 5] * 2], dtype=float)
    sun = np.array([0.0, 0.4, 0.9, 0.1] * 2)
    cf = {"wind": np.array([[0.2] * 8, [0.5, 0.6, 0.3, 0.4, 0.2, 0.3, 0.1, 0.2], [0.3] * 8]),
          "solar": np.vstack([sun, sun, sun])}
    techs = {"coal": {"marginal_cost": 0.05, "emission_intensity": 0.9},
             "wind": {"marginal_cost": 0.0}, "solar": {"marginal_cost": 0.0},
             "battery": {"efficiency": 0.9, "duration": 4.0}}
    capacity = {("BTH", "coal"): 30, ("BTH", "solar"): 10, ("BTH", "battery"): 2, ("IM", "coal"): 10,
                ("IM", "wind"): 25, ("NX", "solar"): 20, ("NX", "coal"): 4}
    lines = [{"name": "im_bth", "from": "IM", "to": "BTH", "capacity": 6.0, "loss": 0.02},
             {"name": "nx_bth", "from": "NX", "to": "BTH", "capacity": 4.0, "loss": 0.03}]
    ds = tiny_inputs(HUBS, techs, load, weights=[200 * 6] * 4 + [165 * 6] * 4, capacity=capacity,
                     max_new=0.0, cf=cf, lines=lines, periods=[0] * 4 + [1] * 4, step_hours=[6] * 8)
    ds = ds.assign_coords(hour=("time", hours * 2))
    if compute:
        ds = with_compute(ds, {("BTH", "training"): 1.5, ("BTH", "inference"): 0.5}, pue=1.2,
                          dc_capacity={"BTH": 1.5, "IM": 1.0, "NX": 1.0}, green_share=0.3)
    ds["region_name"] = ("region", np.array(["Beijing-Tianjin-Hebei", "Inner Mongolia", "Ningxia"],
                                             dtype=object))
    ds["lat"] = ("region", [40.8, 40.8, 37.5])
    ds["lon"] = ("region", [114.9, 111.8, 105.2])
    return ds


def _solve(inputs: xr.Dataset) -> xr.Dataset:
    model = build_model(inputs)
    return build_results(model, solve_model(model, SolverSettings()), inputs)


@pytest.fixture(scope="module")
def inputs() -> xr.Dataset:
    return _inputs(compute=True)


@pytest.fixture(scope="module")
def results(inputs: xr.Dataset) -> xr.Dataset:
    return _solve(inputs)


@pytest.fixture(scope="module")
def results_no_dc() -> xr.Dataset:
    return _solve(_inputs(compute=False))


@pytest.fixture(scope="module")
def every_chart(results: xr.Dataset, inputs: xr.Dataset) -> dict[str, charts.AnyChart]:
    return charts.all_charts(results, inputs)


# ------------------------------------------------------------------------------------ helpers

def _dicts(obj: Any) -> Iterator[dict]:
    if isinstance(obj, dict):
        yield obj
        for v in obj.values():
            yield from _dicts(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _dicts(v)


def _encodings(spec: dict) -> list[dict]:
    return [d["encoding"] for d in _dicts(spec) if isinstance(d.get("encoding"), dict)]


def _rows(spec: dict, field: str, without: str | None = None) -> list[dict]:
    """Rows of the one embedded dataset that has ``field`` (and not ``without``)."""
    found = [rows for rows in spec["datasets"].values()
             if rows and field in rows[0] and (without is None or without not in rows[0])]
    assert len(found) == 1, f"{len(found)} datasets with {field!r}"
    return found[0]


def _color_map(spec: dict, field: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for enc in _encodings(spec):
        color = enc.get("color", {})
        if color.get("field") == field and "scale" in color:
            out.update(zip(color["scale"]["domain"], color["scale"]["range"], strict=True))
    return out


UNIT = re.compile(r"\((GW|TWh|h|USD/MWh|Mt|%|°E|°N)[);, ]")


# -------------------------------------------------------------------------------------- tests

def test_all_charts_names(every_chart: dict) -> None:
    assert list(every_chart) == [
        "capacity_by_hub", "capacity_build_out", "generation_mix", "dispatch_BTH", "dispatch_IM",
        "dispatch_NX", "price_profiles", "price_duration", "corridor_flows", "hub_map", "curtailment",
        "emissions", "dc_capacity", "compute_exports", "green_share"]


def test_every_chart_is_an_offline_spec_with_title_units_and_tooltips(every_chart: dict) -> None:
    for name, chart in every_chart.items():
        spec = chart.to_dict()
        assert spec["title"]["text"], name
        assert spec["datasets"], name
        assert not any("url" in d for d in _dicts(spec) if "values" in d or "name" in d), name
        assert '"url"' not in chart.to_json(), name
        encodings = _encodings(spec)
        assert any("tooltip" in enc for enc in encodings), name
        quantitative = [enc[ch] for enc in encodings for ch in ("x", "y")
                        if ch in enc and enc[ch].get("type") == "quantitative"]
        assert quantitative, name
        for channel in quantitative:
            title = channel.get("title") or (channel.get("axis") or {}).get("title") or ""
            assert UNIT.search(title), (name, title)


def test_capacity_charts_sum_to_the_results(results: xr.Dataset) -> None:
    year = int(results.year[0])
    rows = _rows(charts.capacity_by_hub(results, year).to_dict(), "capacity_gw")
    assert sum(r["capacity_gw"] for r in rows) == pytest.approx(float(results.capacity.sel(year=year).sum()),
                                                                abs=1e-3)
    assert all(r["capacity_gw"] != 0 for r in rows)
    bth = sum(r["capacity_gw"] for r in rows if r["hub"] == "BTH" and r["tech"] == "coal")
    assert bth == pytest.approx(float(results.capacity.sel(region="BTH", tech="coal", year=year)), abs=1e-3)
    rows = _rows(charts.capacity_by_hub(results).to_dict(), "capacity_gw")
    assert sum(r["capacity_gw"] for r in rows) == pytest.approx(float(results.capacity.sum()), abs=1e-3)
    rows = _rows(charts.capacity_build_out(results).to_dict(), "capacity_gw")
    assert sum(r["capacity_gw"] for r in rows) == pytest.approx(float(results.capacity.sum()), abs=1e-3)


def test_generation_emissions_curtailment_match_the_results(results: xr.Dataset) -> None:
    spec = charts.generation_mix(results).to_dict()
    by_hub = next(rows for rows in spec["datasets"].values() if "hub" in rows[0])
    assert sum(r["generation_twh"] for r in by_hub) == pytest.approx(
        float(results.generation_annual.sum()), abs=1e-2)
    rows = _rows(charts.emissions(results).to_dict(), "emissions_mt")
    assert sum(r["emissions_mt"] for r in rows) == pytest.approx(float(results.emissions.sum()), abs=1e-3)
    curtailed = float(results.curtailment_annual.sum())
    assert curtailed > 0  # the tiny case spills wind and sun
    rows = _rows(charts.curtailment(results).to_dict(), "curtailment_twh")
    assert sum(r["curtailment_twh"] for r in rows) == pytest.approx(curtailed, abs=1e-3)


def test_dispatch_stack_meets_the_demand_line(results: xr.Dataset) -> None:
    """Supply stacked (charge negative) equals demand + data-centre electricity at every step."""
    year = int(results.year[0])
    spec = charts.dispatch_days(results, "BTH", year).to_dict()
    supply, demand = _rows(spec, "kind"), _rows(spec, "series", without="kind")
    total = {r["x"]: r["gw"] for r in demand if r["series"] == "demand + data centres"}
    assert len(total) == results.sizes["time"] + 1  # one more: the end of the last day
    stacked: dict[int, float] = {}
    for r in supply:
        stacked[r["x"]] = stacked.get(r["x"], 0.0) + r["gw"]
    for x, gw in total.items():
        assert stacked.get(x, 0.0) == pytest.approx(gw, abs=0.02), x
    assert all(r["gw"] != 0 for r in supply)
    assert {r["series"] for r in supply} >= {"coal", "net import"}
    assert "representative days" in " ".join(spec["title"]["subtitle"])
    assert "day 0: 200" in " ".join(spec["title"]["subtitle"])


def test_corridor_energy_and_utilisation(results: xr.Dataset) -> None:
    year = int(results.year[0])
    spec = charts.corridor_flows(results, year).to_dict()
    rows = _rows(spec, "utilisation")
    flow = results.flow.sel(line="im_bth", year=year)
    forward = float((flow.clip(min=0) * results.weight).sum()) / 1000
    backward = float(((-flow).clip(min=0) * results.weight).sum()) / 1000
    row = next(r for r in rows if r["corridor"].startswith("im_bth"))
    assert row["forward_twh"] == pytest.approx(forward, abs=1e-3)
    assert row["backward_twh"] == pytest.approx(backward, abs=1e-3)
    assert row["utilisation"] == pytest.approx((forward + backward) / (6.0 * 8.76), abs=1e-3)
    sent = _rows(spec, "sender")
    assert sum(r["twh"] for r in sent if r["corridor"].startswith("im_bth")) == pytest.approx(
        forward - backward, abs=2e-3)


def test_line_buildout_map_widths_are_the_capacity_built(results: xr.Dataset,
                                                         inputs: xr.Dataset) -> None:
    """With ``lines_by="built"`` each corridor's width field is the line capacity the model built
    over the horizon (summed over the lines of a pair of hubs), read from the results (set here
    by hand: 2.5 GW on im_bth, 4.0 on nx_bth, in the first year)."""
    new = results.line_capacity_new.copy(data=np.zeros(results.line_capacity_new.shape))
    new.loc[{"line": "im_bth", "year": new.year.values[0]}] = 2.5
    new.loc[{"line": "nx_bth", "year": new.year.values[0]}] = 4.0
    results = results.assign(line_capacity_new=new)
    spec = charts.hub_map(results, inputs, lines_by="built").to_dict()
    rows = _rows(spec, "built_gw")
    built = results.line_capacity_new.sum("year")
    for row in rows:
        pair = {row["a"], row["b"]}
        lines = [ln for ln in results.line.values
                 if {str(results.line_from.sel(line=ln).item()),
                     str(results.line_to.sel(line=ln).item())} == pair]
        assert row["built_gw"] == pytest.approx(float(built.sel(line=lines).sum()), abs=2e-3)
    assert sorted(r["built_gw"] for r in rows) == pytest.approx([2.5, 4.0])
    widths = [e for e in _encodings(spec) if "strokeWidth" in e]
    assert any(e["strokeWidth"]["field"] == "built_gw" for e in widths)
    assert spec["title"]["text"].startswith("Hubs, line build-out")


def test_price_duration_covers_the_year_with_the_same_mean(results: xr.Dataset) -> None:
    rows = _rows(charts.price_duration(results).to_dict(), "hours")
    year = int(results.year[-1])
    for hub in HUBS:
        curve = [r for r in rows if r["hub"] == hub]
        assert curve[0]["hours"] == 0 and curve[-1]["hours"] == pytest.approx(8760)
        mean = sum((b["hours"] - a["hours"]) * a["price"] for a, b in itertools.pairwise(curve))
        price = results.price.sel(region=hub, year=year)
        expected = float((price.round(1) * results.weight).sum()) / 8760
        assert mean / 8760 == pytest.approx(expected, rel=1e-3, abs=0.05)


def test_compute_exports_match_the_results(results: xr.Dataset) -> None:
    year = int(results.year[0])
    rows = _rows(charts.compute_exports_chart(results, year).to_dict(), "twh")
    assert sum(r["twh"] for r in rows) == pytest.approx(float(results.compute_exports.sum()), abs=1e-3)


def test_colours_are_the_same_across_charts(results: xr.Dataset, inputs: xr.Dataset) -> None:
    capacity = _color_map(charts.capacity_by_hub(results).to_dict(), "tech")
    dispatch = _color_map(charts.dispatch_days(results, "NX").to_dict(), "series")
    generation = _color_map(charts.generation_mix(results).to_dict(), "tech")
    assert {"coal", "solar"} <= capacity.keys() & dispatch.keys() & generation.keys()
    for tech in capacity.keys() & dispatch.keys():
        assert capacity[tech] == dispatch[tech] == charts.TECH_COLORS[tech]
    for tech in generation:
        assert generation[tech] == capacity[tech]
    hubs = [_color_map(c.to_dict(), f) for c, f in (
        (charts.emissions(results), "hub"), (charts.price_profiles(results), "hub"),
        (charts.hub_map(results, inputs), "hub"), (charts.compute_exports_chart(results), "serving"))]
    for hub in HUBS:
        assert {m[hub] for m in hubs} == {charts.HUB_COLORS[hub]}


def test_stack_order_follows_tech_order(results: xr.Dataset) -> None:
    spec = charts.capacity_build_out(results).to_dict()
    domain = next(enc["color"]["scale"]["domain"] for enc in _encodings(spec) if "color" in enc)
    assert domain == [t for t in charts.TECH_ORDER if t in results.tech.values]
    assert "order" in _encodings(spec)[0]


def test_compute_charts_need_data_centres(results_no_dc: xr.Dataset, inputs: xr.Dataset) -> None:
    assert "dc_capacity" not in results_no_dc
    for function in COMPUTE_CHARTS:
        with pytest.raises(ValueError, match="no data-centre module"):
            function(results_no_dc)
    dropped = charts.all_charts(results_no_dc, inputs)
    assert not {"dc_capacity", "compute_exports", "green_share"} & dropped.keys()
    spec = dropped["dispatch_BTH"].to_dict()
    assert {r["series"] for r in _rows(spec, "series", without="kind")} == {"demand"}


def test_bad_year_or_hub_is_a_clear_error(results: xr.Dataset) -> None:
    with pytest.raises(ValueError, match="year 1999 is not modelled"):
        charts.price_profiles(results, 1999)
    with pytest.raises(ValueError, match="hub 'XX' is not in the results"):
        charts.dispatch_days(results, "XX")


def test_svg_and_png_export(every_chart: dict, tmp_path: Path) -> None:
    svg = charts.save_chart(every_chart["dispatch_BTH"], tmp_path / "dispatch.svg")
    assert svg.read_text(encoding="utf-8").lstrip().startswith("<svg")
    png = charts.save_chart(every_chart["capacity_build_out"], tmp_path / "sub" / "capacity.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match=r"\.svg or \.png"):
        charts.save_chart(every_chart["emissions"], tmp_path / "emissions.pdf")


def test_every_chart_stays_under_the_size_budget(every_chart: dict) -> None:
    sizes = {name: charts.chart_size_bytes(c) for name, c in every_chart.items()}
    assert all(0 < s < BUDGET_BYTES for s in sizes.values()), sizes


def test_only_the_charts_module_imports_altair() -> None:
    package = Path(charts.__file__).parent
    importers = {p.name for p in package.rglob("*.py")
                 if re.search(r"^\s*(import altair|from altair)", p.read_text(encoding="utf-8"), re.M)}
    assert importers == {"charts.py"}


@pytest.mark.slow
def test_size_budget_on_a_real_scenario() -> None:
    """Eight hubs, two years, two representative days: every chart under the budget."""
    from synergy_models.data.loader import load_inputs
    from synergy_models.run import run_scenario

    overrides = {"time.days": 2}
    results = run_scenario("milestones", overrides)
    sizes = {name: charts.chart_size_bytes(c)
             for name, c in charts.all_charts(results, load_inputs("milestones", overrides)).items()}
    hubs = ["BTH", "YRD", "GBA", "CY", "IM", "GZ", "GS", "NX"]
    assert set(sizes) == {"capacity_by_hub", "capacity_build_out", "generation_mix",
                          *(f"dispatch_{h}" for h in hubs), "price_profiles", "price_duration",
                          "corridor_flows", "hub_map", "curtailment", "emissions", "dc_capacity",
                          "compute_exports", "green_share"}
    assert all(s < BUDGET_BYTES for s in sizes.values()), sizes


# -------------------------------------------------------------------------------------- sweeps

def _tech_table() -> pd.DataFrame:
    """A sweep's technology table by hand: carbon price 0, 50, 100 x compute 1, 2 (swept under a
    dotted name), one fixed parameter; case 005 failed. Coal 100 -> 90 -> 80 GW, wind 50 -> 60 ->
    75 GW (compute 1) or twice that (compute 2); battery 0 -> 1 -> 2 GW (no % from zero)."""
    rows = []
    for i, (price, dc) in enumerate(itertools.product([0, 50, 100], [1, 2])):
        failed = i == 5
        step = price // 50
        for tech, gw in (("coal", 100 - 10 * step), ("wind", [50, 60, 75][step] * dc),
                         ("battery", float(step))):
            rows.append({"case": f"{i:03d}", "carbon_price": float(price), "dc.2030": dc,
                         "free_share": 0, "status": "failed" if failed else "solved", "tech": tech,
                         "capacity_GW": np.nan if failed else gw,
                         "generation_TWh": np.nan if failed or tech == "battery" else 5.0 * gw})
    return pd.DataFrame(rows)


def test_sweep_capacity_draws_levels_and_change_against_the_first_case() -> None:
    spec = charts.sweep_capacity(_tech_table(), "carbon_price", "dc.2030").to_dict()
    rows = _rows(spec, "view")
    level = {(r["tech"], r["dc_2030"], r["carbon_price"]): r["value"] for r in rows
             if r["view"] == "capacity, all hubs (GW)"}
    change = {(r["tech"], r["dc_2030"], r["carbon_price"]): r["value"] for r in rows
              if r["view"] == "change against carbon_price = 0 (%)"}
    assert len(level) == 3 * 5  # 3 technologies x 5 finished cases (100 USD/t, compute 2 failed)
    assert level[("wind", "2", 50.0)] == 120 and level[("coal", "1", 100.0)] == 80
    assert ("coal", "2", 100.0) not in level
    # by hand: coal 90/100 - 1 = -10%, 80/100 - 1 = -20%; wind 75/50 - 1 = +50%, 120/100 - 1 = +20%
    assert change[("coal", "1", 50.0)] == -10 and change[("coal", "1", 100.0)] == -20
    assert change[("wind", "1", 100.0)] == 50 and change[("wind", "2", 50.0)] == 20
    assert change[("wind", "1", 0.0)] == 0
    assert not any(t == "battery" for t, _, _ in change)  # 0 GW at 0 USD/t: no percent change

    enc = next(e for e in _encodings(spec) if "color" in e)
    assert enc["x"]["field"] == "carbon_price" and enc["y"]["field"] == "value"
    assert _color_map(spec, "tech") == {t: charts.TECH_COLORS[t] for t in ("coal", "wind", "battery")}
    assert enc["color"]["scale"]["domain"] == ["coal", "wind", "battery"]  # TECH_ORDER
    assert spec["facet"]["column"]["field"] == "dc_2030"
    assert spec["facet"]["column"]["sort"] == ["1", "2"]
    assert spec["facet"]["row"]["sort"] == ["capacity, all hubs (GW)",
                                            "change against carbon_price = 0 (%)"]
    title = spec["title"]
    assert title["text"] == "Sweep: Capacity by technology against carbon_price"
    assert "5 cases; 1 failed (not drawn)" in title["subtitle"]
    assert "other parameters: free_share = 0" in title["subtitle"]


def test_sweep_capacity_shows_generation_and_needs_one_value_of_other_parameters() -> None:
    table = _tech_table()
    one = table[table["dc.2030"] == 1]
    spec = charts.sweep_capacity(one, "carbon_price", measure="generation_TWh").to_dict()
    rows = _rows(spec, "view")
    assert {r["tech"] for r in rows} == {"coal", "wind"}  # storage generates nothing of its own
    assert {r["view"] for r in rows} == {"generation, all hubs (TWh)",
                                         "change against carbon_price = 0 (%)"}
    assert "column" not in spec["facet"]
    with pytest.raises(ValueError, match=r"'dc\.2030' varies too"):
        charts.sweep_capacity(table, "carbon_price")
    with pytest.raises(ValueError, match="not a swept parameter"):
        charts.sweep_capacity(table, "tech")
    with pytest.raises(ValueError, match="measure must be one of"):
        charts.sweep_capacity(one, "carbon_price", measure="emissions_Mt")


def _lab(color: str) -> np.ndarray:
    """CIE L*a*b* (D65) of a #rrggbb colour."""
    rgb = np.array([int(color[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    rgb = np.where(rgb > 0.04045, ((rgb + 0.055) / 1.055) ** 2.4, rgb / 12.92)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                    [0.0193, 0.1192, 0.9505]]) @ rgb / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def test_hub_colours_are_distinct() -> None:
    """Eight price lines in one chart: no two hub colours closer than ΔE*76 = 35 (the old
    palette's YRD and GZ oranges were 33 apart)."""
    assert len(set(charts.HUB_COLORS.values())) == len(charts.HUB_COLORS) >= 8
    closest = min(float(np.linalg.norm(_lab(a) - _lab(b)))
                  for a, b in itertools.combinations(charts.HUB_COLORS.values(), 2))
    assert closest >= 35


def test_indicator_panels_hide_noise_and_empty_panels(results: xr.Dataset, inputs: xr.Dataset
                                                      ) -> None:
    """Solver noise (1e-13) is drawn as 0, an indicator zero in every hub gets no panel but a
    line in the subtitle, and units "1" read "share"."""
    from synergy_models.indicators import indicators

    ind = indicators(results, inputs)
    ind["carbon_intensity_compute"] = ind.carbon_intensity_compute * 0 + 1e-13
    ind["carbon_intensity_compute"][{"region": 0}] = 300.0
    ind["unserved_share"] = ind.unserved_share * 0.0
    spec = charts.indicators_by_hub(ind).to_dict()
    rows = next(iter(spec["datasets"].values()))
    intensity = [r["value"] for r in rows if r["indicator"].startswith("carbon intensity compute (")]
    assert sorted(intensity) == [0.0, 0.0, 300.0]
    assert not any(r["indicator"].startswith("unserved share") for r in rows)
    assert any("zero in every hub (not drawn): unserved share" in line
               for line in spec["title"]["subtitle"])
    assert not any("(1)" in r["indicator"] for r in rows)
    assert all(len(f"{r['value']:g}") <= 12 for r in rows)
