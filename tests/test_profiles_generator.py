"""Unit tests of the synthetic profile generator (``synergy_models.data.profiles``).

The sites are defined here, not read from the dataset: a windy, cold northern site near Hohhot
(41 °N, 111 °E), a mild, cloudy south-western site at Guiyang (26.6 °N, 106.7 °E) and, where a
third region is needed, a hot southern site at Guangzhou (23.1 °N, 113.3 °E). The sanity
properties are facts about those climates, not restatements of the generator's constants.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pvlib
import pytest
import xarray as xr

from synergy_models.data.profiles import (
    _erbs,
    _power_curve,
    _regional_power_curve,
    generate_profiles,
)

HOURS = 8760
CF_VARIABLES = ("wind_cf", "solar_cf", "hydro_cf")
TARGET_COLUMNS = {"wind_cf": "wind_hours", "solar_cf": "solar_hours", "hydro_cf": "hydro_hours"}

NORTH = {"lat": 41.0, "lon": 111.0, "wind_hours": 2400.0, "solar_hours": 1450.0,
         "hydro_hours": 2500.0, "t_jan": -11.0, "t_jul": 23.0}  # fmt: skip
SOUTH = {"lat": 26.6, "lon": 106.7, "wind_hours": 2000.0, "solar_hours": 1000.0,
         "hydro_hours": 3600.0, "t_jan": 5.0, "t_jul": 24.0}  # fmt: skip
HOT = {"lat": 23.1, "lon": 113.3, "wind_hours": 2200.0, "solar_hours": 1200.0,
       "hydro_hours": 3200.0, "t_jan": 13.6, "t_jul": 28.9}  # fmt: skip


def make_sites(**rows: dict[str, float]) -> pd.DataFrame:
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "region"
    return frame


@pytest.fixture(scope="module")
def sites() -> pd.DataFrame:
    return make_sites(NORTH=NORTH, SOUTH=SOUTH)


@pytest.fixture(scope="module")
def profiles(sites: pd.DataFrame) -> xr.Dataset:
    return generate_profiles(sites)


@pytest.fixture(scope="module")
def three(profiles: xr.Dataset) -> xr.Dataset:
    """The two sites plus a third, listed first, so that order and membership both change."""
    return generate_profiles(make_sites(HOT=HOT, NORTH=NORTH, SOUTH=SOUTH))


def season(da: xr.DataArray, name: str) -> xr.DataArray:
    return da.where(da["time"].dt.season == name, drop=True).mean("time")


# --- structure ---------------------------------------------------------------------------------


def test_dims_time_axis_variables_and_attributes(profiles: xr.Dataset) -> None:
    assert dict(profiles.sizes) == {"region": 2, "time": HOURS}
    assert list(profiles["region"].values) == ["NORTH", "SOUTH"]
    time = pd.DatetimeIndex(profiles["time"].values)
    assert time.tz is None
    assert time[0] == pd.Timestamp("2025-01-01 00:00")
    assert time[-1] == pd.Timestamp("2025-12-31 23:00")
    assert (np.diff(time.asi8) == np.diff(time.asi8)[0]).all()
    assert time[1] - time[0] == pd.Timedelta(hours=1)
    for name in ("load_profile", *CF_VARIABLES):
        da = profiles[name]
        assert da.dims == ("region", "time")
        assert da.dtype == np.float64
        assert da.attrs["units"] and da.attrs["long_name"]
    attrs = profiles.attrs
    assert attrs["generator"] == "synergy_models.data.profiles"
    assert attrs["timezone"] == "Asia/Shanghai (UTC+8)"
    assert attrs["seed"] == 20250101 and attrs["year"] == 2025
    assert "Weibull" in attrs["method"] and "Ineichen" in attrs["method"]


def test_other_non_leap_year_has_its_own_calendar() -> None:
    ds = generate_profiles(make_sites(NORTH=NORTH), year=2030)
    assert pd.Timestamp(ds["time"].values[0]) == pd.Timestamp("2030-01-01")
    assert ds.attrs["year"] == 2030


# --- calibration and bounds --------------------------------------------------------------------


def test_capacity_factors_meet_the_target_hours(profiles: xr.Dataset, sites: pd.DataFrame) -> None:
    for name in CF_VARIABLES:
        for region in sites.index:
            hours = float(profiles[name].sel(region=region).mean()) * HOURS
            target = sites.loc[region, TARGET_COLUMNS[name]]
            assert hours == pytest.approx(target, rel=1e-3), (name, region)


def test_load_is_positive_with_mean_one(profiles: xr.Dataset) -> None:
    load = profiles["load_profile"]
    assert np.isfinite(load).all() and (load > 0).all()
    np.testing.assert_allclose(load.mean("time"), 1.0, rtol=0, atol=1e-12)


def test_capacity_factors_are_within_zero_and_one(profiles: xr.Dataset) -> None:
    for name in CF_VARIABLES:
        values = profiles[name].values
        assert np.isfinite(values).all(), name
        assert values.min() >= 0.0 and values.max() <= 1.0, name


def test_hydro_target_of_every_hour_is_reachable() -> None:
    ds = generate_profiles(make_sites(NORTH={**NORTH, "hydro_hours": 8760.0}))
    assert (ds["hydro_cf"].values == 1.0).all()


# --- solar geometry ----------------------------------------------------------------------------


def test_solar_is_exactly_zero_when_the_sun_is_down(profiles: xr.Dataset) -> None:
    hour = profiles["time"].dt.hour
    night = profiles["solar_cf"].where((hour <= 3) | (hour >= 22), drop=True)
    assert (night.values == 0.0).all()
    # Independently of the generator's own geometry: NREL SPA at mid-hour, 0.5° margin.
    mid_hour = pd.DatetimeIndex(profiles["time"].values) + pd.Timedelta(minutes=30)
    mid_hour = mid_hour.tz_localize(dt.timezone(dt.timedelta(hours=8)))
    for region, site in (("NORTH", NORTH), ("SOUTH", SOUTH)):
        position = pvlib.solarposition.get_solarposition(mid_hour, site["lat"], site["lon"])
        elevation = position["apparent_elevation"].to_numpy()
        solar = profiles["solar_cf"].sel(region=region).values
        assert (solar[elevation < -0.5] == 0.0).all(), region
        assert (solar[elevation > 5.0] > 0.0).mean() > 0.99, region


def test_solar_peaks_around_local_solar_noon(profiles: xr.Dataset) -> None:
    by_hour = profiles["solar_cf"].groupby("time.hour").mean()
    for region, site in (("NORTH", NORTH), ("SOUTH", SOUTH)):
        # Clock time of mean solar noon in UTC+8 (120 °E): 4 minutes later per degree west.
        noon = 12.0 + (120.0 - site["lon"]) / 15.0
        peak_hour = int(np.argmax(by_hour.sel(region=region).values))
        assert abs(peak_hour + 0.5 - noon) <= 1.0, (region, peak_hour, noon)


def test_longer_summer_days_in_the_north(profiles: xr.Dataset) -> None:
    # Hours with output per day, by month: longer June and shorter December days in the north.
    sunlit = (profiles["solar_cf"] > 0).groupby("time.month").mean() * 24
    assert sunlit.sel(month=6, region="NORTH") > sunlit.sel(month=6, region="SOUTH")
    assert sunlit.sel(month=12, region="NORTH") < sunlit.sel(month=12, region="SOUTH")


def test_erbs_reimplementation_matches_pvlib() -> None:
    rng = np.random.default_rng(0)
    zenith = rng.uniform(0, 95, 2000)
    doy = rng.integers(1, 366, 2000)
    dni_extra = pvlib.irradiance.get_extra_radiation(doy)
    ghi = rng.uniform(0, 1100, 2000) * np.clip(np.cos(np.radians(zenith)), 0, None)
    dni, dhi = _erbs(ghi, zenith, dni_extra)
    expected = pvlib.irradiance.erbs(ghi, zenith, doy)
    np.testing.assert_allclose(dni, expected["dni"], rtol=1e-10, atol=1e-9)
    np.testing.assert_allclose(dhi, expected["dhi"], rtol=1e-10, atol=1e-9)


def test_regional_power_curve_is_the_turbine_curve_averaged_over_the_speed_spread() -> None:
    z = np.linspace(-8, 8, 32001)  # fine uniform grid: a Riemann sum is accurate to ~1e-5
    weight = np.exp(-0.5 * z * z)
    weight /= weight.sum()
    for speed in (2.0, 3.5, 7.0, 11.0, 12.0, 16.0, 22.0, 25.0, 30.0):
        numeric = np.sum(_power_curve(np.maximum(speed * (1 + 0.15 * z), 0)) * weight)
        closed = float(_regional_power_curve(np.array([speed]))[0])
        assert closed == pytest.approx(numeric, abs=1e-4), speed


# --- determinism -------------------------------------------------------------------------------


def test_same_inputs_give_identical_output(profiles: xr.Dataset, sites: pd.DataFrame) -> None:
    xr.testing.assert_identical(generate_profiles(sites), profiles)


def test_another_seed_gives_other_weather_with_the_same_calibration(
    profiles: xr.Dataset, sites: pd.DataFrame
) -> None:
    other = generate_profiles(sites, seed=7)
    assert not np.array_equal(other["wind_cf"].values, profiles["wind_cf"].values)
    assert not np.array_equal(other["solar_cf"].values, profiles["solar_cf"].values)
    assert other.attrs["seed"] == 7
    np.testing.assert_allclose(other["wind_cf"].mean("time"), profiles["wind_cf"].mean("time"), rtol=1e-3)


def test_adding_and_reordering_regions_leaves_the_others_unchanged(
    profiles: xr.Dataset, three: xr.Dataset
) -> None:
    assert list(three["region"].values) == ["HOT", "NORTH", "SOUTH"]
    xr.testing.assert_identical(three.sel(region=["NORTH", "SOUTH"]), profiles)


def test_region_column_is_accepted_instead_of_the_index(profiles: xr.Dataset) -> None:
    frame = make_sites(SOUTH=SOUTH).reset_index()
    xr.testing.assert_identical(generate_profiles(frame), profiles.sel(region=["SOUTH"]))


# --- climate sanity ----------------------------------------------------------------------------


def test_load_factor_is_realistic(three: xr.Dataset) -> None:
    # Annual mean / peak of Chinese provincial loads lies around 0.6 (Beijing) to 0.85 (industry).
    load_factor = three["load_profile"].mean("time") / three["load_profile"].max("time")
    assert ((load_factor > 0.6) & (load_factor < 0.85)).all(), load_factor.values


def test_heating_raises_northern_winter_load(three: xr.Dataset) -> None:
    load = three["load_profile"].sel(region="NORTH")
    assert season(load, "DJF") > 1.03 * season(load, "MAM")


def test_cooling_raises_southern_summer_load(three: xr.Dataset) -> None:
    load = three["load_profile"].sel(region="HOT")
    assert season(load, "JJA") > 1.05 * season(load, "MAM")
    # Air conditioning: the hot site's summer afternoons carry more load than its nights.
    summer = load.where(load["time"].dt.season == "JJA", drop=True)
    by_hour = summer.groupby("time.hour").mean()
    assert by_hour.sel(hour=slice(13, 16)).mean() > 1.3 * by_hour.sel(hour=slice(2, 5)).mean()


def test_weekends_and_spring_festival_lower_the_load(profiles: xr.Dataset) -> None:
    load = profiles["load_profile"]
    spring = load.sel(time=slice("2025-03-03", "2025-04-27"))  # eight whole weeks, no holidays
    weekend = spring["time"].dt.dayofweek >= 5
    assert (spring.where(~weekend).mean("time") > spring.where(weekend).mean("time")).all()
    # The 2025 Spring Festival week (28 January-4 February) against the following March.
    festival = load.sel(time=slice("2025-01-28", "2025-02-04")).mean("time")
    march = load.sel(time=slice("2025-03-03", "2025-03-30")).mean("time")
    assert (festival < 0.9 * march).all()


def test_northern_wind_is_stronger_in_spring_than_in_summer(profiles: xr.Dataset) -> None:
    # North China's wind output peaks in spring (cold-air outbreaks) and is lowest in summer.
    wind = profiles["wind_cf"].sel(region="NORTH")
    assert season(wind, "MAM") > 1.1 * season(wind, "JJA")


def test_wind_is_persistent_from_hour_to_hour(profiles: xr.Dataset) -> None:
    for region in ("NORTH", "SOUTH"):
        wind = profiles["wind_cf"].sel(region=region).values
        lag1 = np.corrcoef(wind[:-1], wind[1:])[0, 1]
        lag24 = np.corrcoef(wind[:-24], wind[24:])[0, 1]
        assert lag1 > 0.9 and lag24 < lag1, (region, lag1, lag24)


def test_summer_solar_exceeds_winter_solar_at_both_sites(profiles: xr.Dataset) -> None:
    # Day length everywhere; at Guiyang also the winter overcast (≈50 h of sun in January
    # against ≈170 h in August in the station normals).
    solar = profiles["solar_cf"]
    assert (season(solar, "JJA") > 1.2 * season(solar, "DJF")).all()


def test_south_western_hydro_has_the_stronger_wet_season(profiles: xr.Dataset) -> None:
    hydro = profiles["hydro_cf"]
    wet = hydro.sel(time=slice("2025-07-01", "2025-09-30")).mean("time")
    dry = hydro.sel(time=slice("2025-01-01", "2025-03-31")).mean("time")
    ratio = wet / dry
    assert ratio.sel(region="SOUTH") > ratio.sel(region="NORTH") > 1.0


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value", "words"),
    [
        ("solar_hours", 5000.0, ["SOUTH", "solar_hours", "5000"]),
        ("wind_hours", 0.0, ["SOUTH", "wind_hours", "0 h"]),
        ("wind_hours", 6000.0, ["SOUTH", "wind_hours", "6000", "at most"]),
        ("hydro_hours", 9000.0, ["SOUTH", "hydro_hours", "9000"]),
        ("solar_hours", -5.0, ["SOUTH", "solar_hours", "-5"]),
        ("lat", 95.0, ["SOUTH", "lat"]),
        ("t_jan", float("nan"), ["SOUTH", "t_jan"]),
        ("t_jul", "warm", ["SOUTH", "t_jul", "warm"]),
    ],
)
def test_bad_site_values_are_refused_with_region_and_column(
    column: str, value: object, words: list[str]
) -> None:
    sites = make_sites(NORTH=NORTH, SOUTH=SOUTH).astype(object)
    sites.loc["SOUTH", column] = value
    with pytest.raises(ValueError) as excinfo:
        generate_profiles(sites)
    for word in words:
        assert word in str(excinfo.value), (word, str(excinfo.value))


def test_missing_columns_are_named() -> None:
    sites = make_sites(NORTH=NORTH).drop(columns=["t_jul", "hydro_hours"])
    with pytest.raises(ValueError, match=r"hydro_hours, t_jul"):
        generate_profiles(sites)


def test_leap_and_unknown_years_are_refused() -> None:
    sites = make_sites(NORTH=NORTH)
    with pytest.raises(ValueError, match=r"2024 is a leap year"):
        generate_profiles(sites, year=2024)
    with pytest.raises(ValueError, match=r"Spring Festival.*2037"):
        generate_profiles(sites, year=2037)


def test_bad_tables_and_seeds_are_refused() -> None:
    with pytest.raises(ValueError, match=r"duplicate region id\(s\) in sites: NORTH"):
        generate_profiles(pd.concat([make_sites(NORTH=NORTH)] * 2))
    unnamed = make_sites(NORTH=NORTH).rename_axis(None)
    with pytest.raises(ValueError, match=r"index named 'region'"):
        generate_profiles(unnamed)
    with pytest.raises(ValueError, match=r"no rows"):
        generate_profiles(make_sites(NORTH=NORTH).iloc[:0])
    with pytest.raises(ValueError, match=r"seed"):
        generate_profiles(make_sites(NORTH=NORTH), seed=-1)
