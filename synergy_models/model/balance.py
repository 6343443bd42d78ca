r"""Terms that modules register, and the constraints assembled from them (Switch's idea).

A module never edits another module's constraints. It adds Pyomo ``Expression`` components and
registers their names here:

- **injections** and **withdrawals** (GW, indexed by region, year, time step) make up the regional
  power balance, each with its role (:data:`synergy_models.model.module.ROLES`: supply, demand,
  storage, trade, loss, unserved), written into the results so that indicators, charts and the
  market read roles rather than names;
- **costs** (MUSD per year, indexed by year) make up the objective;
- **firm capacity** and **peak load** contributions (GW, by region and year) make up the reserve
  margin;
- **backup** providers (GW, by region and year) meet the data centres' backup requirement;
- **emissions** other than the power block's generation (kt CO2 per year, by region and year:
  grey hydrogen) count toward the carbon cap; **free allocation** (same units) is the part of
  them covered by free ETS allowances, on which the carbon price is not charged;
- **consumption** withdrawals (role ``demand``) are the ones that count as demand for
  renewable-share targets; **exogenous** peak terms are the ones set by the data rather than by
  the model's decisions.

The power balance of region :math:`r`, year :math:`y` and time step :math:`t`:

.. math::

    \sum_{i \in \mathcal{I}} I^{i}_{r,y,t} - \sum_{j \in \mathcal{W}} W^{j}_{r,y,t} = 0
    \qquad \forall r, y, t \qquad \text{balance [GW]}

Its dual :math:`\pi_{r,y,t}` is in MUSD per GW of one step, discounted; the price is
:math:`\pi_{r,y,t} / (\Omega_y w_t)` MUSD/GWh (times 1,000 for USD/MWh), where :math:`w_t` is the hours
the step stands for and :math:`\Omega_y` the present value of one unit of annual cost in year
:math:`y` (see :mod:`synergy_models.model.build`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pyomo.environ as pyo

from synergy_models.model.module import ROLES


@dataclass
class Terms:
    """Names of registered Expression components, by role. Stored on the model as ``m.terms``."""

    injections: list[str] = field(default_factory=list)
    withdrawals: list[str] = field(default_factory=list)
    #: role of each balance term (injections and withdrawals), from ROLES
    roles: dict[str, str] = field(default_factory=dict)
    costs: list[str] = field(default_factory=list)
    firm_capacity: list[str] = field(default_factory=list)
    peak_load: list[str] = field(default_factory=list)
    #: peak-load terms fixed by the data (the others depend on the model's decisions)
    exogenous_peak: list[str] = field(default_factory=list)
    backup: list[str] = field(default_factory=list)
    emissions: list[str] = field(default_factory=list)
    #: emissions covered by free allowances (kt CO2 per year, by region and year): the carbon
    #: price is charged on emissions minus these, the carbon cap counts all emissions
    free_allocation: list[str] = field(default_factory=list)
    #: functions (model, data) that build constraints over registered terms once every module is
    #: in (reserve margin, backup requirement...)
    finalizers: list[Callable[..., None]] = field(default_factory=list)

    def inject(self, name: str, role: str) -> None:
        """A balance injection [GW] (region, year, step) with its role."""
        self.injections.append(name)
        self._role(name, role)

    def withdraw(self, name: str, role: str) -> None:
        """A balance withdrawal [GW] (region, year, step) with its role; role ``demand`` is
        consumption."""
        self.withdrawals.append(name)
        self._role(name, role)

    def _role(self, name: str, role: str) -> None:
        if role not in ROLES:
            raise ValueError(f"balance term {name}: role {role!r} is not one of {ROLES}")
        if name in self.roles:
            raise ValueError(f"balance term {name} registered twice")
        self.roles[name] = role

    @property
    def consumption(self) -> list[str]:
        """Withdrawals that are consumption (role ``demand``)."""
        return [n for n in self.withdrawals if self.roles[n] == "demand"]

    def peak(self, name: str, exogenous: bool = False) -> None:
        """A peak-load contribution [GW] (region, year) to the reserve margin."""
        self.peak_load.append(name)
        if exogenous:
            self.exogenous_peak.append(name)

    def cost(self, name: str) -> None:
        """An annual cost [MUSD/yr] (year), by dotted name; the results' ``cost`` names it by its
        last part without ``cost_``, which must be unique (two modules' ``cost_investment`` would
        be one label twice, and every selection of it ambiguous)."""
        label = name.split(".")[-1].removeprefix("cost_")
        taken = {n.split(".")[-1].removeprefix("cost_"): n for n in self.costs}
        if label in taken:
            raise ValueError(f"cost {name}: its component name {label!r} is already "
                             f"{taken[label]}'s")
        self.costs.append(name)


def component(m: pyo.ConcreteModel, name: str) -> pyo.Component:
    """A component by dotted name, e.g. ``"power.generation_total"``."""
    obj = m
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


def add_balance(m: pyo.ConcreteModel) -> None:
    """The regional power balance from every registered injection and withdrawal."""
    inj = [component(m, n) for n in m.terms.injections]
    wdr = [component(m, n) for n in m.terms.withdrawals]

    def rule(m: pyo.ConcreteModel, r: str, y: int, t: int):
        return sum(e[r, y, t] for e in inj) - sum(e[r, y, t] for e in wdr) == 0

    m.balance = pyo.Constraint(m.R, m.Y, m.T, rule=rule)
