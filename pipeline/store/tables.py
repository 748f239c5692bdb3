"""Store: the output folder as a dataset that grows by runs and survives crashes.

Reads the checked tables of one chunk of documents and commits them as a new
part; reads back the live rows of every table. Layout of an output folder:

    _manifest.json                the commit point: committed parts in order, and the runs
    <table>/part-000001.parquet   one file per table per committed chunk (whole documents)
    <table>.csv                   each table whole, exported after a run (UTF-8 with BOM)
    registry/*-<build>.parquet    the cross-article registry of the last build: the `registry`
                                  table, and the links and keys that keep its ids stable
    runs.parquet, runs.csv        one row per run
    .lock                         held by the run writing the folder

Commit: a chunk's part files are written under hidden temporary names,
fsynced and renamed into place; then `_manifest.json` is replaced the same
way (write, fsync, rename, fsync the folder). A run killed at any moment
(Ctrl-C, kill -9, power loss) leaves the manifest of its last commit, so
readers see whole chunks only; part files the manifest does not list are
ignored, and removed by the next run.

Replacement (an edited article is reprocessed, and its old rows must go):
a doc_id lives in the newest part whose `documents` holds it; its rows in
older parts, in every table, are dropped on read. An `errors` row is dropped
when a newer part holds a document with the same doc_id or source (that
input has been read since), and identical rows (source, doc_id, stage,
message) count once, the newest kept; a run writes no row that is already
live, so rerunning over the same broken inputs adds nothing. `compact`
rewrites the parts without the dropped rows.

Registry (pipeline/registry.py): a finished run that changed the tables
rebuilds it from the live rows and the previous build's links and keys, and
commits it the same way (new files named by build number, then the manifest).
`registry_entities` is read from the links, without those of documents
replaced since the build.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from pipeline import __version__
from pipeline.store import registry, schemas, rows as tables
from pipeline.store.layout import MANIFEST
from pipeline.store.rows import TABLES

LOCK = '.lock'
REGISTRY = 'registry'   # the folder of the registry's builds
FORMAT = 1
ERROR_KEY = ['source', 'doc_id', 'stage', 'message']
COMPACT_DOCUMENTS = 2000   # documents per part after `compact`


class StoreError(Exception):
    """The output folder cannot be used: written by another run, or of an unknown format."""


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec='milliseconds')


def empty(name: str) -> pd.DataFrame:
    """The table with no rows, its columns typed."""
    return typed_empty(name).copy()


@lru_cache(maxsize=None)
def typed_empty(name: str) -> pd.DataFrame:
    return schemas.check(name, schemas.frame(name, []))


def is_temporary(name: str) -> bool:
    return name.startswith('.') and name.endswith('.tmp')   # tables.write_atomic's names


def part_version(manifest: dict, part: dict) -> str | None:
    """The pipeline version that wrote a part (recorded since parts carry it; before, its run's)."""
    if 'version' in part:
        return part['version']
    run = next((_ for _ in manifest['runs'] if _['run_id'] == part.get('run_id')), {})
    return run.get('pipeline_version')


def read_manifest(path: Path) -> dict:
    file = path / MANIFEST
    if not file.exists():
        return {'format': FORMAT, 'generation': 0, 'exported': 0, 'next_seq': 1, 'parts': [], 'runs': [],
                'registry': None}
    manifest = json.loads(file.read_text(encoding='utf-8'))
    if manifest.get('format') != FORMAT:
        raise StoreError(f'{file} has format {manifest.get("format")!r}; this pipeline reads format {FORMAT}')
    return manifest


def acquire(path: Path):
    """An exclusive lock on `path`, released when the process ends however it ends."""
    handle = open(path, 'a+')
    try:
        import fcntl
    except ImportError:   # Windows: no advisory locks; one writer at a time is up to the user
        return handle
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise StoreError(f'{path.parent} is being written by another run (it holds {path})') from None
    return handle


def key(values) -> tuple:
    return tuple(None if pd.isna(_) else _ for _ in values)


class Store:
    """One output folder: its committed parts and runs, and the live rows of every table."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.manifest = read_manifest(self.path)
        self.run: dict | None = None
        self.lock = None
        self.scan()

    @classmethod
    def open(cls, path: str | os.PathLike) -> Store:
        """The folder opened for writing: locked, and what killed runs left behind removed."""
        path = Path(path)
        for name in (*TABLES, REGISTRY):
            (path / name).mkdir(parents=True, exist_ok=True)
        lock = acquire(path / LOCK)
        try:
            store = cls(path)
            store.lock = lock
            store.tidy()
            store.adopt()
        except BaseException:
            lock.close()
            raise
        return store

    def close(self) -> None:
        if self.lock is not None:
            self.lock.close()
            self.lock = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_) -> None:
        self.close()

    # ------------------------------------------------------------ parts

    def file(self, name: str, seq: int) -> Path:
        return self.path / name / f'part-{seq:06d}.parquet'

    def files(self, name: str) -> list[tuple[int, Path]]:
        """(seq, file) of the committed parts holding rows of table `name`, oldest first."""
        return [(part['seq'], self.file(name, part['seq'])) for part in self.manifest['parts']
                if name in part['rows']]

    def scan(self) -> None:
        """Index the committed documents (doc_id, sha256, source only) and errors."""
        self.documents: dict[str, tuple[str, int]] = {}   # doc_id -> (sha256, seq) of its live version
        self.sources: dict[str, int] = {}                 # source -> newest seq with a document from it
        self.part_ids: dict[int, list[str]] = {}          # seq -> doc_ids written in that part
        self.versions: dict[int, str | None] = {}         # seq -> pipeline version (filled when asked)
        for seq, file in self.files('documents'):
            columns = pq.read_table(file, columns=['doc_id', 'sha256', 'source']).to_pydict()
            self.index(seq, columns['doc_id'], columns['sha256'], columns['source'])
        frames = [pq.read_table(file).to_pandas().assign(_seq=seq) for seq, file in self.files('errors')]
        # committed errors rows with the seq of their part; None for none (no pandera before the first commit,
        # which a pool run overlaps with its workers' start)
        self.errors = pd.concat(frames, ignore_index=True) if frames else None

    def index(self, seq: int, ids: list[str], hashes: list[str], sources: list[str]) -> None:
        self.part_ids[seq] = list(ids)
        for doc_id, sha256, source in zip(ids, hashes, sources):
            self.documents[doc_id] = (sha256, seq)
            self.sources[source] = seq

    def known(self, doc_id: str) -> str | None:
        """sha256 of the committed text of `doc_id`, if any."""
        found = self.documents.get(doc_id)
        return found[0] if found else None

    def written_by(self, doc_id: str) -> str | None:
        """The pipeline version that wrote the live rows of `doc_id` (None: not known)."""
        found = self.documents.get(doc_id)
        if found is None:
            return None
        if len(self.versions) != len(self.manifest['parts']):
            self.versions = {_['seq']: part_version(self.manifest, _) for _ in self.manifest['parts']}
        return self.versions.get(found[1])

    def stale(self, seq: int) -> set[str]:
        """doc_ids of part `seq` that a newer part replaced."""
        return {_ for _ in self.part_ids.get(seq, ()) if self.documents[_][1] != seq}

    def superseded(self, doc_id, source, seq: int) -> bool:
        """Whether a newer part than `seq` holds a document with this doc_id or source."""
        newest = self.documents.get(doc_id) if isinstance(doc_id, str) else None
        return (newest is not None and newest[1] > seq) or self.sources.get(source, 0) > seq

    # ------------------------------------------------------------ reading

    def live_part(self, name: str, seq: int, columns: list[str] | None = None) -> pa.Table:
        """Rows of table `name` in part `seq`, without those of replaced documents (only `columns`, if given:
        the others are not even read)."""
        stale = self.stale(seq)
        wanted = None
        if columns:
            owner = 'doc_id' if name not in ('persons', 'organisations', 'places') else 'entity_id'
            wanted = list(dict.fromkeys([*columns, *([owner] if stale else [])]))
        table = pq.read_table(self.file(name, seq), columns=wanted)
        if stale:
            if 'doc_id' in table.column_names:
                owners = table['doc_id']
            else:   # persons, organisations, places: entity_id is `<doc_id>:e<n>`
                owners = pa.array([_.rsplit(':', 1)[0] for _ in table['entity_id'].to_pylist()], pa.string())
            stale = pa.array(sorted(stale), owners.type)
            table = table.filter(pc.invert(pc.is_in(owners, value_set=stale)))
        return table.select(columns) if columns else table

    def live_errors(self) -> pd.DataFrame:
        """The errors rows that still hold (module docstring), oldest first."""
        errors = self.errors
        if errors is None:
            return empty('errors')
        keep = [not self.superseded(doc_id, source, seq)
                for doc_id, source, seq in zip(errors['doc_id'], errors['source'], errors['_seq'])]
        live = errors.loc[pd.Series(keep, index=errors.index, dtype=bool)].drop_duplicates(ERROR_KEY, keep='last')
        return live.drop(columns='_seq').reset_index(drop=True)

    def frames(self, name: str) -> Iterator[pd.DataFrame]:
        """Live rows of table `name`, part by part (memory bounded by a part)."""
        if name == 'errors':
            yield self.live_errors()
            return
        for seq, _ in self.files(name):
            yield self.live_part(name, seq).to_pandas()

    def table(self, name: str, columns: list[str] | None = None) -> pd.DataFrame:
        """Live rows of table `name`, whole (only `columns`, if given)."""
        if name == 'errors':
            return self.live_errors()
        if name in ('registry', 'registry_entities'):
            return self.registry_table(name)
        parts = [self.live_part(name, seq, columns) for seq, _ in self.files(name)]
        if not parts:
            return empty(name)[columns or slice(None)]
        return pa.concat_tables(parts, promote_options='permissive').to_pandas()

    # ------------------------------------------------------------ registry

    def registry_file(self, what: str, build: int) -> Path:
        return self.path / REGISTRY / f'{what}-{build:06d}.parquet'

    def registry_files(self) -> set[str]:
        built = self.manifest.get('registry')
        return {self.registry_file(_, built['build']).name for _ in ('registry', 'links', 'keys')} if built else set()

    def registry_state(self) -> registry.State:
        built = self.manifest.get('registry')
        if not built:
            return registry.State.empty()
        links = pd.read_parquet(self.registry_file('links', built['build'])).astype('string')
        keys = pq.read_table(self.registry_file('keys', built['build'])).to_pydict()
        return registry.State(links, dict(zip(keys['key'], keys['global_id'])))

    def registry_table(self, name: str) -> pd.DataFrame:
        built = self.manifest.get('registry')
        if not built:
            return empty(name)
        if name == 'registry':
            return schemas.check(name, pd.read_parquet(self.registry_file('registry', built['build'])))
        links = pd.read_parquet(self.registry_file('links', built['build']))
        live = [self.known(doc_id) == sha for doc_id, sha in zip(links['doc_id'], links['sha256'])]
        links = links.loc[pd.Series(live, index=links.index, dtype=bool), ['entity_id', 'doc_id', 'global_id']]
        return schemas.check(name, links.reset_index(drop=True))

    def build_registry(self) -> None:
        """Rebuild the registry from the live tables and commit it (the manifest names the build)."""
        mentions = self.table('mentions', ['entity_id', 'normal']).dropna()   # PER/ORG/LOC only have both
        table, _, state = registry.build(
            self.table('entities', ['entity_id', 'doc_id', 'type', 'name', 'n_mentions']),
            self.table('persons', ['entity_id', 'first', 'last']), mentions,
            self.table('documents', ['doc_id', 'sha256', 'published']), self.registry_state())
        built = self.manifest.get('registry')
        build = (built['build'] if built else 0) + 1
        for what, frame in (('registry', table), ('links', state.links), ('keys', state.keys_frame())):
            tables.write_atomic(self.registry_file(what, build),
                                lambda path, frame=frame: frame.to_parquet(path, index=False))
        self.manifest['registry'] = {'build': build, 'generation': self.manifest['generation']}
        self.save()
        self.tidy_registry()

    def tidy_registry(self) -> None:
        folder = self.path / REGISTRY
        if folder.is_dir():
            keep = self.registry_files()
            for file in folder.iterdir():
                if file.name not in keep:
                    file.unlink()

    def runs(self) -> pd.DataFrame:
        return schemas.check('runs', schemas.frame('runs', self.manifest['runs']))

    # ------------------------------------------------------------ writing

    def save(self) -> None:
        """Commit: replace the manifest atomically and durably."""
        text = json.dumps(self.manifest, ensure_ascii=False, indent=1)
        tables.write_atomic(self.path / MANIFEST, lambda path: Path(path).write_text(text, encoding='utf-8'))

    def tidy(self) -> None:
        """Remove part and temporary files no commit lists; close the records of runs that died."""
        for name in TABLES:
            listed = {self.file(name, seq).name for seq, _ in self.files(name)}
            folder = self.path / name
            if folder.is_dir():
                for file in folder.iterdir():
                    part = file.name.startswith('part-') and file.suffix == '.parquet'
                    if (part and file.name not in listed) or is_temporary(file.name):
                        file.unlink()
        for file in self.path.iterdir():
            if is_temporary(file.name) and file.is_file():
                file.unlink()
        self.tidy_registry()
        dead = [_ for _ in self.manifest['runs'] if _['status'] == 'running']
        for run in dead:
            run['status'] = 'killed'
        if dead:
            self.save()

    def adopt(self) -> None:
        """Tables of the one-file layout (`<table>.parquet`, tables.write) become the first part.

        So a folder written before this layout keeps its tables, and a run skips its unchanged documents.
        """
        flat = [self.path / f'{name}.parquet' for name in TABLES if (self.path / f'{name}.parquet').is_file()]
        if not flat:
            return
        if not self.manifest['parts']:
            try:
                frames = {name: schemas.check(name, frame) for name, frame in tables.load_flat(self.path).items()}
            except schemas.TableError as error:
                raise StoreError(f'{self.path} holds tables of the one-file layout that break the schemas; '
                                 f'move them away to start afresh\n{error}') from None
            self.commit(frames)
        for file in flat:   # adopted now, or by a run killed before it removed them
            file.unlink()

    def begin_run(self, engine: str, workers: int, inputs: list[str]) -> dict:
        """Record a new run (status `running`) and commit the record."""
        self.run = dict(
            run_id=max((_['run_id'] for _ in self.manifest['runs']), default=0) + 1,
            status='running', started=now(), finished=None,
            documents_added=0, documents_replaced=0, documents_skipped=0, documents_failed=0, errors=0,
            pipeline_version=__version__, engine=engine, workers=workers,
            inputs=json.dumps([str(_) for _ in inputs], ensure_ascii=False),
        )
        self.manifest['runs'].append(self.run)
        self.save()
        return self.run

    def commit(self, frames: dict[str, pd.DataFrame]) -> tuple[int, int, int]:
        """Write one chunk's checked tables as the next part, then commit it.

        Returns (documents added, documents replaced, errors rows written).
        """
        documents = frames['documents'] if 'documents' in frames else empty('documents')
        errors = frames['errors'] if 'errors' in frames else empty('errors')
        if len(errors) and self.errors is not None:
            live = {key(_) for _ in self.live_errors()[ERROR_KEY].itertuples(index=False)}
            ids, sources = set(documents['doc_id']), set(documents['source'])
            fresh = [row.doc_id in ids or row.source in sources or key(row) not in live
                     for row in errors[ERROR_KEY].itertuples(index=False)]
            errors = errors.loc[pd.Series(fresh, index=errors.index, dtype=bool)]
        frames = {**frames, 'documents': documents, 'errors': errors}
        added = sum(_ not in self.documents for _ in documents['doc_id'])
        rows = {name: len(frames[name]) for name in TABLES if name in frames and len(frames[name])}
        if rows:
            seq = self.manifest['next_seq']
            for name in rows:
                tables.write_atomic(self.file(name, seq),
                                    lambda path, frame=frames[name]: frame.to_parquet(path, index=False))
            self.manifest['parts'].append({'seq': seq, 'run_id': self.run and self.run['run_id'], 'rows': rows,
                                           'version': __version__})
            self.manifest['next_seq'] = seq + 1
            self.manifest['generation'] += 1
            self.index(seq, list(documents['doc_id']), list(documents['sha256']), list(documents['source']))
            if len(errors):
                fresh = errors.assign(_seq=seq)
                self.errors = fresh if self.errors is None else pd.concat([self.errors, fresh], ignore_index=True)
        if self.run is not None:
            self.run['documents_added'] += added
            self.run['documents_replaced'] += len(documents) - added
            self.run['errors'] += len(errors)
        self.save()
        return added, len(documents) - added, len(errors)

    def finish(self, status: str, submit=None) -> None:
        """Close the run's record; after a finished run, rebuild the registry and export the tables that
        changed. `submit(function, *args)` (idle worker processes of the run, returning futures) writes
        the CSV files beside the registry build: on 2,000 articles that took 0.9 s in this process
        after the last chunk (a thread was no faster: the build holds the GIL), and 0.5 s so."""
        if status == 'finished':
            built = self.manifest.get('registry')
            generation = self.manifest['generation']
            export = self.manifest['exported'] != generation
            exports = [submit(export_table, self.path, name) for name in TABLES] if export and submit else []
            if (built or {}).get('generation') != generation:
                try:
                    self.build_registry()
                except Exception as error:   # the tables are committed: keep the last build, retry next run
                    print(f'warning: the registry was not rebuilt ({type(error).__name__}: {error}); '
                          f'the previous build is kept and the next run tries again', file=sys.stderr)
            if export:
                for name, done in zip(TABLES, [_.result() for _ in exports] or [None] * len(TABLES)):
                    if done is None:
                        self.export_table(name)
                self.export_registry()
                self.manifest['exported'] = generation
        if self.run is not None:
            self.run.update(status=status, finished=now())
        self.save()
        self.export_runs()

    def export_tables(self) -> None:
        """Each table whole as `<table>.csv` (UTF-8 with BOM, so Excel shows Cyrillic)."""
        for name in TABLES:
            self.export_table(name)

    def export_table(self, name: str) -> str:
        tables.write_atomic(self.path / f'{name}.csv', lambda path: self.table_csv(name, path))
        return name

    def export_registry(self) -> None:
        for name in ('registry', 'registry_entities'):
            tables.write_atomic(self.path / f'{name}.csv',
                                lambda path, name=name: write_csv(path, name, [self.table(name)]))

    def table_csv(self, name: str, path: str) -> None:
        """Table `name` as CSV, part by part (memory bounded by a part)."""
        if name == 'errors':
            write_csv(path, name, [self.live_errors()])
        else:
            write_csv(path, name, (self.live_part(name, seq) for seq, _ in self.files(name)))

    def export_runs(self) -> None:
        runs = self.runs()
        tables.write_atomic(self.path / 'runs.parquet', lambda path: runs.to_parquet(path, index=False))
        tables.write_atomic(self.path / 'runs.csv',
                            lambda path: runs.to_csv(path, index=False, encoding='utf-8-sig'))


def export_table(path: str | os.PathLike, name: str) -> str:
    """`<name>.csv` of the output folder `path`, from its committed parts (run by a worker process
    while the run's own process builds the registry; the run holds the lock)."""
    return Store(path).export_table(name)


def csv_schema(name: str) -> pa.Schema:
    return pa.Schema.from_pandas(empty(name), preserve_index=False).remove_metadata()


def write_csv(path: str, name: str, parts) -> None:
    """Rows of table `name` (pandas or Arrow tables) as one CSV file: UTF-8 with BOM, a header line,
    text quoted, empty for missing values; written by pyarrow, which is several times faster than pandas."""
    schema = csv_schema(name)
    with open(path, 'wb') as handle:
        handle.write(b'\xef\xbb\xbf')
        with pacsv.CSVWriter(handle, schema, write_options=pacsv.WriteOptions(quoting_style='needed')) as writer:
            for part in parts:
                if isinstance(part, pd.DataFrame):
                    part = pa.Table.from_pandas(part, preserve_index=False)
                writer.write_table(part.select(schema.names).cast(schema))


def load_tables(path: str | os.PathLike = 'output') -> dict[str, pd.DataFrame]:
    """Every table of the output folder `path` (live rows of committed parts), and `runs`."""
    path = Path(path)
    if not (path / MANIFEST).exists():   # tables.write's one-file layout, or a first run that committed nothing
        flat = any((path / f'{name}.parquet').exists() for name in TABLES)
        frames = tables.load_flat(path) if flat else {name: empty(name) for name in TABLES}
        frames.update({name: empty(name) for name in tables.DERIVED})
        return frames
    for attempt in range(3):
        try:
            store = Store(path)
            frames = {name: store.table(name) for name in (*TABLES, 'registry', 'registry_entities')}
            frames['runs'] = store.runs()
            return frames
        except FileNotFoundError:   # `compact` replaced the parts while we read: read the new manifest
            if attempt == 2:
                raise
    raise AssertionError('unreachable')


def compact(path: str | os.PathLike, documents_per_part: int = COMPACT_DOCUMENTS) -> tuple[int, int]:
    """Rewrite the parts of `path` without replaced rows, about `documents_per_part` documents each.

    Returns (parts before, parts after). The tables read the same before and after.
    """
    with Store.open(path) as store:
        before = store.manifest['parts']
        after: list[dict] = []
        pending: dict[str, list[pa.Table]] = {}
        versions: list[str | None] = []    # of the documents' parts in `pending`

        def flush(pending=pending):
            rows = {name: sum(len(_) for _ in parts) for name, parts in pending.items()}
            rows = {name: count for name, count in rows.items() if count}
            if rows:
                seq = store.manifest['next_seq']
                for name in rows:
                    table = pa.concat_tables(pending[name], promote_options='permissive')
                    tables.write_atomic(store.file(name, seq), lambda path, table=table: pq.write_table(table, path))
                written = set(versions)
                after.append({'seq': seq, 'run_id': None, 'rows': rows,
                              'version': written.pop() if len(written) == 1 else None})
                store.manifest['next_seq'] = seq + 1
            pending.clear()
            versions.clear()

        count = 0
        for part in before:
            for name in part['rows']:
                if name != 'errors':
                    pending.setdefault(name, []).append(store.live_part(name, part['seq']))
            if set(store.part_ids.get(part['seq'], ())) - store.stale(part['seq']):   # live documents
                versions.append(part_version(store.manifest, part))
            count += part['rows'].get('documents', 0)
            if count >= documents_per_part:
                flush()
                count = 0
        flush()
        errors = store.live_errors()
        if len(errors):   # last, so that no document is newer than its error rows
            pending['errors'] = [pa.Table.from_pandas(errors, preserve_index=False)]
            flush()
        exported = store.manifest['exported'] == store.manifest['generation']
        built = store.manifest.get('registry')
        current = built is not None and built['generation'] == store.manifest['generation']
        store.manifest['parts'] = after
        store.manifest['generation'] += 1
        if exported:   # same rows: the CSV exports still hold
            store.manifest['exported'] = store.manifest['generation']
        if current:    # and so does the registry
            built['generation'] = store.manifest['generation']
        store.save()
        store.tidy()
        return len(before), len(after)
