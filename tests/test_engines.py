"""The run machinery under failure: worker processes killed (the OOM killer), a Dask cluster that loses
its workers, Ctrl-C. The stages used travel to the workers by pickle: tests/killer_stages.py."""

import os
import signal
import subprocess
import sys
import time

import pytest

from pipeline import load_tables
from pipeline.batch import engines, runner, units
from pipeline.batch.runner import run
from pipeline.document import Document, Problem
from pipeline.store import layout

from .conftest import ROOT
from .killer_stages import KILL, SLOW, die_if, die_if_any, kill, nap, pipeline, slow, split_flags
from .test_scale import assert_same_tables, make_corpus

KILLER = pipeline('killer', kill)


def mark(folder, names, marker):
    for name in names:
        path = folder / f'{name}.txt'
        path.write_text(path.read_text(encoding='utf-8') + f'\n{marker}\n', encoding='utf-8')


def expected_without(folder, names, out, stages=KILLER):
    """Tables of a run in this process over `folder` less the files `names`, with `stages`."""
    aside = folder.parent / 'aside'
    aside.mkdir()
    for name in names:
        (folder / f'{name}.txt').rename(aside / f'{name}.txt')
    run([folder], out, progress=False, workers=1, stages=stages)
    for name in names:
        (aside / f'{name}.txt').rename(folder / f'{name}.txt')
    return load_tables(out)


def doc(number: int) -> Document:
    return Document(f'd{number}', f'текст {number}', source=f'in/d{number}.txt')


def warning(number: int) -> Problem:
    return Problem(f'in/d{number}.txt', f'd{number}', 'ingest', 'warned', level='warning')


@pytest.mark.parametrize('docs, warned, parts', [
    ([0], [0], [([0], [0])]),
    ([0, 1], [1], [([0], []), ([1], [1])]),
    ([0, 1, 2], [0, 2], [([0], [0]), ([1, 2], [2])]),
    ([0, 1, 2, 3, 4], [], [([0, 1], []), ([2, 3, 4], [])]),
])
def test_engines_halves_keep_each_warning_with_its_document(docs, warned, parts):
    unit = units.Records(tuple(doc(_) for _ in docs), tuple(warning(_) for _ in warned), rank=(3,))
    found = runner.split((unit,))
    assert [([d.doc_id for d in part.docs], [w.doc_id for w in part.warnings]) for part, in found] == [
        ([f'd{_}' for _ in a], [f'd{_}' for _ in b]) for a, b in parts]
    assert [part.rank for part, in found] == ([(3,)] if len(parts) == 1 else [(3, 0), (3, 1)])


def test_engines_halves_of_files_and_lines_down_to_one(tmp_path):
    """A unit of files splits down to one file; a part of a JSONL collection down to one line, whose
    record (its doc_id, its line number) the lost row names."""
    files = units.Files(tuple((tmp_path / f'{_}.txt', str(_)) for _ in range(3)), rank=(0,))
    assert [[_[1] for _ in part.files] for part, in runner.split((files,))] == [['0'], ['1', '2']]
    feed = tmp_path / 'feed.jsonl'
    feed.write_text(''.join(f'{{"id": "r{_}", "text": "Текст {_}."}}\n' for _ in range(5)), encoding='utf-8')
    problems = []
    part, = units.plan([feed], 10, problems)
    assert (part.count, part.line, problems) == (5, 1, [])
    while part.count > 1:
        part = runner.split((part,))[1][0]
    assert (part.line, part.count) == (5, 1)
    errors = runner.lost((part,)).frames['errors']
    assert errors[['source', 'doc_id', 'stage']].values.tolist() == [[f'{feed}:5', 'r4', 'worker']]


def test_engines_lost_document_is_an_errors_row_with_its_warnings():
    frames = runner.lost((units.Records((doc(7),), (warning(7),)),)).frames
    errors = frames['errors']
    assert errors[['doc_id', 'stage', 'level']].values.tolist() == [
        ['d7', 'ingest', 'warning'], ['d7', 'worker', 'error']]
    assert runner.WORKER_DIED in errors['message'].iloc[1]
    assert frames['documents'].empty


