"""Charts of a results Dataset (schema: ``docs/results.md``) with altair; the only module importing it.

Every function takes a results Dataset (and options) and returns an altair chart with a title, axis
titles with units and tooltips. A technology has one colour (:data:`TECH_COLORS`) and a hub one
colour (:data:`HUB_COLORS`) in every chart; stacks follow :data:`TECH_ORDER` from the bottom.
Hourly series are aggregated before plotting (representative-day steps, zero rows dropped and
re-imputed in the chart) and data are embedded in the spec with altair's default data transformer,
so one chart's JSON stays small (see :func:`chart_size_bytes`) and draws offline.

The functions only reshape results for plotting: indicators belong in the results or elsewhere.
"""

from __future__ import annotations

import functools
import json
import re
import textwrap
import zlib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Literal, TypeAlias

import altair as alt
import numpy as np
import pandas as pd
import xarray as xr

from synergy_models.indicators import (
    HORIZON_ROW,
    HORIZON_TOTAL_ROW,
    demand_weighted_price,
    has_operating_reserves,
)
from synergy_models.io import replacing
from synergy_models.tidy import clean_noise
from synergy_models.units import GWH_PER_TWH, HOURS_PER_YEAR, USD_PER_USD_BN

AnyChart: TypeAlias = (alt.Chart | alt.LayerChart | alt.FacetChart | alt.HConcatChart
                       | alt.VConcatChart | alt.ConcatChart)

#: Stack order of technologies, bottom first (technologies not listed go on top, by name).
TECH_ORDER: tuple[str, ...] = ("nuclear", "coal", "gas", "hydro", "wind", "solar", "pumped_hydro",
                               "battery")
TECH_COLORS: dict[str, str] = {
    "nuclear": "#7b4fa0",
    "coal": "#4a4a4a",
    "gas": "#e8823a",
    "hydro": "#2c6fbb",
    "wind": "#5fb7a6",
    "solar": "#f2c530",
    "pumped_hydro": "#123f7a",
    "battery": "#d9569a",
}
#: Colours of the other series of the regional balance (dispatch charts).
BALANCE_COLORS: dict[str, str] = {
    "net import": "#a6a6a6",
    "scheduled exchange": "#c7b98f",
    "unserved": "#d62728",
}
#: Names of the balance terms shown in dispatch charts (others are drawn separately or skipped).
BALANCE_TERMS: dict[str, str] = {
    "transmission.net_import": "net import",
    "policy.scheduled_export": "scheduled exchange",
    "power.unserved": "unserved",
}
_BALANCE_DRAWN_ELSEWHERE = {"power.generation_total", "storage.net_discharge", "power.demand",
                            "compute.electricity"}
HUB_ORDER: tuple[str, ...] = ("BTH", "YRD", "GBA", "CY", "IM", "GZ", "GS", "NX")
#: Distinct enough for eight lines in one chart: no two closer than 38 in CIE Lab (ΔE*76, a test
#: checks 35); east saturated blue, orange, red, cyan; west green, brown, purple, olive.
HUB_COLORS: dict[str, str] = {
    "BTH": "#1f77b4",
    "YRD": "#ff7f0e",
    "GBA": "#d62728",
    "CY": "#17becf",
    "IM": "#2ca02c",
    "GZ": "#8c564b",
    "GS": "#9467bd",
    "NX": "#bcbd22",
}
#: Colours for technologies or hubs not listed above, picked by a hash of the name (stable).
FALLBACK_COLORS: tuple[str, ...] = ("#8cd17d", "#86bcb6", "#ff9d9a", "#fabfd2", "#d4a6c8", "#bab0ac",
                                    "#a0cbe8", "#ffbe7d", "#f1ce63", "#d7b5a6")
#: Days shown by :func:`dispatch_days` and :func:`price_profiles` when the results hold more periods
#: than this (e.g. the full year): the first week.
MAX_PERIODS = 16

_WIDTH = 560
_HEIGHT = 260


# --------------------------------------------------------------------------------------- helpers

def _color(name: str, table: Mapping[str, str]) -> str:
    return table.get(name) or FALLBACK_COLORS[zlib.crc32(name.encode()) % len(FALLBACK_COLORS)]


def _ordered(names: Iterable[str], order: Sequence[str]) -> list[str]:
    """``names`` (unique) in ``order``, unknown names after them sorted."""
    names = list(dict.fromkeys(str(n) for n in names))
    known = [n for n in order if n in names]
    return known + sorted(n for n in names if n not in order)


def _tech_scale(techs: Iterable[str]) -> alt.Scale:
    """Colour scale of the technologies (and balance series) present, in stack order."""
    domain = _ordered(techs, (*TECH_ORDER, *BALANCE_COLORS))
    return alt.Scale(domain=domain, range=[_color(t, {**TECH_COLORS, **BALANCE_COLORS}) for t in domain])


def _hub_scale(hubs: Iterable[str]) -> alt.Scale:
    domain = _ordered(hubs, HUB_ORDER)
    return alt.Scale(domain=domain, range=[_color(h, HUB_COLORS) for h in domain])


def _stack_order(domain: Sequence[str], field: str) -> str:
    """A Vega expression: the position of ``field`` in ``domain`` (for the ``order`` channel)."""
    return f"indexof({json.dumps(list(domain))}, datum.{field})"


def _hub_name_expr(names: Mapping[str, str] | None, field: str = "hub") -> str:
    """A Vega expression giving a hub's name (its id when no names are given)."""
    return f"({json.dumps(dict(names or {}))})[datum.{field}] || datum.{field}"


def hub_names(inputs: xr.Dataset) -> dict[str, str]:
    """Hub id -> name from an inputs Dataset (``region_name``)."""
    return {str(r): str(n) for r, n in zip(inputs.region.values, inputs.region_name.values, strict=True)}


def _title(text: str, results: xr.Dataset, *extra: str) -> alt.TitleParams:
    scenario = results.attrs.get("scenario", "")
    subtitle = [*extra, f"scenario: {scenario}"] if scenario else list(extra)
    return alt.TitleParams(text=text, subtitle=subtitle, anchor="start")


def _year(results: xr.Dataset, year: int | None) -> int:
    years = [int(y) for y in results.year.values]
    if year is None:
        return years[-1]
    if int(year) not in years:
        raise ValueError(f"year {year} is not modelled; the results have years {years}")
    return int(year)


def _region(results: xr.Dataset, region: str) -> str:
    regions = [str(r) for r in results.region.values]
    if region not in regions:
        raise ValueError(f"hub {region!r} is not in the results; hubs: {regions}")
    return region


def _require_compute(results: xr.Dataset) -> None:
    if "dc_capacity" not in results:
        raise ValueError("the results have no data-centre module (no 'dc_capacity'): compute charts "
                         "need results of a scenario with data centres")


def _frame(da: xr.DataArray, name: str, rename: Mapping[str, str] | None = None,
           drop_zeros: bool = True, decimals: int = 4) -> pd.DataFrame:
    """A DataArray as a long table (column ``name``), rounded, zero rows dropped."""
    df = da.rename(name).to_dataframe().reset_index()[[*da.dims, name]]
    df[name] = df[name].astype(float).round(decimals)
    if drop_zeros:
        df = df[df[name].notna() & (df[name] != 0)]
    df = df.rename(columns=dict(rename or {}))
    for col in df.columns:
        if df[col].dtype == object or df[col].dtype.kind == "U":
            df[col] = df[col].astype(str)
    return df.reset_index(drop=True)


def _steps(results: xr.Dataset, periods: Sequence[int] | None) -> tuple[pd.DataFrame, list[int], str]:
    """The time steps shown: ``time, period, x`` (hours from the start of the first day shown), the
    periods shown, and a subtitle line with the days each stands for."""
    period = results.period.values.astype(int)
    all_periods = list(dict.fromkeys(int(p) for p in period))
    if periods is None:
        periods = all_periods if len(all_periods) <= MAX_PERIODS else all_periods[:7]
    periods = [int(p) for p in periods]
    missing = sorted(set(periods) - set(all_periods))
    if missing:
        raise ValueError(f"periods {missing} are not in the results (0..{max(all_periods)})")
    pos = {p: i for i, p in enumerate(periods)}
    keep = np.isin(period, periods)
    steps = pd.DataFrame({"time": results.time.values[keep], "period": period[keep],
                          "hour": results.hour.values[keep].astype(int)})
    steps["x"] = steps.period.map(pos) * 24 + steps.hour
    days = (results.weight.groupby("period").sum() / 24).to_series()
    stands = ", ".join(f"day {p}: {days.loc[p]:.0f}" for p in periods)
    if results.attrs.get("time_resolution") == "full_year" or (
            len(all_periods) == 365 and float(days.max()) == 1):
        note = f"calendar days {periods[0]}–{periods[-1]} of the profiles"
    else:
        note = f"representative days; days of the year each stands for: {stands}"
    return steps, periods, note


def _day_axis(periods: Sequence[int], title: str = "representative day, hour of the day (h)") -> alt.Axis:
    """An x axis in hours over the days shown, labelled with the day at each midnight."""
    every = 6 if len(periods) <= 4 else 12 if len(periods) <= 10 else 24
    ticks = list(range(0, 24 * len(periods) + 1, every))
    label = (f"datum.value % 24 != 0 ? datum.value % 24 + 'h' : datum.value < {24 * len(periods)} ? "
             f"'day ' + {json.dumps(list(periods))}[floor(datum.value / 24)] : ''")
    return alt.Axis(title=title, values=ticks, labelExpr=label, grid=True)


def _day_hour(periods: Sequence[int]) -> dict[str, str]:
    """Vega expressions for the day and hour of a step from its ``x`` (not repeated in the data)."""
    return {"day": f"{json.dumps(list(periods))}[floor(datum.x / 24)]", "hour": "datum.x % 24"}


def _with_end(df: pd.DataFrame, n_days: int, keys: Sequence[str]) -> pd.DataFrame:
    """Close step lines: repeat each series' last step at the end of the last day."""
    last = df[df.x == df.x.max()].copy()
    if last.empty:
        return df
    last["x"] = 24 * n_days
    return pd.concat([df, last], ignore_index=True).sort_values([*keys, "x"]).reset_index(drop=True)


#: Invisible points on a line chart's steps: a line is one mark, so hovering it would show one
#: step's tooltip wherever the pointer is; each point shows its own.
_HOVER = alt.OverlayMarkDef(opacity=0, size=40)


def _zoom_x() -> alt.Parameter:
    """Zoom and pan along x (wheel, drag; double click resets) where a chart is drawn live."""
    return alt.selection_interval(bind="scales", encodings=["x"])


def _annual(series: xr.DataArray, weight: xr.DataArray) -> xr.DataArray:
    """GW over time steps -> TWh in the year (weights: hours each step stands for)."""
    return (series * weight).sum("time") / GWH_PER_TWH


# ------------------------------------------------------------------------------------ capacity

def capacity_by_hub(results: xr.Dataset, year: int | None = None,
                    names: Mapping[str, str] | None = None) -> AnyChart:
    """Stacked bars of capacity (GW) by technology per hub: one year, or one panel per year."""
    cap = results.capacity if year is None else results.capacity.sel(year=_year(results, year))
    df = _frame(cap, "capacity_gw", {"region": "hub"})
    if year is None:
        df["year"] = df.year.astype(int)
    scale = _tech_scale(results.tech.values)
    base = alt.Chart(df).mark_bar().transform_calculate(
        order=_stack_order(scale.domain, "tech"), hub_name=_hub_name_expr(names)).encode(
        x=alt.X("hub:N", sort=_ordered(results.region.values, HUB_ORDER), title="hub"),
        y=alt.Y("sum(capacity_gw):Q", title="capacity (GW)"),
        color=alt.Color("tech:N", scale=scale, title="technology"),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("hub_name:N", title="hub"), alt.Tooltip("tech:N", title="technology"),
                 *([alt.Tooltip("year:O", title="year")] if year is None else []),
                 alt.Tooltip("sum(capacity_gw):Q", title="capacity (GW)", format=",.2f")],
    )
    if year is not None:
        return base.properties(width=_WIDTH, height=_HEIGHT, title=_title(
            f"Capacity by hub and technology, {year}", results))
    return base.properties(width=max(160, 40 * results.sizes["region"]), height=_HEIGHT).facet(
        column=alt.Column("year:O", title="year"),
    ).properties(title=_title("Capacity by hub and technology", results, "one panel per modelled year"))


