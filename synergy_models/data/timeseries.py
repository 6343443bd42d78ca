"""Time-series reduction: representative days with weights (tsam), or every hour of the profiles.

The profiles (``profiles.nc``) hold ``N x 24`` hours for any whole number of days ``N >= 1``: a
non-leap year (8,760 h, N = 365), a week (168 h), a month... Each profile hour stands for
``8760 / (24 N)`` hours of the year, so a week is a year of 52.14 such weeks.

Both settings give the same layout, so the model never asks which one it got:

- ``time``: the model's time steps, ``0 .. T-1``, with coordinates ``period`` (the representative
  day, or the calendar day for ``full_year``) and ``hour`` (the step's first hour, 0..23);
- ``step_hours(time)``: the step's length, 1 h, or more where ``time.segments`` merges adjacent
  hours into segments (tsam segmentation);
- ``weight(time)``: hours of the year each step stands for (the count of days the period represents
  times the step length times ``8760 / (24 N)``; ``8760 / (24 N)`` for ``full_year``, 1 for a year
  of profiles); ``sum(weight) == 8760``;
- ``day_period(day)``: the period each calendar day of the profiles is represented by, to expand
  results back to the profiles' hours (:func:`expand_to_year`) and to link storage across days
  (:mod:`synergy_models.model.interday`); ``day`` holds the days' dates;
- attribute ``hydro_budget``: the period hydro output is held within its inflow over, ``day`` or
  ``week`` (consecutive days, so ``full_year`` only; :class:`~synergy_models.scenario.TimeSettings`);
- ``reduction_rmse`` and ``reduction_rmse_duration`` (profile, region): the error of the reduction,
  root-mean-square over the profiles' hours of (profile − its reconstruction from representative
  days), and the same for the sorted (duration-curve) values.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from synergy_models.data.schema import HOURS_PER_YEAR, PROFILE_VARIABLES
from synergy_models.errors import OutputError
from synergy_models.io import replacing
from synergy_models.scenario import TimeSettings

HOURS_PER_DAY = 24


def _cluster(frame: pd.DataFrame, settings: TimeSettings
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(representatives as periods x steps x columns, step lengths in hours as periods x steps,
    day -> period assignment)."""
    import tsam  # imported here: it pulls in scikit-learn, which the full year does not need

    segments = settings.segments if settings.segments < HOURS_PER_DAY else None
    result = tsam.aggregate(
        frame,
        n_clusters=settings.days,
        period_duration=HOURS_PER_DAY,
        cluster=tsam.ClusterConfig(method=settings.method),
        segments=tsam.SegmentConfig(n_segments=segments) if segments else None,
        preserve_column_means=True,
    )
    reps = result.cluster_representatives  # index (period, step[, duration])
    n = result.n_clusters
    steps = segments or HOURS_PER_DAY
    values = reps[frame.columns].to_numpy().reshape(n, steps, frame.shape[1])
    if segments:
        lengths = np.asarray(result.segment_durations, dtype=float).reshape(n, steps)
    else:
        lengths = np.ones((n, steps))
    return values, lengths, np.asarray(result.cluster_assignments, dtype=int)


#: Clusterings already found in this process, by profiles, time stamps and settings: the cases of
#: a sweep share their profiles, and tsam is the slow part of loading inputs.
_CLUSTERS: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
_CLUSTERS_KEEP = 8


def cache_dir() -> Path | None:
    """Where clusterings are kept between runs: ``$SYNERGY_CACHE_DIR`` (``off``: nowhere), else
    ``$XDG_CACHE_HOME/synergy-models`` or ``~/.cache/synergy-models``."""
    env = os.environ.get("SYNERGY_CACHE_DIR")
    if env is not None:
        return None if env.strip().lower() in ("", "off", "none", "0") else Path(env)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "synergy-models"


