"""Readable summaries of inputs and results as tables: for ``synergy validate``, ``synergy run``
and the report notebooks.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import xarray as xr

from synergy_models.indicators import (
    HORIZON_ROW,
    HORIZON_TOTAL_ROW,
    demand_weighted_price,
    hub_of,
    hub_view,
)
from synergy_models.units import GWH_PER_TWH, USD_MWH_PER_MUSD_GWH, USD_PER_USD_BN


def summary_tables(inputs: xr.Dataset) -> list[tuple[str, pd.DataFrame]]:
    """(title, table) pairs describing hubs, technologies, corridors and the time reduction."""
    first, last = int(inputs.year[0]), int(inputs.year[-1])
    hubs = pd.DataFrame({
        "hub": inputs.region_name.values,
        f"demand {inputs.attrs['base_year']} TWh": inputs.demand_base.values / GWH_PER_TWH,
        "growth %/yr": inputs.demand_growth.values * 100,
        f"demand {last} TWh": inputs.demand.sel(year=last).values / GWH_PER_TWH,
        f"peak {last} GW": inputs.peak_load.sel(year=last).values,
        "PUE new builds": inputs.pue.values,
    }, index=pd.Index(inputs.region.values, name="region"))
    if "pue_existing" in inputs:
        hubs["PUE existing fleet"] = inputs.pue_existing.values
    hubs["coal marginal cost USD/MWh"] = (inputs.marginal_cost.sel(tech="coal").values
                                          * USD_MWH_PER_MUSD_GWH)
    caps = inputs.capacity_existing.to_pandas()
    caps.columns = [f"{c} GW" for c in caps.columns]
    hubs = hubs.join(caps)

    techs = pd.DataFrame({
        f"capex {first} USD/kW": inputs.capex.sel(year=first).values,
        f"capex {last} USD/kW": inputs.capex.sel(year=last).values,
        "FOM %/yr": inputs.fom_share.values * 100,
        "marginal cost USD/MWh (hub mean)": inputs.marginal_cost.mean("region").values
        * USD_MWH_PER_MUSD_GWH,
        "CO2 t/MWh": inputs.emission_intensity.values,
        "lifetime yr": inputs.lifetime.values,
        "capacity credit": inputs.capacity_credit.values,
    }, index=pd.Index(inputs.tech.values, name="tech"))

    lines = pd.DataFrame({
        "from": inputs.line_from.values, "to": inputs.line_to.values,
        "status": inputs.line_status.values,
        f"capacity {last} GW": inputs.line_capacity_existing.sel(year=last).values,
        "length km": inputs.line_length.values,
        "loss %": inputs.line_loss.values * 100,
        "fixed export GW": inputs.line_schedule.values,
    }, index=pd.Index(inputs.line.values, name="line"))

    hourly = inputs.reduction_rmse.to_pandas().T
    hourly.columns = [f"RMSE {c}" for c in hourly.columns]
    duration = inputs.reduction_rmse_duration.to_pandas().T
    duration.columns = [f"duration RMSE {c}" for c in duration.columns]
    reduction = hourly.join(duration)
    tables = [
        ("Hubs", hubs), ("Technologies (model years " f"{first}-{last})", techs),
        ("UHV corridors", lines),
        (f"Time reduction: {inputs.attrs['time_resolution']} "
         f"({int(inputs.sizes['time'])} time steps)", reduction),
    ]
    if "aggregation_rmse" in inputs:
        spatial = inputs.aggregation_rmse.to_pandas().T
        spatial.columns = [f"RMSE {c}" for c in spatial.columns]
        spatial.insert(0, "internal lines GW", inputs.aggregation_internal_lines.values)
        spatial.insert(0, "members", inputs.aggregation_members.values)
        if "aggregation_components" in inputs:
            spatial.insert(1, "groups lines join", inputs.aggregation_components.values)
        tables.append((f"Spatial aggregation: {inputs.attrs.get('spatial_aggregation', '')} "
                       f"({int(inputs.aggregation_members.sum())} regions into "
                       f"{int(inputs.sizes['region'])})", spatial))
    return [(title, frame.round(3)) for title, frame in tables]


def results_tables(results: xr.Dataset) -> list[tuple[str, pd.DataFrame]]:
    """(title, table) pairs summarising a results Dataset for the command line."""
    last = int(results.year[-1])
    capacity = results.capacity.sum("region").to_pandas()
    generation = results.generation_annual.sum("region").to_pandas()
    hubs = pd.DataFrame({
        "price USD/MWh": results.price_average.sel(year=last).to_pandas(),
        "unserved TWh": results.unserved_annual.sel(year=last).to_pandas(),
        "emissions Mt": results.emissions.sel(year=last).to_pandas(),
    })
    totals = pd.DataFrame({
        "emissions Mt": results.emissions.sum("region").to_pandas(),
        "curtailment TWh": results.curtailment_annual.sum(["region", "gen_tech"]).to_pandas(),
        "unserved TWh": results.unserved_annual.sum("region").to_pandas(),
        "cost MUSD/yr": results.cost.sum("component").to_pandas(),
    })
    tables = [
        ("Capacity by technology, GW (all hubs)", capacity),
        ("Generation by technology, TWh (all hubs)", generation),
        (f"Hubs in {last}", hubs),
        ("Totals by year", totals),
    ]
    if "dc_capacity" in results:
        tables.append((f"Data centres in {last}", pd.DataFrame({
            "IT capacity GW": results.dc_capacity.sel(year=last).to_pandas(),
            "IT load TWh": (results.dc_load.sel(year=last) * results.weight).sum("time")
            .to_pandas() / GWH_PER_TWH,
            "compute exported TWh": results.compute_exports.sel(year=last).sum("region")
            .rename(origin="region").to_pandas(),
            "compute imported TWh": results.compute_exports.sel(year=last).sum("origin")
            .to_pandas(),
            "green share": results.green_share_achieved.sel(year=last).to_pandas(),
            "price paid USD/MWh": results.dc_price.sel(year=last).to_pandas(),
        })))
    return [(title, frame.round(2)) for title, frame in tables]


def comparison_table(results: dict[str, xr.Dataset]) -> pd.DataFrame:
    """Key numbers of each scenario in its last modelled year, and the change to the first."""
    rows = {}
    for name, r in results.items():
        last = int(r.year[-1])
        row = {
            "objective MUSD (PV)": r.attrs["objective"],
            f"emissions {last} Mt": float(r.emissions.sel(year=last).sum()),
            f"system cost {last} MUSD/yr": float(r.cost.sel(year=last).sum()),
            f"average price {last} USD/MWh": float(demand_weighted_price(r).sel(year=last)),
            f"wind + solar {last} GW": float(r.capacity.sel(year=last, tech=["wind", "solar"]).sum()),
            f"coal {last} GW": float(r.capacity.sel(year=last, tech="coal").sum()),
            f"curtailment {last} TWh": float(r.curtailment_annual.sel(year=last).sum()),
        }
        if "dc_capacity" in r:
            row[f"data centres {last} GW IT"] = float(r.dc_capacity.sel(year=last).sum())
            row[f"compute exported {last} TWh"] = float(r.compute_exports.sel(year=last).sum())
        rows[name] = row
    table = pd.DataFrame(rows).T
    table.index.name = "scenario"
    first = table.iloc[0]
    change = (table - first).add_suffix(" change")
    return table.join(change.iloc[:, [0, 1, 3, 4]]).round(1)


def _markdown(frame: pd.DataFrame) -> str:
    head = [frame.index.name or "", *map(str, frame.columns)]
    def cell(v: object) -> str:
        if not isinstance(v, float):
            return str(v)
        return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"

    rows = [[str(i), *(cell(v) for v in row)]
            for i, row in zip(frame.index, frame.itertuples(index=False), strict=True)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


# ------------------------------------------------------------------------- executive summary

#: The western hubs of "East Data, West Computing" (the others are the eastern ones): the default
#: when the inputs (``role_in_programme``, regions.csv ``role``) are not given.
WEST_HUBS: tuple[str, ...] = ("IM", "GZ", "GS", "NX")


def west_hubs(results: xr.Dataset, inputs: xr.Dataset | None = None) -> list[str]:
    """The hubs of ``results`` that the dataset's ``role`` column marks west (else
    :data:`WEST_HUBS`)."""
    hubs = list(map(str, results.region.values))
    if inputs is not None and "role_in_programme" in inputs:
        role = inputs.role_in_programme.to_series().astype(str)
        return [h for h in hubs if role.get(h) == "west"]
    return [h for h in hubs if h in WEST_HUBS]
#: Limit families in words (``indicators.binding_limits``' ``family``); others read their
#: description up to its first parenthesis.
LIMIT_LABELS: dict[str, str] = {
    "power.build_rate": "build rate",
    "power.build_limit": "build limit over the horizon",
    "transmission.build_rate": "line build rate",
    "transmission.build_limit": "line build limit over the horizon",
    "compute.grid_safety": "grid-safety cap on data-centre load",
    "compute.dc_build_limit": "data-centre build limit",
    "compute.site_limit": "data-centre site tranche (supply curve of sites, quota)",
    "compute.export_share": "cap on compute served away from its origin",
    "compute.green_target": "green-share target of data centres",
    "compute.green_export": "cap on green output sold on",
    "compute.backup_requirement": "data-centre backup requirement",
    "policy.reserve_margin": "reserve margin",
    "policy.demand_response_limit": "demand-response limit",
    "thermal.must_run": "heat-led CHP must-run",
    "collector.collector_limit": "collector capacity inside the hub (wind and solar)",
    "collector.wind_limit": "collector capacity inside the hub (wind alone)",
    "collector.build_limit": "collector build limit over the horizon",
    "policy.carbon_cap": "carbon cap",
    "policy.renewable_share": "renewable-share minimum",
    "hydrogen.electrolyser_build_limit": "electrolyser build limit",
    "hydrogen.fuel_cell_build_limit": "fuel-cell build limit",
    "hydrogen.green_minimum": "green hydrogen minimum",
    "hydrogen.backup_share": "fuel-cell share of data-centre backup",
}
#: A limit "costs" when its shadow price is above this (in its price units).
COSTLY = 1e-6
#: Unserved energy (TWh a year, all hubs) and reserve shortfall payment (MUSD a year) that count.
UNSERVED_TWH = 1e-3
SHORTFALL_MUSD = 1e-3


def _names(results: xr.Dataset, inputs: xr.Dataset | None) -> dict[str, str]:
    if inputs is not None and "region_name" in inputs:
        return {str(r): str(n) for r, n in zip(inputs.region.values, inputs.region_name.values,
                                               strict=True)}
    return {str(r): str(r) for r in results.region.values}


def _hub(code: str, names: dict[str, str]) -> str:
    """"Inner Mongolia (IM)": the hub's name without its own parenthesis, and its id."""
    name = names.get(code, code).split(" (")[0]
    return code if name == code else f"{name} ({code})"


