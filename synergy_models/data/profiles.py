"""Synthetic hourly profiles of load, wind, solar and hydro for the hub regions.

No public hourly data for China's computing hubs is available offline, so the default dataset
ships profiles generated here, deterministically, from a handful of numbers per region (the
representative city's coordinates and January/July mean temperatures, and the target full-load
hours). They are stylised: realistic shapes, seasons, persistence and annual totals, but not the
weather of any real year. Every constant below is a named module-level constant.

Calendar
--------
One non-leap ``year`` of 8,760 hours in local time UTC+8 (China has no daylight saving time).
A timestamp labels the hour that starts at it; solar geometry is evaluated at the middle of the
hour (hh:30). ``d`` is the day index (0 = 1 January), ``h`` the hour of day (0-23).

Random numbers
--------------
Each region and each process has its own stream,
``numpy.random.default_rng(SeedSequence([seed, crc32(region id), stream]))``: the output is
bit-identical for the same inputs and seed, and adding, removing or reordering regions leaves
the others unchanged. The stochastic processes are AR(1) with unit stationary variance,
``x[t] = phi x[t-1] + sqrt(1 - phi²) e[t]``, started in equilibrium, then scaled.

Temperature (drives load; also the PV cell temperature)
-------------------------------------------------------
::

    T[d] = (t_jan + t_jul) / 2 + (t_jul - t_jan) / 2 * cos(2 pi (d - 195) / 365) + a[d]

Day 195 is 15 July; the sinusoid passes through ``t_jul`` then and within 0.01 °C of ``t_jan``
on 15 January. ``a`` is AR(1) per day, ``phi = 0.7``, standard deviation 2.5 °C.

Load
----
::

    L[d, h] = W[d] * S[d] * B[h] * (1 + b_H HDD[d]) + b_C CDD[d] C[h],  times exp(0.015 n[t])
    HDD = max(0, 14 °C - T[d]),  CDD = max(0, T[d] - 22 °C),  b_H = 0.008 /K,  b_C = 0.025 /K

``B`` is a stylised diurnal shape (``DIURNAL_LOAD_SHAPE``, mean 1: night trough 0.81 at 03-04 h,
morning peak 1.11 at 10 h, lunch dip, evening peak 1.15 at 19 h); ``C[h] = 1 + 0.4 cos(2 pi
(h - 15) / 24)`` is the afternoon-peaking cooling shape. ``W`` is 1 on weekdays, 0.96 on
Saturdays, 0.94 on Sundays and 0.92 on the fixed-date holidays (1 January, 1-5 May, 1-7
October). ``S = 1 - 0.25 w[d]`` is the Spring Festival dip: ``w`` rises linearly from 0 ten days
before New Year's Day to 1 on New Year's Eve, stays 1 to the sixth day and falls linearly to 0 on
the twentieth (industry returns after the Lantern Festival, day 14). New Year's Day comes from
``SPRING_FESTIVAL`` (2025: 29 January, so the dip spans 19 January to 18 February). ``n`` is an
hourly AR(1), ``phi = 0.9``. The result is divided by its mean: the annual mean is exactly 1.

Solar
-----
Solar position: pvlib's ``ephemeris`` algorithm (zenith within 0.01° of NREL SPA, several times
faster). Clear sky: Ineichen-Perez with a fixed Linke turbidity of 4.0 at sea level (no data
files). All-sky GHI ``= k * GHI_clear`` with the clear-sky index::

    k[d, h] = expit(m[d] + 1.2 x[d] + 0.4 y[d, h] + delta)
    m[d] = 1.2 - A_r exp(-((d - d_r) / w_r)² / 2) - A_w (1 + cos(2 pi (d - 15) / 365)) / 2

``x`` daily AR(1) (``phi = 0.5``), ``y`` hourly AR(1) (``phi = 0.8``), ``delta`` the calibration
shift. The first seasonal term is the cloudiness of the East-Asian summer-monsoon rain belt as
it moves north; ``(d_r, w_r, A_r)`` are interpolated in latitude from ``RAIN_BELT``: (110, 45,
1.2) at 23 °N (South China's pre-summer rains, April-June), (170, 30, 0.9) at 31 °N (Meiyu,
mid-June to mid-July), (205, 25, 0.5) at 40 °N (North China's rainy season, late July), (215,
25, 0.3) at 45 °N. The second is the winter stratus of the Sichuan basin and Guizhou plateau:
``A_w = 1.5`` within 25.5-33 °N, 103-110.5 °E, else 0. GHI is split into beam and diffuse with
the Erbs et al. (1982) correlation (as ``pvlib.irradiance.erbs``) and transposed with the
isotropic-sky model to a south-facing plane tilted at the latitude (ground albedo 0.2). PV
output, with the NOCT cell temperature::

    T_cell = T[d] + 5 cos(2 pi (h - 15) / 24) + POA (45 - 20) / 800
    cf = clip(POA / (1000 W/m²) * 0.86 * (1 - 0.0035 /K (T_cell - 25 °C)), 0, 1)

(0.86: PVWatts' default 14 % system losses). ``cf`` is exactly 0 whenever the sun's apparent
elevation at mid-hour is not above the horizon. Calibrated on ``delta``; the most that can be
reached is the output under clear skies in every hour.

Wind
----
::

    v[t] = c * s[d] * g[h] * (-ln(1 - Phi(z[t])))^(1/2)        (Weibull marginal, shape k = 2)
    s[d] = 1 + 0.15 clip((lat - 20) / 20, 0, 1) cos(2 pi (d - 60) / 365)
    g[h] = 1 + 0.08 cos(2 pi (h - 1) / 24)

``z`` is an hourly AR(1) with ``phi = 0.97`` from which its centred 30-day running mean is
removed (then rescaled to unit variance): an AR(1) this persistent puts whole months 30-40 %
off the seasonal cycle, while a synthetic year should, like a typical meteorological year, show
the climatological seasons. ``s`` gives a winter-spring maximum and late-summer minimum, strong
in the north and fading towards 20 °N; ``g`` the night maximum of hub-height wind over land.
Generic IEC class-II turbine: 0 below 3 m/s, ``(v³ - 3³) / (12³ - 3³)`` up to rated at 12 m/s,
1 up to cut-out at 25 m/s, 0 above. A hub region aggregates many farms, so the output is the
turbine curve averaged over farm speeds ``N(v, (0.15 v)²)``, in closed form (truncated normal
moments): regional output stays below 1 and cut-out is gradual, so the annual mean is
continuous in ``c``. Calibrated on the Weibull scale ``c`` in [0.1, 15] m/s, where the mean
output increases with ``c``.

Hydro
-----
::

    r[d] = exp(kappa cos(2 pi (d - 195) / 365) + 0.05 u[d] - 0.05² / 2),   cf = min(1, s r[d])

(wet season peaking on 15 July; ``u`` daily AR(1), ``phi = 0.9``; ``kappa = 0.6`` in the
south-west, 21-34 °N and 97-110.5 °E, i.e. Sichuan, Chongqing, Guizhou and Yunnan, 0.35
elsewhere), held for the 24 hours of each day. Calibrated on the scale ``s``.

Calibration
-----------
Each of wind, solar and hydro has one parameter (``c``, ``delta``, ``s``) that raises the annual
mean monotonically. Brent's method (bracketing, as safe as bisection) on that parameter makes
``mean(cf) * 8760`` equal the target to a relative 1e-6. A target outside (0, 8760] h, or beyond
what the parameter's range can reach, raises ``ValueError`` naming the region and the target.
"""

