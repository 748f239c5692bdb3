"""News as crawlers deliver it (issue 18): article extraction, duplicates, a large WARC.

    python benchmarks/web.py [--articles 2000] [--copies 300] [--store 50000] [--warc-mb 0]

Prints figures (never asserts; timing is not checked by tests):

1. Precision of `mentions` against the article body alone on the built pages
   (tests/webpages.py: three stories on their site and two syndicated copies
   each), with the text of trafilatura (batch/web.py), of readability-lxml, and
   of the old visible-text conversion (ingest.html_text); a mention is right
   when its text occurs in the article's headline and paragraphs, so a name
   from the menu, sidebar or footer is a false positive. Recall: the share of
   the article's names (Story.names) found. Target: precision >= 0.95.
2. Duplicates: a corpus of --articles articles (sentence-aligned pieces of the
   NEREL and factRuEval texts in ../shared; distinct stories, many on the same
   topic), --copies of them syndicated copies with another header and footer
   line and one edited sentence, published later; store/duplicates.py marks
   them batch by batch (128) as a run does. Precision and recall of the
   copies' `duplicate_of`. Target: >= 0.95 each.
3. The cost of duplicate detection when adding 128 articles to a store of
   --store articles: an index of --store signatures written in parts of 128
   (as runs write it), then one batch marked and appended, against the time the
   pipeline's stages take on the same 128 articles (one process). Target: <= 10 %.
4. With --warc-mb N: a WARC of N MB (the built records repeated with new
   URIs) read by ingest (trafilatura included) with the peak RSS of the process.
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / 'shared'

from tests import webpages  # noqa: E402

# --- 1. mentions on the built pages ------------------------------------------------------------------

def built_pages():
    """(story, html, body) of every built page: each story on its site, and its two copies."""
    pages = []
    for story in webpages.STORIES:
        pages.append((story, webpages.news_page(story), webpages.body_text(story)))
        for host, site, before, after in webpages.COPY_SITES:
            paragraphs = (before,) + webpages.edited(story.paragraphs) + (after,)
            html = webpages.news_page(story, host=host, site=site, paragraphs=paragraphs)
            pages.append((story, html, webpages.body_text(story, paragraphs)))
    return pages


def readability_text(html: str) -> str:
    import lxml.html
    from readability import Document as Readable

    found = Readable(html)
    tree = lxml.html.fromstring(found.summary(html_partial=True))
    blocks = [' '.join(_.text_content().split()) for _ in tree.iter('p', 'h1', 'h2', 'li', 'td', 'div')
              if _.text and _.text.strip()]
    return '\n'.join([found.short_title()] + [_ for _ in blocks if _])


def folded(text: str) -> str:
    return text.lower().replace('ё', 'е')


def score_extractors(res) -> None:
    from pipeline.batch import web
    from pipeline.batch.ingest import html_text
    from pipeline.batch.runner import process_text

    extractors = (('trafilatura', lambda html: web.extract(html).text),
                  ('readability-lxml', readability_text),
                  ('visible text', html_text))
    pages = built_pages()
    print(f'1. mentions on {len(pages)} built pages (article body alone is right)')
    print(f'   {"extractor":<17} {"mentions":>8} {"wrong":>6} {"precision":>9} {"names found":>12}')
    for name, extract in extractors:
        total = wrong = names = found = 0
        started = time.perf_counter()
        for story, html, body in pages:
            doc = process_text(extract(html), res=res)
            total += len(doc.mentions)
            wrong += sum(_.text not in body for _ in doc.mentions)
            spans = [folded(_.text) for _ in doc.mentions if _.type in ('PER', 'ORG', 'LOC')]
            names += len(story.names)
            found += sum(any(folded(n) in _ or _ in folded(n) for _ in spans) for n in story.names)
        precision = (total - wrong) / total if total else 0.0
        print(f'   {name:<17} {total:>8} {wrong:>6} {precision:>9.3f} {found:>5}/{names:<6}'
              f' ({time.perf_counter() - started:.1f} s)')


# --- 2. duplicates ---------------------------------------------------------------------------------

HEADERS = ('Источник: пресс-служба правительства области.', 'Фото: открытые источники.',
           'Новость дня.', 'Материал предоставлен партнёрами.', 'Срочно!', 'Как сообщает наш корреспондент.',
           'Перепечатка разрешена со ссылкой на источник.', 'Читайте нас в Дзене.')
FOOTERS = ('Подписывайтесь на наш канал в Telegram.', 'Если вы заметили ошибку, выделите текст и нажмите '
           'Ctrl+Enter.', 'Все новости региона — на нашем сайте.', 'Мнение редакции может не совпадать '
           'с мнением автора.', 'Следите за развитием событий.', 'Реклама. 18+')
SENTENCE = re.compile(r'(?<=[.!?…])\s+(?=[А-ЯЁA-Z«"])')


def held_out(name: str) -> set[str]:
    """Stems of the texts listed in benchmarks/`name`: never read."""
    lines = (ROOT / 'benchmarks' / name).read_text(encoding='utf-8').splitlines()
    return {_.strip() for _ in lines if _.strip() and not _.startswith('#')}


def source_texts() -> list[str]:
    """The NEREL train and factRuEval dev texts, without the held-out ones."""
    found = []
    for folder, holdout in (('nerel-train', 'nerel-holdout.txt'), ('factru-devset', 'factru-holdout.txt')):
        held = held_out(holdout)
        found += [_.read_text(encoding='utf-8') for _ in sorted((SHARED / folder).glob('*.txt'))
                  if _.stem not in held]
    if not found:
        found = [_.read_text(encoding='utf-8') for _ in sorted((ROOT / 'seeds').glob('*.txt'))]
    return found


def articles(size: int, texts: list[str] | None = None) -> list[str]:
    """`size` distinct articles: sentence-aligned pieces of 60 or more words of the source texts."""
    pieces = []
    for text in source_texts() if texts is None else texts:
        piece = []
        for sentence in SENTENCE.split(' '.join(text.split())):
            piece.append(sentence)
            if sum(len(_.split()) for _ in piece) >= 60:
                pieces.append(' '.join(piece))
                piece = []
    pieces = list(dict.fromkeys(pieces))   # a text repeated in the sources counts once
    if len(pieces) < size:
        print(f'   (only {len(pieces)} distinct pieces in the sources; the corpus is smaller)')
    return pieces[:size]


def edit_sentence(text: str, rng: random.Random) -> str:
    """One sentence rewritten: a word dropped, a phrase added and two words swapped."""
    sentences = SENTENCE.split(text)
    number = rng.randrange(len(sentences))
    words = sentences[number].split()
    if len(words) > 4:
        del words[rng.randrange(1, len(words) - 1)]
        first = rng.randrange(len(words) - 1)
        words[first], words[first + 1] = words[first + 1], words[first]
    words.insert(min(2, len(words)), 'по имеющимся данным,')
    sentences[number] = ' '.join(words)
    return ' '.join(sentences)


def duplicate_corpus(size: int, copies: int, seed: int = 18, shuffle: bool = True):
    """(doc_id, published, text) rows and the truth {copy: original}; copies published later, arriving in
    any order (`shuffle`) or in the order of publication."""
    rng = random.Random(seed)
    originals = articles(size - copies)
    rows = [(f'a{n:05d}', f'2024-{1 + n % 12:02d}-{1 + n % 27:02d}', text)
            for n, text in enumerate(originals)]
    truth = {}
    sources = rng.sample(range(len(rows)), min(copies, len(rows)))
    for number, index in enumerate(sources * 2):   # half the stories get two copies
        if len(truth) == copies:
            break
        doc_id, published, text = rows[index]
        copy = f'{rng.choice(HEADERS)}\n{edit_sentence(text, rng)}\n{rng.choice(FOOTERS)}'
        later = published[:8] + f'{min(28, int(published[8:]) + 1 + number % 3):02d}'
        truth[f'c{number:05d}'] = doc_id
        rows.append((f'c{number:05d}', later, copy))
    if shuffle:
        rng.shuffle(rows)   # copies arrive in any order, some before their original
    else:
        rows.sort(key=lambda _: (_[1], _[0]))
    return rows, truth


def frame(rows):
    import pandas as pd

    return pd.DataFrame({'doc_id': [_[0] for _ in rows], 'published': [_[1] for _ in rows],
                         'text': [_[2] for _ in rows],
                         'duplicate_of': pd.array([None] * len(rows), dtype='string')})


def score_duplicates(size: int, copies: int, shuffle: bool) -> None:
    import pandas as pd

    from pipeline.store import duplicates

    rows, truth = duplicate_corpus(size, copies, shuffle=shuffle)
    with tempfile.TemporaryDirectory() as out:
        index = duplicates.Index(out)
        marked = {}
        started = time.perf_counter()
        for first in range(0, len(rows), 128):
            found = index.mark(frame(rows[first:first + 128]))
            marked.update((d, o) for d, o in zip(found['doc_id'], found['duplicate_of']) if not pd.isna(o))
            index.flush()
        seconds = time.perf_counter() - started
        stories = duplicates.stories(out)
    # a copy is right when it points to its original; an original marked as a copy of its own copy (it came
    # later in the shuffled order but is dated earlier) is resolved through the index's stories
    right = sum(stories.get(copy) == original for copy, original in truth.items())
    marked_copies = {_ for _, story in stories.items() if story != _}
    precision = sum(stories[_] == truth.get(_) for _ in marked_copies) / max(1, len(marked_copies))
    recall = right / len(truth) if truth else 0.0
    direct = sum(marked.get(copy) == original for copy, original in truth.items())
    written = sum(marked.get(_) == truth.get(_) for _ in marked) / len(marked) if marked else 0.0
    order = 'in any order' if shuffle else 'in the order of publication'
    print(f'2. duplicates, arriving {order}: {len(rows)} articles, {len(truth)} syndicated copies; '
          f'index stories: {len(marked_copies)} copies, precision {precision:.3f}, recall {recall:.3f}; '
          f'documents.duplicate_of as each batch commits it (the end of a run sets the index stories, '
          f'Index.settle): precision {written:.3f}, '
          f'recall {direct / max(1, len(truth)):.3f}; {seconds:.1f} s')


def time_duplicates(store: int, keep: str | None = None) -> None:
    from pipeline.batch import runner
    from pipeline.batch.resources import shared
    from pipeline.document import Document
    from pipeline.store import duplicates

    # the store holds other stories than the articles added: pieces of the other source texts
    texts = articles(store, source_texts()[:-128])
    if len(texts) < store:   # fewer distinct pieces than the store: shuffled sentences make more
        rng = random.Random(7)
        base = list(texts)
        while len(texts) < store:
            sentences = SENTENCE.split(rng.choice(base)) + SENTENCE.split(rng.choice(base))
            rng.shuffle(sentences)
            texts.append(' '.join(sentences[:12]))
    held = [(f'd{n:06d}', f'2024-{1 + n % 12:02d}-{1 + n % 28:02d}', text) for n, text in enumerate(texts)]
    # the articles added: whole news texts, as a run gets them (the stages' time depends on their length)
    batch = [(f'new{n:03d}', '2024-12-01', text) for n, text in enumerate(source_texts()[-128:])]
    with tempfile.TemporaryDirectory() as temporary:
        out = keep or temporary
        index = duplicates.Index(out)
        started = time.perf_counter()
        for first in range(0, len(held), 128) if index.table('bands') is None else ():   # --keep: built once
            index.mark(frame(held[first:first + 128]))
            index.flush()
        built = time.perf_counter() - started
        started = time.perf_counter()
        duplicates.Index(out).mark(frame(batch))
        marking = time.perf_counter() - started
        index = duplicates.Index(out)
        index.mark(frame(batch))
        started = time.perf_counter()
        index.flush()
        appending = time.perf_counter() - started
        parts = len(index.table('bands').file_uris())
    res = shared()
    runner.process_many([Document('warm', batch[0][2])], res)
    started = time.perf_counter()
    runner.process_chunk([Document(doc_id, text) for doc_id, _, text in batch])
    stages = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:   # the same articles as a run (one worker, this process)
        for doc_id, _, text in batch:
            (Path(folder) / f'{doc_id}.txt').write_text(text, encoding='utf-8')
        started = time.perf_counter()
        runner.run([folder], Path(folder) / 'out', progress=False, workers=1, duplicates=False)
        whole = time.perf_counter() - started
    cost = marking + appending
    average = sum(len(_[2]) for _ in batch) / len(batch)
    print(f'   (the 128 added articles: {average:.0f} characters on average)')
    print(f'3. adding 128 articles to a store of {store:,} ({parts} index parts, built in {built:.0f} s): '
          f'duplicate detection {cost:.2f} s (marking {marking:.2f}, appending {appending:.2f}); '
          f'the stages alone on the same 128 in one process {stages:.1f} s: +{100 * cost / stages:.1f} %; '
          f'a run of them into a new store without detection (models loaded) {whole:.1f} s: '
          f'+{100 * cost / whole:.1f} %')


# --- 4. a large WARC ---------------------------------------------------------------------------------

def large_warc(megabytes: int) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    from pipeline.batch import ingest

    records = [_ for _ in webpages.crawl_records() if _[1].startswith('200')]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / 'big.warc.gz'
        with path.open('wb') as stream:
            writer = WARCWriter(stream, gzip=True)
            number = 0
            while stream.tell() < megabytes * 1_000_000:
                for uri, status, headers, body in records:
                    number += 1
                    http = StatusAndHeaders(status, headers, protocol='HTTP/1.1')
                    writer.write_record(writer.create_warc_record(
                        f'{uri}?copy={number}', 'response', payload=__import__('io').BytesIO(body),
                        http_headers=http))
        size = path.stat().st_size
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.perf_counter()
        documents = sum(1 for _ in ingest.read_inputs([path]) if hasattr(_, 'text'))
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f'4. WARC of {size / 1e6:.0f} MB: {documents:,} documents read in {seconds:.0f} s; '
          f'peak RSS of this process {peak:.0f} MB (before reading: {before:.0f} MB)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--articles', type=int, default=2000)
    parser.add_argument('--copies', type=int, default=300)
    parser.add_argument('--store', type=int, default=50000, help='articles in the store of part 3 (0: skip)')
    parser.add_argument('--warc-mb', type=int, default=0, help='size of the WARC of part 4 (0: skip)')
    parser.add_argument('--skip-pages', action='store_true')
    parser.add_argument('--keep', metavar='DIR', help='part 3: build the index of the store in DIR once, '
                                                      'and reuse it in later runs')
    args = parser.parse_args()
    if args.warc_mb:   # first: the peak RSS of the process is not yet raised by the models
        large_warc(args.warc_mb)
    if not args.skip_pages:
        from pipeline.batch.resources import shared
        score_extractors(shared())
    for shuffle in (False, True) if args.articles else ():
        score_duplicates(args.articles, args.copies, shuffle)
    if args.store:
        time_duplicates(args.store, args.keep)


if __name__ == '__main__':
    main()
