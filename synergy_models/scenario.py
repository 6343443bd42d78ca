"""Scenarios: a dataset plus settings (years, time resolution, solver) and parameter overrides.

A scenario is a YAML file in ``data/scenarios/``. It may ``extends:`` another scenario, whose
settings it inherits and overrides key by key. Parameter overrides (``parameters:``) act on the inputs
Dataset the loader builds (see :func:`synergy_models.data.overrides.apply_overrides`).
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from synergy_models.errors import InputError, Problem, pydantic_message, validation_problems
from synergy_models.yamlfile import read_yaml, yaml_line

MODEL_YEARS: tuple[int, ...] = (2025, 2026, 2027, 2028, 2029, 2030)
#: Most years one modelled year may stand for (its weight): a weight beyond it is a typo, and the
#: period-mean demand growth over it would overflow.
MAX_YEAR_WEIGHT = 10


def _a_number(v: Any) -> Any:
    """A setting that is a number takes a number: YAML's ``true`` is not 1, and text such as
    ``"0_23"`` (which Python's ``int()`` reads as 23) is not a number either."""
    if isinstance(v, bool):
        raise ValueError("a number, not true/false")
    if isinstance(v, str):
        raise ValueError("a number, not text (write it without quotes, underscores or units)")
    return v


#: A whole number, strictly: no booleans, no text.
Whole = Annotated[int, BeforeValidator(_a_number)]
#: A real number, strictly: no booleans, no text.
Real = Annotated[float, BeforeValidator(_a_number)]


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TimeSettings(_Settings):
    """How hours are represented: ``representative_days`` (tsam) or ``full_year`` (every hour of
    the profiles: the 8,760 of a year, or the ``N x 24`` of profiles of N days)."""

    resolution: Literal["representative_days", "full_year"] = "representative_days"
    days: Whole = Field(default=8, ge=1, le=365, description="number of representative days")
    segments: Whole = Field(
        default=24, ge=1, le=24,
        description="time steps per representative day: 24 is hourly; fewer merges adjacent hours "
        "of similar values into segments of varying length (tsam segmentation)")
    method: Literal["hierarchical", "kmeans", "kmedoids", "averaging"] = "hierarchical"
    hydro_budget: Literal["day", "week"] | None = Field(
        default=None,
        description="period over which hydro output is held within its inflow: 'day', or "
        "'week' (7 consecutive days; full_year only). Default: 'week' with full_year, 'day' with "
        "representative days")

    @field_validator("hydro_budget")
    @classmethod
    def _hydro_budget(cls, v: str | None, info: ValidationInfo) -> str | None:
        # A weekly budget moves water between consecutive days: representative days have none.
        if v == "week" and info.data.get("resolution", "full_year") != "full_year":
            raise ValueError("time.hydro_budget: 'week' needs time.resolution: full_year "
                             "(representative days are not consecutive)")
        return v

    @property
    def hydro_budget_period(self) -> Literal["day", "week"]:
        """The hydro budget's period, the default resolved: a week over a chronological year."""
        if self.hydro_budget is not None:
            return self.hydro_budget
        return "week" if self.resolution == "full_year" else "day"


class SolverSettings(_Settings):
    """Options handed to HiGHS.

    ``hipo`` is HiGHS's interior-point solver with a direct factorisation (needs the
    ``highspy-extras`` package; without it ``ipm``, the iterative IPX solver, is used instead). On
    this model it is about twice as fast as ``ipm`` and far faster than ``simplex`` (see
    ``docs/performance.md``). Interior-point solutions are crossed over to a basic solution, so
    prices (duals) are those of a vertex.
    """

    method: Literal["choose", "simplex", "ipm", "hipo", "pdlp"] = "hipo"
    threads: Whole | None = Field(default=None, ge=1)
    time_limit: Real | None = Field(default=None, gt=0, description="seconds")
    options: dict[str, str | int | float | bool] = Field(default_factory=dict)


class PolicySettings(_Settings):
    """Structural policy switches (numeric levers are parameters: carbon_price, carbon_cap...)."""

    reserve_scope: Literal["system", "network", "hub"] = Field(
        default="system",
        description="reserve margin over the interconnected hubs together (firm capacity anywhere, "
        "coincident peak), hub by hub at the coincident peak with firm capacity shared over the "
        "lines up to their capacity (network), or hub by hub alone (own firm capacity, own peak)",
    )
    green_matching: Literal["annual", "hourly", "none"] = Field(
        default="annual",
        description="data centres' green-power share counted over the year (certificates allowed) "
        "or hour by hour (24/7 carbon-free: only contracted wind, solar and hydro output in the "
        "same hour counts), or not at all (none: no green contracts or certificates; the data "
        "centres' electricity is grid power)",
    )
    training_relocation: Literal["none", "hourly"] = Field(
        default="none",
        description="whether the shiftable share of each hub's training load may also run in "
        "other hubs hour by hour (hourly: over long-haul links paid like bandwidth, each hub "
        "still running its own training energy over the year), besides moving within the day",
    )
    operating_reserves: bool = Field(
        default=False,
        description="each hub holds upward and downward operating reserves sized from the "
        "day-ahead forecast errors of its load, wind and solar (the dataset's forecast_errors.csv, "
        "or the scenario's forecast_errors file) plus a contingency (docs/formulation.md)",
    )


#: What a scenario's or sweep's name may be: it names output folders and files, so no path
#: separators, no leading dot (``..``), nothing a file system or shell treats specially.
OUTPUT_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.+-]{0,99}$"


