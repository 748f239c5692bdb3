"""Engines: where chunks of documents are processed.

`local` runs chunks in this process (one worker, or a run that fits in one
chunk) or in a pool of worker processes; `dask` sends them to a
dask.distributed cluster (a local one when no scheduler address is given).
Either way each worker process gets ready once, by importing the module it is
given (`PRELOAD`: the models loaded, the grammars compiled; this module never
imports the pipeline itself), at most two chunks per worker are in flight, so memory is bounded by the
chunk size and not by the corpus, and results come back to this process,
which alone commits to the tables. What a chunk is, is the caller's: the
runner sends work units (batch/units.py), which workers read from the input
folders, and workers write data files into the output folder that this
process then commits (store/tables.py); `call` runs one last task (the
registry update) in a worker.

A chunk whose worker process dies (the OOM killer, a crash in native code) is narrowed: retried in
halves, one part at a time in a fresh pool (Dask: once the scheduler gives it up, `KilledWorker`),
down to the document(s) that kill workers, which the caller's `lost` turns into results of their own
(the runner: `errors` rows); the other chunks go on. A Dask cluster left without any worker for
`WORKER_WAIT` seconds ends the run with `EngineError`. Every Dask task checks its worker's pipeline version
against ours (`checked`): a worker of another version, even one that joins mid-run, is refused (retired
from the cluster) and its chunk sent again elsewhere, so no row is labelled with a version that did not
compute it. Ctrl-C while chunks are in a pool or on a
cluster: the results already back are still handed out (the runner commits them), the workers are
stopped, and `KeyboardInterrupt` is raised within a second; a second Ctrl-C stops at once.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from importlib import import_module
from importlib.util import find_spec
from itertools import chain, islice
from multiprocessing import get_context

THREAD_VARIABLES = ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS')
IN_FLIGHT = 2        # chunks per worker submitted ahead: one running, one waiting
# documents per chunk: the unit sent to a worker and committed to the output. Each chunk costs a
# fixed overhead (schema checks of ten tables, a commit, pickling) and memory grows with it; the
# trade-off is measured by benchmarks/scale.py.
CHUNK_SIZE = 128
# the module a worker imports once to get ready (it calls runner.warm: models loaded, grammars compiled);
# callers pass it to `start`, by name, so that this module never imports the pipeline
PRELOAD = 'pipeline.batch.preload'
DASK_MISSING = ("the dask engine needs Dask, an optional dependency: pip install 'ru-news-facts[dask]' "
                "(or, in a clone, pip install -e '.[dask]')")


# seconds a Dask run waits while its cluster has no worker at all before it ends (PIPELINE_WORKER_WAIT)
WORKER_WAIT = 60.0
logger = logging.getLogger(__name__)
POLL = 0.2           # seconds between looks at Ctrl-C (and at the cluster's workers) while waiting
STOPPING = (b'\nstopping (Ctrl-C): the chunks that have finished are committed, the others dropped '
            b'(the same command redoes them); Ctrl-C again to stop at once\n')


class EngineError(Exception):
    """The engine cannot run: unknown name, or workers of another pipeline version."""


class VersionError(Exception):
    """A Dask task reached a worker of another pipeline version: it computed nothing."""

    def __init__(self, worker: str, found: str, ours: str):
        super().__init__(worker, found, ours)   # the arguments travel back to the client (pickled)
        self.worker, self.found, self.ours = worker, found, ours

    def __str__(self):
        return f'dask worker {self.worker} runs pipeline {self.found}, the run {self.ours}'


def checked(ours: str, function: Callable, *args):
    """function(*args) on a Dask worker whose pipeline version is `ours`, else VersionError (a worker
    that joined after the start-up check, or was updated since: its rows would carry our version)."""
    found = version()
    if found != ours:
        from distributed import get_worker
        raise VersionError(get_worker().address, found, ours)
    return function(*args)


def cores() -> int:
    """CPU cores this process may use (the default number of workers)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


