r"""Compute block: where data centres serve the hubs' compute demand, and what that does to power.

Compute demand originates in hub :math:`o` by workload :math:`k` (latency-sensitive ``inference``,
shiftable ``training``) and may be served at any hub :math:`s` the workload's latency allows; served
IT load times the serving hub's PUE is withdrawn from that hub's power balance. Serving away from the
origin ("exporting compute") needs long-haul bandwidth instead of UHV power lines.

**Sets**: :math:`(o,s,k) \in \mathcal{A}` the serving options: :math:`s = o`, or training anywhere,
or inference where the round trip :math:`\ell_{o,s} \le \bar\ell` (20 ms), in both cases only where
the origin may export (:math:`\chi_o > 0`), and only at hubs :math:`s \in \mathcal{S}` that can
hold data centres (existing capacity or a build limit above zero: elsewhere every term below is
zero, so the hub's time-indexed variables and rows are left out; ``sites``); :math:`j \in J`
backup technologies (diesel, battery; the hydrogen module adds fuel cells); :math:`g \in \{wind,
solar, hydro\}` green sources.

**Variables** (all non-negative)

=========================  ===================  ===================================================
symbol                     attribute            meaning [unit]
=========================  ===================  ===================================================
:math:`x_{o,s,k,y}`        ``served``           average IT load of origin o, workload k served at s [GW]
:math:`v_{s,y,t}`          ``shifted``          training load hub s moves in time within the day [GW]
:math:`X_{s,y,t}`          ``it_load``          IT load served in hub s (defined below) [GW]
:math:`X^0_{s,y,t}`        ``it_load_existing`` the part of it in the existing fleet [GW]
:math:`T_{s,y}`            ``training``         training load served in hub s, on average [GW]
:math:`Q_{s,y}`            ``dc_capacity``      data-centre IT capacity [GW]
:math:`H_{s,y}`            ``dc_new``           IT capacity built in year y [GW]
:math:`\beta_{o,s,y}`      ``bandwidth``        long-haul link, as IT load it can carry [GW]
:math:`G_{s,g,y}`          ``green_capacity``   capacity built in the horizon, contracted by data centres [GW]
:math:`G^e_{s,g,y}`        ``green_capacity_existing``  existing capacity contracted at a premium [GW]
:math:`m_{s,y,t}`          ``green_matched``    green output used by data centres (hourly) [GW]
:math:`M_{s,y}`            ``green_matched_year``  (annual matching) [GWh]
:math:`z_{s,y}`            ``certificates``     green certificates bought (annual matching) [GWh]
:math:`\sigma_{s,y}`       ``green_shortfall``  green energy missing from the target [GWh]
:math:`U_{s,j,y}`          ``backup``           backup capacity [GW]
:math:`\omega^+_{s,y,t}`    ``moved_in``         training of other hubs run here (relocation) [GW]
:math:`\omega^-_{s,y,t}`    ``moved_out``        shifted training run in other hubs (relocation) [GW]
:math:`\Lambda_{s,y}`      ``relocation_link``  link end for relocated training [GW]
:math:`S_{s,n,y}`          ``dc_site``          IT capacity built in year y on site tranche n [GW]
=========================  ===================  ===================================================

**Parameters**: :math:`D_{o,k,y}` demand [GW of IT], :math:`\phi_{o,t}` inference profile (the
origin's load profile, mean 1), :math:`\varphi` training flexibility, :math:`\chi_o` most of the
origin's demand served elsewhere, :math:`Q^0_s` existing capacity, :math:`u_s` utilisation limit,
:math:`\mathrm{PUE}_s` of new builds, :math:`\mathrm{PUE}^0_s` of the existing fleet,
:math:`\gamma_s` grid-safety share, :math:`\hat L_{s,y}` the hub's own peak
load (in either reserve scope),
:math:`\theta` green share target, :math:`\epsilon` export cap of contracted output, :math:`\rho`
backup per unit of IT capacity.

**Constraints**

.. math::

    \sum_s x_{o,s,k,y} &= D_{o,k,y}
        && \text{demand [GW]} \\
    \sum_{t \in T_p} \Delta_t v_{s,y,t} &= 24 \varphi \sum_o x_{o,s,tr,y}
        && \text{training\_day [GWh]} \\
    \sum_{s \ne o,k} e_{o,k}\, x_{o,s,k,y} &\le \chi_o \sum_{s,k} e_{o,k}\, x_{o,s,k,y}
        && \text{export\_share [GWh], where } 0 < \chi_o < 1 \\
    Q_{s,y} &= Q^0_s + \sum_{y' \le y} H_{s,y'}, \quad \sum_y H_{s,y} \le \bar H_s
        && \text{dc\_capacity\_definition, dc\_build\_limit [GW]} \\
    X_{s,y,t} - X^0_{s,y,t} &\le u_s \textstyle\sum_{y' \le y} H_{s,y'}, \quad
    X^0_{s,y,t} \le X_{s,y,t}, \quad 0 \le X^0_{s,y,t} \le u_s Q^0_s
        && \text{new\_build\_utilisation, existing\_within\_load [GW]} \\
    \hat\phi_o\, x_{o,s,inf,y} + x_{o,s,tr,y} &\le \beta_{o,s,y} \quad (s \ne o)
        && \text{bandwidth\_limit [GW]} \\
    0 \le X_{s,y,t} &\le \gamma_s \hat L_{s,y} / \max(\mathrm{PUE}_s, \mathrm{PUE}^0_s)
        && \text{grid safety: the bounds of } X \text{ [GW]} \\
    G_{s,g,y} &\le K_{s,g,y} - (K^0_{s,g} - R_{s,g,y})
        && \text{green\_contract [GW]} \\
    G^e_{s,g,y} &\le K^0_{s,g} - R_{s,g,y}
        && \text{green\_trade [GW]} \\
    \sum_j U_{s,j,y} + \sum_{i \in \mathcal{B}} B^i_{s,y} &\ge \rho \sum_{y' \le y} H_{s,y'}
        && \text{backup\_requirement, new capacity [GW]} \\
    H_{s,y} = \sum_n S_{s,n,y}, \quad \sum_y S_{s,n,y} &\le \bar S_{s,n}
        && \text{site\_definition, site\_limit [GW]}

Siting economics (issue 19): each hub's new capacity comes from a supply curve of sites, tranches
:math:`n` of size :math:`\bar S_{s,n}` (input *site_capacity*) at an annual premium
:math:`c^{site}_{s,n}` [MUSD/GW/yr] (input *site_cost*) that rises along the curve, so siting moves
tranche by tranche with prices and policy rather than flipping to one hub; a hub with a single
unlimited tranche at no premium has no :math:`S` variables. Data centres pay
:math:`\tau_s` [MUSD/GWh] on top of the energy price (input *tariff_adder*: T&D charge and policy
surcharges, input *water_cost*: cooling water) and land :math:`c^{land}_s` [MUSD/GW] (annualised).

The IT load served in hub :math:`s` in step :math:`t` (``it_load``) is inference following each
origin's profile, training flat, plus what the hub shifts:

.. math::

    X_{s,y,t} = \sum_o \phi_{o,t}\, x_{o,s,inf,y} + (1-\varphi) T_{s,y} + v_{s,y,t}, \qquad
    T_{s,y} = \sum_o x_{o,s,tr,y} \qquad [\text{GW}]

(``it_load_definition``, ``training_definition``: variables with a definition row each, so that
each step's rows hold one term per hub rather than one per serving option),

*Relocation* (``policy.training_relocation: hourly``; off by default): the training a hub shifts
(:math:`v`) may run in other hubs hour by hour, adding :math:`\omega^+_{s,y,t} - \omega^-_{s,y,t}`
to :math:`X_{s,y,t}`:

.. math::

    \sum_s \omega^+_{s,y,t} &= \sum_s \omega^-_{s,y,t}
        && \text{relocation\_pool [GW]} \\
    \sum_t w_t (\omega^+_{s,y,t} - \omega^-_{s,y,t}) &= 0
        && \text{relocation\_year [GWh]} \\
    \omega^-_{s,y,t} &\le v_{s,y,t}
        && \text{relocation\_out [GW]} \\
    \omega^+_{s,y,t} + \omega^-_{s,y,t} &\le \Lambda_{s,y}
        && \text{relocation\_link\_limit [GW]}

(a pool: training has no latency limit; each hub runs its own training energy over the year, so
who serves whom is unchanged), at annual cost ``relocation`` :math:`\tfrac12 c^{bw} \sum_s
\Lambda_{s,y}` (a link has two ends).

with :math:`e_{o,inf} = \sum_t w_t \phi_{o,t}` and :math:`e_{o,tr} = \sum_t w_t` the hours of IT
energy per GW of average load, and :math:`\hat\phi_o = \max_t \phi_{o,t}` the origin's peak factor:
exported inference needs bandwidth for its peak hour, training for its average. Serving shares are
the same in every hour of a year (a hub's inference does not switch servers hour by hour), which
keeps the block's time-indexed variables per hub rather than per origin and hub.

**Fleet PUE by vintage.** The existing fleet (built before the hub programme's PUE caps) and new
builds draw power at their own PUE. The hub's electricity in step :math:`t` is

.. math::

    P_{s,y,t} = \mathrm{PUE}_s (X_{s,y,t} - X^0_{s,y,t}) + \mathrm{PUE}^0_s X^0_{s,y,t}
              = \mathrm{PUE}_s X_{s,y,t} + (\mathrm{PUE}^0_s - \mathrm{PUE}_s) X^0_{s,y,t}
        \qquad [\text{GW}]

The IT load on new builds, :math:`X - X^0`, fits their capacity at the utilisation limit, and the
existing fleet's part :math:`X^0` its own; the solver chooses the split. Where
:math:`\mathrm{PUE}^0_s > \mathrm{PUE}_s` (the data) it puts load on new builds first (less
electricity), so the existing fleet carries :math:`\max(0, X - u_s \sum H)`;
``existing_within_load`` keeps the fleet from drawing power for no IT load in hours where power is
free or green output would count (hourly matching). Together these rows and the bound give the
utilisation limit :math:`X_{s,y,t} \le u_s Q_{s,y}` (:math:`u_s Q = u_s Q^0 + u_s \sum H`), which
therefore has no row of its own. The
grid-safety bound divides by the larger of the two PUEs: it holds whatever the mix (conservative
when the other vintage carries load). With no new builds the hub draws
:math:`\mathrm{PUE}^0_s X`; a dataset without a fleet PUE gets :math:`\mathrm{PUE}^0 =
\mathrm{PUE}` (one PUE for the whole fleet, as before).

Green power, with :math:`\Gamma_{s,y,t} = \sum_g a_g f_{s,g,t} (G_{s,g,y} + G^e_{s,g,y})` the
contracted output, :math:`p_{s,g,y,t}` the power block's generation, :math:`K^0, R` its existing
and retired capacity, and :math:`E_{s,y} = \sum_t w_t P_{s,y,t}` the data centres' electricity.
Contracts are *additional*: capacity built within the horizon (``green_contract``: at most what
has been built, :math:`K - (K^0 - R)`), or existing capacity whose output is bought
at the green-power trading premium :math:`c^{gp}` (``green_trade``). A claim never exceeds what
the hub's wind, solar and hydro generate (``match_generation``: curtailed output is not claimed),
so what is left, :math:`\sum_t w_t \sum_g p_{s,g,y,t}` minus the claim, is what the rest of the
hub may count (results *green_generation_unclaimed*):

- *annual matching*: ``match_supply`` :math:`M_{s,y} \le \sum_t w_t \Gamma_{s,y,t}`,
  ``match_load`` :math:`M_{s,y} \le E_{s,y}`, ``match_generation`` :math:`M_{s,y} \le
  \sum_t w_t \sum_g p_{s,g,y,t}`, ``green_target``
  :math:`M_{s,y} + z_{s,y} + \sigma_{s,y} \ge \theta E_{s,y}`, export cap ``green_export``
  :math:`\sum_t w_t \Gamma_{s,y,t} - M_{s,y} \le \epsilon \sum_t w_t \Gamma_{s,y,t}`;
- *hourly matching* (24/7): ``match_supply`` :math:`m_{s,y,t} \le \Gamma_{s,y,t}`,
  ``match_load`` :math:`m_{s,y,t} \le P_{s,y,t}`, ``match_generation``
  :math:`m_{s,y,t} \le \sum_g p_{s,g,y,t}`, ``green_target``
  :math:`\sum_t w_t m_{s,y,t} + \sigma_{s,y} \ge \theta E_{s,y}` (no certificates), export cap
  ``green_export`` :math:`\sum_t w_t (\Gamma_{s,y,t} - m_{s,y,t}) \le \epsilon \sum_t w_t
  \Gamma_{s,y,t}`.

- *no matching* (*none*): no contracts, certificates or target; the data centres use grid power.

Contracted capacity is part of the hub's own wind, solar and hydro (the power block's
:math:`K`), so build limits and costs are those of the power system; contracting decides which
output counts as the data centres', and existing output costs the premium.

The results report the data centres' CO2 three ways (*compute_emissions* by *basis*, the GHG
Protocol's Scope 2 methods and the marginal view): *location-based*, :math:`E` at the hub's average
generation intensity; *market-based*, what claims and certificates do not cover at the hub's
residual mix (its emissions over the generation nobody claimed); *marginal*, each step's
electricity at the emission intensity of the step's price-setting unit
(:func:`marginal_emission_factor`).

Balance terms: withdrawal (consumption) ``electricity``
:math:`P_{s,y,t}`. Peak-load term ``peak``
:math:`\mathrm{PUE}_s u_s Q_{s,y} + (\mathrm{PUE}^0_s - \mathrm{PUE}_s) u_s Q^0_s` (the most the
data centres can draw: both vintages at the utilisation limit).

Annual costs [MUSD/yr]: ``data_centres`` :math:`\sum_s \sum_{y' \le y} (c^{dc}_{y'} +
c^{land}_s \mathrm{CRF}) H_{s,y'}` plus fixed O&M of existing capacity; ``sites``
:math:`\sum_{s,n} c^{site}_{s,n} \sum_{y' \le y} S_{s,n,y'}`; ``dc_tariffs``
:math:`\sum_s \tau_s E_{s,y}` (a charge, not a resource cost, in the objective because it decides
siting); ``bandwidth`` :math:`c^{bw} \sum_{o \ne s} \beta_{o,s,y}`;
``certificates`` :math:`p^z \sum_s z_{s,y}`; ``green_premium`` :math:`c^{gp} \sum_{s,g,t} w_t
a_g f_{s,g,t} G^e_{s,g,y}`; ``green_shortfall`` :math:`c^\sigma \sum_s
\sigma_{s,y}`; ``backup`` :math:`\sum_{s,j} c^U_j U_{s,j,y}` (annuity, no vintages).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyomo.environ as pyo
import xarray as xr

from synergy_models.errors import InputError, Problem
from synergy_models.model.balance import component
from synergy_models.model.data import ModelData, capital_recovery_factor
from synergy_models.model.module import (
    Build,
    InputVar,
    Limit,
    ModelModule,
    ResultsContext,
    da,
    values,
)
from synergy_models.units import HOURS_PER_YEAR

GREEN_SOURCES = ("wind", "solar", "hydro")
R, RY = ("region",), ("region", "year")
INPUTS = (
    InputVar("compute_demand", ("origin", "workload", "year"), "GW", "average IT load by origin"),
    InputVar("training_flexibility", (), "1", "share of training load that may move in the day"),
    InputVar("latency", ("origin", "region"), "ms", "round-trip latency between hubs"),
    InputVar("latency_max_inference", (), "ms", "most latency inference tolerates"),
    InputVar("compute_export_max", R, "1", "most of an origin's demand served elsewhere"),
    InputVar("dc_capacity_existing", R, "GW", "data-centre IT capacity in the base year"),
    InputVar("utilisation_max", R, "1", "most IT load per unit of IT capacity"),
    InputVar("grid_share_max", R, "1", "most data-centre load as a share of the hub's own peak"),
    InputVar("pue", R, "1", "power usage effectiveness of new builds"),
    InputVar("pue_existing", R, "1", "power usage effectiveness of the existing fleet",
             optional=True),
    InputVar("max_new_dc", R, "GW", "build limit of IT capacity"),
    InputVar("capex_dc", ("year",), "MUSD/GW", "investment per GW of IT capacity"),
    InputVar("lifetime_dc", (), "year", "economic lifetime of data centres"),
    InputVar("fom_share_dc", (), "1/year", "fixed O&M share of data centres"),
    InputVar("bandwidth_annual_cost", (), "MUSD/GW/year", "long-haul bandwidth per GW of IT load"),
    InputVar("green_share_target", (), "1", "green share of data-centre electricity"),
    InputVar("certificate_price", (), "MUSD/GWh", "green certificate price"),
    InputVar("green_power_premium", (), "MUSD/GWh",
             "premium for green power bought from existing (not additional) capacity",
             optional=True),
    InputVar("green_export_max", (), "1", "most contracted green output sold on"),
    InputVar("green_shortfall_cost", (), "MUSD/GWh", "price of green energy missing"),
    InputVar("backup_ratio", (), "1", "backup power per unit of new IT capacity"),
    InputVar("capex_backup", ("backup_tech",), "MUSD/GW", "backup investment"),
    InputVar("lifetime_backup", (), "year", "backup lifetime"),
    InputVar("flops_per_watt", (), "1", "EFLOPS delivered per GW of IT load"),
    InputVar("bandwidth_per_it", (), "Gbit/s/GW", "bandwidth per GW of IT load served away"),
    InputVar("route_loss", ("origin", "region"), "1", "UHV losses on the route between hubs",
             role="reference"),
    InputVar("peak_load", RY, "GW", "the hub's own peak load (grid-safety cap)"),
    InputVar("tariff_adder", R, "MUSD/GWh", "T&D charge and policy surcharges on data-centre "
             "electricity", optional=True),
    InputVar("water_cost", R, "MUSD/GWh", "cooling water per unit of data-centre electricity",
             optional=True),
    InputVar("land_cost", R, "MUSD/GW", "land per unit of new IT capacity", optional=True),
    InputVar("site_capacity", ("region", "site_tranche"), "GW", "new IT capacity of each site "
             "tranche", optional=True),
    InputVar("site_cost", ("region", "site_tranche"), "MUSD/GW/year", "annual site premium of "
             "each tranche", optional=True),
    InputVar("grid_region", R, "", "regional grid of the hub", optional=True, role="metadata"),
)


def _per_region(ds: xr.Dataset, name: str, default: float) -> np.ndarray:
    """A per-hub siting input, or ``default`` everywhere where the dataset has none (tiny cases)."""
    return (ds[name].values.astype(float) if name in ds
            else np.full(ds.sizes["region"], default, dtype=float))


def prepare_compute(ds: xr.Dataset, d: ModelData) -> dict:
    """Coefficients of the compute block, in model units (GW of IT, MUSD)."""
    rate = d.scalars["discount_rate"]
    crf_dc = float(capital_recovery_factor(rate, float(ds.lifetime_dc)))
    crf_backup = float(capital_recovery_factor(rate, float(ds.lifetime_backup)))
    capex = ds.capex_dc.values
    n = ds.sizes["region"]
    # Sites: one unlimited tranche at no premium where the dataset has no supply curve.
    if "site_capacity" in ds:
        site_capacity = ds.site_capacity.transpose("region", "site_tranche").values.astype(float)
        site_cost = ds.site_cost.transpose("region", "site_tranche").values.astype(float)
        site_labels = [int(k) for k in ds.site_tranche.values]
    else:
        site_capacity, site_cost, site_labels = np.full((n, 1), np.inf), np.zeros((n, 1)), [1]
    existing, max_new = ds.dc_capacity_existing.values, ds.max_new_dc.values
    return {
        # Hubs that can hold data centres: where a hub has none and may build none, its IT load
        # is forced to 0 and with it every time-indexed term of the block (an exact cut: 23 of
        # the 31 provinces, about 18,000 rows and columns of `provinces`).
        "sites": [str(r) for r, q0, h in zip(ds.region.values, existing, max_new, strict=True)
                  if q0 > 0 or h > 0],
        "workloads": [str(w) for w in ds.workload.values],
        "backup_techs": [str(b) for b in ds.backup_tech.values],
        "demand": ds.compute_demand.transpose("origin", "workload", "year").values,
        "flexibility": float(ds.training_flexibility),
        "latency": ds.latency.transpose("origin", "region").values,
        "latency_max": float(ds.latency_max_inference),
        "export_max": ds.compute_export_max.values,
        "capacity_existing": ds.dc_capacity_existing.values,
        "utilisation_max": ds.utilisation_max.values,
        "grid_share_max": ds.grid_share_max.values,
        # Grid safety caps data-centre load at a share of the hub's own peak, whatever the
        # reserve margin's scope (which changes the power block's peak term, not this cap).
        "hub_peak": ds.peak_load.transpose("region", "year").values,
        "pue": ds.pue.values,
        # without a fleet PUE the existing capacity runs at the new builds' (one PUE for all)
        "pue_existing": (ds.pue_existing if "pue_existing" in ds else ds.pue).values,
        "max_new": ds.max_new_dc.values,
        "annual_cost": capex * (crf_dc + float(ds.fom_share_dc)),        # (year,) MUSD/GW/yr
        "fom_existing": float(capex[0] * ds.fom_share_dc),
        "bandwidth_cost": float(ds.bandwidth_annual_cost),               # MUSD/GW/yr
        "green_share": float(ds.green_share_target),
        "certificate_price": float(ds.certificate_price),
        "green_premium": float(ds.green_power_premium) if "green_power_premium" in ds else 0.0,
        "green_export_max": float(ds.green_export_max),
        "green_shortfall_cost": float(ds.green_shortfall_cost),
        "matching": d.options.green_matching,
        "backup_ratio": float(ds.backup_ratio),
        "backup_annual_cost": ds.capex_backup.values * crf_backup,      # (backup_tech,)
        "flops_per_watt": float(ds.flops_per_watt),
        # per MWh of data-centre electricity, on top of the hub's energy price [MUSD/GWh]
        "energy_adder": _per_region(ds, "tariff_adder", 0.0) + _per_region(ds, "water_cost", 0.0),
        "land_annual": _per_region(ds, "land_cost", 0.0) * crf_dc,        # MUSD/GW/yr
        "site_capacity": site_capacity,                                   # (region, tranche) GW
        "site_cost": site_cost,                                           # MUSD/GW/yr
        "site_labels": site_labels,                                       # tranche names
    }


def serving_options(d: ModelData) -> list[tuple[str, str, str]]:
    """(origin, serving hub, workload) triples allowed by latency and export limits, at hubs that
    can hold data centres (``sites``)."""
    c = d.part("compute")
    sites = set(c["sites"])
    out = []
    for i, o in enumerate(d.regions):
        for j, s in enumerate(d.regions):
            if s not in sites:
                continue
            for k in c["workloads"]:
                reachable = k == "training" or c["latency"][i, j] <= c["latency_max"]
                if s == o or (c["export_max"][i] > 0 and reachable):
                    out.append((o, s, k))
    return out


def add_compute(m: pyo.ConcreteModel, d: ModelData) -> None:
    c = d.part("compute")
    b = m.compute = pyo.Block()
    a = d.arrays
    ri, yi = d.index("regions"), d.index("years")
    years = d.years
    options = serving_options(d)
    b.A = pyo.Set(initialize=options, dimen=3, ordered=True)
    # Served load is an annual average per serving option, not a variable per time step: inference
    # follows its origin's hourly profile wherever it is served, and training runs flat apart from
    # the share each serving hub shifts within the day. This keeps the block's time-indexed part
    # per hub, not per (origin, hub) pair (a sixth of the default LP's size instead of half).
    b.served = pyo.Var(b.A, m.Y, within=pyo.NonNegativeReals)
    by_origin: dict[tuple[str, str], list[str]] = {}
    by_server: dict[tuple[str, str], list[str]] = {}
    for o, s, k in options:
        by_origin.setdefault((o, k), []).append(s)
        by_server.setdefault((s, k), []).append(o)
    wi = {k: i for i, k in enumerate(c["workloads"])}
    demand, profile = c["demand"], a["load_profile"]
    weight, hours = a["weight"], a["step_hours"]
    # hours of IT load per GW of average load served, by workload and origin: sum_t w_t phi_o,t
    # for inference (its profile), sum_t w_t for training
    year_hours = float(weight.sum())
    energy_of = {(o, k): float((weight * profile[ri[o]]).sum()) if k == "inference" else year_hours
                 for o in d.regions for k in c["workloads"]}

    def demand_row(b, o, k, y):
        need = float(demand[ri[o], wi[k], yi[y]])
        if (o, k) not in by_origin:
            if need > 0:
                raise InputError(Problem(
                    "max_new_dc", f"compute demand of {o} ({k}, {y}: {need:g} GW of IT) can be "
                    f"served in no hub: {o} has no data centres and may build none, and no hub "
                    "that may is within its reach", value=0.0,
                    expected=f"max_new_dc above 0 for {o} or a reachable hub (latency.csv, "
                    "compute_export_max)"))
            return pyo.Constraint.Skip
        return sum(b.served[o, s, k, y] for s in by_origin[(o, k)]) == need

    b.demand = pyo.Constraint(m.R, c["workloads"], m.Y, rule=demand_row)
    flex = c["flexibility"]
    b.S = pyo.Set(initialize=c["sites"], ordered=True)
    b.shifted = pyo.Var(b.S, m.Y, m.T, within=pyo.NonNegativeReals)

    # Hub totals as variables with a definition row each: every step's rows then hold one term
    # per hub instead of one per serving option, which keeps the served columns short (a column
    # in every step's balance and utilisation row is dense for interior point).
    b.training = pyo.Var(b.S, m.Y, within=pyo.NonNegativeReals)
    b.training_definition = pyo.Constraint(b.S, m.Y, rule=lambda b, s, y: b.training[s, y] == sum(
        b.served[o, s, "training", y] for o in by_server.get((s, "training"), [])))

    b.P = pyo.Set(initialize=range(len(d.period_steps)), ordered=True)
    b.training_day = pyo.Constraint(b.S, m.Y, b.P, rule=lambda b, s, y, p: (
        sum(float(hours[t]) * b.shifted[s, y, t] for t in d.period_steps[p])
        == 24 * flex * b.training[s, y]))

    def export_share(b, o, y):
        share = float(c["export_max"][ri[o]])
        if share <= 0 or share >= 1:
            return pyo.Constraint.Skip  # 0: no export options exist; 1: no limit
        away = sum(energy_of[(o, k)] * b.served[o, s, k, y] for k in c["workloads"]
                   for s in by_origin[(o, k)] if s != o)
        total = sum(energy_of[(o, k)] * b.served[o, s, k, y] for k in c["workloads"]
                    for s in by_origin[(o, k)])
        return away <= share * total

    b.export_share = pyo.Constraint(m.R, m.Y, rule=export_share)

    # Data-centre capacity.
    b.dc_capacity = pyo.Var(m.R, m.Y, within=pyo.NonNegativeReals)
    b.dc_new = pyo.Var(m.R, m.Y, within=pyo.NonNegativeReals)
    b.dc_capacity_definition = pyo.Constraint(m.R, m.Y, rule=lambda b, s, y: (
        b.dc_capacity[s, y] == float(c["capacity_existing"][ri[s]])
        + sum(b.dc_new[s, yy] for yy in years if yy <= y)))
    b.dc_build_limit = pyo.Constraint(m.R, rule=lambda b, s: pyo.Constraint.Skip if math.isinf(
        c["max_new"][ri[s]]) else sum(b.dc_new[s, y] for y in years) <= float(c["max_new"][ri[s]]))
    # Supply curve of sites: new capacity comes from tranches of rising site cost, each with its
    # size; a hub with one unlimited tranche at no premium needs no tranche variables.
    # Tranches are indexed by the dataset's labels (1, 2, 3), so limits report them as written.
    labels = c["site_labels"]
    ki = {k: i for i, k in enumerate(labels)}
    cap_k, cost_k = c["site_capacity"], c["site_cost"]
    trivial = {s for s in d.regions if math.isinf(cap_k[ri[s], 0]) and cost_k[ri[s], 0] == 0
               and not (cap_k[ri[s], 1:] > 0).any()}
    tranches = [(s, k) for s in d.regions if s not in trivial for k in labels
                if cap_k[ri[s], ki[k]] > 0]
    b.ST = pyo.Set(initialize=tranches, dimen=2, ordered=True)
    b.dc_site = pyo.Var(b.ST, m.Y, within=pyo.NonNegativeReals)
    b.site_definition = pyo.Constraint(m.R, m.Y, rule=lambda b, s, y: pyo.Constraint.Skip
                                       if s in trivial else b.dc_new[s, y] == sum(
                                           b.dc_site[s, k, y] for ss, k in tranches if ss == s))
    b.site_limit = pyo.Constraint(b.ST, rule=lambda b, s, k: pyo.Constraint.Skip if math.isinf(
        cap_k[ri[s], ki[k]]) else sum(b.dc_site[s, k, y] for y in years)
        <= float(cap_k[ri[s], ki[k]]))
    util, pue, pue0 = c["utilisation_max"], c["pue"], c["pue_existing"]
    # Grid safety (data-centre load at most a share of the hub's own peak) is a constant cap on
    # each step's IT load: a bound, not a row per step; at the larger of the vintages' PUEs, so
    # that it holds whatever their mix.
    peak, share_max = c["hub_peak"], c["grid_share_max"]
    b.it_load = pyo.Var(b.S, m.Y, m.T, within=pyo.NonNegativeReals, bounds=lambda b, s, y, t: (
        0.0, float(share_max[ri[s]] * peak[ri[s], yi[y]] / max(pue[ri[s]], pue0[ri[s]]))))
    relocated = _add_relocation(m, d, b) if d.options.training_relocation == "hourly" else None
    b.it_load_definition = pyo.Constraint(b.S, m.Y, m.T, rule=lambda b, s, y, t: (
        b.it_load[s, y, t] == sum(float(profile[ri[o], t]) * b.served[o, s, "inference", y]
                                  for o in by_server.get((s, "inference"), []))
        + (1 - flex) * b.training[s, y] + b.shifted[s, y, t]
        + (relocated(s, y, t) if relocated else 0)))
    # The utilisation limit X <= u Q is the sum of the vintages' rows (_add_fleet_vintages).
    _add_fleet_vintages(m, d, b)

    # Long-haul bandwidth for compute served away from its origin: inference at its origin's
    # peak hour, training at its average (results and data move as the jobs run).
    pairs = sorted({(o, s) for o, s, _ in options if o != s})
    b.OS = pyo.Set(initialize=pairs, dimen=2, ordered=True)
    b.bandwidth = pyo.Var(b.OS, m.Y, within=pyo.NonNegativeReals)
    peak_of = {o: float(profile[ri[o]].max()) for o in d.regions}
    workloads_of = {(o, s): [k for oo, ss, k in options if (oo, ss) == (o, s)] for o, s in pairs}
    b.bandwidth_limit = pyo.Constraint(b.OS, m.Y, rule=lambda b, o, s, y: (
        sum((peak_of[o] if k == "inference" else 1.0) * b.served[o, s, k, y]
            for k in workloads_of[(o, s)]) <= b.bandwidth[o, s, y]))
    b.energy_of = energy_of  # for results: IT hours per GW of average load served

    sites = set(c["sites"])
    b.electricity = pyo.Expression(m.R, m.Y, m.T, rule=lambda b, s, y, t: (
        float(pue[ri[s]]) * b.it_load[s, y, t]
        + float(pue0[ri[s]] - pue[ri[s]]) * b.it_load_existing[s, y, t]) if s in sites else 0.0)
    m.terms.withdraw("compute.electricity", "demand")
    existing = c["capacity_existing"]
    b.peak = pyo.Expression(m.R, m.Y, rule=lambda b, s, y: (
        float(pue[ri[s]] * util[ri[s]]) * b.dc_capacity[s, y]
        + float((pue0[ri[s]] - pue[ri[s]]) * util[ri[s]] * existing[ri[s]])))
    m.terms.peak("compute.peak")

    if c["matching"] != "none":
        _add_green_power(m, d, b)

    # Backup: diesel and batteries here; other modules register more (fuel cells).
    b.J = pyo.Set(initialize=c["backup_techs"], ordered=True)
    b.backup = pyo.Var(m.R, b.J, m.Y, within=pyo.NonNegativeReals)
    b.backup_total = pyo.Expression(m.R, m.Y, rule=lambda b, s, y: sum(
        b.backup[s, j, y] for j in b.J))
    m.terms.backup.append("compute.backup_total")

    cost_dc, fom0, land = c["annual_cost"], c["fom_existing"], c["land_annual"]
    b.cost_data_centres = pyo.Expression(m.Y, rule=lambda b, y: sum(
        float(cost_dc[yi[yy]] + land[ri[s]]) * b.dc_new[s, yy] for s in d.regions for yy in years
        if yy <= y) + fom0 * float(c["capacity_existing"].sum()))
    # Site premiums of the tranches built so far [MUSD/yr].
    b.cost_sites = pyo.Expression(m.Y, rule=lambda b, y: sum(
        float(cost_k[ri[s], ki[k]]) * b.dc_site[s, k, yy] for s, k in tranches
        if cost_k[ri[s], ki[k]] > 0 for yy in years if yy <= y))
    # What data centres pay per MWh on top of the energy price (T&D charge, policy surcharges,
    # cooling water): the private costs siting responds to [MUSD/yr].
    adder = c["energy_adder"]
    b.cost_dc_tariffs = pyo.Expression(m.Y, rule=lambda b, y: sum(
        float(adder[ri[s]]) * sum(float(weight[t]) * b.electricity[s, y, t] for t in d.steps)
        for s in d.regions if adder[ri[s]] != 0))
    b.cost_bandwidth = pyo.Expression(m.Y, rule=lambda b, y: c["bandwidth_cost"] * sum(
        b.bandwidth[o, s, y] for o, s in pairs))
    backup_cost = {j: float(v) for j, v in zip(c["backup_techs"], c["backup_annual_cost"],
                                               strict=True)}
    b.cost_backup = pyo.Expression(m.Y, rule=lambda b, y: sum(
        backup_cost[j] * b.backup[s, j, y] for s in d.regions for j in b.J))
    for name in ("data_centres", "sites", "dc_tariffs", "bandwidth", "backup"):
        m.terms.cost(f"compute.cost_{name}")
    m.terms.finalizers.append(_add_backup_requirement)


def _add_relocation(m: pyo.ConcreteModel, d: ModelData, b: pyo.Block) -> Any:
    """Training load run in other hubs hour by hour (``policy.training_relocation: hourly``).

    The shiftable training a hub schedules in a step (``shifted``) may run in another hub instead:
    what hubs send equals what hubs receive in every step (a pool: training has no latency
    limit), each hub runs its own training energy over the year, and each GW sent or received
    needs a link end at the hub, half the cost of a GW of long-haul bandwidth. Returns the net
    load received by hub and step (an expression for ``it_load_definition``).
    """
    weight = d.arrays["weight"]
    b.moved_in = pyo.Var(b.S, m.Y, m.T, within=pyo.NonNegativeReals)
    b.moved_out = pyo.Var(b.S, m.Y, m.T, within=pyo.NonNegativeReals)
    b.relocation_link = pyo.Var(b.S, m.Y, within=pyo.NonNegativeReals)
    b.relocation_pool = pyo.Constraint(m.Y, m.T, rule=lambda b, y, t: (
        sum(b.moved_in[s, y, t] for s in b.S) == sum(b.moved_out[s, y, t] for s in b.S)))
    b.relocation_year = pyo.Constraint(b.S, m.Y, rule=lambda b, s, y: sum(
        float(weight[t]) * (b.moved_in[s, y, t] - b.moved_out[s, y, t]) for t in d.steps) == 0)
    b.relocation_out = pyo.Constraint(b.S, m.Y, m.T, rule=lambda b, s, y, t: (
        b.moved_out[s, y, t] <= b.shifted[s, y, t]))
    b.relocation_link_limit = pyo.Constraint(b.S, m.Y, m.T, rule=lambda b, s, y, t: (
        b.moved_in[s, y, t] + b.moved_out[s, y, t] <= b.relocation_link[s, y]))
    half = d.part("compute")["bandwidth_cost"] / 2
    b.cost_relocation = pyo.Expression(m.Y, rule=lambda b, y: half * sum(
        b.relocation_link[s, y] for s in b.S))
    m.terms.cost("compute.cost_relocation")
    return lambda s, y, t: b.moved_in[s, y, t] - b.moved_out[s, y, t]


def _add_fleet_vintages(m: pyo.ConcreteModel, d: ModelData, b: pyo.Block) -> None:
    """The existing fleet's share of the IT load, for its own PUE (module docstring)."""
    c = d.part("compute")
    ri, years = d.index("regions"), d.years
    util, existing = c["utilisation_max"], c["capacity_existing"]
    # A bound, not a row: the existing fleet carries at most its capacity at the utilisation limit.
    b.it_load_existing = pyo.Var(b.S, m.Y, m.T, within=pyo.NonNegativeReals,
                                 bounds=lambda b, s, y, t: (0.0, float(util[ri[s]] * existing[ri[s]])))
    b.new_build_utilisation = pyo.Constraint(b.S, m.Y, m.T, rule=lambda b, s, y, t: (
        b.it_load[s, y, t] - b.it_load_existing[s, y, t]
        <= float(util[ri[s]]) * sum(b.dc_new[s, yy] for yy in years if yy <= y)))
    # Without it the existing fleet could draw power for no IT load where power is free, or
    # where hourly green matching rewards more consumption.
    b.existing_within_load = pyo.Constraint(b.S, m.Y, m.T, rule=lambda b, s, y, t: (
        b.it_load_existing[s, y, t] <= b.it_load[s, y, t]))


