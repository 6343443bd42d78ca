"""The loader's numbers, checked against calculations made here from the CSV files themselves."""

from __future__ import annotations

import csv
import os
import stat
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from synergy_models.data.loader import inputs_hash, load_inputs
from synergy_models.data.timeseries import expand_to_year
from synergy_models.io import read_netcdf, write_netcdf
from synergy_models.scenario import Scenario

DATA = Path(__file__).resolve().parent.parent / "data" / "china_hubs"
# Conversions written out by hand, independent of the pint registry under test.
TO_GWH = {"TWh": 1000.0, "GWh": 1.0}
TO_GW = {"GW": 1.0, "MW": 1e-3}


def csv_rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def hub_of() -> dict[str, str]:
    return {p.strip(): r["region"] for r in csv_rows("regions.csv") for p in r["provinces"].split(";")}


def province_values(parameter: str, table: dict[str, float]) -> dict[str, float]:
    out = {}
    for r in csv_rows("provinces.csv"):
        if r["parameter"] == parameter:
            assert r["unit"] in table, f"test needs a hand conversion for {r['unit']}"
            out[r["province"]] = float(r["value"]) * table[r["unit"]]
    return out


@pytest.fixture(scope="module")
def base() -> xr.Dataset:
    """Every year 2025-2030 and hourly representative days (the base scenario merges hours)."""
    return load_inputs("full_horizon")


@pytest.fixture(scope="module")
def full_year() -> xr.Dataset:
    return load_inputs(Scenario(name="fy", years=[2025, 2030], time={"resolution": "full_year"}))


def test_hub_demand_is_the_sum_of_its_provinces(base):
    expected: dict[str, float] = defaultdict(float)
    for province, gwh in province_values("demand", TO_GWH).items():
        expected[hub_of()[province]] += gwh
    got = base.demand_base.to_series().to_dict()
    assert got == pytest.approx(dict(expected), rel=1e-9)
    assert base.demand_base.sum().item() > 4e6  # eight hubs use well over 4,000 TWh


def test_storage_in_service_is_of_the_base_year(base):
    """New-type storage roughly doubled in 2024 and again in 2025 (national 31.4 -> 73.8 -> ~145
    GW), so a figure a year late is about twice too large (Inner Mongolia's end-2025 19.97 GW
    once stood for end-2024's 10.32): every ``capacity_battery`` row is of the base year, and the
    hubs' existing batteries are their provinces' rows (0 where a province has none)."""
    with (DATA / "dataset.yaml").open(encoding="utf-8") as f:
        base_year = next(int(line.split(":")[1]) for line in f if line.startswith("base_year:"))
    rows = [r for r in csv_rows("provinces.csv") if r["parameter"] == "capacity_battery"]
    assert rows and {int(r["year"]) for r in rows} == {base_year}
    expected = defaultdict(float)
    for province, gw in province_values("capacity_battery", TO_GW).items():
        expected[hub_of()[province]] += gw
    got = base.capacity_existing.sel(tech="battery")
    for hub in got.region.values:
        assert float(got.sel(region=hub)) == pytest.approx(expected.get(str(hub), 0.0), abs=1e-9)
    assert expected["IM"] == pytest.approx(10.32) and expected["NX"] == pytest.approx(4.719)


def test_thermal_capacity_is_split_into_coal_and_gas_and_sums_back(base):
    thermal: dict[str, float] = defaultdict(float)
    for province, gw in province_values("capacity_thermal", TO_GW).items():
        thermal[hub_of()[province]] += gw
    both = base.capacity_existing.sel(tech=["coal", "gas"]).sum("tech").to_series().to_dict()
    assert both == pytest.approx(dict(thermal), rel=1e-9)
    national = {r["parameter"]: float(r["value"]) for r in csv_rows("parameters.csv")}
    gas_share = national["national_capacity_gas"] / (
        national["national_capacity_gas"] + national["national_capacity_coal"])
    overridden = {r["province"] for r in csv_rows("provinces.csv")
                  if r["parameter"] == "gas_share_thermal"}
    for hub in base.region.values:
        members = [p for p, h in hub_of().items() if h == hub]
        if not set(members) & overridden:
            gas = base.capacity_existing.sel(region=hub, tech="gas").item()
            assert gas == pytest.approx(thermal[hub] * gas_share)


def test_demand_grows_at_the_compound_rate(base):
    """Reported demand less today's data centres (modelled by the compute module) grows."""
    g = base.demand_growth
    dc = base.dc_electricity_base
    assert dc.sum().item() == pytest.approx(102_000 * float(base.hub_share))  # GWh
    for year in base.year.values:
        expected = (base.demand_base - dc) * (1 + g) ** (int(year) - 2024)
        np.testing.assert_allclose(base.demand.sel(year=year), expected, rtol=1e-12)


def test_costs_are_interpolated_between_2025_and_2030(base):
    c25, c30 = base.capex.sel(year=2025), base.capex.sel(year=2030)
    np.testing.assert_allclose(base.capex.sel(year=2027), c25 + 0.4 * (c30 - c25), rtol=1e-12)


def test_line_losses_follow_length(base):
    t = {r["parameter"]: float(r["value"]) * (0.01 if r["unit"] == "percent" else 1.0)
         for r in csv_rows("transmission.csv") if r["parameter"].startswith("loss")}
    expected = t["loss_fixed"] + t["loss_per_1000km"] * base.line_length / 1000
    np.testing.assert_allclose(base.line_loss, expected, rtol=1e-12)


