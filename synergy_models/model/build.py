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

from collections.abc import Sequence

import pyomo.environ as pyo
import xarray as xr
from pyomo.common.gc_manager import PauseGC

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
