"""The 31-province dataset ``data/china_provinces`` (issue 18): it validates, covers the mainland,
its numbers add up to the national figures, its network is closed, and a short year solves."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from synergy_models.data.loader import build_primary, load_inputs, regenerate_profiles
from synergy_models.data.tables import read_tables
from synergy_models.run import run_scenario

DATA = Path(__file__).resolve().parent.parent / "data"
FOLDER = DATA / "china_provinces"

MAINLAND = {
    "Beijing", "Tianjin", "Hebei", "Shanxi", "Inner Mongolia", "Liaoning", "Jilin", "Heilongjiang",
    "Shanghai", "Jiangsu", "Zhejiang", "Anhui", "Fujian", "Jiangxi", "Shandong", "Henan", "Hubei",
    "Hunan", "Guangdong", "Guangxi", "Hainan", "Chongqing", "Sichuan", "Guizhou", "Yunnan", "Tibet",
    "Shaanxi", "Gansu", "Qinghai", "Ningxia", "Xinjiang",
}
#: National 2024 electricity consumption, 9,852 TWh (reference data sheet section 1, [CEIC]
#: generation-consumption-utilization-capacity.csv); the provincial series of the same source add
#: up to slightly less (statistical differences), hence the tolerance.
NATIONAL_DEMAND_2024_TWH = 9852.0
DEMAND_TOLERANCE = 0.005


def _rows(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def tables():
    return read_tables(FOLDER)


def test_dataset_validates_with_31_single_province_regions(tables):
    assert len(tables.regions) == 31
    assert {p for r in tables.regions for p in r.provinces} == MAINLAND
    assert all(len(r.provinces) == 1 for r in tables.regions)
    primary = build_primary(tables)
    assert primary.sizes["region"] == 31


def test_shipped_profiles_match_the_generator():
    same, message = regenerate_profiles(FOLDER, check_only=True)
    assert same, message


def test_provincial_demand_adds_up_to_the_national_figure():
    demand = [float(r["value"]) for r in _rows(FOLDER, "provinces.csv")
              if r["parameter"] == "demand"]
    units = {r["unit"] for r in _rows(FOLDER, "provinces.csv") if r["parameter"] == "demand"}
    assert len(demand) == 31 and units == {"TWh"}
    assert sum(demand) == pytest.approx(NATIONAL_DEMAND_2024_TWH, rel=DEMAND_TOLERANCE)


def test_every_line_joins_two_provinces_of_the_dataset():
    regions = {r["region"] for r in _rows(FOLDER, "regions.csv")}
    lines = _rows(FOLDER, "lines.csv")
    assert len(lines) > 50
    for ln in lines:
        assert ln["from"] in regions and ln["to"] in regions and ln["from"] != ln["to"], ln["line"]
    # every province is reached by the network (no island without a line)
    ends = {ln[k] for ln in lines for k in ("from", "to")}
    assert ends == regions
    params = {(r["line"], r["parameter"]) for r in _rows(FOLDER, "line_parameters.csv")}
    assert all((ln["line"], p) in params for ln in lines for p in ("capacity", "length"))


def test_line_level_volumes_keep_the_senders_totals():
    """Zhejiang's DC lines carry their published volumes (issue 18); Sichuan's 126.1 TWh (CEC net
    output) and Ningxia's 101 TWh (2025 DC exports) stay whole, the rest shared by capacity."""
    rows = _rows(FOLDER, "line_parameters.csv")
    twh = {r["line"]: float(r["value"]) for r in rows if r["parameter"] == "contracted_energy"}
    gw = {r["line"]: float(r["value"]) for r in rows if r["parameter"] == "capacity"}
    # Xiluodu-Zhexi: 100 TWh on 2017-06-23, 300 TWh on 2024-05-13 (2,516 days apart); Baihetan-
    # Zhejiang at the same hours
    binjin = 200 / (2516 / 365.25)
    assert twh["sc_zj"] == pytest.approx(2 * binjin, abs=0.01)
    assert 2 * binjin == pytest.approx(58.07, abs=0.01)
    sichuan = ["sc_zj", "sc_js", "sc_sh", "sc_jx"]
    assert sum(twh[ln] for ln in sichuan) == pytest.approx(126.1, abs=0.01)
    # the rest, 126.1 - 58.07 = 68.03 TWh over 29.6 GW: one rate per GW on the other three
    assert sum(gw[ln] for ln in sichuan[1:]) == pytest.approx(29.6)
    for ln in sichuan[1:]:
        assert twh[ln] / gw[ln] == pytest.approx(68.03 / 29.6, abs=0.001), ln
    # Ningxia: Lingshao 55.7 (2024), Yindong 23.7 (long-run), Zhongning the rest
    assert (twh["nx_zj"], twh["nx_sd"]) == (55.7, 23.7)
    assert twh["nx_zj"] + twh["nx_sd"] + twh["nx_hunan_zhongning"] == pytest.approx(101.0)
    # Shandong's 154.77 TWh of purchases: its DC contracts plus the AC remainder, 0.4/0.6 by tie
    assert twh["he_sd"] + twh["bj_sd"] + twh["nx_sd"] + twh["nm_sd"] == pytest.approx(154.77)
    assert twh["he_sd"] / (twh["he_sd"] + twh["bj_sd"]) == pytest.approx(0.4)


