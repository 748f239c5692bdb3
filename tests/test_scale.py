"""Batch runs at scale: incremental, parallel, distributed, crash-safe (store/tables.py, engines.py)."""

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

import pipeline
from pipeline import load_tables
from pipeline.batch import engines
from pipeline.batch.runner import run
from pipeline.store import layout
from pipeline.store import rows as tables
from pipeline.store import tables as store

from .conftest import ROOT, SEEDS

# the columns that identify a row of each table: compared sorted by them, and never duplicated
KEYS = {
    'documents': ['doc_id'], 'mentions': ['mention_id'], 'entities': ['entity_id'],
    'persons': ['entity_id'], 'organisations': ['entity_id'], 'places': ['entity_id'],
    'dates': ['mention_id'], 'numbers': ['mention_id'],
    'roles': ['role_id'], 'errors': ['source', 'doc_id', 'stage', 'message'],
    'registry': ['global_id'], 'registry_entities': ['entity_id'],
}


def sorted_table(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    return frame.sort_values(KEYS[name], ignore_index=True)


def assert_same_tables(found: dict, expected: dict) -> None:
    """Every table equal up to row order, with no duplicated row; the registry the same up to its ids
    (which depend on what earlier runs gave out): the same groups of entities, named the same."""
    for name in (*tables.TABLES, 'registry', 'registry_entities'):
        assert not found[name].duplicated(KEYS[name]).any(), name
    for name in tables.TABLES:
        pd.testing.assert_frame_equal(sorted_table(found[name], name), sorted_table(expected[name], name),
                                      obj=name)
    if 'registry' in expected:   # tables.build's tables have none
        pd.testing.assert_frame_equal(registry_groups(found), registry_groups(expected), obj='registry')


def registry_groups(frames: dict) -> pd.DataFrame:
    """The registry with each global id replaced by the entity_ids it groups."""
    links = frames['registry_entities']
    members = links.sort_values('entity_id').groupby('global_id')['entity_id'].agg(' '.join)
    table = frames['registry'].assign(members=lambda _: _['global_id'].map(members)).drop(columns='global_id')
    return table.sort_values('members', ignore_index=True)


def owners(frame: pd.DataFrame) -> pd.Series:
    """doc_id of each row (persons, organisations, places: from entity_id `<doc_id>:e<n>`)."""
    if 'doc_id' in frame:
        return frame['doc_id']
    return frame['entity_id'].str.rsplit(':', n=1).str[0]


def copy_seeds(folder, names=None):
    folder.mkdir(parents=True, exist_ok=True)
    for file in sorted(SEEDS.glob('*.txt')):
        if names is None or file.stem in names:
            shutil.copy(file, folder / file.name)
    return folder


def make_corpus(folder, size: int):
    """`size` short articles cut from the seeds, each with a line of its own (distinct sha256)."""
    folder.mkdir(parents=True, exist_ok=True)
    paragraphs = []
    for file in sorted(SEEDS.glob('*.txt')):
        lines = [_ for _ in file.read_text(encoding='utf-8').splitlines() if len(_) > 40]
        paragraphs += ['\n'.join(lines[_:_ + 3]) for _ in range(0, len(lines), 3)]
    for number in range(size):
        text = paragraphs[number % len(paragraphs)] + f'\n\nМатериал № {number + 1}.\n'
        (folder / f'article_{number:03d}.txt').write_text(text, encoding='utf-8')
    return folder


def part_files(out):
    """The data files and log entries of the document tables (not `runs`, which every run writes)."""
    return sorted(str(_.relative_to(out)) for name in tables.TABLES for _ in (out / name).rglob('*')
                  if _.is_file())


def export_csv(out):
    from pipeline.export.csvtables import write_folder
    write_folder(out, out / 'csv')
    return out / 'csv'


def test_scale_rerun_adds_nothing(tmp_path):
    out = tmp_path / 'out'
    run([SEEDS], out, progress=False)
    before, files = load_tables(out), part_files(out)
    summary = run([SEEDS], out, progress=False)
    assert (summary.documents, summary.skipped, summary.added, summary.total) == (0, 5, 0, 5)
    assert part_files(out) == files
    after = load_tables(out)
    assert_same_tables(after, before)
    runs = after['runs']
    assert runs['run_id'].tolist() == [1, 2] and (runs['status'] == 'finished').all()
    assert runs[['documents_added', 'documents_skipped']].values.tolist() == [[5, 0], [0, 5]]
    assert (runs['pipeline_version'] == pipeline.__version__).all()


def test_scale_edited_article_replaces_its_rows(tmp_path):
    folder, out = copy_seeds(tmp_path / 'in'), tmp_path / 'out'
    run([folder], out, progress=False)
    edited = folder / '004_647e408614c3f80b.txt'
    text = edited.read_text(encoding='utf-8')
    edited.write_text(text + '\nВ Казани 5 марта 2024 года выступил Дмитрий Иванов.\n', encoding='utf-8')
    summary = run([folder], out, progress=False)
    assert (summary.replaced, summary.added, summary.skipped) == (1, 0, 4)
    found = load_tables(out)
    run([folder], tmp_path / 'fresh', progress=False)
    assert_same_tables(found, load_tables(tmp_path / 'fresh'))
    documents = found['documents'].set_index('doc_id')
    assert documents.loc['004_647e408614c3f80b', 'text'].endswith('Дмитрий Иванов.\n')
    assert 'Дмитрий Иванов' in set(found['mentions']['normal'].dropna())
    csv = export_csv(out)
    for name in tables.TABLES:   # the CSV export follows the replacement too
        assert len(pd.read_csv(csv / f'{name}.csv', encoding='utf-8-sig')) == len(found[name]), name


def delta_extension() -> str:
    """DuckDB's delta extension as installed by the duckdb-extension-delta package (no download)."""
    import pathlib

    import duckdb_extension_delta
    return str(next(pathlib.Path(duckdb_extension_delta.__path__[0]).rglob('delta.duckdb_extension')))


def test_scale_every_reader_sees_only_live_rows_after_an_edit(tmp_path):
    """deltalake, DuckDB (delta extension, and over Arrow datasets) and Polars read what load_tables reads:
    no row of the article's old version."""
    import duckdb
    import polars
    from deltalake import DeltaTable
    folder, out = copy_seeds(tmp_path / 'in'), tmp_path / 'out'
    run([folder], out, progress=False, workers=1)
    edited = folder / '002_413037bb6e5346a1.txt'
    old = load_tables(out)
    edited.write_text('Губернатор Александр Моор посетил Тюмень 3 марта 2024 года.\n', encoding='utf-8')
    assert run([folder], out, progress=False, workers=1).replaced == 1
    found = load_tables(out)
    gone = set(old['mentions'].query("doc_id == '002_413037bb6e5346a1'")['mention_id']) - set(
        found['mentions']['mention_id'])
    assert gone   # the new text has fewer mentions: their ids must be gone everywhere
    connection = duckdb.connect()
    connection.load_extension(delta_extension())
    for name in (*tables.TABLES, 'registry', 'registry_entities'):
        direct = DeltaTable(str(out / name)).to_pandas()
        scanned = connection.sql(f"SELECT * FROM delta_scan('{out / name}')").df()
        polar = polars.read_delta(str(out / name)).to_pandas()
        for frame in (direct, scanned, polar):
            assert len(frame) == len(found[name]), name
            expected = found[name].astype(str).sort_values(KEYS[name], ignore_index=True)
            got = frame[list(found[name].columns)].astype(str).sort_values(KEYS[name], ignore_index=True)
            pd.testing.assert_frame_equal(got.replace({'None': 'nan', '<NA>': 'nan', 'NaT': 'nan'}),
                                          expected.replace({'None': 'nan', '<NA>': 'nan', 'NaT': 'nan'}),
                                          check_dtype=False, obj=name)
        if 'mention_id' in direct:
            assert not set(direct['mention_id']) & gone, name
    documents = DeltaTable(str(out / 'documents')).to_pandas().set_index('doc_id')
    text = documents.loc['002_413037bb6e5346a1']['text']
    assert text.startswith('Губернатор Александр Моор')


def test_scale_new_article_is_added(tmp_path):
    folder = copy_seeds(tmp_path / 'in', names=['000_4a2895e8857254f7', '001_d2cff9bcc8a02a88'])
    out = tmp_path / 'out'
    run([folder], out, progress=False)
    copy_seeds(folder, names=['002_413037bb6e5346a1'])
    summary = run([folder], out, progress=False)
    assert (summary.added, summary.skipped, summary.total) == (1, 2, 3)
    run([folder], tmp_path / 'fresh', progress=False)
    assert_same_tables(load_tables(out), load_tables(tmp_path / 'fresh'))


def test_scale_failed_inputs_retried_without_duplicates(tmp_path):
    folder, out = copy_seeds(tmp_path / 'in', names=['004_647e408614c3f80b']), tmp_path / 'out'
    (folder / 'empty.txt').write_bytes(b'')
    good = 'Мэр Москвы Сергей Собянин открыл новую станцию метро.'.encode()
    (folder / 'broken.txt').write_bytes(good[:20] + b'\xff' + good[20:])   # kept, with a warning row
    first = run([folder], out, progress=False)
    assert (first.errors, first.warnings) == (1, 1)
    errors = load_tables(out)['errors']
    assert sorted(errors['level']) == ['error', 'warning']
    files = part_files(out)
    second = run([folder], out, progress=False)
    assert (second.errors, second.skipped) == (1, 2)   # empty.txt tried again, and failed again
    assert part_files(out) == files
    pd.testing.assert_frame_equal(load_tables(out)['errors'], errors)   # nothing repeated
    assert load_tables(out)['runs']['errors'].tolist() == [2, 0]
    (folder / 'empty.txt').write_text('Губернатор Александр Моор посетил Тюмень.', encoding='utf-8')
    third = run([folder], out, progress=False)
    assert (third.added, third.errors) == (1, 0)
    found = load_tables(out)
    assert found['errors']['level'].tolist() == ['warning']   # the fixed input's error row is gone
    assert 'empty' in set(found['documents']['doc_id'])


@pytest.mark.parametrize('source, file', [
    ('in/feed.jsonl:12', 'in/feed.jsonl'), ('in/crawl.warc.gz@512', 'in/crawl.warc.gz'),
    ('in/a.txt', 'in/a.txt'), ('in/x:y.txt', 'in/x:y.txt'), ('in/a.txt:', 'in/a.txt:'), ('', ''),
])
def test_scale_source_file(source, file):
    assert tables.source_file(source) == file


def error_rows(out) -> list[tuple[str, str]]:
    """(file name, message without the source it starts with) of each `errors` row."""
    errors = load_tables(out)['errors']
    return sorted((os.path.basename(tables.source_file(source)), message.removeprefix(source).lstrip(': '))
                  for source, message in zip(errors['source'], errors['message']))


def test_scale_error_rows_go_when_their_cause_is_gone(tmp_path):
    good, good2 = 'Мэр Москвы Сергей Собянин открыл новую станцию метро.', 'Губернатор посетил Тюмень.'
    folder, other, out = tmp_path / 'in', tmp_path / 'other', tmp_path / 'out'
    folder.mkdir(), other.mkdir()
    (other / 'empty.txt').write_bytes(b'')   # an input of other runs: its row is never this run's business
    run([other], out, progress=False, workers=1)
    (folder / 'a.txt').write_text(good, encoding='utf-8')
    (folder / 'b.txt').write_text(good2, encoding='utf-8')
    (folder / 'dup.jsonl').write_text(json.dumps({'id': 'b', 'text': good}) + '\n', encoding='utf-8')
    run([folder], out, progress=False, workers=1)
    taken = ('dup.jsonl', "doc_id 'b' already taken by " + str(folder / 'b.txt') + '; skipped')
    assert error_rows(out) == sorted([('empty.txt', 'is empty'), taken])
    (folder / 'a.txt').write_bytes(b'')                       # emptied ...
    run([folder], out, progress=False, workers=1)
    emptied = [('a.txt', 'is empty'), ('empty.txt', 'is empty'), taken]
    assert error_rows(out) == sorted(emptied)
    (folder / 'a.txt').write_text(good, encoding='utf-8')    # ... restored to the text the store holds
    (folder / 'dup.jsonl').unlink()                           # and the duplicate input gone
    assert run([folder / 'b.txt'], out, progress=False, workers=1).skipped == 1
    assert error_rows(out) == sorted(emptied)                 # a run over another input clears nothing
    files = part_files(out)
    summary = run([folder], out, progress=False, workers=1)
    assert (summary.skipped, summary.errors, summary.added) == (2, 0, 0)
    assert error_rows(out) == [('empty.txt', 'is empty')]     # only the row of an input not read
    assert part_files(out) != files                           # the rows went in a commit of `errors`
    files = part_files(out)
    run([folder], out, progress=False, workers=1)
    assert part_files(out) == files                           # nothing left to clear: nothing written


def test_scale_two_workers_equal_one(tmp_path):
    folder = make_corpus(tmp_path / 'in', 12)
    one = run([folder], tmp_path / 'one', progress=False, workers=1, chunk_size=3)
    two = run([folder], tmp_path / 'two', progress=False, workers=2, chunk_size=3)
    assert one.documents == two.documents == 12
    assert_same_tables(load_tables(tmp_path / 'two'), load_tables(tmp_path / 'one'))
    assert len(list((tmp_path / 'two' / 'documents').glob('*.parquet'))) == 4   # a file per chunk


def test_scale_workers_started_early_give_the_same_tables(tmp_path):
    """The CLI starts the workers before it imports pandas; the run then uses them."""
    folder = make_corpus(tmp_path / 'in', 9)
    one = run([folder], tmp_path / 'one', progress=False, workers=1, chunk_size=3)
    engine = engines.start('local', 2, preload=engines.PRELOAD)
    engine.start()
    two = run([folder], tmp_path / 'two', progress=False, workers=2, chunk_size=3, engine=engine)
    assert one.documents == two.documents == 9
    found = load_tables(tmp_path / 'two')
    assert_same_tables(found, load_tables(tmp_path / 'one'))
    assert found['runs'][['engine', 'workers']].values.tolist() == [['local', 2]]
    assert layout.documents_held(tmp_path / 'two') == 9


def test_scale_workers_started_early_without_work_are_ended(tmp_path):
    engine = engines.start('local', 2, preload=engines.PRELOAD)
    engine.start()
    engine.starter.join()
    processes = list(engine.pool._processes.values())
    assert len(processes) == 2
    # one chunk: run in this process
    summary = run([SEEDS], tmp_path / 'out', progress=False, workers=2, engine=engine)
    assert summary.documents == 5 and engine.pool is None
    for process in processes:
        process.join(timeout=30)
        assert not process.is_alive()


def test_scale_documents_held_reads_the_delta_log(tmp_path):
    assert layout.documents_held(tmp_path / 'missing') == 0
    (tmp_path / 'broken' / 'documents' / '_delta_log').mkdir(parents=True)
    (tmp_path / 'broken' / 'documents' / '_delta_log' / '00000000000000000000.json').write_text('{not json')
    assert layout.documents_held(tmp_path / 'broken') == 0
    run([SEEDS], tmp_path / 'out', progress=False, workers=1)
    assert layout.documents_held(tmp_path / 'out') == 5


def test_scale_dask_engine_equal_local(tmp_path):
    pytest.importorskip('dask.distributed')
    folder = make_corpus(tmp_path / 'in', 8)
    run([folder], tmp_path / 'local', progress=False, workers=1, chunk_size=2)
    summary = run([folder], tmp_path / 'dask', progress=False, workers=2, chunk_size=2, engine='dask')
    assert summary.documents == 8
    found = load_tables(tmp_path / 'dask')
    assert_same_tables(found, load_tables(tmp_path / 'local'))
    assert found['runs'][['engine', 'workers']].values.tolist() == [['dask', 2]]


def test_scale_uncommitted_rows_are_ignored_and_removed(tmp_path):
    """What a run killed after its child tables and before `documents` leaves: rows of a document that is
    not live, and data files no commit lists. Readers joining to documents ignore them; the next run
    deletes the rows."""
    from deltalake import DeltaTable, write_deltalake
    out = tmp_path / 'out'
    run([SEEDS], out, progress=False)
    before = load_tables(out)
    orphan = before['mentions'].head(3).assign(doc_id='killed',
                                               mention_id=lambda _: 'killed:m' + _.index.astype(str))
    write_deltalake(str(out / 'mentions'), store.to_arrow('mentions', orphan), mode='append')
    shutil.copy(next((out / 'documents').glob('*.parquet')), out / 'documents' / 'part-stray.parquet')
    runs = DeltaTable(str(out / 'runs'))
    runs.update({'status': "'running'"})          # as a killed run leaves its record
    assert_same_tables(load_tables(out), before)
    assert len(DeltaTable(str(out / 'mentions')).to_pandas()) == len(before['mentions']) + 3
    run([SEEDS], out, progress=False)   # the next run removes the rows, and closes the record
    assert len(DeltaTable(str(out / 'mentions')).to_pandas()) == len(before['mentions'])
    found = load_tables(out)
    assert_same_tables(found, before)
    assert found['runs']['status'].tolist() == ['killed', 'finished']


def test_scale_chunk_committed_twice_adds_nothing(seed_tables, tmp_path):
    """A chunk committed again by the same run (a retry, a replayed task) is skipped table by table: the
    Delta application transaction (run, chunk) is already there."""
    frames = {name: tables.schemas.check(name, frame) for name, frame in seed_tables.items()}
    with store.Store.open(tmp_path) as dataset:
        dataset.begin_run('local', 1, ['seeds'])
        dataset.commit(frames, chunk=1)
        dataset.index.clear()            # as a worker that does not know the chunk went in
        dataset.commit(frames, chunk=1)
        dataset.finish('finished')
    found = load_tables(tmp_path)
    assert_same_tables(found, frames)


def test_scale_folder_without_commit_reads_empty(tmp_path):
    """A first run killed before it committed anything leaves table folders and no manifest."""
    with store.Store.open(tmp_path):
        pass
    found = load_tables(tmp_path)
    for name in tables.TABLES:
        assert found[name].empty and list(found[name].columns) == list(tables.schemas.columns(name))


def test_scale_compact_keeps_tables(tmp_path):
    folder, out = copy_seeds(tmp_path / 'in'), tmp_path / 'out'
    run([folder], out, progress=False, workers=1, chunk_size=2)
    edited = folder / '001_d2cff9bcc8a02a88.txt'
    edited.write_text(edited.read_text(encoding='utf-8') + '\nВ Омске открыли парк.\n', encoding='utf-8')
    run([folder], out, progress=False, workers=1, chunk_size=2)
    before = load_tables(out)
    on_disk = len(list((out / 'documents').glob('*.parquet')))
    assert on_disk > 3
    store.compact(out, retention_hours=24)     # merged; the replaced files are kept for a day's readers
    assert_same_tables(load_tables(out), before)
    assert len(list((out / 'documents').glob('*.parquet'))) == on_disk + 1
    files, left = store.compact(out, retention_hours=0)
    assert left <= files
    assert_same_tables(load_tables(out), before)
    for name in tables.TABLES:   # what is left on disk is the live rows, nothing more
        assert sum(len(pd.read_parquet(_)) for _ in (out / name).glob('*.parquet')) == len(before[name]), name
    assert len(list((out / 'documents').glob('*.parquet'))) == 1


def test_scale_old_layout_is_refused_with_a_way_out(seed_tables, tmp_path):
    (tmp_path / 'documents').mkdir()
    seed_tables['documents'].to_parquet(tmp_path / 'documents' / 'part-000001.parquet')
    (tmp_path / '_manifest.json').write_text('{"format": 1, "parts": []}', encoding='utf-8')
    for attempt in (lambda: run([SEEDS], tmp_path, progress=False), lambda: load_tables(tmp_path)):
        with pytest.raises(store.StoreError, match=r'0\.1 layout.*run .*--out'):
            attempt()


def test_scale_second_writer_is_refused(tmp_path):
    with store.Store.open(tmp_path), pytest.raises(store.StoreError, match='another run'):
        run([SEEDS], tmp_path, progress=False)


# ---------------------------------------------------------------- crash safety


def start_run(corpus, out, workers, log):
    command = [sys.executable, '-m', 'pipeline', 'run', str(corpus), '--out', str(out), '--quiet',
               '--workers', str(workers), '--chunk-size', '3']
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)


