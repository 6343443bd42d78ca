"""Market outlook: the project brief's projection, the model-implied market by segment, the gap.

The project brief says the computing-power-electricity synergy market reaches "$310 billion with a
42% compound annual growth rate", with no scope, base year or method. :func:`projection` makes that a
parameterised path (a projection, not calibration data: nothing in the model is fitted to it).
:func:`market_value` values a solved scenario by the segments of ``data/market_segments.yaml``;
:func:`gap` sets the two side by side; :func:`reverse_search` and :func:`required_parameter` answer the
reverse question: at what compute growth (or other parameter) would the model reach the projection?
Formulas, segments and attribution rules: ``docs/market.md``.

All money is in USD per year (``cost`` in the results is MUSD/yr: x 1e6).
"""

from __future__ import annotations

import math
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
import pandas as pd
import xarray as xr
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictStr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from synergy_models.errors import (
    ErrorDetails,
    InputError,
    Problem,
    SynergyError,
    pydantic_message,
)
from synergy_models.indicators import dc_share_of_consumption, has_data_centres
from synergy_models.scenario import data_dir
from synergy_models.units import (
    GWH_PER_TWH,
    USD_PER_MUSD,
    USD_PER_USD_BN,
    convert,
    parse_unit,
    registry,
)
from synergy_models.yamlfile import read_yaml_model, yaml_line

PROJECTION_NOTE = ("projection, not calibration data: the project brief's figure ($310B in 2030 at "
                   "42%/yr) has no stated scope, base year or method, and nothing in the model is "
                   "fitted to it")
Attribution = Literal["direct", "dc_share_of_consumption", "exported_it_share"]
ATTRIBUTIONS: tuple[str, ...] = typing.get_args(Attribution)


# --------------------------------------------------------------------------------------------
# Projection


def projection(end_value: float = 310e9, end_year: int = 2030, cagr: float = 0.42,
               years: Sequence[int] | None = None) -> xr.DataArray:
    r"""The projected market per year: :math:`V_y = V_{end} (1 + g)^{y - y_{end}}` [USD/year].

    ``years`` default to 2025 .. ``end_year``. With the defaults 2025 is
    310e9 / 1.42^5 = 53.7e9 USD.
    """
    if end_value <= 0 or cagr <= -1:
        raise ValueError("end_value must be positive and cagr above -1")
    years = list(range(2025, end_year + 1)) if years is None else [int(y) for y in years]
    values = [end_value * (1 + cagr) ** (y - end_year) for y in years]
    return xr.DataArray(values, dims="year", coords={"year": years}, name="projection", attrs={
        "units": "USD/year", "long_name": "projected computing-power-electricity market",
        "end_value": float(end_value), "end_year": int(end_year), "cagr": float(cagr),
        "note": PROJECTION_NOTE})


def cagr(values: xr.DataArray) -> float:
    """Compound annual growth between the first and the last year of a path (NaN if undefined)."""
    years = values.year.values
    first, last = float(values.isel(year=0)), float(values.isel(year=-1))
    span = int(years[-1]) - int(years[0])
    if span <= 0 or first <= 0 or last <= 0:
        return math.nan
    return (last / first) ** (1 / span) - 1


# --------------------------------------------------------------------------------------------
# Segment definitions (data/market_segments.yaml)


@dataclass(frozen=True)
class Item:
    """One contribution to a segment: cost components or a quantity at a price, and its share."""

    cost: tuple[str, ...] = ()
    quantity: str | None = None
    price: str | None = None
    equipment: str | None = None           # capacity items: annual cost per GW from the inputs
    attribution: str = "direct"
    optional: bool = False


@dataclass(frozen=True)
class Segment:
    name: str
    long_name: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Segments:
    """The validated contents of a segments file."""

    segments: tuple[Segment, ...]
    memo: tuple[Segment, ...] = ()
    basis: str = "annualised"
    source: str = ""


def default_segments_path() -> Path:
    return data_dir() / "market_segments.yaml"


def load_segments(path: str | Path | None = None) -> Segments:
    """Read and check a segments file; :class:`InputError` names the file, key and line."""
    path = Path(path) if path is not None else default_segments_path()
    spec, node = read_yaml_model(
        path, SegmentsFile, kind="a market segments file",
        expected="a mapping with 'segments' (and 'memo', 'basis'); see docs/market.md",
        message=_segments_message, error_expected=_segments_expected)
    double = _double_counted(spec, str(path), node)
    if double:
        raise InputError(double)
    return Segments(segments=_segments(spec.segments), memo=_segments(spec.memo or {}),
                    basis=spec.basis, source=str(path))


def _double_counted(spec: SegmentsFile, path: str, node: Any) -> list[Problem]:
    """A cost component in two segments (or twice in one): the segments are added up to the total,
    so it would be counted twice. Memo lines are not added, so they may re-cut any component."""
    first: dict[str, str] = {}  # component -> the key path of the item that counts it
    problems = []
    for name, seg in spec.segments.items():
        for i, item in enumerate(seg.items):
            where = f"segments.{name}.items.{i}.cost"
            for component in item.cost or ():
                if component in first:
                    problems.append(Problem(
                        path, f"cost component '{component}' is counted in segment "
                        f"'{first[component].split('.')[1]}' ({first[component]}) and again in "
                        f"segment '{name}': segments are added up to the market total, so it "
                        "would be counted twice", line=yaml_line(node, ("segments", name, "items")),
                        column=where, value=component,
                        expected="each cost component in one segment only (a memo line may "
                        "re-cut components already counted)"))
                else:
                    first[component] = where
    return problems


# The file's schema: what each key may hold. Messages word each part in the file's terms
# (_segments_message); the segments are then turned into the frozen Segment and Item above.


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Spend(_Strict):
    quantity: StrictStr
    price: StrictStr


class _Capacity(_Strict):
    quantity: StrictStr
    equipment: StrictStr


