"""Reports: run a parameterised notebook with papermill and turn it into HTML that works offline.

The notebooks in ``notebooks/`` call this module in their first cell:

- :func:`notebook_parameters` checks the parameters papermill injected (unknown names and values that
  do not parse stop there, with a clear message, not ten cells later);
- :func:`load_or_solve` reads solved results from ``reports/cache/`` when the same inputs were solved
  with the same solver settings by the same model code (:mod:`synergy_models.run`), and solves
  otherwise, so re-rendering a report does not re-solve and a change of model code does.

:func:`render_report` (``synergy report``) executes a notebook into ``reports/<scenario>/``, writes
``report.ipynb``, a self-contained ``report.html`` (code hidden; charts drawn live by vega-embed,
bundled inline once, over their static SVG, which print shows; a print stylesheet; no script
loaded from the network) and the charts as SVG and PNG files for slides; :func:`print_pdf`
(``--pdf``) prints the page to PDF with headless Chromium. A report is written into a
temporary folder and swapped in whole when it has run through: a failing notebook leaves the last
good report (notebook, HTML and every chart) in place and keeps the failed one beside it as
``report.failed.ipynb``.
"""

from __future__ import annotations

import ast
import base64
import contextlib
import copy
import difflib
import functools
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from html import escape as html_escape
from pathlib import Path
from typing import Any

import xarray as xr

from synergy_models.errors import InputError, Problem, SynergyError
from synergy_models.io import replacing, usual_mode
from synergy_models.progress import Steps

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
#: Names IPython itself puts in a notebook's namespace (not parameters).
_IPYTHON_NAMES = {"In", "Out", "get_ipython", "exit", "quit", "open"}
#: Notebook parameters that map to scenario settings; any other is a parameter override.
SETTING_PARAMETERS = {"years": "years", "time_days": "time.days", "time_segments": "time.segments",
                      "time_resolution": "time.resolution"}


class ReportError(SynergyError):
    """A report could not be rendered: the message names the notebook cell that failed."""


#: The notebooks of ``notebooks/`` that render reports.
NOTEBOOK_NAMES = ("scenario_report", "scenario_comparison", "market_outlook", "sweep_report",
                  "getting_started", "ai_for_grid")
#: The names notebooks pass to :func:`setup` for their own parameters (``report.SCENARIO_REPORT``).
_DECLARED_NAMES = {name.upper(): name for name in NOTEBOOK_NAMES}


@functools.cache
def _declared(notebook: str) -> dict[str, Any]:
    import papermill

    path = NOTEBOOK_DIR / f"{notebook}.ipynb"
    declared = {}
    for name, parameter in papermill.inspect_notebook(str(path)).items():
        try:
            declared[name] = ast.literal_eval(parameter["default"])
        except (ValueError, SyntaxError):
            raise ReportError(f"{path.name}: the default of parameter '{name}' is not a literal "
                              f"value: {parameter['default']}") from None
    return declared


class _NotebookParameters(Mapping[str, dict[str, Any]]):
    """Each notebook's parameters with their defaults, as its ``parameters`` cell declares them:
    read with ``papermill.inspect_notebook`` at first use (and kept). Settings (years, time_*) and
    ``carbon_price`` change the scenario; ``overrides`` takes any other parameter (``synergy
    validate --list-parameters``). Each look-up is a fresh copy, safe to change."""

    def __getitem__(self, notebook: str) -> dict[str, Any]:
        if notebook not in NOTEBOOK_NAMES:
            raise KeyError(notebook)
        return copy.deepcopy(_declared(notebook))

    def __iter__(self) -> Iterator[str]:
        return iter(NOTEBOOK_NAMES)

    def __len__(self) -> int:
        return len(NOTEBOOK_NAMES)


NOTEBOOKS: Mapping[str, dict[str, Any]] = _NotebookParameters()


def __getattr__(name: str) -> dict[str, Any]:
    """``SCENARIO_REPORT``, ``MARKET_OUTLOOK``...: the parameters of that notebook (``NOTEBOOKS``),
    as the notebooks pass them to :func:`setup`."""
    if name in _DECLARED_NAMES:
        return NOTEBOOKS[_DECLARED_NAMES[name]]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: What each notebook parameter must hold (checked by :func:`notebook_parameters`): its type(s)
#: and, for messages, in words. Every parameter a notebook declares has its entry (a test checks).
PARAMETER_KINDS: dict[str, tuple[type | tuple[type, ...], str]] = {
    "scenario": ((str, os.PathLike), "a scenario name or a YAML path"),
    "scenarios": ((list, tuple), "a list of scenario names or paths"),
    "time_days": (int, "a whole number of representative days"),
    "time_segments": (int, "a whole number of steps per day"),
    "carbon_price": ((int, float), "a number in USD/t"),
    "years": ((list, dict), "a list of years or a mapping year -> years it stands for"),
    "overrides": (dict, "a mapping of parameter names to values"),
    "hub": (str, "a hub id such as IM"),
    "output_dir": ((str, os.PathLike), "a folder"),
    "cache_dir": ((str, os.PathLike), "a folder"),
    "end_value": ((int, float), "the projected market in its end year, in USD"),
    "end_year": (int, "a year"),
    "cagr": ((int, float), "a growth rate per year, e.g. 0.42"),
    "segments": ((str, os.PathLike), "a segment definition YAML file"),
    "search_parameter": (str, "compute_growth, compute_scale or a scenario parameter"),
    "search_bracket": ((list, tuple), "[low, high] values of the searched parameter"),
    "search_days": (int, "representative days per solve of the search"),
    "sweep": ((str, os.PathLike), "a sweep file (YAML)"),
    "workers": (int, "a whole number of local worker processes"),
    "scheduler": (str, "a Dask scheduler address such as tcp://10.0.0.5:8786"),
    "out_dir": ((str, os.PathLike), "a folder"),
    "x": (str, "a swept parameter"),
    "color": (str, "a swept parameter"),
    "forecast_holdout": (str, "every:K (every K-th week held out) or last:N (the last N days)"),
}


