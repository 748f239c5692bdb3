"""What an output folder holds, read from its `documents` Delta log without pandas: the CLI decides
from it, before importing the heavy modules, whether a run is large enough to start its worker
processes at once."""

from __future__ import annotations

import os


def documents_held(out: str | os.PathLike) -> int:
    """Document rows the `documents` table of `out` holds (0 for a new or unreadable folder)."""
    try:
        from deltalake import DeltaTable

        from pipeline.store.tables import storage_options
        root = os.fspath(out).rstrip('/')
        return DeltaTable(f'{root}/documents', storage_options=storage_options(root)).count()
    except Exception:   # no table yet, another layout, a folder that cannot be read: nothing held
        return 0


# the tables of an output folder, by name, in the order schemas.SCHEMAS declares them (a test checks
# that the two agree): the command line's help texts and `make clean` are made from this list
TABLES = ('documents', 'mentions', 'entities', 'persons', 'organisations', 'places', 'dates', 'numbers',
          'roles', 'errors', 'registry', 'registry_entities', 'runs')

# the store's own tables beside them (store/tables.py's skip list, the registry's state, the duplicate
# index: store/registry_tables.py, store/duplicates.py): `make clean` removes them with the tables
INTERNAL = ('_index', '_registry', '_duplicates')
