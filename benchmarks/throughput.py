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

`--repeat N` runs the whole list N times in turn (so natasha and ours see
the same load) and prints medians. Beside wall-clock figures it prints
documents per CPU-second of this process, which hold on a busy machine when
wall-clock figures do not, and each stage's share of the full pipeline's CPU
time (the language detection and the chunk's tables and schema checks included, as a worker
does them).
One BLAS thread, set before numpy is imported: `threadpool_limits` before
numpy is loaded limits nothing, and natasha then ran with every core's BLAS
thread, several times slower on a loaded machine.
"""

from __future__ import annotations

import os

for _ in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ.setdefault(_, '1')   # before numpy is imported: one core, as in a run's worker processes

import argparse
import gc
import statistics
import time
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FACTRU = ROOT.parent / 'shared' / 'factru-devset'


def corpus(size: int, source: str) -> list[str]:
    folder = FACTRU if source == 'factru' and FACTRU.is_dir() else ROOT / 'seeds'
    texts = [_.read_text(encoding='utf-8') for _ in sorted(folder.glob('*.txt'))]
    return [texts[_ % len(texts)] for _ in range(size)], folder


def time_natasha(texts, normalise: bool):
    """(seconds with start-up, without, CPU seconds without) of natasha over `texts`."""
    started = time.perf_counter()
    from natasha import Doc, MorphVocab, NewsEmbedding, NewsMorphTagger, NewsNERTagger, Segmenter
    emb = NewsEmbedding()
    segmenter, tagger = Segmenter(), NewsNERTagger(emb)
    if normalise:
        morph_tagger, vocab = NewsMorphTagger(emb), MorphVocab()
    loaded, cpu = time.perf_counter(), time.process_time()
    for text in texts:
        doc = Doc(text)
        doc.segment(segmenter)
        doc.tag_ner(tagger)
        if normalise:
            doc.tag_morph(morph_tagger)
            for span in doc.spans:
                span.normalize(vocab)
    done = time.perf_counter()
    return done - started, done - loaded, time.process_time() - cpu


def time_ours(texts, stages=None, chunk=None, shares: dict | None = None):
    """Our stages over chunks of `chunk` documents (default: a run's), as a run's worker does.

    With `shares`, the chunk's tables are built and checked too (`process_chunk`, the full work of a
    worker) and each stage's CPU seconds are added to `shares`. Returns (seconds with start-up,
    without, CPU seconds without)."""
    started = time.perf_counter()
    from pipeline.batch import runner as batch
    from pipeline.batch.resources import Resources, shared
    from pipeline.document import Document
    res = shared() if shares is not None else Resources()
    _ = res.ner  # load models before the clock for "without start-up"
    chunk = chunk or batch.CHUNK_SIZE
    # warm the rule grammars on one text so compile time counts as start-up
    batch.process_many([Document('warm', texts[0])], res, stages=stages)
    spent: dict[str, float] = {}    # this call's CPU seconds per stage, the warm-up left out
    if shares is not None:
        pipeline = batch.Pipeline(tuple(timed(_, spent) for _ in batch.as_pipeline(stages)))
        batch.process_chunk([Document('warm', texts[0])], stages=pipeline)   # schemas built once
        spent.clear()
    loaded, cpu = time.perf_counter(), time.process_time()
    with timed_language(spent if shares is not None else None):
        for first in range(0, len(texts), chunk):
            docs = [Document(str(first + number), text)
                    for number, text in enumerate(texts[first:first + chunk])]
            if shares is None:
                batch.process_many(docs, res, stages=stages)
                continue
            before, staged = time.process_time(), sum(spent.values())
            batch.process_chunk(docs, stages=pipeline)
            # what the chunk took beyond its stages and the language detection: building the tables
            # and checking them against the schemas
            chunk_cpu = time.process_time() - before
            spent[TABLES] = spent.get(TABLES, 0.0) + chunk_cpu - (sum(spent.values()) - staged)
    done = time.perf_counter()
    for name, seconds in spent.items():
        shares[name] = shares.get(name, 0.0) + seconds
    return done - started, done - loaded, time.process_time() - cpu


TABLES = 'tables + schema checks'
LANGUAGE = 'language (lingua)'


@contextmanager
def timed_language(shares: dict | None):
    """While in the block, the CPU seconds of the language detection that each chunk runs before its
    stages (`lang.language.detect`) are added to `shares[LANGUAGE]` (not to the tables' share)."""
    from pipeline.lang import language
    detect = language.detect
    if shares is None:
        yield
        return

    def timed_detect(text):
        before = time.process_time()
        try:
            return detect(text)
        finally:
            shares[LANGUAGE] = shares.get(LANGUAGE, 0.0) + time.process_time() - before
    language.detect = timed_detect
    try:
        yield
    finally:
        language.detect = detect


def timed(stage, shares: dict):
    """The stage with its CPU seconds added to `shares[name]`."""
    def run(doc, res, call=stage.run, key=stage.name):
        before = time.process_time()
        try:
            return call(doc, res)
        finally:
            shares[key] = shares.get(key, 0.0) + time.process_time() - before
    many = None
    if stage.run_many is not None:
        def many(docs, res, call=stage.run_many, key=stage.name):
            before = time.process_time()
            try:
                return call(docs, res)
            finally:
                shares[key] = shares.get(key, 0.0) + time.process_time() - before
    return replace(stage, run=run, run_many=many)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--docs', type=int, default=600, help='articles in the corpus (default 600)')
    parser.add_argument('--source', choices=['factru', 'seeds'], default='factru')
    parser.add_argument('--repeat', type=int, default=1,
                        help='runs of the whole list, in turn; medians (default 1)')
    args = parser.parse_args()
    import numpy  # noqa: F401  (loaded, so that the limit below reaches its BLAS)
    from threadpoolctl import threadpool_limits
    threadpool_limits(1)     # as in a run's worker processes (pipeline.batch.engines)
    texts, folder = corpus(args.docs, args.source)
    chars = sum(map(len, texts))
    print(f'corpus: {len(texts)} articles, {chars:,} characters, from {folder}')

    from pipeline.batch import runner as batch
    value_rules = ('rules.published', 'rules.dates', 'rules.money', 'rules.numbers')
    rule_stages = tuple(_ for _ in batch.STAGES if _.name == 'segment' or _.name in value_rules)
    name_stages = tuple(_ for _ in batch.STAGES if _.name not in value_rules)
    shares: dict[str, float] = {}
    runs: dict[str, list[tuple[float, float, float]]] = {}
    for _ in range(args.repeat):
        for name, call in (
            ('natasha segment+NER', lambda: time_natasha(texts, normalise=False)),
            ('natasha segment+NER+morph+normalise', lambda: time_natasha(texts, normalise=True)),
            ('ours: full pipeline, tables checked', lambda: time_ours(texts, shares=shares)),
            ('ours: names stages (no dates/numbers)', lambda: time_ours(texts, name_stages)),
            ('ours: segment + date/number rules', lambda: time_ours(texts, rule_stages)),
        ):
            gc.collect()
            runs.setdefault(name, []).append(call())

    def median(name, index):
        return statistics.median(_[index] for _ in runs[name])

    base_total, base_work, base_cpu = (median('natasha segment+NER', _) for _ in range(3))
    print(f'{"system":40} {"docs/s":>9} {"k chars/s":>10} {"ratio":>7}   {"docs/s*":>9} {"ratio*":>7}   '
          f'{"docs/CPU-s":>10} {"ratio":>7}   (* = with start-up; medians of {args.repeat})')
    for name in runs:
        total, work, cpu = (median(name, _) for _ in range(3))
        print(f'{name:40} {len(texts) / work:9.1f} {chars / work / 1000:10.1f} {base_work / work:7.2f}   '
              f'{len(texts) / total:9.1f} {base_total / total:7.2f}   '
              f'{len(texts) / cpu:10.1f} {base_cpu / cpu:7.2f}')
    print('ratio = throughput relative to natasha segment+NER (target: full pipeline >= 0.8, names >= 0.7)')
    print('ratio by CPU-second, per run in turn (full pipeline): '
          + ' '.join(f'{n[2] / o[2]:.2f}' for n, o in zip(runs['natasha segment+NER'],
                                                          runs['ours: full pipeline, tables checked'])))
    print(f'stage shares of the full pipeline (CPU seconds, all {args.repeat} run(s)):')
    spent = sum(shares.values())
    for name, seconds in sorted(shares.items(), key=lambda _: -_[1]):
        print(f'  {name:28} {seconds:8.2f} s {100 * seconds / spent:6.1f} %')


if __name__ == '__main__':
    main()