def notebook_parameters(namespace: dict[str, Any], declared: dict[str, Any]) -> dict[str, Any]:
    """Check a notebook's parameters and turn them into scenario overrides.

    ``namespace`` is the notebook's ``globals()`` right after the parameters cell (and the cell
    papermill injects); ``declared`` maps each parameter the notebook declares to its default.
    Returns every declared value plus ``overrides`` (settings and parameters for
    :func:`synergy_models.scenario.load_scenario`, applied to every scenario of the notebook);
    raises :class:`InputError` for an injected name the notebook does not declare, or a value of the
    wrong kind. Whether a parameter exists and its value parses is checked by :func:`check_scenarios`.
    """
    problems = []
    for name in sorted(namespace):
        if name.startswith("_") or name in _IPYTHON_NAMES or name in declared:
            continue
        value = namespace[name]
        if callable(value) or type(value).__name__ == "module":
            continue
        close = difflib.get_close_matches(name, list(declared), n=1)
        problems.append(Problem("notebook parameters", f"unknown parameter '{name}'"
                                + (f"; did you mean '{close[0]}'?" if close else ""),
                                expected="one of " + ", ".join(declared)))
    values = {name: namespace.get(name, default) for name, default in declared.items()}
    for name, value in values.items():
        if value is None or name not in PARAMETER_KINDS:
            continue
        kind, text = PARAMETER_KINDS[name]
        if isinstance(value, bool) or not isinstance(value, kind):
            problems.append(Problem("notebook parameters", "wrong kind of value", column=name,
                                    value=value, expected=text))
    if problems:
        raise InputError(problems)
    overrides = scenario_overrides(values)
    if values.get("carbon_price") is not None:
        overrides["carbon_price"] = float(values["carbon_price"])
    return {**values, "overrides": overrides}


def scenario_overrides(values: dict[str, Any]) -> dict[str, Any]:
    """The scenario overrides a notebook's parameter values stand for: its ``overrides`` plus the
    settings (``years``, ``time_*``) and ``carbon_price`` it declares; other declared names steer
    the notebook only."""
    overrides = dict(values.get("overrides") or {})
    for name, key in SETTING_PARAMETERS.items():
        if values.get(name) is not None:
            overrides[key] = values[name]
    if values.get("carbon_price") is not None:
        overrides["carbon_price"] = values["carbon_price"]
    return overrides


def setup(namespace: dict[str, Any], declared: dict[str, Any]) -> dict[str, Any]:
    """The first cell of every notebook: check its parameters and the scenarios they name (unknown
    names and values that do not parse stop here with a clear message), and draw charts as SVG so
    the report shows them with no network, and with a PNG copy so that JupyterLab shows them in
    an untrusted notebook. Returns :func:`notebook_parameters`' dict."""
    from synergy_models.charts import use_notebook_renderer

    run = notebook_parameters(namespace, declared)
    if "sweep" in run:
        from synergy_models.sweep import load_sweep

        load_sweep(project_file(run["sweep"]))
    else:
        names = run["scenarios"] if "scenarios" in run else [run["scenario"]]
        check_scenarios(names, run["overrides"])
    use_notebook_renderer()
    return run


def hub_region(hub: str, inputs: Any) -> str:
    """The region a notebook's ``hub`` parameter shows: the region itself, or, in a dataset whose
    regions are provinces (or groups of them), the member of that hub holding its data-centre
    cluster (the most existing IT capacity; else the most demand): ``IM`` is ``NM`` in the province
    dataset. :class:`InputError` naming the regions when there is neither."""
    regions = [str(r) for r in inputs.region.values]
    if hub in regions:
        return hub
    members = [r for r in regions if "hub" in inputs
               and str(inputs.hub.sel(region=r).item()) == hub]
    if members:
        size = (inputs.dc_capacity_existing if "dc_capacity_existing" in inputs
                else inputs.demand.isel(year=0))
        return max(members, key=lambda r: (float(size.sel(region=r)),
                                           float(inputs.demand.sel(region=r).isel(year=0))))
    check_hub(hub, inputs)
    return hub


def check_hub(hub: str | None, inputs: Any) -> None:
    """:class:`InputError` unless ``hub`` (a notebook's ``hub`` parameter) is a region of
    ``inputs`` or a hub of its regions (the report failed after the solve, its files left
    behind)."""
    regions = [str(r) for r in inputs.region.values]
    hubs = {str(h) for h in inputs.hub.values} if "hub" in inputs else set()
    if hub is not None and hub not in regions and hub not in hubs:
        close = difflib.get_close_matches(str(hub).upper(), regions, n=1)
        raise InputError(Problem("notebook parameters", f"no hub '{hub}' in dataset "
                                 f"{inputs.attrs.get('dataset', '')}".rstrip()
                                 + (f"; did you mean '{close[0]}'?" if close else ""),
                                 column="hub", value=hub, expected="one of " + ", ".join(regions)))


def check_scenarios(names: list[Any], overrides: dict[str, Any]) -> None:
    """Load each scenario with the overrides (raises :class:`InputError` naming what is wrong)."""
    from synergy_models.scenario import load_scenario

    for name in names:
        load_scenario(name, overrides or None)


