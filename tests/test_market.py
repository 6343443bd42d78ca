"""Market outlook: projection path, segments on hand-built results, gap, reverse search on solves.

Money: results costs are MUSD/yr, the market is USD/yr (x 1e6). GW x h x USD/MWh x 1000 = USD.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from synergy_models.errors import InputError
from synergy_models.market import (
    PROJECTION_NOTE,
    cagr,
    gap,
    gap_table,
    load_segments,
    market_value,
    projection,
    reverse_search,
)
from tests.test_model import solve
from tests.tiny import tiny_inputs, with_compute
from tests.tiny_results import tiny_results

#: system data-centre share of consumption in tiny_results: (17.52 + 34.56) / (132.72 + 78.36)
DC_SHARE = 52.08 / 211.08
#: share of IT energy served away from its origin: 23.04 / (14.016 + 23.04)
EXPORTED_IT = 23.04 / 37.056


def test_projection_reproduces_end_value_and_cagr_exactly():
    """V_y = 310e9 x 1.42^(y - 2030): V_2030 = 310e9, V_{y+1} / V_y = 1.42, V_2025 = 310e9 / 1.42^5
    = 53.69e9; the model-free note says it is a projection."""
    p = projection()
    assert list(p.year.values) == [2025, 2026, 2027, 2028, 2029, 2030]
    assert p.sel(year=2030).item() == 310e9
    np.testing.assert_allclose(p.values[1:] / p.values[:-1], 1.42, rtol=1e-14)
    assert cagr(p) == pytest.approx(0.42, rel=1e-13)
    assert p.sel(year=2025).item() == pytest.approx(310e9 / 1.42**5)
    assert p.sel(year=2025).item() / 1e9 == pytest.approx(53.69, abs=0.01)
    assert "not calibration" in p.attrs["note"] and p.attrs["units"] == "USD/year"


def test_moving_the_end_year_shifts_the_path_by_the_formula():
    """End year 2032: V_y = 310e9 x 1.42^(y - 2032) = the 2030 path / 1.42^2."""
    base, later = projection(), projection(end_year=2032)
    assert later.sel(year=2032).item() == 310e9
    np.testing.assert_allclose(later.sel(year=base.year).values, base.values / 1.42**2, rtol=1e-14)
    other = projection(end_value=100e9, end_year=2028, cagr=0.1, years=[2026, 2028, 2030])
    np.testing.assert_allclose(other.values, [100e9 / 1.1**2, 100e9, 100e9 * 1.1**2], rtol=1e-14)


def test_segments_from_hand_built_results_sum_to_the_total():
    """tiny_results (see its docstring), USD/yr:
    - dc_electricity: A 2 GW x (50 x 6,000 + 300 x 2,760) + B (3 x 30 x 6,000 + 6 x 40 x 2,760), x 1000
      = 2.256e9 + 1.2024e9 = 3.4584e9;
    - dc_investment: data_centres 400 + backup 60 = 460 MUSD;
    - hydrogen_for_compute: no hydrogen in the results (optional) = 0;
    - grid_for_compute: (investment 1,000 + storage 200 + transmission 300) x DC share 52.08 / 211.08
      + certificates 10 MUSD;
    - compute_exports: bandwidth 20 MUSD."""
    m = market_value(tiny_results())
    v = m.value.sel(year=2030)
    expected = {"dc_electricity": 3.4584e9, "dc_investment": 460e6, "hydrogen_for_compute": 0.0,
                "grid_for_compute": (1500 * DC_SHARE + 10) * 1e6, "compute_exports": 20e6}
    assert list(m.segment.values) == list(expected)
    for name, value in expected.items():
        assert v.sel(segment=name).item() == pytest.approx(value, rel=1e-12), name
    assert m.total.sel(year=2030).item() == pytest.approx(sum(expected.values()), rel=1e-12)
    assert m.total.item() == pytest.approx(m.value.sum("segment").item())
    assert m.dc_share_of_consumption.item() == pytest.approx(DC_SHARE)


def test_memo_values_exported_compute_at_cost_and_stays_out_of_the_total():
    """Exported: 34.56 TWh of B's electricity at B's DC price (1.2024e9 USD / 34.56 TWh) = 1.2024e9
    USD, + (400 + 60) MUSD x IT share exported 23.04 / 37.056, + bandwidth 20 MUSD."""
    m = market_value(tiny_results())
    memo = m.memo_value.sel(memo="compute_exports_at_cost", year=2030).item()
    assert memo == pytest.approx(1.2024e9 + 460e6 * EXPORTED_IT + 20e6, rel=1e-12)
    assert m.exported_it_share.item() == pytest.approx(EXPORTED_IT)


def fuel_cell_inputs():
    """Fuel cells: 1,000 MUSD/GW, 10 years, no discounting, 5%/yr O&M -> 1000 x (0.1 + 0.05) = 150
    MUSD per GW and year."""
    import xarray as xr

    return xr.Dataset({"fuel_cell_capex": ("year", [1000.0]), "fuel_cell_lifetime": 10.0,
                       "fuel_cell_fom_share": 0.05, "discount_rate": 0.0}, coords={"year": [2030]})


def test_fuel_cells_backing_up_data_centres_are_hydrogen_equipment_for_computing():
    """Fuel-cell backup A 0.5 + B 1.0 GW x 150 MUSD/GW/yr = 225 MUSD/yr; the total rises by it.
    Without the inputs (or without hydrogen) the optional item is 0 and ``skipped`` says why."""
    results = tiny_results(fuel_cell_backup={"A": 0.5, "B": 1.0})
    with_h2 = market_value(results, inputs=fuel_cell_inputs())
    assert with_h2.value.sel(segment="hydrogen_for_compute").item() == pytest.approx(225e6)
    assert with_h2.total.item() - market_value(tiny_results()).total.item() == pytest.approx(225e6)
    assert "hydrogen_for_compute" not in with_h2.attrs["skipped"]  # (tiny results: no collector)
    without_inputs = market_value(results)
    assert without_inputs.value.sel(segment="hydrogen_for_compute").item() == 0.0
    assert "hydrogen_for_compute" in without_inputs.attrs["skipped"]
    assert "inputs" in without_inputs.attrs["skipped"]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "segments.yaml"
    path.write_text(text)
    return path


def test_segment_file_mistakes_name_the_file_and_key(tmp_path):
    path = write(tmp_path, """
