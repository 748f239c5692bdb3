"""CSV for people to open in Excel or LibreOffice: no cell runs as a formula.

A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is read
by spreadsheet programs as a formula (`=HYPERLINK(...)`, `=DDE(...)`), and
article text, titles, ids and sources are untrusted. As OWASP recommends
("CSV Injection"), such a cell gets a leading apostrophe, which the programs
show as text and do not store; `-5` in a numeric column stays a number, since
only text cells are changed. The Parquet/Delta tables keep the true text.
"""

from __future__ import annotations

import pandas as pd

TRIGGERS = ('=', '+', '-', '@', '\t', '\r')


def neutralise(value):
    """`value` with a leading `'` when it is text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(TRIGGERS):
        return "'" + value
    return value


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text cells are neutralised (numbers, dates and missing values untouched)."""
    frame = frame.copy()
    for column in frame.columns:
        if frame[column].dtype == object or isinstance(frame[column].dtype, pd.StringDtype):
            frame[column] = frame[column].map(neutralise, na_action='ignore')
    frame.columns = [neutralise(str(_)) for _ in frame.columns]
    return frame


def to_csv(frame: pd.DataFrame) -> str:
    """`frame` as CSV text with a header, `\\n` line ends, formula-like cells neutralised."""
    return neutralised(frame).to_csv(index=False, lineterminator='\n')