#: Shanxi's outbound transmission capacity, 30.62 GW (State Grid Shanxi, Xinhua 2023-01-12; "more
#: than 30 GW" in April 2024): the lines leaving Shanxi for Hebei, Beijing, Henan and Jiangsu.
SHANXI_OUTBOUND_GW = 30.62


def test_shanxi_outbound_ties_add_up_to_its_published_capacity():
    """PIK's corridors out of Shanxi made 41.95 GW (Hebei 25); the Hebei tie holds what the ties
    with their own figure leave of the published 30.62 GW: 30.62 - 8 - 5 - 3.95 = 13.67 GW."""
    cap = {r["line"]: float(r["value"]) for r in _rows(FOLDER, "line_parameters.csv")
           if r["parameter"] == "capacity"}
    lines = _rows(FOLDER, "lines.csv")
    outbound = {ln["line"] for ln in lines if "SX" in (ln["from"], ln["to"])
                and ln["status"] == "existing" and {ln["from"], ln["to"]} & {"HE", "BJ", "HA", "JS"}}
    assert outbound == {"he_sx", "bj_sx", "ha_sx", "sx_js"}
    assert cap["he_sx"] == pytest.approx(13.67)
    assert sum(cap[ln] for ln in outbound) == pytest.approx(SHANXI_OUTBOUND_GW)


def test_every_number_has_a_source(tables):
    prov = tables.provenance()
    assert len(prov) > 1000
    assert prov["source"].str.len().min() >= 3


def test_hub_provinces_keep_the_hub_dataset_numbers():
    hubs = {(r["province"], r["parameter"]): r["value"]
            for r in _rows(DATA / "china_hubs", "provinces.csv")}
    mine = {(r["province"], r["parameter"]): r["value"] for r in _rows(FOLDER, "provinces.csv")}
    assert len(hubs) > 200
    assert {k: mine.get(k) for k in hubs} == hubs


def _builder():
    from tests.scripts import load_script

    return load_script(DATA.parent / "tools" / "build_china_provinces.py", "build_china_provinces")


def _split_rows(tool, path: Path, keys: set[tuple[str, ...]]
                ) -> tuple[list[str], dict[tuple[str, ...], list[str]]]:
    """A CSV file's rows: those whose leading fields match none of ``keys``, and those that do
    (matched as the builder matches them)."""
    kept, matched = [], {}
    for fields in csv.reader(path.read_text(encoding="utf-8").splitlines()):
        key = tool.own_key(fields, keys)
        if key is None:
            kept.append(",".join(fields))
        else:
            matched[key] = fields
    return kept, matched


