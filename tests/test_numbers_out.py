"""Tables that get the numbers out of a report: UHV line build-out and compute exports against
the UHV alternative (summary.line_buildout_table, summary.compute_exports_table), on hand-built
results whose every number is worked out here."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from synergy_models.summary import (
    compute_exports_by_hub_table,
    compute_exports_table,
    line_buildout_table,
)
from tests.tiny_results import tiny_results


def _lines() -> tuple[xr.Dataset, xr.Dataset]:
    """Three lines over 2025 and 2030: IM→YRD existing 10 GW, 40 built in 2025 and 20 in 2030
    (in service 2030: 10 + 40 + half of 20 = 60; the period's average in-service share 0.5);
    CY→GS new, 45 built in 2030 (in service 22.5); GZ→GBA 8 existing, nothing built; and an
    unused candidate NX→GS with nothing."""
    lines = ["im_yrd", "cy_gs", "gz_gba", "nx_gs"]
    years = [2025, 2030]
    new = np.array([[40.0, 20.0], [0.0, 45.0], [0.0, 0.0], [0.0, 1e-12]])
    existing = np.array([[10.0, 10.0], [0.0, 0.0], [8.0, 8.0], [0.0, 0.0]])
    service = existing + np.array([[20.0, 60.0 - 10.0], [0.0, 22.5], [0.0, 0.0], [0.0, 0.0]])
    c = {"line": lines, "year": years}
    results = xr.Dataset({
        "line_capacity": (("line", "year"), service), "line_capacity_new": (("line", "year"), new),
        "line_from": ("line", ["IM", "CY", "GZ", "NX"]), "line_to": ("line", ["YRD", "GS", "GBA", "GS"]),
    }, coords={**c, "region": ["IM", "YRD", "CY", "GS", "GZ", "GBA", "NX"]})
    inputs = xr.Dataset({"line_capacity_existing": (("line", "year"), existing),
                         "line_status": ("line", ["existing", "candidate", "existing", "candidate"])},
                        coords=c)
    return results, inputs


def test_line_buildout_shows_existing_built_and_in_service_by_year():
    results, inputs = _lines()
    table = line_buildout_table(results, inputs)
    assert list(table.index) == ["im_yrd", "cy_gs", "gz_gba"]  # most built first; unused left out
    assert list(table.columns) == ["corridor", "status", "existing and planned 2030 GW",
                                   "built 2025–2030 GW", "in service 2025 GW", "in service 2030 GW"]
    im = table.loc["im_yrd"]
    assert im.corridor == "IM → YRD" and im.status == "existing"
    assert (im["existing and planned 2030 GW"], im["built 2025–2030 GW"],
            im["in service 2025 GW"], im["in service 2030 GW"]) == (10.0, 60.0, 30.0, 60.0)
    cy = table.loc["cy_gs"]
    assert (cy["existing and planned 2030 GW"], cy["built 2025–2030 GW"],
            cy["in service 2030 GW"]) == (0.0, 45.0, 22.5)
    assert table.loc["gz_gba", "built 2025–2030 GW"] == 0.0
    without = line_buildout_table(results)  # no inputs: no status, no existing column
    assert "status" not in without and "existing and planned 2030 GW" not in without
    assert without["in service 2030 GW"].tolist() == [60.0, 22.5, 8.0]


def test_line_buildout_of_results_without_lines_is_empty():
    assert line_buildout_table(xr.Dataset(coords={"year": [2030]})).empty


def test_compute_exports_against_the_uhv_alternative():
    """tiny_results: A's demand served in B, 2 GW x 6,000 h + 4 GW x 2,760 h = 23.04 TWh of IT
    energy; B's PUE 1.5 makes it 34.56 TWh of electricity; at the origin A (PUE 1.25) the same
    service needs 28.8 TWh, sent over a line with 5% losses: 28.8 / 0.95 = 30.3158 TWh, of which
    1.5158 lost. The line carries 2 x 6,000 + 3 x 2,760 = 20.28 TWh."""
    r = tiny_results()
    uhv = 23.04 * 1.25 / 0.95
    r["uhv_equivalent_electricity"] = xr.zeros_like(r.compute_exports)
    r["uhv_equivalent_electricity"].loc[{"origin": "A", "region": "B"}] = uhv
    r["uhv_equivalent_losses"] = r.uhv_equivalent_electricity * 0.05
    r.attrs["objective"] = 0.0
    table = compute_exports_table(r)
    assert list(table.index) == ["A → B", "total"]
    row = table.loc["A → B"]
    assert row["IT energy served TWh"] == pytest.approx(23.04)
    assert row["electricity used where served TWh"] == pytest.approx(34.56)
    assert row["UHV equivalent TWh"] == pytest.approx(30.3158, abs=1e-4)
    assert table.loc["total", "UHV losses TWh"] == pytest.approx(uhv * 0.05)
    assert table.attrs["note"] == ("Serving this compute at its origin instead would take 30.3 "
                                   "TWh of electricity sent over UHV lines, against 20.3 TWh the "
                                   "inter-hub lines carry in 2030.")


def test_compute_exports_when_none_leave_their_origin():
    r = tiny_results()
    r["compute_exports"] = r.compute_exports * 0
    table = compute_exports_table(r, 2030)
    assert table.empty and table.attrs["note"] == "In 2030 no compute is served away from its origin."
    assert compute_exports_table(tiny_results(compute=False)).empty


def test_compute_exports_by_western_hub_against_uhv():
    """Two hubs, W west and E east (inputs' roles): only W gets a row, then the total row; each
    column is the results variable as given (W: 10 TWh of IT, 12 TWh used over fibre, 13.2 over
    UHV with 0.66 lost...). A hub with no exports shows zeros, not a missing row."""
    c = {"region": ["E", "W"], "year": [2030]}
    values = {"compute_export_it": 10.0, "compute_export_fibre_electricity": 12.0,
              "compute_export_uhv_electricity": 13.2, "compute_export_uhv_losses": 0.66,
              "compute_export_bandwidth": 1.0e5, "compute_export_fibre_cost": 100.0,
              "compute_export_uhv_cost": 350.0, "compute_export_fibre_emissions": 6.0,
              "compute_export_uhv_emissions": 6.6, "compute_export_saving": 290.0}
    r = xr.Dataset({k: (("region", "year"), [[0.0], [v]]) for k, v in values.items()}, coords=c)
    inputs = xr.Dataset({"role_in_programme": ("region", ["east", "west"])},
                        coords={"region": c["region"]})
    table = compute_exports_by_hub_table(r, inputs=inputs)
    assert list(table.index) == ["W", "total"]
    assert table.loc["W", "IT energy exported TWh"] == 10.0
    assert table.loc["W", "UHV: losses TWh"] == 0.66
    assert table.loc["W", "saving of fibre over UHV MUSD"] == 290.0
    assert table.loc["total", "UHV: line cost MUSD"] == 350.0
    r["compute_export_it"] = r.compute_export_it * 0
    assert compute_exports_by_hub_table(r, inputs=inputs).loc["W", "IT energy exported TWh"] == 0.0
    assert compute_exports_by_hub_table(tiny_results(compute=False)).empty
