"""Sweeps: expansion, checks before any solve, a real Dask cluster, failed cases and resume."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
import yaml

from synergy_models import run
from synergy_models.errors import InputError
from synergy_models.io import read_netcdf, write_netcdf
from synergy_models.scenario import SolverSettings
from synergy_models.sweep import (
    Case,
    CaseOutcome,
    Dispatch,
    Sweep,
    at_middle,
    combine,
    expand_cases,
    load_sweep,
    plot_axes,
    reuse_groups,
    run_sweep,
    solve_case,
    technology_table,
)
from tests.conftest import power_only_scenario

ROOT = Path(__file__).resolve().parent.parent
# Tiny cases: one year, two representative days of four segments, one HiGHS thread per case.
TINY = {"years": [2030], "time.days": 2, "time.segments": 4, "solver.threads": 1}


def write_sweep(folder: Path, **fields: object) -> Path:
    spec = {"name": "t", "base": "base", "settings": TINY, **fields}
    path = folder / "sweep.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path


def sweep_of(**fields: object) -> Sweep:
    return Sweep.model_validate({"name": "t", "base": "base", **fields})


# --- expansion: pure and fast ---------------------------------------------------------------------


def test_product_of_a_list_and_a_grid_varies_the_last_parameter_fastest():
    cases = expand_cases(sweep_of(settings={"time.days": 2}, parameters={
        "carbon_price": {"values": [0, 50]}, "green_share_target": {"grid": {"start": 0.5, "stop": 1,
                                                                             "num": 3}}}))
    assert [c.id for c in cases] == ["000", "001", "002", "003", "004", "005"]
    assert [tuple(c.swept.values()) for c in cases] == [
        (0, 0.5), (0, 0.75), (0, 1.0), (50, 0.5), (50, 0.75), (50, 1.0)]
    assert cases[4].overrides == {"time.days": 2, "carbon_price": 50, "green_share_target": 0.75}


def test_zip_pairs_values_and_needs_equal_lengths():
    cases = expand_cases(sweep_of(combine="zip", parameters={
        "carbon_price": {"values": [0, 50, 100]}, "hub_share": {"grid": {"start": 0.6, "stop": 0.8,
                                                                         "num": 3}}}))
    assert [tuple(c.swept.values()) for c in cases] == [(0, 0.6), (50, 0.7), (100, 0.8)]
    with pytest.raises(ValueError, match="equally many values"):
        sweep_of(combine="zip", parameters={"carbon_price": {"values": [0, 50]},
                                            "hub_share": {"values": [0.7]}})


def test_random_samples_are_seeded_and_within_bounds():
    spec = {"seed": 7, "parameters": {"carbon_price": {"random": {"low": 10, "high": 20, "n": 5}}}}
    first = [c.swept["carbon_price"] for c in expand_cases(sweep_of(**spec))]
    again = [c.swept["carbon_price"] for c in expand_cases(sweep_of(**spec))]
    other = [c.swept["carbon_price"] for c in expand_cases(sweep_of(**{**spec, "seed": 8}))]
    assert first == again != other
    assert len(first) == 5 and all(10 <= x <= 20 for x in first)
    with pytest.raises(ValueError, match="seed"):
        sweep_of(parameters=spec["parameters"])


def test_solver_settings_and_model_code_are_part_of_the_case_key(monkeypatch):
    inputs = xr.Dataset(attrs={"inputs_hash": "ab" * 32})
    plain = run.results_key(inputs, SolverSettings())
    assert plain == run.results_key(inputs, SolverSettings())
    assert plain != run.results_key(inputs, SolverSettings(time_limit=5))
    monkeypatch.setattr(run, "model_code_hash", lambda: "another version of the model")
    assert plain != run.results_key(inputs, SolverSettings())


def test_a_case_is_solved_again_after_a_change_of_model_code_or_when_its_file_is_broken(
        tmp_path, monkeypatch):
    first = solve_case("base", TINY, tmp_path)
    assert first.status == "solved", first.message
    assert solve_case("base", TINY, tmp_path).status == "resumed"
    Path(first.path).write_bytes(Path(first.path).read_bytes()[:1000])  # a truncated file
    mended = solve_case("base", TINY, tmp_path)
    assert mended.status == "solved" and mended.path == first.path
    monkeypatch.setattr(run, "model_code_hash", lambda: "another version of the model")
    again = solve_case("base", TINY, tmp_path)
    assert again.status == "solved" and again.path != first.path


# --- bad files: file and key named, nothing solved ----------------------------------------------------


def test_a_bad_sweep_file_names_the_file_the_key_and_the_line(tmp_path):
    path = write_sweep(tmp_path, parameters={"carbon_price": {"grid": {"start": 0, "stop": 10}}})
    with pytest.raises(InputError) as err:
        load_sweep(path)
    text = str(err.value)
    assert str(path) in text and "parameters.carbon_price.grid.num" in text and "line" in text

    path = write_sweep(tmp_path, parameters={"carbon_price": {"values": [1], "grid": {
        "start": 0, "stop": 1, "num": 2}}})
    with pytest.raises(InputError, match="exactly one of 'values', 'grid' or 'random'"):
        load_sweep(path)


def test_unknown_parameter_and_bad_value_are_reported_before_any_solve(tmp_path):
    path = write_sweep(tmp_path, parameters={"carbon_prise": {"values": [0, 10]},
                                             "hub_share": {"values": [0.5, 7]}})
    out = tmp_path / "out"
    t0 = time.perf_counter()
    with pytest.raises(InputError) as err:
        run_sweep(path, out, progress=False)
    assert time.perf_counter() - t0 < 20  # checked from the tables: no inputs built, no solve
    text = str(err.value)
    assert str(path) in text
    assert "column 'parameters.carbon_prise'" in text and "did you mean 'carbon_price'" in text
    assert "column 'parameters.hub_share'" in text and "out of range" in text and "got 7" in text
    assert text.count("column 'parameters.carbon_prise'") == 1  # once, not once per case
    assert not (out / "cases").exists()


# --- real solves ----------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _dask(*args: str) -> subprocess.Popen:
    """A ``dask`` command-line process (scheduler or worker) on 127.0.0.1, quiet."""
    return subprocess.Popen([str(Path(sys.executable).parent / "dask"), *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _scheduler() -> tuple[str, subprocess.Popen]:
    port = _free_port()
    proc = _dask("scheduler", "--host", "127.0.0.1", "--port", str(port), "--dashboard-address", ":0")
    return f"tcp://127.0.0.1:{port}", proc


def _worker(address: str) -> subprocess.Popen:
    return _dask("worker", address, "--nworkers", "1", "--nthreads", "1", "--memory-limit", "2GiB",
                 "--no-dashboard", "--host", "127.0.0.1")


def _stop(address: str, procs: list[subprocess.Popen]) -> None:
    from dask.distributed import Client

    try:
        with Client(address, timeout=5, set_as_default=False) as client:
            client.shutdown()
    except Exception:  # already gone: fall through to stopping the processes ourselves
        pass
    for p in procs:
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            p.terminate()
            p.wait(timeout=10)


@pytest.fixture(scope="module")
def dask_cluster() -> Iterator[str]:
    """A real ``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1."""
    from dask.distributed import Client

    address, scheduler = _scheduler()
    procs = [scheduler]
    try:
        procs += [_worker(address) for _ in range(2)]
        with Client(address, timeout=30, set_as_default=False) as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        _stop(address, procs)


@pytest.mark.slow
def test_dask_cluster_gives_the_local_results_and_isolates_a_failing_case(tmp_path, dask_cluster):
    # grid_share_max 0: no data-centre load anywhere, so the compute demand cannot be served.
    # carbon_free_share 0: the price fully passed through (the dataset allocates most free).
    path = write_sweep(tmp_path, combine="zip", parameters={
        "carbon_price": {"values": [0, 60, 120, 60]},
        "grid_share_max": {"values": [1.0, 1.0, 1.0, 0.0]},
        "carbon_free_share": {"values": [0, 0, 0, 0]}})
    remote = run_sweep(path, tmp_path / "dask", scheduler=dask_cluster, progress=False)
    # Locally every case is built afresh; on the cluster, cases differing only in the carbon price
    # are solved on the model their worker built for the first (patched costs): same answers.
    local = run_sweep(path, tmp_path / "local", workers=1, progress=False, reuse=False)
    assert not local.reused_model.any()

    assert list(remote.status.values) == ["solved", "solved", "solved", "failed"]
    assert "infeasible" in str(remote.message.values[3])
    assert np.isnan(remote.objective.values[3])
    assert list(local.status.values) == list(remote.status.values)
    np.testing.assert_allclose(remote.objective.values[:3], local.objective.values[:3], rtol=1e-6)
    # A higher carbon price costs more and emits less.
    assert remote.objective.values[0] < remote.objective.values[1] < remote.objective.values[2]
    emissions = remote.emissions.sum(("region", "year")).values[:3]
    assert emissions[0] > emissions[2]
    assert list(remote.carbon_price.values) == [0, 60, 120, 60]

    # Outputs: the combined netCDF (swept parameters as coordinates) and the summary table.
    saved = read_netcdf(tmp_path / "dask" / "sweep.nc")
    assert saved.sizes["case"] == 4 and "grid_share_max" in saved.coords
    assert "time" not in saved.dims  # no hourly arrays in the combined file
    summary = pd.read_csv(tmp_path / "dask" / "summary.csv")
    assert list(summary.status) == ["solved", "solved", "solved", "failed"]
    assert summary.market_value_USD_bn.iloc[:3].gt(0).all() and summary.objective_MUSD.isna().iloc[3]
    techs = pd.read_csv(tmp_path / "dask" / "technologies.csv")
    assert len(techs) == 4 * remote.sizes["tech"] and techs.capacity_GW.isna().sum() == remote.sizes["tech"]
    assert {"coal", "wind", "solar", "battery"} <= set(techs.tech)
    assert techs[techs.tech == "coal"].generation_TWh.iloc[:3].gt(0).all()
    assert "generation_annual" in saved and "gen_tech" in saved.coords
    assert len(list((tmp_path / "dask" / "cases").glob("*.nc"))) == 3
    assert not list((tmp_path / "dask").rglob("*.tmp"))


@pytest.mark.slow
def test_a_dataset_without_data_centres_sweeps_on_the_cluster(tmp_path, dask_cluster):
    base = power_only_scenario(tmp_path, years=[2030], time={"days": 2, "segments": 4},
                               solver={"threads": 1})
    path = write_sweep(tmp_path, base=str(base), parameters={"carbon_price": {"values": [0, 90]}})
    ds = run_sweep(path, tmp_path / "out", scheduler=dask_cluster, progress=False)
    assert list(ds.status.values) == ["solved", "solved"], list(ds.message.values)
    assert "dc_capacity" not in ds and "compute_exports" not in ds
    assert ds.objective.values[0] < ds.objective.values[1]
    summary = pd.read_csv(tmp_path / "out" / "summary.csv")
    assert "dc_capacity_GW" not in summary and (summary.market_value_USD_bn == 0).all()


@pytest.mark.slow
def test_resume_solves_only_the_missing_case(tmp_path, dask_cluster, capsys):
    # On the cluster's warm workers (the same code path as local processes, less start-up time).
    path = write_sweep(tmp_path, parameters={"carbon_price": {"values": [0, 80]}})
    out = tmp_path / "out"
    first = run_sweep(path, out, scheduler=dask_cluster, progress=False)
    assert list(first.status.values) == ["solved", "solved"]
    files = sorted((out / "cases").glob("*.nc"))
    kept = out / "cases" / str(first.case_file.values[0])
    lost = next(f for f in files if f != kept)
    mtime = kept.stat().st_mtime_ns
    lost.unlink()  # as if the sweep had been interrupted before this case finished

    capsys.readouterr()
    again = run_sweep(path, out, scheduler=dask_cluster, progress=True)
    assert list(again.status.values) == ["resumed", "solved"]
    # Not a terminal (as in a log file): one progress line per case, with failures and time left.
    log = capsys.readouterr().err
    assert "case 000 resumed" in log and "case 001 solved" in log and "2/2 done, 0 failed" in log
    assert kept.stat().st_mtime_ns == mtime and lost.exists()
    np.testing.assert_allclose(again.objective.values, first.objective.values, rtol=1e-9)


@pytest.mark.slow
def test_a_sweep_on_a_cluster_without_workers_waits_for_one(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    path = write_sweep(tmp_path, parameters={"carbon_price": {"values": [0, 80]}})
    address, scheduler = _scheduler()
    procs = [scheduler]
    try:
        with ThreadPoolExecutor(1) as pool:
            running = pool.submit(run_sweep, path, tmp_path / "out", scheduler=address,
                                  progress=False)
            time.sleep(3)
            assert not running.done()  # checked, connected, waiting: nothing to run on
            procs.append(_worker(address))
            ds = running.result(timeout=120)
        assert list(ds.status.values) == ["solved", "solved"]
    finally:
        _stop(address, procs)


def test_reuse_groups_keep_cases_that_differ_in_the_carbon_price_only_together():
    cases = expand_cases(sweep_of(parameters={"hub_share": {"values": [0.6, 0.8]},
                                              "carbon_price": {"values": [0, 50, 100]}}))
    groups = reuse_groups(cases)
    assert [[c.id for c in members] for members in groups.values()] == [
        ["000", "001", "002"], ["003", "004", "005"]]
    for members in groups.values():
        assert len({m.overrides["hub_share"] for m in members}) == 1


def _take(dispatch: Dispatch, address: str) -> str:
    case, group = dispatch.next_for(address)
    return f"{group}:{case.id}"


def test_dispatch_keeps_each_worker_on_its_group_and_helps_at_the_end():
    # Four groups of two cases on workers a and b, each finishing in turn.
    groups = {g: [Case(f"{g}{i}", {}, {}) for i in range(2)] for g in "pqrs"}
    dispatch = Dispatch(groups)
    assert [_take(dispatch, "a"), _take(dispatch, "b")] == ["p:p0", "q:q0"]
    assert _take(dispatch, "a") == "p:p1"  # its own group while it has cases
    assert _take(dispatch, "a") == "r:r0"  # then a group nobody is on, not b's
    assert _take(dispatch, "b") == "q:q1"
    assert _take(dispatch, "b") == "s:s0"
    assert _take(dispatch, "a") == "r:r1"
    assert _take(dispatch, "a") == "s:s1"  # nothing free: helps b rather than idle
    assert dispatch.next_for("b") is None and dispatch.left == 0


def test_dispatch_shares_one_group_and_frees_the_group_of_a_worker_that_left():
    dispatch = Dispatch({None: [Case(str(i), {}, {}) for i in range(4)]})
    assert [_take(dispatch, "a"), _take(dispatch, "b")] == ["None:0", "None:1"]  # both work

    dispatch = Dispatch({"p": [Case("p0", {}, {}), Case("p1", {}, {})],
                         "q": [Case("q0", {}, {})], "r": [Case("r0", {}, {})]})
    assert [_take(dispatch, "a"), _take(dispatch, "b")] == ["p:p0", "q:q0"]
    dispatch.forget({"a"})  # a left with p's model: p is free for a new worker, before r
    assert _take(dispatch, "c") == "p:p1"


def test_a_case_is_solved_on_the_model_built_for_the_previous_one(tmp_path):
    """The second case of a group differs only in the carbon price: it skips build and compile and
    gives the objective a fresh build gives."""
    group = f"group-{tmp_path.name}"  # the worker's held models are per process: a fresh key
    first = solve_case("base", {**TINY, "carbon_price": 0}, tmp_path / "a", group)
    second = solve_case("base", {**TINY, "carbon_price": 90}, tmp_path / "a", group)
    fresh = solve_case("base", {**TINY, "carbon_price": 90}, tmp_path / "b")
    assert [first.status, second.status, fresh.status] == ["solved"] * 3
    assert not first.extra["reused"] and second.extra["reused"] and not fresh.extra["reused"]
    reused, built = read_netcdf(second.path), read_netcdf(fresh.path)
    assert reused.attrs["objective"] == pytest.approx(built.attrs["objective"], rel=1e-8)
    np.testing.assert_allclose(reused.cost.values, built.cost.values, rtol=1e-6, atol=1e-6)
    assert reused.attrs["inputs_hash"] == built.attrs["inputs_hash"]
    other = solve_case("base", {**TINY, "carbon_price": 90, "hub_share": 0.7}, tmp_path / "a",
                       group)
    assert other.status == "solved" and not other.extra["reused"]  # more than the price changed


_FAULTS = """
import resource, sys
import numpy as np
from synergy_models.sweep import restore_malloc_thresholds