def _g(v: float, digits: int = 1) -> str:
    """A number for a sentence: thousands separated, ``digits`` decimals, noise shown as 0."""
    from synergy_models.tidy import clean_noise

    return f"{clean_noise(round(float(v), digits)):,.{digits}f}"


def _pct(part: float, whole: float) -> str:
    return f"{100 * part / whole:.0f}%" if whole > 0 else "0%"


def _list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def limit_label(family: str, description: str = "") -> str:
    """A limit family in words: :data:`LIMIT_LABELS`, else its description to the first ``(``."""
    if family in LIMIT_LABELS:
        return LIMIT_LABELS[family]
    return (description.split(" (")[0] or family).strip()


def hub_table(results: xr.Dataset, inputs: xr.Dataset, year: int | None = None
              ) -> pd.DataFrame:
    """The eight-hub view of a run at any spatial resolution, in ``year`` (default: the last):
    per hub (provinces outside the hubs in their grid region's rest) its regions, consumption,
    generation, net imports, emissions, consumption-weighted price, data-centre IT capacity and
    the compute it serves for other hubs (:func:`synergy_models.indicators.hub_view`)."""
    year = int(results.year.values[-1]) if year is None else year
    hubs = hub_of(inputs)
    view = hub_view(results, hubs).sel(year=year)
    members: dict[str, list[str]] = {}
    for region, hub in hubs.items():
        members.setdefault(hub, []).append(region)
    table = pd.DataFrame({
        "regions": [", ".join(members[str(h)]) for h in view.region.values],
        "consumption TWh": view.consumption.values,
        "generation TWh": view.generation.sum("gen_tech").values,
        "net imports TWh": view.net_imports.values,
        "emissions Mt": view.emissions.values,
        "price USD/MWh": view.price_average.values,
    }, index=pd.Index(view.region.values, name="hub"))
    if "dc_capacity" in view:
        table["data-centre IT GW"] = view.dc_capacity.values
        exports = view.compute_exports
        others = exports.where(exports.origin != exports.region, 0.0)
        table["compute served for other hubs TWh"] = others.sum("origin").values
    return table.round(2)


