"""Syndicated duplicates: copies of a story point to its earliest published copy, across batches,
through an index that grows by appending."""

import pandas as pd
import pytest

from pipeline.batch import web
from pipeline.batch.runner import run
from pipeline.store import duplicates
from pipeline.store.tables import load_tables
from tests.webpages import STORIES, news_page, syndicated, url_of


def frame(pages) -> pd.DataFrame:
    """`documents` rows (doc_id, published, text) of (url, published, page) triples."""
    return pd.DataFrame({
        'doc_id': [_[0] for _ in pages], 'published': [_[1] for _ in pages],
        'text': [web.extract(_[2], _[0]).text for _ in pages],
        'duplicate_of': pd.array([None] * len(pages), dtype='string'),
    })


def marked(index, pages) -> dict:
    found = index.mark(frame(pages))
    index.flush()
    return {doc_id: None if pd.isna(first) else first
            for doc_id, first in zip(found['doc_id'], found['duplicate_of'])}


@pytest.mark.parametrize('story', STORIES, ids=lambda _: _.slug)
def test_duplicates_copies_point_to_the_original(story, tmp_path):
    (original, _, _), (copy1, _, _), (copy2, _, _) = pages = syndicated(story)
    others = [(url_of(_), _.published, news_page(_)) for _ in STORIES if _ is not story]
    assert marked(duplicates.Index(tmp_path), pages + others) == {
        original: None, copy1: original, copy2: original, **{_[0]: None for _ in others}}


