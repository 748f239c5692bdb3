"""Batch runs at scale: throughput per worker count, memory, rerun, Dask, in one run.

    python benchmarks/scale.py [--docs 2000] [--large 8000] [--no-dask] [--work DIR]
    python benchmarks/scale.py --workers 1,2,4,8,16 --per-worker 1000 [--work DIR]

Builds a corpus of `--docs` articles from the seeds and the factRuEval dev
texts in ../shared/factru-devset (the seeds alone when it is absent), each
copy given a line of its own so that every article has its own sha256, and
a `--large` one for the memory check. Then measures, on the same machine:

- the natasha segment+NER baseline, in this process (documents/s);
- `python -m pipeline run` with 1 and 2 workers (local engine), wall time
  from start to exit, and the scaling ratio; tables compared for equality;
  the same on the `--large` corpus, where fixed costs weigh less;
- peak resident memory of each process of a run (psutil, sampled every
  100 ms): the largest other process (a worker, or the fork server the
  workers are forked from, which holds the same models; for 1 worker, the
  main process is the worker), and the main process; for `--docs` and
  `--large` articles;
- a rerun with nothing new (seconds);
- the Dask engine on a local two-worker cluster, beside the local engine;
- for every run, the main process's CPU seconds beside the other processes'
  (the workers and the fork server) and as a share of the workers'
  capacity (workers x wall seconds; target <= 3 % for 2 workers on 4,000
  articles), and the main process's peak RSS (target < 300 MB).

`--workers 1,2,4,8,16 --per-worker 1000` measures weak scaling instead: for
each worker count W a corpus of W x per-worker articles, one run with W
workers, one row per W printed as soon as it is measured (docs/s, per worker
÷ the natasha baseline measured first in the same run, the main process's
CPU share and peak RSS). It needs nothing but the repository (../shared is
used when it is there, else the seeds).

Beside wall-clock figures it prints CPU seconds (user + system, every
process of the run) and the load average while it ran: on a shared machine
documents per CPU-second hold when wall-clock figures do not.

Every process uses one BLAS thread (OPENBLAS_NUM_THREADS=1, set below for
this process and inherited by the runs), so one worker is one core and the
baseline is measured on one core too; one extra row shows 1 worker with
two BLAS threads (numpy's default on this machine). Figures, not asserts: timing is never checked by tests.
"""

from __future__ import annotations

import os

for _ in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ.setdefault(_, '1')   # before numpy is imported: one core per process

import argparse
import json
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
FACTRU = ROOT.parent / 'shared' / 'factru-devset'
MB = 1024 * 1024


def texts() -> tuple[list[str], str]:
    seeds = sorted((ROOT / 'seeds').glob('*.txt'))
    factru = sorted(FACTRU.glob('*.txt')) if FACTRU.is_dir() else []
    found = [_.read_text(encoding='utf-8') for _ in seeds + factru]
    return found, f'{len(seeds)} seeds + {len(factru)} factRuEval dev texts'


def build_corpus(folder: Path, size: int, originals: list[str]) -> int:
    """`size` articles: the originals in turn, each copy with a line of its own. Returns characters."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    chars = 0
    for number in range(size):
        text = originals[number % len(originals)].rstrip('\n') + f'\n\nВыпуск № {number + 1}.\n'
        (folder / f'article_{number:05d}.txt').write_text(text, encoding='utf-8')
        chars += len(text)
    return chars


class Peaks(threading.Thread):
    """Peak RSS and CPU seconds of a process and of each of its descendants, sampled."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.peaks: dict[int, int] = {}
        self.cpu: dict[int, float] = {}
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            try:
                processes = [self.root] + self.root.children(recursive=True)
            except psutil.NoSuchProcess:
                return
            for process in processes:
                try:
                    rss = process.memory_info().rss
                    times = process.cpu_times()
                except psutil.Error:
                    continue
                self.peaks[process.pid] = max(rss, self.peaks.get(process.pid, 0))
                self.cpu[process.pid] = times.user + times.system
            time.sleep(0.1)