def _add_green_power(m: pyo.ConcreteModel, d: ModelData, b: pyo.Block) -> None:
    c, a = d.part("compute"), d.view("power")
    ri, ki = d.index("regions"), d.index("techs")
    pairs = [(r, g) for r, g in m.power.RG if g in GREEN_SOURCES]
    b.RG = pyo.Set(initialize=pairs, dimen=2, ordered=True)
    # Additionality: what data centres contract is either capacity built within the horizon
    # (G, for the contract) or existing capacity bought at the green-power trading premium (G^e).
    b.green_capacity = pyo.Var(b.RG, m.Y, within=pyo.NonNegativeReals)
    b.green_capacity_existing = pyo.Var(b.RG, m.Y, within=pyo.NonNegativeReals)
    existing = a["capacity_existing"]
    b.green_contract = pyo.Constraint(b.RG, m.Y, rule=lambda b, r, g, y: (
        b.green_capacity[r, g, y] <= m.power.capacity[r, g, y]
        - float(existing[ri[r], ki[g]]) + m.power.retired[r, g, y]))
    b.green_trade = pyo.Constraint(b.RG, m.Y, rule=lambda b, r, g, y: (
        b.green_capacity_existing[r, g, y] <= float(existing[ri[r], ki[g]])
        - m.power.retired[r, g, y]))
    cf, avail, weight = a["capacity_factor"], a["availability"], a["weight"]
    sources = {r: [g for rr, g in pairs if rr == r] for r in d.regions}

    def output_of(var, r, y, t):
        return sum(float(avail[ki[g]] * cf[ri[r], ki[g], t]) * var[r, g, y] for g in sources[r])

    b.green_output = pyo.Expression(m.R, m.Y, m.T, rule=lambda b, r, y, t: (
        output_of(b.green_capacity, r, y, t) + output_of(b.green_capacity_existing, r, y, t)))
    theta, eps = c["green_share"], c["green_export_max"]
    steps = d.steps

    def annual(expr_of_t, r, y):
        return sum(float(weight[t]) * expr_of_t(r, y, t) for t in steps)

    premium = c["green_premium"]
    b.cost_green_premium = pyo.Expression(m.Y, rule=lambda b, y: premium * sum(
        annual(lambda r, y, t: output_of(b.green_capacity_existing, r, y, t), r, y)
        for r in d.regions))
    m.terms.cost("compute.cost_green_premium")

    def generated(r, y, t):
        # the hub's green generation (after curtailment): no claim may exceed it
        return sum(m.power.generation[r, g, y, t] for g in sources[r])

    b.green_shortfall = pyo.Var(m.R, m.Y, within=pyo.NonNegativeReals)
    if c["matching"] == "hourly":
        b.green_matched = pyo.Var(m.R, m.Y, m.T, within=pyo.NonNegativeReals)
        b.match_supply = pyo.Constraint(m.R, m.Y, m.T, rule=lambda b, r, y, t: (
            b.green_matched[r, y, t] <= b.green_output[r, y, t]))
        b.match_load = pyo.Constraint(m.R, m.Y, m.T, rule=lambda b, r, y, t: (
            b.green_matched[r, y, t] <= b.electricity[r, y, t]))
        b.match_generation = pyo.Constraint(m.R, m.Y, m.T, rule=lambda b, r, y, t: (
            b.green_matched[r, y, t] <= generated(r, y, t)) if sources[r]
            else pyo.Constraint.Skip)

        def matched(r, y):
            return annual(lambda r, y, t: b.green_matched[r, y, t], r, y)

        def bought(r, y):
            return 0
    else:
        b.green_matched_year = pyo.Var(m.R, m.Y, within=pyo.NonNegativeReals)
        b.certificates = pyo.Var(m.R, m.Y, within=pyo.NonNegativeReals)
        b.match_supply = pyo.Constraint(m.R, m.Y, rule=lambda b, r, y: (
            b.green_matched_year[r, y] <= annual(lambda r, y, t: b.green_output[r, y, t], r, y)))
        b.match_load = pyo.Constraint(m.R, m.Y, rule=lambda b, r, y: (
            b.green_matched_year[r, y] <= annual(lambda r, y, t: b.electricity[r, y, t], r, y)))
        b.match_generation = pyo.Constraint(m.R, m.Y, rule=lambda b, r, y: (
            b.green_matched_year[r, y] <= annual(generated, r, y)) if sources[r]
            else pyo.Constraint.Skip)

        def matched(r, y):
            return b.green_matched_year[r, y]

        def bought(r, y):
            return b.certificates[r, y]

        b.cost_certificates = pyo.Expression(m.Y, rule=lambda b, y: c["certificate_price"] * sum(
            b.certificates[r, y] for r in d.regions))
        m.terms.cost("compute.cost_certificates")

    b.green_target = pyo.Constraint(m.R, m.Y, rule=lambda b, r, y: (
        matched(r, y) + bought(r, y) + b.green_shortfall[r, y]
        >= theta * annual(lambda r, y, t: b.electricity[r, y, t], r, y)))
    b.green_export = pyo.Constraint(m.R, m.Y, rule=lambda b, r, y: (
        annual(lambda r, y, t: b.green_output[r, y, t], r, y) - matched(r, y)
        <= eps * annual(lambda r, y, t: b.green_output[r, y, t], r, y)))
    b.cost_green_shortfall = pyo.Expression(m.Y, rule=lambda b, y: c["green_shortfall_cost"] * sum(
        b.green_shortfall[r, y] for r in d.regions))
    m.terms.cost("compute.cost_green_shortfall")