def show(chart: Any, name: str, output_dir: str | os.PathLike | None = None) -> None:
    """Display a chart in the notebook and, if ``output_dir`` is set, save it there as SVG and PNG
    (for slides)."""
    from IPython.display import display

    from synergy_models.charts import mimebundle_and_metadata, save_chart

    # the static picture for JupyterLab and print, the spec for the HTML report's live chart
    data, metadata = mimebundle_and_metadata(chart)
    display(data, raw=True,
            metadata={**metadata, "alt": chart_title(chart) or name.replace("_", " ")})
    if output_dir is not None:
        for suffix in (".svg", ".png"):
            save_chart(chart, Path(output_dir) / f"{name}{suffix}")


def chart_title(chart: Any) -> str:
    """A chart's title and subtitle as plain text (the report's alternative text for the image)."""
    title = getattr(chart, "title", None)
    text = getattr(title, "text", title)
    if not isinstance(text, str):
        return ""
    subtitle = getattr(title, "subtitle", None)
    lines = [subtitle] if isinstance(subtitle, str) else list(subtitle or []) if isinstance(
        subtitle, list) else []
    return ". ".join([text, *lines])


def table(frame: Any, digits: int = 1) -> Any:
    """A table for a report: numbers rounded, thousands separated, no index name clutter; solver
    noise and ``-0`` shown as 0, rows without any number left out, missing values as "–", units
    "1" shown as "share"."""
    from synergy_models.tidy import clean_noise

    frame = tidy_table(clean_noise(frame), digits)
    return frame.style.format(precision=digits, thousands=",", na_rep="–")


def tidy_table(frame: Any, digits: int = 1) -> Any:
    """:func:`table`'s frame before styling: numbers rounded to ``digits`` with no ``-0``, rows
    whose numbers are all missing dropped, units "1" (an index level or column named ``units``,
    or "(1)" in a label) as "share"."""
    import pandas as pd

    frame = frame.copy()
    numeric = [c for c in frame.columns if pd.api.types.is_float_dtype(frame[c])]
    if numeric:
        frame[numeric] = frame[numeric].round(digits) + 0.0
        frame = frame[~frame[numeric].isna().all(axis=1)]
    if "units" in (frame.index.names or []):
        frame = frame.rename(index={"1": "share"}, level="units")
    if "units" in frame.columns:
        frame["units"] = frame["units"].replace({"1": "share"})

    def label(x: Any) -> Any:
        return x.replace("(1)", "(share)") if isinstance(x, str) else x

    frame.columns = frame.columns.map(
        lambda c: tuple(label(x) for x in c) if isinstance(c, tuple) else label(c))
    return frame


def checks_markdown(results: xr.Dataset) -> str:
    """Plain statements a reader can trust the numbers by: the balance closes, unserved energy,
    the objective equals the discounted cost components. Deterministic text (nbval checks it)."""
    residual = float(abs(results.balance.sum("term")).max())
    unserved = float(results.unserved_annual.sum())
    pv = float((results.cost.sum("component") * results.year_present_value).sum())
    objective = float(results.attrs["objective"])
    lines = [
        f"- power balance closes in every hub and step: {'yes' if residual < 1e-6 else 'NO'}",
        f"- unserved energy: {'none' if unserved < 1e-3 else f'{unserved:,.1f} TWh'}",
        "- objective equals the discounted cost components: "
        + ("yes" if abs(pv - objective) <= 1e-6 * max(1.0, abs(objective)) else "NO"),
    ]
    return "\n".join(lines)


def project_file(path: str | os.PathLike) -> Path:
    """A path as given when it exists from here, else relative to the project folder (notebooks run
    in ``notebooks/``, analysts type paths from the project folder)."""
    path = Path(path)
    if path.is_absolute() or path.exists():
        return path
    return NOTEBOOK_DIR.parent / path


def sweep_checks_markdown(ds: xr.Dataset) -> str:
    """How many cases finished and failed (deterministic text: nbval checks it)."""
    status = [str(s) for s in ds.status.values]
    finished = sum(s in ("solved", "resumed") for s in status)
    failed = [f"case {c}" for c, s in zip(ds.case.values, status, strict=True) if s == "failed"]
    return "\n".join([f"- cases: {len(status)}", f"- finished: {finished}",
                      f"- failed: {len(failed)}" + (f" ({', '.join(failed)})" if failed else "")])


#: Units of swept parameters, for sentences about a sweep (others are shown without).
SWEPT_UNITS: dict[str, str] = {"carbon_price": "USD/t"}
#: Technologies (or sums of them) that :func:`sweep_capacity_markdown` reports, in this order.
SWEEP_TECH_GROUPS: dict[str, tuple[str, ...]] = {"coal": ("coal",), "gas": ("gas",),
                                                 "wind+solar": ("wind", "solar"),
                                                 "battery": ("battery",)}


def _number(v: object) -> str:
    return f"{v:,g}" if isinstance(v, int | float) and not isinstance(v, bool) else str(v)


def _change(first: float, last: float, unit: str) -> str:
    span = f"{first:,.1f} → {last:,.1f} {unit}"
    if abs(first) < 1e-9:
        return f"from 0 ({span})"
    return f"{100 * (last / first - 1):+.1f}% ({span})"


