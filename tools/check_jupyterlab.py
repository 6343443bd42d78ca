"""Open a notebook fresh (untrusted) in JupyterLab in headless Chromium and check what a reader sees.

    .venv/bin/python tools/check_jupyterlab.py reports/base/report.ipynb [--screenshot lab.png]

Starts JupyterLab on a free local port with empty settings, workspaces and trust database, serving
a copy of the notebook from a temporary folder (so it opens untrusted, as a report someone sent
does), loads it in headless Chromium with every other host unresolvable (no network), and reads
the rendered page. Passes (exit 0) when every chart output of the notebook is on screen as a
picture (``image/png``), no output shows a chart as the text ``alt.Chart(...)`` and no output is a
stderr stream (the pink block). Prints what it counted; ``--screenshot`` saves the page.
``tests/test_notebooks_lab.py`` runs it on a rendered report.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

LAB = Path(sys.executable).with_name("jupyter")
CHART_TEXT = re.compile(r"alt\.(Chart|LayerChart|FacetChart|HConcatChart|VConcatChart|ConcatChart)\(")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"JupyterLab did not answer at {url} within {seconds:.0f} s")


def chart_outputs(notebook: Path) -> int:
    """How many outputs of the notebook are charts (they carry an SVG)."""
    book = json.loads(notebook.read_text(encoding="utf-8"))
    return sum("image/svg+xml" in o.get("data", {}) for c in book["cells"]
               if c["cell_type"] == "code" for o in c.get("outputs", []))


def check(notebook: Path, screenshot: Path | None = None, chromium: str = "chromium",
          budget_ms: int = 40_000) -> dict[str, int]:
    """Render ``notebook`` untrusted in JupyterLab; returns the counts: ``charts`` (chart outputs
    in the file), ``png`` (pictures on screen), ``chart_text`` (charts shown as text),
    ``stderr`` (stderr outputs on screen)."""
    with tempfile.TemporaryDirectory(prefix="lab-check-") as tmp:
        root = Path(tmp) / "root"
        root.mkdir()
        shutil.copy(notebook, root / notebook.name)
        env = {**os.environ, **{f"JUPYTER_{k}_DIR": str(Path(tmp) / k.lower())
                                for k in ("CONFIG", "DATA", "RUNTIME")}}
        env["JUPYTERLAB_WORKSPACES_DIR"] = str(Path(tmp) / "workspaces")
        port = _free_port()
        server = subprocess.Popen(
            [str(LAB), "lab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
             "--ServerApp.token=", "--ServerApp.password=", f"--ServerApp.root_dir={root}",
             f"--LabApp.workspaces_dir={Path(tmp) / 'workspaces'}", "--allow-root"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            _wait(f"http://127.0.0.1:{port}/lab")
            url = f"http://127.0.0.1:{port}/lab/tree/{notebook.name}"
            cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu",
                   "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                   f"--virtual-time-budget={budget_ms}", "--window-size=1400,3000",
                   f"--user-data-dir={Path(tmp) / 'chromium'}"]
            dom = subprocess.run([*cmd, "--dump-dom", url], capture_output=True, text=True,
                                 timeout=180, check=True).stdout
            if screenshot is not None:
                subprocess.run([*cmd, f"--screenshot={screenshot.resolve()}", url],
                               capture_output=True, timeout=180, check=True)
        finally:
            server.terminate()
            server.wait(timeout=30)
    return {"charts": chart_outputs(notebook),
            "png": dom.count('data-mime-type="image/png"'),
            "chart_text": len(CHART_TEXT.findall(dom)),
            "stderr": dom.count('data-mime-type="application/vnd.jupyter.stderr"')}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--screenshot", type=Path, help="save a screenshot of the page (PNG)")
    parser.add_argument("--chromium", default="chromium", help="the Chromium command")
    args = parser.parse_args(argv)
    counts = check(args.notebook, args.screenshot, args.chromium)
    ok = counts["png"] >= counts["charts"] > 0 and not counts["chart_text"] and not counts["stderr"]
    print(f"{args.notebook}: {counts['charts']} charts in the file, {counts['png']} shown as "
          f"pictures, {counts['chart_text']} shown as alt.Chart(...) text, {counts['stderr']} "
          f"stderr outputs: {'ok' if ok else 'FAILED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