def output_name(value: str) -> str:
    """``value`` if it can name an output folder (:data:`OUTPUT_NAME`), else a ValueError."""
    if not re.fullmatch(OUTPUT_NAME, value):
        raise ValueError("a name for output folders: letters, digits and _ . + - (at most 100, "
                         "starting with a letter or digit; no '/', '\\' or '..')")
    return value


class SpatialSettings(_Settings):
    """How the dataset's regions are grouped before the model sees them (as PyPSA-Eur's
    clustering): ``aggregation`` names a mapping in the dataset's ``aggregations.csv`` (e.g. the
    province dataset's ``hubs``, ``grid_regions``, ``provinces``), or ``none`` to keep every region;
    ``file`` reads the mapping from another CSV of the same columns (a relative path from the
    scenario file's folder). Parameter overrides act on the dataset's own regions, before the
    grouping (docs/data.md, Spatial aggregation)."""

    aggregation: str = Field(default="none", min_length=1)
    file: str | None = None


class Scenario(_Settings):
    """A validated scenario."""

    name: str = Field(min_length=1)
    description: str = ""
    dataset: str = "china_hubs"
    years: list[int] | dict[int, float] = Field(default_factory=lambda: list(MODEL_YEARS))
    time: TimeSettings = Field(default_factory=TimeSettings)
    parameters: dict[str, Any] = Field(default_factory=dict)
    solver: SolverSettings = Field(default_factory=SolverSettings)
    policy: PolicySettings = Field(default_factory=PolicySettings)
    spatial: SpatialSettings = Field(default_factory=SpatialSettings)
    forecast_errors: str | None = Field(
        default=None,
        description="a CSV region,source,error_sigma (as the dataset's forecast_errors.csv; "
        "e.g. written by synergy forecast) replacing the dataset's day-ahead forecast errors; "
        "a relative path is taken from the scenario file's folder")
    fixed_builds: str | None = Field(
        default=None,
        description="operation only: every build decision (new capacity, retirements, storage "
        "energy, lines, data centres, backup, electrolysers, fuel cells, hydrogen storage) fixed "
        "at the results of this scenario (a name or file), which is solved first (through the "
        "cache); what changes then is dispatch, commitment and reserves only")
    calibration_year: Whole | None = Field(
        default=None, ge=1950, le=2100,
        description="calibrate this past year's system, the dataset's base year: lines first in "
        "service after it are kept out (no capacity, schedule or contract in any model year) "
        "unless the dataset's line_parameters.csv counts them in that year's calibration "
        "(calibration_in_service); none by default")
    _source: Path | None = PrivateAttr(default=None)
    #: the keys given as overrides on top of the file (command line, notebook, sweep case)
    _overridden: frozenset[str] = PrivateAttr(default=frozenset())

    @property
    def source(self) -> str:
        """The file the scenario came from (for messages), or ``<scenario>``."""
        return str(self._source) if self._source else "<scenario>"

    def origin(self, key: str, value: Any = None) -> str:
        """Where a parameter or setting came from, for messages: the file, or the override."""
        parts = key.split(".")  # a setting inside an overridden group (solver.options.x) too
        overridden = any(".".join(parts[:i]) in self._overridden for i in range(1, len(parts) + 1))
        return override_origin(key, value, self.source) if overridden else self.source

    def path_from_folder(self, value: str) -> Path:
        """A file named in the scenario: a relative path is taken from the scenario file's
        folder (as given when the scenario has no file)."""
        path = Path(value).expanduser()
        if not path.is_absolute() and self._source is not None:
            path = self._source.parent / path
        return path

    def forecast_errors_path(self) -> Path:
        """The ``forecast_errors`` file: a relative path from the scenario file's folder."""
        assert self.forecast_errors is not None
        return self.path_from_folder(self.forecast_errors)

    def spatial_file_path(self) -> Path | None:
        """The ``spatial.file`` mapping: a relative path from the scenario file's folder."""
        return None if self.spatial.file is None else self.path_from_folder(self.spatial.file)

    def fixed_builds_reference(self) -> str:
        """The ``fixed_builds`` reference as :func:`load_scenario` takes it: a scenario file (from
        the scenario file's folder, else as given) when there is one, else the scenario name."""
        assert self.fixed_builds is not None
        for path in (self.path_from_folder(self.fixed_builds), Path(self.fixed_builds).expanduser()):
            if path.is_file():
                return str(path)
        return self.fixed_builds

    @field_validator("name")
    @classmethod
    def _output_name(cls, v: str) -> str:
        return output_name(v)

    @field_validator("years", mode="before")
    @classmethod
    def _years_are_numbers(cls, v: Any) -> Any:
        items = [*v.keys(), *v.values()] if isinstance(v, dict) else v
        if isinstance(items, list | tuple):
            for item in items:
                try:
                    _a_number(item)
                except ValueError as err:
                    raise ValueError(f"{err}: {item!r}") from None
        return v

    @field_validator("years")
    @classmethod
    def _years(cls, v: list[int] | dict[int, float]) -> list[int] | dict[int, float]:
        years = list(v)
        if not years:
            raise ValueError("at least one year is needed")
        if years != sorted(set(years)):
            raise ValueError("years must be strictly increasing")
        if any(y not in MODEL_YEARS for y in years):
            raise ValueError(f"model years lie between {MODEL_YEARS[0]} and {MODEL_YEARS[-1]}")
        if isinstance(v, dict) and any(not 0 < w <= MAX_YEAR_WEIGHT for w in v.values()):
            raise ValueError(f"year weights (years each modelled year stands for) must be "
                             f"positive and at most {MAX_YEAR_WEIGHT}")
        return v

    @property
    def year_weights(self) -> dict[int, float]:
        """Years each modelled year stands for: explicit, or the gap to the next modelled year."""
        if isinstance(self.years, dict):
            return {int(y): float(w) for y, w in self.years.items()}
        ys = list(self.years)
        return {y: float((ys[i + 1] - y) if i + 1 < len(ys) else 1) for i, y in enumerate(ys)}