def _add_backup_requirement(m: pyo.ConcreteModel, d: ModelData) -> None:
    c = d.part("compute")
    providers = [component(m, n) for n in m.terms.backup]
    years = d.years
    m.compute.backup_requirement = pyo.Constraint(m.R, m.Y, rule=lambda b, s, y: (
        sum(p[s, y] for p in providers)
        >= c["backup_ratio"] * sum(m.compute.dc_new[s, yy] for yy in years if yy <= y)))


def compute_results(ctx: ResultsContext) -> None:
    """Data centres: capacity, load, where compute is served, exports vs UHV, green share, carbon."""
    m, ds, inputs, w = ctx.model, ctx.ds, ctx.inputs, ctx.w
    d = m.data
    c = d.part("compute")
    b = m.compute
    R, Y, T, W = d.regions, d.years, d.steps, c["workloads"]
    coords = {"region": R, "origin": R, "year": Y, "time": T, "workload": W,
              "backup_tech": c["backup_techs"]}
    ds["dc_capacity"] = da(values(b.dc_capacity, (R, Y)), ("region", "year"), coords, "GW",
                            "data-centre IT capacity")
    ds["dc_capacity_new"] = da(values(b.dc_new, (R, Y)), ("region", "year"), coords, "GW",
                                "data-centre IT capacity built in the year")
    ds["dc_load"] = da(values(b.it_load, (R, Y, T)), ("region", "year", "time"), coords, "GW",
                        "IT load served in the hub")
    ds["compute_demand"] = xr.DataArray(
        c["demand"], dims=("origin", "workload", "year"),
        coords={"origin": R, "workload": W, "year": Y},
        attrs={"units": "GW", "long_name": "average IT load of compute demand by origin hub"})
    ds["compute_demand_eflops"] = (ds.compute_demand * c["flops_per_watt"]).assign_attrs(
        units="EFLOPS", long_name="compute demand by origin hub (IT load x EFLOPS per GW)")
    pue = xr.DataArray(c["pue"], dims="region", coords={"region": R})
    pue0 = xr.DataArray(c["pue_existing"], dims="region", coords={"region": R})
    ds["dc_load_existing"] = da(values(b.it_load_existing, (R, Y, T)), ("region", "year", "time"),
                                coords, "GW", "IT load served by the existing fleet")
    ds["dc_electricity"] = (ds.dc_load * pue + ds.dc_load_existing * (pue0 - pue)).assign_attrs(
        units="GW", long_name="data-centre electricity (IT load x PUE of its vintage)")
    served = values(b.served, (R, R, W, Y))  # average GW: origin, region, workload, year
    hours = np.array([[b.energy_of[(o, k)] for k in W] for o in R])  # IT hours per GW served
    served = xr.DataArray(served * hours[:, None, :, None] / 1000,
                          dims=("origin", "region", "workload", "year"),
                          coords={k: coords[k] for k in ("origin", "region", "workload", "year")})
    if hasattr(b, "moved_in"):
        for name, var, long_name in (
                ("training_moved_in", b.moved_in, "training load run here for other hubs"),
                ("training_moved_out", b.moved_out, "training load of the hub run in other hubs")):
            ds[name] = da(values(var, (R, Y, T)), ("region", "year", "time"), coords, "GW",
                          long_name + " (hour by hour)")
        ds["relocation_link"] = da(values(b.relocation_link, (R, Y)), ("region", "year"), coords,
                                   "GW", "long-haul link end for training moved hour by hour")
    ds["compute_served"] = served.assign_attrs(
        units="TWh", long_name="IT energy of origin's demand served in the hub (by workload)")
    away = ds.compute_served.sum("workload").where(ds.origin != ds.region, 0.0)
    # Exports count only across grid regions: serving a neighbour in the same regional grid
    # replaces no inter-regional power transfer.
    grid = (inputs["grid_region"] if "grid_region" in inputs
            else xr.DataArray(np.array(R, dtype=object), dims="region", coords={"region": R}))
    across = grid.rename(region="origin") != grid
    it = away.where(across, 0.0)
    ds["compute_exports"] = it.assign_attrs(
        units="TWh", long_name="IT energy served in another grid region than its origin's "
        "(origin -> serving hub)")
    ds["compute_served_away"] = away.assign_attrs(
        units="TWh", long_name="IT energy served away from its origin hub (origin -> serving hub)")
    average_gw = 1000 / HOURS_PER_YEAR  # TWh a year -> GW on average
    ds["compute_exports_eflops_years"] = (it * average_gw * c["flops_per_watt"]).assign_attrs(
        units="EFLOPS-year", long_name="compute exported (average EFLOPS over a year)")
    ds["exported_electricity"] = (it * pue).assign_attrs(
        units="TWh", long_name="electricity the exported compute used in the serving hub")
    pue_origin = pue.rename(region="origin")
    loss = inputs["route_loss"]
    uhv = it * pue_origin / (1 - loss)
    ds["uhv_equivalent_electricity"] = uhv.assign_attrs(
        units="TWh", long_name="electricity the serving hub would have sent over UHV lines for the "
        "same service at the origin (origin PUE, route losses)")
    ds["uhv_equivalent_losses"] = (uhv * loss).assign_attrs(
        units="TWh", long_name="losses of that UHV route")
    bw = np.zeros((len(R), len(R), len(Y)))
    for (o, s, y), v in b.bandwidth.items():
        bw[R.index(o), R.index(s), Y.index(y)] = pyo.value(v)
    ds["bandwidth"] = xr.DataArray(bw, dims=("origin", "region", "year"),
                                   coords={"origin": R, "region": R, "year": Y},
                                   attrs={"units": "GW", "long_name": "long-haul link capacity, "
                                          "as IT load it can carry"})
    ds["bandwidth_gbps"] = (ds.bandwidth * float(inputs.bandwidth_per_it)).assign_attrs(
        units="Gbit/s", long_name="long-haul link capacity")
    energy = (ds.dc_electricity * w).sum("time") / 1000                    # TWh
    ry = {"region": R, "year": Y}
    if hasattr(b, "green_matched"):
        matched = (xr.DataArray(values(b.green_matched, (R, Y, T)), dims=("region", "year", "time"),
                                coords={"region": R, "year": Y, "time": T}) * w).sum("time") / 1000
        certificates = xr.zeros_like(matched)
    elif hasattr(b, "green_matched_year"):
        matched = xr.DataArray(values(b.green_matched_year, (R, Y)), dims=("region", "year"),
                               coords=ry) / 1000
        certificates = xr.DataArray(values(b.certificates, (R, Y)), dims=("region", "year"),
                                    coords=ry) / 1000
    else:  # no matching: no contracts, no certificates
        matched = xr.DataArray(np.zeros((len(R), len(Y))), dims=("region", "year"), coords=ry)
        certificates = xr.zeros_like(matched)
    ds["green_matched"] = matched.assign_attrs(units="TWh", long_name="contracted green output "
                                               "used by the data centres")
    ds["certificates"] = certificates.assign_attrs(units="TWh", long_name="green certificates")
    if hasattr(b, "green_capacity"):
        green = sorted({g for _, g in b.RG}, key=GREEN_SOURCES.index)
        dims = ("region", "green_source", "year")
        gcoords = {"region": R, "green_source": green, "year": Y}
        for name, var, long_name in (
                ("green_capacity_additional", b.green_capacity,
                 "capacity built within the horizon and contracted by data centres"),
                ("green_capacity_traded", b.green_capacity_existing,
                 "existing capacity whose output data centres buy at the green-power premium")):
            ds[name] = xr.DataArray(values(var, (R, green, Y)), dims=dims, coords=gcoords,
                                    attrs={"units": "GW", "long_name": long_name})
    share = ((matched + certificates) / energy).where(energy > 0)
    ds["green_share_achieved"] = share.assign_attrs(
        units="1", long_name="green share of data-centre electricity (matched + certificates)")
    _compute_emissions(ds, inputs, energy, matched, w, c["flops_per_watt"])
    ds["backup_capacity"] = da(values(b.backup, (R, c["backup_techs"], Y)),
                                ("region", "backup_tech", "year"), coords, "GW",
                                "backup power (diesel, battery)")
    ds["dc_price"] = ((ds.price * ds.dc_electricity * w).sum("time")
                      / (ds.dc_electricity * w).sum("time")).where(energy > 0).assign_attrs(
        units="USD/MWh", long_name="average price data centres pay (load-weighted)")
    adder = xr.DataArray(c["energy_adder"] * 1000, dims="region", coords={"region": R})
    ds["dc_tariff"] = (ds.dc_price + adder).assign_attrs(
        units="USD/MWh", long_name="all-in price data centres pay: energy (load-weighted model "
        "price) + T&D charge, policy surcharges and cooling water")
    _western_share(ctx)
    _export_vs_uhv(ctx, across)