def sweep_capacity_markdown(table: Any, x: str, tolerance: float = 0.1) -> str:
    """How capacity (and generation) by technology change from the lowest to the highest value of
    the swept parameter ``x``: coal, gas, wind+solar and battery (those present), in percent and
    GW (TWh), all hubs, last modelled year. ``table``: :func:`synergy_models.sweep.technology_table`;
    every other swept parameter is held at its middle value (:func:`~synergy_models.sweep.at_middle`,
    named in the text); failed cases are left out. Says so plainly when no technology's capacity
    changes by more than ``tolerance`` percent. Rounded to 0.1 (GW, TWh, %)."""
    from synergy_models.sweep import at_middle

    ok = table[table.status.isin(["solved", "resumed"])]
    ok, fixed = at_middle(ok, [x])
    ok = ok[ok.capacity_GW.notna()]
    if ok[x].nunique() < 2:
        return f"Too few finished cases to compare capacities across `{x}`."
    lo, hi = ok[x].min(), ok[x].max()
    unit = f" {SWEPT_UNITS[x]}" if x in SWEPT_UNITS else ""
    held = ", ".join(f"{k} = {_number(v)}" for k, v in fixed.items())
    lines = [f"From `{x}` = {_number(lo)} to {_number(hi)}{unit}"
             + (f" ({held})" if held else "") + ", all hubs, last modelled year:"]
    moved = []
    for column, unit_name, what in (("capacity_GW", "GW", "capacity"),
                                    ("generation_TWh", "TWh", "generation")):
        if column not in ok or ok[column].isna().all():
            continue
        parts = []
        for label, techs in SWEEP_TECH_GROUPS.items():
            rows = ok[ok.tech.isin(techs)]
            if rows[column].isna().all():
                continue
            first = float(rows.loc[rows[x] == lo, column].sum())
            last = float(rows.loc[rows[x] == hi, column].sum())
            parts.append(f"{label} {_change(first, last, unit_name)}")
            if column == "capacity_GW":
                moved.append(abs(last - first) > tolerance / 100 * max(abs(first), 1e-9))
        if parts:
            lines.append(f"- {what}: " + ", ".join(parts))
    if moved and not any(moved):
        lines.append(f"- **capacities do not move with `{x}` in this sweep**: each of these within "
                     f"{tolerance:g}% from {_number(lo)} to {_number(hi)}{unit}")
    return "\n".join(lines)


def load_or_solve(scenario: str | Path, overrides: dict[str, Any] | None = None,
                  cache_dir: str | os.PathLike | None = None, quiet: bool = False
                  ) -> tuple[xr.Dataset, xr.Dataset]:
    """(inputs, results) of a scenario through the results cache (``reports/cache/`` unless
    ``cache_dir``): :func:`synergy_models.run.load_or_solve`, the one pipeline."""
    from synergy_models.run import load_or_solve as pipeline

    return pipeline(scenario, overrides, cache_dir, quiet)


def _text(value: object) -> str:
    """Text from a scenario (its name, description, overrides) made safe for a Markdown table
    cell: HTML escaped (a ``<script>`` in a description stays text), no table or code breaks."""
    return html_escape(str(value)).replace("|", "&#124;").replace("`", "&#96;").replace("\n", " ")


def _code(value: object) -> str:
    return f"<code>{_text(value)}</code>"


def require_operating_reserves(solved: Mapping[str, xr.Dataset]) -> None:
    """:class:`InputError` unless there are two scenarios or more and each holds operating
    reserves (the AI-for-the-grid notebook compares a reference with a forecasting lever)."""
    from synergy_models.indicators import has_operating_reserves

    problems = []
    if len(solved) < 2:
        problems.append(Problem("notebook parameters", "needs two scenarios", column="scenarios",
                                value=list(solved), expected="a reference and a lever, e.g. "
                                "['reserves', 'ai_forecasting']"))
    for name, results in solved.items():
        if not has_operating_reserves(results):
            problems.append(Problem(f"scenario {name}", "holds no operating reserves",
                                    expected="policy.operating_reserves: true (extends: reserves)"))
    if problems:
        raise InputError(problems)


def resolution_text(inputs: xr.Dataset) -> str:
    """The spatial and time resolution of a run in words, e.g. "15 regions (31 dataset regions
    grouped by the hubs mapping); 3 modelled years x 64 time steps (representative_days)"."""
    n = int(inputs.sizes["region"])
    name = inputs.attrs.get("spatial_aggregation", "none")
    if name == "none":
        space = f"{n} regions (as in the dataset)"
    else:
        members = int(inputs.aggregation_members.sum()) if "aggregation_members" in inputs else n
        space = f"{n} regions ({members} dataset regions grouped by the {name} mapping)"
    years = int(inputs.sizes["year"])
    return (f"{space}; {years} modelled year{'s' if years != 1 else ''} x "
            f"{int(inputs.sizes['time'])} time steps ({inputs.attrs.get('time_resolution', '')})")


def header_markdown(inputs: xr.Dataset, results: xr.Dataset, overrides: dict[str, Any]) -> str:
    """The run's parameters, inputs hash and versions, for the top of a report."""
    rows = [
        ("scenario", f"{_code(inputs.attrs['scenario'])}: "
                     f"{_text(inputs.attrs.get('scenario_description', ''))}"),
        ("parameters", ", ".join(_code(f"{k}={v}") for k, v in overrides.items())
         or "scenario defaults"),
        ("dataset", _code(inputs.attrs["dataset"])),
        ("resolution", _text(resolution_text(inputs))),
        ("inputs hash", _code(inputs.attrs["inputs_hash"][:16])),
        ("versions", f"synergy-models {results.attrs['package_version']}, Pyomo "
                     f"{results.attrs['pyomo_version']}, highspy {results.attrs['highspy_version']}"),
        ("objective", f"{results.attrs['objective']:,.0f} MUSD (present value)"),
    ]
    return "| | |\n|---|---|\n" + "\n".join(f"| {k} | {v} |" for k, v in rows)