def capacity_build_out(results: xr.Dataset) -> AnyChart:
    """Stacked bars of total capacity (GW) by technology over the modelled years."""
    df = _frame(results.capacity.sum("region"), "capacity_gw")
    df["year"] = df.year.astype(int)
    scale = _tech_scale(results.tech.values)
    return alt.Chart(df).mark_bar().transform_calculate(order=_stack_order(scale.domain, "tech")).encode(
        x=alt.X("year:O", title="year"),
        y=alt.Y("capacity_gw:Q", title="capacity, all hubs (GW)"),
        color=alt.Color("tech:N", scale=scale, title="technology"),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("year:O"), alt.Tooltip("tech:N", title="technology"),
                 alt.Tooltip("capacity_gw:Q", title="capacity (GW)", format=",.2f")],
    ).properties(width=max(200, 70 * results.sizes["year"]), height=_HEIGHT,
                 title=_title("Capacity build-out, all hubs", results))


# ---------------------------------------------------------------------------------- generation

def generation_mix(results: xr.Dataset, names: Mapping[str, str] | None = None) -> AnyChart:
    """Annual generation (TWh) by technology per year: all hubs, and one panel per hub."""
    scale = _tech_scale(results.gen_tech.values)
    order = _stack_order(scale.domain, "tech")
    total = _frame(results.generation_annual.sum("region"), "generation_twh", {"gen_tech": "tech"})
    by_hub = _frame(results.generation_annual, "generation_twh", {"gen_tech": "tech", "region": "hub"})
    for df in (total, by_hub):
        df["year"] = df.year.astype(int)
    color = alt.Color("tech:N", scale=scale, title="technology")
    tip = [alt.Tooltip("year:O"), alt.Tooltip("tech:N", title="technology"),
           alt.Tooltip("generation_twh:Q", title="generation (TWh)", format=",.1f")]
    left = alt.Chart(total).mark_bar().transform_calculate(order=order).encode(
        x=alt.X("year:O", title="year"), y=alt.Y("generation_twh:Q", title="generation, all hubs (TWh)"),
        color=color, order=alt.Order("order:Q"), tooltip=tip,
    ).properties(width=max(150, 60 * results.sizes["year"]), height=_HEIGHT, title="All hubs")
    right = alt.Chart(by_hub).mark_bar().transform_calculate(
        order=order, hub_name=_hub_name_expr(names)).encode(
        x=alt.X("year:O", title="year"), y=alt.Y("generation_twh:Q", title="generation (TWh)"),
        color=color, order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("hub_name:N", title="hub"), *tip],
    ).properties(width=max(60, 24 * results.sizes["year"]), height=_HEIGHT).facet(
        column=alt.Column("hub:N", sort=_ordered(results.region.values, HUB_ORDER), title="by hub"))
    return alt.hconcat(left, right).properties(title=_title("Annual generation by technology", results))


def dispatch_days(results: xr.Dataset, region: str, year: int | None = None,
                  periods: Sequence[int] | None = None, names: Mapping[str, str] | None = None
                  ) -> AnyChart:
    """Stacked areas of a hub's supply over the representative days' steps (GW): generation by
    technology, storage discharge (+) and charge (−), net imports and unserved demand; lines of the
    demand, and of the demand with the data centres' electricity when the results have them."""
    region, year = _region(results, region), _year(results, year)
    steps, periods, note = _steps(results, periods)
    r = results.sel(region=region, year=year, time=steps.time.values)
    parts = [_frame(r.generation, "gw", {"gen_tech": "series"}, decimals=3).assign(kind="output")]
    if results.sizes.get("storage_tech", 0):
        parts.append(_frame(r.storage_discharge, "gw", {"storage_tech": "series"}, decimals=3)
                     .assign(kind="output"))
        parts.append(_frame(-r.storage_charge, "gw", {"storage_tech": "series"}, decimals=3)
                     .assign(kind="charge"))
    if "balance" in results:
        for term in r.term.values:
            if str(term) in _BALANCE_DRAWN_ELSEWHERE:
                continue
            label = BALANCE_TERMS.get(str(term), str(term).split(".")[-1].replace("_", " "))
            parts.append(_frame(r.balance.sel(term=term, drop=True), "gw", decimals=3)
                         .assign(series=label, kind="output"))
    else:
        parts.append(_frame(r.unserved, "gw", decimals=3).assign(series="unserved", kind="output"))
    supply = pd.concat(parts, ignore_index=True).merge(steps, on="time")
    supply = _with_end(supply[["x", "series", "kind", "gw"]], len(periods),
                       ["series", "kind"])
    lines = [("demand", r.demand)]
    if "dc_electricity" in results:
        lines.append(("demand + data centres", r.demand + r.dc_electricity))
    demand = pd.concat([_frame(v, "gw", drop_zeros=False, decimals=3).assign(series=k) for k, v in lines])
    demand = _with_end(demand.merge(steps, on="time")[["x", "series", "gw"]],
                       len(periods), ["series"])

    scale = _tech_scale(supply.series.unique())
    x = alt.X("x:Q", axis=_day_axis(periods), scale=alt.Scale(domain=[0, 24 * len(periods)], nice=False))
    keyvals = sorted(supply.x.unique().tolist())
    stacked = alt.Chart(supply).transform_impute(
        impute="gw", key="x", keyvals=keyvals, groupby=["series", "kind"], value=0,
    ).transform_calculate(order=_stack_order(scale.domain, "series"), **_day_hour(periods))
    y = alt.Y("gw:Q", stack="zero", title="power (GW)")
    tooltip = [alt.Tooltip("series:N", title="series"), alt.Tooltip("kind:N", title="direction"),
               alt.Tooltip("day:O"), alt.Tooltip("hour:O"),
               alt.Tooltip("gw:Q", title="power (GW)", format=",.2f")]
    area = stacked.add_params(_zoom_x()).mark_area(interpolate="step-after").encode(
        x=x, y=y,
        color=alt.Color("series:N", scale=scale, title="supply (+) / use (−)"),
        opacity=alt.Opacity("kind:N", scale=alt.Scale(domain=["output", "charge"], range=[0.9, 0.45]),
                            title="direction"),
        order=alt.Order("order:Q"), tooltip=tooltip,
    )
    # an area is one mark per series: invisible points at each step's top give its own tooltip
    hover = stacked.transform_filter("datum.gw != 0").mark_point(
        filled=True, opacity=0, size=40).encode(
        x=x, y=y, detail=["series:N", "kind:N"], order=alt.Order("order:Q"), tooltip=tooltip)
    line = alt.Chart(demand).transform_calculate(**_day_hour(periods)).mark_line(
        interpolate="step-after", color="black", strokeWidth=1.5, point=_HOVER).encode(
        x=x, y=alt.Y("gw:Q", title="power (GW)"),
        strokeDash=alt.StrokeDash("series:N", title="demand",
                                  scale=alt.Scale(domain=[k for k, _ in lines], range=[[4, 3], [1, 0]])),
        tooltip=[alt.Tooltip("series:N", title="demand"), alt.Tooltip("day:O"),
                 alt.Tooltip("hour:O"),
                 alt.Tooltip("gw:Q", title="power (GW)", format=",.2f")],
    )
    name = (names or {}).get(region, region)
    return alt.layer(area, hover, line).properties(
        width=max(_WIDTH, 12 * len(periods) * 6), height=300,
        title=_title(f"Dispatch in {name} ({region}), {year}" if name != region else
                     f"Dispatch in {region}, {year}", results, note))


# -------------------------------------------------------------------------------------- prices

def price_profiles(results: xr.Dataset, year: int | None = None, periods: Sequence[int] | None = None,
                   names: Mapping[str, str] | None = None) -> AnyChart:
    """Lines of the hourly price (USD/MWh) by hub over the representative days."""
    year = _year(results, year)
    steps, periods, note = _steps(results, periods)
    price = results.price.sel(year=year, time=steps.time.values)
    df = _frame(price, "price", {"region": "hub"}, drop_zeros=False, decimals=2).merge(steps, on="time")
    df = _with_end(df[["x", "hub", "price"]], len(periods), ["hub"])
    return alt.Chart(df).mark_line(interpolate="step-after", strokeWidth=1.5, point=_HOVER).add_params(
        _zoom_x()).transform_calculate(hub_name=_hub_name_expr(names), **_day_hour(periods)).encode(
        x=alt.X("x:Q", axis=_day_axis(periods), scale=alt.Scale(domain=[0, 24 * len(periods)], nice=False)),
        y=alt.Y("price:Q", title="price (USD/MWh)"),
        color=alt.Color("hub:N", scale=_hub_scale(results.region.values), title="hub",
                        legend=alt.Legend(symbolType="stroke")),  # lines, not the hover points
        tooltip=[alt.Tooltip("hub_name:N", title="hub"), alt.Tooltip("day:O"),
                 alt.Tooltip("hour:O"),
                 alt.Tooltip("price:Q", title="price (USD/MWh)", format=",.1f")],
    ).properties(width=max(_WIDTH, 12 * len(periods) * 6), height=_HEIGHT,
                 title=_title(f"Hourly prices by hub, {year}", results, note))


def price_duration(results: xr.Dataset, year: int | None = None, max_points: int = 200,
                   names: Mapping[str, str] | None = None) -> AnyChart:
    """Price-duration curves by hub: prices sorted high to low against the hours of the year they
    hold (each step counts for its ``weight``); equal prices merged, at most ``max_points`` per hub."""
    year = _year(results, year)
    weight = results.weight.values.astype(float)
    rows = []
    for hub in results.region.values:
        price = results.price.sel(region=hub, year=year).values.astype(float).round(1)
        curve = (pd.DataFrame({"price": price, "hours": weight}).groupby("price", sort=True)["hours"]
                 .sum().iloc[::-1])
        start = np.concatenate([[0.0], np.cumsum(curve.values)[:-1]])
        prices = curve.index.values
        if len(prices) > max_points:  # resample the step curve at evenly spaced hours
            at = np.linspace(0, start[-1], max_points)
            prices = prices[np.searchsorted(start, at, side="right") - 1]
            start = at
        end = float(np.sum(curve.values))
        rows.append(pd.DataFrame({"hub": str(hub), "hours": np.append(start, end).round(1),
                                  "price": np.append(prices, prices[-1])}))
    df = pd.concat(rows, ignore_index=True)
    return alt.Chart(df).mark_line(interpolate="step-after", strokeWidth=1.5, point=_HOVER).add_params(
        _zoom_x()).transform_calculate(hub_name=_hub_name_expr(names)).encode(
        x=alt.X("hours:Q", title="hours of the year at or above the price (h)",
                scale=alt.Scale(domain=[0, float(HOURS_PER_YEAR)], nice=False)),
        y=alt.Y("price:Q", title="price (USD/MWh)"),
        color=alt.Color("hub:N", scale=_hub_scale(results.region.values), title="hub",
                        legend=alt.Legend(symbolType="stroke")),
        tooltip=[alt.Tooltip("hub_name:N", title="hub"),
                 alt.Tooltip("hours:Q", title="from hour (h)", format=",.0f"),
                 alt.Tooltip("price:Q", title="price (USD/MWh)", format=",.1f")],
    ).properties(width=_WIDTH, height=_HEIGHT, title=_title(
        f"Price-duration curves by hub, {year}", results,
        "each representative step counts for the hours of the year it stands for"))


# -------------------------------------------------------------------------------- transmission

def _corridor_table(results: xr.Dataset, year: int) -> pd.DataFrame:
    """Per line: ends, capacity (GW), annual energy each way (TWh) and utilisation (both ways)."""
    r = results.sel(year=year)
    flow = r.flow
    df = pd.DataFrame({
        "line": results.line.values.astype(str),
        "from_hub": results.line_from.values.astype(str),
        "to_hub": results.line_to.values.astype(str),
        "capacity_gw": r.line_capacity.values.round(3),
        "forward_twh": _annual(flow.clip(min=0), results.weight).values.round(3),
        "backward_twh": _annual((-flow).clip(min=0), results.weight).values.round(3),
    })
    total = df.forward_twh + df.backward_twh
    capacity_twh = df.capacity_gw * HOURS_PER_YEAR / GWH_PER_TWH
    df["utilisation"] = (total / capacity_twh.where(capacity_twh > 0)).round(4)
    return df[(df.capacity_gw > 0) | (total > 0)].reset_index(drop=True)


