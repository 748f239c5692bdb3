"""Reliability: every kind of bad input meets a clear error, and nothing is lost.

One batch holds good articles beside every kind of bad input; each input is
either processed with the right text, or an `errors` row names the file and
says why, and the good articles come out intact. The README table
("Bad inputs") lists each case with the test that proves it.
"""

import dataclasses
import errno
import json
import os
import signal
import time
from pathlib import Path

import pandas as pd
import pytest

from pipeline.batch import ingest
from pipeline.batch import runner as batch
from pipeline.batch.runner import run
from pipeline.document import Document, Problem
from pipeline.store import rows as tables
from pipeline.store.tables import load_tables

GOOD = 'Губернатор Тюменской области Александр Моор посетил технопарк "Кванториум" в Тюмени.'
GOOD2 = 'Мэр Москвы Сергей Собянин открыл новую станцию метро.'
HTML = ('<!DOCTYPE html><html><head><title>Новости</title><style>p {color: red}</style>'
        '<script>var x = "<p>не текст</p>";</script></head><body>'
        '<p>Мэр Москвы Сергей Собянин открыл станцию &laquo;Лужники&raquo;.</p>'
        '<div>Губернатор Александр Моор посетил Тюмень.</div></body></html>')
HTML_TEXT = ('Новости\n\nМэр Москвы Сергей Собянин открыл станцию «Лужники».\n\n'
             'Губернатор Александр Моор посетил Тюмень.')
LOOKALIKE = 'Мэр Мocквы Сергей Собянин открыл новую станцию метро.'   # Latin "o" in Мocквы
CONTROL = 'Мэр Москвы\u200b Сергей\u00ad Собянин\x07 открыл\u200d новую\ufeff станцию\x1b метро.'
QUOTES = 'Компания «Ромашка (ООО "Лютик заявила, что [Сергей Собянин открыл «метро.\n)) »» "" ]'
LATIN = 'The quick brown fox jumps over the lazy dog. Apple Inc. paid $5 million on 1 May 2024.'
LONG_TOKEN = GOOD + '\n' + 'ж' * 100_000 + '\n' + GOOD2
MARKED = f'<p>{GOOD}</p><![foo[ x ]]><p>{GOOD2}</p><div>Конец.</div>'
# the page's article (batch/web.py): the closing one-word block is left out as boilerplate
MARKED_TEXT = f'{GOOD}\n\n{GOOD2}'


def doc_id_of(name: str) -> str:
    """The id ingest gives a file in the folder: its name without `.txt`."""
    return name[:-4] if name.endswith('.txt') else name


def write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode('utf-8'))
    return path


