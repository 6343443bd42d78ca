r"""Assemble the model: sets, the blocks of every module, the balance, policy and the objective.

The objective (``objective``) is the present value, at the base year, of every registered annual cost:

.. math::

    \min \sum_{y \in Y} \Omega_y \sum_{c \in \mathcal{C}} C^c_y \qquad [\text{MUSD}]

where :math:`\Omega_y = \sum_{k=0}^{\omega_y - 1} (1+i)^{-(y + k - y_0)}` discounts the
:math:`\omega_y` years that modelled year :math:`y` stands for to the base year :math:`y_0`, and
:math:`C^c_y` are the annual cost components the modules register (investment annuities and fixed
O&M, fuel, variable O&M and carbon, unserved energy, storage energy, transmission, data centres,
hydrogen).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pyomo.environ as pyo
import xarray as xr
from pyomo.common.gc_manager import PauseGC

from synergy_models.errors import InputError, Problem
from synergy_models.model.balance import Terms, add_balance, component
from synergy_models.model.catalogue import active_modules
from synergy_models.model.data import model_data
from synergy_models.model.module import ModelModule, check_inputs


def build_model(inputs: xr.Dataset, modules: Sequence[ModelModule] | None = None
                ) -> pyo.ConcreteModel:
    """A Pyomo model of ``inputs``: the core, then each module ``inputs`` activates.

    ``modules``: the catalogue to choose from (default :data:`synergy_models.model.catalogue.MODULES`).
    ``m.data`` holds the :class:`~synergy_models.model.data.ModelData` it was built from and
    ``m.modules`` the active modules, in order.
    """
    # Pyomo allocates an object per variable, row and term, none of them garbage: pausing the
    # cyclic collector (as Pyomo's own writers do) spares it rescanning them all (~15-25% of
    # the build on large models).
    with PauseGC():
        return _build(inputs, active_modules(inputs, None if modules is None else list(modules)))


def _build(inputs: xr.Dataset, modules: list[ModelModule]) -> pyo.ConcreteModel:
    check_inputs(inputs, modules)
    d = model_data(inputs, modules)
    m = pyo.ConcreteModel(name=str(inputs.attrs.get("scenario", "synergy")))
    m.data = d
    m.modules = modules
    m.terms = Terms()
    m.R = pyo.Set(initialize=d.regions, ordered=True)
    m.Y = pyo.Set(initialize=d.years, ordered=True)
    m.T = pyo.Set(initialize=d.steps, ordered=True)
    for module in modules:
        module.add(m, d)
    fix_builds(m, inputs)
    add_balance(m)
    for finalize in m.terms.finalizers:
        finalize(m, d)
    costs = [component(m, n) for n in m.terms.costs]
    pv = d.arrays["year_pv"]
    m.objective = pyo.Objective(
        expr=sum(float(pv[i]) * c[y] for c in costs for i, y in enumerate(d.years)),
        sense=pyo.minimize,
    )
    return m


def add_fixed_builds(inputs: xr.Dataset, reference: xr.Dataset,
                     modules: Sequence[ModelModule] | None = None) -> xr.Dataset:
    """``inputs`` with the build decisions of a reference's results, for an operation-only run:
    each active module's :class:`~synergy_models.model.module.Build` found in ``reference`` is
    copied as ``fixed_<name>``, its dims prefixed ``fixed_`` so the reference's coordinates never
    re-index the inputs. :func:`fix_builds` fixes the variables at these values."""
    out = inputs.copy()
    for module in active_modules(inputs, None if modules is None else list(modules)):
        for build in module.builds:
            if build.results in reference:
                arr = reference[build.results]
                out[f"fixed_{build.results}"] = arr.rename({d: f"fixed_{d}" for d in arr.dims})
                out[f"fixed_{build.results}"].attrs.update(role="reference")
    return out


def fix_builds(m: pyo.ConcreteModel, inputs: xr.Dataset) -> None:
    """Fix every module's build decisions given in ``inputs`` as ``fixed_<results name>`` (an
    operation-only run, :func:`synergy_models.run.with_fixed_builds`): the variable is fixed at the
    reference's value, so the compiler takes it as a constant. A decision the reference does not
    have (other hubs, years or technologies) is an :class:`InputError` naming it."""
    problems: list[Problem] = []
    for module in m.modules:
        block = getattr(m, module.name)
        for build in module.builds:
            name = f"fixed_{build.results}"
            if name not in inputs:
                continue
            table = inputs[name].to_series()
            var = getattr(block, build.var)
            for index in var:
                key = index if isinstance(index, tuple) else (index,)
                value = table.get(key if len(key) > 1 else key[0])
                if value is None or math.isnan(value):
                    problems.append(Problem(f"fixed_builds ({inputs.attrs.get('fixed_builds')})",
                                            f"no reference value for {build.results}{list(key)}",
                                            column=build.results,
                                            expected="a reference with the same hubs, years "
                                            "and technologies"))
                    continue
                var[index].fix(max(float(value) / build.scale, 0.0))
    if problems:
        raise InputError(problems[:20])