def test_national_files_are_the_hub_datasets_but_the_rows_the_builder_keeps_its_own():
    """The builder copies the national files from china_hubs but for the rows it lists in
    NATIONAL_OWN (and hydro's credit, derived from CEIC): a change to either dataset's national
    files that the builder does not know about makes the shipped data and the builder drift. The
    own rows are exactly the provincial sources of solar's credit and the reserve margin and
    ``default_max_new`` (the hubs' 4 GW splits a national pace over their eight corridors); issue
    17's lead time and collector costs are the hubs' here too."""
    tool = _builder()
    assert {(f, k) for f, rows in tool.NATIONAL_OWN.items() for k in rows} == {
        ("technologies.csv", ("solar", "capacity_credit", "")),
        ("parameters.csv", ("reserve_margin", "")),
        ("transmission.csv", ("default_max_new", "2024"))}
    derived = {"technologies.csv": {("hydro", "capacity_credit", "")}}
    for name in ("technologies.csv", "transmission.csv", "parameters.csv", "currency.csv",
                 "compute_parameters.csv", "hydrogen_parameters.csv"):
        own = tool.NATIONAL_OWN.get(name, {})
        skip = set(own) | derived.get(name, set())
        hub_rows, _ = _split_rows(tool, DATA / "china_hubs" / name, skip)
        prov_rows, prov_own = _split_rows(tool, FOLDER / name, skip)
        assert prov_rows == hub_rows, (
            f"china_provinces/{name} differs from china_hubs/{name} outside the builder's "
            "NATIONAL_OWN rows: take the change into both or list the row in "
            "tools/build_china_provinces.py")
        assert {k: v for k, v in own.items() if v is not None} == {
            k: v for k, v in prov_own.items() if k in own}, name
        assert derived.get(name, set()) <= set(prov_own), name


def test_hub_rules_of_issue_17_hold_in_the_hub_provinces():
    """Each hub's collector limits sit on its one province (IM on NM, GS, NX; with the hub's value
    and year), and the UHV lines copied from china_hubs keep its first year, capacity year and
    max_new: the same facts in both datasets."""
    prov_of = {r["region"]: r["provinces"] for r in _rows(FOLDER, "regions.csv")}
    hub_provinces = {r["region"]: r["provinces"] for r in _rows(DATA / "china_hubs",
                                                               "regions.csv")}
    region_of = {v: k for k, v in prov_of.items()}
    hub_rows = {(region_of[hub_provinces[r["region"]]], r["parameter"]): (r["year"], r["value"])
                for r in _rows(DATA / "china_hubs", "region_parameters.csv")
                if r["parameter"].startswith("collector_")}
    mine = {(r["region"], r["parameter"]): (r["year"], r["value"])
            for r in _rows(FOLDER, "region_parameters.csv")
            if r["parameter"].startswith("collector_")}
    assert set(hub_rows) == {("NM", "collector_share"), ("GS", "collector_share"),
                             ("NX", "collector_share"), ("GS", "collector_share_wind")}
    assert mine == hub_rows
    hub_lines = {r["line"]: r for r in _rows(DATA / "china_hubs", "lines.csv")}
    my_lines = {r["line"]: r for r in _rows(FOLDER, "lines.csv")}
    copied = [ln for ln in my_lines if ln in hub_lines]
    assert sorted(copied) == ["gs_yrd_wuwei_zhejiang", "im_bth_mengxi_jingjinji",
                              "nx_hunan_zhongning"]
    assert {ln: my_lines[ln]["in_service"] for ln in copied} == {
        ln: hub_lines[ln]["in_service"] for ln in copied}
    assert my_lines["gs_yrd_wuwei_zhejiang"]["in_service"] == "2027"

    def params(folder: Path, keep: set[str]) -> dict:
        return {(r["line"], r["parameter"]): (r["year"], r["value"])
                for r in _rows(folder, "line_parameters.csv")
                if r["line"] in copied and r["parameter"] in keep}
    keep = {"capacity", "length", "investment", "max_new"}
    assert params(FOLDER, keep) == params(DATA / "china_hubs", keep)
    assert params(FOLDER, {"max_new"}) == {("gs_yrd_wuwei_zhejiang", "max_new"): ("", "0"),
                                           ("im_bth_mengxi_jingjinji", "max_new"): ("", "0")}


