"""Arrow and Delta helpers of the store: each table's Arrow schema, conversions between pandas
and Arrow with the declared dtypes, and the SQL predicates delta-rs takes (store/tables.py,
registry_tables.py)."""

from __future__ import annotations

from functools import cache

import pandas as pd
import pyarrow as pa

from pipeline.store import schemas

INDEX = '_index'      # the store's per-document index table (doc_id, sha256, source, pipeline_version)
APP = 'ru-news-facts'   # the application id of the Delta transactions the store commits
# literals in one Delta predicate at most: delta-rs parses `x IN (…)` recursively, and a list of a few
# thousand overflowed its stack (a segfault while a registry update read 2,048 articles' rows)
LITERALS = 500


def index_schema() -> pa.Schema:
    return pa.schema([('doc_id', pa.string()), ('sha256', pa.string()), ('source', pa.string()),
                      ('pipeline_version', pa.string())])


@cache
def arrow_schema(name: str) -> pa.Schema:
    """The table's Arrow schema, with the pandas metadata that gives back the declared dtypes."""
    if name == INDEX:
        return index_schema()
    return pa.Schema.from_pandas(typed_empty(name), preserve_index=False)


def empty(name: str) -> pd.DataFrame:
    """The table with no rows, its columns typed."""
    return typed_empty(name).copy()


@cache
def typed_empty(name: str) -> pd.DataFrame:
    return schemas.check(name, schemas.frame(name, []))


def to_arrow(name: str, frame: pd.DataFrame | pa.Table) -> pa.Table:
    schema = arrow_schema(name)
    if isinstance(frame, pd.DataFrame):
        frame = pa.Table.from_pandas(frame, schema=schema.remove_metadata(), preserve_index=False)
    return frame.select(schema.names).cast(schema.remove_metadata())


def to_pandas(name: str, table: pa.Table) -> pd.DataFrame:
    """Rows read from Delta as the declared pandas dtypes (the declared columns the table has: a table
    written by another version may lack one, and whoever reads the column says so)."""
    schema = arrow_schema(name).remove_metadata()
    names = [_ for _ in schema.names if _ in table.column_names]
    table = table.select(names).cast(pa.schema([schema.field(_) for _ in names]))
    if name == INDEX:
        return table.to_pandas()
    dtypes = typed_empty(name).dtypes
    return table.to_pandas().astype({_: dtypes[_] for _ in names})


def plain_strings(table: pa.Table) -> pa.Table:
    """String columns as `string`: files that a Delta delete rewrote come back as `string_view`, which
    pyarrow's compute functions do not all take yet."""
    return table.cast(pa.schema([pa.field(_.name, plain_type(_.type)) for _ in table.schema]))


def plain_type(type: pa.DataType) -> pa.DataType:
    if pa.types.is_string_view(type) or pa.types.is_large_string(type):
        return pa.string()
    if pa.types.is_list(type) or pa.types.is_large_list(type) or pa.types.is_list_view(type):
        return pa.list_(plain_type(type.value_type))
    return type


def isin(column: str, values) -> str:
    """A Delta SQL predicate: `column` is one of `values` (which must not be empty)."""
    return f'"{column}" IN ({quote(values)})'


def key(values) -> tuple:
    return tuple(None if pd.isna(_) else _ for _ in values)


def quote(values) -> str:
    """A SQL list of string literals for a Delta predicate."""
    return ', '.join("'" + str(_).replace("'", "''") + "'" for _ in values)
