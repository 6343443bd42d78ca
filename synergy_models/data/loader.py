"""Scenario -> inputs ``xarray.Dataset``: the only place that turns files into model inputs.

The steps, each a plain function of plain data:

1. :func:`synergy_models.data.tables.read_tables` reads and checks the dataset's files;
2. :func:`build_primary` aggregates provinces to hubs and assembles the *primary* Dataset (the
   numbers as the dataset gives them, in model units, one variable per parameter);
3. :func:`synergy_models.data.overrides.apply_overrides` applies the scenario's parameter overrides;
   then :func:`synergy_models.data.aggregation.aggregate` groups the regions by the scenario's
   ``spatial`` mapping (none by default; docs/data.md, Spatial aggregation);
4. :func:`derive` builds what the model reads: values per modelled year (demand growth, cost
   interpolation), line losses and costs, peak loads;
5. :func:`synergy_models.data.timeseries.reduce_time` picks representative days or keeps the year.

Every variable carries ``units``, ``long_name`` and a ``role``: ``parameter`` (an input of the model,
can be overridden), ``reference`` (reported figures kept for calibration checks), ``profile``
(hourly shapes) or ``metadata`` (names and labels).
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

import synergy_models
from synergy_models.data import schema
from synergy_models.data.aggregation import (
    IDENTITY,
    MAPPING_FILE,
    SpatialMapping,
    aggregate,
    aggregation_error,
    identity_mapping,
    read_mapping,
    weighted_mean,
)
from synergy_models.data.options import ModelOptions
from synergy_models.data.overrides import apply_overrides, assumed_units
from synergy_models.data.tables import Tables, check_profiles, read_forecast_errors, read_tables
from synergy_models.data.timeseries import reduce_time
from synergy_models.errors import InputError, Problem, ProblemCollector
from synergy_models.gather import Gathered
from synergy_models.scenario import MODEL_YEARS, Scenario, data_dir, load_scenario

PROVINCES = schema.PROVINCES.file


def _da(values: Any, dims: tuple[str, ...], coords: dict[str, Any], unit: str, long_name: str,
        role: str = "parameter", **attrs: Any) -> xr.DataArray:
    attrs = {k: v for k, v in attrs.items() if not (isinstance(v, float) and np.isinf(v))}
    return xr.DataArray(
        np.asarray(values), dims=dims, coords={d: coords[d] for d in dims},
        attrs={"units": unit, "long_name": long_name, "role": role, **attrs},
    )


def _weighted(values: np.ndarray, weights: np.ndarray) -> float:
    """Weighted mean of one hub's provinces (:func:`weighted_mean`'s rule)."""
    return float(weighted_mean(values, weights, np.ones((1, len(values))))[0])


def dataset_folder(name: str) -> Path:
    """The folder of a dataset named in a scenario (a name under the data folder, or a path)."""
    p = Path(name)
    return p if p.is_dir() else data_dir() / name


def build_primary(t: Tables) -> xr.Dataset:
    """Hub-level primary Dataset from validated tables (no profiles, no years)."""
    problems = ProblemCollector()
    regions = [r.region for r in t.regions]
    techs = list(schema.TECHS)
    coords: dict[str, Any] = {"region": regions, "tech": techs, "cost_year": list(schema.COST_YEARS),
                              "year": list(MODEL_YEARS)}

    def glob(param: str) -> float:
        return t.value(schema.PARAMETERS.file, None, param)

    gas_national = glob("national_capacity_gas") / (
        glob("national_capacity_gas") + glob("national_capacity_coal")
    )
    cap = np.zeros((len(regions), len(techs)))
    hub: dict[str, list[float]] = {k: [] for k in (
        "demand", "demand_growth", "coal_price", "wind_hours", "solar_hours", "hydro_hours",
        "wind_utilisation", "solar_utilisation")}
    ti = {tech: i for i, tech in enumerate(techs)}
    for ri, region in enumerate(t.regions):
        provs = region.provinces
        v = {p: {} for p in provs}
        for p in provs:
            def get(param: str, default: float | None = None, p: str = p) -> float:
                if t.has(PROVINCES, p, param):
                    return t.value(PROVINCES, p, param)
                return default if default is not None else t.value(PROVINCES, p, param)

            thermal = get("capacity_thermal")
            gas_share = get("gas_share_thermal", gas_national)
            hydro, phs = get("capacity_hydro"), get("capacity_pumped_hydro")
            if phs > hydro:
                row = next(n.row for n in t.numbers[PROVINCES]
                           if n.key == p and n.parameter == "capacity_pumped_hydro")
                problems.add(t.numbers[PROVINCES][0].file, f"{p}: pumped hydro exceeds hydro "
                             f"capacity ({phs:g} > {hydro:g} GW)", row=row, column="value",
                             expected="capacity_pumped_hydro <= capacity_hydro")
            v[p] = {
                "coal": thermal * (1 - gas_share), "gas": thermal * gas_share,
                "nuclear": get("capacity_nuclear"), "hydro": max(hydro - phs, 0.0),
                "wind": get("capacity_wind"), "solar": get("capacity_solar"),
                "battery": get("capacity_battery"), "pumped_hydro": phs,
                "demand": get("demand"), "demand_growth": get("demand_growth"),
                "coal_price": get("coal_price"),
                "wind_hours": get("wind_hours"), "solar_hours": get("solar_hours"),
                "hydro_hours": get("hydro_hours", glob("default_hydro_hours")),
                "wind_utilisation": get("wind_utilisation", glob("default_wind_utilisation")),
                "solar_utilisation": get("solar_utilisation", glob("default_solar_utilisation")),
            }
        for tech in techs:
            cap[ri, ti[tech]] = sum(v[p][tech] for p in provs)

        def arr(key: str, provs: list[str] = provs, v: dict = v) -> np.ndarray:
            return np.array([v[p][key] for p in provs])

        demand = arr("demand")
        hub["demand"].append(demand.sum())
        # Rates and prices are demand-weighted; hours and utilisation capacity-weighted.
        hub["demand_growth"].append(_weighted(arr("demand_growth"), demand))
        hub["coal_price"].append(_weighted(arr("coal_price"), demand))
        for tech in ("wind", "solar", "hydro"):
            hub[f"{tech}_hours"].append(_weighted(arr(f"{tech}_hours"), arr(tech)))
        for tech in ("wind", "solar"):
            hub[f"{tech}_utilisation"].append(_weighted(arr(f"{tech}_utilisation"), arr(tech)))
    problems.raise_if_any()

    ds = xr.Dataset(coords=coords)
    meta = {
        "region_name": ([r.name for r in t.regions], "hub name"),
        "region_name_zh": ([r.name_zh for r in t.regions], "hub name (Chinese)"),
        "role_in_programme": ([r.role for r in t.regions], "eastern demand hub or western hub"),
        # No grid region given: each hub its own, so any compute served away counts as exported.
        "grid_region": ([r.grid_region or r.region for r in t.regions],
                        "regional grid of the hub (compute served across grid regions is exported)"),
        "provinces": (["; ".join(r.provinces) for r in t.regions], "member provinces"),
        "location": ([r.location for r in t.regions], "representative city"),
        "climate": ([r.climate for r in t.regions], "climate of the representative city"),
    }
    for name, (values, long_name) in meta.items():
        ds[name] = _da(np.array(values, dtype=object), ("region",), coords, "", long_name, "metadata")
    for name, long_name, unit in (("lat", "latitude", "degree_north"),
                                  ("lon", "longitude", "degree_east"),
                                  ("t_jan", "mean January temperature", "degC"),
                                  ("t_jul", "mean July temperature", "degC")):
        ds[name] = _da([getattr(r, name) for r in t.regions], ("region",), coords, unit, long_name,
                       "reference")

    ds["demand_base"] = _da(hub["demand"], ("region",), coords, "GWh",
                            f"annual electricity demand in {t.meta.base_year}", valid_min=0.0)
    ds["demand_growth"] = _da(hub["demand_growth"], ("region",), coords, "1/year",
                              "compound annual growth of electricity demand",
                              valid_min=-0.5, valid_max=1.0)
    ds["pue"] = _da([t.value(schema.REGION_PARAMETERS.file, r, "pue") for r in regions],
                    ("region",), coords, "1", "PUE of new data centres (the existing fleet: "
                    "pue_existing)", valid_min=1.0, valid_max=3.0)
    ds["coal_price_difference"] = _da(
        [t.value(schema.REGION_PARAMETERS.file, r, "coal_price_difference") for r in regions],
        ("region",), coords, "MUSD/GWh", "hub's coal price minus the national coal fuel_cost "
        "(per unit of heat)")
    for name in ("chp_share", "chp_share_gas", "heating_start", "heating_end", "collector_share",
                 "collector_share_wind", "send_out_limit", "receipt_limit",
                 "gross_send_out_limit", "gross_receipt_limit"):
        spec = schema.REGION_PARAMETERS.params[name]
        ds[name] = _da([t.value(schema.REGION_PARAMETERS.file, r, name) for r in regions],
                       ("region",), coords, spec.unit, spec.description, valid_min=spec.low,
                       valid_max=spec.high)
    ds["capacity_existing"] = _da(cap, ("region", "tech"), coords, "GW",
                                  f"installed capacity in {t.meta.base_year}", valid_min=0.0)
    ds["coal_price"] = _da(hub["coal_price"], ("region",), coords, "MUSD/GWh",
                           "coal benchmark price (for checks)", "reference")
    for tech in ("wind", "solar", "hydro"):
        ds[f"{tech}_hours"] = _da(hub[f"{tech}_hours"], ("region",), coords, "h",
                                  f"reported {tech} full-load hours", "reference")
    for tech in ("wind", "solar"):
        ds[f"{tech}_utilisation"] = _da(hub[f"{tech}_utilisation"], ("region",), coords, "1",
                                        f"{tech} utilisation (1 - curtailment)", "reference")

    _add_technologies(ds, t, coords)
    _add_lines(ds, t)
    for param, spec in schema.PARAMETERS.params.items():
        if param.startswith(("national_capacity", "default_")):
            continue  # consumed above by the aggregation rules
        ds[param] = _da(glob(param), (), {}, spec.unit, spec.description,
                        valid_min=spec.low, valid_max=spec.high)
    _add_policy(ds, t, coords)
    if t.forecast_errors:
        add_forecast_errors(ds, t.forecast_errors)
    if t.has_compute:
        _add_compute(ds, t, coords)
    if t.has_hydrogen:
        _add_hydrogen(ds, t, coords)
    ds.attrs.update(dataset=t.meta.name, dataset_title=t.meta.title, base_year=t.meta.base_year,
                    profile_year=t.meta.profile_year, timezone=t.meta.timezone,
                    currency_per_usd="; ".join(f"{c.currency}={c.per_usd:g}" for c in t.currency))
    return ds


def _add_technologies(ds: xr.Dataset, t: Tables, coords: dict[str, Any]) -> None:
    file = schema.TECHNOLOGIES.file
    for param, spec in schema.TECHNOLOGIES.params.items():
        def one(tech: str, year: int | None = None, param: str = param,
                spec: schema.Param = spec) -> float:
            if spec.applies_to is not None and tech not in spec.applies_to:
                return schema.TECH_NOT_APPLICABLE[param]
            return t.value(file, tech, param, year)

        if spec.years:
            values = [[one(tech, y) for y in schema.COST_YEARS] for tech in schema.TECHS]
            dims: tuple[str, ...] = ("tech", "cost_year")
        else:
            values = [one(tech) for tech in schema.TECHS]
            dims = ("tech",)
        ds[param] = _da(values, dims, coords, spec.unit, spec.description,
                        valid_min=spec.low, valid_max=spec.high)
    file = schema.TRANSMISSION.file
    for param, spec in schema.TRANSMISSION.params.items():
        ds[f"line_{param}"] = _da(t.value(file, None, param), (), {}, spec.unit,
                                  "UHV corridors: " + spec.description,
                                  valid_min=spec.low, valid_max=spec.high)


def add_forecast_errors(ds: xr.Dataset, rows: list[schema.ForecastErrorRow]) -> None:
    """Day-ahead forecast errors (region, forecast_source) from checked rows (every hub and source
    once), and the AI forecasting lever at its default: no reduction."""
    sources = list(schema.FORECAST_SOURCES)
    coords = {"region": [str(r) for r in ds.region.values], "forecast_source": sources}
    sigma = {(row.region, row.source): row.error_sigma for row in rows}
    ds["forecast_error"] = _da(
        [[sigma[(r, s)] for s in sources] for r in coords["region"]], ("region", "forecast_source"),
        coords, "1", "standard deviation of the day-ahead forecast error: load as a share of load, "
        "wind and solar as a share of installed capacity", valid_min=0.0, valid_max=1.0)
    if "forecast_error_reduction" not in ds:
        ds["forecast_error_reduction"] = _da(
            np.zeros(len(sources)), ("forecast_source",), coords, "1",
            "share by which better (machine-learning) forecasting lowers each source's error",
            valid_min=0.0, valid_max=1.0)


def _add_policy(ds: xr.Dataset, t: Tables, coords: dict[str, Any]) -> None:
    """Policy levers with their defaults: the dataset's carbon price in every year, no carbon cap,
    no renewable-share target, and the dataset's build limits (none: unlimited)."""
    ds["carbon_price"] = ds.carbon_price.expand_dims(year=coords["year"]).copy().assign_attrs(
        ds.carbon_price.attrs, long_name="carbon price (added to variable costs)")
    n_years = len(coords["year"])
    ds["carbon_cap"] = _da(np.full(n_years, np.inf), ("year",), coords, "Mt",
                           "national CO2 cap for the hubs (inf: none)", valid_min=0.0)
    ds["renewable_share_min"] = _da(
        np.zeros((len(coords["region"]), n_years)), ("region", "year"), coords, "1",
        "minimum share of demand met by wind, solar and hydro in the hub", valid_min=0.0,
        valid_max=1.0)
    limits = [[t.value(schema.BUILD_LIMITS.file, r, f"max_new_{tech}") for tech in schema.TECHS]
              for r in coords["region"]]
    ds["max_new_capacity"] = _da(limits, ("region", "tech"), coords, "GW",
                                 "most new capacity over the horizon (inf: unlimited)",
                                 valid_min=0.0)
    # A line's own limit and tariff where it has them, else the corridors' defaults.
    ds["line_max_new"] = ds.line_max_new.fillna(float(ds.line_default_max_new)).assign_attrs(
        long_name="most new capacity on the line over the horizon (inf: unlimited)")
    ds["line_tariff"] = ds.line_tariff.fillna(float(ds.line_default_tariff)).assign_attrs(
        long_name="transmission tariff per unit of energy sent")
    ds["line_schedule_floor"] = ds.line_schedule_floor.fillna(
        float(ds.line_default_schedule_floor)).assign_attrs(
        long_name="least power a contracted line sends in any step, as a share of its "
        "contract's mean power")
    del ds["line_default_max_new"], ds["line_default_tariff"], ds["line_default_schedule_floor"]
    rates = [[t.value(schema.BUILD_LIMITS.file, r, f"max_build_rate_{tech}")
              for tech in schema.TECHS] for r in coords["region"]]
    ds["max_build_rate"] = _da(rates, ("region", "tech"), coords, "GW/year",
                               "most new capacity per year (inf: unlimited)", valid_min=0.0)
    tranches = range(1, schema.SUPPLY_TRANCHES + 1)
    file = schema.BUILD_LIMITS.file
    curve = {"tranche": list(tranches)}
    for name, unit, long_name in (
            ("supply_potential", "GW", "new capacity each resource tranche can hold (inf: no "
             "limit in the tranche; inf in every tranche: no supply curve)"),
            ("supply_capex_adder", "MUSD/GW", "investment added to capex in each resource tranche")):
        ds[name] = _da([[[t.value(file, r, f"{name}_{tech}_{j}") for j in tranches]
                         for tech in schema.TECHS] for r in coords["region"]],
                       ("region", "tech", "tranche"), coords | curve, unit, long_name,
                       valid_min=0.0)