class _ItemFile(_Strict):
    """One item: exactly one of ``cost``, ``spend`` and ``capacity``, with its attribution."""

    cost: list[StrictStr] | None = Field(default=None, min_length=1)
    spend: _Spend | None = None
    capacity: _Capacity | None = None
    attribution: Attribution = "direct"
    optional: StrictBool = False

    @field_validator("cost", "spend", "capacity", mode="before")
    @classmethod
    def _given(cls, v: Any, info: ValidationInfo) -> Any:
        if v is None:  # written but empty (`cost:`), unlike a kind left out
            raise ValueError(f"'{info.field_name}' is given no value")
        return [v] if info.field_name == "cost" and isinstance(v, str) else v

    @model_validator(mode="after")
    def _one_kind(self) -> _ItemFile:
        if sum(v is not None for v in (self.cost, self.spend, self.capacity)) != 1:
            raise ValueError("give exactly one of 'cost', 'spend' and 'capacity'")
        return self


class _SegmentFile(_Strict):
    long_name: Any = None
    items: list[_ItemFile] = Field(min_length=1)


class SegmentsFile(_Strict):
    """A market segments file (``data/market_segments.yaml``) as written."""

    segments: dict[Any, _SegmentFile] = Field(min_length=1)
    memo: dict[Any, _SegmentFile] | None = Field(default=None, min_length=1)
    basis: Literal["annualised"] = "annualised"


#: What a part of a segments file (:func:`_segments_part`) must hold, for the messages that do not
#: say it themselves (a missing key, a value not allowed).
_SEGMENTS_EXPECTED = {
    "segments": "a mapping of segment names to items",
    "basis": "annualised",
    "items": "a non-empty list of items",
    "spend": "{quantity: <variable>, price: <variable>}",
    "capacity": "{quantity: <variable in GW>, equipment: <name>}",
    "attribution": " | ".join(ATTRIBUTIONS),
}


def _segments_part(loc: tuple[Any, ...]) -> str:
    """The part of a segments file a location is in: ``segments``, ``memo`` or ``basis`` (a top
    key), ``segment`` (group.name), ``items`` (group.name.items), ``item`` (.items.i) or an item's
    key (``cost``, ``spend.price``... give ``cost``, ``spend``)."""
    if len(loc) < 2 or loc[0] not in ("segments", "memo"):
        return str(loc[0]) if loc else ""
    if len(loc) == 2:
        return "segment"
    return "item" if len(loc) == 4 else str(loc[2] if len(loc) == 3 else loc[4])


def _segments_message(e: ErrorDetails) -> str:
    loc = tuple(e["loc"])
    part = _segments_part(loc)
    if e["type"] == "extra_forbidden":
        return pydantic_message(e, SegmentsFile)
    if e["type"] == "missing":
        return f"'{loc[-1]}' is missing"
    if part in ("segments", "memo"):
        return f"'{part}' must be a non-empty mapping of names to segments"
    if part == "item" and e["type"] == "model_type":
        return "an item is a mapping with 'cost', 'spend' or 'capacity'"
    return {
        "basis": "only the annualised basis is implemented",
        "segment": "a segment is a mapping with 'long_name' and 'items'",
        "items": "'items' must be a non-empty list",
        "attribution": "unknown attribution",
        "optional": "'optional' must be true or false",
        "cost": "'cost' must be a list of cost component names",
        "spend": "'spend' must be {quantity: <variable>, price: <variable>}",
        "capacity": "'capacity' must be {quantity: <variable in GW>, equipment: <name>}",
    }.get(part) or pydantic_message(e)


def _segments_expected(e: ErrorDetails) -> str | None:
    part = _segments_part(tuple(e["loc"]))
    if e["type"] == "missing" or part in ("basis", "attribution"):
        return _SEGMENTS_EXPECTED.get(part)
    return None


def _segments(group: dict[Any, _SegmentFile]) -> tuple[Segment, ...]:
    return tuple(
        Segment(str(name), str(name if spec.long_name is None else spec.long_name),
                tuple(_item(item) for item in spec.items))
        for name, spec in group.items())


def _item(item: _ItemFile) -> Item:
    if item.cost is not None:
        return Item(cost=tuple(item.cost), attribution=item.attribution, optional=item.optional)
    if item.capacity is not None:
        return Item(quantity=item.capacity.quantity, equipment=item.capacity.equipment,
                    attribution=item.attribution, optional=item.optional)
    assert item.spend is not None  # exactly one of the three (_ItemFile._one_kind)
    return Item(quantity=item.spend.quantity, price=item.spend.price,
                attribution=item.attribution, optional=item.optional)


# --------------------------------------------------------------------------------------------
# Model-implied market


NO_DATA_CENTRES = ("the scenario has no data centres (its dataset has no compute data): the "
                   "model-implied market of computing-power-electricity synergy is zero")


def exported_it_share(results: xr.Dataset) -> xr.DataArray:
    """Share of data centres' IT energy served away from its origin, all hubs (year)."""
    if "compute_served" not in results:
        return xr.zeros_like(results.year, dtype=float)
    total = results.compute_served.sum(("origin", "region", "workload"))
    away = results.compute_exports.sum(("origin", "region"))
    return (away / total).where(total > 0, 0.0)


def _shares(results: xr.Dataset) -> dict[str, xr.DataArray]:
    one = xr.ones_like(results.year, dtype=float)
    return {"direct": one, "dc_share_of_consumption": dc_share_of_consumption(results),
            "exported_it_share": exported_it_share(results)}


@dataclass
class _Context:
    results: xr.Dataset
    inputs: xr.Dataset | None
    shares: dict[str, xr.DataArray]
    source: str
    skipped: list[str] = field(default_factory=list)   # optional items absent from the results