#: Price at or below which a hub's extra MWh is absorbed by curtailed (free) output [USD/MWh].
SURPLUS_PRICE = 0.5
#: Gap between a technology's marginal cost and a price within which it sets the price: the
#: larger of 1 USD/MWh and a share of the price, 2% in the hub itself and 10% in another hub
#: (whose power reaches the hub over lines with losses of a few per cent).
PRICE_MATCH = (1.0, 0.02, 0.10)


def marginal_emission_factor(ds: Any, inputs: xr.Dataset) -> tuple[xr.DataArray, xr.DataArray]:
    """The CO2 of one more MWh consumed in each hub and step [t/MWh], and whether it was found.

    The short-run marginal unit: among the generators running part-loaded (output above 0 and
    below what is available: availability x capacity, or output + curtailment for wind and solar),
    the one whose marginal cost (fuel and O&M plus the carbon price on the CO2 not covered by free
    allocation) is nearest the hub's price sets it: one in the hub itself if within
    :data:`PRICE_MATCH`'s 2%, else one in any hub within 10% (an import's marginal unit). At a
    price of at most :data:`SURPLUS_PRICE` the extra MWh is curtailed output (0 t/MWh). Hydro and
    storage are energy-limited (their price is the value of water or stored energy, set in other
    steps): a step set by them is *not identified* and takes the load-weighted mean factor of the
    hub's identified steps in the year (the second result says which steps were identified).
    """
    gen = ds.generation                                           # region, gen_tech, year, time
    techs = [str(g) for g in gen.gen_tech.values]

    def per_tech(x: xr.DataArray) -> xr.DataArray:
        return x.sel(tech=techs).rename(tech="gen_tech")

    available = xr.where(gen.gen_tech.isin(["wind", "solar"]), gen + ds.curtailment,
                         per_tech(inputs.availability) * per_tech(ds.capacity))
    tol = 1e-4 * np.maximum(1.0, available)
    part_loaded = (gen > tol) & (gen < available - tol) & (gen.gen_tech != "hydro")
    rate = per_tech(inputs.emission_intensity)                                 # t/MWh
    free = (per_tech(inputs.carbon_free_share) if "carbon_free_share" in inputs
            else xr.zeros_like(rate))
    carbon = inputs.carbon_price if "carbon_price" in inputs else 0.0       # USD/t by year
    cost = per_tech(inputs.marginal_cost) * 1000 + carbon * rate * (1 - free)  # USD/MWh
    price = ds.price
    floor, own_share, other_share = PRICE_MATCH

    def nearest(gap: xr.DataArray, dims: list[str], share: float) -> tuple[xr.DataArray,
                                                                          xr.DataArray]:
        stacked = gap.stack(unit=dims)
        best = stacked.fillna(np.inf).argmin("unit")
        factor = rate.broadcast_like(gap).stack(unit=dims).isel(unit=best)
        found = stacked.min("unit") <= np.maximum(floor, share * abs(price))
        return factor.drop_vars(["unit", *dims], errors="ignore"), found

    own, own_found = nearest(abs(cost - price).where(part_loaded), ["gen_tech"], own_share)
    other_gap = abs(cost.rename(region="source") - price).where(
        part_loaded.rename(region="source"))
    other, other_found = nearest(other_gap.transpose("region", "source", "gen_tech", ...),
                                 ["source", "gen_tech"], other_share)
    surplus = price <= SURPLUS_PRICE
    factor = xr.where(surplus, 0.0, xr.where(own_found, own, other))
    identified = surplus | own_found | other_found
    factor = factor.where(identified)
    load = (ds.dc_electricity if "dc_electricity" in ds else ds.demand) + ds.demand
    weights = (load * ds.weight).where(identified, 0.0)
    total = weights.sum("time")
    mean = (factor.fillna(0) * weights).sum("time") / total.where(total > 0)
    return factor.fillna(mean).fillna(0.0).transpose("region", "year", "time"), identified


