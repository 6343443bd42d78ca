"""Execute the notebooks with their default parameters and store the outputs of the cells nbval
checks (marked ``# NBVAL_CHECK_OUTPUT``); every other output stays out of git.

Run after changing a checked cell or what it prints::

    .venv/bin/python tools/refresh_checked_outputs.py [notebooks/NAME.ipynb ...]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import nbformat
import papermill

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def refresh(path: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        executed = Path(tmp) / path.name
        papermill.execute_notebook(str(path), str(executed), cwd=str(NOTEBOOKS), progress_bar=False)
        outputs = {c.id: c.outputs for c in nbformat.read(executed, as_version=4).cells
                   if c.cell_type == "code"}
    book = nbformat.read(path, as_version=4)
    for cell in book.cells:
        if cell.cell_type != "code":
            continue
        checked = "NBVAL_CHECK_OUTPUT" in cell.source
        cell.outputs = [o for o in outputs.get(cell.id, []) if o.output_type != "stream"] if checked else []
        # nbval treats a checked cell without an execution count as never run
        cell.execution_count = 1 if checked else None
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
    book.metadata.pop("papermill", None)
    nbformat.write(book, path)
    print(f"refreshed {path.relative_to(NOTEBOOKS.parent)}")


if __name__ == "__main__":
    for name in sys.argv[1:] or sorted(NOTEBOOKS.glob("*.ipynb")):
        refresh(Path(name).resolve())
