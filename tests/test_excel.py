"""Excel: the workbook export keeps Cyrillic and every row, and never turns text into formulas."""

import openpyxl

from pipeline import cli, load_tables
from pipeline.export.excel import MAX_CELL, write_xlsx


def test_excel_keeps_cyrillic_and_every_row(seed_output, tmp_path, capsys):
    out = tmp_path / 'tables.xlsx'
    assert cli.main(['xlsx', '--tables', str(seed_output), '--out', str(out)]) == 0
    tables = load_tables(seed_output)
    workbook = openpyxl.load_workbook(out, read_only=True)
    assert workbook.sheetnames == list(tables)
    for name, frame in tables.items():
        rows = list(workbook[name].values)
        assert list(rows[0]) == list(frame.columns)
        assert len(rows) - 1 == len(frame)
    names = {row[3] for row in workbook['entities'].values}
    assert 'Дмитрий Разумовский' in names


def test_excel_text_is_never_a_formula(seed_output, tmp_path):
    tables = dict(load_tables(seed_output))
    documents = tables['documents'].copy()
    documents.loc[documents.index[0], 'title'] = '=HYPERLINK("http://example.invalid","Нажмите")'
    tables['documents'] = documents
    workbook = openpyxl.load_workbook(write_xlsx(tables, tmp_path / 'evil.xlsx'))
    cell = workbook['documents']['C2']
    assert cell.data_type == 's' and cell.value.startswith('=HYPERLINK')


def test_excel_long_text_is_cut_with_a_note(seed_output, tmp_path):
    tables = dict(load_tables(seed_output))
    documents = tables['documents'].copy()
    documents.loc[documents.index[0], 'text'] = 'Ж' * (MAX_CELL + 1000) + '\x07'
    tables['documents'] = documents
    workbook = openpyxl.load_workbook(write_xlsx(tables, tmp_path / 'long.xlsx'))
    sheet = workbook['documents']
    column = next(_.column_letter for _ in sheet[1] if _.value == 'text')
    text = sheet[f'{column}2'].value
    assert len(text) == MAX_CELL and text.startswith('ЖЖЖ') and 'Parquet' in text