def _compute_emissions(ds: Any, inputs: xr.Dataset, energy: xr.DataArray,
                       matched: xr.DataArray, w: xr.DataArray, flops_per_watt: float) -> None:
    """The data centres' CO2 three ways (GHG Protocol Scope 2 and the marginal view).

    *Location-based*: their electricity at the hub's average generation intensity. *Market-based*:
    what contracts and certificates do not cover, at the hub's residual mix (its emissions over
    the generation nobody has claimed), so a claimed MWh is never also counted for other
    consumers. *Marginal*: each step's electricity at the marginal emission factor
    (:func:`marginal_emission_factor`): the CO2 of the extra load, whatever is claimed.
    """
    generation = ds.generation_annual.sum("gen_tech")                      # TWh
    grid = (ds.emissions / generation).where(generation > 0)              # Mt/TWh = t/MWh
    ds["grid_emission_intensity"] = (grid * 1000).assign_attrs(
        units="g/kWh", long_name="average CO2 intensity of generation in the hub")
    green = ds.generation_annual.sel(gen_tech=[g for g in GREEN_SOURCES
                                               if g in ds.gen_tech.values]).sum("gen_tech")
    ds["green_generation_unclaimed"] = (green - matched).assign_attrs(
        units="TWh", long_name="the hub's wind, solar and hydro output not claimed by data "
        "centres' contracts (what the rest of the hub may count)")
    unclaimed = generation - matched
    residual = (ds.emissions / unclaimed).where(unclaimed > 0)
    ds["residual_emission_intensity"] = (residual * 1000).assign_attrs(
        units="g/kWh", long_name="CO2 per kWh of the generation not claimed by contracts "
        "(residual mix)")
    factor, identified = marginal_emission_factor(ds, inputs)
    ds["marginal_emission_factor"] = (factor * 1000).assign_attrs(
        units="g/kWh", long_name="CO2 of one more kWh consumed in the step (short-run marginal "
        "unit; steps not identified take the hub's mean)")
    ds["marginal_identified_share"] = ((identified * w).sum("time") / w.sum()).assign_attrs(
        units="1", long_name="share of the year's hours whose marginal unit was identified")
    certificates = ds.certificates
    uncovered = (energy - matched - certificates).clip(min=0)
    by_basis = xr.concat([
        energy * grid.fillna(0),
        uncovered * residual.fillna(0),
        (ds.dc_electricity * w * factor).sum("time") / 1000,             # GWh x t/MWh = kt
    ], dim=xr.DataArray(["location", "market", "marginal"], dims="basis", name="basis"))
    ds["compute_emissions"] = by_basis.assign_attrs(
        units="Mt", long_name="data centres' CO2: location-based (hub average), market-based "
        "(residual mix for what contracts and certificates do not cover), marginal (the extra "
        "load's marginal units)")
    intensity = (by_basis / energy).where(energy > 0) * 1000
    ds["compute_carbon_intensity_by_basis"] = intensity.assign_attrs(
        units="g/kWh", long_name="CO2 per kWh of data-centre electricity by accounting basis")
    ds["compute_carbon_intensity"] = intensity.sel(basis="market", drop=True).assign_attrs(
        units="g/kWh", long_name="CO2 per kWh of data-centre electricity, market-based "
        "(contracts and certificates count; the rest at the hub's residual mix)")
    eflops_years = (ds.dc_load * w).sum("time") / HOURS_PER_YEAR * flops_per_watt
    ds["compute_emissions_per_eflops_year"] = (
        ds.compute_carbon_intensity * energy / eflops_years.where(eflops_years > 0)
    ).assign_attrs(units="kt/(EFLOPS-year)", long_name="CO2 per EFLOPS-year of compute "
                   "(market-based; g/kWh x TWh = kt)")


