"""Spatial aggregation: the primary Dataset's regions (provinces) grouped into larger regions.

A scenario's ``spatial.aggregation`` names a mapping of the dataset's ``aggregations.csv``
(``aggregation, province, region, region_name, source``; or ``spatial.file``, a CSV of the same
columns): every region of the dataset in exactly one aggregated region. :func:`aggregate` is a plain
function of the primary Dataset (after the scenario's overrides, before :func:`derive
<synergy_models.data.loader.derive>`), so the model, the time reduction and everything downstream
see an ordinary, smaller Dataset. The rules, as PyPSA-Eur's clustering:

- extensive quantities (demand, capacities, build limits, compute and hydrogen shares, the bounds
  on a region's trade, ``send_out_limit``, ``receipt_limit`` and their gross forms: a member
  without one, ``inf``, leaves the region without one) are summed;
- rates and prices are demand-weighted (growth, coal price, shares of demand); technology figures
  are weighted by that technology's capacity (full-load hours, utilisation, the coal price
  difference by coal, CHP shares by coal and gas); the existing data-centre fleet's figures by its
  IT capacity;
- hourly profiles: load demand-weighted, wind, solar and hydro capacity-weighted, so each
  aggregated region's annual energy equals the sum of its members' for the existing fleet;
- site attributes that cannot be averaged (the data-centre site's PUE and costs, heating season,
  coordinates, latency) are those of the region's *representative member*: the member with the
  most existing data-centre capacity, else the most demand;
- lines: lines inside an aggregated region are dropped; parallel lines (the same pair of regions,
  the same first year in service, and the same contract direction, or none) are merged: capacity,
  build limits, contracts and investment summed, length and tariff capacity-weighted, the schedule
  floor contract-weighted.

:func:`aggregation_error` reports what the grouping loses, as the time reduction's RMSE does.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr

from synergy_models.errors import InputError, Problem, ProblemCollector

#: The mapping file of a dataset.
MAPPING_FILE = "aggregations.csv"
#: Its columns (``source`` says why a province sits in its region).
MAPPING_COLUMNS = ("aggregation", "province", "region", "region_name", "source")
#: The aggregation that keeps every region of the dataset (no file needed).
IDENTITY = "none"

#: Region variables summed over the members (extensive quantities).
SUMMED = frozenset({
    "demand_base", "capacity_existing", "max_new_capacity", "max_build_rate", "supply_potential",
    "dc_capacity_existing", "demand_share", "max_new_dc", "site_capacity", "h2_demand_share",
    "electrolyser_existing", "fuel_cell_existing", "max_new_electrolyser", "max_new_fuel_cell",
    # a region's net trade is its members' (lines between them cancel): their bounds add up
    "send_out_limit", "receipt_limit",
    # gross sums lose the lines between members, so the members' sum bounds them (loosely)
    "gross_send_out_limit", "gross_receipt_limit",
})
#: Region variables weighted by a technology's existing capacity (variable -> tech).
BY_CAPACITY = {
    "wind_hours": "wind", "wind_utilisation": "wind", "solar_hours": "solar",
    "solar_utilisation": "solar", "hydro_hours": "hydro", "coal_price_difference": "coal",
    "chp_share": "coal", "chp_share_gas": "gas", "wind_cf": "wind", "solar_cf": "solar",
    "hydro_cf": "hydro",
}
#: Region variables weighted by the existing data-centre IT capacity.
BY_DC_CAPACITY = frozenset({"pue_existing", "utilisation_max"})
#: Region variables of the representative member (site attributes).
REPRESENTATIVE = frozenset({
    "pue", "tariff_adder", "water_cost", "land_cost", "heating_start", "heating_end", "lat", "lon",
    "t_jan", "t_jul", "location", "climate", "site_cost", "supply_capex_adder",
})
#: Other region variables are demand-weighted (growth, coal price, shares of demand, load profile).


@dataclass(frozen=True)
class SpatialMapping:
    """A checked mapping: each dataset region's aggregated region, and the regions' names."""

    name: str
    region_of: dict[str, str]
    region_name: dict[str, str]

    @property
    def regions(self) -> list[str]:
        """Aggregated regions in the order of their first member."""
        return list(dict.fromkeys(self.region_of.values()))


def identity_mapping(regions: list[str], names: list[str] | None = None) -> SpatialMapping:
    """Each region its own (the default)."""
    names = names or regions
    return SpatialMapping(IDENTITY, {r: r for r in regions}, dict(zip(regions, names, strict=True)))


def read_mapping(path: Path, name: str, regions: list[str]) -> SpatialMapping:
    """The mapping ``name`` of ``path`` (columns :data:`MAPPING_COLUMNS`) over the dataset's
    ``regions``: every region exactly once, else an error naming file, row and column."""
    problems = ProblemCollector()
    if not path.is_file():
        raise InputError(Problem(str(path), "no aggregation mapping file", column="spatial",
                                 expected=f"a CSV with columns {', '.join(MAPPING_COLUMNS)}"))
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = [c for c in MAPPING_COLUMNS[:3] if c not in (reader.fieldnames or [])]
        if missing:
            raise InputError(Problem(str(path), f"missing column(s) {', '.join(missing)}", row=1,
                                     expected=f"columns {', '.join(MAPPING_COLUMNS)}"))
        rows = [(i, r) for i, r in enumerate(reader, start=2)]
    known = sorted({(r["aggregation"] or "").strip() for _, r in rows})
    if name not in known:
        raise InputError(Problem(str(path), f"no aggregation named '{name}'", column="aggregation",
                                 value=name, expected="one of " + ", ".join(known)))
    region_of: dict[str, str] = {}
    region_name: dict[str, str] = {}
    for row, r in rows:
        if (r["aggregation"] or "").strip() != name:
            continue
        province, region = (r["province"] or "").strip(), (r["region"] or "").strip()
        if province not in regions:
            problems.add(str(path), f"'{province}' is not a region of the dataset", row=row,
                         column="province", value=province,
                         expected="one of " + ", ".join(regions))
        elif province in region_of:
            problems.add(str(path), f"'{province}' is mapped twice in '{name}'", row=row,
                         column="province", value=province, expected="each province once")
        if not region:
            problems.add(str(path), f"'{province}' has no region", row=row, column="region",
                         expected="the aggregated region's id")
        region_of.setdefault(province, region)
        region_name.setdefault(region, (r.get("region_name") or region).strip() or region)
    absent = [p for p in regions if p not in region_of]
    if absent:
        problems.add(str(path), f"aggregation '{name}' leaves out {', '.join(absent)}",
                     column="province", value=", ".join(absent),
                     expected="every region of the dataset in one aggregated region")
    problems.raise_if_any()
    return SpatialMapping(name, {p: region_of[p] for p in regions}, region_name)


def _membership(mapping: SpatialMapping, regions: list[str]) -> np.ndarray:
    """(aggregated region, member) matrix of ones."""
    out = np.zeros((len(mapping.regions), len(regions)))
    index = {g: i for i, g in enumerate(mapping.regions)}
    for j, r in enumerate(regions):
        out[index[mapping.region_of[r]], j] = 1.0
    return out


def weighted_mean(values: np.ndarray, weights: np.ndarray, member: np.ndarray) -> np.ndarray:
    """Per aggregated region, the ``weights``-weighted mean of ``values`` (region first axis);
    the plain mean where a region's weights are all zero (e.g. no wind yet). The one rule for
    every province-to-region mean: the hub dataset's province table uses it too."""
    w = member * weights[None, :]                                   # (group, region)
    total = w.sum(axis=1, keepdims=True)
    w = np.where(total > 0, w / np.where(total > 0, total, 1.0),
                 member / member.sum(axis=1, keepdims=True))
    flat = values.reshape(values.shape[0], -1)
    infinite = np.isinf(flat)
    out = w @ np.where(infinite, 0.0, flat)
    # An infinite member value (no limit) makes the aggregate infinite where it weighs.
    out[(w > 0).astype(float) @ infinite.astype(float) > 0] = np.inf
    return out.reshape((w.shape[0], *values.shape[1:]))


