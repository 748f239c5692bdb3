"""The Dask engine on a real cluster: a `dask scheduler` and `dask worker` processes on 127.0.0.1, as on
machines of their own (each worker its own Python, the repository on its PYTHONPATH).

The workers compute and return each chunk's tables; this process alone commits them to the store (the
store's design: one writer), so the workers need neither the inputs nor the output folder.
"""

import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
from importlib.util import find_spec
from pathlib import Path

import pytest

from pipeline import __version__, load_tables
from pipeline.batch import engines
from pipeline.batch.runner import run

from .conftest import ROOT
from .test_scale import assert_same_tables, make_corpus

distributed = pytest.importorskip('distributed')

START = 60      # seconds a scheduler or workers may take to come up (a busy 2-core machine)
STOP = 15       # seconds the processes get to exit on SIGTERM before SIGKILL
DASK = Path(sys.executable).with_name('dask')
# a worker started with this preload module reports another pipeline version (Dask's `--preload`:
# a file imported by the worker process before it connects)
OTHER_VERSION = "import pipeline\npipeline.__version__ = 'other-0.0'\n"


def command(*args) -> list[str]:
    """The `dask` CLI of this environment, or the same through `python -m` where no script is there."""
    if not DASK.exists() and find_spec('distributed.cli.dask_' + args[0]) is None:
        pytest.skip(f'no `dask {args[0]}` command in this environment')
    if DASK.exists():
        return [str(DASK), *args]
    return [sys.executable, '-m', 'distributed.cli.dask_' + args[0], *args[1:]]