def _add_compute(ds: xr.Dataset, t: Tables, coords: dict[str, Any]) -> None:
    """Data centres: compute demand by origin, serving options, bandwidth, green power, backup."""
    cfile, pfile = schema.COMPUTE.file, schema.COMPUTE_PARAMETERS.file
    regions = coords["region"]
    ds.coords["workload"] = list(schema.WORKLOADS)
    ds.coords["backup_tech"] = list(schema.BACKUP_TECHS)
    ds.coords["dc_year"] = [2024, 2030]
    ds.coords["origin"] = regions
    params = schema.COMPUTE_PARAMETERS.params

    def scalar(name: str) -> xr.DataArray:
        spec = params[name]
        return _da(t.value(pfile, None, name), (), {}, spec.unit, spec.description,
                   valid_min=spec.low, valid_max=spec.high)

    for name in ("hub_share", "pue_national", "training_flexibility", "latency_max_inference",
                 "fom_share_dc", "lifetime_dc", "bandwidth_per_it", "bandwidth_cost",
                 "flops_per_watt", "green_share_target", "certificate_price", "green_power_premium",
                 "green_export_max", "backup_ratio", "lifetime_backup"):
        ds[name] = scalar(name)
    spec = params["dc_electricity"]
    ds["dc_electricity"] = _da([t.value(pfile, None, "dc_electricity", y) for y in (2024, 2030)],
                               ("dc_year",), {"dc_year": [2024, 2030]}, spec.unit,
                               spec.description + " (compound growth between the years)",
                               valid_min=0.0)
    for name in ("inference_share", "capex_dc"):
        spec = params[name]
        ds[name] = _da([t.value(pfile, None, name, y) for y in schema.COST_YEARS], ("cost_year",),
                       coords, spec.unit, spec.description, valid_min=spec.low, valid_max=spec.high)
    ds["capex_backup"] = _da([t.value(pfile, None, f"capex_backup_{b}") for b in schema.BACKUP_TECHS],
                             ("backup_tech",), {"backup_tech": list(schema.BACKUP_TECHS)}, "MUSD/GW",
                             "backup power investment", valid_min=0.0)
    default_share = t.value(pfile, None, "grid_share_max")
    for name in ("dc_capacity_existing", "demand_share", "utilisation_max", "grid_share_max"):
        spec = schema.COMPUTE.params[name]
        values = [t.value(cfile, r, name) if t.has(cfile, r, name) else default_share
                  for r in regions]
        ds[name] = _da(values, ("region",), coords, spec.unit, spec.description,
                       valid_min=spec.low, valid_max=spec.high)
    # The existing fleet runs at its own PUE (model/compute.py, fleet PUE by vintage).
    spec = schema.COMPUTE.params["pue_existing"]
    fleet = [t.value(cfile, r, "pue_existing") if t.has(cfile, r, "pue_existing")
             else float(ds.pue.sel(region=r)) for r in regions]
    ds["pue_existing"] = _da(fleet, ("region",), coords, spec.unit, spec.description,
                             valid_min=spec.low, valid_max=spec.high)
    for name in ("tariff_adder", "water_cost", "land_cost", "max_new_dc"):
        spec = schema.COMPUTE.params[name]
        ds[name] = _da([t.value(cfile, r, name) for r in regions], ("region",), coords, spec.unit,
                       spec.description + (" (inf: unlimited)" if name == "max_new_dc" else ""),
                       valid_min=spec.low, valid_max=spec.high)
    ds.coords["site_tranche"] = list(schema.SITE_TRANCHES)
    for name, unit, long_name in (
            ("site_capacity", "GW", "new IT capacity of each site tranche (inf: unlimited)"),
            ("site_cost", "MUSD/GW/year", "annual site premium of each tranche per unit of IT "
             "capacity (supply curve of sites)")):
        values = [[t.value(cfile, r, f"{name}_{k}") for k in schema.SITE_TRANCHES] for r in regions]
        ds[name] = _da(values, ("region", "site_tranche"), {**coords, "site_tranche": list(
            schema.SITE_TRANCHES)}, unit, long_name, valid_min=0.0)
    latency = np.zeros((len(regions), len(regions)))
    for row in t.latency:
        latency[regions.index(row.origin), regions.index(row.destination)] = row.rtt_ms
    ds["latency"] = _da(latency, ("origin", "region"), {"origin": regions, "region": regions}, "ms",
                        "round-trip latency from the origin hub to the serving hub",
                        valid_min=0.0)
    ds["compute_export_max"] = _da(np.ones(len(regions)), ("region",), coords, "1",
                                   "most of a hub's compute demand that may be served elsewhere "
                                   "(0: it stays home)", valid_min=0.0, valid_max=1.0)
    ds["green_shortfall_cost"] = _da(
        0.1, (), {}, "MUSD/GWh", "cost of each MWh by which data centres miss the green share "
        "(100 USD/MWh: the target is met wherever it can be)", valid_min=0.0)


