"""Reading and writing files so that no input can hang the harness and no crash loses data.

* :func:`read_bytes` reads a regular file up to a size limit: a device (``/dev/zero``), a
  FIFO, a folder, a symlink loop or a file past the limit is refused with one line, never
  read until memory runs out.
* :func:`write_atomic` writes a regular file so that a reader never sees half of it, and
  never replaces anything that is not a regular file (as root, renaming over
  ``/dev/null`` would replace the device).
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .errors import HarnessError, describe_os_error

MiB = 1 << 20
#: Default cap on any file the harness reads; each kind of file may set its own.
DEFAULT_MAX_BYTES = 256 * MiB


def _a(what: str) -> str:
    return f"an {what}" if what[:1] in "aeiou" else f"a {what}"


def read_bytes(path: Path, limit: int = DEFAULT_MAX_BYTES, what: str = "file") -> bytes:
    """The bytes of the regular file ``path``; :class:`HarnessError` for anything else.

    ``what`` names the kind of file in messages ("predictions file", "run record").
    """
    try:
        # O_NONBLOCK: opening a FIFO with no writer must not block; fstat then refuses it.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        if isinstance(exc, IsADirectoryError):
            raise HarnessError(f"{path}: is a folder, not {_a(what)}") from None
        raise HarnessError(describe_os_error(path, exc)) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise HarnessError(f"{path}: is a folder, not {_a(what)}")
        if not stat.S_ISREG(info.st_mode):
            raise HarnessError(f"{path}: not a regular file (a device, pipe or socket); give {_a(what)}")
        if info.st_size > limit:
            raise HarnessError(f"{path}: {info.st_size:,} bytes, more than the {limit:,} {_a(what)} may have")
        chunks, total = [], 0
        while chunk := os.read(fd, min(MiB, limit + 1 - total)):
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:  # the file grew while it was read
                raise HarnessError(f"{path}: more than the {limit:,} bytes {_a(what)} may have")
        return b"".join(chunks)
    except OSError as exc:
        raise HarnessError(describe_os_error(path, exc)) from None
    finally:
        os.close(fd)


def read_text(path: Path, limit: int = DEFAULT_MAX_BYTES, what: str = "file") -> str:
    """:func:`read_bytes` decoded as UTF-8 exactly (no newline translation).

    Bytes that are not UTF-8 are refused with the line and column of the first one.
    """
    data = read_bytes(path, limit, what)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        byte = data[exc.start]
        raise HarnessError(f"{path}:{line}: not valid UTF-8 (byte 0x{byte:02x} at column {column})") from None


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True


def check_writable_target(path: Path, inputs: Iterable[Path] = (), folders: Iterable[Path] = ()) -> None:
    """Refuse a target that is not a regular file, or an empty path, before any work; and
    one that is an input of the run (``inputs``: a predictions file, a run record) or lies
    inside a folder the run reads (``folders``: the dataset), so an output never replaces
    what it was made from. Paths are compared resolved (links followed)."""
    if str(path) in ("", "."):
        raise HarnessError(f"{str(path)!r}: not a file name")
    target = Path(os.path.realpath(path))
    for given in inputs:
        if Path(os.path.realpath(given)) == target:
            raise HarnessError(f"{path}: is an input of this run ({given}); write the output elsewhere")
    for folder in folders:
        if _inside(target, Path(os.path.realpath(folder))):
            raise HarnessError(f"{path}: is inside the dataset this run reads ({folder}); write the output elsewhere")
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise HarnessError(describe_os_error(path, exc)) from None
    if stat.S_ISDIR(info.st_mode):
        raise HarnessError(f"{path}: is a folder; give a file name")
    if not stat.S_ISREG(info.st_mode):
        raise HarnessError(f"{path}: not a regular file; the harness only writes regular files")


def write_atomic(path: Path, data: bytes | Iterable[bytes], durable: bool = True) -> None:
    """Write ``data`` to ``path`` so that a reader never sees a half-written file.

    The data goes to a temporary file in the same folder, which is then renamed over
    ``path``: a killed process leaves the old file or the new one, never a mix. ``durable``
    also flushes it to disk first, so that it survives a power cut; a cache can skip that.
    ``data`` may be an iterable of chunks, written as they come (a large run record need
    never be one string in memory). A ``path`` that exists and is not a regular file is refused (:class:`HarnessError`),
    and so is any failure of the operating system, with one line naming the path.
    """
    check_writable_target(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:100]}.", dir=path.parent)
    except OSError as exc:
        raise HarnessError(describe_os_error(path, exc)) from None
    try:
        with os.fdopen(fd, "wb") as f:
            for chunk in [data] if isinstance(data, bytes) else data:
                f.write(chunk)
            f.flush()
            if durable:
                os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        check_writable_target(path)  # it may have changed while we wrote
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise HarnessError(describe_os_error(path, exc)) from None
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
