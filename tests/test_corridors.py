"""Issue 17: each hub-to-hub corridor's expansion to 2030 follows the stated rule of
transmission.csv (``default_max_new``): none beyond a corridor's planned line, and the national
pace split evenly over the corridors without one. Figures from the rule by hand, not the loader."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest

from synergy_models.data.loader import load_inputs
from synergy_models.run import run_scenario

DATA = Path(__file__).resolve().parent.parent / "data" / "china_hubs"
HUBS = {"BTH", "YRD", "GBA", "CY", "IM", "GZ", "GS", "NX"}
#: 3 years of approvals (2026-28) x 4 +-800 kV DC lines a year x 8 GW, a third between hubs.
NATIONAL_HUB_TO_HUB_GW = 3 * 4 * 8 / 3


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_corridor_limits_follow_the_plans_and_the_national_pace():
    inputs = load_inputs("base")
    by_corridor: dict[frozenset, list[dict[str, str]]] = defaultdict(list)
    for row in _rows("lines.csv"):
        if row["from"] in HUBS and row["to"] in HUBS:
            by_corridor[frozenset((row["from"], row["to"]))].append(row)
    planned = {c for c, rows in by_corridor.items() if any(r["status"] == "planned" for r in rows)}
    assert planned == {frozenset(p) for p in (("IM", "BTH"), ("GS", "YRD"), ("GS", "CY"))}
    limit = {c: float(inputs.line_max_new.sel(line=[r["line"] for r in rows]).sum())
             for c, rows in by_corridor.items()}
    for c in planned:
        assert limit[c] == 0.0, sorted(c)
    free = [c for c in by_corridor if c not in planned]
    assert len(free) == 8
    for c in free:
        assert limit[c] == pytest.approx(NATIONAL_HUB_TO_HUB_GW / 8), sorted(c)
    assert sum(limit.values()) == pytest.approx(32.0)


def test_base_builds_no_line_before_2028_and_at_most_the_national_figure():
    """A line not in the data is approved in 2026 at the earliest and serves from 2028
    (transmission.csv lead_time 4 from the base year 2024): base's 2025 (2025-27) builds none."""
    results = run_scenario("base")
    new = results.line_capacity_new
    assert float(new.sel(year=2025).sum()) == pytest.approx(0.0, abs=1e-6)
    assert float(new.sum()) <= NATIONAL_HUB_TO_HUB_GW + 1e-6