def test_hub_clusters_are_placed_in_their_provinces():
    """Each hub's data-centre capacity sits in its provinces in full, and compute demand
    originates only in the 14 hub provinces."""
    hub_of = {p: r["region"] for r in _rows(DATA / "china_hubs", "regions.csv")
              for p in r["provinces"].split(";")}
    region_province = {r["region"]: r["provinces"] for r in _rows(FOLDER, "regions.csv")}
    hub_cap = {r["region"]: float(r["value"]) for r in _rows(DATA / "china_hubs", "compute.csv")
               if r["parameter"] == "dc_capacity_existing"}
    placed: dict[str, float] = {}
    shares = {}
    for r in _rows(FOLDER, "compute.csv"):
        province = region_province[r["region"]]
        if r["parameter"] == "dc_capacity_existing" and float(r["value"]) > 0:
            assert province in hub_of, province
            placed[hub_of[province]] = placed.get(hub_of[province], 0.0) + float(r["value"])
        if r["parameter"] == "demand_share":
            shares[province] = float(r["value"])
    assert placed == pytest.approx(hub_cap, abs=0.2)  # MW, rounding of the split
    assert placed["BTH"] == pytest.approx(4000) and "HE" in {
        r["region"] for r in _rows(FOLDER, "compute.csv")
        if r["parameter"] == "dc_capacity_existing" and float(r["value"]) > 0}
    assert sum(shares.values()) == pytest.approx(1.0, abs=1e-6)
    assert all(v == 0 for p, v in shares.items() if p not in hub_of)


def test_scenario_inputs_have_31_regions_and_no_data_centres_outside_the_hubs():
    inputs = load_inputs("provinces")
    assert inputs.sizes["region"] == 31
    outside = ["SX", "LN", "JL", "HL", "FJ", "JX", "SD", "HA", "HB", "HN", "GX", "HI", "YN", "XZ",
               "SN", "QH", "XJ"]
    assert float(inputs.max_new_dc.sel(region=outside).max()) == 0.0
    # demand reaches the model unchanged: the base-year total is the provinces' sum (GWh)
    total = sum(float(r["value"]) for r in _rows(FOLDER, "provinces.csv")
                if r["parameter"] == "demand") * 1000
    assert float(inputs.demand_base.sum()) == pytest.approx(total, rel=1e-9)


@pytest.fixture(scope="module")
def quick_solve():
    """The 2024 system (one model year, nothing new built) on 3 representative days."""
    return run_scenario("provinces_2024", {"time.days": 3, "time.segments": 8})


def test_a_quick_2024_solve_is_feasible_and_serves_the_load(quick_solve):
    results = quick_solve
    assert results.sizes["region"] == 31
    demand = float(results.demand.sum())
    assert demand > 0
    # nothing is built, so generation must meet 2024 demand: little or no unserved energy
    unserved = float(results.unserved_annual.sum())
    total = float(results.generation_annual.sum()) * 1000  # TWh -> GWh
    assert total > 0.9 * NATIONAL_DEMAND_2024_TWH * 1000
    assert unserved <= 0.01 * total


@pytest.mark.parametrize("tech, national, low, high", [
    # national end-2024 capacity, GW (reference data sheet section 1, [CEIC]); the provinces'
    # series are plants >= 6 MW (wind: November), so they may fall short but not exceed much
    ("solar", 886.7, -0.01, 0.01),
    ("hydro", 436.0, -0.02, 0.02),
    ("wind", 520.7, -0.10, 0.0),
    ("nuclear", 60.8, -0.05, 0.0),
])
def test_provincial_capacity_adds_up_to_the_national_figure(tech, national, low, high):
    total = sum(float(r["value"]) for r in _rows(FOLDER, "provinces.csv")
                if r["parameter"] == f"capacity_{tech}")
    assert national * (1 + low) <= total <= national * (1 + high)