def _execute(notebook: Path, output: Path, parameters: dict[str, Any], cwd: Path,
             steps: Steps | None = None) -> None:
    import papermill as pm

    steps = steps or Steps(quiet=True)
    headings = cell_headings(notebook)
    total = len(headings) + (1 if parameters else 0)  # papermill injects a parameters cell
    count = 0

    def started(cell: Any, **_: Any) -> None:
        nonlocal count
        count += 1
        heading = headings.get(cell.source, "parameters")  # the injected cell is not in the file
        say(f"cell {count} of {total}" + (f": {heading}" if heading else ""))

    try:
        with steps.part(f"executing {notebook.name}") as say:
            # The kernel's own log level: its start-up warning about local TCP sockets (the kernel
            # and this process on one machine) would otherwise be the first thing a user sees.
            pm.execute_notebook(str(notebook), str(output), parameters=parameters, cwd=str(cwd),
                                kernel_name="python3", language="python", progress_bar=False,
                                extra_arguments=["--IPKernelApp.log_level=ERROR"],
                                on_cell_execute=started)
    except pm.PapermillExecutionError as err:
        raise ReportError(f"{notebook.name} failed in cell {err.exec_count} ({err.ename}): "
                          f"{err.evalue}") from None


def cell_headings(notebook: Path) -> dict[str, str]:
    """Each code cell's source -> the heading of the Markdown cell above it (progress messages
    name the section being run)."""
    import nbformat

    headings: dict[str, str] = {}
    heading = ""
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type == "markdown":
            first = next((ln for ln in cell.source.splitlines() if ln.startswith("#")), "")
            heading = first.lstrip("#").strip() or heading
        elif cell.cell_type == "code" and cell.source.strip():
            headings[cell.source] = heading
    return headings


def export_html(notebook: Path, html: Path) -> Path:
    """A notebook as HTML with the code hidden and no script loaded from the network: each chart
    shown with :func:`show` drawn live by vega-embed (tooltips, zoom; the scripts inline, once per
    page) over its static picture, which print and browsers without scripts show instead; a print
    stylesheet for landscape A4 that prints wide tables in parts (:data:`PRINT_COLUMNS`)."""
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    # The default template loads require.js and MathJax from CDNs: offline they only fail.
    exporter.require_js_url = ""
    exporter.mathjax_url = ""
    book = nbformat.read(notebook, as_version=4)
    for cell in book.cells:  # progress (stderr, progress outputs) is for the analyst, not the reader
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs
                            if not (o.output_type == "stream" and o.get("name") == "stderr")
                            and not is_progress_output(o)]
    live = _live_charts(book)
    alts = [o.get("metadata", {}).get("alt", "chart") for c in book.cells if c.cell_type == "code"
            for o in c.outputs if "image/svg+xml" in o.get("data", {})]
    body, _ = exporter.from_notebook_node(book)
    body = _image_alt_text(body, alts)
    # emptied or remote script sources: nothing to load offline, and nothing to fail
    body = re.sub(r'<script[^>]+src="(https?://[^"]*)?"[^>]*>\s*</script>', "", body)
    # MathJax is not loaded, so its configuration block has nothing to configure
    body = re.sub(r'<!-- (Load mathjax|MathJax configuration|End of mathjax configuration) -->|'
                  r'<script type="text/x-mathjax-config">.*?</script>', "", body, flags=re.DOTALL)
    # the template's Mermaid loader imports from a CDN when a page has diagrams; reports have none
    body = re.sub(r'<script type="module">(?:(?!</script>).)*?mermaid.*?</script>', "", body,
                  flags=re.DOTALL)
    body = _printable_tables(body)
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", body, re.DOTALL)
    if heading:  # the tab's and the PDF's title: the report's, not "Notebook"
        title = re.sub(r"<[^>]+>|¶", "", heading.group(1)).strip()
        body = re.sub(r"<title>.*?</title>", lambda _: f"<title>{title}</title>", body, count=1,
                      flags=re.DOTALL)
    body = body.replace("</head>", f"<style>{_PAGE_CSS}</style>\n</head>", 1)
    if live:
        from synergy_models.charts import vega_javascript

        scripts = (f'<script type="module">{vega_javascript()}</script>\n'
                   f'<script type="module">{_CHARTS_JS}</script>\n')
        body = body.replace("</body>", scripts + "</body>", 1)
    with replacing(html) as tmp:
        tmp.write_text(body, encoding="utf-8")
    return html


def is_progress_output(output: Any) -> bool:
    """Whether a notebook output is :class:`~synergy_models.progress.Steps`' progress."""
    meta = output.get("metadata", {}).get("synergy_models", {})
    return isinstance(meta, dict) and bool(meta.get("progress"))


#: Columns of a table printed side by side at most: a wider table (the indicators by hub and year)
#: prints in parts of whole column groups, its row labels repeated, each part fitting a landscape
#: A4 page; the screen shows it whole.
PRINT_COLUMNS = 12

