"""Ingest: every input becomes a document or a clear error row; a batch never stops."""

import json

import pytest

from pipeline.batch import ingest
from pipeline.batch.runner import run
from pipeline.document import Document, Level, Problem
from pipeline.store.rows import problem_row
from pipeline.store.tables import load_tables

GOOD = 'Губернатор Тюменской области Александр Моор посетил технопарк "Кванториум" в Тюмени.'


def write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode('utf-8'))
    return path


DECODE_CASES = [
    (GOOD.encode('utf-8'), 'utf-8'),
    (b'\xef\xbb\xbf' + GOOD.encode('utf-8'), 'utf-8'),
    (GOOD.encode('cp1251'), 'cp1251'),
    (GOOD.encode('koi8-r'), 'koi8-r'),
    (GOOD.encode('utf-16'), 'utf-16'),
]


@pytest.mark.parametrize('data, encoding', DECODE_CASES)
def test_ingest_decodes(data, encoding):
    decoded = ingest.decode(data)
    assert (decoded.text, decoded.encoding) == (GOOD, encoding)


BAD_CASES = [
    (b'', 'is empty'),
    (b'  \n\t \n', 'holds only whitespace'),
    (b'\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR' + bytes(range(256)), 'PNG image'),
    (b'PK\x03\x04\x14\x00\x00\x00' + bytes(200), 'ZIP archive'),
    (bytes(range(256)) * 4, 'binary'),
]


@pytest.mark.parametrize('data, reason', BAD_CASES)
def test_ingest_refuses_with_reason(tmp_path, data, reason):
    path = write(tmp_path / 'bad.txt', data)
    items = list(ingest.read_inputs([path]))
    assert len(items) == 1 and isinstance(items[0], Problem)
    assert reason in items[0].message and 'bad.txt' in items[0].message


def test_ingest_invalid_utf8_bytes_kept_with_warning(tmp_path):
    data = GOOD.encode('utf-8')
    data = data[:20] + b'\xff\xfe\xfa' + data[20:]
    items = list(ingest.read_inputs([write(tmp_path / 'broken.txt', data)]))
    warnings = [_ for _ in items if isinstance(_, Problem)]
    docs = [_ for _ in items if isinstance(_, Document)]
    assert len(docs) == 1 and '\ufffd' in docs[0].text
    assert 'invalid UTF-8' in warnings[0].message and 'broken.txt' in warnings[0].message


def test_ingest_batch_with_bad_files(tmp_path):
    """Good files are processed; each bad one is an errors row naming it."""
    folder = tmp_path / 'in'
    write(folder / 'good1.txt', GOOD)
    write(folder / 'good2.txt', 'Мэр Москвы Сергей Собянин открыл новую станцию метро.')
    write(folder / 'empty.txt', b'')
    write(folder / 'image.txt', b'\x89PNG\r\n\x1a\n' + bytes(300))
    write(folder / 'legacy.txt', GOOD.encode('cp1251'))
    write(folder / 'broken.txt', GOOD.encode('utf-8')[:30] + b'\xc3\x28' + GOOD.encode('utf-8')[30:])
    summary = run([folder], tmp_path / 'out', progress=False)
    tables = load_tables(tmp_path / 'out')
    assert set(tables['documents']['doc_id']) == {'good1', 'good2', 'legacy', 'broken'}
    errors = tables['errors']
    by_source = {row.source.rsplit('/', 1)[-1]: row for row in errors.itertuples()}
    assert by_source['empty.txt'].level == 'error' and 'empty' in by_source['empty.txt'].message
    assert by_source['image.txt'].level == 'error' and 'PNG' in by_source['image.txt'].message
    assert by_source['broken.txt'].level == 'warning'
    assert 'legacy.txt' not in by_source   # cp1251 is read, not refused
    legacy = tables['documents'].set_index('doc_id').loc['legacy', 'text']
    assert legacy == GOOD
    assert summary.documents == 4 and summary.errors == 2
    people = tables['mentions'].query("type == 'PER' and doc_id == 'legacy'")['normal'].tolist()
    assert people == ['Александр Моор']