def _add_hydrogen(ds: xr.Dataset, t: Tables, coords: dict[str, Any]) -> None:
    """Hydrogen: national demand and its split over the hubs, electrolysers, fuel cells, storage,
    grey hydrogen and the hydrogen policy levers."""
    hfile, pfile = schema.HYDROGEN.file, schema.HYDROGEN_PARAMETERS.file
    regions = coords["region"]
    params = schema.HYDROGEN_PARAMETERS.params
    ds.coords["h2_year"] = list(schema.H2_YEARS)

    def scalar(name: str) -> xr.DataArray:
        spec = params[name]
        return _da(t.value(pfile, None, name), (), {}, spec.unit, spec.description,
                   valid_min=spec.low, valid_max=spec.high)

    for name in ("electrolyser_consumption", "electrolyser_fom_share", "electrolyser_lifetime",
                 "electrolyser_vom", "fuel_cell_yield", "fuel_cell_fom_share",
                 "fuel_cell_lifetime", "h2_storage_capex", "h2_storage_fom_share",
                 "h2_storage_lifetime", "h2_storage_inter_day", "grey_h2_cost",
                 "grey_h2_emission_factor",
                 "h2_backup_share", "fuel_cell_backup_hours", "h2_transport_cost"):
        ds[name] = scalar(name)
    ds["h2_transport_cost"].attrs["long_name"] += " (inf: no transport)"
    spec = params["h2_demand"]
    ds["h2_demand_national"] = _da(
        [t.value(pfile, None, "h2_demand", y) for y in schema.H2_YEARS], ("h2_year",),
        {"h2_year": list(schema.H2_YEARS)}, spec.unit,
        spec.description + " (compound growth between the years)", valid_min=0.0)
    for name in ("electrolyser_capex", "fuel_cell_capex"):
        spec = params[name]
        ds[name] = _da([t.value(pfile, None, name, y) for y in schema.COST_YEARS], ("cost_year",),
                       coords, spec.unit, spec.description, valid_min=spec.low, valid_max=spec.high)
    n_years = len(coords["year"])
    for name in ("green_h2_subsidy", "green_h2_min"):  # levers a scenario may set year by year
        spec = params[name]
        ds[name] = _da(np.full(n_years, t.value(pfile, None, name)), ("year",), coords, spec.unit,
                       spec.description, valid_min=spec.low, valid_max=spec.high)
    for name in ("h2_demand_share", "electrolyser_existing", "fuel_cell_existing"):
        spec = schema.HYDROGEN.params[name]
        ds[name] = _da([t.value(hfile, r, name) for r in regions], ("region",), coords, spec.unit,
                       spec.description, valid_min=spec.low, valid_max=spec.high)
    for unit, name in (("electrolyser", "electrolyser"), ("fuel_cell", "fuel-cell")):
        ds[f"max_new_{unit}"] = _da(np.full(len(regions), np.inf), ("region",), coords, "GW",
                                    f"most new {name} capacity over the horizon (inf: unlimited)",
                                    valid_min=0.0)


