r"""Assemble the model: sets, the blocks of every module, the balance, policy and the objective.

The objective is the present value, at the base year, of every registered annual cost:

.. math::

    \min \sum_{y \in Y} \Omega_y \sum_{c \in \mathcal{C}} C^c_y \qquad [\text{MUSD}]

where :math:`\Omega_y = \sum_{k=0}^{\omega_y - 1} (1+i)^{-(y + k - y_0)}` discounts the
:math:`\omega_y` years that modelled year :math:`y` stands for to the base year :math:`y_0`, and
:math:`C^c_y` are the annual cost components the modules register (investment annuities and fixed
O&M, fuel, variable O&M and carbon, unserved energy, storage energy, transmission, data centres,
hydrogen).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pyomo.environ as pyo
import xarray as xr
from pyomo.common.gc_manager import PauseGC

from synergy_models.model.balance import Terms, add_balance, component
from synergy_models.model.compute import add_compute
from synergy_models.model.data import ModelData, model_data
from synergy_models.model.hydrogen import add_hydrogen
from synergy_models.model.policy import add_policy
from synergy_models.model.power import add_power
from synergy_models.model.storage import add_storage
from synergy_models.model.transmission import add_transmission

Module = Callable[[pyo.ConcreteModel, ModelData], None]
#: The modules of the model, in the order they are added (compute and hydrogen add nothing
#: without their data).
MODULES: tuple[Module, ...] = (add_power, add_storage, add_transmission, add_compute, add_hydrogen,
                               add_policy)


def build_model(inputs: xr.Dataset, modules: Sequence[Module] = MODULES) -> pyo.ConcreteModel:
    """A Pyomo model of ``inputs``; ``m.data`` holds the :class:`ModelData` it was built from."""
    # Pyomo allocates an object per variable, row and term, none of them garbage: pausing the
    # cyclic collector (as Pyomo's own writers do) spares it rescanning them all (~15-25% of
    # the build on large models).
    with PauseGC():
        return _build(inputs, modules)


def _build(inputs: xr.Dataset, modules: Sequence[Module]) -> pyo.ConcreteModel:
    d = model_data(inputs)
    m = pyo.ConcreteModel(name=str(inputs.attrs.get("scenario", "synergy")))
    m.data = d
    m.terms = Terms()
    m.R = pyo.Set(initialize=d.regions, ordered=True)
    m.Y = pyo.Set(initialize=d.years, ordered=True)
    m.T = pyo.Set(initialize=d.steps, ordered=True)
    for add in modules:
        add(m, d)
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
