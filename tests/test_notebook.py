"""The analysis notebook runs end to end on the seeds' tables, so it cannot rot.

It reads the columns it names; when the tables change under it, a cell fails
and so does this test.
"""

import json

import nbformat
import pytest
from nbclient import NotebookClient

from .conftest import ROOT

NOTEBOOK = ROOT / 'notebooks' / 'analysis.ipynb'
EXTRACTION = ['process_text', 'pipeline.process', 'pipeline.run', 'natasha', 'slovnet', 'yargy', 'razdel',
              'pymorphy', 'Resources']


@pytest.fixture(scope='module')
def executed(seed_output, monkeypatch_module):
    monkeypatch_module.setenv('PIPELINE_TABLES', str(seed_output))
    monkeypatch_module.setenv('MPLBACKEND', 'Agg')
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(notebook, timeout=180, kernel_name='python3',
                            resources={'metadata': {'path': str(NOTEBOOK.parent)}})
    client.execute()      # raises CellExecutionError, with the cell and its traceback, on the first failure
    return notebook


@pytest.fixture(scope='module')
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def outputs(notebook, kind):
    return [output for cell in notebook.cells if cell.cell_type == 'code' for output in cell.outputs
            if kind in output.get('data', {})]


def test_notebook_runs_on_seed_tables_with_plots(executed):
    errors = [output for cell in executed.cells if cell.cell_type == 'code' for output in cell.outputs
              if output.output_type == 'error']
    assert errors == []
    assert len(outputs(executed, 'image/png')) >= 4       # entities, timeline, figures, co-occurrence


def test_notebook_shows_seed_facts(executed):
    shown = json.dumps([_['data']['text/plain'] for _ in outputs(executed, 'text/plain')], ensure_ascii=False)
    for fact in ['Дмитрий Разумовский', 'IT-куб', 'Калужская область', '2022-08-17/2022-08-20', 'RUB']:
        assert fact in shown


def test_notebook_has_no_extraction_logic():
    source = '\n'.join(cell.source for cell in nbformat.read(NOTEBOOK, as_version=4).cells)
    assert 'pipeline.load_tables' in source and 'sql.connect' in source
    assert [_ for _ in EXTRACTION if _ in source] == []


def test_notebook_stops_when_a_column_it_reads_is_gone(seed_output, tmp_path, monkeypatch):
    import pyarrow as pa
    from deltalake import write_deltalake
    from nbclient.exceptions import CellExecutionError

    from pipeline import load_tables
    for name, frame in load_tables(seed_output).items():     # tables of a version load_tables still reads
        if name == 'mentions':
            frame = frame.rename(columns={'sentence': 'sentence_no'})
        write_deltalake(str(tmp_path / name), pa.Table.from_pandas(frame, preserve_index=False))
    monkeypatch.setenv('PIPELINE_TABLES', str(tmp_path))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    first_code = [n for n, cell in enumerate(notebook.cells) if cell.cell_type == 'code'][:2]
    notebook.cells = notebook.cells[:first_code[-1] + 1]      # loading and the column check
    with pytest.raises(CellExecutionError, match="'mentions': \\['sentence'\\]"):
        NotebookClient(notebook, timeout=120, kernel_name='python3',
                       resources={'metadata': {'path': str(NOTEBOOK.parent)}}).execute()
