"""The hydrogen scenarios differ where they should (run small: 2030 only, 2 days of 6 steps)."""

from __future__ import annotations

import pytest
import xarray as xr

from synergy_models.data.loader import load_inputs
from synergy_models.run import run_scenario

SMALL = {"years": {2030: 1}, "time.days": 2, "time.segments": 6}


@pytest.fixture(scope="module")
def runs() -> dict[str, xr.Dataset]:
    return {name: run_scenario(name, SMALL) for name in ("hydrogen_push", "no_hydrogen")}


def test_push_makes_at_least_the_target_and_no_hydrogen_makes_none(runs):
    push, none = runs["hydrogen_push"], runs["no_hydrogen"]
    assert push.h2_produced.sum().item() >= 200.0 - 1e-6          # kt, the 2030 target
    assert push.electrolyser_capacity.sum().item() > 0.01
    assert push.cost.sel(component="hydrogen_subsidy").item() < 0
    assert none.h2_produced.sum().item() == pytest.approx(0.0, abs=1e-9)
    assert none.electrolyser_capacity.sum().item() == pytest.approx(0.0, abs=1e-9)
    assert none.cost.sel(component="grey_hydrogen").item() == pytest.approx(0.0, abs=1e-9)


def test_fuel_cells_carry_half_the_new_backup_only_in_the_push(runs):
    push, none = runs["hydrogen_push"], runs["no_hydrogen"]
    new_it = push.dc_capacity_new.sum().item()
    assert new_it > 0.1
    assert push.fuel_cell_backup.sum().item() >= 0.5 * 1.5 * new_it - 1e-6  # share x backup_ratio
    assert none.fuel_cell_capacity.sum().item() == pytest.approx(0.0, abs=1e-9)
    assert none.backup_capacity.sum().item() > push.backup_capacity.sum().item()


def test_push_avoids_the_co2_of_the_grey_hydrogen_its_green_hydrogen_replaces(runs):
    """Over the year and the hubs, the hydrogen balance makes the demand (from the inputs, t) out of
    green hydrogen less what fuel cells burn, and grey (storage cycles within each day, transport
    only moves it between hubs): each green kt delivered replaces a grey kt and its CO2, at the
    inputs' emission factor (kg/kg)."""
    push = runs["hydrogen_push"]
    inputs = load_inputs("hydrogen_push", SMALL)
    assert float(inputs.weight.sum()) == pytest.approx(8760.0)  # the year, for the annual balance
    demand = inputs.h2_demand.sel(year=2030).sum().item() / 1000                 # t -> kt
    green = (push.h2_produced - push.h2_fuel_cell_use).sum().item()              # kt
    assert green + push.h2_grey.sum().item() == pytest.approx(demand, rel=1e-6)
    avoided = green * float(inputs.grey_h2_emission_factor) / 1000               # kt x kg/kg -> Mt
    assert push.h2_emissions_avoided.sum().item() == pytest.approx(avoided, rel=1e-6)
    assert avoided > 3.0
