"""Faults around a run (issue 22, classes 6 and 7): output folders that cannot take the results,
an unreachable Dask scheduler, temporary files left by a killed write. Each is found before the
solve, or cleaned up on the next run, with a message naming what and where."""

from __future__ import annotations

import collections
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from synergy_models import io
from synergy_models.cli import main
from synergy_models.errors import OutputError

Usage = collections.namedtuple("Usage", "total used free")


def _no_solve(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any solve fail the test: the fault must be found before one starts."""
    import synergy_models.run as run

    def solve(*args, **kwargs):
        raise AssertionError("solved although the output cannot be written")

    monkeypatch.setattr(run, "solve_inputs", solve)


def _fails_clearly(argv: list[str], capsys: pytest.CaptureFixture, *expected: str) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "\nerror: " in "\n" + err, err  # after any progress lines
    for text in expected:
        assert text in err, err
    return err


def _read_only(folder: Path) -> bool:
    """Make ``folder`` refuse new files, also to root (the immutable attribute); False if neither
    that nor a mode without write permission works here."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return True
    done = shutil.which("chattr") and subprocess.run(["chattr", "+i", str(folder)],
                                                      capture_output=True).returncode == 0
    return bool(done)


def _writable_again(folder: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(folder)], capture_output=True)
    folder.chmod(0o755)


def test_a_read_only_output_folder_is_refused_before_the_solve(tmp_path, capsys, monkeypatch):
    """It used to solve and then fail with a PermissionError traceback on the temporary file."""
    folder = tmp_path / "locked"
    folder.mkdir()
    if not _read_only(folder):
        pytest.skip("cannot make a folder read-only here")
    try:
        _no_solve(monkeypatch)
        _fails_clearly(["run", "milestones", "-q", "-o", str(folder / "results.nc")], capsys,
                       f"cannot write in {folder}", "give another output folder")
    finally:
        _writable_again(folder)
    assert list(folder.iterdir()) == []


def test_a_full_disk_is_found_before_the_solve(tmp_path, capsys, monkeypatch):
    """A disk with 1 MB free cannot take milestones' results: 8 hubs x 2 years x 24 steps (4 days
    of base's 6 segments) x 2 kB + 1 MB = 1,835,008 bytes (1.8 MB) expected, plus the 16 MB
    margin; the solve never starts
    (it used to end in 'NetCDF: HDF error' after the solve, the results lost)."""
    monkeypatch.setattr(io.shutil, "disk_usage", lambda path: Usage(10 * 2**30, 0, 2**20))
    _no_solve(monkeypatch)
    out = tmp_path / "results.nc"
    _fails_clearly(["run", "milestones", "-q", "-o", str(out)], capsys,
                   f"{out}: its disk has 1.0 MB free; writing it needs about 1.8 MB")
    assert list(tmp_path.iterdir()) == []


def test_a_write_that_fails_midway_names_the_file_and_leaves_nothing(tmp_path, monkeypatch):
    """netCDF reports a full disk only as 'HDF error': the error now names the file and the free
    space, and the temporary file is gone."""
    def full(self, path, **kwargs):
        Path(path).write_bytes(b"\x89HDF half")
        raise RuntimeError("NetCDF: HDF error")

    monkeypatch.setattr(xr.Dataset, "to_netcdf", full)
    with pytest.raises(OutputError, match=r"results.nc: writing it failed \(NetCDF: HDF error\); "
                       r"[\d.,]+ [MG]B free on its disk"):
        io.write_netcdf(xr.Dataset({"x": ("t", np.arange(3.0))}), tmp_path / "results.nc")
    assert list(tmp_path.iterdir()) == []