def test_duplicates_found_across_batches_without_rebuilding(tmp_path):
    pages = [page for story in STORIES for page in syndicated(story)]
    originals, copies = pages[0::3], [_ for n, _ in enumerate(pages) if n % 3]
    assert set(marked(duplicates.Index(tmp_path), originals).values()) == {None}
    first = {_.name: _.read_bytes() for _ in (tmp_path / '_duplicates').rglob('*.parquet')}
    found = marked(duplicates.Index(tmp_path), copies)   # a later run: a new index object reads the tables
    assert found == {copy[0]: originals[n // 2][0] for n, copy in enumerate(copies)}
    now = {_.name: _.read_bytes() for _ in (tmp_path / '_duplicates').rglob('*.parquet')}
    assert {_: now[_] for _ in first} == first and len(now) == 2 * len(first)   # appended; old files kept
    assert duplicates.Index(tmp_path).table('bands').version() == 1
    stories = duplicates.stories(tmp_path)
    assert duplicates.count_stories(list(stories), stories) == len(STORIES)


def test_duplicates_earlier_copy_arriving_late_opens_the_story(tmp_path):
    original, copy1, copy2 = syndicated(STORIES[0])
    index = duplicates.Index(tmp_path)
    assert marked(index, [copy1, copy2]) == {copy1[0]: None, copy2[0]: copy1[0]}
    assert marked(index, [original]) == {original[0]: None}
    assert duplicates.stories(tmp_path) == {_[0]: original[0] for _ in (original, copy1, copy2)}


def test_duplicates_exact_copy_under_another_id(tmp_path):
    story = STORIES[1]
    page = news_page(story)
    pages = [('b', None, page), ('a', story.published, page)]   # the dated copy is the earliest
    assert marked(duplicates.Index(tmp_path), pages) == {'a': None, 'b': 'a'}


def test_duplicates_run_marks_documents(res, tmp_path):
    folder = tmp_path / 'in'
    folder.mkdir()
    pages = syndicated(STORIES[2])
    for number, (_url, _published, page) in enumerate(pages):
        (folder / f'{number}.html').write_text(page, encoding='utf-8')
    run([folder], tmp_path / 'out', progress=False, workers=1)
    documents = load_tables(tmp_path / 'out')['documents'].set_index('doc_id')
    assert documents['duplicate_of'].fillna('').to_dict() == {'0.html': '', '1.html': '0.html',
                                                              '2.html': '0.html'}


def test_duplicates_index_batches_found_after_compact(tmp_path):
    """One Delta append per batch; compact (optimize + vacuum) merges them and every story is still found."""
    from pipeline.store.tables import compact
    pages = [page for story in STORIES for page in syndicated(story)]
    originals, copies = pages[0::3], [_ for n, _ in enumerate(pages) if n % 3]
    for original in originals:   # one batch each: one append per kind each
        marked(duplicates.Index(tmp_path), [original])
    index = duplicates.Index(tmp_path)
    assert index.table('bands').version() == index.table('signatures').version() == len(originals) - 1
    compact(tmp_path, retention_hours=0)
    assert len(index.table('bands').file_uris()) == len(index.table('signatures').file_uris()) == 1
    found = marked(index, copies)
    assert found == {copy[0]: originals[n // 2][0] for n, copy in enumerate(copies)}


def test_duplicates_earlier_copy_arriving_in_a_later_run_relinks_committed_rows(res, tmp_path):
    """Two copies of a story in a first run, the original (published earlier) in a second: the rows
    committed by the first run are rewritten to point to it, as the index's stories do."""
    folder = tmp_path / 'in'
    folder.mkdir()
    pages = syndicated(STORIES[2])
    for number, (_url, _published, page) in list(enumerate(pages))[1:]:
        (folder / f'{number}.html').write_text(page, encoding='utf-8')
    run([folder], tmp_path / 'out', progress=False, workers=1)
    first = load_tables(tmp_path / 'out')['documents'].set_index('doc_id')['duplicate_of']
    assert first.fillna('').to_dict() == {'1.html': '', '2.html': '1.html'}
    (folder / '0.html').write_text(pages[0][2], encoding='utf-8')
    run([folder], tmp_path / 'out', progress=False, workers=1)
    documents = load_tables(tmp_path / 'out')['documents'].set_index('doc_id')
    assert documents['duplicate_of'].fillna('').to_dict() == {'0.html': '', '1.html': '0.html',
                                                              '2.html': '0.html'}
    stories = duplicates.stories(tmp_path / 'out')
    assert {_: first or _ for _, first in documents['duplicate_of'].fillna('').items()} == stories


class Killed(BaseException):
    """A kill -9 at one point of a run (raised there, past every `except Exception`)."""


def killed_at(monkeypatch, owner, name: str, calls: int = 1):
    """Make `owner.name` do its work, then kill the run on its `calls`-th call. The run's record stays
    `running` and its registry is not updated, as after a kill (`Store.finish` does nothing)."""
    from pipeline.store.tables import Store
    original, count = getattr(owner, name), [0]

    def then_killed(*args, **kwargs):
        result = original(*args, **kwargs)
        count[0] += 1
        if count[0] == calls:
            raise Killed(f'{owner.__name__}.{name}')
        return result
    monkeypatch.setattr(owner, name, then_killed)
    monkeypatch.setattr(Store, 'finish', lambda self, status, registry=None: None)


def duplicate_of(out) -> dict:
    return load_tables(out)['documents'].set_index('doc_id')['duplicate_of'].fillna('').to_dict()


@pytest.mark.parametrize('point', ['Index.flush', 'Store.commit'])
def test_duplicates_run_killed_after_an_earlier_copy_is_indexed(point, res, tmp_path, monkeypatch):
    """Two undated copies committed by a first run; a second run, with a third copy whose doc_id is
    smaller (the first of the story), is killed after the index took it in (before its chunk is
    committed, or after); the third run finishes: the copies point to it, in the documents as in the
    index."""
    from pipeline.store.tables import Store
    folder = tmp_path / 'in'
    folder.mkdir()
    text = '\n'.join(STORIES[0].paragraphs)
    for number in (1, 2):
        (folder / f'{number}.txt').write_text(f'{text}\nМатериал № {number}.\n', encoding='utf-8')
    out = tmp_path / 'out'
    run([folder], out, progress=False, workers=1)
    assert duplicate_of(out) == {'1': '', '2': '1'}
    (folder / '0.txt').write_text(f'{text}\nМатериал № 0.\n', encoding='utf-8')
    owner = {'Index': duplicates.Index, 'Store': Store}[point.split('.')[0]]
    with monkeypatch.context() as patch:
        killed_at(patch, owner, point.split('.')[1])
        with pytest.raises(Killed):
            run([folder], out, progress=False, workers=1)
    killed = duplicate_of(out)   # a copy names a copy of its own story, or none yet
    assert killed['1'] in ('', '0') and killed['2'] in ('1', '0')
    run([folder], out, progress=False, workers=1)
    assert duplicate_of(out) == {'0': '', '1': '0', '2': '0'}
    assert {_: first or _ for _, first in duplicate_of(out).items()} == duplicates.stories(out)


def texts(index, rows) -> dict:
    """`marked` for (doc_id, text) pairs, undated."""
    documents = pd.DataFrame({'doc_id': [_[0] for _ in rows], 'published': [None] * len(rows),
                              'text': [_[1] for _ in rows],
                              'duplicate_of': pd.array([None] * len(rows), dtype='string')})
    found = index.mark(documents)
    index.flush()
    return {doc_id: None if pd.isna(first) else first
            for doc_id, first in zip(found['doc_id'], found['duplicate_of'])}


def test_duplicates_story_moves_only_its_members_newest_rows(tmp_path):
    """A document's older index rows do not make it a member of a story it has left: `b`, edited into
    another story, takes only itself along when an earlier copy of its new story arrives, not `c`,
    which had joined `b`'s story before `a` opened it."""
    one, two = ('\n'.join(_.paragraphs) for _ in STORIES[:2])
    index = duplicates.Index(tmp_path)
    assert texts(index, [('b', one + ' 1'), ('c', one + ' 2')]) == {'b': None, 'c': 'b'}
    assert texts(index, [('a', one + ' 3')]) == {'a': None}
    assert texts(index, [('b', two + ' 4')]) == {'b': None}           # b edited: another story
    assert texts(index, [('a0', two + ' 5')]) == {'a0': None}
    assert duplicates.stories(tmp_path) == {'a': 'a', 'c': 'a', 'b': 'a0', 'a0': 'a0'}


def test_duplicates_settle_rewrites_what_differs_once(seed_output, tmp_path):
    """settle sets duplicate_of of committed documents to their index story, then records that it got
    so far: a second settle reads nothing; rows of documents the store does not hold are passed over."""
    import shutil

    from pipeline.store.tables import Store
    out = tmp_path / 'out'
    shutil.copytree(seed_output, out)
    ids = sorted(load_tables(out)['documents']['doc_id'])
    index = duplicates.Index(out)
    index.table('signatures').delete()   # as if written without the index: settle has nothing to do
    value = duplicates.signature(load_tables(out)['documents']['text'][0]).tobytes()
    rows = pd.DataFrame({'doc_id': [ids[1], ids[2], 'gone'], 'published': [None] * 3,
                         'story': [ids[0], ids[2], ids[0]], 'signature': [value] * 3})
    index.pending.append((pd.DataFrame({'band': pd.Series(dtype='int16'), 'hash': pd.Series(dtype='int64'),
                                        'doc_id': pd.Series(dtype='string')}), rows))
    index.flush()
    with Store.open(out) as store:
        assert index.settle(store) == 1 and index.settle(store) == 0
    assert duplicate_of(out) == {**{_: '' for _ in ids}, ids[1]: ids[0]}


def test_duplicates_cli_switch_turns_detection_off(res, tmp_path):
    from pipeline import cli
    folder = tmp_path / 'in'
    folder.mkdir()
    for number, (_url, _published, page) in enumerate(syndicated(STORIES[1])):
        (folder / f'{number}.html').write_text(page, encoding='utf-8')
    common = ['run', str(folder), '--workers', '1', '--quiet']
    assert cli.main([*common, '--tables', str(tmp_path / 'off'), '--no-duplicates']) == 0
    assert set(duplicate_of(tmp_path / 'off').values()) == {''}
    assert not (tmp_path / 'off' / '_duplicates').exists()
    assert cli.main([*common, '--tables', str(tmp_path / 'on')]) == 0
    assert duplicate_of(tmp_path / 'on') == {'0.html': '', '1.html': '0.html', '2.html': '0.html'}