def _sum(values: np.ndarray, member: np.ndarray) -> np.ndarray:
    """Per aggregated region, the sum of its members (an infinite member, no limit, makes it
    infinite; a matrix product would give 0 x inf = NaN for the others)."""
    flat = values.reshape(values.shape[0], -1)
    out = np.stack([flat[row > 0].sum(axis=0) for row in member])
    return out.reshape((member.shape[0], *values.shape[1:]))


def representatives(primary: xr.Dataset, mapping: SpatialMapping) -> dict[str, str]:
    """Each aggregated region's representative member: the most existing data-centre capacity,
    else the most demand (ties: the first in the dataset's order)."""
    regions = [str(r) for r in primary.region.values]
    dc = (primary.dc_capacity_existing.values if "dc_capacity_existing" in primary
          else np.zeros(len(regions)))
    demand = primary.demand_base.values
    out = {}
    for g in mapping.regions:
        members = [i for i, r in enumerate(regions) if mapping.region_of[r] == g]
        best = max(members, key=lambda i: (dc[i], demand[i], -i))
        out[g] = regions[best]
    return out


def _region_rule(name: str) -> str:
    if name in SUMMED:
        return "sum"
    if name in BY_CAPACITY:
        return "capacity"
    if name in BY_DC_CAPACITY:
        return "dc"
    if name in REPRESENTATIVE:
        return "representative"
    return "demand"


