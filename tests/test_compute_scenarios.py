"""The compute scenarios differ where they should (run small: two milestone years, 2 days)."""

from __future__ import annotations

import pytest
import xarray as xr

from synergy_models.run import run_scenario

SMALL = {"years": {2025: 3, 2030: 3}, "time.days": 2}
EAST = ["BTH", "YRD", "GBA"]
WEST = ["CY", "IM", "GZ", "GS", "NX"]


@pytest.fixture(scope="module")
def runs() -> dict[str, xr.Dataset]:
    names = ("base", "compute_stays_east", "compute_goes_west", "high_ai_growth",
             "hourly_green_matching")
    return {name: run_scenario(name, SMALL) for name in names}


def test_staying_east_exports_nothing(runs):
    assert runs["base"].compute_exports.sum().item() > 1.0
    assert runs["compute_stays_east"].compute_exports.sum().item() == pytest.approx(0, abs=1e-6)


def test_going_west_builds_no_new_eastern_data_centres_and_more_western_ones(runs):
    west, base = runs["compute_goes_west"], runs["base"]
    assert west.dc_capacity_new.sel(region=EAST).sum().item() == pytest.approx(0, abs=1e-6)
    assert (west.dc_capacity.sel(region=WEST, year=2030).sum().item()
            > base.dc_capacity.sel(region=WEST, year=2030).sum().item() + 1.0)


def test_high_growth_needs_more_capacity_and_power(runs):
    high, base = runs["high_ai_growth"], runs["base"]
    assert high.dc_capacity.sel(year=2030).sum().item() > base.dc_capacity.sel(year=2030).sum().item()
    assert high.attrs["objective"] > base.attrs["objective"]


def test_hourly_matching_costs_more(runs):
    assert runs["hourly_green_matching"].attrs["objective"] > runs["base"].attrs["objective"]
