"""CSV files of the tables, written on demand (`python -m pipeline export csv`).

Reads the live rows of each Delta table batch by batch (memory bounded by a
batch, not by the table) and writes `<table>.csv` into a folder: UTF-8 with a
byte-order mark (Excel shows Cyrillic), a header line, text quoted where needed,
empty for missing values. A text cell starting with `=`, `+`, `-`, `@`, a tab or
a carriage return gets a leading apostrophe, as OWASP recommends against CSV
formula injection: the article text is untrusted.
"""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from pipeline.store.rows import write_atomic

FORMULA = r'^[=+\-@\t\r]'


def neutralise(batch: pa.RecordBatch | pa.Table) -> pa.Table:
    """Text cells that a spreadsheet would run as a formula, with a leading `'`."""
    table = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
    for index, field in enumerate(table.schema):
        if pa.types.is_string(field.type) or pa.types.is_large_string(field.type) or \
                pa.types.is_string_view(field.type):
            column = table.column(index).cast(pa.string())
            risky = pc.fill_null(pc.match_substring_regex(column, FORMULA), False)
            fixed = pc.if_else(risky, pc.binary_join_element_wise("'", column, ''), column)
            table = table.set_column(index, pa.field(field.name, pa.string()), fixed)
    return table


def write_csv(path: str | os.PathLike, schema: pa.Schema, batches) -> None:
    """`batches` (Arrow record batches or tables of `schema`) as one CSV file with a BOM."""
    plain = pa.schema([pa.field(_.name, pa.string()) if pa.types.is_string(_.type) or
                       pa.types.is_large_string(_.type) or pa.types.is_string_view(_.type) else _
                       for _ in schema.remove_metadata()])
    with open(path, 'wb') as handle:
        handle.write(b'\xef\xbb\xbf')
        options = pacsv.WriteOptions(quoting_style='needed')
        with pacsv.CSVWriter(handle, plain, write_options=options) as writer:
            for batch in batches:
                writer.write_table(neutralise(batch).select(plain.names).cast(plain))


def write_folder(tables: str | os.PathLike, out: str | os.PathLike) -> list[Path]:
    """Every table of the output folder `tables` as `<table>.csv` in the folder `out`; each file written
    whole or not at all. Returns the files."""
    from pipeline.store.tables import datasets
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, dataset in datasets(tables).items():
        file = out / f'{name}.csv'
        write_atomic(file, lambda path, found=dataset: write_csv(path, found.schema, found.to_batches()))
        written.append(file)
    return written