def _western_share(ctx: ResultsContext) -> None:
    """Share of the hubs' IT energy served in the hubs the dataset marks west (``role``), and, as
    its ``base_year_share`` attribute, their share of the existing IT capacity (the base year's
    share at equal utilisation)."""
    ds, inputs = ctx.ds, ctx.inputs
    if "role_in_programme" not in inputs:
        return
    west = (inputs.role_in_programme == "west").drop_vars(
        [v for v in inputs.role_in_programme.coords if v != "region"])
    it = (ds.dc_load * ctx.w).sum("time")
    total = it.sum("region")
    existing = inputs.dc_capacity_existing
    ds["western_it_share"] = (it.where(west, 0.0).sum("region") / total).where(
        total > 0).assign_attrs(
        units="1", long_name="share of the hubs' IT energy served in the western hubs",
        base_year_share=float(existing.where(west, 0.0).sum() / existing.sum()))


def _export_vs_uhv(ctx: ResultsContext, across: xr.DataArray) -> None:
    r"""Per serving hub: compute exported to it over fibre against sending the same energy over UHV.

    For the exports :math:`I_{o,s}` [TWh of IT] into hub :math:`s` from origins in other grid
    regions: fibre uses :math:`I \mathrm{PUE}_s` in s and the bandwidth built for the pairs; UHV
    sends :math:`I \mathrm{PUE}_o / (1-\lambda_{o,s})` from s, losing the share
    :math:`\lambda_{o,s}`, over a line sized at the average power sent (a lower bound: no peak)
    costing :math:`(c^{fix} + c^{km} L_{o,s})(\mathrm{CRF} + f)` per GW a year. Emissions: each
    TWh generated in s at s's average grid intensity. The saving of fibre is the UHV line's cost
    plus the extra electricity at s's all-in data-centre tariff minus the bandwidth's cost."""
    ds, inputs, m = ctx.ds, ctx.inputs, ctx.model
    c = m.data.part("compute")
    it = ds.compute_exports                                              # origin, region, year
    fibre_twh = ds.exported_electricity.sum("origin")
    uhv_twh = ds.uhv_equivalent_electricity.sum("origin")
    kind = {"units": "TWh"}
    ds["compute_export_it"] = it.sum("origin").assign_attrs(
        **kind, long_name="IT energy served here for origins in other grid regions")
    ds["compute_export_fibre_electricity"] = fibre_twh.assign_attrs(
        **kind, long_name="electricity those exports used here (over fibre)")
    ds["compute_export_uhv_electricity"] = uhv_twh.assign_attrs(
        **kind, long_name="electricity this hub would send over UHV for the same service at the "
        "origins (origin PUE, route losses)")
    ds["compute_export_uhv_losses"] = ds.uhv_equivalent_losses.sum("origin").assign_attrs(
        **kind, long_name="losses of those UHV routes")
    bw = ds.bandwidth.where(across, 0.0)
    ds["compute_export_bandwidth"] = (bw.sum("origin") * float(inputs.bandwidth_per_it)
                                      ).assign_attrs(units="Gbit/s", long_name="long-haul "
                                                     "bandwidth built to this hub from origins in "
                                                     "other grid regions")
    fibre_cost = bw.sum("origin") * c["bandwidth_cost"]
    ds["compute_export_fibre_cost"] = fibre_cost.assign_attrs(
        units="MUSD", long_name="annual cost of that bandwidth")
    if {"line_capex_fixed", "line_capex_length", "line_lifetime", "line_fom_share",
            "route_length"} <= set(inputs.variables):
        crf = float(capital_recovery_factor(m.data.scalars["discount_rate"],
                                            float(inputs.line_lifetime)))
        per_gw = ((inputs.line_capex_fixed + inputs.line_capex_length * inputs.route_length)
                  * (crf + float(inputs.line_fom_share)))                 # MUSD/GW/yr
        sent_gw = ds.uhv_equivalent_electricity * 1000 / HOURS_PER_YEAR   # average GW
        uhv_cost = (sent_gw * per_gw).sum("origin")
    else:  # a dataset without line costs (tiny cases)
        uhv_cost = xr.full_like(fibre_cost, np.nan)
    ds["compute_export_uhv_cost"] = uhv_cost.assign_attrs(
        units="MUSD", long_name="annual cost of UHV lines sized at the average power sent "
        "(a lower bound)")
    grid = ds.grid_emission_intensity.fillna(0.0) / 1000                  # Mt/TWh
    ds["compute_export_fibre_emissions"] = (fibre_twh * grid).assign_attrs(
        units="Mt", long_name="CO2 of the electricity exports used here (grid average)")
    ds["compute_export_uhv_emissions"] = (uhv_twh * grid).assign_attrs(
        units="Mt", long_name="CO2 of the electricity the UHV route would need here (grid average)")
    tariff = ds.dc_tariff.fillna(0.0) / 1000                              # MUSD/GWh
    ds["compute_export_saving"] = (uhv_cost + (uhv_twh - fibre_twh) * 1000 * tariff
                                   - fibre_cost).assign_attrs(
        units="MUSD", long_name="annual saving of exporting compute over fibre instead of "
        "sending the energy over UHV: UHV line cost + extra electricity at the hub's all-in "
        "tariff - bandwidth cost")


