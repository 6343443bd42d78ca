r"""docs/formulation.md, the model modules' docstrings and the built model name the same components.

The components are those of models *built* (not solved) from the default dataset, small but with
every block and every optional component: ``milestones`` (annual green matching: certificates),
``hourly_green_matching`` (hourly matching rows), ``hydrogen_push`` (fuel-cell backup share) and
``milestones`` with a price on hydrogen transport and a carbon cap (no scenario sets them). Each
block ``m.<block>`` is built by ``synergy_models/model/<block>.py``; the model-level components
(``m.balance``, ``m.objective``, the sets ``m.R``, ``m.Y``, ``m.T``) by ``balance.py`` and
``build.py``, and are called block ``m`` below.

Checks:

1. every Var, Constraint and Objective of every block is named in docs/formulation.md and in its
   own module's docstring, so a component added without documentation fails;
2. every component docs/formulation.md names for a model block exists in the built models (as a
   Var, Constraint, Expression, Set, Param or Objective), so docs naming a removed or renamed
   component fail;
3. the same for the names in the module docstrings.

How names are read (loosely, on purpose):

- *code names*: in the docstrings (reStructuredText) the ``double-backquoted`` identifiers, in
  docs/formulation.md (Markdown) the `backquoted` ones; ``block.name`` names a component of that
  block, ``m.name`` one of the model, and an index (`policy.carbon_cap[2030]`) is dropped. In the
  docstrings only lower-case names count (``Expression`` is Pyomo's class, not a component), and a
  qualified name whose prefix is not a block (``policy.reserve_scope: system``, a scenario
  setting) is not a component name; file names (`storage.py`) never are;
- *constraint labels*: the ``\text{...}`` of the math, split at commas, each item stripped of
  parentheses and of a trailing unit (``[GW]``): an item is a name if it is an identifier with an
  underscore, a ``*`` (a wildcard: ``*\_definition`` stands for every matching component of the
  block, and must match at least one) or a unit (``\text{demand [GW]}``), which leaves out prose
  such as ``\text{where }`` or ``\text{per day [GWh]}``;
- which block a *bare* name belongs to: a docstring's names belong to its module's block. In
  docs/formulation.md a bare name or label belongs to the block whose module the section heading
  names (``### Compute block (`compute.py`)``), or, in a table row, to the block of a qualified name
  earlier in that row (`transmission.flow_forward`, `flow_backward`). Bare names of the doc are
  counted for check 1 only: most of them are inputs (`capex`) or settings (`hourly`). For check 2
  the doc's qualified names and its section's constraint labels count.
- a cost component is named by its role in the results (``investment``); its Expression is
  ``cost_investment``: a name resolves if the block has the component or ``cost_<name>``.

Code names of a docstring that are no component are listed in :data:`NOT_COMPONENTS`, each with the
reason.
"""

from __future__ import annotations

import fnmatch
import importlib
import re
from collections import defaultdict
from functools import cache
from pathlib import Path

import pyomo.environ as pyo
import pytest

from synergy_models.data.loader import load_inputs
from synergy_models.model.build import build_model

