"""Solved model -> results ``xarray.Dataset`` (schema: ``docs/results.md``), and netCDF files.

Sign conventions: flows are positive from a line's ``from`` hub to its ``to`` hub; in
``balance`` injections are positive and withdrawals negative, so it sums to zero over ``term``;
prices are the balance duals divided by the discounted time weight, in USD/MWh of the year;
limits' shadow prices (``limit_shadow_price``) are positive when a limit costs money
(:mod:`synergy_models.limits`).
"""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import pyomo.environ as pyo
import xarray as xr

import synergy_models
from synergy_models.data.timeseries import expand_to_year
from synergy_models.gather import Gathered
from synergy_models.io import read_netcdf, write_netcdf
from synergy_models.limits import limit_results
from synergy_models.model.balance import component
from synergy_models.model.module import ROLES, ResultsContext, da, values
from synergy_models.solve import Solution

TIME_COORDS = ("period", "hour")


def build_results(m: pyo.ConcreteModel, solution: Solution, inputs: xr.Dataset) -> xr.Dataset:
    """The results Dataset of a solved model: the core's variables (balance by term with each
    term's role, prices, costs, reserve terms, time weights), then each active module's."""
    d = m.data
    a = d.arrays
    R, Y, T = d.regions, d.years, d.steps
    coords: dict[str, Any] = {"region": R, "year": Y, "time": T}
    # gathered and merged once (each Dataset assignment would realign all the others)
    ds = Gathered()

    # The balance by registered term: injections positive, withdrawals negative, with roles.
    terms = [(n, 1.0) for n in m.terms.injections] + [(n, -1.0) for n in m.terms.withdrawals]
    names = [n for n, _ in terms]
    ds["balance"] = xr.DataArray(
        np.stack([sign * values(component(m, n), (R, Y, T)) for n, sign in terms]),
        dims=("term", "region", "year", "time"),
        coords={"term": names, "term_role": ("term", [m.terms.roles[n] for n in names]),
                "term_module": ("term", [n.split(".")[0] for n in names]),
                "region": R, "year": Y, "time": T},
        attrs={"units": "GW", "long_name": "regional balance by term (injections +, "
               "withdrawals -); sums to zero over term; term_role: " + ", ".join(ROLES)})

    weight = a["weight"]
    pv = a["year_pv"]
    duals = solution.dual_of(m.balance)
    dual = np.array([[[duals[(r, y, t)] for t in T] for y in Y] for r in R])
    ds["price"] = da(dual / (pv[None, :, None] * weight[None, None, :]) * 1000,
                     ("region", "year", "time"), coords, "USD/MWh",
                     "marginal cost of one more MWh in the hub (balance dual / discounted weight)")

    costs = [n.split(".")[-1].removeprefix("cost_") for n in m.terms.costs]
    ds["cost"] = xr.DataArray(
        np.array([[pyo.value(component(m, n)[y]) for y in Y] for n in m.terms.costs]),
        dims=("component", "year"),
        coords={"component": costs, "component_module": ("component", [
            n.split(".")[0] for n in m.terms.costs]), "year": Y},
        attrs={"units": "MUSD/year", "long_name": "annual cost by component (not discounted)"})
    _reserve_terms(ds, m)
    ds["year_present_value"] = da(pv, ("year",), coords, "year",
                                  "present value at the base year of 1 per year in the year")
    ds["weight"] = da(weight, ("time",), coords, "h", "hours of the year each step stands for")
    ds["step_hours"] = da(a["step_hours"], ("time",), coords, "h", "length of each time step")

    w = xr.DataArray(weight, dims="time", coords={"time": T})
    ctx = ResultsContext(model=m, solution=solution, inputs=inputs, ds=ds, w=w)
    for module in m.modules:
        if module.results is not None:
            module.results(ctx)
    # Which of the modules' declared limits bind, and their shadow prices (docs/results.md).
    for name, array in limit_results(m, solution).items():
        ds[name] = array

    ds = ds.dataset().assign_coords({c: ("time", inputs[c].values) for c in TIME_COORDS})
    ds = ds.assign_coords(day=inputs["day"].values)
    ds["day_period"] = inputs["day_period"]
    ds.attrs.update(
        scenario=inputs.attrs.get("scenario", ""),
        inputs_hash=inputs.attrs.get("inputs_hash", ""),
        dataset=inputs.attrs.get("dataset", ""),
        time_resolution=inputs.attrs.get("time_resolution", ""),
        hydro_budget=str(d.options.hydro_budget),
        modules=" ".join(mod.name for mod in m.modules),
        objective=float(solution.objective),
        objective_units="MUSD (present value at the base year)",
        status=solution.status,
        package_version=synergy_models.__version__,
        pyomo_version=version("pyomo"),
        highspy_version=version("highspy"),
        **{f"time_{k}": float(v) for k, v in solution.timings.items()},
        **{k: v for k, v in solution.info.items() if isinstance(v, int | float | str)},
        solver_log=solution.log[-20000:],
    )
    return ds


