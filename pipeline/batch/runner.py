"""The pipeline: stages in order, and batch runs from inputs to tables.

Every stage is a `Stage`: `run(doc, res) -> Document`, with what it reads
(`requires`) and what it adds (`assigns`); `Pipeline` checks the order when it
is built. A stage that fails on one document turns it into a `Problem` (an
`errors` row naming the file, the stage and the reason); the rest of the batch
goes on. Each document has a time budget (budget.py), an argument of the run.

A batch run (`run`) coordinates: it turns the inputs into work units without
reading their texts (units.py: groups of article files, parts of JSONL
collections; CSV and WARC records are still read here), sends them to an
engine (engines.py: this process, a pool of worker processes, or a Dask
cluster) and commits each finished chunk to the output folder
(store/tables.py). Each worker (`work`) reads its unit, skips the documents
whose (doc_id, sha256) the output held when the run started, runs the stages,
checks the rows against the schemas and computes the MinHash signatures of
the duplicates index; the coordinator marks syndicated copies on those
signatures, resolves doc_ids read twice, and commits. The stages are imported
on first use (`STAGES`, `PIPELINE`): a coordinator whose chunks run in worker
processes never loads them. This module is the composition root of the run:
it imports the stages, the store and the engines; none of them imports it.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from itertools import chain

import pandas as pd
from tqdm import tqdm

from pipeline.batch import engines, ingest, units
from pipeline.batch.budget import DOC_TIMEOUT, DocumentTimeout, budget, time_budget
from pipeline.batch.resources import Resources, shared
from pipeline.document import Document, Problem
from pipeline.lang import language
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


def build_stages() -> tuple[Stage, ...]:
    """The product's stages. Imported on first use (`STAGES`, `PIPELINE`, PEP 562): a run's coordinator
    never needs them (its workers do), so it does not load natasha, slovnet, yargy or pymorphy3."""
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
    return (
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


def __getattr__(name: str):
    if name in ('STAGES', 'PIPELINE'):
        stages = build_stages()
        globals().update(STAGES=stages, PIPELINE=Pipeline(stages))
        return globals()[name]
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')


def default() -> Pipeline:
    """PIPELINE, the product's stages (built on first use)."""
    return globals().get('PIPELINE') or __getattr__('PIPELINE')


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
    return default() if stages is None else stages if isinstance(stages, Pipeline) else Pipeline(stages)


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


@dataclass
class Done:
    """What a worker returns for a unit (`work`): the checked tables of its documents, their MinHash
    signatures (row for row with `documents`; store/duplicates.py), and what the coordinator needs
    without the texts: the (doc_id, source) of every document read, in order, skipped ones too (for
    doc_ids taken twice across units), which were skipped as unchanged, the files read and the problems
    met (`Read`), and how many items were read (the progress bar)."""
    frames: dict
    signatures: list | None = None
    written: dict | None = None   # table -> the data file the worker wrote (store/tables.py write_files)
    mentions: Counter = field(default_factory=Counter)   # by type: the `mentions` rows are in `written`
    read: list = field(default_factory=list)
    skipped: set = field(default_factory=set)
    files: set = field(default_factory=set)
    met: set = field(default_factory=set)
    items: int = 0


SKIP_LIST: dict = {}   # (store, _index version) -> {doc_id: (sha256, pipeline_version)}, one per process


def skip_list(store: str | None, version: int | None) -> dict:
    """The documents the store held when the run started (`_index` at `version`): loaded once per process
    and run. Each worker hashes the texts it reads and compares them with this (the coordinator never
    reads a text): a hash, not a file's size and modification time, because a record of a collection has
    neither, a copied or re-downloaded file has a new time and the same text, and an article must be
    skipped exactly when its stored text is the same, which is what the sha256 says."""
    if store is None:
        return {}
    if (store, version) not in SKIP_LIST:
        from deltalake import DeltaTable

        from pipeline.store.arrow import INDEX
        from pipeline.store.tables import storage_options
        SKIP_LIST.clear()
        table = DeltaTable(f'{store}/{INDEX}', version=version, storage_options=storage_options(store))
        found = table.to_pyarrow_table(columns=['doc_id', 'sha256', 'pipeline_version'])
        SKIP_LIST[store, version] = dict(zip(found['doc_id'].to_pylist(), zip(
            found['sha256'].to_pylist(), found['pipeline_version'].to_pylist())))
    return SKIP_LIST[store, version]