from __future__ import annotations

import calendar
import datetime as dt
import zlib
from collections.abc import Callable
from typing import Final

import numpy as np
import pandas as pd
import pvlib
import xarray as xr
from scipy import optimize, special

from synergy_models.units import HOURS_PER_YEAR

__all__ = ["SPRING_FESTIVAL", "generate_profiles"]

DAYS_PER_YEAR: Final = 365
UTC_OFFSET: Final = dt.timezone(dt.timedelta(hours=8), "UTC+8")
REQUIRED_COLUMNS: Final = (
    "lat", "lon", "wind_hours", "solar_hours", "hydro_hours", "t_jan", "t_jul",
)  # fmt: skip

# Random streams: one per process, so that changing how one process draws leaves the others alone.
STREAM_TEMPERATURE: Final = 1
STREAM_LOAD: Final = 2
STREAM_CLEARNESS_DAILY: Final = 3
STREAM_CLEARNESS_HOURLY: Final = 4
STREAM_WIND: Final = 5
STREAM_HYDRO: Final = 6

# --- temperature ---------------------------------------------------------------------------------
DAY_MID_JULY: Final = 195  # 0-based day index of 15 July; mid-month is where monthly means sit
TEMP_ANOMALY_PHI: Final = 0.7  # day-to-day persistence of temperature anomalies (synoptic, ~3 d)
TEMP_ANOMALY_SD: Final = 2.5  # °C, typical spread of daily means about the monthly mean in China
TEMP_DIURNAL_AMPLITUDE: Final = 5.0  # °C, half the typical daily range; maximum at 15 h
TEMP_DIURNAL_PEAK_HOUR: Final = 15.0

