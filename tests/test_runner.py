"""The run machinery's contracts: stage order checked at start-up, the time budget as an argument,
no setting left behind in this process (pipeline/batch/runner.py, budget.py, engines.py)."""

import math
import os

import pytest

from pipeline.batch import budget, engines
from pipeline.batch.runner import PIPELINE, STAGES, Pipeline, Stage, StageOrderError, process_many
from pipeline.document import Document, Problem


def keep(doc, res):
    return doc


def shout(doc, res):
    doc.published = 'checked'
    return doc


ORDER_CASES = [
    # (stages as (name, requires, assigns), the stage the error names, or None when the order is fine)
    ([('a', ('text',), ('tokens',)), ('b', ('tokens',), ())], None),
    ([('b', ('tokens',), ()), ('a', ('text',), ('tokens',))], 'b'),
    ([('a', (), ('x',)), ('b', ('x', 'y'), ())], 'b'),
    ([('a', (), ()), ('a', (), ())], 'a'),
    ([], None),
]


@pytest.mark.parametrize('declared, misfit', ORDER_CASES)
def test_runner_pipeline_checks_order(declared, misfit):
    stages = [Stage(name, keep, requires, assigns) for name, requires, assigns in declared]
    if misfit is None:
        assert Pipeline(stages).names() == [_[0] for _ in declared]
    else:
        with pytest.raises(StageOrderError, match=repr(misfit)):
            Pipeline(stages)


def test_runner_product_stages_in_order():
    assert Pipeline(STAGES) == PIPELINE
    for index, stage in enumerate(STAGES):   # each stage moved to the front fails unless it needs nothing
        moved = (stage, *STAGES[:index], *STAGES[index + 1:])
        if set(stage.requires) - {'text'}:
            with pytest.raises(StageOrderError, match=repr(stage.name)):
                Pipeline(moved)


def test_runner_other_stages_without_monkeypatching():
    """A pipeline of other stages runs as given; the product's stages are untouched."""
    docs = [Document('a', 'Текст.', 'a.txt')]
    found = process_many(docs, stages=[Stage('shout', shout, assigns=('published',))])
    assert found[0].published == 'checked' and not found[0].tokens
    assert STAGES[0].name == 'segment'


def test_runner_failing_stage_is_a_problem():
    def broken(doc, res):
        raise ValueError('bad input')

    found = process_many([Document('a', 'Текст.', 'a.txt')], stages=[Stage('broken', broken)])
    assert isinstance(found[0], Problem) and found[0].stage == 'broken' and 'bad input' in found[0].message


BUDGET_CASES = [
    # (given, seconds back: None is no limit; an exception class when refused)
    (None, budget.DOC_TIMEOUT),
    ('30', 30.0),
    (1.5, 1.5),
    (0, None),
    ('0', None),
    ('inf', None),
    (math.inf, None),
    (-1, budget.BudgetError),
    ('-1', budget.BudgetError),
    ('nan', budget.BudgetError),
    ('1e-9', budget.BudgetError),
    ('1e300', budget.BudgetError),
    ('-inf', budget.BudgetError),
    ('soon', budget.BudgetError),
]


@pytest.mark.parametrize('given, expected', BUDGET_CASES)
def test_runner_time_budget_values(given, expected):
    if isinstance(expected, type):
        with pytest.raises(expected):
            budget.time_budget(given)
    else:
        assert budget.time_budget(given) == expected


def test_runner_blas_threads_set_for_children_only(monkeypatch):
    for name in engines.THREAD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv('MKL_NUM_THREADS', '3')   # the user's value is kept
    with engines.one_thread_per_worker():
        assert [os.environ[_] for _ in engines.THREAD_VARIABLES] == ['1', '1', '3']
    assert [os.environ.get(_) for _ in engines.THREAD_VARIABLES] == [None, None, '3']


def test_runner_dask_engine_without_dask_says_how_to_install(monkeypatch):
    monkeypatch.setattr(engines, 'find_spec', lambda name: None)
    with pytest.raises(engines.EngineError, match=r"pip install .*\[dask\]"):
        engines.start('dask', 2)


def blas_threads_here() -> list[int]:
    """The BLAS thread counts of the process that runs this (a pool worker in the test below)."""
    import numpy  # noqa: F401  (loads the BLAS library)
    from threadpoolctl import threadpool_info
    return [_['num_threads'] for _ in threadpool_info() if _['user_api'] == 'blas']


def test_runner_workers_use_one_blas_thread_and_the_parent_keeps_its_own(monkeypatch):
    for name in engines.THREAD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    engine = engines.Local(2)
    try:
        engine.start()
        found = engine.pool.submit(blas_threads_here).result(timeout=120)
    finally:
        engine.stop()
    assert found and set(found) == {1}
    assert not any(_ in os.environ for _ in engines.THREAD_VARIABLES)
