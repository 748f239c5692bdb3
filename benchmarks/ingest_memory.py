"""Peak memory of the main process over a large JSONL collection: streamed, not read whole.

    python benchmarks/ingest_memory.py [--articles 5000] [--chars 10000] [--workers 2] [--ingest-only]

Writes a JSONL of `--articles` news-like articles of about `--chars`
characters each (5,000 x 5,500: about 50 MB of UTF-8 Cyrillic) to a
temporary folder, then runs the pipeline on it (`run`, `--workers` worker
processes: the models live there, not in the main process) and prints the
main process's peak RSS (`ru_maxrss`), the seconds, and the documents
written; `--ingest-only` reads the collection through `ingest.read_inputs`
alone. Figures, not asserts (the target is a peak under 400 MB).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SENTENCES = ['Мэр Москвы Сергей Собянин открыл новую станцию метро «Лужники».',
             'Губернатор Тюменской области Александр Моор посетил технопарк в Тюмени 23 августа 2024 года.',
             'ПАО «Сбербанк» выделило 12,5 млрд рублей на строительство дорог.',
             'В сентябре на заводе работали 1200 человек, сообщила пресс-служба компании.']


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024   # Linux: kilobytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--articles', type=int, default=5_000)
    parser.add_argument('--chars', type=int, default=5_500)
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument('--ingest-only', action='store_true')
    args = parser.parse_args()
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