# --- load (assumptions: stylised, of the order of published sensitivities of Chinese provinces) -
HEATING_BASE: Final = 14.0  # °C, daily mean below which electric heating load appears
COOLING_BASE: Final = 22.0  # °C, daily mean above which air-conditioning load appears
HEATING_COEFF: Final = 0.008  # per K of HDD: modest, most northern heating is district heat
COOLING_COEFF: Final = 0.025  # per K of CDD: air conditioning drives Chinese summer peaks
# Stylised weekday load shape (hour 0..23): night trough, morning peak, lunch dip, evening peak.
DIURNAL_LOAD_SHAPE: Final = (
    0.86, 0.83, 0.81, 0.80, 0.80, 0.83, 0.89, 0.96, 1.03, 1.08, 1.10, 1.07,
    1.02, 1.05, 1.08, 1.08, 1.07, 1.08, 1.12, 1.14, 1.13, 1.08, 1.00, 0.92,
)  # fmt: skip
COOLING_SHAPE_AMPLITUDE: Final = 0.4  # cooling load follows the afternoon heat, peak at 15 h
COOLING_SHAPE_PEAK_HOUR: Final = 15.0
SATURDAY_FACTOR: Final = 0.96  # industry-heavy provincial loads dip only a few per cent
SUNDAY_FACTOR: Final = 0.94
HOLIDAY_FACTOR: Final = 0.92  # fixed-date holidays below (the golden weeks dip more than Sundays)
FIXED_HOLIDAYS: Final = ((1, 1), *((5, d) for d in range(1, 6)), *((10, d) for d in range(1, 8)))
SPRING_FESTIVAL_DEPTH: Final = 0.25  # national load falls by roughly a quarter in the holiday
SPRING_FESTIVAL_RAMP_START: Final = -10  # days relative to New Year's Day: pre-holiday slowdown
SPRING_FESTIVAL_FULL: Final = (-1, 6)  # New Year's Eve to the end of the official week
SPRING_FESTIVAL_RAMP_END: Final = 20  # industry back to normal some days after the Lantern Festival
# Chinese New Year's Day (first day of the first lunar month), non-leap years 2015-2035.
SPRING_FESTIVAL: Final[dict[int, dt.date]] = {
    2015: dt.date(2015, 2, 19),
    2017: dt.date(2017, 1, 28),
    2018: dt.date(2018, 2, 16),
    2019: dt.date(2019, 2, 5),
    2021: dt.date(2021, 2, 12),
    2022: dt.date(2022, 2, 1),
    2023: dt.date(2023, 1, 22),
    2025: dt.date(2025, 1, 29),
    2026: dt.date(2026, 2, 17),
    2027: dt.date(2027, 2, 6),
    2029: dt.date(2029, 2, 13),
    2030: dt.date(2030, 2, 3),
    2031: dt.date(2031, 1, 23),
    2033: dt.date(2033, 1, 31),
    2034: dt.date(2034, 2, 19),
    2035: dt.date(2035, 2, 8),
}
LOAD_NOISE_SD: Final = 0.015  # hourly load forecast-error-sized wiggle
LOAD_NOISE_PHI: Final = 0.9

# --- solar ----------------------------------------------------------------------------------------
LINKE_TURBIDITY: Final = 4.0  # hazy continental China; the calibration absorbs the rest
ALBEDO: Final = 0.2  # generic ground reflectance
CLEARNESS_LOGIT_MEAN: Final = 1.2  # expit(1.2) ≈ 0.77 before the seasonal terms and calibration
CLEARNESS_DAILY_PHI: Final = 0.5  # cloudy spells last a day or two
CLEARNESS_DAILY_SD: Final = 1.2  # logit space: spans overcast (k ≈ 0.2) to clear (k ≈ 0.95) days
CLEARNESS_HOURLY_PHI: Final = 0.8
CLEARNESS_HOURLY_SD: Final = 0.4
# Cloudiness of the East-Asian summer-monsoon rain belt as it moves north: South China's
# pre-summer rainy season (April-June), Meiyu in the Yangtze valley (mid-June to mid-July), North
# China's rainy season (late July-August), fading into the arid north-west. Rows: latitude (°N),
# peak day (0 = 1 January), width (standard deviation, days), depth (logit of the clear-sky
# index); linear in latitude between rows, constant beyond. Stylised from the climatology of
# monthly sunshine percentages (e.g. Guangzhou ~20 % in March-April, Shanghai ~33 % in June,
# Beijing ~45 % in July, against 50-70 % in their sunniest months).
RAIN_BELT: Final = (
    (23.0, 110.0, 45.0, 1.2),
    (31.0, 170.0, 30.0, 0.9),
    (40.0, 205.0, 25.0, 0.5),
    (45.0, 215.0, 25.0, 0.3),
)
WINTER_STRATUS_AMPLITUDE: Final = 1.5  # logit; Sichuan basin / Guizhou: ~20 % sunshine in winter
WINTER_STRATUS_BOX: Final = (25.5, 33.0, 103.0, 110.5)  # lat min, lat max, lon min, lon max
WINTER_STRATUS_PEAK_DAY: Final = 15
PV_SYSTEM_DERATE: Final = 0.86  # PVWatts default system losses (14 %)
PV_TEMP_COEFF: Final = -0.0035  # 1/K, crystalline silicon power temperature coefficient
PV_NOCT: Final = 45.0  # °C, nominal operating cell temperature (at 800 W/m², 20 °C)
SOLAR_SHIFT_BOUNDS: Final = (-30.0, 30.0)  # logit shift; +30 is clear sky in every hour

# --- wind -----------------------------------------------------------------------------------------
WEIBULL_SHAPE: Final = 2.0  # Rayleigh-like, typical of inland sites
WIND_PHI: Final = 0.97  # hourly autocorrelation of hub-height wind speed (e-folding ~33 h)
WIND_TYPICAL_WINDOW_DAYS: Final = 30  # running mean removed: no anomalous month (_typical_year)
WIND_SEASONAL_AMPLITUDE: Final = 0.15  # scale swing in the north; fades to 0 at 20 °N
WIND_SEASONAL_PEAK_DAY: Final = 60  # 2 March: winter-spring maximum, minimum at the end of August
WIND_DIURNAL_AMPLITUDE: Final = 0.08  # stable nights bring stronger hub-height winds over land
WIND_DIURNAL_PEAK_HOUR: Final = 1.0
CUT_IN: Final = 3.0  # m/s, generic IEC class-II turbine
RATED: Final = 12.0
CUT_OUT: Final = 25.0
REGIONAL_SPEED_SPREAD: Final = 0.15  # relative spread of speeds across the farms of a hub region
WIND_SCALE_BOUNDS: Final = (0.1, 15.0)  # m/s; mean output peaks near 16 m/s (cut-out)