def test_the_cache_not_taking_a_file_costs_no_results(tmp_path, monkeypatch):
    """A full or read-only cache folder is a warning, not a lost solve."""
    from synergy_models import run
    from synergy_models.scenario import load_scenario

    monkeypatch.setattr(io.shutil, "disk_usage", lambda path: Usage(10 * 2**30, 0, 2**20))
    solved = xr.Dataset(attrs={"objective": 1.0})
    monkeypatch.setattr(run, "solve_inputs", lambda inputs, scenario, steps: solved)
    scenario = load_scenario("milestones")
    inputs = xr.Dataset(attrs={"inputs_hash": "h", "scenario": "milestones"},
                        coords={"region": list("ABCDEFGH"), "year": [2025, 2030],
                                "time": np.arange(32)})
    with pytest.warns(UserWarning, match="results are not cached: .*1.0 MB free"):
        assert run.solve_cached(inputs, scenario, tmp_path / "cache") is solved
    assert list((tmp_path / "cache").iterdir()) == []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_scheduler_nobody_listens_at_fails_clearly_and_sooner(tmp_path, capsys):
    """Dask's client retried for 30 s and ended in an OSError traceback; now a refused port is
    retried for 10 s (a scheduler that is just starting) and named."""
    port = _free_port()
    t0 = time.perf_counter()
    _fails_clearly(["sweep", "data/sweeps/carbon_x_growth.yaml", "-q", "-o", str(tmp_path / "s"),
                    "--scheduler", f"tcp://127.0.0.1:{port}"], capsys,
                   f"--scheduler: cannot reach 127.0.0.1:{port}: nothing listens there "
                   "(tried for 10 s)")
    assert time.perf_counter() - t0 < 20
    _fails_clearly(["sweep", "data/sweeps/carbon_x_growth.yaml", "-q", "-o", str(tmp_path / "s"),
                    "--scheduler", "tcp://127.0.0.1:notaport"], capsys, "not a HOST:PORT address")
    assert not (tmp_path / "s").exists()


def test_temporary_files_of_killed_writes_are_removed_by_the_next_write(tmp_path):
    """A write killed midway left its hidden temporary file for good. The next write of the same
    file removes those whose writer is gone (a process of this host that no longer runs, or any
    older than an hour) and keeps a running writer's and other files' temporaries."""
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    host = socket.gethostname().replace(".", "_")
    names = {
        "dead": f".results.nc.{host}-{gone.pid}.a1b2.tmp",        # its writer has ended
        "running": f".results.nc.{host}-{os.getpid()}.c3d4.tmp",   # this process: still writing
        "old": ".results.nc.e5f6g7.tmp",                           # the earlier naming, 2 h old
        "recent": ".results.nc.h8i9j0.tmp",                        # the earlier naming, just now
        "other": f".other.nc.{host}-{gone.pid}.k1l2.tmp",          # another file's
    }
    for name in names.values():
        (tmp_path / name).write_bytes(b"half")
    two_hours_ago = time.time() - 7200
    os.utime(tmp_path / names["old"], (two_hours_ago, two_hours_ago))
    io.write_netcdf(xr.Dataset({"x": ("t", np.arange(3.0))}), tmp_path / "results.nc")
    left = {p.name for p in tmp_path.iterdir()}
    assert left == {"results.nc", names["running"], names["recent"], names["other"]}


@pytest.mark.parametrize(("override", "expected"), [
    ("carbon_price=1e300", "at most 100000 USD/t in magnitude"),
    ("demand_base=1e300", "at most 1e+08 GWh in magnitude"),
    ("capex={solar: {2030: 1e300}}", "at most 1e+06 MUSD/GW in magnitude"),
])
def test_huge_values_are_refused_by_validate(override, expected, capsys):
    """1e300 passed validate and ended as 'unbounded' or a solve error."""
    _fails_clearly(["validate", "milestones", "-q", "-p", override], capsys,
                   "value implausibly large", expected)


def test_a_huge_value_in_a_dataset_file_names_its_row(dataset_copy, tmp_path, capsys):
    from tests.conftest import edit_row

    edit_row(dataset_copy / "provinces.csv",
             lambda r: r["province"] == "Hebei" and r["parameter"] == "capacity_solar", value="1e300")
    scenario = tmp_path / "huge.yaml"
    scenario.write_text(f"name: huge\ndataset: {dataset_copy}\n")
    _fails_clearly(["validate", str(scenario), "-q"], capsys, "provinces.csv, row",
                   "column 'value': 'capacity_solar' is implausibly large", "at most 10000 GW")


