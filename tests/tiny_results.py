"""A hand-built results Dataset (schema: docs/results.md) for indicator and market tests.

Two hubs A and B, one year (2030), two time steps standing for 6,000 and 2,760 hours (8,760 in all),
one line AB (5% losses). Every number is chosen so that the indicators and market segments can be
worked out by hand in the tests' docstrings:

=========================  ===============  ===============
per step (GW, USD/MWh)     A: t0, t1        B: t0, t1
=========================  ===============  ===============
exogenous demand           10, 20           5, 5
data-centre electricity    2, 2 (PUE 1.25)  3, 6 (PUE 1.5)
IT load                    1.6, 1.6         2, 4 (all of it A's demand: exported A -> B)
unserved                   0, 1             0, 0
price                      50, 300          30, 40
flow on AB (A -> B +)      -2, 3
scheduled export           1 (external)     0
=========================  ===============  ===============

Annual costs [MUSD/yr]: see ``COSTS``.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

WEIGHTS = np.array([6000.0, 2760.0])
COSTS = {"investment": 1000.0, "fixed_om_existing": 500.0, "variable": 800.0,
         "unserved_energy": 100.0, "storage_energy": 200.0, "transmission": 300.0,
         "certificates": 10.0, "green_shortfall": 5.0, "data_centres": 400.0, "bandwidth": 20.0,
         "backup": 60.0, "reserve_shortfall": 0.0}


def _da(values, dims, coords, units):
    return xr.DataArray(np.asarray(values, dtype=float), dims=dims,
                        coords={d: coords[d] for d in dims}, attrs={"units": units})


def tiny_results(extra_costs: dict[str, float] | None = None, compute: bool = True,
                 fuel_cell_backup: dict[str, float] | None = None) -> xr.Dataset:
    """``extra_costs``: more cost components [MUSD/yr]; ``fuel_cell_backup``: GW by hub (hydrogen)."""
    regions, years, time = ["A", "B"], [2030], [0, 1]
    gen, techs = ["gas", "wind"], ["gas", "wind"]
    c = {"region": regions, "origin": regions, "year": years, "time": time, "gen_tech": gen,
         "tech": techs, "line": ["AB"], "workload": ["inference", "training"],
         "component": list(COSTS) + list(extra_costs or {})}
    ds = xr.Dataset()
    ds["weight"] = _da(WEIGHTS, ("time",), c, "h")

    def ryt(a, b):  # (region, year, time) from per-hub step values
        return [[a], [b]]

    demand = np.array(ryt([10, 20], [5, 5]), float)
    dc = np.array(ryt([2, 2], [3, 6]), float) if compute else np.zeros_like(demand)
    unserved = np.array(ryt([0, 1], [0, 0]), float)
    flow = np.array([[[-2.0, 3.0]]])                                        # line, year, time
    losses = 0.05 * np.abs(flow)
    net_import = np.array(ryt([0.95 * 2, -3], [-2, 0.95 * 3]))
    scheduled = np.array(ryt([1, 1], [0, 0]), float)
    supply = demand + dc + scheduled - unserved - net_import                # generation closes it
    terms = ["power.generation_total", "power.unserved", "storage.net_discharge",
             "transmission.net_import", "power.demand", "compute.electricity",
             "policy.scheduled_export"]
    if not compute:
        terms.remove("compute.electricity")
    parts = {"power.generation_total": supply, "power.unserved": unserved,
             "storage.net_discharge": np.zeros_like(demand), "transmission.net_import": net_import,
             "power.demand": -demand, "compute.electricity": -dc, "policy.scheduled_export": -scheduled}
    roles = {"power.generation_total": "supply", "power.unserved": "unserved",
             "storage.net_discharge": "storage", "transmission.net_import": "trade",
             "power.demand": "demand", "compute.electricity": "demand",
             "policy.scheduled_export": "trade"}
    ds["balance"] = xr.DataArray(np.stack([parts[t] for t in terms]),
                                 dims=("term", "region", "year", "time"),
                                 coords={"term": terms, "term_role": ("term", [roles[t] for t in terms]),
                                         "region": regions, "year": years, "time": time},
                                 attrs={"units": "GW"})
    ds["scheduled_net_export"] = _da([1.0, 0.0], ("region",), c, "GW")
    # Reserve terms as the model registers them: firm = credit x capacity (gas 0.9, wind 0.1):
    # A 0.9 x 30 + 0.1 x 20 = 29, B 0.9 x 10 + 0.1 x 5 = 9.5; data centres' peak = PUE x
    # utilisation (0.8) x IT capacity: A 1.25 x 0.8 x 2 = 2, B 1.5 x 0.8 x 5 = 6.
    ds["firm_capacity"] = xr.DataArray([[[29.0], [9.5]]], dims=("firm_term", "region", "year"),
                                       coords={"firm_term": ["power.firm_capacity"],
                                               "region": regions, "year": years})
    peak_terms = ["power.peak"] + (["compute.peak"] if compute else [])
    peaks = [[[20.0], [4.0]]] + ([[[2.0], [6.0]]] if compute else [])
    ds["peak_load_terms"] = xr.DataArray(
        peaks, dims=("peak_term", "region", "year"),
        coords={"peak_term": peak_terms, "peak_exogenous": ("peak_term", [True, False][:len(peaks)]),
                "region": regions, "year": years})
    ds["demand"] = _da(demand, ("region", "year", "time"), c, "GW")
    ds["unserved"] = _da(unserved, ("region", "year", "time"), c, "GW")
    ds["price"] = _da(ryt([50, 300], [30, 40]), ("region", "year", "time"), c, "USD/MWh")
    ds["flow"] = _da(flow, ("line", "year", "time"), c, "GW")
    ds["line_losses"] = _da(losses, ("line", "year", "time"), c, "GW")
    ds["line_from"] = xr.DataArray(np.array(["A"], dtype=object), dims="line", coords={"line": ["AB"]})
    ds["line_to"] = xr.DataArray(np.array(["B"], dtype=object), dims="line", coords={"line": ["AB"]})
    # Annual generation [TWh] (gas, wind) and curtailment: A wind 30 used, 10 curtailed.
    ds["generation_annual"] = _da([[[100.0], [30.0]], [[40.0], [0.0]]],
                                  ("region", "gen_tech", "year"), c, "TWh")
    ds["curtailment_annual"] = _da([[[0.0], [10.0]], [[0.0], [0.0]]],
                                   ("region", "gen_tech", "year"), c, "TWh")
    ds["emissions"] = _da([[20.0], [0.0]], ("region", "year"), c, "Mt")
    ds["capacity"] = _da([[[30.0], [20.0]], [[10.0], [5.0]]], ("region", "tech", "year"), c, "GW")
    costs = {**COSTS, **(extra_costs or {})}
    ds["cost"] = _da([[v] for v in costs.values()], ("component", "year"), c, "MUSD/year")
    if compute:
        it = np.array(ryt([1.6, 1.6], [2, 4]), float)
        ds["dc_electricity"] = _da(dc, ("region", "year", "time"), c, "GW")
        ds["dc_load"] = _da(it, ("region", "year", "time"), c, "GW")
        ds["dc_capacity"] = _da([[2.0], [5.0]], ("region", "year"), c, "GW")
        home = 1.6 * 8760 / 1000                                            # 14.016 TWh
        away = (2 * 6000 + 4 * 2760) / 1000                                 # 23.04 TWh
        served = np.zeros((2, 2, 2, 1))                                     # origin, region, workload, year
        served[0, 0, 0, 0] = home
        served[0, 1, 1, 0] = away
        ds["compute_served"] = _da(served, ("origin", "region", "workload", "year"), c, "TWh")
        ds["compute_exports"] = _da([[[0.0], [away]], [[0.0], [0.0]]], ("origin", "region", "year"),
                                    c, "TWh")
        ds["exported_electricity"] = ds.compute_exports * xr.DataArray([1.25, 1.5], dims="region",
                                                                       coords={"region": regions})
        ds["exported_electricity"].attrs["units"] = "TWh"
        weighted = (ds.price * ds.dc_electricity * ds.weight).sum("time")
        ds["dc_price"] = (weighted / (ds.dc_electricity * ds.weight).sum("time")).assign_attrs(
            units="USD/MWh")
        ds["green_share_achieved"] = _da([[0.5], [0.9]], ("region", "year"), c, "1")
        ds["compute_carbon_intensity"] = _da([[300.0], [50.0]], ("region", "year"), c, "g/kWh")
        ds["compute_emissions_per_eflops_year"] = _da([[400.0], [60.0]], ("region", "year"), c,
                                                      "kt/(EFLOPS-year)")
    if fuel_cell_backup is not None:
        ds["fuel_cell_backup"] = _da([[fuel_cell_backup.get(r, 0.0)] for r in regions],
                                     ("region", "year"), c, "GW")
    ds.attrs["scenario"] = "tiny_results"
    return ds


def tiny_reserve_inputs() -> xr.Dataset:
    """What the reserve margin needs from the inputs: credits, peaks, margin, PUE, utilisation."""
    c = {"region": ["A", "B"], "year": [2030], "tech": ["gas", "wind"]}
    ds = xr.Dataset()
    ds["capacity_credit"] = _da([0.9, 0.1], ("tech",), c, "1")
    ds["peak_load"] = _da([[20.0], [5.0]], ("region", "year"), c, "GW")
    ds["peak_load_coincident"] = _da([[20.0], [4.0]], ("region", "year"), c, "GW")
    ds["pue"] = _da([1.25, 1.5], ("region",), c, "1")
    ds["utilisation_max"] = _da([0.8, 0.8], ("region",), c, "1")
    ds["reserve_margin"] = 0.15
    return ds