segments:
  grid:
    long_name: grid
    items:
      - cost: [investment]
        attribution: by_hand
""")
    with pytest.raises(InputError) as err:
        load_segments(path)
    text = str(err.value)
    assert str(path) in text and "segments.grid.items" in text and "by_hand" in text
    assert "line 5" in text                                  # the items list


def test_segment_file_schema_mistakes_are_reported_together(tmp_path):
    """Every mistake of the file at once, each with its key path, line and what was expected."""
    path = write(tmp_path, """basis: overnight
segments:
  grid:
    long_nam: grid
    items:
      - cost: [investment]
        spend: {quantity: dc_electricity, price: price}
      - spend: {quantity: dc_electricity}
        optional: 1
""")
    with pytest.raises(InputError) as err:
        load_segments(path)
    found = {p.column: (p.line, p.message, p.expected) for p in err.value.problems}
    assert found == {
        "basis": (1, "only the annualised basis is implemented", "annualised"),
        "segments.grid.long_nam": (4, "unknown key 'long_nam'; did you mean 'long_name'?", None),
        "segments.grid.items.0": (5, "give exactly one of 'cost', 'spend' and 'capacity'", None),
        "segments.grid.items.1.spend.price": (5, "'price' is missing",
                                              "{quantity: <variable>, price: <variable>}"),
        "segments.grid.items.1.optional": (5, "'optional' must be true or false", None),
    }
    assert all(p.file == str(path) for p in err.value.problems)


def test_a_missing_cost_component_is_an_error_unless_optional(tmp_path):
    path = write(tmp_path, "segments:\n  dc:\n    items:\n      - cost: [data_centre]\n")
    with pytest.raises(InputError, match=r"segments\.dc\.items\.0.*data_centre"):
        market_value(tiny_results(), path)
    path = write(tmp_path, "segments:\n  dc:\n    items:\n      - cost: [data_centre]\n"
                 "        optional: true\n")
    assert market_value(tiny_results(), path).total.item() == 0.0


def test_the_shipped_segment_file_is_valid():
    spec = load_segments()
    assert [s.name for s in spec.segments] == ["dc_electricity", "dc_investment",
                                               "hydrogen_for_compute", "grid_for_compute",
                                               "compute_exports"]
    assert spec.basis == "annualised"


def test_gap_year_by_year_and_the_models_own_cagr():
    """A model path of 1e9 (2025) and 4e9 (2028), 8e9 (2030): CAGR (8)^(1/5) - 1 = 51.6%/yr;
    gap in 2030 = 310e9 - 8e9."""
    import xarray as xr

    total = xr.DataArray([1e9, 4e9, 8e9], dims="year", coords={"year": [2025, 2028, 2030]})
    g = gap(total)
    assert list(g.year.values) == [2025, 2028, 2030]
    assert g.gap.sel(year=2030).item() == pytest.approx(302e9)
    assert g.ratio.sel(year=2025).item() == pytest.approx(1e9 / (310e9 / 1.42**5))
    assert g.attrs["model_cagr"] == pytest.approx(8 ** (1 / 5) - 1)
    assert g.attrs["projection_cagr"] == 0.42 and g.attrs["note"] == PROJECTION_NOTE
    table = gap_table(g)
    assert table.loc[2030, "model (USD bn)"] == pytest.approx(8.0)
    assert "not calibration" in table.attrs["note"]


def test_reverse_search_finds_the_root_of_a_monotone_function():
    """x^3 = 8 -> x = 2, bracket [0, 5]; out of range for 1000: market 0 and 125 at the ends."""
    found = reverse_search(lambda x: x**3, 8.0, (0.0, 5.0), rtol=1e-9, xtol=1e-12)
    assert found.found and found.value == pytest.approx(2.0, rel=1e-6)
    missed = reverse_search(lambda x: x**3, 1000.0, (0.0, 5.0), parameter="growth")
    assert not missed.found and math.isnan(missed.value)
    assert missed.market_at_bracket == (0.0, 125.0)
    assert "out of range" in missed.message and "growth" in missed.message
    assert "at 0" in missed.message and "at 5" in missed.message


def one_hub(it_load: float):
    """One hub with 50 GW of gas at 60 USD/MWh and 5 GW of demand, a data centre of PUE 1.2 serving
    ``it_load`` GW of inference, one step standing for 8,760 h; nothing to build, no other cost."""
    power = tiny_inputs(["E"], {"gas": {"marginal_cost": 0.060}}, np.array([[5.0]]), weights=[8760.0],
                        max_new=0.0, capacity={("E", "gas"): 50})
    return with_compute(power, {("E", "inference"): it_load}, pue=1.2)


def test_reverse_search_over_solves_finds_the_known_root():
    """Market = DC electricity at 60 USD/MWh: x GW x 1.2 x 8,760 h x 60 x 1000 = 630.72e6 x USD; the
    target 1e9 USD needs x = 1e9 / 630.72e6 = 1.58549 GW of IT. Out of range for 1e10: the message
    gives the market at both ends (0.5 and 3 GW: 315.36e6 and 1.89216e9 USD)."""
    def market_at(x: float) -> float:
        return market_value(solve(one_hub(x))).total.sel(year=2030).item()

    found = reverse_search(market_at, 1e9, (0.5, 3.0), parameter="it_load", rtol=1e-4)
    assert found.found, found.message
    assert found.value == pytest.approx(1e9 / 630.72e6, rel=1e-4)
    xs = [x for x, _ in found.evaluations]
    assert len(xs) <= 6 and len(set(xs)) == len(xs)          # no parameter value solved twice
    missed = reverse_search(market_at, 1e10, (0.5, 3.0), parameter="it_load")
    assert not missed.found
    np.testing.assert_allclose(missed.market_at_bracket, (315.36e6, 1.89216e9), rtol=1e-9)
    assert "0.32 bn USD at 0.5" in missed.message and "1.89 bn USD at 3" in missed.message


def test_a_cost_component_in_two_segments_is_refused(tmp_path):
    """Issue 22 (class 1): segments are added up, so `investment` in two of them would count it
    twice; the error names the file, both segments, the component and the line. Memo lines may
    re-cut components (they are not added)."""
    path = write(tmp_path, """segments:
  grid:
    items:
      - cost: [investment, transmission]
  dc:
    items:
      - cost: [data_centres]
      - cost: [investment]
        attribution: dc_share_of_consumption
memo:
  again:
    items:
      - cost: [investment, data_centres]
""")
    with pytest.raises(InputError) as err:
        load_segments(path)
    (problem,) = err.value.problems
    assert problem.file == str(path) and problem.value == "investment"
    assert problem.column == "segments.dc.items.1.cost" and problem.line == 6
    text = str(err.value)
    assert "segment 'grid'" in text and "segment 'dc'" in text and "twice" in text
    ok = write(tmp_path, "segments:\n  a:\n    items:\n      - cost: [investment]\n"
               "memo:\n  m:\n    items:\n      - cost: [investment]\n")
    assert len(load_segments(ok).memo) == 1


def test_a_cost_component_twice_in_one_item_is_refused(tmp_path):
    path = write(tmp_path, "segments:\n  a:\n    items:\n      - cost: [bandwidth, bandwidth]\n")
    with pytest.raises(InputError, match=r"'bandwidth' is counted in segment 'a'.*again"):
        load_segments(path)
