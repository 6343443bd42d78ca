"""The collector block (the grid inside a hub that carries its wind and solar) on a tiny case
derived by hand.

One hub, one year of two 1-h steps (weights 1), load 8 GW in both; 10 GW of existing wind with
capacity factors 1.0 and 0.2; coal at 0.1 MUSD/GWh (100 USD/MWh) covers the rest. With the tiny
defaults (discount rate 0, lifetime 1) a GW of collector costs its capex once a year.
"""

from __future__ import annotations

import numpy as np
import pytest

from synergy_models.model.build import build_model
from synergy_models.model.catalogue import active_modules
from tests.test_model import solve
from tests.tiny import tiny_inputs

COAL = 0.1  # MUSD/GWh


def wind_hub(share: float, capex: float = 1.0, max_new: float = np.inf):
    ds = tiny_inputs(["A"], {"coal": {"marginal_cost": COAL}, "wind": {}},
                     np.array([[8.0, 8.0]]), cf={"wind": np.array([[1.0, 0.2]])},
                     capacity={("A", "coal"): 10.0, ("A", "wind"): 10.0}, max_new=0.0)
    ds["collector_share"] = ("region", [share])
    ds["collector_capex"] = capex
    ds["collector_lifetime"] = 1.0
    ds["collector_max_new"] = max_new
    return ds


def wind_and_curtailment(r):
    wind = r.generation.sel(region="A", gen_tech="wind", year=2030).values
    curtailed = r.curtailment.sel(region="A", gen_tech="wind", year=2030).values
    return wind, curtailed


def test_without_a_collector_share_the_block_is_off():
    """collector_share inf: no block; wind covers the load in step 0 (8 of 10 GW) and gives 2 GW
    in step 1: coal 0 + 6 GWh, objective 0.6."""
    ds = wind_hub(np.inf)
    assert "collector" not in [mod.name for mod in active_modules(ds)]
    r = solve(ds)
    assert r.attrs["objective"] == pytest.approx(0.6, rel=1e-6)


def test_collector_limit_curtails_wind_when_expansion_costs_more_than_it_saves():
    """Share 0.5 of 10 GW: 5 GW of collector. A GW more carries 1 GWh of wind in step 0 (the only
    step where wind exceeds 5 GW), saving 0.1 MUSD of coal, against a capex of 1 MUSD: nothing
    built. Wind 5 and 2 GW, curtailed 5 and 0; coal 3 + 6 GWh: objective 0.9."""
    r = solve(wind_hub(0.5))
    wind, curtailed = wind_and_curtailment(r)
    np.testing.assert_allclose(wind, [5.0, 2.0], atol=1e-6)
    np.testing.assert_allclose(curtailed, [5.0, 0.0], atol=1e-6)
    assert r.attrs["objective"] == pytest.approx(0.9, rel=1e-6)
    assert float(r.collector_new.sum()) == pytest.approx(0.0, abs=1e-6)
    assert float(r.collector_capacity.sel(region="A", year=2030)) == pytest.approx(5.0)


def test_collector_is_expanded_when_it_pays():
    """Capex 0.05 < 0.1 MUSD saved per GW: the collector grows by 3 GW, until wind meets the 8-GW
    load in step 0 (more would carry nothing). Objective 0.05 x 3 + 0.1 x 6 = 0.75; wind curtailed
    2 GW in step 0 (by the load, not the collector)."""
    r = solve(wind_hub(0.5, capex=0.05))
    wind, curtailed = wind_and_curtailment(r)
    np.testing.assert_allclose(wind, [8.0, 2.0], atol=1e-6)
    np.testing.assert_allclose(curtailed, [2.0, 0.0], atol=1e-6)
    assert float(r.collector_new.sel(region="A", year=2030)) == pytest.approx(3.0, abs=1e-6)
    assert float(r.collector_capacity.sel(region="A", year=2030)) == pytest.approx(8.0, abs=1e-6)
    assert r.attrs["objective"] == pytest.approx(0.75, rel=1e-6)


