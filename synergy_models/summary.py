"""Readable summaries of inputs and results as tables: for ``synergy validate``, ``synergy run``
and the report notebooks.
"""

from __future__ import annotations

import pandas as pd
import xarray as xr

from synergy_models.indicators import demand_weighted_price
from synergy_models.units import GWH_PER_TWH, USD_MWH_PER_MUSD_GWH


def summary_tables(inputs: xr.Dataset) -> list[tuple[str, pd.DataFrame]]:
    """(title, table) pairs describing hubs, technologies, corridors and the time reduction."""
    first, last = int(inputs.year[0]), int(inputs.year[-1])
    hubs = pd.DataFrame({
        "hub": inputs.region_name.values,
        f"demand {inputs.attrs['base_year']} TWh": inputs.demand_base.values / GWH_PER_TWH,
        "growth %/yr": inputs.demand_growth.values * 100,
        f"demand {last} TWh": inputs.demand.sel(year=last).values / GWH_PER_TWH,
        f"peak {last} GW": inputs.peak_load.sel(year=last).values,
        "PUE": inputs.pue.values,
    }, index=pd.Index(inputs.region.values, name="region"))
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
