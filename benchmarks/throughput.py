"""Throughput of our pipeline against the plain natasha baseline, in one run.

    python benchmarks/throughput.py [--docs 600] [--repeat-source factru|seeds]

Builds a corpus of several hundred articles (the factRuEval dev texts from
../shared, repeated; the seeds when ../shared is absent), then times, in
this one process and on the same texts:

- natasha segment + NER (the baseline the targets refer to),
- natasha segment + NER + morph tagger + its own span normalisation,
- our full pipeline (every stage in `pipeline.batch.runner.STAGES`, over chunks of
  `batch.CHUNK_SIZE` documents as a run's worker does, one BLAS thread like a worker),
- our names stages alone (no date/number/money grammars),
- our date/number/money rule stages alone (with segmentation),

each with and without start-up (model loading), and prints documents/s,
characters/s and the ratio of ours to the baseline. Figures, not asserts:
timing is never checked by tests.
"""

from __future__ import annotations

import argparse
import gc
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FACTRU = ROOT.parent / 'shared' / 'factru-devset'


def corpus(size: int, source: str) -> list[str]:
    folder = FACTRU if source == 'factru' and FACTRU.is_dir() else ROOT / 'seeds'
    texts = [_.read_text(encoding='utf-8') for _ in sorted(folder.glob('*.txt'))]
    return [texts[_ % len(texts)] for _ in range(size)], folder


def time_natasha(texts, normalise: bool):
    started = time.perf_counter()
    from natasha import Doc, MorphVocab, NewsEmbedding, NewsMorphTagger, NewsNERTagger, Segmenter
    emb = NewsEmbedding()
    segmenter, tagger = Segmenter(), NewsNERTagger(emb)
    if normalise:
        morph_tagger, vocab = NewsMorphTagger(emb), MorphVocab()
    loaded = time.perf_counter()
    for text in texts:
        doc = Doc(text)
        doc.segment(segmenter)
        doc.tag_ner(tagger)
        if normalise:
            doc.tag_morph(morph_tagger)
            for span in doc.spans:
                span.normalize(vocab)
    done = time.perf_counter()
    return done - started, done - loaded


def time_ours(texts, stages=None, chunk=None):
    """Our stages over chunks of `chunk` documents (default: a run's), as a run's worker does (process_many)."""
    started = time.perf_counter()
    from pipeline.batch import runner as batch
    from pipeline.document import Document
    from pipeline.batch.resources import Resources
    res = Resources()
    res.ner  # load models before the clock for "without start-up"
    chunk = chunk or batch.CHUNK_SIZE
    # warm the rule grammars on one text so compile time counts as start-up
    batch.process_many([Document('warm', texts[0])], res, stages=stages)
    loaded = time.perf_counter()
    for first in range(0, len(texts), chunk):
        batch.process_many([Document(str(first + number), text)
                            for number, text in enumerate(texts[first:first + chunk])], res, stages=stages)
    done = time.perf_counter()
    return done - started, done - loaded


def main():
    from threadpoolctl import threadpool_limits
    threadpool_limits(1)     # as in a run's worker processes (pipeline.batch.engines)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--docs', type=int, default=600, help='articles in the corpus (default 600)')
    parser.add_argument('--source', choices=['factru', 'seeds'], default='factru')
    args = parser.parse_args()
    texts, folder = corpus(args.docs, args.source)
    chars = sum(map(len, texts))
    print(f'corpus: {len(texts)} articles, {chars:,} characters, from {folder}')

    from pipeline.batch import runner as batch
    value_rules = ('rules.published', 'rules.dates', 'rules.money', 'rules.numbers')
    rule_stages = tuple(_ for _ in batch.STAGES if _.name == 'segment' or _.name in value_rules)
    name_stages = tuple(_ for _ in batch.STAGES if _.name not in value_rules)
    runs = {}
    for name, call in (
        ('natasha segment+NER', lambda: time_natasha(texts, normalise=False)),
        ('natasha segment+NER+morph+normalise', lambda: time_natasha(texts, normalise=True)),
        ('ours: full pipeline', lambda: time_ours(texts)),
        ('ours: names stages (no dates/numbers)', lambda: time_ours(texts, name_stages)),
        ('ours: segment + date/number rules', lambda: time_ours(texts, rule_stages)),
    ):
        gc.collect()
        runs[name] = call()

    base_total, base_work = runs['natasha segment+NER']
    print(f'{"system":40} {"docs/s":>9} {"k chars/s":>10} {"ratio":>7}   '
          f'{"docs/s*":>9} {"ratio*":>7}   (* = with start-up)')
    for name, (total, work) in runs.items():
        print(f'{name:40} {len(texts) / work:9.1f} {chars / work / 1000:10.1f} {base_work / work:7.2f}   '
              f'{len(texts) / total:9.1f} {base_total / total:7.2f}')
    print('ratio = throughput relative to natasha segment+NER (target: full pipeline >= 0.6, names >= 0.7)')


if __name__ == '__main__':
    main()