def _cluster_once(frame: pd.DataFrame, settings: TimeSettings
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_cluster`, remembered for equal inputs in this process and on disk (:func:`cache_dir`;
    the key is a hash of the profiles, time stamps and settings, so a stale entry cannot be hit).
    A run that finds its clustering on disk does not import tsam and scikit-learn (~1.5 s)."""
    h = hashlib.sha256(np.ascontiguousarray(frame.to_numpy()).tobytes())
    h.update(np.asarray(frame.index.asi8).tobytes())
    # The hydro budget does not shape the clustering: leaving it out keeps earlier entries valid.
    clustering = settings.model_dump(exclude={"hydro_budget"})
    h.update(repr((list(frame.columns), clustering, CACHE_FORMAT)).encode())
    key = h.hexdigest()
    if key not in _CLUSTERS:
        while len(_CLUSTERS) >= _CLUSTERS_KEEP:
            _CLUSTERS.pop(next(iter(_CLUSTERS)))
        _CLUSTERS[key] = _read_cached(key) or _write_cached(key, _cluster(frame, settings))
    reps, lengths, day_period = _CLUSTERS[key]
    return reps.copy(), lengths.copy(), day_period.copy()


#: Bump when what :func:`_cluster` returns changes meaning (old cache files are then never read).
CACHE_FORMAT = 1


def _read_cached(key: str) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    folder = cache_dir()
    path = folder / f"clusters-{key[:32]}.npz" if folder else None
    if path is None or not path.exists():
        return None
    try:
        with np.load(path) as f:
            return f["reps"], f["lengths"], f["day_period"]
    except (OSError, ValueError, KeyError):  # unreadable (e.g. cut short): cluster again
        return None


def _write_cached(key: str, found: tuple[np.ndarray, np.ndarray, np.ndarray]
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    folder = cache_dir()
    if folder is None:
        return found
    try:
        with replacing(folder / f"clusters-{key[:32]}.npz") as tmp, open(tmp, "wb") as f:
            np.savez(f, reps=found[0], lengths=found[1], day_period=found[2])
    except (OSError, OutputError):  # a read-only or full cache only costs the next run the clustering
        pass
    return found


def profile_days(n_hours: int) -> int:
    """The number of whole days in ``n_hours`` of profiles; ValueError unless a positive multiple
    of 24."""
    if n_hours < HOURS_PER_DAY or n_hours % HOURS_PER_DAY:
        raise ValueError(f"profiles have {n_hours} hours, expected a whole number of days: a "
                         f"positive multiple of {HOURS_PER_DAY} ({HOURS_PER_YEAR} for a year, "
                         f"168 for a week)")
    return n_hours // HOURS_PER_DAY


def reduce_time(ds: xr.Dataset, settings: TimeSettings) -> xr.Dataset:
    """Replace the hourly ``time`` dim of ``ds`` by the time steps ``settings`` ask for."""
    hourly = [str(v) for v in ds.data_vars if "time" in ds[v].dims]
    n_hours = ds.sizes["time"]
    n_days = profile_days(n_hours)
    if settings.resolution != "full_year" and settings.days > n_days:
        raise ValueError(f"{settings.days} representative days asked of profiles of {n_days} "
                         f"days; expected time.days <= {n_days}")
    scale = HOURS_PER_YEAR / n_hours  # hours of the year each hour of the profiles stands for
    stamps = pd.DatetimeIndex(ds["time"].values)
    regions = [str(r) for r in ds["region"].values]
    original = {v: ds[v].transpose("region", "time").values for v in hourly}

    if settings.resolution == "full_year":
        n_periods = n_days
        day_period = np.arange(n_days)
        reduced = {v: original[v] for v in hourly}
        lengths = np.ones((n_days, HOURS_PER_DAY))
        weight = np.full(n_hours, scale)
    else:
        columns = [f"{v}|{r}" for v in hourly for r in regions]
        frame = pd.DataFrame(
            np.column_stack([original[v][i] for v in hourly for i in range(len(regions))]),
            index=stamps, columns=columns,
        )
        reps, lengths, day_period = _cluster_once(frame, settings)
        n_periods = reps.shape[0]
        reduced = {}
        for k, v in enumerate(hourly):
            block = reps[:, :, k * len(regions):(k + 1) * len(regions)]  # period, hour, region
            values = block.transpose(2, 0, 1).reshape(len(regions), -1)
            if v != "load_profile":  # tsam rescales means; capacity factors must stay within [0, 1]
                values = np.clip(values, 0.0, 1.0)
            reduced[v] = values
        counts = np.bincount(day_period, minlength=n_periods).astype(float)
        weight = (counts[:, None] * lengths).ravel() * scale

    per_period = lengths.shape[1]
    steps = n_periods * per_period
    starts = np.cumsum(lengths, axis=1) - lengths  # first hour of each step within its day
    out = ds.drop_dims("time")
    out = out.assign_coords(
        time=np.arange(steps),
        period=("time", np.repeat(np.arange(n_periods), per_period)),
        hour=("time", starts.ravel().astype(int)),
        day=stamps[::HOURS_PER_DAY].normalize(),
    )
    for v in hourly:
        out[v] = xr.DataArray(reduced[v], dims=("region", "time"), attrs=ds[v].attrs)
    out["weight"] = xr.DataArray(weight, dims="time", attrs={
        "units": "h", "long_name": "hours of the year each time step stands for (sum 8,760)",
        "role": "parameter"})
    out["step_hours"] = xr.DataArray(lengths.ravel(), dims="time", attrs={
        "units": "h", "long_name": "length of the time step (1: hourly; more: a segment)",
        "role": "parameter"})
    out["day_period"] = xr.DataArray(day_period, dims="day", attrs={
        "units": "", "long_name": "period that represents each calendar day of the profiles",
        "role": "metadata"})

    profiles = [v for v in PROFILE_VARIABLES if v in hourly]
    rmse = np.zeros((len(profiles), len(regions)))
    rmse_dc = np.zeros_like(rmse)
    for k, v in enumerate(profiles):
        rebuilt = expand_to_year(out[v], out).transpose("region", "time").values
        diff = rebuilt - original[v]
        rmse[k] = np.sqrt((diff**2).mean(axis=1))
        dc = np.sort(rebuilt, axis=1) - np.sort(original[v], axis=1)
        rmse_dc[k] = np.sqrt((dc**2).mean(axis=1))
    coords = {"profile": profiles, "region": regions}
    out["reduction_rmse"] = xr.DataArray(rmse, dims=("profile", "region"), coords=coords, attrs={
        "units": "1", "long_name": "RMSE of each hourly profile rebuilt from the time steps",
        "role": "reference"})
    out["reduction_rmse_duration"] = xr.DataArray(rmse_dc, dims=("profile", "region"),
                                                  coords=coords, attrs={
        "units": "1", "long_name": "RMSE of the duration curve rebuilt from the time steps",
        "role": "reference"})
    out.attrs.update(time_resolution=settings.resolution, n_periods=int(n_periods),
                     hydro_budget=settings.hydro_budget_period, profile_days=int(n_days),
                     steps_per_period=int(per_period),
                     time_method=settings.method if settings.resolution != "full_year" else "")
    return out


def expand_to_year(da: xr.DataArray, inputs: xr.Dataset) -> xr.DataArray:
    """A series over the model's ``time`` steps expanded to the hours of the profiles (the 8,760
    hours of the year, or the ``N x 24`` hours of profiles of ``N`` days).

    Each calendar day takes the values of the period that represents it (``day_period``).
    The result's ``time`` coordinate holds the hourly timestamps.
    """
    other = [d for d in da.dims if d != "time"]
    values = da.transpose(*other, "time").values
    # The step covering each hour of each period: steps are consecutive, lengths add up to 24.
    period, lengths = inputs["period"].values, inputs["step_hours"].values.astype(int)
    n_periods = int(period.max()) + 1
    step_of_hour = np.stack([np.repeat(np.flatnonzero(period == p), lengths[period == p])
                             for p in range(n_periods)])  # (period, 24)
    day_period = inputs["day_period"].values
    full = values[..., step_of_hour[day_period].ravel()]
    stamps = pd.DatetimeIndex(inputs["day"].values).repeat(HOURS_PER_DAY) + pd.to_timedelta(
        np.tile(np.arange(HOURS_PER_DAY), len(day_period)), unit="h")
    coords = {d: da[d] for d in other if d in da.coords}
    coords["time"] = stamps
    return xr.DataArray(full, dims=(*other, "time"), coords=coords, attrs=da.attrs)