#: Screen: a live chart hides its static picture once drawn. Print (landscape A4): the static
#: pictures, scaled to the page width with their legends, never split; tables in small type, wide
#: ones in parts; headings kept with what follows them.
_PAGE_CSS = """
@page { size: A4 landscape; margin: 10mm; }
figure.synergy-chart { margin: 0 0 1em 0; }
figure.synergy-chart .chart-live { max-width: 100%; overflow-x: auto; }
figure.synergy-chart.live .chart-static { display: none; }
.table-print { display: none; }
.jp-RenderedHTMLCommon th[colspan] { text-align: center; border-bottom: 1px solid #bbb; }
@media print {
  body { font-size: 9pt; }
  figure.synergy-chart .chart-live { display: none !important; }
  figure.synergy-chart .chart-static { display: block !important; max-width: 100%;
    max-height: 180mm; height: auto; width: auto; }
  figure.synergy-chart, img, svg, tr { break-inside: avoid; }
  h1, h2, h3, h4 { break-after: avoid; }
  .jp-OutputArea-output, .jp-RenderedHTMLCommon, .jp-Cell-outputWrapper, .jp-OutputArea {
    overflow: visible !important; max-width: 100% !important; }
  .jp-RenderedHTMLCommon table, table { font-size: 7.5pt; table-layout: auto !important;
    width: auto !important; max-width: 100%; }
  .jp-RenderedHTMLCommon td, .jp-RenderedHTMLCommon th, td, th { padding: 1px 4px !important;
    white-space: normal !important; overflow-wrap: anywhere; }
  thead { display: table-header-group; }
  .table-screen { display: none !important; }
  .table-print { display: block !important; }
  .table-print table { margin-bottom: 4mm; }
}
"""

#: Draws every chart of the page with vega-embed (SVG, tooltips on, no action menu); a chart that
#: fails keeps its static picture. ``window.synergyCharts`` holds the views (tests read them).
_CHARTS_JS = """
const views = [];
for (const figure of document.querySelectorAll("figure.synergy-chart")) {
  const spec = JSON.parse(figure.querySelector("script.chart-spec").textContent);
  try {
    const result = await vegaEmbed(figure.querySelector(".chart-live"), spec,
                                   {renderer: "svg", actions: false});
    figure.classList.add("live");
    figure.vegaView = result.view;
    views.push(result.view);
  } catch (error) {
    figure.dataset.error = String(error);
    console.error("chart", figure.id, error);
  }
}
window.synergyCharts = views;
document.documentElement.dataset.chartsDrawn = String(views.length);
"""


def _live_charts(book: Any) -> int:
    """Turn each chart output of :func:`show` (a static picture and the spec) into HTML that draws
    the spec live over the picture; returns how many."""
    from synergy_models.charts import SPEC_MIME

    count = 0
    for cell in book.cells:
        if cell.cell_type != "code":
            continue
        for output in cell.outputs:
            data = output.get("data", {})
            if SPEC_MIME not in data:
                continue
            alt = output.get("metadata", {}).get("alt", "chart")
            output["data"] = {"text/html": _chart_html(data, alt, count)}
            count += 1
    return count


def _chart_html(data: Mapping[str, Any], alt: str, index: int) -> str:
    from synergy_models.charts import SPEC_MIME

    # "<" escaped: a label holding "</script>" cannot end the spec's element early
    spec = json.dumps(data[SPEC_MIME], separators=(",", ":")).replace("<", "\\u003c")
    text = html_escape(alt, quote=True)
    if "image/svg+xml" in data:
        svg = data["image/svg+xml"]
        svg = "".join(svg) if isinstance(svg, list) else svg
        src = "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
    elif "image/png" in data:
        src = "data:image/png;base64," + "".join(str(data["image/png"]).split())
    else:
        src = ""
    image = f'<img class="chart-static" alt="{text}" src="{src}">' if src else ""
    return (f'<figure class="synergy-chart" id="chart-{index}" aria-label="{text}">'
            f'<div class="chart-live"></div>{image}'
            f'<script type="application/json" class="chart-spec">{spec}</script></figure>')


_TABLE = re.compile(r"<table\b[^>]*>.*?</table>", re.DOTALL)
_COLUMN_CELL = re.compile(r'<(t[hd])\b[^>]*\bclass="[^"]*\bcol(\d+)\b[^"]*"[^>]*>.*?</\1>',
                          re.DOTALL)
_GROUP_HEAD = re.compile(r'<th\b[^>]*\bclass="col_heading level0 col(\d+)"[^>]*>')


