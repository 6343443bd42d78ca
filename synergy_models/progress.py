"""Progress for long runs: each step is announced while it runs and reported with its time.

On a terminal a spinner shows the running step (and, for a step of many parts such as a
notebook's cells, which part); piped to a file or another program, one plain line per step and
part goes to stderr. In a Jupyter kernel (a notebook in JupyterLab, or executed by papermill) the
steps are one output that updates in place (``display_id``), not a stream on stderr, which
JupyterLab shows as a pink block that looks like an error; the output's metadata
(:data:`PROGRESS_METADATA`) lets a report leave it out.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from rich.console import Console

T = TypeVar("T")
#: Metadata of a notebook's progress output (reports leave such outputs out).
PROGRESS_METADATA = {"synergy_models": {"progress": True}}


def in_kernel() -> bool:
    """Whether this runs in a Jupyter kernel (IPython with a kernel, not a terminal shell)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None  # type: ignore[attr-defined]
    return shell is not None and getattr(shell, "kernel", None) is not None


class NotebookLines:
    """Lines shown as one notebook output, updated in place (:class:`Steps`, a sweep's cases)."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.handle: Any = None

    def show(self, line: str, replace_last: bool = False) -> None:
        from IPython.display import display

        if replace_last and self.lines:
            self.lines[-1] = line
        else:
            self.lines.append(line)
        data = {"text/plain": "\n".join(self.lines)}
        if self.handle is None:
            self.handle = display(data, raw=True, metadata=PROGRESS_METADATA, display_id=True)
        else:
            self.handle.update(data, raw=True, metadata=PROGRESS_METADATA)


class Steps:
    """Run named steps, showing each while it runs and its duration when done.

    ``quiet`` shows nothing; ``times`` keeps each step's duration in seconds.
    """

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        self.times: dict[str, float] = {}
        self.console = Console(stderr=True, highlight=False, soft_wrap=True, force_jupyter=False)
        self._notebook = NotebookLines() if not quiet and in_kernel() else None

    def _live(self) -> bool:
        return not self.quiet and self._notebook is None and sys.stderr.isatty()

    def note(self, text: str) -> None:
        """A line of its own (where results are, what was read instead of solved)."""
        if self.quiet:
            return
        if self._notebook is not None:
            self._notebook.show(text)
        else:
            self.console.print(f"  {text}")

    def __call__(self, label: str, fn: Callable[[], T]) -> T:
        with self.part(label):
            return fn()

    @contextlib.contextmanager
    def part(self, label: str) -> Iterator[Callable[[str], None]]:
        """A step run by the block, which may call the yielded ``update(detail)`` to say which
        part of the step it is at ("cell 4 of 18: Prices"): the spinner's text on a terminal, a
        line of its own when piped, the output's last line in a notebook."""
        t0 = time.perf_counter()
        status = self.console.status(f"{label} ...") if self._live() else None

        def update(detail: str) -> None:
            if self.quiet:
                return
            if status is not None:
                status.update(f"{label}: {detail}")
            elif self._notebook is not None:
                self._notebook.show(f"{label}: {detail}", replace_last=True)
            else:
                self.console.print(f"  {label}: {detail}")

        if not self.quiet:
            if self._notebook is not None:
                self._notebook.show(f"{label} ...")
            elif status is None:
                self.console.print(f"  {label} ...")
        try:
            if status is not None:
                with status:
                    yield update
            else:
                yield update
        except BaseException:
            self._done(f"{label}: failed after {time.perf_counter() - t0:.1f} s", failed=True)
            raise
        self.times[label] = time.perf_counter() - t0
        self._done(f"{label}: {self.times[label]:.1f} s")

    def _done(self, text: str, failed: bool = False) -> None:
        if self.quiet:
            return
        if self._notebook is not None:
            self._notebook.show(text, replace_last=True)
        elif failed:
            self.console.print(f"  [red]{text}[/red]")
        else:
            self.console.print(f"  {text}")