def _add_lines(ds: xr.Dataset, t: Tables) -> None:
    file = schema.LINE_PARAMETERS.file
    lines = [ln.line for ln in t.lines]
    coords = {"line": lines}
    ext = {e.region for e in t.external_regions}
    for name, values, long_name in (
        ("line_name", [ln.name for ln in t.lines], "corridor name"),
        ("line_from", [ln.from_ for ln in t.lines], "sending end (positive flow direction)"),
        ("line_to", [ln.to for ln in t.lines], "receiving end"),
        ("line_kind", [ln.kind for ln in t.lines], "dc or ac"),
        ("line_status", [ln.status for ln in t.lines], "existing, planned or candidate"),
    ):
        ds[name] = _da(np.array(values, dtype=object), ("line",), coords, "", long_name, "metadata")
    ds["line_external"] = _da([ln.to in ext or ln.from_ in ext for ln in t.lines], ("line",), coords,
                              "", "line to or from a region outside the hub set (fixed schedule)",
                              "metadata")
    ds["line_in_service"] = _da(
        [float(ln.in_service) if ln.in_service else np.nan for ln in t.lines], ("line",), coords,
        "year", "first year in service (NaN: candidate)", valid_min=1950.0, valid_max=2100.0)
    for param, spec in schema.LINE_PARAMETERS.params.items():
        values = [t.value(file, ln, param) if (t.has(file, ln, param) or spec.default is not None)
                  else np.nan for ln in lines]
        role = "reference" if param == "investment" else "parameter"
        ds[f"line_{param}"] = _da(values, ("line",), coords, spec.unit, spec.description, role,
                                  valid_min=spec.low, valid_max=spec.high)
    if t.external_regions:
        ds.coords["external_region"] = [e.region for e in t.external_regions]
        ds["external_region_name"] = xr.DataArray(
            np.array([e.name for e in t.external_regions], dtype=object), dims="external_region",
            attrs={"units": "", "long_name": "provinces outside the hub set", "role": "metadata"})


def load_profiles(folder: Path, regions: list[str], profile_year: int | None = None,
                  capacity: xr.DataArray | None = None) -> xr.Dataset:
    """The dataset's hourly profiles for ``regions``, checked (against the dataset's
    ``profile_year`` and, with ``capacity``, the existing capacity (region, tech): a hub with
    wind, solar or hydro capacity needs a profile that is not zero all year)."""
    path = folder / "profiles.nc"
    check_profiles(path, regions, profile_year)
    with xr.open_dataset(path) as f:
        prof = f[list(schema.PROFILE_VARIABLES)].sel(region=regions).load()
    if capacity is not None:
        problems = ProblemCollector()
        for tech in ("wind", "solar", "hydro"):
            var = f"{tech}_cf"
            for r in regions:
                gw = float(capacity.sel(region=r, tech=tech))
                if gw > 0 and not float(prof[var].sel(region=r).max()) > 0:
                    problems.add(path, f"'{var}' of '{r}' is zero in every hour, but the hub has "
                                 f"{gw:g} GW of {tech} capacity", column=var, value=0.0,
                                 expected=f"the hub's {tech} capacity factors (or no {tech} "
                                 "capacity in the tables)")
        problems.raise_if_any()
    for var in schema.PROFILE_VARIABLES:
        prof[var].attrs["role"] = "profile"
    return prof.astype("float64", keep_attrs=True)


