"""Syndicated duplicates: the same story republished with another header, footer or a few edits.

Reads the `documents` rows of each chunk before it is committed; sets their
`duplicate_of` to the doc_id of the earliest published copy of the same story
(equal or no dates: the smallest doc_id, so the result does not depend on the
order chunks arrive in; empty for the first copy), and appends the chunk to an
index kept beside the
tables, so that the next batch is compared with the whole store without
reading its articles again.

Each text becomes a MinHash signature (datasketch; 120 permutations) of its
3-word shingles, folded (case, `ё`). Locality-sensitive hashing cuts the
signature in 40 bands of 3 values: two texts whose shingle sets have a
Jaccard similarity s share at least one band with probability 1 - (1 - s^3)^40
(0.93 at s = 0.4, 0.99 at s = 0.5, 0.04 at s = 0.1). Documents sharing a band
are candidates; a candidate is a copy when the signatures agree on at least
JACCARD (0.4) of their values, the estimated similarity. A short release
copied with a header line, a footer line and one sentence edited keeps 0.5 to
0.7; unrelated articles, even of one site with its own stock lines, stay
under 0.1. Exact copies under other ids are the trivial case (similarity 1).

The index is two append-only Delta Lake tables in the output folder (on disk
or S3, as the tables): `_duplicates/bands` (band, hash, doc_id, seq) and
`_duplicates/signatures` (doc_id, published, story, signature, seq), one
append per batch, `seq` the batch's number; a batch reads only the band rows
whose hashes it holds (a filtered scan) and the signatures of its candidates.
A document read again (an edited article) gets new rows; the highest `seq`
wins. `compact` (Delta optimize) merges the small files of many batches.

When a copy published earlier arrives after its story is indexed, the new copy
becomes the story's first: its signature row and those of the story's members
get it as their `story` in the index (`stories()` reads it). The index is what
says which story a document belongs to; `documents.duplicate_of` follows it:
at the end of a run, `Index.settle(store)` reads the signature rows appended
since the last settle (by this run, and by runs killed before they settled),
and rewrites the committed rows whose `duplicate_of` differs (one Delta merge),
then records how far it got (a Delta transaction on the signatures table). A
run killed anywhere (between the index append and the chunk commit, during the
rewrite) leaves rows that the next run's settle reads again, so what a kill
interrupts is always redone. Until then a committed copy may name no first copy,
or another copy of its own story.
"""

from __future__ import annotations

import os
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.lang.text import fold_word

FOLDER = '_duplicates'
SCHEMAS = {   # declared, so that a first batch without dates does not fix `published` as a null column
    'bands': pa.schema([('band', pa.int16()), ('hash', pa.int64()), ('doc_id', pa.string()),
                        ('seq', pa.int64())]),
    'signatures': pa.schema([('doc_id', pa.string()), ('published', pa.string()), ('story', pa.string()),
                             ('signature', pa.binary()), ('seq', pa.int64())]),
}
PERMUTATIONS = 120
BANDS, ROWS = 40, 3          # BANDS * ROWS == PERMUTATIONS
SHINGLE = 3                  # words per shingle
JACCARD = 0.4                # estimated similarity from which two texts are one story
SEED = 1
SETTLED = 'ru-news-facts/settled'   # Delta transaction on the signatures table: the last version settled
SLAB = 1_000_000             # index rows read and filtered at a time
SCHEME = 'affine32'          # datasketch's hashing scheme, named: the index must not change with its default

WORD = re.compile(r'\w+')


def warm() -> None:
    """Import datasketch (half a second: it imports scipy) while the workers load their models."""
    import datasketch  # noqa: F401


def shingles(text: str) -> list[bytes]:
    """The 5-word shingles of a folded text (all of it, when shorter)."""
    words = WORD.findall(fold_word(text))
    if len(words) <= SHINGLE:
        return [' '.join(words).encode('utf-8')]
    return [' '.join(words[_:_ + SHINGLE]).encode('utf-8') for _ in range(len(words) - SHINGLE + 1)]


_PERMUTATIONS = None


def signature(text: str) -> np.ndarray:
    """The MinHash signature of a text (PERMUTATIONS unsigned 32-bit values)."""
    from datasketch import MinHash

    global _PERMUTATIONS
    if _PERMUTATIONS is None:   # the random permutations, drawn once per process (same SEED: same values)
        _PERMUTATIONS = MinHash(num_perm=PERMUTATIONS, seed=SEED, scheme=SCHEME).permutations
    found = MinHash(num_perm=PERMUTATIONS, seed=SEED, permutations=_PERMUTATIONS, scheme=SCHEME)
    found.update_batch(shingles(text))
    return found.hashvalues.astype(np.uint32)