def annual_cost_per_gw(inputs: xr.Dataset, equipment: str) -> xr.DataArray:
    """Annuity plus fixed O&M per GW of ``equipment`` built in each year [MUSD/GW/yr], from the
    inputs ``<equipment>_capex`` (MUSD/GW, by year), ``_lifetime`` and ``_fom_share``."""
    from synergy_models.model.data import capital_recovery_factor  # numpy only, no Pyomo

    names = [f"{equipment}_{p}" for p in ("capex", "lifetime", "fom_share")]
    missing = [n for n in names if n not in inputs]
    if missing:
        raise KeyError(", ".join(missing))
    crf = float(capital_recovery_factor(float(inputs.discount_rate),
                                        float(inputs[f"{equipment}_lifetime"])))
    return inputs[f"{equipment}_capex"] * (crf + float(inputs[f"{equipment}_fom_share"]))


def _item_value(ctx: _Context, item: Item, where: str) -> xr.DataArray:
    """One item in MUSD/yr (year)."""
    results, source = ctx.results, ctx.source
    zero = xr.zeros_like(results.year, dtype=float)
    if item.equipment:
        # Capacity valued at the annual cost of a unit built in the year (vintages not tracked).
        problem = None
        if item.quantity not in results:
            problem = f"variable '{item.quantity}' is not in the results"
        elif ctx.inputs is None:
            problem = "needs the inputs Dataset (market_value(..., inputs=...))"
        else:
            try:
                unit = annual_cost_per_gw(ctx.inputs, item.equipment)
            except KeyError as err:
                problem = f"the inputs lack {err.args[0]}"
        if problem:
            if item.optional:
                ctx.skipped.append(f"{where}: {problem}")
                return zero
            raise InputError(Problem(source, problem, column=where))
        q = results[item.quantity]
        amount = (q * unit.sel(year=results.year)).sum([d for d in q.dims if d != "year"])
    elif item.cost:
        present = [c for c in item.cost if c in results.component.values]
        missing = sorted(set(item.cost) - set(present))
        if missing and item.optional:
            ctx.skipped.append(f"{where}: no cost component(s) {missing} in the results")
        if missing and not item.optional:
            raise InputError(Problem(source, f"cost component(s) {missing} are not in the results",
                                     column=where, expected="one of " + ", ".join(
                                         map(str, results.component.values)) + " (or optional: true)"))
        amount = results.cost.sel(component=present).sum("component") if present else zero
    else:
        names = (item.quantity, item.price)
        missing = [n for n in names if n not in results]
        if missing:
            if item.optional:
                ctx.skipped.append(f"{where}: no variable(s) {missing} in the results")
                return zero
            raise InputError(Problem(source, f"variable(s) {missing} are not in the results",
                                     column=where, expected="results variables (docs/results.md)"))
        q, p = results[item.quantity], results[item.price]
        value = (q * p).where(q != 0, 0.0)                 # a NaN price where nothing is bought
        units = q.attrs.get("units")
        if units == "GW" and "time" in q.dims:
            # GW x h x USD/MWh summed: GWh x USD/MWh; in TWh, TWh x USD/MWh = MUSD
            amount = (value * results.weight).sum([d for d in value.dims if d != "year"]) / GWH_PER_TWH
        elif units == "TWh":
            amount = value.sum([d for d in value.dims if d != "year"])
        else:
            raise InputError(Problem(source, f"'{item.quantity}' is in {units!r}", column=where,
                                     expected="a quantity in GW by time step or TWh a year"))
    return (amount * ctx.shares[item.attribution]).reindex(year=results.year.values)


def _group(ctx: _Context, group: Sequence[Segment], dim: str, prefix: str) -> xr.DataArray:
    rows = []
    for seg in group:
        parts = [_item_value(ctx, item, f"{prefix}.{seg.name}.items.{i}")
                 for i, item in enumerate(seg.items)]
        rows.append(sum(parts[1:], parts[0]) * USD_PER_MUSD)
    return xr.concat(rows, dim=dim).assign_coords({dim: [s.name for s in group]}).transpose(
        dim, "year")


def market_value(results: xr.Dataset, segments: Segments | str | Path | None = None,
                 inputs: xr.Dataset | None = None) -> xr.Dataset:
    """The model-implied market per year by segment [USD/year], with its total and memo lines.

    ``inputs`` (the scenario's inputs Dataset) is needed only by ``capacity`` items (fuel cells
    serving as data-centre backup, in the shipped segments); without it they count as zero and the
    attribute ``skipped`` says so.
    """
    spec = segments if isinstance(segments, Segments) else load_segments(segments)
    shares = _shares(results)
    ctx = _Context(results, inputs, shares, spec.source)
    out = xr.Dataset(coords={"year": results.year.values})
    data_centres = has_data_centres(results)
    if data_centres:
        value = _group(ctx, spec.segments, "segment", "segments")
    else:  # every segment is the data centres' spending or attributed to them: nothing to value
        value = xr.DataArray(np.zeros((len(spec.segments), results.sizes["year"])),
                             dims=("segment", "year"),
                             coords={"segment": [s.name for s in spec.segments],
                                     "year": results.year.values})
    out["value"] = value.assign_attrs(units="USD/year", long_name="model-implied market value "
                                      "by segment")
    out["total"] = value.sum("segment").assign_attrs(units="USD/year", long_name="model-implied "
                                                     "market value, all segments")
    out = out.assign_coords(segment_long_name=("segment", [s.long_name for s in spec.segments]))
    if spec.memo and data_centres:
        memo = _group(ctx, spec.memo, "memo", "memo")
        out["memo_value"] = memo.assign_attrs(units="USD/year", long_name="memo lines (not in the "
                                              "total: they re-cut amounts already in segments)")
        out = out.assign_coords(memo_long_name=("memo", [s.long_name for s in spec.memo]))
    out["dc_share_of_consumption"] = shares["dc_share_of_consumption"].assign_attrs(
        units="1", long_name="data centres' share of the hubs' electricity consumption")
    out["exported_it_share"] = shares["exported_it_share"].assign_attrs(
        units="1", long_name="share of IT energy served away from its origin")
    out.attrs.update(content="market", scenario=results.attrs.get("scenario", ""),
                     basis=spec.basis, segments_file=spec.source,
                     skipped="; ".join(ctx.skipped), data_centres=int(data_centres),
                     note=("model-implied value from a solved scenario; investment as annual cost "
                           "(annuity and fixed O&M), see docs/market.md") if data_centres else
                     NO_DATA_CENTRES)
    return out


