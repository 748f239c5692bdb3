"""Files for people to open (report, workbook): written whole or not at all, readable as the umask allows."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from pipeline.store.rows import write_atomic


def write_file(path: str | os.PathLike, write: Callable[[str], object]) -> Path:
    """Call `write(temporary)` beside `path`, then rename it into place (tables.write_atomic)."""
    write_atomic(Path(path), write)
    return Path(path)
