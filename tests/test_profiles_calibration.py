"""The shipped hourly profiles: calibrated to the data sheet's utilisation hours, and reproducible."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest
import xarray as xr

from synergy_models.data.loader import regenerate_profiles

DATA = Path(__file__).resolve().parent.parent / "data" / "china_hubs"


def rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def available_hours_targets() -> dict[tuple[str, str], float]:
    """Per hub and technology: capacity-weighted available full-load hours, from the CSVs.

    Written independently of the loader: reported full-load hours are after curtailment, the
    profiles are what could have been produced, so each province's hours are divided by its
    utilisation rate (or the dataset's default) before weighting by installed capacity.
    """
    hub = {p.strip(): r["region"] for r in rows("regions.csv") for p in r["provinces"].split(";")}
    national = {r["parameter"]: float(r["value"]) * (0.01 if r["unit"] == "percent" else 1)
                for r in rows("parameters.csv")}
    values: dict[str, dict[str, float]] = defaultdict(dict)
    for r in rows("provinces.csv"):
        value = float(r["value"]) * (0.01 if r["unit"] == "percent" else 1)
        values[r["province"]][r["parameter"]] = value
    weighted: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for province, v in values.items():
        for tech in ("wind", "solar"):
            util = v.get(f"{tech}_utilisation", national[f"default_{tech}_utilisation"])
            cap = v[f"capacity_{tech}"]
            weighted[(hub[province], tech)][0] += cap * v[f"{tech}_hours"] / util
            weighted[(hub[province], tech)][1] += cap
        # Conventional hydro: reported hydro less the pumped storage within it; reported hours
        # (no curtailment figures) or the national default.
        cap = v["capacity_hydro"] - v.get("capacity_pumped_hydro", 0.0)
        weighted[(hub[province], "hydro")][0] += cap * v.get("hydro_hours", national["default_hydro_hours"])
        weighted[(hub[province], "hydro")][1] += cap
    return {k: s / w for k, (s, w) in weighted.items() if w > 0}


def test_profiles_match_the_utilisation_hours_of_the_data_sheet():
    targets = available_hours_targets()
    assert len(targets) == 24  # every hub has wind, solar and conventional hydro
    with xr.open_dataset(DATA / "profiles.nc") as profiles:
        for (region, tech), hours in targets.items():
            got = float(profiles[f"{tech}_cf"].sel(region=region).mean()) * 8760
            assert got == pytest.approx(hours, rel=2e-3), (region, tech)
        load_mean = profiles["load_profile"].mean("time")
        assert (abs(load_mean - 1) < 1e-4).all()


def test_shipped_profiles_are_what_the_generator_makes():
    same, message = regenerate_profiles(DATA, check_only=True)
    assert same, message