SETTING_KEYS = frozenset(Scenario.model_fields) - {"parameters"}


def override_origin(key: str, value: Any, scenario_file: str) -> str:
    """How messages name an override (``-p``, a notebook parameter, a sweep case) rather than the
    scenario file it was applied to."""
    return f"override {key}={value} (on {scenario_file})"


def data_dir() -> Path:
    """The folder holding ``scenarios/`` and the datasets.

    ``$SYNERGY_DATA`` if set; else ``./data`` when it has scenarios; else the ``data/`` folder of
    the source tree this package was installed from.
    """
    env = os.environ.get("SYNERGY_DATA")
    if env:
        return Path(env)
    cwd = Path.cwd() / "data"
    if (cwd / "scenarios").is_dir():
        return cwd
    return Path(__file__).resolve().parent.parent / "data"


def scenario_path(name_or_path: str | Path) -> Path:
    """Resolve a scenario name (``base``) or a path to a YAML file."""
    p = Path(name_or_path)
    if p.suffix in (".yaml", ".yml") or p.exists():
        return p
    folder = data_dir() / "scenarios"
    candidate = folder / f"{name_or_path}.yaml"
    if candidate.exists():
        return candidate
    known = sorted(f.stem for f in folder.glob("*.yaml")) if folder.is_dir() else []
    close = difflib.get_close_matches(str(name_or_path), known, n=1)
    raise InputError(
        Problem(
            str(candidate),
            f"no scenario named '{name_or_path}'",
            expected="one of " + ", ".join(known) if known else f"a YAML file in {folder}",
        )
        if not close
        else Problem(str(candidate), f"no scenario named '{name_or_path}'; did you mean '{close[0]}'?")
    )


