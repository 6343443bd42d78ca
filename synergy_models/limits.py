r"""Which limits bind, and what they cost: the results' ``limit_*`` variables.

Every active module declares the limits an analyst cares about (:class:`Limit` in its ``MODULE``:
build limits, build rates, the grid-safety cap on data-centre load, the reserve margin, the carbon
cap, renewable shares...). For each entry of each family this module reports, along one ``limit``
dim (``docs/results.md``, *Limits*):

- ``limit_value``: the limit (the row's bound, or the variable's bound) in the family's ``units``;
- ``limit_level``: the decision's value there (the row's terms at the solution, or the variable);
- ``limit_binding``: whether the level is at the limit (within :data:`TOLERANCE`);
- ``limit_shadow_price``: what one more unit of the limit is worth a year, in ``price_units``.

**Shadow prices.** The solver's duals (row duals for constraints, reduced costs for variable
bounds) are derivatives of the objective, a present value in MUSD, with respect to the limit.
They are made annual as prices are (``synergy_models.model.balance``): divided by the present-value
weight :math:`\Omega_y` of the limit's year (or of the years a build serves, or of the whole
horizon, as the family declares: :data:`synergy_models.model.module.DISCOUNTING`). Families with a
time step in their index report it summed out (``Limit.over``): the value of raising the cap in
every step at once, a year's worth (:math:`\sum_t \pi_t / \Omega_y`, no division by the step's
weight, as the annual value is wanted rather than a price per hour).

**Sign.** A shadow price is positive when the limit costs money: relaxing it by one unit (raising
an upper limit, lowering a lower one) lowers the objective by that much a year. It is 0 for a limit
that does not bind. The sign of a dual depends on the sense of the limit (HiGHS: a binding ``<=``
has a dual <= 0, a binding ``>=`` one >= 0); the shadow price does not. For a variable bound the
reduced cost is the dual of whichever bound is active, so the shadow price of an upper bound is
:math:`\max(0, -d_j)` and that of a lower bound :math:`\max(0, d_j)`.

Only the arrays of the solution and the components the modules declare are read: the cost is a
Python loop over the declared entries (hundreds to a few thousand), not over the model.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
import pyomo.environ as pyo
import xarray as xr

from synergy_models.model.balance import component
from synergy_models.model.module import Limit
from synergy_models.solve import Solution

#: A limit binds when its level is within this of its value (absolute, or relative above 1).
TOLERANCE = 1e-6
#: Index dims every limit coordinate may carry, in the order tables show them.
INDEX_DIMS = ("region", "tech", "line", "zone", "year")


def _entries(limit: Limit, m: pyo.ConcreteModel, solution: Solution
             ) -> list[tuple[tuple[Any, ...], float, float, float, bool]]:
    """(index, value, level, shadow, upper) of each finite entry of one family: the shadow is the
    dual with the sign that makes it positive when the limit costs money (NaN where the compiler
    dropped the column); ``upper``: the limit is an upper one."""
    try:
        comp = component(m, limit.component)
    except AttributeError:
        return []  # a component the model did not build (e.g. an option switches it off)
    out = []
    if limit.is_row:
        at_most = limit.kind == "at_most"
        position, duals, activity = (solution.row_position, solution.row_dual,
                                     solution.row_activity)
        lower, upper = solution.form.row_lower, solution.form.row_upper
        for idx, con in comp.items():
            i = position.get(id(con))
            if i is None:
                continue  # trivial rows the compiler dropped: no variable, nothing to decide
            is_upper = bool(np.isfinite(upper[i]))
            value = float(upper[i] if is_upper else lower[i])
            if not np.isfinite(value) or (is_upper and np.isfinite(lower[i])):
                continue  # an equality or a range: not a one-sided limit
            dual = float(duals[i])
            shadow = -dual if is_upper else dual   # the compiled row's sense decides the sign
            level = float(activity[i])
            # Pyomo and the compiler may write "a >= b" as "b - a <= 0" or "-a <= -b": report the
            # limit as the family reads (the shadow's sign already follows the compiled row).
            if is_upper != at_most:
                value, level = -value, -level
            out.append((_index(idx), value, level, shadow, at_most))
        return out
    position = solution.column_position
    reduced = solution.col_dual
    for idx, var in comp.items():
        bound = var.ub if limit.kind == "upper_bound" else var.lb
        if bound is None or not np.isfinite(bound):
            continue
        j = position.get(id(var))
        d = np.nan if j is None or reduced is None else float(reduced[j])
        level = float(var.value) if var.value is not None else 0.0
        upper = limit.kind == "upper_bound"
        out.append((_index(idx), float(bound), level, -d if upper else d, upper))
    return out


def _index(idx: Any) -> tuple[Any, ...]:
    return idx if isinstance(idx, tuple) else (idx,)


def limit_table(m: pyo.ConcreteModel, solution: Solution) -> list[dict[str, Any]]:
    """One dict per limit entry of every active module's declared families: family, index labels
    by dim, value, level, binding, shadow price (annual, ``price_units``), units, description."""
    d = m.data
    pv = np.asarray(d.arrays["year_pv"], dtype=float)
    year_pos = {y: i for i, y in enumerate(d.years)}
    in_service = np.cumsum(pv[::-1])[::-1]          # sum of pv over the years from y on
    rows: list[dict[str, Any]] = []
    for module in m.modules:
        for limit in module.limits:
            keep = [i for i, dim in enumerate(limit.dims) if dim not in limit.over]
            groups: dict[tuple, list] = defaultdict(list)
            for idx, value, level, shadow, upper in _entries(limit, m, solution):
                if len(idx) != len(limit.dims):
                    raise ValueError(f"limit {limit.family}: index {idx} does not match dims "
                                     f"{limit.dims}")
                groups[tuple(idx[i] for i in keep)].append((value, level, shadow, upper))
            dims = [limit.dims[i] for i in keep]
            for key, items in groups.items():
                labels = dict(zip(dims, key, strict=True))
                value, level, shadow, upper = (np.array(x) for x in zip(*items, strict=True))
                # the annual value of a unit, positive where the limit costs money (a dual of the
                # other sign is rounding: the limit does not bind)
                price = float(np.clip(np.nan_to_num(shadow.astype(float)), 0.0, None).sum())
                if limit.discount == "horizon":
                    weight = float(pv.sum())
                else:
                    y = year_pos[labels["year"]]
                    weight = float(pv[y] if limit.discount == "year" else in_service[y])
                gap = np.abs(level - value) <= TOLERANCE * np.maximum(1.0, np.abs(value))
                upper = bool(upper.all())
                rows.append({
                    "family": limit.family, "module": module.name, "kind": limit.kind,
                    **{dim: str(labels[dim]) if dim != "year" else int(labels[dim])
                       for dim in dims},
                    "value": float(value.max() if upper else value.min()) + 0.0,  # no -0
                    "level": float(level.max() if upper else level.min()) + 0.0,
                    "binding": bool(gap.any()),
                    "shadow_price": price / weight * limit.price_scale,
                    "units": limit.units, "price_units": limit.price_units,
                    "description": limit.description,
                })
    return rows


def limit_results(m: pyo.ConcreteModel, solution: Solution) -> dict[str, xr.DataArray]:
    """The ``limit_*`` variables of the results along the ``limit`` dim (see the module
    docstring); labels are ``family[index,...]``, e.g. ``power.build_limit[GS,solar]``."""
    rows = limit_table(m, solution)
    dims = [dim for dim in INDEX_DIMS if any(dim in r for r in rows)]
    dims += sorted({k for r in rows for k in r} - set(INDEX_DIMS) - {
        "family", "module", "kind", "value", "level", "binding", "shadow_price", "units", "price_units",
        "description"})
    labels = [r["family"] + "[" + ",".join(str(r[dim]) for dim in dims if dim in r) + "]"
              for r in rows]
    coords: dict[str, Any] = {"limit": np.array(labels, dtype=object)}
    for key in ("family", "module", "kind", "units", "price_units", "description"):
        coords[f"limit_{key}"] = ("limit", np.array([r[key] for r in rows], dtype=object))
    for dim in dims:
        if dim == "year":  # years as numbers; 0 where the limit has no year (over the horizon)
            coords["limit_year"] = ("limit", np.array([r.get("year", 0) for r in rows], dtype=int))
        else:
            coords[f"limit_{dim}"] = ("limit", np.array([r.get(dim, "") for r in rows],
                                                        dtype=object))

    def var(key: str, dtype: Any, units: str, long_name: str) -> xr.DataArray:
        return xr.DataArray(np.array([r[key] for r in rows], dtype=dtype), dims="limit",
                            coords=coords, attrs={"units": units, "long_name": long_name})

    return {
        "limit_value": var("value", float, "see limit_units", "the limit"),
        "limit_level": var("level", float, "see limit_units", "the decision's value at the limit"),
        # netCDF has no bool: stored as 0/1 int8, read back as such
        "limit_binding": var("binding", np.int8, "1", "whether the limit binds (1) or not (0)"),
        "limit_shadow_price": var(
            "shadow_price", float, "see limit_price_units",
            "annual value of relaxing the limit by one unit (positive: the limit costs money)"),
    }
