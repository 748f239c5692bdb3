"""Shared fixtures: models load once per test session."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / 'seeds'
GOLD = ROOT / 'gold'
FACTRU = ROOT.parent / 'shared' / 'factru-devset'
NEREL = ROOT.parent / 'shared' / 'nerel-train'


@pytest.fixture(scope='session')
def res():
    from pipeline.batch.resources import shared
    return shared()


@pytest.fixture(scope='session')
def seed_docs(res):
    """Every seed article run through the whole pipeline, by doc_id."""
    from pipeline.batch import ingest
    from pipeline.batch import runner as batch
    docs = {}
    for item in ingest.read_inputs([SEEDS]):
        docs[item.doc_id] = batch.process(item, res)
    return docs


@pytest.fixture(scope='session')
def seed_tables(seed_docs):
    from pipeline.store import rows as tables
    return tables.build(seed_docs.values())


@pytest.fixture(scope='session')
def seed_output(res, tmp_path_factory):
    """An output folder written by `pipeline.run` over the seeds (in this process: models load once)."""
    from pipeline.batch.runner import run
    out = tmp_path_factory.mktemp('seed_output')
    run([SEEDS], out, progress=False, workers=1)
    return out
