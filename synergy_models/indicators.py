"""Safety and efficiency indicators of a solved scenario (formulas and units: ``docs/indicators.md``).

``indicators(results, inputs=None)`` turns a results Dataset (``docs/results.md``) into one
``xarray.Dataset`` of indicators by region and year (and system-wide by year where a quantity is
not regional, e.g. costs); ``compare`` puts several scenarios side by side along a ``scenario``
dimension; ``indicator_table`` flattens either into a tidy table for notebooks;
``binding_limits`` lists the limits that bind with their shadow prices (a result decided by a cap).

Everything is computed from the results alone, except the reserve margin, which needs the
capacity credits, peak loads and margin of the inputs Dataset (``load_inputs(scenario)``): without
``inputs`` those indicators are left out and the Dataset's ``omitted`` attribute says so.
Data-centre indicators appear when the results have data centres.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import xarray as xr

from synergy_models.units import G_KWH_PER_MT_TWH, GWH_PER_TWH

VARIABLE_RENEWABLES = ("wind", "solar")
#: The row of :func:`forecasting_value` holding the objective's difference over the horizon.
HORIZON_ROW = "horizon (present value, MUSD)"
#: forecasting_value's row of curtailment and emissions summed over the years of the horizon
HORIZON_TOTAL_ROW = "horizon (total, TWh and Mt)"
ALL_HUBS = "all"  # region label of system-wide indicators in tables


def _annual(x: xr.DataArray, weight: xr.DataArray) -> xr.DataArray:
    """GW by time step -> TWh a year."""
    return (x * weight).sum("time") / GWH_PER_TWH


def balance_by_role(results: xr.Dataset, role: str) -> xr.DataArray:
    """The balance terms of one role summed (GW, injections +; region, year, time): zeros when no
    module registered a term of that role (roles: ``synergy_models.model.module.ROLES``)."""
    terms = results.balance.where(results.term_role == role, 0.0)
    return terms.sum("term")


def net_imports(results: xr.Dataset) -> xr.DataArray:
    """Net imports of each region over its lines and fixed external schedules (TWh; region, year;
    negative: net exporter): the balance terms of role ``trade``, over the year."""
    return _annual(balance_by_role(results, "trade"), results.weight).assign_attrs(
        units="TWh", long_name="net imports over lines from other hubs and fixed external "
        "schedules (negative: net exporter)")


def variable_renewable_share(results: xr.Dataset) -> xr.DataArray:
    """Wind and solar output over all generation in each region (region, year; NaN where a
    region generates nothing)."""
    techs = [g for g in VARIABLE_RENEWABLES if g in results.gen_tech.values]
    total = results.generation_annual.sum("gen_tech")
    share = results.generation_annual.sel(gen_tech=techs).sum("gen_tech") / total
    return share.where(total > 0).assign_attrs(units="1", long_name="wind and solar share of "
                                               "generation")


def has_data_centres(results: xr.Dataset) -> bool:
    """Whether the results have data centres (the compute module was active)."""
    return "dc_electricity" in results


def demand_weighted_price(results: xr.Dataset) -> xr.DataArray:
    """Average price over all hubs weighted by exogenous demand (USD/MWh; year)."""
    demand = (results.demand * results.weight).sum("time")
    return (results.price_average * demand).sum("region") / demand.sum("region")


def consumption(results: xr.Dataset) -> xr.DataArray:
    """Electricity consumed in each hub (GW; region, year, time).

    Every balance term of role ``demand``: the exogenous demand, data centres and any other
    consuming module (e.g. electrolysers). Storage charging, line flows and fixed schedules to
    external regions are not consumption. Unserved demand is included (it is consumption the
    system failed to supply).
    """
    return -balance_by_role(results, "demand")


def dc_share_of_consumption(results: xr.Dataset) -> xr.DataArray:
    """Share of data centres in the hubs' electricity consumption, all hubs together (year)."""
    total = _annual(consumption(results), results.weight).sum("region")
    if not has_data_centres(results):
        return xr.zeros_like(total)
    dc = _annual(results.dc_electricity, results.weight).sum("region")
    return (dc / total).where(total > 0, 0.0)


def scheduled_net_export(results: xr.Dataset) -> xr.DataArray:
    """Fixed net export of each hub to external regions (GW, imports negative; region)."""
    if "scheduled_net_export" in results:
        return results.scheduled_net_export
    return xr.zeros_like(results.region, dtype=float)


