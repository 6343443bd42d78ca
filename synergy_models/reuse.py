r"""Re-solve one built and compiled model at other parameter values: patch the LP, keep HiGHS.

Two kinds of case are solved on the model held from the previous one (:class:`ReusableModel`),
both only when the inputs have the same structure (the same variables, dimensions, coordinates
and model options; :meth:`ReusableModel.accepts`):

**The carbon price** enters the model only through the policy block's ``carbon`` cost,
:math:`\tau_y / 1000 \cdot E_y(x)` per modelled year, with :math:`E_y` the registered emissions
(linear in the variables) and :math:`\tau_y` the mutable parameter ``policy.carbon_price``. The
compiled objective :math:`c^\top x + k` is therefore affine in :math:`\tau`:

.. math::

    c(\tau) = c(\tau^0) + \sum_y (\tau_y - \tau^0_y)\, \Omega_y\, \nabla_x \frac{E_y}{1000},
    \qquad k(\tau) = k(\tau^0) + \sum_y (\tau_y - \tau^0_y)\, \Omega_y\, \frac{E_y(0)}{1000}

with :math:`\Omega_y` the discount weight of year :math:`y` in the objective. Such a case is
solved by handing HiGHS patched costs: no build, no compile. Its results come from the same Pyomo
model with the parameter set to the case's prices, so every cost expression is the case's.

**Every other parameter** that changes only costs, column bounds or row bounds (fuel prices,
capex, demand levels, caps, build limits...) reaches the model through ``prepare`` code that need
not be linear in it, so the case's Pyomo model is built (its results need it) but not compiled:
its LP is the held one with these arrays replaced (:meth:`ReusableModel.patch`):

- ``c`` and the objective constant: from the objective's linear form (all of ``c``, ~0.05 s);
- column bounds: the bounds of the variables of the families the change moves;
- row bounds: ``lb``/``ub`` minus the body's constant of the rows of the families the change
  moves (their coefficients are checked against the held matrix on the way).

Which families a change moves is derived, not declared: the first time the inputs differ in a
given set of variables, the case's model is compiled in full and compared with the held LP. If
the matrix differs (values or pattern), the case is not patchable and its compiled LP is used as
it is (the basis is still a start). Otherwise the families whose column or row bounds differ are
recorded for that set of variables (:attr:`ReusableModel.touches`) and the patched arrays are
checked against the compiled ones; later changes of the same variables patch those families only.
This assumes that a family that does not move when a parameter moves does not depend on it,
which holds for the model's coefficients (products and sums of inputs, no thresholds).

The LP and the optimal basis stay in the HiGHS instance that solved them
(:class:`synergy_models.solve.HeldHighs`): the next case changes only the entries that differ and
runs simplex from the instance's own basis and factorisation (:class:`~synergy_models.solve.WarmStart`):
after a cost change the basis stays primal feasible (primal simplex), after a bound or right-hand
side change dual feasible (dual simplex), after both HiGHS chooses. A warm run that needs more than
:data:`WARM_ITERATION_LIMIT` simplex iterations stops and the case is solved cold (HiGHS's
iteration count, not a clock, so the outcome is deterministic). A case of another structure is
built afresh and still starts from the previous basis when its LP has the same shape and sparsity
pattern (:meth:`ReusableModel.adopt_basis`).
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
from synergy_models.solve import (
    Basis,
    HeldHighs,
    Solution,
    StandardForm,
    WarmStart,
    compile_model,
    solve_form,
)

#: Inputs variables a re-solve can change without building the case's model: they move the cost
#: vector and nothing else, linearly (the gradient above).
REUSABLE = ("carbon_price",)

#: Simplex iterations a warm start may take before the case is solved cold instead. On ``base``
#: (35k rows) a warm re-solve after a carbon-price step of 10 USD/t takes 0.5-6 thousand
#: iterations at ~2 thousand a second (docs/performance.md), a cold HiPO solve as long as ~40
#: thousand: a warm start that fails costs at most about half a cold solve more.
WARM_ITERATION_LIMIT = 20_000

Change = Literal["cost", "bounds", "both"]


@dataclass(frozen=True)
class Touch:
    """The variable families (columns) and constraint families (rows) whose bounds a change of
    some inputs variables moves, by component name."""

    columns: frozenset[str]
    rows: frozenset[str]


@dataclass
class Layout:
    """Where each column and row of a compiled form sits in its model's enumeration of variables
    and active constraints (the compiler orders columns by first use), the families of both, and
    the model's index structure: a model built by the same code from inputs of the same structure
    with the same ``signature`` has the same columns and rows at the same places."""

    column_position: np.ndarray     # form column j = enumeration entry column_position[j]
    row_position: np.ndarray
    column_family: dict[str, np.ndarray]   # family -> form columns
    row_family: dict[str, np.ndarray]      # family -> form rows
    signature: list[tuple[str, list]]

    @classmethod
    def of(cls, model: pyo.ConcreteModel, form: StandardForm) -> Layout:
        variables, constraints, signature = _enumerate(model)
        where = {id(v): k for k, v in enumerate(variables)}
        column_position = np.fromiter((where[id(v)] for v in form.columns), dtype=np.int64,
                                      count=len(form.columns))
        where = {id(c): k for k, c in enumerate(constraints)}
        row_position = np.fromiter((where[id(c)] for c in form.rows), dtype=np.int64,
                                   count=len(form.rows))
        return cls(column_position, row_position, _families(form.columns),
                   _families(form.rows), signature)


def _enumerate(model: pyo.ConcreteModel) -> tuple[list, list, list[tuple[str, list]]]:
    """The model's variables and active constraints in Pyomo's order, and its index structure:
    each variable and constraint component's name and keys, and how many rows are active."""
    variables = list(model.component_data_objects(pyo.Var, descend_into=True))
    constraints = list(model.component_data_objects(pyo.Constraint, active=True,
                                                    descend_into=True))
    # The populated indices as stored (``_data``): ``keys()`` walks the index sets, which costs
    # ~0.7 s on ``base`` the first time (lazy product sets) against ~0.015 s.
    signature: list[tuple[str, list]] = [
        (comp.name, list(comp._data)) for kind in (pyo.Var, pyo.Constraint)
        for comp in model.component_objects(kind, descend_into=True)]
    signature.append(("active rows", [len(constraints)]))
    return variables, constraints, signature


