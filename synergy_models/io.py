"""Files written atomically (netCDF and others): a reader sees the old file or the new one, never
half of one."""

from __future__ import annotations

import contextlib
import glob
import hashlib
import os
import shutil
import socket
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import xarray as xr

#: A temporary file of a write whose writer is gone is removed when the same file is next
#: written: at once when its name shows a process of this host that no longer runs, otherwise
#: (another host's, or an older name without the process) when it is older than this (seconds).
STALE_AFTER = 3600.0

#: Free space kept on a disk besides what a write is expected to need (bytes).
FREE_MARGIN = 16 * 2**20


@contextlib.contextmanager
def replacing(path: str | Path, need: int = 0) -> Iterator[Path]:
    """A temporary file beside ``path`` for the block to write; when the block ends without an
    error it is synced to disk, given the usual mode and renamed onto ``path`` in one step.

    If the block fails or is interrupted, the temporary file is removed and any earlier file at
    ``path`` is left as it was. A killed process cannot remove its temporary file: the next write of
    ``path`` does (:func:`remove_stale_temporaries`). ``need``: bytes the write is expected to take
    (checked with :func:`writable_path`).
    """
    path = Path(path)
    writable_path(path, need)
    remove_stale_temporaries(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{_writer()}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        usual_mode(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _writer() -> str:
    """This process in a temporary file's name: ``host-pid`` (no dots: the name is split on them)."""
    return f"{socket.gethostname().replace('.', '_')}-{os.getpid()}"


def remove_stale_temporaries(path: Path, now: float | None = None) -> list[Path]:
    """Remove the temporary files :func:`replacing` left beside ``path`` when their writer was
    killed (``.NAME.<host>-<pid>.<random>.tmp``): those of a process of this host that no longer
    runs, and any older than :data:`STALE_AFTER` (another host's writer on a shared disk, or a
    name without one). A running writer's file is left alone. Returns the files removed."""
    now = time.time() if now is None else now
    host = socket.gethostname().replace(".", "_")
    removed = []
    for tmp in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        writer = tmp.name[len(path.name) + 2:].split(".")[0]
        who, _, pid = writer.rpartition("-")
        try:
            old = now - tmp.stat().st_mtime > STALE_AFTER
        except FileNotFoundError:
            continue
        if old or (who == host and pid.isdigit() and not _running(int(pid))):
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
                removed.append(tmp)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it runs
        return True
    return True


def writable_path(path: Path, need: int = 0) -> None:
    """Make ``path``'s folder and check that a file can be written there before anything is
    computed for it; :class:`OutputError` if ``path`` is a folder, a folder on its way is a file or
    cannot be made, the folder does not take a new file (read-only, no permission), or its disk
    has less than ``need`` bytes free besides :data:`FREE_MARGIN` (``need`` 0: not checked)."""
    from synergy_models.errors import OutputError

    path = Path(path)
    if path.is_dir():
        raise OutputError(f"{path}: is a folder; give the name of a file in it")
    for folder in [*reversed(path.parents)]:
        if folder.exists() and not folder.is_dir():
            raise OutputError(f"{path}: cannot be written: {folder} is a file, not a folder")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(f"{path}: its folder cannot be made ({err.strerror or err})") from None
    try:  # a real file, not os.access: root passes access checks a read-only disk still refuses
        fd, probe = tempfile.mkstemp(prefix=f".{path.name}.probe.", suffix=".tmp", dir=path.parent)
        os.close(fd)
        os.unlink(probe)
    except OSError as err:
        raise OutputError(f"{path}: cannot write in {path.parent} ({err.strerror or err}); "
                          "give another output folder (-o) or make this one writable") from None
    free = shutil.disk_usage(path.parent).free
    if need and free < need + FREE_MARGIN:  # need 0: not known yet (checked again when it is)
        raise OutputError(f"{path}: its disk has {_size(free)} free; writing it needs about "
                          f"{_size(need)} and {_size(FREE_MARGIN)} to spare. Free some space or "
                          "give an output folder on another disk (-o)")


def _size(n: float) -> str:
    return f"{n / 2**20:,.1f} MB" if n < 2**30 else f"{n / 2**30:,.1f} GB"


def checksum_path(path: str | Path) -> Path:
    """The hidden file beside ``path`` that holds its SHA-256 (:func:`write_netcdf` ``checksum``)."""
    path = Path(path)
    return path.with_name(f".{path.name}.sha256")


def _sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(2**20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_netcdf(ds: xr.Dataset, path: str | Path, encoding: dict | None = None,
                 checksum: bool = False) -> Path:
    """Write ``ds`` to ``path`` atomically (:func:`replacing`), after checking that its folder takes
    a file of ``ds``'s size; :class:`OutputError` names the file if the write fails (a full disk
    shows only as netCDF's ``HDF error``).

    ``checksum``: also keep the file's SHA-256 beside it (:func:`checksum_path`), written before the
    file is renamed into place, so that :func:`read_netcdf` with ``checked`` finds a file damaged
    on disk before netCDF opens it: a few flipped bytes can make the netCDF library loop forever
    while it opens the file (seen on a results file), which no exception handler catches."""
    import dask  # only for its scheduler setting below; not needed to import this module

    from synergy_models.errors import OutputError

    # In a Dask worker, xarray would guard every variable's write with a distributed lock held by
    # the scheduler: ~800 round trips, 1.2-2 s per sweep case file instead of ~0.2 s. The file is
    # this process's own (a fresh temporary name), so a local lock is enough: the synchronous
    # scheduler gives one; the data are in memory either way.
    with replacing(path, need=int(ds.nbytes)) as tmp, dask.config.set(scheduler="synchronous"):
        try:
            ds.to_netcdf(tmp, engine="netcdf4", encoding=encoding)
        except (OSError, RuntimeError) as err:
            free = shutil.disk_usage(Path(tmp).parent).free
            raise OutputError(f"{path}: writing it failed ({err}); {_size(free)} free on its "
                              "disk") from None
        if checksum:  # before the rename: a file in place never has an older file's checksum
            digest = _sha256(tmp)
            with replacing(checksum_path(path)) as sums:
                sums.write_text(digest + "\n")
    return Path(path)


def usual_mode(path: str | Path) -> None:
    """Give a file made by ``tempfile.mkstemp`` (owner only) the mode a plain ``open`` would have
    given it (0o666 less the umask), before it is renamed into place."""
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(path, 0o666 & ~mask)


def read_netcdf(path: str | Path, checked: bool = False) -> xr.Dataset:
    """Read a whole netCDF file into memory and close it (so it can be replaced on disk).

    ``checked``: first compare the file with the checksum :func:`write_netcdf` kept beside it, if
    any; ``OSError`` when they differ (the file was damaged after it was written), without opening
    it."""
    if checked:
        sums = checksum_path(path)
        try:
            expected = sums.read_text().strip()
        except (FileNotFoundError, UnicodeDecodeError):
            expected = None
        if expected is not None and _sha256(path) != expected:
            raise OSError(f"{path}: does not match its checksum {sums.name} (damaged on disk)")
    with xr.open_dataset(path, engine="netcdf4") as ds:
        return ds.load()
