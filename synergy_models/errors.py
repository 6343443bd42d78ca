"""Errors that reach the user: each names where the problem is and what was expected."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


class SynergyError(Exception):
    """Base class of every error the command line reports without a traceback."""


@dataclass(frozen=True)
class Problem:
    """One problem in one input file.

    ``row`` counts data rows from 1 (the header is not a row); ``line`` is the line in the file, which
    is what an editor shows. For YAML files ``column`` is the key path, e.g. ``time.days``.
    """

    file: str
    message: str
    row: int | None = None
    line: int | None = None
    column: str | None = None
    value: object = None
    expected: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}" + (f" (line {self.line})" if self.line else ""))
        elif self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        text = ", ".join(where) + f": {self.message}"
        if self.value is not None:
            text += f"; got {self.value!r}"
        if self.expected:
            text += f"; expected {self.expected}"
        return text


class InputError(SynergyError):
    """Bad input: one or more :class:`Problem` s, all reported at once."""

    def __init__(self, problems: Problem | Iterable[Problem]):
        self.problems: list[Problem] = (
            [problems] if isinstance(problems, Problem) else list(problems)
        )
        super().__init__(self._render())

    def _render(self, limit: int = 25) -> str:
        lines = [str(p) for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"... and {len(self.problems) - limit} more problems")
        head = "invalid input" if len(self.problems) == 1 else f"{len(self.problems)} input problems"
        return head + ":\n  " + "\n  ".join(lines)


def read_text(path: Path, expected: str) -> str:
    """The text of a file the user gave (UTF-8, a BOM allowed); :class:`InputError` names the file,
    and for a byte that is not UTF-8 its line, when it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(Problem(str(path), f"cannot be read: {err.strerror or err}",
                                 expected=expected)) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line_start = data.rfind(b"\n", 0, err.start) + 1
        raise InputError(Problem(
            str(path), f"not UTF-8 text: byte 0x{data[err.start]:02x} at byte "
            f"{err.start - line_start + 1} of the line", line=data.count(b"\n", 0, err.start) + 1,
            expected=expected + " (save it as UTF-8)")) from None


class ProblemCollector:
    """Collects problems while a file is checked, so that all of them are reported together."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, file: str | Path, message: str, **where: object) -> None:
        self.problems.append(Problem(str(file), message, **where))  # type: ignore[arg-type]

    def extend(self, problems: Iterable[Problem]) -> None:
        self.problems.extend(problems)

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputError(self.problems)

    def __bool__(self) -> bool:
        return bool(self.problems)