def _families(items: list) -> dict[str, np.ndarray]:
    """Positions of ``items`` (variables or constraints) by the name of their component."""
    by_component: dict[int, list[int]] = {}
    component: dict[int, object] = {}
    for i, item in enumerate(items):
        parent = item.parent_component()
        by_component.setdefault(id(parent), []).append(i)
        component[id(parent)] = parent
    return {component[key].name: np.asarray(positions)  # type: ignore[attr-defined]
            for key, positions in by_component.items()}


def _bounds(variables: list) -> tuple[np.ndarray, np.ndarray]:
    lower = np.fromiter((-np.inf if v.lb is None else v.lb for v in variables), dtype=float,
                        count=len(variables))
    upper = np.fromiter((np.inf if v.ub is None else v.ub for v in variables), dtype=float,
                        count=len(variables))
    return lower, upper


class NotPatchable(Exception):
    """The case's LP is not the held one with other costs and bounds (the caller compiles)."""


@dataclass
class ReusableModel:
    """A model built from ``inputs`` and its compiled form, kept to solve the next case of the
    same structure on (module docstring); :meth:`gradient` is how the costs move with the carbon
    price."""

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
    #: the HiGHS instance holding the last solved LP and its basis (warm solves only)
    held: HeldHighs | None = field(default=None, repr=False)
    #: families of columns and rows whose bounds move with each set of changed inputs variables
    #: (derived by a full compile the first time; module docstring)
    touches: dict[frozenset[str], Touch] = field(default_factory=dict, repr=False)
    #: the model of the case :meth:`accepts` last built, kept for :meth:`solve`
    _pending: tuple[xr.Dataset, pyo.ConcreteModel, list, list, frozenset[str]] | None = field(
        default=None, repr=False)
    _layout: Layout | None = field(default=None, repr=False)
    _csr: tuple[object, object] | None = field(default=None, repr=False)

    @classmethod
    def build(cls, inputs: xr.Dataset) -> ReusableModel:
        """Build and compile ``inputs``' model."""
        model = build_model(inputs)
        form = compile_model(model)
        return cls(inputs, model, form, list(model.Y), _prices(model))

    @property
    def layout(self) -> Layout:
        if self._layout is None:
            self._layout = Layout.of(self.model, self.form)
        return self._layout

    def gradient(self) -> tuple[np.ndarray, np.ndarray]:
        """(years x columns, years): MUSD of objective per USD/t of carbon price in each modelled
        year, per column and in the constant. Found once per model, on first use (~0.2 s on
        ``base``)."""
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

    def changed(self, inputs: xr.Dataset) -> frozenset[str] | None:
        """The inputs variables whose values differ from the model's own, or ``None`` when the
        structure differs (variables, their dimensions, coordinates or the model options)."""
        ref = self.inputs
        if inputs is ref:
            return frozenset()
        if not self._same_structure(inputs):
            return None
        out = set()
        for name in ref.variables:
            a, b = ref[name], inputs[name]
            if a.dims != b.dims or a.shape != b.shape:
                return None
            if not a.equals(b):
                out.add(str(name))
        return frozenset(out)

    def accepts(self, inputs: xr.Dataset) -> bool:
        """Whether the case ``inputs`` can be solved on this model: the same structure, and either
        only :data:`REUSABLE` variables differ (patched costs) or the case's model, built here
        and kept for :meth:`solve`, has the same variables and constraints at the same indices
        (patched costs and bounds)."""
        changed = self.changed(inputs)
        if changed is None:
            return False
        if changed <= set(REUSABLE):
            return True
        model = build_model(inputs)
        variables, constraints, signature = _enumerate(model)
        if signature != self.layout.signature:
            return False  # the caller builds anew (this model is not kept: rare)
        self._pending = (inputs, model, variables, constraints, changed)
        return True

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
        self.basis, self.change = other.basis, _kind(a, b)
        return self.change

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

    def patch(self, model: pyo.ConcreteModel, variables: list, constraints: list,
              changed: frozenset[str]) -> StandardForm:
        """The LP of ``model`` (built from inputs that differ from this model's in ``changed``;
        ``variables`` and ``constraints`` its enumeration, of this model's signature): this
        model's form with the case's costs and the bounds of the families ``changed`` moves,
        and the case's variables and constraints as columns and rows. The first time for a set
        of ``changed`` variables, the case's model is compiled and the moved families recorded;
        raises :class:`NotPatchable` (with the compiled form as its argument) when its matrix is
        not this one."""
        layout, old = self.layout, self.form
        changed = changed - set(REUSABLE)  # all of c is the case's: the carbon price is in it
        columns = [variables[k] for k in layout.column_position.tolist()]
        rows = [constraints[k] for k in layout.row_position.tolist()]
        column = {id(v): j for j, v in enumerate(columns)}
        repn = generate_standard_repn(model.objective.expr, compute_values=True)
        c = np.zeros(len(columns))
        for v, coef in zip(repn.linear_vars, repn.linear_coefs, strict=True):
            j = column.get(id(v))
            if j is None:  # a variable that is no column of the held LP: another LP
                raise NotPatchable(None)
            c[j] += coef
        offset = float(repn.constant)
        touch = self.touches.get(changed)
        if touch is None:  # derive it: the case's LP in full, against this one
            fresh = compile_model(model)
            a, b = fresh.A, old.A
            if not (fresh.shape == old.shape and np.array_equal(a.indptr, b.indptr)
                    and np.array_equal(a.indices, b.indices) and np.array_equal(a.data, b.data)
                    and all(x is y for x, y in zip(fresh.columns, columns, strict=True))
                    and all(x is y for x, y in zip(fresh.rows, rows, strict=True))):
                raise NotPatchable(fresh)
            moved_columns = (old.col_lower != fresh.col_lower) | (old.col_upper != fresh.col_upper)
            moved_rows = (old.row_lower != fresh.row_lower) | (old.row_upper != fresh.row_upper)
            touch = Touch(frozenset(_names(fresh.columns, moved_columns)),
                          frozenset(_names(fresh.rows, moved_rows)))
            try:
                patched = self._patch_bounds(columns, rows, touch)
            except NotPatchable:  # a row this code does not read as the compiler: compile always
                return replace(fresh, A=old.A)
            expected = (fresh.c, fresh.col_lower, fresh.col_upper, fresh.row_lower, fresh.row_upper)
            if all(np.allclose(x, y, rtol=1e-12, atol=1e-12, equal_nan=True)
                   for x, y in zip((c, *patched), expected, strict=True)) and np.isclose(
                    offset, fresh.offset, rtol=1e-12, atol=1e-9):
                self.touches[changed] = touch  # the patch reproduces the compile: use it next time
            return replace(fresh, A=old.A)  # the same matrix: shared, so HiGHS's copy fits
        col_lower, col_upper, row_lower, row_upper = self._patch_bounds(columns, rows, touch)
        return StandardForm(c, offset, old.A, row_lower, row_upper, col_lower, col_upper,
                            columns, rows)

    def _patch_bounds(self, columns: list, rows: list, touch: Touch
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """This form's bounds with those of ``touch``'s families taken from ``columns`` and
        ``rows`` (the case's); raises :class:`NotPatchable` if a touched row's coefficients are
        not this form's."""
        layout, old = self.layout, self.form
        col_lower, col_upper = old.col_lower.copy(), old.col_upper.copy()
        for family in touch.columns:
            at = layout.column_family[family]
            col_lower[at], col_upper[at] = _bounds([columns[j] for j in at.tolist()])
        row_lower, row_upper = old.row_lower.copy(), old.row_upper.copy()
        if not touch.rows:
            return col_lower, col_upper, row_lower, row_upper
        column = {id(v): j for j, v in enumerate(columns)}
        if self._csr is None or self._csr[0] is not old.A:
            self._csr = (old.A, old.A.tocsr())  # rows of the matrix, for the check below
        csr = self._csr[1]
        for family in touch.rows:
            for i in layout.row_family[family].tolist():
                con = rows[i]
                repn = generate_standard_repn(con.body, compute_values=True)
                found: dict[int, float] = {}
                for v, coef in zip(repn.linear_vars, repn.linear_coefs, strict=True):
                    j = column.get(id(v), -1)  # -1: no column of the held LP, found below
                    found[j] = found.get(j, 0.0) + coef
                found = {j: a for j, a in found.items() if a != 0}
                lo, hi = csr.indptr[i], csr.indptr[i + 1]
                if (repn.nonlinear_expr is not None or repn.quadratic_vars
                        or dict(zip(csr.indices[lo:hi].tolist(), csr.data[lo:hi].tolist(),
                                    strict=True)) != found):
                    raise NotPatchable(None)
                constant = float(repn.constant)
                if np.isfinite(old.row_lower[i]):
                    row_lower[i] = pyo.value(con.lower) - constant
                if np.isfinite(old.row_upper[i]):
                    row_upper[i] = pyo.value(con.upper) - constant
        return col_lower, col_upper, row_lower, row_upper

    def solve(self, inputs: xr.Dataset, settings: SolverSettings, checked: bool = False,
              warm: bool = True, iteration_limit: int = WARM_ITERATION_LIMIT) -> Solution:
        """Solve the case ``inputs`` (which :meth:`accepts`; ``checked``: the caller has asked) on
        this model: afterwards the model is the case's (its carbon price set; or the case's Pyomo
        model and patched LP), for its results and the next case.

        With ``warm`` and a basis at hand, from that basis by simplex (at most ``iteration_limit``
        iterations, then cold) in the HiGHS instance that holds the last LP;
        ``solution.info["path"]`` is ``cold``, ``warm`` or ``cold-fallback``, and
        ``solution.info["patch"]`` says how the LP was made: ``costs`` (carbon price: patched
        costs), ``derived`` (compiled, the moved families recorded), ``patched`` (costs and the
        recorded families' bounds) or ``compiled`` (its matrix differs: not patchable)."""
        if not checked and not self.accepts(inputs):
            raise ValueError("these inputs differ from the model's in their structure (another "
                             "time grid, modules, regions or index sets): build a new model")
        pending, self._pending = self._pending, None
        if pending is not None and pending[0] is inputs:
            form, how = self._adopt_case(*pending)
        else:
            changed = self.changed(inputs) or frozenset()
            if changed <= set(REUSABLE):
                form, how = self._patch_costs(inputs)
            else:  # not asked before (checked by the caller): build the case's model here
                model = build_model(inputs)
                variables, constraints, _ = _enumerate(model)
                form, how = self._adopt_case(inputs, model, variables, constraints, changed)
        start = (WarmStart(self.basis, self.change, iteration_limit)
                 if warm and self.basis is not None else None)
        held, self.held = self.held, None
        if held is not None and not warm:
            held.close()
            held = None
        solution = solve_form(self.model, form, settings, start, held, keep=warm)
        solution.info["patch"] = how
        self.held = solution.held
        if solution.basis is not None:
            self.basis = solution.basis
        self.change = "cost"  # until the next case says otherwise
        return solution

    def _patch_costs(self, inputs: xr.Dataset) -> tuple[StandardForm, str]:
        """The case differs in its carbon price only: patched costs on this Pyomo model."""
        prices = inputs.carbon_price.sel(year=self.years).values.astype(float)
        form = self.patched_form(prices)
        for y, p in zip(self.years, prices, strict=True):
            self.model.policy.carbon_price[y] = float(p)
        if self.held is not None:  # else the basis's change was set with it (adopt_basis)
            self.change = _kind(form, self.held.form)
        self.inputs = inputs
        return form, "costs"

    def _adopt_case(self, inputs: xr.Dataset, model: pyo.ConcreteModel, variables: list,
                    constraints: list, changed: frozenset[str]) -> tuple[StandardForm, str]:
        """Make the case's model and its (patched or compiled) LP this model's."""
        before = self.held.form if self.held is not None else self.patched_form(self.built_price)
        derived = changed - set(REUSABLE) not in self.touches
        try:
            form = self.patch(model, variables, constraints, changed)
            how = "derived" if derived else "patched"
        except NotPatchable as err:
            form = err.args[0] if err.args[0] is not None else compile_model(model)
            how = "compiled"
            self._layout = None  # another matrix: positions and families of its own
        self.change = _kind(form, before) if form.shape == before.shape else "both"
        self.inputs, self.model, self.form = inputs, model, form
        self.years, self.built_price, self._gradient = list(model.Y), _prices(model), None
        return form, how

def _kind(new: StandardForm, old: StandardForm) -> Change:
    """What differs between two LPs of the same shape: costs, bounds or both (the matrix's values
    count as both)."""
    cost = not (np.array_equal(new.c, old.c) and new.offset == old.offset)
    bounds = not all(np.array_equal(x, y) for x, y in (
        (new.row_lower, old.row_lower), (new.row_upper, old.row_upper),
        (new.col_lower, old.col_lower), (new.col_upper, old.col_upper)))
    coefficients = not (new.A is old.A or np.array_equal(new.A.data, old.A.data))
    return "both" if coefficients or (cost and bounds) else "bounds" if bounds else "cost"


def _names(items: list, moved: np.ndarray) -> set[str]:
    parents = {id(p): p for p in (items[i].parent_component() for i in np.flatnonzero(moved).tolist())}
    return {p.name for p in parents.values()}


def _prices(model: pyo.ConcreteModel) -> np.ndarray:
    return np.array([pyo.value(model.policy.carbon_price[y]) for y in model.Y])
