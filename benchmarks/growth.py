"""What a batch of new articles costs as the output folder grows: the same 128 new articles into
folders of 0, 8,000 and 50,000 articles.

    python benchmarks/growth.py [--sizes 0,8000,50000] [--new 128] [--workers 2] [--work DIR]

The folders are made once under `--work` (default /tmp/growth) and reused by later runs of this
script; each measured run writes into a fresh copy. A folder of N articles is built without running
NER on N texts: the seeds and the factRuEval dev texts are run through the pipeline once, and their
rows (every table) are copied for N articles, each with a new doc_id, a line of its own at the end of
its text (so its own sha256; every offset still holds) and the ids of its mentions, entities and roles
renamed; they are committed 128 articles per chunk, as a run commits them, and the registry is brought
up to date every 2,000 articles, as daily runs would. The index of syndicated copies
(store/duplicates.py) is built from the same rows, one part per chunk as runs append it: the MinHash
signature of each copied text, whose story is the first copy of its source text (so each source text
is a story of about N/117 copies, and `documents.duplicate_of` says so, as a run would have written it).
The measured run is the real thing: `python -m pipeline run NEW --out COPY --workers W` in a
subprocess; it prints its wall time and the peak resident memory of its main process (psutil, sampled
every 50 ms). For the largest folder the same run is also measured with `--no-duplicates`, interleaved,
and the ratio of the medians printed (the cost of duplicate detection; target <= 1.10). Figures, not
asserts.
"""

from __future__ import annotations

import os

for _ in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ.setdefault(_, '1')   # one core per process, as benchmarks/scale.py

import argparse
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
FACTRU = ROOT.parent / 'shared' / 'factru-devset'
MB = 1024 * 1024
CHUNK = 128
REGISTRY_EVERY = 2000


def sources() -> list[Path]:
    return sorted((ROOT / 'seeds').glob('*.txt')) + (sorted(FACTRU.glob('*.txt')) if FACTRU.is_dir() else [])


def write_new(folder: Path, count: int) -> Path:
    """`count` new articles, unique copies of the seed and factRuEval texts."""
    if folder.is_dir() and len(list(folder.glob('*.txt'))) == count:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    files = sources()
    for number in range(count):
        text = files[number % len(files)].read_text(encoding='utf-8')
        (folder / f'new_{number:05d}.txt').write_text(text + f'\n\nНовый материал № {number + 1}.\n',
                                                      encoding='utf-8')
    return folder


def templates():
    """Rows of every table for each source text, as Arrow tables, by doc_id."""
    import pyarrow as pa

    from pipeline.batch import ingest
    from pipeline.batch.runner import process_chunk
    from pipeline.store.rows import TABLES
    docs = list(ingest.read_inputs([str(_) for _ in sources()]))
    docs = [_ for _ in docs if hasattr(_, 'text')]
    frames = {}
    for start in range(0, len(docs), 32):
        found = process_chunk(docs[start:start + 32])
        for name in TABLES:
            frames.setdefault(name, []).append(found[name])
    import pandas as pd
    merged = {name: pd.concat(parts, ignore_index=True) for name, parts in frames.items()}
    ids = list(merged['documents']['doc_id'])
    by_doc = {doc_id: {name: pa.Table.from_pandas(frame[frame['doc_id'] == doc_id], preserve_index=False)
                       for name, frame in merged.items() if name != 'errors'} for doc_id in ids}
    return ids, by_doc


ID_COLUMNS = {'mentions': ['mention_id', 'entity_id'], 'entities': ['entity_id'], 'persons': ['entity_id'],
              'organisations': ['entity_id'], 'places': ['entity_id'], 'dates': ['mention_id'],
              'numbers': ['mention_id'], 'roles': ['role_id', 'person_entity_id', 'org_entity_id']}


def first_copy(number: int, ids: list[str]) -> str:
    """doc_id of the first copy of the source text of article `number` (the story it belongs to)."""
    return f'a{number % len(ids):06d}'


