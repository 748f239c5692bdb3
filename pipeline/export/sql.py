"""SQL over the output tables with DuckDB, read-only.

Reads the Delta tables of an output folder as lazy Arrow datasets (only the
columns and rows a query needs are read: `documents.text` stays on disk
unless asked for; child tables only with rows of live documents) and
registers each as a view by its own name: `mentions`, `entities`, `dates`, … .
A query runs in a private in-memory database with file access switched off and
the configuration locked, after a check that it is one SELECT-like statement
(SELECT, WITH, FROM, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN): nothing it says can
write a file or change the tables.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.store.schemas import SCHEMAS

# what `extract_statements` calls DESCRIBE, SHOW, SUMMARIZE, WITH … and FROM … too
READ_ONLY = {duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN}


class QueryError(Exception):
    """A query refused (not read-only) or failed (syntax, unknown column, …)."""


def tables_of(tables: str | os.PathLike | Mapping[str, pd.DataFrame]) -> Mapping[str, pd.DataFrame]:
    """`tables` itself, or the tables of the output folder `tables` (which must exist)."""
    if isinstance(tables, Mapping):
        return tables
    if '://' not in os.fspath(tables) and not Path(tables).is_dir():
        raise FileNotFoundError(f'no output folder {os.fspath(tables)!r}: '
                                f'run `python -m pipeline run` first, or give --tables DIR')
    from pipeline.store.tables import load_tables
    return load_tables(tables)


def sources_of(tables: str | os.PathLike | Mapping[str, pd.DataFrame]) -> Mapping:
    """`tables` itself, or the tables of the output folder `tables` as Arrow datasets (read lazily)."""
    if isinstance(tables, Mapping):
        return tables
    root = os.fspath(tables)
    if '://' not in root and not Path(root).is_dir():
        raise FileNotFoundError(f'no output folder {root!r}: run `python -m pipeline run` first, '
                                f'or give --tables DIR')
    from pipeline.store.tables import datasets
    return datasets(root)


def connect(tables: str | os.PathLike | Mapping[str, pd.DataFrame] = 'output') -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with each table as a view by its name; no file access."""
    connection = duckdb.connect(':memory:', config={'enable_external_access': False})
    for name, frame in sources_of(tables).items():
        connection.register(name, frame)
    connection.execute('SET lock_configuration = true')   # the query cannot switch file access back on
    return connection


def check_read_only(query: str) -> None:
    """Raise QueryError unless `query` is exactly one SELECT-like statement."""
    try:
        statements = duckdb.extract_statements(query)
    except duckdb.Error as error:
        raise QueryError(str(error)) from None
    if len(statements) != 1:
        raise QueryError(f'give exactly one statement, not {len(statements)}')
    kind = statements[0].type
    if kind not in READ_ONLY:
        raise QueryError(f'only SELECT, WITH, DESCRIBE, SHOW or EXPLAIN queries run here, not {kind.name}')


def query(sql: str, tables: str | os.PathLike | Mapping[str, pd.DataFrame] = 'output') -> pd.DataFrame:
    """The result of one read-only query over the tables, as a DataFrame."""
    check_read_only(sql)
    connection = connect(tables)
    try:
        return connection.sql(sql).df()
    except duckdb.Error as error:
        raise QueryError(str(error)) from None
    finally:
        connection.close()


def show(sql: str, tables: str | os.PathLike | Mapping[str, pd.DataFrame] = 'output', fmt: str = 'table',
         max_rows: int = 200, max_width: int | None = None) -> str:
    """The result of one read-only query as text: a box table (`table`) or CSV with a header (`csv`,
    formula-like cells neutralised: `csvfile.neutralise`)."""
    check_read_only(sql)
    connection = connect(tables)
    try:
        relation = connection.sql(sql)
        if fmt == 'csv':   # cells Excel would run as formulas get a leading apostrophe (csvfile.py)
            from pipeline.export.csvfile import to_csv
            return to_csv(relation.df())
        return render_box(relation, max_rows, max_width or shutil.get_terminal_size((160, 24)).columns)
    except duckdb.Error as error:
        raise QueryError(str(error)) from None
    finally:
        connection.close()


def render_box(relation: duckdb.DuckDBPyRelation, max_rows: int, max_width: int) -> str:
    """DuckDB's own box rendering of `relation` (it prints; we keep the text)."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        relation.show(max_width=max_width, max_rows=max_rows, max_col_width=60)
    return buffer.getvalue().rstrip('\n') + '\n'


def write_database(tables: str | os.PathLike | Mapping[str, pd.DataFrame], file: str | os.PathLike) -> Path:
    """A DuckDB database file holding every table by its name, for BI tools; written atomically."""
    from pipeline.export.target import check, writing
    check(file)   # before the work of reading the tables
    frames = sources_of(tables)
    with writing(file):   # a regular file or none; TargetError says why not
        return database_file(frames, Path(file))


def database_file(frames: Mapping[str, pd.DataFrame], file: Path) -> Path:
    """Write `frames` as the DuckDB file `file` (through a temporary file renamed into place)."""
    from pipeline.export.target import TargetError
    try:
        return database_tables(frames, file)
    except duckdb.IOException as error:   # DuckDB's own writes: a full disk, say
        raise TargetError(f'cannot write {os.fspath(file)}: {str(error).splitlines()[0]}') from None


def database_tables(frames: Mapping[str, pd.DataFrame], file: Path) -> Path:
    file.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=file.parent, prefix=f'.{file.name}.', suffix='.tmp')
    os.close(handle)
    os.unlink(temporary)          # DuckDB creates the file itself; it refuses an empty one
    try:
        with duckdb.connect(temporary) as connection:
            for name, frame in frames.items():
                connection.register('frame', frame)
                connection.execute(f'CREATE TABLE "{name}" AS SELECT * FROM frame')
                connection.unregister('frame')
                if name in SCHEMAS:      # BI tools show these: the data dictionary travels with the file
                    connection.execute(f'COMMENT ON TABLE "{name}" IS {quote(SCHEMAS[name].__doc__ or "")}')
                    for column, declared in SCHEMAS[name].to_schema().columns.items():
                        if column in names(frame) and declared.description:
                            connection.execute(
                                f'COMMENT ON COLUMN "{name}"."{column}" IS {quote(declared.description)}')
            connection.execute('CHECKPOINT')
        os.replace(temporary, file)
    finally:
        for leftover in (temporary, temporary + '.wal'):
            if os.path.exists(leftover):
                os.unlink(leftover)
    return file


def names(frame) -> list[str]:
    return list(frame.columns) if isinstance(frame, pd.DataFrame) else frame.schema.names


def quote(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"