def profile_sites(primary: xr.Dataset) -> pd.DataFrame:
    """What the profile generator calibrates to: location, climate and *available* full-load hours.

    Reported wind and solar hours are after curtailment; the profiles give what could have been
    produced, so their targets are the reported hours divided by the utilisation rate.
    """
    return pd.DataFrame({
        "lat": primary.lat.values, "lon": primary.lon.values,
        "wind_hours": (primary.wind_hours / primary.wind_utilisation).values,
        "solar_hours": (primary.solar_hours / primary.solar_utilisation).values,
        "hydro_hours": primary.hydro_hours.values,
        "t_jan": primary.t_jan.values, "t_jul": primary.t_jul.values,
    }, index=pd.Index([str(r) for r in primary.region.values], name="region"))


def regenerate_profiles(folder: Path, *, check_only: bool = False, rtol: float = 1e-6
                        ) -> tuple[bool, str]:
    """Generate ``profiles.nc`` from the dataset's tables; or, with ``check_only``, compare.

    Returns (whether the shipped file matched or was written, a message for the user).
    """
    from synergy_models.data.profiles import generate_profiles
    from synergy_models.io import write_netcdf

    tables = read_tables(folder)
    primary = build_primary(tables)
    profiles = generate_profiles(profile_sites(primary), year=tables.meta.profile_year)
    path = folder / "profiles.nc"
    if not check_only:
        encoding = {v: {"dtype": "float32", "zlib": True, "complevel": 4}
                    for v in schema.PROFILE_VARIABLES}
        write_netcdf(profiles, path, encoding=encoding)
        return True, f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)"
    check_profiles(path, list(profiles.region.values))
    with xr.open_dataset(path) as shipped:
        worst = max(
            float(np.max(np.abs(shipped[v].sel(region=profiles.region).values - profiles[v].values)))
            for v in schema.PROFILE_VARIABLES
        )
    # float32 storage rounds to ~6e-8 relative; anything larger means the file is stale.
    same = worst <= rtol * 10
    return same, (f"{path} matches the generator (max difference {worst:.1e})" if same else
                  f"{path} differs from the generator by up to {worst:.3g}: run `synergy profiles`")


def period_mean_growth(factor: xr.DataArray, weights: dict[int, float],
                       base_year: int) -> xr.DataArray:
    """Mean growth over the years each modelled year stands for: for year :math:`y` of weight
    :math:`w`, :math:`\\frac{1}{w} \\sum_{k=0}^{\\lceil w \\rceil - 1} c_k f^{y + k - y_0}` with
    :math:`c_k = 1` except the last, :math:`w - \\lceil w \\rceil + 1` (a part year).

    ``factor``: yearly growth factor :math:`f` (1 + rate), any dimensions; returns it with a
    ``year`` dimension.
    """
    means = []
    for y, w in weights.items():
        n = max(1, math.ceil(w))
        shares = [1.0] * (n - 1) + [w - (n - 1)]
        means.append(sum(c * factor ** (y + k - base_year) for k, c in enumerate(shares)) / w)
    years = list(weights)
    return xr.concat(means, dim=xr.DataArray(years, dims="year", coords={"year": years}))


def derive(primary: xr.Dataset, scenario: Scenario) -> xr.Dataset:
    """Values per modelled year and per line, from the (overridden) primary Dataset."""
    base_year = int(primary.attrs["base_year"])
    weights = scenario.year_weights
    years = list(weights)
    if years[0] <= base_year:
        raise InputError(Problem(scenario.source, f"model years must come after the dataset's base "
                                 f"year {base_year}", column="years", value=years[0],
                                 expected=f"years from {base_year + 1}"))
    ds = Gathered(primary.sel(year=years))
    ds["year_weight"] = xr.DataArray(list(weights.values()), dims="year", attrs={
        "units": "year", "long_name": "years each modelled year stands for", "role": "parameter"})

    # A modelled year stands for a period of w years: its demand is the period's mean, as its
    # capacity holds the period's mean share of the period's builds (model/power.py).
    growth = period_mean_growth(1 + ds.demand_growth, weights, base_year)
    base = ds.demand_base
    if "dc_electricity" in ds:
        # Reported consumption includes today's data centres, which the compute module models
        # itself: take them out, where their capacity is, before growing the rest.
        capacity_share = ds.dc_capacity_existing / ds.dc_capacity_existing.sum()
        in_hubs = float(ds.dc_electricity.sel(dc_year=base_year)) * float(ds.hub_share)
        ds["dc_electricity_base"] = (in_hubs * capacity_share).assign_attrs(
            units="GWh", long_name=f"data-centre electricity in {base_year}, by existing capacity "
            "(taken out of the reported demand)", role="reference")
        base = base - ds.dc_electricity_base
    ds["demand"] = (base * growth).assign_attrs(
        units="GWh", long_name="annual electricity demand other than data centres and "
        "electrolysers (which their modules add)", role="parameter")
    load = ds.demand / schema.HOURS_PER_YEAR * ds.load_profile  # GW (region, year, time)
    ds["peak_load"] = load.max("time").assign_attrs(
        units="GW", long_name="annual peak of the hub's hourly load (full-year profile)",
        role="parameter")
    system_peak_hour = load.sum("region").argmax("time")
    ds["peak_load_coincident"] = load.isel(time=system_peak_hour).drop_vars("time").assign_attrs(
        units="GW", long_name="hub's load in the hour of the hubs' joint annual peak",
        role="parameter")
    ds["storage_shave_hours"], ds["storage_net_peak"] = storage_shaving_curve(ds)

    # Costs: linear between cost years, constant outside them.
    clipped = np.clip(years, min(schema.COST_YEARS), max(schema.COST_YEARS))
    for var in ("capex", "capex_energy"):
        attrs = ds[var].attrs
        interp = ds[var].interp(cost_year=xr.DataArray(clipped, dims="year", coords={"year": years}))
        ds[var] = interp.drop_vars("cost_year").assign_attrs(attrs)
    if "dc_electricity" in ds:
        _derive_compute(ds, weights, clipped)
    if "h2_demand_national" in ds:
        _derive_hydrogen(ds, years, clipped)
    ds = Gathered(ds.dataset().drop_dims("cost_year"))

    # The hub's coal is the national (port) price plus its difference (mine-mouth in the west).
    fuel_cost = ds.fuel_cost + ds.coal_price_difference.where(ds.tech == "coal", 0.0)
    ds["fuel_cost_region"] = fuel_cost.transpose("region", "tech").assign_attrs(
        units="MUSD/GWh", long_name="fuel price per unit of heat in the hub", role="parameter")
    fuel = ds.fuel_cost_region / ds.efficiency
    ds["marginal_cost"] = (fuel + ds.vom).assign_attrs(
        units="MUSD/GWh", long_name="fuel and variable O&M cost per unit of electricity (no carbon)",
        role="parameter")
    ds["emission_intensity"] = (ds.emission_factor / ds.efficiency).assign_attrs(
        units="t/MWh", long_name="CO2 per unit of electricity", role="parameter")
    ds["storage_energy_existing"] = (ds.capacity_existing * ds.duration).assign_attrs(
        units="GWh", long_name="storage energy capacity in the base year", role="parameter")

    length_1000 = ds.line_length / 1000
    ds["line_loss"] = (ds.line_loss_fixed + ds.line_loss_per_1000km * length_1000).clip(
        max=0.5).assign_attrs(units="1", long_name="share of sent power lost on the line",
                              role="parameter")
    ds["line_capex"] = (ds.line_capex_fixed + ds.line_capex_length * ds.line_length).assign_attrs(
        units="MUSD/GW", long_name="investment per unit of new line capacity", role="parameter")
    in_service = ds.line_in_service.fillna(np.inf) <= ds.year
    ds["line_capacity_existing"] = ds.line_capacity.where(in_service, 0.0).assign_attrs(
        units="GW", long_name="line capacity in service", role="parameter")
    ds["line_schedule"] = (ds.line_scheduled_energy / schema.HOURS_PER_YEAR).assign_attrs(
        units="GW", long_name="fixed flow from -> to on lines with an external end (flat)",
        role="parameter")
    # A line with an external end sends or delivers its schedule from its first year in service.
    ds["line_schedule_share"] = in_service.astype(float).transpose("line", "year").assign_attrs(
        units="1", long_name="share of the year a line with an external end carries its schedule",
        role="parameter")
    return ds.dataset()