def pipeline_run(corpus: Path, out: Path, *options: str, env: dict | None = None, fresh: bool = True) -> dict:
    """Run the CLI; wall seconds, peak RSS of the main process and of the largest other process."""
    if fresh:
        shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, '-m', 'pipeline', 'run', str(corpus), '--out', str(out), '--quiet', *options]
    cpu = cpu_seconds()
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=env)
    peaks = Peaks(process.pid)
    peaks.start()
    stdout, stderr = process.communicate()
    seconds = time.perf_counter() - started
    cpu = cpu_seconds() - cpu
    load = os.getloadavg()[0]
    peaks.done.set()
    peaks.join()
    # workers forked from the fork server are not waited for by the run, so getrusage misses them:
    # the sampled CPU seconds of every process of the run count too (each up to 100 ms short)
    cpu = max(cpu, sum(peaks.cpu.values()))
    if process.returncode:
        raise SystemExit(f'{" ".join(command)} failed:\n{stderr}')
    main = peaks.peaks.pop(process.pid, 0)
    others = max(peaks.peaks.values(), default=0)
    main_cpu = peaks.cpu.pop(process.pid, 0.0)
    # wall time on free cores, from CPU seconds: the busiest worker, plus all the main process did
    # (as if none of it overlapped the workers: an upper bound)
    free = main_cpu + max(peaks.cpu.values(), default=0.0)
    return dict(seconds=seconds, cpu=cpu, free=free, load=load, main_mb=main / MB,
                worker_mb=(others or main) / MB, summary=stdout.strip(), main_cpu=main_cpu,
                others_cpu=sum(peaks.cpu.values()))


def workers_of(options) -> int:
    options = list(options)
    return int(options[options.index('--workers') + 1]) if '--workers' in options else os.cpu_count()


def main_share(found: dict, workers: int) -> str:
    """The main process's CPU seconds beside the others', and as a share of workers x wall seconds."""
    share = found['main_cpu'] / (workers * found['seconds'])
    # on a loaded machine the wall time stretches and the share shrinks: the share of the CPU time
    # of the whole run holds (on free cores, wall ~ the workers' CPU / workers)
    whole = found['main_cpu'] / max(found['main_cpu'] + found['others_cpu'], 1e-9)
    return (f'main process {found["main_cpu"]:.1f} CPU-s, workers and fork server {found["others_cpu"]:.1f} '
            f'CPU-s, {found["seconds"]:.1f} s wall: main = {100 * share:.1f} % of {workers} x wall '
            f'(target <= 3 %), {100 * whole:.1f} % of the run\'s CPU seconds; main peak RSS '
            f'{found["main_mb"]:.0f} MB (target < 300), largest worker {found["worker_mb"]:.0f} MB; '
            f'load {found["load"]:.1f}')