def work(unit: units.Unit, store: str | None = None, version: int | None = None,
         timeout: float | None = DOC_TIMEOUT, stages: Pipeline | None = None,
         languages: frozenset[str] = LANGUAGES, signatures: bool = True,
         reprocess_older: bool = False, write: bool = False, skip_only: bool = False) -> Done | None:
    """What a worker does with a unit: read it, skip the documents the store held unchanged at the start
    of the run (`store`, its `_index` at `version`; with `reprocess_older`, not those another pipeline
    version wrote), process the rest (`process_chunk`: their checked tables, ingest problems as `errors`
    rows) and compute their MinHash signatures (`signatures`). With `write`, the rows of the tables
    of things found (mentions ... roles) are written as data files into the local folder `store`, which the
    coordinator commits, and only the small `documents` and `errors` rows come back. A doc_id read twice
    in the unit: the first wins, the other is an `errors` row. `skip_only`: None when the unit holds a
    document to process (nothing is processed), else its result, without loading a model."""
    from pipeline import __version__
    known = skip_list(store, version)
    done = Done(frames={})
    docs, warnings, problems, held, seen = [], [], [], [], {}
    for item in units.read(unit):
        done.items += 1
        done.files.add(tables.source_file(item.source))
        if isinstance(item, Problem):
            done.met.add(problem_key(item))
            problems.extend(held)
            held = [item]
            continue
        # a warning read just before its document travels with it (and is skipped with it)
        mine = [_ for _ in held if (_.doc_id, _.source) == (item.doc_id, item.source)]
        problems.extend(_ for _ in held if _ not in mine)
        held = []
        if item.doc_id in seen:
            taken = already_taken(item.source, item.doc_id, seen[item.doc_id])
            done.met.add(problem_key(taken))
            problems.extend([*mine, taken])
            continue
        seen[item.doc_id] = item.source
        done.read.append((item.doc_id, item.source))
        found = known.get(item.doc_id)
        if found and found[0] == tables.sha256(item.text) and not (
                reprocess_older and found[1] != __version__):
            done.skipped.add(item.doc_id)
            continue
        if skip_only:
            return None
        docs.append(item)
        warnings.extend(mine)
    problems.extend(held)
    if not docs:   # nothing to process: no stage (and no model) needed
        done.frames = check_tables(tables.build([], warnings + problems))
        return done
    done.frames = process_chunk(docs, warnings + problems, timeout, stages, languages)
    if signatures and len(done.frames['documents']):
        from pipeline.store import duplicates
        done.signatures = duplicates.signatures(done.frames['documents']['text'])
    if write and len(done.frames['documents']):   # the rows go to the store, not back to the coordinator
        from pipeline.store.tables import WORKER_TABLES, write_files
        done.mentions.update(done.frames['mentions']['type'])
        done.written = write_files(store, done.frames)
        done.frames = {name: frame.iloc[:0] if name in WORKER_TABLES else frame
                       for name, frame in done.frames.items()}
    return done


def problem_key(problem: Problem) -> tuple:
    return problem.source, problem.doc_id, problem.stage, problem.message


def already_taken(source: str, doc_id: str, by: str) -> Problem:
    return Problem(source, doc_id, 'ingest', f'{source}: doc_id {doc_id!r} already taken by {by}; skipped')


def split(chunk: tuple) -> list[tuple]:
    """The engines' `split` of a chunk (unit,): the unit's halves (units.halves)."""
    return [(_,) for _ in units.halves(chunk[0])]