# --- hydro ----------------------------------------------------------------------------------------
HYDRO_KAPPA_SOUTHWEST: Final = 0.6  # wet/dry ratio e^1.2 ≈ 3.3: Sichuan's August vs February
HYDRO_KAPPA_OTHER: Final = 0.35
SOUTHWEST_BOX: Final = (21.0, 34.0, 97.0, 110.5)  # lat min, lat max, lon min, lon max
HYDRO_NOISE_SD: Final = 0.05
HYDRO_NOISE_PHI: Final = 0.9  # river flows change slowly

# --- calibration ----------------------------------------------------------------------------------
CALIBRATION_RTOL: Final = 1e-6  # relative error in the mean accepted (the contract is 1e-3)

METHOD: Final = (
    "Synthetic, deterministic hourly profiles (stylised, not observed weather), one non-leap year "
    "in UTC+8. Load: a daily mean temperature (sinusoid through the city's January and July means "
    "plus a seeded AR(1) anomaly) drives heating (below 14 °C, +0.8 % per K) and afternoon-peaking "
    "cooling (above 22 °C, +2.5 % per K) on a stylised diurnal shape with morning and evening "
    "peaks, with weekend, fixed-holiday and Spring Festival (-25 %) factors, normalised to mean 1. "
    "Solar: pvlib solar position and Ineichen-Perez clear sky (Linke turbidity 4) at the city, "
    "times a seeded clear-sky index (daily and hourly AR(1) in logit space around a seasonal mean "
    "that follows the northward march of the summer-monsoon rain belt and the winter stratus of "
    "Sichuan-Guizhou), Erbs decomposition, isotropic transposition to a south-facing plane tilted "
    "at the latitude, NOCT cell temperature and 14 % system losses; zero when the sun is down. "
    "Wind: a seeded hourly AR(1) Gaussian process (autocorrelation 0.97, month-scale anomalies "
    "removed) mapped to a Weibull (k = 2) marginal with a winter-spring maximum and a night "
    "maximum, through a generic IEC class-II power curve (3/12/25 m/s) averaged over a 15 % spread "
    "of farm speeds. Hydro: daily availability peaking in July (stronger in the south-west) with "
    "small AR(1) noise, clipped at 1. Wind, solar and hydro are calibrated (Brent's method on the "
    "Weibull scale, a logit shift of the clear-sky index and a scale factor) so that mean x 8,760 "
    "equals the target available full-load hours. Random streams derive from the seed and the "
    "CRC-32 of the region id."
)


def generate_profiles(sites: pd.DataFrame, *, year: int = 2025, seed: int = 20250101) -> xr.Dataset:
    """Generate synthetic hourly load, wind, solar and hydro profiles for a set of regions.

    Parameters
    ----------
    sites : pandas.DataFrame
        One row per region, index named ``region`` (string ids; a ``region`` column is also
        accepted), columns ``lat``, ``lon`` (decimal degrees of the representative city),
        ``wind_hours``, ``solar_hours``, ``hydro_hours`` (target available full-load hours per
        year, h, in (0, 8760]) and ``t_jan``, ``t_jul`` (mean January and July temperature, °C).
    year : int, default 2025
        Calendar year of the profiles; must not be a leap year and must have a Spring Festival
        date in :data:`SPRING_FESTIVAL`.
    seed : int, default 20250101
        Non-negative base seed; each region's streams derive from it and the region id.

    Returns
    -------
    xarray.Dataset
        Dims ``(region, time)``; ``time`` holds the 8,760 hour-start timestamps of ``year`` in
        local time UTC+8 (naive). Variables ``load`` (per unit of the annual mean, mean 1),
        ``wind``, ``solar``, ``hydro`` (available capacity factors in [0, 1] whose means times
        8,760 equal the targets), all float64.

    Raises
    ------
    ValueError
        On a leap year or a year without a Spring Festival date, a negative seed, missing or
        non-numeric columns, duplicate or non-string region ids, coordinates out of range, and
        targets that are out of (0, 8760] or unreachable by the model (naming region and target).

    Notes
    -----
    The method and its constants are documented in the module docstring. The same inputs and
    seed give bit-identical output; each region's profiles do not depend on the other rows.
    """
    time, cal = _calendar(year)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    table = _validate_sites(sites)

    arrays: dict[str, list[np.ndarray]] = {"load_profile": [], "wind_cf": [], "solar_cf": [], "hydro_cf": []}
    for region, row in table.iterrows():
        profiles = _region_profiles(str(region), row, cal, int(seed))
        for name, values in profiles.items():
            arrays[name].append(values)

    regions = np.array([str(r) for r in table.index])
    coords = {"region": ("region", regions), "time": ("time", time)}
    variables = {
        name: (("region", "time"), np.vstack(values)) for name, values in arrays.items()
    }
    ds = xr.Dataset(variables, coords=coords)
    ds["load_profile"].attrs = {"units": "1", "long_name": "load per unit of the annual mean load"}
    ds["wind_cf"].attrs = {"units": "1", "long_name": "available wind capacity factor"}
    ds["solar_cf"].attrs = {"units": "1", "long_name": "available solar PV capacity factor"}
    ds["hydro_cf"].attrs = {"units": "1", "long_name": "available conventional hydro capacity factor"}
    ds["region"].attrs = {"long_name": "region id"}
    ds["time"].attrs = {"long_name": "start of the hour, local time UTC+8"}
    ds.attrs = {
        "method": METHOD,
        "seed": int(seed),
        "year": int(year),
        "generator": "synergy_models.data.profiles",
        "timezone": "Asia/Shanghai (UTC+8)",
    }
    return ds


