"""The province tile-grid map (issue 18): its layout, an offline spec whose numbers are worked out
by hand from the tiny results, and the scenario report showing it on a province run only."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import nbformat
import pytest
import xarray as xr

from synergy_models import charts, report
from synergy_models.data.loader import load_inputs
from tests.tiny_results import tiny_results

REGIONS = Path(__file__).resolve().parent.parent / "data" / "china_provinces" / "regions.csv"
URL = re.compile(r"https?://", re.IGNORECASE)


def _regions() -> list[dict[str, str]]:
    with REGIONS.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _tiny() -> tuple[xr.Dataset, xr.Dataset]:
    """tiny_results' hubs A and B as A = Beijing + Tianjin, B = Hebei (a grouped region, as the
    hub dataset's BTH), with a demand-weighted price set by hand."""
    results = tiny_results()
    results["price_average"] = xr.DataArray([[100.0], [35.0]], dims=("region", "year"),
                                            coords={"region": ["A", "B"], "year": [2030]})
    inputs = xr.Dataset({"provinces": ("region", ["Beijing; Tianjin", "Hebei"]),
                         "region_name": ("region", ["Alpha", "Beta"])},
                        coords={"region": ["A", "B"]})
    return results, inputs


def _data(spec: dict, column: str) -> list[dict]:
    """The embedded data set holding ``column`` (altair names data sets by their hash)."""
    found = [rows for rows in spec["datasets"].values() if rows and column in rows[0]]
    assert len(found) == 1, column
    return found[0]


def test_the_layout_has_the_31_provinces_of_the_dataset_each_in_its_own_cell():
    rows = _regions()
    assert {name: pid for name, (pid, _, _) in charts.PROVINCE_TILES.items()} == {
        r["provinces"]: r["region"] for r in rows}
    cells = [(c, r) for _, c, r in charts.PROVINCE_TILES.values()]
    assert len(cells) == len(set(cells)) == 31


def test_the_layout_never_turns_distant_provinces_round():
    """A province whose map point (capital or data-centre cluster, regions.csv) lies 5 degrees
    further north than another's is never on a lower row, and 3 degrees further east never in a
    column further left. (Closer than 5 degrees the grid trades order for shared edges: Urumqi is
    4.7 degrees north of Tianjin, but Xinjiang sits a row below it, beside Gansu.)"""
    where = {r["provinces"]: (float(r["lat"]), float(r["lon"])) for r in _regions()}
    tiles = charts.PROVINCE_TILES
    for a in tiles:
        for b in tiles:
            (lat_a, lon_a), (lat_b, lon_b) = where[a], where[b]
            if lat_a > lat_b + 5:
                assert tiles[a][2] <= tiles[b][2], (a, b)   # row 0 is the top
            if lon_a > lon_b + 3:
                assert tiles[a][1] >= tiles[b][1], (a, b)


def test_the_map_is_an_offline_spec_of_31_tiles():
    results, inputs = _tiny()
    for chart in (charts.province_map(results, inputs, "net_imports", flows=True),
                  charts.province_maps(results, inputs)):
        spec = chart.to_dict()
        # no shapes, tiles or data to fetch: no address anywhere but the schema's identifier
        # (which altair writes in every spec and vega-embed does not load)
        assert spec.pop("$schema").startswith("https://vega.github.io/schema/vega-lite/")
        assert not URL.search(json.dumps(spec))
        tiles = _data(spec, "province")
        assert sorted(t["id"] for t in tiles) == sorted(pid for pid, _, _ in
                                                        charts.PROVINCE_TILES.values())
    assert chart.to_dict()["title"]["text"] == "Provinces, 2030"