def lost(chunk: tuple) -> Done:
    """The result of a chunk (unit,) whose document(s) killed the worker processes (the OOM killer, a
    crash in native code) each time: an `errors` row per document (once narrowed: one file, line or
    record), the warnings it carried kept."""
    items, warnings = units.lost_items(chunk[0])
    problems = [Problem(source, doc_id, 'worker', f'{source}: {WORKER_DIED}; the next run tries it again')
                for source, doc_id in items]
    return Done(frames=check_tables(tables.build([], warnings + problems)), items=len(items),
                files={tables.source_file(source) for source, _ in items},
                met={problem_key(_) for _ in warnings + problems})


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
    from pipeline.store import tables as store
    seconds = time_budget(doc_timeout)
    custom = None if stages is None else as_pipeline(stages)   # the product's are imported by the workers
    wanted = LANGUAGES if languages is None else language.parse_languages(languages)
    started = time.perf_counter()
    inputs = [os.fspath(_) for _ in inputs]
    ingest.check_out(inputs, out)   # InputError: the run would read its own tables back
    workers = workers or engines.cores()
    summary = Summary()
    if isinstance(engine, str):
        engine = engines.start(engine, workers, scheduler, preload=engines.PRELOAD)
    pool = engine
    with store.Store.open(out) as dataset:
        dataset.begin_run(engine=pool.name, workers=workers, inputs=inputs)
        # workers read the skip list themselves, as it was when the run started (after `tidy`)
        root = dataset.root if store.is_remote(dataset.root) else os.path.abspath(dataset.root)
        task = partial(work, store=root, version=dataset.delta(store.INDEX).version(), timeout=seconds,
                       stages=custom, languages=wanted, signatures=duplicates,
                       reprocess_older=reprocess_older, write=not store.is_remote(root))
        bar = tqdm(total=ingest.estimate(inputs), unit='doc',
                   disable=progress is False if progress is not None else None, leave=False, smoothing=0.05)
        problems: list[Problem] = []   # found here: written once the chunks are committed
        read = Read()
        status = 'failed'
        try:
            chunks = ((_,) for _ in units.plan(inputs, chunk_size, problems))
            index = copies.Index(out) if duplicates else None
            first: dict[str, tuple] = {}   # doc_id -> (where it was read first, its source)
            for (unit,), done in in_order(results(pool, task, chunks, workers)):
                frames, signatures = done.frames, done.signatures
                summary.skipped += len(done.skipped)
                read.files.update(done.files)
                read.problems.update(done.met)
                taken = taken_twice(unit, done, first, problems, summary)
                written = done.written
                if taken:   # read again after its first reading: this copy's rows are not written
                    frames, signatures = without(frames, signatures, taken)
                    written = written and store.without_rows(root, written, taken)
                if index is not None:   # syndicated copies: marked, and indexed before the commit
                    frames['documents'] = index.mark(frames['documents'],
                                                    committed=lambda _: dataset.known(_) is not None,
                                                    values=signatures)
                    index.flush()
                summary.count(frames, wanted)
                summary.mentions.update(done.mentions)
                met = frames['errors'][store.ERROR_KEY].itertuples(index=False)
                read.problems.update(map(store.key, met))
                dataset.run.update(documents_skipped=summary.skipped, documents_failed=summary.errors)
                added, replaced, _ = dataset.commit(frames, written=written)
                summary.added += added
                summary.replaced += replaced
                bar.update(done.items)
                bar.set_postfix(added=summary.added, skipped=summary.skipped, failed=summary.errors,
                                refresh=False)
            if index is not None:   # copies committed before their story's first copy, a killed run's too
                index.settle(dataset)
            for problem in problems:
                read.files.add(tables.source_file(problem.source))
                read.add(problem)
            rows = [tables.problem_row(_) for _ in problems]   # inputs that never became documents
            summary.warnings += sum(_['level'] == 'warning' for _ in rows)
            summary.errors += sum(_['level'] == 'error' for _ in rows)
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
                # the registry update runs in a worker, which has the morphology loaded
                dataset.finish(status, registry=lambda _: pool.call(store.update_registry, root))
            finally:
                pool.close()
            summary.documents = summary.added + summary.replaced
            summary.total = len(dataset.documents)
            summary.seconds = time.perf_counter() - started
    return summary