# --- inputs ---------------------------------------------------------------------------------------


class _Calendar:
    """Per-hour calendar arrays of one non-leap year (built once, shared by all regions)."""

    def __init__(self, year: int, time: pd.DatetimeIndex) -> None:
        self.year = year
        self.day = np.repeat(np.arange(DAYS_PER_YEAR), 24)  # 0-based day index of each hour
        self.hour = np.tile(np.arange(24, dtype=float), DAYS_PER_YEAR)
        # Solar quantities refer to the middle of the hour, in an explicit UTC+8 offset.
        self.mid_hour = (time + pd.Timedelta(minutes=30)).tz_localize(UTC_OFFSET)
        days = pd.date_range(f"{year}-01-01", periods=DAYS_PER_YEAR, freq="D")
        self.day_factor = _day_factors(year, days)  # weekday, holiday and Spring Festival


def _calendar(year: int) -> tuple[pd.DatetimeIndex, _Calendar]:
    if isinstance(year, bool) or not isinstance(year, int | np.integer):
        raise ValueError(f"year must be an integer, got {year!r}")
    year = int(year)
    if calendar.isleap(year):
        raise ValueError(f"year {year} is a leap year; profiles need a non-leap year (8,760 h)")
    if year not in SPRING_FESTIVAL:
        raise ValueError(
            f"no Spring Festival date for year {year}; known non-leap years: "
            f"{min(SPRING_FESTIVAL)}-{max(SPRING_FESTIVAL)} (add it to SPRING_FESTIVAL)"
        )
    time = pd.date_range(f"{year}-01-01", periods=HOURS_PER_YEAR, freq="h", unit="ns")
    time.name = "time"
    return time, _Calendar(year, time)


