"""Property-based tests: arbitrary text through every stage, no exception out, invariants hold.

The default run tries a few hundred generated texts, and a few hundred
generated JSONL/CSV/HTML files through ingest (hypothesis profile `ingest`);
the slow suite (`-m slow`) tries more than 10,000 of each (`ingest-slow`).
Each bug these found has a regression case in REGRESSIONS (INGEST_REGRESSIONS) below.
"""

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.batch import ingest
from pipeline.batch import runner as batch
from pipeline.document import Document, Problem
from pipeline.store import rows as tables

WORDS = ['Мэр', 'Москвы', 'Сергей', 'Собянин', 'Владимир', 'Путин', 'ООО', '«Газпром»', 'в', 'Тюмени',
         '1', 'сентября', '2024', 'года', 'млрд', 'рублей', '12,5', '%', '$', '5', 'млн', 'тыс.', 'г.',
         'Мocква', 'А.', 'С.', 'Пушкин', '"', '(', ')', '—', '-', '.', ',', '\n', '\n\n', 'XX', 'века',
         'президент', 'РФ', 'компании', 'ПАО', 'Сбербанк', 'заявил', 'Иван', 'Иванович', 'Петров',
         '\u200b', '\xad', '\x07', '\ufffd', '\u2028', 'Санкт-Петербург', 'вчера', '15:30', '№', '1/2']

# random Unicode, and random news-like word salad (reaches the grammars far more often)
TEXTS = st.one_of(
    st.text(min_size=1, max_size=300),
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=60).map(' '.join),
    st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=6)), min_size=1, max_size=40).map(''.join),
)

# texts that once broke a stage or an invariant (found by these tests; fixed)
REGRESSIONS = [
    'Мocква',
    '+A\U00017000',   # a letter without a Unicode name broke pymorphy3 (rules.orgs: ValueError: no such name)
    'ж' * 100_000 + ' Мocква',   # the first look-alike pattern backtracked: > 30 s in segment
]


def accepted(text: str) -> bool:
    """Would ingest take this text as a document (not empty, not binary)?"""
    try:
        ingest.check_text(text)
        return True
    except ingest.InputError:
        return False


# ingest refuses empty, blank and binary-looking texts before any stage sees them
TEXTS = TEXTS.filter(accepted)


def check(texts, res):
    docs = [Document(doc_id=f'p{n}', text=text, source=f'p{n}.txt') for n, text in enumerate(texts)]
    for result in batch.process_many(docs, res):
        assert not isinstance(result, Problem), result.message
        tables.check_document(result)
        frames = batch.check_tables(tables.build([result]))
        assert frames['errors'].empty, frames['errors']['message'].tolist()


@pytest.mark.parametrize('text', REGRESSIONS)
def test_regressions(res, text):
    check([text], res)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=TEXTS)
def test_any_text(res, text):
    check([text], res)


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(texts=st.lists(TEXTS, min_size=2, max_size=5))
def test_any_texts_batched(res, texts):
    check(texts, res)


@pytest.mark.slow
@settings(max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=TEXTS)
def test_any_text_many(res, text):
    check([text], res)


def resolve_by_scan(mentions):
    """The former `resolve`: every mention against every kept span of its type (quadratic)."""
    from pipeline.stages.resolve import rank
    kept, taken = [], {}
    for mention in sorted(mentions, key=rank):
        if '\n' in mention.text or '\r' in mention.text or not mention.text.strip():
            continue
        spans = taken.setdefault(mention.type, [])
        if any(mention.start < stop and start < mention.stop for start, stop in spans):
            continue
        spans.append((mention.start, mention.stop))
        kept.append(mention)
    return sorted(kept, key=lambda _: (_.start, _.stop, _.type))


SPANS = st.lists(st.tuples(st.integers(0, 60), st.integers(0, 12), st.sampled_from(['PER', 'LOC', 'DATE']),
                           st.sampled_from(['ner', 'rule:dates', 'rule:orgs', 'natasha']),
                           st.sampled_from(['x', 'xy', ' ', 'a\nb'])), max_size=80)


@settings(max_examples=300, deadline=None)
@given(spans=SPANS)
def test_resolve_same_as_the_quadratic_scan(spans):
    """The binary-search overlap check keeps exactly what the scan kept (empty spans included)."""
    from pipeline.document import Mention
    from pipeline.stages import resolve
    mentions = [Mention(start, start + length, kind, text, source=source)
                for start, length, kind, source, text in spans]
    doc = Document(doc_id='r', text='x' * 80, source='r.txt')
    doc.mentions = list(mentions)
    assert resolve.run(doc).mentions == resolve_by_scan(mentions)