def assert_whole_documents(found: dict, reference: dict) -> None:
    """Only documents of the reference, each with all its rows and nothing else; errors rows only those
    of the reference (those of inputs that never became documents are written at the end of a run)."""
    docs = set(found['documents']['doc_id'])
    assert docs <= set(reference['documents']['doc_id'])
    expected = {name: reference[name][owners(reference[name]).isin(docs)] for name in tables.TABLES}
    rows = {tuple(_) for _ in reference['errors'].astype(object).itertuples(index=False)}
    assert all(tuple(_) in rows for _ in found['errors'].astype(object).itertuples(index=False))
    assert not found['errors'].duplicated(KEYS['errors']).any()
    none = reference['errors'].iloc[:0]
    assert_same_tables(without_duplicate_of(dict(found, errors=none)),
                       without_duplicate_of(dict(expected, errors=none)))
    assert_same_stories(found['documents'], reference['documents'])


def without_duplicate_of(frames: dict) -> dict:
    """The tables without documents.duplicate_of (a killed run's: see assert_same_stories)."""
    return {name: frame.drop(columns='duplicate_of') if name == 'documents' else frame
            for name, frame in frames.items()}


def assert_same_stories(found: pd.DataFrame, reference: pd.DataFrame) -> None:
    """duplicate_of of a killed run's documents: a copy names a document of its own story in the reference,
    or none. Not the reference's value: a story's first copy may not be committed yet, and the copies
    committed before it are relinked at the end of a run (store/duplicates.py, Index.settle)."""
    story = {doc_id: first or doc_id for doc_id, first in
             zip(reference['doc_id'], reference['duplicate_of'].fillna(''))}
    for doc_id, first in zip(found['doc_id'], found['duplicate_of']):
        assert pd.isna(first) or story[first] == story[doc_id], (doc_id, first)


