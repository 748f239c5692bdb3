"""End to end on the seeds: the invariants every run must keep."""

import subprocess
import sys

import pandas as pd

from pipeline import load_tables
from pipeline.batch.runner import run
from pipeline.store import rows as tables

from .conftest import ROOT, SEEDS


def test_pipeline_processes_every_seed(seed_tables):
    assert len(seed_tables['documents']) == 5
    assert seed_tables['errors'].empty


def test_pipeline_mention_text_matches_offsets(seed_tables):
    texts = seed_tables['documents'].set_index('doc_id')['text']
    for row in seed_tables['mentions'].itertuples():
        assert texts[row.doc_id][row.start:row.stop] == row.text


def test_pipeline_no_mention_crosses_a_line(seed_tables):
    assert not seed_tables['mentions']['text'].str.contains('[\n\r]').any()


def test_pipeline_entity_ids_resolve(seed_tables):
    mentions, entities = seed_tables['mentions'], seed_tables['entities']
    linked = mentions['entity_id'].dropna()
    assert set(linked) <= set(entities['entity_id'])
    names = mentions[mentions['type'].isin(['PER', 'ORG', 'LOC'])]
    assert names['entity_id'].notna().all()
    counts = linked.value_counts()
    assert (entities.set_index('entity_id')['n_mentions'] == counts.reindex(entities['entity_id'])).all()


def test_pipeline_every_person_has_a_name_part(seed_tables):
    persons = seed_tables['persons']
    assert (persons['first'].notna() | persons['last'].notna()).all()
    assert set(persons['entity_id']) == set(seed_tables['entities'].query("type == 'PER'")['entity_id'])


def test_pipeline_headline_not_glued(seed_tables):
    """natasha tags `ГАУ ДО ТО "Дворец ...⏎Образование⏎⏎Учащиеся технопарка «Кванториум` as one ORG."""
    texts = seed_tables['mentions'].query("doc_id == '000_4a2895e8857254f7'")['text']
    assert not texts.str.contains('Образование\n').any()


def test_pipeline_tables_pass_schemas(seed_tables):
    from pipeline.store import schemas
    for name, frame in seed_tables.items():
        schemas.check(name, frame)


def test_pipeline_bad_table_is_refused(seed_tables, tmp_path):
    import pytest

    from pipeline.store.schemas import TableError
    from pipeline.store.tables import write_tables
    broken = dict(seed_tables)
    broken['mentions'] = seed_tables['mentions'].assign(type='PERSON')
    with pytest.raises(TableError) as error:
        write_tables(broken, tmp_path)
    assert 'PERSON' in str(error.value)
    assert not (tmp_path / 'mentions').exists()


def test_pipeline_run_writes_delta_tables_and_csv_on_demand(tmp_path):
    from deltalake import DeltaTable

    from pipeline import cli
    summary = run([SEEDS], tmp_path, progress=False)
    assert summary.documents == 5
    loaded = load_tables(tmp_path)
    assert cli.main(['export', 'csv', '--tables', str(tmp_path), '--out', str(tmp_path)]) == 0
    # a Delta table per table (pipeline/store/tables.py); CSV: one file, on demand
    for name in tables.TABLES:
        assert len(DeltaTable(str(tmp_path / name)).to_pandas()) == len(loaded[name])
        csv = pd.read_csv(tmp_path / f'{name}.csv', encoding='utf-8-sig')
        assert list(csv.columns) == list(loaded[name].columns)
        assert len(csv) == len(loaded[name])
    with open(tmp_path / 'mentions.csv', 'rb') as handle:
        assert handle.read(3) == b'\xef\xbb\xbf'   # Excel reads Cyrillic


def test_cli_help_for_every_command():
    from pipeline.cli import parser
    commands = parser()._subparsers._group_actions[0].choices
    for name in ['', *commands]:
        argv = [sys.executable, '-m', 'pipeline', *([name] if name else []), '--help']
        result = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT)
        assert result.returncode == 0 and 'usage:' in result.stdout, name


def test_cli_run_prints_summary(tmp_path):
    result = subprocess.run([sys.executable, '-m', 'pipeline', 'run', str(SEEDS / '004_647e408614c3f80b.txt'),
                             '--out', str(tmp_path), '--quiet'], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith('1 documents,') and 'PER=' in result.stdout