def _validate_sites(sites: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(sites, pd.DataFrame):
        raise ValueError(f"sites must be a pandas DataFrame, got {type(sites).__name__}")
    if sites.index.name != "region":
        if "region" not in sites.columns:
            raise ValueError("sites needs its index named 'region' (or a 'region' column)")
        sites = sites.set_index("region")
    missing = [c for c in REQUIRED_COLUMNS if c not in sites.columns]
    if missing:
        raise ValueError(f"sites is missing column(s) {', '.join(missing)}")
    if sites.empty:
        raise ValueError("sites has no rows: at least one region is needed")
    bad_ids = [r for r in sites.index if not isinstance(r, str) or not r]
    if bad_ids:
        raise ValueError(f"region ids must be non-empty strings, got {bad_ids!r}")
    duplicated = sorted(set(sites.index[sites.index.duplicated()]))
    if duplicated:
        raise ValueError(f"duplicate region id(s) in sites: {', '.join(duplicated)}")

    table = pd.DataFrame(index=pd.Index(list(sites.index), name="region"))
    for column in REQUIRED_COLUMNS:
        values = pd.to_numeric(sites[column], errors="coerce").to_numpy(dtype=float)
        table[column] = values
        for region, value in zip(table.index, values, strict=True):
            if not np.isfinite(value):
                raise ValueError(
                    f"region {region!r}: column {column!r} must be a finite number, "
                    f"got {sites.loc[region, column]!r}"
                )
    for region, row in table.iterrows():
        if not -90.0 < row["lat"] < 90.0:
            raise ValueError(f"region {region!r}: lat {row['lat']} is outside (-90, 90)")
        if not -180.0 <= row["lon"] <= 180.0:
            raise ValueError(f"region {region!r}: lon {row['lon']} is outside [-180, 180]")
        for column in ("wind_hours", "solar_hours", "hydro_hours"):
            hours = row[column]
            if not 0.0 < hours <= HOURS_PER_YEAR:
                raise ValueError(
                    f"region {region!r}: {column} = {hours:g} h is unreachable; "
                    f"target full-load hours must be in (0, {HOURS_PER_YEAR}]"
                )
    return table


def _region_rng(seed: int, region: str, stream: int) -> np.random.Generator:
    # crc32, not hash(): Python salts str hashes per process, which would break reproducibility.
    key = zlib.crc32(region.encode("utf-8"))
    return np.random.default_rng(np.random.SeedSequence([seed, key, stream]))


def _ar1(rng: np.random.Generator, n: int, phi: float) -> np.ndarray:
    """Stationary AR(1) with unit variance: x[t] = phi x[t-1] + sqrt(1 - phi²) e[t]."""
    shocks = rng.standard_normal(n)
    shocks[1:] *= np.sqrt(1.0 - phi * phi)  # x[0] = e[0] is drawn from the stationary law
    # A plain recursion (~2 ms for 8,760 steps); scipy.signal.lfilter would add ~0.7 s of import.
    out = shocks.tolist()
    for t in range(1, n):
        out[t] += phi * out[t - 1]
    return np.asarray(out)


def _in_box(lat: float, lon: float, box: tuple[float, float, float, float]) -> bool:
    lat_min, lat_max, lon_min, lon_max = box
    return lat_min <= lat <= lat_max and lon_min <= lon <= lon_max


def _calibrate(
    profile_of: Callable[[float], np.ndarray],
    bounds: tuple[float, float],
    target_hours: float,
    *,
    region: str,
    column: str,
    what: str,
) -> np.ndarray:
    """Find the parameter in ``bounds`` at which the mean of ``profile_of`` meets the target.

    ``profile_of`` must be non-decreasing in its parameter on ``bounds``. Brent's method
    (bracketing, so as safe as bisection, but ~10 instead of ~35 evaluations) on the mean.
    """
    target = target_hours / HOURS_PER_YEAR
    lo, hi = bounds
    low, high = profile_of(lo).mean(), profile_of(hi).mean()
    if high < target * (1.0 - 1e-12):
        raise ValueError(
            f"region {region!r}: {column} = {target_hours:g} h is unreachable; {what} gives at "
            f"most {high * HOURS_PER_YEAR:.0f} h"
        )
    if low > target * (1.0 + 1e-12):
        raise ValueError(
            f"region {region!r}: {column} = {target_hours:g} h is unreachable; {what} gives at "
            f"least {low * HOURS_PER_YEAR:.0f} h"
        )
    if high <= target:  # the target sits at the top of the range (e.g. 8,760 h of hydro)
        return profile_of(hi)
    param = optimize.brentq(
        lambda x: profile_of(x).mean() - target, lo, hi, xtol=1e-12, rtol=4 * np.finfo(float).eps
    )
    profile = profile_of(param)
    if abs(profile.mean() - target) > CALIBRATION_RTOL * target:  # pragma: no cover
        # Only a jump in the mean (wind cut-out) can stop the root finder short of the target.
        raise RuntimeError(
            f"region {region!r}: calibrating {column} to {target_hours:g} h stopped at "
            f"{profile.mean() * HOURS_PER_YEAR:.3f} h"
        )
    return profile


# --- processes ------------------------------------------------------------------------------------


def _region_profiles(
    region: str, site: pd.Series, cal: _Calendar, seed: int
) -> dict[str, np.ndarray]:
    lat, lon = float(site["lat"]), float(site["lon"])
    temperature = _daily_temperature(site, _region_rng(seed, region, STREAM_TEMPERATURE))
    return {
        "load_profile": _load(temperature, cal, _region_rng(seed, region, STREAM_LOAD)),
        "wind_cf": _wind(region, lat, float(site["wind_hours"]), cal, seed),
        "solar_cf": _solar(region, lat, lon, float(site["solar_hours"]), temperature, cal, seed),
        "hydro_cf": _hydro(region, lat, lon, float(site["hydro_hours"]), seed),
    }


def _daily_temperature(site: pd.Series, rng: np.random.Generator) -> np.ndarray:
    t_jan, t_jul = float(site["t_jan"]), float(site["t_jul"])
    day = np.arange(DAYS_PER_YEAR)
    seasonal = 0.5 * (t_jan + t_jul) + 0.5 * (t_jul - t_jan) * np.cos(
        2 * np.pi * (day - DAY_MID_JULY) / DAYS_PER_YEAR
    )
    return seasonal + TEMP_ANOMALY_SD * _ar1(rng, DAYS_PER_YEAR, TEMP_ANOMALY_PHI)


def _day_factors(year: int, days: pd.DatetimeIndex) -> np.ndarray:
    """Weekday/weekend/holiday factor times the Spring Festival dip, one value per day."""
    weekday = days.dayofweek.to_numpy()
    factor = np.ones(DAYS_PER_YEAR)
    factor[weekday == 5] = SATURDAY_FACTOR
    factor[weekday == 6] = SUNDAY_FACTOR
    month_day = list(zip(days.month, days.day, strict=True))
    holidays = np.array([md in set(FIXED_HOLIDAYS) for md in month_day])
    factor[holidays] = HOLIDAY_FACTOR

    new_year = pd.Timestamp(SPRING_FESTIVAL[year])
    offset = ((days - new_year) / pd.Timedelta(days=1)).to_numpy()  # days since New Year's Day
    full_start, full_end = SPRING_FESTIVAL_FULL
    weight = np.interp(
        offset,
        [SPRING_FESTIVAL_RAMP_START, full_start, full_end, SPRING_FESTIVAL_RAMP_END],
        [0.0, 1.0, 1.0, 0.0],
        left=0.0,
        right=0.0,
    )
    return factor * (1.0 - SPRING_FESTIVAL_DEPTH * weight)


def _load(temperature: np.ndarray, cal: _Calendar, rng: np.random.Generator) -> np.ndarray:
    base_shape = np.asarray(DIURNAL_LOAD_SHAPE)
    base_shape = base_shape / base_shape.mean()
    cooling_shape = 1.0 + COOLING_SHAPE_AMPLITUDE * np.cos(
        2 * np.pi * (np.arange(24) - COOLING_SHAPE_PEAK_HOUR) / 24
    )
    hdd = np.maximum(0.0, HEATING_BASE - temperature)
    cdd = np.maximum(0.0, temperature - COOLING_BASE)
    daily = cal.day_factor * (1.0 + HEATING_COEFF * hdd)
    load = daily[:, None] * base_shape[None, :] + (COOLING_COEFF * cdd)[:, None] * cooling_shape
    load = load.ravel() * np.exp(LOAD_NOISE_SD * _ar1(rng, HOURS_PER_YEAR, LOAD_NOISE_PHI))
    return load / load.mean()


def _solar(
    region: str,
    lat: float,
    lon: float,
    target_hours: float,
    temperature: np.ndarray,
    cal: _Calendar,
    seed: int,
) -> np.ndarray:
    position = pvlib.solarposition.get_solarposition(cal.mid_hour, lat, lon, method="ephemeris")
    apparent_zenith = position["apparent_zenith"].to_numpy()
    zenith = position["zenith"].to_numpy()
    azimuth = position["azimuth"].to_numpy()
    daylight = apparent_zenith < 90.0  # elevation at mid-hour above the horizon

    dni_extra = pvlib.irradiance.get_extra_radiation(cal.mid_hour).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):  # night hours: airmass is NaN
        airmass = pvlib.atmosphere.get_absolute_airmass(
            pvlib.atmosphere.get_relative_airmass(apparent_zenith)
        )
        clear = pvlib.clearsky.ineichen(apparent_zenith, airmass, LINKE_TURBIDITY, 0, dni_extra)
    ghi_clear = np.where(daylight, np.nan_to_num(np.asarray(clear["ghi"], dtype=float)), 0.0)

    tilt = abs(lat)
    surface_azimuth = 180.0 if lat >= 0 else 0.0  # face the equator
    cos_aoi = np.cos(np.radians(pvlib.irradiance.aoi(tilt, surface_azimuth, zenith, azimuth)))
    cos_aoi = np.clip(np.nan_to_num(cos_aoi), 0.0, None)
    sky_view = 0.5 * (1.0 + np.cos(np.radians(tilt)))
    ground_view = 0.5 * (1.0 - np.cos(np.radians(tilt)))

    # Seasonal mean of the clear-sky index in logit space (monsoon rain belt, winter stratus).
    day = np.arange(DAYS_PER_YEAR)
    belt = np.array(RAIN_BELT)
    peak, width, depth = (np.interp(lat, belt[:, 0], belt[:, col]) for col in (1, 2, 3))
    mean = CLEARNESS_LOGIT_MEAN - depth * np.exp(-0.5 * ((day - peak) / width) ** 2)
    if _in_box(lat, lon, WINTER_STRATUS_BOX):
        winter = 0.5 * (1.0 + np.cos(2 * np.pi * (day - WINTER_STRATUS_PEAK_DAY) / DAYS_PER_YEAR))
        mean = mean - WINTER_STRATUS_AMPLITUDE * winter
    daily = mean + CLEARNESS_DAILY_SD * _ar1(
        _region_rng(seed, region, STREAM_CLEARNESS_DAILY), DAYS_PER_YEAR, CLEARNESS_DAILY_PHI
    )
    logit = daily[cal.day] + CLEARNESS_HOURLY_SD * _ar1(
        _region_rng(seed, region, STREAM_CLEARNESS_HOURLY), HOURS_PER_YEAR, CLEARNESS_HOURLY_PHI
    )
    air_temperature = temperature[cal.day] + TEMP_DIURNAL_AMPLITUDE * np.cos(
        2 * np.pi * (cal.hour - TEMP_DIURNAL_PEAK_HOUR) / 24
    )

    def profile(shift: float) -> np.ndarray:
        ghi = special.expit(logit + shift) * ghi_clear
        dni, dhi = _erbs(ghi, zenith, dni_extra)
        poa = dni * cos_aoi + dhi * sky_view + ALBEDO * ghi * ground_view
        cell = air_temperature + poa * (PV_NOCT - 20.0) / 800.0
        cf = poa / 1000.0 * PV_SYSTEM_DERATE * (1.0 + PV_TEMP_COEFF * (cell - 25.0))
        return np.where(daylight, np.clip(cf, 0.0, 1.0), 0.0)

    return _calibrate(
        profile,
        SOLAR_SHIFT_BOUNDS,
        target_hours,
        region=region,
        column="solar_hours",
        what="clear sky in every hour",
    )