def committed_parts(out) -> int:
    """Commits of the `documents` table after the one that created it (each commits a chunk)."""
    return max(0, len(list((out / 'documents' / '_delta_log').glob('*.json'))) - 1)


def wait_for_commit(process, out, timeout: float) -> bool:
    """Wait until the run commits a part (True), or ends, or `timeout` passes."""
    parts, deadline = committed_parts(out), time.perf_counter() + timeout
    while time.perf_counter() < deadline and process.poll() is None:
        if committed_parts(out) > parts:
            return True
        time.sleep(0.005)
    return False


def add_bad_inputs(folder) -> int:
    """Every kind of bad input of the reliability catalogue (tests/test_reliability.py) beside the articles,
    and a name that is not UTF-8 and a collection with duplicated ids; returns how many files."""
    from pipeline.batch import ingest

    from .test_reliability import CATALOGUE, write
    for name, (data, _) in CATALOGUE.items():
        write(folder / f'bad_{name}', data)
    with open(folder / 'bad_huge.txt', 'wb') as handle:
        handle.truncate(ingest.MAX_BYTES + 1)
    with open(os.fsencode(folder) + b'/' + 'плохое'.encode('cp1251') + b'.txt', 'wb') as handle:
        handle.write('Мэр Москвы Сергей Собянин открыл новую станцию метро.'.encode())
    write(folder / 'bad_feed.jsonl', '\n'.join(json.dumps(_, ensure_ascii=False) for _ in [
        {'id': 'article_000', 'text': 'Другой текст с тем же doc_id.'},
        {'id': '../../etc/x', 'text': 'Текст.'},
        {'id': 'twice', 'text': 'Первый.'}, {'id': 'twice', 'text': 'Второй.'}, 'не объект', {'text': ''},
    ]) + '\n{broken json\n')
    return len(CATALOGUE) + 2


