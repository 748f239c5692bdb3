"""The output folder on object storage: a run, an edit and rerun, and load_tables against an S3-compatible
server (moto's standalone server) that the test starts on 127.0.0.1."""

import shutil
import socket
import subprocess
import sys
import time

import pytest

from pipeline import load_tables
from pipeline.batch.runner import run

from .conftest import SEEDS
from .test_scale import assert_same_tables, copy_seeds


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


@pytest.fixture(scope='module')
def s3_server(tmp_path_factory):
    """http://127.0.0.1:PORT of a moto server (skips, saying why, if it cannot start)."""
    try:
        import boto3
        import moto.server  # noqa: F401   the standalone server's entry point
    except ImportError as error:
        pytest.skip(f'moto[server] is not installed ({error}): pip install "moto[server]"')
    port = free_port()
    log = open(tmp_path_factory.mktemp('moto') / 'server.log', 'wb')  # noqa: SIM115 (the server's, to its end)
    server = subprocess.Popen([sys.executable, '-m', 'moto.server', '-H', '127.0.0.1', '-p', str(port)],
                              stdout=log, stderr=subprocess.STDOUT)
    endpoint = f'http://127.0.0.1:{port}'
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(('127.0.0.1', port), timeout=1).close()
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.skip(f'the moto S3 server did not start on 127.0.0.1:{port} (see {log.name})')
            time.sleep(0.1)
    boto3.client('s3', endpoint_url=endpoint, region_name='us-east-1', aws_access_key_id='test',
                 aws_secret_access_key='test').create_bucket(Bucket='news')
    yield endpoint
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def s3_env(s3_server, monkeypatch):
    for name, value in {'AWS_ACCESS_KEY_ID': 'test', 'AWS_SECRET_ACCESS_KEY': 'test',
                        'AWS_REGION': 'us-east-1', 'AWS_ENDPOINT_URL': s3_server}.items():
        monkeypatch.setenv(name, value)
    return s3_server


def test_store_s3_run_edit_rerun_and_read(s3_env, tmp_path):
    folder = copy_seeds(tmp_path / 'in')
    out = 's3://news/tables'
    first = run([folder], out, progress=False, workers=1)
    assert first.added == 5
    edited = folder / '003_a5d7b6e8a1c3b4d2.txt' if (folder / '003_a5d7b6e8a1c3b4d2.txt').exists() else \
        sorted(folder.glob('*.txt'))[3]
    edited.write_text(edited.read_text(encoding='utf-8') + '\nВ Казани выступил Дмитрий Иванов.\n',
                      encoding='utf-8')
    second = run([folder], out, progress=False, workers=1)
    assert (second.replaced, second.skipped) == (1, 4)
    found = load_tables(out)
    run([folder], tmp_path / 'local', progress=False, workers=1)
    assert_same_tables(found, load_tables(tmp_path / 'local'))
    assert 'Дмитрий Иванов' in set(found['mentions']['normal'].dropna())
    assert found['runs']['status'].tolist() == ['finished', 'finished']


def test_store_s3_sql_reads_the_remote_tables(s3_env, tmp_path):
    from pipeline.export import sql
    out = 's3://news/sql'
    shutil.copytree(SEEDS, tmp_path / 'in')
    run([tmp_path / 'in'], out, progress=False, workers=1)
    counted = sql.query('SELECT count(*) AS n FROM documents', out)['n'][0]
    assert counted == len(load_tables(out)['documents']) == 5