def _printable_tables(body: str) -> str:
    """Give each table wider than :data:`PRINT_COLUMNS` data columns (pandas' Styler marks a
    column's cells ``colN``) print-only copies, each with a run of whole column groups (the
    first header row's spans) and every row label."""
    def split(match: re.Match[str]) -> str:
        table = match.group(0)
        columns = sorted({int(c) for _, c in _COLUMN_CELL.findall(table)})
        if len(columns) <= PRINT_COLUMNS or columns != list(range(len(columns))):
            return table
        starts = sorted({int(c) for c in _GROUP_HEAD.findall(table)} | {0})
        groups = [range(a, b) for a, b in zip(starts, [*starts[1:], len(columns)], strict=True)]
        if any(len(g) > PRINT_COLUMNS for g in groups):  # a group too wide: single columns
            groups = [range(c, c + 1) for c in columns]
        size = -(-len(columns) // -(-len(columns) // PRINT_COLUMNS))  # balanced parts
        parts: list[list[int]] = [[]]
        for group in groups:
            if parts[-1] and len(parts[-1]) + len(group) > size:
                parts.append([])
            parts[-1].extend(group)
        copies = []
        for part in parts:
            keep = set(part)
            copy = _COLUMN_CELL.sub(
                lambda m, keep=keep: m.group(0) if int(m.group(2)) in keep else "", table)
            copies.append(re.sub(r' id="T_\w+"', "", copy))  # ids stay unique in the page
        return (f'<div class="table-screen">{table}</div><div class="table-print">'
                + "".join(copies) + "</div>")

    return _TABLE.sub(split, body)


def _image_alt_text(html: str, alts: list[str]) -> str:
    """Give each chart image (in output order) its chart's title as alternative text, in place of
    nbconvert's generic one."""
    pattern = re.compile(r'<img alt="[^"]*" src="data:image/svg\+xml')
    found = iter(alts)

    def alt(match: re.Match[str]) -> str:
        text = next(found, "chart")
        return f'<img alt="{html_escape(text, quote=True)}" src="data:image/svg+xml'

    return pattern.sub(alt, html)


def notebook_arguments(notebook: str, scenarios: list[str], params: dict[str, Any] | None,
                       charts_dir: Path | None) -> dict[str, Any]:
    """Papermill parameters for ``notebook``: its declared names pass as they are, any other
    (``carbon_price`` where not declared, ``time.days``, ``green_share_target``...) goes in ``overrides``."""
    declared = NOTEBOOKS[notebook]
    args: dict[str, Any] = {}
    if "scenarios" in declared:
        args["scenarios"] = list(scenarios)
    elif "scenario" in declared:
        if len(scenarios) != 1:
            raise InputError([Problem(f"notebook {notebook}", "takes one scenario",
                                      value=" ".join(scenarios))])
        args["scenario"] = scenarios[0]
    if "output_dir" in declared and charts_dir is not None:
        args["output_dir"] = str(charts_dir)
    overrides: dict[str, Any] = {}
    for key, value in (params or {}).items():
        if key in declared and key not in ("scenario", "scenarios", "overrides"):
            args[key] = value
        else:
            overrides[key] = value
    if overrides:
        args["overrides"] = overrides
    return args


def render_report(scenarios: str | list[str], params: dict[str, Any] | None = None,
                  out: Path | None = None, notebook: str | None = None,
                  steps: Steps | None = None) -> Path:
    """Execute a notebook with papermill into ``out`` and write ``report.ipynb``, ``report.html``
    (code hidden, live charts over inline SVG, nothing loaded from the network; :func:`export_html`)
    and ``charts/`` (SVG and
    PNG). One scenario renders ``scenario_report`` into ``reports/<scenario>``; several render
    ``scenario_comparison`` into ``reports/compare-<a>-<b>...``. Returns the folder.

    Parameters and every scenario's inputs are checked before a folder is made or a kernel starts
    (:class:`InputError`, nothing written). Each scenario is then solved here, through the results
    cache (:func:`synergy_models.run.solve_cached`), so the solve shows its progress in ``steps``
    and the notebook reads the cache; once the report is written its results go beside it,
    ``results.nc`` (``results-<scenario>.nc`` for each of several), for ``synergy export``.
    A notebook that fails later keeps the last good report and leaves ``report.failed.ipynb``
    beside it (the failing cell shows its error); the :class:`ReportError` names the cell.
    ``steps``: progress (solving, each cell executed, rendering); none shown by default.
    """
    from synergy_models.run import scenario_inputs
    from synergy_models.scenario import load_scenario

    steps = steps or Steps(quiet=True)
    names = [scenarios] if isinstance(scenarios, str) else list(scenarios)
    notebook = notebook or ("scenario_report" if len(names) == 1 else "scenario_comparison")
    if notebook == "sweep_report":
        raise InputError([Problem("synergy report", "the sweep report renders from a sweep file",
                                  expected="synergy sweep SWEEP.yaml --report")])
    if notebook not in NOTEBOOKS:
        raise InputError([Problem("synergy report", f"no notebook '{notebook}'",
                                  expected="one of " + ", ".join(NOTEBOOKS))])
    # the kernel runs in notebooks/: scenario files given by path must not depend on the caller's cwd
    names = [str(Path(n).resolve()) if Path(str(n)).is_file() else str(n) for n in names]
    parameters = notebook_arguments(notebook, names, params, None)
    # The notebook's first-cell checks and the inputs it loads, here before a folder or a kernel
    # exists: a bad dataset or a value that does not parse fails in seconds and writes nothing.
    run = notebook_parameters(parameters, NOTEBOOKS[notebook])
    loaded = [load_scenario(n, run["overrides"] or None) for n in names]
    inputs = [scenario_inputs(s, run.get("cache_dir"), steps) for s in loaded]
    for one in inputs:
        check_hub(run.get("hub"), one)
    label = loaded[0].name if len(loaded) == 1 else "compare-" + "-".join(s.name for s in loaded)
    if notebook == "getting_started":
        label = "getting_started"
    elif notebook == "market_outlook":
        label = f"{label}/market_outlook"
    folder = (out or Path("reports") / label).resolve()
    if "output_dir" in NOTEBOOKS[notebook]:
        parameters["output_dir"] = str(folder / "charts")
    solved = _solve_first(notebook, loaded, inputs, run.get("cache_dir"), steps)
    folder = _render(f"{notebook}.ipynb", parameters, folder, steps)
    for name, path in solved.items():
        target = folder / ("results.nc" if len(solved) == 1 else f"results-{name}.nc")
        with replacing(target) as tmp:
            shutil.copyfile(path, tmp)
        steps.note(f"results: {target}")
    return folder


def _solve_first(notebook: str, scenarios: list[Any], inputs: list[xr.Dataset],
                 cache_dir: str | os.PathLike | None, steps: Steps) -> dict[str, Path]:
    """Solve (or read from the cache) what the notebook reads through :func:`load_or_solve`
    with these overrides, before its kernel starts; returns each scenario's cache file.
    ``getting_started`` solves its own variants and is left to do so."""
    from synergy_models.run import cache_path, solve_cached

    if notebook == "getting_started":
        return {}
    files = {}
    for scenario, data in zip(scenarios, inputs, strict=True):
        solve_cached(data, scenario, cache_dir, steps)
        files[scenario.name] = cache_path(data, scenario.solver, cache_dir)
    return files


def _render(notebook: str, parameters: dict[str, Any], folder: Path,
            steps: Steps | None = None) -> Path:
    """Execute ``notebook`` into ``folder``: report.ipynb, report.html and the charts, all written
    first into a temporary folder inside ``folder`` and swapped in together once the notebook ran
    through and its HTML is written. A run that fails leaves the last good report, its HTML and
    every one of its charts as they were, and keeps the failed notebook beside them as
    ``report.failed.ipynb``. Folders this run made are removed again if it fails before writing
    anything into them."""
    steps = steps or Steps(quiet=True)
    made = [p for p in (folder, *folder.parents) if not p.exists()]  # deepest first
    folder.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".report.", suffix=".tmp", dir=folder))
    charts = Path(parameters["output_dir"]) if parameters.get("output_dir") else None
    staged_charts = stage / "charts"
    if charts is not None:
        parameters = {**parameters, "output_dir": str(staged_charts)}
    tmp = stage / "report.ipynb"
    try:
        try:
            _execute(NOTEBOOK_DIR / notebook, tmp, parameters, cwd=NOTEBOOK_DIR, steps=steps)
        except BaseException:
            if tmp.exists() and tmp.stat().st_size:
                usual_mode(tmp)
                os.replace(tmp, folder / "report.failed.ipynb")
            raise
        if charts is not None:  # the notebook names the charts' folder they will live in
            tmp.write_text(tmp.read_text(encoding="utf-8").replace(str(staged_charts), str(charts)),
                           encoding="utf-8")
        usual_mode(tmp)
        steps("writing report.html", lambda: export_html(tmp, stage / "report.html"))
        _swap_in(stage, folder, charts)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        for made_dir in made:
            try:
                made_dir.rmdir()
            except OSError:  # not empty: it holds report.failed.ipynb or an earlier report
                break
        raise
    shutil.rmtree(stage, ignore_errors=True)
    with contextlib.suppress(FileNotFoundError):
        (folder / "report.failed.ipynb").unlink()
    return folder


