"""Operation-only runs: a scenario's ``fixed_builds`` fixes every build decision at a reference's
results (as GenX's operational mode or PyPSA's non-extendable network), so only dispatch,
commitment and reserves respond to the scenario's changes. Hand-derived on one hub."""

from __future__ import annotations

import numpy as np
import pytest

from synergy_models.errors import InputError
from synergy_models.model.build import add_fixed_builds
from tests.test_model import solve
from tests.tiny import tiny_inputs


def hub(wind_capex: float):
    """Load 1 GW for one 1-h step; 1 GW of gas at 0.1 MUSD/GWh; wind at half output, built at
    ``wind_capex`` MUSD/GW (lifetime 1, no discounting: the annual cost)."""
    return tiny_inputs(["A"], {"gas": {"marginal_cost": 0.1}, "wind": {"capex": wind_capex}},
                       np.array([[1.0]]), capacity={("A", "gas"): 1.0},
                       cf={"wind": np.array([[0.5]])})


def test_builds_are_held_at_the_reference_when_costs_change():
    """Reference, wind at 0.02: each GW saves 0.5 GWh of gas (0.05) for 0.02, so 2 GW are built
    (wind covers the load): objective 0.04. At 0.06 a plan builds none (0.1); held at the
    reference's 2 GW, the run pays 2 x 0.06 = 0.12 and burns no gas."""
    ref = solve(hub(0.02))
    assert float(ref.capacity_new.sel(region="A", tech="wind").sum()) == pytest.approx(2.0)
    assert ref.attrs["objective"] == pytest.approx(0.04, rel=1e-6)

    plan = solve(hub(0.06))
    assert float(plan.capacity_new.sel(region="A", tech="wind").sum()) == pytest.approx(0.0)
    assert plan.attrs["objective"] == pytest.approx(0.1, rel=1e-6)

    held = solve(add_fixed_builds(hub(0.06), ref))
    assert float(held.capacity_new.sel(region="A", tech="wind").sum()) == pytest.approx(2.0)
    assert held.attrs["objective"] == pytest.approx(0.12, rel=1e-6)
    assert float(held.generation.sel(region="A", gen_tech="gas").sum()) == pytest.approx(0.0, abs=1e-9)


def test_a_reference_of_another_system_is_refused():
    """The reference has hub B, the run hub A: the build of A has no reference value."""
    other = tiny_inputs(["B"], {"gas": {"marginal_cost": 0.1}, "wind": {"capex": 0.02}},
                        np.array([[1.0]]), capacity={("B", "gas"): 1.0},
                        cf={"wind": np.array([[0.5]])})
    with pytest.raises(InputError, match="no reference value for capacity_new"):
        solve(add_fixed_builds(hub(0.02), solve(other)))