# name -> (bytes, expected): ('text', stored text) = processed; ('error', words in the message);
# ('warning', words, stored text) = processed with a warning row
CATALOGUE = {
    'empty.txt': (b'', ('error', 'is empty')),
    'whitespace.txt': (b' \n\t\r\n  \n', ('error', 'holds only whitespace')),
    'image.txt': (b'\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR' + bytes(range(256)), ('error', 'PNG image')),
    'archive.txt': (b'PK\x03\x04\x14\x00\x00\x00' + bytes(300), ('error', 'ZIP archive')),
    'noise.txt': (bytes(range(256)) * 8, ('error', 'binary')),
    'broken_utf8.txt': (GOOD.encode()[:30] + b'\xc3\x28\xff' + GOOD.encode()[30:],
                        ('warning', 'invalid UTF-8',
                         (GOOD.encode()[:30] + b'\xc3\x28\xff' + GOOD.encode()[30:])
                         .decode('utf-8', 'replace'))),
    'legacy_cp1251.txt': (GOOD.encode('cp1251'), ('text', GOOD)),
    'legacy_koi8r.txt': (GOOD.encode('koi8-r'), ('text', GOOD)),
    'utf16.txt': (GOOD.encode('utf-16'), ('text', GOOD)),
    'utf8_bom.txt': (b'\xef\xbb\xbf' + GOOD2.encode(), ('text', GOOD2)),
    # two short lines are no article for trafilatura (batch/web.py): the visible text, with a warning
    'page.html': (HTML.encode(), ('warning', 'no article found', HTML_TEXT)),
    'page_as_txt.txt': (HTML.encode('cp1251', errors='replace').replace(b'&laquo;', b'\xab')
                        .replace(b'&raquo;', b'\xbb'), ('warning', 'no article found', HTML_TEXT)),
    'long_token.txt': (LONG_TOKEN.encode(), ('text', LONG_TOKEN)),
    'quotes.txt': (QUOTES.encode(), ('text', QUOTES)),
    'latin.txt': (LATIN.encode(), ('text', LATIN)),
    'lookalike.txt': (LOOKALIKE.encode(), ('text', LOOKALIKE)),
    'control.txt': (CONTROL.encode(), ('text', CONTROL)),
    'huge.txt': (b'', ('error', 'is too large')),           # made sparse below: MAX_BYTES + 1
    'caps_cp1251.txt': (GOOD.upper().encode('cp1251'), ('text', GOOD.upper())),   # not read as KOI8-R
    'stray_nul.txt': (GOOD.encode()[:40] + b'\x00' + GOOD.encode()[40:], ('warning', 'NUL byte', GOOD)),
    'marked.html': (MARKED.encode(), ('text', MARKED_TEXT)),     # html.parser raised AssertionError
    'marked_markup.txt': (MARKED.encode(), ('text', MARKED_TEXT)),
    'twin.txt': (GOOD.encode(), ('text', GOOD)),             # beside twin.html: both kept
    # one paragraph is no article: its visible text is kept, with a warning
    'twin.html': (f'<p>{GOOD2}</p>'.encode(), ('warning', 'no article found', GOOD2)),
    'pipe.txt': (b'', ('error', 'is a FIFO')),                # made a FIFO below
    'zero.txt': (b'', ('error', 'is a device')),              # made a link to /dev/zero below
    # Russian Excel: `;`, cp1251, CRLF
    'excel_ru.csv': ('Id;Text;Url\r\nx1;"Мэр Москвы; Сергей Собянин"\r\n'.encode('cp1251'),
                     ('record', 'x1', 'Мэр Москвы; Сергей Собянин')),
    'excel_unicode.csv': ('id\tTEXT\r\nx2\tГубернатор Александр Моор\r\n'.encode('utf-16'),
                          ('record', 'x2', 'Губернатор Александр Моор')),   # Excel "Unicode text"
    'headerless.csv': ('x3,Мэр Москвы Сергей Собянин\n'.encode(), ('error', 'has no "text" column')),
    'too_many_chars.txt': (('а ' * (ingest.MAX_CHARS // 2 + 1)).encode(), ('error', 'is too long')),
}


def line(record) -> str:
    return json.dumps(record, ensure_ascii=False)   # raw U+2028 and U+0085, as crawlers write them


SEPARATED = f'{GOOD2}\u2028{GOOD}\u2029 Конец\x85 абзаца.'
NO_ID = 'Сергей Собянин посетил Тюмень без идентификатора.'
# records of feed_cases.jsonl, one a line: (case, line, expected) with expected ('text', doc_id, text),
# ('warning', words, doc_id, text): kept with a warning row, or ('error', words, doc_id of the error row)
RECORDS = [
    ('100,000-deep nesting', '{"id": "deep", "text": ' + '[' * 100_000 + ']' * 100_000 + '}',
     ('error', 'nested too deeply', None)),
    ('5,000-digit id', '{"id": 1' + '0' * 4_999 + ', "text": "Мэр Москвы."}',
     ('error', 'cannot be read as JSON', None)),
    ('U+2028, U+2029, U+0085 in a string', line({'id': 'separators', 'text': SEPARATED}),
     ('text', 'separators', SEPARATED)),
    ('integer id', line({'id': 7, 'text': GOOD2 + ' Седьмой.'}), ('text', '7', GOOD2 + ' Седьмой.')),
    ('object and true as metadata',
     line({'id': 'meta', 'text': GOOD + ' Мета.', 'title': {'a': 1}, 'url': True}),
     ('warning', 'not a string; stored as JSON', 'meta', GOOD + ' Мета.')),
    ('true as id', line({'id': True, 'text': GOOD}), ('error', 'neither a string nor an integer', None)),
    ('known id, empty text', line({'id': 'empty-one', 'text': ''}), ('error', 'is empty', 'empty-one')),
    ('published with an offset', line({'id': 'tz', 'text': GOOD2 + ' Часовой пояс.',
                                       'published': '2024-08-23T10:00:00+03:00'}),
     ('text', 'tz', GOOD2 + ' Часовой пояс.')),
    ('published not a date', line({'id': 'nodate', 'text': GOOD2 + ' Без даты.', 'published': '31.02.2024'}),
     ('warning', 'is not a date', 'nodate', GOOD2 + ' Без даты.')),
    ('<![foo[ in a record', line({'id': 'marked-record', 'text': MARKED}),
     ('text', 'marked-record', MARKED_TEXT)),
    ('no id', line({'text': NO_ID}), ('text', ingest.text_id('feed_cases', NO_ID), NO_ID)),
]
HUGE_FIELD = 'ж ' * 150_000   # over the record limit the catalogue sets (250,000 characters)
CSV_CASES = ('id,text\n'
             'c1,"Мэр Москвы Сергей Собянин открыл школу."\n'
             'c2,"Оборванная кавычка\n'
             'c3,Губернатор Александр Моор посетил Тюмень.\n'
             'c4,"<p>Раз</p><![foo[ y ]]><p>Сергей Собянин</p><p>Два</p>"\n'
             f'c5,"{HUGE_FIELD}"\n'
             'c6,Мэр Москвы Сергей Собянин открыл парк.\n')
# line of bad_records.csv -> ('text', doc_id, text) or ('error', words)
CSV_EXPECTED = {
    2: ('text', 'c1', 'Мэр Москвы Сергей Собянин открыл школу.'),
    3: ('error', 'an unclosed quote'),
    4: ('text', 'c3', 'Губернатор Александр Моор посетил Тюмень.'),
    5: ('warning', 'c4', 'Раз\n\nСергей Собянин\n\nДва'),   # no article found: the visible text
    6: ('error', 'is longer than 250,000 characters'),
    7: ('text', 'c6', 'Мэр Москвы Сергей Собянин открыл парк.'),
}


@pytest.fixture(scope='module')
def catalogue(tmp_path_factory):
    """One batch: two good articles, every catalogue input, and the odd ones made by hand."""
    base = tmp_path_factory.mktemp('catalogue')
    folder = base / 'in'
    write(folder / 'good1.txt', GOOD)
    write(folder / 'good2.txt', GOOD2)
    for name, (data, _) in CATALOGUE.items():
        write(folder / name, data)
    with open(folder / 'huge.txt', 'wb') as handle:
        handle.truncate(ingest.MAX_BYTES + 1)
    (folder / 'pipe.txt').unlink()
    os.mkfifo(folder / 'pipe.txt')
    (folder / 'zero.txt').unlink()
    (folder / 'zero.txt').symlink_to('/dev/zero')
    write(folder / 'feed_cases.jsonl', '\n'.join(line for _, line, _ in RECORDS) + '\n')
    write(folder / 'bad_records.csv', CSV_CASES)
    # never read: hidden and tool files, and output folders of earlier runs (a store, a Delta table)
    hidden = 'id,text\nhidden,Скрытый текст Сергея Собянина.\n'
    for name in ('.git/x.txt', '.ipynb_checkpoints/good1-checkpoint.txt', '._good1.txt',
                 'old_out/documents.csv', 'delta_out/documents/part.csv'):
        write(folder / name, hidden if name.endswith('.csv') else GOOD)
    write(folder / 'old_out' / '_manifest.json', '{}')
    (folder / 'delta_out' / 'documents' / '_delta_log').mkdir()
    # a file name that is not valid UTF-8 (cp1251 bytes of "новости")
    bad_name = os.fsencode(folder) + b'/' + 'новости'.encode('cp1251') + b'.txt'
    with open(bad_name, 'wb') as handle:
        handle.write(GOOD2.encode())
    # two files with the same doc_id: a .txt stem and a JSONL id
    write(folder / 'zz_feed.jsonl', '\n'.join(json.dumps(_, ensure_ascii=False) for _ in [
        {'id': 'good1', 'text': 'Другой текст с тем же doc_id.'},
        {'id': 'twice', 'text': GOOD2}, {'id': 'twice', 'text': GOOD},
    ]))
    # deleted and made unreadable between listing and reading
    write(folder / 'vanishes.txt', GOOD)
    write(folder / 'locked.txt', GOOD)
    listed = ingest.list_files

    def list_then_break(paths):   # called by the progress estimate and by the reader: both see the file
        found = listed(paths)
        if (folder / 'vanishes.txt', folder) not in found:
            found = sorted(found + [(folder / 'vanishes.txt', folder)])
        (folder / 'vanishes.txt').unlink(missing_ok=True)
        (folder / 'locked.txt').chmod(0)
        return found

    real_open = ingest.open_file

    def open_file(path):   # root ignores file modes: refuse the locked file as the OS would
        if path.name == 'locked.txt':
            raise ingest.InputError('cannot be read (permission denied)')
        return real_open(path)

    patch = pytest.MonkeyPatch()
    patch.setattr(ingest, 'list_files', list_then_break)
    patch.setattr(ingest, 'open_file', open_file)
    patch.setattr(ingest, 'MAX_RECORD', 250_000)   # a record limit a test can pass cheaply
    try:
        summary = run([folder], base / 'out', progress=False, workers=1)
    finally:
        patch.undo()
        (folder / 'locked.txt').chmod(0o644)
    return summary, load_tables(base / 'out')


def rows_of(frames, name):
    errors = frames['errors']
    return errors[errors['source'].str.contains(name, regex=False)]


def test_good_articles_intact(catalogue):
    _, frames = catalogue
    docs = frames['documents'].set_index('doc_id')
    assert docs.loc['good1', 'text'] == GOOD and docs.loc['good2', 'text'] == GOOD2
    people = set(frames['mentions'].query("doc_id in ['good1', 'good2'] and type == 'PER'")['normal'])
    assert people == {'Александр Моор', 'Сергей Собянин'}


@pytest.mark.parametrize('name', CATALOGUE)
def test_catalogue(catalogue, name):
    _, frames = catalogue
    expected = CATALOGUE[name][1]
    docs = frames['documents'].set_index('doc_id')
    doc_id = doc_id_of(name)
    errors = rows_of(frames, name)
    if expected[0] == 'record':   # a collection of one record
        _, doc_id, text = expected
        assert docs.loc[doc_id, 'text'] == text and name in docs.loc[doc_id, 'source']
        assert errors.empty, errors
        return
    if expected[0] == 'error':
        assert doc_id not in docs.index
        assert len(errors) == 1, errors
        row = errors.iloc[0]
        assert row.level == 'error' and expected[1] in row.message and name in row.message
        return
    assert docs.loc[doc_id, 'text'] == expected[-1]
    if expected[0] == 'warning':
        assert (len(errors) == 1 and errors.iloc[0].level == 'warning'
                and expected[1] in errors.iloc[0].message)
    else:
        assert errors.empty, errors
    mentions = frames['mentions'][frames['mentions']['doc_id'] == doc_id]
    text = docs.loc[doc_id, 'text']
    for mention in mentions.itertuples():   # offsets refer to the stored (decoded, extracted) text
        assert text[mention.start:mention.stop] == mention.text


def test_html_offsets_into_extracted_text(catalogue):
    _, frames = catalogue
    mentions = frames['mentions'].query("doc_id == 'page.html'")
    assert {'Сергей Собянин', 'Александр Моор'} <= set(mentions.query("type == 'PER'")['normal'])
    assert '<' not in frames['documents'].set_index('doc_id').loc['page.html', 'text']


def test_lookalike_letters_found(catalogue):
    """`Мocква` with a Latin o: the text is stored as is, the name still found (NER input is mapped 1:1)."""
    _, frames = catalogue
    mentions = frames['mentions'].query("doc_id == 'lookalike'")
    assert 'Сергей Собянин' in set(mentions.query("type == 'PER'")['normal'])
    place = mentions.query("type == 'LOC'").iloc[0]
    assert (place.text, place.normal) == ('Мocквы', 'Москва')   # text as stored, name normalised


def test_control_characters_kept(catalogue):
    _, frames = catalogue
    mentions = frames['mentions'].query("doc_id == 'control'")
    assert not mentions.empty


def test_invalid_utf8_file_name(catalogue):
    _, frames = catalogue
    docs = frames['documents']
    row = docs[docs['source'].str.contains('\\xed\\xee', regex=False)]
    assert len(row) == 1 and row.iloc[0].text == GOOD2
    assert row.iloc[0].doc_id == '\\xed\\xee\\xe2\\xee\\xf1\\xf2\\xe8'


def test_same_doc_id_twice(catalogue):
    _, frames = catalogue
    docs = frames['documents'].set_index('doc_id')
    assert docs.loc['good1', 'text'] == GOOD and docs.loc['twice', 'text'] == GOOD2
    messages = ' | '.join(rows_of(frames, 'zz_feed.jsonl')['message'])
    assert "doc_id 'good1' already taken" in messages and "doc_id 'twice' already taken" in messages


@pytest.mark.parametrize('name, reason', [('vanishes.txt', 'does not exist'),
                                          ('locked.txt', 'permission denied')])
def test_file_lost_during_run(catalogue, name, reason):
    _, frames = catalogue
    errors = rows_of(frames, name)
    assert len(errors) == 1 and reason in errors.iloc[0].message and errors.iloc[0].level == 'error'


def record_rows(frames, source):
    errors = frames['errors']
    return errors[errors['source'].str.endswith(source)]


@pytest.mark.parametrize('number', range(1, len(RECORDS) + 1), ids=[_[0] for _ in RECORDS])
def test_catalogue_jsonl_record(catalogue, number):
    _, frames = catalogue
    expected = RECORDS[number - 1][2]
    docs = frames['documents'].set_index('doc_id')
    rows = record_rows(frames, f'feed_cases.jsonl:{number}')
    if expected[0] == 'error':
        assert len(rows) == 1 and rows.iloc[0].level == 'error' and expected[1] in rows.iloc[0].message, rows
        assert rows.iloc[0].doc_id == expected[2] or (expected[2] is None and pd.isna(rows.iloc[0].doc_id))
        return
    doc_id, text = expected[-2:]
    assert docs.loc[doc_id, 'text'] == text
    assert docs.loc[doc_id, 'source'].endswith(f'feed_cases.jsonl:{number}')
    if expected[0] == 'warning':
        assert len(rows) and set(rows['level']) == {'warning'} and set(rows['doc_id']) == {doc_id}
        assert all(expected[1] in _ for _ in rows['message'])
    else:
        assert rows.empty, rows


def test_record_metadata_as_json_and_dates(catalogue):
    """Non-string metadata is stored as JSON, not a Python repr; `published` keeps its offset or is empty."""
    _, frames = catalogue
    docs = frames['documents'].set_index('doc_id')
    assert docs.loc['meta', 'title'] == '{"a": 1}' and docs.loc['meta', 'url'] == 'true'
    assert docs.loc['tz', 'published'] == '2024-08-23T10:00+03:00'
    assert pd.isna(docs.loc['nodate', 'published'])


@pytest.mark.parametrize('number', CSV_EXPECTED)
def test_catalogue_csv_record(catalogue, number):
    """An unclosed quote or an oversized field: that record's own error row, every other record read."""
    _, frames = catalogue
    expected = CSV_EXPECTED[number]
    rows = record_rows(frames, f'bad_records.csv:{number}')
    if expected[0] == 'error':
        assert len(rows) == 1 and expected[1] in rows.iloc[0].message and rows.iloc[0].level == 'error', rows
        return
    docs = frames['documents'].set_index('doc_id')
    assert docs.loc[expected[1], 'text'] == expected[2]
    if expected[0] == 'warning':
        assert (len(rows) == 1 and rows.iloc[0].level == 'warning'
                and 'no article found' in rows.iloc[0].message)
    else:
        assert rows.empty, rows


def test_hidden_and_output_folders_not_read(catalogue):
    _, frames = catalogue
    for name in ('.git', 'checkpoint', '._good1', 'old_out', 'delta_out'):
        assert not frames['documents']['source'].str.contains(name, regex=False).any(), name
        assert not frames['errors']['source'].str.contains(name, regex=False).any(), name
    assert 'hidden' not in set(frames['documents']['doc_id'])


def test_catalogue_counts(catalogue):
    summary, frames = catalogue
    failed = sum(_[1][0] == 'error' for _ in CATALOGUE.values()) + 2 + 2   # + lost files, + duplicate ids
    failed += sum(_[2][0] == 'error' for _ in RECORDS) + sum(_[0] == 'error' for _ in CSV_EXPECTED.values())
    assert summary.errors == failed
    assert (frames['errors']['level'] == 'error').sum() == failed
    for doc in frames['documents'].itertuples():
        assert tables.sha256(doc.text) == doc.sha256


@pytest.mark.slow
def test_ten_megabyte_single_line(tmp_path):
    line = ' '.join(['Мэр Москвы Сергей Собянин открыл новую станцию метро, сказал он.']
                    * 160_000)[:10_000_000]
    write(tmp_path / 'in' / 'long.txt', line.encode('utf-8')[:10_000_000].decode('utf-8', 'ignore'))
    write(tmp_path / 'in' / 'good.txt', GOOD)
    summary = run([tmp_path / 'in'], tmp_path / 'out', progress=False, workers=1)
    frames = load_tables(tmp_path / 'out')
    assert 'good' in set(frames['documents']['doc_id'])
    errors = frames['errors']
    long = errors[errors['source'].str.endswith('long.txt')]
    # 10 MB of Cyrillic is about 5.3 million characters: over MAX_CHARS, refused with a clear reason
    assert len(long) == 1 and 'is too long' in long.iloc[0].message
    assert summary.errors == 1


@pytest.mark.slow
def test_ten_thousand_tiny_files(tmp_path):
    folder = tmp_path / 'in'
    folder.mkdir()
    for number in range(10_000):
        (folder / f'{number:05d}.txt').write_text(f'Сергей Собянин, № {number}.', encoding='utf-8')
    summary = run([folder], tmp_path / 'out', progress=False, workers=1)
    frames = load_tables(tmp_path / 'out')
    assert summary.documents == 10_000 and len(frames['documents']) == 10_000
    assert frames['documents']['doc_id'].is_unique and frames['errors'].empty


HOSTILE_IDS = ['../../etc/x', '/abs/path', 'a\x00b', 'x' * 5000, 'line\nbreak', 'C:\\Windows\\x', '..',
               '<script>alert(1)</script>', 'a,b;"c"', '=cmd|x', ' ', '\ud800']


def test_untrusted_ids_stay_inside_out(tmp_path):
    """Ids from JSONL/CSV and odd file names never become paths, and round-trip in every table."""
    from pipeline.export import excel, report
    folder = tmp_path / 'in'
    rows = [{'id': doc_id, 'text': f'{GOOD2} Материал {number}.'}
            for number, doc_id in enumerate(HOSTILE_IDS)]
    write(folder / 'feed.jsonl', '\n'.join(json.dumps(_) for _ in rows))
    write(folder / 'feed.csv', 'id,text\n"../../csv/evil","Сергей Собянин открыл школу."\n"/etc/passwd",'
                               '"Мэр Москвы Сергей Собянин."\n')
    write(folder / 'x..evil..txt', GOOD)   # (a name starting with `.` is hidden: not read)
    out = tmp_path / 'work' / 'out'
    summary = run([folder], out, progress=False, workers=1)
    report.write(out, out / 'report.html')
    excel.write_xlsx(out, out / 'tables.xlsx')
    outside = sorted(str(_) for _ in tmp_path.rglob('*')
                     if not _.is_relative_to(out) and not _.is_relative_to(folder) and _ != out.parent)
    assert outside == [] and not (tmp_path / 'etc').exists() and not Path('/abs/path').exists()
    frames = load_tables(out)
    docs = frames['documents']
    # ' ' falls back to a hash of the text; '\ud800' becomes U+FFFD (Parquet holds UTF-8 only)
    blank = ingest.text_id('feed', rows[HOSTILE_IDS.index(' ')]['text'])
    expected = {_ for _ in HOSTILE_IDS if _.strip() and _ != '\ud800'} | {blank, '\ufffd'}
    expected |= {'../../csv/evil', '/etc/passwd', 'x..evil.'}
    assert set(docs['doc_id']) == expected and summary.errors == 0
    for doc_id in expected:   # every row of the document carries its id untouched
        mentions = frames['mentions'][frames['mentions']['doc_id'] == doc_id]
        assert len(mentions) and all(_.startswith(doc_id + ':m') for _ in mentions['mention_id'])
    html = (out / 'report.html').read_text(encoding='utf-8')
    assert '<script>alert(1)</script>' not in html
    import pandas as pd

    from pipeline.export.csvtables import write_folder
    write_folder(out, out / 'csv')
    csv = pd.read_csv(out / 'csv' / 'documents.csv', encoding='utf-8-sig', keep_default_na=False)
    # a cell a spreadsheet would run as a formula (`=cmd|x`) starts with an apostrophe (OWASP)
    assert set(csv['doc_id']) == {"'" + _ if _[:1] in ('=', '+', '-', '@', '\t', '\r') else _
                                  for _ in expected}


def slow_stage(doc, res):
    """A stage that hangs on documents saying so (a stand-in for a pathological grammar input)."""
    if 'зависни' in doc.text:
        while True:
            time.sleep(0.01)
    return doc


def test_time_budget_cuts_off_slow_document(tmp_path):
    stages = list(batch.STAGES)
    stages.insert(3, batch.Stage('rules.slow', slow_stage))
    folder = tmp_path / 'in'
    write(folder / 'good.txt', GOOD)
    write(folder / 'hangs.txt', 'Сергей Собянин, зависни.')
    write(folder / 'good2.txt', GOOD2)
    started = time.perf_counter()
    summary = run([folder], tmp_path / 'out', progress=False, workers=1, doc_timeout=1.5, stages=stages)
    assert time.perf_counter() - started < 30
    frames = load_tables(tmp_path / 'out')
    assert set(frames['documents']['doc_id']) == {'good', 'good2'} and summary.errors == 1
    row = frames['errors'].iloc[0]
    assert row.doc_id == 'hangs' and row.stage == 'rules.slow' and 'took too long' in row.message
    assert 'hangs.txt' in row.message and '1.5 s' in row.message
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)   # no alarm left behind


def test_time_budget_in_a_thread(res):
    """Where no alarm can interrupt (Dask worker threads), the budget is checked between stages."""
    import threading

    def slow(doc, res):
        time.sleep(0.3)
        return doc

    stages = (batch.STAGES[0], batch.Stage('rules.slow', slow))
    found = []
    docs = [Document('a', GOOD, 'a.txt'), Document('b', GOOD2, 'b.txt')]
    thread = threading.Thread(
        target=lambda: found.extend(batch.process_many(docs, res, timeout=0.1, stages=stages)))
    thread.start()
    thread.join()
    assert all(isinstance(_, Problem) and 'took too long' in _.message and _.stage == 'rules.slow'
               for _ in found)
    assert batch.process_many(docs, res, timeout=0, stages=stages) == docs   # 0: no limit


def test_lookalike_folding_is_linear():
    """Regression: the first look-alike pattern backtracked over long words (100,000 letters: > 30 s)."""
    from pipeline.stages.segment import fold_lookalikes
    started = time.perf_counter()
    assert fold_lookalikes('ж' * 100_000 + ' Мocква') == 'ж' * 100_000 + ' Москва'
    assert time.perf_counter() - started < 1
    assert fold_lookalikes('Мocква iPhone МГУ-Moscow Пqрот') == 'Москва iPhone МГУ-Moscow Пqрот'


def test_time_budget_in_a_batched_stage(res):
    """A batched stage (NER) over several documents: the slow one is cut off, the others kept."""
    real = next(_ for _ in batch.STAGES if _.name == 'ner').run_many

    def ner_many(docs, res):
        if len(docs) == 1 and 'зависни' in docs[0].text:
            while True:
                time.sleep(0.01)
        if len(docs) > 1 and any('зависни' in _.text for _ in docs):
            time.sleep(5)   # the whole batch runs past the budgets of its documents
        return real(docs, res)

    stages = tuple(dataclasses.replace(_, run=lambda doc, res: ner_many([doc], res)[0], run_many=ner_many)
                   if _.name == 'ner' else _ for _ in batch.STAGES)
    docs = [Document('a', GOOD, 'a.txt'), Document('b', 'Сергей Собянин, зависни.', 'b.txt'),
            Document('c', GOOD2, 'c.txt')]
    found = batch.process_many(docs, res, timeout=1, stages=stages)
    assert isinstance(found[0], Document) and isinstance(found[2], Document)
    assert isinstance(found[1], Problem) and found[1].stage == 'ner' and 'took too long' in found[1].message
    assert any(_.type == 'PER' for _ in found[0].mentions)


@pytest.fixture(scope='module')
def small_out(tmp_path_factory):
    base = tmp_path_factory.mktemp('small')
    write(base / 'in' / 'a.txt', GOOD)
    write(base / 'in' / 'formula.jsonl', json.dumps({'id': '=HYPERLINK("http://x")', 'text': GOOD2,
                                                    'title': '@SUM(1)', 'url': '-2+3'}))
    run([base / 'in'], base / 'out', progress=False, workers=1)
    return base / 'out'


def make_target(tmp_path, kind):
    """A path that an export must not replace: (path, check that it is still what it was)."""
    if kind == 'symlink':
        (tmp_path / 'real.txt').write_text('keep')
        (tmp_path / 'link').symlink_to(tmp_path / 'real.txt')
        link, real = tmp_path / 'link', tmp_path / 'real.txt'
        return link, lambda: link.is_symlink() and real.read_text() == 'keep'
    if kind == 'fifo':
        os.mkfifo(tmp_path / 'fifo')
        return tmp_path / 'fifo', lambda: (tmp_path / 'fifo').is_fifo()
    if kind == 'device':
        return Path('/dev/null'), lambda: Path('/dev/null').is_char_device()
    if kind == 'directory':
        (tmp_path / 'folder').mkdir()
        return tmp_path / 'folder', lambda: (tmp_path / 'folder').is_dir()
    (tmp_path / 'file').write_text('keep')   # 'under a file'
    return tmp_path / 'file' / 'x.out', lambda: (tmp_path / 'file').read_text() == 'keep'


TARGETS = [('symlink', 'symbolic link'), ('fifo', 'FIFO'), ('device', 'device'),
           ('directory', 'directory: give a file name'), ('under a file', 'is a file, not a folder')]


@pytest.mark.parametrize('command', ['report', 'xlsx', 'database'])
@pytest.mark.parametrize('kind, words', TARGETS)
def test_export_refuses_what_is_not_a_regular_file(small_out, tmp_path, capsys, command, kind, words):
    from pipeline.cli import main
    target, unchanged = make_target(tmp_path, kind)
    assert main([command, '--tables', str(small_out), '--out', str(target)]) == 2
    error = capsys.readouterr().err
    assert error.count('\n') == 1 and words in error and 'Traceback' not in error, error
    assert unchanged()


@pytest.mark.parametrize('command', ['report', 'xlsx', 'database'])
@pytest.mark.parametrize('code, words', [(errno.EROFS, 'read-only'), (errno.ENOSPC, 'disk is full')])
def test_export_write_failure_is_one_line(small_out, tmp_path, capsys, monkeypatch, command, code, words):
    from pipeline.cli import main
    from pipeline.export import sql
    from pipeline.store import files

    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    def fail_after_writing(path, write):   # the disk fills up while the file is written
        write(tmp_path / 'scratch')
        fail()

    monkeypatch.setattr(files, 'write_atomic', fail_after_writing)
    monkeypatch.setattr(sql, 'database_tables', fail)
    assert main([command, '--tables', str(small_out), '--out', str(tmp_path / 'x.out')]) == 2
    error = capsys.readouterr().err
    assert error.count('\n') == 1 and words in error and 'x.out' in error, error
    assert not (tmp_path / 'x.out').exists()
    (tmp_path / 'scratch').unlink(missing_ok=True)


@pytest.mark.parametrize('code, words', [(errno.EROFS, 'read-only'), (errno.ENOSPC, 'disk is full')])
def test_run_write_failure_is_one_line(tmp_path, capsys, monkeypatch, code, words):
    import deltalake

    from pipeline.cli import main

    def fail(*args, **kwargs):   # delta-rs raises OSError for the file system's errors
        raise OSError(code, os.strerror(code))

    write(tmp_path / 'in' / 'a.txt', GOOD)
    monkeypatch.setattr(deltalake, 'write_deltalake', fail)
    arguments = ['run', str(tmp_path / 'in'), '--out', str(tmp_path / 'out'), '--workers', '1', '--quiet']
    assert main(arguments) == 2
    error = capsys.readouterr().err
    assert words in error and 'Traceback' not in error, error


def test_run_out_is_a_file(tmp_path, capsys):
    from pipeline.cli import main
    write(tmp_path / 'in' / 'a.txt', GOOD)
    write(tmp_path / 'taken', 'keep')
    for out in (tmp_path / 'taken', tmp_path / 'taken' / 'out'):
        assert main(['run', str(tmp_path / 'in'), '--out', str(out), '--workers', '1']) == 2
        assert 'is a file' in capsys.readouterr().err
    assert (tmp_path / 'taken').read_text() == 'keep'


def test_sql_csv_neutralises_formulas(small_out):
    """`sql --format csv`: cells Excel would run get a leading apostrophe; the tables keep the true text."""
    import io

    from pipeline.export.sql import show
    text = show('SELECT doc_id, title, url, n_chars FROM documents ORDER BY doc_id', small_out, fmt='csv')
    found = pd.read_csv(io.StringIO(text), keep_default_na=False)
    assert found['doc_id'].tolist() == ["'=HYPERLINK(\"http://x\")", 'a']
    assert found['title'].tolist() == ["'@SUM(1)", ''] and found['url'].tolist() == ["'-2+3", '']
    assert (found['n_chars'] > 0).all()   # numbers stay numbers
    assert '=HYPERLINK("http://x")' in set(load_tables(small_out)['documents']['doc_id'])


@pytest.mark.parametrize('value, expected', [
    ('=1+1', "'=1+1"), ('+7 495', "'+7 495"), ('-x', "'-x"), ('@A1', "'@A1"), ('\tx', "'\tx"),
    ('\rx', "'\rx"),
    ('Москва', 'Москва'), ('a=b', 'a=b'), ('', ''), (-5, -5), (None, None)])
def test_csv_cell_neutralised(value, expected):
    from pipeline.export.csvfile import neutralise
    assert neutralise(value) == expected