@contextmanager
def one_thread_per_worker():
    """While in the block, processes started use one BLAS thread each: N workers = N cores.

    numpy reads these variables when it is imported, so they act on new processes only; a value the
    user set is kept, and this process's environment is as before once the block ends.
    """
    saved = {name: os.environ.get(name) for name in THREAD_VARIABLES}
    for name in THREAD_VARIABLES:
        os.environ.setdefault(name, '1')
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def blas_threads():
    """This process's BLAS limited to OPENBLAS_NUM_THREADS threads (default 1) while in the block.

    The matrices are small: more threads hardly help, and on a busy machine their spinning hurts
    (CPU seconds and wall time with one thread and with numpy's default are measured by
    benchmarks/scale.py).
    """
    from threadpoolctl import threadpool_limits
    return threadpool_limits(int(os.environ.get('OPENBLAS_NUM_THREADS') or 1), user_api='blas')


def version() -> str:
    from pipeline import __version__
    return __version__


def alive(pid: int) -> bool:
    """Whether process `pid` runs (not gone, and on Linux not a zombie)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f'/proc/{pid}/stat', 'rb') as handle:
            return handle.read().rsplit(b')', 1)[1].split()[0] != b'Z'
    except (OSError, IndexError):
        return True


def start_worker(run: int, preload: str | None = None) -> None:
    """Pool worker start: Ctrl-C is the run's to handle; exit if the run's process `run` dies (a
    worker forked from the fork server is not its child); one BLAS thread (`blas_threads`); get
    ready by importing `preload` (at once when forked from a server that imported it)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch():
        while alive(run):
            time.sleep(0.5)
        os._exit(1)   # the run's process was killed: nobody will collect our results

    threading.Thread(target=watch, daemon=True).start()
    for name in THREAD_VARIABLES:   # this worker's own environment: read by BLAS libraries loaded from now on
        os.environ.setdefault(name, '1')
    prepare(preload)
    blas_threads()   # and those already loaded (forked from the server); kept for the worker's life


def worker_wait() -> float:
    """Seconds a run waits for a Dask cluster with no worker: PIPELINE_WORKER_WAIT, else WORKER_WAIT."""
    given = os.environ.get('PIPELINE_WORKER_WAIT')
    try:
        seconds = float(given) if given else WORKER_WAIT
    except ValueError:
        raise EngineError(f'PIPELINE_WORKER_WAIT={given!r} is not a number of seconds') from None
    if not seconds > 0:   # nan, 0, negative
        raise EngineError(f'PIPELINE_WORKER_WAIT={given!r} must be a number of seconds above 0')
    return seconds


class Interrupt:
    """While in the block (in the main thread), the first Ctrl-C only says that the run is stopping
    and sets `stopping`, which the engine polls; the second raises KeyboardInterrupt at once. Elsewhere,
    or where the program set its own SIGINT handler, Ctrl-C acts as it did."""

    def __init__(self):
        self.stopping = threading.Event()
        self.previous = None

    def handler(self, number, frame):
        if self.stopping.is_set():
            raise KeyboardInterrupt
        self.stopping.set()
        os.write(2, STOPPING)

    def __enter__(self):
        if (threading.current_thread() is threading.main_thread()
                and signal.getsignal(signal.SIGINT) is signal.default_int_handler):
            self.previous = signal.signal(signal.SIGINT, self.handler)
        return self

    def __exit__(self, *exc):
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)
            self.previous = None


def whole(chunk: tuple) -> list[tuple]:
    """The default `split`: none (a chunk that kills workers is `lost` whole)."""
    return [chunk]


def prepare(preload: str | None) -> None:
    """Import the module `preload` (once per process), which gets the process ready."""
    if preload:
        import_module(preload)


def worker_context(preload: str | None = None):
    """How worker processes start: forked from a server process that imported `preload` (which loads
    the models) once, so each worker starts ready, sharing the models' memory (the start-up saved is
    measured by benchmarks/scale.py); where there is no fork server (Windows), spawned, each loading
    its own."""
    try:
        context = get_context('forkserver')
    except ValueError:
        return get_context('spawn')
    context.set_forkserver_preload([preload] if preload else [])
    return context


def wake(pool: ProcessPoolExecutor, workers: int) -> None:
    """Start the pool's `workers` processes now (each task while none is idle starts one)."""
    try:
        for _ in range(workers):
            pool.submit(os.getpid)
    except (BrokenProcessPool, RuntimeError):   # a worker died, or the pool was shut down, meanwhile
        pass