def limits_table(results: xr.Dataset, top: int | None = 15,
                 inputs: xr.Dataset | None = None) -> pd.DataFrame:
    """The limits that bind at a cost (shadow price above :data:`COSTLY`), most valuable first,
    in words: limit, hub(s), technology or line, year, value, shadow price and its units.

    Entries of one family, technology, line and year with the same shadow price (to 0.1) are one
    row naming their hubs ("every hub" when all bind). ``top``: the first rows only (None: all).
    Shadow prices are annual values of relaxing the limit by one unit (``docs/results.md``)."""
    out = _in_words(_costly_limits(results), results, inputs)
    return out if top is None else out.head(top)


#: Columns that name one limit entry in :func:`_costly_limits`.
_LIMIT_KEY = ["family", "region", "tech", "line", "zone", "year_key"]


def _costly_limits(results: xr.Dataset) -> pd.DataFrame:
    """:func:`~synergy_models.indicators.binding_limits` at a cost, every index column present
    (``""`` or year 0 where a family has none, in ``year_key``)."""
    from synergy_models.indicators import binding_limits

    table = binding_limits(results)
    table = table[table.shadow_price > COSTLY].copy()
    for col in ("region", "tech", "line", "zone"):
        if col not in table:
            table[col] = ""
    if "year" not in table:
        table["year"] = pd.array([pd.NA] * len(table), dtype="Int64")
    table["year_key"] = table.year.astype("float").fillna(0).astype(int)
    return table


def _in_words(table: pd.DataFrame, results: xr.Dataset, inputs: xr.Dataset | None,
              by_price: bool = True) -> pd.DataFrame:
    """Rows of :func:`_costly_limits` in words, hubs of one family, technology, line and year
    (and shadow price to 0.1, ``by_price``) joined in one row; most valuable first."""
    columns = ["limit", "hub", "technology / line", "year", "value", "units", "shadow price",
               "price units"]
    if table.empty:
        return pd.DataFrame(columns=columns)
    table = table.copy()
    ends = {}
    if "line_from" in results and results.sizes.get("line", 0):
        ends = {str(ln): f"{f}→{t}" for ln, f, t in zip(results.line.values, results.line_from.values,
                                                         results.line_to.values, strict=True)}
    names = _names(results, inputs)
    hubs = [str(r) for r in results.region.values]
    table["price_key"] = table.shadow_price.round(1) if by_price else 0.0
    keys = ["family", "tech", "line", "zone", "year_key", "price_key", "units", "price_units"]
    rows = []
    for key, group in table.groupby(keys, sort=False):
        family, tech, line, zone, year, _, units, price_units = key
        regions = [r for r in group.region if r]
        if regions and len(regions) == len(hubs) and len(hubs) > 1:
            where = "every hub"
        elif regions:
            where = ", ".join(regions) if len(regions) > 1 else _hub(regions[0], names)
        else:
            where = "all hubs" if zone == "system" else zone
        what = tech.replace("_", " ") if tech else (
            f"{ends[line]} ({line})" if line in ends else line)
        lo, hi = float(group.value.min()), float(group.value.max())
        value = _g(lo, 2) if abs(hi - lo) < 5e-3 else f"{_g(lo, 2)}–{_g(hi, 2)}"
        rows.append({"limit": limit_label(family, str(group.description.iloc[0])), "hub": where,
                     "technology / line": what, "year": str(year) if year else "all years",
                     "value": value, "units": units,
                     "shadow price": float(group.shadow_price.max()), "price units": price_units,
                     "lowest price": float(group.shadow_price.min())})
    out = pd.DataFrame(rows, columns=columns if by_price else [*columns, "lowest price"])
    out = out.sort_values("shadow price", ascending=False, kind="stable")
    out = out.reset_index(drop=True)
    out.index = pd.RangeIndex(1, len(out) + 1, name="rank")
    return out