def test_ingest_collections(tmp_path):
    rows = [
        {'id': 'a1', 'text': GOOD, 'title': 'Кванториум', 'published': '2024-08-23', 'url': 'https://x.ru/1'},
        {'id': 'a2', 'text': ''},
        {'text': 'Без идентификатора, но с текстом о Москве.'},
    ]
    lines = '\n'.join(json.dumps(_, ensure_ascii=False) for _ in rows) + '\n{not json\n'
    write(tmp_path / 'feed.jsonl', lines)
    write(tmp_path / 'feed2.csv', 'id,text,url\nc1,"Текст о Казани, строка с запятой",https://y.ru\n')
    items = list(ingest.read_inputs([tmp_path]))
    docs = {_.doc_id: _ for _ in items if isinstance(_, Document)}
    problems = [_ for _ in items if isinstance(_, Problem)]
    keyed = ingest.text_id('feed', rows[2]['text'])   # no id: keyed by a hash of the text
    assert set(docs) == {'a1', keyed, 'c1'} and keyed.startswith('feed:')
    assert docs['a1'].published == '2024-08-23' and docs['a1'].published_source == 'metadata'
    assert docs['a1'].url == 'https://x.ru/1' and docs['a1'].title == 'Кванториум'
    assert docs['c1'].text == 'Текст о Казани, строка с запятой'
    messages = ' | '.join(_.message for _ in problems)
    assert 'feed.jsonl:2' in messages and 'empty' in messages
    assert 'feed.jsonl:4' in messages and 'not valid JSON' in messages


def test_ingest_ids_are_paths_under_the_root(tmp_path):
    write(tmp_path / 'a' / 'news.txt', GOOD)
    write(tmp_path / 'b' / 'news.txt', GOOD)
    write(tmp_path / 'b' / 'other.txt', GOOD)
    write(tmp_path / 'top.txt', GOOD)
    ids = sorted(_.doc_id for _ in ingest.read_inputs([tmp_path]))
    assert ids == ['a/news', 'b/news', 'b/other', 'top']


def test_ingest_duplicate_ids_reported(tmp_path):
    write(tmp_path / 'feed.jsonl', '\n'.join(json.dumps({'id': 'x', 'text': GOOD}) for _ in range(2)))
    items = list(ingest.read_inputs([tmp_path]))
    assert sum(isinstance(_, Document) for _ in items) == 1
    assert any(isinstance(_, Problem) and 'already taken' in _.message for _ in items)


def test_ingest_html_in_records_and_text_files_becomes_its_text(tmp_path):
    """A crawler's record or .txt holding HTML markup is read as its visible text; a quoted tag
    is not markup."""
    html = ('<p>Мэр Москвы <b>Сергей Собянин</b> открыл станцию &laquo;Лужники&raquo;.</p>'
            '<script>x()</script><p>Всё.</p>')
    quoted = 'В HTML жирный текст пишут так: <b>текст</b>. Мэр Москвы Сергей Собянин это знает.'
    write(tmp_path / 'feed.jsonl', '\n'.join(json.dumps(_, ensure_ascii=False) for _ in [
        {'id': 'h1', 'text': html}, {'id': 'h2', 'text': '<div><script>x()</script></div><br><br>'},
        {'id': 'q1', 'text': quoted},
    ]))
    write(tmp_path / 'page.txt', html)
    items = list(ingest.read_inputs([tmp_path]))
    docs = {_.doc_id: _ for _ in items if isinstance(_, Document)}
    expected = 'Мэр Москвы Сергей Собянин открыл станцию «Лужники».\n\nВсё.'
    assert docs['h1'].text == expected and docs['page'].text == expected
    assert docs['q1'].text == quoted
    problems = [_.message for _ in items if isinstance(_, Problem)]
    assert any('feed.jsonl:2' in _ and 'HTML with no visible text' in _ for _ in problems)


