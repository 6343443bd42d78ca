"""A region's trade bounded by its published send-out or receipt (transmission block's
``send_out_ceiling`` and ``receipt_ceiling``) on tiny cases derived by hand.

A has gas at 0.04 MUSD/GWh, B at 0.06 and C at 0.08; A sends to B and to C over lossless 5 GW
lines that cannot be expanded; two one-hour steps; nothing can be built. B needs 3 GW and C 1 GW
in each step, so without a bound A serves both: 8 GWh sent.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.test_model import solve
from tests.tiny import tiny_inputs

COSTS = {"A": 0.04, "B": 0.06, "C": 0.08}  # MUSD/GWh


def three_regions(**limits: list[float]):
    lines = [{"name": "A_B", "from": "A", "to": "B", "capacity": 5.0},
             {"name": "A_C", "from": "A", "to": "C", "capacity": 5.0}]
    ds = tiny_inputs(list(COSTS), {"gas": {"marginal_cost": 0.05}},
                     np.array([[0.0, 0.0], [3.0, 3.0], [1.0, 1.0]]), lines=lines,
                     capacity={(r, "gas"): 10.0 for r in COSTS}, max_new=0.0)
    mc = ds.marginal_cost.copy()
    mc.loc[{"tech": "gas"}] = list(COSTS.values())
    ds["marginal_cost"] = mc
    ds["line_max_new"] = ("line", [0.0, 0.0])
    ds["line_contract_headroom"] = 0.5
    for name, values in limits.items():
        ds[name] = ("region", values)
    return ds


def sent(r, line: str) -> float:
    return float(r.flow.sel(line=line).sum())


def shadow_price(r, family: str) -> float:
    return float(r.limit_shadow_price.where(r.limit_family == family, drop=True).max())


def test_without_limits_the_cheapest_region_serves_all():
    r = solve(three_regions())
    assert sent(r, "A_B") == pytest.approx(6.0, rel=1e-6)
    assert sent(r, "A_C") == pytest.approx(2.0, rel=1e-6)


def test_a_send_out_limit_bounds_the_sum_over_the_regions_lines():
    """A's send-out limit 2 GWh with 50% headroom: at most 3 GWh over both lines together. C, the
    dearer, is served first (2 GWh, saving 0.04 each), B gets the last 1 GWh and burns 5 GWh of
    its own gas: +5 x (0.06 - 0.04) = 0.10 MUSD. One GWh more of A's limit would displace B's gas:
    the shadow price is 0.02 MUSD/GWh = 20 USD/MWh. B and C have no limit (inf)."""
    free = solve(three_regions())
    r = solve(three_regions(send_out_limit=[2.0, np.inf, np.inf]))
    assert sent(r, "A_C") == pytest.approx(2.0, rel=1e-6)
    assert sent(r, "A_B") == pytest.approx(1.0, rel=1e-6)
    assert float(r.cost.sum()) - float(free.cost.sum()) == pytest.approx(0.10, rel=1e-6)
    assert shadow_price(r, "transmission.send_out_ceiling") == pytest.approx(20.0, rel=1e-6)
    row = r.limit_family == "transmission.send_out_ceiling"
    assert float(r.limit_value.where(row, drop=True).item()) == pytest.approx(3.0, rel=1e-9)


def test_a_receipt_limit_bounds_what_a_region_takes_in():
    """B's receipt limit 1 GWh with 50% headroom: it takes in at most 1.5 GWh and burns 4.5 GWh
    of its own gas: +4.5 x 0.02 = 0.09 MUSD; C is not bound and still takes 2 GWh."""
    free = solve(three_regions())
    r = solve(three_regions(receipt_limit=[np.inf, 1.0, np.inf]))
    assert sent(r, "A_B") == pytest.approx(1.5, rel=1e-6)
    assert sent(r, "A_C") == pytest.approx(2.0, rel=1e-6)
    assert float(r.cost.sum()) - float(free.cost.sum()) == pytest.approx(0.09, rel=1e-6)
    assert shadow_price(r, "transmission.receipt_ceiling") == pytest.approx(20.0, rel=1e-6)


def test_each_limit_bounds_trade_in_its_own_direction_only():
    """C's receipt limit 0 stops all of A's power to C (C burns its own 2 GWh); B's send-out limit
    0 does not bound what B takes in, so A still serves all of B's 6 GWh."""
    r = solve(three_regions(send_out_limit=[np.inf, 0.0, np.inf],
                            receipt_limit=[np.inf, np.inf, 0.0]))
    assert sent(r, "A_C") == pytest.approx(0.0, abs=1e-6)
    assert sent(r, "A_B") == pytest.approx(6.0, rel=1e-6)