# --------------------------------------------------------------------------------------------
# Outlook layers (data/market_layers.yaml)


#: What the brief's projection most likely counts, for every output that sets it against the layers.
SCOPE_NOTE = (
    "scope of the projection (an inference: the brief states none): $310B is of the order of "
    "China's whole computing-power industry, e.g. CAICT's computing-power core industry of 1.8 "
    "trillion CNY (about 250 bn USD) in 2022, or the sum of all layers here, which IT equipment "
    "and compute services dominate; 42%/yr is an AI-compute growth rate (IDC: intelligent "
    "computing capacity +46.2%/yr 2023-2028, AI data-centre IT energy +44.8%/yr 2022-2027), not "
    "the growth of any electricity market")
LayerScope = Literal["national", "outside_hubs"]


@dataclass(frozen=True)
class Factor:
    """A sourced quantity by year: points, their unit and how to fill the years between."""

    name: str
    unit: str
    points: tuple[tuple[int, float], ...]
    status: str
    source: str
    growth: float | None = None
    interpolation: str = "geometric"
    inputs: tuple[str, str] | None = None         # (inputs variable, its unit)
    growth_source: str = ""
    range: tuple[float, float] | None = None


@dataclass(frozen=True)
class LayerItem:
    factors: tuple[str, ...]
    increase: tuple[str, ...] = ()
    scope: str = "national"


@dataclass(frozen=True)
class Layer:
    name: str
    long_name: str
    kind: str                                     # model | sourced
    basis: str
    method: str
    items: tuple[LayerItem, ...] = ()


@dataclass(frozen=True)
class Layers:
    """The validated contents of a layers file."""

    layers: tuple[Layer, ...]
    memo: tuple[Layer, ...]
    factors: dict[str, Factor]
    rates: tuple[tuple[str, float], ...]
    source: str


def default_layers_path() -> Path:
    return data_dir() / "market_layers.yaml"


class _Currency(_Strict):
    per_usd: float = Field(gt=0)
    source: StrictStr = Field(min_length=1)


class _InputsRef(_Strict):
    name: StrictStr
    unit: StrictStr


class _FactorFile(_Strict):
    unit: StrictStr
    points: dict[int, float] = Field(min_length=1)
    status: Literal["sourced", "derived", "assumption"]
    source: StrictStr = Field(min_length=1)
    growth: float | None = Field(default=None, gt=-1, le=10)
    growth_source: StrictStr | None = None
    interpolation: Literal["geometric", "linear"] = "geometric"
    inputs: _InputsRef | None = None
    range: tuple[float, float] | None = None

    @model_validator(mode="after")
    def _sourced(self) -> _FactorFile:
        if self.growth is not None and not self.growth_source:
            raise ValueError("'growth' needs a 'growth_source' (a citation, or 'assumption: ...' "
                             "with a range)")
        if self.status == "assumption" and self.range is None:
            raise ValueError("an assumption needs a 'range: [low, high]'")
        if self.interpolation == "geometric" and any(v <= 0 for v in self.points.values()) \
                and len(self.points) > 1:
            raise ValueError("geometric interpolation needs positive points (or interpolation: "
                             "linear)")
        return self


class _LayerItemFile(_Strict):
    factors: list[StrictStr] = Field(min_length=1)
    increase: list[StrictStr] = Field(default_factory=list)
    scope: LayerScope = "national"


class _LayerFile(_Strict):
    kind: Literal["model", "sourced"] = "sourced"
    long_name: StrictStr
    basis: Literal["annualised", "overnight", "flow"]
    method: StrictStr = Field(min_length=1)
    items: list[_LayerItemFile] | None = None

    @model_validator(mode="after")
    def _items(self) -> _LayerFile:
        if self.kind == "model" and self.items:
            raise ValueError("a model layer has no items (it is the segments file's total)")
        if self.kind == "sourced" and not self.items:
            raise ValueError("a sourced layer needs 'items'")
        return self


class LayersFile(_Strict):
    """A market layers file (``data/market_layers.yaml``) as written."""

    currency: dict[str, _Currency] = Field(default_factory=dict)
    layers: dict[str, _LayerFile] = Field(min_length=1)
    memo: dict[str, _LayerFile] | None = None
    factors: dict[str, _FactorFile] = Field(default_factory=dict)


def load_layers(path: str | Path | None = None) -> Layers:
    """Read and check a layers file: schema, factor names, units (each item must come to USD per
    year) and ``hub_share`` where a layer is ``outside_hubs``; :class:`InputError` names the file,
    the key and its line."""
    path = Path(path) if path is not None else default_layers_path()
    spec, node = read_yaml_model(
        path, LayersFile, kind="a market layers file",
        expected="a mapping with 'layers', 'factors' (and 'memo', 'currency'); see docs/market.md",
        message=lambda e: pydantic_message(e, LayersFile))
    factors = {name: Factor(
        name=name, unit=f.unit, points=tuple(sorted(f.points.items())), status=f.status,
        source=f.source, growth=f.growth, interpolation=f.interpolation,
        inputs=(f.inputs.name, f.inputs.unit) if f.inputs else None,
        growth_source=f.growth_source or "", range=f.range) for name, f in spec.factors.items()}
    rates = tuple(sorted((code, c.per_usd) for code, c in spec.currency.items()))
    layers = Layers(_layers(spec.layers), _layers(spec.memo or {}), factors, rates, str(path))
    problems = _check_layers(layers, node)
    if problems:
        raise InputError(problems)
    return layers


