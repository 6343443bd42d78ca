"""Progress for long runs: each step is announced with a spinner and reported with its time."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TypeVar

from rich.console import Console

T = TypeVar("T")


class Steps:
    """Run named steps, showing a spinner while each runs and its duration when done.

    ``quiet`` prints nothing; ``times`` keeps each step's duration in seconds.
    """

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        self.times: dict[str, float] = {}
        # force_jupyter=False: in a notebook, progress goes to stderr (shown live, left out of reports)
        self.console = Console(stderr=True, highlight=False, soft_wrap=True, force_jupyter=False)

    def __call__(self, label: str, fn: Callable[[], T]) -> T:
        t0 = time.perf_counter()
        try:
            if self.quiet or not sys.stderr.isatty():
                if not self.quiet:
                    self.console.print(f"  {label} ...")
                result = fn()
            else:
                with self.console.status(f"{label} ..."):
                    result = fn()
        except BaseException:
            if not self.quiet:
                self.console.print(f"  {label}: [red]failed[/red] after "
                                   f"{time.perf_counter() - t0:.1f} s")
            raise
        self.times[label] = time.perf_counter() - t0
        if not self.quiet:
            self.console.print(f"  {label}: {self.times[label]:.1f} s")
        return result
