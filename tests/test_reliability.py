"""Reliability: every kind of bad input meets a clear error, and nothing is lost.

One batch holds good articles beside every kind of bad input; each input is
either processed with the right text, or an `errors` row names the file and
says why, and the good articles come out intact. The README table
("Bad inputs") lists each case with the test that proves it.
"""

import json
import os
import signal
import time
from pathlib import Path

import pytest

from pipeline.batch import runner as batch, ingest
from pipeline.store import rows as tables
from pipeline.batch.runner import run
from pipeline.document import Document, Problem
from pipeline.store.rows import load_tables

GOOD = 'Губернатор Тюменской области Александр Моор посетил технопарк "Кванториум" в Тюмени.'
GOOD2 = 'Мэр Москвы Сергей Собянин открыл новую станцию метро.'
HTML = ('<!DOCTYPE html><html><head><title>Новости</title><style>p {color: red}</style>'
        '<script>var x = "<p>не текст</p>";</script></head><body>'
        '<p>Мэр Москвы Сергей Собянин открыл станцию &laquo;Лужники&raquo;.</p>'
        '<div>Губернатор Александр Моор посетил Тюмень.</div></body></html>')
HTML_TEXT = 'Новости\n\nМэр Москвы Сергей Собянин открыл станцию «Лужники».\n\nГубернатор Александр Моор посетил Тюмень.'
LOOKALIKE = 'Мэр Мocквы Сергей Собянин открыл новую станцию метро.'   # Latin "o" in Мocквы
CONTROL = 'Мэр Москвы\u200b Сергей\u00ad Собянин\x07 открыл\u200d новую\ufeff станцию\x1b метро.'
QUOTES = 'Компания «Ромашка (ООО "Лютик заявила, что [Сергей Собянин открыл «метро.\n)) »» "" ]'
LATIN = 'The quick brown fox jumps over the lazy dog. Apple Inc. paid $5 million on 1 May 2024.'
LONG_TOKEN = GOOD + '\n' + 'ж' * 100_000 + '\n' + GOOD2


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
                         (GOOD.encode()[:30] + b'\xc3\x28\xff' + GOOD.encode()[30:]).decode('utf-8', 'replace'))),
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
    'too_many_chars.txt': (('а ' * (ingest.MAX_CHARS // 2 + 1)).encode(), ('error', 'is too long')),
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

    real_read = Path.read_bytes

    def read_bytes(path):   # root ignores file modes: refuse the locked file as the OS would
        if path.name == 'locked.txt':
            raise PermissionError(13, 'Permission denied', str(path))
        return real_read(path)

    patch = pytest.MonkeyPatch()
    patch.setattr(ingest, 'list_files', list_then_break)
    patch.setattr(Path, 'read_bytes', read_bytes)
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
    doc_id = Path(name).stem
    errors = rows_of(frames, name)
    if expected[0] == 'error':
        assert doc_id not in docs.index
        assert len(errors) == 1, errors
        row = errors.iloc[0]
        assert row.level == 'error' and expected[1] in row.message and name in row.message
        return
    assert docs.loc[doc_id, 'text'] == expected[-1]
    if expected[0] == 'warning':
        assert len(errors) == 1 and errors.iloc[0].level == 'warning' and expected[1] in errors.iloc[0].message
    else:
        assert errors.empty, errors
    mentions = frames['mentions'][frames['mentions']['doc_id'] == doc_id]
    text = docs.loc[doc_id, 'text']
    for mention in mentions.itertuples():   # offsets refer to the stored (decoded, extracted) text
        assert text[mention.start:mention.stop] == mention.text


def test_html_offsets_into_extracted_text(catalogue):
    _, frames = catalogue
    mentions = frames['mentions'].query("doc_id == 'page'")
    assert {'Сергей Собянин', 'Александр Моор'} <= set(mentions.query("type == 'PER'")['normal'])
    assert '<' not in frames['documents'].set_index('doc_id').loc['page', 'text']


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


@pytest.mark.parametrize('name, reason', [('vanishes.txt', 'does not exist'), ('locked.txt', 'permission denied')])
def test_file_lost_during_run(catalogue, name, reason):
    _, frames = catalogue
    errors = rows_of(frames, name)
    assert len(errors) == 1 and reason in errors.iloc[0].message and errors.iloc[0].level == 'error'


def test_catalogue_counts(catalogue):
    summary, frames = catalogue
    failed = sum(_[1][0] == 'error' for _ in CATALOGUE.values()) + 2 + 2   # + lost files, + duplicate ids
    assert summary.errors == failed
    assert (frames['errors']['level'] == 'error').sum() == failed
    for doc in frames['documents'].itertuples():
        assert tables.sha256(doc.text) == doc.sha256


@pytest.mark.slow
def test_ten_megabyte_single_line(tmp_path):
    line = ' '.join(['Мэр Москвы Сергей Собянин открыл новую станцию метро, сказал он.'] * 160_000)[:10_000_000]
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
    rows = [{'id': doc_id, 'text': f'{GOOD2} Материал {number}.'} for number, doc_id in enumerate(HOSTILE_IDS)]
    write(folder / 'feed.jsonl', '\n'.join(json.dumps(_) for _ in rows))
    write(folder / 'feed.csv', 'id,text\n"../../csv/evil","Сергей Собянин открыл школу."\n"/etc/passwd",'
                               '"Мэр Москвы Сергей Собянин."\n')
    write(folder / '..evil..txt', GOOD)
    out = tmp_path / 'work' / 'out'
    summary = run([folder], out, progress=False, workers=1)
    report.write(out, out / 'report.html')
    excel.write_xlsx(out, out / 'tables.xlsx')
    outside = sorted(str(_) for _ in tmp_path.rglob('*') if not _.is_relative_to(out) and not _.is_relative_to(folder)
                     and _ != out.parent)
    assert outside == [] and not (tmp_path / 'etc').exists() and not Path('/abs/path').exists()
    frames = load_tables(out)
    docs = frames['documents']
    # ' ' falls back to the line id; '\ud800' becomes U+FFFD (Parquet holds UTF-8 only)
    expected = {_ for _ in HOSTILE_IDS if _.strip() and _ != '\ud800'} | {'feed:11', '\ufffd'}
    expected |= {'../../csv/evil', '/etc/passwd', '..evil.'}
    assert set(docs['doc_id']) == expected and summary.errors == 0
    for doc_id in expected:   # every row of the document carries its id untouched
        mentions = frames['mentions'][frames['mentions']['doc_id'] == doc_id]
        assert len(mentions) and all(_.startswith(doc_id + ':m') for _ in mentions['mention_id'])
    html = (out / 'report.html').read_text(encoding='utf-8')
    assert '<script>alert(1)</script>' not in html
    import pandas as pd
    csv = pd.read_csv(out / 'documents.csv', encoding='utf-8-sig', keep_default_na=False)
    assert set(csv['doc_id']) == expected


def slow_stage(doc, res):
    """A stage that hangs on documents saying so (a stand-in for a pathological grammar input)."""
    if 'зависни' in doc.text:
        while True:
            time.sleep(0.01)
    return doc


def test_time_budget_cuts_off_slow_document(tmp_path, monkeypatch):
    stages = list(batch.STAGES)
    stages.insert(3, ('rules.slow', slow_stage))
    monkeypatch.setattr(batch, 'STAGES', tuple(stages))
    # run() sets both for the process and later workers: restored after the test, or the 1.5 s budget
    # stays for the rest of the session (a loaded machine then times out test_scale's Dask run)
    monkeypatch.setattr(batch, 'DOC_TIMEOUT', batch.DOC_TIMEOUT)
    monkeypatch.setenv('PIPELINE_DOC_TIMEOUT', str(batch.DOC_TIMEOUT))
    folder = tmp_path / 'in'
    write(folder / 'good.txt', GOOD)
    write(folder / 'hangs.txt', 'Сергей Собянин, зависни.')
    write(folder / 'good2.txt', GOOD2)
    started = time.perf_counter()
    summary = run([folder], tmp_path / 'out', progress=False, workers=1, doc_timeout=1.5)
    assert time.perf_counter() - started < 30
    frames = load_tables(tmp_path / 'out')
    assert set(frames['documents']['doc_id']) == {'good', 'good2'} and summary.errors == 1
    row = frames['errors'].iloc[0]
    assert row.doc_id == 'hangs' and row.stage == 'rules.slow' and 'took too long' in row.message
    assert 'hangs.txt' in row.message and '1.5 s' in row.message
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)   # no alarm left behind


def test_time_budget_in_a_thread(res, monkeypatch):
    """Where no alarm can interrupt (Dask worker threads), the budget is checked between stages."""
    import threading

    def slow(doc, res):
        time.sleep(0.3)
        return doc

    monkeypatch.setattr(batch, 'STAGES', (('segment', batch.segment.run), ('rules.slow', slow)))
    found = []
    docs = [Document('a', GOOD, 'a.txt'), Document('b', GOOD2, 'b.txt')]
    thread = threading.Thread(target=lambda: found.extend(batch.process_many(docs, res, timeout=0.1)))
    thread.start()
    thread.join()
    assert all(isinstance(_, Problem) and 'took too long' in _.message and _.stage == 'rules.slow' for _ in found)
    assert batch.process_many(docs, res, timeout=0) == docs   # 0: no limit


def test_lookalike_folding_is_linear():
    """Regression: the first look-alike pattern backtracked over long words (100,000 letters: > 30 s)."""
    from pipeline.stages.segment import fold_lookalikes
    started = time.perf_counter()
    assert fold_lookalikes('ж' * 100_000 + ' Мocква') == 'ж' * 100_000 + ' Москва'
    assert time.perf_counter() - started < 1
    assert fold_lookalikes('Мocква iPhone МГУ-Moscow Пqрот') == 'Москва iPhone МГУ-Moscow Пqрот'


def test_time_budget_in_a_batched_stage(res, monkeypatch):
    """A batched stage (NER) over several documents: the slow one is cut off, the others kept."""
    real = batch.BATCHED['ner']

    def ner_many(docs, res):
        if len(docs) == 1 and 'зависни' in docs[0].text:
            while True:
                time.sleep(0.01)
        if len(docs) > 1 and any('зависни' in _.text for _ in docs):
            time.sleep(5)   # the whole batch runs past the budgets of its documents
        return real(docs, res)

    monkeypatch.setattr(batch, 'BATCHED', {'ner': ner_many})
    monkeypatch.setattr(batch.ner, 'run', lambda doc, res: ner_many([doc], res)[0])
    stages = tuple(('ner', batch.ner.run) if name == 'ner' else (name, stage) for name, stage in batch.STAGES)
    monkeypatch.setattr(batch, 'STAGES', stages)
    docs = [Document('a', GOOD, 'a.txt'), Document('b', 'Сергей Собянин, зависни.', 'b.txt'),
            Document('c', GOOD2, 'c.txt')]
    found = batch.process_many(docs, res, timeout=1)
    assert isinstance(found[0], Document) and isinstance(found[2], Document)
    assert isinstance(found[1], Problem) and found[1].stage == 'ner' and 'took too long' in found[1].message
    assert any(_.type == 'PER' for _ in found[0].mentions)