class Processes:
    """Processes started in sessions of their own (a worker's nanny starts a child): each group ended
    with SIGTERM, then SIGKILL after STOP seconds, whatever happened in the test."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.started: list[subprocess.Popen] = []
        self.environment = {**os.environ, 'PYTHONPATH': os.pathsep.join(
            [str(ROOT), *filter(None, [os.environ.get('PYTHONPATH')])]),
            'OMP_NUM_THREADS': '1', 'OPENBLAS_NUM_THREADS': '1', 'MKL_NUM_THREADS': '1'}

    def start(self, name: str, *args) -> subprocess.Popen:
        with open(self.folder / f'{name}.log', 'wb') as log:   # the child keeps its own descriptor
            process = subprocess.Popen(command(*args), stdout=log, stderr=subprocess.STDOUT,
                                       cwd=self.folder, env=self.environment, start_new_session=True)
        self.started.append(process)
        return process

    def log(self, name: str) -> str:
        return (self.folder / f'{name}.log').read_text(errors='replace')[-2000:]

    def stop(self, process: subprocess.Popen) -> None:
        for number, wait in ((signal.SIGTERM, STOP), (signal.SIGKILL, STOP)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, number)
            try:
                process.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue

    def stop_all(self) -> None:
        for process in reversed(self.started):
            self.stop(process)


@pytest.fixture(scope='module')
def processes(tmp_path_factory):
    started = Processes(tmp_path_factory.mktemp('dask_cluster'))
    yield started
    started.stop_all()


def scheduler(processes: Processes, name: str, workers: int) -> tuple[subprocess.Popen, str]:
    """A `dask scheduler` on a free port of 127.0.0.1 with `workers` one-thread workers joined (`dask
    worker --nthreads 1`), and its address; the test is skipped if they cannot start."""
    address_file = processes.folder / f'{name}.json'
    try:
        started = processes.start(name, 'scheduler', '--host', '127.0.0.1', '--port', '0',
                                  '--no-dashboard', '--scheduler-file', str(address_file))
    except OSError as error:
        pytest.skip(f'cannot start `dask scheduler`: {error}')
    deadline = time.monotonic() + START
    while not address_file.exists() and started.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    if not address_file.exists():
        pytest.skip(f'`dask scheduler` did not start within {START} s: {processes.log(name)}')
    for number in range(workers):
        worker(processes, f'{name}-worker{number}', address_file)
    with distributed.Client(scheduler_file=str(address_file), timeout='20s') as client:
        try:
            client.wait_for_workers(workers, timeout=START)
        except TimeoutError:
            pytest.skip(f'{workers} `dask worker` did not join within {START} s: '
                        f'{processes.log(f"{name}-worker0")}')
        return started, client.scheduler.address


@pytest.fixture(scope='module')
def cluster(processes):
    """The address of a scheduler with two workers, for the module."""
    return scheduler(processes, 'scheduler', 2)[1]


def worker(processes: Processes, name: str, address_file: Path, *args) -> subprocess.Popen:
    return processes.start(name, 'worker', '--scheduler-file', str(address_file), '--nthreads', '1',
                           '--host', '127.0.0.1', '--no-dashboard', '--name', name, *args)


@pytest.fixture(scope='module')
def corpus(tmp_path_factory):
    """Twelve articles cut from the seeds, and the tables of a local one-worker run over them. Not the seeds
    themselves beside them: a seed and an article cut from it are syndicated copies, and which of the two
    is marked the copy (`duplicate_of`) depends on which is committed first, an order no engine keeps."""
    folder = make_corpus(tmp_path_factory.mktemp('corpus') / 'in', 12)
    out = folder.parent / 'local'
    run([folder], out, progress=False, workers=1)
    return folder, load_tables(out)


def test_dask_cluster_tables_equal_local(cluster, corpus, tmp_path):
    folder, expected = corpus
    summary = run([folder], tmp_path / 'out', progress=False, workers=2, chunk_size=2, engine='dask',
                  scheduler=cluster)
    assert (summary.documents, summary.errors) == (len(expected['documents']), 0)
    found = load_tables(tmp_path / 'out')
    assert_same_tables(found, expected)
    assert found['runs'][['engine', 'status']].values.tolist() == [['dask', 'finished']]


def test_dask_cluster_refuses_a_worker_of_another_version_joining_mid_run(cluster, corpus, processes,
                                                                         tmp_path, caplog):
    """A worker that joins after the start-up check and reports another pipeline version gets chunks
    and computes none: it is retired (its process exits) and its chunks go to the others; the tables
    equal a local run's, none of their rows computed by it."""
    folder, expected = corpus
    engine = engines.start('dask', 2, scheduler=cluster, preload=engines.PRELOAD)
    try:
        engine.start()   # the version check at start-up: two workers of ours
        preload = processes.folder / 'other_version.py'
        preload.write_text(OTHER_VERSION)
        other = worker(processes, 'other', processes.folder / 'scheduler.json', '--preload', str(preload))
        versions = {}
        deadline = time.monotonic() + START
        while len(versions) < 3 and other.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
            versions = engine.client.run(engines.version)
        assert sorted(versions.values()) == sorted([__version__, __version__, 'other-0.0']), \
            processes.log('other')
        with caplog.at_level(logging.WARNING, logger=engines.__name__):
            summary = run([folder], tmp_path / 'out', progress=False, workers=2, chunk_size=1, engine=engine)
    finally:
        engine.close()
    (address,) = [_ for _, found in versions.items() if found == 'other-0.0']
    assert engine.refused == {address}
    assert f'dask worker {address} runs pipeline other-0.0, the run {__version__}' in caplog.text
    assert other.wait(timeout=START) is not None   # retired: its process (and its nanny) exited
    assert (summary.documents, summary.errors) == (len(expected['documents']), 0)
    found = load_tables(tmp_path / 'out')
    assert_same_tables(found, expected)


def test_dask_cluster_version_check_runs_in_the_task():
    """`checked` runs the function on a worker of our version and raises VersionError, naming the
    worker, on another (in the worker: no Dask needed to see it here)."""
    assert engines.checked(__version__, divmod, 7, 2) == (3, 1)
    error = engines.VersionError('tcp://127.0.0.1:1', 'other-0.0', __version__)
    assert str(error) == f'dask worker tcp://127.0.0.1:1 runs pipeline other-0.0, the run {__version__}'
    import pickle
    assert pickle.loads(pickle.dumps(error)).worker == 'tcp://127.0.0.1:1'


def test_dask_cluster_lost_scheduler_ends_the_run_saying_how_to_resume(processes):
    """The scheduler killed while chunks are in flight: EngineError in one line (was: a traceback of
    FuturesCancelledError), saying that the same command finishes the job."""
    started, address = scheduler(processes, 'lost', 1)
    engine = engines.start('dask', 1, scheduler=address)

    def chunks():
        for number in range(20):
            if number == 3:   # two chunks back, two in flight
                processes.stop(started)
            yield (0.2,)

    try:
        with pytest.raises(engines.EngineError, match=(
                f'Dask cancelled the chunks in flight on {address} .*scheduler-connection-lost.*: run '
                'stopped .*the same command finishes the job')):
            for _ in engine.map(time.sleep, chunks()):
                pass
    finally:
        engine.close()