MODULE = ModelModule(
    name="compute", add=add_compute, prepare=prepare_compute, results=compute_results,
    inputs=INPUTS, active=lambda inputs: "compute_demand" in inputs, requires=("power",),
    options=("green_matching", "training_relocation"),
    builds=(Build("dc_capacity_new", "dc_new"), Build("backup_capacity", "backup")),
    limits=(
        Limit("compute.it_load", "upper_bound", ("region", "year", "time"), "GW", "USD/kW/year",
              "grid safety: data-centre IT load at most grid_share_max x the hub's own peak / "
              "the larger PUE of the two vintages, in every step (shadow price: raising it in "
              "every step)", over=("time",),
              name="compute.grid_safety", parameters=("grid_share_max", "utilisation_max")),
        Limit("compute.dc_build_limit", "at_most", R, "GW", "USD/kW/year",
              "data-centre IT capacity built over the horizon (max_new_dc)", discount="horizon",
              parameters=("max_new_dc",)),
        Limit("compute.site_limit", "at_most", ("region", "site_tranche"), "GW", "USD/kW/year",
              "new data-centre IT capacity of a site tranche over the horizon (site_capacity: "
              "the supply curve of sites; the eastern hubs' last tranche is their energy-use "
              "quota)", discount="horizon", parameters=("site_capacity",)),
        Limit("compute.export_share", "at_most", RY, "GWh/year", "USD/MWh",
              "most of an origin's IT energy served in other hubs (compute_export_max; the row: "
              "served away - share x total <= 0)", price_scale=1000.0,
              parameters=("compute_export_max",)),
        Limit("compute.green_target", "at_least", RY, "GWh/year", "USD/MWh",
              "green share of data-centre electricity (green_share_target), missing energy "
              "priced at green_shortfall_cost", price_scale=1000.0,
              parameters=("green_share_target",)),
        Limit("compute.green_export", "at_most", RY, "GWh/year", "USD/MWh",
              "most contracted green output sold on (green_export_max)", price_scale=1000.0,
              parameters=("green_export_max",)),
        Limit("compute.backup_requirement", "at_least", RY, "GW", "USD/kW/year",
              "backup power per GW of new IT capacity (backup_ratio)", parameters=("backup_ratio",)),
    ),
)
