"""The pipeline: stages in order, and batch runs from inputs to tables.

Every stage is a `Stage`: `run(doc, res) -> Document`, with what it reads
(`requires`) and what it adds (`assigns`); `Pipeline` checks the order when it
is built. A stage that fails on one document turns it into a `Problem` (an
`errors` row naming the file, the stage and the reason); the rest of the batch
goes on. Each document has a time budget (budget.py), an argument of the run.

A batch run reads the inputs lazily in this process, skips documents whose
(doc_id, sha256) the output already holds, sends the rest in chunks to an
engine (engines.py: this process, a pool of worker processes, or a Dask
cluster) and commits each finished chunk to the output folder (store/tables.py).
This module is the composition root of the run: it imports the stages, the
store and the engines; none of them imports it.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial

import pandas as pd
from tqdm import tqdm

from pipeline.batch import engines, ingest
from pipeline.batch.budget import DOC_TIMEOUT, DocumentTimeout, budget, time_budget
from pipeline.batch.resources import Resources, shared
from pipeline.document import Document, Problem
from pipeline.lang import language
from pipeline.stages import (
    dates,
    link,
    money,
    ner,
    normalise,
    numbers,
    orgs,
    persons,
    published,
    resolve,
    roles,
    segment,
)
from pipeline.store import rows as tables
from pipeline.store import schemas

CHUNK_SIZE = engines.CHUNK_SIZE   # documents per chunk (see there)

# what a document holds before any stage runs (ingest gives the text and its metadata)
INPUT = ('text',)

# languages sent through the Russian stages by default (`--languages`)
LANGUAGES = language.parse_languages('ru')

WORKER_DIED = 'worker process died (killed, out of memory?) while processing this document'

WARM_TEXT = 'Мэр Москвы Сергей Собянин 1 сентября 2024 года открыл школу на 1200 учеников за 2 млрд рублей.'


class StageOrderError(ValueError):
    """A pipeline whose stages cannot run in the order given."""


@dataclass(frozen=True, slots=True)
class Stage:
    """One step of the pipeline: `run(doc, res) -> Document`, what it reads and what it adds.

    `requires` and `assigns` name parts of a document (spaCy's `requires`/`assigns`): `tokens`,
    `names` (the tagger's PER/ORG/LOC mentions), `dates`, `entities`, ... A stage may require only
    what the input or an earlier stage assigns. `run_many(docs, res)`, where given, takes several
    documents at once (the NER batches lines across them).
    """

    name: str
    run: Callable[[Document, Resources], Document]
    requires: tuple[str, ...] = ()
    assigns: tuple[str, ...] = ()
    run_many: Callable[[list[Document], Resources], list[Document]] | None = None


@dataclass(frozen=True, slots=True)
class Pipeline:
    """Stages in order, checked when the pipeline is built (StageOrderError names the first misfit)."""

    stages: tuple[Stage, ...]

    def __post_init__(self):
        object.__setattr__(self, 'stages', tuple(self.stages))
        check_order(self.stages)

    def __iter__(self):
        return iter(self.stages)

    def names(self) -> list[str]:
        return [_.name for _ in self.stages]


def check_order(stages: Iterable[Stage]) -> None:
    """Raise StageOrderError unless every stage requires only what the input or an earlier stage assigns."""
    available, seen = set(INPUT), set()
    for stage in stages:
        if not isinstance(stage, Stage):
            raise StageOrderError(f'{stage!r} is not a Stage(name, run, requires, assigns)')
        if stage.name in seen:
            raise StageOrderError(f'stage {stage.name!r} appears twice')
        missing = [_ for _ in stage.requires if _ not in available]
        if missing:
            raise StageOrderError(
                f'stage {stage.name!r} requires {", ".join(missing)}, which no earlier stage assigns '
                f'(before it: {", ".join(sorted(seen)) or "nothing"})')
        seen.add(stage.name)
        available.update(stage.assigns)


STAGES = (
    Stage('segment', segment.run, requires=('text',), assigns=('sentences', 'tokens')),
    Stage('rules.published', published.run, requires=('text',), assigns=('published',)),
    Stage('ner', ner.run, requires=('tokens',), assigns=('mentions', 'names'), run_many=ner.run_many),
    Stage('rules.orgs', orgs.run, requires=('tokens', 'names'), assigns=('mentions', 'organisations')),
    Stage('rules.dates', dates.run, requires=('tokens', 'published'), assigns=('mentions', 'dates')),
    Stage('rules.money', money.run, requires=('tokens', 'dates'), assigns=('mentions', 'money')),
    Stage('rules.numbers', numbers.run, requires=('tokens', 'dates', 'money'),
          assigns=('mentions', 'numbers')),
    Stage('resolve', resolve.run, requires=('mentions',), assigns=('resolved',)),
    Stage('rules.persons', persons.run, requires=('tokens', 'names'), assigns=('persons',)),
    Stage('normalise', normalise.run, requires=('tokens', 'names'), assigns=('normal',)),
    Stage('link', link.run, requires=('normal',), assigns=('entities',)),
    Stage('rules.roles', roles.run, requires=('sentences', 'tokens', 'entities'), assigns=('roles',)),
)

PIPELINE = Pipeline(STAGES)


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


def as_pipeline(stages: Pipeline | Iterable[Stage] | None) -> Pipeline:
    return PIPELINE if stages is None else stages if isinstance(stages, Pipeline) else Pipeline(stages)


def process_many(docs: list[Document], res: Resources | None = None, timeout: float | None = DOC_TIMEOUT,
                 stages: Pipeline | Iterable[Stage] | None = None,
                 languages: frozenset[str] = LANGUAGES) -> list[Document | Problem]:
    """Run every stage over several documents; each failure becomes a Problem.

    Each document has `timeout` seconds (default DOC_TIMEOUT, 30; 0, inf or None: no limit) for all
    stages together; one that runs past it becomes a Problem naming the stage, and the others go on.
    `stages`: a Pipeline or Stage records (default PIPELINE). `languages`: the languages sent through
    the stages (lang/language.py; empty: every one); a document in another is kept, with its
    `language`, but not processed.
    """
    res = res or shared()
    timeout = None if timeout is None else time_budget(timeout)
    results: list[Document | Problem] = list(docs)
    spent = [0.0] * len(results)
    foreign = set()   # documents in a language not asked for: kept, with their language, but not processed
    for index, doc in enumerate(results):
        doc.language = doc.language or language.detect(doc.text)
        if languages and doc.language is not None and doc.language not in languages:
            foreign.add(index)

    def left(index):
        return max(0.001, timeout - spent[index]) if timeout else None

    for stage in as_pipeline(stages):
        name = stage.name
        live = [index for index, doc in enumerate(results)
                if isinstance(doc, Document) and index not in foreign]
        if stage.run_many is not None and len(live) > 1:
            started = time.perf_counter()
            try:
                # the batch may use its documents' budgets together; past that, one at a time
                with budget(sum(left(_) for _ in live) if timeout else None, name):
                    found = stage.run_many([results[_] for _ in live], res)
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
            results[index] = run_stage(name, stage.run, results[index], res, left(index), timeout)
            spent[index] += time.perf_counter() - started
            if timeout and spent[index] > timeout and isinstance(results[index], Document):
                # the cooperative check, where no alarm could interrupt the stage (threads)
                results[index] = timeout_problem(results[index], name, spent[index], timeout)
    return results


def process(doc: Document, res: Resources | None = None,
            stages: Pipeline | Iterable[Stage] | None = None) -> Document | Problem:
    """Run every stage over one document; a failure becomes a Problem."""
    return process_many([doc], res, stages=stages)[0]


def process_text(text: str, doc_id: str = 'text', res: Resources | None = None) -> Document:
    """Run the pipeline over one string (raises on failure)."""
    doc = Document(doc_id=doc_id, text=text, source='<text>')
    result = process(doc, res)
    if isinstance(result, Problem):
        raise RuntimeError(result.message)
    return result


def warm() -> None:
    """Load this process's models, compile its grammars and build the table schemas (once per worker:
    `pipeline.batch.preload`). The schemas too: pandera builds each on first use, importing dask.dataframe
    on the way (0.3-0.4 CPU-s); done here, in the fork server, workers inherit them instead of each
    paying it in its first chunk."""
    process_chunk([Document('warm', WARM_TEXT)])


def process_chunk(docs: list[Document], warnings: list[Problem] = (), timeout: float | None = DOC_TIMEOUT,
                  stages: Pipeline | None = None,
                  languages: frozenset[str] = LANGUAGES) -> dict[str, pd.DataFrame]:
    """Checked tables of one chunk of documents (what a worker runs); failures are `errors` rows.

    `timeout`, `stages` and `languages` travel with the chunk: a worker keeps no setting of its own.
    """
    done, problems = [], list(warnings)
    for result in process_many(docs, shared(), timeout, stages, languages):
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


def halves(chunk: tuple) -> list[tuple]:
    """A chunk (documents, their ingest warnings) in two, each warning with its document; one document:
    [chunk] (what the engines call `split` to narrow a chunk that kills worker processes)."""
    docs, warnings = chunk
    if len(docs) < 2:
        return [chunk]
    parts = []
    for part in (docs[:len(docs) // 2], docs[len(docs) // 2:]):
        mine = {(_.doc_id, _.source) for _ in part}
        parts.append((part, [_ for _ in warnings if (_.doc_id, _.source) in mine]))
    return parts


def lost(chunk: tuple) -> dict[str, pd.DataFrame]:
    """The tables of a chunk whose document(s) killed the worker processes (the OOM killer, a crash in
    native code) each time: an `errors` row per document, its ingest warnings kept."""
    docs, warnings = chunk
    return check_tables(tables.build([], list(warnings) + [Problem(
        doc.source, doc.doc_id, 'worker',
        f'{doc.source}: {WORKER_DIED}; the next run tries it again') for doc in docs]))


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
                f'{self.errors} failed, {self.warnings} warnings; {self.seconds:.1f} s, '
                f'{rate:.1f} documents/s; '
                f'{self.total} documents in the output'
                + ''.join(f'; skipped: language {code} {n}' for code, n in sorted(self.languages.items())))

    def count(self, frames: dict, languages: frozenset[str] = LANGUAGES) -> None:
        """Add the mentions and problems of one processed chunk, and its documents in other languages."""
        self.mentions.update(frames['mentions']['type'])
        levels = frames['errors']['level']
        self.errors += int((levels == 'error').sum())
        self.warnings += int((levels == 'warning').sum())
        if languages:
            found = frames['documents']['language'].dropna()
            self.languages.update(found[~found.isin(list(languages))])


@dataclass(slots=True)
class Read:
    """What a run met (`plan` and `run` fill it): the file (`rows.source_file`) of every item's source,
    and the (source, doc_id, stage, message) of every problem; `Store.clear_errors` takes both."""
    files: set = field(default_factory=set)
    problems: set = field(default_factory=set)

    def add(self, problem: Problem) -> None:
        self.problems.add((problem.source, problem.doc_id, problem.stage, problem.message))


def run(inputs: Iterable[str], out: str, progress: bool | None = None, workers: int | None = None,
        chunk_size: int = CHUNK_SIZE, engine='local', scheduler: str | None = None,
        doc_timeout: float | None = None, reprocess_older: bool = False,
        stages: Pipeline | Iterable[Stage] | None = None, languages: str | None = None,
        duplicates: bool = True) -> Summary:
    """Process the documents of `inputs` that `out` does not hold yet; commit them chunk by chunk.

    `workers` defaults to the number of cores; `engine` is `local` or `dask`
    (`scheduler`: address of a running Dask scheduler, else a local cluster), or an
    engine from `engines.start` (the CLI starts the workers before it imports pandas).
    `doc_timeout`: seconds per document (default 30; 0 or inf: no limit; see `budget.time_budget`);
    a document that runs past it is an `errors` row naming the stage. `reprocess_older`: documents
    written by another pipeline version are processed again and their rows replaced, as an edited
    article's. `stages`: a Pipeline or Stage records (default PIPELINE), sent with each chunk (to
    worker processes by pickle: their functions must be importable by name).
    `languages`: codes such as `ru,uk` (default `ru`; `all`: every one) whose documents go through the
    stages; the others are written to `documents` with their `language` only (lang/language.py).
    `duplicates`: mark syndicated copies in `documents.duplicate_of` (store/duplicates.py).
    """
    from pipeline.store import duplicates as copies
    from pipeline.store import registry
    from pipeline.store import tables as store
    seconds = time_budget(doc_timeout)
    pipeline = as_pipeline(stages)
    wanted = LANGUAGES if languages is None else language.parse_languages(languages)
    work = partial(process_chunk, timeout=seconds, stages=None if pipeline is PIPELINE else pipeline,
                   languages=wanted)
    started = time.perf_counter()
    inputs = [os.fspath(_) for _ in inputs]
    ingest.check_out(inputs, out)   # InputError: the run would read its own tables back
    workers = workers or engines.cores()
    summary = Summary()
    if isinstance(engine, str):
        engine = engines.start(engine, workers, scheduler, preload=engines.PRELOAD)
    pool = engine
    if workers > 1:   # this process mostly waits for the workers: meanwhile, get ready for the registry
        threading.Thread(target=registry.warm, daemon=True).start()
        if duplicates:   # and for the duplicates (store/duplicates.py)
            threading.Thread(target=copies.warm, daemon=True).start()
    with store.Store.open(out) as dataset:
        dataset.begin_run(engine=pool.name, workers=workers, inputs=inputs)
        bar = tqdm(total=ingest.estimate(inputs), unit='doc',
                   disable=progress is False if progress is not None else None, leave=False, smoothing=0.05)
        problems: list[Problem] = []
        read = Read()
        status = 'failed'
        try:
            chunks = plan(ingest.read_inputs(inputs), dataset, chunk_size, summary, problems, bar,
                          reprocess_older, read)
            index = copies.Index(out) if duplicates else None
            for (docs, _), frames in pool.map(work, chunks, split=halves, lost=lost):
                if index is not None:   # syndicated copies: marked, and indexed before the commit
                    frames['documents'] = index.mark(frames['documents'],
                                                    committed=lambda _: dataset.known(_) is not None)
                    index.flush()
                summary.count(frames, wanted)
                met = frames['errors'][store.ERROR_KEY].itertuples(index=False)
                read.problems.update(map(store.key, met))
                dataset.run.update(documents_skipped=summary.skipped, documents_failed=summary.errors)
                added, replaced, _ = dataset.commit(frames)
                summary.added += added
                summary.replaced += replaced
                bar.update(len(docs))
                bar.set_postfix(added=summary.added, skipped=summary.skipped, failed=summary.errors,
                                refresh=False)
            if index is not None:   # copies committed before their story's first copy, a killed run's too
                index.settle(dataset)
            rows = [tables.problem_row(_) for _ in problems]   # inputs that never became documents
            summary.warnings += sum(_['level'] == 'warning' for _ in rows)
            dataset.run.update(documents_skipped=summary.skipped, documents_failed=summary.errors)
            if rows:
                dataset.commit({'errors': schemas.check('errors', schemas.frame('errors', rows))})
            dataset.clear_errors(read.files, read.problems, inputs)   # rows whose cause is gone
            status = 'finished'
        except KeyboardInterrupt:
            status = 'interrupted'
            raise
        finally:
            bar.close()
            try:
                dataset.finish(status)
            finally:
                pool.close()
            summary.documents = summary.added + summary.replaced
            summary.total = len(dataset.documents)
            summary.seconds = time.perf_counter() - started
    return summary


def plan(items, dataset, size: int, summary: Summary, problems: list[Problem], bar,
         reprocess_older: bool = False, read: Read | None = None):
    """Chunks (documents, their ingest warnings) to process; documents `dataset` holds unchanged are skipped
    (unless `reprocess_older` and another pipeline version wrote them).

    Problems that are not a document's warning go to `problems`, written once the chunks are committed.
    `read` gathers the file of every item and every problem, skipped or not.
    """
    from pipeline import __version__
    chunk, warnings, held = [], [], []
    read = Read() if read is None else read
    for item in items:
        read.files.add(tables.source_file(item.source))
        if isinstance(item, Problem):
            read.add(item)
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