def _received_losses(results: xr.Dataset) -> xr.DataArray:
    """Line losses (GW; region, year, time) counted in the hub the power flows to."""
    losses = results.line_losses
    zero = xr.zeros_like(results.unserved)
    if results.sizes.get("line", 0) == 0:
        return zero
    to = results.line_to.astype(str)
    frm = results.line_from.astype(str)
    out = []
    for r in results.region.values:
        into = ((to == str(r)) & (results.flow > 0)) | ((frm == str(r)) & (results.flow < 0))
        out.append(losses.where(into, 0.0).sum("line"))
    return xr.concat(out, dim="region").assign_coords(region=results.region.values).transpose(
        *zero.dims)


def _reserve(results: xr.Dataset, inputs: xr.Dataset, ds: xr.Dataset) -> None:
    """Reserve margin achieved vs required, hub by hub (own peak) and for all hubs together."""
    firm = results.firm_capacity.sum("firm_term")                          # GW (region, year)
    export = scheduled_net_export(results)
    # Peak terms the model decides (data centres: the most they can draw), as modelled; the
    # exogenous peak is the hub's own here and the coincident one for all hubs together.
    terms = results.peak_load_terms
    endogenous = terms.where(~terms.peak_exogenous.astype(bool), 0.0).sum("peak_term")
    peak = inputs.peak_load.sel(year=results.year) + endogenous
    margin = float(inputs.reserve_margin)
    ds["reserve_margin_required"] = xr.full_like(firm, margin).assign_attrs(
        units="1", long_name="required reserve margin: firm capacity above peak load")
    ds["reserve_margin_achieved"] = ((firm - export) / peak - 1).where(peak > 0).assign_attrs(
        units="1", long_name="reserve margin achieved in the hub: (firm capacity - scheduled net "
        "export) / (own peak load + data-centre peak) - 1")
    coincident = inputs.peak_load_coincident.sel(year=results.year) + endogenous
    system = ((firm - export).sum("region") / coincident.sum("region") - 1)
    ds["reserve_margin_achieved_system"] = system.assign_attrs(
        units="1", long_name="reserve margin achieved by all hubs together (coincident peak)")
    ds["reserve_margin_gap"] = (ds.reserve_margin_achieved - margin).assign_attrs(
        units="1", long_name="reserve margin achieved minus required (negative: short of firm "
        "capacity)")