def aggregate(primary: xr.Dataset, mapping: SpatialMapping) -> xr.Dataset:
    """The primary Dataset with its regions grouped by ``mapping`` (rules: module docstring)."""
    regions = [str(r) for r in primary.region.values]
    if mapping.name == IDENTITY or all(mapping.region_of[r] == r for r in regions):
        return primary
    groups = mapping.regions
    member = _membership(mapping, regions)
    rep = representatives(primary, mapping)
    rep_index = [regions.index(rep[g]) for g in groups]
    demand = primary.demand_base.values
    capacity = primary.capacity_existing.transpose("region", "tech")
    dc = (primary.dc_capacity_existing.values if "dc_capacity_existing" in primary
          else np.zeros(len(regions)))

    out = primary.drop_dims([d for d in ("region", "origin", "line") if d in primary.dims])
    out = out.assign_coords(region=groups)
    if "origin" in primary.dims:
        out = out.assign_coords(origin=groups)
    for name, da in primary.data_vars.items():
        if "region" not in da.dims or name.startswith("line_"):
            continue
        if name == "latency":
            lat = da.transpose("origin", "region").values
            out[name] = xr.DataArray(lat[np.ix_(rep_index, rep_index)], dims=("origin", "region"),
                                     attrs=da.attrs)
            continue
        if name == "forecast_error":
            values = da.transpose("region", "forecast_source")
            cols = []
            for s in values.forecast_source.values:
                weight = (demand if s == "load" else capacity.sel(tech=str(s)).values
                          if str(s) in capacity.tech.values else demand)
                cols.append(weighted_mean(values.sel(forecast_source=s).values, weight, member))
            out[name] = xr.DataArray(np.stack(cols, axis=1), dims=values.dims,
                                     coords={"forecast_source": values.forecast_source.values},
                                     attrs=da.attrs)
            continue
        da = da.transpose("region", ...)
        values = da.values
        if values.dtype == object or values.dtype.kind in "USb":
            agg = _metadata(name, values, mapping, rep_index, regions)
        else:
            rule = _region_rule(name)
            if rule == "sum":
                agg = _sum(values, member)
            elif rule == "representative":
                agg = values[rep_index]
            else:
                weight = {"capacity": capacity.sel(tech=BY_CAPACITY.get(name, "coal")).values,
                          "dc": dc, "demand": demand}[rule]
                agg = weighted_mean(values, weight, member)
        out[name] = xr.DataArray(agg, dims=da.dims, attrs=da.attrs)
    if "line" in primary.dims:
        out = out.merge(aggregate_lines(primary, mapping))
    out.attrs = {**primary.attrs, "spatial_aggregation": mapping.name,
                 "spatial_members": "; ".join(
                     f"{g}: {', '.join(r for r in regions if mapping.region_of[r] == g)}"
                     for g in groups)}
    return out


def _metadata(name: str, values: np.ndarray, mapping: SpatialMapping, rep_index: list[int],
              regions: list[str]) -> np.ndarray:
    groups = mapping.regions
    if name == "region_name":
        return np.array([mapping.region_name[g] for g in groups], dtype=object)
    if name in ("provinces", "region_name_zh"):
        sep = "; " if name == "provinces" else "、"
        return np.array([sep.join(str(values[j]) for j, r in enumerate(regions)
                                  if mapping.region_of[r] == g) for g in groups], dtype=object)
    if name == "hub":  # members of one hub keep it; a region across hubs is its own
        out = []
        for g in groups:
            seen = {str(values[j]) for j, r in enumerate(regions) if mapping.region_of[r] == g}
            out.append(seen.pop() if len(seen) == 1 else g)
        return np.array(out, dtype=object)
    if name in ("role_in_programme", "grid_region"):
        # One value where the members agree; else the representative member's.
        out = []
        for g, k in zip(groups, rep_index, strict=True):
            seen = {str(values[j]) for j, r in enumerate(regions) if mapping.region_of[r] == g}
            out.append(seen.pop() if len(seen) == 1 else str(values[k]))
        return np.array(out, dtype=values.dtype if values.dtype != object else object)
    return values[rep_index]