def chunk_rows(numbers: range, ids: list[str], by_doc: dict) -> dict:
    """Rows of articles `numbers`: copies of the templates, renamed; `duplicate_of` the first copy."""
    import pyarrow as pa

    from pipeline.store.rows import TABLES, sha256
    from pipeline.store.tables import empty
    picked = [(f'a{number:06d}', ids[number % len(ids)]) for number in numbers]
    out = {}
    for name in TABLES:
        if name == 'errors':
            out[name] = empty('errors')
            continue
        parts = []
        for new, old in picked:
            table = by_doc[old][name]
            if not len(table):
                continue
            columns = {}
            for column in table.column_names:
                values = table[column].to_pylist()
                if column == 'doc_id':
                    values = [new] * len(values)
                elif column in ID_COLUMNS.get(name, ()):
                    values = [None if _ is None else new + _[len(old):] for _ in values]
                elif name == 'documents' and column == 'source':
                    values = [f'growth/{new}.txt']
                columns[column] = pa.array(values, table.schema.field(column).type)
            if name == 'documents':
                first = first_copy(int(new[1:]), ids)
                columns['duplicate_of'] = pa.array([None if first == new else first], pa.string())
                text = columns['text'].to_pylist()[0] + f'\n\nМатериал № {new}.\n'
                columns['text'] = pa.array([text], pa.string())
                columns['n_chars'] = pa.array([len(text)], pa.int64())
                columns['sha256'] = pa.array([sha256(text)], pa.string())
            parts.append(pa.table(columns))
        table = pa.concat_tables(parts) if parts else None
        if name == 'documents':
            out[name] = table.to_pandas()
        else:
            out[name] = table if table is not None else empty(name)
    return out


def index_chunk(index, documents) -> None:
    """Stage the signatures and band hashes of a chunk's documents in the duplicate index, each in the
    story `duplicate_of` names (itself when empty), as a run's `Index.mark` would have found it."""
    from pipeline.store import duplicates
    ids = documents['doc_id'].tolist()
    values = [duplicates.signature(_) for _ in documents['text']]
    story = {doc_id: first if isinstance(first, str) and first else doc_id
             for doc_id, first in zip(ids, documents['duplicate_of'])}
    dates = [None if not isinstance(_, str) or not _ else _ for _ in documents['published']]
    index.stage(ids, dates, values, [duplicates.band_hashes(_) for _ in values], story, {})


def build(folder: Path, size: int) -> Path:
    """An output folder of `size` articles and its duplicate index (made once; reused when it is there)."""
    from pipeline.store import duplicates, registry_tables
    from pipeline.store.tables import Store
    marker = folder / 'BUILT'
    if (marker.exists() and (folder / duplicates.FOLDER).is_dir()) or size == 0:
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    ids, by_doc = templates()
    print(f'building {folder} ({size} articles from {len(ids)} processed texts)', flush=True)
    with Store.open(folder) as store:
        store.begin_run('local', 1, ['benchmarks/growth.py'])
        index = duplicates.Index(folder)
        for start in range(0, size, CHUNK):
            rows = chunk_rows(range(start, min(size, start + CHUNK)), ids, by_doc)
            index_chunk(index, rows['documents'])
            index.flush()
            store.commit(rows)
            if start // REGISTRY_EVERY != (start + CHUNK) // REGISTRY_EVERY or start + CHUNK >= size:
                registry_tables.update(store)
                print(f'  {min(size, start + CHUNK)} articles, {time.perf_counter() - started:.0f} s',
                      flush=True)
        assert index.settle(store) == 0   # documents.duplicate_of says what the index says
        store.finish('finished')
    marker.write_text(f'{size}\n')
    return folder