def _limit_phrase(row: pd.Series) -> str:
    """"the nuclear build limit over the horizon in YRD: 123.3 USD/kW/year"."""
    what = row["technology / line"]
    what = f"the {what + ' ' if what else ''}{row['limit']}"
    where = f" in {row['hub']}" if row["hub"] else ""
    year = f" in {row['year']}" if row["year"] != "all years" else ""
    price = _g(row["shadow price"])
    if "lowest price" in row and _g(row["lowest price"]) != price:
        price = f"{_g(row['lowest price'])}–{price}"
    return f"{what}{where}{year} ({price} {row['price units']})"


def _every_hub_build_limits(results: xr.Dataset) -> list[str]:
    """Build limits (families with ``build`` in their name) that bind at a cost in every hub,
    as phrases "battery build rate in 2025, 2028 and 2030"."""
    from synergy_models.indicators import binding_limits

    table = binding_limits(results)
    hubs = {str(r) for r in results.region.values}
    if table.empty or "region" not in table or len(hubs) < 2:
        return []
    table = table[(table.shadow_price > COSTLY) & table.family.str.contains("build")
                  & (table.region != "")]
    if "tech" not in table:
        table = table.assign(tech="")
    year = table.year.astype("float").fillna(0).astype(int) if "year" in table else 0
    table = table.assign(year_key=year)
    found: dict[tuple[str, str], list[int]] = {}
    for (family, tech, y), group in table.groupby(["family", "tech", "year_key"], sort=False):
        if set(group.region) >= hubs:
            found.setdefault((family, tech), []).append(int(y))
    out = []
    for (family, tech), years in found.items():
        label = limit_label(family)
        years = sorted(y for y in years if y)
        out.append(f"the {tech.replace('_', ' ') + ' ' if tech else ''}{label}"
                   + (f" in {_list([str(y) for y in years])}" if years else ""))
    return out


def executive_summary(results: xr.Dataset, ind: xr.Dataset | None = None,
                      inputs: xr.Dataset | None = None,
                      market_gap: xr.Dataset | None = None) -> list[str]:
    """Sentences with the key numbers of a solved scenario, each computed from ``results``: prices
    by hub, where data-centre capacity goes (west: :func:`west_hubs`), compute served away from its
    origin against what the UHV lines carry, emissions from the first to the last year, hydrogen,
    the model-implied market against the projection (when ``market_gap``,
    :func:`synergy_models.market.gap`, is given), the limits that decide the outcome
    (:func:`limits_table`) and warnings (starting "**Warning:**") when a reserve shortfall
    payment, unserved energy or a build limit binding in every hub decides it.

    ``ind``: :func:`synergy_models.indicators.indicators` (the reserve margin by hub in the
    shortfall warning); ``inputs``: hub names."""
    r = results
    names = _names(r, inputs)
    years = [int(y) for y in r.year.values]
    first, last = years[0], years[-1]
    out: list[str] = []

    price = r.price_average.sel(year=last)
    order = price.to_series().sort_values()
    avg = float(demand_weighted_price(r).sel(year=last))
    out.append(f"In {last} the average electricity price is lowest in "
               f"{_hub(str(order.index[0]), names)} at {_g(order.iloc[0])} USD/MWh and highest in "
               f"{_hub(str(order.index[-1]), names)} at {_g(order.iloc[-1])} USD/MWh "
               f"(all hubs, weighted by demand: {_g(avg)} USD/MWh).")

    if "dc_capacity" in r:
        west = west_hubs(r, inputs)
        cap = r.dc_capacity.sel(year=last)
        total, in_west = float(cap.sum()), float(cap.sel(region=west).sum())
        new = r.dc_capacity_new.sum("year") if "dc_capacity_new" in r else cap * 0
        built, built_west = float(new.sum()), float(new.sel(region=west).sum())
        text = (f"Data-centre IT capacity reaches {_g(total)} GW in {last} "
                f"({_g(float(r.dc_capacity.sel(year=first).sum()))} GW in {first}), "
                f"{_pct(in_west, total)} of it in the western hubs ({', '.join(west)}); ")
        if built > 1e-3:
            top = new.to_series().sort_values(ascending=False)
            text += (f"of the {_g(built)} GW built, {_pct(built_west, built)} goes to the west and "
                     f"{_pct(built - built_west, built)} to the east, most to "
                     f"{_hub(str(top.index[0]), names)} ({_g(top.iloc[0])} GW).")
        else:
            text += "no new data-centre capacity is built."
        if "western_it_share" in r:
            share = float(r.western_it_share.sel(year=last))
            base = r.western_it_share.attrs.get("base_year_share")
            text += (f" The western hubs serve {_pct(share, 1.0)} of the hubs' IT energy in {last}"
                     + (f" (their share of IT capacity in the base year: {_pct(base, 1.0)})."
                        if base is not None else "."))
        out.append(text)

        ex = r.compute_exports.sel(year=last)
        served = float(ex.sum())
        lines = _inter_hub_line_energy(r, last)
        if served > 1e-3:
            flows = ex.to_series()
            (origin, serving), biggest = flows.idxmax(), float(flows.max())
            in_west = float(ex.sel(region=west).sum())
            away = (f" (of {_g(float(r.compute_served_away.sel(year=last).sum()))} TWh served "
                    "away from its origin hub)" if "compute_served_away" in r else "")
            text = (f"In {last}, {_g(served)} TWh of IT energy is exported to another grid "
                    f"region{away}, {_pct(in_west, served)} of it to the western hubs; the largest "
                    f"flow is {_hub(str(origin), names)} → {_hub(str(serving), names)} "
                    f"({_g(biggest)} TWh).")
            if "uhv_equivalent_electricity" in r:
                uhv = float(r.uhv_equivalent_electricity.sel(year=last).sum())
                text += (f" Serving it at its origin instead would take {_g(uhv)} TWh of "
                         "electricity sent over UHV lines")
                text += (f", against {_g(lines)} TWh the inter-hub lines carry in {last}."
                         if lines is not None else ".")
            elif lines is not None:
                text += f" The inter-hub lines carry {_g(lines)} TWh in {last}."
        else:
            text = f"In {last} all compute is served in its own hub"
            text += (f"; the inter-hub lines carry {_g(lines)} TWh." if lines is not None else ".")
        out.append(text)

    e0, e1 = float(r.emissions.sel(year=first).sum()), float(r.emissions.sel(year=last).sum())
    if first != last:
        change = f" ({100 * (e1 / e0 - 1):+.1f}%)" if e0 > 0 else ""
        out.append(f"CO2 emissions of generation go from {_g(e0, 0)} Mt in {first} to "
                   f"{_g(e1, 0)} Mt in {last}{change}.")
    else:
        out.append(f"CO2 emissions of generation are {_g(e1, 0)} Mt in {last}.")

    if "electrolyser_capacity" in r:
        el = r.electrolyser_capacity.sel(year=last)
        made = float(r.h2_produced.sel(year=last).sum()) if "h2_produced" in r else 0.0
        grey = float(r.h2_grey.sel(year=last).sum()) if "h2_grey" in r else 0.0
        if float(el.sum()) > 1e-3:
            top = el.to_series().sort_values(ascending=False)
            built = (float(r.electrolyser_capacity_new.sum())
                     if "electrolyser_capacity_new" in r else float("nan"))
            out.append(f"Electrolysers in service reach {_g(float(el.sum()), 2)} GW in {last} "
                       f"({_g(built, 2)} GW built in the model; most in "
                       f"{_hub(str(top.index[0]), names)}, {_g(top.iloc[0], 2)} GW), making "
                       f"{_g(made)} kt of hydrogen, {_pct(made, made + grey)} of the hydrogen "
                       f"supplied ({_g(grey)} kt grey).")
        else:
            out.append(f"No electrolysers are built: hydrogen in {last} is grey "
                       f"({_g(grey)} kt).")

    if market_gap is not None and last in market_gap.year.values:
        model = float(market_gap.model.sel(year=last))
        proj = float(market_gap.projection.sel(year=last))
        out.append(f"The model-implied market (data centres' electricity at model prices, facility "
                   f"annuities, attributed grid) is {_g(model / USD_PER_USD_BN)} bn USD in {last}, "
                   f"{_pct(model, proj)} of the projected {_g(proj / USD_PER_USD_BN, 0)} bn USD "
                   "(a projection of a wider market, not calibration data).")

    top = limits_table(r, top=None, inputs=inputs)
    if top.empty:
        out.append("What drives this: no limit binds at a cost; costs and demand alone decide.")
    else:
        from synergy_models.indicators import binding_limits

        costly = int((binding_limits(r).shadow_price > COSTLY).sum())
        out.append(f"What drives this: {costly} limits bind at a cost; the most valuable to "
                   "relax (a year, per unit) are " + "; ".join(
                       _limit_phrase(row) for _, row in top.head(3).iterrows())
                   + " (table below).")
    out += _warnings(r, ind, names)
    return out