FORMULATION = Path(__file__).resolve().parent.parent / "docs" / "formulation.md"
MODEL = "m"  # the "block" of the model-level components
#: the modules that build the model-level components (the balance, the objective, the sets)
MODEL_LEVEL_MODULES = ("balance", "build")
SMALL = {"time.days": 1, "time.segments": 2, "years": {2025: 1, 2030: 1}}
#: (scenario, overrides): together they build every optional component
MODELS = {
    "annual green matching": ("milestones", {}),
    "hourly green matching": ("hourly_green_matching", {}),
    "fuel-cell backup share": ("hydrogen_push", {}),
    "hydrogen transport, carbon cap": ("milestones", {"h2_transport_cost": "0.0004 USD/kg/km",
                                                       "carbon_cap": 1000}),
    "reserve shared over lines": ("milestones", {"policy.reserve_scope": "network"}),
    "training moved between hubs": ("milestones", {"policy.training_relocation": "hourly"}),
    "operating reserves, AI forecasting": ("milestones", {"policy.operating_reserves": True,
                                                          "forecast_error_reduction": 0.2}),
}
#: code names a module docstring uses for things that are not components of its block
NOT_COMPONENTS = {
    ("transmission", "from"): "the column naming a line's sending hub (inputs), not a component",
    ("transmission", "to"): "the column naming a line's receiving hub (inputs), not a component",
    ("compute", "inference"): "a workload (``training`` is one too, and also a variable)",
    ("hydrogen", "carbon"): "the policy block's carbon cost, named from hydrogen's docstring",
    ("policy", "hub"): "a value of the scenario setting policy.reserve_scope",
    ("policy", "network"): "a value of the scenario setting policy.reserve_scope",
    ("policy", "reserve_shortfall_cost"): "an input parameter",
    ("policy", "demand_response_share"): "an input parameter (parameters.csv)",
    ("policy", "demand_response_cost"): "an input parameter (parameters.csv)",
    (MODEL, "demand"): "the role of consumption withdrawals in the registered terms",
    ("policy", "carbon_free_share"): "an input parameter (technologies.csv)",
    ("policy", "high_carbon_price"): "a shipped scenario",
    ("power", "lead_time"): "an input parameter (technologies.csv)",
    ("transmission", "line_contracted_energy"): "an input parameter (line_parameters.csv)",
    ("transmission", "line_lead_time"): "an input parameter (transmission.csv)",
    ("transmission", "line_contract_headroom"): "an input parameter (transmission.csv)",
    ("transmission", "line_schedule_floor"): "an input parameter (line_parameters.csv)",
    ("transmission", "line_tariff"): "an input parameter (line_parameters.csv)",
    ("policy", "line_schedule"): "an input parameter (line_parameters.csv scheduled_energy)",
    ("policy", "line_schedule_share"): "an input parameter (derived from lines.csv in_service)",
    ("transmission", "send_out_limit"): "an input parameter (region_parameters.csv)",
    ("transmission", "receipt_limit"): "an input parameter (region_parameters.csv)",
    ("transmission", "gross_send_out_limit"): "an input parameter (region_parameters.csv)",
    ("transmission", "gross_receipt_limit"): "an input parameter (region_parameters.csv)",
}
#: components that need not be named (none so far)
UNDOCUMENTED: dict[tuple[str, str], str] = {}

KINDS = (pyo.Var, pyo.Constraint, pyo.Objective)  # the components that must be documented
MD_SPAN = re.compile(r"(?<!`)`([^`]+)`(?!`)")
RST_SPAN = re.compile(r"``([^`]+)``")
NAME = re.compile(r"(?:(?P<block>[A-Za-z_]\w*)\.)?(?P<name>[A-Za-z_]\w*)(?:\[[^\]]*\])?")
FILE_NAME = re.compile(r"[\w/.-]+\.(?:py|md|ya?ml|csv|nc|ipynb)")
TEXT = re.compile(r"\\text\{([^{}]*)\}")
LABEL_ITEM = re.compile(r"(?P<name>[a-z*][a-z0-9_*]*)\s*(?P<unit>\[[^\]]*\])?")
HEADING = re.compile(r"^(#+\s.*)$", re.MULTILINE)
HEADING_MODULE = re.compile(r"`(?:[\w/]*/)?(\w+)\.py`")


# --- parsing -----------------------------------------------------------------------------------

def labels(text: str) -> list[str]:
    r"""Constraint names in the ``\text{...}`` labels of ``text`` (see the module docstring)."""
    names = []
    for content in TEXT.findall(text):
        for item in content.replace(r"\_", "_").split(","):
            item = re.sub(r"\([^)]*\)", "", item).strip()
            match = LABEL_ITEM.fullmatch(item)
            if match and ("_" in match["name"] or "*" in match["name"] or match["unit"]):
                names.append(match["name"])
    return names


