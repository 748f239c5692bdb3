"""`resolve` on many mentions: seconds for the binary-search overlap check and for the former scan.

    python benchmarks/resolve_overlap.py [--mentions 20000]

Builds `--mentions` short overlapping mentions of three types (a tagger and a
grammar finding much the same spans) and runs `stages.resolve.run`, then the
former check (every mention against every kept span of its type, as in
tests/test_properties.py), and prints both times and whether they kept the
same mentions. Figures, not asserts.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.document import Document, Mention  # noqa: E402
from pipeline.stages import resolve  # noqa: E402
from tests.test_properties import resolve_by_scan  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--mentions', type=int, default=20_000)
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    length = args.mentions * 6
    mentions = []
    for _ in range(args.mentions):
        start = rng.randrange(length - 20)
        stop = start + rng.randint(2, 15)
        mentions.append(Mention(start, stop, rng.choice(['PER', 'LOC', 'ORG']), 'x' * (stop - start),
                                source=rng.choice(['ner', 'rule:orgs', 'rule:persons'])))
    doc = Document(doc_id='big', text='x' * length, source='big.txt')
    doc.mentions = list(mentions)
    started = time.perf_counter()
    kept = resolve.run(doc).mentions
    fast = time.perf_counter() - started
    started = time.perf_counter()
    scanned = resolve_by_scan(mentions)
    slow = time.perf_counter() - started
    print(f'{args.mentions:,} mentions, {len(kept):,} kept: resolve {fast:.3f} s, former scan {slow:.3f} s, '
          f'same result: {kept == scanned}')


if __name__ == '__main__':
    main()
