"""Peak memory of the main process over a large JSONL collection or WARC archive: streamed, not read whole.

    python benchmarks/ingest_memory.py [--articles 5000] [--chars 10000] [--workers 2] [--ingest-only]
    python benchmarks/ingest_memory.py --warc-mb 5,20,50 [--workers 2] [--work DIR]

Writes a JSONL of `--articles` news-like articles of about `--chars`
characters each (5,000 x 5,500: about 50 MB of UTF-8 Cyrillic) to a
temporary folder, then runs the pipeline on it (`run`, `--workers` worker
processes: the models live there, not in the main process) and prints the
main process's peak RSS (`ru_maxrss`), the seconds, and the documents
written; `--ingest-only` reads the collection through `ingest.read_inputs`
alone. Figures, not asserts (the target is a peak under 400 MB).

`--warc-mb SIZES`: for each size, a `.warc.gz` of about that many MB built the
same way (tests/webpages.py's news pages with menu, sidebar and footer, each
with its request record; every 50th article also an image and a redirect),
each article a distinct text of three sentence-aligned pieces of the
factRuEval dev and NEREL train texts (the held-out ones left out), so that
syndicated-copy detection meets a crawl, not one page a hundred thousand times.
Each archive is then processed whole, stages included, as a user would:
`python -m pipeline run WARC --out DIR --workers W` in a subprocess, whose
resident memory (psutil) is sampled every 50 ms; printed: documents, seconds,
the main process's peak RSS and when it was reached, and its peak before the
last chunk was committed. A smaller archive shows the trend of a larger one:
the archives are the same records, more of them.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
MB = 1024 * 1024

SENTENCES = ['Мэр Москвы Сергей Собянин открыл новую станцию метро «Лужники».',
             'Губернатор Тюменской области Александр Моор посетил технопарк в Тюмени 23 августа 2024 года.',
             'ПАО «Сбербанк» выделило 12,5 млрд рублей на строительство дорог.',
             'В сентябре на заводе работали 1200 человек, сообщила пресс-служба компании.']


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024   # Linux: kilobytes


def dev_texts() -> list[str]:
    """The factRuEval dev and NEREL train texts, without the held-out ones (never read)."""
    from web import source_texts
    return source_texts()


def pieces(texts: list[str], words: int = 40) -> list[str]:
    """Sentence-aligned pieces of about `words` words, each once."""
    import re
    sentence = re.compile(r'(?<=[.!?…])\s+(?=[А-ЯЁA-Z«"])')
    found, piece = [], []
    for text in texts:
        for part in sentence.split(' '.join(text.split())):
            piece.append(part)
            if sum(len(_.split()) for _ in piece) >= words:
                found.append(' '.join(piece))
                piece = []
    return list(dict.fromkeys(found))


def build_warc(path: Path, megabytes: int) -> int:
    """A crawl of about `megabytes` MB (gzip) of distinct news pages; returns the articles in it."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    from tests import webpages
    rng = random.Random(megabytes)
    pool = pieces(dev_texts())
    articles = 0
    with path.open('wb') as stream:
        writer = WARCWriter(stream, gzip=True)
        writer.write_record(writer.create_warcinfo_record(path.name, {'software': 'ingest_memory.py'}))
        while stream.tell() < megabytes * 1_000_000:
            articles += 1
            model = webpages.STORIES[articles % len(webpages.STORIES)]
            paragraphs = tuple(rng.sample(pool, 3))
            story = webpages.Story(
                slug=f'n{articles:07d}', title=paragraphs[0].split('. ')[0][:120], paragraphs=paragraphs,
                published=f'2024-{1 + articles % 12:02d}-{1 + articles % 28:02d}', author=model.author,
                names=(), sidebar=model.sidebar, boilerplate=())
            body = webpages.news_page(story).encode('utf-8')
            records = [(webpages.url_of(story), '200 OK',
                        webpages.http_response(body, 'text/html; charset=utf-8'), body)]
            if articles % 50 == 0:
                moved = webpages.http_response(b'', 'text/html', extra=[('Location', records[0][0])])
                records += [(f'https://vestnik-sever.ru/img/{articles}.png', '200 OK',
                             webpages.http_response(webpages.PNG, 'image/png'), webpages.PNG),
                            (f'https://vestnik-sever.ru/old/{articles}', '301 Moved Permanently', moved, b'')]
            for uri, status, headers, payload in records:
                writer.write_record(writer.create_warc_record(
                    uri, 'request', http_headers=StatusAndHeaders(f'GET {uri} HTTP/1.1', [('Host', 'x')],
                                                                  is_http_request=True)))
                writer.write_record(writer.create_warc_record(
                    uri, 'response', payload=io.BytesIO(payload),
                    http_headers=StatusAndHeaders(status, headers, protocol='HTTP/1.1')))
    return articles


