"""The package's layering is a checked contract: `lint-imports` (import-linter) with the contracts in
pyproject.toml's ``[tool.importlinter]``.

Layers, highest first (a module may import from layers below its own only; `|` separates modules of
one layer that must not import each other): ``__main__`` > ``cli`` > ``report`` >
``sweep | charts | summary`` > ``market`` > ``indicators`` > ``run`` > ``results | reuse`` >
``model | solve`` > ``data`` > ``scenario`` > ``yamlfile`` > ``errors | gather | io | progress |
units``. Every module of the package must have a layer (``exhaustive``). A second contract forbids
:mod:`synergy_models.market` to import the loader, the solver or ``run``, even indirectly: it values
inputs and results it is given.

Imports inside functions and under ``TYPE_CHECKING`` count: they are dependencies all the same.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "synergy_models"
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


@pytest.mark.parametrize("contract", [c.get("id") for c in CONFIG["contracts"]])
def test_imports_keep_the_contract(contract):
    """One test per contract of pyproject.toml, so that a broken one does not hide the others."""
    assert contract, "give every [[tool.importlinter.contracts]] an id"
    lint_imports = Path(sys.executable).with_name("lint-imports")
    assert lint_imports.exists(), f"{lint_imports} missing: pip install -e '.[dev]' (import-linter)"
    done = subprocess.run([str(lint_imports), "--no-cache", "--no-logo", "--contract", contract],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"lint-imports --contract {contract} failed:\n{done.stdout}\n{done.stderr}"


def test_every_subpackage_is_in_the_import_graph():
    """import-linter skips a folder without ``__init__.py`` below the root package (a namespace
    package such as ``synergy_models/model``), so its imports would go unchecked: such a folder must
    be one of ``root_packages``."""
    namespaces = {".".join(p.parent.relative_to(ROOT).parts) for p in PACKAGE.rglob("*.py")
                  if not (p.parent / "__init__.py").exists()}
    unseen = sorted(namespaces - set(CONFIG["root_packages"]))
    assert unseen == [], f"add to root_packages in pyproject.toml (or give them an __init__.py): {unseen}"
    # and only such a folder: a regular subpackage as a root makes lint-imports fail silently
    # (grimp's NotATopLevelModule)
    regular = sorted(set(CONFIG["root_packages"]) - namespaces - {"synergy_models"})
    assert regular == [], f"remove from root_packages in pyproject.toml (they have an __init__.py): {regular}"