def indicators(results: xr.Dataset, inputs: xr.Dataset | None = None) -> xr.Dataset:
    """Safety and efficiency indicators by region and year (system-wide ones by year).

    ``inputs``: the scenario's inputs Dataset, needed only for the reserve margin.
    """
    r = results
    w = r.weight
    ds = xr.Dataset(coords={"region": r.region.values, "year": r.year.values})
    omitted: list[str] = []
    load = consumption(r)
    energy = _annual(load, w)                                               # TWh (region, year)
    ds["consumption"] = energy.assign_attrs(
        units="TWh", long_name="electricity consumed in the hub (demand, data centres, other "
        "consuming modules; unserved included)")

    # Safety
    if inputs is not None:
        _reserve(r, inputs, ds)
    else:
        omitted.append("reserve margin (needs the inputs Dataset)")
    ds["unserved_energy"] = _annual(r.unserved, w).assign_attrs(
        units="TWh", long_name="demand not met")
    ds["unserved_share"] = (ds.unserved_energy / energy).where(energy > 0).assign_attrs(
        units="1", long_name="unserved energy / consumption")
    imports = net_imports(r)
    ds["net_imports"] = imports
    ds["import_dependence"] = (imports / energy).where(energy > 0).assign_attrs(
        units="1", long_name="net imports / consumption (negative: net exporter)")

    # Efficiency
    vre = [g for g in VARIABLE_RENEWABLES if g in r.gen_tech.values]
    curtailed = variable_renewable_curtailment(r)
    available = curtailed + r.generation_annual.sel(gen_tech=vre).sum("gen_tech")
    ds["curtailment_rate"] = (curtailed / available).where(available > 0).assign_attrs(
        units="1", long_name="curtailed / available wind and solar output")
    received = _received_losses(r)
    ds["transmission_losses"] = _annual(received, w).assign_attrs(
        units="TWh", long_name="losses on the power lines bringing power into the hub")
    sent = _annual(abs(r.flow), w).sum("line") if r.sizes.get("line", 0) else None
    lost = _annual(r.line_losses, w).sum("line") if sent is not None else None
    if sent is not None and lost is not None:
        ds["transmission_loss_rate"] = (lost / sent).where(sent > 0).assign_attrs(
            units="1", long_name="losses / power sent over hub-to-hub lines, all lines")
    ds["price_average"] = ((r.price * load * w).sum("time") / (load * w).sum("time")).where(
        energy > 0).assign_attrs(units="USD/MWh", long_name="consumption-weighted average price")
    ds["price_peak"] = r.price.max("time").assign_attrs(
        units="USD/MWh", long_name="highest price of any time step")
    generation = r.generation_annual.sum("gen_tech")
    ds["carbon_intensity_electricity"] = (r.emissions / generation * G_KWH_PER_MT_TWH).where(
        generation > 0).assign_attrs(units="g/kWh", long_name="CO2 per unit of electricity "
                                     "generated in the hub")
    total_generation = generation.sum("region")
    ds["carbon_intensity_electricity_system"] = (
        r.emissions.sum("region") / total_generation * G_KWH_PER_MT_TWH).where(
        total_generation > 0).assign_attrs(
        units="g/kWh", long_name="CO2 per unit of electricity generated, all hubs")
    total_cost = r.cost.sum("component")                                   # MUSD/yr
    total_energy = energy.sum("region")                                    # TWh
    ds["system_cost_per_mwh"] = (total_cost / total_energy).where(total_energy > 0).assign_attrs(
        units="USD/MWh", long_name="total annual system cost (every cost component, not "
        "discounted) / consumption, all hubs")

    if has_data_centres(r):
        _data_centres(r, ds, load, energy)
    else:
        omitted.append("data-centre indicators (no data centres in the results)")
    ds.attrs.update(content="indicators", scenario=r.attrs.get("scenario", ""),
                    inputs_hash=r.attrs.get("inputs_hash", ""), omitted="; ".join(omitted))
    return ds


def _data_centres(r: xr.Dataset, ds: xr.Dataset, load: xr.DataArray, energy: xr.DataArray) -> None:
    w = r.weight
    dc = r.dc_electricity
    peak_step = load.argmax("time")
    at_peak = load.isel(time=peak_step)
    ds["dc_share_of_peak"] = (dc.isel(time=peak_step) / at_peak).where(at_peak > 0).drop_vars(
        ["time", "period", "hour"], errors="ignore").assign_attrs(
        units="1", long_name="data-centre share of the hub's load in its peak time step")
    dc_energy, it_energy = _annual(dc, w), _annual(r.dc_load, w)
    ds["dc_share_of_consumption"] = (dc_energy / energy).where(energy > 0).assign_attrs(
        units="1", long_name="data-centre electricity / consumption")
    ds["pue_average"] = (dc_energy / it_energy).where(it_energy > 0).assign_attrs(
        units="1", long_name="data-centre electricity / IT energy")
    it_total = it_energy.sum("region")
    ds["pue_average_system"] = (dc_energy.sum("region") / it_total).where(it_total > 0).assign_attrs(
        units="1", long_name="data-centre electricity / IT energy, all hubs")
    ds["green_share_dc"] = r.green_share_achieved.assign_attrs(
        units="1", long_name="green share of data-centre electricity (contracted green output "
        "matched + certificates)")
    ds["carbon_intensity_compute"] = r.compute_carbon_intensity.assign_attrs(
        units="g/kWh", long_name="CO2 per kWh of data-centre electricity, market-based (claims "
        "and certificates count, the rest at the hub's residual mix)")
    if "compute_carbon_intensity_by_basis" in r:
        by_basis = r.compute_carbon_intensity_by_basis
        ds["carbon_intensity_compute_location"] = by_basis.sel(basis="location", drop=True) \
            .assign_attrs(units="g/kWh", long_name="CO2 per kWh of data-centre electricity, "
                          "location-based (the hub's average generation)")
        ds["carbon_intensity_compute_marginal"] = by_basis.sel(basis="marginal", drop=True) \
            .assign_attrs(units="g/kWh", long_name="CO2 per kWh of data-centre electricity, "
                          "marginal (the price-setting units of the hours it runs)")
    ds["carbon_per_compute"] = r.compute_emissions_per_eflops_year.assign_attrs(
        units="kt/(EFLOPS-year)", long_name="CO2 per EFLOPS-year of compute served in the hub")
    if "western_it_share" in r:  # needs the dataset's roles, which the results carry here
        ds["western_it_share"] = r.western_it_share