def results(pool, task, chunks, workers: int):
    """(chunk, Done) of every chunk (unit,), as the engine gives them. A local pool not started yet (the
    command line starts it early when the inputs hold new articles: not for a rerun) is started only once
    a unit holds something to process: the units before it are read and skipped here, as unchanged,
    without a worker started or a model loaded (a rerun over 2,000 unchanged articles: about a second)."""
    chunks = iter(chunks)
    if isinstance(pool, engines.Local) and pool.pool is None and workers > 1:
        for chunk in chunks:
            done = task(*chunk, skip_only=True)
            if done is None:
                chunks = chain([chunk], chunks)
                break
            yield chunk, done
    yield from pool.map(task, chunks, split=split, lost=lost)


def in_order(found):
    """The results of the parts of each JSONL collection in line order, the others as they come. So a
    doc_id read twice in one collection is committed from its earlier line even when the part holding it
    comes back later, and a run killed in between never leaves the later copy committed. A part that
    comes back early waits here (its documents rows and file names: small)."""
    expected: dict = {}   # path -> the first line of the next part to hand out
    held: dict = {}       # path -> {first line: (chunk, done)}
    for chunk, done in found:
        unit = chunk[0]
        if not isinstance(unit, units.Lines):
            yield chunk, done
            continue
        waiting = held.setdefault(unit.path, {})
        waiting[unit.line] = (chunk, done)
        line = expected.get(unit.path, 1)
        while line in waiting:
            chunk, done = waiting.pop(line)
            yield chunk, done
            line += chunk[0].count or 1
        expected[unit.path] = line


def taken_twice(unit: units.Unit, done: Done, first: dict, problems: list[Problem], summary: Summary) -> set:
    """The doc_ids of `done` that an earlier reading took (the first read wins, in the order ingest reads
    the inputs: units in turn, documents in order within one), each now an `errors` row in `problems`.

    Units finish in any order: a unit read before the one that took a doc_id may come back later; then
    it wins, and the other, already committed (or skipped as unchanged), becomes the `errors` row: the
    commit of this one replaces its rows. (Were that earlier copy skipped as unchanged and the later one
    committed, the next run over the same inputs puts the earlier text back.)"""
    taken = set()
    for position, (doc_id, source) in enumerate(done.read):
        here = (unit.rank, position)
        found = first.get(doc_id)
        if found is None:
            first[doc_id] = (here, source, doc_id in done.skipped)
            continue
        if found[0] < here:    # this reading is the later one
            problems.append(already_taken(source, doc_id, found[1]))
            if doc_id in done.skipped:
                summary.skipped -= 1
            else:
                taken.add(doc_id)
        else:                  # this one was read first: the other reading is the one taken
            problems.append(already_taken(found[1], doc_id, source))
            summary.skipped -= found[2]
            first[doc_id] = (here, source, doc_id in done.skipped)
    return taken


def without(frames: dict, signatures: list | None, doc_ids: set) -> tuple[dict, list | None]:
    """The chunk's tables without the rows of `doc_ids` (their `errors` rows kept), and the signatures
    of the documents left."""
    kept = {}
    for name, frame in frames.items():
        kept[name] = (frame if name == 'errors'
                      else frame[~frame['doc_id'].isin(doc_ids)].reset_index(drop=True))
    if signatures is not None:
        mask = ~frames['documents']['doc_id'].isin(doc_ids)
        signatures = [value for value, keep in zip(signatures, mask.tolist()) if keep]
    return kept, signatures