def signatures(texts) -> list[np.ndarray]:
    """The signature of each text (what a run's worker computes for `Index.mark`)."""
    return [signature(_) for _ in texts]


def band_hashes(values: np.ndarray) -> np.ndarray:
    """One 64-bit hash per band of a signature (the band's number is part of the hash)."""
    bands = values.astype(np.uint64).reshape(BANDS, ROWS)
    mixed = np.arange(BANDS, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    for column in range(ROWS):   # FNV-style mixing of the band's values, vectorised over bands
        mixed = (mixed ^ bands[:, column]) * np.uint64(0x100000001B3)
    return mixed.view(np.int64)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """The estimated Jaccard similarity of two signatures."""
    return float(np.mean(a == b))


def earliest(published: str | None, doc_id: str) -> tuple:
    """Sort key of a copy: dated ones first by date, then by doc_id, never by arrival: with several
    workers chunks arrive in any order, and the first copy must not depend on it (a later-arriving
    first copy relinks the committed ones, Index.settle)."""
    return (published is None or published == '', published or '', doc_id)


class Index:
    """The index of the stories held by an output folder: find copies, then append a batch."""

    def __init__(self, out: str | os.PathLike):
        self.root = os.fspath(out).rstrip('/')
        self.pending: list[tuple[pd.DataFrame, pd.DataFrame]] = []

    def path(self, kind: str) -> str:
        return f'{self.root}/{FOLDER}/{kind}'

    def table(self, kind: str):
        """The Delta table of `kind`, or None before the first batch."""
        from deltalake import DeltaTable

        from pipeline.store.tables import storage_options
        path = self.path(kind)
        if not DeltaTable.is_deltatable(path, storage_options=storage_options(path)):
            return None
        return DeltaTable(path, storage_options=storage_options(path))

    def scan(self, kind: str, column: str, values, columns=None) -> pa.Table | None:
        """The rows of `kind` whose `column` is one of `values` (None before the first batch). The table is
        read in slabs of SLAB rows, each filtered as it comes: on a 50,000-article index that is five times
        faster than a dataset filter of a few thousand values, and the memory it takes is what matches,
        not the whole index (which grows with the store)."""
        table = self.table(kind)
        if table is None:
            return None
        wanted = None if columns is None else list(dict.fromkeys([*columns, column, 'seq']))
        dataset = table.to_pyarrow_dataset()
        schema = dataset.schema if wanted is None else pa.schema([dataset.schema.field(_) for _ in wanted])
        values, parts, slab = pa.array(values), [], []

        def keep(batches):
            if batches:
                read = pa.Table.from_batches(batches, schema=schema)
                parts.append(read.filter(pc.is_in(read[column], value_set=values)))
        for batch in dataset.to_batches(columns=wanted):
            slab.append(batch)
            if sum(_.num_rows for _ in slab) >= SLAB:
                keep(slab)
                slab = []
        keep(slab)
        return pa.concat_tables(parts) if parts else schema.empty_table()

    def rows(self, kind: str, column: str, values, columns=None) -> pd.DataFrame | None:
        """`scan` as pandas, the newest batch last."""
        found = self.scan(kind, column, values, columns)
        if found is None:
            return None
        return found.to_pandas().sort_values('seq', kind='stable')[columns or found.column_names]

    def candidates(self, bands: list[np.ndarray], ids: list[str], committed) -> tuple[list[np.ndarray], list]:
        """For each document of a batch (its band hashes), the indexed documents that share a band with
        it, as numbers into the doc_id list returned with them: only those the store holds (`committed`),
        none of the batch's own `ids`. Worked on as arrays: a story with hundreds of copies gives a batch
        hundreds of thousands of band rows."""
        hashes = np.concatenate(bands)
        found = self.scan('bands', 'hash', np.unique(hashes), ['hash', 'doc_id'])
        if found is None or not len(found):
            return [np.empty(0, np.int64) for _ in bands], []
        encoded = found['doc_id'].combine_chunks().dictionary_encode()
        names = encoded.dictionary.to_pylist()
        mine = set(ids)
        wanted = np.array([_ not in mine and (committed is None or committed(_)) for _ in names], bool)
        pairs = pd.DataFrame({'position': np.repeat(np.arange(len(bands)), [len(_) for _ in bands]),
                              'hash': hashes}).merge(
            pd.DataFrame({'hash': found['hash'].to_numpy(), 'code': encoded.indices.to_numpy()}), on='hash')
        pairs = pairs[wanted[pairs['code'].to_numpy()]].drop_duplicates(['position', 'code'])
        pairs = pairs.sort_values('position', kind='stable')
        split = np.searchsorted(pairs['position'].to_numpy(), np.arange(1, len(bands)))
        return np.split(pairs['code'].to_numpy(dtype=np.int64), split), names

    def signatures(self, doc_ids) -> pd.DataFrame:
        """The newest signature row of each of `doc_ids`."""
        found = self.rows('signatures', 'doc_id', pa.array(sorted(doc_ids), pa.string())) if doc_ids else None
        if found is None:
            return pd.DataFrame(columns=['doc_id', 'published', 'story', 'signature'])
        return found.drop_duplicates('doc_id', keep='last').set_index('doc_id', drop=False)

    def members(self, stories: set[str]) -> pd.DataFrame:
        """The newest signature rows whose story is one of `stories` (to move them to an earlier copy):
        a document whose newest row names another story is no member, whatever its older rows say."""
        found = self.rows('signatures', 'story', pa.array(sorted(stories), pa.string()), ['doc_id']) \
            if stories else None
        if found is None or not len(found):
            return pd.DataFrame(columns=['doc_id', 'published', 'story', 'signature'])
        newest = self.signatures(set(found['doc_id']))
        return newest[newest['story'].isin(stories)].reset_index(drop=True)

    def mark(self, documents: pd.DataFrame, committed=None, values=None) -> pd.DataFrame:
        """`documents` with `duplicate_of` set against the index and each other; the batch is kept
        for `flush()` (call it before the rows are committed). `committed(doc_id)`: whether the store
        holds the document; indexed documents it does not hold (a killed run flushed them, then died
        before its commit) are no candidates, so a resumed run marks as an uninterrupted one.
        `values`: the documents' signatures (`signatures`, computed where the texts are: a run's
        workers), row for row; None: computed here from `documents['text']`."""
        if not len(documents):
            return documents
        ids = documents['doc_id'].tolist()
        dates = [None if pd.isna(_) else str(_) for _ in documents['published'].tolist()]
        values = signatures(documents['text']) if values is None else list(values)
        bands = [band_hashes(_) for _ in values]
        near, names = self.candidates(bands, ids, committed)
        used = np.unique(np.concatenate(near)) if near else np.empty(0, np.int64)
        known = self.signatures({names[_] for _ in used.tolist()})
        row_of = dict(zip(known['doc_id'], range(len(known))))
        matrix = np.frombuffer(b''.join(known['signature']), np.uint32).reshape(len(known), PERMUTATIONS)
        row_of_code = np.array([row_of.get(_, -1) for _ in names], np.int64)
        roots = set(known['story']) - set(known.index) - set(ids) if len(known) else set()
        if roots:   # the first copies of the candidates' stories, for their dates
            known = pd.concat([known, self.signatures(roots)])
        story_of = dict(zip(known['doc_id'], known['story']))
        date_of = {d: None if pd.isna(_) else _ for d, _ in zip(known['doc_id'], known['published'])}
        batch: dict[int, list[int]] = {}   # band hash -> positions in this batch indexed so far
        story = {}                          # doc_id -> story (its earliest copy), this batch and the index
        story_date = {}                     # story -> (published, doc_id) sort key
        moved: dict[str, str] = {}          # indexed story -> the earlier copy that now opens it
        order = sorted(range(len(ids)), key=lambda _: earliest(dates[_], ids[_]))
        duplicate_of = [None] * len(ids)
        for position in order:
            doc_id, mine = ids[position], values[position]
            stories = set()
            codes = near[position][row_of_code[near[position]] >= 0]
            if len(codes):   # the estimated similarity with every candidate at once
                similar = (matrix[row_of_code[codes]] == mine).mean(axis=1) >= JACCARD
                for other in (names[_] for _ in codes[similar].tolist()):
                    first = moved.get(story_of[other], story_of[other])
                    stories.add(first)
                    story_date.setdefault(first, earliest(date_of.get(first, date_of[other]), first))
            for hash_ in bands[position].tolist():
                for other in batch.get(hash_, ()):
                    if similarity(mine, values[other]) >= JACCARD:
                        stories.add(story[ids[other]])
            own = earliest(dates[position], doc_id)
            first = min(stories, key=lambda _: story_date[_]) if stories else doc_id
            if stories and own < story_date[first]:   # an earlier copy arrives late: it opens the story
                for old in stories:
                    moved[old] = doc_id
                first = doc_id
            story[doc_id] = first
            story_date.setdefault(first, own)
            duplicate_of[position] = first if first != doc_id else None
            for hash_ in bands[position].tolist():
                batch.setdefault(hash_, []).append(position)
        # copies of this batch whose story was opened later in the loop by an earlier copy
        for position, doc_id in enumerate(ids):
            first = story[doc_id]
            while first in moved and moved[first] != first:
                first = moved[first]
            story[doc_id] = first
            duplicate_of[position] = first if first != doc_id else None
        self.stage(ids, dates, values, bands, story, moved)
        marked = documents.copy()
        # the column keeps the type the schema check gave it (tables read back compare equal)
        marked['duplicate_of'] = pd.Series(duplicate_of, index=documents.index,
                                           dtype=documents['duplicate_of'].dtype)
        return marked

    def stage(self, ids, dates, values, bands, story, moved) -> None:
        rows = pd.DataFrame({
            'doc_id': ids, 'published': dates, 'story': [story[_] for _ in ids],
            'signature': [_.tobytes() for _ in values],
        })
        if moved:   # indexed members of stories that an earlier copy now opens
            members = self.members(set(moved))
            members = members[~members['doc_id'].isin(ids)].copy()
            members['story'] = [moved.get(_, _) for _ in members['story']]
            rows = pd.concat([members[rows.columns], rows], ignore_index=True)
        band_rows = pd.DataFrame({
            'band': np.tile(np.arange(BANDS, dtype=np.int16), len(ids)),
            'hash': np.concatenate(bands), 'doc_id': np.repeat(np.array(ids, dtype=object), BANDS),
        })
        self.pending.append((band_rows, rows))

    def flush(self) -> None:
        """Append the marked batches to the index (one Delta append per kind, `seq` the next number)."""
        if not self.pending:
            return
        from deltalake import write_deltalake

        from pipeline.store.tables import storage_options
        band_rows = pd.concat([_[0] for _ in self.pending], ignore_index=True)
        rows = pd.concat([_[1] for _ in self.pending], ignore_index=True)
        table = self.table('signatures')
        seq = 0 if table is None else table.version() + 1
        for kind, frame in (('bands', band_rows), ('signatures', rows)):
            frame = frame.assign(seq=np.int64(seq))
            appended = pa.Table.from_pandas(frame[SCHEMAS[kind].names], schema=SCHEMAS[kind],
                                            preserve_index=False)
            write_deltalake(self.path(kind), appended, mode='append',
                            storage_options=storage_options(self.path(kind)))
        self.pending = []

    def settle(self, store) -> int:
        """`documents.duplicate_of` of the committed documents of `store` (a tables.Store) set to their
        story in the index, for the documents with signature rows appended since the last settle; then
        the index records that it got this far. Returns how many rows were rewritten (module docstring:
        why this comes at the end of a run, and not after each batch)."""
        from deltalake import CommitProperties, Transaction, write_deltalake
        table = self.table('signatures')
        if table is None:
            return 0
        version, done = table.version(), table.transaction_version(SETTLED)
        rows = table.to_pyarrow_dataset().to_table(
            columns=['doc_id', 'story', 'seq'], filter=pc.field('seq') > (-1 if done is None else done))
        if not len(rows):
            return 0
        rows = rows.to_pandas().sort_values('seq', kind='stable').drop_duplicates('doc_id', keep='last')
        story = dict(zip(rows['doc_id'], rows['story']))
        current = store.where('documents', ['doc_id', 'duplicate_of'], 'doc_id', sorted(story))
        wrong = {doc_id: (None if story[doc_id] == doc_id else story[doc_id])
                 for doc_id, first in zip(current['doc_id'].to_pylist(), current['duplicate_of'].to_pylist())
                 if (first or doc_id) != story[doc_id]}
        if wrong:
            source = pa.table({'doc_id': pa.array(list(wrong), pa.string()),
                               'duplicate_of': pa.array(list(wrong.values()), pa.string())})
            store.delta('documents').merge(source, 't.doc_id = s.doc_id', source_alias='s',
                                           target_alias='t').when_matched_update(
                {'duplicate_of': 's.duplicate_of'}).execute()
        marker = CommitProperties(app_transactions=[Transaction(SETTLED, version)])
        write_deltalake(table, SCHEMAS['signatures'].empty_table(), mode='append', commit_properties=marker)
        return len(wrong)


def stories(out: str | os.PathLike) -> dict[str, str]:
    """doc_id -> the doc_id of its story's earliest copy (itself when it is the first), from the index."""
    table = Index(out).table('signatures')
    if table is None:
        return {}
    frame = table.to_pyarrow_dataset().to_table(columns=['doc_id', 'story', 'seq']).to_pandas()
    frame = frame.sort_values('seq', kind='stable')
    frame = frame.drop_duplicates('doc_id', keep='last')
    return dict(zip(frame['doc_id'], frame['story']))


def count_stories(doc_ids, story: dict[str, str]) -> int:
    """How many stories `doc_ids` tell: syndicated copies count once (the registry's `n_articles`)."""
    return len({story.get(_, _) for _ in doc_ids})