def test_collector_build_limit():
    """At most 1 GW may be added: wind 6 and 2 GW, coal 2 + 6 GWh; objective 0.05 + 0.8 = 0.85."""
    r = solve(wind_hub(0.5, capex=0.05, max_new=1.0))
    wind, _ = wind_and_curtailment(r)
    np.testing.assert_allclose(wind, [6.0, 2.0], atol=1e-6)
    assert r.attrs["objective"] == pytest.approx(0.85, rel=1e-6)


def wind_only_hub(share_wind: float, capex: float = 1.0):
    ds = wind_hub(np.inf, capex=capex)
    ds["collector_share_wind"] = ("region", [share_wind])
    return ds


def test_wind_limit_alone_switches_the_block_on_and_curtails_wind():
    """collector_share inf, collector_share_wind 0.6 of 10 GW: wind at most 6 GW. Step 0: wind 6
    (4 curtailed), coal 2; step 1: wind 2, coal 6. A GW of collector would carry 1 GWh of wind
    (0.1 MUSD) for a capex of 1: nothing built. Objective 0.1 x 8 = 0.8."""
    ds = wind_only_hub(0.6)
    assert "collector" in [mod.name for mod in active_modules(ds)]
    r = solve(ds)
    wind, curtailed = wind_and_curtailment(r)
    np.testing.assert_allclose(wind, [6.0, 2.0], atol=1e-6)
    np.testing.assert_allclose(curtailed, [4.0, 0.0], atol=1e-6)
    assert r.attrs["objective"] == pytest.approx(0.8, rel=1e-6)
    assert float(r.collector_wind_capacity.sel(region="A", year=2030)) == pytest.approx(6.0)
    assert np.isinf(float(r.collector_capacity.sel(region="A", year=2030)))


def test_collector_built_for_the_wind_limit_when_it_pays():
    """Capex 0.05 < 0.1 MUSD saved per GW: 2 GW built, wind meets the 8-GW load in step 0.
    Objective 0.05 x 2 + 0.1 x 6 = 0.7."""
    r = solve(wind_only_hub(0.6, capex=0.05))
    wind, _ = wind_and_curtailment(r)
    np.testing.assert_allclose(wind, [8.0, 2.0], atol=1e-6)
    assert float(r.collector_new.sel(region="A", year=2030)) == pytest.approx(2.0, abs=1e-6)
    assert r.attrs["objective"] == pytest.approx(0.7, rel=1e-6)


def test_the_tighter_of_the_two_limits_binds():
    """Both shares on wind alone: combined 0.7 (7 GW), wind 0.5 (5 GW): wind 5 and 2 GW, coal
    3 + 6 GWh, objective 0.9; with the wind share at 0.9 the combined limit (7 GW) binds:
    coal 1 + 6, objective 0.7."""
    for share_wind, wind0, objective in ((0.5, 5.0, 0.9), (0.9, 7.0, 0.7)):
        ds = wind_hub(0.7)
        ds["collector_share_wind"] = ("region", [share_wind])
        r = solve(ds)
        wind, _ = wind_and_curtailment(r)
        np.testing.assert_allclose(wind, [wind0, 2.0], atol=1e-6)
        assert r.attrs["objective"] == pytest.approx(objective, rel=1e-6)


def test_base_scenario_builds_the_collector_rows_only_where_a_share_is_given():
    """In the shipped dataset IM, GS and NX have a collector share: one row per hub, year and step;
    GS also has a wind share (Gansu's 2021 wind record), one more row per year and step."""
    from synergy_models.run import load_inputs

    inputs = load_inputs("base")
    m = build_model(inputs)
    hubs = [r for r in inputs.region.values if np.isfinite(float(inputs.collector_share.sel(region=r)))]
    assert sorted(hubs) == ["GS", "IM", "NX"]
    assert len(m.collector.collector_limit) == len(hubs) * inputs.sizes["year"] * inputs.sizes["time"]
    wind = [r for r in inputs.region.values
            if np.isfinite(float(inputs.collector_share_wind.sel(region=r)))]
    assert wind == ["GS"]
    assert len(m.collector.wind_limit) == inputs.sizes["year"] * inputs.sizes["time"]