def compare(scenarios: Mapping[str, xr.Dataset],
            inputs: Mapping[str, xr.Dataset] | None = None) -> xr.Dataset:
    """Indicators of several scenarios side by side, along a ``scenario`` dimension.

    Values may be results Datasets (indicators are computed, with ``inputs[name]`` where given) or
    indicator Datasets already. An indicator missing in one scenario (no data centres, no inputs)
    is NaN there.
    """
    if not scenarios:
        raise ValueError("compare needs at least one scenario")
    parts = {name: ds if ds.attrs.get("content") == "indicators"
             else indicators(ds, (inputs or {}).get(name)) for name, ds in scenarios.items()}
    names = list(dict.fromkeys(v for ds in parts.values() for v in ds.data_vars))
    filled = []
    for ds in parts.values():
        ds = ds.copy()
        for v in names:
            if v not in ds:
                template = next(p[v] for p in parts.values() if v in p)
                ds[v] = xr.full_like(template, np.nan, dtype=float).reindex_like(ds, fill_value=np.nan)
        filled.append(ds[names])
    out = xr.concat(filled, dim="scenario", join="outer", combine_attrs="drop").assign_coords(
        scenario=np.array(list(parts), dtype=str))
    for v in names:
        out[v].attrs = next(p[v].attrs for p in parts.values() if v in p)
    out.attrs["content"] = "indicators"
    return out


def indicator_table(ds: xr.Dataset) -> pd.DataFrame:
    """A tidy table: one row per indicator and coordinate (scenario, region, year), with units.

    System-wide indicators (no region dimension) have region ``"all"``.
    """
    frames = []
    for name, da in ds.data_vars.items():
        frame = da.to_dataframe(name="value").reset_index()
        frame = frame[[c for c in frame.columns if c in ("scenario", "region", "year", "value")]]
        if "region" not in da.dims:
            frame["region"] = ALL_HUBS
        frame.insert(0, "indicator", name)
        frame["units"] = da.attrs.get("units", "")
        frames.append(frame)
    columns = ["indicator", "scenario", "region", "year", "value", "units"]
    table = pd.concat(frames, ignore_index=True)
    return table[[c for c in columns if c in table.columns]]


#: Index columns of :func:`binding_limits`, in order (those no limit has are left out).
LIMIT_INDEX = ("region", "tech", "line", "zone", "year")


def limit_table(results: xr.Dataset) -> pd.DataFrame:
    """Every declared limit of the results (``limit_*`` variables, ``docs/results.md``) as a tidy
    table: family, index (region, tech, line, zone, year: empty where the family has none), value,
    level, binding, shadow price, kind, units, price units, description."""
    if "limit" not in results.dims:
        return pd.DataFrame(columns=["family", "value", "level", "binding", "shadow_price", "kind",
                                     "units", "price_units", "description"])
    table = pd.DataFrame({"family": results.limit_family.values.astype(str)})
    for dim in LIMIT_INDEX:
        name = f"limit_{dim}"
        if name not in results.coords:
            continue
        labels = results[name].values
        if dim == "year":  # 0: a limit over the whole horizon
            table[dim] = pd.array([int(y) if y else pd.NA for y in labels], dtype="Int64")
        else:
            table[dim] = [str(x) for x in labels]
    table["value"] = results.limit_value.values
    table["level"] = results.limit_level.values
    table["binding"] = results.limit_binding.values.astype(bool)
    table["shadow_price"] = results.limit_shadow_price.values
    for key in ("kind", "units", "price_units", "description"):
        table[key] = results[f"limit_{key}"].values.astype(str)
    return table


