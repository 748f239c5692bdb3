"""Store: the output folder as Delta Lake tables that grow by runs and survive crashes.

Reads the checked tables of one chunk of documents and commits them; reads back
the live rows of every table. An output folder (a local path or `s3://bucket/path`)
holds one Delta Lake table (Parquet files and a `_delta_log/`) per table:

    documents/ mentions/ entities/ persons/ organisations/ places/ dates/ numbers/ roles/ errors/
    runs/                       one row per run
    registry/ registry_entities/    the cross-article registry (registry.py)
    _index/                     doc_id, sha256, source, pipeline_version of each document (the skip list)
    _registry/keys/ _registry/members/ _registry/documents/   what keeps the registry's ids stable
    .lock                       held by the run writing a local folder

Every table but the registry's has `doc_id`; any Delta reader (deltalake, Polars,
DuckDB, Spark) sees the rows of the latest commit of each table. Tables are not
partitioned: a chunk of 128 articles is one file per table, and partitions by month
would split it into many tiny files; `compact` merges small files.

Chunk commit (`commit`), one Delta commit per table, in this order:

1. `documents`: delete the rows of the chunk's known doc_ids (edited articles), so that
   while their new rows are written no reader joining to `documents` sees them at all;
2. every child table (mentions … roles, `_index`): the chunk's rows replace those of its
   doc_ids (`overwrite` with predicate `doc_id IN (…)`, one commit) where the store may
   hold rows of them, else a plain append; `errors`: the rows of the chunk's documents and
   sources are deleted, then the new rows appended (a problem already recorded is not
   repeated);
3. `documents` last: the append that commits the chunk. A document is live exactly when
   its `documents` row is.

Each of these commits carries the Delta application transaction
(`ru-news-facts/run-<run_id>`, chunk number); a table whose transaction version has
reached the chunk is skipped, so a chunk committed again (a retry, a replayed task)
never duplicates rows. A run killed at any point leaves child rows whose document is
not live at most; `load_tables` reads child tables joined to `documents`, and the next
run that opens the folder deletes those rows (it finds the killed run as `running` in
`runs`), then processes their documents again, as not in the folder. Any reader that
joins to `documents` therefore sees whole documents only; after a finished run every
reader sees the same rows as `load_tables`.

Who writes what. A run's workers (runner.work) write the data files of the tables of
things found (WORKER_TABLES: mentions, entities, persons, organisations, places, dates,
numbers, roles) into each table's folder (`write_files`: one Parquet file per table and
chunk, strings typed as delta-rs types them) and return what a Delta add action needs
(name, size, time, stats); the coordinator, the only process that commits, commits each
file with `create_write_transaction` in the order above, under the same application
transaction, so the protocol is unchanged (`add`). It writes `documents` (whose
`duplicate_of` it decides), `_index` and `errors` itself: small rows. For an edited
article (a doc_id the folder held) the coordinator writes the file's rows again in the
commit that replaces the old ones (`write`), and leaves the worker's file uncommitted;
so does a chunk that loses a doc_id read twice (`without_rows`). On `s3://` folders the
workers write nothing and the rows come back to the coordinator, as before.

A data file that no commit lists (a worker or the coordinator killed between a worker's
write and its commit, a replaced or filtered file) is never read by any Delta reader: the
log decides what a table holds. `compact` deletes such files (vacuum in `full` mode,
files older than the retention).

Registry (registry.py): after a finished run, only the documents the registry has not
seen in their current version (`_registry/documents` against `_index`) are resolved,
against the persisted keys; the rows of `registry` are rewritten only for the global
ids those documents had or now have.

Folders of the 0.1 layout (`_manifest.json` and `part-*.parquet` files) are refused with
a message saying how to rebuild them.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipeline import __version__
from pipeline.store import schemas
from pipeline.store.arrow import (  # noqa: F401 (the store's helpers, also used as tables.X)
    APP,
    INDEX,
    LITERALS,
    arrow_schema,
    empty,
    index_schema,
    isin,
    key,
    plain_strings,
    plain_type,
    quote,
    to_arrow,
    to_pandas,
    typed_empty,
)
from pipeline.store.rows import TABLES, source_file

LOCK = '.lock'
OLD_MANIFEST = '_manifest.json'      # the 0.1 layout's commit point
CHILDREN = tuple(_ for _ in TABLES if _ not in ('documents', 'errors')) + (INDEX,)
ERROR_KEY = ['source', 'doc_id', 'stage', 'message']
RETENTION_HOURS = 168                 # `compact` keeps files a reader of the last week may still need


# the tables whose data files a run's workers write (`write_files`); the coordinator commits them
WORKER_TABLES = tuple(_ for _ in CHILDREN if _ != INDEX)


def write_files(root: str, frames: dict[str, pd.DataFrame]) -> dict[str, tuple]:
    """Write the rows of WORKER_TABLES of one chunk as a Parquet data file in each table's folder of the
    local output folder `root`, without committing it (a worker does this; the coordinator commits the
    files, `Store.commit`). Returns table -> (file name, size, modification time in ms, stats JSON), what
    a Delta add action needs. Until it is committed a file is no part of any table: one left by a worker
    or a run that was killed is never read, and vacuum (`compact`) deletes it."""
    import uuid

    import pyarrow.parquet as pq
    written = {}
    for name in WORKER_TABLES:
        rows = to_arrow(name, frames.get(name, empty(name)))
        file = f'part-00000-{uuid.uuid4()}-c000.snappy.parquet'
        path = os.path.join(root, name, file)
        # strings as string_view, as delta-rs writes them: a dataset over files of both kinds cannot filter
        view = pa.schema([pa.field(_.name, view_type(_.type), _.nullable) for _ in rows.schema])
        pq.write_table(rows.cast(view), path, compression='snappy', write_statistics=False)
        stats = {'numRecords': rows.num_rows}
        if rows.num_rows:   # what lets a reader skip the file for a doc_id (Store.where)
            bounds = pc.min_max(rows['doc_id'])
            stats.update(minValues={'doc_id': bounds['min'].as_py()},
                         maxValues={'doc_id': bounds['max'].as_py()},
                         nullCount={'doc_id': rows['doc_id'].null_count})
        written[name] = (file, os.path.getsize(path), int(os.path.getmtime(path) * 1000), json.dumps(stats))
    return written


def view_type(type: pa.DataType) -> pa.DataType:
    """The type delta-rs gives a column in the data files it writes (the opposite of `plain_type`)."""
    if pa.types.is_string(type) or pa.types.is_large_string(type):
        return pa.string_view()
    if pa.types.is_list(type) or pa.types.is_large_list(type):
        return pa.list_(view_type(type.value_type))
    return type


def without_rows(root: str, written: dict[str, tuple], doc_ids: set[str]) -> dict[str, tuple]:
    """The data files `written` by a worker again, without the rows of `doc_ids` (a doc_id an earlier
    reading took: runner.taken_twice); the first files are left uncommitted."""
    import pyarrow.parquet as pq
    frames = {}
    for name, (file, *_) in written.items():
        rows = to_arrow(name, pq.read_table(os.path.join(root, name, file)))
        taken = pa.array(sorted(doc_ids), pa.string())
        rows = rows.filter(pc.invert(pc.is_in(rows['doc_id'], value_set=taken)))
        frames[name] = to_pandas(name, rows)
    return write_files(root, frames)


class StoreError(Exception):
    """The output folder cannot be used: written by another run, or of an unknown format."""


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec='milliseconds')


def is_remote(root: str) -> bool:
    return '://' in root


def storage_options(root: str) -> dict[str, str] | None:
    """delta-rs options for `root`: credentials come from the usual AWS variables (AWS_ACCESS_KEY_ID, …,
    AWS_ENDPOINT_URL for an S3-compatible server); plain HTTP is allowed only towards such an endpoint."""
    if not root.startswith('s3://'):
        return None
    options = {}
    endpoint = os.environ.get('AWS_ENDPOINT_URL_S3') or os.environ.get('AWS_ENDPOINT_URL')
    if endpoint:
        options['AWS_ENDPOINT_URL'] = endpoint
        if endpoint.startswith('http://'):
            options['AWS_ALLOW_HTTP'] = 'true'
    # one writer at a time per folder (see README): S3 has no atomic rename of the log without a lock service
    options['AWS_S3_ALLOW_UNSAFE_RENAME'] = 'true'
    return options


def acquire(path: Path):
    """An exclusive lock on `path`, released when the process ends however it ends."""
    handle = open(path, 'a+')   # noqa: SIM115 (held open: the lock lasts as long as the process)
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


def refuse_old_layout(root: str) -> None:
    """Raise StoreError for a folder of the 0.1 layout (parts and a manifest of our own)."""
    if is_remote(root):
        return
    path = Path(root)
    old = (path / OLD_MANIFEST).exists() or any(
        not (path / name / '_delta_log').is_dir() and any((path / name).glob('part-*.parquet'))
        for name in TABLES if (path / name).is_dir())
    if old:
        raise StoreError(
            f'{root} holds tables of the 0.1 layout (_manifest.json and part files); this version writes '
            f'Delta Lake tables. Rebuild it: move it aside (mv {root} {root}.old) and run '
            f'`python -m pipeline run INPUTS --out {root}` over the same inputs')


class Store:
    """One output folder: its Delta tables, the index of its documents, its runs."""

    def __init__(self, root: str | os.PathLike):
        self.root = os.fspath(root).rstrip('/')
        self.options = storage_options(self.root)
        refuse_old_layout(self.root)
        self.run: dict | None = None
        self.lock = None
        self.chunks = 0
        self.touched: set[str] = set()     # doc_ids this run committed
        self.tables: dict = {}             # name -> DeltaTable, loaded once

    # ------------------------------------------------------------ opening

    @classmethod
    def open(cls, root: str | os.PathLike) -> Store:
        """The folder opened for writing: locked, what killed runs left behind removed, its index read."""
        root = os.fspath(root)
        refuse_old_layout(root)
        lock = None
        if not is_remote(root):
            Path(root).mkdir(parents=True, exist_ok=True)
            lock = acquire(Path(root) / LOCK)
        try:
            store = cls(root)
            store.lock = lock
            store.create()
            store.load()
            store.tidy()
        except BaseException:
            if lock is not None:
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

    def uri(self, name: str) -> str:
        return f'{self.root}/{name}'

    def delta(self, name: str):
        """The Delta table `name`, or None when it was never written. Loaded once: the writes of this
        store go through the same object, which follows them (a load reads the log since the last
        checkpoint, which costs more as a table grows)."""
        from deltalake import DeltaTable
        from deltalake.exceptions import TableNotFoundError
        if name in self.tables:
            return self.tables[name]
        try:
            table = DeltaTable(self.uri(name), storage_options=self.options)
        except TableNotFoundError:
            return None
        self.tables[name] = table
        return table

    def arrow(self, name: str, columns: list[str] | None = None, predicate: str | None = None,
              schema: pa.Schema | None = None) -> pa.Table:
        """Rows of Delta table `name` as committed (only `columns`; only rows where the SQL `predicate`
        holds), or none. Read by delta-rs's own engine, which skips files by their statistics."""
        table = self.delta(name)
        if table is None:
            schema = schema or arrow_schema(name).remove_metadata()
            return schema.empty_table().select(columns) if columns else schema.empty_table()
        return plain_strings(pa.table(table.scan(columns=columns, predicate=predicate).read_all()))

    def where(self, name: str, columns: list[str] | None, column: str, values, extra: str | None = None,
              schema: pa.Schema | None = None) -> pa.Table:
        """Rows of `name` whose `column` is one of `values` (and where the SQL `extra` holds): a Delta
        predicate for a short list; for a long one the table is read and filtered here."""
        values = list(values)
        if len(values) <= LITERALS:
            predicate = isin(column, values) if values else 'false'
            return self.arrow(name, columns, f'{predicate} AND {extra}' if extra else predicate, schema)
        wanted = list(dict.fromkeys([*columns, column])) if columns else None
        table = self.arrow(name, wanted, extra, schema)
        table = table.filter(pc.is_in(table[column], value_set=pa.array(values, pa.string())))
        return table.select(columns) if columns else table

    def delete(self, name: str, column: str, values) -> None:
        """Delete the rows of `name` whose `column` is one of `values` (in slices of LITERALS)."""
        values = list(values)
        for start in range(0, len(values), LITERALS):
            self.delta(name).delete(isin(column, values[start:start + LITERALS]))

    def live_ids(self) -> pa.Array:
        return pc.unique(self.arrow('documents', ['doc_id'])['doc_id'].combine_chunks().cast(pa.string()))

    def create(self) -> None:
        """Each table that does not exist yet, created empty: every reader finds every table."""
        from deltalake import DeltaTable
        for name in (*TABLES, INDEX):
            if self.delta(name) is None:
                DeltaTable.create(self.uri(name), arrow_schema(name).remove_metadata(), mode='ignore',
                                  storage_options=self.options)

    def load(self) -> None:
        """Read the index of committed documents, the errors rows and the runs. `_index` holds rows of
        documents that are not live only after a killed run (until `tidy`): only then is it checked
        against `documents`."""
        self.runs_frame = to_pandas('runs', self.arrow('runs')).sort_values('run_id', ignore_index=True)
        killed = (self.runs_frame['status'] == 'running').any()
        live = set(self.live_ids().to_pylist()) if killed else None
        index = self.arrow(INDEX)
        self.index: dict[str, tuple[str, str]] = {}     # doc_id -> (sha256, pipeline_version)
        for doc_id, sha, version in zip(index['doc_id'].to_pylist(), index['sha256'].to_pylist(),
                                        index['pipeline_version'].to_pylist()):
            if live is None or doc_id in live:
                self.index[doc_id] = (sha, version)
        self.errors = to_pandas('errors', self.arrow('errors'))

    def tidy(self) -> None:
        """After a killed run: delete child rows of documents that never became live; close its record."""
        dead = self.runs_frame['status'] == 'running'
        if not dead.any():
            return
        live = self.live_ids()
        for name in CHILDREN:
            table = self.delta(name)
            if table is None:
                continue
            ids = pc.unique(self.arrow(name, ['doc_id'])['doc_id'].combine_chunks())
            orphans = pc.filter(ids, pc.invert(pc.is_in(ids, value_set=live))).to_pylist()
            if orphans:
                self.delete(name, 'doc_id', orphans)
        self.runs_frame.loc[dead, 'status'] = 'killed'
        self.save_runs()

    # ------------------------------------------------------------ the skip list

    @property
    def documents(self) -> dict[str, tuple[str, str]]:
        return self.index

    def known(self, doc_id: str) -> str | None:
        """sha256 of the committed text of `doc_id`, if any."""
        found = self.index.get(doc_id)
        return found[0] if found else None

    def written_by(self, doc_id: str) -> str | None:
        """The pipeline version that wrote the live rows of `doc_id` (None: not known)."""
        found = self.index.get(doc_id)
        return found[1] if found else None

    # ------------------------------------------------------------ writing

    def write(self, name: str, rows: pa.Table, chunk: int, replace: list[str] = ()) -> None:
        """Commit `rows` to table `name` as chunk `chunk` of the run; rows of the doc_ids `replace` go.
        Skipped when the table already holds this chunk (its application transaction says so)."""
        from deltalake import CommitProperties, Transaction, write_deltalake
        table = self.delta(name)
        chunk = chunk if self.run is not None else 0     # rows committed outside a run: no transaction
        app = f'{APP}/run-{self.run["run_id"]}' if chunk else APP
        if table is not None and chunk and (table.transaction_version(app) or 0) >= chunk:
            return
        properties = CommitProperties(app_transactions=[Transaction(app, chunk)] if chunk else None,
                                      custom_metadata={'pipeline_version': __version__})
        if table is not None and replace and len(replace) > LITERALS:
            self.delete(name, 'doc_id', replace)     # the documents are not live meanwhile
            write_deltalake(table, rows, mode='append', commit_properties=properties)
        elif table is not None and replace:
            write_deltalake(table, rows, mode='overwrite', predicate=isin('doc_id', replace),
                            commit_properties=properties)
        elif table is not None:
            write_deltalake(table, rows, mode='append', commit_properties=properties)
        else:
            write_deltalake(self.uri(name), rows, mode='append', storage_options=self.options,
                            commit_properties=properties)

    def add(self, name: str, file: tuple, chunk: int, replace: list[str] = ()) -> None:
        """Commit the data file `file` (written by a worker: `write_files`) to table `name` as chunk `chunk`
        of the run. With `replace` (doc_ids whose rows the new ones replace: edited articles), the file's
        rows are written again by `write` in the commit that deletes the old ones (the worker's file is
        then left uncommitted). Skipped when the table already holds this chunk (its application
        transaction says so)."""
        from deltalake import CommitProperties, Transaction
        from deltalake.transaction import AddAction
        table = self.delta(name)
        chunk = chunk if self.run is not None else 0
        app = f'{APP}/run-{self.run["run_id"]}' if chunk else APP
        if chunk and (table.transaction_version(app) or 0) >= chunk:
            return
        path, size, modified, stats = file
        if replace:   # edited articles: their rows replaced in one commit by `write`, from the file's rows
            import pyarrow.parquet as pq
            self.write(name, to_arrow(name, pq.read_table(self.uri(f'{name}/{path}'))), chunk, replace)
            return
        properties = CommitProperties(app_transactions=[Transaction(app, chunk)] if chunk else None,
                                      custom_metadata={'pipeline_version': __version__})
        table.create_write_transaction([AddAction(path, size, {}, modified, True, stats)], mode='append',
                                       schema=table.schema(), commit_properties=properties)
        table.update_incremental()   # the object does not follow this commit by itself, as it does a write

    def commit(self, frames: dict[str, pd.DataFrame], chunk: int | None = None,
               written: dict[str, tuple] | None = None) -> tuple[int, int, int]:
        """Commit one chunk's checked tables (module docstring: the order and why); the tables in `written`
        as the data files a worker wrote (`write_files`).

        Returns (documents added, documents replaced, errors rows written).
        """
        written = written or {}
        if chunk is None:
            self.chunks += 1
            chunk = self.chunks
        documents = frames['documents'] if 'documents' in frames else empty('documents')
        errors = frames['errors'] if 'errors' in frames else empty('errors')
        ids, sources = list(documents['doc_id']), set(documents['source'])
        replaced = [_ for _ in ids if _ in self.index]
        live = {key(_) for _ in self.errors[ERROR_KEY].itertuples(index=False)}
        fresh = [row.doc_id in ids or row.source in sources or key(row) not in live
                 for row in errors[ERROR_KEY].itertuples(index=False)]
        errors = errors.loc[pd.Series(fresh, index=errors.index, dtype=bool)]
        if replaced:
            self.delete('documents', 'doc_id', replaced)
        if ids:
            for name in CHILDREN:
                if name == INDEX:
                    rows = pa.table({'doc_id': ids, 'sha256': list(documents['sha256']),
                                     'source': list(documents['source']),
                                     'pipeline_version': [__version__] * len(ids)}, schema=index_schema())
                elif name in written:
                    self.add(name, written[name], chunk, replaced)
                    continue
                else:
                    rows = to_arrow(name, frames.get(name, empty(name)))
                self.write(name, rows, chunk, replaced)
        stale = self.errors['doc_id'].isin(ids) | self.errors['source'].isin(sources)
        if stale.any():
            self.delete('errors', 'doc_id', sorted(set(self.errors.loc[stale, 'doc_id'].dropna())))
            self.delete('errors', 'source', sorted(set(self.errors.loc[stale, 'source'])))
            self.errors = self.errors.loc[~stale]
        if len(errors):
            self.write('errors', to_arrow('errors', errors), chunk)
            self.errors = pd.concat([self.errors, errors], ignore_index=True)
        if ids:
            self.write('documents', to_arrow('documents', documents), chunk)
        for doc_id, sha in zip(ids, documents['sha256']):
            self.index[doc_id] = (sha, __version__)
        self.touched.update(ids)
        added = len(ids) - len(replaced)
        if self.run is not None:
            self.run['documents_added'] += added
            self.run['documents_replaced'] += len(replaced)
            self.run['errors'] += len(errors)
        return added, len(replaced), len(errors)

    def clear_errors(self, files: set[str], reported: set[tuple], inputs: list[str]) -> int:
        """After a run that read all of `inputs`: delete the `errors` rows whose cause is gone, those not
        in `reported` (ERROR_KEY tuples of every problem the run met) of a file the run read (`files`:
        `source_file` of every item's source; an input fixed, then skipped as unchanged), or of a file
        under `inputs` that no longer exists (a duplicate input removed). Rows of other inputs stay.

        One Delta commit per slice of LITERALS sources: their rows are overwritten by the ones kept.
        Returns the number of rows deleted."""
        from deltalake import CommitProperties, write_deltalake
        if not len(self.errors):
            return 0
        read = {os.path.abspath(_) for _ in files}
        roots = [os.path.abspath(_) for _ in inputs]
        gone: dict[str, bool] = {}
        for source in set(self.errors['source'].dropna()):
            file = source_file(source)
            path = os.path.abspath(file)
            under = any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)
            gone[source] = path in read or (under and not os.path.lexists(file))
        stale = pd.Series([gone.get(row.source, False) and key(row) not in reported
                           for row in self.errors[ERROR_KEY].itertuples(index=False)],
                          index=self.errors.index, dtype=bool)
        if not stale.any():
            return 0
        sources = sorted(set(self.errors.loc[stale, 'source']))
        properties = CommitProperties(custom_metadata={'pipeline_version': __version__})
        for start in range(0, len(sources), LITERALS):
            part = sources[start:start + LITERALS]
            kept = self.errors.loc[~stale & self.errors['source'].isin(part)]
            write_deltalake(self.delta('errors'), to_arrow('errors', kept), mode='overwrite',
                            predicate=isin('source', part), commit_properties=properties)
        self.errors = self.errors.loc[~stale]
        return int(stale.sum())

    # ------------------------------------------------------------ runs

    def save_runs(self) -> None:
        from deltalake import write_deltalake
        frame = schemas.check('runs', self.runs_frame)
        write_deltalake(self.uri('runs'), to_arrow('runs', frame), mode='overwrite',
                        storage_options=self.options)

    def begin_run(self, engine: str, workers: int, inputs: list[str]) -> dict:
        """Record a new run (status `running`) and commit the record."""
        self.run = dict(
            run_id=int(self.runs_frame['run_id'].max()) + 1 if len(self.runs_frame) else 1,
            status='running', started=now(), finished=None,
            documents_added=0, documents_replaced=0, documents_skipped=0, documents_failed=0, errors=0,
            pipeline_version=__version__, engine=engine, workers=workers,
            inputs=json.dumps([str(_) for _ in inputs], ensure_ascii=False),
        )
        self.put_run()
        return self.run

    def put_run(self) -> None:
        others = self.runs_frame[self.runs_frame['run_id'] != self.run['run_id']]
        mine = schemas.check('runs', schemas.frame('runs', [self.run]))
        self.runs_frame = pd.concat([others, mine], ignore_index=True) if len(others) else mine
        self.save_runs()

    def runs(self) -> pd.DataFrame:
        return schemas.check('runs', self.runs_frame.reset_index(drop=True))

    def finish(self, status: str, registry=None) -> None:
        """Close the run's record; after a finished run, bring the registry up to date: here, or by
        `registry(root)` (`update_registry` in a worker process, the run's engine.call)."""
        if status == 'finished':
            from pipeline.store import registry_tables
            try:
                if registry is None:
                    registry_tables.update(self)
                else:
                    registry(self.root)
            except Exception as error:   # the tables are committed: the next run tries again
                print(f'warning: the registry was not rebuilt ({type(error).__name__}: {error}); '
                      f'the previous build is kept and the next run tries again', file=sys.stderr)
        if self.run is not None:
            self.run.update(status=status, finished=now())
            self.put_run()