def _erbs(
    ghi: np.ndarray, zenith: np.ndarray, dni_extra: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Erbs et al. (1982) split of GHI into DNI and DHI, as ``pvlib.irradiance.erbs``.

    Re-implemented on plain arrays because the calibration calls it dozens of times and pvlib's
    version recomputes the extraterrestrial irradiance on every call.
    """
    cos_zenith = np.cos(np.radians(zenith))
    kt = np.clip(ghi / (dni_extra * np.maximum(cos_zenith, 0.065)), 0.0, 1.0)
    diffuse_fraction = np.where(
        kt <= 0.22,
        1.0 - 0.09 * kt,
        np.where(
            kt <= 0.8,
            0.9511 - 0.1604 * kt + 4.388 * kt**2 - 16.638 * kt**3 + 12.336 * kt**4,
            0.165,
        ),
    )
    dhi = diffuse_fraction * ghi
    with np.errstate(divide="ignore", invalid="ignore"):
        dni = (ghi - dhi) / cos_zenith
    bad = (zenith > 87.0) | (ghi < 0) | ~(dni >= 0)
    return np.where(bad, 0.0, dni), np.where(bad, ghi, dhi)


def _wind(region: str, lat: float, target_hours: float, cal: _Calendar, seed: int) -> np.ndarray:
    gauss = _typical_year(_ar1(_region_rng(seed, region, STREAM_WIND), HOURS_PER_YEAR, WIND_PHI))
    # Weibull quantile of Phi(z); -log(1 - Phi(z)) = -log Phi(-z) keeps precision in the tail.
    unit_weibull = (-special.log_ndtr(-gauss)) ** (1.0 / WEIBULL_SHAPE)
    amplitude = WIND_SEASONAL_AMPLITUDE * np.clip((lat - 20.0) / 20.0, 0.0, 1.0)
    seasonal = 1.0 + amplitude * np.cos(
        2 * np.pi * (cal.day - WIND_SEASONAL_PEAK_DAY) / DAYS_PER_YEAR
    )
    diurnal = 1.0 + WIND_DIURNAL_AMPLITUDE * np.cos(
        2 * np.pi * (cal.hour - WIND_DIURNAL_PEAK_HOUR) / 24
    )
    speed_per_scale = unit_weibull * seasonal * diurnal

    def profile(scale: float) -> np.ndarray:
        return _regional_power_curve(scale * speed_per_scale)

    return _calibrate(
        profile,
        WIND_SCALE_BOUNDS,
        target_hours,
        region=region,
        column="wind_hours",
        what=f"a Weibull scale of {WIND_SCALE_BOUNDS[1]:g} m/s",
    )


def _typical_year(gauss: np.ndarray) -> np.ndarray:
    """Remove month-scale anomalies from a unit Gaussian series, then restore unit variance.

    An AR(1) with phi = 0.97 has so much low-frequency power that whole months come out 30-40 %
    above or below the seasonal cycle. Like a typical meteorological year, the synthetic year
    should show the climatological seasons, so the centred running mean over
    ``WIND_TYPICAL_WINDOW_DAYS`` is subtracted (reflecting at the ends of the year).
    """
    if WIND_TYPICAL_WINDOW_DAYS <= 0:
        return gauss
    width = 24 * WIND_TYPICAL_WINDOW_DAYS
    padded = np.pad(gauss, width // 2, mode="reflect")
    sums = np.cumsum(np.concatenate(([0.0], padded)))
    running = (sums[width:] - sums[:-width]) / width
    anomaly = gauss - running[: gauss.size]
    return (anomaly - anomaly.mean()) / anomaly.std()


def _power_curve(speed: np.ndarray) -> np.ndarray:
    """Generic IEC class-II turbine: cubic between cut-in and rated, flat to cut-out."""
    partial = (speed**3 - CUT_IN**3) / (RATED**3 - CUT_IN**3)
    return np.where(speed >= CUT_OUT, 0.0, np.clip(partial, 0.0, 1.0))


def _regional_power_curve(speed: np.ndarray) -> np.ndarray:
    """Expected turbine output when farm speeds are N(v, (0.15 v)²) about the regional speed v.

    Closed form from the truncated moments of the normal distribution
    (M_j = integral of z^j phi(z) dz between the standardised bounds), so the regional curve is
    smooth, cut-out included, and the calibration sees a continuous mean.
    """
    sd = np.maximum(REGIONAL_SPEED_SPREAD * speed, 1e-12)

    def moments(lower: float, upper: float) -> tuple[np.ndarray, ...]:
        a, b = (lower - speed) / sd, (upper - speed) / sd
        pdf_a, pdf_b = np.exp(-0.5 * a * a), np.exp(-0.5 * b * b)
        pdf_a, pdf_b = pdf_a / np.sqrt(2 * np.pi), pdf_b / np.sqrt(2 * np.pi)
        m0 = special.ndtr(b) - special.ndtr(a)
        m1 = pdf_a - pdf_b
        m2 = m0 + a * pdf_a - b * pdf_b
        m3 = (a * a + 2.0) * pdf_a - (b * b + 2.0) * pdf_b
        return m0, m1, m2, m3

    # Cubic part: E[(V³ - cut-in³) 1{cut-in <= V < rated}] / (rated³ - cut-in³), V = v + sd Z.
    m0, m1, m2, m3 = moments(CUT_IN, RATED)
    cube = speed**3 * m0 + 3 * speed**2 * sd * m1 + 3 * speed * sd**2 * m2 + sd**3 * m3
    cubic = (cube - CUT_IN**3 * m0) / (RATED**3 - CUT_IN**3)
    rated = moments(RATED, CUT_OUT)[0]  # probability of running at rated power
    return np.clip(cubic + rated, 0.0, 1.0)


def _hydro(region: str, lat: float, lon: float, target_hours: float, seed: int) -> np.ndarray:
    kappa = HYDRO_KAPPA_SOUTHWEST if _in_box(lat, lon, SOUTHWEST_BOX) else HYDRO_KAPPA_OTHER
    day = np.arange(DAYS_PER_YEAR)
    noise = _ar1(_region_rng(seed, region, STREAM_HYDRO), DAYS_PER_YEAR, HYDRO_NOISE_PHI)
    daily = np.exp(
        kappa * np.cos(2 * np.pi * (day - DAY_MID_JULY) / DAYS_PER_YEAR)
        + HYDRO_NOISE_SD * noise
        - 0.5 * HYDRO_NOISE_SD**2
    )
    hourly = np.repeat(daily, 24)

    def profile(scale: float) -> np.ndarray:
        return np.minimum(1.0, scale * hourly)

    # At scale 2 / min the whole year sits at 1, so any target in (0, 8760] is reachable.
    return _calibrate(
        profile,
        (0.0, 2.0 / hourly.min()),
        target_hours,
        region=region,
        column="hydro_hours",
        what="full availability",
    )
