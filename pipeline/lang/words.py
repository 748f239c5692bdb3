"""Word lists: `pipeline/data/<name>.txt`, one entry a line, fields split by
whitespace, `#` comments and blank lines dropped. Every module that reads a
list reads it through `words(name)`, loaded once per process."""

from __future__ import annotations

from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / 'data'


@cache
def words(name: str) -> tuple[tuple[str, ...], ...]:
    """Rows of `pipeline/data/<name>.txt`: whitespace-split, `#` comments dropped."""
    rows = []
    for line in (DATA / f'{name}.txt').read_text(encoding='utf-8').splitlines():
        line = line.split('#', 1)[0].strip()
        if line:
            rows.append(tuple(line.split()))
    return tuple(rows)