def test_engines_pool_narrows_chunks_that_kill_workers():
    """Chunks of flags, a true flag killing the worker that sees it: every false flag comes back in a
    result, each true one alone as lost, whatever chunk shared the pool with it when it died."""
    chunks = [((False, False, True, False),), ((False, False),), ((True,),), ((False,) * 3,),
              ((False, True, False, True, False),), ((False,),)]
    engine = engines.Local(2)
    try:
        found = list(engine.map(die_if_any, chunks, split=split_flags, lost=lambda chunk: 'lost'))
    finally:
        engine.close()
    lost = [chunk for chunk, result in found if result == 'lost']
    kept = [flag for chunk, result in found if result != 'lost' for flag in result]
    assert all(result == 'lost' or result == chunk[0] for chunk, result in found)
    assert lost == [((True,),)] * 4
    assert kept == [False] * sum(not flag for chunk in chunks for flag in chunk[0])


@pytest.mark.slow
def test_engines_killed_worker_narrowed_to_its_documents(tmp_path):
    """Two documents kill their pool worker (SIGKILL, as the OOM killer): each becomes an `errors` row,
    the batch goes on, and every other document comes out as a run without them gives it."""
    folder = make_corpus(tmp_path / 'in', 10)
    killers = ['article_001', 'article_008']
    expected = expected_without(folder, killers, tmp_path / 'expected')
    mark(folder, killers, KILL)
    summary = run([folder], tmp_path / 'out', progress=False, workers=2, chunk_size=3, stages=KILLER)
    assert (summary.documents, summary.errors) == (8, 2)
    found = load_tables(tmp_path / 'out')
    errors = found['errors']
    assert sorted(errors['doc_id']) == killers
    assert (errors['stage'] == 'worker').all() and (errors['level'] == 'error').all()
    assert errors['message'].str.contains(runner.WORKER_DIED, regex=False).all()
    found['errors'] = found['errors'][~found['errors']['doc_id'].isin(killers)]
    assert_same_tables(found, expected)
    assert found['runs']['status'].tolist() == ['finished']


def test_engines_workers_that_cannot_start_stop_the_run():
    """Workers that die whatever they are given (here: their start-up fails) are not blamed on the
    documents: the run stops with EngineError after narrowing down to one document."""
    engine = engines.Local(2, preload='tests.no_such_module')
    try:
        with pytest.raises(engines.EngineError, match='worker processes die even with no document'):
            list(engine.map(die_if_any, [((False, False),), ((False,),)], split=split_flags,
                            lost=lambda chunk: 'lost'))
    finally:
        engine.close()


def test_engines_killed_worker_without_lost_is_an_engine_error():
    engine = engines.Local(2)
    try:
        with pytest.raises(engines.EngineError, match='worker process died'):
            list(engine.map(die_if, [(False,), (True,)]))
    finally:
        engine.close()


@pytest.fixture
def ctrl_c():
    """Ctrl-C sent to this process (the engine's handler takes it while chunks are in a pool)."""
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        pytest.skip('SIGINT is handled by something else here')
    return lambda: os.kill(os.getpid(), signal.SIGINT)


def test_engines_ctrl_c_hands_out_the_results_back_then_stops(ctrl_c):
    """Ctrl-C while the caller holds a result (commits it): the result that came back meanwhile is still
    handed out, the chunk of a minute is not waited for, then KeyboardInterrupt."""
    engine = engines.Local(2)
    try:
        found = engine.map(nap, [(60,), (0,), (0.5,)])
        assert next(found) == ((0,), 0)
        time.sleep(3)    # (0.5,) is back meanwhile
        ctrl_c()
        assert next(found) == ((0.5,), 0.5)
        with pytest.raises(KeyboardInterrupt):
            next(found)
        assert engine.pool is None   # the workers were stopped
    finally:
        engine.close()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_engines_second_ctrl_c_stops_at_once(ctrl_c):
    engine = engines.Local(2)
    try:
        found = engine.map(nap, [(60,), (0,), (60,)])
        assert next(found) == ((0,), 0)
        processes = list(engine.pool._processes.values())
        ctrl_c()
        with pytest.raises(KeyboardInterrupt):
            ctrl_c()
    finally:
        engine.close()
    for process in processes:
        process.join(timeout=10)
        assert not process.is_alive()
    # the worker in its minute-long chunk was ended (SIGTERM), not waited for until it finished
    assert -signal.SIGTERM in [_.exitcode for _ in processes]