def test_an_unknown_or_refused_highs_option_fails_validate(capsys):
    """An unknown option passed validate and failed only when the solve started."""
    _fails_clearly(["validate", "milestones", "-q", "-p", "solver.options.time_limt=3",
                    "-p", "solver.options.threads=1.5"], capsys,
                   "column 'solver.options.time_limt': HiGHS has no such option; did you mean "
                   "'time_limit'?", "column 'solver.options.threads': HiGHS refuses this value; "
                   "got 1.5; expected a whole number")
    assert main(["validate", "milestones", "-q", "-p", "solver.options.presolve=off"]) == 0


def _broken_segments(tmp_path: Path) -> Path:
    path = tmp_path / "market_segments.yaml"
    path.write_text("segments:\n  electricity:\n    items: [{kind: nonsense}]\n")
    return path


def test_a_broken_segments_file_fails_the_market_command_before_the_solve(tmp_path, capsys,
                                                                           monkeypatch):
    import synergy_models.run as run

    def solve(*args, **kwargs):
        raise AssertionError("solved before the segments file was read")

    monkeypatch.setattr(run, "load_or_solve", solve)
    _fails_clearly(["market", "milestones", "-q", "--segments", str(_broken_segments(tmp_path))],
                   capsys, "market_segments.yaml", "line 3")


def test_a_broken_segments_file_fails_a_sweep_before_any_case(tmp_path, monkeypatch):
    """It was found by each case after its solve (every case 'failed', the message cut)."""
    import synergy_models.market as market
    from synergy_models.errors import InputError
    from synergy_models.sweep import run_sweep

    monkeypatch.setattr(market, "default_segments_path", lambda: _broken_segments(tmp_path))
    t0 = time.perf_counter()
    with pytest.raises(InputError, match=r"market_segments\.yaml, line 3"):
        run_sweep("data/sweeps/carbon_x_growth.yaml", tmp_path / "sweep", progress=False)
    assert time.perf_counter() - t0 < 10  # no cluster started, nothing solved
    assert not (tmp_path / "sweep").exists()


def test_indicators_for_year_0_is_refused_not_the_default(capsys):
    """--year 0 was taken as 'no year given' and printed the last year (exit 0)."""
    _fails_clearly(["indicators", "milestones", "-q", "--year", "0"], capsys,
                   "--year", "does not model this year")


def test_a_report_for_a_hub_the_dataset_lacks_fails_before_the_solve(tmp_path, capsys, monkeypatch):
    """``report -p hub=XX`` failed in the notebook after the solve and left files behind."""
    _no_solve(monkeypatch)
    folder = tmp_path / "report"
    _fails_clearly(["report", "milestones", "-o", str(folder), "-p", "hub=im"], capsys,
                   "column 'hub': no hub 'im' in dataset china_hubs; did you mean 'IM'?",
                   "expected one of BTH, YRD, GBA, CY, IM, GZ, GS, NX")
    assert not folder.exists() and list(tmp_path.iterdir()) == []


def test_a_damaged_cache_or_case_file_is_found_before_netcdf_opens_it(tmp_path, monkeypatch):
    """A few flipped bytes in a results file made netCDF loop forever while opening it (a sweep's
    resume or a cached run hung). Cache and case files keep a SHA-256 beside them; a file that does
    not match it is refused (OSError, which their readers answer by solving again) unopened."""
    path = tmp_path / "case.nc"
    ds = xr.Dataset({"x": ("t", np.arange(1000.0))})
    io.write_netcdf(ds, path, checksum=True)
    assert io.checksum_path(path).name == ".case.nc.sha256"
    assert io.read_netcdf(path, checked=True).x.sum().item() == 999 * 1000 / 2
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))

    def opened(*args, **kwargs):
        raise AssertionError("netCDF opened a damaged file")

    monkeypatch.setattr(io.xr, "open_dataset", opened)
    with pytest.raises(OSError, match=r"case.nc: does not match its checksum \.case\.nc\.sha256"):
        io.read_netcdf(path, checked=True)