def _layers(group: dict[str, _LayerFile]) -> tuple[Layer, ...]:
    return tuple(Layer(name, spec.long_name, spec.kind, spec.basis, spec.method, tuple(
        LayerItem(tuple(i.factors), tuple(i.increase), i.scope) for i in spec.items or ()))
        for name, spec in group.items())


def _check_layers(spec: Layers, node: Any) -> list[Problem]:
    """Names, units and scopes that pydantic cannot see: each a Problem with its key and line."""
    ureg = registry(spec.rates)
    problems = []
    for name, factor in spec.factors.items():
        for unit, key in [(factor.unit, "unit")] + ([(factor.inputs[1], "inputs.unit")]
                                                    if factor.inputs else []):
            try:
                parse_unit(ureg, unit)
            except ValueError as err:
                problems.append(Problem(spec.source, f"not a unit: {err}", column=(
                    f"factors.{name}.{key}"), line=yaml_line(node, ("factors", name)), value=unit))
    if problems:
        return problems
    for group, layers in (("layers", spec.layers), ("memo", spec.memo)):
        for layer in layers:
            for i, item in enumerate(layer.items):
                where = f"{group}.{layer.name}.items.{i}"
                line = yaml_line(node, (group, layer.name, "items"))
                unknown = [f for f in item.factors + item.increase if f not in spec.factors]
                if item.scope == "outside_hubs" and "hub_share" not in spec.factors:
                    unknown.append("hub_share")
                if unknown:
                    problems.append(Problem(spec.source, f"unknown factor(s) {unknown}",
                                            column=where, line=line, expected="names under "
                                            "'factors': " + ", ".join(spec.factors)))
                    continue
                try:
                    _usd_per_year(spec, item)
                except ValueError as err:
                    problems.append(Problem(spec.source, str(err), column=where, line=line,
                                            expected="factors whose units multiply to money per "
                                            "year (an increase is per year itself)"))
    return problems


def _usd_per_year(spec: Layers, item: LayerItem) -> float:
    """USD/year in one unit of the item's product (``ValueError`` naming the units otherwise)."""
    import pint

    ureg = registry(spec.rates)
    q = ureg.Quantity(1.0, "")
    for name in item.factors + item.increase:
        q = q * parse_unit(ureg, spec.factors[name].unit)
    if item.increase:
        q = q / ureg.year
    try:
        return float(q.to("USD/year").magnitude)
    except pint.DimensionalityError:
        units = " x ".join(spec.factors[n].unit for n in item.factors)
        if item.increase:
            units += " x increase per year of " + " x ".join(
                spec.factors[n].unit for n in item.increase)
        raise ValueError(f"{units} is {q.dimensionality}, not money per year") from None


def factor_path(factor: Factor, years: Sequence[int], inputs: xr.Dataset | None = None,
                rates: tuple[tuple[str, float], ...] = ()) -> xr.DataArray:
    r"""A factor in each of ``years`` in its own unit.

    Between two points :math:`(a, v_a), (b, v_b)`: geometric :math:`v_a (v_b/v_a)^{(y-a)/(b-a)}`
    (or linear); outside them the factor's ``growth`` from the nearest point, else the compound
    growth (or slope) of the two nearest points, else the one point's value. With ``inputs`` that
    hold the factor's ``inputs`` variable, the scenario's own figure replaces the points (a
    variable by ``*_year`` gives points, a scalar one point).
    """
    points = list(factor.points)
    if inputs is not None and factor.inputs and factor.inputs[0] in inputs:
        var = inputs[factor.inputs[0]]
        scale = convert(registry(rates), 1.0, factor.inputs[1], factor.unit)
        if var.ndim == 0:
            points = [(points[0][0], float(var) * scale)]
        elif var.ndim == 1:
            (dim,) = var.dims
            points = sorted((int(y), float(v) * scale)
                            for y, v in zip(var[dim].values, var.values, strict=True))
        else:
            raise ValueError(f"factor '{factor.name}': inputs variable '{factor.inputs[0]}' has "
                             f"dimensions {var.dims}; a scalar or one year dimension expected")
    xs = np.array([p[0] for p in points], float)
    vs = np.array([p[1] for p in points], float)
    linear = factor.interpolation == "linear"

    def rate(i: int, j: int) -> float:  # growth per year (geometric) or slope (linear), i -> j
        if linear:
            return (vs[j] - vs[i]) / (xs[j] - xs[i])
        return float((vs[j] / vs[i]) ** (1 / (xs[j] - xs[i])) - 1)

    def extend(i: int, y: float, default: float) -> float:
        if factor.growth is not None:
            return float(vs[i] * (1 + factor.growth) ** (y - xs[i]))
        return float(vs[i] + default * (y - xs[i]) if linear else vs[i] * (1 + default) ** (y - xs[i]))

    out = []
    for y in years:
        if len(xs) == 1:
            out.append(extend(0, y, 0.0))
        elif y < xs[0]:
            out.append(extend(0, y, rate(0, 1)))
        elif y > xs[-1]:
            out.append(extend(-1, y, rate(-2, -1)))
        else:
            j = max(int(np.searchsorted(xs, y)), 1)
            i = j - 1
            t = (y - xs[i]) / (xs[j] - xs[i])
            out.append(float(vs[i] + t * (vs[j] - vs[i]) if linear
                             else vs[i] * (vs[j] / vs[i]) ** t))
    return xr.DataArray(out, dims="year", coords={"year": list(years)},
                        attrs={"units": factor.unit, "source": factor.source})


def _item_path(spec: Layers, item: LayerItem, years: Sequence[int],
               inputs: xr.Dataset | None) -> xr.DataArray:
    """One sourced item in USD/year: product of factors x increase of the product of the
    ``increase`` factors over the year before x (1 - hub share) when outside the hubs."""
    def product(names: Sequence[str], at: Sequence[int]) -> xr.DataArray:
        value = xr.DataArray(np.ones(len(at)), dims="year", coords={"year": list(at)})
        for name in names:
            value = value * factor_path(spec.factors[name], at, inputs, spec.rates)
        return value

    value = product(item.factors, years)
    if item.increase:
        now = product(item.increase, years)
        before = product(item.increase, [y - 1 for y in years]).assign_coords(year=list(years))
        value = value * (now - before)
    if item.scope == "outside_hubs":
        value = value * (1 - factor_path(spec.factors["hub_share"], years, inputs, spec.rates))
    return value * _usd_per_year(spec, item)


