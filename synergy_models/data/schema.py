"""The dataset's schema: which files, columns and parameters exist, their units and bounds.

``docs/data.md`` describes the same formats for people; this module is what the loader checks.
Wide tables (one row per object) are pydantic row models; long tables (one number per row) share
:class:`LongRow` and declare their parameters in a :class:`LongTable`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from synergy_models.units import HOURS_PER_YEAR  # noqa: F401  (re-exported for the data layer)

TECHS: tuple[str, ...] = (
    "coal", "gas", "nuclear", "hydro", "wind", "solar", "battery", "pumped_hydro",
)
THERMAL = frozenset({"coal", "gas", "nuclear"})
STORAGE = frozenset({"battery", "pumped_hydro"})
#: Cost years given in the dataset; costs for model years in between are interpolated.
COST_YEARS: tuple[int, ...] = (2025, 2030)
PROFILE_VARIABLES: tuple[str, ...] = ("load_profile", "wind_cf", "solar_cf", "hydro_cf")

ID_PATTERN = r"^[A-Z][A-Z0-9_]*$"


#: The largest magnitude a number may have, by unit (as the inputs hold it), where a parameter
#: sets no bound of its own: about 10-100 times the largest value that makes sense for China's
#: power system (3.3 TW installed, ~9,500 TWh a year in 2024), so that a typo of several orders of
#: magnitude or 1e300 is refused by ``validate`` instead of ending as an 'unbounded' or numerically
#: failed solve. ``inf`` stays allowed where a parameter takes it ("no limit"). docs/data.md lists
#: them; units not named here: :data:`DEFAULT_MAGNITUDE`.
MAGNITUDE: dict[str, float] = {
    "1": 1e3,                      # shares, ratios, EFLOPS per GW
    "1/h": 1e3,
    "1/year": 1e3,
    "GW": 1e4,                     # 10 TW
    "GW/year": 1e4,
    "GWh": 1e8,                    # 100,000 TWh
    "Gbit/s/GW": 1e7,
    "MUSD": 1e8,                   # USD 100 trillion
    "MUSD/(Gbit/s)/year": 1e3,
    "MUSD/GW": 1e6,                # USD 1,000 per W
    "MUSD/GW/km": 1e3,
    "MUSD/GW/year": 1e6,
    "MUSD/GWh": 1e3,               # USD 1 million per MWh
    "Mt": 1e5,                     # 100 Gt of CO2
    "USD/kg": 1e4,
    "USD/kg/km": 1e2,
    "USD/t": 1e5,
    "t/MWh": 10.0,
    "t/year": 1e10,                # 10 Gt of hydrogen
}
DEFAULT_MAGNITUDE = 1e9


def magnitude_limit(unit: str | None) -> float:
    """:data:`MAGNITUDE` of ``unit`` (:data:`DEFAULT_MAGNITUDE` if not named there)."""
    return MAGNITUDE.get(unit or "1", DEFAULT_MAGNITUDE)


@dataclass(frozen=True)
class Param:
    """One parameter of a long table.

    ``unit`` is the unit it has in the inputs Dataset: every row's unit must convert to it.
    ``applies_to`` limits a technology parameter to some technologies (``None``: all);
    ``required`` means every object it applies to must have it, otherwise ``default`` is used.
    ``years``: the parameter has one row for each of these years (e.g. :data:`COST_YEARS`); empty:
    one row, whatever its year.
    """

    unit: str
    description: str
    required: bool = True
    default: float | None = None
    low: float = 0.0
    high: float = math.inf
    years: tuple[int, ...] = ()
    applies_to: frozenset[str] | None = None


@dataclass(frozen=True)
class LongTable:
    file: str
    key: str | None
    params: dict[str, Param] = field(default_factory=dict)

    @property
    def columns(self) -> tuple[str, ...]:
        base = ("parameter", "year", "value", "unit", "source")
        return ((self.key,) if self.key else ()) + base


PROVINCES = LongTable(
    "provinces.csv",
    "province",
    {
        "demand": Param("GWh", "annual electricity consumption in the base year"),
        "demand_growth": Param("1/year", "compound growth of consumption to 2030", low=-0.5, high=1),
        "capacity_thermal": Param("GW", "coal and gas capacity"),
        "gas_share_thermal": Param("1", "gas share of thermal capacity", required=False, high=1),
        "capacity_hydro": Param("GW", "hydro capacity as reported, pumped storage included"),
        "capacity_pumped_hydro": Param("GW", "pumped storage within capacity_hydro", False, 0.0),
        "capacity_nuclear": Param("GW", "nuclear capacity"),
        "capacity_wind": Param("GW", "wind capacity"),
        "capacity_solar": Param("GW", "solar capacity"),
        "capacity_battery": Param("GW", "new-type storage capacity", False, 0.0),
        "wind_hours": Param("h", "reported wind full-load hours", high=8760),
        "solar_hours": Param("h", "reported solar full-load hours, annualised", high=8760),
        "hydro_hours": Param("h", "conventional hydro full-load hours", required=False, high=8760),
        "wind_utilisation": Param("1", "1 - wind curtailment rate", required=False, high=1),
        "solar_utilisation": Param("1", "1 - solar curtailment rate", required=False, high=1),
        "coal_price": Param("MUSD/GWh", "coal benchmark price or its documented proxy"),
        "thermal_hours": Param("h", "reported thermal (coal and gas) full-load hours, for checks",
                               required=False, high=8760),
        # Reported 2024 figures for the province calibration checks only (not model inputs).
        **{f"generation_{t}": Param("GWh", f"reported or derived 2024 {t} generation, for checks",
                                    required=False)
           for t in ("thermal", "hydro", "nuclear", "wind", "solar")},
        "net_export": Param("GWh", "derived 2024 net send-out to other provinces (negative: "
                            "receipt), for checks", required=False, low=-math.inf),
    },
)

REGION_PARAMETERS = LongTable(
    "region_parameters.csv",
    "region",
    {
        "pue": Param("1", "typical PUE of new large data centres in the hub", low=1.0, high=3.0),
        "coal_price_difference": Param(
            "MUSD/GWh", "the hub's coal price for power minus the national (port) coal fuel_cost, "
            "per unit of heat (mine-mouth hubs: negative)", required=False, default=0.0,
            low=-math.inf),
        "chp_share": Param("1", "share of the hub's coal capacity that is combined heat and power",
                           required=False, default=0.0, high=1),
        "chp_share_gas": Param("1", "share of the hub's gas capacity that is combined heat and "
                               "power", required=False, default=0.0, high=1),
        "heating_start": Param("day", "first day of the year of the heating season (day of year; "
                               "after heating_end: the season wraps over the new year)",
                               required=False, default=1.0, low=1, high=366),
        "heating_end": Param("day", "last day of the year of the heating season (day of year)",
                             required=False, default=366.0, low=1, high=366),
        "collector_share": Param("1", "collector (evacuation) capacity inside the hub for its wind "
                                 "and solar in the base year, per GW of base-year wind and solar "
                                 "(inf: no limit)", required=False, default=math.inf),
        "send_out_limit": Param("GWh", "published annual send-out of the region's inter-regional "
                                "trade (gross), bounding its net send-out over the lines with "
                                "line_contract_headroom (inf: no limit)", required=False,
                                default=math.inf),
        "receipt_limit": Param("GWh", "published annual receipt of the region's inter-regional "
                               "trade (gross), bounding its net receipt over the lines with "
                               "line_contract_headroom (inf: no limit)", required=False,
                               default=math.inf),
        "gross_send_out_limit": Param("GWh", "published annual gross send-out of the region "
                                      "(everything it sells out, transit excluded), bounding the "
                                      "sum of its outflows over the lines with "
                                      "line_contract_headroom (inf: no limit)", required=False,
                                      default=math.inf),
        "gross_receipt_limit": Param("GWh", "published annual gross receipt of the region "
                                     "(everything it buys in, transit excluded), bounding the sum "
                                     "of its inflows over the lines with line_contract_headroom "
                                     "(inf: no limit)", required=False, default=math.inf),
        "collector_share_wind": Param(
            "1", "most wind output the grid inside the hub carries in the base year, per GW of "
            "base-year wind (inf: no limit)", required=False, default=math.inf),
    },
)

TECHNOLOGIES = LongTable(
    "technologies.csv",
    "tech",
    {
        "capex": Param("MUSD/GW", "overnight investment per unit of power", years=COST_YEARS),
        "capex_energy": Param(
            "MUSD/GWh", "investment per unit of storage energy", years=COST_YEARS, applies_to=STORAGE
        ),
        "fom_share": Param("1/year", "fixed O&M as a share of capex per year", high=1),
        "vom": Param("MUSD/GWh", "variable O&M per unit of electricity"),
        "fuel_cost": Param("MUSD/GWh", "fuel price per unit of heat", applies_to=THERMAL),
        "efficiency": Param(
            "1", "electricity out per energy in (storage: round trip)", low=1e-3, high=1,
            applies_to=THERMAL | STORAGE,
        ),
        "emission_factor": Param("t/MWh", "CO2 per unit of heat", required=False, default=0.0),
        "lifetime": Param("year", "lifetime", low=1, high=100),
        "capacity_credit": Param("1", "firm share of capacity for the reserve margin", high=1),
        "availability": Param(
            "1", "maximum hourly output as a share of capacity", False, 1.0, low=1e-3, high=1
        ),
        "duration": Param("h", "energy-to-power ratio", low=0.1, high=1000, applies_to=STORAGE),
        "carbon_free_share": Param(
            "1", "share of the CO2 covered by free ETS allowances (allocated by output benchmarks)",
            required=False, default=0.0, high=1),
        "lead_time": Param(
            "year", "years from the base year to the first year new capacity can be in service",
            required=False, default=1.0, low=1, high=30),
        "min_stable_load": Param("1", "least output of committed capacity as a share of it (0: not "
                                 "committed, no unit commitment)", required=False, default=0.0,
                                 high=1),
        "start_up_cost": Param("MUSD/GW", "cost of starting up a unit of capacity",
                               required=False, default=0.0),
        "ramp_limit": Param("1/h", "most change of output per hour as a share of committed "
                            "capacity (1 or more: no limit)", required=False, default=1.0),
        "inter_day": Param(
            "1", "1: the storage's level is linked across the days of the year (representative "
            "days); 0: it cycles within each day", required=False, default=0.0, high=1,
            applies_to=STORAGE,
        ),
        "full_credit_hours": Param(
            "h", "storage duration that earns the full capacity credit: a GW of storage counts "
            "min(1, energy / (full_credit_hours x power)) for the reserve margin (0: its fixed "
            "capacity_credit)", required=False, default=0.0, applies_to=STORAGE,
        ),
    },
)
#: Values of technology parameters that do not apply to a technology (no fuel, no storage...).
TECH_NOT_APPLICABLE = {"capex_energy": 0.0, "fuel_cost": 0.0, "efficiency": 1.0, "duration": 0.0,
                       "inter_day": 0.0, "full_credit_hours": 0.0}

TRANSMISSION = LongTable(
    "transmission.csv",
    None,
    {
        "capex_length": Param("MUSD/GW/km", "line investment per unit of capacity and length"),
        "capex_fixed": Param("MUSD/GW", "converter-station investment per unit of capacity"),
        "loss_fixed": Param("1", "losses independent of length (converters)", high=0.5),
        "loss_per_1000km": Param("1", "losses per 1,000 km", high=0.5),
        "fom_share": Param("1/year", "fixed O&M as a share of investment per year", high=1),
        "lifetime": Param("year", "lifetime", low=1, high=100),
        "lead_time": Param(
            "year", "years from the base year to the first year a new (candidate) line can be in "
            "service", required=False, default=1.0, low=1, high=30),
        "default_tariff": Param("MUSD/GWh", "transmission tariff per unit of energy sent where "
                                "a line has none of its own", required=False, default=0.0),
        "default_max_new": Param("GW", "new capacity per corridor over the horizon where a line "
                                 "has no limit of its own", required=False, default=math.inf),
        "contract_headroom": Param(
            "1", "most annual energy the existing capacity of a dedicated line sends above its "
            "contract, as a share of the contract (inf: no limit)", required=False,
            default=math.inf),
        "default_schedule_floor": Param(
            "1", "least power a dedicated line sends in any step, as a share of its contract's "
            "mean power (0: none), where a line has no floor of its own", required=False,
            default=0.0, high=1),
    },
)

LINE_PARAMETERS = LongTable(
    "line_parameters.csv",
    "line",
    {
        "capacity": Param("GW", "capacity in service (0 for candidates)"),
        "length": Param("km", "route length", low=1, high=10_000),
        "investment": Param("MUSD", "reported investment of the line", required=False),
        "scheduled_energy": Param(
            "GWh", "fixed annual flow to or from an external region", required=False, default=0.0
        ),
        "contracted_energy": Param(
            "GWh", "least annual energy sent on a hub-to-hub line (its contracted schedule)",
            required=False, default=0.0),
        "tariff": Param("MUSD/GWh", "transmission tariff per unit of energy sent",
                        required=False),
        "max_new": Param("GW", "new capacity over the horizon", required=False),
        "schedule_floor": Param("1", "least power sent in any step, as a share of the "
                                "contract's mean power", required=False, high=1),
        # Read by the loader's calibration step (scenario calibration_year), not by the model.
        "calibration_in_service": Param(
            "year", "first year whose calibration (scenario calibration_year) counts the line in "
            "service, where earlier than its in_service year: the year's figures the calibration "
            "rests on already include its flows (the reason in the row's source)",
            required=False, low=1950, high=2100),
    },
)

PARAMETERS = LongTable(
    "parameters.csv",
    None,
    {
        "discount_rate": Param("1/year", "real discount rate", high=0.5),
        "value_of_lost_load": Param("MUSD/GWh", "cost of unserved energy", low=1e-3),
        "carbon_price": Param("USD/t", "carbon price"),
        "reserve_margin": Param("1", "firm capacity above peak load", high=2),
        "reserve_shortfall_cost": Param(
            "MUSD/GW/year", "cost of each GW of firm capacity missing from the reserve margin",
            low=1e-3),
        "demand_response_share": Param(
            "1", "most load that can be shed on call at the peak (demand response), as a share "
            "of peak load; counts as firm capacity", required=False, default=0.0, high=0.5),
        "demand_response_cost": Param(
            "MUSD/GW/year", "yearly cost of each GW of demand response enrolled",
            required=False, default=0.0),
        "national_capacity_coal": Param("GW", "national coal capacity (coal/gas split rule)"),
        "national_capacity_gas": Param("GW", "national gas capacity (coal/gas split rule)"),
        "default_wind_utilisation": Param("1", "wind utilisation where none is reported", high=1),
        "default_solar_utilisation": Param("1", "solar utilisation where none is reported", high=1),
        "default_hydro_hours": Param("h", "hydro full-load hours where none are reported", high=8760),
        "collector_capex": Param("MUSD/GW", "investment per GW of collector capacity inside a "
                                 "hub (model/collector.py)", required=False, default=0.0),
        "collector_lifetime": Param("year", "economic lifetime of collector capacity",
                                    required=False, default=40.0, low=1, high=100),
        "collector_max_new": Param("GW", "most collector capacity a hub may add over the horizon",
                                   required=False, default=math.inf),
        "chp_output": Param("1", "share of CHP capacity that must run for heat in the heating "
                            "season", required=False, default=0.0, high=1),
        # Operating reserves (model/reserves.py; used when policy.operating_reserves is on).
        "reserve_sigma_multiplier": Param(
            "1", "multiple of the day-ahead forecast error held as operating reserve",
            required=False, default=1.0, high=5),
        "reserve_contingency": Param(
            "GW", "upward reserve for the loss of a hub's largest unit or line", required=False,
            default=0.0, high=50),
        "reserve_energy_hours": Param(
            "h", "hours a storage must sustain the reserve it holds", required=False,
            default=1.0, high=24),
        "forecast_cost": Param(
            "MUSD/GW/year", "yearly cost of better (machine-learning) forecasts per GW of the "
            "forecast fleet, the wind and solar in service in the base year (charged where "
            "forecast_error_reduction > 0)", required=False, default=0.0),
        "imbalance_cost": Param(
            "MUSD/GWh", "cost of balancing each MWh of day-ahead forecast error (expected "
            "absolute error) in real time: redispatch and imbalance energy", required=False,
            default=0.0),
    },
)

#: Resource tranches of a supply curve per hub and technology (build_limits.csv).
SUPPLY_TRANCHES = 4

BUILD_LIMITS = LongTable(
    "build_limits.csv",
    "region",
    {
        f"max_new_{tech}": Param(
            "GW", f"most new {tech} capacity the hub can add over the model horizon",
            required=False, default=math.inf,
        )
        for tech in TECHS
    }
    | {
        f"max_build_rate_{tech}": Param(
            "GW/year", f"most new {tech} capacity the hub can add in one year",
            required=False, default=math.inf,
        )
        for tech in TECHS
    }
    | {
        f"supply_potential_{tech}_{j}": Param(
            "GW", f"new {tech} capacity the hub's resource tranche {j} can hold (its supply "
            "curve; no tranche given: no curve)", required=False, default=math.inf,
        )
        for tech in TECHS for j in range(1, SUPPLY_TRANCHES + 1)
    }
    | {
        f"supply_capex_adder_{tech}_{j}": Param(
            "MUSD/GW", f"investment added to {tech}'s capex in the hub's resource tranche {j} "
            "(poorer sites, longer connections)", required=False, default=0.0,
        )
        for tech in TECHS for j in range(1, SUPPLY_TRANCHES + 1)
    },
)

WORKLOADS: tuple[str, ...] = ("inference", "training")
BACKUP_TECHS: tuple[str, ...] = ("diesel", "battery")
#: Tranches of each hub's supply curve of data-centre sites (rising site cost).
SITE_TRANCHES: tuple[int, ...] = (1, 2, 3)

COMPUTE = LongTable(
    "compute.csv",
    "region",
    {
        "dc_capacity_existing": Param("GW", "data-centre IT capacity in the base year"),
        "demand_share": Param("1", "share of the hubs' compute demand originating here", high=1),
        "utilisation_max": Param("1", "highest utilisation of installed IT capacity", low=0.01, high=1),
        "grid_share_max": Param("1", "most data-centre load as a share of the hub's peak load",
                                required=False, high=1),
        "pue_existing": Param("1", "PUE of the existing fleet (dc_capacity_existing); default: "
                              "the hub's pue (region_parameters.csv) of new builds",
                              required=False, low=1.0, high=3.0),
        # Siting economics (issue 19); defaults keep a dataset without them as before.
        "tariff_adder": Param("MUSD/GWh", "transmission-and-distribution charge and policy "
                              "surcharges on data-centre electricity", required=False, default=0.0),
        "water_cost": Param("MUSD/GWh", "cooling water per unit of data-centre electricity",
                            required=False, default=0.0),
        "land_cost": Param("MUSD/GW", "land per unit of new IT capacity", required=False,
                           default=0.0),
        "max_new_dc": Param("GW", "most new IT capacity over the horizon (energy-use quota)",
                            required=False, default=math.inf),
    }
    | {
        f"site_capacity_{k}": Param(
            "GW", f"new IT capacity of the hub's site tranche {k}", required=False,
            default=math.inf if k == 1 else 0.0)
        for k in SITE_TRANCHES
    }
    | {
        f"site_cost_{k}": Param(
            "MUSD/GW/year", f"annual site premium of tranche {k} per unit of IT capacity",
            required=False, default=0.0)
        for k in SITE_TRANCHES
    },
)

COMPUTE_PARAMETERS = LongTable(
    "compute_parameters.csv",
    None,
    {
        "dc_electricity": Param("GWh", "national data-centre electricity use", years=(2024, 2030)),
        "hub_share": Param("1", "share of national data-centre electricity in the hubs", high=1),
        "pue_national": Param("1", "national average PUE (turns electricity into IT load)",
                              low=1.0, high=3.0),
        "inference_share": Param("1", "latency-sensitive share of IT load", high=1,
                                 years=COST_YEARS),
        "training_flexibility": Param("1", "share of training load that can move within a day",
                                      high=1),
        "latency_max_inference": Param("ms", "largest round trip for serving inference elsewhere",
                                       high=1000),
        "capex_dc": Param("MUSD/GW", "data-centre investment per unit of IT capacity",
                          years=COST_YEARS),
        "fom_share_dc": Param("1/year", "data-centre fixed O&M as a share of capex", high=1),
        "lifetime_dc": Param("year", "data-centre lifetime", low=1, high=100),
        "bandwidth_per_it": Param("Gbit/s/GW", "long-haul bandwidth per unit of exported IT load"),
        "bandwidth_cost": Param("MUSD/(Gbit/s)/year", "cost of long-haul bandwidth"),
        "flops_per_watt": Param("1", "EFLOPS delivered per GW of IT load"),
        "green_share_target": Param("1", "share of data-centre electricity from green power",
                                    high=1),
        "certificate_price": Param("MUSD/GWh", "green electricity certificate price"),
        "green_power_premium": Param("MUSD/GWh", "premium for green power bought from existing "
                                     "(not additional) wind, solar and hydro"),
        "green_export_max": Param("1", "most of dedicated green output sold to the grid", high=1),
        "backup_ratio": Param("1", "backup power per unit of IT capacity", high=5),
        "capex_backup_diesel": Param("MUSD/GW", "diesel backup investment"),
        "capex_backup_battery": Param("MUSD/GW", "battery backup investment"),
        "lifetime_backup": Param("year", "backup equipment lifetime", low=1, high=100),
        "grid_share_max": Param("1", "default most data-centre load as a share of peak load",
                                high=1),
    },
)
#: Files of the optional data-centre part of a dataset: all of them, or none (no compute module).
COMPUTE_FILES = ("compute.csv", "compute_parameters.csv", "latency.csv")

#: Years of the national hydrogen demand rows (compound growth between them).
H2_YEARS: tuple[int, ...] = (2024, 2030)

HYDROGEN = LongTable(
    "hydrogen.csv",
    "region",
    {
        "h2_demand_share": Param("1", "hub's share of national (on-purpose) hydrogen demand", high=1),
        "electrolyser_existing": Param("GW", "electrolyser capacity in service in the base year "
                                       "(electric input)", required=False, default=0.0),
        "fuel_cell_existing": Param("GW", "stationary fuel-cell capacity in the base year",
                                    required=False, default=0.0),
    },
)

HYDROGEN_PARAMETERS = LongTable(
    "hydrogen_parameters.csv",
    None,
    {
        "h2_demand": Param("t/year", "national on-purpose hydrogen demand (industry)",
                           years=H2_YEARS),
        "electrolyser_capex": Param("MUSD/GW", "electrolyser system investment per unit of "
                                    "electric input", years=COST_YEARS),
        "electrolyser_consumption": Param("kWh/kg", "electricity per kg of hydrogen (system)",
                                          low=33.3, high=100),
        "electrolyser_fom_share": Param("1/year", "electrolyser fixed O&M as a share of capex",
                                        high=1),
        "electrolyser_lifetime": Param("year", "electrolyser lifetime", low=1, high=100),
        "electrolyser_vom": Param("USD/kg", "electrolyser variable cost per kg (water...)",
                                  required=False, default=0.0),
        "fuel_cell_capex": Param("MUSD/GW", "stationary fuel-cell investment", years=COST_YEARS),
        "fuel_cell_yield": Param("kWh/kg", "electricity out per kg of hydrogen", low=0.1,
                                 high=33.3),
        "fuel_cell_fom_share": Param("1/year", "fuel-cell fixed O&M as a share of capex", high=1),
        "fuel_cell_lifetime": Param("year", "fuel-cell lifetime", low=1, high=100),
        "h2_storage_capex": Param("USD/kg", "hydrogen storage investment per kg of capacity"),
        "h2_storage_fom_share": Param("1/year", "storage fixed O&M as a share of capex", high=1),
        "h2_storage_lifetime": Param("year", "storage lifetime", low=1, high=100),
        "h2_storage_inter_day": Param("1", "1: hydrogen storage is linked across the days of the "
                                      "year (representative days); 0: it cycles within each day",
                                      required=False, default=1.0, high=1),
        "grey_h2_cost": Param("USD/kg", "cost of grey (coal or gas) hydrogen, carbon excluded"),
        "grey_h2_emission_factor": Param("kg/kg", "CO2 per kg of grey hydrogen", high=50),
        "green_h2_subsidy": Param("USD/kg", "subsidy per kg of electrolytic hydrogen",
                                  required=False, default=0.0),
        "green_h2_min": Param("t/year", "minimum electrolytic hydrogen output of the hubs",
                              required=False, default=0.0),
        "h2_backup_share": Param("1", "least share of new data centres' backup from fuel cells",
                                 required=False, default=0.0, high=1),
        "fuel_cell_backup_hours": Param("h", "hours of stored hydrogen kept for each fuel cell "
                                        "counted as data-centre backup", high=1000),
        "h2_transport_cost": Param("USD/kg/km", "cost of moving hydrogen between hubs (none: no "
                                   "transport)", required=False, default=math.inf),
    },
)
#: Files of the optional hydrogen part of a dataset: both, or none (no hydrogen module).
HYDROGEN_FILES = ("hydrogen.csv", "hydrogen_parameters.csv")

LONG_TABLES: tuple[LongTable, ...] = (
    PROVINCES, REGION_PARAMETERS, TECHNOLOGIES, TRANSMISSION, LINE_PARAMETERS, PARAMETERS,
    BUILD_LIMITS, COMPUTE, COMPUTE_PARAMETERS, HYDROGEN, HYDROGEN_PARAMETERS,
)


# ---------------------------------------------------------------------------------------------
# Row models. Empty CSV cells arrive as None; every model forbids unknown columns.

class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, populate_by_name=True)
    #: where the row is in its file (data row from 1, line in the file), for later messages
    _row: int | None = PrivateAttr(default=None)
    _line: int | None = PrivateAttr(default=None)

    @field_validator("*", mode="before")
    @classmethod
    def _no_underscore_in_numbers(cls, v: object, info: ValidationInfo) -> object:
        # Python's int() and float() (and pydantic) read "0_23" as 23: a typo, not a number.
        field_info = cls.model_fields.get(info.field_name or "")
        numeric = field_info is not None and field_info.annotation in (
            int, float, int | None, float | None)
        if numeric and isinstance(v, str) and "_" in v:
            raise ValueError("a number with '_' in it (Python would read 0_23 as 23)")
        return v

    @property
    def where(self) -> dict[str, int | None]:
        return {"row": self._row, "line": self._line}


class LongRow(_Row):
    key: str | None = None
    parameter: str = Field(min_length=1)
    year: int | None = Field(default=None, ge=1900, le=2100)
    value: float = Field(allow_inf_nan=False)
    unit: str = Field(min_length=1)
    source: str = Field(min_length=3)


class RegionRow(_Row):
    region: str = Field(pattern=ID_PATTERN, max_length=12)
    name: str = Field(min_length=1)
    name_zh: str = ""
    role: Literal["east", "west"]
    # Regional grid the hub's provinces belong to; compute served across it counts as exported.
    grid_region: str = ""
    provinces: list[str] = Field(min_length=1)
    location: str = Field(min_length=1)
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)
    climate: str = ""
    t_jan: float = Field(ge=-50, le=40, allow_inf_nan=False)
    t_jul: float = Field(ge=-30, le=45, allow_inf_nan=False)
    source: str = Field(min_length=3)

    @field_validator("provinces", mode="before")
    @classmethod
    def _split(cls, v: object) -> object:
        return [p.strip() for p in v.split(";") if p.strip()] if isinstance(v, str) else v


class ExternalRegionRow(_Row):
    region: str = Field(pattern=r"^EXT_[A-Z0-9_]+$")
    name: str = Field(min_length=1)
    provinces: str = ""
    source: str = Field(min_length=3)


class LineRow(_Row):
    line: str = Field(pattern=r"^[A-Za-z0-9_\-]+$", max_length=40)
    name: str = Field(min_length=1)
    from_: str = Field(alias="from", min_length=1)
    to: str = Field(min_length=1)
    kind: Literal["dc", "ac"]
    status: Literal["existing", "planned", "candidate"]
    in_service: int | None = Field(default=None, ge=1950, le=2100)
    source: str = Field(min_length=3)

    @model_validator(mode="after")
    def _service_year(self) -> LineRow:
        if self.status == "candidate" and self.in_service is not None:
            raise ValueError("a candidate line has no in_service year; leave it blank")
        if self.status != "candidate" and self.in_service is None:
            raise ValueError(f"a {self.status} line needs an in_service year")
        if self.from_ == self.to:
            raise ValueError("'from' and 'to' are the same region")
        return self


class LatencyRow(_Row):
    origin: str = Field(pattern=ID_PATTERN)
    destination: str = Field(pattern=ID_PATTERN)
    rtt_ms: float = Field(ge=0, le=1000, allow_inf_nan=False)
    source: str = Field(min_length=3)


FORECAST_SOURCES: tuple[str, ...] = ("load", "wind", "solar")


class ForecastErrorRow(_Row):
    """A row of ``forecast_errors.csv``: the day-ahead forecast error of one source in one hub.

    ``source`` is what is forecast (not a citation): ``load`` (error as a share of load),
    ``wind`` or ``solar`` (as a share of installed capacity); ``citation`` says where the number
    comes from (required in a dataset, optional in a scenario's own file).
    """

    region: str = Field(pattern=ID_PATTERN)
    source: Literal["load", "wind", "solar"]
    error_sigma: float = Field(ge=0, le=1, allow_inf_nan=False)
    citation: str = ""


class CurrencyRow(_Row):
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    per_usd: float = Field(gt=0, allow_inf_nan=False)
    year: int = Field(ge=1900, le=2100)
    source: str = Field(min_length=3)


@dataclass(frozen=True)
class WideTable:
    file: str
    row: type[_Row]
    #: columns that identify a row (each combination once); default: the first column
    id_columns: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(f.alias or name for name, f in self.row.model_fields.items())


REGIONS = WideTable("regions.csv", RegionRow)
EXTERNAL_REGIONS = WideTable("external_regions.csv", ExternalRegionRow)
LINES = WideTable("lines.csv", LineRow)
CURRENCY = WideTable("currency.csv", CurrencyRow)
LATENCY = WideTable("latency.csv", LatencyRow, id_columns=("origin", "destination"))
FORECAST_ERRORS = WideTable("forecast_errors.csv", ForecastErrorRow,
                            id_columns=("region", "source"))


class DatasetMeta(_Row):
    """``dataset.yaml``."""

    name: str = Field(min_length=1)
    title: str = ""
    description: str = ""
    base_year: int = Field(ge=2000, le=2100)
    profile_year: int = Field(ge=1900, le=2100)
    timezone: str = "Asia/Shanghai"

    @field_validator("profile_year")
    @classmethod
    def _not_leap(cls, v: int) -> int:
        if v % 4 == 0 and (v % 100 != 0 or v % 400 == 0):
            raise ValueError(f"{v} is a leap year; profiles need a year of 8,760 hours")
        return v