def faults():  # page faults of 100 allocations of 2 MiB, each filled and freed
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(100):
        a = np.ones(2**18)
        del a
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before

frozen = faults()
restored = restore_malloc_thresholds()
faults()  # the heap grows once
print(restored, frozen, faults())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc")
def test_a_worker_undoes_the_nannys_malloc_trim_threshold():
    """With MALLOC_TRIM_THRESHOLD_ set, as the Dask nanny does, each 2 MiB block is mapped and
    faulted in afresh (512 pages of 4 KiB); after the fix the heap keeps and reuses it."""
    env = {"MALLOC_TRIM_THRESHOLD_": "65536", "PATH": ""}
    out = subprocess.run([sys.executable, "-c", _FAULTS], env=env, capture_output=True,
                         text=True, check=True).stdout.split()
    restored, frozen, after = out[0] == "True", int(out[1]), int(out[2])
    assert restored
    assert frozen >= 100 * 512
    assert after < 100 * 512 / 50


def test_netcdf_files_are_written_without_the_schedulers_locks(tmp_path, monkeypatch):
    """Under a distributed client (as in a sweep worker), xarray would take a scheduler-held lock
    for every variable it writes; write_netcdf writes its own temporary file and needs none."""
    import distributed
    from dask.distributed import Client, LocalCluster

    made: list[object] = []
    original = distributed.Lock.__init__

    def spy(self, *args, **kwargs):
        made.append(args)
        original(self, *args, **kwargs)

    monkeypatch.setattr(distributed.Lock, "__init__", spy)
    ds = xr.Dataset({"x": ("t", np.arange(3.0)), "y": ("t", np.ones(3))})
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster, Client(cluster):
        ds.to_netcdf(tmp_path / "plain.nc", engine="netcdf4")
        assert made, "xarray no longer takes distributed locks: this test's premise is gone"
        made.clear()
        write_netcdf(ds, tmp_path / "ours.nc")
    assert not made
    assert read_netcdf(tmp_path / "ours.nc").identical(ds)