#: Points of the storage peak-shaving curve, as shares of the hub's net peak (storage_shave_*).
SHAVE_POINTS = (0.0, 0.02, 0.04, 0.06, 0.08, 0.10, 0.13, 0.16, 0.20, 0.25, 0.30)


def shaving_energy(load: np.ndarray, power: np.ndarray, hours_per_day: int = 24) -> np.ndarray:
    r"""Energy [GWh, for ``load`` in GW hourly over whole days] storage must hold to take each of
    ``power`` [GW] off the peak of ``load``, recharging each day:
    :math:`E(P) = \max_d \sum_{t \in d} \max(0, L_t - (\hat L - P))`. Convex in :math:`P` (a
    maximum of convex functions), so the model can bound it by its chords."""
    days = np.asarray(load, dtype=float).reshape(-1, hours_per_day)
    peak = float(days.max())
    return np.array([np.clip(days - (peak - p), 0.0, None).sum(axis=1).max()
                     for p in np.asarray(power, dtype=float)])


def storage_shaving_curve(ds: Gathered | xr.Dataset) -> tuple[xr.DataArray, xr.DataArray]:
    """Peak-shaving curve of each hub (:func:`shaving_energy`): the storage energy per GW of net
    peak [h] that takes :data:`SHAVE_POINTS` shares of the net peak off it; and each modelled
    year's net peak [GW]. Net load: the hub's load less the output of its base-year wind and
    solar fleet, whose midday output narrows the evening peak (later builds, which would narrow
    it more, are left out: a lower estimate of what storage can do). The curve's shape is the base year's
    (reported demand, ``demand_base``), scaled in the model to each modelled year's net peak: so
    a change of demand moves only right-hand sides and bounds, which a sweep patches into the
    held LP (the chords' slopes stay exactly the same)."""
    def net_load(demand: xr.DataArray) -> np.ndarray:
        load = (demand / schema.HOURS_PER_YEAR * ds.load_profile).transpose(..., "time")
        net = load.values.copy()
        for tech, var in (("wind", "wind_cf"), ("solar", "solar_cf")):
            if var in ds and tech in ds.tech.values:
                fleet = (ds.capacity_existing.sel(tech=tech) * ds[var]).transpose(
                    "region", "time").values
                net -= fleet[:, None, :] if net.ndim == 3 else fleet
        return net

    base = net_load(ds.demand_base)                                            # (region, time)
    years = net_load(ds.demand.transpose("region", "year"))               # (region, year, time)
    shares = np.array(SHAVE_POINTS)
    hours = np.zeros((base.shape[0], len(shares)))
    for i in range(base.shape[0]):
        peak0 = max(float(base[i].max()), 0.0)
        if peak0 > 0:
            hours[i] = shaving_energy(base[i], shares * peak0) / peak0   # GWh per GW of net peak
    coords = {"region": ds.region.values, "year": ds.year.values, "shave_point": shares}
    return (xr.DataArray(hours, dims=("region", "shave_point"), coords={
                k: coords[k] for k in ("region", "shave_point")}, attrs={
                "units": "h", "long_name": "storage energy per GW of net peak that takes the "
                "shave_point share of the net peak off it, recharging daily (base year's shape)",
                "role": "parameter"}),
            xr.DataArray(np.clip(years.max(axis=2), 0.0, None), dims=("region", "year"),
                         coords={k: coords[k] for k in ("region", "year")}, attrs={
                "units": "GW", "long_name": "peak of the hub's net load (load less its "
                "base-year wind and solar output)", "role": "parameter"}))


def _derive_compute(ds: Gathered, weights: dict[int, float], clipped: np.ndarray) -> None:
    """Compute demand per origin, workload and year (``weights``: the years each modelled year
    stands for); data-centre costs per year; route losses."""
    years = list(weights)
    e24, e30 = (float(ds.dc_electricity.sel(dc_year=y)) for y in (2024, 2030))
    factor = xr.DataArray((e30 / e24) ** (1 / 6))                  # yearly growth
    electricity = e24 * period_mean_growth(factor, weights, 2024)   # GWh, national
    at = xr.DataArray(clipped, dims="year", coords={"year": years})
    inference = ds.inference_share.interp(cost_year=at).drop_vars("cost_year")
    ds["inference_share"] = inference.assign_attrs(ds.inference_share.attrs)
    share = xr.concat([inference, 1 - inference], dim="workload").assign_coords(
        workload=list(schema.WORKLOADS))
    it_load = electricity * ds.hub_share / ds.pue_national / schema.HOURS_PER_YEAR  # GW of IT
    origin_share = ds.demand_share.rename(region="origin")
    ds["compute_demand"] = (it_load * origin_share * share).transpose(
        "origin", "workload", "year").assign_attrs(
        units="GW", long_name="average IT load of compute demand by origin hub and workload",
        role="parameter")
    capex = ds.capex_dc.interp(cost_year=at).drop_vars("cost_year")
    ds["capex_dc"] = capex.assign_attrs(units="MUSD/GW", long_name="data-centre investment per "
                                        "unit of IT capacity", role="parameter")
    ds["bandwidth_annual_cost"] = (ds.bandwidth_per_it * ds.bandwidth_cost).assign_attrs(
        units="MUSD/GW/year", long_name="long-haul bandwidth cost per unit of exported IT load",
        role="parameter")
    # Losses and distances if the same service pulled power over a UHV line instead.
    km = _route_km(ds)
    ds["route_length"] = xr.DataArray(km, dims=("origin", "region"), coords={
        "origin": ds.region.values, "region": ds.region.values}, attrs={
        "units": "km", "long_name": "great-circle distance x 1.2 between the hubs' cities",
        "role": "reference"})
    loss = float(ds.line_loss_fixed) + float(ds.line_loss_per_1000km) * km / 1000
    ds["route_loss"] = ds.route_length.copy(data=np.where(km > 0, loss, 0.0)).assign_attrs(
        units="1", long_name="UHV losses if the power were sent between the hubs instead",
        role="reference")


