"""Property-based fuzzing of the loader (issue 22): the shipped dataset, copied and mutated in one
place (a CSV cell, a CSV header, dataset.yaml or profiles.nc), must either load and validate or
fail with one of the package's errors; never another exception, never a hang (each example is
time-boxed) and never a file written when it fails.

The number of examples is bounded for CI (``SYNERGY_FUZZ_EXAMPLES``, default 60: about a minute on
two cores); examples are derandomized so a CI run is repeatable. Set ``SYNERGY_FUZZ_EXAMPLES=1000``
and ``SYNERGY_FUZZ_RANDOM=1`` for a longer, random hunt.
"""

from __future__ import annotations

import contextlib
import csv
import os
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
import yaml

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from synergy_models.errors import SynergyError  # noqa: E402

DATASET = Path(__file__).resolve().parent.parent / "data" / "china_hubs"
EXAMPLES = int(os.environ.get("SYNERGY_FUZZ_EXAMPLES", "60"))
#: Seconds one example may take before it counts as a hang (a load takes ~0.3-2 s).
TIME_BOX = 30


def _read_csv(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def _write_csv(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)


CSV_SHAPES = {p.name: (len(rows) - 1, len(rows[0])) for p in sorted(DATASET.glob("*.csv"))
              if (rows := _read_csv(p))}

# --- what goes into a cell, a header or a YAML value ------------------------------------------------

TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=24)
CELLS = st.one_of(
    st.sampled_from(["", " ", "nan", "NaN", "inf", "-inf", "-1", "0", "1e300", "-1e300", "1e-300",
                     "abc", "0_23", "1,000", "10 GW", "TWh", "9**9**9", "2 ** 99", "\uff12", "true",
                     "null", "=1+1", '"', "\x00", "1e2", "0x10", "\u0663", "12 USD/MWh", "5 MW",
                     "1e9 GW", "-0", "2030", "2e3", "GW", "1/0", "inf GW", "nan TWh", "BTH", "XX"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-10**30, 10**30).map(str),
    TEXT,
)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20),
                    st.floats(allow_nan=True, allow_infinity=True), TEXT)
YAML_VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(TEXT, inner, max_size=3)), max_leaves=6)


@dataclass(frozen=True)
class Mutation:
    """One change to a copy of the dataset; ``describe`` is what Hypothesis prints for a failure."""

    describe: str
    apply: Callable[[Path], None]

    def __repr__(self) -> str:
        return self.describe


@st.composite
def cell_mutations(draw: st.DrawFn) -> Mutation:
    name = draw(st.sampled_from(sorted(CSV_SHAPES)))
    n_rows, n_cols = CSV_SHAPES[name]
    row = draw(st.integers(1, n_rows))
    col = draw(st.integers(0, n_cols - 1))
    value = draw(CELLS)

    def apply(folder: Path) -> None:
        rows = _read_csv(folder / name)
        rows[row][col] = value
        _write_csv(folder / name, rows)

    return Mutation(f"{name} row {row} column {col} = {value!r}", apply)


@st.composite
def header_mutations(draw: st.DrawFn) -> Mutation:
    name = draw(st.sampled_from(sorted(CSV_SHAPES)))
    n_cols = CSV_SHAPES[name][1]
    kind = draw(st.sampled_from(["drop", "duplicate", "rename", "swap", "empty", "extra"]))
    i = draw(st.integers(0, n_cols - 1))
    j = draw(st.integers(0, n_cols - 1))
    new = draw(TEXT)

    def apply(folder: Path) -> None:
        rows = _read_csv(folder / name)
        header = rows[0]
        if kind == "drop":
            rows = [r[:i] + r[i + 1:] for r in rows]
        elif kind == "duplicate":
            header[j] = header[i]
        elif kind == "rename":
            header[i] = new
        elif kind == "swap":
            header[i], header[j] = header[j], header[i]
        elif kind == "empty":
            rows = [[], *rows[1:]]
        else:
            rows = [[*r, new if k == 0 else "1"] for k, r in enumerate(rows)]
        _write_csv(folder / name, rows)

    return Mutation(f"{name} header: {kind} {i} {j} {new!r}", apply)


@st.composite
def yaml_mutations(draw: st.DrawFn) -> Mutation:
    meta = yaml.safe_load((DATASET / "dataset.yaml").read_text())
    kind = draw(st.sampled_from(["set", "delete", "add", "text"]))
    key = draw(st.sampled_from(sorted(meta)))
    value = draw(YAML_VALUES)
    text = draw(TEXT)

    def apply(folder: Path) -> None:
        path = folder / "dataset.yaml"
        if kind == "text":
            path.write_text(text, encoding="utf-8")
            return
        data = yaml.safe_load(path.read_text())
        if kind == "set":
            data[key] = value
        elif kind == "delete":
            del data[key]
        else:
            data[str(text) or "extra"] = value
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    return Mutation(f"dataset.yaml: {kind} {key!r} {value!r} {text!r}", apply)


