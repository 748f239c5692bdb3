"""Thresholds: minimum figures read from a TOML file (`[PER] f1_overlap = 0.8`, `[entities.PER] f1`,
`[roles.person] recall`), through the standard library's tomllib (the `tomli` package on Python 3.10).
"""

from __future__ import annotations

import sys
from pathlib import Path

from pipeline.evaluation.goldsets import GoldError

if sys.version_info >= (3, 11):
    import tomllib
else:                   # Python 3.10: the same parser, as a package (a conditional dependency)
    import tomli as tomllib


def load_thresholds(path: str | Path | None) -> dict:
    """Thresholds from a TOML file: `[PER] f1_overlap = 0.8`, `[all] ...`, `[entities.PER] f1 = ...`."""
    if path is None:
        return {}
    path = Path(path)
    if not path.is_file():
        raise GoldError(f'thresholds file {path} does not exist')
    try:
        return tomllib.loads(path.read_text(encoding='utf-8'))
    except tomllib.TOMLDecodeError as error:
        raise GoldError(f'{path}: {error}') from None


def default_thresholds(gold_dir: str | Path, fmt: str = 'jsonl') -> Path | None:
    """`thresholds.toml` beside JSONL gold, when there is one."""
    path = Path(gold_dir) / 'thresholds.toml'
    return path if fmt == 'jsonl' and path.is_file() else None
