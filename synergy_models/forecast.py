"""Day-ahead forecasts of the hourly load, wind and solar profiles, and their errors.

A forecaster (scikit-learn's ``HistGradientBoostingRegressor``, or ``Ridge`` on standardised
features) is fitted per hub and series on calendar features and on what is known when a forecast
for day :math:`d` is issued at 00:00 of that day: the same hour 1, 2 and 7 days earlier and day
:math:`d-1`'s mean. It is compared on held-out days with two baselines, persistence (the same hour
yesterday) and seasonal naive (the same hour a week earlier). The errors are normalised (load by
its mean, wind and solar by installed capacity, i.e. capacity factor 1), so that the sigma of the
model's error is what an operating-reserve module takes as ``error_sigma`` (docs/forecast.md).

The shipped profiles are modelled, not measured: on them this shows the method; the sourced
forecast errors stay the reserve module's default.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import xarray as xr

from synergy_models.errors import InputError, OutputError, Problem, ProblemCollector

if TYPE_CHECKING:
    from sklearn.base import BaseEstimator

#: Series forecast: source name -> variable of profiles.nc.
SOURCES: dict[str, str] = {"load": "load_profile", "wind": "wind_cf", "solar": "solar_cf"}
METHODS: tuple[str, ...] = ("model", "persistence", "seasonal_naive")
#: rmse, mae, sigma (standard deviation, population: rmse² = bias² + sigma²) and bias (mean of
#: forecast - actual), each as a share of the series' scale.
METRICS: tuple[str, ...] = ("rmse", "mae", "sigma", "bias")
MODELS: tuple[str, ...] = ("hgb", "ridge")
#: Lags of the same hour, in days (1 is persistence, 7 seasonal naive).
LAG_DAYS: tuple[int, ...] = (1, 2, 7)
#: Days before the first that can be forecast: the longest lag.
HISTORY_DAYS = max(LAG_DAYS)
FEATURES: tuple[str, ...] = (
    "hour_sin", "hour_cos", "dow_sin", "dow_cos", "doy_sin", "doy_cos",
    *(f"lag_{24 * k}h" for k in LAG_DAYS), "yesterday_mean",
)
#: Fewest days to fit on, and to evaluate on.
MIN_TRAIN_DAYS = 14
MIN_TEST_DAYS = 1
DEFAULT_HOLDOUT = "every:4"
DEFAULT_SEED = 0


@dataclass(frozen=True)
class Holdout:
    """Which days are held out: ``every:K`` holds out every K-th week (weeks of 7 days counted from
    the first day of the series: weeks K-1, 2K-1, ...), ``last:N`` the last N days."""

    kind: str
    n: int

    @classmethod
    def parse(cls, text: str) -> Holdout:
        match = re.fullmatch(r"\s*(every|last):\s*(\d+)\s*", text)
        if not match or int(match.group(2)) < (2 if match.group(1) == "every" else 1):
            raise InputError(Problem("--holdout", f"cannot read {text!r}",
                                     expected="every:K (every K-th week held out, K >= 2) or "
                                     "last:N (the last N days), e.g. every:4 or last:60"))
        return cls(match.group(1), int(match.group(2)))

    def test_days(self, n_days: int) -> np.ndarray:
        """Whether each of ``n_days`` days is held out."""
        day = np.arange(n_days)
        if self.kind == "every":
            return (day // 7) % self.n == self.n - 1
        return day >= n_days - self.n

    def __str__(self) -> str:
        return f"{self.kind}:{self.n}"

    def describe(self) -> str:
        if self.kind == "every":
            return (f"every {self.n}th week held out (weeks of 7 days from the first day; "
                    f"weeks {self.n - 1}, {2 * self.n - 1}, ... counted from 0)")
        return f"the last {self.n} days held out"


def error_metrics(error: np.ndarray, scale: float) -> dict[str, float]:
    """RMSE, MAE, sigma (population standard deviation) and bias of ``error`` (forecast - actual)
    as shares of ``scale``."""
    e = np.asarray(error, dtype=float) / scale
    return {"rmse": float(np.sqrt(np.mean(e ** 2))), "mae": float(np.mean(np.abs(e))),
            "sigma": float(np.std(e)), "bias": float(np.mean(e))}


def _days(values: np.ndarray, times: pd.DatetimeIndex, where: str) -> np.ndarray:
    """``values`` (hours) as a (days, 24) matrix; the time axis must be hourly from 00:00."""
    problems = ProblemCollector()
    if len(times) != len(values):
        problems.add(where, f"{len(values)} values for {len(times)} times")
    elif len(times) < 24 or len(times) % 24:
        problems.add(where, f"{len(times)} hours, not a whole number of days",
                     expected="a positive multiple of 24 hours")
    elif times[0].hour != 0 or times[0] != times[0].normalize():
        problems.add(where, f"the time axis starts at {times[0]}", expected="00:00 of a day")
    elif (steps := np.diff(times.values) / np.timedelta64(1, "h")).size and not (steps == 1).all():
        bad = int(np.flatnonzero(steps != 1)[0])
        problems.add(where, f"the time axis is not hourly after {times[bad]} (next {times[bad + 1]})",
                     expected="consecutive hours")
    elif not np.isfinite(values).all():
        bad = int(np.flatnonzero(~np.isfinite(values))[0])
        problems.add(where, f"not a finite number at {times[bad]}", value=float(values[bad]))
    problems.raise_if_any()
    return np.asarray(values, dtype=float).reshape(-1, 24)


def features(days: np.ndarray, times: pd.DatetimeIndex) -> np.ndarray:
    """The :data:`FEATURES` of every hour, shape (days, 24, features); lags before the first day
    are NaN."""
    n_days = days.shape[0]
    hour = times.hour.to_numpy().reshape(n_days, 24)
    dow = times.dayofweek.to_numpy().reshape(n_days, 24)
    doy = (times.dayofyear.to_numpy() - 1).reshape(n_days, 24)
    cols = []
    for x, period in ((hour, 24), (dow, 7), (doy, 365.25)):
        cols += [np.sin(2 * np.pi * x / period), np.cos(2 * np.pi * x / period)]
    for k in LAG_DAYS:
        lag = np.full_like(days, np.nan)
        lag[k:] = days[:-k]
        cols.append(lag)
    mean = np.full_like(days, np.nan)
    mean[1:] = days[:-1].mean(axis=1, keepdims=True)
    cols.append(mean)
    return np.stack(cols, axis=-1)


def make_model(kind: str, seed: int) -> BaseEstimator:
    """A fresh, deterministic regressor: ``hgb`` (gradient-boosted trees) or ``ridge``."""
    if kind == "hgb":
        from sklearn.ensemble import HistGradientBoostingRegressor

        # no early stopping: it would validate on a random tenth of the training hours, whose
        # neighbouring hours it has fitted
        return HistGradientBoostingRegressor(max_iter=200, learning_rate=0.05, max_leaf_nodes=15,
                                             min_samples_leaf=50, early_stopping=False,
                                             random_state=seed)
    if kind == "ridge":
        from sklearn.linear_model import Ridge
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        return make_pipeline(StandardScaler(), Ridge(alpha=1.0))
    raise InputError(Problem("--model", f"unknown forecaster {kind!r}", expected=" or ".join(MODELS)))


@dataclass
class SeriesForecast:
    """One series' held-out forecasts: ``actual`` and each method's forecast, (test days, 24)."""

    actual: np.ndarray
    forecasts: dict[str, np.ndarray]
    scale: float
    train_days: int

    def metrics(self) -> dict[str, dict[str, float]]:
        return {m: error_metrics(f - self.actual, self.scale) for m, f in self.forecasts.items()}


def forecast_series(values: np.ndarray, times: pd.DatetimeIndex, *, scale: float,
                    holdout: Holdout | str = DEFAULT_HOLDOUT, model: str = "hgb",
                    seed: int = DEFAULT_SEED, bounds: tuple[float, float] = (0.0, np.inf),
                    where: str = "series") -> SeriesForecast:
    """Fit the forecaster on the days not held out and forecast the held-out days, beside
    persistence and seasonal naive. The first :data:`HISTORY_DAYS` days (no week-old value yet)
    are neither fitted nor evaluated. ``bounds`` clip the model's forecast (0-1 for capacity
    factors); ``where`` names the series in errors."""
    holdout = Holdout.parse(holdout) if isinstance(holdout, str) else holdout
    days = _days(np.asarray(values, dtype=float), times, where)
    test = holdout.test_days(len(days))
    test[:HISTORY_DAYS] = False
    train = ~test
    train[:HISTORY_DAYS] = False
    n_train, n_test = int(train.sum()), int(test.sum())
    if n_train < MIN_TRAIN_DAYS or n_test < MIN_TEST_DAYS:
        raise InputError(Problem(
            where, f"{len(days)} days leave {n_train} days to fit and {n_test} to evaluate with "
            f"holdout {holdout} (the first {HISTORY_DAYS} days only give lags)",
            expected=f"at least {MIN_TRAIN_DAYS} days to fit and {MIN_TEST_DAYS} to evaluate: a "
            "longer series or another --holdout"))
    from threadpoolctl import threadpool_limits

    x = features(days, times)
    yesterday = x[..., FEATURES.index("lag_24h")]
    week_ago = x[..., FEATURES.index("lag_168h")]
    reg = make_model(model, seed)
    # One thread: fits of a few thousand rows gain little from more, and OpenMP threads on a
    # busy shared machine slow them down many times.
    with threadpool_limits(limits=1):
        reg.fit(x[train].reshape(-1, x.shape[-1]), days[train].ravel())
        predicted = reg.predict(x[test].reshape(-1, x.shape[-1])).reshape(n_test, 24)
    return SeriesForecast(
        actual=days[test],
        forecasts={"model": np.clip(predicted, *bounds),
                   "persistence": yesterday[test], "seasonal_naive": week_ago[test]},
        scale=scale, train_days=n_train)


def check_series(profiles: xr.Dataset, where: str) -> None:
    """``profiles`` must hold each :data:`SOURCES` variable over (region, time), in numbers."""
    problems = ProblemCollector()
    if "time" not in profiles.coords or profiles["time"].dtype.kind != "M":
        problems.add(where, "no datetime coordinate 'time'", expected="hourly datetimes")
    if "region" in profiles.coords:
        names = [str(r) for r in profiles["region"].values]
        for twice in sorted({r for r in names if names.count(r) > 1}):
            problems.add(where, f"region '{twice}' appears {names.count(twice)} times",
                         column="region", expected="each hub once")
    for source, var in SOURCES.items():
        if var not in profiles:
            problems.add(where, f"variable '{var}' ({source}) is missing", column=var,
                         expected="variables " + ", ".join(SOURCES.values()))
        elif set(profiles[var].dims) != {"region", "time"}:
            problems.add(where, f"variable '{var}' has dims {profiles[var].dims}", column=var,
                         expected="(region, time)")
        elif profiles[var].dtype.kind not in "fiu":
            problems.add(where, f"variable '{var}' holds {profiles[var].dtype} values", column=var,
                         expected="numbers")
    problems.raise_if_any()


def _check_values(series: dict[tuple[str, str], np.ndarray], times: pd.DatetimeIndex,
                  where: str) -> None:
    """Each series: numbers, capacity factors in [0, 1], a positive mean load (errors are shares
    of it); the time axis is checked once, with the first series."""
    problems = ProblemCollector()
    for (region, source), values in series.items():
        var = SOURCES[source]
        name = f"'{var}' of '{region}'"
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            problems.add(where, f"{name} is not a finite number in {bad.size} hours, the first "
                         f"{times[bad[0]]}", column=var, value=float(values[bad[0]]))
            continue
        if source == "load":
            if not np.mean(values) > 0:
                problems.add(where, f"{name} has mean {np.mean(values):g}", column=var,
                             expected="a positive mean load (errors are shares of it)")
            continue
        bad = np.flatnonzero((values < 0) | (values > 1))
        if bad.size:
            problems.add(where, f"{name} is out of range in {bad.size} hours, the first "
                         f"{times[bad[0]]}", column=var, value=float(values[bad[0]]),
                         expected="capacity factors in [0, 1] (output per unit of installed "
                         "capacity)")
    problems.raise_if_any()
    if series:
        _days(next(iter(series.values())), times, where)


def forecast_profiles(profiles: xr.Dataset, *, holdout: Holdout | str = DEFAULT_HOLDOUT,
                      model: str = "hgb", seed: int = DEFAULT_SEED, where: str = "profiles",
                      progress: Callable[[str], None] | None = None) -> xr.Dataset:
    """Forecast errors of every hub's load, wind and solar (:func:`forecast_series`): variable
    ``error`` (region, source, method, metric) as shares of ``scale`` (region, source): the mean
    load, or 1 (capacity) for wind and solar."""
    holdout = Holdout.parse(holdout) if isinstance(holdout, str) else holdout
    make_model(model, seed)  # an unknown forecaster fails before any fit
    check_series(profiles, where)
    times = pd.DatetimeIndex(profiles["time"].values)
    regions = [str(r) for r in profiles["region"].values]
    series = {(r, source): profiles[var].sel(region=r).transpose("time").values.astype(float)
              for r in regions for source, var in SOURCES.items()}
    _check_values(series, times, where)  # every series, before the first fit
    error = np.full((len(regions), len(SOURCES), len(METHODS), len(METRICS)), np.nan)
    scale = np.ones((len(regions), len(SOURCES)))
    train_days = test_days = 0
    for i, region in enumerate(regions):
        for j, source in enumerate(SOURCES):
            if progress is not None:
                progress(f"{region} {source} ({i * len(SOURCES) + j + 1} of {len(series)})")
            values = series[region, source]
            if source == "load":
                scale[i, j] = float(np.mean(values))
            bounds = (0.0, np.inf) if source == "load" else (0.0, 1.0)
            fc = forecast_series(values, times, scale=scale[i, j], holdout=holdout, model=model,
                                 seed=seed, bounds=bounds,
                                 where=f"{where}, '{SOURCES[source]}' of '{region}'")
            metrics = fc.metrics()
            error[i, j] = [[metrics[method][m] for m in METRICS] for method in METHODS]
            train_days, test_days = fc.train_days, fc.actual.shape[0]
    coords = {"region": regions, "source": list(SOURCES), "method": list(METHODS),
              "metric": list(METRICS)}
    return xr.Dataset(
        {"error": (("region", "source", "method", "metric"), error, {
            "units": "1", "long_name": "day-ahead forecast error on held-out days, as a share of "
            "the scale (load: mean load; wind, solar: installed capacity)"}),
         "scale": (("region", "source"), scale, {
             "units": "profile units", "long_name": "what errors are shares of: the mean of the "
             "load profile; 1 (capacity factor of installed capacity) for wind and solar"})},
        coords=coords,
        attrs={"forecaster": model, "seed": seed, "holdout": str(holdout),
               "holdout_description": holdout.describe(), "train_days": train_days,
               "test_days": test_days, "features": ", ".join(FEATURES),
               "issued": "00:00 of the forecast day, for its 24 hours: values up to the end of the "
               "previous day are known",
               "note": "errors of forecasts of modelled (not measured) profiles when the profiles "
               "are the shipped ones: they show the method"})


def sigma_table(errors: xr.Dataset) -> pd.DataFrame:
    """``region,source,error_sigma``: the sigma of the model's day-ahead error (load: share of
    mean load; wind, solar: share of installed capacity), the operating-reserve module's
    ``forecast_errors.csv``."""
    sigma = errors["error"].sel({"method": "model", "metric": "sigma"})
    return pd.DataFrame([{"region": str(r), "source": str(s), "error_sigma": float(sigma.sel(
        region=r, source=s))} for r in sigma.region.values for s in sigma.source.values])


def summary_table(errors: xr.Dataset, metric: str = "rmse") -> pd.DataFrame:
    """Per source: each method's ``metric`` averaged over hubs, and in how many hubs the model
    beats persistence and seasonal naive."""
    e = errors["error"].sel(metric=metric)
    rows = []
    for source in e.source.values:
        s = e.sel(source=source)
        row = {"source": str(source)}
        row.update({m: float(s.sel({"method": m}).mean()) for m in METHODS})
        for base in ("persistence", "seasonal_naive"):
            wins = int((s.sel({"method": "model"}) < s.sel({"method": base})).sum())
            row[f"beats_{base}"] = f"{wins}/{s.sizes['region']}"
        rows.append(row)
    return pd.DataFrame(rows).set_index("source")


def hub_table(errors: xr.Dataset, metric: str = "rmse") -> pd.DataFrame:
    """``metric`` of each method (columns) by hub and source (rows): what :func:`summary_table`
    averages."""
    frame = errors["error"].sel({"metric": metric}).to_series().unstack("method")
    return frame[list(METHODS)]


def read_dataset_profiles(folder: Path) -> xr.Dataset:
    """The checked hourly profiles of the dataset in ``folder`` (its tables give the hubs and
    the profile year)."""
    from synergy_models.data.loader import load_profiles
    from synergy_models.data.tables import read_tables

    tables = read_tables(folder)
    return load_profiles(folder, [r.region for r in tables.regions], tables.meta.profile_year)


def read_profiles_file(path: Path) -> xr.Dataset:
    """Profiles from any netCDF file with :data:`SOURCES` variables over (region, time)
    (measured series, say); checked by :func:`forecast_profiles`."""
    if not path.is_file():
        raise InputError(Problem(str(path), "file is missing", expected="a netCDF file of profiles"))
    try:
        with xr.open_dataset(path, engine="netcdf4") as f:
            return f[[v for v in SOURCES.values() if v in f]].load()
    except Exception as err:  # netCDF4 and xarray raise many kinds
        raise InputError(Problem(str(path), f"not a readable netCDF file ({err})")) from None


def write_forecast(errors: xr.Dataset, out: Path) -> tuple[Path, Path]:
    """Write ``forecast_errors.nc`` and ``forecast_errors.csv`` (:func:`sigma_table`) into
    ``out``, each atomically."""
    from synergy_models.io import replacing, write_netcdf

    try:
        out.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise OutputError(f"{out}: a file is in the way of the output folder") from None
    except OSError as err:
        raise OutputError(f"{out}: cannot create the output folder ({err.strerror})") from None
    nc = write_netcdf(errors, out / "forecast_errors.nc")
    csv = out / "forecast_errors.csv"
    with replacing(csv) as tmp:
        sigma_table(errors).to_csv(tmp, index=False, float_format="%.6g")
    return nc, csv


def sourced_comparison(errors: xr.Dataset, sourced: xr.DataArray) -> pd.DataFrame:
    """The forecaster's sigma beside the sourced sigma the reserve module uses by default
    (``sourced``: the inputs' ``forecast_error``, region x forecast_source), each averaged over
    the hubs, per source."""
    model = errors["error"].sel({"method": "model", "metric": "sigma"})
    rows = []
    for source in model.source.values:
        row = {"source": str(source), "forecaster sigma": float(model.sel(source=source).mean())}
        if "forecast_source" in sourced.dims and source in sourced.forecast_source.values:
            row["sourced sigma (default)"] = float(sourced.sel(forecast_source=source).mean())
        rows.append(row)
    return pd.DataFrame(rows).set_index("source")