def _corridor_labels(from_hub: pd.Series, to_hub: pd.Series) -> list[str]:
    """Axis labels of lines: "IM→BTH", numbered ("IM→BTH 2") when a pair of hubs has several lines
    (the line's own name, often 25 characters, goes in the tooltip)."""
    pairs = (from_hub.astype(str) + "→" + to_hub.astype(str)).tolist()
    seen: dict[str, int] = {}
    labels = []
    for pair in pairs:
        seen[pair] = seen.get(pair, 0) + 1
        labels.append(pair if pairs.count(pair) == 1 else f"{pair} {seen[pair]}")
    return labels


def corridor_flows(results: xr.Dataset, year: int | None = None) -> AnyChart:
    """UHV corridors: annual energy each way (TWh; right = from → to, left = to → from, coloured by
    the sending hub) and utilisation, energy both ways / (capacity × 8,760 h)."""
    year = _year(results, year)
    table = _corridor_table(results, year)
    table["corridor"] = table.line + " (" + table.from_hub + "→" + table.to_hub + ")"
    table["label"] = _corridor_labels(table.from_hub, table.to_hub)
    order = table.assign(t=table.forward_twh + table.backward_twh).sort_values("t", ascending=False)
    sort = order.label.tolist()
    ways = pd.concat([
        table.assign(direction=table.from_hub + " → " + table.to_hub, sender=table.from_hub,
                     twh=table.forward_twh),
        table.assign(direction=table.to_hub + " → " + table.from_hub, sender=table.to_hub,
                     twh=-table.backward_twh),
    ], ignore_index=True)
    ways = ways[ways.twh != 0][["corridor", "label", "direction", "sender", "twh", "capacity_gw"]]
    y = alt.Y("label:N", sort=sort, title="corridor (from → to)")
    energy = alt.Chart(ways).mark_bar().encode(
        x=alt.X("twh:Q", title="annual energy sent (TWh; negative: to → from)"),
        y=y,
        color=alt.Color("sender:N", scale=_hub_scale(results.region.values), title="sending hub"),
        tooltip=[alt.Tooltip("corridor:N"), alt.Tooltip("direction:N"),
                 alt.Tooltip("twh:Q", title="energy (TWh; − = to→from)", format=",.2f"),
                 alt.Tooltip("capacity_gw:Q", title="capacity (GW)", format=",.1f")],
    ).properties(width=320, height=alt.Step(18))
    cols = ["corridor", "label", "utilisation", "capacity_gw", "forward_twh", "backward_twh"]
    use = alt.Chart(table[cols]).mark_bar(color="#7f7f7f").encode(
        x=alt.X("utilisation:Q", title="utilisation (%)",  # 160 px: three labels, not touching
                axis=alt.Axis(format="%", values=[0, 0.5, 1]), scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("label:N", sort=sort, title=None, axis=alt.Axis(labels=False)),
        tooltip=[alt.Tooltip("corridor:N"), alt.Tooltip("utilisation:Q", format=".1%"),
                 alt.Tooltip("capacity_gw:Q", title="capacity (GW)", format=",.1f"),
                 alt.Tooltip("forward_twh:Q", title="from→to (TWh)", format=",.2f"),
                 alt.Tooltip("backward_twh:Q", title="to→from (TWh)", format=",.2f")],
    ).properties(width=160, height=alt.Step(18))
    return alt.hconcat(energy, use, spacing=8).properties(title=_title(
        f"Flows on the hub-to-hub corridors, {year}", results,
        "utilisation: energy both ways / (capacity × 8,760 h)"))


def _arc(x0: float, y0: float, x1: float, y1: float, bend: float = 0.18, n: int = 9
         ) -> tuple[np.ndarray, np.ndarray]:
    """Points of a quadratic curve from (x0, y0) to (x1, y1) bending to the right of travel."""
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    cx, cy = mx + bend * (y1 - y0), my - bend * (x1 - x0)
    t = np.linspace(0, 1, n)
    return ((1 - t) ** 2 * x0 + 2 * (1 - t) * t * cx + t ** 2 * x1,
            (1 - t) ** 2 * y0 + 2 * (1 - t) * t * cy + t ** 2 * y1)


def hub_map(results: xr.Dataset, inputs: xr.Dataset, year: int | None = None,
            size_by: Literal["demand", "dc_electricity"] = "demand", min_export_share: float = 0.01,
            lines_by: Literal["energy", "built"] = "energy") -> AnyChart:
    """A schematic map on longitude/latitude axes (equirectangular, no tiles): hubs as circles (area
    = annual demand or data-centre electricity, TWh), corridors as lines (width = annual energy both
    ways, TWh; with ``lines_by="built"``, capacity built by the model over the horizon, GW: the line
    build-out) and compute exports as dashed arcs origin → serving hub (width = IT energy, TWh);
    exports under ``min_export_share`` of the year's total are left out (the subtitle says so)."""
    year = _year(results, year)
    if size_by == "dc_electricity":
        _require_compute(results)
    r = results.sel(year=year)
    hubs = pd.DataFrame({"hub": results.region.values.astype(str)})
    pos = inputs[["lon", "lat"]].sel(region=results.region.values)
    hubs["lon"], hubs["lat"] = pos.lon.values.astype(float), pos.lat.values.astype(float)
    hubs["name"] = [hub_names(inputs).get(h, h) for h in hubs.hub] if "region_name" in inputs else hubs.hub
    hubs["demand_twh"] = _annual(r.demand, results.weight).values.round(2)
    hubs["generation_twh"] = r.generation_annual.sum("gen_tech").values.round(2)
    if "dc_electricity" in results:
        hubs["dc_electricity_twh"] = _annual(r.dc_electricity, results.weight).values.round(2)
    size_field = "demand_twh" if size_by == "demand" else "dc_electricity_twh"
    size_title = ("electricity demand (TWh)" if size_by == "demand"
                  else "data-centre electricity (TWh)")
    xy = hubs.set_index("hub")[["lon", "lat"]]

    pad = 1.5
    lon = [float(hubs.lon.min()) - pad, float(hubs.lon.max()) + pad]
    lat = [float(hubs.lat.min()) - pad, float(hubs.lat.max()) + pad]
    width = 520
    height = int(width * (lat[1] - lat[0]) / max(lon[1] - lon[0], 1e-9))
    x_scale, y_scale = alt.Scale(domain=lon, nice=False), alt.Scale(domain=lat, nice=False)
    hub_scale = _hub_scale(results.region.values)

    table = _corridor_table(results, year)
    built = results.line_capacity_new.sum("year").to_series() if "line_capacity_new" in results \
        else pd.Series(0.0, index=results.line.values)
    table["built_gw"] = built.reindex(table.line).fillna(0.0).values.round(3)
    if lines_by == "built":  # candidates built only in later years are drawn too
        later = _corridor_table(results, int(results.year.values[-1]))
        later = later[~later.line.isin(table.line)]
        later["built_gw"] = built.reindex(later.line).fillna(0.0).values.round(3)
        table = pd.concat([table, later], ignore_index=True)
    table = table[table.from_hub.isin(xy.index) & table.to_hub.isin(xy.index)]
    swap = (table.from_hub > table.to_hub).values  # one row per pair of hubs: a < b
    corridors = pd.DataFrame({
        "a": np.where(swap, table.to_hub, table.from_hub), "b": np.where(swap, table.from_hub, table.to_hub),
        "a_to_b_twh": np.where(swap, table.backward_twh, table.forward_twh),
        "b_to_a_twh": np.where(swap, table.forward_twh, table.backward_twh),
        "capacity_gw": table.capacity_gw.values, "lines": table.line.values,
        "built_gw": table.built_gw.values,
    }).groupby(["a", "b"], as_index=False).agg(
        a_to_b_twh=("a_to_b_twh", "sum"), b_to_a_twh=("b_to_a_twh", "sum"),
        capacity_gw=("capacity_gw", "sum"), built_gw=("built_gw", "sum"),
        lines=("lines", ", ".join))
    corridors["energy_twh"] = (corridors.a_to_b_twh + corridors.b_to_a_twh).round(2)
    for end in ("a", "b"):
        corridors[f"lon_{end}"] = xy.lon.reindex(corridors[end]).values
        corridors[f"lat_{end}"] = xy.lat.reindex(corridors[end]).values
    layers = []
    notes = ["schematic: equirectangular lon/lat; solid: power corridors; dashed: compute exports "
             "origin → serving hub"]
    width_field, width_title = (("built_gw", "capacity built over the horizon (GW)")
                                if lines_by == "built" else
                                ("energy_twh", "corridor energy, both ways (TWh)"))
    if len(corridors):
        layers.append(alt.Chart(corridors).mark_rule(
            color="#d9822b" if lines_by == "built" else "#8a8a8a", opacity=0.8).encode(
            x=alt.X("lon_a:Q", scale=x_scale, title="longitude (°E)"), x2="lon_b:Q",
            y=alt.Y("lat_a:Q", scale=y_scale, title="latitude (°N)"), y2="lat_b:Q",
            strokeWidth=alt.StrokeWidth(f"{width_field}:Q", title=width_title,
                                        scale=alt.Scale(range=[1, 9])),
            tooltip=[alt.Tooltip("a:N", title="hub A"), alt.Tooltip("b:N", title="hub B"),
                     alt.Tooltip("lines:N", title="lines"),
                     alt.Tooltip("capacity_gw:Q", title=f"capacity {year} (GW)", format=",.1f"),
                     alt.Tooltip("built_gw:Q", title="built over the horizon (GW)",
                                 format=",.1f"),
                     alt.Tooltip("a_to_b_twh:Q", title="A → B (TWh)", format=",.1f"),
                     alt.Tooltip("b_to_a_twh:Q", title="B → A (TWh)", format=",.1f")],
        ))
    if "compute_exports" in results:
        exports = _frame(r.compute_exports, "twh", {"region": "serving"}, decimals=3)
        exports = exports[exports.origin.isin(xy.index) & exports.serving.isin(xy.index)]
        small = exports.twh < min_export_share * exports.twh.sum()
        if small.any():
            notes.append(f"{int(small.sum())} compute exports under {min_export_share:.0%} of the total "
                         f"({exports.twh[small].sum():,.1f} TWh together) not drawn")
        exports = exports[~small]
        arcs = []
        for i, e in enumerate(exports.itertuples()):
            ax, ay = _arc(xy.lon[e.origin], xy.lat[e.origin], xy.lon[e.serving], xy.lat[e.serving])
            arcs.append(pd.DataFrame({"arc": i, "step": np.arange(len(ax)), "lon": ax.round(3),
                                      "lat": ay.round(3), "origin": e.origin, "serving": e.serving,
                                      "twh": e.twh}))
        if arcs:
            layers.append(alt.Chart(pd.concat(arcs, ignore_index=True)).mark_line(
                strokeDash=[6, 4], opacity=0.9).encode(
                x=alt.X("lon:Q", scale=x_scale, title="longitude (°E)"),
                y=alt.Y("lat:Q", scale=y_scale, title="latitude (°N)"),
                detail="arc:N", order="step:Q",
                color=alt.Color("origin:N", scale=hub_scale, title="hub"),
                strokeWidth=alt.StrokeWidth("twh:Q", title="compute exports (TWh, IT)",
                                            scale=alt.Scale(range=[1, 7])),
                tooltip=[alt.Tooltip("origin:N", title="origin"),
                         alt.Tooltip("serving:N", title="serving hub"),
                         alt.Tooltip("twh:Q", title="compute exported, IT (TWh)", format=",.2f")],
            ))
    hub_tip = [alt.Tooltip("name:N", title="hub"), alt.Tooltip("hub:N", title="id"),
               alt.Tooltip("demand_twh:Q", title="electricity demand (TWh)", format=",.1f"),
               alt.Tooltip("generation_twh:Q", title="generation (TWh)", format=",.1f")]
    if "dc_electricity_twh" in hubs:
        hub_tip.append(alt.Tooltip("dc_electricity_twh:Q", title="data-centre electricity (TWh)",
                                   format=",.1f"))
    points = alt.Chart(hubs)
    layers.append(points.mark_circle(opacity=0.85, stroke="white", strokeWidth=1).encode(
        x=alt.X("lon:Q", scale=x_scale, title="longitude (°E)"),
        y=alt.Y("lat:Q", scale=y_scale, title="latitude (°N)"),
        size=alt.Size(f"{size_field}:Q", title=size_title, scale=alt.Scale(range=[60, 1600])),
        color=alt.Color("hub:N", scale=hub_scale, title="hub"),
        tooltip=hub_tip,
    ))
    layers.append(points.mark_text(dy=-14, fontWeight="bold", fontSize=11).encode(
        x=alt.X("lon:Q", scale=x_scale, title="longitude (°E)"),
        y=alt.Y("lat:Q", scale=y_scale, title="latitude (°N)"), text="hub:N"))
    return alt.layer(*layers).resolve_scale(strokeWidth="independent").resolve_legend(
        strokeWidth="independent").properties(width=width, height=height, title=_title(
            f"Hubs, line build-out to {year} and compute exports" if lines_by == "built"
            else f"Hubs, corridors and compute exports, {year}", results, *notes))


# ------------------------------------------------------------------------------ province map

#: A tile-grid map of the 31 mainland provinces: province (as in the datasets' ``provinces``) ->
#: (id, column, row), row 0 at the top. Each province is one square, so Beijing weighs as much
#: as Xinjiang and no shape file is needed (drawn offline from these 31 rows). Placed by the
#: latitude band and longitude order of its capital, then nudged so that provinces that share a
#: border touch where the grid allows it: the north-east chain Heilongjiang-Jilin-Liaoning, Inner
#: Mongolia above Shanxi and Hebei, Beijing and Tianjin over Hebei, the coast from Shandong to
#: Guangdong on the right, Xinjiang, Qinghai and Tibet down the left edge, and Hainan below
#: Guangxi and Guangdong. Ids are the province dataset's region ids (GB/T 2260 letters).
PROVINCE_TILES: dict[str, tuple[str, int, int]] = {
    "Heilongjiang": ("HL", 7, 0),
    "Inner Mongolia": ("NM", 3, 1), "Beijing": ("BJ", 4, 1), "Tianjin": ("TJ", 5, 1),
    "Liaoning": ("LN", 6, 1), "Jilin": ("JL", 7, 1),
    "Xinjiang": ("XJ", 0, 2), "Gansu": ("GS", 1, 2), "Ningxia": ("NX", 2, 2),
    "Shanxi": ("SX", 3, 2), "Hebei": ("HE", 4, 2), "Shandong": ("SD", 5, 2),
    "Qinghai": ("QH", 1, 3), "Shaanxi": ("SN", 2, 3), "Henan": ("HA", 3, 3),
    "Anhui": ("AH", 4, 3), "Jiangsu": ("JS", 5, 3), "Shanghai": ("SH", 6, 3),
    "Tibet": ("XZ", 0, 4), "Sichuan": ("SC", 1, 4), "Chongqing": ("CQ", 2, 4),
    "Hubei": ("HB", 3, 4), "Jiangxi": ("JX", 4, 4), "Zhejiang": ("ZJ", 5, 4),
    "Yunnan": ("YN", 1, 5), "Guizhou": ("GZ", 2, 5), "Hunan": ("HN", 3, 5), "Fujian": ("FJ", 5, 5),
    "Guangxi": ("GX", 2, 6), "Guangdong": ("GD", 3, 6),
    "Hainan": ("HI", 2, 7),
}
_TILE_COLUMNS = 1 + max(c for _, c, _ in PROVINCE_TILES.values())
_TILE_ROWS = 1 + max(r for _, _, r in PROVINCE_TILES.values())
_TILE_GAP = 0.06  # of a tile, between neighbours

#: What :func:`province_map` can colour the tiles by: name -> (title with units, legend title,
#: colour scheme, diverging around 0, number format). Values come from the results (``price_average``,
#: ``emissions``) or :mod:`synergy_models.indicators`.
PROVINCE_MEASURES: dict[str, tuple[str, str, str, bool, str]] = {
    "price": ("average price (USD/MWh)", "USD/MWh", "yelloworangered", False, ",.1f"),
    "net_imports": ("net imports (TWh; negative: net exporter)", "TWh (− exports)", "redblue", True,
                    ",.1f"),
    "vre_share": ("wind and solar share of generation (%)", "share", "greens", False, ".0%"),
    "emissions": ("CO2 emissions (Mt)", "Mt CO2", "purples", False, ",.1f"),
}


def region_provinces(inputs: xr.Dataset) -> dict[str, list[str]]:
    """Region id -> the provinces it is made of (``inputs.provinces``, separated by ``;``)."""
    if "provinces" not in inputs:
        raise ValueError("the inputs have no 'provinces' (regions.csv column): a province map "
                         "needs each region's provinces")
    return {str(r): [p.strip() for p in str(v).split(";") if p.strip()]
            for r, v in zip(inputs.region.values, inputs.provinces.values, strict=True)}


def covers_mainland(inputs: xr.Dataset) -> bool:
    """Whether the regions of ``inputs`` together hold all 31 mainland provinces of
    :data:`PROVINCE_TILES` (the province dataset at any aggregation; not the eight hubs, whose
    14 provinces leave most of the map empty)."""
    if "provinces" not in inputs:
        return False
    held = {p for ps in region_provinces(inputs).values() for p in ps}
    return set(PROVINCE_TILES) <= held


def province_measures(results: xr.Dataset, year: int | None = None) -> pd.DataFrame:
    """The :data:`PROVINCE_MEASURES` of each region in ``year`` (default: the last modelled), one
    row per region."""
    from synergy_models.indicators import net_imports, variable_renewable_share

    year = _year(results, year)
    values = {"price": results.price_average, "net_imports": net_imports(results),
              "vre_share": variable_renewable_share(results), "emissions": results.emissions}
    table = pd.DataFrame({name: clean_noise(da.sel(year=year)).to_series()
                          for name, da in values.items()})
    table.index = table.index.astype(str)
    return table.rename_axis("region")


def _tiles(results: xr.Dataset, inputs: xr.Dataset, year: int) -> pd.DataFrame:
    """One row per tile: province, id, column, row, its region (empty: not modelled) and the
    region's measures."""
    owner = {p: r for r, ps in region_provinces(inputs).items() for p in ps}
    names = hub_names(inputs) if "region_name" in inputs else {}
    measures = province_measures(results, year)
    rows = []
    for province, (pid, col, row) in PROVINCE_TILES.items():
        region = owner.get(province, "")
        rows.append({"province": province, "id": pid, "col": col + _TILE_GAP / 2,
                     "col2": col + 1 - _TILE_GAP / 2, "row": row + _TILE_GAP / 2,
                     "row2": row + 1 - _TILE_GAP / 2, "cx": col + 0.5, "cy": row + 0.5,
                     "region": region, "region_name": names.get(region, region)})
    tiles = pd.DataFrame(rows)
    joined = tiles.join(measures.round(4), on="region")
    joined["modelled"] = joined.region != ""
    return joined


def _tile_flows(results: xr.Dataset, centres: pd.DataFrame, year: int) -> pd.DataFrame:
    """Annual energy on the lines between regions (TWh each way, summed over parallel lines),
    with the ends' tile centres (a region of several provinces: the mean of its tiles)."""
    if not results.sizes.get("line", 0):
        return pd.DataFrame()
    flow = results.flow.sel(year=year)
    frm, to = results.line_from.values.astype(str), results.line_to.values.astype(str)
    forward = _annual(flow.clip(min=0), results.weight).values
    backward = _annual((-flow).clip(min=0), results.weight).values
    swap = frm > to  # one row per pair of regions: a < b
    df = pd.DataFrame({"a": np.where(swap, to, frm), "b": np.where(swap, frm, to),
                       "a_to_b_twh": np.where(swap, backward, forward),
                       "b_to_a_twh": np.where(swap, forward, backward)})
    df = df[df.a.isin(centres.index) & df.b.isin(centres.index)]
    df = df.groupby(["a", "b"], as_index=False)[["a_to_b_twh", "b_to_a_twh"]].sum()
    df["energy_twh"] = df.a_to_b_twh + df.b_to_a_twh
    df = df[df.energy_twh > 0].round(3)
    for end in ("a", "b"):
        df[f"x_{end}"] = centres.cx.reindex(df[end]).values
        df[f"y_{end}"] = centres.cy.reindex(df[end]).values
    return df.reset_index(drop=True)


def _province_layers(results: xr.Dataset, inputs: xr.Dataset, measure: str, year: int,
                     flows: bool, min_flow_share: float) -> tuple[list[AnyChart], list[str]]:
    """The layers of :func:`province_map` (tiles, lines, labels) and notes for its subtitle."""
    if measure not in PROVINCE_MEASURES:
        raise ValueError(f"measure must be one of {list(PROVINCE_MEASURES)}, not {measure!r}")
    _, legend_title, scheme, diverging, fmt = PROVINCE_MEASURES[measure]
    tiles = _tiles(results, inputs, year)
    x_scale = alt.Scale(domain=[0, _TILE_COLUMNS], nice=False, zero=False)
    y_scale = alt.Scale(domain=[0, _TILE_ROWS], nice=False, zero=False, reverse=True)
    no_axis = alt.Axis(labels=False, ticks=False, grid=False, domain=False, title=None)
    x, y = alt.X("col:Q", scale=x_scale, axis=no_axis), alt.Y("row:Q", scale=y_scale, axis=no_axis)
    if diverging:  # symmetric around 0 (white: balanced); the darkest ends unused, as below
        top = 1.25 * (float(np.nanmax(np.abs(tiles[measure].to_numpy(dtype=float)), initial=0.0))
                      or 1.0)
        color_scale = alt.Scale(scheme=scheme, domain=[-top, top], domainMid=0)
    else:  # the lightest 80% of the scheme: black labels stay readable
        color_scale = alt.Scale(scheme=alt.SchemeParams(name=scheme, extent=[0.05, 0.8]))
    tips = [alt.Tooltip("province:N"), alt.Tooltip("id:N", title="id"),
            alt.Tooltip("region_name:N", title="region"), alt.Tooltip("region:N", title="region id"),
            *(alt.Tooltip(f"{m}:Q", title=t, format=f) for m, (t, *_, f) in
              PROVINCE_MEASURES.items())]
    base = alt.Chart(tiles)
    modelled = tiles.modelled.astype(bool)
    layers: list[AnyChart] = [
        base.transform_filter("datum.modelled").mark_rect(stroke="white", strokeWidth=0.5).encode(
            x=x, x2="col2:Q", y=y, y2="row2:Q",
            color=alt.Color(f"{measure}:Q", scale=color_scale, title=legend_title,
                            legend=alt.Legend(format=fmt.lstrip(","))),
            tooltip=tips)]
    notes = []
    if not modelled.all():
        layers.append(base.transform_filter("!datum.modelled").mark_rect(color="#e4e4e4").encode(
            x=x, x2="col2:Q", y=y, y2="row2:Q",
            tooltip=[alt.Tooltip("province:N"), alt.Tooltip("id:N", title="id")]))
        notes.append(f"grey: not modelled ({int((~modelled).sum())} of {len(tiles)} provinces)")
    if flows:
        centres = tiles[modelled].groupby("region")[["cx", "cy"]].mean()
        lines = _tile_flows(results, centres, year)
        if len(lines):
            small = lines.energy_twh < min_flow_share * lines.energy_twh.max()
            notes.append("lines: energy between regions, both ways, tile centre to centre"
                         + (f"; {int(small.sum())} under {min_flow_share:.0%} of the largest not "
                            "drawn" if small.any() else ""))
            lines = lines[~small].reset_index(drop=True)
            # gently curved, so lines along a row or column of tiles do not hide one another
            arcs = []
            for i, ln in lines.iterrows():
                ax, ay = _arc(ln.x_a, ln.y_a, ln.x_b, ln.y_b, bend=0.12)
                arcs.append(lines.loc[[i] * len(ax)].assign(pair=i, step=np.arange(len(ax)),
                                                            x=ax.round(3), y=ay.round(3)))
            lines = pd.concat(arcs, ignore_index=True).drop(columns=["x_a", "y_a", "x_b", "y_b"])
            layers.append(alt.Chart(lines).mark_line(color="#333333", opacity=0.6).encode(
                x=alt.X("x:Q", scale=x_scale, axis=no_axis),
                y=alt.Y("y:Q", scale=y_scale, axis=no_axis), detail="pair:N", order="step:Q",
                strokeWidth=alt.StrokeWidth("energy_twh:Q", title="line energy, both ways (TWh)",
                                            scale=alt.Scale(range=[0.5, 6])),
                tooltip=[alt.Tooltip("a:N", title="region A"), alt.Tooltip("b:N", title="region B"),
                         alt.Tooltip("a_to_b_twh:Q", title="A → B (TWh)", format=",.1f"),
                         alt.Tooltip("b_to_a_twh:Q", title="B → A (TWh)", format=",.1f"),
                         alt.Tooltip("energy_twh:Q", title="both ways (TWh)", format=",.1f")]))
    layers.append(base.mark_text(fontSize=10, fontWeight="bold").encode(
        x=alt.X("cx:Q", scale=x_scale, axis=no_axis), y=alt.Y("cy:Q", scale=y_scale, axis=no_axis),
        text="id:N", color=alt.condition("datum.modelled", alt.value("#111111"),
                                         alt.value("#9a9a9a")),
        tooltip=tips))
    return layers, notes


_TILE_NOTE = "tile grid, one square per province; a region of several provinces colours all its tiles"


def province_map(results: xr.Dataset, inputs: xr.Dataset, measure: str = "price",
                 year: int | None = None, flows: bool = False, min_flow_share: float = 0.01,
                 tile_px: int = 44) -> AnyChart:
    """A tile-grid map of the 31 mainland provinces (:data:`PROVINCE_TILES`) coloured by one of
    :data:`PROVINCE_MEASURES` in ``year`` (default: the last modelled). A region made of several
    provinces (a hub, an aggregate) colours all its tiles with its value; provinces in no region
    are grey. With ``flows``, lines join the regions' tile centres (width: annual energy both
    ways, TWh); lines under ``min_flow_share`` of the largest are left out (the subtitle says how
    many). Tooltips give every measure of the tile's region."""
    year = _year(results, year)
    layers, notes = _province_layers(results, inputs, measure, year, flows, min_flow_share)
    label = PROVINCE_MEASURES[measure][0].split(" (")[0]
    return alt.layer(*layers).properties(
        width=tile_px * _TILE_COLUMNS, height=tile_px * _TILE_ROWS,
        title=_title(f"Provinces: {label}, {year}", results, _TILE_NOTE, *notes))


def province_maps(results: xr.Dataset, inputs: xr.Dataset, year: int | None = None,
                  tile_px: int = 36) -> AnyChart:
    """The four :data:`PROVINCE_MEASURES` maps, two by two; the lines on the net-imports map."""
    year = _year(results, year)
    panels = []
    for measure, (title, *_) in PROVINCE_MEASURES.items():
        layers, notes = _province_layers(results, inputs, measure, year,
                                         flows=measure == "net_imports", min_flow_share=0.05)
        panels.append(alt.layer(*layers).properties(
            width=tile_px * _TILE_COLUMNS, height=tile_px * _TILE_ROWS,
            title=alt.TitleParams(title, subtitle=[ln for n in notes for ln in textwrap.wrap(n, 60)]
                                  or [""], anchor="start", fontSize=12)))
    independent = {"color": "independent", "strokeWidth": "independent"}
    rows = [alt.hconcat(*panels[i:i + 2]).resolve_scale(**independent) for i in (0, 2)]
    return alt.vconcat(*rows).resolve_scale(**independent).properties(
        title=_title(f"Provinces, {year}", results, _TILE_NOTE))


def province_map_for_report(results: xr.Dataset, inputs: xr.Dataset, year: int | None = None
                            ) -> AnyChart | None:
    """:func:`province_maps` when the regions cover the mainland's 31 provinces
    (:func:`covers_mainland`), else ``None`` (the hub dataset's report has no province map)."""
    if not covers_mainland(inputs):
        return None
    return province_maps(results, inputs, year)


# ------------------------------------------------------------------- curtailment and emissions

def curtailment(results: xr.Dataset, names: Mapping[str, str] | None = None) -> AnyChart:
    """Annual curtailed energy (TWh) by technology, per year, one panel per hub."""
    df = _frame(results.curtailment_annual, "curtailment_twh", {"gen_tech": "tech", "region": "hub"})
    df["year"] = df.year.astype(int)
    scale = _tech_scale(results.gen_tech.values if df.empty else df.tech.unique())
    return alt.Chart(df).mark_bar().transform_calculate(
        order=_stack_order(scale.domain, "tech"), hub_name=_hub_name_expr(names)).encode(
        x=alt.X("year:O", title="year"),
        y=alt.Y("curtailment_twh:Q", title="curtailed energy (TWh)"),
        color=alt.Color("tech:N", scale=scale, title="technology"),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("hub_name:N", title="hub"), alt.Tooltip("year:O"),
                 alt.Tooltip("tech:N", title="technology"),
                 alt.Tooltip("curtailment_twh:Q", title="curtailed (TWh)", format=",.2f")],
    ).properties(width=max(60, 24 * results.sizes["year"]), height=_HEIGHT).facet(
        column=alt.Column("hub:N", sort=_ordered(results.region.values, HUB_ORDER), title="hub"),
    ).properties(title=_title("Curtailment by hub and technology", results,
                              "available wind, solar and hydro output not used"))