def update_registry(root: str) -> int:
    """registry_tables.update on the output folder `root`, opened for reading (a worker process does
    this for the run, which holds the folder's lock): the skip list read as the run left it."""
    from pipeline.store import registry_tables
    store = Store(root)
    store.load()
    return registry_tables.update(store)


def plain(dataset):
    """The same files as `dataset`, without the file-level statistics deltalake attaches."""
    import pyarrow.dataset as ds
    return ds.dataset(dataset.files, schema=dataset.schema, format='parquet', filesystem=dataset.filesystem)


def read_table(store: Store, name: str, live: pa.Array | None, raw: bool = False):
    """Table `name` of `store` as pandas (`raw`: as Arrow): child tables only with rows of live documents."""
    table = store.arrow(name)
    if live is not None and name in CHILDREN and len(table):
        table = table.filter(pc.is_in(table['doc_id'], value_set=live))
    return table if raw else to_pandas(name, table)


def datasets(path: str | os.PathLike) -> dict:
    """Every table of the output folder `path` as a lazy Arrow dataset of its live rows (child tables
    filtered to live documents), for engines that read only the columns a query needs (DuckDB)."""
    import pyarrow.dataset as ds
    store = Store(path)
    live = store.live_ids().to_pylist()
    found = {}
    for name in (*TABLES, 'registry', 'registry_entities', 'runs'):
        table = store.delta(name)
        if table is None:
            found[name] = ds.dataset(arrow_schema(name).remove_metadata().empty_table())
            continue
        dataset = plain(table.to_pyarrow_dataset())
        found[name] = dataset.filter(pc.field('doc_id').isin(live)) if name in CHILDREN else dataset
    return found