def test_example_sweep_file_is_valid():
    sweep = load_sweep(ROOT / "data" / "sweeps" / "carbon_x_growth.yaml")
    assert len(expand_cases(sweep)) == 12 and sweep.settings["years"] == [2025, 2028, 2030]


def test_cli_sweep_exits_2_on_a_bad_file(tmp_path, capsys):
    from synergy_models.cli import main

    path = write_sweep(tmp_path, parameters={"carbon_price": {"values": []}})
    assert main(["sweep", str(path), "-o", str(tmp_path / "o")]) == 2
    assert "parameters.carbon_price.values" in capsys.readouterr().err
    assert main(["sweep", str(ROOT / "data" / "sweeps" / "carbon_x_growth.yaml"), "--workers", "0",
                 "-o", str(tmp_path / "o")]) == 2
    assert "at least one local worker" in capsys.readouterr().err


def test_technology_table_holds_capacity_and_generation_by_case_and_technology():
    """Two hubs, two years (the last one kept), two cases of which the second failed."""
    sweep = sweep_of(parameters={"carbon_price": {"values": [0, 100, 200]},
                                 "carbon_free_share": {"values": [0]},
                                 "dc_electricity.2030": {"values": [1, 2, 3]}})
    cases = expand_cases(sweep)[:2]
    coords = {"region": ["A", "B"], "year": [2025, 2030]}
    compact = xr.Dataset({
        "capacity": (("region", "tech", "year"), np.array(
            [[[1, 2], [3, 4], [5, 6]], [[10, 20], [30, 40], [50, 60]]], dtype=float)),
        "generation_annual": (("region", "gen_tech", "year"), np.array(
            [[[7, 8], [9, 11]], [[70, 80], [90, 110]]], dtype=float)),
    }, coords={**coords, "tech": ["coal", "wind", "battery"], "gen_tech": ["coal", "wind"]})
    outcomes = {cases[0].id: CaseOutcome("solved", compact=compact),
                cases[1].id: CaseOutcome("failed", "infeasible")}
    table = technology_table(combine(sweep, cases, outcomes))
    assert list(table.columns) == ["case", "carbon_price", "carbon_free_share", "dc_electricity.2030",
                                   "status", "tech", "capacity_GW", "generation_TWh"]
    first = table[table.case == cases[0].id].set_index("tech")
    assert first.capacity_GW.to_dict() == {"coal": 22.0, "wind": 44.0, "battery": 66.0}  # 2030
    assert first.generation_TWh.loc[["coal", "wind"]].tolist() == [88.0, 121.0]
    assert np.isnan(first.generation_TWh.loc["battery"])
    second = table[table.case == cases[1].id]
    assert (second.status == "failed").all() and second.capacity_GW.isna().all()

    middle, fixed = at_middle(table, ["carbon_price"])
    # the table's values of dc_electricity.2030 are 1 (case 000) and 2 (001): the upper middle one
    assert fixed == {"carbon_free_share": 0, "dc_electricity.2030": 2}
    assert set(middle.case) == {cases[1].id} and len(middle) == 3
    assert at_middle(table, ["carbon_price", "dc_electricity.2030"])[1] == {"carbon_free_share": 0}