def operating_reserves_chart(results: xr.Dataset, direction: str = "up",
                             names: Mapping[str, str] | None = None) -> AnyChart:
    """Operating reserve held on average (GW) by provider, per year, one panel per hub, with what
    each provider earns at the reserve price (tooltip). Needs results with operating reserves."""
    if not has_operating_reserves(results):
        raise ValueError("these results have no operating reserves (policy.operating_reserves off)")
    w = results.weight
    held = (results.reserve_provided.sel(reserve_direction=direction) * w).sum("time") / float(
        w.sum())
    df = _frame(held, "reserve_gw", {"reserve_provider": "provider", "region": "hub"})
    earned = _frame(results.reserve_revenue.sel(reserve_direction=direction), "earned_musd",
                    {"reserve_provider": "provider", "region": "hub"}, drop_zeros=False)
    df = df.merge(earned, on=["hub", "provider", "year"], how="left")
    df["year"] = df.year.astype(int)
    scale = _tech_scale(results.reserve_provider.values if df.empty else df.provider.unique())
    return alt.Chart(df).mark_bar().transform_calculate(
        order=_stack_order(scale.domain, "provider"), hub_name=_hub_name_expr(names)).encode(
        x=alt.X("year:O", title="year"),
        y=alt.Y("reserve_gw:Q", title=f"{direction}ward reserve held, mean (GW)"),
        color=alt.Color("provider:N", scale=scale, title="provider"),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("hub_name:N", title="hub"), alt.Tooltip("year:O"),
                 alt.Tooltip("provider:N", title="provider"),
                 alt.Tooltip("reserve_gw:Q", title="held, mean (GW)", format=",.2f"),
                 alt.Tooltip("earned_musd:Q", title="earned (MUSD/yr)", format=",.1f")],
    ).properties(width=max(60, 24 * results.sizes["year"]), height=_HEIGHT).facet(
        column=alt.Column("hub:N", sort=_ordered(results.region.values, HUB_ORDER), title="hub"),
    ).properties(title=_title(f"Operating reserve ({direction}ward) by hub and provider", results,
                              "held against day-ahead forecast errors; earned at the reserve "
                              "price"))