def _layer_group(spec: Layers, group: Sequence[Layer], years: Sequence[int],
                 model: xr.DataArray | None, inputs: xr.Dataset | None, dim: str) -> xr.DataArray:
    rows = []
    for layer in group:
        if layer.kind == "model":
            if model is None:
                raise ValueError(f"layer '{layer.name}' is the model's: give solved results")
            missing = sorted(set(years) - {int(y) for y in model.year.values})
            if missing:
                raise ValueError(f"layer '{layer.name}' is the model's: years {missing} are not "
                                 f"modelled (years {[int(y) for y in model.year.values]})")
            rows.append(model.sel(year=list(years)))
        else:
            parts = [_item_path(spec, item, years, inputs) for item in layer.items]
            rows.append(sum(parts[1:], parts[0]))
    return xr.concat(rows, dim=dim).assign_coords({dim: [g.name for g in group]}).transpose(
        dim, "year")


def outlook(results: xr.Dataset | None = None, inputs: xr.Dataset | None = None,
            layers: Layers | str | Path | None = None,
            segments: Segments | str | Path | None = None,
            years: Sequence[int] | None = None) -> xr.Dataset:
    """The market outlook by layer per year [USD/year]: the model's layer from ``results`` (the
    total of :func:`market_value`), the sourced layers from ``data/market_layers.yaml`` (with the
    scenario's own figures where ``inputs`` hold them), their ``total`` and memo lines.

    ``years`` default to the results' modelled years (every layer is then defined); without
    results only sourced layers may be asked for.
    """
    spec = layers if isinstance(layers, Layers) else load_layers(layers)
    model = None
    out = xr.Dataset()
    if results is not None:
        market = market_value(results, segments, inputs)
        model = market.total
        out.attrs.update(model_note=market.attrs["note"], skipped=market.attrs["skipped"])
    if years is None:
        if results is None:
            raise ValueError("give the years (or solved results, whose years are taken)")
        years = [int(y) for y in results.year.values]
    years = [int(y) for y in years]
    value = _layer_group(spec, spec.layers, years, model, inputs, "layer")
    out["value"] = value.assign_attrs(units="USD/year", long_name="market outlook by layer")
    out["total"] = value.sum("layer").assign_attrs(units="USD/year",
                                                   long_name="market outlook, all layers")
    out = out.assign_coords(
        layer_long_name=("layer", [g.long_name for g in spec.layers]),
        layer_kind=("layer", [g.kind for g in spec.layers]),
        layer_basis=("layer", [g.basis for g in spec.layers]))
    if spec.memo:
        memo = _layer_group(spec, spec.memo, years, model, inputs, "memo")
        out["memo_value"] = memo.assign_attrs(units="USD/year", long_name="memo lines (not in "
                                              "the total: they overlap layers)")
        out = out.assign_coords(memo_long_name=("memo", [g.long_name for g in spec.memo]))
    scenario = results.attrs.get("scenario", "") if results is not None else ""
    out.attrs.update(content="market outlook", scenario=scenario, layers_file=spec.source,
                     scope_note=SCOPE_NOTE)
    return out


def outlook_table(view: xr.Dataset, path: xr.DataArray | None = None) -> pd.DataFrame:
    """Layers (rows, with the total and the projection) by year in billion USD per year."""
    frame = (view["value"] / USD_PER_USD_BN).to_pandas()
    frame.index = list(view.layer_long_name.values)
    frame.loc["total of the layers"] = view.total.values / USD_PER_USD_BN
    if path is not None:
        years = [y for y in view.year.values if y in path.year.values]
        frame.loc["projection (the brief's)"] = (path.sel(year=years) / USD_PER_USD_BN
                                                 ).reindex(year=view.year.values).values
    if "memo_value" in view:
        for name, row in zip(view.memo_long_name.values, view.memo_value.values, strict=True):
            frame.loc[f"memo: {name}"] = row / USD_PER_USD_BN
    frame.columns = [int(y) for y in view.year.values]
    frame.attrs["note"] = view.attrs.get("scope_note", SCOPE_NOTE)
    return frame


def factor_table(spec: Layers | str | Path | None = None) -> pd.DataFrame:
    """The layers file's factors: unit, points, growth, status and source (for reports)."""
    spec = spec if isinstance(spec, Layers) else load_layers(spec)
    rows = [{"factor": f.name, "unit": f.unit,
             "points": ", ".join(f"{y}: {v:g}" for y, v in f.points),
             "growth": "" if f.growth is None else f"{f.growth:.1%}/yr", "status": f.status,
             "source": f.source + (f"; growth: {f.growth_source}" if f.growth_source else "")}
            for f in spec.factors.values()]
    return pd.DataFrame(rows).set_index("factor")


# --------------------------------------------------------------------------------------------
# Gap analysis


def gap(market: xr.Dataset | xr.DataArray, path: xr.DataArray | None = None) -> xr.Dataset:
    """Projection vs model in the modelled years, and both growth rates.

    ``market``: :func:`market_value` output (or its ``total``); ``path``: :func:`projection`
    (default: the brief's). The model's CAGR is between its first and last modelled year.
    """
    total = market["total"] if isinstance(market, xr.Dataset) else market
    path = projection() if path is None else path
    years = [y for y in total.year.values if y in path.year.values]
    if not years:
        raise ValueError(f"no modelled year ({list(total.year.values)}) is in the projection's "
                         f"years ({list(path.year.values)})")
    model = total.sel(year=years)
    proj = path.sel(year=years)
    out = xr.Dataset({
        "projection": proj.assign_attrs(units="USD/year", long_name="projected market "
                                        f"({PROJECTION_NOTE})"),
        "model": model.assign_attrs(units="USD/year", long_name="model-implied market"),
        "gap": (proj - model).assign_attrs(units="USD/year", long_name="projection - model"),
        "ratio": (model / proj).assign_attrs(units="1", long_name="model / projection"),
    })
    out.attrs.update(model_cagr=cagr(total), projection_cagr=float(path.attrs.get("cagr", cagr(path))),
                     projection_end_value=float(path.attrs.get("end_value", path.isel(year=-1))),
                     projection_end_year=int(path.attrs.get("end_year", path.year.values[-1])),
                     note=PROJECTION_NOTE)
    return out