class Local:
    """Chunks in this process, or in a pool of `workers` processes (`worker_context`)."""

    name = 'local'

    def __init__(self, workers: int, preload: str | None = None):
        self.workers = max(1, workers)
        self.preload = preload
        self.pool: ProcessPoolExecutor | None = None
        self.drained = False      # every chunk's result came back
        self.used = False         # chunks went to the workers
        self.starter: threading.Thread | None = None

    def start(self) -> None:
        """Start the worker processes now: they import and load their models while this process
        imports its own modules and reads the input, so the first results come sooner (the run's
        wall time is measured by benchmarks/scale.py). `map` starts them anyway when there are two
        chunks or more."""
        if self.workers > 1 and self.pool is None:
            context = worker_context(self.preload)
            with one_thread_per_worker():
                if context.get_start_method() == 'forkserver':   # it starts now, with one thread set
                    from multiprocessing import forkserver
                    forkserver.ensure_running()
            self.pool = ProcessPoolExecutor(self.workers, mp_context=context, initializer=start_worker,
                                            initargs=(os.getpid(), self.preload))
            # a task while no worker is idle starts one; in a thread, as the first waits for the fork server
            self.starter = threading.Thread(target=wake, args=(self.pool, self.workers), daemon=True)
            self.starter.start()

    def map(self, function: Callable, chunks: Iterable[tuple], split: Callable[[tuple], list[tuple]] = whole,
            lost: Callable[[tuple], object] | None = None) -> Iterator[tuple[tuple, object]]:
        """(chunk, function(*chunk)) for every chunk, as they finish.

        A chunk in flight when a worker process dies is retried alone in a fresh pool, then in the
        parts `split` makes of it, down to parts that cannot be split: for those, (part, lost(part)),
        or EngineError without `lost`. Ctrl-C: see the module's docstring.
        """
        chunks = iter(chunks)
        head = list(islice(chunks, 2))
        if self.workers == 1 or len(head) < 2:   # one chunk: starting workers would cost more than it saves
            self.stop()
            for chunk in chain(head, chunks):
                with blas_threads():
                    result = function(*chunk)
                yield chunk, result
            return
        self.start()
        self.used = True
        with Interrupt() as interrupt:
            yield from self.pooled(function, chain(head, chunks), split, lost, interrupt.stopping)
        self.drained = True

    def pooled(self, function, chunks, split, lost, stopping):
        pending = {}   # future: chunk

        def fill():
            while len(pending) < IN_FLIGHT * self.workers:
                chunk = next(chunks, None)
                if chunk is None:
                    return
                pending[self.pool.submit(function, *chunk)] = chunk

        fill()
        while pending:
            done = yield from self.settle(pending, stopping)
            suspects = [pending[_] for _ in done if isinstance(_.exception(), BrokenProcessPool)]
            if suspects:   # the pool is broken: every chunk in it fails now; which killed it is unknown
                wait(pending)
                suspects = [chunk for future, chunk in pending.items()
                            if isinstance(future.exception(), BrokenProcessPool)]
                done = set(pending)
            for future in done:
                chunk = pending.pop(future)
                if future.exception() is None:
                    yield chunk, future.result()
                elif not isinstance(future.exception(), BrokenProcessPool):
                    future.result()   # raises: the function failed, as it would in this process
            if suspects:
                self.stop()
                yield from self.narrow(function, suspects, split, lost, stopping)
                self.start()
            fill()

    def settle(self, pending: dict, stopping: threading.Event):
        """The futures of `pending` done, once one is. On Ctrl-C (`stopping`), the results already back
        are handed out (the runner commits them), the workers stopped, and KeyboardInterrupt raised."""
        while True:
            done, _ = wait(pending, timeout=POLL, return_when=FIRST_COMPLETED)
            if stopping.is_set():
                back = [(pending[_], _.result()) for _ in pending
                        if pending[_] is not None and _.done() and _.exception() is None]
                self.stop()
                yield from back
                raise KeyboardInterrupt
            if done:
                return done

    def narrow(self, function, suspects, split, lost, stopping):
        """Chunks that were in a pool when a worker died, one at a time in a fresh pool; one that kills
        its worker again is split, and a part that cannot be is `lost`."""
        queue = deque(suspects)
        while queue:
            chunk = queue.popleft()
            self.start()
            future = self.pool.submit(function, *chunk)
            yield from self.settle({future: chunk}, stopping)
            if not isinstance(future.exception(), BrokenProcessPool):
                yield chunk, future.result()
                continue
            self.stop()
            parts = split(chunk)
            if len(parts) > 1:
                queue.extendleft(reversed(parts))
                continue
            yield from self.probe(stopping)   # the document kills workers, or every task does?
            if lost is None:
                raise EngineError('a worker process died (killed, out of memory?) while processing a chunk')
            yield chunk, lost(chunk)

    def probe(self, stopping):
        """EngineError unless a fresh pool runs a task that needs no document (workers that die as they
        start would otherwise turn every document into a `lost` one, a pool start each)."""
        self.start()
        future = self.pool.submit(os.getpid)
        yield from self.settle({future: None}, stopping)
        if isinstance(future.exception(), BrokenProcessPool):
            self.stop()
            raise EngineError('worker processes die even with no document to process (they cannot start: '
                              'out of memory? see the messages above); run stopped, the chunks committed '
                              'so far are kept')

    def call(self, function: Callable, *args):
        """function(*args) in a worker process of the pool while it is up (the last task of a run: the
        registry update, which needs the morphology the workers have loaded), else in this process."""
        if self.pool is None:
            return function(*args)
        return self.pool.submit(function, *args).result()

    def stop(self) -> None:
        """End workers started early that have nothing to do, without waiting for their start-up."""
        if self.pool is not None:
            self.starter.join()
            processes = list((getattr(self.pool, '_processes', None) or {}).values())
            self.pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                process.terminate()
            self.pool = None

    def close(self) -> None:
        """Stop the workers. After the last result they exit on their own while we write the summary
        (no wait); workers that never got a chunk, or whose chunks will not be collected (a second
        Ctrl-C, an error), are ended at once: nobody waits for a chunk in flight."""
        if not self.used or not self.drained:
            self.stop()
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None