def _hub_stack_by_year(results: xr.Dataset, df: pd.DataFrame, field: str, axis_title: str,
                       tooltips: Sequence[alt.Tooltip], title: str,
                       names: Mapping[str, str] | None) -> AnyChart:
    """Bars per modelled year stacked by hub (hub colours and order), for ``df[field]``."""
    df["year"] = df.year.astype(int)
    scale = _hub_scale(results.region.values)
    return alt.Chart(df).mark_bar().transform_calculate(
        order=_stack_order(scale.domain, "hub"), hub_name=_hub_name_expr(names)).encode(
        x=alt.X("year:O", title="year"),
        y=alt.Y(f"{field}:Q", title=axis_title),
        color=alt.Color("hub:N", scale=scale, title="hub"),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("hub_name:N", title="hub"), alt.Tooltip("year:O"), *tooltips],
    ).properties(width=max(200, 70 * results.sizes["year"]), height=_HEIGHT,
                 title=_title(title, results))


def emissions(results: xr.Dataset, names: Mapping[str, str] | None = None) -> AnyChart:
    """CO2 emissions (Mt) per year, stacked by hub."""
    df = _frame(results.emissions, "emissions_mt", {"region": "hub"})
    return _hub_stack_by_year(
        results, df, "emissions_mt", "CO2 emissions (Mt)",
        [alt.Tooltip("emissions_mt:Q", title="CO2 (Mt)", format=",.1f")],
        "CO2 emissions of generation by hub", names)


# --------------------------------------------------------------------------------- data centres

def dc_capacity_chart(results: xr.Dataset, names: Mapping[str, str] | None = None) -> AnyChart:
    """Data-centre IT capacity (GW) per year, stacked by hub."""
    _require_compute(results)
    df = _frame(results.dc_capacity, "dc_capacity_gw", {"region": "hub"}, decimals=3)
    new = _frame(results.dc_capacity_new, "dc_new_gw", {"region": "hub"}, drop_zeros=False, decimals=3)
    df = df.merge(new, on=["hub", "year"], how="left")
    return _hub_stack_by_year(
        results, df, "dc_capacity_gw", "data-centre IT capacity (GW)",
        [alt.Tooltip("dc_capacity_gw:Q", title="IT capacity (GW)", format=",.2f"),
         alt.Tooltip("dc_new_gw:Q", title="built in the year (GW)", format=",.2f")],
        "Data-centre IT capacity by hub", names)


def compute_exports_chart(results: xr.Dataset, year: int | None = None,
                          names: Mapping[str, str] | None = None) -> AnyChart:
    """Compute served away from its origin (TWh of IT energy): bars per origin hub, stacked and
    coloured by the serving hub."""
    _require_compute(results)
    year = _year(results, year)
    r = results.sel(year=year)
    df = _frame(r.compute_exports, "twh", {"region": "serving"}, decimals=3)
    extra = [("compute_exports_eflops_years", "eflops_years", "EFLOPS-year"),
             ("exported_electricity", "electricity_twh", "electricity used (TWh)")]
    tips = []
    for var, col, title in extra:
        if var in results:
            more = _frame(r[var], col, {"region": "serving"}, drop_zeros=False, decimals=3)
            df = df.merge(more, on=["origin", "serving"], how="left")
            tips.append(alt.Tooltip(f"{col}:Q", title=title, format=",.2f"))
    scale = _hub_scale(results.region.values)
    hubs = _ordered(results.region.values, HUB_ORDER)
    total = float(df.twh.sum())
    return alt.Chart(df).mark_bar().transform_calculate(
        order=_stack_order(scale.domain, "serving"),
        origin_name=_hub_name_expr(names, "origin"), serving_name=_hub_name_expr(names, "serving")).encode(
        y=alt.Y("origin:N", sort=hubs, title="origin hub (where the demand is)",
                scale=alt.Scale(domain=hubs)),
        x=alt.X("twh:Q", title="compute served elsewhere, IT energy (TWh)"),
        color=alt.Color("serving:N", scale=scale, title="serving hub"),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("origin_name:N", title="origin"),
                 alt.Tooltip("serving_name:N", title="serving hub"),
                 alt.Tooltip("twh:Q", title="IT energy (TWh)", format=",.2f"), *tips],
    ).properties(width=_WIDTH - 120, height=alt.Step(22), title=_title(
        f"Compute exports, origin → serving hub, {year}", results,
        f"total {total:,.1f} TWh of IT energy served away from its origin"))


#: How the data centres' electricity is covered, in stack order (bottom first), with colours.
GREEN_SOURCES: dict[str, str] = {"contracted green output": "#5fb7a6",
                                 "green certificates": "#b5d99c",
                                 "grid (not green)": "#a6a6a6"}