def _inter_hub_line_energy(r: xr.Dataset, year: int) -> float | None:
    """Energy sent over lines between modelled hubs in ``year`` (TWh, both directions)."""
    if not r.sizes.get("line", 0) or "flow" not in r:
        return None
    hubs = {str(h) for h in r.region.values}
    inside = [str(ln) for ln, f, t in zip(r.line.values, r.line_from.values, r.line_to.values,
                                          strict=True) if str(f) in hubs and str(t) in hubs]
    if not inside:
        return None
    flow = abs(r.flow.sel(line=inside, year=year))
    return float((flow * r.weight).sum()) / GWH_PER_TWH


def _warnings(r: xr.Dataset, ind: xr.Dataset | None, names: dict[str, str]) -> list[str]:
    out = []
    if "reserve_shortfall" in r.component.values:
        pay = r.cost.sel(component="reserve_shortfall")
        short = [int(y) for y, v in zip(pay.year.values, pay.values, strict=True)
                 if v > SHORTFALL_MUSD]
        if short:
            worst = int(pay.idxmax())
            text = (f"**Warning:** the reserve margin is not met in {_list([str(y) for y in short])}"
                    f": the model pays {_g(float(pay.max()) / 1000, 2)} bn USD a year ({worst}) "
                    "for missing firm capacity instead of building it, and that payment, not "
                    "capacity, decides the reserve")
            if ind is not None and "reserve_margin_achieved" in ind:
                achieved = ind.reserve_margin_achieved.sel(year=worst)
                hub = str(achieved.idxmin().item())
                required = float(ind.reserve_margin_required.sel(year=worst, region=hub))
                text += (f" (margin achieved in {worst}: {_g(float(achieved.min()), 2)} in "
                         f"{_hub(hub, names)} against {_g(required, 2)} required)")
            out.append(text + ".")
    unserved = r.unserved_annual.sum("region")
    if float(unserved.max()) > UNSERVED_TWH:
        worst = int(unserved.idxmax())
        by_hub = r.unserved_annual.sel(year=worst).to_series()
        hubs = [_hub(str(h), names) for h, v in by_hub.sort_values(ascending=False).items()
                if v > UNSERVED_TWH]
        out.append(f"**Warning:** {_g(float(unserved.max()), 2)} TWh of demand is not served in "
                   f"{worst} ({_list(hubs[:3])}): priced at the value of lost load, it decides "
                   "prices there.")
    every = _every_hub_build_limits(r)
    if every:
        out.append(f"**Warning:** {_list(every)} bind{'s' if len(every) == 1 else ''} in every "
                   "hub: the limit, not the economics, decides how much is built.")
    return out