def crash_runs(tmp_path, kills: int, workers: int, seed: int, only_parent: bool = False,
               bad: bool = False) -> int:
    """Kill runs at random moments until `kills` kills happened; finish; compare with an uninterrupted run.

    `bad`: bad inputs of every kind mixed in with the articles.
    """
    corpus = make_corpus(tmp_path / 'in', 45)
    bad_files = add_bad_inputs(corpus) if bad else 0
    with open(tmp_path / 'stderr.log', 'ab') as log:
        started = time.perf_counter()
        assert start_run(corpus, tmp_path / 'reference', workers, log).wait(timeout=300) == 0
        duration = time.perf_counter() - started
        reference = load_tables(tmp_path / 'reference')
        assert len(reference['documents']) >= 45 and (len(reference['errors']) > 0) == bad
        rng, killed, attempts, episode = random.Random(seed), 0, 0, 0
        out = tmp_path / 'out0'
        while killed < kills:
            attempts += 1
            assert attempts < 10 * kills, 'runs keep finishing before the kill'
            process = start_run(corpus, out, workers, log)
            if rng.random() < 1 / 3:   # any moment: start-up, model loading, the first commits
                delay = rng.uniform(0.05, duration)
            else:                      # while chunks are being committed and exported
                wait_for_commit(process, out, duration)
                delay = rng.uniform(0, duration / 4)
            try:
                assert process.wait(timeout=delay) == 0
                assert_same_tables(load_tables(out), reference)   # finished on its own
                episode += 1
                out = tmp_path / f'out{episode}'                  # start over, so kills keep hitting work
                continue
            except subprocess.TimeoutExpired:
                pass
            if only_parent and rng.random() < 0.5:   # kill -9 of the main process only: workers must exit too
                import psutil
                children = psutil.Process(process.pid).children(recursive=True)
                process.send_signal(signal.SIGKILL)
                process.wait()
                _, alive = psutil.wait_procs(children, timeout=10)
                assert not alive, alive
            else:                                     # power loss: the whole process group at once
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            killed += 1
            assert_whole_documents(load_tables(out), reference)
        process = start_run(corpus, out, workers, log)
        assert process.wait(timeout=300) == 0
        found = load_tables(out)
        assert_same_tables(found, reference)
        statuses = set(found['runs']['status'])
        assert statuses <= {'killed', 'finished'} and found['runs']['status'].iloc[-1] == 'finished'
        print(f'crash test: {killed} kill points over {attempts} attempts ({episode + 1} episodes), '
              f'run takes {duration:.1f} s; {len(found["documents"])} documents, {bad_files} bad input '
              f'files, '
              f'{len(found["errors"])} errors rows, equal to the uninterrupted run')
    return killed