def green_share_chart(results: xr.Dataset, target: float | xr.DataArray | None = None,
                      names: Mapping[str, str] | None = None, year: int | None = None
                      ) -> AnyChart:
    """How each hub's data-centre electricity in ``year`` (default: the last modelled) is covered
    (TWh): contracted green output, green certificates and grid electricity that is not green,
    stacked; a tick at the target share of it (``inputs.green_share_target``) when given. The
    subtitle states the green share achieved in every modelled year in words, so a share that is
    the same everywhere (100% in ``base``) is one sentence, not a wall of equal bars."""
    _require_compute(results)
    year = _year(results, year)
    total = _annual(results.dc_electricity, results.weight)
    parts = {"contracted green output": results.green_matched,
             "green certificates": results.certificates,
             "grid (not green)": (total - results.green_matched - results.certificates).clip(min=0)}
    frames = [_frame(clean_noise(da.sel(year=year)), "twh", {"region": "hub"}, decimals=3)
              .assign(source=label) for label, da in parts.items()]
    df = pd.concat(frames, ignore_index=True)
    share = clean_noise(results.green_share_achieved).to_series()
    df["share"] = [round(float(share.get((h, year), np.nan)), 4) for h in df.hub]
    hubs = _ordered(results.region.values, HUB_ORDER)
    domain = list(GREEN_SOURCES)
    x = alt.X("hub:N", sort=hubs, title="hub", scale=alt.Scale(domain=hubs))
    y_title = "data-centre electricity (TWh)"
    layers: list[alt.Chart] = [alt.Chart(df).mark_bar().transform_calculate(
        order=_stack_order(domain, "source"), hub_name=_hub_name_expr(names)).encode(
        x=x, y=alt.Y("twh:Q", title=y_title, stack="zero"),
        color=alt.Color("source:N", title="covered by",
                        scale=alt.Scale(domain=domain, range=[GREEN_SOURCES[d] for d in domain])),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("hub_name:N", title="hub"), alt.Tooltip("source:N", title="covered by"),
                 alt.Tooltip("twh:Q", title="TWh", format=",.2f"),
                 alt.Tooltip("share:Q", title="green share achieved", format=".1%")],
    )]
    notes = [_share_sentence(results.green_share_achieved, target)]
    if target is not None:
        t = target if isinstance(target, xr.DataArray) else xr.DataArray(float(target))
        if "year" in t.dims:
            t = t.sel(year=year)
        need = (t * total.sel(year=year)).broadcast_like(total.sel(year=year))
        tdf = _frame(need, "target_twh", {"region": "hub"}, drop_zeros=False, decimals=3)
        tdf["target"] = [round(float(t.sel(region=h)) if "region" in t.dims else float(t), 4)
                         for h in tdf.hub]
        tdf = tdf[tdf.target_twh > 0]
        layers.append(alt.Chart(tdf).mark_tick(color="black", thickness=2, size=30).encode(
            x=x, y=alt.Y("target_twh:Q", title=y_title),
            tooltip=[alt.Tooltip("hub:N"), alt.Tooltip("target:Q", title="target share", format=".0%"),
                     alt.Tooltip("target_twh:Q", title="green TWh the target asks", format=",.2f")]))
        notes.append("black tick: the green electricity the target asks for")
    return alt.layer(*layers).properties(
        width=_WIDTH - 120, height=_HEIGHT,
        title=_title(f"Green electricity of data centres by hub, {year}", results, *notes))


def _share_sentence(share: xr.DataArray, target: float | xr.DataArray | None) -> str:
    """The green share achieved in words: one number when it is the same in every hub and year."""
    values = clean_noise(share).values
    values = values[np.isfinite(values)]
    if not len(values):
        return "no data-centre electricity"
    lo, hi = float(values.min()), float(values.max())
    text = (f"green share achieved: {lo:.0%} in every hub and year" if hi - lo < 5e-4 else
            f"green share achieved: {lo:.0%} to {hi:.0%} across hubs and years")
    if target is not None:
        t = np.atleast_1d(np.asarray(getattr(target, "values", target), dtype=float))
        text += (f" (target {t.min():.0%})" if np.ptp(t) < 5e-4 else
                 f" (targets {t.min():.0%} to {t.max():.0%})")
    return text


# ------------------------------------------------------------------------------- comparisons

#: Colours of scenarios in comparison charts, in the order given.
SCENARIO_COLORS: tuple[str, ...] = ("#4e79a7", "#e15759", "#59a14f", "#f28e2b", "#b07aa1", "#9c755f")


def _common_years(results: Mapping[str, xr.Dataset]) -> list[int]:
    years = sorted(set.intersection(*(set(int(y) for y in r.year.values) for r in results.values())))
    if not years:
        raise ValueError("the scenarios have no modelled year in common")
    return years


def _scenario_scale(names: Sequence[str]) -> alt.Scale:
    return alt.Scale(domain=list(names), range=[SCENARIO_COLORS[i % len(SCENARIO_COLORS)]
                                                for i in range(len(names))])


def _compare_title(text: str, results: Mapping[str, xr.Dataset], *extra: str) -> alt.TitleParams:
    first = next(iter(results))
    return alt.TitleParams(text=text, anchor="start",
                           subtitle=[*extra, "scenarios: " + ", ".join(results) + f" (reference: {first})"])


def compare_capacity(results: Mapping[str, xr.Dataset], year: int | None = None) -> AnyChart:
    """Capacity (GW) by technology in ``year`` in each scenario minus the first (the reference)."""
    names = list(results)
    if len(names) < 2:
        raise ValueError("a comparison needs at least two scenarios")
    years = _common_years(results)
    year = years[-1] if year is None else int(year)
    if year not in years:
        raise ValueError(f"year {year} is not modelled in every scenario; common years: {years}")
    ref = results[names[0]].capacity.sel(year=year).sum("region")
    rows = []
    for name in names[1:]:
        diff = results[name].capacity.sel(year=year).sum("region") - ref
        rows += [{"scenario": name, "tech": str(t), "difference_gw": round(float(v), 3) + 0.0}
                 for t, v in zip(diff.tech.values, diff.values, strict=True)]
    df = pd.DataFrame(rows)
    scale = _tech_scale(df.tech.unique())
    return alt.Chart(df).mark_bar().encode(
        x=alt.X("tech:N", sort=scale.domain, title="technology"),
        y=alt.Y("difference_gw:Q", title=f"capacity difference in {year} (GW)"),
        color=alt.Color("tech:N", scale=scale, title="technology", legend=None),
        column=alt.Column("scenario:N", title="scenario minus reference", sort=names[1:]),
        tooltip=[alt.Tooltip("scenario:N"), alt.Tooltip("tech:N", title="technology"),
                 alt.Tooltip("difference_gw:Q", title="difference (GW)", format="+,.2f")],
    ).properties(width=max(200, 40 * len(scale.domain)), height=_HEIGHT, title=_compare_title(
        f"Capacity in {year}: difference to the reference", results, "all hubs"))


def compare_totals(results: Mapping[str, xr.Dataset]) -> AnyChart:
    """Emissions (Mt), annual system cost (MUSD/yr) and demand-weighted price (USD/MWh) per year,
    one line per scenario."""
    names = list(results)
    rows = []
    for name, r in results.items():
        measures = {"CO2 emissions (Mt)": r.emissions.sum("region"),
                    "system cost (MUSD/yr)": r.cost.sum("component"),
                    "average price (USD/MWh)": demand_weighted_price(r)}
        for label, da in measures.items():
            rows += [{"scenario": name, "year": int(y), "measure": label, "value": float(v)}
                     for y, v in zip(da.year.values, da.values, strict=True)]
    df = pd.DataFrame(rows)
    return alt.Chart(df).mark_line(point=True).encode(
        x=alt.X("year:O", title="year"),
        y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False)),
        color=alt.Color("scenario:N", scale=_scenario_scale(names), title="scenario"),
        tooltip=[alt.Tooltip("scenario:N"), alt.Tooltip("year:O"), alt.Tooltip("measure:N"),
                 alt.Tooltip("value:Q", format=",.1f")],
    ).properties(width=220, height=180).facet(
        column=alt.Column("measure:N", title=None, sort=list(dict.fromkeys(df.measure))),
    ).resolve_scale(y="independent").properties(title=_compare_title(
        "Emissions, cost and prices by scenario", results, "all hubs; price weighted by demand"))


def compare_hubs(results: Mapping[str, xr.Dataset], variable: str = "dc_capacity",
                 year: int | None = None) -> AnyChart:
    """A per-hub variable (region, year) in ``year`` side by side for each scenario, e.g.
    ``dc_capacity`` (GW) or ``price_average`` (USD/MWh)."""
    names = list(results)
    for name, r in results.items():
        if variable not in r:
            raise ValueError(f"scenario {name!r} has no {variable!r} in its results")
    years = _common_years(results)
    year = years[-1] if year is None else int(year)
    first = results[names[0]][variable]
    units, label = first.attrs.get("units", ""), first.attrs.get("long_name", variable)
    rows = []
    for name, r in results.items():
        da = r[variable].sel(year=year)
        rows += [{"scenario": name, "hub": str(h), "value": round(float(v), 4) + 0.0}
                 for h, v in zip(da.region.values, da.values, strict=True)]
    df = pd.DataFrame(rows)
    return alt.Chart(df).mark_bar().encode(
        x=alt.X("scenario:N", sort=names, title=None, axis=alt.Axis(labels=False, ticks=False)),
        y=alt.Y("value:Q", title=f"{label} ({units})"),
        color=alt.Color("scenario:N", scale=_scenario_scale(names), title="scenario"),
        column=alt.Column("hub:N", sort=_ordered(df.hub.unique(), HUB_ORDER), title="hub"),
        tooltip=[alt.Tooltip("scenario:N"), alt.Tooltip("hub:N"),
                 alt.Tooltip("value:Q", title=f"{label} ({units})", format=",.2f")],
    ).properties(width=14 * len(names) + 10, height=_HEIGHT, title=_compare_title(
        f"{label[:1].upper() + label[1:]} by hub in {year}", results))


# ------------------------------------------------------------------------------------ hydrogen

H2_COLORS: dict[str, str] = {"electrolytic (green)": "#5fb7a6", "grey": "#7f7f7f"}


def hydrogen_supply(results: xr.Dataset, names: Mapping[str, str] | None = None) -> AnyChart:
    """Hydrogen supplied per hub and year (kt): electrolytic vs grey, stacked; the tooltip adds the
    hydrogen price and the levelised cost of electrolytic hydrogen."""
    if "h2_produced" not in results:
        raise ValueError("these results have no hydrogen (the dataset has no hydrogen tables)")
    parts = []
    for var, label in (("h2_produced", "electrolytic (green)"), ("h2_grey", "grey")):
        df = _frame(results[var], "kt", {"region": "hub"}, decimals=3)
        parts.append(df.assign(source=label))
    df = pd.concat(parts, ignore_index=True)
    df["year"] = df.year.astype(int)
    price = results.h2_price_average.to_dataframe(name="price").reset_index()
    df = df.merge(price.rename(columns={"region": "hub"}), on=["hub", "year"], how="left")
    df["price"] = df.price.round(3)
    domain = list(H2_COLORS)
    return alt.Chart(df).mark_bar().transform_calculate(hub_name=_hub_name_expr(names)).encode(
        x=alt.X("year:O", title=None),
        y=alt.Y("kt:Q", title="hydrogen supplied (kt per year)"),
        color=alt.Color("source:N", scale=alt.Scale(domain=domain, range=[H2_COLORS[d] for d in domain]),
                        title="source"),
        tooltip=[alt.Tooltip("hub_name:N", title="hub"), alt.Tooltip("year:O"),
                 alt.Tooltip("source:N"), alt.Tooltip("kt:Q", title="kt", format=",.1f"),
                 alt.Tooltip("price:Q", title="hydrogen price (USD/kg)", format=".2f")],
    ).properties(width=max(60, 24 * results.sizes["year"]), height=_HEIGHT).facet(
        column=alt.Column("hub:N", sort=_ordered(results.region.values, HUB_ORDER), title="hub"),
    ).properties(title=_title("Hydrogen supply by hub", results,
                              "electrolysers vs grey (coal or gas) hydrogen; exogenous demand"))


# ------------------------------------------------------------------------ market and indicators

#: Indicators shown by :func:`indicators_by_hub` (those present), in this order.
HUB_INDICATORS: tuple[str, ...] = (
    "reserve_margin_achieved", "unserved_share", "import_dependence", "curtailment_rate",
    "price_average", "carbon_intensity_electricity", "dc_share_of_peak", "green_share_dc",
    "pue_average", "carbon_intensity_compute", "carbon_intensity_compute_location",
    "carbon_intensity_compute_marginal")