def summary_markdown(sentences: list[str]) -> str:
    """Summary sentences as a Markdown list."""
    return "\n".join(f"- {s}" for s in sentences)


# ------------------------------------------------------------------- what changed and why

def _signed(items: list[tuple[str, float]], unit: str) -> str:
    return ", ".join(f"{k} {v:+,.1f} {unit}".replace("+-", "−").replace(" -", " −")
                     for k, v in items)


def _phrases(table: pd.DataFrame, n: int = 3) -> str:
    """The first ``n`` rows of :func:`_in_words` as a list in a sentence."""
    parts = [_limit_phrase(row) for _, row in table.head(n).iterrows()]
    more = len(table) - n
    return "; ".join(parts) + (f" and {more} more" if more > 0 else "")


def comparison_summary(results: Mapping[str, xr.Dataset], tolerance: float = 0.1,
                       inputs: xr.Dataset | None = None) -> list[str]:
    """What changed and why, each scenario against the first (the reference), in the last year
    they have in common: capacity by technology (all hubs; changes above ``tolerance`` GW), data-
    centre IT capacity by hub, CO2 emissions, the demand-weighted price and the annual system
    cost; then the limits that bind at a cost in one and not the other (the lever, and what it
    runs into). When no technology's capacity changes by more than ``tolerance`` GW, a sentence
    says so and names the limits binding in both, which is why. ``inputs``: hub names."""
    names = list(results)
    if len(names) < 2:
        raise ValueError("a comparison needs at least two scenarios")
    ref_name, ref = names[0], results[names[0]]
    out: list[str] = []
    for name in names[1:]:
        r = results[name]
        common = sorted(set(map(int, ref.year.values)) & set(map(int, r.year.values)))
        if not common:
            out.append(f"{name} and {ref_name} have no modelled year in common.")
            continue
        year = common[-1]
        hub_names = _names(r, inputs)
        cap = (r.capacity.sel(year=year).sum("region")
               - ref.capacity.sel(year=year).sum("region")).to_series()
        moved = cap[cap.abs() > tolerance].sort_values(key=abs, ascending=False)
        if len(moved):
            out.append(f"**{name}** against **{ref_name}** in {year}, all hubs: capacity "
                       f"{_signed([(str(t).replace('_', ' '), v) for t, v in moved.items()], 'GW')}"
                       f" (other technologies within {tolerance:g} GW).")
        else:
            a, b = _costly_limits(ref), _costly_limits(r)
            both = a.merge(b[_LIMIT_KEY], on=_LIMIT_KEY)
            why = (f"because the same limits bind at a cost in both ({len(both)} entries), the "
                   f"costliest: {_phrases(_in_words(both, r, inputs, by_price=False))}"
                   if len(both) else "and no limit binds at a cost in either: costs decide")
            out.append(f"**{name}** against **{ref_name}** in {year}: capacities by technology "
                       f"did not change (each within {tolerance:g} GW, all hubs) {why}.")
        if "dc_capacity" in r and "dc_capacity" in ref:
            dc = (r.dc_capacity.sel(year=year) - ref.dc_capacity.sel(year=year)).to_series()
            dc = dc[dc.abs() > tolerance].sort_values(key=abs, ascending=False)
            out.append("Data-centre IT capacity by hub: " + (
                _signed([(_hub(str(h), hub_names), v) for h, v in dc.items()], "GW") + "."
                if len(dc) else f"no hub changes by more than {tolerance:g} GW."))
        e0, e1 = (float(x.emissions.sel(year=year).sum()) for x in (ref, r))
        p0, p1 = (float(demand_weighted_price(x).sel(year=year)) for x in (ref, r))
        c0, c1 = (float(x.cost.sel(year=year).sum()) for x in (ref, r))
        out.append(f"CO2 emissions {_g(e1, 0)} Mt against {_g(e0, 0)} Mt "
                   f"({_percent_change(e0, e1)}); average price {_g(p1)} against {_g(p0)} USD/MWh "
                   f"({_percent_change(p0, p1)}); annual system cost {_g(c1 / 1000, 2)} against "
                   f"{_g(c0 / 1000, 2)} bn USD ({_percent_change(c0, c1)}).")
        a, b = _costly_limits(ref), _costly_limits(r)
        keys_a = set(map(tuple, a[_LIMIT_KEY].astype(str).values))
        keys_b = set(map(tuple, b[_LIMIT_KEY].astype(str).values))
        only_b = b[[k not in keys_a for k in map(tuple, b[_LIMIT_KEY].astype(str).values)]]
        only_a = a[[k not in keys_b for k in map(tuple, a[_LIMIT_KEY].astype(str).values)]]
        parts = []
        if len(only_b):
            parts.append(f"binding only in {name}: "
                         + _phrases(_in_words(only_b, r, inputs, by_price=False)))
        if len(only_a):
            parts.append(f"binding only in {ref_name}: "
                         + _phrases(_in_words(only_a, ref, inputs, by_price=False)))
        out.append("Why: limits " + "; limits ".join(parts) + "." if parts else
                   f"Why: the same {len(keys_a)} limits bind at a cost in both.")
    return out