def test_tile_values_are_the_regions_indicators_worked_out_by_hand():
    """tiny_results (docs in tests/tiny_results.py), 2 steps of 6,000 and 2,760 h:
    A's trade terms are line imports 0.95 x 2 = 1.9 GW then -3 GW, and a 1 GW scheduled export:
    (1.9 - 1) x 6,000 + (-3 - 1) x 2,760 = -5,640 GWh = -5.64 TWh; B's: -2 x 6,000 + 2.85 x 2,760
    = -4,134 GWh. A's wind 30 TWh of 130 generated; B's none of 40. The line AB carries 3 GW A->B
    for 2,760 h (8.28 TWh) and 2 GW B->A for 6,000 h (12 TWh)."""
    results, inputs = _tiny()
    spec = charts.province_map(results, inputs, "vre_share", flows=True).to_dict()
    tiles = {t["id"]: t for t in _data(spec, "province")}
    for pid in ("BJ", "TJ"):
        assert tiles[pid]["region"] == "A" and tiles[pid]["region_name"] == "Alpha"
        assert tiles[pid]["net_imports"] == pytest.approx(-5.64)
        assert tiles[pid]["vre_share"] == pytest.approx(30 / 130, abs=1e-4)
        assert tiles[pid]["price"] == 100.0 and tiles[pid]["emissions"] == 20.0
    assert tiles["HE"]["net_imports"] == pytest.approx(-4.134)
    assert tiles["HE"]["vre_share"] == 0.0
    assert not tiles["SD"]["modelled"] and tiles["SD"]["region"] == ""
    points = sorted(_data(spec, "energy_twh"), key=lambda p: p["step"])
    assert {(p["pair"], p["a"], p["b"]) for p in points} == {(0, "A", "B")}
    line = points[0]
    assert line["a_to_b_twh"] == pytest.approx(8.28) and line["b_to_a_twh"] == pytest.approx(12.0)
    assert line["energy_twh"] == pytest.approx(20.28)
    # from A, the middle of its two tiles Beijing (4, 1) and Tianjin (5, 1), to Hebei's (4, 2)
    assert (points[0]["x"], points[0]["y"], points[-1]["x"], points[-1]["y"]) == (5.0, 1.5, 4.5, 2.5)
    assert "grey: not modelled (28 of 31 provinces)" in spec["title"]["subtitle"]


def test_an_unknown_measure_or_inputs_without_provinces_are_named():
    results, inputs = _tiny()
    with pytest.raises(ValueError, match="measure must be one of"):
        charts.province_map(results, inputs, "prices")
    with pytest.raises(ValueError, match="no 'provinces'"):
        charts.province_map(results, inputs.drop_vars("provinces"))


def test_only_inputs_covering_the_mainland_get_a_map_in_the_report():
    results, inputs = _tiny()
    assert charts.province_map_for_report(results, inputs) is None
    assert not charts.covers_mainland(load_inputs("base"))      # eight hubs, 14 provinces
    assert charts.covers_mainland(load_inputs("provinces"))


@pytest.mark.slow
def test_the_report_of_a_province_run_shows_the_map(tmp_path: Path):
    """The 2024 provinces on 2 representative days of 4 steps (a smaller tests/test_provinces.py
    quick solve; about 90 s with the solve): the report notebook holds the map, and its HTML
    loads nothing from the network. (render_report would also save every chart as SVG and PNG.)"""
    import papermill

    executed = tmp_path / "report.ipynb"
    papermill.execute_notebook(
        str(report.NOTEBOOK_DIR / "scenario_report.ipynb"), str(executed), progress_bar=False,
        parameters={"scenario": "provinces_2024", "time_days": 2, "time_segments": 4, "hub": "NM",
                    "cache_dir": str(tmp_path / "cache")})
    book = nbformat.read(executed, as_version=4)
    maps = [o for c in book.cells if c.cell_type == "code" for o in c.outputs
            if charts.SPEC_MIME in o.get("data", {})
            and o.data[charts.SPEC_MIME].get("title", {}).get("text", "").startswith("Provinces")]
    assert len(maps) == 1
    spec = maps[0].data[charts.SPEC_MIME]
    tiles = _data(spec, "province")
    assert len(tiles) == 31 and all(t["modelled"] for t in tiles)
    assert {t["region"] for t in tiles} == {pid for pid, _, _ in charts.PROVINCE_TILES.values()}
    html = report.export_html(executed, tmp_path / "report.html").read_text(encoding="utf-8")
    assert spec["title"]["text"] in html and not re.search(r"""src=["']https?://""", html)