def gap_table(g: xr.Dataset) -> pd.DataFrame:
    """The gap as a table in billion USD per year, with the growth rates in the last row."""
    frame = pd.DataFrame({
        "projection (USD bn)": g.projection.values / USD_PER_USD_BN,
        "model (USD bn)": g.model.values / USD_PER_USD_BN,
        "gap (USD bn)": g.gap.values / USD_PER_USD_BN,
        "model / projection": g.ratio.values,
    }, index=pd.Index(g.year.values, name="year"))
    frame.attrs["note"] = (f"model CAGR {g.attrs['model_cagr']:.1%}/yr vs projection "
                           f"{g.attrs['projection_cagr']:.1%}/yr; {PROJECTION_NOTE}")
    return frame


# --------------------------------------------------------------------------------------------
# Reverse search


@dataclass
class SearchResult:
    """Outcome of :func:`reverse_search`: the parameter value, or why there is none."""

    parameter: str
    target: float
    found: bool
    value: float = math.nan                 # the parameter value reaching the target
    market: float = math.nan                # the market at ``value``
    bracket: tuple[float, float] = (math.nan, math.nan)
    market_at_bracket: tuple[float, float] = (math.nan, math.nan)
    evaluations: list[tuple[float, float]] = field(default_factory=list)
    message: str = ""

    def __str__(self) -> str:
        return self.message


def _fmt(v: float) -> str:
    return f"{v / USD_PER_USD_BN:,.2f} bn USD" if abs(v) >= USD_PER_MUSD else f"{v:,.6g}"


def reverse_search(market_at: Callable[[float], float], target: float,
                   bracket: tuple[float, float], *, parameter: str = "parameter",
                   rtol: float = 0.01, xtol: float = 1e-6, max_evaluations: int = 30) -> SearchResult:
    """The parameter value in ``bracket`` at which ``market_at`` reaches ``target``.

    ``market_at(x)`` solves the model at parameter ``x`` and returns the market (e.g. the end-year
    total); it should rise or fall monotonically over the bracket. The search evaluates both ends
    first: if the target is not between them the result says so (``found=False``) with the market
    at each end. Otherwise Brent's method runs until the market is within ``rtol`` of the target
    (relative) or the bracket is narrower than ``xtol``. A solve that fails at an end of the bracket
    is reported in the message, not raised.
    """
    from scipy.optimize import brentq

    lo, hi = float(bracket[0]), float(bracket[1])
    if not lo < hi:
        raise ValueError(f"bracket must be (low, high) with low < high, got {bracket}")
    result = SearchResult(parameter=parameter, target=float(target), found=False, bracket=(lo, hi))
    evaluations = result.evaluations
    tol = abs(target) * rtol

    class _Close(Exception):  # stop Brent as soon as the market is within tolerance
        pass

    solved: dict[float, float] = {}

    def f(x: float) -> float:
        if x in solved:  # brentq re-evaluates the bracket ends: do not solve twice
            return solved[x] - target
        if len(evaluations) >= max_evaluations:
            raise RuntimeError(f"no convergence within {max_evaluations} solves")
        v = float(market_at(x))
        evaluations.append((x, v))
        solved[x] = v
        if abs(v - target) <= tol:
            raise _Close
        return v - target

    ends: list[float] = []
    for x in (lo, hi):
        try:
            ends.append(f(x))
        except _Close:
            return _found(result, *evaluations[-1], tol)
        except SynergyError as err:
            result.message = (f"{parameter} = {x:g} (an end of the bracket) does not solve: {err}; "
                              "narrow the bracket")
            return result
    result.market_at_bracket = (ends[0] + target, ends[1] + target)
    if np.sign(ends[0]) == np.sign(ends[1]):
        side = "above" if ends[0] > 0 else "below"
        result.message = (
            f"out of range: the target {_fmt(target)} is not reached for {parameter} in "
            f"[{lo:g}, {hi:g}]: the market is {_fmt(ends[0] + target)} at {lo:g} and "
            f"{_fmt(ends[1] + target)} at {hi:g}, both {side} the target; widen the bracket or "
            "choose another parameter")
        return result
    try:
        brentq(f, lo, hi, xtol=xtol, maxiter=max_evaluations)
    except _Close:
        return _found(result, *evaluations[-1], tol)
    except (RuntimeError, SynergyError) as err:
        result.message = f"{parameter}: {err}; last evaluations {evaluations[-3:]}"
        return result
    # Converged on x within xtol without the market within rtol (a jump in the market).
    x, v = min(evaluations, key=lambda e: abs(e[1] - target))
    result.value, result.market = x, v
    result.message = (f"{parameter} converged to {x:.6g} (bracket width < {xtol:g}) but the market "
                      f"there is {_fmt(v)}, not within {rtol:.3g} of {_fmt(target)} (relative): the "
                      "market jumps at this value, or rtol is tighter than xtol allows")
    return result


def _found(result: SearchResult, x: float, v: float, tol: float) -> SearchResult:
    result.found, result.value, result.market = True, x, v
    result.message = (f"{result.parameter} = {x:.6g} reaches {_fmt(v)} (target {_fmt(result.target)}"
                      f" ± {_fmt(tol)}) after {len(result.evaluations)} solves")
    return result


