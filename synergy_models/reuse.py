r"""Re-solve one built and compiled model at another carbon price: patch the costs, keep the model.

The carbon price enters the model only through the policy block's ``carbon`` cost,
:math:`\tau_y / 1000 \cdot E_y(x)` per modelled year, with :math:`E_y` the registered emissions
(linear in the variables) and :math:`\tau_y` the mutable parameter ``policy.carbon_price``. The
compiled objective :math:`c^\top x + k` is therefore affine in :math:`\tau`:

.. math::

    c(\tau) = c(\tau^0) + \sum_y (\tau_y - \tau^0_y)\, \Omega_y\, \nabla_x \frac{E_y}{1000},
    \qquad k(\tau) = k(\tau^0) + \sum_y (\tau_y - \tau^0_y)\, \Omega_y\, \frac{E_y(0)}{1000}

with :math:`\Omega_y` the discount weight of year :math:`y` in the objective. A case whose inputs
differ from the built one's only in ``carbon_price`` is solved by handing HiGHS the same matrix and
bounds with patched costs: no inputs-to-model build, no compile. Its results come from the same
Pyomo model with the parameter set to the case's prices, so every cost expression is the case's.

Whether a case qualifies is checked on the inputs themselves (:meth:`ReusableModel.accepts`): every
other variable and every attribute that shapes the model must be equal, otherwise the caller
builds a new model. The sweep (:mod:`synergy_models.sweep`) keeps one per worker process.

Warm starts. Each solve keeps HiGHS's optimal basis (:attr:`ReusableModel.basis`; after an
interior-point solve crossover makes it a clean vertex basis), and the next case of the same shape
is solved from it by simplex (:class:`synergy_models.solve.WarmStart`): after a cost change (a
patched carbon price) the basis stays primal feasible and primal simplex needs a few iterations
where the interior-point solve needs a full factorisation per iteration. A case that must be built
afresh (fuel prices, capex, demand, build limits: they move costs, bounds and right-hand sides
through ``prepare`` code that is not linear in them) still starts from the previous basis when its
compiled LP has the same shape and sparsity pattern (:meth:`ReusableModel.adopt_basis`): then only
costs, bounds, right-hand sides or coefficient values differ, and the basis is a good start (dual
simplex after a bound or right-hand-side change). A warm solve that needs more than
:data:`WARM_ITERATION_LIMIT` simplex iterations stops and the case is solved cold (HiGHS's
iteration count, not a clock, so the outcome is deterministic).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
import pyomo.environ as pyo
import xarray as xr
from pyomo.repn import generate_standard_repn

from synergy_models.data.options import ModelOptions
from synergy_models.model.build import build_model
from synergy_models.scenario import SolverSettings
from synergy_models.solve import Basis, Solution, StandardForm, WarmStart, compile_model, solve_form

#: Inputs variables a re-solve can change: they move the cost vector and nothing else.
REUSABLE = ("carbon_price",)

#: Simplex iterations a warm start may take before the case is solved cold instead. On ``base``
#: (35k rows) a warm re-solve after a carbon-price step of 10 USD/t takes 0.5-6 thousand
#: iterations at ~2 thousand a second (docs/performance.md), a cold HiPO solve as long as ~40
#: thousand: a warm start that fails costs at most about half a cold solve more.
WARM_ITERATION_LIMIT = 20_000

Change = Literal["cost", "bounds", "both"]


@dataclass
class ReusableModel:
    """A model built from ``inputs`` and its compiled form; :meth:`gradient` is how the costs move
    with the carbon price."""

    inputs: xr.Dataset
    model: pyo.ConcreteModel
    form: StandardForm
    years: list[int]
    built_price: np.ndarray         # (years,) USD/t: the prices ``form`` was compiled with
    _gradient: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)
    #: the optimal basis of the last solve on this model (or adopted from another model's)
    basis: Basis | None = field(default=None, repr=False)
    #: how the next LP differs from the one ``basis`` is optimal for
    change: Change = "cost"

    @classmethod
    def build(cls, inputs: xr.Dataset) -> ReusableModel:
        """Build and compile ``inputs``' model."""
        model = build_model(inputs)
        form = compile_model(model)
        years = list(model.Y)
        built_price = np.array([pyo.value(model.policy.carbon_price[y]) for y in years])
        return cls(inputs, model, form, years, built_price)

    def gradient(self) -> tuple[np.ndarray, np.ndarray]:
        """(years x columns, years): MUSD of objective per USD/t of carbon price in each modelled
        year, per column and in the constant. Found once, on first use (~0.2 s on ``base``)."""
        if self._gradient is not None:
            return self._gradient
        model, form, years = self.model, self.form, self.years
        column = {id(v): i for i, v in enumerate(form.columns)}
        pv = model.data.arrays["year_pv"]
        price = model.policy.carbon_price
        gradient = np.zeros((len(years), len(form.columns)))
        offset_gradient = np.zeros(len(years))
        for i, y in enumerate(years):
            # The carbon cost at a price of 1 USD/t is its derivative (it is linear in the price).
            held = pyo.value(price[y])
            price[y] = 1.0
            try:
                repn = generate_standard_repn(model.policy.cost_carbon[y].expr, compute_values=True)
            finally:
                price[y] = held
            if not repn.is_linear():
                raise ValueError("the carbon cost is not linear in the variables")
            for v, coef in zip(repn.linear_vars, repn.linear_coefs, strict=True):
                # a variable the compiler left out is in no row and in no other cost: fixed at 0
                if id(v) in column:
                    gradient[i, column[id(v)]] += float(pv[i]) * coef
            offset_gradient[i] = float(pv[i]) * float(repn.constant)
        self._gradient = (gradient, offset_gradient)
        return self._gradient

    def accepts(self, inputs: xr.Dataset) -> bool:
        """Whether ``inputs`` differ from the model's own only in :data:`REUSABLE` variables."""
        ref = self.inputs
        if inputs is ref:
            return True
        if set(ref.variables) != set(inputs.variables) or dict(ref.sizes) != dict(inputs.sizes):
            return False
        if ModelOptions.of(ref) != ModelOptions.of(inputs):
            return False
        for name in ref.variables:
            a, b = ref[name], inputs[name]
            if name in REUSABLE:
                if a.dims != b.dims or a.shape != b.shape:
                    return False
            elif not a.equals(b):
                return False
        return bool(np.array_equal(ref.year.values, inputs.year.values))

    def adopt_basis(self, other: ReusableModel) -> Change | None:
        """Take ``other``'s basis for this model's first solve when both compile to LPs of the same
        shape and sparsity pattern from inputs of the same structure (so column ``j`` and row
        ``i`` are the same variable and constraint); returns what differs, or ``None`` (no basis
        taken)."""
        a, b = self.form, other.form
        if other.basis is None or a.shape != b.shape or not self._same_structure(other.inputs):
            return None
        if not (np.array_equal(a.A.indptr, b.A.indptr) and np.array_equal(a.A.indices, b.A.indices)):
            return None
        cost = not np.array_equal(a.c, b.c)
        bounds = not all(np.array_equal(x, y) for x, y in (
            (a.row_lower, b.row_lower), (a.row_upper, b.row_upper),
            (a.col_lower, b.col_lower), (a.col_upper, b.col_upper)))
        coefficients = not np.array_equal(a.A.data, b.A.data)
        change: Change = "both" if coefficients or (cost and bounds) else "bounds" if bounds else "cost"
        self.basis, self.change = other.basis, change
        return change

    def _same_structure(self, inputs: xr.Dataset) -> bool:
        ref = self.inputs
        return (set(ref.variables) == set(inputs.variables) and dict(ref.sizes) == dict(inputs.sizes)
                and ModelOptions.of(ref) == ModelOptions.of(inputs)
                and all(np.array_equal(ref[d].values, inputs[d].values) for d in ref.dims
                        if d in ref.coords))

    def patched_form(self, carbon_price: np.ndarray) -> StandardForm:
        """The compiled form with the costs of ``carbon_price`` (USD/t per modelled year)."""
        shift = np.asarray(carbon_price, dtype=float) - self.built_price
        if not shift.any():
            return self.form
        gradient, offset_gradient = self.gradient()
        return replace(self.form, c=self.form.c + shift @ gradient,
                       offset=self.form.offset + float(shift @ offset_gradient))

    def solve(self, inputs: xr.Dataset, settings: SolverSettings, checked: bool = False,
              warm: bool = True, iteration_limit: int = WARM_ITERATION_LIMIT) -> Solution:
        """Solve the case ``inputs`` (which :meth:`accepts`; ``checked``: the caller has asked) on
        this model; values are loaded into the model, whose carbon price is the case's afterwards
        (for its results).

        With ``warm`` and a basis at hand, from that basis by simplex (at most ``iteration_limit``
        iterations, then cold); ``solution.info["path"]`` is ``cold``, ``warm`` or
        ``cold-fallback``. The solution's basis is kept for the next case."""
        if not checked and not self.accepts(inputs):
            raise ValueError("these inputs differ from the model's in more than the carbon price")
        prices = inputs.carbon_price.sel(year=self.years).values.astype(float)
        form = self.patched_form(prices)
        for y, p in zip(self.years, prices, strict=True):
            self.model.policy.carbon_price[y] = float(p)
        start = (WarmStart(self.basis, self.change, iteration_limit)
                 if warm and self.basis is not None else None)
        solution = solve_form(self.model, form, settings, start)
        if solution.basis is not None:
            self.basis = solution.basis
        self.change = "cost"  # the next case on this model differs in its carbon price only
        return solution
