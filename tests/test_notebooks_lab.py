"""Rendered notebooks are pleasant in JupyterLab and ``synergy report`` says what it is doing.

- Every chart output carries a PNG beside its SVG: JupyterLab shows no SVG in an untrusted
  notebook (a ``report.ipynb`` opened fresh), and would show the text ``alt.Chart(...)`` instead;
  it shows a PNG either way. (``tools/check_jupyterlab.py`` opens a report in JupyterLab in
  headless Chromium and checks the pictures on screen.)
- No output is a stream on stderr (JupyterLab's pink block that looks like an error): progress is
  one output updated in place, marked as progress, and left out of the HTML report.
- ``render_report`` reports each step over a few seconds: loading, solving, cell k of n, writing
  the HTML, and where the results are.
"""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import nbformat
import pytest
from rich.console import Console

from synergy_models import report
from synergy_models.progress import PROGRESS_METADATA, Steps

SMALL = {"years": [2030], "time_days": 2}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A report of milestones (2030, two days) rendered with its progress captured as a piped
    command line would show it (no terminal: one line per step and cell)."""
    out = tmp_path_factory.mktemp("lab")
    log = io.StringIO()
    steps = Steps()
    steps.console = Console(file=log, highlight=False, soft_wrap=True, force_terminal=False)
    folder = report.render_report("milestones", {**SMALL, "cache_dir": str(out / "cache")},
                                  out / "milestones", steps=steps)
    return folder, log.getvalue()


def _outputs(folder: Path) -> list[dict]:
    book = nbformat.read(folder / "report.ipynb", as_version=4)
    return [o for c in book.cells if c.cell_type == "code" for o in c.outputs]


@pytest.mark.slow
def test_every_chart_output_has_a_png_and_no_output_is_on_stderr(rendered):
    folder, _ = rendered
    outputs = _outputs(folder)
    charts = [o for o in outputs if "image/svg+xml" in o.get("data", {})]
    assert len(charts) == len(list((folder / "charts").glob("*.svg"))) >= 12
    for output in charts:
        png = base64.b64decode(output["data"]["image/png"])
        assert png.startswith(PNG_MAGIC)
        size = output["metadata"]["image/png"]
        assert size["width"] > 100 and size["height"] > 100  # shown at its size, not 1.5 x
    assert [o for o in outputs if o.output_type == "stream" and o.name == "stderr"] == []
    assert [o for o in outputs if o.output_type == "error"] == []


@pytest.mark.slow
def test_progress_is_one_output_in_place_and_left_out_of_the_html(rendered):
    folder, _ = rendered
    progress = [o for o in _outputs(folder) if report.is_progress_output(o)]
    assert len(progress) == 1 and progress[0]["metadata"] == PROGRESS_METADATA
    text = progress[0]["data"]["text/plain"]
    # the report solved first: the notebook read the cache, each step with its time
    assert re.search(r"loading inputs of milestones: \d+\.\d s", text)
    assert re.search(r"reading solved results milestones-\w+\.nc: \d+\.\d s", text)
    assert "..." not in text  # every step finished: no line left "running"
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "reading solved results" not in html and "loading inputs of" not in html


@pytest.mark.slow
def test_report_progress_names_solving_each_cell_rendering_and_the_results(rendered):
    folder, log = rendered
    book = nbformat.read(report.NOTEBOOK_DIR / "scenario_report.ipynb", as_version=4)
    cells = sum(c.cell_type == "code" and bool(c.source.strip()) for c in book.cells) + 1
    for line in ("loading inputs of milestones: ", "compiling and solving with HiGHS: ",
                 f"results cached in {folder.parent / 'cache'}", "writing report.html: ",
                 f"results: {folder / 'results.nc'}",
                 f"executing scenario_report.ipynb: cell 1 of {cells}: Scenario report",
                 f"executing scenario_report.ipynb: cell 2 of {cells}: parameters",
                 f"cell {cells} of {cells}: Inputs"):
        assert line in log, line
    shown = [int(k) for k in re.findall(rf"cell (\d+) of {cells}", log)]
    assert shown == list(range(1, cells + 1))  # each code cell once, in order
    assert (folder / "results.nc").is_file()


def test_cell_headings_name_the_section_of_each_code_cell():
    headings = report.cell_headings(report.NOTEBOOK_DIR / "scenario_report.ipynb")
    assert "Summary" in headings.values() and "Market outlook" in headings.values()
    setup = next(s for s in headings if "report.setup(" in s)
    assert headings[setup] == "Scenario report"


def test_steps_outside_a_kernel_print_a_line_per_part(monkeypatch):
    log = io.StringIO()
    steps = Steps()
    steps.console = Console(file=log, highlight=False, soft_wrap=True, force_terminal=False)
    with steps.part("executing x") as update:
        update("cell 1 of 2")
        update("cell 2 of 2")
    steps.note("results: r.nc")
    lines = log.getvalue().splitlines()
    assert lines[:3] == ["  executing x ...", "  executing x: cell 1 of 2", "  executing x: cell 2 of 2"]
    assert re.fullmatch(r"  executing x: \d+\.\d s", lines[3]) and lines[4] == "  results: r.nc"
    quiet = Steps(quiet=True)
    quiet.console = Console(file=log)
    before = log.getvalue()
    assert quiet("nothing shown", lambda: 42) == 42 and log.getvalue() == before


def test_steps_in_a_kernel_update_one_output_and_write_no_stream(monkeypatch, capsys):
    """In a Jupyter kernel the steps are one display (created once, then updated in place) with
    the progress metadata; nothing goes to stderr or stdout."""
    import IPython.display

    import synergy_models.progress as progress

    shown: list[tuple[str, str]] = []

    class Handle:
        def update(self, data: dict, raw: bool, metadata: dict) -> None:
            assert raw and metadata == PROGRESS_METADATA
            shown.append(("update", data["text/plain"]))

    def display(data: dict, raw: bool, metadata: dict, display_id: bool) -> Handle:
        assert raw and display_id and metadata == PROGRESS_METADATA
        shown.append(("display", data["text/plain"]))
        return Handle()

    monkeypatch.setattr(progress, "in_kernel", lambda: True)
    monkeypatch.setattr(IPython.display, "display", display)
    steps = Steps()
    steps("loading", lambda: None)
    steps("solving", lambda: None)
    assert [kind for kind, _ in shown] == ["display", "update", "update", "update"]
    assert shown[0][1] == "loading ..." and shown[2][1].endswith("solving ...")
    assert re.fullmatch(r"loading: \d\.\d s\nsolving: \d\.\d s", shown[-1][1])
    assert capsys.readouterr() == ("", "")


@pytest.mark.slow
@pytest.mark.skipif(__import__("shutil").which("chromium") is None,
                    reason="Debian's chromium is not installed (make test installs it when it can)")
def test_report_opened_fresh_in_jupyterlab_shows_charts_not_text(rendered, tmp_path: Path):
    """tools/check_jupyterlab.py: the rendered report opened untrusted in JupyterLab (headless
    Chromium, no network) shows every chart as a picture, none as ``alt.Chart(...)``, no stderr;
    the same notebook with its PNGs taken out shows the text (so the check can fail)."""
    from tests.scripts import load_script

    tool = load_script(report.NOTEBOOK_DIR.parent / "tools" / "check_jupyterlab.py",
                       "check_jupyterlab")
    folder, _ = rendered
    shot = tmp_path / "lab.png"
    counts = tool.check(folder / "report.ipynb", shot)
    assert counts["png"] >= counts["charts"] >= 12
    assert counts["chart_text"] == 0 and counts["stderr"] == 0
    assert shot.stat().st_size > 100_000  # a page, not a blank one

    book = nbformat.read(folder / "report.ipynb", as_version=4)
    for cell in book.cells:
        for output in cell.get("outputs", []):
            output.get("data", {}).pop("image/png", None)
    nbformat.write(book, tmp_path / "svg_only.ipynb")
    counts = tool.check(tmp_path / "svg_only.ipynb")
    assert counts["png"] == 0 and counts["chart_text"] == counts["charts"]


def test_sweep_progress_in_a_kernel_is_one_output_not_stderr(monkeypatch, capsys):
    """A sweep run from a notebook (sweep_report) shows its last finished case in one output."""
    import IPython.display

    import synergy_models.progress as progress
    from synergy_models.sweep import _Progress

    shown: list[str] = []

    class Handle:
        def update(self, data: dict, raw: bool, metadata: dict) -> None:
            shown.append(data["text/plain"])

    def display(data: dict, raw: bool, metadata: dict, display_id: bool) -> Handle:
        shown.append(data["text/plain"])
        return Handle()

    monkeypatch.setattr(progress, "in_kernel", lambda: True)
    monkeypatch.setattr(IPython.display, "display", display)
    with _Progress(2, enabled=True) as bar:
        bar.advance(True, "a", "solved")
        bar.advance(False, "b", "failed")
    assert len(shown) == 2 and shown[-1].startswith("case b failed: 2/2 done, 1 failed")
    assert "\n" not in shown[-1]  # the last case replaces the one before
    assert capsys.readouterr() == ("", "")
