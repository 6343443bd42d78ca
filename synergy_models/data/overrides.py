"""Parameter overrides: a scenario's ``parameters:`` applied to the primary inputs Dataset.

An override names a variable of the Dataset (``synergy validate SCENARIO --list-parameters`` lists
them with units) and gives a value for all of it, or for some coordinates by nesting their labels::

    parameters:
      carbon_price: 20                 # USD/t, the variable's unit
      carbon_price: "150 CNY/t"        # or any convertible unit
      demand_growth: {YRD: 0.06}       # one region
      capex: {solar: {2030: 250}}      # labels from any dims, in any order
      capex.solar.2030: 250            # the same, as a dotted key (command line, papermill)

Only variables with ``role == "parameter"`` can be overridden; reported reference figures and
hourly profiles cannot (they would not change what the model sees).

A bare number (``fuel_cost: 157.5``, ``-p carbon_price=150``, ``"1e2"``) is taken in the
parameter's own unit, the one ``--list-parameters`` shows; where that unit is not dimensionless
and the number is not 0, :func:`assumed_units` words a note saying so (``synergy validate``,
``inputs`` and ``run`` print it; the inputs keep it as their ``assumed_units`` attribute), since
``fuel_cost`` is in MUSD/GWh: 157.5 is 157,500 USD/MWh.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pint
import xarray as xr

from synergy_models.data.schema import magnitude_limit
from synergy_models.errors import InputError, ProblemCollector
from synergy_models.units import convert, parse_quantity

#: Words an override may use for an unlimited value, where the parameter allows one.
INF_WORDS = ("inf", "infinity", ".inf", "+inf")


def overridable(ds: xr.Dataset) -> list[str]:
    """Names of the variables an override may set."""
    return sorted(str(v) for v in ds.data_vars if ds[v].attrs.get("role") == "parameter")


_PLAIN_NUMBER = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
#: Units some bare numbers are better recognised in: a note shows the number in them as well.
_FAMILIAR = {"MUSD/GWh": ("USD/MWh", 1000.0), "GWh": ("TWh", 1e-3), "MUSD": ("USD bn", 1e-3)}


def _bare_number(leaf: Any) -> float | None:
    """The number of a leaf given without a unit (a number, or text that is only a number)."""
    if isinstance(leaf, bool):
        return None
    if isinstance(leaf, int | float):
        return float(leaf)
    if isinstance(leaf, str) and _PLAIN_NUMBER.fullmatch(leaf.strip()):
        return float(leaf)
    return None


def assumed_units(ds: xr.Dataset, overrides: dict[str, Any]) -> list[str]:
    """A note for each override given as a bare number (not 0) to a parameter with a unit: which
    unit the number was taken in, and how to give another."""
    notes = []
    for key, value in overrides.items():
        var, *path = str(key).split(".")
        if var not in ds.data_vars or ds[var].attrs.get("role") != "parameter":
            continue
        unit = ds[var].attrs.get("units") or "1"
        if unit in ("1", ""):
            continue
        for labels, leaf in _flatten(value, tuple(path)):
            number = _bare_number(leaf)
            if not number:
                continue
            where = ".".join((var, *labels))
            same = ""
            if unit in _FAMILIAR:
                other, factor = _FAMILIAR[unit]
                same = f" (= {number * factor:,.6g} {other})"
            notes.append(f"{where}: {leaf} taken in {unit}, the parameter's unit{same}; give a "
                         f"unit for another, e.g. '{leaf} {_FAMILIAR.get(unit, (unit,))[0]}'")
    return notes


def _flatten(value: Any, labels: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    if isinstance(value, dict):
        out = []
        for k, v in value.items():
            out.extend(_flatten(v, (*labels, str(k))))
        return out
    return [(labels, value)]


def _selection(da: xr.DataArray, labels: tuple[str, ...]) -> tuple[dict[str, Any], str | None]:
    """Map labels to {dim: coordinate value}; or an error message."""
    sel: dict[str, Any] = {}
    for label in labels:
        dims = [d for d in da.dims if label in {str(c) for c in da[d].values}]
        if not dims:
            options = "; ".join(
                f"{d}: {', '.join(map(str, da[d].values))}" for d in da.dims
            ) or "none (a single number)"
            return {}, f"'{label}' is not a label of any dimension of this variable ({options})"
        dim = dims[0]
        if dim in sel:
            return {}, f"two labels for dimension '{dim}'"
        sel[dim] = next(c for c in da[dim].values if str(c) == label)
    return sel, None


def apply_overrides(
    ds: xr.Dataset, overrides: dict[str, Any], ureg: pint.UnitRegistry,
    origin: str | Callable[[str, Any], str],
) -> xr.Dataset:
    """A copy of ``ds`` with ``overrides`` applied; :class:`InputError` names each bad override.

    ``origin`` is the file the overrides came from, or a function of (key, value) that says where
    each came from (e.g. :meth:`Scenario.origin`: the scenario file or an override on it).
    """
    if not overrides:
        return ds
    ds = ds.copy(deep=True)
    problems = ProblemCollector()
    names = overridable(ds)
    for key, value in overrides.items():
        var, *path = str(key).split(".")
        column = f"parameters.{key}"
        where_from = origin(key, value) if callable(origin) else origin
        if var not in ds.data_vars or ds[var].attrs.get("role") != "parameter":
            if var in ds.data_vars:
                msg = (f"'{var}' is {ds[var].attrs.get('role')} data, not a model parameter: "
                       "edit the dataset instead")
            else:
                close = difflib.get_close_matches(var, names, n=3)
                msg = f"no parameter named '{var}'" + (
                    f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else "")
            problems.add(where_from, msg, column=column,
                         expected="a parameter name (synergy validate --list-parameters)")
            continue
        da = ds[var]
        unit = da.attrs.get("units") or "1"
        for labels, leaf in _flatten(value, tuple(path)):
            sel, error = _selection(da, labels)
            where = column + "".join(f".{lb}" for lb in labels[len(path):])
            if error:
                problems.add(where_from, error, column=where)
                continue
            # "inf" where the parameter says what it means ("(inf: unlimited)", "inf: none")
            unlimited = "inf:" in str(da.attrs.get("long_name", ""))
            try:
                if isinstance(leaf, str) and leaf.strip().lower() in INF_WORDS:
                    number = np.inf
                elif isinstance(leaf, str) and _bare_number(leaf) is not None:
                    number = float(leaf)  # "1e2": a bare number, in the parameter's unit
                elif isinstance(leaf, str):
                    q = parse_quantity(ureg, leaf)
                    number = convert(ureg, float(q.magnitude), str(q.units), unit)
                elif isinstance(leaf, bool) or not isinstance(leaf, int | float):
                    raise ValueError("not a number")
                else:
                    number = float(leaf)
            except Exception as err:  # pint's parse errors are of many types
                problems.add(where_from, f"value does not convert ({err})", column=where, value=leaf,
                             expected=f"a number in {unit}, or a string with a unit like '10 {unit}'")
                continue
            lo, hi = da.attrs.get("valid_min", -np.inf), da.attrs.get("valid_max", np.inf)
            if number == np.inf and unlimited and hi == np.inf:
                pass  # no limit, as the parameter's description allows
            elif not (np.isfinite(number) and lo <= number <= hi):
                if hi == np.inf:
                    least = f" of at least {lo:g}" if np.isfinite(lo) else ""
                    expected = (f"a number{least} {unit}, or inf (no limit)" if unlimited
                                else f"a finite number{least} {unit}")
                else:
                    expected = f"between {lo:g} and {hi:g} {unit}"
                problems.add(where_from, "value out of range" if np.isfinite(number) else
                             "not a finite number", column=where, value=leaf, expected=expected)
                continue
            elif abs(number) > (most := magnitude_limit(unit)):
                problems.add(where_from, "value implausibly large", column=where, value=leaf,
                             expected=f"at most {most:g} {unit} in magnitude")
                continue
            if sel:
                da.loc[sel] = number
            else:
                da.values[...] = number
    if problems:
        raise InputError(problems.problems)
    return ds

