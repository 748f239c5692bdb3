"""The pipeline: stages in order, and batch runs from inputs to tables.

Every stage is `run(doc, res) -> Document`. A stage that fails on one
document turns it into a `Problem` (an `errors` row naming the file, the
stage and the reason); the rest of the batch goes on.

A batch run reads the inputs lazily in this process, skips documents whose
(doc_id, sha256) the output already holds, sends the rest in chunks to an
engine (engines.py: this process, a pool of worker processes, or a Dask
cluster) and commits each finished chunk to the output folder (store.py).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterable

import pandas as pd
from tqdm import tqdm

from pipeline.batch import ingest
from pipeline.stages import link, ner, normalise, resolve, segment
from pipeline.store import rows as tables
from pipeline.stages import dates, money, numbers, orgs, persons, published, roles
from pipeline.document import Document, Problem
from pipeline.batch.resources import Resources, shared
from pipeline.lang import language
from pipeline.store import schemas

# documents per chunk: the unit sent to a worker and committed to the output. Each chunk costs a
# fixed overhead (schema checks of ten tables, a commit, pickling); on 2,000 articles with 2 workers a run took
# 16.1 s with chunks of 64, 13.8 s with 128 and with 256 (1 worker: 25.6 s and 24.3 s); memory grows with it.
CHUNK_SIZE = 128

STAGES = (
    ('segment', segment.run),
    ('rules.published', published.run),
    ('ner', ner.run),
    ('rules.orgs', orgs.run),
    ('rules.dates', dates.run),
    ('rules.money', money.run),
    ('rules.numbers', numbers.run),
    ('resolve', resolve.run),
    ('rules.persons', persons.run),
    ('normalise', normalise.run),
    ('link', link.run),
    ('rules.roles', roles.run),
)


# stages that also take a list of documents at once (the NER batches lines across them)
BATCHED = {'ner': ner.run_many}


DOC_TIMEOUT = float(os.environ.get('PIPELINE_DOC_TIMEOUT') or 30)   # seconds per document, all stages
# languages sent through the stages (lang/language.py; `--languages`, read by worker processes when they
# start); documents in others are kept in `documents` with their language only. Empty: every language
LANGUAGES = language.parse_languages(os.environ.get('PIPELINE_LANGUAGES') or 'ru')


class DocumentTimeout(Exception):
    """A stage ran past the document's time budget."""


@contextmanager
def budget(seconds: float | None, stage: str):
    """Raise DocumentTimeout in the block after `seconds` (SIGALRM; the main thread of a POSIX process only).

    Elsewhere (Dask worker threads, Windows) nothing is interrupted here:
    `process_many` then checks each document's time between stages.
    """
    usable = (seconds and seconds > 0 and hasattr(signal, 'setitimer')
              and threading.current_thread() is threading.main_thread())
    if not usable:
        yield
        return

    def expired(signum, frame):
        raise DocumentTimeout(f'stage {stage} ran past the time budget of {seconds:g} s')

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def timeout_problem(doc: Document, name: str, seconds: float, limit: float) -> Problem:
    return Problem(doc.source, doc.doc_id, name,
                   f'{doc.source}: took too long: stopped in stage {name} after {seconds:.1f} s '
                   f'(the budget is {limit:g} s per document; see --doc-timeout)')


def run_stage(name: str, stage, doc: Document, res: Resources, seconds: float | None = None,
              limit: float | None = None) -> Document | Problem:
    try:
        with budget(seconds, name):
            return stage(doc, res)
    except DocumentTimeout:
        return timeout_problem(doc, name, limit or seconds or 0.0, limit or seconds or 0.0)
    except Exception as error:  # one bad document never stops the batch
        return Problem(doc.source, doc.doc_id, name,
                       f'{doc.source}: stage {name} failed: {type(error).__name__}: {error}')


