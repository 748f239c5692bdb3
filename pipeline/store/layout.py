"""What an output folder holds, read without pandas: the CLI decides from it, before importing
the heavy modules, whether a run is large enough to start its worker processes at once."""

from __future__ import annotations

import json
import os
from pathlib import Path

MANIFEST = '_manifest.json'   # the commit point (store.py)


def documents_held(out: str | os.PathLike) -> int:
    """Document rows the committed parts of `out` hold (0 for a new or unreadable folder)."""
    try:
        manifest = json.loads((Path(out) / MANIFEST).read_text(encoding='utf-8'))
        return sum(int(part.get('rows', {}).get('documents', 0)) for part in manifest.get('parts', []))
    except (OSError, ValueError, TypeError, AttributeError):
        return 0


# the tables of an output folder, by name, in the order schemas.SCHEMAS declares them (a test checks
# that the two agree): the command line's help texts and `make clean` are made from this list
TABLES = ('documents', 'mentions', 'entities', 'persons', 'organisations', 'places', 'dates', 'numbers',
          'roles', 'errors', 'registry', 'registry_entities', 'runs')
