"""Data dictionary: `output/README.md`, generated from the declared schemas.

Reads `schemas.SCHEMAS` (each column's dtype, nullability, checks,
description and example) and writes one Markdown table per table, plus how to
read the Delta tables from pandas, Polars, DuckDB and Spark, how to open them in
Excel and a few example queries for `python -m pipeline sql`.
`python -m pipeline dictionary > output/README.md` regenerates it; a test fails
when the committed file and the schemas differ.
"""

from __future__ import annotations

import pandas as pd

from pipeline.store.schemas import SCHEMAS

INTRO = """\
# Output tables

`python -m pipeline run` writes each table here as a Delta Lake table: a folder
`<table>/` of Parquet files and a `_delta_log/` saying which files hold the live
rows. An edited article's old rows are deleted through Delta, so any Delta
reader (pandas through `deltalake`, Polars, DuckDB, Spark) sees exactly the
live rows; no reader needs this package. Every table but the registry's has
`doc_id`. A document is whole once its `documents` row is there: the run
writes every other table first and `documents` last, so a reader that joins to
`documents` never sees half of one, even while a run writes or after one was
killed (the next run removes what it left). Folders starting with `_` are the
store's own (the skip list, the registry's keys). Generated files are not
committed; only this README is.

`registry` and `registry_entities` are updated at the end of each finished run
for the articles it added or changed (pipeline/store/registry.py): one global id
per real-world person, organisation or place across all articles, which never
changes once given. Join `entities` to `registry_entities` on `entity_id` for it.

This file is generated from the declared schemas in `pipeline/store/schemas.py` by
`python -m pipeline dictionary > output/README.md`; a test fails when the two
differ, so edit the schemas, not this file.
"""

# (title, code) in Python: how to read the tables without this package; `OUT` is the output folder.
# The tests run each of them against a real run's tables and compare with `pipeline.load_tables`.
READERS = [
    ('pandas (through the `deltalake` package)', """\
from deltalake import DeltaTable
mentions = DeltaTable(f'{OUT}/mentions').to_pandas()
documents = DeltaTable(f'{OUT}/documents').to_pandas(columns=['doc_id', 'title', 'published'])"""),
    ('Polars', """\
import polars as pl
mentions = pl.read_delta(f'{OUT}/mentions')
per_type = mentions.group_by('type').len()"""),
    ('DuckDB (its `delta` extension; `pip install duckdb-extension-delta` installs it '
     'without a download)', """\
import duckdb, duckdb_extension_delta, pathlib
connection = duckdb.connect()
extension = next(pathlib.Path(duckdb_extension_delta.__path__[0]).rglob('delta.duckdb_extension'))
connection.load_extension(str(extension))   # or connection.load_extension('delta'), which downloads it
mentions = connection.sql(f"SELECT * FROM delta_scan('{OUT}/mentions')").df()"""),
    ('DuckDB over an Arrow dataset (no extension)', """\
import duckdb
from deltalake import DeltaTable
mentions_dataset = DeltaTable(f'{OUT}/mentions').to_pyarrow_dataset()
mentions = duckdb.sql('SELECT * FROM mentions_dataset').df()"""),
]

SPARK = """\
```python
# Spark 3.5 with the delta-spark package (not tested here: no JVM in our test environment)
spark.read.format('delta').load('output/mentions').createOrReplaceTempView('mentions')
spark.sql('SELECT type, count(*) FROM mentions GROUP BY type').show()
```
"""


def readers_section() -> str:
    parts = ['## Reading the tables without this package\n',
             'Each snippet reads `mentions` of the folder `OUT` (a path, or `s3://bucket/path` with the '
             'usual AWS variables set); the tests run them and compare with `pipeline.load_tables`. '
             'An object-store folder needs `storage_options` (deltalake, Polars) or a secret (DuckDB).\n']
    for title, code in READERS:
        parts.append(f'{title}:\n\n```python\nOUT = \'output\'\n{code}\n```\n')
    parts.append('Spark:\n\n' + SPARK)
    return '\n'.join(parts)


EXCEL = """\
## CSV files and Excel

Files for people are written on demand, from the live rows:

```sh
python -m pipeline export csv --tables output --out output/csv        # <table>.csv, UTF-8 with BOM
python -m pipeline export xlsx --tables output --out output/tables.xlsx
python -m pipeline export duckdb --tables output --out output/tables.duckdb
```

(`make run` exports the CSV files beside the tables.) The CSV files are UTF-8
with a byte-order mark, so Excel recognises the encoding and Cyrillic shows as
Cyrillic; a text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage
return gets a leading `'`, so that no spreadsheet runs it as a formula. Excel
with Russian regional settings expects `;` between fields, though, so a
double-clicked CSV lands in one column: open it with Data → From Text/CSV
(Данные → Из текстового/CSV-файла), file origin 65001: Unicode (UTF-8),
delimiter comma. Simpler: the workbook, one sheet per table, opens by
double-click in any locale.

In the workbook a cell holds at most 32,767 characters, so a longer
`documents.text` is cut there (with a note saying so); the Parquet files keep
it whole. Article text is never read as a formula.
"""