def cpu_seconds() -> float:
    """User + system time of the finished child processes (and the processes they waited for)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def time_baseline(originals: list[str], size: int) -> tuple[float, float]:
    """natasha segment+NER over the corpus texts: (seconds with start-up, without)."""
    sys.path.insert(0, str(ROOT / 'benchmarks'))
    from throughput import time_natasha
    corpus = [originals[_ % len(originals)] + f'\n\nВыпуск № {_ + 1}.\n' for _ in range(size)]
    total, work, _ = time_natasha(corpus, normalise=False)   # (with start-up, without, CPU seconds)
    return total, work


def same_tables(a: Path, b: Path) -> bool:
    import pandas as pd

    from pipeline import load_tables
    from pipeline.store import rows as tables
    left, right = load_tables(a), load_tables(b)
    for name in tables.TABLES:
        keys = list(left[name].columns)
        try:
            pd.testing.assert_frame_equal(left[name].sort_values(keys, ignore_index=True),
                                          right[name].sort_values(keys, ignore_index=True))
        except AssertionError:
            return False
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--docs', type=int, default=2000, help='articles in the main corpus (default 2000)')
    parser.add_argument('--large', type=int, default=8000,
                        help='articles in the memory-check corpus (default 8000; 0 skips it)')
    parser.add_argument('--no-dask', action='store_true', help='skip the Dask engine')
    parser.add_argument('--repeat', type=int, default=1,
                        help='runs of 1 and 2 workers, alternated; the fastest counts (default 1)')
    parser.add_argument('--work', type=Path, default=Path('/tmp/ru-news-facts-scale'),
                        help='folder for the corpora and outputs (default /tmp/ru-news-facts-scale)')
    parser.add_argument('--workers', help='weak scaling: worker counts, e.g. 1,2,4,8,16 (see above)')
    parser.add_argument('--per-worker', type=int, default=1000,
                        help='weak scaling: articles per worker (default 1000)')
    args = parser.parse_args()
    if args.workers:
        weak_scaling(args)
        return

    originals, origin = texts()
    corpus = args.work / f'corpus-{args.docs}'
    chars = build_corpus(corpus, args.docs, originals)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()
    print(f'corpus: {args.docs} articles ({origin}, each copy with a line of its own), {chars:,} characters; '
          f'{cores} cores; one BLAS thread per process', flush=True)

    cpu = time.process_time()
    total, work = time_baseline(originals, args.docs)
    cpu = time.process_time() - cpu
    base, base_cpu = args.docs / total, args.docs / cpu
    rows = [('natasha segment+NER, 1 process', args.docs / total, args.docs / cpu, None, None, total,
             os.getloadavg()[0])]
    print(f'baseline: {base:.1f} docs/s with start-up ({args.docs / work:.1f} without), '
          f'{base_cpu:.1f} docs/CPU-s', flush=True)

    runs = {}
    for name, options, env in (
        ('local, 1 worker', ['--workers', '1'], None),
        ('local, 2 workers', ['--workers', '2'], None),
        ('local, 1 worker, 2 BLAS threads', ['--workers', '1'],
         dict(os.environ, OMP_NUM_THREADS='2', OPENBLAS_NUM_THREADS='2', MKL_NUM_THREADS='2')),
        *([] if args.no_dask
          else [('dask, local cluster of 2 workers', ['--engine', 'dask', '--workers', '2'], None)]),
    ):
        out = args.work / ('out-' + name.replace(' ', '').replace(',', '-'))
        repeats = args.repeat if name in ('local, 1 worker', 'local, 2 workers') else 1
        tries = [pipeline_run(corpus, out, *options, env=env) for _ in range(repeats)]
        runs[name] = dict(min(tries, key=lambda _: _['seconds']), out=out,
                          tries=[_['seconds'] for _ in tries])
        found = runs[name]
        rows.append((f'ours: {name}', args.docs / found['seconds'], args.docs / found['cpu'],
                     found['worker_mb'], found['main_mb'], found['seconds'], found['load']))
        print(f'{name}: {found["summary"]}', flush=True)
        print(f'  {main_share(found, workers_of(options))}', flush=True)

    rerun = pipeline_run(corpus, runs['local, 2 workers']['out'], '--workers', '2', fresh=False)
    print(f'rerun: {rerun["summary"]}', flush=True)
    print(f'  {main_share(rerun, 2)}', flush=True)

    large = None
    if args.large:
        large_corpus = args.work / f'corpus-{args.large}'
        build_corpus(large_corpus, args.large, originals)
        large = pipeline_run(large_corpus, args.work / 'out-large', '--workers', '2')
        rows.append((f'ours: local, 2 workers, {args.large} articles', args.large / large['seconds'],
                     args.large / large['cpu'], large['worker_mb'], large['main_mb'], large['seconds'],
                     large['load']))
        print(f'large: {large["summary"]}', flush=True)
        print(f'  {main_share(large, 2)}', flush=True)
        large_rerun = pipeline_run(large_corpus, args.work / 'out-large', '--workers', '2', fresh=False)
        large_one = pipeline_run(large_corpus, args.work / 'out-large-1', '--workers', '1')
        print(f'large, 1 worker: {large_one["summary"]}', flush=True)
        print(f'  {main_share(large_one, 1)}', flush=True)
        rows.append((f'ours: local, 1 worker, {args.large} articles', args.large / large_one['seconds'],
                     args.large / large_one['cpu'], large_one['worker_mb'], large_one['main_mb'],
                     large_one['seconds'], large_one['load']))

    one, two = runs['local, 1 worker'], runs['local, 2 workers']
    equal_workers = same_tables(one['out'], two['out'])
    equal_dask = (None if args.no_dask
                  else same_tables(runs['dask, local cluster of 2 workers']['out'], two['out']))

    print()
    print(f'{"system":48} {"docs/s":>7} {"×base":>6} {"docs/CPU-s":>10} {"×base":>6} {"worker MB":>9} '
          f'{"main MB":>7} {"wall s":>7} {"load":>5}')
    for name, rate, per_cpu, worker, main, seconds, load in rows:
        print(f'{name:48} {rate:7.1f} {rate / base:6.2f} {per_cpu:10.1f} {per_cpu / base_cpu:6.2f} '
              f'{worker or 0:9.0f} {main or 0:7.0f} {seconds:7.1f} {load:5.1f}')
    print('(docs/s: wall clock, start-up included; docs/CPU-s: all processes of the run; load: 1-minute load '
          'average at the end)')
    print()
    rate1, rate2 = args.docs / one['seconds'], args.docs / two['seconds']
    print(f'scaling 1 -> 2 workers: {rate2 / rate1:.2f}x wall clock (target >= 1.7 on 2 cores; best of '
          f'{args.repeat}: {one["tries"]} s vs {two["tries"]} s); on free cores, from CPU seconds: '
          f'{one["free"] / two["free"]:.2f}x ({one["free"]:.1f} s vs {two["free"]:.1f} s); '
          f'CPU seconds of 2 workers {two["cpu"] / one["cpu"]:.2f}x those of 1 (parallel overhead)')
    if large:   # the fixed costs (start-up, each worker's cold caches, registry and export) weigh less
        print(f'scaling 1 -> 2 workers on {args.large} articles: '
              f'{large_one["seconds"] / large["seconds"]:.2f}x wall clock '
              f'({large_one["seconds"]:.1f} s vs {large["seconds"]:.1f} s)')
    print(f'ours per worker / baseline: {rate1 / base:.2f} wall clock with 1 worker, '
          f'{rate2 / 2 / base:.2f} with 2; '
          f'{args.docs / one["cpu"] / base_cpu:.2f} per CPU-second (target >= 0.6)')
    memory = f'peak RSS per worker: {two["worker_mb"]:.0f} MB at {args.docs} articles'
    if large:
        memory += (f', {large["worker_mb"]:.0f} MB at {args.large} (main process {two["main_mb"]:.0f} -> '
                   f'{large["main_mb"]:.0f} MB)')
    print(memory + ' (target <= 600 MB, flat)')
    print(f'rerun with nothing new, {args.docs} articles: {rerun["seconds"]:.2f} s (target <= 3 s)'
          + (f'; {args.large} articles: {large_rerun["seconds"]:.2f} s' if large else ''))
    if not args.no_dask:
        dask = runs['dask, local cluster of 2 workers']
        print(f'dask local 2 workers: {args.docs / dask["seconds"]:.1f} docs/s beside local 2 workers '
              f'{rate2:.1f} docs/s')
    print(f'tables equal: 1 vs 2 workers {equal_workers}'
          + ('' if equal_dask is None else f'; dask vs local {equal_dask}'))
    (args.work / 'results.json').write_text(json.dumps(
        dict(rows=rows, rerun=rerun['seconds'],
             runs={k: {**v, 'out': str(v['out'])} for k, v in runs.items()},
             scaling=rate2 / rate1, equal_workers=equal_workers, equal_dask=equal_dask),
        default=str, indent=1), encoding='utf-8')


def weak_scaling(args) -> None:
    """One run per worker count over per-worker x workers articles; a row printed as each is measured."""
    counts = [int(_) for _ in args.workers.split(',') if _.strip()]
    originals, origin = texts()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()
    print(f'weak scaling: {args.per_worker} articles per worker ({origin}, each copy with a line of its '
          f'own); {cores} cores; one BLAS thread per process', flush=True)
    total, work = time_baseline(originals, args.per_worker)
    base = args.per_worker / total
    print(f'natasha segment+NER baseline, 1 process, {args.per_worker} articles: {base:.1f} docs/s with '
          f'start-up ({args.per_worker / work:.1f} without)', flush=True)
    print(f'{"workers":>7} {"articles":>8} {"wall s":>7} {"docs/s":>7} {"per worker ÷ natasha":>20} '
          f'{"main CPU-s":>10} {"others CPU-s":>12} {"main share":>10} {"of CPU-s":>10} {"main MB":>7} '
          f'{"worker MB":>9} '
          f'{"load":>5}', flush=True)
    for workers in counts:
        size = workers * args.per_worker
        corpus = args.work / f'corpus-{size}'
        build_corpus(corpus, size, originals)
        found = pipeline_run(corpus, args.work / f'out-weak-{workers}', '--workers', str(workers))
        rate = size / found['seconds']
        share = found['main_cpu'] / (workers * found['seconds'])
        whole = found['main_cpu'] / max(found['main_cpu'] + found['others_cpu'], 1e-9)
        print(f'{workers:7d} {size:8d} {found["seconds"]:7.1f} {rate:7.1f} {rate / workers / base:20.2f} '
              f'{found["main_cpu"]:10.1f} {found["others_cpu"]:12.1f} {100 * share:9.1f}% '
              f'{100 * whole:9.1f}% {found["main_mb"]:7.0f} {found["worker_mb"]:9.0f} {found["load"]:5.1f}',
              flush=True)
        shutil.rmtree(corpus, ignore_errors=True)
        shutil.rmtree(args.work / f'out-weak-{workers}', ignore_errors=True)


if __name__ == '__main__':
    main()