def test_plot_axes_default_to_the_varied_parameters():
    sweep = sweep_of(parameters={"carbon_price": {"values": [0, 50]},
                                 "carbon_free_share": {"values": [0]},
                                 "dc_electricity.2030": {"values": [1, 2]}})
    assert plot_axes(sweep) == ("carbon_price", "dc_electricity.2030")
    assert plot_axes(sweep, "dc_electricity.2030") == ("dc_electricity.2030", "carbon_price")
    assert plot_axes(sweep, color="carbon_free_share") == ("carbon_price", "carbon_free_share")
    with pytest.raises(InputError, match="'carbon_prise' is not a swept parameter"):
        plot_axes(sweep, "carbon_prise")


# --- issue 22, class 3: sizes checked before anything is expanded ---------------------------------

def test_case_count_is_checked_before_the_cases_are_made(tmp_path):
    """Two grids of 100,000 values used 23 GB before any check; now the counts are checked."""
    path = write_sweep(tmp_path, parameters={
        "carbon_price": {"grid": {"start": 0, "stop": 150, "num": 100}},
        "green_share_target": {"grid": {"start": 0, "stop": 1, "num": 101}}})
    with pytest.raises(InputError) as err:
        load_sweep(path)
    assert "10,100 cases (100 x 101); a sweep has at most 10,000" in str(err.value)
    path = write_sweep(tmp_path, parameters={
        "carbon_price": {"grid": {"start": 0, "stop": 150, "num": 100000}},
        "green_share_target": {"grid": {"start": 0, "stop": 1, "num": 100000}}})
    with pytest.raises(InputError) as err:
        load_sweep(path)
    assert "parameters.carbon_price.grid.num" in str(err.value) and "10000" in str(err.value)