# (title, query): documented here and run by the tests against the seeds' tables
EXAMPLES = [
    ('The most mentioned people, organisations and places across articles', """\
SELECT type, name, count(DISTINCT doc_id) AS articles, sum(n_mentions) AS mentions
FROM entities
GROUP BY type, name
ORDER BY mentions DESC, articles DESC
LIMIT 10"""),
    ('People and organisations named in the same sentence', """\
SELECT p.normal AS person, o.normal AS organisation, count(*) AS sentences
FROM mentions p
JOIN mentions o ON o.doc_id = p.doc_id AND o.sentence = p.sentence
WHERE p.type = 'PER' AND o.type = 'ORG'
GROUP BY person, organisation
ORDER BY sentences DESC, person
LIMIT 10"""),
    ('People in most articles, one row per person across articles (the registry)', """\
SELECT global_id, name, n_articles, n_mentions, aliases
FROM registry
WHERE type = 'PER'
ORDER BY n_articles DESC, n_mentions DESC, global_id
LIMIT 10"""),
    ('Every article that mentions one person, whatever name it used', """\
SELECT e.doc_id, e.name, e.n_mentions
FROM registry r
JOIN registry_entities re USING (global_id)
JOIN entities e USING (entity_id)
WHERE r.name = 'Никита Златин'
ORDER BY e.doc_id"""),
    ('The largest sums of money by currency, with the words they were read from', """\
SELECT n.unit AS currency, n.value, n.qualifier, m.text, n.doc_id
FROM numbers n JOIN mentions m USING (mention_id)
WHERE n.kind = 'money'
ORDER BY n.value DESC
LIMIT 10"""),
]

SQL = """\
## SQL

`python -m pipeline sql "SELECT ..." [--tables DIR] [--format table|csv]` runs one
read-only query with DuckDB; every table is a view by its own name. It reads
the Delta tables as Arrow datasets, only the columns and rows a query needs
(live rows only), refuses anything but one
SELECT / WITH / DESCRIBE / SHOW / EXPLAIN statement and switches DuckDB's file
access off, so a query can neither change the tables nor write a file.
`python -m pipeline export duckdb --out output/tables.duckdb` writes a DuckDB file
with the same tables (and these descriptions as column comments) for BI tools.
"""


def type_names(dtype) -> tuple[str, str]:
    """(pandas dtype, DuckDB type) of a declared column, named the same on every pandas version."""
    if isinstance(dtype, pd.StringDtype):
        return 'string', 'VARCHAR'
    if isinstance(dtype, pd.Int64Dtype):
        return 'Int64', 'BIGINT'
    if isinstance(dtype, pd.Float64Dtype):
        return 'Float64', 'DOUBLE'
    if isinstance(dtype, pd.BooleanDtype):
        return 'boolean', 'BOOLEAN'
    if isinstance(dtype, pd.DatetimeTZDtype):
        return f'datetime64[{dtype.unit}, {dtype.tz}]', 'TIMESTAMP WITH TIME ZONE'
    if isinstance(dtype, pd.ArrowDtype) and str(dtype.pyarrow_dtype) == 'date32[day]':
        return 'date32 (pyarrow)', 'DATE'
    return str(dtype), str(dtype)


def constraints(column) -> str:
    """The column's checks in words: `unique`, `≥ 0`, `one of …`, `64 characters`."""
    words = ['unique'] if column.unique else []
    for check in column.checks:
        stats = check.statistics
        if check.name == 'isin':
            words.append('one of ' + ', '.join(f'`{_}`' for _ in stats['allowed_values']))
        elif check.name == 'greater_than_or_equal_to':
            words.append(f'≥ {stats["min_value"]}')
        elif check.name == 'str_matches':
            words.append(f'matches `{stats["pattern"]}`')
        elif check.name == 'str_length':
            low, high = stats.get('min_value'), stats.get('max_value')
            words.append(f'{low} characters' if low == high else 'not empty' if (low, high) == (1, None) else
                         f'at least {low} characters' if high is None else f'{low}–{high} characters')
        else:
            words.append(check.name)
    return '; '.join(words)


def cell(text) -> str:
    return str(text).replace('|', '\\|').replace('\n', ' ')


def example(value) -> str:
    if value is None:
        return ''
    return cell(f'`{value}`')


def table_section(name: str) -> str:
    model = SCHEMAS[name]
    lines = [f'### `{name}`', '', (model.__doc__ or '').strip(), '',
             '| column | type | pandas | null | rules | description | example |',
             '|---|---|---|---|---|---|---|']
    for column_name, column in model.to_schema().columns.items():
        pandas_type, sql_type = type_names(column.dtype.type)
        lines.append(f'| `{column_name}` | {sql_type} | {pandas_type} | {"yes" if column.nullable else "no"} '
                     f'| {cell(constraints(column))} | {cell(column.description or "")} '
                     f'| {example(column.metadata.get("example") if column.metadata else None)} |')
    return '\n'.join(lines) + '\n'


def examples_section() -> str:
    parts = ['Examples:\n']
    for title, query in EXAMPLES:
        one_line = ' '.join(query.split())
        parts.append(f'{title}:\n\n```sh\npython -m pipeline sql "{one_line}"\n```\n')
    return '\n'.join(parts)


def render() -> str:
    """The whole text of output/README.md."""
    sections = [INTRO, readers_section(), EXCEL, SQL + '\n' + examples_section(),
                '## Tables\n\nEvery offset (`start`, `stop`, `first_start`) counts characters of '
                '`documents.text`, from 0.\n']
    sections += [table_section(name) for name in SCHEMAS]
    return '\n'.join(sections)
