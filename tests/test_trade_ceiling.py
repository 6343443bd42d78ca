"""A region's trade bounded by its published send-out or receipt (transmission block's
``send_out_ceiling`` and ``receipt_ceiling`` on the net figures, ``gross_send_out_ceiling`` and
``gross_receipt_ceiling`` on the sums of outflows and inflows) on tiny cases derived by hand.

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


def three_regions(ends: tuple[str, str] = ("A", "C"), **limits: list[float]):
    """The three regions with the lines A -> B and ``ends`` (A -> C, or B -> C for a chain)."""
    lines = [{"name": "A_B", "from": "A", "to": "B", "capacity": 5.0},
             {"name": "_".join(ends), "from": ends[0], "to": ends[1], "capacity": 5.0}]
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


def chain(**limits: list[float]):
    """The same regions and costs with the lines A -> B -> C: C's power from A passes through B
    (without limits A_B carries 8 GWh, B_C 2 GWh: B takes in 8, sends out 2, net receipt 6)."""
    return three_regions(("B", "C"), **limits)


def test_a_net_limit_leaves_transit_free():
    """B's net send-out limit 0: its net send-out is 2 - 8 = -6 GWh, so nothing binds and A
    still serves C through B."""
    r = solve(chain(send_out_limit=[np.inf, 0.0, np.inf]))
    assert sent(r, "A_B") == pytest.approx(8.0, rel=1e-6)
    assert sent(r, "B_C") == pytest.approx(2.0, rel=1e-6)


def test_a_gross_send_out_limit_bounds_transit():
    """B's gross send-out limit 1 GWh with 50% headroom: B_C carries at most 1.5 GWh though it
    is all A's power passing through. C burns its own 0.5 GWh at 0.08 instead of A's at 0.04:
    +0.5 x 0.04 = 0.02 MUSD; one GWh more of B's ceiling saves 0.04 MUSD = 40 USD/MWh."""
    free = solve(chain())
    r = solve(chain(gross_send_out_limit=[np.inf, 1.0, np.inf]))
    assert sent(r, "B_C") == pytest.approx(1.5, rel=1e-6)
    assert sent(r, "A_B") == pytest.approx(7.5, rel=1e-6)
    assert float(r.cost.sum()) - float(free.cost.sum()) == pytest.approx(0.02, rel=1e-6)
    assert shadow_price(r, "transmission.gross_send_out_ceiling") == pytest.approx(40.0,
                                                                                    rel=1e-6)
    row = r.limit_family == "transmission.gross_send_out_ceiling"
    assert float(r.limit_value.where(row, drop=True).item()) == pytest.approx(1.5, rel=1e-9)


def test_a_gross_receipt_limit_bounds_the_sum_of_inflows():
    """B's gross receipt limit 4 GWh with 50% headroom: at most 6 GWh of A's power enters B,
    whether B burns it or passes it on; the other 2 GWh of B's and C's 8 come from B's gas (0.06,
    cheaper than C's): +2 x 0.02 = 0.04 MUSD, shadow price 20 USD/MWh; C burns nothing. B's
    net receipt limit of the same 4 GWh would allow the same 6 GWh net but not bound transit."""
    free = solve(chain())
    r = solve(chain(gross_receipt_limit=[np.inf, 4.0, np.inf]))
    assert sent(r, "A_B") == pytest.approx(6.0, rel=1e-6)
    assert sent(r, "B_C") == pytest.approx(2.0, rel=1e-6)
    assert float(r.cost.sum()) - float(free.cost.sum()) == pytest.approx(0.04, rel=1e-6)
    assert shadow_price(r, "transmission.gross_receipt_ceiling") == pytest.approx(20.0, rel=1e-6)


def test_a_gross_limit_counts_both_directions_of_a_line():
    """A's gross receipt limit 0 with power flowing only away from A binds nothing, while A's gross
    send-out limit 0 stops everything it sends: B's gas (0.06) then serves B and, through B_C, C
    (0.08): 8 GWh at +0.02 each = +0.16 MUSD."""
    free = solve(chain())
    r = solve(chain(gross_receipt_limit=[0.0, np.inf, np.inf]))
    assert sent(r, "A_B") == pytest.approx(8.0, rel=1e-6)
    r = solve(chain(gross_send_out_limit=[0.0, np.inf, np.inf]))
    assert sent(r, "A_B") == pytest.approx(0.0, abs=1e-6)
    assert sent(r, "B_C") == pytest.approx(2.0, rel=1e-6)
    assert float(r.cost.sum()) - float(free.cost.sum()) == pytest.approx(0.16, rel=1e-6)