def capacity_changed(results: Mapping[str, xr.Dataset], tolerance: float = 0.1) -> bool:
    """Whether any scenario's capacity of any technology (all hubs, last common year) differs
    from the first scenario's by more than ``tolerance`` GW (else a difference chart is empty)."""
    names = list(results)
    ref = results[names[0]]
    for name in names[1:]:
        r = results[name]
        common = sorted(set(map(int, ref.year.values)) & set(map(int, r.year.values)))
        if not common:
            continue
        diff = (r.capacity.sel(year=common[-1]).sum("region")
                - ref.capacity.sel(year=common[-1]).sum("region"))
        if float(abs(diff).max()) > tolerance:
            return True
    return False


def _percent_change(before: float, after: float) -> str:
    if abs(before) < 1e-9:
        return "from 0"
    change = 100 * (after / before - 1)
    return "no change" if abs(change) < 0.05 else f"{change:+.1f}%".replace("-", "−")


# ------------------------------------------------------ UHV build-out and compute exports

#: A line (GW) or a flow (TWh) below this is shown as none.
SMALL = 1e-3


def line_buildout_table(results: xr.Dataset, inputs: xr.Dataset | None = None) -> pd.DataFrame:
    """The inter-hub lines' capacity: existing and planned (``line_capacity_existing`` of the
    inputs, in the last year, when ``inputs`` are given), built in the model over the horizon
    (the sum of ``line_capacity_new``) and in service in each modelled year (``line_capacity``,
    which counts a period's builds by their average in-service share: docs/formulation.md), in
    GW; one row per line with any capacity, most built first. Index: the line; ``corridor``:
    its ends, from → to."""
    if not results.sizes.get("line", 0) or "line_capacity" not in results:
        return pd.DataFrame()
    years = [int(y) for y in results.year.values]
    first, last = years[0], years[-1]
    lines = [str(ln) for ln in results.line.values]
    frame = pd.DataFrame({"corridor": [f"{f} → {t}" for f, t in zip(
        results.line_from.values, results.line_to.values, strict=True)]},
        index=pd.Index(lines, name="line"))
    if inputs is not None and "line_status" in inputs:
        frame["status"] = inputs.line_status.sel(line=lines).values
    if inputs is not None and "line_capacity_existing" in inputs:
        existing = inputs.line_capacity_existing.sel(line=lines)
        frame[f"existing and planned {last} GW"] = existing.sel(year=last).values
    frame[f"built {first}–{last} GW"] = results.line_capacity_new.sum("year").values
    for y in years:
        frame[f"in service {y} GW"] = results.line_capacity.sel(year=y).values
    numbers = frame.select_dtypes("number")
    frame[numbers.columns] = numbers.where(numbers.abs() >= SMALL, 0.0) + 0.0
    frame = frame[(frame.select_dtypes("number") > 0).any(axis=1)]
    return frame.sort_values(f"built {first}–{last} GW", ascending=False, kind="stable")


#: Columns of :func:`compute_exports_by_hub_table`: results variable -> column.
EXPORT_VS_UHV_COLUMNS: dict[str, str] = {
    "compute_export_it": "IT energy exported TWh",
    "compute_export_fibre_electricity": "fibre: electricity used here TWh",
    "compute_export_uhv_electricity": "UHV: electricity sent TWh",
    "compute_export_uhv_losses": "UHV: losses TWh",
    "compute_export_bandwidth": "fibre: bandwidth Gbit/s",
    "compute_export_fibre_cost": "fibre: bandwidth cost MUSD",
    "compute_export_uhv_cost": "UHV: line cost MUSD",
    "compute_export_fibre_emissions": "fibre: CO2 Mt",
    "compute_export_uhv_emissions": "UHV: CO2 Mt",
    "compute_export_saving": "saving of fibre over UHV MUSD",
}


def compute_exports_by_hub_table(results: xr.Dataset, year: int | None = None,
                                 inputs: xr.Dataset | None = None) -> pd.DataFrame:
    """For each western hub (``west_hubs``), compute exported to it in ``year`` (default the last)
    from origins in other grid regions over fibre, against sending the same energy over UHV lines:
    electricity, losses, bandwidth, annual costs, CO2 and the saving (results ``compute_export_*``,
    docs/results.md), one row per hub and a total row. Empty without those results."""
    if "compute_export_it" not in results:
        return pd.DataFrame()
    year = int(results.year[-1]) if year is None else int(year)
    present = {k: v for k, v in EXPORT_VS_UHV_COLUMNS.items() if k in results}
    west = west_hubs(results, inputs)
    data = results[list(present)].sel(year=year, region=west).to_dataframe()[list(present)]
    data = data.rename(columns=present)
    data.index = pd.Index(list(data.index), name=f"western hub ({year})")
    if len(data):
        data.loc["total"] = data.sum(min_count=1)
    return data


def compute_exports_table(results: xr.Dataset, year: int | None = None) -> pd.DataFrame:
    """Compute served away from its origin in ``year`` (default the last) against the UHV
    alternative, one row per origin → serving hub with any, most first, and a total row:
    IT energy served (``compute_exports``), electricity the serving hub used for it
    (``exported_electricity``), the electricity the serving hub would have sent over UHV lines
    for the same service at the origin (``uhv_equivalent_electricity``) and the losses on the way
    (``uhv_equivalent_losses``), in TWh, and the long-haul bandwidth built (Gbit/s).
    ``attrs["note"]``: the UHV equivalent against what the inter-hub lines carry that year."""
    if "compute_exports" not in results:
        return pd.DataFrame()
    year = int(results.year[-1]) if year is None else int(year)
    columns = {"compute_exports": "IT energy served TWh",
               "exported_electricity": "electricity used where served TWh",
               "uhv_equivalent_electricity": "UHV equivalent TWh",
               "uhv_equivalent_losses": "UHV losses TWh",
               "bandwidth_gbps": "bandwidth Gbit/s"}
    present = {k: v for k, v in columns.items() if k in results}
    data = results[list(present)].sel(year=year).to_dataframe()[list(present)].rename(columns=present)
    data = data[data["IT energy served TWh"] >= SMALL]
    data = data.sort_values("IT energy served TWh", ascending=False, kind="stable")
    data.index = pd.Index([f"{o} → {r}" for o, r in data.index],  # hub ids: names make long rows
                          name=f"origin → served in ({year})")
    if len(data):
        data.loc["total"] = data.sum()
    lines = _inter_hub_line_energy(results, year)
    uhv = float(data.loc["total", "UHV equivalent TWh"]) if (
        len(data) and "UHV equivalent TWh" in data) else 0.0
    data.attrs["note"] = (
        f"In {year} no compute is served away from its origin." if not len(data) else
        f"Serving this compute at its origin instead would take {_g(uhv)} TWh of electricity "
        "sent over UHV lines" + (f", against {_g(lines)} TWh the inter-hub lines carry in {year}."
                                 if lines is not None else "."))
    return data


