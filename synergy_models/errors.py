"""Errors that reach the user: each names where the problem is and what was expected."""

from __future__ import annotations

import difflib
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import ValidationError


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


class OutputError(SynergyError):
    """An output cannot be written where it was asked for (a folder given as a file, a file in
    the way of a folder, no permission)."""


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


# --- pydantic validation errors as problems ----------------------------------------------------------

#: One error of a pydantic ``ValidationError`` (an item of ``err.errors()``): ``type``, ``loc``,
#: ``msg``, ``input``.
ErrorDetails = Mapping[str, Any]


def validation_problems(
    err: ValidationError,
    file: str | Path,
    *,
    line: Callable[[tuple[Any, ...]], int | None] | None = None,
    column: Callable[[tuple[Any, ...]], str | None] | None = None,
    message: Callable[[ErrorDetails], str] | None = None,
    value: Callable[[ErrorDetails], object] | None = None,
    expected: Callable[[ErrorDetails], str | None] | None = None,
    row: int | None = None,
) -> list[Problem]:
    """A :class:`Problem` per error of a pydantic ``ValidationError`` of ``file``.

    What differs between files comes as functions: ``line`` and ``column`` of an error's location
    (``loc``: for YAML files :func:`synergy_models.yamlfile.yaml_line` and the dotted key path, the
    default; for a table row its line and the column's name), and ``message``, ``value`` and
    ``expected`` of the whole error (default: :func:`pydantic_message`, the input unless a mapping
    (:func:`input_value`), nothing). ``row`` is the data row of a table, if any.
    """
    message = message or pydantic_message
    value = value or input_value
    column = column or key_path
    out = []
    for e in err.errors():
        loc = tuple(e["loc"])
        out.append(Problem(str(file), message(e), row=row, line=line(loc) if line else None,
                           column=column(loc), value=value(e),
                           expected=expected(e) if expected else None))
    return out


def key_path(loc: tuple[Any, ...]) -> str | None:
    """An error's location as a dotted key path (``time.days``), or None for the whole document."""
    return ".".join(str(p) for p in loc) or None


def input_value(e: ErrorDetails) -> object:
    """The value at fault, unless it is a mapping (a whole section: too much to quote)."""
    given = e.get("input")
    return None if isinstance(given, dict) else given


def pydantic_message(e: ErrorDetails, model: type | None = None) -> str:
    """An error's message, without pydantic's ``Value error,`` prefix. With ``model`` (the model
    the document was validated against) an unknown key is named with the closest known key, or
    the list of known keys."""
    if model is not None and e["type"] == "extra_forbidden" and e["loc"]:
        key = str(e["loc"][-1])
        names = list(getattr(model_at(model, tuple(e["loc"][:-1])), "model_fields", {}))
        close = difflib.get_close_matches(key, names, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else f"; known keys: {', '.join(names)}"
        return f"unknown key '{key}'{hint}"
    return str(e["msg"]).removeprefix("Value error, ")


def model_at(model: Any, loc: tuple[Any, ...]) -> Any:
    """The type expected at ``loc`` in a pydantic ``model``, following fields, mapping values and
    list items (``X | None`` taken as ``X``); None where ``loc`` leaves the model."""
    kind = model
    for part in loc:
        kind = _not_none(kind)
        fields = getattr(kind, "model_fields", None)
        origin = typing.get_origin(kind)
        if fields is not None:
            field = fields.get(str(part))
            if field is None:
                return None
            kind = field.annotation
        elif origin in (dict, Mapping) and len(typing.get_args(kind)) == 2:
            kind = typing.get_args(kind)[1]
        elif origin in (list, tuple) and typing.get_args(kind):
            kind = typing.get_args(kind)[0]
        else:
            return None
    return _not_none(kind)


def _not_none(kind: Any) -> Any:
    """``X`` for ``X | None`` (and ``Optional[X]``); anything else as it is."""
    args = [a for a in typing.get_args(kind) if a is not type(None)]
    if len(args) == 1 and type(None) in typing.get_args(kind):
        return args[0]
    return kind