def binding_limits(results: xr.Dataset, min_shadow_price: float = 0.0,
                   prohibitions: bool = False) -> pd.DataFrame:
    """The limits that bind, most valuable first: a result decided by a cap rather than by the
    economics is a finding about the cap.

    One row per binding limit (its level at its value) whose shadow price is at least
    ``min_shadow_price`` (default 0: every binding limit, including those that bind without
    cost), sorted by shadow price, largest first. Shadow prices are annual values of relaxing
    the limit by one unit, in ``price_units`` (positive: the limit costs money; families differ
    in units, so compare within a family); see :func:`limit_table` for the columns.

    ``prohibitions``: include upper bounds of 0 (a technology that may not be built in a hub or a
    year: no sites, a build rate of 0). They are left out by default: their shadow price says
    what the option would be worth, which is a question about the data rather than a cap the
    model ran into; :func:`limit_table` has them all.
    """
    table = limit_table(results)
    keep = table.binding & (table.shadow_price >= min_shadow_price)
    if not prohibitions:
        keep &= ~((table.kind == "upper_bound") & (table.value == 0))
    return (table[keep].sort_values("shadow_price", ascending=False, kind="stable")
            .drop(columns="binding").reset_index(drop=True))


def variable_renewable_curtailment(results: xr.Dataset) -> xr.DataArray:
    """Curtailed wind and solar output by hub and year [TWh]."""
    techs = [g for g in VARIABLE_RENEWABLES if g in results.gen_tech.values]
    return results.curtailment_annual.sel(gen_tech=techs).sum("gen_tech")


def has_operating_reserves(results: xr.Dataset) -> bool:
    """Whether the results come from a model with operating reserves (the reserves module)."""
    return "reserve_provided" in results


def operating_reserves(results: xr.Dataset) -> pd.DataFrame:
    """Reserves by provider and direction, all hubs, per year: reserve held on average [GW] and
    over the year [TWh, GW x h], what it earns at the reserve price [MUSD/yr], and the share of the
    year's hours in which the price is positive (scarce headroom) with its mean there [USD/MW-h].
    """
    if not has_operating_reserves(results):
        raise ValueError("these results have no operating reserves (policy.operating_reserves off)")
    w = results.weight
    hours = float(w.sum())
    held = results.reserve_provided.sum("region")
    frame = xr.Dataset({
        "mean GW": (held * w).sum("time") / hours,
        "TWh/year": results.reserve_provided_annual.sum("region"),
        "earned MUSD/year": results.reserve_revenue.sum("region"),
    }).to_dataframe().reset_index()
    price = results.reserve_price
    scarce = (price > 1e-6)
    share = ((scarce * w).sum("time") / hours).mean("region")
    mean_scarce = ((price * w).where(scarce).sum("time") / (w.where(scarce)).sum("time"))
    prices = xr.Dataset({"hours with a positive price (share)": share,
                         "mean positive price USD/MWh": mean_scarce.mean("region", skipna=True)}
                        ).to_dataframe().reset_index()
    return frame.merge(prices, on=["reserve_direction", "year"])


def forecasting_value(reference: xr.Dataset, lever: xr.Dataset,
                      year_weight: xr.DataArray | None = None) -> pd.DataFrame:
    """What better forecasting changes, ``lever`` minus ``reference`` (same system, reserves on):
    per year and all hubs, the total annual cost [MUSD/yr] (the lever's forecasting cost
    included, and shown on its own, as is the change in the cost of balancing forecast errors,
    ``imbalance``), wind and solar curtailment [TWh], emissions [Mt], the mean
    committed coal and gas [GW] and the mean upward reserve requirement [GW]; the ``horizon`` row
    holds the objective (present value, MUSD) difference and, with ``year_weight`` (the inputs'
    years each modelled year stands for), :data:`HORIZON_TOTAL_ROW` the curtailment and emissions
    summed over the horizon. Negative numbers are savings."""
    def annual(r: xr.Dataset) -> pd.DataFrame:
        def component(name: str) -> xr.DataArray:
            return (r.cost.sel(component=name) if name in r.component.values
                    else xr.zeros_like(r.cost.isel(component=0)))

        w = r.weight
        hours = float(w.sum())
        out = {
            "cost MUSD/year": r.cost.sum("component"),
            "forecasting cost MUSD/year": component("forecasting"),
            "imbalance cost MUSD/year": component("imbalance"),
            "curtailment TWh": variable_renewable_curtailment(r).sum("region"),
            "emissions Mt": r.emissions.sum("region"),
        }
        if "committed" in r:
            out["committed thermal GW"] = (r.committed * w).sum(["region", "gen_tech",
                                                                  "time"]) / hours
        if "reserve_requirement" in r:
            out["upward requirement GW"] = (r.reserve_requirement.sel(reserve_direction="up")
                                            * w).sum(["region", "time"]) / hours
        return pd.DataFrame({name: pd.Series(np.asarray(v.values, float).ravel(),
                                             index=[int(y) for y in v.year.values])
                             for name, v in out.items()}).rename_axis("year")

    diff = annual(lever) - annual(reference)
    diff.index = diff.index.astype(str)
    total = pd.DataFrame({"cost MUSD/year": [float(lever.attrs["objective"])
                                             - float(reference.attrs["objective"])]},
                         index=pd.Index([HORIZON_ROW], name="year"))
    rows = [diff, total]
    if year_weight is not None:
        years = pd.Series(np.asarray(year_weight.values, float),
                          index=[str(int(y)) for y in year_weight.year.values])
        sums = {c: float((diff[c] * years.reindex(diff.index)).sum())
                for c in ("curtailment TWh", "emissions Mt")}
        rows.append(pd.DataFrame(sums, index=pd.Index([HORIZON_TOTAL_ROW], name="year")))
    return pd.concat(rows)


