"""The results Dataset: schema, units, netCDF round trip, full-year expansion."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from synergy_models.results import full_year, read_results, write_results
from synergy_models.run import run_scenario

REQUIRED = {  # name: (dims, units) as docs/results.md promises
    "capacity": (("region", "tech", "year"), "GW"),
    "capacity_new": (("region", "tech", "year"), "GW"),
    "capacity_retired": (("region", "tech", "year"), "GW"),
    "generation": (("region", "gen_tech", "year", "time"), "GW"),
    "curtailment": (("region", "gen_tech", "year", "time"), "GW"),
    "storage_level": (("region", "storage_tech", "year", "time"), "GWh"),
    "flow": (("line", "year", "time"), "GW"),
    "unserved": (("region", "year", "time"), "GW"),
    "price": (("region", "year", "time"), "USD/MWh"),
    "emissions": (("region", "year"), "Mt"),
    "cost": (("component", "year"), "MUSD/year"),
}


@pytest.fixture(scope="module")
def results() -> xr.Dataset:
    return run_scenario("milestones", {"time.days": 2})


def test_schema_names_dims_and_units(results):
    for name, (dims, units) in REQUIRED.items():
        assert results[name].dims == dims, name
        assert results[name].attrs["units"] == units, name
    for key in ("scenario", "inputs_hash", "package_version", "pyomo_version", "highspy_version",
                "status", "objective", "time_solve", "solver_log"):
        assert key in results.attrs, key


def test_netcdf_round_trip_is_identical(results, tmp_path):
    path = write_results(results, tmp_path / "results.nc")
    xr.testing.assert_identical(read_results(path), results)


def test_full_year_expansion_keeps_annual_energy(results):
    """Expanding representative days to 8,760 hours keeps each year's energy (sum of w x p)."""
    hourly = full_year(results, "generation")
    assert hourly.sizes["time"] == 8760
    annual = hourly.sum("time") / 1000
    np.testing.assert_allclose(annual, results.generation_annual, rtol=1e-9, atol=1e-9)