def code_names(text: str, span: re.Pattern[str]) -> list[tuple[str | None, str]]:
    """(block or None, name) of the code spans of ``text`` that are identifiers."""
    out = []
    for raw in span.findall(text):
        raw = raw.strip()
        match = NAME.fullmatch(raw)
        if match and not FILE_NAME.fullmatch(raw):
            out.append((match["block"], match["name"]))
    return out


def docstring_names(block: str, blocks: set[str]) -> tuple[set[str], set[tuple[str, str]]]:
    """The names the docstring(s) of ``block``'s module(s) give: (own names, other blocks' names
    as (block, name))."""
    own: set[str] = set()
    other: set[tuple[str, str]] = set()
    blocks = blocks | {MODEL}
    for module in MODEL_LEVEL_MODULES if block == MODEL else (block,):
        doc = importlib.import_module(f"synergy_models.model.{module}").__doc__ or ""
        own.update(labels(doc))
        for prefix, name in code_names(doc, RST_SPAN):
            if prefix is None:
                if name[0].islower():
                    own.add(name)
            elif prefix == block:
                own.add(name)
            elif prefix in blocks:
                other.add((prefix, name))
    return own, other


def formulation_names(blocks: set[str]) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """docs/formulation.md's names by block: (qualified names and section labels, those plus the
    bare names of each block's section and table rows)."""
    checked: dict[str, set[str]] = defaultdict(set)
    named: dict[str, set[str]] = defaultdict(set)
    blocks = blocks | {MODEL}
    parts = HEADING.split(FORMULATION.read_text(encoding="utf-8"))  # [intro, heading, body, ...]
    for heading, body in zip(["", *parts[1::2]], parts[::2], strict=True):
        module = HEADING_MODULE.search(heading)
        name = module[1] if module else None
        section = MODEL if name in MODEL_LEVEL_MODULES else name if name in blocks else None
        for prefix, name in code_names(body, MD_SPAN):  # a code span may run over two lines
            if prefix in blocks:
                checked[prefix].add(name)
                named[prefix].add(name)
            elif prefix is None and section:
                named[section].add(name)
        for row in (line for line in body.splitlines() if line.startswith("|")):
            spans = code_names(row, MD_SPAN)
            row_block = next((b for b, _ in spans if b in blocks), None)
            if row_block:
                named[row_block].update(n for b, n in spans if b is None)
        if section:
            checked[section].update(labels(body))
            named[section].update(labels(body))
    return checked, named


def test_reading_labels_and_code_names():
    assert labels(r"\text{capacity\_definition [GW]} \text{hydro\_energy, per day [GWh]}") == [
        "capacity_definition", "hydro_energy"]
    assert labels(r"\text{export\_share [GWh], where } 0 < \chi_o \text{matched}") == ["export_share"]
    assert labels(r"\text{storage\_level (expression), storage\_limit [kt]} \text{(bound)}") == [
        "storage_level", "storage_limit"]
    assert labels(r"\text{demand [GW]} \text{*\_definition [GW], [kt]} \text{GW}") == [
        "demand", "*_definition"]
    assert code_names("`power.capacity`, `new`, `policy.carbon_cap[2030]`, `storage.py`, "
                      "`policy.green_matching: annual`, `docs/data.md`", MD_SPAN) == [
        ("power", "capacity"), (None, "new"), ("policy", "carbon_cap")]
    assert code_names("``capacity`` and ``Expression``", RST_SPAN) == [
        (None, "capacity"), (None, "Expression")]


# --- the built models --------------------------------------------------------------------------

@cache
def built() -> dict[str, pyo.ConcreteModel]:
    return {label: build_model(load_inputs(scenario, {**SMALL, **overrides}))
            for label, (scenario, overrides) in MODELS.items()}