def aggregate_lines(primary: xr.Dataset, mapping: SpatialMapping) -> xr.Dataset:
    """Lines between aggregated regions: internal lines dropped, parallel ones merged (module
    docstring). A single line keeps its id; a merged group is named ``FROM-TO`` (with its first
    year in service where the pair has several groups)."""
    def end(r: str) -> str:
        return mapping.region_of.get(r, r)  # an external region stays itself

    ids = [str(x) for x in primary.line.values]
    frm = [end(str(x)) for x in primary.line_from.values]
    to = [end(str(x)) for x in primary.line_to.values]
    contract = (primary.line_contracted_energy.fillna(0.0).values
                if "line_contracted_energy" in primary else np.zeros(len(ids)))
    in_service = primary.line_in_service.values
    groups: dict[tuple, list[tuple[int, bool]]] = {}
    for i in range(len(ids)):
        if frm[i] == to[i]:
            continue                                                   # internal: dropped
        pair = tuple(sorted((frm[i], to[i])))
        direction = (frm[i], to[i]) if contract[i] > 0 else None
        year = "candidate" if np.isnan(in_service[i]) else int(in_service[i])
        groups.setdefault((pair, year, direction), []).append(i)
    keys = list(groups)
    per_pair: dict[tuple, int] = {}
    for pair, _, _ in keys:
        per_pair[pair] = per_pair.get(pair, 0) + 1
    new_ids, taken = [], set(ids)
    oriented: list[list[tuple[int, float]]] = []
    for key in keys:
        members = groups[key]
        first = members[0]
        head = (frm[first], to[first])
        oriented.append([(i, 1.0 if (frm[i], to[i]) == head else -1.0) for i in members])
        if len(members) == 1:
            new_ids.append(ids[first])
            continue
        pair, year, direction = key
        base = f"{head[0]}-{head[1]}" + (f"-{year}" if per_pair[pair] > 1 else "")
        if direction is not None and per_pair[pair] > 1:
            base += "-contract"
        while base in taken:
            base += "+"
        taken.add(base)
        new_ids.append(base)

    def pick(name: str) -> np.ndarray:
        return primary[name].values

    cap = pick("line_capacity")
    out: dict[str, tuple[np.ndarray, dict]] = {}
    for name, da in primary.data_vars.items():
        if da.dims != ("line",):
            continue
        values = da.values
        col = []
        for members in oriented:
            idx = [i for i, _ in members]
            sign = np.array([s for _, s in members])
            v = values[idx]
            if name == "line_from":
                col.append(frm[idx[0]])
            elif name == "line_to":
                col.append(to[idx[0]])
            elif name == "line_name":
                col.append(" + ".join(map(str, v)))
            elif name == "line_kind":
                col.append("/".join(sorted({str(x) for x in v})))
            elif values.dtype == object or values.dtype.kind in "US":
                col.append(v[0])
            elif values.dtype.kind == "b":
                col.append(bool(v.any()))
            elif name in ("line_capacity", "line_max_new", "line_investment",
                          "line_contracted_energy"):
                col.append(float(np.sum(v)))
            elif name == "line_scheduled_energy":
                col.append(float(np.sum(np.nan_to_num(v) * sign)))           # signed from -> to
            elif name == "line_in_service":
                col.append(float(v[0]))
            elif name == "line_calibration_in_service":                 # the earliest member's
                col.append(float(np.nanmin(v)) if not np.all(np.isnan(v)) else float("nan"))
            elif name == "line_schedule_floor":
                col.append(_line_mean(v, contract[idx]))
            else:                                                   # length, tariff: capacity
                col.append(_line_mean(v, cap[idx]))
        dtype = object if values.dtype == object or values.dtype.kind in "US" else values.dtype
        out[name] = (np.array(col, dtype=dtype), da.attrs)
    return xr.Dataset({k: xr.DataArray(v, dims="line", attrs=a) for k, (v, a) in out.items()},
                      coords={"line": new_ids})


def _line_mean(values: np.ndarray, weights: np.ndarray) -> float:
    if np.all(np.isnan(values)):
        return float("nan")
    values = np.asarray(values, dtype=float)
    ok = ~np.isnan(values)
    w = np.where(ok, weights, 0.0)
    return (float((values[ok] * w[ok]).sum() / w.sum()) if w.sum() > 0
            else float(values[ok].mean()))


