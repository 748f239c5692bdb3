"""Excel export: every output table as one sheet of an .xlsx workbook.

Reads the tables through `load_tables`; writes one sheet per table with a
frozen header row. A workbook opens the same in every Excel, whereas a CSV's
delimiter depends on the regional settings (Russian Excel expects `;`).
Article text is untrusted: a string is always written as a string, never as a
formula (`=HYPERLINK("http://…")` stays text); characters an .xlsx cannot hold
(control characters) are dropped, and a cell longer than Excel's 32,767
characters is cut with a note saying so.
"""

from __future__ import annotations

import datetime
import math
import os
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

MAX_CELL = 32_767        # characters in one cell
MAX_ROWS = 1_048_576     # rows in one sheet, header included
CUT = '… [cut at {shown} of {total} characters; the Parquet files hold the whole text]'


class ExcelError(Exception):
    """A table that no sheet can hold."""


def cell_value(value):
    """`value` as openpyxl writes it: None for missing, naive UTC for timestamps, text cut to fit."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub('', value)
        if len(value) > MAX_CELL:
            note = CUT.format(shown='{shown}', total=len(value))
            shown = MAX_CELL - len(note.format(shown=MAX_CELL))
            value = value[:shown] + note.format(shown=shown)
        return value
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:   # Excel has no time zones
        return pd.Timestamp(value).tz_convert('UTC').tz_localize(None).to_pydatetime()
    if hasattr(value, 'item'):     # numpy scalars
        return value.item()
    return value


def text_cell(sheet, value: str) -> WriteOnlyCell:
    """A cell that holds `value` as text even when it starts with `=`."""
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = 's'
    return cell


def write_xlsx(tables: str | os.PathLike | Mapping[str, pd.DataFrame], file: str | os.PathLike) -> Path:
    """One sheet per table in the workbook `file`, written atomically."""
    from pipeline.export.sql import tables_of
    from pipeline.export.target import check, writing
    from pipeline.store.files import write_file
    check(file)   # before the work of building the workbook
    frames = tables_of(tables)
    for name, frame in frames.items():
        if len(frame) + 1 > MAX_ROWS:
            raise ExcelError(f'table {name!r} has {len(frame)} rows; an Excel sheet holds {MAX_ROWS - 1}: '
                             f'select a part with `python -m pipeline sql ... --format csv` instead')
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for name, frame in frames.items():
        sheet = workbook.create_sheet(title=name[:31])
        sheet.freeze_panes = 'A2'
        for number, column in enumerate(frame.columns, start=1):
            longest = frame[column].head(200).astype('string').str.len().max()
            width = max(len(column), 0 if pd.isna(longest) else int(longest)) + 2
            sheet.column_dimensions[get_column_letter(number)].width = min(width, 60)
        header = []
        for column in frame.columns:
            cell = text_cell(sheet, str(column))
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in frame.itertuples(index=False, name=None):
            values = [cell_value(_) for _ in row]
            sheet.append([text_cell(sheet, _) if isinstance(_, str) and _.startswith('=') else _
                          for _ in values])
    with writing(file):   # a regular file or none; TargetError says why not
        return write_file(file, workbook.save)