def test_scale_crash_at_random_points(tmp_path):
    assert crash_runs(tmp_path, kills=3, workers=1, seed=6) >= 3


@pytest.mark.slow   # one kill test runs by default (the one above); the others are slow
def test_scale_crash_with_bad_inputs_mixed_in(tmp_path):
    assert crash_runs(tmp_path, kills=4, workers=1, seed=7, bad=True) >= 4


@pytest.mark.slow
def test_scale_workers_exit_when_the_run_is_killed(tmp_path):
    """kill -9 of the run's process alone: its workers (forked from the fork server, so not its
    children) and the server exit on their own."""
    psutil = pytest.importorskip('psutil')
    corpus = make_corpus(tmp_path / 'in', 30)
    with open(tmp_path / 'stderr.log', 'ab') as log:
        process = start_run(corpus, tmp_path / 'out', 2, log)
        assert wait_for_commit(process, tmp_path / 'out', 120)
        children = psutil.Process(process.pid).children(recursive=True)
        assert len(children) >= 3     # the fork server and two workers (and the resource tracker)
        process.send_signal(signal.SIGKILL)
        process.wait()
        _, alive = psutil.wait_procs(children, timeout=15)
        assert not alive, alive


@pytest.mark.slow
def test_scale_crash_at_many_points_with_workers(tmp_path):
    assert crash_runs(tmp_path, kills=30, workers=2, seed=66, only_parent=True, bad=True) >= 30