# --- arbitrary collections and pages through ingest: every input a Document or a Problem, nothing raised ---

settings.register_profile('ingest', max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
settings.register_profile('ingest-slow', parent=settings.get_profile('ingest'), max_examples=10_000)

MARKUP = ['<p>', '</p>', '<![foo[', ']]>', '<![CDATA[', '<!--', '-->', '<!doctype html>', '<script>',
          '</script>', '<b>', '&amp;', '&#0;', '&#x110000;', '<br/>', '<', '>', '"', "'", '<div class="',
          '\x00', '\ufeff']
PIECES = st.one_of(st.sampled_from(MARKUP + WORDS), st.text(max_size=8))
HTML_TEXTS = st.lists(PIECES, min_size=1, max_size=60).map(''.join)
JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=30), HTML_TEXTS),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=8)
RECORD = st.dictionaries(st.sampled_from(['id', 'text', 'title', 'published', 'url', 'Text', 'other']),
                         JSON_VALUES, max_size=6)
JSONL_LINES = st.lists(st.one_of(RECORD.map(lambda _: json.dumps(_, ensure_ascii=False)),
                                 RECORD.map(json.dumps), st.text(max_size=40),
                                 st.sampled_from(['[' * 5_000, '{'])), max_size=8)
CSV_CELLS = st.one_of(st.sampled_from(['"', '""', ',', ';', '\t', '\n', '\r\n', 'text', 'Text', 'id']),
                      PIECES)
CSV_TEXTS = st.builds(lambda header, body: header + ''.join(body),
                      st.sampled_from(['id,text\n', 'Text;id\r\n', '', 'text\n', 'id\ttext\n']),
                      st.lists(CSV_CELLS, max_size=60))
ENCODINGS = st.sampled_from(['utf-8', 'utf-8-sig', 'utf-16', 'cp1251', 'koi8-r'])


def through_ingest(name: str, text: str, encoding: str) -> None:
    """Write `text` as the file `name` and read it: only Documents and Problems come out."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(text.encode(encoding, errors='replace'))
        items = list(ingest.read_inputs([folder]))
    for item in items:
        assert isinstance(item, (Document, Problem))
        if isinstance(item, Document):
            ingest.check_text(item.text)   # what is kept is a text ingest accepts
            assert item.doc_id and isinstance(item.doc_id, str)


# inputs that once raised out of ingest (the last found by test_ingest_any_input_many; fixed)
INGEST_REGRESSIONS = [
    ('a.html', '<![foo[ x ]]><p>Мэр</p>'),
    ('a.html', '<p>x</p><![bar'),
    ('a.jsonl', '{"id": "a", "text": ' + '[' * 100_000 + ']' * 100_000 + '}'),
    ('a.csv', 'id,text\n1,"unclosed\n2,Москва\n'),
    ('a.csv', 'Text;id\r\n<p><p><p>\x1b'),   # markup around a control character only: kept as a document
]


@pytest.mark.parametrize('name, text', INGEST_REGRESSIONS)
def test_ingest_regressions(name, text):
    through_ingest(name, text, 'utf-8')


@settings(settings.get_profile('ingest'))
@given(lines=JSONL_LINES, encoding=ENCODINGS)
def test_ingest_any_jsonl(lines, encoding):
    through_ingest('feed.jsonl', '\n'.join(lines), encoding)


@settings(settings.get_profile('ingest'))
@given(text=CSV_TEXTS, encoding=ENCODINGS)
def test_ingest_any_csv(text, encoding):
    through_ingest('feed.csv', text, encoding)


@settings(settings.get_profile('ingest'))
@given(text=HTML_TEXTS, name=st.sampled_from(['page.html', 'page.txt']), encoding=ENCODINGS)
def test_ingest_any_html(text, name, encoding):
    through_ingest(name, text, encoding)


@pytest.mark.slow
@settings(settings.get_profile('ingest-slow'))
@given(kind=st.sampled_from(['feed.jsonl', 'feed.csv', 'page.html']), data=st.data(), encoding=ENCODINGS)
def test_ingest_any_input_many(kind, data, encoding):
    strategy = {'feed.jsonl': JSONL_LINES.map('\n'.join), 'feed.csv': CSV_TEXTS,
                'page.html': HTML_TEXTS}[kind]
    through_ingest(kind, data.draw(strategy), encoding)
