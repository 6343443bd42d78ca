"""Market outlook as layers: each layer's formula on a hand-built results set, the sum, the factor
paths, the file's checks and the reverse search on the sum.

Hand calculations use the figures of data/market_layers.yaml (quoted in each docstring) and
tests/tiny_results.py; money in USD per year.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import xarray as xr

from synergy_models.errors import InputError
from synergy_models.market import (
    SCOPE_NOTE,
    Factor,
    default_bracket,
    factor_path,
    factor_table,
    load_layers,
    market_value,
    outlook,
    outlook_table,
    projection,
    required_parameter,
)
from tests.tiny_results import tiny_results

#: tiny_results' data-centre share of consumption (tests/test_market.py).
DC_SHARE = 52.08 / 211.08
OUTSIDE = 1 - 0.662                       # 1 - hub_share
CNY_PER_USD = 7.1956


def hand_layers_2030(e2030: float = 277.0, outside: float = OUTSIDE) -> dict[str, float]:
    """The six layers in 2030 by hand, national data-centre electricity ``e2030`` TWh (from 102 TWh
    in 2024, geometric) and the share outside the hubs ``outside``."""
    e2029 = 102 * (e2030 / 102) ** (5 / 6)
    share_2029 = 0.11 + (0.80 - 0.11) * 6 / 7                 # linear 2023 -> 2030
    return {
        # (a) tiny_results' segments: electricity 3.4584e9, data centres + backup 460e6, no
        # hydrogen, grid 1,500 MUSD x DC share + certificates 10e6, bandwidth 20e6
        "hubs_energy_side": 3.4584e9 + 460e6 + (1500 * DC_SHARE + 10) * 1e6 + 20e6,
        # (b) TWh x 1e6 MWh/TWh x 88 USD/MWh x (1 - hub share)
        "dc_electricity_outside_hubs": e2030 * 1e6 * 88 * outside,
        # (c) (40 - 40 / 2^(1/6)) GW added in 2030 x 1e6 kW/GW x 8,000 x 1.04^7 USD/kW x outside
        "facility_investment": (40 - 40 / 2 ** (1 / 6)) * 1e6 * 8000 * 1.04**7 * outside,
        # (d) AI: 55.2 bn (2028) x (55.2 / 25.9)^(2/3); general: 19.93 bn (2022) x 1.085^8
        "it_equipment": 55.2e9 * (55.2 / 25.9) ** (2 / 3) + 19.93e9 * 1.085**8,
        # (e) increase of green TWh (E x share) x 1e9 kWh/TWh x 2.02 CNY per kWh/yr / rate x outside
        "green_supply": (e2030 * 0.80 - e2029 * share_2029) * 1e9 * 2.02 / CNY_PER_USD * outside,
        # (f) 25.08 bn (2024) x 1.2^6
        "compute_services": 25.08e9 * 1.2**6,
    }


def test_each_layer_matches_its_hand_calculation_and_the_layers_sum_to_the_total():
    view = outlook(tiny_results())
    assert list(view.year.values) == [2030]
    hand = hand_layers_2030()
    assert list(view.layer.values) == list(hand)
    for name, value in hand.items():
        assert view.value.sel(layer=name, year=2030).item() == pytest.approx(value, rel=1e-9), name
    assert view.total.item() == pytest.approx(sum(hand.values()), rel=1e-12)
    assert view.total.item() == pytest.approx(view.value.sum("layer").item(), rel=1e-14)
    # the model's layer is the segments' total, nothing more
    assert view.value.sel(layer="hubs_energy_side").item() == market_value(tiny_results()).total.item()
    # memo: all data centres' electricity at the tariff (277 TWh x 88), not in the total
    assert view.memo_value.sel(memo="national_dc_electricity_bill").item() == pytest.approx(
        277e6 * 88, rel=1e-12)
    assert list(view.layer_kind.values) == ["model"] + ["sourced"] * 5
    assert view.attrs["scope_note"] == SCOPE_NOTE and "not the growth of any electricity" in SCOPE_NOTE


def test_layers_tied_to_the_inputs_take_the_scenarios_figures():
    """A scenario with 554 TWh of data centres in 2030 (twice the IEA's) and half of it in the hubs:
    (b) = 554 x 88 x 0.5 = 24.376e9; (e) by the same formula; the other layers do not move."""
    inputs = xr.Dataset({"dc_electricity": ("dc_year", [102_000.0, 554_000.0]),
                         "hub_share": 0.5}, coords={"dc_year": [2024, 2030]})
    inputs.dc_electricity.attrs["units"] = "GWh"
    view = outlook(tiny_results(), inputs)
    hand = hand_layers_2030(554.0, 0.5)
    assert view.value.sel(layer="dc_electricity_outside_hubs").item() == pytest.approx(24.376e9)
    for name in ("dc_electricity_outside_hubs", "facility_investment", "green_supply",
                 "it_equipment", "compute_services"):
        assert view.value.sel(layer=name).item() == pytest.approx(hand[name], rel=1e-9), name


def test_sourced_layers_alone_for_any_years_and_the_table():
    """Without results the model layer cannot be valued; the sourced ones can, for any years.
    2024 is the data year: (f) = 25.08 bn, (b) = 102 x 88 x 0.338, the projection absent."""
    with pytest.raises(ValueError, match="model's: give solved results"):
        outlook(years=[2030])
    spec = load_layers()
    sourced = type(spec)(tuple(g for g in spec.layers if g.kind == "sourced"), spec.memo,
                         spec.factors, spec.rates, spec.source)
    view = outlook(layers=sourced, years=[2024, 2030])
    assert view.value.sel(layer="compute_services", year=2024).item() == pytest.approx(25.08e9)
    assert view.value.sel(layer="dc_electricity_outside_hubs", year=2024).item() == pytest.approx(
        102e6 * 88 * OUTSIDE)
    table = outlook_table(view, projection())
    assert table.loc["total of the layers", 2030] == pytest.approx(view.total.sel(year=2030) / 1e9)
    assert table.loc["projection (the brief's)", 2030] == pytest.approx(310.0)
    assert np.isnan(table.loc["projection (the brief's)", 2024])


def factor(**kw: Any) -> Factor:
    base: dict[str, Any] = dict(name="f", unit="1", points=((2024, 100.0), (2028, 400.0)),
                                status="sourced", source="test")
    return Factor(**{**base, **kw})


def test_factor_paths_interpolate_and_extend_by_the_stated_rules():
    """100 (2024) and 400 (2028): geometric 2026 = 200, growth 41.42%/yr extends to 2030 = 800 and
    back to 2023 = 70.71; linear 2026 = 250, slope 75/yr: 2030 = 550; a growth of 10% overrides
    (2030 = 400 x 1.1^2); one point is constant unless a growth is given."""
    years = [2023, 2026, 2030]
    np.testing.assert_allclose(factor_path(factor(), years).values, [100 / 2**0.5, 200, 800])
    np.testing.assert_allclose(factor_path(factor(interpolation="linear"), years).values,
                               [25, 250, 550])
    np.testing.assert_allclose(factor_path(factor(growth=0.1), years).values,
                               [100 / 1.1, 200, 400 * 1.21])
    one = factor(points=((2024, 5.0),))
    np.testing.assert_allclose(factor_path(one, years).values, [5, 5, 5])
    np.testing.assert_allclose(factor_path(factor(points=((2024, 5.0),), growth=0.5), [2026]).values,
                               [11.25])


def test_the_shipped_layers_file_sources_every_number():
    spec = load_layers()
    assert [g.name for g in spec.layers] == ["hubs_energy_side", "dc_electricity_outside_hubs",
                                             "facility_investment", "it_equipment", "green_supply",
                                             "compute_services"]
    for f in spec.factors.values():
        assert len(f.source) > 40, f.name
        if f.growth is not None:
            assert f.growth_source, f.name
        if f.status == "assumption":
            assert f.range is not None, f.name
    table = factor_table(spec)
    assert set(table.columns) >= {"unit", "points", "status", "source"}
    assert default_bracket("compute_growth") == (0.05, 0.50)
    with pytest.raises(ValueError, match="no default search range"):
        default_bracket("green_share_target")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "layers.yaml"
    path.write_text(text)
    return path


GOOD_FACTORS = """factors:
  energy: {unit: TWh/year, points: {2024: 10}, status: sourced, source: a report}
  price: {unit: USD/MWh, points: {2024: 50}, status: sourced, source: a report}
  capacity: {unit: GW, points: {2024: 1}, status: sourced, source: a report}
"""


def test_layer_file_mistakes_name_the_file_key_and_line(tmp_path):
    """An unknown factor, units that are not money per year, growth without its source, an
    assumption without a range: each named with its key path and line, all at once."""
    path = write(tmp_path, """layers:
  x:
    long_name: x
    basis: flow
    method: m
    items:
      - factors: [energy, prise]
  y:
    long_name: y
    basis: flow
    method: m
    items:
      - factors: [energy, capacity]
""" + GOOD_FACTORS)
    with pytest.raises(InputError) as err:
        load_layers(path)
    found = {p.column: p for p in err.value.problems}
    assert set(found) == {"layers.x.items.0", "layers.y.items.0"}
    assert "unknown factor(s) ['prise']" in found["layers.x.items.0"].message
    assert found["layers.x.items.0"].line == 6
    assert "not money per year" in found["layers.y.items.0"].message
    assert all(p.file == str(path) for p in err.value.problems)

    path = write(tmp_path, """layers:
  x: {long_name: x, basis: flow, method: m, items: [{factors: [price]}]}
factors:
  price: {unit: USD/MWh, points: {2024: 50}, growth: 0.1, status: assumption, source: guess}
""")
    with pytest.raises(InputError) as err:
        load_layers(path)
    text = str(err.value)
    assert "factors.price" in text and "growth_source" in text


def test_outside_hubs_needs_a_hub_share_and_energy_times_price_is_money(tmp_path):
    """10 TWh/yr x 50 USD/MWh = 500e6 USD/yr (national); outside_hubs without a hub_share factor
    is refused."""
    body = "layers:\n  x: {long_name: x, basis: flow, method: m, items: [{factors: [energy, price]%s}]}\n"
    view = outlook(layers=load_layers(write(tmp_path, body % "" + GOOD_FACTORS)), years=[2024])
    assert view.total.item() == pytest.approx(500e6)
    with pytest.raises(InputError, match="hub_share"):
        load_layers(write(tmp_path, body % ", scope: outside_hubs" + GOOD_FACTORS))


class FakeRuns:
    """A scenario whose solve returns tiny_results whatever the settings, and whose inputs carry
    the national data-centre electricity a lever sets: only layers tied to it move."""

    def __init__(self) -> None:
        self.solved: list[dict[str, Any]] = []

    def inputs(self, changes: dict[str, Any] | None = None) -> xr.Dataset:
        e2030 = (changes or {}).get("dc_electricity.2030", 277_000.0)
        ds = xr.Dataset({"dc_electricity": ("dc_year", [102_000.0, e2030]), "hub_share": 0.662},
                        coords={"dc_year": [2024, 2030]})
        ds.dc_electricity.attrs["units"] = "GWh"
        return ds

    def solve(self, changes: dict[str, Any] | None = None) -> tuple[xr.Dataset, xr.Dataset]:
        self.solved.append(dict(changes or {}))
        return self.inputs(changes), tiny_results()


def test_reverse_search_on_the_sum_of_the_layers():
    """The sum in 2030 rises with compute growth through layers (b) and (e) only (the fake model
    layer is fixed): the default bracket (0.05, 0.50) holds the growth that brings it to a target
    set 30 bn USD above the sum at 18.1%/yr, and the sum there is within 1% of it. The model's
    layer alone never moves: out of range."""
    base = sum(hand_layers_2030().values())
    path = projection(end_value=base + 30e9)
    found = required_parameter(FakeRuns(), path=path)
    assert found.found, found.message
    assert 0.181 < found.value < 0.50
    e2030 = 102 * (1 + found.value) ** 6
    assert sum(hand_layers_2030(e2030).values()) == pytest.approx(base + 30e9, rel=0.01)
    model_only = required_parameter(FakeRuns(), path=path, measure="model")
    assert not model_only.found and "out of range" in model_only.message


def test_the_layers_chart_stacks_every_layer_and_draws_the_projection():
    from synergy_models.charts import market_layers

    view = outlook(tiny_results())
    spec = market_layers(view, projection()).to_dict()
    bars, line = spec["layer"]
    rows = spec["datasets"][bars["data"]["name"]]
    assert sum(r["usd_bn"] for r in rows) == pytest.approx(view.total.item() / 1e9, rel=1e-3)
    assert len({r["layer"] for r in rows}) == 6
    (point,) = spec["datasets"][line["data"]["name"]]
    assert point == {"year": 2030, "usd_bn": pytest.approx(310.0)}


def _fails_clearly(argv: list[str], capsys: pytest.CaptureFixture[str], *expected: str) -> None:
    from synergy_models.cli import main

    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.startswith("error: ")
    for text in expected:
        assert text in err, err


def test_market_cli_refuses_before_any_solve(tmp_path, capsys):
    """A parameter with no default range and no --bracket, and a broken layers file, fail before
    the scenario is solved (exit 2, named)."""
    _fails_clearly(["market", "milestones", "-q", "--search", "green_share_target"], capsys,
                   "--bracket", "no default search range for 'green_share_target'")
    broken = write(tmp_path, "layers:\n  x: {long_name: x, basis: flow, method: m, "
                   "items: [{factors: [nowhere]}]}\n")
    _fails_clearly(["market", "milestones", "-q", "--layers", str(broken)], capsys, str(broken),
                   "layers.x.items.0", "unknown factor(s) ['nowhere']")


@pytest.mark.slow
def test_market_cli_prints_the_layers_their_sum_and_the_scope(capsys):
    """`synergy market` on a solved scenario: six layer rows whose sum is the printed total (in
    each modelled year, to the printed rounding), the projection and the scope statement."""
    from synergy_models.cli import main

    assert main(["market", "milestones", "-q", "-p", "time.days=2"]) == 0
    out = capsys.readouterr().out
    block = out.split("Market outlook by layer")[1].split("Projection vs model")[0]
    rows = {line[:4]: [float(x) for x in line.split()[-2:]] for line in block.splitlines()
            if line.startswith(("(a)", "(b)", "(c)", "(d)", "(e)", "(f)", "total", "proje"))}
    assert len(rows) == 8
    layers = [rows[k] for k in ("(a) ", "(b) ", "(c) ", "(d) ", "(e) ", "(f) ")]
    for year in (0, 1):
        assert sum(r[year] for r in layers) == pytest.approx(rows["tota"][year], abs=0.03)
    assert rows["proj"] == [53.69, 310.0]
    assert "not the growth of any electricity market" in block


def test_the_model_layer_in_a_year_the_scenario_does_not_model_is_a_clear_error():
    with pytest.raises(ValueError, match=r"years \[2027\] are not modelled"):
        outlook(tiny_results(), years=[2027, 2030])