def load_tables(path: str | os.PathLike = 'output') -> dict[str, pd.DataFrame]:
    """Every table of the output folder `path` (live rows), the registry's and `runs`."""
    store = Store(path)
    live = store.live_ids()
    frames = {name: read_table(store, name, live) for name in (*TABLES, 'registry', 'registry_entities')}
    frames['runs'] = to_pandas('runs', store.arrow('runs')).sort_values('run_id', ignore_index=True)
    frames['registry'] = frames['registry'].sort_values(
        ['type', 'global_id'], key=lambda _: _.str[1:].astype(int) if _.name == 'global_id' else _,
        ignore_index=True)
    return frames


def write_tables(frames: dict[str, pd.DataFrame], out: str | os.PathLike) -> None:
    """Commit tables built outside a run (rows.build) into the output folder `out` as one chunk."""
    checked = {name: schemas.check(name, frame) for name, frame in frames.items() if name in TABLES}
    with Store.open(out) as store:
        store.commit(checked)


def compact(path: str | os.PathLike, retention_hours: float = RETENTION_HOURS) -> tuple[int, int]:
    """Merge each table's small files (Delta optimize), then delete the files no version younger than
    `retention_hours` needs (vacuum). Returns (data files before, after). The tables read the same."""
    before = after = 0
    with Store.open(path) as store:
        for name in (*TABLES, 'runs', 'registry', 'registry_entities', INDEX,
                     '_registry/keys', '_registry/members', '_registry/documents', '_registry/counts',
                     '_registry/persons', '_duplicates/bands', '_duplicates/signatures'):
            table = store.delta(name)
            if table is None:
                continue
            before += len(table.file_uris())
            table.optimize.compact()
            # full: data files no commit lists (a killed worker's, or one a commit rewrote) go too
            table.vacuum(retention_hours=retention_hours, enforce_retention_duration=False, dry_run=False,
                         full=True)
            after += len(table.file_uris())
    return before, after