def reserve_prices_by_hub(results: xr.Dataset, year: int | None = None) -> pd.DataFrame:
    """Reserve prices hub by hub in ``year`` (default: the last), upward and downward: the share of
    the year's hours with a positive price (headroom scarce), the mean price in those hours and the
    highest [USD/MW-h]. Zero everywhere means the hub's headroom is ample."""
    if not has_operating_reserves(results):
        raise ValueError("these results have no operating reserves (policy.operating_reserves off)")
    year = int(results.year.values[-1]) if year is None else year
    price = results.reserve_price.sel(year=year)
    w = results.weight
    scarce = price > 1e-6
    table = xr.Dataset({
        "hours with a positive price (share)": (scarce * w).sum("time") / float(w.sum()),
        "mean positive price USD/MWh": (price * w).where(scarce).sum("time")
        / w.where(scarce).sum("time"),
        "highest price USD/MWh": price.max("time"),
    }).to_dataframe().drop(columns="year", errors="ignore")
    return table.unstack("reserve_direction").swaplevel(axis=1).sort_index(axis=1, level=0)


def curtailment_change(reference: xr.Dataset, other: xr.Dataset) -> pd.DataFrame:
    """Wind and solar curtailment of ``other`` minus ``reference`` [TWh/yr], hub by hub (rows) and
    year (columns), with an all-hubs row: negative numbers are curtailment avoided."""
    diff = (variable_renewable_curtailment(other) - variable_renewable_curtailment(reference)
            ).transpose("region", "year").to_pandas()
    diff.loc["all hubs"] = diff.sum()
    diff.columns = [int(y) for y in diff.columns]
    return diff


def hub_of(inputs: xr.Dataset) -> dict[str, str]:
    """Each region's hub (the inputs' ``hub``: the province dataset's ``hubs`` grouping, provinces
    outside the hubs in their grid region's rest); each region its own where the inputs have none."""
    regions = [str(r) for r in inputs.region.values]
    if "hub" not in inputs:
        return {r: r for r in regions}
    return dict(zip(regions, map(str, inputs.hub.values), strict=True))