def _swap_in(stage: Path, folder: Path, charts: Path | None) -> None:
    """Move a report written in ``stage`` into ``folder``: the charts' folder whole (the old one
    set aside in ``stage``, removed with it), then the notebook and its HTML, each by rename."""
    staged_charts = stage / "charts"
    if charts is not None and staged_charts.is_dir():
        charts.parent.mkdir(parents=True, exist_ok=True)
        if charts.exists():
            os.replace(charts, stage / "charts.old")
        os.replace(staged_charts, charts)
    os.replace(stage / "report.ipynb", folder / "report.ipynb")
    os.replace(stage / "report.html", folder / "report.html")


#: Browsers that print a report to PDF, first found on PATH wins (Debian's package is chromium).
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_browser() -> str:
    """The headless Chromium that prints reports (:data:`BROWSERS`); :class:`ReportError` saying
    what to install when there is none."""
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    raise ReportError("--pdf needs Chromium (its headless print) and none was found on PATH ("
                      + ", ".join(BROWSERS) + "); install it, e.g. `sudo apt-get install chromium`"
                      " on Debian/Ubuntu, `make browser` as root, or `brew install --cask "
                      "chromium` on macOS; report.html prints to PDF from any browser too")


def print_pdf(html: str | os.PathLike, pdf: str | os.PathLike | None = None,
              timeout: float = 300) -> Path:
    """Print a report's HTML to PDF (default: beside it, ``report.pdf``) with headless Chromium and
    the network blocked: the page's print stylesheet applies (landscape A4, static charts, wide
    tables in parts). Written atomically; :class:`ReportError` when Chromium is missing or fails."""
    browser = find_browser()
    html = Path(html).resolve()
    pdf = Path(pdf) if pdf is not None else html.with_suffix(".pdf")
    with tempfile.TemporaryDirectory(prefix="synergy-chromium-") as profile, replacing(pdf) as tmp:
        # a profile of its own: runs in parallel (or beside an open browser) do not share a lock
        cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
               "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={profile}",
               f"--print-to-pdf={tmp}", html.as_uri()]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise ReportError(f"{browser} did not print {html.name} within {timeout:.0f} s") from None
        if done.returncode or tmp.stat().st_size < 100 or not tmp.read_bytes().startswith(b"%PDF"):
            tail = " | ".join(done.stderr.strip().splitlines()[-3:])
            raise ReportError(f"{browser} failed to print {html.name} to PDF (exit "
                              f"{done.returncode}): {tail}")
    return pdf


def render_sweep_report(sweep_file: str | os.PathLike, out_dir: str | os.PathLike,
                        workers: int = 1, scheduler: str | None = None,
                        steps: Steps | None = None) -> Path:
    """Render ``sweep_report`` for a sweep whose cases are (or will be) in ``out_dir``: the report
    goes beside ``sweep.nc`` (report.ipynb, report.html, charts/). Returns the folder."""
    folder = Path(out_dir).resolve()
    parameters = {"sweep": str(Path(sweep_file).resolve()), "workers": workers,
                  "out_dir": str(folder), "output_dir": str(folder / "charts")}
    if scheduler:
        parameters["scheduler"] = scheduler
    return _render("sweep_report.ipynb", parameters, folder, steps)
