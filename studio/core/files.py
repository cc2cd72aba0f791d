"""Writing files so that a crash or a full disk never leaves half a file where a good one was."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from studio.core.progress import JobError


def _new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


# The mode any new file of the user's gets (temporary files start owner-only).
NEW_FILE_MODE = _new_file_mode()


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside `path` (same suffix) to write to; when the block ends without
    error it replaces `path` in one step. Any OSError becomes a JobError naming the file."""
    path = Path(path)
    temp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
        os.close(handle)
        temp = Path(temp_name)
        yield temp
        os.chmod(temp, NEW_FILE_MODE)
        os.replace(temp, path)
    except OSError as error:
        raise JobError(f"Could not save {path.name}: {error.strerror or error}.") from None
    finally:
        if temp is not None:
            temp.unlink(missing_ok=True)
