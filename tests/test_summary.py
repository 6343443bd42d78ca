"""The generated summary of a report: every number it quotes is computed from the results (checked
here against the same numbers worked out by hand from a hand-built results Dataset), a changed
result changes the sentence, and the warnings appear exactly when a shortfall payment, unserved
energy or a build limit in every hub decides the outcome. Also the binding-limits table and the
comparison's "what changed and why".

The hand-built results: four hubs (BTH, YRD east; IM, GS west), years 2025 and 2030, two time
steps of 4,380 hours each, one line IM -> BTH.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import xarray as xr

from synergy_models import summary

HUBS = ["BTH", "YRD", "IM", "GS"]
YEARS = [2025, 2030]
NAMES = {"BTH": "Beijing-Tianjin-Hebei", "YRD": "Yangtze River Delta",
         "IM": "Inner Mongolia", "GS": "Gansu (Qingyang)"}

#: The limits: (family, region, tech, line, zone, year, value, shadow price, units, price units)
LIMITS = [
    ("power.build_limit", "YRD", "nuclear", "", "", 0, 11.0, 120.0, "GW", "USD/kW/year"),
    ("power.build_rate", "BTH", "wind", "", "", 2030, 3.5, 80.0, "GW", "USD/kW/year"),
    *[("power.build_rate", h, "battery", "", "", 2030, 1.0, 10.0 + i, "GW", "USD/kW/year")
      for i, h in enumerate(HUBS)],
    ("policy.reserve_margin", "", "", "", "system", 2030, 500.0, 50.0, "GW", "USD/kW/year"),
    ("transmission.build_limit", "", "", "im_bth", "", 0, 8.0, 40.0, "GW", "USD/kW/year"),
    ("compute.green_export", "GS", "", "", "", 2030, 0.0, 0.0, "GWh/year", "USD/MWh"),
]


def hand_results() -> xr.Dataset:
    """Numbers chosen to be worked out by hand (see the tests)."""
    ds = xr.Dataset(coords={"region": HUBS, "origin": HUBS, "year": YEARS, "time": [0, 1],
                            "line": ["im_bth"], "component": ["investment", "reserve_shortfall"]})
    ds["weight"] = ("time", [4380.0, 4380.0])
    # 2030 prices: IM cheapest (30), YRD dearest (60)
    ds["price_average"] = (("region", "year"), [[40.0, 45.0], [55.0, 60.0], [32.0, 30.0],
                                                [35.0, 33.0]])
    # flat demand: 100, 100, 20, 20 GW -> weights 100:100:20:20 in the average price
    demand = np.array([100.0, 100.0, 20.0, 20.0])[:, None, None] * np.ones((4, 2, 2))
    ds["demand"] = (("region", "year", "time"), demand)
    ds["emissions"] = (("region", "year"), [[300.0, 320.0], [200.0, 180.0], [400.0, 450.0],
                                            [100.0, 150.0]])
    ds["unserved_annual"] = (("region", "year"), np.zeros((4, 2)))
    ds["cost"] = (("component", "year"), [[1000.0, 1200.0], [0.0, 0.0]])
    ds["dc_capacity"] = (("region", "year"), [[4.0, 6.0], [4.0, 5.0], [1.0, 4.0], [0.0, 1.0]])
    ds["dc_capacity_new"] = (("region", "year"), [[0.0, 2.0], [0.0, 1.0], [0.0, 3.0],
                                                  [0.0, 1.0]])
    exports = np.zeros((4, 4, 2))
    exports[1, 0, 1] = 10.0   # YRD -> BTH
    exports[1, 2, 1] = 6.0    # YRD -> IM
    exports[0, 3, 1] = 4.0    # BTH -> GS
    ds["compute_exports"] = (("origin", "region", "year"), exports)
    ds["uhv_equivalent_electricity"] = ds.compute_exports * 1.4
    ds["flow"] = (("line", "year", "time"), [[[1.0, -1.0], [2.0, -3.0]]])  # GW, IM -> BTH +
    ds["line_from"] = ("line", np.array(["IM"], dtype=object))
    ds["line_to"] = ("line", np.array(["BTH"], dtype=object))
    ds["electrolyser_capacity"] = (("region", "year"), [[0.0, 2.0], [0.0, 0.0], [0.5, 3.0],
                                                        [0.0, 0.0]])
    ds["electrolyser_capacity_new"] = (("region", "year"), [[0.0, 2.0], [0.0, 0.0], [0.0, 2.5],
                                                            [0.0, 0.0]])
    ds["h2_produced"] = (("region", "year"), [[0.0, 100.0], [0.0, 0.0], [10.0, 200.0],
                                              [0.0, 0.0]])
    ds["h2_grey"] = (("region", "year"), [[50.0, 400.0], [0.0, 300.0], [0.0, 0.0], [0.0, 0.0]])
    ds = ds.assign_coords(limit=[f"{f}[{i}]" for i, (f, *_) in enumerate(LIMITS)])
    columns = list(zip(*LIMITS, strict=True))
    for i, key in enumerate(("family", "region", "tech", "line", "zone")):
        ds = ds.assign_coords({f"limit_{key}": ("limit", np.array(columns[i], dtype=object))})
    ds = ds.assign_coords(limit_year=("limit", np.array(columns[5], dtype=int)),
                          limit_kind=("limit", np.array(["at_most"] * len(LIMITS), dtype=object)),
                          limit_units=("limit", np.array(columns[8], dtype=object)),
                          limit_price_units=("limit", np.array(columns[9], dtype=object)),
                          limit_description=("limit", np.array(["a limit"] * len(LIMITS),
                                                               dtype=object)))
    ds["limit_value"] = ("limit", np.array(columns[6], dtype=float))
    ds["limit_level"] = ds.limit_value.copy()
    ds["limit_binding"] = ("limit", np.ones(len(LIMITS), dtype=np.int8))
    ds["limit_shadow_price"] = ("limit", np.array(columns[7], dtype=float))
    ds.attrs["scenario"] = "hand"
    return ds


def hand_inputs() -> xr.Dataset:
    return xr.Dataset({"region_name": ("region", [NAMES[h] for h in HUBS])},
                      coords={"region": HUBS})


def sentences(results: xr.Dataset, **kwargs: object) -> list[str]:
    return summary.executive_summary(results, inputs=hand_inputs(), **kwargs)  # type: ignore[arg-type]


def one(found: list[str], start: str) -> str:
    hits = [s for s in found if s.startswith(start)]
    assert len(hits) == 1, (start, found)
    return hits[0]


def test_prices_by_hub_in_the_last_year():
    """Cheapest IM 30, dearest YRD 60; demand-weighted (100 BTH 45, 100 YRD 60, 20 IM 30,
    20 GS 33) / 240 = 50.25 -> 50.2 (round half to even of 50.25 is 50.2)."""
    text = one(sentences(hand_results()), "In 2030 the average electricity price")
    assert "lowest in Inner Mongolia (IM) at 30.0 USD/MWh" in text
    assert "highest in Yangtze River Delta (YRD) at 60.0 USD/MWh" in text
    weighted = (100 * 45 + 100 * 60 + 20 * 30 + 20 * 33) / 240
    assert f"weighted by demand: {weighted:.1f} USD/MWh" in text


def test_data_centres_west_and_east():
    """2030 IT capacity 6 + 5 + 4 + 1 = 16 GW, west (IM, GS) 5 = 31%; built 2 + 1 + 3 + 1 = 7 GW,
    west 4 = 57%, east 43%, most in IM (3 GW); hub names shortened (no "(Qingyang)")."""
    text = one(sentences(hand_results()), "Data-centre IT capacity")
    assert "reaches 16.0 GW in 2030 (9.0 GW in 2025), 31% of it in the western hubs (IM, GS)" in text
    assert "of the 7.0 GW built, 57% goes to the west and 43% to the east" in text
    assert "most to Inner Mongolia (IM) (3.0 GW)" in text


def test_compute_exports_against_the_lines():
    """Exports 10 + 6 + 4 = 20 TWh, served in the west (IM 6, GS 4) 50%; largest YRD -> BTH 10;
    UHV equivalent 1.4 x 20 = 28 TWh; the line carries (2 + 3) GW x 4,380 h = 21.9 TWh in 2030."""
    text = one(sentences(hand_results()), "In 2030, 20.0 TWh of IT energy")
    assert "TWh of IT energy is exported to another grid region, 50% of it to the western hubs" in text
    assert "Yangtze River Delta (YRD) → Beijing-Tianjin-Hebei (BTH) (10.0 TWh)" in text
    assert "would take 28.0 TWh of electricity sent over UHV lines" in text
    assert "against 21.9 TWh the inter-hub lines carry in 2030" in text


def test_emissions_sentence_follows_the_results():
    """1,000 -> 1,100 Mt (+10.0%); raise IM's 2030 emissions by 100 Mt and it reads 1,200 Mt
    (+20.0%): the sentence is computed, not written."""
    r = hand_results()
    assert one(sentences(r), "CO2 emissions") == (
        "CO2 emissions of generation go from 1,000 Mt in 2025 to 1,100 Mt in 2030 (+10.0%).")
    r["emissions"].loc[{"region": "IM", "year": 2030}] += 100.0
    total = float(r.emissions.sel(year=2030).sum())
    text = one(sentences(r), "CO2 emissions")
    assert f"to {total:,.0f} Mt in 2030 (+{100 * (total / 1000 - 1):.1f}%)" in text
    assert "1,200 Mt" in text and "+20.0%" in text


def test_prices_follow_the_results():
    r = hand_results()
    r["price_average"].loc[{"region": "GS", "year": 2030}] = 25.0
    text = one(sentences(r), "In 2030 the average electricity price")
    assert "lowest in Gansu (GS) at 25.0 USD/MWh" in text


def test_hydrogen_built_or_not():
    """Electrolysers 2 + 3 = 5 GW in 2030, 4.5 built, most in IM 3; made 300 kt, grey 700 kt: 30%."""
    r = hand_results()
    text = one(sentences(r), "Electrolysers")
    assert "reach 5.00 GW in 2030 (4.50 GW built in the model; most in Inner Mongolia (IM), " \
           "3.00 GW), making 300.0 kt of hydrogen, 30% of the hydrogen supplied (700.0 kt grey)" in text
    r["electrolyser_capacity"][:] = 0.0
    r["electrolyser_capacity"].loc[{"region": "BTH", "year": 2030}] = 1e-13  # solver noise
    assert one(sentences(r), "No electrolysers") == (
        "No electrolysers are built: hydrogen in 2030 is grey (700.0 kt).")


def test_market_against_the_projection():
    gap = xr.Dataset({"model": ("year", [10e9, 23e9]), "projection": ("year", [50e9, 310e9])},
                     coords={"year": YEARS})
    text = one(sentences(hand_results(), market_gap=gap), "The model-implied market")
    assert "is 23.0 bn USD in 2030, 7% of the projected 310 bn USD" in text


def test_what_drives_this_names_the_costliest_limits():
    """Eight limits bind at a cost (the green export at 0 does not count); the top three by shadow
    price, with units."""
    text = one(sentences(hand_results()), "What drives this")
    assert text.startswith("What drives this: 8 limits bind at a cost")
    assert ("the nuclear build limit over the horizon in Yangtze River Delta (YRD) "
            "(120.0 USD/kW/year)") in text
    assert "the wind build rate in Beijing-Tianjin-Hebei (BTH) in 2030 (80.0 USD/kW/year)" in text
    assert "the reserve margin in all hubs in 2030 (50.0 USD/kW/year)" in text


def test_warnings_only_when_a_payment_unserved_energy_or_a_limit_decides():
    r = hand_results()
    warnings = [s for s in sentences(r) if s.startswith("**Warning:**")]
    # the battery build rate binds in all four hubs in 2030
    assert warnings == ["**Warning:** the battery build rate in 2030 binds in every hub: the "
                        "limit, not the economics, decides how much is built."]
    r["limit_binding"].loc[{"limit": r.limit.values[2]}] = 0  # not in BTH any more
    assert not [s for s in sentences(r) if s.startswith("**Warning:**")]
    r["cost"].loc[{"component": "reserve_shortfall", "year": 2030}] = 7500.0
    r["unserved_annual"].loc[{"region": "YRD", "year": 2025}] = 2.5
    warnings = [s for s in sentences(r) if s.startswith("**Warning:**")]
    assert len(warnings) == 2
    assert "reserve margin is not met in 2030: the model pays 7.50 bn USD a year (2030)" in warnings[0]
    assert "2.50 TWh of demand is not served in 2025 (Yangtze River Delta (YRD))" in warnings[1]


def test_summary_is_six_to_ten_sentences_with_numbers():
    found = sentences(hand_results())
    assert 6 <= len(found) <= 10
    assert all(re.search(r"\d", s) for s in found)
    assert "seed" not in " ".join(found)


def test_limits_table_groups_hubs_and_sorts_by_shadow_price():
    table = summary.limits_table(hand_results(), inputs=hand_inputs())
    assert list(table.columns) == ["limit", "hub", "technology / line", "year", "value", "units",
                                   "shadow price", "price units"]
    assert table["shadow price"].is_monotonic_decreasing
    assert table.iloc[0].to_dict() == {
        "limit": "build limit over the horizon", "hub": "Yangtze River Delta (YRD)",
        "technology / line": "nuclear", "year": "all years", "value": "11.00", "units": "GW",
        "shadow price": 120.0, "price units": "USD/kW/year"}
    line = table[table["technology / line"] == "IM→BTH (im_bth)"]
    assert line.iloc[0]["limit"] == "line build limit over the horizon"
    # the batteries differ in shadow price (10-13): one row each, none at 0 cost
    assert (table["technology / line"] == "battery").sum() == 4
    assert "cap on green output sold on" not in set(table["limit"])
    assert len(summary.limits_table(hand_results(), top=3)) == 3


def test_limits_table_joins_hubs_at_the_same_price():
    r = hand_results()
    r["limit_shadow_price"].loc[{"limit": r.limit.values[2:6]}] = 10.0
    table = summary.limits_table(r)
    battery = table[table["technology / line"] == "battery"]
    assert len(battery) == 1 and battery.iloc[0]["hub"] == "every hub"


def test_summary_runs_on_a_solved_model():
    """The real results schema (a tiny solved system with data centres, one year)."""
    from tests.test_charts import _inputs, _solve

    inputs = _inputs(compute=True)
    results = _solve(inputs)
    found = summary.executive_summary(results, inputs=inputs)
    assert any(s.startswith("CO2 emissions of generation are") for s in found)
    assert any(s.startswith("What drives this") for s in found)
    assert isinstance(summary.limits_table(results), pd.DataFrame)
    power_only = summary.executive_summary(_solve(_inputs(compute=False)))
    assert not any(s.startswith("Data-centre") for s in power_only)
    assert any(s.startswith("In 2030 the average electricity price") for s in power_only)



def with_capacity(r: xr.Dataset, solar: float = 100.0) -> xr.Dataset:
    """``r`` with capacity (region, tech, year): coal 50 GW and solar ``solar`` GW in each hub."""
    values = np.zeros((4, 2, 2))
    values[:, 0, :] = 50.0
    values[:, 1, :] = solar
    return r.assign(capacity=(("region", "tech", "year"), values)).assign_coords(
        tech=["coal", "solar"])


def test_comparison_names_what_changed_with_numbers():
    """Solar +2 GW in each of 4 hubs: +8 GW; emissions 1,100 -> 1,100 + 110 Mt (+10.0%); IM's
    data centres +1.5 GW; the wind build rate in BTH no longer binds, a carbon cap does."""
    ref = with_capacity(hand_results())
    other = with_capacity(hand_results(), solar=102.0)
    other["emissions"].loc[{"region": "BTH", "year": 2030}] += 110.0
    other["dc_capacity"].loc[{"region": "IM", "year": 2030}] += 1.5
    other["limit_binding"].loc[{"limit": other.limit.values[1]}] = 0
    other["limit_family"].values[-1] = "policy.carbon_cap"
    other["limit_region"].values[-1] = ""
    other["limit_shadow_price"].loc[{"limit": other.limit.values[-1]}] = 30.0
    other["limit_price_units"].values[-1] = "USD/t"
    found = summary.comparison_summary({"ref": ref, "other": other}, inputs=hand_inputs())
    assert found[0] == ("**other** against **ref** in 2030, all hubs: capacity solar +8.0 GW "
                        "(other technologies within 0.1 GW).")
    assert found[1] == "Data-centre IT capacity by hub: Inner Mongolia (IM) +1.5 GW."
    assert found[2].startswith("CO2 emissions 1,210 Mt against 1,100 Mt (+10.0%)")
    assert "binding only in other: the carbon cap in 2030 (30.0 USD/t)" in found[3]
    assert "binding only in ref: the wind build rate in Beijing-Tianjin-Hebei (BTH) in 2030 " \
           "(80.0 USD/kW/year)" in found[3]
    assert summary.capacity_changed({"ref": ref, "other": other})


def test_comparison_says_why_nothing_changed():
    """Capacities within 0.1 GW: one sentence says so and names the limits binding in both."""
    ref = with_capacity(hand_results())
    other = with_capacity(hand_results(), solar=100.01)
    found = summary.comparison_summary({"ref": ref, "other": other})
    assert found[0].startswith("**other** against **ref** in 2030: capacities by technology did "
                               "not change (each within 0.1 GW, all hubs) because the same limits "
                               "bind at a cost in both (8 entries), the costliest: the nuclear "
                               "build limit over the horizon in YRD (120.0 USD/kW/year)")
    assert found[-1] == "Why: the same 8 limits bind at a cost in both."
    assert not summary.capacity_changed({"ref": ref, "other": other})


def test_western_hubs_come_from_the_datasets_role_column():
    """The shipped regions.csv marks IM, GZ, GS and NX west (CY is a demand hub of the programme);
    a dataset that marks another hub west moves it into the summary's west."""
    from synergy_models.data.loader import load_inputs

    inputs = load_inputs("calibration_2024")
    results = xr.Dataset(coords={"region": inputs.region.values})
    assert summary.west_hubs(results, inputs) == ["IM", "GZ", "GS", "NX"]
    marked = inputs.assign(role_in_programme=inputs.role_in_programme.copy(
        data=["west" if h == "BTH" else v for h, v in zip(
            inputs.region.values, inputs.role_in_programme.values, strict=True)]))
    assert summary.west_hubs(results, marked) == ["BTH", "IM", "GZ", "GS", "NX"]
    assert summary.west_hubs(results) == ["IM", "GZ", "GS", "NX"]