def measure(new: Path, out: Path, workers: int, duplicates: bool = True) -> tuple[float, float, str]:
    """(wall seconds, peak RSS of the main process in MB, summary line) of one run."""
    command = [sys.executable, '-m', 'pipeline', 'run', str(new), '--out', str(out), '--quiet',
               '--workers', str(workers)] + ([] if duplicates else ['--no-duplicates'])
    peak, done = [0], threading.Event()
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def sample():
        watched = psutil.Process(process.pid)
        while not done.is_set():
            try:
                peak[0] = max(peak[0], watched.memory_info().rss)
            except psutil.Error:
                return
            time.sleep(0.05)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = process.communicate()
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f'run failed:\n{stderr}')
    return wall, peak[0] / MB, stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--sizes', default='0,8000,50000', help='articles in the folders (comma-separated)')
    parser.add_argument('--new', type=int, default=128, help='new articles added to each (default 128)')
    parser.add_argument('--workers', type=int, default=2, help='worker processes of the measured runs')
    parser.add_argument('--work', default='/tmp/growth', help='where the folders are made and kept')
    parser.add_argument('--repeat', type=int, default=3,
                        help='measured runs per size, interleaved across sizes; '
                             'the median is shown (default 3)')
    parser.add_argument('--build-only', action='store_true', help='make the folders, measure nothing')
    parser.add_argument('--no-comparison', action='store_true',
                        help='do not measure the largest folder again with --no-duplicates')
    args = parser.parse_args()
    work = Path(args.work)
    sizes = [int(_) for _ in args.sizes.split(',')]
    new = write_new(work / 'new', args.new)
    bases = {size: build(work / f'base-{size}', size) for size in sizes}
    if args.build_only:
        return
    largest = max(sizes)
    plan = [(size, True) for size in sizes] + ([(largest, False)] if not args.no_comparison else [])
    found: dict[tuple[int, bool], list[tuple[float, float]]] = {_: [] for _ in plan}
    for _attempt in range(args.repeat):      # interleaved: a busy spell of the machine hits every size
        for size, duplicates in plan:
            copy = work / f'run-{size}'
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(bases[size], copy, ignore=shutil.ignore_patterns('BUILT', '.lock'))
            wall, rss, line = measure(new, copy, args.workers, duplicates)
            found[size, duplicates].append((wall, rss))
            print(f'{size:>7} articles before{"" if duplicates else ", --no-duplicates"}: {wall:6.1f} s, '
                  f'main process peak RSS {rss:6.0f} MB   ({line})', flush=True)
            shutil.rmtree(copy, ignore_errors=True)
    median = {key: (statistics.median(_[0] for _ in runs), statistics.median(_[1] for _ in runs))
              for key, runs in found.items()}
    base_wall, base_rss = median[sizes[0], True]
    print(f'\n{args.new} new articles, {args.workers} workers, {os.cpu_count()} cores, '
          f'median of {args.repeat} runs; load average now {os.getloadavg()[0]:.1f}')
    print('| output folder before the run | wall time | × empty | peak RSS (main) | − empty |')
    print('|---|---|---|---|---|')
    for size in sizes:
        wall, rss = median[size, True]
        print(f'| {size:,} articles | {wall:.1f} s | {wall / base_wall:.2f} | {rss:.0f} MB '
              f'| {rss - base_rss:+.0f} MB |')
    if (largest, False) in median:
        (on, on_rss), (off, off_rss) = median[largest, True], median[largest, False]
        pairs = zip(found[largest, True], found[largest, False])
        walls = ', '.join(f'{a[0]:.1f}/{b[0]:.1f}' for a, b in pairs)
        print(f'\nduplicate detection into {largest:,} articles: {on:.1f} s with, {off:.1f} s without '
              f'(--no-duplicates): ratio {on / off:.3f} (target <= 1.10); peak RSS {on_rss:.0f} MB with, '
              f'{off_rss:.0f} MB without; the runs, with/without: {walls} s')

if __name__ == '__main__':
    main()