def aggregation_error(primary: xr.Dataset, aggregated: xr.Dataset, mapping: SpatialMapping
                      ) -> xr.Dataset:
    """What the grouping loses, per aggregated region (as ``reduction_rmse`` for time):

    - ``aggregation_rmse`` (profile, region): the weighted RMSE of the members' hourly profiles
      around the aggregated one (weights: the members' demand for load, capacity for wind, solar,
      hydro), in capacity-factor units: the spread a single profile no longer shows;
    - ``aggregation_internal_lines`` (region): capacity of the lines inside the region, dropped
      (their flows become free);
    - ``aggregation_members`` (region): how many dataset regions it holds;
    - ``aggregation_components`` (region): how many groups of members lines join (1: connected;
      more: the region lets power flow between members the dataset does not connect).

    Totals the rules keep exactly (demand, capacity, annual energy of the existing fleet) are
    checked by tests rather than reported.
    """
    regions = [str(r) for r in primary.region.values]
    groups = [str(g) for g in aggregated.region.values]
    profiles = [v for v in ("load_profile", "wind_cf", "solar_cf", "hydro_cf") if v in primary]
    rmse = np.zeros((len(profiles), len(groups)))
    for k, v in enumerate(profiles):
        weight = (primary.demand_base.values if v == "load_profile" else
                  primary.capacity_existing.sel(tech=BY_CAPACITY[v]).values)
        for gi, g in enumerate(groups):
            idx = [j for j, r in enumerate(regions) if mapping.region_of[r] == g]
            w = weight[idx]
            w = w / w.sum() if w.sum() > 0 else np.full(len(idx), 1 / len(idx))
            member = primary[v].sel(region=[regions[j] for j in idx]).transpose(
                "region", "time").values
            diff = member - aggregated[v].sel(region=g).values[None, :]
            rmse[k, gi] = float(np.sqrt((w[:, None] * diff**2).mean(axis=1).sum()))
    internal = np.zeros(len(groups))
    if "line" in primary.dims:
        for f, t, c in zip(primary.line_from.values, primary.line_to.values,
                           primary.line_capacity.values, strict=True):
            a, b = mapping.region_of.get(str(f), str(f)), mapping.region_of.get(str(t), str(t))
            if a == b and a in groups:
                internal[groups.index(a)] += float(c)
    members = [sum(1 for r in regions if mapping.region_of[r] == g) for g in groups]
    components = _components(primary, mapping, groups)
    coords = {"profile": profiles, "region": groups}
    return xr.Dataset({
        "aggregation_rmse": xr.DataArray(rmse, dims=("profile", "region"), coords=coords, attrs={
            "units": "1", "long_name": "weighted RMSE of the members' hourly profiles around the "
            "aggregated region's profile", "role": "reference"}),
        "aggregation_internal_lines": xr.DataArray(internal, dims="region", coords={
            "region": groups}, attrs={"units": "GW", "long_name": "capacity of the lines inside "
            "the aggregated region (dropped)", "role": "reference"}),
        "aggregation_members": xr.DataArray(members, dims="region", coords={"region": groups},
                                            attrs={"units": "", "long_name": "dataset regions in "
                                                   "the aggregated region", "role": "metadata"}),
        "aggregation_components": xr.DataArray(components, dims="region", coords={
            "region": groups}, attrs={"units": "", "long_name": "groups of members joined by "
            "lines inside the region (above 1: the region joins members no line joins)",
            "role": "reference"}),
    })


def _components(primary: xr.Dataset, mapping: SpatialMapping, groups: list[str]) -> list[int]:
    """Per aggregated region, how many connected groups its members form over the lines between
    them: a region of members no line joins lets power flow where the dataset has no line."""
    parent = {str(r): str(r) for r in primary.region.values}

    def root(r: str) -> str:
        while parent[r] != r:
            r = parent[r]
        return r

    if "line" in primary.dims:
        for f, t in zip(map(str, primary.line_from.values), map(str, primary.line_to.values),
                        strict=True):
            if f in parent and t in parent and mapping.region_of[f] == mapping.region_of[t]:
                parent[root(f)] = root(t)
    return [len({root(r) for r in parent if mapping.region_of[r] == g}) for g in groups]


def group_regions(values: xr.DataArray, region_of: Mapping[str, str],
                  weights: xr.DataArray | None = None) -> xr.DataArray:
    """``values`` over ``region`` grouped by ``region_of`` (region -> group): summed, or the
    ``weights``-weighted mean (prices by demand). Regions absent from ``region_of`` keep their
    own name."""
    labels = [region_of.get(str(r), str(r)) for r in values.region.values]
    order = list(dict.fromkeys(labels))
    key = xr.DataArray(labels, dims="region", coords={"region": values.region.values})
    if weights is None:
        out = values.groupby(key.rename("group")).sum("region")
    else:
        w = weights.broadcast_like(values).fillna(0.0)
        num = (values * w).groupby(key.rename("group")).sum("region")
        den = w.groupby(key.rename("group")).sum("region")
        out = num / den.where(den > 0)
    return out.rename(group="region").sel(region=order).assign_attrs(values.attrs)
