"""YAML files the user writes (scenarios, sweeps, market segments, ``dataset.yaml``): read with the
file, line and character of any mistake, and keys traced back to their lines for later messages."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from synergy_models.errors import InputError, Problem, read_text, validation_problems

Model = TypeVar("Model", bound=BaseModel)

_INT, _FLOAT = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
#: Most aliases (``*name``) a YAML file may use.
MAX_ALIASES = 100


class _NumberLoader(yaml.SafeLoader):
    """Numbers as YAML 1.2 reads them, not PyYAML's YAML 1.1: ``1e2`` is 100.0 (1.1: the text
    '1e2'), ``023`` is 23 (1.1: octal 19), and ``0_23`` or ``1:30`` are text (1.1: 19 and 90),
    which a field expecting a number then refuses rather than misreads."""

    yaml_implicit_resolvers: ClassVar[dict[Any, Any]] = {
        first: [(tag, rx) for tag, rx in resolvers if tag not in (_INT, _FLOAT)]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:  # type: ignore[override]
        # An alias bomb (aliases of aliases of lists) is tiny as text and huge once expanded by
        # whatever walks it next: a user's file has no need of many aliases.
        if self.check_event(yaml.AliasEvent):
            self._aliases = getattr(self, "_aliases", 0) + 1
            if self._aliases > MAX_ALIASES:
                event = self.peek_event()
                raise yaml.composer.ComposerError(
                    None, None, f"more than {MAX_ALIASES} aliases (*name)", event.start_mark)
        return super().compose_node(parent, index)

    def construct_yaml_int(self, node: yaml.Node) -> int:  # type: ignore[override]
        text = str(self.construct_scalar(node))  # type: ignore[arg-type]
        return int(text, 10) if re.fullmatch(r"[-+]?[0-9]+", text) else int(text, 0)


_NumberLoader.add_implicit_resolver(
    _INT, re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789"))
_NumberLoader.add_implicit_resolver(
    _FLOAT, re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                       r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"), list("-+0123456789."))
_NumberLoader.add_constructor(_INT, _NumberLoader.construct_yaml_int)


def load_value(text: str) -> Any:
    """A value written in YAML on the command line (``-p KEY=VALUE``), numbers read as in files."""
    return yaml.load(text, Loader=_NumberLoader)  # a SafeLoader


class _UniqueKeyLoader(_NumberLoader):
    """PyYAML keeps the last of two equal keys without a word; a scenario with ``carbon_price``
    twice is a mistake to report, not a choice to make silently."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        first: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                line = first.setdefault(key, key_node.start_mark.line + 1)
            except TypeError:  # an unhashable key: let PyYAML report it
                continue
            if line != key_node.start_mark.line + 1:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key '{key}' appears twice (first on line {line})",
                    key_node.start_mark)
        return super().construct_mapping(node, deep=deep)


def read_yaml(path: Path, kind: str = "a YAML file",
              expected: str | None = None) -> tuple[dict[str, Any], yaml.Node | None]:
    """A YAML file's mapping and its node tree (for :func:`yaml_line`); :class:`InputError` names
    the file, and the line and character where it does not parse, or a key given twice. ``kind``
    and ``expected`` word the messages for the file at hand (scenario, sweep, market segments)."""
    if not path.exists():
        raise InputError(Problem(str(path), "file is missing", expected=expected))
    text = read_text(path, expected=expected or "a YAML file")
    try:
        loader = _UniqueKeyLoader(text)
    except yaml.reader.ReaderError as err:  # a control character (PyYAML checks the whole text)
        raise InputError(Problem(
            str(path), f"YAML does not parse: character #x{err.character:04x} is not allowed",
            line=text.count("\n", 0, err.position) + 1,
            expected="text without control characters")) from None
    try:  # one parse for both the node tree and the data (what yaml.compose and yaml.load do)
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except RecursionError:
        raise InputError(Problem(str(path), "YAML nested too deeply to read",
                                 expected=expected or "a YAML file of a few levels")) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise InputError(
            Problem(
                str(path),
                f"YAML does not parse: {getattr(err, 'problem', None) or err}",
                line=mark.line + 1 if mark else None,
                column=f"character {mark.column + 1}" if mark else None,
            )
        ) from None
    finally:
        loader.dispose()
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError(Problem(str(path), f"{kind} must be a mapping of keys to values",
                                 value=type(data).__name__, expected=expected))
    return data, node


def read_yaml_model(path: Path, model: type[Model], kind: str, expected: str | None = None, *,
                    message: Callable[[ErrorDetails], str] | None = None,
                    value: Callable[[ErrorDetails], object] | None = None,
                    error_expected: Callable[[ErrorDetails], str | None] | None = None,
                    ) -> tuple[Model, yaml.Node | None]:
    """A YAML file (:func:`read_yaml`, with ``kind`` and ``expected``) validated as ``model``, and
    its node tree. A validation error is an :class:`InputError` with a problem per mistake at its
    key's line (:func:`synergy_models.errors.validation_problems` with ``message``, ``value`` and,
    as its ``expected``, ``error_expected``)."""
    data, node = read_yaml(path, kind=kind, expected=expected)
    try:
        return model.model_validate(data), node
    except ValidationError as err:
        raise InputError(validation_problems(
            err, path, line=lambda loc: yaml_line(node, loc), message=message, value=value,
            expected=error_expected)) from None


def yaml_line(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """The 1-based line of the key at ``loc`` in a composed YAML document, if it is there."""
    line = None
    for part in loc:
        if not isinstance(node, yaml.MappingNode):
            break
        for key, value in node.value:
            if str(key.value) == str(part):
                line, node = key.start_mark.line + 1, value
                break
        else:
            break
    return line