def _reserve_terms(ds: Gathered, m: pyo.ConcreteModel) -> None:
    """The reserve margin's registered terms as modelled (firm capacity, peak loads), so that
    indicators read them instead of re-deriving a module's term."""
    d = m.data
    R, Y = d.regions, d.years

    def stack(names: list[str], dim: str) -> xr.DataArray:
        arrays = [values(component(m, n), (R, Y)) for n in names]
        return xr.DataArray(np.stack(arrays) if arrays else np.zeros((0, len(R), len(Y))),
                            dims=(dim, "region", "year"),
                            coords={dim: names, "region": R, "year": Y})

    ds["firm_capacity"] = stack(m.terms.firm_capacity, "firm_term").assign_attrs(
        units="GW", long_name="firm capacity by registered term (reserve margin)")
    peak = stack(m.terms.peak_load, "peak_term")
    peak = peak.assign_coords(peak_exogenous=("peak_term", [
        n in m.terms.exogenous_peak for n in m.terms.peak_load]))
    ds["peak_load_terms"] = peak.assign_attrs(
        units="GW", long_name="peak load by registered term as modelled (reserve margin); "
        "peak_exogenous: set by the data, not by the model's decisions")


def full_year(results: xr.Dataset, name: str) -> xr.DataArray:
    """A variable over time steps expanded to every hour of the profiles (8,760 for a year; see
    ``day_period``)."""
    return expand_to_year(results[name], results)


def estimated_size(inputs: xr.Dataset) -> int:
    """Bytes a results file of ``inputs`` is expected to take, about twice what ``base`` and
    ``milestones`` measured (~0.9 kB per hub, modelled year and time step, uncompressed), so
    that an output folder's free space can be checked before the solve."""
    steps = inputs.sizes.get("time", 8760) * inputs.sizes.get("year", 1) * inputs.sizes.get("region", 1)
    return 2048 * steps + 2**20


def write_results(results: xr.Dataset, path: str | Path, checksum: bool = False) -> Path:
    """Write results atomically (a half-written file never replaces a good one); ``checksum``:
    with a checksum beside it (cache and sweep case files, see :func:`synergy_models.io.write_netcdf`)."""
    return write_netcdf(results, path, checksum=checksum)


def read_results(path: str | Path, checked: bool = False) -> xr.Dataset:
    """Results from a file; ``checked``: ``OSError`` when it does not match its checksum."""
    return read_netcdf(path, checked=checked)


def read_results_given(path: str | Path, what: str = "--results") -> xr.Dataset:
    """Results from a file the user named (``--results``): :class:`InputError` naming ``what``
    and the file if it is missing, not netCDF, or not results of ``synergy run`` (inputs, a sweep,
    profiles...)."""
    from synergy_models.errors import InputError, Problem

    where, expected = f"{what} {path}", "a results file written by `synergy run` (results.nc)"
    if not Path(path).is_file():
        raise InputError(Problem(where, "file is missing" if not Path(path).exists() else
                                 "not a file", expected=expected))
    try:
        results = read_netcdf(path)
    except Exception as err:  # netCDF4 and xarray raise many kinds
        raise InputError(Problem(where, f"not a readable netCDF file ({type(err).__name__})",
                                 expected=expected)) from None
    missing = [k for k in ("objective", "inputs_hash") if k not in results.attrs]
    if missing or "capacity" not in results:
        kind = ("a sweep's cases" if "case" in results.dims else
                 "a scenario's inputs" if "demand" in results else "other data")
        raise InputError(Problem(where, f"not model results (this file holds {kind})",
                                 expected=expected))
    return results
