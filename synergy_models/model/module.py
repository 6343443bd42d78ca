"""What a model module is: one unit owning its inputs, coefficients, equations and results.

A module (power, storage, transmission, compute, hydrogen, policy, or one of your own) is a
:class:`ModelModule`. The core (:func:`synergy_models.model.build.build_model`,
:func:`synergy_models.results.build_results`) iterates over the modules a dataset activates and
names none of them; a module reaches the others only through the terms it registers
(:class:`synergy_models.model.balance.Terms`) and, where it declares them in ``requires``, their
blocks and coefficients. The lifecycle follows Switch's (``define_components``, ``load_inputs``,
``post_solve``):

1. ``inputs``: the variables of the inputs Dataset it reads, with dims and units (its part of the
   inputs schema, checked when the model is built: :func:`check_inputs`);
2. ``active(inputs)``: whether the dataset activates it (e.g. compute needs ``compute_demand``);
3. ``prepare(inputs, data)``: inputs -> coefficients (numpy, model units), stored as
   ``data.parts[name]``;
4. ``add(model, data)``: its Pyomo block ``model.<name>`` and the terms it registers, each balance
   term with its role (:data:`ROLES`);
5. ``results(ctx)``: its variables of the results Dataset (:class:`ResultsContext`);
6. ``builds``: its investment decisions (:class:`Build`), which an operation-only run fixes;
7. ``limits``: the caps an analyst should know bind (:class:`Limit`): the results report each
   one's value, level, whether it binds and its shadow price (:mod:`synergy_models.limits`).

A new module is one file that defines its ``MODULE`` and is listed in
:mod:`synergy_models.model.catalogue` (or passed to ``build_model(inputs, modules=...)``, or
added with :func:`synergy_models.model.catalogue.register`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pyomo.environ as pyo
import xarray as xr

from synergy_models.errors import InputError, Problem

if TYPE_CHECKING:
    from synergy_models.model.data import ModelData

#: Roles of the regional power balance's terms, read by indicators, charts and the market instead
#: of term names: ``supply`` (generation, fuel cells), ``demand`` (consumption: exogenous demand,
#: data centres, electrolysers; what renewable-share targets and consumption count), ``storage``
#: (net discharge), ``trade`` (net imports over lines, fixed schedules to other regions),
#: ``loss`` (losses drawn as a term of their own), ``unserved`` (demand not met).
ROLES = ("supply", "demand", "storage", "trade", "loss", "unserved")


@dataclass(frozen=True)
class InputVar:
    """One variable of the inputs Dataset a module reads."""

    name: str
    dims: tuple[str, ...]
    units: str
    description: str
    #: absent from some datasets (the module then uses a default it documents)
    optional: bool = False
    #: as the loader marks it (``role`` attribute): ``parameter`` (a number an analyst may change),
    #: ``profile`` (hourly shape), ``reference`` (derived for results), ``metadata`` (labels)
    role: str = "parameter"


#: How a limit's shadow price (a discounted dual, MUSD of present value per unit) becomes an annual
#: value (MUSD per unit and year): divided by the present-value weight of ``year`` (the limit's own
#: year: operation, policy in the year), ``in_service`` (the years from the limit's year on: a
#: build in year y serves y and every later year) or ``horizon`` (all modelled years: a limit on a
#: total over the horizon, reported as the level annual value with the same present value).
DISCOUNTING = ("year", "in_service", "horizon")
#: What a limit is: a constraint's row that caps (``at_most``) or requires (``at_least``), or a
#: variable's bound (``upper_bound``, ``lower_bound``: priced by the solver's reduced costs).
LIMIT_KINDS = ("at_most", "at_least", "upper_bound", "lower_bound")


@dataclass(frozen=True)
class Limit:
    """A family of limits an analyst cares about: a constraint or a variable bound of a module.

    ``component`` is the constraint's or variable's dotted name (``"power.build_limit"``,
    ``"power.new"``); ``kind`` (:data:`LIMIT_KINDS`) says which, and for a constraint whether it
    caps (``at_most``) or requires (``at_least``): the value and level are reported as that
    inequality reads, however Pyomo and the compiler normalise the row; ``dims`` name the parts of
    its index, in order (``("region", "tech")``); entries without a finite limit (a bound of None, a
    skipped row) are not limits and are left out. ``units`` are those of the limit as the model
    writes it (the row's or the variable's), ``price_units`` those of its shadow price, which is the
    dual in MUSD per unit of the limit, made annual (``discount``, :data:`DISCOUNTING`) and
    multiplied by ``price_scale`` (1 for GW limits: MUSD/GW/year = USD/kW/year; 1000 for GWh:
    USD/MWh, and for kt of CO2: USD/t). ``over`` are index dims summed out of the report (e.g.
    ``("time",)`` for a cap that holds in every step: the shadow price of raising it in every step
    at once, binding where it binds in any step). Sign: the shadow price is positive when the limit
    costs money (relaxing it by one unit lowers the objective by that much), whatever the limit's
    sense.
    """

    component: str
    kind: str
    dims: tuple[str, ...]
    units: str
    price_units: str
    description: str
    discount: str = "year"
    price_scale: float = 1.0
    over: tuple[str, ...] = ()
    #: the family's name in reports (default: ``component``, with ``.bound`` for variable bounds)
    name: str = ""
    #: the scenario parameters that set the limit's right-hand side or bound (``synergy validate
    #: --list-parameters`` names): an infeasible scenario's diagnosis names them
    parameters: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in LIMIT_KINDS:
            raise ValueError(f"limit {self.component}: kind {self.kind!r} is not one of "
                             f"{LIMIT_KINDS}")
        if self.discount not in DISCOUNTING:
            raise ValueError(f"limit {self.component}: discount {self.discount!r} is not one of "
                             f"{DISCOUNTING}")
        if self.discount != "horizon" and "year" not in self.dims:
            raise ValueError(f"limit {self.component}: discount {self.discount!r} needs a "
                             "'year' dim")
        if not set(self.over) <= set(self.dims) or "year" in self.over:
            raise ValueError(f"limit {self.component}: over {self.over} must be dims other "
                             "than year")

    @property
    def family(self) -> str:
        if self.name:
            return self.name
        return self.component if self.is_row else f"{self.component}.{self.kind}"

    @property
    def is_row(self) -> bool:
        """Whether the limit is a constraint's row (not a variable's bound)."""
        return self.kind in ("at_most", "at_least")


@dataclass(frozen=True)
class Build:
    """A build decision of a module, as the results report it: the block's variable ``var`` holds
    the results variable ``results`` divided by ``scale`` (its index in the order of the results'
    dims). A scenario's ``fixed_builds`` fixes it at a reference run's value
    (:func:`synergy_models.model.build.fix_builds`)."""

    results: str
    var: str
    scale: float = 1.0


@dataclass(frozen=True)
class ResultsContext:
    """What a module's ``results`` step reads and where it writes.

    ``ds`` is the results being gathered (:class:`synergy_models.gather.Gathered`): the core's
    variables (``price``, ``balance``, ``cost``, ``weight``...) and those of the modules before
    this one are readable; ``w`` is the step weight (h of the year per step) along ``time``.
    """

    model: Any              # pyo.ConcreteModel
    solution: Any           # synergy_models.solve.Solution
    inputs: xr.Dataset
    ds: Any                 # synergy_models.gather.Gathered
    w: xr.DataArray


@dataclass(frozen=True)
class ModelModule:
    """A model module (see the module docstring for the lifecycle)."""

    name: str
    add: Callable[[pyo.ConcreteModel, ModelData], None]
    prepare: Callable[[xr.Dataset, ModelData], Any] = field(default=lambda inputs, data: None)
    results: Callable[[ResultsContext], None] | None = None
    inputs: tuple[InputVar, ...] = ()
    active: Callable[[xr.Dataset], bool] = field(default=lambda inputs: True)
    #: modules whose blocks or coefficients this one reads (they must be active and come first)
    requires: tuple[str, ...] = ()
    #: inputs attributes that change the model's structure (covered by the inputs hash)
    options: tuple[str, ...] = ()
    #: the caps of this module whose binding and shadow prices the results report
    limits: tuple[Limit, ...] = ()
    #: its build decisions (what an operation-only run fixes at a reference's results)
    builds: tuple[Build, ...] = ()

    def __post_init__(self) -> None:
        if not self.name.isidentifier():
            raise ValueError(f"a module's name must be an identifier (it names its block): "
                             f"{self.name!r}")


def check_inputs(inputs: xr.Dataset, modules: list[ModelModule]) -> None:
    """Every variable the active modules read is in ``inputs`` with the dims they expect.

    The loader produces these; an inputs Dataset built by hand (a test, a notebook, a file written
    by ``synergy inputs`` and edited) gets one :class:`InputError` listing what is missing or
    misshapen instead of a ``KeyError`` deep in a module.
    """
    problems = []
    for module in modules:
        for var in module.inputs:
            where = f"inputs Dataset ({module.name} module)"
            if var.name not in inputs:
                if not var.optional:
                    problems.append(Problem(where, "variable missing", column=var.name,
                                            expected=f"{var.description} [{var.units}], dims "
                                            f"{var.dims}"))
                continue
            dims = inputs[var.name].dims
            if set(dims) != set(var.dims):
                problems.append(Problem(where, f"dims {dims}", column=var.name,
                                        expected=f"dims {var.dims}"))
    if problems:
        raise InputError(problems)


def order_modules(modules: list[ModelModule], inputs: xr.Dataset) -> list[ModelModule]:
    """The modules ``inputs`` activates, each after the ones it requires."""
    active = [mod for mod in modules if mod.active(inputs)]
    names = [mod.name for mod in active]
    if len(set(names)) != len(names):
        raise ValueError(f"two modules share a name: {names}")
    done: list[ModelModule] = []
    left = list(active)
    while left:
        ready = [mod for mod in left if all(r in {d.name for d in done} for r in mod.requires)]
        if not ready:
            missing = {r for mod in left for r in mod.requires} - {d.name for d in done}
            raise ValueError(f"modules {[mod.name for mod in left]} require {sorted(missing)}, "
                             "which the dataset does not activate")
        done.append(ready[0])
        left.remove(ready[0])
    return done


def values(var: pyo.Component, axes: Sequence[Sequence[Any]]) -> np.ndarray:
    """Values of an indexed component as a dense array over ``axes`` (absent entries: 0)."""
    maps = [{label: i for i, label in enumerate(axis)} for axis in axes]
    out = np.zeros([len(axis) for axis in axes])
    for idx, data in var.items():
        idx = idx if isinstance(idx, tuple) else (idx,)
        out[tuple(mp[i] for mp, i in zip(maps, idx, strict=True))] = pyo.value(data)
    return out


def da(array: np.ndarray, dims: tuple[str, ...], coords: dict[str, Any], units: str,
       long_name: str) -> xr.DataArray:
    """A results variable with its units and description."""
    return xr.DataArray(array, dims=dims, coords={k: coords[k] for k in dims},
                        attrs={"units": units, "long_name": long_name})