def process_many(docs: list[Document], res: Resources | None = None,
                 timeout: float | None = None) -> list[Document | Problem]:
    """Run every stage over several documents; each failure becomes a Problem.

    Each document has `timeout` seconds (default DOC_TIMEOUT; 0: no limit) for all stages together;
    one that runs past it becomes a Problem naming the stage, and the others go on.
    """
    res = res or shared()
    timeout = DOC_TIMEOUT if timeout is None else timeout
    results: list[Document | Problem] = list(docs)
    spent = [0.0] * len(results)
    foreign = set()   # documents in a language not asked for: kept, with their language, but not processed
    for index, doc in enumerate(results):
        doc.language = doc.language or language.detect(doc.text)
        if LANGUAGES and doc.language is not None and doc.language not in LANGUAGES:
            foreign.add(index)

    def left(index):
        return max(0.001, timeout - spent[index]) if timeout else None

    for name, stage in STAGES:
        live = [index for index, doc in enumerate(results)
                if isinstance(doc, Document) and index not in foreign]
        if name in BATCHED and len(live) > 1:
            started = time.perf_counter()
            try:
                # the batch may use its documents' budgets together; past that, one at a time
                with budget(sum(left(_) for _ in live) if timeout else None, name):
                    found = BATCHED[name]([results[_] for _ in live], res)
                for index, doc in zip(live, found):
                    results[index] = doc
                # the batch's time is shared out by text length
                elapsed, total = time.perf_counter() - started, sum(len(results[_].text) for _ in live) or 1
                for index in live:
                    spent[index] += elapsed * len(results[index].text) / total
                    if timeout and spent[index] > timeout:
                        results[index] = timeout_problem(results[index], name, spent[index], timeout)
                live = []
            except Exception:   # DocumentTimeout included
                # find the document that fails, one at a time; mentions of a failed batch are dropped
                for index in live:
                    results[index].mentions = [_ for _ in results[index].mentions if _.source != 'ner']
        for index in live:
            started = time.perf_counter()
            results[index] = run_stage(name, stage, results[index], res, left(index), timeout)
            spent[index] += time.perf_counter() - started
            if timeout and spent[index] > timeout and isinstance(results[index], Document):
                # the cooperative check, where no alarm could interrupt the stage (threads)
                results[index] = timeout_problem(results[index], name, spent[index], timeout)
    return results


def process(doc: Document, res: Resources | None = None) -> Document | Problem:
    """Run every stage over one document; a failure becomes a Problem."""
    return process_many([doc], res)[0]


def process_text(text: str, doc_id: str = 'text', res: Resources | None = None) -> Document:
    """Run the pipeline over one string (raises on failure)."""
    doc = Document(doc_id=doc_id, text=text, source='<text>')
    result = process(doc, res)
    if isinstance(result, Problem):
        raise RuntimeError(result.message)
    return result


def process_chunk(docs: list[Document], warnings: list[Problem] = ()) -> dict[str, pd.DataFrame]:
    """Checked tables of one chunk of documents (what a worker runs); failures are `errors` rows."""
    done, problems = [], list(warnings)
    for result in process_many(docs, shared()):
        (problems if isinstance(result, Problem) else done).append(result)
    try:
        return check_tables(tables.build(done, problems))
    except schemas.TableError:   # find the documents that break a schema; the rest of the chunk is kept
        frames = check_tables(tables.build([], problems))
        for doc in done:
            try:
                found = check_tables(tables.build([doc]))
            except schemas.TableError as error:
                found = check_tables(tables.build([], [Problem(
                    doc.source, doc.doc_id, 'tables', f'{doc.source}: {error}; document not written')]))
            frames = {name: pd.concat([frames[name], found[name]], ignore_index=True) for name in frames}
        return frames


def check_tables(frames: dict) -> dict:
    return {name: schemas.check(name, frame) for name, frame in frames.items()}


@dataclass
class Summary:
    documents: int = 0      # processed and written by this run: added + replaced
    errors: int = 0         # inputs or documents that could not be processed (failed)
    warnings: int = 0
    mentions: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    added: int = 0
    replaced: int = 0
    skipped: int = 0        # already in the output with the same text
    total: int = 0          # documents in the output after the run
    languages: Counter = field(default_factory=Counter)   # documents written but not processed, by language

    def line(self) -> str:
        types = ' '.join(f'{_}={self.mentions[_]}' for _ in ('PER', 'ORG', 'LOC', 'DATE', 'NUMBER', 'MONEY'))
        rate = self.documents / self.seconds if self.seconds else 0.0
        return (f'{self.documents} documents, {sum(self.mentions.values())} mentions ({types}); '
                f'{self.added} added, {self.replaced} replaced, {self.skipped} skipped (unchanged), '
                f'{self.errors} failed, {self.warnings} warnings; {self.seconds:.1f} s, {rate:.1f} documents/s; '
                f'{self.total} documents in the output'
                + ''.join(f'; skipped: language {code} {n}' for code, n in sorted(self.languages.items())))

    def count(self, frames: dict) -> None:
        """Add the mentions and problems of one processed chunk."""
        self.mentions.update(frames['mentions']['type'])
        levels = frames['errors']['level']
        self.errors += int((levels == 'error').sum())
        self.warnings += int((levels == 'warning').sum())
        if LANGUAGES:
            found = frames['documents']['language'].dropna()
            self.languages.update(found[~found.isin(list(LANGUAGES))])


