"""WARC input: HTML and text responses become documents; other records are counted; a truncated
archive keeps its whole records."""

import pytest

from pipeline.batch import ingest
from pipeline.batch.runner import run
from pipeline.document import Document, Problem
from pipeline.store.rows import problem_level
from pipeline.store.tables import load_tables
from tests.webpages import STORIES, crawl_records, http_response, news_page, url_of, write_warc


def read(path):
    items = list(ingest.read_inputs([path]))
    return [_ for _ in items if isinstance(_, Document)], [_ for _ in items if isinstance(_, Problem)]


@pytest.fixture(scope='module')
def crawl(tmp_path_factory):
    path = tmp_path_factory.mktemp('warc') / 'crawl.warc.gz'
    path.write_bytes(write_warc(crawl_records()))
    return path


def test_warc_responses_become_documents(crawl):
    docs, problems = read(crawl.parent)   # found in a folder, as .warc.gz
    first, english, cp1251, again = docs
    assert [_.url for _ in docs] == [url_of(STORIES[0]), 'https://barents-news.com/port',
                                     url_of(STORIES[1], 'pomorie-news.ru'), url_of(STORIES[0])]
    assert first.doc_id == first.url and english.doc_id == english.url
    assert again.doc_id.startswith('urn:uuid:')   # the URI repeats: the record id
    assert [_.charset for _ in docs] == ['utf-8', 'utf-8', 'windows-1251', 'utf-8']
    assert all(_.fetched and _.fetched[:4].isdigit() for _ in docs)
    assert cp1251.title == STORIES[1].title and STORIES[1].paragraphs[0] in cp1251.text
    assert first.published == STORIES[0].published and STORIES[0].sidebar[0] not in first.text
    assert again.text == first.text
    [skipped] = problems
    assert problem_level(skipped) == 'warning'
    assert '1 image/png' in skipped.message and '1 redirect 301' in skipped.message
    assert '6 request' in skipped.message and '1 warcinfo' in skipped.message


@pytest.mark.parametrize('gz', [True, False], ids=['warc.gz', 'warc'])
@pytest.mark.parametrize('fraction', [0.3, 0.5, 0.7, 0.9, 0.98])
def test_warc_truncated_keeps_whole_records(tmp_path, gz, fraction):
    data = write_warc(crawl_records(), gz=gz)
    whole = tmp_path / ('whole.warc.gz' if gz else 'whole.warc')
    whole.write_bytes(data)
    cut = tmp_path / 'cut' / whole.name
    cut.parent.mkdir()
    cut.write_bytes(data[:int(len(data) * fraction)])
    complete, _ = read(whole)
    kept, problems = read(cut)
    assert [(_.doc_id, _.text) for _ in kept] == [(_.doc_id, _.text) for _ in complete[:len(kept)]]
    assert len(kept) < len(complete)
    [damage] = [_ for _ in problems if 'truncated or damaged' in _.message]
    assert problem_level(damage) == 'error' and 'whole records before it are kept' in damage.message


@pytest.mark.parametrize('data', [b'WARC/1.0\r\nnot a header at all\r\n\r\n', b'\x1f\x8b' + bytes(100),
                                  b'<html>not an archive</html>'])
def test_warc_garbage_is_an_error_row(tmp_path, data):
    path = tmp_path / 'bad.warc'
    path.write_bytes(data)
    docs, problems = read(path)
    assert not docs and len(problems) == 1 and 'truncated or damaged' in problems[0].message


def test_warc_run_writes_documents_with_crawl_columns(crawl, res, tmp_path, monkeypatch):
    summary = run([crawl], tmp_path / 'out', progress=False, workers=1, languages='ru')
    frames = load_tables(tmp_path / 'out')
    documents = frames['documents'].set_index('url', drop=False)
    assert len(documents) == 4 and summary.errors == 0 and summary.languages == {'en': 1}
    assert set(frames['errors']['level']) == {'warning'}
    cp1251 = documents.loc[url_of(STORIES[1], 'pomorie-news.ru')]
    assert (cp1251['charset'], cp1251['language'], cp1251['published']) == ('windows-1251', 'ru',
                                                                           '2024-09-02')
    names = set(frames['mentions'].query('doc_id == @cp1251.doc_id')['text'])
    assert 'Виктор Белоусов' in names and not names & {'Сбербанк', 'Ирина Чиркова'}


CHARSET_CASES = [
    # (HTTP charset, <meta charset> of the page, body encoding, what becomes of it)
    ('windows-1251', None, 'cp1251', 'document'),
    ('koi8-r', None, 'koi8-r', 'document'),
    ('x-unknown-charset', None, 'cp1251', 'document'),   # a name Python does not know: the bytes tell
    ('utf-8', None, 'cp1251', 'document'),               # a header that lies: the bytes tell
    (None, None, 'cp1251', 'document'),
    (None, 'iso-8859-5', 'iso-8859-5', 'document'),      # no header: the page's declaration
    ('x-unknown-charset', None, 'shift_jis', 'error'),   # nothing declared, and the bytes read as nothing
]


@pytest.mark.parametrize('charset, meta, encoding, expected', CHARSET_CASES)
def test_warc_charset_of_the_http_header(tmp_path, charset, meta, encoding, expected):
    story = STORIES[2]
    page = news_page(story).replace('<meta charset="utf-8">', f'<meta charset="{meta}">' if meta else '')
    body = page.encode(encoding, 'xmlcharrefreplace')
    kind = 'text/html' + (f'; charset={charset}' if charset else '')
    path = tmp_path / 'one.warc'
    path.write_bytes(write_warc([(url_of(story), '200 OK', http_response(body, kind), body)], gz=False))
    docs, problems = read(path)
    if expected == 'document':
        [doc] = docs
        assert doc.title == story.title and story.paragraphs[1] in doc.text
        assert doc.charset == (charset.lower() if charset else None)
    else:
        assert not docs
        [error] = [_ for _ in problems if problem_level(_) == 'error']
        assert 'does not read as cp1251 or koi8-r' in error.message and url_of(story) in error.message
