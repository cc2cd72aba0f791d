"""Writing files so that a crash or a full disk never leaves half a file where a good one was.

A file is written under a hidden partial name beside its target and renamed over it in one step.
Partial names carry the writer's host and process id, so a partial left by a killed save is known
to be stale (its writer is gone) and removed at the next save into that folder, or at start-up.
"""

from __future__ import annotations

import errno
import os
import re
import socket
import tempfile
import time
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from studio.core.progress import JobError


def _new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


# The mode any new file of the user's gets (temporary files start owner-only).
NEW_FILE_MODE = _new_file_mode()
PARTIAL_MARK = ".studio-partial-"
# A short tag of this machine, so a folder shared between machines never loses a live writer's file.
HOST_TAG = f"{zlib.crc32(socket.gethostname().encode()):08x}"
# `.NAME.studio-partial-HOST-PID-RANDOM.SUFFIX`
_PARTIAL_NAME = re.compile(r"^\..*\.studio-partial-(?P<host>[0-9a-f]{8})-(?P<pid>\d+)-[^.]*(\.[^.]+)?$")
# A partial older than this is stale even if its process id is in use again (no save takes a day).
STALE_AFTER_S = 24 * 3600
_PLAIN_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EFBIG: "the file would be larger than this system allows",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "the disk is read-only",
}


def _partial_prefix(path: Path) -> str:
    return f".{path.stem}{PARTIAL_MARK}{HOST_TAG}-{os.getpid()}-"


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a hidden partial path beside `path` (same suffix) to write to; when the block ends
    without error it replaces `path` in one step. Stale partials of dead writers in that folder are
    removed first. Any OSError (a full disk, a size limit, no permission) becomes a JobError naming
    the file; the partial never outlives the block."""
    path = Path(path)
    temp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_partials([path.parent])
        handle, temp_name = tempfile.mkstemp(prefix=_partial_prefix(path), suffix=path.suffix, dir=path.parent)
        os.close(handle)
        temp = Path(temp_name)
        yield temp
        os.chmod(temp, NEW_FILE_MODE)
        os.replace(temp, path)
    except OSError as error:
        raise JobError(f"Could not save {path.name}: {plain_reason(error, path)}.") from None
    finally:
        if temp is not None:
            temp.unlink(missing_ok=True)


def plain_reason(error: OSError, path: Path) -> str:
    """Why an OSError happened while reading or writing `path`, in words a user can act on; says so
    when it happened in the temporary folder (where Keras unpacks and packs models), not beside `path`."""
    reason = _PLAIN_REASONS.get(error.errno, error.strerror or str(error))
    if error.filename:
        where = Path(os.fsdecode(error.filename)).absolute()
        temporary = Path(tempfile.gettempdir()).absolute()
        if where.parent != path.absolute().parent and temporary in where.parents:
            reason += f" in the temporary folder {temporary}"
    return reason


def remove_stale_partials(folders: Iterable[str | os.PathLike]) -> list[Path]:
    """Delete the partial files that saves killed midway left in `folders` (not their subfolders);
    the app calls this at start for its own folders. Returns what was removed. Partials of saves
    still running (on this machine or another one) are left alone."""
    removed = []
    now = time.time()
    for folder in folders:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue  # a folder that is gone or unreadable holds nothing to clean
        for entry in entries:
            match = _PARTIAL_NAME.match(entry.name) if PARTIAL_MARK in entry.name else None
            if match is None or not entry.is_file(follow_symlinks=False):
                continue
            try:
                old = now - entry.stat(follow_symlinks=False).st_mtime > STALE_AFTER_S
                if old or (match["host"] == HOST_TAG and not _process_alive(int(match["pid"]))):
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
            except OSError:
                continue  # removed meanwhile, or not ours to remove
    return removed


def _process_alive(pid: int) -> bool:
    if os.name != "posix":
        return True  # signal 0 probes a process only on POSIX; elsewhere age alone decides
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def name_list(names: Iterable[str], shown: int = 3) -> str:
    """`a, b, c and 4 more`: a few names for a message, and how many others there are."""
    names = list(names)
    text = ", ".join(names[:shown])
    return text + (f" and {len(names) - shown} more" if len(names) > shown else "")
