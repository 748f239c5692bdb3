"""Validate: score the pipeline (or the natasha baseline) against hand-labelled gold.

Reads gold (`goldsets`: GOLD-GUIDE.md JSONL, factRuEval-2016, NEREL), predicts
the same texts (`predict`: the pipeline, the tables of an earlier run, or the
natasha baseline), scores them (`scoring`) and gives a `Report` (`report`),
checked against the minimum figures of a TOML file (`thresholds`).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from pipeline.evaluation.goldsets import Annotations, Gold, read_gold, select
from pipeline.evaluation.predict import predict
from pipeline.evaluation.report import Report
from pipeline.evaluation.scoring import ERROR_COLUMNS, score_entities, score_mentions, score_roles
from pipeline.evaluation.thresholds import default_thresholds, load_thresholds

__all__ = ['ERROR_COLUMNS', 'Report', 'compare', 'default_thresholds', 'load_thresholds', 'validate']


def compare(gold: Gold, pred: Annotations, **details) -> Report:
    """Score predictions against gold."""
    scores, mention_errors = score_mentions(gold, pred)
    entities, entity_errors = score_entities(gold, pred)
    errors = pd.DataFrame(mention_errors + entity_errors, columns=ERROR_COLUMNS)
    for column in ('gold_start', 'gold_stop', 'pred_start', 'pred_stop'):
        errors[column] = errors[column].astype('Int64')
    position = errors['gold_start'].fillna(errors['pred_start'])
    order = errors.assign(position=position).sort_values(['doc_id', 'type', 'position'], kind='stable').index
    errors = errors.loc[order].reset_index(drop=True)
    roles, role_examples = score_roles(gold, pred) if gold.roles else (None, [])
    return Report(scores, entities, errors, documents=len(gold.texts),
                  warnings=list(gold.warnings) + list(pred.warnings), roles=roles,
                  role_examples=role_examples, **details)


def validate(gold_dir: str | Path, texts: str | Path | None = None, tables: str | Path | None = None,
             fmt: str = 'jsonl', system: str = 'ours', docs: str | None = None,
             exclude: Iterable[str] = ()) -> Report:
    """Score `system` (our pipeline, or its output `tables`; or `natasha`) against the gold in `gold_dir`."""
    gold = select(read_gold(gold_dir, fmt, texts), docs, exclude)
    started = time.perf_counter()
    pred = predict(gold, system, tables)
    seconds = time.perf_counter() - started
    return compare(gold, pred, system=system if tables is None else f'ours (tables {tables})',
                   gold_dir=str(gold_dir), fmt=fmt, seconds=seconds)