#: Marks where :func:`_wrapped` breaks a legend label into lines (a legend's ``labelExpr`` splits).
_WRAP = "|"


def _wrapped(text: str, width: int = 72) -> str:
    """A long legend label in lines of at most ``width`` characters (about the plot's width at
    the legend's font), so the legend stays inside the chart instead of running off the page."""
    return _WRAP.join(textwrap.wrap(text.replace(_WRAP, "/"), width, break_on_hyphens=False))


def market_outlook(market: xr.Dataset, path: xr.DataArray) -> AnyChart:
    """The model-implied market by segment (stacked bars, USD bn/yr) against the projected path
    (line): ``market`` from :func:`synergy_models.market.market_value`, ``path`` from
    :func:`~synergy_models.market.projection`."""
    value = market["value"] / USD_PER_USD_BN
    names = dict(zip(market.segment.values, market.get("segment_long_name", market.segment).values,
                     strict=True))
    df = _frame(value, "usd_bn", decimals=3)
    df["year"] = df.year.astype(int)
    df["segment_name"] = df.segment.map(lambda s: str(names[s]))
    df["segment_label"] = df.segment_name.map(_wrapped)
    proj = pd.DataFrame({"year": path.year.values.astype(int), "usd_bn": path.values / USD_PER_USD_BN})
    end = f"{float(path.attrs.get('end_value', path.values[-1])) / USD_PER_USD_BN:,.0f}"
    rate = f"{float(path.attrs.get('cagr', 0)) * 100:.0f}%"
    bars = alt.Chart(df).mark_bar().encode(
        x=alt.X("year:O", title="year", scale=alt.Scale(domain=[int(y) for y in proj.year])),
        y=alt.Y("sum(usd_bn):Q", title="market value (USD bn per year)"),
        color=alt.Color("segment_label:N", title="model-implied segment",
                        legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=0,
                                          labelExpr=f"split(datum.label, {json.dumps(_WRAP)})"),
                        scale=alt.Scale(scheme="tableau10")),
        tooltip=[alt.Tooltip("year:O"), alt.Tooltip("segment_name:N", title="segment"),
                 alt.Tooltip("sum(usd_bn):Q", title="USD bn/yr", format=",.2f")])
    line = alt.Chart(proj).mark_line(point=True, color="#333333", strokeDash=[6, 3]).encode(
        x="year:O", y="usd_bn:Q",
        tooltip=[alt.Tooltip("year:O"), alt.Tooltip("usd_bn:Q", title="projection (USD bn/yr)",
                                                    format=",.1f")])
    return alt.layer(bars, line).properties(width=_WIDTH, height=_HEIGHT + 60, title=alt.TitleParams(
        "Computing-power-electricity market: model vs projection", anchor="start", subtitle=[
            f"dashed: projection of USD {end} bn in {path.attrs.get('end_year', '')} at {rate} a "
            "year (a projection, not calibration data)",
            "bars: model-implied value by segment (annualised costs at model prices)",
            f"scenario: {market.attrs.get('scenario', '')}"]))


def indicators_by_hub(ind: xr.Dataset, year: int | None = None,
                      names: Mapping[str, str] | None = None) -> AnyChart:
    """Safety and efficiency indicators (from :func:`synergy_models.indicators.indicators`) by hub
    in ``year``: one small panel per indicator, with its units."""
    year = _year(ind, year)
    rows = []
    zero = []
    for name in HUB_INDICATORS:
        if name not in ind or "region" not in ind[name].dims:
            continue
        da = clean_noise(ind[name].sel(year=year))  # solver noise (1e-13) is 0, not an axis
        units = da.attrs.get("units", "")
        label = name.replace("_", " ") + (f" ({'share' if units == '1' else units})" if units else "")
        values = [(str(h), round(float(v), 6)) for h, v in zip(da.region.values, da.values,
                                                               strict=True) if np.isfinite(v)]
        if not any(v for _, v in values):  # an empty panel: named in the subtitle instead
            zero.append(name.replace("_", " "))
            continue
        rows += [{"indicator": label, "hub": h, "value": v} for h, v in values]
    if not rows:
        raise ValueError("no indicator by hub to plot")
    df = pd.DataFrame(rows)
    order = list(dict.fromkeys(df.indicator))
    return alt.Chart(df).mark_bar().transform_calculate(hub_name=_hub_name_expr(names)).encode(
        x=alt.X("hub:N", sort=_ordered(df.hub.unique(), HUB_ORDER), title=None),
        y=alt.Y("value:Q", title=None),
        color=alt.Color("hub:N", scale=_hub_scale(df.hub.unique()), legend=None),
        tooltip=[alt.Tooltip("hub_name:N", title="hub"), alt.Tooltip("indicator:N"),
                 alt.Tooltip("value:Q", format=",.3g")],
    ).properties(width=150, height=110).facet(
        facet=alt.Facet("indicator:N", sort=order, title=None), columns=4,
    ).resolve_scale(y="independent").properties(title=alt.TitleParams(
        f"Safety and efficiency indicators by hub, {year}", anchor="start",
        subtitle=["definitions and units: docs/indicators.md",
                  *([f"zero in every hub (not drawn): {', '.join(zero)}"] if zero else []),
                  f"scenario: {ind.attrs.get('scenario', '')}"]))


# -------------------------------------------------------------------------------------- sweeps

def sweep_lines(summary: pd.DataFrame, x: str, color: str | None = None,
                measures: Mapping[str, str] | None = None,
                reference: Mapping[str, float] | None = None) -> AnyChart:
    """Headline figures of a sweep (one row per case, e.g.
    :func:`synergy_models.sweep.summary_table`) against the swept parameter ``x``, one line per
    value of ``color``; ``reference`` draws a horizontal rule per measure (e.g. the projected
    market). Failed cases are left out and counted in the subtitle."""
    measures = dict(measures or {"market_value_USD_bn": "market value (USD bn/yr)",
                                 "emissions_Mt": "CO2 emissions (Mt)",
                                 "price_average_USD_MWh": "average price (USD/MWh)"})
    ok = summary[summary.status.isin(["solved", "resumed"])]
    failed = len(summary) - len(ok)
    # Vega reads "a.b" as a nested field: swept keys such as dc_electricity.2030 get safe names
    titles = {x: x, **({color: color} if color else {})}
    ok = ok.rename(columns={k: k.replace(".", "_") for k in titles})
    x, color = x.replace(".", "_"), color.replace(".", "_") if color else None
    titles = {k.replace(".", "_"): v for k, v in titles.items()}
    keys = [x] + ([color] if color else [])
    long = ok.melt(id_vars=keys, value_vars=[m for m in measures if m in ok], var_name="measure",
                   value_name="value")
    long["measure"] = long.measure.map(measures)
    if color:
        long[color] = long[color].map(lambda v: f"{v:,g}" if isinstance(v, float) else str(v))
    enc = {"x": alt.X(f"{x}:Q", title=titles[x]), "y": alt.Y("value:Q", title=None),
           "tooltip": [*(alt.Tooltip(f"{k}:N" if k == color else f"{k}:Q") for k in keys),
                       alt.Tooltip("measure:N"), alt.Tooltip("value:Q", format=",.2f")]}
    if color:
        enc["color"] = alt.Color(f"{color}:N", title=titles[color])
    if reference:
        # the rule reads the same data (a facet takes one data source): the reference per measure
        long["reference"] = long.measure.map(
            {measures[k]: float(v) for k, v in reference.items() if k in measures})
    base = alt.Chart(long)
    chart: AnyChart = base.mark_line(point=True).encode(**enc)
    if reference:
        chart = alt.layer(chart, base.mark_rule(
            strokeDash=[6, 3], color="#333333").encode(
            y="mean(reference):Q", tooltip=[alt.Tooltip("mean(reference):Q", title="reference",
                                                        format=",.1f")]))
    subtitle = [f"{len(ok)} cases" + (f"; {failed} failed (not drawn)" if failed else "")]
    if reference:
        subtitle.append("dashed: reference (e.g. the USD 310 bn projection, not calibration data)")
    return chart.properties(width=240, height=200).facet(
        column=alt.Column("measure:N", title=None, sort=list(measures.values())),
    ).resolve_scale(y="independent").properties(title=alt.TitleParams(
        f"Sweep: headline figures against {titles[x]}", subtitle=subtitle, anchor="start"))


#: Figures of a sweep's technology table (:func:`synergy_models.sweep.technology_table`) that
#: :func:`sweep_capacity` draws, with their axis titles.
SWEEP_TECH_MEASURES: dict[str, str] = {"capacity_GW": "capacity, all hubs (GW)",
                                       "generation_TWh": "generation, all hubs (TWh)"}


def _value_label(v: object) -> str:
    return f"{v:,g}" if isinstance(v, float | int | np.number) and not isinstance(v, bool) else str(v)


def sweep_capacity(table: pd.DataFrame, x: str, facet: str | None = None,
                   measure: str = "capacity_GW", min_base: float = 0.01) -> AnyChart:
    """Capacity (or generation, ``measure="generation_TWh"``) by technology against the swept
    parameter ``x``, one line per technology: the level (top row) and the change against the
    case with the lowest ``x`` in percent (bottom row; technologies below ``min_base`` there are
    left out), one column per value of ``facet``.

    ``table``: one row per case and technology (:func:`synergy_models.sweep.technology_table`).
    Every other swept parameter (the columns between ``case`` and ``status``) must hold one value,
    shown in the subtitle: select one first (:func:`synergy_models.sweep.at_middle`). Failed cases
    are left out and counted in the subtitle."""
    if measure not in SWEEP_TECH_MEASURES:
        raise ValueError(f"measure must be one of {list(SWEEP_TECH_MEASURES)}, not {measure!r}")
    names = [str(c) for c in table.columns]
    params = names[names.index("case") + 1:names.index("status")]
    for name in (x, facet):
        if name is not None and name not in params:
            raise ValueError(f"{name!r} is not a swept parameter of the table; parameters: {params}")
    ok = table[table.status.isin(["solved", "resumed"]) & table[measure].notna()]
    failed = table.loc[~table.status.isin(["solved", "resumed"]), "case"].nunique()
    others = {}
    for name in params:
        if name in (x, facet):
            continue
        values = ok[name].unique()
        if len(values) > 1:
            raise ValueError(f"{name!r} varies too ({len(values)} values): select one, e.g. with "
                             "synergy_models.sweep.at_middle(table, [x, facet])")
        if len(values):
            others[name] = values[0]
    unit = measure.rsplit("_", 1)[1]
    level = SWEEP_TECH_MEASURES[measure]
    first = ok[x].min() if len(ok) else 0
    change = f"change against {x} = {_value_label(first)} (%)"
    # Vega reads "a.b" as a nested field: swept keys such as dc_electricity.2030 get safe names
    fx, ff = x.replace(".", "_"), facet.replace(".", "_") if facet else None
    df = pd.DataFrame({fx: ok[x].astype(float), "tech": ok.tech.astype(str),
                       "value": ok[measure].astype(float)})
    df[ff or "panel"] = ok[facet].map(_value_label) if facet else ""
    group = [ff or "panel", "tech"]
    df = df.sort_values([*group, fx]).reset_index(drop=True)
    base = df.groupby(group)["value"].transform("first")  # at the lowest x of each line
    pct = df.assign(value=(100 * (df.value / base - 1)).where(base.abs() >= min_base))
    both = pd.concat([df.assign(view=level), pct.dropna(subset=["value"]).assign(view=change)],
                     ignore_index=True)
    both["value"] = both.value.round(4)
    techs = _ordered(both.tech.unique(), TECH_ORDER)
    tip = [alt.Tooltip("tech:N", title="technology"), alt.Tooltip(f"{fx}:Q", title=x),
           *([alt.Tooltip(f"{ff}:N", title=facet)] if ff else []), alt.Tooltip("view:N", title="figure"),
           alt.Tooltip("value:Q", title="value", format=",.2f")]
    chart = alt.Chart(both).mark_line(point=True).encode(
        x=alt.X(f"{fx}:Q", title=x), y=alt.Y("value:Q", title=None),
        color=alt.Color("tech:N", scale=_tech_scale(techs), title="technology", sort=techs),
        tooltip=tip,
    ).properties(width=220 if facet else 420, height=180)
    subtitle = [f"{ok.case.nunique()} cases" + (f"; {failed} failed (not drawn)" if failed else ""),
                f"bottom: technologies under {min_base:g} {unit} at {x} = {_value_label(first)} left out"]
    if others:
        subtitle.append("other parameters: " + ", ".join(f"{k} = {_value_label(v)}"
                                                          for k, v in others.items()))
    column = {"column": alt.Column(f"{ff}:N", title=facet, sort=[
        _value_label(v) for v in sorted(ok[facet].unique())])} if facet and ff else {}
    what = "Capacity" if measure == "capacity_GW" else "Generation"
    return chart.facet(row=alt.Row("view:N", title=None, sort=[level, change]), **column
                       ).resolve_scale(y="independent").properties(title=alt.TitleParams(
        f"Sweep: {what} by technology against {x}", subtitle=subtitle, anchor="start"))