def run(inputs: Iterable[str], out: str, progress: bool | None = None, workers: int | None = None,
        chunk_size: int = CHUNK_SIZE, engine='local', scheduler: str | None = None,
        doc_timeout: float | None = None, reprocess_older: bool = False,
        languages: str | None = None, duplicates: bool = True) -> Summary:
    """Process the documents of `inputs` that `out` does not hold yet; commit them chunk by chunk.

    `workers` defaults to the number of cores; `engine` is `local` or `dask`
    (`scheduler`: address of a running Dask scheduler, else a local cluster), or an
    engine from `engines.start` (the CLI starts the workers before it imports pandas).
    `doc_timeout`: seconds per document (default DOC_TIMEOUT, 30; 0: no limit); a document
    that runs past it is an `errors` row naming the stage. `reprocess_older`: documents written by
    another pipeline version are processed again and their rows replaced, as an edited article's.
    `languages`: codes such as `ru,uk` (default `ru`; `all`: every one) whose documents go through the
    stages; the others are written to `documents` with their `language` only (lang/language.py).
    `duplicates`: mark syndicated copies in `documents.duplicate_of` (store/duplicates.py).
    """
    from pipeline.batch import engines
    from pipeline.store import duplicates as copies, registry, tables as store
    global DOC_TIMEOUT, LANGUAGES
    if languages is not None:   # this process, and worker processes started from now on
        LANGUAGES = language.parse_languages(languages)
        os.environ['PIPELINE_LANGUAGES'] = languages
    if doc_timeout is not None:   # this process, and worker processes started from now on (they read the variable)
        DOC_TIMEOUT = float(doc_timeout)
        os.environ['PIPELINE_DOC_TIMEOUT'] = str(DOC_TIMEOUT)
    started = time.perf_counter()
    inputs = [os.fspath(_) for _ in inputs]
    workers = workers or engines.cores()
    summary = Summary()
    pool = engines.start(engine, workers, scheduler) if isinstance(engine, str) else engine
    if workers > 1:   # this process mostly waits for the workers: meanwhile, get ready for the registry
        threading.Thread(target=registry.warm, daemon=True).start()
        if duplicates:   # and for the duplicates (store/duplicates.py)
            threading.Thread(target=copies.warm, daemon=True).start()
    with store.Store.open(out) as dataset:
        dataset.begin_run(engine=pool.name, workers=workers, inputs=inputs)
        bar = tqdm(total=ingest.estimate(inputs), unit='doc', disable=progress is False if progress is not None else None,
                   leave=False, smoothing=0.05)
        problems: list[Problem] = []
        status = 'failed'
        try:
            chunks = plan(ingest.read_inputs(inputs), dataset, chunk_size, summary, problems, bar, reprocess_older)
            index = copies.Index(out) if duplicates else None
            for (docs, _), frames in pool.map(process_chunk, chunks):
                if index is not None:   # syndicated copies: marked, and indexed before the commit
                    frames['documents'] = index.mark(frames['documents'])
                    index.flush()
                summary.count(frames)
                dataset.run.update(documents_skipped=summary.skipped, documents_failed=summary.errors)
                added, replaced, _ = dataset.commit(frames)
                summary.added += added
                summary.replaced += replaced
                bar.update(len(docs))
                bar.set_postfix(added=summary.added, skipped=summary.skipped, failed=summary.errors, refresh=False)
            rows = [tables.problem_row(_) for _ in problems]   # inputs that never became documents
            summary.warnings += sum(_['level'] == 'warning' for _ in rows)
            dataset.run.update(documents_skipped=summary.skipped, documents_failed=summary.errors)
            if rows:
                dataset.commit({'errors': schemas.check('errors', schemas.frame('errors', rows))})
            status = 'finished'
        except KeyboardInterrupt:
            status = 'interrupted'
            raise
        finally:
            bar.close()
            try:
                dataset.finish(status, submit=pool.idle_workers())
            finally:
                pool.close()
            summary.documents = summary.added + summary.replaced
            summary.total = len(dataset.documents)
            summary.seconds = time.perf_counter() - started
    return summary


def plan(items, dataset, size: int, summary: Summary, problems: list[Problem], bar, reprocess_older: bool = False):
    """Chunks (documents, their ingest warnings) to process; documents `dataset` holds unchanged are skipped
    (unless `reprocess_older` and another pipeline version wrote them).

    Problems that are not a document's warning go to `problems`, written once the chunks are committed.
    """
    from pipeline import __version__
    chunk, warnings, held = [], [], []
    for item in items:
        if isinstance(item, Problem):
            problems.extend(held)
            held = [item]
            if tables.problem_level(item) == 'error':
                summary.errors += 1
                bar.update(1)
            continue
        # a warning read_txt gives just before its document travels with it (and is skipped with it)
        mine = [_ for _ in held if (_.doc_id, _.source) == (item.doc_id, item.source)]
        problems.extend(_ for _ in held if _ not in mine)
        held = []
        if dataset.known(item.doc_id) == tables.sha256(item.text) and not (
                reprocess_older and dataset.written_by(item.doc_id) != __version__):
            summary.skipped += 1
            bar.update(1)
            continue
        chunk.append(item)
        warnings.extend(mine)
        if len(chunk) == size:
            yield chunk, warnings
            chunk, warnings = [], []
    problems.extend(held)
    if chunk:
        yield chunk, warnings