def available_scenarios() -> dict[str, str]:
    """Scenario names in the data folder with their one-line descriptions."""
    out = {}
    for f in sorted((data_dir() / "scenarios").glob("*.yaml")):
        try:
            out[f.stem] = load_scenario(f).description.strip().splitlines()[0]
        except (InputError, IndexError):
            out[f.stem] = "(does not validate: run `synergy validate " + f.stem + "`)"
    return out


#: Settings a child scenario replaces whole rather than merges key by key.
REPLACED_WHOLE = frozenset({"years"})


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """``over`` on top of ``base`` key by key; a key set to null (None) in ``over`` drops the
    inherited one (e.g. a parent's override of lines another dataset does not have)."""
    out = dict(base)
    for k, v in over.items():
        if v is None and k in out:
            del out[k]
            continue
        merge = isinstance(v, dict) and isinstance(out.get(k), dict) and k not in REPLACED_WHOLE
        out[k] = _deep_merge(out[k], v) if merge else v
    return out


def _raw_scenario(path: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    if path.resolve() in seen:
        chain = " -> ".join(p.stem for p in (*seen, path))
        raise InputError(Problem(str(path), f"scenarios extend each other in a cycle: {chain}"))
    data, _ = read_yaml(path, kind="a scenario")
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str) or not parent.strip():
        _, node = read_yaml(path, kind="a scenario")
        raise InputError(Problem(str(path), "extends names one scenario", column="extends",
                                 line=yaml_line(node, ("extends",)), value=parent,
                                 expected="a scenario name (base) or a YAML file (base.yaml)"))
    parent_path = scenario_path(parent) if not str(parent).endswith(".yaml") else path.parent / parent
    inherited = _raw_scenario(parent_path, (*seen, path.resolve()))
    inherited.pop("name", None)
    inherited.pop("description", None)
    return _deep_merge(inherited, data)


def load_scenario(name_or_path: str | Path, overrides: dict[str, Any] | None = None) -> Scenario:
    """Read and validate a scenario, then apply ``overrides``.

    ``overrides`` maps dotted keys to values: keys that start with a scenario setting
    (``years``, ``time.days``, ``solver.time_limit``...) change that setting; any other key is a
    parameter override (``carbon_price``) and is checked against the inputs Dataset when loaded.
    """
    path = scenario_path(name_or_path)
    raw = _raw_scenario(path)
    raw.setdefault("name", path.stem)
    overrides = overrides or {}
    for key, value in overrides.items():
        _set_override(raw, key, value, str(path))
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as err:
        _, node = read_yaml(path, kind="a scenario")
        problems = validation_problems(err, path, line=lambda loc: yaml_line(node, loc),
                                       message=lambda e: pydantic_message(e, Scenario))
        raise InputError(_blame_override(p, overrides, path) for p in problems) from None
    scenario._source = path
    scenario._overridden = frozenset(overrides)
    return scenario


def _blame_override(problem: Problem, overrides: dict[str, Any], path: Path) -> Problem:
    """A problem of a key given as an override (or inside one, or holding one) names the override
    rather than a line of the file."""
    column = problem.column or ""
    key = next((k for k in overrides if column == k or column.startswith(k + ".")
                or k.startswith(column + ".")), None)
    if key is None:
        return problem
    return replace(problem, file=override_origin(key, overrides[key], str(path)), line=None)


def _set_override(raw: dict[str, Any], key: str, value: Any, source: str = "<scenario>") -> None:
    head = key.partition(".")[0]
    if head in SETTING_KEYS:
        target = raw
        parts = key.split(".")
        for depth, part in enumerate(parts[:-1]):
            target = target.setdefault(part, {})
            if not isinstance(target, dict):
                setting = ".".join(parts[:depth + 1])
                raise InputError(Problem(
                    override_origin(key, value, source), f"'{setting}' is a value, not a "
                    "group of settings", column=key, expected=f"a key {setting}=VALUE"))
        target[parts[-1]] = value
    else:
        params = raw.setdefault("parameters", {})
        params[key] = value