def run_whole(warc: Path, out: Path, workers: int) -> dict:
    """`python -m pipeline run WARC` in a subprocess: its wall time, summary line and the main process's
    resident memory (sampled every 50 ms): the peak, when it was reached, and the peak until the last
    chunk was committed (the `documents` table's last commit)."""
    import psutil
    command = [sys.executable, '-m', 'pipeline', 'run', str(warc), '--out', str(out), '--quiet',
               '--workers', str(workers)]
    samples, done = [], threading.Event()
    started, clock = time.perf_counter(), time.time()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def sample():
        watched = psutil.Process(process.pid)
        while not done.is_set():
            try:
                samples.append((time.perf_counter() - started, watched.memory_info().rss / MB))
            except psutil.Error:
                return
            time.sleep(0.05)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = process.communicate()
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f'run failed:\n{stderr[-3000:]}')
    log = sorted((out / 'documents' / '_delta_log').glob('*.json'))
    last_commit = log[-1].stat().st_mtime - clock if log else wall
    at, peak = max(samples, key=lambda _: _[1])
    before = max((rss for t, rss in samples if t <= last_commit), default=0.0)
    return dict(wall=wall, peak=peak, at=at, before=before, last_commit=last_commit,
                line=stdout.strip().splitlines()[-1])


def warc_runs(sizes: list[int], workers: int, work: Path) -> None:
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    for megabytes in sizes:
        warc = work / f'crawl-{megabytes}mb.warc.gz'
        if not warc.exists():
            started = time.perf_counter()
            articles = build_warc(warc.with_suffix('.part'), megabytes)
            warc.with_suffix('.part').rename(warc)
            print(f'built {warc} ({articles:,} articles, {time.perf_counter() - started:.0f} s)', flush=True)
        out = work / f'out-{megabytes}mb'
        import shutil
        shutil.rmtree(out, ignore_errors=True)
        found = run_whole(warc, out, workers)
        shutil.rmtree(out, ignore_errors=True)
        size = warc.stat().st_size / 1e6
        rows.append((size, found))
        print(f'{size:.0f} MB WARC, whole run with {workers} workers: {found["wall"]:.0f} s; main process '
              f'peak RSS {found["peak"]:.0f} MB at {found["at"]:.0f} s (last chunk committed at '
              f'{found["last_commit"]:.0f} s; peak until then {found["before"]:.0f} MB)   ({found["line"]})',
              flush=True)
    print('\n| WARC | documents/s | wall | main peak RSS | reached at | peak until the last commit |')
    print('|---|---|---|---|---|---|')
    for size, found in rows:
        rate = found['line'].split(' documents/s')[0].rsplit(' ', 1)[-1]
        print(f'| {size:.0f} MB | {rate} | {found["wall"]:.0f} s | {found["peak"]:.0f} MB | '
              f'{found["at"]:.0f} s | {found["before"]:.0f} MB |')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--articles', type=int, default=5_000)
    parser.add_argument('--chars', type=int, default=5_500)
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument('--ingest-only', action='store_true')
    parser.add_argument('--warc-mb', metavar='SIZES',
                        help='WARC archives of these sizes in MB (comma-separated), each run whole')
    parser.add_argument('--work', default='/tmp/ingest-memory',
                        help='--warc-mb: where the archives are built (and kept) and the runs write')
    args = parser.parse_args()
    if args.warc_mb:
        warc_runs([int(_) for _ in args.warc_mb.split(',')], args.workers, Path(args.work))
        return
    rng = random.Random(0)
    with tempfile.TemporaryDirectory() as folder:
        feed = Path(folder) / 'in' / 'feed.jsonl'
        feed.parent.mkdir()
        with open(feed, 'w', encoding='utf-8') as handle:
            for number in range(args.articles):
                text, parts = 0, []
                while text < args.chars:
                    parts.append(rng.choice(SENTENCES))
                    text += len(parts[-1]) + 1
                handle.write(json.dumps({'id': f'a{number}', 'text': ' '.join(parts)}, ensure_ascii=False)
                             + '\n')
        size = feed.stat().st_size
        before = peak_mb()
        started = time.perf_counter()
        if args.ingest_only:
            from pipeline.batch import ingest
            found = sum(1 for _ in ingest.read_inputs([feed.parent]))
        else:
            from pipeline.batch.runner import run
            found = run([feed.parent], Path(folder) / 'out', progress=False, workers=args.workers).documents
        seconds = time.perf_counter() - started
    print(f'{args.articles:,} articles, {size / 1e6:.1f} MB JSONL: {found:,} documents in {seconds:.1f} s; '
          f'main process peak RSS {peak_mb():.0f} MB ({before:.0f} MB before reading)')


if __name__ == '__main__':
    main()
