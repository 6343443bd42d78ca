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
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pyomo.environ as pyo
import xarray as xr
from pyomo.repn import generate_standard_repn

from synergy_models.data.options import ModelOptions
from synergy_models.model.build import build_model
from synergy_models.scenario import SolverSettings
from synergy_models.solve import Solution, StandardForm, compile_model, solve_form

#: Inputs variables a re-solve can change: they move the cost vector and nothing else.
REUSABLE = ("carbon_price",)


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

    def patched_form(self, carbon_price: np.ndarray) -> StandardForm:
        """The compiled form with the costs of ``carbon_price`` (USD/t per modelled year)."""
        shift = np.asarray(carbon_price, dtype=float) - self.built_price
        if not shift.any():
            return self.form
        gradient, offset_gradient = self.gradient()
        return replace(self.form, c=self.form.c + shift @ gradient,
                       offset=self.form.offset + float(shift @ offset_gradient))

    def solve(self, inputs: xr.Dataset, settings: SolverSettings, checked: bool = False
              ) -> Solution:
        """Solve the case ``inputs`` (which :meth:`accepts`; ``checked``: the caller has asked) on
        this model; values are loaded into the model, whose carbon price is the case's afterwards
        (for its results)."""
        if not checked and not self.accepts(inputs):
            raise ValueError("these inputs differ from the model's in more than the carbon price")
        prices = inputs.carbon_price.sel(year=self.years).values.astype(float)
        form = self.patched_form(prices)
        for y, p in zip(self.years, prices, strict=True):
            self.model.policy.carbon_price[y] = float(p)
        return solve_form(self.model, form, settings)
