"""Report: the figures of one validation as terminal tables, Markdown and an errors CSV.

`Report` holds the per-type scores, entity and role figures and error rows
that `scoring` computes; `check` compares them with thresholds (`thresholds.py`)
and keeps the figures below them as failures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.document import TYPES
from pipeline.evaluation.goldsets import GoldError

SCORE_COLUMNS = [('gold', 'gold'), ('pred', 'pred'),
                 ('p_overlap', 'P'), ('r_overlap', 'R'), ('f1_overlap', 'F1'),
                 ('p_exact', 'P exact'), ('r_exact', 'R exact'), ('f1_exact', 'F1 exact'),
                 ('normal_accuracy', 'normal'), ('value_accuracy', 'value'), ('unit_accuracy', 'unit')]
ENTITY_COLUMNS = [('gold', 'gold'), ('pred', 'pred'), ('matched', 'matched'),
                  ('p', 'P'), ('r', 'R'), ('f1', 'F1')]


def cell(table: pd.DataFrame, type: str, column: str) -> str:
    value = table.loc[type, column]
    if column.endswith('_accuracy'):
        name = column.removesuffix('_accuracy')
        total = int(table.loc[type, f'{name}_n'])
        return '–' if not total else f'{value:.3f} {int(table.loc[type, f"{name}_correct"])}/{total}'
    if isinstance(value, float):
        return '–' if math.isnan(value) else f'{value:.3f}'
    return str(value)


def grid(table: pd.DataFrame, columns: list[tuple[str, str]], markdown: bool = False) -> str:
    headers = ['type'] + [_ for __, _ in columns]
    rows = [[str(type)] + [cell(table, type, column) for column, _ in columns] for type in table.index]
    if markdown:
        lines = ['| ' + ' | '.join(headers) + ' |', '|' + '|'.join(['---'] + ['---:'] * len(columns)) + '|']
        return '\n'.join(lines + ['| ' + ' | '.join(row) + ' |' for row in rows])
    widths = [max(len(row[i]) for row in [headers] + rows) for i in range(len(headers))]

    def line(row):
        return '  '.join(value.ljust(widths[i]) if i == 0 else value.rjust(widths[i])
                         for i, value in enumerate(row))
    return '\n'.join([line(headers)] + [line(row) for row in rows])


def role_grid(table: pd.DataFrame) -> str:
    """The role figures as a Markdown table."""
    def show(value) -> str:
        return f'{value:.3f}' if isinstance(value, float) else str(value)
    lines = ['| level | ' + ' | '.join(table.columns) + ' |', '|---|' + '---:|' * len(table.columns)]
    lines += [f'| {level} | ' + ' | '.join(show(_) for _ in row) + ' |' for level, row in table.iterrows()]
    return '\n'.join(lines)


@dataclass
class Report:
    """Figures of one validation: per-type `scores`, `entities`, and the `errors` rows."""
    scores: pd.DataFrame
    entities: pd.DataFrame
    errors: pd.DataFrame
    system: str = 'ours'
    gold_dir: str = ''
    fmt: str = 'jsonl'
    documents: int = 0
    seconds: float = 0.0            # predictions (including model loading)
    warnings: list[str] = field(default_factory=list)
    failures: list[str] | None = None   # set by `check`
    thresholds: str | None = None       # where they came from
    roles: pd.DataFrame | None = None   # role P/R/F1 (`score_roles`), when the gold holds roles
    role_examples: list[dict] = field(default_factory=list)

    def check(self, thresholds: dict, source: str | Path | None = None) -> list[str]:
        """Every figure below its threshold, as `PER f1_overlap 0.712 < 0.800` (none checked: [])."""
        if not thresholds:
            return []
        failures = []
        for section, keys in thresholds.items():
            if section == 'entities':
                for type, entity_keys in keys.items():
                    failures += self.below(self.entities, type, entity_keys, f'entities {type}')
            elif section == 'roles':      # [roles.person], [roles."person+org"]: precision, recall, f1
                for level, role_keys in keys.items():
                    if level not in ('person', 'person+org'):
                        raise GoldError(f'thresholds: unknown section [roles.{level}] '
                                        f'(person or "person+org")')
                    if self.roles is None:
                        failures.append(f'roles {level}: no roles measured (gold without ROLE records)')
                        continue
                    failures += self.below(self.roles, level, role_keys,
                                           f'roles {level}', levels=('person', 'person+org'))
            else:
                failures += self.below(self.scores, section, keys, section)
        self.failures, self.thresholds = failures, str(source or 'given thresholds')
        return failures

    def below(self, table: pd.DataFrame, type: str, keys: dict, label: str,
              levels: tuple = TYPES + ('all',)) -> list[str]:
        if type not in levels:
            raise GoldError(f'thresholds: unknown section [{label}] (a type or `all`)')
        if not isinstance(keys, dict):
            raise GoldError(f'thresholds: {label} should be a [section] of `figure = number` lines')
        failures = []
        for key, threshold in keys.items():
            if key not in table.columns or key in ('gold', 'pred'):
                raise GoldError(f'thresholds: unknown figure {key!r} in [{label}]; known: '
                                + ', '.join(_ for _ in table.columns if _ not in ('gold', 'pred')))
            if type not in table.index:
                continue                      # a type this gold does not label
            value = float(table.loc[type, key])
            if math.isnan(value):     # nothing to measure it on: fails only a real requirement
                if threshold > 0 and table.loc[type, 'gold'] > 0:
                    failures.append(f'{label} {key} not measured (nothing matched) < {threshold:.3f}')
            elif value < threshold:
                failures.append(f'{label} {key} {value:.3f} < {threshold:.3f}')
        return failures

    def header(self) -> str:
        return (f'system {self.system} on {self.gold_dir} ({self.fmt}): {self.documents} documents, '
                f'predictions in {self.seconds:.1f} s')

    def text(self) -> str:
        """The tables as printed on the terminal."""
        parts = [self.header(), '', 'Mentions (P/R/F1 on overlapping spans, then exact spans; '
                                    'normal/value/unit: accuracy among overlapping pairs)',
                 grid(self.scores, SCORE_COLUMNS), '', 'Entities (per document, type + folded name)',
                 grid(self.entities, ENTITY_COLUMNS)]
        if self.roles is not None:
            parts += ['', 'Roles (one per document, person and organisation; position_normal: accuracy)',
                      self.roles.to_string(float_format=lambda _: f'{_:.3f}')]
        if self.warnings:
            parts += ['', f'{len(self.warnings)} warning(s):'] + [f'  {_}' for _ in self.warnings[:10]]
            if len(self.warnings) > 10:
                parts.append('  ... (all of them in the report)')
        if self.failures is not None:
            parts += ['', f'Thresholds ({self.thresholds}): '
                      + (f'{len(self.failures)} figure(s) below' if self.failures else 'all met')]
            parts += [f'  below: {_}' for _ in self.failures]
        return '\n'.join(parts)

    def markdown(self) -> str:
        kinds = (self.errors.groupby(['type', 'kind_of_error']).size().unstack(fill_value=0)
                 if len(self.errors) else None)
        parts = ['# Validation report', '', self.header(), '',
                 '## Mentions', '',
                 'P/R/F1 on overlapping spans (same type and document, each matched once, greedy by largest '
                 'overlap), then on exact spans. `normal`, `value`, `unit`: accuracy among the overlapping '
                 'pairs (correct/scored), after folding `ё`→`е` and case; numbers compared as numbers.', '',
                 grid(self.scores, SCORE_COLUMNS, markdown=True), '',
                 '## Entities', '',
                 'Entities of each document matched by type and folded name (`ё`, case, quotes, hyphens; '
                 'people by first + last name).', '',
                 grid(self.entities, ENTITY_COLUMNS, markdown=True), '']
        if self.roles is not None:
            parts += ['## Roles', '', 'Roles matched once each, by document and person (`person`), '
                      'and also by organisation or place (`person+org`); `position_normal`: '
                      'accuracy among the matched pairs whose gold gives it.', '',
                      role_grid(self.roles), '']
            for kind in ('correct', 'wrong', 'missed'):
                shown = [_ for _ in self.role_examples if _['kind'] == kind]
                if shown:
                    parts += [f'### {kind} ({len(shown)})', '']
                    parts += [f"- {_['doc_id']}: gold `{_['gold']}` / ours `{_['pred']}` — {_['context']}"
                              for _ in shown]
                    parts.append('')
        if self.failures is not None:
            parts += [f'## Thresholds ({self.thresholds})', '']
            parts += [f'- below: {_}' for _ in self.failures] if self.failures else ['All figures meet their '
                                                                                     'thresholds.']
            parts.append('')
        if kinds is not None:
            parts += ['## Errors by kind', '', '| type | ' + ' | '.join(kinds.columns) + ' |',
                      '|---|' + '---:|' * len(kinds.columns)]
            parts += [f'| {type} | ' + ' | '.join(str(_) for _ in row) + ' |'
                      for type, row in kinds.iterrows()]
            parts.append('')
        if self.warnings:
            parts += ['## Warnings', ''] + [f'- {_}' for _ in self.warnings] + ['']
        return '\n'.join(parts)

    def write(self, report: str | Path, errors: str | Path | None = None) -> tuple[Path, Path]:
        """The Markdown report, and the error rows as CSV (default: `<report>-errors.csv` beside it)."""
        report = Path(report)
        errors = Path(errors) if errors is not None else report.with_name(f'{report.stem}-errors.csv')
        report.parent.mkdir(parents=True, exist_ok=True)
        errors.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(self.markdown(), encoding='utf-8')
        self.errors.to_csv(errors, index=False, encoding='utf-8-sig')
        return report, errors
