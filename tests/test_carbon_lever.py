"""The carbon-price lever moves the answer (issue 17): ``high_carbon_price`` (300 CNY/t, fully
passed through) against ``base`` (the ETS price with free allocation by benchmarks)."""

from __future__ import annotations

import pytest

from synergy_models.report import load_or_solve


@pytest.mark.slow
def test_high_carbon_price_cuts_emissions_and_moves_capacity():
    """2030 emissions at least 5% lower and wind + solar capacity at least 2% different. Through
    the report cache, so base's solve is shared with the regression tests and the notebooks."""
    _, base = load_or_solve("base", quiet=True)
    _, high = load_or_solve("high_carbon_price", quiet=True)
    emissions = {n: float(r.emissions.sel(year=2030).sum()) for n, r in (("b", base), ("h", high))}
    assert emissions["h"] <= 0.95 * emissions["b"]
    vre = {n: float(r.capacity.sel(year=2030, tech=["wind", "solar"]).sum())
           for n, r in (("b", base), ("h", high))}
    assert abs(vre["h"] / vre["b"] - 1) >= 0.02