@dataclass(frozen=True)
class Lever:
    """A scenario parameter the reverse search can move, as overrides of the scenario, and the
    range searched unless another is given."""

    name: str
    units: str
    description: str
    overrides: Callable[[float, xr.Dataset], dict[str, Any]]
    bracket: tuple[float, float] | None = None


def _compute_growth(g: float, inputs: xr.Dataset) -> dict[str, Any]:
    # The loader grows data-centre electricity geometrically from 2024 to 2030: set the 2030 value.
    e2024 = float(inputs.dc_electricity.sel(dc_year=2024))             # GWh
    return {"dc_electricity.2030": e2024 * (1 + g) ** 6}


def _compute_scale(x: float, inputs: xr.Dataset) -> dict[str, Any]:
    return {"dc_electricity.2030": x * float(inputs.dc_electricity.sel(dc_year=2030))}


# Default brackets: on base the outlook reaches $310B in 2030 at about 33%/yr of compute growth
# (docs/market.md); 0.05 to 0.50 holds it with room (0.50 is 1,160 TWh of data centres in 2030).
LEVERS: dict[str, Lever] = {
    "compute_growth": Lever(
        "compute_growth", "1/year", "compound annual growth of national data-centre electricity "
        "2024-2030 (sets dc_electricity in 2030; base: 277/102 TWh, 18.1%/yr)", _compute_growth,
        (0.05, 0.50)),
    "compute_scale": Lever(
        "compute_scale", "1", "multiplier of the scenario's national data-centre electricity in "
        "2030 (1: as given; growth from 2024 follows)", _compute_scale, (0.5, 4.0)),
}

#: What the reverse search brings to the projection: the sum of all layers (:func:`outlook`), or
#: the model's layer alone (:func:`market_value`, the hubs' energy side).
Measure = Literal["outlook", "model"]
MEASURES: tuple[str, ...] = typing.get_args(Measure)


def lever(name: str) -> Lever:
    """A named lever, or any scalar parameter / dotted parameter key set directly (e.g.
    ``green_share_target``, ``dc_electricity.2030``, in the parameter's units; no default
    bracket)."""
    if name in LEVERS:
        return LEVERS[name]
    return Lever(name, "", f"the parameter {name} set directly", lambda x, _: {name: x})


def default_bracket(parameter: str) -> tuple[float, float]:
    """The lever's search range; ``ValueError`` for a parameter that has none."""
    found = lever(parameter).bracket
    if found is None:
        raise ValueError(f"no default search range for '{parameter}': give a bracket (LOW, HIGH) "
                         f"in its units (ranges are known for {', '.join(LEVERS)})")
    return found


class Runs(Protocol):
    """A scenario that can be solved at other settings (:class:`synergy_models.run.ScenarioRuns`):
    the market never loads or solves by itself."""

    def inputs(self, changes: dict[str, Any] | None = None) -> xr.Dataset: ...

    def solve(self, changes: dict[str, Any] | None = None) -> tuple[xr.Dataset, xr.Dataset]: ...


def scenario_market_at(runs: Runs, parameter: str = "compute_growth", year: int = 2030,
                       segments: Segments | str | Path | None = None,
                       log: Callable[[str], None] | None = None, *,
                       measure: Measure = "outlook",
                       layers: Layers | str | Path | None = None) -> Callable[[float], float]:
    """``x -> market in `year` [USD]`` solving ``runs`` with ``parameter`` set to ``x``: the
    outlook's total (sourced layers read from the solve's inputs where they are tied to them, e.g.
    national data-centre electricity) or the model's layer alone (``measure="model"``)."""
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {MEASURES}, got {measure!r}")
    spec = segments if isinstance(segments, Segments) else load_segments(segments)
    layer_spec = None
    if measure == "outlook":
        layer_spec = layers if isinstance(layers, Layers) else load_layers(layers)
    lev = lever(parameter)
    base = runs.inputs()  # for levers relative to the data

    def market_at(x: float) -> float:
        inputs, results = runs.solve(lev.overrides(x, base))
        if year not in results.year.values:
            raise ValueError(f"year {year} is not modelled (years {list(results.year.values)})")
        if layer_spec is None:
            value = float(market_value(results, spec, inputs).total.sel(year=year))
        else:
            value = float(outlook(results, inputs, layer_spec, spec, [year]).total.sel(year=year))
        if log:
            log(f"{parameter} = {x:.6g}: {measure} {year} {_fmt(value)}")
        return value

    return market_at


def required_parameter(runs: Runs, parameter: str = "compute_growth",
                       bracket: tuple[float, float] | None = None, *,
                       path: xr.DataArray | None = None,
                       rtol: float = 0.01, xtol: float = 1e-4, max_evaluations: int = 20,
                       segments: Segments | str | Path | None = None,
                       measure: Measure = "outlook", layers: Layers | str | Path | None = None,
                       log: Callable[[str], None] | None = None) -> SearchResult:
    """The value of ``parameter`` at which the scenario of ``runs`` reaches the projection in its
    end year, e.g. ``required_parameter(ScenarioRuns("base", {"time.days": 2}))``: by default the
    sum of the outlook's layers (``measure="model"``: the model's layer alone), searched in the
    lever's ``bracket`` (:data:`LEVERS`) unless one is given.

    Each evaluation is a solve through the pipeline (:class:`synergy_models.run.ScenarioRuns`;
    overrides such as ``{"time.days": 2}`` make them quicker).
    """
    bracket = default_bracket(parameter) if bracket is None else bracket
    path = projection() if path is None else path
    end_year = int(path.attrs.get("end_year", path.year.values[-1]))
    target = float(path.sel(year=end_year))
    market_at = scenario_market_at(runs, parameter, end_year, segments, log, measure=measure,
                                   layers=layers)
    return reverse_search(market_at, target, bracket, parameter=parameter,
                          rtol=rtol, xtol=xtol, max_evaluations=max_evaluations)