class Dask:
    """Chunks on a dask.distributed cluster: `scheduler` (an address), or a local cluster of `workers`."""

    name = 'dask'

    def __init__(self, workers: int, scheduler: str | None = None, preload: str | None = None):
        self.workers = max(1, workers)
        self.scheduler = scheduler
        self.preload = preload
        self.client = self.cluster = None
        self.refused: set[str] = set()   # addresses of workers of another version, retired

    def start(self) -> None:
        """Connect (or start the local cluster), check the workers' versions, get them ready; once."""
        if self.client is not None:
            return
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise EngineError(DASK_MISSING) from None
        if self.scheduler:
            try:
                self.client = Client(self.scheduler, timeout='20s')
            except (OSError, ValueError) as error:   # refused, unknown host, timed out; not an address
                raise EngineError(f'cannot reach the Dask scheduler at {self.scheduler}: {error}') from None
        else:
            self.cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                        dashboard_address=None, silence_logs=logging.ERROR)
            self.client = Client(self.cluster)
        ours = version()
        other = {worker: found for worker, found in self.client.run(version).items() if found != ours}
        if other:
            raise EngineError(f'dask workers run another pipeline version than ours ({ours}): {other}')
        if self.preload:   # every worker loads its model set once, before the first chunk
            self.client.run(prepare, self.preload)

    def map(self, function: Callable, chunks: Iterable[tuple], split: Callable[[tuple], list[tuple]] = whole,
            lost: Callable[[tuple], object] | None = None) -> Iterator[tuple[tuple, object]]:
        """(chunk, function(*chunk)) for every chunk, as they finish on the cluster.

        A chunk the scheduler gives up on (`KilledWorker`: its workers died more than the scheduler's
        `distributed.scheduler.allowed-failures` times, default 3) is sent again in the parts `split`
        makes of it; a part that cannot be split gives (part, lost(part)) (without `lost`, the error is
        raised). No worker on the cluster for `worker_wait()` seconds: EngineError. Ctrl-C: see the
        module's docstring.
        """
        from distributed import KilledWorker
        from distributed import wait as settle
        from distributed.client import FuturesCancelledError
        chunks = iter(chunks)
        first = next(chunks, None)
        if first is None:   # nothing to process: no cluster started
            return
        patience = worker_wait()
        self.start()
        limit = IN_FLIGHT * max(1, sum(self.client.nthreads().values()))
        ours = version()
        source = chain([first], chunks)
        pending, again = {}, deque()   # future: chunk; parts of chunks given up, sent before new ones

        def fill():
            while len(pending) < limit:
                chunk = again.popleft() if again else next(source, None)
                if chunk is None:
                    return
                pending[self.client.submit(checked, ours, function, *chunk, pure=False)] = chunk

        fill()
        alone = None   # since when the cluster has had no worker
        with Interrupt() as interrupt:
            while pending:
                try:
                    done = settle(list(pending), timeout=POLL * 5, return_when='FIRST_COMPLETED').done
                except TimeoutError:
                    done = set()
                except FuturesCancelledError as error:   # the scheduler lost: Dask cancels every future
                    raise self.cancelled(error) from None
                if interrupt.stopping.is_set():
                    back = [(pending[_], _.result()) for _ in pending if _.status == 'finished']
                    for future in pending:
                        future.cancel()
                    yield from back
                    raise KeyboardInterrupt
                if not done:
                    alone = self.deserted(alone, patience)
                    continue
                alone = None
                for future in done:
                    chunk = pending.pop(future)
                    try:
                        result = future.result()
                    except VersionError as error:   # nothing computed: the chunk goes to another worker
                        self.refuse(error)
                        again.appendleft(chunk)
                        continue
                    except KilledWorker:
                        parts = split(chunk)
                        if len(parts) > 1:
                            again.extend(parts)
                            continue
                        if lost is None:
                            raise
                        result = lost(chunk)
                    finally:
                        future.release()
                    yield chunk, result
                fill()

    def call(self, function: Callable, *args):
        """function(*args) on a worker of the cluster (the last task of a run: the registry update)."""
        if self.client is None:
            return function(*args)
        return self.client.submit(checked, version(), function, *args, pure=False).result()

    def cancelled(self, error: BaseException) -> EngineError:
        """The error that ends a run whose chunks Dask cancelled (the scheduler lost, or restarted)."""
        why = [_ for _ in str(error).splitlines() if 'reason' in _] or [type(error).__name__]
        where = self.scheduler or 'the local cluster'
        return EngineError(f'Dask cancelled the chunks in flight on {where} ({why[0].rstrip(".")}): run '
                           f'stopped (the chunks committed so far are kept; the same command finishes the '
                           f'job once the cluster is back)')

    def refuse(self, error: VersionError) -> None:
        """Retire (close) the worker of another version that `error` names, once, and say so."""
        if error.worker not in self.refused:
            self.refused.add(error.worker)
            logger.warning('%s: worker refused and retired; its chunk is sent to another', error)
            self.client.retire_workers([error.worker], close_workers=True)

    def deserted(self, alone: float | None, patience: float) -> float | None:
        """When the cluster has had no worker since (None: it has one); EngineError past `patience` s."""
        if self.client.nthreads():
            return None
        now = time.monotonic()
        if alone is not None and now - alone > patience:
            where = self.scheduler or 'the local cluster'
            raise EngineError(
                f'no Dask worker left on {where} for {patience:g} s: run stopped (the chunks committed so '
                f'far are kept; the same command finishes the job once workers are back; '
                f'PIPELINE_WORKER_WAIT sets how many seconds to wait)')
        return now if alone is None else alone

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()
        self.client = self.cluster = None


def start(name: str, workers: int, scheduler: str | None = None, preload: str | None = None) -> Local | Dask:
    """The engine called `name` (local or dask); close it when done. Its workers import the module
    `preload` once when they start (the runner's PRELOAD loads the models)."""
    if name == 'local':
        if scheduler:
            raise EngineError('--scheduler goes with --engine dask')
        return Local(workers, preload)
    if name == 'dask':
        if find_spec('distributed') is None:
            raise EngineError(DASK_MISSING)
        return Dask(workers, scheduler, preload)
    raise EngineError(f'unknown engine {name!r} (local or dask)')
