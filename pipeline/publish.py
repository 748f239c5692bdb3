"""Files for people to open (report, workbook): written whole or not at all, readable as the umask allows."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable


def write_file(path: str | os.PathLike, write: Callable[[str], object]) -> Path:
    """Call `write(temporary)` beside `path`, then rename it into place with the usual permissions.

    `mkstemp` creates files only their owner can read; a report or workbook is
    meant to be shared, so it gets what a plain `open(path, 'w')` would give.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f'.{path.name}.', suffix='.tmp')
    os.close(handle)
    try:
        write(temporary)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(temporary, 0o666 & ~mask)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    return path
