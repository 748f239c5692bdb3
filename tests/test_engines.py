"""The run machinery under failure: worker processes killed (the OOM killer), a Dask cluster that loses
its workers, Ctrl-C. The stages used travel to the workers by pickle: tests/killer_stages.py."""


import pytest

from pipeline import load_tables
from pipeline.batch import engines, runner
from pipeline.batch.runner import run
from pipeline.document import Document, Problem

from .killer_stages import KILL, die_if, die_if_any, kill, pipeline, split_flags
from .test_scale import assert_same_tables, make_corpus

KILLER = pipeline('killer', kill)


def mark(folder, names, marker):
    for name in names:
        path = folder / f'{name}.txt'
        path.write_text(path.read_text(encoding='utf-8') + f'\n{marker}\n', encoding='utf-8')


def expected_without(folder, names, out):
    """Tables of a run in this process over `folder` less the files `names`, with the stages KILLER."""
    aside = folder.parent / 'aside'
    aside.mkdir()
    for name in names:
        (folder / f'{name}.txt').rename(aside / f'{name}.txt')
    run([folder], out, progress=False, workers=1, stages=KILLER)
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
    found = runner.halves(([doc(_) for _ in docs], [warning(_) for _ in warned]))
    assert [([d.doc_id for d in part], [w.doc_id for w in said]) for part, said in found] == [
        ([f'd{_}' for _ in a], [f'd{_}' for _ in b]) for a, b in parts]


def test_engines_lost_document_is_an_errors_row_with_its_warnings():
    frames = runner.lost(([doc(7)], [warning(7)]))
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


def test_engines_killed_worker_without_lost_is_an_engine_error():
    engine = engines.Local(2)
    try:
        with pytest.raises(engines.EngineError, match='worker process died'):
            list(engine.map(die_if, [(False,), (True,)]))
    finally:
        engine.close()