@st.composite
def profile_mutations(draw: st.DrawFn) -> Mutation:
    variable = draw(st.sampled_from(["load_profile", "wind_cf", "solar_cf", "hydro_cf"]))
    kind = draw(st.sampled_from(["scale", "patch", "drop", "reverse", "region", "truncate",
                                 "shorten", "integer"]))
    factor = draw(st.sampled_from([0.0, -1.0, 2.0, 0.5, 1e30, 1e-30, np.nan, np.inf, 1.0001]))
    start = draw(st.integers(0, 8700))
    length = draw(st.integers(1, 200))
    keep = draw(st.integers(0, 668_000))

    def apply(folder: Path) -> None:
        path = folder / "profiles.nc"
        if kind == "truncate":
            data = path.read_bytes()
            path.write_bytes(data[:keep])
            return
        with xr.open_dataset(path) as f:
            ds = f.load()
        if kind == "scale":
            ds[variable] = ds[variable] * factor
        elif kind == "patch":
            values = ds[variable].values.copy()
            time_axis = ds[variable].dims.index("time") if "time" in ds[variable].dims else 0
            index = [slice(None)] * values.ndim
            index[time_axis] = slice(start, start + length)
            values[tuple(index)] = factor
            ds[variable] = (ds[variable].dims, values, ds[variable].attrs)
        elif kind == "drop":
            ds = ds.drop_vars(variable)
        elif kind == "reverse":
            ds = ds.isel(time=slice(None, None, -1))
        elif kind == "region":
            ds = ds.isel(region=slice(1, None)) if "region" in ds.dims else ds
        elif kind == "shorten":
            ds = ds.isel(time=slice(0, start + 1))
        else:
            ds[variable] = ds[variable].fillna(0).astype("int64")
        path.unlink()
        ds.to_netcdf(path)

    return Mutation(f"profiles.nc: {kind} {variable} x{factor} [{start}:+{length}] {keep}", apply)


def yaml_text(text: str) -> Mutation:
    """dataset.yaml replaced by ``text``."""
    def apply(folder: Path) -> None:
        (folder / "dataset.yaml").write_text(text, encoding="utf-8")

    return Mutation(f"dataset.yaml: text {text!r}", apply)


#: What the fuzzer found (each a traceback before its fix), run first in every run.
FOUND = [
    yaml_text("\x1f"),  # a control character: PyYAML's ReaderError escaped
]

MUTATIONS = st.one_of(cell_mutations(), header_mutations(), yaml_mutations(), profile_mutations())


# --- the property --------------------------------------------------------------------------------


class Hang(Exception):
    """An example ran past :data:`TIME_BOX`."""


@contextlib.contextmanager
def time_box(seconds: int) -> Iterator[None]:
    def stop(signum: int, frame: object) -> None:
        raise Hang(f"no answer after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _files(*folders: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folders`` with its size and modification time."""
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns)
            for folder in folders if folder.exists() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.slow
@settings(max_examples=EXAMPLES, deadline=None, database=None,
          derandomize=not os.environ.get("SYNERGY_FUZZ_RANDOM"),
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutation=MUTATIONS)
@example(mutation=FOUND[0])
def test_a_mutated_dataset_loads_or_fails_cleanly(mutation: Mutation) -> None:
    from synergy_models.data.loader import load_inputs
    from synergy_models.scenario import load_scenario

    with tempfile.TemporaryDirectory(prefix="synergy-fuzz-") as tmp:
        root = Path(tmp)
        folder = Path(shutil.copytree(DATASET, root / "china_hubs"))
        cache = root / "cache"
        mutation.apply(folder)
        scenario = root / "fuzz.yaml"
        scenario.write_text(f"name: fuzz\ndataset: {folder}\nyears: [2030]\n"
                            "time: {days: 2, segments: 4}\n", encoding="utf-8")
        before = _files(root)
        old_cache = os.environ.get("SYNERGY_CACHE_DIR")
        os.environ["SYNERGY_CACHE_DIR"] = str(cache)  # any file a load writes lands under root
        try:
            with time_box(TIME_BOX):
                inputs = load_inputs(load_scenario(scenario))
        except SynergyError as err:
            assert str(err).strip(), "an error without a message"
            assert _files(root) == before, "files written although the load failed"
        else:
            assert isinstance(inputs, xr.Dataset) and inputs.attrs.get("inputs_hash")
        finally:
            if old_cache is None:
                os.environ.pop("SYNERGY_CACHE_DIR", None)
            else:
                os.environ["SYNERGY_CACHE_DIR"] = old_cache

