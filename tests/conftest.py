"""Shared fixtures: a private copy of the default dataset to break, and a CSV editor."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATASET = ROOT / "data" / "china_hubs"


@pytest.fixture
def dataset_copy(tmp_path: Path) -> Path:
    """A copy of data/china_hubs that a test may edit."""
    return Path(shutil.copytree(DATASET, tmp_path / "china_hubs"))


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def write_rows(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)


def edit_row(path: Path, match: Callable[[dict[str, str]], bool], **changes: str) -> int:
    """Change the first row that ``match`` accepts; return its row number (first data row = 1)."""
    header, rows = read_rows(path)
    for i, row in enumerate(rows, start=1):
        if match(row):
            row.update(changes)
            write_rows(path, header, rows)
            return i
    raise AssertionError(f"no row of {path.name} matches")


def power_only_scenario(folder: Path, **settings: object) -> Path:
    """A scenario file in ``folder`` on a copy of the default dataset without its data-centre and
    hydrogen files (the power system alone), extending base with ``settings``."""
    import yaml

    from synergy_models.data.schema import COMPUTE_FILES, HYDROGEN_FILES

    data = Path(shutil.copytree(DATASET, folder / "power_only"))
    for name in (*COMPUTE_FILES, *HYDROGEN_FILES):
        (data / name).unlink()
    scenario = folder / "power_only.yaml"
    scenario.write_text(yaml.safe_dump({
        "extends": str(DATASET.parent / "scenarios" / "base.yaml"), "name": "power_only",
        # The description carries markup, which a report must show as text, not run.
        "description": "the power system alone <script>alert('injected')</script>",
        "dataset": str(data), **settings}))
    return scenario