def _span(values: pd.Series, fmt: str) -> str:
    """``a–b`` (or ``a`` when all equal) in the format ``fmt``."""
    low, high = format(float(values.min()), fmt), format(float(values.max()), fmt)
    return low if low == high else f"{low} to {high}"


def _all_lower(value: pd.DataFrame) -> str:
    """Issue 20's test of the lever: are cost, curtailment and emissions all lower over the
    horizon (cost in present value, the others summed over its years, when the table has the
    totals), else in every year? Years against the trend are named."""
    parts = {"cost": "cost MUSD/year", "curtailment": "curtailment TWh",
             "emissions": "emissions Mt"}
    yearly = value.drop(index=[HORIZON_ROW, HORIZON_TOTAL_ROW], errors="ignore")
    if HORIZON_TOTAL_ROW in value.index and HORIZON_ROW in value.index:
        total = {"cost": float(value.loc[HORIZON_ROW, parts["cost"]]),
                 **{w: float(value.loc[HORIZON_TOTAL_ROW, parts[w]])
                    for w in ("curtailment", "emissions") if parts[w] in value}}
        lower = {w: v < 0 for w, v in total.items()}
        against = [f"{w} in {', '.join(yearly.index[yearly[parts[w]] >= 0])}"
                   for w in lower if parts[w] in yearly and (yearly[parts[w]] >= 0).any()]
        note = f" (higher in single years: {'; '.join(against)})" if against else ""
        if all(lower.values()):
            return f"{', '.join(lower).capitalize()} are all lower over the horizon{note}."
        not_down = [w for w, ok in lower.items() if not ok]
        return (f"Not all lower: {', '.join(not_down)} "
                f"{'is' if len(not_down) == 1 else 'are'} not lower over the horizon{note}.")
    lower = {word: bool((yearly[col] < 0).all()) for word, col in parts.items() if col in yearly}
    if all(lower.values()):
        return f"{', '.join(lower).capitalize()} are all lower in every year."
    down = [w for w, ok in lower.items() if ok]
    not_down = [w for w, ok in lower.items() if not ok]
    return (f"Not all lower: {', '.join(not_down)} "
            f"{'is' if len(not_down) == 1 else 'are'} not lower in every year"
            + (f" ({', '.join(down)} {'is' if len(down) == 1 else 'are'})." if down else "."))


def forecasting_value_markdown(value: pd.DataFrame, reference: str, lever: str,
                               forecast_cost: float | None = None) -> str:
    """One paragraph on what better forecasting is worth, from
    :func:`synergy_models.indicators.forecasting_value` (``lever`` minus ``reference``): the gross
    saving before the forecasts' own cost, that cost and the net change, per year and over the
    horizon; with ``forecast_cost`` (the lever's assumed cost, USD/kW/yr), the cost at which the
    forecasts would break even."""
    yearly = value.drop(index=[HORIZON_ROW, HORIZON_TOTAL_ROW], errors="ignore")
    cost = yearly["cost MUSD/year"]
    forecasting = yearly["forecasting cost MUSD/year"]
    gross = -(cost - forecasting)
    horizon = float(value.loc[HORIZON_ROW, "cost MUSD/year"])
    lines = [f"**{lever}** against **{reference}**: better forecasts save "
             f"{_span(gross, ',.0f')} MUSD a year before their own cost, which is "
             f"{_span(forecasting, ',.0f')} MUSD a year; net, the system costs "
             f"{abs(horizon):,.0f} MUSD {'more' if horizon > 0 else 'less'} over the horizon "
             "(present value)."]
    for column, unit, word in (("curtailment TWh", "TWh", "curtailment"),
                               ("emissions Mt", "Mt", "emissions")):
        if column in yearly:
            verb = "change" if word == "emissions" else "changes"
            lines.append(f"{word.capitalize()} {verb} by {_span(yearly[column], '+,.2f')} {unit} "
                         "a year.")
    if HORIZON_TOTAL_ROW in value.index:
        total = value.loc[HORIZON_TOTAL_ROW]
        lines.append(f"Over the horizon, curtailment changes by {total['curtailment TWh']:+,.1f} "
                     f"TWh and emissions by {total['emissions Mt']:+,.1f} Mt.")
    lines.append(_all_lower(value))
    if forecasting.sum() > 0:
        ratio = float(gross.sum() / forecasting.sum())
        cost_text = (f"{ratio * forecast_cost:.3f} USD/kW/yr instead of the assumed "
                     f"{forecast_cost:g}" if forecast_cost is not None
                     else f"{ratio:.3f}× the assumed one")
        lines.append(f"They would break even at a forecasting cost of {cost_text} "
                     "(`forecast_cost`).")
    return " ".join(lines)