@pytest.mark.parametrize('engine', ['local', pytest.param('dask', marks=pytest.mark.slow)])
def test_engines_ctrl_c_commits_what_finished_and_stops(tmp_path, engine):
    """Ctrl-C while a document takes a minute in a worker (a pool's, a local Dask cluster's): the run says
    it is stopping, keeps the chunks that finished, and exits with 130 long before that document would
    be done."""
    if engine == 'dask':
        pytest.importorskip('distributed')
    folder = make_corpus(tmp_path / 'in', 6)
    slow_one = ['article_000']
    expected = expected_without(folder, slow_one, tmp_path / 'expected', pipeline('slow', slow))
    mark(folder, slow_one, SLOW)
    out = tmp_path / 'out'
    command = [sys.executable, '-m', 'tests.killer_stages', 'run', str(folder), '--tables', str(out),
               '--workers', '2', '--chunk-size', '1', '--quiet', '--doc-timeout', '0', '--engine', engine]
    environment = dict(os.environ, PYTHONPATH=str(ROOT))
    process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 240
        while layout.documents_held(out) < 5 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert layout.documents_held(out) == 5, process.stderr.read() if process.poll() is not None else ''
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)   # the slow document alone would take 60 s
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130, stderr
    assert 'stopping (Ctrl-C)' in stderr and 'interrupted: the chunks committed so far are kept' in stderr
    found = load_tables(out)
    assert found['runs']['status'].tolist() == ['interrupted']
    assert_same_tables(found, expected)


def test_engines_dask_cluster_without_workers_ends_the_run(tmp_path, monkeypatch):
    """Every worker of the cluster gone: the run ends after PIPELINE_WORKER_WAIT seconds with a message
    saying so, instead of waiting forever; the run is marked failed."""
    distributed = pytest.importorskip('distributed')
    monkeypatch.setenv('PIPELINE_WORKER_WAIT', '1')
    folder = make_corpus(tmp_path / 'in', 2)
    expected = r'no Dask worker left on \w+://\S+ for 1 s: run stopped .*PIPELINE_WORKER_WAIT'
    with (distributed.LocalCluster(n_workers=0, processes=False, dashboard_address=None) as cluster,
          pytest.raises(engines.EngineError, match=expected)):
        run([folder], tmp_path / 'out', progress=False, workers=1, chunk_size=1, engine='dask',
            scheduler=cluster.scheduler_address, stages=KILLER)
    assert load_tables(tmp_path / 'out')['runs']['status'].tolist() == ['failed']


@pytest.mark.parametrize('given', ['0', '-1', 'nan', 'soon'])
def test_engines_worker_wait_must_be_seconds(given, monkeypatch):
    monkeypatch.setenv('PIPELINE_WORKER_WAIT', given)
    with pytest.raises(engines.EngineError, match='PIPELINE_WORKER_WAIT'):
        engines.worker_wait()


@pytest.mark.slow
def test_engines_dask_killed_worker_narrowed_to_its_document(tmp_path):
    """A document that kills every Dask worker it meets: once the scheduler gives its chunk up
    (KilledWorker), the chunk is sent again in halves; the document becomes an `errors` row."""
    dask = pytest.importorskip('dask')
    pytest.importorskip('distributed')
    folder = make_corpus(tmp_path / 'in', 4)
    killers = ['article_002']
    expected = expected_without(folder, killers, tmp_path / 'expected')
    mark(folder, killers, KILL)
    with dask.config.set({'distributed.scheduler.allowed-failures': 1}):   # KilledWorker sooner
        summary = run([folder], tmp_path / 'out', progress=False, workers=2, chunk_size=4, engine='dask',
                      stages=KILLER)
    assert (summary.documents, summary.errors) == (3, 1)
    found = load_tables(tmp_path / 'out')
    assert found['errors'][['doc_id', 'stage']].values.tolist() == [['article_002', 'worker']]
    found['errors'] = found['errors'].iloc[:0]
    assert_same_tables(found, expected)


@pytest.mark.parametrize('address', ['nonsense://x', 'inproc://192.0.2.2/1/1'])
def test_engines_dask_bad_scheduler_address_is_one_line(address):
    pytest.importorskip('distributed')
    engine = engines.start('dask', 1, scheduler=address)
    try:
        with pytest.raises(engines.EngineError, match=f'cannot reach the Dask scheduler at {address}'):
            engine.start()
    finally:
        engine.close()
