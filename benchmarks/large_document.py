"""One very large article with very many mentions: seconds per stage, to find what grows faster than linearly.

    python benchmarks/large_document.py [--lines 4000] [--seed 0]

Builds an article of `--lines` news-like sentences naming a few people,
organisations and places again and again (4,000 lines: about 290,000
characters and 20,000 mentions, a hundred times a long news article) and runs
every stage on it in this process, printing each stage's seconds and the
mentions so far. The per-document time budget (30 s by default) is what
protects a batch from such a document; this shows how far below it we are.
Figures, not asserts.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.batch import runner as batch  # noqa: E402
from pipeline.batch.resources import shared  # noqa: E402
from pipeline.document import Document  # noqa: E402

NAMES = ['Иван Петров', 'Петров', 'Сергей Иванов', 'Иванов', 'Мария Сидорова', 'Сидорова', 'Москва',
         'ООО «Ромашка»', 'Газпром', 'Анна Смирнова']
PLACES = ['Москве', 'Казани', 'Твери']


def article(lines: int, seed: int) -> str:
    rng = random.Random(seed)
    return '\n'.join(f'{rng.choice(NAMES)} и {rng.choice(NAMES)} встретились в {rng.choice(PLACES)} '
                     f'{number % 28 + 1} марта, заявил {rng.choice(NAMES)}.' for number in range(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--lines', type=int, default=4000)
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()
    res = shared()
    batch.process(Document(doc_id='warm', text='Иван Петров приехал в Москву 5 марта.', source='-'), res)
    doc = Document(doc_id='large', text=article(args.lines, args.seed), source='-')
    print(f'{len(doc.text):,} characters, {args.lines:,} lines')
    total = time.perf_counter()
    for stage in batch.STAGES:
        started = time.perf_counter()
        doc = stage.run(doc, res)
        print(f'{stage.name:16s} {time.perf_counter() - started:6.2f} s   mentions {len(doc.mentions):,}')
    print(f'{"all stages":16s} {time.perf_counter() - total:6.2f} s   entities {len(doc.entities):,}')


if __name__ == '__main__':
    main()