# (level given by the producer, message): the row's level is the producer's, whatever the words
LEVELS = [
    (None, 'in/x.txt is a PNG image, not text'),
    (Level.WARNING, 'in/x.txt: 3 invalid UTF-8 byte sequence(s) replaced by U+FFFD (first at byte 7)'),
    (Level.WARNING, 'in/x.txt: some other loss'),
    (Level.ERROR, 'in/x.txt: text replaced by U+FFFD could not be read'),
]


@pytest.mark.parametrize('level, message', LEVELS)
def test_error_row_level_is_the_problems(level, message):
    problem = Problem('in/x.txt', None, 'ingest', message, *([level] if level else []))
    assert problem_row(problem)['level'] == (level or Level.ERROR).value
    assert problem_row(problem)['message'] == message


def test_ingest_out_inside_an_input_refused(tmp_path, capsys):
    """`run data --out data/tables` would read its own tables back as articles at every run."""
    from pipeline.cli import main
    write(tmp_path / 'data' / 'a.txt', GOOD)
    for out in (tmp_path / 'data' / 'tables', tmp_path / 'data'):
        with pytest.raises(ingest.InputError, match='inside the input folder'):
            ingest.check_out([tmp_path / 'data'], out)
        with pytest.raises(ingest.InputError):
            run([tmp_path / 'data'], out, progress=False, workers=1)
        assert main(['run', str(tmp_path / 'data'), '--out', str(out), '--workers', '1']) == 2
        assert 'inside the input folder' in capsys.readouterr().err
    ingest.check_out([tmp_path / 'data'], tmp_path / 'out')   # beside it: fine
    assert not (tmp_path / 'data' / 'tables').exists()


def test_ingest_collection_over_the_file_limit_is_streamed(tmp_path, monkeypatch):
    """No size limit on a collection: it is read record by record (MAX_BYTES is for one article)."""
    monkeypatch.setattr(ingest, 'MAX_BYTES', 1_000)
    rows = [{'id': f'r{_}', 'text': f'{GOOD} Номер {_}.'} for _ in range(50)]
    write(tmp_path / 'big.jsonl', '\n'.join(json.dumps(_, ensure_ascii=False) for _ in rows))
    items = list(ingest.read_inputs([tmp_path / 'big.jsonl']))
    assert [_.doc_id for _ in items] == [_['id'] for _ in rows]
    assert 40 <= ingest.estimate([tmp_path / 'big.jsonl']) <= 60


def test_ingest_estimate_reads_only_the_head(tmp_path):
    """A 3 GB (sparse) collection and a FIFO: estimated at once, neither read through."""
    import os
    with open(tmp_path / 'huge.jsonl', 'wb') as handle:
        handle.write(b'{"id": "a", "text": "x"}\n' * 100)
        handle.truncate(3_000_000_000)
    os.mkfifo(tmp_path / 'pipe.jsonl')
    assert ingest.estimate([tmp_path]) >= 1   # returns: the FIFO is not opened, the file not read whole
    problems = [_ for _ in ingest.read_inputs([tmp_path / 'pipe.jsonl'])]
    assert len(problems) == 1 and 'FIFO' in problems[0].message


def test_ingest_several_roots_prefixed(tmp_path):
    write(tmp_path / 'd1' / 'x.txt', GOOD)
    write(tmp_path / 'd2' / 'x.txt', GOOD)
    ids = sorted(_.doc_id for _ in ingest.read_inputs([tmp_path / 'd1', tmp_path / 'd2']))
    assert ids == ['d1/x', 'd2/x']
    assert [_.doc_id for _ in ingest.read_inputs([tmp_path / 'd1' / 'x.txt'])] == ['x']