def hub_view(results: xr.Dataset, hubs: Mapping[str, str]) -> xr.Dataset:
    """The results grouped to hubs by ``hubs`` (region -> hub, e.g. :func:`hub_of`), whatever the
    resolution: consumption, generation by technology, capacity, emissions, unserved energy, net
    imports and data centres summed; prices consumption-weighted over the members' time steps;
    compute exports summed over origin and serving hub (flows inside a hub included).

    Net imports of a hub are its members' net imports, so flows between members cancel (their
    losses stay in)."""
    from synergy_models.data.aggregation import group_regions

    r, w = results, results.weight
    load = consumption(r)

    def group(da: xr.DataArray, weights: xr.DataArray | None = None) -> xr.DataArray:
        return group_regions(da, hubs, weights)

    ds = xr.Dataset()
    ds["consumption"] = group(_annual(load, w)).assign_attrs(units="TWh", long_name="electricity "
                                                             "consumed in the hub")
    ds["price_average"] = (group((r.price * load * w).sum("time"))
                           / group((load * w).sum("time"))).assign_attrs(
        units="USD/MWh", long_name="consumption-weighted average price of the hub's members")
    ds["generation"] = group(r.generation_annual).assign_attrs(units="TWh",
                                                               long_name="generation")
    ds["capacity"] = group(r.capacity).assign_attrs(units="GW", long_name="installed capacity")
    ds["emissions"] = group(r.emissions).assign_attrs(units="Mt", long_name="CO2 emissions")
    ds["unserved"] = group(_annual(r.unserved, w)).assign_attrs(units="TWh", long_name="demand not met")
    ds["net_imports"] = group(_annual(balance_by_role(r, "trade"), w)).assign_attrs(
        units="TWh", long_name="net imports into the hub's members (negative: net exporter)")
    if has_data_centres(r):
        ds["dc_capacity"] = group(r.dc_capacity).assign_attrs(units="GW",
                                                              long_name="data-centre IT capacity")
        ds["dc_electricity"] = group(_annual(r.dc_electricity, w)).assign_attrs(
            units="TWh", long_name="data-centre electricity")
        by_serving = group(r.compute_exports)                        # (origin, region=hub, year)
        by_both = group(by_serving.rename(region="serving", origin="region"))
        ds["compute_exports"] = by_both.rename(region="origin", serving="region").assign_attrs(
            units="TWh", long_name="compute served for the origin hub in the serving hub (IT "
            "energy; a hub's own members serving each other included)")
    ds.attrs.update(content="hub view", scenario=r.attrs.get("scenario", ""))
    return ds


#: What :func:`aggregation_check` compares, and the column of its table.
AGGREGATION_CHECKS = ("price_average", "generation", "emissions", "capacity", "consumption")


def aggregation_check(aggregated: xr.Dataset, aggregated_inputs: xr.Dataset, full: xr.Dataset,
                      full_inputs: xr.Dataset, year: int | None = None) -> pd.DataFrame:
    """An aggregated run against the full-resolution run, both seen by hub (:func:`hub_view`)
    in ``year`` (default: the last): per hub the aggregated and full values of the average price
    [USD/MWh], generation by technology [TWh], emissions [Mt] and installed capacity by technology
    [GW], with their differences (relative where the full value is not near zero); and the system
    cost [MUSD/yr] in an ``all`` row."""
    year = int(full.year.values[-1]) if year is None else year
    a = hub_view(aggregated, hub_of(aggregated_inputs)).sel(year=year)
    f = hub_view(full, hub_of(full_inputs)).sel(year=year)
    hubs = [h for h in f.region.values if h in a.region.values]
    rows = []

    def add(hub: str, quantity: str, unit: str, av: float, fv: float) -> None:
        rows.append({"hub": hub, "quantity": quantity, "unit": unit, "aggregated": av,
                     "full": fv, "difference": av - fv,
                     "relative": (av - fv) / abs(fv) if abs(fv) > 1e-9 else np.nan})

    for h in hubs:
        add(h, "price", "USD/MWh", float(a.price_average.sel(region=h)),
            float(f.price_average.sel(region=h)))
        add(h, "emissions", "Mt", float(a.emissions.sel(region=h)), float(f.emissions.sel(region=h)))
        add(h, "consumption", "TWh", float(a.consumption.sel(region=h)),
            float(f.consumption.sel(region=h)))
        for g in f.gen_tech.values:
            add(h, f"generation {g}", "TWh", float(a.generation.sel(region=h, gen_tech=g)),
                float(f.generation.sel(region=h, gen_tech=g)))
        for t in f.tech.values:
            add(h, f"capacity {t}", "GW", float(a.capacity.sel(region=h, tech=t)),
                float(f.capacity.sel(region=h, tech=t)))
    add(ALL_HUBS, "system cost", "MUSD/yr", float(aggregated.cost.sum("component").sel(year=year)),
        float(full.cost.sum("component").sel(year=year)))
    add(ALL_HUBS, "emissions", "Mt", float(a.emissions.sum()), float(f.emissions.sum()))
    add(ALL_HUBS, "price", "USD/MWh", float(demand_weighted_price(aggregated).sel(year=year)),
        float(demand_weighted_price(full).sel(year=year)))
    return pd.DataFrame(rows).set_index(["hub", "quantity"])
