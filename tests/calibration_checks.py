"""What the calibration tests of both datasets share (tests/test_calibration.py for the hubs,
tests/test_province_calibration.py for the provinces): reported figures read from a dataset's CSV
files as written, not through the loader, and known misses as strict xfails."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path

import pytest


def csv_rows(folder: Path, name: str) -> list[dict[str, str]]:
    """The rows of the dataset file ``folder/name``, as written."""
    with (folder / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def contracted_lines(folder: Path) -> list[str]:
    """The lines of the dataset with a contracted annual energy (line_parameters.csv)."""
    return sorted({r["line"] for r in csv_rows(folder, "line_parameters.csv")
                   if r["parameter"] == "contracted_energy"})


def known_miss_param(known_misses: Mapping[tuple[str, str], str], name: str, key: str):
    """A parameter of check ``name``, a strict xfail with its reason where ``(name, key)`` is a
    known miss: a fix that makes it pass fails the test until the entry is removed."""
    reason = known_misses.get((name, key))
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(key, marks=marks, id=key)