#: Route length over great-circle distance, as the dataset's corridor lengths (docs/data.md).
ROUTE_FACTOR = 1.2


def _route_km(ds: xr.Dataset | Gathered) -> np.ndarray:
    """Great-circle distance x :data:`ROUTE_FACTOR` between the hubs' cities (origin, region)."""
    lat, lon = np.radians(ds.lat.values), np.radians(ds.lon.values)
    dlat, dlon = lat[:, None] - lat[None, :], lon[:, None] - lon[None, :]
    hav = np.sin(dlat / 2) ** 2 + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin(dlon / 2) ** 2
    return 2 * 6371 * np.arcsin(np.sqrt(hav)) * ROUTE_FACTOR


def _derive_hydrogen(ds: Gathered, years: list[int], clipped: np.ndarray) -> None:
    """Hydrogen demand per hub and year; electrolyser and fuel-cell capex per year; routes."""
    y0, y1 = schema.H2_YEARS
    d0, d1 = (float(ds.h2_demand_national.sel(h2_year=y)) for y in schema.H2_YEARS)
    year = xr.DataArray(years, dims="year", coords={"year": years})
    national = d0 * (d1 / d0) ** ((year - y0) / (y1 - y0)) if d0 > 0 else year * 0.0 + d1
    ds["h2_demand"] = (national * ds.h2_demand_share).transpose("region", "year").assign_attrs(
        units="t/year", long_name="exogenous hydrogen demand of the hub (national x share)",
        role="parameter", valid_min=0.0)
    at = xr.DataArray(clipped, dims="year", coords={"year": years})
    for var in ("electrolyser_capex", "fuel_cell_capex"):
        attrs = ds[var].attrs
        ds[var] = ds[var].interp(cost_year=at).drop_vars("cost_year").assign_attrs(attrs)
    regions = ds.region.values
    ds["h2_route_length"] = xr.DataArray(
        _route_km(ds), dims=("h2_from", "h2_to"), coords={"h2_from": regions, "h2_to": regions},
        attrs={"units": "km", "long_name": "great-circle distance x 1.2 between the hubs' cities "
               "(hydrogen transport)", "role": "reference"})


def heating_season_share(ds: xr.Dataset) -> xr.DataArray:
    """Share of the calendar days each time step's period stands for that lie in the hub's heating
    season (region, time).

    A hub's season runs from day of year ``heating_start`` to ``heating_end``, both included, and
    wraps over the new year when the start comes after the end (Beijing: 319 to 74). The days a
    period stands for are those ``day_period`` assigns to it (one calendar day for the full year);
    the share is the same for every step of the period.
    """
    doy = pd.DatetimeIndex(ds["day"].values).dayofyear.values                      # (day,)
    start = np.rint(ds["heating_start"].values)[:, None]                              # (region, 1)
    end = np.rint(ds["heating_end"].values)[:, None]
    inside = np.where(start <= end, (doy >= start) & (doy <= end), (doy >= start) | (doy <= end))
    day_period = ds["day_period"].values.astype(int)
    periods = ds["period"].values.astype(int)
    n_periods = int(max(periods.max(), day_period.max())) + 1
    days = np.bincount(day_period, minlength=n_periods).astype(float)            # (period,)
    heating = np.stack([np.bincount(day_period, weights=row.astype(float), minlength=n_periods)
                        for row in inside])                                       # (region, period)
    share = np.divide(heating, days, out=np.zeros_like(heating), where=days > 0)[:, periods]
    return xr.DataArray(share, dims=("region", "time"),
                        coords={"region": ds["region"].values, "time": ds["time"].values},
                        attrs={"units": "1", "long_name": "share of the days each step stands for "
                               "in the hub's heating season (CHP must-run)", "role": "parameter"})


def inputs_hash(ds: xr.Dataset) -> str:
    """A SHA-256 of every variable's name, dims, values and units, and of every option that
    changes the model (:class:`~synergy_models.data.options.ModelOptions`): equal inputs, equal
    hash."""
    h = hashlib.sha256()
    h.update(ModelOptions.of(ds).hash_text().encode())
    for name in sorted(map(str, ds.variables)):
        da = ds[name]
        h.update(f"{name}|{da.dims}|{da.dtype}|{da.attrs.get('units', '')}".encode())
        values = da.values
        if values.dtype == object or values.dtype.kind in "US":
            h.update("\x1f".join(map(str, values.ravel())).encode())
        else:
            h.update(np.ascontiguousarray(values).tobytes())
    return h.hexdigest()


#: Primary Datasets already read in this process, by folder and the size and time of its files: the
#: cases of a sweep (and a report's notebook) load the same dataset again and again.
_PRIMARY: dict[tuple[str, tuple[tuple[str, int, int], ...]], tuple[xr.Dataset, Any]] = {}
_PRIMARY_KEEP = 4


def _signature(folder: Path) -> tuple[tuple[str, int, int], ...]:
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return tuple((str(p.relative_to(folder)), (st := p.stat()).st_size, st.st_mtime_ns) for p in files)


def read_primary(folder: Path) -> tuple[xr.Dataset, Any]:
    """The primary Dataset of a dataset folder, profiles included, and its unit registry.

    Read and checked once per process while the folder's files keep their size and time; each
    call gets its own deep copy.
    """
    key = (str(folder.resolve()), _signature(folder))
    hit = _PRIMARY.get(key)
    if hit is None:
        tables = read_tables(folder)
        primary = build_primary(tables)
        primary = primary.merge(load_profiles(folder, list(primary.region.values),
                                              int(primary.attrs["profile_year"]),
                                              primary.capacity_existing))
        hit = (primary, tables.ureg)
        while len(_PRIMARY) >= _PRIMARY_KEEP:
            _PRIMARY.pop(next(iter(_PRIMARY)))
        _PRIMARY[key] = hit
    return hit[0].copy(deep=True), hit[1]