@pytest.mark.slow
def test_scale_benchmark_script_runs(tmp_path):
    """benchmarks/scale.py end to end on a small corpus (the figures themselves are not checked)."""
    pytest.importorskip('psutil')
    command = [sys.executable, str(ROOT / 'benchmarks' / 'scale.py'), '--docs', '80', '--large', '0',
               '--no-dask', '--work', str(tmp_path)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert result.returncode == 0, result.stderr
    assert 'scaling 1 -> 2 workers' in result.stdout and 'rerun with nothing new' in result.stdout
    assert 'tables equal: 1 vs 2 workers True' in result.stdout


def test_scale_reprocess_older_replaces_what_another_version_wrote(tmp_path):
    out = tmp_path / 'out'
    run([SEEDS], out, progress=False, workers=1)
    from deltalake import DeltaTable
    DeltaTable(str(out / store.INDEX)).update({'pipeline_version': "'0.0.1'"})   # as an earlier release
    assert run([SEEDS], out, progress=False, workers=1).skipped == 5           # by default: kept
    again = run([SEEDS], out, progress=False, workers=1, reprocess_older=True)
    assert (again.replaced, again.skipped) == (5, 0)
    assert run([SEEDS], out, progress=False, workers=1, reprocess_older=True).skipped == 5   # now current
    found = load_tables(out)
    assert len(found['documents']) == 5 and not found['documents']['doc_id'].duplicated().any()
    with store.Store.open(out) as dataset:
        assert dataset.written_by(found['documents']['doc_id'][0]) == pipeline.__version__


def test_scale_jsonl_parts_read_as_the_whole_file(tmp_path):
    """A JSONL collection cut into parts of 2 lines, read by 2 workers: the same documents, line numbers
    (sources) and errors rows as one part read in this process; a record without an end of line last."""
    folder = tmp_path / 'in'
    folder.mkdir()
    records = [json.dumps({'id': f'r{_}', 'text': f'Мэр Москвы Сергей Собянин открыл школу № {_}.'},
                          ensure_ascii=False) for _ in range(6)]
    lines = [*records[:2], '{broken', '',
             json.dumps({'text': 'Глава Сбербанка Герман Греф.'}, ensure_ascii=False),
             *records[2:], json.dumps({'id': 'r1', 'text': 'Тот же doc_id.'}, ensure_ascii=False)]
    (folder / 'feed.jsonl').write_text('\n'.join(lines), encoding='utf-8')
    whole = run([folder], tmp_path / 'whole', progress=False, workers=1, chunk_size=100)
    parts = run([folder], tmp_path / 'parts', progress=False, workers=2, chunk_size=2)
    assert (parts.added, parts.errors) == (whole.added, whole.errors) == (7, 2)
    found = load_tables(tmp_path / 'parts')
    assert_same_tables(found, load_tables(tmp_path / 'whole'))
    assert found['documents'].set_index('doc_id').loc['r5', 'source'] == f'{folder / "feed.jsonl"}:9'


def test_scale_doc_id_taken_across_units(tmp_path):
    """The same doc_id in two collections read by different workers: the first read wins whichever
    finishes first, the other is an `errors` row; as in one process."""
    folder = tmp_path / 'in'
    folder.mkdir()
    for name, text in (('a', 'Мэр Москвы Сергей Собянин открыл школу.'),
                       ('b', 'Глава Сбербанка Герман Греф.')):
        records = [{'id': f'{name}{_}' if _ else 'same', 'text': f'{text} {_}'} for _ in range(3)]
        (folder / f'{name}.jsonl').write_text(
            ''.join(json.dumps(_, ensure_ascii=False) + '\n' for _ in records), encoding='utf-8')
    one = run([folder], tmp_path / 'one', progress=False, workers=1, chunk_size=1)
    two = run([folder], tmp_path / 'two', progress=False, workers=2, chunk_size=1)
    assert (one.added, one.errors) == (two.added, two.errors) == (5, 1)
    found = load_tables(tmp_path / 'two')
    assert found['documents'].set_index('doc_id').loc['same', 'source'].endswith('a.jsonl:1')
    assert found['errors']['message'].str.contains("b.jsonl:1: doc_id 'same' already taken by .*a.jsonl:1",
                                                   regex=True).all()
    assert_same_tables(found, load_tables(tmp_path / 'one'))


def test_scale_coordinator_loads_no_model(tmp_path):
    """A run whose chunks go to worker processes: the main process imports none of the NLP libraries,
    reads no text and builds no registry itself."""
    folder = make_corpus(tmp_path / 'in', 6)
    script = ('import sys; from pipeline.batch.runner import run; '
              f'summary = run([{str(folder)!r}], {str(tmp_path / "out")!r}, progress=False, workers=2, '
              'chunk_size=2); '
              "print(summary.added, sorted(_ for _ in ('natasha', 'slovnet', 'yargy', 'pymorphy3', 'navec', "
              "'datasketch') if _ in sys.modules))")
    result = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True, cwd=ROOT,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split('\n')[-2] == '6 []'
    assert len(load_tables(tmp_path / 'out')['registry']) > 0