# -------------------------------------------------------------------------------- all and export

def all_charts(results: xr.Dataset, inputs: xr.Dataset | None = None, year: int | None = None
               ) -> dict[str, AnyChart]:
    """Every chart that applies to the results, by a stable name. Year-specific charts show ``year``
    (default: the last modelled year); dispatch charts are named ``dispatch_<hub>``."""
    year = _year(results, year)
    names = hub_names(inputs) if inputs is not None and "region_name" in inputs else None
    charts: dict[str, AnyChart] = {
        "capacity_by_hub": capacity_by_hub(results, names=names),
        "capacity_build_out": capacity_build_out(results),
        "generation_mix": generation_mix(results, names=names),
    }
    for hub in _ordered(results.region.values, HUB_ORDER):
        charts[f"dispatch_{hub}"] = dispatch_days(results, hub, year, names=names)
    charts["price_profiles"] = price_profiles(results, year, names=names)
    charts["price_duration"] = price_duration(results, year, names=names)
    if results.sizes.get("line", 0):
        charts["corridor_flows"] = corridor_flows(results, year)
    if inputs is not None and {"lat", "lon"} <= set(inputs.variables):
        charts["hub_map"] = hub_map(results, inputs, year)
    if inputs is not None and (provinces := province_map_for_report(results, inputs, year)):
        charts["province_map"] = provinces
    charts["curtailment"] = curtailment(results, names=names)
    charts["emissions"] = emissions(results, names=names)
    if has_operating_reserves(results):
        charts["operating_reserves"] = operating_reserves_chart(results, names=names)
    if "dc_capacity" in results:
        target = inputs.get("green_share_target") if inputs is not None else None
        charts["dc_capacity"] = dc_capacity_chart(results, names=names)
        charts["compute_exports"] = compute_exports_chart(results, year, names=names)
        charts["green_share"] = green_share_chart(results, target, names=names)
    return charts


#: The output type under which :func:`mimebundle_and_metadata` keeps a chart's Vega-Lite spec in a
#: notebook. No front end draws it (JupyterLab shows the static picture beside it); the report's
#: HTML export draws it with vega-embed (:func:`vega_javascript`), so tooltips and zoom work offline.
SPEC_MIME = "application/vnd.synergy.vegalite+json"


def mimebundle_and_metadata(chart: AnyChart) -> tuple[dict[str, object], dict[str, object]]:
    """What a notebook shows for ``chart``: the active renderer's static picture (SVG with
    :func:`use_svg_renderer`, SVG and PNG with :func:`use_notebook_renderer`) plus the chart's
    Vega-Lite spec under :data:`SPEC_MIME`; and the renderer's metadata (the PNG's display size),
    rendered once."""
    bundle = chart._repr_mimebundle_()
    data = dict(bundle[0] if isinstance(bundle, tuple) else bundle)
    metadata = dict(bundle[1]) if isinstance(bundle, tuple) and len(bundle) > 1 else {}
    if isinstance(data.get("image/svg+xml"), str):
        data["image/svg+xml"] = without_invisible_marks(data["image/svg+xml"])
    data[SPEC_MIME] = chart.to_dict()
    # what a front end that shows none of the pictures prints instead (altair's own text)
    data.setdefault("text/plain", f"alt.{type(chart).__name__}(...)")
    return data, metadata


def without_invisible_marks(svg: str) -> str:
    """A static SVG without the fully transparent marks (the hover points of :data:`_HOVER`, which
    only a live chart uses): the picture is the same, up to 5 times smaller."""
    return re.sub(r'<path [^>]*\bopacity="0"/>', "", svg)


@functools.cache
def vega_javascript() -> str:
    """Vega, Vega-Lite (the version altair writes specs for) and vega-embed in one script that sets
    ``window.vegaEmbed``: vl-convert's bundle, about 0.9 MB, loaded from nothing but itself."""
    import vl_convert

    version = alt.SCHEMA_VERSION.lstrip("v").rsplit(".", 1)[0]  # v6.4.1 -> 6.4
    try:
        return vl_convert.javascript_bundle(vl_version=version)
    except (ValueError, RuntimeError):  # a vl-convert without this version: its newest one
        return vl_convert.javascript_bundle()


def use_svg_renderer() -> None:
    """Draw charts in notebooks as SVG (vl-convert): the output is a picture that shows in any
    HTML export with no network, unlike altair's default renderer, which loads Vega from a CDN."""
    alt.renderers.enable("svg")


def chart_size_bytes(chart: AnyChart) -> int:
    """Size of the chart's Vega-Lite JSON (data embedded), in bytes."""
    return len(chart.to_json().encode("utf-8"))


def save_chart(chart: AnyChart, path: str | Path, scale_factor: float = 2.0) -> Path:
    """Write a chart as ``.svg`` or ``.png`` (vl-convert, offline); ``scale_factor`` for PNG.
    Written atomically (:func:`synergy_models.io.replacing`): a failed run leaves no half file."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".svg", ".png"):
        raise ValueError(f"save_chart writes .svg or .png, not {path.name!r}")
    with replacing(path) as tmp:  # the format is given: the temporary name's suffix is .tmp
        if suffix == ".png":
            chart.save(str(tmp), format="png", scale_factor=scale_factor)
        else:
            chart.save(str(tmp), format="svg")
            tmp.write_text(without_invisible_marks(tmp.read_text(encoding="utf-8")), encoding="utf-8")
    return path


# ------------------------------------------------------------------------------ market layers

def market_layers(view: xr.Dataset, path: xr.DataArray) -> AnyChart:
    """The market outlook by layer (stacked bars, USD bn/yr; the model's layer first) against the
    projected path (dashed line): ``view`` from :func:`synergy_models.market.outlook`, ``path``
    from :func:`~synergy_models.market.projection`."""
    names = dict(zip(view.layer.values, view.layer_long_name.values, strict=True))
    df = _frame(view["value"] / USD_PER_USD_BN, "usd_bn", decimals=3)
    df["year"] = df.year.astype(int)
    df["layer_name"] = df.layer.map(lambda s: str(names[s]))
    df["layer_label"] = df.layer_name.map(_wrapped)
    df["order"] = df.layer.map({name: i for i, name in enumerate(view.layer.values)})
    years = [int(y) for y in view.year.values]
    proj = pd.DataFrame({"year": years, "usd_bn": [float(path.sel(year=y)) / USD_PER_USD_BN
                                                   if y in path.year.values else np.nan
                                                   for y in years]}).dropna()
    bars = alt.Chart(df).mark_bar().encode(
        x=alt.X("year:O", title="year"),
        y=alt.Y("sum(usd_bn):Q", title="USD bn per year"),
        color=alt.Color("layer_label:N", title="layer",
                        sort=[_wrapped(str(names[n])) for n in view.layer.values],
                        legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=0,
                                          labelExpr=f"split(datum.label, {json.dumps(_WRAP)})"),
                        scale=alt.Scale(scheme="tableau10")),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("year:O"), alt.Tooltip("layer_name:N", title="layer"),
                 alt.Tooltip("sum(usd_bn):Q", title="USD bn/yr", format=",.1f")])
    end = f"{float(path.attrs.get('end_value', path.values[-1])) / USD_PER_USD_BN:,.0f}"
    rate = f"{float(path.attrs.get('cagr', 0)) * 100:.0f}%"
    line = alt.Chart(proj).mark_line(point=alt.OverlayMarkDef(color="#333333"), color="#333333",
                                     strokeDash=[6, 3]).encode(
        x="year:O", y="usd_bn:Q",
        tooltip=[alt.Tooltip("year:O"), alt.Tooltip("usd_bn:Q", title="projection (USD bn/yr)",
                                                    format=",.1f")])
    return alt.layer(bars, line).properties(width=_WIDTH, height=_HEIGHT + 60, title=alt.TitleParams(
        "Market outlook by layer vs the projection", anchor="start", subtitle=[
            "bars: (a) from the solved scenario; (b)-(f) from sourced figures (data/market_layers.yaml)",
            f"dashed: the brief's projection, USD {end} bn in {path.attrs.get('end_year', '')} at "
            f"{rate} a year (scope not stated; docs/market.md)",
            f"scenario: {view.attrs.get('scenario', '')}"]))


# ------------------------------------------------------- notebooks: charts that show untrusted

#: Scale of the PNG copy of a chart in a notebook output (1.5: sharp enough on high-density screens,
#: smaller files than 2; the output's metadata gives the size to show it at).
NOTEBOOK_PNG_SCALE = 1.5
NOTEBOOK_RENDERER = "svg_png"


def svg_png_renderer(spec: dict, **metadata: object) -> tuple[dict, dict]:
    """A chart as one notebook output holding both an SVG and a PNG picture (vl-convert, offline).

    JupyterLab shows a trusted notebook's SVG but never an untrusted one's (a ``report.ipynb``
    opened fresh is untrusted): with SVG alone it falls back to the text ``alt.Chart(...)``. A PNG
    is shown either way; nbconvert's HTML prefers the SVG, so reports are unchanged."""
    from altair.utils.mimebundle import spec_to_mimebundle

    versions = {"mode": "vega-lite", "vegalite_version": alt.VEGALITE_VERSION,
                "vega_version": alt.VEGA_VERSION, "vegaembed_version": alt.VEGAEMBED_VERSION}
    svg = spec_to_mimebundle(spec, format="svg", **versions)
    png, png_metadata = spec_to_mimebundle(spec, format="png", scale_factor=NOTEBOOK_PNG_SCALE,
                                           **versions)
    return {**svg, **png}, png_metadata


def use_notebook_renderer() -> None:
    """Draw charts in notebooks as :func:`svg_png_renderer` outputs: shown by JupyterLab whether
    or not the notebook is trusted, and by any HTML export with no network."""
    if NOTEBOOK_RENDERER not in alt.renderers.names():
        alt.renderers.register(NOTEBOOK_RENDERER, svg_png_renderer)
    alt.renderers.enable(NOTEBOOK_RENDERER)


def forecasting_value_chart(value: pd.DataFrame, reference: str, lever: str) -> AnyChart:
    """What better forecasting saves before its own cost against what it costs, per year
    (MUSD/yr; bars), from :func:`synergy_models.indicators.forecasting_value`."""
    yearly = value.drop(index=[HORIZON_ROW, HORIZON_TOTAL_ROW], errors="ignore")
    cost, forecasting = yearly["cost MUSD/year"], yearly["forecasting cost MUSD/year"]
    parts = {"saving before the forecasts' cost": -(cost - forecasting),
             "cost of the forecasts": forecasting, "net change in system cost": cost}
    df = pd.DataFrame([{"year": str(y), "part": part, "musd": float(v)}
                       for part, series in parts.items() for y, v in series.items()])
    order = list(parts)
    return alt.Chart(df).mark_bar().encode(
        x=alt.X("part:N", sort=order, title=None, axis=alt.Axis(labels=False, ticks=False)),
        y=alt.Y("musd:Q", title="MUSD per year"),
        color=alt.Color("part:N", sort=order, title=None,
                        scale=alt.Scale(domain=order, range=["#2a9d8f", "#e76f51", "#264653"])),
        column=alt.Column("year:O", title=None),
        tooltip=[alt.Tooltip("year:O"), alt.Tooltip("part:N"),
                 alt.Tooltip("musd:Q", format=",.1f", title="MUSD/yr")],
    ).properties(width=150, height=220, title=alt.TitleParams(
        "What better forecasting is worth", subtitle=[f"{lever} against {reference}, all hubs; "
                                                       "negative net change: a saving"]))