def load_inputs(scenario: Scenario | str | Path, overrides: dict[str, Any] | None = None
                ) -> xr.Dataset:
    """Read, check, override, derive and reduce: the inputs Dataset of a scenario.

    ``scenario`` is a :class:`Scenario`, a scenario name (``"base"``) or a YAML path; ``overrides``
    are applied on top of it (see :func:`synergy_models.scenario.load_scenario`).
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario, overrides)
    elif overrides:
        raise ValueError("pass overrides with a scenario name or path, not with a Scenario")
    primary, ureg = read_primary(dataset_folder(scenario.dataset))
    if scenario.forecast_errors is not None:
        # The scenario's own errors (e.g. from ``synergy forecast``) replace the dataset's table.
        path = scenario.forecast_errors_path()
        add_forecast_errors(primary, read_forecast_errors(path, list(primary.region.values)))
    notes = assumed_units(primary, scenario.parameters)
    primary = apply_overrides(primary, scenario.parameters, ureg, scenario.origin)
    primary, kept_out = keep_out_later_lines(primary, scenario)
    primary["hub"] = _hubs(scenario, primary)
    mapping = spatial_mapping(scenario, primary)
    full, primary = primary, aggregate(primary, mapping)
    n_days = primary.sizes["time"] // 24  # check_profiles made it a whole number of days
    if scenario.time.resolution != "full_year" and scenario.time.days > n_days:
        raise InputError(Problem(
            scenario.origin("time.days", scenario.time.days),
            f"more representative days than the {n_days} days of the dataset's profiles",
            column="time.days", value=scenario.time.days, expected=f"at most {n_days}"))
    inputs = reduce_time(derive(primary, scenario), scenario.time)
    if "heating_start" in inputs:
        inputs["chp_must_run_share"] = heating_season_share(inputs)
    if mapping.name != IDENTITY:
        inputs = inputs.merge(aggregation_error(full, primary, mapping))
    inputs.attrs["spatial_aggregation"] = mapping.name
    inputs.attrs["spatial_members"] = primary.attrs.get("spatial_members", "")
    inputs.attrs.update(
        scenario=scenario.name, scenario_description=scenario.description,
        package_version=synergy_models.__version__,
        **ModelOptions(base_year=int(inputs.attrs["base_year"]),
                       time_resolution=inputs.attrs["time_resolution"],
                       hydro_budget=inputs.attrs["hydro_budget"],
                       reserve_scope=scenario.policy.reserve_scope,
                       green_matching=scenario.policy.green_matching,
                       training_relocation=scenario.policy.training_relocation,
                       operating_reserves="on" if scenario.policy.operating_reserves
                       else "off").attrs(),
    )
    if notes:
        inputs.attrs["assumed_units"] = "; ".join(notes)
    if scenario.calibration_year is not None:
        inputs.attrs["calibration_year"] = scenario.calibration_year
        inputs.attrs["calibration_lines_kept_out"] = " ".join(kept_out)
    inputs.attrs["inputs_hash"] = inputs_hash(inputs)
    return inputs


#: What a line kept out of a calibration loses: it is not in service, so it has no capacity, no
#: schedule to or from an external region and no contract (which its zero capacity could not meet).
KEPT_OUT_LINE_VARIABLES = ("line_capacity", "line_scheduled_energy", "line_contracted_energy")


def keep_out_later_lines(primary: xr.Dataset, scenario: Scenario) -> tuple[xr.Dataset, list[str]]:
    """``primary`` with the scenario's ``calibration_year`` applied, and the lines it kept out.

    A calibration solves a past year's system in the first model year (2025 for 2024's): lines
    first in service after the calibration year are kept out (:data:`KEPT_OUT_LINE_VARIABLES` set
    to 0, in every model year), except where the dataset counts a line in that year's calibration
    (``line_calibration_in_service`` at or before it, with the reason in its source row). The
    calibration year must be the dataset's base year: its demand and capacity are that year's, and
    lines existing then carry that year as their ``in_service``. Applied after the parameter
    overrides (``line_calibration_in_service`` can be overridden too) and before any spatial
    aggregation, so the lines are the dataset's own. Without a calibration year: ``primary``, [].
    """
    year = scenario.calibration_year
    if year is None:
        return primary, []
    base_year = int(primary.attrs["base_year"])
    if year != base_year:
        raise InputError(Problem(
            scenario.origin("calibration_year", year),
            f"a calibration is of the dataset's base year: '{primary.attrs.get('dataset')}' gives "
            f"{base_year}'s demand and capacity, and its lines existing then have {base_year} as "
            "their in_service year", column="calibration_year", value=year,
            expected=f"{base_year} (base_year in the dataset's dataset.yaml), or no "
            "calibration_year"))
    first = primary.line_in_service.values
    if "line_calibration_in_service" in primary:
        first = np.fmin(first, primary.line_calibration_in_service.values)   # NaN: no row
    out = first > year                                    # candidates (NaN) have nothing to keep out
    primary = primary.copy()
    for name in KEPT_OUT_LINE_VARIABLES:
        if name in primary:
            primary[name] = primary[name].copy(data=np.where(out, 0.0, primary[name].values))
    return primary, [str(ln) for ln in primary.line.values[out]]


#: The mapping of a dataset's aggregations.csv that groups its regions to the eight hubs.
HUBS_AGGREGATION = "hubs"


def _hubs(scenario: Scenario, primary: xr.Dataset) -> xr.DataArray:
    """Each dataset region's hub: the dataset's ``hubs`` aggregation where it has one, else the
    region itself (the hub dataset), so results can be seen by hub at any resolution."""
    regions = [str(r) for r in primary.region.values]
    path = dataset_folder(scenario.dataset) / MAPPING_FILE
    names = regions
    if path.is_file():
        with path.open(encoding="utf-8") as f:
            has_hubs = any(line.startswith(HUBS_AGGREGATION + ",") for line in f)
        if has_hubs:
            names = [read_mapping(path, HUBS_AGGREGATION, regions).region_of[r] for r in regions]
    return _da(np.array(names, dtype=object), ("region",), {"region": regions}, "",
               "hub the region belongs to (the rest of China: its grid region's rest)", "metadata")


def spatial_mapping(scenario: Scenario, primary: xr.Dataset) -> SpatialMapping:
    """The scenario's grouping of the dataset's regions (``spatial``): the identity by default, else
    a mapping of the dataset's ``aggregations.csv`` or of the scenario's ``spatial.file``."""
    regions = [str(r) for r in primary.region.values]
    name, path = scenario.spatial.aggregation, scenario.spatial_file_path()
    if name == IDENTITY and path is None:
        return identity_mapping(regions, [str(n) for n in primary.region_name.values])
    path = path or dataset_folder(scenario.dataset) / MAPPING_FILE
    return read_mapping(path, name, regions)


def unit_notes(scenario: Scenario) -> list[str]:
    """:func:`~synergy_models.data.overrides.assumed_units` of a scenario's overrides (the
    dataset read once per process)."""
    primary, _ = read_primary(dataset_folder(scenario.dataset))
    return assumed_units(primary, scenario.parameters)