def test_planned_lines_enter_service_in_their_year(base):
    for line in base.line.values:
        year = base.line_in_service.sel(line=line).item()
        cap = base.line_capacity_existing.sel(line=line)
        for y in base.year.values:
            assert cap.sel(year=y).item() == (
                base.line_capacity.sel(line=line).item() if year <= y else 0.0)


def test_representative_days_cover_the_year(base):
    assert base.weight.sum().item() == 8760
    assert base.sizes["time"] == 8 * 24
    assert set(np.unique(base.day_period)) == set(range(8))
    assert ((base[["wind_cf", "solar_cf", "hydro_cf"]].to_array() >= 0).all()
            and (base[["wind_cf", "solar_cf", "hydro_cf"]].to_array() <= 1).all())


def test_representative_days_keep_annual_energy(base, full_year):
    for var in ("load_profile", "wind_cf", "solar_cf", "hydro_cf"):
        reduced = (base[var] * base.weight).sum("time") / 8760
        annual = full_year[var].mean("time")
        np.testing.assert_allclose(reduced, annual, rtol=0.02, err_msg=var)


def test_full_year_is_the_identity(full_year):
    assert full_year.sizes["time"] == 8760 and (full_year.weight == 1).all()
    assert (full_year.reduction_rmse == 0).all()
    rebuilt = expand_to_year(full_year.wind_cf, full_year)
    np.testing.assert_array_equal(rebuilt.values, full_year.wind_cf.values)
    assert str(rebuilt.time.values[0])[:16] == "2025-01-01T00:00"


def test_reduction_error_is_reported_and_shrinks_with_more_days(base):
    more = load_inputs("full_horizon", {"time.days": 24})
    assert (base.reduction_rmse > 0).all()
    assert more.reduction_rmse.mean() < base.reduction_rmse.mean()


def test_overrides_change_only_what_they_name(base):
    rate = next(float(r["per_usd"]) for r in csv_rows("currency.csv") if r["currency"] == "CNY")
    changed = load_inputs("full_horizon", {"carbon_price": "300 CNY/t",
                                           "demand_growth": {"YRD": 0.09}})
    np.testing.assert_allclose(changed.carbon_price, 300 / rate)
    assert changed.demand_growth.sel(region="YRD").item() == 0.09
    others = [r for r in base.region.values if r != "YRD"]
    xr.testing.assert_equal(changed.demand.sel(region=others), base.demand.sel(region=others))
    yrd = (base.demand_base - base.dc_electricity_base).sel(region="YRD").item()
    assert changed.demand.sel(region="YRD", year=2030).item() == pytest.approx(yrd * 1.09**6)


def test_inputs_hash_is_stable_and_sensitive(base):
    again = load_inputs("full_horizon")
    assert again.attrs["inputs_hash"] == base.attrs["inputs_hash"] == inputs_hash(base)
    changed = load_inputs("full_horizon", {"carbon_price": 20})
    assert changed.attrs["inputs_hash"] != base.attrs["inputs_hash"]


def test_segments_merge_hours_and_keep_the_year(base):
    seg = load_inputs("base")  # 8 days of 6 segments
    assert seg.sizes["time"] == 8 * 6 and seg.weight.sum().item() == 8760
    assert (seg.step_hours.groupby("period").sum() == 24).all()
    for var in ("load_profile", "wind_cf", "solar_cf"):
        annual = (seg[var] * seg.weight).sum("time") / 8760
        hourly_days = (base[var] * base.weight).sum("time") / 8760
        np.testing.assert_allclose(annual, hourly_days, rtol=0.02, err_msg=var)
    hourly = expand_to_year(seg.load_profile, seg)
    assert hourly.sizes["time"] == 8760


def test_netcdf_round_trip_is_identical(base, tmp_path):
    path = write_netcdf(base, tmp_path / "inputs.nc")
    xr.testing.assert_identical(read_netcdf(path), base)
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask  # not mkstemp's private 0o600


def test_interrupted_write_leaves_the_old_file_and_no_temporary(base, tmp_path):
    path = write_netcdf(base, tmp_path / "inputs.nc")
    before = path.read_bytes()
    bad = base.assign_attrs(unwritable={"a": 1})  # netCDF attributes cannot hold a dict
    with pytest.raises(TypeError):
        write_netcdf(bad, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inputs.nc"]


def test_clusterings_are_kept_on_disk_and_read_back_identically(tmp_path, monkeypatch):
    """A second process (here: an emptied in-process cache) reads the clustering from the cache
    folder instead of clustering again, and gets the same inputs; 'off' keeps nothing."""
    from synergy_models.data import timeseries

    monkeypatch.setenv("SYNERGY_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(timeseries, "_CLUSTERS", {})
    first = load_inputs("milestones")
    files = list((tmp_path / "cache").glob("clusters-*.npz"))
    assert len(files) == 1 and not list((tmp_path / "cache").glob("*.tmp"))

    def no_clustering(*args: object) -> None:
        raise AssertionError("clustered again instead of reading the cache")

    monkeypatch.setattr(timeseries, "_CLUSTERS", {})
    monkeypatch.setattr(timeseries, "_cluster", no_clustering)
    again = load_inputs("milestones")
    assert again.attrs["inputs_hash"] == first.attrs["inputs_hash"]
    xr.testing.assert_identical(again, first)

    monkeypatch.setenv("SYNERGY_CACHE_DIR", "off")
    monkeypatch.setattr(timeseries, "_CLUSTERS", {})
    with pytest.raises(AssertionError, match="clustered again"):
        load_inputs("milestones")