@cache
def components() -> dict[str, dict[str, type]]:
    """Every component of the built models by block (``m``: model level): name -> Pyomo type."""
    out: dict[str, dict[str, type]] = defaultdict(dict)
    for m in built().values():
        for c in m.component_objects(descend_into=False):
            if c.ctype is pyo.Block:
                for cc in c.component_objects(descend_into=False):
                    out[c.local_name][cc.local_name] = cc.ctype
            else:
                out[MODEL][c.local_name] = c.ctype
    return dict(out)


def blocks() -> set[str]:
    return set(components()) - {MODEL}


def resolves(block: str, name: str) -> bool:
    """Whether ``name`` (maybe a wildcard) names a component of ``block``."""
    have = components().get(block, {})
    if "*" in name:
        return bool(fnmatch.filter(have, name))
    return name in have or f"cost_{name}" in have


def documented(name: str, names: set[str]) -> bool:
    return name in names or any(fnmatch.fnmatch(name, n) for n in names if "*" in n)


@pytest.fixture(scope="module")
def model_blocks() -> set[str]:
    found = blocks()
    assert {"power", "storage", "transmission", "compute", "hydrogen", "policy"} <= found
    # both kinds of green matching, the fuel cells' backup share, hydrogen transport
    assert {"green_matched", "certificates"} <= set(components()["compute"])
    assert "backup_share" in components()["hydrogen"]
    assert len(built()["hydrogen transport, carbon cap"].hydrogen.transport) > 0
    return found


def _must_document(all_blocks: set[str]) -> list[tuple[str, str]]:
    return sorted((block, name) for block in all_blocks | {MODEL}
                  for name, kind in components()[block].items()
                  if kind in KINDS and (block, name) not in UNDOCUMENTED)


def _show(pairs) -> str:
    return ", ".join(f"{b}.{n}" for b, n in sorted(pairs))


# --- 1. every component is documented ----------------------------------------------------------

def test_every_variable_and_constraint_is_named_in_formulation_md(model_blocks):
    _, named = formulation_names(model_blocks)
    missing = [(b, n) for b, n in _must_document(model_blocks) if not documented(n, named[b])]
    assert not missing, (f"components of the built model that docs/formulation.md does not name "
                         f"(as `block.name`, or in the block's section): {_show(missing)}")


def test_every_variable_and_constraint_is_named_in_its_module_docstring(model_blocks):
    names = {b: docstring_names(b, model_blocks)[0] for b in model_blocks | {MODEL}}
    missing = [(b, n) for b, n in _must_document(model_blocks) if not documented(n, names[b])]
    assert not missing, (
        "components of the built model that their module's docstring does not name (as ``name`` or "
        r"in a \text{name [unit]} label; m.*: balance.py or build.py): " + _show(missing))


# --- 2. and 3. every documented name exists ----------------------------------------------------

def test_names_in_formulation_md_exist_in_the_model(model_blocks):
    checked, _ = formulation_names(model_blocks)
    unknown = [(b, n) for b, names in checked.items() for n in names if not resolves(b, n)]
    assert not unknown, f"docs/formulation.md names components the built models lack: {_show(unknown)}"


def test_names_in_module_docstrings_exist_in_their_block(model_blocks):
    unknown = []
    for block in sorted(model_blocks | {MODEL}):
        own, other = docstring_names(block, model_blocks)
        module = "balance.py, build.py" if block == MODEL else f"{block}.py"
        wrong = sorted(n for n in own if (block, n) not in NOT_COMPONENTS and not resolves(block, n))
        wrong += sorted(f"{b}.{n}" for b, n in other if not resolves(b, n))
        if wrong:
            unknown.append(f"{module} ({block}): {', '.join(wrong)}")
    assert not unknown, ("module docstrings name components the built models lack:\n"
                         + "\n".join(unknown))
