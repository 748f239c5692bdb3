"""Regression gates on extraction quality: validate against gold must meet its thresholds.

The thresholds sit a little under the measured figures (see the comments in
gold/thresholds.toml, benchmarks/factru-thresholds.toml and benchmarks/nerel-thresholds.toml),
so a change that loses quality fails here with the figures that dropped.
"""

import pytest

from pipeline.evaluation import goldsets, validate

from .conftest import FACTRU, GOLD, NEREL, ROOT


def test_quality_gold_meets_thresholds():
    report = validate.validate(GOLD)
    failures = report.check(validate.load_thresholds(GOLD / 'thresholds.toml'))
    assert not failures, '\n'.join(failures)


@pytest.mark.skipif(not FACTRU.is_dir(), reason='factRuEval dev set absent (../shared/factru-devset)')
def test_quality_factru_dev_meets_thresholds():
    report = validate.validate(FACTRU, fmt='factru')
    failures = report.check(validate.load_thresholds(ROOT / 'benchmarks' / 'factru-thresholds.toml'))
    assert not failures, '\n'.join(failures)


@pytest.mark.slow
@pytest.mark.skipif(not NEREL.is_dir(), reason='NEREL train absent (../shared/nerel-train)')
def test_quality_nerel_dev_meets_thresholds():
    """Spans and person → position roles on the 646 NEREL development articles (the holdout left out)."""
    held = goldsets.read_list(ROOT / 'benchmarks' / 'nerel-holdout.txt')
    report = validate.validate(NEREL, fmt='nerel', exclude=held)
    assert report.documents == 646
    failures = report.check(validate.load_thresholds(ROOT / 'benchmarks' / 'nerel-thresholds.toml'))
    assert not failures, '\n'.join(failures)


def test_quality_gate_catches_a_drop():
    """The same gate on the natasha baseline fails: the thresholds are real."""
    report = validate.validate(GOLD, system='natasha')
    failures = report.check(validate.load_thresholds(GOLD / 'thresholds.toml'))
    assert any(_.startswith('ORG f1_exact') for _ in failures)
    assert any(_.startswith('NUMBER f1_overlap') for _ in failures)
