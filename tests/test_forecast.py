"""Day-ahead forecasts (synergy_models.forecast): metrics against hand numbers, generated series
whose baseline errors are known exactly or in theory, bad input, `synergy forecast`, and the
shipped profiles (docs/forecast.md)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from synergy_models.cli import main
from synergy_models.errors import InputError
from synergy_models.forecast import (
    HISTORY_DAYS,
    METHODS,
    METRICS,
    SOURCES,
    Holdout,
    error_metrics,
    forecast_profiles,
    forecast_series,
    sigma_table,
)

HOURS = np.arange(24)
#: A daily shape of mean 1 and mean square 1 + 0.5²/2 = 1.125.
SHAPE = 1 + 0.5 * np.sin(2 * np.pi * HOURS / 24)


def hourly(n_days: int, start: str = "2024-01-01") -> pd.DatetimeIndex:  # 2024-01-01 is a Monday
    return pd.date_range(start, periods=24 * n_days, freq="h")


def test_error_metrics_match_hand_numbers():
    # errors 0.3, -0.1, 0.2, 0.4 on a scale of 2: shares 0.15, -0.05, 0.10, 0.20
    m = error_metrics(np.array([0.3, -0.1, 0.2, 0.4]), scale=2.0)
    assert m["bias"] == pytest.approx(0.10)  # (0.15 - 0.05 + 0.10 + 0.20) / 4
    assert m["mae"] == pytest.approx(0.125)  # (0.15 + 0.05 + 0.10 + 0.20) / 4
    assert m["rmse"] == pytest.approx(math.sqrt((0.0225 + 0.0025 + 0.01 + 0.04) / 4))
    # deviations from the bias 0.05, -0.15, 0, 0.10
    assert m["sigma"] == pytest.approx(math.sqrt((0.0025 + 0.0225 + 0 + 0.01) / 4))
    assert m["rmse"] ** 2 == pytest.approx(m["bias"] ** 2 + m["sigma"] ** 2)


def test_holdout_days():
    every = Holdout.parse("every:4")
    assert np.flatnonzero(every.test_days(35)).tolist() == list(range(21, 28))  # week 3 of 0-4
    assert np.flatnonzero(Holdout.parse("last:3").test_days(10)).tolist() == [7, 8, 9]
    for bad in ("every:1", "last:0", "weekly", "every:x", "last:-2"):
        with pytest.raises(InputError, match="--holdout"):
            Holdout.parse(bad)


def test_a_daily_periodic_series_is_forecast_exactly_by_persistence_and_nearly_by_the_model():
    days = 70
    values = np.tile(SHAPE, days)
    fc = forecast_series(values, hourly(days), scale=1.0)
    m = fc.metrics()
    assert fc.actual.shape == (14, 24)  # weeks 3 and 7 of 10
    assert m["persistence"]["rmse"] == 0 and m["seasonal_naive"]["rmse"] == 0
    assert m["model"]["rmse"] < 1e-3


def test_a_weekly_pattern_is_exact_for_seasonal_naive_and_costs_persistence_two_days_a_week():
    # weekdays at the daily shape, weekends at 0.8 of it; every:4 holds out whole weeks, so each
    # held-out week has one Saturday (forecast from Friday: +0.2 s_h too high) and one Monday
    # (from Sunday: 0.2 s_h too low): RMSE = 0.2 sqrt(2/7 * mean(s²)), MAE = 0.2 * 2/7 * mean(s),
    # bias 0, all over the mean load (5 + 2 * 0.8) / 7.
    days = 70
    weekday = np.where(hourly(days)[::24].dayofweek >= 5, 0.8, 1.0)
    values = (weekday[:, None] * SHAPE).ravel()
    mean = (5 + 2 * 0.8) / 7
    fc = forecast_series(values, hourly(days), scale=float(values.mean()))
    assert fc.scale == pytest.approx(mean)
    m = fc.metrics()
    assert m["seasonal_naive"]["rmse"] == pytest.approx(0, abs=1e-12)
    assert m["persistence"]["rmse"] == pytest.approx(0.2 * math.sqrt(2 / 7 * 1.125) / mean)
    assert m["persistence"]["mae"] == pytest.approx(0.2 * 2 / 7 / mean)
    assert m["persistence"]["bias"] == pytest.approx(0, abs=1e-12)
    assert m["model"]["rmse"] < 0.1 * m["persistence"]["rmse"]  # day of week and a week-old value


def ar1_series(days: int, phi: float, sigma: float, seed: int = 7) -> np.ndarray:
    """Daily shape plus a stationary hourly AR(1) of standard deviation ``sigma``."""
    rng = np.random.default_rng(seed)
    x = np.empty(24 * days)
    x[0] = rng.normal(0, sigma)
    shocks = rng.normal(0, sigma * math.sqrt(1 - phi ** 2), x.size)
    for t in range(1, x.size):
        x[t] = phi * x[t - 1] + shocks[t]
    return np.tile(SHAPE, days) + x


@pytest.mark.parametrize("model", ["hgb", "ridge"])
def test_on_an_ar1_series_the_model_beats_persistence(model):
    # x_t = phi x_{t-1} + e: persistence's error x_t - x_{t-24} has variance 2 sigma² (1 - phi^24);
    # the best forecast from values a day old or more, phi^24 x_{t-24}, leaves sigma² (1 - phi^48).
    phi, sigma, days = 0.9, 0.1, 210
    fc = forecast_series(ar1_series(days, phi, sigma), hourly(days), scale=1.0, model=model)
    m = fc.metrics()
    persistence_theory = sigma * math.sqrt(2 * (1 - phi ** 24))  # 0.1357
    best_theory = sigma * math.sqrt(1 - phi ** 48)  # 0.0997
    assert m["persistence"]["rmse"] == pytest.approx(persistence_theory, rel=0.15)
    assert m["model"]["rmse"] < 0.85 * m["persistence"]["rmse"]
    assert m["model"]["rmse"] == pytest.approx(best_theory, rel=0.2)


def small_profiles(days: int = 56, regions: tuple[str, ...] = ("AA", "BB")) -> xr.Dataset:
    """Load with a weekly pattern, wind an AR(1) in [0, 1], solar a clipped daylight shape."""
    times = hourly(days)
    weekday = np.where(times[::24].dayofweek >= 5, 0.8, 1.0)
    data = {}
    for i, _ in enumerate(regions):
        load = (weekday[:, None] * SHAPE).ravel() * (1 + 0.1 * i)
        wind = np.clip(0.3 + ar1_series(days, 0.95, 0.15, seed=i) - np.tile(SHAPE, days), 0, 1)
        solar = np.tile(np.clip(np.sin(np.pi * (HOURS - 6) / 12), 0, None) * (0.7 + 0.05 * i), days)
        data.setdefault("load_profile", []).append(load)
        data.setdefault("wind_cf", []).append(wind)
        data.setdefault("solar_cf", []).append(solar)
    return xr.Dataset({v: (("region", "time"), np.array(rows)) for v, rows in data.items()},
                      coords={"region": list(regions), "time": times})


def test_forecast_profiles_gives_every_hub_source_method_and_metric_deterministically():
    profiles = small_profiles()
    a = forecast_profiles(profiles, seed=3)
    b = forecast_profiles(profiles.isel(region=[1]), seed=3)  # a hub's errors are its own
    assert a["error"].dims == ("region", "source", "method", "metric")
    assert a.source.values.tolist() == list(SOURCES) and a.method.values.tolist() == list(METHODS)
    assert a.metric.values.tolist() == list(METRICS)
    assert np.isfinite(a["error"].values).all()
    xr.testing.assert_identical(a.isel(region=[1]), b)
    # load is a share of its mean (1 and 1.1 times the weekly mean), wind and solar of capacity
    weekly_mean = (5 + 2 * 0.8) / 7
    assert a["scale"].sel(source="load").values == pytest.approx([weekly_mean, 1.1 * weekly_mean])
    assert a["scale"].sel(source=["wind", "solar"]).values.tolist() == [[1, 1], [1, 1]]
    # the load of each hub is the same weekly pattern scaled: the same shares
    load_rmse = a["error"].sel({"source": "load", "method": "persistence", "metric": "rmse"})
    assert load_rmse.values == pytest.approx([0.2 * math.sqrt(2 / 7 * 1.125) / weekly_mean] * 2)
    solar = a["error"].sel({"source": "solar", "metric": "rmse"})
    assert float(solar.sel({"method": "persistence"}).max()) == 0  # the same sun every day
    table = sigma_table(a)
    assert table.columns.tolist() == ["region", "source", "error_sigma"]
    assert len(table) == 6
    assert table.set_index(["region", "source"]).loc[("BB", "wind"), "error_sigma"] == float(
        a["error"].sel({"region": "BB", "source": "wind", "method": "model", "metric": "sigma"}))


def test_missing_series_and_short_or_broken_series_are_named_errors():
    with pytest.raises(InputError, match="variable 'wind_cf' \\(wind\\) is missing"):
        forecast_profiles(small_profiles().drop_vars("wind_cf"), where="p.nc")
    short = small_profiles(days=HISTORY_DAYS + 13)  # every:4 would hold out days 21-27
    with pytest.raises(InputError, match="20 days leave 13 days to fit and 0 to evaluate"):
        forecast_profiles(short)
    with pytest.raises(InputError, match="leave 0 days to fit"):
        forecast_profiles(small_profiles(days=10), holdout="last:3")
    with pytest.raises(InputError, match="starts at 2024-01-01 06:00"):
        forecast_series(np.ones(24 * 30), hourly(30) + pd.Timedelta("6h"), scale=1.0)
    values = np.ones(24 * 30)
    values[50] = np.nan
    with pytest.raises(InputError, match="not a finite number at 2024-01-03 02:00"):
        forecast_series(values, hourly(30), scale=1.0)
    with pytest.raises(InputError, match="not a whole number of days"):
        forecast_series(np.ones(100), hourly(30)[:100], scale=1.0)
    broken = small_profiles()
    broken["load_profile"][0, 30] = np.nan
    broken["wind_cf"][1, 40:43] = 150.0  # MW, not a capacity factor
    with pytest.raises(InputError) as err:
        forecast_profiles(broken, where="p.nc")
    assert "'load_profile' of 'AA' is not a finite number in 1 hours, the first 2024-01-02 06:00" in str(
        err.value)
    assert "'wind_cf' of 'BB' is out of range in 3 hours, the first 2024-01-02 16:00" in str(err.value)
    assert "capacity factors in [0, 1]" in str(err.value)
    twice = small_profiles(regions=("AA", "BB", "AA"))
    with pytest.raises(InputError, match="region 'AA' appears 2 times"):
        forecast_profiles(twice)
    with pytest.raises(InputError, match="unknown forecaster 'lstm'"):
        forecast_profiles(small_profiles(), model="lstm")


def test_cli_writes_the_errors_and_the_sigma_csv_for_the_reserve_module(tmp_path, capsys):
    src = tmp_path / "profiles.nc"
    small_profiles().to_netcdf(src)
    out = tmp_path / "out"
    assert main(["forecast", "--profiles", str(src), "-o", str(out), "--seed", "1", "--by-hub"]) == 0
    text = capsys.readouterr().out
    assert "persistence" in text and "seasonal_naive" in text and "wrote" in text
    assert "BB     load" in text and "beats_persistence" in text  # --by-hub and the summary
    csv = pd.read_csv(out / "forecast_errors.csv")
    assert csv.columns.tolist() == ["region", "source", "error_sigma"]
    assert sorted(zip(csv.region, csv.source, strict=True)) == sorted(
        (r, s) for r in ("AA", "BB") for s in SOURCES)
    with xr.open_dataset(out / "forecast_errors.nc") as nc:
        sigma = nc["error"].sel({"method": "model", "metric": "sigma"})
        for row in csv.itertuples():
            assert row.error_sigma == pytest.approx(float(sigma.sel(region=row.region,
                                                                    source=row.source)), rel=1e-5)
        assert nc.attrs["holdout"] == "every:4" and nc.attrs["seed"] == 1


def test_cli_refuses_bad_input_before_writing(tmp_path, capsys):
    src = tmp_path / "profiles.nc"
    small_profiles().drop_vars("solar_cf").to_netcdf(src)
    out = tmp_path / "out"
    assert main(["forecast", "--profiles", str(src), "-o", str(out), "-q"]) == 2
    assert "'solar_cf' (solar) is missing" in capsys.readouterr().err
    assert main(["forecast", "--profiles", str(src), "-o", str(out), "--holdout", "weekly"]) == 2
    assert "--holdout" in capsys.readouterr().err
    assert main(["forecast", "--profiles", str(tmp_path / "none.nc"), "-o", str(out)]) == 2
    assert "file is missing" in capsys.readouterr().err
    assert not out.exists()


@pytest.fixture(scope="module")
def shipped(tmp_path_factory) -> xr.Dataset:
    """`synergy forecast` on the shipped dataset with the defaults (what docs/forecast.md shows)."""
    out = tmp_path_factory.mktemp("forecast")
    assert main(["forecast", "-o", str(out), "-q"]) == 0
    assert len(pd.read_csv(out / "forecast_errors.csv")) == 8 * 3
    with xr.open_dataset(out / "forecast_errors.nc") as ds:
        return ds.load()


@pytest.mark.slow
def test_on_the_shipped_profiles_the_model_beats_persistence_for_load_and_solar(shipped):
    rmse = shipped["error"].sel({"metric": "rmse"}).mean("region")
    for source in ("load", "solar", "wind"):
        model = float(rmse.sel({"source": source, "method": "model"}))
        assert model < 0.95 * float(rmse.sel({"source": source, "method": "persistence"}))
        assert model < float(rmse.sel({"source": source, "method": "seasonal_naive"}))
    assert shipped.attrs["test_days"] == 13 * 7  # weeks 3, 7, ... 51 of the year's 52
    e = shipped["error"]
    rmse, mae, sigma, bias = (e.sel({"metric": m}) for m in ("rmse", "mae", "sigma", "bias"))
    np.testing.assert_allclose(rmse ** 2, bias ** 2 + sigma ** 2, rtol=1e-9)
    assert bool((mae <= rmse).all()) and bool((sigma <= rmse + 1e-15).all())
